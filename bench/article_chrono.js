// bench/article_chrono.js -- chrono-node (npm) over the same text as the
// article importer, for bench/article.sh.
//
//   node article_chrono.js speed FILE YYYY-MM-DD ROUNDS
//       parses FILE ROUNDS times with the reference date; prints
//       "RESULT engine=chrono-node bytes=N seconds=S found=K"
//   node article_chrono.js list FILE YYYY-MM-DD
//       prints one line per date found: "TEXT<TAB>VALUE", VALUE at the
//       precision chrono is certain of (a day, month or year; "A/B" for a
//       range)
'use strict';
const fs = require('fs');
const chrono = require('chrono-node');

function value(c) {
	const y = c.get('year'), m = c.get('month'), d = c.get('day');
	const pad = (n) => String(n).padStart(2, '0');
	if (c.isCertain('day') || c.isCertain('weekday'))
		return `${y}-${pad(m)}-${pad(d)}`;
	if (c.isCertain('month'))
		return `${y}-${pad(m)}`;
	if (c.isCertain('year'))
		return `${y}`;
	return `${y}-${pad(m)}-${pad(d)}`; /* implied: chrono invents a day */
}

const [mode, file, day, rounds] = process.argv.slice(2);
const text = fs.readFileSync(file, 'utf8');
const ref = new Date(`${day}T12:00:00Z`);
if (mode === 'speed') {
	const n = Number(rounds || 1);
	let found = 0;
	const t0 = process.hrtime.bigint();
	for (let i = 0; i < n; i++)
		found = chrono.parse(text, ref).length;
	const s = Number(process.hrtime.bigint() - t0) / 1e9;
	console.log(`RESULT engine=chrono-node bytes=${Buffer.byteLength(text) * n} seconds=${s.toFixed(3)} found=${found}`);
} else {
	for (const r of chrono.parse(text, ref)) {
		let v = value(r.start);
		if (r.end)
			v += '/' + value(r.end);
		console.log(`${r.text.replace(/\s+/g, ' ')}\t${v}`);
	}
}
