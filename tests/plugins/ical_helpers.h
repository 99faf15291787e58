/*
 * ical_helpers.h -- what the ical exporter suites (test_ical.c and
 * test_ical_dates.c) share: a database and registry per test, exporting
 * into memory, and validating every .ics with libical and
 * tests/plugins/ical_validate.sh (ical.js, python3-icalendar,
 * python3-vobject), and reading the output back.
 */
#ifndef TLDB_TEST_ICAL_HELPERS_H
#define TLDB_TEST_ICAL_HELPERS_H

#include <criterion/criterion.h>
#include <fcntl.h>
#include <libical/ical.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plugins/helpers.h"

extern char **environ;

#define VALIDATOR TLDB_SOURCE_DIR "/tests/plugins/ical_validate.sh"

/* Not every suite uses every helper. */
#define ICAL_HELPER static __attribute__((unused))

/* ---- fixtures ---- */

typedef struct ctx {
	tldb *db;
	tldb_plugins *p;
} ctx;

ICAL_HELPER ctx open_ctx(void)
{
	ctx c;
	c.db = open_db(tmp_path("t.db"));
	c.p = new_registry();
	load_ok(c.p, BUILD_PLUGIN("ical"));
	load_ok(c.p, BUILD_PLUGIN("json"));
	return c;
}

ICAL_HELPER void close_ctx(ctx *c)
{
	tldb_close(c->db);
	tldb_plugins_free(c->p);
}

/* Puts an event; returns its uid (static buffers, used in turn). */
ICAL_HELPER const char *put(ctx *c, const char *title, const char *start,
                            const char *end, const char *tz)
{
	static char uids[8][TLDB_MAX_UID + 1];
	static int next;
	char *uid = uids[next++ % 8];
	tldb_event ev;
	memset(&ev, 0, sizeof ev);
	ev.title = title;
	ev.start = start;
	ev.end = end;
	ev.tz = tz;
	cr_assert_eq(tldb_put(c->db, &ev, uid, NULL), TLDB_OK, "put %s: %s",
	             start, tldb_errmsg(c->db));
	return uid;
}

ICAL_HELPER void put_event(ctx *c, const tldb_event *ev)
{
	cr_assert_eq(tldb_put(c->db, ev, NULL, NULL), TLDB_OK, "put: %s",
	             tldb_errmsg(c->db));
}

/* The exporter's output and the host's messages share one user pointer. */
typedef struct outbox {
	sink s;
	reports *r;
} outbox;

ICAL_HELPER int outbox_write(void *ud, const void *buf, size_t len)
{
	return sink_write(&((outbox *)ud)->s, buf, len);
}

ICAL_HELPER void outbox_report(void *ud, const char *msg)
{
	collect(((outbox *)ud)->r, msg);
}

/* Runs the exporter `format` with -o key=value pairs (NULL-ended); returns
 * the output (the caller's); warnings and the error in *r when not NULL;
 * the status in *rc_out, or asserted to be TLDB_OK when rc_out is NULL. */
ICAL_HELPER char *export_as(ctx *c, const char *format, const tldb_query *q,
                            const char *const *kv, reports *r, int *rc_out)
{
	const char *keys[8], *values[8];
	size_t n = 0;
	for (; kv && kv[2 * n] && n < 8; n++) {
		keys[n] = kv[2 * n];
		values[n] = kv[2 * n + 1];
	}
	reports scratch;
	memset(&scratch, 0, sizeof scratch);
	outbox box = {{0}, r ? r : &scratch};
	tldb_export_opts o;
	memset(&o, 0, sizeof o);
	o.format = format;
	o.query = q;
	o.option_keys = keys;
	o.option_values = values;
	o.noptions = n;
	o.write = outbox_write;
	o.report = outbox_report;
	o.ud = &box;
	tldb_msgbuf err;
	int rc = tldb_export(c->db, c->p, &o, NULL, &err);
	if (rc_out)
		*rc_out = rc;
	else
		cr_assert_eq(rc, TLDB_OK, "export: %s", err.msg);
	if (rc)
		collect(box.r, err.msg);
	if (!box.s.buf)
		box.s.buf = calloc(1, 1);
	return box.s.buf;
}

/* ---- validation: libical, then ical.js, python3-icalendar, vobject ---- */

ICAL_HELPER void run_validator(const char *path, const char *const *argv_in,
                               const char *out_path, int *status)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out_path,
	                                 O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	(void)path;
	setenv("TLDB_BUILD_DIR", TLDB_BUILD_DIR, 1);
	setenv("TLDB_SOURCE_DIR", TLDB_SOURCE_DIR, 1);
	pid_t pid;
	int rc = posix_spawn(&pid, "/bin/sh", &fa, NULL, (char *const *)argv_in,
	                     environ);
	posix_spawn_file_actions_destroy(&fa);
	cr_assert_eq(rc, 0, "spawn %s", VALIDATOR);
	cr_assert_eq(waitpid(pid, status, 0), pid);
}

ICAL_HELPER void libical_accepts(const char *text)
{
	icalcomponent *c = icalparser_parse_string(text);
	cr_assert_not_null(c, "libical cannot parse the output");
	cr_expect_eq(icalcomponent_isa(c), ICAL_VCALENDAR_COMPONENT);
	int errors = icalcomponent_count_errors(c);
	if (errors) {
		char *s = icalcomponent_as_ical_string_r(c);
		cr_expect_eq(errors, 0, "libical found %d errors:\n%s", errors,
		             s);
		free(s);
	}
	icalcomponent_free(c);
}

/* Writes text to NAME.ics in the test's folder and has every validator
 * read it. */
ICAL_HELPER const char *validate(const char *text, const char *name)
{
	static char path[512];
	char file[128];
	snprintf(file, sizeof file, "%s.ics", name);
	snprintf(path, sizeof path, "%s", tmp_path(file));
	write_text(path, text);
	libical_accepts(text);
	const char *out = tmp_path("validator.out");
	const char *argv[] = {"sh", VALIDATOR, path, NULL};
	int status;
	run_validator(VALIDATOR, argv, out, &status);
	char *msg = slurp(out, NULL);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	          "validators reject %s:\n%s", path, msg);
	free(msg);
	return path;
}

/* PROP of the first VEVENT of the .ics at path as ical.js reads it. */
ICAL_HELPER char *icaljs_get(const char *path, const char *prop, size_t *len)
{
	const char *out = tmp_path("icaljs.out");
	const char *argv[] = {"sh", VALIDATOR, "--get", path, prop, NULL};
	int status;
	run_validator(VALIDATOR, argv, out, &status);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	          "ical.js --get failed");
	return slurp(out, len);
}

/* Exports everything, checks the result with every validator. */
ICAL_HELPER char *ics(ctx *c, const char *name)
{
	char *text = export_as(c, "ical", NULL, NULL, NULL, NULL);
	validate(text, name);
	return text;
}

/* ---- reading the output ---- */

/* The text with folds removed (the caller's). */
ICAL_HELPER char *unfold(const char *text)
{
	size_t n = strlen(text);
	char *u = malloc(n + 1), *d = u;
	cr_assert_not_null(u);
	for (size_t i = 0; i < n; i++) {
		if (text[i] == '\r' && text[i + 1] == '\n' &&
		    text[i + 2] == ' ') {
			i += 2;
			continue;
		}
		*d++ = text[i];
	}
	*d = '\0';
	return u;
}

/* The logical line that starts with `prefix` (after a line start), copied
 * into a static buffer without its CRLF; NULL when none. */
ICAL_HELPER const char *line_of(const char *text, const char *prefix)
{
	static char *buf;
	char *u = unfold(text);
	const char *p = u;
	const char *hit = NULL;
	size_t plen = strlen(prefix);
	while (p && *p) {
		if (strncmp(p, prefix, plen) == 0) {
			hit = p;
			break;
		}
		p = strstr(p, "\r\n");
		if (p)
			p += 2;
	}
	free(buf);
	buf = NULL;
	if (hit) {
		const char *e = strstr(hit, "\r\n");
		size_t n = e ? (size_t)(e - hit) : strlen(hit);
		buf = malloc(n + 1);
		memcpy(buf, hit, n);
		buf[n] = '\0';
	}
	free(u);
	return buf;
}

ICAL_HELPER int count_of(const char *text, const char *needle)
{
	int n = 0;
	for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

ICAL_HELPER int valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		size_t k = c < 0x80         ? 1
		           : (c >> 5) == 6  ? 2
		           : (c >> 4) == 14 ? 3
		           : (c >> 3) == 30 ? 4
		                            : 0;
		if (!k || i + k > n)
			return 0;
		for (size_t j = 1; j < k; j++)
			if ((s[i + j] & 0xC0) != 0x80)
				return 0;
		i += k;
	}
	return 1;
}

/* Every physical line: at most 75 octets, valid UTF-8 alone, and never
 * ending inside an escape pair (an odd run of trailing backslashes). */
ICAL_HELPER void check_physical_lines(const char *text)
{
	const char *p = text;
	int lineno = 0;
	while (*p) {
		const char *e = strstr(p, "\r\n");
		cr_assert_not_null(e, "line %d lacks CRLF", lineno + 1);
		size_t n = (size_t)(e - p);
		lineno++;
		cr_expect_leq(n, 75, "line %d has %zu octets", lineno, n);
		cr_expect(valid_utf8((const unsigned char *)p, n),
		          "line %d is not valid UTF-8 alone", lineno);
		size_t bs = 0;
		while (bs < n && p[n - 1 - bs] == '\\')
			bs++;
		if (e[2] == ' ')
			cr_expect_eq(bs % 2, 0, "line %d splits an escape pair",
			             lineno);
		p = e + 2;
	}
}

/* The first VEVENT's SUMMARY, unescaped, as libical reads it. */
ICAL_HELPER char *libical_summary(const char *text)
{
	icalcomponent *c = icalparser_parse_string(text);
	cr_assert_not_null(c);
	icalcomponent *ev =
	        icalcomponent_get_first_component(c, ICAL_VEVENT_COMPONENT);
	cr_assert_not_null(ev);
	const char *s = icalcomponent_get_summary(ev);
	char *copy = strdup(s ? s : "");
	icalcomponent_free(c);
	return copy;
}

#endif /* TLDB_TEST_ICAL_HELPERS_H */
