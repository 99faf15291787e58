/*
 * faultvfs_preload.c -- the fault VFS (faultvfs.h) for the real `tldb`
 * binary: built as a shared library that the fault suites put in
 * LD_PRELOAD.  Loaded after libsqlite3 (which it links), it installs the
 * VFS before main and arms the fault the environment names:
 *   TLDB_FAULT_FULL=BYTES   a full disk after BYTES bytes of growth
 *   TLDB_FAULT_WRITE=N      the Nth write fails (once)
 * For tests only: nothing in the tree preloads it otherwise.
 */
#include <stdio.h>
#include <stdlib.h>

#include "faultvfs.h"

static void arm_from(const char *var, fv_kind kind)
{
	const char *v = getenv(var);
	if (!v || !*v)
		return;
	if (fv_install() != 0) {
		fprintf(stderr, "faultvfs: cannot install over SQLite\n");
		abort();
	}
	fv_arm(kind, strtoll(v, NULL, 10), 0);
}

__attribute__((constructor)) static void faultvfs_preload(void)
{
	arm_from("TLDB_FAULT_FULL", FV_FULL);
	arm_from("TLDB_FAULT_WRITE", FV_WRITE);
}
