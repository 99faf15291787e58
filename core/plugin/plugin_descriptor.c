/*
 * plugin_descriptor.c -- what a plugin's entry hands over: copying its
 * descriptor (info, formats, options) into the host's own structs,
 * validating names, lists, kinds and option defaults, and checking option
 * values given for a run against a format's options
 * (tldb_plugins_check_options).
 *
 * Each struct a plugin hands over is copied into zeroed memory of the size
 * this host knows (as OBS does).  A struct smaller than ABI 1.0's is refused;
 * a larger one (a plugin built against a later minor version) is accepted
 * when the bytes this host does not know are all zero, that is when the
 * plugin uses no field this host lacks.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "plugin_internal.h"

/* The end of a struct's ABI 1.0 fields: the smallest size accepted. */
#define END_OF(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))
#define MIN_INFO            END_OF(tldb_plugin_info, exporter)
#define MIN_FORMAT          END_OF(tldb_plugin_format, close)
#define MIN_OPTION          END_OF(tldb_plugin_option, help)

_Static_assert(MIN_INFO == sizeof(tldb_plugin_info),
               "ABI 1.0: tldb_plugin_info ends with exporter");
_Static_assert(MIN_FORMAT == sizeof(tldb_plugin_format),
               "ABI 1.0: tldb_plugin_format ends with close");

/* Copies a plugin struct of `size` bytes into `dst` of `known` bytes.
 * Returns 0, or -1 when the plugin's struct is too small or uses bytes this
 * host does not know. */
static int copy_struct(void *dst, size_t known, const void *src, uint32_t size,
                       size_t min, const char *what, const char *path,
                       tldb_msgbuf *err)
{
	memset(dst, 0, known);
	if (size < min) {
		tl_plugin_msgf(
		        err,
		        "%s: %s is %u bytes, smaller than the oldest this tldb "
		        "supports (%zu bytes, ABI 1.0)",
		        path, what, size, min);
		return -1;
	}
	const unsigned char *bytes = src;
	for (size_t i = known; i < size; i++) {
		if (bytes[i]) {
			tl_plugin_msgf(
			        err,
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
			tl_plugin_msgf(
			        err,
			        "%s: malformed descriptor: %s entry %zu ('%s')",
			        path, what, i,
			        i == 32 ? "more than 32" : list[i]);
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
			tl_plugin_msgf(err,
			               "%s: malformed descriptor: more than 64 "
			               "options",
			               pl->path);
			return -1;
		}
	}
	pl->options[k] = calloc(n ? n : 1, sizeof *pl->options[k]);
	pl->optlist[k] = calloc(n + 1, sizeof *pl->optlist[k]);
	if (!pl->options[k] || !pl->optlist[k]) {
		tl_plugin_msgf(err, "out of memory");
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
			tl_plugin_msgf(err,
			               "%s: malformed descriptor: option %zu "
			               "('%s') has "
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
		tl_plugin_msgf(err,
		               "%s: malformed descriptor: the %s has kind %u%s "
		               "(expected "
		               "%u and a run function)",
		               pl->path, what, dst->kind,
		               dst->run ? "" : " and no run", kind);
		return -1;
	}
	if (check_list(dst->extensions, "-_.", "extensions", pl->path, err) ||
	    check_list(dst->mime_types, "-_.+/;= ", "mime_types", pl->path,
	               err))
		return -1;
	if (kind == TLDB_KIND_EXPORTER &&
	    (!dst->extensions || !dst->extensions[0])) {
		tl_plugin_msgf(
		        err,
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

int tl_plugin_check_info(tl_plugin *pl, const tldb_plugin_info *raw,
                         tldb_msgbuf *err)
{
	tldb_plugin_info *info = &pl->info;
	if (!raw) {
		tl_plugin_msgf(
		        err,
		        "%s: malformed descriptor: the entry returned none",
		        pl->path);
		return -1;
	}
	if (raw->size >= offsetof(tldb_plugin_info, abi_minor) + 4 &&
	    raw->abi_major != TLDB_PLUGIN_ABI_MAJOR) {
		tl_plugin_msgf(
		        err,
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
		tl_plugin_msgf(
		        err,
		        "%s: malformed descriptor: plugin name '%s' is not "
		        "[a-z0-9][a-z0-9_-]*",
		        pl->path, info->name ? info->name : "(null)");
		return -1;
	}
	if (!info->version || !*info->version) {
		tl_plugin_msgf(
		        err,
		        "%s: malformed descriptor: plugin '%s' has no version",
		        pl->path, info->name);
		return -1;
	}
	if (!info->description)
		info->description = "";
	if (!info->importer && !info->exporter) {
		tl_plugin_msgf(
		        err,
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
				tl_plugin_msgf(
				        err,
				        "-o %s=%s: %s option '%s' takes %s",
				        keys[i], values[i], plugin->name,
				        keys[i], type_name(found->type));
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
		tl_plugin_msgf(err,
		               "-o %s: %s %s has no option '%s' (valid: %s)",
		               keys[i], plugin->name,
		               format->kind == TLDB_KIND_IMPORTER ? "importer"
		                                                  : "exporter",
		               keys[i], used ? valid : "none");
		return TLDB_EINVAL;
	}
	return TLDB_OK;
}
