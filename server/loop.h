/*
 * loop.h -- the loop thread's objects: the server, its connections and
 * their requests (server.c, conn.c, respond.c).
 *
 * Ownership: the server owns its connections (a list); a connection owns
 * its queue of requests, answered strictly in arrival order (pipelining).
 * A request handed to the thread pool keeps its connection alive: a
 * connection is freed only when its handles are closed and no request of
 * it is still out in the pool.
 */
#ifndef TLDB_SERVER_LOOP_H
#define TLDB_SERVER_LOOP_H

#include <http_parser.h>
#include <stdatomic.h>

#include "render.h"
#include "server.h"

#define SRV_MAX_HEAD     (16 * 1024) /* request line and headers: 431 */
#define SRV_MAX_URL      (8 * 1024)  /* request target: 414 */
#define SRV_MAX_PIPELINE 32          /* queued requests before reading waits */
/* Backpressure: while more than this waits unsent on a connection (a
 * client that pipelines and does not read), it is not read and none of its
 * requests starts rendering; both resume below half of it. */
#define SRV_MAX_UNSENT (1024 * 1024)
/* Requests of one connection rendering (or compressing) on the pool at
 * once: only the first SRV_MAX_RENDERS of its queue may be out there, so a
 * pipelining client holds at most that many fresh bodies besides what is
 * unsent, and cannot occupy every worker. */
#define SRV_MAX_RENDERS 2

typedef struct srv srv;

/* What the loops share: the database generation and the connection count,
 * both atomic (the main loop moves the generation; every loop reads it). */
typedef struct srv_shared {
	_Atomic uint64_t
	        generation; /* rises when the database's files change */
	_Atomic int nconns; /* open connections, all loops */
} srv_shared;
typedef struct conn conn;
typedef struct request request;

/* One event loop: the main one (signals, the database watcher, the other
 * loops' stop) or one of the others, each on its own thread with its own
 * duplicate of the one listening socket, connections, cache and access-log
 * buffer. */
struct srv {
	uv_loop_t *loop;
	const srv_opts *opts;
	srv_shared *sh;
	int is_main;
	uv_tcp_t listener;
	int listening; /* the listener handle is initialised */
	uv_signal_t sigint, sigterm;
	uv_async_t
	        stop_async; /* other loops: the main loop asks them to stop */
	uv_poll_t watch;    /* main: inotify on the database's folder */
	int inotify_fd;
	int watching;
	srv **others; /* main: the other loops */
	int nothers;
	srv_cache *cache;
	srv_log *log;
	srv_render_ctx rctx;
	char base_url[512];
	char db_name[256];     /* the database file's name in its folder */
	char read_slab[65536]; /* what every connection of the loop reads into
	                        */
	int64_t date_second;   /* the second `date` was formatted for */
	char date[40];
	conn *conns;
	int nconns;
	int stopping;
	request *renders; /* requests rendering on the pool, by next_render */
};

struct request {
	request *next;
	conn *c;
	char method[16];
	int is_head, is_get;
	int http_minor;
	int keep_alive;
	char *target;
	size_t target_len;
	char *if_none_match, *if_modified_since, *accept_encoding;
	int early_status; /* decided while parsing: 400, 405, 413, 414, 431 */
	int close_after;
	srv_route route;
	int routed;
	int want_gzip;
	srv_body *body; /* the answer, once ready */
	int ready;
	int in_pool;       /* out on the thread pool, or waiting for a render */
	int deferred;      /* a miss waiting for the connection's render window
	                    */
	int orphan;        /* dropped from the queue while in the pool */
	uint64_t gen;      /* the generation the render started at */
	unsigned char *gz; /* gzip made in the pool, attached on return */
	size_t gz_len;
	uint64_t start_ns;
	uv_work_t work;
	/* A render on the pool is in srv.renders; requests for the same key
	 * that miss the cache meanwhile wait for its body (waiters). */
	int rendering;
	request *next_render;
	request *waiters, *next_waiter;
};

struct conn {
	uv_tcp_t tcp;
	uv_timer_t timer;
	srv *s;
	conn *next, *prev;
	http_parser parser;
	char peer[64];
	request *cur; /* being parsed */
	size_t head_bytes;
	char field[64]; /* the header name being read, lower case */
	size_t field_len;
	int in_value;
	char **value; /* where the current header's value goes, or NULL */
	request *head, *tail;
	int queued;
	int in_pool;      /* its requests out on the pool */
	int writing;      /* responses handed to uv_write, not yet written */
	int handles_open; /* tcp and timer not yet closed */
	int closing;      /* close once the queue is written */
	int closed;       /* uv_close called */
	int read_paused;
	int parse_stopped; /* a bad request ended parsing */
	int last_request;  /* Connection: close was read: nothing after it */
	char *leftover;    /* bytes read but not parsed while paused */
	size_t leftover_len;
	size_t unsent;   /* bytes handed to uv_write, not yet written */
	int dispatching; /* respond.c is starting deferred requests */
	/* No socket (srv_handle_bytes): responses are appended to *sink (the
	 * caller's) and the tcp handle is never initialised.  NULL: a socket.
	 */
	srv_out *sink;
};

/* conn.c */
void conn_accept(srv *s);
/* A connection with no socket on s (srv_handle_bytes): bytes come from
 * conn_on_data, responses are appended to *out (borrowed; it must outlive
 * the connection).  NULL out of memory. */
conn *conn_new_sink(srv *s, srv_out *out);
/* What a read delivers: bytes, and the end of the stream.  The same path
 * for a socket (on_read) and for srv_handle_bytes. */
void conn_on_data(conn *c, const char *data, size_t len);
void conn_on_eof(conn *c);
/* 1 while c takes more bytes (not paused, not stopped, not closed). */
int conn_wants_input(const conn *c);
/* The database generation now. */
uint64_t srv_generation(const srv *s);
/* Closes idle connections and lets busy ones finish (shutdown). */
void conn_stop_all(srv *s);

/* respond.c: makes the answer of a parsed request (from the cache, or on
 * the pool), then conn_flush writes what is ready in order. */
void respond_dispatch(request *r);
/* Writes what is ready in order, starts deferred renders that the window
 * and the unsent bound now allow, and resumes reading. */
void conn_flush(conn *c);
void request_free(request *r);

/* conn.c, for respond.c */
void conn_close(conn *c);
void conn_maybe_free(conn *c);
void conn_resume(conn *c);
void conn_arm_timer(conn *c);

#endif /* TLDB_SERVER_LOOP_H */
