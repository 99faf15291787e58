/*
 * recur.c -- reading a recurring series (recur.h) and its wall clock;
 * recur_walk.c walks its occurrences.
 *
 * Every time of a series is handled as a wall time on the series' own
 * clock: the day of a day series, the local time of a floating or zoned
 * series, the UTC time of a UTC one.  libical's RRULE iterator runs on
 * floating wall times (so it never touches its zone tables, which are not
 * safe to share between threads); UNTIL and every RDATE and EXDATE value
 * are moved to the series' clock by their instant first.
 */
#include <libical/ical.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "civil.h"
#include "date_internal.h"
#include "event_internal.h"
#include "ical_param.h"
#include "recur_internal.h"

/* ---- the series' clock ---- */

/* The zone of the series' local times, or NULL (UTC, a fixed offset, or
 * floating without a zone, which the store reads as UTC). */
const char *tl_rc_zone_of(const tl_recur *r)
{
	const tldb_datepoint *p = &r->start.start;
	if (p->zone_kind == TLDB_ZONE_NAMED)
		return p->zone;
	if (p->zone_kind == TLDB_ZONE_FLOATING && r->tz[0])
		return r->tz;
	return NULL;
}

/* Instant -> the series' wall clock. */
int64_t tl_rc_to_wall(const tl_recur *r, int64_t instant)
{
	const tldb_datepoint *p = &r->start.start;
	const char *z = tl_rc_zone_of(r);
	int off = 0;
	if (z) {
		if (tldb_zone_offset(z, instant, &off, NULL))
			off = 0;
		return instant + off;
	}
	if (p->zone_kind == TLDB_ZONE_OFFSET)
		return instant + (int64_t)p->offset_minutes * 60;
	return instant;
}

int64_t tl_rc_wall_of_point(const tldb_datepoint *p)
{
	civil_time tm = {p->year,
	                 p->month,
	                 p->day,
	                 p->precision >= TLDB_PREC_MINUTE ? p->hour : 0,
	                 p->precision >= TLDB_PREC_MINUTE ? p->minute : 0,
	                 p->precision >= TLDB_PREC_SECOND ? p->second : 0};
	return civil_seconds_from_time(&tm);
}

int64_t tl_rc_day_of(int64_t wall)
{
	return civil_floor_div(wall, DAY) * DAY;
}

/* Writes `wall` in the form of point p (precision at least `prec`). */
int tl_rc_format_wall(const tldb_datepoint *p, tldb_precision prec,
                      int64_t wall, char *buf, size_t size)
{
	tldb_date d;
	memset(&d, 0, sizeof d);
	d.start = *p;
	civil_time tm;
	civil_time_from_seconds(wall, &tm);
	d.start.year = tm.year;
	d.start.month = tm.month;
	d.start.day = tm.day;
	d.start.hour = tm.hour;
	d.start.minute = tm.minute;
	d.start.second = tm.second;
	if (prec > d.start.precision)
		d.start.precision = prec;
	d.precision = d.start.precision;
	return tldb_date_format(&d, buf, size) < 0 ? TLDB_ETOOBIG : TLDB_OK;
}

/* The id of an occurrence starting at wall: "20240111", "20240111T0900"
 * "00Z", "20240111T090000[Asia/Tokyo]" (ics_rid_of's form). */
void tl_rc_id_of(const tldb_datepoint *p, int is_day, const char *zone,
                 int64_t wall, char *buf, size_t size)
{
	civil_time tm;
	civil_time_from_seconds(wall, &tm);
	if (is_day) {
		snprintf(buf, size, "%04lld%02d%02d", (long long)tm.year,
		         tm.month, tm.day);
		return;
	}
	snprintf(buf, size, "%04lld%02d%02dT%02d%02d%02d%s", (long long)tm.year,
	         tm.month, tm.day, tm.hour, tm.minute, tm.second,
	         p->zone_kind == TLDB_ZONE_UTC ? "Z" : "");
	if (zone)
		snprintf(buf + strlen(buf), size - strlen(buf), "[%s]", zone);
}

/* ---- reading the recurrence ---- */

__attribute__((format(printf, 3, 4))) static int
bad_line(tldb_errbuf *err, int line, const char *fmt, ...)
{
	char msg[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	tl_errf_plain(err, 0, "recur line %d: %s", line, msg);
	return TLDB_EINVAL;
}

/* Reads an iCalendar DATE or DATE-TIME (YYYYMMDD[THHMMSS[Z]]) from s[0..n):
 * its wall seconds, whether it is a date, whether it is UTC.  -1 when it
 * is neither. */
static int read_ics_time(const char *s, size_t n, int64_t *wall, int *is_date,
                         int *utc)
{
	int y, mo, d, h = 0, mi = 0, se = 0;
	char tail[4] = "";
	if (n == 8 && sscanf(s, "%4d%2d%2d", &y, &mo, &d) == 3) {
		*is_date = 1;
		*utc = 0;
	} else if ((n == 15 || n == 16) &&
	           sscanf(s, "%4d%2d%2dT%2d%2d%2d%1s", &y, &mo, &d, &h, &mi,
	                  &se, tail) >= 6 &&
	           s[8] == 'T') {
		*is_date = 0;
		*utc = n == 16;
		if (*utc && s[15] != 'Z')
			return -1;
	} else {
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (i == 8 && s[i] == 'T') ||
		      (i == 15 && s[i] == 'Z')))
			return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > civil_days_in_month(y, mo) ||
	    h > 23 || mi > 59 || se > 60)
		return -1;
	civil_time tm = {y, mo, d, h, mi, se};
	*wall = civil_seconds_from_time(&tm);
	return 0;
}

/* The series' wall time of a DATE-TIME value given in zone tzid (NULL: a
 * UTC value when utc, else floating on the series' clock). */
int tl_rc_value_wall(const tl_recur *r, int64_t wall, int utc, const char *tzid,
                     int64_t *out)
{
	if (utc) {
		*out = tl_rc_to_wall(r, wall);
	} else if (tzid) {
		int64_t instant;
		if (tldb_zone_to_utc(tzid, wall, &instant, NULL))
			return TLDB_EZONE;
		*out = tl_rc_to_wall(r, instant);
	} else {
		*out = wall;
	}
	return TLDB_OK;
}

/* Makes room for item n of *items (each `size` bytes), doubling. */
static int room_for(void **items, size_t n, size_t size)
{
	if (*items && (n & (n + 1)) != 0)
		return TLDB_OK; /* grown to 2^(k+1) at n = 2^k - 1 */
	void *grown = realloc(*items, (2 * n + 2) * size);
	if (!grown)
		return TLDB_ENOMEM;
	*items = grown;
	return TLDB_OK;
}

static int push_rdate(tl_recur *r, int64_t wall, int64_t dur)
{
	if (room_for((void **)&r->rdates, r->nrdates, sizeof *r->rdates))
		return TLDB_ENOMEM;
	r->rdates[r->nrdates++] = (rdate){wall, dur};
	return TLDB_OK;
}

static int push_exdate(tl_recur *r, int64_t wall, int whole_day)
{
	if (room_for((void **)&r->exdates, r->nexdates, sizeof *r->exdates))
		return TLDB_ENOMEM;
	r->exdates[r->nexdates++] = (xdate){wall, whole_day};
	return TLDB_OK;
}

/* One value of an RDATE (is_rdate) or EXDATE line. */
static int read_value(tl_recur *r, int is_rdate, const char *v, size_t n,
                      const char *tzid, int period, int line, tldb_errbuf *err)
{
	const char *slash = memchr(v, '/', n);
	size_t first = slash ? (size_t)(slash - v) : n;
	int64_t wall, w;
	int is_date, utc;
	if (read_ics_time(v, first, &wall, &is_date, &utc))
		return bad_line(err, line, "'%.40s' is not a date or a time",
		                v);
	if (slash && (!period || !is_rdate || is_date))
		return bad_line(err, line,
		                "'%.60s': a period needs VALUE=PERIOD and a "
		                "time",
		                v);
	if (is_date && is_rdate) /* on a timed series: at DTSTART's time */
		return push_rdate(
		        r, wall + r->start_wall - tl_rc_day_of(r->start_wall),
		        -1);
	if (is_date) /* on a timed series: every occurrence of the day */
		return push_exdate(r, wall, !r->is_day);
	if (tl_rc_value_wall(r, wall, utc, utc ? NULL : tzid, &w))
		return bad_line(err, line, "unknown time zone '%.60s'", tzid);
	if (r->is_day)
		w = tl_rc_day_of(w);
	int64_t dur = -1;
	if (slash) {
		const char *p = slash + 1;
		size_t pn = n - first - 1;
		char text[64];
		snprintf(text, sizeof text, "%.*s", (int)pn, p);
		int64_t end_wall, ew;
		int end_date, end_utc;
		if (pn && (*p == 'P' || *p == '+' || *p == '-')) {
			struct icaldurationtype d =
			        icaldurationtype_from_string(text);
			if (icaldurationtype_is_bad_duration(d))
				return bad_line(err, line,
				                "'%.40s' is not a duration",
				                text);
			dur = icaldurationtype_as_int(d);
		} else if (!read_ics_time(p, pn, &end_wall, &end_date,
		                          &end_utc) &&
		           !end_date &&
		           !tl_rc_value_wall(r, end_wall, end_utc,
		                             end_utc ? NULL : tzid, &ew)) {
			dur = ew - w;
		} else {
			return bad_line(err, line, "'%.40s' ends no period",
			                text);
		}
		if (dur < 0)
			return bad_line(err, line,
			                "the period '%.60s' ends "
			                "before it starts",
			                v);
		if (dur > r->max_dur)
			r->max_dur = dur;
	}
	return is_rdate ? push_rdate(r, w, dur) : push_exdate(r, w, 0);
}

icaltimetype tl_rc_ical_of(const tl_recur *r, int64_t wall)
{
	civil_time tm;
	civil_time_from_seconds(wall, &tm);
	icaltimetype t = icaltime_null_time();
	t.year = (int)tm.year;
	t.month = tm.month;
	t.day = tm.day;
	t.is_date = r->is_day;
	if (!r->is_day) {
		t.hour = tm.hour;
		t.minute = tm.minute;
		t.second = tm.second;
	}
	return t;
}

/* UNTIL on the series' clock: a day for a day series, else a floating
 * time (a DATE UNTIL of a timed series takes in its whole day). */
static void until_to_clock(tl_recur *r)
{
	icaltimetype u = r->rule.until;
	if (icaltime_is_null_time(u))
		return;
	civil_time tm = {u.year,
	                 u.month,
	                 u.day,
	                 u.is_date ? 0 : u.hour,
	                 u.is_date ? 0 : u.minute,
	                 u.is_date ? 0 : u.second};
	int64_t wall = civil_seconds_from_time(&tm);
	if (!u.is_date && icaltime_is_utc(u))
		wall = tl_rc_to_wall(r, wall);
	if (u.is_date && !r->is_day)
		wall += DAY - 1;
	if (r->is_day)
		wall = tl_rc_day_of(wall);
	r->until_wall = wall;
	r->rule.until = tl_rc_ical_of(r, wall);
}

int64_t tl_rc_wall_of_ical(icaltimetype t)
{
	civil_time tm = {t.year,
	                 t.month,
	                 t.day,
	                 t.is_date ? 0 : t.hour,
	                 t.is_date ? 0 : t.minute,
	                 t.is_date ? 0 : t.second};
	return civil_seconds_from_time(&tm);
}

static int no_by_parts(const struct icalrecurrencetype *rule)
{
	return rule->by_second[0] == ICAL_RECURRENCE_ARRAY_MAX &&
	       rule->by_minute[0] == ICAL_RECURRENCE_ARRAY_MAX &&
	       rule->by_hour[0] == ICAL_RECURRENCE_ARRAY_MAX &&
	       rule->by_day[0] == ICAL_RECURRENCE_ARRAY_MAX &&
	       rule->by_month_day[0] == ICAL_RECURRENCE_ARRAY_MAX &&
	       rule->by_year_day[0] == ICAL_RECURRENCE_ARRAY_MAX &&
	       rule->by_week_no[0] == ICAL_RECURRENCE_ARRAY_MAX &&
	       rule->by_month[0] == ICAL_RECURRENCE_ARRAY_MAX &&
	       rule->by_set_pos[0] == ICAL_RECURRENCE_ARRAY_MAX &&
	       (!rule->rscale || !*rule->rscale);
}

/* Whether the rule can be walked with arithmetic (tl_recur.simple): no BY
 * parts, and a step that lands on a real date every time (the 29th to the
 * 31st of a month, or 29 February, are skipped in some months or years,
 * RFC 5545 3.3.10, and left to libical). */
static void choose_walk(tl_recur *r)
{
	const struct icalrecurrencetype *rule = &r->rule;
	int64_t interval = rule->interval > 0 ? rule->interval : 1;
	civil_time tm;
	civil_time_from_seconds(r->start_wall, &tm);
	if (!no_by_parts(rule))
		return;
	switch (rule->freq) {
	case ICAL_SECONDLY_RECURRENCE:
	case ICAL_MINUTELY_RECURRENCE:
	case ICAL_HOURLY_RECURRENCE:
		if (r->is_day)
			return;
		r->step = interval * (rule->freq == ICAL_SECONDLY_RECURRENCE ? 1
		                      : rule->freq == ICAL_MINUTELY_RECURRENCE
		                              ? 60
		                              : 3600);
		break;
	case ICAL_DAILY_RECURRENCE:
		r->step = interval * DAY;
		break;
	case ICAL_WEEKLY_RECURRENCE:
		r->step = interval * 7 * DAY;
		break;
	case ICAL_MONTHLY_RECURRENCE:
		if (tm.day > 28)
			return;
		r->months = (int)interval;
		break;
	case ICAL_YEARLY_RECURRENCE:
		if (tm.month == 2 && tm.day == 29)
			return;
		r->months = 12 * (int)interval;
		break;
	default:
		return;
	}
	r->simple = 1;
}

/* The wall time of the rule's step k (tl_recur.simple). */
int64_t tl_rc_simple_wall(const tl_recur *r, int64_t k)
{
	if (r->step)
		return r->start_wall + k * r->step;
	civil_time tm;
	civil_time_from_seconds(r->start_wall, &tm);
	int64_t m = (int64_t)tm.month - 1 + k * r->months;
	tm.year += civil_floor_div(m, 12);
	tm.month = (int)civil_floor_mod(m, 12) + 1;
	return civil_seconds_from_time(&tm);
}

static int read_rule(tl_recur *r, const char *v, int line, tldb_errbuf *err)
{
	if (r->has_rule)
		return bad_line(err, line, "%s", "a second RRULE");
	icalerror_clear_errno();
	r->rule = icalrecurrencetype_from_string(v);
	if (r->rule.freq == ICAL_NO_RECURRENCE)
		return bad_line(err, line, "'%.100s' is not a rule", v);
	r->has_rule = 1;
	r->has_count = r->rule.count > 0;
	if (!r->is_day && (r->rule.freq == ICAL_SECONDLY_RECURRENCE ||
	                   r->rule.by_second[0] != ICAL_RECURRENCE_ARRAY_MAX))
		r->prec = TLDB_PREC_SECOND;
	until_to_clock(r);
	return TLDB_OK;
}

static int read_line(tl_recur *r, const char *s, size_t n, int line,
                     tldb_errbuf *err)
{
	size_t name_len = strcspn(s, ";:");
	if (name_len > n)
		name_len = n;
	const char *colon = NULL;
	int quoted = 0;
	for (size_t i = name_len; i < n && !colon; i++) {
		quoted ^= s[i] == '"';
		if (s[i] == ':' && !quoted)
			colon = s + i;
	}
	if (!colon)
		return bad_line(err, line, "'%.60s' has no ':'", s);
	const char *params = s + name_len;
	size_t np = (size_t)(colon - params);
	const char *value = colon + 1;
	size_t nv = n - (size_t)(value - s);
	if (name_len == 5 && strncasecmp(s, "RRULE", 5) == 0) {
		char buf[2048];
		if (nv >= sizeof buf)
			return bad_line(err, line, "%s", "an RRULE too long");
		snprintf(buf, sizeof buf, "%.*s", (int)nv, value);
		return read_rule(r, buf, line, err);
	}
	int is_rdate = name_len == 5 && strncasecmp(s, "RDATE", 5) == 0;
	if (!is_rdate && !(name_len == 6 && strncasecmp(s, "EXDATE", 6) == 0))
		return bad_line(err, line,
		                "'%.40s' is not RRULE, RDATE or EXDATE", s);
	char tzid[TLDB_ZONE_NAME_MAX * 2], type[32];
	tl_ical_param(params, np, "TZID", tzid, sizeof tzid);
	tl_ical_param(params, np, "VALUE", type, sizeof type);
	int period = strcasecmp(type, "PERIOD") == 0;
	while (nv) {
		size_t k = 0;
		while (k < nv && value[k] != ',')
			k++;
		int rc = read_value(r, is_rdate, value, k,
		                    tzid[0] ? tzid : NULL, period, line, err);
		if (rc)
			return rc;
		value += k + (k < nv);
		nv -= k + (k < nv);
	}
	return TLDB_OK;
}

static int cmp_rdate(const void *a, const void *b)
{
	const rdate *x = a, *y = b;
	return (x->wall > y->wall) - (x->wall < y->wall);
}

static int read_dates(tl_recur *r, const char *start, const char *end,
                      const char *tz, tldb_errbuf *err)
{
	tldb_errbuf derr = {{0}, 0};
	if (tldb_date_parse(start, tz, &r->start, &derr)) {
		tl_errf_plain(err, 0, "start: %s", derr.msg);
		return TLDB_EDATE;
	}
	const tldb_datepoint *p = &r->start.start;
	if (r->start.is_interval || p->precision < TLDB_PREC_DAY ||
	    p->qualifiers) {
		tl_errf_plain(
		        err, 0,
		        "recur: a series needs a start that is a day or a "
		        "time, not '%s'",
		        start);
		return TLDB_EINVAL;
	}
	r->is_day = p->precision == TLDB_PREC_DAY;
	r->prec = p->precision;
	r->start_wall = tl_rc_wall_of_point(p);
	r->max_dur = r->start.hi - r->start.lo;
	if (!end || !*end)
		return TLDB_OK;
	if (tldb_date_parse(end, tz, &r->end, &derr) || r->end.is_interval ||
	    r->end.start.precision < TLDB_PREC_DAY) {
		tl_errf_plain(err, 0,
		              "recur: a series needs an end that is a day or a "
		              "time, not '%s'",
		              end);
		return TLDB_EINVAL;
	}
	r->has_end = 1;
	const tldb_datepoint *e = &r->end.start;
	int e_day = e->precision == TLDB_PREC_DAY;
	r->end_same_clock = e_day == r->is_day &&
	                    e->zone_kind == p->zone_kind &&
	                    e->offset_minutes == p->offset_minutes &&
	                    strcmp(e->zone, p->zone) == 0;
	r->end_wall = tl_rc_wall_of_point(e);
	int64_t end_instant = e_day ? r->end.hi : r->end.lo;
	r->exact_dur = end_instant - r->start.lo;
	if (r->exact_dur > r->max_dur)
		r->max_dur = r->exact_dur;
	return TLDB_OK;
}

int tl_recur_open(const char *recur, const char *start, const char *end,
                  const char *tz, tl_recur **out, tldb_errbuf *err)
{
	*out = NULL;
	if (!recur || !*recur || strlen(recur) > TL_RECUR_MAX) {
		tl_errf_plain(err, 0, "recur: empty or longer than %d bytes",
		              TL_RECUR_MAX);
		return TLDB_EINVAL;
	}
	tl_recur *r = calloc(1, sizeof *r);
	if (!r)
		return TLDB_ENOMEM;
	snprintf(r->tz, sizeof r->tz, "%s", tz ? tz : "");
	r->until_wall = INT64_MAX;
	int rc = read_dates(r, start, end, tz, err);
	int line = 1;
	for (const char *s = recur; !rc && *s; line++) {
		size_t n = strcspn(s, "\n");
		size_t k = n;
		while (k && (s[k - 1] == '\r' || s[k - 1] == ' '))
			k--;
		if (k)
			rc = read_line(r, s, k, line, err);
		s += n + (s[n] == '\n');
	}
	if (!rc && !r->has_rule && !r->nrdates) {
		tl_errf_plain(err, 0, "recur: neither an RRULE nor an RDATE");
		rc = TLDB_EINVAL;
	}
	if (!rc && r->has_rule)
		choose_walk(r);
	if (!rc && r->has_rule && !r->simple) {
		r->it = icalrecur_iterator_new(r->rule,
		                               tl_rc_ical_of(r, r->start_wall));
		if (!r->it) {
			tl_errf_plain(err, 0,
			              "recur: the RRULE cannot be expanded");
			rc = TLDB_EINVAL;
		}
	}
	if (rc) {
		tl_recur_free(r);
		return rc;
	}
	if (r->nrdates)
		qsort(r->rdates, r->nrdates, sizeof *r->rdates, cmp_rdate);
	r->first_pending = 1;
	r->reached = r->start_wall;
	*out = r;
	return TLDB_OK;
}

void tl_recur_free(tl_recur *r)
{
	if (!r)
		return;
	if (r->it)
		icalrecur_iterator_free(r->it);
	free(r->rdates);
	free(r->exdates);
	free(r);
}
