/*
 * sim.c -- srv_handle_bytes: request bytes in, response bytes out, with no
 * socket.  A private event loop, one srv without a listener and one
 * connection whose input is the caller's bytes and whose output is a
 * buffer (conn_new_sink); everything between is the path a real
 * connection's reads take: conn.c parses and limits, respond.c answers from
 * the cache or the thread pool and writes in order, render.c renders.  For
 * fuzzing (tests/fuzz/fuzz_http.c) and for tests of exact bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "loop.h"

enum { CHUNK = 65536 }; /* what one read of a socket may deliver */

int srv_handle_bytes(const srv_opts *o, const void *in, size_t len,
                     unsigned char **out, size_t *out_len)
{
	*out = NULL;
	*out_len = 0;
	uv_loop_t loop;
	if (uv_loop_init(&loop))
		return -1;
	srv_shared sh;
	atomic_init(&sh.generation, 0);
	atomic_init(&sh.nconns, 0);
	srv_out sink = SRV_OUT_INIT;
	srv *s = calloc(1, sizeof *s); /* holds a 64 KiB read slab */
	int rc = -1;
	if (!s)
		goto out_loop;
	s->loop = &loop;
	s->opts = o;
	s->sh = &sh;
	s->is_main = 1;
	s->inotify_fd = -1;
	snprintf(s->base_url, sizeof s->base_url, "%s",
	         o->base_url && *o->base_url ? o->base_url
	                                     : "http://127.0.0.1:8080");
	s->rctx.db_path = o->db_path;
	s->rctx.plugins = o->plugins;
	s->rctx.base_url = s->base_url;
	s->rctx.now = o->now;
	s->rctx.time_limit_ms = (int64_t)(o->render_timeout * 1000 + 0.5);
	s->cache = srv_cache_new(o->cache_bytes ? o->cache_bytes : 1u << 20,
	                         60000);
	conn *c = s->cache ? conn_new_sink(s, &sink) : NULL;
	if (!c)
		goto out_srv;
	const char *p = in;
	size_t left = len;
	int eof = 0;
	rc = 0;
	/* c stays allocated while it is in s->conns (until it is closed and
	 * the loop has run its close callbacks). */
	while (s->conns) {
		if (conn_wants_input(c) && (left || !eof)) {
			size_t n = left < CHUNK ? left : CHUNK;
			if (n)
				conn_on_data(c, p, n);
			else {
				eof = 1;
				conn_on_eof(c);
			}
			p += n;
			left -= n;
			continue;
		}
		if (!uv_run(&loop, UV_RUN_ONCE) && s->conns) {
			/* Open, not reading, and waiting on nothing. */
			rc = -1;
			conn_close(c);
		}
	}
	uv_run(&loop, UV_RUN_DEFAULT); /* the close callbacks: c is freed */
out_srv:
	srv_cache_free(s->cache);
	free(s);
out_loop:
	if (uv_loop_close(&loop))
		rc = -1;
	if (rc) {
		tl_buf_release(&sink);
		return -1;
	}
	if (sink.len == 0) { /* nothing was written: *out stays NULL */
		tl_buf_release(&sink);
		return 0;
	}
	*out_len = sink.len;
	*out = (unsigned char *)tl_buf_steal(&sink);
	return *out ? 0 : -1;
}
