/*
 * html_date.c -- dates for people: civil time from seconds since 1970 on
 * the proleptic Gregorian calendar (no time_t, so 44 BCE and year 12000
 * work), dates in words at their precision with their qualifiers, and the
 * HTML datetime attribute where HTML can express the date.
 */
#include <stdio.h>
#include <string.h>

#include "html_plugin.h"

static const char *const month_names[] = {
        "January", "February", "March",     "April",   "May",      "June",
        "July",    "August",   "September", "October", "November", "December"};

const char *html_month_abbr(int month)
{
	static const char *const abbr[] = {"Jan", "Feb", "Mar", "Apr",
	                                   "May", "Jun", "Jul", "Aug",
	                                   "Sep", "Oct", "Nov", "Dec"};
	return month >= 1 && month <= 12 ? abbr[month - 1] : "?";
}

void html_year_words(int64_t year, char *buf, size_t size)
{
	if (year <= 0)
		snprintf(buf, size, "%lld BCE", (long long)(1 - year));
	else
		snprintf(buf, size, "%lld", (long long)year);
}

/* Parses one end ("" and ".." are absent). */
static int parse_end(const char *s, size_t n, const char *tz, html_end *out,
                     char *msg, size_t size)
{
	char text[256], err[200];
	memset(out, 0, sizeof *out);
	if (n == 0 || (n == 2 && s[0] == '.' && s[1] == '.'))
		return 0;
	if (n >= sizeof text) {
		snprintf(msg, size, "date too long");
		return -1;
	}
	memcpy(text, s, n);
	text[n] = '\0';
	out->d.size = sizeof out->d;
	if (html_host->parse_date(text, tz, &out->d, err, sizeof err) !=
	    TLDB_PLUGIN_OK) {
		snprintf(msg, size, "bad date '%s': %s", text, err);
		return -1;
	}
	out->present = 1;
	return 0;
}

int html_event_ends(const tldb_plugin_event *ev, html_end ends[2], char *msg,
                    size_t size)
{
	const char *start = ev->start ? ev->start : "";
	const char *slash = strchr(start, '/');
	const char *end = ev->end ? ev->end : "";
	if (!slash)
		return parse_end(start, strlen(start), ev->tz, &ends[0], msg,
		                 size) ||
		       parse_end(end, strlen(end), ev->tz, &ends[1], msg, size);
	return parse_end(start, (size_t)(slash - start), ev->tz, &ends[0], msg,
	                 size) ||
	       parse_end(slash + 1, strlen(slash + 1), ev->tz, &ends[1], msg,
	                 size);
}

void html_date_words(const tldb_plugin_date *d, char *buf, size_t size)
{
	civil_time c;
	char year[32], time[24] = "";
	civil_time_from_seconds(d->lo, &c);
	html_year_words(c.year, year, sizeof year);
	if (d->precision == TLDB_PLUGIN_PREC_SECOND)
		snprintf(time, sizeof time, ", %02d:%02d:%02d UTC", c.hour,
		         c.minute, c.second);
	else if (d->precision == TLDB_PLUGIN_PREC_MINUTE)
		snprintf(time, sizeof time, ", %02d:%02d UTC", c.hour,
		         c.minute);
	const char *about = d->qualifiers & 2u ? "about " : "";
	const char *doubt = d->qualifiers & 1u ? "?" : "";
	if (d->precision <= TLDB_PLUGIN_PREC_YEAR)
		snprintf(buf, size, "%s%s%s", about, year, doubt);
	else if (d->precision == TLDB_PLUGIN_PREC_MONTH)
		snprintf(buf, size, "%s%s %s%s", about,
		         month_names[c.month - 1], year, doubt);
	else
		snprintf(buf, size, "%s%d %s %s%s%s", about, c.day,
		         month_names[c.month - 1], year, time, doubt);
}

void html_when_words(const tldb_plugin_event *ev, const html_end e[2],
                     char *buf, size_t size)
{
	char a[160] = "", b[160] = "";
	int interval = ev->start && strchr(ev->start, '/');
	if (e[0].present)
		html_date_words(&e[0].d, a, sizeof a);
	if (e[1].present)
		html_date_words(&e[1].d, b, sizeof b);
	if (e[0].present && e[1].present)
		snprintf(buf, size, "%s \xE2\x80\x93 %s", a, b);
	else if (e[0].present)
		snprintf(buf, size, interval ? "from %s" : "%s", a);
	else if (e[1].present)
		snprintf(buf, size, "until %s", b);
	else
		snprintf(buf, size, "date unknown");
}

int html_datetime(const tldb_plugin_date *d, char *buf, size_t size)
{
	civil_time c;
	civil_time_from_seconds(d->lo, &c);
	if (c.year < 1 || c.year > 9999)
		return 0;
	int y = (int)c.year;
	if (d->precision <= TLDB_PLUGIN_PREC_YEAR)
		snprintf(buf, size, "%04d", y);
	else if (d->precision == TLDB_PLUGIN_PREC_MONTH)
		snprintf(buf, size, "%04d-%02d", y, c.month);
	else if (d->precision == TLDB_PLUGIN_PREC_DAY)
		snprintf(buf, size, "%04d-%02d-%02d", y, c.month, c.day);
	else if (d->precision == TLDB_PLUGIN_PREC_MINUTE)
		snprintf(buf, size, "%04d-%02d-%02dT%02d:%02dZ", y, c.month,
		         c.day, c.hour, c.minute);
	else
		snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", y,
		         c.month, c.day, c.hour, c.minute, c.second);
	return 1;
}
