/*
 * art_scan.c -- the date expressions among a sentence's tokens.
 *
 * art_lex.c cuts a sentence into tokens (words, numbers, single punctuation
 * marks, with their offsets; a number keeps its digit count and whether an
 * ordinal suffix follows; a word its keyword id from the keyword table).
 * The expression finder walks the tokens and tries, at each, the patterns
 * of English news text, longest first:
 *
 *   absolute   2022-09-15, 2022-09, 9/15/2022 (ambiguous ones such as
 *              3/4/2022 are consumed and dropped), 15.09.2022, September 15,
 *              2022, Sept. 15, 15 September [2022], the 15th of September,
 *              [in|early|mid-|late] February [2022], in 2001, the 1990s,
 *              the '90s, 2014-2016, Thursday, Sept. 15
 *   relative   today, yesterday, tomorrow, tonight, [on|last|next|this]
 *              Thursday, this/last/next week|month|year, earlier/later this
 *              week|month|year, two weeks ago, in three days, three days from
 *              now, the past three months, a year earlier, the next day
 *   intervals  from A to B, between A and B, A-B, Sept. 5-11, 5-11 September
 *
 * Month and weekday names count only capitalised, so "may", "march" and
 * "sun" stay verbs and nouns; abbreviations need their period or a number
 * after them.  Sets ("every Monday", "Mondays"), durations ("six months",
 * "for three weeks") and the present ("now") match nothing.
 *
 * This file holds the walk (art_find_exprs): the token tests every
 * matcher uses, the choice of matchers at a token, the intervals made of
 * two mentions (from A to B, between A and B, A-B), the words widened
 * around an expression (early, mid-, the end of, a leading in/on) and the
 * time of day attached to a day.  The patterns themselves are in
 * art_scan_absolute.c (calendar dates) and art_scan_relative.c (dates
 * counted from the document's date or from an event).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "article.h"

/* ---- the token tests ---- */

int art_kw(const art_view *c, size_t i, uint16_t id)
{
	return i < c->n && c->t[i].kw == id;
}

int art_punct(const art_view *c, size_t i, char ch)
{
	return i < c->n && c->t[i].type == ART_T_PUNCT && c->t[i].punct == ch;
}

int art_adj(const art_view *c, size_t i)
{
	return i + 1 < c->n && c->t[i].e == c->t[i + 1].b;
}

int art_num(const art_view *c, size_t i, unsigned mind, unsigned maxd, int ord)
{
	if (i >= c->n || c->t[i].type != ART_T_NUM)
		return 0;
	const art_tok *k = &c->t[i];
	if (k->digits < mind || k->digits > maxd)
		return 0;
	return ord == 2 || k->ord == ord;
}

int art_word_is(const art_view *c, size_t i, const char *w)
{
	if (i >= c->n || c->t[i].type != ART_T_WORD)
		return 0;
	size_t n = c->t[i].e - c->t[i].b;
	return n == strlen(w) && strncasecmp(c->text + c->t[i].b, w, n) == 0;
}

int art_glued_after(const art_view *c, size_t j)
{
	/* tok[j] is the token after the match */
	if (j >= c->n || j == 0 || c->t[j - 1].e != c->t[j].b)
		return 0;
	const art_tok *k = &c->t[j];
	if (k->type == ART_T_NUM || k->type == ART_T_WORD)
		return 1;
	if (k->type == ART_T_PUNCT &&
	    (k->punct == ',' || k->punct == '.' || k->punct == '/' ||
	     k->punct == ':' || k->punct == '-') &&
	    j + 1 < c->n && c->t[j].e == c->t[j + 1].b &&
	    c->t[j + 1].type == ART_T_NUM)
		return 1;
	return k->type == ART_T_PUNCT && (k->punct == '%' || k->punct == '$');
}

int art_glued_before(const art_view *c, size_t i)
{
	if (i == 0 || c->t[i - 1].e != c->t[i].b)
		return 0;
	const art_tok *k = &c->t[i - 1];
	if (k->type == ART_T_NUM || k->type == ART_T_WORD)
		return 1;
	return k->type == ART_T_PUNCT && k->punct != '(' && k->punct != '"' &&
	       k->punct != '\'' && k->punct != '[';
}

/* ---- times of day ---- */

/* The zone the word at i names after a time (art_zone_abbrev), or NULL. */
static const char *zone_at(const art_view *c, size_t i)
{
	if (i >= c->n || c->t[i].type != ART_T_WORD)
		return NULL;
	return art_zone_abbrev(c->text + c->t[i].b, c->t[i].e - c->t[i].b);
}

/* a.m., am, p.m., pm at i: 1 am, 2 pm, 0 none; *end past it. */
static int meridiem_at(const art_view *c, size_t i, size_t *end)
{
	if (art_word_is(c, i, "am") || art_word_is(c, i, "pm")) {
		*end = i + 1;
		return (c->text[c->t[i].b] | 0x20) == 'a' ? 1 : 2;
	}
	if ((art_word_is(c, i, "a") || art_word_is(c, i, "p")) &&
	    art_adj(c, i) && art_punct(c, i + 1, '.') && art_adj(c, i + 1) &&
	    art_word_is(c, i + 2, "m")) {
		*end = i + 3;
		if (art_adj(c, i + 2) && art_punct(c, i + 3, '.'))
			*end = i + 4;
		return (c->text[c->t[i].b] | 0x20) == 'a' ? 1 : 2;
	}
	return 0;
}

/* A time of day at i: "10 a.m.", "3:30 p.m.", "10am", "10:00 GMT",
 * "noon", each with an optional zone or "local time".  Returns the end or
 * 0; sets x's time. */
static size_t match_time(const art_view *c, size_t i, art_expr *x)
{
	int32_t h, mi = 0;
	int clock24 = 0;
	size_t j;
	if (art_word_is(c, i, "noon") || art_word_is(c, i, "midday")) {
		h = 12;
		j = i + 1;
	} else if (art_num(c, i, 1, 2, 0)) {
		h = c->t[i].num;
		j = i + 1;
		int colon = 0;
		if (art_adj(c, i) && art_punct(c, i + 1, ':') &&
		    art_adj(c, i + 1) && art_num(c, i + 2, 2, 2, 0)) {
			mi = c->t[i + 2].num;
			if (mi > 59)
				return 0;
			j = i + 3;
			colon = 1;
		}
		size_t me;
		int mer = meridiem_at(c, j, &me);
		if (mer) {
			if (h < 1 || h > 12)
				return 0;
			h = h % 12 + (mer == 2 ? 12 : 0);
			j = me;
		} else if (!colon || h > 23) {
			return 0; /* "at 10": not said to be a time */
		} else if (h < 13 && c->text[c->t[i].b] != '0') {
			clock24 = 1; /* "at 9:30": a.m. or p.m.? */
		}
		if (art_glued_after(c, j))
			return 0;
	} else {
		return 0;
	}
	const char *z = "";
	const char *zz = zone_at(c, j);
	if (clock24 && !zz)
		return 0; /* only a zone says it is a 24-hour clock */
	if (zz) {
		z = zz;
		j++;
		/* UTC+3, GMT+1 are not read: an offset sign after a zone */
		if (art_punct(c, j, '+') ||
		    (art_punct(c, j, '-') && art_adj(c, j - 1)))
			return 0;
	} else if (art_word_is(c, j, "local") &&
	           art_word_is(c, j + 1, "time")) {
		j += 2;
	}
	x->has_time = 1;
	x->hour = h;
	x->minute = mi;
	x->zone = z;
	return j;
}

/* A day expression takes a time said right after it ("on Thursday at 10
 * a.m.", "Sept. 15, 3:30 p.m. local time") or right before it ("at noon
 * on Friday").  Widens [*b, *e) over it. */
static void attach_time(const art_view *c, art_expr *x, size_t *b, size_t *e)
{
	if (x->is_range)
		return;
	const art_mention *a = &x->a;
	if (!(a->kind == ART_M_WEEKDAY || a->kind == ART_M_DAYREL ||
	      (a->kind == ART_M_DATE && a->m && a->d)))
		return;
	size_t j = *e;
	if (art_punct(c, j, ','))
		j++;
	if (art_word_is(c, j, "at"))
		j++;
	size_t te = match_time(c, j, x);
	if (te) {
		*e = te;
		return;
	}
	/* before: at TIME [on] DAY */
	size_t lo = *b >= 14 ? *b - 14 : 0;
	for (size_t k = lo; k < *b; k++) {
		if (!art_word_is(c, k, "at"))
			continue;
		te = match_time(c, k + 1, x);
		if (te &&
		    (te == *b || (te + 1 == *b && art_punct(c, te, ',')))) {
			*b = k;
			return;
		}
		x->has_time = 0;
	}
}

/* ---- the walk ---- */

/* One mention at i: its end (0 for none), *begin its first token. */
static size_t match_one(const art_view *c, size_t i, art_expr *x, size_t *begin,
                        int in_range)
{
	size_t e;
	memset(x, 0, sizeof *x);
	*begin = i;
	const art_tok *t = &c->t[i];
	if (t->type == ART_T_NUM) {
		if ((e = art_match_number(c, i, x, in_range)))
			return e;
		return art_match_count(c, i, x, begin);
	}
	if (t->type == ART_T_PUNCT)
		return t->punct == '\'' ? art_match_quote_decade(c, i, x) : 0;
	switch (t->kw) {
	case ART_K_MONTH:
	case ART_K_MONTH_ABBR:
		return art_match_month(c, i, x, in_range);
	case ART_K_WEEKDAY:
	case ART_K_WEEKDAY_ABBR:
		return art_match_weekday(c, i, x, in_range);
	case ART_K_TODAY:
		return art_match_today(c, i, x);
	case ART_K_THIS:
	case ART_K_LAST:
		if ((e = art_match_today(c, i, x)))
			return e;
		return art_match_unitrel(c, i, x, begin);
	case ART_K_NEXT:
	case ART_K_PAST:
	case ART_K_COMING:
	case ART_K_PREVIOUS:
		return art_match_unitrel(c, i, x, begin);
	case ART_K_NUMWORD:
		return art_match_count(c, i, x, begin);
	case ART_K_FIRST:
		return art_match_first(c, i, x, begin);
	default:
		return 0;
	}
}

/* Widens [*b, ...) over the modifiers before a date: early, mid-, late,
 * the end of, and a leading in/on. */
static size_t widen(const art_view *c, size_t b, const art_expr *x)
{
	if (x->a.kind == ART_M_DATE || x->a.kind == ART_M_DECADE) {
		if (b >= 2 && art_punct(c, b - 1, '-') &&
		    c->t[b - 2].kw == ART_K_MID)
			b -= 2;
		else if (b >= 1 && (c->t[b - 1].kw == ART_K_EARLY ||
		                    c->t[b - 1].kw == ART_K_MID ||
		                    c->t[b - 1].kw == ART_K_LATE))
			b -= 1;
		if (b >= 2 && c->t[b - 1].kw == ART_K_OF &&
		    c->t[b - 2].kw == ART_K_POSITION) {
			b -= 2;
			if (b >= 1 && c->t[b - 1].kw == ART_K_THE)
				b -= 1;
		}
		if (b >= 1 && c->t[b - 1].kw == ART_K_THE &&
		    x->a.kind == ART_M_DECADE)
			b -= 1;
	}
	if (b >= 1 &&
	    (c->t[b - 1].kw == ART_K_IN || c->t[b - 1].kw == ART_K_ON))
		b -= 1;
	return b;
}

static int combinable(const art_mention *a, const art_mention *b)
{
	if (a->kind != b->kind)
		return 0;
	return a->kind == ART_M_DATE || a->kind == ART_M_WEEKDAY ||
	       a->kind == ART_M_DECADE;
}

size_t art_find_exprs(const art_scanner *s, const char *text, art_expr *out,
                      size_t max)
{
	art_view c = {s->tok, s->ntok, text};
	size_t found = 0;
	size_t i = 0;
	while (i < c.n && found < max) {
		art_expr x;
		size_t b;
		size_t e = match_one(&c, i, &x, &b, 0);
		if (!e) {
			i++;
			continue;
		}
		/* from A to B, between A and B, A-B */
		int from = b > 0 && (c.t[b - 1].kw == ART_K_FROM ||
		                     c.t[b - 1].kw == ART_K_BETWEEN);
		int between = b > 0 && c.t[b - 1].kw == ART_K_BETWEEN;
		if (!x.is_range && x.a.kind && e < c.n &&
		    (art_kw(&c, e, ART_K_TO) || art_punct(&c, e, '-') ||
		     (between && art_kw(&c, e, ART_K_AND))) &&
		    e + 1 < c.n) {
			art_expr y;
			size_t yb;
			size_t ye = match_one(&c, e + 1, &y, &yb, 1);
			if (ye && yb == e + 1 && !y.is_range &&
			    combinable(&x.a, &y.a)) {
				x.b = y.a;
				x.is_range = 1;
				x.form = "range";
				e = ye;
			}
		}
		if (x.is_range && from)
			b--;
		else
			b = widen(&c, b, &x);
		attach_time(&c, &x, &b, &e);
		if (x.a.kind) {
			x.begin = c.t[b].b;
			x.end = c.t[e - 1].e;
			/* an abbreviation's period is no part of it at the end
			 */
			out[found++] = x;
		}
		i = e;
	}
	return found;
}
