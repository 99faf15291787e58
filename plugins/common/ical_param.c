/*
 * ical_param.c -- one parameter of an iCalendar content line (ical_param.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ical_param.h"

void tl_ical_param(const char *params, size_t n, const char *name, char *buf,
                   size_t size)
{
	size_t len = strlen(name);
	int quoted = 0;
	buf[0] = '\0';
	for (size_t i = 0; i + len + 1 < n; i++) {
		/* a ';' inside a quoted value starts no parameter */
		quoted ^= params[i] == '"';
		if (quoted || params[i] != ';' ||
		    strncasecmp(params + i + 1, name, len) ||
		    params[i + 1 + len] != '=')
			continue;
		const char *v = params + i + 2 + len;
		const char *end = params + n;
		int q = *v == '"';
		v += q;
		const char *stop = v;
		while (stop < end && *stop != (q ? '"' : ';'))
			stop++;
		snprintf(buf, size, "%.*s", (int)(stop - v), v);
		return;
	}
}
