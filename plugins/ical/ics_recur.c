/*
 * ics_recur.c -- a VEVENT's recurrence as tldb stores it (tldb.h and
 * plugin.h, "Recurring series"): tldb keeps the series and expands it when
 * it is queried, so nothing is expanded here.  The RRULE is kept as
 * written (its UNTIL, in UTC or as a DATE, is read by the host on the
 * series' clock); every RDATE and EXDATE value is written in a form that
 * needs no VTIMEZONE of the file: a DATE, a UTC time, a local time with
 * the IANA zone as its TZID, or a floating time; an RDATE period keeps its
 * length.  A RECURRENCE-ID becomes the EDTF the host matches occurrences
 * with: a day, a floating time, or the UTC instant of a zoned one.  Under
 * the plugin's libical mutex, which the callers hold.
 */
#include <stdio.h>
#include <string.h>

#include "ics_read.h"

/* A value's zone as tldb writes it: ";VALUE=DATE", ";TZID=Zone" or "". */
static void value_params(const ics_when *w, char *buf, size_t size)
{
	if (w->is_date)
		snprintf(buf, size, ";VALUE=DATE");
	else if (!w->utc && w->tz)
		snprintf(buf, size, ";TZID=%s", w->tz);
	else
		buf[0] = '\0';
}

static void value_text(const ics_when *w, char *buf, size_t size)
{
	if (w->is_date)
		ics_format_date(w->wall, buf, size);
	else
		ics_format_datetime(w->wall, w->utc, buf, size);
}

/* Appends one RDATE or EXDATE line for value t of property p. */
static int add_value(ics_import *im, tl_buf *out, const char *name,
                     icalproperty *p, icaltimetype t, int64_t period_secs,
                     int64_t line)
{
	ics_when w;
	if (!ics_real_time(t))
		return 0;
	ics_prop_when(im, p, t, &w);
	if (w.unresolved) {
		char msg[300];
		snprintf(msg, sizeof msg,
		         "%s with a TZID no VTIMEZONE or known zone names: "
		         "read as a floating time",
		         name);
		ical_host->warning(im->run, line, 1, msg);
	}
	char params[160], value[64];
	value_params(&w, params, sizeof params);
	value_text(&w, value, sizeof value);
	if (period_secs >= 0)
		return tl_buf_addf(out, "%s;VALUE=PERIOD%s:%s/PT%lldS\n", name,
		                   params, value, (long long)period_secs);
	return tl_buf_addf(out, "%s%s:%s\n", name, params, value);
}

static int add_dates(ics_import *im, icalcomponent *c, icalproperty_kind kind,
                     int64_t line, tl_buf *out)
{
	const char *name = kind == ICAL_RDATE_PROPERTY ? "RDATE" : "EXDATE";
	for (icalproperty *p = icalcomponent_get_first_property(c, kind); p;
	     p = icalcomponent_get_next_property(c, kind)) {
		icaltimetype t;
		int64_t secs = -1;
		if (kind == ICAL_EXDATE_PROPERTY) {
			t = icalproperty_get_exdate(p);
		} else {
			struct icaldatetimeperiodtype dp =
			        icalproperty_get_rdate(p);
			t = dp.time;
			if (icaltime_is_null_time(t)) {
				struct icalperiodtype per = dp.period;
				t = per.start;
				if (!icaldurationtype_is_null_duration(
				            per.duration))
					secs = icaldurationtype_as_int(
					        per.duration);
				else
					secs = ics_wall_of(per.end) -
					       ics_wall_of(per.start);
				if (secs < 0)
					secs = 0;
			}
		}
		if (add_value(im, out, name, p, t, secs, line))
			return -1;
	}
	return 0;
}

int32_t ics_recur_text(ics_import *im, icalcomponent *c, int64_t line,
                       tl_buf *out)
{
	int rules = 0;
	for (icalproperty *p =
	             icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY);
	     p; p = icalcomponent_get_next_property(c, ICAL_RRULE_PROPERTY)) {
		if (rules++) {
			/* RFC 5545 allows one; ical.js, too, reads the first.
			 */
			ical_host->warning(im->run, line, 1,
			                   "a second RRULE: left out");
			continue;
		}
		char *rule = icalproperty_get_value_as_string_r(p);
		int failed = !rule || tl_buf_addf(out, "RRULE:%s\n", rule);
		icalmemory_free_buffer(rule);
		if (failed)
			return TLDB_PLUGIN_NOMEM;
	}
	if (add_dates(im, c, ICAL_RDATE_PROPERTY, line, out) ||
	    add_dates(im, c, ICAL_EXDATE_PROPERTY, line, out))
		return TLDB_PLUGIN_NOMEM;
	if (out->len && out->data[out->len - 1] == '\n')
		out->data[--out->len] = '\0';
	return TLDB_PLUGIN_OK;
}

void ics_recurrence_id(const ics_when *r, const char *event_tz, char *buf,
                       size_t size)
{
	if (r->is_date) {
		ics_edtf_date(r->wall, buf, size);
	} else if (r->utc || !r->tz ||
	           (event_tz && strcmp(r->tz, event_tz) == 0)) {
		/* In the zone of the event itself, a local time: the series
		 * is in it too (RFC 5545 3.8.4.4), and the change gets the
		 * uid of the occurrence it replaces. */
		ics_edtf_time(r->wall, r->utc, buf, size);
	} else {
		int64_t u = r->wall;
		if (ical_host->zone_to_utc(r->tz, r->wall, &u))
			u = r->wall;
		ics_edtf_time(u, 1, buf, size);
	}
}
