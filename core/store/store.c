/*
 * store.c -- opening a tldb database: path rules, refusing files that are
 * not ours or are newer than us, WAL set-up, prepared statements, errors and
 * transactions.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_internal.h"

static const char *const stmt_sql[TL_ST_COUNT] = {
        [TL_ST_TIMELINE_ID] = "SELECT id FROM timelines WHERE name = ?1",
        [TL_ST_TIMELINE_INSERT] =
                "INSERT INTO timelines(name, title, description, created, "
                "updated) VALUES (?1, ?2, ?3, ?4, ?4)",
        [TL_ST_TIMELINE_TOUCH] = "UPDATE timelines SET updated = ?2 WHERE id = "
                                 "?1 AND updated < ?2",
        [TL_ST_EVENT_FIND] =
                "SELECT id, chash, timeline_id FROM events WHERE uid = ?1",
        [TL_ST_EVENT_INSERT] =
                "INSERT INTO events(uid, timeline_id, title, body, start, "
                "\"end\", "
                "tz, location, url, lo, hi, prec, span_class, chash, created, "
                "updated, sequence, tagtext) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?17, ?18, ?16)",
        [TL_ST_EVENT_UPDATE] =
                "UPDATE events SET timeline_id = ?2, title = ?3, body = ?4, "
                "start = ?5, \"end\" = ?6, tz = ?7, location = ?8, url = ?9, "
                "lo = ?10, hi = ?11, prec = ?12, span_class = ?13, chash = "
                "?14, "
                "updated = ?17, sequence = max(sequence + 1, ?18), tagtext = "
                "?16 "
                "WHERE id = ?1",
        [TL_ST_EVENT_DELETE] = "DELETE FROM events WHERE id = ?1",
        [TL_ST_SOURCES_DELETE] = "DELETE FROM sources WHERE event_id = ?1",
        [TL_ST_SOURCE_INSERT] =
                "INSERT INTO sources(event_id, ord, url, title, plugin, quote, "
                "expr, doc_date, resolver, span_lo, span_hi, expr_lo, expr_hi) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                "?13)",
        /* The full-text index keeps no text: an entry is taken out with
         * the text events_text gives for it, which is the text it was
         * added with.  Both write with VALUES: an INSERT ... SELECT into
         * FTS5 opens a statement savepoint, and FTS5 writes its pending
         * index out at every savepoint. */
        [TL_ST_FTS_TEXT] = "SELECT title, body, location, tags, quotes FROM "
                           "events_text WHERE id = ?1",
        [TL_ST_FTS_DELETE] =
                "INSERT INTO events_fts(events_fts, rowid, title, body, "
                "location, tags, quotes) VALUES ('delete', ?1, ?2, ?3, ?4, "
                "?5, ?6)",
        [TL_ST_FTS_INSERT] =
                "INSERT INTO events_fts(rowid, title, body, location, tags, "
                "quotes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        [TL_ST_EVENT_GET] = "SELECT " TL_EVENT_COLUMNS
                            " FROM events e JOIN timelines t ON t.id = "
                            "e.timeline_id WHERE e.uid = ?1",
        [TL_ST_SOURCES_GET] =
                "SELECT url, title, plugin, quote, expr, doc_date, resolver, "
                "span_lo, span_hi, expr_lo, expr_hi FROM sources WHERE "
                "event_id = ?1 ORDER BY ord",
        [TL_ST_SAVEPOINT] = "SAVEPOINT tl_put",
        [TL_ST_RELEASE] = "RELEASE tl_put",
};

int tl_fail(tldb *db, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(db->errmsg, sizeof db->errmsg, fmt, ap);
	va_end(ap);
	return code;
}

static int map_sqlite(int rc)
{
	switch (rc & 0xFF) {
	case SQLITE_NOMEM:
		return TLDB_ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return TLDB_EBUSY;
	case SQLITE_CORRUPT:
		return TLDB_ECORRUPT;
	case SQLITE_NOTADB:
		return TLDB_ENOTDB;
	case SQLITE_READONLY:
		return TLDB_EREADONLY;
	case SQLITE_IOERR:
	case SQLITE_FULL:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		return TLDB_EIO;
	case SQLITE_TOOBIG:
		return TLDB_ETOOBIG;
	case SQLITE_CONSTRAINT:
		return TLDB_EEXIST;
	default:
		return TLDB_EINTERNAL;
	}
}

int tl_fail_sql(tldb *db, int rc, const char *doing)
{
	int code = map_sqlite(rc);
	const char *what =
	        db->sql ? sqlite3_errmsg(db->sql) : sqlite3_errstr(rc);
	switch (code) {
	case TLDB_ECORRUPT:
		return tl_fail(db, code, "%s: the database is corrupt (%s)",
		               db->path, what);
	case TLDB_ENOTDB:
		return tl_fail(db, code, "%s: not a tldb database (%s)",
		               db->path, what);
	case TLDB_EREADONLY:
		return tl_fail(db, code, "%s: the database is read-only",
		               db->path);
	case TLDB_EBUSY:
		return tl_fail(
		        db, code,
		        "%s: the database is busy (another process holds "
		        "a lock); try again",
		        db->path);
	default:
		return tl_fail(db, code, "%s: %s", doing, what);
	}
}

sqlite3_stmt *tl_stmt(tldb *db, enum tl_stmt_id id)
{
	sqlite3_stmt *st = db->stmts[id];
	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return st;
	}
	int rc = sqlite3_prepare_v3(db->sql, stmt_sql[id], -1,
	                            SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK) {
		tl_fail_sql(db, rc, "preparing a statement");
		return NULL;
	}
	db->stmts[id] = st;
	return st;
}

int tl_exec(tldb *db, const char *sql, const char *doing)
{
	int rc = sqlite3_exec(db->sql, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? TLDB_OK : tl_fail_sql(db, rc, doing);
}

int tl_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	if (!s || !*s)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, s, -1, SQLITE_STATIC);
}

int64_t tl_now(const tldb *db)
{
	return db->now_override ? db->now_override : tldb_now();
}

TLDB_API void tldb_set_now(tldb *db, int64_t now)
{
	db->now_override = now;
}

TLDB_API int tldb_schema_version(void)
{
	return TL_SCHEMA_VERSION;
}

TLDB_API const char *tldb_errmsg(const tldb *db)
{
	return db ? db->errmsg : "out of memory";
}

TLDB_API int tldb_default_path(char *buf, size_t size)
{
	const char *env = getenv("TLDB_DB");
	int n;
	if (env && *env) {
		n = snprintf(buf, size, "%s", env);
	} else if ((env = getenv("XDG_DATA_HOME")) && *env == '/') {
		n = snprintf(buf, size, "%s/tldb/tldb.db", env);
	} else if ((env = getenv("HOME")) && *env) {
		n = snprintf(buf, size, "%s/.local/share/tldb/tldb.db", env);
	} else {
		return TLDB_ENOTFOUND;
	}
	return n < 0 || (size_t)n >= size ? TLDB_ETOOBIG : TLDB_OK;
}

/* mkdir -p of the folder that holds `path`. */
static int make_parent_dirs(tldb *db, const char *path)
{
	char dir[4096];
	int n = snprintf(dir, sizeof dir, "%s", path);
	if (n < 0 || (size_t)n >= sizeof dir)
		return tl_fail(db, TLDB_ETOOBIG, "%s: path too long", path);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return TLDB_OK;
	*slash = '\0';
	for (char *p = dir + 1; p <= slash; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(dir, 0777) != 0 && errno != EEXIST)
			return tl_fail(db, TLDB_EIO,
			               "%s: cannot create folder: %s", dir,
			               strerror(errno));
		*p = saved;
	}
	return TLDB_OK;
}

/* Fails with a message naming the folder when the one that would hold a
 * new file at `path` does not exist (or is not a folder). */
static int need_parent_dir(tldb *db, const char *path)
{
	if (access(path, F_OK) == 0)
		return TLDB_OK;
	char dir[4096];
	int n = snprintf(dir, sizeof dir, "%s", path);
	if (n < 0 || (size_t)n >= sizeof dir)
		return tl_fail(db, TLDB_ETOOBIG, "%s: path too long", path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		return TLDB_OK; /* the working folder */
	slash[slash == dir] = '\0';
	struct stat sb;
	if (stat(dir, &sb) != 0)
		return tl_fail(db, TLDB_ENOTFOUND,
		               "%s: cannot create the database: the folder %s "
		               "does not exist (%s)",
		               path, dir, strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return tl_fail(db, TLDB_ENOTFOUND,
		               "%s: cannot create the database: %s is not a "
		               "folder",
		               path, dir);
	return TLDB_OK;
}

static int pragma_int(tldb *db, const char *sql, int *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int(st, 0);
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? TLDB_OK
	                       : tl_fail_sql(db, rc, "reading the schema");
}

/* Refuses what is not a tldb database or is newer than us.  *fresh is set
 * for an empty file that a writable handle may turn into one. */
static int check_identity(tldb *db, int *fresh)
{
	int app_id = 0, version = 0, objects = 0, rc;
	if ((rc = pragma_int(db, "PRAGMA application_id", &app_id)) ||
	    (rc = pragma_int(db, "PRAGMA user_version", &version)) ||
	    (rc = pragma_int(db, "SELECT count(*) FROM sqlite_schema",
	                     &objects)))
		return rc;
	*fresh = app_id == 0 && version == 0 && objects == 0;
	if (*fresh)
		return TLDB_OK;
	if (app_id != TL_APPLICATION_ID)
		return tl_fail(db, TLDB_ENOTDB,
		               "%s: not a tldb database (a SQLite database of "
		               "another application)",
		               db->path);
	if (version > TL_SCHEMA_VERSION)
		return tl_fail(db, TLDB_ESCHEMA,
		               "%s: the database has schema version %d, newer "
		               "than this tldb knows (%d); upgrade tldb. The "
		               "database was not modified.",
		               db->path, version, TL_SCHEMA_VERSION);
	return TLDB_OK;
}

/* tldb_open's own flag: open read-only as an immutable file (a database
 * whose folder this user cannot write, so SQLite cannot make the -shm file
 * a WAL reader needs). */
#define TL_OPEN_IMMUTABLE 0x10000

/* "file:PATH?immutable=1", the path percent-encoded; -1 when too long. */
static int immutable_uri(const char *path, char *buf, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;
	const char *head = "file:";
	for (const char *h = head; *h && n + 1 < size; h++)
		buf[n++] = *h;
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if (n + 4 >= size)
			return -1;
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/-._~", *p)) {
			buf[n++] = (char)*p;
		} else {
			buf[n++] = '%';
			buf[n++] = hex[*p >> 4];
			buf[n++] = hex[*p & 15];
		}
	}
	int w = snprintf(buf + n, size - n, "?immutable=1");
	return w < 0 || (size_t)w >= size - n ? -1 : 0;
}

static int open_sqlite(tldb *db, int flags)
{
	int oflags = SQLITE_OPEN_NOMUTEX;
	if (flags & TLDB_OPEN_READONLY) {
		if (access(db->path, F_OK) != 0)
			return tl_fail(db, TLDB_ENOTFOUND,
			               "%s: no database here (add an event or "
			               "import a timeline first)",
			               db->path);
		oflags |= SQLITE_OPEN_READONLY;
	} else {
		oflags |= SQLITE_OPEN_READWRITE;
		if (flags & TLDB_OPEN_CREATE) {
			int rc = (flags & TLDB_OPEN_MKDIR)
			                 ? make_parent_dirs(db, db->path)
			                 : need_parent_dir(db, db->path);
			if (rc)
				return rc;
			oflags |= SQLITE_OPEN_CREATE;
		}
	}
	char uri[4096 * 3 + 32];
	const char *name = db->path;
	if (flags & TL_OPEN_IMMUTABLE) {
		if (immutable_uri(db->path, uri, sizeof uri))
			return tl_fail(db, TLDB_ETOOBIG, "%s: path too long",
			               db->path);
		name = uri;
		oflags |= SQLITE_OPEN_URI;
	}
	int rc = sqlite3_open_v2(name, &db->sql, oflags, NULL);
	if (rc != SQLITE_OK) {
		if ((rc & 0xFF) == SQLITE_CANTOPEN)
			return tl_fail(db, TLDB_EIO, "%s: cannot open: %s",
			               db->path, sqlite3_errmsg(db->sql));
		return tl_fail_sql(db, rc, "opening the database");
	}
	sqlite3_extended_result_codes(db->sql, 1);
	sqlite3_busy_timeout(db->sql, 5000);
	return TLDB_OK;
}

static int configure(tldb *db, int flags)
{
	int rc = tl_exec(db, "PRAGMA foreign_keys = ON", "configuring");
	if (!rc && (flags & TLDB_OPEN_MMAP)) {
		char sql[64];
		snprintf(sql, sizeof sql, "PRAGMA mmap_size = %d",
		         TLDB_MMAP_BYTES);
		rc = tl_exec(db, sql, "configuring");
	}
	if (rc || db->readonly)
		return rc;
	/* WAL lets `tldb serve` read while `tldb import` writes. */
	return tl_exec(
	        db,
	        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
	        "PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY",
	        "switching to WAL");
}

static int open_once(tldb *db, int flags);

/* Whether a -wal file sits next to the database at path. */
static int has_wal(const char *path)
{
	char wal[4200];
	int n = snprintf(wal, sizeof wal, "%s-wal", path);
	return n > 0 && (size_t)n < sizeof wal && access(wal, F_OK) == 0;
}

static int file_moved(tldb *db);
static int discard_file(tldb *db, int empty);
static int file_is_empty(tldb *db, sqlite3_file *f);
static int discard_locked(tldb *db, int (*still_ours)(tldb *, sqlite3_file *));

TLDB_API int tldb_open(const char *path, int flags, tldb **out)
{
	tldb *db = calloc(1, sizeof *db);
	*out = db;
	if (!db)
		return TLDB_ENOMEM;
	db->readonly = (flags & TLDB_OPEN_READONLY) != 0;
	db->path = strdup(path ? path : "");
	if (!db->path)
		return TLDB_ENOMEM;
	if (!*db->path)
		return tl_fail(db, TLDB_EINVAL, "no database path given");
	int rc;
	for (int attempt = 0;; attempt++) {
		rc = open_once(db, flags);
		if ((rc == TLDB_EREADONLY || rc == TLDB_EIO) && db->readonly &&
		    !(flags & TL_OPEN_IMMUTABLE) && !has_wal(db->path)) {
			/* A reader that may not create the -shm file, of a
			 * database whose writers are all gone (no -wal): the
			 * file holds every commit, read it as it is. */
			sqlite3_close_v2(db->sql);
			db->sql = NULL;
			flags |= TL_OPEN_IMMUTABLE;
			rc = open_once(db, flags);
		}
		if (rc || db->readonly || attempt == 3 || !file_moved(db))
			break;
		/* A failed command that had created the file removed it
		 * between our open and our lock (tldb_close_discard); it
		 * cannot while we hold the lock, so the path is ours now or
		 * names a new file.  Writing to the removed one would lose
		 * what we write. */
		sqlite3_close_v2(db->sql);
		db->sql = NULL;
		db->made_schema = 0;
	}
	if (!rc && db->made_schema &&
	    pragma_int(db, "PRAGMA data_version", &db->data_version))
		db->made_schema = 0;
	if (rc) {
		/* A new file this open could not set up (a full disk at the
		 * switch to WAL, or at the schema) goes, unless another
		 * connection has it; then keep only the message: the handle
		 * can do nothing else. */
		if (db->sql && db->opened_empty && (flags & TLDB_OPEN_CREATE) &&
		    !discard_file(db, 1))
			discard_locked(db, file_is_empty);
		sqlite3_close_v2(db->sql);
		db->sql = NULL;
	}
	return rc;
}

/* 1 when the file SQLite has open is no longer the one at db->path. */
static int file_moved(tldb *db)
{
	int moved = 0;
	if (sqlite3_file_control(db->sql, "main", SQLITE_FCNTL_HAS_MOVED,
	                         &moved) != SQLITE_OK)
		return 0;
	return moved != 0;
}

/* One try of tldb_open: open, check, configure and migrate.  A writable
 * handle ends in WAL mode, holding a shared lock on the file for as long as
 * it stays open. */
static int open_once(tldb *db, int flags)
{
	int fresh = 0;
	int rc = open_sqlite(db, flags);
	if (!rc)
		rc = check_identity(db, &fresh);
	db->opened_empty = !rc && fresh;
	if (!rc && fresh && db->readonly)
		rc = tl_fail(db, TLDB_ENOTDB,
		             "%s: not a tldb database (the file is empty)",
		             db->path);
	if (!rc)
		rc = configure(db, flags);
	if (!rc && !db->readonly)
		rc = tl_schema_migrate(db);
	return rc;
}

TLDB_API void tldb_close(tldb *db)
{
	if (!db)
		return;
	for (int i = 0; i < TL_ST_COUNT; i++)
		sqlite3_finalize(db->stmts[i]);
	for (int i = 0; i < TL_QUERY_CACHE; i++) {
		for (int k = 0; k < TL_NCLASSES; k++)
			sqlite3_finalize(db->queries[i].arms[k]);
		free(db->queries[i].sql);
	}
	if (db->sql) {
		if (db->tx_depth)
			sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close_v2(db->sql);
	}
	free(db->path);
	free(db);
}

/* The text of a one-row statement's first column into buf ("" when none). */
static void pragma_text(tldb *db, const char *sql, char *buf, size_t size)
{
	sqlite3_stmt *st;
	buf[0] = '\0';
	if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(buf, size, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

/* Whether the database still holds only what this handle created: no
 * timeline, no event, and (with check_version) no other connection's
 * write since the schema (data_version; leaving WAL mode changes it). */
static int only_ours(tldb *db, int check_version)
{
	int version = 0, rows = 1;
	if (check_version && (pragma_int(db, "PRAGMA data_version", &version) ||
	                      version != db->data_version))
		return 0;
	if (pragma_int(db,
	               "SELECT (SELECT count(*) FROM timelines) + (SELECT "
	               "count(*) FROM events) + (SELECT count(*) FROM sources)",
	               &rows))
		return 0;
	return rows == 0;
}

/* Unlinks the database at path with its companions; 1 when all went. */
static int remove_files(const char *db_path)
{
	/* The companions first: once the main file is gone a new database
	 * may be created at the path, with its own. */
	static const char *const suffixes[] = {"-wal", "-shm", "-journal", ""};
	char path[4200];
	int removed = 1;
	for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
		int n = snprintf(path, sizeof path, "%s%s", db_path,
		                 suffixes[i]);
		if (n > 0 && (size_t)n < sizeof path && unlink(path) != 0 &&
		    errno != ENOENT)
			removed = 0;
	}
	return removed;
}

/* What still_ours may ask of a file under discard_locked's lock. */
static int file_is_empty(tldb *db, sqlite3_file *f)
{
	sqlite3_int64 size = -1;
	(void)db;
	return f->pMethods->xFileSize(f, &size) == SQLITE_OK && size == 0;
}

static int holds_no_rows(tldb *db, sqlite3_file *f)
{
	(void)f;
	return only_ours(db, 0);
}

/* Removes the database's files under an exclusive lock taken through the
 * VFS itself, when still_ours says so under it, for what cannot take the
 * lock by beginning a transaction:
 *  - a file of 0 bytes (a new database SQLite could not write a page of,
 *    a full disk): a transaction would create a journal, which a full disk
 *    refuses (still_ours: file_is_empty);
 *  - a database that cannot leave WAL mode (a full disk refuses the
 *    checkpoint that takes).  Every connection holds a shared lock on a WAL
 *    database's file for as long as it is open, so the exclusive one says
 *    that no other connection has it; the rows are checked again under it
 *    (reads go through the -shm, not the file's lock; data_version was
 *    checked before, and the failed switch out of WAL moves it)
 *    (still_ours: holds_no_rows).
 * One that opens the file after sees it moved (file_moved). */
static int discard_locked(tldb *db, int (*still_ours)(tldb *, sqlite3_file *))
{
	sqlite3_file *f = NULL;
	if (sqlite3_file_control(db->sql, "main", SQLITE_FCNTL_FILE_POINTER,
	                         &f) != SQLITE_OK ||
	    !f || !f->pMethods)
		return 0;
	const sqlite3_io_methods *m = f->pMethods;
	int removed = 0;
	if (m->xLock(f, SQLITE_LOCK_SHARED) != SQLITE_OK)
		return 0;
	if (m->xLock(f, SQLITE_LOCK_RESERVED) == SQLITE_OK &&
	    m->xLock(f, SQLITE_LOCK_EXCLUSIVE) == SQLITE_OK &&
	    still_ours(db, f) && !file_moved(db))
		removed = remove_files(db->path);
	m->xUnlock(f, SQLITE_LOCK_SHARED); /* the handle is closed next */
	return removed;
}

/* Whether the file holds no database at all (no schema object). */
static int holds_nothing(tldb *db)
{
	int objects = 1;
	return !pragma_int(db, "SELECT count(*) FROM sqlite_schema",
	                   &objects) &&
	       objects == 0;
}

/* What discard_file may remove: a database that holds only what this
 * handle created (its schema), or with `empty` a file that holds nothing. */
static int discardable(tldb *db, int empty, int check_version)
{
	return empty ? holds_nothing(db) : only_ours(db, check_version);
}

/* Removes the file of a database only this handle has touched (with
 * `empty`: a file that still holds nothing, after a failed open).  Every
 * step that finds another connection (a lock it cannot take at once, a
 * write it did not make) keeps the file. */
static int discard_file(tldb *db, int empty)
{
	if (!db->sql || db->readonly || !(empty || db->made_schema))
		return 0;
	tldb_rollback(db);
	/* A statement left on a row would hold a read transaction open. */
	for (sqlite3_stmt *st = sqlite3_next_stmt(db->sql, NULL); st;
	     st = sqlite3_next_stmt(db->sql, st))
		sqlite3_reset(st);
	sqlite3_busy_timeout(db->sql, 0);
	if (!discardable(db, empty, 1))
		return 0;
	/* Leaving WAL takes an exclusive lock on the file, which no other
	 * connection may hold a shared one against: every open writable
	 * handle, in WAL mode, holds one as long as it is open. */
	char mode[16];
	pragma_text(db, "PRAGMA journal_mode = DELETE", mode, sizeof mode);
	if (strcmp(mode, "delete") != 0)
		return !empty && discard_locked(db, holds_no_rows);
	int removed = 0;
	if (sqlite3_exec(db->sql, "BEGIN EXCLUSIVE", NULL, NULL, NULL) ==
	            SQLITE_OK &&
	    discardable(db, empty, 0) && !file_moved(db))
		removed = remove_files(db->path);
	sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
	if (!removed)
		sqlite3_exec(db->sql, "PRAGMA journal_mode = WAL", NULL, NULL,
		             NULL);
	return removed;
}

TLDB_API int tldb_close_discard(tldb *db)
{
	if (!db)
		return 0;
	int removed = discard_file(db, 0);
	tldb_close(db);
	return removed;
}

int tl_step_done(tldb *db, sqlite3_stmt *st, const char *doing)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? TLDB_OK : tl_fail_sql(db, rc, doing);
}

/* ---- transactions ---- */

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
