/*
 * plugin_check.h -- shared by the parts of `tldb plugins check`:
 * plugin_check.c (the flow and the checks that run plugin code in child
 * processes), plugin_check_elf.c (the file's symbols and needed libraries)
 * and plugin_check_events.c (the generated events).
 */
#ifndef TLDB_PLUGIN_CHECK_H
#define TLDB_PLUGIN_CHECK_H

#include <stdio.h>

#include "cli.h"

#define MSG_SIZE      2048
#define CHILD_SECONDS 20 /* alarm() in every child */
#define PARENT_GRACE  10 /* then the parent kills it */
#define NEVENTS       10000
#define SAMPLE_EVENTS 500 /* the round trip's and the sample's share */
#define NCUTS         10
#define NRANDOM       5
#define MAX_LISTED    12 /* extra symbols named in a failure */

typedef struct check {
	const char *path; /* the file, resolved */
	char dir[4096];   /* our temporary folder */
	char src_db[4200];
	char sample[4200];
	tldb_plugins *reg;
	const tldb_plugin_info *info;
	int passed, failed;
	int have_db, have_sample;
} check;

/* Runs in a child: 0 pass, 1 fail with a reason in msg. */
typedef int (*child_fn)(check *c, const void *arg, char *msg, size_t size);

/* Reporting: "ok    WHAT", "FAIL  WHAT: REASON", "skip  WHAT: REASON". */
void check_pass(check *c, const char *what);
void check_fail(check *c, const char *what, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
void check_verdict(check *c, const char *what, int rc, const char *msg);
void check_skip(const char *what, const char *why);

/* Appends to msg (for lists); truncation is harmless. */
void check_appendf(char *msg, size_t size, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Checks 2 and 3: exported symbols and needed libraries (libelf). */
void check_elf(check *c);

/* Puts the NEVENTS generated events into db in one transaction; returns 0,
 * or 1 with the reason in msg. */
int check_put_events(tldb *db, char *msg, size_t size);

#endif /* TLDB_PLUGIN_CHECK_H */
