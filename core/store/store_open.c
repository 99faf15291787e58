/*
 * store_open.c -- opening and closing a tldb database: path rules, refusing
 * files that are not ours or are newer than us, WAL set-up, and discarding
 * a database this handle created when nothing else has touched it
 * (tldb_close_discard).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_internal.h"

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
		for (int k = 0; k < TL_NARMS; k++)
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
