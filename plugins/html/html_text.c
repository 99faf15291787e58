/*
 * html_text.c -- what the exporter decides about text: which URLs become
 * links, where a title is cut for a label, and how wide a label will be.
 *
 * The width is an estimate made without the font: per character, a share of
 * an em chosen from DejaVu Sans's advance widths (a wide font, the default
 * sans-serif on Debian and close to Verdana) rounded up, so the real text
 * is no wider in that font and narrower in most others.  The layout keeps
 * labels apart by these estimates; the browser tests measure the real boxes.
 */
#include <string.h>

#include "html_plugin.h"

static int starts_with_ci(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++) {
		char c = *s;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != *prefix)
			return 0;
	}
	return 1;
}

int html_url_safe(const char *url)
{
	if (!url || !*url)
		return 0;
	if (!starts_with_ci(url, "http://") &&
	    !starts_with_ci(url, "https://") && !starts_with_ci(url, "mailto:"))
		return 0;
	for (const unsigned char *p = (const unsigned char *)url; *p; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* The length of the UTF-8 sequence starting with byte c (1 for a stray
 * continuation byte, so every byte is consumed). */
static size_t seq_len(unsigned char c)
{
	if (c >= 0xf0)
		return 4;
	if (c >= 0xe0)
		return 3;
	if (c >= 0xc0)
		return 2;
	return 1;
}

size_t html_utf8_prefix(const char *s, size_t max_chars, int *cut)
{
	size_t i = 0, n = strlen(s);
	for (size_t chars = 0; i < n && chars < max_chars; chars++) {
		size_t k = seq_len((unsigned char)s[i]);
		i = i + k > n ? n : i + k;
	}
	*cut = i < n;
	return i;
}

/* The code point at s (at most n bytes); *len its length. */
static uint32_t code_point(const unsigned char *s, size_t n, size_t *len)
{
	size_t k = seq_len(s[0]);
	if (k > n)
		k = n;
	*len = k;
	if (k == 1)
		return s[0];
	uint32_t cp = s[0] & (0x7fu >> k);
	for (size_t i = 1; i < k; i++)
		cp = (cp << 6) | (s[i] & 0x3fu);
	return cp;
}

/* The width of one character in em. */
static double char_em(uint32_t c)
{
	if (c < 0x80) {
		if (strchr(" .,:;'!|il`", (int)c))
			return 0.36;
		if (strchr("fjrtI()[]{}-\"/\\", (int)c))
			return 0.52;
		if (strchr("mwMW@%&", (int)c))
			return 1.04;
		if (c >= 'A' && c <= 'Z')
			return 0.82;
		return 0.7;
	}
	if (c < 0x0370) /* Latin with diacritics, ligatures */
		return 1.04;
	if (c < 0x1100) /* Greek, Cyrillic, Hebrew, Arabic, ... */
		return 0.9;
	if (c >= 0x1F000) /* emoji and pictographs */
		return 1.35;
	return 1.12; /* CJK, Hangul, symbols: full width */
}

double html_text_width(const char *s, size_t n, double px)
{
	const unsigned char *p = (const unsigned char *)s;
	double em = 0;
	while (n > 0) {
		size_t len;
		uint32_t c = code_point(p, n, &len);
		em += char_em(c);
		p += len;
		n -= len;
	}
	return em * px + 2;
}
