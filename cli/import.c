/*
 * import.c -- `tldb import` of tldb's own JSON: the native document
 * {"tldb": 1, "timeline": {...}, "events": [...]}, a bare array of events,
 * or JSON Lines.  Parsed with jansson.  A file is imported in one
 * transaction: any error leaves the database as it was.
 *
 * This built-in importer is the seed of the json plugin; when plugins land it
 * moves there and `tldb import` chooses among plugins.
 */
#include <jansson.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char import_usage[] =
	"usage: tldb import [--timeline NAME] FILE...\n"
	"\n"
	"Loads tldb JSON: the native document {\"tldb\": 1, \"timeline\": {...},\n"
	"\"events\": [...]}, a bare array of events, or JSON Lines (.jsonl, one\n"
	"event a line).  Each file is imported whole or not at all; importing the\n"
	"same file again changes nothing.  --timeline puts every event into NAME\n"
	"(created when missing).\n";

typedef struct import_ctx {
	tldb *db;
	const char *path;
	const char *force_timeline; /* --timeline */
	const char *doc_timeline;   /* the document's */
	long imported, unchanged;
	char where[128]; /* "events[3]" or ":LINE:1" */
} import_ctx;

static int failf(const import_ctx *ic, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int failf(const import_ctx *ic, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "tldb: error: %s%s: ", ic->path, ic->where);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* A string member, NULL when absent or null; -1 on a wrong type. */
static int get_str(const import_ctx *ic, json_t *o, const char *key,
		   const char **out)
{
	json_t *v = json_object_get(o, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return failf(ic, "\"%s\" must be a string", key);
	*out = json_string_value(v);
	return 0;
}

static int get_span(const import_ctx *ic, json_t *o, const char *key,
		    int64_t span[2])
{
	json_t *v = json_object_get(o, key);
	span[0] = span[1] = -1;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v) || json_array_size(v) != 2 ||
	    !json_is_integer(json_array_get(v, 0)) ||
	    !json_is_integer(json_array_get(v, 1)))
		return failf(ic, "\"%s\" must be [begin, end] byte offsets", key);
	span[0] = json_integer_value(json_array_get(v, 0));
	span[1] = json_integer_value(json_array_get(v, 1));
	return 0;
}

static int read_sources(const import_ctx *ic, json_t *arr, tldb_source *srcs,
			size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_t *s = json_array_get(arr, i);
		tldb_source *d = &srcs[i];
		if (!json_is_object(s))
			return failf(ic, "sources[%zu] must be an object", i);
		if (get_str(ic, s, "url", &d->url) ||
		    get_str(ic, s, "title", &d->title) ||
		    get_str(ic, s, "plugin", &d->plugin) ||
		    get_str(ic, s, "quote", &d->quote) ||
		    get_str(ic, s, "expr", &d->expr) ||
		    get_str(ic, s, "doc_date", &d->doc_date) ||
		    get_str(ic, s, "resolver", &d->resolver) ||
		    get_span(ic, s, "span", d->span) ||
		    get_span(ic, s, "expr_span", d->expr_span))
			return -1;
	}
	return 0;
}

static int read_tags(const import_ctx *ic, json_t *arr, const char **tags,
		     size_t n)
{
	for (size_t i = 0; i < n; i++) {
		tags[i] = json_string_value(json_array_get(arr, i));
		if (!tags[i])
			return failf(ic, "tags[%zu] must be a string", i);
	}
	return 0;
}

static int import_event(import_ctx *ic, json_t *o)
{
	tldb_event ev;
	memset(&ev, 0, sizeof ev);
	if (!json_is_object(o))
		return failf(ic, "an event must be an object");
	if (get_str(ic, o, "uid", &ev.uid) ||
	    get_str(ic, o, "timeline", &ev.timeline) ||
	    get_str(ic, o, "title", &ev.title) ||
	    get_str(ic, o, "body", &ev.body) ||
	    get_str(ic, o, "start", &ev.start) ||
	    get_str(ic, o, "end", &ev.end) || get_str(ic, o, "tz", &ev.tz) ||
	    get_str(ic, o, "location", &ev.location) ||
	    get_str(ic, o, "url", &ev.url))
		return -1;
	if (ic->force_timeline)
		ev.timeline = ic->force_timeline;
	else if (!ev.timeline)
		ev.timeline = ic->doc_timeline;
	json_t *tags = json_object_get(o, "tags");
	json_t *srcs = json_object_get(o, "sources");
	if (tags && !json_is_array(tags) && !json_is_null(tags))
		return failf(ic, "\"tags\" must be an array");
	if (srcs && !json_is_array(srcs) && !json_is_null(srcs))
		return failf(ic, "\"sources\" must be an array");
	ev.ntags = json_array_size(tags);
	ev.nsources = json_array_size(srcs);
	if (ev.ntags > TLDB_MAX_TAGS || ev.nsources > TLDB_MAX_SOURCES)
		return failf(ic, "more than %d tags or %d sources", TLDB_MAX_TAGS,
			     TLDB_MAX_SOURCES);
	const char *tagv[TLDB_MAX_TAGS];
	tldb_source srcv[TLDB_MAX_SOURCES];
	memset(srcv, 0, sizeof srcv);
	if (read_tags(ic, tags, tagv, ev.ntags) ||
	    read_sources(ic, srcs, srcv, ev.nsources))
		return -1;
	ev.tags = tagv;
	ev.sources = srcv;
	tldb_put_result res;
	if (tldb_put(ic->db, &ev, NULL, &res))
		return failf(ic, "%s", tldb_errmsg(ic->db));
	if (res == TLDB_PUT_UNCHANGED)
		ic->unchanged++;
	else
		ic->imported++;
	return 0;
}

static int ensure_timeline(import_ctx *ic, const char *name, json_t *meta)
{
	tldb_timeline tl = {0};
	tl.name = name;
	if (meta) {
		tl.title = json_string_value(json_object_get(meta, "title"));
		tl.description =
			json_string_value(json_object_get(meta, "description"));
		if (tldb_timeline_put(ic->db, &tl))
			return failf(ic, "%s", tldb_errmsg(ic->db));
		return 0;
	}
	int rc = tldb_timeline_create(ic->db, &tl);
	if (rc && rc != TLDB_EEXIST)
		return failf(ic, "%s", tldb_errmsg(ic->db));
	return 0;
}

static int import_array(import_ctx *ic, json_t *arr)
{
	for (size_t i = 0; i < json_array_size(arr); i++) {
		snprintf(ic->where, sizeof ic->where, ": events[%zu]", i);
		if (import_event(ic, json_array_get(arr, i)))
			return -1;
	}
	return 0;
}

static int import_document(import_ctx *ic, json_t *doc)
{
	if (json_is_array(doc))
		return import_array(ic, doc);
	json_t *version = json_object_get(doc, "tldb");
	if (!json_is_object(doc) || !json_is_integer(version))
		return failf(ic, "not a tldb document (expected {\"tldb\": 1, ...}, "
				 "an array of events, or JSON Lines)");
	if (json_integer_value(version) != 1)
		return failf(ic, "document version %lld is not supported (1 is)",
			     (long long)json_integer_value(version));
	json_t *meta = json_object_get(doc, "timeline");
	if (meta && !json_is_object(meta))
		return failf(ic, "\"timeline\" must be an object");
	if (meta) {
		ic->doc_timeline = json_string_value(json_object_get(meta, "name"));
		if (!ic->doc_timeline)
			return failf(ic, "\"timeline\" needs a \"name\"");
		if (ensure_timeline(ic, ic->force_timeline ? ic->force_timeline
							   : ic->doc_timeline,
				    meta))
			return -1;
	}
	json_t *events = json_object_get(doc, "events");
	if (!json_is_array(events))
		return failf(ic, "\"events\" must be an array");
	return import_array(ic, events);
}

static int import_lines(import_ctx *ic, const char *text, size_t len)
{
	size_t line = 1;
	for (size_t pos = 0; pos < len; line++) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t n = end - pos;
		const char *p = text + pos;
		pos = end + 1;
		while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (!n)
			continue;
		json_error_t jerr;
		json_t *o = json_loadb(p, n, 0, &jerr);
		snprintf(ic->where, sizeof ic->where, ":%zu:%d", line,
			 o ? 1 : jerr.column);
		if (!o)
			return failf(ic, "%s", jerr.text);
		int rc = import_event(ic, o);
		json_decref(o);
		if (rc)
			return -1;
	}
	return 0;
}

static int is_jsonl_name(const char *path)
{
	size_t n = strlen(path);
	return (n > 6 && strcmp(path + n - 6, ".jsonl") == 0) ||
	       (n > 7 && strcmp(path + n - 7, ".ndjson") == 0);
}

static char *read_all(FILE *f, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		char *grown = realloc(buf, cap * 2);
		if (!grown) {
			free(buf);
			return NULL;
		}
		buf = grown;
		cap *= 2;
	}
	*len = n;
	return buf;
}

static int import_text(import_ctx *ic, const char *text, size_t len)
{
	if (is_jsonl_name(ic->path))
		return import_lines(ic, text, len);
	json_error_t jerr;
	json_t *doc = json_loadb(text, len, 0, &jerr);
	if (!doc && strstr(jerr.text, "end of file expected"))
		return import_lines(ic, text, len); /* JSON Lines after all */
	if (!doc) {
		snprintf(ic->where, sizeof ic->where, ":%d:%d", jerr.line,
			 jerr.column);
		return failf(ic, "%s", jerr.text);
	}
	int rc = import_document(ic, doc);
	json_decref(doc);
	return rc;
}

int cli_import_json(tldb *db, const char *path, const char *timeline,
		    long *imported, long *unchanged)
{
	import_ctx ic;
	memset(&ic, 0, sizeof ic);
	ic.db = db;
	ic.path = path;
	ic.force_timeline = timeline;
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f) {
		cli_error("%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	size_t len = 0;
	char *text = read_all(f, &len);
	int read_failed = ferror(f);
	if (f != stdin)
		fclose(f);
	if (!text || read_failed) {
		free(text);
		cli_error("%s: cannot read", path);
		return -1;
	}
	int rc = tldb_begin(db);
	if (rc) {
		free(text);
		cli_error("%s", tldb_errmsg(db));
		return -1;
	}
	if (timeline)
		rc = ensure_timeline(&ic, timeline, NULL);
	if (!rc)
		rc = import_text(&ic, text, len);
	free(text);
	if (!rc && tldb_commit(db)) {
		cli_error("%s: %s", path, tldb_errmsg(db));
		rc = -1;
	}
	if (rc) {
		tldb_rollback(db);
		return -1;
	}
	*imported = ic.imported;
	*unchanged = ic.unchanged;
	return 0;
}

int cmd_import(const cli_ctx *ctx, int argc, char **argv)
{
	static const cli_opt opts[] = {
		{"timeline", 'T', 1}, {"help", 'h', 0}, {NULL, 0, 0}};
	cli_args a;
	cli_args_init(&a, "import", argc, argv);
	const char *v, *timeline = NULL;
	cli_list files = {0};
	int k, rc = EXIT_OK;
	while ((k = cli_next(&a, opts, &v)) != CLI_END) {
		if (k == CLI_ERROR) {
			rc = EXIT_USAGE;
			goto out;
		}
		if (k == 1) {
			fputs(import_usage, stdout);
			goto out;
		}
		if (k == 0)
			timeline = v;
		else if (cli_list_add(&files, v)) {
			rc = EXIT_FAIL;
			goto out;
		}
	}
	if (!files.n) {
		rc = cli_usage_error("import", "which files? give FILE... or -");
		goto out;
	}
	if (timeline && !tldb_timeline_name_valid(timeline)) {
		rc = cli_usage_error("import", "bad timeline name '%s'", timeline);
		goto out;
	}
	tldb *db = cli_open(ctx, CLI_WRITE);
	if (!db) {
		rc = EXIT_FAIL;
		goto out;
	}
	for (size_t i = 0; i < files.n && rc == EXIT_OK; i++) {
		long imported = 0, unchanged = 0;
		if (cli_import_json(db, files.items[i], timeline, &imported,
				    &unchanged))
			rc = EXIT_FAIL;
		else
			fprintf(stderr, "tldb: %s: %ld events written, %ld unchanged\n",
				files.items[i], imported, unchanged);
	}
	cli_close(ctx, db, rc != EXIT_OK);
out:
	cli_list_release(&files);
	return rc;
}
