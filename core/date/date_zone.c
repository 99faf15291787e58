/*
 * date_zone.c -- IANA time zones through libical, which on Debian reads the
 * system's zoneinfo: does a zone exist, its UTC offset at an instant, wall
 * time to UTC by RFC 5545 3.3.5 (overlap: first occurrence; gap: the offset
 * in force before the gap), and the name of the local zone.
 *
 * libical's state is not shared safely between threads, so every libical
 * call here runs under zone_lock.  libical only expands a zone's transitions
 * up to year 2582 and gets slow (milliseconds per lookup) and wrong past it,
 * so lookups are moved to an equivalent year first: instants before 1600 are
 * looked up at 1600-01-01 (no zone has transitions that early, they all sit
 * on local mean time), and instants after 2128 are shifted by whole 400-year
 * Gregorian cycles and then to the year of 2101..2128 with the same leap-ness
 * and weekday of January 1 (that window lies past every transition the tz
 * database lists explicitly, so only the zone's standing rule applies there).
 */
#include <libical/ical.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "date_internal.h"

static pthread_mutex_t zone_lock = PTHREAD_MUTEX_INITIALIZER;

#define LOOKUP_YEAR_FIRST   INT64_C(1600)
#define LOOKUP_WINDOW_FIRST INT64_C(2101)
#define LOOKUP_WINDOW_END   INT64_C(2129) /* exclusive */

/* 1 when `name` is shaped like an IANA zone name we are willing to open. */
static int zone_name_ok(const char *name)
{
	size_t i, len;

	if (!name)
		return 0;
	len = strlen(name);
	if (len == 0 || len > TLDB_ZONE_NAME_MAX - 1 || name[0] == '/' ||
	    name[len - 1] == '/' || strstr(name, "..") || strstr(name, "//"))
		return 0;
	for (i = 0; i < len; i++) {
		char c = name[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '/' || c == '_' ||
		      c == '-' || c == '+' || c == '.'))
			return 0;
	}
	/* Files of the zoneinfo folder that are not zones of their own. */
	if (strcmp(name, "localtime") == 0 || strcmp(name, "posixrules") == 0 ||
	    strncmp(name, "right/", 6) == 0 || strchr(name, '.') != NULL)
		return 0;
	return 1;
}

/* Looks the zone up; call with zone_lock held.  NULL when unknown. */
static icaltimezone *zone_get_locked(const char *name)
{
	icaltimezone *tz = icaltimezone_get_builtin_timezone(name);
	icalerrno = ICAL_NO_ERROR;
	return tz;
}

/* The instant whose offset libical is asked for in place of `utc`. */
static int64_t lookup_instant(int64_t utc)
{
	int64_t days = civil_floor_div(utc, TLDB_DAY_SECONDS);
	int64_t sod = civil_floor_mod(utc, TLDB_DAY_SECONDS);
	int64_t y, y1, y2, jan1, wd;
	int m, d;

	tldb_civil_from_days(days, &y, &m, &d);
	if (y < LOOKUP_YEAR_FIRST)
		return tldb_days_from_civil(LOOKUP_YEAR_FIRST, 1, 1) *
		       TLDB_DAY_SECONDS;
	if (y < LOOKUP_WINDOW_END)
		return utc;
	/* Same calendar, 400-year cycles earlier: y1 in [2129, 2529). */
	y1 = LOOKUP_WINDOW_END + civil_floor_mod(y - LOOKUP_WINDOW_END, 400);
	days -= (y - y1) / 400 * 146097;
	jan1 = tldb_days_from_civil(y1, 1, 1);
	wd = civil_floor_mod(jan1 + 4, 7); /* 1970-01-01 was a Thursday */
	for (y2 = LOOKUP_WINDOW_FIRST; y2 < LOOKUP_WINDOW_END; y2++) {
		int64_t j2 = tldb_days_from_civil(y2, 1, 1);
		if (tldb_is_leap_year(y2) == tldb_is_leap_year(y1) &&
		    civil_floor_mod(j2 + 4, 7) == wd) {
			days -= jan1 - j2;
			break;
		}
	}
	return days * TLDB_DAY_SECONDS + sod;
}

/* Offset of tz at utc; call with zone_lock held. */
static int offset_locked(icaltimezone *tz, int64_t utc)
{
	int64_t t = lookup_instant(utc);
	int64_t y, sod = civil_floor_mod(t, TLDB_DAY_SECONDS);
	int m, d, dst = 0, off;
	struct icaltimetype tt = icaltime_null_time();

	tldb_civil_from_days(civil_floor_div(t, TLDB_DAY_SECONDS), &y, &m, &d);
	tt.year = (int)y;
	tt.month = m;
	tt.day = d;
	tt.hour = (int)(sod / 3600);
	tt.minute = (int)(sod / 60 % 60);
	tt.second = (int)(sod % 60);
	tt.is_date = 0;
	off = icaltimezone_get_utc_offset_of_utc_time(tz, &tt, &dst);
	icalerrno = ICAL_NO_ERROR;
	return off;
}

static int unknown_zone(const char *zone, tldb_errbuf *err)
{
	tl_errf_plain(err, 0, "unknown time zone '%s'", zone ? zone : "");
	return TLDB_EZONE;
}

TLDB_API int tldb_zone_exists(const char *zone)
{
	icaltimezone *tz;

	if (!zone_name_ok(zone))
		return 0;
	pthread_mutex_lock(&zone_lock);
	tz = zone_get_locked(zone);
	pthread_mutex_unlock(&zone_lock);
	return tz != NULL;
}

/* Instants this far out cannot have an offset added without overflow. */
#define INSTANT_LIMIT (INT64_MAX / 4)

TLDB_API int tldb_zone_offset(const char *zone, int64_t utc,
                              int *offset_seconds, tldb_errbuf *err)
{
	icaltimezone *tz;
	int off;

	if (!offset_seconds)
		return TLDB_EINVAL;
	if (tl_zone_is_default(zone)) {
		*offset_seconds = 0;
		return TLDB_OK;
	}
	if (!zone_name_ok(zone))
		return unknown_zone(zone, err);
	pthread_mutex_lock(&zone_lock);
	tz = zone_get_locked(zone);
	off = tz ? offset_locked(tz, utc) : 0;
	pthread_mutex_unlock(&zone_lock);
	if (!tz)
		return unknown_zone(zone, err);
	*offset_seconds = off;
	return TLDB_OK;
}

TLDB_API int tldb_zone_to_utc(const char *zone, int64_t local, int64_t *utc,
                              tldb_errbuf *err)
{
	icaltimezone *tz;
	int before, after, ok1, ok2;
	int64_t u1, u2;

	if (!utc)
		return TLDB_EINVAL;
	if (local < -INSTANT_LIMIT || local > INSTANT_LIMIT) {
		tl_errf_plain(err, 0, "time out of range");
		return TLDB_EINVAL;
	}
	if (tl_zone_is_default(zone)) {
		*utc = local;
		return TLDB_OK;
	}
	if (!zone_name_ok(zone))
		return unknown_zone(zone, err);
	pthread_mutex_lock(&zone_lock);
	tz = zone_get_locked(zone);
	if (!tz) {
		pthread_mutex_unlock(&zone_lock);
		return unknown_zone(zone, err);
	}
	before = offset_locked(tz, local - TLDB_DAY_SECONDS);
	after = offset_locked(tz, local + TLDB_DAY_SECONDS);
	u1 = local - before;
	u2 = local - after;
	ok1 = offset_locked(tz, u1) == before;
	ok2 = offset_locked(tz, u2) == after;
	pthread_mutex_unlock(&zone_lock);
	if (ok1 && ok2)
		*utc = u1 < u2 ? u1 : u2; /* overlap: the first occurrence */
	else if (ok2)
		*utc = u2;
	else
		*utc = u1; /* valid, or a gap: the offset before it */
	return TLDB_OK;
}

static char local_zone[TLDB_ZONE_NAME_MAX] = "UTC";
static pthread_once_t local_zone_once = PTHREAD_ONCE_INIT;

/* Copies `name` into local_zone when it names a zone; returns 1 then. */
static int try_local(const char *name, size_t len)
{
	char buf[TLDB_ZONE_NAME_MAX];

	if (len == 0 || len >= sizeof buf)
		return 0;
	memcpy(buf, name, len);
	buf[len] = '\0';
	if (!tldb_zone_exists(buf))
		return 0;
	memcpy(local_zone, buf, len + 1);
	return 1;
}

static void local_zone_init(void)
{
	const char *tz = getenv("TZ");
	char link[512];
	ssize_t n;
	FILE *f;

	if (tz && tz[0] == ':')
		tz++;
	if (tz && try_local(tz, strlen(tz)))
		return;
	n = readlink("/etc/localtime", link, sizeof link - 1);
	if (n > 0) {
		const char *p;
		link[n] = '\0';
		p = strstr(link, "zoneinfo/");
		if (p && try_local(p + 9, strlen(p + 9)))
			return;
	}
	f = fopen("/etc/timezone", "r");
	if (f) {
		char line[128];
		if (fgets(line, sizeof line, f)) {
			size_t len = strcspn(line, " \t\r\n");
			if (try_local(line, len)) {
				fclose(f);
				return;
			}
		}
		fclose(f);
	}
	memcpy(local_zone, "UTC", 4);
}

TLDB_API const char *tldb_zone_local(void)
{
	pthread_once(&local_zone_once, local_zone_init);
	return local_zone;
}
