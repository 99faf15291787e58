/*
 * tljs_read.c -- the timelinejs importer: a TimelineJS3 document
 * {"title": {slide}, "events": [{slide}, ...]} streamed through yajl's event
 * parser, one slide held at a time, with the line and column of every slide
 * and every problem.  A slide's "tldb_event" object (written by our
 * exporter) restores the event exactly; without it the date objects are
 * turned into EDTF at the precision of the fields present.  Unknown keys
 * (media, background, eras, scale, ...) are skipped.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "yajl_reader.h"

#include "timelinejs.h"

#define MAX_TAGS 64
#define NAME_MAX 64

typedef enum role {
	R_ROOT_MAP,
	R_EVENTS,
	R_SLIDE,
	R_DATE,
	R_TEXT,
	R_EXT,
	R_TAGS,
	R_SKIP
} role;

typedef enum kind { K_STRING, K_NUMBER, K_BOOL, K_NULL } kind;

enum { D_YEAR, D_MONTH, D_DAY, D_HOUR, D_MINUTE, D_SECOND, ND };
static const char *const date_keys[ND] = {"year", "month",  "day",
                                          "hour", "minute", "second"};
static const int64_t date_min[ND] = {-999999999, 1, 1, 0, 0, 0};
static const int64_t date_max[ND] = {999999999, 12, 31, 23, 59, 59};

/* A slide's strings: text.headline, text.text, unique_id, group, then the
 * extension object's fields. */
enum {
	F_HEADLINE,
	F_TEXT,
	F_UID,
	F_GROUP,
	F_START,
	F_END,
	F_TZ,
	F_LOCATION,
	F_URL,
	F_TIMELINE,
	F_NAME,
	NF
};
static const char *const text_keys[] = {"headline", "text"};
static const char *const slide_keys[] = {"unique_id", "group"};
static const char *const ext_keys[] = {"start", "end",      "tz",  "location",
                                       "url",   "timeline", "name"};

typedef struct date_in {
	int seen;
	int has[ND];
	int64_t v[ND];
	int64_t line, col;
} date_in;

typedef struct slide {
	int is_title, has_ext;
	int64_t line, col;
	char *f[NF];
	char *tags[MAX_TAGS + 1];
	size_t ntags;
	date_in date[2]; /* start_date, end_date */
	char bad[300];   /* the first problem of the slide */
	int64_t bad_line, bad_col;
} slide;

typedef struct reader {
	yajl_reader b; /* roles are `role`s; depth 0: outside the document */
	int which;     /* the date object being read: 0 start, 1 end */
	slide s;
	int seen_value;
} reader;

/* Notes the first problem of the current slide; reported at its end. */
static void problem(reader *r, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static void problem(reader *r, const char *fmt, ...)
{
	if (r->s.bad[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->s.bad, sizeof r->s.bad, fmt, ap);
	va_end(ap);
	r->s.bad_line = r->b.line;
	r->s.bad_col = r->b.col;
}

static void clear_slide(reader *r)
{
	for (int i = 0; i < NF; i++)
		free(r->s.f[i]);
	for (size_t i = 0; i < r->s.ntags; i++)
		free(r->s.tags[i]);
	memset(&r->s, 0, sizeof r->s);
}

static void begin_slide(reader *r, int is_title)
{
	clear_slide(r);
	r->s.is_title = is_title;
	r->s.line = r->b.line;
	r->s.col = r->b.col > 1 ? r->b.col - 1 : 1;
}

/* ---- dates ---- */

static const char *date_name(int which)
{
	return which ? "end_date" : "start_date";
}

/* A whole number, as a JSON number or a numeric string; 0 when not. */
static int whole_number(const unsigned char *s, size_t n, int64_t *out)
{
	char buf[24];
	if (n == 0 || n >= sizeof buf)
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	size_t i = buf[0] == '-' ? 1 : 0;
	if (!buf[i])
		return 0;
	int64_t v = 0;
	for (; buf[i]; i++) {
		if (buf[i] < '0' || buf[i] > '9' || v > INT64_MAX / 10 - 10)
			return 0;
		v = v * 10 + (buf[i] - '0');
	}
	*out = buf[0] == '-' ? -v : v;
	return 1;
}

static void date_field(reader *r, kind k, const unsigned char *s, size_t n)
{
	int i = yr_index_of(date_keys, ND, r->b.key);
	date_in *d = &r->s.date[r->which];
	int64_t v;
	if (i < 0 || k == K_NULL || (k == K_STRING && n == 0))
		return; /* display_date, format, millisecond; or absent */
	if (k == K_BOOL || !whole_number(s, n, &v)) {
		problem(r, "%s.%s must be a whole number", date_name(r->which),
		        date_keys[i]);
		return;
	}
	if (v < date_min[i] || v > date_max[i]) {
		problem(r, "%s.%s %lld is out of range (%lld..%lld)",
		        date_name(r->which), date_keys[i], (long long)v,
		        (long long)date_min[i], (long long)date_max[i]);
		return;
	}
	d->has[i] = 1;
	d->v[i] = v;
}

/* Notes a problem at the date object's position. */
static void date_problem(reader *r, const date_in *d, const char *msg)
{
	if (r->s.bad[0])
		return;
	snprintf(r->s.bad, sizeof r->s.bad, "%s", msg);
	r->s.bad_line = d->line;
	r->s.bad_col = d->col;
}

/* Checks which fields a date has; 0 when it is usable. */
static int date_shape(reader *r, int which)
{
	const date_in *d = &r->s.date[which];
	const char *why = NULL;
	if (!d->has[D_YEAR])
		why = "needs a year";
	else if (d->has[D_DAY] && !d->has[D_MONTH])
		why = "has a day but no month";
	else if ((d->has[D_HOUR] || d->has[D_MINUTE]) && !d->has[D_DAY])
		why = "has a time but no day";
	else if ((d->has[D_MINUTE] || d->has[D_SECOND]) && !d->has[D_HOUR])
		why = "has minutes or seconds but no hour";
	if (!why)
		return 0;
	char msg[100];
	snprintf(msg, sizeof msg, "%s %s", date_name(which), why);
	date_problem(r, d, msg);
	return -1;
}

/* The EDTF of a date object, at the precision of its fields. */
static int date_edtf(reader *r, int which, char *buf, size_t size)
{
	const date_in *d = &r->s.date[which];
	if (date_shape(r, which))
		return -1;
	char year[32], err[200], msg[300];
	tljs_edtf_year(tljs_year_in(d->v[D_YEAR]), year, sizeof year);
	size_t n = (size_t)snprintf(buf, size, "%s", year);
	if (d->has[D_MONTH])
		n += (size_t)snprintf(buf + n, size - n, "-%02d",
		                      (int)d->v[D_MONTH]);
	if (d->has[D_DAY])
		n += (size_t)snprintf(buf + n, size - n, "-%02d",
		                      (int)d->v[D_DAY]);
	if (d->has[D_HOUR])
		n += (size_t)snprintf(buf + n, size - n, "T%02d:%02d",
		                      (int)d->v[D_HOUR], (int)d->v[D_MINUTE]);
	if (d->has[D_SECOND])
		n += (size_t)snprintf(buf + n, size - n, ":%02d",
		                      (int)d->v[D_SECOND]);
	if (d->has[D_HOUR])
		snprintf(buf + n, size - n, "Z");
	tldb_plugin_date pd = {.size = sizeof pd};
	if (tljs_host->parse_date(buf, NULL, &pd, err, sizeof err) ==
	    TLDB_PLUGIN_OK)
		return 0;
	snprintf(msg, sizeof msg, "%s: %s", date_name(which), err);
	date_problem(r, d, msg);
	return -1;
}

/* ---- finishing a slide ---- */

/* Reports the slide's problem; returns 1 to go on. */
static int report_bad(reader *r)
{
	int32_t answer =
	        tljs_host->error(r->b.run, TLDB_PLUGIN_ERROR, r->s.bad_line,
	                         r->s.bad_col, r->s.bad);
	clear_slide(r);
	if (answer != TLDB_PLUGIN_OK)
		r->b.stop = r->b.failed = 1;
	return !r->b.stop;
}

/* A timeline name from a headline: lower case, other runs to '-'. */
static void derive_name(const char *s, char *out, size_t size)
{
	size_t n = 0;
	for (; s && *s && n + 1 < size && n < NAME_MAX; s++) {
		char c = *s;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			out[n++] = c;
		else if (n && out[n - 1] != '-')
			out[n++] = '-';
	}
	while (n && out[n - 1] == '-')
		n--;
	out[n] = '\0';
}

static void unescape_text(reader *r)
{
	if (!r->s.has_ext)
		return;
	if (r->s.f[F_HEADLINE])
		tljs_html_unescape(r->s.f[F_HEADLINE], 0);
	if (r->s.f[F_TEXT])
		tljs_html_unescape(r->s.f[F_TEXT], 1);
}

static int finish_title(reader *r)
{
	char name[NAME_MAX + 1];
	if (r->s.bad[0])
		return report_bad(r);
	unescape_text(r);
	if (r->s.has_ext && r->s.f[F_NAME])
		snprintf(name, sizeof name, "%s", r->s.f[F_NAME]);
	else
		derive_name(r->s.f[F_HEADLINE], name, sizeof name);
	tldb_plugin_timeline tl = {sizeof tl,      0, name, r->s.f[F_HEADLINE],
	                           r->s.f[F_TEXT], 0};
	int32_t rc = TLDB_PLUGIN_OK;
	if (name[0])
		rc = tljs_host->set_timeline(r->b.run, &tl);
	clear_slide(r);
	if (rc != TLDB_PLUGIN_OK)
		r->b.stop = r->b.failed = 1;
	return !r->b.stop;
}

/* The event's start and end into the buffers (or the extension's). */
static void event_dates(reader *r, const char **start, const char **end,
                        char *sbuf, char *ebuf, size_t size)
{
	*start = *end = NULL;
	if (r->s.has_ext && r->s.f[F_START]) {
		*start = r->s.f[F_START];
		*end = r->s.f[F_END];
		return;
	}
	if (!r->s.date[0].seen) {
		problem(r, "an event needs a start_date");
		return;
	}
	if (date_edtf(r, 0, sbuf, size) == 0)
		*start = sbuf;
	if (r->s.date[1].seen && date_edtf(r, 1, ebuf, size) == 0)
		*end = ebuf;
}

static int finish_event(reader *r)
{
	char sbuf[64], ebuf[64];
	const char *start, *end;
	int64_t line = r->b.line, col = r->b.col;
	r->b.line = r->s.line; /* problems of the whole slide: its start */
	r->b.col = r->s.col;
	event_dates(r, &start, &end, sbuf, ebuf, sizeof sbuf);
	if (!r->s.f[F_HEADLINE] || !r->s.f[F_HEADLINE][0])
		problem(r, "an event needs a text.headline (its title)");
	r->b.line = line;
	r->b.col = col;
	if (r->s.bad[0])
		return report_bad(r);
	unescape_text(r);
	if (!r->s.has_ext && r->s.f[F_GROUP]) {
		r->s.tags[r->s.ntags++] = r->s.f[F_GROUP];
		r->s.f[F_GROUP] = NULL;
	}
	r->s.tags[r->s.ntags] = NULL;
	tldb_plugin_event ev;
	memset(&ev, 0, sizeof ev);
	ev.size = sizeof ev;
	ev.uid = r->s.f[F_UID];
	ev.timeline = r->s.f[F_TIMELINE];
	ev.title = r->s.f[F_HEADLINE];
	ev.body = r->s.f[F_TEXT];
	ev.start = start;
	ev.end = end;
	ev.tz = r->s.f[F_TZ];
	ev.location = r->s.f[F_LOCATION];
	ev.url = r->s.f[F_URL];
	ev.tags = (const char *const *)r->s.tags;
	tljs_host->set_position(r->b.run, r->s.line, r->s.col);
	int32_t rc = tljs_host->emit(r->b.run, &ev);
	clear_slide(r);
	if (rc != TLDB_PLUGIN_OK)
		r->b.stop = 1;
	return !r->b.stop;
}

/* ---- yajl callbacks ---- */

/* Stores a string (or number) value into slide field i. */
static int store(reader *r, int i, kind k, const unsigned char *s, size_t n,
                 const char *what)
{
	if (k == K_NULL)
		return 1;
	if (k == K_BOOL || (k == K_NUMBER && i != F_UID && i != F_GROUP)) {
		problem(r, "%s must be a string", what);
		return 1;
	}
	char *copy = yr_strdup(s, n);
	if (!copy)
		return yr_fatal(&r->b, "out of memory");
	free(r->s.f[i]);
	r->s.f[i] = copy;
	return 1;
}

static int add_tag(reader *r, kind k, const unsigned char *s, size_t n)
{
	if (k != K_STRING) {
		problem(r, "a tag must be a string");
		return 1;
	}
	if (r->s.ntags == MAX_TAGS) {
		problem(r, "more than %d tags", MAX_TAGS);
		return 1;
	}
	if (!(r->s.tags[r->s.ntags] = yr_strdup(s, n)))
		return yr_fatal(&r->b, "out of memory");
	r->s.ntags++;
	return 1;
}

/* A value that should have been an event slide. */
static int not_a_slide(reader *r)
{
	begin_slide(r, 0);
	problem(r, "an event must be an object");
	return report_bad(r);
}

static int on_scalar(reader *r, kind k, const unsigned char *s, size_t n)
{
	int i;
	r->seen_value = 1;
	switch (r->b.depth ? yr_top(&r->b) : R_SKIP) {
	case R_EVENTS:
		return not_a_slide(r);
	case R_SLIDE:
		i = yr_index_of(slide_keys, 2, r->b.key);
		return i < 0 || store(r, F_UID + i, k, s, n, slide_keys[i]);
	case R_TEXT:
		i = yr_index_of(text_keys, 2, r->b.key);
		return i < 0 || store(r, F_HEADLINE + i, k, s, n, "text field");
	case R_EXT:
		i = yr_index_of(ext_keys, 7, r->b.key);
		return i < 0 || store(r, F_START + i, k, s, n, ext_keys[i]);
	case R_TAGS:
		return add_tag(r, k, s, n);
	case R_DATE:
		date_field(r, k, s, n);
		return 1;
	default:
		break;
	}
	if (r->b.depth == 0)
		return yr_fatal(&r->b, "expected a TimelineJS document "
		                       "({\"title\": ..., \"events\": [...]})");
	return 1;
}

/* A scalar whose problems point at its first character: yajl has read
 * past it, `width` columns wide in the input (exact without escapes). */
static int value_at_start(reader *r, kind k, const unsigned char *s, size_t n,
                          size_t width)
{
	int64_t col = r->b.col;
	r->b.col = col > (int64_t)width ? col - (int64_t)width : 1;
	int ok = on_scalar(r, k, s, n);
	r->b.col = col;
	return ok;
}

static int cb_null(void *ctx)
{
	reader *r = ctx;
	yr_advance(&r->b);
	return on_scalar(r, K_NULL, NULL, 0);
}

static int cb_boolean(void *ctx, int b)
{
	reader *r = ctx;
	(void)b;
	yr_advance(&r->b);
	return on_scalar(r, K_BOOL, NULL, 0);
}

static int cb_number(void *ctx, const char *s, size_t n)
{
	reader *r = ctx;
	yr_advance(&r->b);
	return value_at_start(r, K_NUMBER, (const unsigned char *)s, n, n);
}

static int cb_string(void *ctx, const unsigned char *s, size_t n)
{
	reader *r = ctx;
	yr_advance(&r->b);
	return value_at_start(r, K_STRING, s, n, n + 2);
}

/* The role of an object that is a slide's value under the current key. */
static role slide_child(reader *r)
{
	if (yr_key_is(&r->b, "start_date") || yr_key_is(&r->b, "end_date")) {
		r->which = yr_key_is(&r->b, "end_date");
		date_in *d = &r->s.date[r->which];
		memset(d, 0, sizeof *d);
		d->seen = 1;
		d->line = r->b.line;
		d->col = r->b.col > 1 ? r->b.col - 1 : 1;
		return R_DATE;
	}
	if (yr_key_is(&r->b, "text"))
		return R_TEXT;
	if (yr_key_is(&r->b,
	              r->s.is_title ? TLJS_TIMELINE_EXT : TLJS_EVENT_EXT)) {
		r->s.has_ext = 1;
		return R_EXT;
	}
	return R_SKIP;
}

static int cb_start_map(void *ctx)
{
	reader *r = ctx;
	yr_advance(&r->b);
	r->seen_value = 1;
	if (r->b.depth == 0)
		return yr_push(&r->b, R_ROOT_MAP);
	switch (yr_top(&r->b)) {
	case R_ROOT_MAP:
		if (!yr_key_is(&r->b, "title"))
			return yr_push(&r->b, R_SKIP);
		begin_slide(r, 1);
		return yr_push(&r->b, R_SLIDE);
	case R_EVENTS:
		begin_slide(r, 0);
		return yr_push(&r->b, R_SLIDE);
	case R_SLIDE:
		return yr_push(&r->b, slide_child(r));
	case R_TAGS:
		problem(r, "a tag must be a string");
		return yr_push(&r->b, R_SKIP);
	default:
		return yr_push(&r->b, R_SKIP);
	}
}

static int cb_map_key(void *ctx, const unsigned char *s, size_t n)
{
	reader *r = ctx;
	yr_advance(&r->b);
	return yr_set_key(&r->b, s, n);
}

static int cb_end_map(void *ctx)
{
	reader *r = ctx;
	yr_advance(&r->b);
	role ro = yr_top(&r->b);
	yr_pop_map(&r->b);
	if (ro != R_SLIDE)
		return 1;
	return r->s.is_title ? finish_title(r) : finish_event(r);
}

static int cb_start_array(void *ctx)
{
	reader *r = ctx;
	yr_advance(&r->b);
	r->seen_value = 1;
	if (r->b.depth == 0)
		return yr_fatal(&r->b,
		                "expected a TimelineJS document "
		                "({\"title\": ..., \"events\": [...]}), not an "
		                "array");
	switch (yr_top(&r->b)) {
	case R_ROOT_MAP:
		return yr_push(&r->b,
		               yr_key_is(&r->b, "events") ? R_EVENTS : R_SKIP);
	case R_EVENTS:
		if (!not_a_slide(r))
			return 0;
		return yr_push(&r->b, R_SKIP);
	case R_EXT:
		return yr_push(&r->b,
		               yr_key_is(&r->b, "tags") ? R_TAGS : R_SKIP);
	case R_DATE:
		if (yr_index_of(date_keys, ND, r->b.key) >= 0)
			problem(r, "%s.%s must be a whole number",
			        date_name(r->which), r->b.key);
		return yr_push(&r->b, R_SKIP);
	default:
		return yr_push(&r->b, R_SKIP);
	}
}

static int cb_end_array(void *ctx)
{
	reader *r = ctx;
	yr_advance(&r->b);
	yr_pop_array(&r->b);
	return 1;
}

static const yajl_callbacks callbacks = {
        cb_null,    cb_boolean,     NULL,         NULL,
        cb_number,  cb_string,      cb_start_map, cb_map_key,
        cb_end_map, cb_start_array, cb_end_array};

/* ---- the run ---- */

int32_t tljs_import_run(tldb_run *run, void *state)
{
	(void)state;
	reader *r = calloc(1, sizeof *r);
	unsigned char *buf = malloc(YR_CHUNK);
	if (!r || !buf || yr_init(&r->b, tljs_host, run, &callbacks, r)) {
		free(r);
		free(buf);
		tljs_host->error(run, TLDB_PLUGIN_NOMEM, 1, 1, "out of memory");
		return TLDB_PLUGIN_NOMEM;
	}
	int empty;
	int32_t rc = yr_parse_input(&r->b, buf, &empty);
	if (rc == YR_STOPPED) {
		rc = TLDB_PLUGIN_OK; /* the host said stop: it knows why */
	} else if (rc == TLDB_PLUGIN_OK && (empty || !r->seen_value)) {
		yr_fatal(&r->b, "empty input: expected a TimelineJS document");
		rc = TLDB_PLUGIN_ERROR;
	}
	clear_slide(r);
	yr_release(&r->b);
	free(r);
	free(buf);
	return rc;
}

/* ---- the probe ---- */

static int contains(const uint8_t *hay, uint64_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (uint64_t i = 0; i + n <= len; i++)
		if (memcmp(hay + i, needle, n) == 0)
			return 1;
	return 0;
}

static int starts_with(const uint8_t *s, uint64_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return len >= n && memcmp(s, prefix, n) == 0;
}

static uint64_t skip_space(const uint8_t *s, uint64_t len, uint64_t i)
{
	while (i < len && strchr(" \t\r\n", s[i]) && s[i])
		i++;
	return i;
}

int32_t tljs_probe(const uint8_t *head, uint64_t len)
{
	uint64_t i = 0;
	if (len >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	i = skip_space(head, len, i);
	if (i == len || head[i] != '{')
		return 0;
	i = skip_space(head, len, i + 1);
	if (!starts_with(head + i, len - i, "\"title\"") &&
	    !starts_with(head + i, len - i, "\"events\""))
		return 0;
	return contains(head, len, "\"start_date\"") ? 80 : 0;
}
