/*
 * arena.h -- a chunked bump allocator for the strings of one row.
 *
 * A cursor copies each row's strings into its arena and resets it before the
 * next row, so streaming any number of rows uses the memory of the largest
 * row.  Pointers stay valid until tl_arena_reset or tl_arena_release (chunks
 * never move).
 */
#ifndef TLDB_ARENA_H
#define TLDB_ARENA_H

#include <stddef.h>

typedef struct tl_arena_chunk tl_arena_chunk;

typedef struct tl_arena {
	tl_arena_chunk *head;
} tl_arena;

void tl_arena_init(tl_arena *a);

/* Frees every chunk but the newest, and empties it. */
void tl_arena_reset(tl_arena *a);

void tl_arena_release(tl_arena *a);

/* `size` bytes aligned for any object, or NULL when memory ran out. */
void *tl_arena_alloc(tl_arena *a, size_t size);

/* A NUL-terminated copy of mem[0..len), or NULL when memory ran out. */
char *tl_arena_strndup(tl_arena *a, const char *mem, size_t len);

#endif /* TLDB_ARENA_H */
