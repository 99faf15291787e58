/*
 * tljs_util.c -- helpers of the timelinejs plugin: EDTF year spelling, a
 * growing string, and the HTML escaping TimelineJS needs since it renders
 * headlines and text as HTML.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timelinejs.h"

void tljs_edtf_year(int64_t y, char *buf, size_t size)
{
	if (y > 9999 || y < -9999)
		snprintf(buf, size, "Y%lld", (long long)y);
	else if (y < 0)
		snprintf(buf, size, "-%04lld", (long long)-y);
	else
		snprintf(buf, size, "%04lld", (long long)y);
}

void tljs_str_add(tljs_str *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->s, cap);
		if (!p) {
			b->failed = 1;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void tljs_str_free(tljs_str *b)
{
	free(b->s);
	memset(b, 0, sizeof *b);
}

static const char *escape_of(char c, int newlines)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '\n':
		return newlines ? "<br>\n" : NULL;
	default:
		return NULL;
	}
}

char *tljs_html_escape(const char *s, int newlines)
{
	tljs_str b = {0};
	tljs_str_add(&b, "", 0);
	for (const char *p = s; *p; p++) {
		const char *e = escape_of(*p, newlines);
		tljs_str_add(&b, e ? e : p, e ? strlen(e) : 1);
	}
	if (b.failed) {
		tljs_str_free(&b);
		return NULL;
	}
	return b.s;
}

/* The character `s` starts the escape of, with its length; 0 when none. */
static char unescape_at(const char *s, int newlines, size_t *n)
{
	static const char *const names[] = {"&amp;", "&lt;", "&gt;", "<br>\n"};
	static const char chars[] = {'&', '<', '>', '\n'};
	for (size_t i = 0; i < sizeof chars; i++) {
		if (chars[i] == '\n' && !newlines)
			continue;
		*n = strlen(names[i]);
		if (strncmp(s, names[i], *n) == 0)
			return chars[i];
	}
	return 0;
}

void tljs_html_unescape(char *s, int newlines)
{
	char *w = s;
	for (const char *p = s; *p;) {
		size_t n;
		char c = unescape_at(p, newlines, &n);
		if (c) {
			*w++ = c;
			p += n;
		} else {
			*w++ = *p++;
		}
	}
	*w = '\0';
}

int64_t tljs_year_out(int64_t y)
{
	return y <= 0 ? y - 1 : y;
}

int64_t tljs_year_in(int64_t y)
{
	/* TimelineJS has no year 0; one written anyway is read as 1 BC. */
	return y < 0 ? y + 1 : y;
}
