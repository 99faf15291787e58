/*
 * art_scan.c -- the date expressions among a sentence's tokens.
 *
 * art_lex.c cuts a sentence into tokens (words, numbers, single punctuation
 * marks, with their offsets; a number keeps its digit count and whether an
 * ordinal suffix follows; a word its keyword id from the keyword table).
 * The expression finder here walks the tokens and tries, at each, the
 * patterns of English news text, longest first:
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
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "article.h"

/* ---- matching ---- */

typedef struct scan {
	const art_tok *t;
	size_t n;
	const char *text;
} scan;

static int kw(const scan *c, size_t i, uint16_t id)
{
	return i < c->n && c->t[i].kw == id;
}

static int punct(const scan *c, size_t i, char ch)
{
	return i < c->n && c->t[i].type == ART_T_PUNCT && c->t[i].punct == ch;
}

static int adj(const scan *c, size_t i)
{
	return i + 1 < c->n && c->t[i].e == c->t[i + 1].b;
}

/* tok[i] is a number of 1..maxdigits digits without an ordinal suffix
 * (ord 0), with one (1), or either (2). */
static int num(const scan *c, size_t i, unsigned mind, unsigned maxd, int ord)
{
	if (i >= c->n || c->t[i].type != ART_T_NUM)
		return 0;
	const art_tok *k = &c->t[i];
	if (k->digits < mind || k->digits > maxd)
		return 0;
	return ord == 2 || k->ord == ord;
}

static int word_is(const scan *c, size_t i, const char *w)
{
	if (i >= c->n || c->t[i].type != ART_T_WORD)
		return 0;
	size_t n = c->t[i].e - c->t[i].b;
	return n == strlen(w) && strncasecmp(c->text + c->t[i].b, w, n) == 0;
}

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
static int32_t month_at(const scan *c, size_t i, size_t *after)
{
	if (i >= c->n || !c->t[i].upper)
		return 0;
	if (c->t[i].kw == ART_K_MONTH) {
		*after = i + 1;
		return c->t[i].num;
	}
	if (c->t[i].kw == ART_K_MONTH_ABBR) {
		if (punct(c, i + 1, '.') && adj(c, i)) {
			*after = i + 2;
			return c->t[i].num;
		}
		if (num(c, i + 1, 1, 4, 2)) {
			*after = i + 1;
			return c->t[i].num;
		}
	}
	return 0;
}

/* A capitalised weekday at i (abbreviations need '.' or ','). */
static int32_t weekday_at(const scan *c, size_t i, size_t *after)
{
	if (i >= c->n || !c->t[i].upper)
		return -1;
	if (c->t[i].kw == ART_K_WEEKDAY) {
		*after = i + 1;
		return c->t[i].num;
	}
	if (c->t[i].kw == ART_K_WEEKDAY_ABBR && adj(c, i) &&
	    (punct(c, i + 1, '.') || punct(c, i + 1, ','))) {
		*after = i + 1 + punct(c, i + 1, '.');
		return c->t[i].num;
	}
	return -1;
}

static void set_date(art_mention *m, int32_t y, int32_t mo, int32_t d)
{
	memset(m, 0, sizeof *m);
	m->kind = ART_M_DATE;
	m->y = y;
	m->m = mo;
	m->d = d;
}

/* A number that is part of a larger one ("1,000", "3.5") or of a code. */
static int glued_after(const scan *c, size_t j)
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

static int glued_before(const scan *c, size_t i)
{
	if (i == 0 || c->t[i - 1].e != c->t[i].b)
		return 0;
	const art_tok *k = &c->t[i - 1];
	if (k->type == ART_T_NUM || k->type == ART_T_WORD)
		return 1;
	return k->type == ART_T_PUNCT && k->punct != '(' && k->punct != '"' &&
	       k->punct != '\'' && k->punct != '[';
}

/* A season's name at i (spring, summer, autumn, fall, winter). */
static int season_at(const scan *c, size_t i)
{
	return i < c->n && c->t[i].kw == ART_K_YEARPREP &&
	       (word_is(c, i, "spring") || word_is(c, i, "summer") ||
	        word_is(c, i, "autumn") || word_is(c, i, "fall") ||
	        word_is(c, i, "winter"));
}

/* Words after which a month or year alone is a date. */
static int date_context(const scan *c, size_t i)
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
	return punct(c, i - 1, '-') && i >= 2 && c->t[i - 2].kw == ART_K_MID;
}

/* Month-name patterns at i; returns the end or 0. */
static size_t match_month(const scan *c, size_t i, art_expr *x, int in_range)
{
	size_t k;
	int32_t mo = month_at(c, i, &k);
	if (!mo)
		return 0;
	/* Month Day[-Day][,] [Year] */
	int ranged_day = (punct(c, k + 1, '-') || kw(c, k + 2, ART_K_TO)) &&
	                 num(c, k + 2, 1, 2, 2);
	if (num(c, k, 1, 2, 2) && day_ok(c->t[k].num) &&
	    (ranged_day || !glued_after(c, k + 1)) && !punct(c, k + 1, ':')) {
		int32_t d = c->t[k].num, d2 = 0, y = 0;
		size_t j = k + 1;
		if ((punct(c, j, '-') || kw(c, j, ART_K_TO)) &&
		    num(c, j + 1, 1, 2, 2) && day_ok(c->t[j + 1].num) &&
		    c->t[j + 1].num > d && !glued_after(c, j + 2)) {
			d2 = c->t[j + 1].num;
			j += 2;
		}
		size_t yj = punct(c, j, ',') ? j + 1 : j;
		if (num(c, yj, 4, 4, 0) && year_ok(c->t[yj].num) &&
		    !glued_after(c, yj + 1)) {
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
	size_t yj = punct(c, k, ',') || kw(c, k, ART_K_OF) ? k + 1 : k;
	if (num(c, yj, 4, 4, 0) && year_ok(c->t[yj].num) &&
	    !glued_after(c, yj + 1)) {
		set_date(&x->a, c->t[yj].num, mo, 0);
		x->form = "month-year";
		return yj + 1;
	}
	/* Month alone, where the words around make it one */
	int ranged = (punct(c, k, '-') || kw(c, k, ART_K_TO)) &&
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

/* Patterns that start with a number at i. */
static size_t match_number(const scan *c, size_t i, art_expr *x, int in_range)
{
	const art_tok *t = &c->t[i];
	int mid = i >= 2 && punct(c, i - 1, '-') && c->t[i - 2].kw == ART_K_MID;
	if (t->type != ART_T_NUM || (glued_before(c, i) && !mid))
		return 0;
	int32_t v = t->num;
	/* ISO 2022-09-15, 2022-09 */
	if (num(c, i, 4, 4, 0) && punct(c, i + 1, '-') && adj(c, i) &&
	    adj(c, i + 1) && num(c, i + 2, 2, 2, 0)) {
		int32_t mo = c->t[i + 2].num;
		if (punct(c, i + 3, '-') && adj(c, i + 2) && adj(c, i + 3) &&
		    num(c, i + 4, 2, 2, 0)) {
			int32_t d = c->t[i + 4].num;
			/* a time may follow: 2022-09-15T10:00Z */
			int timed = i + 6 < c->n && adj(c, i + 4) &&
			            (word_is(c, i + 5, "T") ||
			             (i + 5 < c->n &&
			              c->t[i + 5].type == ART_T_WORD &&
			              (c->text[c->t[i + 5].b] == 'T')));
			if (mo < 1 || mo > 12 || d < 1 ||
			    d > art_month_days(v, mo) ||
			    (glued_after(c, i + 5) && !timed))
				return 0;
			set_date(&x->a, v, mo, d);
			x->form = "iso-date";
			return i + 5;
		}
		if (c->text[c->t[i + 2].b] == '0' && mo >= 1 &&
		    !glued_after(c, i + 3)) {
			set_date(&x->a, v, mo, 0);
			x->form = "iso-month";
			return i + 3;
		}
	}
	/* numeric dates: 9/15/2022 (US), 15.09.2022 (day first) */
	if (num(c, i, 1, 2, 0) && i + 4 < c->n && adj(c, i) && adj(c, i + 1) &&
	    adj(c, i + 2) && adj(c, i + 3) &&
	    ((punct(c, i + 1, '/') && punct(c, i + 3, '/')) ||
	     (punct(c, i + 1, '.') && punct(c, i + 3, '.'))) &&
	    num(c, i + 2, 1, 2, 0) && (num(c, i + 4, 4, 4, 0)) &&
	    !glued_after(c, i + 5)) {
		int32_t a = v, b = c->t[i + 2].num, y = c->t[i + 4].num;
		int32_t mo, d;
		if (punct(c, i + 1, '.')) {
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
	if (num(c, i, 4, 4, 0) && year_ok(v) && punct(c, i + 1, '-') &&
	    num(c, i + 2, 4, 4, 0) && c->t[i + 2].num > v &&
	    c->t[i + 2].num - v <= 200 && !glued_after(c, i + 3)) {
		set_date(&x->a, v, 0, 0);
		set_date(&x->b, c->t[i + 2].num, 0, 0);
		x->is_range = 1;
		x->form = "year-range";
		return i + 3;
	}
	/* the 1990s */
	if (num(c, i, 4, 4, 0) && year_ok(v) && v % 10 == 0 && adj(c, i) &&
	    word_is(c, i + 1, "s")) {
		memset(&x->a, 0, sizeof x->a);
		x->a.kind = ART_M_DECADE;
		x->a.y = v;
		x->form = "decade";
		return i + 2;
	}
	/* 15 September [2022], the 15th of September */
	if (num(c, i, 1, 2, 2) && day_ok(v)) {
		size_t k = i + 1, after;
		int32_t d2 = 0;
		if ((punct(c, k, '-') || kw(c, k, ART_K_TO)) &&
		    num(c, k + 1, 1, 2, 2) && c->t[k + 1].num > v &&
		    day_ok(c->t[k + 1].num)) {
			d2 = c->t[k + 1].num;
			k += 2;
		}
		if (kw(c, k, ART_K_OF))
			k++;
		int32_t mo = month_at(c, k, &after);
		if (mo) {
			int32_t y = 0;
			size_t j = after;
			size_t yj = punct(c, j, ',') ? j + 1 : j;
			if (num(c, yj, 4, 4, 0) && year_ok(c->t[yj].num) &&
			    !glued_after(c, yj + 1)) {
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
	if (num(c, i, 4, 4, 0) && year_ok(v) && !glued_after(c, i + 1) &&
	    (season_at(c, i - (i > 0)) ||
	     (i >= 2 && kw(c, i - 1, ART_K_OF) && season_at(c, i - 2)))) {
		memset(&x->a, 0, sizeof x->a);
		x->form = "season";
		return i + 1;
	}
	/* a year: 4 digits, where the words make it one */
	if (num(c, i, 4, 4, 0) && year_ok(v) && !glued_after(c, i + 1) &&
	    !(i > 0 && (c->t[i - 1].type == ART_T_NUM ||
	                c->t[i - 1].kw == ART_K_NUMWORD))) {
		int ctx = date_context(c, i) || in_range ||
		          (i > 0 && (c->t[i - 1].kw == ART_K_THE ||
		                     punct(c, i - 1, '(')));
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

/* The '90s */
static size_t match_quote_decade(const scan *c, size_t i, art_expr *x)
{
	if (!punct(c, i, '\'') || !adj(c, i) || !num(c, i + 1, 2, 2, 0) ||
	    c->t[i + 1].num % 10 != 0 || !adj(c, i + 1) ||
	    !word_is(c, i + 2, "s"))
		return 0;
	int32_t v = c->t[i + 1].num;
	memset(&x->a, 0, sizeof x->a);
	x->a.kind = ART_M_DECADE;
	x->a.y = v >= 30 ? 1900 + v : 2000 + v;
	x->form = "decade";
	return i + 3;
}

static size_t skip_partday(const scan *c, size_t j)
{
	return kw(c, j, ART_K_PARTDAY) ? j + 1 : j;
}

static int is_plural(const scan *c, size_t i)
{
	return c->text[c->t[i].e - 1] == 's' || c->text[c->t[i].e - 1] == 'S';
}

/* ---- events and times of day ---- */

/* The event named by the noun phrase at j ("the war", "Russia's
 * invasion", "the full-scale invasion of Ukraine", "the start of the
 * war"): its group, *point whether it names a moment (or the start of a
 * stretch: "the start of the war"), *end the token after the noun. */
static int32_t event_phrase(const scan *c, size_t j, int32_t *point,
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
		    (word_is(c, k, "start") || word_is(c, k, "beginning")) &&
		    kw(c, k + 1, ART_K_OF)) {
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

/* "the first five months of the war", "the first year of the
 * pandemic", "the first 100 days of the invasion", at i ("first"). */
static size_t match_first(const scan *c, size_t i, art_expr *x, size_t *begin)
{
	if (i == 0 || c->t[i - 1].kw != ART_K_THE)
		return 0;
	size_t j = i + 1;
	int32_t n = 1;
	if (kw(c, j, ART_K_NUMWORD) && !word_is(c, j, "a") &&
	    !word_is(c, j, "an")) {
		n = c->t[j].num;
		j++;
	} else if (num(c, j, 1, 4, 0)) {
		n = c->t[j].num;
		j++;
	}
	if (!kw(c, j, ART_K_UNIT) || n <= 0 || (n == 1) != !is_plural(c, j))
		return 0;
	int32_t unit = c->t[j].num, point;
	size_t end;
	if (unit == ART_U_DECADE || !kw(c, j + 1, ART_K_OF))
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

/* The zone the word at i names after a time (art_zone_abbrev), or NULL. */
static const char *zone_at(const scan *c, size_t i)
{
	if (i >= c->n || c->t[i].type != ART_T_WORD)
		return NULL;
	return art_zone_abbrev(c->text + c->t[i].b, c->t[i].e - c->t[i].b);
}

/* a.m., am, p.m., pm at i: 1 am, 2 pm, 0 none; *end past it. */
static int meridiem_at(const scan *c, size_t i, size_t *end)
{
	if (word_is(c, i, "am") || word_is(c, i, "pm")) {
		*end = i + 1;
		return (c->text[c->t[i].b] | 0x20) == 'a' ? 1 : 2;
	}
	if ((word_is(c, i, "a") || word_is(c, i, "p")) && adj(c, i) &&
	    punct(c, i + 1, '.') && adj(c, i + 1) && word_is(c, i + 2, "m")) {
		*end = i + 3;
		if (adj(c, i + 2) && punct(c, i + 3, '.'))
			*end = i + 4;
		return (c->text[c->t[i].b] | 0x20) == 'a' ? 1 : 2;
	}
	return 0;
}

/* A time of day at i: "10 a.m.", "3:30 p.m.", "10am", "10:00 GMT",
 * "noon", each with an optional zone or "local time".  Returns the end or
 * 0; sets x's time. */
static size_t match_time(const scan *c, size_t i, art_expr *x)
{
	int32_t h, mi = 0;
	int clock24 = 0;
	size_t j;
	if (word_is(c, i, "noon") || word_is(c, i, "midday")) {
		h = 12;
		j = i + 1;
	} else if (num(c, i, 1, 2, 0)) {
		h = c->t[i].num;
		j = i + 1;
		int colon = 0;
		if (adj(c, i) && punct(c, i + 1, ':') && adj(c, i + 1) &&
		    num(c, i + 2, 2, 2, 0)) {
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
		if (glued_after(c, j))
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
		if (punct(c, j, '+') || (punct(c, j, '-') && adj(c, j - 1)))
			return 0;
	} else if (word_is(c, j, "local") && word_is(c, j + 1, "time")) {
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
static void attach_time(const scan *c, art_expr *x, size_t *b, size_t *e)
{
	if (x->is_range)
		return;
	const art_mention *a = &x->a;
	if (!(a->kind == ART_M_WEEKDAY || a->kind == ART_M_DAYREL ||
	      (a->kind == ART_M_DATE && a->m && a->d)))
		return;
	size_t j = *e;
	if (punct(c, j, ','))
		j++;
	if (word_is(c, j, "at"))
		j++;
	size_t te = match_time(c, j, x);
	if (te) {
		*e = te;
		return;
	}
	/* before: at TIME [on] DAY */
	size_t lo = *b >= 14 ? *b - 14 : 0;
	for (size_t k = lo; k < *b; k++) {
		if (!word_is(c, k, "at"))
			continue;
		te = match_time(c, k + 1, x);
		if (te && (te == *b || (te + 1 == *b && punct(c, te, ',')))) {
			*b = k;
			return;
		}
		x->has_time = 0;
	}
}

/* Weekday patterns; a weekday before a full date is part of it. */
static size_t match_weekday(const scan *c, size_t i, art_expr *x, int in_range)
{
	size_t k;
	int32_t wd = weekday_at(c, i, &k);
	if (wd < 0)
		return 0;
	size_t j = punct(c, k, ',') ? k + 1 : k;
	size_t e = match_month(c, j, x, 0);
	if (!e && j < c->n && c->t[j].type == ART_T_NUM)
		e = match_number(c, j, x, 0);
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

static size_t match_today(const scan *c, size_t i, art_expr *x)
{
	memset(&x->a, 0, sizeof x->a);
	x->a.kind = ART_M_DAYREL;
	if (kw(c, i, ART_K_TODAY)) {
		x->a.n = c->t[i].num;
		x->form = x->a.n < 0 ? "yesterday"
		          : x->a.n   ? "tomorrow"
		                     : "today";
		return skip_partday(c, i + 1);
	}
	/* this morning, last night */
	if (kw(c, i, ART_K_THIS) && kw(c, i + 1, ART_K_PARTDAY)) {
		x->form = "today";
		return i + 2;
	}
	if (kw(c, i, ART_K_LAST) && word_is(c, i + 1, "night")) {
		x->a.n = -1;
		x->form = "last-night";
		return i + 2;
	}
	return 0;
}

/* this/last/next week|month|year and friends, at i (the determiner). */
static size_t match_unitrel(const scan *c, size_t i, art_expr *x, size_t *begin)
{
	uint16_t d = c->t[i].kw;
	if (d != ART_K_THIS && d != ART_K_LAST && d != ART_K_NEXT &&
	    d != ART_K_PAST && d != ART_K_COMING && d != ART_K_PREVIOUS)
		return 0;
	if (!kw(c, i + 1, ART_K_UNIT) || is_plural(c, i + 1))
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

/* N units ago / in N units / N units from now / N units earlier|later /
 * the past N units, at i (the count). */
static size_t match_count(const scan *c, size_t i, art_expr *x, size_t *begin)
{
	int32_t n;
	if (kw(c, i, ART_K_NUMWORD))
		n = c->t[i].num;
	else if (num(c, i, 1, 3, 0) && !glued_before(c, i))
		n = c->t[i].num;
	else
		return 0;
	if (!kw(c, i + 1, ART_K_UNIT) || n <= 0)
		return 0;
	int32_t unit = c->t[i + 1].num;
	size_t j = i + 2;
	memset(&x->a, 0, sizeof x->a);
	x->a.unit = unit;
	*begin = i;
	if (kw(c, j, ART_K_AGO)) {
		x->a.kind = ART_M_AGO;
		x->a.n = -n;
		x->form = "units-ago";
		return j + 1;
	}
	if (kw(c, j, ART_K_FROM) && kw(c, j + 1, ART_K_NOW)) {
		x->a.kind = ART_M_AGO;
		x->a.n = n;
		x->form = "units-from-now";
		return j + 2;
	}
	if (kw(c, j, ART_K_INTO) || word_is(c, j, "after") ||
	    word_is(c, j, "before")) {
		int32_t point, g;
		size_t end;
		if ((g = event_phrase(c, j + 1, &point, &end)) &&
		    (point || kw(c, j, ART_K_INTO))) {
			x->a.kind = ART_M_EVENT;
			x->a.rel = g;
			x->a.n = n;
			x->a.sub = kw(c, j, ART_K_INTO)     ? ART_EV_INTO
			           : word_is(c, j, "after") ? ART_EV_AFTER
			                                    : ART_EV_BEFORE;
			x->form = x->a.sub == ART_EV_INTO    ? "units-into"
			          : x->a.sub == ART_EV_AFTER ? "units-after"
			                                     : "units-before";
			return end;
		}
		return 0;
	}
	if (kw(c, j, ART_K_EARLIER) || kw(c, j, ART_K_LATER)) {
		x->a.kind = ART_M_ANCHORED;
		x->a.n = kw(c, j, ART_K_EARLIER) ? -n : n;
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

/* One mention at i: its end (0 for none), *begin its first token. */
static size_t match_one(const scan *c, size_t i, art_expr *x, size_t *begin,
                        int in_range)
{
	size_t e;
	memset(x, 0, sizeof *x);
	*begin = i;
	const art_tok *t = &c->t[i];
	if (t->type == ART_T_NUM) {
		if ((e = match_number(c, i, x, in_range)))
			return e;
		return match_count(c, i, x, begin);
	}
	if (t->type == ART_T_PUNCT)
		return t->punct == '\'' ? match_quote_decade(c, i, x) : 0;
	switch (t->kw) {
	case ART_K_MONTH:
	case ART_K_MONTH_ABBR:
		return match_month(c, i, x, in_range);
	case ART_K_WEEKDAY:
	case ART_K_WEEKDAY_ABBR:
		return match_weekday(c, i, x, in_range);
	case ART_K_TODAY:
		return match_today(c, i, x);
	case ART_K_THIS:
	case ART_K_LAST:
		if ((e = match_today(c, i, x)))
			return e;
		return match_unitrel(c, i, x, begin);
	case ART_K_NEXT:
	case ART_K_PAST:
	case ART_K_COMING:
	case ART_K_PREVIOUS:
		return match_unitrel(c, i, x, begin);
	case ART_K_NUMWORD:
		return match_count(c, i, x, begin);
	case ART_K_FIRST:
		return match_first(c, i, x, begin);
	default:
		return 0;
	}
}

/* Widens [*b, ...) over the modifiers before a date: early, mid-, late,
 * the end of, and a leading in/on. */
static size_t widen(const scan *c, size_t b, const art_expr *x)
{
	if (x->a.kind == ART_M_DATE || x->a.kind == ART_M_DECADE) {
		if (b >= 2 && punct(c, b - 1, '-') &&
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
	scan c = {s->tok, s->ntok, text};
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
		    (kw(&c, e, ART_K_TO) || punct(&c, e, '-') ||
		     (between && kw(&c, e, ART_K_AND))) &&
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
