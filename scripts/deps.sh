#!/bin/sh
# Installs the Debian 12 packages tldb needs to build and test, and only those
# that are missing.  apt-get runs only when a package is missing and we are
# root; otherwise the missing names are printed and the script fails.
#
#   scripts/deps.sh build   packages to build and run tldb
#   scripts/deps.sh test    the build packages plus what the test suite uses
#   scripts/deps.sh bench   the test packages plus what `make bench` uses
#   scripts/deps.sh fuzz    the build packages plus clang and libFuzzer
set -eu

build_pkgs="build-essential cmake pkg-config libsqlite3-dev libical-dev
libjansson-dev libyajl-dev libelf-dev tzdata libcsv-dev libuv1-dev
libhttp-parser-dev zlib1g-dev libxml2-dev"
# chromium renders the html exporter's pages in the browser tests.
test_pkgs="libcriterion-dev sqlite3 python3-icalendar python3-vobject curl
chromium"
# make bench: the format benchmark's peers are sqlite3 and python3-icalendar
# (above); /usr/bin/time measures peak memory.
test_pkgs="$test_pkgs time"
# bench/serve.sh loads wrk and nginx (as a private, non-daemon process on
# 127.0.0.1; it stops the system service the package starts), generates
# events with python3 and fetches with curl.
bench_pkgs="wrk nginx-light curl python3"
# make fuzz: clang with libFuzzer and the sanitizer runtimes.
fuzz_pkgs="clang libclang-rt-14-dev"
# The .ics tests run Mozilla's ical.js under node (scripts/npm-deps.sh); a
# node and npm installed outside Debian's packages (nodesource) will do.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	test_pkgs="$test_pkgs nodejs npm"
fi

case "${1:-build}" in
build) want="$build_pkgs" ;;
test) want="$build_pkgs $test_pkgs" ;;
bench) want="$build_pkgs $test_pkgs $bench_pkgs" ;;
fuzz) want="$build_pkgs $fuzz_pkgs" ;;
*) echo "usage: $0 build|test|bench|fuzz" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "tldb: missing Debian packages:$missing" >&2
	echo "tldb: install them with: sudo apt-get install$missing" >&2
	exit 1
fi

echo "tldb: installing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has empty package lists; refresh them once if a lookup fails.
if ! apt-get install -y -q --no-install-recommends $missing; then
	apt-get update -q
	apt-get install -y -q --no-install-recommends $missing
fi
