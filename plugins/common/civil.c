/*
 * civil.c -- the proleptic Gregorian calendar on signed 64-bit day and
 * second numbers (see civil.h).
 */
#include "civil.h"

int64_t civil_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t civil_floor_mod(int64_t a, int64_t b)
{
	int64_t r = a % b;
	return r < 0 ? r + b : r;
}

int64_t civil_days_from_date(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = civil_floor_div(y, 400);
	int64_t yoe = y - era * 400;                          /* [0, 399] */
	int64_t doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1; /* [0, 365] */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  /* [0, 146096] */
	return era * 146097 + doe - 719468;
}

void civil_date_from_days(int64_t days, int64_t *y, int *m, int *d)
{
	int64_t z = days + 719468;
	int64_t era = civil_floor_div(z, 146097);
	int64_t doe = z - era * 146097; /* [0, 146096] */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100); /* [0, 365] */
	int64_t mp = (5 * doy + 2) / 153;                      /* [0, 11] */
	int month = (int)(mp < 10 ? mp + 3 : mp - 9);

	if (y)
		*y = yoe + era * 400 + (month <= 2);
	if (m)
		*m = month;
	if (d)
		*d = (int)(doy - (153 * mp + 2) / 5 + 1);
}

int civil_is_leap_year(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int civil_days_in_month(int64_t y, int m)
{
	static const int len[12] = {31, 28, 31, 30, 31, 30,
	                            31, 31, 30, 31, 30, 31};
	if (m < 1 || m > 12)
		return 0;
	if (m == 2 && civil_is_leap_year(y))
		return 29;
	return len[m - 1];
}

int civil_weekday(int64_t days)
{
	/* 1970-01-01 was a Thursday (3 when Monday is 0). */
	return (int)civil_floor_mod(days + 3, 7);
}

void civil_time_from_seconds(int64_t t, civil_time *out)
{
	int64_t days = civil_floor_div(t, CIVIL_DAY_SECONDS);
	int64_t secs = t - days * CIVIL_DAY_SECONDS;

	civil_date_from_days(days, &out->year, &out->month, &out->day);
	out->hour = (int)(secs / 3600);
	out->minute = (int)(secs / 60 % 60);
	out->second = (int)(secs % 60);
}

int64_t civil_seconds_from_time(const civil_time *tm)
{
	return civil_days_from_date(tm->year, tm->month, tm->day) *
	               CIVIL_DAY_SECONDS +
	       tm->hour * 3600 + tm->minute * 60 + tm->second;
}
