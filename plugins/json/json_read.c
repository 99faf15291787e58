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

#include "../common/yajl_pos.h"

#include "json_plugin.h"

#define CHUNK       65536
#define MAX_DEPTH   64
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
	tldb_run *run;
	yajl_handle h;
	role stack[MAX_DEPTH];
	int depth;
	char *key; /* the current key of the innermost object */
	char *span_key;
	/* positions */
	const unsigned char *chunk;
	size_t scanned;
	int64_t line, col;
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
	int stop; /* the host said stop, or an error ended the run */
} reader;

/* Brings line and column up to what yajl has consumed of the chunk. */
static void advance(reader *r)
{
	yajl_pos_advance(r->h, r->chunk, &r->scanned, &r->line, &r->col);
}

static role top(const reader *r)
{
	return r->stack[r->depth];
}

static int push(reader *r, role ro)
{
	if (r->depth + 1 >= MAX_DEPTH) {
		json_host->error(r->run, TLDB_PLUGIN_ERROR, r->line, r->col,
		                 "JSON nested too deeply");
		r->stop = 1;
		return 0;
	}
	r->stack[++r->depth] = ro;
	free(r->key);
	r->key = NULL;
	return 1;
}

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
	r->bad_line = r->line;
	r->bad_col = r->col;
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

static int index_of(const char *const *names, int n, const char *key)
{
	for (int i = 0; key && i < n; i++)
		if (strcmp(names[i], key) == 0)
			return i;
	return -1;
}

/* A fatal error: reported, and the parse ends. */
static int fatal(reader *r, const char *msg)
{
	json_host->error(r->run, TLDB_PLUGIN_ERROR, r->line, r->col, msg);
	r->stop = 1;
	return 0;
}

static int emit_event(reader *r)
{
	if (r->bad[0]) {
		int32_t answer =
		        json_host->error(r->run, TLDB_PLUGIN_ERROR, r->bad_line,
		                         r->bad_col, r->bad);
		clear_event(r);
		if (answer != TLDB_PLUGIN_OK)
			r->stop = 1;
		return !r->stop;
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
	json_host->set_position(r->run, r->ev_line, r->ev_col);
	int32_t rc = json_host->emit(r->run, &ev);
	clear_event(r);
	r->events_seen = 1;
	if (rc != TLDB_PLUGIN_OK)
		r->stop = 1;
	return !r->stop;
}

/* A string (or null, s == NULL) value in the current context. */
static int on_text(reader *r, const unsigned char *s, size_t n, int is_null)
{
	int i;
	char *copy = is_null ? NULL : yajl_pos_strdup(s, n);
	if (!is_null && !copy)
		return fatal(r, "out of memory");
	switch (top(r)) {
	case R_EVENT:
		if ((i = index_of(field_names, NFIELDS, r->key)) >= 0) {
			free(r->f[i]);
			r->f[i] = copy;
			return 1;
		}
		if ((i = index_of(stamp_names, 2, r->key)) >= 0) {
			if (!is_null)
				read_stamp(r, i, copy);
			break;
		}
		if (r->key && strcmp(r->key, "sequence") == 0 && !is_null) {
			problem(r, "\"sequence\" must be a number");
			break;
		}
		if (r->key &&
		    (strcmp(r->key, "tags") == 0 ||
		     strcmp(r->key, "sources") == 0) &&
		    is_null)
			return 1;
		break;
	case R_META:
		if ((i = index_of((const char *const[]){"name", "title",
		                                        "description"},
		                  3, r->key)) >= 0) {
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
		if ((i = index_of(source_names, NSFIELDS, r->key)) >= 0) {
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
		if (top(r) == R_EVENTS) {
			problem(r, "an event must be an object");
			r->ev_line = r->line;
			r->ev_col = r->col;
			return emit_event(r);
		}
		return fatal(r, "expected a tldb document, an array of events "
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
	advance(r);
	return on_text(r, NULL, 0, 1);
}

static int cb_string(void *ctx, const unsigned char *s, size_t n)
{
	reader *r = ctx;
	advance(r);
	return on_text(r, s, n, 0);
}

static int cb_boolean(void *ctx, int b)
{
	reader *r = ctx;
	advance(r);
	(void)b;
	if (top(r) == R_EVENT && index_of(field_names, NFIELDS, r->key) >= 0)
		problem(r, "\"%s\" must be a string", r->key);
	return top(r) == R_ROOT ? fatal(r, "expected an object or an array")
	                        : 1;
}

static int cb_number(void *ctx, const char *s, size_t n)
{
	reader *r = ctx;
	advance(r);
	char buf[32];
	if (top(r) == R_DOC && r->key && strcmp(r->key, "tldb") == 0) {
		if (n != 1 || s[0] != '1')
			return fatal(r, "unsupported document version (tldb 1 "
			                "is supported)");
		return 1;
	}
	if (top(r) == R_SPAN) {
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
	if (top(r) == R_EVENT && r->key && strcmp(r->key, "sequence") == 0) {
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
	if (top(r) == R_EVENT && (index_of(field_names, NFIELDS, r->key) >= 0 ||
	                          index_of(stamp_names, 2, r->key) >= 0))
		problem(r, "\"%s\" must be a string", r->key);
	if (top(r) == R_TAGS)
		problem(r, "a tag must be a string");
	return top(r) == R_ROOT ? fatal(r, "expected an object or an array")
	                        : 1;
}

static int cb_start_map(void *ctx)
{
	reader *r = ctx;
	advance(r);
	switch (top(r)) {
	case R_ROOT:
		r->ev_line = r->line;
		r->ev_col = r->col - 1;
		return push(r, R_TOP_MAP);
	case R_EVENTS:
		r->ev_line = r->line;
		r->ev_col = r->col - 1;
		return push(r, R_EVENT);
	case R_DOC:
		if (r->key && strcmp(r->key, "timeline") == 0) {
			if (r->events_seen)
				return fatal(r, "\"timeline\" must come before "
				                "\"events\"");
			return push(r, R_META);
		}
		return push(r, R_SKIP);
	case R_SOURCES:
		if (r->nsrc == MAX_SOURCES) {
			problem(r, "more than %s sources", "64");
			return push(r, R_SKIP);
		}
		memset(&r->src[r->nsrc++], 0, sizeof r->src[0]);
		return push(r, R_SOURCE);
	case R_TAGS:
		problem(r, "a tag must be a string");
		return push(r, R_SKIP);
	default:
		return push(r, R_SKIP);
	}
}

static int cb_map_key(void *ctx, const unsigned char *s, size_t n)
{
	reader *r = ctx;
	advance(r);
	free(r->key);
	if (!(r->key = yajl_pos_strdup(s, n)))
		return fatal(r, "out of memory");
	if (top(r) == R_TOP_MAP) {
		/* The first key tells a document from an event (JSON Lines). */
		int doc = strcmp(r->key, "tldb") == 0 ||
		          strcmp(r->key, "timeline") == 0 ||
		          strcmp(r->key, "events") == 0;
		r->stack[r->depth] = doc ? R_DOC : R_EVENT;
	}
	return 1;
}

static int cb_end_map(void *ctx)
{
	reader *r = ctx;
	advance(r);
	role ro = top(r);
	r->depth--;
	free(r->key);
	r->key = NULL;
	if (ro == R_EVENT || ro == R_TOP_MAP) {
		if (ro == R_TOP_MAP)
			problem(r, "an empty object is not an event");
		return emit_event(r);
	}
	if (ro == R_META) {
		tldb_plugin_timeline tl = {sizeof tl,  0,          r->meta[0],
		                           r->meta[1], r->meta[2], 0};
		if (!r->meta[0])
			return fatal(r, "\"timeline\" needs a \"name\"");
		if (json_host->set_timeline(r->run, &tl) != TLDB_PLUGIN_OK) {
			r->stop = 1;
			return 0;
		}
	}
	return 1;
}

static int cb_start_array(void *ctx)
{
	reader *r = ctx;
	advance(r);
	const char *k = r->key;
	switch (top(r)) {
	case R_ROOT:
		return push(r, R_EVENTS);
	case R_DOC:
		return push(r,
		            k && strcmp(k, "events") == 0 ? R_EVENTS : R_SKIP);
	case R_EVENT:
		if (k && strcmp(k, "tags") == 0)
			return push(r, R_TAGS);
		if (k && strcmp(k, "sources") == 0)
			return push(r, R_SOURCES);
		if (index_of(field_names, NFIELDS, k) >= 0)
			problem(r, "\"%s\" must be a string", k);
		return push(r, R_SKIP);
	case R_SOURCE:
		if (k &&
		    (strcmp(k, "span") == 0 || strcmp(k, "expr_span") == 0)) {
			free(r->span_key);
			r->span_key = yajl_pos_strdup((const unsigned char *)k,
			                              strlen(k));
			return push(r, R_SPAN);
		}
		return push(r, R_SKIP);
	case R_EVENTS:
		problem(r, "an event must be an object");
		r->ev_line = r->line;
		r->ev_col = r->col;
		if (!emit_event(r))
			return 0;
		return push(r, R_SKIP);
	default:
		return push(r, R_SKIP);
	}
}

static int cb_end_array(void *ctx)
{
	reader *r = ctx;
	advance(r);
	if (top(r) == R_SPAN) {
		source_buf *src = &r->src[r->nsrc - 1];
		int is_expr =
		        r->span_key && strcmp(r->span_key, "expr_span") == 0;
		if ((is_expr ? src->nexpr : src->nspan) != 2 ||
		    (is_expr ? src->expr[1] < src->expr[0]
		             : src->span[1] < src->span[0]))
			problem(r, "\"%s\" must be [begin, end] byte offsets",
			        is_expr ? "expr_span" : "span");
	}
	r->depth--;
	return 1;
}

static const yajl_callbacks callbacks = {
        cb_null,    cb_boolean,     NULL,         NULL,
        cb_number,  cb_string,      cb_start_map, cb_map_key,
        cb_end_map, cb_start_array, cb_end_array};

static void report_syntax(reader *r, const unsigned char *buf, size_t len)
{
	char text[300];
	advance(r);
	yajl_pos_error_text(r->h, buf, len, text, sizeof text);
	json_host->error(r->run, TLDB_PLUGIN_ERROR, r->line, r->col, text);
}

static void reader_release(reader *r)
{
	clear_event(r);
	free(r->key);
	free(r->span_key);
	for (int i = 0; i < 3; i++)
		free(r->meta[i]);
	if (r->h)
		yajl_free(r->h);
}

/* Feeds one chunk; returns 0 to go on, else the run's result. */
static int32_t feed(reader *r, unsigned char *buf, size_t len, int last)
{
	r->chunk = buf;
	r->scanned = 0;
	yajl_status st =
	        last ? yajl_complete_parse(r->h) : yajl_parse(r->h, buf, len);
	if (st == yajl_status_ok)
		return 0;
	if (st == yajl_status_client_canceled || r->stop)
		return TLDB_PLUGIN_ERROR;
	report_syntax(r, buf, len);
	return TLDB_PLUGIN_ERROR;
}

int32_t json_import_run(tldb_run *run, void *state)
{
	(void)state;
	reader *r = calloc(1, sizeof *r);
	unsigned char *buf = malloc(CHUNK);
	int32_t rc = TLDB_PLUGIN_OK;
	if (!r || !buf) {
		free(r);
		free(buf);
		json_host->error(run, TLDB_PLUGIN_NOMEM, 0, 0, "out of memory");
		return TLDB_PLUGIN_NOMEM;
	}
	r->run = run;
	r->line = r->col = 1;
	r->h = yajl_alloc(&callbacks, NULL, r);
	yajl_config(r->h, yajl_allow_multiple_values, 1);
	int first = 1;
	for (;;) {
		int64_t n = json_host->read(run, buf, CHUNK);
		if (n < 0) {
			rc = TLDB_PLUGIN_EIO;
			break;
		}
		size_t skip = 0;
		if (first && n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
			skip = 3; /* a UTF-8 byte order mark */
		first = 0;
		if ((rc = feed(r, buf + skip, (size_t)n - skip, n == 0)) ||
		    n == 0)
			break;
	}
	if (rc == TLDB_PLUGIN_OK && r->depth != 0) {
		fatal(r, "the input ends inside a value");
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
