/*
 * ics_calendar.c -- the timeline a calendar names.
 *
 * tldb's exporter writes the timeline's name as X-TLDB-TIMELINE and its
 * title as NAME and X-WR-CALNAME, so its feeds come back into the timeline
 * they left.  Any other calendar's NAME (RFC 7986) or X-WR-CALNAME (Apple,
 * Google) becomes the timeline's title, and a name made from it the
 * timeline's name.  `tldb import --timeline` still wins (the host ignores
 * the calendar's timeline then).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ics_read.h"

static const char *const cal_props[ICS_NCAL] = {
        [ICS_CAL_TIMELINE] = "X-TLDB-TIMELINE", [ICS_CAL_NAME] = "NAME",
        [ICS_CAL_WRNAME] = "X-WR-CALNAME",      [ICS_CAL_DESC] = "DESCRIPTION",
        [ICS_CAL_WRDESC] = "X-WR-CALDESC",      [ICS_CAL_PRODID] = "PRODID",
};

/* The value of a content line: after the first ':' outside a quoted
 * parameter value. */
static const char *value_of(const char *line)
{
	int quoted = 0;
	for (const char *p = line; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == ':' && !quoted)
			return p + 1;
	}
	return NULL;
}

void ics_calendar_property(ics_import *im, const char *line, int64_t line_no)
{
	size_t namelen = strcspn(line, ";:");
	const char *value = value_of(line);
	if (!value) {
		if (*line) {
			char msg[200];
			snprintf(msg, sizeof msg,
			         "'%.60s' is not a content line (no ':'): "
			         "ignored",
			         line);
			ical_host->warning(im->run, line_no, 1, msg);
		}
		return;
	}
	if (namelen == 13 && strncasecmp(line, "X-WR-TIMEZONE", 13) == 0) {
		char *tz = ics_unescape(value, strlen(value));
		if (tz)
			ics_floating_zone(im, tz, line_no);
		free(tz);
		return;
	}
	for (int i = 0; i < ICS_NCAL; i++) {
		if (im->cal[i] || strlen(cal_props[i]) != namelen ||
		    strncasecmp(line, cal_props[i], namelen) != 0)
			continue;
		im->cal[i] = ics_unescape(value, strlen(value));
		return; /* the first of each wins; no memory: as if absent */
	}
}

/* "Team Holidays 2024" -> "team-holidays-2024": ASCII letters and digits
 * kept (lower case), every other run of bytes one '-'. */
static void name_from_title(const char *title, char *out, size_t size)
{
	size_t n = 0;
	int dash = 0;
	for (const unsigned char *p = (const unsigned char *)title;
	     *p && n + 1 < size; p++) {
		unsigned char c = *p;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (dash && n > 0 && n + 2 < size)
				out[n++] = '-';
			out[n++] = (char)c;
			dash = 0;
		} else {
			dash = 1;
		}
	}
	out[n] = '\0';
}

int32_t ics_calendar_announce(ics_import *im)
{
	if (im->announced)
		return TLDB_PLUGIN_OK;
	im->announced = 1;
	const char *title = im->cal[ICS_CAL_NAME] ? im->cal[ICS_CAL_NAME]
	                                          : im->cal[ICS_CAL_WRNAME];
	const char *desc = im->cal[ICS_CAL_DESC] ? im->cal[ICS_CAL_DESC]
	                                         : im->cal[ICS_CAL_WRDESC];
	const char *prodid = im->cal[ICS_CAL_PRODID];
	char name[TLDB_ICS_MAX_TIMELINE + 1];
	if (im->cal[ICS_CAL_TIMELINE]) {
		snprintf(name, sizeof name, "%s", im->cal[ICS_CAL_TIMELINE]);
	} else if (prodid && strncmp(prodid, "-//tldb//", 9) == 0) {
		return TLDB_PLUGIN_OK; /* an export of several timelines */
	} else if (title) {
		name_from_title(title, name, sizeof name);
		if (!name[0]) {
			char msg[300];
			snprintf(msg, sizeof msg,
			         "calendar name '%.200s' has no letters or "
			         "digits to name a timeline after",
			         title);
			ical_host->warning(im->run, 0, 0, msg);
			return TLDB_PLUGIN_OK;
		}
	} else {
		return TLDB_PLUGIN_OK;
	}
	tldb_plugin_timeline tl;
	memset(&tl, 0, sizeof tl);
	tl.size = sizeof tl;
	tl.name = name;
	tl.title = title;
	tl.description = desc;
	return ical_host->set_timeline(im->run, &tl) == TLDB_PLUGIN_OK
	               ? TLDB_PLUGIN_OK
	               : TLDB_PLUGIN_ERROR;
}
