/*
 * cmd_stats.c -- `tldb stats`: counts and bounds of the database.
 */
#include "cli.h"

static const char stats_usage[] = "usage: tldb stats\n"
                                  "\n"
                                  "Counts and bounds of the database.\n";

static void print_bound(const char *name, int64_t t)
{
	char buf[64];
	tldb_format_instant(t, buf, sizeof buf);
	printf("%-16s %s\n", name, buf);
}

int cmd_stats(const cli_ctx *ctx, int argc, char **argv)
{
	enum { OPT_HELP, OPT_END };
	static const cli_opt opts[] = {
	        [OPT_HELP] = {"help", 'h', 0}, [OPT_END] = {NULL, 0, 0}};
	cli_args a;
	cli_args_init(&a, "stats", argc, argv);
	const char *v;
	int k;
	while ((k = cli_next(&a, opts, &v)) != CLI_END) {
		if (k == OPT_HELP) {
			fputs(stats_usage, stdout);
			return EXIT_OK;
		}
		return k == CLI_ERROR
		               ? EXIT_USAGE
		               : cli_usage_error("stats",
		                                 "unexpected argument '%s'", v);
	}
	tldb *db = cli_open(ctx, CLI_READ);
	if (!db)
		return EXIT_FAIL;
	tldb_stats s;
	int rc = tldb_stats_get(db, &s);
	if (rc) {
		cli_error("%s", tldb_errmsg(db));
	} else {
		printf("%-16s %s\n", "database", ctx->db_path);
		printf("%-16s %d\n", "schema", s.schema_version);
		printf("%-16s %lld\n", "bytes", (long long)s.file_bytes);
		printf("%-16s %lld\n", "timelines", (long long)s.timelines);
		printf("%-16s %lld\n", "events", (long long)s.events);
		for (int p = TLDB_PREC_YEAR; p <= TLDB_PREC_SECOND; p++)
			printf("  %-14s %lld\n",
			       tldb_precision_name((tldb_precision)p),
			       (long long)s.by_precision[p]);
		printf("%-16s %lld\n", "tags", (long long)s.tags);
		printf("%-16s %lld\n", "sources", (long long)s.sources);
		if (s.events) {
			print_bound("earliest", s.lo_min);
			print_bound("latest", s.hi_max);
		}
	}
	tldb_close(db);
	return rc ? EXIT_FAIL : EXIT_OK;
}
