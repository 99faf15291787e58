/*
 * store_schema.c -- the schema and its migrations.
 *
 * PRAGMA user_version is the schema version; migrations[v] takes a database
 * from version v to v + 1.  Migrations only ever get appended.  They run in
 * one IMMEDIATE transaction, so a failed migration leaves the file as it was
 * and two processes opening a fresh file at once do not both migrate.
 *
 * Tables:
 *   timelines   name, title, description, share token, created/updated
 *   events      every field of the contract's event, its bounds [lo, hi),
 *               precision, span class and content hash, and its tags
 *               joined (so reading an event needs no second lookup); an
 *               event is identified by (uid, timeline)
 *   sources     provenance records of an event, in order
 *   events_text a view: the text of each event the full-text index holds
 *   events_fts  FTS5 over title, body, location, tags and source quotes,
 *               with events_text as its external content: the words are
 *               indexed but the text is not kept a second time
 * Index events_series (timeline_id, series) holds only the changed and
 * cancelled occurrences of series, which a query expanding a series reads.
 * Index events_span (span_class, lo, prec DESC, title, uid, hi) answers
 * range queries (event_internal.h explains the span classes): within a
 * class it yields events already in the result order, so the arms of a
 * query merge without a sort, and it holds hi, so an entry that ends before
 * the range is passed over without reading the row.
 */
#include <stdio.h>

#include "event_internal.h"
#include "store_internal.h"

_Static_assert(TL_CLASS_SERIES == 30,
               "events_series_span names the class of series");

static const char *const migrations[] = {
        /* 0 -> 1 */
        "CREATE TABLE timelines ("
        "  id INTEGER PRIMARY KEY,"
        "  name TEXT NOT NULL UNIQUE,"
        "  title TEXT,"
        "  description TEXT,"
        "  token TEXT,"
        "  created INTEGER NOT NULL,"
        "  updated INTEGER NOT NULL);"
        "CREATE TABLE events ("
        "  id INTEGER PRIMARY KEY,"
        "  uid TEXT NOT NULL UNIQUE,"
        "  timeline_id INTEGER NOT NULL REFERENCES timelines(id),"
        "  title TEXT NOT NULL,"
        "  body TEXT,"
        "  start TEXT NOT NULL,"
        "  \"end\" TEXT,"
        "  tz TEXT,"
        "  location TEXT,"
        "  url TEXT,"
        "  lo INTEGER NOT NULL,"
        "  hi INTEGER NOT NULL,"
        "  prec INTEGER NOT NULL,"
        "  span_class INTEGER NOT NULL,"
        "  chash INTEGER NOT NULL,"
        "  created INTEGER NOT NULL,"
        "  updated INTEGER NOT NULL,"
        "  sequence INTEGER NOT NULL DEFAULT 0,"
        "  tagtext TEXT);" /* the tags joined by char(31), for reading */
        TL_INDEX_EVENTS_SPAN ";" TL_INDEX_EVENTS_TIMELINE ";"
        "CREATE TABLE tags ("
        "  event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,"
        "  ord INTEGER NOT NULL,"
        "  tag TEXT NOT NULL,"
        "  PRIMARY KEY (event_id, ord)) WITHOUT ROWID;"
        "CREATE TABLE sources ("
        "  event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,"
        "  ord INTEGER NOT NULL,"
        "  url TEXT, title TEXT, plugin TEXT, quote TEXT, expr TEXT,"
        "  doc_date TEXT, resolver TEXT,"
        "  span_lo INTEGER, span_hi INTEGER, expr_lo INTEGER, expr_hi INTEGER,"
        "  PRIMARY KEY (event_id, ord)) WITHOUT ROWID;"
        "CREATE VIRTUAL TABLE events_fts USING fts5("
        "  title, body, location, tags, quotes,"
        "  tokenize = 'unicode61 remove_diacritics 2');",
        /* 1 -> 2: the tags table repeated events.tagtext, and the
         * full-text index kept a copy of every text it indexed; a tag
         * filter now reads tagtext, and the index reads its text from
         * events_text when it is rebuilt. */
        "DROP TABLE tags;"
        "DROP TABLE events_fts;"
        "CREATE VIEW events_text(id, title, body, location, tags, quotes) AS"
        "  SELECT e.id, e.title, e.body, e.location, e.tagtext,"
        "  (SELECT group_concat(s.quote, ' ') FROM sources s"
        "   WHERE s.event_id = e.id) FROM events e;"
        "CREATE VIRTUAL TABLE events_fts USING fts5("
        "  title, body, location, tags, quotes,"
        "  content = 'events_text', content_rowid = 'id', columnsize = 0,"
        "  tokenize = 'unicode61 remove_diacritics 2');"
        "INSERT INTO events_fts(events_fts) VALUES ('rebuild');",
        /* 2 -> 3: an event is identified by (timeline, uid), as a CalDAV
         * collection identifies a resource: two calendars may both hold
         * UID:1.  SQLite cannot drop a UNIQUE constraint, so the table is
         * made anew (SQLite's documented procedure, with foreign keys off:
         * tl_schema_migrate), keeping every id, so sources and the
         * full-text index stay valid.  uid leads the key so that a bare
         * uid is still found by the index. */
        "DROP VIEW events_text;"
        "CREATE TABLE events_v3 ("
        "  id INTEGER PRIMARY KEY,"
        "  uid TEXT NOT NULL,"
        "  timeline_id INTEGER NOT NULL REFERENCES timelines(id),"
        "  title TEXT NOT NULL,"
        "  body TEXT,"
        "  start TEXT NOT NULL,"
        "  \"end\" TEXT,"
        "  tz TEXT,"
        "  location TEXT,"
        "  url TEXT,"
        "  lo INTEGER NOT NULL,"
        "  hi INTEGER NOT NULL,"
        "  prec INTEGER NOT NULL,"
        "  span_class INTEGER NOT NULL,"
        "  chash INTEGER NOT NULL,"
        "  created INTEGER NOT NULL,"
        "  updated INTEGER NOT NULL,"
        "  sequence INTEGER NOT NULL DEFAULT 0,"
        "  tagtext TEXT,"
        "  UNIQUE (uid, timeline_id));"
        "INSERT INTO events_v3 SELECT id, uid, timeline_id, title, body,"
        "  start, \"end\", tz, location, url, lo, hi, prec, span_class,"
        "  chash, created, updated, sequence, tagtext FROM events;"
        "DROP TABLE events;"
        "ALTER TABLE events_v3 RENAME TO events;" TL_INDEX_EVENTS_SPAN
        ";" TL_INDEX_EVENTS_TIMELINE ";"
        "CREATE VIEW events_text(id, title, body, location, tags, quotes) AS"
        "  SELECT e.id, e.title, e.body, e.location, e.tagtext,"
        "  (SELECT group_concat(s.quote, ' ') FROM sources s"
        "   WHERE s.event_id = e.id) FROM events e;",
        /* 3 -> 4: recurring series are stored as series (tldb.h): the
         * recurrence of a series, and the series and original start of
         * an occurrence that is changed or cancelled, which a query
         * looks up by series. */
        "ALTER TABLE events ADD COLUMN recur TEXT;"
        "ALTER TABLE events ADD COLUMN series TEXT;"
        "ALTER TABLE events ADD COLUMN recurrence_id TEXT;"
        "ALTER TABLE events ADD COLUMN recur_flags INTEGER NOT NULL "
        "  DEFAULT 0;" TL_INDEX_EVENTS_SERIES ";" TL_INDEX_EVENTS_SERIES_SPAN
        ";",
};

const char *const tl_deferred_indexes[TL_NDEFERRED_INDEXES][2] = {
        {"events_span", TL_INDEX_EVENTS_SPAN},
        {"events_timeline", TL_INDEX_EVENTS_TIMELINE},
};

#define NMIGRATIONS ((int)(sizeof migrations / sizeof *migrations))

_Static_assert(NMIGRATIONS == TL_SCHEMA_VERSION,
               "one migration per schema version");

static int current_version(tldb *db, int *version)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db->sql, "PRAGMA user_version", -1, &st,
	                            NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		*version = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK
	               ? TLDB_OK
	               : tl_fail_sql(db, rc, "reading the schema version");
}

/* PRAGMA foreign_key_check finds no row whose reference is broken. */
static int foreign_keys_hold(tldb *db)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db->sql, "PRAGMA foreign_key_check", -1,
	                            &st, NULL);
	if (rc != SQLITE_OK)
		return tl_fail_sql(db, rc, "migrating the schema");
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return tl_fail(db, TLDB_ECORRUPT,
		               "migrating the schema: a row refers to a "
		               "missing one (PRAGMA foreign_key_check)");
	return rc == SQLITE_DONE ? TLDB_OK
	                         : tl_fail_sql(db, rc, "migrating the schema");
}

int tl_schema_migrate(tldb *db)
{
	int version = 0;
	int rc = current_version(db, &version);
	if (rc || version == TL_SCHEMA_VERSION)
		return rc;
	/* A migration may make a table anew: with foreign keys on, dropping
	 * the old one would delete the rows that refer to it.  The pragma is
	 * a no-op inside a transaction, so it is set around it. */
	if ((rc = tl_exec(db, "PRAGMA foreign_keys = OFF",
	                  "migrating the schema")))
		return rc;
	if ((rc = tl_exec(db, "BEGIN IMMEDIATE", "migrating the schema")))
		goto restore;
	/* Another process may have migrated while we waited for the lock. */
	if ((rc = current_version(db, &version)))
		goto fail;
	int creating = version == 0;
	for (; version < TL_SCHEMA_VERSION; version++) {
		if ((rc = tl_exec(db, migrations[version],
		                  "migrating the schema")))
			goto fail;
	}
	char pragmas[128];
	snprintf(pragmas, sizeof pragmas,
	         "PRAGMA application_id = %d; PRAGMA user_version = %d",
	         TL_APPLICATION_ID, TL_SCHEMA_VERSION);
	if ((rc = tl_exec(db, pragmas, "migrating the schema")) ||
	    (rc = foreign_keys_hold(db)) ||
	    (rc = tl_exec(db, "COMMIT", "migrating the schema")))
		goto fail;
	db->made_schema = creating;
	/* ALTER TABLE RENAME opens the temporary database, and while it is
	 * open temp_store cannot change inside a transaction, as a bulk load's
	 * index rebuild does (store_tx.c).  Changing temp_store outside one
	 * closes it; configure() chose MEMORY. */
	return tl_exec(db,
	               "PRAGMA foreign_keys = ON; PRAGMA temp_store = FILE; "
	               "PRAGMA temp_store = MEMORY",
	               "migrating the schema");
fail:
	sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
restore:
	sqlite3_exec(db->sql, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	return rc;
}
