/*
 * store_event.c -- writing, reading and removing events.
 *
 * tldb_put is an upsert by uid: a new uid inserts; a known uid whose content
 * hash is unchanged writes nothing; otherwise the row is updated, sequence
 * rises by one, created is kept, and the tags, sources and full-text entry
 * are replaced.  Each put runs in its own savepoint, so a failure half-way
 * leaves nothing behind.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "event_internal.h"
#include "store_internal.h"

/* Binds the columns of TL_ST_EVENT_INSERT / TL_ST_EVENT_UPDATE but the
 * row's key (uid or id); `tagtext` is the tags joined by char(31).  A new
 * event keeps the created, updated and sequence it brings (a restore); a
 * changed one is updated now. */
static void bind_event(sqlite3_stmt *st, const tldb_event *ev,
                       const tl_checked *c, sqlite3_int64 timeline_id,
                       int64_t now, int is_new, const char *tagtext)
{
	int64_t created = is_new && ev->created > 0 ? ev->created : now;
	int64_t updated = is_new && ev->updated > 0 ? ev->updated : now;
	if (is_new && ev->created > 0 && ev->updated <= 0)
		updated = created;
	for (int k = 0; k < TL_NCOLS; k++) {
		size_t text = tl_event_columns[k].text;
		if (text != TL_BY_HAND)
			tl_bind_text(st, tl_col_param((enum tl_event_col)k),
			             tl_col_text(ev, text));
	}
	sqlite3_bind_int64(st, tl_col_param(TL_COL_TIMELINE), timeline_id);
	sqlite3_bind_int64(st, tl_col_param(TL_COL_LO), c->lo);
	sqlite3_bind_int64(st, tl_col_param(TL_COL_HI), c->hi);
	sqlite3_bind_int(st, tl_col_param(TL_COL_PREC), (int)c->precision);
	sqlite3_bind_int(st, tl_col_param(TL_COL_SPAN_CLASS), c->span_class);
	sqlite3_bind_int64(st, tl_col_param(TL_COL_CHASH),
	                   (sqlite3_int64)c->hash);
	sqlite3_bind_int64(st, tl_col_param(TL_COL_CREATED), created);
	tl_bind_text(st, tl_col_param(TL_COL_TAGS), tagtext);
	sqlite3_bind_int64(st, tl_col_param(TL_COL_UPDATED), updated);
	sqlite3_bind_int64(st, tl_col_param(TL_COL_SEQUENCE),
	                   ev->sequence > 0 ? ev->sequence : 0);
	sqlite3_bind_int(st, tl_col_param(TL_COL_RECUR_FLAGS),
	                 (int)ev->recur_flags);
}

static void bind_span(sqlite3_stmt *st, int idx, const int64_t span[2])
{
	for (int k = 0; k < 2; k++) {
		if (span[0] < 0)
			sqlite3_bind_null(st, idx + k);
		else
			sqlite3_bind_int64(st, idx + k, span[k]);
	}
}

/* 1 when tag i already appeared earlier in the event (stored once). */
static int tag_repeats(const tldb_event *ev, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (strcmp(ev->tags[k], ev->tags[i]) == 0)
			return 1;
	return 0;
}

/* The tags, each once, joined by char(31) as the events row keeps them. */
static int join_tags(tl_buf *b, const tldb_event *ev)
{
	for (size_t i = 0; i < ev->ntags; i++) {
		if (tag_repeats(ev, i))
			continue;
		if ((b->len && tl_buf_add(b, "\x1f", 1)) ||
		    tl_buf_adds(b, ev->tags[i]))
			return -1;
	}
	return 0;
}

/* The source quotes joined by spaces, as events_text gives them: the
 * sources in order, an absent or empty quote left out. */
static int join_quotes(tl_buf *b, const tldb_event *ev)
{
	for (size_t i = 0; i < ev->nsources; i++) {
		const char *q = ev->sources[i].quote;
		if (!q || !*q)
			continue;
		if ((b->len && tl_buf_add(b, " ", 1)) || tl_buf_adds(b, q))
			return -1;
	}
	return 0;
}

static int insert_sources(tldb *db, sqlite3_int64 id, const tldb_event *ev)
{
	int rc;
	for (size_t i = 0; i < ev->nsources; i++) {
		const tldb_source *s = &ev->sources[i];
		sqlite3_stmt *st = tl_stmt(db, TL_ST_SOURCE_INSERT);
		if (!st)
			return TLDB_EINTERNAL;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		tl_bind_text(st, 3, s->url);
		tl_bind_text(st, 4, s->title);
		tl_bind_text(st, 5, s->plugin);
		tl_bind_text(st, 6, s->quote);
		tl_bind_text(st, 7, s->expr);
		tl_bind_text(st, 8, s->doc_date);
		tl_bind_text(st, 9, s->resolver);
		bind_span(st, 10, s->span);
		bind_span(st, 12, s->expr_span);
		if ((rc = tl_step_done(db, st, "storing sources")))
			return rc;
	}
	return TLDB_OK;
}

/* Indexes the event's text: the values events_text will give for it, so
 * that delete_details takes out exactly these words. */
static int insert_fts(tldb *db, sqlite3_int64 id, const tldb_event *ev,
                      const char *tagtext)
{
	tl_buf quotes;
	tl_buf_init(&quotes, SIZE_MAX / 2);
	if (join_quotes(&quotes, ev)) {
		tl_buf_release(&quotes);
		return tl_fail(db, TLDB_ENOMEM, "out of memory");
	}
	int rc = TLDB_EINTERNAL;
	sqlite3_stmt *st = tl_stmt(db, TL_ST_FTS_INSERT);
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		tl_bind_text(st, 2, ev->title);
		tl_bind_text(st, 3, ev->body);
		tl_bind_text(st, 4, ev->location);
		tl_bind_text(st, 5, tagtext);
		tl_bind_text(st, 6, tl_buf_str(&quotes));
		rc = tl_step_done(db, st, "indexing text");
	}
	tl_buf_release(&quotes);
	return rc;
}

/* Takes the event's full-text entry out while its text is still there,
 * then its sources. */
static int delete_details(tldb *db, sqlite3_int64 id)
{
	sqlite3_stmt *text = tl_stmt(db, TL_ST_FTS_TEXT);
	sqlite3_stmt *del = text ? tl_stmt(db, TL_ST_FTS_DELETE) : NULL;
	if (!del)
		return TLDB_EINTERNAL;
	sqlite3_bind_int64(text, 1, id);
	int rc = sqlite3_step(text);
	if (rc == SQLITE_ROW) {
		/* Binding copies each value, and a copy can fail: a NULL left
		 * in its place would take the wrong words out of the index. */
		int brc = sqlite3_bind_int64(del, 1, id);
		for (int i = 0; i < 5 && brc == SQLITE_OK; i++)
			brc = sqlite3_bind_value(del, 2 + i,
			                         sqlite3_column_value(text, i));
		rc = brc == SQLITE_OK ? tl_step_done(db, del, "unindexing text")
		                      : tl_fail_sql(db, brc, "unindexing text");
	} else {
		rc = rc == SQLITE_DONE ? TLDB_OK
		                       : tl_fail_sql(db, rc, "unindexing text");
	}
	sqlite3_reset(text);
	if (rc)
		return rc;
	sqlite3_stmt *st = tl_stmt(db, TL_ST_SOURCES_DELETE);
	if (!st)
		return TLDB_EINTERNAL;
	sqlite3_bind_int64(st, 1, id);
	return tl_step_done(db, st, "removing an event's sources");
}

/* Looks (uid, timeline) up: *id 0 when absent. */
static int find_event(tldb *db, const char *uid, sqlite3_int64 timeline_id,
                      sqlite3_int64 *id, uint64_t *hash)
{
	sqlite3_stmt *st = tl_stmt(db, TL_ST_EVENT_FIND);
	if (!st)
		return TLDB_EINTERNAL;
	sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, timeline_id);
	int rc = sqlite3_step(st);
	*id = 0;
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		*hash = (uint64_t)sqlite3_column_int64(st, 1);
		rc = SQLITE_DONE;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? TLDB_OK
	                         : tl_fail_sql(db, rc, "finding an event");
}

/* Writes the event.  *wrote is set once the events row is written, so a
 * failure after it has left part of the event behind. */
static int write_event(tldb *db, const tldb_event *ev, const tl_checked *c,
                       tldb_put_result *result, int *wrote)
{
	sqlite3_int64 timeline_id, id;
	uint64_t old_hash = 0;
	int64_t now = tl_now(db);
	int rc;
	if ((rc = tl_timeline_id(db, c->timeline, 1, &timeline_id)) ||
	    (rc = find_event(db, c->uid, timeline_id, &id, &old_hash)))
		return rc;
	if (id && old_hash == c->hash) {
		*result = TLDB_PUT_UNCHANGED;
		return TLDB_OK;
	}
	if (id) {
		*wrote = 1;
		if ((rc = delete_details(db, id)))
			return rc;
	}
	sqlite3_stmt *st =
	        tl_stmt(db, id ? TL_ST_EVENT_UPDATE : TL_ST_EVENT_INSERT);
	if (!st)
		return TLDB_EINTERNAL;
	if (id)
		sqlite3_bind_int64(st, tl_col_param(TL_COL_ID), id);
	else
		sqlite3_bind_text(st, tl_col_param(TL_COL_UID), c->uid, -1,
		                  SQLITE_STATIC);
	tl_buf tagtext;
	tl_buf_init(&tagtext, SIZE_MAX / 2);
	if (join_tags(&tagtext, ev)) {
		tl_buf_release(&tagtext);
		return tl_fail(db, TLDB_ENOMEM, "out of memory");
	}
	const char *tags = tagtext.len ? tl_buf_str(&tagtext) : NULL;
	bind_event(st, ev, c, timeline_id, now, !id, tags);
	if ((rc = tl_step_done(db, st, "storing an event"))) {
		tl_buf_release(&tagtext);
		return rc; /* a failed statement undoes itself */
	}
	*wrote = 1;
	if (id) {
		*result = TLDB_PUT_UPDATED;
	} else {
		id = sqlite3_last_insert_rowid(db->sql);
		*result = TLDB_PUT_INSERTED;
	}
	rc = insert_sources(db, id, ev);
	if (!rc)
		rc = insert_fts(db, id, ev, tags);
	tl_buf_release(&tagtext);
	if (rc)
		return rc;
	return tl_touch_later(db, timeline_id);
}

TLDB_API int tldb_put(tldb *db, const tldb_event *ev, char *uid_out,
                      tldb_put_result *result)
{
	tl_checked c;
	tldb_errbuf err = {{0}, 0};
	int rc = tl_event_prepare(ev, &c, &err);
	if (rc)
		return tl_fail(db, rc, "%s", err.msg);
	if ((rc = tl_put_checked(db, ev, &c, result)))
		return rc;
	if (uid_out)
		snprintf(uid_out, TLDB_MAX_UID + 1, "%s", c.uid);
	return TLDB_OK;
}

int tl_put_checked(tldb *db, const tldb_event *ev, const tl_checked *cp,
                   tldb_put_result *result)
{
	tldb_put_result res = TLDB_PUT_UNCHANGED;
	int wrote = 0, rc;
	const tl_checked c = *cp;
	if (!db->sql)
		return tl_fail(db, TLDB_EINVAL, "the database is not open");
	/* Inside tldb_begin no savepoint is taken: releasing one makes FTS5
	 * flush its pending index to disk, which more than halved bulk
	 * inserts.  A put that fails half-way poisons the transaction instead,
	 * so tldb_commit rolls it all back rather than keep half an event;
	 * a put refused before it wrote anything (bad input, unknown
	 * timeline) leaves the transaction usable. */
	if ((rc = db->tx_depth ? tl_tx_check(db) : tl_savepoint(db)))
		return rc;
	if ((rc = write_event(db, ev, &c, &res, &wrote))) {
		if (!db->tx_depth)
			tl_rollback_to(db);
		else if (wrote)
			db->tx_poisoned = 1;
		return rc;
	}
	if (!db->tx_depth && (rc = tl_release(db)))
		return rc;
	if (res == TLDB_PUT_INSERTED)
		tl_count_insert(db);
	if (result)
		*result = res;
	return TLDB_OK;
}

/* ---- reading ---- */

const char *tl_col_dup(sqlite3_stmt *st, int col, tl_arena *arena, int *oom)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	if (!s)
		return NULL;
	char *p = tl_arena_strndup(arena, (const char *)s,
	                           (size_t)sqlite3_column_bytes(st, col));
	if (!p)
		*oom = 1;
	return p;
}

/* Splits the char(31)-joined tag list into an arena array. */
static int split_tags(const char *joined, tl_arena *arena, tldb_event *ev)
{
	ev->tags = NULL;
	ev->ntags = 0;
	if (!joined)
		return TLDB_OK;
	size_t n = 1;
	for (const char *p = joined; *p; p++)
		n += *p == '\x1f';
	char **tags = tl_arena_alloc(arena, n * sizeof *tags);
	char *copy = tl_arena_strndup(arena, joined, strlen(joined));
	if (!tags || !copy)
		return TLDB_ENOMEM;
	size_t i = 0;
	tags[i++] = copy;
	for (char *p = copy; *p; p++) {
		if (*p == '\x1f') {
			*p = '\0';
			tags[i++] = p + 1;
		}
	}
	ev->tags = (const char *const *)tags;
	ev->ntags = n;
	return TLDB_OK;
}

/* Column col of the row: borrowed from SQLite or copied into arena. */
static const char *col_text(sqlite3_stmt *st, int col, tl_arena *arena,
                            int borrow, int *oom)
{
	return borrow ? (const char *)sqlite3_column_text(st, col)
	              : tl_col_dup(st, col, arena, oom);
}

int tl_event_from_row(sqlite3_stmt *st, tl_arena *arena, int borrow,
                      tldb_event *ev)
{
	int oom = 0;
	memset(ev, 0, sizeof *ev);
	for (int k = 0; k < TL_NREAD; k++) {
		size_t text = tl_event_columns[k].text;
		if (text != TL_BY_HAND)
			*tl_col_text_slot(ev, text) =
			        col_text(st, k, arena, borrow, &oom);
	}
	ev->uid = col_text(st, TL_COL_UID, arena, borrow, &oom);
	ev->timeline = col_text(st, TL_COL_TIMELINE, arena, borrow, &oom);
	ev->created = sqlite3_column_int64(st, TL_COL_CREATED);
	ev->updated = sqlite3_column_int64(st, TL_COL_UPDATED);
	ev->sequence = sqlite3_column_int64(st, TL_COL_SEQUENCE);
	ev->lo = sqlite3_column_int64(st, TL_COL_LO);
	ev->hi = sqlite3_column_int64(st, TL_COL_HI);
	ev->precision = (tldb_precision)sqlite3_column_int(st, TL_COL_PREC);
	ev->recur_flags = (unsigned)sqlite3_column_int(st, TL_COL_RECUR_FLAGS);
	if (oom)
		return TLDB_ENOMEM;
	return split_tags((const char *)sqlite3_column_text(st, TL_COL_TAGS),
	                  arena, ev);
}

static void read_span(sqlite3_stmt *st, int col, int64_t span[2])
{
	for (int k = 0; k < 2; k++)
		span[k] = sqlite3_column_type(st, col + k) == SQLITE_NULL
		                  ? -1
		                  : sqlite3_column_int64(st, col + k);
}

int tl_load_sources(tldb *db, sqlite3_int64 id, tl_arena *arena, tldb_event *ev)
{
	sqlite3_stmt *st = tl_stmt(db, TL_ST_SOURCES_GET);
	if (!st)
		return TLDB_EINTERNAL;
	sqlite3_bind_int64(st, 1, id);
	size_t n = 0, cap = 0;
	tldb_source *srcs = NULL;
	int rc, oom = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			tldb_source *grown =
			        tl_arena_alloc(arena, ncap * sizeof *grown);
			if (!grown) {
				oom = 1;
				break;
			}
			if (n)
				memcpy(grown, srcs, n * sizeof *srcs);
			srcs = grown;
			cap = ncap;
		}
		tldb_source *s = &srcs[n++];
		s->url = tl_col_dup(st, 0, arena, &oom);
		s->title = tl_col_dup(st, 1, arena, &oom);
		s->plugin = tl_col_dup(st, 2, arena, &oom);
		s->quote = tl_col_dup(st, 3, arena, &oom);
		s->expr = tl_col_dup(st, 4, arena, &oom);
		s->doc_date = tl_col_dup(st, 5, arena, &oom);
		s->resolver = tl_col_dup(st, 6, arena, &oom);
		read_span(st, 7, s->span);
		read_span(st, 9, s->expr_span);
	}
	sqlite3_reset(st);
	if (oom)
		return tl_fail(db, TLDB_ENOMEM, "out of memory");
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return tl_fail_sql(db, rc, "reading sources");
	ev->sources = srcs;
	ev->nsources = n;
	return TLDB_OK;
}

int tl_event_read(tldb *db, sqlite3_int64 id, int with_sources, tl_arena *arena,
                  tldb_event *ev)
{
	sqlite3_stmt *st = tl_stmt(db, TL_ST_EVENT_GET);
	if (!st)
		return TLDB_EINTERNAL;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE
		               ? tl_fail(db, TLDB_ENOTFOUND,
		                         "the event is gone")
		               : tl_fail_sql(db, rc, "reading an event");
	}
	rc = tl_event_from_row(st, arena, 0, ev);
	sqlite3_reset(st);
	if (rc)
		return tl_fail(db, rc, "out of memory");
	return with_sources ? tl_load_sources(db, id, arena, ev) : TLDB_OK;
}

/* Reads event `id` with its tags and sources into *out. */
static int get_event(tldb *db, sqlite3_int64 id, tldb_event **out)
{
	tl_arena arena;
	tl_arena_init(&arena);
	tldb_event ev;
	int rc = tl_event_read(db, id, 1, &arena, &ev);
	if (!rc && (rc = tldb_event_copy(&ev, out)))
		tl_fail(db, rc, "out of memory");
	tl_arena_release(&arena);
	return rc;
}

TLDB_API int tldb_get(tldb *db, const char *ref, tldb_event **out)
{
	sqlite3_int64 id, timeline_id;
	*out = NULL;
	int rc = tl_event_ref(db, ref, &id, &timeline_id);
	return rc ? rc : get_event(db, id, out);
}

TLDB_API int tldb_get_in(tldb *db, const char *timeline, const char *uid,
                         tldb_event **out)
{
	sqlite3_int64 id, timeline_id;
	*out = NULL;
	int rc = tl_event_at(db, timeline, uid, &id, &timeline_id);
	return rc ? rc : get_event(db, id, out);
}

static int delete_row(tldb *db, sqlite3_int64 id);

/* Removes the changed occurrences of series `id` (none when it is not a
 * series): a series goes with them.  In batches, so that the statement
 * never steps over rows it deleted. */
static int delete_changes(tldb *db, sqlite3_int64 id)
{
	sqlite3_stmt *st = tl_stmt(db, TL_ST_SERIES_CHANGES);
	if (!st)
		return TLDB_EINTERNAL;
	for (;;) {
		sqlite3_int64 ids[64];
		int n = 0, step;
		sqlite3_bind_int64(st, 1, id);
		while (n < 64 && (step = sqlite3_step(st)) == SQLITE_ROW)
			ids[n++] = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		if (step != SQLITE_ROW && step != SQLITE_DONE)
			return tl_fail_sql(db, step,
			                   "finding the changes of a series");
		for (int i = 0; i < n; i++) {
			int rc = delete_row(db, ids[i]);
			if (rc)
				return rc;
		}
		if (n < 64)
			return TLDB_OK;
	}
}

/* Deletes row `id` and its sources and full-text entry. */
static int delete_row(tldb *db, sqlite3_int64 id)
{
	int rc = delete_details(db, id);
	sqlite3_stmt *st;
	if (rc)
		return rc;
	if (!(st = tl_stmt(db, TL_ST_EVENT_DELETE)))
		return TLDB_EINTERNAL;
	sqlite3_bind_int64(st, 1, id);
	return tl_step_done(db, st, "removing an event");
}

/* Removes event `id` of timeline_id and everything that hangs off it. */
static int remove_event(tldb *db, sqlite3_int64 id, sqlite3_int64 timeline_id)
{
	int rc = tl_savepoint(db);
	if (rc)
		return rc;
	if ((rc = delete_changes(db, id)) || (rc = delete_row(db, id)) ||
	    (rc = tl_touch_later(db, timeline_id)))
		goto fail;
	return tl_release(db);
fail:
	tl_rollback_to(db);
	return rc;
}

TLDB_API int tldb_remove(tldb *db, const char *ref)
{
	sqlite3_int64 id, timeline_id;
	int rc = tl_event_ref(db, ref, &id, &timeline_id);
	return rc ? rc : remove_event(db, id, timeline_id);
}

TLDB_API int tldb_remove_in(tldb *db, const char *timeline, const char *uid)
{
	sqlite3_int64 id, timeline_id;
	int rc = tl_event_at(db, timeline, uid, &id, &timeline_id);
	return rc ? rc : remove_event(db, id, timeline_id);
}
