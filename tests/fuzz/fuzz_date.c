/*
 * fuzz_date.c -- the EDTF date parser and the range words of the command
 * line (include/tldb/date.h).
 *
 * The input's first line is the text; its second line, when there is one,
 * is the time zone floating times are read in (none: UTC):
 *
 *   2022-09-15T10:00/2022-09-16
 *   Europe/Berlin
 *
 * The text goes through tldb_date_parse(), and split at blanks into up to
 * four words through tldb_range_parse() (as `tldb query A B` reads them) and
 * each word through tldb_range_word() (--from, --to).  Promises checked
 * (abort() when broken): a failure is TLDB_EDATE, TLDB_EZONE or
 * TLDB_EINVAL and has a message; a parsed date formats, and its canonical
 * form parses again to the same bounds and precision and formats to
 * itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tldb/date.h"

#define FUZZ_NOW  INT64_C(1663243200) /* 2022-09-15T12:00:00Z */
#define MAX_WORDS 4

static void broken(const char *text, const char *why, const char *detail)
{
	fprintf(stderr, "fuzz_date: '%s': %s%s%s\n", text, why,
	        detail ? ": " : "", detail ? detail : "");
	abort();
}

static void check_failure(const char *text, int rc, const tldb_errbuf *err)
{
	if (rc != TLDB_EDATE && rc != TLDB_EZONE && rc != TLDB_EINVAL)
		broken(text, "unexpected code", tldb_err_name(rc));
	if (!err->msg[0])
		broken(text, "a failure without a message", NULL);
}

static void check_date(const char *text, const char *zone)
{
	tldb_date d, again;
	tldb_errbuf err = {"", 0};
	int rc = tldb_date_parse(text, zone, &d, &err);
	if (rc) {
		check_failure(text, rc, &err);
		return;
	}
	char canon[TLDB_DATE_STRMAX], canon2[TLDB_DATE_STRMAX];
	int n = tldb_date_format(&d, canon, sizeof canon);
	if (n <= 0 || (size_t)n >= sizeof canon)
		broken(text, "does not format", tldb_err_name(n));
	if (tldb_date_parse(canon, zone, &again, &err))
		broken(text, "its canonical form does not parse", canon);
	if (again.lo != d.lo || again.hi != d.hi ||
	    again.precision != d.precision ||
	    again.is_interval != d.is_interval)
		broken(text, "its canonical form means something else", canon);
	if (tldb_date_format(&again, canon2, sizeof canon2) != n ||
	    strcmp(canon, canon2) != 0)
		broken(text, "its canonical form is not canonical", canon);
}

static void check_words(char *text, const char *zone)
{
	const char *words[MAX_WORDS];
	size_t n = 0;
	for (char *w = strtok(text, " \t"); w && n < MAX_WORDS;
	     w = strtok(NULL, " \t"))
		words[n++] = w;
	tldb_errbuf err = {"", 0};
	int64_t lo, hi;
	int rc = tldb_range_parse(words, n, FUZZ_NOW, zone, &lo, &hi, &err);
	if (rc)
		check_failure(n ? words[0] : "", rc, &err);
	for (size_t i = 0; i < n; i++) {
		err.msg[0] = '\0';
		rc = tldb_range_word(words[i], FUZZ_NOW, zone, &lo, &hi, &err);
		if (rc)
			check_failure(words[i], rc, &err);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	const char *zone = NULL;
	char *nl = strchr(text, '\n');
	if (nl) {
		*nl = '\0';
		zone = nl + 1;
		char *end = strchr(nl + 1, '\n');
		if (end)
			*end = '\0';
	}
	(void)tldb_zone_exists(zone ? zone : "UTC");
	check_date(text, zone);
	check_words(text, zone);
	free(text);
	return 0;
}
