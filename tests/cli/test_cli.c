/*
 * test_cli.c -- end-to-end tests of the `tldb` command: each test spawns the
 * real built binary (posix_spawn, stdout and stderr captured through pipes)
 * on a database in a fresh mkdtemp folder, with TLDB_NOW fixed at
 * 2022-09-15T12:00:00Z and TZ=UTC, and checks output, exit status and that a
 * failed command leaves the database as it was (docs/contract.md).
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* nftw */
#endif
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <poll.h>
#include <spawn.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define NOW      "2022-09-15T12:00:00Z"
#define BUNDLED  TLDB_SOURCE_DIR "/timelines/russia-china-2022.json"
#define MAX_ARGS 64

static char g_dir[256];
static char g_db[512];
static const char *g_now = NOW;

/* ---- running the binary ---- */

typedef struct run {
	int code; /* exit status, or -1 when killed by a signal */
	char *out, *err;
	size_t outlen, errlen;
} run;

static void append(char **buf, size_t *len, size_t *cap, const char *p,
                   size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t c = *cap ? *cap : 4096;
		while (c < *len + n + 1)
			c *= 2;
		char *b = realloc(*buf, c);
		cr_assert_not_null(b);
		*buf = b;
		*cap = c;
	}
	memcpy(*buf + *len, p, n);
	*len += n;
	(*buf)[*len] = '\0';
}

/* The environment of the child: ours without the variables that steer tldb,
 * plus the fixed clock and zone. */
static char **child_env(char *now_var, size_t now_size)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = calloc(n + 4, sizeof *env);
	cr_assert_not_null(env);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const char *e = environ[i];
		if (strncmp(e, "TLDB_", 5) == 0 || strncmp(e, "TZ=", 3) == 0 ||
		    strncmp(e, "XDG_DATA_HOME=", 14) == 0)
			continue;
		env[k++] = environ[i];
	}
	snprintf(now_var, now_size, "TLDB_NOW=%s", g_now);
	env[k++] = now_var;
	env[k++] = "TZ=UTC";
	env[k] = NULL;
	return env;
}

/* Runs TLDB_BIN with args (NULL-terminated), stdin from /dev/null. */
static run run_args(const char *const *args)
{
	char *argv[MAX_ARGS + 2];
	size_t argc = 0;
	argv[argc++] = (char *)TLDB_BIN;
	for (size_t i = 0; args[i]; i++) {
		cr_assert_lt(argc, (size_t)MAX_ARGS, "too many arguments");
		argv[argc++] = (char *)args[i];
	}
	argv[argc] = NULL;

	int outp[2], errp[2];
	cr_assert_eq(pipe(outp), 0);
	cr_assert_eq(pipe(errp), 0);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
	posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
	posix_spawn_file_actions_addclose(&fa, outp[0]);
	posix_spawn_file_actions_addclose(&fa, errp[0]);
	posix_spawn_file_actions_addclose(&fa, outp[1]);
	posix_spawn_file_actions_addclose(&fa, errp[1]);
	char now_var[128];
	char **env = child_env(now_var, sizeof now_var);
	pid_t pid;
	int rc = posix_spawn(&pid, TLDB_BIN, &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	cr_assert_eq(rc, 0, "cannot spawn %s: %s", TLDB_BIN, strerror(rc));
	close(outp[1]);
	close(errp[1]);

	run r = {0, NULL, NULL, 0, 0};
	size_t outcap = 0, errcap = 0;
	append(&r.out, &r.outlen, &outcap, "", 0);
	append(&r.err, &r.errlen, &errcap, "", 0);
	struct pollfd fds[2] = {{outp[0], POLLIN, 0}, {errp[0], POLLIN, 0}};
	int open_fds = 2;
	while (open_fds > 0) {
		if (poll(fds, 2, -1) < 0) {
			cr_assert_eq(errno, EINTR, "poll: %s", strerror(errno));
			continue;
		}
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || !fds[i].revents)
				continue;
			char buf[4096];
			ssize_t n = read(fds[i].fd, buf, sizeof buf);
			if (n > 0) {
				if (i == 0)
					append(&r.out, &r.outlen, &outcap, buf,
					       (size_t)n);
				else
					append(&r.err, &r.errlen, &errcap, buf,
					       (size_t)n);
			} else if (n == 0 || errno != EINTR) {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
			}
		}
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		cr_assert_eq(errno, EINTR);
	r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	return r;
}

/* Runs `tldb --db DB args...`. */
static run run_db(const char *db, const char *const *args)
{
	const char *all[MAX_ARGS + 3];
	size_t n = 0;
	all[n++] = "--db";
	all[n++] = db;
	for (size_t i = 0; args[i]; i++) {
		cr_assert_lt(n, (size_t)MAX_ARGS);
		all[n++] = args[i];
	}
	all[n] = NULL;
	return run_args(all);
}

static void run_free(run *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

/* `tldb --db g_db ...` */
#define TL(...) run_db(g_db, (const char *const[]){__VA_ARGS__, NULL})
/* `tldb ...` without --db */
#define TLRAW(...) run_args((const char *const[]){__VA_ARGS__, NULL})

/* Asserts the exit status (showing stderr when it differs). */
static run expect(run r, int code)
{
	cr_assert_eq(r.code, code,
	             "exit status %d, expected %d\nstdout: %s\nstderr: %s",
	             r.code, code, r.out, r.err);
	return r;
}

/* Asserts a failure: the status, "tldb: error:" and `what` on stderr. */
static void expect_error(run r, int code, const char *what)
{
	expect(r, code);
	cr_assert(strstr(r.err, "tldb: error: ") != NULL,
	          "no 'tldb: error: ' on stderr: %s", r.err);
	if (what)
		cr_assert(strstr(r.err, what) != NULL, "stderr lacks '%s': %s",
		          what, r.err);
	run_free(&r);
}

/* Returns stdout of a command that must succeed (the caller frees). */
static char *ok_out(run r)
{
	expect(r, 0);
	free(r.err);
	return r.out;
}

/* The uid printed by a successful `add`. */
static char *added(run r)
{
	char *out = ok_out(r);
	size_t n = strlen(out);
	cr_assert(n > 1 && out[n - 1] == '\n', "add printed '%s'", out);
	out[n - 1] = '\0';
	cr_assert(strchr(out, '\n') == NULL && strchr(out, ' ') == NULL,
	          "add printed more than a uid: '%s'", out);
	return out;
}

/* ---- files ---- */

static char *path_in(const char *name)
{
	char *p = malloc(sizeof g_dir + 64);
	cr_assert_not_null(p);
	snprintf(p, sizeof g_dir + 64, "%s/%s", g_dir, name);
	return p;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	cr_assert_eq(fwrite(text, 1, strlen(text), f), strlen(text));
	cr_assert_eq(fclose(f), 0);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	char *buf = NULL;
	size_t n = 0, cap = 0;
	char chunk[8192];
	size_t got;
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
		append(&buf, &n, &cap, chunk, got);
	if (!buf)
		append(&buf, &n, &cap, "", 0);
	fclose(f);
	*len = n;
	return buf;
}

static int exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* Asserts the file at path holds exactly `bytes`. */
static void expect_same_bytes(const char *path, const char *bytes, size_t len)
{
	size_t n;
	char *now = read_file(path, &n);
	cr_assert_eq(n, len, "%s changed size: %zu -> %zu", path, len, n);
	cr_assert(memcmp(now, bytes, len) == 0, "%s changed", path);
	free(now);
}

/* Everything in the database, as `query --format jsonl` prints it. */
static char *dump(void)
{
	return ok_out(TL("query", "--format", "jsonl"));
}

static void expect_dump(const char *before)
{
	char *after = dump();
	cr_assert_str_eq(after, before, "the database changed");
	free(after);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (*s == '\n')
			n++;
	return n;
}

static size_t count_events(void)
{
	char *d = dump();
	size_t n = count_lines(d);
	free(d);
	return n;
}

/* Asserts the table has exactly one row per title, in this order. */
static void expect_rows(const char *out, const char *const *titles)
{
	const char *line = out;
	size_t i = 0;
	for (; titles[i]; i++) {
		const char *nl = strchr(line, '\n');
		cr_assert_not_null(nl, "row %zu ('%s') missing in:\n%s", i,
		                   titles[i], out);
		size_t n = (size_t)(nl - line);
		char row[1024];
		snprintf(row, sizeof row, "%.*s", (int)n, line);
		cr_assert(strstr(row, titles[i]) != NULL,
		          "row %zu is '%s', expected '%s'; output:\n%s", i, row,
		          titles[i], out);
		line = nl + 1;
	}
	cr_assert_str_eq(line, "", "more rows than expected:\n%s", out);
}

#define ROWS(out, ...)                                                         \
	expect_rows(out, (const char *const[]){__VA_ARGS__, NULL})
#define NO_ROWS(out) cr_assert_str_eq(out, "", "expected no rows:\n%s", out)

/* ---- fixture ---- */

static int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void setup(void)
{
	snprintf(g_dir, sizeof g_dir, "/tmp/tldb-cli-XXXXXX");
	cr_assert_not_null(mkdtemp(g_dir), "mkdtemp: %s", strerror(errno));
	snprintf(g_db, sizeof g_db, "%s/tldb.db", g_dir);
	g_now = NOW;
}

static void teardown(void)
{
	if (g_dir[0])
		nftw(g_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(cli, .init = setup, .fini = teardown, .timeout = 60);

/* Nine events over two timelines:
 *   Founding 2001 | Olympics 2022-02 #russia #china | Gas deal 2022-08~
 *   #energy #russia | Three days ago 2022-09-12 | Day before 2022-09-14 |
 *   SCO summit 2022-09-15 (asia, uid "sco") #sco #russia #china |
 *   Day after 2022-09-16 | Next week 2022-09-21 | Late in month 2022-09-30
 *   #russia */
static void seed(void)
{
	free(ok_out(TL("timeline", "create", "asia", "--title", "Asia")));
	free(added(TL("add", "--title", "Founding", "--start", "2001")));
	free(added(TL("add", "--title", "Olympics", "--start", "2022-02",
	              "--tag", "russia", "--tag", "china")));
	free(added(TL("add", "--title", "Gas deal", "--start", "2022-08~",
	              "--tag", "energy", "--tag", "russia")));
	free(added(TL("add", "--title", "Three days ago", "--start",
	              "2022-09-12")));
	free(added(
	        TL("add", "--title", "Day before", "--start", "2022-09-14")));
	free(added(TL("add", "--title", "SCO summit", "--start", "2022-09-15",
	              "--timeline", "asia", "--uid", "sco", "--location",
	              "Samarkand", "--tag", "sco", "--tag", "russia", "--tag",
	              "china")));
	free(added(TL("add", "--title", "Day after", "--start", "2022-09-16")));
	free(added(TL("add", "--title", "Next week", "--start", "2022-09-21")));
	free(added(TL("add", "--title", "Late in month", "--start",
	              "2022-09-30", "--tag", "russia")));
}

/* ---- add and show ---- */

Test(cli, add_prints_uid_and_is_idempotent)
{
	char *uid = added(TL("add", "--title", "Olympics", "--start", "2022-02",
	                     "--tag", "russia"));
	cr_assert_gt(strlen(uid), 0);
	char *again = added(TL("add", "--title", "Olympics", "--start",
	                       "2022-02", "--tag", "russia"));
	cr_assert_str_eq(again, uid, "the same event got another uid");
	cr_assert_eq(count_events(), 1);
	char *out = ok_out(TL("show", uid));
	cr_assert(strstr(out, "sequence   0\n") != NULL, "%s", out);
	free(out);
	/* Another title is another event. */
	char *other =
	        added(TL("add", "--title", "Other", "--start", "2022-02"));
	cr_assert_str_neq(other, uid);
	cr_assert_eq(count_events(), 2);
	free(uid);
	free(again);
	free(other);
}

Test(cli, add_honours_uid)
{
	char *uid = added(TL("add", "--uid", "my-event-1", "--title", "Mine",
	                     "--start", "2022-09-15"));
	cr_assert_str_eq(uid, "my-event-1");
	char *out = ok_out(TL("show", "my-event-1"));
	cr_assert(strstr(out, "title      Mine\n") != NULL, "%s", out);
	free(out);
	free(uid);
}

Test(cli, add_requires_title_and_start)
{
	expect_error(TL("add", "--title", "No start"), 2, "--start");
	expect_error(TL("add", "--start", "2022"), 2, "--title");
	cr_assert_not(exists(g_db), "a usage error created the database");
}

Test(cli, show_text)
{
	free(ok_out(TL("timeline", "create", "asia")));
	free(added(TL("add", "--uid", "sco", "--title", "SCO summit", "--start",
	              "2022-09-15", "--end", "2022-09-16", "--timeline", "asia",
	              "--location", "Samarkand", "--tag", "sco", "--tag",
	              "summit", "--body", "Longer text.")));
	run r = expect(TL("show", "sco"), 0);
	cr_assert_str_eq(r.err, "");
	const char *want[] = {"uid        sco\n",
	                      "timeline   asia\n",
	                      "title      SCO summit\n",
	                      "start      2022-09-15\n",
	                      "end        2022-09-16\n",
	                      "location   Samarkand\n",
	                      "tags       sco summit\n",
	                      "created    2022-09-15T12:00:00Z\n",
	                      "updated    2022-09-15T12:00:00Z\n",
	                      "sequence   0\n",
	                      "\nLonger text.\n",
	                      NULL};
	for (size_t i = 0; want[i]; i++)
		cr_assert(strstr(r.out, want[i]) != NULL, "lacks '%s' in:\n%s",
		          want[i], r.out);
	cr_assert_eq(strncmp(r.out, "uid ", 4), 0, "%s", r.out);
	run_free(&r);
}

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	cr_assert(json_is_string(v), "\"%s\" is not a string", key);
	return json_string_value(v);
}

Test(cli, show_json)
{
	free(ok_out(TL("timeline", "create", "asia")));
	free(added(TL("add", "--uid", "sco", "--title", "SCO summit", "--start",
	              "2022-09-15", "--end", "2022-09-16", "--tz",
	              "Asia/Samarkand", "--timeline", "asia", "--location",
	              "Samarkand, Uzbekistan", "--tag", "sco", "--tag",
	              "summit", "--url", "https://example.org/page")));
	char *out = ok_out(TL("show", "sco", "--format", "json"));
	json_error_t jerr;
	json_t *o = json_loads(out, 0, &jerr);
	cr_assert_not_null(o, "invalid JSON (%d:%d %s):\n%s", jerr.line,
	                   jerr.column, jerr.text, out);
	cr_assert(json_is_object(o));
	cr_assert_str_eq(jstr(o, "uid"), "sco");
	cr_assert_str_eq(jstr(o, "timeline"), "asia");
	cr_assert_str_eq(jstr(o, "title"), "SCO summit");
	cr_assert_str_eq(jstr(o, "start"), "2022-09-15");
	cr_assert_str_eq(jstr(o, "end"), "2022-09-16");
	cr_assert_str_eq(jstr(o, "tz"), "Asia/Samarkand");
	cr_assert_str_eq(jstr(o, "location"), "Samarkand, Uzbekistan");
	cr_assert_str_eq(jstr(o, "url"), "https://example.org/page");
	cr_assert_str_eq(jstr(o, "created"), NOW);
	cr_assert_str_eq(jstr(o, "updated"), NOW);
	json_t *tags = json_object_get(o, "tags");
	cr_assert(json_is_array(tags));
	cr_assert_eq(json_array_size(tags), 2);
	cr_assert_str_eq(json_string_value(json_array_get(tags, 0)), "sco");
	cr_assert_str_eq(json_string_value(json_array_get(tags, 1)), "summit");
	json_t *srcs = json_object_get(o, "sources");
	cr_assert(json_is_array(srcs));
	cr_assert_eq(json_array_size(srcs), 0);
	json_t *seq = json_object_get(o, "sequence");
	cr_assert(json_is_integer(seq));
	cr_assert_eq(json_integer_value(seq), 0);
	cr_assert_null(json_object_get(o, "body"), "absent body is left out");
	json_decref(o);
	free(out);
}

/* ---- query ---- */

Test(cli, query_table_order_precision_and_tags)
{
	free(added(TL("add", "--title", "SCO summit", "--start", "2022-09-15",
	              "--tag", "sco")));
	free(added(TL("add", "--title", "Gas deal", "--start", "2022-08~",
	              "--tag", "energy")));
	free(added(TL("add", "--title", "Olympics", "--start", "2022-02",
	              "--tag", "russia", "--tag", "china")));
	char *out = ok_out(TL("query"));
	ROWS(out, "Olympics", "Gas deal", "SCO summit");
	/* The date at its own precision opens each row. */
	cr_assert_eq(strncmp(out, "2022-02 ", 8), 0, "%s", out);
	const char *row2 = strchr(out, '\n') + 1;
	cr_assert_eq(strncmp(row2, "2022-08~ ", 9), 0, "%s", out);
	const char *row3 = strchr(row2, '\n') + 1;
	cr_assert_eq(strncmp(row3, "2022-09-15 ", 11), 0, "%s", out);
	cr_assert(strstr(out, "Olympics  #russia #china\n") != NULL, "%s", out);
	cr_assert(strstr(out, "SCO summit  #sco\n") != NULL, "%s", out);
	free(out);
}

Test(cli, query_ranges)
{
	seed();
	const char *feb_sep[] = {
	        "Olympics",   "Gas deal",      "Three days ago",
	        "Day before", "SCO summit",    "Day after",
	        "Next week",  "Late in month", NULL};
	char *out = ok_out(TL("query", "2022-02..2022-09"));
	expect_rows(out, feb_sep);
	free(out);
	out = ok_out(TL("query", "2022-02/2022-09"));
	expect_rows(out, feb_sep);
	free(out);
	out = ok_out(TL("query", "--from", "2022-02", "--to", "2022-09"));
	expect_rows(out, feb_sep);
	free(out);
	out = ok_out(TL("query", "2022-09"));
	ROWS(out, "Three days ago", "Day before", "SCO summit", "Day after",
	     "Next week", "Late in month");
	free(out);
	out = ok_out(TL("query", "--from", "2022-09-14", "--to", "2022-09-16"));
	ROWS(out, "Day before", "SCO summit", "Day after");
	free(out);
	out = ok_out(TL("query", "2001"));
	ROWS(out, "Founding");
	free(out);
	out = ok_out(TL("query"));
	cr_assert_eq(count_lines(out), 9, "%s", out);
	cr_assert_eq(strncmp(out, "2001 ", 5), 0, "%s", out);
	free(out);
}

Test(cli, query_overlap_and_within)
{
	seed();
	char *out = ok_out(TL("query", "2022-02-10..2022-02-12"));
	ROWS(out, "Olympics");
	free(out);
	out = ok_out(TL("query", "2022-02-10..2022-02-12", "--within"));
	NO_ROWS(out);
	free(out);
	/* A span that holds the whole month keeps it with --within. */
	out = ok_out(TL("query", "2022-01..2022-03", "--within"));
	ROWS(out, "Olympics");
	free(out);
	out = ok_out(TL("query", "2022-09", "--within"));
	ROWS(out, "Three days ago", "Day before", "SCO summit", "Day after",
	     "Next week", "Late in month");
	free(out);
}

Test(cli, query_relative_words)
{
	seed();
	char *out = ok_out(TL("query", "today"));
	ROWS(out, "SCO summit");
	free(out);
	out = ok_out(TL("query", "yesterday"));
	ROWS(out, "Day before");
	free(out);
	out = ok_out(TL("query", "tomorrow"));
	ROWS(out, "Day after");
	free(out);
	out = ok_out(TL("query", "today", "7d"));
	ROWS(out, "SCO summit", "Day after", "Next week");
	free(out);
	out = ok_out(TL("query", "-3d"));
	ROWS(out, "Three days ago", "Day before", "SCO summit");
	free(out);
	/* The clock decides what today is. */
	g_now = "2022-09-30T23:59:59Z";
	out = ok_out(TL("query", "today"));
	ROWS(out, "Late in month");
	free(out);
}

Test(cli, query_filters)
{
	seed();
	char *out = ok_out(TL("query", "--tag", "russia"));
	ROWS(out, "Olympics", "Gas deal", "SCO summit", "Late in month");
	free(out);
	out = ok_out(TL("query", "--tag", "russia", "--tag", "china"));
	ROWS(out, "Olympics", "SCO summit");
	free(out);
	out = ok_out(TL("query", "--tag", "russia", "--tag", "nosuchtag"));
	NO_ROWS(out);
	free(out);
	out = ok_out(TL("query", "--timeline", "asia"));
	ROWS(out, "SCO summit");
	free(out);
	out = ok_out(TL("query", "--timeline", "default"));
	cr_assert_eq(count_lines(out), 8, "%s", out);
	cr_assert_null(strstr(out, "SCO summit"), "%s", out);
	free(out);
	out = ok_out(TL("query", "--text", "Samarkand"));
	ROWS(out, "SCO summit");
	free(out);
	out = ok_out(TL("query", "--text", "olympics"));
	ROWS(out, "Olympics");
	free(out);
	out = ok_out(TL("query", "--min-precision", "day"));
	ROWS(out, "Three days ago", "Day before", "SCO summit", "Day after",
	     "Next week", "Late in month");
	free(out);
	out = ok_out(TL("query", "--min-precision", "month", "2022"));
	ROWS(out, "Olympics", "Gas deal", "Three days ago", "Day before",
	     "SCO summit", "Day after", "Next week", "Late in month");
	free(out);
	out = ok_out(TL("query", "--limit", "2", "--offset", "1"));
	ROWS(out, "Olympics", "Gas deal");
	free(out);
	out = ok_out(TL("query", "2022-09", "--limit", "2"));
	ROWS(out, "Three days ago", "Day before");
	free(out);
	out = ok_out(TL("query", "--offset", "8"));
	ROWS(out, "Late in month");
	free(out);
}

/* A bad text query is the same error from query and export: the store's
 * code and message reach the command through the exporter unchanged. */
Test(cli, bad_text_query_same_error_from_query_and_export)
{
	seed();
	run q = expect(TL("query", "--text", "\"unterminated"), 1);
	cr_assert(strstr(q.err, "tldb: error: bad text query") != NULL, "%s",
	          q.err);
	const char *const formats[] = {"ics", "jsonl", "csv"};
	for (size_t i = 0; i < 3; i++) {
		run e = expect(TL("export", "--format", formats[i], "--text",
		                  "\"unterminated"),
		               1);
		cr_assert_str_eq(e.err, q.err, "export --format %s",
		                 formats[i]);
		run_free(&e);
	}
	run_free(&q);
}

static const char *const contract_fields[] = {
        "uid",     "timeline", "title",    "body",     "start",
        "end",     "tz",       "location", "tags",     "url",
        "sources", "created",  "updated",  "sequence", NULL};

static void check_event_json(json_t *o)
{
	cr_assert(json_is_object(o));
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v)
	{
		int known = 0;
		for (size_t i = 0; contract_fields[i]; i++)
			known |= strcmp(key, contract_fields[i]) == 0;
		cr_assert(known, "field \"%s\" is not in the contract", key);
	}
	jstr(o, "uid");
	jstr(o, "timeline");
	jstr(o, "title");
	jstr(o, "start");
	cr_assert_str_eq(jstr(o, "created"), NOW);
	cr_assert_str_eq(jstr(o, "updated"), NOW);
	cr_assert(json_is_array(json_object_get(o, "tags")));
	cr_assert(json_is_array(json_object_get(o, "sources")));
	cr_assert(json_is_integer(json_object_get(o, "sequence")));
}

Test(cli, query_jsonl)
{
	seed();
	char *out = ok_out(TL("query", "2022-09", "--format", "jsonl"));
	cr_assert_eq(count_lines(out), 6, "%s", out);
	const char *line = out;
	const char *titles[] = {"Three days ago", "Day before",
	                        "SCO summit",     "Day after",
	                        "Next week",      "Late in month"};
	for (size_t i = 0; i < 6; i++) {
		const char *nl = strchr(line, '\n');
		json_error_t jerr;
		json_t *o = json_loadb(line, (size_t)(nl - line), 0, &jerr);
		cr_assert_not_null(o, "line %zu is not JSON: %s", i + 1,
		                   jerr.text);
		check_event_json(o);
		cr_assert_str_eq(jstr(o, "title"), titles[i]);
		if (i == 2) {
			cr_assert_str_eq(jstr(o, "uid"), "sco");
			cr_assert_str_eq(jstr(o, "timeline"), "asia");
			cr_assert_str_eq(jstr(o, "start"), "2022-09-15");
			cr_assert_str_eq(jstr(o, "location"), "Samarkand");
			cr_assert_eq(
			        json_array_size(json_object_get(o, "tags")), 3);
		}
		json_decref(o);
		line = nl + 1;
	}
	free(out);
	out = ok_out(TL("query", "1999", "--format", "jsonl"));
	cr_assert_str_eq(out, "");
	free(out);
}

Test(cli, query_json_document)
{
	seed();
	char *out = ok_out(TL("query", "--format", "json", "--tag", "russia"));
	json_error_t jerr;
	json_t *doc = json_loads(out, 0, &jerr);
	cr_assert_not_null(doc, "invalid JSON (%d:%d %s):\n%s", jerr.line,
	                   jerr.column, jerr.text, out);
	cr_assert(json_is_integer(json_object_get(doc, "tldb")));
	cr_assert_eq(json_integer_value(json_object_get(doc, "tldb")), 1);
	json_t *events = json_object_get(doc, "events");
	cr_assert(json_is_array(events));
	cr_assert_eq(json_array_size(events), 4);
	for (size_t i = 0; i < 4; i++)
		check_event_json(json_array_get(events, i));
	cr_assert_str_eq(jstr(json_array_get(events, 0), "title"), "Olympics");
	cr_assert_str_eq(jstr(json_array_get(events, 1), "start"), "2022-08~");
	json_decref(doc);
	free(out);
	/* No match is still a valid document. */
	out = ok_out(TL("query", "1999", "--format", "json"));
	doc = json_loads(out, 0, &jerr);
	cr_assert_not_null(doc, "invalid JSON: %s", out);
	cr_assert_eq(json_array_size(json_object_get(doc, "events")), 0);
	json_decref(doc);
	free(out);
}

/* ---- edit ---- */

static json_t *show_json(const char *uid)
{
	char *out = ok_out(TL("show", uid, "--format", "json"));
	json_error_t jerr;
	json_t *o = json_loads(out, 0, &jerr);
	cr_assert_not_null(o, "invalid JSON: %s", out);
	free(out);
	return o;
}

static json_int_t sequence_of(const char *uid)
{
	json_t *o = show_json(uid);
	json_int_t s = json_integer_value(json_object_get(o, "sequence"));
	json_decref(o);
	return s;
}

Test(cli, edit_changes_fields_and_raises_sequence)
{
	free(added(TL("add", "--uid", "e1", "--title", "Old title", "--start",
	              "2022-09-15", "--end", "2022-09-16", "--tag", "y",
	              "--tag", "keep")));
	cr_assert_eq(sequence_of("e1"), 0);
	g_now = "2022-09-16T08:00:00Z";
	run r = expect(TL("edit", "e1", "--title", "New title", "--tag", "+x",
	                  "--tag", "-y", "--end", ""),
	               0);
	run_free(&r);
	json_t *o = show_json("e1");
	cr_assert_str_eq(jstr(o, "title"), "New title");
	cr_assert_null(json_object_get(o, "end"), "--end '' clears the end");
	cr_assert_str_eq(jstr(o, "start"), "2022-09-15");
	json_t *tags = json_object_get(o, "tags");
	cr_assert_eq(json_array_size(tags), 2);
	cr_assert_str_eq(json_string_value(json_array_get(tags, 0)), "keep");
	cr_assert_str_eq(json_string_value(json_array_get(tags, 1)), "x");
	cr_assert_eq(json_integer_value(json_object_get(o, "sequence")), 1);
	cr_assert_str_eq(jstr(o, "created"), NOW);
	cr_assert_str_eq(jstr(o, "updated"), "2022-09-16T08:00:00Z");
	json_decref(o);

	/* An edit that changes nothing keeps sequence and updated. */
	g_now = "2022-09-17T08:00:00Z";
	r = expect(TL("edit", "e1", "--title", "New title", "--tag", "+keep"),
	           0);
	run_free(&r);
	o = show_json("e1");
	cr_assert_eq(json_integer_value(json_object_get(o, "sequence")), 1);
	cr_assert_str_eq(jstr(o, "updated"), "2022-09-16T08:00:00Z");
	json_decref(o);

	/* Each real change adds exactly one. */
	r = expect(TL("edit", "e1", "--start", "2022-09-14"), 0);
	run_free(&r);
	cr_assert_eq(sequence_of("e1"), 2);
	g_now = NOW;
	char *out = ok_out(TL("query", "yesterday"));
	ROWS(out, "New title");
	free(out);
}

/* json -> store -> json is byte for byte the same: the document keeps the
 * timeline, and created, updated and sequence come back as they were. */
Test(cli, json_export_import_export_is_byte_identical)
{
	run r = expect(TL("import", BUNDLED), 0);
	run_free(&r);
	g_now = "2022-09-16T08:00:00Z";
	r = expect(TL("edit", "rc2022-sco-founded", "--title", "SCO set up"),
	           0);
	run_free(&r);
	r = expect(TL("edit", "rc2022-sco-founded", "--tag", "+eurasia"), 0);
	run_free(&r);
	char *a_path = path_in("a.json"), *b_path = path_in("b.json");
	char *db2 = path_in("second.db");
	r = expect(TL("export", "--timeline", "russia-china-2022", "--output",
	              a_path),
	           0);
	run_free(&r);

	g_now = "2023-01-01T00:00:00Z"; /* a later clock must not show */
	r = expect(run_db(db2, (const char *const[]){"import", a_path, NULL}),
	           0);
	cr_assert(strstr(r.err, "9 events written") != NULL, "%s", r.err);
	run_free(&r);
	r = expect(run_db(db2, (const char *const[]){"export", "--timeline",
	                                             "russia-china-2022",
	                                             "--output", b_path, NULL}),
	           0);
	run_free(&r);
	size_t alen, blen;
	char *a = read_file(a_path, &alen), *b = read_file(b_path, &blen);
	cr_assert_gt(alen, 1000);
	cr_assert(alen == blen && memcmp(a, b, alen) == 0,
	          "the round trip changed the bytes:\n%s\n---\n%s", a, b);
	cr_assert(strstr(a, "\"sequence\":2") != NULL, "%s", a);
	cr_assert(strstr(a, "\"updated\":\"2022-09-16T08:00:00Z\"") != NULL,
	          "%s", a);
	cr_assert(strstr(a, "\"timeline\": {\"name\":\"russia-china-2022\"") !=
	                  NULL,
	          "%.300s", a);

	/* Into the first database again: nothing changes. */
	r = expect(TL("import", a_path), 0);
	cr_assert(strstr(r.err, "0 events written, 9 unchanged") != NULL, "%s",
	          r.err);
	run_free(&r);

	/* A changed event brought back keeps the larger sequence: a stale
	 * copy (sequence 0 here) taking an edit from the document (2)
	 * goes to 2, not 1, so calendars still take the update. */
	char *db3 = path_in("third.db");
	g_now = "2022-12-01T00:00:00Z";
	r = expect(run_db(db3, (const char *const[]){"import", BUNDLED, NULL}),
	           0);
	run_free(&r);
	g_now = "2023-01-01T00:00:00Z";
	r = expect(run_db(db3, (const char *const[]){"import", a_path, NULL}),
	           0);
	run_free(&r);
	char *out = ok_out(
	        run_db(db3, (const char *const[]){"show", "rc2022-sco-founded",
	                                          "--format", "json", NULL}));
	json_t *o = json_loads(out, 0, NULL);
	cr_assert_not_null(o, "%s", out);
	cr_assert_eq(json_integer_value(json_object_get(o, "sequence")), 2,
	             "%s", out);
	/* not a new uid: its own created stays, and it changed now */
	cr_assert_str_eq(jstr(o, "created"), "2022-12-01T00:00:00Z");
	cr_assert_str_eq(jstr(o, "updated"), "2023-01-01T00:00:00Z");
	json_decref(o);
	free(out);
	free(a);
	free(b);
	free(a_path);
	free(b_path);
	free(db2);
	free(db3);
}

/* "created", "updated" and "sequence" in a document are checked. */
Test(cli, json_import_refuses_bad_stamps)
{
	char *path = path_in("bad.json");
	const char *bad[] = {
	        "[{\"title\":\"x\",\"start\":\"2022\",\"created\":\"2022-09-"
	        "15\"}]",
	        "[{\"title\":\"x\",\"start\":\"2022\",\"updated\":5}]",
	        "[{\"title\":\"x\",\"start\":\"2022\",\"sequence\":-1}]",
	        "[{\"title\":\"x\",\"start\":\"2022\",\"sequence\":\"1\"}]",
	};
	const char *what[] = {"\"created\" must be a UTC time",
	                      "\"updated\" must be a string",
	                      "\"sequence\" must be a whole number",
	                      "\"sequence\" must be a number"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		write_file(path, bad[i]);
		expect_error(TL("import", path), 1, what[i]);
	}
	cr_assert(!exists(g_db), "a failed import left a database behind");
	free(path);
}

Test(cli, edit_bad_input_changes_nothing)
{
	free(added(TL("add", "--uid", "e1", "--title", "T", "--start",
	              "2022-09-15")));
	char *before = dump();
	expect_error(TL("edit", "e1", "--start", "2022-13-01"), 1,
	             "month 13 is out of range");
	expect_error(TL("edit", "e1", "--end", "2022-09-01"), 1, NULL);
	expect_error(TL("edit", "e1", "--timeline", "nope"), 1, "nope");
	expect_error(TL("edit", "e1", "--uid", "other"), 2, NULL);
	expect_error(TL("edit", "--title", "x"), 2, "UID");
	expect_dump(before);
	free(before);
}

/* ---- rm ---- */

Test(cli, rm_all_or_none)
{
	free(added(TL("add", "--uid", "a", "--title", "A", "--start", "2022")));
	free(added(TL("add", "--uid", "b", "--title", "B", "--start", "2022")));
	free(added(TL("add", "--uid", "c", "--title", "C", "--start", "2022")));
	char *before = dump();
	expect_error(TL("rm", "a", "nope", "b"), 1, "no event with uid 'nope'");
	expect_dump(before);
	free(before);
	cr_assert_eq(count_events(), 3);

	/* The same uid twice is one removal, not a failure. */
	run r = expect(TL("rm", "a", "b", "a"), 0);
	run_free(&r);
	char *out = ok_out(TL("query"));
	ROWS(out, "C");
	free(out);
	expect_error(TL("show", "a"), 1, "no event with uid 'a'");
	expect_error(TL("rm"), 2, NULL);
}

/* Two calendars both holding UID:1 (real files use short uids): each
 * import keeps to its own timeline, and a bare uid that names two events
 * is refused with both named. */
Test(cli, one_uid_in_two_calendars_is_two_events)
{
	static const char cal[] =
	        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	        "X-WR-CALNAME:%s\r\nBEGIN:VEVENT\r\nUID:1\r\n"
	        "DTSTAMP:20240101T000000Z\r\nDTSTART;VALUE=DATE:2024011%d\r\n"
	        "SUMMARY:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
	char text[512];
	char *work = path_in("work.ics"), *family = path_in("family.ics");
	snprintf(text, sizeof text, cal, "Work", 1, "Standup");
	write_file(work, text);
	snprintf(text, sizeof text, cal, "Family", 2, "Dinner");
	write_file(family, text);
	free(ok_out(TL("import", work)));
	free(ok_out(TL("import", family)));

	char *out = ok_out(TL("query", "--timeline", "work"));
	ROWS(out, "Standup");
	free(out);
	out = ok_out(TL("query", "--timeline", "family"));
	ROWS(out, "Dinner");
	free(out);

	expect_error(TL("show", "1"), 1,
	             "'1' names 2 events: family/1, work/1");
	out = ok_out(TL("show", "work/1"));
	cr_expect(strstr(out, "Standup") != NULL, "%s", out);
	free(out);
	out = ok_out(TL("show", "work/1", "--format", "json"));
	cr_expect(strstr(out, "Standup") && !strstr(out, "Dinner"), "%s", out);
	free(out);
	/* Moving onto a uid the other timeline holds is refused. */
	expect_error(TL("edit", "work/1", "--timeline", "family"), 1,
	             "timeline 'family' already holds an event with uid '1'");
	/* Importing one calendar again touches nothing of the other. */
	free(ok_out(TL("import", work)));
	out = ok_out(TL("show", "family/1"));
	cr_expect(strstr(out, "Dinner") != NULL, "%s", out);
	free(out);

	/* "1" and "family/1" once it is the only one: one removal. */
	free(ok_out(TL("rm", "work/1")));
	free(ok_out(TL("rm", "1", "family/1")));
	cr_assert_eq(count_events(), 0);
	free(work);
	free(family);
}

/* import --sync: the timeline holds exactly what the source holds now;
 * what the source dropped is removed and listed, the rest untouched, and
 * another timeline is never touched. */
Test(cli, import_sync_mirrors_the_source)
{
	static const char head[] =
	        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	        "PRODID:-//t//t//EN\r\nX-WR-CALNAME:Work\r\n";
	static const char one[] = "BEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20240101T"
	                          "000000Z\r\nDTSTART;VALUE=DATE:20240111\r\n"
	                          "SUMMARY:Standup\r\nEND:VEVENT\r\n";
	static const char two[] = "BEGIN:VEVENT\r\nUID:2\r\nDTSTAMP:20240101T"
	                          "000000Z\r\nDTSTART;VALUE=DATE:20240112\r\n"
	                          "SUMMARY:Review\r\nEND:VEVENT\r\n";
	static const char bad[] = "BEGIN:VEVENT\r\nUID:3\r\nDTSTAMP:20240101T"
	                          "000000Z\r\nDTSTART;VALUE=DATE:20241399\r\n"
	                          "SUMMARY:Broken\r\nEND:VEVENT\r\n";
	static const char tail[] = "END:VCALENDAR\r\n";
	char text[2048];
	char *full = path_in("full.ics"), *less = path_in("less.ics"),
	     *broken = path_in("broken.ics");
	snprintf(text, sizeof text, "%s%s%s%s", head, one, two, tail);
	write_file(full, text);
	snprintf(text, sizeof text, "%s%s%s", head, one, tail);
	write_file(less, text);
	snprintf(text, sizeof text, "%s%s%s", head, bad, tail);
	write_file(broken, text);
	free(added(TL("add", "--uid", "2", "--title", "Elsewhere", "--start",
	              "2024")));
	free(ok_out(TL("import", full)));
	json_int_t seq = sequence_of("work/1");

	/* A failed --sync import removes nothing. */
	char *before = dump();
	expect_error(TL("import", "--sync", broken), 1, "broken.ics:");
	expect_dump(before);
	free(before);

	run r = expect(TL("import", "--sync", less), 0);
	cr_expect(strstr(r.err, "removed work/2 'Review': no longer in the "
	                        "source") != NULL,
	          "%s", r.err);
	cr_expect(strstr(r.err, "--sync: 1 event removed") != NULL, "%s",
	          r.err);
	run_free(&r);
	char *out = ok_out(TL("query", "--timeline", "work"));
	ROWS(out, "Standup");
	free(out);
	cr_expect_eq(sequence_of("work/1"), seq, "an unchanged event changed");
	out = ok_out(TL("show", "default/2"));
	cr_expect(strstr(out, "Elsewhere") != NULL, "%s", out);
	free(out);

	/* Skipping would read a bad record as gone: refused. */
	expect_error(TL("import", "--sync", "--on-error", "skip", less), 2,
	             "--sync cannot skip records");
	free(full);
	free(less);
	free(broken);
}

/* Recurring series through the real binary (issue 14, part 3): kept as
 * series, so a daily meeting started in 2012 is in `tldb query today`, an
 * endless yearly one in 2090, a change written in UTC replaces the
 * occurrence it names, -o from=today is no longer refused, a runaway rule
 * is cut with a warning naming the date, and --sync drops a change gone
 * from the source. */
Test(cli, recurring_series_answer_any_range)
{
	g_now = "2026-12-03T10:00:00Z";
	static const char head[] =
	        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n";
	static const char daily[] =
	        "BEGIN:VEVENT\r\nUID:standup\r\nDTSTAMP:20120101T000000Z\r\n"
	        "DTSTART;TZID=Europe/Berlin:20120305T090000\r\n"
	        "DTEND;TZID=Europe/Berlin:20120305T091500\r\n"
	        "RRULE:FREQ=DAILY\r\nSUMMARY:Stand-up\r\nEND:VEVENT\r\n";
	static const char yearly[] =
	        "BEGIN:VEVENT\r\nUID:bday\r\nDTSTAMP:20120101T000000Z\r\n"
	        "DTSTART;VALUE=DATE:19900714\r\nRRULE:FREQ=YEARLY\r\n"
	        "SUMMARY:Birthday\r\nEND:VEVENT\r\n";
	/* 09:00 in Berlin on 2026-12-04 is 08:00 UTC: moved to 14:00. */
	static const char moved[] =
	        "BEGIN:VEVENT\r\nUID:standup\r\nDTSTAMP:20120101T000000Z\r\n"
	        "RECURRENCE-ID:20261204T080000Z\r\n"
	        "DTSTART;TZID=Europe/Berlin:20261204T140000\r\n"
	        "DTEND;TZID=Europe/Berlin:20261204T141500\r\n"
	        "SUMMARY:Stand-up (afternoon)\r\nEND:VEVENT\r\n";
	static const char tick[] =
	        "BEGIN:VEVENT\r\nUID:tick\r\nDTSTAMP:20120101T000000Z\r\n"
	        "DTSTART:19260101T000000Z\r\n"
	        "RRULE:FREQ=SECONDLY;BYSECOND=0,30;COUNT=2000000000\r\n"
	        "SUMMARY:Tick\r\nEND:VEVENT\r\n";
	static const char tail[] = "END:VCALENDAR\r\n";
	char text[4096];
	char *cal = path_in("cal.ics"), *less = path_in("less.ics");
	snprintf(text, sizeof text, "%s%s%s%s%s", head, daily, yearly, moved,
	         tail);
	write_file(cal, text);
	snprintf(text, sizeof text, "%s%s%s%s", head, daily, yearly, tail);
	write_file(less, text);

	run r = expect(
	        TL("import", cal, "--timeline", "home", "-o", "from=today"), 0);
	cr_expect(strstr(r.err, "-o from= is no longer needed") != NULL, "%s",
	          r.err);
	run_free(&r);
	char *out = ok_out(TL("query", "today"));
	cr_expect(strstr(out, "2026-12-03T09:00") && strstr(out, "Stand-up"),
	          "%s", out);
	free(out);
	out = ok_out(TL("query", "2026-12-04"));
	cr_expect(strstr(out, "Stand-up (afternoon)") != NULL, "%s", out);
	cr_expect(strstr(out, "2026-12-04T09:00") == NULL, "%s", out);
	free(out);
	out = ok_out(TL("query", "2090", "--format", "json"));
	cr_expect(strstr(out, "\"start\":\"2090-07-14\"") != NULL, "%s", out);
	cr_expect(strstr(out, "\"uid\":\"bday/20900714\"") != NULL, "%s", out);
	free(out);

	/* The change is gone from the source: --sync removes it, and the
	 * occurrence it replaced is back. */
	r = expect(TL("import", "--sync", less, "--timeline", "home"), 0);
	cr_expect(strstr(r.err, "removed home/standup/20261204T140000") ||
	                  strstr(r.err, "1 event removed"),
	          "%s", r.err);
	run_free(&r);
	out = ok_out(TL("query", "2026-12-04"));
	cr_expect(strstr(out, "2026-12-04T09:00") != NULL, "%s", out);
	cr_expect(strstr(out, "afternoon") == NULL, "%s", out);
	free(out);

	/* The series itself is gone from the source: it goes with its
	 * changes (the change of 12-04 is back first). */
	free(ok_out(TL("import", cal, "--timeline", "home")));
	snprintf(text, sizeof text, "%s%s%s", head, yearly, tail);
	write_file(less, text);
	r = expect(TL("import", "--sync", less, "--timeline", "home"), 0);
	cr_expect(strstr(r.err, "removed home/standup 'Stand-up'") != NULL,
	          "%s", r.err);
	run_free(&r);
	out = ok_out(TL("query", "2026-12-04", "--timeline", "home"));
	NO_ROWS(out);
	free(out);

	snprintf(text, sizeof text, "%s%s%s", head, tick, tail);
	write_file(cal, text);
	free(ok_out(TL("import", cal)));
	r = expect(TL("query", "today"), 0);
	cr_expect(strstr(r.err, "warning: series default/tick: stopped at "
	                        "1926-02-0") != NULL,
	          "%s", r.err);
	run_free(&r);
	free(cal);
	free(less);
}

static int count_of(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* The .ics feed keeps a series as a series (issue 14, part 4): one VEVENT
 * with its RRULE, RDATE and EXDATE (a cancelled occurrence among them) and
 * the VTIMEZONEs they name, a change as a RECURRENCE-ID VEVENT; a ranged
 * feed holds a series only when an occurrence falls in the range; JSON
 * gets the occurrences. */
Test(cli, a_feed_keeps_series_as_series)
{
	static const char cal[] =
	        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	        "BEGIN:VEVENT\r\nUID:m\r\nDTSTAMP:20240101T000000Z\r\n"
	        "DTSTART;TZID=Europe/Berlin:20240108T090000\r\n"
	        "DTEND;TZID=Europe/Berlin:20240108T100000\r\n"
	        "RRULE:FREQ=WEEKLY;COUNT=5\r\nEXDATE:20240122T080000Z\r\n"
	        "RDATE;TZID=Asia/Tokyo:20240201T090000\r\n"
	        "SUMMARY:Meeting\r\nEND:VEVENT\r\n"
	        "BEGIN:VEVENT\r\nUID:m\r\nDTSTAMP:20240101T000000Z\r\n"
	        "RECURRENCE-ID;TZID=Europe/Berlin:20240115T090000\r\n"
	        "DTSTART;TZID=Europe/Berlin:20240115T150000\r\n"
	        "DTEND;TZID=Europe/Berlin:20240115T160000\r\n"
	        "SUMMARY:Moved\r\nEND:VEVENT\r\n"
	        "BEGIN:VEVENT\r\nUID:m\r\nDTSTAMP:20240101T000000Z\r\n"
	        "RECURRENCE-ID:20240129T080000Z\r\n"
	        "DTSTART;TZID=Europe/Berlin:20240129T090000\r\n"
	        "STATUS:CANCELLED\r\nSUMMARY:x\r\nEND:VEVENT\r\n"
	        "END:VCALENDAR\r\n";
	char *path = path_in("m.ics");
	write_file(path, cal);
	free(ok_out(TL("import", path)));

	char *ics = ok_out(TL("export", "--format", "ics", "2024-01..2024-02"));
	cr_expect_eq(count_of(ics, "BEGIN:VEVENT"), 2, "%s", ics);
	cr_expect_eq(count_of(ics, "\r\nRRULE:FREQ=WEEKLY;COUNT=5\r\n"), 1,
	             "%s", ics);
	cr_expect(strstr(ics, "\r\nDTEND;TZID=Europe/Berlin:20240108T100000"
	                      "\r\n") != NULL,
	          "the series' DTEND is its first occurrence's:\n%s", ics);
	cr_expect(strstr(ics, "\r\nRDATE;TZID=Asia/Tokyo:20240201T090000\r\n"),
	          "%s", ics);
	cr_expect(strstr(ics, "\r\nEXDATE:20240122T080000Z\r\n"), "%s", ics);
	cr_expect(strstr(ics, "\r\nEXDATE:20240129T080000Z\r\n"),
	          "the cancelled occurrence is an EXDATE:\n%s", ics);
	cr_expect(strstr(ics, "\r\nRECURRENCE-ID;TZID=Europe/Berlin:"
	                      "20240115T090000\r\n"),
	          "%s", ics);
	cr_expect(strstr(ics, "BEGIN:VTIMEZONE\r\nTZID:Asia/Tokyo\r\n"), "%s",
	          ics);
	cr_expect_eq(count_of(ics, "UID:m\r\n"), 2, "%s", ics);
	free(ics);

	/* A range after the change: the series comes with every change of
	 * it, or the subscriber would see the change's occurrence unmoved. */
	ics = ok_out(TL("export", "--format", "ics", "2024-02"));
	cr_expect_eq(count_of(ics, "BEGIN:VEVENT"), 2, "%s", ics);
	cr_expect(strstr(ics, "\r\nRECURRENCE-ID;TZID=Europe/Berlin:"
	                      "20240115T090000\r\n"),
	          "%s", ics);
	free(ics);

	/* A day inside the series' span without an occurrence: no series;
	 * after its end: nothing. */
	ics = ok_out(TL("export", "--format", "ics", "2024-01-23"));
	cr_expect_eq(count_of(ics, "BEGIN:VEVENT"), 0, "%s", ics);
	free(ics);
	ics = ok_out(TL("export", "--format", "ics", "2024-03"));
	cr_expect_eq(count_of(ics, "BEGIN:VEVENT"), 0, "%s", ics);
	free(ics);

	/* show: the series itself, with its recurrence, in either form. */
	char *shown = ok_out(TL("show", "m"));
	cr_expect(strstr(shown, "recur      RRULE:FREQ=WEEKLY;COUNT=5\n"), "%s",
	          shown);
	free(shown);
	shown = ok_out(TL("show", "m", "--format", "json"));
	cr_expect_eq(count_of(shown, "\n"), 1, "%s", shown);
	free(shown);

	char *json =
	        ok_out(TL("export", "--format", "json", "2024-01..2024-02"));
	cr_expect_eq(count_of(json, "\"uid\":"), 4, "%s", json);
	cr_expect(strstr(json, "\"uid\":\"m/20240201T010000[Europe/Berlin]\""),
	          "%s", json);
	free(json);
	free(path);
}

/* Every value of a long RDATE or EXDATE line is read (libical's parser
 * keeps 500), and one that names no date, or a zone nobody knows, is the
 * VEVENT's error, not a silent loss. */
Test(cli, series_values_are_all_read_and_bad_ones_refused)
{
	char *text = malloc(1 << 16), *path = path_in("long.ics");
	size_t n =
	        (size_t)snprintf(text, 1 << 16,
	                         "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t"
	                         "//t//EN\r\nBEGIN:VEVENT\r\nUID:long\r\n"
	                         "DTSTAMP:20240101T000000Z\r\nDTSTART;VALUE="
	                         "DATE:20000101\r\nRRULE:FREQ=DAILY;COUNT="
	                         "1201\r\nEXDATE;VALUE=DATE:");
	/* every other day from 2000-01-02 (day 10958 is 2000-01-01) */
	int64_t day = 10958 + 1;
	for (int i = 0; i < 600; i++, day += 2) {
		time_t t = (time_t)(day * 86400);
		struct tm tm;
		gmtime_r(&t, &tm);
		n += strftime(text + n, (1 << 16) - n, i ? ",%Y%m%d" : "%Y%m%d",
		              &tm);
	}
	snprintf(text + n, (1 << 16) - n,
	         "\r\nSUMMARY:Long\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
	write_file(path, text);
	free(ok_out(TL("import", path)));
	char *out = ok_out(TL("query", "2000-01-01..2003-12-31"));
	int rows = 0;
	for (const char *p = out; (p = strchr(p, '\n')); p++)
		rows++;
	cr_expect_eq(rows, 601, "1201 days less 600 EXDATEs:\n%.300s", out);
	free(out);

	write_file(path, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN"
	                 "\r\nBEGIN:VEVENT\r\nUID:bad\r\nDTSTAMP:20240101T00"
	                 "0000Z\r\nDTSTART:20240101T100000Z\r\nRDATE:20240230T"
	                 "100000Z\r\nSUMMARY:b\r\nEND:VEVENT\r\nEND:VCALENDAR"
	                 "\r\n");
	char *before = dump();
	expect_error(TL("import", path), 1,
	             "RDATE 20240230T100000Z is not a date");
	expect_dump(before);
	free(before);
	free(text);
	free(path);
}

/* Calendars as Google, Podio and Exchange write them import through the
 * real binary (issue 14, part 2): Google's empty DESCRIPTION:/LOCATION:
 * without a word, Podio's trailer and Exchange's END:VCALENDARD as
 * warnings naming FILE:LINE; a JPEG named .ics is refused with
 * FILE:LINE:COLUMN and nothing imported. */
#define CALENDARS TLDB_SOURCE_DIR "/tests/plugins/calendars/"

Test(cli, real_world_calendars_import_a_non_calendar_is_refused)
{
	run r = expect(TL("import", CALENDARS "google.ics"), 0);
	cr_expect(strstr(r.err, "warning") == NULL, "%s", r.err);
	cr_expect(strstr(r.err, "3 events written") != NULL, "%s", r.err);
	run_free(&r);
	r = expect(TL("import", CALENDARS "podio.ics"), 0);
	cr_expect(strstr(r.err, "podio.ics:14:1: warning: text after "
	                        "END:VCALENDAR") != NULL,
	          "%s", r.err);
	run_free(&r);
	r = expect(TL("import", CALENDARS "exchange.ics"), 0);
	cr_expect(strstr(r.err, "exchange.ics:54:1: warning: ") != NULL, "%s",
	          r.err);
	run_free(&r);
	char *out = ok_out(TL("query", "2024-01-11"));
	ROWS(out, "Call the client", "Planning", "Budget review");
	free(out);

	char *before = dump();
	char *photo = path_in("photo.ics");
	write_file(photo, "\xff\xd8\xff\xe0JFIF\x01\n\x02\x03");
	r = TL("import", photo);
	cr_expect(strstr(r.err, "photo.ics:1:1: not an iCalendar file") != NULL,
	          "%s", r.err);
	expect_error(r, 1, "tldb: error: ");
	expect_dump(before);
	free(before);
	free(photo);
}

Test(cli, edit_moves_an_event_to_another_timeline)
{
	free(ok_out(TL("timeline", "create", "trips")));
	free(added(TL("add", "--uid", "a", "--title", "A", "--start", "2022")));
	free(ok_out(TL("edit", "a", "--timeline", "trips")));
	char *out = ok_out(TL("query", "--timeline", "trips"));
	ROWS(out, "A");
	free(out);
	cr_assert_eq(count_events(), 1);
	expect_error(TL("show", "default/a"), 1, "no event with uid");
}

/* ---- timelines ---- */

Test(cli, timelines)
{
	free(ok_out(TL("timeline", "create", "asia", "--title", "Asia news")));
	char *out = ok_out(TL("timeline", "list"));
	cr_assert(strstr(out, "asia") != NULL, "%s", out);
	cr_assert(strstr(out, "Asia news") != NULL, "%s", out);
	free(out);
	expect_error(TL("timeline", "create", "asia"), 1, "already exists");
	expect_error(TL("timeline", "create", "Bad Name"), 1, NULL);

	free(ok_out(TL("timeline", "rename", "asia", "east-asia")));
	out = ok_out(TL("timeline", "list"));
	cr_assert(strstr(out, "east-asia") != NULL, "%s", out);
	cr_assert_eq(count_lines(out), 1, "%s", out);
	free(out);
	expect_error(TL("timeline", "rename", "asia", "x"), 1, "asia");

	free(added(TL("add", "--title", "E", "--start", "2022", "--timeline",
	              "east-asia")));
	char *before = dump();
	expect_error(TL("timeline", "rm", "east-asia"), 1, "--force");
	expect_dump(before);
	free(before);
	out = ok_out(TL("timeline", "list"));
	cr_assert(strstr(out, "east-asia") != NULL, "%s", out);
	free(out);

	free(ok_out(TL("timeline", "rm", "east-asia", "--force")));
	out = ok_out(TL("timeline", "list"));
	cr_assert_null(strstr(out, "east-asia"), "%s", out);
	free(out);
	cr_assert_eq(count_events(), 0);
	expect_error(TL("timeline", "rm", "east-asia"), 1, "east-asia");

	/* An empty timeline goes without --force. */
	free(ok_out(TL("timeline", "create", "empty")));
	free(ok_out(TL("timeline", "rm", "empty")));
	out = ok_out(TL("timeline", "list"));
	cr_assert_null(strstr(out, "empty"), "%s", out);
	free(out);
	expect_error(TL("timeline", "frob"), 2, "frob");
	expect_error(TL("timeline", "rename", "a"), 2, NULL);
}

/* ---- import ---- */

/* uid|sequence|updated|created of every event, straight from SQLite. */
static char *event_rows(void)
{
	sqlite3 *db;
	cr_assert_eq(sqlite3_open_v2(g_db, &db, SQLITE_OPEN_READWRITE, NULL),
	             SQLITE_OK);
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(db,
	                                "SELECT uid, sequence, updated, "
	                                "created, chash FROM events ORDER BY "
	                                "uid",
	                                -1, &st, NULL),
	             SQLITE_OK, "%s", sqlite3_errmsg(db));
	char *buf = NULL;
	size_t len = 0, cap = 0;
	append(&buf, &len, &cap, "", 0);
	while (sqlite3_step(st) == SQLITE_ROW) {
		char row[512];
		int n = snprintf(row, sizeof row, "%s|%lld|%lld|%lld|%lld\n",
		                 (const char *)sqlite3_column_text(st, 0),
		                 (long long)sqlite3_column_int64(st, 1),
		                 (long long)sqlite3_column_int64(st, 2),
		                 (long long)sqlite3_column_int64(st, 3),
		                 (long long)sqlite3_column_int64(st, 4));
		append(&buf, &len, &cap, row, (size_t)n);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return buf;
}

Test(cli, import_bundled_timeline)
{
	run r = expect(TL("import", BUNDLED), 0);
	cr_assert(strstr(r.err, "9 events written, 0 unchanged") != NULL, "%s",
	          r.err);
	run_free(&r);
	char *out = ok_out(TL("query", "2022-02..2022-09"));
	ROWS(out, "China's imports of Russian energy",
	     "Xi and Putin meet at the Beijing Winter Olympics",
	     "Russia invades Ukraine", "Gazprom: China agrees to pay",
	     "Pelosi visits Taiwan", "China takes part in military exercises",
	     "Putin and Xi meet at the SCO summit in Samarkand",
	     "Two-day SCO summit in Samarkand");
	cr_assert_eq(strncmp(out, "2022-02/2022-07 ", 16), 0, "%s", out);
	free(out);
	out = ok_out(TL("timeline", "list"));
	cr_assert(strstr(out, "russia-china-2022") != NULL, "%s", out);
	cr_assert(strstr(out, "Russia and China, 2022") != NULL, "%s", out);
	free(out);
	json_t *o = show_json("rc2022-sco-founded");
	json_t *srcs = json_object_get(o, "sources");
	cr_assert_eq(json_array_size(srcs), 1);
	json_t *s = json_array_get(srcs, 0);
	cr_assert_str_eq(jstr(s, "plugin"), "manual");
	cr_assert_str_eq(jstr(s, "expr"), "in 2001");
	cr_assert_str_eq(jstr(s, "doc_date"), "2022-09-15");
	cr_assert_eq(json_integer_value(
	                     json_array_get(json_object_get(s, "span"), 0)),
	             4760);
	json_decref(o);

	/* Again, later: nothing is written. */
	char *rows = event_rows();
	cr_assert_eq(count_lines(rows), 9);
	char *before = dump();
	g_now = "2022-10-01T00:00:00Z";
	r = expect(TL("import", BUNDLED), 0);
	cr_assert(strstr(r.err, "0 events written, 9 unchanged") != NULL, "%s",
	          r.err);
	run_free(&r);
	char *rows2 = event_rows();
	cr_assert_str_eq(rows2, rows, "event rows changed");
	for (const char *p = rows2; (p = strchr(p, '|')) != NULL;
	     p = strchr(p, '\n')) {
		cr_assert_eq(strncmp(p, "|0|", 3), 0, "sequence moved: %s",
		             rows2);
	}
	g_now = NOW;
	expect_dump(before);
	free(before);
	free(rows);
	free(rows2);
}

Test(cli, import_array_and_jsonl)
{
	char *arr = path_in("events.json");
	write_file(arr, "[{\"uid\": \"a1\", \"title\": \"From array\", "
	                "\"start\": \"2022-03\", \"tags\": [\"t\"]}]\n");
	run r = expect(TL("import", arr), 0);
	cr_assert(strstr(r.err, "1 events written, 0 unchanged") != NULL, "%s",
	          r.err);
	run_free(&r);
	char *lines = path_in("events.jsonl");
	write_file(lines, "{\"uid\": \"l1\", \"title\": \"Line one\", "
	                  "\"start\": \"2022-04-01\"}\n"
	                  "\n"
	                  "{\"uid\": \"l2\", \"title\": \"Line two\", "
	                  "\"start\": \"2022-04-02\"}\n");
	r = expect(TL("import", lines), 0);
	run_free(&r);
	char *out = ok_out(TL("query"));
	ROWS(out, "From array", "Line one", "Line two");
	free(out);
	free(arr);
	free(lines);
}

/* ---- stats ---- */

static long long stat_value(const char *out, const char *name)
{
	size_t n = strlen(name);
	for (const char *line = out; *line;) {
		const char *p = line;
		while (*p == ' ')
			p++;
		if (strncmp(p, name, n) == 0 && p[n] == ' ') {
			char *end;
			long long v = strtoll(p + n, &end, 10);
			cr_assert(end != p + n, "no number for %s", name);
			return v;
		}
		const char *nl = strchr(line, '\n');
		if (!nl)
			break;
		line = nl + 1;
	}
	cr_assert_fail("stats lacks '%s':\n%s", name, out);
	return -1;
}

Test(cli, stats_counts)
{
	seed();
	char *out = ok_out(TL("stats"));
	cr_assert_eq(stat_value(out, "events"), 9, "%s", out);
	cr_assert_eq(stat_value(out, "timelines"), 2, "%s", out);
	cr_assert_eq(stat_value(out, "tags"), 4, "%s", out);
	cr_assert_eq(stat_value(out, "sources"), 0, "%s", out);
	cr_assert_eq(stat_value(out, "year"), 1, "%s", out);
	cr_assert_eq(stat_value(out, "month"), 2, "%s", out);
	cr_assert_eq(stat_value(out, "day"), 6, "%s", out);
	cr_assert_eq(stat_value(out, "schema"), 4, "%s", out);
	cr_assert(strstr(out, "earliest         2001-01-01T00:00:00Z\n") !=
	                  NULL,
	          "%s", out);
	cr_assert(strstr(out, "latest           2022-10-01T00:00:00Z\n") !=
	                  NULL,
	          "%s", out);
	free(out);
	run r = expect(TL("rm", "sco"), 0);
	run_free(&r);
	out = ok_out(TL("stats"));
	cr_assert_eq(stat_value(out, "events"), 8, "%s", out);
	cr_assert_eq(stat_value(out, "tags"), 3, "%s", out);
	free(out);
}

/* ---- usage ---- */

Test(cli, help_everywhere)
{
	static const char *const cmds[] = {"add",    "query", "show",
	                                   "edit",   "rm",    "timeline",
	                                   "import", "stats", NULL};
	run r = expect(TLRAW("--help"), 0);
	cr_assert_eq(strncmp(r.out, "usage: tldb ", 12), 0, "%s", r.out);
	for (size_t i = 0; cmds[i]; i++)
		cr_assert(strstr(r.out, cmds[i]) != NULL,
		          "top-level help lacks %s", cmds[i]);
	cr_assert_str_eq(r.err, "");
	run_free(&r);
	for (size_t i = 0; cmds[i]; i++) {
		char want[64];
		snprintf(want, sizeof want, "usage: tldb %s", cmds[i]);
		r = expect(TL(cmds[i], "--help"), 0);
		cr_assert_eq(strncmp(r.out, want, strlen(want)), 0,
		             "%s --help printed:\n%s", cmds[i], r.out);
		cr_assert_str_eq(r.err, "", "%s --help: %s", cmds[i], r.err);
		run_free(&r);
		r = expect(TL(cmds[i], "-h"), 0);
		cr_assert_eq(strncmp(r.out, want, strlen(want)), 0);
		run_free(&r);
	}
	cr_assert_not(exists(g_db), "--help created the database");
}

static void expect_usage(run r, const char *what)
{
	cr_assert_str_eq(r.out, "", "usage error printed to stdout: %s", r.out);
	expect_error(r, 2, what);
}

Test(cli, usage_errors)
{
	run r = expect(TLRAW("--db", g_db), 2);
	cr_assert(strstr(r.err, "usage: tldb") != NULL, "%s", r.err);
	run_free(&r);
	expect_usage(TL("frobnicate"), "unknown command 'frobnicate'");
	expect_usage(TLRAW("--frob", "query"), "--frob");
	expect_usage(TL("query", "--frob"), "unknown option '--frob'");
	expect_usage(
	        TL("add", "--title", "x", "--start", "2022", "--colour", "red"),
	        "--colour");
	expect_usage(TL("show", "x", "-z"), "-z");
	expect_usage(TL("add", "--title"), "--title needs a value");
	expect_usage(TL("query", "--limit"), "--limit needs a value");
	expect_usage(TLRAW("--db"), "--db needs a value");
	expect_usage(TL("query", "--limit", "many"), "not a count");
	expect_usage(TL("query", "--min-precision", "fortnight"), "fortnight");
	expect_usage(TL("query", "--format", "yaml"), "yaml");
	expect_usage(TL("show"), NULL);
	expect_usage(TL("import"), NULL);
	expect_usage(TL("stats", "extra"), "extra");
	expect_usage(TL("add", "--title", "x", "--start", "2022", "stray"),
	             "stray");
	cr_assert_not(exists(g_db), "a usage error created the database");
}

/* ---- bad input ---- */

Test(cli, bad_event_input_changes_nothing)
{
	seed();
	char *before = dump();
	size_t len;
	char *bytes = read_file(g_db, &len);
	run r = expect(TL("add", "--title", "x", "--start", "2022-13-01"), 1);
	cr_assert(strstr(r.err, "tldb: error:") != NULL, "%s", r.err);
	cr_assert(strstr(r.err, "month 13 is out of range") != NULL, "%s",
	          r.err);
	cr_assert_str_eq(r.out, "", "a failed add printed a uid");
	run_free(&r);
	expect_error(TL("add", "--title", "x", "--start", "2022-02-30"), 1,
	             "day 30 is out of range");
	expect_error(TL("add", "--title", "x", "--start", "2022-09-15", "--end",
	                "2022-09-01"),
	             1, "before the start");
	expect_error(TL("add", "--title", "x", "--start", "2022", "--timeline",
	                "nope"),
	             1, "unknown timeline 'nope'");
	expect_error(TL("add", "--title", "x", "--start", "2022", "--tz",
	                "Mars/Olympus"),
	             1, NULL);
	expect_error(TL("show", "nope"), 1, "no event with uid 'nope'");
	expect_error(TL("edit", "nope", "--title", "x"), 1,
	             "no event with uid 'nope'");
	expect_error(TL("rm", "nope"), 1, "no event with uid 'nope'");
	expect_dump(before);
	expect_same_bytes(g_db, bytes, len);
	free(before);
	free(bytes);
}

Test(cli, bad_range_words)
{
	seed();
	char *before = dump();
	run r = TL("query", "bogusword");
	cr_assert_neq(r.code, 0);
	cr_assert_str_eq(r.out, "");
	expect_error(r, 2, "bad range word 'bogusword'");
	r = TL("query", "2022-13");
	cr_assert_str_eq(r.out, "");
	expect_error(r, 2, "month 13 is out of range");
	expect_error(TL("query", "2022-09..2022-02"), 2, "before it starts");
	expect_error(TL("query", "--from", "2022-09", "--to", "2022-02"), 2,
	             "before it starts");
	expect_error(TL("query", "--from", "someday"), 2, "someday");
	expect_error(TL("query", "2022", "2023", "2024"), 2, NULL);
	expect_dump(before);
	free(before);
}

Test(cli, not_a_database)
{
	write_file(g_db, "These are my notes, not a database.\n");
	size_t len;
	char *bytes = read_file(g_db, &len);
	expect_error(TL("query"), 1, "not a tldb database");
	expect_error(TL("add", "--title", "x", "--start", "2022"), 1,
	             "not a tldb database");
	expect_error(TL("import", BUNDLED), 1, "not a tldb database");
	expect_error(TL("stats"), 1, "not a tldb database");
	expect_same_bytes(g_db, bytes, len);
	free(bytes);
}

static void set_user_version(const char *path, int v)
{
	sqlite3 *db;
	cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL),
	             SQLITE_OK);
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v);
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK, "%s",
	             sqlite3_errmsg(db));
	cr_assert_eq(sqlite3_close(db), SQLITE_OK);
}

Test(cli, newer_schema)
{
	free(added(TL("add", "--title", "x", "--start", "2022")));
	set_user_version(g_db, 99);
	size_t len;
	char *bytes = read_file(g_db, &len);
	expect_error(TL("query"), 1, "schema version 99");
	expect_error(TL("add", "--title", "y", "--start", "2022"), 1,
	             "schema version 99");
	expect_error(TL("import", BUNDLED), 1, "schema version 99");
	expect_error(TL("rm", "x"), 1, "schema version 99");
	expect_same_bytes(g_db, bytes, len);
	free(bytes);
}

Test(cli, corrupt_database)
{
	run r = expect(TL("import", BUNDLED), 0);
	run_free(&r);
	size_t len;
	char *bytes = read_file(g_db, &len);
	cr_assert_gt(len, 3 * 4096);
	/* Keep the header page and the last page; garble the rest. */
	for (size_t i = 4096; i < len - 4096; i++)
		bytes[i] = (char)(i % 4 == 0   ? 0xde
		                  : i % 4 == 1 ? 0xad
		                  : i % 4 == 2 ? 0xbe
		                               : 0xef);
	FILE *f = fopen(g_db, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(bytes, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
	expect_error(TL("query"), 1, "corrupt");
	expect_error(TL("stats"), 1, "corrupt");
	expect_error(TL("add", "--title", "x", "--start", "2022"), 1,
	             "corrupt");
	expect_error(TL("import", BUNDLED), 1, "corrupt");
	expect_same_bytes(g_db, bytes, len);
	free(bytes);
}

Test(cli, missing_database_is_not_created)
{
	expect_error(TL("query"), 1, "no database here");
	expect_error(TL("show", "x"), 1, NULL);
	expect_error(TL("stats"), 1, NULL);
	expect_error(TL("timeline", "list"), 1, NULL);
	/* Failed writes do not leave a new database behind either. */
	expect_error(TL("add", "--title", "x", "--start", "2022-13-01"), 1,
	             "month 13");
	expect_error(TL("edit", "x", "--title", "y"), 1, NULL);
	expect_error(TL("rm", "x"), 1, NULL);
	expect_error(TL("timeline", "rm", "x"), 1, NULL);
	expect_error(TL("timeline", "rename", "x", "y"), 1, NULL);
	cr_assert_not(exists(g_db), "a failed command created the database");
	char *wal = path_in("tldb.db-wal");
	cr_assert_not(exists(wal));
	free(wal);
	/* The first successful write creates it; a folder missing from a
	 * path the user gave is an error (only the default location's
	 * folder is made: test_cli_safety.c). */
	char *nested = path_in("a/b/tldb.db");
	expect_error(
	        run_db(nested, (const char *const[]){"add", "--title", "x",
	                                             "--start", "2022", NULL}),
	        1, "does not exist");
	cr_assert_not(exists(nested));
	free(added(TL("add", "--title", "x", "--start", "2022")));
	cr_assert(exists(g_db));
	free(nested);
}

Test(cli, import_syntax_error_names_file_line_column)
{
	seed();
	char *before = dump();
	char *file = path_in("syntax.json");
	write_file(file, "{\"tldb\": 1, \"events\": [\n"
	                 "  {\"title\": \"imp-a\", \"start\": \"2021\"},\n"
	                 "  {\"title\": \"imp-b\" \"start\": \"2021\"}\n"
	                 "]}\n");
	run r = expect(TL("import", file), 1);
	char want[600];
	snprintf(want, sizeof want, "tldb: error: %s:3:", file);
	const char *at = strstr(r.err, want);
	cr_assert_not_null(at, "stderr lacks '%s': %s", want, r.err);
	at += strlen(want);
	cr_assert(at[0] >= '1' && at[0] <= '9', "no column: %s", r.err);
	while (*at >= '0' && *at <= '9')
		at++;
	cr_assert_eq(*at, ':', "no FILE:LINE:COLUMN: %s", r.err);
	run_free(&r);
	expect_dump(before);
	free(before);
	free(file);
}

Test(cli, import_bad_third_event_stores_nothing)
{
	seed();
	size_t n = count_events();
	char *before = dump();
	char *file = path_in("bad3.json");
	write_file(file,
	           "{\"tldb\": 1, \"timeline\": {\"name\": \"imported\"},\n"
	           " \"events\": [\n"
	           "  {\"uid\": \"i1\", \"title\": \"imp-a\", \"start\": "
	           "\"2021\"},\n"
	           "  {\"uid\": \"i2\", \"title\": \"imp-b\", \"start\": "
	           "\"2021-03\"},\n"
	           "  {\"uid\": \"i3\", \"title\": \"imp-c\", \"start\": "
	           "\"2021-13\"}\n"
	           "]}\n");
	run r = expect(TL("import", file), 1);
	cr_assert(strstr(r.err, "tldb: error: ") != NULL, "%s", r.err);
	cr_assert(strstr(r.err, file) != NULL, "%s", r.err);
	cr_assert(strstr(r.err, "month 13 is out of range") != NULL, "%s",
	          r.err);
	run_free(&r);
	cr_assert_eq(count_events(), n);
	expect_dump(before);
	expect_error(TL("show", "i1"), 1, NULL);
	char *out = ok_out(TL("timeline", "list"));
	cr_assert_null(strstr(out, "imported"), "the timeline stayed:\n%s",
	               out);
	free(out);
	free(before);
	free(file);
}

Test(cli, import_jsonl_error_names_line)
{
	seed();
	char *before = dump();
	char *file = path_in("bad.jsonl");
	write_file(file, "{\"uid\": \"j1\", \"title\": \"line-1\", \"start\": "
	                 "\"2021\"}\n"
	                 "{\"uid\": \"j2\", \"title\": \"line-2\", start}\n");
	run r = expect(TL("import", file), 1);
	char want[600];
	snprintf(want, sizeof want, "tldb: error: %s:2:", file);
	cr_assert(strstr(r.err, want) != NULL, "stderr lacks '%s': %s", want,
	          r.err);
	run_free(&r);
	expect_dump(before);
	/* A bad date on line 2 names it too. */
	write_file(file, "{\"uid\": \"j1\", \"title\": \"line-1\", \"start\": "
	                 "\"2021\"}\n"
	                 "{\"uid\": \"j2\", \"title\": \"line-2\", \"start\": "
	                 "\"2021-02-30\"}\n");
	r = expect(TL("import", file), 1);
	cr_assert(strstr(r.err, want) != NULL, "stderr lacks '%s': %s", want,
	          r.err);
	run_free(&r);
	expect_dump(before);
	expect_error(TL("show", "j1"), 1, NULL);
	char *missing = path_in("nosuchfile.json");
	expect_error(TL("import", missing), 1, "cannot open");
	expect_dump(before);
	free(missing);
	free(before);
	free(file);
}

/* A write that fails on a database it would have created leaves no file. */
Test(cli, failed_write_leaves_no_new_database)
{
	char *bad = path_in("bad.json");
	write_file(bad, "[{\"title\": \"ok\", \"start\": \"2022\"},\n"
	                " {\"title\": \"bad\", \"start\": \"2022-13\"}]\n");
	cr_assert(!exists(g_db));
	expect_error(TL("import", bad), 1, "month 13 is out of range");
	cr_assert(!exists(g_db), "a failed import left a new database");
	expect_error(TL("add", "--title", "x", "--start", "2022", "--timeline",
	                "nope"),
	             1, "unknown timeline 'nope'");
	cr_assert(!exists(g_db), "a failed add left a new database");
	free(bad);
}

/* ---- export ---- */

/* Files in g_dir whose name starts with prefix. */
static int count_files(const char *prefix)
{
	DIR *d = opendir(g_dir);
	cr_assert_not_null(d);
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)))
		n += strncmp(de->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return n;
}

Test(cli, export_writes_whole_files_or_none)
{
	seed();
	char *out = path_in("out.jsonl");
	run r = expect(TL("export", "--format", "jsonl", "2022-09",
	                  "--timeline", "asia", "--output", out),
	               0);
	run_free(&r);
	size_t len;
	char *first = read_file(out, &len);
	cr_assert(strstr(first, "\"uid\":\"sco\"") != NULL, "%s", first);
	cr_expect_eq(count_lines(first), 1);

	/* A failed export (an option the exporter lacks, then a bad range)
	 * leaves the old file as it was and no temporary file behind. */
	expect_error(TL("export", "--format", "jsonl", "-o", "nope=1",
	                "--output", out),
	             1, "no option 'nope'");
	expect_error(TL("export", "--format", "nosuch", "--output", out), 2,
	             "no exporter 'nosuch'");
	expect_same_bytes(out, first, len);
	cr_expect_eq(count_files("out.jsonl.tmp"), 0);

	/* Without --output, the native document goes to stdout. */
	char *doc = ok_out(TL("export", "2022-09-15"));
	json_error_t jerr;
	json_t *j = json_loads(doc, 0, &jerr);
	cr_assert_not_null(j, "%s: %s", jerr.text, doc);
	cr_expect_eq(json_integer_value(json_object_get(j, "tldb")), 1);
	cr_expect_eq(json_array_size(json_object_get(j, "events")), 1);
	json_decref(j);
	free(doc);
	free(first);
	free(out);
}

/* An export of several timelines imports into a fresh database: the
 * timelines its events name come with them. */
Test(cli, export_of_several_timelines_reimports)
{
	seed();
	char *doc = path_in("all.json");
	run r = expect(TL("export", "--output", doc), 0);
	run_free(&r);
	char *fresh = path_in("fresh.db");
	r = expect(run_db(fresh, (const char *const[]){"import", doc, NULL}),
	           0);
	cr_expect(strstr(r.err, "9 events written") != NULL, "%s", r.err);
	run_free(&r);
	r = expect(
	        run_db(fresh, (const char *const[]){"timeline", "list", NULL}),
	        0);
	cr_expect(strstr(r.out, "asia") != NULL, "%s", r.out);
	cr_expect(strstr(r.out, "default") != NULL, "%s", r.out);
	run_free(&r);
	r = expect(run_db(fresh, (const char *const[]){"query", "--timeline",
	                                               "asia", NULL}),
	           0);
	cr_expect(strstr(r.out, "SCO summit") != NULL, "%s", r.out);
	run_free(&r);
	free(fresh);
	free(doc);
}
