/*
 * art_scan_absolute.c -- the patterns of calendar dates among a sentence's
 * tokens, tried by the walk in art_scan.c: ISO dates and months
 * (2022-09-15, 2022-09), numeric dates (9/15/2022, 15.09.2022; ambiguous
 * ones such as 3/4/2022 are consumed and dropped), a month name with a day
 * and a year or either (September 15, 2022, Sept. 5-11, February 2022), a
 * day before a month name (15 September [2022], the 15th of September), a
 * month name alone where the words around make it a date (in February,
 * last March), years (in 2001), year ranges (2014-2016) and decades (the
 * 1990s, the '90s).  A season's year ("summer 2019") is consumed and
 * dropped.
 */
#include <string.h>

#include "article.h"

static int day_ok(int32_t d)
{
	return d >= 1 && d <= 31;
}

static int year_ok(int32_t y)
{
	return y >= 1000 && y <= 2999;
}

/* A capitalised month name at i: its number, *after the token after it
 * (past an abbreviation's period).  Abbreviations need the period or a
 * number after them. */
static int32_t month_at(const art_view *c, size_t i, size_t *after)
{
	if (i >= c->n || !c->t[i].upper)
		return 0;
	if (c->t[i].kw == ART_K_MONTH) {
		*after = i + 1;
		return c->t[i].num;
	}
	if (c->t[i].kw == ART_K_MONTH_ABBR) {
		if (art_punct(c, i + 1, '.') && art_adj(c, i)) {
			*after = i + 2;
			return c->t[i].num;
		}
		if (art_num(c, i + 1, 1, 4, 2)) {
			*after = i + 1;
			return c->t[i].num;
		}
	}
	return 0;
}

static void set_date(art_mention *m, int32_t y, int32_t mo, int32_t d)
{
	memset(m, 0, sizeof *m);
	m->kind = ART_M_DATE;
	m->y = y;
	m->m = mo;
	m->d = d;
}

/* A season's name at i (spring, summer, autumn, fall, winter). */
static int season_at(const art_view *c, size_t i)
{
	return i < c->n && c->t[i].kw == ART_K_YEARPREP &&
	       (art_word_is(c, i, "spring") || art_word_is(c, i, "summer") ||
	        art_word_is(c, i, "autumn") || art_word_is(c, i, "fall") ||
	        art_word_is(c, i, "winter"));
}

/* Words after which a month or year alone is a date. */
static int date_context(const art_view *c, size_t i)
{
	if (i == 0)
		return 0;
	uint16_t k = c->t[i - 1].kw;
	switch (k) {
	case ART_K_IN:
	case ART_K_ON:
	case ART_K_FROM:
	case ART_K_TO:
	case ART_K_BETWEEN:
	case ART_K_OF:
	case ART_K_YEARPREP:
	case ART_K_EARLY:
	case ART_K_LATE:
	case ART_K_LAST:
	case ART_K_NEXT:
	case ART_K_THIS:
	case ART_K_COMING:
	case ART_K_PAST:
		return 1;
	default:
		break;
	}
	/* mid-March, mid-2021 */
	return art_punct(c, i - 1, '-') && i >= 2 &&
	       c->t[i - 2].kw == ART_K_MID;
}

size_t art_match_month(const art_view *c, size_t i, art_expr *x, int in_range)
{
	size_t k;
	int32_t mo = month_at(c, i, &k);
	if (!mo)
		return 0;
	/* Month Day[-Day][,] [Year] */
	int ranged_day =
	        (art_punct(c, k + 1, '-') || art_kw(c, k + 2, ART_K_TO)) &&
	        art_num(c, k + 2, 1, 2, 2);
	if (art_num(c, k, 1, 2, 2) && day_ok(c->t[k].num) &&
	    (ranged_day || !art_glued_after(c, k + 1)) &&
	    !art_punct(c, k + 1, ':')) {
		int32_t d = c->t[k].num, d2 = 0, y = 0;
		size_t j = k + 1;
		if ((art_punct(c, j, '-') || art_kw(c, j, ART_K_TO)) &&
		    art_num(c, j + 1, 1, 2, 2) && day_ok(c->t[j + 1].num) &&
		    c->t[j + 1].num > d && !art_glued_after(c, j + 2)) {
			d2 = c->t[j + 1].num;
			j += 2;
		}
		size_t yj = art_punct(c, j, ',') ? j + 1 : j;
		if (art_num(c, yj, 4, 4, 0) && year_ok(c->t[yj].num) &&
		    !art_glued_after(c, yj + 1)) {
			y = c->t[yj].num;
			j = yj + 1;
		}
		set_date(&x->a, y, mo, d);
		if (d2) {
			x->b = x->a;
			x->b.d = d2;
			x->is_range = 1;
			x->form = "month-day-range";
		} else {
			x->form = y ? "month-day-year" : "month-day";
		}
		return j;
	}
	/* Month [,|of] Year */
	size_t yj = art_punct(c, k, ',') || art_kw(c, k, ART_K_OF) ? k + 1 : k;
	if (art_num(c, yj, 4, 4, 0) && year_ok(c->t[yj].num) &&
	    !art_glued_after(c, yj + 1)) {
		set_date(&x->a, c->t[yj].num, mo, 0);
		x->form = "month-year";
		return yj + 1;
	}
	/* Month alone, where the words around make it one */
	int ranged = (art_punct(c, k, '-') || art_kw(c, k, ART_K_TO)) &&
	             month_at(c, k + 1, &yj);
	if (!date_context(c, i) && !ranged && !in_range &&
	    !(i > 0 && c->t[i - 1].kw == ART_K_AND))
		return 0;
	set_date(&x->a, 0, mo, 0);
	if (i > 0 && c->t[i - 1].kw == ART_K_LAST)
		x->a.rel = -1;
	else if (i > 0 && (c->t[i - 1].kw == ART_K_NEXT ||
	                   c->t[i - 1].kw == ART_K_COMING))
		x->a.rel = 1;
	else if (i > 0 && c->t[i - 1].kw == ART_K_THIS)
		x->a.rel = 2;
	x->form = x->a.rel == -1  ? "last-month-name"
	          : x->a.rel == 1 ? "next-month-name"
	          : x->a.rel == 2 ? "this-month-name"
	                          : "month-name";
	return k;
}

size_t art_match_number(const art_view *c, size_t i, art_expr *x, int in_range)
{
	const art_tok *t = &c->t[i];
	int mid = i >= 2 && art_punct(c, i - 1, '-') &&
	          c->t[i - 2].kw == ART_K_MID;
	if (t->type != ART_T_NUM || (art_glued_before(c, i) && !mid))
		return 0;
	int32_t v = t->num;
	/* ISO 2022-09-15, 2022-09 */
	if (art_num(c, i, 4, 4, 0) && art_punct(c, i + 1, '-') &&
	    art_adj(c, i) && art_adj(c, i + 1) && art_num(c, i + 2, 2, 2, 0)) {
		int32_t mo = c->t[i + 2].num;
		if (art_punct(c, i + 3, '-') && art_adj(c, i + 2) &&
		    art_adj(c, i + 3) && art_num(c, i + 4, 2, 2, 0)) {
			int32_t d = c->t[i + 4].num;
			/* a time may follow: 2022-09-15T10:00Z */
			int timed = i + 6 < c->n && art_adj(c, i + 4) &&
			            (art_word_is(c, i + 5, "T") ||
			             (i + 5 < c->n &&
			              c->t[i + 5].type == ART_T_WORD &&
			              (c->text[c->t[i + 5].b] == 'T')));
			if (mo < 1 || mo > 12 || d < 1 ||
			    d > art_month_days(v, mo) ||
			    (art_glued_after(c, i + 5) && !timed))
				return 0;
			set_date(&x->a, v, mo, d);
			x->form = "iso-date";
			return i + 5;
		}
		if (c->text[c->t[i + 2].b] == '0' && mo >= 1 &&
		    !art_glued_after(c, i + 3)) {
			set_date(&x->a, v, mo, 0);
			x->form = "iso-month";
			return i + 3;
		}
	}
	/* numeric dates: 9/15/2022 (US), 15.09.2022 (day first) */
	if (art_num(c, i, 1, 2, 0) && i + 4 < c->n && art_adj(c, i) &&
	    art_adj(c, i + 1) && art_adj(c, i + 2) && art_adj(c, i + 3) &&
	    ((art_punct(c, i + 1, '/') && art_punct(c, i + 3, '/')) ||
	     (art_punct(c, i + 1, '.') && art_punct(c, i + 3, '.'))) &&
	    art_num(c, i + 2, 1, 2, 0) && (art_num(c, i + 4, 4, 4, 0)) &&
	    !art_glued_after(c, i + 5)) {
		int32_t a = v, b = c->t[i + 2].num, y = c->t[i + 4].num;
		int32_t mo, d;
		if (art_punct(c, i + 1, '.')) {
			d = a;
			mo = b;
			x->form = "dotted-date";
		} else if (a > 12 && b <= 12) {
			d = a;
			mo = b;
			x->form = "numeric-day-first";
		} else if (b > 12 && a <= 12) {
			mo = a;
			d = b;
			x->form = "numeric-us";
		} else if (a == b) {
			mo = d = a;
			x->form = "numeric";
		} else {
			memset(&x->a, 0, sizeof x->a); /* ambiguous: dropped */
			x->form = "ambiguous";
			return i + 5;
		}
		if (mo < 1 || mo > 12 || d < 1 || d > art_month_days(y, mo)) {
			memset(&x->a, 0, sizeof x->a);
			return i + 5;
		}
		set_date(&x->a, y, mo, d);
		return i + 5;
	}
	/* 2014-2016 */
	if (art_num(c, i, 4, 4, 0) && year_ok(v) && art_punct(c, i + 1, '-') &&
	    art_num(c, i + 2, 4, 4, 0) && c->t[i + 2].num > v &&
	    c->t[i + 2].num - v <= 200 && !art_glued_after(c, i + 3)) {
		set_date(&x->a, v, 0, 0);
		set_date(&x->b, c->t[i + 2].num, 0, 0);
		x->is_range = 1;
		x->form = "year-range";
		return i + 3;
	}
	/* the 1990s */
	if (art_num(c, i, 4, 4, 0) && year_ok(v) && v % 10 == 0 &&
	    art_adj(c, i) && art_word_is(c, i + 1, "s")) {
		memset(&x->a, 0, sizeof x->a);
		x->a.kind = ART_M_DECADE;
		x->a.y = v;
		x->form = "decade";
		return i + 2;
	}
	/* 15 September [2022], the 15th of September */
	if (art_num(c, i, 1, 2, 2) && day_ok(v)) {
		size_t k = i + 1, after;
		int32_t d2 = 0;
		if ((art_punct(c, k, '-') || art_kw(c, k, ART_K_TO)) &&
		    art_num(c, k + 1, 1, 2, 2) && c->t[k + 1].num > v &&
		    day_ok(c->t[k + 1].num)) {
			d2 = c->t[k + 1].num;
			k += 2;
		}
		if (art_kw(c, k, ART_K_OF))
			k++;
		int32_t mo = month_at(c, k, &after);
		if (mo) {
			int32_t y = 0;
			size_t j = after;
			size_t yj = art_punct(c, j, ',') ? j + 1 : j;
			if (art_num(c, yj, 4, 4, 0) && year_ok(c->t[yj].num) &&
			    !art_glued_after(c, yj + 1)) {
				y = c->t[yj].num;
				j = yj + 1;
			}
			set_date(&x->a, y, mo, v);
			if (d2) {
				x->b = x->a;
				x->b.d = d2;
				x->is_range = 1;
				x->form = "day-month-range";
			} else {
				x->form = y ? "day-month-year" : "day-month";
			}
			return j;
		}
	}
	/* a season's year ("the autumn of 2021", "summer 2019"): the EDTF
	 * the host reads has no season codes, and the bare year would say the
	 * expression is about the whole year; consumed and dropped */
	if (art_num(c, i, 4, 4, 0) && year_ok(v) &&
	    !art_glued_after(c, i + 1) &&
	    (season_at(c, i - (i > 0)) ||
	     (i >= 2 && art_kw(c, i - 1, ART_K_OF) && season_at(c, i - 2)))) {
		memset(&x->a, 0, sizeof x->a);
		x->form = "season";
		return i + 1;
	}
	/* a year: 4 digits, where the words make it one */
	if (art_num(c, i, 4, 4, 0) && year_ok(v) &&
	    !art_glued_after(c, i + 1) &&
	    !(i > 0 && (c->t[i - 1].type == ART_T_NUM ||
	                c->t[i - 1].kw == ART_K_NUMWORD))) {
		int ctx = date_context(c, i) || in_range ||
		          (i > 0 && (c->t[i - 1].kw == ART_K_THE ||
		                     art_punct(c, i - 1, '(')));
		int after_ok =
		        i + 1 >= c->n ||
		        (c->t[i + 1].type == ART_T_PUNCT &&
		         c->t[i + 1].punct != '%' &&
		         c->t[i + 1].punct != '$') ||
		        (c->t[i + 1].type == ART_T_WORD && c->t[i + 1].upper) ||
		        c->t[i + 1].kw == ART_K_TO ||
		        c->t[i + 1].kw == ART_K_AND;
		if (i + 1 < c->n && c->t[i + 1].kw == ART_K_UNIT)
			return 0; /* 2000 years */
		if (ctx || (after_ok && v >= 1900 && v <= 2099)) {
			set_date(&x->a, v, 0, 0);
			x->a.year_only = 1;
			x->form = "year";
			return i + 1;
		}
	}
	return 0;
}

size_t art_match_quote_decade(const art_view *c, size_t i, art_expr *x)
{
	if (!art_punct(c, i, '\'') || !art_adj(c, i) ||
	    !art_num(c, i + 1, 2, 2, 0) || c->t[i + 1].num % 10 != 0 ||
	    !art_adj(c, i + 1) || !art_word_is(c, i + 2, "s"))
		return 0;
	int32_t v = c->t[i + 1].num;
	memset(&x->a, 0, sizeof x->a);
	x->a.kind = ART_M_DECADE;
	x->a.y = v >= 30 ? 1900 + v : 2000 + v;
	x->form = "decade";
	return i + 3;
}
