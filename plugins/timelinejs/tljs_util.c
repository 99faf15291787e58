/*
 * tljs_util.c -- helpers of the timelinejs plugin: EDTF year spelling, and
 * the HTML escaping TimelineJS needs since it renders headlines and text as
 * HTML (escape.h's, with its inverse for reading).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "escape.h"
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

static int put_buf(void *ctx, const char *s, size_t n)
{
	return tl_buf_add(ctx, s, n);
}

char *tljs_html_escape(const char *s, int newlines)
{
	tl_buf b;
	tl_buf_init(&b, SIZE_MAX / 2);
	escape_html(s, strlen(s), newlines ? ESCAPE_NEWLINE_BR : 0, put_buf,
	            &b);
	return tl_buf_steal(&b);
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
