/*
 * dbcheck.h -- what the fault suites (test_faults.c, test_faults_cli.c)
 * ask of a database file by raw SQLite, behind tldb's back: opening it,
 * and its own consistency checks.
 */
#ifndef TLDB_TEST_DBCHECK_H
#define TLDB_TEST_DBCHECK_H

#include <criterion/criterion.h>
#include <sqlite3.h>

/* A read-write connection to path (a busy wait of 5 s: a killed writer's
 * WAL may be recovered by another). */
static sqlite3 *raw_open(const char *path)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
	cr_assert_eq(rc, SQLITE_OK, "%s: %s", path, sqlite3_errmsg(db));
	sqlite3_busy_timeout(db, 5000);
	return db;
}

/* PRAGMA integrity_check and the full-text index's own check pass. */
static void expect_integrity(const char *path, const char *what)
{
	sqlite3 *db = raw_open(path);
	sqlite3_stmt *st;
	cr_assert_eq(
	        sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL),
	        SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), "ok",
	                 "%s: integrity_check", what);
	sqlite3_finalize(st);
	char *err = NULL;
	cr_assert_eq(sqlite3_exec(db,
	                          "INSERT INTO events_fts(events_fts) VALUES "
	                          "('integrity-check')",
	                          NULL, NULL, &err),
	             SQLITE_OK, "%s: the full-text index: %s", what,
	             err ? err : "");
	sqlite3_free(err);
	sqlite3_close(db);
}

#endif /* TLDB_TEST_DBCHECK_H */
