/*
 * test_cli_safety.c -- end-to-end tests of what the `tldb` command promises
 * about the user's files, with the real binary: a failed command never
 * removes a database another process has written to; a multi-file import
 * stores all its files or none; exported files get the umask's mode; no
 * folder is made for a path the user gave; a crashing plugin is named and
 * leaves the database as it was; a plugin folder named twice loads once;
 * read-only and truncated databases give clear errors.
 *
 * Each test runs in a fresh mkdtemp folder.  Commands are started with
 * fork and execve, their stdout and stderr going to files in that folder,
 * so two can run at once.
 */
#define _GNU_SOURCE /* mkdtemp, setenv */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
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
#define MAX_ARGS 64
#define MAX_ENV  8

static char g_dir[256];
static char g_db[512];
static int g_seq;

/* ---- running the binary ---- */

typedef struct proc {
	pid_t pid;
	char out[600], err[600];
} proc;

typedef struct run {
	int code; /* exit status, or 128 + signal */
	char *out, *err;
} run;

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	cr_assert_not_null(buf);
	size_t got;
	while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n < 2) {
			cap *= 2;
			buf = realloc(buf, cap);
			cr_assert_not_null(buf);
		}
	}
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Starts TLDB_BIN with args (NULL-terminated) and the variables of env
 * (NULL-terminated "NAME=VALUE", may be NULL) over ours less those that
 * steer tldb; stdin is /dev/null. */
static proc start_env(const char *const *env, const char *const *args)
{
	proc p;
	int seq = g_seq++;
	snprintf(p.out, sizeof p.out, "%s/out.%d", g_dir, seq);
	snprintf(p.err, sizeof p.err, "%s/err.%d", g_dir, seq);
	const char *argv[MAX_ARGS + 2];
	size_t argc = 0;
	argv[argc++] = TLDB_BIN;
	for (size_t i = 0; args[i]; i++) {
		cr_assert_lt(argc, (size_t)MAX_ARGS);
		argv[argc++] = args[i];
	}
	argv[argc] = NULL;
	size_t n = 0;
	while (environ[n])
		n++;
	const char **envp = calloc(n + MAX_ENV + 4, sizeof *envp);
	cr_assert_not_null(envp);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const char *e = environ[i];
		if (strncmp(e, "TLDB_", 5) == 0 || strncmp(e, "TZ=", 3) == 0 ||
		    strncmp(e, "XDG_DATA_HOME=", 14) == 0 ||
		    (env && strncmp(e, "HOME=", 5) == 0))
			continue;
		envp[k++] = e;
	}
	envp[k++] = "TLDB_NOW=" NOW;
	envp[k++] = "TZ=UTC";
	for (size_t i = 0; env && env[i]; i++) {
		cr_assert_lt(i, (size_t)MAX_ENV);
		envp[k++] = env[i];
	}
	envp[k] = NULL;
	p.pid = fork();
	cr_assert_geq(p.pid, 0, "fork: %s", strerror(errno));
	if (p.pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		int out = open(p.out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int err = open(p.err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (in < 0 || out < 0 || err < 0)
			_exit(126);
		dup2(in, 0);
		dup2(out, 1);
		dup2(err, 2);
		execve(TLDB_BIN, (char *const *)argv, (char *const *)envp);
		_exit(127);
	}
	free(envp);
	return p;
}

static run finish(proc *p)
{
	int status;
	while (waitpid(p->pid, &status, 0) < 0)
		cr_assert_eq(errno, EINTR);
	run r;
	r.code = WIFEXITED(status) ? WEXITSTATUS(status)
	                           : 128 + WTERMSIG(status);
	r.out = slurp(p->out);
	r.err = slurp(p->err);
	return r;
}

static run run_env(const char *const *env, const char *const *args)
{
	proc p = start_env(env, args);
	return finish(&p);
}

static void run_free(run *r)
{
	free(r->out);
	free(r->err);
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})
/* `tldb --db g_db ...` */
#define TL(...) run_env(NULL, ARGS("--db", g_db, __VA_ARGS__))
/* `tldb --plugin-dir FIXTURES --db g_db ...` */
#define TLFX(...)                                                              \
	run_env(NULL, ARGS("--plugin-dir", TLDB_FIXTURE_DIR, "--db", g_db,     \
	                   __VA_ARGS__))

static run expect(run r, int code)
{
	cr_assert_eq(r.code, code,
	             "exit status %d, expected %d\nstdout: %s\nstderr: %s",
	             r.code, code, r.out, r.err);
	return r;
}

/* Asserts success and returns stdout (the caller frees). */
static char *ok_out(run r)
{
	expect(r, 0);
	free(r.err);
	return r.out;
}

static void ok(run r)
{
	free(ok_out(r));
}

/* Asserts a failure with "tldb: error: " and each of the NULL-terminated
 * strings on stderr; returns stderr (the caller frees). */
static char *fails_with(run r, ...)
{
	cr_assert_neq(r.code, 0, "succeeded; stderr: %s", r.err);
	cr_assert_lt(r.code, 128, "killed by signal %d; stderr: %s",
	             r.code - 128, r.err);
	cr_assert(strstr(r.err, "tldb: error: ") != NULL,
	          "no 'tldb: error: ' on stderr: %s", r.err);
	va_list ap;
	va_start(ap, r);
	for (const char *s; (s = va_arg(ap, const char *));)
		cr_assert(strstr(r.err, s) != NULL, "stderr lacks '%s': %s", s,
		          r.err);
	va_end(ap);
	free(r.out);
	return r.err;
}

#define FAILS(r, ...) free(fails_with(r, __VA_ARGS__, NULL))

/* ---- files ---- */

static char *path_in(const char *name)
{
	char *p = malloc(sizeof g_dir + 128);
	cr_assert_not_null(p);
	snprintf(p, sizeof g_dir + 128, "%s/%s", g_dir, name);
	return p;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	cr_assert_eq(fwrite(text, 1, strlen(text), f), strlen(text));
	cr_assert_eq(fclose(f), 0);
}

static int exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* Everything in the database: its events and its timelines. */
static char *dump(void)
{
	char *events = ok_out(TL("query", "--format", "jsonl"));
	char *timelines = ok_out(TL("timeline", "list"));
	size_t n = strlen(events) + strlen(timelines) + 2;
	char *all = malloc(n);
	cr_assert_not_null(all);
	snprintf(all, n, "%s\n%s", events, timelines);
	free(events);
	free(timelines);
	return all;
}

static void expect_dump(const char *before)
{
	char *after = dump();
	cr_assert_str_eq(after, before, "the database changed");
	free(after);
}

static int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	chmod(path, 0700);
	return remove(path);
}

static void setup(void)
{
	snprintf(g_dir, sizeof g_dir, "/tmp/tldb-safety-XXXXXX");
	cr_assert_not_null(mkdtemp(g_dir), "mkdtemp: %s", strerror(errno));
	snprintf(g_db, sizeof g_db, "%s/tldb.db", g_dir);
	g_seq = 0;
}

static void teardown(void)
{
	if (g_dir[0])
		nftw(g_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(safety, .init = setup, .fini = teardown, .timeout = 120);

/* Waits (up to 30 s) until cond(arg) holds. */
static void wait_for(int (*cond)(const void *), const void *arg,
                     const char *what)
{
	for (int i = 0; i < 3000; i++) {
		if (cond(arg))
			return;
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	cr_assert_fail("timed out waiting for %s", what);
}

static int file_there(const void *path)
{
	return exists(path);
}

/* Whether process pid has the file at path open (or has exited). */
static int has_open(const void *arg)
{
	const proc *p = arg;
	char fds[64];
	snprintf(fds, sizeof fds, "/proc/%d/fd", (int)p->pid);
	struct stat want;
	if (stat(g_db, &want) != 0)
		return 0;
	for (int fd = 0; fd < 64; fd++) {
		char link[96];
		struct stat sb;
		snprintf(link, sizeof link, "%s/%d", fds, fd);
		if (stat(link, &sb) == 0 && sb.st_ino == want.st_ino &&
		    sb.st_dev == want.st_dev)
			return 1;
	}
	/* A zombie (it has exited) has nothing open any more. */
	char stat_path[64], line[256] = "";
	snprintf(stat_path, sizeof stat_path, "/proc/%d/stat", (int)p->pid);
	FILE *f = fopen(stat_path, "r");
	if (f) {
		if (!fgets(line, sizeof line, f))
			line[0] = '\0';
		fclose(f);
	}
	const char *paren = strrchr(line, ')');
	return paren && paren[1] == ' ' && paren[2] == 'Z';
}

/* ---- 2: a failed first command and another process ---- */

/* A imports into a new database and fails at its last record; while A is
 * half-way (its importer waits at a gate), B adds an event to the same
 * database and succeeds.  B's event must survive A's failure, though A
 * created the file. */
Test(safety, failed_first_import_keeps_what_another_process_wrote)
{
	char *gate = path_in("gate");
	cr_assert_eq(mkdir(gate, 0700), 0);
	char *input = path_in("big.lines");
	FILE *f = fopen(input, "w");
	cr_assert_not_null(f);
	for (int i = 1; i <= 2000; i++)
		fprintf(f, "2020-01-%02d|a %d\n", 1 + i % 28, i);
	fclose(f);
	char opt[400];
	snprintf(opt, sizeof opt, "gate=%s", gate);
	cr_assert(!exists(g_db));
	proc a = start_env(NULL, ARGS("--plugin-dir", TLDB_FIXTURE_DIR, "--db",
	                              g_db, "import", "-o", opt, "-o",
	                              "fail-at=2000", input));
	char *ready = path_in("gate/ready");
	wait_for(file_there, ready, "A to start importing");
	cr_assert(exists(g_db));
	/* B waits for A's write lock; once it holds the file, A may go on. */
	proc b = start_env(NULL, ARGS("--db", g_db, "add", "--title",
	                              "written by B", "--start", "2021-05-05"));
	wait_for(has_open, &b, "B to open the database");
	char *go = path_in("gate/go");
	write_file(go, "");
	FAILS(finish(&a), "bad record (fail-at)");
	char *uid = ok_out(finish(&b));
	cr_assert_neq(uid[0], '\0');
	free(uid);
	cr_assert(exists(g_db), "A removed the database B wrote to");
	char *out = ok_out(TL("query"));
	cr_assert(strstr(out, "written by B") != NULL, "B's event is gone:\n%s",
	          out);
	cr_assert(strstr(out, "a 1") == NULL, "A's events stayed:\n%s", out);
	free(out);
	free(go);
	free(ready);
	free(input);
	free(gate);
}

/* Alone, a failed first command still leaves no file. */
Test(safety, failed_first_import_alone_leaves_no_file)
{
	char *input = path_in("a.lines");
	write_file(input, "2020|one\n2021|two\nbad line\n");
	FAILS(TLFX("import", input), "no '|'");
	cr_assert(!exists(g_db), "a failed import left a new database");
	char wal[600];
	snprintf(wal, sizeof wal, "%s-wal", g_db);
	cr_assert(!exists(wal));
	free(input);
}

/* The same with B an import of its own (several events, one commit). */
Test(safety, failed_first_import_keeps_another_import)
{
	char *gate = path_in("gate");
	cr_assert_eq(mkdir(gate, 0700), 0);
	char *input = path_in("a.lines");
	write_file(input, "2020|one\n2021|two\n");
	char *other = path_in("b.jsonl");
	write_file(other, "{\"title\": \"b one\", \"start\": \"2021\"}\n"
	                  "{\"title\": \"b two\", \"start\": \"2022\"}\n");
	char opt[400];
	snprintf(opt, sizeof opt, "gate=%s", gate);
	proc a = start_env(NULL,
	                   ARGS("--plugin-dir", TLDB_FIXTURE_DIR, "--db", g_db,
	                        "import", "-o", opt, "-o", "fail-at=2", input));
	char *ready = path_in("gate/ready");
	wait_for(file_there, ready, "A to start importing");
	proc b = start_env(NULL, ARGS("--db", g_db, "import", other));
	wait_for(has_open, &b, "B to open the database");
	char *go = path_in("gate/go");
	write_file(go, "");
	FAILS(finish(&a), "bad record");
	run rb = expect(finish(&b), 0);
	cr_assert(strstr(rb.err, "2 events written") != NULL, "%s", rb.err);
	run_free(&rb);
	char *out = ok_out(TL("query"));
	cr_assert(strstr(out, "b one") && strstr(out, "b two"), "%s", out);
	free(out);
	free(go);
	free(ready);
	free(other);
	free(input);
	free(gate);
}

/* ---- 3: a multi-file import ---- */

static const char ics_head[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//"
                               "t//EN\r\n";

/* One VEVENT; date NULL gives it a DTSTART that is not a date (a bad
 * record; a VEVENT without DTSTART is only a warning). */
static void write_ics(const char *path, const char *uid, const char *title,
                      const char *date)
{
	char start[64] = "DTSTART:20201399\r\n";
	if (date)
		snprintf(start, sizeof start, "DTSTART;VALUE=DATE:%s\r\n",
		         date);
	char text[1024];
	snprintf(text, sizeof text,
	         "%sBEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20220101T000000Z\r\n"
	         "%sSUMMARY:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
	         ics_head, uid, start, title);
	write_file(path, text);
}

Test(safety, multi_file_import_is_all_or_none)
{
	ok(TL("add", "--title", "before", "--start", "2019-01-01"));
	char *a = path_in("a.ics"), *bad = path_in("bad.ics"),
	     *b = path_in("b.ics");
	write_ics(a, "a1", "from a", "20200101");
	write_ics(b, "b1", "from b", "20200202");
	write_ics(bad, "x1", "no start", NULL);
	char *before = dump();
	char *err = fails_with(TL("import", a, bad, b), "bad.ics",
	                       "is not a date", NULL);
	cr_assert(strstr(err, "events written") == NULL,
	          "claims events written that were rolled back: %s", err);
	cr_assert(strstr(err, "nothing was written") != NULL, "%s", err);
	free(err);
	expect_dump(before);
	/* Skip: the good files (and the good records) are stored. */
	run r = expect(TL("import", "--on-error", "skip", a, bad, b), 0);
	cr_assert(strstr(r.err, "a.ics: 1 events written") != NULL, "%s",
	          r.err);
	cr_assert(strstr(r.err, "b.ics: 1 events written") != NULL, "%s",
	          r.err);
	cr_assert(strstr(r.err, "skipped") != NULL, "%s", r.err);
	run_free(&r);
	char *out = ok_out(TL("query"));
	cr_assert(strstr(out, "from a") && strstr(out, "from b") &&
	                  strstr(out, "before") && !strstr(out, "no start"),
	          "%s", out);
	free(out);
	free(before);
	free(a);
	free(b);
	free(bad);
}

/* All the files good: each file's summary, once committed; a bulk load
 * across the files (indexes deferred until the commit) stays queryable. */
Test(safety, multi_file_import_commits_once)
{
	char *a = path_in("a.lines"), *b = path_in("b.lines");
	FILE *fa = fopen(a, "w"), *fb = fopen(b, "w");
	cr_assert(fa && fb);
	for (int i = 0; i < 12000; i++) {
		fprintf(fa, "2020-%02d-%02d|a %d\n", 1 + i % 12, 1 + i % 28, i);
		fprintf(fb, "2021-%02d-%02d|b %d\n", 1 + i % 12, 1 + i % 28, i);
	}
	fclose(fa);
	fclose(fb);
	run r = expect(TLFX("import", a, b), 0);
	cr_assert(strstr(r.err, "a.lines: 12000 events written") != NULL, "%s",
	          r.err);
	cr_assert(strstr(r.err, "b.lines: 12000 events written") != NULL, "%s",
	          r.err);
	run_free(&r);
	const char *years[] = {"2020", "2021"};
	for (int y = 0; y < 2; y++) {
		char *out = ok_out(TL("query", years[y], "--format", "jsonl"));
		size_t n = 0;
		for (const char *s = out; *s; s++)
			n += *s == '\n';
		cr_assert_eq(n, 12000, "%zu events in %s", n, years[y]);
		free(out);
	}
	free(a);
	free(b);
}

/* ---- 9: files and folders ---- */

static mode_t mode_of(const char *path)
{
	struct stat sb;
	cr_assert_eq(stat(path, &sb), 0, "%s: %s", path, strerror(errno));
	return sb.st_mode & 07777;
}

Test(safety, export_output_mode_follows_the_umask)
{
	ok(TL("add", "--title", "x", "--start", "2020"));
	char *out = path_in("page.json");
	umask(022);
	ok(TL("export", "--output", out));
	cr_assert_eq(mode_of(out), 0644, "mode %o", mode_of(out));
	umask(027);
	ok(TL("export", "--output", out)); /* replaced */
	cr_assert_eq(mode_of(out), 0640, "mode %o", mode_of(out));
	free(out);
}

Test(safety, missing_folders_are_errors_not_made)
{
	ok(TL("add", "--title", "x", "--start", "2020"));
	char *missing = path_in("no/such/dir");
	char out[800];
	snprintf(out, sizeof out, "%s/x.json", missing);
	FAILS(TL("export", "--output", out), missing, "does not exist");
	char *no = path_in("no");
	cr_assert(!exists(no), "export made a folder");
	char db[800];
	snprintf(db, sizeof db, "%s/x.db", missing);
	FAILS(run_env(NULL, ARGS("--db", db, "add", "--title", "x", "--start",
	                         "2020")),
	      missing, "does not exist");
	cr_assert(!exists(no), "--db made a folder");
	char var[900];
	snprintf(var, sizeof var, "TLDB_DB=%s", db);
	char home[700];
	snprintf(home, sizeof home, "HOME=%s", g_dir);
	FAILS(run_env(ARGS(var, home),
	              ARGS("add", "--title", "x", "--start", "2020")),
	      missing, "does not exist");
	cr_assert(!exists(no), "$TLDB_DB made a folder");
	/* The typo the issue met: a URL given as a path. */
	char url[] = "postgresql://localhost/tldb";
	FAILS(run_env(NULL, ARGS("--db", url, "add", "--title", "x", "--start",
	                         "2020")),
	      "postgresql:/", "does not exist");
	cr_assert(!exists("postgresql:"), "made a folder 'postgresql:'");
	free(no);
	free(missing);
}

Test(safety, default_location_is_made_on_first_write)
{
	char home[700], xdg[700];
	snprintf(home, sizeof home, "HOME=%s", g_dir);
	ok(run_env(ARGS(home), ARGS("add", "--title", "x", "--start", "2020")));
	char *db = path_in(".local/share/tldb/tldb.db");
	cr_assert(exists(db), "no database at the default location");
	snprintf(xdg, sizeof xdg, "XDG_DATA_HOME=%s/xdg", g_dir);
	ok(run_env(ARGS(home, xdg),
	           ARGS("add", "--title", "x", "--start", "2020")));
	char *xdb = path_in("xdg/tldb/tldb.db");
	cr_assert(exists(xdb), "no database under $XDG_DATA_HOME");
	free(xdb);
	free(db);
}

/* ---- 10: plugins ---- */

Test(safety, crashing_plugin_is_named_and_changes_nothing)
{
	ok(TL("add", "--title", "before", "--start", "2019"));
	char *before = dump();
	char *input = path_in("x.crash");
	write_file(input, "anything\n");
	char *err = fails_with(TLFX("import", input), "plugin crash (",
	                       TLDB_FIXTURE_DIR "/crash.so) crashed (signal ",
	                       "while importing ", NULL);
	cr_assert(strstr(err, input) != NULL, "the input is not named: %s",
	          err);
	free(err);
	expect_dump(before);
	/* A multi-file import whose second file crashes its plugin. */
	char *good = path_in("good.ics");
	write_ics(good, "g1", "good", "20200101");
	FAILS(TLFX("import", good, input), "plugin crash (");
	expect_dump(before);
	free(good);
	free(input);
	free(before);
}

Test(safety, plugin_folder_named_twice_loads_once)
{
	char var[700];
	snprintf(var, sizeof var, "TLDB_PLUGIN_PATH=%s/plugins:%s/plugins/.",
	         TLDB_BUILD_DIR, TLDB_BUILD_DIR);
	char home[700];
	snprintf(home, sizeof home, "HOME=%s", g_dir);
	run r = expect(run_env(ARGS(var, home), ARGS("plugins")), 0);
	cr_assert_str_eq(r.err, "", "warnings for the same files: %s", r.err);
	cr_assert(strstr(r.out, "csv") != NULL, "%s", r.out);
	run_free(&r);
}

/* ---- read-only and truncated databases ---- */

Test(safety, truncated_database_gives_a_clear_error)
{
	char *input = path_in("a.lines");
	FILE *f = fopen(input, "w");
	cr_assert_not_null(f);
	for (int i = 0; i < 3000; i++)
		fprintf(f, "2020-01-%02d|event %d with a longer title\n",
		        1 + i % 28, i);
	fclose(f);
	ok(TLFX("import", input));
	struct stat sb;
	cr_assert_eq(stat(g_db, &sb), 0);
	cr_assert_gt(sb.st_size, 8192);
	cr_assert_eq(truncate(g_db, sb.st_size / 2), 0);
	FAILS(TL("add", "--title", "x", "--start", "2020"), "corrupt");
	FAILS(TL("query"), "corrupt");
	free(input);
}

/* Runs the command as an unprivileged user (nobody), as tests run as
 * root in CI; skipped where setpriv cannot drop privileges. */
static run as_nobody(const char *const *args)
{
	const char *argv[MAX_ARGS];
	size_t n = 0;
	argv[n++] = "--reuid=65534";
	argv[n++] = "--regid=65534";
	argv[n++] = "--clear-groups";
	argv[n++] = TLDB_BIN;
	for (size_t i = 0; args[i]; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	/* start_env runs TLDB_BIN; setpriv goes through a shell-free exec of
	 * its own. */
	proc p;
	int seq = g_seq++;
	snprintf(p.out, sizeof p.out, "%s/out.%d", g_dir, seq);
	snprintf(p.err, sizeof p.err, "%s/err.%d", g_dir, seq);
	p.pid = fork();
	cr_assert_geq(p.pid, 0);
	if (p.pid == 0) {
		int out = open(p.out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int err = open(p.err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(out, 1);
		dup2(err, 2);
		setenv("TZ", "UTC", 1);
		setenv("TLDB_NOW", NOW, 1);
		const char *xargv[MAX_ARGS + 2];
		xargv[0] = "setpriv";
		for (size_t i = 0; i <= n; i++)
			xargv[i + 1] = argv[i];
		execvp("setpriv", (char *const *)xargv);
		_exit(127);
	}
	return finish(&p);
}

Test(safety, read_only_database_reads_and_refuses_writes)
{
	if (geteuid() != 0 || !exists("/usr/bin/setpriv"))
		cr_skip_test("needs root and setpriv to test as another user");
	ok(TL("add", "--title", "kept", "--start", "2020"));
	/* A database nobody may write: the file and its folder read-only
	 * for the user. */
	cr_assert_eq(chmod(g_dir, 0755), 0);
	cr_assert_eq(chmod(g_db, 0644), 0);
	char *out = ok_out(as_nobody(ARGS("--db", g_db, "query")));
	cr_assert(strstr(out, "kept") != NULL, "%s", out);
	free(out);
	out = ok_out(as_nobody(ARGS("--db", g_db, "stats")));
	free(out);
	FAILS(as_nobody(ARGS("--db", g_db, "add", "--title", "x", "--start",
	                     "2020")),
	      "read-only");
	char *before = dump();
	cr_assert(strstr(before, "kept") != NULL);
	cr_assert(strstr(before, "\"x\"") == NULL);
	free(before);
}
