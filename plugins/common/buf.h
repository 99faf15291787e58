/*
 * buf.h -- a growable byte buffer with a hard cap (after curl's dynbuf).
 * One copy for the tree: compiled into libtldb and into the plugins that
 * build strings (see plugins/common/civil.h).
 *
 * Invariants: `data` is NUL-terminated whenever it is not NULL; `len` never
 * exceeds `cap`.  A failed append (out of memory or past the cap) frees the
 * buffer and every later append fails too, so callers may check once at the
 * end.  tl_buf_init/tl_buf_release bracket a caller-provided buffer.
 */
#ifndef TLDB_BUF_H
#define TLDB_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct tl_buf {
	char *data;
	size_t len;
	size_t alloc;
	size_t cap;
	int failed;
} tl_buf;

/* An empty buffer that may grow to cap_ bytes, for initialisers. */
#define TL_BUF_INIT(cap_)                                                      \
	{                                                                      \
		NULL, 0, 0, (cap_), 0                                          \
	}

/* Prepares an empty buffer that may grow to `cap` bytes. */
void tl_buf_init(tl_buf *b, size_t cap);

/* Frees the memory; the buffer is empty and usable again. */
void tl_buf_release(tl_buf *b);

/* Empties the buffer and clears a failure, keeping its memory. */
void tl_buf_reset(tl_buf *b);

/* Appends; return 0 or -1 (the buffer is then released and failed). */
int tl_buf_add(tl_buf *b, const void *mem, size_t len);
int tl_buf_adds(tl_buf *b, const char *s);
int tl_buf_addf(tl_buf *b, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* The contents ("" when empty); borrowed until the next append. */
const char *tl_buf_str(const tl_buf *b);

/* Hands the contents over: the caller frees the result; the buffer is empty.
 * Returns NULL when the buffer failed. */
char *tl_buf_steal(tl_buf *b);

#endif /* TLDB_BUF_H */
