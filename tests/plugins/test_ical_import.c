/*
 * test_ical_import.c -- the `ical` plugin's importer through the real host:
 * a round trip store -> ics -> store -> ics -> store keeps every event;
 * the bench generator's .ics (RRULEs, a Europe/Moscow VTIMEZONE, month and
 * year precision) imports; zones resolved from the file (even when the
 * VTIMEZONE comes after the event), the system and Windows names;
 * recurrences expanded with EXDATE and RECURRENCE-ID (checklist item 21:
 * a weekly RRULE with UNTIL in UTC); STATUS:CANCELLED removing an event,
 * an occurrence or a series; the calendar's name as the timeline; malformed
 * input fails with a position and stores nothing.  The exporter's tests
 * are in test_ical.c.
 */
#define _GNU_SOURCE /* nftw, mkdtemp */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/helpers.h"

TestSuite(ical_import, .init = tmp_setup, .fini = tmp_teardown, .timeout = 300);

static tldb_plugins *registry(void)
{
	tldb_plugins *p = new_registry();
	load_ok(p, BUILD_PLUGIN("ical"));
	return p;
}

static void put(tldb *db, const char *title, const char *start, const char *end,
                const char *tz)
{
	tldb_event ev;
	memset(&ev, 0, sizeof ev);
	ev.title = title;
	ev.start = start;
	ev.end = end;
	ev.tz = tz;
	cr_assert_eq(tldb_put(db, &ev, NULL, NULL), TLDB_OK, "%s",
	             tldb_errmsg(db));
}

/* The .ics of what query q (NULL: everything) selects. */
static char *export_query(tldb *db, tldb_plugins *p, const tldb_query *q)
{
	sink s = {0};
	tldb_export_opts o;
	memset(&o, 0, sizeof o);
	o.format = "ics";
	o.write = sink_write;
	o.ud = &s;
	o.query = q;
	tldb_msgbuf err;
	cr_assert_eq(tldb_export(db, p, &o, NULL, &err), TLDB_OK, "%s",
	             err.msg);
	return s.buf;
}

static char *export_ics(tldb *db, tldb_plugins *p)
{
	return export_query(db, p, NULL);
}

static int import_with(tldb *db, tldb_plugins *p, const char *name,
                       const char *text, tldb_on_error mode, reports *r,
                       tldb_import_stats *st, tldb_msgbuf *err)
{
	write_text(tmp_path(name), text);
	tldb_import_opts o;
	memset(&o, 0, sizeof o);
	o.path = tmp_path(name);
	o.name = name;
	o.fd = -1;
	o.on_error = mode;
	o.report = r ? collect : NULL;
	o.ud = r;
	return tldb_import(db, p, &o, st, err);
}

static int import_text(tldb *db, tldb_plugins *p, const char *name,
                       const char *text, tldb_on_error mode, reports *r,
                       tldb_msgbuf *err)
{
	return import_with(db, p, name, text, mode, r, NULL, err);
}

static int same(const char *a, const char *b)
{
	return (!a || !*a) ? (!b || !*b) : (b && strcmp(a, b) == 0);
}

/* Every event of a is in b with the same content. */
static void same_events(tldb *a, tldb *b)
{
	tldb_query q;
	tldb_query_init(&q);
	tldb_cursor *c;
	cr_assert_eq(tldb_query_open(a, &q, &c), TLDB_OK);
	const tldb_event *ev;
	while (tldb_cursor_next(c, &ev) == TLDB_OK) {
		tldb_event *o = NULL;
		cr_assert_eq(tldb_get(b, ev->uid, &o), TLDB_OK, "%s missing",
		             ev->uid);
		cr_expect(same(ev->title, o->title), "%s: title", ev->uid);
		cr_expect(same(ev->body, o->body), "%s: body", ev->uid);
		cr_expect(same(ev->start, o->start), "%s: start %s became %s",
		          ev->uid, ev->start, o->start);
		cr_expect(same(ev->end, o->end), "%s: end %s became %s",
		          ev->uid, ev->end ? ev->end : "-",
		          o->end ? o->end : "-");
		cr_expect(same(ev->tz, o->tz), "%s: tz", ev->uid);
		cr_expect(same(ev->location, o->location), "%s: location",
		          ev->uid);
		cr_expect(same(ev->url, o->url), "%s: url", ev->uid);
		cr_expect_eq(ev->ntags, o->ntags, "%s: tags", ev->uid);
		for (size_t i = 0; i < ev->ntags && i < o->ntags; i++)
			cr_expect_str_eq(ev->tags[i], o->tags[i]);
		tldb_event_free(o);
	}
	tldb_cursor_free(c);
	cr_expect_eq(count_events(a), count_events(b));
}

Test(ical_import, round_trip_store_ics_store_ics_store)
{
	tldb_plugins *p = registry();
	tldb *a = open_db(tmp_path("a.db"));
	put(a, "day", "2022-09-15", NULL, NULL);
	put(a, "days, with comma", "2007-06-28", "2007-07-08", "Asia/Tokyo");
	put(a, "month", "2024-02", NULL, NULL);
	put(a, "years", "1914", "1918", NULL);
	put(a, "qualified", "2022-02~", NULL, NULL);
	put(a, "interval", "2022-02/2022-09", NULL, NULL);
	put(a, "zoned", "2022-09-15T10:00", "2022-09-15T11:30",
	    "Europe/Berlin");
	put(a, "zoned 1m", "2022-09-16T10:00", NULL, "Europe/Berlin");
	put(a, "bracket", "2022-09-17T09:30[Asia/Samarkand]", NULL, NULL);
	put(a, "gap", "2022-03-27T02:30", NULL, "Europe/Berlin");
	put(a, "overlap", "2022-10-30T02:30", NULL, "Europe/Berlin");
	put(a, "utc", "2022-09-15T05:00Z", "2022-09-15T06:00Z", NULL);
	put(a, "utc s", "2022-09-15T05:00:10Z", NULL, "America/New_York");
	put(a, "offset", "2022-09-15T10:00+05:00", NULL, NULL);
	put(a, "floating", "2022-09-15T10:00", NULL, NULL);
	put(a, "old", "1850-06-01", NULL, NULL);
	put(a, "lmt", "1600-05-05T03:21", NULL, "Europe/Berlin");
	tldb_event ev;
	memset(&ev, 0, sizeof ev);
	ev.title = "full: \"all\"; fields, here\\";
	ev.start = "2022-09-20";
	ev.body = "line 1\nline 2, with; stuff \\ caf\xC3\xA9";
	ev.location = "Berlin, Germany";
	ev.url = "https://example.org/x?a=1,2";
	const char *tags[] = {"a,b", "c\\d", "caf\xC3\xA9"};
	ev.tags = tags;
	ev.ntags = 3;
	cr_assert_eq(tldb_put(a, &ev, NULL, NULL), TLDB_OK);

	char *t1 = export_ics(a, p);
	tldb *b = open_db(tmp_path("b.db"));
	tldb_msgbuf err;
	cr_assert_eq(import_text(b, p, "one.ics", t1, TLDB_ON_ERROR_ABORT, NULL,
	                         &err),
	             TLDB_OK, "%s", err.msg);
	same_events(a, b);
	char *t2 = export_ics(b, p);
	tldb *c = open_db(tmp_path("c.db"));
	cr_assert_eq(import_text(c, p, "two.ics", t2, TLDB_ON_ERROR_ABORT, NULL,
	                         &err),
	             TLDB_OK, "%s", err.msg);
	same_events(a, c);
	/* importing the same file again changes nothing */
	tldb_import_stats st;
	tldb_import_opts o;
	memset(&o, 0, sizeof o);
	o.path = tmp_path("two.ics");
	o.fd = -1;
	cr_assert_eq(tldb_import(c, p, &o, &st, &err), TLDB_OK);
	cr_expect_eq(st.unchanged, count_events(a));
	free(t1);
	free(t2);
	tldb_close(a);
	tldb_close(b);
	tldb_close(c);
	tldb_plugins_free(p);
}

Test(ical_import, bench_file_with_rrules_moscow_and_coarse_dates)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd,
	         "python3 " TLDB_SOURCE_DIR "/../shared/bench/gen_events.py "
	         "2000 %s --formats ics >/dev/null 2>&1",
	         g_tmp);
	if (system(cmd) != 0)
		cr_skip_test("the bench generator is not available");
	tldb_plugins *p = registry();
	tldb *db = open_db(tmp_path("t.db"));
	tldb_import_opts o;
	memset(&o, 0, sizeof o);
	o.path = tmp_path("events-2000.ics");
	o.fd = -1;
	tldb_import_stats st;
	tldb_msgbuf err;
	cr_assert_eq(tldb_import(db, p, &o, &st, &err), TLDB_OK, "%s", err.msg);
	/* 39 weekly masters of COUNT=10 each: 1961 + 390 */
	cr_expect_eq(count_events(db), 2351);
	tldb_query q;
	tldb_query_init(&q);
	tldb_cursor *c;
	cr_assert_eq(tldb_query_open(db, &q, &c), TLDB_OK);
	const tldb_event *ev;
	int moscow = 0, months = 0, years = 0, recurring = 0;
	while (tldb_cursor_next(c, &ev) == TLDB_OK) {
		moscow += ev->tz && strcmp(ev->tz, "Europe/Moscow") == 0;
		months += ev->precision == TLDB_PREC_MONTH;
		years += ev->precision == TLDB_PREC_YEAR;
		recurring += strchr(ev->uid, '/') != NULL;
	}
	tldb_cursor_free(c);
	cr_expect_gt(moscow, 0);
	cr_expect_eq(months, 178);
	cr_expect_eq(years, 94);
	cr_expect_eq(recurring, 390);
	tldb_close(db);
	tldb_plugins_free(p);
}

#define HEAD "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
#define EV(uid, rest)                                                          \
	"BEGIN:VEVENT\r\nUID:" uid "\r\nDTSTAMP:20220101T000000Z\r\n" rest     \
	"END:VEVENT\r\n"

/* The event `uid` a query yields: one stored, or an occurrence of a
 * series, which is not stored but expanded by each query. */
static tldb_event *get(tldb *db, const char *uid)
{
	tldb_event *ev = NULL;
	if (tldb_get(db, uid, &ev) != TLDB_OK)
		ev = yielded(db, uid);
	cr_assert_not_null(ev, "%s missing", uid);
	return ev;
}

Test(ical_import, zones_from_the_file_the_system_and_windows_names)
{
	tldb_plugins *p = registry();
	tldb *db = open_db(tmp_path("t.db"));
	const char *text = HEAD EV(
	        "late",
	        "DTSTART;TZID=My Zone:20220915T100000\r\n"
	        "DTEND;TZID=My Zone:20220915T110000\r\n"
	        "SUMMARY:zone defined later\r\n") EV("win",
	                                             "DTSTART;TZID=W. Europe "
	                                             "Standard Time:"
	                                             "20220915T100000\r\nSUMMAR"
	                                             "Y:windows\r\n")
	        EV("prefixed", "DTSTART;TZID=/freeassociation.sourceforge."
	                       "net/Europe/Paris:20220915T100000\r\n"
	                       "SUMMARY:prefixed\r\n")
	                EV("sys",
	                   "DTSTART;TZID=Asia/Tokyo:"
	                   "20220915T100000\r\n"
	                   "SUMMARY:system\r\n") "BEGIN:VTIMEZONE\r\nTZID:My "
	                                         "Zone\r\nBEGIN:STANDARD\r\n"
	                                         "DTSTART:19700101T000000\r\n"
	                                         "TZOFFSETFROM:+0300\r\n"
	                                         "TZOFFSETTO:+0300\r\nEND:"
	                                         "STANDARD\r\nEND:VTIMEZONE\r\n"
	                                         "END:VCALENDAR\r\n";
	tldb_msgbuf err;
	cr_assert_eq(import_text(db, p, "z.ics", text, TLDB_ON_ERROR_ABORT,
	                         NULL, &err),
	             TLDB_OK, "%s", err.msg);
	tldb_event *ev = get(db, "late");
	cr_expect_str_eq(ev->start, "2022-09-15T07:00Z");
	cr_expect_str_eq(ev->end, "2022-09-15T08:00Z");
	tldb_event_free(ev);
	ev = get(db, "win");
	cr_expect_str_eq(ev->tz, "Europe/Berlin");
	cr_expect_str_eq(ev->start, "2022-09-15T10:00");
	tldb_event_free(ev);
	ev = get(db, "prefixed");
	cr_expect_str_eq(ev->tz, "Europe/Paris");
	tldb_event_free(ev);
	ev = get(db, "sys");
	cr_expect_str_eq(ev->tz, "Asia/Tokyo");
	tldb_event_free(ev);
	tldb_close(db);
	tldb_plugins_free(p);
}

Test(ical_import, c21_weekly_rrule_until_utc_exdate_and_override)
{
	tldb_plugins *p = registry();
	tldb *db = open_db(tmp_path("t.db"));
	const char *text =
	        HEAD EV("w", "DTSTART;TZID=Europe/Berlin:20220905T100000\r\n"
	                     "DTEND;TZID=Europe/Berlin:20220905T110000\r\n"
	                     "RRULE:FREQ=WEEKLY;UNTIL=20221031T090000Z\r\n"
	                     "EXDATE;TZID=Europe/Berlin:20220919T100000\r\n"
	                     "SUMMARY:weekly\r\nCATEGORIES:a\\,b,c\r\n")
	                EV("w", "RECURRENCE-ID;TZID=Europe/Berlin:"
	                        "20220926T100000\r\nDTSTART;TZID=Europe/"
	                        "Berlin:20220926T140000\r\nDURATION:PT2H\r\n"
	                        "SUMMARY:moved\r\n")
	                        EV("x", "DTSTART;VALUE=DATE:20220101\r\n"
	                                "STATUS:CANCELLED\r\nSUMMARY:"
	                                "gone\r\n") "END:VCALENDAR\r\n";
	tldb_msgbuf err;
	reports r;
	memset(&r, 0, sizeof r);
	cr_assert_eq(import_text(db, p, "w.ics", text, TLDB_ON_ERROR_ABORT, &r,
	                         &err),
	             TLDB_OK, "%s", err.msg);
	/* Sep 5 .. Oct 31 weekly: 9 dates, less Sep 19 */
	cr_expect_eq(count_events(db), 8);
	/* a change is named by the instant it replaces (tl_recur_id_text) */
	tldb_event *ev = get(db, "w/20220926T080000Z");
	cr_expect_str_eq(ev->title, "moved");
	cr_expect_str_eq(ev->start, "2022-09-26T14:00");
	cr_expect_str_eq(ev->end, "2022-09-26T16:00");
	tldb_event_free(ev);
	ev = get(db, "w/20221031T100000[Europe/Berlin]");
	cr_expect_str_eq(ev->end, "2022-10-31T11:00");
	cr_expect_eq(ev->ntags, 2);
	if (ev->ntags == 2) {
		cr_expect_str_eq(ev->tags[0], "a,b");
		cr_expect_str_eq(ev->tags[1], "c");
	}
	tldb_event_free(ev);
	cr_expect_not(has_title(db, "gone"));
	tldb_close(db);
	tldb_plugins_free(p);
}

/* Several RDATEs, an EXDATE among them, and properties after them: each
 * RDATE is an occurrence (reading the event's other properties between two
 * RDATEs once lost the third). */
Test(ical_import, every_rdate_is_an_occurrence)
{
	tldb_plugins *p = registry();
	tldb *db = open_db(tmp_path("t.db"));
	const char *text =
	        HEAD EV("r", "DTSTART:20220110T100000Z\r\n"
	                     "DTEND:20220110T110000Z\r\nSUMMARY:rdates\r\n"
	                     "RDATE:20220201T100000Z\r\n"
	                     "RDATE:20220301T100000Z\r\n"
	                     "RDATE:20220401T100000Z,20220501T100000Z\r\n"
	                     "EXDATE:20220301T100000Z\r\n"
	                     "LOCATION:here\r\nURL:https://example.org/r\r\n"
	                     "X-TLDB-TZ:Europe/Paris\r\n") "END:VCALENDAR\r\n";
	tldb_msgbuf err;
	cr_assert_eq(import_text(db, p, "r.ics", text, TLDB_ON_ERROR_ABORT,
	                         NULL, &err),
	             TLDB_OK, "%s", err.msg);
	/* January 10 (DTSTART), February, April and May; not March. */
	cr_expect_eq(count_events(db), 4);
	static const char *const uids[] = {
	        "r/20220110T100000Z", "r/20220201T100000Z",
	        "r/20220401T100000Z", "r/20220501T100000Z"};
	for (size_t i = 0; i < sizeof uids / sizeof *uids; i++) {
		tldb_event *ev = get(db, uids[i]);
		cr_expect_str_eq(ev->title, "rdates");
		cr_expect_str_eq(ev->location, "here");
		cr_expect_str_eq(ev->url, "https://example.org/r");
		cr_expect_str_eq(ev->tz, "Europe/Paris");
		tldb_event_free(ev);
	}
	tldb_event *may = get(db, "r/20220501T100000Z");
	cr_expect_str_eq(may->start, "2022-05-01T10:00Z");
	cr_expect_str_eq(may->end, "2022-05-01T11:00Z");
	tldb_event_free(may);
	tldb_close(db);
	tldb_plugins_free(p);
}

static int64_t import_stats(tldb *db, tldb_plugins *p, const char *name,
                            const char *text, tldb_import_stats *st, reports *r)
{
	tldb_msgbuf err;
	int rc = import_with(db, p, name, text, TLDB_ON_ERROR_ABORT, r, st,
	                     &err);
	cr_assert_eq(rc, TLDB_OK, "%s", err.msg);
	return st->removed;
}

/* 1 when the event `uid` (or TIMELINE/UID) is stored or yielded. */
static int stored(tldb *db, const char *uid)
{
	tldb_event *ev = NULL;
	if (tldb_get(db, uid, &ev) != TLDB_OK)
		ev = yielded(db, uid);
	/* A cancelled occurrence is kept by its series, never shown. */
	int shown = ev && !(ev->recur_flags & TLDB_RECUR_CANCELLED);
	tldb_event_free(ev);
	return shown;
}

#define WEEKLY(uid, extra)                                                     \
	EV(uid, "DTSTART;TZID=Europe/Berlin:20220905T100000\r\n"               \
	        "DURATION:PT1H\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\n"               \
	        "SUMMARY:weekly " uid "\r\n" extra)

Test(ical_import, cancelled_removes_the_event_an_occurrence_or_a_series)
{
	tldb_plugins *p = registry();
	tldb *db = open_db(tmp_path("t.db"));
	tldb_import_stats st;
	const char *first =
	        HEAD EV("one", "DTSTART;VALUE=DATE:20220915\r\nSUMMARY:one\r\n")
	                EV("keep", "DTSTART;VALUE=DATE:20220916\r\n"
	                           "SUMMARY:keep\r\n") WEEKLY("s", "")
	                        WEEKLY("t", "") "END:VCALENDAR\r\n";
	import_stats(db, p, "first.ics", first, &st, NULL);
	cr_assert_eq(count_events(db), 10);
	cr_assert(stored(db, "s/20220912T100000[Europe/Berlin]"));

	/* The feed later cancels "one", one occurrence of s, and all of t. */
	const char *second = HEAD EV("one",
	                             "DTSTART;VALUE=DATE:20220915\r\n"
	                             "STATUS:CANCELLED\r\nSUMMARY:one\r\n")
	        EV("keep", "DTSTART;VALUE=DATE:20220916\r\n"
	                   "SUMMARY:keep\r\n") WEEKLY("s", "")
	                EV("s", "RECURRENCE-ID;TZID=Europe/Berlin:"
	                        "20220912T100000\r\nDTSTART;TZID="
	                        "Europe/Berlin:20220912T100000\r\n"
	                        "STATUS:CANCELLED\r\nSUMMARY:x\r\n")
	                        WEEKLY("t",
	                               "STATUS:CANCELLED\r\n") "END:"
	                                                       "VCALENDAR\r\n";
	/* "one" and the series t are removed; the occurrence of s is
	 * cancelled by a change the series keeps. */
	cr_assert_eq(import_stats(db, p, "second.ics", second, &st, NULL), 2);
	cr_expect_not(stored(db, "one"));
	cr_expect(stored(db, "keep"));
	cr_expect_not(stored(db, "s/20220912T100000[Europe/Berlin]"));
	cr_expect(stored(db, "s/20220905T100000[Europe/Berlin]"));
	cr_expect(stored(db, "s/20220919T100000[Europe/Berlin]"));
	cr_expect_not(stored(db, "t/20220905T100000[Europe/Berlin]"));
	cr_expect_not(stored(db, "t/20220926T100000[Europe/Berlin]"));
	cr_expect_eq(count_events(db), 4); /* keep + 3 of s */

	/* Cancelling again, or what was never stored, removes nothing. */
	cr_expect_eq(import_stats(db, p, "second.ics", second, &st, NULL), 0);
	cr_expect_eq(count_events(db), 4);

	/* No UID: nothing to name, so a warning and nothing removed. */
	reports r;
	memset(&r, 0, sizeof r);
	const char *nouid = HEAD "BEGIN:VEVENT\r\nDTSTAMP:20220101T000000Z\r\n"
	                         "DTSTART;VALUE=DATE:20220916\r\nSUMMARY:keep"
	                         "\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n"
	                         "END:VCALENDAR\r\n";
	cr_expect_eq(import_stats(db, p, "nouid.ics", nouid, &st, &r), 0);
	cr_expect_not_null(strstr(r.text, "has no UID"), "%s", r.text);
	cr_expect_eq(count_events(db), 4);

	/* A cancellation in an import that fails is undone with it. */
	const char *failing = HEAD EV("keep", "DTSTART;VALUE=DATE:20220916\r\n"
	                                      "STATUS:CANCELLED\r\n")
	        EV("bad", "DTSTART:20201399\r\n") "END:VCALENDAR\r\n";
	tldb_msgbuf err;
	cr_assert_neq(import_text(db, p, "failing.ics", failing,
	                          TLDB_ON_ERROR_ABORT, NULL, &err),
	              TLDB_OK);
	cr_expect_not_null(strstr(err.msg, "is not a date"), "%s", err.msg);
	cr_expect(stored(db, "keep"));
	cr_expect_eq(count_events(db), 4);
	tldb_close(db);
	tldb_plugins_free(p);
}

/* A calendar cancelling UID:1 removes its own 1, never another
 * calendar's. */
Test(ical_import, a_cancellation_stays_in_its_own_calendar)
{
	tldb_plugins *p = registry();
	tldb *db = open_db(tmp_path("t.db"));
	tldb_import_stats st;
	const char *work = HEAD "X-WR-CALNAME:Work\r\n" EV(
	        "1", "DTSTART;VALUE=DATE:20240111\r\nSUMMARY:"
	             "standup\r\n") "END:VCALENDAR\r\n";
	const char *family = HEAD "X-WR-CALNAME:Family\r\n" EV(
	        "1", "DTSTART;VALUE=DATE:20240112\r\nSTATUS:CANCELLED\r\n"
	             "SUMMARY:dinner\r\n") "END:VCALENDAR\r\n";
	import_stats(db, p, "work.ics", work, &st, NULL);
	cr_assert_eq(import_stats(db, p, "family.ics", family, &st, NULL), 0);
	cr_expect(stored(db, "work/1"));
	cr_expect_eq(count_events(db), 1);
	tldb_close(db);
	tldb_plugins_free(p);
}

static tldb_timeline *timeline_of(tldb *db, const char *uid)
{
	tldb_event *ev = get(db, uid);
	tldb_timeline *t = NULL;
	cr_assert_eq(tldb_timeline_get(db, ev->timeline, &t), TLDB_OK);
	tldb_event_free(ev);
	return t;
}

Test(ical_import, the_calendar_name_names_the_timeline)
{
	tldb_plugins *p = registry();
	tldb *db = open_db(tmp_path("t.db"));
	tldb_import_stats st;
	/* Apple's and Google's X-WR-CALNAME; folded and escaped */
	const char *apple =
	        HEAD "X-WR-CALNAME:Team Holidays\\, 2022 \r\n (Berlin)\r\n"
	             "X-WR-CALDESC:Days off\r\n" EV(
	                     "h1", "DTSTART;VALUE=DATE:20221003\r\n"
	                           "SUMMARY:Unity day\r\n") "END:VCALENDAR\r\n";
	import_stats(db, p, "apple.ics", apple, &st, NULL);
	tldb_timeline *t = timeline_of(db, "h1");
	cr_expect_str_eq(t->name, "team-holidays-2022-berlin");
	cr_expect_str_eq(t->title, "Team Holidays, 2022 (Berlin)");
	cr_expect_str_eq(t->description, "Days off");
	tldb_timeline_free(t);

	/* RFC 7986 NAME wins over X-WR-CALNAME. */
	const char *named = HEAD "NAME:Launches\r\nX-WR-CALNAME:Other\r\n" EV(
	        "l1",
	        "DTSTART;VALUE=DATE:20221004\r\nSUMMARY:x\r\n") "END:"
	                                                        "VCALENDAR\r\n";
	import_stats(db, p, "named.ics", named, &st, NULL);
	t = timeline_of(db, "l1");
	cr_expect_str_eq(t->name, "launches");
	tldb_timeline_free(t);

	/* --timeline wins over the calendar's name. */
	write_text(tmp_path("named2.ics"), named);
	tldb_import_opts o;
	memset(&o, 0, sizeof o);
	o.path = tmp_path("named2.ics");
	o.fd = -1;
	o.timeline = "default";
	tldb_msgbuf err;
	cr_assert_eq(tldb_import(db, p, &o, &st, &err), TLDB_OK, "%s", err.msg);
	t = timeline_of(db, "default/l1");
	cr_expect_str_eq(t->name, "default");
	tldb_timeline_free(t);
	/* ... and leaves the other timeline's l1 where it was. */
	t = timeline_of(db, "launches/l1");
	cr_expect_str_eq(t->name, "launches");
	tldb_timeline_free(t);

	/* A calendar without a name, or with one of no letters: default. */
	reports r;
	memset(&r, 0, sizeof r);
	const char *odd = HEAD "X-WR-CALNAME:\xe6\x97\xa5\xe6\x9c\xac\r\n" EV(
	        "j1",
	        "DTSTART;VALUE=DATE:20221005\r\nSUMMARY:x\r\n") "END:"
	                                                        "VCALENDAR\r\n";
	import_stats(db, p, "odd.ics", odd, &st, &r);
	t = timeline_of(db, "j1");
	cr_expect_str_eq(t->name, "default");
	tldb_timeline_free(t);
	cr_expect_not_null(strstr(r.text, "no letters or digits"), "%s",
	                   r.text);
	tldb_close(db);
	tldb_plugins_free(p);
}

Test(ical_import, a_timeline_exported_comes_back_into_its_timeline)
{
	tldb_plugins *p = registry();
	tldb *a = open_db(tmp_path("a.db"));
	tldb_timeline tl = {.name = "launch-log", .title = "Launch log"};
	cr_assert_eq(tldb_timeline_create(a, &tl), TLDB_OK);
	tldb_event ev;
	memset(&ev, 0, sizeof ev);
	ev.uid = "e1";
	ev.timeline = "launch-log";
	ev.title = "Launch";
	ev.start = "2022-09-15T10:00Z";
	cr_assert_eq(tldb_put(a, &ev, NULL, NULL), TLDB_OK);
	tldb_query q;
	tldb_query_init(&q);
	const char *names[] = {"launch-log"};
	q.timelines = names;
	q.ntimelines = 1;
	char *one = export_query(a, p, &q);
	cr_assert_not_null(strstr(one, "\r\nX-TLDB-TIMELINE:launch-log\r\n"),
	                   "%s", one);
	tldb *b = open_db(tmp_path("b.db"));
	tldb_import_stats st;
	import_stats(b, p, "log.ics", one, &st, NULL);
	tldb_timeline *t = timeline_of(b, "e1");
	cr_expect_str_eq(t->name, "launch-log");
	cr_expect_str_eq(t->title, "Launch log");
	tldb_timeline_free(t);

	/* An export of every timeline names none: its events go to the
	 * default timeline. */
	free(one);
	char *all = export_ics(a, p);
	cr_assert_null(strstr(all, "X-TLDB-TIMELINE"), "%s", all);
	tldb *c = open_db(tmp_path("c.db"));
	import_stats(c, p, "all.ics", all, &st, NULL);
	t = timeline_of(c, "e1");
	cr_expect_str_eq(t->name, "default");
	tldb_timeline_free(t);
	free(all);
	tldb_close(a);
	tldb_close(b);
	tldb_close(c);
	tldb_plugins_free(p);
}

Test(ical_import, malformed_input_fails_with_a_position_storing_nothing)
{
	tldb_plugins *p = registry();
	tldb *db = open_db(tmp_path("t.db"));
	const char *text = HEAD EV("ok", "DTSTART;VALUE=DATE:20220101\r\n"
	                                 "SUMMARY:fine\r\n")
	        EV("bad",
	           "DTSTART:2022\r\nSUMMARY:broken\r\n") "END:VCALENDAR\r\n";
	tldb_msgbuf err;
	int rc = import_text(db, p, "bad.ics", text, TLDB_ON_ERROR_ABORT, NULL,
	                     &err);
	cr_expect_neq(rc, TLDB_OK);
	cr_expect_eq(err.line, 10, "%lld: %s", (long long)err.line, err.msg);
	cr_expect_eq(count_events(db), 0);
	/* skip mode keeps the good one */
	reports r;
	memset(&r, 0, sizeof r);
	rc = import_text(db, p, "bad.ics", text, TLDB_ON_ERROR_SKIP, &r, &err);
	cr_expect_eq(rc, TLDB_OK, "%s", err.msg);
	cr_expect_eq(count_events(db), 1);
	cr_expect_not_null(strstr(r.text, "bad.ics:10:1:"), "%s", r.text);
	/* not a calendar; truncated */
	rc = import_text(db, p, "x.ics", "hello\r\n", TLDB_ON_ERROR_ABORT, NULL,
	                 &err);
	cr_expect_neq(rc, TLDB_OK);
	cr_expect_eq(err.line, 1);
	rc = import_text(
	        db, p, "t.ics",
	        HEAD EV("t", "DTSTART;VALUE=DATE:20220102\r\n") "BEGIN:"
	                                                        "VEVENT\r\nUID:"
	                                                        "cut\r\n",
	        TLDB_ON_ERROR_ABORT, NULL, &err);
	cr_expect_neq(rc, TLDB_OK);
	cr_expect_eq(err.line, 9, "%s", err.msg);
	cr_expect_eq(count_events(db), 1);
	/* no SUMMARY: a title all the same */
	rc = import_text(
	        db, p, "u.ics",
	        HEAD EV("t",
	                "DTSTART;VALUE=DATE:20220102\r\n") "END:VCALENDAR\r\n",
	        TLDB_ON_ERROR_ABORT, NULL, &err);
	cr_expect_eq(rc, TLDB_OK, "%s", err.msg);
	cr_expect(has_title(db, "(untitled)"));
	tldb_close(db);
	tldb_plugins_free(p);
}

/* libical reads 20201399 as month 13, day 99 without a word; stored, it
 * became 2021-04-09.  Dates that do not exist are refused (skipped in skip
 * mode), a leap second and a leap day are kept. */
Test(ical_import, dates_that_do_not_exist_are_refused)
{
	tldb_plugins *p = registry();
	const char *const bad[] = {
	        "DTSTART:20201399\r\n",
	        "DTSTART;VALUE=DATE:20210229\r\n",
	        "DTSTART:20220101T250000Z\r\n",
	        "DTSTART:20220101T100000Z\r\nDTEND:20220132T100000Z\r\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char text[1024];
		snprintf(text, sizeof text,
		         HEAD EV("x", "%sSUMMARY:no such day\r\n")
		                 EV("ok",
		                    "DTSTART;VALUE=DATE:20200229\r\n"
		                    "SUMMARY:leap day\r\n") "END:VCALENDAR\r\n",
		         bad[i]);
		char name[32];
		snprintf(name, sizeof name, "t%zu.db", i);
		tldb *db = open_db(tmp_path(name));
		tldb_msgbuf err;
		int rc = import_text(db, p, "bad.ics", text,
		                     TLDB_ON_ERROR_ABORT, NULL, &err);
		cr_expect_neq(rc, TLDB_OK, "%s", bad[i]);
		cr_expect_not_null(strstr(err.msg, "is not a date"), "%s: %s",
		                   bad[i], err.msg);
		cr_expect_eq(count_events(db), 0, "%s", bad[i]);
		reports r;
		memset(&r, 0, sizeof r);
		rc = import_text(db, p, "bad.ics", text, TLDB_ON_ERROR_SKIP, &r,
		                 &err);
		cr_expect_eq(rc, TLDB_OK, "%s", err.msg);
		cr_expect(!stored(db, "x"), "%s", bad[i]);
		cr_expect(stored(db, "ok"), "%s", bad[i]);
		tldb_close(db);
	}
	tldb *db = open_db(tmp_path("t.db"));
	const char *leap = HEAD EV("s", "DTSTART:20161231T235960Z\r\n"
	                                "SUMMARY:leap second\r\n") "END:"
	                                                           "VCALENDAR"
	                                                           "\r\n";
	tldb_msgbuf err;
	cr_expect_eq(import_text(db, p, "leap.ics", leap, TLDB_ON_ERROR_ABORT,
	                         NULL, &err),
	             TLDB_OK, "%s", err.msg);
	tldb_close(db);
	tldb_plugins_free(p);
}
