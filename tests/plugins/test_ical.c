/*
 * test_ical.c -- the `ical` plugin through the real host: events put into a
 * temporary database (fixed clock), exported with the ical exporter into
 * memory, and checked against items 1-12 of the 25-point checklist of
 * docs/ical.md (shared docs; each test names its item as cNN): text,
 * escaping and folding.  Items 13-25 and the calendar properties of RFC 7986
 * are in test_ical_dates.c; the helpers in ical_helpers.h.  Every .ics a test
 * produces is parsed by libical (no X-LIC-ERROR) and by
 * tests/plugins/ical_validate.sh, which runs Mozilla's ical.js with octet,
 * CRLF, UTF-8 and required-property checks, python3-icalendar and
 * python3-vobject (validate=True); a test fails when any of them rejects the
 * file.  The importer's tests are in test_ical_import.c.
 */
#define _GNU_SOURCE /* nftw, mkdtemp */
#include "plugins/ical_helpers.h"

TestSuite(ical, .init = tmp_setup, .fini = tmp_teardown, .timeout = 300);

/* ---- the checklist ---- */

Test(ical, c01_crlf_everywhere_last_line_too)
{
	ctx c = open_ctx();
	put(&c, "one\ntwo", "2022-09-15", NULL, NULL);
	put(&c, "zoned", "2022-09-15T10:00", NULL, "Europe/Berlin");
	char *t = ics(&c, "c01");
	size_t n = strlen(t);
	cr_assert_gt(n, 2);
	cr_expect_eq(strcmp(t + n - 2, "\r\n"), 0);
	for (size_t i = 0; i < n; i++) {
		if (t[i] == '\n')
			cr_expect(i > 0 && t[i - 1] == '\r', "bare LF at %zu",
			          i);
		if (t[i] == '\r')
			cr_expect_eq(t[i + 1], '\n', "bare CR at %zu", i);
	}
	cr_expect_eq(strncmp(t, "BEGIN:VCALENDAR\r\n", 17), 0);
	cr_expect_eq(strcmp(t + n - 15, "END:VCALENDAR\r\n"), 0);
	free(t);
	close_ctx(&c);
}

Test(ical, c02_200_character_title_folds_and_unfolds_exactly)
{
	ctx c = open_ctx();
	char title[201];
	for (int i = 0; i < 200; i++)
		title[i] = (char)('a' + i % 26);
	title[200] = '\0';
	put(&c, title, "2022-09-15", NULL, NULL);
	char *t = ics(&c, "c02");
	check_physical_lines(t);
	cr_expect_gt(count_of(t, "\r\n "), 1);
	const char *l = line_of(t, "SUMMARY:");
	cr_assert_not_null(l);
	cr_expect_str_eq(l + 8, title);
	char *s = libical_summary(t);
	cr_expect_str_eq(s, title);
	free(s);
	free(t);
	close_ctx(&c);
}

Test(ical, c03_ascii_then_emoji_and_cjk_every_line_valid_utf8)
{
	ctx c = open_ctx();
	/* "SUMMARY:" is 8 octets: 66 ASCII bring the line to 74, so the
	 * emoji (4 octets) straddles the fold. */
	char title[256];
	memset(title, 'x', 66);
	snprintf(title + 66, sizeof title - 66,
	         "\xF0\x9F\x8E\x89\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E"
	         "\xE4\xB8\xAD\xE6\x96\x87 and more text after it");
	put(&c, title, "2022-09-15", NULL, NULL);
	/* and shifted by 1..3 octets so every cut position is tried */
	for (int k = 1; k <= 3; k++) {
		char t2[260];
		snprintf(t2, sizeof t2, "%.*s%s", k, "yyy", title);
		put(&c, t2, "2022-09-16", NULL, NULL);
	}
	char *t = ics(&c, "c03");
	check_physical_lines(t);
	char *s = libical_summary(t);
	cr_expect_str_eq(s, title);
	free(s);
	free(t);
	close_ctx(&c);
}

Test(ical, c04_100_cjk_characters)
{
	ctx c = open_ctx();
	char title[400];
	for (int i = 0; i < 100; i++)
		memcpy(title + 3 * i, i % 2 ? "\xE6\x97\xA5" : "\xE8\xAA\x9E",
		       3);
	title[300] = '\0';
	put(&c, title, "2022-09-15", NULL, NULL);
	char *t = ics(&c, "c04");
	check_physical_lines(t);
	cr_expect_str_eq(line_of(t, "SUMMARY:") + 8, title);
	const char *path = validate(t, "c04b");
	char *js = icaljs_get(path, "summary", NULL);
	cr_expect_str_eq(js, title);
	free(js);
	free(t);
	close_ctx(&c);
}

Test(ical, c05_escape_pair_at_octet_74_stays_whole)
{
	ctx c = open_ctx();
	/* Titles whose ',' (written "\,") falls on every octet from 60 to
	 * 80 of the line, and on the second fold too. */
	for (int k = 52; k <= 72; k++) {
		char title[300];
		memset(title, 'a', (size_t)k);
		title[k] = ',';
		memset(title + k + 1, 'b', 70);
		title[k + 71] = ';';
		memset(title + k + 72, 'c', 80);
		title[k + 152] = '\0';
		put(&c, title, "2022-09-15", NULL, NULL);
	}
	char *t = ics(&c, "c05");
	check_physical_lines(t);
	free(t);
	close_ctx(&c);
}

Test(ical, c06_line_of_exactly_75_octets_is_not_folded)
{
	ctx c = open_ctx();
	char title[80];
	memset(title, 'q', 67); /* "SUMMARY:" + 67 = 75 octets */
	title[67] = '\0';
	put(&c, title, "2022-09-15", NULL, NULL);
	char *t = ics(&c, "c06");
	char want[100];
	snprintf(want, sizeof want, "\r\nSUMMARY:%s\r\n", title);
	const char *at = strstr(t, want);
	cr_expect_not_null(at, "%s", t);
	if (at)
		cr_expect_neq(at[strlen(want)], ' ');
	free(t);
	/* 76 octets fold */
	title[67] = 'q';
	title[68] = '\0';
	put(&c, title, "2022-09-16", NULL, NULL);
	t = ics(&c, "c06b");
	snprintf(want, sizeof want, "\r\nSUMMARY:%.67s\r\n q\r\n", title);
	cr_expect_not_null(strstr(t, want), "%s", t);
	free(t);
	close_ctx(&c);
}

Test(ical, c07_text_escaping)
{
	ctx c = open_ctx();
	put(&c, "Lunch, dinner; a\\b\nx", "2022-09-15", NULL, NULL);
	char *t = ics(&c, "c07");
	cr_expect_not_null(
	        strstr(t, "\r\nSUMMARY:Lunch\\, dinner\\; a\\\\b\\nx\r\n"),
	        "%s", t);
	char *s = libical_summary(t);
	cr_expect_str_eq(s, "Lunch, dinner; a\\b\nx");
	free(s);
	/* ':' and '"' are not escaped */
	put(&c, "Re: \"quoted\"", "2022-09-16", NULL, NULL);
	free(t);
	t = ics(&c, "c07b");
	cr_expect_not_null(strstr(t, "\r\nSUMMARY:Re: \"quoted\"\r\n"));
	free(t);
	close_ctx(&c);
}

Test(ical, c08_location_with_a_comma)
{
	ctx c = open_ctx();
	tldb_event ev;
	memset(&ev, 0, sizeof ev);
	ev.title = "Summit";
	ev.start = "2022-09-15";
	ev.location = "Berlin, Germany";
	ev.url = "https://example.org/a?b=1,2;c";
	const char *tags[] = {"sco", "russia, china", "x\\y"};
	ev.tags = tags;
	ev.ntags = 3;
	put_event(&c, &ev);
	char *t = ics(&c, "c08");
	cr_expect_not_null(strstr(t, "\r\nLOCATION:Berlin\\, Germany\r\n"));
	cr_expect_not_null(
	        strstr(t, "\r\nURL:https://example.org/a?b=1,2;c\r\n"));
	cr_expect_not_null(
	        strstr(t, "\r\nCATEGORIES:sco,russia\\, china,x\\\\y\r\n"),
	        "%s", t);
	free(t);
	close_ctx(&c);
}

Test(ical, c09_control_characters_removed)
{
	ctx c = open_ctx();
	put(&c,
	    "a\x01"
	    "b\x07"
	    "c\r\x1b"
	    "d\te\x7f"
	    "f",
	    "2022-09-15", NULL, NULL);
	tldb_event ev;
	memset(&ev, 0, sizeof ev);
	ev.title = "with body";
	ev.start = "2022-09-16";
	ev.body = "line one\r\nline two\x0c";
	put_event(&c, &ev);
	char *t = ics(&c, "c09");
	cr_expect_not_null(strstr(t, "\r\nSUMMARY:abcd\te"
	                             "f\r\n"),
	                   "%s", t);
	cr_expect_not_null(strstr(t, "\r\nDESCRIPTION:line one\\nline two\r\n"),
	                   "%s", t);
	free(t);
	close_ctx(&c);
}

Test(ical, c10_100kb_description_round_trips_through_icaljs)
{
	ctx c = open_ctx();
	size_t cap = 100 * 1024;
	char *body = malloc(cap + 1);
	size_t n = 0;
	static const char *const parts[] = {"plain words ",
	                                    "comma, ",
	                                    "semi; ",
	                                    "back\\slash ",
	                                    "new\nline ",
	                                    "caf\xC3\xA9 ",
	                                    "\xE6\x97\xA5\xE6\x9C\xAC ",
	                                    "\xF0\x9F\x8E\x89 ",
	                                    "colon: \"q\" ",
	                                    "tab\there "};
	for (int i = 0; n + 16 < cap; i++) {
		const char *p = parts[(i * 7) % 10];
		size_t k = strlen(p);
		memcpy(body + n, p, k);
		n += k;
	}
	body[n] = '\0';
	tldb_event ev;
	memset(&ev, 0, sizeof ev);
	ev.title = "big";
	ev.start = "2022-09-15";
	ev.body = body;
	put_event(&c, &ev);
	char *t = export_as(&c, "ical", NULL, NULL, NULL, NULL);
	check_physical_lines(t);
	const char *path = validate(t, "c10");
	size_t len;
	char *js = icaljs_get(path, "description", &len);
	cr_expect_eq(len, n);
	cr_expect(len == n && memcmp(js, body, n) == 0,
	          "ical.js read the description differently");
	free(js);
	free(body);
	free(t);
	close_ctx(&c);
}

Test(ical, c11_utc_times_with_z)
{
	ctx c = open_ctx();
	put(&c, "utc", "2022-09-15T05:00:00Z", "2022-09-15T06:30Z", NULL);
	put(&c, "offset", "2022-09-16T10:00+05:00", NULL, NULL);
	char *t = ics(&c, "c11");
	cr_expect_not_null(strstr(t, "\r\nDTSTART:20220915T050000Z\r\n"));
	cr_expect_not_null(strstr(t, "\r\nDTEND:20220915T063000Z\r\n"));
	cr_expect_not_null(strstr(t, "\r\nDTSTART:20220916T050000Z\r\n"));
	/* a point in time: no DTEND made up a minute later (RFC 5545
	 * 3.6.1 ends it at its start) */
	cr_expect_not_null(strstr(t, "\r\nDTSTART:20220916T050000Z\r\n"
	                             "SUMMARY:offset\r\n"),
	                   "%s", t);
	free(t);
	close_ctx(&c);
}

Test(ical, c12_zoned_event_one_vtimezone_bare_tzid)
{
	ctx c = open_ctx();
	put(&c, "meet", "2022-09-15T10:00", "2022-09-15T11:00",
	    "Europe/Berlin");
	put(&c, "again", "2022-09-16T10:00", NULL, "Europe/Berlin");
	put(&c, "named", "2022-09-17T09:30[Asia/Samarkand]", NULL, NULL);
	char *t = ics(&c, "c12");
	cr_expect_eq(count_of(t, "BEGIN:VTIMEZONE"), 2, "%s", t);
	cr_expect_eq(count_of(t, "\r\nTZID:Europe/Berlin\r\n"), 1);
	cr_expect_eq(count_of(t, "\r\nTZID:Asia/Samarkand\r\n"), 1);
	cr_expect_null(strstr(t, "freeassociation"));
	cr_expect_null(strstr(t, "TZID=/"));
	cr_expect_not_null(strstr(
	        t, "\r\nDTSTART;TZID=Europe/Berlin:20220915T100000\r\n"));
	cr_expect_not_null(
	        strstr(t, "\r\nDTEND;TZID=Europe/Berlin:20220915T110000\r\n"));
	cr_expect_not_null(strstr(
	        t, "\r\nDTSTART;TZID=Asia/Samarkand:20220917T093000\r\n"));
	/* the VTIMEZONE comes before the first VEVENT using it */
	cr_expect_lt(strstr(t, "TZID:Europe/Berlin"),
	             strstr(t, "TZID=Europe/Berlin"));
	/* libical agrees on the instant: 10:00 CEST is 08:00Z */
	icalcomponent *cal = icalparser_parse_string(t);
	icalcomponent *ev =
	        icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	struct icaltimetype s = icalcomponent_get_dtstart(ev);
	s = icaltime_convert_to_zone(s, icaltimezone_get_utc_timezone());
	cr_expect_eq(s.hour, 8);
	icalcomponent_free(cal);
	free(t);
	close_ctx(&c);
}
