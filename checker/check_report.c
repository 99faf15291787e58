/*
 * check_report.c -- the report of `tldb plugins check`: one line per check
 * on stdout ("ok    WHAT", "FAIL  WHAT: REASON", "skip  WHAT: REASON")
 * with the counts kept in the check, and "tldb: error: ..." on stderr for
 * what keeps the checker from running.
 */
#include <stdarg.h>
#include <string.h>

#include "check_internal.h"

void check_pass(check *c, const char *what)
{
	printf("ok    %s\n", what);
	c->passed++;
}

void check_fail(check *c, const char *what, const char *fmt, ...)
{
	va_list ap;
	printf("FAIL  %s: ", what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	c->failed++;
}

void check_verdict(check *c, const char *what, int rc, const char *msg)
{
	if (rc)
		check_fail(c, what, "%s", msg);
	else
		check_pass(c, what);
}

void check_skip(const char *what, const char *why)
{
	printf("skip  %s: %s\n", what, why);
}

void check_appendf(char *msg, size_t size, const char *fmt, ...)
{
	size_t n = strlen(msg);
	if (n + 1 >= size)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg + n, size - n, fmt, ap);
	va_end(ap);
}

void check_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("tldb: error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}
