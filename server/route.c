/*
 * route.c -- request targets: `/`, `/timelines.json` and `/t/NAME.EXT` with
 * the filters from, to, tag (repeatable), q, min-precision, within, how
 * month and year events appear (coarse) and the private-feed token,
 * percent-decoded and turned into a cache key.
 *
 * Unknown parameters (a client's cache buster) are ignored and left out of
 * the key; a parameter given twice keeps its last value, except tag.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

/* Percent-decodes s[0..n) ('+' is a space in a query) into a new string;
 * NULL on a bad escape, a NUL byte or no memory. */
static char *decode(const char *s, size_t n, int plus_is_space)
{
	char *out = malloc(n + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '%') {
			int hi = i + 2 < n ? srv_hexval(s[i + 1]) : -1;
			int lo = i + 2 < n ? srv_hexval(s[i + 2]) : -1;
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
				free(out);
				return NULL;
			}
			*o++ = (char)(hi * 16 + lo);
			i += 2;
		} else if (c == '+' && plus_is_space) {
			*o++ = ' ';
		} else {
			*o++ = c;
		}
	}
	*o = '\0';
	return out;
}

static int set_param(char **slot, char *value)
{
	free(*slot);
	*slot = value;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends "name:LEN:value;" to key[0..size) so no value can forge
 * another.  make_key sizes the buffer; a key cut short would only miss
 * the cache, never answer for another request's key, so it is dropped. */
static void key_add(char *key, size_t size, size_t *n, const char *name,
                    const char *v)
{
	if (!v || *n >= size)
		return;
	int k = snprintf(key + *n, size - *n, "%s:%zu:%s;", name, strlen(v), v);
	*n = k < 0 || (size_t)k >= size - *n ? size : *n + (size_t)k;
}

static int make_key(srv_route *r, const char *path)
{
	size_t size = strlen(path) + 64;
	const char *vals[] = {r->from,          r->to,    r->q,
	                      r->min_precision, r->token, r->coarse};
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
		size += vals[i] ? strlen(vals[i]) + 40 : 0;
	for (int i = 0; i < r->ntags; i++)
		size += strlen(r->tags[i]) + 40;
	if (!(r->key = malloc(size)))
		return -1;
	int k = snprintf(r->key, size, "%s?", path);
	size_t n = k < 0 ? size : (size_t)k;
	key_add(r->key, size, &n, "from", r->from);
	key_add(r->key, size, &n, "to", r->to);
	qsort(r->tags, (size_t)r->ntags, sizeof r->tags[0], cmp_str);
	for (int i = 0; i < r->ntags; i++)
		key_add(r->key, size, &n, "tag", r->tags[i]);
	key_add(r->key, size, &n, "q", r->q);
	key_add(r->key, size, &n, "mp", r->min_precision);
	if (r->within)
		key_add(r->key, size, &n, "within", "1");
	key_add(r->key, size, &n, "coarse", r->coarse);
	key_add(r->key, size, &n, "token", r->token);
	return n < size ? 0 : -1; /* sized above: cannot happen */
}

static int parse_query(const char *q, size_t len, srv_route *r, char *msg,
                       size_t msgsize)
{
	const char *end = q + len;
	while (q < end) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		const char *stop = amp ? amp : end;
		const char *eq = memchr(q, '=', (size_t)(stop - q));
		const char *vs = eq ? eq + 1 : stop;
		char *name = decode(q, (size_t)((eq ? eq : stop) - q), 1);
		char *value = decode(vs, (size_t)(stop - vs), 1);
		if (!name || !value) {
			free(name);
			free(value);
			snprintf(msg, msgsize,
			         "bad percent-encoding in the query");
			return 400;
		}
		int used = 1;
		if (strcmp(name, "from") == 0)
			set_param(&r->from, value);
		else if (strcmp(name, "to") == 0)
			set_param(&r->to, value);
		else if (strcmp(name, "q") == 0)
			set_param(&r->q, value);
		else if (strcmp(name, "min-precision") == 0)
			set_param(&r->min_precision, value);
		else if (strcmp(name, "token") == 0)
			set_param(&r->token, value);
		else if (strcmp(name, "tag") == 0) {
			if (r->ntags == SRV_MAX_TAGS) {
				free(name);
				free(value);
				snprintf(msg, msgsize, "at most %d tags",
				         SRV_MAX_TAGS);
				return 400;
			}
			r->tags[r->ntags++] = value;
		} else if (strcmp(name, "coarse") == 0) {
			static const char *const modes[] = {"span", "first-day",
			                                    "skip"};
			r->coarse = NULL;
			for (size_t i = 0; i < 3; i++)
				if (strcmp(value, modes[i]) == 0)
					r->coarse = modes[i];
			if (!r->coarse) {
				snprintf(msg, msgsize,
				         "coarse: '%.100s' is not span, "
				         "first-day "
				         "or skip",
				         value);
				free(name);
				free(value);
				return 400;
			}
			used = 0;
		} else if (strcmp(name, "within") == 0) {
			if (!*value || strcmp(value, "1") == 0 ||
			    strcmp(value, "true") == 0)
				r->within = 1;
			else if (strcmp(value, "0") == 0 ||
			         strcmp(value, "false") == 0)
				r->within = 0;
			else {
				snprintf(msg, msgsize,
				         "within: '%.100s' is not 1, true, 0 "
				         "or false",
				         value);
				free(name);
				free(value);
				return 400;
			}
			used = 0;
		} else {
			used = 0; /* unknown: ignored */
		}
		if (!used)
			free(value);
		free(name);
		q = amp ? amp + 1 : end;
	}
	return 0;
}

int srv_route_parse(const char *target, size_t len, srv_route *r, char *msg,
                    size_t msgsize)
{
	memset(r, 0, sizeof *r);
	const char *qm = memchr(target, '?', len);
	size_t plen = qm ? (size_t)(qm - target) : len;
	char *path = decode(target, plen, 0);
	if (!path) {
		snprintf(msg, msgsize, "bad percent-encoding in the path");
		return 400;
	}
	int status = 0;
	if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0) {
		r->kind = SRV_ROUTE_INDEX;
	} else if (strcmp(path, "/timelines.json") == 0) {
		r->kind = SRV_ROUTE_TIMELINES_JSON;
	} else if (strncmp(path, "/t/", 3) == 0) {
		const char *file = path + 3;
		const char *dot = strrchr(file, '.');
		size_t nlen = dot ? (size_t)(dot - file) : 0;
		size_t elen = dot ? strlen(dot + 1) : 0;
		if (!dot || nlen == 0 || nlen > TLDB_MAX_TIMELINE_NAME ||
		    elen == 0 || elen >= sizeof r->ext) {
			status = 404;
		} else {
			memcpy(r->name, file, nlen);
			r->name[nlen] = '\0';
			memcpy(r->ext, dot + 1, elen + 1);
			if (!tldb_timeline_name_valid(r->name))
				status = 404;
			for (size_t i = 0; i < elen && !status; i++)
				if (!((r->ext[i] >= 'a' && r->ext[i] <= 'z') ||
				      (r->ext[i] >= '0' && r->ext[i] <= '9')))
					status = 404;
			r->kind = SRV_ROUTE_FEED;
		}
	} else {
		status = 404;
	}
	if (status == 404)
		snprintf(msg, msgsize, "not found: %.200s", path);
	if (!status && qm)
		status = parse_query(qm + 1, len - plen - 1, r, msg, msgsize);
	if (!status && make_key(r, path)) {
		snprintf(msg, msgsize, "out of memory");
		status = 503;
	}
	free(path);
	return status;
}

void srv_route_release(srv_route *r)
{
	free(r->from);
	free(r->to);
	free(r->q);
	free(r->min_precision);
	free(r->token);
	for (int i = 0; i < r->ntags; i++)
		free(r->tags[i]);
	free(r->key);
	memset(r, 0, sizeof *r);
}
