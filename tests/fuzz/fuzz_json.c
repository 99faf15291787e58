/*
 * fuzz_json.c -- the json importer through the real import path: the
 * input, tldb's JSON documents (the native document and a bare array), is
 * imported by the bundled json.so into a real database (import_harness.c).
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
	(void)fuzz_import("json", data, size, NULL);
	return 0;
}
