/*
 * check_import.c -- checks 4 and 6 of `tldb plugins check`: the importer,
 * each input in a child process with a fresh database, on empty, truncated
 * (cuts of the exporter's sample) and random inputs, where it must succeed
 * or fail with a position, never crash, hang or fail blind; then the round
 * trip: the sample imported back must give the source's events field for
 * field.
 */
#define _XOPEN_SOURCE 700 /* mkdtemp */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check_internal.h"

/* ---- 4. importer ---- */

typedef struct input {
	const uint8_t *data;
	size_t len;
} input;

/* Makes a fresh folder with the input and a database; *db on success. */
static int fresh_db(check *c, const input *in, char *folder, size_t fsize,
                    tldb **db, char *msg, size_t size)
{
	char path[4300];
	snprintf(folder, fsize, "%s/import-XXXXXX", c->dir);
	if (!mkdtemp(folder)) {
		snprintf(msg, size, "mkdtemp: %s", strerror(errno));
		return 1;
	}
	snprintf(path, sizeof path, "%s/input", folder);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(in->data, 1, in->len, f) != in->len || fclose(f)) {
		snprintf(msg, size, "%s: cannot write", path);
		return 1;
	}
	snprintf(path, sizeof path, "%s/db", folder);
	if (tldb_open(path, TLDB_OPEN_CREATE, db)) {
		snprintf(msg, size, "%s", tldb_errmsg(*db));
		tldb_close(*db);
		return 1;
	}
	return 0;
}

static int import_file(check *c, tldb *db, const char *folder, tldb_msgbuf *err)
{
	char path[4300];
	snprintf(path, sizeof path, "%s/input", folder);
	tldb_import_opts o = {0};
	o.plugin = c->info->name;
	o.path = path;
	o.name = "input";
	o.on_error = TLDB_ON_ERROR_ABORT;
	return tldb_import(db, c->reg, &o, NULL, err);
}

/* Imports one input: a pass when it ends well or fails with a position. */
static int child_import(check *c, const void *arg, char *msg, size_t size)
{
	char folder[4200];
	tldb *db = NULL;
	tldb_msgbuf err;
	if (fresh_db(c, arg, folder, sizeof folder, &db, msg, size))
		return 1;
	int rc = import_file(c, db, folder, &err);
	tldb_close(db);
	if (rc == TLDB_OK || err.line > 0)
		return 0;
	snprintf(msg, size, "an error without a position (line 0): %s",
	         err.msg);
	return 1;
}

/* Runs every input in a child; one line for the kind. */
static void check_inputs(check *c, const char *what, const input *ins, size_t n)
{
	char msg[MSG_SIZE];
	for (size_t i = 0; i < n; i++) {
		if (check_in_child(c, child_import, &ins[i], msg, sizeof msg)) {
			check_fail(c, what, "input %zu of %zu (%zu bytes): %s",
			           i + 1, n, ins[i].len, msg);
			return;
		}
	}
	check_pass(c, what);
}

static uint8_t *read_sample(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0;
	*len = 0;
	while (f) {
		if (*len == cap) {
			uint8_t *b = realloc(buf, cap ? cap * 2 : 65536);
			if (!b)
				break;
			buf = b;
			cap = cap ? cap * 2 : 65536;
		}
		size_t n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
		if (n == 0)
			break;
	}
	if (f)
		fclose(f);
	return buf;
}

static void check_truncated(check *c)
{
	static const char what[] = "importer: truncated inputs (10 cuts)";
	if (!c->have_sample) {
		check_skip(what,
		           "no sample (the plugin has no working exporter)");
		return;
	}
	size_t len;
	uint8_t *data = read_sample(c->sample, &len);
	if (!data || len == 0) {
		check_fail(c, what, "cannot read the exporter's sample");
		free(data);
		return;
	}
	input ins[NCUTS];
	for (size_t k = 0; k < NCUTS; k++)
		ins[k] = (input){data, len * (k + 1) / (NCUTS + 1)};
	check_inputs(c, what, ins, NCUTS);
	free(data);
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Random inputs of 1..64 KiB: bytes, or printable ASCII lines. */
static uint8_t *random_input(uint64_t *seed, int text, size_t *len)
{
	*len = 1 + (size_t)(rng_next(seed) % 65536);
	uint8_t *buf = malloc(*len);
	for (size_t i = 0; buf && i < *len; i++) {
		uint64_t r = rng_next(seed);
		if (!text)
			buf[i] = (uint8_t)r;
		else
			buf[i] = r % 40 == 0 ? '\n' : (uint8_t)(32 + r % 95);
	}
	return buf;
}

static void check_random(check *c)
{
	uint64_t seed = 0x7d1b5eedULL;
	input ins[NRANDOM + 1];
	uint8_t *bufs[NRANDOM + 1];
	size_t n = 0;
	for (; n < NRANDOM + 1; n++) {
		bufs[n] = random_input(&seed, n == NRANDOM, &ins[n].len);
		ins[n].data = bufs[n];
		if (!bufs[n])
			break;
	}
	if (n < NRANDOM + 1)
		check_fail(c, "importer: random inputs", "out of memory");
	else {
		check_inputs(c, "importer: random bytes (5 inputs)", ins,
		             NRANDOM);
		check_inputs(c, "importer: random printable text",
		             ins + NRANDOM, 1);
	}
	for (size_t i = 0; i < n; i++)
		free(bufs[i]);
}

void check_importer(check *c)
{
	input empty = {(const uint8_t *)"", 0};
	check_inputs(c, "importer: empty input", &empty, 1);
	check_truncated(c);
	check_random(c);
}

/* ---- 6. round trip ---- */

static int same(const char *a, const char *b)
{
	return (!a || !*a) ? (!b || !*b) : (b && strcmp(a, b) == 0);
}

static int same_tags(const tldb_event *a, const tldb_event *b)
{
	if (a->ntags != b->ntags)
		return 0;
	for (size_t i = 0; i < a->ntags; i++)
		if (strcmp(a->tags[i], b->tags[i]) != 0)
			return 0;
	return 1;
}

static const char *str_or_null(const char *s)
{
	return s ? s : "(none)";
}

/* Notes the first field that differs ("UID: FIELD 'A' != 'B'"); 1 if any. */
static int differs(const tldb_event *a, const tldb_event *b, char *msg,
                   size_t size)
{
	const char *const names[] = {"title", "start",    "end",
	                             "tz",    "location", "url"};
	const char *const va[] = {a->title, a->start,    a->end,
	                          a->tz,    a->location, a->url};
	const char *const vb[] = {b->title, b->start,    b->end,
	                          b->tz,    b->location, b->url};
	const char *sep = *msg ? "; " : "";
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		if (same(va[i], vb[i]))
			continue;
		check_appendf(msg, size, "%s%s: %s '%s' became '%s'", sep,
		              a->uid, names[i], str_or_null(va[i]),
		              str_or_null(vb[i]));
		return 1;
	}
	if (same_tags(a, b))
		return 0;
	check_appendf(msg, size, "%s%s: tags differ (%zu became %zu)", sep,
	              a->uid, a->ntags, b->ntags);
	return 1;
}

/* Compares one event; returns 1 (and notes it) when it differs. */
static int compare_one(tldb *src, tldb *dst, const char *uid, char *msg,
                       size_t size)
{
	tldb_event *a = NULL, *b = NULL;
	int rc = 1;
	if (tldb_get(src, uid, &a))
		check_appendf(msg, size, "%s%s: missing from the source",
		              *msg ? "; " : "", uid);
	else if (tldb_get(dst, uid, &b))
		check_appendf(msg, size,
		              "%s%s: missing after import (title '%s')",
		              *msg ? "; " : "", uid, str_or_null(a->title));
	else
		rc = differs(a, b, msg, size);
	tldb_event_free(a);
	tldb_event_free(b);
	return rc;
}

static int compare_dbs(tldb *src, tldb *dst, char *msg, size_t size)
{
	tldb_query q;
	tldb_query_init(&q);
	q.limit = SAMPLE_EVENTS;
	tldb_cursor *cur;
	if (tldb_query_open(src, &q, &cur)) {
		snprintf(msg, size, "%s", tldb_errmsg(src));
		return 1;
	}
	const tldb_event *ev;
	int ndiff = 0;
	while (tldb_cursor_next(cur, &ev) == TLDB_OK)
		if (compare_one(src, dst, ev->uid, msg, size) && ++ndiff == 3)
			break;
	tldb_cursor_free(cur);
	tldb_stats st;
	if (!ndiff && !tldb_stats_get(dst, &st) && st.events != SAMPLE_EVENTS)
		snprintf(msg, size, "%lld events after import, expected %d",
		         (long long)st.events, SAMPLE_EVENTS);
	return ndiff || *msg;
}

static int child_round_trip(check *c, const void *arg, char *msg, size_t size)
{
	(void)arg;
	size_t len;
	uint8_t *data = read_sample(c->sample, &len);
	input in = {data, len};
	char folder[4200];
	tldb *dst = NULL, *src = NULL;
	tldb_msgbuf err;
	if (!data || fresh_db(c, &in, folder, sizeof folder, &dst, msg, size))
		return 1;
	int rc = 1;
	if (import_file(c, dst, folder, &err))
		snprintf(msg, size, "import of the export failed: %s", err.msg);
	else if (tldb_open(c->src_db, TLDB_OPEN_READONLY, &src))
		snprintf(msg, size, "%s", tldb_errmsg(src));
	else
		rc = compare_dbs(src, dst, msg, size);
	tldb_close(src);
	tldb_close(dst);
	free(data);
	return rc;
}

void check_round_trip(check *c)
{
	static const char what[] = "round trip: 500 events export -> import";
	char msg[MSG_SIZE];
	if (!c->have_sample) {
		check_skip(what, "the exporter failed");
		return;
	}
	int rc = check_in_child(c, child_round_trip, NULL, msg, sizeof msg);
	check_verdict(c, what, rc, msg);
}
