/*
 * tsv.c -- a template tldb plugin: imports and exports tab-separated events.
 *
 *     uid  start  end  tz  title  location  url  tags      (tab-separated)
 *     xi-putin  2022-02  -  -  Xi and Putin meet  Beijing  -  russia,china
 *
 * Empty fields are absent ones; an empty uid lets tldb derive one.
 *
 * ("-" above marks an empty field.)  The first line is a header and is skipped
 * (-o header=false when there is none).  Copy this folder, rename the plugin,
 * and change the two run functions: everything else is the shape every plugin
 * has.
 *
 * Rules a plugin lives by (tldb/plugin.h says them in full):
 *  - include only <tldb/plugin.h>; link nothing of tldb;
 *  - export one symbol, TLDB_PLUGIN_ENTRY; keep everything else static;
 *  - everything handed to the host is borrowed for the call (the host
 *    copies), everything the host hands over is borrowed until the next call;
 *  - report problems through host->error with a line and column.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tldb/plugin.h>

/* The host's functions, kept by the entry point. */
static const tldb_host_api *host;

/* ---- importer ---- */

/* Reads the input one line at a time through host->read. */
typedef struct line_reader {
	char buf[65536];
	size_t len, pos;
	int eof;
	char line[8192];
	int64_t number;
} line_reader;

/* The next line without its end (CR LF or LF); 0 at the end of input, -1 on
 * a read error or a line too long. */
static int next_line(tldb_run *run, line_reader *r)
{
	size_t n = 0;
	for (;;) {
		if (r->pos == r->len) {
			if (r->eof)
				break;
			int64_t got = host->read(run, r->buf, sizeof r->buf);
			if (got < 0)
				return -1;
			r->len = (size_t)got;
			r->pos = 0;
			r->eof = got == 0;
			continue;
		}
		char c = r->buf[r->pos++];
		if (c == '\n')
			break;
		if (n + 1 >= sizeof r->line)
			return -1;
		r->line[n++] = c;
	}
	if (n == 0 && r->eof && r->pos == r->len)
		return 0;
	if (n && r->line[n - 1] == '\r')
		n--;
	r->line[n] = '\0';
	r->number++;
	return 1;
}

/* Splits s at tabs into at most max fields; returns how many. */
static int split(char *s, char **fields, int max)
{
	int n = 0;
	fields[n++] = s;
	for (char *p = s; *p && n < max; p++) {
		if (*p == '\t') {
			*p = '\0';
			fields[n++] = p + 1;
		}
	}
	return n;
}

/* A bad record: the host decides whether to go on (skip) or stop. */
static int bad_record(tldb_run *run, int64_t line, const char *msg)
{
	return host->error(run, TLDB_PLUGIN_ERROR, line, 1, msg) ==
	       TLDB_PLUGIN_OK;
}

static int32_t import_run(tldb_run *run, void *state)
{
	(void)state;
	line_reader *r = calloc(1, sizeof *r);
	if (!r)
		return TLDB_PLUGIN_NOMEM;
	const char *header = host->option(run, "header");
	int skip_header = !header || strcmp(header, "true") == 0 ||
	                  strcmp(header, "yes") == 0 ||
	                  strcmp(header, "1") == 0 || strcmp(header, "on") == 0;
	int32_t rc = TLDB_PLUGIN_OK;
	int got;
	while ((got = next_line(run, r)) > 0) {
		if ((r->number == 1 && skip_header) || r->line[0] == '\0')
			continue;
		enum { UID, START, END, TZ, TITLE, LOCATION, URL, TAGS, NCOLS };
		char *f[NCOLS] = {NULL};
		if (split(r->line, f, NCOLS) != NCOLS) {
			if (!bad_record(
			            run, r->number,
			            "expected 8 fields separated by tabs: uid, "
			            "start, end, tz, title, location, url, "
			            "tags"))
				break;
			continue;
		}
		/* Tags: a comma-separated list, handed over NULL-terminated. */
		const char *tags[65];
		size_t ntags = 0;
		for (char *t = f[TAGS]; t && *t && ntags < 64;) {
			char *comma = strchr(t, ',');
			if (comma)
				*comma = '\0';
			tags[ntags++] = t;
			t = comma ? comma + 1 : NULL;
		}
		tags[ntags] = NULL;
		tldb_plugin_event ev;
		memset(&ev, 0, sizeof ev);
		ev.size = sizeof ev; /* always: the host reads what you know */
		ev.uid = *f[UID] ? f[UID] : NULL;
		ev.start = f[START];
		ev.end = *f[END] ? f[END] : NULL;
		ev.tz = *f[TZ] ? f[TZ] : NULL;
		ev.title = f[TITLE];
		ev.location = *f[LOCATION] ? f[LOCATION] : NULL;
		ev.url = *f[URL] ? f[URL] : NULL;
		ev.tags = tags;
		/* Tell the host where this record is, for its messages. */
		host->set_position(run, r->number, 1);
		if (host->emit(run, &ev) != TLDB_PLUGIN_OK)
			break; /* the host has stopped the import */
	}
	if (got < 0) {
		host->error(run, TLDB_PLUGIN_EIO, r->number + 1, 1,
		            "read error or a line longer than 8 KiB");
		rc = TLDB_PLUGIN_ERROR;
	}
	free(r);
	return rc;
}

/* How sure this plugin is that the input is its format: a header line with
 * the column names. */
static int32_t probe(const uint8_t *head, uint64_t len)
{
	static const char want[] = "uid\tstart\tend\ttz\ttitle";
	return len >= sizeof want - 1 &&
	                       memcmp(head, want, sizeof want - 1) == 0
	               ? 80
	               : 0;
}

/* ---- exporter ---- */

/* Writes s with tabs and line ends replaced by spaces. */
static int32_t put_field(tldb_run *run, const char *s)
{
	char buf[256];
	size_t n = 0;
	for (; s && *s; s++) {
		buf[n++] = (*s == '\t' || *s == '\n' || *s == '\r') ? ' ' : *s;
		if (n == sizeof buf) {
			int32_t rc = host->write(run, buf, n);
			if (rc)
				return rc;
			n = 0;
		}
	}
	return n ? host->write(run, buf, n) : TLDB_PLUGIN_OK;
}

static int32_t export_run(tldb_run *run, void *state)
{
	static const char header[] =
	        "uid\tstart\tend\ttz\ttitle\tlocation\turl\ttags\n";
	(void)state;
	const tldb_plugin_event *ev;
	int32_t rc = host->write(run, header, sizeof header - 1);
	int32_t got = 0;
	while (!rc && (got = host->next(run, &ev)) == 1) {
		const char *fields[] = {ev->uid, ev->start, ev->end,
		                        ev->tz,  ev->title, ev->location,
		                        ev->url};
		for (size_t i = 0; !rc && i < 7; i++) {
			rc = put_field(run, fields[i]);
			if (!rc)
				rc = host->write(run, "\t", 1);
		}
		for (size_t i = 0; !rc && ev->tags && ev->tags[i]; i++) {
			if (i)
				rc = host->write(run, ",", 1);
			if (!rc)
				rc = put_field(run, ev->tags[i]);
		}
		if (!rc)
			rc = host->write(run, "\n", 1);
	}
	if (!rc && got < 0)
		rc = got;
	return rc;
}

/* ---- the descriptor ---- */

static const tldb_plugin_option header_option = {
        .size = sizeof(tldb_plugin_option),
        .type = TLDB_OPTION_BOOL,
        .key = "header",
        .default_value = "true",
        .help = "the first line names the columns and is skipped",
};
static const tldb_plugin_option *const import_options[] = {&header_option,
                                                           NULL};
static const char *const extensions[] = {"tsv", NULL};
static const char *const mime_types[] = {"text/tab-separated-values", NULL};

static const tldb_plugin_format importer = {
        .size = sizeof(tldb_plugin_format),
        .kind = TLDB_KIND_IMPORTER,
        .flags = TLDB_FORMAT_THREADSAFE, /* no shared state: may run at once */
        .description =
                "tab-separated uid, start, end, tz, title, location, url, tags",
        .extensions = extensions,
        .mime_types = mime_types,
        .options = import_options,
        .probe = probe,
        .run = import_run,
};

static const tldb_plugin_format exporter = {
        .size = sizeof(tldb_plugin_format),
        .kind = TLDB_KIND_EXPORTER,
        .flags = TLDB_FORMAT_THREADSAFE,
        .description =
                "tab-separated uid, start, end, tz, title, location, url, tags",
        .extensions = extensions,
        .mime_types = mime_types,
        .run = export_run,
};

static const tldb_plugin_info info = {
        .size = sizeof(tldb_plugin_info),
        .abi_major = TLDB_PLUGIN_ABI_MAJOR,
        .abi_minor = TLDB_PLUGIN_ABI_MINOR,
        .name = "tsv",
        .version = "1.0.0",
        .description = "template plugin: tab-separated events",
        .importer = &importer,
        .exporter = &exporter,
};

TLDB_PLUGIN_EXPORT int32_t TLDB_PLUGIN_ENTRY(const tldb_host_api *h,
                                             const tldb_plugin_info **out)
{
	/* Refuse politely on a host that lacks what this plugin calls. */
	if (!TLDB_HOST_HAS(h, set_position) || !TLDB_HOST_HAS(h, write))
		return TLDB_PLUGIN_ERROR;
	host = h;
	*out = &info;
	return TLDB_PLUGIN_OK;
}
