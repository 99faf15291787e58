/*
 * json_write.c -- the json and jsonl exporters: events as the contract's
 * JSON, serialised by jansson one event at a time, so any number of events
 * is written in constant memory.  Absent optional fields are left out; tags
 * and sources are always arrays.
 *
 * The strings come from the store, which admits only valid UTF-8 (core
 * event checks), and the keys are ASCII literals, so they are handed to
 * jansson through its _nocheck calls: validating every string again was
 * a fifth of an export's time.  Should an invalid string ever get through,
 * json_dumps refuses it and the export fails; nothing invalid is written.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "json_plugin.h"

static void set_str(json_t *o, const char *key, const char *s)
{
	if (s && *s)
		json_object_set_new_nocheck(o, key, json_string_nocheck(s));
}

static void set_span(json_t *o, const char *key, int64_t a, int64_t b)
{
	if (a >= 0)
		json_object_set_new_nocheck(
		        o, key,
		        json_pack("[II]", (json_int_t)a, (json_int_t)b));
}

static void set_instant(json_t *o, const char *key, int64_t t)
{
	char buf[64];
	if (json_host->format_instant(t, buf, sizeof buf) > 0)
		json_object_set_new_nocheck(o, key, json_string_nocheck(buf));
}

static json_t *event_json(const tldb_plugin_event *ev)
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
	for (size_t i = 0; ev->tags && ev->tags[i]; i++)
		json_array_append_new(tags, json_string_nocheck(ev->tags[i]));
	json_object_set_new_nocheck(o, "tags", tags);
	set_str(o, "url", ev->url);
	json_t *srcs = json_array();
	for (size_t i = 0; ev->sources && ev->sources[i]; i++) {
		const tldb_plugin_source *s = ev->sources[i];
		json_t *so = json_object();
		set_str(so, "url", s->url);
		set_str(so, "title", s->title);
		set_str(so, "plugin", s->plugin);
		set_str(so, "quote", s->quote);
		set_span(so, "span", s->span_begin, s->span_end);
		set_str(so, "expr", s->expr);
		set_span(so, "expr_span", s->expr_begin, s->expr_end);
		set_str(so, "doc_date", s->doc_date);
		set_str(so, "resolver", s->resolver);
		json_array_append_new(srcs, so);
	}
	json_object_set_new_nocheck(o, "sources", srcs);
	set_instant(o, "created", ev->created);
	set_instant(o, "updated", ev->updated);
	json_object_set_new_nocheck(o, "sequence",
	                            json_integer((json_int_t)ev->sequence));
	return o;
}

static int32_t put(tldb_run *run, const char *s)
{
	return json_host->write(run, s, strlen(s));
}

static int32_t put_json(tldb_run *run, json_t *o)
{
	char *text =
	        o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	if (!text) {
		json_host->error(run, TLDB_PLUGIN_NOMEM, 0, 0, "out of memory");
		return TLDB_PLUGIN_NOMEM;
	}
	int32_t rc = put(run, text);
	free(text);
	return rc;
}

/* Writes every event, each followed by `sep` (the last by `last`). */
static int32_t write_events(tldb_run *run, const char *first, const char *sep,
                            const char *last)
{
	const tldb_plugin_event *ev;
	int32_t rc, n = 0;
	while ((rc = json_host->next(run, &ev)) == 1) {
		if ((rc = put(run, n++ ? sep : first)) ||
		    (rc = put_json(run, event_json(ev))))
			return rc;
	}
	if (rc < 0)
		return rc;
	return put(run, n ? last : "");
}

int32_t json_export_document(tldb_run *run, void *state)
{
	(void)state;
	int32_t rc = put(run, "{\"tldb\": 1, ");
	const tldb_plugin_timeline *tl = json_host->timeline(run);
	if (!rc && tl) {
		json_t *t = json_object();
		set_str(t, "name", tl->name);
		set_str(t, "title", tl->title);
		set_str(t, "description", tl->description);
		if (!(rc = put(run, "\"timeline\": ")) &&
		    !(rc = put_json(run, t)))
			rc = put(run, ", ");
	}
	if (!rc)
		rc = put(run, "\"events\": [");
	if (!rc)
		rc = write_events(run, "\n  ", ",\n  ", "\n");
	return rc ? rc : put(run, "]}\n");
}

int32_t json_export_lines(tldb_run *run, void *state)
{
	(void)state;
	return write_events(run, "", "\n", "\n");
}
