#!/usr/bin/env bash
# bench/formats.sh BUILD_DIR -- the format benchmark of issue 4: tldb's
# importers and exporters (the tldb command built in BUILD_DIR, its plugins)
# against peers on the same files in the same run:
#
#   tldb import of N events from JSONL and from CSV    vs sqlite3 .import of
#                                                         the same CSV into an
#                                                         indexed table
#   tldb import of M events from .ics                  vs libical parse-only
#                                                         (bench-libical)
#   tldb export of N events to JSONL and to .ics       (peak memory)
#   tldb export of M events to .ics                    vs libical's serializer
#                                                         and, by events/s,
#                                                         python3-icalendar's
#                                                         on P events
#
# N = $BENCH_FORMAT_EVENTS (default 1,000,000), M = $BENCH_ICS_EVENTS (default
# 100,000), P = $BENCH_PY_EVENTS (default 20,000).  The input files come from
# ../shared/bench/gen_events.py (or $BENCH_GEN): deterministic, so they are
# kept in BUILD_DIR/bench/data and reused by later runs.  Databases and
# outputs go to BUILD_DIR/bench/formats (removed afterwards).  Each command
# runs $BENCH_REPEAT times (default 1); the fastest run is kept (by wall
# time and, separately, by CPU time), and the largest peak RSS.  Times are
# the whole process for tldb and sqlite3 (start-up included), the timed pass
# for the helpers; CPU time (user + system) is shown beside wall time since
# other work on the machine stretches the latter.  Writes
# BUILD_DIR/bench/formats.md; exits non-zero when a run fails or an output
# has the wrong number of events.  Targets missed are reported, not failures.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: bench/formats.sh BUILD_DIR" >&2
	exit 2
fi
build=$1
src=$(cd "$(dirname "$0")/.." && pwd)
tldb=$build/tldb
libical=$build/bench-libical
gen=${BENCH_GEN:-$src/../shared/bench/gen_events.py}
if [ ! -f "$gen" ]; then
	echo "bench/formats.sh: no event generator at $gen (set BENCH_GEN)" >&2
	exit 2
fi
n=${BENCH_FORMAT_EVENTS:-1000000}
m=${BENCH_ICS_EVENTS:-100000}
p=${BENCH_PY_EVENTS:-20000}
repeat=${BENCH_REPEAT:-1}
data=$build/bench/data
work=$build/bench/formats
results=$build/bench/formats.md
figures=$work/figures # name events wall_s cpu_s rss_kb, one line each

for f in "$tldb" "$libical"; do
	if [ ! -x "$f" ]; then
		echo "bench/formats.sh: $f is missing (cmake --build $build --target tldb-cli bench-libical)" >&2
		exit 2
	fi
done
for f in /usr/bin/time sqlite3 /usr/bin/python3 "$gen"; do
	if [ ! -e "$f" ] && ! command -v "$f" >/dev/null; then
		echo "bench/formats.sh: $f is missing (scripts/deps.sh test)" >&2
		exit 2
	fi
done
if ! /usr/bin/python3 -c 'import icalendar' 2>/dev/null; then
	echo "bench/formats.sh: python3-icalendar is missing (scripts/deps.sh test)" >&2
	exit 2
fi

mkdir -p "$data" "$work"
trap 'rm -rf "$work"' EXIT
: >"$figures"

# gen COUNT FORMATS: makes $data/events-COUNT.{csv,jsonl,ics} as asked, unless
# they are there already (the generator is deterministic).
gen() {
	local count=$1 formats=$2 need="" f
	for f in ${formats//,/ }; do
		[ -s "$data/events-$count.$f" ] || need="$need,$f"
	done
	[ -z "$need" ] && return 0
	echo "== generating $count events (${need#,}) ==" >&2
	/usr/bin/python3 "$gen" "$count" "$data" --formats "${need#,}" --prefix "tmp-$count" >&2
	for f in ${need//,/ }; do
		mv "$data/tmp-$count.$f" "$data/events-$count.$f"
	done
}

# less A B: whether number A < number B.
less() {
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'
}

# timed NAME EVENTS SETUP -- COMMAND...: runs SETUP (a shell snippet, not
# timed) then COMMAND under /usr/bin/time, $repeat times; records the
# fastest wall time, the least CPU time and the largest peak RSS under
# NAME.  COMMAND's output goes to $work/NAME.log.
timed() {
	local name=$1 events=$2 setup=$3
	shift 4
	local best="" cpu="" rss=0 i t0 t1 s c r
	for ((i = 0; i < repeat; i++)); do
		eval "$setup"
		echo "== $name ($events events, run $((i + 1))/$repeat) ==" >&2
		t0=$(date +%s.%N)
		if ! /usr/bin/time -f '%M %U %S' -o "$work/rss" "$@" >"$work/$name.log" 2>&1; then
			echo "bench/formats.sh: $name failed:" >&2
			tail -5 "$work/$name.log" >&2
			exit 1
		fi
		t1=$(date +%s.%N)
		s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
		r=$(tail -1 "$work/rss" | cut -d' ' -f1)
		c=$(tail -1 "$work/rss" | awk '{ printf "%.2f", $2 + $3 }')
		if [ -z "$best" ] || less "$s" "$best"; then best=$s; fi
		if [ -z "$cpu" ] || less "$c" "$cpu"; then cpu=$c; fi
		[ "$r" -gt "$rss" ] && rss=$r
	done
	echo "$name $events $best $cpu $rss" >>"$figures"
}

# field KEY LINE: the value of KEY=VALUE in a RESULT line.
field() {
	local rest=${2#* "$1"=}
	echo "${rest%% *}"
}

# helper NAME OPS -- COMMAND...: runs a helper that times itself and prints
# "RESULT ... op=OP events=N seconds=S cpu=C ... maxrss_kb=K" lines,
# $repeat times; records the fastest figures of each OP (a comma-separated
# list) under NAME-OP.
helper() {
	local name=$1 ops=$2
	shift 3
	local i op line s c r e
	local -A best=() cpu=() rss=() events=()
	for ((i = 0; i < repeat; i++)); do
		echo "== $name (run $((i + 1))/$repeat) ==" >&2
		if ! "$@" >"$work/$name.log" 2>&1; then
			echo "bench/formats.sh: $name failed:" >&2
			tail -5 "$work/$name.log" >&2
			exit 1
		fi
		for op in ${ops//,/ }; do
			line=$(grep "^RESULT .* op=$op " "$work/$name.log")
			e=$(field events "$line")
			s=$(field seconds "$line")
			c=$(field cpu "$line")
			r=$(field maxrss_kb "$line")
			if [ -z "${best[$op]:-}" ] || less "$s" "${best[$op]}"; then
				best[$op]=$s
			fi
			if [ -z "${cpu[$op]:-}" ] || less "$c" "${cpu[$op]}"; then
				cpu[$op]=$c
			fi
			[ "$r" -gt "${rss[$op]:-0}" ] && rss[$op]=$r
			events[$op]=$e
		done
	done
	for op in ${ops//,/ }; do
		echo "$name-$op ${events[$op]} ${best[$op]} ${cpu[$op]} ${rss[$op]}" >>"$figures"
	done
}

# expect WHAT GOT WANT: fails the benchmark when a count is wrong.
expect() {
	if [ "$2" != "$3" ]; then
		echo "bench/formats.sh: $1: $2 events, expected $3" >&2
		exit 1
	fi
}

# written LOG: the number of events a tldb import reports as written.
written() {
	sed -n 's/.*: \([0-9]*\) events written.*/\1/p' "$1" | tail -1
}

gen "$n" csv,jsonl
gen "$m" jsonl,ics
gen "$p" ics
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

db=$work/tldb.db
# shellcheck disable=SC2016 # expanded by eval in timed()
fresh='rm -f "$db" "$db"-wal "$db"-shm "$db"-journal'

# ---- N events: JSONL and CSV import, sqlite3 .import, exports ----
timed import-jsonl "$n" "$fresh" -- "$tldb" --db "$db" import "$data/events-$n.jsonl"
expect import-jsonl "$(written "$work/import-jsonl.log")" "$n"
timed export-jsonl "$n" "" -- "$tldb" --db "$db" export --format jsonl --output "$work/out.jsonl"
expect export-jsonl "$(wc -l <"$work/out.jsonl")" "$n"
timed export-ics "$n" "" -- "$tldb" --db "$db" export --format ics --output "$work/out.ics"
expect export-ics "$(grep -c '^BEGIN:VEVENT' "$work/out.ics")" "$n"
rm -f "$work/out.jsonl" "$work/out.ics"

timed import-csv "$n" "$fresh" -- "$tldb" --db "$db" import "$data/events-$n.csv"
expect import-csv "$(written "$work/import-csv.log")" "$n"

sq=$work/sqlite.db
# shellcheck disable=SC2016 # expanded by eval in timed()
sqlfresh='rm -f "$sq" "$sq"-journal'
timed sqlite3-import "$n" "$sqlfresh" -- sqlite3 "$sq" \
	'CREATE TABLE ev(uid TEXT, title TEXT, start TEXT, "end" TEXT, location TEXT, tags TEXT, body TEXT);' \
	'CREATE INDEX ev_start ON ev(start);' \
	'.mode csv' \
	".import --skip 1 $data/events-$n.csv ev"
expect sqlite3-import "$(sqlite3 "$sq" 'SELECT count(*) FROM ev')" "$n"
eval "$fresh"
eval "$sqlfresh"

# ---- M events: .ics import against libical parse-only, .ics export
# against libical's serializer ----
ics=$data/events-$m.ics
timed import-ics "$m" "$fresh" -- "$tldb" --db "$db" import "$ics"
ics_written=$(written "$work/import-ics.log")
helper libical parse -- "$libical" parse "$ics"
expect libical-parse "$(awk '$1 == "libical-parse" {print $2}' "$figures")" "$m"

timed "import-jsonl-$m" "$m" "$fresh" -- "$tldb" --db "$db" import "$data/events-$m.jsonl"
timed "export-ics-$m" "$m" "" -- "$tldb" --db "$db" export --format ics --output "$work/out.ics"
expect "export-ics-$m" "$(grep -c '^BEGIN:VEVENT' "$work/out.ics")" "$m"
helper libical serialize -- "$libical" serialize "$ics" "$work/libical.ics"
helper libical serialize-calendar -- "$libical" serialize-calendar "$ics" "$work/libical.ics"
eval "$fresh"
rm -f "$work/out.ics" "$work/libical.ics"

# ---- P events: python3-icalendar ----
helper python parse,serialize -- /usr/bin/python3 "$src/bench/ical_py.py" "$data/events-$p.ics" "$work/py.ics"
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- the report ----
cpuname=$(grep -m1 '^model name' /proc/cpuinfo | sed 's/^[^:]*: *//' || true)
btype=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt" 2>/dev/null || true)
pyver=$(/usr/bin/python3 -c 'import icalendar; print(icalendar.__version__)')
icalver=$(pkg-config --modversion libical 2>/dev/null || echo '?')
{
	echo "# tldb format benchmark (issue 4)"
	echo
	echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "- machine: $(nproc) CPUs, ${cpuname:-unknown CPU}, $(awk '/MemTotal/ {printf "%.0f GB RAM", $2 / 1048576}' /proc/meminfo); load average $load_start at the start, $load_end at the end"
	echo "- tldb build: ${btype:-RelWithDebInfo (the default)} in $build; sqlite3 $(sqlite3 --version | cut -d' ' -f1); libical $icalver; python3-icalendar $pyver"
	echo "- N = $n, M = $m (.ics), P = $p (python); best of $repeat run(s) each"
	echo "- the .ics import of $m VEVENTs stored $ics_written events (recurrences expanded); its rate counts VEVENTs"
	echo
	awk -v m="$m" '
		function commas(x,   s, r) {
			s = sprintf("%.0f", x)
			r = ""
			while (length(s) > 3) {
				r = "," substr(s, length(s) - 2) r
				s = substr(s, 1, length(s) - 3)
			}
			return s r
		}
		function verdict(qw, qc, want) {
			if (qw >= want && qc >= want)
				return "yes"
			if (qw >= want)
				return "wall only"
			if (qc >= want)
				return "CPU only"
			return "**no**"
		}
		# tldb run a against peer b: rates by wall and by CPU time
		function row(what, a, b, want,   qw, qc) {
			qw = rate[a] / rate[b]
			qc = crate[a] / crate[b]
			printf "| %s | %s/s | %s/s | %.2f | %s/s | %s/s | %.2f | %s %s | %s |\n", what,
			       commas(rate[a]), commas(rate[b]), qw, commas(crate[a]), commas(crate[b]), qc,
			       ">=", want, verdict(qw, qc, want)
		}
		function mem(what, a) {
			printf "| %s | %.1f MB | - | - | - | - | - | < 64 MB | %s |\n", what, rss[a],
			       (rss[a] < 64) ? "yes" : "**no**"
		}
		{
			name[NR] = $1; events[$1] = $2; secs[$1] = $3; cpu[$1] = $4
			rate[$1] = $2 / $3; crate[$1] = $4 > 0 ? $2 / $4 : 0; rss[$1] = $5 / 1024
		}
		END {
			print "| run | events | wall s | CPU s | events/s (wall) | events/s (CPU) | peak RSS |"
			print "|---|---:|---:|---:|---:|---:|---:|"
			for (i = 1; i <= NR; i++) {
				k = name[i]
				printf "| %s | %s | %.2f | %.2f | %s | %s | %.1f MB |\n", k, commas(events[k]),
				       secs[k], cpu[k], commas(rate[k]), commas(crate[k]), rss[k]
			}
			print ""
			print "| target | tldb (wall) | peer (wall) | ratio | tldb (CPU) | peer (CPU) | ratio | wanted | met |"
			print "|---|---:|---:|---:|---:|---:|---:|---:|---|"
			row("CSV import vs sqlite3 .import", "import-csv", "sqlite3-import", 0.4)
			row("JSONL import vs sqlite3 .import", "import-jsonl", "sqlite3-import", 0.4)
			row(".ics import vs libical parse-only", "import-ics", "libical-parse", 0.7)
			row(".ics export vs python3-icalendar serializer", "export-ics-" m, "python-serialize", 20)
			row(".ics export vs libical serializer (per event)", "export-ics-" m, "libical-serialize", 1)
			row(".ics export vs libical serializer (whole calendar)", "export-ics-" m,
			    "libical-serialize-calendar", 1)
			mem("JSONL export peak RSS, N events", "export-jsonl")
			mem(".ics export peak RSS, N events", "export-ics")
			print ""
			print "Figures for scripts:"
			print ""
			for (i = 1; i <= NR; i++) {
				k = name[i]
				printf "    RESULT bench=formats run=%s events=%d seconds=%.3f cpu=%.3f rate=%.0f maxrss_kb=%d\n",
				       k, events[k], secs[k], cpu[k], rate[k], rss[k] * 1024
			}
		}' "$figures"
} >"$results"
cat "$results"
echo "results: $results" >&2
