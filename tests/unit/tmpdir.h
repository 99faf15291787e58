/*
 * tmpdir.h -- the fixture the store and query suites share: a temporary
 * folder per test, with `db_path` a database file inside it, removed with
 * everything in it after the test.
 */
#ifndef TLDB_TEST_TMPDIR_H
#define TLDB_TEST_TMPDIR_H

#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
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

/* Removes a database file with its -wal, -shm and -journal. */
static __attribute__((unused)) void remove_db(const char *path)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	char p[700];
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
		unlink(p);
	}
}

/* Copies a file byte for byte (asserting each step). */
static __attribute__((unused)) void copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY);
	cr_assert_geq(in, 0, "%s", from);
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert_geq(out, 0, "%s", to);
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof buf)) > 0)
		cr_assert_eq(write(out, buf, (size_t)n), n);
	close(in);
	close(out);
}

#endif /* TLDB_TEST_TMPDIR_H */
