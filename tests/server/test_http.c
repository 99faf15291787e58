/*
 * test_http.c -- the feed server's plain functions: HTTP dates in their
 * three forms, If-None-Match, Accept-Encoding with q-values, gzip that
 * zlib reads back, request targets and their cache keys, the response
 * cache's generations, age limit and byte bound, constant-time tokens,
 * and srv_handle_bytes (request bytes in, response bytes out, no socket)
 * over a real database and the bundled plugins.  The server itself is
 * tested end to end by test_server.py.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "server/server.h"
#include "tldb/plugins.h"

Test(http, dates_round_trip_and_three_forms)
{
	char buf[40];
	srv_http_date(784111777, buf, sizeof buf);
	cr_assert_str_eq(buf, "Sun, 06 Nov 1994 08:49:37 GMT");
	cr_assert_eq(srv_parse_http_date(buf), 784111777);
	cr_assert_eq(srv_parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"),
	             784111777);
	cr_assert_eq(srv_parse_http_date("Sun Nov  6 08:49:37 1994"),
	             784111777);
	srv_http_date(0, buf, sizeof buf);
	cr_assert_str_eq(buf, "Thu, 01 Jan 1970 00:00:00 GMT");
	const char *bad[] = {"",
	                     "yesterday",
	                     "Sun, 06 Nov 1994 08:49:37",
	                     "Sun, 32 Nov 1994 08:49:37 GMT",
	                     "Sun, 06 Xyz 1994 08:49:37 GMT",
	                     "Sun, 06 Nov 1994 25:49:37 GMT",
	                     "Sun, 06 Nov 1994 08:49:37 GMT trailing"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_expect_eq(srv_parse_http_date(bad[i]), -1, "'%s'", bad[i]);
}

Test(http, if_none_match)
{
	const char *e = "\"abc-1\"";
	cr_assert(srv_etag_matches("\"abc-1\"", e));
	cr_assert(srv_etag_matches("\"x\", \"abc-1\"", e));
	cr_assert(srv_etag_matches("W/\"abc-1\"", e)); /* weak comparison */
	cr_assert(srv_etag_matches("*", e));
	cr_assert_not(srv_etag_matches("\"abc\"", e));
	cr_assert_not(srv_etag_matches("\"abc-1", e));
	cr_assert_not(srv_etag_matches("abc-1", e));
	cr_assert_not(srv_etag_matches("", e));
}

Test(http, accept_encoding)
{
	cr_assert(srv_accepts_gzip("gzip"));
	cr_assert(srv_accepts_gzip("deflate, GZIP;q=0.5"));
	cr_assert(srv_accepts_gzip("br, *"));
	cr_assert_not(srv_accepts_gzip("gzip;q=0"));
	cr_assert(srv_accepts_gzip("gzip;q=junk")); /* malformed: ignored */
	cr_assert_not(srv_accepts_gzip("gzip; q=0.000"));
	cr_assert_not(srv_accepts_gzip("deflate, br"));
	cr_assert_not(srv_accepts_gzip("x-gzip-ish"));
	cr_assert_not(srv_accepts_gzip(""));
}

Test(http, gzip_reads_back)
{
	char in[5000];
	for (size_t i = 0; i < sizeof in; i++)
		in[i] = (char)('a' + i % 7);
	unsigned char *z;
	size_t zn;
	cr_assert_eq(srv_gzip((unsigned char *)in, sizeof in, &z, &zn), 0);
	cr_assert(zn < sizeof in);
	cr_assert_eq(z[0], 0x1f); /* the gzip magic */
	cr_assert_eq(z[1], 0x8b);
	z_stream s;
	memset(&s, 0, sizeof s);
	cr_assert_eq(inflateInit2(&s, 15 + 16), Z_OK);
	char out[6000];
	s.next_in = z;
	s.avail_in = (uInt)zn;
	s.next_out = (Bytef *)out;
	s.avail_out = sizeof out;
	cr_assert_eq(inflate(&s, Z_FINISH), Z_STREAM_END);
	cr_assert_eq(s.total_out, sizeof in);
	cr_assert_eq(memcmp(in, out, sizeof in), 0);
	inflateEnd(&s);
	free(z);
}

static int route(const char *target, srv_route *r)
{
	char msg[300];
	return srv_route_parse(target, strlen(target), r, msg, sizeof msg);
}

Test(http, routes_and_cache_keys)
{
	srv_route a, b;
	cr_assert_eq(route("/", &a), 0);
	cr_assert_eq(a.kind, SRV_ROUTE_INDEX);
	srv_route_release(&a);
	cr_assert_eq(route("/timelines.json", &a), 0);
	cr_assert_eq(a.kind, SRV_ROUTE_TIMELINES_JSON);
	srv_route_release(&a);

	cr_assert_eq(route("/t/my-line.ics?tag=b&from=2022-09&tag=a+b&"
	                   "q=Putin%20Xi&within=1&_=123",
	                   &a),
	             0);
	cr_assert_eq(a.kind, SRV_ROUTE_FEED);
	cr_assert_str_eq(a.name, "my-line");
	cr_assert_str_eq(a.ext, "ics");
	cr_assert_str_eq(a.from, "2022-09");
	cr_assert_str_eq(a.q, "Putin Xi");
	cr_assert_eq(a.within, 1);
	cr_assert_eq(a.ntags, 2);
	/* The same request in another order, without the cache buster,
	 * is the same key; another filter is not. */
	cr_assert_eq(route("/t/my-line.ics?within=true&q=Putin+Xi&tag=a%20b&"
	                   "tag=b&from=2022-09",
	                   &b),
	             0);
	cr_assert_str_eq(a.key, b.key);
	srv_route_release(&b);
	cr_assert_eq(route("/t/my-line.ics?tag=b&from=2022-09&tag=a+b&"
	                   "q=Putin%20Xi",
	                   &b),
	             0);
	cr_assert_str_neq(a.key, b.key);
	srv_route_release(&b);
	/* A value cannot forge another parameter. */
	cr_assert_eq(route("/t/x.ics?q=a%3B%20tag%3A1%3Ab", &b), 0);
	srv_route route2;
	cr_assert_eq(route("/t/x.ics?q=a&tag=b", &route2), 0);
	cr_assert_str_neq(b.key, route2.key);
	srv_route_release(&route2);
	srv_route_release(&b);
	srv_route_release(&a);

	const char *missing[] = {"/nope",   "/t/",          "/t/x",
	                         "/t/.ics", "/t/UPPER.ics", "/t/a%2Fb.ics",
	                         "/t/x.IC$"};
	for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
		cr_expect_eq(route(missing[i], &a), 404, "%s", missing[i]);
		srv_route_release(&a);
	}
	const char *bad[] = {"/t/x.ics?q=%zz", "/t/x.ics?q=%00",
	                     "/t/x.ics?within=2", "/t/x.ics?q=%4"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cr_expect_eq(route(bad[i], &a), 400, "%s", bad[i]);
		srv_route_release(&a);
	}
}

static srv_body *body_of(size_t n)
{
	unsigned char *d = calloc(1, n);
	cr_assert_not_null(d);
	srv_body *b = srv_body_new(200, "text/plain", d, n);
	cr_assert_not_null(b);
	return b;
}

Test(http, cache_generations_age_and_bound)
{
	srv_cache *c = srv_cache_new(40000, 1000);
	srv_body *b = body_of(1000);
	b->generation = 7;
	b->made_ms = 100;
	srv_cache_put(c, "k1", b);
	srv_body_unref(b);
	srv_body *got = srv_cache_get(c, "k1", 7, 200);
	cr_assert_eq(got, b);
	cr_assert_eq(got->refs, 2); /* the cache's and ours */
	srv_body_unref(got);
	cr_assert_null(srv_cache_get(c, "k2", 7, 200));
	cr_assert_null(srv_cache_get(c, "k1", 8, 200)); /* the db moved on */
	size_t n, bytes;
	srv_cache_stats(c, &n, &bytes);
	cr_assert_eq(n, 0);

	b = body_of(1000);
	b->generation = 8;
	b->made_ms = 100;
	srv_cache_put(c, "k1", b);
	srv_body_unref(b);
	cr_assert_null(srv_cache_get(c, "k1", 8, 1200)); /* too old */

	/* Past the bound the least recently used go first; a body over a
	 * quarter of the bound is not kept at all. */
	char key[16];
	for (int i = 0; i < 100; i++) {
		b = body_of(2000);
		b->generation = 9;
		b->made_ms = 100;
		snprintf(key, sizeof key, "n%d", i);
		srv_cache_put(c, key, b);
		srv_body_unref(b);
		got = srv_cache_get(c, "n0", 9, 100); /* keep n0 in use */
		if (got)
			srv_body_unref(got);
	}
	srv_cache_stats(c, &n, &bytes);
	cr_assert_leq(bytes, 40000);
	cr_assert_gt(n, 5);
	got = srv_cache_get(c, "n0", 9, 100);
	cr_assert_not_null(got, "the most recently used was evicted");
	srv_body_unref(got);
	cr_assert_null(srv_cache_get(c, "n1", 9, 100));
	cr_assert_not_null(got = srv_cache_get(c, "n99", 9, 100));
	srv_body_unref(got);
	b = body_of(20000);
	srv_cache_put(c, "huge", b);
	srv_body_unref(b);
	cr_assert_null(srv_cache_get(c, "huge", 0, 0));
	srv_cache_free(c);
}

Test(http, tokens_compare_whole)
{
	const char *t = "0123456789abcdef0123456789abcdef";
	cr_assert(srv_token_equal(t, t));
	cr_assert_not(srv_token_equal("0123456789abcdef0123456789abcde", t));
	cr_assert_not(srv_token_equal("0123456789abcdef0123456789abcdef0", t));
	cr_assert_not(srv_token_equal("", t));
	cr_assert_not(srv_token_equal(NULL, t));
	cr_assert_not(srv_token_equal(t, NULL));
}

/* ---- srv_handle_bytes ---- */

static char sim_dir[64];
static char sim_db[128];
static tldb_plugins *sim_plugins;

/* A database with a timeline "demo" of two events, and the bundled
 * plugins from the build tree. */
static void sim_setup(void)
{
	snprintf(sim_dir, sizeof sim_dir, "/tmp/tldb-http-XXXXXX");
	cr_assert(mkdtemp(sim_dir));
	snprintf(sim_db, sizeof sim_db, "%s/t.db", sim_dir);
	tldb *db = NULL;
	cr_assert_eq(tldb_open(sim_db, TLDB_OPEN_CREATE, &db), TLDB_OK);
	tldb_timeline tl = {.name = "demo", .title = "Demo"};
	cr_assert_eq(tldb_timeline_create(db, &tl), TLDB_OK);
	const char *titles[] = {"First meeting", "Second meeting"};
	const char *starts[] = {"2022-02-04", "2022-09-15"};
	for (int i = 0; i < 2; i++) {
		tldb_event ev = {.timeline = "demo",
		                 .title = titles[i],
		                 .start = starts[i]};
		cr_assert_eq(tldb_put(db, &ev, NULL, NULL), TLDB_OK);
	}
	tldb_close(db);
	cr_assert_eq(tldb_plugins_new(&sim_plugins), TLDB_OK);
	cr_assert_gt(tldb_plugins_load_dir(sim_plugins,
	                                   TLDB_BUILD_DIR "/plugins", NULL,
	                                   NULL),
	             0);
}

static void sim_teardown(void)
{
	srv_render_shutdown();
	tldb_plugins_free(sim_plugins);
	char path[200];
	const char *ext[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s%s", sim_db, ext[i]);
		unlink(path);
	}
	rmdir(sim_dir);
}

static void sim_opts(srv_opts *o)
{
	memset(o, 0, sizeof *o);
	o->db_path = sim_db;
	o->plugins = sim_plugins;
	o->gzip = 1;
	o->max_connections = 10;
	o->idle_timeout = o->header_timeout = 10;
	o->render_timeout = 10;
}

/* Runs req through srv_handle_bytes; the responses, NUL-terminated. */
static char *sim(const char *req)
{
	srv_opts o;
	sim_opts(&o);
	unsigned char *out = NULL;
	size_t len = 0;
	cr_assert_eq(srv_handle_bytes(&o, req, strlen(req), &out, &len), 0);
	char *text = malloc(len + 1);
	cr_assert(text);
	if (len)
		memcpy(text, out, len);
	text[len] = '\0';
	free(out);
	return text;
}

/* The status of each response in text, in order, into st; the count. */
static int statuses(const char *text, int *st, int max)
{
	int n = 0;
	for (const char *p = text; (p = strstr(p, "HTTP/1.1 ")) && n < max;
	     p += 9) {
		if (p != text && p[-1] != '\n')
			continue;
		st[n++] = atoi(p + 9);
	}
	return n;
}

Test(sim, a_pipelined_pair_gets_both_answers_in_order, .init = sim_setup,
     .fini = sim_teardown)
{
	char *text = sim("GET /t/demo.ics HTTP/1.1\r\nHost: x\r\n\r\n"
	                 "HEAD /timelines.json HTTP/1.1\r\nHost: x\r\n\r\n");
	int st[4];
	cr_assert_eq(statuses(text, st, 4), 2, "%s", text);
	cr_assert_eq(st[0], 200);
	cr_assert_eq(st[1], 200);
	const char *cal = strstr(text, "BEGIN:VCALENDAR");
	const char *second = strstr(text, "END:VCALENDAR\r\nHTTP/1.1 200");
	cr_assert(cal && second, "%s", text);
	cr_assert(strstr(cal, "SUMMARY:First meeting"));
	cr_assert(strstr(cal, "SUMMARY:Second meeting"));
	/* the HEAD: the JSON's headers and no body */
	cr_assert(strstr(second, "Content-Type: application/json"));
	cr_assert_null(strstr(second, "\"timelines\""));
	free(text);
}

Test(sim, upgrade_conditional_and_errors_in_one_stream, .init = sim_setup,
     .fini = sim_teardown)
{
	char *first = sim("GET /t/demo.json HTTP/1.1\r\n\r\n");
	const char *etag = strstr(first, "ETag: ");
	cr_assert(etag, "%s", first);
	char tag[64];
	cr_assert_eq(sscanf(etag, "ETag: %63s", tag), 1);
	char req[1024];
	snprintf(req, sizeof req,
	         "GET /timelines.json HTTP/1.1\r\nUpgrade: websocket\r\n"
	         "Connection: Upgrade\r\n\r\n"
	         "GET /t/demo.json HTTP/1.1\r\nIf-None-Match: %s\r\n\r\n"
	         "GET /t/nope.ics HTTP/1.1\r\n\r\n"
	         "GET /t/demo.ics?q=%s HTTP/1.1\r\n\r\n"
	         "GET / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
	         "GET / HTTP/1.1\r\n\r\n",
	         tag,
	         "a+b+c+d+e+f+g+h+i+j+k+l+m+n+o+p+q+r+s+t+u+v+w+x+y+z+"
	         "a+b+c+d+e+f+g+h+i+j+k+l+m+n+o+p+q+r+s+t+u+v+w+x+y+z+"
	         "a+b+c+d+e+f+g+h+i+j+k+l+m+n");
	char *text = sim(req);
	int st[8];
	/* the 413 loses the stream: nothing after it is answered */
	cr_assert_eq(statuses(text, st, 8), 5, "%s", text);
	int want[] = {200, 304, 404, 400, 413};
	for (int i = 0; i < 5; i++)
		cr_expect_eq(st[i], want[i], "response %d: %d", i, st[i]);
	cr_assert(strstr(text, "at most 64"), "%s", text);
	free(first);
	free(text);
}

Test(sim, incomplete_and_empty_input, .init = sim_setup, .fini = sim_teardown)
{
	char *text = sim("");
	cr_assert_str_eq(text, "");
	free(text);
	text = sim("GET / HTTP/1.1\r\nHost:"); /* cut: nothing owed */
	cr_assert_str_eq(text, "");
	free(text);
	text = sim("\x01\x02 garbage\r\n\r\n");
	int st[2];
	cr_assert_eq(statuses(text, st, 2), 1);
	cr_assert_eq(st[0], 400);
	free(text);
}

/* The library's hooks the server's limits rest on: the term limit of a
 * text query, and tldb_set_time_limit. */
Test(sim, query_term_limit_and_time_limit, .init = sim_setup,
     .fini = sim_teardown)
{
	tldb *db = NULL;
	cr_assert_eq(tldb_open(sim_db, TLDB_OPEN_READONLY, &db), TLDB_OK);
	/* 64 terms, the operator counted: meeting OR "w w ... w" */
	char text[400] = "meeting OR \"w";
	for (int i = 3; i < TLDB_MAX_QUERY_TERMS; i++)
		strcat(text, " w");
	strcat(text, "\"");
	tldb_query q;
	tldb_query_init(&q);
	q.text = text;
	tldb_cursor *c = NULL;
	const tldb_event *ev;
	cr_assert_eq(tldb_query_open(db, &q, &c), TLDB_OK, "%s",
	             tldb_errmsg(db));
	cr_assert_eq(tldb_cursor_next(c, &ev), TLDB_OK);
	tldb_cursor_free(c);
	strcat(text, " w");
	cr_assert_eq(tldb_query_open(db, &q, &c), TLDB_ETOOBIG);
	cr_assert(strstr(tldb_errmsg(db), "at most 64"), "%s", tldb_errmsg(db));

	tldb_query_init(&q);
	tldb_set_time_limit(db, 1);
	cr_assert_eq(tldb_query_open(db, &q, &c), TLDB_OK);
	struct timespec pause = {0, 5 * 1000 * 1000};
	nanosleep(&pause, NULL);
	cr_assert_eq(tldb_cursor_next(c, &ev), TLDB_EBUSY);
	cr_assert(strstr(tldb_errmsg(db), "time limit of 1 ms"), "%s",
	          tldb_errmsg(db));
	tldb_cursor_free(c);
	tldb_set_time_limit(db, 0); /* lifted: the same query runs */
	cr_assert_eq(tldb_query_open(db, &q, &c), TLDB_OK);
	int n = 0;
	while (tldb_cursor_next(c, &ev) == TLDB_OK)
		n++;
	cr_assert_eq(n, 2);
	tldb_cursor_free(c);
	tldb_close(db);
}
