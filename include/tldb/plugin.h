/*
 * plugin.h -- the tldb plugin ABI, major version 1.
 *
 * This is the only header a plugin needs: it is self-contained C, depends on
 * nothing of tldb's internals and has no build-dependent #ifdefs.  A plugin
 * links neither libtldb nor libsqlite3; everything it needs from the host
 * arrives in a table of function pointers.
 *
 * THE ENTRY POINT
 *   A plugin exports exactly one symbol, TLDB_PLUGIN_ENTRY
 *   ("tldb_plugin_entry_v1"; the major version is part of the name, so a host
 *   never calls a plugin of another major version):
 *
 *     TLDB_PLUGIN_EXPORT int32_t tldb_plugin_entry_v1(
 *             const tldb_host_api *host, const tldb_plugin_info **out);
 *
 *   The host calls it once, right after dlopen, from one thread.  The plugin
 *   keeps `host` (it stays valid for the life of the process), checks that
 *   the host functions it needs are present (TLDB_HOST_HAS), sets *out to its
 *   descriptor and returns TLDB_PLUGIN_OK.  The descriptor and everything it
 *   points to must stay valid and unchanged for the life of the process.
 *
 * STRUCTS AND TABLES
 *   Every struct that crosses the boundary starts with `uint32_t size`, set
 *   by whoever fills the struct to sizeof() as that side compiled it.  A
 *   reader copies at most the size both sides know and treats the rest as
 *   zero, so a newer plugin runs on an older host (as long as it only needs
 *   what that host has) and an older plugin on a newer host.  Fields are
 *   only ever appended; nothing is reordered, resized or removed within a
 *   major version.  Lists are NULL-terminated arrays of pointers, so each
 *   element carries its own size.  Only fixed-width integers, UTF-8 strings,
 *   function pointers and opaque handles cross: no FILE *, time_t, long,
 *   bool or enum types.
 *
 * INSTANCES, THREADS AND LIFETIMES
 *   One import or export is one instance: open -> run -> close, in that
 *   order, each called once, all on one thread (for an import, not the
 *   thread that called tldb_import: the store writes on that one); close
 *   is called whenever open succeeded, even if run failed.  The tldb_run
 *   handle is valid only during those calls.  Instances of a format
 *   flagged TLDB_FORMAT_THREADSAFE may run at the same time on different
 *   threads; for any other format the host serialises instances.  Plugins
 *   are never unloaded while the process runs, but a plugin must not leave
 *   threads running after close.
 *
 * MEMORY
 *   Nothing is freed across the boundary.  Strings and events a plugin hands
 *   to the host are borrowed for the duration of the call (the host copies
 *   what it keeps).  Events the host hands to an exporter are borrowed until
 *   the next call to `next` or the end of run.  Messages are copied into
 *   host memory.
 *
 * COMPATIBILITY POLICY
 *   The minor version rises when fields are appended to a struct or
 *   functions to the host table; a plugin built against minor N loads into
 *   any host of the same major version, and uses what a host of a lower
 *   minor lacks only after testing for it with TLDB_HOST_HAS.  The major
 *   version (and with it the entry symbol's name) rises only when something
 *   must change incompatibly.  A host refuses a plugin of a newer minor
 *   version only when the plugin's structs are larger than the host knows
 *   AND carry non-zero data there -- see docs/PLUGINS.md.
 */
#ifndef TLDB_PLUGIN_H
#define TLDB_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TLDB_PLUGIN_ABI_MAJOR 1
#define TLDB_PLUGIN_ABI_MINOR 2

#define TLDB_PLUGIN_ENTRY      tldb_plugin_entry_v1
#define TLDB_PLUGIN_ENTRY_NAME "tldb_plugin_entry_v1"

#if defined(__GNUC__)
#define TLDB_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define TLDB_PLUGIN_EXPORT
#endif

/* Result codes of plugin and host functions. */
#define TLDB_PLUGIN_OK    0
#define TLDB_PLUGIN_STOP  1  /* emit: stop reading; not an error */
#define TLDB_PLUGIN_ERROR -1 /* a failure; the message was set with error */
#define TLDB_PLUGIN_NOMEM -2
#define TLDB_PLUGIN_EIO   -3

/* Kinds of format. */
#define TLDB_KIND_IMPORTER 1u
#define TLDB_KIND_EXPORTER 2u

/* Format flags. */
#define TLDB_FORMAT_THREADSAFE 1u /* instances may run at once */
/* Exporters, minor 1: the exporter never reads an event's sources, so the
 * host need not load them (a host of minor 0 loads them anyway). */
#define TLDB_FORMAT_NO_SOURCES 2u
/* Exporters, minor 2: the exporter writes a recurring series as a series
 * (iCalendar's RRULE and RECURRENCE-ID), so the host hands it each series
 * once, with `recur`, when it has an occurrence in the range, and each
 * changed occurrence as an event with `series` and `recurrence_id`,
 * instead of the occurrences (a host of minor 1 or less hands over
 * occurrences: test host->abi_minor). */
#define TLDB_FORMAT_SERIES 4u

/* Option types: how the host checks a value before the plugin runs. */
#define TLDB_OPTION_STRING 1u
#define TLDB_OPTION_BOOL   2u /* true/false, yes/no, 1/0 */
#define TLDB_OPTION_INT    3u /* a decimal integer */
#define TLDB_OPTION_DATE   4u /* an EDTF date */

/* Precisions, finer greater (as tldb_precision in date.h). */
#define TLDB_PLUGIN_PREC_NONE   0u
#define TLDB_PLUGIN_PREC_YEAR   1u
#define TLDB_PLUGIN_PREC_MONTH  2u
#define TLDB_PLUGIN_PREC_DAY    3u
#define TLDB_PLUGIN_PREC_MINUTE 4u
#define TLDB_PLUGIN_PREC_SECOND 5u

/* An instance's run: opaque, valid only during open, run and close. */
typedef struct tldb_run tldb_run;

/* One provenance record of an event.  Absent strings are NULL; absent
 * spans are -1.  Spans are byte offsets [begin, end) in the source. */
typedef struct tldb_plugin_source {
	uint32_t size;
	uint32_t reserved;
	const char *url;
	const char *title;
	const char *plugin;
	const char *quote;
	const char *expr;
	const char *doc_date;
	const char *resolver;
	int64_t span_begin, span_end;
	int64_t expr_begin, expr_end;
} tldb_plugin_source;

/* An event.  Dates are EDTF strings (docs/FORMAT.md).  On import only
 * `start` and `title` are required; the fields marked (export) are ignored
 * on import and filled by the host on export. */
typedef struct tldb_plugin_event {
	uint32_t size;
	uint32_t precision; /* (export) the coarsest of start and end */
	const char *uid;    /* NULL on import: the host derives one */
	const char *timeline;
	const char *title;
	const char *body;
	const char *start;
	const char *end;
	const char *tz;
	const char *location;
	const char *url;
	const char *const *tags;                  /* NULL-terminated, or NULL */
	const tldb_plugin_source *const *sources; /* NULL-terminated, or NULL */
	/* Seconds since 1970-01-01T00:00:00Z.  Exporters get the store's.
	 * Importers of minor 1 or later may set them (0: unset) to restore
	 * an event as another tldb wrote it: created and updated are kept
	 * when the uid is new, and sequence never goes below the one given,
	 * so calendar clients keep accepting the event's updates.  The host
	 * ignores them from importers built for minor 0. */
	int64_t created;
	int64_t updated;
	int64_t sequence;
	int64_t lo, hi; /* (export) the event's bounds [lo, hi) */
	/* ---- minor 2: recurring series (docs/PLUGINS.md, "Series") ----
	 * Importers: a series is one event with `recur`, its recurrence as
	 * iCalendar lines (RRULE, RDATE, EXDATE, '\n'-joined; TZIDs name
	 * IANA zones); a changed occurrence names its series' uid in
	 * `series` and the original start in `recurrence_id` (EDTF: a day, a
	 * local time in the series' zone, or a UTC time), its uid then being
	 * derived when NULL.  Exporters: an occurrence of a series, and a
	 * change, has `series` and `recurrence_id` set and `recur` NULL; with
	 * TLDB_FORMAT_SERIES a series comes once, with `recur`, instead of
	 * its occurrences.  Zero in structs of earlier minors. */
	const char *recur;
	const char *series;
	const char *recurrence_id;
	uint32_t recur_flags; /* TLDB_PLUGIN_RECUR_* */
	uint32_t reserved2;
} tldb_plugin_event;

/* recur_flags (as TLDB_RECUR_* in tldb.h). */
#define TLDB_PLUGIN_RECUR_THISANDFUTURE 1u
#define TLDB_PLUGIN_RECUR_CANCELLED     2u

/* A timeline's description. */
typedef struct tldb_plugin_timeline {
	uint32_t size;
	uint32_t reserved;
	const char *name;
	const char *title;
	const char *description;
	int64_t updated; /* (export) the newest change, seconds since 1970 */
} tldb_plugin_timeline;

/* A date parsed by the host. */
typedef struct tldb_plugin_date {
	uint32_t size;
	uint32_t precision;   /* TLDB_PLUGIN_PREC_*, the coarsest known end */
	uint32_t is_interval; /* 1 for A/B */
	uint32_t qualifiers;  /* 1 uncertain, 2 approximate */
	int64_t lo, hi;       /* bounds: seconds since 1970, [lo, hi) */
} tldb_plugin_date;

/* An option a format accepts (-o key=value). */
typedef struct tldb_plugin_option {
	uint32_t size;
	uint32_t type; /* TLDB_OPTION_* */
	const char *key;
	const char *default_value; /* NULL: no default */
	const char *help;
} tldb_plugin_option;

/* One importer or exporter. */
typedef struct tldb_plugin_format {
	uint32_t size;
	uint32_t kind;  /* TLDB_KIND_IMPORTER or TLDB_KIND_EXPORTER */
	uint32_t flags; /* TLDB_FORMAT_* */
	uint32_t reserved;
	const char *description;
	/* File extensions without the dot, lower case ("json"), and MIME
	 * types, lower case, parameters allowed ("text/html; charset=utf-8");
	 * both NULL-terminated.  An exporter's first extension and MIME type
	 * name what it writes (`tldb serve` uses them). */
	const char *const *extensions;
	const char *const *mime_types;
	const tldb_plugin_option *const *options; /* NULL-terminated, or NULL */
	/* Importers, optional: how sure the format is (0 no .. 100 certain)
	 * that an input starting with head[0..len) is its own.  Must be pure
	 * and fast; len may be anything from 0 to a few KiB. */
	int32_t (*probe)(const uint8_t *head, uint64_t len);
	/* Prepares an instance; *state is the plugin's (may stay NULL). */
	int32_t (*open)(tldb_run *run, void **state);
	/* Imports (reading with host->read, emitting with host->emit) or
	 * exports (pulling with host->next, writing with host->write).
	 * Returns TLDB_PLUGIN_OK or an error code after host->error. */
	int32_t (*run)(tldb_run *run, void *state);
	/* Releases the instance. */
	void (*close)(tldb_run *run, void *state);
} tldb_plugin_format;

/* What a plugin is. */
typedef struct tldb_plugin_info {
	uint32_t size;
	uint32_t
	        abi_major; /* TLDB_PLUGIN_ABI_MAJOR the plugin was built with */
	uint32_t abi_minor; /* TLDB_PLUGIN_ABI_MINOR */
	uint32_t reserved;
	const char *name; /* [a-z0-9][a-z0-9_-]*, unique among loaded plugins */
	const char *version;
	const char *description;
	const tldb_plugin_format *importer; /* NULL when none */
	const tldb_plugin_format *exporter; /* NULL when none */
} tldb_plugin_info;

/* The host's functions.  Test a function added after minor 0 with
 * TLDB_HOST_HAS before calling it. */
typedef struct tldb_host_api {
	uint32_t size;
	uint32_t abi_major;
	uint32_t abi_minor;
	uint32_t reserved;
	const char *host_version; /* the library's TLDB_VERSION_STRING, e.g.
	                             "0.1.0" */

	/* ---- minor 0 ---- */

	/* The value of option `key` (its default when not given), or NULL
	 * when the key is not set and has no default. */
	const char *(*option)(tldb_run *run, const char *key);

	/* Importers: reads up to len bytes of the input.  Returns the count
	 * read, 0 at the end, or a negative code on a read error. */
	int64_t (*read)(tldb_run *run, void *buf, uint64_t len);

	/* Importers: the 1-based line and column where the record about to be
	 * emitted starts; the host uses it in messages about that record. */
	void (*set_position)(tldb_run *run, int64_t line, int64_t column);

	/* Importers: hands over one event (borrowed for the call).  Returns
	 * TLDB_PLUGIN_OK to go on, TLDB_PLUGIN_STOP when the plugin must stop
	 * reading and return (the host has what it needs, or gave up). */
	int32_t (*emit)(tldb_run *run, const tldb_plugin_event *ev);

	/* Importers: the timeline the input describes (name, title,
	 * description); events without a timeline go there. */
	int32_t (*set_timeline)(tldb_run *run, const tldb_plugin_timeline *tl);

	/* Exporters: the next event, borrowed until the next call.  Returns 1
	 * with *ev set, 0 at the end, or a negative code on failure (the run
	 * must then return TLDB_PLUGIN_ERROR). */
	int32_t (*next)(tldb_run *run, const tldb_plugin_event **ev);

	/* Exporters: the timeline being exported, or NULL when the query spans
	 * several timelines.  Borrowed for the run. */
	const tldb_plugin_timeline *(*timeline)(tldb_run *run);

	/* Exporters: writes len bytes of output.  Returns TLDB_PLUGIN_OK or a
	 * negative code (the run must then return it). */
	int32_t (*write)(tldb_run *run, const void *buf, uint64_t len);

	/* Reports an error at a 1-based line and column of the input (0 when
	 * unknown); the message is copied.  For a bad record an importer then
	 * does as the answer says: TLDB_PLUGIN_OK, the host skips bad records
	 * (--on-error skip), so go on with the next record; TLDB_PLUGIN_STOP,
	 * the import is aborting, so return TLDB_PLUGIN_ERROR at once.  An
	 * error the plugin cannot go on after (a syntax error that loses the
	 * thread) is returned from run whatever the answer.  Exporters always
	 * get TLDB_PLUGIN_STOP. */
	int32_t (*error)(tldb_run *run, int32_t code, int64_t line,
	                 int64_t column, const char *msg);

	/* Reports a warning; the run goes on. */
	void (*warning)(tldb_run *run, int64_t line, int64_t column,
	                const char *msg);

	/* Parses an EDTF date; floating times are read in `zone` (NULL: UTC).
	 * Returns TLDB_PLUGIN_OK, or TLDB_PLUGIN_ERROR with a message in
	 * err[0..errsize). */
	int32_t (*parse_date)(const char *s, const char *zone,
	                      tldb_plugin_date *out, char *err,
	                      uint32_t errsize);

	/* The UTC instant of wall time `local` (seconds as if the wall clock
	 * were UTC) in IANA `zone`, per RFC 5545 (first of an overlap, the
	 * offset before a gap).  Returns TLDB_PLUGIN_OK or TLDB_PLUGIN_ERROR
	 * for an unknown zone. */
	int32_t (*zone_to_utc)(const char *zone, int64_t local, int64_t *utc);

	/* The UTC offset in seconds of `zone` at UTC instant `utc`. */
	int32_t (*zone_offset)(const char *zone, int64_t utc,
	                       int32_t *offset_seconds);

	/* The host's clock, seconds since 1970 (fixed in tests). */
	int64_t (*now)(tldb_run *run);

	/* Writes instant t as RFC 3339 UTC ("2022-09-15T05:00:00Z", years
	 * beyond 0000..9999 as EDTF writes them) into buf, NUL-terminated.
	 * Returns the length, or a negative code when size is too small (32
	 * bytes always suffice). */
	int32_t (*format_instant)(int64_t t, char *buf, uint32_t size);

	/* ---- minor 1 ---- */

	/* Importers: removes the event `uid` (one the input cancels, such as
	 * an iCalendar STATUS:CANCELLED), within the import, so it comes back
	 * if the import fails.  Only the timeline the import writes to is
	 * touched: the caller's, else the document's (timeline()), else the
	 * default one.  `uid` is used as given: a plugin that lets
	 * the host derive uids cannot name them.  Returns TLDB_PLUGIN_OK
	 * whether or not the event was stored, or TLDB_PLUGIN_STOP when the
	 * import is stopping (return TLDB_PLUGIN_ERROR at once). */
	int32_t (*remove)(tldb_run *run, const char *uid);
} tldb_host_api;

/* 1 when the host table `host` has function `fn` (a field name). */
#define TLDB_HOST_HAS(host, fn)                                                \
	((host)->size >= offsetof(tldb_host_api, fn) + sizeof((host)->fn) &&   \
	 (host)->fn != NULL)

/* The entry point every plugin defines, and its type. */
TLDB_PLUGIN_EXPORT int32_t TLDB_PLUGIN_ENTRY(const tldb_host_api *host,
                                             const tldb_plugin_info **out);
typedef int32_t (*tldb_plugin_entry_fn)(const tldb_host_api *host,
                                        const tldb_plugin_info **out);

#ifdef __cplusplus
}
#endif

#endif /* TLDB_PLUGIN_H */
