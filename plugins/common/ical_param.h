/*
 * ical_param.h -- the value of one parameter of an iCalendar content line
 * (RFC 5545 3.2), for the readers that take a line apart themselves: the
 * ical importer's RDATE/EXDATE values (libical keeps only 500 of a line)
 * and libtldb's reading of a series' recurrence.  Compiled into both, as
 * the rest of plugins/common.
 */
#ifndef TLDB_ICAL_PARAM_H
#define TLDB_ICAL_PARAM_H

#include <stddef.h>

/* Writes the value of parameter `name` (case-insensitive) found in
 * params[0..n) -- the part of a content line between its name and its
 * ':', as ";TZID=Europe/Paris;VALUE=DATE" -- into buf[0..size), without
 * the quotes of a quoted value; "" when the parameter is absent. */
void tl_ical_param(const char *params, size_t n, const char *name, char *buf,
                   size_t size);

#endif /* TLDB_ICAL_PARAM_H */
