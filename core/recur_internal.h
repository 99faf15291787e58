/*
 * recur_internal.h -- what core/recur.c (reading a series, its clock) and
 * core/recur_walk.c (walking its occurrences, recurrence ids) share: the
 * series itself and the helpers of its wall clock.  A wall time is seconds
 * as if the series' clock were UTC: its days, its local times in its zone,
 * or UTC.
 */
#ifndef TLDB_RECUR_INTERNAL_H
#define TLDB_RECUR_INTERNAL_H

#include <libical/ical.h>

#include "recur.h"

#define DAY INT64_C(86400)

/* An RDATE: its wall start and its own length (-1: the series'). */
typedef struct rdate {
	int64_t wall, dur;
} rdate;

/* An EXDATE: a wall time, or every occurrence of a day. */
typedef struct xdate {
	int64_t wall;
	int whole_day;
} xdate;

struct tl_recur {
	tldb_date start, end;
	int has_end, end_same_clock, is_day;
	char tz[TLDB_ZONE_NAME_MAX];  /* the stored tz, "" for none */
	int64_t start_wall, end_wall; /* end_wall: when end_same_clock */
	int64_t exact_dur;            /* end instant - start lo, otherwise */
	int64_t max_dur;              /* the longest occurrence, seconds */
	int has_rule, has_count;
	struct icalrecurrencetype rule;
	icalrecur_iterator *it;
	int rule_loaded;
	int64_t rule_next;
	rdate *rdates;
	size_t nrdates, ir;
	xdate *exdates;
	size_t nexdates;
	int first_pending, any;
	int64_t last_wall, steps;
	int64_t reached; /* the rule's latest wall time, for a cut */
	/* A rule without BY parts steps by a fixed wall interval, or by
	 * whole months: it is walked with arithmetic and jumps to a range in
	 * one step, COUNT or not, where libical's iterator (ICU's calendar
	 * under it) takes microseconds a step and must walk a COUNT rule
	 * from its start. */
	int simple;
	/* The precision occurrences are written with: the start's, or the
	 * second when the rule steps by seconds (DTSTART 10:00:00 is written
	 * "10:00", and 10:00:01 must not be). */
	tldb_precision prec;
	int64_t step;       /* seconds a step, or 0 */
	int months;         /* months a step (MONTHLY, YEARLY), or 0 */
	int64_t k;          /* the index of the rule's next step */
	int64_t until_wall; /* UNTIL on the series' clock, or INT64_MAX */
};

/* The zone of the series' local times, or NULL. */
const char *tl_rc_zone_of(const tl_recur *r);
/* Instant -> the series' wall clock. */
int64_t tl_rc_to_wall(const tl_recur *r, int64_t instant);
/* A date point's wall time (midnight of a day). */
int64_t tl_rc_wall_of_point(const tldb_datepoint *p);
/* The midnight of a wall time's day. */
int64_t tl_rc_day_of(int64_t wall);
/* Writes `wall` in the form of point p, at precision at least `prec`. */
int tl_rc_format_wall(const tldb_datepoint *p, tldb_precision prec,
                      int64_t wall, char *buf, size_t size);
/* The id of an occurrence starting at wall ("20240111T090000[Zone]"). */
void tl_rc_id_of(const tldb_datepoint *p, int is_day, const char *zone,
                 int64_t wall, char *buf, size_t size);
/* libical's fields <-> wall times. */
int64_t tl_rc_wall_of_ical(icaltimetype t);
icaltimetype tl_rc_ical_of(const tl_recur *r, int64_t wall);
/* The wall time of the simple rule's step k (tl_recur.simple). */
int64_t tl_rc_simple_wall(const tl_recur *r, int64_t k);
/* The series' wall time of a DATE-TIME given in zone tzid (NULL: UTC when
 * utc, else floating on the series' clock).  TLDB_OK or TLDB_EZONE. */
int tl_rc_value_wall(const tl_recur *r, int64_t wall, int utc, const char *tzid,
                     int64_t *out);

#endif /* TLDB_RECUR_INTERNAL_H */
