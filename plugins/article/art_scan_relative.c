/*
 * art_scan_relative.c -- the patterns of dates counted from the document's
 * date or from an event, among a sentence's tokens, tried by the walk in
 * art_scan.c: weekdays ([on|last|next|this] Thursday; a weekday before a
 * full date is part of that date), today, yesterday, tomorrow, this
 * morning, last night, this/last/next week|month|year and earlier/later
 * this week|month|year, counts of units (two weeks ago, in three days,
 * three days from now, a year earlier, the past three months, the next
 * day), and counts from an event an article dates (two weeks into the
 * war, three months after the invasion, the first five months of the
 * war).
 */
#include <string.h>

#include "article.h"

/* A capitalised weekday at i (abbreviations need '.' or ','). */
static int32_t weekday_at(const art_view *c, size_t i, size_t *after)
{
	if (i >= c->n || !c->t[i].upper)
		return -1;
	if (c->t[i].kw == ART_K_WEEKDAY) {
		*after = i + 1;
		return c->t[i].num;
	}
	if (c->t[i].kw == ART_K_WEEKDAY_ABBR && art_adj(c, i) &&
	    (art_punct(c, i + 1, '.') || art_punct(c, i + 1, ','))) {
		*after = i + 1 + art_punct(c, i + 1, '.');
		return c->t[i].num;
	}
	return -1;
}

static size_t skip_partday(const art_view *c, size_t j)
{
	return art_kw(c, j, ART_K_PARTDAY) ? j + 1 : j;
}

static int is_plural(const art_view *c, size_t i)
{
	return c->text[c->t[i].e - 1] == 's' || c->text[c->t[i].e - 1] == 'S';
}

/* ---- events ---- */

/* The event named by the noun phrase at j ("the war", "Russia's
 * invasion", "the full-scale invasion of Ukraine", "the start of the
 * war"): its group, *point whether it names a moment (or the start of a
 * stretch: "the start of the war"), *end the token after the noun. */
static int32_t event_phrase(const art_view *c, size_t j, int32_t *point,
                            size_t *end)
{
	int start_of = 0;
	for (size_t k = j; k < c->n && k < j + 7; k++) {
		const art_tok *t = &c->t[k];
		if (t->type == ART_T_PUNCT) {
			if (t->punct == '\'' || t->punct == '-')
				continue;
			return 0;
		}
		if (t->type != ART_T_WORD)
			return 0;
		int32_t g = art_event_group(c->text + t->b, t->e - t->b, point);
		if (g && t->upper)
			return 0; /* the Cold War, World War II: named events */
		if (g) {
			if (start_of)
				*point = 1;
			*end = k + 1;
			return g;
		}
		if (t->kw == ART_K_POSITION &&
		    (art_word_is(c, k, "start") ||
		     art_word_is(c, k, "beginning")) &&
		    art_kw(c, k + 1, ART_K_OF)) {
			start_of = 1;
			k++;
			continue;
		}
		/* determiners, names and adjectives: the, Russia('s),
		 * full-scale, latest; a date word or verb ends the phrase */
		if (t->kw && t->kw != ART_K_THE && t->kw != ART_K_LAST)
			return 0;
	}
	return 0;
}

size_t art_match_first(const art_view *c, size_t i, art_expr *x, size_t *begin)
{
	if (i == 0 || c->t[i - 1].kw != ART_K_THE)
		return 0;
	size_t j = i + 1;
	int32_t n = 1;
	if (art_kw(c, j, ART_K_NUMWORD) && !art_word_is(c, j, "a") &&
	    !art_word_is(c, j, "an")) {
		n = c->t[j].num;
		j++;
	} else if (art_num(c, j, 1, 4, 0)) {
		n = c->t[j].num;
		j++;
	}
	if (!art_kw(c, j, ART_K_UNIT) || n <= 0 || (n == 1) != !is_plural(c, j))
		return 0;
	int32_t unit = c->t[j].num, point;
	size_t end;
	if (unit == ART_U_DECADE || !art_kw(c, j + 1, ART_K_OF))
		return 0;
	int32_t g = event_phrase(c, j + 2, &point, &end);
	if (!g)
		return 0;
	memset(&x->a, 0, sizeof x->a);
	x->a.kind = ART_M_EVENT;
	x->a.sub = ART_EV_FIRST;
	x->a.unit = unit;
	x->a.n = n;
	x->a.rel = g;
	x->form = "first-units-of";
	*begin = i - 1;
	return end;
}

/* ---- days, units and counts ---- */

size_t art_match_weekday(const art_view *c, size_t i, art_expr *x, int in_range)
{
	size_t k;
	int32_t wd = weekday_at(c, i, &k);
	if (wd < 0)
		return 0;
	size_t j = art_punct(c, k, ',') ? k + 1 : k;
	size_t e = art_match_month(c, j, x, 0);
	if (!e && j < c->n && c->t[j].type == ART_T_NUM)
		e = art_match_number(c, j, x, 0);
	if (e && x->a.kind == ART_M_DATE && x->a.d) {
		x->form = x->a.y ? "weekday-date-year" : "weekday-date";
		x->a.wd = wd + 1; /* kept to check, 1-based */
		return e;
	}
	x->is_range = 0;
	memset(&x->a, 0, sizeof x->a);
	x->a.kind = ART_M_WEEKDAY;
	x->a.wd = wd;
	uint16_t prev = i > 0 ? c->t[i - 1].kw : 0;
	if (prev == ART_K_EVERY)
		return 0; /* a set */
	x->a.rel = prev == ART_K_LAST                           ? -1
	           : prev == ART_K_NEXT || prev == ART_K_COMING ? 1
	           : prev == ART_K_THIS                         ? 2
	           : prev == ART_K_PAST                         ? -1
	                                                        : 0;
	(void)in_range;
	x->form = x->a.rel == -1  ? "last-weekday"
	          : x->a.rel == 1 ? "next-weekday"
	          : x->a.rel == 2 ? "this-weekday"
	                          : "weekday";
	return skip_partday(c, k);
}

size_t art_match_today(const art_view *c, size_t i, art_expr *x)
{
	memset(&x->a, 0, sizeof x->a);
	x->a.kind = ART_M_DAYREL;
	if (art_kw(c, i, ART_K_TODAY)) {
		x->a.n = c->t[i].num;
		x->form = x->a.n < 0 ? "yesterday"
		          : x->a.n   ? "tomorrow"
		                     : "today";
		return skip_partday(c, i + 1);
	}
	/* this morning, last night */
	if (art_kw(c, i, ART_K_THIS) && art_kw(c, i + 1, ART_K_PARTDAY)) {
		x->form = "today";
		return i + 2;
	}
	if (art_kw(c, i, ART_K_LAST) && art_word_is(c, i + 1, "night")) {
		x->a.n = -1;
		x->form = "last-night";
		return i + 2;
	}
	return 0;
}

size_t art_match_unitrel(const art_view *c, size_t i, art_expr *x,
                         size_t *begin)
{
	uint16_t d = c->t[i].kw;
	if (d != ART_K_THIS && d != ART_K_LAST && d != ART_K_NEXT &&
	    d != ART_K_PAST && d != ART_K_COMING && d != ART_K_PREVIOUS)
		return 0;
	if (!art_kw(c, i + 1, ART_K_UNIT) || is_plural(c, i + 1))
		return 0;
	int32_t unit = c->t[i + 1].num;
	int the = i > 0 && c->t[i - 1].kw == ART_K_THE;
	memset(&x->a, 0, sizeof x->a);
	x->a.unit = unit;
	*begin = the ? i - 1 : i;
	/* the same period last year: its anchor is not said */
	for (size_t k = i >= 3 ? i - 3 : 0; k < i; k++)
		if (c->t[k].kw == ART_K_SAME) {
			x->form = "same-period";
			return i + 2;
		}
	if (the && (d == ART_K_PREVIOUS || d == ART_K_NEXT)) {
		x->a.kind = ART_M_ANCHORED;
		x->a.n = d == ART_K_NEXT ? 1 : -1;
		x->form =
		        d == ART_K_NEXT ? "the-next-unit" : "the-previous-unit";
		return i + 2;
	}
	if ((the && (d == ART_K_LAST || d == ART_K_PAST)) || d == ART_K_PAST) {
		x->a.kind = ART_M_PAST;
		x->a.n = 1;
		x->form = "the-past-unit";
		return i + 2;
	}
	if (unit == ART_U_DAY || unit == ART_U_DECADE)
		return 0;
	if (d == ART_K_PREVIOUS)
		return 0;
	x->a.kind = ART_M_UNITREL;
	x->a.rel = d == ART_K_THIS ? 0 : d == ART_K_LAST ? -1 : 1;
	if (d == ART_K_THIS && i > 0 &&
	    (c->t[i - 1].kw == ART_K_EARLIER ||
	     c->t[i - 1].kw == ART_K_LATER)) {
		x->a.sub = c->t[i - 1].kw == ART_K_EARLIER ? -1 : 1;
		*begin = i - 1;
	} else if (i > 0 && (c->t[i - 1].kw == ART_K_EARLY ||
	                     c->t[i - 1].kw == ART_K_LATE)) {
		*begin = i - 1;
	}
	static const char *const names[3][3] = {
	        {"last-week", "this-week", "next-week"},
	        {"last-month", "this-month", "next-month"},
	        {"last-year", "this-year", "next-year"}};
	x->form = names[unit - ART_U_WEEK][x->a.rel + 1];
	if (x->a.sub)
		x->form =
		        x->a.sub < 0
		                ? (unit == ART_U_WEEK    ? "earlier-this-week"
		                   : unit == ART_U_MONTH ? "earlier-this-month"
		                                         : "earlier-this-year")
		                : (unit == ART_U_WEEK    ? "later-this-week"
		                   : unit == ART_U_MONTH ? "later-this-month"
		                                         : "later-this-year");
	return i + 2;
}

size_t art_match_count(const art_view *c, size_t i, art_expr *x, size_t *begin)
{
	int32_t n;
	if (art_kw(c, i, ART_K_NUMWORD))
		n = c->t[i].num;
	else if (art_num(c, i, 1, 3, 0) && !art_glued_before(c, i))
		n = c->t[i].num;
	else
		return 0;
	if (!art_kw(c, i + 1, ART_K_UNIT) || n <= 0)
		return 0;
	int32_t unit = c->t[i + 1].num;
	size_t j = i + 2;
	memset(&x->a, 0, sizeof x->a);
	x->a.unit = unit;
	*begin = i;
	if (art_kw(c, j, ART_K_AGO)) {
		x->a.kind = ART_M_AGO;
		x->a.n = -n;
		x->form = "units-ago";
		return j + 1;
	}
	if (art_kw(c, j, ART_K_FROM) && art_kw(c, j + 1, ART_K_NOW)) {
		x->a.kind = ART_M_AGO;
		x->a.n = n;
		x->form = "units-from-now";
		return j + 2;
	}
	if (art_kw(c, j, ART_K_INTO) || art_word_is(c, j, "after") ||
	    art_word_is(c, j, "before")) {
		int32_t point, g;
		size_t end;
		if ((g = event_phrase(c, j + 1, &point, &end)) &&
		    (point || art_kw(c, j, ART_K_INTO))) {
			x->a.kind = ART_M_EVENT;
			x->a.rel = g;
			x->a.n = n;
			x->a.sub = art_kw(c, j, ART_K_INTO)     ? ART_EV_INTO
			           : art_word_is(c, j, "after") ? ART_EV_AFTER
			                                        : ART_EV_BEFORE;
			x->form = x->a.sub == ART_EV_INTO    ? "units-into"
			          : x->a.sub == ART_EV_AFTER ? "units-after"
			                                     : "units-before";
			return end;
		}
		return 0;
	}
	if (art_kw(c, j, ART_K_EARLIER) || art_kw(c, j, ART_K_LATER)) {
		x->a.kind = ART_M_ANCHORED;
		x->a.n = art_kw(c, j, ART_K_EARLIER) ? -n : n;
		x->form = "units-earlier-later";
		return j + 1;
	}
	if (i >= 2 &&
	    (c->t[i - 1].kw == ART_K_PAST || c->t[i - 1].kw == ART_K_LAST) &&
	    c->t[i - 2].kw == ART_K_THE) {
		x->a.kind = ART_M_PAST;
		x->a.n = n;
		x->form = "the-past-n-units";
		*begin = i - 2;
		return j;
	}
	if (i >= 1 && c->t[i - 1].kw == ART_K_IN) {
		x->a.kind = ART_M_AGO;
		x->a.n = n;
		x->form = "in-n-units";
		*begin = i - 1;
		return j;
	}
	return 0;
}
