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
 *     the file has no IANA name; floating times stay floating.  An end that
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
 *   - libical's X-LIC-ERROR properties are errors at the VEVENT's line.
 *   - STATUS:CANCELLED removes what the event stands for through the host's
 *     `remove` (ABI 1.1): the event with its UID, the one occurrence a
 *     cancelled RECURRENCE-ID names, or every occurrence of a cancelled
 *     recurring event within the window.  Without a UID (or on a host of
 *     minor 0) there is nothing to name, so it is skipped with a warning.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ics_read.h"

#define TWO_YEARS (INT64_C(731) * 86400)

static char *dup_str(const char *s)
{
	size_t n = strlen(s);
	char *d = malloc(n + 1);
	if (d)
		memcpy(d, s, n + 1);
	return d;
}

static int32_t date_option(ics_import *im, const char *key, int64_t *out,
                           int hi)
{
	const char *v = ical_host->option(im->run, key);
	if (!v || !*v)
		return 0;
	tldb_plugin_date d = {sizeof d, 0, 0, 0, 0, 0};
	char err[256];
	if (ical_host->parse_date(v, NULL, &d, err, sizeof err))
		return -1;
	*out = hi ? d.hi : d.lo;
	return 1;
}

int32_t ics_import_init(ics_import *im, tldb_run *run)
{
	memset(im, 0, sizeof *im);
	im->run = run;
	int f = date_option(im, "from", &im->from, 0);
	int t = date_option(im, "to", &im->to, 1);
	if (f < 0 || t < 0) {
		ical_host->error(run, TLDB_PLUGIN_ERROR, 0, 0,
		                 "-o from= / -o to=: not a date");
		return TLDB_PLUGIN_ERROR;
	}
	im->has_from = f;
	im->has_to = t;
	const char *m = ical_host->option(run, "max-occurrences");
	im->max_occurrences = 1000;
	if (m && *m) {
		int64_t v = 0;
		for (const char *p = m; *p >= '0' && *p <= '9' && v < 1000000;
		     p++)
			v = v * 10 + (*p - '0');
		im->max_occurrences = v > 0 ? v : 1;
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
	for (size_t i = 0; i < im->nov; i++)
		free(im->overrides[i]);
	free(im->overrides);
	for (size_t i = 0; i < ICS_NCAL; i++)
		free(im->cal[i]);
	memset(im, 0, sizeof *im);
}

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
	z->tzid = dup_str(tzid);
	icalproperty *loc =
	        icalcomponent_get_first_property(c, ICAL_X_PROPERTY);
	const char *iana = iana_of(tzid);
	for (; !iana && loc;
	     loc = icalcomponent_get_next_property(c, ICAL_X_PROPERTY))
		if (strcmp(icalproperty_get_x_name(loc), "X-LIC-LOCATION") == 0)
			iana = iana_of(icalproperty_get_x(loc));
	z->iana = iana ? dup_str(iana) : NULL;
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

/* A DTSTART/DTEND/RECURRENCE-ID value as tldb sees it. */
typedef struct when {
	int is_date, utc;
	int64_t wall;       /* wall seconds (UTC when utc) */
	const char *tz;     /* IANA zone of a local time, or NULL */
	int unresolved;     /* a TZID nobody knows (yet) */
	icaltimetype it;    /* libical's fields */
	icaltimezone *zone; /* the zone of a local time, for recurrences */
} when;

static int64_t wall_of(icaltimetype t)
{
	civil_time tm = {t.year,
	                 t.month,
	                 t.day,
	                 t.is_date ? 0 : t.hour,
	                 t.is_date ? 0 : t.minute,
	                 t.is_date ? 0 : t.second};
	return civil_seconds_from_time(&tm);
}

static void resolve(ics_import *im, icaltimetype t, const char *tzid, when *w)
{
	memset(w, 0, sizeof *w);
	w->it = t;
	w->is_date = t.is_date;
	w->wall = wall_of(t);
	if (t.is_date)
		return;
	if (icaltime_is_utc(t)) {
		w->utc = 1;
		return;
	}
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
		w->wall = wall_of(u);
		w->utc = 1;
	} else {
		w->unresolved = 1;
	}
}

/* Whether libical's fields name a real date and time: libical reads
 * 20201399 as month 13, day 99 without a word, and the calendar arithmetic
 * would quietly move it to another day. */
static int real_time(icaltimetype t)
{
	if (t.month < 1 || t.month > 12 || t.day < 1 ||
	    t.day > civil_days_in_month(t.year, t.month))
		return 0;
	return t.is_date || (t.hour >= 0 && t.hour < 24 && t.minute >= 0 &&
	                     t.minute < 60 && t.second >= 0 && t.second <= 60);
}

static void prop_when(ics_import *im, icalproperty *p, icaltimetype t, when *w)
{
	icalparameter *a =
	        p ? icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER)
	          : NULL;
	resolve(im, t, a ? icalparameter_get_tzid(a) : NULL, w);
}

static void edtf_of(const when *w, char *buf, size_t size)
{
	if (w->is_date)
		ics_edtf_date(w->wall, buf, size);
	else
		ics_edtf_time(w->wall, w->utc, buf, size);
}

/* The UTC instant of a local time (for ends in another zone). */
static int64_t instant_of(const when *w)
{
	int64_t u = w->wall;
	if (w->tz && ical_host->zone_to_utc(w->tz, w->wall, &u))
		u = w->wall;
	return u;
}

/* ---- events ---- */

typedef struct built {
	char uid[600];
	char start[160], end[160];
	const char *tz;
	char tzbuf[128];
	const char *tags[65];
	char *tagbuf;
} built;

/* The first of each property of a VEVENT the importer reads, found in one
 * pass: icalcomponent_get_first_property walks the whole list for each
 * kind, and moves the component's one property iterator, so it must not
 * run while another loop walks the properties. */
typedef struct vprops {
	icalproperty *xlicerror, *uid, *dtstart, *dtend, *duration, *status;
	icalproperty *rid, *rrule, *rdate, *summary, *description, *location;
	icalproperty *url, *x_edtf, *x_tz, *x_precision;
} vprops;

static void first_of(icalproperty **slot, icalproperty *p)
{
	if (!*slot)
		*slot = p;
}

static void find_x(vprops *v, icalproperty *p)
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

static void find_props(icalcomponent *c, vprops *v)
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
static void read_tags(ics_import *im, const char *text, int64_t line, built *b)
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

static const char *x_value(const icalproperty *p)
{
	return p ? icalproperty_get_x((icalproperty *)p) : NULL;
}

/* X-TLDB-EDTF;X-TLDB-FORM=INTERVAL: the value is one interval start. */
static int whole_edtf(const vprops *v)
{
	const char *f = v->x_edtf ? icalproperty_get_parameter_as_string(
	                                    v->x_edtf, "X-TLDB-FORM")
	                          : NULL;
	return f && strcmp(f, "INTERVAL") == 0;
}

static const char *text_of(icalproperty *p)
{
	return p ? icalvalue_get_text(icalproperty_get_value(p)) : NULL;
}

/* "YYYYMMDD" or "YYYYMMDDTHHMMSS[Z]" of a recurrence id. */
static void rid_of(const when *w, char *buf, size_t size)
{
	if (w->is_date)
		ics_format_date(w->wall, buf, size);
	else
		ics_format_datetime(w->wall, w->utc, buf, size);
	if (w->tz)
		snprintf(buf + strlen(buf), size - strlen(buf), "[%s]", w->tz);
}

static int is_override(ics_import *im, const char *key)
{
	for (size_t i = 0; i < im->nov; i++)
		if (strcmp(im->overrides[i], key) == 0)
			return 1;
	return 0;
}

/* The dates of one occurrence starting at s and ending at e (e->wall <
 * s->wall: none), restored from X-TLDB-* when `exact`. */
static void dates_of(const vprops *v, const when *s, const when *e, int exact,
                     built *b)
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

static int32_t emit_one(ics_import *im, const vprops *v, int64_t line,
                        const char *uid, built *b)
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
	if (!ev.title || !*ev.title)
		ev.title = "(untitled)";
	ical_host->set_position(im->run, line, 1);
	if (ical_host->emit(im->run, &ev) == TLDB_PLUGIN_STOP)
		im->stopped = 1;
	return TLDB_PLUGIN_OK;
}

/* Removes the stored event `uid` that a cancelled VEVENT stands for. */
static void cancel_one(ics_import *im, int64_t line, const char *uid)
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
	char *t = dup_str(text);
	if (!t)
		return -1;
	im->held[im->nheld++] = (ics_held){t, line};
	return 0;
}

/* Expands RRULE and RDATE (EXDATE removed) and emits each occurrence, or
 * with `cancel` removes each one, overridden or not. */
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

static int32_t expand(ics_import *im, icalcomponent *c, const vprops *v,
                      int64_t line, const char *uid, const when *s,
                      const when *e, built *b, int cancel)
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
		int64_t wall = wall_of(t);
		if (s->utc && s->zone) /* a file zone without an IANA name */
			wall = wall_of(icaltime_convert_to_zone(
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
			excluded = wall_of(exdates[k]) == wall;
		when os = *s, oe = *e;
		os.wall = wall;
		os.it = t;
		oe.wall = span >= 0 ? wall + span : wall - 1;
		char rid[200], key[900];
		rid_of(&os, rid, sizeof rid);
		snprintf(key, sizeof key, "%s\n%s", uid ? uid : "", rid);
		if (excluded || (!cancel && is_override(im, key)))
			continue;
		count++;
		char ouid[900];
		snprintf(ouid, sizeof ouid, "%s/%s", uid ? uid : "", rid);
		if (cancel) {
			cancel_one(im, line, ouid);
			continue;
		}
		dates_of(v, &os, &oe, 0, b);
		emit_one(im, v, line, uid ? ouid : NULL, b);
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

static int32_t vevent(ics_import *im, icalcomponent *c, const char *text,
                      int64_t line)
{
	vprops v;
	find_props(c, &v);
	if (v.xlicerror)
		return bad(im, line, "VEVENT: %.500s",
		           icalproperty_get_xlicerror(v.xlicerror));
	const char *uid = v.uid ? icalproperty_get_uid(v.uid) : NULL;
	icalproperty *ps = v.dtstart;
	if (!ps)
		return bad(im, line, "VEVENT %.400s without DTSTART",
		           uid ? uid : "");
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
	when s, e;
	icaltimetype ts = icalproperty_get_dtstart(ps);
	if (!real_time(ts))
		return bad(
		        im, line, "VEVENT %.400s: DTSTART %.40s is not a date",
		        uid ? uid : "", icalproperty_get_value_as_string(ps));
	prop_when(im, ps, ts, &s);
	icalproperty *pe = v.dtend, *pd = v.duration;
	if (pe) {
		icaltimetype te = icalproperty_get_dtend(pe);
		if (!real_time(te))
			return bad(im, line,
			           "VEVENT %.400s: DTEND %.40s is not a date",
			           uid ? uid : "",
			           icalproperty_get_value_as_string(pe));
		prop_when(im, pe, te, &e);
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
	built b;
	memset(&b, 0, sizeof b);
	read_tags(im, text, line, &b);
	int32_t rc = TLDB_PLUGIN_OK;
	icalproperty *rid = v.rid;
	int recurring = v.rrule || v.rdate;
	if (rid && uid) {
		when r;
		prop_when(im, rid, icalproperty_get_recurrenceid(rid), &r);
		char rs[200], key[900];
		rid_of(&r, rs, sizeof rs);
		snprintf(key, sizeof key, "%s\n%s", uid, rs);
		char ouid[900];
		snprintf(ouid, sizeof ouid, "%s/%s", uid, rs);
		char *k = dup_str(key);
		if (!k ||
		    (im->nov == im->ovcap &&
		     !(im->overrides = realloc(
		               im->overrides, (im->ovcap = im->ovcap * 2 + 16) *
		                                      sizeof *im->overrides))))
			rc = TLDB_PLUGIN_NOMEM;
		else
			im->overrides[im->nov++] = k;
		dates_of(&v, &s, &e, 1, &b);
		if (!rc && cancelled)
			cancel_one(im, line, ouid);
		else if (!rc)
			emit_one(im, &v, line, ouid, &b);
	} else if (recurring) {
		rc = im->finishing
		             ? expand(im, c, &v, line, uid, &s, &e, &b,
		                      cancelled)
		             : (hold(im, text, line) ? TLDB_PLUGIN_NOMEM : 0);
	} else if (cancelled) {
		cancel_one(im, line, uid);
	} else {
		dates_of(&v, &s, &e, 1, &b);
		emit_one(im, &v, line, uid, &b);
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
