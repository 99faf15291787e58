/*
 * fuzz_ical.c -- the ical importer through the real import path: the
 * input, iCalendar (.ics) files, as calendar programs write them, is imported
 * by the bundled ical.so into a real database (import_harness.c).
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
	(void)fuzz_import("ical", data, size, NULL);
	return 0;
}
