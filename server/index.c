/*
 * index.c -- the server's own pages: `/`, an HTML list of the timelines
 * with their feeds and subscribe links (webcal:// and https://) and a short
 * how-to for each calendar application, and `/timelines.json`, the same as
 * data.  Private timelines appear only to a request that carries their
 * token.  Last-Modified is the newest change among the timelines listed.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "tldb/plugin.h"

/* Calls fn for each timeline the request may see; 0, or the tldb error. */
typedef int (*each_fn)(void *ud, const tldb_timeline *tl);

static int each_visible(tldb *db, const srv_route *r, each_fn fn, void *ud,
                        int64_t *newest)
{
	tldb_cursor *c = NULL;
	const tldb_timeline *tl;
	int rc = tldb_timeline_list(db, &c);
	while (!rc && (rc = tldb_cursor_next_timeline(c, &tl)) == TLDB_OK) {
		if (!srv_visible(tl, r->token))
			continue;
		if (tl->updated > *newest)
			*newest = tl->updated;
		if (fn(ud, tl)) {
			rc = TLDB_ENOMEM;
			break;
		}
	}
	tldb_cursor_free(c);
	return rc == TLDB_DONE ? TLDB_OK : rc;
}

/* The URL of a timeline's feed with extension ext. */
static void feed_url(const srv_render_ctx *ctx, const tldb_timeline *tl,
                     const char *ext, int webcal, char *buf, size_t size)
{
	const char *base = ctx->base_url;
	const char *rest = strstr(base, "://");
	char token[TLDB_TOKEN_LEN + 16] = "";
	if (tl->token)
		snprintf(token, sizeof token, "?token=%s", tl->token);
	if (webcal && rest)
		snprintf(buf, size, "webcal%s/t/%s.%s%s", rest, tl->name, ext,
		         token);
	else
		snprintf(buf, size, "%s/t/%s.%s%s", base, tl->name, ext, token);
}

/* ---- / ---- */

typedef struct page {
	const srv_render_ctx *ctx;
	srv_out out;
	int count;
} page;

static int link(page *pg, const char *href, const char *text)
{
	return srv_out_str(&pg->out, "<a href=\"") ||
	       srv_out_html(&pg->out, href) || srv_out_str(&pg->out, "\">") ||
	       srv_out_html(&pg->out, text) || srv_out_str(&pg->out, "</a>");
}

static int page_timeline(void *ud, const tldb_timeline *tl)
{
	page *pg = ud;
	srv_out *o = &pg->out;
	char url[800], count[64];
	pg->count++;
	snprintf(count, sizeof count, " &middot; %lld event%s",
	         (long long)tl->events, tl->events == 1 ? "" : "s");
	int rc = srv_out_str(o, "<section>\n<h2>") ||
	         srv_out_html(o,
	                      tl->title && *tl->title ? tl->title : tl->name) ||
	         srv_out_str(o, "</h2>\n<p><code>") ||
	         srv_out_html(o, tl->name) || srv_out_str(o, "</code>") ||
	         srv_out_str(o, count) ||
	         (tl->token && srv_out_str(o, " &middot; private")) ||
	         srv_out_str(o, "</p>\n");
	if (!rc && tl->description && *tl->description)
		rc = srv_out_str(o, "<p>") ||
		     srv_out_html(o, tl->description) ||
		     srv_out_str(o, "</p>\n");
	feed_url(pg->ctx, tl, "ics", 1, url, sizeof url);
	rc = rc || srv_out_str(o, "<p class=\"subscribe\">Subscribe: ") ||
	     link(pg, url, "webcal (Apple Calendar, Outlook)");
	feed_url(pg->ctx, tl, "ics", 0, url, sizeof url);
	rc = rc || srv_out_str(o, " &middot; ") ||
	     link(pg, url, "https URL (Google, Thunderbird)") ||
	     srv_out_str(o, "</p>\n<p>Feeds:");
	size_t n = tldb_plugins_count(pg->ctx->plugins);
	for (size_t i = 0; i < n && !rc; i++) {
		const tldb_plugin_info *info =
		        tldb_plugins_at(pg->ctx->plugins, i, NULL);
		if (!info->exporter || !info->exporter->extensions ||
		    !info->exporter->extensions[0])
			continue;
		const char *ext = info->exporter->extensions[0];
		feed_url(pg->ctx, tl, ext, 0, url, sizeof url);
		rc = srv_out_str(o, " ") || link(pg, url, ext);
	}
	return rc || srv_out_str(o, "</p>\n</section>\n");
}

static const char page_head[] =
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
        "charset=\"utf-8\">\n<meta name=\"viewport\" "
        "content=\"width=device-width, initial-scale=1\">\n"
        "<title>tldb feeds</title>\n<style>\nbody{font:16px/1.5 "
        "system-ui,sans-serif;max-width:46em;margin:2em "
        "auto;padding:0 1em;color:#222}\nh2{margin-bottom:.2em}\n"
        "section{border-top:1px solid #ddd;padding-top:.5em}\n"
        "code{background:#f4f4f4;padding:0 .2em}\n</style>\n</head>\n"
        "<body>\n<h1>Timelines</h1>\n";

static const char page_howto[] =
        "<section id=\"how-to\">\n<h2>How to subscribe</h2>\n<dl>\n"
        "<dt>Google Calendar</dt><dd>Other calendars &rarr; + &rarr; From "
        "URL, and paste the https URL. Google refreshes every several "
        "hours.</dd>\n"
        "<dt>Apple Calendar</dt><dd>Click the webcal link, or File &rarr; "
        "New Calendar Subscription and paste it.</dd>\n"
        "<dt>Outlook</dt><dd>Add calendar &rarr; Subscribe from web, and "
        "paste the https URL (or click the webcal link).</dd>\n"
        "<dt>Thunderbird</dt><dd>New Calendar &rarr; On the Network, and "
        "paste the https URL.</dd>\n</dl>\n<p>Calendars keep the "
        "subscription current; nothing needs to be imported again.</p>\n"
        "</section>\n</body>\n</html>\n";

srv_body *srv_render_index(const srv_render_ctx *ctx, tldb *db,
                           const srv_route *r)
{
	page pg = {ctx, SRV_OUT_INIT, 0};
	int64_t newest = 0;
	int rc = srv_out_str(&pg.out, page_head) ? TLDB_ENOMEM : TLDB_OK;
	if (!rc)
		rc = each_visible(db, r, page_timeline, &pg, &newest);
	if (!rc && !pg.count &&
	    srv_out_str(&pg.out, "<p>No timelines yet: <code>tldb import "
	                         "FILE</code> adds one.</p>\n"))
		rc = TLDB_ENOMEM;
	if (!rc && srv_out_str(&pg.out, page_howto))
		rc = TLDB_ENOMEM;
	if (rc) {
		tl_buf_release(&pg.out);
		return srv_body_text(503, rc == TLDB_ENOMEM ? "out of memory"
		                                            : tldb_errmsg(db));
	}
	srv_body *b = srv_out_body(&pg.out, 200, "text/html; charset=utf-8");
	if (b) {
		b->last_modified = newest;
		b->private_feed = r->token != NULL;
	}
	return b;
}

/* ---- /timelines.json ---- */

typedef struct listing {
	const srv_render_ctx *ctx;
	json_t *arr;
} listing;

static int json_timeline(void *ud, const tldb_timeline *tl)
{
	listing *ls = ud;
	char url[800], when[40];
	json_t *o = json_object(), *feeds = json_object();
	if (!o || !feeds) {
		json_decref(o);
		json_decref(feeds);
		return -1;
	}
	tldb_format_instant(tl->updated, when, sizeof when);
	json_object_set_new(o, "name", json_string(tl->name));
	if (tl->title)
		json_object_set_new(o, "title", json_string(tl->title));
	if (tl->description)
		json_object_set_new(o, "description",
		                    json_string(tl->description));
	json_object_set_new(o, "events", json_integer(tl->events));
	json_object_set_new(o, "updated", json_string(when));
	json_object_set_new(o, "private", json_boolean(tl->token != NULL));
	size_t n = tldb_plugins_count(ls->ctx->plugins);
	for (size_t i = 0; i < n; i++) {
		const tldb_plugin_info *info =
		        tldb_plugins_at(ls->ctx->plugins, i, NULL);
		if (!info->exporter || !info->exporter->extensions ||
		    !info->exporter->extensions[0])
			continue;
		const char *ext = info->exporter->extensions[0];
		feed_url(ls->ctx, tl, ext, 0, url, sizeof url);
		json_object_set_new(feeds, ext, json_string(url));
	}
	json_object_set_new(o, "feeds", feeds);
	feed_url(ls->ctx, tl, "ics", 1, url, sizeof url);
	json_object_set_new(o, "webcal", json_string(url));
	return json_array_append_new(ls->arr, o);
}

srv_body *srv_render_timelines_json(const srv_render_ctx *ctx, tldb *db,
                                    const srv_route *r)
{
	listing ls = {ctx, json_array()};
	if (!ls.arr)
		return srv_body_text(503, "out of memory");
	int64_t newest = 0;
	int rc = each_visible(db, r, json_timeline, &ls, &newest);
	if (rc) {
		json_decref(ls.arr);
		return srv_body_text(503, rc == TLDB_ENOMEM ? "out of memory"
		                                            : tldb_errmsg(db));
	}
	json_t *doc = json_pack("{so}", "timelines", ls.arr);
	char *text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
	json_decref(doc);
	srv_out out = SRV_OUT_INIT;
	if (!text || srv_out_str(&out, text) || srv_out_str(&out, "\n")) {
		free(text);
		tl_buf_release(&out);
		return srv_body_text(503, "out of memory");
	}
	free(text);
	srv_body *b = srv_out_body(&out, 200, "application/json");
	if (b) {
		b->last_modified = newest;
		b->private_feed = r->token != NULL;
	}
	return b;
}
