/*
 * store_columns.c -- the events row's columns (store_columns.h) and the
 * statements derived from them.
 */
#include <stdlib.h>

#include "store_columns.h"

const tl_event_column tl_event_columns[TL_NCOLS] = {
#define TL_COL_ENTRY(name, column, read_as, write, text)                       \
	[TL_COL_##name] = {column, read_as, write, text},
        TL_EVENT_COLUMN_TABLE(TL_COL_ENTRY)
#undef TL_COL_ENTRY
};

int tl_event_select(tl_buf *b)
{
	for (int c = 0; c < TL_NREAD; c++)
		if (tl_buf_addf(b, "%s%s", c ? ", " : "",
		                tl_event_columns[c].read_as))
			return -1;
	return 0;
}

char *tl_event_insert_sql(void)
{
	tl_buf cols, vals;
	tl_buf_init(&cols, 4096);
	tl_buf_init(&vals, 4096);
	int failed = tl_buf_adds(&cols, "INSERT INTO events(");
	for (int c = 0; c < TL_NCOLS; c++) {
		if (tl_event_columns[c].write == TL_W_ROWID)
			continue;
		const char *sep = vals.len ? ", " : "";
		failed |= tl_buf_addf(&cols, "%s%s", sep,
		                      tl_event_columns[c].column);
		failed |= tl_buf_addf(&vals, "%s?%d", sep,
		                      tl_col_param((enum tl_event_col)c));
	}
	failed |= tl_buf_addf(&cols, ") VALUES (%s)", tl_buf_str(&vals));
	tl_buf_release(&vals);
	if (failed) {
		tl_buf_release(&cols);
		return NULL;
	}
	return tl_buf_steal(&cols);
}

char *tl_event_update_sql(void)
{
	tl_buf b;
	tl_buf_init(&b, 4096);
	int failed = tl_buf_adds(&b, "UPDATE events SET ");
	const char *sep = "";
	for (int c = 0; c < TL_NCOLS; c++) {
		const tl_event_column *col = &tl_event_columns[c];
		int param = tl_col_param((enum tl_event_col)c);
		if (col->write == TL_W_SET)
			failed |= tl_buf_addf(&b, "%s%s = ?%d", sep,
			                      col->column, param);
		else if (col->write == TL_W_RISE)
			failed |=
			        tl_buf_addf(&b, "%s%s = max(%s + 1, ?%d)", sep,
			                    col->column, col->column, param);
		else
			continue;
		sep = ", ";
	}
	failed |= tl_buf_addf(&b, " WHERE %s = ?%d",
	                      tl_event_columns[TL_COL_ID].column,
	                      tl_col_param(TL_COL_ID));
	if (failed) {
		tl_buf_release(&b);
		return NULL;
	}
	return tl_buf_steal(&b);
}
