/*
 * timelinejs.h -- shared by the parts of the timelinejs plugin: the host's
 * function table (kept by the entry point in timelinejs.c), the importer
 * (tljs_read.c), the exporter (tljs_write.c) and the small helpers both use
 * (tljs_util.c): civil dates from instants, EDTF years, HTML escaping.
 */
#ifndef TLDB_TIMELINEJS_H
#define TLDB_TIMELINEJS_H

#include <stddef.h>
#include <stdint.h>

#include "civil.h"
#include "tldb/plugin.h"

extern const tldb_host_api *tljs_host;

/* The key of the object that carries what TimelineJS cannot: "tldb_event"
 * in an event slide, "tldb_timeline" in the title slide.  Not "tldb", so
 * the json plugin's probe does not claim our files. */
#define TLJS_EVENT_EXT    "tldb_event"
#define TLJS_TIMELINE_EXT "tldb_timeline"

/* Writes year y as EDTF does ("2022", "0999", "-0044", "Y12000"). */
void tljs_edtf_year(int64_t y, char *buf, size_t size);

/* HTML-escapes s (& < >; with `newlines`, "\n" becomes "<br>\n") into a
 * new string (the caller frees), or NULL when memory ran out. */
char *tljs_html_escape(const char *s, int newlines);

/* The exact inverse of tljs_html_escape, in place. */
void tljs_html_unescape(char *s, int newlines);

/* The importer and its probe (tljs_read.c), the exporter (tljs_write.c). */
int32_t tljs_import_run(tldb_run *run, void *state);
int32_t tljs_probe(const uint8_t *head, uint64_t len);
int32_t tljs_export_run(tldb_run *run, void *state);

/* Years: EDTF counts astronomically (year 0 is 1 BC, -0043 is 44 BC);
 * TimelineJS counts as historians do, with no year 0 (-44 is 44 BCE). */
int64_t tljs_year_out(int64_t astronomical);
int64_t tljs_year_in(int64_t timelinejs);

#endif /* TLDB_TIMELINEJS_H */
