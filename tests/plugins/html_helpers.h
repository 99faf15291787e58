/*
 * html_helpers.h -- shared helpers of the html exporter suites
 * (test_html.c, test_html_browser.c): running a command with a time limit
 * (the real tldb binary, headless Chromium), and exporting a timeline from
 * a database with the real binary.
 */
#ifndef TLDB_TEST_HTML_HELPERS_H
#define TLDB_TEST_HTML_HELPERS_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>

#include "plugins/helpers.h"

extern char **environ;

/* Runs argv (searched in PATH) with stdin from /dev/null, stdout into
 * out_path (NULL: /dev/null) and stderr into err_path (NULL: /dev/null),
 * in its own process group, killed after timeout_s seconds.  Returns the
 * exit status, or -1 when killed or not exited normally. */
HELPER int run_cmd(char *const argv[], const char *out_path,
                   const char *err_path, int timeout_s)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1,
	                                 out_path ? out_path : "/dev/null",
	                                 O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 2,
	                                 err_path ? err_path : "/dev/null",
	                                 O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawnattr_t at;
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&at, 0);
	pid_t pid;
	int rc = posix_spawnp(&pid, argv[0], &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	cr_assert_eq(rc, 0, "cannot run %s: %s", argv[0], strerror(rc));
	struct timespec nap = {0, 50 * 1000 * 1000};
	int status = 0;
	for (long waited = 0;; waited += 50) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		cr_assert(w == 0 || errno == EINTR, "waitpid: %s",
		          strerror(errno));
		if (waited > (long)timeout_s * 1000) {
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			cr_log_error("%s: killed after %d s", argv[0],
			             timeout_s);
			return -1;
		}
		nanosleep(&nap, NULL);
	}
	/* Chromium's helpers may outlive it for a moment; end the group. */
	kill(-pid, SIGKILL);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* `tldb --db DB ARGS...` (NULL-ended) with a time limit; its exit status.
 * stderr goes to err_path (NULL: /dev/null). */
HELPER int tldb_cmd(const char *db, const char *out, const char *err_path,
                    const char *const *args)
{
	char *argv[32];
	int n = 0;
	argv[n++] = (char *)TLDB_BIN;
	argv[n++] = "--db";
	argv[n++] = (char *)db;
	for (; args[n - 3] && n < 31; n++)
		argv[n] = (char *)args[n - 3];
	argv[n] = NULL;
	return run_cmd(argv, out, err_path, 120);
}

/* Exports timeline `name` (NULL: every event) of db as html to out with
 * -o options (NULL-ended "key=value" strings); asserts success. */
HELPER void export_html(const char *db, const char *name, const char *out,
                        const char *const *opts)
{
	const char *args[24] = {"export", "--format", "html", "--output", out};
	int n = 5;
	if (name) {
		args[n++] = "--timeline";
		args[n++] = name;
	}
	for (size_t i = 0; opts && opts[i] && n < 21; i++) {
		args[n++] = "-o";
		args[n++] = opts[i];
	}
	args[n] = NULL;
	const char *err = tmp_path("export.err");
	int rc = tldb_cmd(db, NULL, err, args);
	char *msg = slurp(err, NULL);
	cr_assert_eq(rc, 0, "tldb export failed (%d): %s", rc, msg);
	free(msg);
}

/* Counts the occurrences of needle in hay. */
HELPER size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0, len = strlen(needle);
	for (const char *p = hay; (p = strstr(p, needle)); p += len)
		n++;
	return n;
}

#endif /* TLDB_TEST_HTML_HELPERS_H */
