/*
 * bench_libical.c -- the libical peer of the format benchmark
 * (bench/formats.sh): how fast libical itself reads and writes an .ics file,
 * to compare tldb's ical plugin against.
 *
 *   bench-libical parse FILE
 *       Parse-only: streams FILE through icalparser_get_line and
 *       icalparser_add_line.  The VCALENDAR's own BEGIN/END and properties
 *       are not fed to the parser, so each VEVENT (and VTIMEZONE) comes back
 *       as a component of its own, is counted and freed at once: memory
 *       stays bounded as in tldb's importer.  Everything is timed.
 *
 *   bench-libical serialize FILE OUT
 *       Per-event serialize: the same streaming parse (not timed), and for
 *       each component icalcomponent_as_ical_string_r and fwrite to OUT
 *       (timed, with the final fclose).
 *
 *   bench-libical serialize-calendar FILE OUT
 *       Whole-calendar serialize: icalparser_parse reads all of FILE into one
 *       VCALENDAR (not timed), then icalcomponent_as_ical_string_r of the
 *       calendar and one fwrite to OUT (timed, with fclose).
 *
 * Prints one line for scripts:
 *   RESULT tool=libical op=OP events=N seconds=S cpu=C rate=R maxrss_kb=K
 * where N counts VEVENTs, S is the wall time of the timed part, C the CPU
 * time this process spent in it, and R = N / S.
 */
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>

/* A point in time, or a time spent: wall clock and process CPU time, in
 * seconds. */
typedef struct clocks {
	double wall, cpu;
} clocks;

static double seconds_of(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Both clocks now. */
static clocks now(void)
{
	clocks c = {seconds_of(CLOCK_MONOTONIC),
	            seconds_of(CLOCK_PROCESS_CPUTIME_ID)};
	return c;
}

/* Adds the time from t0 to now to *acc. */
static void add_since(clocks *acc, clocks t0)
{
	clocks t = now();
	acc->wall += t.wall - t0.wall;
	acc->cpu += t.cpu - t0.cpu;
}

/* The line source icalparser_get_line reads physical lines from. */
static char *read_stream(char *s, size_t size, void *d)
{
	return fgets(s, (int)size, (FILE *)d);
}

/* Counts the VEVENTs in c: c itself or its direct children. */
static long count_events(icalcomponent *c)
{
	if (icalcomponent_isa(c) == ICAL_VEVENT_COMPONENT)
		return 1;
	return icalcomponent_count_components(c, ICAL_VEVENT_COMPONENT);
}

/* Called with each component the streaming parse completes; returns 0, or
 * -1 to stop. */
typedef int (*component_fn)(icalcomponent *c, void *arg);

/* Streams FILE one content line at a time; every complete component inside
 * the VCALENDAR goes to fn and is then freed.  Returns the number of VEVENTs,
 * or -1 on failure. */
static long stream(const char *path, component_fn fn, void *arg)
{
	FILE *in = fopen(path, "r");
	if (!in) {
		perror(path);
		return -1;
	}
	icalparser *parser = icalparser_new();
	icalparser_set_gen_data(parser, in);
	long events = 0;
	int depth =
	        0; /* 1 inside the VCALENDAR, 2 inside one of its components */
	int failed = 0;
	for (;;) {
		char *line = icalparser_get_line(parser, read_stream);
		if (!line)
			break;
		int feed;
		if (strncasecmp(line, "BEGIN:", 6) == 0) {
			depth++;
			feed = depth >= 2;
		} else if (strncasecmp(line, "END:", 4) == 0) {
			feed = depth >= 2;
			depth--;
		} else {
			feed = depth >= 2;
		}
		icalcomponent *c =
		        feed ? icalparser_add_line(parser, line) : NULL;
		icalmemory_free_buffer(line);
		if (c) {
			events += count_events(c);
			if (fn && fn(c, arg) != 0)
				failed = 1;
			icalcomponent_free(c);
			if (failed)
				break;
		}
	}
	icalparser_free(parser);
	fclose(in);
	return failed ? -1 : events;
}

/* What the per-event serialize pass keeps. */
typedef struct serializer {
	FILE *out;
	clocks spent; /* in icalcomponent_as_ical_string_r and fwrite */
} serializer;

/* Serializes one component to the output file, timing only that. */
static int serialize_one(icalcomponent *c, void *arg)
{
	serializer *s = arg;
	clocks t0 = now();
	char *text = icalcomponent_as_ical_string_r(c);
	size_t n = strlen(text);
	int rc = fwrite(text, 1, n, s->out) == n ? 0 : -1;
	free(text);
	add_since(&s->spent, t0);
	return rc;
}

/* The peak resident set of this process, in kB. */
static long maxrss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* Prints the RESULT line. */
static void report(const char *op, long events, clocks t)
{
	printf("RESULT tool=libical op=%s events=%ld seconds=%.3f cpu=%.3f "
	       "rate=%.0f maxrss_kb=%ld\n",
	       op, events, t.wall, t.cpu,
	       t.wall > 0 ? (double)events / t.wall : 0.0, maxrss_kb());
}

/* The parse-only pass. */
static int run_parse(const char *path)
{
	clocks t = {0, 0}, t0 = now();
	long events = stream(path, NULL, NULL);
	add_since(&t, t0);
	if (events < 0)
		return 1;
	report("parse", events, t);
	return 0;
}

/* The per-event serialize pass. */
static int run_serialize(const char *path, const char *outpath)
{
	serializer s = {fopen(outpath, "w"), {0, 0}};
	if (!s.out) {
		perror(outpath);
		return 1;
	}
	long events = stream(path, serialize_one, &s);
	clocks t0 = now();
	int rc = fclose(s.out);
	add_since(&s.spent, t0);
	if (events < 0 || rc != 0) {
		fprintf(stderr, "bench-libical: writing %s failed\n", outpath);
		return 1;
	}
	report("serialize", events, s.spent);
	return 0;
}

/* The whole-calendar serialize pass. */
static int run_serialize_calendar(const char *path, const char *outpath)
{
	FILE *in = fopen(path, "r");
	if (!in) {
		perror(path);
		return 1;
	}
	icalparser *parser = icalparser_new();
	icalparser_set_gen_data(parser, in);
	icalcomponent *cal = icalparser_parse(parser, read_stream);
	icalparser_free(parser);
	fclose(in);
	if (!cal) {
		fprintf(stderr, "bench-libical: %s holds no calendar\n", path);
		return 1;
	}
	long events = count_events(cal);

	clocks t = {0, 0}, t0 = now();
	FILE *out = fopen(outpath, "w");
	if (!out) {
		perror(outpath);
		icalcomponent_free(cal);
		return 1;
	}
	char *text = icalcomponent_as_ical_string_r(cal);
	size_t n = strlen(text);
	int rc = fwrite(text, 1, n, out) == n ? 0 : -1;
	free(text);
	if (fclose(out) != 0)
		rc = -1;
	add_since(&t, t0);
	icalcomponent_free(cal);
	if (rc != 0) {
		fprintf(stderr, "bench-libical: writing %s failed\n", outpath);
		return 1;
	}
	report("serialize-calendar", events, t);
	return 0;
}

/* bench-libical parse FILE | serialize FILE OUT | serialize-calendar FILE OUT
 */
int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "parse") == 0)
		return run_parse(argv[2]);
	if (argc == 4 && strcmp(argv[1], "serialize") == 0)
		return run_serialize(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "serialize-calendar") == 0)
		return run_serialize_calendar(argv[2], argv[3]);
	fprintf(stderr, "usage: bench-libical parse FILE\n"
	                "       bench-libical serialize FILE OUT\n"
	                "       bench-libical serialize-calendar FILE OUT\n");
	return 2;
}
