/*
 * ics_time.c -- dates and wall times for the ical plugin, on the
 * proleptic Gregorian calendar in signed 64-bit seconds, never through
 * time_t (1850, 0999 and 44 BC must work).  Also reads the wall time of an
 * EDTF time point (floating, Z, +HH:MM or [Zone]) and tells whether a wall
 * time is unique in a zone (not in a DST gap or overlap), with the host's
 * tz database.
 */
#include <string.h>

#include "ical_plugin.h"

/* The fields of a date or time written by the ics_format_* and ics_edtf_*
 * functions, in the order they appear; every field is a fixed number of
 * digits, years 0..9999 being checked by the callers. */
typedef struct stamp {
	char s[32];
	size_t n;
} stamp;

static void digits_of(stamp *st, int v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		st->s[st->n + (size_t)i] = (char)('0' + v % 10);
		v /= 10;
	}
	st->n += (size_t)width;
}

static void char_of(stamp *st, char c)
{
	st->s[st->n++] = c;
}

/* Copies the stamp to buf as snprintf would (truncated to size - 1 bytes
 * and terminated) and returns its length.  These dates are written for
 * every event of an export, where snprintf was a sixth of the time. */
static int stamp_out(const stamp *st, char *buf, size_t size)
{
	if (size) {
		size_t k = st->n < size - 1 ? st->n : size - 1;
		memcpy(buf, st->s, k);
		buf[k] = '\0';
	}
	return (int)st->n;
}

/* YYYY MM DD with sep between them (none when sep is 0). */
static void date_of(stamp *st, const civil_time *tm, char sep)
{
	digits_of(st, (int)tm->year, 4);
	if (sep)
		char_of(st, sep);
	digits_of(st, tm->month, 2);
	if (sep)
		char_of(st, sep);
	digits_of(st, tm->day, 2);
}

int ics_writable(int64_t t)
{
	/* 0001-01-01T00:00:00 and 10000-01-01T00:00:00 */
	const int64_t lo = -62135596800, hi = 253402300800;
	return t >= lo && t < hi;
}

int ics_format_date(int64_t t, char *buf, size_t size)
{
	civil_time tm;
	civil_time_from_seconds(t, &tm);
	if (tm.year < 1 || tm.year > 9999)
		return -1;
	stamp st = {.n = 0};
	date_of(&st, &tm, 0);
	return stamp_out(&st, buf, size);
}

int ics_format_datetime(int64_t t, int utc, char *buf, size_t size)
{
	civil_time tm;
	civil_time_from_seconds(t, &tm);
	if (tm.year < 1 || tm.year > 9999)
		return -1;
	stamp st = {.n = 0};
	date_of(&st, &tm, 0);
	char_of(&st, 'T');
	digits_of(&st, tm.hour, 2);
	digits_of(&st, tm.minute, 2);
	digits_of(&st, tm.second, 2);
	if (utc)
		char_of(&st, 'Z');
	return stamp_out(&st, buf, size);
}

int ics_edtf_date(int64_t t, char *buf, size_t size)
{
	civil_time tm;
	civil_time_from_seconds(t, &tm);
	if (tm.year < 0 || tm.year > 9999)
		return -1;
	stamp st = {.n = 0};
	date_of(&st, &tm, '-');
	return stamp_out(&st, buf, size);
}

int ics_edtf_time(int64_t t, int utc, char *buf, size_t size)
{
	civil_time tm;
	civil_time_from_seconds(t, &tm);
	if (tm.year < 0 || tm.year > 9999)
		return -1;
	stamp st = {.n = 0};
	date_of(&st, &tm, '-');
	char_of(&st, 'T');
	digits_of(&st, tm.hour, 2);
	char_of(&st, ':');
	digits_of(&st, tm.minute, 2);
	if (tm.second) {
		char_of(&st, ':');
		digits_of(&st, tm.second, 2);
	}
	if (utc)
		char_of(&st, 'Z');
	return stamp_out(&st, buf, size);
}

static int digits(const char *s, size_t n, size_t at, size_t k, int *out)
{
	int v = 0;
	if (at + k > n)
		return -1;
	for (size_t i = at; i < at + k; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

void ics_parse_wall(const char *s, size_t n, ics_wall *w)
{
	memset(w, 0, sizeof *w);
	civil_time tm = {0};
	int y, neg = n > 0 && s[0] == '-';
	size_t i = (size_t)neg;
	if (digits(s, n, i, 4, &y) || i + 16 > n || s[i + 4] != '-' ||
	    digits(s, n, i + 5, 2, &tm.month) || s[i + 7] != '-' ||
	    digits(s, n, i + 8, 2, &tm.day) ||
	    (s[i + 10] != 'T' && s[i + 10] != 't') ||
	    digits(s, n, i + 11, 2, &tm.hour) || s[i + 13] != ':' ||
	    digits(s, n, i + 14, 2, &tm.minute))
		return;
	tm.year = neg ? -y : y;
	i += 16;
	if (i < n && s[i] == ':') {
		if (digits(s, n, i + 1, 2, &tm.second))
			return;
		w->has_seconds = 1;
		i += 3;
	}
	w->local = civil_seconds_from_time(&tm);
	if (i == n) {
		w->kind = ICS_WALL_FLOATING;
	} else if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == n) {
		w->kind = ICS_WALL_UTC;
	} else if (s[i] == '+' || s[i] == '-') {
		w->kind = ICS_WALL_OFFSET;
	} else if (s[i] == '[' && s[n - 1] == ']' &&
	           n - i - 2 < sizeof w->zone) {
		memcpy(w->zone, s + i + 1, n - i - 2);
		w->zone[n - i - 2] = '\0';
		w->kind = ICS_WALL_ZONED;
	}
}

int ics_wall_unique(const char *zone, int64_t local, int64_t *utc)
{
	int64_t first;
	if (ical_host->zone_to_utc(zone, local, &first))
		return 0;
	/* Every offset in force within a day of the wall time. */
	int32_t offs[3];
	const int64_t probes[3] = {first - 86400, first, first + 86400};
	int found = 0;
	int64_t hit = 0;
	for (int k = 0; k < 3; k++) {
		if (ical_host->zone_offset(zone, probes[k], &offs[k]))
			return 0;
		int dup = 0;
		for (int j = 0; j < k; j++)
			dup |= offs[j] == offs[k];
		if (dup)
			continue;
		int64_t u = local - offs[k];
		int32_t at;
		if (ical_host->zone_offset(zone, u, &at))
			return 0;
		if (u + at == local && (!found || u != hit)) {
			found++;
			hit = u;
		}
	}
	*utc = hit;
	return found == 1;
}
