/*
 * art_sentence.c -- sentence boundaries in article text.
 *
 * A sentence ends at '.', '!', '?' or an ellipsis (with any closing quotes
 * and brackets after it) when white space follows and then something that
 * can start a sentence: an upper-case letter, a digit, an opening quote or
 * bracket.  A period does not end one after an abbreviation that is always
 * followed by more (Mr., Dr., Gen., Sept. before a number), after an
 * initial (John F. Kennedy), inside a number (3.5) or a dotted word (U.S.
 * before a word that does not usually start a sentence).  A line break ends
 * a sentence unless the text before it has no closing punctuation and the
 * line after it starts in lower case (a paragraph broken inside a
 * sentence), or the line before ends in a comma or semicolon.  A sentence
 * longer than the limit is cut, at a space when one is in its second half.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "article.h"

/* Abbreviations after which a period never ends a sentence. */
static const char *const always_more[] = {
        "mr",   "mrs",  "ms",   "dr",    "prof",   "sen", "rep", "gov",
        "gen",  "col",  "lt",   "sgt",   "capt",   "adm", "maj", "cmdr",
        "rev",  "hon",  "st",   "pres",  "messrs", "mt",  "ft",  "vs",
        "no",   "nos",  "vol",  "pp",    "fig",    "ca",  "cf",  "approx",
        "dept", "est",  "gens", "supt",  "insp",   "det", "cpl", "pvt",
        "sens", "reps", "atty", "lieut", NULL};
/* Abbreviations that end a sentence only before a usual sentence start. */
static const char *const maybe_end[] = {
        "inc",  "ltd",  "co",    "corp", "bros", "etc", "jr",   "sr",
        "jan",  "feb",  "mar",   "apr",  "jun",  "jul", "aug",  "sep",
        "sept", "oct",  "nov",   "dec",  "mon",  "tue", "tues", "wed",
        "thu",  "thur", "thurs", "fri",  "sat",  "sun", "al",   "ave",
        "blvd", "rd",   "p.m",   "a.m",  NULL};
/* Words that usually start a sentence. */
static const char *const starters[] = {
        "the",       "a",     "an",    "he",     "she",       "it",
        "they",      "we",    "i",     "but",    "and",       "in",
        "on",        "at",    "this",  "that",   "these",     "those",
        "his",       "her",   "its",   "their",  "our",       "there",
        "when",      "while", "after", "before", "however",   "meanwhile",
        "officials", "some",  "many",  "if",     "as",        "yet",
        "so",        "for",   "still", "also",   "last",      "next",
        "earlier",   "later", "what",  "why",    "how",       "who",
        "mr",        "mrs",   "ms",    "dr",     "according", "since",
        "during",    NULL};

static int in_list(const char *const *list, const char *w, size_t n)
{
	for (size_t k = 0; list[k]; k++)
		if (strlen(list[k]) == n && strncasecmp(list[k], w, n) == 0)
			return 1;
	return 0;
}

static int space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

/* Closing quotes and brackets at t[k]: their length, else 0. */
static size_t closer(const char *t, size_t k, size_t len)
{
	unsigned char c = (unsigned char)t[k];
	if (c == '"' || c == '\'' || c == ')' || c == ']')
		return 1;
	if (c == 0xE2 && k + 2 < len && (unsigned char)t[k + 1] == 0x80 &&
	    ((unsigned char)t[k + 2] == 0x99 ||
	     (unsigned char)t[k + 2] == 0x9D))
		return 3;
	return 0;
}

/* What may start a sentence. */
static int opener(const char *t, size_t j, size_t len)
{
	unsigned char c = (unsigned char)t[j];
	if (isupper(c) || isdigit(c) || c == '"' || c == '\'' || c == '(' ||
	    c == '[' || c == '-')
		return 1;
	if (c == 0xE2 && j + 2 < len && (unsigned char)t[j + 1] == 0x80)
		return (unsigned char)t[j + 2] == 0x9C ||
		       (unsigned char)t[j + 2] == 0x98 ||
		       (unsigned char)t[j + 2] == 0x94;
	return c >= 0xC3; /* a non-ASCII letter: may be a capital */
}

/* Whether the word at t[j] usually starts a sentence. */
static int starter(const char *t, size_t j, size_t len)
{
	size_t e = j;
	while (e < len && isalpha((unsigned char)t[e]))
		e++;
	return in_list(starters, t + j, e - j);
}

/* Whether the period at t[i] ends a sentence whose next text is at t[j]. */
static int period_ends(const char *t, size_t start, size_t i, size_t j,
                       size_t len)
{
	/* the word before: letters and inner periods */
	size_t b = i;
	while (b > start &&
	       (isalpha((unsigned char)t[b - 1]) || t[b - 1] == '.'))
		b--;
	size_t n = i - b;
	if (n == 0)
		return 1;
	const char *w = t + b;
	if (n == 1 && isupper((unsigned char)w[0]))
		return 0; /* an initial */
	if (in_list(always_more, w, n))
		return 0;
	if (memchr(w, '.', n) || in_list(maybe_end, w, n)) {
		if (isdigit((unsigned char)t[j]))
			return 0;
		return starter(t, j, len);
	}
	return 1;
}

/* Emits [b, e) without surrounding white space. */
static int emit(art_sentence_fn fn, void *ud, const char *t, size_t b, size_t e)
{
	while (b < e && space((unsigned char)t[b]))
		b++;
	while (e > b && space((unsigned char)t[e - 1]))
		e--;
	return e > b ? fn(ud, b, e) : 0;
}

int art_sentences(const char *text, size_t len, size_t max_len,
                  art_sentence_fn fn, void *ud)
{
	size_t start = 0, i = 0;
	int rc;
	if (max_len < 16)
		max_len = 16;
	while (i < len) {
		if (i - start >= max_len) {
			size_t cut = start + max_len;
			size_t k = cut;
			while (k > start + max_len / 2 &&
			       !space((unsigned char)text[k]))
				k--;
			if (k > start + max_len / 2)
				cut = k;
			else
				while (cut > start &&
				       ((unsigned char)text[cut] & 0xC0) ==
				               0x80)
					cut--;
			if ((rc = emit(fn, ud, text, start, cut)))
				return rc;
			start = i = cut;
			continue;
		}
		unsigned char c = (unsigned char)text[i];
		if (c == '\n') {
			size_t j = i;
			while (j < len && space((unsigned char)text[j]))
				j++;
			size_t p = i;
			while (p > start && space((unsigned char)text[p - 1]))
				p--;
			if (p > start && j < len) {
				unsigned char pc = (unsigned char)text[p - 1];
				unsigned char q = (unsigned char)text[j];
				int closed = pc == '.' || pc == '!' ||
				             pc == '?' || pc == ':' ||
				             pc == '"' || pc == ')';
				int join = (!closed && islower(q)) ||
				           pc == ',' || pc == ';';
				if (!join) {
					if ((rc = emit(fn, ud, text, start, p)))
						return rc;
					start = j;
				}
			}
			i = j;
			continue;
		}
		int ellipsis = c == 0xE2 && i + 2 < len &&
		               (unsigned char)text[i + 1] == 0x80 &&
		               (unsigned char)text[i + 2] == 0xA6;
		if (c != '.' && c != '!' && c != '?' && !ellipsis) {
			i++;
			continue;
		}
		size_t k = i + (ellipsis ? 3 : 1);
		while (k < len &&
		       (text[k] == '.' || text[k] == '!' || text[k] == '?'))
			k++;
		size_t cl;
		while (k < len && (cl = closer(text, k, len)))
			k += cl;
		if (k < len && !space((unsigned char)text[k])) {
			i = k;
			continue;
		}
		size_t j = k;
		while (j < len && space((unsigned char)text[j]))
			j++;
		if (j >= len)
			break;
		int ends = opener(text, j, len);
		if (ends && c == '.' && !ellipsis && k == i + 1)
			ends = period_ends(text, start, i, j, len);
		if (ends) {
			if ((rc = emit(fn, ud, text, start, k)))
				return rc;
			start = j;
		}
		i = j;
	}
	return emit(fn, ud, text, start, len);
}
