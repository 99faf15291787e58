/*
 * test_store_mmap.c -- TLDB_OPEN_MMAP: a handle opened with it reads the
 * file through a memory map (seen in /proc/self/maps once it has read
 * rows), a handle opened without it does not, and both read the same
 * events.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tldb/tldb.h"
#include "unit/tmpdir.h"

static void setup(void)
{
	tmpdir_setup("mmap");
}

TestSuite(mmap, .init = setup, .fini = teardown);

/* 1 when this process maps the file at path. */
static int mapped(const char *path)
{
	FILE *f = fopen("/proc/self/maps", "r");
	cr_assert_not_null(f);
	char line[4096];
	int found = 0;
	while (!found && fgets(line, sizeof line, f)) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		size_t n = strlen(line), p = strlen(path);
		found = n >= p && strcmp(line + n - p, path) == 0;
	}
	fclose(f);
	return found;
}

/* Reads every event; returns how many, and their titles' total length. */
static int64_t read_all(tldb *db, int64_t *title_bytes)
{
	tldb_query q;
	tldb_query_init(&q);
	tldb_cursor *c = NULL;
	cr_assert_eq(tldb_query_open(db, &q, &c), TLDB_OK, "%s",
	             tldb_errmsg(db));
	const tldb_event *ev;
	int64_t n = 0;
	*title_bytes = 0;
	int rc;
	while ((rc = tldb_cursor_next(c, &ev)) == TLDB_OK) {
		n++;
		*title_bytes += (int64_t)strlen(ev->title);
	}
	cr_expect_eq(rc, TLDB_DONE);
	tldb_cursor_free(c);
	return n;
}

Test(mmap, only_a_handle_opened_with_the_flag_maps_the_file)
{
	tldb *db = NULL;
	cr_assert_eq(tldb_open(db_path, TLDB_OPEN_CREATE, &db), TLDB_OK);
	cr_assert_eq(tldb_begin(db), TLDB_OK);
	for (int i = 0; i < 2000; i++) {
		char uid[16], title[48];
		snprintf(uid, sizeof uid, "m%d", i);
		snprintf(title, sizeof title, "Event number %d", i);
		tldb_event ev;
		memset(&ev, 0, sizeof ev);
		ev.uid = uid;
		ev.title = title;
		ev.start = "2022-09-15";
		cr_assert_eq(tldb_put(db, &ev, NULL, NULL), TLDB_OK);
	}
	cr_assert_eq(tldb_commit(db), TLDB_OK);
	tldb_close(db);

	int64_t bytes_plain, bytes_mapped;
	cr_assert_eq(tldb_open(db_path, TLDB_OPEN_READONLY, &db), TLDB_OK);
	cr_expect_eq(read_all(db, &bytes_plain), 2000);
	cr_expect_not(mapped(db_path), "mapped without TLDB_OPEN_MMAP");
	tldb_close(db);

	cr_assert_eq(
	        tldb_open(db_path, TLDB_OPEN_READONLY | TLDB_OPEN_MMAP, &db),
	        TLDB_OK);
	cr_expect_eq(read_all(db, &bytes_mapped), 2000);
	cr_expect(mapped(db_path), "TLDB_OPEN_MMAP did not map the file");
	cr_expect_eq(bytes_mapped, bytes_plain);
	tldb_close(db);
	cr_expect_not(mapped(db_path), "still mapped after tldb_close");
}
