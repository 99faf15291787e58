/*
 * conn.c -- connections: accepting, reading, parsing requests with
 * libhttp-parser, the limits on what a client may send, timeouts and
 * closing.
 *
 * Limits: a request head over 16 KiB is answered 431, a target over 8 KiB
 * 414, a request with a body 413, a malformed request 400; each of these
 * closes the connection once the requests before it are answered.  A
 * method other than GET and HEAD is 405 (with Allow).  A connection that
 * idles between requests longer than --idle-timeout, or takes longer than
 * --header-timeout to send a request head, is closed (408 for the latter).
 * Past --max-connections a new connection gets a 503 and is closed.
 *
 * An Upgrade request is answered like any other (this server never
 * switches protocols, which RFC 9110 section 7.8 allows) and the bytes
 * after it are parsed as the next request; CONNECT is a 405 that closes.
 * A connection whose unsent output passes SRV_MAX_UNSENT, or whose queue
 * is full, is not read until it drains (loop.h).
 *
 * The bytes of a read go through conn_on_data and conn_on_eof, which
 * srv_handle_bytes (sim.c) calls too, for a connection with no socket.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "loop.h"

static const http_parser_settings settings;

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf);
static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf);

static void read_stop(conn *c)
{
	if (!c->sink)
		uv_read_stop((uv_stream_t *)&c->tcp);
}

static void read_start(conn *c)
{
	if (!c->sink)
		uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

int conn_wants_input(const conn *c)
{
	return !c->closed && !c->read_paused && !c->parse_stopped;
}

/* ---- closing ---- */

void conn_maybe_free(conn *c)
{
	if (c->handles_open || c->in_pool)
		return;
	while (c->head) {
		request *r = c->head;
		c->head = r->next;
		request_free(r);
	}
	if (c->cur)
		request_free(c->cur);
	free(c->leftover);
	free(c);
}

static void on_handle_closed(uv_handle_t *h)
{
	conn *c = h->data;
	c->handles_open--;
	conn_maybe_free(c);
}

void conn_close(conn *c)
{
	if (c->closed)
		return;
	c->closed = 1;
	srv *s = c->s;
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nconns--;
	atomic_fetch_sub(&s->sh->nconns, 1);
	uv_close((uv_handle_t *)&c->timer, on_handle_closed);
	if (!c->sink)
		uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
}

/* ---- timeouts ---- */

static void enqueue(conn *c, request *r);

static void on_timeout(uv_timer_t *t)
{
	conn *c = t->data;
	if (c->queued && c->unsent <= SRV_MAX_UNSENT)
		return; /* busy: the timer is re-armed when the queue empties */
	if (c->cur && !c->parse_stopped) {
		/* A head that does not arrive in time. */
		request *r = c->cur;
		c->cur = NULL;
		r->early_status = 408;
		r->close_after = 1;
		if (!r->target) /* for the log */
			r->target = strdup("-");
		c->parse_stopped = 1;
		read_stop(c);
		enqueue(c, r);
		return;
	}
	conn_close(c);
}

void conn_arm_timer(conn *c)
{
	if (c->closed || c->sink) /* no clock for a connection without a
	                             socket: its input is all there */
		return;
	const srv_opts *o = c->s->opts;
	/* A full queue is the server's work, so no clock runs; but a client
	 * that does not read what it asked for has idle_timeout to take
	 * some (each write that completes starts the time again). */
	if (c->queued && c->unsent <= SRV_MAX_UNSENT) {
		uv_timer_stop(&c->timer);
		return;
	}
	double secs = c->cur ? o->header_timeout : o->idle_timeout;
	uv_timer_start(&c->timer, on_timeout, (uint64_t)(secs * 1000), 0);
}

/* ---- parsing ---- */

/* Queues r (complete, or failed) for an answer. */
static void enqueue(conn *c, request *r)
{
	if (c->tail)
		c->tail->next = r;
	else
		c->head = r;
	c->tail = r;
	c->queued++;
	conn_arm_timer(c);
	respond_dispatch(r);
}

static request *new_request(conn *c)
{
	request *r = calloc(1, sizeof *r);
	if (r) {
		r->c = c;
		r->start_ns = uv_hrtime();
	}
	return r;
}

/* Ends parsing with a request answered by `status`, then closing. */
static int stop_with(conn *c, int status)
{
	request *r = c->cur;
	if (!r && !(r = new_request(c)))
		return -1;
	c->cur = NULL;
	r->early_status = status;
	r->close_after = 1;
	c->parse_stopped = 1;
	if (!r->target)
		r->target = strdup("-");
	enqueue(c, r);
	return -1;
}

static int on_message_begin(http_parser *p)
{
	conn *c = p->data;
	if (!(c->cur = new_request(c)))
		return -1;
	c->head_bytes = 0;
	c->field_len = 0;
	c->in_value = 0;
	c->value = NULL;
	conn_arm_timer(c);
	return 0;
}

static int count_head(conn *c, size_t n)
{
	c->head_bytes += n;
	return c->head_bytes > SRV_MAX_HEAD;
}

static int on_url(http_parser *p, const char *at, size_t n)
{
	conn *c = p->data;
	request *r = c->cur;
	if (r->target_len + n > SRV_MAX_URL)
		return stop_with(c, 414);
	if (count_head(c, n))
		return stop_with(c, 431);
	char *t = realloc(r->target, r->target_len + n + 1);
	if (!t)
		return -1;
	memcpy(t + r->target_len, at, n);
	r->target = t;
	r->target_len += n;
	t[r->target_len] = '\0';
	return 0;
}

/* Where the value of the header just named goes (NULL: not kept). */
static char **slot_for(request *r, const char *name)
{
	if (strcmp(name, "if-none-match") == 0)
		return &r->if_none_match;
	if (strcmp(name, "if-modified-since") == 0)
		return &r->if_modified_since;
	if (strcmp(name, "accept-encoding") == 0)
		return &r->accept_encoding;
	return NULL;
}

static int on_header_field(http_parser *p, const char *at, size_t n)
{
	conn *c = p->data;
	if (count_head(c, n))
		return stop_with(c, 431);
	if (c->in_value) {
		c->in_value = 0;
		c->field_len = 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (c->field_len + 1 >= sizeof c->field) {
			c->field_len = sizeof c->field; /* too long: not ours */
			break;
		}
		char ch = at[i];
		c->field[c->field_len++] =
		        (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
	}
	return 0;
}

static int on_header_value(http_parser *p, const char *at, size_t n)
{
	conn *c = p->data;
	if (count_head(c, n))
		return stop_with(c, 431);
	if (!c->in_value) {
		c->in_value = 1;
		c->value = NULL;
		if (c->field_len < sizeof c->field) {
			c->field[c->field_len] = '\0';
			c->value = slot_for(c->cur, c->field);
			if (c->value) { /* a repeated header: the last wins */
				free(*c->value);
				*c->value = NULL;
			}
		}
	}
	if (!c->value)
		return 0;
	size_t old = *c->value ? strlen(*c->value) : 0;
	char *v = realloc(*c->value, old + n + 1);
	if (!v)
		return -1;
	memcpy(v + old, at, n);
	v[old + n] = '\0';
	*c->value = v;
	return 0;
}

static int on_headers_complete(http_parser *p)
{
	conn *c = p->data;
	request *r = c->cur;
	snprintf(r->method, sizeof r->method, "%s",
	         http_method_str((enum http_method)p->method));
	r->is_get = p->method == HTTP_GET;
	r->is_head = p->method == HTTP_HEAD;
	r->http_minor = p->http_minor;
	r->keep_alive = http_should_keep_alive(p);
	if (p->method == HTTP_CONNECT) {
		/* What follows is a tunnel's bytes, not requests. */
		stop_with(c, 405);
		http_parser_pause(p, 1);
		return 0;
	}
	int has_body =
	        (p->flags & F_CHUNKED) ||
	        (p->content_length > 0 && p->content_length != (uint64_t)-1);
	if (!r->is_get && !r->is_head) {
		r->early_status = 405;
		if (has_body) { /* its body is not read: the stream is lost */
			stop_with(c, 405);
			http_parser_pause(p, 1);
			return 0;
		}
		return 1; /* no body: go on with the next request */
	}
	if (has_body) {
		stop_with(c, 413);
		http_parser_pause(p, 1);
		return 0;
	}
	return 1; /* GET and HEAD have no body */
}

static int on_message_complete(http_parser *p)
{
	conn *c = p->data;
	request *r = c->cur;
	c->cur = NULL;
	if (!r->keep_alive)
		r->close_after = c->last_request = 1;
	enqueue(c, r); /* may answer and free r at once */
	if (c->queued >= SRV_MAX_PIPELINE || c->unsent > SRV_MAX_UNSENT ||
	    c->last_request)
		http_parser_pause(p, 1);
	return 0;
}

static const http_parser_settings settings = {
        .on_message_begin = on_message_begin,
        .on_url = on_url,
        .on_header_field = on_header_field,
        .on_header_value = on_header_value,
        .on_headers_complete = on_headers_complete,
        .on_message_complete = on_message_complete,
};

/* ---- reading ---- */

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	(void)hint;
	conn *c = h->data;
	/* One buffer per loop: a read is parsed before the next one. */
	*buf = uv_buf_init(c->s->read_slab, sizeof c->s->read_slab);
}

/* Parses data; keeps what a pause left unparsed.  Returns -1 when the
 * connection was given up. */
static int feed(conn *c, const char *data, size_t len)
{
	size_t done = http_parser_execute(&c->parser, &settings, data, len);
	enum http_errno e = HTTP_PARSER_ERRNO(&c->parser);
	/* http_parser stops after the head of an Upgrade request, leaving the
	 * rest for the new protocol.  No protocol is switched to: the rest is
	 * the next request. */
	while (e == HPE_OK && c->parser.upgrade && done < len &&
	       !c->parse_stopped && !c->closed) {
		data += done;
		len -= done;
		c->parser.upgrade = 0;
		done = http_parser_execute(&c->parser, &settings, data, len);
		e = HTTP_PARSER_ERRNO(&c->parser);
	}
	if (e == HPE_PAUSED) {
		if (c->parse_stopped)
			return 0;
		if (c->last_request) {
			/* Connection: close -- nothing after it is read. */
			c->parse_stopped = 1;
			read_stop(c);
			return 0;
		}
		size_t rest = len - done;
		char *keep = rest ? malloc(rest) : NULL;
		if (rest && !keep) {
			conn_close(c);
			return -1;
		}
		if (rest)
			memcpy(keep, data + done, rest);
		free(c->leftover);
		c->leftover = keep;
		c->leftover_len = rest;
		c->read_paused = 1;
		read_stop(c);
		return 0;
	}
	if (e != HPE_OK) {
		if (!c->parse_stopped)
			stop_with(c, 400);
		read_stop(c);
		return 0;
	}
	return 0;
}

void conn_on_eof(conn *c)
{
	/* EOF or reset: answer nothing more unless responses are still owed
	 * (a half-closed client may still read them). */
	read_stop(c);
	c->parse_stopped = 1;
	if (c->closed)
		return;
	if (!c->queued && !c->writing)
		conn_close(c);
	else
		c->closing = 1;
}

void conn_on_data(conn *c, const char *data, size_t len)
{
	if (len == 0 || c->parse_stopped || c->closed)
		return;
	feed(c, data, len);
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
	conn *c = stream->data;
	if (nread < 0)
		conn_on_eof(c);
	else
		conn_on_data(c, buf->base, (size_t)nread);
}

/* After a pause for a full pipeline: parse what was left, then read on. */
void conn_resume(conn *c)
{
	if (!c->read_paused || c->closed || c->parse_stopped ||
	    c->queued >= SRV_MAX_PIPELINE / 2 || c->unsent > SRV_MAX_UNSENT / 2)
		return;
	c->read_paused = 0;
	http_parser_pause(&c->parser, 0);
	char *rest = c->leftover;
	size_t n = c->leftover_len;
	c->leftover = NULL;
	c->leftover_len = 0;
	int rc = n ? feed(c, rest, n) : 0;
	free(rest);
	if (rc == 0 && !c->read_paused && !c->parse_stopped && !c->closed)
		read_start(c);
}

/* ---- accepting ---- */

static void refuse_busy(srv *s)
{
	static const char busy[] =
	        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: "
	        "text/plain; charset=utf-8\r\nContent-Length: 27\r\n"
	        "Retry-After: 5\r\nConnection: close\r\n\r\ntoo many "
	        "connections open\n";
	uv_tcp_t *t = malloc(sizeof *t);
	if (!t)
		return;
	uv_tcp_init(s->loop, t);
	if (uv_accept((uv_stream_t *)&s->listener, (uv_stream_t *)t) == 0) {
		uv_buf_t b = uv_buf_init((char *)busy, sizeof busy - 1);
		(void)uv_try_write((uv_stream_t *)t, &b, 1);
	}
	uv_close((uv_handle_t *)t, (uv_close_cb)free);
}

/* Links a new connection into s; its handles are the caller's to open. */
static conn *conn_new(srv *s)
{
	conn *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->s = s;
	uv_timer_init(s->loop, &c->timer);
	c->timer.data = c;
	c->handles_open = 1;
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	s->nconns++;
	atomic_fetch_add(&s->sh->nconns, 1);
	http_parser_init(&c->parser, HTTP_REQUEST);
	c->parser.data = c;
	snprintf(c->peer, sizeof c->peer, "-");
	return c;
}

conn *conn_new_sink(srv *s, srv_out *out)
{
	conn *c = conn_new(s);
	if (c)
		c->sink = out;
	return c;
}

void conn_accept(srv *s)
{
	if (atomic_load(&s->sh->nconns) >= s->opts->max_connections) {
		refuse_busy(s);
		return;
	}
	conn *c = conn_new(s);
	if (!c)
		return;
	uv_tcp_init(s->loop, &c->tcp);
	c->tcp.data = c;
	c->handles_open = 2;
	if (uv_accept((uv_stream_t *)&s->listener, (uv_stream_t *)&c->tcp)) {
		conn_close(c);
		return;
	}
	struct sockaddr_storage ss;
	int len = sizeof ss;
	if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) == 0) {
		if (ss.ss_family == AF_INET6)
			uv_ip6_name((struct sockaddr_in6 *)&ss, c->peer,
			            sizeof c->peer);
		else
			uv_ip4_name((struct sockaddr_in *)&ss, c->peer,
			            sizeof c->peer);
	}
	uv_tcp_nodelay(&c->tcp, 1);
	conn_arm_timer(c);
	read_start(c);
}

void conn_stop_all(srv *s)
{
	conn *c = s->conns;
	while (c) {
		conn *next = c->next;
		c->closing = 1;
		c->parse_stopped = 1;
		read_stop(c);
		if (!c->queued && !c->writing)
			conn_close(c);
		c = next;
	}
}
