/*
 * server.h -- `tldb serve`: calendar feeds over HTTP/1.1 on libuv loops.
 *
 * One or more loop threads (server.c, conn.c; --loops), each accepting
 * from its own descriptor of the one listening socket, parse requests with
 * libhttp-parser, answer from the response cache and write responses in
 * request order.  Everything that touches the database or an exporter runs
 * on libuv's thread pool (render.c), each worker with its own read-only
 * connection, so no loop waits on disk or on a plugin.
 *
 * A rendered response (srv_body) is immutable once made and reference
 * counted: the cache holds one reference and every write in flight another.
 * The cache is keyed by the normalised request and valid for one database
 * generation; the generation rises whenever the database's files change
 * (inotify, read by the main loop through a uv_poll: uv_fs_event cannot
 * tell a write from a change of owner), so an import by another process
 * shows at the next request with no database work for a repeated one.
 */
#ifndef TLDB_SERVER_H
#define TLDB_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "tldb/plugins.h"
#include "tldb/tldb.h"

/* ---- options ---- */

typedef struct srv_opts {
	const char *db_path;
	tldb_plugins *plugins;
	const char *host;       /* listen address, "127.0.0.1" */
	int port;               /* 0: an ephemeral port */
	const char *base_url;   /* NULL: http://HOST:PORT */
	int threads;            /* thread-pool size; 0: libuv's default */
	int loops;              /* event loops accepting connections; 0: 1 */
	int gzip;               /* 1: compress when Accept-Encoding allows */
	const char *access_log; /* NULL: stderr; "-": stdout */
	int max_connections;
	double idle_timeout;   /* seconds a keep-alive connection may idle */
	double header_timeout; /* seconds to receive a request head */
	size_t cache_bytes;    /* bound on the response cache */
	int64_t now;           /* fixed clock (tests); 0: the real one */
	double render_timeout; /* seconds one render may take (then a 503);
	                          0: no limit */
} srv_opts;

/* Runs the server until SIGINT or SIGTERM; prints the listening URL and the
 * feeds on stdout once it accepts.  The listening socket is bound without
 * SO_REUSEPORT, so a port another process listens on (another tldb serve
 * included) is an error ("Address already in use"); the event loops share
 * that one socket.  Returns 0 after a clean shutdown, or 1 after printing
 * why it could not start. */
int srv_run(const srv_opts *opts);

/* Request bytes in, response bytes out, with no socket: in[0..len) goes
 * through the very path a connection's reads take (conn.c's parser and
 * limits, pipelining, routing, the cache, rendering on libuv's thread pool,
 * respond.c's headers) on a private event loop, followed by the end of the
 * stream, and every response written is appended to *out.  Uses o's
 * db_path, plugins, base_url (NULL: http://127.0.0.1:8080), gzip,
 * cache_bytes (0: 1 MiB), now and render_timeout; the access log is off
 * and no timer runs.  A fresh cache each call; the pool's database
 * connections stay open (srv_render_shutdown closes them).  Returns 0 with
 * *out the caller's (free(); NULL when nothing was written), or -1 out of
 * memory or when the connection wedged (neither closed nor waiting on
 * anything: a bug).  For fuzzing (tests/fuzz/fuzz_http.c) and tests. */
int srv_handle_bytes(const srv_opts *o, const void *in, size_t len,
                     unsigned char **out /* OUT */, size_t *out_len /* OUT */);

/* ---- responses ---- */

/* A rendered response body with its validators; immutable once made. */
typedef struct srv_body {
	int refs;
	int status; /* 200, 400, 404 or 503 */
	char content_type[96];
	char etag[48];         /* quoted, strong; "" when none */
	int64_t last_modified; /* 0 when none */
	int private_feed;      /* Cache-Control: private */
	unsigned char *data;
	size_t len;
	unsigned char *gz; /* gzip of data, made on first demand; NULL */
	size_t gz_len;
	uint64_t generation; /* the database generation it was rendered at */
	uint64_t made_ms;    /* uv_now when made */
} srv_body;

/* A new body owning `data` (malloc'd, taken) with one reference; NULL when
 * out of memory (data is then freed). */
srv_body *srv_body_new(int status, const char *content_type,
                       unsigned char *data, size_t len);
/* A body of a short plain-text message (errors). */
srv_body *srv_body_text(int status, const char *msg);
void srv_body_ref(srv_body *b);
void srv_body_unref(srv_body *b);
/* Sets b->etag from the bytes of its body. */
void srv_body_set_etag(srv_body *b);

/* gzip (RFC 1952) of in[0..len) into a new buffer; 0 or -1. */
int srv_gzip(const unsigned char *in, size_t len, unsigned char **out,
             size_t *out_len);

/* HTTP dates (RFC 9110): IMF-fixdate into buf (at least 30 bytes), and the
 * three accepted forms back; -1 when malformed. */
void srv_http_date(int64_t t, char *buf, size_t size);
int64_t srv_parse_http_date(const char *s);

/* The value of hex digit c, or -1 (for percent-decoding: the router's
 * and the access log's, which must agree on what a name decodes to). */
int srv_hexval(int c);

/* 1 when an If-None-Match header value lists `etag` (or is "*"). */
int srv_etag_matches(const char *if_none_match, const char *etag);

/* 1 when Accept-Encoding allows gzip (a q of 0 refuses it). */
int srv_accepts_gzip(const char *accept_encoding);

/* The reason phrase of a status code. */
const char *srv_reason(int status);

/* ---- routes ---- */

enum { SRV_MAX_TAGS = 16 };

typedef enum srv_route_kind {
	SRV_ROUTE_INDEX = 1,
	SRV_ROUTE_TIMELINES_JSON,
	SRV_ROUTE_FEED
} srv_route_kind;

/* A request target, decoded and checked. */
typedef struct srv_route {
	srv_route_kind kind;
	char name[TLDB_MAX_TIMELINE_NAME + 1];
	char ext[32];
	char *from, *to, *q, *min_precision, *token; /* decoded; may be NULL */
	const char *coarse; /* static: span, first-day or skip; NULL: unset */
	char *tags[SRV_MAX_TAGS];
	int ntags;
	int within;
	char *key; /* the cache key: path and sorted known parameters */
} srv_route;

/* Parses target (path and query) into *r.  Returns 0, or the status to
 * answer (400, 404) with a message in msg. */
int srv_route_parse(const char *target, size_t len, srv_route *r, char *msg,
                    size_t msgsize);
void srv_route_release(srv_route *r);

/* ---- rendering (on a worker thread) ---- */

typedef struct srv_render_ctx {
	const char *db_path;
	tldb_plugins *plugins;
	const char *base_url;  /* no trailing slash */
	int64_t now;           /* 0: the real clock */
	int64_t time_limit_ms; /* a render's budget (tldb_set_time_limit); 0:
	                          none */
} srv_render_ctx;

/* Renders route r; never NULL except out of memory.  A failure inside
 * (database busy or corrupt, exporter error, ctx->time_limit_ms passed) is
 * a 503 body; a text query over TLDB_MAX_QUERY_TERMS a 400. */
srv_body *srv_render(const srv_render_ctx *ctx, const srv_route *r);

/* Closes every worker's database connection; call once the pool is idle. */
void srv_render_shutdown(void);

/* Constant-time comparison of a request's token with a timeline's. */
int srv_token_equal(const char *given, const char *want);

/* ---- the cache (loop thread only) ---- */

typedef struct srv_cache srv_cache;

srv_cache *srv_cache_new(size_t max_bytes, uint64_t ttl_ms);
void srv_cache_free(srv_cache *c);
/* The body cached under key for generation gen and not older than the TTL
 * at now_ms, with a new reference (the caller unrefs); NULL on a miss. */
srv_body *srv_cache_get(srv_cache *c, const char *key, uint64_t gen,
                        uint64_t now_ms);
/* Stores body under key (taking a new reference), evicting the least
 * recently used entries past the bound. */
void srv_cache_put(srv_cache *c, const char *key, srv_body *body);
/* Entries and bytes held (tests and the benchmark's memory check). */
void srv_cache_stats(const srv_cache *c, size_t *entries, size_t *bytes);

/* ---- the access log (loop thread only) ---- */

typedef struct srv_log srv_log;

/* Opens the log (NULL: stderr, "-": stdout, else appended to the file). */
srv_log *srv_log_open(uv_loop_t *loop, const char *path, char *err,
                      size_t errsize);
/* One line per request, common log format plus the duration in seconds. */
void srv_log_request(srv_log *l, const char *peer, const char *method,
                     const char *target, int http_minor, int status,
                     size_t bytes, double seconds);
/* Starts writing what waits and closes the log's handles, so the loop can
 * end (stop).  Then srv_log_close, after the loop has ended, writes what is
 * left (blocking) and frees the log. */
void srv_log_stop(srv_log *l);
void srv_log_close(srv_log *l);

#endif /* TLDB_SERVER_H */
