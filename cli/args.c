/*
 * args.c -- argument parsing and error printing shared by every command.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

void cli_args_init(cli_args *a, const char *cmd, int argc, char **argv)
{
	a->argc = argc;
	a->argv = argv;
	a->i = 0;
	a->only_operands = 0;
	a->cmd = cmd;
}

static int is_operand(const char *s)
{
	return s[0] != '-' || s[1] == '\0' || (s[1] >= '0' && s[1] <= '9');
}

static int find_long(const cli_opt *opts, const char *name, size_t len)
{
	for (int k = 0; opts[k].name; k++)
		if (strlen(opts[k].name) == len &&
		    strncmp(opts[k].name, name, len) == 0)
			return k;
	return -1;
}

static int take_value(cli_args *a, int k, const cli_opt *opts,
                      const char *inline_value, const char **value)
{
	if (!opts[k].has_arg) {
		if (inline_value) {
			cli_usage_error(a->cmd, "option --%s takes no value",
			                opts[k].name);
			return CLI_ERROR;
		}
		*value = NULL;
		return k;
	}
	if (inline_value) {
		*value = inline_value;
		return k;
	}
	if (a->i >= a->argc) {
		cli_usage_error(a->cmd, "option --%s needs a value",
		                opts[k].name);
		return CLI_ERROR;
	}
	*value = a->argv[a->i++];
	return k;
}

int cli_next(cli_args *a, const cli_opt *opts, const char **value)
{
	*value = NULL;
	if (a->i >= a->argc)
		return CLI_END;
	const char *arg = a->argv[a->i++];
	if (a->only_operands || is_operand(arg)) {
		*value = arg;
		return CLI_POSITIONAL;
	}
	if (strcmp(arg, "--") == 0) {
		a->only_operands = 1;
		return cli_next(a, opts, value);
	}
	if (arg[1] == '-') {
		const char *name = arg + 2;
		const char *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		int k = find_long(opts, name, len);
		if (k < 0) {
			cli_usage_error(a->cmd, "unknown option '--%.*s'",
			                (int)len, name);
			return CLI_ERROR;
		}
		return take_value(a, k, opts, eq ? eq + 1 : NULL, value);
	}
	for (int k = 0; opts[k].name; k++) {
		if (opts[k].short_name && opts[k].short_name == arg[1]) {
			const char *rest = arg[2] ? arg + 2 : NULL;
			return take_value(a, k, opts, rest, value);
		}
	}
	cli_usage_error(a->cmd, "unknown option '%s'", arg);
	return CLI_ERROR;
}

void cli_error(const char *fmt, ...)
{
	va_list ap;
	fputs("tldb: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fputs("tldb: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'tldb %s%s--help'.\n", cmd ? cmd : "",
	        cmd ? " " : "");
	return EXIT_USAGE;
}

/* Whether there was no database file when cli_open ran (one command per
 * process): only then may a failed command remove the file. */
static int created_by_us;

tldb *cli_open(const cli_ctx *ctx, int mode)
{
	tldb *db = NULL;
	created_by_us = mode == CLI_WRITE && access(ctx->db_path, F_OK) != 0;
	/* A command that only changes what exists must not leave a new,
	 * empty database behind when it fails. */
	if (mode == CLI_WRITE_EXISTING && access(ctx->db_path, F_OK) != 0) {
		cli_error("%s: no database here (add an event or import a "
		          "timeline first)",
		          ctx->db_path);
		return NULL;
	}
	/* The command reads once and exits: a memory map costs it nothing
	 * and saves a read call per page. */
	int flags = mode == CLI_READ    ? TLDB_OPEN_READONLY | TLDB_OPEN_MMAP
	            : mode == CLI_WRITE ? TLDB_OPEN_CREATE
	                                : 0;
	/* Only the default location's folder is made on first write: a
	 * folder missing from a path the user gave is a mistake to report. */
	if (mode == CLI_WRITE && ctx->db_is_default)
		flags |= TLDB_OPEN_MKDIR;
	int rc = tldb_open(ctx->db_path, flags, &db);
	if (rc) {
		cli_error("%s", tldb_errmsg(db));
		/* A file this command made but could not set up (a full
		 * disk) goes too. */
		cli_close(ctx, db, 1);
		return NULL;
	}
	if (ctx->now)
		tldb_set_now(db, ctx->now);
	return db;
}

int cli_parse_count(const char *cmd, const char *opt, const char *s,
                    int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < 0)
		return cli_usage_error(cmd, "--%s: '%s' is not a count", opt,
		                       s);
	*out = v;
	return EXIT_OK;
}

int cli_list_add(cli_list *l, const char *s)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		const char **p = realloc(l->items, cap * sizeof *p);
		if (!p)
			return -1;
		l->items = p;
		l->cap = cap;
	}
	l->items[l->n++] = s;
	return 0;
}

void cli_list_release(cli_list *l)
{
	free(l->items);
	l->items = NULL;
	l->n = l->cap = 0;
}

void cli_format_when(const tldb_event *ev, char *buf, size_t size)
{
	if (ev->end && *ev->end)
		snprintf(buf, size, "%s/%s", ev->start, ev->end);
	else
		snprintf(buf, size, "%s", ev->start);
}

void cli_close(const cli_ctx *ctx, tldb *db, int failed)
{
	(void)ctx;
	/* A command that failed on a database it created leaves no file, as
	 * if it had never run -- unless another process has used the file
	 * meanwhile, which the library decides from the database itself. */
	if (failed && created_by_us)
		tldb_close_discard(db);
	else
		tldb_close(db);
	created_by_us = 0;
}
