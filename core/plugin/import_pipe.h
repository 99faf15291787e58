/*
 * import_pipe.h -- the queue between the two threads of an import: the
 * reader, which runs the importer plugin and checks each event it emits, and
 * the writer, which stores them in input order.
 *
 * The reader gathers items into a batch of its own and hands over whole
 * batches, so the threads meet once per TL_PIPE_BATCH items; it waits while
 * TL_PIPE_MAX_BATCHES batches are queued, so memory stays bounded however
 * long the input is.  The writer gives the items it is done with back
 * (tl_pipe_done) and the reader frees them: memory freed by a thread other
 * than the one that allocated it makes glibc's malloc take the other
 * thread's arena lock, which the reader, allocating all the time for
 * libical, then waits on.
 */
#ifndef TLDB_IMPORT_PIPE_H
#define TLDB_IMPORT_PIPE_H

#include <pthread.h>
#include <stdatomic.h>

#include "event_internal.h"

#define TL_PIPE_BATCH       256
#define TL_PIPE_MAX_BATCHES 16

typedef enum tl_item_kind {
	TL_ITEM_EVENT,    /* ev and checked */
	TL_ITEM_REMOVE,   /* text: the uid */
	TL_ITEM_TIMELINE, /* timeline, its strings in text */
	TL_ITEM_REPORT,   /* text: a message for the report callback */
	TL_ITEM_NAMED     /* text: a timeline an event names, to create */
} tl_item_kind;

typedef struct tl_item {
	struct tl_item *next;
	tl_item_kind kind;
	int64_t line, column; /* the record's position in the input */
	int64_t bytes;        /* input read when it was emitted */
	tldb_event *ev;       /* a deep copy (tldb_event_free) */
	int checked_ok;       /* checked holds the reader's check of ev */
	tl_checked checked;   /* checked.timeline points into ev */
	tldb_timeline timeline;
	char text[]; /* NUL-terminated strings */
} tl_item;

typedef struct tl_pipe {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	tl_item *head, *tail; /* handed over, oldest first */
	int nbatches;
	int closed; /* the reader is done: nothing more will come */
	/* the reader's batch, not yet handed over */
	tl_item *bhead, *btail;
	int bcount;
	tl_item *done; /* given back by the writer, for the reader to free */
	/* set by the writer: the reader stops at its next event */
	atomic_int stop;
	/* set by the writer while it mostly waits for the reader: the reader
	 * then leaves the checks of each event to it */
	atomic_int writer_idle;
} tl_pipe;

/* Initialises an empty pipe; 0, or -1 when a lock cannot be made. */
int tl_pipe_init(tl_pipe *p);

/* Frees the items still queued and the locks. */
void tl_pipe_destroy(tl_pipe *p);

/* An item of `kind` with room for `text_len` bytes of text (zeroed);
 * NULL when out of memory.  The pipe owns it once pushed. */
tl_item *tl_item_new(tl_item_kind kind, size_t text_len);

/* Frees an item and the event it holds. */
void tl_item_free(tl_item *it);

/* Frees a list of items linked by `next`. */
void tl_item_free_list(tl_item *it);

/* Reader: adds an item to its batch, handing the batch over when full
 * (waiting while the queue is full, unless the writer asked to stop). */
void tl_pipe_push(tl_pipe *p, tl_item *it);

/* Reader: hands over what is left and closes the pipe. */
void tl_pipe_close(tl_pipe *p);

/* Writer: gives back a list of items it is done with. */
void tl_pipe_done(tl_pipe *p, tl_item *items);

/* Writer: asks the reader to stop, waking it if it waits for room. */
void tl_pipe_stop(tl_pipe *p);

/* Writer: takes every item handed over, oldest first, waiting for some;
 * NULL once the pipe is closed and empty.  The items are the caller's.
 * *waited is set when it had to wait: the writer is quicker than the
 * reader. */
tl_item *tl_pipe_take(tl_pipe *p, int *waited);

#endif /* TLDB_IMPORT_PIPE_H */
