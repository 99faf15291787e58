/*
 * escape.h -- HTML and XML escaping of text, one copy for the tree:
 * compiled into libtldb's users that write markup (the feed server's index
 * page) and into the plugins that do (html, timelinejs).
 *
 * The caller chooses what else beyond & < > is replaced, so each writer
 * keeps its exact bytes: attributes need the quotes, TimelineJS turns
 * newlines into <br>, a page replaces the control characters HTML forbids.
 */
#ifndef TLDB_ESCAPE_H
#define TLDB_ESCAPE_H

#include <stddef.h>

enum escape_flags {
	ESCAPE_QUOTES = 1,     /* " and ' as &quot; and &#39; */
	ESCAPE_NEWLINE_BR = 2, /* \n as <br>\n */
	ESCAPE_CONTROLS = 4, /* C0 controls but \t \n \r, and DEL, as U+FFFD */
};

/* The replacement of byte c (a NUL-terminated static string), or NULL when c
 * stands as it is. */
const char *escape_html_of(unsigned char c, unsigned flags);

/* Where escape_html sends its output: 0 to go on, anything else stops it. */
typedef int (*escape_sink)(void *ctx, const char *s, size_t n);

/* Sends s[0..n) to put, escaped: unchanged runs in one call each, every
 * replacement in its own.  Returns 0, or the first non-zero result of put. */
int escape_html(const char *s, size_t n, unsigned flags, escape_sink put,
                void *ctx);

#endif /* TLDB_ESCAPE_H */
