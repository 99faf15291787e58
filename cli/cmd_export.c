/*
 * cmd_export.c -- `tldb export`: a query's events through an exporter, to
 * stdout or to a file that appears whole or not at all (written to a
 * temporary file in the same folder, flushed to disk, then renamed).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char export_usage[] =
        "usage: tldb export [--format NAME] [RANGE...] [query filters...]\n"
        "                   [-o KEY=VALUE]... [--output FILE]\n"
        "\n"
        "Writes the events a query selects (the filters of tldb query) "
        "through\n"
        "an exporter: NAME is a plugin's name or extension (default json; see\n"
        "tldb plugins).  -o passes options to it.  With --output the file is\n"
        "replaced only when the export succeeded.\n";

/* Writes to FILE through a temporary file and a rename. */
static int export_file(const cli_ctx *ctx, tldb *db, query_args *qa)
{
	size_t n = strlen(qa->output);
	char *tmp = malloc(n + 16);
	if (!tmp) {
		cli_error("out of memory");
		return EXIT_FAIL;
	}
	snprintf(tmp, n + 16, "%s.tmp.XXXXXX", qa->output);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		cli_error("%s: cannot create: %s", tmp, strerror(errno));
		free(tmp);
		return EXIT_FAIL;
	}
	FILE *out = fdopen(fd, "wb");
	int rc = out ? cli_export_to(ctx, db, qa, out) : EXIT_FAIL;
	if (!rc && (fflush(out) || fsync(fileno(out)))) {
		cli_error("%s: %s", qa->output, strerror(errno));
		rc = EXIT_FAIL;
	}
	if (out ? fclose(out) : close(fd))
		rc = EXIT_FAIL;
	if (!rc && rename(tmp, qa->output)) {
		cli_error("%s: %s", qa->output, strerror(errno));
		rc = EXIT_FAIL;
	}
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}

int cmd_export(const cli_ctx *ctx, int argc, char **argv)
{
	query_args qa;
	int rc =
	        cli_query_args(ctx, "export", export_usage, 1, argc, argv, &qa);
	if (rc || qa.help)
		goto out;
	if (!qa.format)
		qa.format = "json";
	if ((rc = cli_need_exporter(ctx, "export", qa.format)))
		goto out;
	tldb *db = cli_open(ctx, CLI_READ);
	if (!db) {
		rc = EXIT_FAIL;
		goto out;
	}
	rc = qa.output ? export_file(ctx, db, &qa)
	               : cli_export_to(ctx, db, &qa, stdout);
	tldb_close(db);
out:
	cli_query_args_release(&qa);
	return rc;
}
