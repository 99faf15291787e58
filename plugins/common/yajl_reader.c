/*
 * yajl_reader.c -- the shared machinery of the yajl-based readers (see
 * yajl_reader.h).
 */
#include "yajl_reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int yr_init(yajl_reader *r, const tldb_host_api *host, tldb_run *run,
            const yajl_callbacks *callbacks, void *ctx)
{
	memset(r, 0, sizeof *r);
	r->host = host;
	r->run = run;
	r->line = r->col = 1;
	r->h = yajl_alloc(callbacks, NULL, ctx);
	return r->h ? 0 : -1;
}

void yr_release(yajl_reader *r)
{
	free(r->key);
	r->key = NULL;
	if (r->h)
		yajl_free(r->h);
	r->h = NULL;
}

void yr_advance(yajl_reader *r)
{
	size_t to = yajl_get_bytes_consumed(r->h);
	for (; r->scanned < to; r->scanned++) {
		unsigned char c = r->chunk[r->scanned];
		if (c == '\n') {
			r->line++;
			r->col = 1;
		} else if ((c & 0xC0) != 0x80) {
			r->col++;
		}
	}
}

int yr_top(const yajl_reader *r)
{
	return r->stack[r->depth];
}

int yr_fatal(yajl_reader *r, const char *msg)
{
	r->host->error(r->run, TLDB_PLUGIN_ERROR, r->line, r->col, msg);
	r->stop = r->failed = 1;
	return 0;
}

int yr_push(yajl_reader *r, int role)
{
	if (r->depth + 1 >= YR_MAX_DEPTH)
		return yr_fatal(r, "JSON nested too deeply");
	r->stack[++r->depth] = role;
	free(r->key);
	r->key = NULL;
	return 1;
}

void yr_pop_map(yajl_reader *r)
{
	r->depth--;
	free(r->key);
	r->key = NULL;
}

void yr_pop_array(yajl_reader *r)
{
	r->depth--;
}

char *yr_strdup(const unsigned char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

int yr_set_key(yajl_reader *r, const unsigned char *s, size_t n)
{
	free(r->key);
	if (!(r->key = yr_strdup(s, n)))
		return yr_fatal(r, "out of memory");
	return 1;
}

int yr_key_is(const yajl_reader *r, const char *k)
{
	return r->key && strcmp(r->key, k) == 0;
}

int yr_index_of(const char *const *names, int n, const char *key)
{
	for (int i = 0; key && i < n; i++)
		if (strcmp(names[i], key) == 0)
			return i;
	return -1;
}

/* Reports yajl's message for a failed parse of buf[0..len). */
static void report_syntax(yajl_reader *r, const unsigned char *buf, size_t len)
{
	char text[300];
	yr_advance(r);
	unsigned char *msg = yajl_get_error(r->h, 0, buf, len);
	snprintf(text, sizeof text, "invalid JSON: %s",
	         msg ? (const char *)msg : "parse error");
	size_t n = strlen(text);
	while (n && (text[n - 1] == '\n' || text[n - 1] == ' '))
		text[--n] = '\0';
	yajl_free_error(r->h, msg);
	r->host->error(r->run, TLDB_PLUGIN_ERROR, r->line, r->col, text);
}

int32_t yr_feed(yajl_reader *r, unsigned char *buf, size_t len, int last)
{
	r->chunk = buf;
	r->scanned = 0;
	yajl_status st =
	        last ? yajl_complete_parse(r->h) : yajl_parse(r->h, buf, len);
	if (st == yajl_status_ok)
		return 0;
	if (st == yajl_status_client_canceled || r->stop)
		return r->failed ? TLDB_PLUGIN_ERROR : YR_STOPPED;
	report_syntax(r, buf, len);
	return TLDB_PLUGIN_ERROR;
}

static int is_blank(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!s[i] || !strchr(" \t\r\n", s[i]))
			return 0;
	return 1;
}

int32_t yr_parse_input(yajl_reader *r, unsigned char *buf, int *empty)
{
	int first = 1, blank = 1;
	if (empty)
		*empty = 0;
	for (;;) {
		int64_t n = r->host->read(r->run, buf, YR_CHUNK);
		if (n < 0)
			return TLDB_PLUGIN_EIO;
		size_t skip = 0;
		if (first && n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
			skip = 3; /* a UTF-8 byte order mark */
		first = 0;
		if (n == 0 && blank && empty) {
			*empty = 1;
			return 0;
		}
		blank = blank && is_blank(buf + skip, (size_t)n - skip);
		int32_t rc = yr_feed(r, buf + skip, (size_t)n - skip, n == 0);
		if (rc || n == 0)
			return rc;
	}
}
