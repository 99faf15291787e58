/*
 * art_resolve.c -- the tense of a date expression's clause, and the
 * expression resolved to an EDTF value against the document's date.
 *
 * Tense: the verb marker nearest the expression in its sentence wins
 * ("will", "'ll", "is expected to", "scheduled" for the future; "met",
 * "was", words in -ed for the past; "is", "are", "has" for the present),
 * distance counted in tokens, each clause boundary crossed (a comma, a
 * quote, "that", "which", ...) counting as five.
 *
 * Resolution keeps the precision of the words: "last month" is a month,
 * "last week" the Monday..Sunday interval, "in 2001" a year.  Where the
 * words leave the year or the week open, the tense decides: in an article
 * of Thursday 15 September 2022, "met in February" is 2022-02, "will meet in
 * February" 2023-02, "will meet on Thursday" 2022-09-15, "met on Monday"
 * 2022-09-12; without a tense a month or day is this year's and a weekday
 * the nearest (the earlier on a tie).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "article.h"

/* ---- tense ---- */

static int tok_is(const art_scanner *s, const char *text, size_t k,
                  const char *w)
{
	if (k >= s->ntok || s->tok[k].type != ART_T_WORD)
		return 0;
	size_t n = s->tok[k].e - s->tok[k].b;
	return n == strlen(w) && strncasecmp(text + s->tok[k].b, w, n) == 0;
}

static int boundary(const art_scanner *s, const char *text, size_t k)
{
	const art_tok *t = &s->tok[k];
	if (t->type == ART_T_PUNCT)
		return t->punct == ',' || t->punct == ';' || t->punct == ':' ||
		       t->punct == '"' || t->punct == '(' || t->punct == ')' ||
		       t->punct == '-';
	return tok_is(s, text, k, "that") || tok_is(s, text, k, "which") ||
	       tok_is(s, text, k, "who") || tok_is(s, text, k, "when") ||
	       tok_is(s, text, k, "while") || tok_is(s, text, k, "but") ||
	       tok_is(s, text, k, "after") || tok_is(s, text, k, "before") ||
	       tok_is(s, text, k, "since") || tok_is(s, text, k, "because");
}

/* The tense marker at token k: ART_PAST, ART_PRESENT, ART_FUTURE, or 2
 * for none. */
static int marker(const art_scanner *s, const char *text, size_t k)
{
	const art_tok *t = &s->tok[k];
	if (t->type != ART_T_WORD)
		return 2;
	uint16_t prev = k > 0 ? s->tok[k - 1].kw : 0;
	switch (t->kw) {
	case ART_K_TENSE_FUT:
		return ART_FUTURE;
	case ART_K_GOING:
		if (tok_is(s, text, k, "scheduled"))
			return ART_FUTURE;
		if (k + 1 < s->ntok && tok_is(s, text, k + 1, "to"))
			return ART_FUTURE;
		return 2;
	case ART_K_TENSE_PAST:
		/* passives: "will be held" takes its tense from before */
		if (tok_is(s, text, k - (k > 0), "be") ||
		    tok_is(s, text, k - (k > 0), "being"))
			return k > 0 ? 2 : ART_PAST;
		/* won't */
		if (tok_is(s, text, k, "won") && k + 2 < s->ntok &&
		    s->tok[k + 1].punct == '\'' && tok_is(s, text, k + 2, "t"))
			return ART_FUTURE;
		return ART_PAST;
	case ART_K_TENSE_PRES:
		return ART_PRESENT;
	case ART_K_NONE:
		break;
	default:
		return 2;
	}
	size_t n = t->e - t->b;
	const char *w = text + t->b;
	if (n >= 4 && w[n - 2] == 'e' && w[n - 1] == 'd' &&
	    (!t->upper || k == 0) && !(n >= 3 && w[n - 3] == 'e')) {
		if (k > 0 && (tok_is(s, text, k - 1, "be") ||
		              tok_is(s, text, k - 1, "being")))
			return 2;
		if (k > 0 && (tok_is(s, text, k - 1, "is") ||
		              tok_is(s, text, k - 1, "are") ||
		              tok_is(s, text, k - 1, "am")))
			return ART_PRESENT;
		if (prev == ART_K_THE)
			return 2; /* an adjective */
		return ART_PAST;
	}
	if (n >= 6 && strncasecmp(w + n - 6, "agreed", 6) == 0)
		return ART_PAST;
	return 2;
}

int32_t art_tense(const art_scanner *s, const char *text, const art_expr *x)
{
	size_t xb = 0, xe;
	while (xb < s->ntok && s->tok[xb].b < x->begin)
		xb++;
	xe = xb;
	while (xe < s->ntok && s->tok[xe].b < x->end)
		xe++;
	int best = 2;
	size_t best_d = (size_t)-1;
	size_t d = 0;
	for (size_t k = xb; k-- > 0;) {
		d += boundary(s, text, k) ? 5 : 1;
		int m = marker(s, text, k);
		if (m != 2) {
			best = m;
			best_d = d;
			break;
		}
	}
	d = 0;
	for (size_t k = xe; k < s->ntok; k++) {
		d += boundary(s, text, k) ? 5 : 1;
		if (d >= best_d)
			break;
		int m = marker(s, text, k);
		if (m != 2) {
			best = m;
			break;
		}
	}
	return best == 2 ? ART_PRESENT : best;
}

/* ---- resolution ---- */

void art_ctx_init(art_ctx *c, art_point doc)
{
	memset(c, 0, sizeof *c);
	c->doc = doc;
	c->doc_days = art_days(doc.y, doc.m, doc.d);
}

static const char *tense_name(int32_t tense)
{
	return tense == ART_PAST     ? "past-tense"
	       : tense == ART_FUTURE ? "future-tense"
	                             : "no-tense";
}

static void day_value(art_value *v, int64_t days)
{
	memset(v, 0, sizeof *v);
	v->start = art_day_point(days);
}

static void days_value(art_value *v, int64_t from, int64_t to)
{
	memset(v, 0, sizeof *v);
	v->start = art_day_point(from);
	if (to != from) {
		v->end = art_day_point(to);
		v->has_end = 1;
	}
}

/* The week (Monday..Sunday) holding day `days`. */
static void week_value(art_value *v, int64_t days)
{
	int64_t mon = days - art_weekday(days);
	days_value(v, mon, mon + 6);
}

/* Day `days` moved by n months, the day clamped to the month's end. */
static int64_t add_months(int64_t days, int32_t n)
{
	int32_t y, m, d;
	art_civil(days, &y, &m, &d);
	art_point p = art_month_point(y, m + n);
	int32_t ml = art_month_days(p.y, p.m);
	return art_days(p.y, p.m, d > ml ? ml : d);
}

/* A month with no year, placed by the relation or the tense. */
static int32_t month_year(const art_ctx *c, int32_t m, int32_t rel,
                          int32_t tense, const char **why)
{
	int32_t y = c->doc.y;
	if (rel == -1) {
		*why = "relation";
		return m < c->doc.m ? y : y - 1;
	}
	if (rel == 1) {
		*why = "relation";
		return m > c->doc.m ? y : y + 1;
	}
	if (rel == 2) {
		*why = "relation";
		return y;
	}
	*why = tense_name(tense);
	if (tense == ART_PAST)
		return m <= c->doc.m ? y : y - 1;
	if (tense == ART_FUTURE)
		return m >= c->doc.m ? y : y + 1;
	return y;
}

/* A month and day with no year. */
static int32_t monthday_year(const art_ctx *c, int32_t m, int32_t d,
                             int32_t tense, const char **why)
{
	int32_t y = c->doc.y;
	*why = tense_name(tense);
	int64_t here = art_days(y, m, d);
	if (tense == ART_PAST)
		return here <= c->doc_days ? y : y - 1;
	if (tense == ART_FUTURE)
		return here >= c->doc_days ? y : y + 1;
	/* no tense: the nearest of last, this and next year's */
	int64_t best = -1;
	int32_t by = y;
	for (int32_t k = -1; k <= 1; k++) {
		if (d > art_month_days(y + k, m))
			continue;
		int64_t dd = art_days(y + k, m, d) - c->doc_days;
		if (dd < 0)
			dd = -dd;
		if (best < 0 || dd < best) {
			best = dd;
			by = y + k;
		}
	}
	return by;
}

static int resolve_date(const art_ctx *c, const art_mention *m, int32_t tense,
                        art_value *v, const char **why)
{
	memset(v, 0, sizeof *v);
	int32_t y = m->y;
	*why = NULL;
	if (m->m < 0 || m->m > 12 || m->d < 0 || m->d > 31)
		return 0;
	if (!y && m->m && m->d)
		y = monthday_year(c, m->m, m->d, tense, why);
	else if (!y && m->m)
		y = month_year(c, m->m, m->rel, tense, why);
	if (y < 1 || y > 9999)
		return 0;
	if (m->m && m->d) {
		if (m->d > art_month_days(y, m->m))
			return 0;
		v->start = (art_point){y, m->m, m->d, ART_P_DAY};
	} else if (m->m) {
		v->start = art_month_point(y, m->m);
	} else {
		v->start = art_year_point(y);
	}
	return 1;
}

static int resolve_weekday(const art_ctx *c, const art_mention *m,
                           int32_t tense, art_value *v, const char **why)
{
	int32_t w = art_weekday(c->doc_days);
	int64_t back = (w - m->wd + 7) % 7, fwd = (m->wd - w + 7) % 7;
	int64_t day;
	*why = "relation";
	if (m->rel == -1)
		day = c->doc_days - (back ? back : 7);
	else if (m->rel == 1)
		day = c->doc_days + (fwd ? fwd : 7);
	else if (m->rel == 2)
		day = c->doc_days - w + m->wd;
	else {
		*why = tense_name(tense);
		if (tense == ART_PAST)
			day = c->doc_days - back;
		else if (tense == ART_FUTURE)
			day = c->doc_days + fwd;
		else
			day = back <= fwd ? c->doc_days - back
			                  : c->doc_days + fwd;
	}
	day_value(v, day);
	return 1;
}

static int resolve_unitrel(const art_ctx *c, const art_mention *m, art_value *v)
{
	memset(v, 0, sizeof *v);
	int64_t doc = c->doc_days;
	switch (m->unit) {
	case ART_U_WEEK: {
		int64_t mon = doc - art_weekday(doc);
		if (m->sub < 0 && doc > mon)
			days_value(v, mon, doc - 1);
		else if (m->sub > 0 && doc < mon + 6)
			days_value(v, doc + 1, mon + 6);
		else
			week_value(v, doc + 7 * m->rel);
		return 1;
	}
	case ART_U_MONTH:
		v->start = art_month_point(c->doc.y, c->doc.m + m->rel);
		return 1;
	case ART_U_YEAR:
		v->start = art_year_point(c->doc.y + m->rel);
		return 1;
	default:
		return 0;
	}
}

/* n units from day `from`, at the unit's precision. */
static int shift_value(int64_t from, int32_t unit, int32_t n, art_value *v)
{
	memset(v, 0, sizeof *v);
	int32_t y, m, d;
	art_civil(from, &y, &m, &d);
	switch (unit) {
	case ART_U_DAY:
		day_value(v, from + n);
		return 1;
	case ART_U_WEEK:
		week_value(v, from + 7 * (int64_t)n);
		return 1;
	case ART_U_MONTH:
		v->start = art_month_point(y, m + n);
		return 1;
	case ART_U_YEAR:
		v->start = art_year_point(y + n);
		return 1;
	default:
		return 0;
	}
}

/* The anchor moved by n units, no finer than the anchor. */
static int shift_anchor(const art_point *a, int32_t unit, int32_t n,
                        art_value *v)
{
	memset(v, 0, sizeof *v);
	if (a->prec == ART_P_DAY) {
		int64_t days = art_days(a->y, a->m, a->d);
		if (unit == ART_U_DAY || unit == ART_U_WEEK)
			day_value(v, days + (unit == ART_U_WEEK ? 7 : 1) *
			                             (int64_t)n);
		else if (unit == ART_U_MONTH)
			day_value(v, add_months(days, n));
		else if (unit == ART_U_YEAR)
			day_value(v, add_months(days, 12 * n));
		else
			return 0;
		return 1;
	}
	if (a->prec == ART_P_MONTH) {
		if (unit == ART_U_MONTH)
			v->start = art_month_point(a->y, a->m + n);
		else if (unit == ART_U_YEAR)
			v->start = art_month_point(a->y + n, a->m);
		else
			return 0;
		return 1;
	}
	if (a->prec == ART_P_YEAR && unit == ART_U_YEAR) {
		v->start = art_year_point(a->y + n);
		return 1;
	}
	return 0;
}

/* The first n units from anchor a: an interval from a at a's precision,
 * or 0 when a is coarser than the unit (the first two weeks of a war
 * known to a month). */
static int first_units(const art_point *a, int32_t unit, int32_t n,
                       art_value *v)
{
	memset(v, 0, sizeof *v);
	if (a->prec == ART_P_DAY) {
		int64_t from = art_days(a->y, a->m, a->d), to;
		switch (unit) {
		case ART_U_DAY:
			to = from + n - 1;
			break;
		case ART_U_WEEK:
			to = from + 7 * (int64_t)n - 1;
			break;
		case ART_U_MONTH:
			to = add_months(from, n) - 1;
			break;
		case ART_U_YEAR:
			to = add_months(from, 12 * n) - 1;
			break;
		default:
			return 0;
		}
		days_value(v, from, to);
		return 1;
	}
	int32_t months = unit == ART_U_MONTH  ? n
	                 : unit == ART_U_YEAR ? 12 * n
	                                      : 0;
	if (a->prec == ART_P_MONTH && months > 0) {
		v->start = art_month_point(a->y, a->m);
		if (months > 1) {
			v->end = art_month_point(a->y, a->m + months - 1);
			v->has_end = 1;
		}
		return 1;
	}
	if (a->prec == ART_P_YEAR && unit == ART_U_YEAR) {
		v->start = art_year_point(a->y);
		if (n > 1) {
			v->end = art_year_point(a->y + n - 1);
			v->has_end = 1;
		}
		return 1;
	}
	return 0;
}

static int resolve_event(const art_ctx *c, const art_mention *m, art_value *v)
{
	if (m->rel <= 0 || m->rel >= ART_EVENT_GROUPS ||
	    c->anchor[m->rel].prec == ART_P_NONE)
		return 0; /* the event's date is not known: never guessed */
	const art_point *a = &c->anchor[m->rel];
	switch (m->sub) {
	case ART_EV_FIRST:
		return first_units(a, m->unit, m->n, v);
	case ART_EV_INTO:
	case ART_EV_AFTER:
		return shift_anchor(a, m->unit, m->n, v);
	case ART_EV_BEFORE:
		return shift_anchor(a, m->unit, -m->n, v);
	default:
		return 0;
	}
}

static int resolve_one(const art_ctx *c, const art_mention *m, int32_t tense,
                       art_value *v, const char **why)
{
	*why = NULL;
	memset(v, 0, sizeof *v);
	switch (m->kind) {
	case ART_M_DATE:
		return resolve_date(c, m, tense, v, why);
	case ART_M_WEEKDAY:
		return resolve_weekday(c, m, tense, v, why);
	case ART_M_DAYREL:
		day_value(v, c->doc_days + m->n);
		return 1;
	case ART_M_UNITREL:
		return resolve_unitrel(c, m, v);
	case ART_M_AGO:
		if (m->n > 0 && tense == ART_PAST)
			return 0; /* "did it in three days": a duration */
		return shift_value(c->doc_days, m->unit, m->n, v);
	case ART_M_PAST: {
		int64_t from;
		int32_t n = m->n;
		switch (m->unit) {
		case ART_U_DAY:
			from = c->doc_days - n;
			break;
		case ART_U_WEEK:
			from = c->doc_days - 7 * (int64_t)n;
			break;
		case ART_U_MONTH:
			from = add_months(c->doc_days, -n);
			break;
		case ART_U_YEAR:
			from = add_months(c->doc_days, -12 * n);
			break;
		case ART_U_DECADE:
			from = add_months(c->doc_days, -120 * n);
			break;
		default:
			return 0;
		}
		days_value(v, from, c->doc_days);
		return 1;
	}
	case ART_M_ANCHORED:
		if (c->has_last) {
			*why = "anchor-previous-date";
			return shift_anchor(&c->last.start, m->unit, m->n, v);
		}
		*why = "anchor-doc-date";
		return shift_value(c->doc_days, m->unit, m->n, v);
	case ART_M_EVENT:
		*why = art_event_name(m->rel);
		return resolve_event(c, m, v);
	case ART_M_DECADE:
		v->start = art_year_point(m->y);
		v->end = art_year_point(m->y + 9);
		v->has_end = 1;
		return 1;
	default:
		return 0;
	}
}

static int point_cmp(const art_point *a, const art_point *b)
{
	if (a->y != b->y)
		return a->y < b->y ? -1 : 1;
	int32_t am = a->m ? a->m : 1, bm = b->m ? b->m : 1;
	if (am != bm)
		return am < bm ? -1 : 1;
	int32_t ad = a->d ? a->d : 1, bd = b->d ? b->d : 1;
	return ad < bd ? -1 : ad > bd;
}

int art_resolve(const art_ctx *c, const art_expr *x, int32_t tense,
                art_value *out, char *rule, size_t rulesize)
{
	const char *why = NULL;
	memset(out, 0, sizeof *out);
	if (!x->is_range) {
		if (!resolve_one(c, &x->a, tense, out, &why))
			return 0;
	} else {
		art_mention a = x->a, b = x->b;
		/* a year said once serves both ends */
		if (a.kind == ART_M_DATE && b.kind == ART_M_DATE) {
			if (!a.y && b.y && a.m)
				a.y = a.m > b.m && b.m ? b.y - 1 : b.y;
			if (a.y && !b.y && b.m)
				b.y = b.m < a.m ? a.y + 1 : a.y;
			if (!a.m && !a.y)
				return 0;
			if (!b.m && b.d && a.m) /* Sept. 5-11 */
				b.m = a.m;
		}
		art_value va, vb;
		const char *wb = NULL;
		if (!resolve_one(c, &a, tense, &va, &why) ||
		    !resolve_one(c, &b, tense, &vb, &wb))
			return 0;
		if (a.kind == ART_M_DATE && b.kind == ART_M_DATE && !x->a.y &&
		    !x->b.y && x->b.m && x->b.m < x->a.m)
			vb.start.y = va.start.y + 1; /* November to February */
		out->start = va.start;
		out->end = vb.has_end ? vb.end : vb.start;
		out->has_end = 1;
		if (point_cmp(&out->end, &out->start) < 0)
			return 0;
		if (!why)
			why = wb;
	}
	if (out->start.y < 1 || out->start.y > 9999 ||
	    (out->has_end && (out->end.y < 1 || out->end.y > 9999)))
		return 0;
	if (x->has_time && !out->has_end && out->start.prec == ART_P_DAY) {
		out->has_time = 1;
		out->hour = x->hour;
		out->minute = x->minute;
		out->zone = x->zone;
	}
	if (x->a.kind == ART_M_EVENT && !x->is_range)
		snprintf(rule, rulesize, "%s+anchor:%s", x->form, why);
	else if (why && x->has_time && out->has_time)
		snprintf(rule, rulesize, "%s+%s+time%s", x->form, why,
		         out->zone[0] ? "-zoned" : "-floating");
	else if (x->has_time && out->has_time)
		snprintf(rule, rulesize, "%s+time%s", x->form,
		         out->zone[0] ? "-zoned" : "-floating");
	else if (why)
		snprintf(rule, rulesize, "%s+%s", x->form, why);
	else
		snprintf(rule, rulesize, "%s", x->form);
	return 1;
}

/* ---- event anchors ---- */

/* Verbs that date an event's start when they stand between its noun and a
 * date ("the war, which began on 24 February"). */
static int start_verb(const art_scanner *s, const char *text, size_t k)
{
	static const char *const verbs[] = {
	        "began",    "begun",     "begin",    "started", "start",
	        "broke",    "erupted",   "launched", "struck",  "hit",
	        "held",     "invaded",   "opened",   "kicked",  "commenced",
	        "starting", "beginning", "took",     "erupt",   "staged"};
	for (size_t v = 0; v < sizeof verbs / sizeof verbs[0]; v++)
		if (tok_is(s, text, k, verbs[v]))
			return 1;
	return 0;
}

/* The event group of token k as a noun, 0 for none. */
static int32_t noun_at(const art_scanner *s, const char *text, size_t k)
{
	int32_t point;
	if (k >= s->ntok || s->tok[k].type != ART_T_WORD)
		return 0;
	/* a capitalised noun inside a sentence names another event: the
	 * Cold War, World War II, the Arab Spring */
	if (s->tok[k].upper && k > 0)
		return 0;
	return art_event_group(text + s->tok[k].b, s->tok[k].e - s->tok[k].b,
	                       &point);
}

int32_t art_anchor_note(art_ctx *c, const art_scanner *s, const char *text,
                        const art_expr *x, const art_value *v)
{
	if (x->is_range || v->has_end || x->a.kind == ART_M_EVENT ||
	    x->a.kind == ART_M_DECADE || v->start.prec == ART_P_NONE)
		return 0;
	size_t xb = 0, xe;
	while (xb < s->ntok && s->tok[xb].b < x->begin)
		xb++;
	xe = xb;
	while (xe < s->ntok && s->tok[xe].b < x->end)
		xe++;
	int32_t g = 0;
	/* the Feb. 24 invasion, the March 2020 outbreak */
	if (xe < s->ntok)
		g = noun_at(s, text, xe);
	/* the invasion on February 24; the war, which began on 24
	 * February; Russia invaded Ukraine on Feb. 24 */
	int verb = 0;
	size_t lo = xb >= 10 ? xb - 10 : 0;
	for (size_t k = xb; !g && k-- > lo;) {
		const art_tok *t = &s->tok[k];
		if (t->type == ART_T_PUNCT &&
		    (t->punct == ';' || t->punct == '(' || t->punct == ')'))
			break;
		if (t->kw == ART_K_MONTH || t->kw == ART_K_TODAY ||
		    t->kw == ART_K_WEEKDAY || t->type == ART_T_NUM)
			break; /* another date is nearer */
		if (tok_is(s, text, k, "invaded")) {
			g = 1;
			break;
		}
		if (start_verb(s, text, k)) {
			verb = 1;
			continue;
		}
		int32_t n = noun_at(s, text, k);
		if (n && (verb || k + 1 == xb))
			g = n;
		if (n)
			break;
	}
	if (!g)
		return 0;
	c->anchor[g] = v->start;
	return g;
}
