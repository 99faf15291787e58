/*
 * test_progress.c -- `tldb import` shows a progress line on stderr when
 * stderr is a terminal (a real pseudo-terminal here, through forkpty) and
 * nothing of it when stderr is a pipe or a file.
 */
#define _DEFAULT_SOURCE /* forkpty, mkdtemp */

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[256];
static char input[300], db[300];

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/tldb-progress-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(input, sizeof input, "%s/events.jsonl", dir);
	snprintf(db, sizeof db, "%s/db.sqlite", dir);
	FILE *f = fopen(input, "w");
	cr_assert_not_null(f);
	for (int i = 0; i < 5000; i++)
		fprintf(f,
		        "{\"uid\": \"e%d\", \"title\": \"Event %d\", "
		        "\"start\": \"2022-%02d-%02d\"}\n",
		        i, i, 1 + i % 12, 1 + i % 28);
	fclose(f);
}

static void teardown(void)
{
	char path[400];
	const char *names[] = {"events.jsonl", "db.sqlite", "db.sqlite-wal",
	                       "db.sqlite-shm"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

TestSuite(progress, .init = setup, .fini = teardown, .timeout = 60);

static void exec_import(void)
{
	setenv("TZ", "UTC", 1);
	execl(TLDB_BIN, TLDB_BIN, "--db", db, "import", input, (char *)NULL);
	_exit(127);
}

/* Everything the child wrote to the terminal, and its exit status. */
static char *run_on_pty(int *status)
{
	int master;
	pid_t pid = forkpty(&master, NULL, NULL, NULL);
	cr_assert_geq(pid, 0, "forkpty: %s", strerror(errno));
	if (pid == 0)
		exec_import();
	size_t len = 0, cap = 1 << 16;
	char *out = malloc(cap);
	cr_assert_not_null(out);
	for (;;) {
		if (len + 4096 > cap) {
			cap *= 2;
			out = realloc(out, cap);
			cr_assert_not_null(out);
		}
		ssize_t n = read(master, out + len, 4096);
		if (n > 0)
			len += (size_t)n;
		else if (n < 0 && errno == EINTR)
			continue;
		else
			break; /* EIO once the child has closed the terminal */
	}
	out[len] = '\0';
	close(master);
	waitpid(pid, status, 0);
	return out;
}

static char *run_on_pipe(int *status)
{
	int p[2];
	cr_assert_eq(pipe(p), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		exec_import();
	}
	close(p[1]);
	size_t len = 0, cap = 1 << 16;
	char *out = malloc(cap);
	ssize_t n;
	while ((n = read(p[0], out + len, cap - len - 1)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(p[0]);
	waitpid(pid, status, 0);
	return out;
}

Test(progress, shown_on_a_terminal)
{
	int status;
	char *out = run_on_pty(&status);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s", out);
	cr_expect(strstr(out, " records, ") != NULL,
	          "no progress line on a terminal:\n%s", out);
	cr_expect(strstr(out, "/s") != NULL && strstr(out, "%") != NULL,
	          "the progress line gives a rate and a percentage:\n%s", out);
	cr_expect(strstr(out, "5000 events written") != NULL, "%s", out);
	free(out);
}

Test(progress, absent_when_not_a_terminal)
{
	int status;
	char *out = run_on_pipe(&status);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s", out);
	cr_expect(strstr(out, " records, ") == NULL,
	          "a progress line went to a pipe:\n%s", out);
	cr_expect(strchr(out, '\r') == NULL, "%s", out);
	cr_expect(strstr(out, "5000 events written") != NULL, "%s", out);
	free(out);
}
