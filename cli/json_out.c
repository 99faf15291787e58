/*
 * json_out.c -- events as the contract's JSON, written one at a time so a
 * million results stream in constant memory.  Built on jansson.
 *
 * Absent optional fields (body, end, tz, location, url, and absent source
 * fields) are left out; tags and sources are always arrays.
 */
#include <jansson.h>
#include <stdlib.h>

#include "cli.h"

struct json_writer {
	FILE *out;
	int lines;
	long count;
	int failed;
};

static void set_str(json_t *o, const char *key, const char *s)
{
	if (s && *s)
		json_object_set_new(o, key, json_string(s));
}

static void set_span(json_t *o, const char *key, const int64_t span[2])
{
	if (span[0] < 0)
		return;
	json_object_set_new(o, key,
			    json_pack("[II]", (json_int_t)span[0],
				      (json_int_t)span[1]));
}

static void set_instant(json_t *o, const char *key, int64_t t)
{
	char buf[64];
	tldb_format_instant(t, buf, sizeof buf);
	json_object_set_new(o, key, json_string(buf));
}

static json_t *source_json(const tldb_source *s)
{
	json_t *o = json_object();
	set_str(o, "url", s->url);
	set_str(o, "title", s->title);
	set_str(o, "plugin", s->plugin);
	set_str(o, "quote", s->quote);
	set_span(o, "span", s->span);
	set_str(o, "expr", s->expr);
	set_span(o, "expr_span", s->expr_span);
	set_str(o, "doc_date", s->doc_date);
	set_str(o, "resolver", s->resolver);
	return o;
}

static json_t *event_json(const tldb_event *ev)
{
	json_t *o = json_object();
	set_str(o, "uid", ev->uid);
	set_str(o, "timeline", ev->timeline);
	set_str(o, "title", ev->title);
	set_str(o, "body", ev->body);
	set_str(o, "start", ev->start);
	set_str(o, "end", ev->end);
	set_str(o, "tz", ev->tz);
	set_str(o, "location", ev->location);
	json_t *tags = json_array();
	for (size_t i = 0; i < ev->ntags; i++)
		json_array_append_new(tags, json_string(ev->tags[i]));
	json_object_set_new(o, "tags", tags);
	set_str(o, "url", ev->url);
	json_t *srcs = json_array();
	for (size_t i = 0; i < ev->nsources; i++)
		json_array_append_new(srcs, source_json(&ev->sources[i]));
	json_object_set_new(o, "sources", srcs);
	set_instant(o, "created", ev->created);
	set_instant(o, "updated", ev->updated);
	json_object_set_new(o, "sequence", json_integer((json_int_t)ev->sequence));
	return o;
}

json_writer *json_writer_new(FILE *out, int lines, const char *timeline)
{
	json_writer *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->out = out;
	w->lines = lines;
	if (!lines) {
		fputs("{\"tldb\": 1, ", out);
		if (timeline) {
			json_t *t = json_pack("{ss}", "name", timeline);
			fputs("\"timeline\": ", out);
			json_dumpf(t, out, JSON_COMPACT);
			json_decref(t);
			fputs(", ", out);
		}
		fputs("\"events\": [", out);
	}
	return w;
}

int json_writer_event(json_writer *w, const tldb_event *ev)
{
	if (!w)
		return -1;
	json_t *o = event_json(ev);
	if (!w->lines)
		fputs(w->count ? ",\n  " : "\n  ", w->out);
	if (!o || json_dumpf(o, w->out, JSON_COMPACT | JSON_PRESERVE_ORDER))
		w->failed = 1;
	if (w->lines)
		fputc('\n', w->out);
	json_decref(o);
	w->count++;
	return w->failed ? -1 : 0;
}

int json_writer_finish(json_writer *w)
{
	if (!w)
		return -1;
	if (!w->lines)
		fputs(w->count ? "\n]}\n" : "]}\n", w->out);
	int failed = w->failed || fflush(w->out) != 0 || ferror(w->out);
	free(w);
	return failed ? -1 : 0;
}

int json_print_event(FILE *out, const tldb_event *ev)
{
	json_t *o = event_json(ev);
	int rc = o ? json_dumpf(o, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : -1;
	fputc('\n', out);
	json_decref(o);
	return rc;
}
