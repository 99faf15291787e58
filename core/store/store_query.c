/*
 * store_query.c -- date-range queries as streaming cursors.
 *
 * A query runs one statement per span class (event_internal.h), each an
 * index range scan of events_span (span_class, lo, prec DESC, title, uid,
 * hi) bounded below by the query's lo minus the class's longest span, and
 * so already in the result order (lo, precision DESC, title, uid).  The
 * cursor merges the arms itself with a binary heap: the first page costs
 * O(classes * log n + page), the cursor streams in constant memory, and a
 * row costs a few integer comparisons instead of the passes through the
 * co-routines of a compound SELECT, which took half the time of a whole
 * export.  LIMIT and OFFSET are applied by the merge.  The statements are
 * cached per handle by their SQL text.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "event_internal.h"
#include "store_internal.h"
#include "store_series.h"

enum { CURSOR_EVENTS, CURSOR_TIMELINES };

typedef tl_merge_key arm_key;

struct tldb_cursor {
	tldb *db;
	int kind;
	sqlite3_stmt *stmt;      /* the row being read */
	tl_cached_query *cached; /* NULL: the statements are ours */
	int with_sources;
	int has_text; /* a full-text filter: SQL errors are the user's */
	int done;
	/* events: the arms, and a heap of those with a row, least first;
	 * the last arm is the series', whose statement reads the series
	 * when the cursor opens and whose rows are their occurrences */
	sqlite3_stmt *arms[TL_NARMS];
	arm_key keys[TL_NARMS];
	int heap[TL_NARMS];
	tl_series_arm *series;
	int series_rows; /* tldb_query.series: series yielded as rows */
	int64_t lo, hi;  /* the range, for series_rows */
	int within;
	/* series_rows: the changes of the series just yielded that the range
	 * does not select, yielded next */
	sqlite3_int64 *pending;
	size_t npending, ipending;
	int nheap;
	int started;        /* every arm stepped once */
	int advance;        /* the root arm's row was yielded */
	int64_t skip, left; /* OFFSET still to pass, LIMIT left (< 0: none) */
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
	P_CLASS = 5,
	P_CLASS_LO = 6, /* the class's lower bound on e.lo */
	P_UID = 7,
	P_TIMELINES = 10,         /* + i */
	P_TAGS = P_TIMELINES + 64 /* + i */
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

/* The statement of every arm: the class and its bound are parameters.
 * Within a class events_span yields rows in the result order.  The series'
 * statement (for_series) reads every series whose bounds overlap the
 * range, whatever `within` says: that applies to each occurrence. */
enum { SQL_ARMS, SQL_SERIES, SQL_STORED_SERIES };

static char *build_sql(const tldb_query *q, int kind)
{
	int for_series = kind == SQL_SERIES;
	tl_buf b;
	tl_buf_init(&b, 1 << 20);
	tl_buf_adds(&b, "SELECT ");
	if (for_series) {
		/* What expanding a series needs, all in events_series_span (a
		 * partial index of the series alone, which only a literal
		 * class selects); the rest of a series' row is read when one
		 * of its occurrences is yielded (store_series.c). */
		tl_buf_adds(&b, TL_SERIES_LEAN_COLUMNS);
		tl_buf_addf(&b,
		            " FROM events e INDEXED BY events_series_span JOIN "
		            "timelines t ON t.id = e.timeline_id WHERE "
		            "e.span_class = %d AND e.lo >= ?%d",
		            TL_CLASS_SERIES, P_CLASS_LO);
	} else {
		tl_event_select(&b);
		tl_buf_addf(
		        &b,
		        " FROM events e JOIN timelines t ON t.id = "
		        "e.timeline_id WHERE e.span_class %s ?%d AND e.lo >= "
		        "?%d",
		        kind == SQL_STORED_SERIES && !q->series ? ">=" : "=",
		        P_CLASS, P_CLASS_LO);
	}
	if (q->within && !for_series)
		/* The whole span inside [lo, hi). */
		tl_buf_addf(&b,
		            " AND e.lo >= ?%d AND e.lo < ?%d AND e.hi <= ?%d",
		            P_LO, P_HI, P_HI);
	else
		tl_buf_addf(&b, " AND e.lo < ?%d AND e.hi > ?%d", P_HI, P_LO);
	add_filters(&b, q);
	if (!for_series)
		tl_buf_adds(&b, " ORDER BY e.lo, e.prec DESC, e.title, e.uid");
	/* The series' statement differs: so must the cache's key. */
	if (kind == SQL_ARMS && (q->stored || q->series))
		tl_buf_adds(&b, q->series ? " /* series */" : " /* stored */");
	return tl_buf_steal(&b);
}

static int64_t sat_sub(int64_t a, int64_t b)
{
	return a < TLDB_TIME_MIN + b ? TLDB_TIME_MIN : a - b;
}

/* Binds the query's values and arm c's class to st. */
static void bind_query(sqlite3_stmt *st, const tldb_query *q, int c)
{
	sqlite3_bind_int64(st, P_LO, q->lo);
	sqlite3_bind_int64(st, P_HI, q->hi);
	sqlite3_bind_int(st, P_MINPREC, (int)q->min_precision);
	if (q->text && *q->text)
		sqlite3_bind_text(st, P_TEXT, q->text, -1, SQLITE_STATIC);
	if (q->uid)
		sqlite3_bind_text(st, P_UID, q->uid, -1, SQLITE_STATIC);
	int64_t span = tl_class_max_span(c);
	sqlite3_bind_int(st, P_CLASS, c);
	sqlite3_bind_int64(st, P_CLASS_LO,
	                   span >= 0 ? sat_sub(q->lo, span) : TLDB_TIME_MIN);
	for (size_t i = 0; i < q->ntimelines; i++)
		sqlite3_bind_text(st, (int)(P_TIMELINES + i), q->timelines[i],
		                  -1, SQLITE_STATIC);
	for (size_t i = 0; i < q->ntags; i++)
		sqlite3_bind_text(st, (int)(P_TAGS + i), q->tags[i], -1,
		                  SQLITE_STATIC);
}

/* Terms of a full-text query: runs of ASCII letters and digits and of
 * non-ASCII bytes, as FTS5's unicode61 tokenizer splits them (operators
 * count too, which only makes the bound stricter). */
static size_t count_terms(const char *text)
{
	size_t n = 0;
	int in_term = 0;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		int word = (*p >= '0' && *p <= '9') ||
		           (*p >= 'a' && *p <= 'z') ||
		           (*p >= 'A' && *p <= 'Z') || *p >= 0x80 || *p == '_';
		if (word && !in_term)
			n++;
		in_term = word;
	}
	return n;
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
	size_t terms = q->text ? count_terms(q->text) : 0;
	if (terms > TLDB_MAX_QUERY_TERMS)
		return tl_fail(db, TLDB_ETOOBIG,
		               "the text query has %zu terms; at most %d are "
		               "allowed",
		               terms, TLDB_MAX_QUERY_TERMS);
	if (q->hi <= q->lo)
		return tl_fail(db, TLDB_EINVAL,
		               "the range ends before it starts");
	return TLDB_OK;
}

static int prepare_arms(tldb *db, const char *sql, const char *series_sql,
                        sqlite3_stmt *arms[TL_NARMS])
{
	for (int c = 0; c < TL_NARMS; c++) {
		int rc = sqlite3_prepare_v3(
		        db->sql, c == TL_SERIES_ARM ? series_sql : sql, -1,
		        SQLITE_PREPARE_PERSISTENT, &arms[c], NULL);
		if (rc != SQLITE_OK) {
			for (int k = 0; k < c; k++)
				sqlite3_finalize(arms[k]);
			return tl_fail_sql(db, rc, "preparing the query");
		}
	}
	return TLDB_OK;
}

/* The arms' statements for sql: from the cache when a free entry matches,
 * else prepared with the series' statement for q (and cached when a slot
 * is free).  Takes ownership of sql. */
static int prepare_cached(tldb *db, const tldb_query *q, char *sql,
                          tldb_cursor *c)
{
	tl_cached_query *free_slot = NULL;
	for (int i = 0; i < TL_QUERY_CACHE; i++) {
		tl_cached_query *e = &db->queries[i];
		if (e->sql && !e->in_use && strcmp(e->sql, sql) == 0) {
			free(sql);
			e->in_use = 1;
			memcpy(c->arms, e->arms, sizeof c->arms);
			c->cached = e;
			return TLDB_OK;
		}
		if (!e->sql && !free_slot)
			free_slot = e;
	}
	char *series_sql = build_sql(
	        q, q->stored || q->series ? SQL_STORED_SERIES : SQL_SERIES);
	int rc = series_sql ? prepare_arms(db, sql, series_sql, c->arms)
	                    : tl_fail(db, TLDB_ENOMEM, "out of memory");
	free(series_sql);
	if (rc || !free_slot) {
		free(sql);
		return rc;
	}
	free_slot->sql = sql;
	memcpy(free_slot->arms, c->arms, sizeof c->arms);
	free_slot->in_use = 1;
	c->cached = free_slot;
	return TLDB_OK;
}

TLDB_API int tldb_query_open(tldb *db, const tldb_query *q, tldb_cursor **out)
{
	*out = NULL;
	int rc = check_query(db, q);
	if (rc)
		return rc;
	char *sql = build_sql(q, SQL_ARMS);
	if (!sql)
		return tl_fail(db, TLDB_ENOMEM, "out of memory");
	tldb_cursor *c = calloc(1, sizeof *c);
	if (!c) {
		free(sql);
		return tl_fail(db, TLDB_ENOMEM, "out of memory");
	}
	if ((rc = prepare_cached(db, q, sql, c))) {
		free(c);
		return rc;
	}
	c->db = db;
	c->kind = CURSOR_EVENTS;
	c->with_sources = q->with_sources;
	c->has_text = q->text && *q->text;
	c->skip = q->offset > 0 ? q->offset : 0;
	c->left = q->limit > 0 ? q->limit : -1;
	tl_arena_init(&c->arena);
	for (int k = 0; k < TL_NCLASSES; k++)
		bind_query(c->arms[k], q, k);
	bind_query(c->arms[TL_SERIES_ARM], q, TL_CLASS_SERIES);
	c->series_rows = q->series && !q->stored;
	c->lo = q->lo;
	c->hi = q->hi;
	c->within = q->within;
	if (!q->stored && !q->series)
		rc = tl_series_arm_open(db, q, c->arms[TL_SERIES_ARM],
		                        &c->series);
	if (rc) {
		tldb_cursor_free(c);
		return tl_past_deadline(db) ? tl_time_limit_reached(db) : rc;
	}
	*out = c;
	return TLDB_OK;
}

/* A failed step: bad full-text syntax is the user's error. */
static int step_failed(tldb_cursor *c, int rc)
{
	c->done = 1;
	if ((rc & 0xFF) == SQLITE_INTERRUPT && tl_past_deadline(c->db))
		return tl_time_limit_reached(c->db);
	/* FTS5 reports bad query syntax as SQLITE_ERROR, not always with
	 * "fts5" in the message ("no such column: like" for "not-like",
	 * "unterminated string"). */
	if ((rc & 0xFF) == SQLITE_ERROR &&
	    (c->has_text || strstr(sqlite3_errmsg(c->db->sql), "fts5")))
		return tl_fail(c->db, TLDB_EINVAL, "bad text query: %s",
		               sqlite3_errmsg(c->db->sql));
	return tl_fail_sql(c->db, rc, "querying");
}

static int step(tldb_cursor *c)
{
	if (c->done)
		return TLDB_DONE;
	tl_arena_reset(&c->arena);
	int rc = sqlite3_step(c->stmt);
	if (rc == SQLITE_ROW)
		return TLDB_OK;
	if (rc == SQLITE_DONE) {
		c->done = 1;
		return TLDB_DONE;
	}
	return step_failed(c, rc);
}

/* ---- the merge ---- */

static void read_key(sqlite3_stmt *st, arm_key *k)
{
	k->lo = sqlite3_column_int64(st, TL_COL_LO);
	k->prec = sqlite3_column_int(st, TL_COL_PREC);
	k->title = sqlite3_column_text(st, TL_COL_TITLE);
	k->title_len = sqlite3_column_bytes(st, TL_COL_TITLE);
	k->uid = sqlite3_column_text(st, TL_COL_UID);
	k->uid_len = sqlite3_column_bytes(st, TL_COL_UID);
}

/* SQLite's BINARY collation: memcmp, then the shorter first. */
static int cmp_text(const unsigned char *a, int alen, const unsigned char *b,
                    int blen)
{
	int n = alen < blen ? alen : blen;
	int r = n ? memcmp(a, b, (size_t)n) : 0;
	return r ? r : (alen > blen) - (alen < blen);
}

/* ORDER BY lo, prec DESC, title, uid. */
int tl_merge_key_less(const arm_key *a, const arm_key *b)
{
	if (a->lo != b->lo)
		return a->lo < b->lo;
	if (a->prec != b->prec)
		return a->prec > b->prec;
	int r = cmp_text(a->title, a->title_len, b->title, b->title_len);
	if (!r)
		r = cmp_text(a->uid, a->uid_len, b->uid, b->uid_len);
	return r < 0;
}

static void sift_down(tldb_cursor *c, int i)
{
	for (;;) {
		int least = i, l = 2 * i + 1, r = l + 1;
		if (l < c->nheap && tl_merge_key_less(&c->keys[c->heap[l]],
		                                      &c->keys[c->heap[least]]))
			least = l;
		if (r < c->nheap && tl_merge_key_less(&c->keys[c->heap[r]],
		                                      &c->keys[c->heap[least]]))
			least = r;
		if (least == i)
			return;
		int t = c->heap[i];
		c->heap[i] = c->heap[least];
		c->heap[least] = t;
		i = least;
	}
}

/* Steps arm k: 1 with a row (its key read), 0 at its end, or an error. */
static int step_arm(tldb_cursor *c, int k)
{
	if (k == TL_SERIES_ARM && c->series) {
		int rc = tl_series_arm_step(c->series, &c->keys[k]);
		c->done |= rc < 0;
		return rc;
	}
	int rc;
	while ((rc = sqlite3_step(c->arms[k])) == SQLITE_ROW &&
	       k == TL_SERIES_ARM && c->series_rows &&
	       !tl_series_row_in_range(c->arms[k], c->lo, c->hi))
		; /* a series with no occurrence in the range */
	if (rc == SQLITE_ROW) {
		read_key(c->arms[k], &c->keys[k]);
		return 1;
	}
	return rc == SQLITE_DONE ? 0 : step_failed(c, rc);
}

/* Moves to the next row of the merge: TLDB_OK with c->stmt on it. */
static int next_row(tldb_cursor *c)
{
	int rc;
	if (c->done)
		return TLDB_DONE;
	if (!c->started) {
		c->started = 1;
		for (int k = 0; k < TL_NARMS; k++) {
			if ((rc = step_arm(c, k)) < 0)
				return rc;
			if (rc)
				c->heap[c->nheap++] = k;
		}
		for (int i = c->nheap / 2; i-- > 0;)
			sift_down(c, i);
	} else if (c->advance) {
		if ((rc = step_arm(c, c->heap[0])) < 0)
			return rc;
		if (!rc)
			c->heap[0] = c->heap[--c->nheap];
		sift_down(c, 0);
	}
	c->advance = 0;
	if (!c->nheap || c->left == 0) {
		c->done = 1;
		return TLDB_DONE;
	}
	c->advance = 1;
	c->stmt = c->arms[c->heap[0]];
	return TLDB_OK;
}

TLDB_API int tldb_cursor_next(tldb_cursor *c, const tldb_event **ev)
{
	*ev = NULL;
	if (c->kind != CURSOR_EVENTS)
		return tl_fail(c->db, TLDB_EINVAL, "not an event cursor");
	if (tl_past_deadline(c->db)) {
		c->done = 1;
		return tl_time_limit_reached(c->db);
	}
	int rc;
	if (c->ipending < c->npending) {
		tl_arena_reset(&c->arena);
		rc = tl_event_read(c->db, c->pending[c->ipending++],
		                   c->with_sources, &c->arena, &c->event);
		*ev = rc ? NULL : &c->event;
		return rc;
	}
	do {
		if ((rc = next_row(c)))
			return rc;
	} while (c->skip > 0 && c->skip--);
	if (c->left > 0)
		c->left--;
	tl_arena_reset(&c->arena);
	if (c->heap[0] == TL_SERIES_ARM && c->series)
		return tl_series_arm_event(c->series, c->with_sources,
		                           &c->arena, ev);
	sqlite3_int64 id = sqlite3_column_int64(c->stmt, 0);
	/* The strings stay SQLite's: its row is left as it is until the
	 * next call steps this arm again. */
	if ((rc = tl_event_from_row(c->stmt, &c->arena, 1, &c->event)))
		return tl_fail(c->db, rc, "out of memory");
	if (c->with_sources &&
	    (rc = tl_load_sources(c->db, id, &c->arena, &c->event)))
		return rc;
	if (c->series_rows && c->heap[0] == TL_SERIES_ARM) {
		free(c->pending);
		c->pending = NULL;
		c->npending = c->ipending = 0;
		if ((rc = tl_series_row_event(c->db, id, &c->arena,
		                              &c->event)) ||
		    (rc = tl_series_changes_outside(c->db, id, c->lo, c->hi,
		                                    c->within, &c->pending,
		                                    &c->npending)))
			return rc;
	}
	*ev = &c->event;
	return TLDB_OK;
}

TLDB_API const char *tldb_cursor_warning(const tldb_cursor *c)
{
	return c ? tl_series_arm_warning(c->series) : NULL;
}

TLDB_API void tldb_cursor_free(tldb_cursor *c)
{
	if (!c)
		return;
	if (c->kind == CURSOR_TIMELINES) {
		sqlite3_finalize(c->stmt);
	} else if (c->cached) {
		for (int k = 0; k < TL_NARMS; k++) {
			sqlite3_reset(c->arms[k]);
			sqlite3_clear_bindings(c->arms[k]);
		}
		c->cached->in_use = 0;
	} else {
		for (int k = 0; k < TL_NARMS; k++)
			sqlite3_finalize(c->arms[k]);
	}
	tl_series_arm_free(c->series);
	free(c->pending);
	tl_arena_release(&c->arena);
	free(c);
}

TLDB_API int tldb_query_plan(tldb *db, const tldb_query *q, char **out)
{
	*out = NULL;
	int rc = check_query(db, q);
	if (rc)
		return rc;
	char *sql = build_sql(q, SQL_ARMS);
	tl_buf plan_sql, plan;
	tl_buf_init(&plan_sql, 1 << 20);
	tl_buf_init(&plan, 1 << 20);
	tl_buf_adds(&plan_sql, "EXPLAIN QUERY PLAN ");
	tl_buf_adds(&plan_sql, sql ? sql : "");
	free(sql);
	tl_buf_addf(&plan,
	            "MERGE of %d arms by lo, prec DESC, title, uid (in tldb)\n",
	            TL_NCLASSES);
	sqlite3_stmt *st = NULL;
	rc = sqlite3_prepare_v2(db->sql, tl_buf_str(&plan_sql), -1, &st, NULL);
	for (int c = 0; rc == SQLITE_OK && c < TL_NCLASSES; c++) {
		sqlite3_reset(st);
		bind_query(st, q, c);
		tl_buf_addf(&plan, "ARM %d\n", c);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			tl_buf_adds(&plan, "  ");
			tl_buf_adds(&plan,
			            (const char *)sqlite3_column_text(st, 3));
			tl_buf_adds(&plan, "\n");
		}
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	tl_buf_release(&plan_sql);
	if (rc != SQLITE_OK) {
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
