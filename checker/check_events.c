/*
 * check_events.c -- the deterministic events `tldb plugins check`
 * exports and round-trips: mixed precisions, ends, zones, tags, locations,
 * URLs, bodies, and sources with quotes and spans.
 */
#include <string.h>

#include "check_internal.h"

/* ---- generated events ---- */

typedef struct gen_event {
	char title[64], start[48], end[48], location[64], url[64], body[64];
	char surl[64], stitle[32], quote[64];
	const char *tags[4];
	tldb_source src;
} gen_event;

/* A date of precision i % 5 (year .. second), in year y. */
static void gen_date(int i, int y, char *buf, size_t size)
{
	int m = 1 + i % 12, d = 1 + i % 28, h = i % 24, mi = (i * 7) % 60;
	switch (i % 5) {
	case 0:
		snprintf(buf, size, "%04d", y);
		break;
	case 1:
		snprintf(buf, size, "%04d-%02d", y, m);
		break;
	case 2:
		snprintf(buf, size, "%04d-%02d-%02d", y, m, d);
		break;
	case 3:
		snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d%s", y, m, d, h,
		         mi, i % 10 == 3 ? "" : "Z"); /* some floating */
		break;
	default:
		snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d,
		         h, mi, i % 60);
	}
}

static void gen_source(int i, gen_event *g, tldb_event *ev)
{
	snprintf(g->surl, sizeof g->surl, "https://example.org/src/%d", i);
	snprintf(g->stitle, sizeof g->stitle, "Source %d", i);
	snprintf(g->quote, sizeof g->quote, "She said \"yes\" on day %d", i);
	g->src = (tldb_source){.url = g->surl,
	                       .title = g->stitle,
	                       .quote = g->quote,
	                       .span = {7, 42},
	                       .expr_span = {-1, -1}};
	ev->sources = &g->src;
	ev->nsources = 1;
}

static void gen_tags(int i, gen_event *g, tldb_event *ev)
{
	static const char *const words[] = {"alpha", "beta", "gamma", "delta"};
	g->tags[0] = words[i % 4];
	g->tags[1] = words[(i / 4) % 4];
	ev->tags = g->tags;
	ev->ntags = g->tags[0] == g->tags[1] ? 1 : 2;
}

/* Event i of the deterministic set: mixed precisions, some with an end, a
 * zone, tags, a location, a URL, a body and a source. */
static void gen(int i, gen_event *g, tldb_event *ev)
{
	memset(ev, 0, sizeof *ev);
	int y = 1600 + (i * 7) % 420;
	snprintf(g->title, sizeof g->title,
	         i % 11 ? "Event %05d" : "Event %05d, \"quoted\" & caf\xc3\xa9",
	         i);
	gen_date(i, y, g->start, sizeof g->start);
	ev->title = g->title;
	ev->start = g->start;
	if (i % 3 == 0) {
		gen_date(i, y + 1, g->end, sizeof g->end);
		ev->end = g->end;
	}
	if (i % 10 == 3 || i % 7 == 0)
		ev->tz = i % 2 ? "Europe/Berlin" : "America/New_York";
	if (i % 4 == 0)
		gen_tags(i, g, ev);
	if (i % 6 == 0) {
		snprintf(g->location, sizeof g->location,
		         "Place %d, K\xc3\xb6ln", i);
		ev->location = g->location;
	}
	if (i % 8 == 0) {
		snprintf(g->url, sizeof g->url, "https://example.org/e/%d", i);
		ev->url = g->url;
	}
	if (i % 9 == 0) {
		snprintf(g->body, sizeof g->body, "Body of %d\nsecond line", i);
		ev->body = g->body;
	}
	if (i % 10 == 0)
		gen_source(i, g, ev);
}

int check_put_events(tldb *db, char *msg, size_t size)
{
	if (tldb_begin(db))
		goto fail;
	for (int i = 0; i < NEVENTS; i++) {
		gen_event g;
		tldb_event ev;
		gen(i, &g, &ev);
		if (tldb_put(db, &ev, NULL, NULL)) {
			tldb_rollback(db);
			goto fail;
		}
	}
	if (!tldb_commit(db))
		return 0;
fail:
	snprintf(msg, size, "%s", tldb_errmsg(db));
	return 1;
}
