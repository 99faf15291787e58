/*
 * check.c -- `tldb plugins check FILE.so`: a conformance checker for
 * plugin authors.
 *
 * Every step that runs plugin code runs in a child process (fork) with an
 * alarm, so a crash or a hang is reported as a failed check naming the
 * signal instead of taking the checker down.  The child sends its verdict
 * through a pipe: one byte ('0' pass, '1' fail) and a message.  The checks:
 *   - the file loads into a fresh registry (the host's own validation);
 *   - its exported dynamic symbols are the entry point alone (libelf);
 *   - it needs neither libsqlite3 nor libtldb (DT_NEEDED);
 *   - the exporter writes an empty result and 10,000 generated events;
 *   - the importer survives empty, truncated and random inputs: it must
 *     succeed or fail with a position, never crash, hang or fail blind;
 *   - events survive a round trip through exporter and importer.
 * With --corpus DIR only the loading check runs, then every file of DIR
 * goes through the importer (check_corpus.c).
 * Each check prints "ok    WHAT" or "FAIL  WHAT: REASON"; a check that
 * does not apply prints "skip  WHAT: REASON" and is not counted.
 */
#define _XOPEN_SOURCE 700 /* nftw, realpath */

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check_internal.h"
#include "checker.h"

/* ---- reporting ---- */

void check_pass(check *c, const char *what)
{
	printf("ok    %s\n", what);
	c->passed++;
}

void check_fail(check *c, const char *what, const char *fmt, ...)
{
	va_list ap;
	printf("FAIL  %s: ", what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	c->failed++;
}

void check_verdict(check *c, const char *what, int rc, const char *msg)
{
	if (rc)
		check_fail(c, what, "%s", msg);
	else
		check_pass(c, what);
}

void check_skip(const char *what, const char *why)
{
	printf("skip  %s: %s\n", what, why);
}

void check_appendf(char *msg, size_t size, const char *fmt, ...)
{
	size_t n = strlen(msg);
	if (n + 1 >= size)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg + n, size - n, fmt, ap);
	va_end(ap);
}

void check_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("tldb: error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* ---- children ---- */

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void child_main(check *c, child_fn fn, const void *arg, int fd)
{
	char msg[MSG_SIZE] = "";
	alarm(CHILD_SECONDS);
	int rc = fn(c, arg, msg, sizeof msg);
	char head = rc ? '1' : '0';
	write_all(fd, &head, 1);
	write_all(fd, msg, strlen(msg));
	_exit(0);
}

/* Reads the child's verdict until EOF or the deadline; 1 on timeout. */
static int read_verdict(int fd, char *buf, size_t size, size_t *len)
{
	time_t deadline = time(NULL) + CHILD_SECONDS + PARENT_GRACE;
	*len = 0;
	for (;;) {
		time_t left = deadline - time(NULL);
		if (left <= 0)
			return 1;
		struct pollfd p = {fd, POLLIN, 0};
		int r = poll(&p, 1, (int)left * 1000);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r == 0;
		ssize_t n = read(fd, buf + *len, size - 1 - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || (*len += (size_t)n) == size - 1)
			return 0;
	}
}

/* Turns the child's end into a verdict: 0 pass, 1 fail (reason in msg);
 * *how says whether the child ended by itself. */
static int child_result(int status, const char *buf, size_t len, check_end *how,
                        char *msg, size_t size)
{
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		*how = sig == SIGALRM ? CHECK_HUNG : CHECK_CRASHED;
		if (sig == SIGALRM)
			snprintf(msg, size, "hung (no result after %d s)",
			         CHILD_SECONDS);
		else
			snprintf(msg, size, "crashed with signal %d (%s)", sig,
			         strsignal(sig));
		return 1;
	}
	if (len == 0) {
		*how = CHECK_NO_RESULT;
		snprintf(msg, size,
		         "the process exited (status %d) without a "
		         "result: the plugin called exit(), or a "
		         "sanitizer stopped it (see stderr)",
		         WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return 1;
	}
	*how = CHECK_ENDED;
	snprintf(msg, size, "%.*s", (int)(len - 1), buf + 1);
	return buf[0] != '0';
}

/* Forks a child running fn(c, arg); its verdict comes through *rfd.
 * Returns the child's pid, or -1 with the reason in msg. */
static pid_t start_child(check *c, child_fn fn, const void *arg, int *rfd,
                         char *msg, size_t size)
{
	int fds[2];
	if (pipe(fds)) {
		snprintf(msg, size, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		child_main(c, fn, arg, fds[1]);
	}
	if (pid < 0) {
		snprintf(msg, size, "fork: %s", strerror(errno));
		close(fds[0]);
	}
	close(fds[1]);
	*rfd = fds[0];
	return pid;
}

int check_run_child(check *c, child_fn fn, const void *arg, check_end *how,
                    char *msg, size_t size)
{
	int fd;
	*how = CHECK_NO_RESULT;
	pid_t pid = start_child(c, fn, arg, &fd, msg, size);
	if (pid < 0)
		return 1;
	char buf[MSG_SIZE + 1];
	size_t len;
	int timed_out = read_verdict(fd, buf, sizeof buf, &len);
	close(fd);
	if (timed_out)
		kill(pid, SIGKILL);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!timed_out)
		return child_result(status, buf, len, how, msg, size);
	*how = CHECK_HUNG;
	snprintf(msg, size, "hung (killed after %d s)",
	         CHILD_SECONDS + PARENT_GRACE);
	return 1;
}

/* Runs fn(c, arg) in a child; 0 pass, 1 fail with the reason in msg. */
static int run_child(check *c, child_fn fn, const void *arg, char *msg,
                     size_t size)
{
	check_end how;
	return check_run_child(c, fn, arg, &how, msg, size);
}

/* ---- 1. loading ---- */

static int child_load(check *c, const void *arg, char *msg, size_t size)
{
	(void)arg;
	tldb_plugins *p;
	tldb_msgbuf err;
	if (tldb_plugins_new(&p)) {
		snprintf(msg, size, "out of memory");
		return 1;
	}
	if (tldb_plugins_load(p, c->path, &err)) {
		snprintf(msg, size, "%s", err.msg);
		return 1;
	}
	return 0;
}

static const char *kinds(const tldb_plugin_info *info)
{
	return info->importer && info->exporter ? "import,export"
	       : info->importer                 ? "import"
	                                        : "export";
}

/* Loads in a child first, then (when that went well) here. */
static void check_load(check *c)
{
	char msg[MSG_SIZE];
	tldb_msgbuf err;
	if (run_child(c, child_load, NULL, msg, sizeof msg)) {
		check_fail(c, "loads", "%s", msg);
		return;
	}
	if (tldb_plugins_load(c->reg, c->path, &err)) {
		check_fail(c, "loads", "%s", err.msg);
		return;
	}
	c->info = tldb_plugins_at(c->reg, 0, NULL);
	snprintf(msg, sizeof msg, "loads: %s %s (plugin ABI %u.%u), %s",
	         c->info->name, c->info->version, c->info->abi_major,
	         c->info->abi_minor, kinds(c->info));
	check_pass(c, msg);
}

/* Fills the source database (no plugin code runs: done here). */
static int make_db(check *c, char *msg, size_t size)
{
	tldb *db = NULL;
	snprintf(c->src_db, sizeof c->src_db, "%s/events.db", c->dir);
	int rc = tldb_open(c->src_db, TLDB_OPEN_CREATE, &db);
	if (rc)
		snprintf(msg, size, "%s", tldb_errmsg(db));
	else
		rc = check_put_events(db, msg, size);
	tldb_close(db);
	c->have_db = !rc;
	return rc;
}

/* ---- 5. exporter ---- */

typedef struct export_job {
	tldb_query q;
	const char *out_path; /* NULL: count the bytes only */
	int64_t events;       /* how many the query selects */
} export_job;

static int write_file(void *ud, const void *buf, size_t len)
{
	return fwrite(buf, 1, len, ud) == len ? 0 : -1;
}

static int write_nothing(void *ud, const void *buf, size_t len)
{
	(void)ud;
	(void)buf;
	(void)len;
	return 0;
}

static int export_to(check *c, tldb *db, const export_job *j, FILE *out,
                     char *msg, size_t size)
{
	tldb_export_opts o = {0};
	tldb_export_stats st = {0};
	tldb_msgbuf err;
	o.format = c->info->name;
	o.query = &j->q;
	o.write = out ? write_file : write_nothing;
	o.ud = out;
	if (tldb_export(db, c->reg, &o, &st, &err)) {
		snprintf(msg, size, "export failed: %s", err.msg);
		return 1;
	}
	if (st.events != j->events) {
		snprintf(msg, size, "exported %lld of %lld events",
		         (long long)st.events, (long long)j->events);
		return 1;
	}
	if (j->events > 0 && st.bytes <= 0) {
		snprintf(msg, size, "wrote no output for %lld events",
		         (long long)j->events);
		return 1;
	}
	return 0;
}

static int child_export(check *c, const void *arg, char *msg, size_t size)
{
	const export_job *j = arg;
	tldb *db = NULL;
	FILE *out = NULL;
	int rc = 1;
	if (tldb_open(c->src_db, TLDB_OPEN_READONLY, &db))
		snprintf(msg, size, "%s", tldb_errmsg(db));
	else if (j->out_path && !(out = fopen(j->out_path, "wb")))
		snprintf(msg, size, "%s: %s", j->out_path, strerror(errno));
	else
		rc = export_to(c, db, j, out, msg, size);
	if (out && fclose(out) && !rc) {
		snprintf(msg, size, "%s: %s", j->out_path, strerror(errno));
		rc = 1;
	}
	tldb_close(db);
	return rc;
}

static void check_exporter(check *c)
{
	char msg[MSG_SIZE];
	if (make_db(c, msg, sizeof msg)) {
		check_fail(c, "exporter: generating events", "%s", msg);
		return;
	}
	export_job j;
	tldb_query_init(&j.q);
	j.q.lo = tldb_days_from_civil(1000, 1, 1) * 86400;
	j.q.hi = tldb_days_from_civil(1002, 1, 1) * 86400;
	j.out_path = NULL;
	j.events = 0;
	int rc = run_child(c, child_export, &j, msg, sizeof msg);
	check_verdict(c, "exporter: empty result (years 1000..1001)", rc, msg);
	tldb_query_init(&j.q);
	j.events = NEVENTS;
	rc = run_child(c, child_export, &j, msg, sizeof msg);
	check_verdict(c, "exporter: 10000 generated events", rc, msg);
	/* The sample for truncation and the round trip. */
	j.q.limit = j.events = SAMPLE_EVENTS;
	snprintf(c->sample, sizeof c->sample, "%s/sample.out", c->dir);
	j.out_path = c->sample;
	c->have_sample = !run_child(c, child_export, &j, msg, sizeof msg);
	if (!c->have_sample)
		check_fail(c, "exporter: 500 events to a file", "%s", msg);
}

/* ---- 4. importer ---- */

typedef struct input {
	const uint8_t *data;
	size_t len;
} input;

/* Makes a fresh folder with the input and a database; *db on success. */
static int fresh_db(check *c, const input *in, char *folder, size_t fsize,
                    tldb **db, char *msg, size_t size)
{
	char path[4300];
	snprintf(folder, fsize, "%s/import-XXXXXX", c->dir);
	if (!mkdtemp(folder)) {
		snprintf(msg, size, "mkdtemp: %s", strerror(errno));
		return 1;
	}
	snprintf(path, sizeof path, "%s/input", folder);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(in->data, 1, in->len, f) != in->len || fclose(f)) {
		snprintf(msg, size, "%s: cannot write", path);
		return 1;
	}
	snprintf(path, sizeof path, "%s/db", folder);
	if (tldb_open(path, TLDB_OPEN_CREATE, db)) {
		snprintf(msg, size, "%s", tldb_errmsg(*db));
		tldb_close(*db);
		return 1;
	}
	return 0;
}

static int import_file(check *c, tldb *db, const char *folder, tldb_msgbuf *err)
{
	char path[4300];
	snprintf(path, sizeof path, "%s/input", folder);
	tldb_import_opts o = {0};
	o.plugin = c->info->name;
	o.path = path;
	o.name = "input";
	o.on_error = TLDB_ON_ERROR_ABORT;
	return tldb_import(db, c->reg, &o, NULL, err);
}

/* Imports one input: a pass when it ends well or fails with a position. */
static int child_import(check *c, const void *arg, char *msg, size_t size)
{
	char folder[4200];
	tldb *db = NULL;
	tldb_msgbuf err;
	if (fresh_db(c, arg, folder, sizeof folder, &db, msg, size))
		return 1;
	int rc = import_file(c, db, folder, &err);
	tldb_close(db);
	if (rc == TLDB_OK || err.line > 0)
		return 0;
	snprintf(msg, size, "an error without a position (line 0): %s",
	         err.msg);
	return 1;
}

/* Runs every input in a child; one line for the kind. */
static void check_inputs(check *c, const char *what, const input *ins, size_t n)
{
	char msg[MSG_SIZE];
	for (size_t i = 0; i < n; i++) {
		if (run_child(c, child_import, &ins[i], msg, sizeof msg)) {
			check_fail(c, what, "input %zu of %zu (%zu bytes): %s",
			           i + 1, n, ins[i].len, msg);
			return;
		}
	}
	check_pass(c, what);
}

static uint8_t *read_sample(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0;
	*len = 0;
	while (f) {
		if (*len == cap) {
			uint8_t *b = realloc(buf, cap ? cap * 2 : 65536);
			if (!b)
				break;
			buf = b;
			cap = cap ? cap * 2 : 65536;
		}
		size_t n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
		if (n == 0)
			break;
	}
	if (f)
		fclose(f);
	return buf;
}

static void check_truncated(check *c)
{
	static const char what[] = "importer: truncated inputs (10 cuts)";
	if (!c->have_sample) {
		check_skip(what,
		           "no sample (the plugin has no working exporter)");
		return;
	}
	size_t len;
	uint8_t *data = read_sample(c->sample, &len);
	if (!data || len == 0) {
		check_fail(c, what, "cannot read the exporter's sample");
		free(data);
		return;
	}
	input ins[NCUTS];
	for (size_t k = 0; k < NCUTS; k++)
		ins[k] = (input){data, len * (k + 1) / (NCUTS + 1)};
	check_inputs(c, what, ins, NCUTS);
	free(data);
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Random inputs of 1..64 KiB: bytes, or printable ASCII lines. */
static uint8_t *random_input(uint64_t *seed, int text, size_t *len)
{
	*len = 1 + (size_t)(rng_next(seed) % 65536);
	uint8_t *buf = malloc(*len);
	for (size_t i = 0; buf && i < *len; i++) {
		uint64_t r = rng_next(seed);
		if (!text)
			buf[i] = (uint8_t)r;
		else
			buf[i] = r % 40 == 0 ? '\n' : (uint8_t)(32 + r % 95);
	}
	return buf;
}

static void check_random(check *c)
{
	uint64_t seed = 0x7d1b5eedULL;
	input ins[NRANDOM + 1];
	uint8_t *bufs[NRANDOM + 1];
	size_t n = 0;
	for (; n < NRANDOM + 1; n++) {
		bufs[n] = random_input(&seed, n == NRANDOM, &ins[n].len);
		ins[n].data = bufs[n];
		if (!bufs[n])
			break;
	}
	if (n < NRANDOM + 1)
		check_fail(c, "importer: random inputs", "out of memory");
	else {
		check_inputs(c, "importer: random bytes (5 inputs)", ins,
		             NRANDOM);
		check_inputs(c, "importer: random printable text",
		             ins + NRANDOM, 1);
	}
	for (size_t i = 0; i < n; i++)
		free(bufs[i]);
}

static void check_importer(check *c)
{
	input empty = {(const uint8_t *)"", 0};
	check_inputs(c, "importer: empty input", &empty, 1);
	check_truncated(c);
	check_random(c);
}

/* ---- 6. round trip ---- */

static int same(const char *a, const char *b)
{
	return (!a || !*a) ? (!b || !*b) : (b && strcmp(a, b) == 0);
}

static int same_tags(const tldb_event *a, const tldb_event *b)
{
	if (a->ntags != b->ntags)
		return 0;
	for (size_t i = 0; i < a->ntags; i++)
		if (strcmp(a->tags[i], b->tags[i]) != 0)
			return 0;
	return 1;
}

static const char *str_or_null(const char *s)
{
	return s ? s : "(none)";
}

/* Notes the first field that differs ("UID: FIELD 'A' != 'B'"); 1 if any. */
static int differs(const tldb_event *a, const tldb_event *b, char *msg,
                   size_t size)
{
	const char *const names[] = {"title", "start",    "end",
	                             "tz",    "location", "url"};
	const char *const va[] = {a->title, a->start,    a->end,
	                          a->tz,    a->location, a->url};
	const char *const vb[] = {b->title, b->start,    b->end,
	                          b->tz,    b->location, b->url};
	const char *sep = *msg ? "; " : "";
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		if (same(va[i], vb[i]))
			continue;
		check_appendf(msg, size, "%s%s: %s '%s' became '%s'", sep,
		              a->uid, names[i], str_or_null(va[i]),
		              str_or_null(vb[i]));
		return 1;
	}
	if (same_tags(a, b))
		return 0;
	check_appendf(msg, size, "%s%s: tags differ (%zu became %zu)", sep,
	              a->uid, a->ntags, b->ntags);
	return 1;
}

/* Compares one event; returns 1 (and notes it) when it differs. */
static int compare_one(tldb *src, tldb *dst, const char *uid, char *msg,
                       size_t size)
{
	tldb_event *a = NULL, *b = NULL;
	int rc = 1;
	if (tldb_get(src, uid, &a))
		check_appendf(msg, size, "%s%s: missing from the source",
		              *msg ? "; " : "", uid);
	else if (tldb_get(dst, uid, &b))
		check_appendf(msg, size,
		              "%s%s: missing after import (title '%s')",
		              *msg ? "; " : "", uid, str_or_null(a->title));
	else
		rc = differs(a, b, msg, size);
	tldb_event_free(a);
	tldb_event_free(b);
	return rc;
}

static int compare_dbs(tldb *src, tldb *dst, char *msg, size_t size)
{
	tldb_query q;
	tldb_query_init(&q);
	q.limit = SAMPLE_EVENTS;
	tldb_cursor *cur;
	if (tldb_query_open(src, &q, &cur)) {
		snprintf(msg, size, "%s", tldb_errmsg(src));
		return 1;
	}
	const tldb_event *ev;
	int ndiff = 0;
	while (tldb_cursor_next(cur, &ev) == TLDB_OK)
		if (compare_one(src, dst, ev->uid, msg, size) && ++ndiff == 3)
			break;
	tldb_cursor_free(cur);
	tldb_stats st;
	if (!ndiff && !tldb_stats_get(dst, &st) && st.events != SAMPLE_EVENTS)
		snprintf(msg, size, "%lld events after import, expected %d",
		         (long long)st.events, SAMPLE_EVENTS);
	return ndiff || *msg;
}

static int child_round_trip(check *c, const void *arg, char *msg, size_t size)
{
	(void)arg;
	size_t len;
	uint8_t *data = read_sample(c->sample, &len);
	input in = {data, len};
	char folder[4200];
	tldb *dst = NULL, *src = NULL;
	tldb_msgbuf err;
	if (!data || fresh_db(c, &in, folder, sizeof folder, &dst, msg, size))
		return 1;
	int rc = 1;
	if (import_file(c, dst, folder, &err))
		snprintf(msg, size, "import of the export failed: %s", err.msg);
	else if (tldb_open(c->src_db, TLDB_OPEN_READONLY, &src))
		snprintf(msg, size, "%s", tldb_errmsg(src));
	else
		rc = compare_dbs(src, dst, msg, size);
	tldb_close(src);
	tldb_close(dst);
	free(data);
	return rc;
}

static void check_round_trip(check *c)
{
	static const char what[] = "round trip: 500 events export -> import";
	char msg[MSG_SIZE];
	if (!c->have_sample) {
		check_skip(what, "the exporter failed");
		return;
	}
	int rc = run_child(c, child_round_trip, NULL, msg, sizeof msg);
	check_verdict(c, what, rc, msg);
}

/* ---- the command ---- */

static int remove_one(const char *path, const struct stat *st, int flag,
                      struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void check_remove_tree(const char *dir)
{
	nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int make_dir(check *c)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(c->dir, sizeof c->dir, "%s/tldb-check-XXXXXX",
	         tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(c->dir))
		return 0;
	check_error("%s: %s", c->dir, strerror(errno));
	return 1;
}

static void run_plugin_checks(check *c)
{
	if (!c->info) {
		check_skip("importer and exporter checks",
		           "the plugin did not load");
		return;
	}
	if (c->info->exporter)
		check_exporter(c);
	else
		check_skip("exporter", "the plugin has none");
	if (c->info->importer)
		check_importer(c);
	else
		check_skip("importer", "the plugin has none");
	if (c->info->importer && c->info->exporter)
		check_round_trip(c);
}

/* The whole run; corpus NULL: the conformance checks, else --corpus. */
static int check_plugin(const char *path, const char *corpus)
{
	check c;
	memset(&c, 0, sizeof c);
	char real[4096];
	c.path = realpath(path, real) ? real : path;
	if (tldb_plugins_new(&c.reg)) {
		check_error("out of memory");
		return 1;
	}
	if (make_dir(&c)) {
		tldb_plugins_free(c.reg);
		return 1;
	}
	printf("checking %s\n", c.path);
	check_load(&c);
	if (corpus) {
		check_corpus(&c, corpus);
	} else {
		check_elf(&c);
		run_plugin_checks(&c);
	}
	check_remove_tree(c.dir);
	tldb_plugins_free(c.reg);
	printf("%d passed, %d failed\n", c.passed, c.failed);
	return c.failed ? 1 : 0;
}

int checker_run(const char *path, const char *corpus_dir)
{
	return check_plugin(path, corpus_dir);
}
