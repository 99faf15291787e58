/*
 * store_query.c -- date-range queries as streaming cursors.
 *
 * A query is one compound SELECT: an arm per span class (event_internal.h),
 * each an index range scan of events_span (span_class, lo, hi) bounded below
 * by the query's lo minus the class's longest span, joined with UNION ALL and
 * ordered by (lo, precision DESC, title, uid).  SQLite merges the ordered arms
 * ("MERGE (UNION ALL)") instead of sorting the whole result, so the first page
 * costs O(classes * log n + page) and the cursor streams in constant memory.
 * Statements are cached per handle by their SQL text.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "event_internal.h"
#include "store_internal.h"

enum { CURSOR_EVENTS, CURSOR_TIMELINES };

struct tldb_cursor {
	tldb *db;
	int kind;
	sqlite3_stmt *stmt;
	tl_cached_query *cached; /* NULL: stmt is ours to finalize */
	int with_sources;
	int has_text; /* a full-text filter: SQL errors are the user's */
	int done;
	tl_arena arena;
	tldb_event event;
	tldb_timeline timeline;
};

/* Parameter numbers of the query statement. */
enum {
	P_LO = 1,
	P_HI = 2,
	P_MINPREC = 3,
	P_TEXT = 4,
	P_LIMIT = 5,
	P_OFFSET = 6,
	P_UID = 7,
	P_CLASS_LO = 10,                        /* + class */
	P_TIMELINES = P_CLASS_LO + TL_NCLASSES, /* + i */
	P_TAGS = P_TIMELINES + 64               /* + i */
};

TLDB_API void tldb_query_init(tldb_query *q)
{
	memset(q, 0, sizeof *q);
	q->lo = TLDB_TIME_MIN;
	q->hi = TLDB_TIME_MAX;
}

/* The filters every arm shares. */
static void add_filters(tl_buf *b, const tldb_query *q)
{
	if (q->ntimelines) {
		tl_buf_adds(b, " AND t.name IN (");
		for (size_t i = 0; i < q->ntimelines; i++)
			tl_buf_addf(b, "%s?%zu", i ? ", " : "",
			            P_TIMELINES + i);
		tl_buf_adds(b, ")");
	}
	/* tagtext joins the tags by char(31), which no tag holds. */
	for (size_t i = 0; i < q->ntags; i++)
		tl_buf_addf(b,
		            " AND instr(char(31) || e.tagtext || char(31), "
		            "char(31) || ?%zu || char(31))",
		            P_TAGS + i);
	if (q->text && *q->text)
		tl_buf_addf(b,
		            " AND e.id IN (SELECT rowid FROM events_fts WHERE "
		            "events_fts MATCH ?%d)",
		            P_TEXT);
	if (q->min_precision > TLDB_PREC_NONE)
		tl_buf_addf(b, " AND e.prec >= ?%d", P_MINPREC);
	if (q->uid)
		tl_buf_addf(b, " AND e.uid = ?%d", P_UID);
}

static void add_arm(tl_buf *b, const tldb_query *q, int c)
{
	tl_buf_addf(b,
	            "SELECT " TL_EVENT_COLUMNS
	            " FROM events e JOIN timelines t ON t.id = e.timeline_id"
	            " WHERE e.span_class = %d",
	            c);
	if (q->within) {
		/* The whole span inside [lo, hi). */
		tl_buf_addf(b,
		            " AND e.lo >= ?%d AND e.lo < ?%d AND e.hi <= ?%d",
		            P_LO, P_HI, P_HI);
	} else {
		if (tl_class_max_span(c) >= 0)
			tl_buf_addf(b, " AND e.lo >= ?%d", P_CLASS_LO + c);
		tl_buf_addf(b, " AND e.lo < ?%d AND e.hi > ?%d", P_HI, P_LO);
	}
	add_filters(b, q);
}

static char *build_sql(const tldb_query *q)
{
	tl_buf b;
	tl_buf_init(&b, 1 << 20);
	for (int c = 0; c < TL_NCLASSES; c++) {
		if (c)
			tl_buf_adds(&b, " UNION ALL ");
		add_arm(&b, q, c);
	}
	/* Columns: 14 lo, 16 prec, 4 title, 2 uid. */
	tl_buf_addf(&b, " ORDER BY 14, 16 DESC, 4, 2 LIMIT ?%d OFFSET ?%d",
	            P_LIMIT, P_OFFSET);
	return tl_buf_steal(&b);
}

static int64_t sat_sub(int64_t a, int64_t b)
{
	return a < TLDB_TIME_MIN + b ? TLDB_TIME_MIN : a - b;
}

static void bind_query(sqlite3_stmt *st, const tldb_query *q)
{
	sqlite3_bind_int64(st, P_LO, q->lo);
	sqlite3_bind_int64(st, P_HI, q->hi);
	sqlite3_bind_int(st, P_MINPREC, (int)q->min_precision);
	if (q->text && *q->text)
		sqlite3_bind_text(st, P_TEXT, q->text, -1, SQLITE_STATIC);
	if (q->uid)
		sqlite3_bind_text(st, P_UID, q->uid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, P_LIMIT, q->limit > 0 ? q->limit : -1);
	sqlite3_bind_int64(st, P_OFFSET, q->offset > 0 ? q->offset : 0);
	for (int c = 0; c < TL_NCLASSES; c++) {
		int64_t span = tl_class_max_span(c);
		if (span >= 0)
			sqlite3_bind_int64(st, P_CLASS_LO + c,
			                   sat_sub(q->lo, span));
	}
	for (size_t i = 0; i < q->ntimelines; i++)
		sqlite3_bind_text(st, (int)(P_TIMELINES + i), q->timelines[i],
		                  -1, SQLITE_STATIC);
	for (size_t i = 0; i < q->ntags; i++)
		sqlite3_bind_text(st, (int)(P_TAGS + i), q->tags[i], -1,
		                  SQLITE_STATIC);
}

static int check_query(tldb *db, const tldb_query *q)
{
	if (!db->sql)
		return tl_fail(db, TLDB_EINVAL, "the database is not open");
	if (q->ntimelines > 64)
		return tl_fail(db, TLDB_ETOOBIG,
		               "more than 64 timelines in a query");
	if (q->ntags > TLDB_MAX_TAGS)
		return tl_fail(db, TLDB_ETOOBIG, "more than %d tags in a query",
		               TLDB_MAX_TAGS);
	if (q->hi <= q->lo)
		return tl_fail(db, TLDB_EINVAL,
		               "the range ends before it starts");
	return TLDB_OK;
}

/* A prepared statement for sql: from the cache when a free one matches, else
 * prepared (and cached when a slot is free).  Takes ownership of sql. */
static int prepare_cached(tldb *db, char *sql, sqlite3_stmt **st,
                          tl_cached_query **cached)
{
	tl_cached_query *free_slot = NULL;
	*cached = NULL;
	for (int i = 0; i < TL_QUERY_CACHE; i++) {
		tl_cached_query *e = &db->queries[i];
		if (e->sql && !e->in_use && strcmp(e->sql, sql) == 0) {
			free(sql);
			e->in_use = 1;
			*st = e->stmt;
			*cached = e;
			return TLDB_OK;
		}
		if (!e->sql && !free_slot)
			free_slot = e;
	}
	int rc = sqlite3_prepare_v3(db->sql, sql, -1, SQLITE_PREPARE_PERSISTENT,
	                            st, NULL);
	if (rc != SQLITE_OK) {
		free(sql);
		return tl_fail_sql(db, rc, "preparing the query");
	}
	if (free_slot) {
		free_slot->sql = sql;
		free_slot->stmt = *st;
		free_slot->in_use = 1;
		*cached = free_slot;
	} else {
		free(sql);
	}
	return TLDB_OK;
}

TLDB_API int tldb_query_open(tldb *db, const tldb_query *q, tldb_cursor **out)
{
	*out = NULL;
	int rc = check_query(db, q);
	if (rc)
		return rc;
	char *sql = build_sql(q);
	if (!sql)
		return tl_fail(db, TLDB_ENOMEM, "out of memory");
	tldb_cursor *c = calloc(1, sizeof *c);
	if (!c) {
		free(sql);
		return tl_fail(db, TLDB_ENOMEM, "out of memory");
	}
	if ((rc = prepare_cached(db, sql, &c->stmt, &c->cached))) {
		free(c);
		return rc;
	}
	c->db = db;
	c->kind = CURSOR_EVENTS;
	c->with_sources = q->with_sources;
	c->has_text = q->text && *q->text;
	tl_arena_init(&c->arena);
	bind_query(c->stmt, q);
	*out = c;
	return TLDB_OK;
}

static int step(tldb_cursor *c)
{
	if (c->done)
		return TLDB_DONE;
	tl_arena_reset(&c->arena);
	int rc = sqlite3_step(c->stmt);
	if (rc == SQLITE_ROW)
		return TLDB_OK;
	c->done = 1;
	if (rc == SQLITE_DONE)
		return TLDB_DONE;
	/* FTS5 reports bad query syntax as SQLITE_ERROR, not always with
	 * "fts5" in the message ("no such column: like" for "not-like",
	 * "unterminated string"). */
	if ((rc & 0xFF) == SQLITE_ERROR &&
	    (c->has_text || strstr(sqlite3_errmsg(c->db->sql), "fts5")))
		return tl_fail(c->db, TLDB_EINVAL, "bad text query: %s",
		               sqlite3_errmsg(c->db->sql));
	return tl_fail_sql(c->db, rc, "querying");
}

TLDB_API int tldb_cursor_next(tldb_cursor *c, const tldb_event **ev)
{
	*ev = NULL;
	if (c->kind != CURSOR_EVENTS)
		return tl_fail(c->db, TLDB_EINVAL, "not an event cursor");
	int rc = step(c);
	if (rc)
		return rc;
	sqlite3_int64 id = sqlite3_column_int64(c->stmt, 0);
	if ((rc = tl_event_from_row(c->stmt, 0, &c->arena, &c->event)))
		return tl_fail(c->db, rc, "out of memory");
	if (c->with_sources &&
	    (rc = tl_load_sources(c->db, id, &c->arena, &c->event)))
		return rc;
	*ev = &c->event;
	return TLDB_OK;
}

TLDB_API void tldb_cursor_free(tldb_cursor *c)
{
	if (!c)
		return;
	if (c->cached) {
		sqlite3_reset(c->stmt);
		sqlite3_clear_bindings(c->stmt);
		c->cached->in_use = 0;
	} else {
		sqlite3_finalize(c->stmt);
	}
	tl_arena_release(&c->arena);
	free(c);
}

TLDB_API int tldb_query_plan(tldb *db, const tldb_query *q, char **out)
{
	*out = NULL;
	int rc = check_query(db, q);
	if (rc)
		return rc;
	char *sql = build_sql(q);
	tl_buf plan_sql, plan;
	tl_buf_init(&plan_sql, 1 << 20);
	tl_buf_init(&plan, 1 << 20);
	tl_buf_adds(&plan_sql, "EXPLAIN QUERY PLAN ");
	tl_buf_adds(&plan_sql, sql ? sql : "");
	free(sql);
	sqlite3_stmt *st = NULL;
	rc = sqlite3_prepare_v2(db->sql, tl_buf_str(&plan_sql), -1, &st, NULL);
	if (rc == SQLITE_OK) {
		bind_query(st, q);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			tl_buf_adds(&plan,
			            (const char *)sqlite3_column_text(st, 3));
			tl_buf_adds(&plan, "\n");
		}
	}
	sqlite3_finalize(st);
	tl_buf_release(&plan_sql);
	if (rc != SQLITE_DONE) {
		tl_buf_release(&plan);
		return tl_fail_sql(db, rc, "explaining the query");
	}
	*out = tl_buf_steal(&plan);
	return *out ? TLDB_OK : tl_fail(db, TLDB_ENOMEM, "out of memory");
}

/* ---- timelines ---- */

TLDB_API int tldb_timeline_list(tldb *db, tldb_cursor **out)
{
	*out = NULL;
	if (!db->sql)
		return tl_fail(db, TLDB_EINVAL, "the database is not open");
	tldb_cursor *c = calloc(1, sizeof *c);
	if (!c)
		return tl_fail(db, TLDB_ENOMEM, "out of memory");
	int rc = sqlite3_prepare_v2(
	        db->sql,
	        "SELECT name, title, description, token, created, updated, "
	        "(SELECT count(*) FROM events e WHERE e.timeline_id = t.id) "
	        "FROM timelines t ORDER BY name",
	        -1, &c->stmt, NULL);
	if (rc != SQLITE_OK) {
		free(c);
		return tl_fail_sql(db, rc, "listing timelines");
	}
	c->db = db;
	c->kind = CURSOR_TIMELINES;
	tl_arena_init(&c->arena);
	*out = c;
	return TLDB_OK;
}

TLDB_API int tldb_cursor_next_timeline(tldb_cursor *c, const tldb_timeline **tl)
{
	*tl = NULL;
	if (c->kind != CURSOR_TIMELINES)
		return tl_fail(c->db, TLDB_EINVAL, "not a timeline cursor");
	int rc = step(c);
	if (rc)
		return rc;
	const char *cols[4];
	for (int i = 0; i < 4; i++) {
		const unsigned char *s = sqlite3_column_text(c->stmt, i);
		cols[i] = s ? tl_arena_strndup(
		                      &c->arena, (const char *)s,
		                      (size_t)sqlite3_column_bytes(c->stmt, i))
		            : NULL;
		if (s && !cols[i])
			return tl_fail(c->db, TLDB_ENOMEM, "out of memory");
	}
	c->timeline.name = cols[0];
	c->timeline.title = cols[1];
	c->timeline.description = cols[2];
	c->timeline.token = cols[3];
	c->timeline.created = sqlite3_column_int64(c->stmt, 4);
	c->timeline.updated = sqlite3_column_int64(c->stmt, 5);
	c->timeline.events = sqlite3_column_int64(c->stmt, 6);
	*tl = &c->timeline;
	return TLDB_OK;
}
