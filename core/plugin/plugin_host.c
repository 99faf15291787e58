/*
 * plugin_host.c -- loading plugins: dlopen, the entry symbol, ABI and size
 * checks, descriptor validation and the registry.
 *
 * Each struct a plugin hands over is copied into zeroed memory of the size
 * this host knows (as OBS does).  A struct smaller than ABI 1.0's is refused;
 * a larger one (a plugin built against a later minor version) is accepted
 * when the bytes this host does not know are all zero, that is when the
 * plugin uses no field this host lacks.  Plugins are never dlclose()d once
 * their code has run: a plugin may have left a thread, a TLS destructor or
 * an atexit handler behind (OBS learnt this).
 */
#include <dirent.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "plugin_internal.h"

#ifndef TLDB_PLUGIN_INSTALL_DIR
#define TLDB_PLUGIN_INSTALL_DIR "/usr/local/lib/tldb/plugins"
#endif

/* The end of a struct's ABI 1.0 fields: the smallest size accepted. */
#define END_OF(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))
#define MIN_INFO            END_OF(tldb_plugin_info, exporter)
#define MIN_FORMAT          END_OF(tldb_plugin_format, close)
#define MIN_OPTION          END_OF(tldb_plugin_option, help)

_Static_assert(MIN_INFO == sizeof(tldb_plugin_info),
               "ABI 1.0: tldb_plugin_info ends with exporter");
_Static_assert(MIN_FORMAT == sizeof(tldb_plugin_format),
               "ABI 1.0: tldb_plugin_format ends with close");
static void msgf(tldb_msgbuf *err, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static void msgf(tldb_msgbuf *err, const char *fmt, ...)
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

/* Copies a plugin struct of `size` bytes into `dst` of `known` bytes.
 * Returns 0, or -1 when the plugin's struct is too small or uses bytes this
 * host does not know. */
static int copy_struct(void *dst, size_t known, const void *src, uint32_t size,
                       size_t min, const char *what, const char *path,
                       tldb_msgbuf *err)
{
	memset(dst, 0, known);
	if (size < min) {
		msgf(err,
		     "%s: %s is %u bytes, smaller than the oldest this tldb "
		     "supports (%zu bytes, ABI 1.0)",
		     path, what, size, min);
		return -1;
	}
	const unsigned char *bytes = src;
	for (size_t i = known; i < size; i++) {
		if (bytes[i]) {
			msgf(err,
			     "%s: %s is %u bytes and uses fields this tldb "
			     "(ABI "
			     "%d.%d, %zu bytes) does not know; the plugin "
			     "needs a "
			     "newer tldb",
			     path, what, size, TLDB_PLUGIN_ABI_MAJOR,
			     TLDB_PLUGIN_ABI_MINOR, known);
			return -1;
		}
	}
	memcpy(dst, src, size < known ? size : known);
	/* The copy is at this host's size, whatever the plugin's was. */
	uint32_t own = (uint32_t)known;
	memcpy(dst, &own, sizeof own);
	return 0;
}

static int name_ok(const char *s, const char *extra, size_t max)
{
	if (!s || !*s || strlen(s) > max)
		return 0;
	for (const char *c = s; *c; c++) {
		int ok = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
		         (c != s && strchr(extra, *c));
		if (!ok)
			return 0;
	}
	return 1;
}

/* Checks a NULL-terminated list of strings (extensions, MIME types). */
static int check_list(const char *const *list, const char *extra,
                      const char *what, const char *path, tldb_msgbuf *err)
{
	for (size_t i = 0; list && list[i]; i++) {
		if (i == 32 || !name_ok(list[i], extra, 127)) {
			msgf(err,
			     "%s: malformed descriptor: %s entry %zu ('%s')",
			     path, what, i, i == 32 ? "more than 32" : list[i]);
			return -1;
		}
	}
	return 0;
}

static int option_value_ok(uint32_t type, const char *v);

static int copy_options(tl_plugin *pl, int k, const tldb_plugin_format *f,
                        tldb_msgbuf *err)
{
	size_t n = 0;
	while (f->options && f->options[n]) {
		if (++n > 64) {
			msgf(err,
			     "%s: malformed descriptor: more than 64 options",
			     pl->path);
			return -1;
		}
	}
	pl->options[k] = calloc(n ? n : 1, sizeof *pl->options[k]);
	pl->optlist[k] = calloc(n + 1, sizeof *pl->optlist[k]);
	if (!pl->options[k] || !pl->optlist[k]) {
		msgf(err, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		tldb_plugin_option *o = &pl->options[k][i];
		if (copy_struct(o, sizeof *o, f->options[i],
		                f->options[i]->size, MIN_OPTION,
		                "tldb_plugin_option", pl->path, err))
			return -1;
		if (!name_ok(o->key, "-_.", 63) ||
		    o->type < TLDB_OPTION_STRING ||
		    o->type > TLDB_OPTION_DATE ||
		    (o->default_value &&
		     !option_value_ok(o->type, o->default_value))) {
			msgf(err,
			     "%s: malformed descriptor: option %zu ('%s') has "
			     "a bad "
			     "key, type or default",
			     pl->path, i, o->key ? o->key : "(null)");
			return -1;
		}
		pl->optlist[k][i] = o;
	}
	pl->optlist[k][n] = NULL;
	return 0;
}

static int copy_format(tl_plugin *pl, int k, const tldb_plugin_format *src,
                       tldb_plugin_format *dst, uint32_t kind, tldb_msgbuf *err)
{
	const char *what = kind == TLDB_KIND_IMPORTER ? "importer" : "exporter";
	if (copy_struct(dst, sizeof *dst, src, src->size, MIN_FORMAT,
	                "tldb_plugin_format", pl->path, err))
		return -1;
	if (dst->kind != kind || !dst->run) {
		msgf(err,
		     "%s: malformed descriptor: the %s has kind %u%s (expected "
		     "%u and a run function)",
		     pl->path, what, dst->kind, dst->run ? "" : " and no run",
		     kind);
		return -1;
	}
	if (check_list(dst->extensions, "-_.", "extensions", pl->path, err) ||
	    check_list(dst->mime_types, "-_.+/;= ", "mime_types", pl->path,
	               err))
		return -1;
	if (kind == TLDB_KIND_EXPORTER &&
	    (!dst->extensions || !dst->extensions[0])) {
		msgf(err,
		     "%s: malformed descriptor: the exporter names no "
		     "file extension",
		     pl->path);
		return -1;
	}
	if (!dst->description)
		dst->description = "";
	if (copy_options(pl, k, dst, err))
		return -1;
	dst->options = pl->optlist[k];
	return 0;
}

static int check_info(tl_plugin *pl, const tldb_plugin_info *raw,
                      tldb_msgbuf *err)
{
	tldb_plugin_info *info = &pl->info;
	if (!raw) {
		msgf(err, "%s: malformed descriptor: the entry returned none",
		     pl->path);
		return -1;
	}
	if (raw->size >= offsetof(tldb_plugin_info, abi_minor) + 4 &&
	    raw->abi_major != TLDB_PLUGIN_ABI_MAJOR) {
		msgf(err,
		     "%s: built for plugin ABI %u.%u; this tldb speaks ABI "
		     "%d.%d",
		     pl->path, raw->abi_major, raw->abi_minor,
		     TLDB_PLUGIN_ABI_MAJOR, TLDB_PLUGIN_ABI_MINOR);
		return -1;
	}
	if (copy_struct(info, sizeof *info, raw, raw->size, MIN_INFO,
	                "tldb_plugin_info", pl->path, err))
		return -1;
	if (!name_ok(info->name, "-_", 64)) {
		msgf(err,
		     "%s: malformed descriptor: plugin name '%s' is not "
		     "[a-z0-9][a-z0-9_-]*",
		     pl->path, info->name ? info->name : "(null)");
		return -1;
	}
	if (!info->version || !*info->version) {
		msgf(err,
		     "%s: malformed descriptor: plugin '%s' has no version",
		     pl->path, info->name);
		return -1;
	}
	if (!info->description)
		info->description = "";
	if (!info->importer && !info->exporter) {
		msgf(err,
		     "%s: malformed descriptor: plugin '%s' has neither an "
		     "importer nor an exporter",
		     pl->path, info->name);
		return -1;
	}
	if (info->importer) {
		if (copy_format(pl, 0, info->importer, &pl->importer,
		                TLDB_KIND_IMPORTER, err))
			return -1;
		info->importer = &pl->importer;
	}
	if (info->exporter) {
		if (copy_format(pl, 1, info->exporter, &pl->exporter,
		                TLDB_KIND_EXPORTER, err))
			return -1;
		info->exporter = &pl->exporter;
	}
	return 0;
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
		msgf(err, "%s: cannot load: %s", pl->path,
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
		msgf(err,
		     "%s: no %s symbol: the plugin has tldb_plugin_entry_v%d, "
		     "built for plugin ABI %d; this tldb speaks ABI %d.%d",
		     pl->path, TLDB_PLUGIN_ENTRY_NAME, v, v,
		     TLDB_PLUGIN_ABI_MAJOR, TLDB_PLUGIN_ABI_MINOR);
	else
		msgf(err, "%s: not a tldb plugin (no %s symbol)", pl->path,
		     TLDB_PLUGIN_ENTRY_NAME);
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
		msgf(err, "out of memory");
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
		msgf(err,
		     "%s: the plugin refused to start (its entry returned %d)",
		     path, rc);
		plugin_free(pl); /* its code ran: the handle stays open */
		return TLDB_EPLUGIN;
	}
	if (check_info(pl, raw, err)) {
		plugin_free(pl);
		return TLDB_EPLUGIN;
	}
	const char *other = NULL;
	if (tldb_plugins_find(p, pl->info.name)) {
		for (size_t i = 0; i < p->n; i++)
			if (strcmp(p->items[i]->info.name, pl->info.name) == 0)
				other = p->items[i]->path;
		msgf(err, "%s: a plugin named '%s' is already loaded from %s",
		     path, pl->info.name, other);
		plugin_free(pl);
		return TLDB_EEXIST;
	}
	if (add(p, pl)) {
		plugin_free(pl);
		msgf(err, "out of memory");
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

TLDB_API size_t tldb_plugins_count(const tldb_plugins *p)
{
	return p ? p->n : 0;
}

TLDB_API const tldb_plugin_info *tldb_plugins_at(const tldb_plugins *p,
                                                 size_t i, const char **path)
{
	if (!p || i >= p->n)
		return NULL;
	if (path)
		*path = p->items[i]->path;
	return &p->items[i]->info;
}

TLDB_API const tldb_plugin_info *tldb_plugins_find(const tldb_plugins *p,
                                                   const char *name)
{
	for (size_t i = 0; p && name && i < p->n; i++)
		if (strcmp(p->items[i]->info.name, name) == 0)
			return &p->items[i]->info;
	return NULL;
}

tl_plugin *tl_plugin_of(const tldb_plugins *p, const tldb_plugin_info *info)
{
	for (size_t i = 0; p && i < p->n; i++)
		if (&p->items[i]->info == info)
			return p->items[i];
	return NULL;
}

static int in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; list && s && list[i]; i++)
		if (strcasecmp(list[i], s) == 0)
			return 1;
	return 0;
}

TLDB_API const tldb_plugin_info *tldb_plugins_exporter(const tldb_plugins *p,
                                                       const char *name_or_ext)
{
	const tldb_plugin_info *info = tldb_plugins_find(p, name_or_ext);
	if (info && info->exporter)
		return info;
	for (size_t i = 0; p && i < p->n; i++) {
		info = &p->items[i]->info;
		if (info->exporter &&
		    in_list(info->exporter->extensions, name_or_ext))
			return info;
	}
	return NULL;
}

/* The extension of path (after the last dot of its last component). */
static const char *extension_of(const char *path)
{
	if (!path)
		return NULL;
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash : path, '.');
	return dot && dot[1] ? dot + 1 : NULL;
}

/* Appends the names of importers matching `match` to names; returns how
 * many matched and the first in *out. */
static size_t candidates(const tldb_plugins *p,
                         int (*match)(const tldb_plugin_info *, const void *),
                         const void *arg, const tldb_plugin_info **out,
                         char *names, size_t size)
{
	size_t n = 0, used = 0;
	names[0] = '\0';
	for (size_t i = 0; i < p->n; i++) {
		const tldb_plugin_info *info = &p->items[i]->info;
		if (!info->importer || !match(info, arg))
			continue;
		if (!n++)
			*out = info;
		int w = snprintf(names + used, size - used, "%s%s",
		                 used ? ", " : "", info->name);
		if (w > 0 && (size_t)w < size - used)
			used += (size_t)w;
	}
	return n;
}

static int match_ext(const tldb_plugin_info *info, const void *ext)
{
	return in_list(info->importer->extensions, ext);
}

static int match_mime(const tldb_plugin_info *info, const void *mime)
{
	return in_list(info->importer->mime_types, mime);
}

typedef struct probe_arg {
	const uint8_t *head;
	size_t len;
	int32_t best;
	const char *input; /* its name, for tldb_plugins_current_call */
} probe_arg;

static int32_t probe_score(const tldb_plugin_info *info, const probe_arg *a)
{
	if (!info->importer->probe)
		return 0;
	/* info is the `info` member of a registry's tl_plugin. */
	const tl_plugin *pl =
	        (const tl_plugin *)(const void *)((const char *)info -
	                                          offsetof(tl_plugin, info));
	tldb_plugin_call saved;
	tl_call_enter(pl, "probing", a->input, &saved);
	int32_t s = info->importer->probe(a->head, a->len);
	tl_call_leave(&saved);
	return s < 0 ? 0 : s > 100 ? 100 : s;
}

static int match_best_probe(const tldb_plugin_info *info, const void *arg)
{
	const probe_arg *a = arg;
	return a->best > 0 && probe_score(info, a) == a->best;
}

static int choose_by(const tldb_plugins *p, size_t n, const char *names,
                     const char *how, const tldb_plugin_info **out,
                     tldb_msgbuf *err)
{
	if (n == 1)
		return TLDB_OK;
	*out = NULL;
	msgf(err, "several importers claim this input by %s (%s)", how, names);
	(void)p;
	return TLDB_EEXIST;
}

TLDB_API int tldb_plugins_choose_importer(const tldb_plugins *p,
                                          const char *name, const char *path,
                                          const char *mime, const uint8_t *head,
                                          size_t len,
                                          const tldb_plugin_info **out,
                                          tldb_msgbuf *err)
{
	char names[512];
	*out = NULL;
	if (name) {
		const tldb_plugin_info *info = tldb_plugins_find(p, name);
		if (!info) {
			msgf(err, "no plugin named '%s'", name);
			return TLDB_ENOTFOUND;
		}
		if (!info->importer) {
			msgf(err, "plugin '%s' has no importer", name);
			return TLDB_EINVAL;
		}
		*out = info;
		return TLDB_OK;
	}
	const char *ext = extension_of(path);
	size_t n;
	if (ext &&
	    (n = candidates(p, match_ext, ext, out, names, sizeof names)))
		return choose_by(p, n, names, "extension", out, err);
	if (mime &&
	    (n = candidates(p, match_mime, mime, out, names, sizeof names)))
		return choose_by(p, n, names, "MIME type", out, err);
	probe_arg a = {head, len, 0, path};
	for (size_t i = 0; i < p->n; i++) {
		const tldb_plugin_info *info = &p->items[i]->info;
		if (info->importer) {
			int32_t s = probe_score(info, &a);
			if (s > a.best)
				a.best = s;
		}
	}
	if ((n = candidates(p, match_best_probe, &a, out, names, sizeof names)))
		return choose_by(p, n, names, "content", out, err);
	msgf(err, "no importer recognises this input%s%s%s",
	     ext ? " (extension ." : "", ext ? ext : "", ext ? ")" : "");
	return TLDB_ENOTFOUND;
}

/* ---- options ---- */

static int option_value_ok(uint32_t type, const char *v)
{
	switch (type) {
	case TLDB_OPTION_BOOL: {
		static const char *const words[] = {
		        "true", "false", "yes", "no", "1", "0", "on", "off"};
		for (size_t i = 0; i < sizeof words / sizeof *words; i++)
			if (strcasecmp(v, words[i]) == 0)
				return 1;
		return 0;
	}
	case TLDB_OPTION_INT: {
		char *end;
		if (!*v)
			return 0;
		(void)strtoll(v, &end, 10);
		return *end == '\0';
	}
	case TLDB_OPTION_DATE: {
		tldb_date d;
		return tldb_date_parse(v, NULL, &d, NULL) == TLDB_OK;
	}
	default:
		return 1;
	}
}

static const char *type_name(uint32_t type)
{
	switch (type) {
	case TLDB_OPTION_BOOL:
		return "true or false";
	case TLDB_OPTION_INT:
		return "an integer";
	case TLDB_OPTION_DATE:
		return "an EDTF date";
	default:
		return "a string";
	}
}

TLDB_API int tldb_plugins_check_options(const tldb_plugin_info *plugin,
                                        const tldb_plugin_format *format,
                                        const char *const *keys,
                                        const char *const *values, size_t n,
                                        tldb_msgbuf *err)
{
	for (size_t i = 0; i < n; i++) {
		const tldb_plugin_option *found = NULL;
		for (size_t k = 0; format->options && format->options[k]; k++)
			if (strcmp(format->options[k]->key, keys[i]) == 0)
				found = format->options[k];
		if (found) {
			if (!option_value_ok(found->type, values[i])) {
				msgf(err, "-o %s=%s: %s option '%s' takes %s",
				     keys[i], values[i], plugin->name, keys[i],
				     type_name(found->type));
				return TLDB_EINVAL;
			}
			continue;
		}
		char valid[600];
		size_t used = 0;
		valid[0] = '\0';
		for (size_t k = 0; format->options && format->options[k]; k++) {
			int w = snprintf(valid + used, sizeof valid - used,
			                 "%s%s", k ? ", " : "",
			                 format->options[k]->key);
			if (w > 0 && (size_t)w < sizeof valid - used)
				used += (size_t)w;
		}
		msgf(err, "-o %s: %s %s has no option '%s' (valid: %s)",
		     keys[i], plugin->name,
		     format->kind == TLDB_KIND_IMPORTER ? "importer"
		                                        : "exporter",
		     keys[i], used ? valid : "none");
		return TLDB_EINVAL;
	}
	return TLDB_OK;
}
