/*
 * test_host.c -- the plugin host: loading the fixture plugins of
 * tests/plugins/fixtures, every refusal with its reason (file name, both
 * versions where they differ), the registry left unchanged by a refusal,
 * loading folders and the search path, independence of plugins with
 * same-named internals, host tables of the oldest size, option checking and
 * choosing an importer.  Only the public API is used (plus dlopen for the
 * host-table test).
 */
#define _GNU_SOURCE /* RTLD_DEFAULT, nftw */
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/helpers.h"

TestSuite(host, .init = tmp_setup, .fini = tmp_teardown, .timeout = 60);

/* Checks that msg contains each of the NULL-terminated substrings. */
static void expect_in(const char *msg, const char *const *subs)
{
	for (size_t i = 0; subs[i]; i++)
		cr_expect_not_null(strstr(msg, subs[i]),
		                   "expected '%s' in the message: %s", subs[i],
		                   msg);
}

/* Loads fixture `path` into a registry that already holds `lines`: it must
 * be refused with `code`, leave the registry as it was, and say each of
 * subs.  The host then still loads and runs plugins. */
static void expect_refused(const char *path, int code, const char *const *subs)
{
	tldb_plugins *p = new_registry();
	load_ok(p, FIXTURE("lines"));
	const tldb_plugin_info *before = tldb_plugins_at(p, 0, NULL);
	tldb_msgbuf err;
	memset(&err, 0, sizeof err);
	int rc = tldb_plugins_load(p, path, &err);
	cr_assert_eq(rc, code, "loading %s gave %d (%s), expected %d", path, rc,
	             err.msg, code);
	cr_expect_neq(err.msg[0], '\0', "a refusal says why");
	expect_in(err.msg, subs);
	cr_expect_eq(tldb_plugins_count(p), 1, "a refusal adds nothing");
	cr_expect_eq(tldb_plugins_at(p, 0, NULL), before);
	cr_expect_eq(tldb_plugins_at(p, 1, NULL), NULL);
	/* the host is still up: the plugin it has still imports */
	write_text(tmp_path("after.lines"), "2022-03-01|still here|\n");
	tldb *db = open_db(tmp_path("after.db"));
	tldb_import_stats st;
	rc = import_file(db, p, NULL, tmp_path("after.lines"), &st, &err);
	cr_expect_eq(rc, TLDB_OK, "%s", err.msg);
	cr_expect(has_title(db, "still here"));
	tldb_close(db);
	tldb_plugins_free(p);
}

/* "ABI 1.0" as this host writes its own version. */
static const char *host_abi(void)
{
	static char buf[32];
	snprintf(buf, sizeof buf, "ABI %d.%d", TLDB_PLUGIN_ABI_MAJOR,
	         TLDB_PLUGIN_ABI_MINOR);
	return buf;
}

Test(host, lines_loads_with_normalised_descriptor)
{
	tldb_plugins *p = new_registry();
	cr_assert_eq(tldb_plugins_count(p), 0);
	load_ok(p, FIXTURE("lines"));
	cr_assert_eq(tldb_plugins_count(p), 1);
	const char *path = NULL;
	const tldb_plugin_info *info = tldb_plugins_at(p, 0, &path);
	cr_assert_not_null(info);
	cr_expect_str_eq(path, FIXTURE("lines"));
	cr_expect_eq(tldb_plugins_find(p, "lines"), info);
	cr_expect_null(tldb_plugins_find(p, "nope"));
	cr_expect_str_eq(info->name, "lines");
	cr_expect_str_eq(info->version, "1.0.0");
	cr_expect_eq(info->size, sizeof(tldb_plugin_info));
	cr_assert_not_null(info->importer);
	cr_assert_not_null(info->exporter);
	cr_expect_eq(info->importer->kind, TLDB_KIND_IMPORTER);
	cr_expect_eq(info->exporter->kind, TLDB_KIND_EXPORTER);
	cr_expect_str_eq(info->importer->extensions[0], "lines");
	const tldb_plugin_option *const *o = info->importer->options;
	cr_assert_not_null(o);
	cr_expect_str_eq(o[0]->key, "fail-at");
	cr_expect_eq(o[0]->type, TLDB_OPTION_INT);
	cr_expect_str_eq(o[2]->key, "prefix");
	cr_expect_str_eq(o[2]->default_value, "x");
	cr_expect_str_eq(o[4]->key, "pause-us");
	cr_expect_str_eq(o[5]->key, "gate");
	cr_expect_null(o[6]);
	cr_expect_eq(tldb_plugins_exporter(p, "lines"), info);
	cr_expect_eq(tldb_plugins_exporter(p, "LINES"), info);
	cr_expect_null(tldb_plugins_exporter(p, "csv"));
	tldb_plugins_free(p);
}

Test(host, refuses_a_file_without_entry)
{
	expect_refused(FIXTURE("noentry"), TLDB_EPLUGIN,
	               (const char *const[]){"noentry.so", "not a tldb plugin",
	                                     TLDB_PLUGIN_ENTRY_NAME, NULL});
}

Test(host, refuses_a_missing_file)
{
	expect_refused(FIXTURE("does_not_exist"), TLDB_EPLUGIN,
	               (const char *const[]){"does_not_exist.so", "cannot load",
	                                     NULL});
}

Test(host, refuses_a_file_that_is_not_a_shared_object)
{
	write_text(tmp_path("text.so"), "not an ELF file\n");
	expect_refused(tmp_path("text.so"), TLDB_EPLUGIN,
	               (const char *const[]){"text.so", "cannot load", NULL});
}

Test(host, refuses_another_major_entry_naming_both_versions)
{
	expect_refused(FIXTURE("v2entry"), TLDB_EPLUGIN,
	               (const char *const[]){"v2entry.so",
	                                     "tldb_plugin_entry_v2", "ABI 2",
	                                     host_abi(), NULL});
}

Test(host, refuses_a_descriptor_of_another_major)
{
	expect_refused(FIXTURE("newmajor"), TLDB_EPLUGIN,
	               (const char *const[]){"newmajor.so", "ABI 2.3",
	                                     host_abi(), NULL});
}

Test(host, refuses_a_descriptor_smaller_than_abi_1_0)
{
	expect_refused(FIXTURE("tiny"), TLDB_EPLUGIN,
	               (const char *const[]){"tiny.so", "tldb_plugin_info",
	                                     "16 bytes", "smaller", NULL});
}

Test(host, refuses_a_future_minor_that_uses_new_fields)
{
	char known[64];
	snprintf(known, sizeof known, "%zu bytes", sizeof(tldb_plugin_info));
	expect_refused(FIXTURE("future_bad"), TLDB_EPLUGIN,
	               (const char *const[]){"future_bad.so",
	                                     "tldb_plugin_info", host_abi(),
	                                     known, "newer tldb", NULL});
}

Test(host, refuses_a_duplicate_name_naming_the_first_file)
{
	tldb_plugins *p = new_registry();
	load_ok(p, FIXTURE("dup_a"));
	tldb_msgbuf err;
	int rc = tldb_plugins_load(p, FIXTURE("dup_b"), &err);
	cr_assert_eq(rc, TLDB_EEXIST, "%d: %s", rc, err.msg);
	expect_in(err.msg, (const char *const[]){"dup_b.so", "'dup'",
	                                         FIXTURE("dup_a"), NULL});
	cr_expect_eq(tldb_plugins_count(p), 1);
	const char *path;
	const tldb_plugin_info *info = tldb_plugins_at(p, 0, &path);
	cr_expect_str_eq(info->version, "a");
	cr_expect_str_eq(path, FIXTURE("dup_a"));
	/* the same file twice is a duplicate too */
	cr_expect_eq(tldb_plugins_load(p, FIXTURE("dup_a"), &err), TLDB_EEXIST);
	cr_expect_eq(tldb_plugins_count(p), 1);
	tldb_plugins_free(p);
}

Test(host, refuses_a_null_name)
{
	expect_refused(FIXTURE("malformed1"), TLDB_EPLUGIN,
	               (const char *const[]){"malformed1.so",
	                                     "malformed descriptor",
	                                     "plugin name '(null)'", NULL});
}

Test(host, refuses_an_exporter_without_extensions)
{
	expect_refused(FIXTURE("malformed2"), TLDB_EPLUGIN,
	               (const char *const[]){
	                       "malformed2.so", "malformed descriptor",
	                       "exporter names no file extension", NULL});
}

Test(host, refuses_an_importer_without_run)
{
	expect_refused(FIXTURE("malformed3"), TLDB_EPLUGIN,
	               (const char *const[]){"malformed3.so",
	                                     "malformed descriptor", "importer",
	                                     "no run", NULL});
}

Test(host, refuses_a_plugin_whose_entry_fails)
{
	/* presence refuses when the host lacks format_instant; this host has
	 * it, so it must load here (see oldest_host_table for the refusal) */
	tldb_plugins *p = new_registry();
	load_ok(p, FIXTURE("presence"));
	cr_expect_not_null(tldb_plugins_find(p, "presence"));
	tldb_plugins_free(p);
}

Test(host, future_minor_with_zero_new_fields_loads_and_imports)
{
	tldb_plugins *p = new_registry();
	load_ok(p, FIXTURE("future_ok"));
	const tldb_plugin_info *info = tldb_plugins_find(p, "future-ok");
	cr_assert_not_null(info);
	/* the host's copies are at the host's sizes */
	cr_expect_eq(info->size, sizeof(tldb_plugin_info));
	cr_expect_eq(info->abi_minor, TLDB_PLUGIN_ABI_MINOR + 1);
	cr_assert_not_null(info->importer);
	cr_expect_eq(info->importer->size, sizeof(tldb_plugin_format));
	cr_expect_str_eq(info->importer->extensions[0], "future");
	cr_expect_str_eq(info->description, "");
	write_text(tmp_path("in.future"), "anything\n");
	tldb *db = open_db(tmp_path("f.db"));
	tldb_import_stats st;
	tldb_msgbuf err;
	int rc = import_file(db, p, NULL, tmp_path("in.future"), &st, &err);
	cr_assert_eq(rc, TLDB_OK, "%s", err.msg);
	cr_expect_eq(st.inserted, 1);
	cr_expect(has_title(db, "from the future"));
	tldb_close(db);
	tldb_plugins_free(p);
}

/* ---- folders and the search path ---- */

static void link_fixture(const char *dir, const char *fixture, const char *as)
{
	char target[512], link[512];
	snprintf(target, sizeof target, "%s/%s.so", TLDB_FIXTURE_DIR, fixture);
	snprintf(link, sizeof link, "%s/%s", dir, as);
	cr_assert_eq(symlink(target, link), 0, "symlink %s", link);
}

Test(host, load_dir_loads_in_name_order_and_reports_refusals)
{
	const char *dir = tmp_path("plugins");
	cr_assert_eq(mkdir(dir, 0700), 0);
	/* created out of order on purpose */
	link_fixture(dir, "clash_a", "60-clash_a.so");
	link_fixture(dir, "dup_b", "40-dup_b.so");
	link_fixture(dir, "tiny", "50-tiny.so");
	link_fixture(dir, "lines", "10-lines.so");
	link_fixture(dir, "dup_a", "30-dup_a.so");
	link_fixture(dir, "noentry", "20-noentry.so");
	link_fixture(dir, "lines", ".hidden.so");
	link_fixture(dir, "clash_b", "70-clash_b.so.txt");
	write_text(tmp_path("plugins/README"), "not a plugin\n");

	tldb_plugins *p = new_registry();
	reports r;
	memset(&r, 0, sizeof r);
	int n = tldb_plugins_load_dir(p, dir, collect, &r);
	cr_assert_eq(n, 3, "loaded %d; reports:\n%s", n, r.text);
	cr_assert_eq(tldb_plugins_count(p), 3);
	const char *path;
	cr_expect_str_eq(tldb_plugins_at(p, 0, &path)->name, "lines");
	cr_expect_not_null(strstr(path, "10-lines.so"));
	cr_expect_str_eq(tldb_plugins_at(p, 1, &path)->name, "dup");
	cr_expect_not_null(strstr(path, "30-dup_a.so"));
	cr_expect_str_eq(tldb_plugins_at(p, 2, &path)->name, "clash-a");
	cr_expect_eq(r.count, 3, "reports:\n%s", r.text);
	/* one report per refusal, in name order */
	const char *a = strstr(r.text, "20-noentry.so");
	const char *b = strstr(r.text, "40-dup_b.so");
	const char *c = strstr(r.text, "50-tiny.so");
	cr_assert(a && b && c, "reports:\n%s", r.text);
	cr_expect(a < b && b < c, "reports out of order:\n%s", r.text);
	cr_expect_not_null(strstr(b, "30-dup_a.so"),
	                   "the duplicate names the first file");
	cr_expect_null(strstr(r.text, ".hidden"));
	/* a missing folder is not an error */
	cr_expect_eq(tldb_plugins_load_dir(p, tmp_path("nowhere"), collect, &r),
	             0);
	cr_expect_eq(r.count, 3);
	tldb_plugins_free(p);
}

Test(host, plugin_path_two_folders_first_found_wins)
{
	const char *d1 = tmp_path("one"), *d2 = tmp_path("two"),
	           *d3 = tmp_path("three");
	cr_assert_eq(mkdir(d1, 0700), 0);
	cr_assert_eq(mkdir(d2, 0700), 0);
	cr_assert_eq(mkdir(d3, 0700), 0);
	link_fixture(d1, "dup_b", "dup.so");
	link_fixture(d2, "dup_a", "dup.so");
	link_fixture(d2, "lines", "lines.so");
	link_fixture(d3, "dup_a", "dup.so");
	char env[1200];
	snprintf(env, sizeof env, "%s::%s", d1, d2); /* an empty entry too */
	cr_assert_eq(setenv("TLDB_PLUGIN_PATH", env, 1), 0);

	tldb_plugins *p = new_registry();
	reports r;
	memset(&r, 0, sizeof r);
	int n = tldb_plugins_load_path(p, NULL, 0, collect, &r);
	cr_expect_geq(n, 2);
	const tldb_plugin_info *dup = tldb_plugins_find(p, "dup");
	cr_assert_not_null(dup);
	cr_expect_str_eq(dup->version, "b", "the first folder wins");
	cr_expect_not_null(tldb_plugins_find(p, "lines"));
	/* the later one is reported, naming the winner */
	const char *msg = strstr(r.text, d2);
	cr_assert_not_null(msg, "reports:\n%s", r.text);
	cr_expect_not_null(strstr(r.text, "one/dup.so"), "reports:\n%s",
	                   r.text);
	tldb_plugins_free(p);

	/* --plugin-dir folders come before the environment's */
	p = new_registry();
	const char *dirs[] = {d3};
	memset(&r, 0, sizeof r);
	n = tldb_plugins_load_path(p, dirs, 1, collect, &r);
	cr_expect_geq(n, 2);
	dup = tldb_plugins_find(p, "dup");
	cr_assert_not_null(dup);
	cr_expect_str_eq(dup->version, "a");
	const char *where = NULL;
	for (size_t i = 0; i < tldb_plugins_count(p); i++)
		if (tldb_plugins_at(p, i, &where) == dup)
			break;
	cr_expect_not_null(strstr(where, "three/dup.so"));
	tldb_plugins_free(p);
}

/* A folder named twice on the path (the install folder in
 * $TLDB_PLUGIN_PATH, say), or a link to a loaded file, loads each file
 * once and reports nothing about it; another file with a loaded name is
 * still reported. */
Test(host, the_same_file_twice_is_skipped_silently)
{
	const char *d1 = tmp_path("one"), *d2 = tmp_path("two");
	cr_assert_eq(mkdir(d1, 0700), 0);
	cr_assert_eq(mkdir(d2, 0700), 0);
	link_fixture(d1, "lines", "lines.so");
	link_fixture(d1, "dup_a", "dup.so");
	link_fixture(d2, "lines", "other-name.so"); /* the same file */
	link_fixture(d2, "dup_b", "dup.so");        /* another file */
	char env[1200];
	snprintf(env, sizeof env, "%s:%s/.:%s", d1, d1, d2);
	cr_assert_eq(setenv("TLDB_PLUGIN_PATH", env, 1), 0);
	tldb_plugins *p = new_registry();
	reports r;
	memset(&r, 0, sizeof r);
	const char *dirs[] = {d1};
	int n = tldb_plugins_load_path(p, dirs, 1, collect, &r);
	cr_expect_eq(n, 2);
	cr_expect_eq(tldb_plugins_count(p), 2);
	cr_expect_eq(r.count, 1, "reports:\n%s", r.text);
	cr_expect_not_null(strstr(r.text, "two/dup.so"), "reports:\n%s",
	                   r.text);
	cr_expect_null(strstr(r.text, "lines"), "reports:\n%s", r.text);
	tldb_plugins_free(p);
}

/* Outside any plugin call the thread is in none. */
Test(host, no_current_call_outside_plugins)
{
	tldb_plugin_call c;
	memset(&c, 0, sizeof c);
	cr_expect_eq(tldb_plugins_current_call(&c), 0);
	cr_expect_null(c.path);
	tldb_plugins *p = new_registry();
	load_ok(p, FIXTURE("lines"));
	cr_expect_eq(tldb_plugins_current_call(&c), 0, "left set after load");
	tldb_plugins_free(p);
}

/* ---- namespaces ---- */

Test(host, same_named_internals_stay_apart)
{
	tldb_plugins *p = new_registry();
	load_ok(p, FIXTURE("clash_a"));
	load_ok(p, FIXTURE("clash_b"));
	const tldb_plugin_info *a = tldb_plugins_find(p, "clash-a");
	const tldb_plugin_info *b = tldb_plugins_find(p, "clash-b");
	cr_assert(a && b);
	cr_expect_str_eq(a->description, "helper_value=1");
	cr_expect_str_eq(b->description, "helper_value=2");
	/* their code at run time too */
	write_text(tmp_path("in.clash"), "x\n");
	tldb *db = open_db(tmp_path("c.db"));
	tldb_import_opts o;
	memset(&o, 0, sizeof o);
	o.path = tmp_path("in.clash");
	o.plugin = "clash-b";
	o.timeline = "bee";
	tldb_msgbuf err;
	cr_assert_eq(tldb_import(db, p, &o, NULL, &err), TLDB_OK, "%s",
	             err.msg);
	o.plugin = "clash-a";
	o.timeline = "ay";
	cr_assert_eq(tldb_import(db, p, &o, NULL, &err), TLDB_OK, "%s",
	             err.msg);
	cr_expect_eq(count_events(db), 2);
	cr_expect(has_title(db, "helper_value=1"));
	cr_expect(has_title(db, "helper_value=2"));
	tldb_close(db);
	tldb_plugins_free(p);
	/* nothing of a plugin leaks into the global namespace */
	cr_expect_null(dlsym(RTLD_DEFAULT, "helper_value"));
}

Test(host, only_the_entry_point_is_exported)
{
	static const char *const names[] = {"lines", "clash_a", "threads",
	                                    "presence", "future_ok"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		char path[512];
		snprintf(path, sizeof path, "%s/%s.so", TLDB_FIXTURE_DIR,
		         names[i]);
		void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
		cr_assert_not_null(h, "%s", dlerror());
		cr_expect_not_null(dlsym(h, TLDB_PLUGIN_ENTRY_NAME), "%s",
		                   path);
		cr_expect_null(dlsym(h, "helper_value"), "%s", path);
		cr_expect_null(dlsym(h, "host"), "%s", path);
		cr_expect_null(dlsym(h, "info"), "%s", path);
		cr_expect_null(dlsym(h, "importer"), "%s", path);
		/* no libtldb, no libsqlite3 among its dependencies: dlsym on
		 * a handle searches the file and what it links */
		cr_expect_null(dlsym(h, "tldb_plugins_new"), "%s", path);
		cr_expect_null(dlsym(h, "tldb_open"), "%s", path);
		cr_expect_null(dlsym(h, "sqlite3_open_v2"), "%s", path);
	}
}

/* ---- the host table of the oldest size ---- */

static int32_t fake_format_instant(int64_t t, char *buf, uint32_t size)
{
	(void)t;
	if (size < 2)
		return -1;
	buf[0] = 'x';
	buf[1] = '\0';
	return 1;
}

Test(host, oldest_host_table_is_refused_by_a_plugin_that_checks)
{
	void *h = dlopen(FIXTURE("presence"), RTLD_NOW | RTLD_LOCAL);
	cr_assert_not_null(h, "%s", dlerror());
	void *sym = dlsym(h, TLDB_PLUGIN_ENTRY_NAME);
	cr_assert_not_null(sym);
	tldb_plugin_entry_fn entry;
	memcpy(&entry, &sym, sizeof entry);

	tldb_host_api api;
	memset(&api, 0, sizeof api);
	api.abi_major = TLDB_PLUGIN_ABI_MAJOR;
	api.abi_minor = 0;
	api.host_version = "0.0.1";
	api.format_instant = fake_format_instant;
	const tldb_plugin_info *out = NULL;

	/* a table that ends before format_instant: the function is beyond
	 * it, even though the memory holds a pointer */
	api.size = (uint32_t)offsetof(tldb_host_api, format_instant);
	cr_expect_eq(entry(&api, &out), TLDB_PLUGIN_ERROR);
	cr_expect_null(out);
	/* the whole table, but the function NULL */
	api.size = sizeof api;
	api.format_instant = NULL;
	cr_expect_eq(entry(&api, &out), TLDB_PLUGIN_ERROR);
	cr_expect_null(out);
	/* the whole table */
	api.format_instant = fake_format_instant;
	cr_expect_eq(entry(&api, &out), TLDB_PLUGIN_OK);
	cr_assert_not_null(out);
	cr_expect_str_eq(out->name, "presence");
	/* never dlclose()d: its code has run */
}

/* ---- options ---- */

static int check_opts(const tldb_plugin_info *info, const tldb_plugin_format *f,
                      const char *key, const char *value, tldb_msgbuf *err)
{
	const char *keys[] = {key};
	const char *values[] = {value};
	memset(err, 0, sizeof *err);
	return tldb_plugins_check_options(info, f, keys, values, 1, err);
}

Test(host, options_are_checked_against_the_declared_list)
{
	tldb_plugins *p = new_registry();
	load_ok(p, FIXTURE("lines"));
	const tldb_plugin_info *info = tldb_plugins_find(p, "lines");
	const tldb_plugin_format *imp = info->importer, *exp = info->exporter;
	tldb_msgbuf err;

	cr_expect_eq(check_opts(info, imp, "typo", "1", &err), TLDB_EINVAL);
	expect_in(err.msg,
	          (const char *const[]){"typo", "lines importer",
	                                "valid: fail-at, strict, prefix, since",
	                                NULL});
	cr_expect_eq(check_opts(info, exp, "strict", "1", &err), TLDB_EINVAL);
	expect_in(err.msg, (const char *const[]){"lines exporter",
	                                         "valid: prefix", NULL});

	cr_expect_eq(check_opts(info, imp, "strict", "maybe", &err),
	             TLDB_EINVAL);
	expect_in(err.msg,
	          (const char *const[]){"strict=maybe", "true or false", NULL});
	cr_expect_eq(check_opts(info, imp, "fail-at", "3x", &err), TLDB_EINVAL);
	expect_in(err.msg,
	          (const char *const[]){"fail-at=3x", "an integer", NULL});
	cr_expect_eq(check_opts(info, imp, "fail-at", "", &err), TLDB_EINVAL);
	cr_expect_eq(check_opts(info, imp, "since", "yesterday", &err),
	             TLDB_EINVAL);
	expect_in(err.msg,
	          (const char *const[]){"since=yesterday", "EDTF date", NULL});

	cr_expect_eq(check_opts(info, imp, "strict", "yes", &err), TLDB_OK,
	             "%s", err.msg);
	cr_expect_eq(check_opts(info, imp, "strict", "FALSE", &err), TLDB_OK);
	cr_expect_eq(check_opts(info, imp, "fail-at", "-12", &err), TLDB_OK);
	cr_expect_eq(check_opts(info, imp, "since", "2022-03", &err), TLDB_OK);
	cr_expect_eq(check_opts(info, imp, "prefix", "", &err), TLDB_OK);
	cr_expect_eq(check_opts(info, exp, "prefix", "a b", &err), TLDB_OK);
	tldb_plugins_free(p);
}

Test(host, options_reach_the_plugin_with_defaults)
{
	tldb_plugins *p = new_registry();
	load_ok(p, FIXTURE("lines"));
	tldb *db = open_db(tmp_path("o.db"));
	write_text(tmp_path("in.lines"),
	           "2021-05-01|old|\n2022-05-01||\n2022-06-01|new|a,b\n");

	/* defaults: strict false (an empty title is only a warning) */
	tldb_import_opts o;
	memset(&o, 0, sizeof o);
	o.path = tmp_path("in.lines");
	reports r;
	memset(&r, 0, sizeof r);
	o.report = collect;
	o.ud = &r;
	tldb_import_stats st;
	tldb_msgbuf err;
	cr_assert_eq(tldb_import(db, p, &o, &st, &err), TLDB_OK, "%s", err.msg);
	cr_expect_eq(st.inserted, 3);
	cr_expect_eq(st.warnings, 1);
	cr_expect_not_null(strstr(r.text, "in.lines:2:1: warning: empty title"),
	                   "%s", r.text);
	cr_expect(has_title(db, "(untitled)"));

	/* strict=yes and since=2022: the plugin sees both */
	tldb_close(db);
	db = open_db(tmp_path("o2.db"));
	const char *keys[] = {"strict", "since"};
	const char *values[] = {"yes", "2022"};
	o.option_keys = keys;
	o.option_values = values;
	o.noptions = 2;
	cr_assert_eq(tldb_import(db, p, &o, &st, &err), TLDB_EPLUGIN);
	cr_expect_eq(err.line, 2);
	cr_expect_not_null(strstr(err.msg, "empty title (strict)"), "%s",
	                   err.msg);
	cr_expect_eq(count_events(db), 0);
	o.on_error = TLDB_ON_ERROR_SKIP;
	cr_assert_eq(tldb_import(db, p, &o, &st, &err), TLDB_OK, "%s", err.msg);
	cr_expect_eq(st.inserted, 1, "since=2022 leaves 'old' out");
	cr_expect_eq(st.skipped, 1);
	cr_expect(has_title(db, "new"));
	cr_expect_not(has_title(db, "old"));

	/* an unknown option stops the import before the plugin runs */
	const char *bad_keys[] = {"strikt"};
	o.option_keys = bad_keys;
	o.noptions = 1;
	cr_expect_eq(tldb_import(db, p, &o, &st, &err), TLDB_EINVAL);
	cr_expect_not_null(strstr(err.msg, "valid: fail-at"), "%s", err.msg);
	cr_expect_eq(st.records, 0);

	/* the exporter's default prefix, then one given */
	sink out;
	memset(&out, 0, sizeof out);
	tldb_export_opts eo;
	memset(&eo, 0, sizeof eo);
	eo.format = "lines";
	eo.write = sink_write;
	eo.ud = &out;
	cr_assert_eq(tldb_export(db, p, &eo, NULL, &err), TLDB_OK, "%s",
	             err.msg);
	cr_expect_str_eq(out.buf, "#lines prefix=x\n2022-06-01|new|a,b\n");
	out.len = 0;
	const char *pk[] = {"prefix"};
	const char *pv[] = {"hello"};
	eo.option_keys = pk;
	eo.option_values = pv;
	eo.noptions = 1;
	cr_assert_eq(tldb_export(db, p, &eo, NULL, &err), TLDB_OK, "%s",
	             err.msg);
	cr_expect_str_eq(out.buf, "#lines prefix=hello\n2022-06-01|new|a,b\n");
	free(out.buf);
	tldb_close(db);
	tldb_plugins_free(p);
}

/* ---- choosing an importer ---- */

static int choose(const tldb_plugins *p, const char *name, const char *path,
                  const char *mime, const char *head,
                  const tldb_plugin_info **out, tldb_msgbuf *err)
{
	memset(err, 0, sizeof *err);
	return tldb_plugins_choose_importer(p, name, path, mime,
	                                    (const uint8_t *)head,
	                                    head ? strlen(head) : 0, out, err);
}

Test(host, choose_importer)
{
	tldb_plugins *p = new_registry();
	load_ok(p, FIXTURE("lines"));
	load_ok(p, FIXTURE("clash_a"));
	load_ok(p, FIXTURE("clash_b"));
	load_ok(p, FIXTURE("future_ok"));
	load_ok(p, BUILD_PLUGIN("jsonl")); /* an exporter only */
	const tldb_plugin_info *lines = tldb_plugins_find(p, "lines");
	const tldb_plugin_info *out;
	tldb_msgbuf err;

	/* by name */
	cr_expect_eq(choose(p, "lines", "x.clash", NULL, "", &out, &err),
	             TLDB_OK);
	cr_expect_eq(out, lines);
	cr_expect_eq(choose(p, "nope", NULL, NULL, "", &out, &err),
	             TLDB_ENOTFOUND);
	cr_expect_null(out);
	cr_expect_not_null(strstr(err.msg, "'nope'"), "%s", err.msg);
	cr_expect_eq(choose(p, "jsonl", NULL, NULL, "", &out, &err),
	             TLDB_EINVAL);
	cr_expect_not_null(strstr(err.msg, "no importer"), "%s", err.msg);

	/* by extension, whatever the case, over the probe */
	cr_expect_eq(choose(p, NULL, "/a.b/in.LINES", NULL, "", &out, &err),
	             TLDB_OK, "%s", err.msg);
	cr_expect_eq(out, lines);
	cr_expect_eq(choose(p, NULL, "in.future", NULL, "#lines\n", &out, &err),
	             TLDB_OK, "%s", err.msg);
	cr_expect_str_eq(out->name, "future-ok");

	/* by MIME type */
	cr_expect_eq(
	        choose(p, NULL, "in.txt", "text/x-tldb-lines", "", &out, &err),
	        TLDB_OK, "%s", err.msg);
	cr_expect_eq(out, lines);

	/* by probe */
	cr_expect_eq(choose(p, NULL, "in.txt", NULL, "#lines v1\n2022|x|\n",
	                    &out, &err),
	             TLDB_OK, "%s", err.msg);
	cr_expect_eq(out, lines);
	cr_expect_eq(choose(p, NULL, NULL, NULL, "#lines\n", &out, &err),
	             TLDB_OK, "%s", err.msg);
	cr_expect_eq(out, lines);

	/* ambiguous: two importers claim ".clash" */
	cr_expect_eq(choose(p, NULL, "in.clash", NULL, "", &out, &err),
	             TLDB_EEXIST);
	cr_expect_null(out);
	expect_in(err.msg, (const char *const[]){"clash-a", "clash-b",
	                                         "extension", NULL});
	/* The library's message names no flag of the command; the command
	 * adds its own hint. */
	cr_expect_null(strstr(err.msg, "--"), "%s", err.msg);

	/* none */
	cr_expect_eq(choose(p, NULL, "in.unknown", NULL, "hello\n", &out, &err),
	             TLDB_ENOTFOUND);
	cr_expect_null(out);
	expect_in(err.msg,
	          (const char *const[]){"no importer", ".unknown", NULL});
	cr_expect_eq(choose(p, NULL, NULL, NULL, "", &out, &err),
	             TLDB_ENOTFOUND);
	tldb_plugins_free(p);
}

Test(host, choose_importer_in_an_empty_registry)
{
	tldb_plugins *p = new_registry();
	const tldb_plugin_info *out;
	tldb_msgbuf err;
	cr_expect_eq(choose(p, NULL, "in.lines", NULL, "#lines\n", &out, &err),
	             TLDB_ENOTFOUND);
	cr_expect_null(out);
	cr_expect_eq(choose(p, "lines", NULL, NULL, "", &out, &err),
	             TLDB_ENOTFOUND);
	tldb_plugins_free(p);
}
