/*
 * ical_plugin.h -- shared by the files of the `ical` plugin (RFC 5545 and
 * RFC 7986 .ics).  The plugin writes every byte of .ics text itself
 * (ics_text.c: escaping, folding on UTF-8 and escape-pair boundaries, CRLF)
 * and uses libical only for VTIMEZONE data (ics_zones.c) and for parsing on
 * import (ics_read.c).  Every libical call is made under ical_lock(), one
 * mutex for the whole plugin: libical's zone cache is not thread safe.
 * Dates never go through time_t: ics_time.c converts civil dates itself.
 */
#ifndef TLDB_ICAL_PLUGIN_H
#define TLDB_ICAL_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include "civil.h"
#include "tldb/plugin.h"

extern const tldb_host_api *ical_host;

/* The one mutex around libical. */
void ical_lock(void);
void ical_unlock(void);

/* ---- ics_text.c: the serializer ---- */

/* Buffered output of folded content lines to host->write. */
typedef struct ics_out {
	tldb_run *run;
	char *buf; /* physical output, flushed when full */
	size_t len, cap;
	char *line; /* the logical line being built */
	size_t llen, lcap;
	char *fold; /* a long line folded, kept for the next one */
	size_t fcap;
	int32_t rc; /* the first failure; later calls do nothing */
} ics_out;

int32_t ics_out_init(ics_out *o, tldb_run *run);
int32_t ics_out_flush(ics_out *o);
void ics_out_free(ics_out *o);

/* Appends raw bytes to the logical line. */
void ics_raw(ics_out *o, const char *s, size_t n);
void ics_str(ics_out *o, const char *s);
/* Appends s as a TEXT value: \ ; , escaped, newline as \n, CR and other
 * control characters but TAB dropped. */
void ics_text(ics_out *o, const char *s);
/* Appends s without escaping but with control characters dropped (URIs,
 * parameter values). */
void ics_clean(ics_out *o, const char *s);
/* Folds the logical line (75 octets, never inside a UTF-8 sequence or an
 * escape pair) and writes it with CRLF. */
void ics_endline(ics_out *o);
/* One whole line: name ":" value, value raw or as TEXT. */
void ics_line(ics_out *o, const char *name, const char *value);
void ics_line_text(ics_out *o, const char *name, const char *value);

/* Folds line[0..n) into out (a caller-sized buffer of at least
 * n + 3 * (n / 64 + 2) + 2 bytes) with CRLF; returns the bytes written.
 * Exposed for tests through the exporter only. */
size_t ics_fold(const char *line, size_t n, char *out);

/* ---- ics_time.c: dates and wall times without time_t (the calendar is
 * civil.h's; a civil_time holds wall-clock fields as if the wall were UTC) */

/* "YYYYMMDD" and "YYYYMMDDTHHMMSS" (+ "Z" when utc); -1 when the year is
 * outside 1..9999 (what iCalendar can write). */
int ics_format_date(int64_t t, char *buf, size_t size);
int ics_format_datetime(int64_t t, int utc, char *buf, size_t size);
/* 1 when ics_format_date and ics_format_datetime can write t (its year is
 * within 1..9999), else 0. */
int ics_writable(int64_t t);

/* How an EDTF time point is anchored. */
#define ICS_WALL_NONE     0 /* not a time of day (a date, or malformed) */
#define ICS_WALL_FLOATING 1 /* 2022-09-15T10:00 */
#define ICS_WALL_UTC      2 /* ...Z */
#define ICS_WALL_OFFSET   3 /* ...+05:00 */
#define ICS_WALL_ZONED    4 /* ...[Area/City] */

typedef struct ics_wall {
	int kind;
	int has_seconds;
	int64_t local;  /* wall time as seconds (as if UTC) */
	char zone[128]; /* ICS_WALL_ZONED: the bracketed zone */
} ics_wall;

/* Reads s[0..n) as a time point; kind NONE when it is not one. */
void ics_parse_wall(const char *s, size_t n, ics_wall *w);

/* Writes the EDTF an importer derives from an iCalendar value: a date
 * (day), or a time "YYYY-MM-DDTHH:MM[:SS]" with "Z" when utc (seconds only
 * when not zero).  -1 when it does not fit. */
int ics_edtf_date(int64_t t, char *buf, size_t size);
int ics_edtf_time(int64_t t, int utc, char *buf, size_t size);

/* 1 when `zone` has exactly one UTC instant for wall time `local` (not in a
 * DST gap or overlap), with it in *utc. */
int ics_wall_unique(const char *zone, int64_t local, int64_t *utc);

/* ---- ics_zones.c: VTIMEZONE from libical ---- */

typedef struct ics_zones {
	char **names;
	size_t n, cap;
} ics_zones;

/* 1 when libical knows the IANA zone. */
int ics_zone_known(const char *zone);
/* Writes the VTIMEZONE of `zone` the first time it is used (truncated to
 * the year before `from`, TZID the bare IANA name).  Returns 1 when it is
 * (now) written, 0 when libical lacks it, <0 on failure. */
int ics_zone_emit(ics_zones *z, ics_out *o, const char *zone, int64_t from);
void ics_zones_free(ics_zones *z);

/* ---- the formats ---- */

int32_t ics_export_run(tldb_run *run, void *state);
int32_t ics_import_run(tldb_run *run, void *state);
int32_t ics_probe(const uint8_t *head, uint64_t len);

#endif /* TLDB_ICAL_PLUGIN_H */
