/*
 * import_pipe.c -- the bounded queue between an import's reader and writer
 * threads (import_pipe.h).
 */
#include <stdlib.h>
#include <string.h>

#include "import_pipe.h"

int tl_pipe_init(tl_pipe *p)
{
	memset(p, 0, sizeof *p);
	atomic_init(&p->stop, 0);
	atomic_init(&p->writer_idle, 0);
	if (pthread_mutex_init(&p->lock, NULL))
		return -1;
	if (pthread_cond_init(&p->changed, NULL)) {
		pthread_mutex_destroy(&p->lock);
		return -1;
	}
	return 0;
}

void tl_item_free_list(tl_item *it)
{
	while (it) {
		tl_item *next = it->next;
		tl_item_free(it);
		it = next;
	}
}

void tl_pipe_destroy(tl_pipe *p)
{
	tl_item_free_list(p->head);
	tl_item_free_list(p->bhead);
	tl_item_free_list(p->done);
	p->head = p->tail = p->bhead = p->btail = p->done = NULL;
	pthread_cond_destroy(&p->changed);
	pthread_mutex_destroy(&p->lock);
}

tl_item *tl_item_new(tl_item_kind kind, size_t text_len)
{
	tl_item *it = calloc(1, sizeof *it + text_len + 1);
	if (it)
		it->kind = kind;
	return it;
}

void tl_item_free(tl_item *it)
{
	if (!it)
		return;
	tldb_event_free(it->ev);
	free(it);
}

/* Appends the reader's batch to the queue; called with the lock held. */
static void hand_over(tl_pipe *p)
{
	if (!p->bhead)
		return;
	if (p->tail)
		p->tail->next = p->bhead;
	else
		p->head = p->bhead;
	p->tail = p->btail;
	p->bhead = p->btail = NULL;
	p->bcount = 0;
	p->nbatches++;
	pthread_cond_broadcast(&p->changed);
}

void tl_pipe_push(tl_pipe *p, tl_item *it)
{
	it->next = NULL;
	if (p->btail)
		p->btail->next = it;
	else
		p->bhead = it;
	p->btail = it;
	if (++p->bcount < TL_PIPE_BATCH)
		return;
	pthread_mutex_lock(&p->lock);
	while (p->nbatches >= TL_PIPE_MAX_BATCHES && !atomic_load(&p->stop))
		pthread_cond_wait(&p->changed, &p->lock);
	hand_over(p);
	tl_item *done = p->done;
	p->done = NULL;
	pthread_mutex_unlock(&p->lock);
	tl_item_free_list(done);
}

void tl_pipe_done(tl_pipe *p, tl_item *items)
{
	if (!items)
		return;
	tl_item *last = items;
	while (last->next)
		last = last->next;
	pthread_mutex_lock(&p->lock);
	last->next = p->done;
	p->done = items;
	pthread_mutex_unlock(&p->lock);
}

void tl_pipe_close(tl_pipe *p)
{
	pthread_mutex_lock(&p->lock);
	hand_over(p);
	p->closed = 1;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->lock);
}

void tl_pipe_stop(tl_pipe *p)
{
	pthread_mutex_lock(&p->lock);
	atomic_store(&p->stop, 1);
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->lock);
}

tl_item *tl_pipe_take(tl_pipe *p, int *waited)
{
	pthread_mutex_lock(&p->lock);
	*waited = 0;
	while (!p->head && !p->closed) {
		*waited = 1;
		pthread_cond_wait(&p->changed, &p->lock);
	}
	tl_item *items = p->head;
	p->head = p->tail = NULL;
	p->nbatches = 0;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->lock);
	return items;
}
