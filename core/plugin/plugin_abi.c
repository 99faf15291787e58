/*
 * plugin_abi.c -- locks the layout of plugin ABI 1.0.
 *
 * Third-party plugins are compiled against one release and loaded into
 * later ones, so the offset of every field that crosses the boundary is part
 * of the promise.  These assertions fail the build of any change that moves
 * one (on LP64 targets, the ones tldb supports).  Append fields; never move
 * them.
 */
#include "tldb/plugin.h"

#define OFF(type, field, at)                                                   \
	_Static_assert(sizeof(void *) != 8 || offsetof(type, field) == (at),   \
	               #type "." #field " moved: the plugin ABI is frozen")

OFF(tldb_plugin_source, url, 8);
OFF(tldb_plugin_source, resolver, 56);
OFF(tldb_plugin_source, span_begin, 64);
OFF(tldb_plugin_source, expr_end, 88);
OFF(tldb_plugin_event, precision, 4);
OFF(tldb_plugin_event, uid, 8);
OFF(tldb_plugin_event, start, 40);
OFF(tldb_plugin_event, url, 72);
OFF(tldb_plugin_event, tags, 80);
OFF(tldb_plugin_event, sources, 88);
OFF(tldb_plugin_event, created, 96);
OFF(tldb_plugin_event, hi, 128);
OFF(tldb_plugin_timeline, name, 8);
OFF(tldb_plugin_timeline, updated, 32);
OFF(tldb_plugin_date, precision, 4);
OFF(tldb_plugin_date, lo, 16);
OFF(tldb_plugin_date, hi, 24);
OFF(tldb_plugin_option, type, 4);
OFF(tldb_plugin_option, key, 8);
OFF(tldb_plugin_option, help, 24);
OFF(tldb_plugin_format, kind, 4);
OFF(tldb_plugin_format, description, 16);
OFF(tldb_plugin_format, extensions, 24);
OFF(tldb_plugin_format, options, 40);
OFF(tldb_plugin_format, probe, 48);
OFF(tldb_plugin_format, run, 64);
OFF(tldb_plugin_format, close, 72);
OFF(tldb_plugin_info, abi_major, 4);
OFF(tldb_plugin_info, name, 16);
OFF(tldb_plugin_info, importer, 40);
OFF(tldb_plugin_info, exporter, 48);
OFF(tldb_host_api, host_version, 16);
OFF(tldb_host_api, option, 24);
OFF(tldb_host_api, read, 32);
OFF(tldb_host_api, emit, 48);
OFF(tldb_host_api, next, 64);
OFF(tldb_host_api, write, 80);
OFF(tldb_host_api, error, 88);
OFF(tldb_host_api, parse_date, 104);
OFF(tldb_host_api, now, 128);
OFF(tldb_host_api, format_instant, 136);
OFF(tldb_host_api, remove, 144);
