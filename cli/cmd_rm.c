/*
 * cmd_rm.c -- `tldb rm UID...`: removes events, all or none.
 */
#include <string.h>

#include "cli.h"

static const char rm_usage[] =
        "usage: tldb rm UID...\n"
        "\n"
        "Removes the events with their tags and sources, all or none.\n";

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
	for (size_t i = 0; !rc && i < uids.n; i++)
		rc = tldb_remove(db, uids.items[i]);
	if (!rc)
		rc = tldb_commit(db);
	if (rc && db) {
		cli_error("%s", tldb_errmsg(db));
		tldb_rollback(db);
	}
	tldb_close(db);
	cli_list_release(&uids);
	return rc ? EXIT_FAIL : EXIT_OK;
}
