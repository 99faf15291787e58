/*
 * store_series.h -- the series arm of a query (store_series.c): every
 * recurring series the query matches, expanded over the query's range and
 * yielded in the query's order, merged by store_query.c with the arms of
 * single events.
 */
#ifndef TLDB_STORE_SERIES_H
#define TLDB_STORE_SERIES_H

#include "arena.h"
#include "store_internal.h"

/* The merge key of an arm's current row or occurrence: ORDER BY lo, prec
 * DESC, title, uid.  Its strings are borrowed until the arm steps. */
typedef struct tl_merge_key {
	int64_t lo;
	int prec;
	const unsigned char *title, *uid;
	int title_len, uid_len;
} tl_merge_key;

/* 1 when a sorts before b (store_query.c). */
int tl_merge_key_less(const tl_merge_key *a, const tl_merge_key *b);

/* The columns the series' statement selects, in this order. */
#define TL_SERIES_LEAN_COLUMNS                                                 \
	"e.id, e.uid, t.name, e.title, e.start, e.\"end\", e.tz, e.prec, "     \
	"e.recur, e.lo, e.hi"
enum {
	TL_LEAN_ID,
	TL_LEAN_UID,
	TL_LEAN_TIMELINE,
	TL_LEAN_TITLE,
	TL_LEAN_START,
	TL_LEAN_END,
	TL_LEAN_TZ,
	TL_LEAN_PREC,
	TL_LEAN_RECUR,
	TL_LEAN_LO,
	TL_LEAN_HI
};

typedef struct tl_series_arm tl_series_arm;

/* Reads every series the statement `masters` yields (the query's filters,
 * bound, over the series' whole bounds) and the changed occurrences of
 * each, and positions each series at its first occurrence in q's range.
 * *out is the caller's (tl_series_arm_free).  TLDB_OK or an error set on
 * db. */
int tl_series_arm_open(tldb *db, const tldb_query *q, sqlite3_stmt *masters,
                       tl_series_arm **out);

/* Moves to the next occurrence: 1 with *key set (borrowed until the next
 * step), 0 when there are no more, or an error set on db.  The first call
 * yields the first occurrence. */
int tl_series_arm_step(tl_series_arm *a, tl_merge_key *key);

/* The current occurrence as an event, borrowed until the next step; with
 * with_sources its series' sources are read into arena. */
int tl_series_arm_event(tl_series_arm *a, int with_sources, tl_arena *arena,
                        const tldb_event **ev);

/* The first note about a series cut short or unreadable, with how many
 * more were, or NULL; valid until the next call. */
const char *tl_series_arm_warning(tl_series_arm *a);

void tl_series_arm_free(tl_series_arm *a);

/* A series row (the SELECT of tl_event_select) has an occurrence that
 * overlaps [lo, hi): 1, else 0.  1 too when that cannot be told (a rule
 * cut short, a recurrence another version wrote). */
int tl_series_row_in_range(sqlite3_stmt *row, int64_t lo, int64_t hi);

/* Makes the series row ev (series `id`) what an exporter of series wants:
 * its hi that of its first occurrence, as its DTEND says, and an EXDATE
 * line added to its recur (a copy in arena) for each cancelled occurrence,
 * so that the series alone says what it holds.  TLDB_OK, or an error set
 * on db. */
int tl_series_row_event(tldb *db, sqlite3_int64 id, tl_arena *arena,
                        tldb_event *ev);

/* The ids of the changed occurrences of series `id` (not the cancelled
 * ones) that a query of [lo, hi) (within: wholly inside) does not select
 * by their own bounds, in *ids (the caller's, free) and *n: an exporter of
 * series must have every change of a series it writes.  TLDB_OK or an
 * error set on db. */
int tl_series_changes_outside(tldb *db, sqlite3_int64 id, int64_t lo,
                              int64_t hi, int within, sqlite3_int64 **ids,
                              size_t *n);

/* Raises *hi to the end of the last occurrence of every series that ends
 * (COUNT, UNTIL, RDATEs), for statistics.  TLDB_OK or an error set on db. */
int tl_series_latest(tldb *db, int64_t *hi);

#endif /* TLDB_STORE_SERIES_H */
