#!/usr/bin/env node
/*
 * tests/conformance/conform.js -- the differential conformance suite for
 * iCalendar import (issue 14, "How it must be shown"; README.md here).
 *
 * For every calendar of corpus/ranges.txt and every range given for it:
 *   import   tldb import FILE, then tldb query RANGE --format json, against
 *            what Mozilla's ical.js expands from FILE over RANGE;
 *   export   tldb export --format ics RANGE, expanded by ical.js over RANGE,
 *            against the same ical.js expansion of FILE.
 * Each occurrence is its start, normalized to an all-day date
 * (2024-01-11), a floating local time (2024-01-11T08:00:00) or an instant
 * in UTC (2024-01-11T07:00:00Z), with its title as a second check.  A
 * disagreement that known.txt does not list fails the test; a listed one
 * that no longer occurs is a note.
 *
 * Environment: TLDB_BIN (the tldb to test), TLDB_SOURCE_DIR, NODE_PATH
 * (where ical.js is: BUILD/npm/node_modules, scripts/npm-deps.sh),
 * TLDB_PYICAL_TESTS (python3-icalendar's test folder, to point elsewhere).
 * Options: -v prints every occurrence compared; a FILE argument (as named
 * in ranges.txt) limits the run to it.
 */
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const {spawnSync} = require('child_process');

const SRC = process.env.TLDB_SOURCE_DIR || path.resolve(__dirname, '..', '..');
const BIN = process.env.TLDB_BIN || path.join(SRC, 'build', 'tldb');
const HERE = path.join(SRC, 'tests', 'conformance');
const PYICAL = process.env.TLDB_PYICAL_TESTS ||
	'/usr/lib/python3/dist-packages/icalendar/tests';
// Where the names of ranges.txt point: pyical/ is python3-icalendar's test
// calendars, read from the Debian package (not ours to copy), plugins/ the
// ical plugin's test calendars, anything else corpus/.
const ROOTS = {
	'pyical/': PYICAL,
	'plugins/': path.join(SRC, 'tests', 'plugins', 'calendars'),
	'': path.join(HERE, 'corpus'),
};
// Today's importer expands a series up to two years after "today": a fixed
// clock keeps what it stores, and so known.txt, from moving with the date.
const NOW = '2025-06-01T00:00:00Z';
// ical.js iterates every series from its start: at most this many
// occurrences of one series before a range ends (a runaway rule, or a range
// chosen too far from DTSTART for a fine rule, stops the test).
const MAX_STEPS = 200000;
// An override may move an occurrence into the range from after it: keep
// iterating this far past the range's end.
const LOOKAHEAD_MS = 31 * 86400e3;
const DAY_MS = 86400e3;

let ICAL;
try {
	ICAL = require('ical.js');
} catch (e) {
	console.error('ical.js is missing: run make test-deps (scripts/npm-deps.sh BUILD) ' +
		'and set NODE_PATH to BUILD/npm/node_modules');
	process.exit(1);
}

const args = process.argv.slice(2);
const verbose = args.includes('-v');
const only = args.filter(a => a !== '-v');

/* ---- times ---- */

// Milliseconds since the epoch of a UTC wall time; years below 100 too.
function utcMs(y, mo, d, h = 0, mi = 0, s = 0) {
	const t = new Date(Date.UTC(2000, mo - 1, d, h, mi, s));
	t.setUTCFullYear(y);
	return t.getTime();
}

function pad(n, w = 2) {
	return String(n).padStart(w, '0');
}

// 2024-01-11T07:00:00 of a UTC millisecond count (the fields as UTC).
function wallString(ms) {
	const t = new Date(ms);
	return pad(t.getUTCFullYear(), 4) + '-' + pad(t.getUTCMonth() + 1) + '-' +
		pad(t.getUTCDate()) + 'T' + pad(t.getUTCHours()) + ':' +
		pad(t.getUTCMinutes()) + ':' + pad(t.getUTCSeconds());
}

const instant = ms => wallString(ms) + 'Z';
const floating = ms => wallString(ms);
const dateOnly = ms => wallString(ms).slice(0, 10);

// IANA zones through Node's ICU data, independent of libical (which tldb
// uses).  Debian's zoneinfo has posix/NAME as a copy of NAME.
const formats = new Map();
function ianaName(tzid) {
	const name = tzid.replace(/^posix\//, '');
	if (!formats.has(name)) {
		try {
			formats.set(name, new Intl.DateTimeFormat('en-US', {
				timeZone: name, hourCycle: 'h23', year: 'numeric',
				month: 'numeric', day: 'numeric', hour: 'numeric',
				minute: 'numeric', second: 'numeric',
			}));
		} catch (e) {
			formats.set(name, null);
		}
	}
	return formats.get(name) ? name : null;
}

// Seconds east of UTC in zone NAME at the instant MS.
function offsetAt(name, ms) {
	const p = {};
	for (const x of formats.get(name).formatToParts(new Date(ms)))
		p[x.type] = x.value;
	const wall = utcMs(+p.year, +p.month, +p.day, +p.hour, +p.minute, +p.second);
	return Math.round((wall - ms) / 1000);
}

// The instant of wall time WALL (as UTC milliseconds) in zone NAME, as RFC
// 5545 3.3.5 reads one: in an overlap the first of the two instants, in a
// gap the offset from before the gap.
function wallToInstant(name, wall) {
	const before = offsetAt(name, wall - DAY_MS);
	const after = offsetAt(name, wall + DAY_MS);
	const fits = [before, after].filter(o => offsetAt(name, wall - o * 1000) === o);
	if (fits.length)
		return wall - Math.max(...fits) * 1000;
	return wall - before * 1000;
}

// A TZID with no VTIMEZONE in the file is floating to bare ical.js;
// Thunderbird gives ical.js a timezone service that knows the IANA zones.
// This is that service, over the same zone data as wallToInstant.
class IanaZone extends ICAL.Timezone {
	constructor(tzid, name) {
		super({tzid});
		this.iana = name;
	}

	utcOffset(tt) {
		const wall = utcMs(tt.year, tt.month, tt.day, tt.hour, tt.minute, tt.second);
		return (wall - wallToInstant(this.iana, wall)) / 1000;
	}
}

function registerZones(text) {
	ICAL.TimezoneService.reset();
	const defined = new Set();
	for (const m of text.matchAll(/^TZID:(.*?)\r?$/gm))
		defined.add(m[1]);
	for (const m of text.matchAll(/;TZID=(?:"([^"]*)"|([^;:]*))/g)) {
		const tzid = m[1] !== undefined ? m[1] : m[2];
		if (defined.has(tzid) || ICAL.TimezoneService.has(tzid))
			continue;
		const name = ianaName(tzid);
		if (name)
			ICAL.TimezoneService.register(new IanaZone(tzid, name), tzid);
	}
}

function isFloating(t) {
	return t.zone === ICAL.Timezone.localTimezone;
}

// An ical.js time: its place on the time axis (floating times and dates
// placed as UTC, as tldb places them) and its normalized form.
function timeOf(t) {
	const wall = utcMs(t.year, t.month, t.day, t.hour, t.minute, t.second);
	if (t.isDate)
		return {ms: wall, norm: dateOnly(wall)};
	if (isFloating(t))
		return {ms: wall, norm: floating(wall)};
	const ms = t.toUnixTime() * 1000;
	return {ms, norm: instant(ms)};
}

/* ---- ical.js's occurrences ---- */

// A walk past MAX_STEPS: the manifest's fault, not ical.js's; it fails the
// test.
class TooLong extends Error {}

const untitled = s => (s === null || s === undefined || s === '' ? '(untitled)' : String(s));

function cancelled(component) {
	const s = component.getFirstPropertyValue('status');
	return typeof s === 'string' && s.toUpperCase() === 'CANCELLED';
}

// ical.js 2.2.1 cannot expand RDATE;VALUE=PERIOD: its RecurExpansion hands
// the ICAL.Period itself back as an occurrence, and the whole series fails
// ("toUnixTime is not a function").  An occurrence of a period starts at
// the period's start (RFC 5545 3.8.5.2), so ical.js is given the starts.
function periodStarts(text) {
	return text.replace(/\r?\n[ \t]/g, '').replace(/^(RDATE(?:;[^:\r\n]*)?):([^\r\n]*)$/gim,
		(line, head, value) => !/;VALUE=PERIOD\b/i.test(head) ? line :
			head.replace(/;VALUE=PERIOD\b/i, '') + ':' +
			value.split(',').map(p => p.split('/')[0]).join(','));
}

// The occurrences ical.js finds in TEXT that overlap each of RANGES
// ({lo, hi}), walking each series once: a list of {start, title} for each
// range.  Throws when ical.js refuses the text.
function icaljs(text, ranges, notes) {
	registerZones(text);
	const parsed = ICAL.parse(periodStarts(text));
	// One VCALENDAR is a jCal array; several are an array of them.
	const cals = typeof parsed[0] === 'string' ? [parsed] : parsed;
	const out = ranges.map(() => []);
	const end = Math.max(...ranges.map(r => r.hi)) + LOOKAHEAD_MS;
	const push = (start, stop, item) => {
		if (cancelled(item.component))
			return;
		const s = timeOf(start);
		const e = stop ? timeOf(stop).ms : s.ms;
		ranges.forEach((r, i) => {
			// The overlap tldb query tests; a point is in the range it
			// starts in.
			if (s.ms < r.hi && (e > r.lo || (e === s.ms && s.ms >= r.lo)))
				out[i].push({start: s.norm, title: untitled(item.summary)});
		});
	};
	for (const jcal of cals) {
		const cal = new ICAL.Component(jcal);
		const masters = [];
		const byUid = new Map();
		const overrides = [];
		for (const ve of cal.getAllSubcomponents('vevent')) {
			if (!ve.hasProperty('dtstart'))
				continue; // nothing places it: a calendar app cannot show it either
			if (ve.hasProperty('recurrence-id')) {
				overrides.push(ve);
				continue;
			}
			// No automatic relating: overrides go to the first master of
			// their UID only.
			const ev = new ICAL.Event(ve, {exceptions: []});
			masters.push(ev);
			if (ev.uid && !byUid.has(ev.uid))
				byUid.set(ev.uid, ev);
		}
		for (const ve of overrides) {
			const master = byUid.get(ve.getFirstPropertyValue('uid'));
			if (master && master.isRecurring())
				master.relateException(ve);
			else
				masters.push(new ICAL.Event(ve, {exceptions: []}));
		}
		for (const ev of masters) {
			if (!ev.isRecurring() || ev.isRecurrenceException()) {
				push(ev.startDate, ev.endDate, ev);
				continue;
			}
			try {
				const it = ev.iterator();
				let steps = 0;
				for (let next = it.next(); next; next = it.next()) {
					if (timeOf(next).ms >= end)
						break;
					if (++steps > MAX_STEPS)
						throw new TooLong(`${ev.uid}: more than ${MAX_STEPS} occurrences ` +
							'before the range ends: choose a range nearer DTSTART in ranges.txt');
					const d = ev.getOccurrenceDetails(next);
					push(d.startDate, d.endDate, d.item);
				}
			} catch (e) {
				if (e instanceof TooLong)
					throw e;
				// ical.js gives up on this series: what it gave so far counts.
				notes.push(`ical.js fails on ${ev.uid}: ${e.message}`);
			}
		}
	}
	return out;
}

/* ---- tldb's occurrences ---- */

function tldb(dir, argv) {
	const r = spawnSync(BIN, ['--db', path.join(dir, 'tldb.db'), ...argv], {
		encoding: 'utf8',
		maxBuffer: 256 << 20,
		env: {...process.env, TZ: 'UTC', TLDB_NOW: NOW},
	});
	if (r.error)
		throw new Error(`cannot run ${BIN}: ${r.error.message}`);
	return r;
}

// A start as tldb writes it in JSON (docs/FORMAT.md), normalized.
function tldbStart(ev) {
	const s = ev.start;
	if (/^\d{4}-\d\d-\d\d$/.test(s))
		return s;
	const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d))?(Z|[+-]\d\d:\d\d|\[([^\]]+)\])?$/.exec(s);
	if (!m)
		return 'not a date of .ics: ' + s; // coarse or qualified: never equal
	const wall = utcMs(+m[1], +m[2], +m[3], +m[4], +m[5], +(m[6] || 0));
	const zone = m[7];
	if (zone === 'Z')
		return instant(wall);
	if (zone && zone[0] !== '[') {
		const off = (+zone.slice(1, 3) * 60 + +zone.slice(4, 6)) * 60e3;
		return instant(zone[0] === '+' ? wall - off : wall + off);
	}
	const tz = m[8] || ev.tz;
	if (!tz)
		return floating(wall);
	const name = ianaName(tz);
	if (!name)
		throw new Error(`tldb wrote zone ${tz}, which Node's ICU does not know`);
	return instant(wallToInstant(name, wall));
}

/* ---- comparing ---- */

// Disagreements between EXPECTED (ical.js on the file) and ACTUAL, both
// lists of {start, title}: {kind, occ, detail} with kind missing (ical.js
// has it, the other side not), extra (the reverse) or title (same start,
// another title).
function compare(expected, actual) {
	const count = new Map();
	const key = o => o.start + '\n' + o.title;
	for (const o of expected)
		count.set(key(o), (count.get(key(o)) || 0) + 1);
	const extra = [];
	for (const o of actual) {
		const n = count.get(key(o)) || 0;
		if (n > 0)
			count.set(key(o), n - 1);
		else
			extra.push(o);
	}
	const missing = [];
	for (const o of expected) {
		const n = count.get(key(o)) || 0;
		if (n > 0) {
			count.set(key(o), n - 1);
			missing.push(o);
		}
	}
	const diffs = [];
	for (const o of missing) {
		const i = extra.findIndex(x => x.start === o.start);
		if (i >= 0) {
			diffs.push({kind: 'title', occ: o.start,
				detail: `ical.js "${o.title}", tldb "${extra[i].title}"`});
			extra.splice(i, 1);
		} else {
			diffs.push({kind: 'missing', occ: o.start, detail: `"${o.title}"`});
		}
	}
	for (const o of extra)
		diffs.push({kind: 'extra', occ: o.start, detail: `"${o.title}"`});
	return diffs;
}

/* ---- known.txt and ranges.txt ---- */

function glob(pattern) {
	const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
	return new RegExp('^' + re + '$');
}

function readKnown(file) {
	const known = [];
	const bad = [];
	fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
		if (/^\s*(#|$)/.test(line))
			return;
		const f = line.trim().split(/\s+/);
		const reason = f.slice(5).join(' ');
		// Every entry says why: either ical.js is wrong, or tldb has yet to
		// be fixed under a part of issue 14.
		if (f.length < 6 || !/^(ical\.js is wrong because |tldb: not yet fixed, issue 14 part \d)/.test(reason)) {
			bad.push(`known.txt:${i + 1}: want FILE RANGE STAGE KIND OCCURRENCE REASON, ` +
				'the reason "ical.js is wrong because ..." or "tldb: not yet fixed, issue 14 part N ..."');
			return;
		}
		known.push({line: i + 1, text: line.trim(), pats: f.slice(0, 5).map(glob), hits: 0});
	});
	return {known, bad};
}

function readRanges(file) {
	const entries = [];
	const bad = [];
	fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
		line = line.replace(/#.*/, '').trim();
		if (!line)
			return;
		const [name, ...ranges] = line.split(/\s+/);
		const parsed = [];
		for (const r of ranges) {
			const m = /^(\d{4})-(\d\d)-(\d\d)\.\.(\d{4})-(\d\d)-(\d\d)$/.exec(r);
			if (!m) {
				bad.push(`ranges.txt:${i + 1}: ${r}: want YYYY-MM-DD..YYYY-MM-DD`);
				continue;
			}
			// tldb's A..B holds B whole: [A 00:00Z, B+1 00:00Z).
			parsed.push({text: r, lo: utcMs(+m[1], +m[2], +m[3]),
				hi: utcMs(+m[4], +m[5], +m[6]) + DAY_MS});
		}
		if (!parsed.length)
			bad.push(`ranges.txt:${i + 1}: ${name}: no range`);
		const root = Object.keys(ROOTS).find(p => name.startsWith(p));
		entries.push({name, file: path.join(ROOTS[root], name.slice(root.length)),
			root, ranges: parsed});
	});
	return {entries, bad};
}

/* ---- the run ---- */

function main() {
	if (!fs.existsSync(BIN)) {
		console.error(`no tldb at ${BIN} (set TLDB_BIN)`);
		return 1;
	}
	const {entries, bad: badRanges} = readRanges(path.join(HERE, 'corpus', 'ranges.txt'));
	const {known, bad: badKnown} = readKnown(path.join(HERE, 'known.txt'));
	const problems = [...badRanges, ...badKnown];
	// Every calendar of corpus/ must be compared.
	const listed = new Set(entries.map(e => e.name));
	for (const f of fs.readdirSync(ROOTS['']).sort())
		if (f.endsWith('.ics') && !listed.has(f))
			problems.push(`corpus/${f} has no line in corpus/ranges.txt`);
	if (!fs.existsSync(PYICAL))
		console.log(`SKIP pyical/*: ${PYICAL} is missing (python3-icalendar's test ` +
			'calendars; scripts/deps.sh test installs python3-icalendar)');

	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tldb-conform-'));
	process.on('exit', () => fs.rmSync(tmp, {recursive: true, force: true}));
	// CTest's timeout sends SIGTERM: leave no temporary folder behind.
	for (const sig of ['SIGINT', 'SIGTERM'])
		process.on(sig, () => process.exit(1));

	let ranges = 0;
	let occurrences = 0;
	let checks = 0;
	const unknown = [];
	const done = [];
	for (const [n, e] of entries.entries()) {
		if (only.length && !only.includes(e.name))
			continue;
		if (!fs.existsSync(e.file)) {
			// Another python3-icalendar than Debian 12's 4.0.3 may have
			// moved or dropped its test calendars: that is not a failure.
			if (e.root === 'pyical/' && fs.existsSync(PYICAL))
				console.log(`SKIP ${e.name}: not in this python3-icalendar`);
			else if (e.root !== 'pyical/')
				problems.push(`${e.name}: ${e.file} is missing`);
			continue;
		}
		done.push(e.name);
		const text = fs.readFileSync(e.file, 'utf8');
		const dir = path.join(tmp, String(n));
		fs.mkdirSync(dir);
		const imp = tldb(dir, ['import', e.file, '--timeline', 'conform']);
		const imported = imp.status === 0;
		if (!imported)
			console.log(`${e.name}: tldb refuses it: ${imp.stderr.trim()}`);
		const fileNotes = [];
		let fromFile;
		try {
			fromFile = icaljs(text, e.ranges, fileNotes);
		} catch (err) {
			if (err instanceof TooLong)
				problems.push(`${e.name}: ${err.message}`);
			else
				fileNotes.push(`ical.js refuses the file: ${err.message}`);
			fromFile = e.ranges.map(() => []);
		}
		for (const s of fileNotes)
			console.log(`${e.name}: ${s}`);
		for (const [i, r] of e.ranges.entries()) {
			const notes = [];
			const expected = fromFile[i];
			ranges++;
			occurrences += expected.length;
			const sides = {import: [], export: []};
			if (imported) {
				const q = tldb(dir, ['query', r.text, '--timeline', 'conform', '--format', 'json']);
				if (q.status !== 0)
					throw new Error(`${e.name} ${r.text}: tldb query failed: ${q.stderr}`);
				sides.import = JSON.parse(q.stdout).events.map(ev => ({
					start: tldbStart(ev), title: ev.title}));
				const x = tldb(dir, ['export', '--format', 'ics', r.text, '--timeline', 'conform']);
				if (x.status !== 0)
					throw new Error(`${e.name} ${r.text}: tldb export failed: ${x.stderr}`);
				const xnotes = [];
				try {
					sides.export = icaljs(x.stdout, [r], xnotes)[0];
				} catch (err) {
					if (err instanceof TooLong)
						problems.push(`${e.name} ${r.text} export: ${err.message}`);
					else
						xnotes.push(`ical.js refuses the file: ${err.message}`);
				}
				notes.push(...xnotes.map(s => 'export: ' + s));
			}
			for (const s of notes)
				console.log(`${e.name} ${r.text}: ${s}`);
			for (const stage of ['import', 'export']) {
				checks++;
				const diffs = compare(expected, sides[stage]);
				const tag = `${e.name} ${r.text} ${stage}`;
				if (verbose)
					for (const o of expected)
						console.log(`  ${tag} ical.js ${o.start} "${o.title}"`);
				const shown = {known: 0, NEW: 0};
				for (const d of diffs) {
					const fields = [e.name, r.text, stage, d.kind, d.occ];
					const k = known.find(k => k.pats.every((p, i) => p.test(fields[i])));
					const what = k ? 'known' : 'NEW';
					if (k)
						k.hits++;
					else
						unknown.push(fields.join(' ') + '  ' + d.detail);
					// Long runs are summed up.
					if (verbose || shown[what] < (k ? 5 : 50))
						console.log(`  ${what.padEnd(5)} ${fields.join(' ')}  ${d.detail}`);
					shown[what]++;
				}
				if (!verbose && shown.known > 5)
					console.log(`  known ... ${shown.known - 5} more`);
				if (!verbose && shown.NEW > 50)
					console.log(`  NEW   ... ${shown.NEW - 50} more`);
				console.log(`${diffs.length ? (shown.NEW ? 'FAIL' : 'known') : 'ok   '} ${tag}: ` +
					`${expected.length} from ical.js, ${sides[stage].length} from tldb, ` +
					`${diffs.length} disagreements`);
			}
		}
	}
	// An entry for a calendar that was not compared (skipped, or not
	// asked for) is not stale.
	for (const k of known)
		if (!k.hits && done.some(name => k.pats[0].test(name)))
			console.log(`note: now agrees, remove from known.txt: line ${k.line}: ${k.text}`);
	for (const p of problems)
		console.log(`error: ${p}`);
	console.log(`${done.length} calendars, ${ranges} ranges, ${occurrences} occurrences from ical.js, ` +
		`${checks} comparisons (import and export), ${unknown.length} disagreements not in known.txt`);
	return unknown.length || problems.length ? 1 : 0;
}

process.exitCode = main();
