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
#include <strings.h>

#include "ical_param.h"
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

/* Appends one RDATE or EXDATE line for value t, whose TZID is tzid:
 * 0, -1 out of memory, 1 a TZID nobody knows (the message in out). */
static int add_value(ics_import *im, tl_buf *out, const char *name,
                     const char *tzid, icaltimetype t, int64_t period_secs)
{
	ics_when w;
	ics_time_when(im, t, tzid, &w);
	if (w.unresolved) {
		/* As for DTSTART: read in another zone, an EXDATE would
		 * miss the occurrence it cancels. */
		tl_buf_reset(out);
		tl_buf_addf(out,
		            "%s: the TZID %.100s has no VTIMEZONE and names no "
		            "known zone",
		            name, tzid);
		return 1;
	}
	char params[160], value[64];
	value_params(&w, params, sizeof params);
	value_text(&w, value, sizeof value);
	if (period_secs >= 0)
		return tl_buf_addf(out, "%s;VALUE=PERIOD%s:%s/PT%lldS\n", name,
		                   params, value, (long long)period_secs);
	return tl_buf_addf(out, "%s%s:%s\n", name, params, value);
}

/* One RDATE or EXDATE content line: every value of it.  libical's parser
 * keeps only the first 500 values of a line (a real export can hold more:
 * a daily meeting's EXDATEs over years), so the line is read here. */
static int32_t add_line(ics_import *im, const char *l, size_t n, int rdate,
                        tl_buf *out)
{
	const char *name = rdate ? "RDATE" : "EXDATE";
	size_t name_len = strlen(name), k;
	int quoted = 0;
	for (k = name_len; k < n && (quoted || l[k] != ':'); k++)
		quoted ^= l[k] == '"';
	if (k >= n)
		return TLDB_PLUGIN_OK; /* no value: ics_lenient.c's to report */
	char tzid[256], type[32];
	tl_ical_param(l + name_len, k - name_len, "TZID", tzid, sizeof tzid);
	tl_ical_param(l + name_len, k - name_len, "VALUE", type, sizeof type);
	for (const char *v = l + k + 1, *end = l + n; v < end;) {
		const char *comma = memchr(v, ',', (size_t)(end - v));
		size_t vn = comma ? (size_t)(comma - v) : (size_t)(end - v);
		char value[128];
		snprintf(value, sizeof value, "%.*s", (int)vn, v);
		v += vn + (comma != NULL);
		if (!vn)
			continue;
		int64_t secs = -1;
		icaltimetype t;
		if (rdate && strcasecmp(type, "PERIOD") == 0) {
			struct icalperiodtype per =
			        icalperiodtype_from_string(value);
			t = per.start;
			secs = !icaldurationtype_is_null_duration(per.duration)
			               ? icaldurationtype_as_int(per.duration)
			               : ics_wall_of(per.end) - ics_wall_of(t);
			if (secs < 0)
				secs = 0;
		} else {
			t = icaltime_from_string(value);
		}
		if (icaltime_is_null_time(t) || !ics_real_time(t)) {
			tl_buf_reset(out);
			tl_buf_addf(out, "%s %.60s is not a date", name, value);
			return TLDB_PLUGIN_ERROR;
		}
		int rc = add_value(im, out, name, tzid[0] ? tzid : NULL, t,
		                   secs);
		if (rc)
			return rc > 0 ? TLDB_PLUGIN_ERROR : TLDB_PLUGIN_NOMEM;
	}
	return TLDB_PLUGIN_OK;
}

int32_t ics_recur_text(ics_import *im, icalcomponent *c, const char *text,
                       int64_t line, tl_buf *out)
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
	if (icalcomponent_get_first_property(c, ICAL_EXRULE_PROPERTY))
		/* RFC 2445's, gone from RFC 5545; ical.js ignores it too. */
		ical_host->warning(im->run, line, 1,
		                   "EXRULE (no longer in RFC 5545): left out");
	for (int rdate = 1; rdate >= 0; rdate--) {
		const char *name = rdate ? "RDATE" : "EXDATE";
		size_t len = strlen(name);
		for (const char *l = text; *l;) {
			size_t n = strcspn(l, "\r\n");
			if (n > len && strncasecmp(l, name, len) == 0 &&
			    (l[len] == ';' || l[len] == ':')) {
				int32_t rc = add_line(im, l, n, rdate, out);
				if (rc)
					return rc;
			}
			l += n;
			l += strspn(l, "\r\n");
		}
	}
	if (out->len && out->data[out->len - 1] == '\n')
		out->data[--out->len] = '\0';
	return TLDB_PLUGIN_OK;
}

void ics_recurrence_id(const ics_when *r, char *buf, size_t size)
{
	if (r->is_date || r->utc || !r->tz) {
		if (r->is_date)
			ics_edtf_date(r->wall, buf, size);
		else
			ics_edtf_time(r->wall, r->utc, buf, size);
		return;
	}
	/* A local time with its zone named: the host matches it by its
	 * instant, and an export writes it back in that zone. */
	char local[64];
	ics_edtf_time(r->wall, 0, local, sizeof local);
	snprintf(buf, size, "%s[%s]", local, r->tz);
}
