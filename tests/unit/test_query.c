/*
 * test_query.c -- date-range queries: partial dates against ranges in both
 * modes, ordering, filters, paging, a brute-force property test, the query
 * plan, streaming memory and sources.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "event_internal.h"
#include "tldb/tldb.h"
#include "unit/tmpdir.h"

/* ---- fixture: a temporary folder per test ---- */

static void setup(void)
{
	tmpdir_setup("query");
}

TestSuite(query, .init = setup, .fini = teardown);

/* ---- helpers ---- */

static tldb *open_new(void)
{
	tldb *db = NULL;
	int rc = tldb_open(db_path, TLDB_OPEN_CREATE, &db);
	cr_assert_eq(rc, TLDB_OK, "tldb_open: %s", tldb_errmsg(db));
	return db;
}

static tldb_event event(const char *uid, const char *title, const char *start,
                        const char *end)
{
	tldb_event ev;
	memset(&ev, 0, sizeof ev);
	ev.uid = uid;
	ev.title = title;
	ev.start = start;
	ev.end = end;
	return ev;
}

static void put(tldb *db, const tldb_event *ev)
{
	int rc = tldb_put(db, ev, NULL, NULL);
	cr_assert_eq(rc, TLDB_OK, "put %s: %s", ev->uid ? ev->uid : ev->title,
	             tldb_errmsg(db));
}

static tldb_date parse(const char *s)
{
	tldb_date d;
	tldb_errbuf err = {{0}, 0};
	int rc = tldb_date_parse(s, NULL, &d, &err);
	cr_assert_eq(rc, TLDB_OK, "parse %s: %s", s, err.msg);
	return d;
}

/* Query bounds of "A" or "A..B": A's lo to B's hi. */
static void range_of(const char *a, const char *b, int64_t *lo, int64_t *hi)
{
	*lo = parse(a).lo;
	*hi = parse(b ? b : a).hi;
}

/* Collects the uids of a query, ' '-joined; returns how many. */
static int query_uids(tldb *db, const tldb_query *q, char *buf, size_t size)
{
	tldb_cursor *c = NULL;
	int rc = tldb_query_open(db, q, &c);
	cr_assert_eq(rc, TLDB_OK, "query: %s", tldb_errmsg(db));
	size_t len = 0;
	int n = 0;
	buf[0] = '\0';
	const tldb_event *ev;
	while ((rc = tldb_cursor_next(c, &ev)) == TLDB_OK) {
		int k = snprintf(buf + len, size - len, "%s%s", len ? " " : "",
		                 ev->uid);
		cr_assert(k > 0 && (size_t)k < size - len, "buffer too small");
		len += (size_t)k;
		n++;
	}
	cr_assert_eq(rc, TLDB_DONE, "cursor: %s", tldb_errmsg(db));
	tldb_cursor_free(c);
	return n;
}

/* 1 when the ' '-joined list holds uid. */
static int has_uid(const char *list, const char *uid)
{
	size_t n = strlen(uid);
	for (const char *p = strstr(list, uid); p; p = strstr(p + 1, uid)) {
		int start = p == list || p[-1] == ' ';
		int end = p[n] == ' ' || p[n] == '\0';
		if (start && end)
			return 1;
	}
	return 0;
}

/* ---- partial dates against ranges ---- */

typedef struct range_case {
	const char *start, *end, *tz; /* the event */
	const char *from, *to;        /* the query range; to NULL: from only */
	int overlap, within;          /* expected */
} range_case;

static const range_case range_cases[] = {
        /* A month event against days inside it. */
        {"2022-02", NULL, NULL, "2022-02-10", "2022-02-12", 1, 0},
        /* An end inclusive at its precision may contain the start. */
        {"2022-09-15", "2022-09", NULL, "2022-09-20", "2022-09-20", 1, 0},
        {"2022-09-15", "2022-09", NULL, "2022-09-14", "2022-09-14", 0, 0},
        {"2022-09-15", "2022-09", NULL, "2022-09-15", "2022-09-30", 1, 1},
        {"2022-02-11", NULL, NULL, "2022-02-10", "2022-02-12", 1, 1},
        {"2022-02-10", NULL, NULL, "2022-02-10", "2022-02-12", 1, 1},
        {"2022-02-12", NULL, NULL, "2022-02-10", "2022-02-12", 1, 1},
        {"2022-02-13", NULL, NULL, "2022-02-10", "2022-02-12", 0, 0},
        {"2022-02-09", NULL, NULL, "2022-02-10", "2022-02-12", 0, 0},
        {"2022-02", NULL, NULL, "2022-02", NULL, 1, 1},
        {"2022-02", NULL, NULL, "2022-03", NULL, 0, 0},
        {"2022-02", NULL, NULL, "2022-01-31", NULL, 0, 0},
        {"2022-02", NULL, NULL, "2022", NULL, 1, 1},
        /* Start month, end month: inclusive at the end's precision. */
        {"2022-02", "2022-09", NULL, "2022-05", NULL, 1, 0},
        {"2022-02", "2022-09", NULL, "2022-09", NULL, 1, 0},
        {"2022-02", "2022-09", NULL, "2022-09-30", NULL, 1, 0},
        {"2022-02", "2022-09", NULL, "2022-10", NULL, 0, 0},
        {"2022-02", "2022-09", NULL, "2022-01", NULL, 0, 0},
        {"2022-02", "2022-09", NULL, "2022-02", "2022-09", 1, 1},
        {"2022-02", "2022-09", NULL, "2022-03", "2022-09", 1, 0},
        {"2022-02", "2022-09", NULL, "2022-02", "2022-08", 1, 0},
        /* Timed end: the instant it ends. */
        {"2022-09-15T10:00Z", "2022-09-15T11:00Z", NULL, "2022-09-15", NULL, 1,
         1},
        {"2022-09-15T10:00Z", "2022-09-15T11:00Z", NULL, "2022-09-15T11:00Z",
         "2022-09-15T12:00Z", 0, 0},
        {"2022-09-15T10:00Z", "2022-09-15T11:00Z", NULL, "2022-09-15T10:59Z",
         NULL, 1, 0},
        {"2022-09-15T10:00Z", "2022-09-15T11:00Z", NULL, "2022-09-15T09:00Z",
         "2022-09-15T09:59Z", 0, 0},
        {"2022-09-15T10:00Z", "2022-09-15T11:00Z", NULL, "2022-09-15T10:00Z",
         "2022-09-15T10:59Z", 1, 1},
        {"2022-09-15T10:00Z", "2022-09-15T11:00Z", NULL, "2022-09-14", NULL, 0,
         0},
        {"2022-09-15T10:00:30Z", NULL, NULL, "2022-09-15T10:00Z", NULL, 1, 1},
        {"2022-09-15T10:00+05:00", NULL, NULL, "2022-09-15T05:00Z", NULL, 1, 1},
        /* Floating time resolved in the event's zone (UTC+5). */
        {"2022-09-15T23:30", NULL, "Asia/Samarkand", "2022-09-15", NULL, 1, 1},
        {"2022-09-15T23:30", NULL, "Asia/Samarkand", "2022-09-16", NULL, 0, 0},
        {"2022-09-16T02:00", NULL, "Asia/Samarkand", "2022-09-15", NULL, 1, 1},
        /* Day start, day end: two days. */
        {"2022-09-15", "2022-09-16", NULL, "2022-09-16", NULL, 1, 0},
        {"2022-09-15", "2022-09-16", NULL, "2022-09-17", NULL, 0, 0},
        {"2022-09-15", "2022-09-16", NULL, "2022-09-15", "2022-09-16", 1, 1},
        /* Year events. */
        {"2001", NULL, NULL, "2001-06", NULL, 1, 0},
        {"2001", NULL, NULL, "2001", NULL, 1, 1},
        {"2001", NULL, NULL, "2000", "2002", 1, 1},
        {"2001", NULL, NULL, "2002", NULL, 0, 0},
        {"2001", NULL, NULL, "2000-12-31", NULL, 0, 0},
        {"2001", NULL, NULL, "2001-12-31", NULL, 1, 0},
        {"1850", "1900", NULL, "1875-07-04", NULL, 1, 0},
        {"1850", "1900", NULL, "1800", "1999", 1, 1},
        {"0999", NULL, NULL, "0999-12-31T23:59Z", NULL, 1, 0},
        /* BCE. */
        {"-0044", NULL, NULL, "-0044-03-15", NULL, 1, 0},
        {"-0044", NULL, NULL, "-0100", "0001", 1, 1},
        {"-0044", NULL, NULL, "0001", NULL, 0, 0},
        {"-0044", NULL, NULL, "-0045", NULL, 0, 0},
        {"-0044-03-15", NULL, NULL, "-0044", NULL, 1, 1},
        {"-0044-03-15", NULL, NULL, "-0044-03-16", NULL, 0, 0},
        {"-0500", "-0044", NULL, "-0100", NULL, 1, 0},
        {"-0500", "-0044", NULL, "2022", NULL, 0, 0},
        /* Open-ended intervals. */
        {"2022-02/..", NULL, NULL, "2030", NULL, 1, 0},
        {"2022-02/..", NULL, NULL, "2022-02", NULL, 1, 0},
        {"2022-02/..", NULL, NULL, "2021", NULL, 0, 0},
        {"2022-02/..", NULL, NULL, "2022-01-31", NULL, 0, 0},
        {"2022-02/..", NULL, NULL, "Y12000", NULL, 1, 0},
        {"../2022", NULL, NULL, "1900", NULL, 1, 0},
        {"../2022", NULL, NULL, "-0044", NULL, 1, 0},
        {"../2022", NULL, NULL, "2023", NULL, 0, 0},
        {"2022/", NULL, NULL, "2050", NULL, 1, 0},
        /* Far future. */
        {"Y12000", NULL, NULL, "Y11000", "Y13000", 1, 1},
        {"Y12000", NULL, NULL, "Y12000", NULL, 1, 1},
        {"Y12000", NULL, NULL, "2022", NULL, 0, 0},
        {"Y12000", NULL, NULL, "9999", NULL, 0, 0},
        /* Mixed precisions. */
        {"2022-09-15", "2022-10", NULL, "2022-10-31", NULL, 1, 0},
        {"2022-09-15", "2022-10", NULL, "2022-11", NULL, 0, 0},
        {"2022-09-15", "2022-10", NULL, "2022-09-14", NULL, 0, 0},
        {"2022-09-15", "2022-10", NULL, "2022-09", "2022-10", 1, 1},
        {"2022-09", "2022-09-20", NULL, "2022-09-20", NULL, 1, 0},
        {"2022-09", "2022-09-20", NULL, "2022-09-21", NULL, 0, 0},
        {"2021", "2022-03-01T12:00Z", NULL, "2022-03-01", NULL, 1, 0},
        {"2021", "2022-03-01T12:00Z", NULL, "2022-03-02", NULL, 0, 0},
        {"2022-09-05/2022-09-11", NULL, NULL, "2022-09-11", NULL, 1, 0},
        {"2022-09-05/2022-09-11", NULL, NULL, "2022-09-12", NULL, 0, 0},
        {"2022-09-05/2022-09-11", NULL, NULL, "2022-09-01", "2022-09-30", 1, 1},
        {"2022-02/2022-09", NULL, NULL, "2022-09-30", NULL, 1, 0},
        {"2022?", NULL, NULL, "2022-06", NULL, 1, 0},
        {"2022-02~", NULL, NULL, "2022-02-28", NULL, 1, 0},
        {"2022%", NULL, NULL, "2022", NULL, 1, 1},
};

Test(query, partial_dates_against_ranges)
{
	tldb *db = open_new();
	size_t n = sizeof range_cases / sizeof *range_cases;
	char uid[32];
	cr_assert_eq(tldb_begin(db), TLDB_OK);
	for (size_t i = 0; i < n; i++) {
		const range_case *c = &range_cases[i];
		snprintf(uid, sizeof uid, "case-%zu", i);
		tldb_event ev = event(uid, "Case", c->start, c->end);
		ev.tz = c->tz;
		put(db, &ev);
	}
	cr_assert_eq(tldb_commit(db), TLDB_OK);

	size_t bufsize = 64 * 1024;
	char *buf = malloc(bufsize);
	cr_assert_not_null(buf);
	for (size_t i = 0; i < n; i++) {
		const range_case *c = &range_cases[i];
		snprintf(uid, sizeof uid, "case-%zu", i);
		tldb_query q;
		tldb_query_init(&q);
		range_of(c->from, c->to, &q.lo, &q.hi);
		for (int within = 0; within < 2; within++) {
			q.within = within;
			query_uids(db, &q, buf, bufsize);
			int expect = within ? c->within : c->overlap;
			cr_expect_eq(has_uid(buf, uid), expect,
			             "event %s%s%s%s against %s%s%s, %s: "
			             "expected %s",
			             c->start, c->end ? " .. " : "",
			             c->end ? c->end : "",
			             c->tz ? " (zoned)" : "", c->from,
			             c->to ? ".." : "", c->to ? c->to : "",
			             within ? "within" : "overlap",
			             expect ? "a match" : "no match");
		}
	}
	/* Everything: every event in overlap and in within mode. */
	tldb_query all;
	tldb_query_init(&all);
	cr_expect_eq(query_uids(db, &all, buf, bufsize), (int)n);
	all.within = 1;
	cr_expect_eq(query_uids(db, &all, buf, bufsize), (int)n);
	free(buf);
	tldb_close(db);
}

Test(query, event_bounds_as_the_contract_says)
{
	tldb *db = open_new();
	struct {
		const char *start, *end, *lo, *hi; /* hi: exclusive, a date */
		tldb_precision prec;
	} cases[] = {
	        {"2022-02", "2022-09", "2022-02-01", "2022-10-01",
	         TLDB_PREC_MONTH},
	        {"2022-09-15", "2022-09-16", "2022-09-15", "2022-09-17",
	         TLDB_PREC_DAY},
	        {"2022-09-15", "2022-10", "2022-09-15", "2022-11-01",
	         TLDB_PREC_MONTH},
	        {"2001", NULL, "2001-01-01", "2002-01-01", TLDB_PREC_YEAR},
	        {"2022-09-15T10:00Z", "2022-09-15T11:00Z", "2022-09-15T10:00Z",
	         "2022-09-15T11:00Z", TLDB_PREC_MINUTE},
	};
	char uid[16];
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		snprintf(uid, sizeof uid, "b%zu", i);
		tldb_event ev = event(uid, "B", cases[i].start, cases[i].end);
		put(db, &ev);
		tldb_event *got = NULL;
		cr_assert_eq(tldb_get(db, uid, &got), TLDB_OK);
		cr_expect_eq(got->lo, parse(cases[i].lo).lo, "%s lo",
		             cases[i].start);
		cr_expect_eq(got->hi, parse(cases[i].hi).lo, "%s hi",
		             cases[i].start);
		cr_expect_eq(got->precision, cases[i].prec, "%s precision",
		             cases[i].start);
		tldb_event_free(got);
	}
	tldb_close(db);
}

/* ---- ordering ---- */

Test(query, ordering)
{
	tldb *db = open_new();
	/* Inserted in scrambled order. */
	struct {
		const char *uid, *title, *start, *end;
	} evs[] = {
	        {"y", "Year", "2022", NULL},
	        {"m", "Month", "2022-01", NULL},
	        {"d-b", "Beta", "2022-01-01", NULL},
	        {"d-a", "Alpha", "2022-01-01", NULL},
	        {"min", "Minute", "2022-01-01T00:00Z", NULL},
	        {"sec", "Second", "2022-01-01T00:00:00Z", NULL},
	        {"tie-2", "Same", "2022-01-01", NULL},
	        {"tie-1", "Same", "2022-01-01", NULL},
	        {"later", "AAA first by title but later", "2022-01-02", NULL},
	        {"earlier", "ZZZ", "2021-12-31", NULL},
	        {"span-m", "Span", "2022-01-01", "2022-03"},
	        {"bce", "Rome", "-0044", NULL},
	        {"open", "Open", "../2000", NULL},
	        {"future", "Future", "Y12000", NULL},
	        /* One day, titles compared byte by byte (a prefix first,
	         * UTF-8 after ASCII), a tie on title broken by uid across
	         * two span classes. */
	        {"p-utf", "\xc3\x89mile", "2021-06-01", NULL},
	        {"p-long", "Abc", "2021-06-01", NULL},
	        {"p-span", "Ab", "2021-06-01", "2021-06-20"},
	        {"p-z", "Zebra", "2021-06-01", NULL},
	        {"p-short", "Ab", "2021-06-01", NULL},
	};
	for (size_t i = 0; i < sizeof evs / sizeof *evs; i++) {
		tldb_event ev = event(evs[i].uid, evs[i].title, evs[i].start,
		                      evs[i].end);
		put(db, &ev);
	}
	tldb_query q;
	tldb_query_init(&q);
	char buf[1024];
	query_uids(db, &q, buf, sizeof buf);
	cr_expect_str_eq(buf, "open bce p-short p-span p-long p-z p-utf "
	                      "earlier sec min d-a d-b tie-1 tie-2 m span-m y "
	                      "later future");
	/* Within a range too, and with a limit. */
	range_of("2022", NULL, &q.lo, &q.hi);
	q.within = 1;
	query_uids(db, &q, buf, sizeof buf);
	cr_expect_str_eq(buf, "sec min d-a d-b tie-1 tie-2 m span-m y later");
	q.limit = 3;
	q.offset = 5;
	query_uids(db, &q, buf, sizeof buf);
	cr_expect_str_eq(buf, "tie-2 m span-m");
	tldb_close(db);
}

/* ---- filters ---- */

Test(query, filters)
{
	tldb *db = open_new();
	tldb_timeline tls[] = {
	        {.name = "alpha"}, {.name = "beta"}, {.name = "gamma"}};
	for (size_t i = 0; i < 3; i++)
		cr_assert_eq(tldb_timeline_create(db, &tls[i]), TLDB_OK);
	const char *t_rc[] = {"russia", "china"};
	const char *t_r[] = {"russia"};
	const char *t_c[] = {"china", "sco"};
	tldb_source src = {.quote = "the delegates discussed pipelines",
	                   .span = {-1, -1},
	                   .expr_span = {-1, -1}};
	tldb_event evs[] = {
	        event("a1", "Summit in Samarkand", "2022-09-15", NULL),
	        event("a2", "Gas deal", "2022-02-04", NULL),
	        event("b1", "Parade", "2022-05-09T10:00Z", NULL),
	        event("b2", "Visit", "2023-03", NULL),
	        event("c1", "Plain", "2022", NULL),
	        event("c2", "Sourced", "2022-09-16", NULL),
	};
	evs[0].timeline = "alpha";
	evs[0].tags = t_rc;
	evs[0].ntags = 2;
	evs[0].location = "Samarkand, Uzbekistan";
	evs[1].timeline = "alpha";
	evs[1].tags = t_rc;
	evs[1].ntags = 2;
	evs[1].body = "A thirty-year contract for Siberian gas.";
	evs[2].timeline = "beta";
	evs[2].tags = t_r;
	evs[2].ntags = 1;
	evs[3].timeline = "beta";
	evs[3].tags = t_c;
	evs[3].ntags = 2;
	evs[4].timeline = "gamma";
	evs[5].timeline = "gamma";
	evs[5].sources = &src;
	evs[5].nsources = 1;
	for (size_t i = 0; i < sizeof evs / sizeof *evs; i++)
		put(db, &evs[i]);

	char buf[1024];
	tldb_query q;

	/* timelines: any of */
	tldb_query_init(&q);
	const char *tl_ab[] = {"alpha", "beta"};
	q.timelines = tl_ab;
	q.ntimelines = 2;
	query_uids(db, &q, buf, sizeof buf);
	cr_expect_str_eq(buf, "a2 b1 a1 b2");
	const char *tl_g[] = {"gamma"};
	q.timelines = tl_g;
	q.ntimelines = 1;
	query_uids(db, &q, buf, sizeof buf);
	cr_expect_str_eq(buf, "c1 c2");
	const char *tl_none[] = {"nope"};
	q.timelines = tl_none;
	cr_expect_eq(query_uids(db, &q, buf, sizeof buf), 0);

	/* tags: all of */
	tldb_query_init(&q);
	const char *tg_r[] = {"russia"};
	q.tags = tg_r;
	q.ntags = 1;
	query_uids(db, &q, buf, sizeof buf);
	cr_expect_str_eq(buf, "a2 b1 a1");
	const char *tg_rc[] = {"russia", "china"};
	q.tags = tg_rc;
	q.ntags = 2;
	query_uids(db, &q, buf, sizeof buf);
	cr_expect_str_eq(buf, "a2 a1");
	const char *tg_cs[] = {"sco", "china"};
	q.tags = tg_cs;
	query_uids(db, &q, buf, sizeof buf);
	cr_expect_str_eq(buf, "b2");
	const char *tg_rs[] = {"russia", "sco"};
	q.tags = tg_rs;
	cr_expect_eq(query_uids(db, &q, buf, sizeof buf), 0);
	/* Combined with timelines and a range. */
	q.tags = tg_r;
	q.ntags = 1;
	q.timelines = tl_ab + 1;
	q.ntimelines = 1;
	query_uids(db, &q, buf, sizeof buf);
	cr_expect_str_eq(buf, "b1");
	range_of("2022-09", NULL, &q.lo, &q.hi);
	cr_expect_eq(query_uids(db, &q, buf, sizeof buf), 0);

	/* text: title, body, location, tags, source quotes */
	struct {
		const char *text, *expect;
	} texts[] = {
	        {"summit", "a1"},           {"siberian", "a2"},
	        {"uzbekistan", "a1"},       {"sco", "b2"},
	        {"pipelines", "c2"},        {"russia", "a2 b1 a1"},
	        {"gas OR parade", "a2 b1"}, {"summit AND samarkand", "a1"},
	        {"\"gas deal\"", "a2"},     {"sib*", "a2"},
	        {"nothinglikethis", ""},
	};
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		tldb_query_init(&q);
		q.text = texts[i].text;
		query_uids(db, &q, buf, sizeof buf);
		cr_expect_str_eq(buf, texts[i].expect, "text %s",
		                 texts[i].text);
	}
	/* Text with a range and a tag. */
	tldb_query_init(&q);
	q.text = "russia";
	range_of("2022-09", NULL, &q.lo, &q.hi);
	query_uids(db, &q, buf, sizeof buf);
	cr_expect_str_eq(buf, "a1");

	/* A bad FTS5 expression is TLDB_EINVAL with a message, not an
	 * internal error; the handle keeps working. */
	static const char *const bad_texts[] = {
	        "\"unbalanced", "not-like-this", "AND", "(x", "nosuch:x", "*",
	};
	for (size_t i = 0; i < sizeof bad_texts / sizeof *bad_texts; i++) {
		tldb_query_init(&q);
		q.text = bad_texts[i];
		tldb_cursor *c = NULL;
		int rc = tldb_query_open(db, &q, &c);
		if (rc == TLDB_OK) {
			const tldb_event *ev;
			rc = tldb_cursor_next(c, &ev);
			tldb_cursor_free(c);
		}
		cr_expect_eq(rc, TLDB_EINVAL, "text '%s': %s (%s)",
		             bad_texts[i], tldb_err_name(rc), tldb_errmsg(db));
		cr_expect(strstr(tldb_errmsg(db), "text query"),
		          "text '%s': message %s", bad_texts[i],
		          tldb_errmsg(db));
		tldb_query_init(&q);
		q.text = "summit";
		query_uids(db, &q, buf, sizeof buf);
		cr_expect_str_eq(buf, "a1");
	}

	/* min_precision */
	tldb_query_init(&q);
	q.min_precision = TLDB_PREC_DAY;
	query_uids(db, &q, buf, sizeof buf);
	cr_expect_str_eq(buf, "a2 b1 a1 c2");
	q.min_precision = TLDB_PREC_MINUTE;
	query_uids(db, &q, buf, sizeof buf);
	cr_expect_str_eq(buf, "b1");
	q.min_precision = TLDB_PREC_MONTH;
	query_uids(db, &q, buf, sizeof buf);
	cr_expect_str_eq(buf, "a2 b1 a1 c2 b2");
	q.min_precision = TLDB_PREC_YEAR;
	cr_expect_eq(query_uids(db, &q, buf, sizeof buf), 6);

	/* An empty or inverted range is refused. */
	tldb_query_init(&q);
	q.lo = 10;
	q.hi = 10;
	tldb_cursor *c = NULL;
	cr_expect_eq(tldb_query_open(db, &q, &c), TLDB_EINVAL);
	cr_expect_null(c);
	q.hi = 9;
	cr_expect_eq(tldb_query_open(db, &q, &c), TLDB_EINVAL);
	cr_expect_null(c);
	tldb_close(db);
}

Test(query, limit_and_offset_page_like_one_pass)
{
	tldb *db = open_new();
	cr_assert_eq(tldb_begin(db), TLDB_OK);
	char uid[32], start[32];
	for (int i = 0; i < 257; i++) {
		snprintf(uid, sizeof uid, "p%03d", i);
		/* Many ties on lo, mixed precisions. */
		int y = 1990 + i % 17;
		if (i % 3 == 0)
			snprintf(start, sizeof start, "%04d", y);
		else if (i % 3 == 1)
			snprintf(start, sizeof start, "%04d-03", y);
		else
			snprintf(start, sizeof start, "%04d-03-01", y);
		tldb_event ev =
		        event(uid, i % 5 ? "Same" : "Other", start, NULL);
		put(db, &ev);
	}
	cr_assert_eq(tldb_commit(db), TLDB_OK);
	size_t size = 64 * 1024;
	char *one = malloc(size), *paged = malloc(size), *page = malloc(size);
	cr_assert(one && paged && page);
	tldb_query q;
	tldb_query_init(&q);
	cr_expect_eq(query_uids(db, &q, one, size), 257);
	int sizes[] = {1, 7, 50, 256, 300};
	for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
		size_t len = 0;
		paged[0] = '\0';
		int total = 0;
		for (int off = 0;; off += sizes[s]) {
			q.limit = sizes[s];
			q.offset = off;
			int n = query_uids(db, &q, page, size);
			cr_assert_leq(n, sizes[s]);
			if (!n)
				break;
			total += n;
			int k = snprintf(paged + len, size - len, "%s%s",
			                 len ? " " : "", page);
			cr_assert(k > 0 && (size_t)k < size - len);
			len += (size_t)k;
		}
		cr_expect_eq(total, 257, "page size %d", sizes[s]);
		cr_expect_str_eq(paged, one, "page size %d", sizes[s]);
	}
	/* offset past the end: nothing; limit 0: no limit. */
	q.limit = 10;
	q.offset = 1000;
	cr_expect_eq(query_uids(db, &q, page, size), 0);
	q.limit = 0;
	q.offset = 0;
	cr_expect_eq(query_uids(db, &q, page, size), 257);
	free(one);
	free(paged);
	free(page);
	tldb_close(db);
}

/* ---- brute-force property test ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

static int rnd_int(int lo, int hi) /* [lo, hi] */
{
	return lo + (int)(rnd() % (uint64_t)(hi - lo + 1));
}

typedef struct model_event {
	char uid[16];
	char title[16];
	int64_t lo, hi;
	int prec;
} model_event;

/* Formats a random date of random precision near year y. */
static void random_date(char *buf, size_t size, int y, tldb_precision *prec)
{
	int p = rnd_int(1, 5);
	int m = rnd_int(1, 12), d = rnd_int(1, 28), h = rnd_int(0, 23),
	    mi = rnd_int(0, 59), s = rnd_int(0, 59);
	char year[16];
	if (y < 0)
		snprintf(year, sizeof year, "-%04d", -y);
	else
		snprintf(year, sizeof year, "%04d", y);
	switch (p) {
	case 1:
		snprintf(buf, size, "%s", year);
		break;
	case 2:
		snprintf(buf, size, "%s-%02d", year, m);
		break;
	case 3:
		snprintf(buf, size, "%s-%02d-%02d", year, m, d);
		break;
	case 4:
		snprintf(buf, size, "%s-%02d-%02dT%02d:%02dZ", year, m, d, h,
		         mi);
		break;
	default:
		snprintf(buf, size, "%s-%02d-%02dT%02d:%02d:%02dZ", year, m, d,
		         h, mi, s);
		break;
	}
	*prec = (tldb_precision)p;
}

static int model_cmp(const void *pa, const void *pb)
{
	const model_event *a = pa, *b = pb;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	if (a->prec != b->prec)
		return a->prec > b->prec ? -1 : 1;
	int c = strcmp(a->title, b->title);
	if (c)
		return c;
	return strcmp(a->uid, b->uid);
}

/* The bounds of an event as the contract defines them. */
static void model_bounds(const char *start, const char *end, int64_t *lo,
                         int64_t *hi, int *prec)
{
	tldb_date s = parse(start);
	*lo = s.lo;
	*hi = s.hi;
	*prec = (int)s.precision;
	if (!end)
		return;
	tldb_date e = parse(end);
	*hi = e.precision >= TLDB_PREC_MINUTE ? e.lo : e.hi;
	if (*hi <= *lo)
		*hi = *lo + 1;
	if (e.precision < s.precision)
		*prec = (int)e.precision;
}

Test(query, brute_force_matches_cursor, .timeout = 300)
{
	enum { NEVENTS = 3000, NQUERIES = 300 };
	rng_state = UINT64_C(0x9E3779B97F4A7C15);
	tldb *db = open_new();
	model_event *model = calloc(NEVENTS, sizeof *model);
	cr_assert_not_null(model);
	static const char *const titles[] = {"A", "B", "C", "Delta", "echo"};
	cr_assert_eq(tldb_begin(db), TLDB_OK);
	for (int i = 0; i < NEVENTS; i++) {
		model_event *m = &model[i];
		snprintf(m->uid, sizeof m->uid, "r%05d", (i * 7919) % NEVENTS);
		snprintf(m->title, sizeof m->title, "%s",
		         titles[rnd_int(0, 4)]);
		int y = rnd_int(-300, 2300);
		if (rnd_int(0, 9) == 0)
			y = rnd_int(1990, 1995); /* a dense cluster */
		char date[64], start[80], end[80];
		tldb_precision sp, ep;
		random_date(date, sizeof date, y, &sp);
		snprintf(start, sizeof start, "%s", date);
		const char *endp = NULL;
		int kind = rnd_int(0, 9);
		if (kind == 0) {
			/* open end */
			snprintf(start, sizeof start, "%s/..", date);
		} else if (kind == 1) {
			/* open start */
			snprintf(start, sizeof start, "../%s", date);
		} else if (kind <= 4) {
			/* an end: same day, days, years or centuries on */
			int span = rnd_int(0, 3);
			int ey = y;
			if (span == 2)
				ey = y + rnd_int(1, 30);
			else if (span == 3)
				ey = y + rnd_int(30, 900);
			random_date(end, sizeof end, ey, &ep);
			tldb_date ds = parse(start), de = parse(end);
			if (de.lo < ds.lo)
				snprintf(end, sizeof end, "%s", start);
			endp = end;
		}
		model_bounds(start, endp, &m->lo, &m->hi, &m->prec);
		tldb_event ev = event(m->uid, m->title, start, endp);
		put(db, &ev);
	}
	cr_assert_eq(tldb_commit(db), TLDB_OK);

	/* The stored bounds and precisions are the model's. */
	qsort(model, NEVENTS, sizeof *model, model_cmp);
	tldb_query all;
	tldb_query_init(&all);
	tldb_cursor *c = NULL;
	cr_assert_eq(tldb_query_open(db, &all, &c), TLDB_OK);
	const tldb_event *ev;
	int k = 0, rc;
	while ((rc = tldb_cursor_next(c, &ev)) == TLDB_OK) {
		cr_assert_lt(k, NEVENTS);
		cr_assert_str_eq(ev->uid, model[k].uid, "row %d", k);
		cr_assert_eq(ev->lo, model[k].lo, "%s lo", ev->uid);
		cr_assert_eq(ev->hi, model[k].hi, "%s hi (%s .. %s)", ev->uid,
		             ev->start, ev->end ? ev->end : "");
		cr_assert_eq((int)ev->precision, model[k].prec, "%s", ev->uid);
		k++;
	}
	cr_assert_eq(rc, TLDB_DONE);
	cr_assert_eq(k, NEVENTS);
	tldb_cursor_free(c);

	/* Random ranges in both modes against the brute force. */
	int64_t y_lo = parse("-0400").lo, y_hi = parse("2400").hi;
	int *expect = malloc(NEVENTS * sizeof *expect);
	cr_assert_not_null(expect);
	int64_t total_matches = 0;
	for (int qi = 0; qi < NQUERIES; qi++) {
		tldb_query q;
		tldb_query_init(&q);
		int64_t a = y_lo + (int64_t)(rnd() % (uint64_t)(y_hi - y_lo));
		int64_t len;
		switch (rnd_int(0, 4)) {
		case 0:
			len = rnd_int(1, 3600);
			break;
		case 1:
			len = (int64_t)rnd_int(1, 60) * 86400;
			break;
		case 2:
			len = (int64_t)rnd_int(1, 50) * 31556952;
			break;
		case 3:
			len = (int64_t)rnd_int(50, 2000) * 31556952;
			break;
		default:
			/* a date string range */
			len = 0;
			break;
		}
		if (len) {
			q.lo = a;
			q.hi = a + len;
		} else {
			char d1[64], d2[64];
			tldb_precision p1, p2;
			int y1 = rnd_int(-300, 2300);
			random_date(d1, sizeof d1, y1, &p1);
			random_date(d2, sizeof d2, y1 + rnd_int(0, 40), &p2);
			q.lo = parse(d1).lo;
			q.hi = parse(d2).hi;
			if (q.hi <= q.lo)
				q.hi = parse(d1).hi;
		}
		if (qi % 10 == 0)
			q.lo = TLDB_TIME_MIN;
		if (qi % 10 == 1)
			q.hi = TLDB_TIME_MAX;
		q.within = qi % 2;
		if (qi % 7 == 3)
			q.min_precision = (tldb_precision)rnd_int(1, 5);
		int ne = 0;
		for (int i = 0; i < NEVENTS; i++) {
			const model_event *m = &model[i];
			int match;
			if (q.within)
				match = m->lo >= q.lo && m->hi <= q.hi &&
				        m->lo < q.hi;
			else
				match = m->lo < q.hi && m->hi > q.lo;
			if (match && m->prec < (int)q.min_precision)
				match = 0;
			if (match)
				expect[ne++] = i;
		}
		total_matches += ne;
		cr_assert_eq(tldb_query_open(db, &q, &c), TLDB_OK, "%s",
		             tldb_errmsg(db));
		k = 0;
		while ((rc = tldb_cursor_next(c, &ev)) == TLDB_OK) {
			cr_assert_lt(k, ne,
			             "query %d [%lld, %lld) %s: extra %s "
			             "[%lld, %lld)",
			             qi, (long long)q.lo, (long long)q.hi,
			             q.within ? "within" : "overlap", ev->uid,
			             (long long)ev->lo, (long long)ev->hi);
			cr_assert_str_eq(ev->uid, model[expect[k]].uid,
			                 "query %d [%lld, %lld) %s: row %d", qi,
			                 (long long)q.lo, (long long)q.hi,
			                 q.within ? "within" : "overlap", k);
			k++;
		}
		cr_assert_eq(rc, TLDB_DONE);
		cr_assert_eq(k, ne,
		             "query %d [%lld, %lld) %s: %d rows, %d "
		             "expected",
		             qi, (long long)q.lo, (long long)q.hi,
		             q.within ? "within" : "overlap", k, ne);
		tldb_cursor_free(c);
	}
	/* The ranges were not all empty or all full. */
	cr_expect_gt(total_matches, NQUERIES);
	cr_expect_lt(total_matches, (int64_t)NQUERIES * NEVENTS / 2);
	free(expect);
	free(model);
	tldb_close(db);
}

/* ---- the query plan ---- */

static int count_substr(const char *s, const char *sub)
{
	int n = 0;
	for (const char *p = strstr(s, sub); p;
	     p = strstr(p + strlen(sub), sub))
		n++;
	return n;
}

static void check_range_plan(tldb *db, const tldb_query *q)
{
	char *plan = NULL;
	int rc = tldb_query_plan(db, q, &plan);
	cr_assert_eq(rc, TLDB_OK, "plan: %s", tldb_errmsg(db));
	cr_assert_not_null(plan);
	int uses = count_substr(plan, "USING INDEX events_span") +
	           count_substr(plan, "USING COVERING INDEX events_span");
	cr_expect_eq(uses, TL_NCLASSES,
	             "every arm must search events_span:\n%s", plan);
	/* No arm scans events. */
	for (const char *line = plan; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		const char *scan = strstr(line, "SCAN e");
		int bad =
		        scan && scan < line + len &&
		        (scan[6] == '\n' || scan[6] == ' ' || scan[6] == '\0');
		cr_expect_not(bad, "full scan of events:\n%s", plan);
		if (!nl)
			break;
		line = nl + 1;
	}
	cr_expect(strstr(plan, "MERGE"), "no ordered merge:\n%s", plan);
	cr_expect_not(strstr(plan, "TEMP B-TREE"), "an arm sorts:\n%s", plan);
	cr_expect_not(strstr(plan, "SCAN events"), "%s", plan);
	free(plan);
}

Test(query, plan_uses_span_index_and_merge)
{
	tldb *db = open_new();
	cr_assert_eq(tldb_begin(db), TLDB_OK);
	char uid[16], start[16];
	for (int i = 0; i < 2000; i++) {
		snprintf(uid, sizeof uid, "e%d", i);
		snprintf(start, sizeof start, "%04d-%02d", 1000 + i % 1000,
		         1 + i % 12);
		tldb_event ev = event(uid, "Plan", start, NULL);
		put(db, &ev);
	}
	cr_assert_eq(tldb_commit(db), TLDB_OK);
	tldb_query q;
	tldb_query_init(&q);
	range_of("1500", "1501", &q.lo, &q.hi);
	check_range_plan(db, &q);
	q.within = 1;
	check_range_plan(db, &q);
	/* With a limit (paging) too. */
	q.within = 0;
	q.limit = 20;
	q.offset = 40;
	check_range_plan(db, &q);
	tldb_close(db);
}

/* ---- streaming memory ---- */

static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks;
}

Test(query, cursor_streams_in_constant_memory, .timeout = 300)
{
	enum { N = 50000 };
	tldb *db = open_new();
	cr_assert_eq(tldb_begin(db), TLDB_OK);
	char uid[32], title[96], start[32];
	const char *tags[] = {"one", "two", "three"};
	for (int i = 0; i < N; i++) {
		snprintf(uid, sizeof uid, "s%06d", i);
		snprintf(title, sizeof title,
		         "Streaming event %d with some title text", i);
		snprintf(start, sizeof start, "%04d-%02d-%02d", 1000 + i % 1000,
		         1 + i % 12, 1 + i % 28);
		tldb_event ev = event(uid, title, start, NULL);
		ev.tags = tags;
		ev.ntags = 3;
		put(db, &ev);
	}
	cr_assert_eq(tldb_commit(db), TLDB_OK);

	tldb_query q;
	tldb_query_init(&q);
	const tldb_event *ev;
	int rc;
	/* A first pass warms SQLite's page cache up to its bound. */
	tldb_cursor *c = NULL;
	cr_assert_eq(tldb_query_open(db, &q, &c), TLDB_OK);
	while ((rc = tldb_cursor_next(c, &ev)) == TLDB_OK)
		;
	cr_assert_eq(rc, TLDB_DONE);
	tldb_cursor_free(c);

	cr_assert_eq(tldb_query_open(db, &q, &c), TLDB_OK);
	int n = 0;
	size_t at_1000 = 0, peak = 0;
	int64_t last_lo = TLDB_TIME_MIN;
	while ((rc = tldb_cursor_next(c, &ev)) == TLDB_OK) {
		cr_assert_geq(ev->lo, last_lo);
		cr_assert_eq(ev->ntags, 3);
		last_lo = ev->lo;
		n++;
		if (n == 1000)
			at_1000 = heap_in_use();
		if (n > 1000 && n % 1000 == 0) {
			size_t h = heap_in_use();
			if (h > peak)
				peak = h;
		}
	}
	cr_assert_eq(rc, TLDB_DONE, "%s", tldb_errmsg(db));
	cr_assert_eq(n, N);
	size_t at_end = heap_in_use();
	tldb_cursor_free(c);
	cr_log_info("heap: %zu after 1000 rows, %zu at the end, peak %zu",
	            at_1000, at_end, peak);
	/* Whatever the events take, it is not proportional to 50,000. */
	const size_t slack = 256 * 1024;
	cr_expect_leq(at_end, at_1000 + slack,
	              "heap grew from %zu to %zu bytes over %d rows", at_1000,
	              at_end, N);
	cr_expect_leq(peak, at_1000 + slack, "heap peaked at %zu (from %zu)",
	              peak, at_1000);
	tldb_close(db);
}

/* ---- sources ---- */

Test(query, with_sources)
{
	tldb *db = open_new();
	tldb_source srcs[2] = {
	        {.url = "https://example.org/1",
	         .quote = "first quote",
	         .span = {3, 9},
	         .expr_span = {-1, -1}},
	        {.title = "Second",
	         .doc_date = "2022-09-15",
	         .span = {-1, -1},
	         .expr_span = {4, 6}},
	};
	tldb_event e1 = event("with", "With sources", "2022-09-15", NULL);
	e1.sources = srcs;
	e1.nsources = 2;
	tldb_event e2 = event("without", "No sources", "2022-09-16", NULL);
	put(db, &e1);
	put(db, &e2);

	tldb_query q;
	tldb_query_init(&q);
	tldb_cursor *c = NULL;
	const tldb_event *ev;
	/* Without with_sources: none loaded. */
	cr_assert_eq(tldb_query_open(db, &q, &c), TLDB_OK);
	int n = 0;
	while (tldb_cursor_next(c, &ev) == TLDB_OK) {
		cr_expect_null(ev->sources, "%s", ev->uid);
		cr_expect_eq(ev->nsources, 0, "%s", ev->uid);
		n++;
	}
	cr_expect_eq(n, 2);
	tldb_cursor_free(c);

	q.with_sources = 1;
	cr_assert_eq(tldb_query_open(db, &q, &c), TLDB_OK);
	cr_assert_eq(tldb_cursor_next(c, &ev), TLDB_OK);
	cr_assert_str_eq(ev->uid, "with");
	cr_assert_eq(ev->nsources, 2);
	cr_expect_str_eq(ev->sources[0].url, "https://example.org/1");
	cr_expect_str_eq(ev->sources[0].quote, "first quote");
	cr_expect_null(ev->sources[0].title);
	cr_expect_eq(ev->sources[0].span[0], 3);
	cr_expect_eq(ev->sources[0].span[1], 9);
	cr_expect_eq(ev->sources[0].expr_span[0], -1);
	cr_expect_eq(ev->sources[0].expr_span[1], -1);
	cr_expect_null(ev->sources[1].url);
	cr_expect_str_eq(ev->sources[1].title, "Second");
	cr_expect_str_eq(ev->sources[1].doc_date, "2022-09-15");
	cr_expect_eq(ev->sources[1].span[0], -1);
	cr_expect_eq(ev->sources[1].span[1], -1);
	cr_expect_eq(ev->sources[1].expr_span[0], 4);
	cr_expect_eq(ev->sources[1].expr_span[1], 6);
	cr_assert_eq(tldb_cursor_next(c, &ev), TLDB_OK);
	cr_assert_str_eq(ev->uid, "without");
	cr_expect_eq(ev->nsources, 0);
	cr_expect_eq(tldb_cursor_next(c, &ev), TLDB_DONE);
	tldb_cursor_free(c);
	tldb_close(db);
}
