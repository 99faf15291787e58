/*
 * check_export.c -- check 5 of `tldb plugins check`: the exporter, in
 * child processes, on an empty result and on the NEVENTS generated events
 * (check_events.c) of a source database made here; it also writes the
 * sample of SAMPLE_EVENTS events that the importer's truncation check and
 * the round trip (check_import.c) read back.
 */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <string.h>

#include "check_internal.h"

/* Fills the source database (no plugin code runs: done here). */
static int make_db(check *c, char *msg, size_t size)
{
	tldb *db = NULL;
	snprintf(c->src_db, sizeof c->src_db, "%s/events.db", c->dir);
	int rc = tldb_open(c->src_db, TLDB_OPEN_CREATE, &db);
	if (rc)
		snprintf(msg, size, "%s", tldb_errmsg(db));
	else
		rc = check_put_events(db, msg, size);
	tldb_close(db);
	c->have_db = !rc;
	return rc;
}

/* ---- 5. exporter ---- */

typedef struct export_job {
	tldb_query q;
	const char *out_path; /* NULL: count the bytes only */
	int64_t events;       /* how many the query selects */
} export_job;

static int write_file(void *ud, const void *buf, size_t len)
{
	return fwrite(buf, 1, len, ud) == len ? 0 : -1;
}

static int write_nothing(void *ud, const void *buf, size_t len)
{
	(void)ud;
	(void)buf;
	(void)len;
	return 0;
}

static int export_to(check *c, tldb *db, const export_job *j, FILE *out,
                     char *msg, size_t size)
{
	tldb_export_opts o = {0};
	tldb_export_stats st = {0};
	tldb_msgbuf err;
	o.format = c->info->name;
	o.query = &j->q;
	o.write = out ? write_file : write_nothing;
	o.ud = out;
	if (tldb_export(db, c->reg, &o, &st, &err)) {
		snprintf(msg, size, "export failed: %s", err.msg);
		return 1;
	}
	if (st.events != j->events) {
		snprintf(msg, size, "exported %lld of %lld events",
		         (long long)st.events, (long long)j->events);
		return 1;
	}
	if (j->events > 0 && st.bytes <= 0) {
		snprintf(msg, size, "wrote no output for %lld events",
		         (long long)j->events);
		return 1;
	}
	return 0;
}

static int child_export(check *c, const void *arg, char *msg, size_t size)
{
	const export_job *j = arg;
	tldb *db = NULL;
	FILE *out = NULL;
	int rc = 1;
	if (tldb_open(c->src_db, TLDB_OPEN_READONLY, &db))
		snprintf(msg, size, "%s", tldb_errmsg(db));
	else if (j->out_path && !(out = fopen(j->out_path, "wb")))
		snprintf(msg, size, "%s: %s", j->out_path, strerror(errno));
	else
		rc = export_to(c, db, j, out, msg, size);
	if (out && fclose(out) && !rc) {
		snprintf(msg, size, "%s: %s", j->out_path, strerror(errno));
		rc = 1;
	}
	tldb_close(db);
	return rc;
}

void check_exporter(check *c)
{
	char msg[MSG_SIZE];
	if (make_db(c, msg, sizeof msg)) {
		check_fail(c, "exporter: generating events", "%s", msg);
		return;
	}
	export_job j;
	tldb_query_init(&j.q);
	j.q.lo = tldb_days_from_civil(1000, 1, 1) * 86400;
	j.q.hi = tldb_days_from_civil(1002, 1, 1) * 86400;
	j.out_path = NULL;
	j.events = 0;
	int rc = check_in_child(c, child_export, &j, msg, sizeof msg);
	check_verdict(c, "exporter: empty result (years 1000..1001)", rc, msg);
	tldb_query_init(&j.q);
	j.events = NEVENTS;
	rc = check_in_child(c, child_export, &j, msg, sizeof msg);
	check_verdict(c, "exporter: 10000 generated events", rc, msg);
	/* The sample for truncation and the round trip. */
	j.q.limit = j.events = SAMPLE_EVENTS;
	snprintf(c->sample, sizeof c->sample, "%s/sample.out", c->dir);
	j.out_path = c->sample;
	c->have_sample = !check_in_child(c, child_export, &j, msg, sizeof msg);
	if (!c->have_sample)
		check_fail(c, "exporter: 500 events to a file", "%s", msg);
}
