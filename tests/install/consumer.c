/*
 * consumer.c -- a program built only against the installed tldb (headers,
 * library and tldb.pc), as a third party would.  tests/install/check.sh
 * installs tldb into a temporary prefix, builds this with pkg-config and runs
 * it: it parses a date and opens (making its folder), writes and queries a
 * database.
 */
#include <stdio.h>
#include <tldb/tldb.h>

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	tldb_date d;
	tldb_errbuf err;
	if (tldb_date_parse("2022-02", NULL, &d, &err) || d.lo != 1643673600) {
		fprintf(stderr, "date: %s\n", err.msg);
		return 1;
	}
	tldb *db;
	if (tldb_open(argv[1], TLDB_OPEN_CREATE | TLDB_OPEN_MKDIR, &db)) {
		fprintf(stderr, "open: %s\n", tldb_errmsg(db));
		tldb_close(db);
		return 1;
	}
	tldb_event ev = {0};
	ev.title = "Xi and Putin meet at the Beijing Winter Olympics";
	ev.start = "2022-02";
	tldb_query q;
	tldb_query_init(&q);
	q.lo = d.lo + 9 * 86400;
	q.hi = d.lo + 12 * 86400;
	tldb_cursor *c;
	const tldb_event *got;
	int found = 0;
	if (tldb_put(db, &ev, NULL, NULL) || tldb_query_open(db, &q, &c)) {
		fprintf(stderr, "store: %s\n", tldb_errmsg(db));
		tldb_close(db);
		return 1;
	}
	while (tldb_cursor_next(c, &got) == TLDB_OK)
		found++;
	tldb_cursor_free(c);
	tldb_close(db);
	printf("%d\n", found);
	return found == 1 ? 0 : 1;
}
