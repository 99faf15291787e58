/*
 * html_svg.c -- the picture: the spooled records laid out on a time axis at
 * three zoom levels (1200, 4800 and 19200 pixels wide), each an inline SVG.
 *
 * Layout, per level, in one pass over the spool (records come in the
 * query's order, by lo):
 *  - x is linear in time over [first bound - 2%, last bound + 2%] (at least
 *    an hour); open ends run to the edge of the plot.
 *  - A day or finer event without an end is a point (a bar when its day is
 *    8 pixels wide or more); an interval, or a date known only to the month
 *    or year, is a bar over its span (at least 3 pixels).  Coarse bars are
 *    pale with a solid outline, uncertain ones dashed, approximate ones
 *    dotted, and the label says "c." / "?".
 *  - Each event takes the mark and, below it, its label (the title cut to
 *    HTML_LABEL_CHARS characters).  The extent of mark and label, by the
 *    estimated label width, goes into the first lane whose last extent
 *    ends at least GAP pixels before it starts; so within a lane nothing
 *    overlaps, whatever order the records come in, and lanes do not share
 *    rows.  An event that fits in no lane (the option `lanes`, 12 by
 *    default) is counted into a cluster: the calendar period (hour, day,
 *    week, month, year, decade, ...) at least 48 pixels wide that holds its
 *    start, drawn in a row under the lanes as "+N" linking to its first
 *    event in the list.
 *  - The axis has ticks at the finest calendar unit at least 110 pixels
 *    apart; a tick label that would reach the next is left out.
 * What is kept in memory is bounded by the levels' widths, not by the
 * number of events: the placed events (at most lanes x width / 10 per level)
 * and one counter per cluster period.
 */
#include <stdlib.h>
#include <string.h>

#include "html_plugin.h"

#define LEVELS     3
#define MARGIN     12.0
#define AXIS_H     26.0
#define ROW        26.0
#define GAP        10.0
#define MAX_LANES  40
#define LABEL_PX   12.0
#define CLUSTER_PX 11.0
#define MIN_BUCKET 48.0
#define MIN_TICK   110.0

static const double level_width[LEVELS] = {1200, 4800, 19200};
static const char *const level_name[LEVELS] = {"1\xC3\x97", "4\xC3\x97",
                                               "16\xC3\x97"};

/* Colours of the ranked tags (Tableau 10 and two more), then "other". */
static const char *const palette[HTML_COLOURS] = {
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
        "#b07aa1", "#ff9da7", "#9c755f", "#2f4b7c", "#a0cbe8", "#8cd17d"};

/* ---- calendar units ---- */

enum { U_SEC, U_MONTH, U_YEAR };

typedef struct unit {
	int kind;
	int64_t n;      /* seconds, months or years */
	int64_t offset; /* seconds: the unit's origin (weeks start on Monday) */
} unit;

static const unit units[] = {{U_SEC, 1, 0},
                             {U_SEC, 5, 0},
                             {U_SEC, 15, 0},
                             {U_SEC, 60, 0},
                             {U_SEC, 300, 0},
                             {U_SEC, 900, 0},
                             {U_SEC, 3600, 0},
                             {U_SEC, 3 * 3600, 0},
                             {U_SEC, 6 * 3600, 0},
                             {U_SEC, 12 * 3600, 0},
                             {U_SEC, 86400, 0},
                             {U_SEC, 2 * 86400, 0},
                             {U_SEC, 7 * 86400, 4 * 86400},
                             {U_MONTH, 1, 0},
                             {U_MONTH, 3, 0},
                             {U_MONTH, 6, 0},
                             {U_YEAR, 1, 0},
                             {U_YEAR, 2, 0},
                             {U_YEAR, 5, 0},
                             {U_YEAR, 10, 0},
                             {U_YEAR, 20, 0},
                             {U_YEAR, 50, 0},
                             {U_YEAR, 100, 0},
                             {U_YEAR, 200, 0},
                             {U_YEAR, 500, 0},
                             {U_YEAR, 1000, 0},
                             {U_YEAR, 2000, 0},
                             {U_YEAR, 5000, 0},
                             {U_YEAR, 10000, 0},
                             {U_YEAR, 100000, 0},
                             {U_YEAR, 1000000, 0},
                             {U_YEAR, 10000000, 0},
                             {U_YEAR, 100000000, 0}};
#define NUNITS (sizeof units / sizeof units[0])

static int64_t fdiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static double unit_seconds(const unit *u)
{
	if (u->kind == U_SEC)
		return (double)u->n;
	if (u->kind == U_MONTH)
		return (double)u->n * 2629746.0;
	return (double)u->n * 31556952.0;
}

/* The number of the period of u holding instant t. */
static int64_t unit_index(const unit *u, int64_t t)
{
	if (u->kind == U_SEC)
		return fdiv(t - u->offset, u->n);
	civil_time c;
	civil_time_from_seconds(t, &c);
	if (u->kind == U_MONTH)
		return fdiv(c.year * 12 + c.month - 1, u->n);
	return fdiv(c.year, u->n);
}

/* The instant period i of u starts. */
static int64_t unit_start(const unit *u, int64_t i)
{
	if (u->kind == U_SEC)
		return i * u->n + u->offset;
	if (u->kind == U_MONTH) {
		int64_t m = i * u->n, y = fdiv(m, 12);
		return civil_days_from_date(y, (int)(m - y * 12 + 1), 1) *
		       CIVIL_DAY_SECONDS;
	}
	return civil_days_from_date(i * u->n, 1, 1) * CIVIL_DAY_SECONDS;
}

/* The finest unit at least px pixels wide at scale `per_sec`. */
static const unit *unit_for(double per_sec, double px)
{
	for (size_t i = 0; i < NUNITS; i++)
		if (unit_seconds(&units[i]) * per_sec >= px)
			return &units[i];
	return &units[NUNITS - 1];
}

/* Instant t in words fit for unit u: "2022", "Sep 2022", "15 Sep 2022",
 * "15 Sep 10:00", "10:00:15". */
static void unit_words(const unit *u, int64_t t, char *buf, size_t size)
{
	civil_time c;
	char year[32];
	civil_time_from_seconds(t, &c);
	html_year_words(c.year, year, sizeof year);
	if (u->kind == U_YEAR)
		snprintf(buf, size, "%s", year);
	else if (u->kind == U_MONTH)
		snprintf(buf, size, "%s %s", html_month_abbr(c.month), year);
	else if (u->n >= 86400)
		snprintf(buf, size, "%d %s %s", c.day, html_month_abbr(c.month),
		         year);
	else if (u->n >= 60)
		snprintf(buf, size, "%d %s %02d:%02d", c.day,
		         html_month_abbr(c.month), c.hour, c.minute);
	else
		snprintf(buf, size, "%02d:%02d:%02d", c.hour, c.minute,
		         c.second);
}

/* ---- levels ---- */

typedef struct placed {
	html_rec r;
	char *tip, *when, *label;
	uint32_t *tags;
	double m0, m1; /* the mark: a bar's ends, or a point's centre (m0) */
	int point;
	double tx, tw; /* the label's start and estimated width */
	int lane;
} placed;

typedef struct bucket {
	uint32_t count;
	uint32_t first; /* the first clustered event's index */
} bucket;

typedef struct level {
	double width;
	double lane_end[MAX_LANES];
	int lanes_used;
	placed *p;
	size_t n, cap;
	const unit *cu; /* cluster unit */
	int64_t cu_first;
	bucket *b;
	size_t nb;
} level;

typedef struct layout {
	html_state *st;
	double t0, t1;
	int lanes;
	level lv[LEVELS];
} layout;

static double x_of(const layout *L, const level *v, double t)
{
	return MARGIN + (t - L->t0) / (L->t1 - L->t0) * (v->width - 2 * MARGIN);
}

static void free_level(level *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->p[i].tip);
		free(v->p[i].when);
		free(v->p[i].label);
		free(v->p[i].tags);
	}
	free(v->p);
	free(v->b);
}

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* The label: the title cut to HTML_LABEL_CHARS characters, "c. " before
 * an approximate date, "?" after an uncertain one. */
static char *make_label(const html_item *it)
{
	int cut;
	size_t n = html_utf8_prefix(it->tip, HTML_LABEL_CHARS, &cut);
	char *s = malloc(n + 16);
	if (!s)
		return NULL;
	snprintf(s, n + 16, "%s%.*s%s%s",
	         it->r.qual & HTML_QUAL_APPROXIMATE ? "c. " : "", (int)n,
	         it->tip, cut ? "\xE2\x80\xA6" : "",
	         it->r.qual & HTML_QUAL_UNCERTAIN ? " ?" : "");
	return s;
}

/* Places one record at level v: into a lane, or into its cluster.
 * Returns 0, or -1 when memory ran out. */
static int place(layout *L, level *v, const html_item *it, const char *label,
                 double lw)
{
	const html_rec *r = &it->r;
	double right = v->width - MARGIN;
	double x0 = r->lo == INT64_MIN ? MARGIN : x_of(L, v, (double)r->lo);
	double x1 = r->hi == INT64_MAX ? right : x_of(L, v, (double)r->hi);
	placed p;
	memset(&p, 0, sizeof p);
	p.point = r->shape == HTML_SHAPE_POINT && x1 - x0 < 8;
	double e0, e1;
	if (p.point) {
		p.m0 = (x0 + x1) / 2;
		p.tx = p.m0 - 4;
		e0 = p.m0 - 4;
		e1 = p.m0 + 4;
	} else {
		if (x1 - x0 < 3) {
			double c = (x0 + x1) / 2;
			x0 = c - 1.5;
			x1 = c + 1.5;
		}
		p.m0 = x0;
		p.m1 = x1;
		p.tx = x0;
		e0 = x0;
		e1 = x1;
	}
	p.tw = lw;
	if (p.tx + lw > right)
		p.tx = right - lw;
	if (p.tx < MARGIN)
		p.tx = MARGIN;
	e0 = p.tx < e0 ? p.tx : e0;
	e1 = p.tx + lw > e1 ? p.tx + lw : e1;

	for (int lane = 0; lane < L->lanes; lane++) {
		if (lane < v->lanes_used && v->lane_end[lane] + GAP > e0)
			continue;
		if (v->n == v->cap) {
			size_t cap = v->cap ? v->cap * 2 : 64;
			placed *np = realloc(v->p, cap * sizeof *np);
			if (!np)
				return -1;
			v->p = np;
			v->cap = cap;
		}
		p.lane = lane;
		p.r = *r;
		p.tip = dup_n(it->tip, r->tip_len);
		p.when = dup_n(it->when, r->when_len);
		p.label = dup_n(label, strlen(label));
		p.tags = malloc((r->ntags ? r->ntags : 1) * sizeof *p.tags);
		if (!p.tip || !p.when || !p.label || !p.tags) {
			free(p.tip);
			free(p.when);
			free(p.label);
			free(p.tags);
			return -1;
		}
		memcpy(p.tags, it->tags, r->ntags * sizeof *p.tags);
		v->p[v->n++] = p;
		v->lane_end[lane] = e1;
		if (lane >= v->lanes_used)
			v->lanes_used = lane + 1;
		return 0;
	}

	/* no lane: its cluster */
	int64_t t = r->lo == INT64_MIN ? (int64_t)L->t0 : r->lo;
	int64_t i = unit_index(v->cu, t) - v->cu_first;
	if (i < 0)
		i = 0;
	if ((size_t)i >= v->nb)
		i = (int64_t)v->nb - 1;
	bucket *b = &v->b[i];
	if (b->count == 0 || r->index < b->first)
		b->first = r->index;
	b->count++;
	return 0;
}

/* ---- drawing ---- */

static void draw_axis(layout *L, level *v, double height)
{
	html_out *o = &L->st->out;
	double per_sec = (v->width - 2 * MARGIN) / (L->t1 - L->t0);
	const unit *u = unit_for(per_sec, MIN_TICK);
	int64_t first = unit_index(u, (int64_t)L->t0);
	int64_t last = unit_index(u, (int64_t)L->t1);
	double label_end = -1e9;
	char words[64];
	html_put(o, "<g class=\"axis\">\n");
	for (int64_t i = first; i <= last; i++) {
		int64_t t = unit_start(u, i);
		double x = x_of(L, v, (double)t);
		if (x < MARGIN || x > v->width - MARGIN)
			continue;
		html_printf(o,
		            "<line class=\"tk\" x1=\"%.1f\" y1=\"18\" "
		            "x2=\"%.1f\" y2=\"%.1f\"/>",
		            x, x, height);
		unit_words(u, t, words, sizeof words);
		double w = html_text_width(words, strlen(words), LABEL_PX);
		if (x + 3 < label_end + GAP || x + 3 + w > v->width)
			continue;
		html_printf(o, "<text class=\"tick\" x=\"%.1f\" y=\"13\">",
		            x + 3);
		html_text(o, words);
		html_put(o, "</text>\n");
		label_end = x + 3 + w;
	}
	html_put(o, "</g>\n");
}

static int32_t colour_of(const html_state *st, const placed *p)
{
	for (uint16_t i = 0; i < p->r.ntags; i++)
		if (st->tags[p->tags[i]].colour != HTML_NO_COLOUR)
			return st->tags[p->tags[i]].colour;
	return HTML_NO_COLOUR;
}

static void draw_event(layout *L, const placed *p)
{
	html_out *o = &L->st->out;
	double y = AXIS_H + p->lane * ROW;
	int32_t colour = colour_of(L->st, p);
	html_put(o, "<a class=\"ev");
	if (colour == HTML_NO_COLOUR)
		html_put(o, " cx");
	else
		html_printf(o, " c%d", colour);
	for (uint16_t i = 0; i < p->r.ntags; i++)
		html_printf(o, " t%u", p->tags[i]);
	html_printf(o, "\" href=\"#e-%u\"><title>", p->r.index);
	html_text(o, p->when);
	html_put(o, ": ");
	html_text(o, p->tip);
	html_put(o, "</title>");
	const char *q = p->r.qual & HTML_QUAL_UNCERTAIN     ? " unc"
	                : p->r.qual & HTML_QUAL_APPROXIMATE ? " apx"
	                                                    : "";
	if (p->point)
		html_printf(o,
		            "<circle class=\"mk%s\" cx=\"%.1f\" cy=\"%.1f\" "
		            "r=\"4\"/>",
		            q, p->m0, y + 5);
	else
		html_printf(o,
		            "<rect class=\"mk bar%s%s%s%s\" x=\"%.1f\" "
		            "y=\"%.1f\" width=\"%.1f\" height=\"8\"/>",
		            p->r.coarse ? " coarse" : "", q,
		            p->r.open & HTML_OPEN_START ? " os" : "",
		            p->r.open & HTML_OPEN_END ? " oe" : "", p->m0,
		            y + 1, p->m1 - p->m0);
	html_printf(o, "<text class=\"lbl\" x=\"%.1f\" y=\"%.1f\">", p->tx,
	            y + 21);
	html_text(o, p->label);
	html_put(o, "</text></a>\n");
}

static void draw_clusters(layout *L, level *v, double y)
{
	html_out *o = &L->st->out;
	char a[64], b[64], num[32];
	for (size_t i = 0; i < v->nb; i++) {
		const bucket *k = &v->b[i];
		if (k->count == 0)
			continue;
		int64_t idx = v->cu_first + (int64_t)i;
		int64_t s = unit_start(v->cu, idx),
		        e = unit_start(v->cu, idx + 1);
		double x0 = x_of(L, v, (double)s), x1 = x_of(L, v, (double)e);
		x0 = x0 < MARGIN ? MARGIN : x0;
		x1 = x1 > v->width - MARGIN ? v->width - MARGIN : x1;
		if (x1 - x0 < 2)
			continue;
		unit_words(v->cu, s, a, sizeof a);
		unit_words(v->cu, e - 1, b, sizeof b);
		const char *d = k->count >= 100  ? "d3"
		                : k->count >= 10 ? "d2"
		                                 : "d1";
		html_printf(o,
		            "<a class=\"cl\" href=\"#e-%u\"><title>%u more "
		            "event%s, ",
		            k->first, k->count, k->count == 1 ? "" : "s");
		if (strcmp(a, b) == 0)
			html_text(o, a);
		else {
			html_text(o, a);
			html_put(o, " \xE2\x80\x93 ");
			html_text(o, b);
		}
		html_printf(o,
		            "</title><rect class=\"clr %s\" x=\"%.1f\" "
		            "y=\"%.1f\" width=\"%.1f\" height=\"18\"/>",
		            d, x0 + 1, y, x1 - x0 - 2);
		snprintf(num, sizeof num, "+%u", k->count);
		double w = html_text_width(num, strlen(num), CLUSTER_PX);
		if (w <= x1 - x0 - 4)
			html_printf(o,
			            "<text class=\"cln\" x=\"%.1f\" "
			            "y=\"%.1f\">%s</text>",
			            (x0 + x1) / 2 - w / 2 + 1, y + 13, num);
		html_put(o, "</a>\n");
	}
}

static void draw_level(layout *L, int k)
{
	level *v = &L->lv[k];
	html_out *o = &L->st->out;
	int clusters = 0;
	for (size_t i = 0; i < v->nb; i++)
		clusters |= v->b[i].count > 0;
	double lanes_h = (v->lanes_used ? v->lanes_used : 1) * ROW;
	double height = AXIS_H + lanes_h + (clusters ? 26 : 0) + 4;
	html_printf(o,
	            "<div class=\"lvl lvl%d\"><svg class=\"chart\" "
	            "width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
	            "aria-label=\"The events on a time axis, zoom %s\">\n",
	            k, v->width, height, v->width, height, level_name[k]);
	draw_axis(L, v, height - 2);
	if (clusters)
		draw_clusters(L, v, AXIS_H + lanes_h + 2);
	for (size_t i = 0; i < v->n; i++)
		draw_event(L, &v->p[i]);
	html_put(o, "</svg></div>\n");
}

static void legend(html_state *st)
{
	html_out *o = &st->out;
	int any = 0;
	for (int32_t c = 0; c < HTML_COLOURS; c++)
		for (uint32_t i = 0; i < st->ntags; i++) {
			if (st->tags[i].colour != c)
				continue;
			if (!any)
				html_put(o, "<div class=\"legend\"><p>Tags "
				            "(with scripts on, untick one to "
				            "hide its "
				            "events):</p><ul>\n");
			any = 1;
			html_printf(o,
			            "<li><label><input type=\"checkbox\" "
			            "id=\"f%u\" checked><span class=\"sw c%d\">"
			            "</span>",
			            i, c);
			html_text(o, st->tags[i].name);
			html_printf(o,
			            " <span class=\"n\">(%u)</span></label>"
			            "</li>\n",
			            st->tags[i].count);
		}
	if (any)
		html_put(o, "<li><span class=\"sw cx\"></span>other or no "
		            "tags</li></ul></div>\n");
	html_put(o,
	         "<p class=\"key\">"
	         "<svg width=\"14\" height=\"10\" aria-hidden=\"true\"><circle "
	         "class=\"mk\" cx=\"7\" cy=\"5\" r=\"4\"/></svg> a day or "
	         "finer "
	         "<svg width=\"24\" height=\"10\" aria-hidden=\"true\"><rect "
	         "class=\"mk bar\" x=\"1\" y=\"1\" width=\"22\" "
	         "height=\"8\"/></svg> a span between exact dates "
	         "<svg width=\"24\" height=\"10\" aria-hidden=\"true\"><rect "
	         "class=\"mk bar coarse\" x=\"1\" y=\"1\" width=\"22\" "
	         "height=\"8\"/></svg> known only to the month or year "
	         "<svg width=\"24\" height=\"10\" aria-hidden=\"true\"><rect "
	         "class=\"mk bar coarse unc\" x=\"1\" y=\"1\" width=\"22\" "
	         "height=\"8\"/></svg> uncertain (?) "
	         "<svg width=\"24\" height=\"10\" aria-hidden=\"true\"><rect "
	         "class=\"mk bar coarse apx\" x=\"1\" y=\"1\" width=\"22\" "
	         "height=\"8\"/></svg> approximate (c.) "
	         "<svg width=\"34\" height=\"18\" aria-hidden=\"true\"><rect "
	         "class=\"clr d2\" x=\"1\" y=\"0\" width=\"32\" height=\"18\"/>"
	         "</svg> more events than lanes: follow it to the list"
	         "</p>\n");
}

/* The colour and filter rules for the tags now ranked.  The script sets
 * class hide-tN on <body> when tag N's box is unticked (a rule per tag
 * with :has() made Chromium take a minute over 10,000 events). */
static void tag_style(html_state *st)
{
	html_out *o = &st->out;
	html_put(o, "<style>\n");
	for (int c = 0; c < HTML_COLOURS; c++)
		html_printf(o, ".c%d{--c:%s}\n", c, palette[c]);
	for (uint32_t i = 0; i < st->ntags; i++) {
		int32_t c = st->tags[i].colour;
		if (c == HTML_NO_COLOUR)
			continue;
		html_printf(o, ".tg%u{--c:%s}\n", i, palette[c]);
		html_printf(o, ".hide-t%u .t%u{display:none}\n", i, i);
	}
	html_put(o, "</style>\n");
}

static void caption(layout *L)
{
	html_state *st = L->st;
	html_out *o = &st->out;
	char a[64], b[64];
	static const unit day = {U_SEC, 86400, 0};
	html_printf(o, "<figcaption>%u event%s", st->nevents,
	            st->nevents == 1 ? "" : "s");
	if (st->t_min <= st->t_max) {
		unit_words(&day, st->t_min, a, sizeof a);
		unit_words(&day,
		           st->t_max > st->t_min ? st->t_max - 1 : st->t_max, b,
		           sizeof b);
		html_put(o, ", ");
		html_text(o, a);
		if (strcmp(a, b) != 0) {
			html_put(o, " to ");
			html_text(o, b);
		}
	}
	html_put(o,
	         ". Follow an event to its entry in the list.</figcaption>\n");
}

int32_t html_picture(html_state *st)
{
	html_out *o = &st->out;
	layout L;
	memset(&L, 0, sizeof L);
	L.st = st;
	L.lanes = (int)st->lanes;
	double lo = (double)st->t_min, hi = (double)st->t_max;
	if (st->t_min > st->t_max)
		lo = hi = (double)html_host->now(o->run);
	if (hi - lo < 3600) {
		double mid = (lo + hi) / 2;
		lo = mid - 1800;
		hi = mid + 1800;
	}
	L.t0 = lo - (hi - lo) * 0.02;
	L.t1 = hi + (hi - lo) * 0.02;
	int32_t rc = TLDB_PLUGIN_OK;
	for (int k = 0; k < LEVELS; k++) {
		level *v = &L.lv[k];
		v->width = level_width[k];
		double per_sec = (v->width - 2 * MARGIN) / (L.t1 - L.t0);
		v->cu = unit_for(per_sec, MIN_BUCKET);
		v->cu_first = unit_index(v->cu, (int64_t)L.t0);
		v->nb = (size_t)(unit_index(v->cu, (int64_t)L.t1) -
		                 v->cu_first + 1);
		v->b = calloc(v->nb, sizeof *v->b);
		if (!v->b)
			rc = TLDB_PLUGIN_NOMEM;
	}

	html_item *it = malloc(sizeof *it);
	if (!it)
		rc = TLDB_PLUGIN_NOMEM;
	int got = 0;
	while (rc == TLDB_PLUGIN_OK && (got = html_spool_next(st, it)) == 1) {
		char *label = make_label(it);
		if (!label) {
			rc = TLDB_PLUGIN_NOMEM;
			break;
		}
		double lw = html_text_width(label, strlen(label), LABEL_PX);
		for (int k = 0; k < LEVELS && rc == TLDB_PLUGIN_OK; k++)
			if (place(&L, &L.lv[k], it, label, lw) != 0)
				rc = TLDB_PLUGIN_NOMEM;
		free(label);
	}
	free(it);
	if (rc == TLDB_PLUGIN_OK && got < 0) {
		html_host->error(o->run, TLDB_PLUGIN_EIO, 0, 0,
		                 "cannot read the temporary file");
		rc = TLDB_PLUGIN_EIO;
	} else if (rc == TLDB_PLUGIN_NOMEM)
		html_host->error(o->run, rc, 0, 0, "out of memory");

	if (rc == TLDB_PLUGIN_OK) {
		html_put(o, "<figure class=\"chart\" id=\"picture\">\n");
		caption(&L);
		if (st->nevents == 0)
			html_put(o, "<p class=\"none\">Nothing to draw.</p>\n");
		else {
			html_put(o, "<div class=\"zoom\" role=\"group\" "
			            "aria-label=\"Zoom\">Zoom:");
			for (int k = 0; k < LEVELS; k++)
				html_printf(o,
				            " <label><input type=\"radio\" "
				            "name=\"zoom\" id=\"z%d\"%s> "
				            "%s</label>",
				            k, k == 0 ? " checked" : "",
				            level_name[k]);
			html_put(o, "</div>\n<div class=\"scroll\">\n");
			for (int k = 0; k < LEVELS; k++)
				draw_level(&L, k);
			html_put(o, "</div>\n");
			legend(st);
		}
		html_put(o, "</figure>\n");
		tag_style(st);
	}
	for (int k = 0; k < LEVELS; k++)
		free_level(&L.lv[k]);
	return rc == TLDB_PLUGIN_OK ? o->rc : rc;
}
