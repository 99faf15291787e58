/*
 * cmd_rm.c -- `tldb rm [TIMELINE/]UID...`: removes events, all or none.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char rm_usage[] =
        "usage: tldb rm [TIMELINE/]UID...\n"
        "\n"
        "Removes the events with their tags and sources, all or none.  A\n"
        "bare UID must be held by one timeline only.\n";

/* The events the references name, each once: "a" and "default/a" may
 * name one event. */
typedef struct found {
	tldb_event **evs;
	size_t n;
} found;

static int resolve(tldb *db, const char *ref, found *f)
{
	tldb_event *ev;
	int rc = tldb_get(db, ref, &ev);
	if (rc)
		return rc;
	for (size_t i = 0; i < f->n; i++) {
		if (!strcmp(f->evs[i]->uid, ev->uid) &&
		    !strcmp(f->evs[i]->timeline, ev->timeline)) {
			tldb_event_free(ev);
			return TLDB_OK;
		}
	}
	tldb_event **grown = realloc(f->evs, (f->n + 1) * sizeof *grown);
	if (!grown) {
		tldb_event_free(ev);
		return TLDB_ENOMEM;
	}
	f->evs = grown;
	f->evs[f->n++] = ev;
	return TLDB_OK;
}

static void found_release(found *f)
{
	for (size_t i = 0; i < f->n; i++)
		tldb_event_free(f->evs[i]);
	free(f->evs);
}

int cmd_rm(const cli_ctx *ctx, int argc, char **argv)
{
	enum { OPT_HELP, OPT_END };
	static const cli_opt opts[] = {
	        [OPT_HELP] = {"help", 'h', 0}, [OPT_END] = {NULL, 0, 0}};
	cli_args a;
	cli_args_init(&a, "rm", argc, argv);
	const char *v;
	cli_list uids = {0};
	int k;
	while ((k = cli_next(&a, opts, &v)) != CLI_END) {
		if (k == CLI_ERROR) {
			cli_list_release(&uids);
			return EXIT_USAGE;
		}
		if (k == OPT_HELP) {
			fputs(rm_usage, stdout);
			cli_list_release(&uids);
			return EXIT_OK;
		}
		int seen = 0;
		for (size_t i = 0; i < uids.n; i++)
			seen |= strcmp(uids.items[i], v) == 0;
		if (!seen && cli_list_add(&uids, v)) {
			cli_error("out of memory");
			cli_list_release(&uids);
			return EXIT_FAIL;
		}
	}
	if (!uids.n)
		return cli_usage_error("rm", "which events? give their UIDs");
	tldb *db = cli_open(ctx, CLI_WRITE_EXISTING);
	int rc = db ? tldb_begin(db) : TLDB_EIO;
	found f = {NULL, 0};
	for (size_t i = 0; !rc && i < uids.n; i++)
		rc = resolve(db, uids.items[i], &f);
	for (size_t i = 0; !rc && i < f.n; i++)
		rc = tldb_remove_in(db, f.evs[i]->timeline, f.evs[i]->uid);
	if (!rc)
		rc = tldb_commit(db);
	found_release(&f);
	if (rc && db) {
		cli_error("%s", rc == TLDB_ENOMEM ? "out of memory"
		                                  : tldb_errmsg(db));
		tldb_rollback(db);
	}
	tldb_close(db);
	cli_list_release(&uids);
	return rc ? EXIT_FAIL : EXIT_OK;
}
