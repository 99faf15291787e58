#!/usr/bin/env bash
# bench/article.sh BUILD_DIR -- the article importer's speed and findings,
# next to chrono-node's (npm, installed into BUILD_DIR/npm-bench on first
# use) on the same text in the same run.
#
# Speed: the shared article set (tests/plugins/articles/wire.txt, blog.md
# and the seed article when present) is repeated into one file of about
# $ARTICLE_MB MB (default 8) behind one dateline, and read pinned to one
# core (taskset): by the plugin alone (bench-article, a dlopen driver whose
# emit only counts), by `tldb import --plugin article` into a fresh
# database (storing included), and by chrono-node (chrono.parse over each
# copy of the set, with the same reference date) in one node process.  Findings: for each article of the
# set, each engine's dates as "expression -> value".  Appends everything to
# BUILD_DIR/bench/article.md and prints it.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: bench/article.sh BUILD_DIR" >&2
	exit 2
fi
build=$1
src=$(cd "$(dirname "$0")/.." && pwd)
tldb=$build/tldb
out=$build/bench
work=$out/article
results=$out/article.md
mb=${ARTICLE_MB:-8}
seed=${ARTICLE_SEED:-$(cd "$(dirname "$0")/../.." && pwd)/shared/seeds/000_37c1d759f75072ca.txt}

if [ ! -x "$tldb" ] || [ ! -f "$build/plugins/article.so" ]; then
	echo "bench/article.sh: build tldb and the article plugin first (make build)" >&2
	exit 2
fi
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
pin=""
command -v taskset >/dev/null 2>&1 && pin="taskset -c 0"

have_chrono=1
if [ ! -d "$build/npm-bench/node_modules/chrono-node" ]; then
	if command -v npm >/dev/null 2>&1; then
		echo "bench/article.sh: installing chrono-node into $build/npm-bench" >&2
		npm install --no-audit --no-fund --silent --prefix "$build/npm-bench" chrono-node@2 ||
			have_chrono=0
	else
		have_chrono=0
	fi
fi
chrono() {
	NODE_PATH="$build/npm-bench/node_modules" $pin node "$src/bench/article_chrono.js" "$@"
}

# the shared set: name and document date
set_files=()
set_dates=()
for f in "$src"/tests/plugins/articles/wire.txt "$src"/tests/plugins/articles/blog.md; do
	set_files+=("$f")
done
set_dates+=(2021-03-03 2020-06-01)
if [ -r "$seed" ]; then
	set_files+=("$seed")
	set_dates+=(2022-09-15)
fi

# ---- speed ----
big=$work/big.txt
one=$work/one.txt
for f in "${set_files[@]}"; do
	# each copy without its own URL lines, so all share one source
	grep -v -i -e '^original url' -e '^source:' -e '^https\?://' "$f"
	echo
done >"$one"
copies=$((mb * 1024 * 1024 / $(stat -c %s "$one") + 1))
{
	printf 'Benchmark article\n\nSeptember 15, 2022\n\n'
	for _ in $(seq "$copies"); do
		cat "$one"
	done
} >"$big"
bytes=$(stat -c %s "$big")
one_bytes=$(stat -c %s "$one")

# the plugin alone (bench-article: no store), then the whole import
cmake --build "$build" --target bench-article >/dev/null
p_line=$($pin "$build/bench-article" "$build/plugins/article.so" "$big" 3)
p_s=$(echo "$p_line" | sed 's/.*seconds=\([0-9.]*\).*/\1/')
p_events=$(echo "$p_line" | sed 's/.*events=\([0-9]*\).*/\1/')
p_rate=$(echo "3 * $bytes / 1048576 / $p_s" | bc -l)

start=$(date +%s.%N)
$pin "$tldb" --db "$work/b.db" import --plugin article "$big" 2>"$work/import.log"
end=$(date +%s.%N)
events=$(sed -n 's/.*: \([0-9]*\) events written.*/\1/p' "$work/import.log")
tl_s=$(echo "$end - $start" | bc -l)
tl_rate=$(echo "$bytes / 1048576 / $tl_s" | bc -l)

{
	echo "## Article importer ($(date -u +%Y-%m-%dT%H:%M:%SZ))"
	echo
	echo "- machine: $(nproc) CPUs, $(grep -m1 '^model name' /proc/cpuinfo | sed 's/^[^:]*: *//'), pinned: ${pin:-no}"
	echo "- text: $(printf %.1f "$(echo "$bytes / 1048576" | bc -l)") MB ($bytes bytes), the shared set ($one_bytes bytes) repeated $copies times"
	echo
	echo "| engine | seconds | MB/s | dates found |"
	echo "|---|---:|---:|---:|"
	printf '| article plugin alone (bench-article, mean of 3 runs) | %.3f | %.1f | %s |\n' "$(echo "$p_s / 3" | bc -l)" "$p_rate" "$p_events"
	printf '| tldb import --plugin article (with storing) | %.2f | %.1f | %s |\n' "$tl_s" "$tl_rate" "${events:-?}"
} >"$results"

if [ "$have_chrono" = 1 ]; then
	# chrono-node per copy of the set (on the whole file at once it is
	# much slower still: it does not scale linearly)
	line=$(chrono speed "$one" 2022-09-15 "$copies")
	c_s=$(echo "$line" | sed 's/.*seconds=\([0-9.]*\).*/\1/')
	c_found=$(($(echo "$line" | sed 's/.*found=\([0-9]*\).*/\1/') * copies))
	c_rate=$(echo "$bytes / 1048576 / $c_s" | bc -l)
	printf '| chrono-node %s (node %s) | %.2f | %.1f | %s |\n' \
		"$(sed -n 's/.*"version": "\(.*\)".*/\1/p' "$build/npm-bench/node_modules/chrono-node/package.json")" \
		"$(node --version)" "$c_s" "$c_rate" "$c_found" >>"$results"
else
	echo "| chrono-node | not run (no npm) | | |" >>"$results"
fi

# ---- findings on the shared set ----
{
	echo
	echo "### What each finds"
} >>"$results"
for k in "${!set_files[@]}"; do
	f=${set_files[$k]}
	day=${set_dates[$k]}
	rm -f "$work/s.db"*
	"$tldb" --db "$work/s.db" import --plugin article -o "doc-date=$day" "$f" 2>/dev/null
	{
		echo
		echo "**$(basename "$f")** (document date $day)"
		echo
		echo "tldb article:"
		echo
		"$tldb" --db "$work/s.db" query --format json |
			python3 -c '
import json, sys
evs = json.load(sys.stdin)["events"]
evs.sort(key=lambda e: e["sources"][0]["expr_span"][0])
for e in evs:
    s = e["sources"][0]
    v = e["start"] + ("/" + e["end"] if e.get("end") else "")
    print("- `%s` → %s (%s)" % (s["expr"], v, s["resolver"]))'
		if [ "$have_chrono" = 1 ]; then
			echo
			echo "chrono-node:"
			echo
			chrono list "$f" "$day" | awk -F'\t' '{ printf "- `%s` → %s\n", $1, $2 }'
		fi
	} >>"$results"
done
cat "$results"
