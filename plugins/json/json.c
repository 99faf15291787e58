/*
 * json.c -- the `json` plugin: imports tldb's JSON (the native document, a
 * bare array, JSON Lines) and exports the native document.
 */
#include "json_plugin.h"

const tldb_host_api *json_host;

static const char *const import_ext[] = {"json", "jsonl", "ndjson", NULL};
static const char *const import_mime[] = {
        "application/json", "application/x-ndjson", "application/jsonl", NULL};
static const char *const export_ext[] = {"json", NULL};
static const char *const export_mime[] = {"application/json", NULL};

static const tldb_plugin_format importer = {
        .size = sizeof(tldb_plugin_format),
        .kind = TLDB_KIND_IMPORTER,
        .flags = TLDB_FORMAT_THREADSAFE,
        .description = "tldb's JSON: the native document, an array of events, "
                       "or JSON Lines",
        .extensions = import_ext,
        .mime_types = import_mime,
        .probe = json_probe,
        .run = json_import_run,
};

static const tldb_plugin_format exporter = {
        .size = sizeof(tldb_plugin_format),
        .kind = TLDB_KIND_EXPORTER,
        .flags = TLDB_FORMAT_THREADSAFE,
        .description = "tldb's native JSON document",
        .extensions = export_ext,
        .mime_types = export_mime,
        .run = json_export_document,
};

static const tldb_plugin_info info = {
        .size = sizeof(tldb_plugin_info),
        .abi_major = TLDB_PLUGIN_ABI_MAJOR,
        .abi_minor = TLDB_PLUGIN_ABI_MINOR,
        .name = "json",
        .version = "1.0.0",
        .description = "tldb's own JSON format (docs/FORMAT.md)",
        .importer = &importer,
        .exporter = &exporter,
};

TLDB_PLUGIN_EXPORT int32_t TLDB_PLUGIN_ENTRY(const tldb_host_api *host,
                                             const tldb_plugin_info **out)
{
	if (!TLDB_HOST_HAS(host, format_instant))
		return TLDB_PLUGIN_ERROR;
	json_host = host;
	*out = &info;
	return TLDB_PLUGIN_OK;
}
