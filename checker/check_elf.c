/*
 * check_elf.c -- checks 2 and 3 of `tldb plugins check`, read from
 * the file with libelf: the plugin exports its entry point alone, and needs
 * neither libsqlite3 nor libtldb.
 */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <unistd.h>

#include "check_internal.h"

/* ---- 2, 3. the ELF file ---- */

/* The first section of `type`, or NULL. */
static Elf_Scn *find_section(Elf *e, Elf64_Word type, GElf_Shdr *sh)
{
	for (Elf_Scn *s = elf_nextscn(e, NULL); s; s = elf_nextscn(e, s))
		if (gelf_getshdr(s, sh) && sh->sh_type == type)
			return s;
	return NULL;
}

static size_t entries(const GElf_Shdr *sh)
{
	return sh->sh_entsize ? (size_t)(sh->sh_size / sh->sh_entsize) : 0;
}

static int exported(const GElf_Sym *sym)
{
	int bind = GELF_ST_BIND(sym->st_info);
	return sym->st_shndx != SHN_UNDEF &&
	       (bind == STB_GLOBAL || bind == STB_WEAK ||
	        bind == STB_GNU_UNIQUE);
}

/* No exceptions for linker-defined symbols: gcc/ld-built modules with
 * hidden visibility export only what is marked default (json.so shows just
 * the entry point), so _init/_fini/_edata appearing would be a finding. */
static void check_symbols(check *c, Elf *e)
{
	static const char what[] = "exports only " TLDB_PLUGIN_ENTRY_NAME;
	GElf_Shdr sh;
	Elf_Scn *s = find_section(e, SHT_DYNSYM, &sh);
	Elf_Data *d = s ? elf_getdata(s, NULL) : NULL;
	if (!d) {
		check_fail(c, what, "no .dynsym section");
		return;
	}
	char extras[MSG_SIZE] = "";
	int entry = 0;
	size_t nextra = 0;
	for (size_t i = 0; i < entries(&sh); i++) {
		GElf_Sym sym;
		if (!gelf_getsym(d, (int)i, &sym) || !exported(&sym))
			continue;
		const char *name = elf_strptr(e, sh.sh_link, sym.st_name);
		if (name && strcmp(name, TLDB_PLUGIN_ENTRY_NAME) == 0)
			entry = 1;
		else if (++nextra <= MAX_LISTED)
			check_appendf(extras, sizeof extras, "%s%s",
			              *extras ? ", " : "", name ? name : "?");
	}
	if (nextra > MAX_LISTED)
		check_appendf(extras, sizeof extras, " and %zu more",
		              nextra - MAX_LISTED);
	if (!entry)
		check_fail(c, what, "%s is not defined (exports: %s)",
		           TLDB_PLUGIN_ENTRY_NAME,
		           *extras ? extras : "nothing");
	else if (*extras)
		check_fail(c, what,
		           "also exports %s (build with -fvisibility=hidden)",
		           extras);
	else
		check_pass(c, what);
}

static int forbidden(const char *lib)
{
	return strncmp(lib, "libsqlite3.", 11) == 0 ||
	       strncmp(lib, "libtldb.", 8) == 0;
}

static void check_needed(check *c, Elf *e)
{
	static const char what[] = "links neither libsqlite3 nor libtldb";
	GElf_Shdr sh;
	Elf_Scn *s = find_section(e, SHT_DYNAMIC, &sh);
	Elf_Data *d = s ? elf_getdata(s, NULL) : NULL;
	if (!d) {
		check_fail(c, what, "no .dynamic section: not a shared object");
		return;
	}
	char bad[MSG_SIZE] = "", all[MSG_SIZE] = "";
	for (size_t i = 0; i < entries(&sh); i++) {
		GElf_Dyn dyn;
		if (!gelf_getdyn(d, (int)i, &dyn) || dyn.d_tag != DT_NEEDED)
			continue;
		const char *lib = elf_strptr(e, sh.sh_link, dyn.d_un.d_val);
		if (!lib)
			continue;
		check_appendf(all, sizeof all, "%s%s", *all ? ", " : "", lib);
		if (forbidden(lib))
			check_appendf(bad, sizeof bad, "%s%s", *bad ? ", " : "",
			              lib);
	}
	if (*bad) {
		check_fail(c, what, "needs %s", bad);
		return;
	}
	char line[MSG_SIZE + 64];
	snprintf(line, sizeof line, "%s (needs: %s)", what,
	         *all ? all : "none");
	check_pass(c, line);
}

void check_elf(check *c)
{
	int fd = open(c->path, O_RDONLY);
	Elf *e = NULL;
	const char *why = NULL;
	if (fd < 0)
		why = strerror(errno);
	else if (elf_version(EV_CURRENT) == EV_NONE)
		why = "libelf is out of date";
	else if (!(e = elf_begin(fd, ELF_C_READ, NULL)) ||
	         elf_kind(e) != ELF_K_ELF)
		why = "not an ELF file";
	if (why) {
		check_fail(c, "exports only " TLDB_PLUGIN_ENTRY_NAME, "%s",
		           why);
		check_fail(c, "links neither libsqlite3 nor libtldb", "%s",
		           why);
	} else {
		check_symbols(c, e);
		check_needed(c, e);
	}
	if (e)
		elf_end(e);
	if (fd >= 0)
		close(fd);
}
