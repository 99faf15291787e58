/*
 * cmd_serve.c -- `tldb serve`: the command-line face of server/.
 */
#include <stdlib.h>
#include <string.h>

#include "../server/server.h"
#include "cli.h"

static const char serve_usage[] =
        "usage: tldb serve [--listen HOST:PORT] [--base-url URL] "
        "[--threads N]\n"
        "                  [--no-gzip] [--access-log FILE] "
        "[--max-connections N]\n"
        "                  [--idle-timeout SECONDS] [--header-timeout "
        "SECONDS]\n"
        "                  [--cache-mb N] [--loops N] [--render-timeout "
        "SECONDS]\n"
        "\n"
        "Serves the database's timelines over HTTP/1.1 as calendar feeds\n"
        "that stay current: / lists them with subscribe links,\n"
        "/timelines.json as data, and /t/NAME.EXT is a timeline through\n"
        "the exporter for EXT (ics, json, csv, ...), filtered by from=,\n"
        "to=, tag= (repeatable), q=, min-precision= and within=.  A change\n"
        "to the database (tldb import in another shell) shows at the next\n"
        "request.  SIGINT or SIGTERM finishes what is in flight and stops.\n"
        "\n"
        "  --listen HOST:PORT     default 127.0.0.1:8080 (port 0: any free)\n"
        "  --base-url URL         the server's public URL, for feed links\n"
        "                         (default http://HOST:PORT)\n"
        "  --threads N            renderer threads (default 4)\n"
        "  --loops N              event loops taking connections (default:\n"
        "                         one per CPU, at most 4; each has its own\n"
        "                         cache of --cache-mb)\n"
        "  --no-gzip              never compress responses\n"
        "  --access-log FILE      where request lines go (default stderr,\n"
        "                         - for stdout)\n"
        "  --max-connections N    open connections at most (default 1024)\n"
        "  --idle-timeout S       close an idle connection (default 30)\n"
        "  --header-timeout S     time to send a request head (default 10)\n"
        "  --cache-mb N           rendered responses kept (default 64)\n"
        "  --render-timeout S     time one response may take to render; past\n"
        "                         it the answer is 503 with Retry-After\n"
        "                         (default 10)\n"
        "\n"
        "Fixed limits: a request head 16 KiB (431), a target 8 KiB (414), a\n"
        "text query (q=) 64 terms (400); per connection 32 requests queued\n"
        "and 2 rendering at once, and while 1 MiB of responses waits unsent\n"
        "(a client that pipelines and does not read) nothing more is read.\n"
        "The port must be free: a port another process listens on is an\n"
        "error.\n";

static int positive(const char *opt, const char *v, double *out)
{
	char *end;
	double d = strtod(v, &end);
	if (end == v || *end || !(d > 0) || d > 86400)
		return cli_usage_error("serve",
		                       "--%s: '%s' is not a number "
		                       "of seconds",
		                       opt, v);
	*out = d;
	return EXIT_OK;
}

static int parse_listen(const char *v, srv_opts *o, char *host, size_t size)
{
	const char *colon = strrchr(v, ':');
	const char *h = v;
	size_t hl = colon ? (size_t)(colon - v) : 0;
	if (hl >= 2 && v[0] == '[' && v[hl - 1] == ']') {
		h++;
		hl -= 2;
	}
	char *end;
	long port = colon ? strtol(colon + 1, &end, 10) : -1;
	if (!colon || hl == 0 || hl >= size || end == colon + 1 || *end ||
	    port < 0 || port > 65535)
		return cli_usage_error("serve",
		                       "--listen: '%s' is not HOST:PORT", v);
	memcpy(host, h, hl);
	host[hl] = '\0';
	o->host = host;
	o->port = (int)port;
	return EXIT_OK;
}

int cmd_serve(const cli_ctx *ctx, int argc, char **argv)
{
	enum {
		OPT_LISTEN,
		OPT_BASE_URL,
		OPT_THREADS,
		OPT_NO_GZIP,
		OPT_ACCESS_LOG,
		OPT_MAX_CONNECTIONS,
		OPT_IDLE_TIMEOUT,
		OPT_HEADER_TIMEOUT,
		OPT_CACHE_MB,
		OPT_HELP,
		OPT_LOOPS,
		OPT_RENDER_TIMEOUT,
		OPT_END
	};
	static const cli_opt opts[] = {
	        [OPT_LISTEN] = {"listen", 'l', 1},
	        [OPT_BASE_URL] = {"base-url", 0, 1},
	        [OPT_THREADS] = {"threads", 0, 1},
	        [OPT_NO_GZIP] = {"no-gzip", 0, 0},
	        [OPT_ACCESS_LOG] = {"access-log", 0, 1},
	        [OPT_MAX_CONNECTIONS] = {"max-connections", 0, 1},
	        [OPT_IDLE_TIMEOUT] = {"idle-timeout", 0, 1},
	        [OPT_HEADER_TIMEOUT] = {"header-timeout", 0, 1},
	        [OPT_CACHE_MB] = {"cache-mb", 0, 1},
	        [OPT_HELP] = {"help", 'h', 0},
	        [OPT_LOOPS] = {"loops", 0, 1},
	        [OPT_RENDER_TIMEOUT] = {"render-timeout", 0, 1},
	        [OPT_END] = {NULL, 0, 0}};
	srv_opts o;
	memset(&o, 0, sizeof o);
	char host[256] = "127.0.0.1";
	o.host = host;
	o.port = 8080;
	o.gzip = 1;
	o.max_connections = 1024;
	o.idle_timeout = 30;
	o.header_timeout = 10;
	o.cache_bytes = (size_t)64 << 20;
	o.render_timeout = 10;
	/* One event loop per CPU, up to 4: a loop is one core's worth of
	 * sockets, and rendering has its own threads. */
	unsigned cpus = uv_available_parallelism();
	o.loops = cpus < 1 ? 1 : cpus > 4 ? 4 : (int)cpus;
	o.now = ctx->now_fixed ? ctx->now : 0; /* a server's clock runs */
	cli_args a;
	cli_args_init(&a, "serve", argc, argv);
	const char *v;
	int k, rc = EXIT_OK;
	int64_t n;
	while (!rc && (k = cli_next(&a, opts, &v)) != CLI_END) {
		switch (k) {
		case CLI_ERROR:
			return EXIT_USAGE;
		case OPT_LISTEN:
			rc = parse_listen(v, &o, host, sizeof host);
			break;
		case OPT_BASE_URL:
			o.base_url = v;
			break;
		case OPT_THREADS:
			if (!(rc = cli_parse_count("serve", "threads", v,
			                           &n)) &&
			    (n < 1 || n > 128))
				rc = cli_usage_error("serve", "--threads: 1 to "
				                              "128");
			o.threads = (int)n;
			break;
		case OPT_NO_GZIP:
			o.gzip = 0;
			break;
		case OPT_ACCESS_LOG:
			o.access_log = v;
			break;
		case OPT_MAX_CONNECTIONS:
			if (!(rc = cli_parse_count("serve", "max-connections",
			                           v, &n)) &&
			    (n < 1 || n > 100000))
				rc = cli_usage_error("serve",
				                     "--max-connections: 1 to "
				                     "100000");
			o.max_connections = (int)n;
			break;
		case OPT_IDLE_TIMEOUT:
			rc = positive("idle-timeout", v, &o.idle_timeout);
			break;
		case OPT_HEADER_TIMEOUT:
			rc = positive("header-timeout", v, &o.header_timeout);
			break;
		case OPT_CACHE_MB:
			if (!(rc = cli_parse_count("serve", "cache-mb", v,
			                           &n)) &&
			    n > 65536)
				rc = cli_usage_error(
				        "serve", "--cache-mb: at most 65536");
			o.cache_bytes = (size_t)n << 20;
			break;
		case OPT_HELP:
			fputs(serve_usage, stdout);
			return EXIT_OK;
		case OPT_LOOPS:
			if (!(rc = cli_parse_count("serve", "loops", v, &n)) &&
			    (n < 1 || n > 64))
				rc = cli_usage_error("serve",
				                     "--loops: 1 to 64");
			o.loops = (int)n;
			break;
		case OPT_RENDER_TIMEOUT:
			rc = positive("render-timeout", v, &o.render_timeout);
			break;
		default:
			return cli_usage_error("serve", "unexpected '%s'", v);
		}
	}
	if (rc)
		return rc;
	o.db_path = ctx->db_path;
	if (!(o.plugins = cli_plugins(ctx)))
		return EXIT_FAIL;
	return srv_run(&o) ? EXIT_FAIL : EXIT_OK;
}
