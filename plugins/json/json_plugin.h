/*
 * json_plugin.h -- shared by the json and jsonl plugins.  A plugin sees only
 * tldb/plugin.h; `json_host` is the host's function table, kept by the
 * entry point.
 */
#ifndef TLDB_JSON_PLUGIN_H
#define TLDB_JSON_PLUGIN_H

#include "tldb/plugin.h"

extern const tldb_host_api *json_host;

/* The importer (json_read.c). */
int32_t json_import_run(tldb_run *run, void *state);
int32_t json_probe(const uint8_t *head, uint64_t len);

/* The exporters (json_write.c): a native document, or one event a line. */
int32_t json_export_document(tldb_run *run, void *state);
int32_t json_export_lines(tldb_run *run, void *state);

#endif /* TLDB_JSON_PLUGIN_H */
