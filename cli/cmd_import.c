/*
 * cmd_import.c -- `tldb import`: inputs through importer plugins into the
 * store, all the inputs or none of them (or, with --on-error skip, the good
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
        "                   [--on-error abort|skip] [--sync] FILE...|-\n"
        "\n"
        "Loads events through an importer plugin, chosen by --plugin, else by\n"
        "the file's extension, else by looking at its first bytes.  With\n"
        "--on-error abort (the default) the files are stored all or none:\n"
        "any error leaves the database as it was.  With skip the good\n"
        "records of each file are stored and each bad one is reported.\n"
        "Importing the same input again changes nothing.  -o passes\n"
        "options to the importer (tldb plugins info NAME lists them).\n"
        "--sync mirrors the source: afterwards each timeline the files fill\n"
        "(--timeline, else the one they name) holds exactly their events;\n"
        "the others are removed and listed, all in the same transaction.\n";

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
	int help, sync;
} import_args;

static int parse(import_args *ia, int argc, char **argv)
{
	enum {
		OPT_PLUGIN,
		OPT_TIMELINE,
		OPT_OPTION,
		OPT_ON_ERROR,
		OPT_SYNC,
		OPT_HELP,
		OPT_END
	};
	static const cli_opt opts[] = {[OPT_PLUGIN] = {"plugin", 'p', 1},
	                               [OPT_TIMELINE] = {"timeline", 'T', 1},
	                               [OPT_OPTION] = {"option", 'o', 1},
	                               [OPT_ON_ERROR] = {"on-error", 0, 1},
	                               [OPT_SYNC] = {"sync", 0, 0},
	                               [OPT_HELP] = {"help", 'h', 0},
	                               [OPT_END] = {NULL, 0, 0}};
	cli_args a;
	cli_args_init(&a, "import", argc, argv);
	const char *v;
	int k, rc;
	while ((k = cli_next(&a, opts, &v)) != CLI_END) {
		switch (k) {
		case CLI_ERROR:
			return EXIT_USAGE;
		case OPT_PLUGIN:
			ia->o.plugin = v;
			break;
		case OPT_TIMELINE:
			ia->o.timeline = v;
			break;
		case OPT_OPTION:
			if ((rc = cli_add_option("import", v, &ia->keys,
			                         &ia->values)))
				return rc;
			break;
		case OPT_ON_ERROR:
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
		case OPT_SYNC:
			ia->sync = 1;
			break;
		case OPT_HELP:
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
	if (ia->sync && ia->o.on_error == TLDB_ON_ERROR_SKIP)
		return cli_usage_error(
		        "import", "--sync cannot skip records: a skipped "
		                  "one would read as gone from the source");
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

static void to_stream(void *ud, const char *msg)
{
	fprintf(ud, "tldb: %s\n", msg);
}

/* --sync: removes what the sources no longer hold, inside the import's
 * transaction.  The list of removals is kept in *listing (the caller
 * frees it) and printed once the transaction commits. */
static int apply_mirror(tldb *db, tldb_mirror *m, char **listing,
                        int64_t *removed)
{
	size_t len;
	FILE *f = open_memstream(listing, &len);
	if (!f) {
		cli_error("out of memory");
		return EXIT_FAIL;
	}
	int rc = tldb_mirror_apply(db, m, to_stream, f, removed);
	fclose(f);
	if (rc == TLDB_ENOTFOUND)
		cli_error("--sync: nothing says which timeline to mirror (the "
		          "input names none and holds no events); give "
		          "--timeline NAME");
	else if (rc)
		cli_error("%s", rc == TLDB_ENOMEM ? "out of memory"
		                                  : tldb_errmsg(db));
	return rc ? EXIT_FAIL : EXIT_OK;
}

/* Imports each file in turn, stopping at the first that fails.  With
 * abort (the default) all the files go in one transaction: a failed
 * command leaves the database as it was, whichever file failed, and the
 * per-file summaries are printed only once the whole import is committed.
 * With skip each file commits its good records (in batches), so its
 * summary is printed as it ends. */
static int import_all(tldb *db, tldb_plugins *p, import_args *ia)
{
	ia->pr = (progress){isatty(STDERR_FILENO), 0, seconds(), 0};
	ia->o.option_keys = ia->keys.items;
	ia->o.option_values = ia->values.items;
	ia->o.noptions = ia->keys.n;
	ia->o.report = on_report;
	ia->o.progress = on_progress;
	ia->o.ud = &ia->pr;
	int whole = ia->o.on_error != TLDB_ON_ERROR_SKIP;
	tldb_import_stats *stats = calloc(ia->files.n, sizeof *stats);
	if (!stats) {
		cli_error("out of memory");
		return EXIT_FAIL;
	}
	tldb_mirror *mirror = NULL;
	if (ia->sync && tldb_mirror_new(&mirror)) {
		cli_error("out of memory");
		free(stats);
		return EXIT_FAIL;
	}
	ia->o.mirror = mirror;
	if (whole && tldb_begin(db)) {
		cli_error("%s", tldb_errmsg(db));
		tldb_mirror_free(mirror);
		free(stats);
		return EXIT_FAIL;
	}
	int rc = EXIT_OK;
	for (size_t i = 0; i < ia->files.n && !rc; i++) {
		const char *path = ia->files.items[i];
		tldb_import_stats *st = &stats[i];
		tldb_msgbuf err;
		ia->o.path = path;
		ia->o.fd = STDIN_FILENO;
		ia->o.name = strcmp(path, "-") == 0 ? "<stdin>" : path;
		int irc = tldb_import(db, p, &ia->o, st, &err);
		clear_progress(&ia->pr);
		if (irc) {
			/* Skip: what this file committed before it failed. */
			if (!whole &&
			    (st->skipped || st->inserted || st->updated))
				summary(ia->o.name, st);
			cli_input_error(ia->o.name, &err);
			/* No importer, or several, for the input: the library
			 * says so before reading a record; the flag is ours. */
			if (!ia->o.plugin && !st->records && !err.line &&
			    (irc == TLDB_ENOTFOUND || irc == TLDB_EEXIST))
				fputs("tldb: choose an importer with --plugin "
				      "NAME "
				      "(see: tldb plugins)\n",
				      stderr);
			rc = EXIT_FAIL;
		} else if (!whole) {
			summary(ia->o.name, st);
		}
	}
	char *removals = NULL;
	int64_t removed = 0;
	if (mirror && !rc)
		rc = apply_mirror(db, mirror, &removals, &removed);
	if (whole && !rc && tldb_commit(db)) {
		cli_error("%s", tldb_errmsg(db));
		rc = EXIT_FAIL;
	}
	if (whole && rc) {
		tldb_rollback(db);
		if (ia->files.n > 1)
			fprintf(stderr, "tldb: nothing was written: the import "
			                "stores all its files or none\n");
	} else if (whole) {
		for (size_t i = 0; i < ia->files.n; i++)
			summary(strcmp(ia->files.items[i], "-") == 0
			                ? "<stdin>"
			                : ia->files.items[i],
			        &stats[i]);
		if (mirror) {
			fputs(removals ? removals : "", stderr);
			fprintf(stderr, "tldb: --sync: %lld %s removed\n",
			        (long long)removed,
			        removed == 1 ? "event" : "events");
		}
	}
	free(removals);
	tldb_mirror_free(mirror);
	free(stats);
	return rc;
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
	rc = import_all(db, p, &ia);
	cli_close(ctx, db, rc != EXIT_OK);
out:
	for (size_t i = 0; i < ia.keys.n; i++)
		free((char *)ia.keys.items[i]);
	cli_list_release(&ia.files);
	cli_list_release(&ia.keys);
	cli_list_release(&ia.values);
	return rc;
}
