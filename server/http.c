/*
 * http.c -- the pieces of HTTP that are plain functions: response bodies
 * and their validators, gzip, HTTP dates, If-None-Match and
 * Accept-Encoding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "server.h"
#include "tldb/date.h"

srv_body *srv_body_new(int status, const char *content_type,
                       unsigned char *data, size_t len)
{
	srv_body *b = calloc(1, sizeof *b);
	if (!b) {
		free(data);
		return NULL;
	}
	b->refs = 1;
	b->status = status;
	snprintf(b->content_type, sizeof b->content_type, "%s", content_type);
	b->data = data;
	b->len = len;
	return b;
}

srv_body *srv_body_text(int status, const char *msg)
{
	size_t n = strlen(msg);
	unsigned char *d = malloc(n + 1);
	if (!d)
		return NULL;
	memcpy(d, msg, n);
	d[n] = '\n';
	return srv_body_new(status, "text/plain; charset=utf-8", d, n + 1);
}

void srv_body_ref(srv_body *b)
{
	b->refs++;
}

void srv_body_unref(srv_body *b)
{
	if (!b || --b->refs > 0)
		return;
	free(b->data);
	free(b->gz);
	free(b);
}

void srv_body_set_etag(srv_body *b)
{
	/* Two independent checksums and the length: a strong validator for
	 * the bytes, so an unchanged database keeps its ETag. */
	uLong crc = crc32(0L, Z_NULL, 0), adler = adler32(0L, Z_NULL, 0);
	const unsigned char *p = b->data;
	size_t left = b->len;
	while (left) {
		uInt n = left > (1u << 30) ? (1u << 30) : (uInt)left;
		crc = crc32(crc, p, n);
		adler = adler32(adler, p, n);
		p += n;
		left -= n;
	}
	snprintf(b->etag, sizeof b->etag, "\"%zx-%08lx%08lx\"", b->len,
	         (unsigned long)crc, (unsigned long)adler);
}

int srv_gzip(const unsigned char *in, size_t len, unsigned char **out,
             size_t *out_len)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	/* 15 + 16: a gzip wrapper rather than zlib's. */
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return -1;
	size_t cap = deflateBound(&z, (uLong)len) + 32;
	unsigned char *buf = malloc(cap);
	if (!buf) {
		deflateEnd(&z);
		return -1;
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = buf;
	z.avail_out = (uInt)cap;
	int rc = deflate(&z, Z_FINISH);
	size_t n = z.total_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END) {
		free(buf);
		return -1;
	}
	*out = buf;
	*out_len = n;
	return 0;
}

int srv_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static const char *const wdays[] = {"Thu", "Fri", "Sat", "Sun",
                                    "Mon", "Tue", "Wed"};
static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void srv_http_date(int64_t t, char *buf, size_t size)
{
	int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	int64_t secs = t - days * 86400;
	int64_t y;
	int m, d;
	tldb_civil_from_days(days, &y, &m, &d);
	int wd = (int)(((days % 7) + 7) % 7);
	snprintf(buf, size, "%s, %02d %s %04lld %02d:%02d:%02d GMT", wdays[wd],
	         d, months[m - 1], (long long)y, (int)(secs / 3600),
	         (int)(secs / 60 % 60), (int)(secs % 60));
}

static int month_of(const char *s)
{
	for (int i = 0; i < 12; i++)
		if (strncmp(s, months[i], 3) == 0)
			return i + 1;
	return 0;
}

static int64_t civil_seconds(int64_t y, int m, int d, int hh, int mm, int ss)
{
	if (m < 1 || m > 12 || d < 1 || d > tldb_days_in_month(y, m) ||
	    hh > 23 || mm > 59 || ss > 60 || y < 1 || y > 9999)
		return -1;
	return tldb_days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60 +
	       (ss == 60 ? 59 : ss);
}

int64_t srv_parse_http_date(const char *s)
{
	char wd[16], mon[4];
	int d, y, hh, mm, ss, n = 0;
	/* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
	if (sscanf(s, "%3s, %2d %3s %4d %2d:%2d:%2d GMT%n", wd, &d, mon, &y,
	           &hh, &mm, &ss, &n) == 7 &&
	    s[n] == '\0' && n == 29)
		return civil_seconds(y, month_of(mon), d, hh, mm, ss);
	/* RFC 850: Sunday, 06-Nov-94 08:49:37 GMT */
	n = 0;
	if (sscanf(s, "%15[A-Za-z], %2d-%3s-%2d %2d:%2d:%2d GMT%n", wd, &d, mon,
	           &y, &hh, &mm, &ss, &n) == 7 &&
	    s[n] == '\0')
		return civil_seconds(y < 70 ? 2000 + y : 1900 + y,
		                     month_of(mon), d, hh, mm, ss);
	/* asctime: Sun Nov  6 08:49:37 1994 */
	n = 0;
	if (sscanf(s, "%3s %3s %2d %2d:%2d:%2d %4d%n", wd, mon, &d, &hh, &mm,
	           &ss, &y, &n) == 7 &&
	    s[n] == '\0')
		return civil_seconds(y, month_of(mon), d, hh, mm, ss);
	return -1;
}

int srv_etag_matches(const char *inm, const char *etag)
{
	size_t elen = strlen(etag);
	const char *p = inm;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return 1;
		if (strncmp(p, "W/", 2) == 0)
			p += 2; /* If-None-Match compares weakly */
		if (*p != '"')
			return 0; /* malformed: no match */
		const char *end = strchr(p + 1, '"');
		if (!end)
			return 0;
		if ((size_t)(end + 1 - p) == elen && memcmp(p, etag, elen) == 0)
			return 1;
		p = end + 1;
	}
	return 0;
}

int srv_accepts_gzip(const char *ae)
{
	for (const char *p = ae; p && *p;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		size_t n = strcspn(p, ",;");
		size_t tok = n;
		while (tok && (p[tok - 1] == ' ' || p[tok - 1] == '\t'))
			tok--;
		int is_gzip = (tok == 4 && strncasecmp(p, "gzip", 4) == 0) ||
		              (tok == 1 && p[0] == '*');
		const char *q = p + n;
		double qv = 1.0;
		while (*q == ';') {
			q++;
			while (*q == ' ')
				q++;
			if ((q[0] == 'q' || q[0] == 'Q') && q[1] == '=') {
				char *end;
				double v = strtod(q + 2, &end);
				/* a malformed q-value is ignored */
				if (end != q + 2 && v >= 0 && v <= 1)
					qv = v;
			}
			q += strcspn(q, ",;");
		}
		if (is_gzip)
			return qv > 0;
		p = q;
	}
	return 0;
}

const char *srv_reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 304:
		return "Not Modified";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 408:
		return "Request Timeout";
	case 413:
		return "Content Too Large";
	case 414:
		return "URI Too Long";
	case 431:
		return "Request Header Fields Too Large";
	case 503:
		return "Service Unavailable";
	default:
		return "Internal Server Error";
	}
}
