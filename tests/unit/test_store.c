/*
 * test_store.c -- the event store: opening and refusing files, schema
 * migrations, upserts, reads, removal, transactions, bad input, timelines,
 * concurrent readers and writers, statistics.
 *
 * Every test works in its own mkdtemp() folder, removed afterwards; raw
 * checks on the file go through the sqlite3 API directly.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tldb/tldb.h"
#include "unit/tmpdir.h"

/* ---- fixture: a temporary folder per test ---- */

static void setup(void)
{
	tmpdir_setup("store");
}

TestSuite(store, .init = setup, .fini = teardown);

/* ---- helpers ---- */

static tldb *open_db(const char *path, int flags)
{
	tldb *db = NULL;
	int rc = tldb_open(path, flags, &db);
	cr_assert_eq(rc, TLDB_OK, "tldb_open(%s): %s (%s)", path,
	             tldb_err_name(rc), tldb_errmsg(db));
	return db;
}

static tldb *open_new(void)
{
	return open_db(db_path, TLDB_OPEN_CREATE);
}

static tldb_event event(const char *uid, const char *title, const char *start,
                        const char *end)
{
	tldb_event ev;
	memset(&ev, 0, sizeof ev);
	ev.uid = uid;
	ev.title = title;
	ev.start = start;
	ev.end = end;
	return ev;
}

static void put_ok(tldb *db, const tldb_event *ev, tldb_put_result expect)
{
	tldb_put_result res = (tldb_put_result)-1;
	int rc = tldb_put(db, ev, NULL, &res);
	cr_assert_eq(rc, TLDB_OK, "put %s: %s (%s)", ev->uid ? ev->uid : "-",
	             tldb_err_name(rc), tldb_errmsg(db));
	cr_assert_eq(res, expect, "put %s: result %d, expected %d",
	             ev->uid ? ev->uid : "-", (int)res, (int)expect);
}

/* Runs a one-integer SQL query on the file through a separate connection. */
static int64_t raw_int(const char *path, const char *sql)
{
	sqlite3 *s = NULL;
	int rc = sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL);
	cr_assert_eq(rc, SQLITE_OK, "sqlite3_open %s: %s", path,
	             sqlite3_errstr(rc));
	sqlite3_stmt *st = NULL;
	rc = sqlite3_prepare_v2(s, sql, -1, &st, NULL);
	cr_assert_eq(rc, SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(s));
	rc = sqlite3_step(st);
	cr_assert_eq(rc, SQLITE_ROW, "%s: %s", sql, sqlite3_errmsg(s));
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(s);
	return v;
}

static const char *raw_text(const char *path, const char *sql, char *buf,
                            size_t size)
{
	sqlite3 *s = NULL;
	cr_assert_eq(sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL),
	             SQLITE_OK);
	sqlite3_stmt *st = NULL;
	cr_assert_eq(sqlite3_prepare_v2(s, sql, -1, &st, NULL), SQLITE_OK,
	             "%s: %s", sql, sqlite3_errmsg(s));
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	const unsigned char *t = sqlite3_column_text(st, 0);
	snprintf(buf, size, "%s", t ? (const char *)t : "");
	sqlite3_finalize(st);
	sqlite3_close(s);
	return buf;
}

static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *s = NULL;
	int rc = sqlite3_open_v2(
	        path, &s, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	cr_assert_eq(rc, SQLITE_OK);
	char *err = NULL;
	rc = sqlite3_exec(s, sql, NULL, NULL, &err);
	cr_assert_eq(rc, SQLITE_OK, "%s: %s", sql, err ? err : "");
	sqlite3_free(err);
	sqlite3_close(s);
}

/* 1 when the full-text index holds exactly the words of events_text, its
 * external content: FTS5's integrity-check with rank 1 compares the two. */
static int fts_matches_events(const char *path)
{
	sqlite3 *s = NULL;
	cr_assert_eq(sqlite3_open_v2(path, &s, SQLITE_OPEN_READWRITE, NULL),
	             SQLITE_OK);
	int rc = sqlite3_exec(s,
	                      "INSERT INTO events_fts(events_fts, rank) "
	                      "VALUES ('integrity-check', 1)",
	                      NULL, NULL, NULL);
	sqlite3_close(s);
	return rc == SQLITE_OK;
}

/* Tag entries stored: the events' char(31)-joined tag lists, counted. */
#define TAG_ENTRIES_SQL                                                        \
	"SELECT coalesce(sum(length(tagtext) - "                               \
	"length(replace(tagtext, char(31), '')) + 1), 0) FROM events"

static int64_t event_count(tldb *db)
{
	tldb_stats st;
	int rc = tldb_stats_get(db, &st);
	cr_assert_eq(rc, TLDB_OK, "stats: %s", tldb_errmsg(db));
	return st.events;
}

/* Reads a whole file into a malloc'd buffer. */
static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot read %s", path);
	size_t cap = 4096, n = 0;
	unsigned char *buf = malloc(cap);
	cr_assert_not_null(buf);
	size_t got;
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			cr_assert_not_null(buf);
		}
	}
	fclose(f);
	*len = n;
	return buf;
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

static int file_exists(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0;
}

/* 1 when `msg` holds the decimal number n with no digit on either side. */
static int has_number(const char *msg, long n)
{
	char num[32];
	snprintf(num, sizeof num, "%ld", n);
	size_t len = strlen(num);
	for (const char *p = strstr(msg, num); p; p = strstr(p + 1, num)) {
		int before = p > msg && p[-1] >= '0' && p[-1] <= '9';
		int after = p[len] >= '0' && p[len] <= '9';
		if (!before && !after)
			return 1;
	}
	return 0;
}

/* ---- opening ---- */

Test(store, open_creates_file_and_folder)
{
	char path[600], dir[600];
	snprintf(path, sizeof path, "%s/a/b/c/tldb.db", tmp_dir);
	snprintf(dir, sizeof dir, "%s/a/b/c", tmp_dir);
	cr_assert_not(file_exists(path));
	/* Without TLDB_OPEN_MKDIR a missing folder is an error naming it. */
	tldb *db = NULL;
	cr_assert_eq(tldb_open(path, TLDB_OPEN_CREATE, &db), TLDB_ENOTFOUND);
	cr_expect(strstr(tldb_errmsg(db), dir) != NULL, "%s", tldb_errmsg(db));
	tldb_close(db);
	char top[600];
	snprintf(top, sizeof top, "%s/a", tmp_dir);
	cr_assert_not(file_exists(top), "a folder was made");
	db = open_db(path, TLDB_OPEN_CREATE | TLDB_OPEN_MKDIR);
	cr_assert(file_exists(path), "the file was not created");
	tldb_close(db);

	cr_expect_eq(raw_int(path, "PRAGMA user_version"),
	             tldb_schema_version());
	cr_expect_eq(tldb_schema_version(), 4);
	cr_expect_eq(raw_int(path, "PRAGMA application_id"), 0x746c6462);
	char mode[32];
	cr_expect_str_eq(
	        raw_text(path, "PRAGMA journal_mode", mode, sizeof mode),
	        "wal");
	/* Every table of the schema is there. */
	cr_expect_eq(raw_int(path, "SELECT count(*) FROM sqlite_schema WHERE "
	                           "name IN ('timelines', 'events', "
	                           "'events_text', 'sources', 'events_fts', "
	                           "'events_span', 'events_timeline')"),
	             7);
	cr_expect_eq(raw_int(path, "SELECT count(*) FROM sqlite_schema WHERE "
	                           "name = 'tags'"),
	             0, "the tags table of schema 1 is gone");
}

/* tldb_close_discard removes a database only this handle has touched,
 * and keeps one another connection wrote to or holds open. */
Test(store, close_discard_removes_only_an_untouched_new_database)
{
	char wal[600];
	snprintf(wal, sizeof wal, "%s-wal", db_path);
	tldb *db = open_new();
	cr_expect_eq(tldb_close_discard(db), 1);
	cr_expect_not(file_exists(db_path));
	cr_expect_not(file_exists(wal));

	/* Another connection wrote an event. */
	db = open_new();
	tldb *other = open_db(db_path, 0);
	tldb_event ev = event("e1", "Other's", "2022-09-15", NULL);
	cr_assert_eq(tldb_put(other, &ev, NULL, NULL), TLDB_OK);
	tldb_close(other);
	cr_expect_eq(tldb_close_discard(db), 0);
	cr_assert(file_exists(db_path));
	db = open_db(db_path, TLDB_OPEN_READONLY);
	tldb_stats stats;
	cr_assert_eq(tldb_stats_get(db, &stats), TLDB_OK);
	cr_expect_eq(stats.events, 1);
	tldb_close(db);
	unlink(db_path);

	/* Another connection wrote and took it back: data_version moved. */
	db = open_new();
	other = open_db(db_path, 0);
	tldb_timeline t = {.name = "gone"};
	cr_assert_eq(tldb_timeline_create(other, &t), TLDB_OK);
	cr_assert_eq(tldb_timeline_remove(other, "gone", 0), TLDB_OK);
	tldb_close(other);
	cr_expect_eq(tldb_close_discard(db), 0);
	cr_expect(file_exists(db_path));
	unlink(db_path);

	/* Another connection holds it open (about to write, say). */
	db = open_new();
	other = open_db(db_path, 0);
	cr_expect_eq(tldb_close_discard(db), 0);
	cr_expect(file_exists(db_path));
	ev = event("e2", "Late", "2022-09-16", NULL);
	cr_assert_eq(tldb_put(other, &ev, NULL, NULL), TLDB_OK);
	tldb_close(other);

	/* Not created by this handle: never removed. */
	db = open_db(db_path, 0);
	cr_expect_eq(tldb_close_discard(db), 0);
	cr_expect(file_exists(db_path));
}

Test(store, open_without_create_on_missing_file_fails)
{
	tldb *db = NULL;
	int rc = tldb_open(db_path, 0, &db);
	cr_expect_neq(rc, TLDB_OK);
	cr_expect_str_neq(tldb_errmsg(db), "");
	tldb_close(db);
	cr_expect_not(file_exists(db_path));
}

Test(store, migrate_empty_file_and_reopen_idempotent)
{
	write_file(db_path, "", 0);
	tldb *db = open_db(db_path, 0);
	tldb_event ev = event("e1", "First", "2022-09-15", NULL);
	put_ok(db, &ev, TLDB_PUT_INSERTED);
	tldb_close(db);
	cr_expect_eq(raw_int(db_path, "PRAGMA user_version"),
	             tldb_schema_version());
	cr_expect_eq(raw_int(db_path, "PRAGMA application_id"), 0x746c6462);

	int64_t objects =
	        raw_int(db_path, "SELECT count(*) FROM sqlite_schema");
	for (int i = 0; i < 3; i++) {
		db = open_db(db_path, TLDB_OPEN_CREATE);
		cr_expect_eq(event_count(db), 1);
		tldb_close(db);
		cr_expect_eq(
		        raw_int(db_path, "SELECT count(*) FROM sqlite_schema"),
		        objects, "reopening changed the schema");
		cr_expect_eq(raw_int(db_path, "PRAGMA user_version"),
		             tldb_schema_version());
	}
}

Test(store, empty_file_read_only_is_not_a_database)
{
	write_file(db_path, "", 0);
	tldb *db = NULL;
	int rc = tldb_open(db_path, TLDB_OPEN_READONLY, &db);
	cr_expect_eq(rc, TLDB_ENOTDB, "got %s", tldb_err_name(rc));
	tldb_close(db);
	size_t len = 1;
	free(slurp(db_path, &len));
	cr_expect_eq(len, 0, "a read-only open wrote to the file");
}

Test(store, newer_schema_refused_and_untouched)
{
	tldb *db = open_new();
	tldb_event ev = event("e1", "First", "2022-09-15", NULL);
	put_ok(db, &ev, TLDB_PUT_INSERTED);
	tldb_close(db);
	raw_exec(db_path, "PRAGMA user_version = 97");

	size_t len0, len1;
	unsigned char *before = slurp(db_path, &len0);
	int modes[] = {0, TLDB_OPEN_CREATE, TLDB_OPEN_READONLY};
	for (size_t i = 0; i < sizeof modes / sizeof *modes; i++) {
		db = NULL;
		int rc = tldb_open(db_path, modes[i], &db);
		cr_expect_eq(rc, TLDB_ESCHEMA, "flags %d: got %s", modes[i],
		             tldb_err_name(rc));
		/* The message names both versions (after the path). */
		const char *msg = tldb_errmsg(db);
		const char *rest = strstr(msg, db_path);
		rest = rest ? rest + strlen(db_path) : msg;
		cr_expect(has_number(rest, 97), "message: %s", msg);
		cr_expect(has_number(rest, tldb_schema_version()),
		          "message: %s", msg);
		tldb_close(db);
	}
	unsigned char *after = slurp(db_path, &len1);
	cr_expect_eq(len0, len1, "file size changed");
	cr_expect(len0 == len1 && memcmp(before, after, len0) == 0,
	          "file contents changed");
	free(before);
	free(after);
	cr_expect_eq(raw_int(db_path, "PRAGMA user_version"), 97);
}

Test(store, text_file_is_not_a_database)
{
	const char text[] = "BEGIN:VCALENDAR\nthis is not a database at all, "
	                    "just some text that is long enough to look like "
	                    "a file header and then some more text\n";
	write_file(db_path, text, sizeof text - 1);
	int modes[] = {0, TLDB_OPEN_CREATE, TLDB_OPEN_READONLY};
	for (size_t i = 0; i < sizeof modes / sizeof *modes; i++) {
		tldb *db = NULL;
		int rc = tldb_open(db_path, modes[i], &db);
		cr_expect_eq(rc, TLDB_ENOTDB, "got %s", tldb_err_name(rc));
		cr_expect(strstr(tldb_errmsg(db), "not a tldb database"),
		          "message: %s", tldb_errmsg(db));
		tldb_close(db);
	}
	size_t len;
	unsigned char *after = slurp(db_path, &len);
	cr_expect(len == sizeof text - 1 && memcmp(after, text, len) == 0,
	          "the text file was modified");
	free(after);
}

Test(store, other_sqlite_application_refused)
{
	raw_exec(db_path, "CREATE TABLE notes(id INTEGER PRIMARY KEY, body "
	                  "TEXT); INSERT INTO notes(body) VALUES ('hello');");
	size_t len0, len1;
	unsigned char *before = slurp(db_path, &len0);
	int modes[] = {0, TLDB_OPEN_CREATE, TLDB_OPEN_READONLY};
	for (size_t i = 0; i < sizeof modes / sizeof *modes; i++) {
		tldb *db = NULL;
		int rc = tldb_open(db_path, modes[i], &db);
		cr_expect_eq(rc, TLDB_ENOTDB, "got %s", tldb_err_name(rc));
		cr_expect(strstr(tldb_errmsg(db), "not a tldb database"),
		          "message: %s", tldb_errmsg(db));
		tldb_close(db);
	}
	unsigned char *after = slurp(db_path, &len1);
	cr_expect(len0 == len1 && memcmp(before, after, len0) == 0,
	          "the other application's database was modified");
	free(before);
	free(after);
	cr_expect_eq(raw_int(db_path, "PRAGMA application_id"), 0);
	cr_expect_eq(raw_int(db_path, "SELECT count(*) FROM sqlite_schema"), 1);
}

static int is_corrupt_code(int rc)
{
	return rc == TLDB_ECORRUPT || rc == TLDB_ENOTDB;
}

Test(store, corrupt_database_reports_corruption)
{
	tldb *db = open_new();
	cr_assert_eq(tldb_begin(db), TLDB_OK);
	char uid[32], title[128];
	for (int i = 0; i < 2000; i++) {
		snprintf(uid, sizeof uid, "ev-%d", i);
		snprintf(title, sizeof title,
		         "Event number %d with a reasonably long title %d", i,
		         i * 7);
		const char *tags[] = {"alpha", "beta"};
		tldb_event ev = event(uid, title, "2022-09-15", NULL);
		ev.tags = tags;
		ev.ntags = 2;
		put_ok(db, &ev, TLDB_PUT_INSERTED);
	}
	cr_assert_eq(tldb_commit(db), TLDB_OK);
	tldb_close(db);

	size_t len;
	unsigned char *data = slurp(db_path, &len);
	size_t page = 4096;
	cr_assert(len >= 8 * page, "database too small: %zu", len);
	/* Garbage over every page but the first (the header and schema root).
	 */
	for (size_t i = page; i < len; i++)
		data[i] = (unsigned char)(0xA5 ^ (i * 31));
	write_file(db_path, data, len);
	free(data);

	db = NULL;
	int rc = tldb_open(db_path, 0, &db);
	if (rc != TLDB_OK) {
		cr_log_info("corrupt: open says %s", tldb_errmsg(db));
		cr_expect(is_corrupt_code(rc), "open: %s (%s)",
		          tldb_err_name(rc), tldb_errmsg(db));
		cr_expect_str_neq(tldb_errmsg(db), "");
		tldb_close(db);
		return;
	}
	/* Opened: reading must report the corruption, not crash. */
	tldb_query q;
	tldb_query_init(&q);
	tldb_cursor *c = NULL;
	rc = tldb_query_open(db, &q, &c);
	int saw_error = rc != TLDB_OK;
	if (rc != TLDB_OK) {
		cr_expect(is_corrupt_code(rc), "query: %s (%s)",
		          tldb_err_name(rc), tldb_errmsg(db));
	} else {
		const tldb_event *ev;
		int n = 0;
		while ((rc = tldb_cursor_next(c, &ev)) == TLDB_OK)
			n++;
		tldb_cursor_free(c);
		if (rc != TLDB_DONE) {
			cr_log_info("corrupt: cursor says %s after %d rows",
			            tldb_errmsg(db), n);
			saw_error = 1;
			cr_expect(is_corrupt_code(rc), "cursor: %s (%s)",
			          tldb_err_name(rc), tldb_errmsg(db));
			cr_expect(strstr(tldb_errmsg(db), "corrupt") ||
			                  strstr(tldb_errmsg(db), "not a tldb"),
			          "message: %s", tldb_errmsg(db));
		}
	}
	cr_expect(saw_error, "a garbled database read without error");
	/* Other calls fail cleanly too. */
	tldb_event *got = NULL;
	rc = tldb_get(db, "ev-1000", &got);
	cr_expect_neq(rc, TLDB_OK);
	tldb_event_free(got);
	tldb_stats st;
	rc = tldb_stats_get(db, &st);
	cr_expect(rc == TLDB_OK || is_corrupt_code(rc), "stats: %s",
	          tldb_err_name(rc));
	tldb_event ev = event("new", "New", "2022-09-15", NULL);
	rc = tldb_put(db, &ev, NULL, NULL);
	cr_expect(is_corrupt_code(rc), "put on a corrupt database: %s",
	          tldb_err_name(rc));
	tldb_close(db);
}

Test(store, read_only_missing_file)
{
	tldb *db = NULL;
	int rc = tldb_open(db_path, TLDB_OPEN_READONLY, &db);
	cr_expect_eq(rc, TLDB_ENOTFOUND, "got %s", tldb_err_name(rc));
	cr_expect(strstr(tldb_errmsg(db), db_path), "message: %s",
	          tldb_errmsg(db));
	tldb_close(db);
	cr_expect_not(file_exists(db_path), "a read-only open created a file");
	/* Even with CREATE, read-only never creates. */
	rc = tldb_open(db_path, TLDB_OPEN_READONLY | TLDB_OPEN_CREATE, &db);
	cr_expect_eq(rc, TLDB_ENOTFOUND);
	tldb_close(db);
	cr_expect_not(file_exists(db_path));
}

Test(store, read_only_handle_refuses_writes)
{
	tldb *db = open_new();
	tldb_event ev = event("e1", "First", "2022-09-15", NULL);
	put_ok(db, &ev, TLDB_PUT_INSERTED);
	tldb_close(db);

	db = open_db(db_path, TLDB_OPEN_READONLY);
	tldb_event *got = NULL;
	cr_expect_eq(tldb_get(db, "e1", &got), TLDB_OK, "%s", tldb_errmsg(db));
	tldb_event_free(got);

	tldb_event ev2 = event("e2", "Second", "2022-09-16", NULL);
	cr_expect_eq(tldb_put(db, &ev2, NULL, NULL), TLDB_EREADONLY);
	cr_expect(strstr(tldb_errmsg(db), "read-only"), "message: %s",
	          tldb_errmsg(db));
	cr_expect_eq(tldb_remove(db, "e1"), TLDB_EREADONLY);
	cr_expect_eq(tldb_begin(db), TLDB_EREADONLY);
	tldb_timeline tl = {.name = "other"};
	cr_expect_eq(tldb_timeline_create(db, &tl), TLDB_EREADONLY);
	cr_expect_eq(tldb_timeline_put(db, &tl), TLDB_EREADONLY);
	cr_expect_eq(tldb_timeline_rename(db, "default", "x"), TLDB_EREADONLY);
	cr_expect_eq(tldb_timeline_remove(db, "default", 1), TLDB_EREADONLY);
	cr_expect_eq(event_count(db), 1);
	tldb_close(db);
	cr_expect_eq(raw_int(db_path, "SELECT count(*) FROM events"), 1);
	cr_expect_eq(raw_int(db_path, "SELECT count(*) FROM timelines"), 1);
}

/* ---- upserts ---- */

Test(store, upsert_rules)
{
	tldb *db = open_new();
	tldb_set_now(db, 1000);
	const char *tags[] = {"a", "b"};
	tldb_source src = {.url = "https://example.org/a",
	                   .quote = "on Thursday",
	                   .span = {1, 5},
	                   .expr_span = {-1, -1}};
	tldb_event ev = event("u1", "Meeting", "2022-09-15", NULL);
	ev.tags = tags;
	ev.ntags = 2;
	ev.sources = &src;
	ev.nsources = 1;
	char uid[TLDB_MAX_UID + 1];
	tldb_put_result res;
	cr_assert_eq(tldb_put(db, &ev, uid, &res), TLDB_OK, "%s",
	             tldb_errmsg(db));
	cr_expect_eq(res, TLDB_PUT_INSERTED);
	cr_expect_str_eq(uid, "u1");

	tldb_event *got = NULL;
	cr_assert_eq(tldb_get(db, "u1", &got), TLDB_OK);
	cr_expect_eq(got->sequence, 0);
	cr_expect_eq(got->created, 1000);
	cr_expect_eq(got->updated, 1000);
	tldb_event_free(got);

	/* Same content: nothing written. */
	tldb_set_now(db, 2000);
	put_ok(db, &ev, TLDB_PUT_UNCHANGED);
	cr_assert_eq(tldb_get(db, "u1", &got), TLDB_OK);
	cr_expect_eq(got->sequence, 0);
	cr_expect_eq(got->created, 1000);
	cr_expect_eq(got->updated, 1000);
	tldb_event_free(got);

	/* Changed content: sequence 1, created kept, updated now. */
	tldb_set_now(db, 3000);
	ev.title = "Meeting moved";
	put_ok(db, &ev, TLDB_PUT_UPDATED);
	cr_assert_eq(tldb_get(db, "u1", &got), TLDB_OK);
	cr_expect_eq(got->sequence, 1);
	cr_expect_eq(got->created, 1000);
	cr_expect_eq(got->updated, 3000);
	cr_expect_str_eq(got->title, "Meeting moved");
	tldb_event_free(got);

	/* Only tags. */
	tldb_set_now(db, 4000);
	const char *tags2[] = {"a", "c"};
	ev.tags = tags2;
	put_ok(db, &ev, TLDB_PUT_UPDATED);
	/* Tag order is content too. */
	const char *tags3[] = {"c", "a"};
	ev.tags = tags3;
	put_ok(db, &ev, TLDB_PUT_UPDATED);
	put_ok(db, &ev, TLDB_PUT_UNCHANGED);
	cr_assert_eq(tldb_get(db, "u1", &got), TLDB_OK);
	cr_expect_eq(got->sequence, 3);
	cr_assert_eq(got->ntags, 2);
	cr_expect_str_eq(got->tags[0], "c");
	cr_expect_str_eq(got->tags[1], "a");
	tldb_event_free(got);

	/* Only sources. */
	tldb_set_now(db, 5000);
	src.quote = "on Friday";
	put_ok(db, &ev, TLDB_PUT_UPDATED);
	src.span[1] = 6;
	put_ok(db, &ev, TLDB_PUT_UPDATED);
	ev.nsources = 0;
	put_ok(db, &ev, TLDB_PUT_UPDATED);
	cr_assert_eq(tldb_get(db, "u1", &got), TLDB_OK);
	cr_expect_eq(got->sequence, 6);
	cr_expect_eq(got->nsources, 0);
	cr_expect_eq(got->created, 1000);
	cr_expect_eq(got->updated, 5000);
	tldb_event_free(got);

	/* Only the end, only the body. */
	ev.end = "2022-09-16";
	put_ok(db, &ev, TLDB_PUT_UPDATED);
	ev.body = "More words.";
	put_ok(db, &ev, TLDB_PUT_UPDATED);
	put_ok(db, &ev, TLDB_PUT_UNCHANGED);
	cr_assert_eq(tldb_get(db, "u1", &got), TLDB_OK);
	cr_expect_eq(got->sequence, 8);
	tldb_event_free(got);
	cr_expect_eq(event_count(db), 1);
	cr_expect(fts_matches_events(db_path));
	tldb_close(db);
}

Test(store, uid_derived_deterministically)
{
	tldb *db = open_new();
	tldb_event ev = event(NULL, "Summit", "2022-09-15", NULL);
	char uid1[TLDB_MAX_UID + 1], uid2[TLDB_MAX_UID + 1],
	        uid3[TLDB_MAX_UID + 1];
	tldb_put_result res;
	cr_assert_eq(tldb_put(db, &ev, uid1, &res), TLDB_OK);
	cr_expect_eq(res, TLDB_PUT_INSERTED);
	cr_expect_gt(strlen(uid1), 0);
	/* Same timeline/start/title, other body: the same event, updated. */
	ev.body = "details";
	cr_assert_eq(tldb_put(db, &ev, uid2, &res), TLDB_OK);
	cr_expect_eq(res, TLDB_PUT_UPDATED);
	cr_expect_str_eq(uid1, uid2);
	/* Another title: another event. */
	ev.title = "Summit 2";
	cr_assert_eq(tldb_put(db, &ev, uid3, &res), TLDB_OK);
	cr_expect_eq(res, TLDB_PUT_INSERTED);
	cr_expect_str_neq(uid1, uid3);
	/* Another start: another event. */
	ev.title = "Summit";
	ev.start = "2022-09-16";
	cr_assert_eq(tldb_put(db, &ev, uid3, &res), TLDB_OK);
	cr_expect_eq(res, TLDB_PUT_INSERTED);
	cr_expect_str_neq(uid1, uid3);
	cr_expect_eq(event_count(db), 3);
	tldb_close(db);

	/* The same in another database. */
	char other[600];
	snprintf(other, sizeof other, "%s/other.db", tmp_dir);
	db = open_db(other, TLDB_OPEN_CREATE);
	tldb_event ev2 = event(NULL, "Summit", "2022-09-15", NULL);
	cr_assert_eq(tldb_put(db, &ev2, uid2, NULL), TLDB_OK);
	cr_expect_str_eq(uid1, uid2);
	tldb_close(db);
}

/* ---- reads ---- */

Test(store, get_returns_every_field)
{
	tldb *db = open_new();
	tldb_set_now(db, 1700000000);
	tldb_timeline tl = {.name = "russia-china-2022", .title = "R & C"};
	cr_assert_eq(tldb_timeline_create(db, &tl), TLDB_OK);
	const char *tags[] = {"sco", "russia", "china"};
	tldb_source srcs[2] = {
	        {.url = "https://example.org/article",
	         .title = "Uneasy Allies",
	         .plugin = "article",
	         .quote = "Putin will meet Xi on Thursday",
	         .expr = "on Thursday",
	         .doc_date = "2022-09-15",
	         .resolver = "weekday",
	         .span = {412, 590},
	         .expr_span = {500, 511}},
	        {.url = "https://example.org/b",
	         .span = {-1, -1},
	         .expr_span = {-1, -1}},
	};
	tldb_event ev = {
	        .uid = "sco-2022",
	        .timeline = "russia-china-2022",
	        .title = "Putin and Xi meet at the SCO summit in Samarkand",
	        .body = "optional longer text",
	        .start = "2022-09-15",
	        .end = "2022-09-16",
	        .tz = "Asia/Samarkand",
	        .location = "Samarkand, Uzbekistan",
	        .url = "https://example.org/page",
	        .tags = tags,
	        .ntags = 3,
	        .sources = srcs,
	        .nsources = 2,
	};
	put_ok(db, &ev, TLDB_PUT_INSERTED);

	tldb_event *got = NULL;
	cr_assert_eq(tldb_get(db, "sco-2022", &got), TLDB_OK, "%s",
	             tldb_errmsg(db));
	cr_expect_str_eq(got->uid, "sco-2022");
	cr_expect_str_eq(got->timeline, "russia-china-2022");
	cr_expect_str_eq(got->title, ev.title);
	cr_expect_str_eq(got->body, ev.body);
	cr_expect_str_eq(got->start, "2022-09-15");
	cr_expect_str_eq(got->end, "2022-09-16");
	cr_expect_str_eq(got->tz, "Asia/Samarkand");
	cr_expect_str_eq(got->location, ev.location);
	cr_expect_str_eq(got->url, ev.url);
	cr_assert_eq(got->ntags, 3);
	for (size_t i = 0; i < 3; i++)
		cr_expect_str_eq(got->tags[i], tags[i]);
	cr_assert_eq(got->nsources, 2);
	const tldb_source *s = &got->sources[0];
	cr_expect_str_eq(s->url, srcs[0].url);
	cr_expect_str_eq(s->title, "Uneasy Allies");
	cr_expect_str_eq(s->plugin, "article");
	cr_expect_str_eq(s->quote, srcs[0].quote);
	cr_expect_str_eq(s->expr, "on Thursday");
	cr_expect_str_eq(s->doc_date, "2022-09-15");
	cr_expect_str_eq(s->resolver, "weekday");
	cr_expect_eq(s->span[0], 412);
	cr_expect_eq(s->span[1], 590);
	cr_expect_eq(s->expr_span[0], 500);
	cr_expect_eq(s->expr_span[1], 511);
	s = &got->sources[1];
	cr_expect_str_eq(s->url, "https://example.org/b");
	cr_expect_null(s->title);
	cr_expect_null(s->plugin);
	cr_expect_null(s->quote);
	cr_expect_null(s->expr);
	cr_expect_null(s->doc_date);
	cr_expect_null(s->resolver);
	cr_expect_eq(s->span[0], -1);
	cr_expect_eq(s->span[1], -1);
	cr_expect_eq(s->expr_span[0], -1);
	cr_expect_eq(s->expr_span[1], -1);
	cr_expect_eq(got->created, 1700000000);
	cr_expect_eq(got->updated, 1700000000);
	cr_expect_eq(got->sequence, 0);
	tldb_date d15, d16;
	cr_assert_eq(tldb_date_parse("2022-09-15", NULL, &d15, NULL), TLDB_OK);
	cr_assert_eq(tldb_date_parse("2022-09-16", NULL, &d16, NULL), TLDB_OK);
	cr_expect_eq(got->lo, d15.lo);
	cr_expect_eq(got->hi, d16.hi);
	cr_expect_eq(got->precision, TLDB_PREC_DAY);
	tldb_event_free(got);

	/* A minimal event: absent strings are NULL, no tags or sources. */
	tldb_event min = event("min", "Minimal", "2001", NULL);
	put_ok(db, &min, TLDB_PUT_INSERTED);
	cr_assert_eq(tldb_get(db, "min", &got), TLDB_OK);
	cr_expect_str_eq(got->timeline, TLDB_DEFAULT_TIMELINE);
	cr_expect_null(got->body);
	cr_expect_null(got->end);
	cr_expect_null(got->tz);
	cr_expect_null(got->location);
	cr_expect_null(got->url);
	cr_expect_eq(got->ntags, 0);
	cr_expect_eq(got->nsources, 0);
	cr_expect_eq(got->precision, TLDB_PREC_YEAR);
	tldb_event_free(got);

	cr_expect_eq(tldb_get(db, "nope", &got), TLDB_ENOTFOUND);
	cr_expect_null(got);
	cr_expect(strstr(tldb_errmsg(db), "nope"), "message: %s",
	          tldb_errmsg(db));
	tldb_close(db);
}

/* ---- removal ---- */

Test(store, remove_deletes_everything_of_the_event)
{
	tldb *db = open_new();
	const char *tags[] = {"x", "y"};
	tldb_source src = {.quote = "a zebra quote",
	                   .span = {-1, -1},
	                   .expr_span = {-1, -1}};
	for (int i = 0; i < 2; i++) {
		tldb_event ev = event(i ? "keep" : "gone", "Title zebra",
		                      "2022-09-15", NULL);
		ev.tags = tags;
		ev.ntags = 2;
		ev.sources = &src;
		ev.nsources = 1;
		put_ok(db, &ev, TLDB_PUT_INSERTED);
	}
	cr_expect_eq(raw_int(db_path, TAG_ENTRIES_SQL), 4);
	cr_expect_eq(raw_int(db_path, "SELECT count(*) FROM sources"), 2);
	cr_expect(fts_matches_events(db_path));

	cr_assert_eq(tldb_remove(db, "gone"), TLDB_OK, "%s", tldb_errmsg(db));
	cr_expect_eq(raw_int(db_path, "SELECT count(*) FROM events"), 1);
	cr_expect_eq(raw_int(db_path, TAG_ENTRIES_SQL), 2);
	cr_expect_eq(raw_int(db_path, "SELECT count(*) FROM sources"), 1);
	cr_expect(fts_matches_events(db_path));
	cr_expect_eq(raw_int(db_path, "SELECT count(*) FROM events_fts WHERE "
	                              "events_fts MATCH 'zebra'"),
	             1);
	cr_expect_eq(raw_int(db_path,
	                     "SELECT count(*) FROM events WHERE uid = 'keep'"),
	             1);
	tldb_event *got = NULL;
	cr_expect_eq(tldb_get(db, "gone", &got), TLDB_ENOTFOUND);

	cr_expect_eq(tldb_remove(db, "gone"), TLDB_ENOTFOUND);
	cr_expect(strstr(tldb_errmsg(db), "gone"), "message: %s",
	          tldb_errmsg(db));
	cr_expect_eq(tldb_remove(db, "never-was"), TLDB_ENOTFOUND);
	cr_expect_eq(event_count(db), 1);

	/* The uid can be used again. */
	tldb_event ev = event("gone", "Back", "2022-09-15", NULL);
	put_ok(db, &ev, TLDB_PUT_INSERTED);
	tldb_close(db);
}

/* ---- transactions ---- */

Test(store, rollback_leaves_nothing)
{
	tldb *db = open_new();
	tldb_event base = event("base", "Base", "2020", NULL);
	put_ok(db, &base, TLDB_PUT_INSERTED);
	cr_assert_eq(tldb_begin(db), TLDB_OK);
	cr_expect_eq(tldb_begin(db), TLDB_EINVAL, "nested begin accepted");
	char uid[16];
	for (int i = 0; i < 10; i++) {
		snprintf(uid, sizeof uid, "tx-%d", i);
		tldb_event ev =
		        event(uid, "In a transaction", "2022-09-15", NULL);
		put_ok(db, &ev, TLDB_PUT_INSERTED);
	}
	tldb_timeline tl = {.name = "txline"};
	cr_expect_eq(tldb_timeline_create(db, &tl), TLDB_OK);
	base.title = "Base changed";
	put_ok(db, &base, TLDB_PUT_UPDATED);
	cr_expect_eq(tldb_remove(db, "base"), TLDB_OK);
	cr_expect_eq(event_count(db), 10);
	tldb_rollback(db);
	cr_expect_eq(event_count(db), 1);
	tldb_event *got = NULL;
	cr_assert_eq(tldb_get(db, "base", &got), TLDB_OK);
	cr_expect_str_eq(got->title, "Base");
	cr_expect_eq(got->sequence, 0);
	tldb_event_free(got);
	cr_expect_eq(raw_int(db_path, "SELECT count(*) FROM timelines"), 1);
	cr_expect(fts_matches_events(db_path));
	/* Rolling back again is harmless, commit without begin is refused. */
	tldb_rollback(db);
	cr_expect_eq(tldb_commit(db), TLDB_EINVAL);
	tldb_close(db);
}

Test(store, failed_put_inside_transaction_keeps_earlier_puts)
{
	tldb *db = open_new();
	cr_assert_eq(tldb_begin(db), TLDB_OK);
	tldb_event a = event("a", "A", "2022-09-15", NULL);
	put_ok(db, &a, TLDB_PUT_INSERTED);
	tldb_event bad = event("bad", "Bad", "2022-13-45", NULL);
	cr_expect_eq(tldb_put(db, &bad, NULL, NULL), TLDB_EDATE);
	tldb_event nowhere = event("nowhere", "Nowhere", "2022", NULL);
	nowhere.timeline = "no-such-timeline";
	cr_expect_eq(tldb_put(db, &nowhere, NULL, NULL), TLDB_ENOTFOUND);
	tldb_event b = event("b", "B", "2022-09-16", NULL);
	put_ok(db, &b, TLDB_PUT_INSERTED);
	cr_assert_eq(tldb_commit(db), TLDB_OK, "%s", tldb_errmsg(db));
	tldb_close(db);
	cr_expect_eq(raw_int(db_path, "SELECT count(*) FROM events"), 2);
	cr_expect_eq(raw_int(db_path, "SELECT count(*) FROM events WHERE uid "
	                              "IN ('a', 'b')"),
	             2);
}

/* ---- bad input ---- */

typedef struct bad_case {
	const char *what;
	tldb_event ev;
	int code;
	const char *msg1, *msg2;
} bad_case;

Test(store, bad_input_rejected_with_clear_message)
{
	tldb *db = open_new();
	tldb_event seed = event("seed", "Seed", "2022", NULL);
	put_ok(db, &seed, TLDB_PUT_INSERTED);

	size_t big_title_len = TLDB_MAX_TITLE + 1;
	char *big_title = malloc(big_title_len + 1);
	cr_assert_not_null(big_title);
	memset(big_title, 'x', big_title_len);
	big_title[big_title_len] = '\0';
	size_t big_body_len = TLDB_MAX_BODY + 1;
	char *big_body = malloc(big_body_len + 1);
	cr_assert_not_null(big_body);
	memset(big_body, 'y', big_body_len);
	big_body[big_body_len] = '\0';
	const char *many_tags[TLDB_MAX_TAGS + 1];
	char tag_store[TLDB_MAX_TAGS + 1][16];
	for (int i = 0; i <= TLDB_MAX_TAGS; i++) {
		snprintf(tag_store[i], sizeof tag_store[i], "t%d", i);
		many_tags[i] = tag_store[i];
	}
	const char *semi_tags[] = {"ok", "bad;tag"};
	const char *empty_tags[] = {""};
	tldb_source bad_span = {.span = {10, 5}, .expr_span = {-1, -1}};

	bad_case cases[] = {
	        {"bad month", event("x", "T", "2022-13-01", NULL), TLDB_EDATE,
	         "start", "2022-13-01"},
	        {"bad day", event("x", "T", "2022-02-30", NULL), TLDB_EDATE,
	         "start", "2022-02-30"},
	        {"garbage date", event("x", "T", "yesterday-ish", NULL),
	         TLDB_EDATE, "start", "yesterday-ish"},
	        {"bad end", event("x", "T", "2022", "2022-00"), TLDB_EDATE,
	         "end", "2022-00"},
	        {"end before start",
	         event("x", "T", "2022-09-15", "2022-09-14"), TLDB_EINVAL,
	         "end", "before"},
	        {"timed end before timed start",
	         event("x", "T", "2022-09-15T10:00Z", "2022-09-15T09:59Z"),
	         TLDB_EINVAL, "end", "before"},
	        {"no start", event("x", "T", NULL, NULL), TLDB_EINVAL, "start",
	         "required"},
	        {"no title", event("x", NULL, "2022", NULL), TLDB_EINVAL,
	         "title", "required"},
	        {"unknown tz", event("x", "T", "2022-09-15T10:00", NULL),
	         TLDB_EZONE, "Mars/Olympus_Mons", "zone"},
	        {"unknown timeline", event("x", "T", "2022", NULL),
	         TLDB_ENOTFOUND, "no-such-line", "unknown timeline"},
	        {"bad timeline name", event("x", "T", "2022", NULL),
	         TLDB_EINVAL, "Bad Name", "timeline"},
	        {"big title", event("x", big_title, "2022", NULL), TLDB_ETOOBIG,
	         "title", "1024"},
	        {"big body", event("x", "T", "2022", NULL), TLDB_ETOOBIG,
	         "body", "limit"},
	        {"too many tags", event("x", "T", "2022", NULL), TLDB_ETOOBIG,
	         "tags", "64"},
	        {"bad utf-8 title", event("x", "T\xc3\x28 bad", "2022", NULL),
	         TLDB_EINVAL, "title", "UTF-8"},
	        {"overlong utf-8", event("x", "\xc0\xaf", "2022", NULL),
	         TLDB_EINVAL, "title", "UTF-8"},
	        {"surrogate utf-8", event("x", "\xed\xa0\x80", "2022", NULL),
	         TLDB_EINVAL, "title", "UTF-8"},
	        {"bad utf-8 location", event("x", "T", "2022", NULL),
	         TLDB_EINVAL, "location", "UTF-8"},
	        {"tag with ;", event("x", "T", "2022", NULL), TLDB_EINVAL,
	         "bad;tag", "';'"},
	        {"empty tag", event("x", "T", "2022", NULL), TLDB_EINVAL, "tag",
	         "required"},
	        {"bad source span", event("x", "T", "2022", NULL), TLDB_EINVAL,
	         "sources[0]", "span"},
	        {"control char in uid", event("x\ny", "T", "2022", NULL),
	         TLDB_EINVAL, "uid", "control"},
	};
	size_t n = sizeof cases / sizeof *cases;
	for (size_t i = 0; i < n; i++) {
		bad_case *c = &cases[i];
		if (!strcmp(c->what, "unknown tz"))
			c->ev.tz = "Mars/Olympus_Mons";
		else if (!strcmp(c->what, "unknown timeline"))
			c->ev.timeline = "no-such-line";
		else if (!strcmp(c->what, "bad timeline name"))
			c->ev.timeline = "Bad Name";
		else if (!strcmp(c->what, "big body"))
			c->ev.body = big_body;
		else if (!strcmp(c->what, "too many tags")) {
			c->ev.tags = many_tags;
			c->ev.ntags = TLDB_MAX_TAGS + 1;
		} else if (!strcmp(c->what, "bad utf-8 location"))
			c->ev.location = "Samarkand \xff";
		else if (!strcmp(c->what, "tag with ;")) {
			c->ev.tags = semi_tags;
			c->ev.ntags = 2;
		} else if (!strcmp(c->what, "empty tag")) {
			c->ev.tags = empty_tags;
			c->ev.ntags = 1;
		} else if (!strcmp(c->what, "bad source span")) {
			c->ev.sources = &bad_span;
			c->ev.nsources = 1;
		}
	}
	for (size_t i = 0; i < n; i++) {
		const bad_case *c = &cases[i];
		int rc = tldb_put(db, &c->ev, NULL, NULL);
		const char *msg = tldb_errmsg(db);
		cr_expect_eq(rc, c->code, "%s: got %s, expected %s (%s)",
		             c->what, tldb_err_name(rc), tldb_err_name(c->code),
		             msg);
		cr_expect(strstr(msg, c->msg1), "%s: message '%s' lacks '%s'",
		          c->what, msg, c->msg1);
		cr_expect(strstr(msg, c->msg2), "%s: message '%s' lacks '%s'",
		          c->what, msg, c->msg2);
		/* tldb_event_check agrees, except on what needs the store. */
		if (c->code != TLDB_ENOTFOUND) {
			tldb_errbuf err = {{0}, 0};
			cr_expect_eq(tldb_event_check(&c->ev, &err), c->code,
			             "%s: event_check", c->what);
			cr_expect_str_neq(err.msg, "", "%s", c->what);
		}
		cr_expect_eq(event_count(db), 1, "%s: the database changed",
		             c->what);
	}
	cr_expect_eq(raw_int(db_path, "SELECT count(*) FROM timelines"), 1);
	cr_expect_eq(raw_int(db_path, TAG_ENTRIES_SQL), 0);
	cr_expect(fts_matches_events(db_path));

	/* At the limits exactly: accepted. */
	big_title[TLDB_MAX_TITLE] = '\0';
	tldb_event ok = event("limits", big_title, "2022", NULL);
	ok.tags = many_tags;
	ok.ntags = TLDB_MAX_TAGS;
	put_ok(db, &ok, TLDB_PUT_INSERTED);
	cr_expect_eq(event_count(db), 2);
	free(big_title);
	free(big_body);
	tldb_close(db);
}

/* ---- timelines ---- */

static int list_timelines(tldb *db, char *buf, size_t size)
{
	tldb_cursor *c = NULL;
	cr_assert_eq(tldb_timeline_list(db, &c), TLDB_OK, "%s",
	             tldb_errmsg(db));
	const tldb_timeline *tl;
	int rc, n = 0;
	size_t len = 0;
	buf[0] = '\0';
	while ((rc = tldb_cursor_next_timeline(c, &tl)) == TLDB_OK) {
		int k = snprintf(buf + len, size - len, "%s%s:%lld:%s",
		                 len ? " " : "", tl->name,
		                 (long long)tl->events,
		                 tl->title ? tl->title : "-");
		cr_assert(k > 0 && (size_t)k < size - len);
		len += (size_t)k;
		n++;
	}
	cr_expect_eq(rc, TLDB_DONE);
	tldb_cursor_free(c);
	return n;
}

Test(store, timelines)
{
	tldb *db = open_new();
	tldb_timeline tl = {.name = "zulu", .title = "Zulu"};
	cr_expect_eq(tldb_timeline_create(db, &tl), TLDB_OK, "%s",
	             tldb_errmsg(db));
	cr_expect_eq(tldb_timeline_create(db, &tl), TLDB_EEXIST);
	cr_expect(strstr(tldb_errmsg(db), "zulu"), "message: %s",
	          tldb_errmsg(db));
	tldb_timeline tl2 = {.name = "alpha", .title = "Alpha"};
	cr_expect_eq(tldb_timeline_create(db, &tl2), TLDB_OK);
	tldb_timeline tl3 = {.name = "mid-2.x_y"};
	cr_expect_eq(tldb_timeline_create(db, &tl3), TLDB_OK);

	char long_name[TLDB_MAX_TIMELINE_NAME + 2];
	memset(long_name, 'a', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	const char *bad[] = {"",    "Upper", "-dash", ".dot",
	                     "a b", "a/b",   "é",     long_name};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		tldb_timeline b = {.name = bad[i]};
		cr_expect_eq(tldb_timeline_create(db, &b), TLDB_EINVAL,
		             "name '%s' accepted", bad[i]);
		cr_expect(strstr(tldb_errmsg(db), "name"), "message: %s",
		          tldb_errmsg(db));
		cr_expect_not(tldb_timeline_name_valid(bad[i]));
	}
	tldb_timeline nul = {.name = NULL};
	cr_expect_eq(tldb_timeline_create(db, &nul), TLDB_EINVAL);
	long_name[TLDB_MAX_TIMELINE_NAME] = '\0';
	cr_expect(tldb_timeline_name_valid(long_name));
	cr_expect(tldb_timeline_name_valid("0abc"));

	/* put updates the title. */
	tldb_timeline upd = {
	        .name = "zulu", .title = "Zulu Time", .description = "d"};
	cr_expect_eq(tldb_timeline_put(db, &upd), TLDB_OK);
	tldb_timeline newer = {.name = "yankee", .title = "Y"};
	cr_expect_eq(tldb_timeline_put(db, &newer), TLDB_OK);

	const char *tags[] = {"t1", "t2"};
	tldb_source src = {.quote = "quoted words",
	                   .span = {-1, -1},
	                   .expr_span = {-1, -1}};
	char uid[16];
	for (int i = 0; i < 3; i++) {
		snprintf(uid, sizeof uid, "z%d", i);
		tldb_event ev = event(uid, "Zulu event", "2022-09-15", NULL);
		ev.timeline = "zulu";
		ev.tags = tags;
		ev.ntags = 2;
		ev.sources = &src;
		ev.nsources = 1;
		put_ok(db, &ev, TLDB_PUT_INSERTED);
	}
	tldb_event a = event("a0", "Alpha event", "2022-09-15", NULL);
	a.timeline = "alpha";
	a.tags = tags;
	a.ntags = 1;
	a.sources = &src;
	a.nsources = 1;
	put_ok(db, &a, TLDB_PUT_INSERTED);

	char buf[1024];
	cr_expect_eq(list_timelines(db, buf, sizeof buf), 4);
	cr_expect_str_eq(buf, "alpha:1:Alpha mid-2.x_y:0:- yankee:0:Y "
	                      "zulu:3:Zulu Time");

	/* rename */
	cr_expect_eq(tldb_timeline_rename(db, "zulu", "alpha"), TLDB_EEXIST);
	cr_expect(strstr(tldb_errmsg(db), "alpha"), "message: %s",
	          tldb_errmsg(db));
	cr_expect_eq(tldb_timeline_rename(db, "nope", "nope2"), TLDB_ENOTFOUND);
	cr_expect(strstr(tldb_errmsg(db), "nope"), "message: %s",
	          tldb_errmsg(db));
	cr_expect_eq(tldb_timeline_rename(db, "zulu", "Bad"), TLDB_EINVAL);
	cr_expect_eq(tldb_timeline_rename(db, "zulu", "xray"), TLDB_OK, "%s",
	             tldb_errmsg(db));
	tldb_event *got = NULL;
	cr_assert_eq(tldb_get(db, "z1", &got), TLDB_OK);
	cr_expect_str_eq(got->timeline, "xray");
	tldb_event_free(got);
	cr_expect_eq(list_timelines(db, buf, sizeof buf), 4);
	cr_expect_str_eq(buf, "alpha:1:Alpha mid-2.x_y:0:- xray:3:Zulu Time "
	                      "yankee:0:Y");

	/* remove */
	cr_expect_eq(tldb_timeline_remove(db, "xray", 0), TLDB_EEXIST);
	cr_expect(strstr(tldb_errmsg(db), "xray"), "message: %s",
	          tldb_errmsg(db));
	cr_expect_eq(event_count(db), 4);
	cr_expect_eq(tldb_timeline_remove(db, "nope", 1), TLDB_ENOTFOUND);
	cr_expect_eq(tldb_timeline_remove(db, "mid-2.x_y", 0), TLDB_OK);
	cr_expect_eq(tldb_timeline_remove(db, "xray", 1), TLDB_OK, "%s",
	             tldb_errmsg(db));
	cr_expect_eq(event_count(db), 1);
	cr_expect_eq(raw_int(db_path, "SELECT count(*) FROM events"), 1);
	cr_expect_eq(raw_int(db_path, TAG_ENTRIES_SQL), 1);
	cr_expect_eq(raw_int(db_path, "SELECT count(*) FROM sources"), 1);
	cr_expect(fts_matches_events(db_path));
	cr_expect_eq(raw_int(db_path, "SELECT count(*) FROM events_fts WHERE "
	                              "events_fts MATCH 'zulu'"),
	             0);
	cr_expect_eq(list_timelines(db, buf, sizeof buf), 2);
	cr_expect_str_eq(buf, "alpha:1:Alpha yankee:0:Y");
	cr_assert_eq(tldb_get(db, "a0", &got), TLDB_OK);
	cr_expect_eq(got->ntags, 1);
	cr_expect_eq(got->nsources, 1);
	tldb_event_free(got);
	/* The name can be created again, empty. */
	tldb_timeline again = {.name = "xray"};
	cr_expect_eq(tldb_timeline_create(db, &again), TLDB_OK);
	tldb_close(db);
}

Test(store, default_timeline_created_on_first_use)
{
	tldb *db = open_new();
	char buf[256];
	cr_expect_eq(list_timelines(db, buf, sizeof buf), 0);
	tldb_event ev = event("e", "E", "2022", NULL);
	put_ok(db, &ev, TLDB_PUT_INSERTED);
	cr_expect_eq(list_timelines(db, buf, sizeof buf), 1);
	cr_expect_str_eq(buf, "default:1:-");
	tldb_close(db);
}

/* ---- concurrency ---- */

Test(store, reader_keeps_snapshot_while_writer_writes)
{
	tldb *a = open_new();
	char uid[32];
	cr_assert_eq(tldb_begin(a), TLDB_OK);
	for (int i = 0; i < 500; i++) {
		snprintf(uid, sizeof uid, "old-%03d", i);
		tldb_event ev = event(uid, "Old", "2022-09-15", NULL);
		put_ok(a, &ev, TLDB_PUT_INSERTED);
	}
	cr_assert_eq(tldb_commit(a), TLDB_OK);
	tldb *b = open_new();

	tldb_query q;
	tldb_query_init(&q);
	tldb_cursor *c = NULL;
	cr_assert_eq(tldb_query_open(a, &q, &c), TLDB_OK);
	const tldb_event *ev;
	int n = 0, rc;
	while (n < 100 && (rc = tldb_cursor_next(c, &ev)) == TLDB_OK)
		n++;
	cr_assert_eq(n, 100);

	/* B writes while A's cursor is mid-iteration. */
	tldb_event nev = event("new-one", "New", "2022-09-15", NULL);
	rc = tldb_put(b, &nev, NULL, NULL);
	cr_assert_eq(rc, TLDB_OK, "writer blocked: %s", tldb_errmsg(b));
	cr_assert_eq(tldb_begin(b), TLDB_OK, "%s", tldb_errmsg(b));
	for (int i = 0; i < 50; i++) {
		snprintf(uid, sizeof uid, "new-%03d", i);
		tldb_event e2 = event(uid, "New", "2022-09-15", NULL);
		put_ok(b, &e2, TLDB_PUT_INSERTED);
	}
	cr_assert_eq(tldb_remove(b, "old-250"), TLDB_OK);
	cr_assert_eq(tldb_commit(b), TLDB_OK, "%s", tldb_errmsg(b));

	int saw_new = 0;
	while ((rc = tldb_cursor_next(c, &ev)) == TLDB_OK) {
		n++;
		saw_new |= strncmp(ev->uid, "new", 3) == 0;
	}
	cr_expect_eq(rc, TLDB_DONE, "%s", tldb_errmsg(a));
	cr_expect_eq(n, 500, "A's snapshot changed");
	cr_expect_not(saw_new);
	tldb_cursor_free(c);

	/* A new query on A sees B's writes. */
	cr_assert_eq(tldb_query_open(a, &q, &c), TLDB_OK);
	n = 0;
	saw_new = 0;
	while ((rc = tldb_cursor_next(c, &ev)) == TLDB_OK) {
		n++;
		saw_new |= strcmp(ev->uid, "new-one") == 0;
	}
	cr_expect_eq(rc, TLDB_DONE);
	cr_expect_eq(n, 550);
	cr_expect(saw_new);
	tldb_cursor_free(c);
	tldb_event *got = NULL;
	cr_expect_eq(tldb_get(a, "new-049", &got), TLDB_OK);
	tldb_event_free(got);
	tldb_close(b);
	tldb_close(a);
}

typedef struct thread_arg {
	tldb *db;
	int errors;
	int done;
	char msg[512];
	pthread_mutex_t *lock;
} thread_arg;

static int get_done(thread_arg *t)
{
	pthread_mutex_lock(t->lock);
	int d = t->done;
	pthread_mutex_unlock(t->lock);
	return d;
}

static void *writer_main(void *p)
{
	thread_arg *t = p;
	char uid[32], title[64];
	for (int batch = 0; batch < 20 && !t->errors; batch++) {
		int rc = tldb_begin(t->db);
		if (rc) {
			t->errors++;
			snprintf(t->msg, sizeof t->msg, "begin: %s",
			         tldb_errmsg(t->db));
			break;
		}
		for (int i = 0; i < 100; i++) {
			int k = batch * 100 + i;
			snprintf(uid, sizeof uid, "w-%05d", k);
			snprintf(title, sizeof title, "Written %d", k);
			char start[16];
			snprintf(start, sizeof start, "%04d-%02d-%02d",
			         1900 + k % 200, 1 + k % 12, 1 + k % 28);
			tldb_event ev = event(uid, title, start, NULL);
			tldb_put_result res;
			rc = tldb_put(t->db, &ev, NULL, &res);
			if (rc || res != TLDB_PUT_INSERTED) {
				t->errors++;
				snprintf(t->msg, sizeof t->msg, "put %s: %s",
				         uid, tldb_errmsg(t->db));
				break;
			}
		}
		if (t->errors) {
			tldb_rollback(t->db);
			break;
		}
		if ((rc = tldb_commit(t->db))) {
			t->errors++;
			snprintf(t->msg, sizeof t->msg, "commit: %s",
			         tldb_errmsg(t->db));
		}
	}
	pthread_mutex_lock(t->lock);
	t->done = 1;
	pthread_mutex_unlock(t->lock);
	return NULL;
}

typedef struct reader_arg {
	tldb *db;
	thread_arg *writer;
	int errors, reads;
	int torn; /* saw part of a batch, or fewer events than before */
	int64_t last;
	char msg[512];
} reader_arg;

static void *reader_loop(void *p)
{
	reader_arg *r = p;
	int finished = 0;
	while (!finished && r->errors == 0) {
		finished = get_done(r->writer);
		tldb_query q;
		tldb_query_init(&q);
		tldb_cursor *c = NULL;
		int rc = tldb_query_open(r->db, &q, &c);
		if (rc) {
			r->errors++;
			snprintf(r->msg, sizeof r->msg, "query: %s",
			         tldb_errmsg(r->db));
			break;
		}
		const tldb_event *ev;
		int64_t n = 0;
		while ((rc = tldb_cursor_next(c, &ev)) == TLDB_OK)
			n++;
		tldb_cursor_free(c);
		if (rc != TLDB_DONE) {
			r->errors++;
			snprintf(r->msg, sizeof r->msg, "cursor: %s",
			         tldb_errmsg(r->db));
			break;
		}
		if (n % 100 != 0 || n < r->last)
			r->torn++;
		r->last = n;
		r->reads++;
	}
	return NULL;
}

Test(store, writer_and_reader_threads)
{
	tldb *wdb = open_new();
	tldb *rdb = open_db(db_path, 0);
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	thread_arg w;
	memset(&w, 0, sizeof w);
	w.db = wdb;
	w.lock = &lock;
	reader_arg r;
	memset(&r, 0, sizeof r);
	r.db = rdb;
	r.writer = &w;
	pthread_t wt, rt;
	cr_assert_eq(pthread_create(&rt, NULL, reader_loop, &r), 0);
	cr_assert_eq(pthread_create(&wt, NULL, writer_main, &w), 0);
	pthread_join(wt, NULL);
	pthread_join(rt, NULL);
	cr_expect_eq(w.errors, 0, "writer: %s", w.msg);
	cr_expect_eq(r.errors, 0, "reader: %s", r.msg);
	cr_expect_eq(r.torn, 0, "a reader saw part of a transaction");
	cr_log_info("reader: %d full reads while the writer wrote", r.reads);
	cr_expect_gt(r.reads, 1);
	cr_expect_eq(r.last, 2000, "the last read saw %lld events",
	             (long long)r.last);
	cr_expect_eq(event_count(rdb), 2000);
	tldb_close(rdb);
	tldb_close(wdb);
	cr_expect_eq(raw_int(db_path, "SELECT count(*) FROM events"), 2000);
}

/* ---- stats ---- */

Test(store, stats_counts)
{
	tldb *db = open_new();
	tldb_stats st;
	cr_assert_eq(tldb_stats_get(db, &st), TLDB_OK);
	cr_expect_eq(st.events, 0);
	cr_expect_eq(st.timelines, 0);
	cr_expect_eq(st.schema_version, tldb_schema_version());
	cr_expect_gt(st.file_bytes, 0);

	tldb_timeline tl = {.name = "second"};
	cr_assert_eq(tldb_timeline_create(db, &tl), TLDB_OK);
	const char *tags1[] = {"a", "b"};
	const char *tags2[] = {"b", "c"};
	tldb_source srcs[3] = {{.span = {-1, -1}, .expr_span = {-1, -1}},
	                       {.span = {-1, -1}, .expr_span = {-1, -1}},
	                       {.span = {-1, -1}, .expr_span = {-1, -1}}};
	tldb_event e1 = event("e1", "Year", "1850", NULL);
	e1.tags = tags1;
	e1.ntags = 2;
	e1.sources = srcs;
	e1.nsources = 2;
	tldb_event e2 = event("e2", "Month", "2022-02", NULL);
	e2.tags = tags2;
	e2.ntags = 2;
	e2.sources = srcs;
	e2.nsources = 1;
	e2.timeline = "second";
	tldb_event e3 = event("e3", "Day", "2022-09-15", NULL);
	tldb_event e4 = event("e4", "Minute", "2022-09-15T10:00Z", NULL);
	tldb_event e5 = event("e5", "Mixed", "2022-09-15", "2023");
	tldb_event e6 = event("e6", "Open", "2030/..", NULL);
	tldb_event e7 = event("e7", "Second", "2022-09-15T10:00:30Z", NULL);
	tldb_event *all[] = {&e1, &e2, &e3, &e4, &e5, &e6, &e7};
	for (size_t i = 0; i < sizeof all / sizeof *all; i++)
		put_ok(db, all[i], TLDB_PUT_INSERTED);

	cr_assert_eq(tldb_stats_get(db, &st), TLDB_OK);
	cr_expect_eq(st.events, 7);
	cr_expect_eq(st.timelines, 2);
	cr_expect_eq(st.tags, 3);
	cr_expect_eq(st.sources, 3);
	cr_expect_eq(st.by_precision[TLDB_PREC_NONE], 0);
	cr_expect_eq(st.by_precision[TLDB_PREC_YEAR], 3);
	cr_expect_eq(st.by_precision[TLDB_PREC_MONTH], 1);
	cr_expect_eq(st.by_precision[TLDB_PREC_DAY], 1);
	cr_expect_eq(st.by_precision[TLDB_PREC_MINUTE], 1);
	cr_expect_eq(st.by_precision[TLDB_PREC_SECOND], 1);
	tldb_date d1850, d2023;
	cr_assert_eq(tldb_date_parse("1850", NULL, &d1850, NULL), TLDB_OK);
	cr_assert_eq(tldb_date_parse("2023", NULL, &d2023, NULL), TLDB_OK);
	cr_expect_eq(st.lo_min, d1850.lo);
	cr_expect_eq(st.hi_max, d2023.hi, "open ends must not count");
	cr_expect_eq(st.schema_version, 4);
	cr_expect_gt(st.file_bytes, 0);

	cr_assert_eq(tldb_remove(db, "e1"), TLDB_OK);
	cr_assert_eq(tldb_stats_get(db, &st), TLDB_OK);
	cr_expect_eq(st.events, 6);
	cr_expect_eq(st.tags, 2);
	cr_expect_eq(st.sources, 1);
	cr_expect_eq(st.by_precision[TLDB_PREC_YEAR], 2);
	tldb_close(db);
}

/* Inside a transaction a timeline's `updated` is written once, at commit, and
 * says when the last change happened; a rolled-back transaction leaves it. */
Test(store, timeline_updated_at_commit)
{
	tldb *db = open_new();
	tldb_timeline tl = {.name = "t"};
	tldb_set_now(db, 100);
	cr_assert_eq(tldb_timeline_create(db, &tl), TLDB_OK);
	tldb_set_now(db, 200);
	cr_assert_eq(tldb_begin(db), TLDB_OK);
	for (int i = 0; i < 3; i++) {
		char uid[16];
		snprintf(uid, sizeof uid, "e%d", i);
		tldb_event ev = event(uid, "E", "2022", NULL);
		ev.timeline = "t";
		put_ok(db, &ev, TLDB_PUT_INSERTED);
	}
	cr_expect_eq(raw_int(db_path,
	                     "SELECT updated FROM timelines WHERE name = 't'"),
	             100, "a reader sees the old stamp before the commit");
	cr_assert_eq(tldb_commit(db), TLDB_OK, "%s", tldb_errmsg(db));
	cr_expect_eq(raw_int(db_path,
	                     "SELECT updated FROM timelines WHERE name = 't'"),
	             200);
	tldb_set_now(db, 300);
	cr_assert_eq(tldb_begin(db), TLDB_OK);
	cr_assert_eq(tldb_remove(db, "e0"), TLDB_OK);
	tldb_rollback(db);
	cr_expect_eq(raw_int(db_path,
	                     "SELECT updated FROM timelines WHERE name = 't'"),
	             200);
	cr_assert_eq(tldb_remove(db, "e0"), TLDB_OK);
	cr_expect_eq(raw_int(db_path,
	                     "SELECT updated FROM timelines WHERE name = 't'"),
	             300);
	/* A renamed timeline is looked up afresh inside a transaction. */
	cr_assert_eq(tldb_begin(db), TLDB_OK);
	cr_assert_eq(tldb_timeline_rename(db, "t", "u"), TLDB_OK);
	tldb_event moved = event("e9", "E", "2022", NULL);
	moved.timeline = "t";
	cr_expect_eq(tldb_put(db, &moved, NULL, NULL), TLDB_ENOTFOUND);
	moved.timeline = "u";
	put_ok(db, &moved, TLDB_PUT_INSERTED);
	cr_assert_eq(tldb_commit(db), TLDB_OK, "%s", tldb_errmsg(db));
	tldb_close(db);
}

/* A put that fails after it began writing (here: a trigger refuses its
 * tag) leaves nothing of itself behind: alone, its own transaction rolls
 * back; inside tldb_begin, the whole transaction does, at commit. */
Test(store, put_failing_half_way_leaves_no_half_event)
{
	tldb *db = open_new();
	tldb_event ok = event("ok", "Fine", "2022", NULL);
	put_ok(db, &ok, TLDB_PUT_INSERTED);
	tldb_close(db);
	raw_exec(db_path, "CREATE TRIGGER boom BEFORE INSERT ON sources WHEN "
	                  "NEW.quote = 'boom' BEGIN SELECT RAISE(ABORT, "
	                  "'boom'); END");
	db = open_db(db_path, 0);
	tldb_source boom = {
	        .quote = "boom", .span = {-1, -1}, .expr_span = {-1, -1}};
	tldb_event bad = event("bad", "Half", "2022", NULL);
	bad.sources = &boom;
	bad.nsources = 1;
	cr_expect_neq(tldb_put(db, &bad, NULL, NULL), TLDB_OK);
	cr_expect_eq(raw_int(db_path, "SELECT count(*) FROM events"), 1);

	cr_assert_eq(tldb_begin(db), TLDB_OK);
	tldb_event more = event("more", "More", "2023", NULL);
	put_ok(db, &more, TLDB_PUT_INSERTED);
	cr_expect_neq(tldb_put(db, &bad, NULL, NULL), TLDB_OK);
	int rc = tldb_commit(db);
	cr_expect_neq(rc, TLDB_OK, "a half-written put was committed");
	cr_expect(strstr(tldb_errmsg(db), "rolled back") != NULL, "%s",
	          tldb_errmsg(db));
	tldb_close(db);
	cr_expect_eq(raw_int(db_path, "SELECT count(*) FROM events"), 1);
	cr_expect_eq(raw_int(db_path, "SELECT count(*) FROM events WHERE "
	                              "uid = 'ok'"),
	             1);
	/* Refused input inside a transaction does not poison it. */
	db = open_db(db_path, 0);
	cr_assert_eq(tldb_begin(db), TLDB_OK);
	tldb_event nodate = event("x", "X", "2022-13", NULL);
	cr_expect_eq(tldb_put(db, &nodate, NULL, NULL), TLDB_EDATE);
	put_ok(db, &more, TLDB_PUT_INSERTED);
	cr_expect_eq(tldb_commit(db), TLDB_OK, "%s", tldb_errmsg(db));
	tldb_close(db);
	cr_expect_eq(raw_int(db_path, "SELECT count(*) FROM events"), 2);
}
