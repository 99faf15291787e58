/*
 * arena.c -- the chunked bump allocator of arena.h.
 */
#include "arena.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

struct tl_arena_chunk {
	tl_arena_chunk *next;
	size_t size, used;
	alignas(max_align_t) unsigned char mem[];
};

void tl_arena_init(tl_arena *a)
{
	a->head = NULL;
}

void tl_arena_reset(tl_arena *a)
{
	if (!a->head)
		return;
	tl_arena_chunk *c = a->head->next;
	while (c) {
		tl_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head->next = NULL;
	a->head->used = 0;
}

void tl_arena_release(tl_arena *a)
{
	tl_arena_reset(a);
	free(a->head);
	a->head = NULL;
}

void *tl_arena_alloc(tl_arena *a, size_t size)
{
	const size_t align = alignof(max_align_t);
	size = (size + align - 1) & ~(align - 1);
	tl_arena_chunk *c = a->head;
	if (!c || c->size - c->used < size) {
		size_t n = c ? c->size * 2 : 4096;
		while (n < size)
			n *= 2;
		tl_arena_chunk *fresh = malloc(sizeof *fresh + n);
		if (!fresh)
			return NULL;
		fresh->size = n;
		fresh->used = 0;
		fresh->next = c;
		a->head = c = fresh;
	}
	void *p = c->mem + c->used;
	c->used += size;
	return p;
}

char *tl_arena_strndup(tl_arena *a, const char *mem, size_t len)
{
	char *p = tl_arena_alloc(a, len + 1);
	if (!p)
		return NULL;
	if (len)
		memcpy(p, mem, len);
	p[len] = '\0';
	return p;
}
