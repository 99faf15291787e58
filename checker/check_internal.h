/*
 * check_internal.h -- shared by the parts of the plugin checker
 * (checker.h): check.c (the run and the loading check), check_child.c (the
 * forked children), check_report.c (the report lines), check_elf.c (the
 * file's symbols and needed libraries), check_export.c and check_import.c
 * (the checks that run the exporter and the importer), check_events.c (the
 * generated events) and check_corpus.c (--corpus DIR: a folder of inputs
 * through the importer).
 */
#ifndef TLDB_CHECK_INTERNAL_H
#define TLDB_CHECK_INTERNAL_H

#include <stdio.h>

#include "tldb/plugins.h"
#include "tldb/tldb.h"

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

/* How a child ended. */
typedef enum check_end {
	CHECK_ENDED = 0, /* by itself, with a verdict */
	CHECK_CRASHED,   /* killed by a signal */
	CHECK_HUNG,      /* still running after CHILD_SECONDS */
	CHECK_NO_RESULT  /* exited without a verdict (exit(), a sanitizer) */
} check_end;

/* Runs fn(c, arg) in a forked child with an alarm: 0 when it passed, 1
 * when it failed, crashed or hung, with the child's message or the reason
 * in msg; *how says how the child ended. */
int check_run_child(check *c, child_fn fn, const void *arg, check_end *how,
                    char *msg, size_t size);

/* The same when how the child ended does not matter: 0 pass, 1 fail with
 * the reason in msg (the caller's buffer of `size` bytes).  arg is
 * borrowed; the child's copy of memory dies with it. */
int check_in_child(check *c, child_fn fn, const void *arg, char *msg,
                   size_t size);

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

/* Check 5 (c->info has an exporter): makes the source database c->src_db
 * in c->dir, exports an empty result and the generated events in
 * children, and writes the sample c->sample (c->have_sample when it did)
 * for check_importer and check_round_trip.  The files stay in c->dir,
 * which the run removes. */
void check_exporter(check *c);

/* Check 4 (c->info has an importer): empty, truncated (of c->sample, or
 * skipped without one) and random inputs, each in a child with a fresh
 * folder under c->dir. */
void check_importer(check *c);

/* Check 6 (both formats): c->sample imported back in a child must give
 * c->src_db's events; skipped when check_exporter wrote no sample. */
void check_round_trip(check *c);

/* Puts the NEVENTS generated events into db in one transaction; returns 0,
 * or 1 with the reason in msg. */
int check_put_events(tldb *db, char *msg, size_t size);

/* --corpus: imports every regular file of `dir` (name order, dot files
 * passed over) with the loaded plugin's importer, each in a child with a
 * fresh database, and prints per file "ok    input NAME: N events
 * imported", "ok    input NAME: refused: LINE:COLUMN: MESSAGE" or
 * "FAIL  input NAME: crashed with signal ..." / "hung ...", then a
 * summary.  Crashes and hangs count as failed checks; an unreadable or
 * empty folder, or a plugin without an importer, is one failed check. */
void check_corpus(check *c, const char *dir);

/* Removes dir and everything in it (a temporary folder of ours). */
void check_remove_tree(const char *dir);

/* Prints "tldb: error: ..." on stderr (what keeps the checker from
 * running). */
void check_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* TLDB_CHECK_INTERNAL_H */
