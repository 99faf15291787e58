/*
 * buf.c -- the capped growable buffer of buf.h.
 */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tl_buf_init(tl_buf *b, size_t cap)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap;
	b->failed = 0;
}

void tl_buf_release(tl_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
}

void tl_buf_reset(tl_buf *b)
{
	b->len = 0;
	b->failed = 0;
	if (b->data)
		b->data[0] = '\0';
}

static int fail(tl_buf *b)
{
	tl_buf_release(b);
	b->failed = 1;
	return -1;
}

static int grow(tl_buf *b, size_t extra)
{
	if (b->failed)
		return -1;
	if (extra > b->cap || b->len > b->cap - extra)
		return fail(b);
	size_t need = b->len + extra + 1;
	if (need <= b->alloc)
		return 0;
	size_t n = b->alloc ? b->alloc : 64;
	while (n < need)
		n *= 2;
	char *p = realloc(b->data, n);
	if (!p)
		return fail(b);
	b->data = p;
	b->alloc = n;
	return 0;
}

int tl_buf_add(tl_buf *b, const void *mem, size_t len)
{
	if (grow(b, len))
		return -1;
	if (len)
		memcpy(b->data + b->len, mem, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int tl_buf_adds(tl_buf *b, const char *s)
{
	return tl_buf_add(b, s, strlen(s));
}

int tl_buf_addf(tl_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || grow(b, (size_t)n))
		return b->failed ? -1 : fail(b);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

const char *tl_buf_str(const tl_buf *b)
{
	return b->data ? b->data : "";
}

char *tl_buf_steal(tl_buf *b)
{
	if (b->failed)
		return NULL;
	char *p = b->data;
	if (!p) {
		p = malloc(1);
		if (p)
			p[0] = '\0';
	}
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	return p;
}
