/*
 * test_ical_dates.c -- the `ical` exporter's dates, zones and feed
 * behaviour: items 13-25 of the checklist of docs/ical.md (day, month and
 * year precision, DST changes, old years and BCE, RRULE UNTIL, updates,
 * byte-identical output, deletions, unique UIDs) and the calendar
 * properties of RFC 7986.  Every .ics is validated as in test_ical.c.
 */
#define _GNU_SOURCE /* nftw, mkdtemp */
#include "plugins/ical_helpers.h"

TestSuite(ical, .init = tmp_setup, .fini = tmp_teardown, .timeout = 300);

/* ---- the checklist, 13-25 ---- */

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

/* -o coarse=first-day: a month or a year is one all-day event on its first
 * day (a calendar app lists a span on every day of it), and the exact
 * dates travel in X-TLDB-EDTF, so an import restores them. */
Test(ical, c15_coarse_first_day_keeps_the_truth_in_x_tldb_edtf)
{
	ctx c = open_ctx();
	put(&c, "february", "2024-02", NULL, NULL);
	put(&c, "war", "1914", "1918", NULL);
	put(&c, "summit", "2022-09-15", NULL, NULL);
	char *t = export_as(&c, "ical", NULL,
	                    (const char *const[]){"coarse", "first-day", NULL},
	                    NULL, NULL);
	validate(t, "c15c");
	cr_expect_not_null(strstr(t, "\r\nDTSTART;VALUE=DATE:20240201\r\n"
	                             "DTEND;VALUE=DATE:20240202\r\n"));
	cr_expect_not_null(strstr(t, "\r\nX-TLDB-EDTF:2024-02\r\n"));
	cr_expect_not_null(strstr(t, "\r\nDTSTART;VALUE=DATE:19140101\r\n"
	                             "DTEND;VALUE=DATE:19140102\r\n"));
	cr_expect_not_null(strstr(t, "\r\nX-TLDB-EDTF:1914/1918\r\n"));
	/* a day is written as it always is */
	cr_expect_not_null(strstr(t, "\r\nDTSTART;VALUE=DATE:20220915\r\n"
	                             "DTEND;VALUE=DATE:20220916\r\n"));
	write_text(tmp_path("first-day.ics"), t);
	free(t);

	tldb *back = open_db(tmp_path("back.db"));
	tldb_msgbuf err;
	cr_assert_eq(import_file(back, c.p, "ical", tmp_path("first-day.ics"),
	                         NULL, &err),
	             TLDB_OK, "%s", err.msg);
	tldb_query q;
	tldb_query_init(&q);
	q.text = "february OR war";
	tldb_cursor *cur;
	cr_assert_eq(tldb_query_open(back, &q, &cur), TLDB_OK);
	const tldb_event *ev;
	int n = 0;
	while (tldb_cursor_next(cur, &ev) == TLDB_OK) {
		n++;
		if (!strcmp(ev->title, "war")) {
			cr_expect_str_eq(ev->start, "1914");
			cr_expect_str_eq(ev->end, "1918");
		} else {
			cr_expect_str_eq(ev->start, "2024-02");
			cr_expect_eq(ev->precision, TLDB_PREC_MONTH);
		}
	}
	tldb_cursor_free(cur);
	cr_expect_eq(n, 2);
	tldb_close(back);
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

Test(ical, timed_events_a_day_from_year_1_or_9999_are_left_out)
{
	/* A zone's wall time may be a day off the instant, so a timed event
	 * is written only when a day either side still has a 4-digit year. */
	ctx c = open_ctx();
	put(&c, "first day", "0001-01-01T12:00Z", NULL, NULL);
	put(&c, "second day", "0001-01-02T12:00Z", NULL, NULL);
	put(&c, "last but one", "9999-12-30T12:00Z", NULL, NULL);
	put(&c, "last day", "9999-12-31T12:00Z", NULL, NULL);
	reports r;
	memset(&r, 0, sizeof r);
	char *t = export_as(&c, "ics", NULL, NULL, &r, NULL);
	cr_expect_null(strstr(t, "first day"));
	cr_expect_null(strstr(t, "SUMMARY:last day"));
	cr_expect_not_null(strstr(t, "\r\nDTSTART:00010102T120000Z\r\n"), "%s",
	                   t);
	cr_expect_not_null(strstr(t, "\r\nDTSTART:99991230T120000Z\r\n"), "%s",
	                   t);
	cr_expect_eq(count_of(t, "BEGIN:VEVENT"), 2);
	cr_expect_eq(r.count, 2, "%s", r.text);
	free(t);
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

/* Times as written: a floating time without a zone stays floating (a
 * 08:00 in Tokyo is not 17:00 there), and a point in time gets no DTEND,
 * as ical.js reads them back. */
/* The one event of the store whose text matches `word`, as .ics. */
static char *ics_of(ctx *c, const char *word)
{
	tldb_query q;
	tldb_query_init(&q);
	q.text = word;
	char *t = export_as(c, "ical", &q, NULL, NULL, NULL);
	validate(t, word);
	return t;
}

Test(ical, floating_stays_floating_and_a_point_has_no_end)
{
	ctx c = open_ctx();
	put(&c, "floating", "2024-01-11T08:00", "2024-01-11T09:00", NULL);
	put(&c, "point", "2024-01-11T08:00Z", NULL, NULL);
	char *t = ics_of(&c, "floating");
	cr_expect_not_null(strstr(t, "\r\nDTSTART:20240111T080000\r\n"
	                             "DTEND:20240111T090000\r\n"),
	                   "%s", t);
	cr_expect_null(strstr(t, "X-TLDB-EDTF"), "nothing to restore: %s", t);
	write_text(tmp_path("floating.ics"), t);
	free(t);
	char *js = icaljs_get(tmp_path("floating.ics"), "dtstart", NULL);
	cr_expect_str_eq(js, "2024-01-11T08:00:00");
	free(js);

	t = ics_of(&c, "point");
	cr_expect_null(strstr(t, "DTEND"), "%s", t);
	write_text(tmp_path("point.ics"), t);
	free(t);
	js = icaljs_get(tmp_path("point.ics"), "dtend", NULL);
	cr_expect_str_eq(js, "null");
	free(js);
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
	cr_expect_not_null(strstr(t, "\r\nDTSTART:20220915T100000\r\n"));
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
