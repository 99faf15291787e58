/*
 * fuzz_article.c -- the article importer through the real import path: the
 * input, news articles and blog posts (plain text, Markdown, HTML), is imported
 * by the bundled article.so into a real database (import_harness.c).
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
	(void)fuzz_import("article", data, size, NULL);
	return 0;
}
