/*
 * csv_write.c -- the csv exporter: one header line
 * "uid,title,start,end,tz,location,tags,url,body" and one record an event,
 * RFC 4180: records end in CR LF; a field containing a comma, a quote, a CR
 * or a LF, or starting or ending with a blank, is quoted, its quotes
 * doubled; tags are joined by ';' (a tag never holds one).  Absent fields
 * are empty.  Events are pulled one at a time through a fixed buffer, so
 * any number is written in constant memory.
 */
#include <stdlib.h>
#include <string.h>

#include "csv_plugin.h"

typedef struct writer {
	tldb_run *run;
	int32_t rc;
	size_t n;
	char buf[65536];
} writer;

static void flush(writer *w)
{
	if (w->n && !w->rc)
		w->rc = csv_host->write(w->run, w->buf, w->n);
	w->n = 0;
}

static void put(writer *w, const char *s, size_t len)
{
	while (len && !w->rc) {
		size_t room = sizeof w->buf - w->n;
		size_t k = len < room ? len : room;
		memcpy(w->buf + w->n, s, k);
		w->n += k;
		s += k;
		len -= k;
		if (w->n == sizeof w->buf)
			flush(w);
	}
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* 1 when s must be quoted. */
static int needs_quotes(const char *s)
{
	size_t n = strlen(s);
	return n && (is_blank(s[0]) || is_blank(s[n - 1]) ||
	             strpbrk(s, ",\"\r\n") != NULL);
}

/* Writes s, its quotes doubled when `quoted`. */
static void put_text(writer *w, const char *s, int quoted)
{
	while (*s) {
		const char *q = quoted ? strchr(s, '"') : NULL;
		size_t n = q ? (size_t)(q - s) + 1 : strlen(s);
		put(w, s, n);
		if (q)
			put(w, "\"", 1);
		s += n;
	}
}

static void put_field(writer *w, const char *s)
{
	if (!s)
		return;
	int quoted = needs_quotes(s);
	if (quoted)
		put(w, "\"", 1);
	put_text(w, s, quoted);
	if (quoted)
		put(w, "\"", 1);
}

static void put_tags(writer *w, const char *const *tags)
{
	int quoted = 0;
	for (size_t i = 0; tags && tags[i]; i++)
		quoted |= needs_quotes(tags[i]);
	if (quoted)
		put(w, "\"", 1);
	for (size_t i = 0; tags && tags[i]; i++) {
		if (i)
			put(w, ";", 1);
		put_text(w, tags[i], quoted);
	}
	if (quoted)
		put(w, "\"", 1);
}

static void put_event(writer *w, const tldb_plugin_event *ev)
{
	const char *const text[CSV_EXPORT_FIELDS] = {
	        ev->uid,      ev->title, ev->start, ev->end, ev->tz,
	        ev->location, NULL,      ev->url,   ev->body};
	for (int k = 0; k < CSV_EXPORT_FIELDS; k++) {
		if (k)
			put(w, ",", 1);
		if (k == CSV_F_TAGS)
			put_tags(w, ev->tags);
		else
			put_field(w, text[k]);
	}
	put(w, "\r\n", 2);
}

int32_t csv_export_run(tldb_run *run, void *state)
{
	(void)state;
	writer *w = malloc(sizeof *w);
	if (!w)
		return TLDB_PLUGIN_NOMEM;
	w->run = run;
	w->rc = TLDB_PLUGIN_OK;
	w->n = 0;
	for (int k = 0; k < CSV_EXPORT_FIELDS; k++) {
		if (k)
			put(w, ",", 1);
		put(w, csv_field_names[k], strlen(csv_field_names[k]));
	}
	put(w, "\r\n", 2);
	const tldb_plugin_event *ev;
	int32_t got = 0;
	while (!w->rc && (got = csv_host->next(run, &ev)) == 1)
		put_event(w, ev);
	flush(w);
	int32_t rc = w->rc     ? w->rc
	             : got < 0 ? TLDB_PLUGIN_ERROR
	                       : TLDB_PLUGIN_OK;
	free(w);
	return rc;
}
