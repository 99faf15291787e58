/*
 * html_list.c -- the list under the picture, written while the events
 * stream past: a heading for each year (h2) and month (h3), an ordered list
 * of events in each, every event with its date in words inside <time
 * datetime>, its EDTF as written, title, body, place, link, tags and
 * sources (quote, link, the words the date was read from).  Nothing of an
 * event is held after it is written except a compact record spooled to a
 * temporary file for the picture (html_rec: bounds, shape, the title cut to
 * HTML_TIP_CHARS characters, the date in words, tag ids), and the table of
 * distinct tags with their counts, capped at HTML_MAX_TAGS.
 */
#include <stdlib.h>
#include <string.h>

#include "html_plugin.h"

/* ---- tags ---- */

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The id of tag name, added when new; -1 when the table is full or memory
 * ran out (the tag then has no colour and no filter). */
static int64_t tag_id(html_state *st, const char *name)
{
	if (!st->slots) {
		st->nslots = 2 * HTML_MAX_TAGS;
		st->slots = calloc(st->nslots, sizeof *st->slots);
		st->tags = calloc(HTML_MAX_TAGS, sizeof *st->tags);
		if (!st->slots || !st->tags)
			return -1;
	}
	uint32_t i = hash(name) & (st->nslots - 1);
	for (; st->slots[i]; i = (i + 1) & (st->nslots - 1)) {
		html_tag *t = &st->tags[st->slots[i] - 1];
		if (strcmp(t->name, name) == 0) {
			t->count++;
			return st->slots[i] - 1;
		}
	}
	if (st->ntags >= HTML_MAX_TAGS)
		return -1;
	char *copy = strdup(name);
	if (!copy)
		return -1;
	st->tags[st->ntags] = (html_tag){copy, 1, HTML_NO_COLOUR};
	st->slots[i] = ++st->ntags;
	return st->ntags - 1;
}

void html_tags_rank(html_state *st)
{
	/* HTML_COLOURS rounds of picking the most counted tag without a
	 * colour, the first seen among equals. */
	for (int32_t colour = 0; colour < HTML_COLOURS; colour++) {
		int64_t best = -1;
		for (uint32_t i = 0; i < st->ntags; i++)
			if (st->tags[i].colour == HTML_NO_COLOUR &&
			    (best < 0 ||
			     st->tags[i].count > st->tags[best].count))
				best = i;
		if (best < 0)
			return;
		st->tags[best].colour = colour;
	}
}

void html_tags_free(html_state *st)
{
	for (uint32_t i = 0; i < st->ntags; i++)
		free(st->tags[i].name);
	free(st->tags);
	free(st->slots);
	st->tags = NULL;
	st->slots = NULL;
	st->ntags = 0;
}

/* ---- sections ---- */

static void close_list(html_state *st)
{
	if (st->list_open)
		html_put(&st->out, "</ol>\n");
	st->list_open = 0;
}

static void year_id(int64_t y, char *buf, size_t size)
{
	if (y < 0)
		snprintf(buf, size, "m%lld", (long long)-y);
	else
		snprintf(buf, size, "%lld", (long long)y);
}

/* Opens the section of an event starting at lo whose start is known to
 * `prec` (month 0 for a year-only start). */
static void section(html_state *st, int64_t lo, uint32_t prec)
{
	html_out *o = &st->out;
	char words[64], id[32];
	if (lo == INT64_MIN) {
		if (!st->have_year || st->year != INT64_MIN) {
			close_list(st);
			html_put(o, "<h2 id=\"p-open\">Open start</h2>\n");
			st->have_year = 1;
			st->year = INT64_MIN;
			st->have_month = 0;
		}
	} else {
		civil_time c;
		civil_time_from_seconds(lo, &c);
		int month = prec >= TLDB_PLUGIN_PREC_MONTH ? c.month : 0;
		year_id(c.year, id, sizeof id);
		html_year_words(c.year, words, sizeof words);
		if (!st->have_year || st->year != c.year) {
			close_list(st);
			html_printf(o, "<h2 id=\"p-%s\">%s</h2>\n", id, words);
			st->have_year = 1;
			st->year = c.year;
			st->have_month = 0;
		}
		if (!st->have_month && month == 0) {
			/* year-only dates before any month: under the year */
			st->have_month = 1;
			st->month = 0;
		} else if (!st->have_month || st->month != month) {
			close_list(st);
			if (month)
				html_printf(o,
				            "<h3 id=\"p-%s-%02d\">%s %s</h3>\n",
				            id, month, html_month_abbr(month),
				            words);
			else
				html_printf(o,
				            "<h3 id=\"p-%s-00\">%s, month "
				            "unknown</h3>\n",
				            id, words);
			st->have_month = 1;
			st->month = month;
		}
	}
	if (!st->list_open)
		html_put(o, "<ol class=\"events\">\n");
	st->list_open = 1;
}

/* ---- one event ---- */

static void link_or_text(html_out *o, const char *url, const char *text)
{
	if (html_url_safe(url)) {
		html_put(o, "<a href=\"");
		html_text(o, url);
		html_put(o, "\" rel=\"noopener noreferrer\">");
		html_text(o, text && *text ? text : url);
		html_put(o, "</a>");
	} else {
		if (text && *text && (!url || strcmp(text, url) != 0)) {
			html_text(o, text);
			html_put(o, " ");
		}
		if (url && *url) {
			html_put(o, "<span class=\"nolink\">");
			html_text(o, url);
			html_put(o, "</span> (not linked)");
		}
	}
}

static void one_date(html_out *o, const html_end *e)
{
	char words[160], dt[48];
	html_date_words(&e->d, words, sizeof words);
	if (html_datetime(&e->d, dt, sizeof dt))
		html_printf(o, "<time datetime=\"%s\">", dt);
	else
		html_put(o, "<time>");
	html_text(o, words);
	html_put(o, "</time>");
}

static void when(html_out *o, const tldb_plugin_event *ev, const html_end e[2])
{
	int interval = ev->start && strchr(ev->start, '/');
	html_put(o, "<p class=\"when\">");
	if (!e[0].present && e[1].present)
		html_put(o, "until ");
	else if (interval && !e[1].present)
		html_put(o, "from ");
	if (e[0].present)
		one_date(o, &e[0]);
	if (e[0].present && e[1].present)
		html_put(o, " \xE2\x80\x93 ");
	if (e[1].present)
		one_date(o, &e[1]);
	html_put(o, " <code class=\"edtf\">");
	html_text(o, ev->start);
	if (ev->end && *ev->end) {
		html_put(o, "/");
		html_text(o, ev->end);
	}
	html_put(o, "</code>");
	if (ev->tz && *ev->tz) {
		html_put(o, " <span class=\"tz\">");
		html_text(o, ev->tz);
		html_put(o, "</span>");
	}
	html_put(o, "</p>\n");
}

static void sources(html_out *o, const tldb_plugin_event *ev)
{
	if (!ev->sources || !ev->sources[0])
		return;
	html_put(o, "<ul class=\"sources\">\n");
	for (size_t i = 0; ev->sources[i]; i++) {
		const tldb_plugin_source *s = ev->sources[i];
		html_put(o, "<li>");
		if (s->quote && *s->quote) {
			html_put(o, "<blockquote");
			if (html_url_safe(s->url)) {
				html_put(o, " cite=\"");
				html_text(o, s->url);
				html_put(o, "\"");
			}
			html_put(o, "><p>");
			html_text_br(o, s->quote);
			html_put(o, "</p></blockquote>");
		}
		html_put(o, "<p class=\"cite\">\xE2\x80\x94 <cite>");
		if (s->url || s->title)
			link_or_text(o, s->url, s->title);
		else
			html_put(o, "source");
		html_put(o, "</cite>");
		if (s->expr && *s->expr) {
			html_put(o, ", date as written: <q class=\"expr\">");
			html_text(o, s->expr);
			html_put(o, "</q>");
		}
		if (s->doc_date && *s->doc_date) {
			html_put(o, ", of ");
			html_text(o, s->doc_date);
		}
		html_put(o, "</p></li>\n");
	}
	html_put(o, "</ul>\n");
}

static int32_t spool_write(html_state *st, const html_rec *r, const char *tip,
                           const char *when_words, const uint32_t *tags)
{
	FILE *f = st->spool;
	if (fwrite(r, sizeof *r, 1, f) != 1 ||
	    fwrite(tip, 1, r->tip_len, f) != r->tip_len ||
	    fwrite(when_words, 1, r->when_len, f) != r->when_len ||
	    fwrite(tags, sizeof *tags, r->ntags, f) != r->ntags) {
		html_host->error(st->out.run, TLDB_PLUGIN_EIO, 0, 0,
		                 "cannot write the temporary file");
		return TLDB_PLUGIN_EIO;
	}
	return TLDB_PLUGIN_OK;
}

int32_t html_list_event(html_state *st, const tldb_plugin_event *ev)
{
	html_out *o = &st->out;
	html_end e[2];
	char msg[320], words[400];
	if (html_event_ends(ev, e, msg, sizeof msg) != 0) {
		html_host->error(o->run, TLDB_PLUGIN_ERROR, 0, 0, msg);
		return TLDB_PLUGIN_ERROR;
	}
	html_when_words(ev, e, words, sizeof words);

	html_rec r;
	memset(&r, 0, sizeof r);
	r.lo = ev->lo;
	r.hi = ev->hi;
	r.index = st->nevents++;
	int interval = ev->start && strchr(ev->start, '/');
	r.coarse = ev->precision != TLDB_PLUGIN_PREC_NONE &&
	           ev->precision <= TLDB_PLUGIN_PREC_MONTH;
	r.shape = interval || (ev->end && *ev->end) || r.coarse
	                  ? HTML_SHAPE_BAR
	                  : HTML_SHAPE_POINT;
	for (int i = 0; i < 2; i++)
		if (e[i].present)
			r.qual |= (uint8_t)(e[i].d.qualifiers & 3u);
	r.open = (uint8_t)((ev->lo == INT64_MIN ? HTML_OPEN_START : 0) |
	                   (ev->hi == INT64_MAX ? HTML_OPEN_END : 0));
	if (ev->lo != INT64_MIN) {
		st->t_min = ev->lo < st->t_min ? ev->lo : st->t_min;
		st->t_max = ev->lo > st->t_max ? ev->lo : st->t_max;
	}
	if (ev->hi != INT64_MAX) {
		st->t_min = ev->hi < st->t_min ? ev->hi : st->t_min;
		st->t_max = ev->hi > st->t_max ? ev->hi : st->t_max;
	}

	uint32_t tags[64];
	for (size_t i = 0; ev->tags && ev->tags[i] && r.ntags < 64; i++) {
		int64_t id = tag_id(st, ev->tags[i]);
		if (id >= 0)
			tags[r.ntags++] = (uint32_t)id;
	}

	section(st, ev->lo,
	        e[0].present ? e[0].d.precision : TLDB_PLUGIN_PREC_YEAR);
	html_printf(o, "<li id=\"e-%u\" class=\"ev", r.index);
	for (uint16_t i = 0; i < r.ntags; i++)
		html_printf(o, " t%u", tags[i]);
	html_put(o, "\" data-uid=\"");
	html_text(o, ev->uid);
	html_put(o, "\">\n");
	when(o, ev, e);
	html_put(o, "<p class=\"title\"><strong>");
	html_text(o, ev->title);
	html_put(o, "</strong></p>\n<div class=\"detail\">\n");
	if (ev->body && *ev->body) {
		html_put(o, "<p class=\"body\">");
		html_text_br(o, ev->body);
		html_put(o, "</p>\n");
	}
	if (ev->location && *ev->location) {
		html_put(o, "<p class=\"loc\">Where: ");
		html_text(o, ev->location);
		html_put(o, "</p>\n");
	}
	if (ev->url && *ev->url) {
		html_put(o, "<p class=\"url\">Link: ");
		link_or_text(o, ev->url, NULL);
		html_put(o, "</p>\n");
	}
	if (ev->tags && ev->tags[0]) {
		html_put(o, "<ul class=\"tags\">");
		size_t k = 0;
		for (size_t i = 0; ev->tags[i]; i++) {
			/* the id this tag got above, when it got one */
			int64_t id = -1;
			if (k < r.ntags &&
			    strcmp(st->tags[tags[k]].name, ev->tags[i]) == 0)
				id = tags[k++];
			if (id >= 0)
				html_printf(o, "<li class=\"tg%lld\">",
				            (long long)id);
			else
				html_put(o, "<li>");
			html_text(o, ev->tags[i]);
			html_put(o, "</li>");
		}
		html_put(o, "</ul>\n");
	}
	sources(o, ev);
	html_put(o, "</div></li>\n");

	int cut;
	const char *title = ev->title ? ev->title : "";
	r.tip_len = (uint16_t)html_utf8_prefix(title, HTML_TIP_CHARS, &cut);
	size_t wl = strlen(words);
	r.when_len = (uint16_t)(wl < sizeof((html_item *)0)->when
	                                ? wl
	                                : sizeof((html_item *)0)->when - 1);
	return spool_write(st, &r, title, words, tags);
}

void html_list_end(html_state *st)
{
	close_list(st);
	if (st->nevents == 0)
		html_put(&st->out, "<p class=\"none\">No events.</p>\n");
}

int html_spool_next(html_state *st, html_item *it)
{
	FILE *f = st->spool;
	size_t n = fread(&it->r, sizeof it->r, 1, f);
	if (n != 1)
		return ferror(f) ? -1 : 0;
	if (it->r.tip_len > sizeof it->tip - 1 ||
	    it->r.when_len > sizeof it->when - 1 || it->r.ntags > 64)
		return -1;
	if (fread(it->tip, 1, it->r.tip_len, f) != it->r.tip_len ||
	    fread(it->when, 1, it->r.when_len, f) != it->r.when_len ||
	    fread(it->tags, sizeof it->tags[0], it->r.ntags, f) != it->r.ntags)
		return -1;
	it->tip[it->r.tip_len] = '\0';
	it->when[it->r.when_len] = '\0';
	return 1;
}
