/*
 * ical.c -- the `ical` plugin's descriptors and entry point: an exporter of
 * RFC 5545 / RFC 7986 calendars (ics_write.c) and an importer of .ics files
 * through libical (ics_read.c), extension "ics", MIME text/calendar.  Every
 * libical call in the plugin runs under the one mutex here (libical's
 * built-in zone cache crashes when filled from several threads), and the
 * formats are not flagged THREADSAFE: the host runs one instance at a time.
 */
#include <pthread.h>

#include "ical_plugin.h"

const tldb_host_api *ical_host;

static pthread_mutex_t ical_mutex = PTHREAD_MUTEX_INITIALIZER;

void ical_lock(void)
{
	pthread_mutex_lock(&ical_mutex);
}

void ical_unlock(void)
{
	pthread_mutex_unlock(&ical_mutex);
}

static const char *const ext[] = {"ics", "ical", "ifb", NULL};
static const char *const mime[] = {"text/calendar", NULL};

static const tldb_plugin_option opt_coarse = {
        .size = sizeof(tldb_plugin_option),
        .type = TLDB_OPTION_STRING,
        .key = "coarse",
        .default_value = "span",
        .help = "month and year dates: span (all-day over the whole month "
                "or year), first-day (all-day on its first day) or skip; "
                "both keep X-TLDB-PRECISION and X-TLDB-EDTF"};
static const tldb_plugin_option opt_refresh = {
        .size = sizeof(tldb_plugin_option),
        .type = TLDB_OPTION_STRING,
        .key = "refresh",
        .default_value = "PT6H",
        .help = "REFRESH-INTERVAL and X-PUBLISHED-TTL, a duration (PT6H); "
                "empty leaves them out"};
static const tldb_plugin_option *const export_options[] = {&opt_coarse,
                                                           &opt_refresh, NULL};

/* The window of earlier versions, which expanded series at import: still
 * accepted, as any text, so that older commands run (with a warning). */
static const tldb_plugin_option opt_from = {
        .size = sizeof(tldb_plugin_option),
        .type = TLDB_OPTION_STRING,
        .key = "from",
        .default_value = NULL,
        .help = "ignored: series are kept as rules and expanded by each "
                "query"};
static const tldb_plugin_option opt_to = {
        .size = sizeof(tldb_plugin_option),
        .type = TLDB_OPTION_STRING,
        .key = "to",
        .default_value = NULL,
        .help = "ignored: series are kept as rules and expanded by each "
                "query"};
static const tldb_plugin_option opt_max = {
        .size = sizeof(tldb_plugin_option),
        .type = TLDB_OPTION_STRING,
        .key = "max-occurrences",
        .default_value = NULL,
        .help = "ignored: series are kept as rules and expanded by each "
                "query"};
static const tldb_plugin_option *const import_options[] = {&opt_from, &opt_to,
                                                           &opt_max, NULL};

static const tldb_plugin_format importer = {
        .size = sizeof(tldb_plugin_format),
        .kind = TLDB_KIND_IMPORTER,
        .description = "iCalendar (RFC 5545): VEVENTs, series kept as rules",
        .extensions = ext,
        .mime_types = mime,
        .options = import_options,
        .probe = ics_probe,
        .run = ics_import_run,
};

static const tldb_plugin_format exporter = {
        .size = sizeof(tldb_plugin_format),
        .kind = TLDB_KIND_EXPORTER,
        .flags = TLDB_FORMAT_NO_SOURCES | TLDB_FORMAT_SERIES,
        .description = "iCalendar feed (RFC 5545 + RFC 7986)",
        .extensions = ext,
        .mime_types = mime,
        .options = export_options,
        .run = ics_export_run,
};

static const tldb_plugin_info info = {
        .size = sizeof(tldb_plugin_info),
        .abi_major = TLDB_PLUGIN_ABI_MAJOR,
        .abi_minor = TLDB_PLUGIN_ABI_MINOR,
        .name = "ical",
        .version = "1.0.0",
        .description = "iCalendar .ics (RFC 5545, RFC 7986)",
        .importer = &importer,
        .exporter = &exporter,
};

TLDB_PLUGIN_EXPORT int32_t TLDB_PLUGIN_ENTRY(const tldb_host_api *host,
                                             const tldb_plugin_info **out)
{
	if (!TLDB_HOST_HAS(host, format_instant))
		return TLDB_PLUGIN_ERROR;
	ical_host = host;
	*out = &info;
	return TLDB_PLUGIN_OK;
}
