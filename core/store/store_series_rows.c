/*
 * store_series_rows.c -- series as the rows they are stored as, for the
 * exporters that write a series as a series (tldb_query.series) and for
 * statistics: whether a series has an occurrence in a range, the series
 * with its cancelled occurrences as EXDATEs, the changes a range does not
 * select, and the end of the last occurrence of each series that ends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "event_internal.h"
#include "recur.h"
#include "store_series.h"

/* ---- series as rows (tldb_query.series) ---- */

static const char *row_text(sqlite3_stmt *row, int col)
{
	return (const char *)sqlite3_column_text(row, col);
}

int tl_series_row_in_range(sqlite3_stmt *row, int64_t lo, int64_t hi)
{
	if (lo == TLDB_TIME_MIN && hi == TLDB_TIME_MAX)
		return 1;
	tl_recur *r;
	if (tl_recur_open(row_text(row, TL_COL_RECUR),
	                  row_text(row, TL_COL_START),
	                  row_text(row, TL_COL_END), row_text(row, TL_COL_TZ),
	                  &r, NULL))
		return 1;
	tl_recur_seek(r, lo);
	tl_occurrence o;
	int rc, found = 0;
	while (!found && (rc = tl_recur_next(r, &o)) == TL_RECUR_ONE &&
	       o.lo < hi)
		found = o.hi > lo;
	tl_recur_free(r);
	return found || rc == TL_RECUR_CUT;
}

/* Appends "\nEXDATE...:VALUE" for recurrence id `id` of a series in zone
 * tz: a DATE, a UTC time, or a local time in tz. */
static void exdate_line(tl_buf *b, const char *id, const char *tz)
{
	tldb_date d;
	if (!id || tldb_date_parse(id, NULL, &d, NULL) || d.is_interval)
		return; /* not one tldb wrote: nothing to say */
	const tldb_datepoint *p = &d.start;
	char value[48];
	snprintf(value, sizeof value, "%04lld%02d%02d", (long long)p->year,
	         p->month, p->day);
	if (p->precision == TLDB_PREC_DAY) {
		tl_buf_addf(b, "\nEXDATE;VALUE=DATE:%s", value);
		return;
	}
	snprintf(value + 8, sizeof value - 8, "T%02d%02d%02d%s", p->hour,
	         p->minute, p->second,
	         p->zone_kind == TLDB_ZONE_UTC ? "Z" : "");
	if (p->zone_kind == TLDB_ZONE_NAMED)
		tl_buf_addf(b, "\nEXDATE;TZID=%s:%s", p->zone, value);
	else if (p->zone_kind == TLDB_ZONE_FLOATING && tz && *tz)
		tl_buf_addf(b, "\nEXDATE;TZID=%s:%s", tz, value);
	else
		tl_buf_addf(b, "\nEXDATE:%s", value);
}

int tl_series_row_event(tldb *db, sqlite3_int64 id, tl_arena *arena,
                        tldb_event *ev)
{
	int64_t lo, hi;
	tldb_precision prec;
	if (!tl_event_bounds(ev->start, ev->end, ev->tz, &lo, &hi, &prec, NULL))
		ev->hi = hi;
	sqlite3_stmt *st = tl_stmt(db, TL_ST_SERIES_CANCELLED);
	if (!st)
		return TLDB_EINTERNAL;
	int rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, TL_CLASS_HIDDEN);
	tl_buf b;
	tl_buf_init(&b, TL_RECUR_MAX);
	tl_buf_adds(&b, ev->recur ? ev->recur : "");
	size_t plain = b.len;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		exdate_line(&b, row_text(st, 0), ev->tz);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		tl_buf_release(&b);
		return tl_fail_sql(db, rc, "reading a series' cancellations");
	}
	if (b.failed) {
		tl_buf_release(&b);
		return tl_fail(db, TLDB_ETOOBIG,
		               "series %s: too many cancelled occurrences",
		               ev->uid);
	}
	char *s = b.len > plain ? tl_arena_strndup(arena, tl_buf_str(&b), b.len)
	                        : NULL;
	int grew = b.len > plain;
	tl_buf_release(&b);
	if (grew && !s)
		return tl_fail(db, TLDB_ENOMEM, "out of memory");
	if (grew)
		ev->recur = s;
	return TLDB_OK;
}

int tl_series_changes_outside(tldb *db, sqlite3_int64 id, int64_t lo,
                              int64_t hi, int within, sqlite3_int64 **ids,
                              size_t *n)
{
	*ids = NULL;
	*n = 0;
	sqlite3_stmt *st = tl_stmt(db, TL_ST_SERIES_CHANGES_OUT);
	if (!st)
		return TLDB_EINTERNAL;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, lo);
	sqlite3_bind_int64(st, 3, hi);
	sqlite3_bind_int(st, 4, within);
	sqlite3_bind_int(st, 5, TL_CLASS_SERIES);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 8;
			sqlite3_int64 *grown =
			        realloc(*ids, cap * sizeof *grown);
			if (!grown) {
				sqlite3_reset(st);
				return tl_fail(db, TLDB_ENOMEM,
				               "out of memory");
			}
			*ids = grown;
		}
		(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE
	               ? TLDB_OK
	               : tl_fail_sql(db, rc, "reading the changes of a series");
}

int tl_series_latest(tldb *db, int64_t *hi)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(
	        db->sql,
	        "SELECT recur, start, \"end\", tz FROM events WHERE "
	        "span_class = 30 AND hi < 9223372036854775807",
	        -1, &st, NULL);
	if (rc != SQLITE_OK)
		return tl_fail_sql(db, rc, "reading statistics");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		tl_recur *r;
		if (tl_recur_open(row_text(st, 0), row_text(st, 1),
		                  row_text(st, 2), row_text(st, 3), &r, NULL))
			continue;
		tl_occurrence o;
		while (tl_recur_next(r, &o) == TL_RECUR_ONE)
			if (o.hi > *hi)
				*hi = o.hi;
		tl_recur_free(r);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? TLDB_OK
	                         : tl_fail_sql(db, rc, "reading statistics");
}
