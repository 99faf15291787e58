/*
 * plugins.h -- the plugin host: loading importer and exporter plugins, and
 * running import and export pipelines through them.
 *
 * A registry (tldb_plugins) holds the plugins loaded into this process.
 * Plugins are loaded with dlopen(RTLD_NOW | RTLD_LOCAL), checked (entry
 * symbol, ABI version, struct sizes, a sane descriptor, a unique name) and
 * never unloaded; a refused plugin leaves the registry as it was.  The
 * descriptors handed out are the host's normalised copies: every struct at
 * the size this host knows, zero where the plugin's was smaller.
 *
 * Loading is for one thread at a time.  A loaded registry may be shared:
 * imports and exports through it may run on several threads at once (each
 * with its own tldb handle); the host runs one instance at a time of a
 * format that is not flagged TLDB_FORMAT_THREADSAFE.
 */
#ifndef TLDB_PLUGINS_H
#define TLDB_PLUGINS_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "error.h"
#include "plugin.h"
#include "tldb.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tldb_plugins tldb_plugins;

/* Receives a message (a warning, a refused plugin, a skipped record). */
typedef void (*tldb_report_fn)(void *ud, const char *msg);

/* A long message buffer for failures that name files and versions. */
typedef struct tldb_msgbuf {
	char msg[1024];
	int64_t line, column; /* of the input, 1-based; 0 when unknown */
} tldb_msgbuf;

/* Creates an empty registry (the caller's; tldb_plugins_free). */
TLDB_API TLDB_NODISCARD int tldb_plugins_new(tldb_plugins **out);

/* Frees the registry.  The plugins' code stays mapped (never unloaded). */
TLDB_API void tldb_plugins_free(tldb_plugins *p);

/* Loads the plugin file at `path`.  On refusal returns TLDB_EPLUGIN (or
 * TLDB_EEXIST for a duplicate name) with the reason in *err, naming the file
 * and, where they differ, both versions. */
TLDB_API TLDB_NODISCARD int tldb_plugins_load(tldb_plugins *p, const char *path,
                                              tldb_msgbuf *err);

/* Loads every "*.so" in `dir`, in name order.  Each refusal goes to
 * `report` (may be NULL) and loading goes on; a plugin whose name is
 * already loaded (from an earlier folder) is skipped the same way.  A file
 * already loaded (the same file reached again, through another folder of
 * the path or a link: same device and inode) is skipped silently.  A
 * missing folder is not an error.  Returns the count loaded (>= 0). */
TLDB_API int tldb_plugins_load_dir(tldb_plugins *p, const char *dir,
                                   tldb_report_fn report, void *ud);

/* Loads the search path, first found wins: `dirs` (--plugin-dir, may be
 * NULL), then each folder of $TLDB_PLUGIN_PATH (colon-separated), then the
 * install folder (tldb_plugins_install_dir()).  Returns the count loaded. */
TLDB_API int tldb_plugins_load_path(tldb_plugins *p, const char *const *dirs,
                                    size_t ndirs, tldb_report_fn report,
                                    void *ud);

/* The plugin call a thread is in, for a handler of a fatal signal
 * (tldb_plugins_current_call). */
typedef struct tldb_plugin_call {
	const char *name;  /* the plugin's name; NULL while its entry runs */
	const char *path;  /* the file it was loaded from */
	const char *doing; /* "loading", "probing", "importing", "exporting" */
	const char *input; /* the input's name when importing, else NULL */
} tldb_plugin_call;

/* Fills *out with the plugin call the calling thread is in and returns 1;
 * returns 0 when it is in none.  Async-signal-safe (it copies four
 * pointers from thread-local storage), so a SIGSEGV handler can name the
 * plugin that crashed.  The strings are borrowed from the registry: valid
 * while it lives. */
TLDB_API int tldb_plugins_current_call(tldb_plugin_call *out);

/* The folder plugins are installed in (${libdir}/tldb/plugins). */
TLDB_API const char *tldb_plugins_install_dir(void);

/* How many plugins are loaded; the i-th (in load order) with its file. */
TLDB_API size_t tldb_plugins_count(const tldb_plugins *p);
TLDB_API const tldb_plugin_info *tldb_plugins_at(const tldb_plugins *p,
                                                 size_t i, const char **path);

/* The plugin called `name`, or NULL. */
TLDB_API const tldb_plugin_info *tldb_plugins_find(const tldb_plugins *p,
                                                   const char *name);

/* The exporter for `name_or_ext`: a plugin name ("json") or an extension
 * ("ics"); NULL when none. */
TLDB_API const tldb_plugin_info *tldb_plugins_exporter(const tldb_plugins *p,
                                                       const char *name_or_ext);

/* Chooses an importer for an input: the plugin `name` when given, else by
 * the file's extension, else by `mime` (may be NULL), else by the probes
 * over head[0..len).  No candidate, or several equally good ones, is
 * TLDB_ENOTFOUND / TLDB_EEXIST with a message naming them. */
TLDB_API TLDB_NODISCARD int
tldb_plugins_choose_importer(const tldb_plugins *p, const char *name,
                             const char *path, const char *mime,
                             const uint8_t *head, size_t len,
                             const tldb_plugin_info **out, tldb_msgbuf *err);

/* Checks -o options against a format's declared options: every key known,
 * every value of its type.  An unknown key's message lists the valid ones. */
TLDB_API TLDB_NODISCARD int
tldb_plugins_check_options(const tldb_plugin_info *plugin,
                           const tldb_plugin_format *format,
                           const char *const *keys, const char *const *values,
                           size_t n, tldb_msgbuf *err);

/* ---- import ---- */

typedef enum tldb_on_error {
	TLDB_ON_ERROR_ABORT = 0, /* any error: nothing of the input is stored */
	TLDB_ON_ERROR_SKIP = 1   /* store the good records, report the bad */
} tldb_on_error;

/* Mirroring a source (tldb_mirror_new): pass one to the imports of its
 * inputs (tldb_import_opts.mirror), then tldb_mirror_apply before the
 * commit. */
typedef struct tldb_mirror tldb_mirror;

typedef struct tldb_import_opts {
	const char *plugin;   /* NULL: chosen by extension, MIME, probe */
	const char *path;     /* the input file; NULL or "-": read `fd` */
	int fd;               /* used when path is NULL or "-" */
	const char *name;     /* the input's name in messages (path or "-") */
	const char *mime;     /* the input's MIME type, when known */
	const char *timeline; /* put every event into this timeline */
	const char *const *option_keys; /* -o key=value */
	const char *const *option_values;
	size_t noptions;
	tldb_on_error on_error;
	int64_t batch; /* events per transaction with skip; <= 0: 10,000 */
	/* Called with warnings and skipped records ("NAME:LINE:COL: ..."). */
	tldb_report_fn report;
	/* Called now and then with progress; total_bytes < 0 when unknown. */
	void (*progress)(void *ud, int64_t records, int64_t bytes,
	                 int64_t total_bytes);
	void *ud;
	/* When not NULL, notes every event the import writes or finds
	 * unchanged, and the timelines it fills (`timeline`, the document's
	 * own, each event's).  Only with TLDB_ON_ERROR_ABORT: a skipped
	 * record would read as gone from the source. */
	tldb_mirror *mirror;
} tldb_import_opts;

typedef struct tldb_import_stats {
	int64_t records;   /* events the plugin emitted */
	int64_t inserted;  /* new events stored */
	int64_t updated;   /* changed events stored */
	int64_t unchanged; /* events already stored as they are */
	int64_t skipped;   /* bad records passed over (skip) */
	int64_t warnings;
	int64_t bytes;   /* input bytes read */
	int64_t removed; /* stored events the input cancelled, now removed */
} tldb_import_stats;

/* Imports one input.  With TLDB_ON_ERROR_ABORT it runs in one transaction
 * and any error leaves the database as it was; with TLDB_ON_ERROR_SKIP good
 * records are committed in batches and each bad one is reported.  A failure
 * of the store itself (a full disk, an I/O error, no memory) ends the import
 * in either mode with the store's code: in skip mode the batches committed
 * before it stay, the open one is rolled back, and *stats counts only what
 * was committed.  On
 * failure *err holds the message and, when known, the input's line and
 * column.  Importing the same input twice changes nothing.  The importer
 * runs on a thread of its own while this thread stores what it emits; the
 * report and progress callbacks are called on this thread, reports in
 * input order.  When the caller has a transaction open (tldb_begin), the
 * import runs inside it, so several inputs can be stored all or none: it
 * neither begins nor commits (nor commits batches with skip), and when it
 * fails the transaction is marked failed -- tldb_commit then rolls it back
 * and fails -- so the caller should tldb_rollback. */
TLDB_API TLDB_NODISCARD int tldb_import(tldb *db, tldb_plugins *p,
                                        const tldb_import_opts *opts,
                                        tldb_import_stats *stats,
                                        tldb_msgbuf *err);

/* A new, empty mirror (the caller's; tldb_mirror_free). */
TLDB_API TLDB_NODISCARD int tldb_mirror_new(tldb_mirror **out);
TLDB_API void tldb_mirror_free(tldb_mirror *m);

/* Makes each timeline the mirror's imports filled hold exactly what they
 * wrote: every other event of those timelines is removed (tldb_remove_in),
 * each reported ("removed TIMELINE/UID 'TITLE': no longer in the source")
 * and counted in *removed.  Run it inside the imports' transaction, before
 * tldb_commit, so the timeline changes all at once.  TLDB_ENOTFOUND when
 * the imports named and filled no timeline (nothing says what to mirror),
 * TLDB_ENOMEM when noting ran out of memory; the store's code otherwise,
 * with tldb_errmsg. */
TLDB_API TLDB_NODISCARD int tldb_mirror_apply(tldb *db, tldb_mirror *m,
                                              tldb_report_fn report, void *ud,
                                              int64_t *removed);

/* ---- export ---- */

/* Receives the exporter's output; returns 0, or non-zero to fail the
 * export. */
typedef int (*tldb_write_fn)(void *ud, const void *buf, size_t len);

typedef struct tldb_export_opts {
	const char *format;      /* exporter name or extension */
	const tldb_query *query; /* NULL: everything */
	const char *const *option_keys;
	const char *const *option_values;
	size_t noptions;
	tldb_write_fn write;
	tldb_report_fn report; /* warnings; may be NULL */
	void *ud;
} tldb_export_opts;

typedef struct tldb_export_stats {
	int64_t events;
	int64_t bytes;
	int64_t warnings;
} tldb_export_stats;

/* Runs the query's cursor through the exporter in constant memory.
 * Returns 0, or: the store's code and message unchanged when reading the
 * events failed (TLDB_EINVAL for a bad text query, TLDB_ETOOBIG past the
 * query's limits, TLDB_EBUSY past tldb_set_time_limit, ...); TLDB_EIO when
 * opts->write failed; TLDB_ENOTFOUND for an unknown format or timeline; an
 * option's error; else TLDB_EPLUGIN, the exporter's own failure, with its
 * message in *err. */
TLDB_API TLDB_NODISCARD int tldb_export(tldb *db, tldb_plugins *p,
                                        const tldb_export_opts *opts,
                                        tldb_export_stats *stats,
                                        tldb_msgbuf *err);

#ifdef __cplusplus
}
#endif

#endif /* TLDB_PLUGINS_H */
