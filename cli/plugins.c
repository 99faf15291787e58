/*
 * plugins.c -- the command's plugin registry and the pieces every command
 * that runs plugins shares: the search path, -o options, input errors, and
 * exporting a query to a stream.
 */
#define _XOPEN_SOURCE 700 /* realpath */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#ifndef TLDB_BUILD_DIR
#define TLDB_BUILD_DIR ""
#endif

static tldb_plugins *registry;

static void free_registry(void)
{
	tldb_plugins_free(registry);
}

static void warn(void *ud, const char *msg)
{
	(void)ud;
	fprintf(stderr, "tldb: warning: %s\n", msg);
}

/* The build tree's plugin folder when this binary is the build tree's. */
static const char *build_tree_plugins(char *buf, size_t size)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0 || !*TLDB_BUILD_DIR)
		return NULL;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	char real_build[4096];
	if (!realpath(TLDB_BUILD_DIR, real_build) ||
	    strcmp(real_build, exe) != 0)
		return NULL;
	int w = snprintf(buf, size, "%s/plugins", real_build);
	return w > 0 && (size_t)w < size ? buf : NULL;
}

tldb_plugins *cli_plugins(const cli_ctx *ctx)
{
	if (registry)
		return registry;
	if (tldb_plugins_new(&registry)) {
		cli_error("out of memory");
		return NULL;
	}
	atexit(free_registry);
	const char *dirs[2];
	size_t n = 0;
	char build[4200];
	if (ctx->plugin_dir)
		dirs[n++] = ctx->plugin_dir;
	const char *b = build_tree_plugins(build, sizeof build);
	if (b)
		dirs[n++] = b;
	tldb_plugins_load_path(registry, dirs, n, warn, NULL);
	return registry;
}

int cli_add_option(const char *cmd, const char *kv, cli_list *keys,
                   cli_list *values)
{
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv)
		return cli_usage_error(cmd, "-o takes KEY=VALUE, not '%s'", kv);
	/* The key is kept in place: cut a copy that lives as long as argv. */
	char *key = strndup(kv, (size_t)(eq - kv));
	if (!key || cli_list_add(keys, key) || cli_list_add(values, eq + 1)) {
		free(key);
		cli_error("out of memory");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

void cli_input_error(const char *name, const tldb_msgbuf *err)
{
	if (err->line > 0)
		cli_error("%s:%lld:%lld: %s", name, (long long)err->line,
		          (long long)err->column, err->msg);
	else
		cli_error("%s: %s", name, err->msg);
}

int cli_need_exporter(const cli_ctx *ctx, const char *cmd, const char *format)
{
	tldb_plugins *p = cli_plugins(ctx);
	if (!p)
		return EXIT_FAIL;
	if (tldb_plugins_exporter(p, format))
		return EXIT_OK;
	return cli_usage_error(cmd,
	                       "--format: no exporter '%s' (see: tldb "
	                       "plugins)",
	                       format);
}

static int write_stream(void *ud, const void *buf, size_t len)
{
	return fwrite(buf, 1, len, ud) == len ? 0 : -1;
}

int cli_export_to(const cli_ctx *ctx, tldb *db, query_args *qa, FILE *out)
{
	tldb_plugins *p = cli_plugins(ctx);
	if (!p)
		return EXIT_FAIL;
	tldb_export_opts o = {0};
	o.format = qa->format;
	o.query = &qa->q;
	o.option_keys = qa->keys.items;
	o.option_values = qa->values.items;
	o.noptions = qa->keys.n;
	o.write = write_stream;
	o.report = warn;
	o.ud = out;
	tldb_msgbuf err;
	if (tldb_export(db, p, &o, NULL, &err)) {
		cli_error("%s", err.msg);
		return EXIT_FAIL;
	}
	if (fflush(out) != 0 || ferror(out)) {
		cli_error("writing the output failed");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
