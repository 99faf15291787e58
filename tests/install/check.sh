#!/bin/sh
# The SDK as a third party meets it: installs tldb into a temporary prefix
# with `make install PREFIX=...`, then
#  - builds tests/install/consumer.c against the installed library through
#    pkg-config (tldb.pc) and runs it, and runs the installed command;
#  - builds examples/plugin-template out of tree against the installed
#    header alone (tldb-plugin.pc), runs `tldb plugins check` on it, and
#    imports and exports through it with --plugin-dir.
set -eu
cd "$(dirname "$0")/../.."
top=$(pwd)
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
make --no-print-directory install PREFIX="$prefix" BUILD=build-install >/dev/null
pc=$(dirname "$(find "$prefix" -name tldb.pc | head -n 1)")
export PKG_CONFIG_PATH="$pc"
tldb="$prefix/bin/tldb"
db="$prefix/db/test.db"
passed=0

# shellcheck disable=SC2046
cc -std=c11 -Wall -Werror tests/install/consumer.c -o "$prefix/consumer" \
	$(pkg-config --cflags --libs tldb) \
	-Wl,-rpath,"$(pkg-config --variable=libdir tldb)"
"$prefix/consumer" "$db"
"$tldb" --db "$db" query 2022-02 | grep -q "Beijing Winter Olympics"
passed=$((passed + 1))

# The installed plugins are found without any flag.
"$tldb" plugins | grep -q '^json '
"$tldb" --db "$db" import timelines/russia-china-2022.json 2>/dev/null
"$tldb" --db "$db" query 2022-09 --format jsonl | grep -q '"uid":"rc2022-samarkand-meeting"'
passed=$((passed + 1))

# The template, out of tree, with nothing but the installed SDK.
cmake -S examples/plugin-template -B "$prefix/template" >/dev/null
cmake --build "$prefix/template" >/dev/null
"$tldb" plugins check "$prefix/template/tsv.so"
"$tldb" --db "$db" --plugin-dir "$prefix/template" import examples/plugin-template/sample.tsv 2>/dev/null
"$tldb" --db "$db" --plugin-dir "$prefix/template" export --format tsv 2022-09-15 |
	grep -q "SCO summit in Samarkand"
passed=$((passed + 1))
cd "$top"
echo "install: $passed passed, 0 failed"
