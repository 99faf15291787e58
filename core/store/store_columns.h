/*
 * store_columns.h -- the columns of an events row, each named once.
 *
 * TL_EVENT_COLUMN_TABLE lists them as X(NAME, column, read_as, write, text):
 *   NAME     gives TL_COL_NAME: the column's place in the SELECT list
 *            (tl_event_select) and, plus one, its parameter in the INSERT
 *            and the UPDATE (tl_col_param);
 *   column   its name in the events table;
 *   read_as  what a query selects for it, or NULL when no reader wants it
 *            (those come last, so the selected columns are 0..TL_NREAD-1);
 *   write    how the INSERT and the UPDATE write it (enum tl_col_write);
 *   text     TL_TEXT(member) for a string of tldb_event stored as given:
 *            bound and read by the table alone; TL_BY_HAND for the rest,
 *            which bind_event and tl_event_from_row handle by name.
 *
 * A new string field of the event is one line here plus a migration
 * (store_schema.c) adding its column; any other kind of field adds its
 * binding and its reading by name as well.
 */
#ifndef TLDB_STORE_COLUMNS_H
#define TLDB_STORE_COLUMNS_H

#include <stddef.h>

#include "buf.h"
#include "tldb/tldb.h"

/* How the statements write a column. */
enum tl_col_write {
	TL_W_ROWID, /* the row's key: not inserted; what an UPDATE finds */
	TL_W_ONCE,  /* inserted; an update keeps it */
	TL_W_SET,   /* inserted, and set again by an update */
	TL_W_RISE,  /* inserted; an update raises it: max(column + 1, ?) */
};

#define TL_TEXT(member) (offsetof(tldb_event, member) + 1)
#define TL_BY_HAND      0

/* clang-format off */
#define TL_EVENT_COLUMN_TABLE(X)                                             \
	X(ID,         "id",          "e.id",         TL_W_ROWID, TL_BY_HAND)     \
	X(UID,        "uid",         "e.uid",        TL_W_ONCE,  TL_BY_HAND)     \
	X(TIMELINE,   "timeline_id", "t.name",       TL_W_SET,   TL_BY_HAND)     \
	X(TITLE,      "title",       "e.title",      TL_W_SET,   TL_TEXT(title)) \
	X(BODY,       "body",        "e.body",       TL_W_SET,   TL_TEXT(body))  \
	X(START,      "start",       "e.start",      TL_W_SET,   TL_TEXT(start)) \
	X(END,        "\"end\"",     "e.\"end\"",    TL_W_SET,   TL_TEXT(end))   \
	X(TZ,         "tz",          "e.tz",         TL_W_SET,   TL_TEXT(tz))    \
	X(LOCATION,   "location",    "e.location",   TL_W_SET,   TL_TEXT(location)) \
	X(URL,        "url",         "e.url",        TL_W_SET,   TL_TEXT(url))   \
	X(CREATED,    "created",     "e.created",    TL_W_ONCE,  TL_BY_HAND)     \
	X(UPDATED,    "updated",     "e.updated",    TL_W_SET,   TL_BY_HAND)     \
	X(SEQUENCE,   "sequence",    "e.sequence",   TL_W_RISE,  TL_BY_HAND)     \
	X(LO,         "lo",          "e.lo",         TL_W_SET,   TL_BY_HAND)     \
	X(HI,         "hi",          "e.hi",         TL_W_SET,   TL_BY_HAND)     \
	X(PREC,       "prec",        "e.prec",       TL_W_SET,   TL_BY_HAND)     \
	X(TAGS,       "tagtext",     "e.tagtext",    TL_W_SET,   TL_BY_HAND)     \
	X(RECUR,      "recur",       "e.recur",      TL_W_SET,   TL_TEXT(recur)) \
	X(SERIES,     "series",      "e.series",     TL_W_SET,   TL_TEXT(series)) \
	X(RECURRENCE_ID, "recurrence_id", "e.recurrence_id", TL_W_SET,          \
	  TL_TEXT(recurrence_id))                                              \
	X(RECUR_FLAGS, "recur_flags", "e.recur_flags", TL_W_SET, TL_BY_HAND)    \
	X(SPAN_CLASS, "span_class",  NULL,           TL_W_SET,   TL_BY_HAND)     \
	X(CHASH,      "chash",       NULL,           TL_W_SET,   TL_BY_HAND)
/* clang-format on */

enum tl_event_col {
#define TL_COL_ENUM(name, column, read_as, write, text) TL_COL_##name,
	TL_EVENT_COLUMN_TABLE(TL_COL_ENUM)
#undef TL_COL_ENUM
	        TL_NCOLS,
	TL_NREAD = TL_COL_SPAN_CLASS /* the first column no reader selects */
};

/* One column of the table. */
typedef struct tl_event_column {
	const char *column;
	const char *read_as;
	enum tl_col_write write;
	size_t text; /* TL_TEXT(member) or TL_BY_HAND */
} tl_event_column;

extern const tl_event_column tl_event_columns[TL_NCOLS];

/* The parameter of column c in the INSERT and the UPDATE. */
static inline int tl_col_param(enum tl_event_col c)
{
	return (int)c + 1;
}

/* The event's string that a text column (text != TL_BY_HAND) holds, and
 * the place a reader stores it. */
static inline const char *tl_col_text(const tldb_event *ev, size_t text)
{
	const char *const *p =
	        (const char *const *)(const void *)((const char *)ev + text -
	                                            1);
	return *p;
}

static inline const char **tl_col_text_slot(tldb_event *ev, size_t text)
{
	return (const char **)(void *)((char *)ev + text - 1);
}

/* Appends the SELECT list of an event row ("e.id, e.uid, t.name, ..."),
 * where `e` is events and `t` timelines, to b: 0, or -1 when b is full. */
int tl_event_select(tl_buf *b);

/* The text of "INSERT INTO events(...) VALUES (...)" and of "UPDATE events
 * SET ... WHERE id = ?", with each column's parameter tl_col_param; NULL
 * when out of memory.  The caller frees it. */
char *tl_event_insert_sql(void);
char *tl_event_update_sql(void);

#endif /* TLDB_STORE_COLUMNS_H */
