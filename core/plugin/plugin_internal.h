/*
 * plugin_internal.h -- the plugin host's private structures: loaded plugins
 * with their normalised descriptors, and the state of one run (tldb_run);
 * and what the parts of core/plugin/ call across files.
 */
#ifndef TLDB_PLUGIN_INTERNAL_H
#define TLDB_PLUGIN_INTERNAL_H

#include <pthread.h>
#include <sys/types.h>

#include "arena.h"
#include "tldb/plugins.h"

/* A loaded plugin.  `info` and the formats are the host's copies at the
 * host's struct sizes; strings still point into the plugin (which is never
 * unloaded). */
typedef struct tl_plugin {
	char *path;
	dev_t dev; /* the file's identity, so it is loaded once */
	ino_t ino;
	void *handle;
	tldb_plugin_info info;
	tldb_plugin_format importer, exporter;
	tldb_plugin_option *options[2];        /* copies, per format */
	const tldb_plugin_option **optlist[2]; /* NULL-terminated pointers */
	pthread_mutex_t lock; /* serialises formats that are not threadsafe */
} tl_plugin;

struct tldb_plugins {
	tl_plugin **items;
	size_t n, cap;
};

/* The plugin a normalised info belongs to (plugin_registry.c). */
tl_plugin *tl_plugin_of(const tldb_plugins *p, const tldb_plugin_info *info);

/* Formats a message into err (nothing when err is NULL), with no position
 * (line and column 0); the caller owns err. */
void tl_plugin_msgf(tldb_msgbuf *err, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* Copies the descriptor a plugin's entry returned (raw, which may be NULL
 * or of any struct size) into pl->info, pl->importer and pl->exporter at
 * this host's sizes, and validates it: names, versions, kinds, extension
 * and MIME lists, options and their defaults (plugin_descriptor.c).  The
 * option copies go to pl->options and pl->optlist, owned by pl and freed
 * with it (even on failure); strings still point into the plugin.  Returns
 * 0, or -1 with the reason in err. */
int tl_plugin_check_info(tl_plugin *pl, const tldb_plugin_info *raw,
                         tldb_msgbuf *err);

enum { TL_RUN_IMPORT = 1, TL_RUN_EXPORT = 2 };

struct tldb_run {
	int kind;
	tl_plugin *plugin;
	const tldb_plugin_format *format;
	const char *const *keys;
	const char *const *values;
	size_t nopts;
	const char *name; /* the input's name in messages */
	int64_t now;
	/* first error, and counts */
	int failed;
	tldb_msgbuf err;
	int code; /* the library's code when the first error was the host's
	             (the store, the output), to be returned as it is; 0 */
	int64_t warnings;
	tldb_report_fn report;
	void *ud;
	/* import */
	int fd;
	unsigned char *head; /* bytes read ahead for the probe, served first */
	size_t head_len, head_pos;
	int64_t bytes;
	int64_t line, column; /* of the record being emitted */
	int (*on_event)(tldb_run *run, const tldb_plugin_event *ev);
	int (*on_remove)(tldb_run *run, const char *uid);
	int (*on_timeline)(tldb_run *run, const tldb_plugin_timeline *tl);
	int stopping; /* abort mode after an error: tell the plugin to stop */
	int skip_errors;
	int64_t skipped;
	/* skip mode: the last record error, reported as skipped once the
	 * plugin goes on (or as the run's error when it cannot) */
	int pending;
	/* export */
	tldb *db; /* the cursor's */
	tldb_cursor *cursor;
	tl_arena arena;
	tldb_plugin_event event;
	int has_timeline;
	tldb_plugin_timeline timeline;
	tldb_write_fn write;
	int64_t written;
	int64_t exported;
	/* what the pipeline keeps for its own use */
	void *pipeline;
};

/* Marks the calling thread as running plugin `pl` (doing: "loading",
 * "probing", "importing", "exporting"; input may be NULL) until the
 * matching tl_call_leave, which restores *saved; see
 * tldb_plugins_current_call.  All strings are borrowed and must outlive the
 * call. */
void tl_call_enter(const tl_plugin *pl, const char *doing, const char *input,
                   tldb_plugin_call *saved);
void tl_call_leave(const tldb_plugin_call *saved);

/* The host's function table, handed to every plugin. */
extern const tldb_host_api tl_host_api;

/* Records the first error of a run (later ones only count). */
void tl_run_error(tldb_run *run, int64_t line, int64_t column, const char *fmt,
                  ...) __attribute__((format(printf, 4, 5)));

/* The same for an error of the host's side with the library's code (a
 * TLDB_E* value), which the run then returns unchanged. */
void tl_run_fail(tldb_run *run, int code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Skip mode: reports the pending record error as skipped. */
void tl_run_flush_skipped(tldb_run *run);

/* Runs a format's open -> run -> close, serialised unless threadsafe. */
int tl_run_format(tldb_run *run);

/* Converts a plugin's event (of any size) into a store event.  Arrays go to
 * the caller's buffers; created, updated and sequence are taken only with
 * `restore` (a plugin of minor 1 or later).  Returns 0 or -1 with a
 * message in msg. */
int tl_event_from_plugin(const tldb_plugin_event *pev, int restore,
                         tldb_event *ev, const char **tags, tldb_source *srcs,
                         char *msg, size_t msgsize);

/* Converts a store event into the plugin view, allocating in arena. */
int tl_event_to_plugin(const tldb_event *ev, tl_arena *arena,
                       tldb_plugin_event *out);

#endif /* TLDB_PLUGIN_INTERNAL_H */
