/*
 * yajl_reader.h -- what the streaming JSON readers (json, timelinejs) share:
 * the stack of roles and the current key of a yajl callback parser, line
 * and column positions in the input, fatal errors, and feeding the input
 * through yajl.  Compiled into each plugin that uses it (plugins link
 * nothing of each other).
 *
 * A reader embeds a yajl_reader and gives yajl callbacks of its own; each
 * callback starts with yr_advance so that positions are those of the value
 * at hand.  Roles are the reader's own enum, kept here as ints.
 */
#ifndef TLDB_YAJL_READER_H
#define TLDB_YAJL_READER_H

#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_parse.h>

#include "tldb/plugin.h"

#define YR_MAX_DEPTH 64
#define YR_CHUNK     65536 /* bytes read from the host at a time */

/* yr_feed's answer when a callback stopped the parse without an error. */
#define YR_STOPPED 1

typedef struct yajl_reader {
	const tldb_host_api *host;
	tldb_run *run;
	yajl_handle h;
	int stack[YR_MAX_DEPTH];
	int depth;
	char *key; /* the current key of the innermost object (owned) */
	const unsigned char *chunk; /* the chunk yajl is parsing */
	size_t scanned;             /* how much of it positions counted */
	int64_t line, col;          /* 1-based; columns count characters */
	int stop;                   /* end the parse */
	int failed;                 /* ... because of an error */
} yajl_reader;

/* Prepares r for one run (line and column 1, depth 0, role 0 at the
 * bottom) with a yajl handle calling callbacks with ctx.  Returns 0, or -1
 * when memory ran out (nothing to release then). */
int yr_init(yajl_reader *r, const tldb_host_api *host, tldb_run *run,
            const yajl_callbacks *callbacks, void *ctx);

/* Frees the key and the yajl handle. */
void yr_release(yajl_reader *r);

/* Brings line and column up to what yajl has consumed of the chunk. */
void yr_advance(yajl_reader *r);

/* The innermost role. */
int yr_top(const yajl_reader *r);

/* Enters a value of the given role (the key is cleared); 1, or 0 after
 * reporting "JSON nested too deeply" as a fatal error. */
int yr_push(yajl_reader *r, int role);

/* Leaves the innermost value; leaving an object also clears the key. */
void yr_pop_map(yajl_reader *r);
void yr_pop_array(yajl_reader *r);

/* Reports msg at the current position as an error that ends the run;
 * returns 0, for yajl callbacks to return. */
int yr_fatal(yajl_reader *r, const char *msg);

/* Takes the key yajl read; 1, or 0 after a fatal "out of memory". */
int yr_set_key(yajl_reader *r, const unsigned char *s, size_t n);

/* 1 when the current key is k. */
int yr_key_is(const yajl_reader *r, const char *k);

/* The index of key in names[0..n), or -1 (also for a NULL key). */
int yr_index_of(const char *const *names, int n, const char *key);

/* A NUL-terminated copy of s[0..n) (the caller's; free()), or NULL. */
char *yr_strdup(const unsigned char *s, size_t n);

/* Parses one chunk (with last, ends the parse).  Returns 0 to go on,
 * YR_STOPPED when a callback set stop without failed, else
 * TLDB_PLUGIN_ERROR: a callback failed, or the JSON is invalid (reported,
 * with yajl's message, at its position). */
int32_t yr_feed(yajl_reader *r, unsigned char *buf, size_t len, int last);

/* Reads the whole input from the host in YR_CHUNK blocks through buf
 * (YR_CHUNK bytes), skipping a UTF-8 byte order mark, and feeds it.  When
 * blank_is_empty is set, an input of nothing but white space ends at once
 * with *empty set (else *empty is 0).  Returns what yr_feed returned last
 * (0 at a normal end), or TLDB_PLUGIN_EIO when reading failed. */
int32_t yr_parse_input(yajl_reader *r, unsigned char *buf, int *empty);

#endif /* TLDB_YAJL_READER_H */
