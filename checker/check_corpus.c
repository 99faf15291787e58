/*
 * check_corpus.c -- `tldb plugins check FILE.so --corpus DIR`: every
 * file of a folder of inputs (a fuzzer's corpus, a collection of real
 * files) through a plugin's importer, each in a child process of its own
 * (check_run_child), so a crash or a hang is reported with the file's name
 * instead of ending the check.
 *
 * Each input is imported from its path in abort mode into a fresh database
 * in a folder of its own under the checker's temporary folder, removed as
 * soon as the child is done.  The outcomes: events imported, an error
 * reported cleanly (both fine: an importer may refuse an input), a crash
 * (a signal, or an exit without a verdict, as when a sanitizer stops the
 * process) and a hang (no verdict after CHILD_SECONDS); the last two are
 * failed checks.
 */
#define _XOPEN_SOURCE 700

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check_internal.h"

typedef struct corpus_job {
	const char *file;   /* the input's path */
	const char *name;   /* its name in messages */
	const char *folder; /* where its database goes */
} corpus_job;

/* In the child: 0 imported, 1 refused, the message in msg. */
static int child_corpus(check *c, const void *arg, char *msg, size_t size)
{
	const corpus_job *j = arg;
	char path[4400];
	snprintf(path, sizeof path, "%s/db", j->folder);
	tldb *db = NULL;
	if (tldb_open(path, TLDB_OPEN_CREATE, &db)) {
		snprintf(msg, size, "cannot make a database: %s",
		         db ? tldb_errmsg(db) : "out of memory");
		tldb_close(db);
		return 1;
	}
	tldb_import_opts o = {0};
	o.plugin = c->info->name;
	o.path = j->file;
	o.name = j->name;
	o.on_error = TLDB_ON_ERROR_ABORT;
	tldb_import_stats st;
	tldb_msgbuf err;
	int rc = tldb_import(db, c->reg, &o, &st, &err);
	tldb_close(db);
	if (rc && err.line > 0)
		snprintf(msg, size, "refused: %lld:%lld: %s",
		         (long long)err.line, (long long)err.column, err.msg);
	else if (rc)
		snprintf(msg, size, "refused: %s", err.msg);
	else
		snprintf(msg, size, "%lld event%s imported",
		         (long long)st.records, st.records == 1 ? "" : "s");
	return rc != 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the regular files in dir, sorted, into *out (the caller's:
 * free each and the array); -1 with errno set when dir cannot be read. */
static int list_files(const char *dir, char ***out, size_t *count)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		char path[4400];
		struct stat sb;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (de->d_name[0] == '.' || stat(path, &sb) ||
		    !S_ISREG(sb.st_mode))
			continue;
		if (n == cap) {
			size_t grown_cap = cap ? cap * 2 : 64;
			char **grown =
			        realloc(names, grown_cap * sizeof *names);
			if (!grown) {
				rc = -1;
				break;
			}
			names = grown;
			cap = grown_cap;
		}
		if (!(names[n] = strdup(de->d_name))) {
			rc = -1;
			break;
		}
		n++;
	}
	closedir(d);
	if (rc) {
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		errno = ENOMEM;
		return -1;
	}
	if (n)
		qsort(names, n, sizeof *names, by_name);
	*out = names;
	*count = n;
	return 0;
}

/* Runs one input; returns how it ended, the verdict in *refused. */
static check_end run_one(check *c, const char *dir, const char *name,
                         int *refused)
{
	char file[4400], folder[4200], msg[MSG_SIZE], what[4600];
	snprintf(file, sizeof file, "%s/%s", dir, name);
	snprintf(folder, sizeof folder, "%s/corpus-XXXXXX", c->dir);
	snprintf(what, sizeof what, "input %s", name);
	if (!mkdtemp(folder)) {
		check_fail(c, what, "mkdtemp: %s", strerror(errno));
		return CHECK_NO_RESULT;
	}
	corpus_job j = {file, name, folder};
	check_end how;
	int rc = check_run_child(c, child_corpus, &j, &how, msg, sizeof msg);
	check_remove_tree(folder);
	*refused = rc;
	if (how != CHECK_ENDED) {
		check_fail(c, what, "%s", msg);
		return how;
	}
	check_appendf(what, sizeof what, ": %s", msg);
	check_pass(c, what);
	return how;
}

void check_corpus(check *c, const char *dir)
{
	if (!c->info) {
		check_skip("corpus", "the plugin did not load");
		return;
	}
	if (!c->info->importer) {
		check_fail(c, "corpus", "the plugin has no importer");
		return;
	}
	char **names;
	size_t n;
	if (list_files(dir, &names, &n)) {
		check_fail(c, "corpus", "%s: %s", dir, strerror(errno));
		return;
	}
	if (n == 0)
		check_fail(c, "corpus", "%s holds no files", dir);
	int imported = 0, refused = 0, crashed = 0, hung = 0;
	for (size_t i = 0; i < n; i++) {
		int was_refused;
		check_end how = run_one(c, dir, names[i], &was_refused);
		if (how == CHECK_HUNG)
			hung++;
		else if (how != CHECK_ENDED)
			crashed++;
		else if (was_refused)
			refused++;
		else
			imported++;
		free(names[i]);
	}
	free(names);
	printf("corpus: %zu files: %d imported, %d refused with an error, "
	       "%d crashed, %d hung\n",
	       n, imported, refused, crashed, hung);
}
