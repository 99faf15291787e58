/*
 * fuzz_csv.c -- the csv importer through the real import path: the
 * input, CSV files with a header of field names, is imported by the bundled
 * csv.so into a real database (import_harness.c).
 */
#include "fuzz.h"
#include "import_harness.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_import_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)fuzz_import("csv", data, size, NULL);
	return 0;
}
