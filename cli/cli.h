/*
 * cli.h -- shared pieces of the `tldb` command: argument parsing, opening
 * the database, printing errors.  The command only parses and prints; all
 * work goes through libtldb.
 */
#ifndef TLDB_CLI_H
#define TLDB_CLI_H

#include <stdio.h>

#include "tldb/tldb.h"

/* Exit statuses of the contract. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* Global options, set before the command runs. */
typedef struct cli_ctx {
	const char *db_path; /* --db, else tldb_default_path */
	const char *plugin_dir;
	char default_path[4096];
	int64_t now;      /* $TLDB_NOW or the clock */
	const char *zone; /* the local zone for range words */
} cli_ctx;

/* One option a command takes.  has_arg: 0 flag, 1 takes a value. */
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
 * that cli_open created, removes the file again. */
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

/* Writes events as the contract's JSON (json_out.c). */
typedef struct json_writer json_writer;
json_writer *json_writer_new(FILE *out, int lines, const char *timeline);
int json_writer_event(json_writer *w, const tldb_event *ev);
int json_writer_finish(json_writer *w); /* frees w */
/* One event as an indented JSON object (tldb show --format json). */
int json_print_event(FILE *out, const tldb_event *ev);

/* Built-in importer of the native JSON document, bare arrays and JSON Lines
 * (import.c). */
int cli_import_json(tldb *db, const char *path, const char *timeline,
		    long *imported, long *unchanged);

/* The commands. */
int cmd_add(const cli_ctx *ctx, int argc, char **argv);
int cmd_query(const cli_ctx *ctx, int argc, char **argv);
int cmd_show(const cli_ctx *ctx, int argc, char **argv);
int cmd_edit(const cli_ctx *ctx, int argc, char **argv);
int cmd_rm(const cli_ctx *ctx, int argc, char **argv);
int cmd_timeline(const cli_ctx *ctx, int argc, char **argv);
int cmd_stats(const cli_ctx *ctx, int argc, char **argv);
int cmd_import(const cli_ctx *ctx, int argc, char **argv);

#endif /* TLDB_CLI_H */
