/*
 * fuzz_json_options.c -- import options through the real import path:
 * the input starts with option lines (fuzz_import_header() in
 * import_harness.h: -o KEY=VALUE, --on-error=skip, --timeline=NAME,
 * --batch=N), as `tldb import` passes them, and the rest is the data for
 * the JSON importer.  It declares no -o option (every one is refused), so
 * what varies is the host's: skip mode and its batches, and --timeline.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "import_harness.h"

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
	char *store = malloc(size + 1);
	if (!store)
		return 0;
	const char *keys[MAX_OPTIONS], *values[MAX_OPTIONS];
	tldb_import_opts o;
	size_t at = fuzz_import_header(data, size, store, keys, values,
	                               MAX_OPTIONS, &o);
	(void)fuzz_import("json", data + at, size - at, &o);
	free(store);
	return 0;
}
