#!/bin/sh
# ical_validate.sh FILE.ics -- runs the offline .ics validators of
# docs/ical.md on FILE and exits non-zero with the validator's message when
# any rejects it:
#   1. Mozilla's ical.js (npm, installed into $TLDB_BUILD_DIR/npm by
#      scripts/npm-deps.sh): new ICAL.Component(ICAL.parse(text)), plus our
#      own checks around it: CRLF line ends (the last line's too), physical
#      lines of at most 75 octets and each valid UTF-8 on its own, VERSION
#      and PRODID, UID/DTSTAMP (UTC)/DTSTART in each VEVENT, and a VTIMEZONE
#      for every TZID used;
#   2. python3-icalendar: icalendar.Calendar.from_ical;
#   3. python3-vobject: vobject.readComponents(..., validate=True).
# Used by tests/plugins/test_ical.c; TLDB_BUILD_DIR names the build folder.
set -eu

build="${TLDB_BUILD_DIR:-build}"
src="${TLDB_SOURCE_DIR:-.}"
NODE_PATH="$build/npm/node_modules:$src/build/npm/node_modules${NODE_PATH:+:$NODE_PATH}"
export NODE_PATH

# ical_validate.sh --get FILE PROP: prints PROP of the first VEVENT as
# ical.js reads it (unfolded, unescaped), without a newline.
if [ "${1:-}" = "--get" ]; then
	exec node - "$2" "$3" <<'JS'
const fs = require('fs');
const ICAL = require('ical.js');
const cal = new ICAL.Component(ICAL.parse(fs.readFileSync(process.argv[2], 'utf8')));
const v = cal.getFirstSubcomponent('vevent').getFirstPropertyValue(process.argv[3].toLowerCase());
process.stdout.write(String(v));
JS
fi

file="${1:?usage: $0 FILE.ics | --get FILE.ics PROP}"
if ! node -e "require('ical.js')" 2>/dev/null; then
	echo "ical.js is missing: run make test-deps (scripts/npm-deps.sh $build)" >&2
	exit 1
fi

node - "$file" <<'JS'
const fs = require('fs');
const ICAL = require('ical.js');
const file = process.argv[2];
const bytes = fs.readFileSync(file);
function fail(msg) {
	console.error('ical.js checks: ' + file + ': ' + msg);
	process.exit(1);
}
const text = bytes.toString('latin1');
if (!text.endsWith('\r\n')) fail('the last line does not end in CRLF');
const lines = text.slice(0, -2).split('\r\n');
const dec = new TextDecoder('utf-8', {fatal: true});
let off = 0;
lines.forEach((l, i) => {
	if (l.includes('\n') || l.includes('\r'))
		fail('line ' + (i + 1) + ': a bare LF or CR');
	if (l.length > 75)
		fail('line ' + (i + 1) + ': ' + l.length + ' octets');
	try {
		dec.decode(bytes.subarray(off, off + l.length));
	} catch (e) {
		fail('line ' + (i + 1) + ': not valid UTF-8 on its own');
	}
	off += l.length + 2;
});
let cal;
try {
	cal = new ICAL.Component(ICAL.parse(bytes.toString('utf8')));
} catch (e) {
	fail('ICAL.parse: ' + e.message);
}
if (cal.name !== 'vcalendar') fail('not a VCALENDAR');
if (cal.getFirstPropertyValue('version') !== '2.0') fail('no VERSION:2.0');
if (!cal.getFirstPropertyValue('prodid')) fail('no PRODID');
const zones = new Set(cal.getAllSubcomponents('vtimezone')
	.map(z => z.getFirstPropertyValue('tzid')));
const uids = new Set();
for (const ev of cal.getAllSubcomponents('vevent')) {
	const uid = ev.getFirstPropertyValue('uid');
	if (!uid) fail('a VEVENT without UID');
	/* One UID a VEVENT, except the changed occurrences of a series,
	 * which share its UID and differ by RECURRENCE-ID (RFC 5545 3.8.4.4). */
	const rid = ev.getFirstProperty('recurrence-id');
	const key = rid ? uid + '\n' + rid.toICALString() : uid;
	if (uids.has(key)) fail('duplicate UID ' + uid + (rid ? ' and RECURRENCE-ID' : ''));
	uids.add(key);
	const stamp = ev.getFirstProperty('dtstamp');
	if (!stamp || !/Z$/.test(stamp.toICALString()))
		fail(uid + ': no DTSTAMP in UTC');
	if (!ev.getFirstProperty('dtstart')) fail(uid + ': no DTSTART');
	for (const p of ev.getAllProperties()) {
		const tzid = p.getParameter('tzid');
		if (tzid && !zones.has(tzid))
			fail(uid + ': TZID ' + tzid + ' has no VTIMEZONE');
		if (tzid && tzid.startsWith('/'))
			fail(uid + ': TZID with a prefix: ' + tzid);
	}
}
JS

/usr/bin/python3 -c '
import sys
path = sys.argv[1]
data = open(path, "rb").read()
try:
    import icalendar
    cal = icalendar.Calendar.from_ical(data)
    for c in cal.walk("VEVENT"):
        c.decoded("DTSTART")
except Exception as e:
    sys.exit("python3-icalendar: %s: %s: %s" % (path, type(e).__name__, e))
try:
    import vobject
    with open(path, encoding="utf-8", newline="") as f:
        n = 0
        for comp in vobject.readComponents(f, validate=True):
            n += 1
            for ev in getattr(comp, "vevent_list", []):
                ev.dtstart.value
    if n != 1:
        sys.exit("python3-vobject: %s: %d components" % (path, n))
except SystemExit:
    raise
except Exception as e:
    sys.exit("python3-vobject: %s: %s: %s" % (path, type(e).__name__, e))
' "$file"
