/*
 * test_article.c -- the article importer end to end: each test spawns the
 * real `tldb` binary (which dlopens the built article.so) to import an
 * article into a fresh database, then `tldb query --format json` and checks
 * the events with jansson: the seed article's acceptance dates, our own
 * small articles in tests/plugins/articles/ (plain text with a wire
 * dateline, Markdown, HTML), provenance (quote, spans, expr, doc_date,
 * resolver), uids stable across re-imports, the document-date error and
 * option, and bad inputs generated at test time (empty, binary, invalid
 * UTF-8, 100 MB without a newline, a 1 MB sentence): a clear error or
 * bounded work, never a crash, and the database unchanged after an error.
 */
#define _GNU_SOURCE /* nftw */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <jansson.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "plugins/helpers.h"

extern char **environ;

#define SEED     TLDB_SOURCE_DIR "/../shared/seeds/000_37c1d759f75072ca.txt"
#define ARTICLES TLDB_SOURCE_DIR "/tests/plugins/articles/"

TestSuite(article, .init = tmp_setup, .fini = tmp_teardown, .timeout = 300);

typedef struct result {
	int code; /* exit status, -1 when killed by a signal */
	char *out, *err;
} result;

/* Runs `tldb --db DB args...` with stdout and stderr into files. */
static result tldb_run_args(const char *const *args)
{
	const char *argv[32];
	size_t n = 0;
	argv[n++] = TLDB_BIN;
	argv[n++] = "--db";
	argv[n++] = tmp_path("t.db");
	for (size_t i = 0; args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, tmp_path("out"),
	                                 O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, tmp_path("err"),
	                                 O_WRONLY | O_CREAT | O_TRUNC, 0644);
	char *env[] = {"TLDB_NOW=2022-09-15T12:00:00Z", "TZ=UTC", NULL};
	pid_t pid;
	int rc = posix_spawn(&pid, TLDB_BIN, &fa, NULL, (char *const *)argv,
	                     env);
	posix_spawn_file_actions_destroy(&fa);
	cr_assert_eq(rc, 0, "cannot spawn %s", TLDB_BIN);
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	result r;
	r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	r.out = slurp(tmp_path("out"), NULL);
	r.err = slurp(tmp_path("err"), NULL);
	return r;
}

#define TLDB(...) tldb_run_args((const char *const[]){__VA_ARGS__, NULL})

static void result_free(result *r)
{
	free(r->out);
	free(r->err);
}

/* Imports path with the article plugin (extra options after it). */
#define IMPORT(...) TLDB("import", "--plugin", "article", __VA_ARGS__)

/* All events as a JSON array (the caller decrefs the document). */
static json_t *query_all(json_t **doc)
{
	result r = TLDB("query", "--format", "json");
	cr_assert_eq(r.code, 0, "query failed: %s", r.err);
	json_error_t je;
	*doc = json_loads(r.out, 0, &je);
	cr_assert_not_null(*doc, "bad JSON: %s\n%s", je.text, r.out);
	result_free(&r);
	json_t *evs = json_object_get(*doc, "events");
	cr_assert(json_is_array(evs));
	return evs;
}

static const char *str(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : "";
}

static json_t *source0(json_t *ev)
{
	return json_array_get(json_object_get(ev, "sources"), 0);
}

/* The event whose expr is `expr` and whose quote holds `words`. */
static json_t *find(json_t *evs, const char *expr, const char *words)
{
	size_t i;
	json_t *ev;
	json_array_foreach(evs, i, ev)
	{
		json_t *s = source0(ev);
		if (strcmp(str(s, "expr"), expr) == 0 &&
		    (!words || strstr(str(s, "quote"), words)))
			return ev;
	}
	return NULL;
}

/* Asserts an event (expr, words in its sentence) with start and end
 * ("" for none). */
static json_t *expect_event(json_t *evs, const char *expr, const char *words,
                            const char *start, const char *end)
{
	json_t *ev = find(evs, expr, words);
	cr_assert_not_null(ev, "no event for [%s] in a sentence with [%s]",
	                   expr, words ? words : "");
	cr_expect_str_eq(str(ev, "start"), start, "[%s]: start %s, want %s",
	                 expr, str(ev, "start"), start);
	cr_expect_str_eq(str(ev, "end"), end, "[%s]: end %s, want %s", expr,
	                 str(ev, "end"), end);
	return ev;
}

static size_t count(void)
{
	if (access(tmp_path("t.db"), F_OK) != 0)
		return 0; /* nothing was ever stored */
	json_t *doc;
	size_t n = json_array_size(query_all(&doc));
	json_decref(doc);
	return n;
}

/* ---- acceptance on the seed article ---- */

Test(article, seed_article)
{
	if (access(SEED, R_OK) != 0)
		cr_skip_test("the seed article is not on this machine");
	result r = IMPORT(SEED);
	cr_assert_eq(r.code, 0, "import failed: %s", r.err);
	result_free(&r);
	json_t *doc;
	json_t *evs = query_all(&doc);
	json_t *ev = expect_event(evs, "on Thursday", "Uzbekistan",
	                          "2022-09-15", "");
	cr_expect(strstr(str(ev, "title"), "Xi Jinping") != NULL);
	expect_event(evs, "in February", "Beijing Winter Olympics", "2022-02",
	             "");
	expect_event(evs, "last month", "Gazprom", "2022-08", "");
	expect_event(evs, "in 2001", "SCO", "2001", "");
	ev = expect_event(evs, "last week", "military exercises", "2022-09-05",
	                  "2022-09-11");
	json_t *s = source0(ev);
	cr_expect_str_eq(str(s, "doc_date"), "2022-09-15");
	cr_expect_str_eq(str(s, "plugin"), "article");
	cr_expect_str_eq(str(s, "resolver"), "last-week");
	cr_expect(strncmp(str(s, "url"), "https://www.themoscowtimes.com/",
	                  31) == 0,
	          "%s", str(s, "url"));
	cr_expect(strstr(str(s, "url"), " ") == NULL);
	cr_expect(strstr(str(s, "title"), "Uneasy Allies") != NULL);
	/* the spans point into the input */
	size_t len;
	char *in = slurp(SEED, &len);
	json_t *xs = json_object_get(s, "expr_span");
	size_t xb = (size_t)json_integer_value(json_array_get(xs, 0));
	size_t xe = (size_t)json_integer_value(json_array_get(xs, 1));
	cr_assert(xe <= len && xb < xe);
	cr_expect(strncmp(in + xb, "last week", xe - xb) == 0);
	json_t *sp = json_object_get(s, "span");
	size_t sb = (size_t)json_integer_value(json_array_get(sp, 0));
	cr_expect(strncmp(in + sb, "China last week", 15) == 0);
	free(in);
	/* the dateline itself is the document's date, not an event */
	size_t i;
	json_t *e;
	json_array_foreach(evs, i, e)
	{
		cr_expect(json_object_get(source0(e), "span") &&
		                  json_integer_value(json_array_get(
		                          json_object_get(source0(e), "span"),
		                          0)) > 100,
		          "an event from the dateline: %s", str(e, "title"));
		cr_expect_leq(strlen(str(e, "title")), 3 * 120);
	}
	json_decref(doc);
}

Test(article, reimport_changes_nothing)
{
	result r = IMPORT(ARTICLES "wire.txt");
	cr_assert_eq(r.code, 0, "%s", r.err);
	result_free(&r);
	size_t n = count();
	cr_assert_gt(n, 5);
	r = IMPORT(ARTICLES "wire.txt");
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_expect(strstr(r.err, "0 events written") != NULL, "%s", r.err);
	result_free(&r);
	cr_expect_eq(count(), n);
}

/* ---- our own articles ---- */

Test(article, wire_story)
{
	result r = IMPORT(ARTICLES "wire.txt");
	cr_assert_eq(r.code, 0, "%s", r.err);
	result_free(&r);
	json_t *doc;
	json_t *evs = query_all(&doc);
	/* dateline March 3, 2021, a Wednesday */
	json_t *ev =
	        expect_event(evs, "on Friday", "Ministers", "2021-03-05", "");
	cr_expect_str_eq(str(ev, "title"), "Ministers will meet on Friday to "
	                                   "discuss the damage");
	expect_event(evs, "on Wednesday", "officials said", "2021-03-03", "");
	expect_event(evs, "on Monday", "storm hit", "2021-03-01", "");
	expect_event(evs, "yesterday", "U.S. envoy", "2021-03-02", "");
	expect_event(evs, "the 1990s", "Rainfall", "1990", "1999");
	expect_event(evs, "in October 2019", NULL, "2019-10", "");
	expect_event(evs, "from February to April 2014", NULL, "2014-02",
	             "2014-04");
	expect_event(evs, "next month", NULL, "2021-04", "");
	expect_event(evs, "last year", "We saw nothing", "2020", "");
	expect_event(evs, "in June", "Rebuilding", "2021-06", "");
	/* durations and sets are no dates */
	cr_expect_null(find(evs, "six months", NULL));
	cr_expect_null(find(evs, "every household", NULL));
	json_decref(doc);
}

Test(article, markdown_post)
{
	result r = IMPORT(ARTICLES "blog.md");
	cr_assert_eq(r.code, 0, "%s", r.err);
	result_free(&r);
	json_t *doc;
	json_t *evs = query_all(&doc);
	json_t *ev = expect_event(evs, "today", "harbour reopened",
	                          "2020-06-01", "");
	json_t *s = source0(ev);
	cr_expect_str_eq(str(s, "url"),
	                 "https://example.org/news/harbour-reopens");
	cr_expect_str_eq(str(s, "title"), "Harbour reopens after two-year "
	                                  "refit");
	cr_expect(strstr(str(s, "quote"), "**") == NULL);
	expect_event(evs, "in May 2018", NULL, "2018-05", "");
	expect_event(evs, "on 30 May", "ferry", "2020-05-30", "");
	expect_event(evs, "in the past three months", NULL, "2020-03-01",
	             "2020-06-01");
	expect_event(evs, "next week", "review fees", "2020-06-08",
	             "2020-06-14");
	json_decref(doc);
}

Test(article, html_page)
{
	result r = IMPORT(ARTICLES "page.html");
	cr_assert_eq(r.code, 0, "%s", r.err);
	result_free(&r);
	json_t *doc;
	json_t *evs = query_all(&doc);
	cr_expect_eq(json_array_size(evs), 4);
	/* published Wednesday 2019-11-20 */
	json_t *ev =
	        expect_event(evs, "on Tuesday", "approved", "2019-11-19", "");
	json_t *s = source0(ev);
	cr_expect_str_eq(str(s, "url"),
	                 "https://example.org/2019/council-budget");
	cr_expect_str_eq(str(s, "title"), "Council votes on budget");
	cr_expect_str_eq(str(s, "doc_date"), "2019-11-20");
	expect_event(evs, "in March", "rejected", "2019-03", "");
	expect_event(evs, "on Dec. 4", NULL, "2019-12-04", "");
	/* scripts and navigation are not read */
	cr_expect_null(find(evs, "December 1, 2018", NULL));
	cr_expect_null(find(evs, "January 1, 2000", NULL));
	json_decref(doc);
}

/* ---- the document date ---- */

Test(article, no_document_date_is_an_error)
{
	write_text(tmp_path("a.txt"), "A headline\n\nOfficials met on Monday "
	                              "and will meet again next week.\n");
	result r = IMPORT(tmp_path("a.txt"));
	cr_expect_eq(r.code, 1);
	cr_expect(strstr(r.err, "tldb: error: ") != NULL, "%s", r.err);
	cr_expect(strstr(r.err, "a.txt:1:1:") != NULL, "%s", r.err);
	cr_expect(strstr(r.err, "-o doc-date") != NULL, "%s", r.err);
	result_free(&r);
	cr_expect_eq(count(), 0);

	r = IMPORT(tmp_path("a.txt"), "-o", "doc-date=2022-09-15", "-o",
	           "url=https://example.org/a");
	cr_assert_eq(r.code, 0, "%s", r.err);
	result_free(&r);
	json_t *doc;
	json_t *evs = query_all(&doc);
	json_t *ev = expect_event(evs, "on Monday", NULL, "2022-09-12", "");
	cr_expect_str_eq(str(source0(ev), "url"), "https://example.org/a");
	expect_event(evs, "next week", NULL, "2022-09-19", "2022-09-25");
	json_decref(doc);

	r = IMPORT(tmp_path("a.txt"), "-o", "doc-date=2022-09");
	cr_expect_eq(r.code, 1);
	cr_expect(strstr(r.err, "doc-date") != NULL, "%s", r.err);
	result_free(&r);
}

/* ---- bad input ---- */

static void expect_refused(const char *name, const char *what)
{
	size_t before = count();
	result r = IMPORT(tmp_path(name));
	cr_expect_eq(r.code, 1, "%s: exit %d: %s", name, r.code, r.err);
	cr_expect(strstr(r.err, "tldb: error: ") != NULL, "%s", r.err);
	cr_expect(strstr(r.err, what) != NULL, "%s: want [%s] in %s", name,
	          what, r.err);
	result_free(&r);
	cr_expect_eq(count(), before);
}

Test(article, empty_binary_and_invalid_utf8)
{
	write_text(tmp_path("empty.txt"), "");
	expect_refused("empty.txt", "empty input");
	write_text(tmp_path("blank.txt"), " \n\n \t\n");
	expect_refused("blank.txt", "empty input");
	FILE *f = fopen(tmp_path("bin.txt"), "wb");
	for (int i = 0; i < 4096; i++)
		fputc((i * 7919) & 0xFF, f);
	fclose(f);
	expect_refused("bin.txt", "bin.txt:1:1:");
	write_text(tmp_path("latin1.txt"),
	           "Title\nSeptember 15, 2022\n\nCaf\xE9 opened today.\n");
	expect_refused("latin1.txt", "latin1.txt:4:4: invalid UTF-8");
}

/* A file of `size` bytes of prose without a newline, a date now and then. */
static void write_big(const char *path, size_t size, int sentences)
{
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f);
	const char *head = "September 15, 2022 ";
	fputs(head, f);
	size_t n = strlen(head);
	const char *chunk = sentences
	                            ? "The council met on Monday and will meet "
	                              "again in February 2023. "
	                            : "and the council met on Monday then ";
	size_t cl = strlen(chunk);
	while (n + cl < size) {
		fputs(chunk, f);
		n += cl;
	}
	fclose(f);
}

Test(article, hundred_megabytes_without_newline)
{
	write_big(tmp_path("big.txt"), 100u * 1024 * 1024, 1);
	time_t t0 = time(NULL);
	expect_refused("big.txt", "too large");
	cr_expect_lt(time(NULL) - t0, 60);
}

Test(article, megabyte_sentence_is_bounded_work)
{
	write_big(tmp_path("long.txt"), 1024 * 1024, 0);
	time_t t0 = time(NULL);
	result r = IMPORT(tmp_path("long.txt"));
	cr_expect_eq(r.code, 0, "%s", r.err);
	result_free(&r);
	cr_expect_lt(time(NULL) - t0, 60);
	json_t *doc;
	json_t *evs = query_all(&doc);
	cr_expect_gt(json_array_size(evs), 100);
	json_t *ev = json_array_get(evs, 0);
	cr_expect_leq(strlen(str(ev, "body")), 8192);
	json_decref(doc);
}

/* ---- events as anchors, times of day, datelines ---- */

static void check_anchors_article(json_t *evs)
{
	/* Fri 2022-08-26; "the war, which began on 24 February" */
	expect_event(evs, "on 24 February", "which began", "2022-02-24", "");
	json_t *ev = expect_event(evs, "In the first five months of the war",
	                          "20 million", "2022-02-24", "2022-07-23");
	cr_expect_str_eq(str(source0(ev), "resolver"),
	                 "first-units-of+anchor:war");
	expect_event(evs, "Six weeks into the war", NULL, "2022-04-07", "");
	expect_event(evs, "Three months after the invasion", NULL, "2022-05-24",
	             "");
	ev = expect_event(evs, "on Aug. 1 at 8:30 a.m. local time", NULL,
	                  "2022-08-01T08:30", "");
	cr_expect_str_eq(str(ev, "tz"), "");
	expect_event(evs, "on Aug. 5 at 10:00 GMT", NULL, "2022-08-05T10:00Z",
	             "");
	expect_event(evs, "on Monday at 3 p.m. CEST", "Istanbul",
	             "2022-08-29T15:00+02:00", "");
	/* seasons: no EDTF for them here, so nothing */
	cr_expect_null(find(evs, "2021", NULL));
	cr_expect_null(find(evs, "in the autumn of 2021", NULL));
	size_t i;
	json_array_foreach(evs, i, ev)
	{
		const char *q = str(source0(ev), "quote");
		/* the byline and update lines are no events; the drought and
		 * the strike were never dated */
		cr_expect(strstr(q, "Maria Lenz") == NULL, "byline: %s", q);
		cr_expect(strstr(q, "Updated") == NULL, "update line: %s", q);
		cr_expect(strstr(q, "drought") == NULL, "undated: %s", q);
	}
	cr_expect_eq(json_array_size(evs), 7, "%zu events",
	             json_array_size(evs));
}

Test(article, anchors_times_and_bylines)
{
	result r = IMPORT(ARTICLES "anchors.txt");
	cr_assert_eq(r.code, 0, "%s", r.err);
	result_free(&r);
	json_t *doc;
	check_anchors_article(query_all(&doc));
	json_decref(doc);
}

Test(article, doc_date_option_keeps_the_byline_out)
{
	/* the same with the date given: the byline's date is still no
	 * event (it used to be one whenever -o doc-date was given) */
	result r = IMPORT(ARTICLES "anchors.txt", "-o", "doc-date=2022-08-26");
	cr_assert_eq(r.code, 0, "%s", r.err);
	result_free(&r);
	json_t *doc;
	json_t *evs = query_all(&doc);
	check_anchors_article(evs);
	cr_expect_null(find(evs, "Aug. 26, 2022", NULL));
	json_decref(doc);
}
