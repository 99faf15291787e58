/*
 * date_internal.h -- private helpers shared by the date module's files
 * (date_civil.c, date_parse.c, date_format.c, date_zone.c, date_range.c):
 * year formatting, error reporting and the 1-day bounds of a civil day (the
 * calendar itself, with floor division, is plugins/common/civil.h, shared
 * with the plugins).  Nothing here is exported from libtldb.
 */
#ifndef TLDB_DATE_INTERNAL_H
#define TLDB_DATE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "civil.h"
#include "tldb/date.h"

#define TLDB_DAY_SECONDS INT64_C(86400)

/* Writes year y canonically ("2022", "-0044", "Y12000", "Y-12000") into buf.
 * Returns the length, or -1 when it does not fit. */
int tl_format_year(int64_t y, char *buf, size_t size);

/* Fills *err (when not NULL): the message is `input` followed by ": " and the
 * formatted text; column is 1-based (0: no position). */
void tl_errf(tldb_errbuf *err, int column, const char *input, const char *fmt,
             ...) __attribute__((format(printf, 4, 5)));

/* Fills *err with the formatted text alone (no input prefix). */
void tl_errf_plain(tldb_errbuf *err, int column, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* 1 when `zone` is NULL, "" (meaning UTC to the callers of this module). */
int tl_zone_is_default(const char *zone);

#endif /* TLDB_DATE_INTERNAL_H */
