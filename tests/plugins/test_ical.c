/*
 * test_ical.c -- the `ical` plugin through the real host: events put into a
 * temporary database (fixed clock), exported with the ical exporter into
 * memory, and checked against the 25-point checklist of docs/ical.md
 * (shared docs; each test names its item as cNN) and the calendar
 * properties of RFC 7986.  Every .ics a test produces is parsed by libical
 * (no X-LIC-ERROR) and by tests/plugins/ical_validate.sh, which runs
 * Mozilla's ical.js with octet, CRLF, UTF-8 and required-property checks,
 * python3-icalendar and python3-vobject (validate=True); a test fails when
 * any of them rejects the file.  The importer's tests are in
 * test_ical_import.c.
 */
#define _GNU_SOURCE /* nftw, mkdtemp */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <libical/ical.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plugins/helpers.h"

extern char **environ;

#define VALIDATOR TLDB_SOURCE_DIR "/tests/plugins/ical_validate.sh"

TestSuite(ical, .init = tmp_setup, .fini = tmp_teardown, .timeout = 300);

/* ---- fixtures ---- */

typedef struct ctx {
	tldb *db;
	tldb_plugins *p;
} ctx;

static ctx open_ctx(void)
{
	ctx c;
	c.db = open_db(tmp_path("t.db"));
	c.p = new_registry();
	load_ok(c.p, BUILD_PLUGIN("ical"));
	load_ok(c.p, BUILD_PLUGIN("json"));
	return c;
}

static void close_ctx(ctx *c)
{
	tldb_close(c->db);
	tldb_plugins_free(c->p);
}

/* Puts an event; returns its uid (static buffers, used in turn). */
static const char *put(ctx *c, const char *title, const char *start,
                       const char *end, const char *tz)
{
	static char uids[8][TLDB_MAX_UID + 1];
	static int next;
	char *uid = uids[next++ % 8];
	tldb_event ev;
	memset(&ev, 0, sizeof ev);
	ev.title = title;
	ev.start = start;
	ev.end = end;
	ev.tz = tz;
	cr_assert_eq(tldb_put(c->db, &ev, uid, NULL), TLDB_OK, "put %s: %s",
	             start, tldb_errmsg(c->db));
	return uid;
}

static void put_event(ctx *c, const tldb_event *ev)
{
	cr_assert_eq(tldb_put(c->db, ev, NULL, NULL), TLDB_OK, "put: %s",
	             tldb_errmsg(c->db));
}

/* The exporter's output and the host's messages share one user pointer. */
typedef struct outbox {
	sink s;
	reports *r;
} outbox;

static int outbox_write(void *ud, const void *buf, size_t len)
{
	return sink_write(&((outbox *)ud)->s, buf, len);
}

static void outbox_report(void *ud, const char *msg)
{
	collect(((outbox *)ud)->r, msg);
}

/* Runs the exporter `format` with -o key=value pairs (NULL-ended); returns
 * the output (the caller's); warnings and the error in *r when not NULL;
 * the status in *rc_out, or asserted to be TLDB_OK when rc_out is NULL. */
static char *export_as(ctx *c, const char *format, const tldb_query *q,
                       const char *const *kv, reports *r, int *rc_out)
{
	const char *keys[8], *values[8];
	size_t n = 0;
	for (; kv && kv[2 * n] && n < 8; n++) {
		keys[n] = kv[2 * n];
		values[n] = kv[2 * n + 1];
	}
	reports scratch;
	memset(&scratch, 0, sizeof scratch);
	outbox box = {{0}, r ? r : &scratch};
	tldb_export_opts o;
	memset(&o, 0, sizeof o);
	o.format = format;
	o.query = q;
	o.option_keys = keys;
	o.option_values = values;
	o.noptions = n;
	o.write = outbox_write;
	o.report = outbox_report;
	o.ud = &box;
	tldb_msgbuf err;
	int rc = tldb_export(c->db, c->p, &o, NULL, &err);
	if (rc_out)
		*rc_out = rc;
	else
		cr_assert_eq(rc, TLDB_OK, "export: %s", err.msg);
	if (rc)
		collect(box.r, err.msg);
	if (!box.s.buf)
		box.s.buf = calloc(1, 1);
	return box.s.buf;
}

/* ---- validation: libical, then ical.js, python3-icalendar, vobject ---- */

static void run_validator(const char *path, const char *const *argv_in,
                          const char *out_path, int *status)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out_path,
	                                 O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	(void)path;
	setenv("TLDB_BUILD_DIR", TLDB_BUILD_DIR, 1);
	setenv("TLDB_SOURCE_DIR", TLDB_SOURCE_DIR, 1);
	pid_t pid;
	int rc = posix_spawn(&pid, "/bin/sh", &fa, NULL, (char *const *)argv_in,
	                     environ);
	posix_spawn_file_actions_destroy(&fa);
	cr_assert_eq(rc, 0, "spawn %s", VALIDATOR);
	cr_assert_eq(waitpid(pid, status, 0), pid);
}

static void libical_accepts(const char *text)
{
	icalcomponent *c = icalparser_parse_string(text);
	cr_assert_not_null(c, "libical cannot parse the output");
	cr_expect_eq(icalcomponent_isa(c), ICAL_VCALENDAR_COMPONENT);
	int errors = icalcomponent_count_errors(c);
	if (errors) {
		char *s = icalcomponent_as_ical_string_r(c);
		cr_expect_eq(errors, 0, "libical found %d errors:\n%s", errors,
		             s);
		free(s);
	}
	icalcomponent_free(c);
}

/* Writes text to NAME.ics in the test's folder and has every validator
 * read it. */
static const char *validate(const char *text, const char *name)
{
	static char path[512];
	char file[128];
	snprintf(file, sizeof file, "%s.ics", name);
	snprintf(path, sizeof path, "%s", tmp_path(file));
	write_text(path, text);
	libical_accepts(text);
	const char *out = tmp_path("validator.out");
	const char *argv[] = {"sh", VALIDATOR, path, NULL};
	int status;
	run_validator(VALIDATOR, argv, out, &status);
	char *msg = slurp(out, NULL);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	          "validators reject %s:\n%s", path, msg);
	free(msg);
	return path;
}

/* PROP of the first VEVENT of the .ics at path as ical.js reads it. */
static char *icaljs_get(const char *path, const char *prop, size_t *len)
{
	const char *out = tmp_path("icaljs.out");
	const char *argv[] = {"sh", VALIDATOR, "--get", path, prop, NULL};
	int status;
	run_validator(VALIDATOR, argv, out, &status);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	          "ical.js --get failed");
	return slurp(out, len);
}

/* Exports everything, checks the result with every validator. */
static char *ics(ctx *c, const char *name)
{
	char *text = export_as(c, "ical", NULL, NULL, NULL, NULL);
	validate(text, name);
	return text;
}

/* ---- reading the output ---- */

/* The text with folds removed (the caller's). */
static char *unfold(const char *text)
{
	size_t n = strlen(text);
	char *u = malloc(n + 1), *d = u;
	cr_assert_not_null(u);
	for (size_t i = 0; i < n; i++) {
		if (text[i] == '\r' && text[i + 1] == '\n' &&
		    text[i + 2] == ' ') {
			i += 2;
			continue;
		}
		*d++ = text[i];
	}
	*d = '\0';
	return u;
}

/* The logical line that starts with `prefix` (after a line start), copied
 * into a static buffer without its CRLF; NULL when none. */
static const char *line_of(const char *text, const char *prefix)
{
	static char *buf;
	char *u = unfold(text);
	const char *p = u;
	const char *hit = NULL;
	size_t plen = strlen(prefix);
	while (p && *p) {
		if (strncmp(p, prefix, plen) == 0) {
			hit = p;
			break;
		}
		p = strstr(p, "\r\n");
		if (p)
			p += 2;
	}
	free(buf);
	buf = NULL;
	if (hit) {
		const char *e = strstr(hit, "\r\n");
		size_t n = e ? (size_t)(e - hit) : strlen(hit);
		buf = malloc(n + 1);
		memcpy(buf, hit, n);
		buf[n] = '\0';
	}
	free(u);
	return buf;
}

static int count_of(const char *text, const char *needle)
{
	int n = 0;
	for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static int valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		size_t k = c < 0x80         ? 1
		           : (c >> 5) == 6  ? 2
		           : (c >> 4) == 14 ? 3
		           : (c >> 3) == 30 ? 4
		                            : 0;
		if (!k || i + k > n)
			return 0;
		for (size_t j = 1; j < k; j++)
			if ((s[i + j] & 0xC0) != 0x80)
				return 0;
		i += k;
	}
	return 1;
}

/* Every physical line: at most 75 octets, valid UTF-8 alone, and never
 * ending inside an escape pair (an odd run of trailing backslashes). */
static void check_physical_lines(const char *text)
{
	const char *p = text;
	int lineno = 0;
	while (*p) {
		const char *e = strstr(p, "\r\n");
		cr_assert_not_null(e, "line %d lacks CRLF", lineno + 1);
		size_t n = (size_t)(e - p);
		lineno++;
		cr_expect_leq(n, 75, "line %d has %zu octets", lineno, n);
		cr_expect(valid_utf8((const unsigned char *)p, n),
		          "line %d is not valid UTF-8 alone", lineno);
		size_t bs = 0;
		while (bs < n && p[n - 1 - bs] == '\\')
			bs++;
		if (e[2] == ' ')
			cr_expect_eq(bs % 2, 0, "line %d splits an escape pair",
			             lineno);
		p = e + 2;
	}
}

/* The first VEVENT's SUMMARY, unescaped, as libical reads it. */
static char *libical_summary(const char *text)
{
	icalcomponent *c = icalparser_parse_string(text);
	cr_assert_not_null(c);
	icalcomponent *ev =
	        icalcomponent_get_first_component(c, ICAL_VEVENT_COMPONENT);
	cr_assert_not_null(ev);
	const char *s = icalcomponent_get_summary(ev);
	char *copy = strdup(s ? s : "");
	icalcomponent_free(c);
	return copy;
}

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
	cr_expect_not_null(strstr(t, "\r\nDTEND:20220916T050100Z\r\n"), "%s",
	                   t);
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

Test(ical, c13_day_precision_value_date_exclusive_dtend)
{
	ctx c = open_ctx();
	put(&c, "day", "2022-09-15", NULL, "Asia/Samarkand");
	put(&c, "two days", "2022-09-20", "2022-09-21", NULL);
	char *t = ics(&c, "c13");
	cr_expect_not_null(strstr(t, "\r\nDTSTART;VALUE=DATE:20220915\r\n"
	                             "DTEND;VALUE=DATE:20220916\r\n"));
	cr_expect_not_null(strstr(t, "\r\nDTSTART;VALUE=DATE:20220920\r\n"
	                             "DTEND;VALUE=DATE:20220922\r\n"));
	cr_expect_null(strstr(t, "X-TLDB-PRECISION"));
	free(t);
	close_ctx(&c);
}

Test(ical, c14_inclusive_range_ends_the_day_after)
{
	ctx c = open_ctx();
	put(&c, "range", "2007-06-28", "2007-07-08", NULL);
	char *t = ics(&c, "c14");
	cr_expect_not_null(strstr(t, "\r\nDTSTART;VALUE=DATE:20070628\r\n"));
	cr_expect_not_null(strstr(t, "\r\nDTEND;VALUE=DATE:20070709\r\n"));
	free(t);
	close_ctx(&c);
}

Test(ical, c15_month_precision_all_day_span)
{
	ctx c = open_ctx();
	put(&c, "february", "2024-02", NULL, NULL);
	put(&c, "maybe", "2022-09-15?", NULL, NULL);
	char *t = ics(&c, "c15");
	cr_expect_not_null(strstr(t, "\r\nDTSTART;VALUE=DATE:20240201\r\n"
	                             "DTEND;VALUE=DATE:20240301\r\n"));
	cr_expect_not_null(strstr(t, "\r\nX-TLDB-PRECISION:month\r\n"));
	cr_expect_not_null(strstr(t, "\r\nX-TLDB-EDTF:2024-02\r\n"));
	/* a qualified date keeps its EDTF too */
	cr_expect_not_null(strstr(t, "\r\nX-TLDB-EDTF:2022-09-15?\r\n"));
	free(t);
	/* -o coarse=skip leaves coarse events out */
	t = export_as(&c, "ical", NULL,
	              (const char *const[]){"coarse", "skip", NULL}, NULL,
	              NULL);
	validate(t, "c15b");
	cr_expect_null(strstr(t, "february"));
	cr_expect_not_null(strstr(t, "maybe"));
	free(t);
	close_ctx(&c);
}

Test(ical, c16_year_range_1914_1918)
{
	ctx c = open_ctx();
	put(&c, "war", "1914", "1918", NULL);
	char *t = ics(&c, "c16");
	cr_expect_not_null(strstr(t, "\r\nDTSTART;VALUE=DATE:19140101\r\n"
	                             "DTEND;VALUE=DATE:19190101\r\n"));
	cr_expect_not_null(strstr(t, "\r\nX-TLDB-PRECISION:year\r\n"));
	cr_expect_not_null(strstr(t, "\r\nX-TLDB-EDTF:1914/1918\r\n"));
	free(t);
	close_ctx(&c);
}

/* The UTC instant libical reads for the first VEVENT's DTSTART/DTEND. */
static void libical_utc(const char *text, int end, struct icaltimetype *out)
{
	icalcomponent *cal = icalparser_parse_string(text);
	cr_assert_not_null(cal);
	icalcomponent *ev =
	        icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	struct icaltimetype t = end ? icalcomponent_get_dtend(ev)
	                            : icalcomponent_get_dtstart(ev);
	*out = icaltime_convert_to_zone(t, icaltimezone_get_utc_timezone());
	icalcomponent_free(cal);
}

Test(ical, c17_overnight_event_across_a_dst_change)
{
	ctx c = open_ctx();
	/* CEST ends at 03:00 on 2022-10-30: 22:00 CEST to 06:00 CET = 9 h */
	put(&c, "night shift", "2022-10-29T22:00", "2022-10-30T06:00",
	    "Europe/Berlin");
	char *t = ics(&c, "c17");
	cr_expect_not_null(strstr(
	        t, "\r\nDTSTART;TZID=Europe/Berlin:20221029T220000\r\n"));
	cr_expect_not_null(
	        strstr(t, "\r\nDTEND;TZID=Europe/Berlin:20221030T060000\r\n"));
	struct icaltimetype s, e;
	libical_utc(t, 0, &s);
	libical_utc(t, 1, &e);
	cr_expect(s.day == 29 && s.hour == 20, "start %02d %02d", s.day,
	          s.hour);
	cr_expect(e.day == 30 && e.hour == 5, "end %02d %02d", e.day, e.hour);
	free(t);
	close_ctx(&c);
}

Test(ical, c18_skipped_local_time_in_utc)
{
	ctx c = open_ctx();
	/* 02:30 does not exist in Berlin on 2022-03-27; read with the offset
	 * before the gap (+01:00) it is 01:30Z */
	put(&c, "gap", "2022-03-27T02:30", NULL, "Europe/Berlin");
	char *t = ics(&c, "c18");
	cr_expect_not_null(strstr(t, "\r\nDTSTART:20220327T013000Z\r\n"), "%s",
	                   t);
	cr_expect_null(strstr(t, "DTSTART;TZID"));
	cr_expect_not_null(strstr(t, "\r\nX-TLDB-EDTF:2022-03-27T02:30\r\n"));
	cr_expect_not_null(strstr(t, "\r\nX-TLDB-TZ:Europe/Berlin\r\n"));
	free(t);
	close_ctx(&c);
}

Test(ical, c19_repeated_local_time_in_utc)
{
	ctx c = open_ctx();
	/* 02:30 happens twice in Berlin on 2022-10-30; the first is 00:30Z */
	put(&c, "overlap", "2022-10-30T02:30", "2022-10-30T04:00",
	    "Europe/Berlin");
	char *t = ics(&c, "c19");
	cr_expect_not_null(strstr(t, "\r\nDTSTART:20221030T003000Z\r\n"), "%s",
	                   t);
	cr_expect_not_null(
	        strstr(t, "\r\nDTEND;TZID=Europe/Berlin:20221030T040000\r\n"));
	free(t);
	close_ctx(&c);
}

Test(ical, c20_old_years_as_dates_bce_left_out_with_a_warning)
{
	ctx c = open_ctx();
	put(&c, "old", "1850-06-01", NULL, NULL);
	put(&c, "older", "0999-03-01", NULL, NULL);
	put(&c, "older year", "0999", NULL, NULL);
	put(&c, "ides of march", "-0043-03-15", NULL, NULL);
	put(&c, "old zoned", "1850-06-01T12:00", NULL, "Europe/Berlin");
	reports r;
	memset(&r, 0, sizeof r);
	char *t = export_as(&c, "ics", NULL, NULL, &r, NULL);
	validate(t, "c20");
	cr_expect_not_null(strstr(t, "\r\nDTSTART;VALUE=DATE:18500601\r\n"));
	cr_expect_not_null(strstr(t, "\r\nDTSTART;VALUE=DATE:09990301\r\n"));
	cr_expect_not_null(strstr(t, "\r\nDTSTART;VALUE=DATE:09990101\r\n"));
	cr_expect_not_null(strstr(t, "old zoned"));
	cr_expect_null(strstr(t, "ides of march"));
	cr_expect_eq(count_of(t, "BEGIN:VEVENT"), 4);
	cr_expect_eq(r.count, 1, "%s", r.text);
	cr_expect_not_null(strstr(r.text, "warning"), "%s", r.text);
	cr_expect_not_null(strstr(r.text, "BCE"), "%s", r.text);
	free(t);
	/* and JSON keeps the event */
	char *j = export_as(&c, "json", NULL, NULL, NULL, NULL);
	cr_expect_not_null(strstr(j, "\"-0043-03-15\""));
	free(j);
	close_ctx(&c);
}

Test(ical, c21_rrules_carry_until_in_utc)
{
	ctx c = open_ctx();
	/* tldb stores occurrences, so the exporter writes no event RRULE
	 * (the importer expands a weekly RRULE with UNTIL in UTC: see
	 * test_ical_import.c, c21_weekly_rrule_until_utc_exdate_and_override);
	 * the RRULEs it writes are the VTIMEZONEs', with UNTIL in UTC */
	put(&c, "ny", "2022-09-15T10:00", NULL, "America/New_York");
	put(&c, "be", "2022-09-15T10:00", NULL, "Europe/Berlin");
	char *t = ics(&c, "c21");
	char *u = unfold(t);
	int rules = 0;
	for (const char *p = u; (p = strstr(p, "\r\nRRULE:")) != NULL; p++) {
		rules++;
		const char *e = strstr(p + 2, "\r\n");
		const char *until = strstr(p, "UNTIL=");
		if (until && until < e) {
			size_t k = strcspn(until, ";\r");
			cr_expect_eq(until[k - 1], 'Z', "%.*s", (int)k, until);
		}
	}
	cr_expect_gt(rules, 0);
	for (const char *p = u; (p = strstr(p, "BEGIN:VEVENT")) != NULL; p++) {
		const char *e = strstr(p, "END:VEVENT");
		const char *r = strstr(p, "RRULE");
		cr_expect(!r || r > e, "an event RRULE");
	}
	free(u);
	free(t);
	close_ctx(&c);
}

Test(ical, c22_update_keeps_uid_bumps_sequence_and_last_modified)
{
	ctx c = open_ctx();
	char uid[TLDB_MAX_UID + 1];
	snprintf(uid, sizeof uid, "%s",
	         put(&c, "draft", "2022-09-15", NULL, NULL));
	char *t1 = ics(&c, "c22a");
	cr_expect_not_null(strstr(t1, "\r\nSEQUENCE:0\r\n"));
	cr_expect_not_null(
	        strstr(t1, "\r\nLAST-MODIFIED:20220915T120000Z\r\n"));
	cr_expect_not_null(strstr(t1, "\r\nDTSTAMP:20220915T120000Z\r\n"));
	tldb_set_now(c.db, TEST_NOW + 3600);
	tldb_event ev;
	memset(&ev, 0, sizeof ev);
	ev.uid = uid;
	ev.title = "final";
	ev.start = "2022-09-15";
	put_event(&c, &ev);
	char *t2 = ics(&c, "c22b");
	char want[400];
	snprintf(want, sizeof want, "\r\nUID:%s\r\n", uid);
	cr_expect_not_null(strstr(t1, want));
	cr_expect_not_null(strstr(t2, want));
	cr_expect_not_null(strstr(t2, "\r\nSEQUENCE:1\r\n"));
	cr_expect_not_null(
	        strstr(t2, "\r\nLAST-MODIFIED:20220915T130000Z\r\n"));
	cr_expect_not_null(strstr(t2, "\r\nDTSTAMP:20220915T130000Z\r\n"));
	cr_expect_not_null(strstr(t2, "\r\nCREATED:20220915T120000Z\r\n"));
	free(t1);
	free(t2);
	close_ctx(&c);
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = UINT64_C(1469598103934665603);
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
	return h;
}

Test(ical, c23_no_change_byte_identical)
{
	ctx c = open_ctx();
	put(&c, "a", "2022-09-15T10:00", NULL, "Europe/Berlin");
	put(&c, "b", "2024-02", NULL, NULL);
	put(&c, "c", "2022-09-15T05:00Z", NULL, NULL);
	char *t1 = ics(&c, "c23a");
	tldb_set_now(c.db, TEST_NOW + 86400);
	/* re-putting the same content changes nothing */
	put(&c, "a", "2022-09-15T10:00", NULL, "Europe/Berlin");
	char *t2 = ics(&c, "c23b");
	cr_expect_str_eq(t1, t2);
	cr_expect_eq(fnv1a(t1), fnv1a(t2), "the ETag changed");
	free(t1);
	free(t2);
	close_ctx(&c);
}

Test(ical, c24_deleted_event_gone_empty_calendar_valid)
{
	ctx c = open_ctx();
	char uid[TLDB_MAX_UID + 1];
	snprintf(uid, sizeof uid, "%s",
	         put(&c, "doomed", "2022-09-15", NULL, NULL));
	put(&c, "kept", "2022-09-16", NULL, NULL);
	cr_assert_eq(tldb_remove(c.db, uid), TLDB_OK);
	char *t = ics(&c, "c24a");
	cr_expect_null(strstr(t, uid));
	cr_expect_null(strstr(t, "doomed"));
	cr_expect_not_null(strstr(t, "kept"));
	free(t);
	tldb_close(c.db);
	c.db = open_db(tmp_path("empty.db"));
	t = ics(&c, "c24b");
	cr_expect_null(strstr(t, "VEVENT"));
	cr_expect_not_null(strstr(t, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
	cr_expect_not_null(strstr(t, "END:VCALENDAR\r\n"));
	free(t);
	close_ctx(&c);
}

Test(ical, c25_no_duplicate_uids_in_one_feed)
{
	ctx c = open_ctx();
	static const char *const zones[] = {"Europe/Berlin", "America/New_York",
	                                    "Asia/Samarkand", NULL};
	cr_assert_eq(tldb_begin(c.db), TLDB_OK);
	for (int i = 0; i < 300; i++) {
		char title[32], start[40];
		snprintf(title, sizeof title, "event %d", i % 50);
		if (i % 3)
			snprintf(start, sizeof start,
			         "20%02d-%02d-%02dT%02d:%02d", i % 30,
			         1 + i % 12, 1 + i % 28, i % 24, i % 60);
		else
			snprintf(start, sizeof start, "19%02d-%02d", i % 100,
			         1 + i % 12);
		put(&c, title, start, NULL, zones[i % 4]);
	}
	cr_assert_eq(tldb_commit(c.db), TLDB_OK);
	char *t = ics(&c, "c25");
	char *u = unfold(t);
	cr_expect_eq(count_of(u, "BEGIN:VEVENT"), 300);
	/* sorted uids, no neighbours equal */
	char **uids = calloc(300, sizeof *uids);
	int n = 0;
	for (const char *p = u; (p = strstr(p, "\r\nUID:")) != NULL && n < 300;
	     p++) {
		size_t k = strcspn(p + 6, "\r");
		uids[n++] = strndup(p + 6, k);
	}
	cr_expect_eq(n, 300);
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			cr_expect_str_neq(uids[i], uids[j]);
	for (int i = 0; i < n; i++)
		free(uids[i]);
	free(uids);
	cr_expect_eq(count_of(u, "BEGIN:VTIMEZONE"), 3);
	free(u);
	free(t);
	close_ctx(&c);
}

/* ---- the calendar ---- */

Test(ical, calendar_properties_rfc7986)
{
	ctx c = open_ctx();
	tldb_timeline tl = {.name = "russia-china", .title = "Russia, China"};
	cr_assert_eq(tldb_timeline_put(c.db, &tl), TLDB_OK);
	tldb_event ev;
	memset(&ev, 0, sizeof ev);
	ev.title = "x";
	ev.start = "2022-09-15";
	ev.timeline = "russia-china";
	put_event(&c, &ev);
	put(&c, "elsewhere", "2022-09-16", NULL, NULL);
	tldb_query q;
	tldb_query_init(&q);
	const char *names[] = {"russia-china"};
	q.timelines = names;
	q.ntimelines = 1;
	char *t = export_as(&c, "ics", &q, NULL, NULL, NULL);
	validate(t, "cal1");
	cr_expect_not_null(strstr(t, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	                             "PRODID:-//tldb//tldb "));
	cr_expect_not_null(strstr(t, "//EN\r\nCALSCALE:GREGORIAN\r\n"));
	cr_expect_not_null(strstr(t, "\r\nNAME:Russia\\, China\r\n"));
	cr_expect_not_null(strstr(t, "\r\nX-WR-CALNAME:Russia\\, China\r\n"));
	cr_expect_not_null(
	        strstr(t, "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n"));
	cr_expect_not_null(strstr(t, "\r\nX-PUBLISHED-TTL:PT6H\r\n"));
	cr_expect_null(strstr(t, "elsewhere"));
	free(t);
	/* several timelines: "tldb"; -o refresh=P1D */
	t = export_as(&c, "ical", NULL,
	              (const char *const[]){"refresh", "P1D", NULL}, NULL,
	              NULL);
	validate(t, "cal2");
	cr_expect_not_null(strstr(t, "\r\nNAME:tldb\r\nX-WR-CALNAME:tldb\r\n"));
	cr_expect_not_null(
	        strstr(t, "\r\nREFRESH-INTERVAL;VALUE=DURATION:P1D\r\n"));
	cr_expect_not_null(strstr(t, "\r\nX-PUBLISHED-TTL:P1D\r\n"));
	free(t);
	/* a bad duration or coarse value is an error */
	int rc;
	reports r;
	memset(&r, 0, sizeof r);
	t = export_as(&c, "ical", NULL,
	              (const char *const[]){"refresh", "6 hours", NULL}, &r,
	              &rc);
	cr_expect_neq(rc, TLDB_OK);
	cr_expect_not_null(strstr(r.text, "refresh"), "%s", r.text);
	free(t);
	t = export_as(&c, "ical", NULL,
	              (const char *const[]){"coarse", "maybe", NULL}, &r, &rc);
	cr_expect_neq(rc, TLDB_OK);
	free(t);
	close_ctx(&c);
}

Test(ical, timeline_without_title_is_named_by_its_name)
{
	ctx c = open_ctx();
	tldb_timeline tl = {.name = "plain"};
	cr_assert_eq(tldb_timeline_put(c.db, &tl), TLDB_OK);
	tldb_query q;
	tldb_query_init(&q);
	const char *names[] = {"plain"};
	q.timelines = names;
	q.ntimelines = 1;
	char *t = export_as(&c, "ics", &q, NULL, NULL, NULL);
	validate(t, "plain");
	cr_expect_not_null(strstr(t, "\r\nX-WR-CALNAME:plain\r\n"));
	free(t);
	close_ctx(&c);
}

Test(ical, mixed_events_pass_every_validator)
{
	ctx c = open_ctx();
	put(&c, "floating no zone", "2022-09-15T10:00", NULL, NULL);
	put(&c, "seconds", "2022-09-15T10:00:30Z", NULL, "Asia/Tokyo");
	put(&c, "interval", "2022-02/2022-09", NULL, NULL);
	put(&c, "open", "2022-02/..", NULL, NULL);
	put(&c, "lmt", "1600-05-05T03:21", NULL, "Europe/Berlin");
	put(&c, "ny", "2022-03-13T02:30", NULL, "America/New_York");
	put(&c, "approx", "2022-02~", NULL, NULL);
	put(&c, "far", "9999-12-31", NULL, NULL);
	char *t = ics(&c, "mixed");
	cr_expect_null(strstr(t, "SUMMARY:open"), "an open end has no form");
	cr_expect_not_null(strstr(t, "\r\nDTSTART:20220915T100000Z\r\n"));
	cr_expect_not_null(strstr(
	        t, "\r\nX-TLDB-EDTF;X-TLDB-FORM=INTERVAL:2022-02/2022-09\r\n"));
	cr_expect_not_null(strstr(t, "\r\nX-TLDB-EDTF:2022-02~\r\n"));
	cr_expect_not_null(strstr(t, "\r\nX-TLDB-TZ:Asia/Tokyo\r\n"));
	free(t);
	close_ctx(&c);
}

Test(ical, plugins_check_passes)
{
	const char *out = tmp_path("check.out");
	const char *argv[] = {"sh",
	                      "-c",
	                      "exec \"$0\" plugins check \"$1\"",
	                      TLDB_BIN,
	                      BUILD_PLUGIN("ical"),
	                      NULL};
	int status;
	run_validator(NULL, argv, out, &status);
	char *msg = slurp(out, NULL);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s", msg);
	cr_expect_null(strstr(msg, "FAIL"), "%s", msg);
	free(msg);
}
