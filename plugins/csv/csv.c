/*
 * csv.c -- the `csv` plugin: events as comma-separated values (RFC 4180),
 * the format spreadsheets read and write.
 *
 * IMPORT.  The first record is a header whose names say which field each
 * column holds: uid, title, start, end, tz, location, tags, url, body and
 * timeline (ASCII case and surrounding blanks ignored).  start and title
 * are required; a missing one is an error at the header.  Other columns
 * are mapped with -o columns=NAME:FIELD,NAME:FIELD... (a header name, a
 * colon, a field; the last colon splits, so a name may hold one but no
 * comma; FIELD "-" ignores the column quietly): a spreadsheet's
 * Date,Headline is read with -o columns=Date:start,Headline:title.  A
 * mapping wins over a column named like the field.  Columns still unknown
 * are ignored with one warning that lists them.  Fields are RFC 4180:
 * quoted or not, "" for a quote inside quotes, line ends (kept as written)
 * inside quotes; records end in CR LF, LF or CR; a UTF-8 byte order mark is
 * skipped; blank lines and rows of empty fields are passed over.  Values
 * are kept as written except start, end, tz and tags, which are trimmed;
 * an empty field is an absent one (an empty uid: the host derives one).
 * tags are split at ';'.  Each record must have as many fields as the
 * header.
 *
 * DATES are EDTF as the contract writes them (2022-09-15, 2022-02,
 * 2022-09-15T10:00Z, 2022-02/2022-09, ...), or a spreadsheet's numeric day
 * D/M/YYYY or M/D/YYYY (separators / . -, an optional " HH:MM[:SS]"),
 * converted to EDTF YYYY-MM-DD[THH:MM[:SS]] before it is handed over.
 * Without -o dayfirst only unambiguous ones are read: 15/09/2022 and
 * 9/15/2022 (one number over 12) and 05/05/2022; 03/04/2022 is the error
 * "ambiguous date 03/04/2022: give -o dayfirst=true or false".  With
 * -o dayfirst=true every one is D/M/YYYY, with false M/D/YYYY, and a date
 * that does not fit (15/09/2022 with false) is an error.
 *
 * ERRORS carry the FILE:LINE:COLUMN where they are: a bad value at its
 * field, a bad record at its first byte (the physical line it starts on;
 * embedded line ends are counted).  Invalid UTF-8, a NUL byte, a field
 * over 1 MiB (CSV_FIELD_MAX, the largest an event field may be), more than
 * 64 tags, a bad date or the wrong number of fields is a bad record: with
 * --on-error skip it is reported and passed over, else the import stops and
 * stores nothing.  A syntax error (a quote inside an unquoted field, text
 * after a closing quote, a quote never closed) and a bad header end the
 * import either way.
 *
 * EXPORT writes the header uid,title,start,end,tz,location,tags,url,body
 * and one record an event, CR LF after each; a field with a comma, a
 * quote, a CR or a LF, or with a blank at either end, is quoted and its
 * quotes doubled; tags are joined by ';'.  Sources are not written (CSV has
 * no place for them), nor the timeline.  What tldb exports it imports to
 * the same events, and exports again byte for byte.
 */
#include "csv_plugin.h"

const tldb_host_api *csv_host;

const char *const csv_field_names[CSV_NFIELDS] = {
        "uid",      "title", "start", "end",  "tz",
        "location", "tags",  "url",   "body", "timeline"};

static const char *const extensions[] = {"csv", NULL};
static const char *const mime_types[] = {"text/csv", NULL};

static const tldb_plugin_option columns_option = {
        .size = sizeof(tldb_plugin_option),
        .type = TLDB_OPTION_STRING,
        .key = "columns",
        .default_value = NULL,
        .help = "map header names to fields: NAME:FIELD,... (FIELD one of "
                "uid title start end tz location tags url body timeline, "
                "or - to ignore the column)",
};
static const tldb_plugin_option dayfirst_option = {
        .size = sizeof(tldb_plugin_option),
        .type = TLDB_OPTION_BOOL,
        .key = "dayfirst",
        .default_value = NULL,
        .help = "numeric dates are D/M/YYYY (true) or M/D/YYYY (false); "
                "unset, an ambiguous one such as 03/04/2022 is an error",
};
static const tldb_plugin_option *const import_options[] = {
        &columns_option, &dayfirst_option, NULL};

static const tldb_plugin_format importer = {
        .size = sizeof(tldb_plugin_format),
        .kind = TLDB_KIND_IMPORTER,
        .flags = TLDB_FORMAT_THREADSAFE,
        .description = "comma-separated values (RFC 4180) with a header of "
                       "field names",
        .extensions = extensions,
        .mime_types = mime_types,
        .options = import_options,
        .probe = csv_probe,
        .run = csv_import_run,
};

static const tldb_plugin_format exporter = {
        .size = sizeof(tldb_plugin_format),
        .kind = TLDB_KIND_EXPORTER,
        .flags = TLDB_FORMAT_THREADSAFE | TLDB_FORMAT_NO_SOURCES,
        .description = "comma-separated values (RFC 4180): uid, title, "
                       "start, end, tz, location, tags, url, body",
        .extensions = extensions,
        .mime_types = mime_types,
        .run = csv_export_run,
};

static const tldb_plugin_info info = {
        .size = sizeof(tldb_plugin_info),
        .abi_major = TLDB_PLUGIN_ABI_MAJOR,
        .abi_minor = TLDB_PLUGIN_ABI_MINOR,
        .name = "csv",
        .version = "1.0.0",
        .description = "events as CSV, the spreadsheets' format",
        .importer = &importer,
        .exporter = &exporter,
};

TLDB_PLUGIN_EXPORT int32_t TLDB_PLUGIN_ENTRY(const tldb_host_api *host,
                                             const tldb_plugin_info **out)
{
	if (!TLDB_HOST_HAS(host, format_instant))
		return TLDB_PLUGIN_ERROR;
	csv_host = host;
	*out = &info;
	return TLDB_PLUGIN_OK;
}
