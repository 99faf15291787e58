/*
 * ics_lenient.c -- what the importer forgives in a component's lines
 * before libical sees them (ics_read.c hands over each unfolded line of a
 * VEVENT or VTIMEZONE).  Thunderbird (ical.js), Apple and Google read
 * these files; libical 3.0 turns each of these lines into an X-LIC-ERROR,
 * which refused the whole event.  Here the line is left out instead, with
 * a warning at its own line when it was worth one:
 *
 *   - a blank line: left out silently (generators emit them; nothing is
 *     lost);
 *   - a line with no ':' (not a content line): left out with a warning;
 *   - a property libical does not know (RFC 9253's LINK, CONCEPT, REFID,
 *     RFC 9073's STYLED-DESCRIPTION, a vendor's name without X-): left out
 *     with a warning at the first line of each name in the file, not at
 *     every event (a feed with LINK on every event would drown the
 *     warnings that matter);
 *   - a property with an empty value.  For a TEXT property (DESCRIPTION,
 *     LOCATION, SUMMARY, ...), URL, and X- properties: silently.  An empty
 *     text value says "no text", which is what an absent property says,
 *     and Google writes `DESCRIPTION:` and `LOCATION:` on every event: a
 *     warning per event would be noise that hides real ones.  Any other
 *     empty property (DTEND:, RRULE:, GEO:) is a statement with nothing in
 *     it: left out with a warning, since the event may then differ from
 *     what its writer meant (an empty DTSTART then makes the VEVENT one
 *     without DTSTART, which ics_event.c passes over with a warning).
 *
 * Only the component's own properties are checked; the lines of its
 * sub-components (VALARM, RFC 9073's VLOCATION and PARTICIPANT) go to
 * libical as they are, blank ones and empty values aside: tldb reads
 * nothing from them, and their errors do not count.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ics_read.h"

/* The value of a content line: after the first ':' outside a quoted
 * parameter value; NULL when there is none. */
static const char *value_of(const char *line, size_t len)
{
	int quoted = 0;
	for (size_t i = 0; i < len; i++) {
		if (line[i] == '"')
			quoted = !quoted;
		else if (line[i] == ':' && !quoted)
			return line + i + 1;
	}
	return NULL;
}

static int silent_when_empty(const char *name)
{
	static const char *const names[] = {
	        "SUMMARY", "DESCRIPTION", "LOCATION",   "COMMENT",
	        "CONTACT", "RESOURCES",   "CATEGORIES", "URL",
	        "TZNAME",  "NAME",        "ATTACH",
	};
	if (strncasecmp(name, "X-", 2) == 0)
		return 1;
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (strcasecmp(name, names[i]) == 0)
			return 1;
	return 0;
}

/* 1 the first time `name` is seen (then remembered), else 0. */
static int first_unknown(ics_import *im, const char *name)
{
	for (int i = 0; i < im->nunknown; i++)
		if (strcasecmp(im->unknown[i], name) == 0)
			return 0;
	if (im->nunknown < ICS_MAX_UNKNOWN)
		snprintf(im->unknown[im->nunknown++], sizeof *im->unknown, "%s",
		         name);
	return 1;
}

int ics_keep_line(ics_import *im, const char *line, size_t len, int depth,
                  int64_t line_no)
{
	if (len == 0)
		return 0;
	const char *value = value_of(line, len);
	char msg[300];
	if (!value) {
		if (depth > 1)
			return 1;
		snprintf(msg, sizeof msg,
		         "'%.60s' is not a content line (no ':'): ignored",
		         line);
		ical_host->warning(im->run, line_no, 1, msg);
		return 0;
	}
	size_t namelen = strcspn(line, ";:");
	char name[64];
	snprintf(name, sizeof name, "%.*s",
	         (int)(namelen < sizeof name ? namelen : sizeof name - 1),
	         line);
	int empty = *value == '\0';
	if (depth > 1)
		return !empty;
	if (strncasecmp(name, "X-", 2) != 0 &&
	    icalproperty_string_to_kind(name) == ICAL_NO_PROPERTY) {
		if (first_unknown(im, name)) {
			snprintf(msg, sizeof msg,
			         "property %s is not one libical knows (RFC "
			         "9253, 9073, or a vendor's): ignored here and "
			         "further on",
			         name);
			ical_host->warning(im->run, line_no, 1, msg);
		}
		return 0;
	}
	if (!empty)
		return 1;
	if (!silent_when_empty(name)) {
		snprintf(msg, sizeof msg, "%s with an empty value: ignored",
		         name);
		ical_host->warning(im->run, line_no, 1, msg);
	}
	return 0;
}
