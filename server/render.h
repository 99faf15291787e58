/*
 * render.h -- what the renderers (render.c, index.c) share: a growable
 * output buffer and the visibility rule of private timelines.  Worker
 * threads only.
 */
#ifndef TLDB_SERVER_RENDER_H
#define TLDB_SERVER_RENDER_H

#include "buf.h"
#include "server.h"

/* A growable output buffer of up to SRV_MAX_BODY bytes (a tl_buf: `data`,
 * `len`); start it with SRV_OUT_INIT, free it with tl_buf_release. */
typedef tl_buf srv_out;
#define SRV_MAX_BODY ((size_t)1 << 30)
#define SRV_OUT_INIT TL_BUF_INIT(SRV_MAX_BODY)

/* Appends; 0, or -1 out of memory or past the bound.  srv_out_write has
 * the tldb_write_fn shape, with a srv_out as `ud`. */
int srv_out_write(void *ud, const void *buf, size_t len);
int srv_out_str(srv_out *o, const char *s);
/* Appends s (NULL: nothing) escaped for HTML text and attribute values. */
int srv_out_html(srv_out *o, const char *s);
/* Hands the buffer to a new body with its ETag set (the buffer is then
 * empty); NULL out of memory. */
srv_body *srv_out_body(srv_out *o, int status, const char *content_type);

/* 1 when timeline tl may be shown to a request carrying `token` (NULL:
 * none): public, or private with that token. */
int srv_visible(const tldb_timeline *tl, const char *token);

/* GET / : an HTML page of the visible timelines, their feeds and how to
 * subscribe from each calendar application. */
srv_body *srv_render_index(const srv_render_ctx *ctx, tldb *db,
                           const srv_route *r);

/* GET /timelines.json : the visible timelines and their feed URLs. */
srv_body *srv_render_timelines_json(const srv_render_ctx *ctx, tldb *db,
                                    const srv_route *r);

#endif /* TLDB_SERVER_RENDER_H */
