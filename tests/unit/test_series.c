/*
 * test_series.c -- recurring series stored as series and expanded when a
 * query asks (tldb.h "Recurring series", core/recur.c,
 * core/store/store_series.c), through the public API on a real database:
 * any range at any date answers, occurrences merge in order with single
 * events under every filter, LIMIT and OFFSET, and RDATE, EXDATE and
 * changed occurrences are read in whatever zone form real calendars write
 * them.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "tldb/tldb.h"
#include "unit/tmpdir.h"

static tldb *db;

static void setup(void)
{
	tmpdir_setup("tldb-series");
	cr_assert_eq(tldb_open(db_path, TLDB_OPEN_CREATE, &db), TLDB_OK);
}

static void finish(void)
{
	tldb_close(db);
	teardown();
}

TestSuite(series, .init = setup, .fini = finish);

static int64_t at(const char *edtf)
{
	tldb_date d;
	cr_assert_eq(tldb_date_parse(edtf, NULL, &d, NULL), TLDB_OK, "%s",
	             edtf);
	return d.lo;
}

static void put(const tldb_event *ev)
{
	tldb_errbuf err = {{0}, 0};
	int rc = tldb_put(db, ev, NULL, NULL);
	if (rc)
		cr_assert_fail("put %s: %s", ev->uid ? ev->uid : ev->title,
		               tldb_errmsg(db));
	(void)err;
}

static void series(const char *uid, const char *title, const char *start,
                   const char *end, const char *tz, const char *recur)
{
	tldb_event ev = {.uid = uid,
	                 .title = title,
	                 .start = start,
	                 .end = end,
	                 .tz = tz,
	                 .recur = recur};
	put(&ev);
}

/* The events of [lo, hi) as "START|UID" lines, and the cursor's note. */
static char out[1 << 16];
static char note[1024];

static int run(tldb_query *q)
{
	tldb_cursor *c;
	out[0] = note[0] = '\0';
	cr_assert_eq(tldb_query_open(db, q, &c), TLDB_OK, "%s",
	             tldb_errmsg(db));
	const tldb_event *ev;
	int n = 0, rc;
	while ((rc = tldb_cursor_next(c, &ev)) == TLDB_OK) {
		size_t len = strlen(out);
		snprintf(out + len, sizeof out - len, "%s|%s\n", ev->start,
		         ev->uid);
		n++;
	}
	cr_assert_eq(rc, TLDB_DONE, "%s", tldb_errmsg(db));
	if (tldb_cursor_warning(c))
		snprintf(note, sizeof note, "%s", tldb_cursor_warning(c));
	tldb_cursor_free(c);
	return n;
}

static int range(const char *lo, const char *hi)
{
	tldb_query q;
	tldb_query_init(&q);
	q.lo = at(lo);
	q.hi = at(hi);
	return run(&q);
}

Test(series, a_daily_meeting_started_in_2012_is_there_today)
{
	series("standup", "Stand-up", "2012-03-05T09:00:00",
	       "2012-03-05T09:15:00", "Europe/Berlin", "RRULE:FREQ=DAILY");
	cr_assert_eq(range("2026-12-03", "2026-12-04"), 1);
	cr_assert_str_eq(out, "2026-12-03T09:00:00|"
	                      "standup/20261203T090000[Europe/Berlin]\n");
	/* 09:00 in Berlin is 08:00 UTC in winter, 07:00 in summer. */
	tldb_query q;
	tldb_query_init(&q);
	q.lo = at("2026-12-03T08:00:00Z");
	q.hi = at("2026-12-03T08:00:01Z");
	cr_assert_eq(run(&q), 1);
	q.lo = at("2026-07-01T07:00:00Z");
	q.hi = at("2026-07-01T07:00:01Z");
	cr_assert_eq(run(&q), 1);
	cr_assert_str_eq(out, "2026-07-01T09:00:00|"
	                      "standup/20260701T090000[Europe/Berlin]\n");
}

Test(series, an_endless_yearly_series_answers_in_2090)
{
	series("bday", "Birthday", "1990-07-14", NULL, NULL,
	       "RRULE:FREQ=YEARLY");
	cr_assert_eq(range("2090-01-01", "2091-01-01"), 1);
	cr_assert_str_eq(out, "2090-07-14|bday/20900714\n");
	cr_assert_eq(range("1989-01-01", "1990-07-14"), 0);
}

Test(series, a_counted_series_ends)
{
	series("c3", "Three times", "2024-01-01T10:00:00Z", NULL, NULL,
	       "RRULE:FREQ=WEEKLY;COUNT=3");
	cr_assert_eq(range("2023-01-01", "2030-01-01"), 3);
	cr_assert_str_eq(out, "2024-01-01T10:00:00Z|c3/20240101T100000Z\n"
	                      "2024-01-08T10:00:00Z|c3/20240108T100000Z\n"
	                      "2024-01-15T10:00:00Z|c3/20240115T100000Z\n");
	cr_assert_eq(range("2024-01-16", "2030-01-01"), 0);
	/* Statistics see its first and last occurrences, not its bounds. */
	tldb_stats st;
	cr_assert_eq(tldb_stats_get(db, &st), TLDB_OK);
	cr_expect_eq(st.lo_min, at("2024-01-01T10:00:00Z"));
	cr_expect_eq(st.hi_max, at("2024-01-15T10:00:01Z"));
}

Test(series, occurrences_merge_with_single_events_under_limit_and_offset)
{
	series("w", "Weekly", "2024-01-01", NULL, NULL, "RRULE:FREQ=WEEKLY");
	tldb_event a = {.uid = "a", .title = "Single", .start = "2024-01-03"};
	tldb_event b = {.uid = "b", .title = "Late", .start = "2024-01-20"};
	put(&a);
	put(&b);
	cr_assert_eq(range("2024-01-01", "2024-01-22"), 5);
	cr_assert_str_eq(out, "2024-01-01|w/20240101\n"
	                      "2024-01-03|a\n"
	                      "2024-01-08|w/20240108\n"
	                      "2024-01-15|w/20240115\n"
	                      "2024-01-20|b\n");
	tldb_query q;
	tldb_query_init(&q);
	q.lo = at("2024-01-01");
	q.hi = at("2024-01-22");
	q.offset = 1;
	q.limit = 3;
	cr_assert_eq(run(&q), 3);
	cr_assert_str_eq(out, "2024-01-03|a\n"
	                      "2024-01-08|w/20240108\n"
	                      "2024-01-15|w/20240115\n");
}

Test(series, filters_apply_to_series)
{
	tldb_timeline work = {.name = "work", .title = "Work"};
	cr_assert_eq(tldb_timeline_create(db, &work), TLDB_OK);
	tldb_event w = {.uid = "review",
	                .timeline = "work",
	                .title = "Design review",
	                .start = "2024-01-01T14:00:00Z",
	                .recur = "RRULE:FREQ=DAILY",
	                .tags = (const char *[]){"meeting"},
	                .ntags = 1};
	put(&w);
	series("gym", "Gym", "2024-01-01T18:00:00Z", NULL, NULL,
	       "RRULE:FREQ=DAILY");
	tldb_query q;
	tldb_query_init(&q);
	q.lo = at("2024-03-01");
	q.hi = at("2024-03-02");
	cr_assert_eq(run(&q), 2);
	q.text = "design";
	cr_assert_eq(run(&q), 1);
	cr_assert_str_eq(out, "2024-03-01T14:00:00Z|review/20240301T140000Z\n");
	q.text = NULL;
	q.timelines = (const char *[]){"work"};
	q.ntimelines = 1;
	cr_assert_eq(run(&q), 1);
	q.ntimelines = 0;
	q.tags = (const char *[]){"meeting"};
	q.ntags = 1;
	cr_assert_eq(run(&q), 1);
	q.ntags = 0;
	/* within: only occurrences wholly inside. */
	series("long", "Long", "2024-01-01T23:00:00Z", "2024-01-02T01:00:00Z",
	       NULL, "RRULE:FREQ=DAILY");
	q.within = 1;
	cr_assert_eq(run(&q), 2);
	q.within = 0;
	cr_assert_eq(run(&q), 4); /* and the one from the day before */
}

Test(series, rdate_and_exdate_in_every_zone_form)
{
	/* A Tokyo series: an RDATE in UTC lands at its instant, an EXDATE
	 * in UTC removes the occurrence it names, an EXDATE;VALUE=DATE every
	 * occurrence of its day, one with a TZID of another zone its
	 * instant. */
	series("tk", "Tokyo", "2023-11-20T09:00:00", "2023-11-20T10:00:00",
	       "Asia/Tokyo",
	       "RRULE:FREQ=DAILY;COUNT=5\n"
	       "RDATE:20231123T090000Z\n"
	       "EXDATE:20231121T000000Z\n"
	       "EXDATE;VALUE=DATE:20231122\n"
	       "EXDATE;TZID=Europe/London:20231124T000000");
	cr_assert_eq(range("2023-11-01", "2023-12-01"), 3, "%s", out);
	cr_assert_str_eq(
	        out, "2023-11-20T09:00:00|tk/20231120T090000[Asia/Tokyo]\n"
	             "2023-11-23T09:00:00|tk/20231123T090000[Asia/Tokyo]\n"
	             /* 09:00Z is 18:00 in Tokyo */
	             "2023-11-23T18:00:00|tk/20231123T180000[Asia/Tokyo]\n");
}

Test(series, an_rdate_in_utc_is_not_read_in_the_series_zone)
{
	series("tk", "Tokyo", "2023-11-20T09:00:00", NULL, "Asia/Tokyo",
	       "RDATE:20231123T090000Z");
	cr_assert_eq(range("2023-11-23", "2023-11-24"), 1);
	cr_assert_str_eq(out, "2023-11-23T18:00:00|"
	                      "tk/20231123T180000[Asia/Tokyo]\n");
}

Test(series, an_rdate_period_has_its_own_length)
{
	series("p", "Period", "2024-05-01T09:00:00Z", "2024-05-01T10:00:00Z",
	       NULL,
	       "RDATE;VALUE=PERIOD:20240502T120000Z/PT3H,"
	       "20240503T080000Z/20240503T083000Z");
	tldb_query q;
	tldb_query_init(&q);
	q.lo = at("2024-05-02T14:30:00Z"); /* inside the 3-hour one */
	q.hi = at("2024-05-02T14:31:00Z");
	cr_assert_eq(run(&q), 1);
	cr_assert_str_eq(out, "2024-05-02T12:00:00Z|p/20240502T120000Z\n");
	cr_assert_eq(range("2024-05-01", "2024-05-04"), 3);
}

static void change(const char *uid, const char *id, const char *start,
                   const char *tz, const char *title, unsigned flags)
{
	tldb_event ev = {.series = uid,
	                 .recurrence_id = id,
	                 .title = title,
	                 .start = start,
	                 .tz = tz,
	                 .recur_flags = flags};
	put(&ev);
}

Test(series, a_changed_occurrence_replaces_the_one_it_names_in_any_form)
{
	series("m", "Meeting", "2024-01-08T09:00:00", "2024-01-08T10:00:00",
	       "Europe/Berlin", "RRULE:FREQ=WEEKLY;COUNT=4");
	/* Named in UTC (08:00Z is 09:00 in Berlin), moved to 15:00. */
	change("m", "2024-01-15T08:00:00Z", "2024-01-15T15:00:00",
	       "Europe/Berlin", "Meeting (moved)", 0);
	/* Named by its day only. */
	change("m", "2024-01-22", "2024-01-23T09:00:00", "Europe/Berlin",
	       "Meeting (next day)", 0);
	/* Cancelled, named as a local time. */
	change("m", "2024-01-29T09:00:00", "2024-01-29T09:00:00",
	       "Europe/Berlin", "Meeting", TLDB_RECUR_CANCELLED);
	cr_assert_eq(range("2024-01-01", "2024-03-01"), 3, "%s", out);
	cr_assert_str_eq(
	        out, "2024-01-08T09:00:00|m/20240108T090000[Europe/Berlin]\n"
	             "2024-01-15T15:00:00|m/20240115T080000Z\n"
	             "2024-01-23T09:00:00|m/20240122\n");
	/* The change is an event of its own, found by its uid. */
	tldb_event *got;
	cr_assert_eq(tldb_get(db, "m/20240115T080000Z", &got), TLDB_OK);
	cr_assert_str_eq(got->series, "m");
	cr_assert_str_eq(got->recurrence_id, "2024-01-15T08:00:00Z");
	tldb_event_free(got);
}

Test(series, this_and_future_moves_every_later_occurrence)
{
	series("f", "Class", "2024-03-04T10:00:00Z", "2024-03-04T11:00:00Z",
	       NULL, "RRULE:FREQ=WEEKLY;COUNT=4");
	change("f", "2024-03-11T10:00:00Z", "2024-03-11T14:00:00Z", NULL,
	       "Class (afternoons)", TLDB_RECUR_THISANDFUTURE);
	cr_assert_eq(range("2024-03-01", "2024-04-01"), 4);
	cr_assert_str_eq(out, "2024-03-04T10:00:00Z|f/20240304T100000Z\n"
	                      "2024-03-11T14:00:00Z|f/20240311T100000Z\n"
	                      "2024-03-18T14:00:00Z|f/20240318T100000Z\n"
	                      "2024-03-25T14:00:00Z|f/20240325T100000Z\n");
}

Test(series, a_runaway_rule_is_cut_with_a_note_naming_the_date)
{
	/* A rule with BY parts and COUNT is walked from its start, one
	 * libical step at a time: bounded. */
	series("tick", "Tick", "1926-01-01T00:00:00Z", NULL, NULL,
	       "RRULE:FREQ=SECONDLY;BYSECOND=0,30;COUNT=2000000000");
	cr_assert_eq(range("2026-01-01", "2026-01-02"), 0);
	cr_assert(strstr(note, "series default/tick: stopped at 1926-02-0"),
	          "%s", note);
	/* A rule without BY parts jumps to the range, COUNT or not; what it
	 * yields there is bounded too. */
	series("tock", "Tock", "1926-01-01T00:00:00Z", NULL, NULL,
	       "RRULE:FREQ=MINUTELY;COUNT=2000000000");
	tldb_query q;
	tldb_query_init(&q);
	q.lo = at("2026-01-01T00:00:00Z");
	q.hi = at("2026-01-01T00:10:00Z");
	q.uid = "tock";
	cr_assert_eq(run(&q), 10);
	cr_assert_eq(note[0], '\0', "%s", note);
	series("sec", "Second", "1926-01-01T00:00:00Z", NULL, NULL,
	       "RRULE:FREQ=SECONDLY");
	q.lo = at("1990-01-01T00:00:00Z");
	q.hi = at("1990-01-03T00:00:00Z");
	q.uid = "sec";
	/* The jump lands a little before the range: a few steps go there. */
	int n = run(&q);
	cr_assert(n > TLDB_SERIES_MAX_STEPS - 10 && n <= TLDB_SERIES_MAX_STEPS,
	          "%d", n);
	cr_assert(strstr(note, "series default/sec: stopped at "
	                       "1990-01-02T03:46:"),
	          "%s", note);
}

/* A query orders occurrences by bounds computed from their wall time
 * (core/recur.c), and writes their dates only for those it yields: the
 * two must agree, in every zone form and across a DST change (Berlin's
 * 2024-03-31 02:00 gap and 2024-10-27 overlap). */
Test(series, the_bounds_of_an_occurrence_are_those_of_its_dates)
{
	series("gap", "Gap", "2024-03-28T02:30:00", "2024-03-28T03:30:00",
	       "Europe/Berlin", "RRULE:FREQ=DAILY");
	series("ny", "NY day", "2024-03-08", NULL, "America/New_York",
	       "RRULE:FREQ=DAILY");
	series("utc", "UTC", "2024-03-28T10:00:00Z", "2024-03-28T11:00:00Z",
	       NULL, "RRULE:FREQ=DAILY");
	series("fl", "Floating", "2024-03-28T10:00", NULL, NULL,
	       "RRULE:FREQ=DAILY");
	series("off", "Offset", "2024-03-28T10:00+05:30", NULL, NULL,
	       "RRULE:FREQ=DAILY");
	series("named", "Named", "2024-03-28T01:00[Europe/Berlin]",
	       "2024-03-28T02:45[Europe/Berlin]", NULL, "RRULE:FREQ=DAILY");
	series("mixed", "Mixed", "2024-03-28T10:00:00", "2024-03-28T12:00:00Z",
	       "Europe/Berlin", "RRULE:FREQ=DAILY");
	series("days", "Days", "2024-03-28", "2024-03-29", "Europe/Berlin",
	       "RRULE:FREQ=DAILY;INTERVAL=3");
	series("per", "Period", "2024-03-28T09:00:00", NULL, "Europe/Berlin",
	       "RDATE;VALUE=PERIOD:20240331T013000/PT2H,"
	       "20241027T020000/PT90M");
	series("monthly", "Monthly", "2024-01-31T02:30:00", NULL,
	       "Europe/Berlin", "RRULE:FREQ=MONTHLY;BYMONTHDAY=-1");
	tldb_query q;
	tldb_query_init(&q);
	int n = 0;
	for (int pass = 0; pass < 2; pass++) {
		q.lo = at(pass ? "2024-10-24" : "2024-03-25");
		q.hi = at(pass ? "2024-11-02" : "2024-04-05");
		tldb_cursor *c;
		cr_assert_eq(tldb_query_open(db, &q, &c), TLDB_OK);
		const tldb_event *ev;
		while (tldb_cursor_next(c, &ev) == TLDB_OK) {
			tldb_date s, e;
			cr_assert_eq(
			        tldb_date_parse(ev->start, ev->tz, &s, NULL),
			        TLDB_OK, "%s", ev->start);
			int64_t lo = s.lo, hi = s.hi;
			if (ev->end) {
				cr_assert_eq(tldb_date_parse(ev->end, ev->tz,
				                             &e, NULL),
				             TLDB_OK, "%s", ev->end);
				hi = e.precision >= TLDB_PREC_MINUTE ? e.lo
				                                     : e.hi;
				if (hi <= lo)
					hi = lo + 1;
			}
			cr_expect_eq(ev->lo, lo, "%s %s", ev->uid, ev->start);
			cr_expect_eq(ev->hi, hi, "%s %s/%s", ev->uid, ev->start,
			             ev->end ? ev->end : "");
			n++;
		}
		tldb_cursor_free(c);
	}
	cr_expect_gt(n, 100);
}

/* DTSTART 10:00:00 is stored as the minute "10:00"; a rule stepping by
 * seconds still gives each occurrence its second, and its own second of
 * bounds (a new user's trial found them all at minute precision, so a
 * range took in 59 neighbours). */
Test(series, a_rule_of_seconds_keeps_its_seconds)
{
	series("sec", "Seconds", "2024-01-01T10:00Z", NULL, NULL,
	       "RRULE:FREQ=SECONDLY;COUNT=90");
	cr_assert_eq(range("2024-01-01T10:00:30Z", "2024-01-01T10:00:40Z"), 10,
	             "%s", out);
	cr_assert(!strncmp(out, "2024-01-01T10:00:30Z|sec/20240101T100030Z\n",
	                   42),
	          "%s", out);
}

Test(series, a_bad_recurrence_is_refused_and_nothing_is_written)
{
	tldb_event ev = {.uid = "bad",
	                 .title = "Bad",
	                 .start = "2024-01-01",
	                 .recur = "RRULE:FREQ=SOMETIMES"};
	cr_assert_eq(tldb_put(db, &ev, NULL, NULL), TLDB_EINVAL);
	cr_assert(strstr(tldb_errmsg(db), "recur line 1"), "%s",
	          tldb_errmsg(db));
	ev.recur = "RRULE:FREQ=DAILY\nRDATE:2024-01-05";
	cr_assert_eq(tldb_put(db, &ev, NULL, NULL), TLDB_EINVAL);
	cr_assert(strstr(tldb_errmsg(db), "recur line 2"), "%s",
	          tldb_errmsg(db));
	ev.recur = "RRULE:FREQ=DAILY";
	ev.start = "2024-01"; /* a month does not recur */
	cr_assert_eq(tldb_put(db, &ev, NULL, NULL), TLDB_EINVAL);
	cr_assert_eq(range("2000-01-01", "2100-01-01"), 0);
}
