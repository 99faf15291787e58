/*
 * art_meta.c -- what the article says about itself: its title (the first
 * heading or line; in HTML og:title, the first <h1> or <title>), its source
 * URL (an "Original url:", "Source:" or "URL:" line, a canonical link) and
 * its date (a dateline or byline near the top, <meta>/<time> in HTML, a
 * /YYYY/MM/DD/ in the URL).  Options given by the user win.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "article.h"

/* The top of the document where a dateline is looked for. */
#define TOP_LINES 40
#define TOP_BYTES 4000
/* A date that starts this far into its line is still a dateline's. */
#define DATELINE_COL 80
/* A dateline line at most this long is all metadata (a byline). */
#define DATELINE_SHORT 100

/* Copies s[0..n) into out[0..size) with white space runs made one space,
 * cut at a character boundary. */
static void copy_clean(char *out, size_t size, const char *s, size_t n)
{
	size_t k = art_clean_text(s, 0, n, out, size);
	/* do not end inside a UTF-8 sequence */
	size_t e = k;
	while (e > 0 && ((unsigned char)out[e - 1] & 0xC0) == 0x80)
		e--;
	if (e > 0 && (unsigned char)out[e - 1] >= 0xC0) {
		unsigned char lead = (unsigned char)out[e - 1];
		size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
		if (k - (e - 1) < need)
			k = e - 1;
	}
	out[k] = '\0';
}

static int looks_url(const char *s, size_t n)
{
	return (n > 7 && strncasecmp(s, "http://", 7) == 0) ||
	       (n > 8 && strncasecmp(s, "https://", 8) == 0) ||
	       (n > 4 && strncasecmp(s, "www.", 4) == 0);
}

/* The next line of t[0..len) from *at: [*b, *e) without its end. */
static int next_line(const char *t, size_t len, size_t *at, size_t *b,
                     size_t *e)
{
	if (*at >= len)
		return 0;
	*b = *at;
	const char *nl = memchr(t + *at, '\n', len - *at);
	*e = nl ? (size_t)(nl - t) : len;
	*at = nl ? *e + 1 : len;
	return 1;
}

static const char *const url_labels[] = {
        "original url:", "original url", "source url:", "source:",
        "url:",          "link:",        "canonical:",  NULL};

/* Looks for a URL line in t[0..len); fills m->url and the skip region. */
static void find_url(const char *t, size_t len, art_meta *m)
{
	size_t at = 0, b, e;
	while (next_line(t, len, &at, &b, &e)) {
		size_t p = b;
		while (p < e && isspace((unsigned char)t[p]))
			p++;
		size_t label = 0;
		for (size_t k = 0; url_labels[k]; k++) {
			size_t n = strlen(url_labels[k]);
			if (e - p >= n &&
			    strncasecmp(t + p, url_labels[k], n) == 0) {
				label = n;
				break;
			}
		}
		if (!label)
			continue;
		size_t v = p + label;
		while (v < e && isspace((unsigned char)t[v]))
			v++;
		size_t vend = e, scan_at = at;
		if (v >= e) {
			/* the value on the next non-blank line */
			size_t nb, ne;
			int got = 0;
			while (next_line(t, len, &scan_at, &nb, &ne)) {
				size_t q = nb;
				while (q < ne && isspace((unsigned char)t[q]))
					q++;
				if (q < ne) {
					v = q;
					vend = ne;
					got = 1;
					break;
				}
			}
			if (!got)
				continue;
		}
		if (!looks_url(t + v, vend - v))
			continue;
		/* a URL broken by spaces (PDF copies): white space dropped */
		size_t k = 0;
		size_t end = vend;
		for (size_t i = v; i < vend && k + 1 < sizeof m->url; i++)
			if (!isspace((unsigned char)t[i]))
				m->url[k++] = t[i];
		m->url[k] = '\0';
		m->skip_begin = (int64_t)b;
		m->skip_end = (int64_t)end;
		return;
	}
}

/* /YYYY/MM/DD/ (or -) in a URL. */
static int url_date(const char *u, art_point *out)
{
	size_t n = strlen(u);
	for (size_t i = 0; i + 11 <= n; i++) {
		if (u[i] != '/')
			continue;
		int y, mo, d;
		char s1, s2;
		if (sscanf(u + i + 1, "%4d%c%2d%c%2d", &y, &s1, &mo, &s2, &d) !=
		    5)
			continue;
		if (!isdigit((unsigned char)u[i + 1]) ||
		    !isdigit((unsigned char)u[i + 4]) || s1 != s2 ||
		    (s1 != '/' && s1 != '-') ||
		    !isdigit((unsigned char)u[i + 6]) ||
		    !isdigit((unsigned char)u[i + 9]))
			continue;
		if (y < 1900 || y > 2999 || mo < 1 || mo > 12 || d < 1 ||
		    d > art_month_days(y, mo))
			continue;
		*out = (art_point){y, mo, d, ART_P_DAY};
		return 1;
	}
	return 0;
}

/* The first full date of t[b, e) in scanner sc: 1 with *p and its span. */
static int full_date(art_scanner *sc, const char *t, size_t b, size_t e,
                     art_point *p, size_t *xb, size_t *xe)
{
	art_expr xs[8];
	art_tokenize(sc, t, b, e);
	size_t n = art_find_exprs(sc, t, xs, 8);
	for (size_t k = 0; k < n; k++) {
		const art_mention *a = &xs[k].a;
		if (xs[k].is_range || a->kind != ART_M_DATE || !a->y || !a->m ||
		    !a->d || a->d > art_month_days(a->y, a->m))
			continue;
		*p = (art_point){a->y, a->m, a->d, ART_P_DAY};
		*xb = xs[k].begin;
		*xe = xs[k].end;
		return 1;
	}
	return 0;
}

/* 1 when line t[b, e) reads as a byline: starts with "By ", or says
 * "Published", "Updated", "Posted", "Last modified". */
static int byline_words(const char *t, size_t b, size_t e)
{
	static const char *const words[] = {"by ", "published", "updated",
	                                    "posted", "last modified"};
	for (size_t k = 0; k < sizeof words / sizeof words[0]; k++) {
		size_t n = strlen(words[k]);
		/* "by" only starting the line: "By Maria Lenz" */
		size_t last = k == 0 ? b + n : e;
		for (size_t i = b; i + n <= last && i + n <= e; i++)
			if ((i == b || !isalpha((unsigned char)t[i - 1])) &&
			    strncasecmp(t + i, words[k], n) == 0)
				return 1;
	}
	return 0;
}

/* The region of the dateline's line that is no story: the whole line when
 * it is short (a byline, a date line), else from its start through the
 * expression and a wire credit's dash after it ("MOSCOW, Sept. 15, 2022
 * (Reuters) - "), so the story's first sentence on the same line stays. */
static void dateline_region(const char *t, size_t b, size_t e, size_t xe,
                            art_meta *m)
{
	m->date_begin = (int64_t)b;
	if (e - b <= DATELINE_SHORT) {
		m->date_end = (int64_t)e;
		return;
	}
	size_t end = xe, lim = xe + 60 < e ? xe + 60 : e;
	for (size_t i = xe; i < lim; i++) {
		if (t[i] == '-' && (i + 1 >= e || t[i + 1] == ' ')) {
			end = i + 1;
			break;
		}
		if ((unsigned char)t[i] == 0xE2 && i + 2 < e &&
		    (unsigned char)t[i + 1] == 0x80 &&
		    ((unsigned char)t[i + 2] == 0x93 ||
		     (unsigned char)t[i + 2] == 0x94)) {
			end = i + 3;
			break;
		}
		if (t[i] == '.' || t[i] == '!' || t[i] == '?')
			break;
	}
	m->date_end = (int64_t)end;
}

/* Looks for a dateline or byline date in the document's first lines.  With
 * `known` (the date came from an option or the HTML markup), the line found
 * is only marked as one (never an event) when its date is that date or its
 * words are a byline's; else its date becomes the document's. */
static int dateline(const art_doc *doc, art_meta *m, int known)
{
	art_scanner *sc = malloc(sizeof *sc);
	if (!sc)
		return -2;
	const char *t = doc->text;
	size_t limit = doc->len < TOP_BYTES ? doc->len : TOP_BYTES;
	size_t at = 0, b, e;
	int lines = 0, found = 0;
	while (!found && lines < TOP_LINES &&
	       next_line(t, limit, &at, &b, &e)) {
		size_t q = b;
		while (q < e && isspace((unsigned char)t[q]))
			q++;
		if (q >= e)
			continue;
		lines++;
		if ((int64_t)b >= m->skip_begin && (int64_t)b < m->skip_end)
			continue;
		size_t look =
		        e - q > DATELINE_COL + 40 ? q + DATELINE_COL + 40 : e;
		art_point p;
		size_t xb, xe;
		if (!full_date(sc, t, q, look, &p, &xb, &xe) ||
		    xb >= q + DATELINE_COL)
			continue;
		if (known) {
			int same = p.y == m->date.y && p.m == m->date.m &&
			           p.d == m->date.d;
			if (!same && !byline_words(t, q, e))
				continue;
		} else {
			m->date = p;
			m->date_from = "dateline";
		}
		dateline_region(t, q, e, xe, m);
		found = 1;
		/* byline lines right after a short one ("Updated Aug. 27,
		 * 2022 at 9:15 a.m. ET") are metadata too */
		int more = m->date_end == (int64_t)e ? 3 : 0;
		while (more-- > 0 && next_line(t, limit, &at, &b, &e)) {
			q = b;
			while (q < e && isspace((unsigned char)t[q]))
				q++;
			if (q >= e)
				continue; /* a blank line between */
			if (e - q > DATELINE_SHORT || !byline_words(t, q, e))
				break;
			m->date_end = (int64_t)e;
		}
	}
	free(sc);
	return found;
}

static int html_date(const art_doc *doc, art_meta *m)
{
	const char *s = doc->html_date;
	if (!s)
		return 0;
	char day[11];
	if (strlen(s) >= 10) {
		memcpy(day, s, 10);
		day[10] = '\0';
		if (art_parse_day(day, &m->date) == 0) {
			m->date_from = "html-meta";
			return 1;
		}
	}
	art_scanner *sc = malloc(sizeof *sc);
	if (!sc)
		return -2;
	size_t xb, xe;
	int ok = full_date(sc, s, 0, strlen(s), &m->date, &xb, &xe);
	free(sc);
	if (ok)
		m->date_from = "html-meta";
	return ok;
}

int art_meta_find(const art_doc *doc, const char *raw, size_t rawlen,
                  const char *opt_date, const char *opt_url,
                  const char *opt_title, art_meta *m)
{
	memset(m, 0, sizeof *m);
	m->date_begin = m->date_end = -1;
	m->skip_begin = m->skip_end = -1;
	/* URL */
	if (doc->kind == ART_IN_TEXT)
		find_url(raw, rawlen, m);
	else
		find_url(doc->text, doc->len, m);
	if (opt_url && *opt_url)
		copy_clean(m->url, sizeof m->url, opt_url, strlen(opt_url));
	else if (doc->html_url &&
	         looks_url(doc->html_url, strlen(doc->html_url)))
		copy_clean(m->url, sizeof m->url, doc->html_url,
		           strlen(doc->html_url));
	/* title */
	if (opt_title && *opt_title) {
		copy_clean(m->title, sizeof m->title, opt_title,
		           strlen(opt_title));
	} else if (doc->html_title && *doc->html_title) {
		copy_clean(m->title, sizeof m->title, doc->html_title,
		           strlen(doc->html_title));
	} else {
		size_t at = 0, b, e;
		while (next_line(doc->text, doc->len, &at, &b, &e)) {
			size_t q = b;
			while (q < e && isspace((unsigned char)doc->text[q]))
				q++;
			if (q >= e)
				continue;
			size_t n = e - q > 1024 ? 1024 : e - q;
			if (n > 6 &&
			    strncasecmp(doc->text + q, "title:", 6) == 0) {
				q += 6;
				n -= 6;
			}
			copy_clean(m->title, sizeof m->title, doc->text + q, n);
			break;
		}
	}
	/* date */
	if (opt_date && *opt_date) {
		if (art_parse_day(opt_date, &m->date))
			return -1;
		m->date_from = "option";
		return dateline(doc, m, 1) < 0 ? -2 : 0;
	}
	int rc = html_date(doc, m);
	if (rc < 0)
		return rc;
	if (rc == 1 && dateline(doc, m, 1) < 0)
		return -2;
	if (rc == 0 && (rc = dateline(doc, m, 0)) < 0)
		return rc;
	if (rc == 0 && m->url[0] && url_date(m->url, &m->date))
		m->date_from = "url";
	return 0;
}
