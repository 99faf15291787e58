#!/bin/sh
# Installs the npm packages the test suite uses into BUILD/npm, only when
# they are missing: ical.js (Mozilla's iCalendar parser, the one in
# Thunderbird) for tests/plugins/ical_validate.sh.  Needs node and npm
# (scripts/deps.sh test installs them when missing).
#
#   scripts/npm-deps.sh BUILD
set -eu

build="${1:?usage: $0 BUILD}"
[ -d "$build/npm/node_modules/ical.js" ] && exit 0
if ! command -v npm >/dev/null 2>&1; then
	echo "tldb: npm is missing (scripts/deps.sh test installs it)" >&2
	exit 1
fi
mkdir -p "$build/npm"
echo "tldb: installing ical.js into $build/npm" >&2
npm install --no-audit --no-fund --silent --prefix "$build/npm" ical.js@2
