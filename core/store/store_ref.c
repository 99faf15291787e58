/*
 * store_ref.c -- which event a reference names.  An event is identified
 * by (timeline, uid), so the same uid may stand in several timelines (two
 * calendars both holding UID:1).  A reference is "TIMELINE/UID", or a bare
 * UID that one timeline alone holds.
 */
#include <stdio.h>
#include <string.h>

#include "store_internal.h"

int tl_event_at(tldb *db, const char *timeline, const char *uid,
                sqlite3_int64 *id, sqlite3_int64 *timeline_id)
{
	if (!db->sql)
		return tl_fail(db, TLDB_EINVAL, "the database is not open");
	if (!timeline || !*timeline)
		timeline = TLDB_DEFAULT_TIMELINE;
	int rc = tl_timeline_id(db, timeline, 0, timeline_id);
	if (rc == TLDB_ENOTFOUND)
		return tl_fail(db, rc, "no timeline '%s'", timeline);
	if (rc)
		return rc;
	sqlite3_stmt *st = tl_stmt(db, TL_ST_EVENT_FIND);
	if (!st)
		return TLDB_EINTERNAL;
	sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, *timeline_id);
	rc = sqlite3_step(st);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return tl_fail_sql(db, rc, "finding an event");
	if (!*id)
		return tl_fail(db, TLDB_ENOTFOUND,
		               "no event with uid '%s' in timeline '%s'", uid,
		               timeline);
	return TLDB_OK;
}

/* What a reference may name: at most this many are listed when it is
 * ambiguous. */
#define MAX_LISTED 8

typedef struct holders {
	int n;
	sqlite3_int64 id, timeline_id; /* the first found */
	tl_buf names;                  /* "a/UID, b/UID" */
} holders;

static void add_holder(holders *h, sqlite3_int64 id, sqlite3_int64 tl_id,
                       const char *timeline, const char *uid)
{
	if (h->n++ == 0) {
		h->id = id;
		h->timeline_id = tl_id;
	}
	if (h->n <= MAX_LISTED)
		tl_buf_addf(&h->names, "%s%s/%s", h->n > 1 ? ", " : "",
		            timeline, uid);
}

/* Every timeline holding uid `ref` exactly. */
static int bare_holders(tldb *db, const char *ref, holders *h)
{
	sqlite3_stmt *st = tl_stmt(db, TL_ST_EVENT_HOLDERS);
	if (!st)
		return TLDB_EINTERNAL;
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		add_holder(h, sqlite3_column_int64(st, 0),
		           sqlite3_column_int64(st, 1),
		           (const char *)sqlite3_column_text(st, 2), ref);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? TLDB_OK
	                         : tl_fail_sql(db, rc, "finding an event");
}

/* "TIMELINE/UID": the timeline names no '/', so the first one splits. */
static int qualified_holder(tldb *db, const char *ref, holders *h)
{
	const char *slash = strchr(ref, '/');
	char timeline[TLDB_MAX_TIMELINE_NAME + 1];
	if (!slash || slash == ref ||
	    (size_t)(slash - ref) > TLDB_MAX_TIMELINE_NAME || !slash[1])
		return TLDB_OK;
	memcpy(timeline, ref, (size_t)(slash - ref));
	timeline[slash - ref] = '\0';
	if (!tldb_timeline_name_valid(timeline))
		return TLDB_OK;
	sqlite3_int64 id, tl_id;
	int rc = tl_event_at(db, timeline, slash + 1, &id, &tl_id);
	if (rc == TLDB_ENOTFOUND)
		return TLDB_OK;
	if (!rc)
		add_holder(h, id, tl_id, timeline, slash + 1);
	return rc;
}

int tl_event_ref(tldb *db, const char *ref, sqlite3_int64 *id,
                 sqlite3_int64 *timeline_id)
{
	if (!db->sql)
		return tl_fail(db, TLDB_EINVAL, "the database is not open");
	holders h = {0, 0, 0, TL_BUF_INIT(4096)};
	int rc = bare_holders(db, ref, &h);
	if (!rc)
		rc = qualified_holder(db, ref, &h);
	if (rc) {
		tl_buf_release(&h.names);
		return rc;
	}
	if (h.n == 1) {
		*id = h.id;
		*timeline_id = h.timeline_id;
	} else if (h.n == 0) {
		rc = tl_fail(db, TLDB_ENOTFOUND, "no event with uid '%s'", ref);
	} else {
		rc = tl_fail(db, TLDB_EAMBIGUOUS,
		             "'%s' names %d events: %s%s; name one as "
		             "TIMELINE/UID",
		             ref, h.n, tl_buf_str(&h.names),
		             h.n > MAX_LISTED ? ", ..." : "");
	}
	tl_buf_release(&h.names);
	return rc;
}
