/*
 * import_mirror.c -- mirroring a source (tldb_mirror): the events some
 * imports wrote and the timelines they filled, and, at the end, the removal
 * of every event of those timelines the imports did not write.  A timeline
 * then holds exactly what its source holds now: an event deleted upstream
 * goes, an unchanged one stays untouched.
 *
 * Imports note what they write on the calling thread (the import's
 * writer), so the set needs no lock.  The keys, "TIMELINE\x1fUID", are
 * appended as they come and sorted once, when the mirror is applied.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "plugin_internal.h"

#include "import_mirror.h"

struct tldb_mirror {
	char **kept; /* keys, each malloc'd; sorted by tldb_mirror_apply */
	size_t nkept, cap;
	char **timelines;
	size_t ntimelines;
	int failed; /* out of memory while noting: apply refuses */
};

TLDB_API int tldb_mirror_new(tldb_mirror **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? TLDB_OK : TLDB_ENOMEM;
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

TLDB_API void tldb_mirror_free(tldb_mirror *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nkept; i++)
		free(m->kept[i]);
	free(m->kept);
	for (size_t i = 0; i < m->ntimelines; i++)
		free(m->timelines[i]);
	free(m->timelines);
	free(m);
}

void tl_mirror_timeline(tldb_mirror *m, const char *name)
{
	if (!name || !*name)
		name = TLDB_DEFAULT_TIMELINE;
	for (size_t i = 0; i < m->ntimelines; i++)
		if (!strcmp(m->timelines[i], name))
			return;
	char **grown =
	        realloc(m->timelines, (m->ntimelines + 1) * sizeof *grown);
	char *copy = grown ? strdup(name) : NULL;
	if (grown)
		m->timelines = grown;
	if (!copy) {
		m->failed = 1;
		return;
	}
	m->timelines[m->ntimelines++] = copy;
}

/* The key of (timeline, uid), malloc'd; NULL when out of memory. */
static char *key_of(const char *timeline, const char *uid)
{
	tl_buf b = TL_BUF_INIT(SIZE_MAX / 2);
	tl_buf_addf(&b, "%s\x1f%s", timeline, uid);
	return tl_buf_steal(&b);
}

void tl_mirror_keep(tldb_mirror *m, const char *timeline, const char *uid)
{
	if (!timeline || !*timeline)
		timeline = TLDB_DEFAULT_TIMELINE;
	tl_mirror_timeline(m, timeline);
	if (m->nkept == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256;
		char **grown = realloc(m->kept, cap * sizeof *grown);
		if (!grown) {
			m->failed = 1;
			return;
		}
		m->kept = grown;
		m->cap = cap;
	}
	char *key = key_of(timeline, uid);
	if (key)
		m->kept[m->nkept++] = key;
	else
		m->failed = 1;
}

/* The uids of `timeline` the imports did not write, and their titles. */
typedef struct gone {
	char **uids, **titles;
	size_t n;
} gone;

static void gone_release(gone *g)
{
	for (size_t i = 0; i < g->n; i++) {
		free(g->uids[i]);
		free(g->titles[i]);
	}
	free(g->uids);
	free(g->titles);
	memset(g, 0, sizeof *g);
}

static int gone_add(gone *g, const tldb_event *ev)
{
	char **u = realloc(g->uids, (g->n + 1) * sizeof *u);
	if (u)
		g->uids = u;
	char **t = u ? realloc(g->titles, (g->n + 1) * sizeof *t) : NULL;
	if (t)
		g->titles = t;
	char *uid = t ? strdup(ev->uid) : NULL;
	char *title = uid ? strdup(ev->title ? ev->title : "") : NULL;
	if (!title) {
		free(uid);
		return TLDB_ENOMEM;
	}
	g->uids[g->n] = uid;
	g->titles[g->n++] = title;
	return TLDB_OK;
}

static int find_gone(tldb *db, const tldb_mirror *m, const char *timeline,
                     gone *g)
{
	tldb_query q;
	tldb_query_init(&q);
	const char *one[] = {timeline};
	q.timelines = one;
	q.ntimelines = 1;
	q.stored = 1; /* series and their changes, not occurrences */
	tldb_cursor *c;
	int rc = tldb_query_open(db, &q, &c);
	if (rc)
		return rc;
	const tldb_event *ev;
	while (!rc && (rc = tldb_cursor_next(c, &ev)) == TLDB_OK) {
		char *key = key_of(timeline, ev->uid);
		if (!key)
			rc = TLDB_ENOMEM;
		else if (!bsearch(&key, m->kept, m->nkept, sizeof *m->kept,
		                  cmp_key))
			rc = gone_add(g, ev);
		free(key);
	}
	tldb_cursor_free(c);
	return rc == TLDB_DONE ? TLDB_OK : rc;
}

TLDB_API int tldb_mirror_apply(tldb *db, tldb_mirror *m, tldb_report_fn report,
                               void *ud, int64_t *removed)
{
	*removed = 0;
	if (m->failed)
		return TLDB_ENOMEM;
	if (!m->ntimelines)
		return TLDB_ENOTFOUND;
	qsort(m->kept, m->nkept, sizeof *m->kept, cmp_key);
	int rc = TLDB_OK;
	for (size_t i = 0; !rc && i < m->ntimelines; i++) {
		gone g = {0};
		const char *timeline = m->timelines[i];
		rc = find_gone(db, m, timeline, &g);
		for (size_t k = 0; !rc && k < g.n; k++) {
			rc = tldb_remove_in(db, timeline, g.uids[k]);
			if (rc == TLDB_ENOTFOUND) {
				/* a change of a series removed just before,
				 * with its series */
				rc = TLDB_OK;
				continue;
			}
			if (rc)
				break;
			(*removed)++;
			if (report) {
				char msg[1024];
				snprintf(msg, sizeof msg,
				         "removed %s/%s '%s': no longer in "
				         "the source",
				         timeline, g.uids[k], g.titles[k]);
				report(ud, msg);
			}
		}
		gone_release(&g);
	}
	return rc;
}
