/*
 * store_timeline.c -- creating, renaming, sharing and removing timelines,
 * and the statistics of a database.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "store_internal.h"
#include "store_series.h"

/* ---- the timeline of an event being written ---- */

static int lookup_timeline(tldb *db, const char *name, int create_default,
                           sqlite3_int64 *id)
{
	sqlite3_stmt *st = tl_stmt(db, TL_ST_TIMELINE_ID);
	if (!st)
		return TLDB_EINTERNAL;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		return TLDB_OK;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return tl_fail_sql(db, rc, "finding a timeline");
	if (!create_default || strcmp(name, TLDB_DEFAULT_TIMELINE) != 0)
		return tl_fail(db, TLDB_ENOTFOUND, "unknown timeline '%s'",
		               name);
	if (!(st = tl_stmt(db, TL_ST_TIMELINE_INSERT)))
		return TLDB_EINTERNAL;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, tl_now(db));
	if ((rc = tl_step_done(db, st, "creating a timeline")))
		return rc;
	*id = sqlite3_last_insert_rowid(db->sql);
	return TLDB_OK;
}

int tl_timeline_id(tldb *db, const char *name, int create_default,
                   sqlite3_int64 *id)
{
	if (db->tx_depth && strcmp(db->tl_cache_name, name) == 0) {
		*id = db->tl_cache_id;
		return TLDB_OK;
	}
	int rc = lookup_timeline(db, name, create_default, id);
	if (!rc && db->tx_depth && strlen(name) < sizeof db->tl_cache_name) {
		memcpy(db->tl_cache_name, name, strlen(name) + 1);
		db->tl_cache_id = *id;
	}
	return rc;
}

int tl_timeline_touch(tldb *db, sqlite3_int64 id)
{
	sqlite3_stmt *st = tl_stmt(db, TL_ST_TIMELINE_TOUCH);
	if (!st)
		return TLDB_EINTERNAL;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, tl_now(db));
	return tl_step_done(db, st, "updating a timeline");
}

/* ---- the timeline commands ---- */

static int check_name(tldb *db, const char *name)
{
	if (tldb_timeline_name_valid(name))
		return TLDB_OK;
	return tl_fail(
	        db, TLDB_EINVAL,
	        "bad timeline name '%s': a name is [a-z0-9][a-z0-9._-]*, "
	        "at most %d bytes",
	        name ? name : "", TLDB_MAX_TIMELINE_NAME);
}

/* Runs a one-row write statement with text/integer parameters; returns the
 * number of rows changed through *changes. */
static int run(tldb *db, const char *sql, const char *const *texts, int ntexts,
               int64_t now, int *changes, const char *doing)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return tl_fail_sql(db, rc, doing);
	for (int i = 0; i < ntexts; i++)
		tl_bind_text(st, i + 1, texts[i]);
	if (sqlite3_bind_parameter_count(st) > ntexts)
		sqlite3_bind_int64(st, ntexts + 1, now);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return tl_fail_sql(db, rc, doing);
	if (changes)
		*changes = sqlite3_changes(db->sql);
	return TLDB_OK;
}

static int check_text_field(tldb *db, const char *field, const char *s)
{
	if (s && strlen(s) > TLDB_MAX_TEXT)
		return tl_fail(db, TLDB_ETOOBIG,
		               "timeline %s: longer than %d bytes", field,
		               TLDB_MAX_TEXT);
	return TLDB_OK;
}

static int write_timeline(tldb *db, const tldb_timeline *tl, int replace)
{
	int rc;
	if ((rc = check_name(db, tl->name)) ||
	    (rc = check_text_field(db, "title", tl->title)) ||
	    (rc = check_text_field(db, "description", tl->description)))
		return rc;
	const char *texts[] = {tl->name, tl->title, tl->description};
	const char *sql =
	        replace ? "INSERT INTO timelines(name, title, description, "
	                  "created, updated) VALUES (?1, ?2, ?3, ?4, ?4) ON "
	                  "CONFLICT(name) DO UPDATE SET title = ?2, "
	                  "description = ?3, updated = ?4 WHERE title IS NOT "
	                  "?2 "
	                  "OR description IS NOT ?3"
	                : "INSERT INTO timelines(name, title, description, "
	                  "created, updated) VALUES (?1, ?2, ?3, ?4, ?4)";
	if ((rc = tl_savepoint(db)))
		return rc;
	rc = run(db, sql, texts, 3, tl_now(db), NULL, "writing a timeline");
	if (rc == TLDB_EEXIST)
		rc = tl_fail(db, rc, "timeline '%s' already exists", tl->name);
	if (rc) {
		tl_rollback_to(db);
		return rc;
	}
	return tl_release(db);
}

TLDB_API int tldb_timeline_create(tldb *db, const tldb_timeline *tl)
{
	return write_timeline(db, tl, 0);
}

TLDB_API int tldb_timeline_put(tldb *db, const tldb_timeline *tl)
{
	return write_timeline(db, tl, 1);
}

TLDB_API int tldb_timeline_rename(tldb *db, const char *from, const char *to)
{
	int rc, changes = 0;
	if ((rc = check_name(db, to)) || (rc = tl_savepoint(db)))
		return rc;
	tl_forget_tx(db);
	const char *texts[] = {from, to};
	rc = run(db,
	         "UPDATE timelines SET name = ?2, updated = ?3 WHERE name = ?1",
	         texts, 2, tl_now(db), &changes, "renaming a timeline");
	if (rc == TLDB_EEXIST)
		rc = tl_fail(db, rc, "timeline '%s' already exists", to);
	else if (!rc && !changes)
		rc = tl_fail(db, TLDB_ENOTFOUND, "unknown timeline '%s'", from);
	if (rc) {
		tl_rollback_to(db);
		return rc;
	}
	return tl_release(db);
}

static int count_events(tldb *db, sqlite3_int64 timeline_id, int64_t *n)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(
	        db->sql, "SELECT count(*) FROM events WHERE timeline_id = ?1",
	        -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, timeline_id);
		rc = sqlite3_step(st);
		*n = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? TLDB_OK
	                        : tl_fail_sql(db, rc, "counting events");
}

static int remove_timeline(tldb *db, const char *name, int with_events)
{
	sqlite3_int64 id;
	int64_t n = 0;
	int rc;
	if ((rc = tl_timeline_id(db, name, 0, &id)) ||
	    (rc = count_events(db, id, &n)))
		return rc;
	if (n && !with_events)
		return tl_fail(db, TLDB_EEXIST,
		               "timeline '%s' holds %lld events", name,
		               (long long)n);
	static const char *const sql[] = {
	        "INSERT INTO events_fts(events_fts, rowid, title, body, "
	        "location, tags, quotes) SELECT 'delete', id, title, body, "
	        "location, tags, quotes FROM events_text WHERE id IN (SELECT "
	        "id FROM events WHERE timeline_id = ?1)",
	        "DELETE FROM events WHERE timeline_id = ?1",
	        "DELETE FROM timelines WHERE id = ?1",
	};
	for (size_t i = 0; i < sizeof sql / sizeof *sql; i++) {
		sqlite3_stmt *st;
		rc = sqlite3_prepare_v2(db->sql, sql[i], -1, &st, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_int64(st, 1, id);
			rc = sqlite3_step(st);
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return tl_fail_sql(db, rc, "removing a timeline");
	}
	return TLDB_OK;
}

TLDB_API int tldb_timeline_remove(tldb *db, const char *name, int with_events)
{
	int rc = tl_savepoint(db);
	if (rc)
		return rc;
	tl_forget_tx(db);
	/* Sources go by ON DELETE CASCADE. */
	if ((rc = remove_timeline(db, name, with_events))) {
		tl_rollback_to(db);
		return rc;
	}
	return tl_release(db);
}

static int scalar(tldb *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? TLDB_OK
	                        : tl_fail_sql(db, rc, "reading statistics");
}

/* Splits each distinct events.tagtext at its char(31)s (far fewer lists
 * than events: a third of the time of splitting every row's). */
#define DISTINCT_TAGS_SQL                                                      \
	"WITH RECURSIVE lists(t) AS (SELECT DISTINCT tagtext FROM events"      \
	" WHERE tagtext IS NOT NULL),"                                         \
	" split(tag, rest) AS (SELECT NULL, t || char(31) FROM lists"          \
	" UNION ALL SELECT substr(rest, 1, instr(rest, char(31)) - 1),"        \
	" substr(rest, instr(rest, char(31)) + 1) FROM split WHERE rest <> "   \
	"'')"                                                                  \
	" SELECT count(DISTINCT tag) FROM split WHERE tag IS NOT NULL"

TLDB_API int tldb_stats_get(tldb *db, tldb_stats *out)
{
	memset(out, 0, sizeof *out);
	if (!db->sql)
		return tl_fail(db, TLDB_EINVAL, "the database is not open");
	int64_t version = 0;
	int rc;
	if ((rc = scalar(db, "SELECT count(*) FROM events", &out->events)) ||
	    (rc = scalar(db, "SELECT count(*) FROM timelines",
	                 &out->timelines)) ||
	    (rc = scalar(db, DISTINCT_TAGS_SQL, &out->tags)) ||
	    (rc = scalar(db, "SELECT count(*) FROM sources", &out->sources)) ||
	    /* A series' lo is its first occurrence's; its hi only bounds its
	     * last one (tl_series_latest reads it), and a cancelled
	     * occurrence is no event (event_internal.h's classes). */
	    (rc = scalar(db,
	                 "SELECT coalesce(min(lo), 0) FROM events WHERE lo > "
	                 "-9223372036854775808 AND span_class <= 30",
	                 &out->lo_min)) ||
	    (rc = scalar(db,
	                 "SELECT coalesce(max(hi), 0) FROM events WHERE hi < "
	                 "9223372036854775807 AND span_class < 30",
	                 &out->hi_max)) ||
	    (rc = tl_series_latest(db, &out->hi_max)) ||
	    (rc = scalar(db, "PRAGMA user_version", &version)))
		return rc;
	out->schema_version = (int)version;
	sqlite3_stmt *st;
	rc = sqlite3_prepare_v2(
	        db->sql, "SELECT prec, count(*) FROM events GROUP BY prec", -1,
	        &st, NULL);
	if (rc != SQLITE_OK)
		return tl_fail_sql(db, rc, "reading statistics");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int p = sqlite3_column_int(st, 0);
		if (p >= 0 && p <= TLDB_PREC_SECOND)
			out->by_precision[p] = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return tl_fail_sql(db, rc, "reading statistics");
	struct stat sb;
	if (stat(db->path, &sb) == 0)
		out->file_bytes = (int64_t)sb.st_size;
	return TLDB_OK;
}

static char *dup_col(sqlite3_stmt *st, int col, char **cursor)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	if (!s)
		return NULL;
	size_t n = (size_t)sqlite3_column_bytes(st, col) + 1;
	char *p = *cursor;
	memcpy(p, s, n);
	*cursor += n;
	return p;
}

TLDB_API int tldb_timeline_get(tldb *db, const char *name, tldb_timeline **out)
{
	*out = NULL;
	if (!db->sql)
		return tl_fail(db, TLDB_EINVAL, "the database is not open");
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(
	        db->sql,
	        "SELECT name, title, description, token, created, updated, "
	        "(SELECT count(*) FROM events e WHERE e.timeline_id = t.id) "
	        "FROM timelines t WHERE name = ?1",
	        -1, &st, NULL);
	if (rc != SQLITE_OK)
		return tl_fail_sql(db, rc, "reading a timeline");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE)
			return tl_fail(db, TLDB_ENOTFOUND,
			               "unknown timeline '%s'", name);
		return tl_fail_sql(db, rc, "reading a timeline");
	}
	size_t size = sizeof(tldb_timeline);
	for (int i = 0; i < 4; i++)
		size += (size_t)sqlite3_column_bytes(st, i) + 1;
	tldb_timeline *tl = calloc(1, size);
	if (!tl) {
		sqlite3_finalize(st);
		return tl_fail(db, TLDB_ENOMEM, "out of memory");
	}
	char *cursor = (char *)(tl + 1);
	tl->name = dup_col(st, 0, &cursor);
	tl->title = dup_col(st, 1, &cursor);
	tl->description = dup_col(st, 2, &cursor);
	tl->token = dup_col(st, 3, &cursor);
	tl->created = sqlite3_column_int64(st, 4);
	tl->updated = sqlite3_column_int64(st, 5);
	tl->events = sqlite3_column_int64(st, 6);
	sqlite3_finalize(st);
	*out = tl;
	return TLDB_OK;
}

TLDB_API void tldb_timeline_free(tldb_timeline *tl)
{
	free(tl);
}

/* ---- sharing ---- */

static int random_token(tldb *db, char *out)
{
	unsigned char bytes[TLDB_TOKEN_LEN / 2];
	size_t got = 0;
	while (got < sizeof bytes) {
		ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return tl_fail(db, TLDB_EIO, "getrandom: %s",
			               strerror(errno));
		got += (size_t)n;
	}
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < sizeof bytes; i++) {
		out[2 * i] = hex[bytes[i] >> 4];
		out[2 * i + 1] = hex[bytes[i] & 15];
	}
	out[TLDB_TOKEN_LEN] = '\0';
	return TLDB_OK;
}

TLDB_API int tldb_timeline_share(tldb *db, const char *name, char *token_out)
{
	tldb_timeline *tl = NULL;
	int rc = tldb_timeline_get(db, name, &tl);
	if (rc)
		return rc;
	if (tl->token) {
		snprintf(token_out, TLDB_TOKEN_LEN + 1, "%s", tl->token);
		tldb_timeline_free(tl);
		return TLDB_OK;
	}
	tldb_timeline_free(tl);
	char token[TLDB_TOKEN_LEN + 1];
	if ((rc = random_token(db, token)))
		return rc;
	const char *texts[] = {token, name};
	/* The token is read back in the same transaction: a share that fails
	 * leaves the timeline public. */
	if ((rc = tl_savepoint(db)))
		return rc;
	rc = run(db,
	         "UPDATE timelines SET token = ?1 WHERE name = ?2 AND "
	         "token IS NULL",
	         texts, 2, 0, NULL, "sharing a timeline");
	/* Another process may have shared it meanwhile: report what won. */
	if (!rc)
		rc = tldb_timeline_get(db, name, &tl);
	if (rc) {
		tl_rollback_to(db);
		return rc;
	}
	snprintf(token_out, TLDB_TOKEN_LEN + 1, "%s",
	         tl->token ? tl->token : "");
	tldb_timeline_free(tl);
	return tl_release(db);
}

TLDB_API int tldb_timeline_unshare(tldb *db, const char *name)
{
	tldb_timeline *tl = NULL;
	int rc = tldb_timeline_get(db, name, &tl);
	if (rc)
		return rc;
	tldb_timeline_free(tl);
	const char *texts[] = {name};
	return run(db, "UPDATE timelines SET token = NULL WHERE name = ?1",
	           texts, 1, 0, NULL, "unsharing a timeline");
}
