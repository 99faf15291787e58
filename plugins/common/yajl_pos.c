/*
 * yajl_pos.c -- positions and string copies for yajl-based readers.
 */
#include "yajl_pos.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void yajl_pos_advance(yajl_handle h, const unsigned char *chunk,
                      size_t *scanned, int64_t *line, int64_t *col)
{
	size_t to = yajl_get_bytes_consumed(h);
	for (; *scanned < to; (*scanned)++) {
		unsigned char c = chunk[*scanned];
		if (c == '\n') {
			(*line)++;
			*col = 1;
		} else if ((c & 0xC0) != 0x80) {
			(*col)++;
		}
	}
}

char *yajl_pos_strdup(const unsigned char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

void yajl_pos_error_text(yajl_handle h, const unsigned char *buf, size_t len,
                         char *text, size_t size)
{
	unsigned char *msg = yajl_get_error(h, 0, buf, len);
	snprintf(text, size, "invalid JSON: %s",
	         msg ? (const char *)msg : "parse error");
	size_t n = strlen(text);
	while (n && (text[n - 1] == '\n' || text[n - 1] == ' '))
		text[--n] = '\0';
	yajl_free_error(h, msg);
}
