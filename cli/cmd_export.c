/*
 * cmd_export.c -- `tldb export`: a query's events through an exporter, to
 * stdout or to a file that appears whole or not at all (written to a
 * temporary file in the same folder, flushed to disk, then renamed).  The
 * file gets the mode the umask gives a new file; a missing folder is an
 * error, never created.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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

/* The folder part of path ("." when it has none) into buf. */
static void folder_of(const char *path, char *buf, size_t size)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(buf, size, ".");
	else if (slash == path)
		snprintf(buf, size, "/");
	else
		snprintf(buf, size, "%.*s", (int)(slash - path), path);
}

/* Creates a new temporary file next to `final` (its name in tmp, of `size`
 * bytes), with the mode a file the command created directly would have:
 * 0666 less the umask (mkstemp's 0600 would keep a web server from
 * reading an exported page).  Returns the descriptor or -1 (errno set). */
static int create_temp(const char *final, char *tmp, size_t size)
{
	static unsigned counter;
	for (int tries = 0; tries < 100; tries++) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		unsigned long r = (unsigned long)ts.tv_nsec ^
		                  ((unsigned long)getpid() << 16) ^ counter++;
		snprintf(tmp, size, "%s.tmp.%06lx", final, r & 0xffffff);
		int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		              0666);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return -1;
}

/* Writes to FILE through a temporary file and a rename. */
static int export_file(const cli_ctx *ctx, tldb *db, query_args *qa)
{
	size_t n = strlen(qa->output) + 32;
	char *tmp = malloc(n);
	if (!tmp) {
		cli_error("out of memory");
		return EXIT_FAIL;
	}
	int fd = create_temp(qa->output, tmp, n);
	if (fd < 0) {
		char dir[4096];
		folder_of(qa->output, dir, sizeof dir);
		struct stat sb;
		if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
			cli_error("%s: cannot write: the folder %s does not "
			          "exist",
			          qa->output, dir);
		else
			cli_error("%s: cannot write: %s", qa->output,
			          strerror(errno));
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
