/*
 * cmd_query.c -- `tldb query`: events by date range, as a table a person
 * reads, or in any exporter's format.
 */
#include <string.h>

#include "cli.h"

static const char query_usage[] =
        "usage: tldb query [RANGE...] [--from DATE] [--to DATE] [--within]\n"
        "                  [--timeline NAME]... [--tag TAG]... [--text WORDS]\n"
        "                  [--min-precision P] [--limit N] [--offset N]\n"
        "                  [--format table|FORMAT] [-o KEY=VALUE]...\n"
        "\n"
        "RANGE is a date (2022-09: all of September 2022), A..B or A/B (B\n"
        "inclusive at its precision), today, yesterday, tomorrow, now, or an\n"
        "offset from today (7d, -3d, 2w, 1m, 1y); 'today 7d' is the next "
        "seven\n"
        "days.  An event matches when its span overlaps the range; with\n"
        "--within, only when it lies wholly inside.  --tag repeats: all must\n"
        "match.  --text takes SQLite FTS5 syntax.  P is year, month, day,\n"
        "minute or second.  FORMAT is any exporter's name or extension (json,\n"
        "jsonl, ...: see tldb plugins); -o passes options to it.\n";

static void print_row(const tldb_event *ev)
{
	char when[2 * TLDB_DATE_STRMAX + 2];
	cli_format_when(ev, when, sizeof when);
	printf("%-22s  %s", when, ev->title);
	for (size_t i = 0; i < ev->ntags; i++)
		printf("%s#%s", i ? " " : "  ", ev->tags[i]);
	putchar('\n');
}

static int print_table(tldb *db, const tldb_query *q)
{
	tldb_cursor *c;
	if (tldb_query_open(db, q, &c)) {
		cli_error("%s", tldb_errmsg(db));
		return EXIT_FAIL;
	}
	const tldb_event *ev;
	int rc;
	while ((rc = tldb_cursor_next(c, &ev)) == TLDB_OK)
		print_row(ev);
	if (rc != TLDB_DONE)
		cli_error("%s", tldb_errmsg(db));
	else if (tldb_cursor_warning(c))
		fprintf(stderr, "tldb: warning: %s\n", tldb_cursor_warning(c));
	tldb_cursor_free(c);
	return rc == TLDB_DONE ? EXIT_OK : EXIT_FAIL;
}

int cmd_query(const cli_ctx *ctx, int argc, char **argv)
{
	query_args qa;
	int rc = cli_query_args(ctx, "query", query_usage, 0, argc, argv, &qa);
	if (rc || qa.help)
		goto out;
	int table = !qa.format || strcmp(qa.format, "table") == 0;
	if (table && qa.keys.n) {
		rc = cli_usage_error("query", "-o goes with --format FORMAT");
		goto out;
	}
	if (!table && (rc = cli_need_exporter(ctx, "query", qa.format)))
		goto out;
	tldb *db = cli_open(ctx, CLI_READ);
	if (!db) {
		rc = EXIT_FAIL;
		goto out;
	}
	rc = table ? print_table(db, &qa.q)
	           : cli_export_to(ctx, db, &qa, stdout);
	tldb_close(db);
out:
	cli_query_args_release(&qa);
	return rc;
}
