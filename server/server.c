/*
 * server.c -- `tldb serve`'s loop: listening, the database watcher that
 * moves the cache's generation, signals and a clean shutdown.
 *
 * SIGINT or SIGTERM stops accepting, closes idle connections, lets every
 * request already read get its response, and returns 0 once the last
 * connection has closed.  SIGPIPE is ignored (a client that goes away is
 * a failed write, not a dead server).
 *
 * One listening socket, bound without SO_REUSEPORT: a port another process
 * listens on is an error at start, never a port shared in silence (with
 * SO_REUSEPORT a second tldb serve of the same user joined the first's
 * group and the kernel split the connections between the two databases).
 * Every loop watches that socket through its own duplicate descriptor and
 * accepts from it.
 */
#define _DEFAULT_SOURCE /* F_DUPFD_CLOEXEC */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loop.h"

#define CACHE_TTL_MS 60000

static void on_connection(uv_stream_t *listener, int status)
{
	srv *s = listener->data;
	if (status < 0 || s->stopping)
		return;
	conn_accept(s);
}

/* Moves the generation when the database, its WAL or its rollback journal
 * is written, created, removed or renamed over -- not the -shm index that
 * readers touch, and not a change of owner or mode (SQLite running as root
 * fchowns the WAL each time a connection opens it).  uv_fs_event reports
 * both kinds alike, so the loop reads inotify itself through a uv_poll. */
static void on_inotify(uv_poll_t *h, int status, int events)
{
	srv *s = h->data;
	(void)events;
	if (status < 0) {
		atomic_fetch_add(&s->sh->generation, 1);
		return;
	}
	char buf[8192]
	        __attribute__((aligned(__alignof__(struct inotify_event))));
	size_t n = strlen(s->db_name);
	for (;;) {
		ssize_t len = read(s->inotify_fd, buf, sizeof buf);
		if (len <= 0)
			break; /* EAGAIN: all read */
		for (char *p = buf; p < buf + len;) {
			const struct inotify_event *ev = (const void *)p;
			const char *file = ev->len ? ev->name : NULL;
			if ((ev->mask & IN_Q_OVERFLOW) || !file ||
			    (strncmp(file, s->db_name, n) == 0 &&
			     (file[n] == '\0' ||
			      strcmp(file + n, "-wal") == 0 ||
			      strcmp(file + n, "-journal") == 0)))
				atomic_fetch_add(&s->sh->generation, 1);
			p += sizeof *ev + ev->len;
		}
	}
}

/* Watches the database's folder; 0, or -1 (the cache then expires by age
 * only). */
static int watch_database(srv *s, const char *dir)
{
	s->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (s->inotify_fd < 0)
		return -1;
	if (inotify_add_watch(s->inotify_fd, dir,
	                      IN_MODIFY | IN_CREATE | IN_DELETE | IN_MOVED_TO |
	                              IN_MOVED_FROM) < 0 ||
	    uv_poll_init(s->loop, &s->watch, s->inotify_fd)) {
		close(s->inotify_fd);
		s->inotify_fd = -1;
		return -1;
	}
	s->watch.data = s;
	s->watching = 1; /* stop() closes the handle from now on */
	return uv_poll_start(&s->watch, UV_READABLE, on_inotify) ? -1 : 0;
}

uint64_t srv_generation(const srv *s)
{
	return atomic_load(&s->sh->generation);
}

/* Stops accepting and lets the connections finish; the main loop also
 * closes its signals and watcher and asks the other loops to stop. */
static void stop(srv *s)
{
	if (s->stopping)
		return;
	s->stopping = 1;
	if (s->listening)
		uv_close((uv_handle_t *)&s->listener, NULL);
	if (s->is_main) {
		uv_close((uv_handle_t *)&s->sigint, NULL);
		uv_close((uv_handle_t *)&s->sigterm, NULL);
		if (s->watching)
			uv_close((uv_handle_t *)&s->watch, NULL);
		for (int i = 0; i < s->nothers; i++)
			uv_async_send(&s->others[i]->stop_async);
	} else {
		uv_close((uv_handle_t *)&s->stop_async, NULL);
	}
	conn_stop_all(s);
	srv_log_stop(s->log);
}

static void on_signal(uv_signal_t *h, int signum)
{
	(void)signum;
	stop(h->data);
}

static void on_stop_async(uv_async_t *h)
{
	stop(h->data);
}

/* The folder of path and the file's name in it. */
static void split_path(const char *path, char *dir, size_t dsize, char *name,
                       size_t nsize)
{
	const char *slash = strrchr(path, '/');
	if (!slash) {
		snprintf(dir, dsize, ".");
		snprintf(name, nsize, "%s", path);
	} else {
		snprintf(dir, dsize, "%.*s",
		         (int)(slash - path) ? (int)(slash - path) : 1, path);
		snprintf(name, nsize, "%s", slash + 1);
	}
}

/* Prints where the server listens and each public timeline's feeds. */
static void announce(srv *s, int port)
{
	const srv_opts *o = s->opts;
	printf(strchr(o->host, ':') ? "tldb: serving http://[%s]:%d/ "
	                              "(Ctrl-C stops)\n"
	                            : "tldb: serving http://%s:%d/ (Ctrl-C "
	                              "stops)\n",
	       o->host, port);
	tldb *db = NULL;
	if (tldb_open(s->opts->db_path, TLDB_OPEN_READONLY, &db) == TLDB_OK) {
		tldb_cursor *c = NULL;
		const tldb_timeline *tl;
		if (tldb_timeline_list(db, &c) == TLDB_OK) {
			while (tldb_cursor_next_timeline(c, &tl) == TLDB_OK) {
				if (tl->token)
					continue;
				const char *rest = strstr(s->base_url, "://");
				printf("  %-24s %s/t/%s.ics\n", tl->name,
				       s->base_url, tl->name);
				if (rest)
					printf("  %-24s webcal%s/t/%s.ics\n",
					       "", rest, tl->name);
			}
		}
		tldb_cursor_free(c);
	}
	tldb_close(db);
	fflush(stdout);
}

/* The loop's listener: a new socket bound to addr (SO_REUSEADDR only, so
 * the bind is exclusive), or, with shared >= 0, a duplicate of the main
 * loop's listening descriptor. */
static int open_listener(srv *s, const struct sockaddr *addr, int shared,
                         char *err, size_t errsize)
{
	int fd =
	        shared >= 0
	                ? fcntl(shared, F_DUPFD_CLOEXEC, 0)
	                : socket(addr->sa_family,
	                         SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int on = 1;
	if (fd < 0 ||
	    (shared < 0 &&
	     (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) ||
	      bind(fd, addr,
	           addr->sa_family == AF_INET6
	                   ? sizeof(struct sockaddr_in6)
	                   : sizeof(struct sockaddr_in))))) {
		snprintf(err, errsize, "cannot listen on %s:%d: %s",
		         s->opts->host, s->opts->port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	int rc;
	uv_tcp_init(s->loop, &s->listener);
	s->listener.data = s;
	s->listening = 1;
	if ((rc = uv_tcp_open(&s->listener, fd)) ||
	    (rc = uv_listen((uv_stream_t *)&s->listener, 511, on_connection))) {
		snprintf(err, errsize, "cannot listen on %s:%d: %s",
		         s->opts->host, s->opts->port, uv_strerror(rc));
		return -1;
	}
	return 0;
}

/* The address to listen on (the port `port`). */
static int listen_addr(const srv_opts *o, int port,
                       struct sockaddr_storage *addr)
{
	memset(addr, 0, sizeof *addr);
	return strchr(o->host, ':')
	               ? uv_ip6_addr(o->host, port, (struct sockaddr_in6 *)addr)
	               : uv_ip4_addr(o->host, port, (struct sockaddr_in *)addr);
}

static int start(srv *s, int *bound_port, char *err, size_t errsize)
{
	const srv_opts *o = s->opts;
	/* Every handle first, so stop() can close them whatever fails. */
	uv_signal_init(s->loop, &s->sigint);
	uv_signal_init(s->loop, &s->sigterm);
	s->sigint.data = s->sigterm.data = s;
	struct sockaddr_storage addr;
	if (listen_addr(o, o->port, &addr)) {
		snprintf(err, errsize, "--listen: '%s' is not an IP address",
		         o->host);
		return -1;
	}
	if (open_listener(s, (struct sockaddr *)&addr, -1, err, errsize))
		return -1;
	struct sockaddr_storage bound;
	int len = sizeof bound;
	int port = o->port;
	if (uv_tcp_getsockname(&s->listener, (struct sockaddr *)&bound, &len) ==
	    0)
		port = ntohs(
		        bound.ss_family == AF_INET6
		                ? ((struct sockaddr_in6 *)&bound)->sin6_port
		                : ((struct sockaddr_in *)&bound)->sin_port);
	*bound_port = port;
	if (o->base_url && *o->base_url) {
		size_t n = strlen(o->base_url);
		while (n && o->base_url[n - 1] == '/')
			n--;
		snprintf(s->base_url, sizeof s->base_url, "%.*s", (int)n,
		         o->base_url);
	} else {
		snprintf(s->base_url, sizeof s->base_url,
		         strchr(o->host, ':') ? "http://[%s]:%d"
		                              : "http://%s:%d",
		         o->host, port);
	}
	uv_signal_start(&s->sigint, on_signal, SIGINT);
	uv_signal_start(&s->sigterm, on_signal, SIGTERM);

	char dir[4096];
	split_path(o->db_path, dir, sizeof dir, s->db_name, sizeof s->db_name);
	if (watch_database(s, dir)) {
		/* Without a watcher the cache still expires by age. */
		fprintf(stderr,
		        "tldb: serve: cannot watch %s: changes show within "
		        "%d s\n",
		        dir, CACHE_TTL_MS / 1000);
	}
	return 0;
}

/* A loop's own parts; 0, or -1 with a message. */
static int loop_init(srv *s, const srv_opts *o, srv_shared *sh, uv_loop_t *loop,
                     char *err, size_t errsize)
{
	memset(s, 0, sizeof *s);
	s->opts = o;
	s->sh = sh;
	s->inotify_fd = -1;
	s->loop = loop;
	s->cache = srv_cache_new(o->cache_bytes, CACHE_TTL_MS);
	s->log = srv_log_open(s->loop, o->access_log, err, errsize);
	if (!s->cache || !s->log) {
		if (s->log) {
			snprintf(err, errsize, "out of memory");
			srv_log_stop(s->log); /* its timer off the loop */
			uv_run(loop, UV_RUN_DEFAULT);
		}
		srv_cache_free(s->cache);
		srv_log_close(s->log);
		return -1;
	}
	s->rctx.db_path = o->db_path;
	s->rctx.plugins = o->plugins;
	s->rctx.base_url = s->base_url;
	s->rctx.now = o->now;
	s->rctx.time_limit_ms = (int64_t)(o->render_timeout * 1000 + 0.5);
	return 0;
}

static void loop_release(srv *s)
{
	srv_cache_free(s->cache);
	srv_log_close(s->log);
}

static void run_other(void *arg)
{
	srv *s = arg;
	uv_run(s->loop, UV_RUN_DEFAULT);
}

/* Starts loop k of the others on its thread, accepting from the main
 * loop's listener. */
static int start_other(srv *main_loop, srv *s, uv_thread_t *thread, int port,
                       char *err, size_t errsize)
{
	uv_os_fd_t shared = -1;
	if (uv_fileno((uv_handle_t *)&main_loop->listener, &shared)) {
		snprintf(err, errsize, "cannot share the listening socket");
		return -1;
	}
	uv_loop_t *loop = malloc(sizeof *loop);
	if (!loop || uv_loop_init(loop)) {
		free(loop);
		snprintf(err, errsize, "cannot start an event loop");
		return -1;
	}
	if (loop_init(s, main_loop->opts, main_loop->sh, loop, err, errsize)) {
		uv_loop_close(loop);
		free(loop);
		return -1;
	}
	memcpy(s->base_url, main_loop->base_url, sizeof s->base_url);
	uv_async_init(loop, &s->stop_async, on_stop_async);
	s->stop_async.data = s;
	struct sockaddr_storage addr;
	if (listen_addr(s->opts, port, &addr) ||
	    open_listener(s, (struct sockaddr *)&addr, shared, err, errsize) ||
	    uv_thread_create(thread, run_other, s)) {
		stop(s);
		uv_run(loop, UV_RUN_DEFAULT);
		uv_loop_close(loop);
		free(loop);
		loop_release(s);
		if (!err[0])
			snprintf(err, errsize, "cannot start a thread");
		return -1;
	}
	return 0;
}

int srv_run(const srv_opts *o)
{
	char err[600];
	signal(SIGPIPE, SIG_IGN);
	if (o->threads > 0) {
		char n[16];
		snprintf(n, sizeof n, "%d", o->threads);
		setenv("UV_THREADPOOL_SIZE", n, 1);
	}
	/* Fail now, with the reason, rather than 503 every request. */
	tldb *probe = NULL;
	if (tldb_open(o->db_path, TLDB_OPEN_READONLY, &probe)) {
		fprintf(stderr, "tldb: error: %s\n",
		        probe ? tldb_errmsg(probe) : "out of memory");
		tldb_close(probe);
		return 1;
	}
	tldb_close(probe);

	srv_shared sh;
	atomic_init(&sh.generation, 0);
	atomic_init(&sh.nconns, 0);
	srv s;
	if (loop_init(&s, o, &sh, uv_default_loop(), err, sizeof err)) {
		fprintf(stderr, "tldb: error: %s\n", err);
		return 1;
	}
	s.is_main = 1;
	int nloops = o->loops > 0 ? o->loops : 1;
	srv *others = calloc((size_t)nloops, sizeof *others);
	uv_thread_t *threads = calloc((size_t)nloops, sizeof *threads);
	srv **list = calloc((size_t)nloops, sizeof *list);
	int port = 0;
	err[0] = '\0';
	int rc = !others || !threads || !list
	                 ? -1
	                 : start(&s, &port, err, sizeof err);
	for (int i = 0; !rc && i < nloops - 1; i++) {
		rc = start_other(&s, &others[i], &threads[i], port, err,
		                 sizeof err);
		if (!rc)
			list[s.nothers++] = &others[i];
	}
	s.others = list;
	if (rc) {
		fprintf(stderr, "tldb: error: %s\n",
		        err[0] ? err : "out of memory");
		stop(&s);
	} else {
		announce(&s, port);
	}
	uv_run(s.loop, UV_RUN_DEFAULT);
	for (int i = 0; i < s.nothers; i++) {
		uv_thread_join(&threads[i]);
		uv_loop_close(others[i].loop);
		free(others[i].loop);
		loop_release(&others[i]);
	}
	if (s.inotify_fd >= 0)
		close(s.inotify_fd);
	uv_loop_close(s.loop);
	srv_render_shutdown();
	loop_release(&s);
	free(others);
	free(threads);
	free(list);
	return rc ? 1 : 0;
}
