/*
 * main.c -- `tldb`: global options and dispatch to a command.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
        "usage: tldb [--db PATH] [--plugin-dir DIR] COMMAND [ARGS...]\n"
        "\n"
        "A timeline and event database.\n"
        "\n"
        "Commands:\n"
        "  add        add an event (prints its uid)\n"
        "  query      list events by date range, timeline, tag or text\n"
        "  show       show one event with its sources\n"
        "  edit       change fields of an event\n"
        "  rm         remove events\n"
        "  timeline   list, create, rename or remove timelines\n"
        "  import     load events through an importer plugin\n"
        "  export     write events through an exporter plugin\n"
        "  plugins    list, describe or check plugins\n"
        "  stats      counts and bounds of the database\n"
        "  serve      serve timelines as calendar feeds over HTTP\n"
        "\n"
        "Global options:\n"
        "  --db PATH          the database (else $TLDB_DB, else\n"
        "                     $XDG_DATA_HOME/tldb/tldb.db, else\n"
        "                     ~/.local/share/tldb/tldb.db)\n"
        "  --plugin-dir DIR   where to look for plugins first\n"
        "  --help, --version\n"
        "\n"
        "Run 'tldb COMMAND --help' for a command's options.\n";

typedef int (*command_fn)(const cli_ctx *, int, char **);

static const struct {
	const char *name;
	command_fn fn;
} commands[] = {
        {"add", cmd_add},       {"query", cmd_query},
        {"show", cmd_show},     {"edit", cmd_edit},
        {"rm", cmd_rm},         {"timeline", cmd_timeline},
        {"stats", cmd_stats},   {"import", cmd_import},
        {"export", cmd_export}, {"plugins", cmd_plugins},
        {"serve", cmd_serve},
};

/* $TLDB_NOW fixes the clock (tests, reproducible output): seconds since the
 * epoch or an RFC 3339 instant. */
static int read_now(cli_ctx *ctx)
{
	const char *s = getenv("TLDB_NOW");
	ctx->now = 0;
	if (!s || !*s)
		return 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (end != s && !*end) {
		ctx->now = v;
		return 0;
	}
	tldb_date d;
	tldb_errbuf err;
	if (tldb_date_parse(s, "UTC", &d, &err) || d.is_interval ||
	    d.precision < TLDB_PREC_MINUTE) {
		cli_error("TLDB_NOW: '%s' is not an instant", s);
		return -1;
	}
	ctx->now = d.lo;
	return 0;
}

int main(int argc, char **argv)
{
	cli_ctx ctx;
	memset(&ctx, 0, sizeof ctx);
	enum { OPT_DB, OPT_PLUGIN_DIR, OPT_HELP, OPT_VERSION, OPT_END };
	static const cli_opt opts[] = {[OPT_DB] = {"db", 0, 1},
	                               [OPT_PLUGIN_DIR] = {"plugin-dir", 0, 1},
	                               [OPT_HELP] = {"help", 'h', 0},
	                               [OPT_VERSION] = {"version", 0, 0},
	                               [OPT_END] = {NULL, 0, 0}};
	cli_args a;
	cli_args_init(&a, NULL, argc - 1, argv + 1);
	const char *value;
	int k;
	while ((k = cli_next(&a, opts, &value)) >= 0) {
		switch (k) {
		case OPT_DB:
			ctx.db_path = value;
			break;
		case OPT_PLUGIN_DIR:
			ctx.plugin_dir = value;
			break;
		case OPT_HELP:
			fputs(usage, stdout);
			return EXIT_OK;
		case OPT_VERSION:
			printf("tldb %s (schema %d)\n", TLDB_VERSION_STRING,
			       tldb_schema_version());
			return EXIT_OK;
		}
	}
	if (k == CLI_ERROR)
		return EXIT_USAGE;
	if (k == CLI_END) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (read_now(&ctx))
		return EXIT_USAGE;
	ctx.now_fixed = ctx.now != 0;
	if (!ctx.now)
		ctx.now = tldb_now();
	ctx.zone = tldb_zone_local();
	cli_catch_plugin_crashes();
	if (!ctx.db_path) {
		if (tldb_default_path(ctx.default_path,
		                      sizeof ctx.default_path)) {
			cli_error("no database: give --db PATH or set TLDB_DB "
			          "(HOME is not set)");
			return EXIT_FAIL;
		}
		ctx.db_path = ctx.default_path;
		const char *env = getenv("TLDB_DB");
		ctx.db_is_default = !env || !*env;
	}
	/* value is the command; the rest are its arguments. */
	int rest = a.i;
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		if (strcmp(value, commands[i].name) == 0)
			return commands[i].fn(&ctx, a.argc - rest,
			                      a.argv + rest);
	return cli_usage_error(NULL, "unknown command '%s'", value);
}
