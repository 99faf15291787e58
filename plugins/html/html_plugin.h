/*
 * html_plugin.h -- the parts of the `html` exporter: buffered, escaped
 * output over host->write (html_out.c), dates in words and civil time
 * (html_date.c), text measures and URL checks (html_text.c), the streamed
 * list of events and the spool of compact records it leaves for the picture
 * (html_list.c), and the picture itself (html_svg.c).  html.c holds the
 * descriptor and the page around them.
 */
#ifndef TLDB_HTML_PLUGIN_H
#define TLDB_HTML_PLUGIN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <tldb/plugin.h>

#include "civil.h"

extern const tldb_host_api *html_host;

/* ---- output (html_out.c) ---- */

/* A small buffer in front of host->write.  The first failed write is kept
 * in rc; later calls do nothing, so callers check rc once at the end. */
typedef struct html_out {
	tldb_run *run;
	int32_t rc;
	size_t len;
	char buf[16384];
} html_out;

/* Writes n raw bytes (markup). */
void html_raw(html_out *o, const char *s, size_t n);
/* Writes the NUL-terminated markup s. */
void html_put(html_out *o, const char *s);
/* Writes formatted markup (no untrusted text in the arguments). */
void html_printf(html_out *o, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
/* Writes text escaped for HTML content and quoted attributes (& < > " '),
 * with C0 controls other than tab and newline replaced by U+FFFD. */
void html_text(html_out *o, const char *s);
/* As html_text for the first n bytes of s. */
void html_textn(html_out *o, const char *s, size_t n);
/* As html_text, newlines written as <br>. */
void html_text_br(html_out *o, const char *s);
/* Writes what is buffered; returns o->rc. */
int32_t html_flush(html_out *o);

/* ---- dates (html_date.c) ---- */

/* Civil times are civil.h's (year 0 is 1 BCE). */
/* The short English name of month 1..12 ("Sep"). */
const char *html_month_abbr(int month);
/* The year as people write it: "2022", "44 BCE" (astronomical -43). */
void html_year_words(int64_t year, char *buf, size_t size);

/* One end of a date: absent (open or unknown) or parsed. */
typedef struct html_end {
	int present;
	tldb_plugin_date d;
} html_end;

/* An event's two ends (an interval start's parts, else start and end),
 * parsed with the host.  Returns 0, or -1 with msg set. */
int html_event_ends(const tldb_plugin_event *ev, html_end ends[2], char *msg,
                    size_t size);
/* A parsed date in words at its precision: "about 15 September 2022?". */
void html_date_words(const tldb_plugin_date *d, char *buf, size_t size);
/* The event's date in words: "February 2022 – July 2022", "from 2022". */
void html_when_words(const tldb_plugin_event *ev, const html_end e[2],
                     char *buf, size_t size);
/* The HTML datetime attribute value for d ("2022", "2022-09",
 * "2022-09-15", "2022-09-15T05:00:00Z"), or 0 when HTML cannot express it
 * (years before 1 or after 9999). */
int html_datetime(const tldb_plugin_date *d, char *buf, size_t size);

/* ---- text (html_text.c) ---- */

/* 1 when url may be linked: it starts with http://, https:// or mailto:
 * (any case) and holds no space or control character.  Anything else
 * (javascript:, data:, relative or obfuscated forms) is shown as text. */
int html_url_safe(const char *url);
/* The byte length of the first max_chars characters of the UTF-8 s, and
 * whether s is longer than that (*cut). */
size_t html_utf8_prefix(const char *s, size_t max_chars, int *cut);
/* A generous estimate in pixels of the width of UTF-8 text in the page's
 * font at size px (wide fonts such as DejaVu Sans and Verdana fit in it). */
double html_text_width(const char *s, size_t n, double px);

/* ---- tags (html_list.c) ---- */

#define HTML_MAX_TAGS  4096 /* distinct tags tracked; more are uncoloured */
#define HTML_COLOURS   12   /* the most frequent tags get a colour */
#define HTML_NO_COLOUR -1

typedef struct html_tag {
	char *name;
	uint32_t count;
	int32_t colour; /* 0..HTML_COLOURS-1, or HTML_NO_COLOUR */
} html_tag;

/* ---- the spool: one compact record an event, for the picture ---- */

#define HTML_SHAPE_POINT 0u /* a day or finer, no end */
#define HTML_SHAPE_BAR   1u /* an interval, or a month or year */

#define HTML_QUAL_UNCERTAIN   1u
#define HTML_QUAL_APPROXIMATE 2u
#define HTML_OPEN_START       1u
#define HTML_OPEN_END         2u

#define HTML_TIP_CHARS   160 /* title characters kept for the picture */
#define HTML_LABEL_CHARS 36  /* title characters shown as a label */

typedef struct html_rec {
	int64_t lo, hi; /* bounds, TLDB_TIME_MIN/MAX-like when open */
	uint32_t index; /* the event's number: id e-INDEX in the list */
	uint8_t shape;
	uint8_t coarse; /* precision month or year */
	uint8_t qual;   /* HTML_QUAL_* */
	uint8_t open;   /* HTML_OPEN_* */
	uint16_t tip_len, when_len, ntags, reserved;
} html_rec;

/* A record read back, with its strings (tip, when) and tag ids. */
typedef struct html_item {
	html_rec r;
	char tip[HTML_TIP_CHARS * 4 + 1];
	char when[512];
	uint32_t tags[64];
} html_item;

/* The state of one export. */
typedef struct html_state {
	html_out out;
	FILE *spool;      /* compact records, read back for the layout */
	uint32_t nevents; /* events seen */
	int64_t t_min;    /* the finite bounds seen, INT64_MAX when none */
	int64_t t_max;    /* INT64_MIN when none */
	/* the list's open sections */
	int have_year, have_month, list_open;
	int64_t year;
	int month;
	/* tags */
	html_tag *tags;
	uint32_t ntags;
	uint32_t *slots; /* open addressing: tag id + 1, 0 empty */
	uint32_t nslots;
	uint32_t lanes; /* option lanes */
} html_state;

/* Writes one event into the list and spools its record.  Returns
 * TLDB_PLUGIN_OK or an error code (after host->error). */
int32_t html_list_event(html_state *st, const tldb_plugin_event *ev);
/* Closes the list's open sections (or says there are no events). */
void html_list_end(html_state *st);
/* Reads the next spooled record; 1, 0 at the end, -1 on a read error. */
int html_spool_next(html_state *st, html_item *it);
/* Gives the HTML_COLOURS most frequent tags their colours. */
void html_tags_rank(html_state *st);
/* Releases the tag table. */
void html_tags_free(html_state *st);

/* Writes the figure: zoom controls, the picture at each zoom level, the
 * legend and key.  Reads the spool.  Returns TLDB_PLUGIN_OK or an error. */
int32_t html_picture(html_state *st);

#endif /* TLDB_HTML_PLUGIN_H */
