#!/usr/bin/env bash
# bench/run.sh BUILD_DIR [all|store|formats|article|serve] -- runs the store
# benchmark, the format benchmark (bench/formats.sh, see there), the
# article importer's (bench/article.sh), the feed server's against nginx
# (bench/serve.sh), or all of them (the default).
#
# The store benchmark runs bench-store (built in BUILD_DIR) at each size
# of $BENCH_SIZES (default: 1,000,000 and 10,000,000 events), with the
# databases under BUILD_DIR/bench/db (removed afterwards), and writes the
# output to BUILD_DIR/bench/results.md.  Extra bench-store options may be
# given in $BENCH_ARGS (e.g. BENCH_ARGS="--queries 200 --seed 7").
# Exits non-zero when any run fails (e.g. tldb and the ceiling disagree).
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: bench/run.sh BUILD_DIR [all|store|formats|article|serve]" >&2
	exit 2
fi
build=$1
suite=${2:-all}
case "$suite" in
all | store) ;;
formats) exec "$(dirname "$0")/formats.sh" "$build" ;;
article) exec "$(dirname "$0")/article.sh" "$build" ;;
serve) exec "$(dirname "$0")/serve.sh" "$build" ;;
*)
	echo "usage: bench/run.sh BUILD_DIR [all|store|formats|article|serve]" >&2
	exit 2
	;;
esac
bin=$build/bench-store
out=$build/bench
dbdir=$out/db
results=$out/results.md
sizes=${BENCH_SIZES:-"1000000 10000000"}

if [ ! -x "$bin" ]; then
	echo "bench/run.sh: $bin is missing (cmake --build $build --target bench-store)" >&2
	exit 2
fi
mkdir -p "$dbdir"
trap 'rm -rf "$dbdir"' EXIT

cpu=$(grep -m1 '^model name' /proc/cpuinfo | sed 's/^[^:]*: *//' || true)
{
	echo "# tldb benchmark results"
	echo
	echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "- machine: $(nproc) CPUs, ${cpu:-unknown CPU}, $(awk '/MemTotal/ {printf "%.0f GB RAM", $2 / 1048576}' /proc/meminfo)"
	echo "- kernel: $(uname -sr)"
	echo "- sizes: $sizes"
	echo
} >"$results"

status=0
for n in $sizes; do
	echo "== bench-store --events $n ==" >&2
	# shellcheck disable=SC2086 # BENCH_ARGS is a list of options
	if ! "$bin" --events "$n" --dir "$dbdir" ${BENCH_ARGS:-} 2>&1 | tee -a "$results"; then
		echo "bench/run.sh: the run at $n events failed" | tee -a "$results" >&2
		status=1
	fi
	echo >>"$results"
	rm -f "$dbdir"/*
done
# Recurring series (bench/bench_series.c): 10% of the events are series,
# tldb expanding them per query against their occurrences materialized in
# plain SQLite, and the .ics feed of 1,000 series against libical.
# BENCH_SERIES_SIZE sets its size (default 1,000,000); 0 skips it.
series_n=${BENCH_SERIES_SIZE:-1000000}
if [ "$series_n" != 0 ]; then
	echo "== bench-series --events $series_n ==" >&2
	if ! "$build/bench-series" --plugins "$build/plugins" --events "$series_n" \
		--dir "$dbdir" 2>&1 | tee -a "$results"; then
		echo "bench/run.sh: bench-series failed" | tee -a "$results" >&2
		status=1
	fi
	rm -f "$dbdir"/*
fi
echo "results: $results" >&2
if [ "$suite" = all ] && ! "$(dirname "$0")/formats.sh" "$build"; then
	status=1
fi

# The article importer against chrono-node (bench/article.sh), when the
# plugin is built; BENCH_ARTICLE=0 skips it.
if [ "$suite" = all ] && [ "${BENCH_ARTICLE:-1}" != 0 ] &&
	[ -f "$build/plugins/article.so" ]; then
	if ! "$(dirname "$0")/article.sh" "$build"; then
		echo "bench/run.sh: bench/article.sh failed" >&2
		status=1
	fi
fi

# tldb serve against nginx (bench/serve.sh); its table goes to results.md
# too.  BENCH_SERVE=0 skips it.
if [ "$suite" = all ] && [ "${BENCH_SERVE:-1}" != 0 ]; then
	if ! "$(dirname "$0")/serve.sh" "$build" | tee -a "$results"; then
		echo "bench/run.sh: bench/serve.sh failed" >&2
		status=1
	fi
fi
exit $status
