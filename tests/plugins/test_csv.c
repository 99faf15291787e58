/*
 * test_csv.c -- the csv plugin through the real host API (tldb_plugins_load
 * of the built csv.so, tldb_import and tldb_export on temporary databases)
 * and through the real `tldb` command: RFC 4180 fields (quotes, commas,
 * embedded line ends, "" escapes, CR LF and LF, a byte order mark), header
 * mapping with -o columns, numeric dates and -o dayfirst, the positions of
 * bad records (abort stores nothing, skip stores the rest), invalid UTF-8,
 * oversized fields, export quoting, byte-identical round trips, the
 * benchmark's 20,000 events and `tldb plugins check`.
 */
#define _GNU_SOURCE /* nftw */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plugins/helpers.h"

#define GEN_EVENTS TLDB_SOURCE_DIR "/../shared/bench/gen_events.py"

TestSuite(csv, .init = tmp_setup, .fini = tmp_teardown, .timeout = 240);

/* ---- helpers ---- */

static tldb_plugins *csv_registry(void)
{
	tldb_plugins *p = new_registry();
	load_ok(p, BUILD_PLUGIN("csv"));
	return p;
}

/* Imports `path` with the csv plugin; kv: option key, value, ..., NULL. */
static int import_csv(tldb *db, tldb_plugins *p, const char *path,
                      tldb_on_error mode, const char *const *kv, reports *r,
                      tldb_import_stats *st, tldb_msgbuf *err)
{
	const char *keys[8], *values[8];
	size_t n = 0;
	for (; kv && kv[2 * n] && n < 8; n++) {
		keys[n] = kv[2 * n];
		values[n] = kv[2 * n + 1];
	}
	tldb_import_opts o;
	memset(&o, 0, sizeof o);
	o.plugin = "csv";
	o.path = path;
	o.fd = -1;
	o.name = "in.csv";
	o.option_keys = keys;
	o.option_values = values;
	o.noptions = n;
	o.on_error = mode;
	o.report = r ? collect : NULL;
	o.ud = r;
	memset(err, 0, sizeof *err);
	return tldb_import(db, p, &o, st, err);
}

/* Writes text to `name` in the test folder and imports it (abort mode). */
static int import_text(tldb *db, tldb_plugins *p, const char *name,
                       const char *text, const char *const *kv,
                       tldb_msgbuf *err)
{
	write_text(tmp_path(name), text);
	return import_csv(db, p, tmp_path(name), TLDB_ON_ERROR_ABORT, kv, NULL,
	                  NULL, err);
}

/* Everything as CSV (the caller frees). */
static char *export_csv(tldb *db, tldb_plugins *p)
{
	sink out;
	memset(&out, 0, sizeof out);
	sink_write(&out, "", 0);
	tldb_export_opts eo;
	memset(&eo, 0, sizeof eo);
	eo.format = "csv";
	eo.write = sink_write;
	eo.ud = &out;
	tldb_msgbuf err;
	cr_assert_eq(tldb_export(db, p, &eo, NULL, &err), TLDB_OK, "%s",
	             err.msg);
	return out.buf;
}

/* Checks one stored field of event `uid` (want NULL: absent). */
static void expect_field(tldb *db, const char *uid, const char *field,
                         const char *want)
{
	tldb_event *ev = NULL;
	cr_assert_eq(tldb_get(db, uid, &ev), TLDB_OK, "no event %s", uid);
	const char *got = strcmp(field, "title") == 0      ? ev->title
	                  : strcmp(field, "start") == 0    ? ev->start
	                  : strcmp(field, "end") == 0      ? ev->end
	                  : strcmp(field, "body") == 0     ? ev->body
	                  : strcmp(field, "location") == 0 ? ev->location
	                  : strcmp(field, "url") == 0      ? ev->url
	                  : strcmp(field, "tz") == 0       ? ev->tz
	                                                   : "?";
	if (want)
		cr_expect(got && strcmp(got, want) == 0,
		          "%s.%s: got [%s], want [%s]", uid, field,
		          got ? got : "(null)", want);
	else
		cr_expect(!got || !*got, "%s.%s: got [%s], want none", uid,
		          field, got);
	tldb_event_free(ev);
}

static void expect_tags(tldb *db, const char *uid, const char *const *want)
{
	tldb_event *ev = NULL;
	cr_assert_eq(tldb_get(db, uid, &ev), TLDB_OK, "no event %s", uid);
	size_t n = 0;
	while (want[n])
		n++;
	cr_expect_eq(ev->ntags, n, "%s: %zu tags", uid, ev->ntags);
	for (size_t i = 0; i < n && i < ev->ntags; i++)
		cr_expect_str_eq(ev->tags[i], want[i]);
	tldb_event_free(ev);
}

/* The result of running the tldb command. */
typedef struct proc {
	int code;
	char *out, *err;
} proc;

extern char **environ;

/* Runs TLDB_BIN with args (NULL-terminated), stdout and stderr to files. */
static proc run_tldb(const char *const *args)
{
	char *argv[32];
	size_t argc = 0;
	argv[argc++] = (char *)TLDB_BIN;
	for (size_t i = 0; args[i] && argc < 31; i++)
		argv[argc++] = (char *)args[i];
	argv[argc] = NULL;
	char out_path[512], err_path[512];
	snprintf(out_path, sizeof out_path, "%s", tmp_path("cmd.out"));
	snprintf(err_path, sizeof err_path, "%s", tmp_path("cmd.err"));
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, out_path,
	                                 O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, err_path,
	                                 O_WRONLY | O_CREAT | O_TRUNC, 0644);
	pid_t pid;
	int rc = posix_spawn(&pid, TLDB_BIN, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	cr_assert_eq(rc, 0, "cannot spawn %s: %s", TLDB_BIN, strerror(rc));
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	proc r = {WIFEXITED(status) ? WEXITSTATUS(status) : -1,
	          slurp(out_path, NULL), slurp(err_path, NULL)};
	return r;
}

static void proc_free(proc *r)
{
	free(r->out);
	free(r->err);
}

/* ---- RFC 4180 fields ---- */

Test(csv, quoted_fields_commas_and_escaped_quotes)
{
	tldb_plugins *p = csv_registry();
	tldb *db = open_db(tmp_path("t.db"));
	tldb_msgbuf err;
	const char *text =
	        "uid,title,start,end,tz,location,tags,url,body\n"
	        "q1,\"Meeting, with \"\"Bob\"\"\",2022-09-15,,,"
	        "\"Samarkand, Uzbekistan\",\"a,b;c\",https://x.org/?a=1,\"\"\n"
	        "q2,\"\"\"\",2022-09-16,2022-09-17,,,,, spaced \n";
	cr_assert_eq(import_text(db, p, "q.csv", text, NULL, &err), TLDB_OK,
	             "%s", err.msg);
	expect_field(db, "q1", "title", "Meeting, with \"Bob\"");
	expect_field(db, "q1", "location", "Samarkand, Uzbekistan");
	expect_field(db, "q1", "url", "https://x.org/?a=1");
	expect_field(db, "q1", "body", NULL);
	expect_field(db, "q1", "end", NULL);
	expect_tags(db, "q1", (const char *const[]){"a,b", "c", NULL});
	expect_field(db, "q2", "title", "\"");
	expect_field(db, "q2", "end", "2022-09-17");
	/* spaces are part of an unquoted field (RFC 4180) */
	expect_field(db, "q2", "body", " spaced ");
	cr_expect_eq(count_events(db), 2);
	tldb_close(db);
	tldb_plugins_free(p);
}

Test(csv, embedded_newlines_keep_the_next_record_line_right)
{
	tldb_plugins *p = csv_registry();
	tldb *db = open_db(tmp_path("t.db"));
	tldb_msgbuf err;
	/* record 2 spans lines 3..5; record 3 starts on line 6 */
	const char *text = "uid,title,start,body\r\n"
	                   "n1,one,2022-01-01,plain\r\n"
	                   "n2,two,2022-01-02,\"first\r\nsecond\nthird\"\r\n"
	                   "n3,three,2022-99-03,x\r\n";
	cr_assert_eq(import_text(db, p, "n.csv", text, NULL, &err),
	             TLDB_EPLUGIN);
	cr_expect_eq(err.line, 6, "line %lld: %s", (long long)err.line,
	             err.msg);
	cr_expect_eq(err.column, 10, "column %lld: %s", (long long)err.column,
	             err.msg);
	cr_expect_not_null(strstr(err.msg, "start"), "%s", err.msg);
	cr_expect_eq(count_events(db), 0);

	/* fixed, the embedded line ends are kept as written */
	const char *good = "uid,title,start,body\r\n"
	                   "n1,one,2022-01-01,plain\r\n"
	                   "n2,two,2022-01-02,\"first\r\nsecond\nthird\"\r\n"
	                   "n3,three,2022-01-03,x\r\n";
	cr_assert_eq(import_text(db, p, "n.csv", good, NULL, &err), TLDB_OK,
	             "%s", err.msg);
	expect_field(db, "n2", "body", "first\r\nsecond\nthird");
	expect_field(db, "n3", "title", "three");
	tldb_close(db);
	tldb_plugins_free(p);
}

Test(csv, crlf_lf_and_a_byte_order_mark)
{
	tldb_plugins *p = csv_registry();
	const char *const inputs[] = {
	        "uid,title,start\r\nc1,one,2022-01-01\r\nc2,two,2022-01-02\r\n",
	        "uid,title,start\nc1,one,2022-01-01\nc2,two,2022-01-02\n",
	        "uid,title,start\nc1,one,2022-01-01\r\nc2,two,2022-01-02",
	        "\xEF\xBB\xBFuid,title,start\r\nc1,one,2022-01-01\r\n\r\n"
	        "c2,two,2022-01-02\r\n",
	};
	for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
		char name[32];
		snprintf(name, sizeof name, "t%zu.db", i);
		tldb *db = open_db(tmp_path(name));
		tldb_msgbuf err;
		cr_assert_eq(import_text(db, p, "e.csv", inputs[i], NULL, &err),
		             TLDB_OK, "input %zu: %s", i, err.msg);
		cr_expect_eq(count_events(db), 2, "input %zu", i);
		/* the uid column was found: the BOM is not part of its name */
		expect_field(db, "c1", "title", "one");
		expect_field(db, "c2", "title", "two");
		tldb_close(db);
	}
	tldb_plugins_free(p);
}

Test(csv, empty_input_and_header_only_import_nothing)
{
	tldb_plugins *p = csv_registry();
	tldb *db = open_db(tmp_path("t.db"));
	tldb_msgbuf err;
	cr_expect_eq(import_text(db, p, "a.csv", "", NULL, &err), TLDB_OK, "%s",
	             err.msg);
	cr_expect_eq(import_text(db, p, "b.csv", "title,start\r\n", NULL, &err),
	             TLDB_OK, "%s", err.msg);
	/* a spreadsheet's trailing rows of empty cells are passed over */
	cr_expect_eq(import_text(db, p, "c.csv",
	                         "title,start\r\nx,2022-01-01\r\n,\r\n,\r\n",
	                         NULL, &err),
	             TLDB_OK, "%s", err.msg);
	cr_expect_eq(count_events(db), 1);
	tldb_close(db);
	tldb_plugins_free(p);
}

Test(csv, a_syntax_error_is_positioned_and_ends_even_skip)
{
	tldb_plugins *p = csv_registry();
	tldb *db = open_db(tmp_path("t.db"));
	tldb_msgbuf err;
	write_text(tmp_path("s.csv"), "title,start\nok,2022-01-01\n"
	                              "b\"ad,2022-01-02\nok2,2022-01-03\n");
	cr_assert_eq(import_csv(db, p, tmp_path("s.csv"), TLDB_ON_ERROR_SKIP,
	                        NULL, NULL, NULL, &err),
	             TLDB_EPLUGIN);
	cr_expect_eq(err.line, 3);
	cr_expect_eq(err.column, 2);
	cr_expect_not_null(strstr(err.msg, "quote"), "%s", err.msg);
	/* skip keeps what came before an error the plugin cannot go on
	 * after (the host's rule), and nothing after it */
	cr_expect_eq(count_events(db), 1);
	cr_expect(!has_title(db, "ok2"));
	/* a quote never closed */
	write_text(tmp_path("u.csv"), "title,start\nok,2022-01-01\n"
	                              "\"open,2022-01-02\nmore\n");
	cr_assert_eq(import_csv(db, p, tmp_path("u.csv"), TLDB_ON_ERROR_ABORT,
	                        NULL, NULL, NULL, &err),
	             TLDB_EPLUGIN);
	cr_expect_eq(err.line, 3);
	cr_expect_eq(err.column, 1);
	cr_expect_eq(count_events(db), 1);
	tldb_close(db);
	tldb_plugins_free(p);
}

/* ---- the header ---- */

Test(csv, columns_option_maps_a_spreadsheet_header)
{
	tldb_plugins *p = csv_registry();
	tldb *db = open_db(tmp_path("t.db"));
	tldb_msgbuf err;
	reports r;
	memset(&r, 0, sizeof r);
	write_text(tmp_path("s.csv"),
	           "Date,Headline,Where,Notes,Keywords\r\n"
	           "2022-09-15,SCO summit,Samarkand,long text,sco;china\r\n");
	int rc = import_csv(
	        db, p, tmp_path("s.csv"), TLDB_ON_ERROR_ABORT,
	        (const char *const[]){"columns",
	                              "Date:start, Headline:title,"
	                              "where:location,Notes:body,Keywords:tags",
	                              NULL},
	        &r, NULL, &err);
	cr_assert_eq(rc, TLDB_OK, "%s", err.msg);
	cr_expect_eq(r.count, 0, "no warning expected: %s", r.text);
	cr_expect_eq(count_events(db), 1);
	cr_expect(has_title(db, "SCO summit"));
	tldb_close(db);

	/* a mapping that names no column, and an unknown field */
	db = open_db(tmp_path("t2.db"));
	rc = import_csv(db, p, tmp_path("s.csv"), TLDB_ON_ERROR_ABORT,
	                (const char *const[]){"columns", "Datum:start", NULL},
	                NULL, NULL, &err);
	cr_expect_eq(rc, TLDB_EPLUGIN);
	cr_expect_not_null(strstr(err.msg, "no column 'Datum'"), "%s", err.msg);
	rc = import_csv(db, p, tmp_path("s.csv"), TLDB_ON_ERROR_ABORT,
	                (const char *const[]){"columns", "Date:when", NULL},
	                NULL, NULL, &err);
	cr_expect_eq(rc, TLDB_EPLUGIN);
	cr_expect_not_null(strstr(err.msg, "unknown field 'when'"), "%s",
	                   err.msg);
	cr_expect_eq(count_events(db), 0);
	tldb_close(db);
	tldb_plugins_free(p);
}

Test(csv, unknown_columns_give_one_warning_listing_them)
{
	tldb_plugins *p = csv_registry();
	tldb *db = open_db(tmp_path("t.db"));
	tldb_msgbuf err;
	tldb_import_stats st;
	reports r;
	memset(&r, 0, sizeof r);
	write_text(tmp_path("w.csv"), "Title,Colour,START,Weight\n"
	                              "a,red,2022-01-01,3\n"
	                              "b,blue,2022-01-02,4\n");
	cr_assert_eq(import_csv(db, p, tmp_path("w.csv"), TLDB_ON_ERROR_ABORT,
	                        NULL, &r, &st, &err),
	             TLDB_OK, "%s", err.msg);
	cr_expect_eq(st.warnings, 1);
	cr_expect_eq(r.count, 1, "%s", r.text);
	cr_expect_not_null(strstr(r.text, "in.csv:1:1: warning:"), "%s",
	                   r.text);
	cr_expect_not_null(strstr(r.text, "Colour, Weight"), "%s", r.text);
	cr_expect_eq(count_events(db), 2);
	/* NAME:- silences one */
	memset(&r, 0, sizeof r);
	cr_assert_eq(import_csv(db, p, tmp_path("w.csv"), TLDB_ON_ERROR_ABORT,
	                        (const char *const[]){
	                                "columns", "Colour:-,Weight:-", NULL},
	                        &r, &st, &err),
	             TLDB_OK, "%s", err.msg);
	cr_expect_eq(r.count, 0, "%s", r.text);
	tldb_close(db);
	tldb_plugins_free(p);
}

Test(csv, a_missing_required_column_is_an_error_at_line_1)
{
	tldb_plugins *p = csv_registry();
	tldb *db = open_db(tmp_path("t.db"));
	tldb_msgbuf err;
	int rc = import_text(db, p, "m.csv", "title,date\nx,2022-01-01\n", NULL,
	                     &err);
	cr_expect_eq(rc, TLDB_EPLUGIN);
	cr_expect_eq(err.line, 1);
	cr_expect_eq(err.column, 1);
	cr_expect_not_null(strstr(err.msg, "no start column"), "%s", err.msg);
	rc = import_text(db, p, "m2.csv", "uid,start\n1,2022-01-01\n", NULL,
	                 &err);
	cr_expect_eq(rc, TLDB_EPLUGIN);
	cr_expect_eq(err.line, 1);
	cr_expect_not_null(strstr(err.msg, "no title column"), "%s", err.msg);
	cr_expect_eq(count_events(db), 0);
	tldb_close(db);
	tldb_plugins_free(p);
}

Test(csv, a_record_with_the_wrong_number_of_fields)
{
	tldb_plugins *p = csv_registry();
	tldb *db = open_db(tmp_path("t.db"));
	tldb_msgbuf err;
	int rc = import_text(db, p, "f.csv",
	                     "title,start\nx,2022-01-01\ny,2022-01-02,z\n",
	                     NULL, &err);
	cr_expect_eq(rc, TLDB_EPLUGIN);
	cr_expect_eq(err.line, 3);
	cr_expect_not_null(strstr(err.msg, "3 fields"), "%s", err.msg);
	cr_expect_eq(count_events(db), 0);
	tldb_close(db);
	tldb_plugins_free(p);
}

/* ---- dates ---- */

static void import_date(tldb_plugins *p, const char *date, const char *dayfirst,
                        const char *want)
{
	static int n;
	char name[32], text[200];
	snprintf(name, sizeof name, "d%d.db", n++);
	tldb *db = open_db(tmp_path(name));
	snprintf(text, sizeof text, "uid,title,start\nd,x,%s\n", date);
	const char *const kv[] = {"dayfirst", dayfirst, NULL};
	tldb_msgbuf err;
	int rc = import_text(db, p, "d.csv", text, dayfirst ? kv : NULL, &err);
	cr_assert_eq(rc, TLDB_OK, "%s (dayfirst %s): %s", date,
	             dayfirst ? dayfirst : "unset", err.msg);
	expect_field(db, "d", "start", want);
	tldb_close(db);
}

static void expect_date_error(tldb_plugins *p, const char *date,
                              const char *dayfirst, const char *msg)
{
	char text[200];
	tldb *db = open_db(tmp_path("bad.db"));
	snprintf(text, sizeof text, "uid,title,start\nd,x,%s\n", date);
	const char *const kv[] = {"dayfirst", dayfirst, NULL};
	tldb_msgbuf err;
	int rc = import_text(db, p, "d.csv", text, dayfirst ? kv : NULL, &err);
	cr_expect_eq(rc, TLDB_EPLUGIN, "%s was accepted", date);
	cr_expect_eq(err.line, 2, "%s: %s", date, err.msg);
	cr_expect_eq(err.column, 5, "%s: %s", date, err.msg);
	cr_expect_not_null(strstr(err.msg, msg), "%s: %s", date, err.msg);
	cr_expect_eq(count_events(db), 0);
	tldb_close(db);
}

Test(csv, numeric_dates_and_dayfirst)
{
	tldb_plugins *p = csv_registry();
	/* unambiguous without the option */
	import_date(p, "15/09/2022", NULL, "2022-09-15");
	import_date(p, "9/15/2022", NULL, "2022-09-15");
	import_date(p, "05.05.2022", NULL, "2022-05-05");
	import_date(p, "15-09-2022 10:30", NULL, "2022-09-15T10:30");
	/* EDTF as it is */
	import_date(p, " 2022-09 ", NULL, "2022-09");
	import_date(p, "2022-02/2022-09", NULL, "2022-02/2022-09");
	import_date(p, "-0044", NULL, "-0044");
	/* the option decides */
	import_date(p, "03/04/2022", "true", "2022-04-03");
	import_date(p, "03/04/2022", "false", "2022-03-04");
	import_date(p, "15/09/2022", "true", "2022-09-15");
	import_date(p, "9/15/2022 8:05:09", "false", "2022-09-15T08:05:09");
	/* ambiguous without it: an error naming the option, at the field */
	expect_date_error(p, "03/04/2022", NULL,
	                  "ambiguous date 03/04/2022: give -o dayfirst=true "
	                  "or false");
	expect_date_error(p, "15/09/2022", "false", "month 15 is out of range");
	expect_date_error(p, "31/02/2022", "true", "day 31 is out of range");
	expect_date_error(p, "1/2/22", "true", "four-digit year");
	expect_date_error(p, "2022-13", NULL, "month 13");
	tldb_plugins_free(p);
}

/* ---- bad records: abort and skip ---- */

static const char bad_row3[] = "uid,title,start\r\n"
                               "r1,one,2022-01-01\r\n"
                               "r2,two,2022-02-30\r\n"
                               "r3,three,2022-01-03\r\n"
                               "r4,four,2022-01-04\r\n";

Test(csv, a_bad_date_in_row_3_aborts_and_stores_nothing)
{
	tldb_plugins *p = csv_registry();
	tldb *db = open_db(tmp_path("t.db"));
	tldb_msgbuf err;
	cr_assert_eq(import_text(db, p, "in.csv", bad_row3, NULL, &err),
	             TLDB_EPLUGIN);
	cr_expect_eq(err.line, 3, "%s", err.msg);
	cr_expect_eq(err.column, 8, "%s", err.msg);
	cr_expect_not_null(strstr(err.msg, "2022-02-30"), "%s", err.msg);
	cr_expect_eq(count_events(db), 0);
	tldb_close(db);
	tldb_plugins_free(p);
}

Test(csv, skip_stores_the_rest_and_reports_the_bad_record)
{
	tldb_plugins *p = csv_registry();
	tldb *db = open_db(tmp_path("t.db"));
	tldb_msgbuf err;
	tldb_import_stats st;
	reports r;
	memset(&r, 0, sizeof r);
	write_text(tmp_path("in.csv"), bad_row3);
	cr_assert_eq(import_csv(db, p, tmp_path("in.csv"), TLDB_ON_ERROR_SKIP,
	                        NULL, &r, &st, &err),
	             TLDB_OK, "%s", err.msg);
	cr_expect_eq(st.inserted, 3);
	cr_expect_eq(st.skipped, 1);
	cr_expect_not_null(strstr(r.text, "in.csv:3:8: "), "%s", r.text);
	cr_expect_not_null(strstr(r.text, "(skipped)"), "%s", r.text);
	cr_expect_eq(count_events(db), 3);
	cr_expect(has_title(db, "three") && has_title(db, "four"));
	tldb_close(db);
	tldb_plugins_free(p);
}

Test(csv, invalid_utf8_is_a_positioned_error)
{
	tldb_plugins *p = csv_registry();
	tldb *db = open_db(tmp_path("t.db"));
	tldb_msgbuf err;
	const char *const bad[] = {
	        "title,start\nok,2022-01-01\nab\xC3(,2022-01-02\n",
	        "title,start\nok,2022-01-01\nab\xFF,2022-01-02\n",
	        "title,start\nok,2022-01-01\nab\xED\xA0\x80,2022-01-02\n",
	        "title,start\nok,2022-01-01\nab\xE2\x82",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		cr_expect_eq(import_text(db, p, "u.csv", bad[i], NULL, &err),
		             TLDB_EPLUGIN, "input %zu", i);
		cr_expect_eq(err.line, 3, "input %zu: %s", i, err.msg);
		cr_expect_eq(err.column, 3, "input %zu: %s", i, err.msg);
		cr_expect_not_null(strstr(err.msg, "UTF-8"), "%s", err.msg);
	}
	/* in a header: fatal, at the byte */
	cr_expect_eq(
	        import_text(db, p, "h.csv", "title,st\x80rt\n", NULL, &err),
	        TLDB_EPLUGIN);
	cr_expect_eq(err.line, 1);
	cr_expect_eq(err.column, 9, "%s", err.msg);
	/* skip goes on after it */
	write_text(tmp_path("u.csv"), bad[0]);
	cr_expect_eq(import_csv(db, p, tmp_path("u.csv"), TLDB_ON_ERROR_SKIP,
	                        NULL, NULL, NULL, &err),
	             TLDB_OK, "%s", err.msg);
	cr_expect_eq(count_events(db), 1);
	tldb_close(db);
	tldb_plugins_free(p);
}

/* A file of three records whose second has a `size`-byte body. */
static void write_big(const char *path, size_t size, int quoted)
{
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f);
	fputs("uid,title,start,body\r\nb1,one,2022-01-01,x\r\nb2,two,"
	      "2022-01-02,",
	      f);
	if (quoted)
		fputc('"', f);
	for (size_t i = 0; i < size; i++)
		fputc(quoted && i % 100 == 99 ? '\n' : 'a' + (int)(i % 26), f);
	if (quoted)
		fputc('"', f);
	fputs("\r\nb3,three,2022-01-03,y\r\n", f);
	cr_assert_eq(fclose(f), 0);
}

Test(csv, a_2_mb_field_is_refused_with_a_message)
{
	tldb_plugins *p = csv_registry();
	for (int quoted = 0; quoted < 2; quoted++) {
		char name[32];
		snprintf(name, sizeof name, "t%d.db", quoted);
		tldb *db = open_db(tmp_path(name));
		tldb_msgbuf err;
		write_big(tmp_path("big.csv"), 2 * 1024 * 1024, quoted);
		cr_assert_eq(import_csv(db, p, tmp_path("big.csv"),
		                        TLDB_ON_ERROR_ABORT, NULL, NULL, NULL,
		                        &err),
		             TLDB_EPLUGIN);
		cr_expect_eq(err.line, 3, "%s", err.msg);
		cr_expect_eq(err.column, 19, "%s", err.msg);
		cr_expect_not_null(strstr(err.msg, "larger than 1 MiB"), "%s",
		                   err.msg);
		cr_expect_eq(count_events(db), 0);
		/* skip: the records around it are stored */
		cr_assert_eq(import_csv(db, p, tmp_path("big.csv"),
		                        TLDB_ON_ERROR_SKIP, NULL, NULL, NULL,
		                        &err),
		             TLDB_OK, "%s", err.msg);
		cr_expect_eq(count_events(db), 2);
		cr_expect(has_title(db, "one") && has_title(db, "three"));
		tldb_close(db);
	}
	/* a field the plugin holds but the host refuses (a title of 2000
	 * bytes; titles are at most 1 KiB) is the host's error, at the
	 * record's position */
	tldb *db = open_db(tmp_path("t.db"));
	tldb_msgbuf err;
	char *text = malloc(4096);
	cr_assert_not_null(text);
	int n = snprintf(text, 4096, "title,start\r\nok,2022-01-01\r\n");
	memset(text + n, 'T', 2000);
	snprintf(text + n + 2000, 4096 - (size_t)n - 2000, ",2022-01-02\r\n");
	cr_expect_eq(import_text(db, p, "title.csv", text, NULL, &err),
	             TLDB_EPLUGIN);
	cr_expect_eq(err.line, 3, "%s", err.msg);
	cr_expect_not_null(strstr(err.msg, "title"), "%s", err.msg);
	free(text);
	tldb_close(db);
	tldb_plugins_free(p);
}

/* ---- export ---- */

static void put_event(tldb *db, const char *uid, const char *title,
                      const char *start, const char *location,
                      const char *const *tags, size_t ntags, const char *body)
{
	tldb_event ev;
	memset(&ev, 0, sizeof ev);
	ev.uid = uid;
	ev.title = title;
	ev.start = start;
	ev.location = location;
	ev.tags = tags;
	ev.ntags = ntags;
	ev.body = body;
	cr_assert_eq(tldb_put(db, &ev, NULL, NULL), TLDB_OK, "%s",
	             tldb_errmsg(db));
}

Test(csv, export_quotes_every_special_character)
{
	tldb_plugins *p = csv_registry();
	tldb *db = open_db(tmp_path("t.db"));
	const char *const tags1[] = {"a,b", "say\"x\""};
	const char *const tags2[] = {"plain", "two"};
	put_event(db, "e1", "comma, here", "2022-01-01", "line1\nline2", tags1,
	          2, "cr\rlf\r\nend");
	put_event(db, "e2", "\"quoted\"", "2022-01-02", " padded", tags2, 2,
	          NULL);
	put_event(db, "e3", "plain", "2022-01-03", NULL, NULL, 0, "tab\tok");
	char *out = export_csv(db, p);
	const char *want =
	        "uid,title,start,end,tz,location,tags,url,body\r\n"
	        "e1,\"comma, here\",2022-01-01,,,\"line1\nline2\","
	        "\"a,b;say\"\"x\"\"\",,\"cr\rlf\r\nend\"\r\n"
	        "e2,\"\"\"quoted\"\"\",2022-01-02,,,\" padded\",plain;two,,\r\n"
	        "e3,plain,2022-01-03,,,,,,tab\tok\r\n";
	cr_expect_str_eq(out, want);
	free(out);
	tldb_close(db);
	tldb_plugins_free(p);
}

Test(csv, round_trip_is_byte_identical)
{
	tldb_plugins *p = csv_registry();
	tldb *db = open_db(tmp_path("a.db"));
	tldb_msgbuf err;
	const char *text =
	        "\xEF\xBB\xBFTitle,Start,End,Tz,Location,Tags,URL,Body,UID\n"
	        "\"Putin and Xi meet, again\",2022-09-15,2022-09-16,,"
	        "\"Samarkand, Uzbekistan\",sco;russia;china,"
	        "https://example.org/page,\"He said \"\"no\"\".\n"
	        "Then left.\",sco-2022\n"
	        "Floating,2022-09-15T10:00,,Asia/Samarkand,,,,,\n"
	        "Qualified,2022?,,,,,,, with spaces \n"
	        "Interval,2022-02/2022-09,,,Москва,café,,,\n"
	        "Caesar,-0044-03-15,,,Rome,,,,\n";
	cr_assert_eq(import_text(db, p, "src.csv", text, NULL, &err), TLDB_OK,
	             "%s", err.msg);
	cr_expect_eq(count_events(db), 5);
	char *first = export_csv(db, p);
	write_text(tmp_path("first.csv"), first);

	tldb *db2 = open_db(tmp_path("b.db"));
	cr_assert_eq(import_csv(db2, p, tmp_path("first.csv"),
	                        TLDB_ON_ERROR_ABORT, NULL, NULL, NULL, &err),
	             TLDB_OK, "%s", err.msg);
	char *second = export_csv(db2, p);
	cr_expect_str_eq(second, first);
	/* and importing it again changes nothing */
	tldb_import_stats st;
	cr_assert_eq(import_csv(db2, p, tmp_path("first.csv"),
	                        TLDB_ON_ERROR_ABORT, NULL, NULL, &st, &err),
	             TLDB_OK, "%s", err.msg);
	cr_expect_eq(st.unchanged, 5);
	cr_expect_eq(st.inserted + st.updated, 0);
	expect_field(db2, "sco-2022", "body", "He said \"no\".\nThen left.");
	free(first);
	free(second);
	tldb_close(db);
	tldb_close(db2);
	tldb_plugins_free(p);
}

Test(csv, probe_recognises_a_header_without_the_extension)
{
	tldb_plugins *p = csv_registry();
	tldb *db = open_db(tmp_path("t.db"));
	write_text(tmp_path("events.txt"),
	           "\"title\",start,other\r\nx,2022-01-01,y\r\n");
	tldb_msgbuf err;
	cr_expect_eq(
	        import_file(db, p, NULL, tmp_path("events.txt"), NULL, &err),
	        TLDB_OK, "%s", err.msg);
	cr_expect_eq(count_events(db), 1);
	write_text(tmp_path("other.txt"), "name,when\r\nx,2022-01-01\r\n");
	cr_expect_neq(
	        import_file(db, p, NULL, tmp_path("other.txt"), NULL, &err),
	        TLDB_OK);
	tldb_close(db);
	tldb_plugins_free(p);
}

/* ---- odd inputs ---- */

static uint64_t rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Random inputs made of CSV's own characters, half of them behind a good
 * header, each ending well or with a positioned error (never a crash;
 * run it in a -DTLDB_SANITIZE=ON build). */
Test(csv, survives_random_csv_like_inputs)
{
	static const char alphabet[] = ",\"\r\n a1/-2:;\xC3\xA9\xFF\xE2\x82";
	tldb_plugins *p = csv_registry();
	tldb *db = open_db(tmp_path("t.db"));
	uint64_t seed = 0x5eedc5f1ULL;
	char *text = malloc(4200);
	cr_assert_not_null(text);
	for (int i = 0; i < 300; i++) {
		size_t n = 0;
		if (i % 2)
			n = (size_t)snprintf(text, 4200,
			                     "uid,title,start,end\n");
		size_t len = n + rng(&seed) % 4000;
		while (n < len)
			text[n++] =
			        alphabet[rng(&seed) % (sizeof alphabet - 1)];
		text[n] = '\0';
		tldb_msgbuf err;
		write_text(tmp_path("r.csv"), text);
		int rc = import_csv(db, p, tmp_path("r.csv"),
		                    i % 4 < 2 ? TLDB_ON_ERROR_ABORT
		                              : TLDB_ON_ERROR_SKIP,
		                    NULL, NULL, NULL, &err);
		cr_assert(rc == TLDB_OK || err.line > 0,
		          "input %d: an error without a position: %s", i,
		          err.msg);
	}
	free(text);
	tldb_close(db);
	tldb_plugins_free(p);
}

/* ---- the benchmark's file ---- */

Test(csv, imports_the_benchmark_csv_and_reimports_nothing)
{
	if (access(GEN_EVENTS, R_OK) != 0)
		cr_skip_test("%s is not there", GEN_EVENTS);
	char cmd[1024];
	snprintf(cmd, sizeof cmd,
	         "python3 %s 20000 %s --formats csv >/dev/null 2>&1",
	         GEN_EVENTS, g_tmp);
	cr_assert_eq(system(cmd), 0, "%s failed", cmd);
	const char *file = tmp_path("events-20000.csv");
	size_t len;
	char *head = slurp(file, &len);
	cr_assert(strncmp(head, "uid,title,start,end,location,tags,body\r\n",
	                  40) == 0,
	          "unexpected header");
	free(head);
	tldb_plugins *p = csv_registry();
	tldb *db = open_db(tmp_path("t.db"));
	tldb_import_stats st;
	tldb_msgbuf err;
	cr_assert_eq(import_csv(db, p, file, TLDB_ON_ERROR_ABORT, NULL, NULL,
	                        &st, &err),
	             TLDB_OK, "%s:%lld:%lld: %s", file, (long long)err.line,
	             (long long)err.column, err.msg);
	cr_expect_eq(st.inserted, 20000);
	cr_expect_eq(count_events(db), 20000);
	cr_assert_eq(import_csv(db, p, file, TLDB_ON_ERROR_ABORT, NULL, NULL,
	                        &st, &err),
	             TLDB_OK, "%s", err.msg);
	cr_expect_eq(st.unchanged, 20000);
	cr_expect_eq(st.inserted + st.updated, 0);
	cr_expect_eq(count_events(db), 20000);
	tldb_close(db);
	tldb_plugins_free(p);
}

/* ---- the tldb command ---- */

Test(csv, cli_import_error_position_skip_and_export)
{
	char file[512], db[512], sheet[512];
	snprintf(file, sizeof file, "%s", tmp_path("in.csv"));
	snprintf(db, sizeof db, "%s", tmp_path("cli.db"));
	snprintf(sheet, sizeof sheet, "%s", tmp_path("s.csv"));
	write_text(file, bad_row3);
	char where[600];
	snprintf(where, sizeof where, "%s:3:8:", file);
	proc r = run_tldb(
	        (const char *const[]){"--db", db, "import", file, NULL});
	cr_expect_eq(r.code, 1, "exit %d; stderr:\n%s", r.code, r.err);
	cr_expect_not_null(strstr(r.err, where), "stderr:\n%s", r.err);
	proc_free(&r);
	r = run_tldb((const char *const[]){"--db", db, "import", "--on-error",
	                                   "skip", file, NULL});
	cr_expect_eq(r.code, 0, "exit %d; stderr:\n%s", r.code, r.err);
	cr_expect_not_null(strstr(r.err, "(skipped)"), "stderr:\n%s", r.err);
	proc_free(&r);
	r = run_tldb((const char *const[]){"--db", db, "export", "--format",
	                                   "csv", NULL});
	cr_expect_eq(r.code, 0, "exit %d; stderr:\n%s", r.code, r.err);
	cr_expect_str_eq(r.out, "uid,title,start,end,tz,location,tags,url,"
	                        "body\r\n"
	                        "r1,one,2022-01-01,,,,,,\r\n"
	                        "r3,three,2022-01-03,,,,,,\r\n"
	                        "r4,four,2022-01-04,,,,,,\r\n");
	proc_free(&r);
	/* -o options reach the plugin */
	write_text(sheet, "When,What\n03/04/2022,x\n");
	r = run_tldb((const char *const[]){"--db", db, "import", "-o",
	                                   "columns=When:start,What:title",
	                                   sheet, NULL});
	cr_expect_eq(r.code, 1, "exit %d; stderr:\n%s", r.code, r.err);
	cr_expect_not_null(strstr(r.err, "s.csv:2:1: start: ambiguous date"),
	                   "stderr:\n%s", r.err);
	proc_free(&r);
	r = run_tldb((const char *const[]){"--db", db, "import", "-o",
	                                   "columns=When:start,What:title",
	                                   "-o", "dayfirst=yes", sheet, NULL});
	cr_expect_eq(r.code, 0, "exit %d; stderr:\n%s", r.code, r.err);
	proc_free(&r);
	tldb *h = open_db(db);
	cr_expect_eq(count_events(h), 4);
	tldb_close(h);
}

Test(csv, plugins_check_passes)
{
	proc r = run_tldb((const char *const[]){"plugins", "check",
	                                        BUILD_PLUGIN("csv"), NULL});
	cr_expect_eq(r.code, 0, "exit %d:\n%s%s", r.code, r.out, r.err);
	cr_expect_not_null(strstr(r.out, " 0 failed"), "%s%s", r.out, r.err);
	cr_expect_null(strstr(r.out, "FAIL"), "%s", r.out);
	proc_free(&r);
}
