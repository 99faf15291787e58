/*
 * plugin_import.c -- the import pipeline: open the input, choose the
 * importer, check its options, run it, and store what it emits.
 *
 * Two threads share the work.  The reader runs the plugin (open -> run ->
 * close) and checks each event it emits (tl_event_prepare: dates, limits,
 * UTF-8, the uid and content hash); the writer -- the calling thread --
 * stores them in input order through the queue of import_pipe.h.  Parsing
 * and storing so overlap, and the plugin still sees one thread.  Messages
 * for the report callback travel the same queue, so they come out in input
 * order, all on the calling thread.
 *
 * Abort mode (the default) runs the whole input in one transaction, so any
 * error -- the plugin's or the store's -- leaves the database exactly as it
 * was; the first error in input order is the one reported (the writer's,
 * when it refused a record the reader had passed).  Skip mode commits good
 * records in batches and reports each bad one with its position.  Inside a
 * transaction the caller opened (several inputs as one, as `tldb import
 * a b c` does) the import neither begins nor commits, and a failure marks
 * that transaction failed, so no part of a failed input can be committed.
 * Either way every event goes through the store's upsert, so importing the
 * same input again changes nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "import_mirror.h"
#include "import_pipe.h"
#include "plugin_internal.h"
#include "store.h"

#define HEAD_BYTES     4096
#define DEFAULT_BATCH  10000
#define PROGRESS_EVERY 1000

typedef struct import_state {
	tldb *db;
	const tldb_import_opts *o;
	tldb_import_stats *st;
	tl_pipe pipe;
	/* the reader's */
	char doc_timeline[TLDB_MAX_TIMELINE_NAME + 1];
	char named_timeline[TLDB_MAX_TIMELINE_NAME + 1]; /* last sent */
	int64_t records, skipped;
	/* the writer's */
	char made_timeline[TLDB_MAX_TIMELINE_NAME + 1]; /* last ensured */
	int64_t batch, in_batch, processed;
	int64_t total_bytes;
	int failed;       /* abort: the first error the writer met, in err */
	int store_failed; /* ... and it was the store's, with this code */
	int joined;       /* runs in the caller's transaction (tldb_begin) */
	/* skip: whether a transaction is open, and what the batches
	 * committed so far wrote (all that stays after a store failure) */
	int tx_open;
	tldb_import_stats committed;
	tldb_msgbuf err;
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

/* ---- the reader's side (the plugin's thread) ---- */

/* A new item with room for text_len bytes of text, at the run's position
 * in the input; NULL when out of memory (the run then stops). */
static tl_item *new_item(tldb_run *run, tl_item_kind kind, size_t text_len)
{
	tl_item *it = tl_item_new(kind, text_len);
	if (!it) {
		tl_run_error(run, run->line, run->column, "out of memory");
		run->stopping = 1;
		return NULL;
	}
	it->line = run->line;
	it->column = run->column;
	it->bytes = run->bytes;
	return it;
}

static int push_text(import_state *s, tl_item_kind kind, const char *text,
                     tldb_run *run)
{
	size_t len = strlen(text);
	tl_item *it = new_item(run, kind, len);
	if (!it)
		return -1;
	memcpy(it->text, text, len + 1);
	tl_pipe_push(&s->pipe, it);
	return 0;
}

/* The run's report callback: the message goes to the writer, in order. */
static void queue_report(void *ud, const char *msg)
{
	tldb_run *run = ud;
	push_text(run->pipeline, TL_ITEM_REPORT, msg, run);
}

/* A record the reader refused: reported and passed over, or the end. */
static int refuse(tldb_run *run, const char *msg)
{
	import_state *s = run->pipeline;
	if (s->o->on_error == TLDB_ON_ERROR_SKIP) {
		char text[1400];
		snprintf(text, sizeof text, "%s:%lld:%lld: %s (skipped)",
		         run->name, (long long)run->line,
		         (long long)run->column, msg);
		s->skipped++;
		queue_report(run, text);
		return 0;
	}
	tl_run_error(run, run->line, run->column, "%s", msg);
	run->stopping = 1;
	return -1;
}

/* Picks the event's timeline: --timeline, else its own, else the
 * document's.  One it names itself is created by the writer first. */
static int choose_timeline(tldb_run *run, tldb_event *ev)
{
	import_state *s = run->pipeline;
	if (s->o->timeline) {
		ev->timeline = s->o->timeline;
	} else if ((!ev->timeline || !*ev->timeline) && s->doc_timeline[0]) {
		ev->timeline = s->doc_timeline;
	} else if (ev->timeline && *ev->timeline &&
	           strcmp(ev->timeline, s->named_timeline) != 0 &&
	           tldb_timeline_name_valid(ev->timeline)) {
		snprintf(s->named_timeline, sizeof s->named_timeline, "%s",
		         ev->timeline);
		return push_text(s, TL_ITEM_NAMED, ev->timeline, run);
	}
	return 0;
}

static int on_event(tldb_run *run, const tldb_plugin_event *pev)
{
	import_state *s = run->pipeline;
	if (atomic_load(&s->pipe.stop))
		return -1;
	const char *tags[TLDB_MAX_TAGS];
	tldb_source srcs[TLDB_MAX_SOURCES];
	tldb_event ev;
	char msg[256];
	s->records++;
	if (tl_event_from_plugin(pev, run->plugin->info.abi_minor >= 1, &ev,
	                         tags, srcs, msg, sizeof msg))
		return refuse(run, msg);
	if (choose_timeline(run, &ev))
		return -1;
	/* The checks go with whichever thread has time for them. */
	int check_here = !atomic_load_explicit(&s->pipe.writer_idle,
	                                       memory_order_relaxed);
	tl_checked c;
	tldb_errbuf err = {{0}, 0};
	if (check_here && tl_event_prepare(&ev, &c, &err))
		return refuse(run, err.msg);
	tl_item *it = tl_item_new(TL_ITEM_EVENT, 0);
	if (!it || tldb_event_copy(&ev, &it->ev)) {
		tl_item_free(it);
		tl_run_error(run, run->line, run->column, "out of memory");
		run->stopping = 1;
		return -1;
	}
	if (check_here) {
		it->checked_ok = 1;
		it->checked = c;
		if (c.timeline == ev.timeline)
			it->checked.timeline = it->ev->timeline;
	}
	it->line = run->line;
	it->column = run->column;
	it->bytes = run->bytes;
	tl_pipe_push(&s->pipe, it);
	return 0;
}

/* A removal names a uid of the timeline the import writes to: the
 * caller's, else the document's, else the default one.  The item's text
 * is the uid, and timeline.name that timeline. */
static int on_remove(tldb_run *run, const char *uid)
{
	import_state *s = run->pipeline;
	if (atomic_load(&s->pipe.stop))
		return -1;
	s->records++;
	const char *timeline = s->o->timeline       ? s->o->timeline
	                       : s->doc_timeline[0] ? s->doc_timeline
	                                            : TLDB_DEFAULT_TIMELINE;
	size_t ulen = strlen(uid), tlen = strlen(timeline);
	tl_item *it = new_item(run, TL_ITEM_REMOVE, ulen + 1 + tlen);
	if (!it)
		return -1;
	memcpy(it->text, uid, ulen + 1);
	memcpy(it->text + ulen + 1, timeline, tlen + 1);
	it->timeline.name = it->text + ulen + 1;
	tl_pipe_push(&s->pipe, it);
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
	size_t n = strlen(tl->name) + 1,
	       t = tl->title ? strlen(tl->title) + 1 : 0,
	       d = tl->description ? strlen(tl->description) + 1 : 0;
	tl_item *it = tl_item_new(TL_ITEM_TIMELINE, n + t + d);
	if (!it) {
		tl_run_error(run, run->line, run->column, "out of memory");
		return -1;
	}
	memcpy(it->text, tl->name, n);
	it->timeline.name = it->text;
	if (t) {
		memcpy(it->text + n, tl->title, t);
		it->timeline.title = it->text + n;
	}
	if (d) {
		memcpy(it->text + n + t, tl->description, d);
		it->timeline.description = it->text + n + t;
	}
	it->line = run->line;
	it->column = run->column;
	it->bytes = run->bytes;
	tl_pipe_push(&s->pipe, it);
	snprintf(s->doc_timeline, sizeof s->doc_timeline, "%s", tl->name);
	return 0;
}

typedef struct reader {
	tldb_run *run;
	int rc;
} reader;

static void *reader_main(void *arg)
{
	reader *r = arg;
	r->rc = tl_run_format(r->run);
	tl_pipe_close(&((import_state *)r->run->pipeline)->pipe);
	return NULL;
}

/* ---- the writer's side (the calling thread) ---- */

/* The writer's first error, in abort mode: it ends the import. */
static void writer_fail(import_state *s, const tl_item *it, const char *msg)
{
	if (!s->failed++)
		copy_msg(&s->err, msg, it ? it->line : 0, it ? it->column : 0);
	tl_pipe_stop(&s->pipe);
}

/* Whether a failed write was the store's failure (a full disk, an I/O
 * error, no memory, a lock) rather than the record's: that ends the
 * import in skip mode too, since no later record could be stored. */
static int store_broke(int rc)
{
	return rc == TLDB_EIO || rc == TLDB_ENOMEM || rc == TLDB_EBUSY ||
	       rc == TLDB_ECORRUPT || rc == TLDB_EREADONLY ||
	       rc == TLDB_ENOTDB || rc == TLDB_EINTERNAL;
}

/* The store's failure: it ends the import, whatever the mode. */
static void writer_broke(import_state *s, const tl_item *it, int rc)
{
	if (!s->failed)
		s->store_failed = rc;
	writer_fail(s, it, tldb_errmsg(s->db));
}

/* A record the store refused: reported and passed over, or the end. */
static void writer_refuse(import_state *s, const tl_item *it, const char *msg)
{
	if (s->o->on_error != TLDB_ON_ERROR_SKIP) {
		writer_fail(s, it, msg);
		return;
	}
	s->st->skipped++;
	if (s->o->report) {
		char text[1400];
		snprintf(text, sizeof text, "%s:%lld:%lld: %s (skipped)",
		         s->o->name   ? s->o->name
		         : s->o->path ? s->o->path
		                      : "-",
		         (long long)it->line, (long long)it->column, msg);
		s->o->report(s->o->ud, text);
	}
}

static void next_batch(import_state *s)
{
	if (s->o->on_error != TLDB_ON_ERROR_SKIP || s->joined ||
	    ++s->in_batch < s->batch)
		return;
	s->in_batch = 0;
	int rc = tldb_commit(s->db);
	s->tx_open = 0;
	if (!rc) {
		s->committed = *s->st;
		rc = tldb_begin(s->db);
		s->tx_open = rc == TLDB_OK;
	}
	if (rc)
		writer_broke(s, NULL, rc);
}

/* An input may name timelines of its own (an export of several timelines):
 * they are created as part of the import, so they go if it fails. */
static void ensure_timeline(import_state *s, const char *name)
{
	if (strcmp(name, s->made_timeline) == 0)
		return; /* a bad name is refused by the put, with its message */
	tldb_timeline t = {.name = name};
	int rc = tldb_timeline_create(s->db, &t);
	if (rc == TLDB_OK || rc == TLDB_EEXIST)
		snprintf(s->made_timeline, sizeof s->made_timeline, "%s", name);
	else if (store_broke(rc))
		writer_broke(s, NULL, rc);
}

static void store_event(import_state *s, const tl_item *it)
{
	tldb_put_result res;
	tl_checked c;
	tldb_errbuf err = {{0}, 0};
	if (!it->checked_ok && tl_event_prepare(it->ev, &c, &err)) {
		writer_refuse(s, it, err.msg);
		return;
	}
	const tl_checked *checked = it->checked_ok ? &it->checked : &c;
	int rc = tl_put_checked(s->db, it->ev, checked, &res);
	if (!rc && s->o->mirror)
		tl_mirror_keep(s->o->mirror, checked->timeline, checked->uid);
	if (rc && store_broke(rc)) {
		writer_broke(s, it, rc);
	} else if (rc) {
		writer_refuse(s, it, tldb_errmsg(s->db));
	} else if (res == TLDB_PUT_INSERTED) {
		s->st->inserted++;
	} else if (res == TLDB_PUT_UPDATED) {
		s->st->updated++;
	} else {
		s->st->unchanged++;
	}
}

static void store_removal(import_state *s, const tl_item *it)
{
	int rc = tldb_remove_in(s->db, it->timeline.name, it->text);
	if (rc == TLDB_OK)
		s->st->removed++;
	else if (store_broke(rc))
		writer_broke(s, it, rc);
	else if (rc != TLDB_ENOTFOUND)
		writer_refuse(s, it, tldb_errmsg(s->db));
}

static void store_item(import_state *s, const tl_item *it)
{
	switch (it->kind) {
	case TL_ITEM_REPORT:
		if (s->o->report)
			s->o->report(s->o->ud, it->text);
		return;
	case TL_ITEM_NAMED:
		ensure_timeline(s, it->text);
		return;
	case TL_ITEM_TIMELINE: {
		if (s->o->mirror)
			tl_mirror_timeline(s->o->mirror, it->timeline.name);
		int rc = tldb_timeline_put(s->db, &it->timeline);
		if (rc && store_broke(rc))
			writer_broke(s, it, rc);
		else if (rc)
			writer_fail(s, it, tldb_errmsg(s->db));
		return;
	}
	case TL_ITEM_EVENT:
		store_event(s, it);
		break;
	case TL_ITEM_REMOVE:
		store_removal(s, it);
		break;
	}
	next_batch(s);
	if (s->o->progress && ++s->processed % PROGRESS_EVERY == 0)
		s->o->progress(s->o->ud, s->processed, it->bytes,
		               s->total_bytes);
}

/* Runs the reader thread and stores what it sends until it is done. */
static int run_pipeline(import_state *s, tldb_run *run)
{
	reader r = {.run = run, .rc = TLDB_OK};
	pthread_t thread;
	if (pthread_create(&thread, NULL, reader_main, &r)) {
		tl_run_error(run, 0, 0,
		             "cannot start the import's reader "
		             "thread");
		return TLDB_EINTERNAL;
	}
	tl_item *items;
	int waited;
	/* The share of recent takes that waited for the reader, in 1/256ths,
	 * averaged over about the last 8 (a single take says little): a
	 * writer that mostly waits keeps the indexes up to date. */
	int waiting = 0;
	while ((items = tl_pipe_take(&s->pipe, &waited)) != NULL) {
		waiting += ((waited ? 256 : 0) - waiting) / 8;
		tl_allow_deferred_indexes(s->db, waiting < 128);
		atomic_store_explicit(&s->pipe.writer_idle, waiting >= 128,
		                      memory_order_relaxed);
		/* After the writer's error nothing that came later in the
		 * input counts, its warnings included. */
		for (tl_item *it = items; it && !s->failed; it = it->next)
			store_item(s, it);
		tl_pipe_done(&s->pipe, items);
	}
	pthread_join(thread, NULL);
	tl_allow_deferred_indexes(s->db, 1);
	return r.rc;
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

/* Opens the input, chooses and checks the importer, and begins the
 * import's transaction (unless `joined`: the caller's is open). */
static int prepare(tldb *db, tldb_plugins *p, const tldb_import_opts *o,
                   int joined, tldb_run *run, int64_t *total, tldb_msgbuf *err)
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
	if (o->mirror && o->on_error == TLDB_ON_ERROR_SKIP) {
		snprintf(err->msg, sizeof err->msg,
		         "a mirror cannot skip records: a skipped one would "
		         "read as gone from the source");
		return TLDB_EINVAL;
	}
	if (o->mirror && o->timeline)
		tl_mirror_timeline(o->mirror, o->timeline);
	if (!joined && (rc = tldb_begin(db))) {
		copy_msg(err, tldb_errmsg(db), 0, 0);
		return rc;
	}
	if (o->timeline) {
		tldb_timeline t = {.name = o->timeline};
		rc = tldb_timeline_create(db, &t);
		if (rc && rc != TLDB_EEXIST) {
			copy_msg(err, tldb_errmsg(db), 0, 0);
			if (joined)
				tl_fail_transaction(db);
			else
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
	run.skip_errors = o->on_error == TLDB_ON_ERROR_SKIP;
	run.on_event = on_event;
	run.on_remove = on_remove;
	run.on_timeline = on_timeline;
	import_state s = {.db = db, .o = o, .st = st};
	s.batch = o->batch > 0 ? o->batch : DEFAULT_BATCH;
	run.pipeline = &s;
	run.report = queue_report;
	run.ud = &run;
	if (tl_pipe_init(&s.pipe)) {
		copy_msg(err, "cannot create the import's queue", 0, 0);
		return TLDB_EINTERNAL;
	}
	/* Inside the caller's transaction the caller commits: no batches,
	 * and a failure marks the transaction failed rather than rolling
	 * back what the caller wrote before. */
	s.joined = tl_in_transaction(db);
	int crc, rc = prepare(db, p, o, s.joined, &run, &s.total_bytes, err);
	s.tx_open = rc == TLDB_OK;
	if (!rc) {
		rc = run_pipeline(&s, &run);
		st->records = s.records;
		st->bytes = run.bytes;
		st->warnings = run.warnings;
		st->skipped += s.skipped + run.skipped;
		/* The writer's error came first in the input: the reader had
		 * gone past the record the writer refused. */
		if (s.failed) {
			*err = s.err;
			rc = s.store_failed ? s.store_failed : TLDB_EPLUGIN;
		} else if (rc) {
			copy_msg(err, run.err.msg, run.err.line,
			         run.err.column);
		}
		/* Abort: nothing of a failed input stays.  Skip: the good
		 * records stay even when the plugin could not go on, but
		 * after the store's own failure only the batches committed
		 * before it do.  Joined: the caller's transaction is marked
		 * failed, whatever the mode. */
		int all_or_none = s.joined || o->on_error != TLDB_ON_ERROR_SKIP;
		if (rc && (all_or_none || s.store_failed || !s.tx_open)) {
			if (s.joined)
				tl_fail_transaction(db);
			else
				tldb_rollback(db);
			if (all_or_none)
				memset(&s.committed, 0, sizeof s.committed);
			st->inserted = s.committed.inserted;
			st->updated = s.committed.updated;
			st->unchanged = s.committed.unchanged;
			st->removed = s.committed.removed;
		} else if (!s.joined && (crc = tldb_commit(db)) != TLDB_OK) {
			copy_msg(err, tldb_errmsg(db), 0, 0);
			rc = crc;
			st->inserted = s.committed.inserted;
			st->updated = s.committed.updated;
			st->unchanged = s.committed.unchanged;
			st->removed = s.committed.removed;
		}
		if (o->progress)
			o->progress(o->ud, st->records, run.bytes,
			            s.total_bytes);
	}
	tl_pipe_destroy(&s.pipe);
	if (run.fd >= 0 && o->path && strcmp(o->path, "-") != 0)
		close(run.fd);
	free(run.head);
	return rc;
}
