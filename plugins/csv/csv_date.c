/*
 * csv_date.c -- spreadsheet dates for the csv importer.  Spreadsheets write
 * days as 15/09/2022 (day first) or 9/15/2022 (month first); tldb stores
 * EDTF.  A field that starts with one or two digits and a separator ('/',
 * '.' or '-') is such a numeric date: D/M/YYYY or M/D/YYYY with the same
 * separator twice, a four-digit year, and optionally " HH:MM" or
 * " HH:MM:SS" (24-hour, a floating wall time).  Which of the first two
 * numbers is the day is decided by -o dayfirst when given; without it only
 * an unambiguous date is read (one number over 12, or both equal), and
 * 03/04/2022 is an error that names the option rather than a guess.
 * Anything else (2022-09-15, 2022-02/2022-09, 2022?) is EDTF and is left
 * to the host.
 */
#include <stdio.h>
#include <string.h>

#include "csv_plugin.h"

typedef struct numeric_date {
	int a, b, year;     /* the three numbers as written */
	int hour, min, sec; /* -1 when absent */
	int year_digits;
} numeric_date;

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Reads 1..max digits at *p into *v; returns the count read (0: none). */
static int digits(const char **p, int max, int *v)
{
	int n = 0;
	*v = 0;
	while (n < max && is_digit(**p)) {
		*v = *v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n;
}

/* The optional time after the date: " HH:MM" or " HH:MM:SS". */
static int read_time(const char *p, numeric_date *d)
{
	d->hour = d->min = d->sec = -1;
	if (!*p)
		return 0;
	if (*p != ' ' && *p != 'T')
		return -1;
	p++;
	if (!digits(&p, 2, &d->hour) || *p++ != ':' ||
	    digits(&p, 2, &d->min) != 2)
		return -1;
	if (*p == ':' && (p++, digits(&p, 2, &d->sec) != 2))
		return -1;
	return *p ? -1 : 0;
}

/* Splits s into its numbers: 1 when it has a numeric date's shape, 0 when
 * it is no numeric date at all, -1 when it starts like one but is not. */
static int split_date(const char *s, numeric_date *d)
{
	const char *p = s;
	if (!digits(&p, 2, &d->a) || !strchr("/.-", *p) || !*p)
		return 0;
	char sep = *p++;
	if (!digits(&p, 2, &d->b) || *p++ != sep)
		return -1;
	d->year_digits = digits(&p, 5, &d->year);
	if (d->year_digits == 0)
		return -1;
	return read_time(p, d) ? -1 : 1;
}

/* Chooses day and month; -1 with a message when it cannot. */
static int order(const char *s, const numeric_date *d, csv_dayfirst dayfirst,
                 int *day, int *month, char *err, size_t errsize)
{
	int day_first;
	if (dayfirst != CSV_DAYFIRST_UNSET)
		day_first = dayfirst == CSV_DAYFIRST_YES;
	else if (d->a == d->b || (d->a > 12 && d->b <= 12))
		day_first = 1;
	else if (d->b > 12 && d->a <= 12)
		day_first = 0;
	else if (d->a <= 12 && d->b <= 12) {
		snprintf(err, errsize,
		         "ambiguous date %s: give -o dayfirst=true or false",
		         s);
		return -1;
	} else {
		snprintf(err, errsize,
		         "bad date %s: neither %d nor %d can be a month", s,
		         d->a, d->b);
		return -1;
	}
	*day = day_first ? d->a : d->b;
	*month = day_first ? d->b : d->a;
	return 0;
}

/* Checks the ranges; -1 with a message naming the bad part. */
static int check_ranges(const char *s, const numeric_date *d, int day,
                        int month, csv_dayfirst dayfirst, char *err,
                        size_t errsize)
{
	const char *hint = dayfirst == CSV_DAYFIRST_YES ? " (-o dayfirst=true)"
	                   : dayfirst == CSV_DAYFIRST_NO
	                           ? " (-o dayfirst=false)"
	                           : "";
	if (month < 1 || month > 12)
		snprintf(err, errsize,
		         "bad date %s: month %d is out of range%s", s, month,
		         hint);
	else if (day < 1 || day > civil_days_in_month(d->year, month))
		snprintf(err, errsize,
		         "bad date %s: day %d is out of range for month %d%s",
		         s, day, month, hint);
	else if (d->hour > 23 || d->min > 59 || d->sec > 59)
		snprintf(err, errsize, "bad time in %s", s);
	else
		return 0;
	return -1;
}

int csv_convert_date(const char *s, csv_dayfirst dayfirst, char *out,
                     size_t size, char *err, size_t errsize)
{
	numeric_date d;
	int shape = split_date(s, &d);
	if (shape == 0)
		return 0;
	if (shape < 0 || d.year_digits != 4) {
		snprintf(err, errsize,
		         "bad date %.40s: write YYYY-MM-DD, or D/M/YYYY or "
		         "M/D/YYYY with a four-digit year",
		         s);
		return -1;
	}
	int day, month;
	if (order(s, &d, dayfirst, &day, &month, err, errsize) ||
	    check_ranges(s, &d, day, month, dayfirst, err, errsize))
		return -1;
	int n = snprintf(out, size, "%04d-%02d-%02d", d.year, month, day);
	if (n > 0 && d.hour >= 0)
		n += snprintf(out + n, size - (size_t)n, "T%02d:%02d", d.hour,
		              d.min);
	if (n > 0 && d.sec >= 0)
		snprintf(out + n, size - (size_t)n, ":%02d", d.sec);
	return 1;
}
