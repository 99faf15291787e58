/*
 * test_check.c -- end-to-end tests of `tldb plugins check FILE.so`: each
 * test spawns the real built binary (posix_spawn, stdout and stderr captured
 * through one pipe) and checks the exit status and the report: the bundled
 * json and jsonl plugins pass every check; a text file and libtldb.so (a
 * shared object that is no plugin) fail with FAIL lines.  With --corpus DIR
 * each file of DIR goes through the importer: the crash fixture's crash is
 * reported per file, the json plugin's imports and refusals pass.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

typedef struct run {
	int code; /* exit status, or -1 when killed by a signal */
	char *out;
	size_t len;
} run;

static void append(run *r, size_t *cap, const char *p, size_t n)
{
	if (r->len + n + 1 > *cap) {
		size_t c = *cap ? *cap : 4096;
		while (c < r->len + n + 1)
			c *= 2;
		char *b = realloc(r->out, c);
		cr_assert_not_null(b);
		r->out = b;
		*cap = c;
	}
	memcpy(r->out + r->len, p, n);
	r->len += n;
	r->out[r->len] = '\0';
}

/* Runs `tldb plugins check [file] [--corpus dir]`, stdin from /dev/null. */
static run check_with(const char *file, const char *corpus)
{
	char *argv[] = {(char *)TLDB_BIN,
	                "plugins",
	                "check",
	                (char *)file,
	                corpus ? "--corpus" : NULL,
	                (char *)corpus,
	                NULL};
	int fds[2];
	cr_assert_eq(pipe(fds), 0);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	posix_spawn_file_actions_addclose(&fa, fds[1]);
	pid_t pid;
	int rc = posix_spawn(&pid, TLDB_BIN, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	cr_assert_eq(rc, 0, "cannot spawn %s: %s", TLDB_BIN, strerror(rc));
	close(fds[1]);
	run r = {0, NULL, 0};
	size_t cap = 0;
	append(&r, &cap, "", 0);
	char buf[4096];
	ssize_t n;
	while ((n = read(fds[0], buf, sizeof buf)) != 0) {
		if (n < 0) {
			cr_assert_eq(errno, EINTR, "read: %s", strerror(errno));
			continue;
		}
		append(&r, &cap, buf, (size_t)n);
	}
	close(fds[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		cr_assert_eq(errno, EINTR);
	r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	return r;
}

static run check_file(const char *file)
{
	return check_with(file, NULL);
}

/* The counts of the report's last line "N passed, M failed". */
static void summary(const run *r, int *passed, int *failed)
{
	const char *end = r->out + r->len;
	while (end > r->out && end[-1] == '\n')
		end--;
	const char *line = end;
	while (line > r->out && line[-1] != '\n')
		line--;
	cr_assert_eq(sscanf(line, "%d passed, %d failed", passed, failed), 2,
	             "no summary line at the end of:\n%s", r->out);
}

static void expect_pass(const char *plugin)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/plugins/%s", TLDB_BUILD_DIR, plugin);
	run r = check_file(path);
	cr_assert_eq(r.code, 0, "exit %d for %s:\n%s", r.code, plugin, r.out);
	int passed, failed;
	summary(&r, &passed, &failed);
	cr_assert_eq(failed, 0, "%s:\n%s", plugin, r.out);
	cr_assert_gt(passed, 3, "%s:\n%s", plugin, r.out);
	cr_assert_null(strstr(r.out, "FAIL  "), "%s:\n%s", plugin, r.out);
	free(r.out);
}

static void expect_fail(const char *path)
{
	run r = check_file(path);
	cr_assert_eq(r.code, 1, "exit %d for %s:\n%s", r.code, path, r.out);
	cr_assert_not_null(strstr(r.out, "\nFAIL  "), "no FAIL line:\n%s",
	                   r.out);
	int passed, failed;
	summary(&r, &passed, &failed);
	cr_assert_gt(failed, 0, "%s", r.out);
	free(r.out);
}

Test(check, json_passes)
{
	expect_pass("json.so");
}

Test(check, jsonl_passes)
{
	run r = check_file(TLDB_BUILD_DIR "/plugins/jsonl.so");
	cr_assert_not_null(strstr(r.out, "skip  importer"), "%s", r.out);
	free(r.out);
	expect_pass("jsonl.so");
}

Test(check, json_report_names_the_plugin)
{
	run r = check_file(TLDB_BUILD_DIR "/plugins/json.so");
	cr_assert_not_null(strstr(r.out, "ok    loads: json "), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "import,export"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "ok    round trip"), "%s", r.out);
	free(r.out);
}

Test(check, text_file_fails)
{
	char dir[] = "/tmp/tldb-test-check-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof path, "%s/notaplugin.so", dir);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("this is not a shared object\n", f);
	fclose(f);
	expect_fail(path);
	unlink(path);
	rmdir(dir);
}

Test(check, libtldb_fails)
{
	run r = check_file(TLDB_BUILD_DIR "/libtldb.so");
	cr_assert_not_null(strstr(r.out, "FAIL  loads"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "FAIL  exports only"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "libsqlite3"), "%s", r.out);
	free(r.out);
	expect_fail(TLDB_BUILD_DIR "/libtldb.so");
}

Test(check, missing_file_fails)
{
	expect_fail("/nonexistent/tldb/plugin.so");
}

Test(check, usage_without_file)
{
	run r = check_file(NULL);
	cr_assert_eq(r.code, 2, "exit %d:\n%s", r.code, r.out);
	free(r.out);
}

/* A plugin that crashes in run is reported, not inherited: the checker runs
 * plugin code in child processes. */
Test(check, crash_in_run_is_reported)
{
	run r = check_file(TLDB_FIXTURE_DIR "/crash.so");
	cr_assert_eq(r.code, 1, "exit %d:\n%s", r.code, r.out);
	cr_assert_not_null(strstr(r.out, "ok    loads"), "%s", r.out);
	/* A plain build sees the signal; a sanitizer build may stop the child
	 * before the signal, which the checker reports as an exit without a
	 * result.  Either way the importer check fails and the checker lives.
	 */
	cr_assert(strstr(r.out, "FAIL  importer") != NULL, "%s", r.out);
	cr_assert(strstr(r.out, "crashed with signal") != NULL ||
	                  strstr(r.out, "without") != NULL,
	          "%s", r.out);
	int passed, failed;
	summary(&r, &passed, &failed);
	cr_assert_gt(failed, 0, "%s", r.out);
	free(r.out);
}

/* ---- --corpus DIR ---- */

static char corpus_dir[] = "/tmp/tldb-test-corpus-XXXXXX";

static void corpus_file(const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", corpus_dir, name);
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f, "cannot write %s", path);
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

static void corpus_setup(void)
{
	cr_assert_not_null(mkdtemp(corpus_dir));
}

static void corpus_teardown(void)
{
	const char *const names[] = {"good.json", "bad.json", "empty.json",
	                             ".hidden",   "a.crash",  "b.crash"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		char path[256];
		snprintf(path, sizeof path, "%s/%s", corpus_dir, names[i]);
		unlink(path);
	}
	rmdir(corpus_dir);
}

/* Every file through a good importer: imports and clean refusals pass,
 * each named with what happened; dot files are passed over. */
Test(check, corpus_good_plugin_passes, .init = corpus_setup,
     .fini = corpus_teardown)
{
	corpus_file("good.json", "[{\"title\": \"a\", \"start\": \"2022\"},"
	                         " {\"title\": \"b\", \"start\": \"2023\"}]");
	corpus_file("bad.json", "[{\"title\": \"a\",\n \"start\": 2022}]");
	corpus_file("empty.json", "");
	corpus_file(".hidden", "not json");
	run r = check_with(TLDB_BUILD_DIR "/plugins/json.so", corpus_dir);
	cr_assert_eq(r.code, 0, "exit %d:\n%s", r.code, r.out);
	cr_assert_not_null(strstr(r.out, "ok    input good.json: 2 events "
	                                 "imported\n"),
	                   "%s", r.out);
	cr_assert_not_null(strstr(r.out, "ok    input bad.json: refused: 2:"),
	                   "%s", r.out);
	cr_assert_not_null(strstr(r.out, "ok    input empty.json: "), "%s",
	                   r.out);
	cr_assert_null(strstr(r.out, ".hidden"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "corpus: 3 files: "), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "0 crashed, 0 hung\n"), "%s", r.out);
	/* The conformance checks do not run in this mode. */
	cr_assert_null(strstr(r.out, "round trip"), "%s", r.out);
	int passed, failed;
	summary(&r, &passed, &failed);
	cr_assert_eq(failed, 0, "%s", r.out);
	cr_assert_eq(passed, 4, "%s", r.out); /* loads, three inputs */
	free(r.out);
}

/* A crash is reported per file and the checker goes on to the next file;
 * the exit status says something crashed. */
Test(check, corpus_crash_is_reported, .init = corpus_setup,
     .fini = corpus_teardown)
{
	corpus_file("a.crash", "first");
	corpus_file("b.crash", "second");
	run r = check_with(TLDB_FIXTURE_DIR "/crash.so", corpus_dir);
	cr_assert_eq(r.code, 1, "exit %d:\n%s", r.code, r.out);
	cr_assert_not_null(strstr(r.out, "ok    loads"), "%s", r.out);
	/* A plain build sees the signal; under a sanitizer the child may
	 * exit without a result instead.  Both count as a crash. */
	cr_assert(
	        strstr(r.out, "FAIL  input a.crash: crashed with signal 11") ||
	                strstr(r.out, "FAIL  input a.crash: the process "
	                              "exited"),
	        "%s", r.out);
	cr_assert_not_null(strstr(r.out, "FAIL  input b.crash: "), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "corpus: 2 files: 0 imported, 0 "
	                                 "refused with an error, 2 crashed, 0 "
	                                 "hung"),
	                   "%s", r.out);
	int passed, failed;
	summary(&r, &passed, &failed);
	cr_assert_eq(failed, 2, "%s", r.out);
	free(r.out);
}

Test(check, corpus_without_importer_fails, .init = corpus_setup,
     .fini = corpus_teardown)
{
	corpus_file("good.json", "[]");
	run r = check_with(TLDB_BUILD_DIR "/plugins/jsonl.so", corpus_dir);
	cr_assert_eq(r.code, 1, "exit %d:\n%s", r.code, r.out);
	cr_assert_not_null(strstr(r.out, "FAIL  corpus: the plugin has no "
	                                 "importer"),
	                   "%s", r.out);
	free(r.out);
}

Test(check, corpus_missing_or_empty_folder_fails, .init = corpus_setup,
     .fini = corpus_teardown)
{
	run r = check_with(TLDB_BUILD_DIR "/plugins/json.so", corpus_dir);
	cr_assert_eq(r.code, 1, "exit %d:\n%s", r.code, r.out);
	cr_assert_not_null(strstr(r.out, "holds no files"), "%s", r.out);
	free(r.out);
	r = check_with(TLDB_BUILD_DIR "/plugins/json.so",
	               "/nonexistent/tldb/corpus");
	cr_assert_eq(r.code, 1, "exit %d:\n%s", r.code, r.out);
	cr_assert_not_null(strstr(r.out, "FAIL  corpus: /nonexistent/tldb/"
	                                 "corpus: No such file"),
	                   "%s", r.out);
	free(r.out);
}
