/*
 * date_range.c -- the range words of the command line (tldb_range_parse,
 * tldb_range_word), read as khal reads them: EDTF dates and intervals,
 * `A..B`, today / yesterday / tomorrow / now, and offsets from today such as
 * 7d, -3d, 2w, 1m, 1y (days, weeks, calendar months clamped to the month's
 * end, and years; at most 100000 units).  `today` is the civil day of `now`
 * in the caller's zone; like every day-precision date its bounds are the UTC
 * civil day, so `today` and `2022-09-15` select the same span.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "date_internal.h"

#define OFFSET_MAX INT64_C(100000)

/* The value of one word: its bounds and, for an offset, the offset. */
typedef struct word_val {
	int64_t lo, hi;
	int is_offset;
	int64_t n; /* signed count of units */
	char unit; /* 'd', 'w', 'm' or 'y' */
	int explicit_sign;
} word_val;

/* Adds n units to instant t on the UTC calendar (months clamp the day). */
static int64_t add_units(int64_t t, int64_t n, char unit)
{
	int64_t days, sod, y, mi;
	int m, d, dim;

	if (t == TLDB_TIME_MIN || t == TLDB_TIME_MAX)
		return t;
	days = civil_floor_div(t, TLDB_DAY_SECONDS);
	sod = civil_floor_mod(t, TLDB_DAY_SECONDS);
	if (unit == 'd' || unit == 'w') {
		days += unit == 'w' ? 7 * n : n;
	} else {
		tldb_civil_from_days(days, &y, &m, &d);
		mi = y * 12 + (m - 1) + (unit == 'y' ? 12 * n : n);
		y = civil_floor_div(mi, 12);
		m = (int)civil_floor_mod(mi, 12) + 1;
		dim = tldb_days_in_month(y, m);
		days = tldb_days_from_civil(y, m, d > dim ? dim : d);
	}
	return days * TLDB_DAY_SECONDS + sod;
}

/* 1 when `w` has the shape of an offset ([+-]digits unit), filling *v;
 * -1 (error set) when it does but is too large; 0 otherwise. */
static int parse_offset(const char *w, word_val *v, tldb_errbuf *err)
{
	size_t i = 0, nd;
	int64_t n = 0;
	int neg = 0;

	if (w[0] == '+' || w[0] == '-') {
		neg = w[0] == '-';
		i = 1;
	}
	for (nd = 0; w[i + nd] >= '0' && w[i + nd] <= '9'; nd++)
		if (nd < 7)
			n = n * 10 + (w[i + nd] - '0');
	if (nd == 0 || !strchr("dwmy", w[i + nd]) || w[i + nd] == '\0' ||
	    w[i + nd + 1] != '\0')
		return 0;
	if (nd > 6 || n > OFFSET_MAX) {
		tl_errf(err, 1, w, "offset is too large (at most %lld)",
		        (long long)OFFSET_MAX);
		return -1;
	}
	v->is_offset = 1;
	v->explicit_sign = i == 1;
	v->n = neg ? -n : n;
	v->unit = w[i + nd];
	return 1;
}

/* The civil day of `now` in `zone`, as [lo, hi) of that day. */
static int today(int64_t now, const char *zone, word_val *v, tldb_errbuf *err)
{
	int off = 0;
	int rc = tldb_zone_offset(zone, now, &off, NULL);

	if (rc != TLDB_OK) {
		tl_errf_plain(err, 0, "unknown time zone '%s'",
		              zone ? zone : "");
		return rc;
	}
	v->lo = civil_floor_div(now + off, TLDB_DAY_SECONDS) * TLDB_DAY_SECONDS;
	v->hi = v->lo + TLDB_DAY_SECONDS;
	return TLDB_OK;
}

/* 1 when a failed word reads as a misspelt range word, not a date. */
static int looks_like_word(const char *w)
{
	size_t i = (w[0] == '+' || w[0] == '-') ? 1 : 0;
	char c = w[0];

	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return !(c == 'Y' &&
		         ((w[1] >= '0' && w[1] <= '9') || w[1] == '-'));
	while (w[i] >= '0' && w[i] <= '9')
		i++;
	if (i == 0 || w[i] == '\0')
		return 0;
	for (; w[i]; i++)
		if (!((w[i] >= 'a' && w[i] <= 'z') ||
		      (w[i] >= 'A' && w[i] <= 'Z')))
			return 0;
	return 1;
}

/* Evaluates one word (no `..` splitting); an offset is the day it lands on. */
static int eval_word(const char *w, int64_t now, const char *zone, word_val *v,
                     tldb_errbuf *err)
{
	tldb_date d;
	int rc;

	memset(v, 0, sizeof *v);
	if (strcasecmp(w, "now") == 0) {
		v->lo = now;
		v->hi = now == TLDB_TIME_MAX ? now : now + 1;
		return TLDB_OK;
	}
	if (strcasecmp(w, "today") == 0 || strcasecmp(w, "yesterday") == 0 ||
	    strcasecmp(w, "tomorrow") == 0) {
		if ((rc = today(now, zone, v, err)) != TLDB_OK)
			return rc;
		if (strcasecmp(w, "yesterday") == 0)
			v->lo -= TLDB_DAY_SECONDS;
		else if (strcasecmp(w, "tomorrow") == 0)
			v->lo += TLDB_DAY_SECONDS;
		v->hi = v->lo + TLDB_DAY_SECONDS;
		return TLDB_OK;
	}
	rc = parse_offset(w, v, err);
	if (rc < 0)
		return TLDB_EDATE;
	if (rc > 0) {
		word_val t;
		if ((rc = today(now, zone, &t, err)) != TLDB_OK)
			return rc;
		v->lo = add_units(t.lo, v->n, v->unit);
		v->hi = v->lo + TLDB_DAY_SECONDS;
		return TLDB_OK;
	}
	if (looks_like_word(w)) {
		tl_errf_plain(err, 1, "bad range word '%s'", w);
		return TLDB_EDATE;
	}
	rc = tldb_date_parse(w, zone, &d, err);
	if (rc != TLDB_OK)
		return rc;
	v->lo = d.lo;
	v->hi = d.hi;
	return TLDB_OK;
}

/* [A's lo, B's hi), or A's lo plus B's length when B is a positive offset. */
static int combine(const char *what, const word_val *a, const word_val *b,
                   int64_t *lo, int64_t *hi, tldb_errbuf *err)
{
	int64_t h = b->hi;

	if (b->is_offset && b->n > 0)
		h = add_units(a->lo, b->n, b->unit);
	if (h <= a->lo) {
		tl_errf(err, 0, what, "range ends before it starts");
		return TLDB_EDATE;
	}
	*lo = a->lo;
	*hi = h;
	return TLDB_OK;
}

/* Evaluates one side of a split word ("" is an open end). */
static int eval_side(const char *w, size_t n, int64_t now, const char *zone,
                     word_val *v, tldb_errbuf *err)
{
	char buf[TLDB_DATE_STRMAX];

	if (n == 0) {
		memset(v, 0, sizeof *v);
		v->lo = TLDB_TIME_MIN;
		v->hi = TLDB_TIME_MAX;
		return TLDB_OK;
	}
	if (n >= sizeof buf) {
		tl_errf_plain(err, 0, "range word is too long");
		return TLDB_EDATE;
	}
	memcpy(buf, w, n);
	buf[n] = '\0';
	return eval_word(buf, now, zone, v, err);
}

static int is_range_keyword(const char *w, size_t n)
{
	static const char *const kw[] = {"today", "yesterday", "tomorrow",
	                                 "now"};
	char buf[16];
	word_val v;
	size_t k;

	if (n == 0 || n >= sizeof buf)
		return 0;
	memcpy(buf, w, n);
	buf[n] = '\0';
	for (k = 0; k < sizeof kw / sizeof kw[0]; k++)
		if (strcasecmp(buf, kw[k]) == 0)
			return 1;
	return parse_offset(buf, &v, NULL) != 0;
}

/* Where a word splits into A and B: at the first ".." that is not EDTF's
 * open end, or at a '/' next to a non-EDTF range word.  0 when it does not
 * split; *at and *skip give the separator's position and length. */
static int find_split(const char *w, size_t *at, size_t *skip)
{
	const char *dd = strstr(w, "..");
	const char *sl = NULL;
	size_t len = strlen(w), k;
	int depth = 0;

	for (k = 0; k < len && !sl; k++) {
		if (w[k] == '[')
			depth++;
		else if (w[k] == ']' && depth > 0)
			depth--;
		else if (w[k] == '/' && depth == 0)
			sl = w + k;
	}

	if (dd && len != 2 && !(dd > w && dd[-1] == '/') && dd[2] != '/') {
		*at = (size_t)(dd - w);
		*skip = 2;
		return 1;
	}
	if (sl && !dd &&
	    (is_range_keyword(w, (size_t)(sl - w)) ||
	     is_range_keyword(sl + 1, strlen(sl + 1)))) {
		*at = (size_t)(sl - w);
		*skip = 1;
		return 1;
	}
	return 0;
}

/* One word, which may be A..B or A/B. */
static int eval_span(const char *w, int64_t now, const char *zone, int64_t *lo,
                     int64_t *hi, tldb_errbuf *err)
{
	word_val a, b;
	size_t at, skip;
	int rc;

	if (find_split(w, &at, &skip)) {
		rc = eval_side(w, at, now, zone, &a, err);
		if (rc == TLDB_OK)
			rc = eval_side(w + at + skip, strlen(w + at + skip),
			               now, zone, &b, err);
		if (rc != TLDB_OK)
			return rc;
		return combine(w, &a, &b, lo, hi, err);
	}
	rc = eval_word(w, now, zone, &a, err);
	if (rc != TLDB_OK)
		return rc;
	*lo = a.lo;
	*hi = a.hi;
	return TLDB_OK;
}

TLDB_API int tldb_range_word(const char *word, int64_t now, const char *zone,
                             int64_t *lo, int64_t *hi, tldb_errbuf *err)
{
	if (!word || !lo || !hi) {
		tl_errf_plain(err, 0, "no range word given");
		return TLDB_EINVAL;
	}
	if (word[0] == '\0') {
		tl_errf_plain(err, 1, "empty range word");
		return TLDB_EDATE;
	}
	return eval_span(word, now, zone, lo, hi, err);
}

/* A lone offset: the span from today to where it lands. */
static int offset_span(const word_val *v, int64_t now, const char *zone,
                       int64_t *lo, int64_t *hi, tldb_errbuf *err)
{
	word_val t;
	int rc = today(now, zone, &t, err);

	if (rc != TLDB_OK)
		return rc;
	if (v->n > 0) {
		*lo = t.lo;
		*hi = add_units(t.lo, v->n, v->unit);
	} else {
		*lo = add_units(t.lo, v->n, v->unit);
		*hi = t.hi;
	}
	return TLDB_OK;
}

static int two_words(const char *const *words, int64_t now, const char *zone,
                     int64_t *lo, int64_t *hi, tldb_errbuf *err)
{
	word_val a, b;
	char what[2 * TLDB_DATE_STRMAX];
	int rc;

	if (!words[0] || !words[1]) {
		tl_errf_plain(err, 0, "no range word given");
		return TLDB_EINVAL;
	}
	rc = eval_word(words[0], now, zone, &a, err);
	if (rc == TLDB_OK)
		rc = eval_word(words[1], now, zone, &b, err);
	if (rc != TLDB_OK)
		return rc;
	(void)snprintf(what, sizeof what, "%s %s", words[0], words[1]);
	return combine(what, &a, &b, lo, hi, err);
}

TLDB_API int tldb_range_parse(const char *const *words, size_t nwords,
                              int64_t now, const char *zone, int64_t *lo,
                              int64_t *hi, tldb_errbuf *err)
{
	word_val v;
	int rc;

	if (!lo || !hi || (nwords > 0 && !words)) {
		tl_errf_plain(err, 0, "no range given");
		return TLDB_EINVAL;
	}
	if (nwords == 0) {
		*lo = TLDB_TIME_MIN;
		*hi = TLDB_TIME_MAX;
		return TLDB_OK;
	}
	if (nwords > 2) {
		tl_errf_plain(err, 0,
		              "too many range words (at most two: A B)");
		return TLDB_EINVAL;
	}
	if (nwords == 2)
		return two_words(words, now, zone, lo, hi, err);
	if (!words[0]) {
		tl_errf_plain(err, 0, "no range word given");
		return TLDB_EINVAL;
	}
	memset(&v, 0, sizeof v);
	rc = parse_offset(words[0], &v, err);
	if (rc < 0)
		return TLDB_EDATE;
	if (rc > 0 && v.n != 0)
		return offset_span(&v, now, zone, lo, hi, err);
	return tldb_range_word(words[0], now, zone, lo, hi, err);
}
