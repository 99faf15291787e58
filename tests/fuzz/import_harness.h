/*
 * import_harness.h -- what the importer harnesses share: the real bundled
 * plugins loaded by the library's plugin host, and one real SQLite
 * database that every input is imported into through tldb_import().
 *
 * The database lives in a temporary folder (under /dev/shm when there is
 * one, else $TMPDIR or /tmp) made once per process and removed at exit.
 * Each input is written to an unlinked file in that folder and imported
 * from its descriptor, as `tldb import -` would; afterwards every timeline
 * (and so every event) is removed, so each input starts from an empty
 * database.  The plugins are loaded from $TLDB_PLUGIN_PATH when it is set,
 * else from the build tree's plugins folder (TLDB_BUILD_DIR).  With
 * $TLDB_FUZZ_VERBOSE set, each input's outcome goes to stderr (to check
 * that a seed input gets as far as it should).
 *
 * The promises checked on every input (abort() when broken, so the fuzzer
 * keeps the input): an import that fails in abort mode leaves the database
 * empty, and a failure always comes with a message.
 */
#ifndef TLDB_FUZZ_IMPORT_HARNESS_H
#define TLDB_FUZZ_IMPORT_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "tldb/plugins.h"

/* Loads the plugins and opens the database, once per process; aborts with a
 * message on stderr when it cannot (a harness without its plugin would
 * fuzz nothing).  Later calls do nothing. */
void fuzz_import_init(void);

/* Imports data[0..size) (borrowed) with the importer `plugin` and the
 * options in *opts (may be NULL: abort mode, no options; opts->plugin,
 * path and fd are ignored), checks the promises above, and empties the
 * database again.  Before that, the input's head goes through the probes
 * of every loaded importer, as an import without a named plugin does.
 * Returns what tldb_import returned. */
int fuzz_import(const char *plugin, const uint8_t *data, size_t size,
                const tldb_import_opts *opts);

/* Reads the option header the *_options harnesses put before the data:
 * lines at the start of the input of the forms
 *   -o KEY=VALUE      an importer option (as `tldb import -o`)
 *   --on-error=skip   skip mode (else abort)
 *   --timeline=NAME   every event into timeline NAME
 *   --batch=N         events per transaction in skip mode
 * up to the first line that is none of them, where the data starts.  Fills
 * *opts (its strings point into `store`, a buffer of at least `size` + 1
 * bytes the caller provides and keeps while *opts is used; keys and values
 * into the arrays keys[] and values[] of `max` entries each) and returns
 * the offset of the data in data[]. */
size_t fuzz_import_header(const uint8_t *data, size_t size, char *store,
                          const char **keys, const char **values, size_t max,
                          tldb_import_opts *opts);

#endif /* TLDB_FUZZ_IMPORT_HARNESS_H */
