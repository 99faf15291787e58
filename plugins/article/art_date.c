/*
 * art_date.c -- civil-calendar arithmetic for the article importer in its
 * own 32-bit fields (over civil.h's calendar), and writing a value as EDTF
 * at its own precision.  No time_t anywhere.
 */
#include <stdio.h>
#include <string.h>

#include "article.h"

int64_t art_days(int32_t y, int32_t m, int32_t d)
{
	return civil_days_from_date(y, m, d);
}

void art_civil(int64_t days, int32_t *y, int32_t *m, int32_t *d)
{
	int64_t yy;
	int mm, dd;

	civil_date_from_days(days, &yy, &mm, &dd);
	*y = (int32_t)yy;
	*m = mm;
	*d = dd;
}

int32_t art_weekday(int64_t days)
{
	return civil_weekday(days);
}

int32_t art_month_days(int32_t y, int32_t m)
{
	return civil_days_in_month(y, m);
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
