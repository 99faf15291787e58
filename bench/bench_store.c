/*
 * bench_store.c -- tldb against its ceiling, plain SQLite, in one run.
 *
 * Generates N deterministic events in memory (splitmix64, --seed) spread over
 * 1990..2030: ~60% timed (minutes to hours), ~25% whole days (1-7 days), ~10%
 * month precision and ~5% year precision, some of those spanning several
 * months or years; titles, bodies, locations and 0-3 tags of realistic size.
 * It then measures, for tldb (tldb_put in transactions of 10,000) and for the
 * ceiling (the same rows in one plain SQLite table with an index on lo, WAL,
 * synchronous=NORMAL, one prepared INSERT, the same batches; the bounds lo/hi
 * are computed before the timed loop and not counted):
 *   - the insert rate, events/s;
 *   - Q random one-week ranges: the time to the first 100 events (p50, p90,
 *     p99 in microseconds) and the time to read the whole result, reading
 *     every column; the ceiling uses the standard overlap query over a
 *     start-only index, lo in [qlo - maxspan, qhi) AND hi > qlo, with maxspan
 *     the longest span in the table;
 *   - the peak resident memory growth while a tldb cursor streams 1,000,000
 *     events.
 * Every range must give the same rows (count and a uid checksum) in both, or
 * the program fails.  It prints a markdown table and one `RESULT` line per
 * figure for scripts.
 *
 * Usage: bench-store [--events N] [--queries Q] [--dir DIR] [--seed S]
 *                    [--keep]
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tldb/tldb.h"

#define BATCH       10000
#define FIRST_PAGE  100
#define STREAM_ROWS 1000000
#define WEEK        (7 * INT64_C(86400))
#define CHUNK_BYTES ((size_t)64 << 20)

/* ---- deterministic randomness ---- */

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static uint64_t rnd(uint64_t *state, uint64_t n)
{
	return n ? splitmix64(state) % n : 0;
}

/* Uniform in [a, b]. */
static int64_t rnd_range(uint64_t *state, int64_t a, int64_t b)
{
	return a + (int64_t)rnd(state, (uint64_t)(b - a) + 1);
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
	return h;
}

/* ---- the generated events ---- */

typedef struct gen_event {
	const char *uid, *title, *body, *start, *end, *location;
	unsigned char ntags;
	unsigned char tags[3];
} gen_event;

/* A pool of strings in large chunks, freed all at once. */
typedef struct chunk {
	struct chunk *next;
	size_t used;
	char data[];
} chunk;

typedef struct pool {
	chunk *head;
} pool;

static const char *pool_add(pool *p, const char *s, size_t len)
{
	if (!p->head || p->head->used + len + 1 > CHUNK_BYTES) {
		chunk *c = malloc(sizeof *c + CHUNK_BYTES);
		if (!c) {
			fprintf(stderr, "bench-store: out of memory\n");
			exit(2);
		}
		c->next = p->head;
		c->used = 0;
		p->head = c;
	}
	char *dst = p->head->data + p->head->used;
	memcpy(dst, s, len);
	dst[len] = '\0';
	p->head->used += len + 1;
	return dst;
}

static void pool_free(pool *p)
{
	while (p->head) {
		chunk *next = p->head->next;
		free(p->head);
		p->head = next;
	}
}

static const char *const tag_names[] = {
        "work",   "family",  "travel",  "health", "music",   "sport",
        "school", "friends", "finance", "home",   "reading", "history"};
#define NTAG_NAMES (sizeof tag_names / sizeof *tag_names)

static const char *const words[] = {
        "meeting",    "review",     "planning",  "dinner",  "concert",
        "trip",       "release",    "launch",    "report",  "visit",
        "workshop",   "project",    "quarterly", "annual",  "weekly",
        "team",       "family",     "garden",    "budget",  "lecture",
        "seminar",    "conference", "deadline",  "party",   "birthday",
        "exhibition", "interview",  "doctor",    "flight",  "museum",
        "the",        "with",       "about",     "for",     "and",
        "new",        "northern",   "river",     "archive", "council",
        "festival",   "harbour"};
#define NWORDS (sizeof words / sizeof *words)

static const char *const places[] = {"Berlin",
                                     "Lisbon",
                                     "Samarkand",
                                     "Tokyo",
                                     "Montreal",
                                     "Nairobi",
                                     "Valparaiso",
                                     "Reykjavik",
                                     "Hanoi",
                                     "Edinburgh",
                                     "Room 4.12, Main Building",
                                     "Town Hall",
                                     "Central Station",
                                     "Online"};
#define NPLACES (sizeof places / sizeof *places)

/* Appends random words to buf until it is at least `min` bytes long (and
 * below `max`). */
static size_t add_words(uint64_t *st, char *buf, size_t len, size_t min,
                        size_t max)
{
	while (len < min) {
		const char *w = words[rnd(st, NWORDS)];
		size_t wl = strlen(w);
		if (len + wl + 2 >= max)
			break;
		if (len)
			buf[len++] = ' ';
		memcpy(buf + len, w, wl);
		len += wl;
	}
	buf[len] = '\0';
	return len;
}

static void civil(int64_t t, int64_t *y, int *m, int *d, int *hh, int *mm,
                  int *ss)
{
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t sec = t - days * 86400;
	tldb_civil_from_days(days, y, m, d);
	*hh = (int)(sec / 3600);
	*mm = (int)(sec / 60 % 60);
	*ss = (int)(sec % 60);
}

static void fmt_instant(char *buf, size_t size, int64_t t)
{
	int64_t y;
	int m, d, hh, mm, ss;
	civil(t, &y, &m, &d, &hh, &mm, &ss);
	snprintf(buf, size, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)y, m,
	         d, hh, mm, ss);
}

static void fmt_day(char *buf, size_t size, int64_t days)
{
	int64_t y;
	int m, d;
	tldb_civil_from_days(days, &y, &m, &d);
	snprintf(buf, size, "%04lld-%02d-%02d", (long long)y, m, d);
}

/* The span of the data: [T0, T1). */
static int64_t data_t0(void)
{
	return tldb_days_from_civil(1990, 1, 1) * 86400;
}

static int64_t data_t1(void)
{
	return tldb_days_from_civil(2030, 1, 1) * 86400;
}

/* Counts by precision, for the report. */
static int64_t gen_mix[4];

static void gen_one(uint64_t *st, size_t i, gen_event *ev, pool *p)
{
	char buf[512], start[64], end[64];
	size_t len;
	int64_t t0 = data_t0(), t1 = data_t1();
	uint64_t kind = rnd(st, 100);
	end[0] = '\0';
	if (kind < 60) { /* timed, 15 minutes to 8 hours */
		int64_t t =
		        t0 + (int64_t)rnd(st, (uint64_t)(t1 - t0) / 300) * 300;
		int64_t dur = rnd_range(st, 3, 96) * 300;
		fmt_instant(start, sizeof start, t);
		fmt_instant(end, sizeof end, t + dur);
		gen_mix[0]++;
	} else if (kind < 85) { /* whole days, 1-7 */
		int64_t d0 = t0 / 86400, d1 = t1 / 86400;
		int64_t d = rnd_range(st, d0, d1 - 8);
		int64_t n = rnd_range(st, 1, 7);
		fmt_day(start, sizeof start, d);
		if (n > 1)
			fmt_day(end, sizeof end, d + n - 1);
		gen_mix[1]++;
	} else if (kind < 95) { /* month precision, some several months */
		int64_t y = rnd_range(st, 1990, 2029);
		int m = (int)rnd_range(st, 1, 12);
		snprintf(start, sizeof start, "%04lld-%02d", (long long)y, m);
		if (rnd(st, 10) < 3) {
			int64_t em = (int64_t)m - 1 + rnd_range(st, 1, 5);
			snprintf(end, sizeof end, "%04lld-%02d",
			         (long long)(y + em / 12), (int)(em % 12) + 1);
		}
		gen_mix[2]++;
	} else { /* year precision, some a few years */
		int64_t y = rnd_range(st, 1990, 2029);
		snprintf(start, sizeof start, "%04lld", (long long)y);
		if (rnd(st, 10) < 3)
			snprintf(end, sizeof end, "%04lld",
			         (long long)(y + rnd_range(st, 1, 3)));
		gen_mix[3]++;
	}
	ev->start = pool_add(p, start, strlen(start));
	ev->end = end[0] ? pool_add(p, end, strlen(end)) : NULL;

	int n = snprintf(buf, sizeof buf, "bench-%zu-%08llx@bench", i,
	                 (unsigned long long)(splitmix64(st) & 0xffffffffu));
	ev->uid = pool_add(p, buf, (size_t)n);

	len = add_words(st, buf, 0, (size_t)rnd_range(st, 30, 60), 64);
	buf[0] = (char)(buf[0] - 'a' + 'A');
	ev->title = pool_add(p, buf, len);

	if (rnd(st, 5) == 0) {
		ev->body = NULL;
	} else {
		len = add_words(st, buf, 0, (size_t)rnd_range(st, 10, 200),
		                210);
		ev->body = pool_add(p, buf, len);
	}
	if (rnd(st, 2) == 0) {
		ev->location = NULL;
	} else {
		const char *pl = places[rnd(st, NPLACES)];
		ev->location = pool_add(p, pl, strlen(pl));
	}
	ev->ntags = (unsigned char)rnd(st, 4);
	for (unsigned k = 0; k < ev->ntags; k++) {
		unsigned char tg;
		int dup;
		do {
			tg = (unsigned char)rnd(st, NTAG_NAMES);
			dup = 0;
			for (unsigned j = 0; j < k; j++)
				dup |= ev->tags[j] == tg;
		} while (dup);
		ev->tags[k] = tg;
	}
}

/* The bounds tldb gives the event (core/event.c resolve_bounds): lo of the
 * start; hi of the start, or of a date end, or the instant of a timed end. */
static int event_bounds(const gen_event *ev, int64_t *lo, int64_t *hi)
{
	tldb_date s, e;
	tldb_errbuf err;
	if (tldb_date_parse(ev->start, NULL, &s, &err) != TLDB_OK) {
		fprintf(stderr, "bench-store: %s: %s\n", ev->start, err.msg);
		return -1;
	}
	*lo = s.lo;
	*hi = s.hi;
	if (!ev->end)
		return 0;
	if (tldb_date_parse(ev->end, NULL, &e, &err) != TLDB_OK) {
		fprintf(stderr, "bench-store: %s: %s\n", ev->end, err.msg);
		return -1;
	}
	*hi = e.precision >= TLDB_PREC_MINUTE ? e.lo : e.hi;
	if (*hi <= *lo)
		*hi = *lo + 1;
	return 0;
}

/* ---- timing, memory, statistics ---- */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A field of /proc/self/status in kB ("VmRSS", "VmHWM"), or -1. */
static long proc_status_kb(const char *field)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;
	size_t flen = strlen(field);
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
			char *endp;
			errno = 0;
			long v = strtol(line + flen + 1, &endp, 10);
			if (!errno && endp != line + flen + 1)
				kb = v;
			break;
		}
	}
	fclose(f);
	return kb;
}

/* Resets VmHWM to the current RSS (Linux >= 4.0); 0 on success. */
static int reset_peak_rss(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");
	if (!f)
		return -1;
	int ok = fputs("5", f) >= 0;
	return (fclose(f) == 0 && ok) ? 0 : -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Nearest-rank percentile of the sorted v[0..n). */
static double pct(const double *v, size_t n, double q)
{
	if (!n)
		return 0;
	size_t k = (size_t)ceil(q * (double)n);
	if (k < 1)
		k = 1;
	return v[k - 1];
}

static long long file_bytes(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? (long long)sb.st_size : 0;
}

/* Main file plus WAL. */
static long long db_bytes(const char *path)
{
	char wal[4200];
	snprintf(wal, sizeof wal, "%s-wal", path);
	return file_bytes(path) + file_bytes(wal);
}

static void remove_db(const char *path)
{
	char aux[4200];
	remove(path);
	snprintf(aux, sizeof aux, "%s-wal", path);
	remove(aux);
	snprintf(aux, sizeof aux, "%s-shm", path);
	remove(aux);
}

/* ---- results ---- */

typedef struct result {
	const char *name;
	const char *unit;
	double tldb, ceiling; /* NAN: not measured */
} result;

#define MAX_RESULTS 32
static result results[MAX_RESULTS];
static size_t nresults;

static void add_result(const char *name, const char *unit, double t, double c)
{
	if (nresults < MAX_RESULTS)
		results[nresults++] = (result){name, unit, t, c};
}

static void fmt_num(char *buf, size_t size, double v)
{
	if (isnan(v))
		snprintf(buf, size, "-");
	else if (fabs(v) >= 1000 || v == floor(v))
		snprintf(buf, size, "%.0f", v);
	else if (fabs(v) >= 10)
		snprintf(buf, size, "%.1f", v);
	else
		snprintf(buf, size, "%.3f", v);
}

static void print_results(long long nevents)
{
	printf("\n| figure (%lld events) | unit | tldb | ceiling (SQLite) | "
	       "tldb / ceiling |\n",
	       nevents);
	printf("|---|---|---:|---:|---:|\n");
	for (size_t i = 0; i < nresults; i++) {
		const result *r = &results[i];
		char t[64], c[64], q[64];
		fmt_num(t, sizeof t, r->tldb);
		fmt_num(c, sizeof c, r->ceiling);
		if (isnan(r->tldb) || isnan(r->ceiling) || r->ceiling == 0)
			snprintf(q, sizeof q, "-");
		else
			snprintf(q, sizeof q, "%.2f", r->tldb / r->ceiling);
		printf("| %s | %s | %s | %s | %s |\n", r->name, r->unit, t, c,
		       q);
	}
	printf("\n");
	for (size_t i = 0; i < nresults; i++) {
		const result *r = &results[i];
		if (!isnan(r->tldb))
			printf("RESULT events=%lld engine=tldb metric=%s "
			       "value=%.6g unit=%s\n",
			       nevents, r->name, r->tldb, r->unit);
		if (!isnan(r->ceiling))
			printf("RESULT events=%lld engine=ceiling metric=%s "
			       "value=%.6g unit=%s\n",
			       nevents, r->name, r->ceiling, r->unit);
	}
}

/* ---- tldb ---- */

static void die_tldb(tldb *db, const char *doing, int rc)
{
	fprintf(stderr, "bench-store: tldb: %s: %s (%d)\n", doing,
	        db ? tldb_errmsg(db) : "", rc);
	exit(1);
}

static void die_sql(sqlite3 *db, const char *doing)
{
	fprintf(stderr, "bench-store: sqlite: %s: %s\n", doing,
	        sqlite3_errmsg(db));
	exit(1);
}

static double tldb_insert(tldb *db, const gen_event *evs, size_t n)
{
	const char *tags[3];
	double t = now_s();
	int rc;
	for (size_t i = 0; i < n; i += BATCH) {
		if ((rc = tldb_begin(db)))
			die_tldb(db, "begin", rc);
		size_t end = i + BATCH < n ? i + BATCH : n;
		for (size_t k = i; k < end; k++) {
			const gen_event *g = &evs[k];
			tldb_event ev;
			memset(&ev, 0, sizeof ev);
			ev.uid = g->uid;
			ev.title = g->title;
			ev.body = g->body;
			ev.start = g->start;
			ev.end = g->end;
			ev.location = g->location;
			for (unsigned j = 0; j < g->ntags; j++)
				tags[j] = tag_names[g->tags[j]];
			ev.tags = tags;
			ev.ntags = g->ntags;
			if ((rc = tldb_put(db, &ev, NULL, NULL)))
				die_tldb(db, "put", rc);
		}
		if ((rc = tldb_commit(db)))
			die_tldb(db, "commit", rc);
	}
	return now_s() - t;
}

typedef struct qstat {
	long long rows;
	uint64_t uidsum; /* sum of FNV-1a of the uids: order-free */
	uint64_t touch;  /* keeps the reads from being optimised out */
} qstat;

/* Runs one tldb range query, reading at most `limit` rows (0: all). */
static qstat tldb_range(tldb *db, int64_t lo, int64_t hi, int64_t limit)
{
	tldb_query q;
	tldb_cursor *c;
	const tldb_event *ev;
	qstat s = {0, 0, 0};
	int rc;
	tldb_query_init(&q);
	q.lo = lo;
	q.hi = hi;
	q.limit = limit;
	if ((rc = tldb_query_open(db, &q, &c)))
		die_tldb(db, "query", rc);
	while ((rc = tldb_cursor_next(c, &ev)) == TLDB_OK) {
		s.rows++;
		s.uidsum += fnv1a(ev->uid);
		s.touch += (unsigned char)ev->title[0] + (uint64_t)ev->lo +
		           (uint64_t)ev->hi + ev->ntags;
		if (ev->body)
			s.touch += (unsigned char)ev->body[0];
		if (ev->location)
			s.touch += (unsigned char)ev->location[0];
		if (ev->end)
			s.touch += (unsigned char)ev->end[0];
		s.touch += (unsigned char)ev->start[0];
		if (ev->ntags)
			s.touch += (unsigned char)ev->tags[0][0];
	}
	if (rc != TLDB_DONE)
		die_tldb(db, "cursor", rc);
	tldb_cursor_free(c);
	return s;
}

/* ---- the ceiling ---- */

static void exec_sql(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "bench-store: sqlite: %s: %s\n", sql,
		        msg ? msg : "");
		exit(1);
	}
}

static sqlite3 *ceiling_open(const char *path)
{
	sqlite3 *db;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die_sql(db, "open");
	exec_sql(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL");
	exec_sql(db,
	         "CREATE TABLE ev (uid TEXT, title TEXT, body TEXT, start "
	         "TEXT, \"end\" TEXT, location TEXT, tags TEXT, lo INTEGER, "
	         "hi INTEGER); CREATE INDEX ev_lo ON ev(lo)");
	return db;
}

static void bind_opt(sqlite3_stmt *st, int idx, const char *s)
{
	if (s)
		sqlite3_bind_text(st, idx, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, idx);
}

static double ceiling_insert(sqlite3 *db, const gen_event *evs,
                             const int64_t *lo, const int64_t *hi, size_t n)
{
	sqlite3_stmt *st;
	char tags[256];
	if (sqlite3_prepare_v2(
	            db,
	            "INSERT INTO ev (uid, title, body, start, \"end\", "
	            "location, tags, lo, hi) VALUES "
	            "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	            -1, &st, NULL) != SQLITE_OK)
		die_sql(db, "prepare insert");
	double t = now_s();
	for (size_t i = 0; i < n; i += BATCH) {
		exec_sql(db, "BEGIN");
		size_t end = i + BATCH < n ? i + BATCH : n;
		for (size_t k = i; k < end; k++) {
			const gen_event *g = &evs[k];
			size_t tl = 0;
			tags[0] = '\0';
			for (unsigned j = 0; j < g->ntags; j++) {
				int w = snprintf(tags + tl, sizeof tags - tl,
				                 "%s%s", j ? "\x1f" : "",
				                 tag_names[g->tags[j]]);
				if (w > 0)
					tl += (size_t)w;
			}
			sqlite3_bind_text(st, 1, g->uid, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, g->title, -1, SQLITE_STATIC);
			bind_opt(st, 3, g->body);
			sqlite3_bind_text(st, 4, g->start, -1, SQLITE_STATIC);
			bind_opt(st, 5, g->end);
			bind_opt(st, 6, g->location);
			bind_opt(st, 7, g->ntags ? tags : NULL);
			sqlite3_bind_int64(st, 8, lo[k]);
			sqlite3_bind_int64(st, 9, hi[k]);
			if (sqlite3_step(st) != SQLITE_DONE)
				die_sql(db, "insert");
			sqlite3_reset(st);
		}
		exec_sql(db, "COMMIT");
	}
	double dt = now_s() - t;
	sqlite3_finalize(st);
	return dt;
}

static const char ceiling_query_sql[] =
        "SELECT uid, title, body, start, \"end\", location, tags, lo, hi FROM "
        "ev WHERE lo < ?2 AND lo >= ?1 - ?3 AND hi > ?1 ORDER BY lo LIMIT ?4";

static qstat ceiling_range(sqlite3 *db, sqlite3_stmt *st, int64_t lo,
                           int64_t hi, int64_t maxspan, int64_t limit)
{
	qstat s = {0, 0, 0};
	int rc;
	sqlite3_bind_int64(st, 1, lo);
	sqlite3_bind_int64(st, 2, hi);
	sqlite3_bind_int64(st, 3, maxspan);
	sqlite3_bind_int64(st, 4, limit > 0 ? limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		s.rows++;
		for (int col = 0; col < 7; col++) {
			const unsigned char *p = sqlite3_column_text(st, col);
			int nb = sqlite3_column_bytes(st, col);
			if (p) {
				s.touch += (unsigned char)p[0] + (uint64_t)nb;
				if (col == 0)
					s.uidsum += fnv1a((const char *)p);
			}
		}
		s.touch += (uint64_t)sqlite3_column_int64(st, 7) +
		           (uint64_t)sqlite3_column_int64(st, 8);
	}
	if (rc != SQLITE_DONE)
		die_sql(db, "query");
	sqlite3_reset(st);
	return s;
}

static void print_sql_plan(sqlite3 *db, const char *sql)
{
	char q[1024];
	sqlite3_stmt *st;
	snprintf(q, sizeof q, "EXPLAIN QUERY PLAN %s", sql);
	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK)
		die_sql(db, "explain");
	while (sqlite3_step(st) == SQLITE_ROW)
		printf("    %s\n", (const char *)sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
}

/* ---- command line ---- */

static long long parse_count(const char *opt, const char *s, long long min)
{
	char *endp;
	errno = 0;
	long long v = s ? strtoll(s, &endp, 10) : 0;
	if (!s || errno || endp == s || *endp || v < min) {
		fprintf(stderr, "bench-store: %s wants a number >= %lld\n", opt,
		        min);
		exit(2);
	}
	return v;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench-store [--events N] [--queries Q] "
	                "[--dir DIR] [--seed S] [--keep]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	long long nevents = 100000, nqueries = 1000, seed = 1;
	const char *dir = ".";
	int keep = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--events") == 0)
			nevents = parse_count(a, v, 1), i++;
		else if (strcmp(a, "--queries") == 0)
			nqueries = parse_count(a, v, 1), i++;
		else if (strcmp(a, "--seed") == 0)
			seed = parse_count(a, v, 0), i++;
		else if (strcmp(a, "--dir") == 0 && v)
			dir = v, i++;
		else if (strcmp(a, "--keep") == 0)
			keep = 1;
		else
			usage();
	}
	size_t n = (size_t)nevents, nq = (size_t)nqueries;
	char tpath[4096], cpath[4096];
	snprintf(tpath, sizeof tpath, "%s/bench-tldb-%lld.db", dir, nevents);
	snprintf(cpath, sizeof cpath, "%s/bench-sqlite-%lld.db", dir, nevents);
	remove_db(tpath);
	remove_db(cpath);
	setvbuf(stdout, NULL, _IOLBF, 0);

	printf("# bench-store: %lld events, %lld queries, seed %lld\n\n",
	       nevents, nqueries, seed);
	printf("SQLite %s; tldb schema %d\n", sqlite3_libversion(),
	       tldb_schema_version());

	/* Generate. */
	double t = now_s();
	pool strings = {NULL};
	gen_event *evs = calloc(n, sizeof *evs);
	int64_t *lo = malloc(n * sizeof *lo), *hi = malloc(n * sizeof *hi);
	if (!evs || !lo || !hi) {
		fprintf(stderr, "bench-store: out of memory\n");
		return 2;
	}
	uint64_t st = (uint64_t)seed;
	for (size_t i = 0; i < n; i++)
		gen_one(&st, i, &evs[i], &strings);
	double gen_time = now_s() - t;
	t = now_s();
	for (size_t i = 0; i < n; i++)
		if (event_bounds(&evs[i], &lo[i], &hi[i]))
			return 1;
	double bounds_time = now_s() - t;
	printf("generated in %.1f s: %lld timed, %lld day, %lld month, %lld "
	       "year; bounds (tldb_date_parse, untimed for the ceiling) %.1f "
	       "s\n",
	       gen_time, (long long)gen_mix[0], (long long)gen_mix[1],
	       (long long)gen_mix[2], (long long)gen_mix[3], bounds_time);

	/* Insert. */
	tldb *db = NULL;
	int rc = tldb_open(tpath, TLDB_OPEN_CREATE, &db);
	if (rc)
		die_tldb(db, "open", rc);
	tldb_set_now(db, 1700000000);
	double tldb_ins = tldb_insert(db, evs, n);
	printf("tldb insert: %.1f s\n", tldb_ins);
	sqlite3 *cdb = ceiling_open(cpath);
	double ceil_ins = ceiling_insert(cdb, evs, lo, hi, n);
	printf("ceiling insert: %.1f s\n", ceil_ins);
	add_result("insert", "events/s", (double)n / tldb_ins,
	           (double)n / ceil_ins);
	pool_free(&strings);
	free(evs);

	/* maxspan, once. */
	sqlite3_stmt *qs;
	int64_t maxspan = 0;
	t = now_s();
	if (sqlite3_prepare_v2(cdb, "SELECT max(hi - lo) FROM ev", -1, &qs,
	                       NULL) != SQLITE_OK ||
	    sqlite3_step(qs) != SQLITE_ROW)
		die_sql(cdb, "maxspan");
	maxspan = sqlite3_column_int64(qs, 0);
	sqlite3_finalize(qs);
	printf("ceiling maxspan = %lld s (%.0f days), computed in %.2f s\n",
	       (long long)maxspan, (double)maxspan / 86400, now_s() - t);

	/* The ranges. */
	int64_t *qlo = malloc(nq * sizeof *qlo);
	double *lat_t = malloc(nq * sizeof *lat_t);
	double *lat_c = malloc(nq * sizeof *lat_c);
	double *full_t = malloc(nq * sizeof *full_t);
	double *full_c = malloc(nq * sizeof *full_c);
	qstat *first_t = malloc(nq * sizeof *first_t);
	qstat *all_t = malloc(nq * sizeof *all_t);
	if (!qlo || !lat_t || !lat_c || !full_t || !full_c || !first_t ||
	    !all_t) {
		fprintf(stderr, "bench-store: out of memory\n");
		return 2;
	}
	uint64_t qst = (uint64_t)seed ^ UINT64_C(0x5eed0f0e7a9e5);
	for (size_t i = 0; i < nq; i++)
		qlo[i] = rnd_range(&qst, data_t0(), data_t1() - WEEK);

	printf("\ntldb query plan (one week):\n");
	char *plan = NULL;
	if ((rc = tldb_query_plan(db,
	                          &(tldb_query){.lo = qlo[0],
	                                        .hi = qlo[0] + WEEK,
	                                        .limit = FIRST_PAGE},
	                          &plan)))
		die_tldb(db, "plan", rc);
	for (char *line = plan, *nl; line && *line; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		printf("    %s\n", line);
	}
	free(plan);
	printf("ceiling query plan:\n");
	print_sql_plan(cdb, ceiling_query_sql);

	if (sqlite3_prepare_v2(cdb, ceiling_query_sql, -1, &qs, NULL) !=
	    SQLITE_OK)
		die_sql(cdb, "prepare query");

	/* (a) the first 100 events. */
	fprintf(stderr, "bench-store: %lld events: first-100 queries\n",
	        nevents);
	for (size_t i = 0; i < nq; i++) {
		t = now_s();
		first_t[i] = tldb_range(db, qlo[i], qlo[i] + WEEK, FIRST_PAGE);
		lat_t[i] = (now_s() - t) * 1e6;
	}
	int mismatch = 0;
	for (size_t i = 0; i < nq; i++) {
		t = now_s();
		qstat s = ceiling_range(cdb, qs, qlo[i], qlo[i] + WEEK, maxspan,
		                        FIRST_PAGE);
		lat_c[i] = (now_s() - t) * 1e6;
		if (s.rows != first_t[i].rows) {
			fprintf(stderr,
			        "WARNING: range %zu: first page: tldb %lld "
			        "rows, "
			        "ceiling %lld\n",
			        i, first_t[i].rows, s.rows);
			mismatch++;
		}
	}

	/* (b) the whole week. */
	fprintf(stderr, "bench-store: %lld events: full-week queries\n",
	        nevents);
	long long rows_t = 0, rows_c = 0;
	double tot_t = 0, tot_c = 0;
	uint64_t touch = 0;
	for (size_t i = 0; i < nq; i++) {
		t = now_s();
		all_t[i] = tldb_range(db, qlo[i], qlo[i] + WEEK, 0);
		full_t[i] = now_s() - t;
		tot_t += full_t[i];
		rows_t += all_t[i].rows;
		touch += all_t[i].touch;
	}
	for (size_t i = 0; i < nq; i++) {
		t = now_s();
		qstat s = ceiling_range(cdb, qs, qlo[i], qlo[i] + WEEK, maxspan,
		                        0);
		full_c[i] = now_s() - t;
		tot_c += full_c[i];
		rows_c += s.rows;
		touch += s.touch;
		if (s.rows != all_t[i].rows || s.uidsum != all_t[i].uidsum) {
			fprintf(stderr,
			        "WARNING: range %zu [%lld, %lld): tldb %lld "
			        "rows, "
			        "ceiling %lld rows%s\n",
			        i, (long long)qlo[i],
			        (long long)(qlo[i] + WEEK), all_t[i].rows,
			        s.rows,
			        s.rows == all_t[i].rows ? " (different uids)"
			                                : "");
			mismatch++;
		}
	}
	sqlite3_finalize(qs);
	qsort(lat_t, nq, sizeof *lat_t, cmp_double);
	qsort(lat_c, nq, sizeof *lat_c, cmp_double);
	qsort(full_t, nq, sizeof *full_t, cmp_double);
	qsort(full_c, nq, sizeof *full_c, cmp_double);
	add_result("first 100, p50", "us", pct(lat_t, nq, .5),
	           pct(lat_c, nq, .5));
	add_result("first 100, p90", "us", pct(lat_t, nq, .9),
	           pct(lat_c, nq, .9));
	add_result("first 100, p99", "us", pct(lat_t, nq, .99),
	           pct(lat_c, nq, .99));
	add_result("first 100, max", "us", lat_t[nq - 1], lat_c[nq - 1]);
	add_result("full week, total", "s", tot_t, tot_c);
	add_result("full week, rows", "rows", (double)rows_t, (double)rows_c);
	add_result("full week, per row", "us", tot_t * 1e6 / (double)rows_t,
	           tot_c * 1e6 / (double)rows_c);
	add_result("full week, p50", "ms", pct(full_t, nq, .5) * 1e3,
	           pct(full_c, nq, .5) * 1e3);
	add_result("full week, p99", "ms", pct(full_t, nq, .99) * 1e3,
	           pct(full_c, nq, .99) * 1e3);

	/* Memory while streaming. */
	fprintf(stderr, "bench-store: %lld events: streaming\n", nevents);
	long rss0 = proc_status_kb("VmRSS"), rss_max = rss0;
	int hwm_ok = reset_peak_rss() == 0;
	tldb_query all;
	tldb_cursor *c;
	const tldb_event *ev;
	long long streamed = 0;
	tldb_query_init(&all);
	t = now_s();
	if ((rc = tldb_query_open(db, &all, &c)))
		die_tldb(db, "query", rc);
	while (streamed < STREAM_ROWS && (rc = tldb_cursor_next(c, &ev)) == 0) {
		touch += (unsigned char)ev->title[0];
		if (++streamed % 10000 == 0) {
			long r = proc_status_kb("VmRSS");
			if (r > rss_max)
				rss_max = r;
		}
	}
	if (rc < 0)
		die_tldb(db, "streaming", rc);
	tldb_cursor_free(c);
	double stream_time = now_s() - t;
	long hwm = proc_status_kb("VmHWM");
	if (hwm_ok && hwm > rss_max)
		rss_max = hwm;
	add_result("stream: rows", "rows", (double)streamed, NAN);
	add_result("stream: rate", "rows/s", (double)streamed / stream_time,
	           NAN);
	add_result("stream: RSS before", "MB", (double)rss0 / 1024, NAN);
	add_result("stream: peak RSS growth", "MB",
	           (double)(rss_max - rss0) / 1024, NAN);

	tldb_close(db);
	sqlite3_close(cdb);
	add_result("file size", "MB", (double)db_bytes(tpath) / 1048576,
	           (double)db_bytes(cpath) / 1048576);
	printf("\n(checksum %llu)\n", (unsigned long long)touch);
	print_results(nevents);
	if (!keep) {
		remove_db(tpath);
		remove_db(cpath);
	}
	free(qlo);
	free(lat_t);
	free(lat_c);
	free(full_t);
	free(full_c);
	free(first_t);
	free(all_t);
	free(lo);
	free(hi);
	if (mismatch) {
		fprintf(stderr,
		        "bench-store: %d ranges differ between tldb and "
		        "the ceiling\n",
		        mismatch);
		return 1;
	}
	return 0;
}
