/*
 * check.c -- `tldb plugins check FILE.so`: a conformance checker for
 * plugin authors.  This file holds the run (its temporary folder, the
 * order of the checks) and check 1, the loading.
 *
 * Every step that runs plugin code runs in a child process (fork) with an
 * alarm, so a crash or a hang is reported as a failed check naming the
 * signal instead of taking the checker down (check_child.c).  The checks:
 *   - the file loads into a fresh registry (the host's own validation);
 *   - its exported dynamic symbols are the entry point alone (libelf);
 *   - it needs neither libsqlite3 nor libtldb (DT_NEEDED) (check_elf.c);
 *   - the exporter writes an empty result and 10,000 generated events
 *     (check_export.c, the events from check_events.c);
 *   - the importer survives empty, truncated and random inputs: it must
 *     succeed or fail with a position, never crash, hang or fail blind;
 *   - events survive a round trip through exporter and importer
 *     (check_import.c).
 * With --corpus DIR only the loading check runs, then every file of DIR
 * goes through the importer (check_corpus.c).
 * Each check prints "ok    WHAT" or "FAIL  WHAT: REASON"; a check that
 * does not apply prints "skip  WHAT: REASON" and is not counted
 * (check_report.c).
 */
#define _XOPEN_SOURCE 700 /* nftw, realpath */

#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>

#include "check_internal.h"
#include "checker.h"

/* ---- 1. loading ---- */

static int child_load(check *c, const void *arg, char *msg, size_t size)
{
	(void)arg;
	tldb_plugins *p;
	tldb_msgbuf err;
	if (tldb_plugins_new(&p)) {
		snprintf(msg, size, "out of memory");
		return 1;
	}
	if (tldb_plugins_load(p, c->path, &err)) {
		snprintf(msg, size, "%s", err.msg);
		return 1;
	}
	return 0;
}

static const char *kinds(const tldb_plugin_info *info)
{
	return info->importer && info->exporter ? "import,export"
	       : info->importer                 ? "import"
	                                        : "export";
}

/* Loads in a child first, then (when that went well) here. */
static void check_load(check *c)
{
	char msg[MSG_SIZE];
	tldb_msgbuf err;
	if (check_in_child(c, child_load, NULL, msg, sizeof msg)) {
		check_fail(c, "loads", "%s", msg);
		return;
	}
	if (tldb_plugins_load(c->reg, c->path, &err)) {
		check_fail(c, "loads", "%s", err.msg);
		return;
	}
	c->info = tldb_plugins_at(c->reg, 0, NULL);
	snprintf(msg, sizeof msg, "loads: %s %s (plugin ABI %u.%u), %s",
	         c->info->name, c->info->version, c->info->abi_major,
	         c->info->abi_minor, kinds(c->info));
	check_pass(c, msg);
}

/* ---- the command ---- */

static int remove_one(const char *path, const struct stat *st, int flag,
                      struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void check_remove_tree(const char *dir)
{
	nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int make_dir(check *c)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(c->dir, sizeof c->dir, "%s/tldb-check-XXXXXX",
	         tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(c->dir))
		return 0;
	check_error("%s: %s", c->dir, strerror(errno));
	return 1;
}

static void run_plugin_checks(check *c)
{
	if (!c->info) {
		check_skip("importer and exporter checks",
		           "the plugin did not load");
		return;
	}
	if (c->info->exporter)
		check_exporter(c);
	else
		check_skip("exporter", "the plugin has none");
	if (c->info->importer)
		check_importer(c);
	else
		check_skip("importer", "the plugin has none");
	if (c->info->importer && c->info->exporter)
		check_round_trip(c);
}

/* The whole run; corpus NULL: the conformance checks, else --corpus. */
static int check_plugin(const char *path, const char *corpus)
{
	check c;
	memset(&c, 0, sizeof c);
	char real[4096];
	c.path = realpath(path, real) ? real : path;
	if (tldb_plugins_new(&c.reg)) {
		check_error("out of memory");
		return 1;
	}
	if (make_dir(&c)) {
		tldb_plugins_free(c.reg);
		return 1;
	}
	printf("checking %s\n", c.path);
	check_load(&c);
	if (corpus) {
		check_corpus(&c, corpus);
	} else {
		check_elf(&c);
		run_plugin_checks(&c);
	}
	check_remove_tree(c.dir);
	tldb_plugins_free(c.reg);
	printf("%d passed, %d failed\n", c.passed, c.failed);
	return c.failed ? 1 : 0;
}

int checker_run(const char *path, const char *corpus_dir)
{
	return check_plugin(path, corpus_dir);
}
