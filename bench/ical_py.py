#!/usr/bin/python3
"""The python3-icalendar peer of the format benchmark (bench/formats.sh).

Usage: ical_py.py FILE OUT

Parses FILE with icalendar.Calendar.from_ical (timed: "parse"), counts its
VEVENTs (not timed), then serializes the calendar with to_ical() and writes
it to OUT (timed: "serialize").  Prints one line per pass:

    RESULT tool=python3-icalendar op=OP events=N seconds=S cpu=C rate=R maxrss_kb=K

S is wall time, C the process's CPU time over the same pass.

Run it with Debian's /usr/bin/python3 and python3-icalendar.
"""
import resource
import sys
import time

import icalendar


def report(op, events, seconds, cpu):
    """Prints one RESULT line."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rate = events / seconds if seconds > 0 else 0.0
    print("RESULT tool=python3-icalendar op=%s events=%d seconds=%.3f "
          "cpu=%.3f rate=%.0f maxrss_kb=%d"
          % (op, events, seconds, cpu, rate, rss))


def main(argv):
    """Runs the parse and the serialize pass."""
    if len(argv) != 3:
        print("usage: ical_py.py FILE OUT", file=sys.stderr)
        return 2
    with open(argv[1], "rb") as f:
        data = f.read()

    t0, c0 = time.perf_counter(), time.process_time()
    cal = icalendar.Calendar.from_ical(data)
    parse = time.perf_counter() - t0, time.process_time() - c0
    events = sum(1 for c in cal.subcomponents if c.name == "VEVENT")
    report("parse", events, *parse)

    t0, c0 = time.perf_counter(), time.process_time()
    text = cal.to_ical()
    with open(argv[2], "wb") as f:
        f.write(text)
    serialize = time.perf_counter() - t0, time.process_time() - c0
    report("serialize", events, *serialize)
    print("python3-icalendar %s" % icalendar.__version__, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
