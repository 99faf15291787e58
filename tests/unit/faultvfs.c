/*
 * faultvfs.c -- a fault-injecting VFS and allocator wrapper for SQLite
 * (faultvfs.h).  The VFS forwards every call to the default VFS it wraps;
 * each file it opens is the real file with a header of ours in front, so
 * xWrite and xSync pass through our methods first.
 */
#include "faultvfs.h"

#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Atomic int g_kind = FV_NONE;
static _Atomic int g_persistent;
static _Atomic int64_t g_n;
static _Atomic int64_t g_seen;
static _Atomic int64_t g_hits;
static _Atomic int g_nosync;

static sqlite3_vfs *g_real;
static sqlite3_vfs g_vfs;
static sqlite3_mem_methods g_mem;
static int g_installed;

void fv_arm(fv_kind kind, int64_t n, int persistent)
{
	atomic_store(&g_kind, FV_NONE);
	atomic_store(&g_seen, 0);
	atomic_store(&g_hits, 0);
	atomic_store(&g_n, n);
	atomic_store(&g_persistent, persistent);
	atomic_store(&g_kind, (int)kind);
}

void fv_disarm(void)
{
	atomic_store(&g_kind, FV_NONE);
}

void fv_skip_syncs(int skip)
{
	atomic_store(&g_nosync, skip);
}

int64_t fv_hits(void)
{
	return atomic_load(&g_hits);
}

int64_t fv_seen(void)
{
	return atomic_load(&g_seen);
}

const char *fv_kind_name(fv_kind kind)
{
	switch (kind) {
	case FV_WRITE:
		return "write";
	case FV_SYNC:
		return "sync";
	case FV_MALLOC:
		return "malloc";
	case FV_FULL:
		return "full";
	default:
		return "none";
	}
}

/* Counts one event of `kind`; 1 when it must fail. */
static int should_fail(fv_kind kind)
{
	if (atomic_load(&g_kind) != (int)kind)
		return 0;
	int64_t k = atomic_fetch_add(&g_seen, 1) + 1;
	int64_t n = atomic_load(&g_n);
	if (k == n || (k > n && atomic_load(&g_persistent))) {
		atomic_fetch_add(&g_hits, 1);
		return 1;
	}
	return 0;
}

/* ---- the allocator ---- */

static void *fv_malloc(int n)
{
	return should_fail(FV_MALLOC) ? NULL : g_mem.xMalloc(n);
}

static void *fv_realloc(void *p, int n)
{
	return should_fail(FV_MALLOC) ? NULL : g_mem.xRealloc(p, n);
}

static void fv_free(void *p)
{
	g_mem.xFree(p);
}

static int fv_size(void *p)
{
	return g_mem.xSize(p);
}

static int fv_roundup(int n)
{
	return g_mem.xRoundup(n);
}

static int fv_mem_init(void *app)
{
	(void)app;
	return g_mem.xInit(g_mem.pAppData);
}

static void fv_mem_shutdown(void *app)
{
	(void)app;
	g_mem.xShutdown(g_mem.pAppData);
}

/* ---- files ---- */

typedef struct fv_file {
	sqlite3_file base;
	sqlite3_file *real; /* follows this struct in the same allocation */
} fv_file;

#define REAL(f) (((fv_file *)(f))->real)

static int fv_close(sqlite3_file *f)
{
	return REAL(f)->pMethods->xClose(REAL(f));
}

static int fv_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), buf, amt, off);
}

static int fv_write(sqlite3_file *f, const void *buf, int amt,
                    sqlite3_int64 off)
{
	sqlite3_file *r = REAL(f);
	if (should_fail(FV_WRITE))
		return SQLITE_IOERR_WRITE;
	if (atomic_load(&g_kind) == FV_FULL) {
		sqlite3_int64 size = 0;
		if (r->pMethods->xFileSize(r, &size) != SQLITE_OK)
			size = 0;
		int64_t grow = off + amt > size ? off + amt - size : 0;
		if (grow > 0) {
			int64_t used = atomic_fetch_add(&g_seen, grow) + grow;
			if (used > atomic_load(&g_n)) {
				atomic_fetch_sub(&g_seen, grow);
				atomic_fetch_add(&g_hits, 1);
				return SQLITE_FULL;
			}
		}
	}
	return r->pMethods->xWrite(r, buf, amt, off);
}

static int fv_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int fv_sync(sqlite3_file *f, int flags)
{
	if (should_fail(FV_SYNC))
		return SQLITE_IOERR_FSYNC;
	if (atomic_load(&g_nosync))
		return SQLITE_OK;
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int fv_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int fv_lock(sqlite3_file *f, int lock)
{
	return REAL(f)->pMethods->xLock(REAL(f), lock);
}

static int fv_unlock(sqlite3_file *f, int lock)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), lock);
}

static int fv_check_lock(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int fv_file_control(sqlite3_file *f, int op, void *arg)
{
	/* A size hint makes the unix VFS grow the file by itself, past our
	 * byte count; on a full disk that growth fails like a write. */
	if (op == SQLITE_FCNTL_SIZE_HINT && atomic_load(&g_kind) == FV_FULL)
		return SQLITE_NOTFOUND;
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int fv_sector_size(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int fv_device_chars(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int fv_shm_map(sqlite3_file *f, int pg, int pgsz, int extend,
                      void volatile **pp)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, pgsz, extend, pp);
}

static int fv_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void fv_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int fv_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int fv_fetch(sqlite3_file *f, sqlite3_int64 off, int amt, void **pp)
{
	return REAL(f)->pMethods->xFetch(REAL(f), off, amt, pp);
}

static int fv_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

/* One table per version of the real file's methods: a v1 file (a journal)
 * must not be seen to have shared-memory methods. */
#define FV_METHODS(version)                                                    \
	{                                                                      \
		version, fv_close, fv_read, fv_write, fv_truncate, fv_sync,    \
		        fv_file_size, fv_lock, fv_unlock, fv_check_lock,       \
		        fv_file_control, fv_sector_size, fv_device_chars,      \
		        fv_shm_map, fv_shm_lock, fv_shm_barrier, fv_shm_unmap, \
		        fv_fetch, fv_unfetch,                                  \
	}
static const sqlite3_io_methods fv_methods[3] = {FV_METHODS(1), FV_METHODS(2),
                                                 FV_METHODS(3)};

static int fv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f,
                   int flags, int *out_flags)
{
	(void)vfs;
	fv_file *ff = (fv_file *)f;
	ff->real = (sqlite3_file *)(ff + 1);
	int rc = g_real->xOpen(g_real, name, ff->real, flags, out_flags);
	const sqlite3_io_methods *m = ff->real->pMethods;
	if (!m) {
		f->pMethods = NULL;
		return rc;
	}
	int v = m->iVersion < 1 ? 1 : m->iVersion > 3 ? 3 : m->iVersion;
	f->pMethods = &fv_methods[v - 1];
	return rc;
}

/* ---- the rest of the VFS: straight to the real one ---- */

static int fv_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	(void)vfs;
	return g_real->xDelete(g_real, name, sync_dir);
}

static int fv_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return g_real->xAccess(g_real, name, flags, out);
}

static int fv_full_pathname(sqlite3_vfs *vfs, const char *name, int n,
                            char *out)
{
	(void)vfs;
	return g_real->xFullPathname(g_real, name, n, out);
}

static void *fv_dlopen(sqlite3_vfs *vfs, const char *name)
{
	(void)vfs;
	return g_real->xDlOpen(g_real, name);
}

static void fv_dlerror(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	g_real->xDlError(g_real, n, out);
}

static void (*fv_dlsym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
	(void)vfs;
	return g_real->xDlSym(g_real, h, sym);
}

static void fv_dlclose(sqlite3_vfs *vfs, void *h)
{
	(void)vfs;
	g_real->xDlClose(g_real, h);
}

static int fv_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return g_real->xRandomness(g_real, n, out);
}

static int fv_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return g_real->xSleep(g_real, us);
}

static int fv_current_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs;
	return g_real->xCurrentTime(g_real, out);
}

static int fv_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return g_real->xGetLastError(g_real, n, out);
}

static int fv_current_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	return g_real->xCurrentTimeInt64(g_real, out);
}

static void fv_log(void *ud, int code, const char *msg)
{
	(void)ud;
	fprintf(stderr, "sqlite log %d: %s\n", code, msg);
}

int fv_install(void)
{
	if (g_installed)
		return 0;
	sqlite3_shutdown();
	sqlite3_mem_methods mem;
	if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &mem) != SQLITE_OK)
		return -1;
	g_mem = mem;
	mem.xMalloc = fv_malloc;
	mem.xRealloc = fv_realloc;
	mem.xFree = fv_free;
	mem.xSize = fv_size;
	mem.xRoundup = fv_roundup;
	mem.xInit = fv_mem_init;
	mem.xShutdown = fv_mem_shutdown;
	if (getenv("FAULTVFS_LOG"))
		sqlite3_config(SQLITE_CONFIG_LOG, fv_log, NULL);
	if (sqlite3_config(SQLITE_CONFIG_MALLOC, &mem) != SQLITE_OK ||
	    sqlite3_initialize() != SQLITE_OK)
		return -1;
	g_real = sqlite3_vfs_find(NULL);
	if (!g_real)
		return -1;
	memset(&g_vfs, 0, sizeof g_vfs);
	g_vfs.iVersion = 2;
	g_vfs.szOsFile = (int)sizeof(fv_file) + g_real->szOsFile;
	g_vfs.mxPathname = g_real->mxPathname;
	g_vfs.zName = "faultvfs";
	g_vfs.xOpen = fv_open;
	g_vfs.xDelete = fv_delete;
	g_vfs.xAccess = fv_access;
	g_vfs.xFullPathname = fv_full_pathname;
	g_vfs.xDlOpen = fv_dlopen;
	g_vfs.xDlError = fv_dlerror;
	g_vfs.xDlSym = fv_dlsym;
	g_vfs.xDlClose = fv_dlclose;
	g_vfs.xRandomness = fv_randomness;
	g_vfs.xSleep = fv_sleep;
	g_vfs.xCurrentTime = fv_current_time;
	g_vfs.xGetLastError = fv_last_error;
	g_vfs.xCurrentTimeInt64 = fv_current_time64;
	if (sqlite3_vfs_register(&g_vfs, 1) != SQLITE_OK)
		return -1;
	g_installed = 1;
	return 0;
}
