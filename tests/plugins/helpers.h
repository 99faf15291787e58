/*
 * helpers.h -- shared helpers of the plugin tests (test_host.c,
 * test_pipeline.c): fixture paths, temporary folders, small files and
 * counting a database's events through the public API.
 */
#ifndef TLDB_TEST_PLUGIN_HELPERS_H
#define TLDB_TEST_PLUGIN_HELPERS_H

#if !defined(_GNU_SOURCE) && !defined(_XOPEN_SOURCE)
#error "define _GNU_SOURCE or _XOPEN_SOURCE 700 before the first #include"
#endif

#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tldb/plugins.h"
#include "tldb/tldb.h"

/* Not every test file uses every helper. */
#define HELPER static __attribute__((unused))

/* The fixture plugin called `name`. */
#define FIXTURE(name)      TLDB_FIXTURE_DIR "/" name ".so"
#define BUILD_PLUGIN(name) TLDB_BUILD_DIR "/plugins/" name ".so"

/* 2022-09-15T12:00:00Z, the clock of every database here. */
#define TEST_NOW INT64_C(1663243200)

static char g_tmp[256];

HELPER int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

HELPER void tmp_setup(void)
{
	snprintf(g_tmp, sizeof g_tmp, "/tmp/tldb-plugin-test-XXXXXX");
	cr_assert_not_null(mkdtemp(g_tmp));
}

HELPER void tmp_teardown(void)
{
	if (g_tmp[0])
		nftw(g_tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A path inside the test's folder (static buffers, used in turn). */
HELPER const char *tmp_path(const char *name)
{
	static char bufs[8][512];
	static int next;
	char *b = bufs[next++ % 8];
	snprintf(b, sizeof bufs[0], "%s/%s", g_tmp, name);
	return b;
}

HELPER void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f, "cannot write %s", path);
	cr_assert_eq(fwrite(text, 1, strlen(text), f), strlen(text));
	cr_assert_eq(fclose(f), 0);
}

/* The whole file (the caller frees); *len its size. */
HELPER char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot read %s", path);
	char *buf = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
			cr_assert_not_null(buf);
		}
		size_t got = fread(buf + n, 1, 4096, f);
		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

HELPER tldb *open_db(const char *path)
{
	tldb *db = NULL;
	int rc = tldb_open(path, TLDB_OPEN_CREATE, &db);
	cr_assert_eq(rc, TLDB_OK, "tldb_open %s: %s", path,
	             db ? tldb_errmsg(db) : "no memory");
	tldb_set_now(db, TEST_NOW);
	return db;
}

HELPER tldb_plugins *new_registry(void)
{
	tldb_plugins *p = NULL;
	cr_assert_eq(tldb_plugins_new(&p), TLDB_OK);
	return p;
}

HELPER void load_ok(tldb_plugins *p, const char *path)
{
	tldb_msgbuf err;
	int rc = tldb_plugins_load(p, path, &err);
	cr_assert_eq(rc, TLDB_OK, "loading %s: %s", path, err.msg);
}

/* How many events the database holds. */
HELPER int64_t count_events(tldb *db)
{
	tldb_query q;
	tldb_query_init(&q);
	tldb_cursor *c = NULL;
	cr_assert_eq(tldb_query_open(db, &q, &c), TLDB_OK, "%s",
	             tldb_errmsg(db));
	const tldb_event *ev;
	int64_t n = 0;
	int rc;
	while ((rc = tldb_cursor_next(c, &ev)) == TLDB_OK)
		n++;
	cr_assert_eq(rc, TLDB_DONE);
	tldb_cursor_free(c);
	return n;
}

/* A copy of the event `uid` that a query over everything yields (a stored
 * event, or an occurrence of a series), or NULL; tldb_event_free it. */
HELPER tldb_event *yielded(tldb *db, const char *uid)
{
	tldb_query q;
	tldb_query_init(&q);
	tldb_cursor *c = NULL;
	cr_assert_eq(tldb_query_open(db, &q, &c), TLDB_OK, "%s",
	             tldb_errmsg(db));
	const tldb_event *ev;
	tldb_event *copy = NULL;
	while (!copy && tldb_cursor_next(c, &ev) == TLDB_OK)
		if (strcmp(ev->uid, uid) == 0)
			cr_assert_eq(tldb_event_copy(ev, &copy), TLDB_OK);
	tldb_cursor_free(c);
	return copy;
}

/* 1 when an event titled `title` is stored. */
HELPER int has_title(tldb *db, const char *title)
{
	tldb_query q;
	tldb_query_init(&q);
	tldb_cursor *c = NULL;
	cr_assert_eq(tldb_query_open(db, &q, &c), TLDB_OK, "%s",
	             tldb_errmsg(db));
	const tldb_event *ev;
	int found = 0;
	while (tldb_cursor_next(c, &ev) == TLDB_OK)
		if (ev->title && strcmp(ev->title, title) == 0)
			found = 1;
	tldb_cursor_free(c);
	return found;
}

/* Imports `path` into db with plugin `plugin` (NULL: chosen). */
HELPER int import_file(tldb *db, tldb_plugins *p, const char *plugin,
                       const char *path, tldb_import_stats *st,
                       tldb_msgbuf *err)
{
	tldb_import_opts o;
	memset(&o, 0, sizeof o);
	o.plugin = plugin;
	o.path = path;
	o.fd = -1;
	return tldb_import(db, p, &o, st, err);
}

/* Collects the output of an export into a growing string. */
typedef struct sink {
	char *buf;
	size_t len, cap;
} sink;

HELPER int sink_write(void *ud, const void *buf, size_t len)
{
	sink *s = ud;
	if (s->len + len + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		while (cap < s->len + len + 1)
			cap *= 2;
		char *b = realloc(s->buf, cap);
		if (!b)
			return -1;
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, buf, len);
	s->len += len;
	s->buf[s->len] = '\0';
	return 0;
}

/* Collects reported messages, one per line. */
typedef struct reports {
	char text[8192];
	size_t len;
	int count;
} reports;

HELPER void collect(void *ud, const char *msg)
{
	reports *r = ud;
	int w = snprintf(r->text + r->len, sizeof r->text - r->len, "%s\n",
	                 msg);
	if (w > 0 && (size_t)w < sizeof r->text - r->len)
		r->len += (size_t)w;
	r->count++;
}

#endif /* TLDB_TEST_PLUGIN_HELPERS_H */
