/*
 * plugin_import.c -- the import pipeline: open the input, choose the
 * importer, check its options, run it, and store what it emits.
 *
 * Abort mode (the default) runs the whole input in one transaction, so any
 * error -- the plugin's or the store's -- leaves the database exactly as it
 * was.  Skip mode commits good records in batches and reports each bad one
 * with its position.  Either way every event goes through tldb_put, so
 * importing the same input again changes nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin_internal.h"

#define HEAD_BYTES     4096
#define DEFAULT_BATCH  10000
#define PROGRESS_EVERY 1000

typedef struct import_state {
	tldb *db;
	const tldb_import_opts *o;
	tldb_import_stats *st;
	char doc_timeline[TLDB_MAX_TIMELINE_NAME + 1];
	char made_timeline[TLDB_MAX_TIMELINE_NAME + 1]; /* last ensured */
	int64_t batch, in_batch;
	int64_t total_bytes;
} import_state;

static void copy_msg(tldb_msgbuf *err, const char *msg, int64_t line,
                     int64_t column)
{
	if (!err)
		return;
	snprintf(err->msg, sizeof err->msg, "%s", msg);
	err->line = line;
	err->column = column;
}

/* A record the store refused: reported and passed over, or the end. */
static int refuse(tldb_run *run, const char *msg)
{
	import_state *s = run->pipeline;
	if (s->o->on_error == TLDB_ON_ERROR_SKIP) {
		char text[1400];
		snprintf(text, sizeof text, "%s:%lld:%lld: %s (skipped)",
		         run->name, (long long)run->line,
		         (long long)run->column, msg);
		s->st->skipped++;
		if (run->report)
			run->report(run->ud, text);
		return 0;
	}
	tl_run_error(run, run->line, run->column, "%s", msg);
	run->stopping = 1;
	return -1;
}

static int next_batch(import_state *s)
{
	if (s->o->on_error != TLDB_ON_ERROR_SKIP || ++s->in_batch < s->batch)
		return TLDB_OK;
	s->in_batch = 0;
	int rc = tldb_commit(s->db);
	return rc ? rc : tldb_begin(s->db);
}

/* An input may name timelines of its own (an export of several timelines):
 * they are created as part of the import, so they go if it fails. */
static void ensure_timeline(import_state *s, const char *name)
{
	if (!name || !*name || strcmp(name, s->made_timeline) == 0 ||
	    !tldb_timeline_name_valid(name))
		return; /* a bad name is refused by the put, with its message */
	tldb_timeline t = {.name = name};
	int rc = tldb_timeline_create(s->db, &t);
	if (rc == TLDB_OK || rc == TLDB_EEXIST)
		snprintf(s->made_timeline, sizeof s->made_timeline, "%s", name);
}

static int on_event(tldb_run *run, const tldb_plugin_event *pev)
{
	import_state *s = run->pipeline;
	const char *tags[TLDB_MAX_TAGS];
	tldb_source srcs[TLDB_MAX_SOURCES];
	tldb_event ev;
	char msg[256];
	s->st->records++;
	if (tl_event_from_plugin(pev, run->plugin->info.abi_minor >= 1, &ev,
	                         tags, srcs, msg, sizeof msg))
		return refuse(run, msg);
	if (s->o->timeline)
		ev.timeline = s->o->timeline;
	else if ((!ev.timeline || !*ev.timeline) && s->doc_timeline[0])
		ev.timeline = s->doc_timeline;
	else
		ensure_timeline(s, ev.timeline);
	tldb_put_result res;
	if (tldb_put(s->db, &ev, NULL, &res))
		return refuse(run, tldb_errmsg(s->db));
	if (res == TLDB_PUT_INSERTED)
		s->st->inserted++;
	else if (res == TLDB_PUT_UPDATED)
		s->st->updated++;
	else
		s->st->unchanged++;
	if (next_batch(s)) {
		tl_run_error(run, 0, 0, "%s", tldb_errmsg(s->db));
		run->stopping = 1;
		return -1;
	}
	if (s->o->progress && s->st->records % PROGRESS_EVERY == 0)
		s->o->progress(s->o->ud, s->st->records, run->bytes,
		               s->total_bytes);
	return 0;
}

static int on_remove(tldb_run *run, const char *uid)
{
	import_state *s = run->pipeline;
	s->st->records++;
	int rc = tldb_remove(s->db, uid);
	if (rc == TLDB_ENOTFOUND)
		return 0;
	if (rc)
		return refuse(run, tldb_errmsg(s->db));
	s->st->removed++;
	if (next_batch(s)) {
		tl_run_error(run, 0, 0, "%s", tldb_errmsg(s->db));
		run->stopping = 1;
		return -1;
	}
	return 0;
}

static int on_timeline(tldb_run *run, const tldb_plugin_timeline *tl)
{
	import_state *s = run->pipeline;
	if (s->o->timeline)
		return 0; /* --timeline wins over the document's */
	if (!tldb_timeline_name_valid(tl->name)) {
		tl_run_error(run, run->line, run->column,
		             "bad timeline name '%s': a name is "
		             "[a-z0-9][a-z0-9._-]*",
		             tl->name ? tl->name : "");
		return -1;
	}
	tldb_timeline t = {.name = tl->name,
	                   .title = tl->title,
	                   .description = tl->description};
	if (tldb_timeline_put(s->db, &t)) {
		tl_run_error(run, run->line, run->column, "%s",
		             tldb_errmsg(s->db));
		return -1;
	}
	snprintf(s->doc_timeline, sizeof s->doc_timeline, "%s", tl->name);
	return 0;
}

/* Opens the input and reads its first bytes for the probes. */
static int open_input(tldb_run *run, const tldb_import_opts *o, int64_t *total,
                      tldb_msgbuf *err)
{
	int use_fd = !o->path || strcmp(o->path, "-") == 0;
	run->fd = use_fd ? o->fd : open(o->path, O_RDONLY | O_CLOEXEC);
	if (run->fd < 0) {
		snprintf(err->msg, sizeof err->msg, "cannot open: %s",
		         strerror(errno));
		return TLDB_EIO;
	}
	struct stat sb;
	*total = fstat(run->fd, &sb) == 0 && S_ISREG(sb.st_mode)
	                 ? (int64_t)sb.st_size
	                 : -1;
	if (!use_fd && S_ISDIR(sb.st_mode)) {
		snprintf(err->msg, sizeof err->msg, "is a folder");
		return TLDB_EIO;
	}
	run->head = malloc(HEAD_BYTES);
	if (!run->head)
		return TLDB_ENOMEM;
	while (run->head_len < HEAD_BYTES) {
		ssize_t n = read(run->fd, run->head + run->head_len,
		                 HEAD_BYTES - run->head_len);
		if (n == 0)
			break;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err->msg, sizeof err->msg, "read error: %s",
			         strerror(errno));
			return TLDB_EIO;
		}
		run->head_len += (size_t)n;
	}
	return TLDB_OK;
}

static int prepare(tldb *db, tldb_plugins *p, const tldb_import_opts *o,
                   tldb_run *run, int64_t *total, tldb_msgbuf *err)
{
	int rc = open_input(run, o, total, err);
	if (rc)
		return rc;
	const tldb_plugin_info *info;
	if ((rc = tldb_plugins_choose_importer(p, o->plugin, o->path, o->mime,
	                                       run->head, run->head_len, &info,
	                                       err)))
		return rc;
	run->plugin = tl_plugin_of(p, info);
	run->format = info->importer;
	if ((rc = tldb_plugins_check_options(info, info->importer,
	                                     o->option_keys, o->option_values,
	                                     o->noptions, err)))
		return rc;
	if (o->timeline && !tldb_timeline_name_valid(o->timeline)) {
		snprintf(err->msg, sizeof err->msg, "bad timeline name '%s'",
		         o->timeline);
		return TLDB_EINVAL;
	}
	if ((rc = tldb_begin(db))) {
		copy_msg(err, tldb_errmsg(db), 0, 0);
		return rc;
	}
	if (o->timeline) {
		tldb_timeline t = {.name = o->timeline};
		rc = tldb_timeline_create(db, &t);
		if (rc && rc != TLDB_EEXIST) {
			copy_msg(err, tldb_errmsg(db), 0, 0);
			tldb_rollback(db);
			return rc;
		}
	}
	return TLDB_OK;
}

TLDB_API int tldb_import(tldb *db, tldb_plugins *p, const tldb_import_opts *o,
                         tldb_import_stats *stats, tldb_msgbuf *err)
{
	tldb_msgbuf scratch;
	tldb_import_stats st_scratch;
	tldb_import_stats *st = stats ? stats : &st_scratch;
	err = err ? err : &scratch;
	memset(st, 0, sizeof *st);
	memset(err, 0, sizeof *err);
	tldb_run run;
	memset(&run, 0, sizeof run);
	run.kind = TL_RUN_IMPORT;
	run.fd = -1;
	run.name = o->name ? o->name : o->path ? o->path : "-";
	run.keys = o->option_keys;
	run.values = o->option_values;
	run.nopts = o->noptions;
	run.report = o->report;
	run.ud = o->ud;
	run.skip_errors = o->on_error == TLDB_ON_ERROR_SKIP;
	run.on_event = on_event;
	run.on_remove = on_remove;
	run.on_timeline = on_timeline;
	import_state s = {.db = db, .o = o, .st = st};
	s.batch = o->batch > 0 ? o->batch : DEFAULT_BATCH;
	run.pipeline = &s;
	int rc = prepare(db, p, o, &run, &s.total_bytes, err);
	if (!rc) {
		rc = tl_run_format(&run);
		st->bytes = run.bytes;
		st->warnings = run.warnings;
		st->skipped += run.skipped;
		if (rc)
			copy_msg(err, run.err.msg, run.err.line,
			         run.err.column);
		/* Abort: nothing of a failed input stays.  Skip: the good
		 * records stay even when the plugin could not go on. */
		if (rc && o->on_error != TLDB_ON_ERROR_SKIP) {
			tldb_rollback(db);
			st->inserted = st->updated = st->unchanged = 0;
		} else if (tldb_commit(db)) {
			copy_msg(err, tldb_errmsg(db), 0, 0);
			rc = TLDB_EIO;
		}
		if (o->progress)
			o->progress(o->ud, st->records, run.bytes,
			            s.total_bytes);
	}
	if (run.fd >= 0 && o->path && strcmp(o->path, "-") != 0)
		close(run.fd);
	free(run.head);
	return rc;
}
