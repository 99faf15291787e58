/*
 * import_harness.c -- the real import path for the importer harnesses: the
 * bundled plugins through the plugin host into a real SQLite database (see
 * import_harness.h).
 */
#include "import_harness.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tldb/tldb.h"

/* The probes see what the import's own probe sees: its first 4 KiB. */
#define PROBE_BYTES 4096

/* A fixed clock: created/updated stamps do not depend on the day. */
#define FUZZ_NOW INT64_C(1663243200) /* 2022-09-15T12:00:00Z */

static tldb_plugins *g_plugins;
static tldb *g_db;
static int g_input = -1; /* the unlinked file each input is written to */
static char g_dir[512];  /* the temporary folder */
static char g_db_path[600];
static int g_verbose; /* $TLDB_FUZZ_VERBOSE: each input's outcome */

static void die(const char *what, const char *why)
{
	fprintf(stderr, "fuzz: %s: %s\n", what, why);
	abort();
}

static void report_load(void *ud, const char *msg)
{
	(void)ud;
	fprintf(stderr, "fuzz: plugin: %s\n", msg);
}

static void cleanup(void)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	tldb_close(g_db);
	g_db = NULL;
	if (g_input >= 0)
		close(g_input);
	g_input = -1;
	for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
		char path[640];
		snprintf(path, sizeof path, "%s%s", g_db_path, suffixes[i]);
		unlink(path);
	}
	if (g_dir[0])
		rmdir(g_dir);
}

static const char *temp_root(void)
{
	struct stat sb;
	if (stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) &&
	    access("/dev/shm", W_OK) == 0)
		return "/dev/shm";
	const char *tmp = getenv("TMPDIR");
	return tmp && *tmp ? tmp : "/tmp";
}

static void load_plugins(void)
{
	if (tldb_plugins_new(&g_plugins))
		die("plugins", "out of memory");
	const char *env = getenv("TLDB_PLUGIN_PATH");
	int n = env && *env ? tldb_plugins_load_path(g_plugins, NULL, 0,
	                                             report_load, NULL)
	                    : tldb_plugins_load_dir(g_plugins,
	                                            TLDB_BUILD_DIR "/plugins",
	                                            report_load, NULL);
	if (n <= 0)
		die(env && *env ? env : TLDB_BUILD_DIR "/plugins",
		    "no plugins loaded");
}

void fuzz_import_init(void)
{
	if (g_db)
		return;
	load_plugins();
	g_verbose = getenv("TLDB_FUZZ_VERBOSE") != NULL;
	snprintf(g_dir, sizeof g_dir, "%s/tldb-fuzz-XXXXXX", temp_root());
	if (!mkdtemp(g_dir))
		die(g_dir, strerror(errno));
	atexit(cleanup);
	snprintf(g_db_path, sizeof g_db_path, "%s/fuzz.db", g_dir);
	if (tldb_open(g_db_path, TLDB_OPEN_CREATE, &g_db))
		die(g_db_path, g_db ? tldb_errmsg(g_db) : "out of memory");
	tldb_set_now(g_db, FUZZ_NOW);
	char path[640];
	snprintf(path, sizeof path, "%s/input", g_dir);
	g_input = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (g_input < 0)
		die(path, strerror(errno));
	unlink(path);
}

static void write_input(const uint8_t *data, size_t size)
{
	if (ftruncate(g_input, 0))
		die("input", strerror(errno));
	size_t done = 0;
	while (done < size) {
		ssize_t n =
		        pwrite(g_input, data + done, size - done, (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("input", n < 0 ? strerror(errno) : "short write");
		done += (size_t)n;
	}
	if (lseek(g_input, 0, SEEK_SET) != 0)
		die("input", strerror(errno));
}

/* 1 when the database holds an event or a timeline (cheaper than
 * tldb_stats_get, which counts everything). */
static int holds_anything(void)
{
	tldb_query q;
	tldb_query_init(&q);
	q.limit = 1;
	tldb_cursor *c;
	const tldb_event *ev;
	const tldb_timeline *tl;
	if (tldb_query_open(g_db, &q, &c))
		die("query", tldb_errmsg(g_db));
	int rc = tldb_cursor_next(c, &ev);
	tldb_cursor_free(c);
	if (rc < 0)
		die("query", tldb_errmsg(g_db));
	if (rc == TLDB_OK)
		return 1;
	if (tldb_timeline_list(g_db, &c))
		die("timeline list", tldb_errmsg(g_db));
	rc = tldb_cursor_next_timeline(c, &tl);
	tldb_cursor_free(c);
	if (rc < 0)
		die("timeline list", tldb_errmsg(g_db));
	return rc == TLDB_OK;
}

/* Removes every timeline and its events: the next input starts empty. */
static void empty_db(void)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	tldb_cursor *c;
	const tldb_timeline *tl;
	if (tldb_begin(g_db))
		die("begin", tldb_errmsg(g_db));
	if (tldb_timeline_list(g_db, &c))
		die("timeline list", tldb_errmsg(g_db));
	while (tldb_cursor_next_timeline(c, &tl) == TLDB_OK) {
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			char **grown = realloc(names, cap * sizeof *names);
			if (!grown)
				die("timeline list", "out of memory");
			names = grown;
		}
		if (!(names[n++] = strdup(tl->name)))
			die("timeline list", "out of memory");
	}
	tldb_cursor_free(c);
	for (size_t i = 0; i < n; i++) {
		if (tldb_timeline_remove(g_db, names[i], 1))
			die(names[i], tldb_errmsg(g_db));
		free(names[i]);
	}
	free(names);
	if (tldb_commit(g_db))
		die("commit", tldb_errmsg(g_db));
	if (holds_anything())
		die("empty", "events are left after removing every timeline");
}

int fuzz_import(const char *plugin, const uint8_t *data, size_t size,
                const tldb_import_opts *opts)
{
	fuzz_import_init();
	const tldb_plugin_info *chosen;
	tldb_msgbuf err;
	/* Any answer will do; a crash or a leak will not. */
	int probed = tldb_plugins_choose_importer(
	        g_plugins, NULL, NULL, NULL, data,
	        size < PROBE_BYTES ? size : PROBE_BYTES, &chosen, &err);
	(void)probed;
	write_input(data, size);
	tldb_import_opts o;
	memset(&o, 0, sizeof o);
	if (opts)
		o = *opts;
	o.plugin = plugin;
	o.path = NULL;
	o.fd = g_input;
	o.name = "input";
	tldb_import_stats st;
	int rc = tldb_import(g_db, g_plugins, &o, &st, &err);
	if (g_verbose && rc)
		fprintf(stderr, "fuzz: %s: %s: %lld:%lld: %s\n", plugin,
		        tldb_err_name(rc), (long long)err.line,
		        (long long)err.column, err.msg);
	else if (g_verbose)
		fprintf(stderr, "fuzz: %s: %lld events (%lld skipped)\n",
		        plugin, (long long)st.records, (long long)st.skipped);
	if (rc && !err.msg[0])
		die(plugin, "the import failed without a message");
	if (rc && o.on_error == TLDB_ON_ERROR_ABORT) {
		if (holds_anything()) {
			fprintf(stderr, "fuzz: %s: %s\n", plugin, err.msg);
			die(plugin, "a failed import (abort mode) left events");
		}
		return rc; /* as empty as it was */
	}
	empty_db();
	return rc;
}

/* One header line [p, end) into *opts; 0 when it is no header line. */
static int header_line(char *p, const char **keys, const char **values,
                       size_t max, tldb_import_opts *o)
{
	if (strncmp(p, "-o ", 3) == 0) {
		if (o->noptions == max)
			return 0;
		char *eq = strchr(p + 3, '=');
		if (eq)
			*eq = '\0';
		keys[o->noptions] = p + 3;
		values[o->noptions++] = eq ? eq + 1 : "";
	} else if (strcmp(p, "--on-error=skip") == 0) {
		o->on_error = TLDB_ON_ERROR_SKIP;
	} else if (strcmp(p, "--on-error=abort") == 0) {
		o->on_error = TLDB_ON_ERROR_ABORT;
	} else if (strncmp(p, "--timeline=", 11) == 0) {
		o->timeline = p + 11;
	} else if (strncmp(p, "--batch=", 8) == 0) {
		o->batch = strtoll(p + 8, NULL, 10);
	} else {
		return 0;
	}
	return 1;
}

size_t fuzz_import_header(const uint8_t *data, size_t size, char *store,
                          const char **keys, const char **values, size_t max,
                          tldb_import_opts *opts)
{
	memset(opts, 0, sizeof *opts);
	opts->option_keys = keys;
	opts->option_values = values;
	memcpy(store, data, size);
	store[size] = '\0';
	size_t pos = 0;
	while (pos < size) {
		char *nl = memchr(store + pos, '\n', size - pos);
		if (!nl)
			break;
		*nl = '\0';
		if (!header_line(store + pos, keys, values, max, opts))
			break;
		pos = (size_t)(nl - store) + 1;
	}
	return pos;
}
