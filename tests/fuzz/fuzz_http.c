/*
 * fuzz_http.c -- libFuzzer harness for the server's request path: request
 * bytes in, response bytes out, no sockets.  Each input goes through
 * srv_handle_bytes (server/sim.c), the very code a connection's reads take
 * (parser and limits, pipelining, Upgrade, routing, the cache, rendering on
 * libuv's thread pool through the bundled exporters, conditional requests,
 * gzip, HEAD), followed by the end of the stream.
 *
 * Once per process it makes a database in a temporary folder with a
 * timeline "demo" (public, three events) and "secret" (private, with a
 * random token that requests can only guess at), and loads the plugins of
 * $TLDB_FUZZ_PLUGIN_DIR, else of TLDB_BUILD_DIR/plugins when that was
 * defined at build time (without plugins the feeds are 404s and the rest is
 * still exercised).  The folder is removed at exit.
 *
 * A crash or sanitizer report is a finding, and so is srv_handle_bytes
 * failing (a connection that wedged) or an output that is not a sequence of
 * HTTP/1.1 responses: both abort().
 *
 * Seeds: tests/fuzz/corpus/http/.  Built with clang -fsanitize=fuzzer; the
 * replay driver calls LLVMFuzzerTestOneInput on every file of the corpus.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/server.h"
#include "tldb/plugins.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];
static char db_path[128];
static tldb_plugins *plugins;
static srv_opts opts;

static void cleanup(void)
{
	srv_render_shutdown();
	const char *ext[] = {"", "-wal", "-shm", "-journal"};
	char path[200];
	for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
		snprintf(path, sizeof path, "%s%s", db_path, ext[i]);
		unlink(path);
	}
	rmdir(dir);
	tldb_plugins_free(plugins);
}

static void die(const char *what)
{
	fprintf(stderr, "fuzz_http: set-up failed: %s\n", what);
	abort();
}

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/tldb-fuzz-http-XXXXXX");
	if (!mkdtemp(dir))
		die("mkdtemp");
	snprintf(db_path, sizeof db_path, "%s/fuzz.db", dir);
	tldb *db = NULL;
	if (tldb_open(db_path, TLDB_OPEN_CREATE, &db))
		die(db ? tldb_errmsg(db) : "out of memory");
	tldb_timeline demo = {.name = "demo", .title = "Demo <&> \"x\""};
	tldb_timeline secret = {.name = "secret", .title = "Secret"};
	if (tldb_timeline_create(db, &demo) ||
	    tldb_timeline_create(db, &secret))
		die(tldb_errmsg(db));
	static const char *const tags[] = {"sco", "summit"};
	struct {
		const char *tl, *title, *start, *end;
	} evs[] = {
	        {"demo", "Olympics in Beijing", "2022-02-04", "2022-02-20"},
	        {"demo", "Gazprom agrees to rubles", "2022-09-06", NULL},
	        {"demo", "Meeting in Samarkand", "2022-09-15T10:30", NULL},
	        {"secret", "Hidden", "2022", NULL},
	};
	for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++) {
		tldb_event ev = {.timeline = evs[i].tl,
		                 .title = evs[i].title,
		                 .start = evs[i].start,
		                 .end = evs[i].end,
		                 .tags = tags,
		                 .ntags = i % 3};
		if (tldb_put(db, &ev, NULL, NULL))
			die(tldb_errmsg(db));
	}
	char token[TLDB_TOKEN_LEN + 1];
	if (tldb_timeline_share(db, "secret", token))
		die(tldb_errmsg(db));
	tldb_close(db);
	if (tldb_plugins_new(&plugins))
		die("out of memory");
	const char *pdir = getenv("TLDB_FUZZ_PLUGIN_DIR");
#ifdef TLDB_BUILD_DIR
	if (!pdir)
		pdir = TLDB_BUILD_DIR "/plugins";
#endif
	if (pdir)
		(void)tldb_plugins_load_dir(plugins, pdir, NULL, NULL);
	atexit(cleanup);
	opts.db_path = db_path;
	opts.plugins = plugins;
	opts.gzip = 1;
	opts.max_connections = 16;
	opts.idle_timeout = opts.header_timeout = 10;
	opts.cache_bytes = (size_t)4 << 20;
	opts.now = 1669852800; /* 2022-12-01: from=today is reproducible */
	opts.render_timeout = 5;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		setup();
		ready = 1;
	}
	unsigned char *out = NULL;
	size_t len = 0;
	if (srv_handle_bytes(&opts, data, size, &out, &len)) {
		fprintf(stderr, "fuzz_http: the connection wedged\n");
		abort();
	}
	if (len && (len < 12 || memcmp(out, "HTTP/1.1 ", 9) != 0)) {
		fprintf(stderr, "fuzz_http: output is not a response\n");
		abort();
	}
	free(out);
	return 0;
}
