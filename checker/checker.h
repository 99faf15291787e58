/*
 * checker.h -- the plugin conformance checker behind `tldb plugins check`,
 * a small library of its own (checker/) that the command links: it loads a
 * plugin file into a registry of its own and runs every step that calls
 * plugin code in a forked child, so a crash or a hang is a failed check.
 *
 * It prints its report on stdout ("ok    WHAT", "FAIL  WHAT: REASON",
 * "skip  WHAT: REASON", then "N passed, M failed") and what keeps it from
 * running at all on stderr as "tldb: error: ...".
 */
#ifndef TLDB_CHECKER_H
#define TLDB_CHECKER_H

/* Checks the plugin file at path: with corpus_dir NULL the conformance
 * checks (loading, symbols, needed libraries, the exporter on generated
 * events, the importer on empty, cut and random inputs, the round trip);
 * else the loading check, then every file of corpus_dir through the
 * importer.  Borrows both strings.  Returns 0 when every check passed, 1
 * when any failed or the checker could not run. */
int checker_run(const char *path, const char *corpus_dir);

#endif /* TLDB_CHECKER_H */
