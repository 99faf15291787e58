/*
 * test_timelinejs.c -- the timelinejs plugin through the real host: the
 * bundled timeline exported as TimelineJS3 JSON (title slide, date objects
 * filled down to each precision, end_date, unique_id, display_date for
 * qualified and open dates, BCE and early years, UTC times, escaped HTML,
 * groups from tags), a round trip back into a fresh database, a
 * hand-written TimelineJS file without tldb's extension object, bad input
 * reported at its position with nothing stored, the probe, and `tldb
 * plugins check` on the built plugin.
 */
#define _GNU_SOURCE /* nftw */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <jansson.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plugins/helpers.h"

#define BUNDLED  TLDB_SOURCE_DIR "/timelines/russia-china-2022.json"
#define TIMELINE "russia-china-2022"

extern char **environ;

TestSuite(timelinejs, .init = tmp_setup, .fini = tmp_teardown, .timeout = 180);

static tldb_plugins *registry(void)
{
	tldb_plugins *p = new_registry();
	load_ok(p, BUILD_PLUGIN("json"));
	load_ok(p, BUILD_PLUGIN("timelinejs"));
	return p;
}

/* A database holding the bundled timeline. */
static tldb *bundled_db(tldb_plugins *p, const char *name)
{
	tldb *db = open_db(tmp_path(name));
	tldb_msgbuf err;
	cr_assert_eq(import_file(db, p, "json", BUNDLED, NULL, &err), TLDB_OK,
	             "%s", err.msg);
	return db;
}

static void put_event(tldb *db, const char *uid, const char *title,
                      const char *start, const char *end)
{
	tldb_event ev;
	memset(&ev, 0, sizeof ev);
	ev.uid = uid;
	ev.timeline = TIMELINE;
	ev.title = title;
	ev.start = start;
	ev.end = end;
	cr_assert_eq(tldb_put(db, &ev, NULL, NULL), TLDB_OK, "%s: %s", uid,
	             tldb_errmsg(db));
}

/* The bundled timeline plus events that exercise the date mapping. */
static void add_extras(tldb *db)
{
	/* 15 March 44 BC: astronomical year -43. */
	put_event(db, "x-caesar", "Caesar is killed", "-0043-03-15", NULL);
	put_event(db, "x-early", "An early year", "0999", NULL);
	put_event(db, "x-about", "About February", "2022-02~", NULL);
	put_event(db, "x-maybe", "Maybe February", "2022-02?", NULL);
	put_event(db, "x-both", "Both", "2022-02%", NULL);
	put_event(db, "x-open", "Open-ended", "2022-02/..", NULL);
	put_event(db, "x-timed", "A timed meeting", "2022-09-15T10:00+05:00",
	          "2022-09-15T11:30:15Z");
	put_event(db, "x-html", "Tags <b>bold</b> & \"more\"", "2022-10-01",
	          NULL);
}

/* Exports timeline NAME with -o key=value pairs (NULL-ended) to a string. */
static char *export_tl(tldb *db, tldb_plugins *p, const char *const *kv)
{
	const char *keys[4], *values[4];
	size_t n = 0;
	for (; kv && kv[2 * n] && n < 4; n++) {
		keys[n] = kv[2 * n];
		values[n] = kv[2 * n + 1];
	}
	static const char *const tl[] = {TIMELINE};
	tldb_query q;
	tldb_query_init(&q);
	q.timelines = tl;
	q.ntimelines = 1;
	sink s = {0};
	tldb_export_opts o;
	memset(&o, 0, sizeof o);
	o.format = "timelinejs";
	o.query = &q;
	o.option_keys = keys;
	o.option_values = values;
	o.noptions = n;
	o.write = sink_write;
	o.ud = &s;
	tldb_msgbuf err;
	cr_assert_eq(tldb_export(db, p, &o, NULL, &err), TLDB_OK, "%s",
	             err.msg);
	return s.buf;
}

static json_t *parse(const char *text)
{
	json_error_t e;
	json_t *doc = json_loads(text, 0, &e);
	cr_assert_not_null(doc, "not JSON: %s at %d:%d", e.text, e.line,
	                   e.column);
	return doc;
}

/* The slide whose unique_id is uid. */
static json_t *slide(json_t *doc, const char *uid)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(doc, "events"), i, s)
	{
		const char *u =
		        json_string_value(json_object_get(s, "unique_id"));
		if (u && strcmp(u, uid) == 0)
			return s;
	}
	cr_assert_fail("no slide %s", uid);
	return NULL;
}

/* Checks a date object: the fields given (-1 ends), and no finer one. */
static void check_date(json_t *d, const char *what, const int64_t *want)
{
	static const char *const keys[] = {"year", "month",  "day",
	                                   "hour", "minute", "second"};
	cr_assert(json_is_object(d), "%s: no date object", what);
	size_t i = 0;
	for (; i < 6 && want[i] != -1; i++) {
		json_t *v = json_object_get(d, keys[i]);
		cr_assert(json_is_integer(v), "%s.%s is not a number", what,
		          keys[i]);
		cr_assert_eq(json_integer_value(v), want[i],
		             "%s.%s: %lld, expected %lld", what, keys[i],
		             (long long)json_integer_value(v),
		             (long long)want[i]);
	}
	for (; i < 6; i++)
		cr_assert_null(json_object_get(d, keys[i]), "%s has a %s", what,
		               keys[i]);
}

#define DATE(s, what, ...)                                                     \
	check_date(json_object_get(s, what), what,                             \
	           (const int64_t[]){__VA_ARGS__, -1})

static const char *str_at(json_t *o, const char *a, const char *b)
{
	json_t *v = json_object_get(o, a);
	if (b)
		v = json_object_get(v, b);
	return json_string_value(v);
}

Test(timelinejs, export_bundled)
{
	tldb_plugins *p = registry();
	tldb *db = bundled_db(p, "t.db");
	char *out = export_tl(db, p, NULL);
	json_t *doc = parse(out);
	cr_assert_str_eq(
	        str_at(json_object_get(doc, "title"), "text", "headline"),
	        "Russia and China, 2022");
	cr_assert(strstr(str_at(json_object_get(doc, "title"), "text", "text"),
	                 "The Moscow Times"));
	cr_assert_eq(json_array_size(json_object_get(doc, "events")), 9);

	json_t *s = slide(doc, "rc2022-sco-founded");
	DATE(s, "start_date", 2001);
	cr_assert_null(json_object_get(s, "end_date"));
	cr_assert_null(json_object_get(s, "display_date"));
	cr_assert_null(json_object_get(s, "group"), "group without the option");
	s = slide(doc, "rc2022-energy-imports");
	DATE(s, "start_date", 2022, 2);
	DATE(s, "end_date", 2022, 7);
	cr_assert_str_eq(str_at(s, "text", "headline"),
	                 "China's imports of Russian energy reach $35 billion "
	                 "in the first five months of the war");
	cr_assert(strstr(str_at(s, "text", "text"), "Chinese customs data"));
	s = slide(doc, "rc2022-invasion-of-ukraine");
	DATE(s, "start_date", 2022, 2, 24);
	cr_assert_null(json_object_get(s, "end_date"));
	s = slide(doc, "rc2022-far-east-exercises");
	DATE(s, "start_date", 2022, 9, 5);
	DATE(s, "end_date", 2022, 9, 11);
	cr_assert_str_eq(str_at(s, "tldb_event", "start"), "2022-09-05");
	cr_assert_str_eq(str_at(s, "tldb_event", "end"), "2022-09-11");
	json_decref(doc);
	free(out);
	tldb_close(db);
	tldb_plugins_free(p);
}

Test(timelinejs, export_dates_and_html)
{
	tldb_plugins *p = registry();
	tldb *db = bundled_db(p, "t.db");
	add_extras(db);
	char *out = export_tl(db, p, NULL);
	json_t *doc = parse(out);
	cr_assert_eq(json_array_size(json_object_get(doc, "events")), 17);

	json_t *s = slide(doc, "x-caesar");
	DATE(s, "start_date", -44, 3, 15);
	DATE(slide(doc, "x-early"), "start_date", 999);
	s = slide(doc, "x-about");
	DATE(s, "start_date", 2022, 2);
	cr_assert_str_eq(str_at(s, "display_date", NULL),
	                 "about February 2022");
	cr_assert_str_eq(str_at(slide(doc, "x-maybe"), "display_date", NULL),
	                 "February 2022?");
	cr_assert_str_eq(str_at(slide(doc, "x-both"), "display_date", NULL),
	                 "about February 2022?");
	s = slide(doc, "x-open");
	DATE(s, "start_date", 2022, 2);
	cr_assert_null(json_object_get(s, "end_date"));
	cr_assert_str_eq(str_at(s, "display_date", NULL), "from February 2022");
	s = slide(doc, "x-timed"); /* 10:00+05:00 is 05:00 UTC */
	DATE(s, "start_date", 2022, 9, 15, 5, 0);
	DATE(s, "end_date", 2022, 9, 15, 11, 30, 15);
	cr_assert_null(json_object_get(s, "display_date"));
	cr_assert_str_eq(str_at(s, "tldb_event", "start"),
	                 "2022-09-15T10:00+05:00");
	cr_assert_str_eq(str_at(slide(doc, "x-html"), "text", "headline"),
	                 "Tags &lt;b&gt;bold&lt;/b&gt; &amp; \"more\"");
	json_decref(doc);
	free(out);
	tldb_close(db);
	tldb_plugins_free(p);
}

Test(timelinejs, group_by_tag_option)
{
	tldb_plugins *p = registry();
	tldb *db = bundled_db(p, "t.db");
	char *out = export_tl(
	        db, p, (const char *const[]){"group-by-tag", "true", NULL});
	json_t *doc = parse(out);
	cr_assert_str_eq(
	        str_at(slide(doc, "rc2022-pelosi-taiwan"), "group", NULL),
	        "china");
	cr_assert_str_eq(str_at(slide(doc, "rc2022-sco-summit"), "group", NULL),
	                 "sco");
	json_decref(doc);
	free(out);
	tldb_close(db);
	tldb_plugins_free(p);
}

static int same(const char *a, const char *b)
{
	return (!a || !*a) ? (!b || !*b) : (b && strcmp(a, b) == 0);
}

static void same_event(tldb *a, tldb *b, const char *uid)
{
	tldb_event *x = NULL, *y = NULL;
	cr_assert_eq(tldb_get(a, uid, &x), TLDB_OK, "%s", uid);
	cr_assert_eq(tldb_get(b, uid, &y), TLDB_OK, "%s missing", uid);
	const char *const fx[] = {x->title, x->start,    x->end, x->tz,
	                          x->body,  x->location, x->url, x->timeline};
	const char *const fy[] = {y->title, y->start,    y->end, y->tz,
	                          y->body,  y->location, y->url, y->timeline};
	for (size_t i = 0; i < sizeof fx / sizeof *fx; i++)
		cr_assert(same(fx[i], fy[i]), "%s: field %zu '%s' != '%s'", uid,
		          i, fx[i] ? fx[i] : "(null)",
		          fy[i] ? fy[i] : "(null)");
	cr_assert_eq(x->ntags, y->ntags, "%s: tags", uid);
	for (size_t i = 0; i < x->ntags; i++)
		cr_assert_str_eq(x->tags[i], y->tags[i]);
	tldb_event_free(x);
	tldb_event_free(y);
}

Test(timelinejs, round_trip)
{
	tldb_plugins *p = registry();
	tldb *src = bundled_db(p, "src.db");
	add_extras(src);
	tldb_event ev;
	memset(&ev, 0, sizeof ev);
	ev.uid = "x-body";
	ev.timeline = TIMELINE;
	ev.title = "&lt; stays literal";
	ev.body = "line one <br>\nline & two";
	ev.start = "2022-09-15T10:00";
	ev.tz = "Asia/Samarkand";
	ev.url = "https://example.org/x";
	cr_assert_eq(tldb_put(src, &ev, NULL, NULL), TLDB_OK);
	char *out = export_tl(src, p, NULL);
	write_text(tmp_path("out.timelinejs"), out);

	tldb *dst = open_db(tmp_path("dst.db"));
	tldb_import_stats st;
	tldb_msgbuf err;
	cr_assert_eq(import_file(dst, p, NULL, tmp_path("out.timelinejs"), &st,
	                         &err),
	             TLDB_OK, "%s", err.msg);
	cr_assert_eq(st.records, 18);
	cr_assert_eq(count_events(dst), 18);
	tldb_query q;
	tldb_query_init(&q);
	tldb_cursor *c = NULL;
	cr_assert_eq(tldb_query_open(src, &q, &c), TLDB_OK);
	const tldb_event *e;
	while (tldb_cursor_next(c, &e) == TLDB_OK)
		same_event(src, dst, e->uid);
	tldb_cursor_free(c);
	tldb_timeline *tl = NULL;
	cr_assert_eq(tldb_timeline_get(dst, TIMELINE, &tl), TLDB_OK);
	cr_assert_str_eq(tl->title, "Russia and China, 2022");
	tldb_timeline_free(tl);
	/* Importing it again changes nothing. */
	cr_assert_eq(import_file(dst, p, "timelinejs",
	                         tmp_path("out.timelinejs"), &st, &err),
	             TLDB_OK, "%s", err.msg);
	cr_assert_eq(st.unchanged, 18);
	free(out);
	tldb_close(src);
	tldb_close(dst);
	tldb_plugins_free(p);
}

static const char handwritten[] =
        "{\n"
        "  \"title\": {\"text\": {\"headline\": \"The <i>Space</i> Race!\",\n"
        "                       \"text\": \"<p>From Sputnik on</p>\"}},\n"
        "  \"scale\": \"human\",\n"
        "  \"events\": [\n"
        "    {\"start_date\": {\"year\": \"1957\", \"month\": \"10\", "
        "\"day\": \"4\"},\n"
        "     \"text\": {\"headline\": \"Sputnik 1\", \"text\": \"<b>first</b> "
        "satellite\"},\n"
        "     \"media\": {\"url\": \"https://example.org/s.jpg\"},\n"
        "     \"group\": \"ussr\", \"unique_id\": \"sputnik\"},\n"
        "    {\"start_date\": {\"year\": 1969, \"month\": 7, \"day\": 20, "
        "\"hour\": 20, \"minute\": 17},\n"
        "     \"end_date\": {\"year\": 1969, \"month\": 7, \"day\": 21, "
        "\"hour\": 17, \"minute\": 54, \"second\": 1},\n"
        "     \"text\": {\"headline\": \"Apollo 11 on the Moon\"}, "
        "\"unique_id\": \"apollo11\"},\n"
        "    {\"start_date\": {\"year\": -500, \"month\": \"\"}, "
        "\"end_date\": {\"year\": 1961, \"month\": 4},\n"
        "     \"text\": {\"headline\": \"Dreams of flight\"}, "
        "\"unique_id\": \"dreams\"}\n"
        "  ]\n"
        "}\n";

static void expect(tldb *db, const char *uid, const char *start,
                   const char *end, const char *title)
{
	tldb_event *e = NULL;
	cr_assert_eq(tldb_get(db, uid, &e), TLDB_OK, "%s missing", uid);
	cr_assert_str_eq(e->start, start);
	cr_assert(same(e->end, end), "%s: end %s", uid, e->end);
	cr_assert_str_eq(e->title, title);
	tldb_event_free(e);
}

Test(timelinejs, import_handwritten)
{
	tldb_plugins *p = registry();
	write_text(tmp_path("space.timelinejs"), handwritten);
	tldb *db = open_db(tmp_path("t.db"));
	tldb_msgbuf err;
	cr_assert_eq(import_file(db, p, NULL, tmp_path("space.timelinejs"),
	                         NULL, &err),
	             TLDB_OK, "%s", err.msg);
	cr_assert_eq(count_events(db), 3);
	expect(db, "sputnik", "1957-10-04", NULL, "Sputnik 1");
	expect(db, "apollo11", "1969-07-20T20:17Z", "1969-07-21T17:54:01Z",
	       "Apollo 11 on the Moon");
	/* TimelineJS -500 is 500 BCE: astronomical -0499. */
	expect(db, "dreams", "-0499", "1961-04", "Dreams of flight");
	tldb_event *e = NULL;
	cr_assert_eq(tldb_get(db, "sputnik", &e), TLDB_OK);
	cr_assert_str_eq(e->body, "<b>first</b> satellite", "HTML is kept");
	cr_assert_eq(e->ntags, 1);
	cr_assert_str_eq(e->tags[0], "ussr");
	cr_assert_str_eq(e->timeline, "the-i-space-i-race");
	tldb_event_free(e);
	tldb_timeline *tl = NULL;
	cr_assert_eq(tldb_timeline_get(db, "the-i-space-i-race", &tl), TLDB_OK);
	cr_assert_str_eq(tl->title, "The <i>Space</i> Race!");
	cr_assert_str_eq(tl->description, "<p>From Sputnik on</p>");
	tldb_timeline_free(tl);
	tldb_close(db);
	tldb_plugins_free(p);
}

/* Imports text (abort mode); expects failure at line:column with msg. */
static void expect_error(const char *text, int64_t line, int64_t col,
                         const char *msg)
{
	tldb_plugins *p = registry();
	write_text(tmp_path("bad.timelinejs"), text);
	tldb *db = open_db(tmp_path("bad.db"));
	tldb_msgbuf err;
	int rc = import_file(db, p, NULL, tmp_path("bad.timelinejs"), NULL,
	                     &err);
	cr_assert_neq(rc, TLDB_OK, "accepted: %s", text);
	cr_assert(strstr(err.msg, msg), "message: %s", err.msg);
	cr_assert_eq(err.line, line, "line %lld: %s", (long long)err.line,
	             err.msg);
	if (col)
		cr_assert_eq(err.column, col, "column %lld: %s",
		             (long long)err.column, err.msg);
	cr_assert_eq(count_events(db), 0, "something was stored");
	tldb_close(db);
	tldb_plugins_free(p);
}

static const char good_slide[] =
        "{\"start_date\": {\"year\": 2022}, \"text\": {\"headline\": \"ok\"}}";

Test(timelinejs, bad_month)
{
	char text[512];
	snprintf(text, sizeof text,
	         "{\"events\": [\n  %s,\n"
	         "  {\"start_date\": {\"year\": 2022, \"month\": 13},\n"
	         "   \"text\": {\"headline\": \"bad\"}}\n]}\n",
	         good_slide);
	expect_error(text, 3, 42, "start_date.month 13 is out of range");
}

Test(timelinejs, missing_start_date)
{
	char text[512];
	snprintf(text, sizeof text,
	         "{\"events\": [\n  %s,\n"
	         "  {\"text\": {\"headline\": \"no date\"}}\n]}\n",
	         good_slide);
	expect_error(text, 3, 3, "needs a start_date");
}

Test(timelinejs, impossible_day)
{
	expect_error("{\"events\": [{\"start_date\": {\"year\": 2023, "
	             "\"month\": 2, \"day\": 30},\n"
	             "  \"text\": {\"headline\": \"x\"}}]}",
	             1, 28, "out of range");
}

Test(timelinejs, invalid_json)
{
	char text[512];
	snprintf(text, sizeof text,
	         "{\"events\": [\n  %s,\n  {\"start_date\": ]}", good_slide);
	expect_error(text, 3, 0, "invalid JSON");
}

Test(timelinejs, not_a_document)
{
	expect_error("[1, 2]", 1, 0, "expected a TimelineJS document");
	expect_error("", 1, 0, "empty input");
}

Test(timelinejs, skip_mode_keeps_good_slides)
{
	tldb_plugins *p = registry();
	char text[512];
	snprintf(text, sizeof text,
	         "{\"events\": [%s, {\"start_date\": {\"month\": 2}, "
	         "\"text\": {\"headline\": \"no year\"}}]}",
	         good_slide);
	write_text(tmp_path("in.timelinejs"), text);
	tldb *db = open_db(tmp_path("t.db"));
	reports r = {0};
	tldb_import_opts o;
	memset(&o, 0, sizeof o);
	o.path = tmp_path("in.timelinejs");
	o.fd = -1;
	o.on_error = TLDB_ON_ERROR_SKIP;
	o.report = collect;
	o.ud = &r;
	tldb_import_stats st;
	tldb_msgbuf err;
	cr_assert_eq(tldb_import(db, p, &o, &st, &err), TLDB_OK, "%s", err.msg);
	cr_assert_eq(st.skipped, 1);
	cr_assert_eq(count_events(db), 1);
	cr_assert(strstr(r.text, "start_date needs a year"), "%s", r.text);
	tldb_close(db);
	tldb_plugins_free(p);
}

Test(timelinejs, probe_prefers_timelinejs)
{
	tldb_plugins *p = registry();
	const tldb_plugin_info *chosen = NULL;
	tldb_msgbuf err;
	const char *head = "{\"title\": {\"text\": {\"headline\": \"x\"}},\n"
	                   "\"events\": [{\"start_date\": {\"year\": 1}}]}";
	cr_assert_eq(tldb_plugins_choose_importer(p, NULL, NULL, NULL,
	                                          (const uint8_t *)head,
	                                          strlen(head), &chosen, &err),
	             TLDB_OK, "%s", err.msg);
	cr_assert_str_eq(chosen->name, "timelinejs");
	head = "{\"tldb\": 1, \"events\": []}";
	cr_assert_eq(tldb_plugins_choose_importer(p, NULL, NULL, NULL,
	                                          (const uint8_t *)head,
	                                          strlen(head), &chosen, &err),
	             TLDB_OK, "%s", err.msg);
	cr_assert_str_eq(chosen->name, "json");
	tldb_plugins_free(p);
}

/* Runs the tldb command; its exit status, output into out. */
static int run_tldb(char *const argv[], char *out, size_t size)
{
	int fds[2];
	cr_assert_eq(pipe(fds), 0);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	posix_spawn_file_actions_addclose(&fa, fds[1]);
	pid_t pid;
	int rc = posix_spawn(&pid, TLDB_BIN, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	cr_assert_eq(rc, 0);
	close(fds[1]);
	size_t n = 0;
	ssize_t got;
	while (n + 1 < size && (got = read(fds[0], out + n, size - n - 1)) > 0)
		n += (size_t)got;
	out[n] = '\0';
	close(fds[0]);
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Test(timelinejs, plugins_check_passes)
{
	char out[16384];
	char *const argv[] = {"tldb", "plugins", "check",
	                      BUILD_PLUGIN("timelinejs"), NULL};
	int rc = run_tldb(argv, out, sizeof out);
	cr_assert_eq(rc, 0, "tldb plugins check failed:\n%s", out);
	cr_assert(strstr(out, "round trip"), "%s", out);
	cr_assert(strstr(out, " 0 failed"), "%s", out);
}
