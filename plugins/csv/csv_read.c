/*
 * csv_read.c -- the csv importer.  libcsv (strict RFC 4180: quoted fields,
 * "" escapes, embedded line ends, CR LF or LF records) does the parsing; this
 * file feeds it the input in chunks from host->read and holds one record at
 * a time, so a file of any size is read in bounded memory.
 *
 * Positions: libcsv calls back only when it consumes a ',', a CR or a LF, so
 * each chunk is fed in segments that end at those bytes.  A scan of every
 * byte before it is fed keeps the line and column (in characters) of the
 * next byte and notes where each record and each field begins; a callback
 * then knows exactly where its field and record started, embedded line ends
 * included.  The same scan checks UTF-8 and the size of the field being
 * read: a field over CSV_FIELD_MAX is refused on the spot and the rest of
 * its record skipped by counting quotes (in valid CSV a CR or LF outside
 * quotes ends the record), after which a fresh parser resumes.
 *
 * What goes wrong where: a bad value (a date, too many tags, invalid UTF-8,
 * a NUL byte, a field too large, the wrong number of fields) is a bad
 * record, reported at its field through host->error, whose answer says
 * whether to go on (--on-error skip) or stop.  A syntax error (a quote
 * inside an unquoted field, text after a closing quote, an unterminated
 * quote) loses the thread and ends the run; so does a bad header.
 */
#include <csv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "csv_plugin.h"

#define CHUNK        65536
#define MAX_COLUMNS  256
#define MAX_NAME     1024 /* bytes of a header name */
#define MAX_TAGS     64
#define PARSER_BLOCK 16384 /* libcsv's buffer grows by this much */
#define COL_UNKNOWN  (-1)  /* a column no field is read from (warned) */
#define COL_IGNORED  (-2)  /* -o columns=NAME:- (not warned) */

/* A place in the input: the 1-based line and column of a byte. */
typedef struct pos {
	int64_t line, col;
	int after_cr; /* the previous byte was a CR (a CR LF is one end) */
} pos;

/* One field of the record being read. */
typedef struct field {
	tl_buf text; /* up to CSV_FIELD_MAX bytes */
	int set;
	pos at;
} field;

typedef struct reader {
	tldb_run *run;
	struct csv_parser parser;
	int parser_ready;
	pos at; /* of the next byte to scan */
	/* where the current record and field begin */
	int want_record, want_field;
	pos record_at, field_at;
	size_t field_weight; /* 2 per byte, 1 per quote: >= 2 * content */
	int in_quotes;       /* quote parity, used while discarding */
	int discard;         /* skipping the rest of a refused record */
	/* UTF-8 */
	int u_need;
	unsigned char u_lo, u_hi;
	pos u_at;
	/* the header */
	int have_header;
	char *names[MAX_COLUMNS];
	size_t nnames;
	int colmap[MAX_COLUMNS];
	size_t ncols;
	/* the record */
	size_t nfields;
	int all_empty;
	field f[CSV_NFIELDS];
	char problem[512];
	pos problem_at;
	/* options */
	csv_dayfirst dayfirst;
	/* the end */
	int done;
	int32_t rc;
} reader;

/* ---- small helpers ---- */

static void advance(pos *p, unsigned char c)
{
	if (c == '\n') {
		if (!p->after_cr) {
			p->line++;
			p->col = 1;
		}
		p->after_cr = 0;
	} else if (c == '\r') {
		p->line++;
		p->col = 1;
		p->after_cr = 1;
	} else {
		p->after_cr = 0;
		if ((c & 0xC0) != 0x80)
			p->col++;
	}
}

/* Notes the first problem of the current record (or header). */
static void note(reader *r, pos at, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static void note(reader *r, pos at, const char *fmt, ...)
{
	if (r->problem[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->problem, sizeof r->problem, fmt, ap);
	va_end(ap);
	r->problem_at = at;
}

/* An error the run cannot go on after. */
static void fatal(reader *r, pos at, const char *msg)
{
	if (r->done)
		return;
	csv_host->error(r->run, TLDB_PLUGIN_ERROR, at.line, at.col, msg);
	r->done = 1;
	r->rc = TLDB_PLUGIN_ERROR;
}

/* A bad record: the host's answer says whether to go on. */
static void bad_record(reader *r, pos at, const char *msg)
{
	if (csv_host->error(r->run, TLDB_PLUGIN_ERROR, at.line, at.col, msg) !=
	    TLDB_PLUGIN_OK) {
		r->done = 1;
		r->rc = TLDB_PLUGIN_ERROR;
	}
}

/* Reports the noted problem: fatal in the header, else a bad record. */
static void report_problem(reader *r)
{
	if (!r->have_header)
		fatal(r, r->problem_at, r->problem);
	else
		bad_record(r, r->problem_at, r->problem);
}

static void clear_record(reader *r)
{
	for (int k = 0; k < CSV_NFIELDS; k++)
		r->f[k].set = 0;
	r->nfields = 0;
	r->all_empty = 1;
	r->problem[0] = '\0';
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/* [s, s + n) without surrounding blanks. */
static void trim_span(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

/* The field called name[0..n) (ASCII case ignored), or -1. */
static int field_index(const char *name, size_t n)
{
	trim_span(&name, &n);
	for (int k = 0; k < CSV_NFIELDS; k++)
		if (strlen(csv_field_names[k]) == n &&
		    strncasecmp(csv_field_names[k], name, n) == 0)
			return k;
	return -1;
}

/* The header's column names, comma-separated, for messages. */
static void list_names(const reader *r, const int *only, char *out, size_t size)
{
	size_t n = 0;
	out[0] = '\0';
	for (size_t i = 0; i < r->nnames && n < size; i++) {
		if (only && r->colmap[i] != *only)
			continue;
		int w = snprintf(out + n, size - n, "%s%s", n ? ", " : "",
		                 r->names[i]);
		if (w < 0 || (size_t)w >= size - n) {
			if (size > 4)
				memcpy(out + size - 4, "...", 4);
			return;
		}
		n += (size_t)w;
	}
}

/* ---- the header ---- */

static void header_name(reader *r, const char *s, size_t len)
{
	if (r->nnames == MAX_COLUMNS) {
		note(r, r->field_at, "more than %d columns", MAX_COLUMNS);
		return;
	}
	if (len > MAX_NAME) {
		note(r, r->field_at, "a column name longer than %d bytes",
		     MAX_NAME);
		return;
	}
	trim_span(&s, &len);
	char *copy = malloc(len + 1);
	if (!copy) {
		note(r, r->field_at, "out of memory");
		return;
	}
	memcpy(copy, s, len);
	copy[len] = '\0';
	r->names[r->nnames++] = copy; /* trimmed */
}

/* The unclaimed column called name[0..n), or -1. */
static int find_column(const reader *r, const char *name, size_t n)
{
	trim_span(&name, &n);
	for (size_t i = 0; i < r->nnames; i++) {
		const char *c = r->names[i];
		if (r->colmap[i] == COL_UNKNOWN && strlen(c) == n &&
		    strncasecmp(c, name, n) == 0)
			return (int)i;
	}
	return -1;
}

/* Applies one NAME:FIELD of -o columns; 0, or -1 with a message. */
static int map_one(reader *r, const char *item, size_t len, int *claimed,
                   char *msg, size_t size)
{
	const char *colon = NULL;
	for (size_t i = 0; i < len; i++)
		if (item[i] == ':')
			colon = item + i;
	if (!colon) {
		snprintf(
		        msg, size,
		        "-o columns: '%.*s' is not NAME:FIELD (a header name, "
		        "a colon, one of uid, title, start, end, tz, location, "
		        "tags, url, body, timeline or -)",
		        (int)len, item);
		return -1;
	}
	const char *fname = colon + 1;
	size_t flen = (size_t)(item + len - fname);
	size_t nlen = (size_t)(colon - item);
	trim_span(&fname, &flen);
	int k = flen == 1 && *fname == '-' ? COL_IGNORED
	                                   : field_index(fname, flen);
	if (k == COL_UNKNOWN) {
		snprintf(
		        msg, size,
		        "-o columns: unknown field '%.*s' (fields: uid, title, "
		        "start, end, tz, location, tags, url, body, timeline; "
		        "- ignores a column)",
		        (int)flen, fname);
		return -1;
	}
	if (k >= 0 && claimed[k]) {
		snprintf(msg, size, "-o columns: two columns map to %s",
		         csv_field_names[k]);
		return -1;
	}
	int col = find_column(r, item, nlen);
	if (col < 0) {
		char names[600];
		list_names(r, NULL, names, sizeof names);
		snprintf(msg, size,
		         "-o columns: the header has no column '%.*s' (its "
		         "columns: %s)",
		         (int)nlen, item, names);
		return -1;
	}
	r->colmap[col] = k;
	if (k >= 0)
		claimed[k] = 1;
	return 0;
}

/* Applies -o columns=NAME:FIELD,...; 0, or -1 with a message. */
static int map_option(reader *r, int *claimed, char *msg, size_t size)
{
	const char *spec = csv_host->option(r->run, "columns");
	for (const char *p = spec; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		const char *item = p;
		size_t ilen = len;
		trim_span(&item, &ilen);
		if (ilen && map_one(r, item, ilen, claimed, msg, size))
			return -1;
		p = comma ? comma + 1 : p + len;
	}
	return 0;
}

static void warn_unknown(reader *r)
{
	int unknown = COL_UNKNOWN;
	char names[700], msg[900];
	list_names(r, &unknown, names, sizeof names);
	if (!names[0])
		return;
	snprintf(msg, sizeof msg,
	         "ignoring unknown columns: %s (map one with -o "
	         "columns=NAME:FIELD, or NAME:- to silence this)",
	         names);
	csv_host->warning(r->run, r->record_at.line, r->record_at.col, msg);
}

/* Maps the header's names to fields; 0, or -1 with a message. */
static int map_columns(reader *r, char *msg, size_t size)
{
	int claimed[CSV_NFIELDS] = {0};
	r->ncols = r->nnames;
	for (size_t i = 0; i < r->nnames; i++)
		r->colmap[i] = COL_UNKNOWN;
	if (map_option(r, claimed, msg, size))
		return -1;
	for (size_t i = 0; i < r->nnames; i++) {
		int k = field_index(r->names[i], strlen(r->names[i]));
		if (r->colmap[i] == COL_UNKNOWN && k >= 0 && !claimed[k]) {
			r->colmap[i] = k;
			claimed[k] = 1;
		}
	}
	if (claimed[CSV_F_START] && claimed[CSV_F_TITLE])
		return 0;
	char names[600];
	list_names(r, NULL, names, sizeof names);
	const char *missing = !claimed[CSV_F_START] && !claimed[CSV_F_TITLE]
	                              ? "start and title columns"
	                      : !claimed[CSV_F_START] ? "start column"
	                                              : "title column";
	snprintf(msg, size,
	         "the header has no %s (its columns: %s); name them so, or "
	         "map them with -o columns=NAME:start,NAME:title",
	         missing, names);
	return -1;
}

static void end_header(reader *r)
{
	char msg[1000];
	if (r->problem[0])
		fatal(r, r->problem_at, r->problem);
	else if (map_columns(r, msg, sizeof msg))
		fatal(r, r->record_at, msg);
	else {
		warn_unknown(r);
		r->have_header = 1;
	}
	clear_record(r);
}

/* ---- records ---- */

/* A field's value, NULL when empty. */
static char *value(reader *r, int k)
{
	return r->f[k].set && r->f[k].text.len ? r->f[k].text.data : NULL;
}

/* Reads date field k into *out (buf holds a converted one); -1 when it was
 * reported as bad. */
static int date_field(reader *r, int k, char *buf, size_t size,
                      const char **out)
{
	char err[300], msg[400];
	char *s = value(r, k);
	*out = NULL;
	if (!s || !*(s = trim(s)))
		return 0;
	int got = csv_convert_date(s, r->dayfirst, buf, size, err, sizeof err);
	if (got >= 0) {
		tldb_plugin_date d;
		memset(&d, 0, sizeof d);
		d.size = sizeof d;
		*out = got ? buf : s;
		if (csv_host->parse_date(*out, NULL, &d, err, sizeof err) ==
		    TLDB_PLUGIN_OK)
			return 0;
	}
	snprintf(msg, sizeof msg, "%s: %s", csv_field_names[k], err);
	bad_record(r, r->f[k].at, msg);
	return -1;
}

/* Splits the tags field at ';' into tags[] (NULL-terminated); -1 when it
 * was reported as bad. */
static int split_tags(reader *r, const char **tags)
{
	size_t n = 0;
	char *s = value(r, CSV_F_TAGS);
	while (s) {
		char *semi = strchr(s, ';');
		if (semi)
			*semi = '\0';
		char *t = trim(s);
		if (*t && n == MAX_TAGS) {
			char msg[100];
			snprintf(msg, sizeof msg, "tags: more than %d tags",
			         MAX_TAGS);
			bad_record(r, r->f[CSV_F_TAGS].at, msg);
			return -1;
		}
		if (*t)
			tags[n++] = t;
		s = semi ? semi + 1 : NULL;
	}
	tags[n] = NULL;
	return 0;
}

static void emit_record(reader *r)
{
	char start_buf[32], end_buf[32];
	const char *tags[MAX_TAGS + 1];
	tldb_plugin_event ev;
	memset(&ev, 0, sizeof ev);
	ev.size = sizeof ev;
	if (date_field(r, CSV_F_START, start_buf, sizeof start_buf,
	               &ev.start) ||
	    date_field(r, CSV_F_END, end_buf, sizeof end_buf, &ev.end) ||
	    split_tags(r, tags))
		return;
	char *tz = value(r, CSV_F_TZ);
	ev.uid = value(r, CSV_F_UID);
	ev.timeline = value(r, CSV_F_TIMELINE);
	ev.title = value(r, CSV_F_TITLE);
	ev.body = value(r, CSV_F_BODY);
	ev.tz = tz && *(tz = trim(tz)) ? tz : NULL;
	ev.location = value(r, CSV_F_LOCATION);
	ev.url = value(r, CSV_F_URL);
	ev.tags = tags;
	csv_host->set_position(r->run, r->record_at.line, r->record_at.col);
	if (csv_host->emit(r->run, &ev) != TLDB_PLUGIN_OK)
		r->done = 1; /* the host stops us; it knows why */
}

static void end_record(reader *r)
{
	char msg[200];
	if (r->problem[0])
		report_problem(r);
	else if (r->all_empty)
		; /* a spreadsheet's empty row */
	else if (r->nfields != r->ncols) {
		snprintf(msg, sizeof msg,
		         "a record of %zu fields; the header has %zu",
		         r->nfields, r->ncols);
		bad_record(r, r->record_at, msg);
	} else
		emit_record(r);
	clear_record(r);
}

/* Keeps a copy of a record's field k. */
static void keep_field(reader *r, int k, const char *s, size_t len)
{
	field *f = &r->f[k];
	tl_buf_reset(&f->text);
	if (tl_buf_add(&f->text, s, len)) {
		note(r, r->field_at, "out of memory");
		return;
	}
	f->set = 1;
	f->at = r->field_at;
}

/* libcsv: the end of a field. */
static void on_field(void *s, size_t len, void *data)
{
	reader *r = data;
	size_t i = r->nfields++;
	r->want_field = 1;
	r->field_weight = 0;
	if (!r->have_header) {
		header_name(r, s, len);
		return;
	}
	if (len)
		r->all_empty = 0;
	if (i >= r->ncols || r->colmap[i] < 0)
		return;
	if (len > CSV_FIELD_MAX)
		note(r, r->field_at, "%s: a field larger than 1 MiB (%d bytes)",
		     csv_field_names[r->colmap[i]], CSV_FIELD_MAX);
	else
		keep_field(r, r->colmap[i], s, len); /* a NUL byte was noted */
}

/* libcsv: the end of a record. */
static void on_record(int c, void *data)
{
	reader *r = data;
	(void)c;
	r->want_record = 1;
	if (!r->have_header)
		end_header(r);
	else
		end_record(r);
}

/* ---- the scan ---- */

/* RFC 4180: blanks are part of a field (libcsv would trim them). */
static int no_blanks(unsigned char c)
{
	(void)c;
	return 0;
}

static int parser_init(reader *r)
{
	if (r->parser_ready)
		csv_free(&r->parser);
	r->parser_ready = 0;
	if (csv_init(&r->parser, CSV_STRICT | CSV_STRICT_FINI) != 0)
		return -1;
	csv_set_blk_size(&r->parser, PARSER_BLOCK);
	csv_set_space_func(&r->parser, no_blanks);
	r->parser_ready = 1;
	return 0;
}

/* Notes where records and fields begin (blank lines begin none). */
static void mark_starts(reader *r, unsigned char c)
{
	if (r->want_record) {
		if (c == '\r' || c == '\n')
			return;
		r->want_record = 0;
		r->want_field = 1;
		r->record_at = r->at;
	}
	if (r->want_field) {
		r->want_field = 0;
		r->field_at = r->at;
		r->field_weight = 0;
		r->in_quotes = 0;
	}
}

static void check_utf8(reader *r, unsigned char c)
{
	if (r->u_need) {
		if (c >= r->u_lo && c <= r->u_hi) {
			r->u_need--;
			r->u_lo = 0x80;
			r->u_hi = 0xBF;
			return;
		}
		note(r, r->u_at, "invalid UTF-8 (a character cut short)");
		r->u_need = 0;
	}
	if (c < 0x80) {
		if (c == 0)
			note(r, r->at, "a NUL byte");
		return;
	}
	r->u_at = r->at;
	r->u_lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
	r->u_hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
	if (c >= 0xC2 && c <= 0xDF)
		r->u_need = 1;
	else if (c >= 0xE0 && c <= 0xEF)
		r->u_need = 2;
	else if (c >= 0xF0 && c <= 0xF4)
		r->u_need = 3;
	else
		note(r, r->at, "invalid UTF-8 (byte 0x%02X)", c);
}

/* A field too large to hold: its record is refused and skipped. */
static void start_discard(reader *r)
{
	note(r, r->field_at, "a field larger than 1 MiB (%d bytes)",
	     CSV_FIELD_MAX);
	report_problem(r);
	clear_record(r);
	r->discard = 1;
}

/* While discarding: a CR or LF outside quotes ends the record. */
static void discard_byte(reader *r, unsigned char c)
{
	if (c == '"')
		r->in_quotes = !r->in_quotes;
	else if ((c == '\r' || c == '\n') && !r->in_quotes) {
		r->discard = 0;
		r->want_record = 1;
		r->field_weight = 0;
		r->u_need = 0;
		if (parser_init(r))
			fatal(r, r->at, "out of memory");
	}
}

/* Feeds one segment (starting at `at`) to libcsv. */
static void feed(reader *r, const unsigned char *b, size_t len, pos at)
{
	size_t got = csv_parse(&r->parser, b, len, on_field, on_record, r);
	if (got == len || r->done)
		return;
	for (size_t k = 0; k < got; k++)
		advance(&at, b[k]);
	if (csv_error(&r->parser) != CSV_EPARSE)
		fatal(r, at, "out of memory");
	else if (b[got] == '"')
		fatal(r, at,
		      "a quote inside an unquoted field (RFC 4180: quote the "
		      "whole field and double the quote)");
	else
		fatal(r, at,
		      "text after a closing quote (RFC 4180: a quoted field "
		      "ends at its closing quote)");
}

/* Scans and feeds one chunk. */
static void scan(reader *r, const unsigned char *b, size_t n)
{
	size_t seg = 0;
	pos seg_at = r->at;
	for (size_t i = 0; i < n && !r->done; i++) {
		unsigned char c = b[i];
		if (r->discard) {
			discard_byte(r, c);
			advance(&r->at, c);
			seg = i + 1;
			seg_at = r->at;
			continue;
		}
		mark_starts(r, c);
		check_utf8(r, c);
		if (c == '"')
			r->in_quotes = !r->in_quotes;
		r->field_weight += c == '"' ? 1 : 2;
		advance(&r->at, c);
		if (r->field_weight > 2 * (size_t)CSV_FIELD_MAX + 2) {
			start_discard(r);
			seg = i + 1;
			seg_at = r->at;
		} else if (c == ',' || c == '\r' || c == '\n') {
			feed(r, b + seg, i + 1 - seg, seg_at);
			seg = i + 1;
			seg_at = r->at;
		}
	}
	if (!r->done && !r->discard && seg < n)
		feed(r, b + seg, n - seg, seg_at);
}

/* The end of the input. */
static void finish(reader *r)
{
	if (r->done || r->discard)
		return;
	if (r->u_need)
		note(r, r->u_at,
		     "invalid UTF-8 (the input ends inside a "
		     "character)");
	if (csv_fini(&r->parser, on_field, on_record, r) != 0)
		fatal(r, r->field_at,
		      "a quoted field is never closed (the input ends inside "
		      "quotes)");
}

static csv_dayfirst dayfirst_option(tldb_run *run)
{
	const char *v = csv_host->option(run, "dayfirst");
	if (!v)
		return CSV_DAYFIRST_UNSET;
	return strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0 ||
	                       strcasecmp(v, "on") == 0 || strcmp(v, "1") == 0
	               ? CSV_DAYFIRST_YES
	               : CSV_DAYFIRST_NO;
}

static void reader_free(reader *r)
{
	if (r->parser_ready)
		csv_free(&r->parser);
	for (size_t i = 0; i < r->nnames; i++)
		free(r->names[i]);
	for (int k = 0; k < CSV_NFIELDS; k++)
		tl_buf_release(&r->f[k].text);
	free(r);
}

/* Reads the first bytes: at least 3 (for a byte order mark) unless the
 * input is shorter.  Returns the count, or a negative code. */
static int64_t read_first(tldb_run *run, unsigned char *buf)
{
	int64_t n = 0;
	while (n < 3) {
		int64_t got = csv_host->read(run, buf + n, CHUNK - (uint64_t)n);
		if (got <= 0)
			return got < 0 ? got : n;
		n += got;
	}
	return n;
}

static int32_t read_all(reader *r, unsigned char *buf)
{
	int64_t n = read_first(r->run, buf);
	size_t skip = n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	while (n > 0 && !r->done) {
		scan(r, buf + skip, (size_t)n - skip);
		skip = 0;
		if (!r->done)
			n = csv_host->read(r->run, buf, CHUNK);
	}
	if (n < 0)
		return TLDB_PLUGIN_EIO; /* the host has the message */
	finish(r);
	return r->rc;
}

int32_t csv_import_run(tldb_run *run, void *state)
{
	(void)state;
	reader *r = calloc(1, sizeof *r);
	unsigned char *buf = malloc(CHUNK);
	int32_t rc = TLDB_PLUGIN_NOMEM;
	for (int k = 0; r && k < CSV_NFIELDS; k++)
		tl_buf_init(&r->f[k].text, CSV_FIELD_MAX);
	if (r && buf && parser_init(r) == 0) {
		r->run = run;
		r->at = (pos){1, 1, 0};
		r->want_record = 1;
		r->dayfirst = dayfirst_option(run);
		clear_record(r);
		rc = read_all(r, buf);
	} else
		csv_host->error(run, TLDB_PLUGIN_NOMEM, 1, 1, "out of memory");
	if (r)
		reader_free(r);
	free(buf);
	return rc;
}

/* ---- the probe ---- */

/* 60 when the first line is a header with start and title columns. */
int32_t csv_probe(const uint8_t *head, uint64_t len)
{
	uint64_t i = len >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	int seen_start = 0, seen_title = 0;
	while (i < len && head[i] != '\n' && head[i] != '\r') {
		uint64_t b = i;
		int quoted = head[i] == '"';
		if (quoted)
			b = ++i;
		while (i < len && (quoted ? head[i] != '"'
		                          : head[i] != ',' && head[i] != '\n' &&
		                                    head[i] != '\r'))
			i++;
		int k = field_index((const char *)head + b, (size_t)(i - b));
		seen_start |= k == CSV_F_START;
		seen_title |= k == CSV_F_TITLE;
		if (quoted && i < len)
			i++; /* the closing quote */
		if (i < len && head[i] == ',')
			i++;
		else if (i < len && head[i] != '\n' && head[i] != '\r')
			return 0; /* no CSV header */
	}
	return seen_start && seen_title ? 60 : 0;
}
