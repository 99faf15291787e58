/*
 * yajl_pos.h -- what the streaming JSON readers (json, timelinejs) share:
 * turning how far yajl has read into a line and a column, and copying the
 * strings yajl hands to callbacks.  Compiled into each plugin that uses it
 * (plugins link nothing of each other).
 */
#ifndef TLDB_YAJL_POS_H
#define TLDB_YAJL_POS_H

#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_parse.h>

/* Advances *line and *col (1-based; the column counts UTF-8 characters) over
 * chunk[*scanned .. what yajl has consumed of the chunk). */
void yajl_pos_advance(yajl_handle h, const unsigned char *chunk,
                      size_t *scanned, int64_t *line, int64_t *col);

/* Writes "invalid JSON: <yajl's message>" for a failed parse of buf[0..len)
 * into text (NUL-terminated, without yajl's trailing newline). */
void yajl_pos_error_text(yajl_handle h, const unsigned char *buf, size_t len,
                         char *text, size_t size);

/* A NUL-terminated copy of s[0..n) (the caller's; free()), or NULL. */
char *yajl_pos_strdup(const unsigned char *s, size_t n);

#endif /* TLDB_YAJL_POS_H */
