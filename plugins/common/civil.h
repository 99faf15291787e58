/*
 * civil.h -- the proleptic Gregorian calendar on signed 64-bit numbers:
 * days since 1970-01-01 and seconds since 1970-01-01T00:00:00 of a wall
 * clock, never through time_t, so 1850, 0999, 44 BC and year 12000 work.
 *
 * One copy for the whole tree: compiled into libtldb (core/date) and into
 * each bundled plugin that needs it (plugins link nothing of libtldb), as
 * curl compiles lib/curlx/ into both its library and its tool.  Every
 * function is pure and keeps no state; nothing is allocated.
 */
#ifndef TLDB_CIVIL_H
#define TLDB_CIVIL_H

#include <stdint.h>

#define CIVIL_DAY_SECONDS INT64_C(86400)

/* A wall-clock time broken into fields (month 1..12, day 1..31). */
typedef struct civil_time {
	int64_t year;
	int month, day, hour, minute, second;
} civil_time;

/* a / b rounded towards negative infinity (b != 0). */
int64_t civil_floor_div(int64_t a, int64_t b);

/* a mod b in [0, b) for b > 0. */
int64_t civil_floor_mod(int64_t a, int64_t b);

/* Days since 1970-01-01 of year-month-day (Howard Hinnant's
 * days_from_civil: eras of 400 years, March-based years so the leap day
 * ends the year).  m is 1..12; d may run past the month's end. */
int64_t civil_days_from_date(int64_t y, int m, int d);

/* The year, month and day of a day number; each OUT pointer may be NULL. */
void civil_date_from_days(int64_t days, int64_t *y, int *m, int *d);

/* 1 when y is a leap year, else 0. */
int civil_is_leap_year(int64_t y);

/* The length of month m of year y, or 0 when m is not 1..12. */
int civil_days_in_month(int64_t y, int m);

/* The weekday of a day number: 0 is Monday, 6 Sunday. */
int civil_weekday(int64_t days);

/* Breaks seconds since 1970 into fields (the wall clock of t). */
void civil_time_from_seconds(int64_t t, civil_time *out);

/* Seconds since 1970 of the fields (the inverse of the above). */
int64_t civil_seconds_from_time(const civil_time *tm);

#endif /* TLDB_CIVIL_H */
