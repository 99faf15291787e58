/*
 * json_read.c -- the json importer: tldb's native document
 * {"tldb": 1, "timeline": {...}, "events": [...]}, a bare array of events,
 * and JSON Lines (one event object a line), streamed through yajl's event
 * parser so a file of any size is read in bounded memory: one event is held
 * at a time.  yajl reports how far it has read, so every event and every
 * error carries the line and column where it is.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "yajl_reader.h"

#include "json_plugin.h"

#define MAX_TAGS    64
#define MAX_SOURCES 64

typedef enum role {
	R_ROOT,
	R_TOP_MAP, /* a top-level object: a document or an event */
	R_DOC,
	R_META,
	R_EVENTS,
	R_EVENT,
	R_TAGS,
	R_SOURCES,
	R_SOURCE,
	R_SPAN,
	R_SKIP
} role;

enum {
	F_UID,
	F_TIMELINE,
	F_TITLE,
	F_BODY,
	F_START,
	F_END,
	F_TZ,
	F_LOCATION,
	F_URL,
	NFIELDS
};
static const char *const field_names[NFIELDS] = {"uid",  "timeline", "title",
                                                 "body", "start",    "end",
                                                 "tz",   "location", "url"};

enum {
	S_URL,
	S_TITLE,
	S_PLUGIN,
	S_QUOTE,
	S_EXPR,
	S_DOC_DATE,
	S_RESOLVER,
	NSFIELDS
};
static const char *const source_names[NSFIELDS] = {
        "url", "title", "plugin", "quote", "expr", "doc_date", "resolver"};

typedef struct source_buf {
	tldb_plugin_source pub;
	char *f[NSFIELDS];
	int64_t span[2], expr[2];
	int nspan, nexpr;
} source_buf;

typedef struct reader {
	yajl_reader b; /* roles are `role`s; stop: the host said stop, or an
	                  error ended the run */
	char *span_key;
	int64_t ev_line, ev_col;
	/* the event being read */
	char *f[NFIELDS];
	char *tags[MAX_TAGS + 1];
	size_t ntags;
	source_buf src[MAX_SOURCES];
	size_t nsrc;
	int64_t stamps[2]; /* created, updated: 0 when absent */
	int64_t sequence;
	char bad[300]; /* the first problem of this event */
	int64_t bad_line, bad_col;
	/* the document's timeline */
	char *meta[3];
	int events_seen;
} reader;

/* Notes the first problem of the current event; reported at its end. */
static void problem(reader *r, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static void problem(reader *r, const char *fmt, ...)
{
	if (r->bad[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->bad, sizeof r->bad, fmt, ap);
	va_end(ap);
	r->bad_line = r->b.line;
	r->bad_col = r->b.col;
}

static void clear_event(reader *r)
{
	for (int i = 0; i < NFIELDS; i++) {
		free(r->f[i]);
		r->f[i] = NULL;
	}
	for (size_t i = 0; i < r->ntags; i++)
		free(r->tags[i]);
	r->ntags = 0;
	for (size_t i = 0; i < r->nsrc; i++)
		for (int k = 0; k < NSFIELDS; k++)
			free(r->src[i].f[k]);
	r->nsrc = 0;
	r->stamps[0] = r->stamps[1] = r->sequence = 0;
	r->bad[0] = '\0';
}

static const char *const stamp_names[2] = {"created", "updated"};

/* "created" / "updated": an RFC 3339 UTC time to the second, as the
 * exporter writes them. */
static void read_stamp(reader *r, int which, const char *s)
{
	tldb_plugin_date d;
	memset(&d, 0, sizeof d);
	d.size = sizeof d;
	char err[200];
	size_t n = s ? strlen(s) : 0;
	if (!s || n < 20 || s[n - 1] != 'Z' ||
	    json_host->parse_date(s, NULL, &d, err, sizeof err) !=
	            TLDB_PLUGIN_OK ||
	    d.precision != TLDB_PLUGIN_PREC_SECOND || d.is_interval ||
	    d.lo <= 0)
		problem(r,
		        "\"%s\" must be a UTC time such as "
		        "\"2022-09-15T05:00:00Z\"",
		        stamp_names[which]);
	else
		r->stamps[which] = d.lo;
}

static int emit_event(reader *r)
{
	if (r->bad[0]) {
		int32_t answer =
		        json_host->error(r->b.run, TLDB_PLUGIN_ERROR,
		                         r->bad_line, r->bad_col, r->bad);
		clear_event(r);
		if (answer != TLDB_PLUGIN_OK)
			r->b.stop = r->b.failed = 1;
		return !r->b.stop;
	}
	const tldb_plugin_source *srcs[MAX_SOURCES + 1];
	for (size_t i = 0; i < r->nsrc; i++) {
		source_buf *s = &r->src[i];
		s->pub = (tldb_plugin_source){sizeof(tldb_plugin_source),
		                              0,
		                              s->f[S_URL],
		                              s->f[S_TITLE],
		                              s->f[S_PLUGIN],
		                              s->f[S_QUOTE],
		                              s->f[S_EXPR],
		                              s->f[S_DOC_DATE],
		                              s->f[S_RESOLVER],
		                              s->nspan == 2 ? s->span[0] : -1,
		                              s->nspan == 2 ? s->span[1] : -1,
		                              s->nexpr == 2 ? s->expr[0] : -1,
		                              s->nexpr == 2 ? s->expr[1] : -1};
		srcs[i] = &s->pub;
	}
	srcs[r->nsrc] = NULL;
	r->tags[r->ntags] = NULL;
	tldb_plugin_event ev;
	memset(&ev, 0, sizeof ev);
	ev.size = sizeof ev;
	ev.uid = r->f[F_UID];
	ev.timeline = r->f[F_TIMELINE];
	ev.title = r->f[F_TITLE];
	ev.body = r->f[F_BODY];
	ev.start = r->f[F_START];
	ev.end = r->f[F_END];
	ev.tz = r->f[F_TZ];
	ev.location = r->f[F_LOCATION];
	ev.url = r->f[F_URL];
	ev.tags = (const char *const *)r->tags;
	ev.sources = srcs;
	ev.created = r->stamps[0];
	ev.updated = r->stamps[1];
	ev.sequence = r->sequence;
	json_host->set_position(r->b.run, r->ev_line, r->ev_col);
	int32_t rc = json_host->emit(r->b.run, &ev);
	clear_event(r);
	r->events_seen = 1;
	if (rc != TLDB_PLUGIN_OK)
		r->b.stop = 1;
	return !r->b.stop;
}

/* A string (or null, s == NULL) value in the current context. */
static int on_text(reader *r, const unsigned char *s, size_t n, int is_null)
{
	int i;
	char *copy = is_null ? NULL : yr_strdup(s, n);
	if (!is_null && !copy)
		return yr_fatal(&r->b, "out of memory");
	switch (yr_top(&r->b)) {
	case R_EVENT:
		if ((i = yr_index_of(field_names, NFIELDS, r->b.key)) >= 0) {
			free(r->f[i]);
			r->f[i] = copy;
			return 1;
		}
		if ((i = yr_index_of(stamp_names, 2, r->b.key)) >= 0) {
			if (!is_null)
				read_stamp(r, i, copy);
			break;
		}
		if (r->b.key && strcmp(r->b.key, "sequence") == 0 && !is_null) {
			problem(r, "\"sequence\" must be a number");
			break;
		}
		if (r->b.key &&
		    (strcmp(r->b.key, "tags") == 0 ||
		     strcmp(r->b.key, "sources") == 0) &&
		    is_null)
			return 1;
		break;
	case R_META:
		if ((i = yr_index_of((const char *const[]){"name", "title",
		                                           "description"},
		                     3, r->b.key)) >= 0) {
			free(r->meta[i]);
			r->meta[i] = copy;
			return 1;
		}
		break;
	case R_TAGS:
		if (is_null)
			problem(r, "a tag must be a string");
		else if (r->ntags == MAX_TAGS)
			problem(r, "more than %s tags", "64");
		else {
			r->tags[r->ntags++] = copy;
			return 1;
		}
		break;
	case R_SOURCE:
		if ((i = yr_index_of(source_names, NSFIELDS, r->b.key)) >= 0) {
			source_buf *src = &r->src[r->nsrc - 1];
			free(src->f[i]);
			src->f[i] = copy;
			return 1;
		}
		break;
	case R_SPAN:
		problem(r, "\"%s\" must be [begin, end] byte offsets",
		        r->span_key ? r->span_key : "span");
		break;
	case R_ROOT:
	case R_EVENTS:
		free(copy);
		if (yr_top(&r->b) == R_EVENTS) {
			problem(r, "an event must be an object");
			r->ev_line = r->b.line;
			r->ev_col = r->b.col;
			return emit_event(r);
		}
		return yr_fatal(&r->b,
		                "expected a tldb document, an array of events "
		                "or JSON Lines of events");
	default:
		break;
	}
	free(copy);
	return 1;
}

static int cb_null(void *ctx)
{
	reader *r = ctx;
	yr_advance(&r->b);
	return on_text(r, NULL, 0, 1);
}

static int cb_string(void *ctx, const unsigned char *s, size_t n)
{
	reader *r = ctx;
	yr_advance(&r->b);
	return on_text(r, s, n, 0);
}

static int cb_boolean(void *ctx, int b)
{
	reader *r = ctx;
	yr_advance(&r->b);
	(void)b;
	if (yr_top(&r->b) == R_EVENT &&
	    yr_index_of(field_names, NFIELDS, r->b.key) >= 0)
		problem(r, "\"%s\" must be a string", r->b.key);
	return yr_top(&r->b) == R_ROOT
	               ? yr_fatal(&r->b, "expected an object or an array")
	               : 1;
}

static int cb_number(void *ctx, const char *s, size_t n)
{
	reader *r = ctx;
	yr_advance(&r->b);
	char buf[32];
	if (yr_top(&r->b) == R_DOC && r->b.key &&
	    strcmp(r->b.key, "tldb") == 0) {
		if (n != 1 || s[0] != '1')
			return yr_fatal(&r->b,
			                "unsupported document version (tldb 1 "
			                "is supported)");
		return 1;
	}
	if (yr_top(&r->b) == R_SPAN) {
		source_buf *src = &r->src[r->nsrc - 1];
		int is_expr =
		        r->span_key && strcmp(r->span_key, "expr_span") == 0;
		int *count = is_expr ? &src->nexpr : &src->nspan;
		int64_t *dst = is_expr ? src->expr : src->span;
		char *end;
		snprintf(buf, sizeof buf, "%.*s", (int)(n < 31 ? n : 31), s);
		long long v = strtoll(buf, &end, 10);
		if (*end || *count >= 2 || v < 0)
			problem(r, "\"%s\" must be [begin, end] byte offsets",
			        is_expr ? "expr_span" : "span");
		else
			dst[(*count)++] = v;
		return 1;
	}
	if (yr_top(&r->b) == R_EVENT && r->b.key &&
	    strcmp(r->b.key, "sequence") == 0) {
		char *end;
		snprintf(buf, sizeof buf, "%.*s", (int)(n < 31 ? n : 31), s);
		long long v = strtoll(buf, &end, 10);
		if (*end || n > 18 || v < 0)
			problem(r,
			        "\"sequence\" must be a whole number from 0");
		else
			r->sequence = v;
		return 1;
	}
	if (yr_top(&r->b) == R_EVENT &&
	    (yr_index_of(field_names, NFIELDS, r->b.key) >= 0 ||
	     yr_index_of(stamp_names, 2, r->b.key) >= 0))
		problem(r, "\"%s\" must be a string", r->b.key);
	if (yr_top(&r->b) == R_TAGS)
		problem(r, "a tag must be a string");
	return yr_top(&r->b) == R_ROOT
	               ? yr_fatal(&r->b, "expected an object or an array")
	               : 1;
}

static int cb_start_map(void *ctx)
{
	reader *r = ctx;
	yr_advance(&r->b);
	switch (yr_top(&r->b)) {
	case R_ROOT:
		r->ev_line = r->b.line;
		r->ev_col = r->b.col - 1;
		return yr_push(&r->b, R_TOP_MAP);
	case R_EVENTS:
		r->ev_line = r->b.line;
		r->ev_col = r->b.col - 1;
		return yr_push(&r->b, R_EVENT);
	case R_DOC:
		if (r->b.key && strcmp(r->b.key, "timeline") == 0) {
			if (r->events_seen)
				return yr_fatal(&r->b,
				                "\"timeline\" must come before "
				                "\"events\"");
			return yr_push(&r->b, R_META);
		}
		return yr_push(&r->b, R_SKIP);
	case R_SOURCES:
		if (r->nsrc == MAX_SOURCES) {
			problem(r, "more than %s sources", "64");
			return yr_push(&r->b, R_SKIP);
		}
		memset(&r->src[r->nsrc++], 0, sizeof r->src[0]);
		return yr_push(&r->b, R_SOURCE);
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
	if (!yr_set_key(&r->b, s, n))
		return 0;
	if (yr_top(&r->b) == R_TOP_MAP) {
		/* The first key tells a document from an event (JSON Lines). */
		int doc = strcmp(r->b.key, "tldb") == 0 ||
		          strcmp(r->b.key, "timeline") == 0 ||
		          strcmp(r->b.key, "events") == 0;
		r->b.stack[r->b.depth] = doc ? R_DOC : R_EVENT;
	}
	return 1;
}

static int cb_end_map(void *ctx)
{
	reader *r = ctx;
	yr_advance(&r->b);
	role ro = yr_top(&r->b);
	yr_pop_map(&r->b);
	if (ro == R_EVENT || ro == R_TOP_MAP) {
		if (ro == R_TOP_MAP)
			problem(r, "an empty object is not an event");
		return emit_event(r);
	}
	if (ro == R_META) {
		tldb_plugin_timeline tl = {sizeof tl,  0,          r->meta[0],
		                           r->meta[1], r->meta[2], 0};
		if (!r->meta[0])
			return yr_fatal(&r->b, "\"timeline\" needs a \"name\"");
		if (json_host->set_timeline(r->b.run, &tl) != TLDB_PLUGIN_OK) {
			r->b.stop = r->b.failed = 1;
			return 0;
		}
	}
	return 1;
}

static int cb_start_array(void *ctx)
{
	reader *r = ctx;
	yr_advance(&r->b);
	const char *k = r->b.key;
	switch (yr_top(&r->b)) {
	case R_ROOT:
		return yr_push(&r->b, R_EVENTS);
	case R_DOC:
		return yr_push(&r->b, k && strcmp(k, "events") == 0 ? R_EVENTS
		                                                    : R_SKIP);
	case R_EVENT:
		if (k && strcmp(k, "tags") == 0)
			return yr_push(&r->b, R_TAGS);
		if (k && strcmp(k, "sources") == 0)
			return yr_push(&r->b, R_SOURCES);
		if (yr_index_of(field_names, NFIELDS, k) >= 0)
			problem(r, "\"%s\" must be a string", k);
		return yr_push(&r->b, R_SKIP);
	case R_SOURCE:
		if (k &&
		    (strcmp(k, "span") == 0 || strcmp(k, "expr_span") == 0)) {
			free(r->span_key);
			r->span_key =
			        yr_strdup((const unsigned char *)k, strlen(k));
			return yr_push(&r->b, R_SPAN);
		}
		return yr_push(&r->b, R_SKIP);
	case R_EVENTS:
		problem(r, "an event must be an object");
		r->ev_line = r->b.line;
		r->ev_col = r->b.col;
		if (!emit_event(r))
			return 0;
		return yr_push(&r->b, R_SKIP);
	default:
		return yr_push(&r->b, R_SKIP);
	}
}

static int cb_end_array(void *ctx)
{
	reader *r = ctx;
	yr_advance(&r->b);
	if (yr_top(&r->b) == R_SPAN) {
		source_buf *src = &r->src[r->nsrc - 1];
		int is_expr =
		        r->span_key && strcmp(r->span_key, "expr_span") == 0;
		if ((is_expr ? src->nexpr : src->nspan) != 2 ||
		    (is_expr ? src->expr[1] < src->expr[0]
		             : src->span[1] < src->span[0]))
			problem(r, "\"%s\" must be [begin, end] byte offsets",
			        is_expr ? "expr_span" : "span");
	}
	yr_pop_array(&r->b);
	return 1;
}

static const yajl_callbacks callbacks = {
        cb_null,    cb_boolean,     NULL,         NULL,
        cb_number,  cb_string,      cb_start_map, cb_map_key,
        cb_end_map, cb_start_array, cb_end_array};

static void reader_release(reader *r)
{
	clear_event(r);
	free(r->span_key);
	for (int i = 0; i < 3; i++)
		free(r->meta[i]);
	yr_release(&r->b);
}

int32_t json_import_run(tldb_run *run, void *state)
{
	(void)state;
	reader *r = calloc(1, sizeof *r);
	unsigned char *buf = malloc(YR_CHUNK);
	if (!r || !buf || yr_init(&r->b, json_host, run, &callbacks, r)) {
		free(r);
		free(buf);
		json_host->error(run, TLDB_PLUGIN_NOMEM, 0, 0, "out of memory");
		return TLDB_PLUGIN_NOMEM;
	}
	yajl_config(r->b.h, yajl_allow_multiple_values, 1);
	int32_t rc = yr_parse_input(&r->b, buf, NULL);
	if (rc == YR_STOPPED) {
		rc = TLDB_PLUGIN_OK; /* the host said stop: it knows why */
	} else if (rc == TLDB_PLUGIN_OK && r->b.depth != 0) {
		yr_fatal(&r->b, "the input ends inside a value");
		rc = TLDB_PLUGIN_ERROR;
	}
	reader_release(r);
	free(r);
	free(buf);
	return rc;
}

static int contains(const uint8_t *hay, uint64_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (uint64_t i = 0; i + n <= len; i++)
		if (memcmp(hay + i, needle, n) == 0)
			return 1;
	return 0;
}

int32_t json_probe(const uint8_t *head, uint64_t len)
{
	uint64_t i = 0;
	if (len >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && strchr(" \t\r\n", head[i]))
		i++;
	if (i == len)
		return 0;
	if (head[i] == '{')
		return contains(head, len, "\"tldb\"") ? 90 : 50;
	return head[i] == '[' ? 40 : 0;
}
