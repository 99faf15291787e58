/*
 * render.c -- turning a route into a response body, on a worker thread of
 * libuv's pool.  Each worker opens its own read-only connection on first
 * use and keeps it; srv_render_shutdown closes them all once the pool is
 * idle.
 *
 * A feed is rendered completely into memory before anything is sent: a
 * failure part-way (busy or corrupt database, an exporter error) becomes a
 * 503, never a 200 with a short body that would empty a subscriber's
 * calendar.
 *
 * Each render has a time budget (--render-timeout): the worker's
 * connection gets it as a tldb_set_time_limit, so a query or export that
 * runs past it stops at its next row (or within a few thousand SQLite
 * instructions) and the answer is a 503 with Retry-After.  A text query
 * with more than TLDB_MAX_QUERY_TERMS terms is refused by the library
 * before any work: a 400 naming the limit.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "render.h"
#include "tldb/date.h"
#include "tldb/plugin.h"

/* ---- per-worker connections ---- */

static _Thread_local tldb *worker_db;
static pthread_mutex_t dbs_lock = PTHREAD_MUTEX_INITIALIZER;
static tldb **all_dbs;
static size_t n_dbs, cap_dbs;

static tldb *worker_connection(const char *path, char *msg, size_t msgsize)
{
	if (worker_db)
		return worker_db;
	tldb *db = NULL;
	if (tldb_open(path, TLDB_OPEN_READONLY, &db)) {
		snprintf(msg, msgsize, "%s",
		         db ? tldb_errmsg(db) : "out of memory");
		tldb_close(db);
		return NULL;
	}
	pthread_mutex_lock(&dbs_lock);
	if (n_dbs == cap_dbs) {
		size_t cap = cap_dbs ? cap_dbs * 2 : 8;
		tldb **grown = realloc(all_dbs, cap * sizeof *grown);
		if (!grown) {
			pthread_mutex_unlock(&dbs_lock);
			tldb_close(db);
			snprintf(msg, msgsize, "out of memory");
			return NULL;
		}
		all_dbs = grown;
		cap_dbs = cap;
	}
	all_dbs[n_dbs++] = db;
	pthread_mutex_unlock(&dbs_lock);
	return worker_db = db;
}

void srv_render_shutdown(void)
{
	pthread_mutex_lock(&dbs_lock);
	for (size_t i = 0; i < n_dbs; i++)
		tldb_close(all_dbs[i]);
	free(all_dbs);
	all_dbs = NULL;
	n_dbs = cap_dbs = 0;
	pthread_mutex_unlock(&dbs_lock);
}

/* ---- output buffers ---- */

int srv_out_write(void *ud, const void *buf, size_t len)
{
	return tl_buf_add(ud, buf, len);
}

int srv_out_str(srv_out *o, const char *s)
{
	return tl_buf_adds(o, s);
}

static int put_out(void *ctx, const char *s, size_t n)
{
	return tl_buf_add(ctx, s, n);
}

int srv_out_html(srv_out *o, const char *s)
{
	s = s ? s : "";
	return escape_html(s, strlen(s), ESCAPE_QUOTES, put_out, o);
}

srv_body *srv_out_body(srv_out *o, int status, const char *content_type)
{
	size_t len = o->len;
	char *data = tl_buf_steal(o); /* the buffer is empty again */
	if (!data)
		return srv_body_text(503, "out of memory");
	srv_body *b =
	        srv_body_new(status, content_type, (unsigned char *)data, len);
	if (b)
		srv_body_set_etag(b);
	return b;
}

int srv_token_equal(const char *given, const char *want)
{
	if (!given || !want)
		return 0;
	size_t gl = strlen(given), wl = strlen(want);
	/* Every byte of `want` is looked at whatever `given` holds, so the
	 * time taken says nothing about how much of it matched. */
	unsigned char diff = (unsigned char)(gl != wl);
	for (size_t i = 0; i < wl; i++)
		diff |= (unsigned char)(want[i] ^ (i < gl ? given[i] : 0));
	return diff == 0;
}

int srv_visible(const tldb_timeline *tl, const char *token)
{
	return !tl->token || srv_token_equal(token, tl->token);
}

/* ---- feeds ---- */

/* A header value for the exporter's MIME type: text types say UTF-8. */
static void content_type_of(const tldb_plugin_info *info, char *buf,
                            size_t size)
{
	const char *mime =
	        info->exporter->mime_types && info->exporter->mime_types[0]
	                ? info->exporter->mime_types[0]
	                : "application/octet-stream";
	if (strncmp(mime, "text/", 5) == 0 && !strstr(mime, "charset"))
		snprintf(buf, size, "%s; charset=utf-8", mime);
	else
		snprintf(buf, size, "%s", mime);
}

static int has_option(const tldb_plugin_info *info, const char *key)
{
	const tldb_plugin_option *const *o = info->exporter->options;
	for (; o && *o; o++)
		if ((*o)->key && strcmp((*o)->key, key) == 0)
			return 1;
	return 0;
}

/* A 400 naming the parameter at fault. */
static srv_body *bad_param(const char *param, const char *detail)
{
	char msg[400];
	snprintf(msg, sizeof msg, "%s: %s", param, detail);
	return srv_body_text(400, msg);
}

/* The 503 of a render that ran out of time. */
static srv_body *out_of_time(const srv_render_ctx *ctx)
{
	char msg[200];
	snprintf(msg, sizeof msg,
	         "the response took longer than the server's limit of %lld "
	         "ms to make; try again later",
	         (long long)ctx->time_limit_ms);
	return srv_body_text(503, msg);
}

static srv_body *feed(const srv_render_ctx *ctx, tldb *db, const srv_route *r,
                      uint64_t deadline_ns)
{
	const tldb_plugin_info *info =
	        tldb_plugins_exporter(ctx->plugins, r->ext);
	if (!info || !info->exporter)
		return srv_body_text(404, "no exporter writes this extension");
	tldb_timeline *tl = NULL;
	int rc = tldb_timeline_get(db, r->name, &tl);
	if (rc == TLDB_ENOTFOUND)
		return srv_body_text(404, "no such timeline");
	if (rc)
		return srv_body_text(503, tldb_errmsg(db));
	int private_feed = tl->token != NULL;
	int64_t updated = tl->updated;
	int visible = srv_visible(tl, r->token);
	tldb_timeline_free(tl);
	if (!visible)
		return srv_body_text(404, "no such timeline");

	tldb_query q;
	tldb_query_init(&q);
	const char *names[] = {r->name};
	q.timelines = names;
	q.ntimelines = 1;
	q.tags = (const char *const *)r->tags;
	q.ntags = (size_t)r->ntags;
	q.text = r->q && *r->q ? r->q : NULL;
	q.within = r->within;
	q.with_sources = 1;
	int64_t now = ctx->now ? ctx->now : tldb_now(), lo, hi;
	tldb_errbuf err;
	if (r->from && *r->from) {
		if (tldb_range_word(r->from, now, "UTC", &lo, &hi, &err))
			return bad_param("from", err.msg);
		q.lo = lo;
	}
	if (r->to && *r->to) {
		if (tldb_range_word(r->to, now, "UTC", &lo, &hi, &err))
			return bad_param("to", err.msg);
		q.hi = hi;
	}
	if (q.hi <= q.lo)
		return srv_body_text(400, "the range ends before it starts");
	if (r->min_precision && *r->min_precision &&
	    !(q.min_precision = tldb_precision_parse(r->min_precision)))
		return bad_param("min-precision",
		                 "not one of year, month, day, minute, second");

	/* Options the exporter takes: how often calendars should poll, and
	 * where the feeds live (for pages that link to them). */
	const char *keys[4], *values[4];
	size_t nopt = 0;
	char feeds_url[600], feed_query[TLDB_TOKEN_LEN + 8];
	if (has_option(info, "refresh")) {
		keys[nopt] = "refresh";
		values[nopt++] = "PT1H";
	}
	/* A month or a year as one day, by default: spread over the period,
	 * a calendar app lists it on every one of its days. */
	if (has_option(info, "coarse")) {
		keys[nopt] = "coarse";
		values[nopt++] = r->coarse ? r->coarse : "first-day";
	}
	if (has_option(info, "base-url")) {
		snprintf(feeds_url, sizeof feeds_url, "%s/t/", ctx->base_url);
		keys[nopt] = "base-url";
		values[nopt++] = feeds_url;
	}
	if (private_feed && has_option(info, "feed-query")) {
		/* visible, so r->token is the timeline's own */
		snprintf(feed_query, sizeof feed_query, "token=%s", r->token);
		keys[nopt] = "feed-query";
		values[nopt++] = feed_query;
	}
	srv_out out = SRV_OUT_INIT;
	tldb_export_opts eo;
	memset(&eo, 0, sizeof eo);
	eo.format = r->ext;
	eo.query = &q;
	eo.option_keys = keys;
	eo.option_values = values;
	eo.noptions = nopt;
	eo.write = srv_out_write;
	eo.ud = &out;
	tldb_msgbuf merr;
	if ((rc = tldb_export(db, ctx->plugins, &eo, NULL, &merr))) {
		tl_buf_release(&out);
		/* By the library's code, never its message: a bad text query
		 * or one past the limits is the client's (400, which a
		 * calendar app does not retry); the rest is ours (503). */
		char msg[1200];
		switch (rc) {
		case TLDB_ETOOBIG: /* the query's terms: over the limit */
			snprintf(msg, sizeof msg, "q: %.300s", merr.msg);
			return srv_body_text(400, msg);
		case TLDB_EINVAL: /* a bad text query */
			return srv_body_text(400, merr.msg);
		default:
			if (deadline_ns && uv_hrtime() >= deadline_ns)
				return out_of_time(ctx);
			snprintf(msg, sizeof msg,
			         "the feed could not be rendered: %s",
			         merr.msg);
			return srv_body_text(503, msg);
		}
	}
	char ctype[96];
	content_type_of(info, ctype, sizeof ctype);
	srv_body *b = srv_out_body(&out, 200, ctype);
	if (b) {
		b->last_modified = updated;
		b->private_feed = private_feed;
	}
	return b;
}

srv_body *srv_render(const srv_render_ctx *ctx, const srv_route *r)
{
	char msg[300];
	tldb *db = worker_connection(ctx->db_path, msg, sizeof msg);
	if (!db)
		return srv_body_text(503, msg);
	uint64_t deadline = 0;
	if (ctx->time_limit_ms > 0) {
		deadline = uv_hrtime() + (uint64_t)ctx->time_limit_ms * 1000000;
		tldb_set_time_limit(db, ctx->time_limit_ms);
	}
	srv_body *b;
	switch (r->kind) {
	case SRV_ROUTE_FEED:
		b = feed(ctx, db, r, deadline);
		break;
	case SRV_ROUTE_INDEX:
		b = srv_render_index(ctx, db, r);
		break;
	case SRV_ROUTE_TIMELINES_JSON:
		b = srv_render_timelines_json(ctx, db, r);
		break;
	default:
		b = srv_body_text(404, "not found");
	}
	if (deadline) {
		tldb_set_time_limit(db, 0);
		if (b && b->status == 503 && uv_hrtime() >= deadline) {
			srv_body_unref(b);
			b = out_of_time(ctx);
		}
	}
	return b;
}
