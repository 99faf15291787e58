/*
 * cmd_timeline.c -- `tldb timeline list|create|rename|rm|share|unshare`.
 */
#include <string.h>

#include "tldb/plugin.h"

#include "cli.h"

static const char timeline_usage[] =
        "usage: tldb timeline list\n"
        "       tldb timeline create NAME [--title T] [--description D]\n"
        "       tldb timeline rename OLD NEW\n"
        "       tldb timeline rm NAME [--force]\n"
        "       tldb timeline share NAME [--base-url URL]\n"
        "       tldb timeline unshare NAME\n"
        "\n"
        "A name is [a-z0-9][a-z0-9._-]*.  rm refuses a timeline that holds\n"
        "events unless --force, which removes them too.\n"
        "\n"
        "share makes a timeline private: `tldb serve` answers its feeds only\n"
        "to URLs that carry its token (128 random bits), and leaves it out of\n"
        "its index.  share prints those URLs (--base-url as given to tldb\n"
        "serve, default http://127.0.0.1:8080); a private timeline keeps its\n"
        "token.  unshare revokes the token and makes the timeline public.\n";

#define DEFAULT_BASE_URL "http://127.0.0.1:8080"

/* Prints the feed URLs of a shared timeline, one per exporter. */
static void print_feeds(const cli_ctx *ctx, const char *base, const char *name,
                        const char *token)
{
	size_t n = strlen(base);
	while (n && base[n - 1] == '/')
		n--;
	tldb_plugins *p = cli_plugins(ctx);
	size_t count = p ? tldb_plugins_count(p) : 0;
	for (size_t i = 0; i < count; i++) {
		const tldb_plugin_info *info = tldb_plugins_at(p, i, NULL);
		if (!info->exporter || !info->exporter->extensions ||
		    !info->exporter->extensions[0])
			continue;
		const char *ext = info->exporter->extensions[0];
		printf("%.*s/t/%s.%s?token=%s\n", (int)n, base, name, ext,
		       token);
		if (strcmp(ext, "ics") == 0 && strncmp(base, "http", 4) == 0) {
			const char *rest = strstr(base, "://");
			if (rest)
				printf("webcal%.*s/t/%s.ics?token=%s\n",
				       (int)(n - (size_t)(rest - base)), rest,
				       name, token);
		}
	}
}

static int list(const cli_ctx *ctx)
{
	tldb *db = cli_open(ctx, CLI_READ);
	if (!db)
		return EXIT_FAIL;
	tldb_cursor *c;
	const tldb_timeline *tl;
	int rc = tldb_timeline_list(db, &c);
	while (!rc && (rc = tldb_cursor_next_timeline(c, &tl)) == TLDB_OK)
		printf("%-24s %8lld  %s\n", tl->name, (long long)tl->events,
		       tl->title ? tl->title : "");
	if (rc != TLDB_DONE)
		cli_error("%s", tldb_errmsg(db));
	tldb_cursor_free(c);
	tldb_close(db);
	return rc == TLDB_DONE ? EXIT_OK : EXIT_FAIL;
}

int cmd_timeline(const cli_ctx *ctx, int argc, char **argv)
{
	enum {
		OPT_TITLE,
		OPT_DESCRIPTION,
		OPT_FORCE,
		OPT_HELP,
		OPT_BASE_URL,
		OPT_END
	};
	static const cli_opt opts[] = {
	        [OPT_TITLE] = {"title", 't', 1},
	        [OPT_DESCRIPTION] = {"description", 'd', 1},
	        [OPT_FORCE] = {"force", 'f', 0},
	        [OPT_HELP] = {"help", 'h', 0},
	        [OPT_BASE_URL] = {"base-url", 0, 1},
	        [OPT_END] = {NULL, 0, 0}};
	const char *base_url = DEFAULT_BASE_URL;
	cli_args a;
	cli_args_init(&a, "timeline", argc, argv);
	const char *v, *words[4] = {0};
	size_t nwords = 0;
	tldb_timeline tl = {0};
	int force = 0, k;
	while ((k = cli_next(&a, opts, &v)) != CLI_END) {
		switch (k) {
		case CLI_ERROR:
			return EXIT_USAGE;
		case OPT_TITLE:
			tl.title = v;
			break;
		case OPT_DESCRIPTION:
			tl.description = v;
			break;
		case OPT_FORCE:
			force = 1;
			break;
		case OPT_HELP:
			fputs(timeline_usage, stdout);
			return EXIT_OK;
		case OPT_BASE_URL:
			base_url = v;
			break;
		default:
			if (nwords == 3)
				return cli_usage_error("timeline",
				                       "too many arguments");
			words[nwords++] = v;
		}
	}
	const char *sub = nwords ? words[0] : "list";
	size_t want = strcmp(sub, "list") == 0     ? 1
	              : strcmp(sub, "rename") == 0 ? 3
	              : strcmp(sub, "create") == 0 || strcmp(sub, "rm") == 0 ||
	                              strcmp(sub, "share") == 0 ||
	                              strcmp(sub, "unshare") == 0
	                      ? 2
	                      : 0;
	if (!want)
		return cli_usage_error("timeline", "unknown subcommand '%s'",
		                       sub);
	if (nwords && nwords != want)
		return cli_usage_error("timeline", "'%s' takes %zu argument%s",
		                       sub, want - 1, want == 2 ? "" : "s");
	if (want == 1)
		return list(ctx);
	tldb *db =
	        cli_open(ctx, strcmp(sub, "create") == 0 ? CLI_WRITE
	                                                 : CLI_WRITE_EXISTING);
	if (!db)
		return EXIT_FAIL;
	int rc;
	char token[TLDB_TOKEN_LEN + 1] = "";
	if (strcmp(sub, "share") == 0) {
		rc = tldb_timeline_share(db, words[1], token);
	} else if (strcmp(sub, "unshare") == 0) {
		rc = tldb_timeline_unshare(db, words[1]);
	} else if (strcmp(sub, "create") == 0) {
		tl.name = words[1];
		rc = tldb_timeline_create(db, &tl);
	} else if (strcmp(sub, "rename") == 0) {
		rc = tldb_timeline_rename(db, words[1], words[2]);
	} else {
		rc = tldb_timeline_remove(db, words[1], force);
	}
	if (rc)
		cli_error("%s", tldb_errmsg(db));
	if (rc == TLDB_EEXIST && strcmp(sub, "rm") == 0)
		fputs("tldb: remove them too with --force\n", stderr);
	cli_close(ctx, db, rc != 0);
	if (!rc && token[0])
		print_feeds(ctx, base_url, words[1], token);
	return rc ? EXIT_FAIL : EXIT_OK;
}
