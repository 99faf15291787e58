/*
 * date_format.c -- the canonical text of a tldb_date (tldb_date_format):
 * zero-padded four-digit years with a '-' sign down to -9999 and 'Y' beyond,
 * uppercase T and Z, offsets as +HH:MM, named zones as [Name], seconds only
 * at second precision, the qualifier right after the date, and intervals as
 * "A/B" with ".." for an open end and nothing for an unknown one.
 */
#include <stdio.h>
#include <string.h>

#include "date_internal.h"

typedef struct out_buf {
	char *buf;
	size_t size, len;
	int overflow;
} out_buf;

static void put(out_buf *o, const char *s, size_t n)
{
	if (o->overflow || o->len + n >= o->size) {
		o->overflow = 1;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void put_int2(out_buf *o, char lead, int v)
{
	char tmp[16];
	int n = snprintf(tmp, sizeof tmp, "%c%02d", lead, v);
	if (n > 0)
		put(o, tmp, (size_t)n);
}

static void put_zone(out_buf *o, const tldb_datepoint *pt)
{
	int m;
	size_t zl;

	switch (pt->zone_kind) {
	case TLDB_ZONE_UTC:
		put(o, "Z", 1);
		break;
	case TLDB_ZONE_OFFSET:
		m = pt->offset_minutes < 0 ? -pt->offset_minutes
		                           : pt->offset_minutes;
		put_int2(o, pt->offset_minutes < 0 ? '-' : '+', m / 60);
		put_int2(o, ':', m % 60);
		break;
	case TLDB_ZONE_NAMED:
		zl = strnlen(pt->zone, sizeof pt->zone);
		put(o, "[", 1);
		put(o, pt->zone, zl);
		put(o, "]", 1);
		break;
	default:
		break;
	}
}

static void put_point(out_buf *o, const tldb_datepoint *pt)
{
	char year[32];
	int n;

	if (pt->kind == TLDB_POINT_OPEN) {
		put(o, "..", 2);
		return;
	}
	if (pt->kind == TLDB_POINT_UNKNOWN)
		return;
	n = tl_format_year(pt->year, year, sizeof year);
	if (n > 0)
		put(o, year, (size_t)n);
	if (pt->precision >= TLDB_PREC_MONTH)
		put_int2(o, '-', pt->month);
	if (pt->precision >= TLDB_PREC_DAY)
		put_int2(o, '-', pt->day);
	if (pt->precision >= TLDB_PREC_MINUTE) {
		put_int2(o, 'T', pt->hour);
		put_int2(o, ':', pt->minute);
		if (pt->precision >= TLDB_PREC_SECOND)
			put_int2(o, ':', pt->second);
		put_zone(o, pt);
	}
	if ((pt->qualifiers & TLDB_QUAL_UNCERTAIN) &&
	    (pt->qualifiers & TLDB_QUAL_APPROXIMATE))
		put(o, "%", 1);
	else if (pt->qualifiers & TLDB_QUAL_UNCERTAIN)
		put(o, "?", 1);
	else if (pt->qualifiers & TLDB_QUAL_APPROXIMATE)
		put(o, "~", 1);
}

TLDB_API int tldb_date_format(const tldb_date *d, char *buf, size_t size)
{
	char tmp[TLDB_DATE_STRMAX * 2];
	out_buf o = {tmp, sizeof tmp, 0, 0};

	if (!d || !buf)
		return TLDB_EINVAL;
	tmp[0] = '\0';
	put_point(&o, &d->start);
	if (d->is_interval) {
		put(&o, "/", 1);
		put_point(&o, &d->end);
	}
	if (o.overflow || o.len >= size) {
		if (size > 0)
			buf[0] = '\0';
		return TLDB_ETOOBIG;
	}
	memcpy(buf, tmp, o.len + 1);
	return (int)o.len;
}
