/*
 * html.c -- the `html` plugin: exports a timeline as one self-contained web
 * page, a picture on a time axis above a plain list of the same events.
 * docs/PLUGINS.md ("The html exporter") is the user's account.
 *
 * Decisions:
 *  - One file: inline CSS, inline SVG and one small inline script; nothing
 *    is fetched, and a Content-Security-Policy meta element (default-src
 *    'none'; the script allowed by its SHA-256, computed by CMake from
 *    page.js) makes sure of it.  Without the script everything but the
 *    tooltips works: zoom and tag filters are radio buttons and check boxes
 *    styled with :has().
 *  - The list is written as the events stream past (in the query's order,
 *    with year and month headings); the picture needs the time range of all
 *    events first, so each event also leaves a compact record in a
 *    temporary file (tmpfile()) that the layout reads back afterwards.
 *    Memory does not grow with the number of events: the list is never
 *    held, the spool is on disk, and the layout keeps only what it draws
 *    (html_svg.c).  In the DOM the list comes first and the figure after
 *    it; CSS (flex order) shows the picture on top.  Tag colours and
 *    filters are rules in a <style> after the figure, since which tags are
 *    the most common is known only at the end.
 *  - Feeds: with a timeline (host->timeline), the page links NAME.ics and
 *    NAME.json relative to itself (as `tldb serve` offers them next to
 *    /t/NAME.html), and, when the option base-url (the URL the feeds are
 *    served under, "http://host:port/t/") is given, webcal://host:port/t/
 *    NAME.ics; without base-url there is no webcal link, as a webcal URL
 *    must be absolute.  Option feed-query ("token=...") is appended to
 *    all three, so a private timeline's page links feeds that answer.
 *  - Event text is escaped everywhere; URLs are linked only when they are
 *    http:, https: or mailto: with no spaces or controls, and shown as text
 *    otherwise (javascript: and data: never become links).
 */
#include <stdlib.h>
#include <string.h>

#include "html_assets.h"
#include "html_plugin.h"

const tldb_host_api *html_host;

static const char *const extensions[] = {"html", "htm", NULL};
static const char *const mime_types[] = {"text/html; charset=utf-8", NULL};

static const tldb_plugin_option base_url_option = {
        .size = sizeof(tldb_plugin_option),
        .type = TLDB_OPTION_STRING,
        .key = "base-url",
        .default_value = NULL,
        .help = "the http(s) URL the timeline's feeds are served under "
                "(\"http://host:8080/t/\"): the page then links webcal://"
                "host:8080/t/NAME.ics; without it, no webcal link",
};

static const tldb_plugin_option lanes_option = {
        .size = sizeof(tldb_plugin_option),
        .type = TLDB_OPTION_INT,
        .key = "lanes",
        .default_value = "12",
        .help = "rows of labels in the picture (1..40); events beyond "
                "them are counted in clusters",
};

static const tldb_plugin_option feed_query_option = {
        .size = sizeof(tldb_plugin_option),
        .type = TLDB_OPTION_STRING,
        .key = "feed-query",
        .default_value = NULL,
        .help = "a query string the feed links carry (\"token=...\" for "
                "a private timeline's page, as tldb serve passes it); "
                "letters, digits and = & - _ . % only",
};

static const tldb_plugin_option *const options[] = {
        &base_url_option, &lanes_option, &feed_query_option, NULL};

/* 1 when s may follow '?' in a link as it is. */
static int query_safe(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("=&-_.%", *s)))
			return 0;
	return 1;
}

/* The SHA-256 in hex as base64, for the CSP ('sha256-...'). */
static void hex_to_base64(const char *hex, char *out, size_t size)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	                          "qrstuvwxyz0123456789+/";
	unsigned char bin[32];
	for (size_t i = 0; i < 32; i++) {
		unsigned v = 0;
		for (int k = 0; k < 2; k++) {
			char c = hex[2 * i + (size_t)k];
			v = v * 16 +
			    (unsigned)(c <= '9' ? c - '0'
			                        : (c | 0x20) - 'a' + 10);
		}
		bin[i] = (unsigned char)v;
	}
	size_t o = 0;
	for (size_t i = 0; i < 32 && o + 4 < size; i += 3) {
		unsigned v = (unsigned)bin[i] << 16;
		if (i + 1 < 32)
			v |= (unsigned)bin[i + 1] << 8;
		if (i + 2 < 32)
			v |= bin[i + 2];
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = i + 1 < 32 ? b64[v >> 6 & 63] : '=';
		out[o++] = i + 2 < 32 ? b64[v & 63] : '=';
	}
	out[o] = '\0';
}

static int32_t html_open(tldb_run *run, void **state)
{
	html_state *st = calloc(1, sizeof *st);
	if (!st) {
		html_host->error(run, TLDB_PLUGIN_NOMEM, 0, 0, "out of memory");
		return TLDB_PLUGIN_NOMEM;
	}
	st->out.run = run;
	st->t_min = INT64_MAX;
	st->t_max = INT64_MIN;
	const char *lanes = html_host->option(run, "lanes");
	char *end = NULL;
	long n = lanes ? strtol(lanes, &end, 10) : 12;
	if (n < 1 || n > 40 || (lanes && (end == lanes || *end))) {
		html_host->error(run, TLDB_PLUGIN_ERROR, 0, 0,
		                 "lanes must be between 1 and 40");
		free(st);
		return TLDB_PLUGIN_ERROR;
	}
	st->lanes = (uint32_t)n;
	const char *base = html_host->option(run, "base-url");
	if (base && !(html_url_safe(base) && strncmp(base, "mailto:", 7) != 0 &&
	              strncmp(base, "MAILTO:", 7) != 0)) {
		html_host->error(run, TLDB_PLUGIN_ERROR, 0, 0,
		                 "base-url must be an http:// or https:// URL");
		free(st);
		return TLDB_PLUGIN_ERROR;
	}
	const char *fq = html_host->option(run, "feed-query");
	if (fq && !query_safe(fq)) {
		html_host->error(run, TLDB_PLUGIN_ERROR, 0, 0,
		                 "feed-query may hold only letters, digits and "
		                 "= & - _ . %");
		free(st);
		return TLDB_PLUGIN_ERROR;
	}
	st->spool = tmpfile();
	if (!st->spool) {
		html_host->error(run, TLDB_PLUGIN_EIO, 0, 0,
		                 "cannot create a temporary file");
		free(st);
		return TLDB_PLUGIN_EIO;
	}
	*state = st;
	return TLDB_PLUGIN_OK;
}

static void html_close(tldb_run *run, void *state)
{
	(void)run;
	html_state *st = state;
	if (!st)
		return;
	if (st->spool)
		fclose(st->spool);
	html_tags_free(st);
	free(st);
}

/* "?QUERY" after a feed link, when the page was given one. */
static void feed_query(html_out *o, const char *query)
{
	if (query && *query) {
		html_put(o, "?");
		html_text(o, query);
	}
}

/* The feed links, when the page is one timeline's. */
static void feeds(html_out *o, const char *name, const char *base,
                  const char *query)
{
	html_put(o, "<p class=\"feeds\">Feeds: <a href=\"");
	html_text(o, name);
	html_put(o, ".ics");
	feed_query(o, query);
	html_put(o, "\" type=\"text/calendar\">iCalendar (.ics)</a> <a "
	            "href=\"");
	html_text(o, name);
	html_put(o, ".json");
	feed_query(o, query);
	html_put(o, "\" type=\"application/json\">JSON</a>");
	if (base) {
		const char *rest = strstr(base, "://") + 3;
		size_t n = strlen(rest);
		html_put(o, " <a href=\"webcal://");
		html_text(o, rest);
		if (n == 0 || rest[n - 1] != '/')
			html_put(o, "/");
		html_text(o, name);
		html_put(o, ".ics");
		feed_query(o, query);
		html_put(o, "\">Subscribe in a calendar (webcal)</a>");
	}
	html_put(o, "</p>\n");
}

static void head(html_state *st)
{
	html_out *o = &st->out;
	const tldb_plugin_timeline *tl = html_host->timeline(o->run);
	const char *name = tl && tl->name && *tl->name ? tl->name : NULL;
	const char *title = tl && tl->title && *tl->title ? tl->title : name;
	char hash[64];
	hex_to_base64(HTML_JS_SHA256, hash, sizeof hash);
	html_put(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	            "<meta charset=\"utf-8\">\n"
	            "<meta http-equiv=\"Content-Security-Policy\" "
	            "content=\"default-src 'none'; style-src 'unsafe-inline'; "
	            "script-src 'sha256-");
	html_put(o, hash);
	html_put(o, "'; base-uri 'none'; form-action 'none'\">\n"
	            "<meta name=\"viewport\" content=\"width=device-width, "
	            "initial-scale=1\">\n"
	            "<meta name=\"generator\" content=\"tldb html exporter\">\n"
	            "<title>");
	html_text(o, title ? title : "tldb events");
	html_put(o, "</title>\n<style>\n");
	html_raw(o, (const char *)html_css, sizeof html_css);
	html_put(o, "</style>\n</head>\n<body>\n<header>\n<h1>");
	html_text(o, title ? title : "Events");
	html_put(o, "</h1>\n");
	if (tl && tl->description && *tl->description) {
		html_put(o, "<p class=\"desc\">");
		html_text_br(o, tl->description);
		html_put(o, "</p>\n");
	}
	if (name)
		feeds(o, name, html_host->option(o->run, "base-url"),
		      html_host->option(o->run, "feed-query"));
	html_put(o, "</header>\n<main>\n<section class=\"list\" "
	            "aria-label=\"The events, in order\">\n");
}

static int32_t html_run(tldb_run *run, void *state)
{
	html_state *st = state;
	html_out *o = &st->out;
	head(st);
	const tldb_plugin_event *ev;
	int32_t rc;
	while ((rc = html_host->next(run, &ev)) == 1) {
		int32_t r = html_list_event(st, ev);
		if (r != TLDB_PLUGIN_OK)
			return r;
		if (o->rc != TLDB_PLUGIN_OK)
			return o->rc;
	}
	if (rc < 0)
		return TLDB_PLUGIN_ERROR;
	html_list_end(st);
	html_put(o, "</section>\n");
	if (fflush(st->spool) != 0 || fseek(st->spool, 0, SEEK_SET) != 0) {
		html_host->error(run, TLDB_PLUGIN_EIO, 0, 0,
		                 "cannot read the temporary file back");
		return TLDB_PLUGIN_EIO;
	}
	html_tags_rank(st);
	rc = html_picture(st);
	if (rc != TLDB_PLUGIN_OK)
		return rc;
	html_put(o, "</main>\n<script>");
	html_raw(o, (const char *)html_js, sizeof html_js);
	html_put(o, "</script>\n</body>\n</html>\n");
	return html_flush(o);
}

static const tldb_plugin_format exporter = {
        .size = sizeof(tldb_plugin_format),
        .kind = TLDB_KIND_EXPORTER,
        .flags = TLDB_FORMAT_THREADSAFE,
        .description = "one self-contained web page: the events on a time "
                       "axis above a plain list",
        .extensions = extensions,
        .mime_types = mime_types,
        .options = options,
        .open = html_open,
        .run = html_run,
        .close = html_close,
};

static const tldb_plugin_info info = {
        .size = sizeof(tldb_plugin_info),
        .abi_major = TLDB_PLUGIN_ABI_MAJOR,
        .abi_minor = TLDB_PLUGIN_ABI_MINOR,
        .name = "html",
        .version = "1.0.0",
        .description = "a web page of a timeline (docs/PLUGINS.md)",
        .exporter = &exporter,
};

TLDB_PLUGIN_EXPORT int32_t TLDB_PLUGIN_ENTRY(const tldb_host_api *host,
                                             const tldb_plugin_info **out)
{
	if (!TLDB_HOST_HAS(host, now) || !TLDB_HOST_HAS(host, parse_date))
		return TLDB_PLUGIN_ERROR;
	html_host = host;
	*out = &info;
	return TLDB_PLUGIN_OK;
}
