/*
 * cmd_add_edit.c -- `tldb add` and `tldb edit`: write one event from options.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char add_usage[] =
        "usage: tldb add --title T --start DATE [--end DATE] [--timeline "
        "NAME]\n"
        "                [--tag TAG]... [--location L] [--url U] [--body "
        "TEXT]\n"
        "                [--tz ZONE] [--uid UID]\n"
        "\n"
        "Adds an event and prints its uid.  DATE is an EDTF date: 2022, "
        "2022-02,\n"
        "2022-09-15, 2022-09-15T10:00Z, 2022-02~, 2022-02/2022-09 ...  The end "
        "is\n"
        "inclusive at its precision; a timed end is the instant the event "
        "ends.\n"
        "Without --uid the uid is derived from timeline, start and title, so\n"
        "adding the same event twice updates it.\n";

static const char edit_usage[] =
        "usage: tldb edit [TIMELINE/]UID [--title T] [--start DATE] [--end "
        "DATE]\n"
        "                 [--timeline NAME] [--tag +TAG|-TAG|TAG]...\n"
        "                 [--location L] [--url U] [--body TEXT] [--tz ZONE]\n"
        "\n"
        "Changes the given fields of an event.  An empty value clears an\n"
        "optional field (--end '').  --tag +T adds a tag, --tag -T removes "
        "one.\n"
        "A bare UID must be held by one timeline only; --timeline moves the\n"
        "event to another timeline, which must not hold its uid already.\n";

enum {
	O_TITLE,
	O_START,
	O_END,
	O_TIMELINE,
	O_TAG,
	O_LOCATION,
	O_URL,
	O_BODY,
	O_TZ,
	O_UID,
	O_HELP,
	O_SENTINEL
};

static const cli_opt event_opts[] = {
        [O_TITLE] = {"title", 't', 1}, [O_START] = {"start", 's', 1},
        [O_END] = {"end", 'e', 1},     [O_TIMELINE] = {"timeline", 'T', 1},
        [O_TAG] = {"tag", 0, 1},       [O_LOCATION] = {"location", 'l', 1},
        [O_URL] = {"url", 0, 1},       [O_BODY] = {"body", 'b', 1},
        [O_TZ] = {"tz", 0, 1},         [O_UID] = {"uid", 0, 1},
        [O_HELP] = {"help", 'h', 0},   [O_SENTINEL] = {NULL, 0, 0}};

/* Applies one field option to ev; tags go through `tags`. */
static int apply(tldb_event *ev, int k, const char *v, cli_list *tags,
                 int editing)
{
	switch (k) {
	case O_TITLE:
		ev->title = v;
		break;
	case O_START:
		ev->start = v;
		break;
	case O_END:
		ev->end = v;
		break;
	case O_TIMELINE:
		ev->timeline = v;
		break;
	case O_LOCATION:
		ev->location = v;
		break;
	case O_URL:
		ev->url = v;
		break;
	case O_BODY:
		ev->body = v;
		break;
	case O_TZ:
		ev->tz = v;
		break;
	case O_TAG:
		if (editing && (v[0] == '+' || v[0] == '-')) {
			if (v[0] == '-') {
				size_t w = 0;
				for (size_t i = 0; i < tags->n; i++)
					if (strcmp(tags->items[i], v + 1) != 0)
						tags->items[w++] =
						        tags->items[i];
				tags->n = w;
				break;
			}
			v++;
		}
		for (size_t i = 0; i < tags->n; i++)
			if (strcmp(tags->items[i], v) == 0)
				return 0;
		return cli_list_add(tags, v);
	}
	return 0;
}

static int put(const cli_ctx *ctx, tldb_event *ev, int print_uid)
{
	/* Check the event first: a bad date must not create the database. */
	tldb_errbuf err = {{0}, 0};
	if (tldb_event_check(ev, &err)) {
		cli_error("%s", err.msg);
		return EXIT_FAIL;
	}
	tldb *db = cli_open(ctx, CLI_WRITE);
	if (!db)
		return EXIT_FAIL;
	char uid[TLDB_MAX_UID + 1];
	int rc = tldb_put(db, ev, uid, NULL);
	if (rc) {
		cli_error("%s", tldb_errmsg(db));
		/* The library speaks of its arguments; the hint is ours. */
		if (rc == TLDB_ENOTFOUND && ev->timeline && *ev->timeline)
			fprintf(stderr,
			        "tldb: create it with: tldb timeline create "
			        "%s\n",
			        ev->timeline);
	} else if (print_uid)
		printf("%s\n", uid);
	cli_close(ctx, db, rc != 0);
	return rc ? EXIT_FAIL : EXIT_OK;
}

int cmd_add(const cli_ctx *ctx, int argc, char **argv)
{
	tldb_event ev;
	memset(&ev, 0, sizeof ev);
	cli_list tags = {0};
	cli_args a;
	cli_args_init(&a, "add", argc, argv);
	const char *v;
	int k, rc = EXIT_OK;
	while ((k = cli_next(&a, event_opts, &v)) != CLI_END) {
		if (k == CLI_ERROR) {
			rc = EXIT_USAGE;
			goto out;
		}
		if (k == O_HELP) {
			fputs(add_usage, stdout);
			goto out;
		}
		if (k == CLI_POSITIONAL) {
			rc = cli_usage_error("add", "unexpected argument '%s'",
			                     v);
			goto out;
		}
		if (k == O_UID)
			ev.uid = v;
		else if (apply(&ev, k, v, &tags, 0)) {
			cli_error("out of memory");
			rc = EXIT_FAIL;
			goto out;
		}
	}
	if (!ev.title || !ev.start) {
		rc = cli_usage_error("add", "--title and --start are required");
		goto out;
	}
	ev.tags = tags.items;
	ev.ntags = tags.n;
	rc = put(ctx, &ev, 1);
out:
	cli_list_release(&tags);
	return rc;
}

/* 1 when a and b name the same timeline (NULL: the default one). */
static int same_timeline(const char *a, const char *b)
{
	return !strcmp(a && *a ? a : TLDB_DEFAULT_TIMELINE,
	               b && *b ? b : TLDB_DEFAULT_TIMELINE);
}

/* Writes the edited event; one that changes timeline moves, in one
 * transaction, unless the new timeline holds its uid already.  Errors are
 * printed; returns EXIT_OK or EXIT_FAIL. */
static int store_edit(tldb *db, const tldb_event *old, const tldb_event *ev)
{
	int rc;
	if (same_timeline(old->timeline, ev->timeline)) {
		rc = tldb_put(db, ev, NULL, NULL);
	} else {
		tldb_event *there = NULL;
		rc = tldb_get_in(db, ev->timeline, ev->uid, &there);
		tldb_event_free(there);
		if (rc == TLDB_OK) {
			cli_error("timeline '%s' already holds an event with "
			          "uid '%s'",
			          ev->timeline, ev->uid);
			return EXIT_FAIL;
		}
		if (rc == TLDB_ENOTFOUND && !(rc = tldb_begin(db)) &&
		    ((rc = tldb_put(db, ev, NULL, NULL)) ||
		     (rc = tldb_remove_in(db, old->timeline, old->uid)) ||
		     (rc = tldb_commit(db)))) {
			cli_error("%s", tldb_errmsg(db));
			tldb_rollback(db);
			return EXIT_FAIL;
		}
	}
	if (rc) {
		cli_error("%s", tldb_errmsg(db));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int cmd_edit(const cli_ctx *ctx, int argc, char **argv)
{
	cli_args a;
	cli_args_init(&a, "edit", argc, argv);
	const char *v, *uid = NULL;
	int k, rc = EXIT_OK;
	/* First pass: the uid and --help; options apply once it is loaded. */
	while ((k = cli_next(&a, event_opts, &v)) != CLI_END) {
		if (k == CLI_ERROR)
			return EXIT_USAGE;
		if (k == O_HELP) {
			fputs(edit_usage, stdout);
			return EXIT_OK;
		}
		if (k == O_UID)
			return cli_usage_error("edit", "the uid of an event "
			                               "cannot change");
		if (k == CLI_POSITIONAL) {
			if (uid)
				return cli_usage_error("edit",
				                       "one UID at a time");
			uid = v;
		}
	}
	if (!uid)
		return cli_usage_error("edit", "which event? give its UID");
	tldb *db = cli_open(ctx, CLI_WRITE_EXISTING);
	if (!db)
		return EXIT_FAIL;
	tldb_event *old = NULL;
	cli_list tags = {0};
	if (tldb_get(db, uid, &old)) {
		cli_error("%s", tldb_errmsg(db));
		tldb_close(db);
		return EXIT_FAIL;
	}
	tldb_event ev = *old;
	for (size_t i = 0; i < old->ntags; i++)
		if (cli_list_add(&tags, old->tags[i]))
			goto oom;
	cli_args_init(&a, "edit", argc, argv);
	while ((k = cli_next(&a, event_opts, &v)) != CLI_END)
		if (k >= 0 && apply(&ev, k, v, &tags, 1))
			goto oom;
	ev.tags = tags.items;
	ev.ntags = tags.n;
	rc = store_edit(db, old, &ev);
	goto out;
oom:
	cli_error("out of memory");
	rc = EXIT_FAIL;
out:
	cli_list_release(&tags);
	tldb_event_free(old);
	tldb_close(db);
	return rc;
}
