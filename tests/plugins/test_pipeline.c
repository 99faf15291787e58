/*
 * test_pipeline.c -- the import and export pipelines on real database files:
 * abort mode storing nothing (and leaving the file's bytes alone), skip mode
 * storing the good records and reporting the bad with their positions,
 * idempotent re-imports, batched commits, exports in query order, a JSON
 * round trip through the bundled timeline, a plugin that runs a thread,
 * registries importing on several threads at once, and the positions of
 * bad records reaching the user of the `tldb` command.
 */
#define _GNU_SOURCE /* nftw */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plugins/helpers.h"

#define BUNDLED TLDB_SOURCE_DIR "/timelines/russia-china-2022.json"

TestSuite(pipeline, .init = tmp_setup, .fini = tmp_teardown, .timeout = 120);

static const char five[] = "#lines\n"
                           "2022-01-01|one|a\n"
                           "2022-01-02|two|\n"
                           "2022-01-03|three|b,c\n"
                           "2022-01-04|four|\n"
                           "2022-01-05|five|\n";

/* Imports with the lines plugin and options key=value pairs (NULL-ended). */
static int import_lines(tldb *db, tldb_plugins *p, const char *path,
                        tldb_on_error mode, int64_t batch,
                        const char *const *kv, reports *r,
                        tldb_import_stats *st, tldb_msgbuf *err)
{
	const char *keys[8], *values[8];
	size_t n = 0;
	for (; kv && kv[2 * n] && n < 8; n++) {
		keys[n] = kv[2 * n];
		values[n] = kv[2 * n + 1];
	}
	tldb_import_opts o;
	memset(&o, 0, sizeof o);
	o.plugin = "lines";
	o.path = path;
	o.name = "in.lines";
	o.option_keys = keys;
	o.option_values = values;
	o.noptions = n;
	o.on_error = mode;
	o.batch = batch;
	o.report = r ? collect : NULL;
	o.ud = r;
	return tldb_import(db, p, &o, st, err);
}

static tldb_plugins *lines_registry(void)
{
	tldb_plugins *p = new_registry();
	load_ok(p, FIXTURE("lines"));
	return p;
}

Test(pipeline, abort_mode_stores_nothing)
{
	tldb_plugins *p = lines_registry();
	write_text(tmp_path("in.lines"), five);
	tldb *db = open_db(tmp_path("t.db"));
	tldb_import_stats st;
	tldb_msgbuf err;
	int rc = import_lines(db, p, tmp_path("in.lines"), TLDB_ON_ERROR_ABORT,
	                      0, (const char *const[]){"fail-at", "4", NULL},
	                      NULL, &st, &err);
	cr_assert_eq(rc, TLDB_EPLUGIN, "%d %s", rc, err.msg);
	/* the file's line 4 is the third record */
	cr_expect_eq(err.line, 4);
	cr_expect_eq(err.column, 1);
	cr_expect_not_null(strstr(err.msg, "line 4"), "%s", err.msg);
	cr_expect_eq(count_events(db), 0);
	cr_expect_eq(st.inserted, 0);
	cr_expect_eq(st.records, 2, "the plugin stopped at the error");
	tldb_close(db);
	tldb_plugins_free(p);
}

Test(pipeline, abort_mode_leaves_the_file_bytes_unchanged)
{
	tldb_plugins *p = lines_registry();
	write_text(tmp_path("first.lines"), "2021-01-01|before|\n");
	write_text(tmp_path("in.lines"), five);
	const char *dbpath = tmp_path("t.db");
	tldb *db = open_db(dbpath);
	tldb_msgbuf err;
	cr_assert_eq(import_file(db, p, "lines", tmp_path("first.lines"), NULL,
	                         &err),
	             TLDB_OK, "%s", err.msg);
	tldb_close(db);
	size_t len0, len1;
	char *before = slurp(dbpath, &len0);

	db = open_db(dbpath);
	int rc = import_lines(db, p, tmp_path("in.lines"), TLDB_ON_ERROR_ABORT,
	                      0, (const char *const[]){"fail-at", "3", NULL},
	                      NULL, NULL, &err);
	cr_assert_eq(rc, TLDB_EPLUGIN);
	cr_expect_eq(err.line, 3);
	cr_expect_eq(count_events(db), 1);
	/* a record the store refuses aborts the same way */
	write_text(tmp_path("bad.lines"), "2022-01-01|ok|\n2022-13-45|bad|\n");
	rc = import_lines(db, p, tmp_path("bad.lines"), TLDB_ON_ERROR_ABORT, 0,
	                  NULL, NULL, NULL, &err);
	cr_assert_eq(rc, TLDB_EPLUGIN);
	cr_expect_eq(err.line, 2, "%s", err.msg);
	cr_expect_eq(count_events(db), 1);
	tldb_close(db);

	char *after = slurp(dbpath, &len1);
	cr_expect_eq(len0, len1);
	cr_expect(len0 == len1 && memcmp(before, after, len0) == 0,
	          "the database file changed");
	free(before);
	free(after);
	tldb_plugins_free(p);
}

Test(pipeline, skip_mode_stores_the_good_and_reports_the_bad)
{
	tldb_plugins *p = lines_registry();
	write_text(tmp_path("in.lines"), five);
	tldb *db = open_db(tmp_path("t.db"));
	tldb_import_stats st;
	tldb_msgbuf err;
	reports r;
	memset(&r, 0, sizeof r);
	int rc = import_lines(db, p, tmp_path("in.lines"), TLDB_ON_ERROR_SKIP,
	                      0, (const char *const[]){"fail-at", "3", NULL},
	                      &r, &st, &err);
	cr_assert_eq(rc, TLDB_OK, "%s", err.msg);
	cr_expect_eq(st.skipped, 1);
	cr_expect_eq(st.inserted, 4);
	cr_expect_eq(st.records, 4);
	cr_expect_eq(count_events(db), 4);
	cr_expect_not(has_title(db, "two"));
	cr_expect(has_title(db, "three"));
	cr_expect_eq(r.count, 1, "%s", r.text);
	cr_expect_not_null(strstr(r.text, "in.lines:3:1: line 3: bad record"),
	                   "%s", r.text);
	cr_expect_not_null(strstr(r.text, "(skipped)"), "%s", r.text);

	/* the bad record last: reported at the end of the run */
	tldb_close(db);
	db = open_db(tmp_path("t2.db"));
	memset(&r, 0, sizeof r);
	rc = import_lines(db, p, tmp_path("in.lines"), TLDB_ON_ERROR_SKIP, 0,
	                  (const char *const[]){"fail-at", "6", NULL}, &r, &st,
	                  &err);
	cr_assert_eq(rc, TLDB_OK, "%s", err.msg);
	cr_expect_eq(st.skipped, 1);
	cr_expect_eq(count_events(db), 4);
	cr_expect_not_null(strstr(r.text, "in.lines:6:1:"), "%s", r.text);

	/* records the store refuses are skipped the same way */
	write_text(tmp_path("bad.lines"),
	           "2022-01-01|ok|\n2022-13-45|bad date|\nno bar\n"
	           "2022-01-02|ok too|\n");
	memset(&r, 0, sizeof r);
	rc = import_lines(db, p, tmp_path("bad.lines"), TLDB_ON_ERROR_SKIP, 0,
	                  NULL, &r, &st, &err);
	cr_assert_eq(rc, TLDB_OK, "%s", err.msg);
	cr_expect_eq(st.skipped, 2);
	cr_expect_eq(st.inserted, 2);
	cr_expect_eq(r.count, 2, "%s", r.text);
	cr_expect_not_null(strstr(r.text, "in.lines:2:1:"), "%s", r.text);
	cr_expect_not_null(strstr(r.text, "in.lines:3:1: line 3: no '|'"), "%s",
	                   r.text);
	tldb_close(db);
	tldb_plugins_free(p);
}

Test(pipeline, reimport_changes_nothing)
{
	tldb_plugins *p = lines_registry();
	write_text(tmp_path("in.lines"), five);
	tldb *db = open_db(tmp_path("t.db"));
	tldb_import_stats st;
	tldb_msgbuf err;
	cr_assert_eq(import_file(db, p, NULL, tmp_path("in.lines"), &st, &err),
	             TLDB_OK, "%s", err.msg);
	cr_expect_eq(st.inserted, 5);
	cr_expect_gt(st.bytes, 0);
	cr_assert_eq(import_file(db, p, NULL, tmp_path("in.lines"), &st, &err),
	             TLDB_OK, "%s", err.msg);
	cr_expect_eq(st.records, 5);
	cr_expect_eq(st.inserted, 0);
	cr_expect_eq(st.updated, 0);
	cr_expect_eq(st.unchanged, 5);
	cr_expect_eq(count_events(db), 5);
	tldb_query q;
	tldb_query_init(&q);
	tldb_cursor *c;
	cr_assert_eq(tldb_query_open(db, &q, &c), TLDB_OK);
	const tldb_event *ev;
	while (tldb_cursor_next(c, &ev) == TLDB_OK)
		cr_expect_eq(ev->sequence, 0, "%s was rewritten", ev->title);
	tldb_cursor_free(c);
	tldb_close(db);
	tldb_plugins_free(p);
}

/* Skip mode, batch 2: when the bad record is reported, a second handle
 * sees only the batches committed so far. */
typedef struct batch_probe {
	reports r;
	const char *dbpath;
	int64_t seen; /* events visible to another handle; -1: not probed */
} batch_probe;

static void probe_commits(void *ud, const char *msg)
{
	batch_probe *b = ud;
	collect(&b->r, msg);
	tldb *other = NULL;
	if (tldb_open(b->dbpath, TLDB_OPEN_READONLY, &other) == TLDB_OK)
		b->seen = count_events(other);
	tldb_close(other);
}

Test(pipeline, skip_mode_commits_in_batches)
{
	tldb_plugins *p = lines_registry();
	write_text(tmp_path("in.lines"), "2022-01-01|e1|\n2022-01-02|e2|\n"
	                                 "2022-01-03|e3|\n2022-01-04|e4|\n"
	                                 "2022-01-05|e5|\n2022-01-06|bad|\n"
	                                 "2022-01-07|e7|\n2022-01-08|e8|\n");
	batch_probe b;
	memset(&b, 0, sizeof b);
	b.dbpath = tmp_path("t.db");
	b.seen = -1;
	tldb *db = open_db(b.dbpath);
	cr_assert_eq(count_events(db), 0); /* creates the schema */
	tldb_import_opts o;
	memset(&o, 0, sizeof o);
	o.plugin = "lines";
	o.path = tmp_path("in.lines");
	const char *keys[] = {"fail-at"}, *values[] = {"6"};
	o.option_keys = keys;
	o.option_values = values;
	o.noptions = 1;
	o.on_error = TLDB_ON_ERROR_SKIP;
	o.batch = 2;
	o.report = probe_commits;
	o.ud = &b;
	tldb_import_stats st;
	tldb_msgbuf err;
	cr_assert_eq(tldb_import(db, p, &o, &st, &err), TLDB_OK, "%s", err.msg);
	cr_expect_eq(b.r.count, 1, "%s", b.r.text);
	/* e1..e4 in two committed batches; e5 waits in the third */
	cr_expect_eq(b.seen, 4, "another handle saw %lld events",
	             (long long)b.seen);
	cr_expect_eq(st.inserted, 7);
	cr_expect_eq(st.skipped, 1);
	cr_expect_eq(count_events(db), 7);
	tldb_close(db);
	tldb_plugins_free(p);
}

Test(pipeline, export_writes_every_event_in_query_order)
{
	tldb_plugins *p = lines_registry();
	write_text(tmp_path("in.lines"), "2022-03-01|march|m\n"
	                                 "2021|a year|\n"
	                                 "2022-01-15T10:00:00Z|a minute|x,y\n"
	                                 "2022-01-15|a day|\n"
	                                 "2020-06|june|\n");
	tldb *db = open_db(tmp_path("t.db"));
	tldb_msgbuf err;
	cr_assert_eq(import_file(db, p, NULL, tmp_path("in.lines"), NULL, &err),
	             TLDB_OK, "%s", err.msg);
	sink out;
	memset(&out, 0, sizeof out);
	tldb_export_opts eo;
	memset(&eo, 0, sizeof eo);
	eo.format = "lines";
	eo.write = sink_write;
	eo.ud = &out;
	tldb_export_stats es;
	cr_assert_eq(tldb_export(db, p, &eo, &es, &err), TLDB_OK, "%s",
	             err.msg);
	cr_expect_str_eq(out.buf, "#lines prefix=x\n"
	                          "2020-06|june|\n"
	                          "2021|a year|\n"
	                          "2022-01-15|a day|\n"
	                          "2022-01-15T10:00:00Z|a minute|x,y\n"
	                          "2022-03-01|march|m\n");
	cr_expect_eq(es.events, 5);
	cr_expect_eq(es.bytes, (int64_t)out.len);

	/* a query narrows it */
	tldb_query q;
	tldb_query_init(&q);
	const char *tags[] = {"x"};
	q.tags = tags;
	q.ntags = 1;
	eo.query = &q;
	out.len = 0;
	cr_assert_eq(tldb_export(db, p, &eo, &es, &err), TLDB_OK, "%s",
	             err.msg);
	cr_expect_str_eq(out.buf, "#lines prefix=x\n"
	                          "2022-01-15T10:00:00Z|a minute|x,y\n");
	cr_expect_eq(es.events, 1);

	/* the exporter's output re-imports (its header is the probe's) */
	write_text(tmp_path("again.txt"), out.buf);
	tldb *db2 = open_db(tmp_path("t2.db"));
	cr_assert_eq(
	        import_file(db2, p, NULL, tmp_path("again.txt"), NULL, &err),
	        TLDB_OK, "%s", err.msg);
	cr_expect_eq(count_events(db2), 1);
	tldb_close(db2);

	free(out.buf);
	tldb_close(db);
	tldb_plugins_free(p);
}

static int failing_write(void *ud, const void *buf, size_t len)
{
	(void)ud;
	(void)buf;
	(void)len;
	return -1;
}

Test(pipeline, export_fails_when_the_sink_fails)
{
	tldb_plugins *p = lines_registry();
	write_text(tmp_path("in.lines"), five);
	tldb *db = open_db(tmp_path("t.db"));
	tldb_msgbuf err;
	cr_assert_eq(import_file(db, p, NULL, tmp_path("in.lines"), NULL, &err),
	             TLDB_OK, "%s", err.msg);
	tldb_export_opts eo;
	memset(&eo, 0, sizeof eo);
	eo.format = "lines";
	eo.write = failing_write;
	/* The output's failure, with its own code: not the exporter's. */
	cr_expect_eq(tldb_export(db, p, &eo, NULL, &err), TLDB_EIO);
	cr_expect_not_null(strstr(err.msg, "writing the output failed"), "%s",
	                   err.msg);
	eo.format = "csv";
	cr_expect_eq(tldb_export(db, p, &eo, NULL, &err), TLDB_ENOTFOUND);
	cr_expect_not_null(strstr(err.msg, "'csv'"), "%s", err.msg);
	tldb_close(db);
	tldb_plugins_free(p);
}

/* ---- JSON round trip ---- */

static int str_same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void expect_same_event(const tldb_event *a, const tldb_event *b)
{
	cr_expect_str_eq(a->uid, b->uid);
	cr_expect(str_same(a->timeline, b->timeline), "%s: timeline", a->uid);
	cr_expect(str_same(a->title, b->title), "%s: title", a->uid);
	cr_expect(str_same(a->body, b->body), "%s: body", a->uid);
	cr_expect(str_same(a->start, b->start), "%s: start", a->uid);
	cr_expect(str_same(a->end, b->end), "%s: end", a->uid);
	cr_expect(str_same(a->tz, b->tz), "%s: tz", a->uid);
	cr_expect(str_same(a->location, b->location), "%s: location", a->uid);
	cr_expect(str_same(a->url, b->url), "%s: url", a->uid);
	cr_expect_eq(a->lo, b->lo, "%s: lo", a->uid);
	cr_expect_eq(a->hi, b->hi, "%s: hi", a->uid);
	cr_expect_eq(a->precision, b->precision, "%s: precision", a->uid);
	cr_assert_eq(a->ntags, b->ntags, "%s: tags", a->uid);
	for (size_t i = 0; i < a->ntags; i++)
		cr_expect_str_eq(a->tags[i], b->tags[i]);
	cr_assert_eq(a->nsources, b->nsources, "%s: sources", a->uid);
	for (size_t i = 0; i < a->nsources; i++) {
		const tldb_source *s = &a->sources[i], *t = &b->sources[i];
		cr_expect(str_same(s->url, t->url), "%s: source url", a->uid);
		cr_expect(str_same(s->title, t->title));
		cr_expect(str_same(s->quote, t->quote));
		cr_expect(str_same(s->expr, t->expr));
		cr_expect(str_same(s->doc_date, t->doc_date));
		cr_expect(str_same(s->resolver, t->resolver));
		cr_expect_eq(s->span[0], t->span[0]);
		cr_expect_eq(s->span[1], t->span[1]);
	}
}

Test(pipeline, json_round_trip_keeps_every_event)
{
	tldb_plugins *p = new_registry();
	load_ok(p, BUILD_PLUGIN("json"));
	tldb *db = open_db(tmp_path("a.db"));
	tldb_import_stats st;
	tldb_msgbuf err;
	cr_assert_eq(import_file(db, p, NULL, BUNDLED, &st, &err), TLDB_OK,
	             "%s", err.msg);
	json_t *doc = json_load_file(BUNDLED, 0, NULL);
	cr_assert_not_null(doc);
	size_t in_file = json_array_size(json_object_get(doc, "events"));
	json_decref(doc);
	cr_assert_gt(in_file, 0);
	cr_assert_eq(st.inserted, (int64_t)in_file);
	int64_t n = count_events(db);
	cr_expect_eq(n, st.inserted);

	sink out;
	memset(&out, 0, sizeof out);
	tldb_export_opts eo;
	memset(&eo, 0, sizeof eo);
	eo.format = "json";
	eo.write = sink_write;
	eo.ud = &out;
	/* One timeline: the document then describes it, so a fresh database
	 * can take its events.  (An export of several timelines names them
	 * only in the events, and importing that needs them to exist.) */
	tldb_query one;
	tldb_query_init(&one);
	const char *names[] = {"russia-china-2022"};
	one.timelines = names;
	one.ntimelines = 1;
	eo.query = &one;
	tldb_export_stats es;
	cr_assert_eq(tldb_export(db, p, &eo, &es, &err), TLDB_OK, "%s",
	             err.msg);
	cr_expect_eq(es.events, n);
	write_text(tmp_path("out.json"), out.buf);
	free(out.buf);

	tldb *db2 = open_db(tmp_path("b.db"));
	cr_assert_eq(import_file(db2, p, NULL, tmp_path("out.json"), &st, &err),
	             TLDB_OK, "%s", err.msg);
	cr_expect_eq(st.inserted, n);
	cr_expect_eq(count_events(db2), n);

	tldb_query q;
	tldb_query_init(&q);
	q.with_sources = 1;
	tldb_cursor *c;
	cr_assert_eq(tldb_query_open(db, &q, &c), TLDB_OK);
	const tldb_event *ev;
	int64_t compared = 0;
	while (tldb_cursor_next(c, &ev) == TLDB_OK) {
		tldb_event *copy = NULL;
		cr_assert_eq(tldb_get(db2, ev->uid, &copy), TLDB_OK,
		             "%s is missing after the round trip", ev->uid);
		tldb_event *orig = NULL;
		cr_assert_eq(tldb_get(db, ev->uid, &orig), TLDB_OK);
		expect_same_event(orig, copy);
		tldb_event_free(orig);
		tldb_event_free(copy);
		compared++;
	}
	tldb_cursor_free(c);
	cr_expect_eq(compared, n);
	tldb_timeline *t1 = NULL, *t2 = NULL;
	cr_assert_eq(tldb_timeline_get(db, names[0], &t1), TLDB_OK);
	cr_assert_eq(tldb_timeline_get(db2, names[0], &t2), TLDB_OK);
	cr_expect(str_same(t1->title, t2->title));
	cr_expect(str_same(t1->description, t2->description));
	cr_expect_eq(t1->events, t2->events);
	tldb_timeline_free(t1);
	tldb_timeline_free(t2);
	tldb_close(db2);
	tldb_close(db);
	tldb_plugins_free(p);
}

/* created, updated and sequence from an importer are a restore (ABI 1.1);
 * from a plugin built for minor 0 they are ignored. */
Test(pipeline, stamps_are_kept_only_from_minor_1_importers)
{
	for (int minor = 0; minor <= 1; minor++) {
		tldb_plugins *p = new_registry();
		load_ok(p, minor ? FIXTURE("stamps1") : FIXTURE("stamps0"));
		tldb *db = open_db(tmp_path(minor ? "m1.db" : "m0.db"));
		write_text(tmp_path("in.stamps"), "x");
		tldb_import_stats st;
		tldb_msgbuf err;
		cr_assert_eq(import_file(db, p, "stamps", tmp_path("in.stamps"),
		                         &st, &err),
		             TLDB_OK, "%s", err.msg);
		tldb_event *ev = NULL;
		cr_assert_eq(tldb_get(db, "stamped", &ev), TLDB_OK);
		cr_expect_eq(ev->created, minor ? 1000000000 : TEST_NOW);
		cr_expect_eq(ev->updated, minor ? 1000000001 : TEST_NOW);
		cr_expect_eq(ev->sequence, minor ? 7 : 0);
		tldb_event_free(ev);
		tldb_close(db);
		tldb_plugins_free(p);
	}
}

/* An exporter flagged TLDB_FORMAT_NO_SOURCES gets events without their
 * sources (the host skips a lookup per event); any other gets them. */
Test(pipeline, sources_are_loaded_only_for_exporters_that_read_them)
{
	for (int none = 0; none <= 1; none++) {
		tldb_plugins *p = new_registry();
		load_ok(p, BUILD_PLUGIN("json"));
		load_ok(p, none ? FIXTURE("srcprobe_none")
		                : FIXTURE("srcprobe_all"));
		tldb *db = open_db(tmp_path(none ? "n.db" : "a.db"));
		tldb_import_stats st;
		tldb_msgbuf err;
		cr_assert_eq(import_file(db, p, NULL, BUNDLED, &st, &err),
		             TLDB_OK, "%s", err.msg);
		sink out;
		memset(&out, 0, sizeof out);
		tldb_export_opts eo;
		memset(&eo, 0, sizeof eo);
		eo.format = "srcprobe";
		eo.write = sink_write;
		eo.ud = &out;
		cr_assert_eq(tldb_export(db, p, &eo, NULL, &err), TLDB_OK, "%s",
		             err.msg);
		cr_expect_str_eq(out.buf, none ? "9 events, 0 with sources\n"
		                               : "9 events, 9 with sources\n");
		free(out.buf);
		tldb_close(db);
		tldb_plugins_free(p);
	}
}

/* ---- threads ---- */

Test(pipeline, a_plugin_that_runs_a_thread)
{
	tldb_plugins *p = new_registry();
	load_ok(p, FIXTURE("threads"));
	write_text(tmp_path("in.threads"), "whatever\n");
	tldb *db = open_db(tmp_path("t.db"));
	tldb_msgbuf err;
	for (int i = 0; i < 3; i++) {
		tldb_import_stats st;
		cr_assert_eq(import_file(db, p, NULL, tmp_path("in.threads"),
		                         &st, &err),
		             TLDB_OK, "%s", err.msg);
		cr_expect_eq(st.records, 1);
	}
	cr_expect_eq(count_events(db), 1);
	cr_expect(has_title(db, "from thread 42"));
	tldb_close(db);
	tldb_plugins_free(p);
}

#define NTHREADS 4
#define NLINES   200

typedef struct worker {
	int index;
	const char *input;
	char dbpath[512];
	int rc;
	int64_t inserted, stored;
	char msg[1024];
} worker;

static void *import_worker(void *arg)
{
	worker *w = arg;
	tldb_plugins *p = NULL;
	tldb *db = NULL;
	tldb_msgbuf err;
	w->rc = tldb_plugins_new(&p);
	if (!w->rc)
		w->rc = tldb_plugins_load(p, FIXTURE("lines"), &err);
	if (!w->rc)
		w->rc = tldb_open(w->dbpath, TLDB_OPEN_CREATE, &db);
	if (!w->rc) {
		tldb_import_stats st;
		tldb_import_opts o;
		memset(&o, 0, sizeof o);
		o.path = w->input;
		o.on_error = TLDB_ON_ERROR_SKIP;
		o.batch = 7;
		w->rc = tldb_import(db, p, &o, &st, &err);
		w->inserted = st.inserted;
		/* count with a cursor, outside Criterion's asserts */
		tldb_query q;
		tldb_query_init(&q);
		tldb_cursor *c = NULL;
		const tldb_event *ev;
		if (!w->rc && tldb_query_open(db, &q, &c) == TLDB_OK)
			while (tldb_cursor_next(c, &ev) == TLDB_OK)
				w->stored++;
		tldb_cursor_free(c);
	}
	if (w->rc)
		snprintf(w->msg, sizeof w->msg, "%s", err.msg);
	tldb_close(db);
	tldb_plugins_free(p);
	return NULL;
}

Test(pipeline, registries_import_on_several_threads_at_once)
{
	/* one input, NLINES records */
	size_t cap = NLINES * 40 + 16, used = 0;
	char *text = malloc(cap);
	cr_assert_not_null(text);
	for (int i = 0; i < NLINES; i++) {
		int w = snprintf(text + used, cap - used,
		                 "2022-%02d-%02d|event %d|t%d\n", i % 12 + 1,
		                 i % 28 + 1, i, i % 5);
		cr_assert(w > 0 && (size_t)w < cap - used);
		used += (size_t)w;
	}
	write_text(tmp_path("in.lines"), text);
	free(text);

	worker ws[NTHREADS];
	pthread_t ts[NTHREADS];
	for (int i = 0; i < NTHREADS; i++) {
		memset(&ws[i], 0, sizeof ws[i]);
		ws[i].index = i;
		ws[i].input = tmp_path("in.lines");
		snprintf(ws[i].dbpath, sizeof ws[i].dbpath, "%s/db%d.db", g_tmp,
		         i);
	}
	for (int i = 0; i < NTHREADS; i++)
		cr_assert_eq(
		        pthread_create(&ts[i], NULL, import_worker, &ws[i]), 0);
	for (int i = 0; i < NTHREADS; i++)
		cr_assert_eq(pthread_join(ts[i], NULL), 0);
	for (int i = 0; i < NTHREADS; i++) {
		cr_expect_eq(ws[i].rc, TLDB_OK, "thread %d: %d %s", i, ws[i].rc,
		             ws[i].msg);
		cr_expect_eq(ws[i].inserted, NLINES, "thread %d", i);
		cr_expect_eq(ws[i].stored, NLINES, "thread %d", i);
	}
}

/* ---- the tldb command ---- */

extern char **environ;

typedef struct proc {
	int code;
	char *out, *err;
} proc;

static void drain(int fd, sink *s)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof buf);
	if (n > 0)
		cr_assert_eq(sink_write(s, buf, (size_t)n), 0);
}

/* Runs TLDB_BIN with args (NULL-terminated), without the TLDB_* variables
 * of our environment, TZ=UTC and a fixed clock. */
static proc spawn_tldb(const char *const *args)
{
	char *argv[32];
	size_t argc = 0;
	argv[argc++] = (char *)TLDB_BIN;
	for (size_t i = 0; args[i] && argc < 31; i++)
		argv[argc++] = (char *)args[i];
	argv[argc] = NULL;
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = calloc(n + 3, sizeof *env);
	cr_assert_not_null(env);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "TLDB_", 5) != 0 &&
		    strncmp(environ[i], "TZ=", 3) != 0)
			env[k++] = environ[i];
	env[k++] = "TLDB_NOW=2022-09-15T12:00:00Z";
	env[k++] = "TZ=UTC";
	env[k] = NULL;

	int outp[2], errp[2];
	cr_assert_eq(pipe(outp), 0);
	cr_assert_eq(pipe(errp), 0);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
	posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
	posix_spawn_file_actions_addclose(&fa, outp[0]);
	posix_spawn_file_actions_addclose(&fa, errp[0]);
	pid_t pid;
	int rc = posix_spawn(&pid, TLDB_BIN, &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	cr_assert_eq(rc, 0, "cannot spawn %s: %s", TLDB_BIN, strerror(rc));
	close(outp[1]);
	close(errp[1]);
	sink out, err;
	memset(&out, 0, sizeof out);
	memset(&err, 0, sizeof err);
	sink_write(&out, "", 0);
	sink_write(&err, "", 0);
	struct pollfd fds[2] = {{outp[0], POLLIN, 0}, {errp[0], POLLIN, 0}};
	int open_fds = 2;
	while (open_fds) {
		if (poll(fds, 2, -1) < 0) {
			cr_assert_eq(errno, EINTR);
			continue;
		}
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || !fds[i].revents)
				continue;
			if (fds[i].revents & POLLIN) {
				drain(fds[i].fd, i ? &err : &out);
				continue;
			}
			close(fds[i].fd);
			fds[i].fd = -1;
			open_fds--;
		}
	}
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	proc r = {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out.buf,
	          err.buf};
	return r;
}

Test(pipeline, cli_reports_the_position_of_a_bad_record)
{
	const char *file = tmp_path("in.lines");
	const char *db = tmp_path("cli.db");
	write_text(file, "2022-01-01|good|\nnot a record\n2022-01-03|also|\n");
	char where[600];
	snprintf(where, sizeof where, "%s:2:", file);

	proc r = spawn_tldb((const char *const[]){
	        "--db", db, "--plugin-dir", TLDB_FIXTURE_DIR, "import",
	        "--plugin", "lines", file, NULL});
	cr_expect_eq(r.code, 1, "exit %d; stderr:\n%s", r.code, r.err);
	cr_expect_not_null(strstr(r.err, where), "stderr:\n%s", r.err);
	cr_expect_not_null(strstr(r.err, "no '|'"), "stderr:\n%s", r.err);
	free(r.out);
	free(r.err);

	r = spawn_tldb((const char *const[]){
	        "--db", db, "--plugin-dir", TLDB_FIXTURE_DIR, "import",
	        "--plugin", "lines", "--on-error", "skip", file, NULL});
	cr_expect_eq(r.code, 0, "exit %d; stderr:\n%s", r.code, r.err);
	cr_expect_not_null(strstr(r.err, where), "stderr:\n%s", r.err);
	cr_expect_not_null(strstr(r.err, "(skipped)"), "stderr:\n%s", r.err);
	cr_expect_not_null(strstr(r.err, "2 events written"), "stderr:\n%s",
	                   r.err);
	cr_expect_not_null(strstr(r.err, "1 skipped"), "stderr:\n%s", r.err);
	free(r.out);
	free(r.err);

	tldb *h = open_db(db);
	cr_expect_eq(count_events(h), 2);
	tldb_close(h);
}

Test(pipeline, skip_mode_still_fails_on_an_error_that_is_not_a_record)
{
	/* A bad document timeline is no bad record: the json plugin stops
	 * when set_timeline refuses it and returns OK, and skip mode must
	 * still end in that error rather than report success. */
	tldb_plugins *p = new_registry();
	load_ok(p, BUILD_PLUGIN("json"));
	write_text(tmp_path("in.json"),
	           "{\"tldb\": 1, \"timeline\": {\"name\": \"Bad Name!\"}, "
	           "\"events\": [{\"start\": \"2022-01-01\", \"title\": "
	           "\"x\"}]}\n");
	tldb *db = open_db(tmp_path("t.db"));
	tldb_import_opts o;
	memset(&o, 0, sizeof o);
	o.path = tmp_path("in.json");
	tldb_msgbuf err;
	cr_expect_eq(tldb_import(db, p, &o, NULL, &err), TLDB_EPLUGIN);
	cr_expect_not_null(strstr(err.msg, "bad timeline name"), "%s", err.msg);
	o.on_error = TLDB_ON_ERROR_SKIP;
	memset(&err, 0, sizeof err);
	cr_expect_eq(tldb_import(db, p, &o, NULL, &err), TLDB_EPLUGIN);
	cr_expect_not_null(strstr(err.msg, "bad timeline name"), "%s", err.msg);
	cr_expect_eq(count_events(db), 0);
	tldb_close(db);
	tldb_plugins_free(p);
}

/* ---- one registry shared by threads ---- */

typedef struct exporter_thread {
	tldb_plugins *p;
	const char *dbpath;
	int failures;
	char msg[256];
} exporter_thread;

static void *export_worker(void *arg)
{
	exporter_thread *w = arg;
	tldb *db = NULL;
	if (tldb_open(w->dbpath, TLDB_OPEN_READONLY, &db)) {
		w->failures++;
		tldb_close(db);
		return NULL;
	}
	for (int i = 0; i < 20; i++) {
		sink out;
		memset(&out, 0, sizeof out);
		tldb_export_opts eo;
		memset(&eo, 0, sizeof eo);
		eo.format = "lines";
		eo.write = sink_write;
		eo.ud = &out;
		tldb_msgbuf err;
		if (tldb_export(db, w->p, &eo, NULL, &err) != TLDB_OK) {
			w->failures++;
			snprintf(w->msg, sizeof w->msg, "%.200s", err.msg);
		}
		free(out.buf);
	}
	tldb_close(db);
	return NULL;
}

/* A format not flagged TLDB_FORMAT_THREADSAFE runs one instance at a time,
 * however many threads share the registry (the fixture fails if it ever
 * finds another instance running). */
Test(pipeline, shared_registry_serialises_formats_that_are_not_threadsafe)
{
	tldb_plugins *p = lines_registry();
	write_text(tmp_path("in.lines"), five);
	tldb *db = open_db(tmp_path("t.db"));
	tldb_msgbuf err;
	cr_assert_eq(import_file(db, p, NULL, tmp_path("in.lines"), NULL, &err),
	             TLDB_OK, "%s", err.msg);
	tldb_close(db);
	char dbpath[512];
	snprintf(dbpath, sizeof dbpath, "%s", tmp_path("t.db"));
	exporter_thread ws[4];
	pthread_t ts[4];
	for (int i = 0; i < 4; i++) {
		memset(&ws[i], 0, sizeof ws[i]);
		ws[i].p = p;
		ws[i].dbpath = dbpath;
		cr_assert_eq(
		        pthread_create(&ts[i], NULL, export_worker, &ws[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		cr_assert_eq(pthread_join(ts[i], NULL), 0);
		cr_expect_eq(ws[i].failures, 0, "thread %d: %s", i, ws[i].msg);
	}
	tldb_plugins_free(p);
}
