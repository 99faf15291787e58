/*
 * plugin_host.c -- loading plugins: dlopen, the entry symbol and its ABI
 * major version, calling the entry, and finding plugin files in folders
 * (tldb_plugins_load_dir, the search path); the registry's life (new,
 * free).  What the entry hands over is copied and checked in
 * plugin_descriptor.c; looking plugins up and choosing an importer is
 * plugin_registry.c.
 *
 * Plugins are never dlclose()d once their code has run: a plugin may have
 * left a thread, a TLS destructor or an atexit handler behind (OBS learnt
 * this).
 */
#include <dirent.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "plugin_internal.h"

#ifndef TLDB_PLUGIN_INSTALL_DIR
#define TLDB_PLUGIN_INSTALL_DIR "/usr/local/lib/tldb/plugins"
#endif

void tl_plugin_msgf(tldb_msgbuf *err, const char *fmt, ...)
{
	if (!err)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	err->line = err->column = 0;
}

TLDB_API const char *tldb_plugins_install_dir(void)
{
	return TLDB_PLUGIN_INSTALL_DIR;
}

TLDB_API int tldb_plugins_new(tldb_plugins **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? TLDB_OK : TLDB_ENOMEM;
}

static void plugin_free(tl_plugin *pl)
{
	if (!pl)
		return;
	for (int k = 0; k < 2; k++) {
		free(pl->options[k]);
		free(pl->optlist[k]);
	}
	pthread_mutex_destroy(&pl->lock);
	free(pl->path);
	free(pl);
}

TLDB_API void tldb_plugins_free(tldb_plugins *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		plugin_free(p->items[i]); /* the code stays mapped */
	free(p->items);
	free(p);
}

/* Names the entry symbol of another major version, when the file has one. */
static int other_major(void *handle)
{
	char sym[64];
	for (int v = 0; v < 100; v++) {
		if (v == TLDB_PLUGIN_ABI_MAJOR)
			continue;
		snprintf(sym, sizeof sym, "tldb_plugin_entry_v%d", v);
		if (dlsym(handle, sym))
			return v;
	}
	return -1;
}

static int add(tldb_plugins *p, tl_plugin *pl)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		tl_plugin **items = realloc(p->items, cap * sizeof *items);
		if (!items)
			return -1;
		p->items = items;
		p->cap = cap;
	}
	p->items[p->n++] = pl;
	return 0;
}

/* Opens the file and finds the entry symbol; dlclose()s on failure, as no
 * plugin code has run yet. */
static tldb_plugin_entry_fn open_entry(tl_plugin *pl, tldb_msgbuf *err)
{
	dlerror();
	pl->handle = dlopen(pl->path, RTLD_NOW | RTLD_LOCAL);
	if (!pl->handle) {
		const char *why = dlerror();
		tl_plugin_msgf(err, "%s: cannot load: %s", pl->path,
		               why ? why : "dlopen failed");
		return NULL;
	}
	void *sym = dlsym(pl->handle, TLDB_PLUGIN_ENTRY_NAME);
	if (sym) {
		tldb_plugin_entry_fn fn;
		memcpy(&fn, &sym, sizeof fn); /* object to function pointer */
		return fn;
	}
	int v = other_major(pl->handle);
	if (v >= 0)
		tl_plugin_msgf(
		        err,
		        "%s: no %s symbol: the plugin has "
		        "tldb_plugin_entry_v%d, "
		        "built for plugin ABI %d; this tldb speaks ABI %d.%d",
		        pl->path, TLDB_PLUGIN_ENTRY_NAME, v, v,
		        TLDB_PLUGIN_ABI_MAJOR, TLDB_PLUGIN_ABI_MINOR);
	else
		tl_plugin_msgf(err, "%s: not a tldb plugin (no %s symbol)",
		               pl->path, TLDB_PLUGIN_ENTRY_NAME);
	dlclose(pl->handle);
	pl->handle = NULL;
	return NULL;
}

TLDB_API int tldb_plugins_load(tldb_plugins *p, const char *path,
                               tldb_msgbuf *err)
{
	tl_plugin *pl = calloc(1, sizeof *pl);
	if (!pl || !(pl->path = strdup(path))) {
		free(pl);
		tl_plugin_msgf(err, "out of memory");
		return TLDB_ENOMEM;
	}
	pthread_mutex_init(&pl->lock, NULL);
	struct stat sb;
	if (stat(path, &sb) == 0) {
		pl->dev = sb.st_dev;
		pl->ino = sb.st_ino;
	}
	tldb_plugin_entry_fn entry = open_entry(pl, err);
	if (!entry) {
		plugin_free(pl);
		return TLDB_EPLUGIN;
	}
	const tldb_plugin_info *raw = NULL;
	tldb_plugin_call saved;
	tl_call_enter(pl, "loading", NULL, &saved);
	int32_t rc = entry(&tl_host_api, &raw);
	tl_call_leave(&saved);
	if (rc != TLDB_PLUGIN_OK) {
		tl_plugin_msgf(err,
		               "%s: the plugin refused to start (its entry "
		               "returned %d)",
		               path, rc);
		plugin_free(pl); /* its code ran: the handle stays open */
		return TLDB_EPLUGIN;
	}
	if (tl_plugin_check_info(pl, raw, err)) {
		plugin_free(pl);
		return TLDB_EPLUGIN;
	}
	const char *other = NULL;
	if (tldb_plugins_find(p, pl->info.name)) {
		for (size_t i = 0; i < p->n; i++)
			if (strcmp(p->items[i]->info.name, pl->info.name) == 0)
				other = p->items[i]->path;
		tl_plugin_msgf(
		        err,
		        "%s: a plugin named '%s' is already loaded from %s",
		        path, pl->info.name, other);
		plugin_free(pl);
		return TLDB_EEXIST;
	}
	if (add(p, pl)) {
		plugin_free(pl);
		tl_plugin_msgf(err, "out of memory");
		return TLDB_ENOMEM;
	}
	return TLDB_OK;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_so(const char *name)
{
	size_t n = strlen(name);
	return n > 3 && strcmp(name + n - 3, ".so") == 0 && name[0] != '.';
}

/* The sorted "*.so" names of dir (the caller frees each and the array). */
static char **list_so(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	*count = 0;
	if (!d)
		return NULL;
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!is_so(de->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			char **grown = realloc(names, cap * sizeof *grown);
			if (!grown)
				break;
			names = grown;
		}
		if (!(names[n] = strdup(de->d_name)))
			break;
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, by_name);
	*count = n;
	return names;
}

/* Whether the file at path is one the registry loaded already (the same
 * folder named twice in the search path, or a link to a loaded file). */
static int already_loaded(const tldb_plugins *p, const char *path)
{
	struct stat sb;
	if (stat(path, &sb) != 0)
		return 0;
	for (size_t i = 0; i < p->n; i++)
		if (p->items[i]->dev == sb.st_dev &&
		    p->items[i]->ino == sb.st_ino)
			return 1;
	return 0;
}

TLDB_API int tldb_plugins_load_dir(tldb_plugins *p, const char *dir,
                                   tldb_report_fn report, void *ud)
{
	size_t n;
	char **names = list_so(dir, &n);
	int loaded = 0;
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		tldb_msgbuf err;
		int len = snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (len > 0 && (size_t)len < sizeof path &&
		    !already_loaded(p, path)) {
			if (tldb_plugins_load(p, path, &err) == TLDB_OK)
				loaded++;
			else if (report)
				report(ud, err.msg);
		}
		free(names[i]);
	}
	free(names);
	return loaded;
}

TLDB_API int tldb_plugins_load_path(tldb_plugins *p, const char *const *dirs,
                                    size_t ndirs, tldb_report_fn report,
                                    void *ud)
{
	int loaded = 0;
	for (size_t i = 0; i < ndirs; i++)
		loaded += tldb_plugins_load_dir(p, dirs[i], report, ud);
	const char *env = getenv("TLDB_PLUGIN_PATH");
	if (env && *env) {
		char *copy = strdup(env);
		for (char *s = copy, *next; s; s = next) {
			next = strchr(s, ':');
			if (next)
				*next++ = '\0';
			if (*s)
				loaded +=
				        tldb_plugins_load_dir(p, s, report, ud);
		}
		free(copy);
	}
	return loaded +
	       tldb_plugins_load_dir(p, TLDB_PLUGIN_INSTALL_DIR, report, ud);
}
