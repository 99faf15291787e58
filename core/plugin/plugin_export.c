/*
 * plugin_export.c -- the export pipeline: a query's cursor handed to an
 * exporter plugin, one borrowed event at a time, so memory stays constant
 * however many events there are.  Where the bytes go is the caller's
 * business (a file written atomically, stdout, an HTTP response).
 */
#include <stdio.h>
#include <string.h>

#include "plugin_internal.h"

/* When the query names exactly one timeline, the exporter may describe it
 * (a calendar's name, a document's title). */
static int load_timeline(tldb *db, const tldb_query *q, tldb_run *run,
                         tldb_timeline **tl, tldb_msgbuf *err)
{
	*tl = NULL;
	if (q->ntimelines != 1)
		return TLDB_OK;
	int rc = tldb_timeline_get(db, q->timelines[0], tl);
	if (rc == TLDB_ENOTFOUND)
		return TLDB_OK; /* an empty export of an unknown timeline */
	if (rc) {
		snprintf(err->msg, sizeof err->msg, "%s", tldb_errmsg(db));
		return rc;
	}
	run->has_timeline = 1;
	run->timeline = (tldb_plugin_timeline){sizeof(tldb_plugin_timeline),
	                                       0,
	                                       (*tl)->name,
	                                       (*tl)->title,
	                                       (*tl)->description,
	                                       (*tl)->updated};
	return TLDB_OK;
}

TLDB_API int tldb_export(tldb *db, tldb_plugins *p, const tldb_export_opts *o,
                         tldb_export_stats *stats, tldb_msgbuf *err)
{
	tldb_msgbuf scratch;
	err = err ? err : &scratch;
	memset(err, 0, sizeof *err);
	if (stats)
		memset(stats, 0, sizeof *stats);
	const tldb_plugin_info *info = tldb_plugins_exporter(p, o->format);
	if (!info) {
		snprintf(err->msg, sizeof err->msg, "no exporter for '%s'",
		         o->format);
		return TLDB_ENOTFOUND;
	}
	int rc =
	        tldb_plugins_check_options(info, info->exporter, o->option_keys,
	                                   o->option_values, o->noptions, err);
	if (rc)
		return rc;
	tldb_query q;
	if (o->query)
		q = *o->query;
	else
		tldb_query_init(&q);
	q.with_sources = !(info->exporter->flags & TLDB_FORMAT_NO_SOURCES);
	q.series = info->abi_minor >= 2 &&
	           (info->exporter->flags & TLDB_FORMAT_SERIES);
	tldb_run run;
	memset(&run, 0, sizeof run);
	run.kind = TL_RUN_EXPORT;
	run.db = db;
	run.plugin = tl_plugin_of(p, info);
	run.format = info->exporter;
	run.name = info->name;
	run.keys = o->option_keys;
	run.values = o->option_values;
	run.nopts = o->noptions;
	run.write = o->write;
	run.report = o->report;
	run.ud = o->ud;
	tl_arena_init(&run.arena);
	tldb_timeline *tl = NULL;
	if ((rc = load_timeline(db, &q, &run, &tl, err)))
		return rc;
	if ((rc = tldb_query_open(db, &q, &run.cursor))) {
		snprintf(err->msg, sizeof err->msg, "%s", tldb_errmsg(db));
		tldb_timeline_free(tl);
		return rc;
	}
	rc = tl_run_format(&run);
	const char *note = tldb_cursor_warning(run.cursor);
	if (note && run.report) {
		run.report(run.ud, note);
		run.warnings++;
	}
	if (rc && run.code) /* the store's or the output's, unchanged */
		snprintf(err->msg, sizeof err->msg, "%s", run.err.msg);
	else if (rc)
		snprintf(err->msg, sizeof err->msg, "%s exporter: %.900s",
		         info->name, run.err.msg);
	if (stats) {
		stats->events = run.exported;
		stats->bytes = run.written;
		stats->warnings = run.warnings;
	}
	tldb_cursor_free(run.cursor);
	tl_arena_release(&run.arena);
	tldb_timeline_free(tl);
	return rc;
}
