/*
 * test_html.c -- the html exporter through the real tldb binary, without a
 * browser: event text escaped and unsafe URLs never linked, long titles cut
 * in the picture and whole in the list, the feed links and the base-url and
 * lanes options, dates from 44 BCE to minutes on the axis, every event in
 * the list with its date, and `tldb plugins check` on the built plugin.
 * test_html_browser.c renders pages in Chromium.
 */
#define _GNU_SOURCE /* nftw */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/html_helpers.h"

#define BUNDLED  TLDB_SOURCE_DIR "/timelines/russia-china-2022.json"
#define TIMELINE "russia-china-2022"

TestSuite(html, .init = tmp_setup, .fini = tmp_teardown, .timeout = 240);

static void import(const char *db, const char *file)
{
	const char *args[] = {"import", file, NULL};
	const char *err = tmp_path("import.err");
	int rc = tldb_cmd(db, NULL, err, args);
	char *msg = slurp(err, NULL);
	cr_assert_eq(rc, 0, "import %s: %s", file, msg);
	free(msg);
}

/* Imports a native document of timeline `name` with the given events (a
 * JSON array's contents). */
static void import_events(const char *db, const char *name, const char *events)
{
	char *doc = NULL;
	cr_assert_gt(asprintf(&doc,
	                      "{\"tldb\": 1, \"timeline\": {\"name\": \"%s\", "
	                      "\"title\": \"T\"}, \"events\": [%s]}",
	                      name, events),
	             0);
	const char *path = tmp_path("events.json");
	write_text(path, doc);
	free(doc);
	import(db, path);
}

static char *export_text(const char *db, const char *name,
                         const char *const *opts)
{
	const char *out = tmp_path("page.html");
	export_html(db, name, out, opts);
	return slurp(out, NULL);
}

/* The part of page between the list item of uid and the next one. */
static char *item_of(const char *page, const char *uid)
{
	char key[300];
	snprintf(key, sizeof key, "data-uid=\"%s\"", uid);
	const char *a = strstr(page, key);
	cr_assert_not_null(a, "no list item for %s", uid);
	const char *b = strstr(a, "<li id=\"e-");
	const char *c = strstr(a, "</section>");
	if (!b || (c && c < b))
		b = c;
	cr_assert_not_null(b);
	return strndup(a, (size_t)(b - a));
}

Test(html, bundled_every_event_in_the_list_with_its_date)
{
	char db[600];
	snprintf(db, sizeof db, "%s/t.db", g_tmp);
	import(db, BUNDLED);
	char *page = export_text(db, TIMELINE, NULL);
	cr_assert_eq(count_of(page, "<li id=\"e-"), 9);
	cr_assert(strstr(page, "<h1>Russia and China, 2022</h1>"));
	char *it = item_of(page, "rc2022-far-east-exercises");
	cr_assert(strstr(it, "<time datetime=\"2022-09-05\">5 September "
	                     "2022</time> \xE2\x80\x93 <time "
	                     "datetime=\"2022-09-11\">11 September "
	                     "2022</time>"),
	          "%s", it);
	cr_assert(strstr(it,
	                 "<code class=\"edtf\">2022-09-05/2022-09-11</code>"));
	free(it);
	it = item_of(page, "rc2022-sco-founded");
	cr_assert(strstr(it, "<time datetime=\"2001\">2001</time>"), "%s", it);
	cr_assert(strstr(it, "<blockquote cite=\"https://www.themoscowtimes"
	                     ".com/"),
	          "%s", it);
	cr_assert(strstr(it, "date as written: <q class=\"expr\">in "
	                     "2001</q>"),
	          "%s", it);
	free(it);
	it = item_of(page, "rc2022-energy-imports");
	cr_assert(
	        strstr(it, "<time datetime=\"2022-02\">February 2022</time>"));
	cr_assert(strstr(it, "Chinese customs data"));
	free(it);
	/* headings: years and months */
	cr_assert(strstr(page, "<h2 id=\"p-2022\">2022</h2>"));
	cr_assert(strstr(page, "<h3 id=\"p-2022-09\">Sep 2022</h3>"));
	/* the picture: one mark an event at 1x, coarse bars and points */
	char *svg = strstr(page, "<div class=\"lvl lvl0\">");
	cr_assert_not_null(svg);
	char *end = strstr(svg, "</svg>");
	*end = '\0';
	cr_assert_eq(count_of(svg, "<a class=\"ev"), 9);
	cr_assert_eq(count_of(svg, "<circle class=\"mk"), 3, "%s", svg);
	cr_assert_eq(count_of(svg, "class=\"mk bar coarse"), 4);
	free(page);
}

Test(html, feeds_and_options)
{
	char db[600];
	snprintf(db, sizeof db, "%s/t.db", g_tmp);
	import(db, BUNDLED);
	char *page = export_text(db, TIMELINE, NULL);
	cr_assert(strstr(page, "<a href=\"russia-china-2022.ics\""));
	cr_assert(strstr(page, "<a href=\"russia-china-2022.json\""));
	cr_assert_null(strstr(page, "webcal:"), "webcal without base-url");
	free(page);

	const char *o1[] = {"base-url=http://127.0.0.1:8080/t/", NULL};
	page = export_text(db, TIMELINE, o1);
	cr_assert(strstr(page, "<a href=\"webcal://127.0.0.1:8080/t/"
	                       "russia-china-2022.ics\">"));
	free(page);
	const char *o2[] = {"base-url=https://example.org/feeds", NULL};
	page = export_text(db, TIMELINE, o2);
	cr_assert(strstr(page, "href=\"webcal://example.org/feeds/"
	                       "russia-china-2022.ics\""));
	free(page);

	const char *oq[] = {"base-url=http://h/t/", "feed-query=token=ab12",
	                    NULL};
	page = export_text(db, TIMELINE, oq);
	cr_assert(strstr(page, "href=\"russia-china-2022.ics?token=ab12\""));
	cr_assert(strstr(page, "href=\"russia-china-2022.json?token=ab12\""));
	cr_assert(strstr(page, "href=\"webcal://h/t/russia-china-2022.ics?"
	                       "token=ab12\""));
	free(page);

	/* every timeline at once: no feeds to link */
	page = export_text(db, NULL, NULL);
	cr_assert_null(strstr(page, ".ics\""));
	cr_assert_eq(count_of(page, "<li id=\"e-"), 9);
	free(page);

	/* bad options fail before anything is written */
	const char *bad[][2] = {{"base-url=javascript:alert(1)//", NULL},
	                        {"lanes=0", NULL},
	                        {"lanes=41", NULL},
	                        {"feed-query=a\"><script>", NULL}};
	for (size_t i = 0; i < 4; i++) {
		const char *out = tmp_path("bad.html");
		const char *args[] = {
		        "export",   "--format", "html", "--timeline", TIMELINE,
		        "--output", out,        "-o",   bad[i][0],    NULL};
		const char *err = tmp_path("bad.err");
		cr_assert_neq(tldb_cmd(db, NULL, err, args), 0, "%s",
		              bad[i][0]);
		char *msg = slurp(err, NULL);
		cr_assert(strstr(msg, "tldb: error:"), "%s", msg);
		cr_assert(strstr(msg, "base-url") || strstr(msg, "lanes") ||
		                  strstr(msg, "feed-query"),
		          "%s", msg);
		free(msg);
		cr_assert_neq(access(out, F_OK), 0, "%s written", out);
	}

	/* fewer lanes: the rest are clusters linking into the list */
	const char *o3[] = {"lanes=2", NULL};
	page = export_text(db, TIMELINE, o3);
	char *svg = strstr(page, "<div class=\"lvl lvl0\">");
	*strstr(svg, "</svg>") = '\0';
	cr_assert_eq(count_of(svg, "<a class=\"ev"), 3, "%s", svg);
	cr_assert(strstr(svg, "<a class=\"cl\" href=\"#e-"), "%s", svg);
	cr_assert(strstr(svg, ">+6</text>"), "%s", svg);
	free(page);
}

Test(html, event_text_is_escaped_and_unsafe_urls_are_not_linked)
{
	char db[600];
	snprintf(db, sizeof db, "%s/t.db", g_tmp);
	char longt[1200];
	memset(longt, 'L', 1000);
	memcpy(longt, "Long", 4);
	longt[1000] = '\0';
	char *events = NULL;
	cr_assert_gt(
	        asprintf(&events,
	                 "{\"uid\": \"x<1>\", \"title\": "
	                 "\"<script>alert(1)</script> & \\\"q\\\" 'a'\", "
	                 "\"start\": \"2022-09-15\", \"body\": \"<img src=x "
	                 "onerror=alert(2)>\\nline two\", \"url\": "
	                 "\"javascript:alert(3)\", \"location\": "
	                 "\"<b>here</b>\", "
	                 "\"tags\": [\"<i>t</i>\"], \"sources\": [{\"url\": "
	                 "\" JaVaScRiPt:alert(4)\", \"title\": \"<u>src</u>\", "
	                 "\"quote\": \"</blockquote><script>x</script>\"}, "
	                 "{\"url\": "
	                 "\"data:text/html,<script>alert(5)</script>\"},"
	                 "{\"url\": "
	                 "\"https://example.org/a?b=1&c=\\\"2\\\"\"}]}, "
	                 "{\"uid\": \"long\", \"title\": \"%s\", \"start\": "
	                 "\"2022-09-16\"}",
	                 longt),
	        0);
	import_events(db, "esc", events);
	free(events);
	char *page = export_text(db, "esc", NULL);
	/* one script element: ours, at the end */
	cr_assert_eq(count_of(page, "<script"), 1);
	cr_assert(strstr(page, "</main>\n<script>"));
	cr_assert_null(strstr(page, "<img"));
	cr_assert_null(strstr(page, "<b>"));
	cr_assert_null(strstr(page, "<i>"));
	cr_assert_null(strstr(page, "<u>"));
	cr_assert(strstr(page, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; "
	                       "&quot;q&quot; &#39;a&#39;"));
	cr_assert(strstr(page, "&lt;img src=x onerror=alert(2)&gt;<br>\nline "
	                       "two"));
	cr_assert(strstr(page, "data-uid=\"x&lt;1&gt;\""));
	/* no unsafe URL in an attribute; each shown as text */
	cr_assert_null(strstr(page, "href=\"javascript"));
	cr_assert_null(strstr(page, "href=\" JaVaScRiPt"));
	cr_assert_null(strstr(page, "href=\"data:"));
	cr_assert_null(strstr(page, "cite=\" JaVaScRiPt"));
	cr_assert(strstr(page, "<span class=\"nolink\">javascript:alert(3)"
	                       "</span> (not linked)"));
	cr_assert(strstr(page, "<span class=\"nolink\"> JaVaScRiPt:alert(4)"
	                       "</span>"));
	cr_assert(strstr(page, "<a href=\"https://example.org/a?b=1&amp;c="
	                       "&quot;2&quot;\" rel=\"noopener "
	                       "noreferrer\">"));
	/* the picture's SVG title and label escape too */
	cr_assert(strstr(page, "<title>15 September 2022: &lt;script&gt;"));
	/* a long title: cut in the picture, whole in the list */
	cr_assert(strstr(page, longt), "the whole title is in the list");
	char label[64];
	snprintf(label, sizeof label, ">%.36s\xE2\x80\xA6</text>", longt);
	cr_assert(strstr(page, label), "no cut label %s", label);
	free(page);
}

Test(html, scales_from_minutes_to_centuries_and_bce)
{
	char db[600];
	snprintf(db, sizeof db, "%s/t.db", g_tmp);
	import_events(db, "old",
	              "{\"title\": \"Caesar is killed\", \"start\": "
	              "\"-0043-03-15\"},"
	              "{\"title\": \"Around 300 BCE\", \"start\": \"-0299~\"},"
	              "{\"title\": \"Maybe\", \"start\": \"0999?\"},"
	              "{\"title\": \"Open\", \"start\": \"1200/..\"}");
	char *page = export_text(db, "old", NULL);
	cr_assert(strstr(page, "<h2 id=\"p-m43\">44 BCE</h2>"), "%s", page);
	cr_assert(strstr(page, "15 March 44 BCE"));
	cr_assert(strstr(page, "<code class=\"edtf\">-0043-03-15</code>"));
	/* HTML has no datetime for BCE years: a <time> without one */
	cr_assert(strstr(page, "<time>15 March 44 BCE</time>"));
	cr_assert(strstr(page, "<time>about 300 BCE</time>"), "%s", page);
	cr_assert(strstr(page, "<time datetime=\"0999\">999?</time>"));
	cr_assert(strstr(page, "from <time datetime=\"1200\">1200</time>"));
	/* centuries on the axis, qualifiers in the picture */
	cr_assert(strstr(page, "class=\"tick\""));
	cr_assert(strstr(page, " BCE</text>"), "no BCE tick");
	cr_assert(strstr(page, ">c. Around 300 BCE</text>"));
	cr_assert(strstr(page, ">Maybe ?</text>"));
	cr_assert(strstr(page, "class=\"mk bar coarse apx\""));
	cr_assert(strstr(page, "class=\"mk bar coarse unc\""));
	cr_assert(strstr(page, " oe\""), "open end");
	free(page);

	import_events(db, "day",
	              "{\"title\": \"Breakfast\", \"start\": "
	              "\"2022-09-15T07:30Z\"},"
	              "{\"title\": \"Meeting\", \"start\": "
	              "\"2022-09-15T10:00+05:00\", \"end\": "
	              "\"2022-09-15T11:30:15Z\"},"
	              "{\"title\": \"Dinner\", \"start\": "
	              "\"2022-09-15T19:00:00Z\"}");
	page = export_text(db, "day", NULL);
	cr_assert(strstr(page, "<time datetime=\"2022-09-15T07:30Z\">15 "
	                       "September 2022, 07:30 UTC</time>"));
	cr_assert(strstr(page, "<time datetime=\"2022-09-15T05:00Z\">"));
	cr_assert(strstr(page, ">15 Sep 08:00</text>") ||
	                  strstr(page, ">15 Sep 09:00</text>"),
	          "no hour ticks");
	free(page);
}

Test(html, empty_timeline)
{
	char db[600];
	snprintf(db, sizeof db, "%s/t.db", g_tmp);
	const char *args[] = {"timeline", "create", "empty", NULL};
	cr_assert_eq(tldb_cmd(db, NULL, NULL, args), 0);
	char *page = export_text(db, "empty", NULL);
	cr_assert(strstr(page, "<p class=\"none\">No events.</p>"));
	cr_assert(strstr(page, "Nothing to draw."));
	cr_assert_eq(count_of(page, "<li id=\"e-"), 0);
	cr_assert(strstr(page, "</html>\n"));
	free(page);
}

Test(html, plugins_check_passes)
{
	char *argv[] = {(char *)TLDB_BIN, "plugins", "check",
	                TLDB_BUILD_DIR "/plugins/html.so", NULL};
	const char *out = tmp_path("check.out");
	int rc = run_cmd(argv, out, out, 180);
	char *text = slurp(out, NULL);
	cr_assert_eq(rc, 0, "%s", text);
	cr_assert(strstr(text, " 0 failed"), "%s", text);
	free(text);
}
