/*
 * test_faults.c -- fault injection over the library calls behind the
 * writing commands (add, edit, rm, import, timeline create/rename/rm/share),
 * as SQLite tests itself: through the VFS and allocator of faultvfs.h, the
 * Nth write, the Nth sync, the Nth allocation of SQLite fail, or the disk
 * fills after N bytes, for N = 1, 2, 3, ... until the command runs without
 * meeting the fault.  Each run is the whole command: open the database,
 * the call, close (which checkpoints the WAL into the file).  After each
 * run, with the faults off: PRAGMA integrity_check and the full-text
 * index's own check pass, the database opens, and its content (every row of
 * every table, and the schema, by raw selects) is
 *   - on failure: exactly as before (in skip mode: as before, or a prefix
 *     of whole committed batches), with a message;
 *   - on success: exactly what a run without faults gives.
 * The inputs are small (a handful of events, batches of 2 in skip mode) so
 * that every N is tried: all loops of this file take a few seconds.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dbcheck.h"
#include "faultvfs.h"
#include "tldb/plugins.h"
#include "tldb/tldb.h"
#include "tmpdir.h"

#define NOW INT64_C(1663243200)

static char work_db[600];
static char template_db[600];

static void setup(void)
{
	cr_assert_eq(fv_install(), 0, "cannot install the fault VFS");
	/* No machine crash is simulated here: fsync only costs time. */
	fv_skip_syncs(1);
	tmpdir_setup("faults");
	snprintf(work_db, sizeof work_db, "%s/work.db", tmp_dir);
	snprintf(template_db, sizeof template_db, "%s/template.db", tmp_dir);
}

static void fteardown(void)
{
	fv_disarm();
	teardown();
}

TestSuite(faults, .init = setup, .fini = fteardown, .timeout = 300);

/* ---- files ---- */

static char *path_in(const char *name)
{
	static char bufs[4][600];
	static int next;
	char *b = bufs[next++ % 4];
	snprintf(b, sizeof bufs[0], "%s/%s", tmp_dir, name);
	return b;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f, "cannot write %s", path);
	cr_assert_eq(fwrite(text, 1, strlen(text), f), strlen(text));
	cr_assert_eq(fclose(f), 0);
}

/* The work database as the template left it (the template's WAL is
 * always checkpointed away: its handle is closed). */
static void reset_work(void)
{
	remove_db(work_db);
	copy_file(template_db, work_db);
}

/* The whole file (the caller frees), or NULL when it is missing. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t n = 0, cap = 0, got;
	do {
		if (n + 65536 > cap) {
			cap = cap ? cap * 2 : 131072;
			buf = realloc(buf, cap);
			cr_assert_not_null(buf);
		}
		got = fread(buf + n, 1, 65536, f);
		n += got;
	} while (got > 0);
	fclose(f);
	*len = n;
	return buf;
}

/* A database's bytes, to know a state without reading it through SQLite:
 * the same bytes and no WAL beside them are the same content. */
typedef struct image {
	char *bytes;
	size_t len;
} image;

static void image_take(image *im, const char *path)
{
	free(im->bytes);
	im->bytes = slurp(path, &im->len);
}

static int image_same(const image *im, const char *path)
{
	char wal[700];
	snprintf(wal, sizeof wal, "%s-wal", path);
	struct stat sb;
	if (!im->bytes || (stat(wal, &sb) == 0 && sb.st_size > 0))
		return 0;
	size_t len;
	char *now = slurp(path, &len);
	int same = now && len == im->len && memcmp(now, im->bytes, len) == 0;
	free(now);
	return same;
}

/* ---- the database's content, by raw selects ---- */

typedef struct text {
	char *s;
	size_t len, cap;
} text;

static void put(text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 4096;
		while (cap < t->len + n + 1)
			cap *= 2;
		t->s = realloc(t->s, cap);
		cr_assert_not_null(t->s);
		t->cap = cap;
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

static void puts_(text *t, const char *s)
{
	put(t, s, strlen(s));
}

/* One table's rows in a fixed order; the share token (random) only as
 * whether there is one. */
static void dump_table(sqlite3 *db, const char *name, text *t)
{
	char sql[256];
	snprintf(sql, sizeof sql, "SELECT * FROM \"%s\"", name);
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK,
	             "%s", sqlite3_errmsg(db));
	int ncol = sqlite3_column_count(st);
	sqlite3_finalize(st);
	size_t n = (size_t)snprintf(sql, sizeof sql,
	                            "SELECT * FROM \"%s\" "
	                            "ORDER BY 1",
	                            name);
	for (int i = 2; i <= ncol && n < sizeof sql - 8; i++)
		n += (size_t)snprintf(sql + n, sizeof sql - n, ",%d", i);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK,
	             "%s", sqlite3_errmsg(db));
	puts_(t, "table ");
	puts_(t, name);
	puts_(t, "\n");
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < ncol; i++) {
			const char *col = sqlite3_column_name(st, i);
			int type = sqlite3_column_type(st, i);
			puts_(t, i ? "|" : "");
			if (type == SQLITE_NULL) {
				puts_(t, "NULL");
			} else if (!strcmp(name, "timelines") &&
			           !strcmp(col, "token")) {
				puts_(t, "<token>");
			} else if (type == SQLITE_BLOB) {
				const unsigned char *b =
				        sqlite3_column_blob(st, i);
				int len = sqlite3_column_bytes(st, i);
				char hex[3];
				for (int k = 0; k < len; k++) {
					snprintf(hex, sizeof hex, "%02x", b[k]);
					put(t, hex, 2);
				}
			} else {
				const char *s =
				        (const char *)sqlite3_column_text(st,
				                                          i);
				put(t, s, (size_t)sqlite3_column_bytes(st, i));
			}
		}
		puts_(t, "\n");
	}
	cr_assert_eq(rc, SQLITE_DONE, "%s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
}

/* Everything stored, logically: the schema (without root pages), every
 * real table's rows, and the full-text index as every instance of every
 * term (fts5vocab), not its shadow tables, whose layout depends on the
 * history of the writes (a bulk load, a merge) and not only on the
 * content. */
static char *dump(const char *path)
{
	sqlite3 *db = raw_open(path);
	text t = {0};
	puts_(&t, "");
	cr_assert_eq(sqlite3_exec(db,
	                          "CREATE TEMP VIEW schema_rows AS SELECT "
	                          "type, name, tbl_name, sql FROM "
	                          "main.sqlite_schema;"
	                          "CREATE VIRTUAL TABLE temp.fts_terms USING "
	                          "fts5vocab(main, events_fts, instance)",
	                          NULL, NULL, NULL),
	             SQLITE_OK, "%s", sqlite3_errmsg(db));
	dump_table(db, "schema_rows", &t);
	dump_table(db, "fts_terms", &t);
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(db,
	                                "SELECT name FROM main.sqlite_schema "
	                                "WHERE type = 'table' AND sql NOT LIKE "
	                                "'CREATE VIRTUAL%' AND name NOT LIKE "
	                                "'events_fts_%' ORDER BY name",
	                                -1, &st, NULL),
	             SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		dump_table(db, (const char *)sqlite3_column_text(st, 0), &t);
	sqlite3_finalize(st);
	cr_assert_eq(sqlite3_close(db), SQLITE_OK);
	return t.s;
}

/* integrity_check, the full-text index's check, and tldb opens it. */
static void check_sound(const char *path, const char *what)
{
	expect_integrity(path, what);
	tldb *t = NULL;
	int rc = tldb_open(path, 0, &t);
	cr_assert_eq(rc, TLDB_OK, "%s: reopening: %s", what, tldb_errmsg(t));
	tldb_stats stats;
	cr_assert_eq(tldb_stats_get(t, &stats), TLDB_OK, "%s: %s", what,
	             tldb_errmsg(t));
	tldb_close(t);
}

/* ---- the commands, as the CLI runs them ---- */

typedef struct op op;
typedef int (*op_fn)(tldb *db, const op *o, char *msg, size_t size);

struct op {
	const char *name;
	op_fn fn;
	const char *a, *b; /* the call's arguments */
	const char *plugin, *input;
	tldb_on_error on_error;
	/* skip mode: the inputs whose import gives each accepted
	 * intermediate state (whole batches), NULL-terminated */
	const char *const *prefixes;
};

static tldb_plugins *g_plugins;

/* A fault to arm: at the start of the command, or once the database is
 * open (the opening is the same for every command, so the allocation
 * faults, the most numerous, are tried through it once, in
 * open_then_add, and after it for each command). */
typedef struct fault {
	fv_kind kind;
	int64_t n;
	int persistent;
	int after_open;
} fault;

static int run_command(const char *path, const op *o, const fault *f, char *msg,
                       size_t size)
{
	tldb *db = NULL;
	msg[0] = '\0';
	if (f && !f->after_open)
		fv_arm(f->kind, f->n, f->persistent);
	int rc = tldb_open(path, TLDB_OPEN_CREATE, &db);
	if (f && f->after_open)
		fv_arm(f->kind, f->n, f->persistent);
	if (rc) {
		snprintf(msg, size, "%s", tldb_errmsg(db));
		tldb_close(db);
		return rc;
	}
	tldb_set_now(db, NOW);
	rc = o->fn(db, o, msg, size);
	if (rc && !msg[0])
		snprintf(msg, size, "%s", tldb_errmsg(db));
	tldb_close(db);
	return rc;
}

static int op_add(tldb *db, const op *o, char *msg, size_t size)
{
	(void)msg;
	(void)size;
	static const char *const tags[] = {"new", "fault"};
	tldb_source src = {.url = "https://example.org/a",
	                   .quote = "a quoted sentence about the event",
	                   .span = {-1, -1},
	                   .expr_span = {-1, -1}};
	tldb_event ev = {.timeline = o->a,
	                 .title = "A new event with several words",
	                 .body = "Its body, long enough to need some room.",
	                 .start = "2021-03-04",
	                 .tags = tags,
	                 .ntags = 2,
	                 .sources = &src,
	                 .nsources = 1};
	return tldb_put(db, &ev, NULL, NULL);
}

/* tldb edit: read the event, change it, write it back. */
static int op_edit(tldb *db, const op *o, char *msg, size_t size)
{
	(void)msg;
	(void)size;
	tldb_event *ev = NULL;
	int rc = tldb_get(db, o->a, &ev);
	if (rc)
		return rc;
	tldb_event e = *ev;
	e.title = "An edited title that differs";
	e.end = "2020-12";
	rc = tldb_put(db, &e, NULL, NULL);
	tldb_event_free(ev);
	return rc;
}

static int op_rm(tldb *db, const op *o, char *msg, size_t size)
{
	(void)msg;
	(void)size;
	return tldb_remove(db, o->a);
}

static int op_tl_create(tldb *db, const op *o, char *msg, size_t size)
{
	(void)msg;
	(void)size;
	tldb_timeline t = {.name = o->a, .title = "Made under faults"};
	return tldb_timeline_create(db, &t);
}

static int op_tl_rename(tldb *db, const op *o, char *msg, size_t size)
{
	(void)msg;
	(void)size;
	return tldb_timeline_rename(db, o->a, o->b);
}

static int op_tl_rm(tldb *db, const op *o, char *msg, size_t size)
{
	(void)msg;
	(void)size;
	return tldb_timeline_remove(db, o->a, 1);
}

static int op_tl_share(tldb *db, const op *o, char *msg, size_t size)
{
	(void)msg;
	(void)size;
	char token[TLDB_TOKEN_LEN + 1];
	return tldb_timeline_share(db, o->a, token);
}

static int import_input(tldb *db, const op *o, const char *input, char *msg,
                        size_t size)
{
	tldb_import_opts io;
	memset(&io, 0, sizeof io);
	io.plugin = o->plugin;
	io.path = input;
	io.fd = -1;
	io.on_error = o->on_error;
	io.batch = 2;
	tldb_import_stats st;
	tldb_msgbuf err;
	int rc = tldb_import(db, g_plugins, &io, &st, &err);
	if (rc)
		snprintf(msg, size, "%s",
		         err.msg[0] ? err.msg : "(no message)");
	return rc;
}

static int op_import(tldb *db, const op *o, char *msg, size_t size)
{
	return import_input(db, o, o->input, msg, size);
}

/* ---- the template: three timelines, events with tags and sources ---- */

static void make_template(void)
{
	remove_db(template_db);
	tldb *db = NULL;
	cr_assert_eq(tldb_open(template_db, TLDB_OPEN_CREATE, &db), TLDB_OK);
	tldb_set_now(db, NOW - 1000);
	static const char *const names[] = {"alpha", "beta", "gamma"};
	for (int i = 0; i < 3; i++) {
		tldb_timeline t = {.name = names[i], .title = names[i]};
		cr_assert_eq(tldb_timeline_create(db, &t), TLDB_OK);
	}
	for (int i = 0; i < 12; i++) {
		char uid[32], title[96], start[32];
		snprintf(uid, sizeof uid, "ev-%02d", i);
		snprintf(title, sizeof title,
		         "Event number %d of the template, words", i);
		snprintf(start, sizeof start, "20%02d-0%d-1%d", 10 + i,
		         1 + i % 9, i % 10);
		const char *tags[] = {names[i % 3], "template"};
		tldb_source src = {.url = "https://example.org/t",
		                   .quote = "the sentence it came from",
		                   .span = {-1, -1},
		                   .expr_span = {-1, -1}};
		tldb_event ev = {.uid = uid,
		                 .timeline = names[i % 3],
		                 .title = title,
		                 .start = start,
		                 .tags = tags,
		                 .ntags = 2,
		                 .sources = &src,
		                 .nsources = 1};
		cr_assert_eq(tldb_put(db, &ev, NULL, NULL), TLDB_OK, "%s",
		             tldb_errmsg(db));
	}
	tldb_close(db);
	check_sound(template_db, "the template");
}

/* ---- the loop ---- */

/* Runs `o` under the fault `kind` at N = 1, 2, 3, ... until it succeeds
 * without meeting the fault; checks every outcome.  Returns the last N. */
static int64_t fault_loop(const op *o, fv_kind kind, int persistent,
                          int after_open, int64_t step, int64_t limit)
{
	cr_assert(step > 0 || step < -1);
	char msg[1200], what[200];
	make_template();
	reset_work();
	char *before = dump(work_db);

	/* What the command gives without faults, and in skip mode the
	 * states of its whole batches. */
	char *accepted[16] = {before};
	size_t naccepted = 1;
	for (size_t i = 0; o->prefixes && o->prefixes[i]; i++) {
		op p = *o;
		p.input = o->prefixes[i];
		reset_work();
		cr_assert_eq(run_command(work_db, &p, NULL, msg, sizeof msg),
		             TLDB_OK, "%s: prefix %s: %s", o->name, p.input,
		             msg);
		cr_assert_lt(naccepted, 16);
		accepted[naccepted++] = dump(work_db);
	}
	reset_work();
	cr_assert_eq(run_command(work_db, o, NULL, msg, sizeof msg), TLDB_OK,
	             "%s without faults: %s", o->name, msg);
	check_sound(work_db, o->name);
	char *after = dump(work_db);
	/* In skip mode all the batches may be committed before a failure
	 * (to begin the next one). */
	if (o->prefixes)
		accepted[naccepted++] = strdup(after);
	image im_before = {0}, im_after = {0};
	image_take(&im_before, template_db);
	image_take(&im_after, work_db);
	cr_assert_str_neq(after, before, "%s changes nothing", o->name);

	int64_t n;
	/* A negative step multiplies: N = 1, 2, 4, ... for the inputs too
	 * big to try every N. */
	for (n = 1;; n = step > 0 ? n + step : n * -step) {
		snprintf(what, sizeof what, "%s, %s fault at %lld%s", o->name,
		         fv_kind_name(kind), (long long)n,
		         persistent ? " and after" : "");
		cr_assert_leq(n, limit, "%s: still meeting the fault", what);
		reset_work();
		fault f = {kind, n, persistent, after_open};
		int rc = run_command(work_db, o, &f, msg, sizeof msg);
		int64_t hits = fv_hits();
		fv_disarm();
		if (getenv("FAULTS_DEBUG"))
			fprintf(stderr, "%s: rc %d hits %lld: %s\n", what, rc,
			        (long long)hits, msg);
		/* The bytes of a state already checked need no second look. */
		int same_before =
		        rc != TLDB_OK && image_same(&im_before, work_db);
		int same_after =
		        rc == TLDB_OK && image_same(&im_after, work_db);
		if (same_before || same_after) {
			if (rc != TLDB_OK)
				cr_assert(hits > 0 && msg[0],
				          "%s: failed without a fault or a "
				          "message: %s",
				          what, msg);
			if (rc == TLDB_OK && hits == 0)
				break;
			continue;
		}
		check_sound(work_db, what);
		char *now = dump(work_db);
		if (getenv("FAULTS_DEBUG")) {
			write_text("/tmp/faults-now.txt", now);
			write_text("/tmp/faults-before.txt", before);
			write_text("/tmp/faults-after.txt", after);
		}
		if (rc == TLDB_OK) {
			cr_assert_str_eq(
			        now, after,
			        "%s: succeeded, but the database is not "
			        "what the command writes",
			        what);
		} else {
			cr_assert(hits > 0, "%s: failed without a fault: %s",
			          what, msg);
			cr_assert(msg[0], "%s: failed without a message", what);
			size_t k = 0;
			while (k < naccepted && strcmp(now, accepted[k]) != 0)
				k++;
			cr_assert_lt(k, naccepted,
			             "%s: failed (%s: %s), and the database is "
			             "not as before%s",
			             what, tldb_err_name(rc), msg,
			             o->prefixes ? " nor at a batch boundary"
			                         : "");
		}
		free(now);
		if (rc == TLDB_OK && hits == 0)
			break;
	}
	for (size_t k = 0; k < naccepted; k++)
		free(accepted[k]);
	free(after);
	free(im_before.bytes);
	free(im_after.bytes);
	return n;
}

/* Each kind of fault over one command. */
static void all_faults(const op *o)
{
	fault_loop(o, FV_WRITE, 0, 0, 1, 2000);
	fault_loop(o, FV_WRITE, 1, 0, 1, 2000);
	fault_loop(o, FV_SYNC, 0, 0, 1, 2000);
	fault_loop(o, FV_FULL, 1, 0, 512, 4 << 20);
	fault_loop(o, FV_MALLOC, 0, 1, 1, 20000);
}

/* Allocation faults through the opening of the database too. */
Test(faults, open_then_add)
{
	op o = {.name = "open, then add", .fn = op_add, .a = "beta"};
	fault_loop(&o, FV_MALLOC, 0, 0, 1, 20000);
}

Test(faults, add)
{
	op o = {.name = "add", .fn = op_add, .a = "beta"};
	all_faults(&o);
}

Test(faults, add_to_the_default_timeline)
{
	op o = {.name = "add (default timeline)", .fn = op_add};
	all_faults(&o);
}

Test(faults, edit)
{
	op o = {.name = "edit", .fn = op_edit, .a = "ev-04"};
	all_faults(&o);
}

Test(faults, rm)
{
	op o = {.name = "rm", .fn = op_rm, .a = "ev-07"};
	all_faults(&o);
}

Test(faults, timeline_create)
{
	op o = {.name = "timeline create", .fn = op_tl_create, .a = "delta"};
	all_faults(&o);
}

Test(faults, timeline_rename)
{
	op o = {.name = "timeline rename",
	        .fn = op_tl_rename,
	        .a = "beta",
	        .b = "beta-renamed"};
	all_faults(&o);
}

Test(faults, timeline_rm)
{
	op o = {.name = "timeline rm", .fn = op_tl_rm, .a = "gamma"};
	all_faults(&o);
}

Test(faults, timeline_share)
{
	op o = {.name = "timeline share", .fn = op_tl_share, .a = "alpha"};
	all_faults(&o);
}

/* ---- imports through the real plugins ---- */

static void load_plugins(void)
{
	cr_assert_eq(tldb_plugins_new(&g_plugins), TLDB_OK);
	tldb_msgbuf err;
	static const char *const names[] = {"ical", "csv", "json"};
	for (size_t i = 0; i < 3; i++) {
		char path[600];
		snprintf(path, sizeof path, "%s/plugins/%s.so", TLDB_BUILD_DIR,
		         names[i]);
		cr_assert_eq(tldb_plugins_load(g_plugins, path, &err), TLDB_OK,
		             "%s: %s", path, err.msg);
	}
}

#define CSV_HEAD "uid,title,start,end,tags,body\n"
#define CSV_ROW(i)                                                             \
	"csv-" #i ",Imported row " #i " with words,2019-0" #i "-0" #i          \
	",,csv;row" #i ",A body for row " #i "\n"

/* Six rows (one of them the template's ev-02, changed) and the prefixes
 * of whole batches of two. */
static void write_csvs(void)
{
	write_text(path_in("in.csv"),
	           CSV_HEAD CSV_ROW(1)
	                   CSV_ROW(2) "ev-02,Template event now "
	                              "changed,2012-03-12,,,\n" CSV_ROW(4)
	                                      CSV_ROW(5) CSV_ROW(6));
	write_text(path_in("in-2.csv"), CSV_HEAD CSV_ROW(1) CSV_ROW(2));
	write_text(path_in("in-4.csv"),
	           CSV_HEAD CSV_ROW(1)
	                   CSV_ROW(2) "ev-02,Template event now "
	                              "changed,2012-03-12,,,\n" CSV_ROW(4));
}

Test(faults, import_csv_abort)
{
	load_plugins();
	write_csvs();
	op o = {.name = "import csv (abort)",
	        .fn = op_import,
	        .input = path_in("in.csv")};
	all_faults(&o);
	tldb_plugins_free(g_plugins);
}

Test(faults, import_csv_skip)
{
	load_plugins();
	write_csvs();
	static char p2[600], p4[600];
	snprintf(p2, sizeof p2, "%s", path_in("in-2.csv"));
	snprintf(p4, sizeof p4, "%s", path_in("in-4.csv"));
	const char *const prefixes[] = {p2, p4, NULL};
	op o = {.name = "import csv (skip)",
	        .fn = op_import,
	        .input = path_in("in.csv"),
	        .on_error = TLDB_ON_ERROR_SKIP,
	        .prefixes = prefixes};
	all_faults(&o);
	tldb_plugins_free(g_plugins);
}

#define ICS_EV(uid, day, summary)                                              \
	"BEGIN:VEVENT\r\nUID:" uid "\r\nDTSTAMP:20220101T000000Z\r\n"          \
	"DTSTART;VALUE=DATE:202203" day "\r\nSUMMARY:" summary                 \
	"\r\nCATEGORIES:ics,fault\r\nEND:VEVENT\r\n"

Test(faults, import_ics_abort)
{
	load_plugins();
	write_text(
	        path_in("in.ics"),
	        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//"
	        "EN\r\n" ICS_EV("ics-1", "01", "First calendar entry")
	                ICS_EV("ics-2", "02", "Second calendar entry") ICS_EV(
	                        "ics-3", "03",
	                        "Third calendar entry") "END:VCALENDAR\r\n");
	op o = {.name = "import ics (abort)",
	        .fn = op_import,
	        .input = path_in("in.ics")};
	all_faults(&o);
	tldb_plugins_free(g_plugins);
}

Test(faults, import_json_with_its_timeline_abort)
{
	load_plugins();
	write_text(path_in("in.json"),
	           "{\"tldb\": 1, \"timeline\": {\"name\": \"from-json\", "
	           "\"title\": \"A timeline of a document\"}, \"events\": ["
	           "{\"uid\": \"js-1\", \"title\": \"One from JSON\", "
	           "\"start\": \"1999\", \"tags\": [\"json\"], \"sources\": "
	           "[{\"url\": \"https://example.org/j\", \"quote\": \"a "
	           "quote\"}]},"
	           "{\"uid\": \"js-2\", \"title\": \"Two from JSON\", "
	           "\"start\": \"1999-05\", \"end\": \"2000\"},"
	           "{\"uid\": \"ev-05\", \"title\": \"Moved into the "
	           "document's timeline\", \"start\": \"2015-06-15\"}]}\n");
	op o = {.name = "import json (abort)",
	        .fn = op_import,
	        .input = path_in("in.json")};
	all_faults(&o);
	tldb_plugins_free(g_plugins);
}

/* Above the bulk threshold (TL_BULK_MIN, 10,000 events in a transaction):
 * the secondary indexes are dropped during the import and built again at
 * commit, and a fault there must undo all of it.  Too big to try every N
 * (tens of thousands of writes), so N doubles: 1, 2, 4, ... and the full
 * disk grows by 256 KB at a time; about 40 runs of 10,500 rows. */
Test(faults, import_csv_above_the_bulk_threshold)
{
	load_plugins();
	const char *csv = path_in("bulk.csv");
	FILE *f = fopen(csv, "wb");
	cr_assert_not_null(f);
	fputs("uid,title,start\n", f);
	for (int i = 0; i < 10500; i++)
		fprintf(f, "bulk-%05d,Bulk row %d,%d-0%d-1%d\n", i, i,
		        1800 + i % 200, 1 + i % 9, i % 10);
	cr_assert_eq(fclose(f), 0);
	op o = {.name = "import csv above the bulk threshold",
	        .fn = op_import,
	        .input = csv};
	fault_loop(&o, FV_WRITE, 0, 0, -2, 1 << 20);
	fault_loop(&o, FV_SYNC, 0, 0, -2, 1 << 20);
	fault_loop(&o, FV_FULL, 1, 0, 256 * 1024, 64 << 20);
	fault_loop(&o, FV_MALLOC, 0, 1, -2, 1 << 24);
	tldb_plugins_free(g_plugins);
}
