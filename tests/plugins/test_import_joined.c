/*
 * test_import_joined.c -- tldb_import inside a transaction the caller
 * opened, as `tldb import a b c` stores several inputs all or none: the
 * inputs commit together (a bulk load still deferring its indexes to the
 * one commit), nothing is visible to another connection before, skip mode
 * commits no batches of its own, and a failed input marks the transaction
 * so it cannot be committed.
 */
#define _GNU_SOURCE /* nftw */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/helpers.h"

TestSuite(joined, .init = tmp_setup, .fini = tmp_teardown, .timeout = 120);

static void write_lines(const char *path, int year, int n, int bad_at)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fprintf(f, "#lines\n");
	for (int i = 1; i <= n; i++) {
		if (i == bad_at)
			fprintf(f, "no bar here\n");
		else
			fprintf(f, "%d-%02d-%02d|e%d-%d\n", year, 1 + i % 12,
			        1 + i % 28, year, i);
	}
	fclose(f);
}

/* Events another connection sees. */
static int64_t seen_by_another(const char *db_path)
{
	tldb *db = NULL;
	cr_assert_eq(tldb_open(db_path, TLDB_OPEN_READONLY, &db), TLDB_OK, "%s",
	             tldb_errmsg(db));
	int64_t n = count_events(db);
	tldb_close(db);
	return n;
}

static int import_opts(tldb *db, tldb_plugins *p, const char *path,
                       tldb_on_error on_error, int64_t batch,
                       tldb_import_stats *st)
{
	tldb_import_opts o;
	memset(&o, 0, sizeof o);
	o.plugin = "lines";
	o.path = path;
	o.fd = -1;
	o.on_error = on_error;
	o.batch = batch;
	tldb_msgbuf err;
	return tldb_import(db, p, &o, st, &err);
}

/* The secondary indexes of events in the file, read with SQLite. */
static int index_count(const char *db_path)
{
	sqlite3 *sql;
	cr_assert_eq(sqlite3_open_v2(db_path, &sql, SQLITE_OPEN_READONLY, NULL),
	             SQLITE_OK);
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(sql,
	                                "SELECT count(*) FROM sqlite_schema "
	                                "WHERE name IN ('events_span', "
	                                "'events_timeline')",
	                                -1, &st, NULL),
	             SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	int n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(sql);
	return n;
}

Test(joined, inputs_commit_together_with_a_bulk_load)
{
	const char *db_path = tmp_path("db");
	tldb *db = open_db(db_path);
	tldb_plugins *p = new_registry();
	load_ok(p, FIXTURE("lines"));
	write_lines(tmp_path("a.lines"), 2020, 15000, 0);
	write_lines(tmp_path("b.lines"), 2021, 15000, 0);
	cr_assert_eq(tldb_begin(db), TLDB_OK);
	tldb_import_stats st;
	cr_assert_eq(import_opts(db, p, tmp_path("a.lines"),
	                         TLDB_ON_ERROR_ABORT, 0, &st),
	             TLDB_OK);
	cr_expect_eq(st.inserted, 15000);
	cr_assert_eq(import_opts(db, p, tmp_path("b.lines"),
	                         TLDB_ON_ERROR_ABORT, 0, &st),
	             TLDB_OK);
	cr_expect_eq(st.inserted, 15000);
	cr_expect_eq(seen_by_another(db_path), 0, "visible before the commit");
	cr_assert_eq(tldb_commit(db), TLDB_OK, "%s", tldb_errmsg(db));
	cr_expect_eq(count_events(db), 30000);
	cr_expect_eq(seen_by_another(db_path), 30000);
	cr_expect_eq(index_count(db_path), 2, "an index was left out");
	tldb_close(db);
	tldb_plugins_free(p);
}

Test(joined, a_failed_input_cannot_be_committed)
{
	const char *db_path = tmp_path("db");
	tldb *db = open_db(db_path);
	tldb_plugins *p = new_registry();
	load_ok(p, FIXTURE("lines"));
	write_lines(tmp_path("a.lines"), 2020, 50, 0);
	write_lines(tmp_path("bad.lines"), 2021, 50, 40);
	cr_assert_eq(tldb_begin(db), TLDB_OK);
	tldb_import_stats st;
	cr_assert_eq(import_opts(db, p, tmp_path("a.lines"),
	                         TLDB_ON_ERROR_ABORT, 0, &st),
	             TLDB_OK);
	cr_assert_neq(import_opts(db, p, tmp_path("bad.lines"),
	                          TLDB_ON_ERROR_ABORT, 0, &st),
	              TLDB_OK);
	cr_expect_eq(st.inserted, 0, "counts of a failed input");
	cr_expect_neq(tldb_commit(db), TLDB_OK, "a failed input committed");
	cr_expect_eq(count_events(db), 0);
	cr_expect_eq(seen_by_another(db_path), 0);
	tldb_close(db);
	tldb_plugins_free(p);
}

Test(joined, skip_mode_commits_no_batches_of_its_own)
{
	const char *db_path = tmp_path("db");
	tldb *db = open_db(db_path);
	tldb_plugins *p = new_registry();
	load_ok(p, FIXTURE("lines"));
	write_lines(tmp_path("a.lines"), 2020, 100, 30);
	cr_assert_eq(tldb_begin(db), TLDB_OK);
	tldb_import_stats st;
	cr_assert_eq(import_opts(db, p, tmp_path("a.lines"), TLDB_ON_ERROR_SKIP,
	                         10, &st),
	             TLDB_OK);
	cr_expect_eq(st.inserted, 99);
	cr_expect_eq(st.skipped, 1);
	cr_expect_eq(seen_by_another(db_path), 0, "a batch was committed");
	cr_assert_eq(tldb_commit(db), TLDB_OK);
	cr_expect_eq(seen_by_another(db_path), 99);
	tldb_close(db);
	tldb_plugins_free(p);
}
