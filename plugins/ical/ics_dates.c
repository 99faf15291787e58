/*
 * ics_dates.c -- the zones and dates of the ical importer.  A VTIMEZONE of
 * the file is kept as a libical zone under its TZID, with the IANA zone it
 * stands for (the TZID itself, its X-LIC-LOCATION, the TZID without a
 * "/vendor/" prefix, or a common Windows name).  A DTSTART, DTEND or
 * RECURRENCE-ID becomes a wall time: a day, a UTC time, a floating time,
 * or a local time in an IANA zone; a time in a zone of the file that has
 * no IANA name becomes UTC, and a floating time one in the calendar's
 * X-WR-TIMEZONE (Google, Apple) when it names a zone tldb knows.  The EDTF
 * start and end of an occurrence are made from those, or restored from the
 * X-TLDB-* properties tldb writes. Every libical call is made under the
 * plugin's libical mutex, which the callers hold.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ics_read.h"

/* ---- zones ---- */

static const char *const windows_zones[][2] = {
        {"Eastern Standard Time", "America/New_York"},
        {"Central Standard Time", "America/Chicago"},
        {"Mountain Standard Time", "America/Denver"},
        {"US Mountain Standard Time", "America/Phoenix"},
        {"Pacific Standard Time", "America/Los_Angeles"},
        {"Alaskan Standard Time", "America/Anchorage"},
        {"Hawaiian Standard Time", "Pacific/Honolulu"},
        {"Atlantic Standard Time", "America/Halifax"},
        {"SA Pacific Standard Time", "America/Bogota"},
        {"E. South America Standard Time", "America/Sao_Paulo"},
        {"GMT Standard Time", "Europe/London"},
        {"Greenwich Standard Time", "Atlantic/Reykjavik"},
        {"W. Europe Standard Time", "Europe/Berlin"},
        {"Romance Standard Time", "Europe/Paris"},
        {"Central Europe Standard Time", "Europe/Budapest"},
        {"Central European Standard Time", "Europe/Warsaw"},
        {"E. Europe Standard Time", "Europe/Chisinau"},
        {"FLE Standard Time", "Europe/Kiev"},
        {"GTB Standard Time", "Europe/Bucharest"},
        {"Russian Standard Time", "Europe/Moscow"},
        {"Turkey Standard Time", "Europe/Istanbul"},
        {"Israel Standard Time", "Asia/Jerusalem"},
        {"Arabian Standard Time", "Asia/Dubai"},
        {"India Standard Time", "Asia/Kolkata"},
        {"West Asia Standard Time", "Asia/Tashkent"},
        {"China Standard Time", "Asia/Shanghai"},
        {"Tokyo Standard Time", "Asia/Tokyo"},
        {"Korea Standard Time", "Asia/Seoul"},
        {"Singapore Standard Time", "Asia/Singapore"},
        {"AUS Eastern Standard Time", "Australia/Sydney"},
        {"New Zealand Standard Time", "Pacific/Auckland"},
        {"South Africa Standard Time", "Africa/Johannesburg"},
        {"Egypt Standard Time", "Africa/Cairo"},
        {"UTC", "UTC"},
};

static int host_knows(const char *zone)
{
	int32_t off;
	return zone && *zone && zone[0] != '/' &&
	       ical_host->zone_offset(zone, 0, &off) == TLDB_PLUGIN_OK;
}

/* The IANA zone for a TZID (or X-LIC-LOCATION), or NULL. */
static const char *iana_of(const char *name)
{
	if (!name || !*name)
		return NULL;
	if (host_knows(name))
		return name;
	for (const char *p = name; (p = strchr(p, '/')) != NULL; p++)
		if (host_knows(p + 1))
			return p + 1;
	for (size_t i = 0; i < sizeof windows_zones / sizeof *windows_zones;
	     i++)
		if (strcmp(windows_zones[i][0], name) == 0)
			return windows_zones[i][1];
	return NULL;
}

void ics_floating_zone(ics_import *im, const char *value, int64_t line_no)
{
	if (im->floating_tz || !*value)
		return;
	const char *iana = iana_of(value);
	if (!iana) {
		char msg[300];
		snprintf(msg, sizeof msg,
		         "X-WR-TIMEZONE:%.200s is not a zone tldb knows: "
		         "floating times stay floating",
		         value);
		ical_host->warning(im->run, line_no, 1, msg);
		return;
	}
	im->floating_tz = ics_dup(iana); /* no memory: as if absent */
}

static ics_filetz *file_zone(ics_import *im, const char *tzid)
{
	for (size_t i = 0; i < im->ntz; i++)
		if (strcmp(im->tzs[i].tzid, tzid) == 0)
			return &im->tzs[i];
	return NULL;
}

int32_t ics_vtimezone(ics_import *im, const char *text, int64_t line)
{
	(void)line;
	ical_lock();
	icalcomponent *c = icalparser_parse_string(text);
	const char *tzid = NULL;
	if (c && icalcomponent_isa(c) == ICAL_VTIMEZONE_COMPONENT) {
		icalproperty *p =
		        icalcomponent_get_first_property(c, ICAL_TZID_PROPERTY);
		tzid = p ? icalproperty_get_tzid(p) : NULL;
	}
	if (!tzid || file_zone(im, tzid) ||
	    (im->ntz == im->tzcap &&
	     !(im->tzs = realloc(im->tzs, (im->tzcap = im->tzcap * 2 + 8) *
	                                          sizeof *im->tzs)))) {
		if (c)
			icalcomponent_free(c);
		ical_unlock();
		return im->tzs ? TLDB_PLUGIN_OK : TLDB_PLUGIN_NOMEM;
	}
	ics_filetz *z = &im->tzs[im->ntz];
	z->tzid = ics_dup(tzid);
	icalproperty *loc =
	        icalcomponent_get_first_property(c, ICAL_X_PROPERTY);
	const char *iana = iana_of(tzid);
	for (; !iana && loc;
	     loc = icalcomponent_get_next_property(c, ICAL_X_PROPERTY))
		if (strcmp(icalproperty_get_x_name(loc), "X-LIC-LOCATION") == 0)
			iana = iana_of(icalproperty_get_x(loc));
	z->iana = iana ? ics_dup(iana) : NULL;
	z->zone = icaltimezone_new();
	if (!z->zone || !icaltimezone_set_component(z->zone, c)) {
		if (z->zone)
			icaltimezone_free(z->zone, 1);
		icalcomponent_free(c);
		z->zone = NULL;
	}
	ical_unlock();
	if (!z->tzid)
		return TLDB_PLUGIN_NOMEM;
	im->ntz++;
	return TLDB_PLUGIN_OK;
}

/* ---- dates ---- */

int64_t ics_wall_of(icaltimetype t)
{
	civil_time tm = {t.year,
	                 t.month,
	                 t.day,
	                 t.is_date ? 0 : t.hour,
	                 t.is_date ? 0 : t.minute,
	                 t.is_date ? 0 : t.second};
	return civil_seconds_from_time(&tm);
}

static void resolve(ics_import *im, icaltimetype t, const char *tzid,
                    ics_when *w)
{
	memset(w, 0, sizeof *w);
	w->it = t;
	w->is_date = t.is_date;
	w->wall = ics_wall_of(t);
	if (t.is_date)
		return;
	if (icaltime_is_utc(t)) {
		w->utc = 1;
		return;
	}
	if (!tzid)
		tzid = im->floating_tz; /* X-WR-TIMEZONE */
	if (!tzid)
		return; /* floating */
	ics_filetz *fz = file_zone(im, tzid);
	const char *iana = fz ? fz->iana : iana_of(tzid);
	if (iana && strcmp(iana, "UTC") == 0) {
		w->utc = 1;
	} else if (iana) {
		w->tz = iana;
		w->zone = fz && fz->zone
		                  ? fz->zone
		                  : icaltimezone_get_builtin_timezone(iana);
	} else if (fz && fz->zone) {
		w->zone = fz->zone;
		icaltimetype u = t;
		u.zone = fz->zone;
		u = icaltime_convert_to_zone(u,
		                             icaltimezone_get_utc_timezone());
		w->wall = ics_wall_of(u);
		w->utc = 1;
	} else {
		w->unresolved = 1;
	}
}

int ics_real_time(icaltimetype t)
{
	if (t.month < 1 || t.month > 12 || t.day < 1 ||
	    t.day > civil_days_in_month(t.year, t.month))
		return 0;
	return t.is_date || (t.hour >= 0 && t.hour < 24 && t.minute >= 0 &&
	                     t.minute < 60 && t.second >= 0 && t.second <= 60);
}

void ics_time_when(ics_import *im, icaltimetype t, const char *tzid,
                   ics_when *w)
{
	resolve(im, t, tzid, w);
}

void ics_prop_when(ics_import *im, icalproperty *p, icaltimetype t, ics_when *w)
{
	icalparameter *a =
	        p ? icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER)
	          : NULL;
	resolve(im, t, a ? icalparameter_get_tzid(a) : NULL, w);
}

static void edtf_of(const ics_when *w, char *buf, size_t size)
{
	if (w->is_date)
		ics_edtf_date(w->wall, buf, size);
	else
		ics_edtf_time(w->wall, w->utc, buf, size);
}

/* The UTC instant of a local time (for ends in another zone). */
static int64_t instant_of(const ics_when *w)
{
	int64_t u = w->wall;
	if (w->tz && ical_host->zone_to_utc(w->tz, w->wall, &u))
		u = w->wall;
	return u;
}

static const char *x_value(const icalproperty *p)
{
	return p ? icalproperty_get_x((icalproperty *)p) : NULL;
}

/* X-TLDB-EDTF;X-TLDB-FORM=INTERVAL: the value is one interval start. */
static int whole_edtf(const ics_vprops *v)
{
	const char *f = v->x_edtf ? icalproperty_get_parameter_as_string(
	                                    v->x_edtf, "X-TLDB-FORM")
	                          : NULL;
	return f && strcmp(f, "INTERVAL") == 0;
}

void ics_rid_of(const ics_when *w, char *buf, size_t size)
{
	if (w->is_date)
		ics_format_date(w->wall, buf, size);
	else
		ics_format_datetime(w->wall, w->utc, buf, size);
	if (w->tz)
		snprintf(buf + strlen(buf), size - strlen(buf), "[%s]", w->tz);
}

void ics_dates_of(const ics_vprops *v, const ics_when *s, const ics_when *e,
                  int exact, ics_built *b)
{
	const char *edtf = exact ? x_value(v->x_edtf) : NULL;
	const char *xtz = x_value(v->x_tz);
	b->end[0] = '\0';
	if (edtf && *edtf) {
		int depth = 0;
		const char *slash = NULL;
		int whole = whole_edtf(v);
		for (const char *p = edtf; *p && !slash && !whole; p++) {
			depth += *p == '[' ? 1 : *p == ']' && depth ? -1 : 0;
			if (*p == '/' && !depth)
				slash = p;
		}
		size_t n = slash ? (size_t)(slash - edtf) : strlen(edtf);
		snprintf(b->start, sizeof b->start, "%.*s", (int)n, edtf);
		if (slash)
			snprintf(b->end, sizeof b->end, "%s", slash + 1);
		b->tz = xtz;
		return;
	}
	edtf_of(s, b->start, sizeof b->start);
	b->tz = xtz ? xtz : s->tz;
	if (e->wall < s->wall && !e->is_date)
		return;
	if (s->is_date) {
		int64_t last = e->wall - 86400;
		if (e->is_date && last > s->wall)
			ics_edtf_date(last, b->end, sizeof b->end);
	} else if (e->utc == s->utc &&
	           (e->tz == s->tz ||
	            (e->tz && s->tz && strcmp(e->tz, s->tz) == 0))) {
		int64_t unit = s->wall % 60 ? 1 : 60;
		if (e->wall - s->wall != unit)
			edtf_of(e, b->end, sizeof b->end);
	} else {
		ics_edtf_time(instant_of(e), 1, b->end, sizeof b->end);
	}
	const char *prec = x_value(v->x_precision);
	if (prec && s->is_date &&
	    (!strcmp(prec, "month") || !strcmp(prec, "year"))) {
		size_t k = strcmp(prec, "month") ? 4 : 7;
		char last[160];
		snprintf(last, sizeof last, "%s",
		         b->end[0] ? b->end : b->start);
		b->start[k] = last[k] = '\0';
		snprintf(b->end, sizeof b->end, "%s",
		         strcmp(last, b->start) ? last : "");
	}
}
