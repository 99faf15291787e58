/*
 * csv_plugin.h -- shared by the files of the csv plugin: the host table kept
 * by the entry point (csv.c), the importer (csv_read.c), the exporter
 * (csv_write.c) and the reading of spreadsheet dates (csv_date.c).  The
 * format itself is described at the top of csv.c and in docs/FORMAT.md.
 */
#ifndef TLDB_CSV_PLUGIN_H
#define TLDB_CSV_PLUGIN_H

#include <stddef.h>

#include "civil.h"
#include "tldb/plugin.h"

extern const tldb_host_api *csv_host;

/* The event fields a column can hold, in the exporter's column order;
 * `timeline` is accepted on import only. */
enum {
	CSV_F_UID,
	CSV_F_TITLE,
	CSV_F_START,
	CSV_F_END,
	CSV_F_TZ,
	CSV_F_LOCATION,
	CSV_F_TAGS,
	CSV_F_URL,
	CSV_F_BODY,
	CSV_F_TIMELINE,
	CSV_NFIELDS
};
#define CSV_EXPORT_FIELDS 9 /* uid .. body */

extern const char *const csv_field_names[CSV_NFIELDS];

/* The largest field the importer holds (the body's limit, 1 MiB). */
#define CSV_FIELD_MAX (1024 * 1024)

/* The importer (csv_read.c). */
int32_t csv_import_run(tldb_run *run, void *state);
int32_t csv_probe(const uint8_t *head, uint64_t len);

/* The exporter (csv_write.c). */
int32_t csv_export_run(tldb_run *run, void *state);

/* How numeric D/M/Y and M/D/Y dates are read (-o dayfirst). */
typedef enum csv_dayfirst {
	CSV_DAYFIRST_UNSET = -1, /* only unambiguous ones */
	CSV_DAYFIRST_NO = 0,     /* month first: 9/15/2022 */
	CSV_DAYFIRST_YES = 1     /* day first: 15/09/2022 */
} csv_dayfirst;

/* Converts a spreadsheet date (D/M/YYYY or M/D/YYYY, separators '/', '.'
 * or '-', optionally followed by " HH:MM" or " HH:MM:SS") to EDTF
 * ("2022-09-15", "2022-09-15T10:00") in out[0..size).  Returns 1 when s
 * was such a date and was converted, 0 when s is no numeric date (it is
 * then used as it is, an EDTF date), -1 when it is a bad or ambiguous one,
 * with the reason in err[0..errsize). */
int csv_convert_date(const char *s, csv_dayfirst dayfirst, char *out,
                     size_t size, char *err, size_t errsize);

#endif /* TLDB_CSV_PLUGIN_H */
