/*
 * tmpdir.h -- the fixture the store and query suites share: a temporary
 * folder per test, with `db_path` a database file inside it, removed with
 * everything in it after the test.
 */
#ifndef TLDB_TEST_TMPDIR_H
#define TLDB_TEST_TMPDIR_H

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp_dir[256];
static char db_path[512];

static void rm_rf(const char *path)
{
	struct stat sb;
	if (lstat(path, &sb) != 0)
		return;
	if (!S_ISDIR(sb.st_mode)) {
		unlink(path);
		return;
	}
	DIR *d = opendir(path);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d)) != NULL) {
			if (!strcmp(de->d_name, ".") ||
			    !strcmp(de->d_name, ".."))
				continue;
			char sub[1024];
			snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
			rm_rf(sub);
		}
		closedir(d);
	}
	rmdir(path);
}

/* Makes /tmp/tldb-test-NAME-XXXXXX and sets db_path inside it. */
static void tmpdir_setup(const char *name)
{
	snprintf(tmp_dir, sizeof tmp_dir, "/tmp/tldb-test-%s-XXXXXX", name);
	cr_assert_not_null(mkdtemp(tmp_dir), "mkdtemp failed");
	snprintf(db_path, sizeof db_path, "%s/tldb.db", tmp_dir);
}

static void teardown(void)
{
	if (tmp_dir[0])
		rm_rf(tmp_dir);
}

#endif /* TLDB_TEST_TMPDIR_H */
