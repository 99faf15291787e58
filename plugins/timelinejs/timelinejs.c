/*
 * timelinejs.c -- the `timelinejs` plugin: exports events as TimelineJS3's
 * JSON (https://timeline.knightlab.com/docs/json-format.html) and imports
 * such files back.  docs/FORMAT.md ("TimelineJS") is the user's account.
 *
 * Decisions:
 *  - Extension "timelinejs" for both directions (the host matches the last
 *    dot, so "x.timelinejs.json" would go to the json plugin), MIME
 *    application/json.  The importer's probe scores 80 for a JSON object
 *    whose first key is "title" or "events" and that mentions "start_date".
 *  - Export: a title slide from host->timeline() (headline = title, else
 *    name; text = description), then one slide an event.  start_date and
 *    end_date hold the fields down to each date's precision only (year;
 *    +month; +day; +hour, minute; +second), as numbers.  Times are UTC,
 *    taken from the date's bounds (lo), whatever zone or offset the EDTF
 *    string names.  Years are counted as TimelineJS counts them, with no
 *    year 0: EDTF's astronomical -0043 (44 BC) is TimelineJS year -44, shown
 *    "44 BCE"; import maps back.  An EDTF end is inclusive as TimelineJS's
 * end_date is, so it maps directly; a start that is itself an interval becomes
 * start_date and end_date.  display_date spells out what the fields cannot:
 * qualifiers
 *    ("about February 2022", "February 2022?", "about February 2022?") and
 *    open intervals ("from February 2022", "until 2022").  text.headline is
 *    the title, text.text the body, both HTML-escaped (& < >; the body's
 *    newlines become <br>) as TimelineJS renders them as HTML.  unique_id is
 *    the uid; with -o group-by-tag=true, group is the first tag.  What
 *    TimelineJS cannot carry goes into an extra object TimelineJS ignores:
 *    "tldb_event": {"start", "end", "tz", "location", "url", "tags",
 *    "timeline"} and, in the title slide, "tldb_timeline": {"name"}.
 *    Memory is constant: one event is serialised at a time.
 *  - Import: streamed with yajl (one slide held at a time), so every event
 *    and error has its line and column.  With a "tldb_event" object, its
 *    EDTF dates, zone, location, URL, tags and timeline win, and headline
 *    and text are unescaped exactly (they were escaped by us).  Without it
 *    (a hand-written TimelineJS file) start_date/end_date become EDTF at
 *    the precision of the fields present (numbers or numeric strings; ""
 *    is absent), times as UTC ("2022-09-15T10:00Z"); headline and text are
 *    kept as they are (HTML stays HTML); group becomes the one tag.  The
 *    title slide names the timeline: "tldb_timeline".name, else a name
 *    derived from its headline (lower case, runs of other characters to
 *    '-', at most 64 bytes).  A slide without start_date or headline, or a
 *    date field out of range, is a bad record at its position.
 */
#include "timelinejs.h"

const tldb_host_api *tljs_host;

static const char *const extensions[] = {"timelinejs", NULL};
static const char *const mime_types[] = {"application/json", NULL};

static const tldb_plugin_option group_option = {
        .size = sizeof(tldb_plugin_option),
        .type = TLDB_OPTION_BOOL,
        .key = "group-by-tag",
        .default_value = "false",
        .help = "set each slide's group to the event's first tag",
};

static const tldb_plugin_option *const export_options[] = {&group_option, NULL};

static const tldb_plugin_format importer = {
        .size = sizeof(tldb_plugin_format),
        .kind = TLDB_KIND_IMPORTER,
        .flags = TLDB_FORMAT_THREADSAFE,
        .description = "TimelineJS3 JSON (title slide and events)",
        .extensions = extensions,
        .mime_types = mime_types,
        .probe = tljs_probe,
        .run = tljs_import_run,
};

static const tldb_plugin_format exporter = {
        .size = sizeof(tldb_plugin_format),
        .kind = TLDB_KIND_EXPORTER,
        .flags = TLDB_FORMAT_THREADSAFE | TLDB_FORMAT_NO_SOURCES,
        .description = "TimelineJS3 JSON, ready for timeline.knightlab.com",
        .extensions = extensions,
        .mime_types = mime_types,
        .options = export_options,
        .run = tljs_export_run,
};

static const tldb_plugin_info info = {
        .size = sizeof(tldb_plugin_info),
        .abi_major = TLDB_PLUGIN_ABI_MAJOR,
        .abi_minor = TLDB_PLUGIN_ABI_MINOR,
        .name = "timelinejs",
        .version = "1.0.0",
        .description = "TimelineJS3's JSON format (docs/FORMAT.md)",
        .importer = &importer,
        .exporter = &exporter,
};

TLDB_PLUGIN_EXPORT int32_t TLDB_PLUGIN_ENTRY(const tldb_host_api *host,
                                             const tldb_plugin_info **out)
{
	if (!TLDB_HOST_HAS(host, format_instant))
		return TLDB_PLUGIN_ERROR;
	tljs_host = host;
	*out = &info;
	return TLDB_PLUGIN_OK;
}
