/*
 * art_event.c -- the events of an article: the sentence cleaned for
 * reading, a title condensed from it for a calendar, a uid that depends only
 * on the source and the expression's offset (re-importing updates, never
 * duplicates), and the provenance record: the sentence as `quote` with its
 * byte span, the expression with its span, the document date and the rule
 * that resolved it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "article.h"

uint64_t art_hash(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

size_t art_clean_text(const char *text, size_t begin, size_t end, char *out,
                      size_t size)
{
	size_t k = 0;
	int sp = 1;
	if (size == 0)
		return 0;
	for (size_t i = begin; i < end && k + 1 < size; i++) {
		unsigned char c = (unsigned char)text[i];
		if (isspace(c) || c < 0x20) {
			if (!sp)
				out[k++] = ' ';
			sp = 1;
			continue;
		}
		out[k++] = (char)c;
		sp = 0;
	}
	while (k > 0 && out[k - 1] == ' ')
		k--;
	out[k] = '\0';
	return k;
}

/* Characters (not bytes) in s[0..n). */
static size_t chars(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/* The byte offset of character number `ch` in s[0..n) (n when beyond). */
static size_t char_offset(const char *s, size_t n, size_t ch)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80) {
			if (c == ch)
				return i;
			c++;
		}
	}
	return n;
}

/* Removes s[b, e) from the string s of length *n. */
static void cut(char *s, size_t *n, size_t b, size_t e)
{
	memmove(s + b, s + e, *n - e + 1);
	*n -= e - b;
}

static const char *const attributions[] = {
        " said",   " says",   " told",      " according to", " reported",
        " added",  " wrote",  " stated",    " noted",        " explained",
        " argued", " warned", " announced", " tweeted",      NULL};

static int has_attribution(const char *s, size_t n)
{
	for (size_t k = 0; attributions[k]; k++) {
		size_t an = strlen(attributions[k]);
		for (size_t i = 0; i + an <= n; i++)
			if (strncasecmp(s + i, attributions[k], an) == 0)
				return 1;
	}
	return 0;
}

/* Whether out[0..n) still holds `keep` (or keep is not given). */
static int keeps(const char *out, size_t n, const char *keep)
{
	if (!keep || !*keep)
		return 1;
	size_t k = strlen(keep);
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(out + i, keep, k) == 0)
			return 1;
	return 0;
}

/* A dateline before the text: "LONDON, March 3 (Reuters) - ", "MOSCOW
 * (AP) -- ": an upper-case word first and a dash in the first 100 bytes. */
static size_t dateline_end(const char *s, size_t n)
{
	if (n < 4 || !isupper((unsigned char)s[0]) ||
	    !isupper((unsigned char)s[1]))
		return 0;
	static const char *const dashes[] = {" - ", " -- ", " \xE2\x80\x94 ",
	                                     " \xE2\x80\x93 ", NULL};
	for (size_t i = 0; i < n && i < 100; i++)
		for (size_t k = 0; dashes[k]; k++) {
			size_t dn = strlen(dashes[k]);
			if (i + dn < n && memcmp(s + i, dashes[k], dn) == 0)
				return i + dn;
		}
	return 0;
}

size_t art_title(const char *s, const char *keep, char *out, size_t size,
                 size_t max)
{
	if (size == 0)
		return 0;
	size_t n = strlen(s);
	if (n >= size)
		n = size - 1;
	memcpy(out, s, n);
	out[n] = '\0';
	/* a wire dateline */
	size_t dl = dateline_end(out, n);
	if (dl && n - dl > 20 && keeps(out + dl, n - dl, keep))
		cut(out, &n, 0, dl);
	/* parentheses */
	for (size_t i = 0; i < n; i++) {
		if (out[i] != '(')
			continue;
		char *close = memchr(out + i, ')', n - i);
		if (!close || (size_t)(close - out) - i > 200)
			continue;
		size_t b = i, e = (size_t)(close - out) + 1;
		if (b > 0 && out[b - 1] == ' ')
			b--;
		cut(out, &n, b, e);
		i = b;
	}
	/* "Quoted words," X said: the quoted words */
	if (n > 2 && out[0] == '"') {
		char *close = memchr(out + 1, '"', n - 1);
		if (close &&
		    has_attribution(close, n - (size_t)(close - out)) &&
		    keeps(out, (size_t)(close - out), keep)) {
			n = (size_t)(close - out);
			out[n] = '\0';
			cut(out, &n, 0, 1);
		}
	}
	/* a trailing attribution: ..., he said. / ..., according to X. */
	for (size_t i = n > 100 ? n - 100 : n / 3; i < n; i++) {
		if (out[i] != ',' || !has_attribution(out + i, n - i) ||
		    !keeps(out, i, keep))
			continue;
		n = i;
		out[n] = '\0';
		break;
	}
	/* a leading "According to X, " */
	if (n > 13 && strncasecmp(out, "according to ", 13) == 0) {
		char *comma = memchr(out, ',', n < 80 ? n : 80);
		if (comma) {
			size_t e = (size_t)(comma - out) + 1;
			while (e < n && out[e] == ' ')
				e++;
			cut(out, &n, 0, e);
			if (n && islower((unsigned char)out[0]))
				out[0] = (char)toupper((unsigned char)out[0]);
		}
	}
	/* quotes left open by the cut, closing punctuation */
	while (n &&
	       (out[n - 1] == '.' || out[n - 1] == ' ' || out[n - 1] == ',' ||
	        out[n - 1] == ';' || out[n - 1] == ':'))
		out[--n] = '\0';
	size_t quotes = 0;
	for (size_t i = 0; i < n; i++)
		quotes += out[i] == '"';
	if (quotes % 2 == 1 && n && out[0] == '"')
		cut(out, &n, 0, 1);
	if (chars(out, n) <= max)
		return n;
	/* too long: cut at a clause boundary in the second half, else at a
	 * word, and say so */
	size_t limit = char_offset(out, n, max - 1);
	size_t at = 0;
	for (size_t i = limit; i > limit / 2; i--) {
		if ((out[i] == ',' || out[i] == ';') && out[i + 1] == ' ') {
			at = i;
			break;
		}
		if (i + 4 < n && memcmp(out + i, " \xE2\x80\x94", 4) == 0) {
			at = i;
			break;
		}
	}
	if (!at)
		for (size_t i = limit; i > 0; i--)
			if (out[i] == ' ') {
				at = i;
				break;
			}
	if (!at)
		at = limit;
	while (at > 0 && ((unsigned char)out[at] & 0xC0) == 0x80)
		at--;
	n = at;
	while (n && (out[n - 1] == ' ' || out[n - 1] == ','))
		n--;
	if (n + 4 > size)
		n = size - 4;
	memcpy(out + n, "\xE2\x80\xA6", 3); /* … */
	n += 3;
	out[n] = '\0';
	return n;
}

void art_position(const char *text, size_t off, size_t *at, int64_t *line,
                  int64_t *col)
{
	for (size_t i = *at; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)text[i] & 0xC0) != 0x80) {
			(*col)++;
		}
	}
	*at = off;
}

int32_t art_emit(tldb_run *run, const art_meta *m, uint64_t source_key,
                 const art_found *f)
{
	char start[64], end[16], uid[64], title[512];
	const art_value *v = &f->value;
	art_value one = {v->start, {0, 0, 0, 0}, 0, 0, 0, 0, NULL};
	if (!v->has_end) {
		one.has_time = v->has_time;
		one.hour = v->hour;
		one.minute = v->minute;
		one.zone = v->zone;
	}
	if (art_value_format(&one, start, sizeof start) < 0)
		return TLDB_PLUGIN_OK;
	int has_end = 0;
	if (v->has_end) {
		art_value two = {v->end, {0, 0, 0, 0}, 0, 0, 0, 0, NULL};
		if (art_value_format(&two, end, sizeof end) < 0)
			return TLDB_PLUGIN_OK;
		has_end = 1;
	}
	char doc_date[16];
	art_value dv = {m->date, {0, 0, 0, 0}, 0, 0, 0, 0, NULL};
	if (art_value_format(&dv, doc_date, sizeof doc_date) < 0)
		doc_date[0] = '\0';
	snprintf(uid, sizeof uid, "%016llx-%llu@article",
	         (unsigned long long)source_key,
	         (unsigned long long)f->x_begin);
	art_title(f->sentence, f->expr, title, sizeof title, 120);
	if (!title[0])
		snprintf(title, sizeof title, "%s", f->expr);

	tldb_plugin_source src;
	memset(&src, 0, sizeof src);
	src.size = sizeof src;
	src.url = m->url[0] ? m->url : NULL;
	src.title = m->title[0] ? m->title : NULL;
	src.plugin = "article";
	src.quote = f->sentence;
	src.expr = f->expr;
	src.doc_date = doc_date[0] ? doc_date : NULL;
	src.resolver = f->rule;
	src.span_begin = (int64_t)f->s_begin;
	src.span_end = (int64_t)f->s_end;
	src.expr_begin = (int64_t)f->x_begin;
	src.expr_end = (int64_t)f->x_end;
	const tldb_plugin_source *srcs[2] = {&src, NULL};

	tldb_plugin_event ev;
	memset(&ev, 0, sizeof ev);
	ev.size = sizeof ev;
	ev.uid = uid;
	ev.title = title;
	ev.body = f->sentence;
	ev.start = start;
	ev.end = has_end ? end : NULL;
	ev.url = m->url[0] ? m->url : NULL;
	ev.sources = srcs;
	return art_host->emit(run, &ev);
}
