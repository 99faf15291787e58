/*
 * date_parse.c -- the strict EDTF-subset parser of tldb_date_parse: years
 * (4 digits with an optional '-', or 'Y' and 5 to 9 digits), months, days,
 * minute and second times with Z, +HH:MM or [Zone], the qualifiers ? ~ %,
 * and intervals "A/B" whose ends may be open ("..") or unknown ("").  Every
 * point gets its bounds [lo, hi): date-only values are UTC civil days, times
 * are converted to UTC (floating ones in the caller's zone).  Errors begin
 * with the whole input and carry the 1-based column of the bad part.
 */
#include <string.h>

#include "date_internal.h"

/* The point being read: p[0..len) of `input`, starting at column col0 + 1. */
typedef struct point_reader {
	const char *input;
	const char *p;
	size_t len;
	size_t i;
	int col0;
	tldb_errbuf *err;
} point_reader;

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char peek(const point_reader *r, size_t ahead)
{
	return r->i + ahead < r->len ? r->p[r->i + ahead] : '\0';
}

static int col(const point_reader *r, size_t at)
{
	return r->col0 + (int)at + 1;
}

static size_t digit_run(const point_reader *r, size_t from)
{
	size_t n = 0;
	while (from + n < r->len && is_digit(r->p[from + n]))
		n++;
	return n;
}

static int64_t digits_value(const char *p, size_t n)
{
	int64_t v = 0;
	size_t k;
	for (k = 0; k < n; k++)
		v = v * 10 + (p[k] - '0');
	return v;
}

/* Reads exactly two digits into *out, or fails naming `what`. */
static int two_digits(point_reader *r, const char *what, int *out)
{
	if (digit_run(r, r->i) != 2) {
		tl_errf(r->err, col(r, r->i), r->input,
		        "expected a two-digit %s", what);
		return TLDB_EDATE;
	}
	*out = (int)digits_value(r->p + r->i, 2);
	r->i += 2;
	return TLDB_OK;
}

static int read_y_year(point_reader *r, tldb_datepoint *pt)
{
	size_t start = r->i, n;
	int neg = 0;

	r->i++; /* 'Y' */
	if (peek(r, 0) == '-') {
		neg = 1;
		r->i++;
	}
	n = digit_run(r, r->i);
	if (n < 5 || r->p[r->i] == '0') {
		tl_errf(r->err, col(r, start), r->input,
		        "a year with the Y prefix needs more than four "
		        "digits and no leading zero");
		return TLDB_EDATE;
	}
	if (n > 9) {
		tl_errf(r->err, col(r, start), r->input,
		        "year is out of range (at most 999999999)");
		return TLDB_EDATE;
	}
	pt->year = digits_value(r->p + r->i, n) * (neg ? -1 : 1);
	r->i += n;
	return TLDB_OK;
}

static int read_plain_year(point_reader *r, tldb_datepoint *pt)
{
	size_t start = r->i, n;
	int neg = 0;

	if (peek(r, 0) == '-') {
		neg = 1;
		r->i++;
	}
	n = digit_run(r, r->i);
	if (n == 8 && !neg) {
		tl_errf(r->err, col(r, start), r->input,
		        "the basic format is not accepted; write "
		        "YYYY-MM-DD");
		return TLDB_EDATE;
	}
	if (n > 4) {
		tl_errf(r->err, col(r, start), r->input,
		        "a year of more than four digits needs the Y "
		        "prefix (Y%s%.*s)",
		        neg ? "-" : "", (int)n, r->p + r->i);
		return TLDB_EDATE;
	}
	if (n < 4) {
		tl_errf(r->err, col(r, start), r->input,
		        "expected a four-digit year");
		return TLDB_EDATE;
	}
	pt->year = digits_value(r->p + r->i, 4) * (neg ? -1 : 1);
	if (neg && pt->year == 0) {
		tl_errf(r->err, col(r, start), r->input,
		        "-0000 is not a year; write 0000");
		return TLDB_EDATE;
	}
	r->i += 4;
	return TLDB_OK;
}

/* Reads "-MM" and "-DD" when present. */
static int read_month_day(point_reader *r, tldb_datepoint *pt)
{
	size_t at;
	int rc;
	char year[32];

	if (peek(r, 0) != '-')
		return TLDB_OK;
	r->i++;
	at = r->i;
	if ((rc = two_digits(r, "month", &pt->month)) != TLDB_OK)
		return rc;
	if (pt->month < 1 || pt->month > 12) {
		tl_errf(r->err, col(r, at), r->input,
		        "month %d is out of range", pt->month);
		return TLDB_EDATE;
	}
	pt->precision = TLDB_PREC_MONTH;
	if (peek(r, 0) != '-')
		return TLDB_OK;
	r->i++;
	at = r->i;
	if ((rc = two_digits(r, "day", &pt->day)) != TLDB_OK)
		return rc;
	if (pt->day < 1 || pt->day > tldb_days_in_month(pt->year, pt->month)) {
		if (tl_format_year(pt->year, year, sizeof year) < 0)
			year[0] = '\0';
		tl_errf(r->err, col(r, at), r->input,
		        "day %d is out of range for %s-%02d", pt->day, year,
		        pt->month);
		return TLDB_EDATE;
	}
	pt->precision = TLDB_PREC_DAY;
	return TLDB_OK;
}

/* Reads one time field "HH" / "MM" / "SS" and checks it against max. */
static int time_field(point_reader *r, const char *what, int max, int *out)
{
	size_t at = r->i;
	int rc = two_digits(r, what, out);

	if (rc == TLDB_OK && *out > max) {
		tl_errf(r->err, col(r, at), r->input, "%s %d is out of range",
		        what, *out);
		return TLDB_EDATE;
	}
	return rc;
}

static int read_offset(point_reader *r, tldb_datepoint *pt)
{
	size_t at = r->i;
	int sign = r->p[r->i] == '-' ? -1 : 1, hh, mm;

	r->i++;
	if (two_digits(r, "offset hour", &hh) != TLDB_OK)
		return TLDB_EDATE;
	if (peek(r, 0) != ':') {
		tl_errf(r->err, col(r, r->i), r->input,
		        "expected ':' in the offset (+HH:MM)");
		return TLDB_EDATE;
	}
	r->i++;
	if (two_digits(r, "offset minute", &mm) != TLDB_OK)
		return TLDB_EDATE;
	if (hh > 23 || mm > 59) {
		tl_errf(r->err, col(r, at), r->input,
		        "offset %.6s is out of range", r->p + at);
		return TLDB_EDATE;
	}
	if (sign < 0 && hh == 0 && mm == 0) {
		tl_errf(r->err, col(r, at), r->input,
		        "offset -00:00 is not accepted; write Z or +00:00");
		return TLDB_EDATE;
	}
	pt->zone_kind = TLDB_ZONE_OFFSET;
	pt->offset_minutes = sign * (hh * 60 + mm);
	return TLDB_OK;
}

static int read_zone_name(point_reader *r, tldb_datepoint *pt)
{
	size_t at = r->i + 1, end = at;

	while (end < r->len && r->p[end] != ']')
		end++;
	if (end >= r->len) {
		tl_errf(r->err, col(r, r->i), r->input,
		        "missing ']' after the time zone");
		return TLDB_EDATE;
	}
	if (end - at == 0 || end - at >= TLDB_ZONE_NAME_MAX) {
		tl_errf(r->err, col(r, at), r->input, "bad time zone name");
		return TLDB_EDATE;
	}
	memcpy(pt->zone, r->p + at, end - at);
	pt->zone[end - at] = '\0';
	if (!tldb_zone_exists(pt->zone)) {
		tl_errf(r->err, col(r, at), r->input, "unknown time zone '%s'",
		        pt->zone);
		return TLDB_EZONE;
	}
	pt->zone_kind = TLDB_ZONE_NAMED;
	r->i = end + 1;
	return TLDB_OK;
}

/* Reads "THH:MM[:SS]" and the zone after it. */
static int read_time(point_reader *r, tldb_datepoint *pt)
{
	int rc;
	char c;

	if (pt->precision != TLDB_PREC_DAY) {
		tl_errf(r->err, col(r, r->i), r->input,
		        "a time needs a full date (YYYY-MM-DD) before it");
		return TLDB_EDATE;
	}
	r->i++;
	if ((rc = time_field(r, "hour", 23, &pt->hour)) != TLDB_OK)
		return rc;
	if (peek(r, 0) != ':') {
		tl_errf(r->err, col(r, r->i), r->input,
		        "expected ':' and minutes after the hour");
		return TLDB_EDATE;
	}
	r->i++;
	if ((rc = time_field(r, "minute", 59, &pt->minute)) != TLDB_OK)
		return rc;
	pt->precision = TLDB_PREC_MINUTE;
	if (peek(r, 0) == ':') {
		r->i++;
		if ((rc = time_field(r, "second", 59, &pt->second)) != TLDB_OK)
			return rc;
		pt->precision = TLDB_PREC_SECOND;
	}
	c = peek(r, 0);
	if (c == 'Z' || c == 'z') {
		pt->zone_kind = TLDB_ZONE_UTC;
		r->i++;
	} else if (c == '+' || c == '-') {
		return read_offset(r, pt);
	} else if (c == '[') {
		return read_zone_name(r, pt);
	}
	return TLDB_OK;
}

static int read_qualifier(point_reader *r, tldb_datepoint *pt)
{
	char c = peek(r, 0);
	unsigned q = c == '?'   ? TLDB_QUAL_UNCERTAIN
	             : c == '~' ? TLDB_QUAL_APPROXIMATE
	             : c == '%' ? TLDB_QUAL_UNCERTAIN | TLDB_QUAL_APPROXIMATE
	                        : 0;
	if (!q)
		return TLDB_OK;
	if (pt->precision >= TLDB_PREC_MINUTE) {
		tl_errf(r->err, col(r, r->i), r->input,
		        "a qualifier ('%c') cannot follow a time", c);
		return TLDB_EDATE;
	}
	pt->qualifiers = q;
	r->i++;
	return TLDB_OK;
}

/* Local wall seconds of a timed point (as if the wall clock were UTC). */
static int64_t point_local(const tldb_datepoint *pt)
{
	return tldb_days_from_civil(pt->year, pt->month, pt->day) *
	               TLDB_DAY_SECONDS +
	       pt->hour * 3600 + pt->minute * 60 + pt->second;
}

static int point_bounds(point_reader *r, tldb_datepoint *pt, const char *zone)
{
	int64_t local, lo,
	        day = tldb_days_from_civil(pt->year, pt->month, pt->day);
	const char *z;

	switch (pt->precision) {
	case TLDB_PREC_YEAR:
		pt->lo = day * TLDB_DAY_SECONDS;
		pt->hi = tldb_days_from_civil(pt->year + 1, 1, 1) *
		         TLDB_DAY_SECONDS;
		return TLDB_OK;
	case TLDB_PREC_MONTH:
		pt->lo = day * TLDB_DAY_SECONDS;
		pt->hi = (day + tldb_days_in_month(pt->year, pt->month)) *
		         TLDB_DAY_SECONDS;
		return TLDB_OK;
	case TLDB_PREC_DAY:
		pt->lo = day * TLDB_DAY_SECONDS;
		pt->hi = pt->lo + TLDB_DAY_SECONDS;
		return TLDB_OK;
	default:
		break;
	}
	local = point_local(pt);
	lo = local;
	if (pt->zone_kind == TLDB_ZONE_OFFSET) {
		lo = local - pt->offset_minutes * 60;
	} else if (pt->zone_kind != TLDB_ZONE_UTC) {
		z = pt->zone_kind == TLDB_ZONE_NAMED ? pt->zone : zone;
		if (tldb_zone_to_utc(z, local, &lo, NULL) != TLDB_OK) {
			tl_errf(r->err, r->col0 + 1, r->input,
			        "unknown time zone '%s'", z ? z : "");
			return TLDB_EZONE;
		}
	}
	pt->lo = lo;
	pt->hi = lo + (pt->precision == TLDB_PREC_SECOND ? 1 : 60);
	return TLDB_OK;
}

/* Parses one point: p[0..len) of input at column col0 + 1. */
static int parse_point(const char *input, const char *p, size_t len, int col0,
                       int in_interval, const char *zone, tldb_datepoint *pt,
                       tldb_errbuf *err)
{
	point_reader r = {input, p, len, 0, col0, err};
	int rc;

	memset(pt, 0, sizeof *pt);
	pt->month = pt->day = 1;
	if (in_interval &&
	    (len == 0 || (len == 2 && memcmp(p, "..", 2) == 0))) {
		pt->kind = len == 0 ? TLDB_POINT_UNKNOWN : TLDB_POINT_OPEN;
		pt->precision = TLDB_PREC_NONE;
		pt->lo = TLDB_TIME_MIN;
		pt->hi = TLDB_TIME_MAX;
		return TLDB_OK;
	}
	if (len == 0) {
		tl_errf(err, col0 + 1, input, "the date is empty");
		return TLDB_EDATE;
	}
	rc = p[0] == 'Y' ? read_y_year(&r, pt) : read_plain_year(&r, pt);
	if (rc != TLDB_OK)
		return rc;
	pt->precision = TLDB_PREC_YEAR;
	if ((rc = read_month_day(&r, pt)) != TLDB_OK)
		return rc;
	if ((peek(&r, 0) == 'T' || peek(&r, 0) == 't') &&
	    (rc = read_time(&r, pt)) != TLDB_OK)
		return rc;
	if ((rc = read_qualifier(&r, pt)) != TLDB_OK)
		return rc;
	if (r.i < len) {
		tl_errf(err, col(&r, r.i), input, "unexpected '%.*s'",
		        (int)(len - r.i), p + r.i);
		return TLDB_EDATE;
	}
	return point_bounds(&r, pt, zone);
}

/* Index of the interval '/' (outside [...]), len when none, or -1 when
 * there are several (*bad then holds the second one). */
static long find_slash(const char *s, size_t len, size_t *bad)
{
	size_t k;
	long at = (long)len;
	int depth = 0;

	for (k = 0; k < len; k++) {
		if (s[k] == '[')
			depth++;
		else if (s[k] == ']' && depth > 0)
			depth--;
		else if (s[k] == '/' && depth == 0) {
			if (at != (long)len) {
				*bad = k;
				return -1;
			}
			at = (long)k;
		}
	}
	return at;
}

static tldb_precision coarsest(const tldb_datepoint *a, const tldb_datepoint *b)
{
	if (a->kind != TLDB_POINT_DATE)
		return b->kind == TLDB_POINT_DATE ? b->precision
		                                  : TLDB_PREC_NONE;
	if (b->kind != TLDB_POINT_DATE)
		return a->precision;
	return a->precision < b->precision ? a->precision : b->precision;
}

static int parse_interval(const char *s, size_t len, size_t slash,
                          const char *zone, tldb_date *out, tldb_errbuf *err)
{
	int rc;

	out->is_interval = 1;
	rc = parse_point(s, s, slash, 0, 1, zone, &out->start, err);
	if (rc != TLDB_OK)
		return rc;
	rc = parse_point(s, s + slash + 1, len - slash - 1, (int)slash + 1, 1,
	                 zone, &out->end, err);
	if (rc != TLDB_OK)
		return rc;
	out->lo = out->start.lo;
	out->hi = out->end.hi;
	if (out->start.kind == TLDB_POINT_DATE &&
	    out->end.kind == TLDB_POINT_DATE && out->end.hi <= out->start.lo) {
		tl_errf(err, (int)slash + 2, s,
		        "the interval ends before it starts");
		return TLDB_EDATE;
	}
	out->precision = coarsest(&out->start, &out->end);
	return TLDB_OK;
}

TLDB_API int tldb_date_parse(const char *s, const char *zone, tldb_date *out,
                             tldb_errbuf *err)
{
	size_t len, bad = 0;
	long slash;
	int rc;

	if (!s || !out) {
		tl_errf_plain(err, 0, "no date given");
		return TLDB_EINVAL;
	}
	memset(out, 0, sizeof *out);
	len = strlen(s);
	slash = find_slash(s, len, &bad);
	if (slash < 0) {
		tl_errf(err, (int)bad + 1, s, "unexpected second '/'");
		return TLDB_EDATE;
	}
	if ((size_t)slash < len)
		return parse_interval(s, len, (size_t)slash, zone, out, err);
	rc = parse_point(s, s, len, 0, 0, zone, &out->start, err);
	if (rc != TLDB_OK)
		return rc;
	out->lo = out->start.lo;
	out->hi = out->start.hi;
	out->precision = out->start.precision;
	return TLDB_OK;
}
