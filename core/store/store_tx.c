/*
 * store_tx.c -- transactions: tldb_begin/commit/rollback, the savepoint of
 * each write, the timelines marked changed at commit, and the secondary
 * indexes a bulk load drops and builds again (tl_count_insert).
 */
#include <stdio.h>

#include "store_internal.h"

static int need_sql(tldb *db)
{
	if (!db->sql)
		return tl_fail(db, TLDB_EINVAL, "the database is not open");
	if (db->readonly)
		return tl_fail(db, TLDB_EREADONLY, "%s: opened read-only",
		               db->path);
	return TLDB_OK;
}

TLDB_API int tldb_begin(tldb *db)
{
	int rc = need_sql(db);
	if (rc)
		return rc;
	if (db->tx_depth)
		return tl_fail(db, TLDB_EINVAL,
		               "a transaction is already open");
	rc = tl_exec(db, "BEGIN IMMEDIATE", "beginning a transaction");
	if (!rc)
		db->tx_depth = 1;
	db->tx_poisoned = 0;
	tl_forget_tx(db);
	db->tx_inserts = 0;
	db->indexes_deferred = 0;
	/* max(id) is found in O(log n) and is at least the count. */
	sqlite3_stmt *st;
	db->bulk_after = INT64_MAX;
	if (!rc && sqlite3_prepare_v2(db->sql, "SELECT max(id) FROM events", -1,
	                              &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW) {
			int64_t n = sqlite3_column_int64(st, 0);
			db->bulk_after = n > TL_BULK_MIN ? n : TL_BULK_MIN;
		}
		sqlite3_finalize(st);
	}
	/* A failed step (out of memory) may have rolled the transaction
	 * back already. */
	if (!rc && (rc = tl_tx_check(db)))
		tldb_rollback(db);
	return rc;
}

int tl_in_transaction(const tldb *db)
{
	return db->tx_depth != 0;
}

void tl_fail_transaction(tldb *db)
{
	if (db->tx_depth)
		db->tx_poisoned = 1;
}

int tl_tx_check(tldb *db)
{
	if (!db->tx_depth || !sqlite3_get_autocommit(db->sql))
		return TLDB_OK;
	db->tx_poisoned = 1;
	return tl_fail(db, TLDB_EIO,
	               "%s: SQLite rolled the transaction back after an "
	               "error, so nothing of it was written",
	               db->path);
}

void tl_allow_deferred_indexes(tldb *db, int allowed)
{
	db->defer_refused = !allowed;
}

void tl_count_insert(tldb *db)
{
	if (!db->tx_depth || ++db->tx_inserts != db->bulk_after)
		return;
	/* Decided once: indexes kept up to date until then and dropped
	 * later would be paid for twice. */
	if (db->defer_refused)
		return;
	char sql[64];
	for (int i = 0; i < TL_NDEFERRED_INDEXES; i++) {
		snprintf(sql, sizeof sql, "DROP INDEX %s",
		         tl_deferred_indexes[i][0]);
		if (sqlite3_exec(db->sql, sql, NULL, NULL, NULL) != SQLITE_OK)
			break;
		db->indexes_deferred = i + 1;
	}
}

int tl_restore_indexes(tldb *db)
{
	if (!db->indexes_deferred)
		return TLDB_OK;
	/* The sort spills to temporary files past cache_size, rather than
	 * into memory as temp_store = MEMORY would have it, and a second
	 * thread sorts too. */
	int rc = tl_exec(db,
	                 "PRAGMA temp_store = FILE; PRAGMA threads = 2; "
	                 "PRAGMA cache_size = -16384",
	                 "building the indexes");
	for (int i = 0; !rc && i < db->indexes_deferred; i++)
		rc = tl_exec(db, tl_deferred_indexes[i][1],
		             "building the indexes");
	db->indexes_deferred = 0;
	sqlite3_exec(db->sql,
	             "PRAGMA temp_store = MEMORY; PRAGMA threads = 0; "
	             "PRAGMA cache_size = -65536",
	             NULL, NULL, NULL);
	return rc;
}

TLDB_API int tldb_commit(tldb *db)
{
	if (!db->tx_depth)
		return tl_fail(db, TLDB_EINVAL, "no transaction is open");
	if (db->tx_poisoned || tl_tx_check(db)) {
		tldb_rollback(db);
		return tl_fail(db, TLDB_EIO,
		               "%s: a write failed half-way, so the whole "
		               "transaction was rolled back",
		               db->path);
	}
	int rc = tl_restore_indexes(db);
	for (int i = 0; !rc && i < db->ntouched; i++)
		rc = tl_timeline_touch(db, db->touched[i]);
	tl_forget_tx(db);
	if (!rc)
		rc = tl_exec(db, "COMMIT", "committing");
	if (rc) {
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
	}
	db->tx_depth = 0;
	return rc;
}

TLDB_API void tldb_rollback(tldb *db)
{
	if (!db)
		return;
	if (db->sql && db->tx_depth)
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
	db->tx_depth = 0;
	db->tx_poisoned = 0;
	db->indexes_deferred = 0; /* the rollback brought them back */
	tl_forget_tx(db);
}

static int run_stmt(tldb *db, enum tl_stmt_id id, const char *doing)
{
	sqlite3_stmt *st = tl_stmt(db, id);
	if (!st)
		return TLDB_EINTERNAL;
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? TLDB_OK : tl_fail_sql(db, rc, doing);
}

int tl_savepoint(tldb *db)
{
	int rc = need_sql(db);
	if (rc)
		return rc;
	if (db->tx_depth)
		return (rc = tl_tx_check(db)) ? rc
		                              : run_stmt(db, TL_ST_SAVEPOINT,
		                                         "beginning a write");
	/* Outside tldb_begin, take the write lock at once so a writer never
	 * deadlocks upgrading a read lock. */
	return tl_exec(db, "BEGIN IMMEDIATE", "beginning a write");
}

int tl_release(tldb *db)
{
	int rc = db->tx_depth
	                 ? run_stmt(db, TL_ST_RELEASE, "committing a write")
	                 : tl_exec(db, "COMMIT", "committing a write");
	if (rc)
		tl_rollback_to(db);
	return rc;
}

void tl_forget_tx(tldb *db)
{
	db->tl_cache_name[0] = '\0';
	db->ntouched = 0;
}

int tl_touch_later(tldb *db, sqlite3_int64 timeline_id)
{
	if (!db->tx_depth)
		return tl_timeline_touch(db, timeline_id);
	for (int i = 0; i < db->ntouched; i++)
		if (db->touched[i] == timeline_id)
			return TLDB_OK;
	if (db->ntouched == (int)(sizeof db->touched / sizeof *db->touched))
		return tl_timeline_touch(db, timeline_id);
	db->touched[db->ntouched++] = timeline_id;
	return TLDB_OK;
}

void tl_rollback_to(tldb *db)
{
	/* The put may have created the timeline it cached. */
	db->tl_cache_name[0] = '\0';
	if (db->tx_depth) {
		sqlite3_exec(db->sql, "ROLLBACK TO tl_put; RELEASE tl_put",
		             NULL, NULL, NULL);
	} else if (!sqlite3_get_autocommit(db->sql)) {
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
	}
}
