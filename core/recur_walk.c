/*
 * recur_walk.c -- walking a series' occurrences in order (recur.h): the
 * merge of DTSTART, the rule (libical's iterator, or arithmetic for a rule
 * without BY parts) and the RDATEs less the EXDATEs; the jump to a range;
 * the bounds of an occurrence from its wall time and its dates written
 * only when asked; and recurrence ids.
 */
#include <stdio.h>
#include <string.h>

#include "civil.h"
#include "event_internal.h"
#include "recur_internal.h"

/* ---- walking ---- */

static int excluded(const tl_recur *r, int64_t wall)
{
	for (size_t i = 0; i < r->nexdates; i++)
		if (r->exdates[i].whole_day
		            ? tl_rc_day_of(wall) == r->exdates[i].wall
		            : wall == r->exdates[i].wall)
			return 1;
	return 0;
}

/* Loads the rule's next wall time; 0 when it has no more. */
static int load_rule(tl_recur *r)
{
	if (r->rule_loaded)
		return 1;
	if (r->simple) {
		/* Past about 29,000 years of seconds the arithmetic would
		 * overflow: the rule ends there. */
		if ((r->has_count && r->k >= r->rule.count) ||
		    r->k > INT64_C(1) << 40)
			return 0;
		int64_t wall = tl_rc_simple_wall(r, r->k);
		if (wall > r->until_wall)
			return 0;
		r->k++;
		r->steps++;
		r->rule_next = r->reached = wall;
		r->rule_loaded = 1;
		return 1;
	}
	if (!r->it)
		return 0;
	icaltimetype t = icalrecur_iterator_next(r->it);
	r->steps++;
	if (icaltime_is_null_time(t)) {
		icalrecur_iterator_free(r->it);
		r->it = NULL;
		return 0;
	}
	r->rule_next = r->reached = tl_rc_wall_of_ical(t);
	r->rule_loaded = 1;
	return 1;
}

/* The next wall time of the series and its length: 1, or 0 at the end. */
static int next_wall(tl_recur *r, int64_t *wall, int64_t *dur)
{
	int64_t best = 0;
	int which = 0; /* 1 DTSTART, 2 the rule, 3 an RDATE */
	if (r->first_pending) {
		best = r->start_wall;
		which = 1;
	}
	if (load_rule(r) && (!which || r->rule_next < best)) {
		best = r->rule_next;
		which = 2;
	}
	if (r->ir < r->nrdates && (!which || r->rdates[r->ir].wall < best)) {
		best = r->rdates[r->ir].wall;
		which = 3;
	}
	*dur = -1;
	if (which == 1)
		r->first_pending = 0;
	else if (which == 2)
		r->rule_loaded = 0;
	else if (which == 3)
		*dur = r->rdates[r->ir++].dur;
	*wall = best;
	return which != 0;
}

/* The instant of wall time `wall` on the series' clock, as the date
 * parser resolves a time of that form (RFC 5545 3.3.5 in a zone). */
static int64_t instant_of(const tl_recur *r, int64_t wall)
{
	const char *z = tl_rc_zone_of(r);
	int64_t u = wall;
	if (z)
		return tldb_zone_to_utc(z, wall, &u, NULL) ? wall : u;
	if (r->start.start.zone_kind == TLDB_ZONE_OFFSET)
		return wall - (int64_t)r->start.start.offset_minutes * 60;
	return wall;
}

/* The bounds of an occurrence from its wall time, without writing it:
 * what tl_event_bounds reads from the dates tl_recur_text writes. */
static void bounds(const tl_recur *r, tl_occurrence *o)
{
	int64_t unit = r->prec == TLDB_PREC_DAY      ? DAY
	               : r->prec == TLDB_PREC_MINUTE ? 60
	                                             : 1;
	/* A day is a day of the calendar, in no zone (date_parse.c). */
	o->lo = r->is_day ? o->wall : instant_of(r, o->wall);
	if (o->dur >= 0) {
		o->hi = instant_of(r, o->wall + o->dur);
	} else if (!r->has_end) {
		o->hi = o->lo + unit;
	} else if (r->end_same_clock) {
		int64_t end = o->wall + (r->end_wall - r->start_wall);
		o->hi = r->end.start.precision == TLDB_PREC_DAY
		                ? end + DAY
		                : instant_of(r, end);
	} else {
		o->hi = o->lo + r->exact_dur;
	}
	if (o->hi <= o->lo)
		o->hi = o->lo + 1;
}

static void place(const tl_recur *r, int64_t wall, int64_t dur,
                  tl_occurrence *o)
{
	o->wall = wall;
	o->dur = dur;
	o->texted = 0;
	tl_rc_id_of(&r->start.start, r->is_day, tl_rc_zone_of(r), wall, o->id,
	            sizeof o->id);
	bounds(r, o);
}

int tl_recur_text(const tl_recur *r, tl_occurrence *o)
{
	const tldb_datepoint *p = &r->start.start;
	int64_t wall = o->wall, dur = o->dur;
	int rc = tl_rc_format_wall(p, r->prec, wall, o->start, sizeof o->start);
	o->end[0] = '\0';
	if (!rc && dur >= 0) {
		tldb_precision prec =
		        dur % 60 ? TLDB_PREC_SECOND : TLDB_PREC_MINUTE;
		rc = tl_rc_format_wall(p, prec, wall + dur, o->end,
		                       sizeof o->end);
	} else if (!rc && r->has_end && r->end_same_clock) {
		rc = tl_rc_format_wall(&r->end.start, r->end.start.precision,
		                       wall + (r->end_wall - r->start_wall),
		                       o->end, sizeof o->end);
	}
	if (!rc && dur < 0 && r->has_end && !r->end_same_clock &&
	    tldb_format_instant(o->hi, o->end, sizeof o->end) < 0)
		/* An end in another zone than the start: as long as the
		 * first occurrence, written in UTC. */
		rc = TLDB_ETOOBIG;
	o->texted = !rc;
	return rc;
}

int tl_recur_next(tl_recur *r, tl_occurrence *o)
{
	for (;;) {
		if (r->steps >= TLDB_SERIES_MAX_STEPS) {
			o->wall = r->reached;
			return TL_RECUR_CUT;
		}
		int64_t wall, dur;
		if (!next_wall(r, &wall, &dur))
			return TL_RECUR_DONE;
		if (r->any && wall == r->last_wall)
			continue; /* DTSTART, the rule and an RDATE may agree */
		r->any = 1;
		r->last_wall = wall;
		if (wall > r->reached)
			r->reached = wall;
		if (excluded(r, wall))
			continue;
		place(r, wall, dur, o);
		return TL_RECUR_ONE;
	}
}

void tl_recur_seek(tl_recur *r, int64_t lo)
{
	if (lo <= TLDB_TIME_MIN + 4 * DAY)
		return;
	/* The first occurrence that can reach lo starts at most max_dur
	 * before it, on the wall clock of the instant lo; a zone's offset may
	 * differ by up to a day (Samoa, 2011) between the two. */
	int64_t target = tl_rc_to_wall(r, lo) - r->max_dur -
	                 (tl_rc_zone_of(r) ? DAY + 2 * 3600 : 0);
	if (target <= r->start_wall)
		return;
	r->first_pending = 0;
	while (r->ir < r->nrdates && r->rdates[r->ir].wall < target)
		r->ir++;
	if (r->simple && !r->rule_loaded) {
		/* The first step at or after the target, or for months a
		 * month or two short of it, never past it. */
		int64_t k = 0;
		if (r->step) {
			k = (target - r->start_wall + r->step - 1) / r->step;
		} else {
			civil_time a, b;
			civil_time_from_seconds(r->start_wall, &a);
			civil_time_from_seconds(target, &b);
			k = ((b.year - a.year) * 12 + (b.month - a.month)) /
			            r->months -
			    1;
		}
		if (k > r->k)
			r->k = k;
		return;
	}
	if (r->it && !r->has_count && !r->rule_loaded &&
	    icalrecur_iterator_set_start(r->it, tl_rc_ical_of(r, target)))
		return;
	/* COUNT rules must be walked from their start. */
	while (r->steps < TLDB_SERIES_MAX_STEPS && load_rule(r) &&
	       r->rule_next < target)
		r->rule_loaded = 0;
}

int64_t tl_recur_last_hi(tl_recur *r)
{
	if (r->has_rule && !r->has_count &&
	    icaltime_is_null_time(r->rule.until))
		return TLDB_TIME_MAX;
	int64_t last = r->start_wall, wall, dur;
	int64_t n = 0;
	while (next_wall(r, &wall, &dur)) {
		if (++n > 100000)
			return TLDB_TIME_MAX;
		if (wall > last)
			last = wall;
	}
	/* Within two days of the instant, whatever the zone. */
	int64_t hi = last + r->max_dur + 2 * DAY;
	return hi > r->start.hi ? hi : r->start.hi;
}

int tl_recur_at(const tl_recur *r, int64_t wall, int64_t dur, tl_occurrence *o)
{
	place(r, wall, dur, o);
	return tl_recur_text(r, o);
}

/* ---- recurrence ids ---- */

int tl_recur_id_wall(const tl_recur *r, const char *id, int64_t *wall,
                     int *whole_day)
{
	tldb_date d;
	if (!id || tldb_date_parse(id, NULL, &d, NULL) || d.is_interval ||
	    d.start.precision < TLDB_PREC_DAY)
		return TLDB_EDATE;
	const tldb_datepoint *p = &d.start;
	int64_t w = tl_rc_wall_of_point(p);
	*whole_day = p->precision == TLDB_PREC_DAY;
	if (*whole_day) {
		*wall = w;
		return TLDB_OK;
	}
	if (p->zone_kind == TLDB_ZONE_UTC)
		w = tl_rc_to_wall(r, w);
	else if (p->zone_kind == TLDB_ZONE_OFFSET)
		w = tl_rc_to_wall(r, w - (int64_t)p->offset_minutes * 60);
	else if (p->zone_kind == TLDB_ZONE_NAMED &&
	         tl_rc_value_wall(r, w, 0, p->zone, &w))
		return TLDB_EZONE;
	if (r->is_day) {
		w = tl_rc_day_of(w);
		*whole_day = 1;
	}
	*wall = w;
	return TLDB_OK;
}

int tl_recur_id_names(int64_t wall, int whole_day, const tl_occurrence *o)
{
	return whole_day ? tl_rc_day_of(o->wall) == wall : o->wall == wall;
}

int tl_recur_id_text(const char *id, const char *tz, char *buf, size_t size)
{
	tldb_date d;
	if (!id || tldb_date_parse(id, NULL, &d, NULL) || d.is_interval ||
	    d.start.precision < TLDB_PREC_DAY)
		return TLDB_EDATE;
	tldb_datepoint p = d.start;
	if (p.precision > TLDB_PREC_DAY && (p.zone_kind == TLDB_ZONE_NAMED ||
	                                    p.zone_kind == TLDB_ZONE_OFFSET)) {
		/* Named by its instant, so that the same change written in
		 * two forms is one event. */
		civil_time tm;
		civil_time_from_seconds(d.lo, &tm);
		p.year = tm.year;
		p.month = tm.month;
		p.day = tm.day;
		p.hour = tm.hour;
		p.minute = tm.minute;
		p.second = tm.second;
		p.zone_kind = TLDB_ZONE_UTC;
	}
	const char *zone =
	        p.zone_kind == TLDB_ZONE_FLOATING && tz && *tz ? tz : NULL;
	tl_rc_id_of(&p, p.precision == TLDB_PREC_DAY, zone,
	            tl_rc_wall_of_point(&p), buf, size);
	return TLDB_OK;
}
