/*
 * cmd_query.c -- `tldb query`: events by date range, as a table or JSON.
 */
#include <string.h>

#include "cli.h"

static const char query_usage[] =
	"usage: tldb query [RANGE...] [--from DATE] [--to DATE] [--within]\n"
	"                  [--timeline NAME]... [--tag TAG]... [--text WORDS]\n"
	"                  [--min-precision P] [--limit N] [--offset N]\n"
	"                  [--format table|json|jsonl]\n"
	"\n"
	"RANGE is a date (2022-09: all of September 2022), A..B or A/B (B\n"
	"inclusive at its precision), today, yesterday, tomorrow, now, or an\n"
	"offset from today (7d, -3d, 2w, 1m, 1y); 'today 7d' is the next seven\n"
	"days.  An event matches when its span overlaps the range; with\n"
	"--within, only when it lies wholly inside.  --tag repeats: all must\n"
	"match.  --text takes SQLite FTS5 syntax.  P is year, month, day,\n"
	"minute or second.\n";

enum {
	O_FROM,
	O_TO,
	O_WITHIN,
	O_TIMELINE,
	O_TAG,
	O_TEXT,
	O_MINPREC,
	O_LIMIT,
	O_OFFSET,
	O_FORMAT,
	O_HELP
};

static const cli_opt opts[] = {
	{"from", 0, 1},     {"to", 0, 1},      {"within", 0, 0},
	{"timeline", 'T', 1}, {"tag", 0, 1},   {"text", 0, 1},
	{"min-precision", 0, 1}, {"limit", 'n', 1}, {"offset", 0, 1},
	{"format", 'f', 1}, {"help", 'h', 0},  {NULL, 0, 0}};

typedef struct query_args {
	tldb_query q;
	cli_list words, timelines, tags;
	const char *from, *to, *format;
} query_args;

static int parse_args(query_args *qa, int argc, char **argv)
{
	cli_args a;
	cli_args_init(&a, "query", argc, argv);
	const char *v;
	int k;
	while ((k = cli_next(&a, opts, &v)) != CLI_END) {
		int bad = 0;
		switch (k) {
		case CLI_ERROR: return EXIT_USAGE;
		case O_HELP: fputs(query_usage, stdout); return -1;
		case CLI_POSITIONAL: bad = cli_list_add(&qa->words, v); break;
		case O_FROM: qa->from = v; break;
		case O_TO: qa->to = v; break;
		case O_WITHIN: qa->q.within = 1; break;
		case O_TIMELINE: bad = cli_list_add(&qa->timelines, v); break;
		case O_TAG: bad = cli_list_add(&qa->tags, v); break;
		case O_TEXT: qa->q.text = v; break;
		case O_MINPREC:
			qa->q.min_precision = tldb_precision_parse(v);
			if (!qa->q.min_precision)
				return cli_usage_error("query",
						       "--min-precision: '%s' is not "
						       "one of year, month, day, "
						       "minute, second",
						       v);
			break;
		case O_LIMIT:
			if (cli_parse_count("query", "limit", v, &qa->q.limit))
				return EXIT_USAGE;
			break;
		case O_OFFSET:
			if (cli_parse_count("query", "offset", v, &qa->q.offset))
				return EXIT_USAGE;
			break;
		case O_FORMAT: qa->format = v; break;
		}
		if (bad) {
			cli_error("out of memory");
			return EXIT_FAIL;
		}
	}
	return EXIT_OK;
}

/* Resolves the range words and --from/--to into q.lo/q.hi. */
static int resolve_range(const cli_ctx *ctx, query_args *qa)
{
	tldb_errbuf err = {{0}, 0};
	int64_t lo, hi;
	if (qa->words.n > 2)
		return cli_usage_error("query", "at most two range words "
						"(START and END or a length)");
	if (tldb_range_parse(qa->words.items, qa->words.n, ctx->now, ctx->zone,
			     &qa->q.lo, &qa->q.hi, &err)) {
		cli_error("%s", err.msg);
		return EXIT_USAGE;
	}
	if (qa->from) {
		if (tldb_range_word(qa->from, ctx->now, ctx->zone, &lo, &hi, &err)) {
			cli_error("--from: %s", err.msg);
			return EXIT_USAGE;
		}
		qa->q.lo = lo;
	}
	if (qa->to) {
		if (tldb_range_word(qa->to, ctx->now, ctx->zone, &lo, &hi, &err)) {
			cli_error("--to: %s", err.msg);
			return EXIT_USAGE;
		}
		qa->q.hi = hi;
	}
	if (qa->q.hi <= qa->q.lo) {
		cli_error("the range ends before it starts");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static void print_row(const tldb_event *ev)
{
	char when[2 * TLDB_DATE_STRMAX + 2];
	cli_format_when(ev, when, sizeof when);
	printf("%-22s  %s", when, ev->title);
	for (size_t i = 0; i < ev->ntags; i++)
		printf("%s#%s", i ? " " : "  ", ev->tags[i]);
	putchar('\n');
}

static int run_query(tldb *db, query_args *qa)
{
	int json = strcmp(qa->format, "json") == 0;
	int jsonl = strcmp(qa->format, "jsonl") == 0;
	qa->q.with_sources = json || jsonl;
	tldb_cursor *c;
	if (tldb_query_open(db, &qa->q, &c)) {
		cli_error("%s", tldb_errmsg(db));
		return EXIT_FAIL;
	}
	json_writer *w = NULL;
	if (json || jsonl)
		w = json_writer_new(stdout, jsonl,
				    qa->timelines.n == 1 ? qa->timelines.items[0]
							 : NULL);
	const tldb_event *ev;
	int rc;
	while ((rc = tldb_cursor_next(c, &ev)) == TLDB_OK) {
		if (w)
			json_writer_event(w, ev);
		else
			print_row(ev);
	}
	if (w && json_writer_finish(w) && rc == TLDB_DONE) {
		cli_error("writing the output failed");
		rc = TLDB_EIO;
	}
	if (rc != TLDB_DONE && rc != TLDB_EIO)
		cli_error("%s", tldb_errmsg(db));
	tldb_cursor_free(c);
	return rc == TLDB_DONE ? EXIT_OK : EXIT_FAIL;
}

int cmd_query(const cli_ctx *ctx, int argc, char **argv)
{
	query_args qa;
	memset(&qa, 0, sizeof qa);
	tldb_query_init(&qa.q);
	qa.format = "table";
	int rc = parse_args(&qa, argc, argv);
	if (rc == -1) {
		rc = EXIT_OK;
		goto out;
	}
	if (rc || (rc = resolve_range(ctx, &qa)))
		goto out;
	if (strcmp(qa.format, "table") && strcmp(qa.format, "json") &&
	    strcmp(qa.format, "jsonl")) {
		rc = cli_usage_error("query", "--format: '%s' is not one of "
					      "table, json, jsonl",
				     qa.format);
		goto out;
	}
	qa.q.timelines = qa.timelines.items;
	qa.q.ntimelines = qa.timelines.n;
	qa.q.tags = qa.tags.items;
	qa.q.ntags = qa.tags.n;
	tldb *db = cli_open(ctx, CLI_READ);
	if (!db) {
		rc = EXIT_FAIL;
		goto out;
	}
	rc = run_query(db, &qa);
	tldb_close(db);
out:
	cli_list_release(&qa.words);
	cli_list_release(&qa.timelines);
	cli_list_release(&qa.tags);
	return rc;
}
