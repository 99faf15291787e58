/*
 * ics_write.c -- the ical exporter: the events of a query as one RFC 5545 /
 * RFC 7986 VCALENDAR, in one pass over the host's cursor and in memory
 * bounded by the largest event.
 *
 *   - Calendar: VERSION, PRODID, CALSCALE, NAME and X-WR-CALNAME (the
 *     timeline's title or name, "tldb" for several timelines), and
 *     X-TLDB-TIMELINE (the timeline's name, so an import puts it back),
 *     REFRESH-INTERVAL;VALUE=DURATION and X-PUBLISHED-TTL (-o refresh=).
 *   - Day (and coarser) precision: VALUE=DATE with an exclusive DTEND.
 *     Month and year precision are all-day spans over the period with
 *     X-TLDB-PRECISION (-o coarse=span, the default), one all-day event
 *     on the period's first day (first-day), or left out (skip).
 *   - Timed events: DTSTART;TZID=Area/City with the zone's VTIMEZONE
 *     (ics_zones.c) for floating and [Zone] times that have a zone, a
 *     floating local time for floating times without one, UTC with Z
 *     otherwise and for wall times in a DST gap or overlap; a DTEND (the
 *     event's end instant) unless the event is a point in time.
 *   - X-TLDB-EDTF carries the exact EDTF start[/end] whenever an importer
 *     could not derive it from DTSTART/DTEND (coarse, qualified, offset or
 *     gap times...), with X-TLDB-FORM=INTERVAL when the start is itself an
 *     interval; X-TLDB-TZ the event's zone when DTSTART does not.
 *   - DTSTAMP and LAST-MODIFIED are the event's `updated`, CREATED its
 *     `created`, SEQUENCE its `sequence`: no clock is read, so an unchanged
 *     database gives byte-identical output.
 *   - Events beyond what iCalendar dates can hold (years before 1 -- BCE --
 *     or after 9999, open ends) are left out with a warning.
 *   - Series (TLDB_FORMAT_SERIES, from a host of minor 2): a series is one
 *     VEVENT with its RRULE, RDATE and EXDATE lines (tldb keeps them as
 *     iCalendar writes them) and the VTIMEZONEs they name; a changed
 *     occurrence a VEVENT with the series' UID and a RECURRENCE-ID, so the
 *     subscriber's client expands the series.
 */
#include <stdio.h>
#include <string.h>

#include "ical_plugin.h"

/* How month and year events are written (-o coarse=). */
typedef enum coarse_mode {
	COARSE_SPAN,
	COARSE_FIRST_DAY,
	COARSE_SKIP
} coarse_mode;

typedef struct exporter {
	ics_out o;
	ics_zones zones;
	coarse_mode coarse;
	int series; /* the host hands over series, not occurrences */
} exporter;

/* How one end of a timed event is written. */
typedef struct endpoint {
	const char *zone; /* NULL: UTC or floating; else zbuf */
	int floating;     /* a local time of no zone, written as such */
	int64_t instant, local;
	char zbuf[128];
} endpoint;

static int is_open(int64_t t)
{
	return t == INT64_MIN || t == INT64_MAX;
}

static int same_str(const char *a, const char *b)
{
	if (!a || !*a)
		return !b || !*b;
	return b && strcmp(a, b) == 0;
}

/* Chooses how instant t (whose EDTF, if any, is s[0..n)) is written. */
static void choose(const tldb_plugin_event *ev, const char *s, size_t n,
                   const char *fallback_zone, int64_t t, endpoint *e)
{
	ics_wall w;
	ics_parse_wall(s, n, &w);
	const char *zone = fallback_zone;
	if (w.kind == ICS_WALL_FLOATING)
		zone = ev->tz;
	else if (w.kind == ICS_WALL_ZONED)
		zone = w.zone;
	else if (w.kind != ICS_WALL_NONE)
		zone = NULL;
	e->zone = NULL;
	e->instant = t;
	/* A floating time with no zone stays floating: any client shows it
	 * at that wall time wherever it is (RFC 5545 3.3.5, form #1). */
	if (w.kind == ICS_WALL_FLOATING && (!zone || !*zone)) {
		e->floating = 1;
		e->local = t;
		return;
	}
	int32_t off;
	int64_t u;
	if (!zone || !*zone || !ics_zone_known(zone) ||
	    ical_host->zone_offset(zone, t, &off))
		return;
	e->local = t + off;
	if (!ics_wall_unique(zone, e->local, &u) || u != t)
		return; /* a repeated wall time: UTC */
	if ((w.kind == ICS_WALL_FLOATING || w.kind == ICS_WALL_ZONED) &&
	    w.local != e->local)
		return; /* a skipped wall time: UTC */
	snprintf(e->zbuf, sizeof e->zbuf, "%s", zone);
	e->zone = e->zbuf;
}

/* The '/' of an interval "A/B", not one inside a "[Area/City]". */
static const char *interval_slash(const char *s)
{
	int depth = 0;
	for (; *s; s++) {
		if (*s == '[')
			depth++;
		else if (*s == ']' && depth)
			depth--;
		else if (*s == '/' && !depth)
			return s;
	}
	return NULL;
}

/* The zone named in a start like "...[Zone]" or the event's. */
static const char *start_zone(const tldb_plugin_event *ev, const char *s,
                              size_t n, char *buf, size_t size)
{
	ics_wall w;
	ics_parse_wall(s, n, &w);
	if (w.kind == ICS_WALL_ZONED) {
		snprintf(buf, size, "%s", w.zone);
		return buf;
	}
	return w.kind == ICS_WALL_FLOATING ? ev->tz : NULL;
}

static int put_endpoint(exporter *x, const char *name, const endpoint *e)
{
	char v[32];
	int local = e->zone || e->floating;
	if (ics_format_datetime(local ? e->local : e->instant, !local, v,
	                        sizeof v) < 0)
		return -1;
	ics_str(&x->o, name);
	if (e->zone) {
		ics_str(&x->o, ";TZID=");
		ics_clean(&x->o, e->zone);
	}
	ics_raw(&x->o, ":", 1);
	ics_str(&x->o, v);
	ics_endline(&x->o);
	return 0;
}

/* A DTSTAMP-like UTC date-time for t into v. */
static void stamp(int64_t t, char *v, size_t size)
{
	if (ics_format_datetime(t, 1, v, size) < 0)
		snprintf(v, size, "19700101T000000Z");
}

static void put_stamp(exporter *x, const char *name, int64_t t)
{
	char v[32];
	stamp(t, v, sizeof v);
	ics_line(&x->o, name, v);
}

/* What an importer derives from the DTSTART/DTEND written (see
 * ics_read.c): a day, or a time (floating in its zone, or Z); no end when
 * it adds nothing. */
static void derive(const endpoint *s, const endpoint *e, int dates, int64_t lo,
                   int64_t hi, char *start, char *end, size_t size)
{
	end[0] = '\0';
	if (dates) {
		int64_t d0 = civil_floor_div(lo, 86400),
		        d1 = civil_floor_div(hi, 86400);
		ics_edtf_date(d0 * 86400, start, size);
		if (d1 - 1 > d0)
			ics_edtf_date((d1 - 1) * 86400, end, size);
		return;
	}
	int s_local = s->zone || s->floating, e_local = e->zone || e->floating;
	ics_edtf_time(s_local ? s->local : s->instant, !s_local, start, size);
	int64_t unit = (s_local ? s->local : s->instant) % 60 ? 1 : 60;
	if (e->instant - s->instant != unit)
		ics_edtf_time(e_local ? e->local : e->instant, !e_local, end,
		              size);
}

static void warn_left_out(exporter *x, const tldb_plugin_event *ev,
                          const char *why)
{
	char msg[512];
	snprintf(msg, sizeof msg,
	         "event %.256s (%.64s): %s; left out of the .ics",
	         ev->uid ? ev->uid : "?", ev->start ? ev->start : "?", why);
	ical_host->warning(x->o.run, 0, 0, msg);
}

/* ---- series (TLDB_FORMAT_SERIES) ---- */

/* Emits the VTIMEZONE of each TZID a series' recurrence lines name. */
static int recur_zones(exporter *x, const tldb_plugin_event *ev)
{
	for (const char *p = strstr(ev->recur, ";TZID="); p;
	     p = strstr(p + 1, ";TZID=")) {
		char zone[128];
		size_t n = strcspn(p + 6, ";:\n");
		snprintf(zone, sizeof zone, "%.*s", (int)n, p + 6);
		if (ics_zone_known(zone) &&
		    ics_zone_emit(&x->zones, &x->o, zone, ev->lo) < 0)
			return -1;
	}
	return 0;
}

/* The recurrence lines as tldb keeps them, which are iCalendar's. */
static void put_recur(exporter *x, const char *recur)
{
	char line[4096];
	while (*recur) {
		size_t n = strcspn(recur, "\n");
		snprintf(line, sizeof line, "%.*s", (int)n, recur);
		ics_clean(&x->o, line);
		ics_endline(&x->o);
		recur += n + (recur[n] == '\n');
	}
}

/* RECURRENCE-ID of a changed occurrence: its original start, a DATE, a
 * UTC time, or a local time in the event's zone (the series' too). */
static int put_recurrence_id(exporter *x, const tldb_plugin_event *ev)
{
	const char *id = ev->recurrence_id ? ev->recurrence_id : "";
	const char *range = ev->recur_flags & TLDB_PLUGIN_RECUR_THISANDFUTURE
	                            ? ";RANGE=THISANDFUTURE"
	                            : "";
	ics_wall w;
	ics_parse_wall(id, strlen(id), &w);
	char v[32];
	if (w.kind == ICS_WALL_NONE) {
		tldb_plugin_date d = {sizeof d, 0, 0, 0, 0, 0};
		char err[128];
		if (ical_host->parse_date(id, NULL, &d, err, sizeof err) ||
		    ics_format_date(d.lo, v, sizeof v) < 0)
			return 0;
		ics_str(&x->o, "RECURRENCE-ID;VALUE=DATE");
	} else if ((w.kind == ICS_WALL_ZONED && ics_zone_known(w.zone)) ||
	           (w.kind == ICS_WALL_FLOATING && ev->tz && *ev->tz &&
	            ics_zone_known(ev->tz))) {
		const char *zone = w.kind == ICS_WALL_ZONED ? w.zone : ev->tz;
		if (ics_zone_emit(&x->zones, &x->o, zone, ev->lo) < 0 ||
		    ics_format_datetime(w.local, 0, v, sizeof v) < 0)
			return -1;
		ics_str(&x->o, "RECURRENCE-ID;TZID=");
		ics_clean(&x->o, zone);
	} else if (w.kind == ICS_WALL_FLOATING || w.kind == ICS_WALL_UTC) {
		if (ics_format_datetime(w.local, w.kind == ICS_WALL_UTC, v,
		                        sizeof v) < 0)
			return 0;
		ics_str(&x->o, "RECURRENCE-ID");
	} else {
		return 0;
	}
	ics_str(&x->o, range);
	ics_raw(&x->o, ":", 1);
	ics_str(&x->o, v);
	ics_endline(&x->o);
	return 0;
}

static int write_event(exporter *x, const tldb_plugin_event *ev)
{
	uint32_t p = ev->precision;
	const char *start = ev->start ? ev->start : "";
	if (is_open(ev->lo) || is_open(ev->hi)) {
		warn_left_out(x, ev,
		              "an open or unknown end has no iCalendar form");
		return 0;
	}
	if (p <= TLDB_PLUGIN_PREC_MONTH && x->coarse == COARSE_SKIP)
		return 0;
	int dates = p <= TLDB_PLUGIN_PREC_DAY;
	char d0[32], d1[32];
	/* first-day: a month or a year shows once, on its first day; the
	 * exact dates travel in X-TLDB-EDTF (derive sees the day written). */
	int64_t hi =
	        p <= TLDB_PLUGIN_PREC_MONTH && x->coarse == COARSE_FIRST_DAY
	                ? civil_floor_div(ev->lo, 86400) * 86400 + 86400
	                : ev->hi;
	int64_t day_hi = civil_floor_div(hi + 86399, 86400) * 86400;
	const char *slash = interval_slash(start);
	size_t sn = slash ? (size_t)(slash - start) : strlen(start);
	const char *es = ev->end && *ev->end ? ev->end : slash ? slash + 1 : "";
	int point = !dates && !*es;
	endpoint s, e;
	memset(&s, 0, sizeof s);
	memset(&e, 0, sizeof e);
	char zbuf[128];
	if (dates) {
		if (ics_format_date(ev->lo, d0, sizeof d0) < 0 ||
		    ics_format_date(day_hi, d1, sizeof d1) < 0) {
			warn_left_out(x, ev,
			              "iCalendar dates hold years 1 to 9999 "
			              "(BCE dates cannot be written)");
			return 0;
		}
	} else {
		choose(ev, start, sn, NULL, ev->lo, &s);
		choose(ev, es, strlen(es),
		       start_zone(ev, start, sn, zbuf, sizeof zbuf), ev->hi,
		       &e);
		/* a zone's wall time is within a day of the instant */
		if (!ics_writable(ev->lo - 86400) ||
		    !ics_writable(ev->hi + 86400)) {
			warn_left_out(x, ev,
			              "iCalendar dates hold years 1 to 9999 "
			              "(BCE dates cannot be written)");
			return 0;
		}
	}

	/* Zones first: a VTIMEZONE precedes the first VEVENT that uses it. */
	int is_series = x->series && ev->recur && *ev->recur;
	int is_change = x->series && !is_series && ev->series && *ev->series;
	if ((s.zone && ics_zone_emit(&x->zones, &x->o, s.zone, ev->lo) < 0) ||
	    (e.zone && ics_zone_emit(&x->zones, &x->o, e.zone, ev->lo) < 0) ||
	    (is_series && recur_zones(x, ev) < 0))
		return TLDB_PLUGIN_NOMEM;

	ics_line(&x->o, "BEGIN", "VEVENT");
	ics_line_text(&x->o, "UID",
	              is_change ? ev->series
	              : ev->uid ? ev->uid
	                        : "");
	char updated[32];
	stamp(ev->updated, updated, sizeof updated);
	ics_line(&x->o, "DTSTAMP", updated);
	if (dates) {
		ics_line(&x->o, "DTSTART;VALUE=DATE", d0);
		ics_line(&x->o, "DTEND;VALUE=DATE", d1);
	} else {
		put_endpoint(x, "DTSTART", &s);
		/* A point in time has no DTEND: RFC 5545 3.6.1 ends it at its
		 * start.  An end of a second or a minute later would be made
		 * up (and calcurse refuses it). */
		if (!point)
			put_endpoint(x, "DTEND", &e);
	}
	if (is_series)
		put_recur(x, ev->recur);
	if (is_change && put_recurrence_id(x, ev) < 0)
		return TLDB_PLUGIN_NOMEM;
	if (ev->title && *ev->title)
		ics_line_text(&x->o, "SUMMARY", ev->title);
	if (ev->body && *ev->body)
		ics_line_text(&x->o, "DESCRIPTION", ev->body);
	if (ev->location && *ev->location)
		ics_line_text(&x->o, "LOCATION", ev->location);
	if (ev->url && *ev->url)
		ics_line(&x->o, "URL", ev->url);
	if (ev->tags && ev->tags[0]) {
		ics_str(&x->o, "CATEGORIES:");
		for (size_t i = 0; ev->tags[i]; i++) {
			if (i)
				ics_raw(&x->o, ",", 1);
			ics_text(&x->o, ev->tags[i]);
		}
		ics_endline(&x->o);
	}
	put_stamp(x, "CREATED", ev->created);
	ics_line(&x->o, "LAST-MODIFIED", updated);
	char seq[32];
	snprintf(seq, sizeof seq, "%lld",
	         (long long)(ev->sequence < 0 ? 0 : ev->sequence));
	ics_line(&x->o, "SEQUENCE", seq);
	if (p == TLDB_PLUGIN_PREC_MONTH || p == TLDB_PLUGIN_PREC_YEAR)
		ics_line(&x->o, "X-TLDB-PRECISION",
		         p == TLDB_PLUGIN_PREC_MONTH ? "month" : "year");

	char ds[64], de[64];
	derive(&s, &e, dates, ev->lo, hi, ds, de, sizeof ds);
	const char *dtz = !dates && s.zone ? s.zone : NULL;
	int exact = same_str(ds, start) && same_str(de, ev->end) &&
	            (!dtz || same_str(dtz, ev->tz));
	if (!exact) {
		/* a start that is itself an interval takes no end: say so,
		 * "A/B" would read as start A, end B */
		ics_str(&x->o, slash && !(ev->end && *ev->end)
		                       ? "X-TLDB-EDTF;X-TLDB-FORM=INTERVAL:"
		                       : "X-TLDB-EDTF:");
		ics_text(&x->o, start);
		if (ev->end && *ev->end) {
			ics_raw(&x->o, "/", 1);
			ics_text(&x->o, ev->end);
		}
		ics_endline(&x->o);
	}
	if (ev->tz && *ev->tz && (!exact || !same_str(dtz, ev->tz)))
		ics_line_text(&x->o, "X-TLDB-TZ", ev->tz);
	ics_line(&x->o, "END", "VEVENT");
	return x->o.rc;
}

/* A duration such as PT6H, P1D or P1W (RFC 5545 3.3.6, no sign). */
static int valid_duration(const char *s)
{
	if (!s || s[0] != 'P' || !s[1])
		return 0;
	int digits = 0;
	for (const char *p = s + 1; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits = 1;
		else if (strchr("WDHMS", *p) && digits)
			digits = 0;
		else if (*p != 'T' || digits)
			return 0;
	}
	return !digits;
}

static void write_header(exporter *x)
{
	const tldb_plugin_timeline *tl = ical_host->timeline(x->o.run);
	const char *name = "tldb";
	if (tl && tl->title && *tl->title)
		name = tl->title;
	else if (tl && tl->name && *tl->name)
		name = tl->name;
	const char *refresh = ical_host->option(x->o.run, "refresh");
	char prodid[128];
	snprintf(prodid, sizeof prodid, "-//tldb//tldb %s//EN",
	         ical_host->host_version ? ical_host->host_version : "");
	ics_line(&x->o, "BEGIN", "VCALENDAR");
	ics_line(&x->o, "VERSION", "2.0");
	ics_line_text(&x->o, "PRODID", prodid);
	ics_line(&x->o, "CALSCALE", "GREGORIAN");
	ics_line_text(&x->o, "NAME", name);
	ics_line_text(&x->o, "X-WR-CALNAME", name);
	if (tl && tl->name && *tl->name)
		ics_line_text(&x->o, "X-TLDB-TIMELINE", tl->name);
	if (refresh && *refresh) {
		ics_line(&x->o, "REFRESH-INTERVAL;VALUE=DURATION", refresh);
		ics_line(&x->o, "X-PUBLISHED-TTL", refresh);
	}
}

int32_t ics_export_run(tldb_run *run, void *state)
{
	(void)state;
	exporter x;
	memset(&x, 0, sizeof x);
	const char *coarse = ical_host->option(run, "coarse");
	const char *refresh = ical_host->option(run, "refresh");
	/* "include" is the name span had before first-day came. */
	if (!coarse || !strcmp(coarse, "span") || !strcmp(coarse, "include")) {
		x.coarse = COARSE_SPAN;
	} else if (!strcmp(coarse, "first-day")) {
		x.coarse = COARSE_FIRST_DAY;
	} else if (!strcmp(coarse, "skip")) {
		x.coarse = COARSE_SKIP;
	} else {
		ical_host->error(run, TLDB_PLUGIN_ERROR, 0, 0,
		                 "-o coarse= takes span, first-day or skip");
		return TLDB_PLUGIN_ERROR;
	}
	if (refresh && *refresh && !valid_duration(refresh)) {
		ical_host->error(run, TLDB_PLUGIN_ERROR, 0, 0,
		                 "-o refresh= takes an iCalendar duration such "
		                 "as PT6H or P1D");
		return TLDB_PLUGIN_ERROR;
	}
	if (ics_out_init(&x.o, run)) {
		ical_host->error(run, TLDB_PLUGIN_NOMEM, 0, 0, "out of memory");
		return TLDB_PLUGIN_NOMEM;
	}
	x.series = ical_host->abi_minor >= 2;
	write_header(&x);
	const tldb_plugin_event *ev;
	int32_t rc;
	while (!x.o.rc && (rc = ical_host->next(run, &ev)) == 1) {
		int32_t w = write_event(&x, ev);
		if (w && !x.o.rc)
			x.o.rc = w;
	}
	if (!x.o.rc && rc < 0)
		x.o.rc = rc;
	ics_line(&x.o, "END", "VCALENDAR");
	rc = ics_out_flush(&x.o);
	if (rc == TLDB_PLUGIN_NOMEM)
		ical_host->error(run, rc, 0, 0, "out of memory");
	ics_out_free(&x.o);
	ics_zones_free(&x.zones);
	return rc;
}
