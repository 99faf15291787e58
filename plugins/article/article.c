/*
 * article.c -- the `article` plugin: dated events out of news text, each
 * with the sentence and the expression it came from and the rule that
 * resolved it.  See article.h for the modules and docs/PLUGINS.md ("The
 * article importer") for what users see.
 *
 * The run reads the whole input (at most ART_MAX_INPUT bytes: an article is
 * far smaller, and a larger input is refused rather than read without
 * bound), makes it text (art_input.c), finds its title, URL and date
 * (art_meta.c), then walks its sentences (art_sentence.c), finds the date
 * expressions in each (art_scan.c), resolves them against the document date
 * with the tense of their clause (art_resolve.c) and emits one event per
 * expression or interval (art_event.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>

#include "article.h"

const tldb_host_api *art_host;

static const char *const extensions[] = {"txt",  "text", "md", "markdown",
                                         "html", "htm",  NULL};
static const char *const mime_types[] = {"text/plain", "text/markdown",
                                         "text/html", NULL};

static const tldb_plugin_option opt_doc_date = {
        .size = sizeof(tldb_plugin_option),
        .type = TLDB_OPTION_DATE,
        .key = "doc-date",
        .default_value = NULL,
        .help = "the article's date, YYYY-MM-DD, that relative dates are "
                "read against (default: found in the text or HTML)",
};
static const tldb_plugin_option opt_url = {
        .size = sizeof(tldb_plugin_option),
        .type = TLDB_OPTION_STRING,
        .key = "url",
        .default_value = NULL,
        .help = "the article's URL (default: an 'Original url:' or "
                "'Source:' line, or the HTML canonical link)",
};
static const tldb_plugin_option opt_title = {
        .size = sizeof(tldb_plugin_option),
        .type = TLDB_OPTION_STRING,
        .key = "title",
        .default_value = NULL,
        .help = "the article's title (default: its first heading or line)",
};
static const tldb_plugin_option opt_input = {
        .size = sizeof(tldb_plugin_option),
        .type = TLDB_OPTION_STRING,
        .key = "input",
        .default_value = "auto",
        .help = "text (plain text or Markdown), html, or auto (HTML when "
                "the input starts with markup)",
};
static const tldb_plugin_option *const options[] = {
        &opt_doc_date, &opt_url, &opt_title, &opt_input, NULL};

/* ---- the run ---- */

typedef struct walk {
	tldb_run *run;
	const art_doc *doc;
	const art_meta *meta;
	uint64_t key;
	art_ctx ctx;
	art_scanner *sc;
	char *sentence, *expr;
	size_t pos_at;
	int64_t line, col;
	int64_t events;
	int32_t rc;
} walk;

static int on_sentence(void *ud, size_t b, size_t e)
{
	walk *w = ud;
	const art_meta *m = w->meta;
	if (m->skip_begin >= 0 && (int64_t)e > m->skip_begin &&
	    (int64_t)b < m->skip_end)
		return 0; /* the URL lines */
	art_expr xs[ART_MAX_EXPRS];
	art_tokenize(w->sc, w->doc->text, b, e);
	size_t n = art_find_exprs(w->sc, w->doc->text, xs, ART_MAX_EXPRS);
	if (n == 0)
		return 0;
	art_clean_text(w->doc->text, b, e, w->sentence, ART_MAX_SENTENCE * 2);
	/* first the dates, noting the events they date; then the
	 * expressions counted from an event ("the first five months of the
	 * war"), so an anchor said later in the sentence serves too */
	art_value vals[ART_MAX_EXPRS];
	char rules[ART_MAX_EXPRS][96];
	int ok[ART_MAX_EXPRS];
	for (size_t k = 0; k < n; k++) {
		const art_expr *x = &xs[k];
		ok[k] = 0;
		if ((int64_t)x->begin < m->date_end &&
		    (int64_t)x->end > m->date_begin)
			continue; /* the dateline: the document's own date */
		if (x->a.kind == ART_M_EVENT)
			continue;
		int32_t tense = art_tense(w->sc, w->doc->text, x);
		if (!art_resolve(&w->ctx, x, tense, &vals[k], rules[k],
		                 sizeof rules[k]))
			continue;
		ok[k] = 1;
		w->ctx.last = vals[k];
		w->ctx.has_last = 1;
		art_anchor_note(&w->ctx, w->sc, w->doc->text, x, &vals[k]);
	}
	for (size_t k = 0; k < n; k++) {
		const art_expr *x = &xs[k];
		if (x->a.kind == ART_M_EVENT &&
		    !((int64_t)x->begin < m->date_end &&
		      (int64_t)x->end > m->date_begin))
			ok[k] = art_resolve(&w->ctx, x, ART_PRESENT, &vals[k],
			                    rules[k], sizeof rules[k]);
		if (!ok[k])
			continue;
		art_found f;
		f.value = vals[k];
		const char *rule = rules[k];
		art_clean_text(w->doc->text, x->begin, x->end, w->expr, 512);
		f.sentence = w->sentence;
		f.s_begin = b;
		f.s_end = e;
		f.x_begin = x->begin;
		f.x_end = x->end;
		f.expr = w->expr;
		f.rule = rule;
		art_position(w->doc->text, b, &w->pos_at, &w->line, &w->col);
		art_host->set_position(w->run, w->line, w->col);
		int32_t rc = art_emit(w->run, m, w->key, &f);
		w->events++;
		if (rc != TLDB_PLUGIN_OK) {
			w->rc = rc == TLDB_PLUGIN_STOP ? TLDB_PLUGIN_OK : rc;
			return 1;
		}
	}
	return 0;
}

/* The 1-based line and column of offset off in text. */
static void where(const char *text, size_t off, int64_t *line, int64_t *col)
{
	size_t at = 0;
	*line = 1;
	*col = 1;
	art_position(text, off, &at, line, col);
}

static int32_t fail(tldb_run *run, int64_t line, int64_t col, const char *msg)
{
	art_host->error(run, TLDB_PLUGIN_ERROR, line, col, msg);
	return TLDB_PLUGIN_ERROR;
}

/* Reads the whole input into *out (NUL-terminated). */
static int32_t read_all(tldb_run *run, char **out, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1);
	if (!buf)
		return TLDB_PLUGIN_NOMEM;
	for (;;) {
		if (n == cap) {
			if (cap > ART_MAX_INPUT) {
				int64_t line, col;
				buf[n] = '\0';
				where(buf, n, &line, &col);
				free(buf);
				char msg[160];
				snprintf(msg, sizeof msg,
				         "input larger than %zu MiB: too large "
				         "for an article",
				         ART_MAX_INPUT / (1024 * 1024));
				return fail(run, line, col, msg);
			}
			size_t ncap = cap * 2;
			char *b = realloc(buf, ncap + 1);
			if (!b) {
				free(buf);
				return TLDB_PLUGIN_NOMEM;
			}
			buf = b;
			cap = ncap;
		}
		int64_t got = art_host->read(run, buf + n, cap - n);
		if (got < 0) {
			free(buf);
			return (int32_t)got;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return TLDB_PLUGIN_OK;
}

static int32_t import_run(tldb_run *run, void *state)
{
	(void)state;
	char *in = NULL;
	size_t len = 0;
	int32_t rc = read_all(run, &in, &len);
	if (rc != TLDB_PLUGIN_OK)
		return rc;

	const char *mode = art_host->option(run, "input");
	int html;
	if (!mode || strcmp(mode, "auto") == 0)
		html = art_looks_html(in, len < 4096 ? len : 4096);
	else if (strcmp(mode, "html") == 0)
		html = 1;
	else if (strcmp(mode, "text") == 0)
		html = 0;
	else {
		free(in);
		return fail(run, 0, 0, "-o input: expected auto, text or html");
	}

	art_doc doc;
	memset(&doc, 0, sizeof doc);
	char why[160];
	size_t bad;
	art_meta *meta = NULL;
	walk w;
	memset(&w, 0, sizeof w);
	/* HTML may declare another encoding (libxml2 converts it): there,
	 * only NUL bytes and emptiness are refused */
	if (art_check_text(in, len, &bad, why, sizeof why) != 0 &&
	    (!html || bad >= len || (unsigned char)in[bad] < 0x80)) {
		int64_t line, col;
		where(in, bad, &line, &col);
		rc = fail(run, line, col, why);
		goto out;
	}
	if (html ? art_doc_from_html(&doc, in, len, why, sizeof why)
	         : art_doc_from_text(&doc, in, len)) {
		rc = html ? fail(run, 1, 1, why) : TLDB_PLUGIN_NOMEM;
		goto out;
	}
	meta = malloc(sizeof *meta);
	if (!meta) {
		rc = TLDB_PLUGIN_NOMEM;
		goto out;
	}
	int mrc =
	        art_meta_find(&doc, in, len, art_host->option(run, "doc-date"),
	                      art_host->option(run, "url"),
	                      art_host->option(run, "title"), meta);
	if (mrc == -2) {
		rc = TLDB_PLUGIN_NOMEM;
		goto out;
	}
	if (mrc == -1) {
		rc = fail(run, 0, 0,
		          "-o doc-date: give the article's day as YYYY-MM-DD");
		goto out;
	}
	if (meta->date.prec != ART_P_DAY) {
		rc = fail(run, 1, 1,
		          "no document date found (no dateline or byline date "
		          "near the top, no <meta> or <time> date): give it "
		          "with -o doc-date=YYYY-MM-DD");
		goto out;
	}

	w.run = run;
	w.doc = &doc;
	w.meta = meta;
	w.key = meta->url[0]
	                ? art_hash(ART_HASH_INIT, meta->url, strlen(meta->url))
	                : art_hash(ART_HASH_INIT, in, len);
	art_ctx_init(&w.ctx, meta->date);
	w.sc = malloc(sizeof *w.sc);
	w.sentence = malloc(ART_MAX_SENTENCE * 2);
	w.expr = malloc(512);
	w.line = 1;
	w.col = 1;
	if (!w.sc || !w.sentence || !w.expr) {
		rc = TLDB_PLUGIN_NOMEM;
		goto out;
	}
	art_sentences(doc.text, doc.len, ART_MAX_SENTENCE, on_sentence, &w);
	rc = w.rc;
	if (rc == TLDB_PLUGIN_OK && w.events == 0)
		art_host->warning(run, 0, 0, "no dated expressions found");
out:
	free(w.sc);
	free(w.sentence);
	free(w.expr);
	free(meta);
	art_doc_release(&doc);
	free(in);
	return rc;
}

static const tldb_plugin_format importer = {
        .size = sizeof(tldb_plugin_format),
        .kind = TLDB_KIND_IMPORTER,
        .flags = TLDB_FORMAT_THREADSAFE,
        .description = "dated events out of a news article (plain text, "
                       "Markdown or HTML), each with its sentence, "
                       "expression and resolving rule",
        .extensions = extensions,
        .mime_types = mime_types,
        .options = options,
        .run = import_run,
};

static const tldb_plugin_info info = {
        .size = sizeof(tldb_plugin_info),
        .abi_major = TLDB_PLUGIN_ABI_MAJOR,
        .abi_minor = TLDB_PLUGIN_ABI_MINOR,
        .name = "article",
        .version = "1.0.0",
        .description = "events out of news articles: dates found, resolved "
                       "against the article's date, with their sentences",
        .importer = &importer,
};

TLDB_PLUGIN_EXPORT int32_t TLDB_PLUGIN_ENTRY(const tldb_host_api *host,
                                             const tldb_plugin_info **out)
{
	if (!TLDB_HOST_HAS(host, format_instant))
		return TLDB_PLUGIN_ERROR;
	xmlInitParser();
	art_host = host;
	*out = &info;
	return TLDB_PLUGIN_OK;
}
