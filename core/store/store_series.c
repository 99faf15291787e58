/*
 * store_series.c -- the series arm of a query (store_series.h).
 *
 * At open, the arm reads the series the query matches (their bounds reach
 * their last occurrence, or the end of time) and the changed occurrences
 * of each, then keeps the series in a binary heap by their next
 * occurrence, so occurrences come out in the query's order however many
 * series there are, and a LIMIT stops the expansion early.  An occurrence
 * that a changed occurrence names is passed over: the change is a row of
 * its own, which the arms of single events yield where it now lies (or
 * nowhere, when it cancels the occurrence).  A change with
 * RANGE=THISANDFUTURE moves every later occurrence as it moved its own
 * and lends them its text, as RFC 5545 3.8.4.4 says and ical.js does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "event_internal.h"
#include "recur.h"
#include "store_series.h"

/* A changed occurrence as stored (strings in the arm's arena). */
typedef struct change {
	const char *timeline, *series, *id, *start;
	const char *title, *body, *location, *url;
	unsigned flags;
	int64_t lo, hi;
	int has_end;
} change;

/* A change as one series sees it: the wall time it names, and for a
 * THISANDFUTURE one how far it moves later occurrences. */
typedef struct named {
	int64_t wall, shift, dur;
	int whole_day;
	const change *c;
} named;

typedef struct series {
	tl_recur *r;
	sqlite3_int64 id;
	tldb_event base; /* the stored series; strings in the arm's arena */
	named *changes;
	size_t nchanges;
	tl_occurrence occ;
	char orig[TLDB_DATE_STRMAX]; /* the original start when moved */
	const change *future;        /* the THISANDFUTURE change applied */
	int64_t yielded;
	int64_t hi; /* the end of the range for this series */
	int whole;  /* base holds the whole row, not only the lean columns */
	char uid[TLDB_MAX_UID + TLDB_DATE_STRMAX + 2];
} series;

struct tl_series_arm {
	tldb *db;
	int64_t lo, hi;
	int within;
	series *s;
	size_t n;
	int *heap;
	size_t nheap;
	int started;
	change *changes;
	size_t nchanges;
	tl_arena arena;
	tldb_event ev;
	char warning[600];
	int more;       /* series cut short after the first */
	char note[700]; /* the warning, with `more` */
};

/* Keeps the first note: "series TIMELINE/UID: stopped at WHEN<why>". */
static void warn(tl_series_arm *a, const series *s, int64_t wall,
                 const char *why)
{
	if (a->warning[0]) {
		a->more++;
		return;
	}
	civil_time tm;
	civil_time_from_seconds(wall, &tm);
	char when[64];
	snprintf(when, sizeof when, "%04lld-%02d-%02dT%02d:%02d:%02d",
	         (long long)tm.year, tm.month, tm.day, tm.hour, tm.minute,
	         tm.second);
	snprintf(a->warning, sizeof a->warning,
	         "series %.64s/%.256s: stopped at %s%s",
	         s->base.timeline ? s->base.timeline : "", s->base.uid, when,
	         why);
}

/* ---- the changed occurrences ---- */

static int cmp_change(const void *x, const void *y)
{
	const change *a = x, *b = y;
	int r = strcmp(a->timeline, b->timeline);
	return r ? r : strcmp(a->series, b->series);
}

/* Every changed occurrence of the store, by timeline and series. */
static int read_changes(tl_series_arm *a)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(
	        a->db->sql,
	        "SELECT t.name, e.series, e.recurrence_id, e.recur_flags, "
	        "e.start, e.\"end\", e.title, e.body, e.location, e.url, e.lo, "
	        "e.hi FROM events e JOIN timelines t ON t.id = e.timeline_id "
	        "WHERE e.series IS NOT NULL",
	        -1, &st, NULL);
	if (rc != SQLITE_OK)
		return tl_fail_sql(a->db, rc,
		                   "reading the changed occurrences");
	size_t cap = 0;
	int oom = 0;
	while (!oom && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (a->nchanges == cap) {
			cap = cap ? 2 * cap : 16;
			change *n = realloc(a->changes, cap * sizeof *n);
			if (!n) {
				oom = 1;
				break;
			}
			a->changes = n;
		}
		change *c = &a->changes[a->nchanges++];
		c->timeline = tl_col_dup(st, 0, &a->arena, &oom);
		c->series = tl_col_dup(st, 1, &a->arena, &oom);
		c->id = tl_col_dup(st, 2, &a->arena, &oom);
		c->flags = (unsigned)sqlite3_column_int(st, 3);
		c->start = tl_col_dup(st, 4, &a->arena, &oom);
		c->has_end = sqlite3_column_type(st, 5) != SQLITE_NULL;
		c->title = tl_col_dup(st, 6, &a->arena, &oom);
		c->body = tl_col_dup(st, 7, &a->arena, &oom);
		c->location = tl_col_dup(st, 8, &a->arena, &oom);
		c->url = tl_col_dup(st, 9, &a->arena, &oom);
		c->lo = sqlite3_column_int64(st, 10);
		c->hi = sqlite3_column_int64(st, 11);
		if (!oom && (!c->timeline || !c->series || !c->id))
			a->nchanges--; /* not a change tldb wrote */
	}
	sqlite3_finalize(st);
	if (oom)
		return tl_fail(a->db, TLDB_ENOMEM, "out of memory");
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return tl_fail_sql(a->db, rc,
		                   "reading the changed occurrences");
	if (a->nchanges)
		qsort(a->changes, a->nchanges, sizeof *a->changes, cmp_change);
	return TLDB_OK;
}

static int cmp_named(const void *x, const void *y)
{
	const named *a = x, *b = y;
	return (a->wall > b->wall) - (a->wall < b->wall);
}

/* The changes of series s, each moved to its wall clock. */
static int attach_changes(tl_series_arm *a, series *s)
{
	change key = {.timeline = s->base.timeline, .series = s->base.uid};
	if (!a->nchanges || !key.timeline)
		return TLDB_OK;
	change *hit =
	        bsearch(&key, a->changes, a->nchanges, sizeof key, cmp_change);
	if (!hit)
		return TLDB_OK;
	change *first = hit, *end = hit + 1;
	while (first > a->changes && !cmp_change(first - 1, &key))
		first--;
	while (end < a->changes + a->nchanges && !cmp_change(end, &key))
		end++;
	s->changes = tl_arena_alloc(&a->arena,
	                            (size_t)(end - first) * sizeof *s->changes);
	if (!s->changes)
		return tl_fail(a->db, TLDB_ENOMEM, "out of memory");
	for (change *c = first; c < end; c++) {
		named *n = &s->changes[s->nchanges];
		int start_day;
		int64_t start_wall;
		if (tl_recur_id_wall(s->r, c->id, &n->wall, &n->whole_day))
			continue; /* names no occurrence of this clock */
		n->c = c;
		n->shift = 0;
		n->dur = c->has_end ? c->hi - c->lo : -1;
		if (!tl_recur_id_wall(s->r, c->start, &start_wall, &start_day))
			n->shift = start_wall - n->wall;
		s->nchanges++;
	}
	qsort(s->changes, s->nchanges, sizeof *s->changes, cmp_named);
	return TLDB_OK;
}

/* ---- one series ---- */

/* Applies s's changes to its current occurrence: 0 to pass it over (a
 * change replaces it), else 1, moved by a THISANDFUTURE change before it. */
static int apply_changes(series *s)
{
	const named *future = NULL;
	s->future = NULL;
	for (size_t i = 0; i < s->nchanges; i++) {
		const named *n = &s->changes[i];
		if (tl_recur_id_names(n->wall, n->whole_day, &s->occ))
			return 0;
		if ((n->c->flags & TLDB_RECUR_THISANDFUTURE) &&
		    n->wall < s->occ.wall)
			future = n;
	}
	if (!future)
		return 1;
	tl_occurrence moved;
	if ((!s->occ.texted && tl_recur_text(s->r, &s->occ)) ||
	    tl_recur_at(s->r, s->occ.wall + future->shift, future->dur, &moved))
		return 0;
	memcpy(s->orig, s->occ.start, sizeof s->orig);
	memcpy(s->occ.start, moved.start, sizeof moved.start);
	memcpy(s->occ.end, moved.end, sizeof moved.end);
	s->occ.lo = moved.lo;
	s->occ.hi = moved.hi;
	s->occ.texted = 1;
	s->future = future->c;
	return 1;
}

/* Moves s to its next occurrence in the range: 1, or 0 when it has no
 * more. */
static int advance(tl_series_arm *a, series *s)
{
	for (;;) {
		int rc = tl_recur_next(s->r, &s->occ);
		if (rc == TL_RECUR_CUT) {
			warn(a, s, s->occ.wall,
			     ", the most steps a query takes through one "
			     "series; its later occurrences are left out");
			return 0;
		}
		if (rc == TL_RECUR_DONE)
			return 0;
		if (!apply_changes(s))
			continue;
		if (s->occ.lo >= s->hi)
			return 0;
		if (a->within ? s->occ.lo < a->lo || s->occ.hi > a->hi
		              : s->occ.hi <= a->lo)
			continue;
		if (++s->yielded > TLDB_SERIES_MAX_STEPS) {
			warn(a, s, s->occ.wall,
			     ", the most occurrences a query takes from one "
			     "series; its later occurrences are left out");
			return 0;
		}
		snprintf(s->uid, sizeof s->uid, "%s/%s", s->base.uid,
		         s->occ.id);
		return 1;
	}
}

static void key_of(const series *s, tl_merge_key *k)
{
	const char *title = s->future && s->future->title ? s->future->title
	                                                  : s->base.title;
	k->lo = s->occ.lo;
	k->prec = (int)s->base.precision;
	k->title = (const unsigned char *)title;
	k->title_len = (int)strlen(title);
	k->uid = (const unsigned char *)s->uid;
	k->uid_len = (int)strlen(s->uid);
}

static int series_less(const tl_series_arm *a, int x, int y)
{
	tl_merge_key kx, ky;
	key_of(&a->s[x], &kx);
	key_of(&a->s[y], &ky);
	return tl_merge_key_less(&kx, &ky);
}

static void sift_down(tl_series_arm *a, size_t i)
{
	for (;;) {
		size_t least = i, l = 2 * i + 1, r = l + 1;
		if (l < a->nheap && series_less(a, a->heap[l], a->heap[least]))
			least = l;
		if (r < a->nheap && series_less(a, a->heap[r], a->heap[least]))
			least = r;
		if (least == i)
			return;
		int t = a->heap[i];
		a->heap[i] = a->heap[least];
		a->heap[least] = t;
		i = least;
	}
}

/* ---- the arm ---- */

/* What expanding series s needs, from a row of TL_SERIES_LEAN_COLUMNS;
 * the rest of its row is read by load_whole when it yields. */
static int read_lean(tl_series_arm *a, sqlite3_stmt *row, series *s)
{
	int oom = 0;
	tldb_event *e = &s->base;
	s->id = sqlite3_column_int64(row, TL_LEAN_ID);
	e->uid = tl_col_dup(row, TL_LEAN_UID, &a->arena, &oom);
	e->timeline = tl_col_dup(row, TL_LEAN_TIMELINE, &a->arena, &oom);
	e->title = tl_col_dup(row, TL_LEAN_TITLE, &a->arena, &oom);
	e->start = tl_col_dup(row, TL_LEAN_START, &a->arena, &oom);
	e->end = tl_col_dup(row, TL_LEAN_END, &a->arena, &oom);
	e->tz = tl_col_dup(row, TL_LEAN_TZ, &a->arena, &oom);
	e->recur = tl_col_dup(row, TL_LEAN_RECUR, &a->arena, &oom);
	e->precision = (tldb_precision)sqlite3_column_int(row, TL_LEAN_PREC);
	e->lo = sqlite3_column_int64(row, TL_LEAN_LO);
	e->hi = sqlite3_column_int64(row, TL_LEAN_HI);
	return oom || !e->uid || !e->title || !e->start ? -1 : 0;
}

/* The whole row of series s, once, when it first yields. */
static int load_whole(tl_series_arm *a, series *s)
{
	if (s->whole)
		return TLDB_OK;
	int rc = tl_event_read(a->db, s->id, 0, &a->arena, &s->base);
	s->whole = !rc;
	return rc;
}

static int read_series(tl_series_arm *a, sqlite3_stmt *masters)
{
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(masters)) == SQLITE_ROW) {
		if (a->n == cap) {
			cap = cap ? 2 * cap : 16;
			series *n = realloc(a->s, cap * sizeof *n);
			if (!n)
				return tl_fail(a->db, TLDB_ENOMEM,
				               "out of memory");
			a->s = n;
		}
		series *s = &a->s[a->n];
		memset(s, 0, sizeof *s);
		if (read_lean(a, masters, s))
			return tl_fail(a->db, TLDB_ENOMEM, "out of memory");
		tldb_errbuf err = {{0}, 0};
		int orc = tl_recur_open(s->base.recur, s->base.start,
		                        s->base.end, s->base.tz, &s->r, &err);
		if (orc == TLDB_ENOMEM)
			return tl_fail(a->db, orc, "out of memory");
		if (orc) {
			/* Written by another version of tldb, perhaps: the
			 * other series still come. */
			if (!a->warning[0])
				snprintf(a->warning, sizeof a->warning,
				         "series %.64s/%.256s: passed over: %s",
				         s->base.timeline, s->base.uid,
				         err.msg);
			continue;
		}
		a->n++;
	}
	if (rc != SQLITE_DONE)
		return tl_fail_sql(a->db, rc, "reading the series");
	return TLDB_OK;
}

int tl_series_arm_open(tldb *db, const tldb_query *q, sqlite3_stmt *masters,
                       tl_series_arm **out)
{
	*out = NULL;
	tl_series_arm *a = calloc(1, sizeof *a);
	if (!a)
		return tl_fail(db, TLDB_ENOMEM, "out of memory");
	a->db = db;
	a->lo = q->lo;
	a->hi = q->hi;

	a->within = q->within;
	tl_arena_init(&a->arena);
	int rc = read_series(a, masters);
	sqlite3_reset(masters);
	if (!rc && a->n)
		rc = read_changes(a);
	for (size_t i = 0; !rc && i < a->n; i++)
		rc = attach_changes(a, &a->s[i]);
	if (!rc && a->n && !(a->heap = malloc(a->n * sizeof *a->heap)))
		rc = tl_fail(db, TLDB_ENOMEM, "out of memory");
	if (rc) {
		tl_series_arm_free(a);
		return rc;
	}
	int64_t now = tl_now(db);
	for (size_t i = 0; i < a->n; i++) {
		series *s = &a->s[i];
		if (i % 256 == 255 && tl_past_deadline(db)) {
			tl_series_arm_free(a);
			return tl_time_limit_reached(db);
		}
		tl_recur_seek(s->r, a->lo);
		s->hi = a->hi;
		if (a->hi == TLDB_TIME_MAX && s->base.hi == TLDB_TIME_MAX) {
			/* Neither the range nor the series ends: it is shown
			 * as far ahead as a calendar app shows one (tldb.h). */
			int64_t from = now > a->lo ? now : a->lo;
			if (s->base.lo > from)
				from = s->base.lo;
			s->hi = from + TLDB_SERIES_OPEN_AHEAD;
		}
	}
	*out = a;
	return TLDB_OK;
}

int tl_series_arm_step(tl_series_arm *a, tl_merge_key *key)
{
	if (tl_past_deadline(a->db))
		return tl_time_limit_reached(a->db);
	if (!a->started) {
		a->started = 1;
		for (size_t i = 0; i < a->n; i++)
			if (advance(a, &a->s[i]))
				a->heap[a->nheap++] = (int)i;
		for (size_t i = a->nheap / 2; i-- > 0;)
			sift_down(a, i);
	} else if (a->nheap) {
		if (!advance(a, &a->s[a->heap[0]]))
			a->heap[0] = a->heap[--a->nheap];
		sift_down(a, 0);
	}
	if (!a->nheap)
		return 0;
	key_of(&a->s[a->heap[0]], key);
	return 1;
}

int tl_series_arm_event(tl_series_arm *a, int with_sources, tl_arena *arena,
                        const tldb_event **ev)
{
	series *s = &a->s[a->heap[0]];
	int rc = load_whole(a, s);
	if (rc)
		return rc;
	if (!s->occ.texted && tl_recur_text(s->r, &s->occ))
		return tl_fail(a->db, TLDB_ETOOBIG,
		               "series %s: an occurrence past what a date "
		               "can hold",
		               s->base.uid);
	tldb_event *e = &a->ev;
	*e = s->base;
	e->uid = s->uid;
	e->start = s->occ.start;
	e->end = s->occ.end[0] ? s->occ.end : NULL;
	e->lo = s->occ.lo;
	e->hi = s->occ.hi;
	e->recur = NULL;
	e->series = s->base.uid;
	e->recurrence_id = s->future ? s->orig : s->occ.start;
	if (s->future) {
		e->title = s->future->title ? s->future->title : e->title;
		e->body = s->future->body;
		e->location = s->future->location;
		e->url = s->future->url;
	}
	e->sources = NULL;
	e->nsources = 0;
	if (with_sources) {
		rc = tl_load_sources(a->db, s->id, arena, e);
		if (rc)
			return rc;
	}
	*ev = e;
	return TLDB_OK;
}

const char *tl_series_arm_warning(tl_series_arm *a)
{
	if (!a || !a->warning[0])
		return NULL;
	if (!a->more)
		return a->warning;
	snprintf(a->note, sizeof a->note, "%s (and %d more series)", a->warning,
	         a->more);
	return a->note;
}

void tl_series_arm_free(tl_series_arm *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n; i++)
		tl_recur_free(a->s[i].r);
	free(a->s);
	free(a->heap);
	free(a->changes);
	tl_arena_release(&a->arena);
	free(a);
}
