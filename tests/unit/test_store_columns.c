/*
 * test_store_columns.c -- the events row's column table
 * (core/store/store_columns.h) against a real database made by tldb_open:
 * the table names each column of events once, the statements derived from
 * it prepare, each written column has the parameter the binder uses, and
 * every text column of the table comes back from tldb_get as it went in.
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store_columns.h"
#include "tldb/tldb.h"
#include "unit/tmpdir.h"

static void setup(void)
{
	tmpdir_setup("tldb-columns");
}

TestSuite(columns, .init = setup, .fini = teardown);

static sqlite3 *new_database(void)
{
	tldb *db;
	cr_assert_eq(tldb_open(db_path, TLDB_OPEN_CREATE, &db), TLDB_OK);
	tldb_close(db);
	sqlite3 *sql;
	cr_assert_eq(sqlite3_open_v2(db_path, &sql, SQLITE_OPEN_READONLY, NULL),
	             SQLITE_OK);
	return sql;
}

static int table_index(const char *column)
{
	for (int c = 0; c < TL_NCOLS; c++)
		if (!strcmp(tl_event_columns[c].column, column))
			return c;
	return -1;
}

Test(columns, the_selected_columns_come_first)
{
	for (int c = 0; c < TL_NCOLS; c++)
		cr_expect_eq(tl_event_columns[c].read_as != NULL, c < TL_NREAD,
		             "column %s", tl_event_columns[c].column);
}

Test(columns, the_table_names_each_column_of_events_once)
{
	sqlite3 *sql = new_database();
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(sql, "PRAGMA table_info(events)", -1,
	                                &st, NULL),
	             SQLITE_OK);
	int seen[TL_NCOLS] = {0}, ncolumns = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 1);
		char quoted[64];
		snprintf(quoted, sizeof quoted, "\"%s\"", name);
		int c = table_index(name);
		if (c < 0)
			c = table_index(quoted);
		cr_expect_geq(c, 0, "events.%s is not in the column table",
		              name);
		if (c >= 0)
			seen[c]++;
		ncolumns++;
	}
	sqlite3_finalize(st);
	sqlite3_close(sql);
	cr_expect_eq(ncolumns, TL_NCOLS);
	for (int c = 0; c < TL_NCOLS; c++)
		cr_expect_eq(seen[c], 1, "%s is in events %d times",
		             tl_event_columns[c].column, seen[c]);
}

/* Prepares sql on the database and checks each column that `written`
 * accepts has its parameter ?N at index N. */
static void expect_parameters(sqlite3 *sql, const char *text,
                              int (*written)(enum tl_col_write))
{
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(sql, text, -1, &st, NULL), SQLITE_OK,
	             "%s: %s", text, sqlite3_errmsg(sql));
	for (int c = 0; c < TL_NCOLS; c++) {
		if (!written(tl_event_columns[c].write))
			continue;
		int param = tl_col_param((enum tl_event_col)c);
		char want[16];
		snprintf(want, sizeof want, "?%d", param);
		const char *name = sqlite3_bind_parameter_name(st, param);
		cr_expect(name && !strcmp(name, want), "%s: parameter %d is %s",
		          tl_event_columns[c].column, param,
		          name ? name : "(none)");
	}
	sqlite3_finalize(st);
}

static int inserted(enum tl_col_write w)
{
	return w != TL_W_ROWID;
}

static int updated(enum tl_col_write w)
{
	return w != TL_W_ONCE;
}

Test(columns, the_derived_statements_prepare_with_each_parameter_in_place)
{
	sqlite3 *sql = new_database();
	char *insert = tl_event_insert_sql(), *update = tl_event_update_sql();
	cr_assert(insert && update);
	expect_parameters(sql, insert, inserted);
	expect_parameters(sql, update, updated);
	cr_expect(strstr(update, "sequence = max(sequence + 1, ?"),
	          "an update never lowers sequence: %s", update);
	cr_expect_null(strstr(update, "uid ="), "%s", update);
	cr_expect_null(strstr(update, "created ="), "%s", update);
	free(insert);
	free(update);

	tl_buf b = TL_BUF_INIT(4096);
	tl_buf_adds(&b, "SELECT ");
	cr_assert_eq(tl_event_select(&b), 0);
	tl_buf_adds(&b, " FROM events e JOIN timelines t ON t.id = "
	                "e.timeline_id");
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(sql, tl_buf_str(&b), -1, &st, NULL),
	             SQLITE_OK, "%s", sqlite3_errmsg(sql));
	cr_expect_eq(sqlite3_column_count(st), TL_NREAD);
	sqlite3_finalize(st);
	tl_buf_release(&b);
	sqlite3_close(sql);
}

Test(columns, every_text_column_round_trips_through_put_and_get)
{
	tldb *db;
	cr_assert_eq(tldb_open(db_path, TLDB_OPEN_CREATE, &db), TLDB_OK);
	tldb_event ev;
	memset(&ev, 0, sizeof ev);
	ev.uid = "round-trip";
	ev.title = "x";
	ev.start = "2022-09-15";
	char values[TL_NCOLS][32];
	for (int c = 0; c < TL_NCOLS; c++) {
		size_t text = tl_event_columns[c].text;
		if (text == TL_BY_HAND || c == TL_COL_START)
			continue;
		snprintf(values[c], sizeof values[c], "value of %s",
		         tl_event_columns[c].column);
		*tl_col_text_slot(&ev, text) = values[c];
	}
	/* The fields the event's check reads must be valid: a series, and
	 * then a changed occurrence of it. */
	ev.end = "2022-09-16";
	ev.tz = "Europe/Paris";
	ev.recur = "RRULE:FREQ=DAILY";
	ev.series = ev.recurrence_id = NULL;
	for (int round = 0; round < 2; round++) {
		if (round) {
			ev.uid = "round-trip/change";
			ev.recur = NULL;
			ev.series = "round-trip";
			ev.recurrence_id = "2022-09-17";
		}
		cr_assert_eq(tldb_put(db, &ev, NULL, NULL), TLDB_OK, "%s",
		             tldb_errmsg(db));
		tldb_event *got;
		cr_assert_eq(tldb_get(db, ev.uid, &got), TLDB_OK);
		for (int c = 0; c < TL_NCOLS; c++) {
			size_t text = tl_event_columns[c].text;
			if (text == TL_BY_HAND)
				continue;
			const char *want = tl_col_text(&ev, text);
			if (!want)
				cr_expect_null(tl_col_text(got, text),
				               "column %s",
				               tl_event_columns[c].column);
			else
				cr_expect_str_eq(tl_col_text(got, text), want,
				                 "column %s",
				                 tl_event_columns[c].column);
		}
		tldb_event_free(got);
	}
	tldb_close(db);
}
