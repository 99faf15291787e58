/*
 * art_date.c -- civil-calendar arithmetic for the article importer: day
 * numbers on the proleptic Gregorian calendar (Howard Hinnant's
 * days_from_civil algorithm), weekdays, month lengths, and writing a value
 * as EDTF at its own precision.  No time_t anywhere.
 */
#include <stdio.h>
#include <string.h>

#include "article.h"

int64_t art_days(int32_t y, int32_t m, int32_t d)
{
	int64_t yy = (int64_t)y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t mp = (m + 9) % 12;
	int64_t doy = (153 * mp + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void art_civil(int64_t days, int32_t *y, int32_t *m, int32_t *d)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t dd = doy - (153 * mp + 2) / 5 + 1;
	int64_t mm = mp < 10 ? mp + 3 : mp - 9;
	*y = (int32_t)(yoe + era * 400 + (mm <= 2));
	*m = (int32_t)mm;
	*d = (int32_t)dd;
}

int32_t art_weekday(int64_t days)
{
	/* 1970-01-01 was a Thursday (3 when Monday is 0). */
	int64_t w = (days + 3) % 7;
	return (int32_t)(w < 0 ? w + 7 : w);
}

int32_t art_month_days(int32_t y, int32_t m)
{
	static const int32_t len[12] = {31, 28, 31, 30, 31, 30,
	                                31, 31, 30, 31, 30, 31};
	if (m < 1 || m > 12)
		return 0;
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return len[m - 1];
}

art_point art_day_point(int64_t days)
{
	art_point p = {0, 0, 0, ART_P_DAY};
	art_civil(days, &p.y, &p.m, &p.d);
	return p;
}

art_point art_month_point(int32_t y, int32_t m)
{
	int32_t k = y * 12 + (m - 1);
	int32_t yy = k >= 0 ? k / 12 : -((-k + 11) / 12);
	art_point p = {yy, k - yy * 12 + 1, 0, ART_P_MONTH};
	return p;
}

art_point art_year_point(int32_t y)
{
	art_point p = {y, 0, 0, ART_P_YEAR};
	return p;
}

static int format_point(const art_point *p, char *buf, size_t size)
{
	if (p->y < 1 || p->y > 9999)
		return -1;
	int n;
	switch (p->prec) {
	case ART_P_YEAR:
		n = snprintf(buf, size, "%04d", (int)p->y);
		break;
	case ART_P_MONTH:
		n = snprintf(buf, size, "%04d-%02d", (int)p->y, (int)p->m);
		break;
	case ART_P_DAY:
		n = snprintf(buf, size, "%04d-%02d-%02d", (int)p->y, (int)p->m,
		             (int)p->d);
		break;
	default:
		return -1;
	}
	return n < 0 || (size_t)n >= size ? -1 : n;
}

int art_value_format(const art_value *v, char *buf, size_t size)
{
	int n = format_point(&v->start, buf, size);
	if (n >= 0 && v->has_time && !v->has_end &&
	    v->start.prec == ART_P_DAY) {
		if (v->hour < 0 || v->hour > 23 || v->minute < 0 ||
		    v->minute > 59)
			return -1;
		int k = snprintf(buf + n, size - (size_t)n, "T%02d:%02d%s",
		                 (int)v->hour, (int)v->minute,
		                 v->zone ? v->zone : "");
		return k < 0 || (size_t)k >= size - (size_t)n ? -1 : n + k;
	}
	if (n < 0 || !v->has_end)
		return n;
	if ((size_t)n + 1 >= size)
		return -1;
	buf[n] = '/';
	int k = format_point(&v->end, buf + n + 1, size - (size_t)n - 1);
	return k < 0 ? -1 : n + 1 + k;
}

int art_parse_day(const char *s, art_point *out)
{
	int y, m, d;
	char tail;
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
		return -1;
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > art_month_days(y, m))
		return -1;
	out->y = y;
	out->m = m;
	out->d = d;
	out->prec = ART_P_DAY;
	return 0;
}
