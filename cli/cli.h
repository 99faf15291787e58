/*
 * cli.h -- shared pieces of the `tldb` command: argument parsing, opening
 * the database, printing errors.  The command only parses and prints; all
 * work goes through libtldb.
 */
#ifndef TLDB_CLI_H
#define TLDB_CLI_H

#include <stdio.h>

#include "tldb/plugins.h"
#include "tldb/tldb.h"

/* Exit statuses of the contract. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* Global options, set before the command runs. */
typedef struct cli_ctx {
	const char *db_path; /* --db, else tldb_default_path */
	int db_is_default;   /* db_path is $XDG_DATA_HOME's or ~'s, made on
	                        first write with its folder */
	const char *plugin_dir;
	char default_path[4096];
	int64_t now;      /* $TLDB_NOW or the clock */
	int now_fixed;    /* 1: now came from $TLDB_NOW */
	const char *zone; /* the local zone for range words */
} cli_ctx;

/* One option a command takes.  has_arg: 0 flag, 1 takes a value.  A
 * command's table is indexed by an enum of its own, with designated
 * initializers ending in a NULL sentinel:
 *
 *     enum { OPT_TITLE, OPT_HELP, OPT_END };
 *     static const cli_opt opts[] = {[OPT_TITLE] = {"title", 't', 1},
 *                                    [OPT_HELP] = {"help", 'h', 0},
 *                                    [OPT_END] = {NULL, 0, 0}};
 *
 * so cli_next's answer is bound to the option by name (case OPT_TITLE:),
 * never by its place in the list. */
typedef struct cli_opt {
	const char *name; /* long name without "--" */
	char short_name;  /* 0 when none */
	int has_arg;
} cli_opt;

/* Walks argv.  cli_next returns the index of the option found in opts (its
 * value in *value), CLI_POSITIONAL for an operand (in *value), CLI_END, or
 * CLI_ERROR after printing a usage error.  An operand may start with '-'
 * followed by a digit (`-3d`); "--" ends the options. */
typedef struct cli_args {
	int argc;
	char **argv;
	int i;
	int only_operands;
	const char *cmd;
} cli_args;

enum { CLI_POSITIONAL = -1, CLI_END = -2, CLI_ERROR = -3 };

void cli_args_init(cli_args *a, const char *cmd, int argc, char **argv);
int cli_next(cli_args *a, const cli_opt *opts, const char **value);

/* Prints "tldb: error: ..." to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints a usage error with a hint to run `tldb CMD --help`; returns
 * EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* How cli_open opens the database. */
enum {
	CLI_READ = 0,          /* read-only; the file must exist */
	CLI_WRITE = 1,         /* read-write; created when missing */
	CLI_WRITE_EXISTING = 2 /* read-write; the file must exist */
};

/* Opens the database (mode: CLI_READ, CLI_WRITE or CLI_WRITE_EXISTING);
 * prints the error and returns NULL on failure. */
tldb *cli_open(const cli_ctx *ctx, int mode);

/* Closes db (NULL is fine).  When the command failed on a database file
 * that did not exist before cli_open, removes it through
 * tldb_close_discard, which keeps it if another process has written to it
 * or holds it open. */
void cli_close(const cli_ctx *ctx, tldb *db, int failed);

/* Parses a non-negative integer option value; prints a usage error. */
int cli_parse_count(const char *cmd, const char *opt, const char *s,
                    int64_t *out);

/* Growable list of borrowed strings (for repeated options). */
typedef struct cli_list {
	const char **items;
	size_t n, cap;
} cli_list;
int cli_list_add(cli_list *l, const char *s);
void cli_list_release(cli_list *l);

/* Prints an event's date column: start, or start/end. */
void cli_format_when(const tldb_event *ev, char *buf, size_t size);

/* The plugin registry, loaded on first use from the search path:
 * --plugin-dir, the build tree's plugins (when run from the build tree),
 * $TLDB_PLUGIN_PATH, the install folder.  Refused plugins are reported as
 * warnings.  NULL (after an error message) when memory runs out. */
tldb_plugins *cli_plugins(const cli_ctx *ctx);

/* Splits "-o KEY=VALUE" into the lists; prints a usage error and returns
 * EXIT_USAGE when there is no '='. */
int cli_add_option(const char *cmd, const char *kv, cli_list *keys,
                   cli_list *values);

/* Prints a failure of an input: "tldb: error: NAME:LINE:COLUMN: msg". */
void cli_input_error(const char *name, const tldb_msgbuf *err);

/* Query filters shared by `query` and `export` (query_args.c). */
typedef struct query_args {
	tldb_query q;
	cli_list words, timelines, tags, keys, values;
	const char *from, *to, *format, *output;
	int help;
} query_args;

/* Parses query filters, -o and --format (and --output when allow_output),
 * resolving the range.  Returns EXIT_OK, EXIT_USAGE or EXIT_FAIL; sets
 * qa->help when --help was printed. */
int cli_query_args(const cli_ctx *ctx, const char *cmd, const char *usage,
                   int allow_output, int argc, char **argv, query_args *qa);
void cli_query_args_release(query_args *qa);

/* EXIT_OK when an exporter `format` is loaded, else a usage error. */
int cli_need_exporter(const cli_ctx *ctx, const char *cmd, const char *format);

/* Runs an export of qa's query to `out` (stdout or a file). */
int cli_export_to(const cli_ctx *ctx, tldb *db, query_args *qa, FILE *out);

/* Installs handlers of SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT that,
 * when the crash happened inside a plugin call, print which plugin crashed
 * and doing what, and exit with EXIT_FAIL (crash.c). */
void cli_catch_plugin_crashes(void);

/* The commands. */
int cmd_add(const cli_ctx *ctx, int argc, char **argv);
int cmd_query(const cli_ctx *ctx, int argc, char **argv);
int cmd_show(const cli_ctx *ctx, int argc, char **argv);
int cmd_edit(const cli_ctx *ctx, int argc, char **argv);
int cmd_rm(const cli_ctx *ctx, int argc, char **argv);
int cmd_timeline(const cli_ctx *ctx, int argc, char **argv);
int cmd_stats(const cli_ctx *ctx, int argc, char **argv);
int cmd_import(const cli_ctx *ctx, int argc, char **argv);
int cmd_export(const cli_ctx *ctx, int argc, char **argv);
int cmd_plugins(const cli_ctx *ctx, int argc, char **argv);
int cmd_serve(const cli_ctx *ctx, int argc, char **argv);

#endif /* TLDB_CLI_H */
