/*
 * ics_recur.c -- the recurrences of the ical importer: a VEVENT's RRULE
 * and RDATE are expanded with libical's iterator (EXDATE removed) within
 * the window of -o from= / -o to= (default: up to two years after the
 * later of the host's clock and DTSTART), at most -o max-occurrences=
 * each.  Every occurrence gets the uid "UID/RECURRENCE-ID"; one that a
 * VEVENT with a RECURRENCE-ID overrides is left to that VEVENT, and a
 * cancelled recurring event removes every occurrence in the window.
 * Never through time_t; under the plugin's libical mutex.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ics_read.h"

#define TWO_YEARS (INT64_C(731) * 86400)

static int is_override(ics_import *im, const char *key)
{
	for (size_t i = 0; i < im->nov; i++)
		if (strcmp(im->overrides[i], key) == 0)
			return 1;
	return 0;
}

/* The values of every `kind` property of c (RDATE or EXDATE), taken before
 * the expansion so that nothing else moves the component's iterator while
 * they are read.  *n set; NULL with *n 0 when there are none or no memory
 * (reported by the caller through the result). */
static icaltimetype *times_of(icalcomponent *c, icalproperty_kind kind,
                              size_t *n, int *oom)
{
	*n = 0;
	for (icalproperty *p = icalcomponent_get_first_property(c, kind); p;
	     p = icalcomponent_get_next_property(c, kind))
		(*n)++;
	if (!*n)
		return NULL;
	icaltimetype *t = malloc(*n * sizeof *t);
	if (!t) {
		*n = 0;
		*oom = 1;
		return NULL;
	}
	size_t i = 0;
	for (icalproperty *p = icalcomponent_get_first_property(c, kind);
	     p && i < *n; p = icalcomponent_get_next_property(c, kind))
		t[i++] = kind == ICAL_RDATE_PROPERTY
		                 ? icalproperty_get_rdate(p).time
		                 : icalproperty_get_exdate(p);
	return t;
}

int32_t ics_expand(ics_import *im, icalcomponent *c, const ics_vprops *v,
                   int64_t line, const char *uid, const ics_when *s,
                   const ics_when *e, ics_built *b, int cancel)
{
	int64_t span = e->wall >= s->wall ? e->wall - s->wall : -1;
	int64_t to = im->has_to ? im->to
	                        : (s->wall > ical_host->now(im->run)
	                                   ? s->wall
	                                   : ical_host->now(im->run)) +
	                                  TWO_YEARS;
	int64_t count = 0;
	icaltimetype first = s->it;
	if (!icaltime_is_utc(first))
		first.zone = s->zone; /* UNTIL is UTC: the iterator needs it */
	int oom = 0;
	size_t nrdates, nexdates, next_rdate = 0;
	icaltimetype *rdates = times_of(c, ICAL_RDATE_PROPERTY, &nrdates, &oom);
	icaltimetype *exdates =
	        times_of(c, ICAL_EXDATE_PROPERTY, &nexdates, &oom);
	if (oom) {
		free(rdates);
		free(exdates);
		return TLDB_PLUGIN_NOMEM;
	}
	icalrecur_iterator *it =
	        v->rrule ? icalrecur_iterator_new(
	                           icalproperty_get_rrule(v->rrule), first)
	                 : NULL;
	int first_done = 0;
	while (!im->stopped && count < im->max_occurrences) {
		icaltimetype t;
		if (!first_done) {
			t = first; /* DTSTART is always an occurrence */
			first_done = 1;
		} else if (it) {
			t = icalrecur_iterator_next(it);
			if (icaltime_is_null_time(t)) {
				icalrecur_iterator_free(it);
				it = NULL;
				continue;
			}
			if (icaltime_compare(t, first) == 0)
				continue;
		} else if (next_rdate < nrdates) {
			t = rdates[next_rdate++];
			if (icaltime_is_null_time(t))
				continue;
		} else {
			break;
		}
		int64_t wall = ics_wall_of(t);
		if (s->utc && s->zone) /* a file zone without an IANA name */
			wall = ics_wall_of(icaltime_convert_to_zone(
			        t, icaltimezone_get_utc_timezone()));
		if (wall > to) {
			if (it) {
				icalrecur_iterator_free(it);
				it = NULL;
			}
			continue;
		}
		if (im->has_from && wall < im->from)
			continue;
		int excluded = 0;
		for (size_t k = 0; k < nexdates && !excluded; k++)
			excluded = ics_wall_of(exdates[k]) == wall;
		ics_when os = *s, oe = *e;
		os.wall = wall;
		os.it = t;
		oe.wall = span >= 0 ? wall + span : wall - 1;
		char rid[200], key[900];
		ics_rid_of(&os, rid, sizeof rid);
		snprintf(key, sizeof key, "%s\n%s", uid ? uid : "", rid);
		if (excluded || (!cancel && is_override(im, key)))
			continue;
		count++;
		char ouid[900];
		snprintf(ouid, sizeof ouid, "%s/%s", uid ? uid : "", rid);
		if (cancel) {
			ics_cancel_one(im, line, ouid);
			continue;
		}
		ics_dates_of(v, &os, &oe, 0, b);
		ics_emit_one(im, v, line, uid ? ouid : NULL, b);
	}
	if (it)
		icalrecur_iterator_free(it);
	free(rdates);
	free(exdates);
	if (count == im->max_occurrences) {
		char msg[300];
		snprintf(msg, sizeof msg,
		         "recurring event %.200s: stopped after %lld "
		         "occurrences "
		         "(-o max-occurrences=)",
		         uid ? uid : "", (long long)count);
		ical_host->warning(im->run, line, 1, msg);
	}
	return TLDB_PLUGIN_OK;
}
