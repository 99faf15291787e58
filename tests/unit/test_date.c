/*
 * test_date.c -- Criterion tests of the date module (include/tldb/date.h):
 * the civil calendar, parsing and canonical formatting of every EDTF form
 * with hand-computed bounds, the exact error messages and columns, time
 * zones (DST gaps and overlaps, far years, threads), a seeded round-trip
 * property test over 20,000 random dates, and the command line's range
 * words at a fixed "now".
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "tldb/date.h"

#define NOW INT64_C(1663243200) /* 2022-09-15T12:00:00Z */
#define DAY INT64_C(86400)

/* Parses s (zone: floating times), checks it round-trips, returns it. */
static tldb_date ok(const char *s, const char *zone)
{
	tldb_date d;
	tldb_errbuf err = {{0}, 0};
	char buf[TLDB_DATE_STRMAX];
	int rc = tldb_date_parse(s, zone, &d, &err);

	cr_assert_eq(rc, TLDB_OK, "parse '%s' failed: %s", s, err.msg);
	cr_assert_gt(tldb_date_format(&d, buf, sizeof buf), 0);
	cr_assert_str_eq(buf, s, "'%s' formatted as '%s'", s, buf);
	return d;
}

static void bounds(const char *s, int64_t lo, int64_t hi)
{
	tldb_date d = ok(s, NULL);
	cr_assert_eq(d.lo, lo, "%s: lo %lld != %lld", s, (long long)d.lo,
	             (long long)lo);
	cr_assert_eq(d.hi, hi, "%s: hi %lld != %lld", s, (long long)d.hi,
	             (long long)hi);
}

static void bad(const char *s, int code, const char *msg, int column)
{
	tldb_date d;
	tldb_errbuf err = {{0}, 0};
	int rc = tldb_date_parse(s, NULL, &d, &err);

	cr_assert_eq(rc, code, "'%s': rc %d, want %d", s, rc, code);
	cr_assert_str_eq(err.msg, msg);
	cr_assert_eq(err.column, column, "'%s': column %d, want %d", s,
	             err.column, column);
}

/* ---- civil calendar ---- */

Test(civil, known_days)
{
	cr_assert_eq(tldb_days_from_civil(1970, 1, 1), 0);
	cr_assert_eq(tldb_days_from_civil(2000, 3, 1), 11017);
	cr_assert_eq(tldb_days_from_civil(1969, 12, 31), -1);
	cr_assert_eq(tldb_days_from_civil(-44, 1, 1) * DAY,
	             INT64_C(-63555753600));
	cr_assert_eq(tldb_days_from_civil(12000, 1, 1) * DAY,
	             INT64_C(316516204800));
}

Test(civil, leap_years)
{
	cr_assert(tldb_is_leap_year(1600));
	cr_assert_not(tldb_is_leap_year(1900));
	cr_assert(tldb_is_leap_year(2000));
	cr_assert_not(tldb_is_leap_year(2100));
	cr_assert(tldb_is_leap_year(0));
	cr_assert(tldb_is_leap_year(-4));
	cr_assert_not(tldb_is_leap_year(-1));
	cr_assert_eq(tldb_days_in_month(1900, 2), 28);
	cr_assert_eq(tldb_days_in_month(2000, 2), 29);
	cr_assert_eq(tldb_days_in_month(2022, 4), 30);
	cr_assert_eq(tldb_days_in_month(2022, 12), 31);
}

Test(civil, year_zero_feb29)
{
	int64_t y;
	int m, d;

	tldb_civil_from_days(tldb_days_from_civil(0, 3, 1) - 1, &y, &m, &d);
	cr_assert_eq(y, 0);
	cr_assert_eq(m, 2);
	cr_assert_eq(d, 29);
}

Test(civil, inverse_and_consecutive)
{
	int64_t day, y, py = 0;
	int m, d, pm = 0, pd = 0;

	for (day = -1000000; day <= 3000000; day++) {
		tldb_civil_from_days(day, &y, &m, &d);
		cr_assert_eq(tldb_days_from_civil(y, m, d), day);
		if (day > -1000000) {
			int next_ok = (y == py && m == pm && d == pd + 1) ||
			              (y == py && m == pm + 1 && d == 1 &&
			               pd == tldb_days_in_month(py, pm)) ||
			              (y == py + 1 && m == 1 && d == 1 &&
			               pm == 12 && pd == 31);
			if (!next_ok)
				cr_assert_fail("day %lld not consecutive",
				               (long long)day);
		}
		py = y;
		pm = m;
		pd = d;
	}
}

Test(civil, extreme_years)
{
	int64_t ys[] = {TLDB_YEAR_MAX, -TLDB_YEAR_MAX, 123456789, -987654321};
	size_t i;

	for (i = 0; i < sizeof ys / sizeof ys[0]; i++) {
		int64_t y, dd = tldb_days_from_civil(ys[i], 12, 31);
		int m, d;
		tldb_civil_from_days(dd, &y, &m, &d);
		cr_assert_eq(y, ys[i]);
		cr_assert_eq(m, 12);
		cr_assert_eq(d, 31);
		tldb_civil_from_days(dd + 1, &y, &m, &d);
		cr_assert_eq(y, ys[i] + 1);
		cr_assert_eq(m, 1);
	}
}

Test(civil, format_instant)
{
	char buf[40];

	cr_assert_eq(tldb_format_instant(0, buf, sizeof buf), 20);
	cr_assert_str_eq(buf, "1970-01-01T00:00:00Z");
	tldb_format_instant(INT64_C(1795942800), buf, sizeof buf);
	cr_assert_str_eq(buf, "2026-11-29T09:00:00Z");
	tldb_format_instant(-1, buf, sizeof buf);
	cr_assert_str_eq(buf, "1969-12-31T23:59:59Z");
	tldb_format_instant(INT64_C(-63555753600), buf, sizeof buf);
	cr_assert_str_eq(buf, "-0044-01-01T00:00:00Z");
	tldb_format_instant(INT64_C(316516204800), buf, sizeof buf);
	cr_assert_str_eq(buf, "Y12000-01-01T00:00:00Z");
	cr_assert_lt(tldb_format_instant(TLDB_TIME_MIN, buf, 32), 32);
}

Test(civil, precision_names)
{
	tldb_precision p;

	for (p = TLDB_PREC_YEAR; p <= TLDB_PREC_SECOND; p++)
		cr_assert_eq(tldb_precision_parse(tldb_precision_name(p)), p);
	cr_assert_str_eq(tldb_precision_name(TLDB_PREC_MINUTE), "minute");
	cr_assert_str_eq(tldb_precision_name(TLDB_PREC_NONE), "none");
	cr_assert_eq(tldb_precision_parse("week"), TLDB_PREC_NONE);
	cr_assert_eq(tldb_precision_parse(NULL), TLDB_PREC_NONE);
}

Test(civil, now_is_recent)
{
	int64_t t = tldb_now();
	cr_assert_gt(t, INT64_C(1700000000));
	cr_assert_lt(t, INT64_C(4102444800));
}

/* ---- parsing and bounds ---- */

Test(parse, year)
{
	tldb_date d = ok("2001", NULL);
	cr_assert_eq(d.precision, TLDB_PREC_YEAR);
	cr_assert_eq(d.start.year, 2001);
	cr_assert_eq(d.lo, INT64_C(978307200));
	cr_assert_eq(d.hi, INT64_C(1009843200));
}

Test(parse, month)
{
	tldb_date d = ok("2022-02", NULL);
	cr_assert_eq(d.precision, TLDB_PREC_MONTH);
	cr_assert_eq(d.start.month, 2);
	cr_assert_eq(d.lo, INT64_C(1643673600));
	cr_assert_eq(d.hi, INT64_C(1646092800));
}

Test(parse, day)
{
	tldb_date d = ok("2022-09-15", NULL);
	cr_assert_eq(d.precision, TLDB_PREC_DAY);
	cr_assert_eq(d.start.day, 15);
	cr_assert_eq(d.lo, INT64_C(1663200000));
	cr_assert_eq(d.hi, INT64_C(1663286400));
}

Test(parse, old_and_far_years)
{
	bounds("1850", INT64_C(-3786825600), INT64_C(-3755289600));
	bounds("0999", INT64_C(-30641760000), INT64_C(-30610224000));
	bounds("-0044", INT64_C(-63555753600), INT64_C(-63524131200));
	bounds("0000", INT64_C(-62167219200), INT64_C(-62135596800));
	bounds("Y12000", INT64_C(316516204800), INT64_C(316547827200));
	bounds("Y-12000", INT64_C(-440850643200), INT64_C(-440819020800));
	bounds("-9999", INT64_C(-377705116800), INT64_C(-377673580800));
	bounds("9999-12-31", INT64_C(253402214400), INT64_C(253402300800));
	cr_assert_eq(ok("-0044", NULL).start.year, -44);
	cr_assert_eq(ok("Y-12000", NULL).start.year, -12000);
	cr_assert_eq(ok("Y999999999", NULL).start.year, TLDB_YEAR_MAX);
}

Test(parse, leap_days)
{
	bounds("1600-02-29", INT64_C(-11670998400), INT64_C(-11670912000));
	bounds("2000-02-29", INT64_C(951782400), INT64_C(951868800));
	ok("0000-02-29", NULL);
	bad("1900-02-29", TLDB_EDATE,
	    "1900-02-29: day 29 is out of range for 1900-02", 9);
	bad("2100-02-29", TLDB_EDATE,
	    "2100-02-29: day 29 is out of range for 2100-02", 9);
	bad("2021-02-29", TLDB_EDATE,
	    "2021-02-29: day 29 is out of range for 2021-02", 9);
}

Test(parse, minute_and_second_utc)
{
	tldb_date d = ok("2022-09-15T05:00:00Z", NULL);
	cr_assert_eq(d.precision, TLDB_PREC_SECOND);
	cr_assert_eq(d.start.zone_kind, TLDB_ZONE_UTC);
	cr_assert_eq(d.lo, INT64_C(1663218000));
	cr_assert_eq(d.hi, INT64_C(1663218001));
	d = ok("2022-09-15T05:00Z", NULL);
	cr_assert_eq(d.precision, TLDB_PREC_MINUTE);
	cr_assert_eq(d.lo, INT64_C(1663218000));
	cr_assert_eq(d.hi, INT64_C(1663218060));
}

Test(parse, offsets)
{
	tldb_date d = ok("2022-09-15T10:00+05:00", NULL);
	cr_assert_eq(d.start.zone_kind, TLDB_ZONE_OFFSET);
	cr_assert_eq(d.start.offset_minutes, 300);
	cr_assert_eq(d.lo, INT64_C(1663218000));
	d = ok("2022-09-15T10:00-03:30", NULL);
	cr_assert_eq(d.start.offset_minutes, -210);
	cr_assert_eq(d.lo, INT64_C(1663248600));
	d = ok("2022-09-15T10:00:30+00:00", NULL);
	cr_assert_eq(d.lo, INT64_C(1663236030));
}

Test(parse, named_zone)
{
	tldb_date d = ok("2022-09-15T10:00[Asia/Samarkand]", NULL);
	cr_assert_eq(d.start.zone_kind, TLDB_ZONE_NAMED);
	cr_assert_str_eq(d.start.zone, "Asia/Samarkand");
	cr_assert_eq(d.lo, INT64_C(1663218000));
	cr_assert_eq(d.hi, INT64_C(1663218060));
	d = ok("2022-09-15T10:00[Europe/Berlin]", "Asia/Tokyo");
	cr_assert_eq(d.lo, INT64_C(1663228800));
	d = ok("1850-07-01T12:00[Europe/Berlin]", NULL);
	cr_assert_eq(d.lo, INT64_C(-3771147208)); /* local mean time */
}

Test(parse, floating_in_zone)
{
	tldb_date d = ok("2022-09-15T10:00", NULL);
	cr_assert_eq(d.start.zone_kind, TLDB_ZONE_FLOATING);
	cr_assert_eq(d.lo, INT64_C(1663236000));
	d = ok("2022-09-15T10:00", "");
	cr_assert_eq(d.lo, INT64_C(1663236000));
	d = ok("2022-09-15T10:00", "Europe/Berlin");
	cr_assert_eq(d.lo, INT64_C(1663228800));
	d = ok("2022-09-15T10:00", "Asia/Samarkand");
	cr_assert_eq(d.lo, INT64_C(1663218000));
	/* Date-only values stay UTC civil days whatever the zone. */
	d = ok("2022-09-15", "Asia/Samarkand");
	cr_assert_eq(d.lo, INT64_C(1663200000));
}

Test(parse, dst_gap_and_overlap)
{
	tldb_date d = ok("2022-03-27T02:30[Europe/Berlin]", NULL);
	cr_assert_eq(d.lo, INT64_C(1648344600)); /* 01:30Z, read +01:00 */
	d = ok("2022-10-30T02:30[Europe/Berlin]", NULL);
	cr_assert_eq(d.lo, INT64_C(1667089800)); /* 00:30Z, first */
	d = ok("2022-03-13T02:30", "America/New_York");
	cr_assert_eq(d.lo, INT64_C(1647156600)); /* 07:30Z, read -05:00 */
	d = ok("2022-11-06T01:30", "America/New_York");
	cr_assert_eq(d.lo, INT64_C(1667712600)); /* 05:30Z, first (EDT) */
}

Test(parse, lowercase_t_and_z)
{
	tldb_date d;
	char buf[TLDB_DATE_STRMAX];

	cr_assert_eq(tldb_date_parse("2022-09-15t10:00z", NULL, &d, NULL),
	             TLDB_OK);
	tldb_date_format(&d, buf, sizeof buf);
	cr_assert_str_eq(buf, "2022-09-15T10:00Z");
}

Test(parse, qualifiers)
{
	tldb_date d = ok("2022?", NULL);
	cr_assert_eq(d.start.qualifiers, (unsigned)TLDB_QUAL_UNCERTAIN);
	cr_assert_eq(d.lo, INT64_C(1640995200));
	d = ok("2022-02~", NULL);
	cr_assert_eq(d.start.qualifiers, (unsigned)TLDB_QUAL_APPROXIMATE);
	cr_assert_eq(d.lo, INT64_C(1643673600));
	d = ok("2022%", NULL);
	cr_assert_eq(d.start.qualifiers,
	             (unsigned)(TLDB_QUAL_UNCERTAIN | TLDB_QUAL_APPROXIMATE));
	ok("2022-09-15?", NULL);
	ok("2022-02~/2022-09?", NULL);
}

Test(parse, intervals)
{
	tldb_date d = ok("2022-02/2022-09", NULL);
	cr_assert(d.is_interval);
	cr_assert_eq(d.lo, INT64_C(1643673600));
	cr_assert_eq(d.hi, INT64_C(1664582400));
	cr_assert_eq(d.precision, TLDB_PREC_MONTH);
	d = ok("2022-09-05/2022-09-11", NULL);
	cr_assert_eq(d.hi - d.lo, 7 * DAY);
	d = ok("2022/2022-09-15", NULL);
	cr_assert_eq(d.precision, TLDB_PREC_YEAR);
	d = ok("2022-09-15T10:00Z/2022-09-15T11:00Z", NULL);
	cr_assert_eq(d.hi - d.lo, 3660);
}

Test(parse, open_and_unknown_ends)
{
	tldb_date d = ok("2022-02/..", NULL);
	cr_assert_eq(d.end.kind, TLDB_POINT_OPEN);
	cr_assert_eq(d.lo, INT64_C(1643673600));
	cr_assert_eq(d.hi, TLDB_TIME_MAX);
	cr_assert_eq(d.precision, TLDB_PREC_MONTH);
	d = ok("../2022", NULL);
	cr_assert_eq(d.start.kind, TLDB_POINT_OPEN);
	cr_assert_eq(d.lo, TLDB_TIME_MIN);
	cr_assert_eq(d.hi, INT64_C(1672531200));
	d = ok("2022/", NULL);
	cr_assert_eq(d.end.kind, TLDB_POINT_UNKNOWN);
	cr_assert_eq(d.hi, TLDB_TIME_MAX);
	d = ok("/2022-09-15", NULL);
	cr_assert_eq(d.start.kind, TLDB_POINT_UNKNOWN);
	cr_assert_eq(d.precision, TLDB_PREC_DAY);
	d = ok("/", NULL);
	cr_assert_eq(d.precision, TLDB_PREC_NONE);
	cr_assert_eq(d.lo, TLDB_TIME_MIN);
	cr_assert_eq(d.hi, TLDB_TIME_MAX);
}

Test(parse, zone_name_with_slash_in_interval)
{
	tldb_date d = ok("2022-09-15T10:00[America/New_York]/"
	                 "2022-09-15T22:00[Europe/Berlin]",
	                 NULL);
	cr_assert_str_eq(d.start.zone, "America/New_York");
	cr_assert_str_eq(d.end.zone, "Europe/Berlin");
	cr_assert_eq(d.lo, INT64_C(1663250400));
	cr_assert_eq(d.hi, INT64_C(1663272060));
}

/* ---- errors ---- */

Test(errors, month_out_of_range)
{
	bad("2022-13-01", TLDB_EDATE, "2022-13-01: month 13 is out of range",
	    6);
	bad("2022-00", TLDB_EDATE, "2022-00: month 0 is out of range", 6);
}

Test(errors, day_out_of_range)
{
	bad("2022-02-30", TLDB_EDATE,
	    "2022-02-30: day 30 is out of range for 2022-02", 9);
	bad("2022-04-31", TLDB_EDATE,
	    "2022-04-31: day 31 is out of range for 2022-04", 9);
}

Test(errors, time_fields)
{
	bad("2022-09-15T24:00", TLDB_EDATE,
	    "2022-09-15T24:00: hour 24 is out of range", 12);
	bad("2022-09-15T10:60", TLDB_EDATE,
	    "2022-09-15T10:60: minute 60 is out of range", 15);
	bad("2022-09-15T10:00:60Z", TLDB_EDATE,
	    "2022-09-15T10:00:60Z: second 60 is out of range", 18);
	bad("2022-09-15T10", TLDB_EDATE,
	    "2022-09-15T10: expected ':' and minutes after the hour", 14);
	bad("2022-02T10:00", TLDB_EDATE,
	    "2022-02T10:00: a time needs a full date (YYYY-MM-DD) before it",
	    8);
}

Test(errors, offsets)
{
	bad("2022-09-15T10:00+25:00", TLDB_EDATE,
	    "2022-09-15T10:00+25:00: offset +25:00 is out of range", 17);
	bad("2022-09-15T10:00+05", TLDB_EDATE,
	    "2022-09-15T10:00+05: expected ':' in the offset (+HH:MM)", 20);
	bad("2022-09-15T10:00-00:00", TLDB_EDATE,
	    "2022-09-15T10:00-00:00: offset -00:00 is not accepted; write Z "
	    "or +00:00",
	    17);
}

Test(errors, trailing_garbage)
{
	bad("2022-09-15x", TLDB_EDATE, "2022-09-15x: unexpected 'x'", 11);
	bad("2022-09-15T10:00Zjunk", TLDB_EDATE,
	    "2022-09-15T10:00Zjunk: unexpected 'junk'", 18);
	bad("2022 ", TLDB_EDATE, "2022 : unexpected ' '", 5);
	bad("2022??", TLDB_EDATE, "2022??: unexpected '?'", 6);
}

Test(errors, empty)
{
	bad("", TLDB_EDATE, ": the date is empty", 1);
}

Test(errors, basic_format)
{
	bad("20220915", TLDB_EDATE,
	    "20220915: the basic format is not accepted; write YYYY-MM-DD", 1);
	bad("2022-9-15", TLDB_EDATE, "2022-9-15: expected a two-digit month",
	    6);
	bad("22", TLDB_EDATE, "22: expected a four-digit year", 1);
}

Test(errors, qualifier_on_time)
{
	bad("2022-09-15T10:00?", TLDB_EDATE,
	    "2022-09-15T10:00?: a qualifier ('?') cannot follow a time", 17);
}

Test(errors, interval_end_before_start)
{
	bad("2022-09/2022-02", TLDB_EDATE,
	    "2022-09/2022-02: the interval ends before it starts", 9);
	bad("2022/2023/2024", TLDB_EDATE,
	    "2022/2023/2024: unexpected second '/'", 10);
	bad("2022-03-01/2022-03-01", TLDB_OK, "", 0);
}

Test(errors, big_years)
{
	bad("12000", TLDB_EDATE,
	    "12000: a year of more than four digits needs the Y prefix "
	    "(Y12000)",
	    1);
	bad("Y1234", TLDB_EDATE,
	    "Y1234: a year with the Y prefix needs more than four digits and "
	    "no leading zero",
	    1);
	bad("Y01234", TLDB_EDATE,
	    "Y01234: a year with the Y prefix needs more than four digits and "
	    "no leading zero",
	    1);
	bad("Y1000000000", TLDB_EDATE,
	    "Y1000000000: year is out of range (at most 999999999)", 1);
	bad("-0000", TLDB_EDATE, "-0000: -0000 is not a year; write 0000", 1);
}

Test(errors, unknown_zone)
{
	tldb_date d;
	tldb_errbuf err = {{0}, 0};

	bad("2022-09-15T10:00[Nowhere/Land]", TLDB_EZONE,
	    "2022-09-15T10:00[Nowhere/Land]: unknown time zone "
	    "'Nowhere/Land'",
	    18);
	cr_assert_eq(
	        tldb_date_parse("2022-09-15T10:00", "Nowhere/Land", &d, &err),
	        TLDB_EZONE);
	cr_assert_str_eq(err.msg, "2022-09-15T10:00: unknown time zone "
	                          "'Nowhere/Land'");
	bad("2022-09-15T10:00[Europe/Berlin", TLDB_EDATE,
	    "2022-09-15T10:00[Europe/Berlin: missing ']' after the time zone",
	    17);
}

Test(errors, null_err_and_args)
{
	tldb_date d;
	cr_assert_eq(tldb_date_parse("2022-13", NULL, &d, NULL), TLDB_EDATE);
	cr_assert_eq(tldb_date_parse(NULL, NULL, &d, NULL), TLDB_EINVAL);
}

Test(format, too_small_buffer)
{
	tldb_date d = ok("2022-09-15", NULL);
	char buf[11];
	cr_assert_eq(tldb_date_format(&d, buf, 10), TLDB_ETOOBIG);
	cr_assert_eq(tldb_date_format(&d, buf, sizeof buf), 10);
	cr_assert_str_eq(buf, "2022-09-15");
}

/* ---- zones ---- */

Test(zone, exists)
{
	cr_assert(tldb_zone_exists("UTC"));
	cr_assert(tldb_zone_exists("Etc/UTC"));
	cr_assert(tldb_zone_exists("Europe/Berlin"));
	cr_assert(tldb_zone_exists("Etc/GMT+5"));
	cr_assert_not(tldb_zone_exists("Nowhere/Land"));
	cr_assert_not(tldb_zone_exists("../etc/passwd"));
	cr_assert_not(tldb_zone_exists("/usr/share/zoneinfo/UTC"));
	cr_assert_not(tldb_zone_exists("Europe"));
	cr_assert_not(tldb_zone_exists(""));
	cr_assert_not(tldb_zone_exists(NULL));
	cr_assert_not(
	        tldb_zone_exists("Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"
	                         "Bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"));
}

Test(zone, offsets)
{
	int off = 1;
	tldb_errbuf err = {{0}, 0};

	cr_assert_eq(tldb_zone_offset("UTC", NOW, &off, NULL), TLDB_OK);
	cr_assert_eq(off, 0);
	cr_assert_eq(tldb_zone_offset(NULL, NOW, &off, NULL), TLDB_OK);
	cr_assert_eq(off, 0);
	cr_assert_eq(tldb_zone_offset("Europe/Berlin", NOW, &off, NULL),
	             TLDB_OK);
	cr_assert_eq(off, 7200);
	cr_assert_eq(tldb_zone_offset("Europe/Berlin", INT64_C(1640995200),
	                              &off, NULL),
	             TLDB_OK);
	cr_assert_eq(off, 3600);
	cr_assert_eq(tldb_zone_offset("Nowhere/Land", NOW, &off, &err),
	             TLDB_EZONE);
	cr_assert_str_eq(err.msg, "unknown time zone 'Nowhere/Land'");
}

Test(zone, far_years_do_not_hang)
{
	/* 1000 and 9000 in Berlin: local mean time before 1893, the standing
	 * CET/CEST rule far in the future (equivalent-year lookups). */
	int off = 0;
	int64_t summer9000 = (tldb_days_from_civil(9000, 7, 1)) * DAY;
	int64_t winter9000 = (tldb_days_from_civil(9000, 1, 15)) * DAY;

	cr_assert_eq(tldb_zone_offset("Europe/Berlin",
	                              tldb_days_from_civil(1000, 7, 1) * DAY,
	                              &off, NULL),
	             TLDB_OK);
	cr_assert_eq(off, 3208);
	cr_assert_eq(tldb_zone_offset("Europe/Berlin", summer9000, &off, NULL),
	             TLDB_OK);
	cr_assert_eq(off, 7200);
	cr_assert_eq(tldb_zone_offset("Europe/Berlin", winter9000, &off, NULL),
	             TLDB_OK);
	cr_assert_eq(off, 3600);
	cr_assert_eq(tldb_zone_offset("America/New_York",
	                              tldb_days_from_civil(2600, 7, 4) * DAY,
	                              &off, NULL),
	             TLDB_OK);
	cr_assert_eq(off, -14400);
	cr_assert_eq(
	        tldb_zone_offset("Europe/Berlin", TLDB_TIME_MAX, &off, NULL),
	        TLDB_OK);
	cr_assert_eq(
	        tldb_zone_offset("Europe/Berlin", TLDB_TIME_MIN, &off, NULL),
	        TLDB_OK);
	cr_assert_eq(off, 3208);
}

Test(zone, far_year_wall_times)
{
	tldb_date d = ok("3000-07-01T12:00[Europe/Berlin]", NULL);
	cr_assert_eq(d.lo, INT64_C(32519354400));
	d = ok("3000-01-01T12:00[Europe/Berlin]", NULL);
	cr_assert_eq(d.lo, INT64_C(32503719600));
	d = ok("2600-07-04T12:00[America/New_York]", NULL);
	cr_assert_eq(d.lo, INT64_C(19896854400));
	d = ok("Y-12000-06-01T12:00[Europe/Berlin]", NULL);
	cr_assert_eq(d.lo, tldb_days_from_civil(-12000, 6, 1) * DAY +
	                           12 * 3600 - 3208);
}

Test(zone, to_utc_rules)
{
	int64_t u = 0;
	int64_t local = INT64_C(1648348200); /* 2022-03-27T02:30 wall */

	cr_assert_eq(tldb_zone_to_utc("Europe/Berlin", local, &u, NULL),
	             TLDB_OK);
	cr_assert_eq(u, local - 3600);
	local = INT64_C(1667097000); /* 2022-10-30T02:30 wall */
	cr_assert_eq(tldb_zone_to_utc("Europe/Berlin", local, &u, NULL),
	             TLDB_OK);
	cr_assert_eq(u, local - 7200);
	local = INT64_C(1667100600); /* 03:30, after the overlap */
	cr_assert_eq(tldb_zone_to_utc("Europe/Berlin", local, &u, NULL),
	             TLDB_OK);
	cr_assert_eq(u, local - 3600);
	cr_assert_eq(tldb_zone_to_utc("Etc/UTC", local, &u, NULL), TLDB_OK);
	cr_assert_eq(u, local);
	cr_assert_eq(tldb_zone_to_utc("No/Such", local, &u, NULL), TLDB_EZONE);
}

Test(zone, local_zone_is_valid)
{
	const char *z = tldb_zone_local();
	cr_assert_not_null(z);
	cr_assert(tldb_zone_exists(z), "local zone '%s'", z);
	cr_assert_eq(tldb_zone_local(), z);
}

typedef struct zone_case {
	const char *zone;
	int64_t local;
} zone_case;

static const zone_case zone_cases[] = {
        {"Europe/Berlin", INT64_C(1648348200)},
        {"Europe/Berlin", INT64_C(1667097000)},
        {"America/New_York", INT64_C(1647138600)},
        {"America/New_York", INT64_C(1667698200)},
        {"Asia/Samarkand", INT64_C(1663236000)},
        {"Australia/Lord_Howe", INT64_C(1664679600)},
        {"Asia/Kolkata", INT64_C(-2208988800)},
        {"Pacific/Auckland", INT64_C(32503719600)},
};
#define NCASES (sizeof zone_cases / sizeof zone_cases[0])
static int64_t zone_expect[NCASES];

static void *zone_worker(void *arg)
{
	int *fails = arg;
	int i;
	size_t k;

	for (i = 0; i < 300; i++)
		for (k = 0; k < NCASES; k++) {
			int64_t u = 0;
			if (tldb_zone_to_utc(zone_cases[k].zone,
			                     zone_cases[k].local, &u,
			                     NULL) != TLDB_OK ||
			    u != zone_expect[k])
				(*fails)++;
		}
	return NULL;
}

Test(zone, threads_agree)
{
	pthread_t th[4];
	int fails[4] = {0, 0, 0, 0};
	size_t k;
	int i;

	for (k = 0; k < NCASES; k++)
		cr_assert_eq(tldb_zone_to_utc(zone_cases[k].zone,
		                              zone_cases[k].local,
		                              &zone_expect[k], NULL),
		             TLDB_OK);
	cr_assert_eq(zone_expect[0], INT64_C(1648344600));
	cr_assert_eq(zone_expect[2], INT64_C(1647156600));
	for (i = 0; i < 4; i++)
		cr_assert_eq(
		        pthread_create(&th[i], NULL, zone_worker, &fails[i]),
		        0);
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		cr_assert_eq(fails[i], 0, "thread %d: %d mismatches", i,
		             fails[i]);
	}
}

/* ---- round-trip property ---- */

static uint64_t rng_state = UINT64_C(0x9E3779B97F4A7C15);

static uint64_t xorshift64(void)
{
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x;
}

static int rnd(int lo, int hi) /* inclusive */
{
	return lo + (int)(xorshift64() % (uint64_t)(hi - lo + 1));
}

static const char *const prop_zones[] = {"Europe/Berlin", "America/New_York",
                                         "Asia/Samarkand", "UTC"};

static void random_point(tldb_datepoint *p)
{
	memset(p, 0, sizeof *p);
	p->kind = TLDB_POINT_DATE;
	p->precision = (tldb_precision)rnd(1, 5);
	p->year = rnd(-9999, 9999);
	p->month = p->precision >= TLDB_PREC_MONTH ? rnd(1, 12) : 1;
	p->day = p->precision >= TLDB_PREC_DAY
	                 ? rnd(1, tldb_days_in_month(p->year, p->month))
	                 : 1;
	if (p->precision >= TLDB_PREC_MINUTE) {
		p->hour = rnd(0, 23);
		p->minute = rnd(0, 59);
		p->second = p->precision == TLDB_PREC_SECOND ? rnd(0, 59) : 0;
		p->zone_kind = (tldb_zone_kind)rnd(0, 3);
		if (p->zone_kind == TLDB_ZONE_OFFSET)
			p->offset_minutes = rnd(-23 * 60 - 59, 23 * 60 + 59);
		if (p->zone_kind == TLDB_ZONE_NAMED) {
			const char *z = prop_zones[rnd(0, 3)];
			memcpy(p->zone, z, strlen(z) + 1);
		}
	} else {
		p->qualifiers = (unsigned)rnd(0, 3);
	}
	if (p->zone_kind == TLDB_ZONE_OFFSET && p->offset_minutes == 0)
		p->offset_minutes = 60;
}

/* The bounds a point must get, computed here from the fields. */
static void expected_bounds(const tldb_datepoint *p, const char *zone,
                            int64_t *lo, int64_t *hi)
{
	int64_t day = tldb_days_from_civil(p->year, p->month, p->day);
	int64_t local = day * DAY + p->hour * 3600 + p->minute * 60 + p->second;

	switch (p->precision) {
	case TLDB_PREC_YEAR:
		*lo = day * DAY;
		*hi = tldb_days_from_civil(p->year + 1, 1, 1) * DAY;
		return;
	case TLDB_PREC_MONTH:
		*lo = day * DAY;
		*hi = p->month == 12
		              ? tldb_days_from_civil(p->year + 1, 1, 1) * DAY
		              : tldb_days_from_civil(p->year, p->month + 1, 1) *
		                        DAY;
		return;
	case TLDB_PREC_DAY:
		*lo = day * DAY;
		*hi = *lo + DAY;
		return;
	default:
		break;
	}
	if (p->zone_kind == TLDB_ZONE_OFFSET)
		*lo = local - p->offset_minutes * 60;
	else if (p->zone_kind == TLDB_ZONE_UTC)
		*lo = local;
	else
		cr_assert_eq(tldb_zone_to_utc(p->zone_kind == TLDB_ZONE_NAMED
		                                      ? p->zone
		                                      : zone,
		                              local, lo, NULL),
		             TLDB_OK);
	*hi = *lo + (p->precision == TLDB_PREC_SECOND ? 1 : 60);
}

static void same_point(const tldb_datepoint *a, const tldb_datepoint *b,
                       const char *s)
{
	cr_assert_eq(a->precision, b->precision, "%s", s);
	cr_assert_eq(a->year, b->year, "%s", s);
	cr_assert_eq(a->month, b->month, "%s", s);
	cr_assert_eq(a->day, b->day, "%s", s);
	cr_assert_eq(a->hour, b->hour, "%s", s);
	cr_assert_eq(a->minute, b->minute, "%s", s);
	cr_assert_eq(a->second, b->second, "%s", s);
	cr_assert_eq(a->qualifiers, b->qualifiers, "%s", s);
	cr_assert_eq(a->zone_kind, b->zone_kind, "%s", s);
	cr_assert_eq(a->offset_minutes, b->offset_minutes, "%s", s);
	cr_assert_str_eq(a->zone, b->zone, "%s", s);
}

static void check_one_random(const char *zone)
{
	tldb_date d, back;
	char buf[TLDB_DATE_STRMAX], buf2[TLDB_DATE_STRMAX];
	int64_t lo, hi, elo, ehi;
	int rc;

	memset(&d, 0, sizeof d);
	random_point(&d.start);
	d.is_interval = rnd(0, 4) == 0;
	if (d.is_interval)
		random_point(&d.end);
	cr_assert_gt(tldb_date_format(&d, buf, sizeof buf), 0);
	rc = tldb_date_parse(buf, zone, &back, NULL);
	expected_bounds(&d.start, zone, &lo, &hi);
	if (d.is_interval) {
		expected_bounds(&d.end, zone, &elo, &ehi);
		if (ehi <= lo) {
			cr_assert_eq(rc, TLDB_EDATE, "%s", buf);
			return;
		}
		hi = ehi;
	}
	cr_assert_eq(rc, TLDB_OK, "%s", buf);
	same_point(&d.start, &back.start, buf);
	if (d.is_interval)
		same_point(&d.end, &back.end, buf);
	cr_assert_eq(back.lo, lo, "%s", buf);
	cr_assert_eq(back.hi, hi, "%s", buf);
	cr_assert_eq(tldb_date_format(&back, buf2, sizeof buf2),
	             (int)strlen(buf));
	cr_assert_str_eq(buf2, buf);
}

Test(property, round_trip_20000)
{
	int i;

	for (i = 0; i < 20000; i++)
		check_one_random(i % 2 ? "America/New_York" : NULL);
}

/* ---- range words ---- */

static void range1(const char *w, const char *zone, int64_t now, int64_t lo,
                   int64_t hi)
{
	int64_t l = 0, h = 0;
	tldb_errbuf err = {{0}, 0};
	const char *words[1] = {w};
	int rc = tldb_range_parse(words, 1, now, zone, &l, &h, &err);

	cr_assert_eq(rc, TLDB_OK, "'%s': %s", w, err.msg);
	cr_assert_eq(l, lo, "'%s': lo %lld != %lld", w, (long long)l,
	             (long long)lo);
	cr_assert_eq(h, hi, "'%s': hi %lld != %lld", w, (long long)h,
	             (long long)hi);
}

static void range2(const char *a, const char *b, int64_t lo, int64_t hi)
{
	int64_t l = 0, h = 0;
	const char *words[2] = {a, b};

	cr_assert_eq(tldb_range_parse(words, 2, NOW, "UTC", &l, &h, NULL),
	             TLDB_OK);
	cr_assert_eq(l, lo, "'%s %s' lo", a, b);
	cr_assert_eq(h, hi, "'%s %s' hi", a, b);
}

#define D0915 INT64_C(1663200000)

Test(range, keywords)
{
	range1("today", "UTC", NOW, D0915, D0915 + DAY);
	range1("yesterday", "UTC", NOW, D0915 - DAY, D0915);
	range1("tomorrow", NULL, NOW, D0915 + DAY, D0915 + 2 * DAY);
	range1("now", "UTC", NOW, NOW, NOW + 1);
}

Test(range, offsets_are_spans)
{
	range1("7d", "UTC", NOW, D0915, D0915 + 7 * DAY);
	range1("-3d", "UTC", NOW, D0915 - 3 * DAY, D0915 + DAY);
	range1("2w", "UTC", NOW, D0915, INT64_C(1664409600));
	range1("1m", "UTC", NOW, D0915, INT64_C(1665792000));
	range1("1y", "UTC", NOW, D0915, INT64_C(1694736000));
	range1("+1d", "UTC", NOW, D0915, D0915 + DAY);
	range1("0d", "UTC", NOW, D0915, D0915 + DAY);
}

Test(range, word_offset_is_a_day)
{
	int64_t lo = 0, hi = 0;

	cr_assert_eq(tldb_range_word("7d", NOW, "UTC", &lo, &hi, NULL),
	             TLDB_OK);
	cr_assert_eq(lo, D0915 + 7 * DAY);
	cr_assert_eq(hi, D0915 + 8 * DAY);
	cr_assert_eq(tldb_range_word("-1m", NOW, "UTC", &lo, &hi, NULL),
	             TLDB_OK);
	cr_assert_eq(lo, INT64_C(1660521600)); /* 2022-08-15 */
	/* 2022-01-31 + 1 month clamps to 2022-02-28. */
	cr_assert_eq(tldb_range_word("1m", INT64_C(1643630400), "UTC", &lo, &hi,
	                             NULL),
	             TLDB_OK);
	cr_assert_eq(lo, INT64_C(1646006400));
	cr_assert_eq(tldb_range_word("2022-09", NOW, "UTC", &lo, &hi, NULL),
	             TLDB_OK);
	cr_assert_eq(lo, INT64_C(1661990400));
	cr_assert_eq(hi, INT64_C(1664582400));
}

Test(range, dates_and_intervals)
{
	range1("2022-09", "UTC", NOW, INT64_C(1661990400), INT64_C(1664582400));
	range1("2022-02..2022-09", "UTC", NOW, INT64_C(1643673600),
	       INT64_C(1664582400));
	range1("2022-02/2022-09", "UTC", NOW, INT64_C(1643673600),
	       INT64_C(1664582400));
	range1("2022-02/..", "UTC", NOW, INT64_C(1643673600), TLDB_TIME_MAX);
	range1("today..tomorrow", "UTC", NOW, D0915, D0915 + 2 * DAY);
	range1("today/7d", "UTC", NOW, D0915, D0915 + 7 * DAY);
	range1("2022-09-01..today", "UTC", NOW, INT64_C(1661990400),
	       D0915 + DAY);
	range1("2022-09..", "UTC", NOW, INT64_C(1661990400), TLDB_TIME_MAX);
	range1("today/2022-09-16T10:00[Europe/Berlin]", "UTC", NOW, D0915,
	       INT64_C(1663315260));
	range1("..2022", "UTC", NOW, TLDB_TIME_MIN, INT64_C(1672531200));
	range1("2022-09-15T10:00", "Europe/Berlin", NOW, INT64_C(1663228800),
	       INT64_C(1663228860));
}

Test(range, two_words)
{
	range2("today", "7d", D0915, D0915 + 7 * DAY);
	range2("2022-02", "2022-09", INT64_C(1643673600), INT64_C(1664582400));
	range2("2022-09-10", "-1d", INT64_C(1662768000), D0915);
	range2("2022-09-10", "1m", INT64_C(1662768000), INT64_C(1665360000));
}

Test(range, no_words_is_everything)
{
	int64_t lo = 0, hi = 0;
	cr_assert_eq(tldb_range_parse(NULL, 0, NOW, "UTC", &lo, &hi, NULL),
	             TLDB_OK);
	cr_assert_eq(lo, TLDB_TIME_MIN);
	cr_assert_eq(hi, TLDB_TIME_MAX);
}

Test(range, other_zone_today)
{
	/* 12:00Z is 00:00 on the 16th in Auckland (NZST, +12). */
	range1("today", "Pacific/Auckland", NOW, D0915 + DAY, D0915 + 2 * DAY);
	range1("7d", "Pacific/Auckland", NOW, D0915 + DAY, D0915 + 8 * DAY);
	/* 02:00Z on the 15th is still the 14th in Los Angeles. */
	range1("today", "America/Los_Angeles", NOW - 10 * 3600, D0915 - DAY,
	       D0915);
	range1("today", "America/Los_Angeles", NOW, D0915, D0915 + DAY);
}

Test(range, errors)
{
	int64_t lo, hi;
	tldb_errbuf err = {{0}, 0};
	const char *w1[1] = {"tomorow"};
	const char *w2[2] = {"2022-09", "2022-02"};
	const char *w3[3] = {"a", "b", "c"};
	const char *w4[1] = {"2022-13"};
	const char *w5[1] = {"100001d"};
	const char *w6[1] = {"2022-09..2022-02"};

	cr_assert_eq(tldb_range_parse(w1, 1, NOW, "UTC", &lo, &hi, &err),
	             TLDB_EDATE);
	cr_assert_str_eq(err.msg, "bad range word 'tomorow'");
	cr_assert_eq(tldb_range_parse(w2, 2, NOW, "UTC", &lo, &hi, &err),
	             TLDB_EDATE);
	cr_assert_str_eq(err.msg, "2022-09 2022-02: range ends before it "
	                          "starts");
	cr_assert_eq(tldb_range_parse(w6, 1, NOW, "UTC", &lo, &hi, &err),
	             TLDB_EDATE);
	cr_assert_str_eq(err.msg, "2022-09..2022-02: range ends before it "
	                          "starts");
	cr_assert_eq(tldb_range_parse(w3, 3, NOW, "UTC", &lo, &hi, &err),
	             TLDB_EINVAL);
	cr_assert_eq(tldb_range_parse(w4, 1, NOW, "UTC", &lo, &hi, &err),
	             TLDB_EDATE);
	cr_assert_str_eq(err.msg, "2022-13: month 13 is out of range");
	cr_assert_eq(tldb_range_parse(w5, 1, NOW, "UTC", &lo, &hi, &err),
	             TLDB_EDATE);
	cr_assert_str_eq(err.msg, "100001d: offset is too large (at most "
	                          "100000)");
	cr_assert_eq(tldb_range_word("7x", NOW, "UTC", &lo, &hi, &err),
	             TLDB_EDATE);
	cr_assert_str_eq(err.msg, "bad range word '7x'");
	cr_assert_eq(tldb_range_word("today", NOW, "No/Zone", &lo, &hi, &err),
	             TLDB_EZONE);
}
