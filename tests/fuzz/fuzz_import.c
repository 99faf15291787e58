/*
 * fuzz_import.c -- one bundled importer through the real import path: each
 * input is imported by the plugin FUZZ_IMPORTER (a string: "csv", "ical",
 * "json", "timelinejs", "article"), loaded with dlopen by the library's
 * plugin host, into a real database (import_harness.c).  CMake builds it
 * once per harness:
 *
 *   fuzz_ical, fuzz_csv, ...    the input is the file as programs write it
 *                               (fuzz_jsonl: JSON Lines for the json one);
 *   fuzz_NAME_options           with FUZZ_WITH_OPTIONS, the input starts
 *                               with option lines (fuzz_import_header():
 *                               -o KEY=VALUE, --on-error=skip,
 *                               --timeline=NAME, --batch=N) as `tldb
 *                               import` passes them; the rest is the data.
 *                               For csv: -o columns=, dayfirst=; for ical:
 *                               -o from=, to=, max-occurrences=, which bound
 *                               the expansion of recurrences; json declares
 *                               none, so the host's skip mode, batches and
 *                               --timeline vary.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "import_harness.h"

#ifndef FUZZ_IMPORTER
#error "FUZZ_IMPORTER names the importer, e.g. -DFUZZ_IMPORTER=\"csv\""
#endif

#define MAX_OPTIONS 8

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_import_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
#ifdef FUZZ_WITH_OPTIONS
	char *store = malloc(size + 1);
	if (!store)
		return 0;
	const char *keys[MAX_OPTIONS], *values[MAX_OPTIONS];
	tldb_import_opts o;
	size_t at = fuzz_import_header(data, size, store, keys, values,
	                               MAX_OPTIONS, &o);
	(void)fuzz_import(FUZZ_IMPORTER, data + at, size - at, &o);
	free(store);
#else
	(void)fuzz_import(FUZZ_IMPORTER, data, size, NULL);
#endif
	return 0;
}
