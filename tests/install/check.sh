#!/bin/sh
# Installs tldb into a temporary prefix with `make install PREFIX=...`, then
# builds tests/install/consumer.c against the installed copy through
# pkg-config and runs it, and runs the installed command.
set -eu
cd "$(dirname "$0")/../.."
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
make --no-print-directory install PREFIX="$prefix" BUILD=build-install >/dev/null
pc="$prefix/lib/pkgconfig"
[ -d "$pc" ] || pc=$(dirname "$(find "$prefix" -name tldb.pc | head -n 1)")
# shellcheck disable=SC2046
cc -std=c11 -Wall -Werror tests/install/consumer.c -o "$prefix/consumer" \
	$(PKG_CONFIG_PATH="$pc" pkg-config --cflags --libs tldb) \
	-Wl,-rpath,"$(PKG_CONFIG_PATH="$pc" pkg-config --variable=libdir tldb)"
"$prefix/consumer" "$prefix/db/test.db"
"$prefix/bin/tldb" --db "$prefix/db/test.db" query 2022-02 | grep -q "Beijing Winter Olympics"
echo "install: 1 passed, 0 failed"
