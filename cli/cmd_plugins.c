/*
 * cmd_plugins.c -- `tldb plugins [list]`, `tldb plugins info NAME` and
 * `tldb plugins check FILE.so [--corpus DIR]` (the checker, checker/).
 */
#include <string.h>

#include "checker.h"
#include "cli.h"

static const char plugins_usage[] =
        "usage: tldb plugins [list]\n"
        "       tldb plugins info NAME\n"
        "       tldb plugins check FILE.so [--corpus DIR]\n"
        "\n"
        "Lists the plugins found on the search path (--plugin-dir, the build\n"
        "tree's plugins when run from it, $TLDB_PLUGIN_PATH, the install\n"
        "folder), or describes one.  check runs the conformance checks on a\n"
        "plugin file (loading, exported symbols, linked libraries, importer\n"
        "robustness, exporter, round trip); it exits 0 only when all pass.\n"
        "With --corpus DIR, check instead imports every file of DIR with the\n"
        "plugin's importer, each in a process of its own, and reports per\n"
        "file: events imported, refused with an error, crashed or hung; it\n"
        "exits 0 when none crashed or hung.\n";

static void print_list(const char *const *list, const char *prefix)
{
	for (size_t i = 0; list && list[i]; i++)
		printf("%s%s%s", i ? "," : "", prefix, list[i]);
}

static const char *kinds(const tldb_plugin_info *info)
{
	return info->importer && info->exporter ? "import,export"
	       : info->importer                 ? "import"
	                                        : "export";
}

static int list(tldb_plugins *p)
{
	size_t n = tldb_plugins_count(p);
	for (size_t i = 0; i < n; i++) {
		const char *path;
		const tldb_plugin_info *info = tldb_plugins_at(p, i, &path);
		printf("%-12s %-14s %-8s ", info->name, kinds(info),
		       info->version);
		const tldb_plugin_format *f =
		        info->importer ? info->importer : info->exporter;
		print_list(f->extensions, ".");
		if (info->importer && info->exporter &&
		    info->exporter->extensions != info->importer->extensions) {
			printf(" -> ");
			print_list(info->exporter->extensions, ".");
		}
		printf("  %s\n", path);
	}
	if (!n)
		fprintf(stderr,
		        "tldb: no plugins found (search path: "
		        "--plugin-dir, $TLDB_PLUGIN_PATH, %s)\n",
		        tldb_plugins_install_dir());
	return EXIT_OK;
}

static const char *type_name(uint32_t type)
{
	switch (type) {
	case TLDB_OPTION_BOOL:
		return "bool";
	case TLDB_OPTION_INT:
		return "int";
	case TLDB_OPTION_DATE:
		return "date";
	default:
		return "string";
	}
}

static void print_format(const char *what, const tldb_plugin_format *f)
{
	printf("\n%s: %s\n", what, f->description);
	printf("  extensions: ");
	print_list(f->extensions, ".");
	printf("\n  MIME types: ");
	print_list(f->mime_types, "");
	printf("\n  threads:    %s\n", f->flags & TLDB_FORMAT_THREADSAFE
	                                       ? "instances may run at once"
	                                       : "one instance at a time");
	if (!f->options || !f->options[0]) {
		printf("  options:    none\n");
		return;
	}
	printf("  options:\n");
	for (size_t i = 0; f->options[i]; i++) {
		const tldb_plugin_option *o = f->options[i];
		printf("    -o %s=%s", o->key, type_name(o->type));
		if (o->default_value)
			printf(" (default %s)", o->default_value);
		printf("\n        %s\n", o->help ? o->help : "");
	}
}

static int info(tldb_plugins *p, const char *name)
{
	const tldb_plugin_info *info = tldb_plugins_find(p, name);
	if (!info) {
		cli_error("no plugin named '%s' (see: tldb plugins)", name);
		return EXIT_FAIL;
	}
	const char *path = NULL;
	for (size_t i = 0; i < tldb_plugins_count(p); i++)
		if (tldb_plugins_at(p, i, &path) == info)
			break;
	printf("%s %s (plugin ABI %u.%u)\n%s\nfile: %s\n", info->name,
	       info->version, info->abi_major, info->abi_minor,
	       info->description, path);
	if (info->importer)
		print_format("importer", info->importer);
	if (info->exporter)
		print_format("exporter", info->exporter);
	return EXIT_OK;
}

int cmd_plugins(const cli_ctx *ctx, int argc, char **argv)
{
	enum { OPT_HELP, OPT_CORPUS, OPT_END };
	static const cli_opt opts[] = {[OPT_HELP] = {"help", 'h', 0},
	                               [OPT_CORPUS] = {"corpus", 0, 1},
	                               [OPT_END] = {NULL, 0, 0}};
	cli_args a;
	cli_args_init(&a, "plugins", argc, argv);
	const char *v, *words[3] = {0}, *corpus = NULL;
	size_t n = 0;
	int k;
	while ((k = cli_next(&a, opts, &v)) != CLI_END) {
		if (k == CLI_ERROR)
			return EXIT_USAGE;
		if (k == OPT_HELP) {
			fputs(plugins_usage, stdout);
			return EXIT_OK;
		}
		if (k == OPT_CORPUS) {
			corpus = v;
			continue;
		}
		if (n == 2)
			return cli_usage_error("plugins", "too many arguments");
		words[n++] = v;
	}
	const char *sub = n ? words[0] : "list";
	int want = strcmp(sub, "list") == 0    ? 1
	           : strcmp(sub, "info") == 0  ? 2
	           : strcmp(sub, "check") == 0 ? 3
	                                       : 0;
	if (!want)
		return cli_usage_error("plugins", "unknown subcommand '%s'",
		                       sub);
	if ((want == 1) != (n <= 1))
		return cli_usage_error("plugins", "'%s' takes %s", sub,
		                       want == 1   ? "no argument"
		                       : want == 2 ? "NAME"
		                                   : "FILE.so");
	if (corpus && want != 3)
		return cli_usage_error("plugins", "--corpus is for 'check'");
	if (want == 3)
		return checker_run(words[1], corpus) ? EXIT_FAIL : EXIT_OK;
	tldb_plugins *p = cli_plugins(ctx);
	if (!p)
		return EXIT_FAIL;
	return want == 1 ? list(p) : info(p, words[1]);
}
