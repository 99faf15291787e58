/*
 * cmd_show.c -- `tldb show UID`: one event with all its fields and sources.
 */
#include <string.h>

#include "cli.h"

static const char show_usage[] =
        "usage: tldb show [TIMELINE/]UID [--format text|json]\n"
        "\n"
        "Shows one event with all its fields and sources.  A bare UID must\n"
        "be held by one timeline only.\n";

static void field(const char *name, const char *value)
{
	if (value && *value)
		printf("%-10s %s\n", name, value);
}

static void print_source(size_t i, const tldb_source *s)
{
	printf("  [%zu]", i + 1);
	if (s->title)
		printf(" %s", s->title);
	if (s->url)
		printf(" <%s>", s->url);
	if (s->plugin)
		printf(" (%s)", s->plugin);
	putchar('\n');
	if (s->quote)
		printf("      \"%s\"\n", s->quote);
	if (s->span[0] >= 0)
		printf("      bytes %lld..%lld\n", (long long)s->span[0],
		       (long long)s->span[1]);
	if (s->expr)
		printf("      expr: %s\n", s->expr);
	if (s->doc_date)
		printf("      doc date: %s\n", s->doc_date);
	if (s->resolver)
		printf("      resolver: %s\n", s->resolver);
}

static void print_event(const tldb_event *ev)
{
	char buf[64];
	field("uid", ev->uid);
	field("timeline", ev->timeline);
	field("title", ev->title);
	field("start", ev->start);
	field("end", ev->end);
	field("precision", tldb_precision_name(ev->precision));
	field("tz", ev->tz);
	field("location", ev->location);
	field("url", ev->url);
	if (ev->series) {
		field("series", ev->series);
		field("occurrence", ev->recurrence_id);
		if (ev->recur_flags & TLDB_RECUR_THISANDFUTURE)
			field("changes", "this and every later occurrence");
		if (ev->recur_flags & TLDB_RECUR_CANCELLED)
			field("status", "cancelled");
	}
	for (const char *r = ev->recur; r && *r;) {
		/* one line of the recurrence a row */
		size_t n = strcspn(r, "\n");
		printf("%-10s %.*s\n", r == ev->recur ? "recur" : "", (int)n,
		       r);
		r += n + (r[n] == '\n');
	}
	if (ev->ntags) {
		printf("%-10s", "tags");
		for (size_t i = 0; i < ev->ntags; i++)
			printf(" %s", ev->tags[i]);
		putchar('\n');
	}
	tldb_format_instant(ev->created, buf, sizeof buf);
	field("created", buf);
	tldb_format_instant(ev->updated, buf, sizeof buf);
	field("updated", buf);
	printf("%-10s %lld\n", "sequence", (long long)ev->sequence);
	if (ev->body && *ev->body)
		printf("\n%s\n", ev->body);
	if (ev->nsources) {
		printf("\nsources:\n");
		for (size_t i = 0; i < ev->nsources; i++)
			print_source(i, &ev->sources[i]);
	}
}

int cmd_show(const cli_ctx *ctx, int argc, char **argv)
{
	enum { OPT_FORMAT, OPT_HELP, OPT_END };
	static const cli_opt opts[] = {[OPT_FORMAT] = {"format", 'f', 1},
	                               [OPT_HELP] = {"help", 'h', 0},
	                               [OPT_END] = {NULL, 0, 0}};
	cli_args a;
	cli_args_init(&a, "show", argc, argv);
	const char *v, *uid = NULL, *format = "text";
	int k;
	while ((k = cli_next(&a, opts, &v)) != CLI_END) {
		if (k == CLI_ERROR)
			return EXIT_USAGE;
		if (k == OPT_HELP) {
			fputs(show_usage, stdout);
			return EXIT_OK;
		}
		if (k == OPT_FORMAT) {
			format = v;
		} else if (uid) {
			return cli_usage_error("show", "one UID at a time");
		} else {
			uid = v;
		}
	}
	if (!uid)
		return cli_usage_error("show", "which event? give its UID");
	if (strcmp(format, "text") && strcmp(format, "json"))
		return cli_usage_error(
		        "show", "--format: '%s' is not text or json", format);
	tldb *db = cli_open(ctx, CLI_READ);
	if (!db)
		return EXIT_FAIL;
	tldb_event *ev;
	int rc = tldb_get(db, uid, &ev);
	if (rc) {
		cli_error("%s", tldb_errmsg(db));
		rc = EXIT_FAIL;
	} else if (strcmp(format, "json") == 0) {
		/* The event alone, as the jsonl exporter writes it. */
		query_args qa;
		memset(&qa, 0, sizeof qa);
		tldb_query_init(&qa.q);
		const char *timelines[] = {ev->timeline};
		qa.q.uid = ev->uid;
		qa.q.timelines = timelines;
		qa.q.ntimelines = 1;
		qa.q.stored = 1; /* a series itself, not its occurrences */
		qa.format = "jsonl";
		rc = cli_export_to(ctx, db, &qa, stdout);
	} else {
		print_event(ev);
	}
	tldb_event_free(ev);
	tldb_close(db);
	return rc ? EXIT_FAIL : EXIT_OK;
}
