/*
 * ics_read.h -- shared by the importer's files: ics_read.c (reading the
 * input into components) and ics_event.c (what a VTIMEZONE and a VEVENT
 * become: zones, dates, recurrences, events emitted to the host).
 */
#ifndef TLDB_ICS_READ_H
#define TLDB_ICS_READ_H

#include <libical/ical.h>

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

typedef struct ics_import {
	tldb_run *run;
	ics_filetz *tzs;
	size_t ntz, tzcap;
	ics_held *held;
	size_t nheld, heldcap;
	char **overrides; /* "UID\n RECURRENCE-ID" of overriding VEVENTs */
	size_t nov, ovcap;
	int64_t from, to; /* the recurrence window, wall seconds */
	int64_t max_occurrences;
	int has_from, has_to;
	int finishing; /* the held events are being processed */
	int stopped;   /* emit said STOP */
	/* VCALENDAR properties naming the timeline (ICS_CAL_*), unescaped */
	char *cal[ICS_NCAL];
	int announced; /* the timeline was handed to the host */
} ics_import;

int32_t ics_import_init(ics_import *im, tldb_run *run);
void ics_import_free(ics_import *im);
/* Processes the held VEVENTs. */
int32_t ics_import_finish(ics_import *im);
/* Records a VCALENDAR-level property line (unfolded) that names or
 * describes the calendar; other properties are ignored. */
void ics_calendar_property(ics_import *im, const char *line);
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

#endif /* TLDB_ICS_READ_H */
