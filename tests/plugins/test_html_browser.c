/*
 * test_html_browser.c -- pages of the html exporter rendered in headless
 * Chromium (Debian's `chromium`, from scripts/deps.sh test): the bundled
 * timeline, an empty timeline and 10,000 generated events, each exported
 * by the real tldb binary into TLDB_BUILD_DIR/tests/html/ and then
 *  - loaded alone with --dump-dom and --log-net-log: every event is in the
 *    DOM Chromium built, with its date; the page's script ran (so its CSP
 *    hash is right); the DOM has nothing that fetches (src, <link>, url(),
 *    @import); and the network log holds no request the page started;
 *  - loaded in an iframe of 1280 x 900 pixels by a harness page whose
 *    script measures every text box of the picture with
 *    getBoundingClientRect and writes how many pairs on that first screen
 *    overlap: there must be none;
 *  - captured with --screenshot at 1280 x 900 for people to look at.
 * Two control pages show that both detectors can fail: one fetching an
 * image without a CSP, one with two overlapping labels.
 */
#define _GNU_SOURCE /* nftw, asprintf */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "plugins/html_helpers.h"

#define BUNDLED  TLDB_SOURCE_DIR "/timelines/russia-china-2022.json"
#define OUT_DIR  TLDB_BUILD_DIR "/tests/html"
#define CHROMIUM "chromium"

TestSuite(html_browser, .init = tmp_setup, .fini = tmp_teardown,
          .timeout = 600);

/* Runs Chromium headless on file `page` with `extra` flags (NULL-ended);
 * stdout into out_path.  A fresh profile each time. */
static void chromium(const char *page, const char *const *extra,
                     const char *out_path)
{
	static int runs;
	char profile[600], profile_arg[700], url[1200];
	snprintf(profile, sizeof profile, "%s/profile-%d", g_tmp, runs++);
	cr_assert_eq(mkdir(profile, 0700), 0);
	snprintf(profile_arg, sizeof profile_arg, "--user-data-dir=%s",
	         profile);
	snprintf(url, sizeof url, "file://%s", page);
	char *argv[32] = {CHROMIUM,         "--headless",
	                  "--no-sandbox",   "--disable-gpu",
	                  "--no-first-run", "--disable-background-networking",
	                  profile_arg};
	int n = 7;
	for (size_t i = 0; extra[i] && n < 30; i++)
		argv[n++] = (char *)extra[i];
	argv[n++] = url;
	argv[n] = NULL;
	int rc = run_cmd(argv, out_path, tmp_path("chromium.err"), 180);
	cr_assert_eq(rc, 0, "chromium exited %d on %s", rc, page);
}

/* The DOM of page after its scripts ran; netlog (NULL: none) gets
 * Chromium's network log. */
static char *dump_dom(const char *page, const char *netlog)
{
	char arg[700];
	const char *extra[4] = {"--dump-dom", NULL, NULL, NULL};
	if (netlog) {
		snprintf(arg, sizeof arg, "--log-net-log=%s", netlog);
		extra[1] = arg;
	}
	const char *out = tmp_path("dom.html");
	chromium(page, extra, out);
	char *dom = slurp(out, NULL);
	cr_assert_gt(strlen(dom), 0, "empty DOM for %s", page);
	return dom;
}

/* How many requests the page itself started, by Chromium's network log:
 * URL requests to anything but file: whose initiator is an origin (the
 * browser's own background requests have "not an origin").  The first
 * such URL goes into first. */
static int page_requests(const char *netlog, char *first, size_t size)
{
	json_error_t e;
	json_t *log = json_load_file(netlog, 0, &e);
	cr_assert_not_null(log, "%s: %s", netlog, e.text);
	json_t *types = json_object_get(json_object_get(log, "constants"),
	                                "logEventTypes");
	json_t *start = json_object_get(types, "URL_REQUEST_START_JOB");
	cr_assert(json_is_integer(start), "no URL_REQUEST_START_JOB type");
	int n = 0;
	size_t i;
	json_t *ev;
	first[0] = '\0';
	json_array_foreach(json_object_get(log, "events"), i, ev)
	{
		if (json_integer_value(json_object_get(ev, "type")) !=
		    json_integer_value(start))
			continue;
		json_t *p = json_object_get(ev, "params");
		const char *url = json_string_value(json_object_get(p, "url"));
		const char *init =
		        json_string_value(json_object_get(p, "initiator"));
		if (!url || strncmp(url, "file:", 5) == 0)
			continue;
		if (init && strcmp(init, "not an origin") == 0)
			continue;
		if (n++ == 0)
			snprintf(first, size, "%s (initiator %s)", url,
			         init ? init : "none");
	}
	json_decref(log);
	return n;
}

/* Writes a harness next to page that loads it in a 1280x900 iframe and
 * writes the verdict on its first screen into <pre id="verdict">:
 * "labels=N overlaps=M" and the first overlapping pair. */
static const char *write_harness(const char *page)
{
	const char *name = strrchr(page, '/') + 1;
	char *path = NULL;
	cr_assert_gt(asprintf(&path, "%s.harness.html", page), 0);
	char *text = NULL;
	cr_assert_gt(
	        asprintf(&text,
	                 "<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
	                 "</head><body style=\"margin:0\"><iframe id=\"f\" "
	                 "src=\"%s\" width=\"1280\" height=\"900\" "
	                 "style=\"border:0\"></iframe>"
	                 "<pre id=\"verdict\">not measured</pre><script>\n"
	                 "document.getElementById('f').addEventListener('load',"
	                 " function () {\n"
	                 "  var out = document.getElementById('verdict');\n"
	                 "  try {\n"
	                 "    var d = this.contentDocument, b = [], bad = 0,"
	                 " pair = '';\n"
	                 "    var t = d.querySelectorAll('svg text');\n"
	                 "    for (var i = 0; i < t.length; i++) {\n"
	                 "      var r = t[i].getBoundingClientRect();\n"
	                 "      if (r.width <= 0 || r.height <= 0) continue;\n"
	                 "      if (r.right <= 0 || r.left >= 1280 ||"
	                 " r.bottom <= 0 || r.top >= 900) continue;\n"
	                 "      for (var j = 0; j < b.length; j++) {\n"
	                 "        var q = b[j].r;\n"
	                 "        if (Math.min(r.right, q.right) - Math.max("
	                 "r.left, q.left) > 0.5 && Math.min(r.bottom, q.bottom)"
	                 " - Math.max(r.top, q.top) > 0.5) {\n"
	                 "          if (!bad++) pair = JSON.stringify("
	                 "[t[i].textContent, b[j].s]);\n"
	                 "        }\n"
	                 "      }\n"
	                 "      b.push({r: r, s: t[i].textContent});\n"
	                 "    }\n"
	                 "    out.textContent = 'labels=' + b.length +"
	                 " ' overlaps=' + bad + ' ' + pair;\n"
	                 "  } catch (e) { out.textContent = 'error ' + e; }\n"
	                 "});\n</script></body></html>\n",
	                 name),
	        0);
	write_text(path, text);
	free(text);
	return path;
}

/* The harness's verdict on page: the labels on the first screen and the
 * pairs of them that overlap. */
static void first_screen(const char *page, int *labels, int *overlaps,
                         char *detail, size_t size)
{
	const char *harness = write_harness(page);
	const char *extra[] = {"--dump-dom", "--allow-file-access-from-files",
	                       "--window-size=1400,1000", NULL};
	const char *out = tmp_path("harness.out");
	chromium(harness, extra, out);
	char *dom = slurp(out, NULL);
	const char *v = strstr(dom, "<pre id=\"verdict\">");
	cr_assert_not_null(v, "no verdict in %s", dom);
	v += strlen("<pre id=\"verdict\">");
	cr_assert_eq(sscanf(v, "labels=%d overlaps=%d", labels, overlaps), 2,
	             "verdict: %.200s", v);
	snprintf(detail, size, "%.*s", (int)strcspn(v, "<"), v);
	free(dom);
	free((char *)harness);
}

static void screenshot(const char *page)
{
	char arg[800], png[700];
	snprintf(png, sizeof png, "%s.png", page);
	snprintf(arg, sizeof arg, "--screenshot=%s", png);
	const char *extra[] = {arg, "--window-size=1280,900", NULL};
	remove(png);
	chromium(page, extra, NULL);
	struct stat sb;
	cr_assert_eq(stat(png, &sb), 0, "no screenshot %s", png);
	cr_assert_gt(sb.st_size, 1000);
}

/* Asserts the DOM fetches nothing and the page made no request. */
static void no_network(const char *dom, const char *netlog)
{
	cr_assert_null(strstr(dom, " src="), "an element with src");
	cr_assert_null(strstr(dom, "<link"), "a <link> element");
	cr_assert_null(strstr(dom, "url("), "a CSS url()");
	cr_assert_null(strstr(dom, "@import"), "a CSS @import");
	cr_assert(strstr(dom, "Content-Security-Policy\" content=\"default-src "
	                      "'none';"));
	char first[1200];
	int n = page_requests(netlog, first, sizeof first);
	cr_assert_eq(n, 0, "the page made %d requests, first %s", n, first);
}

/* Asserts each event of jsonl (the same query exported as JSON Lines) is
 * in the DOM with its EDTF date, in the same order (which keeps the search
 * linear); returns how many. */
static size_t every_event(const char *dom, const char *jsonl)
{
	FILE *f = fopen(jsonl, "r");
	cr_assert_not_null(f);
	char *line = NULL;
	size_t cap = 0, n = 0;
	const char *pos = dom;
	while (getline(&line, &cap, f) > 0) {
		json_error_t e;
		json_t *ev = json_loads(line, 0, &e);
		cr_assert_not_null(ev, "%s", e.text);
		const char *uid = json_string_value(json_object_get(ev, "uid"));
		const char *start =
		        json_string_value(json_object_get(ev, "start"));
		const char *end = json_string_value(json_object_get(ev, "end"));
		char key[600], date[300];
		snprintf(key, sizeof key, "data-uid=\"%s\">", uid);
		const char *item = strstr(pos, key);
		cr_assert_not_null(
		        item, "event %s is not in the DOM (in order)", uid);
		pos = item + 1;
		snprintf(date, sizeof date,
		         "<code class=\"edtf\">%s%s%s</code>", start,
		         end ? "/" : "", end ? end : "");
		const char *next = strstr(item + 1, "data-uid=");
		const char *at = strstr(item, date);
		cr_assert(at && (!next || at < next), "event %s without %s",
		          uid, date);
		const char *time = strstr(item, "<time");
		cr_assert(time && (!next || time < next), "%s has no <time>",
		          uid);
		json_decref(ev);
		n++;
	}
	free(line);
	fclose(f);
	return n;
}

/* Exports timeline `name` of db as html into OUT_DIR/file and as JSON
 * Lines into the temporary folder; returns the page's path. */
static const char *export_both(const char *db, const char *name,
                               const char *file, const char **jsonl)
{
	mkdir(TLDB_BUILD_DIR "/tests", 0755);
	mkdir(OUT_DIR, 0755);
	static char page[700];
	snprintf(page, sizeof page, "%s/%s", OUT_DIR, file);
	const char *opts[] = {"base-url=http://127.0.0.1:8080/t/", NULL};
	export_html(db, name, page, opts);
	*jsonl = tmp_path("events.jsonl");
	const char *args[] = {"export", "--format", "jsonl", "--timeline",
	                      name,     "--output", *jsonl,  NULL};
	cr_assert_eq(tldb_cmd(db, NULL, NULL, args), 0);
	return page;
}

/* Everything the browser checks, for one page; returns the first-screen
 * label count. */
static int check_page(const char *page, const char *jsonl, size_t events)
{
	const char *netlog = tmp_path("net.json");
	char *dom = dump_dom(page, netlog);
	cr_assert(strstr(dom, "<html lang=\"en\" class=\"js\">"),
	          "the page's script did not run (CSP hash?)");
	cr_assert_eq(count_of(dom, "<script"), 1);
	cr_assert_eq(every_event(dom, jsonl), events);
	cr_assert_eq(count_of(dom, "<li id=\"e-"), events);
	no_network(dom, netlog);
	free(dom);
	int labels, overlaps;
	char detail[600];
	first_screen(page, &labels, &overlaps, detail, sizeof detail);
	cr_assert_eq(overlaps, 0, "%s: %s", page, detail);
	screenshot(page);
	return labels;
}

static void db_path(char *buf, size_t size)
{
	snprintf(buf, size, "%s/t.db", g_tmp);
}

Test(html_browser, bundled_timeline)
{
	char db[600];
	db_path(db, sizeof db);
	const char *args[] = {"import", BUNDLED, NULL};
	cr_assert_eq(tldb_cmd(db, NULL, NULL, args), 0);
	const char *jsonl;
	const char *page = export_both(db, "russia-china-2022",
	                               "russia-china-2022.html", &jsonl);
	int labels = check_page(page, jsonl, 9);
	/* 9 event labels and at least two tick labels */
	cr_assert_geq(labels, 11, "only %d labels", labels);
}

Test(html_browser, empty_timeline)
{
	char db[600];
	db_path(db, sizeof db);
	const char *args[] = {"timeline", "create", "empty", NULL};
	cr_assert_eq(tldb_cmd(db, NULL, NULL, args), 0);
	const char *jsonl;
	const char *page = export_both(db, "empty", "empty.html", &jsonl);
	check_page(page, jsonl, 0);
}

/* 10,000 events over 1990..2030 of every precision, some intervals and
 * qualifiers, eight tags; deterministic. */
static void ten_thousand(const char *path)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	static const char *const tags[] = {"war",     "trade", "summit",
	                                   "energy",  "court", "sport",
	                                   "science", "art"};
	uint32_t x = 20240229;
	for (int i = 0; i < 10000; i++) {
		x = x * 1103515245u + 12345u;
		uint32_t r = x >> 8;
		int y = 1990 + (int)(r % 41), m = 1 + (int)(r / 41 % 12),
		    d = 1 + (int)(r / 492 % 28), kind = (int)(r / 13776 % 20);
		char start[64], end[64] = "";
		if (kind < 10)
			snprintf(start, sizeof start,
			         "%04d-%02d-%02dT%02d:%02d:00Z", y, m, d,
			         (int)(r % 24), (int)(r % 60));
		else if (kind < 15)
			snprintf(start, sizeof start, "%04d-%02d-%02d", y, m,
			         d);
		else if (kind < 17)
			snprintf(start, sizeof start, "%04d-%02d%s", y, m,
			         kind == 16 ? "~" : "");
		else if (kind < 18)
			snprintf(start, sizeof start, "%04d?", y);
		else {
			snprintf(start, sizeof start, "%04d-%02d-%02d", y, m,
			         d);
			snprintf(end, sizeof end, "%04d-%02d-%02d",
			         y + (kind == 19), m, d);
		}
		fprintf(f,
		        "{\"uid\": \"gen-%05d\", \"title\": \"Generated event "
		        "%d in %d\", \"start\": \"%s\"%s%s%s, \"tags\": "
		        "[\"%s\", \"%s\"], \"body\": \"Body %d\"}\n",
		        i, i, y, start, *end ? ", \"end\": \"" : "", end,
		        *end ? "\"" : "", tags[r % 8], tags[(r / 8 + 3) % 8],
		        i);
	}
	cr_assert_eq(fclose(f), 0);
}

Test(html_browser, ten_thousand_events)
{
	char db[600];
	db_path(db, sizeof db);
	const char *src = tmp_path("gen.jsonl");
	ten_thousand(src);
	const char *args[] = {"import", "--timeline", "gen", src, NULL};
	cr_assert_eq(tldb_cmd(db, NULL, NULL, args), 0);
	const char *jsonl;
	const char *page = export_both(db, "gen", "gen-10000.html", &jsonl);
	char *text = slurp(page, NULL);
	cr_assert(strstr(text, "<a class=\"cl\""), "no clusters");
	free(text);
	int labels = check_page(page, jsonl, 10000);
	cr_assert_geq(labels, 40, "only %d labels on the first screen", labels);
}

/* The detectors fail when they should: a page that fetches, and a page
 * whose labels overlap. */
Test(html_browser, controls_show_the_checks_can_fail)
{
	const char *page = tmp_path("fetch.html");
	write_text(page, "<!DOCTYPE html><html><body><svg width=\"400\" "
	                 "height=\"40\"><text x=\"10\" y=\"20\">Hello "
	                 "world</text><text x=\"30\" y=\"22\">overlap</text>"
	                 "</svg><img src=\"http://127.0.0.1:9/x.png\" "
	                 "alt=\"\"></body></html>\n");
	const char *netlog = tmp_path("net.json");
	free(dump_dom(page, netlog));
	char first[1200];
	cr_assert_geq(page_requests(netlog, first, sizeof first), 1,
	              "the image request was not seen");
	cr_assert(strstr(first, "http://127.0.0.1:9/x.png"), "%s", first);
	int labels, overlaps;
	char detail[600];
	first_screen(page, &labels, &overlaps, detail, sizeof detail);
	cr_assert_eq(labels, 2, "%s", detail);
	cr_assert_eq(overlaps, 1, "%s", detail);
}
