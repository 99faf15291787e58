/*
 * test_faults_cli.c -- crash consistency and full disks with the real
 * `tldb` binary:
 *   - `tldb import` of a generated 200,000-row CSV is killed with SIGKILL at
 *     ten seeded random moments spanning its run; after each kill the file
 *     passes PRAGMA integrity_check, `tldb stats` opens it, and it holds the
 *     state before the import or the whole import (abort mode), or the
 *     state before plus a prefix of whole 10,000-event batches (skip mode);
 *   - a full disk (the fault VFS of faultvfs.h preloaded into the binary
 *     with LD_PRELOAD, and a small tmpfs when we may mount one) makes
 *     `tldb import` fail with a "disk is full" message, claim no event it
 *     did not store, and leave no file behind for a new database;
 *   - a database cut in half gives a clear error from every command that
 *     reads what is missing, never a crash.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dbcheck.h"
#include "tmpdir.h"

extern char **environ;

static void setup(void)
{
	tmpdir_setup("faults-cli");
}

TestSuite(faults_cli, .init = setup, .fini = teardown, .timeout = 300);

/* ---- running the binary ---- */

typedef struct run {
	int code;   /* exit status, or -1 when killed by a signal */
	int signal; /* the signal that ended it, or 0 */
	char out[4096], err[8192];
} run;

static char *path_in(const char *name)
{
	static char bufs[16][600];
	static int next;
	char *b = bufs[next++ % 16];
	snprintf(b, sizeof bufs[0], "%s/%s", tmp_dir, name);
	return b;
}

/* The environment of a child: ours without what steers tldb, the fixed
 * clock, and `extra` (NULL-terminated, may be NULL). */
static char **child_env(const char *const *extra)
{
	size_t n = 0, k = 0;
	while (environ[n])
		n++;
	char **env = calloc(n + 16, sizeof *env);
	cr_assert_not_null(env);
	for (size_t i = 0; i < n; i++) {
		const char *e = environ[i];
		if (strncmp(e, "TLDB_", 5) == 0 || strncmp(e, "TZ=", 3) == 0 ||
		    strncmp(e, "LD_PRELOAD=", 11) == 0 ||
		    strncmp(e, "XDG_DATA_HOME=", 14) == 0)
			continue;
		/* A variable `extra` sets replaces ours. */
		int replaced = 0;
		for (size_t j = 0; extra && extra[j] && !replaced; j++) {
			size_t len = strcspn(extra[j], "=") + 1;
			replaced = strncmp(e, extra[j], len) == 0;
		}
		if (!replaced)
			env[k++] = environ[i];
	}
	env[k++] = "TLDB_NOW=2022-09-15T12:00:00Z";
	env[k++] = "TZ=UTC";
	for (size_t i = 0; extra && extra[i] && k < n + 15; i++)
		env[k++] = (char *)extra[i];
	env[k] = NULL;
	return env;
}

/* Starts `tldb --db DB args...` with stdout and stderr into files. */
static pid_t start(const char *db, const char *const *args,
                   const char *const *extra_env)
{
	char *argv[32];
	size_t argc = 0;
	argv[argc++] = (char *)TLDB_BIN;
	argv[argc++] = "--db";
	argv[argc++] = (char *)db;
	for (size_t i = 0; args[i] && argc < 30; i++)
		argv[argc++] = (char *)args[i];
	argv[argc] = NULL;
	char out[600], err[600];
	snprintf(out, sizeof out, "%s/stdout", tmp_dir);
	snprintf(err, sizeof err, "%s/stderr", tmp_dir);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, out,
	                                 O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, err,
	                                 O_WRONLY | O_CREAT | O_TRUNC, 0644);
	char **env = child_env(extra_env);
	pid_t pid;
	int rc = posix_spawn(&pid, TLDB_BIN, &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	cr_assert_eq(rc, 0, "cannot spawn %s: %s", TLDB_BIN, strerror(rc));
	return pid;
}

static void read_into(const char *path, char *buf, size_t size)
{
	buf[0] = '\0';
	FILE *f = fopen(path, "rb");
	if (!f)
		return;
	size_t n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static run finish(pid_t pid)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		cr_assert_eq(errno, EINTR);
	run r;
	r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	r.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	char path[600];
	snprintf(path, sizeof path, "%s/stdout", tmp_dir);
	read_into(path, r.out, sizeof r.out);
	snprintf(path, sizeof path, "%s/stderr", tmp_dir);
	read_into(path, r.err, sizeof r.err);
	return r;
}

static run tldb_env(const char *db, const char *const *args,
                    const char *const *env)
{
	return finish(start(db, args, env));
}

#define TL(db, ...) tldb_env(db, (const char *const[]){__VA_ARGS__, NULL}, NULL)

static void expect_ok(run r, const char *what)
{
	cr_assert_eq(r.code, 0, "%s: exit %d (signal %d)\nstderr: %s", what,
	             r.code, r.signal, r.err);
}

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* ---- inputs ---- */

/* A CSV of `rows` events, "row NNNNNNN" in each title so that a stored
 * prefix can be told from any other subset; dates from a seeded LCG. */
static void write_csv(const char *path, int rows)
{
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f);
	fputs("uid,title,start,tags,body\n", f);
	uint32_t x = 12345;
	for (int i = 0; i < rows; i++) {
		x = x * 1103515245u + 12345u;
		int year = 1900 + (int)((x >> 16) % 120);
		int month = 1 + (int)((x >> 8) % 12), day = 1 + (int)(x % 28);
		fprintf(f,
		        "gen-%07d,Generated event row %07d about things,"
		        "%04d-%02d-%02d,gen;t%d,Body text of row %d with a "
		        "few words\n",
		        i, i, year, month, day, i % 50, i);
	}
	cr_assert_eq(fclose(f), 0);
}

/* ---- the database, by raw selects ---- */

/* What the database holds: the count of events, a hash of every event's
 * stored fields in uid order, and of the generated rows, how many and the
 * highest row number. */
typedef struct state {
	int64_t events, generated, max_row;
	uint64_t hash;
} state;

static state read_state(const char *path)
{
	sqlite3 *db = raw_open(path);
	sqlite3_stmt *st;
	state s = {0, 0, -1, 1469598103934665603ull};
	cr_assert_eq(sqlite3_prepare_v2(
	                     db,
	                     "SELECT uid, title, start, tagtext, body, lo, hi "
	                     "FROM events ORDER BY uid",
	                     -1, &st, NULL),
	             SQLITE_OK, "%s", sqlite3_errmsg(db));
	while (sqlite3_step(st) == SQLITE_ROW) {
		s.events++;
		for (int c = 0; c < 7; c++) {
			const unsigned char *t = sqlite3_column_text(st, c);
			for (; t && *t; t++)
				s.hash = (s.hash ^ *t) * 1099511628211ull;
			s.hash = (s.hash ^ 0x1f) * 1099511628211ull;
		}
		const char *uid = (const char *)sqlite3_column_text(st, 0);
		if (strncmp(uid, "gen-", 4) == 0) {
			int64_t row = strtoll(uid + 4, NULL, 10);
			s.generated++;
			if (row > s.max_row)
				s.max_row = row;
		}
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return s;
}

/* A database with a few events of its own, the state before each import. */
static void make_before(const char *db)
{
	remove_db(db);
	const char *csv = path_in("before.csv");
	FILE *f = fopen(csv, "wb");
	cr_assert_not_null(f);
	fputs("uid,title,start\n", f);
	for (int i = 0; i < 20; i++)
		fprintf(f, "old-%02d,An event stored before,%d-05-0%d\n", i,
		        1950 + i, 1 + i % 9);
	fclose(f);
	expect_ok(TL(db, "import", csv), "import before.csv");
}

/* ---- SIGKILL at random moments ---- */

/* 200,000 rows take about 4 s of CPU to import (1 s more to check);
 * under the sanitizers, which slow the import about fivefold, a fifth of
 * that.  Skip mode, whose batches are 10,000 events, imports half as many:
 * ten batches are enough boundaries to land between. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TLDB_UNDER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(TLDB_UNDER_ASAN)
#define KILL_ROWS 40000
#else
#define KILL_ROWS 200000
#endif
#define KILL_TIMES 10
#define BATCH      10000 /* the import's batch in skip mode */

static void kill_loop(int skip, int rows)
{
	const char *csv = path_in("big.csv");
	const char *before_db = path_in("before.db");
	const char *db = path_in("work.db");
	write_csv(csv, rows);
	make_before(before_db);
	state before = read_state(before_db);
	const char *args[] = {"import", "--on-error", skip ? "skip" : "abort",
	                      csv, NULL};

	/* One whole run: the state after, and how long a run takes. */
	remove_db(db);
	copy_file(before_db, db);
	double t0 = seconds();
	expect_ok(tldb_env(db, args, NULL), "the whole import");
	double whole = seconds() - t0;
	state after = read_state(db);
	cr_assert_eq(after.events, before.events + rows);

	/* Seeded: a failure names its delay and is repeated by the seed. */
	srand(20261202);
	int killed_mid = 0;
	for (int i = 0; i < KILL_TIMES; i++) {
		double frac = 0.02 + 0.96 * (double)rand() / RAND_MAX;
		double delay = frac * whole;
		char what[160];
		snprintf(what, sizeof what,
		         "%s import killed after %.3f s (%.0f%% of a run)",
		         skip ? "skip" : "abort", delay, frac * 100);
		remove_db(db);
		copy_file(before_db, db);
		pid_t pid = start(db, args, NULL);
		struct timespec ts = {
		        (time_t)delay,
		        (long)((delay - (double)(time_t)delay) * 1e9)};
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
		kill(pid, SIGKILL);
		run r = finish(pid);
		expect_integrity(db, what);
		run s = TL(db, "stats");
		cr_assert_eq(s.code, 0, "%s: tldb stats: %s", what, s.err);
		state now = read_state(db);
		int same_before =
		        now.events == before.events && now.hash == before.hash;
		int same_after =
		        now.events == after.events && now.hash == after.hash;
		if (r.signal == SIGKILL && !same_after)
			killed_mid++;
		if (!skip) {
			cr_assert(
			        same_before || same_after,
			        "%s: %lld events, neither the %lld before nor "
			        "the %lld of the whole import",
			        what, (long long)now.events,
			        (long long)before.events,
			        (long long)after.events);
			continue;
		}
		/* Skip: the events before, untouched, and the first k
		 * batches of rows. */
		cr_assert_eq(now.events - now.generated, before.events, "%s",
		             what);
		cr_assert(now.generated % BATCH == 0 &&
		                  now.max_row + 1 == now.generated,
		          "%s: %lld generated rows up to row %lld: not whole "
		          "batches from the start",
		          what, (long long)now.generated,
		          (long long)now.max_row);
	}
	/* The delays span the run: most kills land before the end. */
	cr_assert_geq(killed_mid, KILL_TIMES / 2,
	              "only %d of %d kills interrupted the import", killed_mid,
	              KILL_TIMES);
}

Test(faults_cli, sigkill_during_an_abort_mode_import)
{
	kill_loop(0, KILL_ROWS);
}

Test(faults_cli, sigkill_during_a_skip_mode_import)
{
	kill_loop(1, KILL_ROWS / 2);
}

/* ---- a full disk ---- */

/* The environment that preloads the fault VFS with a full disk after
 * `bytes` bytes of growth.  ASan wants its runtime first in the list of
 * libraries; the preloaded one comes before it, harmlessly. */
static const char *const *full_env(long bytes)
{
	static char full[64], asan[256];
	static const char *env[4];
	snprintf(full, sizeof full, "TLDB_FAULT_FULL=%ld", bytes);
	const char *old = getenv("ASAN_OPTIONS");
	snprintf(asan, sizeof asan, "ASAN_OPTIONS=%s%sverify_asan_link_order=0",
	         old ? old : "", old && *old ? ":" : "");
	env[0] = "LD_PRELOAD=" TLDB_FAULTVFS_PRELOAD;
	env[1] = full;
	env[2] = asan;
	env[3] = NULL;
	return env;
}

/* The events an import's summary says it wrote ("NAME: N events
 * written"), or -1 when it printed none. */
static long long claimed(const char *err)
{
	const char *p = strstr(err, " events written");
	if (!p)
		return -1;
	while (p > err && p[-1] >= '0' && p[-1] <= '9')
		p--;
	return strtoll(p, NULL, 10);
}

static void expect_full_error(run r, const char *what)
{
	cr_assert_eq(r.signal, 0, "%s: killed by signal %d", what, r.signal);
	cr_assert_neq(r.code, 0, "%s: succeeded on a full disk: %s", what,
	              r.err);
	cr_assert_not_null(strstr(r.err, "tldb: error: "), "%s: %s", what,
	                   r.err);
	cr_assert_not_null(strstr(r.err, "disk is full"),
	                   "%s: no word of a full disk: %s", what, r.err);
}

static void expect_no_database(const char *db, const char *what)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	char p[700];
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s%s", db, suffixes[i]);
		cr_assert(!exists(p), "%s: %s was left behind", what, p);
	}
}

Test(faults_cli, full_disk_on_a_new_database)
{
	const char *csv = path_in("in.csv");
	const char *db = path_in("new.db");
	write_csv(csv, 5000);
	/* Nothing fits; then the schema fits but not the events. */
	static const long limits[] = {0, 4096, 65536};
	for (size_t i = 0; i < 3; i++) {
		char what[64];
		snprintf(what, sizeof what, "a new database, full after %ld",
		         limits[i]);
		run r = tldb_env(db, (const char *const[]){"import", csv, NULL},
		                 full_env(limits[i]));
		expect_full_error(r, what);
		cr_assert_leq(claimed(r.err), 0, "%s: claims events: %s", what,
		              r.err);
		expect_no_database(db, what);
	}
}

Test(faults_cli, full_disk_in_abort_mode_leaves_the_database_as_it_was)
{
	const char *csv = path_in("in.csv");
	const char *db = path_in("work.db");
	write_csv(csv, 20000);
	make_before(db);
	state before = read_state(db);
	run r = tldb_env(db, (const char *const[]){"import", csv, NULL},
	                 full_env(512 * 1024));
	expect_full_error(r, "abort mode");
	cr_assert_leq(claimed(r.err), 0, "claims events: %s", r.err);
	expect_integrity(db, "abort mode");
	state now = read_state(db);
	cr_assert(now.events == before.events && now.hash == before.hash,
	          "the database changed: %lld events, %lld before",
	          (long long)now.events, (long long)before.events);
}

Test(faults_cli, full_disk_in_skip_mode_keeps_whole_batches_and_says_so)
{
	const char *csv = path_in("in.csv");
	const char *db = path_in("work.db");
	write_csv(csv, 40000);
	make_before(db);
	state before = read_state(db);
	/* Room for a batch or two of 10,000 events, not all four. */
	run r = tldb_env(db,
	                 (const char *const[]){"import", "--on-error", "skip",
	                                       csv, NULL},
	                 full_env(6L * 1024 * 1024));
	expect_full_error(r, "skip mode");
	expect_integrity(db, "skip mode");
	state now = read_state(db);
	cr_assert_eq(now.events - now.generated, before.events);
	cr_assert(now.generated % BATCH == 0 &&
	                  now.max_row + 1 == now.generated,
	          "%lld rows up to row %lld: not whole batches",
	          (long long)now.generated, (long long)now.max_row);
	cr_assert_lt(now.generated, 40000, "all was stored: %s", r.err);
	cr_assert_eq(claimed(r.err) < 0 ? 0 : claimed(r.err), now.generated,
	             "claims other than what is stored (%lld): %s",
	             (long long)now.generated, r.err);
}

/* A real full file system, when we may mount a small tmpfs (root, and a
 * kernel and container that allow it); skipped otherwise. */
static char g_mount[600];

static void umount_fini(void)
{
	if (g_mount[0])
		umount2(g_mount, MNT_DETACH);
	teardown();
}

Test(faults_cli, full_tmpfs_on_a_new_database, .fini = umount_fini)
{
	const char *csv = path_in("in.csv");
	write_csv(csv, 20000);
	snprintf(g_mount, sizeof g_mount, "%s", path_in("small"));
	cr_assert_eq(mkdir(g_mount, 0755), 0);
	if (geteuid() != 0 || mount("tmpfs", g_mount, "tmpfs",
	                            MS_NOSUID | MS_NODEV, "size=256k") != 0) {
		g_mount[0] = '\0';
		cr_skip_test("cannot mount a tmpfs here (not root, or not "
		             "allowed)");
	}
	char db[700];
	snprintf(db, sizeof db, "%s/new.db", g_mount);
	run r = tldb_env(db, (const char *const[]){"import", csv, NULL}, NULL);
	expect_full_error(r, "a full tmpfs");
	cr_assert_leq(claimed(r.err), 0, "claims events: %s", r.err);
	expect_no_database(db, "a full tmpfs");
}

/* ---- a truncated database ---- */

Test(faults_cli, a_database_cut_in_half_gives_clear_errors)
{
	const char *csv = path_in("in.csv");
	const char *small = path_in("small.csv");
	const char *db = path_in("cut.db");
	write_csv(csv, 3000);
	write_csv(small, 3);
	expect_ok(TL(db, "import", csv), "import");
	struct stat sb;
	cr_assert_eq(stat(db, &sb), 0);
	cr_assert(!exists(path_in("cut.db-wal")), "the WAL stayed");
	cr_assert_eq(truncate(db, sb.st_size / 2), 0);

	/* Each of these reads every page: each must fail, clearly. */
	const char *const *const must_fail[] = {
	        (const char *const[]){"query", NULL},
	        (const char *const[]){"stats", NULL},
	        (const char *const[]){"export", "--format", "json", NULL},
	};
	for (size_t i = 0; i < 3; i++) {
		run r = tldb_env(db, must_fail[i], NULL);
		cr_assert_eq(r.signal, 0, "tldb %s: signal %d", must_fail[i][0],
		             r.signal);
		cr_assert_neq(r.code, 0, "tldb %s succeeded on half a file",
		              must_fail[i][0]);
		cr_assert_not_null(strstr(r.err, "tldb: error: "), "%s: %s",
		                   must_fail[i][0], r.err);
		cr_assert_not_null(strstr(r.err, "corrupt"),
		                   "tldb %s: no word of a corrupt database: %s",
		                   must_fail[i][0], r.err);
	}
	/* These may or may not meet a missing page: never a crash, and a
	 * failure says so. */
	const char *const *const may_fail[] = {
	        (const char *const[]){"timeline", "list", NULL},
	        (const char *const[]){"add", "--title", "After the cut",
	                              "--start", "2001-02-03", NULL},
	        (const char *const[]){"import", NULL, NULL},
	        (const char *const[]){"rm", "gen-0000001", NULL},
	};
	for (size_t i = 0; i < 4; i++) {
		const char *args[8];
		size_t k = 0;
		for (; may_fail[i][k] || k == 1; k++)
			args[k] = may_fail[i][k] ? may_fail[i][k] : small;
		args[k] = NULL;
		run r = tldb_env(db, args, NULL);
		cr_assert_eq(r.signal, 0, "tldb %s: signal %d", args[0],
		             r.signal);
		if (r.code != 0)
			cr_assert_not_null(strstr(r.err, "tldb: error: "),
			                   "tldb %s: %s", args[0], r.err);
	}
	/* A file cut inside its header is not a database at all. */
	cr_assert_eq(truncate(db, 50), 0);
	run r = TL(db, "query");
	cr_assert_eq(r.signal, 0);
	cr_assert_neq(r.code, 0);
	cr_assert_not_null(strstr(r.err, "tldb: error: "), "%s", r.err);
}
