/*
 * store_sql.c -- the store's SQL helpers: the prepared statements of each
 * handle, SQLite's errors turned into tldb's codes and messages, and the
 * clock.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "store_internal.h"

static const char *const stmt_sql[TL_ST_COUNT] = {
        [TL_ST_TIMELINE_ID] = "SELECT id FROM timelines WHERE name = ?1",
        [TL_ST_TIMELINE_INSERT] =
                "INSERT INTO timelines(name, title, description, created, "
                "updated) VALUES (?1, ?2, ?3, ?4, ?4)",
        [TL_ST_TIMELINE_TOUCH] = "UPDATE timelines SET updated = ?2 WHERE id = "
                                 "?1 AND updated < ?2",
        [TL_ST_EVENT_FIND] = "SELECT id, chash FROM events WHERE uid = ?1 "
                             "AND timeline_id = ?2",
        [TL_ST_EVENT_HOLDERS] =
                "SELECT e.id, e.timeline_id, t.name FROM events e JOIN "
                "timelines t ON t.id = e.timeline_id WHERE e.uid = ?1 "
                "ORDER BY t.name",
        /* TL_ST_EVENT_INSERT, _UPDATE and _GET come from the column
         * table: event_stmt_sql. */
        [TL_ST_EVENT_DELETE] = "DELETE FROM events WHERE id = ?1",
        [TL_ST_SERIES_CHANGES] =
                "SELECT c.id FROM events s JOIN events c ON c.timeline_id "
                "= s.timeline_id AND c.series = s.uid WHERE s.id = ?1 AND "
                "s.recur IS NOT NULL LIMIT 64",
        [TL_ST_SERIES_CANCELLED] =
                "SELECT c.recurrence_id FROM events s JOIN events c ON "
                "c.timeline_id = s.timeline_id AND c.series = s.uid WHERE "
                "s.id = ?1 AND c.span_class = ?2 ORDER BY c.lo",
        [TL_ST_SERIES_CHANGES_OUT] =
                "SELECT c.id FROM events s JOIN events c ON c.timeline_id = "
                "s.timeline_id AND c.series = s.uid WHERE s.id = ?1 AND "
                "c.span_class < ?5 AND NOT (CASE WHEN ?4 THEN c.lo >= ?2 "
                "AND c.lo < ?3 AND c.hi <= ?3 ELSE c.lo < ?3 AND c.hi > ?2 "
                "END) ORDER BY c.lo, c.uid",
        [TL_ST_SOURCES_DELETE] = "DELETE FROM sources WHERE event_id = ?1",
        [TL_ST_SOURCE_INSERT] =
                "INSERT INTO sources(event_id, ord, url, title, plugin, quote, "
                "expr, doc_date, resolver, span_lo, span_hi, expr_lo, expr_hi) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                "?13)",
        /* The full-text index keeps no text: an entry is taken out with
         * the text events_text gives for it, which is the text it was
         * added with.  Both write with VALUES: an INSERT ... SELECT into
         * FTS5 opens a statement savepoint, and FTS5 writes its pending
         * index out at every savepoint. */
        [TL_ST_FTS_TEXT] = "SELECT title, body, location, tags, quotes FROM "
                           "events_text WHERE id = ?1",
        [TL_ST_FTS_DELETE] =
                "INSERT INTO events_fts(events_fts, rowid, title, body, "
                "location, tags, quotes) VALUES ('delete', ?1, ?2, ?3, ?4, "
                "?5, ?6)",
        [TL_ST_FTS_INSERT] =
                "INSERT INTO events_fts(rowid, title, body, location, tags, "
                "quotes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        [TL_ST_SOURCES_GET] =
                "SELECT url, title, plugin, quote, expr, doc_date, resolver, "
                "span_lo, span_hi, expr_lo, expr_hi FROM sources WHERE "
                "event_id = ?1 ORDER BY ord",
        [TL_ST_SAVEPOINT] = "SAVEPOINT tl_put",
        [TL_ST_RELEASE] = "RELEASE tl_put",
};

int tl_fail(tldb *db, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(db->errmsg, sizeof db->errmsg, fmt, ap);
	va_end(ap);
	return code;
}

static int map_sqlite(int rc)
{
	switch (rc & 0xFF) {
	case SQLITE_NOMEM:
		return TLDB_ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return TLDB_EBUSY;
	case SQLITE_CORRUPT:
		return TLDB_ECORRUPT;
	case SQLITE_NOTADB:
		return TLDB_ENOTDB;
	case SQLITE_READONLY:
		return TLDB_EREADONLY;
	case SQLITE_IOERR:
	case SQLITE_FULL:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		return TLDB_EIO;
	case SQLITE_TOOBIG:
		return TLDB_ETOOBIG;
	case SQLITE_CONSTRAINT:
		return TLDB_EEXIST;
	default:
		return TLDB_EINTERNAL;
	}
}

int tl_fail_sql(tldb *db, int rc, const char *doing)
{
	int code = map_sqlite(rc);
	const char *what =
	        db->sql ? sqlite3_errmsg(db->sql) : sqlite3_errstr(rc);
	switch (code) {
	case TLDB_ECORRUPT:
		return tl_fail(db, code, "%s: the database is corrupt (%s)",
		               db->path, what);
	case TLDB_ENOTDB:
		return tl_fail(db, code, "%s: not a tldb database (%s)",
		               db->path, what);
	case TLDB_EREADONLY:
		return tl_fail(db, code, "%s: the database is read-only",
		               db->path);
	case TLDB_EBUSY:
		return tl_fail(
		        db, code,
		        "%s: the database is busy (another process holds "
		        "a lock); try again",
		        db->path);
	default:
		return tl_fail(db, code, "%s: %s", doing, what);
	}
}

/* The statements on a whole events row, derived from store_columns.h: the
 * caller frees the text; NULL when out of memory. */
static char *event_stmt_sql(enum tl_stmt_id id)
{
	if (id == TL_ST_EVENT_INSERT)
		return tl_event_insert_sql();
	if (id == TL_ST_EVENT_UPDATE)
		return tl_event_update_sql();
	tl_buf b = TL_BUF_INIT(4096);
	tl_buf_adds(&b, "SELECT ");
	tl_event_select(&b);
	tl_buf_adds(&b, " FROM events e JOIN timelines t ON t.id = "
	                "e.timeline_id WHERE e.id = ?1");
	return tl_buf_steal(&b);
}

sqlite3_stmt *tl_stmt(tldb *db, enum tl_stmt_id id)
{
	sqlite3_stmt *st = db->stmts[id];
	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return st;
	}
	char *built = stmt_sql[id] ? NULL : event_stmt_sql(id);
	if (!stmt_sql[id] && !built) {
		tl_fail(db, TLDB_ENOMEM, "out of memory");
		return NULL;
	}
	int rc = sqlite3_prepare_v3(db->sql, built ? built : stmt_sql[id], -1,
	                            SQLITE_PREPARE_PERSISTENT, &st, NULL);
	free(built);
	if (rc != SQLITE_OK) {
		tl_fail_sql(db, rc, "preparing a statement");
		return NULL;
	}
	db->stmts[id] = st;
	return st;
}

int tl_exec(tldb *db, const char *sql, const char *doing)
{
	int rc = sqlite3_exec(db->sql, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? TLDB_OK : tl_fail_sql(db, rc, doing);
}

int tl_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	if (!s || !*s)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, s, -1, SQLITE_STATIC);
}

int64_t tl_now(const tldb *db)
{
	return db->now_override ? db->now_override : tldb_now();
}

TLDB_API void tldb_set_now(tldb *db, int64_t now)
{
	db->now_override = now;
}

TLDB_API int tldb_schema_version(void)
{
	return TL_SCHEMA_VERSION;
}

TLDB_API const char *tldb_errmsg(const tldb *db)
{
	return db ? db->errmsg : "out of memory";
}

int tl_step_done(tldb *db, sqlite3_stmt *st, const char *doing)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? TLDB_OK : tl_fail_sql(db, rc, doing);
}
