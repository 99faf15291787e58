/*
 * recur.h -- the occurrences of a recurring series (tldb.h, "Recurring
 * series"), computed when a query asks for them, never stored.
 *
 * A series is read from its first occurrence's start, end and zone (EDTF,
 * as stored) and its recurrence: iCalendar lines RRULE, RDATE and EXDATE
 * joined by '\n'.  Occurrences come in the order of their start, each with
 * its EDTF start and end (in the form of the series' own: a day, a floating
 * or local time, a UTC time) and its bounds as the store would compute
 * them.  RRULE steps run through libical's iterator on wall times; every
 * RDATE and EXDATE value, whatever its zone, is moved to the series' wall
 * clock first, so a UTC RDATE on a Tokyo series lands at its instant.
 *
 * Nothing here is shared between threads: a tl_recur belongs to its
 * caller.
 */
#ifndef TLDB_RECUR_H
#define TLDB_RECUR_H

#include <stdint.h>

#include "tldb/tldb.h"

/* Longest recurrence text accepted (bytes). */
#define TL_RECUR_MAX 65536

typedef struct tl_recur tl_recur;

/* One occurrence.  wall is its original start on the series' wall clock
 * (seconds as if that clock were UTC): what a RECURRENCE-ID names. */
typedef struct tl_occurrence {
	int64_t wall;
	int64_t dur; /* its own length (an RDATE period), or -1 */
	int64_t lo, hi;
	char id[TLDB_DATE_STRMAX]; /* "20240111T090000[Asia/Tokyo]" */
	/* Written by tl_recur_text only (texted 1): a query passes over most
	 * occurrences it computes, and needs their bounds and id alone. */
	int texted;
	char start[TLDB_DATE_STRMAX];
	char end[TLDB_DATE_STRMAX]; /* "" when the series has no end */
} tl_occurrence;

/* What tl_recur_next found. */
enum { TL_RECUR_DONE = 0, TL_RECUR_ONE = 1, TL_RECUR_CUT = 2 };

/* Reads a series; *out is the caller's (tl_recur_free).  Returns TLDB_OK,
 * or TLDB_EINVAL / TLDB_EDATE / TLDB_EZONE with a message naming the bad
 * line in *err (err may be NULL), or TLDB_ENOMEM. */
int tl_recur_open(const char *recur, const char *start, const char *end,
                  const char *tz, tl_recur **out, tldb_errbuf *err);

void tl_recur_free(tl_recur *r);

/* An upper bound of the end of the series' last occurrence, at least its
 * first occurrence's hi; TLDB_TIME_MAX for a series without end.  Leaves r
 * at its start. */
int64_t tl_recur_last_hi(tl_recur *r);

/* Moves r so that the next occurrence is among the first that end after
 * instant `lo` (a few earlier ones may still come: the caller passes over
 * what ends before its range). */
void tl_recur_seek(tl_recur *r, int64_t lo);

/* The next occurrence: TL_RECUR_ONE with *o set but for its start and
 * end (tl_recur_text), TL_RECUR_DONE after the last, or TL_RECUR_CUT when
 * TLDB_SERIES_MAX_STEPS were taken (o->wall is then where the rule
 * stopped). */
int tl_recur_next(tl_recur *r, tl_occurrence *o);

/* Writes o's EDTF start and end, whose bounds as the store reads an
 * event's are the o->lo and o->hi tl_recur_next computed from the wall
 * time (test_series checks they agree).  TLDB_OK, or an error when they
 * cannot be written. */
int tl_recur_text(const tl_recur *r, tl_occurrence *o);

/* Sets *o to an occurrence starting at `wall` on the series' clock,
 * lasting dur seconds (dur < 0: as long as the first occurrence), as a
 * changed occurrence moves later ones (RANGE=THISANDFUTURE).  TLDB_OK, or
 * an error when it cannot be written (past year 9999). */
int tl_recur_at(const tl_recur *r, int64_t wall, int64_t dur, tl_occurrence *o);

/* The wall time a recurrence id names (EDTF: a day, a local time, or a UTC
 * time) on the series' clock; *whole_day is 1 for a day, which names every
 * occurrence starting on it.  Returns TLDB_OK or TLDB_EDATE. */
int tl_recur_id_wall(const tl_recur *r, const char *id, int64_t *wall,
                     int *whole_day);

/* 1 when a recurrence id at wall (whole_day: that day) names occurrence o. */
int tl_recur_id_names(int64_t wall, int whole_day, const tl_occurrence *o);

/* Writes the id of a recurrence id given in EDTF ("2024-01-11T09:00:00Z"
 * gives "20240111T090000Z"; a local time gets "[tz]" after it when tz is
 * set), as occurrences' ids are written.  Returns TLDB_OK or TLDB_EDATE. */
int tl_recur_id_text(const char *id, const char *tz, char *buf, size_t size);

#endif /* TLDB_RECUR_H */
