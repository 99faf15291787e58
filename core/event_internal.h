/*
 * event_internal.h -- what the store needs to know about an event before it
 * writes it: its checked bounds, precision, span class, content hash and uid.
 */
#ifndef TLDB_EVENT_INTERNAL_H
#define TLDB_EVENT_INTERNAL_H

#include <stdint.h>

#include "tldb/tldb.h"

/* Span classes: class c holds events whose span (hi - lo) is at most
 * TL_CLASS_BASE * 2^c seconds; the last class holds the rest (open ends,
 * spans of ages).  A range query searches each class with lo bounded below by
 * the query's lo minus the class's longest span, so every class is an index
 * range scan (a "binned" interval index, as genome browsers use).  With a
 * ratio of 2 between classes, the entries a class scans in vain (events that
 * end before the range) are at most about as many as those of its events that
 * reach into the range from before it; an empty class costs one seek.
 * 29 bounded classes reach spans of 30,000 years. */
#define TL_NCLASSES   30
#define TL_CLASS_BASE INT64_C(3600)

/* Classes no range arm reads: the series (a query expands them, recur.h)
 * and the cancelled occurrences of a series (only ever looked up). */
#define TL_CLASS_SERIES TL_NCLASSES
#define TL_CLASS_HIDDEN (TL_NCLASSES + 1)

/* The longest span of class c, or -1 for the last, unbounded class. */
int64_t tl_class_max_span(int c);

/* The class of an event with bounds [lo, hi). */
int tl_span_class(int64_t lo, int64_t hi);

/* An event after checking: derived values the store writes. */
typedef struct tl_checked {
	int64_t lo, hi;
	tldb_precision precision;
	int span_class;
	uint64_t hash;
	const char *timeline; /* ev->timeline or the default */
	char uid[TLDB_MAX_UID + 1];
} tl_checked;

/* The bounds [lo, hi) and the precision of an event with these dates
 * (floating times read in tz): a timed end is the instant it ends, a date
 * end is inclusive at its precision.  TLDB_OK, or an error with *err set
 * (err may be NULL). */
int tl_event_bounds(const char *start, const char *end, const char *tz,
                    int64_t *lo, int64_t *hi, tldb_precision *precision,
                    tldb_errbuf *err);

/* Checks ev (see tldb_event_check) and derives what the store writes. */
int tl_event_prepare(const tldb_event *ev, tl_checked *out, tldb_errbuf *err);

/* 1 when s[0..len) is valid UTF-8 without NUL bytes. */
int tl_utf8_valid(const char *s, size_t len);

/* FNV-1a, 64-bit, continued from h (start with TL_FNV_SEED). */
#define TL_FNV_SEED UINT64_C(0xcbf29ce484222325)
uint64_t tl_fnv1a(uint64_t h, const void *mem, size_t len);

#endif /* TLDB_EVENT_INTERNAL_H */
