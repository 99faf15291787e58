/*
 * ics_text.c -- the .ics serializer: content lines built in memory, TEXT
 * values escaped (RFC 5545 3.3.11: backslash first, then ; , and newline as
 * \n; CR and other control characters but TAB dropped; : and " left alone),
 * lines folded at 75 octets with CRLF and a one-space continuation, never
 * inside a UTF-8 sequence or an escape pair such as \n or \, (Google drops
 * such events), and a line of exactly 75 octets left whole.  The output is
 * buffered and handed to host->write in large blocks.
 */
#include <stdlib.h>
#include <string.h>

#include "ical_plugin.h"

#define OUT_CAP  65536
#define FOLD_MAX 75

int32_t ics_out_init(ics_out *o, tldb_run *run)
{
	memset(o, 0, sizeof *o);
	o->run = run;
	o->buf = malloc(OUT_CAP);
	o->cap = OUT_CAP;
	o->line = malloc(1024);
	o->lcap = 1024;
	if (!o->buf || !o->line) {
		ics_out_free(o);
		return TLDB_PLUGIN_NOMEM;
	}
	return TLDB_PLUGIN_OK;
}

void ics_out_free(ics_out *o)
{
	free(o->buf);
	free(o->line);
	free(o->fold);
	o->buf = o->line = o->fold = NULL;
}

int32_t ics_out_flush(ics_out *o)
{
	if (!o->rc && o->len) {
		o->rc = ical_host->write(o->run, o->buf, o->len);
		o->len = 0;
	}
	return o->rc;
}

static void put(ics_out *o, const char *s, size_t n)
{
	while (!o->rc && n) {
		if (o->len == o->cap && ics_out_flush(o))
			return;
		size_t k = o->cap - o->len < n ? o->cap - o->len : n;
		memcpy(o->buf + o->len, s, k);
		o->len += k;
		s += k;
		n -= k;
	}
}

static int reserve(ics_out *o, size_t more)
{
	if (o->rc)
		return -1;
	if (o->llen + more <= o->lcap)
		return 0;
	size_t cap = o->lcap;
	while (cap < o->llen + more)
		cap *= 2;
	char *l = realloc(o->line, cap);
	if (!l) {
		o->rc = TLDB_PLUGIN_NOMEM;
		return -1;
	}
	o->line = l;
	o->lcap = cap;
	return 0;
}

void ics_raw(ics_out *o, const char *s, size_t n)
{
	if (reserve(o, n))
		return;
	memcpy(o->line + o->llen, s, n);
	o->llen += n;
}

void ics_str(ics_out *o, const char *s)
{
	ics_raw(o, s, strlen(s));
}

static int is_control(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

void ics_text(ics_out *o, const char *s)
{
	size_t n = strlen(s);
	if (reserve(o, 2 * n))
		return;
	char *d = o->line + o->llen;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\\' || c == ';' || c == ',') {
			*d++ = '\\';
			*d++ = (char)c;
		} else if (c == '\n') {
			*d++ = '\\';
			*d++ = 'n';
		} else if (!is_control(c)) {
			*d++ = (char)c;
		}
	}
	o->llen = (size_t)(d - o->line);
}

void ics_clean(ics_out *o, const char *s)
{
	size_t n = strlen(s);
	if (reserve(o, n))
		return;
	char *d = o->line + o->llen;
	for (size_t i = 0; i < n; i++)
		if (!is_control((unsigned char)s[i]))
			*d++ = s[i];
	o->llen = (size_t)(d - o->line);
}

size_t ics_fold(const char *line, size_t n, char *out)
{
	size_t w = 0, seg = 0, last_ok = 0, limit = FOLD_MAX;
	int pending = 0; /* the previous byte opened an escape pair */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)line[i];
		int second = pending;
		pending = !second && c == '\\';
		if (i > seg && !second && (c & 0xC0) != 0x80)
			last_ok = i;
		if (i - seg + 1 > limit) {
			size_t cut = last_ok > seg ? last_ok : i;
			memcpy(out + w, line + seg, cut - seg);
			w += cut - seg;
			memcpy(out + w, "\r\n ", 3);
			w += 3;
			seg = cut;
			limit = FOLD_MAX - 1;
			last_ok = 0;
			if (i > seg && !second && (c & 0xC0) != 0x80)
				last_ok = i;
		}
	}
	memcpy(out + w, line + seg, n - seg);
	w += n - seg;
	memcpy(out + w, "\r\n", 2);
	return w + 2;
}

void ics_endline(ics_out *o)
{
	if (o->rc)
		return;
	size_t n = o->llen;
	if (n <= FOLD_MAX) {
		put(o, o->line, n);
		put(o, "\r\n", 2);
	} else {
		/* every segment holds at least 71 octets (a cut moves back at
		 * most 3 to keep a UTF-8 sequence whole) */
		size_t need = n + 3 * (n / 64 + 2) + 2;
		if (need > o->fcap) {
			char *f = realloc(o->fold, need);
			if (!f) {
				o->rc = TLDB_PLUGIN_NOMEM;
				return;
			}
			o->fold = f;
			o->fcap = need;
		}
		put(o, o->fold, ics_fold(o->line, n, o->fold));
	}
	o->llen = 0;
}

void ics_line(ics_out *o, const char *name, const char *value)
{
	ics_str(o, name);
	ics_raw(o, ":", 1);
	ics_clean(o, value);
	ics_endline(o);
}

void ics_line_text(ics_out *o, const char *name, const char *value)
{
	ics_str(o, name);
	ics_raw(o, ":", 1);
	ics_text(o, value);
	ics_endline(o);
}
