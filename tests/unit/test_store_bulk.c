/*
 * test_store_bulk.c -- bulk loads (a transaction inserting at least
 * TL_BULK_MIN = 10,000 events and as many as the store held drops the
 * secondary indexes and builds them again at commit), and the migration of
 * a schema-1 file to schema 2 (tags in events.tagtext only, the full-text
 * index over the events_text view).
 *
 * The plan of a query on the writing handle shows whether the indexes are
 * there mid-transaction; other connections never see them missing.
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tldb/tldb.h"
#include "unit/tmpdir.h"

static void setup(void)
{
	tmpdir_setup("bulk");
}

TestSuite(bulk, .init = setup, .fini = teardown);

#define BULK 12000 /* more than TL_BULK_MIN */

static tldb *open_db(int flags)
{
	tldb *db = NULL;
	int rc = tldb_open(db_path, flags, &db);
	cr_assert_eq(rc, TLDB_OK, "tldb_open: %s (%s)", tldb_err_name(rc),
	             tldb_errmsg(db));
	return db;
}

static int64_t raw_int(const char *sql)
{
	sqlite3 *s = NULL;
	cr_assert_eq(sqlite3_open_v2(db_path, &s, SQLITE_OPEN_READONLY, NULL),
	             SQLITE_OK);
	sqlite3_stmt *st = NULL;
	cr_assert_eq(sqlite3_prepare_v2(s, sql, -1, &st, NULL), SQLITE_OK,
	             "%s: %s", sql, sqlite3_errmsg(s));
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "%s", sql);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(s);
	return v;
}

/* Runs sql on a connection of its own; returns SQLite's code. */
static int raw_exec(const char *sql)
{
	sqlite3 *s = NULL;
	cr_assert_eq(sqlite3_open_v2(db_path, &s,
	                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
	                             NULL),
	             SQLITE_OK);
	int rc = sqlite3_exec(s, sql, NULL, NULL, NULL);
	sqlite3_close(s);
	return rc;
}

/* SQLite's own check of the file and FTS5's check of the index against
 * events_text both pass, and both secondary indexes are there. */
static void expect_sound(void)
{
	sqlite3 *s = NULL;
	cr_assert_eq(sqlite3_open_v2(db_path, &s, SQLITE_OPEN_READONLY, NULL),
	             SQLITE_OK);
	sqlite3_stmt *st = NULL;
	cr_assert_eq(
	        sqlite3_prepare_v2(s, "PRAGMA integrity_check", -1, &st, NULL),
	        SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_expect_str_eq((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	sqlite3_close(s);
	cr_expect_eq(raw_exec("INSERT INTO events_fts(events_fts, rank) "
	                      "VALUES ('integrity-check', 1)"),
	             SQLITE_OK, "the full-text index differs from its text");
	cr_expect_eq(raw_int("SELECT count(*) FROM sqlite_schema WHERE type = "
	                     "'index' AND name IN ('events_span', "
	                     "'events_timeline')"),
	             2);
}

/* Event i: a day in 2000-2027, a tag of 7, words to search. */
static void put_numbered(tldb *db, int i, const char *prefix)
{
	char uid[32], title[64], start[16];
	snprintf(uid, sizeof uid, "%s%05d", prefix, i);
	snprintf(title, sizeof title, "Event %d %s", i,
	         i % 100 == 0 ? "centennial" : "plain");
	snprintf(start, sizeof start, "%04d-%02d-%02d", 2000 + i % 28,
	         1 + i % 12, 1 + i % 28);
	char tag[8];
	snprintf(tag, sizeof tag, "t%d", i % 7);
	const char *tags[] = {tag};
	tldb_event ev;
	memset(&ev, 0, sizeof ev);
	ev.uid = uid;
	ev.title = title;
	ev.start = start;
	ev.tags = tags;
	ev.ntags = 1;
	tldb_put_result res;
	int rc = tldb_put(db, &ev, NULL, &res);
	cr_assert_eq(rc, TLDB_OK, "%s: %s", uid, tldb_errmsg(db));
	cr_assert_eq(res, TLDB_PUT_INSERTED);
}

/* 1 when the range query's plan reads events_span. */
static int range_uses_span_index(tldb *db)
{
	tldb_query q;
	tldb_query_init(&q);
	tldb_date d;
	cr_assert_eq(tldb_date_parse("2010", NULL, &d, NULL), TLDB_OK);
	q.lo = d.lo;
	q.hi = d.hi;
	char *plan = NULL;
	cr_assert_eq(tldb_query_plan(db, &q, &plan), TLDB_OK, "%s",
	             tldb_errmsg(db));
	int uses = strstr(plan, "events_span") != NULL;
	free(plan);
	return uses;
}

/* Counts the query's events, checking they come in date order. */
static int64_t count_query(tldb *db, const tldb_query *q)
{
	tldb_cursor *c = NULL;
	cr_assert_eq(tldb_query_open(db, q, &c), TLDB_OK, "%s",
	             tldb_errmsg(db));
	const tldb_event *ev;
	int64_t n = 0, last_lo = INT64_MIN;
	int rc;
	while ((rc = tldb_cursor_next(c, &ev)) == TLDB_OK) {
		cr_expect_geq(ev->lo, last_lo, "out of order at %s", ev->uid);
		last_lo = ev->lo;
		n++;
	}
	cr_expect_eq(rc, TLDB_DONE);
	tldb_cursor_free(c);
	return n;
}

Test(bulk, load_drops_indexes_and_builds_them_at_commit)
{
	tldb *db = open_db(TLDB_OPEN_CREATE);
	cr_assert_eq(tldb_begin(db), TLDB_OK);
	for (int i = 0; i < BULK; i++) {
		put_numbered(db, i, "b");
		if (i == 100)
			cr_expect(range_uses_span_index(db),
			          "dropped before the load was a bulk one");
	}
	cr_expect_not(range_uses_span_index(db),
	              "a bulk load of %d events kept its indexes", BULK);
	/* Other connections see the committed file, indexes and all. */
	cr_expect_eq(raw_int("SELECT count(*) FROM sqlite_schema WHERE name = "
	                     "'events_span'"),
	             1);
	cr_assert_eq(tldb_commit(db), TLDB_OK, "%s", tldb_errmsg(db));
	cr_expect(range_uses_span_index(db));
	expect_sound();

	/* The rebuilt indexes answer like incrementally built ones would. */
	tldb_query q;
	tldb_query_init(&q);
	cr_expect_eq(count_query(db, &q), BULK);
	tldb_date d;
	cr_assert_eq(tldb_date_parse("2010", NULL, &d, NULL), TLDB_OK);
	q.lo = d.lo;
	q.hi = d.hi;
	int64_t in_2010 = 0;
	for (int i = 0; i < BULK; i++)
		in_2010 += i % 28 == 10;
	cr_expect_eq(count_query(db, &q), in_2010);
	const char *tags[] = {"t3"};
	q.tags = tags;
	q.ntags = 1;
	int64_t tagged = 0;
	for (int i = 0; i < BULK; i++)
		tagged += i % 28 == 10 && i % 7 == 3;
	cr_expect_eq(count_query(db, &q), tagged);
	tldb_query_init(&q);
	q.text = "centennial";
	cr_expect_eq(count_query(db, &q), BULK / 100);
	tldb_close(db);
}

Test(bulk, small_load_into_a_larger_store_keeps_indexes)
{
	tldb *db = open_db(TLDB_OPEN_CREATE);
	cr_assert_eq(tldb_begin(db), TLDB_OK);
	for (int i = 0; i < BULK; i++)
		put_numbered(db, i, "a");
	cr_assert_eq(tldb_commit(db), TLDB_OK, "%s", tldb_errmsg(db));
	/* As many again as the store holds, less one: still incremental. */
	cr_assert_eq(tldb_begin(db), TLDB_OK);
	for (int i = 0; i < BULK - 1; i++)
		put_numbered(db, i, "c");
	cr_expect(range_uses_span_index(db),
	          "%d inserts into a store of %d dropped the indexes", BULK - 1,
	          BULK);
	put_numbered(db, BULK - 1, "c");
	cr_expect_not(range_uses_span_index(db),
	              "as many inserts as the store held kept the indexes");
	cr_assert_eq(tldb_commit(db), TLDB_OK, "%s", tldb_errmsg(db));
	expect_sound();
	tldb_query q;
	tldb_query_init(&q);
	cr_expect_eq(count_query(db, &q), 2 * BULK);
	tldb_close(db);
}

Test(bulk, rolled_back_load_leaves_the_store_as_it_was)
{
	tldb *db = open_db(TLDB_OPEN_CREATE);
	for (int i = 0; i < 50; i++)
		put_numbered(db, i, "k");
	cr_assert_eq(tldb_begin(db), TLDB_OK);
	for (int i = 0; i < BULK; i++)
		put_numbered(db, i, "r");
	cr_expect_not(range_uses_span_index(db));
	tldb_rollback(db);
	cr_expect(range_uses_span_index(db), "the rollback lost the indexes");
	expect_sound();
	tldb_query q;
	tldb_query_init(&q);
	cr_expect_eq(count_query(db, &q), 50);

	/* The same load again, committed this time. */
	cr_assert_eq(tldb_begin(db), TLDB_OK);
	for (int i = 0; i < BULK; i++)
		put_numbered(db, i, "r");
	cr_expect_eq(tldb_commit(db), TLDB_OK, "%s", tldb_errmsg(db));
	tldb_close(db);
	expect_sound();
	cr_expect_eq(raw_int("SELECT count(*) FROM events"), 50 + BULK);
}

/* The schema of version 1, as tldb 0.1 wrote it: a tags table, and a
 * full-text index keeping its own copy of the text. */
static const char schema1[] =
        "CREATE TABLE timelines (id INTEGER PRIMARY KEY, name TEXT NOT NULL "
        "UNIQUE, title TEXT, description TEXT, token TEXT, created INTEGER "
        "NOT NULL, updated INTEGER NOT NULL);"
        "CREATE TABLE events (id INTEGER PRIMARY KEY, uid TEXT NOT NULL "
        "UNIQUE, timeline_id INTEGER NOT NULL REFERENCES timelines(id), "
        "title TEXT NOT NULL, body TEXT, start TEXT NOT NULL, \"end\" TEXT, "
        "tz TEXT, location TEXT, url TEXT, lo INTEGER NOT NULL, hi INTEGER "
        "NOT NULL, prec INTEGER NOT NULL, span_class INTEGER NOT NULL, chash "
        "INTEGER NOT NULL, created INTEGER NOT NULL, updated INTEGER NOT "
        "NULL, sequence INTEGER NOT NULL DEFAULT 0, tagtext TEXT);"
        "CREATE INDEX events_span ON events(span_class, lo, prec DESC, "
        "title, uid, hi);"
        "CREATE INDEX events_timeline ON events(timeline_id);"
        "CREATE TABLE tags (event_id INTEGER NOT NULL REFERENCES events(id) "
        "ON DELETE CASCADE, ord INTEGER NOT NULL, tag TEXT NOT NULL, "
        "PRIMARY KEY (event_id, ord)) WITHOUT ROWID;"
        "CREATE TABLE sources (event_id INTEGER NOT NULL REFERENCES "
        "events(id) ON DELETE CASCADE, ord INTEGER NOT NULL, url TEXT, "
        "title TEXT, plugin TEXT, quote TEXT, expr TEXT, doc_date TEXT, "
        "resolver TEXT, span_lo INTEGER, span_hi INTEGER, expr_lo INTEGER, "
        "expr_hi INTEGER, PRIMARY KEY (event_id, ord)) WITHOUT ROWID;"
        "CREATE VIRTUAL TABLE events_fts USING fts5(title, body, location, "
        "tags, quotes, tokenize = 'unicode61 remove_diacritics 2');"
        "PRAGMA application_id = 1953260642; PRAGMA user_version = 1;";

Test(bulk, schema_1_file_migrates_with_its_text_and_tags)
{
	cr_assert_eq(raw_exec("PRAGMA journal_mode = WAL"), SQLITE_OK);
	cr_assert_eq(raw_exec(schema1), SQLITE_OK);
	/* An event as 0.1 stored it (bounds of 15 September 2022). */
	cr_assert_eq(
	        raw_exec(
	                "INSERT INTO timelines VALUES (1, 'default', NULL, "
	                "NULL, NULL, 1, 1);"
	                "INSERT INTO events VALUES (1, 'sco', 1, 'Samarkand "
	                "summit', 'Xi and Putin met', '2022-09-15', NULL, "
	                "NULL, 'Uzbekistan', NULL, 1663200000000000, "
	                "1663286400000000, 3, 0, 42, 1, 1, 0, 'asia' || "
	                "char(31) || 'diplomacy');"
	                "INSERT INTO tags VALUES (1, 0, 'asia'), (1, 1, "
	                "'diplomacy');"
	                "INSERT INTO sources(event_id, ord, url, quote) VALUES "
	                "(1, 0, 'https://example.org/a', 'they met in "
	                "Samarkand on Thursday');"
	                "INSERT INTO events_fts(rowid, title, body, location, "
	                "tags, quotes) VALUES (1, 'Samarkand summit', 'Xi and "
	                "Putin met', 'Uzbekistan', 'asia diplomacy', 'they met "
	                "in Samarkand on Thursday');"),
	        SQLITE_OK);

	tldb *db = open_db(0);
	tldb_stats st;
	cr_assert_eq(tldb_stats_get(db, &st), TLDB_OK);
	cr_expect_eq(st.schema_version, 4);
	cr_expect_eq(raw_int("SELECT count(*) FROM sqlite_schema WHERE name = "
	                     "'events_series'"),
	             1);
	cr_expect_eq(st.events, 1);
	cr_expect_eq(st.tags, 2);
	cr_expect_eq(st.sources, 1);
	cr_expect_eq(raw_int("SELECT count(*) FROM sqlite_schema WHERE name = "
	                     "'tags'"),
	             0);
	expect_sound();
	static const char *const words[] = {"summit", "putin", "uzbekistan",
	                                    "diplomacy", "thursday"};
	tldb_query q;
	for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
		tldb_query_init(&q);
		q.text = words[i];
		cr_expect_eq(count_query(db, &q), 1, "'%s' not found",
		             words[i]);
	}
	tldb_query_init(&q);
	const char *tags[] = {"diplomacy"};
	q.tags = tags;
	q.ntags = 1;
	cr_expect_eq(count_query(db, &q), 1);
	const char *part[] = {"diplo"};
	q.tags = part;
	cr_expect_eq(count_query(db, &q), 0, "a tag matched by its prefix");

	/* Schema 3 identifies an event by (timeline, uid): the same uid in
	 * another timeline is a second event, and the migrated one keeps its
	 * sources. */
	tldb_timeline other = {.name = "other"};
	cr_assert_eq(tldb_timeline_create(db, &other), TLDB_OK);
	tldb_event twin = {.uid = "sco",
	                   .timeline = "other",
	                   .title = "Twin",
	                   .start = "2022-09-15"};
	tldb_put_result put;
	cr_assert_eq(tldb_put(db, &twin, NULL, &put), TLDB_OK, "%s",
	             tldb_errmsg(db));
	cr_expect_eq(put, TLDB_PUT_INSERTED);
	tldb_event *got = NULL;
	cr_expect_eq(tldb_get(db, "sco", &got), TLDB_EAMBIGUOUS);
	cr_expect(strstr(tldb_errmsg(db), "default/sco") &&
	                  strstr(tldb_errmsg(db), "other/sco"),
	          "%s", tldb_errmsg(db));
	cr_assert_eq(tldb_get(db, "default/sco", &got), TLDB_OK);
	cr_expect_eq(got->nsources, 1);
	tldb_event_free(got);
	cr_assert_eq(tldb_remove(db, "other/sco"), TLDB_OK);
	expect_sound();

	/* Changing and removing the migrated event keeps the index exact. */
	tldb_event *ev = NULL;
	cr_assert_eq(tldb_get(db, "sco", &ev), TLDB_OK, "%s", tldb_errmsg(db));
	tldb_event changed = *ev;
	changed.title = "Samarkand summit of the SCO";
	tldb_put_result res;
	cr_assert_eq(tldb_put(db, &changed, NULL, &res), TLDB_OK, "%s",
	             tldb_errmsg(db));
	cr_expect_eq(res, TLDB_PUT_UPDATED);
	tldb_event_free(ev);
	expect_sound();
	cr_assert_eq(tldb_remove(db, "sco"), TLDB_OK);
	expect_sound();
	tldb_query_init(&q);
	q.text = "samarkand";
	cr_expect_eq(count_query(db, &q), 0);
	tldb_close(db);
}
