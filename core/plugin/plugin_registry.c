/*
 * plugin_registry.c -- looking plugins up in a registry: by position, by
 * name, the exporter for a name or extension, and choosing the importer
 * for an input by name, extension, MIME type or, failing those, the
 * importers' probes of its first bytes.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "plugin_internal.h"

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
	tl_plugin_msgf(err, "several importers claim this input by %s (%s)",
	               how, names);
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
			tl_plugin_msgf(err, "no plugin named '%s'", name);
			return TLDB_ENOTFOUND;
		}
		if (!info->importer) {
			tl_plugin_msgf(err, "plugin '%s' has no importer",
			               name);
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
	tl_plugin_msgf(err, "no importer recognises this input%s%s%s",
	               ext ? " (extension ." : "", ext ? ext : "",
	               ext ? ")" : "");
	return TLDB_ENOTFOUND;
}
