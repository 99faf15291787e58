/*
 * escape.c -- HTML and XML escaping of text (see escape.h).
 */
#include "escape.h"

#include <string.h>

const char *escape_html_of(unsigned char c, unsigned flags)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return flags & ESCAPE_QUOTES ? "&quot;" : NULL;
	case '\'':
		return flags & ESCAPE_QUOTES ? "&#39;" : NULL;
	case '\n':
		return flags & ESCAPE_NEWLINE_BR ? "<br>\n" : NULL;
	case '\t':
	case '\r':
		return NULL;
	default:
		return (flags & ESCAPE_CONTROLS) && (c < 0x20 || c == 0x7f)
		               ? "\xEF\xBF\xBD"
		               : NULL;
	}
}

int escape_html(const char *s, size_t n, unsigned flags, escape_sink put,
                void *ctx)
{
	size_t run = 0; /* the start of the bytes not yet sent */
	int rc;

	for (size_t i = 0; i < n; i++) {
		const char *rep = escape_html_of((unsigned char)s[i], flags);
		if (!rep)
			continue;
		if (i > run && (rc = put(ctx, s + run, i - run)) != 0)
			return rc;
		if ((rc = put(ctx, rep, strlen(rep))) != 0)
			return rc;
		run = i + 1;
	}
	return n > run ? put(ctx, s + run, n - run) : 0;
}
