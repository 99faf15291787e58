/*
 * cmd_import.c -- `tldb import`: inputs through importer plugins into the
 * store, each input whole or not at all (or, with --on-error skip, the good
 * records and a report of the bad ones).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static const char import_usage[] =
        "usage: tldb import [--plugin NAME] [--timeline NAME] [-o "
        "KEY=VALUE]...\n"
        "                   [--on-error abort|skip] FILE...|-\n"
        "\n"
        "Loads events through an importer plugin, chosen by --plugin, else by\n"
        "the file's extension, else by looking at its first bytes.  With\n"
        "--on-error abort (the default) any error leaves the database as it\n"
        "was; with skip the good records are stored and each bad one is\n"
        "reported.  Importing the same input again changes nothing.  -o "
        "passes\n"
        "options to the importer (tldb plugins info NAME lists them).\n";

typedef struct progress {
	int tty;
	double last, start;
	int shown;
} progress;

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_progress(void *ud, int64_t records, int64_t bytes, int64_t total)
{
	progress *pr = ud;
	double now = seconds();
	if (!pr->tty || now - pr->last < 0.2)
		return;
	pr->last = now;
	pr->shown = 1;
	double rate = now > pr->start ? (double)records / (now - pr->start) : 0;
	if (total > 0)
		fprintf(stderr, "\r%lld records, %.0f/s, %d%%   ",
		        (long long)records, rate, (int)(100 * bytes / total));
	else
		fprintf(stderr, "\r%lld records, %.0f/s   ", (long long)records,
		        rate);
}

static void clear_progress(progress *pr)
{
	if (pr->shown)
		fputs("\r\033[K", stderr);
	pr->shown = 0;
}

static void on_report(void *ud, const char *msg)
{
	clear_progress(ud);
	fprintf(stderr, "tldb: %s\n", msg);
}

typedef struct import_args {
	tldb_import_opts o;
	cli_list files, keys, values;
	progress pr;
	int help;
} import_args;

static int parse(import_args *ia, int argc, char **argv)
{
	static const cli_opt opts[] = {{"plugin", 'p', 1}, {"timeline", 'T', 1},
	                               {"option", 'o', 1}, {"on-error", 0, 1},
	                               {"help", 'h', 0},   {NULL, 0, 0}};
	cli_args a;
	cli_args_init(&a, "import", argc, argv);
	const char *v;
	int k, rc;
	while ((k = cli_next(&a, opts, &v)) != CLI_END) {
		switch (k) {
		case CLI_ERROR:
			return EXIT_USAGE;
		case 0:
			ia->o.plugin = v;
			break;
		case 1:
			ia->o.timeline = v;
			break;
		case 2:
			if ((rc = cli_add_option("import", v, &ia->keys,
			                         &ia->values)))
				return rc;
			break;
		case 3:
			if (strcmp(v, "abort") == 0)
				ia->o.on_error = TLDB_ON_ERROR_ABORT;
			else if (strcmp(v, "skip") == 0)
				ia->o.on_error = TLDB_ON_ERROR_SKIP;
			else
				return cli_usage_error("import",
				                       "--on-error: '%s' "
				                       "is not abort or skip",
				                       v);
			break;
		case 4:
			fputs(import_usage, stdout);
			ia->help = 1;
			return EXIT_OK;
		default:
			if (cli_list_add(&ia->files, v))
				return EXIT_FAIL;
		}
	}
	if (!ia->files.n)
		return cli_usage_error("import",
		                       "which files? give FILE... or -");
	if (ia->o.timeline && !tldb_timeline_name_valid(ia->o.timeline))
		return cli_usage_error("import", "bad timeline name '%s'",
		                       ia->o.timeline);
	return EXIT_OK;
}

static void summary(const char *name, const tldb_import_stats *st)
{
	fprintf(stderr, "tldb: %s: %lld events written, %lld unchanged", name,
	        (long long)(st->inserted + st->updated),
	        (long long)st->unchanged);
	if (st->removed)
		fprintf(stderr, ", %lld removed", (long long)st->removed);
	if (st->skipped)
		fprintf(stderr, ", %lld skipped", (long long)st->skipped);
	if (st->warnings)
		fprintf(stderr, ", %lld warnings", (long long)st->warnings);
	fputc('\n', stderr);
}

/* Imports each file in turn, stopping at the first that fails; *stored
 * says whether anything was committed. */
static int import_all(tldb *db, tldb_plugins *p, import_args *ia, int *stored)
{
	ia->pr = (progress){isatty(STDERR_FILENO), 0, seconds(), 0};
	ia->o.option_keys = ia->keys.items;
	ia->o.option_values = ia->values.items;
	ia->o.noptions = ia->keys.n;
	ia->o.report = on_report;
	ia->o.progress = on_progress;
	ia->o.ud = &ia->pr;
	*stored = 0;
	for (size_t i = 0; i < ia->files.n; i++) {
		const char *path = ia->files.items[i];
		tldb_import_stats st;
		tldb_msgbuf err;
		ia->o.path = path;
		ia->o.fd = STDIN_FILENO;
		ia->o.name = strcmp(path, "-") == 0 ? "<stdin>" : path;
		int rc = tldb_import(db, p, &ia->o, &st, &err);
		clear_progress(&ia->pr);
		if (!rc || ia->o.on_error == TLDB_ON_ERROR_SKIP)
			*stored = 1;
		if (rc) {
			if (st.skipped || st.inserted || st.updated)
				summary(ia->o.name, &st);
			cli_input_error(ia->o.name, &err);
			return EXIT_FAIL;
		}
		summary(ia->o.name, &st);
	}
	return EXIT_OK;
}

int cmd_import(const cli_ctx *ctx, int argc, char **argv)
{
	import_args ia;
	memset(&ia, 0, sizeof ia);
	int rc = parse(&ia, argc, argv);
	if (rc || ia.help)
		goto out;
	tldb_plugins *p = cli_plugins(ctx);
	if (!p) {
		rc = EXIT_FAIL;
		goto out;
	}
	tldb *db = cli_open(ctx, CLI_WRITE);
	if (!db) {
		rc = EXIT_FAIL;
		goto out;
	}
	int stored;
	rc = import_all(db, p, &ia, &stored);
	/* A failed import into a database it created leaves no file, unless
	 * an earlier file (or skip) stored something. */
	cli_close(ctx, db, rc != EXIT_OK && !stored);
out:
	for (size_t i = 0; i < ia.keys.n; i++)
		free((char *)ia.keys.items[i]);
	cli_list_release(&ia.files);
	cli_list_release(&ia.keys);
	cli_list_release(&ia.values);
	return rc;
}
