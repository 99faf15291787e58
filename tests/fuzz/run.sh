#!/bin/sh
# tests/fuzz/run.sh BUILD SECONDS [NAME] -- `make fuzz`: builds the libFuzzer
# harnesses in BUILD (clang, -DTLDB_FUZZ=ON, ASan and UBSan) and runs each
# (or only fuzz_NAME) for SECONDS over a copy of its seed corpus.
#
# New inputs the fuzzer finds interesting stay in BUILD/fuzz-corpus/NAME
# (kept between runs; the tree's corpus is never written).  A crash, a leak,
# a hang (an input over 10 s) or a broken promise stops the run with a
# non-zero status and the input saved under BUILD/fuzz-crashes/NAME/.
set -eu

build=${1:?usage: run.sh BUILD SECONDS [NAME]}
seconds=${2:?usage: run.sh BUILD SECONDS [NAME]}
only=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)

if [ -n "$only" ]; then
	names=$only
	if [ ! -d "$here/corpus/$only" ]; then
		echo "tldb: no fuzz harness '$only' (tests/fuzz/corpus/$only is missing)" >&2
		exit 2
	fi
else
	names=$(cd "$here/corpus" && ls)
fi

# A configure that failed half-way leaves a cache the next one trips on.
if [ -f "$build/CMakeCache.txt" ] && [ ! -f "$build/Makefile" ]; then
	rm -rf "$build/CMakeCache.txt" "$build/CMakeFiles"
fi
cmake -S "$src" -B "$build" -DCMAKE_C_COMPILER=clang -DTLDB_FUZZ=ON \
	-DTLDB_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
targets=""
for n in $names; do
	targets="$targets fuzz_$n"
done
cmake --build "$build" -j2 --target $targets

# The plugins and the database the harnesses use are the build's.
export TZ=UTC
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
unset TLDB_PLUGIN_PATH
for n in $names; do
	corpus="$build/fuzz-corpus/$n"
	crashes="$build/fuzz-crashes/$n"
	log="$build/fuzz-logs/$n.log"
	mkdir -p "$corpus" "$crashes" "$build/fuzz-logs"
	find "$here/corpus/$n" -maxdepth 1 -type f -exec cp -p {} "$corpus/" \;
	echo "fuzz_$n: ${seconds} s (log: $log)"
	status=0
	"$build/fuzz_$n" -max_total_time="$seconds" -timeout=10 \
		-rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
		-artifact_prefix="$crashes/" "$corpus" >"$log" 2>&1 || status=$?
	grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" |
		sed "s/^/  /" || true
	if [ "$status" -ne 0 ]; then
		tail -n 60 "$log" >&2
		found=$(grep -o "Test unit written to .*" "$log" | tail -n 1 |
			sed 's/Test unit written to //')
		echo >&2
		echo "tldb: fuzz_$n failed (status $status): ${found:-see $log}" >&2
		echo "tldb: replay it with: build/replay_$n ${found:-FILE}" >&2
		echo "tldb: fix the bug, then copy the input into tests/fuzz/crashes/$n/" >&2
		echo "tldb: (with a name that says what it was) so make test replays it" >&2
		exit 1
	fi
done
echo "fuzz: no crash in $(echo $names | wc -w) harness(es), ${seconds} s each"
