/*
 * bench_article.c -- the article importer alone, without the store: loads
 * BUILD/plugins/article.so with dlopen, hands it a host table whose read
 * serves a file from memory and whose emit only counts, and times ROUNDS
 * runs over the file on the calling thread (one core).  bench/article.sh
 * runs it next to `tldb import` (which adds storing) and chrono-node.
 *
 *   bench-article PLUGIN.so FILE [ROUNDS]
 *
 * Prints "RESULT engine=article-plugin bytes=N seconds=S events=K".
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tldb/plugin.h"

typedef struct tldb_run {
	const char *buf;
	size_t len, at;
	int64_t events;
} bench_run;

static const char *opt(tldb_run *run, const char *key)
{
	(void)run;
	return strcmp(key, "input") == 0 ? "auto" : NULL;
}

static int64_t rd(tldb_run *run, void *buf, uint64_t len)
{
	size_t n = run->len - run->at;
	if (n > len)
		n = (size_t)len;
	memcpy(buf, run->buf + run->at, n);
	run->at += n;
	return (int64_t)n;
}

static void setpos(tldb_run *run, int64_t line, int64_t column)
{
	(void)run;
	(void)line;
	(void)column;
}

static int32_t emit(tldb_run *run, const tldb_plugin_event *ev)
{
	(void)ev;
	run->events++;
	return TLDB_PLUGIN_OK;
}

static int32_t err(tldb_run *run, int32_t code, int64_t line, int64_t column,
                   const char *msg)
{
	(void)run;
	(void)code;
	fprintf(stderr, "bench-article: %lld:%lld: %s\n", (long long)line,
	        (long long)column, msg);
	return TLDB_PLUGIN_STOP;
}

static void warn(tldb_run *run, int64_t line, int64_t column, const char *msg)
{
	(void)run;
	(void)line;
	(void)column;
	(void)msg;
}

static int32_t fmt_instant(int64_t t, char *buf, uint32_t size)
{
	return snprintf(buf, size, "%lld", (long long)t);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr,
		        "usage: bench-article PLUGIN.so FILE [ROUNDS]\n");
		return 2;
	}
	int rounds = 1;
	if (argc > 3) {
		char *end;
		long v = strtol(argv[3], &end, 10);
		if (end == argv[3] || *end || v < 1 || v > 1000) {
			fprintf(stderr, "bench-article: ROUNDS: 1 to 1000\n");
			return 2;
		}
		rounds = (int)v;
	}
	FILE *f = fopen(argv[2], "rb");
	if (!f) {
		perror(argv[2]);
		return 1;
	}
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)size + 1);
	if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "bench-article: cannot read %s\n", argv[2]);
		return 1;
	}
	fclose(f);
	void *so = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!so) {
		fprintf(stderr, "bench-article: %s\n", dlerror());
		return 1;
	}
	tldb_plugin_entry_fn entry;
	*(void **)&entry = dlsym(so, TLDB_PLUGIN_ENTRY_NAME);
	tldb_host_api host;
	memset(&host, 0, sizeof host);
	host.size = sizeof host;
	host.abi_major = TLDB_PLUGIN_ABI_MAJOR;
	host.abi_minor = TLDB_PLUGIN_ABI_MINOR;
	host.host_version = "bench";
	host.option = opt;
	host.read = rd;
	host.set_position = setpos;
	host.emit = emit;
	host.error = err;
	host.warning = warn;
	host.format_instant = fmt_instant;
	const tldb_plugin_info *info;
	if (!entry || entry(&host, &info) != TLDB_PLUGIN_OK ||
	    !info->importer) {
		fprintf(stderr, "bench-article: not an importer plugin\n");
		return 1;
	}
	bench_run run = {buf, (size_t)size, 0, 0};
	double t0 = now();
	for (int r = 0; r < rounds; r++) {
		run.at = 0;
		run.events = 0;
		if (info->importer->run(&run, NULL) != TLDB_PLUGIN_OK)
			return 1;
	}
	double s = now() - t0;
	printf("RESULT engine=article-plugin bytes=%lld seconds=%.3f "
	       "events=%lld\n",
	       (long long)size * rounds, s, (long long)run.events);
	free(buf);
	return 0;
}
