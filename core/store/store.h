/*
 * store.h -- the store seam: all that the rest of core (the import and
 * export pipelines) may call of the store beyond the public API in
 * tldb.h.  It names no SQLite type; store_internal.h, which only the
 * store's own files include, is the one place sqlite3.h is included, so a
 * second engine (PostgreSQL) plugs in behind this header and tldb.h.
 */
#ifndef TLDB_STORE_H
#define TLDB_STORE_H

#include "event_internal.h"
#include "tldb/tldb.h"

/* tldb_put of an event tl_event_prepare has checked into c (so the check
 * can run on another thread): same results, same messages. */
int tl_put_checked(tldb *db, const tldb_event *ev, const tl_checked *c,
                   tldb_put_result *result);

/* Whether a bulk load may drop the secondary indexes now, to build them
 * at commit (allowed unless said otherwise).  The import refuses while its
 * writer waits for the parser: the index entries then cost nothing, as the
 * writer has time to spare, while a build at commit would add to the
 * import's wall time. */
void tl_allow_deferred_indexes(tldb *db, int allowed);

/* 1 when the caller has a transaction open on db (tldb_begin), else 0. */
int tl_in_transaction(const tldb *db);

/* Marks the open transaction as failed half-way: tldb_commit then rolls it
 * back and fails, so a partial write can never be committed. */
void tl_fail_transaction(tldb *db);

#endif /* TLDB_STORE_H */
