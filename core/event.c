/*
 * event.c -- checking an event before it is stored, and owned copies.
 *
 * tl_event_prepare validates every field of an event (dates, zone, sizes,
 * UTF-8, tags, sources), resolves its bounds [lo, hi) and precision, and
 * computes the content hash that decides whether an upsert changed anything.
 * Nothing here speaks SQL.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date_internal.h"
#include "event_internal.h"
#include "recur.h"

uint64_t tl_fnv1a(uint64_t h, const void *mem, size_t len)
{
	const unsigned char *p = mem;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

int tl_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		unsigned c = p[i];
		size_t n;
		unsigned min;
		if (c == 0)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			n = 1, min = 0x80, c &= 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			n = 2, min = 0x800, c &= 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			n = 3, min = 0x10000, c &= 0x07;
		} else {
			return 0;
		}
		if (len - i <= n)
			return 0;
		for (size_t k = 1; k <= n; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				return 0;
			c = (c << 6) | (p[i + k] & 0x3F);
		}
		if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
			return 0;
		i += n + 1;
	}
	return 1;
}

int64_t tl_class_max_span(int c)
{
	if (c >= TL_NCLASSES - 1)
		return -1;
	int64_t span = TL_CLASS_BASE;
	for (int i = 0; i < c; i++)
		span *= 2;
	return span;
}

int tl_span_class(int64_t lo, int64_t hi)
{
	uint64_t span = (uint64_t)hi - (uint64_t)lo;
	for (int c = 0; c < TL_NCLASSES - 1; c++)
		if (span <= (uint64_t)tl_class_max_span(c))
			return c;
	return TL_NCLASSES - 1;
}

/* Checks one optional string field: size and UTF-8. */
static int check_text(const char *field, const char *s, size_t max,
                      int required, tldb_errbuf *err)
{
	if (!s || !*s) {
		if (required) {
			tl_errf_plain(err, 0, "%s: is required", field);
			return TLDB_EINVAL;
		}
		return TLDB_OK;
	}
	size_t len = strlen(s);
	if (len > max) {
		tl_errf_plain(err, 0,
		              "%s: %zu bytes is longer than the limit %zu",
		              field, len, max);
		return TLDB_ETOOBIG;
	}
	if (!tl_utf8_valid(s, len)) {
		tl_errf_plain(err, 0, "%s: is not valid UTF-8", field);
		return TLDB_EINVAL;
	}
	return TLDB_OK;
}

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7F)
			return 1;
	return 0;
}

static int check_tags(const tldb_event *ev, tldb_errbuf *err)
{
	if (ev->ntags > TLDB_MAX_TAGS) {
		tl_errf_plain(err, 0,
		              "tags: %zu tags is more than the limit %d",
		              ev->ntags, TLDB_MAX_TAGS);
		return TLDB_ETOOBIG;
	}
	for (size_t i = 0; i < ev->ntags; i++) {
		const char *t = ev->tags[i];
		int rc = check_text("tag", t, TLDB_MAX_TAG, 1, err);
		if (rc)
			return rc;
		if (has_control(t) || strchr(t, ';') || t[0] == ' ' ||
		    t[strlen(t) - 1] == ' ') {
			tl_errf_plain(err, 0,
			              "tag '%s': control characters, ';' and "
			              "surrounding spaces are not allowed",
			              t);
			return TLDB_EINVAL;
		}
	}
	return TLDB_OK;
}

static int check_span(const char *field, const int64_t span[2], size_t i,
                      tldb_errbuf *err)
{
	if (span[0] == -1 && span[1] == -1)
		return TLDB_OK;
	if (span[0] < 0 || span[1] < span[0]) {
		tl_errf_plain(
		        err, 0,
		        "sources[%zu].%s: [%lld, %lld] is not a byte range", i,
		        field, (long long)span[0], (long long)span[1]);
		return TLDB_EINVAL;
	}
	return TLDB_OK;
}

static int check_sources(const tldb_event *ev, tldb_errbuf *err)
{
	if (ev->nsources > TLDB_MAX_SOURCES) {
		tl_errf_plain(err, 0,
		              "sources: %zu sources is more than the limit %d",
		              ev->nsources, TLDB_MAX_SOURCES);
		return TLDB_ETOOBIG;
	}
	for (size_t i = 0; i < ev->nsources; i++) {
		const tldb_source *s = &ev->sources[i];
		int rc;
		if ((rc = check_text("source url", s->url, TLDB_MAX_TEXT, 0,
		                     err)) ||
		    (rc = check_text("source title", s->title, TLDB_MAX_TEXT, 0,
		                     err)) ||
		    (rc = check_text("source plugin", s->plugin, TLDB_MAX_TEXT,
		                     0, err)) ||
		    (rc = check_text("source quote", s->quote, TLDB_MAX_QUOTE,
		                     0, err)) ||
		    (rc = check_text("source expr", s->expr, TLDB_MAX_TEXT, 0,
		                     err)) ||
		    (rc = check_text("source doc_date", s->doc_date,
		                     TLDB_MAX_TEXT, 0, err)) ||
		    (rc = check_text("source resolver", s->resolver,
		                     TLDB_MAX_TEXT, 0, err)) ||
		    (rc = check_span("span", s->span, i, err)) ||
		    (rc = check_span("expr_span", s->expr_span, i, err)))
			return rc;
	}
	return TLDB_OK;
}

static int check_strings(const tldb_event *ev, tldb_errbuf *err)
{
	int rc;
	if ((rc = check_text("uid", ev->uid, TLDB_MAX_UID, 0, err)) ||
	    (rc = check_text("title", ev->title, TLDB_MAX_TITLE, 1, err)) ||
	    (rc = check_text("body", ev->body, TLDB_MAX_BODY, 0, err)) ||
	    (rc = check_text("location", ev->location, TLDB_MAX_TEXT, 0,
	                     err)) ||
	    (rc = check_text("url", ev->url, TLDB_MAX_TEXT, 0, err)) ||
	    (rc = check_text("tz", ev->tz, TLDB_ZONE_NAME_MAX - 1, 0, err)) ||
	    (rc = check_text("recur", ev->recur, TL_RECUR_MAX, 0, err)) ||
	    (rc = check_text("recurrence_id", ev->recurrence_id,
	                     TLDB_DATE_STRMAX - 1, 0, err)))
		return rc;
	if (ev->uid && has_control(ev->uid)) {
		tl_errf_plain(err, 0,
		              "uid: control characters are not allowed");
		return TLDB_EINVAL;
	}
	if (ev->timeline && !tldb_timeline_name_valid(ev->timeline)) {
		tl_errf_plain(err, 0,
		              "timeline '%s': a name is [a-z0-9][a-z0-9._-]*, "
		              "at most %d bytes",
		              ev->timeline, TLDB_MAX_TIMELINE_NAME);
		return TLDB_EINVAL;
	}
	if (ev->tz && *ev->tz && !tldb_zone_exists(ev->tz)) {
		tl_errf_plain(err, 0, "tz: unknown time zone '%s'", ev->tz);
		return TLDB_EZONE;
	}
	return TLDB_OK;
}

/* Parses one date field, prefixing the date module's message with `field`. */
static int parse_field(const char *field, const char *s, const char *tz,
                       tldb_date *d, tldb_errbuf *err)
{
	tldb_errbuf derr = {{0}, 0};
	int rc = tldb_date_parse(s, tz, d, &derr);
	if (rc) {
		tl_errf_plain(err, derr.column, "%s: %s", field, derr.msg);
		return rc;
	}
	return TLDB_OK;
}

static tldb_precision coarsest(tldb_precision a, tldb_precision b)
{
	if (a == TLDB_PREC_NONE)
		return b;
	if (b == TLDB_PREC_NONE)
		return a;
	return a < b ? a : b;
}

int tl_event_bounds(const char *start_text, const char *end_text,
                    const char *tz, int64_t *lo, int64_t *hi,
                    tldb_precision *precision, tldb_errbuf *err)
{
	tldb_date start, end;
	int rc = parse_field("start", start_text, tz, &start, err);
	if (rc)
		return rc;
	*lo = start.lo;
	*hi = start.hi;
	*precision = start.precision;
	if (!end_text || !*end_text)
		return TLDB_OK;
	if ((rc = parse_field("end", end_text, tz, &end, err)))
		return rc;
	if (start.is_interval || end.is_interval) {
		tl_errf_plain(
		        err, 0,
		        "end: give either an interval as start or an end, "
		        "not both");
		return TLDB_EINVAL;
	}
	/* An end is inclusive at its precision, so 2022-09-15 to 2022-09 is
	 * fine; only an end wholly before the start (or a timed end, an
	 * instant, before it) is refused. */
	int timed_end = end.precision >= TLDB_PREC_MINUTE;
	if (end.hi <= start.lo || (timed_end && end.lo < start.lo)) {
		tl_errf_plain(err, 0, "end: %s is before the start %s",
		              end_text, start_text);
		return TLDB_EINVAL;
	}
	/* A timed end is the instant the event ends (iCalendar's DTEND); a
	 * date end is inclusive at its precision (EDTF). */
	*hi = timed_end ? end.lo : end.hi;
	if (*hi <= *lo)
		*hi = *lo + 1;
	*precision = coarsest(start.precision, end.precision);
	return TLDB_OK;
}

static void hash_str(uint64_t *h, const char *s)
{
	if (s)
		*h = tl_fnv1a(*h, s, strlen(s));
	*h = tl_fnv1a(*h, s ? "\x01" : "\x02", 1);
}

static void hash_i64(uint64_t *h, int64_t v)
{
	*h = tl_fnv1a(*h, &v, sizeof v);
}

static uint64_t content_hash(const tldb_event *ev, const char *timeline)
{
	uint64_t h = TL_FNV_SEED;
	hash_str(&h, timeline);
	hash_str(&h, ev->title);
	hash_str(&h, ev->body && *ev->body ? ev->body : NULL);
	hash_str(&h, ev->start);
	hash_str(&h, ev->end && *ev->end ? ev->end : NULL);
	hash_str(&h, ev->tz && *ev->tz ? ev->tz : NULL);
	hash_str(&h, ev->location && *ev->location ? ev->location : NULL);
	hash_str(&h, ev->url && *ev->url ? ev->url : NULL);
	/* Repeated tags are stored once, so they hash once. */
	for (size_t i = 0; i < ev->ntags; i++) {
		size_t k = 0;
		while (k < i && strcmp(ev->tags[k], ev->tags[i]) != 0)
			k++;
		if (k == i)
			hash_str(&h, ev->tags[i]);
	}
	hash_i64(&h, -1);
	if (ev->recur || ev->series) {
		/* Only then, so the hash of an event without them is as
		 * before they existed. */
		hash_str(&h, ev->recur);
		hash_str(&h, ev->series);
		hash_str(&h, ev->recurrence_id);
		hash_i64(&h, (int64_t)ev->recur_flags);
	}
	hash_i64(&h, (int64_t)ev->nsources);
	for (size_t i = 0; i < ev->nsources; i++) {
		const tldb_source *s = &ev->sources[i];
		hash_str(&h, s->url);
		hash_str(&h, s->title);
		hash_str(&h, s->plugin);
		hash_str(&h, s->quote);
		hash_str(&h, s->expr);
		hash_str(&h, s->doc_date);
		hash_str(&h, s->resolver);
		for (int k = 0; k < 2; k++) {
			hash_i64(&h, s->span[k]);
			hash_i64(&h, s->expr_span[k]);
		}
	}
	return h;
}

/* A series: its rule is read, and its bounds reach its last occurrence. */
static int prepare_series(const tldb_event *ev, tl_checked *out,
                          tldb_errbuf *err)
{
	if (ev->series || ev->recurrence_id || ev->recur_flags) {
		tl_errf_plain(err, 0,
		              "recur: a series cannot also be an occurrence of "
		              "another (series, recurrence_id, recur_flags)");
		return TLDB_EINVAL;
	}
	tl_recur *r;
	int rc = tl_recur_open(ev->recur, ev->start, ev->end, ev->tz, &r, err);
	if (rc)
		return rc;
	out->hi = tl_recur_last_hi(r);
	tl_recur_free(r);
	out->span_class = TL_CLASS_SERIES;
	return TLDB_OK;
}

/* An occurrence of a series changed or cancelled: its uid is derived
 * from the series' and the recurrence id when not given. */
static int prepare_override(const tldb_event *ev, tl_checked *out,
                            tldb_errbuf *err)
{
	int rc = check_text("series", ev->series, TLDB_MAX_UID, 1, err);
	if (rc)
		return rc;
	char id[TLDB_DATE_STRMAX];
	if (tl_recur_id_text(ev->recurrence_id, ev->tz, id, sizeof id)) {
		tl_errf_plain(err, 0,
		              "recurrence_id: '%s' is not a day or a time",
		              ev->recurrence_id ? ev->recurrence_id : "");
		return TLDB_EINVAL;
	}
	if (ev->recur_flags &
	    ~(unsigned)(TLDB_RECUR_THISANDFUTURE | TLDB_RECUR_CANCELLED)) {
		tl_errf_plain(err, 0, "recur_flags: unknown bits %#x",
		              ev->recur_flags);
		return TLDB_EINVAL;
	}
	if (ev->recur_flags & TLDB_RECUR_CANCELLED)
		out->span_class = TL_CLASS_HIDDEN;
	if (!ev->uid || !*ev->uid) {
		int n = snprintf(out->uid, sizeof out->uid, "%s/%s", ev->series,
		                 id);
		if (n < 0 || (size_t)n >= sizeof out->uid) {
			tl_errf_plain(err, 0,
			              "uid: %s/%s is longer than %d bytes",
			              ev->series, id, TLDB_MAX_UID);
			return TLDB_EINVAL;
		}
	}
	return TLDB_OK;
}

int tl_event_prepare(const tldb_event *ev, tl_checked *out, tldb_errbuf *err)
{
	int rc;
	if (!ev || !ev->start || !*ev->start) {
		tl_errf_plain(err, 0, "start: is required");
		return TLDB_EINVAL;
	}
	out->uid[0] = '\0';
	if ((rc = check_strings(ev, err)) || (rc = check_tags(ev, err)) ||
	    (rc = check_sources(ev, err)) ||
	    (rc = tl_event_bounds(ev->start, ev->end, ev->tz, &out->lo,
	                          &out->hi, &out->precision, err)))
		return rc;
	out->span_class = tl_span_class(out->lo, out->hi);
	if (ev->recur)
		rc = prepare_series(ev, out, err);
	else if (ev->series || ev->recurrence_id || ev->recur_flags)
		rc = prepare_override(ev, out, err);
	if (rc)
		return rc;
	out->timeline = ev->timeline && *ev->timeline ? ev->timeline
	                                              : TLDB_DEFAULT_TIMELINE;
	out->hash = content_hash(ev, out->timeline);
	if (ev->uid && *ev->uid) {
		snprintf(out->uid, sizeof out->uid, "%s", ev->uid);
	} else if (!out->uid[0]) {
		/* Deterministic, so adding the same event twice updates it. */
		uint64_t h = TL_FNV_SEED;
		hash_str(&h, out->timeline);
		hash_str(&h, ev->start);
		hash_str(&h, ev->title);
		snprintf(out->uid, sizeof out->uid, "%016llx@tldb",
		         (unsigned long long)h);
	}
	return TLDB_OK;
}

TLDB_API int tldb_event_check(const tldb_event *ev, tldb_errbuf *err)
{
	tl_checked c;
	return tl_event_prepare(ev, &c, err);
}

int tldb_timeline_name_valid(const char *name)
{
	if (!name || !*name || strlen(name) > TLDB_MAX_TIMELINE_NAME)
		return 0;
	for (const char *p = name; *p; p++) {
		int alnum =
		        (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9');
		if (!alnum && (p == name || !strchr("._-", *p)))
			return 0;
	}
	return 1;
}

/* ---- owned copies: one allocation holding the struct and its strings ---- */

static size_t str_size(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

static size_t event_size(const tldb_event *ev)
{
	size_t n = sizeof(tldb_event) + ev->ntags * sizeof(char *) +
	           ev->nsources * sizeof(tldb_source);
	const char *strs[] = {ev->uid,   ev->timeline, ev->title,
	                      ev->body,  ev->start,    ev->end,
	                      ev->tz,    ev->location, ev->url,
	                      ev->recur, ev->series,   ev->recurrence_id};
	for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
		n += str_size(strs[i]);
	for (size_t i = 0; i < ev->ntags; i++)
		n += str_size(ev->tags[i]);
	for (size_t i = 0; i < ev->nsources; i++) {
		const tldb_source *s = &ev->sources[i];
		n += str_size(s->url) + str_size(s->title) +
		     str_size(s->plugin) + str_size(s->quote) +
		     str_size(s->expr) + str_size(s->doc_date) +
		     str_size(s->resolver);
	}
	return n;
}

static const char *put_str(char **cursor, const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *p = *cursor;
	memcpy(p, s, n);
	*cursor += n;
	return p;
}

TLDB_API int tldb_event_copy(const tldb_event *ev, tldb_event **out)
{
	*out = NULL;
	unsigned char *mem = malloc(event_size(ev));
	if (!mem)
		return TLDB_ENOMEM;
	tldb_event *copy = (tldb_event *)mem;
	*copy = *ev;
	const char **tags = (const char **)(mem + sizeof *copy);
	tldb_source *srcs = (tldb_source *)(tags + ev->ntags);
	char *strs = (char *)(srcs + ev->nsources);
	copy->uid = put_str(&strs, ev->uid);
	copy->timeline = put_str(&strs, ev->timeline);
	copy->title = put_str(&strs, ev->title);
	copy->body = put_str(&strs, ev->body);
	copy->start = put_str(&strs, ev->start);
	copy->end = put_str(&strs, ev->end);
	copy->tz = put_str(&strs, ev->tz);
	copy->location = put_str(&strs, ev->location);
	copy->url = put_str(&strs, ev->url);
	copy->recur = put_str(&strs, ev->recur);
	copy->series = put_str(&strs, ev->series);
	copy->recurrence_id = put_str(&strs, ev->recurrence_id);
	for (size_t i = 0; i < ev->ntags; i++)
		tags[i] = put_str(&strs, ev->tags[i]);
	copy->tags = ev->ntags ? tags : NULL;
	for (size_t i = 0; i < ev->nsources; i++) {
		const tldb_source *s = &ev->sources[i];
		srcs[i] = *s;
		srcs[i].url = put_str(&strs, s->url);
		srcs[i].title = put_str(&strs, s->title);
		srcs[i].plugin = put_str(&strs, s->plugin);
		srcs[i].quote = put_str(&strs, s->quote);
		srcs[i].expr = put_str(&strs, s->expr);
		srcs[i].doc_date = put_str(&strs, s->doc_date);
		srcs[i].resolver = put_str(&strs, s->resolver);
	}
	copy->sources = ev->nsources ? srcs : NULL;
	*out = copy;
	return TLDB_OK;
}

TLDB_API void tldb_event_free(tldb_event *ev)
{
	free(ev);
}
