/*
 * ics_read.h -- shared by the importer's files: ics_read.c (reading the
 * input into components), ics_calendar.c (the timeline a calendar names)
 * and what a VTIMEZONE and a VEVENT become: ics_dates.c (zones and dates),
 * ics_recur.c (recurrences) and ics_event.c (the import's state, a
 * VEVENT's properties and the events emitted to the host).
 */
#ifndef TLDB_ICS_READ_H
#define TLDB_ICS_READ_H

#include <libical/ical.h>

#include "buf.h"
#include "ical_plugin.h"

#define ICS_MAX_LINE      ((size_t)8 << 20)
#define ICS_MAX_COMPONENT ((size_t)16 << 20)

/* A VTIMEZONE of the file: its TZID, the IANA zone it stands for (NULL
 * when none is known), and libical's zone for converting its times. */
typedef struct ics_filetz {
	char *tzid;
	char *iana;
	icaltimezone *zone;
} ics_filetz;

/* A VEVENT held until the end of the input. */
typedef struct ics_held {
	char *text;
	int64_t line;
} ics_held;

/* The longest timeline name tldb accepts. */
#define TLDB_ICS_MAX_TIMELINE 64

enum {
	ICS_CAL_TIMELINE, /* X-TLDB-TIMELINE */
	ICS_CAL_NAME,     /* NAME (RFC 7986) */
	ICS_CAL_WRNAME,   /* X-WR-CALNAME */
	ICS_CAL_DESC,     /* DESCRIPTION (RFC 7986) */
	ICS_CAL_WRDESC,   /* X-WR-CALDESC */
	ICS_CAL_PRODID,
	ICS_NCAL
};

/* How many unknown property names the importer remembers (each is a
 * warning the first time it is seen). */
#define ICS_MAX_UNKNOWN 32

typedef struct ics_import {
	tldb_run *run;
	ics_filetz *tzs;
	size_t ntz, tzcap;
	ics_held *held;
	size_t nheld, heldcap;
	int finishing; /* the held events are being processed */
	int stopped;   /* emit said STOP */
	/* VCALENDAR properties naming the timeline (ICS_CAL_*), unescaped */
	char *cal[ICS_NCAL];
	int announced; /* the timeline was handed to the host */
	/* X-WR-TIMEZONE as an IANA zone: the zone of floating times, or
	 * NULL (floating times stay floating) */
	char *floating_tz;
	char unknown[ICS_MAX_UNKNOWN][64]; /* property names warned about */
	int nunknown;
} ics_import;

int32_t ics_import_init(ics_import *im, tldb_run *run);
void ics_import_free(ics_import *im);
/* Processes the held VEVENTs. */
int32_t ics_import_finish(ics_import *im);
/* Records a VCALENDAR-level property line (unfolded), at input line
 * `line_no`, that names or describes the calendar, or X-WR-TIMEZONE;
 * other properties are ignored. */
void ics_calendar_property(ics_import *im, const char *line, int64_t line_no);
/* ics_dates.c: takes X-WR-TIMEZONE's value (unescaped) as the zone of the
 * calendar's floating times when it names a zone tldb knows (an IANA or a
 * Windows name), else warns at `line_no` and floating times stay
 * floating.  The first one wins. */
void ics_floating_zone(ics_import *im, const char *value, int64_t line_no);
/* ics_lenient.c: whether an unfolded content line of a VEVENT or
 * VTIMEZONE, at `depth` in it (1: the component's own properties), goes
 * to libical: 1 yes, 0 it is left out (blank, not a content line, a
 * property libical does not know, an empty value), with a warning at
 * `line_no` when it deserves one. */
int ics_keep_line(ics_import *im, const char *line, size_t len, int depth,
                  int64_t line_no);
/* Hands the timeline the calendar names to the host, once, before its
 * first event: X-TLDB-TIMELINE, else NAME or X-WR-CALNAME made into a
 * timeline name ("Team Holidays" -> team-holidays), except in a tldb
 * export of several timelines.  Returns TLDB_PLUGIN_OK or an error the
 * host reported. */
int32_t ics_calendar_announce(ics_import *im);
/* RFC 5545 TEXT unescaping of s[0..n) into a new string (NULL: no memory). */
char *ics_unescape(const char *s, size_t n);
/* One component's text (CRLF lines) starting at input line `line`. */
int32_t ics_vtimezone(ics_import *im, const char *text, int64_t line);
int32_t ics_vevent(ics_import *im, const char *text, int64_t line);

/* ---- the parts of a VEVENT's import: ics_event.c, ics_dates.c,
 * ics_recur.c.  Every function that takes libical values runs under
 * ical_lock(), as ics_vtimezone and ics_vevent take it. ---- */

/* A DTSTART/DTEND/RECURRENCE-ID value as tldb sees it.  It owns nothing:
 * tz and zone point into the import's zones (im->tzs), libical's built-in
 * zones, the windows-zone table or the component the value came from, and
 * are valid as long as those are. */
typedef struct ics_when {
	int is_date, utc;
	int64_t wall;       /* wall seconds (UTC when utc) */
	const char *tz;     /* IANA zone of a local time, or NULL */
	int unresolved;     /* a TZID nobody knows (yet) */
	icaltimetype it;    /* libical's fields */
	icaltimezone *zone; /* the zone of a local time, for recurrences */
} ics_when;

/* One event's strings as they are handed to the host: start and end are
 * EDTF (end "" for none); tz is not owned (a property's value or an
 * ics_when's tz); tags is NULL-terminated and points into tagbuf, which
 * the VEVENT's reader mallocs and frees.  uid and tzbuf are not used. */
typedef struct ics_built {
	char uid[600];
	char start[160], end[160];
	const char *tz;
	char tzbuf[128];
	const char *tags[65];
	char *tagbuf;
	/* a series' recurrence, or the series and original start of a
	 * changed occurrence (NULL for neither; not owned) */
	const char *recur, *series, *recurrence_id;
	uint32_t recur_flags;
} ics_built;

/* The first of each property of a VEVENT the importer reads, found in one
 * pass: icalcomponent_get_first_property walks the whole list for each
 * kind, and moves the component's one property iterator, so it must not
 * run while another loop walks the properties.  The properties belong to
 * the component they were found in. */
typedef struct ics_vprops {
	icalproperty *xlicerror, *uid, *dtstart, *dtend, *duration, *status;
	icalproperty *rid, *rrule, *rdate, *summary, *description, *location;
	icalproperty *url, *x_edtf, *x_tz, *x_precision;
} ics_vprops;

/* ics_event.c: a malloc'd copy of s, or NULL when out of memory; the
 * caller frees it. */
char *ics_dup(const char *s);

/* ics_event.c: emits the event of v's SUMMARY, DESCRIPTION, LOCATION and
 * URL with b's dates and tags and uid (NULL or "" for none), at input line
 * `line`; sets im->stopped when the host says STOP.  Returns
 * TLDB_PLUGIN_OK.  Nothing is taken over. */
int32_t ics_emit_one(ics_import *im, const ics_vprops *v, int64_t line,
                     const char *uid, ics_built *b);
/* ics_event.c: removes the stored event `uid` that a cancelled VEVENT
 * stands for (host->remove, at input line `line`); sets im->stopped when
 * the host says STOP. */
void ics_cancel_one(ics_import *im, int64_t line, const char *uid);

/* ics_dates.c: the wall seconds of libical's fields (midnight of a
 * DATE), read as if the wall were UTC. */
int64_t ics_wall_of(icaltimetype t);
/* ics_dates.c: 1 when libical's fields name a real date and time: libical
 * reads 20201399 as month 13, day 99 without a word, and the calendar
 * arithmetic would quietly move it to another day. */
int ics_real_time(icaltimetype t);
/* ics_dates.c: sets *w from value t of property p (NULL for none), whose
 * TZID parameter names its zone: a VTIMEZONE of the file first, then the
 * host's zones and Windows names; a zone of the file without an IANA name
 * makes the time UTC, and a TZID nobody knows (yet) sets w->unresolved. */
void ics_prop_when(ics_import *im, icalproperty *p, icaltimetype t,
                   ics_when *w);
/* ics_dates.c: as ics_prop_when, for a value whose TZID (or NULL) was
 * read from the text. */
void ics_time_when(ics_import *im, icaltimetype t, const char *tzid,
                   ics_when *w);
/* ics_dates.c: writes the recurrence id of w, "YYYYMMDD" or
 * "YYYYMMDDTHHMMSS[Z]" and "[Zone]" after a local time, into
 * buf[0..size). */
void ics_rid_of(const ics_when *w, char *buf, size_t size);
/* ics_dates.c: sets b->start, b->end and b->tz to the dates of one
 * occurrence starting at s and ending at e (e->wall < s->wall: none),
 * restored from X-TLDB-EDTF and X-TLDB-TZ when `exact`; an end that adds
 * nothing is left out, and X-TLDB-PRECISION makes a coarse date of a DATE
 * span.  b->tz points into v's properties or s (not owned). */
void ics_dates_of(const ics_vprops *v, const ics_when *s, const ics_when *e,
                  int exact, ics_built *b);

/* ics_recur.c: appends c's recurrence to out as tldb stores it: its
 * RRULE, and each RDATE and EXDATE value of its text (unfolded lines) in a
 * form that needs no VTIMEZONE of the file, '\n'-joined, warning at
 * `line` about what is left out.  Returns TLDB_PLUGIN_OK,
 * TLDB_PLUGIN_NOMEM, or TLDB_PLUGIN_ERROR with a message in out (reset)
 * for a value that is not a date. */
int32_t ics_recur_text(ics_import *im, icalcomponent *c, const char *text,
                       int64_t line, tl_buf *out);
/* ics_recur.c: writes RECURRENCE-ID r as the EDTF tldb matches
 * occurrences with: a day, a floating time, a UTC time, or a local time
 * with its zone ("2024-01-10T09:30[Europe/Berlin]"), into buf[0..size). */
void ics_recurrence_id(const ics_when *r, char *buf, size_t size);

#endif /* TLDB_ICS_READ_H */
