/*
 * store_internal.h -- the SQLite store behind tldb.h.  Only core/store*.c
 * include this header, and only they speak SQL.
 */
#ifndef TLDB_STORE_INTERNAL_H
#define TLDB_STORE_INTERNAL_H

#include <sqlite3.h>

#include "arena.h"
#include "store.h"
#include "store_columns.h"
#include "tldb/tldb.h"

/* 'tldb' in ASCII: PRAGMA application_id of every tldb database. */
#define TL_APPLICATION_ID 0x746c6462
#define TL_SCHEMA_VERSION 4

/* Statements prepared once per handle and reused. */
enum tl_stmt_id {
	TL_ST_TIMELINE_ID,
	TL_ST_TIMELINE_INSERT,
	TL_ST_TIMELINE_TOUCH,
	TL_ST_EVENT_FIND,
	TL_ST_EVENT_HOLDERS,
	TL_ST_EVENT_INSERT,
	TL_ST_EVENT_UPDATE,
	TL_ST_EVENT_DELETE,
	TL_ST_SERIES_CHANGES,
	TL_ST_SERIES_CANCELLED,
	TL_ST_SERIES_CHANGES_OUT,
	TL_ST_SOURCES_DELETE,
	TL_ST_SOURCE_INSERT,
	TL_ST_FTS_TEXT,
	TL_ST_FTS_DELETE,
	TL_ST_FTS_INSERT,
	TL_ST_EVENT_GET,
	TL_ST_SOURCES_GET,
	TL_ST_SAVEPOINT,
	TL_ST_RELEASE,
	TL_ST_COUNT
};

/* A small cache of query statements keyed by their SQL text: a query runs
 * the same SQL once per span class (store_query.c). */
#define TL_QUERY_CACHE 8
/* The arms of a query: one per span class, then the series' statement. */
#define TL_SERIES_ARM TL_NCLASSES
#define TL_NARMS      (TL_NCLASSES + 1)

typedef struct tl_cached_query {
	char *sql;
	sqlite3_stmt *arms[TL_NARMS];
	int in_use;
} tl_cached_query;

struct tldb {
	sqlite3 *sql;
	char *path;
	int readonly;
	int tx_depth;
	int tx_poisoned; /* a write inside tldb_begin failed half-way */
	int64_t now_override;
	char errmsg[1024];
	sqlite3_stmt *stmts[TL_ST_COUNT];
	/* Inside tldb_begin only: the last timeline looked up, and the
	 * timelines to mark changed at commit (so a bulk import updates each
	 * timeline's row once, not once per event). */
	char tl_cache_name[TLDB_MAX_TIMELINE_NAME + 1];
	sqlite3_int64 tl_cache_id;
	sqlite3_int64 touched[8];
	int ntouched;
	/* A bulk load (tl_defer_indexes): events inserted in this
	 * transaction, how many make it one, and whether the indexes are
	 * dropped until commit. */
	int64_t tx_inserts, bulk_after;
	int indexes_deferred;
	int defer_refused; /* tl_allow_deferred_indexes(db, 0) */
	tl_cached_query queries[TL_QUERY_CACHE];
	int64_t deadline_ns, limit_ms; /* tldb_set_time_limit; 0: none */
	/* This handle created the schema of a new database, and the
	 * connection's PRAGMA data_version right after (tldb_close_discard). */
	int made_schema;
	int data_version;
	int opened_empty; /* the file held no database when opened */
};

/* 1 when db has a time limit and it has passed (store_limit.c). */
int tl_past_deadline(const tldb *db);
/* Fails with TLDB_EBUSY naming the time limit (store_limit.c). */
int tl_time_limit_reached(tldb *db);

/* Records a message on db and returns code. */
int tl_fail(tldb *db, int code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Maps SQLite's result rc to a TLDB_E* code and records SQLite's message,
 * prefixed with what was being done. */
int tl_fail_sql(tldb *db, int rc, const char *doing);

/* The cached statement `id`, reset and with its bindings cleared, or NULL
 * (message recorded). */
sqlite3_stmt *tl_stmt(tldb *db, enum tl_stmt_id id);

/* Runs SQL with no results. */
int tl_exec(tldb *db, const char *sql, const char *doing);

/* Steps a statement that returns no row and resets it: TLDB_OK, or the
 * failure (tl_fail_sql with `doing`). */
int tl_step_done(tldb *db, sqlite3_stmt *st, const char *doing);

/* The clock for created/updated. */
int64_t tl_now(const tldb *db);

/* Inside tldb_begin: TLDB_OK while the transaction is still open.  SQLite
 * rolls a transaction back by itself after some errors (out of memory, a
 * full disk, some I/O errors), and every write after that would commit on
 * its own; this marks the transaction poisoned (tldb_commit then fails)
 * and returns TLDB_EIO with a message.  Outside tldb_begin: TLDB_OK. */
int tl_tx_check(tldb *db);

/* Savepoints that nest inside tldb_begin or alone (tl_savepoint checks
 * tl_tx_check first). */
int tl_savepoint(tldb *db);
int tl_release(tldb *db);
void tl_rollback_to(tldb *db);

/* Marks the timeline changed: at once, or at tldb_commit inside a
 * transaction. */
int tl_touch_later(tldb *db, sqlite3_int64 timeline_id);

/* Forgets the per-transaction caches (at begin, commit, rollback and after
 * any timeline is renamed or removed). */
void tl_forget_tx(tldb *db);

/* Binds a string, or NULL for an absent or empty one. */
int tl_bind_text(sqlite3_stmt *st, int idx, const char *s);

/* The id of timeline `name`; when absent and `create_default` and name is the
 * default timeline, creates it.  TLDB_ENOTFOUND when absent. */
int tl_timeline_id(tldb *db, const char *name, int create_default,
                   sqlite3_int64 *id);

/* The event (timeline, uid) names (timeline NULL or "": the default):
 * its row id and its timeline's.  TLDB_ENOTFOUND with a message when
 * absent. */
int tl_event_at(tldb *db, const char *timeline, const char *uid,
                sqlite3_int64 *id, sqlite3_int64 *timeline_id);

/* The event a reference names: "TIMELINE/UID", or a bare UID one timeline
 * alone holds (store_ref.c).  TLDB_ENOTFOUND, or TLDB_EAMBIGUOUS with a
 * message listing the events it could name. */
int tl_event_ref(tldb *db, const char *ref, sqlite3_int64 *id,
                 sqlite3_int64 *timeline_id);

/* Reads event `id` (with its sources when with_sources) into ev, its
 * strings in arena.  TLDB_OK, TLDB_ENOTFOUND, or an error set on db. */
int tl_event_read(tldb *db, sqlite3_int64 id, int with_sources, tl_arena *arena,
                  tldb_event *ev);

/* A copy in arena of column col's text, or NULL for NULL (setting *oom
 * when out of memory). */
const char *tl_col_dup(sqlite3_stmt *st, int col, tl_arena *arena, int *oom);

/* Marks the timeline changed now (feeds' Last-Modified). */
int tl_timeline_touch(tldb *db, sqlite3_int64 id);

/* The secondary indexes of events, which a bulk load drops and builds again
 * at commit (tl_defer_indexes): their names and their CREATE statements. */
#define TL_INDEX_EVENTS_SPAN                                                   \
	"CREATE INDEX events_span ON events(span_class, lo, prec DESC, "       \
	"title, uid, hi)"
#define TL_INDEX_EVENTS_TIMELINE                                               \
	"CREATE INDEX events_timeline ON events(timeline_id)"
#define TL_NDEFERRED_INDEXES 2
/* Not deferred: they hold only series, and the changed occurrences of
 * series.  events_series_span covers what a query expanding series reads
 * (TL_SERIES_LEAN_COLUMNS), in the order of their start; its class is
 * TL_CLASS_SERIES (event_internal.h). */
#define TL_INDEX_EVENTS_SERIES_SPAN                                            \
	"CREATE INDEX events_series_span ON events(lo, hi, timeline_id, uid, " \
	"title, prec, start, \"end\", tz, recur) WHERE span_class = 30"
#define TL_INDEX_EVENTS_SERIES                                                 \
	"CREATE INDEX events_series ON events(timeline_id, series) "           \
	"WHERE series IS NOT NULL"
extern const char *const tl_deferred_indexes[TL_NDEFERRED_INDEXES][2];

/* A transaction that inserts at least TL_BULK_MIN events, and at least as
 * many as the store held when it began, is a bulk load: at that point the
 * secondary indexes are dropped, and built again at commit, which sorts
 * once instead of inserting each entry at a random place (its cost is
 * O(store + new), at most about twice the new events' share). */
#define TL_BULK_MIN 10000

/* Counts an insert of the open transaction, dropping the secondary indexes
 * when it makes the transaction a bulk load, unless refused at that moment
 * (tl_allow_deferred_indexes).  A failure to drop is not an error: the
 * indexes simply stay. */
void tl_count_insert(tldb *db);

/* Builds the dropped indexes again (before COMMIT). */
int tl_restore_indexes(tldb *db);

/* Creates or migrates the schema to TL_SCHEMA_VERSION. */
int tl_schema_migrate(tldb *db);

/* Fills an event from a statement row whose columns are tl_event_select's.
 * Strings are copied into arena, or with `borrow` point into SQLite's row,
 * valid until the statement steps or is reset.  The tag list is always
 * copied (it is split in place). */
int tl_event_from_row(sqlite3_stmt *st, tl_arena *arena, int borrow,
                      tldb_event *ev);
int tl_load_sources(tldb *db, sqlite3_int64 id, tl_arena *arena,
                    tldb_event *ev);

#endif /* TLDB_STORE_INTERNAL_H */
