/*
 * store_limit.c -- the time limit of a query (tldb_set_time_limit): a
 * deadline on the monotonic clock, checked by SQLite's progress handler
 * every few thousand virtual-machine instructions and by the expansion of
 * series between steps.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <time.h>

#include "store_internal.h"

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int tl_past_deadline(const tldb *db)
{
	return db->deadline_ns && mono_ns() >= db->deadline_ns;
}

/* SQLite's progress handler: non-zero interrupts the statement. */
static int on_progress(void *ud)
{
	return tl_past_deadline(ud);
}

TLDB_API void tldb_set_time_limit(tldb *db, int64_t ms)
{
	if (!db || !db->sql)
		return;
	db->limit_ms = ms > 0 ? ms : 0;
	db->deadline_ns = ms > 0 ? mono_ns() + ms * 1000000 : 0;
	/* Every 4096 virtual-machine instructions: a few microseconds. */
	sqlite3_progress_handler(db->sql, ms > 0 ? 4096 : 0,
	                         ms > 0 ? on_progress : NULL, db);
}

int tl_time_limit_reached(tldb *db)
{
	return tl_fail(db, TLDB_EBUSY,
	               "the time limit of %lld ms for the query was reached",
	               (long long)db->limit_ms);
}
