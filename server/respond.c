/*
 * respond.c -- answering requests: from the cache when it holds the
 * response for the current database generation, else rendered on the
 * thread pool; then conditional requests (304), gzip, HEAD, and writing
 * responses in the order their requests came.
 *
 * Concurrent misses for the same key share one render: the first goes to
 * the pool, the others wait for its body (a change to the database under
 * many clients costs one render, not one per client).
 *
 * Headers of a 200 or 304: a strong ETag (the gzip representation has its
 * own, ending in -gz), Last-Modified, Cache-Control with a short max-age
 * (private for token-guarded feeds) and Vary: Accept-Encoding unless gzip
 * is off.  A 503 carries Retry-After and is never cached.
 *
 * A request that misses the cache goes to the pool only from the first
 * SRV_MAX_RENDERS places of its connection's queue and while less than
 * SRV_MAX_UNSENT waits unsent; until then it is deferred, and conn_flush
 * starts it when the queue moves or the output drains (loop.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "loop.h"
#include "tldb/common.h"

/* Seconds calendars and proxies may reuse a feed, and after which to try
 * again following a 503 (strings: they go into headers as they are). */
#define MAX_AGE     "300"
#define RETRY_AFTER "30"

void request_free(request *r)
{
	srv_route_release(&r->route);
	srv_body_unref(r->body);
	free(r->gz);
	free(r->target);
	free(r->if_none_match);
	free(r->if_modified_since);
	free(r->accept_encoding);
	free(r);
}

static void ready(request *r, srv_body *b)
{
	if (!b)
		b = srv_body_text(503, "out of memory");
	r->body = b;
	r->ready = 1;
	if (!b)
		r->close_after = 1; /* nothing to say: drop the connection */
	conn_flush(r->c);
}

/* ---- the thread pool ---- */

static void work_render(uv_work_t *w)
{
	request *r = w->data;
	srv *s = r->c->s;
	if (!r->body)
		r->body = srv_render(&s->rctx, &r->route);
	/* Only the fields of a body that never change are read here: the loop
	 * may attach another request's gzip to a cached body meanwhile. */
	if (r->want_gzip && r->body && r->body->status == 200) {
		if (srv_gzip(r->body->data, r->body->len, &r->gz, &r->gz_len))
			r->gz = NULL; /* served plain then */
	}
}

static void to_pool(request *r, srv_body *have);

/* Answers w, which waited for another request's render of the same key,
 * with body b (may be NULL: out of memory). */
static void answer_waiter(request *w, srv_body *b)
{
	conn *c = w->c;
	w->in_pool = 0;
	c->in_pool--;
	if (w->orphan || c->closed) {
		if (w->orphan)
			request_free(w);
		conn_maybe_free(c);
		return;
	}
	if (b)
		srv_body_ref(b);
	if (b && w->want_gzip && b->status == 200 && !b->gz) {
		to_pool(w, b); /* only compress */
		return;
	}
	ready(w, b);
}

static void work_done(uv_work_t *w, int status)
{
	request *r = w->data;
	conn *c = r->c;
	srv *s = c->s;
	r->in_pool = 0;
	c->in_pool--;
	(void)status;
	request *waiters = r->waiters;
	r->waiters = NULL;
	if (r->rendering) {
		request **p = &s->renders;
		while (*p != r)
			p = &(*p)->next_render;
		*p = r->next_render;
		r->rendering = 0;
	}
	srv_body *b = r->body;
	r->body = NULL;
	/* The waiters' reference: r may hand b on or drop it below. */
	srv_body *shared = waiters ? b : NULL;
	if (shared)
		srv_body_ref(shared);
	if (b && !b->made_ms) { /* fresh from the renderer */
		b->generation = r->gen;
		b->made_ms = uv_now(s->loop) + 1;
		if (b->status != 503)
			srv_cache_put(s->cache, r->route.key, b);
	}
	if (b && r->gz && !b->gz) {
		b->gz = r->gz;
		b->gz_len = r->gz_len;
		r->gz = NULL;
		/* accounted again with its gzip */
		if (b->status == 200 && b->generation == srv_generation(s))
			srv_cache_put(s->cache, r->route.key, b);
	}
	if (r->orphan || c->closed) {
		srv_body_unref(b);
		if (r->orphan) /* no longer in the queue: nobody else frees it
		                */
			request_free(r);
		conn_maybe_free(c);
	} else {
		ready(r, b);
	}
	/* r and c may be gone now; each waiter keeps its own connection. */
	while (waiters) {
		request *next = waiters->next_waiter;
		waiters->next_waiter = NULL;
		answer_waiter(waiters, shared);
		waiters = next;
	}
	srv_body_unref(shared);
}

static void to_pool(request *r, srv_body *have)
{
	conn *c = r->c;
	r->body = have;
	r->gen = srv_generation(c->s);
	r->in_pool = 1;
	c->in_pool++;
	r->work.data = r;
	if (uv_queue_work(c->s->loop, &r->work, work_render, work_done)) {
		r->in_pool = 0;
		c->in_pool--;
		srv_body_unref(r->body);
		r->body = NULL;
		ready(r, srv_body_text(503, "the server is busy"));
		return;
	}
	if (!have) { /* a render: later misses for the key wait for it */
		r->rendering = 1;
		r->next_render = c->s->renders;
		c->s->renders = r;
	}
}

/* Makes r wait for the render of its key already on the pool, if any
 * (started at the current generation); 1 when it does. */
static int join_render(request *r)
{
	srv *s = r->c->s;
	for (request *l = s->renders; l; l = l->next_render) {
		if (l->gen == srv_generation(s) &&
		    strcmp(l->route.key, r->route.key) == 0) {
			r->in_pool = 1;
			r->c->in_pool++;
			r->next_waiter = l->waiters;
			l->waiters = r;
			return 1;
		}
	}
	return 0;
}

/* ---- dispatch ---- */

/* 1 when r may use the pool now: among the first SRV_MAX_RENDERS of its
 * queue, and its connection's output not backed up. */
static int may_render(const request *r)
{
	const conn *c = r->c;
	if (c->unsent > SRV_MAX_UNSENT)
		return 0;
	int i = 0;
	for (const request *x = c->head; x && x != r; x = x->next)
		if (++i >= SRV_MAX_RENDERS)
			return 0;
	return 1;
}

/* Answers routed request r from the cache, or starts (or joins) its render
 * when the connection's window allows, else defers it. */
static void lookup(request *r)
{
	srv *s = r->c->s;
	srv_body *b = srv_cache_get(s->cache, r->route.key, srv_generation(s),
	                            uv_now(s->loop));
	if (b && (!r->want_gzip || b->gz || b->status != 200)) {
		ready(r, b);
		return;
	}
	if (!may_render(r)) {
		srv_body_unref(b); /* looked up again when its turn comes */
		r->deferred = 1;
		return;
	}
	if (!b && join_render(r))
		return;
	to_pool(r, b); /* render, or only compress what the cache had */
}

/* Starts the deferred requests the window and the unsent bound now allow.
 * Each start may answer at once and reshape the queue, so the walk begins
 * again from the head every time. */
static void dispatch_deferred(conn *c)
{
	if (c->dispatching)
		return;
	c->dispatching = 1;
	while (!c->closed && c->unsent <= SRV_MAX_UNSENT) {
		request *r = c->head;
		int i = 0;
		while (r && !r->deferred && i < SRV_MAX_RENDERS) {
			r = r->next;
			i++;
		}
		if (!r || i >= SRV_MAX_RENDERS)
			break;
		r->deferred = 0;
		lookup(r);
	}
	c->dispatching = 0;
}

void respond_dispatch(request *r)
{
	srv *s = r->c->s;
	if (r->early_status) {
		const char *msg = r->early_status == 405 ? "only GET and HEAD"
		                  : r->early_status == 408
		                          ? "the request head took too long"
		                  : r->early_status == 413
		                          ? "a request body is not accepted"
		                  : r->early_status == 414
		                          ? "the request target is over 8 KiB"
		                  : r->early_status == 431
		                          ? "the request head is over 16 KiB"
		                          : "bad request";
		ready(r, srv_body_text(r->early_status, msg));
		return;
	}
	char msg[300];
	int status = srv_route_parse(r->target ? r->target : "", r->target_len,
	                             &r->route, msg, sizeof msg);
	r->routed = 1;
	if (status) {
		ready(r, srv_body_text(status, msg));
		return;
	}
	r->want_gzip = s->opts->gzip && r->accept_encoding &&
	               srv_accepts_gzip(r->accept_encoding);
	lookup(r);
}

/* ---- writing ---- */

typedef struct write_req {
	uv_write_t w;
	char *head;
	srv_body *body;
	conn *c;
	int close_after;
	size_t bytes; /* counted in c->unsent */
} write_req;

static void on_written(uv_write_t *w, int status)
{
	write_req *wr = (write_req *)w;
	conn *c = wr->c;
	free(wr->head);
	srv_body_unref(wr->body);
	int close_now = wr->close_after || status < 0;
	c->unsent -= wr->bytes;
	free(wr);
	c->writing--;
	if (close_now)
		conn_close(c);
	else /* closes when done; deferred renders and reading go on */
		conn_flush(c);
}

/* Sends bufs (the head, then the body if nbufs is 2) for wr, which this
 * takes: straight to the socket when nothing waits before it (most
 * responses fit: no write watcher to arm and disarm), queued with uv_write
 * for the rest; appended to *c->sink on a connection without a socket.
 * -1 when the connection was closed. */
static int send_response(conn *c, write_req *wr, uv_buf_t *bufs, unsigned nbufs)
{
	size_t total = bufs[0].len + (nbufs > 1 ? bufs[1].len : 0);
	int sent;
	if (c->sink) {
		int failed =
		        srv_out_write(c->sink, bufs[0].base, bufs[0].len) ||
		        (nbufs > 1 &&
		         srv_out_write(c->sink, bufs[1].base, bufs[1].len));
		free(wr->head);
		srv_body_unref(wr->body);
		free(wr);
		if (failed) {
			conn_close(c);
			return -1;
		}
		return 0;
	}
	sent = c->writing ? UV_EAGAIN
	                  : uv_try_write((uv_stream_t *)&c->tcp, bufs, nbufs);
	if (sent >= 0 && (size_t)sent == total) {
		free(wr->head);
		srv_body_unref(wr->body);
		free(wr);
		return 0;
	}
	size_t skip = sent > 0 ? (size_t)sent : 0;
	if (skip >= bufs[0].len) { /* the head went out */
		skip -= bufs[0].len;
		bufs[0] = bufs[1];
		nbufs = 1;
	}
	bufs[0].base += skip;
	bufs[0].len -= skip;
	wr->bytes = total - (sent > 0 ? (size_t)sent : 0);
	c->writing++;
	c->unsent += wr->bytes;
	if (uv_write(&wr->w, (uv_stream_t *)&c->tcp, bufs, nbufs, on_written)) {
		c->writing--;
		c->unsent -= wr->bytes;
		free(wr->head);
		srv_body_unref(wr->body);
		free(wr);
		conn_close(c);
		return -1;
	}
	return 0;
}

/* Status, headers and which bytes to send for request r. */
/* A response head being built: appends without format strings, as this
 * runs once per response (a 304 is little else).  1 KiB holds any head we
 * write: the longest value is a 96-byte content type. */
typedef struct head_buf {
	char *p;
	size_t n;
} head_buf;

enum { HEAD_CAP = 1024 };

static void put(head_buf *h, const char *s)
{
	size_t len = strlen(s);
	if (h->n + len < HEAD_CAP) {
		memcpy(h->p + h->n, s, len);
		h->n += len;
	}
}

static void put_num(head_buf *h, uint64_t v)
{
	char digits[24];
	int i = 0;
	do
		digits[i++] = (char)('0' + v % 10);
	while ((v /= 10) && i < 24);
	while (i && h->n + 1 < HEAD_CAP)
		h->p[h->n++] = digits[--i];
}

static void put_line(head_buf *h, const char *name, const char *value)
{
	put(h, name);
	put(h, ": ");
	put(h, value);
	put(h, "\r\n");
}

/* The Date header's value, formatted once a second. */
static const char *date_now(srv *s)
{
	int64_t now = s->rctx.now ? s->rctx.now : (int64_t)time(NULL);
	if (now != s->date_second || !s->date[0]) {
		srv_http_date(now, s->date, sizeof s->date);
		s->date_second = now;
	}
	return s->date;
}

/* Status, headers and which bytes to send for request r. */
static char *compose(request *r, int *status, const unsigned char **data,
                     size_t *len, int *chosen_gzip)
{
	srv_body *b = r->body;
	srv *s = r->c->s;
	int code = b->status;
	const unsigned char *d = b->data;
	size_t n = b->len;
	int gz = 0;
	char etag[56] = "";
	if (code == 200) {
		gz = r->want_gzip && b->gz;
		size_t el = strlen(b->etag);
		memcpy(etag, b->etag, el + 1);
		if (gz) {
			d = b->gz;
			n = b->gz_len;
			memcpy(etag + el - 1, "-gz\"", 5);
		}
		if (r->if_none_match) {
			if (srv_etag_matches(r->if_none_match, etag))
				code = 304;
		} else if (r->if_modified_since && b->last_modified > 0) {
			int64_t ims = srv_parse_http_date(r->if_modified_since);
			if (ims >= 0 && b->last_modified <= ims)
				code = 304;
		}
	}
	head_buf h = {malloc(HEAD_CAP), 0};
	if (!h.p)
		return NULL;
	put(&h, "HTTP/1.1 ");
	put_num(&h, (uint64_t)code);
	put(&h, " ");
	put(&h, srv_reason(code));
	put(&h, "\r\n");
	put_line(&h, "Date", date_now(s));
	put_line(&h, "Server", "tldb/" TLDB_VERSION_STRING);
	if (code != 304) {
		put_line(&h, "Content-Type", b->content_type);
		put(&h, "Content-Length: ");
		put_num(&h, n);
		put(&h, "\r\n");
	}
	if (code == 200 || code == 304) {
		char lm[40];
		put_line(&h, "ETag", etag);
		put_line(&h, "Cache-Control",
		         b->private_feed ? "private, max-age=" MAX_AGE
		                         : "public, max-age=" MAX_AGE);
		if (b->last_modified > 0) {
			srv_http_date(b->last_modified, lm, sizeof lm);
			put_line(&h, "Last-Modified", lm);
		}
		if (s->opts->gzip)
			put_line(&h, "Vary", "Accept-Encoding");
		if (gz && code == 200)
			put_line(&h, "Content-Encoding", "gzip");
	} else {
		put_line(&h, "Cache-Control", "no-store");
	}
	if (code == 503)
		put_line(&h, "Retry-After", RETRY_AFTER);
	if (code == 405)
		put_line(&h, "Allow", "GET, HEAD");
	if (r->close_after || r->c->closing)
		put_line(&h, "Connection", "close");
	else if (r->http_minor == 0)
		put_line(&h, "Connection", "keep-alive");
	put(&h, "\r\n");
	h.p[h.n] = '\0';
	*status = code;
	*data = (code == 304 || r->is_head) ? NULL : d;
	*len = (code == 304 || r->is_head) ? 0 : n;
	*chosen_gzip = gz;
	return h.p;
}

void conn_flush(conn *c)
{
	srv *s = c->s;
	while (c->head && c->head->ready && !c->closed) {
		request *r = c->head;
		c->head = r->next;
		if (!c->head)
			c->tail = NULL;
		c->queued--;
		int status = 0, gz = 0;
		const unsigned char *data = NULL;
		size_t len = 0;
		char *head =
		        r->body ? compose(r, &status, &data, &len, &gz) : NULL;
		write_req *wr = head ? calloc(1, sizeof *wr) : NULL;
		if (!wr) {
			free(head);
			request_free(r);
			conn_close(c);
			return;
		}
		wr->head = head;
		wr->body = r->body;
		r->body = NULL;
		wr->c = c;
		wr->close_after = r->close_after;
		uv_buf_t bufs[2] = {
		        uv_buf_init(head, (unsigned)strlen(head)),
		        uv_buf_init((char *)(uintptr_t)data, (unsigned)len)};
		double secs = (double)(uv_hrtime() - r->start_ns) / 1e9;
		srv_log_request(s->log, c->peer, r->method[0] ? r->method : "-",
		                r->target, r->http_minor, status, len, secs);
		int close_after = r->close_after;
		request_free(r);
		if (send_response(c, wr, bufs, len ? 2 : 1))
			return;
		if (close_after) {
			/* Nothing after it is answered. */
			while (c->head) {
				request *x = c->head;
				c->head = x->next;
				c->queued--;
				if (x->in_pool) {
					x->orphan =
					        1; /* freed when it returns */
					continue;
				}
				request_free(x);
			}
			c->tail = NULL;
			if (!c->writing) /* all sent already */
				conn_close(c);
			return;
		}
	}
	if (c->closed)
		return;
	if (c->closing && !c->queued && !c->writing) {
		conn_close(c);
		return;
	}
	dispatch_deferred(c);
	if (c->closed)
		return;
	conn_arm_timer(c);
	conn_resume(c);
}
