/*
 * test_import_threads.c -- the import's two threads (core/plugin_import.c):
 * the reader runs the plugin and checks events, the writer stores them.
 * Inputs here are long enough (thousands of records) that the reader runs
 * far ahead of the writer, so these catch messages out of input order, an
 * error of the reader winning over an earlier one of the writer, and a
 * reader left waiting on a full queue after the writer gave up.
 *
 * The store refuses a record through a trigger on the events table, which
 * the reader's checks cannot foresee.
 */
#define _GNU_SOURCE /* nftw */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/helpers.h"

static tldb_plugins *registry; /* with the lines fixture */

static void setup(void)
{
	tmp_setup();
	registry = new_registry();
	load_ok(registry, FIXTURE("lines"));
}

static void teardown(void)
{
	tldb_plugins_free(registry);
	tmp_teardown();
}

TestSuite(import_threads, .init = setup, .fini = teardown, .timeout = 120);

/* The line numbers (1-based, after the header) of special records. */
typedef struct plan {
	int store_refuses[4]; /* title "storefail": the trigger refuses */
	int empty_title[4];   /* a warning from the plugin */
	int bad_date[4];      /* refused by the reader's checks */
	int wordy; /* good records' titles get 80 more words to index */
} plan;

static int listed(const int *lines, int n)
{
	for (int i = 0; i < 4; i++)
		if (lines[i] == n)
			return 1;
	return 0;
}

/* Writes `count` records (file line k + 1 holds record k) as the plan
 * says; the others are good. */
static void write_input(const char *path, int count, const plan *pl)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("#lines\n", f);
	for (int k = 1; k <= count; k++) {
		int line = k + 1;
		if (listed(pl->store_refuses, line))
			fprintf(f, "2022-01-01|storefail|\n");
		else if (listed(pl->empty_title, line))
			fprintf(f, "2022-01-%02d||\n", 1 + k % 28);
		else if (listed(pl->bad_date, line))
			fprintf(f, "2022-13-45|bad date %d|\n", k);
		else if (!pl->wordy)
			fprintf(f, "%04d-%02d-%02d|event %d|t%d\n",
			        1900 + k % 120, 1 + k % 12, 1 + k % 28, k,
			        k % 5);
		else {
			fprintf(f, "%04d-%02d-%02d|event %d", 1900 + k % 120,
			        1 + k % 12, 1 + k % 28, k);
			for (int w = 0; w < 80; w++)
				fprintf(f, " w%dx%d", w, (k * 31 + w) % 977);
			fprintf(f, "|t%d\n", k % 5);
		}
	}
	fclose(f);
}

static void add_refusing_trigger(const char *db_path)
{
	sqlite3 *s = NULL;
	cr_assert_eq(sqlite3_open(db_path, &s), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(s,
	                          "CREATE TRIGGER refuse BEFORE INSERT ON "
	                          "events WHEN NEW.title = 'storefail' BEGIN "
	                          "SELECT RAISE(ABORT, 'the store says no'); "
	                          "END",
	                          NULL, NULL, NULL),
	             SQLITE_OK, "%s", sqlite3_errmsg(s));
	sqlite3_close(s);
}

/* Imports in.lines with the lines fixture and one option, key=value (none
 * when key is NULL). */
static int import_opt(tldb *db, tldb_plugins *p, tldb_on_error mode,
                      const char *key, const char *value, reports *r,
                      tldb_import_stats *st, tldb_msgbuf *err)
{
	const char *keys[] = {key}, *values[] = {value};
	tldb_import_opts o;
	memset(&o, 0, sizeof o);
	o.plugin = "lines";
	o.path = tmp_path("in.lines");
	o.name = "in.lines";
	o.option_keys = keys;
	o.option_values = values;
	o.noptions = key ? 1 : 0;
	o.on_error = mode;
	o.report = collect;
	o.ud = r;
	return tldb_import(db, p, &o, st, err);
}

static int import(tldb *db, tldb_plugins *p, tldb_on_error mode,
                  const char *fail_at, reports *r, tldb_import_stats *st,
                  tldb_msgbuf *err)
{
	return import_opt(db, p, mode, fail_at ? "fail-at" : NULL, fail_at, r,
	                  st, err);
}

/* The line of each reported message ("in.lines:LINE:..."), in order. */
static int report_lines(const reports *r, int *lines, int max)
{
	int n = 0;
	for (const char *p = r->text; (p = strstr(p, "in.lines:")) && n < max;
	     p++)
		lines[n++] = atoi(p + strlen("in.lines:"));
	return n;
}

/* The input of `count` records as planned, and an empty database whose
 * store refuses "storefail". */
static tldb *start(int count, const plan *pl)
{
	write_input(tmp_path("in.lines"), count, pl);
	tldb *db = open_db(tmp_path("t.db"));
	tldb_close(db);
	add_refusing_trigger(tmp_path("t.db"));
	return open_db(tmp_path("t.db"));
}

Test(import_threads, skip_mode_reports_everything_in_input_order)
{
	tldb_plugins *p = registry;
	plan pl = {.store_refuses = {21, 3001},
	           .empty_title = {900, 2950},
	           .bad_date = {1500, 3000}};
	tldb *db = start(4000, &pl);
	reports r;
	memset(&r, 0, sizeof r);
	tldb_import_stats st;
	tldb_msgbuf err;
	int rc = import(db, p, TLDB_ON_ERROR_SKIP, "3500", &r, &st, &err);
	cr_assert_eq(rc, TLDB_OK, "%s", err.msg);

	/* Two store refusals, two reader refusals, the plugin's own error
	 * at 3500: skipped; the two empty titles: warnings, stored. */
	cr_expect_eq(st.skipped, 5);
	cr_expect_eq(st.warnings, 2);
	cr_expect_eq(st.inserted, 4000 - 5);
	cr_expect_eq(count_events(db), 4000 - 5);
	int lines[16];
	int n = report_lines(&r, lines, 16);
	static const int want[] = {21, 900, 1500, 2950, 3000, 3001, 3500};
	cr_assert_eq(n, 7, "%s", r.text);
	for (int i = 0; i < n; i++)
		cr_expect_eq(lines[i], want[i],
		             "message %d: line %d, not %d\n%s", i, lines[i],
		             want[i], r.text);
	cr_expect_not_null(strstr(r.text,
	                          "in.lines:21:1: storing an event: the "
	                          "store says no (skipped)"),
	                   "%s", r.text);
	cr_expect_not_null(strstr(r.text, "in.lines:900:1: warning: empty "
	                                  "title"),
	                   "%s", r.text);
	tldb_close(db);
}

Test(import_threads, abort_mode_reports_the_first_error_in_input_order)
{
	tldb_plugins *p = registry;
	/* The reader passes line 50 and meets its own error at 3000 long
	 * before the writer reaches 50; the store's error is the one. */
	plan pl = {.store_refuses = {50},
	           .empty_title = {2000},
	           .bad_date = {3000}};
	tldb *db = start(4000, &pl);
	reports r;
	memset(&r, 0, sizeof r);
	tldb_import_stats st;
	tldb_msgbuf err;
	int rc = import(db, p, TLDB_ON_ERROR_ABORT, NULL, &r, &st, &err);
	cr_expect_neq(rc, TLDB_OK);
	cr_expect_eq(err.line, 50, "line %lld: %s", (long long)err.line,
	             err.msg);
	cr_expect_not_null(strstr(err.msg, "the store says no"), "%s", err.msg);
	cr_expect_eq(count_events(db), 0);
	cr_expect_eq(st.inserted, 0);
	/* Warnings of records after the error are not reported. */
	cr_expect_eq(r.count, 0, "%s", r.text);

	/* The reader's error stands when the writer had none before it. */
	pl = (plan){.bad_date = {3000}};
	write_input(tmp_path("in.lines"), 4000, &pl);
	rc = import(db, p, TLDB_ON_ERROR_ABORT, NULL, &r, &st, &err);
	cr_expect_neq(rc, TLDB_OK);
	cr_expect_eq(err.line, 3000);
	cr_expect_eq(count_events(db), 0);
	tldb_close(db);
}

Test(import_threads, writer_error_stops_a_reader_waiting_on_a_full_queue)
{
	tldb_plugins *p = registry;
	/* 200,000 records: the queue fills, and the reader must wake and stop
	 * once the writer fails at record 2 (the timeout catches a hang). */
	plan pl = {.store_refuses = {3}};
	tldb *db = start(200000, &pl);
	reports r;
	memset(&r, 0, sizeof r);
	tldb_import_stats st;
	tldb_msgbuf err;
	int rc = import(db, p, TLDB_ON_ERROR_ABORT, NULL, &r, &st, &err);
	cr_expect_neq(rc, TLDB_OK);
	cr_expect_eq(err.line, 3, "%s", err.msg);
	cr_expect_lt(st.records, 200000,
	             "the reader read everything after the writer failed");
	cr_expect_eq(count_events(db), 0);
	tldb_close(db);
}

/* The progress callback runs on the writer's thread, inside the import's
 * transaction: it looks at whether a range query would still use
 * events_span there, that is whether the bulk load dropped the indexes. */
typedef struct watch {
	tldb *db;
	int64_t at;   /* look when this many records are done */
	int looked;   /* 1 once looked */
	int has_span; /* what it saw */
} watch;

static void look_at_plan(void *ud, int64_t records, int64_t bytes,
                         int64_t total)
{
	(void)bytes;
	(void)total;
	watch *w = ud;
	if (w->looked || records < w->at)
		return;
	tldb_query q;
	tldb_query_init(&q);
	q.lo = 0;
	q.hi = 1000000000;
	char *text = NULL;
	cr_assert_eq(tldb_query_plan(w->db, &q, &text), TLDB_OK);
	w->has_span = strstr(text, "events_span") != NULL;
	w->looked = 1;
	free(text);
}

static watch import_watching(tldb_plugins *p, const char *pause_us, int64_t at)
{
	tldb *db = open_db(tmp_path(pause_us ? "slow.db" : "fast.db"));
	watch w = {.db = db, .at = at};
	const char *keys[] = {"pause-us"}, *values[] = {pause_us};
	tldb_import_opts o;
	memset(&o, 0, sizeof o);
	o.plugin = "lines";
	o.path = tmp_path("in.lines");
	o.option_keys = keys;
	o.option_values = values;
	o.noptions = pause_us ? 1 : 0;
	o.progress = look_at_plan;
	o.ud = &w;
	tldb_import_stats st;
	tldb_msgbuf err;
	cr_assert_eq(tldb_import(db, p, &o, &st, &err), TLDB_OK, "%s", err.msg);
	cr_expect_eq(count_events(db), st.inserted);
	tldb_close(db);
	return w;
}

Test(import_threads, indexes_are_dropped_only_when_the_writer_is_behind)
{
	tldb_plugins *p = registry;
	plan none = {{0}, {0}, {0}, 0}, wordy = {{0}, {0}, {0}, 1};
	write_input(tmp_path("in.lines"), 40000, &wordy);
	/* A quick parser and titles of 80 words to index: the store is the
	 * bottleneck by far, however the two threads get the CPUs, so the
	 * bulk load (10,000 inserts into an empty store) drops the indexes. */
	watch fast = import_watching(p, NULL, 30000);
	cr_assert(fast.looked);
	cr_expect_not(fast.has_span, "a writer-bound load kept its indexes");
	/* A parser slower than the store (50 us a record): the writer waits
	 * for it, and keeps the indexes up to date in that time instead. */
	write_input(tmp_path("in.lines"), 15000, &none);
	watch slow = import_watching(p, "50", 14000);
	cr_assert(slow.looked);
	cr_expect(slow.has_span, "a reader-bound load dropped its indexes");
}

/* With a parser slower than the store, the writer waits, and the reader
 * leaves the checks of each event to it: the outcome is the same. */
Test(import_threads, a_slow_parser_gets_the_same_messages)
{
	/* The writer is seen waiting after a few batches: the checks of the
	 * records past 2,000 are surely the writer's. */
	plan pl = {.store_refuses = {40},
	           .empty_title = {900},
	           .bad_date = {30, 3500}};
	for (int slow = 0; slow < 2; slow++) {
		tldb *db = start(4000, &pl);
		reports r;
		memset(&r, 0, sizeof r);
		tldb_import_stats st;
		tldb_msgbuf err;
		cr_assert_eq(import_opt(db, registry, TLDB_ON_ERROR_SKIP,
		                        slow ? "pause-us" : NULL, "50", &r, &st,
		                        &err),
		             TLDB_OK, "%s", err.msg);
		cr_expect_eq(st.skipped, 3, "slow %d", slow);
		cr_expect_eq(st.inserted, 4000 - 3, "slow %d", slow);
		cr_expect_eq(count_events(db), 4000 - 3);
		int lines[8];
		int n = report_lines(&r, lines, 8);
		cr_expect_eq(n, 4, "slow %d:\n%s", slow, r.text);
		static const int want[] = {30, 40, 900, 3500};
		for (int i = 0; i < n && i < 4; i++)
			cr_expect_eq(lines[i], want[i], "slow %d:\n%s", slow,
			             r.text);
		cr_expect_not_null(strstr(r.text,
		                          "in.lines:3500:1: start: 2022-13-45: "
		                          "month 13 is out of range (skipped)"),
		                   "slow %d:\n%s", slow, r.text);
		tldb_close(db);
		remove(tmp_path("t.db"));
		remove(tmp_path("t.db-wal"));
		remove(tmp_path("t.db-shm"));
	}
}
