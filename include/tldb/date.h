/*
 * date.h -- EDTF dates with honest precision, their bounds, and time zones.
 *
 * tldb accepts the EDTF subset of the contract (docs/FORMAT.md):
 *
 *   2001   -0044   Y12000           year precision
 *   2022-02                         month
 *   2022-09-15                      day
 *   2022-09-15T10:00   ...T10:00:30 minute / second, floating (no zone)
 *   ...T10:00Z   ...T10:00+05:00   ...T10:00[Asia/Samarkand]
 *   2022?  2022-02~  2022%          uncertain / approximate / both
 *   2022-02/2022-09   2022-02/..   ../2022   2022/   (open and unknown ends)
 *
 * Every date has bounds [lo, hi): seconds since 1970-01-01T00:00:00Z on the
 * proleptic Gregorian calendar, signed 64-bit, so 44 BC and Y12000 work.  No
 * code here goes through time_t, mktime or TZ.  Date-only values (year, month,
 * day) are civil days and their bounds are taken in UTC; floating times are
 * resolved in a zone the caller names (UTC when none).  Open interval ends
 * give TLDB_TIME_MIN / TLDB_TIME_MAX.
 *
 * Time zones are IANA names resolved through libical against the system's
 * zoneinfo; the functions here are thread-safe.
 */
#ifndef TLDB_DATE_H
#define TLDB_DATE_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TLDB_TIME_MIN INT64_MIN
#define TLDB_TIME_MAX INT64_MAX

/* Largest |year| accepted (with the Y prefix past four digits). */
#define TLDB_YEAR_MAX INT64_C(999999999)

/* Longest IANA zone name accepted, and the size of a formatted date. */
#define TLDB_ZONE_NAME_MAX 64
#define TLDB_DATE_STRMAX   192

/* Finer precisions compare greater. */
typedef enum tldb_precision {
	TLDB_PREC_NONE = 0, /* an open or unknown interval end */
	TLDB_PREC_YEAR = 1,
	TLDB_PREC_MONTH = 2,
	TLDB_PREC_DAY = 3,
	TLDB_PREC_MINUTE = 4,
	TLDB_PREC_SECOND = 5
} tldb_precision;

/* Qualifier bits; '%' sets both. */
enum { TLDB_QUAL_UNCERTAIN = 1, TLDB_QUAL_APPROXIMATE = 2 };

typedef enum tldb_zone_kind {
	TLDB_ZONE_FLOATING = 0, /* local wall time, no zone */
	TLDB_ZONE_UTC = 1,      /* Z */
	TLDB_ZONE_OFFSET = 2,   /* +05:00 */
	TLDB_ZONE_NAMED = 3     /* [Asia/Samarkand] */
} tldb_zone_kind;

typedef enum tldb_point_kind {
	TLDB_POINT_DATE = 0,
	TLDB_POINT_OPEN = 1,   /* ".." in an interval */
	TLDB_POINT_UNKNOWN = 2 /* an empty interval end */
} tldb_point_kind;

/* One calendar point.  Fields finer than `precision` are 0 (month, day: 1). */
typedef struct tldb_datepoint {
	tldb_point_kind kind;
	tldb_precision precision;
	unsigned qualifiers;
	int64_t year;
	int month, day, hour, minute, second;
	tldb_zone_kind zone_kind;
	int offset_minutes;            /* TLDB_ZONE_OFFSET only */
	char zone[TLDB_ZONE_NAME_MAX]; /* TLDB_ZONE_NAMED only */
	int64_t lo, hi;                /* bounds of this point */
} tldb_datepoint;

/* A date: a single point, or an interval of two points. */
typedef struct tldb_date {
	int is_interval;
	tldb_datepoint start;
	tldb_datepoint end;       /* is_interval only */
	int64_t lo, hi;           /* [start.lo, end.hi) for an interval */
	tldb_precision precision; /* the coarsest known end */
} tldb_date;

/* Parses `s` (NUL-terminated) into *out.  Floating times are resolved in
 * `zone` (an IANA name; NULL or "" means UTC).  On failure returns
 * TLDB_EDATE (or TLDB_EZONE) with a message that names the bad part
 * ("2022-13-01: month 13 is out of range") and its column in *err (err may be
 * NULL); *out is then unspecified. */
TLDB_API TLDB_NODISCARD int tldb_date_parse(const char *s, const char *zone,
                                            tldb_date *out, tldb_errbuf *err);

/* Writes the canonical form of `d` into buf (NUL-terminated).  Returns the
 * length written, or TLDB_ETOOBIG when `size` is too small
 * (TLDB_DATE_STRMAX always suffices).  format(parse(s)) == s for any
 * canonical s. */
TLDB_API int tldb_date_format(const tldb_date *d, char *buf, size_t size);

/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d (m 1..12,
 * d 1..31; not validated). */
TLDB_API int64_t tldb_days_from_civil(int64_t y, int m, int d);

/* Inverse of tldb_days_from_civil. */
TLDB_API void tldb_civil_from_days(int64_t days, int64_t *y, int *m, int *d);

/* Days in month m (1..12) of year y. */
TLDB_API int tldb_days_in_month(int64_t y, int m);

/* 1 when y is a leap year of the proleptic Gregorian calendar. */
TLDB_API int tldb_is_leap_year(int64_t y);

/* Writes instant t as RFC 3339 UTC ("2026-11-29T09:00:00Z") into buf, which
 * must hold at least 32 bytes.  Returns the length written. */
TLDB_API int tldb_format_instant(int64_t t, char *buf, size_t size);

/* Seconds since the epoch now, from the realtime clock. */
TLDB_API int64_t tldb_now(void);

/* "year", "month", "day", "minute", "second", or "none". */
TLDB_API const char *tldb_precision_name(tldb_precision p);

/* Parses a precision name; returns TLDB_PREC_NONE when unknown. */
TLDB_API tldb_precision tldb_precision_parse(const char *name);

/* 1 when `zone` names a time zone of the tz database, else 0. */
TLDB_API int tldb_zone_exists(const char *zone);

/* The UTC offset in seconds of `zone` at UTC instant `utc`.  Returns TLDB_OK
 * or TLDB_EZONE (message in *err, which may be NULL). */
TLDB_API TLDB_NODISCARD int tldb_zone_offset(const char *zone, int64_t utc,
                                             int *offset_seconds,
                                             tldb_errbuf *err);

/* Converts wall time `local` (seconds since the epoch as if the wall clock
 * were UTC) in `zone` to a UTC instant, as RFC 5545 3.3.5 says: a time in an
 * overlap is its first occurrence; a time in a gap is read with the offset in
 * force before the gap.  Returns TLDB_OK or TLDB_EZONE. */
TLDB_API TLDB_NODISCARD int tldb_zone_to_utc(const char *zone, int64_t local,
                                             int64_t *utc, tldb_errbuf *err);

/* The local time zone's IANA name: $TZ when it names a zone, else the target
 * of /etc/localtime, else /etc/timezone, else "UTC".  The string is static. */
TLDB_API const char *tldb_zone_local(void);

/* Range words of the command line, as khal reads them.
 *
 * One word may be an EDTF date or interval, `A..B`, `today`, `yesterday`,
 * `tomorrow`, `now`, or an offset from today (`7d`, `-3d`, `2w`, `1m`, `1y`:
 * days, weeks, calendar months and years), which alone means the day it
 * lands on.  Words are resolved in `zone` (the day of `now` there).
 *
 * tldb_range_parse reads 0, 1 or 2 words into [*lo, *hi):
 *   no words           everything (TLDB_TIME_MIN, TLDB_TIME_MAX)
 *   A                  A's bounds; a lone offset is a span from today: `7d`
 *                      the next seven days from today, `-3d` the three days
 *                      before today and today
 *   A..B  A/B  A B     A's lo to B's hi (B inclusive at its precision); when B
 *                      is a positive offset, it is a length: `today 7d`
 * Returns TLDB_OK, or TLDB_EDATE / TLDB_EINVAL with a message in *err. */
TLDB_API TLDB_NODISCARD int tldb_range_parse(const char *const *words,
                                             size_t nwords, int64_t now,
                                             const char *zone, int64_t *lo,
                                             int64_t *hi, tldb_errbuf *err);

/* The bounds of a single range word (see above; an offset is the day it lands
 * on).  Used for --from (its lo) and --to (its hi). */
TLDB_API TLDB_NODISCARD int tldb_range_word(const char *word, int64_t now,
                                            const char *zone, int64_t *lo,
                                            int64_t *hi, tldb_errbuf *err);

#ifdef __cplusplus
}
#endif

#endif /* TLDB_DATE_H */
