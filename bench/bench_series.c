/*
 * bench_series.c -- recurring series in the store (issue 14, part 3) and
 * in the .ics feed (part 4), each against a peer in the same run.
 *
 * Store: N deterministic events over 1990..2030, one in ten of them a
 * series (weekly and daily with COUNT, monthly with COUNT, yearly all-day
 * without end), the rest single timed events.  tldb keeps each series as
 * one row and expands it at query time.  The peer is the ceiling of the
 * other design, expansion at import: plain SQLite with every occurrence
 * up to 2032 materialized as a row (expanded with libical before the timed
 * part), one index in the query's order (lo, prec DESC, title, uid, hi),
 * WAL.  Measured: the load (rows/s of the input: tldb stores N rows, the
 * ceiling N' occurrences), and over Q random one-week ranges the time to
 * the first 100 events (p50, p90, p99) and to the whole week.  Both must
 * give the same events (count, and a uid checksum) for every range, or the
 * program fails.
 *
 * Feed: a timeline of 1,000 weekly series in Europe/Berlin, each with two
 * EXDATEs, in a database of its own, written as one .ics by tldb_export (the
 * ical plugin, which writes each series once) against libical building the same
 * VCALENDAR and serializing it (icalcomponent_as_ical_string_r), median of R
 * runs.
 *
 * Usage: bench-series --plugins DIR [--events N] [--queries Q] [--dir DIR]
 *                     [--seed S] [--runs R]
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <libical/ical.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tldb/plugins.h"
#include "tldb/tldb.h"

#define BATCH      10000
#define FIRST_PAGE 100
#define DAY        INT64_C(86400)
#define WEEK       (7 * DAY)
#define MAX_Q      10000

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static int64_t rnd(uint64_t *s, int64_t a, int64_t b) /* [a, b) */
{
	return a + (int64_t)(splitmix64(s) % (uint64_t)(b - a));
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
	return h;
}

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "bench-series: %s: %s\n", what, msg);
	exit(1);
}

/* ---- the data ---- */

enum kind { SINGLE, WEEKLY, DAILY, MONTHLY, YEARLY };

typedef struct gen {
	enum kind kind;
	int64_t lo, len; /* the first occurrence; len 0 for a day */
	int count;
	char uid[32], title[48];
} gen;

static const char *const names[] = {"Stand-up", "Review",  "Lunch",
                                    "Gym",      "Lecture", "Birthday",
                                    "Sync",     "Planning"};

static void gen_all(gen *g, size_t n, uint64_t seed)
{
	uint64_t st = seed;
	int64_t t0 = INT64_C(631152000);  /* 1990-01-01 */
	int64_t t1 = INT64_C(1893456000); /* 2030-01-01 */
	for (size_t i = 0; i < n; i++) {
		gen *e = &g[i];
		snprintf(e->uid, sizeof e->uid, "e%zu", i);
		snprintf(e->title, sizeof e->title, "%s %zu",
		         names[rnd(&st, 0, 8)], i % 997);
		e->lo = rnd(&st, t0, t1) / 60 * 60;
		e->len = rnd(&st, 2, 9) * 900;
		e->count = 0;
		e->kind = SINGLE;
		if (i % 10)
			continue;
		int64_t k = rnd(&st, 0, 10);
		e->kind = k < 4   ? WEEKLY
		          : k < 7 ? DAILY
		          : k < 9 ? MONTHLY
		                  : YEARLY;
		e->count = e->kind == WEEKLY    ? (int)rnd(&st, 4, 105)
		           : e->kind == DAILY   ? (int)rnd(&st, 5, 61)
		           : e->kind == MONTHLY ? (int)rnd(&st, 6, 37)
		                                : 0;
		if (e->kind == YEARLY) {
			e->lo = e->lo / DAY * DAY;
			e->len = 0;
		}
	}
}

static const char *rule_of(const gen *e)
{
	static char buf[64];
	static const char *const freq[] = {"", "WEEKLY", "DAILY", "MONTHLY",
	                                   "YEARLY"};
	if (e->count)
		snprintf(buf, sizeof buf, "FREQ=%s;COUNT=%d", freq[e->kind],
		         e->count);
	else
		snprintf(buf, sizeof buf, "FREQ=%s", freq[e->kind]);
	return buf;
}

static void edtf(int64_t t, int day, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, size, day ? "%Y-%m-%d" : "%Y-%m-%dT%H:%MZ", &tm);
}

/* ---- tldb ---- */

static double tldb_load(tldb *db, const gen *g, size_t n)
{
	double t = now_s();
	char start[32], end[32], recur[80];
	for (size_t i = 0; i < n; i += BATCH) {
		if (tldb_begin(db))
			die("begin", tldb_errmsg(db));
		for (size_t k = i; k < n && k < i + BATCH; k++) {
			const gen *e = &g[k];
			tldb_event ev;
			memset(&ev, 0, sizeof ev);
			ev.uid = e->uid;
			ev.title = e->title;
			edtf(e->lo, e->kind == YEARLY, start, sizeof start);
			ev.start = start;
			if (e->len) {
				edtf(e->lo + e->len, 0, end, sizeof end);
				ev.end = end;
			}
			if (e->kind != SINGLE) {
				snprintf(recur, sizeof recur, "RRULE:%s",
				         rule_of(e));
				ev.recur = recur;
			}
			if (tldb_put(db, &ev, NULL, NULL))
				die("put", tldb_errmsg(db));
		}
		if (tldb_commit(db))
			die("commit", tldb_errmsg(db));
	}
	return now_s() - t;
}

typedef struct qstat {
	long long rows;
	uint64_t uidsum;
} qstat;

static qstat tldb_range(tldb *db, int64_t lo, int64_t hi, int64_t limit)
{
	tldb_query q;
	tldb_query_init(&q);
	q.lo = lo;
	q.hi = hi;
	q.limit = limit;
	tldb_cursor *c;
	if (tldb_query_open(db, &q, &c))
		die("query", tldb_errmsg(db));
	qstat s = {0, 0};
	const tldb_event *ev;
	int rc;
	while ((rc = tldb_cursor_next(c, &ev)) == TLDB_OK) {
		s.rows++;
		s.uidsum += fnv1a(ev->uid);
	}
	if (rc != TLDB_DONE)
		die("cursor", tldb_errmsg(db));
	tldb_cursor_free(c);
	return s;
}

/* ---- the ceiling: occurrences materialized in plain SQLite ---- */

static void exec_sql(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		die(sql, err ? err : "?");
}

/* The occurrence uid tldb gives: UID/20240111T090000Z or UID/20240111. */
static void occ_uid(const gen *e, int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	char id[32];
	strftime(id, sizeof id, e->kind == YEARLY ? "%Y%m%d" : "%Y%m%dT%H%M%SZ",
	         &tm);
	snprintf(buf, size, "%s/%s", e->uid, id);
}

typedef struct row {
	int64_t lo, hi;
	int prec;
	const char *title;
	char uid[48];
} row;

/* Every occurrence of e up to `until` into rows (grown); libical's
 * iterator on UTC times. */
static size_t expand(const gen *e, int64_t until, row **rows, size_t n,
                     size_t *cap)
{
	if (e->kind == SINGLE) {
		if (n == *cap)
			*rows = realloc(*rows, (*cap = *cap * 2 + 1024) *
			                               sizeof **rows);
		row *r = &(*rows)[n++];
		r->lo = e->lo;
		r->hi = e->lo + e->len;
		r->prec = 4;
		r->title = e->title;
		snprintf(r->uid, sizeof r->uid, "%s", e->uid);
		return n;
	}
	struct icalrecurrencetype rule =
	        icalrecurrencetype_from_string(rule_of(e));
	icaltimetype start = icaltime_from_timet_with_zone(
	        (time_t)e->lo, e->kind == YEARLY, NULL);
	icalrecur_iterator *it = icalrecur_iterator_new(rule, start);
	for (icaltimetype t = icalrecur_iterator_next(it);
	     !icaltime_is_null_time(t); t = icalrecur_iterator_next(it)) {
		int64_t lo = (int64_t)icaltime_as_timet(t);
		if (lo >= until)
			break;
		if (n == *cap)
			*rows = realloc(*rows, (*cap = *cap * 2 + 1024) *
			                               sizeof **rows);
		row *r = &(*rows)[n++];
		r->lo = lo;
		r->hi = e->kind == YEARLY ? lo + DAY : lo + e->len;
		r->prec = e->kind == YEARLY ? 3 : 4;
		r->title = e->title;
		occ_uid(e, lo, r->uid, sizeof r->uid);
	}
	icalrecur_iterator_free(it);
	return n;
}

static double ceiling_load(sqlite3 *db, const row *rows, size_t n)
{
	exec_sql(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	             "CREATE TABLE occ(lo INTEGER, hi INTEGER, prec INTEGER,"
	             " title TEXT, uid TEXT);"
	             "CREATE INDEX occ_span ON occ(lo, prec DESC, title, uid,"
	             " hi);");
	sqlite3_stmt *ins;
	sqlite3_prepare_v2(db, "INSERT INTO occ VALUES (?1, ?2, ?3, ?4, ?5)",
	                   -1, &ins, NULL);
	double t = now_s();
	for (size_t i = 0; i < n; i++) {
		if (i % BATCH == 0)
			exec_sql(db, "BEGIN");
		sqlite3_bind_int64(ins, 1, rows[i].lo);
		sqlite3_bind_int64(ins, 2, rows[i].hi);
		sqlite3_bind_int(ins, 3, rows[i].prec);
		sqlite3_bind_text(ins, 4, rows[i].title, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 5, rows[i].uid, -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			die("insert", sqlite3_errmsg(db));
		sqlite3_reset(ins);
		if (i % BATCH == BATCH - 1 || i == n - 1)
			exec_sql(db, "COMMIT");
	}
	sqlite3_finalize(ins);
	return now_s() - t;
}

static qstat ceiling_range(sqlite3_stmt *st, int64_t maxspan, int64_t lo,
                           int64_t hi, int64_t limit)
{
	sqlite3_bind_int64(st, 1, lo - maxspan);
	sqlite3_bind_int64(st, 2, hi);
	sqlite3_bind_int64(st, 3, lo);
	sqlite3_bind_int64(st, 4, limit ? limit : -1);
	qstat s = {0, 0};
	while (sqlite3_step(st) == SQLITE_ROW) {
		s.rows++;
		s.uidsum += fnv1a((const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_reset(st);
	return s;
}

/* ---- the feed ---- */

static int64_t sink_bytes;
static int sink(void *ud, const void *buf, size_t len)
{
	(void)ud;
	(void)buf;
	sink_bytes += (int64_t)len;
	return 0;
}

static void feed_load(tldb *db)
{
	tldb_timeline tl = {.name = "series1k", .title = "1,000 series"};
	if (tldb_timeline_create(db, &tl))
		die("timeline", tldb_errmsg(db));
	if (tldb_begin(db))
		die("begin", tldb_errmsg(db));
	for (int i = 0; i < 1000; i++) {
		char uid[32], title[32], start[32], end[32], recur[160];
		snprintf(uid, sizeof uid, "s%d", i);
		snprintf(title, sizeof title, "Weekly %d", i);
		snprintf(start, sizeof start, "2024-%02d-%02dT%02d:00:00",
		         1 + i % 12, 1 + i % 28, 8 + i % 10);
		snprintf(end, sizeof end, "2024-%02d-%02dT%02d:30:00",
		         1 + i % 12, 1 + i % 28, 8 + i % 10);
		snprintf(recur, sizeof recur,
		         "RRULE:FREQ=WEEKLY;COUNT=52\n"
		         "EXDATE;TZID=Europe/Berlin:2024%02d%02dT%02d0000\n"
		         "EXDATE;VALUE=DATE:2024%02d%02d",
		         1 + (i + 1) % 12, 1 + i % 28, 8 + i % 10,
		         1 + (i + 2) % 12, 1 + i % 28);
		tldb_event ev = {.uid = uid,
		                 .timeline = "series1k",
		                 .title = title,
		                 .start = start,
		                 .end = end,
		                 .tz = "Europe/Berlin",
		                 .recur = recur};
		if (tldb_put(db, &ev, NULL, NULL))
			die("put", tldb_errmsg(db));
	}
	if (tldb_commit(db))
		die("commit", tldb_errmsg(db));
}

static double tldb_feed(tldb *db, tldb_plugins *p)
{
	tldb_query q;
	tldb_query_init(&q);
	const char *one[] = {"series1k"};
	q.timelines = one;
	q.ntimelines = 1;
	tldb_export_opts o = {.format = "ics", .query = &q, .write = sink};
	tldb_msgbuf err;
	sink_bytes = 0;
	double t = now_s();
	if (tldb_export(db, p, &o, NULL, &err))
		die("export", err.msg);
	return now_s() - t;
}

static double libical_feed(void)
{
	double t = now_s();
	icaltimezone *berlin =
	        icaltimezone_get_builtin_timezone("Europe/Berlin");
	icalcomponent *cal = icalcomponent_vanew(
	        ICAL_VCALENDAR_COMPONENT, icalproperty_new_version("2.0"),
	        icalproperty_new_prodid("-//bench//EN"), (void *)0);
	icalcomponent_add_component(
	        cal,
	        icalcomponent_new_clone(icaltimezone_get_component(berlin)));
	for (int i = 0; i < 1000; i++) {
		char uid[32], title[32], rule[160];
		snprintf(uid, sizeof uid, "s%d", i);
		snprintf(title, sizeof title, "Weekly %d", i);
		icaltimetype s = icaltime_null_time();
		s.year = 2024;
		s.month = 1 + i % 12;
		s.day = 1 + i % 28;
		s.hour = 8 + i % 10;
		icaltimetype e = s;
		e.minute = 30;
		icaltimetype x1 = s, x2 = s;
		x1.month = 1 + (i + 1) % 12;
		x2.month = 1 + (i + 2) % 12;
		x2.is_date = 1;
		snprintf(rule, sizeof rule, "FREQ=WEEKLY;COUNT=52");
		icalcomponent *ev = icalcomponent_vanew(
		        ICAL_VEVENT_COMPONENT, icalproperty_new_uid(uid),
		        icalproperty_new_dtstamp(
		                icaltime_from_timet_with_zone(0, 0, NULL)),
		        icalproperty_vanew_dtstart(
		                s, icalparameter_new_tzid("Europe/Berlin"),
		                (void *)0),
		        icalproperty_vanew_dtend(
		                e, icalparameter_new_tzid("Europe/Berlin"),
		                (void *)0),
		        icalproperty_new_rrule(
		                icalrecurrencetype_from_string(rule)),
		        icalproperty_vanew_exdate(
		                x1, icalparameter_new_tzid("Europe/Berlin"),
		                (void *)0),
		        icalproperty_new_exdate(x2),
		        icalproperty_new_summary(title), (void *)0);
		icalcomponent_add_component(cal, ev);
	}
	char *text = icalcomponent_as_ical_string_r(cal);
	sink_bytes = (int64_t)strlen(text);
	free(text);
	icalcomponent_free(cal);
	return now_s() - t;
}

/* ---- main ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double pct(double *v, size_t n, double q)
{
	qsort(v, n, sizeof *v, cmp_double);
	size_t i = (size_t)(q * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

int main(int argc, char **argv)
{
	size_t n = 1000000, nq = 200;
	int runs = 5;
	uint64_t seed = 42;
	const char *dir = "/tmp", *plugins = NULL;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--events"))
			n = strtoull(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--queries"))
			nq = strtoull(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--seed"))
			seed = strtoull(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--dir"))
			dir = argv[i + 1];
		else if (!strcmp(argv[i], "--plugins"))
			plugins = argv[i + 1];
		else if (!strcmp(argv[i], "--runs"))
			runs = atoi(argv[i + 1]);
		else
			die("usage", "bench-series --plugins DIR [--events N] "
			             "[--queries Q] [--dir DIR] [--seed S] "
			             "[--runs R]");
	}
	if (!plugins || !n || !nq || nq > MAX_Q || runs < 1)
		die("usage", "bench-series --plugins DIR [--events N] "
		             "[--queries Q] [--dir DIR] [--seed S] [--runs R]");
	char tpath[512], cpath[512];
	snprintf(tpath, sizeof tpath, "%s/bench-series-tldb.db", dir);
	snprintf(cpath, sizeof cpath, "%s/bench-series-ceiling.db", dir);
	const char *rm[] = {"", "-wal", "-shm"};
	for (int k = 0; k < 3; k++) {
		char p[600];
		snprintf(p, sizeof p, "%s%s", tpath, rm[k]);
		unlink(p);
		snprintf(p, sizeof p, "%s%s", cpath, rm[k]);
		unlink(p);
	}

	gen *g = calloc(n, sizeof *g);
	gen_all(g, n, seed);
	size_t nseries = 0, cap = 0, nrows = 0;
	row *rows = NULL;
	int64_t until = INT64_C(1956528000); /* 2032-01-01 */
	for (size_t i = 0; i < n; i++) {
		nseries += g[i].kind != SINGLE;
		nrows = expand(&g[i], until, &rows, nrows, &cap);
	}
	int64_t maxspan = DAY;

	tldb *db;
	if (tldb_open(tpath, TLDB_OPEN_CREATE, &db))
		die("open", tpath);
	tldb_set_now(db, INT64_C(1764547200)); /* 2025-12-01 */
	double t_load = tldb_load(db, g, n);
	sqlite3 *cdb;
	if (sqlite3_open(cpath, &cdb) != SQLITE_OK)
		die("open", cpath);
	double c_load = ceiling_load(cdb, rows, nrows);
	sqlite3_stmt *cq;
	if (sqlite3_prepare_v2(cdb,
	                       "SELECT lo, uid FROM occ WHERE lo >= ?1 AND "
	                       "lo < ?2 AND hi > ?3 ORDER BY lo, prec DESC, "
	                       "title, uid LIMIT ?4",
	                       -1, &cq, NULL) != SQLITE_OK)
		die("prepare", sqlite3_errmsg(cdb));

	static double tf[MAX_Q], cf[MAX_Q], tw[MAX_Q], cw[MAX_Q];
	long long week_rows = 0;
	uint64_t st = seed ^ 0x5eed;
	for (size_t i = 0; i < nq; i++) {
		int64_t lo = rnd(&st, INT64_C(631152000), INT64_C(1893456000));
		lo = lo / DAY * DAY;
		double a = now_s();
		qstat t1 = tldb_range(db, lo, lo + WEEK, FIRST_PAGE);
		double b = now_s();
		qstat c1 =
		        ceiling_range(cq, maxspan, lo, lo + WEEK, FIRST_PAGE);
		double c = now_s();
		qstat t2 = tldb_range(db, lo, lo + WEEK, 0);
		double d = now_s();
		qstat c2 = ceiling_range(cq, maxspan, lo, lo + WEEK, 0);
		double e = now_s();
		if (t1.rows != c1.rows || t1.uidsum != c1.uidsum ||
		    t2.rows != c2.rows || t2.uidsum != c2.uidsum) {
			fprintf(stderr,
			        "bench-series: the week from %lld differs: "
			        "tldb "
			        "%lld/%lld rows, ceiling %lld/%lld\n",
			        (long long)lo, t1.rows, t2.rows, c1.rows,
			        c2.rows);
			return 1;
		}
		tf[i] = (b - a) * 1e6;
		cf[i] = (c - b) * 1e6;
		tw[i] = (d - c) * 1e6;
		cw[i] = (e - d) * 1e6;
		week_rows += t2.rows;
	}

	/* The feed in a database of its own: in the big store a timeline's
	 * export scans every event's index entry (BENCHMARKS.md). */
	char fpath[600];
	snprintf(fpath, sizeof fpath, "%s/bench-series-feed.db", dir);
	unlink(fpath);
	tldb *fdb;
	if (tldb_open(fpath, TLDB_OPEN_CREATE, &fdb))
		die("open", fpath);
	feed_load(fdb);
	tldb_plugins *reg;
	if (tldb_plugins_new(&reg) ||
	    tldb_plugins_load_dir(reg, plugins, NULL, NULL) < 1)
		die("plugins", plugins);
	static double tfeed[64], lfeed[64];
	int64_t tbytes = 0, lbytes = 0;
	for (int r = 0; r < runs && r < 64; r++) {
		tfeed[r] = tldb_feed(fdb, reg) * 1e3;
		tbytes = sink_bytes;
		lfeed[r] = libical_feed() * 1e3;
		lbytes = sink_bytes;
	}

	printf("## Series: %zu events, %zu of them series (%zu occurrences "
	       "up to 2032 for the ceiling), %zu one-week queries\n\n",
	       n, nseries, nrows, nq);
	printf("| figure | tldb (series as rules) | ceiling (occurrences "
	       "as rows) | ratio |\n|---|---|---|---|\n");
	printf("| load, input events/s | %.0f | %.0f | %.2f |\n",
	       (double)n / t_load, (double)n / c_load,
	       ((double)n / t_load) / ((double)n / c_load));
	printf("| rows written | %zu | %zu | %.2f |\n", n, nrows,
	       (double)n / (double)nrows);
	double tp50 = pct(tf, nq, .5), cp50 = pct(cf, nq, .5);
	printf("| first 100 of a week, p50 µs | %.0f | %.0f | %.2f |\n", tp50,
	       cp50, tp50 / cp50);
	printf("| first 100 of a week, p90 µs | %.0f | %.0f | %.2f |\n",
	       pct(tf, nq, .9), pct(cf, nq, .9),
	       pct(tf, nq, .9) / pct(cf, nq, .9));
	printf("| first 100 of a week, p99 µs | %.0f | %.0f | %.2f |\n",
	       pct(tf, nq, .99), pct(cf, nq, .99),
	       pct(tf, nq, .99) / pct(cf, nq, .99));
	printf("| whole week, p50 µs (%.0f events on average) | %.0f | %.0f | "
	       "%.2f |\n",
	       (double)week_rows / (double)nq, pct(tw, nq, .5), pct(cw, nq, .5),
	       pct(tw, nq, .5) / pct(cw, nq, .5));
	printf("\n## Feed: 1,000 weekly series as one .ics, median of %d\n\n",
	       runs);
	printf("| | tldb export (ical plugin) | libical build + serialize | "
	       "ratio |\n|---|---|---|---|\n");
	double tm = pct(tfeed, (size_t)runs, .5),
	       lm = pct(lfeed, (size_t)runs, .5);
	printf("| time, ms | %.2f | %.2f | %.2f |\n", tm, lm, tm / lm);
	printf("| bytes | %lld | %lld | |\n", (long long)tbytes,
	       (long long)lbytes);
	sqlite3_finalize(cq);
	sqlite3_close(cdb);
	tldb_close(db);
	tldb_close(fdb);
	unlink(fpath);
	tldb_plugins_free(reg);
	free(rows);
	free(g);
	return 0;
}
