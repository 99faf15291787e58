/*
 * test_article_units.c -- the article importer's modules, linked in
 * directly (CMakeLists.txt adds plugins/article/art_*.c) and tested one by
 * one without a host: calendar arithmetic, sentence splitting
 * (abbreviations, initials, quotes, decimals, paragraphs), the date
 * expression finder, tense, resolution against a document date (precision
 * kept, tense deciding), titles, Markdown blanking that keeps offsets, HTML
 * text and metadata through libxml2, and document metadata.  Every case is
 * a small article of our own; the end-to-end tests are in test_article.c.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "article.h"

const tldb_host_api *art_host; /* unused here: no events are emitted */

/* ---- the calendar ---- */

Test(article_date, days_and_weekdays)
{
	cr_expect_eq(art_days(1970, 1, 1), 0);
	cr_expect_eq(art_weekday(art_days(2022, 9, 15)), 3); /* Thursday */
	cr_expect_eq(art_weekday(art_days(2000, 1, 1)), 5);  /* Saturday */
	int32_t y, m, d;
	art_civil(art_days(2024, 2, 29) + 1, &y, &m, &d);
	cr_expect(y == 2024 && m == 3 && d == 1);
	art_civil(art_days(1850, 6, 1), &y, &m, &d);
	cr_expect(y == 1850 && m == 6 && d == 1);
	cr_expect_eq(art_month_days(2100, 2), 28);
	cr_expect_eq(art_month_days(2000, 2), 29);
	art_point p = art_month_point(2022, 0);
	cr_expect(p.y == 2021 && p.m == 12);
	p = art_month_point(2022, 13);
	cr_expect(p.y == 2023 && p.m == 1);
}

Test(article_date, format)
{
	char buf[32];
	art_value v = {{2022, 9, 5, ART_P_DAY},
	               {2022, 9, 11, ART_P_DAY},
	               1,
	               0,
	               0,
	               0,
	               NULL};
	cr_expect_eq(art_value_format(&v, buf, sizeof buf), 21);
	cr_expect_str_eq(buf, "2022-09-05/2022-09-11");
	art_value y = {
	        {2001, 0, 0, ART_P_YEAR}, {0, 0, 0, 0}, 0, 0, 0, 0, NULL};
	art_value_format(&y, buf, sizeof buf);
	cr_expect_str_eq(buf, "2001");
	art_value bad = {
	        {10000, 0, 0, ART_P_YEAR}, {0, 0, 0, 0}, 0, 0, 0, 0, NULL};
	cr_expect_eq(art_value_format(&bad, buf, sizeof buf), -1);
	art_point d;
	cr_expect_eq(art_parse_day("2022-09-15", &d), 0);
	cr_expect_eq(art_parse_day("2022-02-30", &d), -1);
	cr_expect_eq(art_parse_day("2022-09", &d), -1);
}

/* ---- sentences ---- */

typedef struct sents {
	char out[16][256];
	int n;
	const char *text;
} sents;

static int collect_sentence(void *ud, size_t b, size_t e)
{
	sents *s = ud;
	if (s->n < 16)
		snprintf(s->out[s->n], sizeof s->out[0], "%.*s", (int)(e - b),
		         s->text + b);
	s->n++;
	return 0;
}

static sents split(const char *text)
{
	sents s;
	memset(&s, 0, sizeof s);
	s.text = text;
	art_sentences(text, strlen(text), ART_MAX_SENTENCE, collect_sentence,
	              &s);
	return s;
}

Test(article_sentence, abbreviations_initials_decimals)
{
	sents s = split("Mr. Smith met Dr. Jones in the U.S. capital on Sept. "
	                "15. Growth was 3.5 percent. John F. Kennedy spoke.");
	cr_assert_eq(s.n, 3, "got %d: [%s] [%s]", s.n, s.out[0], s.out[1]);
	cr_expect_str_eq(s.out[0], "Mr. Smith met Dr. Jones in the U.S. "
	                           "capital on Sept. 15.");
	cr_expect_str_eq(s.out[1], "Growth was 3.5 percent.");
	cr_expect_str_eq(s.out[2], "John F. Kennedy spoke.");
}

Test(article_sentence, acronym_at_the_end)
{
	sents s = split("He flew to the U.S. The talks began.");
	cr_assert_eq(s.n, 2);
	cr_expect_str_eq(s.out[0], "He flew to the U.S.");
}

Test(article_sentence, quotes)
{
	sents s = split("\"We will win,\" he said. \"Really?\" she asked. "
	                "\"Yes.\" Then they left.");
	cr_assert_eq(s.n, 4, "got %d", s.n);
	cr_expect_str_eq(s.out[0], "\"We will win,\" he said.");
	cr_expect_str_eq(s.out[1], "\"Really?\" she asked.");
	cr_expect_str_eq(s.out[2], "\"Yes.\"");
	cr_expect_str_eq(s.out[3], "Then they left.");
}

Test(article_sentence, paragraphs)
{
	sents s =
	        split("Title line\nBy A. Writer\n\nThe talks focus on trade\n\n"
	              "relations with Asia. More later.");
	cr_assert_eq(s.n, 4, "got %d", s.n);
	cr_expect_str_eq(s.out[0], "Title line");
	cr_expect_str_eq(s.out[1], "By A. Writer");
	cr_expect_str_eq(s.out[2],
	                 "The talks focus on trade\n\nrelations with Asia.");
}

Test(article_sentence, long_sentences_are_cut)
{
	size_t n = 100000;
	char *t = malloc(n + 1);
	for (size_t i = 0; i < n; i++)
		t[i] = i % 7 == 6 ? ' ' : 'a';
	t[n] = '\0';
	sents s;
	memset(&s, 0, sizeof s);
	s.text = t;
	art_sentences(t, n, 4096, collect_sentence, &s);
	cr_expect_geq(s.n, (int)(n / 4096));
	cr_expect_leq(s.n, (int)(n / 2048) + 1);
	free(t);
}

/* ---- expressions, tense and resolution ---- */

/* The value of the first expression of sentence s in an article of
 * Thursday 2022-09-15 ("" when none), its text in expr_out. */
static const char *resolve_first(const char *s, char *expr_out)
{
	static char out[64];
	static art_scanner sc;
	art_expr xs[8];
	art_tokenize(&sc, s, 0, strlen(s));
	size_t n = art_find_exprs(&sc, s, xs, 8);
	out[0] = '\0';
	if (expr_out)
		expr_out[0] = '\0';
	art_ctx c;
	art_ctx_init(&c, (art_point){2022, 9, 15, ART_P_DAY});
	for (size_t k = 0; k < n; k++) {
		art_value v;
		char rule[96];
		if (!art_resolve(&c, &xs[k], art_tense(&sc, s, &xs[k]), &v,
		                 rule, sizeof rule))
			continue;
		art_value_format(&v, out, sizeof out);
		if (expr_out)
			snprintf(expr_out, 64, "%.*s",
			         (int)(xs[k].end - xs[k].begin),
			         s + xs[k].begin);
		break;
	}
	return out;
}

typedef struct rcase {
	const char *sentence, *want, *expr;
} rcase;

static void check_cases(const rcase *cs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char expr[64];
		const char *got = resolve_first(cs[i].sentence, expr);
		cr_expect_str_eq(got, cs[i].want, "[%s]: got [%s], want [%s]",
		                 cs[i].sentence, got, cs[i].want);
		if (cs[i].expr)
			cr_expect_str_eq(expr, cs[i].expr, "[%s]: expr [%s]",
			                 cs[i].sentence, expr);
	}
}

Test(article_resolve, absolute_dates)
{
	static const rcase cs[] = {
	        {"The treaty was signed on September 15, 2022.", "2022-09-15",
	         "on September 15, 2022"},
	        {"It opened on 15 September 2022 in Paris.", "2022-09-15",
	         NULL},
	        {"The report is dated 2021-03-04.", "2021-03-04", NULL},
	        {"Filed 2021-03-04T10:00Z by the clerk.", "2021-03-04", NULL},
	        {"Data for 2021-03 were released.", "2021-03", NULL},
	        {"The vote on 9/15/2021 was close.", "2021-09-15", NULL},
	        {"The vote on 15/9/2021 was close.", "2021-09-15", NULL},
	        {"The vote on 15.09.2021 was close.", "2021-09-15", NULL},
	        {"The vote on 3/4/2021 was close.", "", NULL},
	        {"The group was set up in 2001 in Shanghai.", "2001",
	         "in 2001"},
	        {"Prices soared in the 1990s.", "1990/1999", "in the 1990s"},
	        {"Prices soared in the '90s.", "1990/1999", NULL},
	        {"Growth slowed in mid-2021.", "2021", "in mid-2021"},
	        {"Growth slowed in early March 2020.", "2020-03", NULL},
	        {"Growth slowed at the end of 2019.", "2019", NULL},
	        {"The war lasted from 2014 to 2016.", "2014/2016", NULL},
	        {"The war lasted 2014-2016.", "2014/2016", NULL},
	        {"He was born on Tuesday, March 3, 1998.", "1998-03-03", NULL},
	        {"The 15th of June, 2020 was hot.", "2020-06-15", NULL},
	};
	check_cases(cs, sizeof cs / sizeof cs[0]);
}

Test(article_resolve, not_dates)
{
	static const rcase cs[] = {
	        {"The six-month invasion goes on.", "", NULL},
	        {"He waited for six months.", "", NULL},
	        {"The office opens every Monday.", "", NULL},
	        {"The office opens on Mondays.", "", NULL},
	        {"Prices are high now and currently rising.", "", NULL},
	        {"We may march on.", "", NULL},
	        {"It cost $2001 and 2000 troops came.", "", NULL},
	        {"Sales grew 3.5% to 1,2001 units.", "", NULL},
	        {"The talks lasted two days.", "", NULL},
	        {"He did it in three days last time.", "", NULL},
	};
	check_cases(cs, sizeof cs / sizeof cs[0]);
}

Test(article_resolve, tense_decides)
{
	/* article of Thursday 2022-09-15 */
	static const rcase cs[] = {
	        {"They met in February.", "2022-02", "in February"},
	        {"They will meet in February.", "2023-02", NULL},
	        {"They are expected to meet in February.", "2023-02", NULL},
	        {"They met in December.", "2021-12", NULL},
	        {"They will meet on Thursday.", "2022-09-15", "on Thursday"},
	        {"They met on Monday.", "2022-09-12", NULL},
	        {"They will meet on Monday.", "2022-09-19", NULL},
	        {"The vote is on Saturday.", "2022-09-17", NULL},
	        {"The vote was held on Oct. 2.", "2021-10-02", NULL},
	        {"The vote will be held on Oct. 2.", "2022-10-02", NULL},
	        {"They met on Sept. 10.", "2022-09-10", NULL},
	        {"They will meet on Jan. 10.", "2023-01-10", NULL},
	        {"Putin, who met Xi in February, will travel on Friday.",
	         "2022-02", NULL},
	};
	check_cases(cs, sizeof cs / sizeof cs[0]);
}

Test(article_resolve, relative)
{
	static const rcase cs[] = {
	        {"He spoke today.", "2022-09-15", NULL},
	        {"He spoke yesterday.", "2022-09-14", NULL},
	        {"He will speak tomorrow morning.", "2022-09-16", NULL},
	        {"He spoke last night.", "2022-09-14", NULL},
	        {"China took part last week.", "2022-09-05/2022-09-11",
	         "last week"},
	        {"The talks are this week.", "2022-09-12/2022-09-18", NULL},
	        {"The talks are next week.", "2022-09-19/2022-09-25", NULL},
	        {"He said earlier this week that it was over.",
	         "2022-09-12/2022-09-14", NULL},
	        {"Gazprom announced last month that it had agreed.", "2022-08",
	         NULL},
	        {"Sales will rise next month.", "2022-10", NULL},
	        {"He admitted earlier this month that it failed.", "2022-09",
	         NULL},
	        {"Sales fell last year.", "2021", NULL},
	        {"Sales will rise next year.", "2023", NULL},
	        {"They met last Thursday.", "2022-09-08", NULL},
	        {"They meet next Friday.", "2022-09-16", NULL},
	        {"They met two weeks ago.", "2022-08-29/2022-09-04", NULL},
	        {"They met three days ago.", "2022-09-12", NULL},
	        {"They met a year ago.", "2021", NULL},
	        {"They met two months ago.", "2022-07", NULL},
	        {"They will meet in three days.", "2022-09-18", NULL},
	        {"They will meet three days from now.", "2022-09-18", NULL},
	        {"Prices rose over the past three months.",
	         "2022-06-15/2022-09-15", "the past three months"},
	        {"Prices rose over the past week.", "2022-09-08/2022-09-15",
	         NULL},
	        {"A year earlier, prices were lower.", "2021", NULL},
	        {"He met them last February.", "2022-02", NULL},
	        {"He will see them next February.", "2023-02", NULL},
	};
	check_cases(cs, sizeof cs / sizeof cs[0]);
}

Test(article_resolve, intervals)
{
	static const rcase cs[] = {
	        {"The siege lasted from February to May.", "2022-02/2022-05",
	         "from February to May"},
	        {"The siege lasted from February to May 2021.",
	         "2021-02/2021-05", NULL},
	        {"Talks ran between March 3 and March 9, 2020.",
	         "2020-03-03/2020-03-09", NULL},
	        {"The drills ran Sept. 5-11, 2021.", "2021-09-05/2021-09-11",
	         NULL},
	        {"The drills ran 5-11 September 2021.", "2021-09-05/2021-09-11",
	         NULL},
	        {"The talks ran from Monday to Wednesday.",
	         "2022-09-12/2022-09-14", NULL},
	        {"The season ran from November 2021 to February 2022.",
	         "2021-11/2022-02", NULL},
	};
	check_cases(cs, sizeof cs / sizeof cs[0]);
}

Test(article_resolve, anchored_on_previous_date)
{
	const char *s = "The plant opened in March 2019 and closed two months "
	                "later.";
	art_scanner *sc = malloc(sizeof *sc);
	art_expr xs[8];
	art_tokenize(sc, s, 0, strlen(s));
	size_t n = art_find_exprs(sc, s, xs, 8);
	cr_assert_eq(n, 2);
	art_ctx c;
	art_ctx_init(&c, (art_point){2022, 9, 15, ART_P_DAY});
	art_value v;
	char rule[96], out[32];
	cr_assert(art_resolve(&c, &xs[0], ART_PAST, &v, rule, sizeof rule));
	c.last = v;
	c.has_last = 1;
	cr_assert(art_resolve(&c, &xs[1], ART_PAST, &v, rule, sizeof rule));
	art_value_format(&v, out, sizeof out);
	cr_expect_str_eq(out, "2019-05");
	cr_expect(strstr(rule, "anchor-previous-date") != NULL, "%s", rule);
	free(sc);
}

Test(article_resolve, rules_name_the_tense)
{
	const char *s = "They will meet in February.";
	art_scanner *sc = malloc(sizeof *sc);
	art_expr x;
	art_tokenize(sc, s, 0, strlen(s));
	cr_assert_eq(art_find_exprs(sc, s, &x, 1), 1);
	art_ctx c;
	art_ctx_init(&c, (art_point){2022, 9, 15, ART_P_DAY});
	art_value v;
	char rule[96];
	cr_assert(art_resolve(&c, &x, art_tense(sc, s, &x), &v, rule,
	                      sizeof rule));
	cr_expect_str_eq(rule, "month-name+future-tense");
	free(sc);
}

/* ---- titles ---- */

Test(article_title, condensed)
{
	char out[512];
	art_title("Prices rose in March, the ministry said.", NULL, out,
	          sizeof out, 120);
	cr_expect_str_eq(out, "Prices rose in March");
	art_title("\"We will win,\" Alexander Gabuev, an expert, told "
	          "reporters.",
	          NULL, out, sizeof out, 120);
	cr_expect_str_eq(out, "We will win");
	art_title("Russian President Vladimir Putin will meet his Chinese "
	          "counterpart Xi Jinping (pictured) on Thursday on the "
	          "sidelines of a summit in Uzbekistan that has been touted "
	          "as an alternative to a Western-dominated world order.",
	          NULL, out, sizeof out, 120);
	cr_expect(strstr(out, "pictured") == NULL, "%s", out);
	size_t chars = 0;
	for (const char *p = out; *p; p++)
		chars += ((unsigned char)*p & 0xC0) != 0x80;
	cr_expect_leq(chars, 120, "%zu chars: %s", chars, out);
	cr_expect(strstr(out, "\xE2\x80\xA6") != NULL, "%s", out);
	art_title("LONDON, March 3 (Reuters) - Ministers will meet on Friday, "
	          "officials said on Wednesday.",
	          "on Friday", out, sizeof out, 120);
	cr_expect_str_eq(out, "Ministers will meet on Friday");
	art_title("Traffic fell in May, and the council said it would review "
	          "fees next week.",
	          "next week", out, sizeof out, 120);
	cr_expect_str_eq(out, "Traffic fell in May, and the council said it "
	                      "would review fees next week");
}

/* ---- input ---- */

Test(article_input, markdown_blanked_offsets_kept)
{
	const char *md = "# Title\n\nHe **met** <u>them</u> [here](http://x.y) "
	                 "on Monday.\n";
	art_doc d;
	cr_assert_eq(art_doc_from_text(&d, md, strlen(md)), 0);
	cr_assert_eq(d.len, strlen(md));
	cr_expect(strstr(d.text, "**") == NULL);
	cr_expect(strstr(d.text, "<u>") == NULL);
	cr_expect(strstr(d.text, "http") == NULL);
	cr_expect(strstr(d.text, "#") == NULL);
	/* the offset of "Monday" is that of the input */
	cr_expect_eq(strstr(d.text, "Monday") - d.text,
	             strstr(md, "Monday") - md);
	art_doc_release(&d);
}

Test(article_input, check_text)
{
	size_t bad;
	char why[128];
	cr_expect_eq(art_check_text("", 0, &bad, why, sizeof why), -1);
	cr_expect_eq(art_check_text("  \n\n ", 5, &bad, why, sizeof why), -1);
	cr_expect(strstr(why, "empty") != NULL);
	cr_expect_eq(art_check_text("ab\0cd", 5, &bad, why, sizeof why), -1);
	cr_expect_eq(bad, 2);
	cr_expect_eq(art_check_text("ab\xC3(", 4, &bad, why, sizeof why), -1);
	cr_expect_eq(bad, 2);
	cr_expect_eq(art_check_text("caf\xC3\xA9", 5, &bad, why, sizeof why),
	             0);
	cr_expect_eq(art_check_text("\xED\xA0\x80", 3, &bad, why, sizeof why),
	             -1); /* a surrogate */
}

Test(article_input, html)
{
	const char *h = "<!DOCTYPE html><html><head><title>T - Site</title>"
	                "<meta property=\"og:title\" content=\"Real title\">"
	                "<meta property=\"article:published_time\" "
	                "content=\"2022-09-15T08:00:00Z\">"
	                "<link rel=\"canonical\" href=\"https://ex.org/a\">"
	                "<script>var x = 'June 1, 2020';</script></head>"
	                "<body><nav>Home | May 5, 2001</nav><h1>Big day</h1>"
	                "<p>They met&nbsp;in <b>February</b>.</p><p>Second.</p>"
	                "</body></html>";
	cr_expect(art_looks_html(h, strlen(h)));
	cr_expect(!art_looks_html("They met <b>here</b>.", 21));
	art_doc d;
	char why[128];
	cr_assert_eq(art_doc_from_html(&d, h, strlen(h), why, sizeof why), 0);
	cr_expect(strstr(d.text, "They met in February.") != NULL, "[%s]",
	          d.text);
	cr_expect(strstr(d.text, "June") == NULL);
	cr_expect(strstr(d.text, "2001") == NULL);
	cr_expect_str_eq(d.html_title, "Real title");
	cr_expect_str_eq(d.html_url, "https://ex.org/a");
	art_meta m;
	cr_assert_eq(art_meta_find(&d, h, strlen(h), NULL, NULL, NULL, &m), 0);
	cr_expect(m.date.y == 2022 && m.date.m == 9 && m.date.d == 15);
	cr_expect_str_eq(m.url, "https://ex.org/a");
	cr_expect_str_eq(m.title, "Real title");
	art_doc_release(&d);
}

/* ---- metadata ---- */

static art_meta meta_of(const char *text, const char *opt_date)
{
	art_doc d;
	art_meta m;
	cr_assert_eq(art_doc_from_text(&d, text, strlen(text)), 0);
	cr_assert_eq(
	        art_meta_find(&d, text, strlen(text), opt_date, NULL, NULL, &m),
	        0);
	art_doc_release(&d);
	return m;
}

Test(article_meta, datelines)
{
	art_meta m = meta_of("Headline\n\nBy A Writer\n\nSeptember 15, 2022\n\n"
	                     "Text on March 3, 2001.\n",
	                     NULL);
	cr_expect(m.date.y == 2022 && m.date.m == 9 && m.date.d == 15);
	cr_expect_str_eq(m.date_from, "dateline");
	cr_expect_str_eq(m.title, "Headline");
	m = meta_of("MOSCOW, Sept. 15, 2022 (Reuters) - Officials met on "
	            "Monday.\n",
	            NULL);
	cr_expect(m.date.y == 2022 && m.date.m == 9 && m.date.d == 15);
	m = meta_of("Headline\nPublished 15 September 2022\n", NULL);
	cr_expect(m.date.d == 15);
	m = meta_of("Headline\n2022-09-15\n", NULL);
	cr_expect(m.date.d == 15);
	m = meta_of("Headline\n2022-09-15\n", "2021-01-02");
	cr_expect(m.date.y == 2021 && m.date.d == 2);
	cr_expect_str_eq(m.date_from, "option");
	m = meta_of("Headline\n\nOfficials met on Monday.\n", NULL);
	cr_expect_eq(m.date.prec, ART_P_NONE);
}

Test(article_meta, url_lines)
{
	art_meta m = meta_of("Title\n\nText.\n\nOriginal url:\n\n"
	                     "https://ex.org/2022/09/15/a-b c-d\n",
	                     NULL);
	cr_expect_str_eq(m.url, "https://ex.org/2022/09/15/a-bc-d");
	cr_expect(m.date.y == 2022 && m.date.m == 9 && m.date.d == 15);
	cr_expect_str_eq(m.date_from, "url");
	m = meta_of("Title\nSource: https://ex.org/x\nMay 5, 2020\n", NULL);
	cr_expect_str_eq(m.url, "https://ex.org/x");
	m = meta_of("Title\nSource: Reuters\nMay 5, 2020\n", NULL);
	cr_expect_str_eq(m.url, "");
}

/* ---- events as anchors, times of day, seasons ---- */

/* Reads text (sentences in order) as the importer does in an article of
 * Thursday 2022-09-15: dates first, noting the events they date, then the
 * expressions counted from an event.  Returns "expr=value|rule;" for every
 * expression resolved. */
static const char *read_all(const char *text)
{
	static char out[4096];
	static art_scanner sc;
	typedef struct {
		size_t b, e;
	} span;
	span ss[16];
	sents got = split(text);
	size_t ns = 0;
	/* split() keeps the text of the sentences; find their offsets */
	const char *p = text;
	for (size_t k = 0; k < 16 && got.out[k][0]; k++) {
		const char *at = strstr(p, got.out[k]);
		cr_assert(at != NULL, "sentence [%s]", got.out[k]);
		ss[ns].b = (size_t)(at - text);
		ss[ns].e = ss[ns].b + strlen(got.out[k]);
		p = text + ss[ns].e;
		ns++;
	}
	art_ctx c;
	art_ctx_init(&c, (art_point){2022, 9, 15, ART_P_DAY});
	out[0] = '\0';
	size_t len = 0;
	for (size_t k = 0; k < ns; k++) {
		art_expr xs[16];
		art_value vs[16];
		char rules[16][96];
		int ok[16];
		art_tokenize(&sc, text, ss[k].b, ss[k].e);
		size_t n = art_find_exprs(&sc, text, xs, 16);
		for (size_t i = 0; i < n; i++) {
			ok[i] = xs[i].a.kind != ART_M_EVENT &&
			        art_resolve(&c, &xs[i],
			                    art_tense(&sc, text, &xs[i]),
			                    &vs[i], rules[i], sizeof rules[i]);
			if (ok[i]) {
				c.last = vs[i];
				c.has_last = 1;
				art_anchor_note(&c, &sc, text, &xs[i], &vs[i]);
			}
		}
		for (size_t i = 0; i < n; i++) {
			if (xs[i].a.kind == ART_M_EVENT)
				ok[i] = art_resolve(&c, &xs[i], ART_PRESENT,
				                    &vs[i], rules[i],
				                    sizeof rules[i]);
			if (!ok[i])
				continue;
			char v[64];
			art_value_format(&vs[i], v, sizeof v);
			len += (size_t)snprintf(
			        out + len, sizeof out - len, "%.*s=%s|%s;",
			        (int)(xs[i].end - xs[i].begin),
			        text + xs[i].begin, v, rules[i]);
		}
	}
	return out;
}

static void expect_has(const char *got, const char *want)
{
	cr_expect(strstr(got, want) != NULL, "want [%s] in [%s]", want, got);
}

static void expect_not(const char *got, const char *what)
{
	cr_expect(strstr(got, what) == NULL, "[%s] not wanted in [%s]", what,
	          got);
}

Test(article_anchor, day_anchor_from_a_verb)
{
	const char *got = read_all(
	        "Russia invaded Ukraine on Feb. 24. In the first five months "
	        "of the war, five million people fled. Two weeks into the "
	        "war, the lines held. Three months after the invasion, talks "
	        "stalled. The first 100 days of the conflict were the worst. "
	        "Ten days before the invasion, envoys met.");
	expect_has(got, "In the first five months of the war="
	                "2022-02-24/2022-07-23|first-units-of+anchor:war;");
	expect_has(got, "Two weeks into the war=2022-03-10|units-into+anchor:"
	                "war;");
	expect_has(got, "Three months after the invasion=2022-05-24|");
	expect_has(got, "The first 100 days of the conflict="
	                "2022-02-24/2022-06-03|");
	expect_has(got, "Ten days before the invasion=2022-02-14|");
}

Test(article_anchor, anchor_forms)
{
	/* a relative clause, "since the NOUN on", the date before the noun,
	 * and an anchor said later in the same sentence */
	expect_has(read_all("The war, which began on 24 February, dragged on. "
	                    "The first month of the war was chaos."),
	           "The first month of the war=2022-02-24/2022-03-23|");
	expect_has(read_all("Prices have doubled since the invasion on "
	                    "February 24. Six months into the invasion, "
	                    "grain moved."),
	           "Six months into the invasion=2022-08-24|");
	expect_has(read_all("Since the March 2020 outbreak, travel fell. In "
	                    "the first year of the pandemic, schools shut."),
	           "the first year of the pandemic=2020-03/2021-02|"
	           "first-units-of+anchor:pandemic;");
	expect_has(read_all("In the first two weeks of the strike, which "
	                    "began on Aug. 1, no trains ran."),
	           "the first two weeks of the strike=2022-08-01/2022-08-14|");
	expect_has(read_all("The war broke out on March 3. Ten weeks into "
	                    "Russia's full-scale invasion, it stalled. The "
	                    "first year of the Russian invasion ended."),
	           "Ten weeks into Russia's full-scale invasion=2022-05-12|");
	expect_has(read_all("The election was held on Nov. 8, 2020. Two "
	                    "weeks after the election, results came."),
	           "Two weeks after the election=2020-11-22|units-after+"
	           "anchor:election;");
	/* month anchors give months, never days */
	const char *got = read_all("The pandemic began in March 2020. Two "
	                           "weeks into the pandemic, shops shut. "
	                           "Three months into the pandemic, they "
	                           "opened.");
	expect_not(got, "Two weeks into");
	expect_has(got, "Three months into the pandemic=2020-06|");
}

Test(article_anchor, never_guessed)
{
	/* no anchor: nothing */
	cr_expect_str_eq(read_all("In the first five months of the war, five "
	                          "million people fled."),
	                 "");
	/* another event's date anchors nothing */
	expect_not(read_all("The election was held on Nov. 8. In the first "
	                    "year of the war, prices rose."),
	           "first year");
	/* a named event is not the article's: World War II */
	expect_not(read_all("World War II began in 1939. In the first year "
	                    "of the war, prices rose."),
	           "first year");
	/* "after" a war is after its end: not read from its start */
	expect_not(read_all("The war began on Feb. 24. Two years after the "
	                    "war, the town was rebuilt."),
	           "Two years after");
	/* a year anchor gives nothing finer than years */
	const char *got = read_all("The conflict broke out in 2014. In the "
	                           "first five months of the conflict, towns "
	                           "fell. The first two years of the conflict "
	                           "were quiet.");
	expect_not(got, "five months");
	expect_has(got, "The first two years of the conflict=2014/2015|");
}

Test(article_time, times_on_days)
{
	static const rcase cs[] = {
	        {"They will meet on Thursday at 10 a.m. in Brussels.",
	         "2022-09-15T10:00", "on Thursday at 10 a.m."},
	        {"Polls closed on Sept. 11 at 9 p.m. ET.",
	         "2022-09-11T21:00[America/New_York]",
	         "on Sept. 11 at 9 p.m. ET"},
	        {"Counting began at 3:30 p.m. local time on Monday.",
	         "2022-09-12T15:30", "at 3:30 p.m. local time on Monday"},
	        {"The statement came at 10:00 GMT on Sept. 14.",
	         "2022-09-14T10:00Z", "at 10:00 GMT on Sept. 14"},
	        {"Markets opened at noon on Friday.", "2022-09-09T12:00",
	         "at noon on Friday"},
	        {"The vote was held on Sept. 11, 2022 at 8pm CEST.",
	         "2022-09-11T20:00+02:00", NULL},
	        {"Talks resume tomorrow at 11:15 UTC.", "2022-09-16T11:15Z",
	         NULL},
	        {"The bomb went off yesterday at 7 a.m. MSK.",
	         "2022-09-14T07:00[Europe/Moscow]", NULL},
	        {"He spoke at 12 a.m. on Sunday.", "2022-09-11T00:00", NULL},
	        /* not times: a bare "at 10", a time without a day, a month */
	        {"They met on Monday at 10 to discuss it.", "2022-09-12",
	         "on Monday"},
	        {"They met at 10 a.m. in the hall.", "", NULL},
	        {"They met in February at 10 a.m.", "2022-02", "in February"},
	        {"The talks ran from Monday to Wednesday at 9 a.m.",
	         "2022-09-12/2022-09-14", NULL},
	        {"They met on Monday at 13 p.m.", "2022-09-12", "on Monday"},
	        /* a 24-hour clock only when it shows or a zone says so */
	        {"They met on Monday at 9:30 to talk.", "2022-09-12",
	         "on Monday"},
	        {"They met on Monday at 14:30 to talk.", "2022-09-12T14:30",
	         NULL},
	        {"They met on Monday at 09:30 to talk.", "2022-09-12T09:30",
	         NULL},
	        {"They met on Monday at 9:30 BST.", "2022-09-12T09:30+01:00",
	         NULL},
	};
	check_cases(cs, sizeof cs / sizeof cs[0]);
	expect_has(read_all("They will meet on Thursday at 10 a.m."),
	           "|weekday+future-tense+time-floating;");
	expect_has(read_all("Polls closed on Sept. 11 at 9 p.m. ET."),
	           "+time-zoned;");
}

Test(article_resolve, seasons_give_nothing)
{
	static const rcase cs[] = {
	        {"Growth slowed in the autumn of 2021.", "", NULL},
	        {"The plant opened in summer 2019.", "", NULL},
	        {"They met last summer.", "", NULL},
	        {"This spring looks weak.", "", NULL},
	        {"The winter of 1995 was cold.", "", NULL},
	        /* a season word that is no season's year */
	        {"Prices could fall in 2023.", "2023", "in 2023"},
	};
	check_cases(cs, sizeof cs / sizeof cs[0]);
}

Test(article_meta, dateline_with_known_date)
{
	/* -o doc-date given: a byline or dateline line is still no story */
	art_meta m = meta_of("Headline\n\nBy A Writer | September 15, 2022\n\n"
	                     "Text on March 3, 2001.\n",
	                     "2022-09-15");
	cr_expect_str_eq(m.date_from, "option");
	cr_assert(m.date_begin >= 0);
	cr_expect_eq(m.date_begin, 10);
	cr_expect_eq(m.date_end, 10 + 32); /* the whole line */
	/* a byline with another date (an update) */
	m = meta_of("Headline\nUpdated Sept. 16, 2022 10:30 a.m.\nText.\n",
	            "2022-09-15");
	cr_expect_eq(m.date_begin, 9);
	/* a wire dateline: through the credit's dash, the story stays */
	const char *wire = "MOSCOW, Sept. 15, 2022 (Reuters) - Officials met "
	                   "on Monday to discuss a long list of items that "
	                   "had been left over from the previous round.\n";
	m = meta_of(wire, "2022-09-15");
	cr_expect_eq(m.date_begin, 0);
	cr_expect_eq(m.date_end, (int64_t)(strstr(wire, "- Off") - wire) + 1);
	/* a story's date on the first lines that is not the article's */
	m = meta_of("Headline\nMarch 3, 2001 was a cold day in the city.\n",
	            "2022-09-15");
	cr_expect_eq(m.date_begin, -1);
}
