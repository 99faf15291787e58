/*
 * tljs_write.c -- the timelinejs exporter: a title slide from the exported
 * timeline, then one TimelineJS slide an event, each serialised by jansson
 * on its own so any number of events is written in constant memory.  Date
 * objects carry the fields down to the date's precision only, in UTC from
 * the date's bounds; display_date spells out qualifiers and open ends; the
 * "tldb_event" object keeps the exact EDTF dates and what TimelineJS has no
 * field for (see timelinejs.c for the decisions).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timelinejs.h"

#define PART_SIZE 256

/* One end of an event's span: absent (open or unknown) or a parsed date. */
typedef struct tljs_end {
	int present;
	tldb_plugin_date d;
} tljs_end;

static const char *const month_names[] = {
        "January", "February", "March",     "April",   "May",      "June",
        "July",    "August",   "September", "October", "November", "December"};

static int32_t put(tldb_run *run, const char *s)
{
	return tljs_host->write(run, s, strlen(s));
}

static int32_t nomem(tldb_run *run)
{
	tljs_host->error(run, TLDB_PLUGIN_NOMEM, 0, 0, "out of memory");
	return TLDB_PLUGIN_NOMEM;
}

static int32_t put_json(tldb_run *run, json_t *o)
{
	char *text =
	        o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	if (!text)
		return nomem(run);
	int32_t rc = put(run, text);
	free(text);
	return rc;
}

static void set_str(json_t *o, const char *key, const char *s)
{
	if (s && *s)
		json_object_set_new(o, key, json_string(s));
}

/* Sets key to the HTML-escaped s; 0, or -1 when memory ran out. */
static int set_html(json_t *o, const char *key, const char *s, int newlines)
{
	if (!s || !*s)
		return 0;
	char *e = tljs_html_escape(s, newlines);
	if (!e)
		return -1;
	json_object_set_new(o, key, json_string(e));
	free(e);
	return 0;
}

/* Parses one end ("" and ".." are absent); 0, or -1 with msg set. */
static int parse_end(const char *s, const char *tz, tljs_end *out, char *msg,
                     size_t size)
{
	char err[200];
	memset(out, 0, sizeof *out);
	if (!s || !*s || strcmp(s, "..") == 0)
		return 0;
	out->d.size = sizeof out->d;
	if (tljs_host->parse_date(s, tz, &out->d, err, sizeof err) !=
	    TLDB_PLUGIN_OK) {
		snprintf(msg, size, "bad date '%s': %s", s, err);
		return -1;
	}
	out->present = 1;
	return 0;
}

/* The event's two ends: its start's parts when the start is an interval,
 * else its start and end. */
static int event_ends(const tldb_plugin_event *ev, tljs_end ends[2], char *msg,
                      size_t size)
{
	const char *slash = ev->start ? strchr(ev->start, '/') : NULL;
	if (!slash)
		return parse_end(ev->start, ev->tz, &ends[0], msg, size) ||
		       parse_end(ev->end, ev->tz, &ends[1], msg, size);
	char first[PART_SIZE];
	snprintf(first, sizeof first, "%.*s", (int)(slash - ev->start),
	         ev->start);
	return parse_end(first, ev->tz, &ends[0], msg, size) ||
	       parse_end(slash + 1, ev->tz, &ends[1], msg, size);
}

static json_t *date_object(const tldb_plugin_date *d)
{
	civil_time c;
	civil_time_from_seconds(d->lo, &c);
	json_t *o = json_object();
	json_object_set_new(o, "year",
	                    json_integer((json_int_t)tljs_year_out(c.year)));
	if (d->precision >= TLDB_PLUGIN_PREC_MONTH)
		json_object_set_new(o, "month", json_integer(c.month));
	if (d->precision >= TLDB_PLUGIN_PREC_DAY)
		json_object_set_new(o, "day", json_integer(c.day));
	if (d->precision >= TLDB_PLUGIN_PREC_MINUTE) {
		json_object_set_new(o, "hour", json_integer(c.hour));
		json_object_set_new(o, "minute", json_integer(c.minute));
	}
	if (d->precision >= TLDB_PLUGIN_PREC_SECOND)
		json_object_set_new(o, "second", json_integer(c.second));
	return o;
}

/* The year in words: astronomical year -43 is "44 BCE". */
static void year_words(int64_t y, char *buf, size_t size)
{
	if (y <= 0)
		snprintf(buf, size, "%lld BCE", (long long)(1 - y));
	else
		snprintf(buf, size, "%lld", (long long)y);
}

/* A date in words at its precision, with its qualifiers. */
static void date_words(const tldb_plugin_date *d, char *buf, size_t size)
{
	civil_time c;
	char year[32], time[16] = "";
	civil_time_from_seconds(d->lo, &c);
	year_words(c.year, year, sizeof year);
	const char *month = month_names[c.month - 1];
	if (d->precision == TLDB_PLUGIN_PREC_SECOND)
		snprintf(time, sizeof time, " %02d:%02d:%02d UTC", c.hour,
		         c.minute, c.second);
	else if (d->precision == TLDB_PLUGIN_PREC_MINUTE)
		snprintf(time, sizeof time, " %02d:%02d UTC", c.hour, c.minute);
	const char *about = d->qualifiers & 2u ? "about " : "";
	const char *doubt = d->qualifiers & 1u ? "?" : "";
	if (d->precision <= TLDB_PLUGIN_PREC_YEAR)
		snprintf(buf, size, "%s%s%s", about, year, doubt);
	else if (d->precision == TLDB_PLUGIN_PREC_MONTH)
		snprintf(buf, size, "%s%s %s%s", about, month, year, doubt);
	else
		snprintf(buf, size, "%s%s %d, %s%s%s", about, month, c.day,
		         year, time, doubt);
}

/* display_date when the ends need words (a qualifier, an open end). */
static void set_display(json_t *o, const tldb_plugin_event *ev,
                        const tljs_end e[2])
{
	char a[128] = "", b[128] = "", text[300];
	int interval = ev->start && strchr(ev->start, '/');
	int qualified = (e[0].present && e[0].d.qualifiers) ||
	                (e[1].present && e[1].d.qualifiers);
	int open = interval && (!e[0].present || !e[1].present);
	if (!qualified && !open)
		return;
	if (e[0].present)
		date_words(&e[0].d, a, sizeof a);
	if (e[1].present)
		date_words(&e[1].d, b, sizeof b);
	if (e[0].present && e[1].present)
		snprintf(text, sizeof text, "%s to %s", a, b);
	else if (e[0].present)
		snprintf(text, sizeof text, interval ? "from %s" : "%s", a);
	else if (e[1].present)
		snprintf(text, sizeof text, "until %s", b);
	else
		snprintf(text, sizeof text, "date unknown");
	json_object_set_new(o, "display_date", json_string(text));
}

static json_t *tags_array(const tldb_plugin_event *ev)
{
	json_t *tags = json_array();
	for (size_t i = 0; ev->tags && ev->tags[i]; i++)
		json_array_append_new(tags, json_string(ev->tags[i]));
	return tags;
}

/* The object TimelineJS ignores: what import needs to restore the event. */
static json_t *event_ext(const tldb_plugin_event *ev)
{
	json_t *x = json_object();
	set_str(x, "start", ev->start);
	set_str(x, "end", ev->end);
	set_str(x, "tz", ev->tz);
	set_str(x, "location", ev->location);
	set_str(x, "url", ev->url);
	json_object_set_new(x, "tags", tags_array(ev));
	set_str(x, "timeline", ev->timeline);
	return x;
}

/* The slide of one event into *out; TLDB_PLUGIN_OK or an error code. */
static int32_t event_slide(tldb_run *run, const tldb_plugin_event *ev,
                           int group_by_tag, json_t **out)
{
	tljs_end e[2];
	char msg[400];
	if (event_ends(ev, e, msg, sizeof msg)) {
		tljs_host->error(run, TLDB_PLUGIN_ERROR, 0, 0, msg);
		return TLDB_PLUGIN_ERROR;
	}
	json_t *o = json_object(), *text = json_object();
	if (e[0].present || e[1].present)
		json_object_set_new(o, "start_date",
		                    date_object(&e[e[0].present ? 0 : 1].d));
	if (e[0].present && e[1].present)
		json_object_set_new(o, "end_date", date_object(&e[1].d));
	set_display(o, ev, e);
	int bad = set_html(text, "headline", ev->title, 0) ||
	          set_html(text, "text", ev->body, 1);
	json_object_set_new(o, "text", text);
	if (group_by_tag && ev->tags && ev->tags[0])
		set_str(o, "group", ev->tags[0]);
	set_str(o, "unique_id", ev->uid);
	json_object_set_new(o, TLJS_EVENT_EXT, event_ext(ev));
	if (bad) {
		json_decref(o);
		return nomem(run);
	}
	*out = o;
	return TLDB_PLUGIN_OK;
}

static json_t *title_slide(const tldb_plugin_timeline *tl)
{
	json_t *o = json_object(), *text = json_object(), *x = json_object();
	int bad = set_html(text, "headline",
	                   tl->title && *tl->title ? tl->title : tl->name, 0) ||
	          set_html(text, "text", tl->description, 1);
	json_object_set_new(o, "text", text);
	set_str(x, "name", tl->name);
	json_object_set_new(o, TLJS_TIMELINE_EXT, x);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int option_true(tldb_run *run, const char *key)
{
	const char *v = tljs_host->option(run, key);
	return v && (v[0] == 't' || v[0] == 'T' || v[0] == 'y' || v[0] == 'Y' ||
	             v[0] == '1');
}

static int32_t write_events(tldb_run *run)
{
	int group_by_tag = option_true(run, "group-by-tag");
	const tldb_plugin_event *ev;
	int32_t rc, n = 0;
	while ((rc = tljs_host->next(run, &ev)) == 1) {
		json_t *o = NULL;
		if ((rc = put(run, n++ ? ",\n  " : "\n  ")) ||
		    (rc = event_slide(run, ev, group_by_tag, &o)) ||
		    (rc = put_json(run, o)))
			return rc;
	}
	if (rc < 0)
		return rc;
	return put(run, n ? "\n" : "");
}

int32_t tljs_export_run(tldb_run *run, void *state)
{
	(void)state;
	int32_t rc = put(run, "{");
	const tldb_plugin_timeline *tl = tljs_host->timeline(run);
	if (!rc && tl) {
		json_t *t = title_slide(tl);
		if (!t)
			return nomem(run);
		if (!(rc = put(run, "\"title\": ")) && !(rc = put_json(run, t)))
			rc = put(run, ",\n");
	}
	if (!rc)
		rc = put(run, "\"events\": [");
	if (!rc)
		rc = write_events(run);
	return rc ? rc : put(run, "]}\n");
}
