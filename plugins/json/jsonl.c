/*
 * jsonl.c -- the `jsonl` plugin: exports JSON Lines, one event a line.
 * (The json plugin imports JSON Lines.)
 */
#include "json_plugin.h"

const tldb_host_api *json_host;

static const char *const ext[] = {"jsonl", "ndjson", NULL};
static const char *const mime[] = {"application/x-ndjson", NULL};

static const tldb_plugin_format exporter = {
        .size = sizeof(tldb_plugin_format),
        .kind = TLDB_KIND_EXPORTER,
        .flags = TLDB_FORMAT_THREADSAFE,
        .description = "JSON Lines: one event a line",
        .extensions = ext,
        .mime_types = mime,
        .run = json_export_lines,
};

static const tldb_plugin_info info = {
        .size = sizeof(tldb_plugin_info),
        .abi_major = TLDB_PLUGIN_ABI_MAJOR,
        .abi_minor = TLDB_PLUGIN_ABI_MINOR,
        .name = "jsonl",
        .version = "1.0.0",
        .description = "JSON Lines export of tldb events",
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
