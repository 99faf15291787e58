/*
 * article.h -- shared by the modules of the `article` importer, which turns a
 * news article into dated events (docs/PLUGINS.md, "The article importer").
 *
 * The pipeline, one module a stage, each usable on its own (the unit tests
 * in tests/plugins/test_article_units.c link them without a host):
 *
 *   art_input.c     the input as text: UTF-8 and NUL checks, Markdown and
 *                   inline markup blanked in place (offsets are kept), HTML
 *                   through libxml2's HTML parser (text and <meta>/<time>)
 *   art_meta.c      the document's title, source URL and date
 *   art_sentence.c  sentence boundaries
 *   art_lex.c       keywords, event nouns, zone abbreviations, tokens
 *   art_scan.c      the date expressions among the tokens: the walk,
 *                   intervals, times of day; the patterns are in
 *     art_scan_absolute.c  calendar dates (September 15, 2022; 9/15/2022)
 *     art_scan_relative.c  dates counted from the document's date or from
 *                   an event (last week, two days ago, a year into the war)
 *   art_resolve.c   tense, and each expression resolved to an EDTF value
 *   art_date.c      civil-calendar arithmetic and EDTF formatting
 *   art_event.c     titles, uids and the events handed to the host
 *   article.c       the plugin descriptor, options and the run
 *
 * Offsets are bytes into the text being read; for plain text and Markdown
 * that is the input itself, for HTML the text extracted from it.
 */
#ifndef TLDB_ARTICLE_H
#define TLDB_ARTICLE_H

#include <stddef.h>
#include <stdint.h>

#include "civil.h"
#include "tldb/plugin.h"

extern const tldb_host_api *art_host;

/* The largest input read (a larger one is refused with a message). */
#define ART_MAX_INPUT ((size_t)32 * 1024 * 1024)
/* The longest sentence: a longer run of text is cut into pieces this long,
 * so the work per sentence stays bounded whatever the input. */
#define ART_MAX_SENTENCE 4096
/* At most this many tokens in a sentence (a sentence has fewer). */
#define ART_MAX_TOKENS (ART_MAX_SENTENCE + 2)
/* At most this many date expressions in a sentence. */
#define ART_MAX_EXPRS 64

/* ---- art_date.c: the proleptic Gregorian calendar ---- */

/* Precisions of a point, finer greater. */
enum { ART_P_NONE = 0, ART_P_YEAR = 1, ART_P_MONTH = 2, ART_P_DAY = 3 };

/* A calendar point at a precision: month and day are 0 when coarser. */
typedef struct art_point {
	int32_t y, m, d;
	int32_t prec; /* ART_P_* */
} art_point;

/* A resolved value: a point, or an interval of two (inclusive ends, as
 * EDTF has them). */
typedef struct art_value {
	art_point start, end;
	int32_t has_end;
	/* A time of day on a day point (no end): hour 0..23 and minute, and
	 * its zone as EDTF writes it after the time: "Z", "+01:00",
	 * "[America/New_York]", or "" for a floating time (wall time, no
	 * zone said). */
	int32_t has_time, hour, minute;
	const char *zone;
} art_value;

/* Days since 1970-01-01 of civil date y-m-d (m 1..12, d 1..31). */
int64_t art_days(int32_t y, int32_t m, int32_t d);
/* The civil date of day number `days` (since 1970-01-01). */
void art_civil(int64_t days, int32_t *y, int32_t *m, int32_t *d);
/* 0 Monday .. 6 Sunday. */
int32_t art_weekday(int64_t days);
/* Days in month m of year y. */
int32_t art_month_days(int32_t y, int32_t m);
/* The day point of day number `days`. */
art_point art_day_point(int64_t days);
/* A month point, y and m normalised (m may be out of 1..12). */
art_point art_month_point(int32_t y, int32_t m);
/* A year point. */
art_point art_year_point(int32_t y);
/* Writes v as EDTF ("2022-09-15", "2022-02", "2001", "A/B",
 * "2022-09-15T10:00Z", "2022-09-15T10:00" floating) into
 * buf[0..size).  Returns the length, or -1 when it does not fit or v holds
 * a year outside 1..9999. */
int art_value_format(const art_value *v, char *buf, size_t size);
/* Reads an EDTF day "YYYY-MM-DD" (the -o doc-date value).  Returns 0 and
 * sets *out, or -1. */
int art_parse_day(const char *s, art_point *out);

/* ---- art_input.c: the text to read ---- */

/* What the text came from. */
enum { ART_IN_TEXT = 0, ART_IN_HTML = 1 };

/* The document: its text and what its markup said. */
typedef struct art_doc {
	char *text; /* NUL-terminated; owned */
	size_t len;
	int32_t kind; /* ART_IN_* */
	/* From HTML markup (owned, NULL when absent). */
	char *html_title, *html_url, *html_date;
} art_doc;

/* 1 when the input starting with head[0..len) looks like HTML. */
int art_looks_html(const char *head, size_t len);

/* Checks that in[0..len) is text: not empty, no NUL byte, valid UTF-8.
 * Returns 0, or -1 with *bad set to the offset of the first bad byte and a
 * reason in why[0..whysize). */
int art_check_text(const char *in, size_t len, size_t *bad, char *why,
                   size_t whysize);

/* Makes doc->text from plain text or Markdown in[0..len): a copy in which
 * markup (heading and list markers, emphasis, inline tags, link targets,
 * bare URLs, backslash escapes) is replaced by spaces, so every offset
 * stays that of the input.  Returns 0 or -1 (no memory). */
int art_doc_from_text(art_doc *doc, const char *in, size_t len);

/* Makes doc->text from HTML in[0..len) with libxml2's HTML parser: the
 * text of the body, blocks separated by blank lines, scripts, styles and
 * navigation left out; the title, canonical URL and publication date from
 * <meta>, <link rel=canonical>, <time> and <title>/<h1>.  Returns 0, or -1
 * when the parser gives nothing (the reason in why[0..whysize)). */
int art_doc_from_html(art_doc *doc, const char *in, size_t len, char *why,
                      size_t whysize);

/* Releases what doc owns. */
void art_doc_release(art_doc *doc);

/* ---- art_meta.c: title, URL and date of the document ---- */

typedef struct art_meta {
	char title[512];
	char url[2048];
	art_point date; /* prec ART_P_NONE when not found */
	/* The dateline or byline region of the text (no expression in it is
	 * an event, whether the date came from it or from an option), or -1;
	 * and a region of the text that is metadata only (the URL lines), or
	 * -1. */
	int64_t date_begin, date_end;
	int64_t skip_begin, skip_end;
	const char *date_from; /* "option", "html-meta", "dateline", "url" */
} art_meta;

/* Finds the title, URL and date of doc, whose input was raw[0..rawlen)
 * (URL lines are read there, before markup was blanked).  Options win:
 * opt_date (an EDTF day, NULL when not given), opt_url, opt_title.  The
 * date is, in order: the option, the HTML markup's, a full date in the
 * document's first lines (a dateline or byline: near the start of a line
 * or on a short one), a /YYYY/MM/DD/ in the source URL.  Returns 0, -1
 * when opt_date is not a day, -2 when out of memory. */
int art_meta_find(const art_doc *doc, const char *raw, size_t rawlen,
                  const char *opt_date, const char *opt_url,
                  const char *opt_title, art_meta *m);

/* ---- art_sentence.c ---- */

/* Called for each sentence [begin, end) of the text, in order; a non-zero
 * return stops the walk and is returned. */
typedef int (*art_sentence_fn)(void *ud, size_t begin, size_t end);

/* Splits text[0..len) into sentences: at . ! ? and ellipses followed by
 * space and what can start a sentence, not after abbreviations (Mr.,
 * U.S., Sept.), initials or inside numbers; at blank lines, except where a
 * paragraph break falls inside a sentence (no closing punctuation before,
 * a lower-case word after); at headings and list items.  A sentence longer
 * than max_len is cut (at a space when there is one).  Returns 0 or what fn
 * returned. */
int art_sentences(const char *text, size_t len, size_t max_len,
                  art_sentence_fn fn, void *ud);

/* ---- art_scan.c: tokens and date expressions ---- */

/* Token types. */
enum { ART_T_WORD = 1, ART_T_NUM = 2, ART_T_PUNCT = 3 };

typedef struct art_tok {
	uint32_t b, e;  /* offsets in the text */
	uint16_t kw;    /* keyword id (ART_K_*), 0 for none */
	uint8_t type;   /* ART_T_* */
	uint8_t upper;  /* a word starting with an upper-case letter */
	int32_t num;    /* a number's value (capped), a keyword's value */
	uint8_t digits; /* a number's digit count */
	uint8_t ord;    /* a number with st/nd/rd/th */
	uint8_t punct;  /* the punctuation character ('-' for dashes) */
	uint8_t pad;
} art_tok;

/* Kinds of date mention. */
enum {
	ART_M_DATE = 1, /* y, m and d or coarser, all given or a year
	                   missing (y 0) */
	ART_M_WEEKDAY,  /* wd, with rel (-1 last, 0 bare/on, 1 next, 2 this) */
	ART_M_DAYREL,   /* today (n 0), yesterday (-1), tomorrow (1) */
	ART_M_UNITREL,  /* this/last/next unit: rel -1, 0, 1; sub: earlier (-1)
	                   or later (1) this unit */
	ART_M_AGO,      /* n units ago (n < 0) or in n units (n > 0) */
	ART_M_PAST,     /* the past n units (an interval ending today) */
	ART_M_ANCHORED, /* n units earlier (n < 0) or later (n > 0) */
	ART_M_DECADE,   /* the 1990s: y 1990 */
	ART_M_EVENT     /* counted from an event's start: rel the event
	                   group (art_event_group), unit and n; sub
	                   ART_EV_FIRST "the first five months of the war",
	                   ART_EV_INTO "two weeks into the war", ART_EV_AFTER
	                   "three months after the invasion", ART_EV_BEFORE */
};

/* How an ART_M_EVENT mention counts from its event. */
enum { ART_EV_FIRST = 1, ART_EV_INTO, ART_EV_AFTER, ART_EV_BEFORE };

/* Event groups: nouns that name one event an article may date ("the war",
 * "the invasion", "the conflict" are one group).  Group 0 is none. */
#define ART_EVENT_GROUPS 10

/* The event group of word w[0..n) (ASCII case ignored), 0 for none; *point
 * is set to 1 when the noun names a moment (an invasion, an election) and
 * 0 when it names a stretch of time (a war, a pandemic), whose "after"
 * would be after its end. */
int32_t art_event_group(const char *w, size_t n, int32_t *point);
/* The group's name, for `resolver` ("war", "pandemic", ...). */
const char *art_event_name(int32_t group);
/* The zone a time-zone abbreviation w[0..n) after a time of day names, as
 * EDTF writes it ("Z", "-05:00", "[America/New_York]"), or NULL: the
 * abbreviations of standard or summer time are offsets, the generic ones
 * (ET, PT, Eastern) and Moscow's the IANA zone. */
const char *art_zone_abbrev(const char *w, size_t n);

/* Units. */
enum { ART_U_DAY = 1, ART_U_WEEK, ART_U_MONTH, ART_U_YEAR, ART_U_DECADE };

/* One date mention: what the words say, before it is resolved. */
typedef struct art_mention {
	int32_t kind;      /* ART_M_* */
	int32_t y, m, d;   /* ART_M_DATE: 0 when not said */
	int32_t wd;        /* weekday 0 Monday .. 6 Sunday */
	int32_t rel;       /* see the kinds */
	int32_t sub;       /* earlier/later this */
	int32_t unit, n;   /* ART_U_*, count */
	int32_t year_only; /* a bare year (must be plausible) */
} art_mention;

/* A date expression: one mention, or two forming an interval. */
typedef struct art_expr {
	size_t begin, end; /* offsets of the whole expression */
	art_mention a, b;
	int32_t is_range;
	const char *form; /* the pattern that matched, for `resolver` */
	/* A time of day said with a day ("on Thursday at 10 a.m."): see
	 * art_value. */
	int32_t has_time, hour, minute;
	const char *zone;
} art_expr;

/* A sentence's tokens. */
typedef struct art_scanner {
	art_tok tok[ART_MAX_TOKENS];
	size_t ntok;
} art_scanner;

/* Splits text[begin, end) into tokens (words, numbers, punctuation). */
void art_tokenize(art_scanner *s, const char *text, size_t begin, size_t end);

/* Finds the date expressions among s's tokens, in order, at most max.
 * Returns how many were stored in out. */
size_t art_find_exprs(const art_scanner *s, const char *text, art_expr *out,
                      size_t max);

/* The keyword id of word w[0..n) (ASCII case ignored), 0 for none; *val
 * its value (a month, weekday, number, unit). */
uint16_t art_keyword(const char *w, size_t n, int32_t *val);

/* Keyword ids and classes: art_lex.c's table. */
enum {
	ART_K_NONE = 0,
	ART_K_MONTH,      /* val 1..12 */
	ART_K_MONTH_ABBR, /* val 1..12; Jan, Sept, ... */
	ART_K_WEEKDAY,    /* val 0..6 */
	ART_K_WEEKDAY_ABBR,
	ART_K_WEEKDAYS, /* Mondays: a set */
	ART_K_TODAY,    /* val -1, 0, 1 (yesterday, today, tomorrow) */
	ART_K_UNIT,     /* val ART_U_* */
	ART_K_NUMWORD,  /* one .. twelve, a, an: val */
	ART_K_PARTDAY,  /* morning, afternoon, evening, night */
	ART_K_THIS,
	ART_K_LAST,
	ART_K_NEXT,
	ART_K_PAST,
	ART_K_COMING,
	ART_K_PREVIOUS,
	ART_K_EARLIER,
	ART_K_LATER,
	ART_K_EARLY,
	ART_K_MID,
	ART_K_LATE,
	ART_K_THE,
	ART_K_EVERY, /* every, each: sets */
	ART_K_AGO,
	ART_K_IN,
	ART_K_ON,
	ART_K_FROM,
	ART_K_TO, /* to, until, till, through, thru */
	ART_K_BETWEEN,
	ART_K_AND,
	ART_K_OF,
	ART_K_YEARPREP,   /* since, by, during, before, after, around, as, year,
	                     circa, spring, summer, autumn, fall, winter */
	ART_K_POSITION,   /* end, beginning, start, middle, close */
	ART_K_SAME,       /* same: "the same period last year" */
	ART_K_FOR,        /* for, within, over: durations */
	ART_K_NOW,        /* now, currently, presently */
	ART_K_TENSE_FUT,  /* will, shall, 'll, upcoming, scheduled */
	ART_K_TENSE_PAST, /* was, were, had, did, met, said, ... */
	ART_K_TENSE_PRES, /* is, are, am, has, have, does, do */
	ART_K_GOING,      /* going (to), set (to), expected (to), due (to) */
	ART_K_TENSE_AUX,  /* would, could, might (ambiguous) */
	ART_K_NOT_ED,     /* -ed words that are no past tense */
	ART_K_BE,         /* be, been, being */
	ART_K_FIRST,      /* first: "the first five months of the war" */
	ART_K_INTO,       /* into: "two weeks into the war" */
	ART_K_COUNT
};

/* ---- art_scan.c, art_scan_absolute.c, art_scan_relative.c: what the
 * matchers share ---- */

/* A sentence's tokens as the matchers read them: the tokens, their count,
 * and the text their offsets point into.  A view: it owns nothing and is
 * valid while the art_scanner and the text it was made from are. */
typedef struct art_view {
	const art_tok *t;
	size_t n;
	const char *text;
} art_view;

/* Token tests (art_scan.c).  Each reads c only; a token index at or past
 * the end tests false, except in art_glued_before, whose i must be a
 * token of c. */

/* 1 when token i is keyword id (ART_K_*). */
int art_kw(const art_view *c, size_t i, uint16_t id);
/* 1 when token i is the punctuation mark ch ('-' for any dash). */
int art_punct(const art_view *c, size_t i, char ch);
/* 1 when token i and token i + 1 touch (no space between them). */
int art_adj(const art_view *c, size_t i);
/* 1 when token i is a number of mind..maxd digits without an ordinal
 * suffix (ord 0), with one (1), or either (2). */
int art_num(const art_view *c, size_t i, unsigned mind, unsigned maxd, int ord);
/* 1 when token i is the word w (ASCII case ignored). */
int art_word_is(const art_view *c, size_t i, const char *w);
/* 1 when a match that ends before token j is glued to what follows, so is
 * part of a larger number ("1,000", "3.5"), of a code or a word, or of an
 * amount (followed by '%' or '$'). */
int art_glued_after(const art_view *c, size_t j);
/* 1 when token i touches the token before it and that token is a number,
 * a word, or punctuation other than an opening bracket or quote. */
int art_glued_before(const art_view *c, size_t i);

/* The matchers.  Each tries its patterns at token i of c.  On a match it
 * fills *x (the mention in x->a, the second end of an interval in x->b
 * with x->is_range set, x->form the name of the pattern, a static string)
 * and returns the index of the token after the match; it returns 0 when
 * nothing matches (*x may then be partly written).  A match whose
 * x->a.kind is 0 was consumed but gives no date.  in_range is 1 when i
 * follows the "to", "-" or "and" of an interval, where a month or year
 * alone is a date.  The matchers that set *begin set it to the first
 * token of the expression when that is before i; the caller sets it to i
 * before the call.  Nothing is allocated. */

/* art_scan_absolute.c: at a capitalised month name, "September 15, 2022",
 * "Sept. 5-11", "February 2022", "March of 2020", and a month alone where
 * the words before make it a date ("in February", "last March"). */
size_t art_match_month(const art_view *c, size_t i, art_expr *x, int in_range);
/* art_scan_absolute.c: at a number, ISO dates and months, numeric dates
 * (9/15/2022, 15.09.2022; an ambiguous or impossible one is consumed),
 * year ranges (2014-2016), "the 1990s", "15 September [2022]", "the 15th
 * of September", a season's year (consumed) and a year where the words
 * make it one. */
size_t art_match_number(const art_view *c, size_t i, art_expr *x, int in_range);
/* art_scan_absolute.c: "the '90s", at the apostrophe. */
size_t art_match_quote_decade(const art_view *c, size_t i, art_expr *x);
/* art_scan_relative.c: at a capitalised weekday, the full date it stands
 * before ("Thursday, Sept. 15"), else the weekday with its determiner
 * (last, next, this); "every Monday" (a set) matches nothing.  in_range is
 * not used. */
size_t art_match_weekday(const art_view *c, size_t i, art_expr *x,
                         int in_range);
/* art_scan_relative.c: today, yesterday, tomorrow (and a part of the day
 * after them), "this morning", "last night". */
size_t art_match_today(const art_view *c, size_t i, art_expr *x);
/* art_scan_relative.c: at this/last/next/past/coming/previous, a week,
 * month or year ("last week", "earlier this year", "the past month",
 * "the next day"); "the same period last year" is consumed. */
size_t art_match_unitrel(const art_view *c, size_t i, art_expr *x,
                         size_t *begin);
/* art_scan_relative.c: at a count (a number word or a number), "two weeks
 * ago", "three days from now", "two weeks into the war", "three months
 * after the invasion", "a year earlier", "the past three months", "in
 * three days". */
size_t art_match_count(const art_view *c, size_t i, art_expr *x, size_t *begin);
/* art_scan_relative.c: at "first", "the first five months of the war". */
size_t art_match_first(const art_view *c, size_t i, art_expr *x, size_t *begin);

/* ---- art_resolve.c ---- */

/* Tenses. */
enum { ART_PAST = -1, ART_PRESENT = 0, ART_FUTURE = 1 };

/* The tense of the clause around expression x: the nearest verb marker
 * ("will meet", "met", "has met", "is expected to") within the sentence's
 * tokens.  ART_PRESENT when nothing says. */
int32_t art_tense(const art_scanner *s, const char *text, const art_expr *x);

/* What resolution needs: the document date and the last value resolved
 * (the anchor of "a year earlier"). */
typedef struct art_ctx {
	art_point doc;
	int64_t doc_days;
	art_value last;
	int32_t has_last;
	/* The start of each event group the text has dated so far (prec
	 * ART_P_NONE when not): the anchor of "the first five months of the
	 * war". */
	art_point anchor[ART_EVENT_GROUPS];
} art_ctx;

/* Sets up c for document date doc (a day). */
void art_ctx_init(art_ctx *c, art_point doc);

/* Resolves x, said in tense `tense`, against c.  Returns 1 and sets *out
 * and the rule that resolved it (for `resolver`: the pattern, and what
 * decided, e.g. "month-name+past-tense") in rule[0..rulesize), or 0 when x
 * gives no date (a duration, an impossible date, an ambiguous one).  A
 * value is never more precise than its words. */
int art_resolve(const art_ctx *c, const art_expr *x, int32_t tense,
                art_value *out, char *rule, size_t rulesize);

/* Notes what resolved expression x (value v) says about an event's start:
 * "Russia invaded Ukraine on Feb. 24", "the war, which began on 24
 * February", "since the invasion on February 24", "the March 2020
 * outbreak" make v's start the anchor of that event's group in c.  s holds
 * the sentence's tokens.  Returns the group anchored, or 0. */
int32_t art_anchor_note(art_ctx *c, const art_scanner *s, const char *text,
                        const art_expr *x, const art_value *v);

/* ---- art_event.c ---- */

/* Writes the sentence text[begin, end) cleaned (runs of white space made
 * one space) into out[0..size), NUL-terminated.  Returns the length. */
size_t art_clean_text(const char *text, size_t begin, size_t end, char *out,
                      size_t size);

/* Condenses sentence s (cleaned) into a title of at most max characters
 * (not bytes) in out[0..size): a wire dateline ("LONDON (Reuters) - "), a
 * parenthesis and an attribution ("..., he said") dropped unless that
 * would drop `keep` (the date expression; NULL for none), then cut at a
 * clause or word boundary with an ellipsis.  Returns the length in
 * bytes. */
size_t art_title(const char *s, const char *keep, char *out, size_t size,
                 size_t max);

/* 64-bit FNV-1a of p[0..n), continued from h (start with
 * ART_HASH_INIT). */
#define ART_HASH_INIT UINT64_C(0xcbf29ce484222325)
uint64_t art_hash(uint64_t h, const void *p, size_t n);

/* One event to hand over. */
typedef struct art_found {
	const char *sentence; /* cleaned */
	size_t s_begin, s_end, x_begin, x_end;
	const char *expr; /* cleaned */
	art_value value;
	const char *rule;
} art_found;

/* Builds and emits the event of f (host->emit).  source_key is the
 * hash of the source (URL, else text).  Returns the emit's answer. */
int32_t art_emit(tldb_run *run, const art_meta *m, uint64_t source_key,
                 const art_found *f);

/* The 1-based line and column of offset off in text (counting from a
 * known earlier position: *line and *col are those of offset *at; all
 * three are updated). */
void art_position(const char *text, size_t off, size_t *at, int64_t *line,
                  int64_t *col);

#endif /* TLDB_ARTICLE_H */
