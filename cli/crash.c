/*
 * crash.c -- naming the plugin that crashed.
 *
 * Plugins run in the command's process, so a plugin that dereferences NULL
 * takes the command down with it.  The command cannot go on after that
 * (the plugin may have broken anything in the process), but it can say
 * which plugin it was: a handler of the fatal signals asks libtldb which
 * plugin call the crashing thread was in (tldb_plugins_current_call, which
 * is async-signal-safe), writes
 *
 *     tldb: error: plugin NAME (PATH) crashed (signal N) while importing FILE
 *
 * with write(2) alone, and exits with status 1 through _exit, never
 * running atexit handlers or SQLite's code.  The database stays as it was:
 * the import's transaction never committed, and SQLite ignores what an
 * uncommitted transaction left in the WAL.  A crash outside any plugin
 * call is tldb's own and keeps the default action (a core dump).
 *
 * Running each plugin in a child process would survive the crash too, but
 * would cost a copy of every event across a pipe for a failure that needs
 * only a clear message and an intact database.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

static void put(const char *s)
{
	size_t n = strlen(s);
	while (n > 0) {
		ssize_t w = write(STDERR_FILENO, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void on_fatal(int sig)
{
	tldb_plugin_call c;
	if (!tldb_plugins_current_call(&c)) {
		/* Not a plugin's: the default action, as if never caught. */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	char num[16];
	size_t k = sizeof num;
	num[--k] = '\0';
	unsigned v = (unsigned)sig;
	do
		num[--k] = (char)('0' + v % 10);
	while ((v /= 10) && k > 0);
	put("tldb: error: plugin ");
	put(c.name ? c.name : "?");
	put(" (");
	put(c.path);
	put(") crashed (signal ");
	put(num + k);
	put(") while ");
	put(c.doing ? c.doing : "running");
	if (c.input) {
		put(" ");
		put(c.input);
	}
	put("\n");
	_exit(EXIT_FAIL);
}

void cli_catch_plugin_crashes(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fatal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < sizeof fatal_signals / sizeof *fatal_signals;
	     i++)
		sigaction(fatal_signals[i], &sa, NULL);
}
