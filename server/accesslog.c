/*
 * accesslog.c -- one line per request in the common log format plus the
 * duration in seconds:
 *
 *   127.0.0.1 - - [29/Nov/2026:12:00:00 +0000] "GET /t/x.ics HTTP/1.1" 200 5120
 * 0.000412
 *
 * Lines collect in memory and go out through uv_fs_write, one write in
 * flight at a time, so a slow disk or a full pipe never stalls the loop;
 * a write starts when 64 KiB wait or 100 ms after the first line waiting
 * (a write per request would cost a thread-pool round trip each).
 * Private-feed tokens are masked: a log must not hand out the feed.  The
 * mask goes by the parameter's decoded name, as the router reads it, so
 * `?%74oken=...` is masked like `?token=...`.  When
 * more than 1 MiB waits unwritten, further lines are dropped and counted.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server.h"

#define MAX_PENDING (1u << 20)
#define FLUSH_BYTES (64u << 10)
#define FLUSH_MS    100

struct srv_log {
	uv_loop_t *loop;
	uv_file fd;
	int own_fd;
	char *pending; /* lines not yet handed to a write */
	size_t len, cap;
	char *writing; /* the buffer of the write in flight */
	int busy;
	uint64_t dropped;
	uv_fs_t req;
	uv_timer_t timer; /* flushes what waits, FLUSH_MS after it came */
	int timer_open;
	time_t stamp_second; /* the second `stamp` was formatted for */
	char stamp[40];      /* "[29/Nov/2026:12:00:00 +0000]" */
};

srv_log *srv_log_open(uv_loop_t *loop, const char *path, char *err,
                      size_t errsize)
{
	srv_log *l = calloc(1, sizeof *l);
	if (!l) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	l->loop = loop;
	if (!path) {
		l->fd = STDERR_FILENO;
	} else if (strcmp(path, "-") == 0) {
		l->fd = STDOUT_FILENO;
	} else {
		l->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		             0644);
		if (l->fd < 0) {
			snprintf(err, errsize, "%s: cannot open the access log",
			         path);
			free(l);
			return NULL;
		}
		l->own_fd = 1;
	}
	uv_timer_init(loop, &l->timer);
	l->timer.data = l;
	uv_unref((uv_handle_t *)&l->timer); /* never what keeps the loop up */
	l->timer_open = 1;
	return l;
}

static void start_write(srv_log *l);

static void on_flush_timer(uv_timer_t *t)
{
	start_write(t->data);
}

static void on_written(uv_fs_t *req)
{
	srv_log *l = req->data;
	uv_fs_req_cleanup(req);
	free(l->writing);
	l->writing = NULL;
	l->busy = 0;
	if (l->len)
		start_write(l);
}

static void start_write(srv_log *l)
{
	if (l->busy || !l->len)
		return;
	l->writing = l->pending;
	uv_buf_t buf = uv_buf_init(l->writing, (unsigned)l->len);
	l->pending = NULL;
	l->len = l->cap = 0;
	l->busy = 1;
	l->req.data = l;
	if (uv_fs_write(l->loop, &l->req, l->fd, &buf, 1, -1, on_written)) {
		free(l->writing);
		l->writing = NULL;
		l->busy = 0;
	}
}

/* 1 when a query parameter's name, s[0..n), names the token once decoded
 * as route.c decodes it ("%74oken", "tok%65n", any case): its value must
 * not reach the log.  A bad escape is kept as it is, so a name that only
 * fails to decode still counts; any name containing "token" does. */
static int names_token(const char *s, size_t n)
{
	char name[64];
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '%' && i + 2 < n && srv_hexval(s[i + 1]) >= 0 &&
		    srv_hexval(s[i + 2]) >= 0) {
			c = srv_hexval(s[i + 1]) * 16 + srv_hexval(s[i + 2]);
			i += 2;
		} else if (c == '+') {
			c = ' ';
		}
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c == 0)
			continue; /* "%00token" is refused, but masked too */
		if (o + 1 >= sizeof name)
			return 1; /* a name this long: mask rather than guess */
		name[o++] = (char)c;
	}
	name[o] = '\0';
	return strstr(name, "token") != NULL;
}

/* Copies the target into out[0..size) with the value of every parameter
 * whose name decodes to one with "token" in it replaced by "...". */
static void mask_token(const char *target, char *out, size_t size)
{
	size_t o = 0;
	const char *q = strchr(target, '?');
	size_t head = q ? (size_t)(q - target) + 1 : strlen(target);
	for (size_t i = 0; i < head && o + 1 < size; i++)
		out[o++] = target[i];
	for (const char *p = q ? q + 1 : ""; *p && o + 1 < size;) {
		size_t len = strcspn(p, "&");
		const char *eq = memchr(p, '=', len);
		size_t shown = len;
		if (eq && names_token(p, (size_t)(eq - p)))
			shown = (size_t)(eq - p) + 1;
		for (size_t i = 0; i < shown && o + 1 < size; i++)
			out[o++] = p[i];
		if (shown < len)
			for (const char *m = "..."; *m && o + 1 < size; m++)
				out[o++] = *m;
		p += len;
		if (*p == '&' && o + 1 < size)
			out[o++] = *p++;
		else if (*p == '&')
			p++;
	}
	out[o] = '\0';
}

void srv_log_request(srv_log *l, const char *peer, const char *method,
                     const char *target, int http_minor, int status,
                     size_t bytes, double seconds)
{
	if (!l)
		return;
	if (l->len > MAX_PENDING) {
		l->dropped++;
		return;
	}
	time_t now = time(NULL);
	if (now != l->stamp_second || !l->stamp[0]) {
		static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr",
		                                  "May", "Jun", "Jul", "Aug",
		                                  "Sep", "Oct", "Nov", "Dec"};
		struct tm tm;
		gmtime_r(&now, &tm);
		snprintf(l->stamp, sizeof l->stamp,
		         "[%02d/%s/%04d:%02d:%02d:%02d +0000]", tm.tm_mday,
		         mon[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour,
		         tm.tm_min, tm.tm_sec);
		l->stamp_second = now;
	}
	char shown[600];
	mask_token(target ? target : "-", shown, sizeof shown);
	/* Quotes and control bytes in a target would forge fields. */
	for (char *p = shown; *p; p++)
		if (*p == '"' || (unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	char line[900];
	uint64_t us = seconds > 0 ? (uint64_t)(seconds * 1e6 + 0.5) : 0;
	int n = snprintf(line, sizeof line,
	                 "%s - - %s \"%s %s HTTP/1.%d\" %d %zu %llu.%06llu\n",
	                 peer, l->stamp, method ? method : "-", shown,
	                 http_minor, status, bytes,
	                 (unsigned long long)(us / 1000000),
	                 (unsigned long long)(us % 1000000));
	if (n < 0)
		return;
	size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
	if (l->len + len > l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8192;
		while (cap < l->len + len)
			cap *= 2;
		char *p = realloc(l->pending, cap);
		if (!p) {
			l->dropped++;
			return;
		}
		l->pending = p;
		l->cap = cap;
	}
	memcpy(l->pending + l->len, line, len);
	l->len += len;
	if (l->len >= FLUSH_BYTES)
		start_write(l);
	else if (l->timer_open && !uv_is_active((uv_handle_t *)&l->timer))
		uv_timer_start(&l->timer, on_flush_timer, FLUSH_MS, 0);
}

void srv_log_stop(srv_log *l)
{
	if (!l || !l->timer_open)
		return;
	l->timer_open = 0;
	uv_close((uv_handle_t *)&l->timer, NULL);
	start_write(l);
}

void srv_log_close(srv_log *l)
{
	if (!l)
		return;
	/* The loop has stopped: what is left goes out synchronously. */
	if (l->len) {
		size_t off = 0;
		while (off < l->len) {
			ssize_t n =
			        write(l->fd, l->pending + off, l->len - off);
			if (n <= 0)
				break;
			off += (size_t)n;
		}
	}
	if (l->dropped)
		fprintf(stderr, "tldb: serve: %llu access-log lines dropped\n",
		        (unsigned long long)l->dropped);
	if (l->own_fd)
		close(l->fd);
	free(l->pending);
	free(l->writing);
	free(l);
}
