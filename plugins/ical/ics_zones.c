/*
 * ics_zones.c -- VTIMEZONE components for the exporter, from libical's
 * built-in zones (the system zoneinfo on Debian).  libical names them
 * "/freeassociation.sourceforge.net/Europe/Berlin", which node-ical reads as
 * UTC and python-icalendar and khal crash on, and its serializer splits
 * escape pairs; so the component is cloned, truncated to the years in use
 * (icaltimezone_truncate_vtimezone), and written by our own serializer with
 * the bare IANA name as TZID.
 *
 * The exporter makes one pass over a cursor, so it cannot list the zones
 * before the events: each VTIMEZONE is written the first time a zone is
 * used, just before the VEVENT that needs it.  RFC 5545 puts no order on a
 * calendar's components, and libical, ical.js, python-icalendar and vobject
 * all read it.  Events arrive ordered by start, so truncating from the year
 * before the first use covers every later event of the zone.
 */
#include <libical/ical.h>
#include <stdlib.h>
#include <string.h>

#include "ical_plugin.h"

int ics_zone_known(const char *zone)
{
	if (!zone || !*zone || strcmp(zone, "UTC") == 0)
		return 0;
	ical_lock();
	int ok = icaltimezone_get_builtin_timezone(zone) != NULL;
	ical_unlock();
	return ok;
}

static int seen(const ics_zones *z, const char *zone)
{
	for (size_t i = 0; i < z->n; i++)
		if (strcmp(z->names[i], zone) == 0)
			return 1;
	return 0;
}

static int remember(ics_zones *z, const char *zone)
{
	if (z->n == z->cap) {
		size_t cap = z->cap ? z->cap * 2 : 8;
		char **names = realloc(z->names, cap * sizeof *names);
		if (!names)
			return -1;
		z->names = names;
		z->cap = cap;
	}
	size_t len = strlen(zone);
	char *copy = malloc(len + 1);
	if (!copy)
		return -1;
	memcpy(copy, zone, len + 1);
	z->names[z->n++] = copy;
	return 0;
}

void ics_zones_free(ics_zones *z)
{
	for (size_t i = 0; i < z->n; i++)
		free(z->names[i]);
	free(z->names);
	memset(z, 0, sizeof *z);
}

/* One property: NAME;PARAM=...:VALUE, values as libical renders them
 * (escaped TEXT, UTC offsets, RRULEs, local DTSTARTs). */
static void write_property(ics_out *o, icalproperty *p)
{
	const char *name = icalproperty_get_property_name(p);
	if (!name)
		return;
	ics_str(o, name);
	for (icalparameter *a =
	             icalproperty_get_first_parameter(p, ICAL_ANY_PARAMETER);
	     a; a = icalproperty_get_next_parameter(p, ICAL_ANY_PARAMETER)) {
		char *s = icalparameter_as_ical_string_r(a);
		if (s) {
			ics_raw(o, ";", 1);
			ics_clean(o, s);
			free(s);
		}
	}
	char *v = icalproperty_get_value_as_string_r(p);
	ics_raw(o, ":", 1);
	if (v)
		ics_clean(o, v);
	free(v);
	ics_endline(o);
}

static void write_component(ics_out *o, icalcomponent *c, const char *tzid)
{
	const char *kind = icalcomponent_kind_to_string(icalcomponent_isa(c));
	ics_line(o, "BEGIN", kind);
	if (tzid)
		ics_line(o, "TZID", tzid);
	for (icalproperty *p =
	             icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY);
	     p; p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY)) {
		if (icalproperty_isa(p) != ICAL_TZID_PROPERTY)
			write_property(o, p);
	}
	for (icalcomponent *s =
	             icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT);
	     s; s = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
		write_component(o, s, NULL);
	ics_line(o, "END", kind);
}

int ics_zone_emit(ics_zones *z, ics_out *o, const char *zone, int64_t from)
{
	if (seen(z, zone))
		return 1;
	civil_time tm;
	civil_time_from_seconds(from, &tm);
	int year = tm.year - 1 < 1 ? 1 : (int)(tm.year - 1);
	int rc = 0;
	ical_lock();
	icaltimezone *tz = icaltimezone_get_builtin_timezone(zone);
	icalcomponent *vtz = tz ? icaltimezone_get_component(tz) : NULL;
	if (vtz && (vtz = icalcomponent_new_clone(vtz)) != NULL) {
		icaltimetype start = icaltime_null_time();
		start.year = year;
		start.month = start.day = 1;
		start.zone = icaltimezone_get_utc_timezone();
		icaltimezone_truncate_vtimezone(vtz, start,
		                                icaltime_null_time(), 0);
		write_component(o, vtz, zone);
		icalcomponent_free(vtz);
		rc = 1;
	}
	ical_unlock();
	if (rc == 1 && remember(z, zone))
		return -1;
	return rc;
}
