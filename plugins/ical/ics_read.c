/*
 * ics_read.c -- the ical importer.  The input is read in blocks through
 * host->read and split into unfolded content lines, counting physical lines
 * for positions; each VTIMEZONE and each VEVENT is parsed on its own by
 * libical (icalparser_parse_string on the component's text), so a large
 * file is imported in memory bounded by its largest component, not its
 * size.  What each VEVENT becomes is decided in ics_event.c (with
 * ics_dates.c and ics_recur.c).
 *
 * Lenient where calendar clients are (issue 14): blank lines and text
 * before the first BEGIN:VCALENDAR or after an END:VCALENDAR (a Podio
 * export's trailer), an END:VCALENDARD (an Exchange server's), a stray END
 * between components are warnings at their line; a component's lines pass
 * ics_keep_line (ics_lenient.c) first.  A file is refused only when no
 * BEGIN:VCALENDAR is in it; a file cut inside a component or calendar is
 * an error, after which skip mode imports what was whole.
 *
 * Held until the end of the input: VEVENTs whose TZID names a VTIMEZONE not
 * seen yet (RFC 5545 puts no order on components), and recurring masters
 * (RRULE/RDATE), so that every RECURRENCE-ID override is known before they
 * are expanded.
 */
#include <libical/ical.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "ics_read.h"

#define BLOCK 65536

int32_t ics_probe(const uint8_t *head, uint64_t len)
{
	uint64_t i = 0;
	if (len >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF)
		i = 3;
	while (i < len && (head[i] == ' ' || head[i] == '\r' ||
	                   head[i] == '\n' || head[i] == '\t'))
		i++;
	static const char magic[] = "BEGIN:VCALENDAR";
	for (size_t k = 0; k < sizeof magic - 1; k++) {
		if (i + k >= len)
			return i + k > i ? 40 : 0;
		char c = (char)head[i + k];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 32);
		if (c != magic[k])
			return 0;
	}
	return 100;
}

/* ---- reading unfolded lines ---- */

typedef struct reader {
	tldb_run *run;
	char *buf;
	size_t len, pos;
	int eof;
	int64_t phys;    /* physical lines consumed */
	tl_buf line;     /* the current unfolded line */
	int64_t line_no; /* where it starts */
	int have_next;   /* buf[pos..] holds the start of the next line */
} reader;

static int fill(reader *r)
{
	if (r->eof)
		return 0;
	if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	int64_t got = ical_host->read(r->run, r->buf + r->len, BLOCK - r->len);
	if (got < 0)
		return -1;
	if (got == 0)
		r->eof = 1;
	r->len += (size_t)got;
	return got > 0;
}

static void strip_cr(reader *r)
{
	tl_buf *l = &r->line;
	if (l->len && l->data[l->len - 1] == '\r')
		l->data[--l->len] = '\0';
}

/* Reads one physical line (without CR LF) by appending it to r->line.
 * Returns 1, 0 at the end of input, <0 on failure (-2: too long). */
static int physical(reader *r)
{
	for (;;) {
		char *nl = memchr(r->buf + r->pos, '\n', r->len - r->pos);
		if (nl || (r->eof && r->pos < r->len)) {
			size_t end = nl ? (size_t)(nl - r->buf) : r->len;
			if (tl_buf_add(&r->line, r->buf + r->pos, end - r->pos))
				return -2;
			r->pos = nl ? end + 1 : end;
			r->phys++;
			strip_cr(r);
			return 1;
		}
		if (r->eof)
			return 0;
		if (r->pos == 0 && r->len == BLOCK) { /* a very long line */
			if (tl_buf_add(&r->line, r->buf, r->len))
				return -2;
			r->pos = r->len = 0;
		}
		if (fill(r) < 0)
			return -1;
	}
}

/* The next unfolded line into r->line; 1, 0 at the end, <0 on failure. */
static int next_line(reader *r)
{
	tl_buf_reset(&r->line);
	int rc = physical(r);
	if (rc <= 0)
		return rc;
	r->line_no = r->phys;
	for (;;) {
		if (r->pos >= r->len && !r->eof && fill(r) < 0)
			return -1;
		if (r->pos >= r->len ||
		    (r->buf[r->pos] != ' ' && r->buf[r->pos] != '\t'))
			return 1;
		r->pos++; /* the fold's space */
		if ((rc = physical(r)) < 0)
			return rc;
	}
}

static int is_line(const char *line, const char *what)
{
	size_t n = strlen(what);
	for (size_t i = 0; i < n; i++) {
		char c = line[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 32);
		if (c != what[i])
			return 0;
	}
	return line[n] == '\0' || line[n] == '\r';
}

/* ---- collecting components ---- */

/* Appends a content line and its CR LF to a component's text. */
static int text_add(tl_buf *t, const char *s, size_t n)
{
	return tl_buf_add(t, s, n) || tl_buf_add(t, "\r\n", 2) ? -1 : 0;
}

static int32_t fail(ics_import *im, int64_t line, const char *msg)
{
	ical_host->error(im->run, TLDB_PLUGIN_ERROR, line, 1, msg);
	return TLDB_PLUGIN_ERROR;
}

static void warn(ics_import *im, int64_t line, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void warn(ics_import *im, int64_t line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	ical_host->warning(im->run, line, 1, msg);
}

/* The input ended inside a component or a calendar: an error at `line`;
 * in skip mode what was whole is imported all the same. */
static int32_t truncated(ics_import *im, int64_t line, const char *msg)
{
	if (ical_host->error(im->run, TLDB_PLUGIN_ERROR, line, 1, msg) !=
	    TLDB_PLUGIN_OK)
		return TLDB_PLUGIN_ERROR;
	return ics_import_finish(im);
}

int32_t ics_import_run(tldb_run *run, void *state)
{
	(void)state;
	ics_import im;
	int32_t rc = ics_import_init(&im, run);
	if (rc)
		return rc;
	reader r;
	memset(&r, 0, sizeof r);
	r.run = run;
	r.buf = malloc(BLOCK);
	tl_buf_init(&r.line, ICS_MAX_LINE);
	tl_buf comp;
	tl_buf_init(&comp, ICS_MAX_COMPONENT);
	int depth = 0, kind = 0, seen_cal = 0, ended = 0;
	/* comp_line: where the component began; junk_line: the first line
	 * outside a calendar that is not one (0: none yet) */
	int64_t comp_line = 0, junk_line = 0;
	if (!r.buf) {
		rc = fail(&im, 0, "out of memory");
		goto out;
	}
	int lr;
	while ((lr = next_line(&r)) > 0) {
		const char *l = tl_buf_str(&r.line);
		if (!seen_cal || ended) {
			/* Outside a calendar: blank lines are nothing, text
			 * before the first calendar or after one (a Podio
			 * export's trailer) is a warning, and another
			 * BEGIN:VCALENDAR starts another calendar. */
			if (r.line.len == 0)
				continue;
			if (!strncmp(l, "\xEF\xBB\xBF", 3))
				l += 3;
			if (is_line(l, "BEGIN:VCALENDAR")) {
				if (!seen_cal && junk_line)
					warn(&im, junk_line,
					     "text before BEGIN:VCALENDAR: "
					     "ignored");
				seen_cal = 1;
				ended = 0;
				junk_line = 0;
				continue;
			}
			if (!junk_line) {
				junk_line = r.line_no;
				if (seen_cal)
					warn(&im, junk_line,
					     "text after END:VCALENDAR: "
					     "ignored");
			}
			continue;
		}
		if (depth == 0) {
			if (is_line(l, "END:VCALENDAR")) {
				ended = 1;
				if ((rc = ics_calendar_announce(&im)))
					goto out;
			} else if (strncasecmp(l, "BEGIN:", 6) == 0) {
				if ((rc = ics_calendar_announce(&im)))
					goto out;
				depth = 1;
				kind = is_line(l, "BEGIN:VEVENT")      ? 1
				       : is_line(l, "BEGIN:VTIMEZONE") ? 2
				                                       : 0;
				comp_line = r.line_no;
				tl_buf_reset(&comp);
				if (kind && text_add(&comp, l, r.line.len)) {
					rc = fail(&im, r.line_no,
					          "component too large");
					goto out;
				}
			} else if (strncasecmp(l, "END:VCALENDAR", 13) == 0) {
				/* END:VCALENDARD (an Exchange server's) */
				warn(&im, r.line_no,
				     "'%.60s' taken for END:VCALENDAR", l);
				ended = 1;
				if ((rc = ics_calendar_announce(&im)))
					goto out;
			} else if (strncasecmp(l, "END:", 4) == 0) {
				/* ical.js reads past it too */
				warn(&im, r.line_no,
				     "'%.60s' without BEGIN: ignored", l);
			} else {
				ics_calendar_property(&im, l, r.line_no);
			}
			continue;
		}
		int begins = strncasecmp(l, "BEGIN:", 6) == 0;
		int ends = !begins && strncasecmp(l, "END:", 4) == 0;
		depth += begins ? 1 : ends ? -1 : 0;
		if (kind &&
		    (begins || ends ||
		     ics_keep_line(&im, l, r.line.len, depth, r.line_no)) &&
		    text_add(&comp, l, r.line.len)) {
			rc = fail(&im, comp_line,
			          "component too large (over 16 MiB)");
			goto out;
		}
		if (depth == 0 && kind) {
			rc = kind == 1
			             ? ics_vevent(&im, comp.data, comp_line)
			             : ics_vtimezone(&im, comp.data, comp_line);
			if (rc)
				goto out;
		}
	}
	if (lr == -2) {
		rc = fail(&im, r.phys + 1,
		          seen_cal ? "a line over 8 MiB, or out of memory"
		                   : "not an iCalendar file: no "
		                     "BEGIN:VCALENDAR in it");
	} else if (lr < 0) {
		rc = TLDB_PLUGIN_EIO;
		ical_host->error(run, rc, r.phys, 0, "read error");
	} else if (!seen_cal) {
		/* Nothing in it is a calendar (a JPEG, an HTML page). */
		rc = fail(&im, junk_line ? junk_line : 1,
		          junk_line ? "not an iCalendar file: no "
		                      "BEGIN:VCALENDAR in it"
		                    : "empty input: no BEGIN:VCALENDAR");
	} else if (depth > 0) {
		rc = truncated(&im, comp_line,
		               "component not ended (truncated file?)");
	} else if (!ended) {
		rc = truncated(&im, r.phys,
		               "no END:VCALENDAR (truncated file?)");
	} else {
		rc = ics_import_finish(&im);
	}
out:
	ics_import_free(&im);
	free(r.buf);
	tl_buf_release(&r.line);
	tl_buf_release(&comp);
	return rc;
}
