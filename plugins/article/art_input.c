/*
 * art_input.c -- the article importer's input made text.
 *
 * Plain text and Markdown are read as they are, with the markup replaced by
 * spaces in a copy of the input (heading and list markers, emphasis, inline
 * HTML tags, link targets, images, bare URLs, backslash escapes, CR), so the
 * sentence and date finders see prose and every offset they report is an
 * offset in the input.  HTML goes through libxml2's HTML parser (never
 * regular expressions): the text of the document's elements, with block
 * elements separated by blank lines and scripts, styles, navigation and
 * forms left out, plus what the head says about the document (title,
 * canonical URL, publication date).
 */
#include <ctype.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "article.h"
#include "buf.h"

/* ---- sniffing and checking ---- */

int art_looks_html(const char *head, size_t len)
{
	size_t i = 0;
	if (len >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && isspace((unsigned char)head[i]))
		i++;
	if (i >= len || head[i] != '<')
		return 0;
	static const char *const marks[] = {
	        "<!doctype html", "<html", "<head", "<body",
	        "<meta",          "<p>",   "<div",  "<article"};
	for (size_t k = 0; k < sizeof marks / sizeof marks[0]; k++) {
		size_t n = strlen(marks[k]);
		for (size_t j = i; j + n <= len; j++)
			if (strncasecmp(head + j, marks[k], n) == 0)
				return 1;
	}
	return 0;
}

int art_check_text(const char *in, size_t len, size_t *bad, char *why,
                   size_t whysize)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0;
	if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	size_t first = i;
	int blank = 1;
	while (i < len) {
		unsigned char c = s[i];
		if (c < 0x80) {
			if (c == 0) {
				*bad = i;
				snprintf(why, whysize,
				         "a NUL byte: this is binary data, not "
				         "an article");
				return -1;
			}
			if (!isspace(c))
				blank = 0;
			i++;
			continue;
		}
		size_t need;
		unsigned char lo = 0x80, hi = 0xBF;
		if (c >= 0xC2 && c <= 0xDF)
			need = 1;
		else if (c >= 0xE0 && c <= 0xEF) {
			need = 2;
			if (c == 0xE0)
				lo = 0xA0;
			else if (c == 0xED)
				hi = 0x9F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3;
			if (c == 0xF0)
				lo = 0x90;
			else if (c == 0xF4)
				hi = 0x8F;
		} else {
			*bad = i;
			snprintf(why, whysize, "invalid UTF-8 (byte 0x%02X)",
			         c);
			return -1;
		}
		for (size_t k = 1; k <= need; k++) {
			unsigned char cc = i + k < len ? s[i + k] : 0;
			unsigned char l = k == 1 ? lo : 0x80;
			unsigned char h = k == 1 ? hi : 0xBF;
			if (i + k >= len || cc < l || cc > h) {
				*bad = i;
				snprintf(why, whysize,
				         "invalid UTF-8 (byte 0x%02X)", c);
				return -1;
			}
		}
		blank = 0;
		i += need + 1;
	}
	if (blank) {
		*bad = first < len ? first : 0;
		snprintf(why, whysize, "empty input: no article text");
		return -1;
	}
	return 0;
}

/* ---- plain text and Markdown ---- */

static void blank(char *t, size_t b, size_t e)
{
	for (size_t i = b; i < e; i++)
		if (t[i] != '\n')
			t[i] = ' ';
}

static int is_url_start(const char *t, size_t i, size_t len)
{
	static const char *const pre[] = {"http://", "https://", "www.",
	                                  "pic.twitter.com/"};
	if (i > 0 && !isspace((unsigned char)t[i - 1]) && t[i - 1] != '(' &&
	    t[i - 1] != '<')
		return 0;
	for (size_t k = 0; k < sizeof pre / sizeof pre[0]; k++) {
		size_t n = strlen(pre[k]);
		if (i + n <= len && strncasecmp(t + i, pre[k], n) == 0)
			return 1;
	}
	return 0;
}

/* The end of an inline tag starting at t[i] == '<', or 0. */
static size_t tag_end(const char *t, size_t i, size_t len)
{
	if (i + 1 >= len)
		return 0;
	unsigned char c = (unsigned char)t[i + 1];
	if (!isalpha(c) && c != '/' && c != '!')
		return 0;
	for (size_t j = i + 1; j < len && j < i + 512; j++) {
		if (t[j] == '>')
			return j + 1;
		if (t[j] == '<' || t[j] == '\n')
			return 0;
	}
	return 0;
}

/* Blanks the markers at the start of the line at t[i]; returns where the
 * line's text starts. */
static size_t line_start(char *t, size_t i, size_t len)
{
	size_t j = i;
	while (j < len && j < i + 3 && t[j] == ' ')
		j++;
	/* blockquotes */
	while (j < len && t[j] == '>') {
		t[j++] = ' ';
		while (j < len && t[j] == ' ')
			j++;
	}
	if (j >= len)
		return j;
	/* headings */
	if (t[j] == '#') {
		size_t k = j;
		while (k < len && t[k] == '#' && k < j + 6)
			k++;
		if (k >= len || t[k] == ' ' || t[k] == '\n') {
			blank(t, j, k);
			return k;
		}
	}
	/* rules: --- *** ___ ===, alone on their line */
	if (t[j] == '-' || t[j] == '*' || t[j] == '_' || t[j] == '=') {
		size_t k = j;
		int marks = 0;
		while (k < len && (t[k] == t[j] || t[k] == ' ')) {
			marks += t[k] == t[j];
			k++;
		}
		if (marks >= 3 && (k >= len || t[k] == '\n')) {
			blank(t, j, k);
			return k;
		}
	}
	/* bullets */
	if ((t[j] == '-' || t[j] == '*' || t[j] == '+') && j + 1 < len &&
	    t[j + 1] == ' ') {
		t[j] = ' ';
		return j + 1;
	}
	/* numbered items: up to 3 digits, '.' or ')', a space */
	size_t k = j;
	while (k < len && k < j + 3 && isdigit((unsigned char)t[k]))
		k++;
	if (k > j && k + 1 < len && (t[k] == '.' || t[k] == ')') &&
	    t[k + 1] == ' ') {
		blank(t, j, k + 1);
		return k + 1;
	}
	return j;
}

int art_doc_from_text(art_doc *doc, const char *in, size_t len)
{
	memset(doc, 0, sizeof *doc);
	char *t = malloc(len + 1);
	if (!t)
		return -1;
	memcpy(t, in, len);
	t[len] = '\0';
	if (len >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0)
		blank(t, 0, 3);
	int at_line = 1;
	for (size_t i = 0; i < len;) {
		if (at_line) {
			at_line = 0;
			i = line_start(t, i, len);
			continue;
		}
		unsigned char c = (unsigned char)t[i];
		if (c == '\n') {
			at_line = 1;
			i++;
		} else if (c == '\r') {
			t[i] = i + 1 < len && t[i + 1] == '\n' ? ' ' : '\n';
			at_line = t[i] == '\n';
			i++;
		} else if (c == 0xC2 && i + 1 < len &&
		           (unsigned char)t[i + 1] == 0xA0) {
			blank(t, i, i + 2); /* no-break space */
			i += 2;
		} else if (c == '\\' && i + 1 < len &&
		           ispunct((unsigned char)t[i + 1])) {
			t[i] = ' ';
			i += 2;
		} else if (c == '*' || c == '`' ||
		           (c == '_' && i + 1 < len && t[i + 1] == '_')) {
			/* emphasis and code marks; a lone '_' stays (names) */
			while (i < len && (t[i] == '*' || t[i] == '`' ||
			                   (t[i] == '_' && c == '_')))
				t[i++] = ' ';
		} else if (c == '<') {
			size_t e = tag_end(t, i, len);
			if (e) {
				blank(t, i, e);
				i = e;
			} else {
				i++;
			}
		} else if (c == '!' && i + 1 < len && t[i + 1] == '[') {
			/* an image: its alt text is no prose */
			size_t j = i + 2;
			while (j < len && t[j] != ']' && t[j] != '\n')
				j++;
			if (j + 1 < len && t[j] == ']' && t[j + 1] == '(') {
				size_t k = j + 2;
				while (k < len && t[k] != ')' && t[k] != '\n')
					k++;
				if (k < len && t[k] == ')') {
					blank(t, i, k + 1);
					i = k + 1;
					continue;
				}
			}
			i++;
		} else if (c == '[') {
			/* [text](target): the text stays */
			size_t j = i + 1;
			while (j < len && j < i + 1024 && t[j] != ']' &&
			       t[j] != '\n')
				j++;
			if (j + 1 < len && t[j] == ']' && t[j + 1] == '(') {
				size_t k = j + 2;
				while (k < len && k < j + 4096 && t[k] != ')' &&
				       t[k] != '\n')
					k++;
				if (k < len && t[k] == ')') {
					t[i] = ' ';
					blank(t, j, k + 1);
				}
			}
			i++;
		} else if ((c == 'h' || c == 'H' || c == 'w' || c == 'W' ||
		            c == 'p') &&
		           is_url_start(t, i, len)) {
			size_t j = i;
			while (j < len && !isspace((unsigned char)t[j]))
				j++;
			blank(t, i, j);
			i = j;
		} else {
			i++;
		}
	}
	doc->text = t;
	doc->len = len;
	doc->kind = ART_IN_TEXT;
	return 0;
}

/* ---- HTML ---- */

typedef struct hbuf {
	tl_buf t;
	int space; /* the last byte written was white space */
} hbuf;

/* Appends; a failure is kept in b->t.failed, checked once at the end. */
static void hb_put(hbuf *b, const char *p, size_t n)
{
	(void)tl_buf_add(&b->t, p, n);
}

/* Drops the trailing spaces. */
static void hb_trim(hbuf *b)
{
	while (b->t.len && b->t.data[b->t.len - 1] == ' ')
		b->t.data[--b->t.len] = '\0';
}

/* A paragraph break (at most one blank line). */
static void hb_break(hbuf *b)
{
	if (b->t.len == 0)
		return;
	hb_trim(b);
	const char *s = b->t.data;
	size_t n = b->t.len;
	if (n >= 2 && s[n - 1] == '\n' && s[n - 2] == '\n')
		return;
	if (n && s[n - 1] == '\n')
		hb_put(b, "\n", 1);
	else
		hb_put(b, "\n\n", 2);
	b->space = 1;
}

/* Text with runs of white space made one space. */
static void hb_text(hbuf *b, const char *s)
{
	const char *p = s;
	while (*p) {
		if (isspace((unsigned char)*p) ||
		    ((unsigned char)p[0] == 0xC2 &&
		     (unsigned char)p[1] == 0xA0)) {
			if (!b->space && b->t.len)
				hb_put(b, " ", 1);
			b->space = 1;
			p += (unsigned char)*p == 0xC2 ? 2 : 1;
			continue;
		}
		const char *q = p;
		while (*q && !isspace((unsigned char)*q) &&
		       !((unsigned char)q[0] == 0xC2 &&
		         (unsigned char)q[1] == 0xA0))
			q++;
		hb_put(b, p, (size_t)(q - p));
		b->space = 0;
		p = q;
	}
}

static int name_is(const xmlNode *n, const char *const *names)
{
	for (size_t k = 0; names[k]; k++)
		if (strcasecmp((const char *)n->name, names[k]) == 0)
			return 1;
	return 0;
}

static const char *const skip_elems[] = {
        "script", "style",  "noscript", "template", "nav",    "footer",
        "aside",  "form",   "iframe",   "svg",      "button", "select",
        "head",   "object", "canvas",   "math",     NULL};
static const char *const block_elems[] = {
        "p",      "div",  "h1",         "h2",         "h3",      "h4",
        "h5",     "h6",   "li",         "ul",         "ol",      "br",
        "tr",     "td",   "th",         "table",      "article", "section",
        "header", "main", "blockquote", "figcaption", "figure",  "dd",
        "dt",     "dl",   "pre",        "hr",         "address", "title",
        "body",   NULL};

static const char *const date_metas[] = {"article:published_time",
                                         "og:published_time",
                                         "datepublished",
                                         "date",
                                         "pubdate",
                                         "publishdate",
                                         "publish-date",
                                         "publish_date",
                                         "dc.date",
                                         "dc.date.issued",
                                         "dcterms.date",
                                         "dcterms.created",
                                         "dcterms.issued",
                                         "parsely-pub-date",
                                         "sailthru.date",
                                         "article.published",
                                         "published_time",
                                         "originalpublicationdate",
                                         NULL};

typedef struct hstate {
	hbuf text;
	char *title_og, *title_h1, *title_tag;
	char *url_canon, *url_og;
	char *date_meta, *date_time;
} hstate;

static char *attr(const xmlNode *n, const char *name)
{
	return (char *)xmlGetProp(n, (const xmlChar *)name);
}

static void keep(char **slot, char *v)
{
	if (!*slot && v && *v)
		*slot = v;
	else
		xmlFree(v);
}

static char *node_text(const xmlNode *n)
{
	return (char *)xmlNodeGetContent(n);
}

static void head_element(hstate *h, const xmlNode *n)
{
	const char *name = (const char *)n->name;
	if (strcasecmp(name, "meta") == 0) {
		char *key = attr(n, "property");
		if (!key)
			key = attr(n, "name");
		if (!key)
			key = attr(n, "itemprop");
		if (!key)
			return;
		if (strcasecmp(key, "og:title") == 0)
			keep(&h->title_og, attr(n, "content"));
		else if (strcasecmp(key, "og:url") == 0)
			keep(&h->url_og, attr(n, "content"));
		else
			for (size_t k = 0; date_metas[k]; k++)
				if (strcasecmp(key, date_metas[k]) == 0) {
					keep(&h->date_meta, attr(n, "content"));
					break;
				}
		xmlFree(key);
	} else if (strcasecmp(name, "link") == 0) {
		char *rel = attr(n, "rel");
		if (rel && strcasecmp(rel, "canonical") == 0)
			keep(&h->url_canon, attr(n, "href"));
		xmlFree(rel);
	} else if (strcasecmp(name, "title") == 0) {
		keep(&h->title_tag, node_text(n));
	} else if (strcasecmp(name, "time") == 0) {
		keep(&h->date_time, attr(n, "datetime"));
	} else if (strcasecmp(name, "h1") == 0) {
		keep(&h->title_h1, node_text(n));
	}
}

static void walk(hstate *h, const xmlNode *n, int depth)
{
	for (; n; n = n->next) {
		if (n->type == XML_TEXT_NODE ||
		    n->type == XML_CDATA_SECTION_NODE) {
			if (n->content)
				hb_text(&h->text, (const char *)n->content);
			continue;
		}
		if (n->type != XML_ELEMENT_NODE || !n->name)
			continue;
		head_element(h, n);
		if (name_is(n, skip_elems)) {
			/* the head holds meta, link and title elements */
			if (strcasecmp((const char *)n->name, "head") == 0 &&
			    depth < 64)
				for (const xmlNode *c = n->children; c;
				     c = c->next)
					if (c->type == XML_ELEMENT_NODE)
						head_element(h, c);
			continue;
		}
		int block = name_is(n, block_elems);
		if (block)
			hb_break(&h->text);
		if (depth < 200)
			walk(h, n->children, depth + 1);
		if (block)
			hb_break(&h->text);
	}
}

static char *trimmed_copy(const char *s)
{
	if (!s)
		return NULL;
	hbuf b = {.space = 1};
	tl_buf_init(&b.t, SIZE_MAX / 2);
	hb_text(&b, s);
	hb_trim(&b);
	if (b.t.len == 0) { /* failed, or nothing but white space */
		tl_buf_release(&b.t);
		return NULL;
	}
	return tl_buf_steal(&b.t);
}

int art_doc_from_html(art_doc *doc, const char *in, size_t len, char *why,
                      size_t whysize)
{
	memset(doc, 0, sizeof *doc);
	if (len > (size_t)INT32_MAX) {
		snprintf(why, whysize, "HTML input too large");
		return -1;
	}
	htmlDocPtr d =
	        htmlReadMemory(in, (int)len, NULL, NULL,
	                       HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
	                               HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
	if (!d) {
		snprintf(why, whysize, "the HTML parser read nothing");
		return -1;
	}
	hstate h;
	memset(&h, 0, sizeof h);
	tl_buf_init(&h.text.t, SIZE_MAX / 2);
	h.text.space = 1;
	walk(&h, xmlDocGetRootElement(d) ? d->children : NULL, 0);
	xmlFreeDoc(d);
	int rc = 0;
	if (h.text.t.failed) {
		snprintf(why, whysize, "out of memory");
		rc = -1;
	} else {
		doc->len = h.text.t.len;
		doc->text = tl_buf_steal(&h.text.t);
		doc->kind = ART_IN_HTML;
		const char *title = h.title_og   ? h.title_og
		                    : h.title_h1 ? h.title_h1
		                                 : h.title_tag;
		doc->html_title = trimmed_copy(title);
		doc->html_url =
		        trimmed_copy(h.url_canon ? h.url_canon : h.url_og);
		doc->html_date =
		        trimmed_copy(h.date_meta ? h.date_meta : h.date_time);
		if (!doc->text) {
			snprintf(why, whysize, "out of memory");
			rc = -1;
		}
	}
	tl_buf_release(&h.text.t);
	xmlFree(h.title_og);
	xmlFree(h.title_h1);
	xmlFree(h.title_tag);
	xmlFree(h.url_canon);
	xmlFree(h.url_og);
	xmlFree(h.date_meta);
	xmlFree(h.date_time);
	return rc;
}

void art_doc_release(art_doc *doc)
{
	if (!doc)
		return;
	free(doc->text);
	free(doc->html_title);
	free(doc->html_url);
	free(doc->html_date);
	memset(doc, 0, sizeof *doc);
}
