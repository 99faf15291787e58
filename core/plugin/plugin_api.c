/*
 * plugin_api.c -- the host functions plugins call (tl_host_api), running an
 * instance (open -> run -> close), and converting events across the
 * boundary.
 *
 * A plugin's event is read at the size the plugin wrote it: copied into a
 * zeroed struct of this host's size, so an older plugin's missing fields are
 * zero and a newer plugin's extra fields are ignored.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "plugin_internal.h"

#define END_OF(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))
#define MIN_EVENT           END_OF(tldb_plugin_event, hi)
#define MIN_SOURCE          END_OF(tldb_plugin_source, expr_end)
#define MIN_TIMELINE        END_OF(tldb_plugin_timeline, updated)

static void run_verror(tldb_run *run, int code, int64_t line, int64_t column,
                       const char *fmt, va_list ap)
        __attribute__((format(printf, 5, 0)));
static void run_verror(tldb_run *run, int code, int64_t line, int64_t column,
                       const char *fmt, va_list ap)
{
	if (run->failed++)
		return;
	vsnprintf(run->err.msg, sizeof run->err.msg, fmt, ap);
	run->err.line = line;
	run->err.column = column;
	run->code = code;
}

void tl_run_error(tldb_run *run, int64_t line, int64_t column, const char *fmt,
                  ...)
{
	va_list ap;
	va_start(ap, fmt);
	run_verror(run, 0, line, column, fmt, ap);
	va_end(ap);
}

void tl_run_fail(tldb_run *run, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	run_verror(run, code, 0, 0, fmt, ap);
	va_end(ap);
}

void tl_run_flush_skipped(tldb_run *run)
{
	if (!run->pending)
		return;
	run->pending = 0;
	run->skipped++;
	if (!run->report)
		return;
	char text[1400];
	snprintf(text, sizeof text, "%s:%lld:%lld: %s (skipped)", run->name,
	         (long long)run->err.line, (long long)run->err.column,
	         run->err.msg);
	run->report(run->ud, text);
}

static const char *host_option(tldb_run *run, const char *key)
{
	if (!run || !key)
		return NULL;
	for (size_t i = run->nopts; i-- > 0;)
		if (strcmp(run->keys[i], key) == 0)
			return run->values[i];
	for (size_t k = 0; run->format->options && run->format->options[k]; k++)
		if (strcmp(run->format->options[k]->key, key) == 0)
			return run->format->options[k]->default_value;
	return NULL;
}

static int64_t host_read(tldb_run *run, void *buf, uint64_t len)
{
	if (!run || run->kind != TL_RUN_IMPORT || !buf)
		return -1;
	if (run->head_pos < run->head_len) {
		size_t n = run->head_len - run->head_pos;
		if (n > len)
			n = (size_t)len;
		memcpy(buf, run->head + run->head_pos, n);
		run->head_pos += n;
		run->bytes += (int64_t)n;
		return (int64_t)n;
	}
	if (len > (1u << 30))
		len = 1u << 30;
	for (;;) {
		ssize_t n = read(run->fd, buf, (size_t)len);
		if (n >= 0) {
			run->bytes += n;
			return n;
		}
		if (errno != EINTR) {
			tl_run_error(run, 0, 0, "%s: read error: %s", run->name,
			             strerror(errno));
			return TLDB_PLUGIN_EIO;
		}
	}
}

static void host_set_position(tldb_run *run, int64_t line, int64_t column)
{
	if (run) {
		run->line = line;
		run->column = column;
	}
}

static int32_t host_emit(tldb_run *run, const tldb_plugin_event *ev)
{
	if (!run || run->kind != TL_RUN_IMPORT || !ev)
		return TLDB_PLUGIN_STOP;
	if (run->stopping)
		return TLDB_PLUGIN_STOP;
	tl_run_flush_skipped(run);
	return run->on_event(run, ev) ? TLDB_PLUGIN_STOP : TLDB_PLUGIN_OK;
}

static int32_t host_remove(tldb_run *run, const char *uid)
{
	if (!run || run->kind != TL_RUN_IMPORT || !uid || !run->on_remove)
		return TLDB_PLUGIN_STOP;
	if (run->stopping)
		return TLDB_PLUGIN_STOP;
	tl_run_flush_skipped(run);
	return run->on_remove(run, uid) ? TLDB_PLUGIN_STOP : TLDB_PLUGIN_OK;
}

static int32_t host_set_timeline(tldb_run *run, const tldb_plugin_timeline *tl)
{
	if (!run || run->kind != TL_RUN_IMPORT || !tl)
		return TLDB_PLUGIN_ERROR;
	tldb_plugin_timeline copy;
	memset(&copy, 0, sizeof copy);
	if (tl->size < MIN_TIMELINE) {
		tl_run_error(
		        run, 0, 0,
		        "plugin %s: tldb_plugin_timeline of %u bytes is too "
		        "small",
		        run->plugin->info.name, tl->size);
		return TLDB_PLUGIN_ERROR;
	}
	memcpy(&copy, tl, tl->size < sizeof copy ? tl->size : sizeof copy);
	return run->on_timeline(run, &copy) ? TLDB_PLUGIN_ERROR
	                                    : TLDB_PLUGIN_OK;
}

static int32_t host_next(tldb_run *run, const tldb_plugin_event **ev)
{
	if (!ev)
		return TLDB_PLUGIN_ERROR;
	*ev = NULL;
	if (!run || run->kind != TL_RUN_EXPORT)
		return TLDB_PLUGIN_ERROR;
	const tldb_event *row;
	tl_arena_reset(&run->arena);
	int rc = tldb_cursor_next(run->cursor, &row);
	if (rc == TLDB_DONE)
		return 0;
	if (rc) { /* the store's code and message, as they are */
		tl_run_fail(run, rc, "%s", tldb_errmsg(run->db));
		return TLDB_PLUGIN_ERROR;
	}
	if (tl_event_to_plugin(row, &run->arena, &run->event)) {
		tl_run_error(run, 0, 0, "out of memory");
		return TLDB_PLUGIN_NOMEM;
	}
	run->exported++;
	*ev = &run->event;
	return 1;
}

static const tldb_plugin_timeline *host_timeline(tldb_run *run)
{
	return run && run->kind == TL_RUN_EXPORT && run->has_timeline
	               ? &run->timeline
	               : NULL;
}

static int32_t host_write(tldb_run *run, const void *buf, uint64_t len)
{
	if (!run || run->kind != TL_RUN_EXPORT || (!buf && len))
		return TLDB_PLUGIN_ERROR;
	if (!len)
		return TLDB_PLUGIN_OK;
	if (run->write(run->ud, buf, (size_t)len)) {
		tl_run_fail(run, TLDB_EIO, "writing the output failed");
		return TLDB_PLUGIN_EIO;
	}
	run->written += (int64_t)len;
	return TLDB_PLUGIN_OK;
}

static int32_t host_error(tldb_run *run, int32_t code, int64_t line,
                          int64_t column, const char *msg)
{
	if (!run)
		return TLDB_PLUGIN_STOP;
	(void)code;
	if (line <= 0 && run->kind == TL_RUN_IMPORT) {
		line = run->line;
		column = run->column;
	}
	if (run->kind == TL_RUN_IMPORT && run->skip_errors) {
		/* Reported as skipped when the plugin goes on; the run's error
		 * if it cannot. */
		tl_run_flush_skipped(run);
		snprintf(run->err.msg, sizeof run->err.msg, "%s",
		         msg ? msg : "error");
		run->err.line = line;
		run->err.column = column;
		run->pending = 1;
		return TLDB_PLUGIN_OK;
	}
	tl_run_error(run, line, column, "%s", msg ? msg : "error");
	run->stopping = 1;
	return TLDB_PLUGIN_STOP;
}

static void host_warning(tldb_run *run, int64_t line, int64_t column,
                         const char *msg)
{
	if (!run)
		return;
	run->warnings++;
	if (!run->report)
		return;
	char text[1200];
	if (line > 0)
		snprintf(text, sizeof text, "%s:%lld:%lld: warning: %s",
		         run->name, (long long)line, (long long)column,
		         msg ? msg : "");
	else
		snprintf(text, sizeof text, "%s: warning: %s", run->name,
		         msg ? msg : "");
	run->report(run->ud, text);
}

static int32_t host_parse_date(const char *s, const char *zone,
                               tldb_plugin_date *out, char *err,
                               uint32_t errsize)
{
	tldb_date d;
	tldb_errbuf e = {{0}, 0};
	if (!s || !out || out->size < sizeof(uint32_t)) {
		if (err && errsize)
			snprintf(err, errsize, "bad arguments");
		return TLDB_PLUGIN_ERROR;
	}
	if (tldb_date_parse(s, zone, &d, &e)) {
		if (err && errsize)
			snprintf(err, errsize, "%s", e.msg);
		return TLDB_PLUGIN_ERROR;
	}
	tldb_plugin_date r;
	memset(&r, 0, sizeof r);
	r.size = sizeof r;
	r.precision = (uint32_t)d.precision;
	r.is_interval = (uint32_t)d.is_interval;
	r.qualifiers = d.start.qualifiers;
	r.lo = d.lo;
	r.hi = d.hi;
	uint32_t n = out->size < sizeof r ? out->size : (uint32_t)sizeof r;
	uint32_t keep = out->size;
	memcpy(out, &r, n);
	out->size = keep;
	return TLDB_PLUGIN_OK;
}

static int32_t host_zone_to_utc(const char *zone, int64_t local, int64_t *utc)
{
	return zone && utc &&
	                       tldb_zone_to_utc(zone, local, utc, NULL) ==
	                               TLDB_OK
	               ? TLDB_PLUGIN_OK
	               : TLDB_PLUGIN_ERROR;
}

static int32_t host_zone_offset(const char *zone, int64_t utc, int32_t *off)
{
	int o = 0;
	if (!zone || !off || tldb_zone_offset(zone, utc, &o, NULL) != TLDB_OK)
		return TLDB_PLUGIN_ERROR;
	*off = o;
	return TLDB_PLUGIN_OK;
}

static int64_t host_now(tldb_run *run)
{
	return run && run->now ? run->now : tldb_now();
}

static int32_t host_format_instant(int64_t t, char *buf, uint32_t size)
{
	char tmp[64];
	int n = tldb_format_instant(t, tmp, sizeof tmp);
	if (!buf || n < 0 || (uint32_t)n >= size)
		return TLDB_PLUGIN_ERROR;
	memcpy(buf, tmp, (size_t)n + 1);
	return n;
}

const tldb_host_api tl_host_api = {
        .size = sizeof(tldb_host_api),
        .abi_major = TLDB_PLUGIN_ABI_MAJOR,
        .abi_minor = TLDB_PLUGIN_ABI_MINOR,
        .host_version = TLDB_VERSION_STRING,
        .option = host_option,
        .read = host_read,
        .set_position = host_set_position,
        .emit = host_emit,
        .set_timeline = host_set_timeline,
        .next = host_next,
        .timeline = host_timeline,
        .write = host_write,
        .error = host_error,
        .warning = host_warning,
        .parse_date = host_parse_date,
        .zone_to_utc = host_zone_to_utc,
        .zone_offset = host_zone_offset,
        .now = host_now,
        .format_instant = host_format_instant,
        .remove = host_remove,
};

/* ---- the plugin call a thread is in ---- */

/* Read by a signal handler on the same thread: written before the plugin
 * is called, with a signal fence so the compiler keeps that order. */
static _Thread_local tldb_plugin_call current_call;

void tl_call_enter(const tl_plugin *pl, const char *doing, const char *input,
                   tldb_plugin_call *saved)
{
	*saved = current_call;
	tldb_plugin_call c = {pl->info.name, pl->path, doing, input};
	current_call = c;
	atomic_signal_fence(memory_order_seq_cst);
}

void tl_call_leave(const tldb_plugin_call *saved)
{
	atomic_signal_fence(memory_order_seq_cst);
	current_call = *saved;
}

TLDB_API int tldb_plugins_current_call(tldb_plugin_call *out)
{
	atomic_signal_fence(memory_order_seq_cst);
	*out = current_call;
	return out->path != NULL;
}

int tl_run_format(tldb_run *run)
{
	const tldb_plugin_format *f = run->format;
	tldb_plugin_call saved;
	tl_call_enter(run->plugin,
	              run->kind == TL_RUN_IMPORT ? "importing" : "exporting",
	              run->kind == TL_RUN_IMPORT ? run->name : NULL, &saved);
	int serialise = !(f->flags & TLDB_FORMAT_THREADSAFE);
	void *state = NULL;
	int32_t rc = TLDB_PLUGIN_OK;
	if (serialise)
		pthread_mutex_lock(&run->plugin->lock);
	if (f->open)
		rc = f->open(run, &state);
	if (rc == TLDB_PLUGIN_OK) {
		rc = f->run(run, state);
		if (f->close)
			f->close(run, state);
	}
	if (serialise)
		pthread_mutex_unlock(&run->plugin->lock);
	tl_call_leave(&saved);
	if (rc == TLDB_PLUGIN_OK)
		tl_run_flush_skipped(run);
	if (rc != TLDB_PLUGIN_OK && !run->failed) {
		if (run->pending)
			run->failed = 1; /* its last record error ended it */
		else
			tl_run_error(
			        run, run->line, run->column,
			        "plugin %s failed (code %d) without saying "
			        "why",
			        run->plugin->info.name, rc);
	}
	/* An error the plugin ignored (it may return OK after emit said
	 * STOP).  In skip mode record errors never set `failed`, so what did
	 * is fatal there too: a read or commit failure, a bad timeline. */
	if (rc == TLDB_PLUGIN_OK && run->failed)
		rc = TLDB_PLUGIN_ERROR;
	if (rc == TLDB_PLUGIN_OK)
		return TLDB_OK;
	return run->code ? run->code : TLDB_EPLUGIN;
}

/* ---- events across the boundary ---- */

int tl_event_from_plugin(const tldb_plugin_event *pev, int restore,
                         tldb_event *ev, const char **tags, tldb_source *srcs,
                         char *msg, size_t msgsize)
{
	tldb_plugin_event e;
	memset(&e, 0, sizeof e);
	memset(ev, 0, sizeof *ev);
	if (pev->size < MIN_EVENT) {
		snprintf(msg, msgsize,
		         "tldb_plugin_event of %u bytes is smaller "
		         "than ABI 1.0's (%zu)",
		         pev->size, (size_t)MIN_EVENT);
		return -1;
	}
	memcpy(&e, pev, pev->size < sizeof e ? pev->size : sizeof e);
	ev->uid = e.uid;
	ev->timeline = e.timeline;
	ev->title = e.title;
	ev->body = e.body;
	ev->start = e.start;
	ev->end = e.end;
	ev->tz = e.tz;
	ev->location = e.location;
	ev->url = e.url;
	/* Zero from plugins built before minor 2: their struct is smaller. */
	ev->recur = e.recur;
	ev->series = e.series;
	ev->recurrence_id = e.recurrence_id;
	ev->recur_flags = e.recur_flags;
	if (restore) {
		ev->created = e.created;
		ev->updated = e.updated;
		ev->sequence = e.sequence;
	}
	size_t n = 0;
	for (; e.tags && e.tags[n]; n++) {
		if (n == TLDB_MAX_TAGS) {
			snprintf(msg, msgsize, "more than %d tags",
			         TLDB_MAX_TAGS);
			return -1;
		}
		tags[n] = e.tags[n];
	}
	ev->tags = tags;
	ev->ntags = n;
	for (n = 0; e.sources && e.sources[n]; n++) {
		const tldb_plugin_source *ps = e.sources[n];
		if (n == TLDB_MAX_SOURCES) {
			snprintf(msg, msgsize, "more than %d sources",
			         TLDB_MAX_SOURCES);
			return -1;
		}
		if (ps->size < MIN_SOURCE) {
			snprintf(msg, msgsize,
			         "tldb_plugin_source of %u bytes is "
			         "too small",
			         ps->size);
			return -1;
		}
		tldb_plugin_source s;
		memset(&s, 0, sizeof s);
		memcpy(&s, ps, ps->size < sizeof s ? ps->size : sizeof s);
		srcs[n] = (tldb_source){s.url,
		                        s.title,
		                        s.plugin,
		                        s.quote,
		                        s.expr,
		                        s.doc_date,
		                        s.resolver,
		                        {s.span_begin, s.span_end},
		                        {s.expr_begin, s.expr_end}};
	}
	ev->sources = srcs;
	ev->nsources = n;
	return 0;
}

int tl_event_to_plugin(const tldb_event *ev, tl_arena *arena,
                       tldb_plugin_event *out)
{
	memset(out, 0, sizeof *out);
	out->size = sizeof *out;
	out->precision = (uint32_t)ev->precision;
	out->uid = ev->uid;
	out->timeline = ev->timeline;
	out->title = ev->title;
	out->body = ev->body;
	out->start = ev->start;
	out->end = ev->end;
	out->tz = ev->tz;
	out->location = ev->location;
	out->url = ev->url;
	out->created = ev->created;
	out->updated = ev->updated;
	out->sequence = ev->sequence;
	out->lo = ev->lo;
	out->hi = ev->hi;
	out->recur = ev->recur;
	out->series = ev->series;
	out->recurrence_id = ev->recurrence_id;
	out->recur_flags = ev->recur_flags;
	const char **tags =
	        tl_arena_alloc(arena, (ev->ntags + 1) * sizeof *tags);
	tldb_plugin_source *srcs =
	        tl_arena_alloc(arena, (ev->nsources + 1) * sizeof *srcs);
	const tldb_plugin_source **sp =
	        tl_arena_alloc(arena, (ev->nsources + 1) * sizeof *sp);
	if (!tags || !srcs || !sp)
		return -1;
	for (size_t i = 0; i < ev->ntags; i++)
		tags[i] = ev->tags[i];
	tags[ev->ntags] = NULL;
	for (size_t i = 0; i < ev->nsources; i++) {
		const tldb_source *s = &ev->sources[i];
		srcs[i] = (tldb_plugin_source){sizeof(tldb_plugin_source),
		                               0,
		                               s->url,
		                               s->title,
		                               s->plugin,
		                               s->quote,
		                               s->expr,
		                               s->doc_date,
		                               s->resolver,
		                               s->span[0],
		                               s->span[1],
		                               s->expr_span[0],
		                               s->expr_span[1]};
		sp[i] = &srcs[i];
	}
	sp[ev->nsources] = NULL;
	out->tags = tags;
	out->sources = sp;
	return 0;
}
