/*
 * check_child.c -- the child-process harness of `tldb plugins check`:
 * every step that runs plugin code runs in a forked child with an alarm,
 * which sends its verdict through a pipe (one byte, '0' pass or '1' fail,
 * then a message); the parent waits with a deadline, kills a child that
 * hangs, and turns a signal or an exit without a verdict into a failed
 * check with the reason.
 */
#define _XOPEN_SOURCE 700 /* strsignal */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check_internal.h"

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void child_main(check *c, child_fn fn, const void *arg, int fd)
{
	char msg[MSG_SIZE] = "";
	alarm(CHILD_SECONDS);
	int rc = fn(c, arg, msg, sizeof msg);
	char head = rc ? '1' : '0';
	write_all(fd, &head, 1);
	write_all(fd, msg, strlen(msg));
	_exit(0);
}

/* Reads the child's verdict until EOF or the deadline; 1 on timeout. */
static int read_verdict(int fd, char *buf, size_t size, size_t *len)
{
	time_t deadline = time(NULL) + CHILD_SECONDS + PARENT_GRACE;
	*len = 0;
	for (;;) {
		time_t left = deadline - time(NULL);
		if (left <= 0)
			return 1;
		struct pollfd p = {fd, POLLIN, 0};
		int r = poll(&p, 1, (int)left * 1000);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r == 0;
		ssize_t n = read(fd, buf + *len, size - 1 - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || (*len += (size_t)n) == size - 1)
			return 0;
	}
}

/* Turns the child's end into a verdict: 0 pass, 1 fail (reason in msg);
 * *how says whether the child ended by itself. */
static int child_result(int status, const char *buf, size_t len, check_end *how,
                        char *msg, size_t size)
{
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		*how = sig == SIGALRM ? CHECK_HUNG : CHECK_CRASHED;
		if (sig == SIGALRM)
			snprintf(msg, size, "hung (no result after %d s)",
			         CHILD_SECONDS);
		else
			snprintf(msg, size, "crashed with signal %d (%s)", sig,
			         strsignal(sig));
		return 1;
	}
	if (len == 0) {
		*how = CHECK_NO_RESULT;
		snprintf(msg, size,
		         "the process exited (status %d) without a "
		         "result: the plugin called exit(), or a "
		         "sanitizer stopped it (see stderr)",
		         WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return 1;
	}
	*how = CHECK_ENDED;
	snprintf(msg, size, "%.*s", (int)(len - 1), buf + 1);
	return buf[0] != '0';
}

/* Forks a child running fn(c, arg); its verdict comes through *rfd.
 * Returns the child's pid, or -1 with the reason in msg. */
static pid_t start_child(check *c, child_fn fn, const void *arg, int *rfd,
                         char *msg, size_t size)
{
	int fds[2];
	if (pipe(fds)) {
		snprintf(msg, size, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		child_main(c, fn, arg, fds[1]);
	}
	if (pid < 0) {
		snprintf(msg, size, "fork: %s", strerror(errno));
		close(fds[0]);
	}
	close(fds[1]);
	*rfd = fds[0];
	return pid;
}

int check_run_child(check *c, child_fn fn, const void *arg, check_end *how,
                    char *msg, size_t size)
{
	int fd;
	*how = CHECK_NO_RESULT;
	pid_t pid = start_child(c, fn, arg, &fd, msg, size);
	if (pid < 0)
		return 1;
	char buf[MSG_SIZE + 1];
	size_t len;
	int timed_out = read_verdict(fd, buf, sizeof buf, &len);
	close(fd);
	if (timed_out)
		kill(pid, SIGKILL);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!timed_out)
		return child_result(status, buf, len, how, msg, size);
	*how = CHECK_HUNG;
	snprintf(msg, size, "hung (killed after %d s)",
	         CHILD_SECONDS + PARENT_GRACE);
	return 1;
}

int check_in_child(check *c, child_fn fn, const void *arg, char *msg,
                   size_t size)
{
	check_end how;
	return check_run_child(c, fn, arg, &how, msg, size);
}
