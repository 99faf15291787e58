/*
 * html_out.c -- the exporter's output: a fixed buffer in front of
 * host->write that remembers the first failure, and HTML escaping.  All
 * event text reaches the page through html_text*, which escapes the five
 * characters that matter in content and quoted attributes, so no event
 * data can open a tag, close an attribute or start a character reference.
 */
#include <stdarg.h>
#include <string.h>

#include "escape.h"
#include "html_plugin.h"

int32_t html_flush(html_out *o)
{
	if (o->rc == TLDB_PLUGIN_OK && o->len > 0)
		o->rc = html_host->write(o->run, o->buf, o->len);
	o->len = 0;
	return o->rc;
}

void html_raw(html_out *o, const char *s, size_t n)
{
	if (o->rc != TLDB_PLUGIN_OK)
		return;
	if (o->len + n > sizeof o->buf) {
		if (html_flush(o) != TLDB_PLUGIN_OK)
			return;
		if (n > sizeof o->buf) {
			o->rc = html_host->write(o->run, s, n);
			return;
		}
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

void html_put(html_out *o, const char *s)
{
	html_raw(o, s, strlen(s));
}

void html_printf(html_out *o, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	html_raw(o, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static int put_raw(void *ctx, const char *s, size_t n)
{
	html_raw(ctx, s, n);
	return 0;
}

/* Escapes s[0..n) for text and attributes alike; newlines become <br> when
 * br is set. */
static void escape(html_out *o, const char *s, size_t n, int br)
{
	unsigned flags = ESCAPE_QUOTES | ESCAPE_CONTROLS;
	escape_html(s, n, br ? flags | ESCAPE_NEWLINE_BR : flags, put_raw, o);
}

void html_text(html_out *o, const char *s)
{
	if (s)
		escape(o, s, strlen(s), 0);
}

void html_textn(html_out *o, const char *s, size_t n)
{
	if (s)
		escape(o, s, n, 0);
}

void html_text_br(html_out *o, const char *s)
{
	if (s)
		escape(o, s, strlen(s), 1);
}
