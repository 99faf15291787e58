/*
 * date_civil.c -- the public face of the proleptic Gregorian calendar
 * (plugins/common/civil.c, shared with the plugins: day numbers, leap
 * years, month lengths), RFC 3339 formatting of instants, the realtime
 * clock, precision names, and the small helpers the other date files share
 * (date_internal.h).
 *
 * tldb_format_instant writes "YYYY-MM-DDTHH:MM:SSZ" for years 0..9999.  Other
 * years are written the EDTF way the date module uses everywhere: a '-' sign
 * and at least four digits down to -9999 ("-0044-03-15T12:00:00Z"), and a 'Y'
 * prefix beyond four digits ("Y12000-01-01T00:00:00Z", "Y-12000-...").
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "date_internal.h"

TLDB_API int64_t tldb_days_from_civil(int64_t y, int m, int d)
{
	return civil_days_from_date(y, m, d);
}

TLDB_API void tldb_civil_from_days(int64_t days, int64_t *y, int *m, int *d)
{
	civil_date_from_days(days, y, m, d);
}

TLDB_API int tldb_is_leap_year(int64_t y)
{
	return civil_is_leap_year(y);
}

TLDB_API int tldb_days_in_month(int64_t y, int m)
{
	return civil_days_in_month(y, m);
}

int tl_format_year(int64_t y, char *buf, size_t size)
{
	int n;

	if (y >= 0 && y <= 9999)
		n = snprintf(buf, size, "%04lld", (long long)y);
	else if (y < 0 && y >= -9999)
		n = snprintf(buf, size, "-%04lld", (long long)-y);
	else
		n = snprintf(buf, size, "Y%lld", (long long)y);
	if (n < 0 || (size_t)n >= size)
		return -1;
	return n;
}

TLDB_API int tldb_format_instant(int64_t t, char *buf, size_t size)
{
	int64_t days = civil_floor_div(t, TLDB_DAY_SECONDS);
	int64_t sod = civil_floor_mod(t, TLDB_DAY_SECONDS);
	int64_t y;
	int m, d, n, k;
	char year[32];

	if (!buf || size == 0)
		return 0;
	tldb_civil_from_days(days, &y, &m, &d);
	if (tl_format_year(y, year, sizeof year) < 0)
		year[0] = '\0';
	n = snprintf(buf, size, "%s-%02d-%02dT%02d:%02d:%02dZ", year, m, d,
	             (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
	if (n < 0) {
		buf[0] = '\0';
		return 0;
	}
	k = (size_t)n >= size ? (int)size - 1 : n;
	return k;
}

TLDB_API int64_t tldb_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec;
}

static const char *const precision_names[] = {"none", "year",   "month",
                                              "day",  "minute", "second"};

TLDB_API const char *tldb_precision_name(tldb_precision p)
{
	if ((int)p < 0 || (int)p > (int)TLDB_PREC_SECOND)
		return "none";
	return precision_names[p];
}

TLDB_API tldb_precision tldb_precision_parse(const char *name)
{
	int i;

	if (!name)
		return TLDB_PREC_NONE;
	for (i = 1; i <= (int)TLDB_PREC_SECOND; i++)
		if (strcmp(name, precision_names[i]) == 0)
			return (tldb_precision)i;
	return TLDB_PREC_NONE;
}

static void errbuf_vset(tldb_errbuf *err, int column, const char *input,
                        const char *fmt, va_list ap)
        __attribute__((format(printf, 4, 0)));

static void errbuf_vset(tldb_errbuf *err, int column, const char *input,
                        const char *fmt, va_list ap)
{
	size_t used = 0;
	int n;

	if (!err)
		return;
	err->column = column;
	err->msg[0] = '\0';
	if (input) {
		n = snprintf(err->msg, sizeof err->msg, "%s: ", input);
		if (n < 0)
			n = 0;
		used = (size_t)n < sizeof err->msg ? (size_t)n
		                                   : sizeof err->msg - 1;
	}
	(void)vsnprintf(err->msg + used, sizeof err->msg - used, fmt, ap);
}

void tl_errf(tldb_errbuf *err, int column, const char *input, const char *fmt,
             ...)
{
	va_list ap;

	va_start(ap, fmt);
	errbuf_vset(err, column, input ? input : "", fmt, ap);
	va_end(ap);
}

void tl_errf_plain(tldb_errbuf *err, int column, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errbuf_vset(err, column, NULL, fmt, ap);
	va_end(ap);
}

int tl_zone_is_default(const char *zone)
{
	return zone == NULL || zone[0] == '\0';
}
