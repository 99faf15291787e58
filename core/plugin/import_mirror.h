/*
 * import_mirror.h -- what the import pipeline tells a tldb_mirror
 * (import_mirror.c): the public half is in tldb/plugins.h.
 */
#ifndef TLDB_IMPORT_MIRROR_H
#define TLDB_IMPORT_MIRROR_H

#include "tldb/plugins.h"

/* Notes a timeline to mirror (NULL or "": the default one).  Out of
 * memory is remembered, and tldb_mirror_apply then refuses. */
void tl_mirror_timeline(tldb_mirror *m, const char *name);

/* Notes an event an import wrote (or found unchanged), and its timeline.
 * The strings are copied. */
void tl_mirror_keep(tldb_mirror *m, const char *timeline, const char *uid);

#endif /* TLDB_IMPORT_MIRROR_H */
