/*
 * query_args.c -- the query filters `tldb query` and `tldb export` share:
 * range words, --from/--to, --within, --timeline, --tag, --text,
 * --min-precision, --limit/--offset, --format, -o, and --output (export).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

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
	O_OPTION,
	O_OUTPUT,
	O_HELP,
	O_SENTINEL
};

static const cli_opt opts[] = {[O_FROM] = {"from", 0, 1},
                               [O_TO] = {"to", 0, 1},
                               [O_WITHIN] = {"within", 0, 0},
                               [O_TIMELINE] = {"timeline", 'T', 1},
                               [O_TAG] = {"tag", 0, 1},
                               [O_TEXT] = {"text", 0, 1},
                               [O_MINPREC] = {"min-precision", 0, 1},
                               [O_LIMIT] = {"limit", 'n', 1},
                               [O_OFFSET] = {"offset", 0, 1},
                               [O_FORMAT] = {"format", 'f', 1},
                               [O_OPTION] = {"option", 'o', 1},
                               [O_OUTPUT] = {"output", 0, 1},
                               [O_HELP] = {"help", 'h', 0},
                               [O_SENTINEL] = {NULL, 0, 0}};

static int take(query_args *qa, const char *cmd, const char *usage,
                int allow_output, int k, const char *v)
{
	switch (k) {
	case O_HELP:
		fputs(usage, stdout);
		qa->help = 1;
		return EXIT_OK;
	case CLI_POSITIONAL:
		return cli_list_add(&qa->words, v) ? EXIT_FAIL : 0;
	case O_FROM:
		qa->from = v;
		return EXIT_OK;
	case O_TO:
		qa->to = v;
		return EXIT_OK;
	case O_WITHIN:
		qa->q.within = 1;
		return EXIT_OK;
	case O_TIMELINE:
		return cli_list_add(&qa->timelines, v) ? EXIT_FAIL : 0;
	case O_TAG:
		return cli_list_add(&qa->tags, v) ? EXIT_FAIL : 0;
	case O_TEXT:
		qa->q.text = v;
		return EXIT_OK;
	case O_MINPREC:
		qa->q.min_precision = tldb_precision_parse(v);
		return qa->q.min_precision
		               ? EXIT_OK
		               : cli_usage_error(
		                         cmd,
		                         "--min-precision: '%s' is not one "
		                         "of year, month, day, minute, "
		                         "second",
		                         v);
	case O_LIMIT:
		return cli_parse_count(cmd, "limit", v, &qa->q.limit);
	case O_OFFSET:
		return cli_parse_count(cmd, "offset", v, &qa->q.offset);
	case O_FORMAT:
		qa->format = v;
		return EXIT_OK;
	case O_OPTION:
		return cli_add_option(cmd, v, &qa->keys, &qa->values);
	case O_OUTPUT:
		if (!allow_output)
			return cli_usage_error(cmd,
			                       "unknown option '--output'");
		qa->output = v;
		return EXIT_OK;
	}
	return EXIT_USAGE;
}

/* Resolves the range words and --from/--to into q.lo/q.hi. */
static int resolve_range(const cli_ctx *ctx, const char *cmd, query_args *qa)
{
	tldb_errbuf err = {{0}, 0};
	int64_t lo, hi;
	if (qa->words.n > 2)
		return cli_usage_error(cmd,
		                       "at most two range words (START and "
		                       "END or a length)");
	if (tldb_range_parse(qa->words.items, qa->words.n, ctx->now, ctx->zone,
	                     &qa->q.lo, &qa->q.hi, &err))
		return cli_usage_error(cmd, "%s", err.msg);
	if (qa->from) {
		if (tldb_range_word(qa->from, ctx->now, ctx->zone, &lo, &hi,
		                    &err))
			return cli_usage_error(cmd, "--from: %s", err.msg);
		qa->q.lo = lo;
	}
	if (qa->to) {
		if (tldb_range_word(qa->to, ctx->now, ctx->zone, &lo, &hi,
		                    &err))
			return cli_usage_error(cmd, "--to: %s", err.msg);
		qa->q.hi = hi;
	}
	if (qa->q.hi <= qa->q.lo)
		return cli_usage_error(cmd, "the range ends before it starts");
	return EXIT_OK;
}

int cli_query_args(const cli_ctx *ctx, const char *cmd, const char *usage,
                   int allow_output, int argc, char **argv, query_args *qa)
{
	memset(qa, 0, sizeof *qa);
	tldb_query_init(&qa->q);
	cli_args a;
	cli_args_init(&a, cmd, argc, argv);
	const char *v;
	int k, rc;
	while ((k = cli_next(&a, opts, &v)) != CLI_END) {
		if (k == CLI_ERROR)
			return EXIT_USAGE;
		if ((rc = take(qa, cmd, usage, allow_output, k, v)))
			return rc;
		if (qa->help)
			return EXIT_OK;
	}
	if ((rc = resolve_range(ctx, cmd, qa)))
		return rc;
	qa->q.timelines = qa->timelines.items;
	qa->q.ntimelines = qa->timelines.n;
	qa->q.tags = qa->tags.items;
	qa->q.ntags = qa->tags.n;
	return EXIT_OK;
}

void cli_query_args_release(query_args *qa)
{
	for (size_t i = 0; i < qa->keys.n; i++)
		free((char *)qa->keys.items[i]);
	cli_list_release(&qa->words);
	cli_list_release(&qa->timelines);
	cli_list_release(&qa->tags);
	cli_list_release(&qa->keys);
	cli_list_release(&qa->values);
}
