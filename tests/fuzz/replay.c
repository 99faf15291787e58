/*
 * replay.c -- runs a fuzz harness over files, without libFuzzer: the
 * regression test of tests/fuzz (CTest's replay_NAME, built with the
 * normal compiler, and under the sanitizers by `make sanitize`).
 *
 *   replay_NAME PATH...
 *
 * Each PATH is a file or a folder whose files are run in name order
 * (names starting with '.' or "README" are passed over, so a folder can
 * say what it holds).  Each input gets REPLAY_SECONDS: an input still
 * running then is a hang, reported with its name, and the replay fails.
 * A crash fails the replay the way the crash does (a signal, or the
 * sanitizer's report and exit status); the last "replay: FILE" line on
 * stderr names the input.  Exits 0 when every input ran, 1 on a hang or a
 * file it cannot read, 2 on bad usage.
 */
#define _XOPEN_SOURCE 700

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

#define REPLAY_SECONDS 10

/* Harnesses without set-up leave it undefined. */
extern int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static const char *volatile g_current = "";

static void on_alarm(int sig)
{
	(void)sig;
	static const char a[] = "replay: FAIL: ", b[] = ": hung (still "
	                                                "running after the "
	                                                "time allowed)\n";
	const char *name = g_current;
	/* Only async-signal-safe calls here. */
	if (write(2, a, sizeof a - 1) < 0 || write(2, name, strlen(name)) < 0 ||
	    write(2, b, sizeof b - 1) < 0)
		_exit(1);
	_exit(1);
}

/* Reads the whole file into *data (the caller's; free()); 0 or -1. */
static int slurp(const char *path, uint8_t **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap);
	while (buf) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		uint8_t *grown = realloc(buf, cap * 2);
		if (!grown) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = grown;
		cap *= 2;
	}
	int bad = ferror(f) || !buf;
	fclose(f);
	if (bad) {
		free(buf);
		return -1;
	}
	*data = buf;
	*len = n;
	return 0;
}

static int run_file(const char *path)
{
	uint8_t *data;
	size_t len;
	if (slurp(path, &data, &len)) {
		fprintf(stderr, "replay: FAIL: %s: cannot read: %s\n", path,
		        strerror(errno ? errno : EIO));
		return 1;
	}
	fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
	g_current = path;
	alarm(REPLAY_SECONDS);
	(void)LLVMFuzzerTestOneInput(data, len);
	alarm(0);
	g_current = "";
	free(data);
	return 0;
}

static int skipped(const char *name)
{
	return name[0] == '.' || strncmp(name, "README", 6) == 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every file of folder `dir` in name order; *count gets the runs. */
static int run_dir(const char *dir, int *count)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "replay: FAIL: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0, oom = 0;
	struct dirent *de;
	while (!oom && (de = readdir(d)) != NULL) {
		if (skipped(de->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **grown = realloc(names, cap * sizeof *names);
			if (!grown) {
				oom = 1;
				break;
			}
			names = grown;
		}
		size_t len = strlen(dir) + strlen(de->d_name) + 2;
		if (!(names[n] = malloc(len))) {
			oom = 1;
			break;
		}
		snprintf(names[n++], len, "%s/%s", dir, de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n; i++) {
		struct stat sb;
		if (!rc && !oom && stat(names[i], &sb) == 0 &&
		    S_ISREG(sb.st_mode)) {
			rc = run_file(names[i]);
			++*count;
		}
		free(names[i]);
	}
	free(names);
	if (oom)
		fprintf(stderr, "replay: FAIL: %s: out of memory\n", dir);
	return rc || oom;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE-OR-FOLDER...\n", argv[0]);
		return 2;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	int count = 0, rc = 0;
	for (int i = 1; i < argc && !rc; i++) {
		struct stat sb;
		if (stat(argv[i], &sb)) {
			fprintf(stderr, "replay: FAIL: %s: %s\n", argv[i],
			        strerror(errno));
			rc = 1;
		} else if (S_ISDIR(sb.st_mode)) {
			rc = run_dir(argv[i], &count);
		} else {
			rc = run_file(argv[i]);
			count++;
		}
	}
	if (!rc)
		fprintf(stderr, "replay: %d inputs ran\n", count);
	return rc;
}
