/*
 * cache.c -- rendered responses by request key: a hash table of chains
 * plus a least-recently-used list, bounded in bytes.  An entry answers only
 * for the database generation it was rendered at and for ttl_ms after,
 * so a change the file watcher missed (or a relative date such as
 * from=today crossing midnight) is seen within that time.  Loop thread only.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

typedef struct entry {
	char *key;
	uint64_t hash;
	srv_body *body;
	size_t bytes;
	struct entry *chain;         /* next in the bucket */
	struct entry *newer, *older; /* LRU list */
} entry;

struct srv_cache {
	entry **buckets;
	size_t nbuckets; /* a power of two */
	size_t count, bytes, max_bytes;
	uint64_t ttl_ms;
	entry *newest, *oldest;
};

static uint64_t hash_of(const char *s)
{
	uint64_t h = UINT64_C(14695981039346656037);
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
	return h;
}

srv_cache *srv_cache_new(size_t max_bytes, uint64_t ttl_ms)
{
	srv_cache *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->nbuckets = 256;
	c->buckets = calloc(c->nbuckets, sizeof *c->buckets);
	if (!c->buckets) {
		free(c);
		return NULL;
	}
	c->max_bytes = max_bytes;
	c->ttl_ms = ttl_ms;
	return c;
}

static void unlink_lru(srv_cache *c, entry *e)
{
	if (e->newer)
		e->newer->older = e->older;
	else
		c->newest = e->older;
	if (e->older)
		e->older->newer = e->newer;
	else
		c->oldest = e->newer;
	e->newer = e->older = NULL;
}

static void push_newest(srv_cache *c, entry *e)
{
	e->older = c->newest;
	e->newer = NULL;
	if (c->newest)
		c->newest->newer = e;
	c->newest = e;
	if (!c->oldest)
		c->oldest = e;
}

static entry **slot_of(srv_cache *c, const char *key, uint64_t h)
{
	entry **p = &c->buckets[h & (c->nbuckets - 1)];
	while (*p && ((*p)->hash != h || strcmp((*p)->key, key) != 0))
		p = &(*p)->chain;
	return p;
}

static void drop(srv_cache *c, entry *e)
{
	entry **p = slot_of(c, e->key, e->hash);
	*p = e->chain;
	unlink_lru(c, e);
	c->count--;
	c->bytes -= e->bytes;
	srv_body_unref(e->body);
	free(e->key);
	free(e);
}

void srv_cache_free(srv_cache *c)
{
	if (!c)
		return;
	while (c->oldest)
		drop(c, c->oldest);
	free(c->buckets);
	free(c);
}

srv_body *srv_cache_get(srv_cache *c, const char *key, uint64_t gen,
                        uint64_t now_ms)
{
	uint64_t h = hash_of(key);
	entry *e = *slot_of(c, key, h);
	if (!e)
		return NULL;
	if (e->body->generation != gen ||
	    (now_ms > e->body->made_ms &&
	     now_ms - e->body->made_ms > c->ttl_ms)) {
		drop(c, e);
		return NULL;
	}
	unlink_lru(c, e);
	push_newest(c, e);
	srv_body_ref(e->body);
	return e->body;
}

static void grow(srv_cache *c)
{
	size_t n = c->nbuckets * 2;
	entry **b = calloc(n, sizeof *b);
	if (!b)
		return; /* chains just get longer */
	for (size_t i = 0; i < c->nbuckets; i++) {
		entry *e = c->buckets[i];
		while (e) {
			entry *next = e->chain;
			entry **head = &b[e->hash & (n - 1)];
			e->chain = *head;
			*head = e;
			e = next;
		}
	}
	free(c->buckets);
	c->buckets = b;
	c->nbuckets = n;
}

void srv_cache_put(srv_cache *c, const char *key, srv_body *body)
{
	size_t bytes = body->len + body->gz_len + strlen(key) + sizeof(entry) +
	               sizeof(srv_body);
	if (bytes > c->max_bytes / 4)
		return; /* one response must not flush the rest */
	uint64_t h = hash_of(key);
	entry *old = *slot_of(c, key, h);
	if (old)
		drop(c, old);
	entry *e = calloc(1, sizeof *e);
	if (!e || !(e->key = strdup(key))) {
		free(e);
		return;
	}
	e->hash = h;
	e->body = body;
	e->bytes = bytes;
	srv_body_ref(body);
	entry **head = &c->buckets[h & (c->nbuckets - 1)];
	e->chain = *head;
	*head = e;
	push_newest(c, e);
	c->count++;
	c->bytes += bytes;
	while (c->bytes > c->max_bytes && c->oldest && c->oldest != e)
		drop(c, c->oldest);
	if (c->count > c->nbuckets)
		grow(c);
}

void srv_cache_stats(const srv_cache *c, size_t *entries, size_t *bytes)
{
	*entries = c->count;
	*bytes = c->bytes;
}
