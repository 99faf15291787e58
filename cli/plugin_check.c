/*
 * plugin_check.c -- `tldb plugins check FILE.so`: a conformance checker for
 * plugin authors.
 *
 * Every step that runs plugin code runs in a child process (fork) with an
 * alarm, so a crash or a hang is reported as a failed check naming the
 * signal instead of taking the checker down.  The child sends its verdict
 * through a pipe: one byte ('0' pass, '1' fail) and a message.  The checks:
 *   - the file loads into a fresh registry (the host's own validation);
 *   - its exported dynamic symbols are the entry point alone (libelf);
 *   - it needs neither libsqlite3 nor libtldb (DT_NEEDED);
 *   - the exporter writes an empty result and 10,000 generated events;
 *   - the importer survives empty, truncated and random inputs: it must
 *     succeed or fail with a position, never crash, hang or fail blind;
 *   - events survive a round trip through exporter and importer.
 * Each check prints "ok    WHAT" or "FAIL  WHAT: REASON"; a check that
 * does not apply prints "skip  WHAT: REASON" and is not counted.
 */
#define _XOPEN_SOURCE 700 /* nftw, realpath */

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <gelf.h>
#include <libelf.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define MSG_SIZE      2048
#define CHILD_SECONDS 20 /* alarm() in every child */
#define PARENT_GRACE  10 /* then the parent kills it */
#define NEVENTS       10000
#define SAMPLE_EVENTS 500 /* the round trip's and the sample's share */
#define NCUTS         10
#define NRANDOM       5
#define MAX_LISTED    12 /* extra symbols named in a failure */

typedef struct check {
	const char *path; /* the file, resolved */
	char dir[4096];   /* our temporary folder */
	char src_db[4200];
	char sample[4200];
	tldb_plugins *reg;
	const tldb_plugin_info *info;
	int passed, failed;
	int have_db, have_sample;
} check;

/* Runs in a child: 0 pass, 1 fail with a reason in msg. */
typedef int (*child_fn)(check *c, const void *arg, char *msg, size_t size);

/* ---- reporting ---- */

static void pass(check *c, const char *what)
{
	printf("ok    %s\n", what);
	c->passed++;
}

static void fail(check *c, const char *what, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void fail(check *c, const char *what, const char *fmt, ...)
{
	va_list ap;
	printf("FAIL  %s: ", what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	c->failed++;
}

static void verdict(check *c, const char *what, int rc, const char *msg)
{
	if (rc)
		fail(c, what, "%s", msg);
	else
		pass(c, what);
}

static void skip(const char *what, const char *why)
{
	printf("skip  %s: %s\n", what, why);
}

/* Appends to msg (for lists); truncation is harmless. */
static void appendf(char *msg, size_t size, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void appendf(char *msg, size_t size, const char *fmt, ...)
{
	size_t n = strlen(msg);
	if (n + 1 >= size)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg + n, size - n, fmt, ap);
	va_end(ap);
}

/* ---- children ---- */

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void child_main(check *c, child_fn fn, const void *arg, int fd)
{
	char msg[MSG_SIZE] = "";
	alarm(CHILD_SECONDS);
	int rc = fn(c, arg, msg, sizeof msg);
	char head = rc ? '1' : '0';
	write_all(fd, &head, 1);
	write_all(fd, msg, strlen(msg));
	_exit(0);
}

/* Reads the child's verdict until EOF or the deadline; 1 on timeout. */
static int read_verdict(int fd, char *buf, size_t size, size_t *len)
{
	time_t deadline = time(NULL) + CHILD_SECONDS + PARENT_GRACE;
	*len = 0;
	for (;;) {
		time_t left = deadline - time(NULL);
		if (left <= 0)
			return 1;
		struct pollfd p = {fd, POLLIN, 0};
		int r = poll(&p, 1, (int)left * 1000);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r == 0;
		ssize_t n = read(fd, buf + *len, size - 1 - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || (*len += (size_t)n) == size - 1)
			return 0;
	}
}

/* Turns the child's end into a verdict: 0 pass, 1 fail (reason in msg). */
static int child_result(int status, const char *buf, size_t len, char *msg,
                        size_t size)
{
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		if (sig == SIGALRM)
			snprintf(msg, size, "hung (no result after %d s)",
			         CHILD_SECONDS);
		else
			snprintf(msg, size, "crashed with signal %d (%s)", sig,
			         strsignal(sig));
		return 1;
	}
	if (len == 0) {
		snprintf(msg, size,
		         "the process exited (status %d) without a "
		         "result: the plugin called exit(), or a "
		         "sanitizer stopped it (see stderr)",
		         WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return 1;
	}
	snprintf(msg, size, "%.*s", (int)(len - 1), buf + 1);
	return buf[0] != '0';
}

/* Forks a child running fn(c, arg); its verdict comes through *rfd.
 * Returns the child's pid, or -1 with the reason in msg. */
static pid_t start_child(check *c, child_fn fn, const void *arg, int *rfd,
                         char *msg, size_t size)
{
	int fds[2];
	if (pipe(fds)) {
		snprintf(msg, size, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		child_main(c, fn, arg, fds[1]);
	}
	if (pid < 0) {
		snprintf(msg, size, "fork: %s", strerror(errno));
		close(fds[0]);
	}
	close(fds[1]);
	*rfd = fds[0];
	return pid;
}

/* Runs fn(c, arg) in a child; 0 pass, 1 fail with the reason in msg. */
static int run_child(check *c, child_fn fn, const void *arg, char *msg,
                     size_t size)
{
	int fd;
	pid_t pid = start_child(c, fn, arg, &fd, msg, size);
	if (pid < 0)
		return 1;
	char buf[MSG_SIZE + 1];
	size_t len;
	int timed_out = read_verdict(fd, buf, sizeof buf, &len);
	close(fd);
	if (timed_out)
		kill(pid, SIGKILL);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!timed_out)
		return child_result(status, buf, len, msg, size);
	snprintf(msg, size, "hung (killed after %d s)",
	         CHILD_SECONDS + PARENT_GRACE);
	return 1;
}

/* ---- 1. loading ---- */

static int child_load(check *c, const void *arg, char *msg, size_t size)
{
	(void)arg;
	tldb_plugins *p;
	tldb_msgbuf err;
	if (tldb_plugins_new(&p)) {
		snprintf(msg, size, "out of memory");
		return 1;
	}
	if (tldb_plugins_load(p, c->path, &err)) {
		snprintf(msg, size, "%s", err.msg);
		return 1;
	}
	return 0;
}

static const char *kinds(const tldb_plugin_info *info)
{
	return info->importer && info->exporter ? "import,export"
	       : info->importer                 ? "import"
	                                        : "export";
}

/* Loads in a child first, then (when that went well) here. */
static void check_load(check *c)
{
	char msg[MSG_SIZE];
	tldb_msgbuf err;
	if (run_child(c, child_load, NULL, msg, sizeof msg)) {
		fail(c, "loads", "%s", msg);
		return;
	}
	if (tldb_plugins_load(c->reg, c->path, &err)) {
		fail(c, "loads", "%s", err.msg);
		return;
	}
	c->info = tldb_plugins_at(c->reg, 0, NULL);
	snprintf(msg, sizeof msg, "loads: %s %s (plugin ABI %u.%u), %s",
	         c->info->name, c->info->version, c->info->abi_major,
	         c->info->abi_minor, kinds(c->info));
	pass(c, msg);
}

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
		fail(c, what, "no .dynsym section");
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
			appendf(extras, sizeof extras, "%s%s",
			        *extras ? ", " : "", name ? name : "?");
	}
	if (nextra > MAX_LISTED)
		appendf(extras, sizeof extras, " and %zu more",
		        nextra - MAX_LISTED);
	if (!entry)
		fail(c, what, "%s is not defined (exports: %s)",
		     TLDB_PLUGIN_ENTRY_NAME, *extras ? extras : "nothing");
	else if (*extras)
		fail(c, what,
		     "also exports %s (build with -fvisibility=hidden)",
		     extras);
	else
		pass(c, what);
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
		fail(c, what, "no .dynamic section: not a shared object");
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
		appendf(all, sizeof all, "%s%s", *all ? ", " : "", lib);
		if (forbidden(lib))
			appendf(bad, sizeof bad, "%s%s", *bad ? ", " : "", lib);
	}
	if (*bad) {
		fail(c, what, "needs %s", bad);
		return;
	}
	char line[MSG_SIZE + 64];
	snprintf(line, sizeof line, "%s (needs: %s)", what,
	         *all ? all : "none");
	pass(c, line);
}

static void check_elf(check *c)
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
		fail(c, "exports only " TLDB_PLUGIN_ENTRY_NAME, "%s", why);
		fail(c, "links neither libsqlite3 nor libtldb", "%s", why);
	} else {
		check_symbols(c, e);
		check_needed(c, e);
	}
	if (e)
		elf_end(e);
	if (fd >= 0)
		close(fd);
}

/* ---- generated events ---- */

typedef struct gen_event {
	char title[64], start[48], end[48], location[64], url[64], body[64];
	char surl[64], stitle[32], quote[64];
	const char *tags[4];
	tldb_source src;
} gen_event;

/* A date of precision i % 5 (year .. second), in year y. */
static void gen_date(int i, int y, char *buf, size_t size)
{
	int m = 1 + i % 12, d = 1 + i % 28, h = i % 24, mi = (i * 7) % 60;
	switch (i % 5) {
	case 0:
		snprintf(buf, size, "%04d", y);
		break;
	case 1:
		snprintf(buf, size, "%04d-%02d", y, m);
		break;
	case 2:
		snprintf(buf, size, "%04d-%02d-%02d", y, m, d);
		break;
	case 3:
		snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d%s", y, m, d, h,
		         mi, i % 10 == 3 ? "" : "Z"); /* some floating */
		break;
	default:
		snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d,
		         h, mi, i % 60);
	}
}

static void gen_source(int i, gen_event *g, tldb_event *ev)
{
	snprintf(g->surl, sizeof g->surl, "https://example.org/src/%d", i);
	snprintf(g->stitle, sizeof g->stitle, "Source %d", i);
	snprintf(g->quote, sizeof g->quote, "She said \"yes\" on day %d", i);
	g->src = (tldb_source){.url = g->surl,
	                       .title = g->stitle,
	                       .quote = g->quote,
	                       .span = {7, 42},
	                       .expr_span = {-1, -1}};
	ev->sources = &g->src;
	ev->nsources = 1;
}

static void gen_tags(int i, gen_event *g, tldb_event *ev)
{
	static const char *const words[] = {"alpha", "beta", "gamma", "delta"};
	g->tags[0] = words[i % 4];
	g->tags[1] = words[(i / 4) % 4];
	ev->tags = g->tags;
	ev->ntags = g->tags[0] == g->tags[1] ? 1 : 2;
}

/* Event i of the deterministic set: mixed precisions, some with an end, a
 * zone, tags, a location, a URL, a body and a source. */
static void gen(int i, gen_event *g, tldb_event *ev)
{
	memset(ev, 0, sizeof *ev);
	int y = 1600 + (i * 7) % 420;
	snprintf(g->title, sizeof g->title,
	         i % 11 ? "Event %05d" : "Event %05d, \"quoted\" & caf\xc3\xa9",
	         i);
	gen_date(i, y, g->start, sizeof g->start);
	ev->title = g->title;
	ev->start = g->start;
	if (i % 3 == 0) {
		gen_date(i, y + 1, g->end, sizeof g->end);
		ev->end = g->end;
	}
	if (i % 10 == 3 || i % 7 == 0)
		ev->tz = i % 2 ? "Europe/Berlin" : "America/New_York";
	if (i % 4 == 0)
		gen_tags(i, g, ev);
	if (i % 6 == 0) {
		snprintf(g->location, sizeof g->location,
		         "Place %d, K\xc3\xb6ln", i);
		ev->location = g->location;
	}
	if (i % 8 == 0) {
		snprintf(g->url, sizeof g->url, "https://example.org/e/%d", i);
		ev->url = g->url;
	}
	if (i % 9 == 0) {
		snprintf(g->body, sizeof g->body, "Body of %d\nsecond line", i);
		ev->body = g->body;
	}
	if (i % 10 == 0)
		gen_source(i, g, ev);
}

static int put_all(tldb *db, char *msg, size_t size)
{
	if (tldb_begin(db))
		goto fail;
	for (int i = 0; i < NEVENTS; i++) {
		gen_event g;
		tldb_event ev;
		gen(i, &g, &ev);
		if (tldb_put(db, &ev, NULL, NULL)) {
			tldb_rollback(db);
			goto fail;
		}
	}
	if (!tldb_commit(db))
		return 0;
fail:
	snprintf(msg, size, "%s", tldb_errmsg(db));
	return 1;
}

/* Fills the source database (no plugin code runs: done here). */
static int make_db(check *c, char *msg, size_t size)
{
	tldb *db = NULL;
	snprintf(c->src_db, sizeof c->src_db, "%s/events.db", c->dir);
	int rc = tldb_open(c->src_db, TLDB_OPEN_CREATE, &db);
	if (rc)
		snprintf(msg, size, "%s", tldb_errmsg(db));
	else
		rc = put_all(db, msg, size);
	tldb_close(db);
	c->have_db = !rc;
	return rc;
}

/* ---- 5. exporter ---- */

typedef struct export_job {
	tldb_query q;
	const char *out_path; /* NULL: count the bytes only */
	int64_t events;       /* how many the query selects */
} export_job;

static int write_file(void *ud, const void *buf, size_t len)
{
	return fwrite(buf, 1, len, ud) == len ? 0 : -1;
}

static int write_nothing(void *ud, const void *buf, size_t len)
{
	(void)ud;
	(void)buf;
	(void)len;
	return 0;
}

static int export_to(check *c, tldb *db, const export_job *j, FILE *out,
                     char *msg, size_t size)
{
	tldb_export_opts o = {0};
	tldb_export_stats st = {0};
	tldb_msgbuf err;
	o.format = c->info->name;
	o.query = &j->q;
	o.write = out ? write_file : write_nothing;
	o.ud = out;
	if (tldb_export(db, c->reg, &o, &st, &err)) {
		snprintf(msg, size, "export failed: %s", err.msg);
		return 1;
	}
	if (st.events != j->events) {
		snprintf(msg, size, "exported %lld of %lld events",
		         (long long)st.events, (long long)j->events);
		return 1;
	}
	if (j->events > 0 && st.bytes <= 0) {
		snprintf(msg, size, "wrote no output for %lld events",
		         (long long)j->events);
		return 1;
	}
	return 0;
}

static int child_export(check *c, const void *arg, char *msg, size_t size)
{
	const export_job *j = arg;
	tldb *db = NULL;
	FILE *out = NULL;
	int rc = 1;
	if (tldb_open(c->src_db, TLDB_OPEN_READONLY, &db))
		snprintf(msg, size, "%s", tldb_errmsg(db));
	else if (j->out_path && !(out = fopen(j->out_path, "wb")))
		snprintf(msg, size, "%s: %s", j->out_path, strerror(errno));
	else
		rc = export_to(c, db, j, out, msg, size);
	if (out && fclose(out) && !rc) {
		snprintf(msg, size, "%s: %s", j->out_path, strerror(errno));
		rc = 1;
	}
	tldb_close(db);
	return rc;
}

static void check_exporter(check *c)
{
	char msg[MSG_SIZE];
	if (make_db(c, msg, sizeof msg)) {
		fail(c, "exporter: generating events", "%s", msg);
		return;
	}
	export_job j;
	tldb_query_init(&j.q);
	j.q.lo = tldb_days_from_civil(1000, 1, 1) * 86400;
	j.q.hi = tldb_days_from_civil(1002, 1, 1) * 86400;
	j.out_path = NULL;
	j.events = 0;
	int rc = run_child(c, child_export, &j, msg, sizeof msg);
	verdict(c, "exporter: empty result (years 1000..1001)", rc, msg);
	tldb_query_init(&j.q);
	j.events = NEVENTS;
	rc = run_child(c, child_export, &j, msg, sizeof msg);
	verdict(c, "exporter: 10000 generated events", rc, msg);
	/* The sample for truncation and the round trip. */
	j.q.limit = j.events = SAMPLE_EVENTS;
	snprintf(c->sample, sizeof c->sample, "%s/sample.out", c->dir);
	j.out_path = c->sample;
	c->have_sample = !run_child(c, child_export, &j, msg, sizeof msg);
	if (!c->have_sample)
		fail(c, "exporter: 500 events to a file", "%s", msg);
}

/* ---- 4. importer ---- */

typedef struct input {
	const uint8_t *data;
	size_t len;
} input;

/* Makes a fresh folder with the input and a database; *db on success. */
static int fresh_db(check *c, const input *in, char *folder, size_t fsize,
                    tldb **db, char *msg, size_t size)
{
	char path[4300];
	snprintf(folder, fsize, "%s/import-XXXXXX", c->dir);
	if (!mkdtemp(folder)) {
		snprintf(msg, size, "mkdtemp: %s", strerror(errno));
		return 1;
	}
	snprintf(path, sizeof path, "%s/input", folder);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(in->data, 1, in->len, f) != in->len || fclose(f)) {
		snprintf(msg, size, "%s: cannot write", path);
		return 1;
	}
	snprintf(path, sizeof path, "%s/db", folder);
	if (tldb_open(path, TLDB_OPEN_CREATE, db)) {
		snprintf(msg, size, "%s", tldb_errmsg(*db));
		tldb_close(*db);
		return 1;
	}
	return 0;
}

static int import_file(check *c, tldb *db, const char *folder, tldb_msgbuf *err)
{
	char path[4300];
	snprintf(path, sizeof path, "%s/input", folder);
	tldb_import_opts o = {0};
	o.plugin = c->info->name;
	o.path = path;
	o.name = "input";
	o.on_error = TLDB_ON_ERROR_ABORT;
	return tldb_import(db, c->reg, &o, NULL, err);
}

/* Imports one input: a pass when it ends well or fails with a position. */
static int child_import(check *c, const void *arg, char *msg, size_t size)
{
	char folder[4200];
	tldb *db = NULL;
	tldb_msgbuf err;
	if (fresh_db(c, arg, folder, sizeof folder, &db, msg, size))
		return 1;
	int rc = import_file(c, db, folder, &err);
	tldb_close(db);
	if (rc == TLDB_OK || err.line > 0)
		return 0;
	snprintf(msg, size, "an error without a position (line 0): %s",
	         err.msg);
	return 1;
}

/* Runs every input in a child; one line for the kind. */
static void check_inputs(check *c, const char *what, const input *ins, size_t n)
{
	char msg[MSG_SIZE];
	for (size_t i = 0; i < n; i++) {
		if (run_child(c, child_import, &ins[i], msg, sizeof msg)) {
			fail(c, what, "input %zu of %zu (%zu bytes): %s", i + 1,
			     n, ins[i].len, msg);
			return;
		}
	}
	pass(c, what);
}

static uint8_t *read_sample(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0;
	*len = 0;
	while (f) {
		if (*len == cap) {
			uint8_t *b = realloc(buf, cap ? cap * 2 : 65536);
			if (!b)
				break;
			buf = b;
			cap = cap ? cap * 2 : 65536;
		}
		size_t n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
		if (n == 0)
			break;
	}
	if (f)
		fclose(f);
	return buf;
}

static void check_truncated(check *c)
{
	static const char what[] = "importer: truncated inputs (10 cuts)";
	if (!c->have_sample) {
		skip(what, "no sample (the plugin has no working exporter)");
		return;
	}
	size_t len;
	uint8_t *data = read_sample(c->sample, &len);
	if (!data || len == 0) {
		fail(c, what, "cannot read the exporter's sample");
		free(data);
		return;
	}
	input ins[NCUTS];
	for (size_t k = 0; k < NCUTS; k++)
		ins[k] = (input){data, len * (k + 1) / (NCUTS + 1)};
	check_inputs(c, what, ins, NCUTS);
	free(data);
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Random inputs of 1..64 KiB: bytes, or printable ASCII lines. */
static uint8_t *random_input(uint64_t *seed, int text, size_t *len)
{
	*len = 1 + (size_t)(rng_next(seed) % 65536);
	uint8_t *buf = malloc(*len);
	for (size_t i = 0; buf && i < *len; i++) {
		uint64_t r = rng_next(seed);
		if (!text)
			buf[i] = (uint8_t)r;
		else
			buf[i] = r % 40 == 0 ? '\n' : (uint8_t)(32 + r % 95);
	}
	return buf;
}

static void check_random(check *c)
{
	uint64_t seed = 0x7d1b5eedULL;
	input ins[NRANDOM + 1];
	uint8_t *bufs[NRANDOM + 1];
	size_t n = 0;
	for (; n < NRANDOM + 1; n++) {
		bufs[n] = random_input(&seed, n == NRANDOM, &ins[n].len);
		ins[n].data = bufs[n];
		if (!bufs[n])
			break;
	}
	if (n < NRANDOM + 1)
		fail(c, "importer: random inputs", "out of memory");
	else {
		check_inputs(c, "importer: random bytes (5 inputs)", ins,
		             NRANDOM);
		check_inputs(c, "importer: random printable text",
		             ins + NRANDOM, 1);
	}
	for (size_t i = 0; i < n; i++)
		free(bufs[i]);
}

static void check_importer(check *c)
{
	input empty = {(const uint8_t *)"", 0};
	check_inputs(c, "importer: empty input", &empty, 1);
	check_truncated(c);
	check_random(c);
}

/* ---- 6. round trip ---- */

static int same(const char *a, const char *b)
{
	return (!a || !*a) ? (!b || !*b) : (b && strcmp(a, b) == 0);
}

static int same_tags(const tldb_event *a, const tldb_event *b)
{
	if (a->ntags != b->ntags)
		return 0;
	for (size_t i = 0; i < a->ntags; i++)
		if (strcmp(a->tags[i], b->tags[i]) != 0)
			return 0;
	return 1;
}

static const char *str_or_null(const char *s)
{
	return s ? s : "(none)";
}

/* Notes the first field that differs ("UID: FIELD 'A' != 'B'"); 1 if any. */
static int differs(const tldb_event *a, const tldb_event *b, char *msg,
                   size_t size)
{
	const char *const names[] = {"title", "start",    "end",
	                             "tz",    "location", "url"};
	const char *const va[] = {a->title, a->start,    a->end,
	                          a->tz,    a->location, a->url};
	const char *const vb[] = {b->title, b->start,    b->end,
	                          b->tz,    b->location, b->url};
	const char *sep = *msg ? "; " : "";
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		if (same(va[i], vb[i]))
			continue;
		appendf(msg, size, "%s%s: %s '%s' became '%s'", sep, a->uid,
		        names[i], str_or_null(va[i]), str_or_null(vb[i]));
		return 1;
	}
	if (same_tags(a, b))
		return 0;
	appendf(msg, size, "%s%s: tags differ (%zu became %zu)", sep, a->uid,
	        a->ntags, b->ntags);
	return 1;
}

/* Compares one event; returns 1 (and notes it) when it differs. */
static int compare_one(tldb *src, tldb *dst, const char *uid, char *msg,
                       size_t size)
{
	tldb_event *a = NULL, *b = NULL;
	int rc = 1;
	if (tldb_get(src, uid, &a))
		appendf(msg, size, "%s%s: missing from the source",
		        *msg ? "; " : "", uid);
	else if (tldb_get(dst, uid, &b))
		appendf(msg, size, "%s%s: missing after import (title '%s')",
		        *msg ? "; " : "", uid, str_or_null(a->title));
	else
		rc = differs(a, b, msg, size);
	tldb_event_free(a);
	tldb_event_free(b);
	return rc;
}

static int compare_dbs(tldb *src, tldb *dst, char *msg, size_t size)
{
	tldb_query q;
	tldb_query_init(&q);
	q.limit = SAMPLE_EVENTS;
	tldb_cursor *cur;
	if (tldb_query_open(src, &q, &cur)) {
		snprintf(msg, size, "%s", tldb_errmsg(src));
		return 1;
	}
	const tldb_event *ev;
	int ndiff = 0;
	while (tldb_cursor_next(cur, &ev) == TLDB_OK)
		if (compare_one(src, dst, ev->uid, msg, size) && ++ndiff == 3)
			break;
	tldb_cursor_free(cur);
	tldb_stats st;
	if (!ndiff && !tldb_stats_get(dst, &st) && st.events != SAMPLE_EVENTS)
		snprintf(msg, size, "%lld events after import, expected %d",
		         (long long)st.events, SAMPLE_EVENTS);
	return ndiff || *msg;
}

static int child_round_trip(check *c, const void *arg, char *msg, size_t size)
{
	(void)arg;
	size_t len;
	uint8_t *data = read_sample(c->sample, &len);
	input in = {data, len};
	char folder[4200];
	tldb *dst = NULL, *src = NULL;
	tldb_msgbuf err;
	if (!data || fresh_db(c, &in, folder, sizeof folder, &dst, msg, size))
		return 1;
	int rc = 1;
	if (import_file(c, dst, folder, &err))
		snprintf(msg, size, "import of the export failed: %s", err.msg);
	else if (tldb_open(c->src_db, TLDB_OPEN_READONLY, &src))
		snprintf(msg, size, "%s", tldb_errmsg(src));
	else
		rc = compare_dbs(src, dst, msg, size);
	tldb_close(src);
	tldb_close(dst);
	free(data);
	return rc;
}

static void check_round_trip(check *c)
{
	static const char what[] = "round trip: 500 events export -> import";
	char msg[MSG_SIZE];
	if (!c->have_sample) {
		skip(what, "the exporter failed");
		return;
	}
	int rc = run_child(c, child_round_trip, NULL, msg, sizeof msg);
	verdict(c, what, rc, msg);
}

/* ---- the command ---- */

static int remove_one(const char *path, const struct stat *st, int flag,
                      struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static int make_dir(check *c)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(c->dir, sizeof c->dir, "%s/tldb-check-XXXXXX",
	         tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(c->dir))
		return 0;
	cli_error("%s: %s", c->dir, strerror(errno));
	return 1;
}

static void run_plugin_checks(check *c)
{
	if (!c->info) {
		skip("importer and exporter checks", "the plugin did not load");
		return;
	}
	if (c->info->exporter)
		check_exporter(c);
	else
		skip("exporter", "the plugin has none");
	if (c->info->importer)
		check_importer(c);
	else
		skip("importer", "the plugin has none");
	if (c->info->importer && c->info->exporter)
		check_round_trip(c);
}

int cli_plugin_check(const cli_ctx *ctx, const char *path)
{
	(void)ctx;
	check c;
	memset(&c, 0, sizeof c);
	char real[4096];
	c.path = realpath(path, real) ? real : path;
	if (tldb_plugins_new(&c.reg)) {
		cli_error("out of memory");
		return EXIT_FAIL;
	}
	if (make_dir(&c)) {
		tldb_plugins_free(c.reg);
		return EXIT_FAIL;
	}
	printf("checking %s\n", c.path);
	check_load(&c);
	check_elf(&c);
	run_plugin_checks(&c);
	nftw(c.dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	tldb_plugins_free(c.reg);
	printf("%d passed, %d failed\n", c.passed, c.failed);
	return c.failed ? EXIT_FAIL : EXIT_OK;
}
