/*
 * tldb.h -- the event store: timelines, events and date-range queries.
 *
 * A `tldb` handle is one open database.  A handle is used by one thread at a
 * time; open one handle per thread (SQLite's WAL lets many readers and one
 * writer work at once, across threads and processes).
 *
 * Ownership, throughout:
 *  - `const` pointers passed in are borrowed for the duration of the call; the
 *    library copies what it keeps.
 *  - An event or timeline returned through a cursor is borrowed: valid until
 *    the next call on that cursor or its release.
 *  - A pointer returned through `**out` with a matching `_free` is the
 *    caller's; release it with that function.  Every `_free` accepts NULL.
 * Errors: functions return TLDB_OK or a negative TLDB_E* code; the message
 * of the last failure on a handle is tldb_errmsg(db).  A failed call leaves
 * the database as it was.
 */
#ifndef TLDB_TLDB_H
#define TLDB_TLDB_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "date.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tldb tldb;
typedef struct tldb_cursor tldb_cursor;

/* Limits on what one event may hold; past them a write fails with
 * TLDB_ETOOBIG and a message naming the field. */
#define TLDB_MAX_UID           256
#define TLDB_MAX_TITLE         1024
#define TLDB_MAX_BODY          (1024 * 1024)
#define TLDB_MAX_TEXT          8192 /* location, url, source url/title/expr */
#define TLDB_MAX_QUOTE         (64 * 1024)
#define TLDB_MAX_TAGS          64
#define TLDB_MAX_TAG           64
#define TLDB_MAX_SOURCES       64
#define TLDB_MAX_TIMELINE_NAME 64

/* Terms a query's full-text filter may hold (runs of letters and digits,
 * operators included); past it tldb_query_open fails with TLDB_ETOOBIG.
 * Each term is one index lookup per span class, so a query of thousands
 * costs seconds. */
#define TLDB_MAX_QUERY_TERMS 64

/* The timeline an event goes to when none is named. */
#define TLDB_DEFAULT_TIMELINE "default"

/* tldb_open flags. */
enum {
	TLDB_OPEN_READONLY = 1, /* never write; fail if the file is missing */
	/* Create the file if missing.  Its folder must exist: a missing one
	 * gives TLDB_ENOTFOUND naming it (a mistyped path makes no folders),
	 * unless TLDB_OPEN_MKDIR is given too. */
	TLDB_OPEN_CREATE = 2,
	/* Read the first TLDB_MMAP_BYTES of the file through a memory map
	 * rather than a read call per page: a whole export runs about 10%
	 * faster, and up to that much of the file stays resident while the
	 * handle is open.  For one-off readers (the tldb command), not for
	 * many handles at once (each maps the file). */
	TLDB_OPEN_MMAP = 4,
	/* With TLDB_OPEN_CREATE: create the missing folders too (for a
	 * default location such as ~/.local/share/tldb). */
	TLDB_OPEN_MKDIR = 8
};

#define TLDB_MMAP_BYTES (40 * 1024 * 1024)

/* One provenance record.  Absent strings are NULL; absent spans are
 * {-1, -1}.  Spans are byte offsets [begin, end) in the source document. */
typedef struct tldb_source {
	const char *url;
	const char *title;
	const char *plugin;
	const char *quote;
	const char *expr;
	const char *doc_date;
	const char *resolver;
	int64_t span[2];
	int64_t expr_span[2];
} tldb_source;

/* An event.  On writes, `start` is required, the other strings may be NULL,
 * and the fields marked (read) are ignored.  On reads every string the event
 * lacks is NULL. */
typedef struct tldb_event {
	const char *uid; /* NULL on add: derived from timeline, start, title */
	const char *timeline; /* NULL: TLDB_DEFAULT_TIMELINE */
	const char *title;
	const char *body;
	const char *start; /* EDTF */
	const char *end;   /* EDTF, inclusive at its precision */
	const char *tz;    /* IANA zone for floating times */
	const char *location;
	const char *url;
	const char *const *tags;
	size_t ntags;
	const tldb_source *sources;
	size_t nsources;
	/* Seconds since the epoch, and the change count.  On writes 0 means
	 * unset; set, they restore an event another store wrote: created and
	 * updated are kept when the uid is new, and sequence never falls
	 * below the one given. */
	int64_t created;
	int64_t updated;
	int64_t sequence;
	int64_t lo, hi;           /* (read) bounds [lo, hi) */
	tldb_precision precision; /* (read) the coarsest of start and end */
	/* Recurring series (docs/FORMAT.md, "Recurring series").
	 *
	 * A series is one event whose `recur` holds its recurrence as
	 * iCalendar content lines joined by '\n': RRULE, RDATE (dates,
	 * times, VALUE=PERIOD) and EXDATE, TZIDs naming IANA zones.  Its start
	 * and end are the first occurrence's; a query expands it over the
	 * query's range, and yields each occurrence as an event with `recur`
	 * NULL, `series` the series' uid, `recurrence_id` the occurrence's
	 * original start and uid SERIES/ID (ID as iCalendar writes the
	 * start, "[Zone]" after a local time).
	 *
	 * An override replaces one occurrence: `series` names the series'
	 * uid in the same timeline and `recurrence_id` the occurrence's
	 * original start, in EDTF: a date (the occurrences of that local
	 * day), a local time (in the series' zone) or a UTC time ("...Z").
	 * Its uid, when NULL, is derived as SERIES/ID.  recur_flags:
	 * TLDB_RECUR_THISANDFUTURE makes it replace every later occurrence
	 * too (shifted by as much as it moves its own), TLDB_RECUR_CANCELLED
	 * removes the occurrence instead (the override itself is never
	 * yielded). */
	const char *recur;
	const char *series;
	const char *recurrence_id;
	unsigned recur_flags;
} tldb_event;

/* recur_flags of an override. */
enum { TLDB_RECUR_THISANDFUTURE = 1u, TLDB_RECUR_CANCELLED = 2u };

/* The most occurrences one series yields to one cursor, and the most steps
 * its rule may take to reach the query's range: past either, the cursor
 * goes on without the rest of that series and says so
 * (tldb_cursor_warning). */
#define TLDB_SERIES_MAX_STEPS 100000

/* A query whose range has no end (hi TLDB_TIME_MAX: `tldb query` with no
 * range, a whole export) yields every occurrence of a series that ends
 * (COUNT, UNTIL, RDATEs), and those of an endless one up to this long
 * after the latest of now, the range's start and the series' start: two
 * years. */
#define TLDB_SERIES_OPEN_AHEAD (INT64_C(731) * 86400)

typedef struct tldb_timeline {
	const char *name;
	const char *title;
	const char *description;
	int64_t events;           /* (read) how many events it holds */
	int64_t created, updated; /* (read) */
	/* (read) the share token of a private timeline (tldb_timeline_share),
	 * NULL when the timeline is public */
	const char *token;
} tldb_timeline;

/* What tldb_put did. */
typedef enum tldb_put_result {
	TLDB_PUT_INSERTED = 0,
	TLDB_PUT_UPDATED = 1,  /* content changed; sequence rose by one */
	TLDB_PUT_UNCHANGED = 2 /* same content; nothing written */
} tldb_put_result;

/* A query.  Zero-initialise, then set what you need (tldb_query_init does
 * that); `lo`/`hi` default to everything. */
typedef struct tldb_query {
	int64_t lo, hi; /* the range [lo, hi) */
	int within;     /* 0: overlap (default); 1: whole span inside */
	const char *const *timelines; /* any of them; none: all */
	size_t ntimelines;
	const char *const *tags; /* all of them */
	size_t ntags;
	const char *text; /* FTS5 query syntax, or NULL */
	tldb_precision min_precision;
	int64_t limit; /* <= 0: no limit */
	int64_t offset;
	int with_sources; /* 1: load each event's sources too */
	const char *uid;  /* only the event with this uid, or NULL */
	/* 1: yield what is stored rather than occurrences: each series once,
	 * with its recur, and each changed occurrence (a cancelled one too,
	 * with TLDB_RECUR_CANCELLED), selected by their stored bounds (a
	 * series' reach its last occurrence). */
	int stored;
	/* 1: each series once instead of its occurrences, with its recur (its
	 * cancelled occurrences added as EXDATE lines) when it has an
	 * occurrence in the range, and its changes as events of their own
	 * (never the cancelled ones): for exporters that write series as
	 * series (iCalendar). */
	int series;
} tldb_query;

typedef struct tldb_stats {
	int64_t events;
	int64_t timelines;
	int64_t tags; /* distinct tags */
	int64_t sources;
	int64_t by_precision[6]; /* indexed by tldb_precision */
	int64_t lo_min, hi_max;  /* over events with known bounds */
	int64_t file_bytes;
	int schema_version;
} tldb_stats;

/* ---- handles ---- */

/* Opens the database at `path` (see tldb_default_path) with TLDB_OPEN_*
 * flags, creating or migrating its schema unless read-only.  On success *out
 * is the caller's (tldb_close).  On failure *out is a handle that carries only
 * the message (tldb_errmsg) and must still be closed, or NULL when memory ran
 * out.  A database from a newer tldb gives TLDB_ESCHEMA and is not
 * modified; a file that is not a tldb database gives TLDB_ENOTDB. */
TLDB_API TLDB_NODISCARD int tldb_open(const char *path, int flags, tldb **out);

/* Closes db; NULL is fine. */
TLDB_API void tldb_close(tldb *db);

/* Closes db (NULL is fine) and removes its file when a command that created
 * it failed: only when this handle created the schema (tldb_open with
 * TLDB_OPEN_CREATE found no database), no other connection has written to
 * the database since (PRAGMA data_version), it holds no timeline and no
 * event, and no other connection has it open -- decided under an exclusive
 * lock on the file, which is removed (with its -wal, -shm and -journal)
 * before the lock is released.  A database another process has written to
 * or holds open is never removed; it is closed as by tldb_close.  Returns 1
 * when the file was removed, else 0.  A writable tldb_open that finds its
 * file removed this way under it opens the path again. */
TLDB_API int tldb_close_discard(tldb *db);

/* The message of the last failure on db ("" when none); valid until the next
 * call on db. */
TLDB_API const char *tldb_errmsg(const tldb *db);

/* The database path by the contract's rule ($TLDB_DB, $XDG_DATA_HOME/tldb/
 * tldb.db, ~/.local/share/tldb/tldb.db).  Writes into buf; returns TLDB_OK or
 * TLDB_ETOOBIG / TLDB_ENOTFOUND (no HOME). */
TLDB_API TLDB_NODISCARD int tldb_default_path(char *buf, size_t size);

/* Fixes the clock used for created/updated stamps (tests, reproducible
 * builds); 0 returns to the real clock. */
TLDB_API void tldb_set_now(tldb *db, int64_t now);

/* The schema version this tldb writes. */
TLDB_API int tldb_schema_version(void);

/* ---- transactions: group many writes into one atomic unit ---- */

/* Begins a write transaction.  Writes outside one run in their own. */
TLDB_API TLDB_NODISCARD int tldb_begin(tldb *db);
TLDB_API TLDB_NODISCARD int tldb_commit(tldb *db);
/* Rolls back; safe to call when no transaction is open. */
TLDB_API void tldb_rollback(tldb *db);

/* ---- timelines ---- */

/* 1 when `name` is a valid timeline name ([a-z0-9][a-z0-9._-]*, at most
 * TLDB_MAX_TIMELINE_NAME bytes). */
TLDB_API int tldb_timeline_name_valid(const char *name);

/* Creates a timeline (title/description may be NULL).  TLDB_EEXIST when it
 * exists. */
TLDB_API TLDB_NODISCARD int tldb_timeline_create(tldb *db,
                                                 const tldb_timeline *tl);

/* Creates the timeline or updates its title and description. */
TLDB_API TLDB_NODISCARD int tldb_timeline_put(tldb *db,
                                              const tldb_timeline *tl);

TLDB_API TLDB_NODISCARD int tldb_timeline_rename(tldb *db, const char *from,
                                                 const char *to);

/* Removes a timeline.  A timeline that holds events is removed only with
 * `with_events` (its events go too); else TLDB_EEXIST. */
TLDB_API TLDB_NODISCARD int tldb_timeline_remove(tldb *db, const char *name,
                                                 int with_events);

/* The length of a share token: 128 random bits as lower-case hex. */
#define TLDB_TOKEN_LEN 32

/* Makes timeline `name` private: its feeds answer only to its token, which
 * is copied into token_out (at least TLDB_TOKEN_LEN + 1 bytes).  A timeline
 * already private keeps its token; tldb_timeline_unshare then share makes a
 * new one.  The token is 128 bits from getrandom(2). */
TLDB_API TLDB_NODISCARD int tldb_timeline_share(tldb *db, const char *name,
                                                char *token_out);

/* Makes timeline `name` public again, revoking its token. */
TLDB_API TLDB_NODISCARD int tldb_timeline_unshare(tldb *db, const char *name);

/* Loads timeline `name` into *out (the caller's; tldb_timeline_free).
 * TLDB_ENOTFOUND when absent. */
TLDB_API TLDB_NODISCARD int tldb_timeline_get(tldb *db, const char *name,
                                              tldb_timeline **out);
TLDB_API void tldb_timeline_free(tldb_timeline *tl);

/* Iterates the timelines by name: tldb_timeline_list opens *out (the
 * caller's; tldb_cursor_free), tldb_cursor_next_timeline yields each one
 * (borrowed until the next call) and TLDB_DONE at the end. */
TLDB_API TLDB_NODISCARD int tldb_timeline_list(tldb *db, tldb_cursor **out);
TLDB_API TLDB_NODISCARD int tldb_cursor_next_timeline(tldb_cursor *c,
                                                      const tldb_timeline **tl);

/* ---- events ---- */

/* Checks an event without writing it: dates, end not before start, zone,
 * sizes, UTF-8, tags.  Message in *err. */
TLDB_API TLDB_NODISCARD int tldb_event_check(const tldb_event *ev,
                                             tldb_errbuf *err);

/* Inserts or updates the event (ev->timeline, ev->uid), the uid derived
 * when NULL, keeping created, raising sequence only when the content
 * changed (see created, updated and sequence in tldb_event for restoring
 * them).  An event is identified by its timeline and uid together: the
 * same uid in another timeline is another event, which this never
 * touches.  The timeline must exist, except TLDB_DEFAULT_TIMELINE which
 * is created on first use.  The uid written is copied into uid_out (at
 * least TLDB_MAX_UID + 1 bytes) when not NULL; what happened into *result
 * when not NULL. */
TLDB_API TLDB_NODISCARD int tldb_put(tldb *db, const tldb_event *ev,
                                     char *uid_out, tldb_put_result *result);

/* Loads the event a reference names, with its tags and sources, into *out
 * (the caller's; tldb_event_free).  `ref` is "TIMELINE/UID", or a bare UID
 * that one timeline alone holds.  TLDB_ENOTFOUND when it names none,
 * TLDB_EAMBIGUOUS (the message lists them) when it names several. */
TLDB_API TLDB_NODISCARD int tldb_get(tldb *db, const char *ref,
                                     tldb_event **out);

/* tldb_get of the event `uid` of `timeline` (NULL: the default timeline). */
TLDB_API TLDB_NODISCARD int tldb_get_in(tldb *db, const char *timeline,
                                        const char *uid, tldb_event **out);

/* Removes the event a reference names (as tldb_get) and everything that
 * hangs off it.  TLDB_ENOTFOUND when absent, TLDB_EAMBIGUOUS when `ref`
 * names several. */
TLDB_API TLDB_NODISCARD int tldb_remove(tldb *db, const char *ref);

/* tldb_remove of the event `uid` of `timeline` (NULL: the default). */
TLDB_API TLDB_NODISCARD int tldb_remove_in(tldb *db, const char *timeline,
                                           const char *uid);

/* Deep-copies ev into one allocation (the caller's; tldb_event_free). */
TLDB_API TLDB_NODISCARD int tldb_event_copy(const tldb_event *ev,
                                            tldb_event **out);
TLDB_API void tldb_event_free(tldb_event *ev);

/* ---- queries ---- */

/* Sets q to "everything, overlap mode". */
TLDB_API void tldb_query_init(tldb_query *q);

/* Opens a streaming cursor over the events matching q, ordered by lo, then
 * finer precision first, then title, then uid.  Memory stays constant
 * however many events match.  *out is the caller's (tldb_cursor_free). */
TLDB_API TLDB_NODISCARD int tldb_query_open(tldb *db, const tldb_query *q,
                                            tldb_cursor **out);

/* Yields the next event (borrowed until the next call on c): TLDB_OK, then
 * TLDB_DONE when there are no more, or an error. */
TLDB_API TLDB_NODISCARD int tldb_cursor_next(tldb_cursor *c,
                                             const tldb_event **ev);

/* A note about what the cursor has yielded so far, or NULL: a series cut
 * short by TLDB_SERIES_MAX_STEPS ("series UID: stopped at 2031-05-02T..."),
 * or a series whose stored recurrence cannot be read.  Borrowed until the
 * next call on c. */
TLDB_API const char *tldb_cursor_warning(const tldb_cursor *c);

TLDB_API void tldb_cursor_free(tldb_cursor *c);

/* Bounds the time queries on db may take: from now on, once `ms`
 * milliseconds have passed, a cursor's next step (and a long SQLite step,
 * checked every few thousand instructions) fails with TLDB_EBUSY and a
 * message saying the time limit was reached.  0 removes the limit.  For a
 * server that must not let one request hold a thread; the limit belongs to
 * the handle, so set it before each piece of work. */
TLDB_API void tldb_set_time_limit(tldb *db, int64_t ms);

/* Describes how SQLite runs the query (EXPLAIN QUERY PLAN, one line per
 * step) into *out (the caller's; free()).  For tests and `tldb stats`. */
TLDB_API TLDB_NODISCARD int tldb_query_plan(tldb *db, const tldb_query *q,
                                            char **out);

/* Counts and bounds of the whole database. */
TLDB_API TLDB_NODISCARD int tldb_stats_get(tldb *db, tldb_stats *out);

#ifdef __cplusplus
}
#endif

#endif /* TLDB_TLDB_H */
