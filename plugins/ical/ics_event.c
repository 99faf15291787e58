/*
 * ics_event.c -- what the importer makes of each component (ics_read.c
 * hands them over one at a time), all under the plugin's libical mutex.
 *
 *   - VTIMEZONE: kept as a libical zone under its TZID, with the IANA zone
 *     it stands for when there is one (the TZID itself, its X-LIC-LOCATION,
 *     the TZID without a "/vendor/" prefix, or a common Windows name).
 *   - VEVENT: DTSTART with DTEND or DURATION; DATE values are days (DTEND
 *     exclusive); UTC times keep their Z; TZID times become floating times
 *     with the IANA zone as the event's tz (the file's VTIMEZONEs first,
 *     then the system's zones, then Windows names), or UTC when a zone of
 *     the file has no IANA name; floating times stay floating,
 *     unless the calendar's X-WR-TIMEZONE names their zone.  An end that
 *     adds nothing (a DATE event of one day, a time event one minute or
 *     second long) is left out.  X-TLDB-EDTF (and X-TLDB-TZ) restore the
 *     exact EDTF dates tldb wrote; X-TLDB-PRECISION alone makes a coarse
 *     date of the span.  SUMMARY, DESCRIPTION, LOCATION, URL; CATEGORIES
 *     (read from the raw text: libical loses escaped commas) become tags.
 *   - RRULE and RDATE are expanded (EXDATE removed) within the window of
 *     -o from= / -o to= (default: up to two years after the later of the
 *     host's clock and DTSTART), at most -o max-occurrences= each; every
 *     occurrence gets the uid "UID/RECURRENCE-ID", and a VEVENT with a
 *     RECURRENCE-ID overrides that occurrence.  Never through time_t.
 *   - libical's X-LIC-ERROR properties (what is left after ics_lenient.c
 *     took out empty values and unknown properties) are errors at the
 *     VEVENT's line when they concern a property that places or names the
 *     event (DTSTART, DTEND, DURATION, RRULE, RDATE, EXDATE, RECURRENCE-ID,
 *     UID), else warnings there.  A VEVENT without DTSTART is passed over
 *     with a warning, in abort mode too: it cannot be placed on a
 *     timeline, and ical.js, Apple and Google read the rest of the file.
 *   - STATUS:CANCELLED removes what the event stands for through the host's
 *     `remove` (ABI 1.1): the event with its UID, the one occurrence a
 *     cancelled RECURRENCE-ID names, or every occurrence of a cancelled
 *     recurring event within the window.  Without a UID (or on a host of
 *     minor 0) there is nothing to name, so it is skipped with a warning.
 *
 * This file holds the import's state, the properties of a VEVENT read in
 * one pass, its tags, and what the VEVENT becomes: one event, the override
 * of one occurrence, a removal, or a recurring event held to the end of
 * the input and then expanded.  The VTIMEZONEs and the dates are in
 * ics_dates.c, the expansion of recurrences in ics_recur.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ics_read.h"

char *ics_dup(const char *s)
{
	size_t n = strlen(s);
	char *d = malloc(n + 1);
	if (d)
		memcpy(d, s, n + 1);
	return d;
}

int32_t ics_import_init(ics_import *im, tldb_run *run)
{
	memset(im, 0, sizeof *im);
	im->run = run;
	/* Series are stored as series and expanded by each query, so the
	 * window options of earlier versions have nothing left to bound;
	 * they are still accepted, so that older commands run. */
	static const char *const window[] = {"from", "to", "max-occurrences"};
	for (size_t i = 0; i < sizeof window / sizeof *window; i++) {
		const char *v = ical_host->option(run, window[i]);
		if (v && *v) {
			char msg[200];
			snprintf(
			        msg, sizeof msg,
			        "-o %s= is no longer needed: recurring events "
			        "are kept as series and expanded by each query",
			        window[i]);
			ical_host->warning(run, 0, 0, msg);
		}
	}
	return TLDB_PLUGIN_OK;
}

void ics_import_free(ics_import *im)
{
	ical_lock();
	for (size_t i = 0; i < im->ntz; i++) {
		free(im->tzs[i].tzid);
		free(im->tzs[i].iana);
		icaltimezone_free(im->tzs[i].zone, 1);
	}
	ical_unlock();
	free(im->tzs);
	for (size_t i = 0; i < im->nheld; i++)
		free(im->held[i].text);
	free(im->held);
	for (size_t i = 0; i < ICS_NCAL; i++)
		free(im->cal[i]);
	free(im->floating_tz);
	memset(im, 0, sizeof *im);
}

/* ---- properties ---- */

static void first_of(icalproperty **slot, icalproperty *p)
{
	if (!*slot)
		*slot = p;
}

static void find_x(ics_vprops *v, icalproperty *p)
{
	const char *name = icalproperty_get_x_name(p);
	if (!name)
		return;
	if (strcmp(name, "X-TLDB-EDTF") == 0)
		first_of(&v->x_edtf, p);
	else if (strcmp(name, "X-TLDB-TZ") == 0)
		first_of(&v->x_tz, p);
	else if (strcmp(name, "X-TLDB-PRECISION") == 0)
		first_of(&v->x_precision, p);
}

static void find_props(icalcomponent *c, ics_vprops *v)
{
	memset(v, 0, sizeof *v);
	for (icalproperty *p =
	             icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY);
	     p; p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY)) {
		switch (icalproperty_isa(p)) {
		case ICAL_XLICERROR_PROPERTY:
			first_of(&v->xlicerror, p);
			break;
		case ICAL_UID_PROPERTY:
			first_of(&v->uid, p);
			break;
		case ICAL_DTSTART_PROPERTY:
			first_of(&v->dtstart, p);
			break;
		case ICAL_DTEND_PROPERTY:
			first_of(&v->dtend, p);
			break;
		case ICAL_DURATION_PROPERTY:
			first_of(&v->duration, p);
			break;
		case ICAL_STATUS_PROPERTY:
			first_of(&v->status, p);
			break;
		case ICAL_RECURRENCEID_PROPERTY:
			first_of(&v->rid, p);
			break;
		case ICAL_RRULE_PROPERTY:
			first_of(&v->rrule, p);
			break;
		case ICAL_RDATE_PROPERTY:
			first_of(&v->rdate, p);
			break;
		case ICAL_SUMMARY_PROPERTY:
			first_of(&v->summary, p);
			break;
		case ICAL_DESCRIPTION_PROPERTY:
			first_of(&v->description, p);
			break;
		case ICAL_LOCATION_PROPERTY:
			first_of(&v->location, p);
			break;
		case ICAL_URL_PROPERTY:
			first_of(&v->url, p);
			break;
		case ICAL_X_PROPERTY:
			find_x(v, p);
			break;
		default:
			break;
		}
	}
}

char *ics_unescape(const char *s, size_t n)
{
	char *d = malloc(n + 1), *o = d;
	if (!d)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			char c = s[++i];
			*o++ = (c == 'n' || c == 'N') ? '\n' : c;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return d;
}

/* Tags from every CATEGORIES line of the raw text. */
static void read_tags(ics_import *im, const char *text, int64_t line,
                      ics_built *b)
{
	size_t nt = 0, total = 0;
	for (const char *p = text; (p = strstr(p, "\r\n")) != NULL;) {
		p += 2;
		if (strncasecmp(p, "CATEGORIES", 10) ||
		    (p[10] != ':' && p[10] != ';'))
			continue;
		const char *e = strstr(p, "\r\n");
		const char *v = memchr(p, ':', (size_t)(e - p));
		if (v)
			total += (size_t)(e - v);
	}
	b->tagbuf = malloc(total + 1);
	char *o = b->tagbuf;
	for (const char *p = text; o && (p = strstr(p, "\r\n")) != NULL;) {
		p += 2;
		if (strncasecmp(p, "CATEGORIES", 10) ||
		    (p[10] != ':' && p[10] != ';'))
			continue;
		const char *e = strstr(p, "\r\n");
		const char *v = memchr(p, ':', (size_t)(e - p));
		for (const char *s = v ? v + 1 : e; s < e;) {
			const char *q = s;
			while (q < e && *q != ',')
				q += (*q == '\\' && q + 1 < e) ? 2 : 1;
			char *t = ics_unescape(s, (size_t)(q - s));
			s = q + 1;
			if (!t)
				continue;
			char *u = t;
			while (*u == ' ')
				u++;
			size_t k = strlen(u);
			while (k && u[k - 1] == ' ')
				u[--k] = '\0';
			int bad = k == 0 || k > 64 || strchr(u, ';');
			for (size_t i = 0; i < k && !bad; i++)
				bad = (unsigned char)u[i] < 0x20;
			if (bad && k) {
				char msg[160];
				snprintf(msg, sizeof msg,
				         "tag '%.64s' left out (too long, or "
				         "';' "
				         "or a control character)",
				         u);
				ical_host->warning(im->run, line, 1, msg);
			}
			if (!bad && nt < 64) {
				memcpy(o, u, k + 1);
				b->tags[nt++] = o;
				o += k + 1;
			}
			free(t);
		}
	}
	b->tags[nt] = NULL;
}

static const char *text_of(icalproperty *p)
{
	return p ? icalvalue_get_text(icalproperty_get_value(p)) : NULL;
}

/* ---- events ---- */

int32_t ics_emit_one(ics_import *im, const ics_vprops *v, int64_t line,
                     const char *uid, ics_built *b)
{
	tldb_plugin_event ev;
	memset(&ev, 0, sizeof ev);
	ev.size = sizeof ev;
	ev.uid = uid && *uid ? uid : NULL;
	ev.title = text_of(v->summary);
	ev.body = text_of(v->description);
	ev.location = text_of(v->location);
	ev.url = v->url ? icalproperty_get_url(v->url) : NULL;
	ev.start = b->start;
	ev.end = b->end[0] ? b->end : NULL;
	ev.tz = b->tz;
	ev.tags = b->tags[0] ? b->tags : NULL;
	ev.recur = b->recur;
	ev.series = b->series;
	ev.recurrence_id = b->recurrence_id;
	ev.recur_flags = b->recur_flags;
	if (!ev.title || !*ev.title)
		ev.title = "(untitled)";
	ical_host->set_position(im->run, line, 1);
	if (ical_host->emit(im->run, &ev) == TLDB_PLUGIN_STOP)
		im->stopped = 1;
	return TLDB_PLUGIN_OK;
}

void ics_cancel_one(ics_import *im, int64_t line, const char *uid)
{
	ical_host->set_position(im->run, line, 1);
	if (ical_host->remove(im->run, uid) == TLDB_PLUGIN_STOP)
		im->stopped = 1;
}

static int32_t bad(ics_import *im, int64_t line, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Reports a bad VEVENT; OK to go on (skip mode), else ERROR. */
static int32_t bad(ics_import *im, int64_t line, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return ical_host->error(im->run, TLDB_PLUGIN_ERROR, line, 1, msg) ==
	                       TLDB_PLUGIN_OK
	               ? TLDB_PLUGIN_OK
	               : TLDB_PLUGIN_ERROR;
}

/* 1 when `msg` names property `name` as a word. */
static int names(const char *msg, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = msg; (p = strstr(p, name)) != NULL; p++) {
		int before = p == msg ||
		             !(p[-1] == '-' || (p[-1] >= 'A' && p[-1] <= 'Z'));
		int after = !(p[n] == '-' || (p[n] >= 'A' && p[n] <= 'Z'));
		if (before && after)
			return 1;
	}
	return 0;
}

/* libical's X-LIC-ERRORs of c (ics_lenient.c left out the lines that
 * make the common ones): libical removed what it could not read.  When
 * that is a property that places the event (or names it), guessing would
 * store it somewhere else or lose its series: returns 1, the VEVENT is
 * bad.  Otherwise (GEO:somewhere, VALUE=BOGUS on a DESCRIPTION) each is a
 * warning at the VEVENT's line, once (not again when a held event is read
 * at the end), and 0. */
static int lic_errors(ics_import *im, icalcomponent *c, int64_t line)
{
	static const char *const placing[] = {
	        "DTSTART", "DTEND",  "DURATION",      "RRULE",
	        "RDATE",   "EXDATE", "RECURRENCE-ID", "UID",
	};
	icalproperty *p;
	for (p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY);
	     p;
	     p = icalcomponent_get_next_property(c, ICAL_XLICERROR_PROPERTY)) {
		const char *msg = icalproperty_get_xlicerror(p);
		for (size_t i = 0; msg && i < sizeof placing / sizeof *placing;
		     i++)
			if (names(msg, placing[i]))
				return 1;
	}
	if (im->finishing)
		return 0;
	for (p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY);
	     p;
	     p = icalcomponent_get_next_property(c, ICAL_XLICERROR_PROPERTY)) {
		char msg[600];
		snprintf(msg, sizeof msg, "VEVENT: %.500s: ignored",
		         icalproperty_get_xlicerror(p));
		ical_host->warning(im->run, line, 1, msg);
	}
	return 0;
}

static int hold(ics_import *im, const char *text, int64_t line)
{
	if (im->nheld == im->heldcap) {
		size_t cap = im->heldcap * 2 + 16;
		ics_held *h = realloc(im->held, cap * sizeof *h);
		if (!h)
			return -1;
		im->held = h;
		im->heldcap = cap;
	}
	char *t = ics_dup(text);
	if (!t)
		return -1;
	im->held[im->nheld++] = (ics_held){t, line};
	return 0;
}

static int32_t vevent(ics_import *im, icalcomponent *c, const char *text,
                      int64_t line)
{
	ics_vprops v;
	find_props(c, &v);
	if (v.xlicerror && lic_errors(im, c, line))
		return bad(im, line, "VEVENT: %.500s",
		           icalproperty_get_xlicerror(v.xlicerror));
	const char *uid = v.uid ? icalproperty_get_uid(v.uid) : NULL;
	icalproperty *ps = v.dtstart;
	if (!ps) {
		/* Nothing places it on a timeline; ical.js reads the file,
		 * so it is passed over, in abort mode too (docs/FORMAT.md). */
		char msg[500];
		snprintf(msg, sizeof msg,
		         "VEVENT %.400s without DTSTART: passed over",
		         uid ? uid : "");
		ical_host->warning(im->run, line, 1, msg);
		return TLDB_PLUGIN_OK;
	}
	int cancelled = v.status && icalproperty_get_status(v.status) ==
	                                    ICAL_STATUS_CANCELLED;
	if (cancelled && (!uid || !*uid || !TLDB_HOST_HAS(ical_host, remove))) {
		char msg[500];
		snprintf(msg, sizeof msg,
		         "VEVENT %.400s is cancelled but %s: not imported, "
		         "and nothing removed",
		         uid ? uid : "",
		         uid && *uid ? "this tldb cannot remove events"
		                     : "has no UID");
		ical_host->warning(im->run, line, 1, msg);
		return TLDB_PLUGIN_OK;
	}
	ics_when s, e;
	icaltimetype ts = icalproperty_get_dtstart(ps);
	if (!ics_real_time(ts))
		return bad(
		        im, line, "VEVENT %.400s: DTSTART %.40s is not a date",
		        uid ? uid : "", icalproperty_get_value_as_string(ps));
	ics_prop_when(im, ps, ts, &s);
	icalproperty *pe = v.dtend, *pd = v.duration;
	if (pe) {
		icaltimetype te = icalproperty_get_dtend(pe);
		if (!ics_real_time(te))
			return bad(im, line,
			           "VEVENT %.400s: DTEND %.40s is not a date",
			           uid ? uid : "",
			           icalproperty_get_value_as_string(pe));
		ics_prop_when(im, pe, te, &e);
	} else {
		e = s;
		if (pd)
			e.wall =
			        s.wall + icaldurationtype_as_int(
			                         icalproperty_get_duration(pd));
		else if (s.is_date)
			e.wall = s.wall + 86400;
		else
			e.wall = s.wall - 1; /* no end */
	}
	if (s.unresolved || (pe && e.unresolved)) {
		if (!im->finishing)
			return hold(im, text, line) ? TLDB_PLUGIN_NOMEM
			                            : TLDB_PLUGIN_OK;
		return bad(im, line,
		           "VEVENT %.400s: a TZID with no VTIMEZONE and "
		           "no known zone of that name",
		           uid);
	}
	if (s.wall < civil_days_from_date(0, 1, 1) * 86400 ||
	    s.wall >= civil_days_from_date(10000, 1, 1) * 86400)
		return bad(im, line, "VEVENT %.400s: DTSTART out of range",
		           uid);
	ics_built b;
	memset(&b, 0, sizeof b);
	read_tags(im, text, line, &b);
	int32_t rc = TLDB_PLUGIN_OK;
	icalproperty *rid = v.rid;
	int recurring = v.rrule || v.rdate;
	if (rid && uid) {
		ics_when r;
		ics_prop_when(im, rid, icalproperty_get_recurrenceid(rid), &r);
		char id[160];
		ics_dates_of(&v, &s, &e, 1, &b);
		ics_recurrence_id(&r, id, sizeof id);
		icalparameter *range = icalproperty_get_first_parameter(
		        rid, ICAL_RANGE_PARAMETER);
		b.series = uid;
		b.recurrence_id = id;
		b.recur_flags =
		        (cancelled ? TLDB_PLUGIN_RECUR_CANCELLED : 0u) |
		        (range && icalparameter_get_range(range) ==
		                                 ICAL_RANGE_THISANDFUTURE
		                 ? TLDB_PLUGIN_RECUR_THISANDFUTURE
		                 : 0u);
		ics_emit_one(im, &v, line, NULL, &b);
	} else if (recurring && !im->finishing) {
		/* Held to the end, when every VTIMEZONE its RDATE and
		 * EXDATE values may name has been read. */
		rc = hold(im, text, line) ? TLDB_PLUGIN_NOMEM : 0;
	} else if (cancelled) {
		/* A series goes with its changed occurrences. */
		ics_cancel_one(im, line, uid);
	} else if (recurring) {
		tl_buf recur;
		tl_buf_init(&recur, ICS_MAX_COMPONENT);
		rc = ics_recur_text(im, c, text, line, &recur);
		if (rc == TLDB_PLUGIN_ERROR) {
			rc = bad(im, line, "VEVENT %.400s: %.400s",
			         uid ? uid : "", tl_buf_str(&recur));
			tl_buf_release(&recur);
			free(b.tagbuf);
			return rc;
		}
		if (!rc && recur.failed)
			rc = TLDB_PLUGIN_NOMEM;
		ics_dates_of(&v, &s, &e, 1, &b);
		b.recur = recur.len ? tl_buf_str(&recur) : NULL;
		if (!rc)
			ics_emit_one(im, &v, line, uid, &b);
		tl_buf_release(&recur);
	} else {
		ics_dates_of(&v, &s, &e, 1, &b);
		ics_emit_one(im, &v, line, uid, &b);
	}
	free(b.tagbuf);
	return rc;
}

int32_t ics_vevent(ics_import *im, const char *text, int64_t line)
{
	if (im->stopped)
		return TLDB_PLUGIN_OK;
	ical_lock();
	icalcomponent *c = icalparser_parse_string(text);
	int32_t rc;
	if (!c || icalcomponent_isa(c) != ICAL_VEVENT_COMPONENT)
		rc = bad(im, line, "a VEVENT libical cannot read");
	else
		rc = vevent(im, c, text, line);
	if (c)
		icalcomponent_free(c);
	ical_unlock();
	return rc;
}

int32_t ics_import_finish(ics_import *im)
{
	im->finishing = 1;
	for (size_t i = 0; i < im->nheld && !im->stopped; i++) {
		int32_t rc = ics_vevent(im, im->held[i].text, im->held[i].line);
		if (rc)
			return rc;
	}
	return TLDB_PLUGIN_OK;
}
