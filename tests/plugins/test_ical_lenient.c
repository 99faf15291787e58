/*
 * test_ical_lenient.c -- the ical importer reads what Google, Apple,
 * Outlook/Exchange and Thunderbird (ical.js) accept (issue 14, part 2):
 * empty properties, properties libical does not know (RFC 9253, 9073),
 * text after the calendar, a misspelt END:VCALENDAR, a VEVENT without
 * DTSTART among good ones, LF line ends, components in any order, a TZID
 * with no VTIMEZONE, Windows zone names and X-WR-TIMEZONE for floating
 * times.  Each oddity is a warning naming FILE:LINE, never a refusal; a
 * file is refused only when nothing in it is a calendar.  The calendars
 * are in tests/plugins/calendars/, written as those clients write them;
 * the last test has ical.js read each one: what it accepts, tldb imports.
 */
#define _GNU_SOURCE /* nftw, mkdtemp */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/helpers.h"

#define CALENDARS TLDB_SOURCE_DIR "/tests/plugins/calendars/"

TestSuite(ical_lenient, .init = tmp_setup, .fini = tmp_teardown,
          .timeout = 300);

typedef struct fx {
	tldb *db;
	tldb_plugins *p;
	reports r;
	tldb_msgbuf err;
} fx;

/* A fresh database each time. */
static fx *open_fx(void)
{
	fx *f = calloc(1, sizeof *f);
	cr_assert_not_null(f);
	remove(tmp_path("t.db"));
	remove(tmp_path("t.db-wal"));
	remove(tmp_path("t.db-shm"));
	f->db = open_db(tmp_path("t.db"));
	f->p = new_registry();
	load_ok(f->p, BUILD_PLUGIN("ical"));
	return f;
}

static void close_fx(fx *f)
{
	tldb_close(f->db);
	tldb_plugins_free(f->p);
	free(f);
}

/* Imports the file at path under the name `name` (what messages show). */
static int import_path(fx *f, const char *path, const char *name,
                       tldb_on_error mode)
{
	memset(&f->r, 0, sizeof f->r);
	tldb_import_opts o;
	memset(&o, 0, sizeof o);
	o.path = path;
	o.name = name;
	o.fd = -1;
	o.plugin = "ical";
	o.on_error = mode;
	o.report = collect;
	o.ud = &f->r;
	return tldb_import(f->db, f->p, &o, NULL, &f->err);
}

/* Imports tests/plugins/calendars/NAME. */
static int import_cal(fx *f, const char *name, tldb_on_error mode)
{
	char path[512];
	snprintf(path, sizeof path, CALENDARS "%s", name);
	return import_path(f, path, name, mode);
}

static int import_string(fx *f, const char *name, const char *text,
                         tldb_on_error mode)
{
	write_text(tmp_path(name), text);
	return import_path(f, tmp_path(name), name, mode);
}

static tldb_event *get(tldb *db, const char *uid)
{
	tldb_event *ev = NULL;
	cr_assert_eq(tldb_get(db, uid, &ev), TLDB_OK, "%s missing", uid);
	return ev;
}

static int stored(tldb *db, const char *uid)
{
	tldb_event *ev = NULL;
	int rc = tldb_get(db, uid, &ev);
	tldb_event_free(ev);
	return rc == TLDB_OK;
}

#define OK_IMPORT(f, name, mode)                                               \
	cr_assert_eq(import_cal(f, name, mode), TLDB_OK, "%s: %s", name,       \
	             (f)->err.msg)

/* Google writes DESCRIPTION: and LOCATION: with no value on every event;
 * libical called that "No value for DESCRIPTION property" and the whole
 * file was refused (skipped events in skip mode).  An empty text value is
 * no text: the field is absent, and no warning is given. */
Test(ical_lenient, google_empty_properties_are_absent_fields)
{
	fx *f = open_fx();
	OK_IMPORT(f, "google.ics", TLDB_ON_ERROR_ABORT);
	cr_expect_eq(count_events(f->db), 3);
	cr_expect_eq(f->r.count, 0, "no warnings expected:\n%s", f->r.text);
	tldb_event *ev = get(f->db, "3q1v5ubs0k8l2m9n7p6r4t2s1a@google.com");
	cr_expect_str_eq(ev->title, "Planning");
	cr_expect(!ev->body || !*ev->body, "body '%s'", ev->body);
	cr_expect(!ev->location || !*ev->location, "location '%s'",
	          ev->location);
	cr_expect_str_eq(ev->start, "2024-01-11T09:00Z");
	tldb_event_free(ev);
	ev = get(f->db, "7h2j4k6l8m0n2p4q6r8s0t2u4v@google.com");
	cr_expect_str_eq(ev->location, "Room 4, Berlin");
	cr_expect_str_eq(ev->tz, "Europe/Berlin");
	cr_expect_str_eq(ev->start, "2024-01-12T14:00");
	tldb_event_free(ev);
	ev = get(f->db, "9a8b7c6d5e4f3g2h1i0j@google.com");
	cr_expect_str_eq(ev->body, "Bring cake");
	cr_expect_str_eq(ev->start, "2024-01-15");
	tldb_event_free(ev);
	/* skip mode: nothing skipped */
	close_fx(f);
	f = open_fx();
	OK_IMPORT(f, "google.ics", TLDB_ON_ERROR_SKIP);
	cr_expect_eq(count_events(f->db), 3);
	close_fx(f);
}

/* Other empty properties say nothing either, but one that is not text
 * (an empty DTEND, RRULE, GEO) is odd enough for a warning at its line.
 * An empty X- property is as silent as an empty text one. */
Test(ical_lenient, other_empty_properties_are_warnings_at_their_line)
{
	fx *f = open_fx();
	const char *text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
	                   "BEGIN:VEVENT\r\nUID:e\r\n"
	                   "DTSTART:20240111T090000Z\r\n"
	                   "DTEND:\r\n" /* line 7 */
	                   "RRULE:\r\nX-FOO:\r\nSUMMARY:\r\nCOMMENT:\r\n"
	                   "CATEGORIES:\r\nGEO;X-Y=1:\r\n" /* line 13 */
	                   "END:VEVENT\r\nEND:VCALENDAR\r\n";
	cr_assert_eq(import_string(f, "e.ics", text, TLDB_ON_ERROR_ABORT),
	             TLDB_OK, "%s", f->err.msg);
	tldb_event *ev = get(f->db, "e");
	cr_expect_str_eq(ev->start, "2024-01-11T09:00Z");
	cr_expect(!ev->end || !*ev->end);
	cr_expect_eq(ev->ntags, 0);
	tldb_event_free(ev);
	cr_expect_eq(count_events(f->db), 1);
	cr_expect_not_null(strstr(f->r.text, "e.ics:7:"), "%s", f->r.text);
	cr_expect_not_null(strstr(f->r.text, "e.ics:8:"), "%s", f->r.text);
	cr_expect_not_null(strstr(f->r.text, "e.ics:13:"), "%s", f->r.text);
	cr_expect_eq(f->r.count, 3, "%s", f->r.text);
	close_fx(f);
}

/* A real Podio export has text after END:VCALENDAR. */
Test(ical_lenient, text_after_the_calendar_is_a_warning)
{
	fx *f = open_fx();
	OK_IMPORT(f, "podio.ics", TLDB_ON_ERROR_ABORT);
	cr_expect_eq(count_events(f->db), 1);
	cr_expect(stored(f->db, "podio-task-101"));
	cr_expect_not_null(strstr(f->r.text, "podio.ics:14:"), "%s", f->r.text);
	cr_expect_not_null(strstr(f->r.text, "after END:VCALENDAR"), "%s",
	                   f->r.text);
	cr_expect_eq(f->r.count, 1, "%s", f->r.text);
	close_fx(f);
}

/* RFC 9253 (LINK, CONCEPT, REFID) and RFC 9073 (STYLED-DESCRIPTION,
 * VLOCATION, PARTICIPANT) are unknown to libical 3.0: each property name
 * is a warning at its first line, the event imports.  RFC 7986's COLOR and
 * CONFERENCE are known and silent. */
Test(ical_lenient, new_rfc_properties_are_ignored_with_a_warning)
{
	fx *f = open_fx();
	OK_IMPORT(f, "rfc9253.ics", TLDB_ON_ERROR_ABORT);
	cr_expect_eq(count_events(f->db), 2);
	tldb_event *ev = get(f->db, "link-1");
	cr_expect_str_eq(ev->title, "Has links");
	cr_expect_str_eq(ev->start, "2024-01-11T09:00Z");
	cr_expect_str_eq(ev->end, "2024-01-11T10:00Z");
	tldb_event_free(ev);
	cr_expect(stored(f->db, "link-2"));
	const char *t = f->r.text;
	cr_expect_not_null(strstr(t, "rfc9253.ics:10:"), "%s", t);
	cr_expect_not_null(strstr(t, "LINK"), "%s", t);
	cr_expect_not_null(strstr(t, "rfc9253.ics:11:"), "%s", t);
	cr_expect_not_null(strstr(t, "rfc9253.ics:12:"), "%s", t);
	cr_expect_not_null(strstr(t, "rfc9253.ics:13:"), "%s", t);
	cr_expect_null(strstr(t, "rfc9253.ics:32:"), "%s", t);
	cr_expect_eq(f->r.count, 4, "one warning a property name:\n%s", t);
	close_fx(f);
}

/* An Exchange calendar whose last line is END:VCALENDARD, with Windows
 * zone names and X-MICROSOFT-CDO-* properties. */
Test(ical_lenient, exchange_misspelt_end_and_windows_zones)
{
	fx *f = open_fx();
	OK_IMPORT(f, "exchange.ics", TLDB_ON_ERROR_ABORT);
	cr_expect_eq(count_events(f->db), 2);
	tldb_event *ev = get(f->db, "040000008200E00074C5B7101A82E00800000000A0"
	                            "B1C2D3E4F5DA0100000000000000001000000"
	                            "0F1E2D3C4B5A69788796A5B4C3D2E1F0");
	cr_expect_str_eq(ev->title, "Budget review");
	cr_expect_str_eq(ev->tz, "America/Los_Angeles");
	cr_expect_str_eq(ev->start, "2024-01-11T10:00");
	cr_expect_str_eq(ev->end, "2024-01-11T11:00");
	tldb_event_free(ev);
	cr_expect(has_title(f->db, "Offsite"));
	cr_expect_not_null(strstr(f->r.text, "exchange.ics:54:"), "%s",
	                   f->r.text);
	cr_expect_not_null(strstr(f->r.text, "END:VCALENDARD"), "%s",
	                   f->r.text);
	cr_expect_eq(f->r.count, 1, "%s", f->r.text);
	close_fx(f);
}

/* A VEVENT with no DTSTART cannot be placed on a timeline: it is passed
 * over with a warning, in abort mode too, and the good ones import. */
Test(ical_lenient, a_vevent_without_dtstart_is_passed_over)
{
	tldb_on_error modes[] = {TLDB_ON_ERROR_ABORT, TLDB_ON_ERROR_SKIP};
	for (size_t i = 0; i < 2; i++) {
		fx *f = open_fx();
		OK_IMPORT(f, "no-dtstart.ics", modes[i]);
		cr_expect_eq(count_events(f->db), 2);
		cr_expect(stored(f->db, "good-1"));
		cr_expect(stored(f->db, "good-2"));
		cr_expect_not(stored(f->db, "no-start"));
		cr_expect_not_null(strstr(f->r.text, "no-dtstart.ics:10:"),
		                   "%s", f->r.text);
		cr_expect_not_null(strstr(f->r.text, "without DTSTART"), "%s",
		                   f->r.text);
		close_fx(f);
	}
}

/* Apple's shape with LF line ends only, the VTIMEZONE after the events
 * that use it, and a TZID naming an IANA zone with no VTIMEZONE. */
Test(ical_lenient, lf_line_ends_any_order_and_a_zone_without_vtimezone)
{
	fx *f = open_fx();
	OK_IMPORT(f, "apple-lf.ics", TLDB_ON_ERROR_ABORT);
	cr_expect_eq(count_events(f->db), 2);
	tldb_event *ev = get(f->db, "5F1C2B3A-1D2E-4F50-9A8B-7C6D5E4F3A2B");
	cr_expect_str_eq(ev->title, "Dinner");
	cr_expect_str_eq(ev->tz, "Europe/Paris");
	cr_expect_str_eq(ev->start, "2024-01-11T19:00");
	cr_expect_str_eq(ev->end, "2024-01-11T20:00");
	tldb_event_free(ev);
	ev = get(f->db, "8A7B6C5D-4E3F-2A1B-0C9D-8E7F6A5B4C3D");
	cr_expect_str_eq(ev->tz, "America/Chicago");
	cr_expect_str_eq(ev->start, "2024-01-12T07:30");
	cr_expect_str_eq(ev->end, "2024-01-12T08:00");
	tldb_event_free(ev);
	cr_expect_eq(f->r.count, 0, "%s", f->r.text);
	close_fx(f);
}

/* X-WR-TIMEZONE (Google, Apple) is the zone of the calendar's floating
 * times: DTSTART:20240111T080000 is 08:00 in Tokyo.  UTC times and days
 * stay what they are. */
Test(ical_lenient, x_wr_timezone_is_the_zone_of_floating_times)
{
	fx *f = open_fx();
	OK_IMPORT(f, "wr-timezone.ics", TLDB_ON_ERROR_ABORT);
	tldb_event *ev = get(f->db, "floating-1");
	cr_expect_str_eq(ev->start, "2024-01-11T08:00");
	cr_expect_str_eq(ev->end, "2024-01-11T09:00");
	cr_expect_str_eq(ev->tz, "Asia/Tokyo");
	tldb_event_free(ev);
	ev = get(f->db, "utc-1");
	cr_expect_str_eq(ev->start, "2024-01-11T00:00Z");
	cr_expect(!ev->tz || !*ev->tz, "%s", ev->tz);
	tldb_event_free(ev);
	ev = get(f->db, "day-1");
	cr_expect_str_eq(ev->start, "2024-01-12");
	cr_expect(!ev->tz || !*ev->tz, "%s", ev->tz);
	tldb_event_free(ev);
	/* an X-WR-TIMEZONE nobody knows: a warning, floating stays floating */
	const char *odd =
	        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
	        "X-WR-TIMEZONE:Mars/Olympus_Mons\r\nBEGIN:VEVENT\r\nUID:m\r\n"
	        "DTSTART:20240111T080000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
	cr_assert_eq(import_string(f, "mars.ics", odd, TLDB_ON_ERROR_ABORT),
	             TLDB_OK, "%s", f->err.msg);
	ev = get(f->db, "m");
	cr_expect_str_eq(ev->start, "2024-01-11T08:00");
	cr_expect(!ev->tz || !*ev->tz, "%s", ev->tz);
	tldb_event_free(ev);
	cr_expect_not_null(strstr(f->r.text, "mars.ics:4:"), "%s", f->r.text);
	close_fx(f);
}

/* Stray ENDs at the calendar's level (ical.js reads past them), blank
 * lines and text before BEGIN:VCALENDAR are warnings; unparsable values
 * of properties tldb does not store are warnings; an unparsable value of
 * a property that places the event (DTSTART, DTEND, RRULE...) still
 * refuses that VEVENT: guessing there would lose or move data. */
Test(ical_lenient, oddities_are_warnings_bad_dates_still_errors)
{
	fx *f = open_fx();
	const char *text = "\r\nGenerated by a web page\r\n"
	                   "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
	                   "END:VEVENT\r\n" /* line 6 */
	                   "BEGIN:VEVENT\r\nUID:a\r\n"
	                   "DTSTART:20240111T090000Z\r\nGEO:somewhere\r\n"
	                   "\r\n"
	                   "END:VEVENT\r\nEND:VCALENDAR\r\n";
	cr_assert_eq(import_string(f, "odd.ics", text, TLDB_ON_ERROR_ABORT),
	             TLDB_OK, "%s", f->err.msg);
	cr_expect(stored(f->db, "a"));
	const char *t = f->r.text;
	cr_expect_not_null(strstr(t, "odd.ics:2:"), "%s", t);
	cr_expect_not_null(strstr(t, "odd.ics:6:"), "%s", t);
	cr_expect_not_null(strstr(t, "odd.ics:7:"), "%s", t); /* GEO */
	cr_expect_eq(f->r.count, 3, "%s", t);

	const char *bad = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
	                  "BEGIN:VEVENT\r\nUID:ok\r\nDTSTART:20240111T090000Z"
	                  "\r\nEND:VEVENT\r\n"
	                  "BEGIN:VEVENT\r\nUID:rule\r\n" /* line 8 */
	                  "DTSTART:20240111T090000Z\r\nRRULE:FREQ=SOMETIMES\r\n"
	                  "END:VEVENT\r\nEND:VCALENDAR\r\n";
	cr_expect_neq(import_string(f, "bad.ics", bad, TLDB_ON_ERROR_ABORT),
	              TLDB_OK);
	cr_expect_eq(f->err.line, 8, "%lld: %s", (long long)f->err.line,
	             f->err.msg);
	cr_expect_not_null(strstr(f->err.msg, "RRULE"), "%s", f->err.msg);
	cr_expect_not(stored(f->db, "ok"));
	cr_expect_eq(import_string(f, "bad.ics", bad, TLDB_ON_ERROR_SKIP),
	             TLDB_OK, "%s", f->err.msg);
	cr_expect(stored(f->db, "ok"));
	cr_expect_not(stored(f->db, "rule"));
	close_fx(f);
}

/* A file is refused only when nothing in it is a calendar: a JPEG or an
 * HTML page named .ics fails at line 1 and stores nothing. */
Test(ical_lenient, a_file_with_no_calendar_in_it_is_refused)
{
	fx *f = open_fx();
	static const unsigned char jpeg[] = {
	        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J',  'F',  'I',
	        'F',  0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01,
	        0x00, 0x00, 0x0A, 0xFF, 0xDB, 0x00, 0x43, 0x00, 0x08,
	        0x06, 0x06, 0x07, 0x0A, 0x3A, 0x00, 0x00, 0xFF, 0xD9};
	FILE *out = fopen(tmp_path("photo.ics"), "wb");
	cr_assert_not_null(out);
	fwrite(jpeg, 1, sizeof jpeg, out);
	fclose(out);
	cr_expect_neq(import_path(f, tmp_path("photo.ics"), "photo.ics",
	                          TLDB_ON_ERROR_SKIP),
	              TLDB_OK);
	cr_expect_eq(f->err.line, 1, "%lld: %s", (long long)f->err.line,
	             f->err.msg);
	cr_expect_not_null(strstr(f->err.msg, "not an iCalendar file"), "%s",
	                   f->err.msg);
	const char *html = "<!DOCTYPE html>\n<html><head><title>Calendar"
	                   "</title></head>\n<body>Sign in to see this "
	                   "calendar: https://example.com</body></html>\n";
	cr_expect_neq(import_string(f, "page.ics", html, TLDB_ON_ERROR_SKIP),
	              TLDB_OK);
	cr_expect_eq(f->err.line, 1, "%lld: %s", (long long)f->err.line,
	             f->err.msg);
	cr_expect_not_null(strstr(f->err.msg, "not an iCalendar file"), "%s",
	                   f->err.msg);
	cr_expect_eq(count_events(f->db), 0);
	close_fx(f);
}

/* In skip mode a truncated last VEVENT costs only itself; in abort mode
 * the file is refused (the rest of the calendar may be missing). */
Test(ical_lenient, a_truncated_file_in_skip_mode_keeps_what_is_whole)
{
	fx *f = open_fx();
	const char *cut = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
	                  "BEGIN:VEVENT\r\nUID:whole\r\n"
	                  "DTSTART;VALUE=DATE:20240111\r\nEND:VEVENT\r\n"
	                  "BEGIN:VEVENT\r\nUID:cut\r\nDTSTART;VA";
	cr_expect_neq(import_string(f, "cut.ics", cut, TLDB_ON_ERROR_ABORT),
	              TLDB_OK);
	cr_expect_eq(f->err.line, 8, "%s", f->err.msg);
	cr_expect_eq(count_events(f->db), 0);
	cr_expect_eq(import_string(f, "cut.ics", cut, TLDB_ON_ERROR_SKIP),
	             TLDB_OK, "%s", f->err.msg);
	cr_expect(stored(f->db, "whole"));
	cr_expect_not_null(strstr(f->r.text, "cut.ics:8:"), "%s", f->r.text);
	cr_expect_eq(count_events(f->db), 1);
	close_fx(f);
}

/* ---- ical.js accepts the file => tldb imports it ---- */

/* How many VEVENTs with a DTSTART ical.js reads from path, or -1 when it
 * refuses the file. */
static int icaljs_count(const char *path)
{
	char cmd[2048];
	snprintf(cmd, sizeof cmd,
	         "NODE_PATH='" TLDB_BUILD_DIR
	         "/npm/node_modules:" TLDB_SOURCE_DIR
	         "/build/npm/node_modules' node -e \""
	         "const ICAL = require('ical.js');"
	         "const t = require('fs').readFileSync(process.argv[1], "
	         "'utf8');"
	         "let c; try { c = new ICAL.Component(ICAL.parse(t)); } "
	         "catch (e) { console.log(-1); process.exit(0); }"
	         "console.log(c.getAllSubcomponents('vevent')"
	         ".filter(e => e.getFirstPropertyValue('dtstart')).length);"
	         "\" '%s' 2>&1",
	         path);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	char line[256] = "";
	char *got = fgets(line, sizeof line, p);
	int status = pclose(p);
	cr_assert(got && status == 0,
	          "ical.js is missing (scripts/npm-deps.sh build): %s", line);
	return atoi(line);
}

Test(ical_lenient, what_icaljs_accepts_tldb_imports)
{
	static const char *const files[] = {
	        "google.ics",   "wr-timezone.ics", "podio.ics",
	        "rfc9253.ics",  "exchange.ics",    "no-dtstart.ics",
	        "apple-lf.ics",
	};
	int compared = 0;
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		char path[512];
		snprintf(path, sizeof path, CALENDARS "%s", files[i]);
		int want = icaljs_count(path);
		fx *f = open_fx();
		/* tldb imports every one of them, ical.js or not */
		OK_IMPORT(f, files[i], TLDB_ON_ERROR_ABORT);
		if (want >= 0) {
			cr_expect_eq(count_events(f->db), want, "%s", files[i]);
			compared++;
		}
		close_fx(f);
	}
	cr_expect_geq(compared, 6);
}
