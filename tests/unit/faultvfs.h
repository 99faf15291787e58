/*
 * faultvfs.h -- fault injection under SQLite for the fault suites, as
 * SQLite tests itself (its test_vfs.c and malloc tests): a VFS that wraps
 * the default one and is registered as the default, so every connection of
 * the process -- libtldb's too, which links the same libsqlite3 -- writes
 * through it; and a wrapper of SQLite's memory allocator.
 *
 * Once armed, a fault hits:
 *   FV_WRITE   the Nth xWrite (1-based) fails with SQLITE_IOERR_WRITE
 *   FV_SYNC    the Nth xSync fails with SQLITE_IOERR_FSYNC
 *   FV_MALLOC  the Nth allocation (malloc or realloc) of SQLite returns NULL
 *   FV_FULL    a full disk: every write that would grow the files past N
 *              bytes of growth in all (since arming) fails with SQLITE_FULL
 * FV_WRITE, FV_SYNC and FV_MALLOC hit once, or with `persistent` every time
 * from the Nth on.  Disarmed, everything passes straight through.
 *
 * Counters are atomics: an import's reader thread runs beside the writer
 * (only the writer calls SQLite, but nothing here relies on it).
 */
#ifndef TLDB_TEST_FAULTVFS_H
#define TLDB_TEST_FAULTVFS_H

#include <stdint.h>

typedef enum fv_kind {
	FV_NONE = 0,
	FV_WRITE,
	FV_SYNC,
	FV_MALLOC,
	FV_FULL
} fv_kind;

/* Installs the allocator wrapper and registers the VFS as the default.
 * Call once per process before any SQLite connection is opened (it shuts
 * SQLite down and initialises it again).  Returns 0, or -1 when SQLite
 * refused (then nothing is installed).  Calling it again does nothing. */
int fv_install(void);

/* Arms a fault of `kind` at the Nth event (bytes of growth for FV_FULL)
 * counted from now, resetting the counters. */
void fv_arm(fv_kind kind, int64_t n, int persistent);

/* Disarms: everything passes through again.  The counters stay readable. */
void fv_disarm(void);

/* With `skip` non-zero, every xSync that is not a fault returns at once
 * without syncing: for suites that inject errors but never crash the
 * machine, where fsync only costs time. */
void fv_skip_syncs(int skip);

/* How many faults were injected since the last fv_arm. */
int64_t fv_hits(void);

/* How many events of the armed kind were seen since the last fv_arm (for
 * FV_FULL, the bytes of growth let through). */
int64_t fv_seen(void);

/* A name for messages ("write", "sync", "malloc", "full"). */
const char *fv_kind_name(fv_kind kind);

#endif /* TLDB_TEST_FAULTVFS_H */
