#!/usr/bin/env bash
# bench/serve.sh BUILD_DIR -- the feed server benchmark (issue 5): `tldb
# serve` (BUILD_DIR/tldb) against nginx serving the same bytes as a static
# file, in one run, on 127.0.0.1 only.
#
#   1. A database under BUILD_DIR/bench/serve with two timelines made by
#      ../shared/bench/gen_events.py: "feed1k" (1,000 events) and "feed10k"
#      (10,000 events), loaded with `tldb import`.
#   2. `tldb serve --listen 127.0.0.1:0 --access-log /dev/null`; the very
#      first request is /t/feed10k.ics (uncached, cold).  /t/feed1k.ics is
#      fetched once with curl and its bytes become nginx's static file
#      t/feed1k.ics (private config, its own free port, 2 workers,
#      access_log off, etag on, sendfile).
#   3. wrk -t2 -c64 -d10s --latency against both, for the 200 (no
#      validator) and the 304 path (If-None-Match with each server's own
#      ETag), $SERVE_ROUNDS rounds, alternating which server goes first;
#      the medians are reported.  The servers' CPU time per request comes
#      from /proc/PID/task/*/schedstat.
#   4. The uncached 10,000-event feed: a write to another timeline (which
#      moves the server's database generation and SQLite's data version),
#      then the time of one request, $SERVE_RENDER_REPS times; median.
#   5. Memory: the server's VmRSS sampled every second while two wrk runs
#      (200 and 304 paths, 32 connections each) run in 30 s slices until
#      they total $SERVE_LONG_REQUESTS requests and at least
#      $SERVE_LONG_MIN_SECS seconds (the cache's 60 s age limit makes the
#      feed render again twice or more on the way).
#
# Prints the raw wrk figures and a markdown table with the targets; also
# RESULT lines (RESULT bench=serve server=S path=P metric=M value=V unit=U).
# Exits non-zero when the benchmark could not run (a server failed, the
# bytes differ, a 304 is not a 304); a missed target is a result, not a
# failure.
#
# Environment: SERVE_DURATION (10s), SERVE_THREADS (2), SERVE_CONNS (64),
# SERVE_ROUNDS (3), SERVE_RENDER_REPS (7), SERVE_LONG_REQUESTS (1000000),
# SERVE_LONG_MIN_SECS (150), GEN_EVENTS (path of gen_events.py).
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: bench/serve.sh BUILD_DIR" >&2
	exit 2
fi
build=$(cd "$1" && pwd)
repo=$(cd "$(dirname "$0")/.." && pwd)
tldb=$build/tldb
gen=${GEN_EVENTS:-$repo/../shared/bench/gen_events.py}
duration=${SERVE_DURATION:-10s}
wthreads=${SERVE_THREADS:-2}
conns=${SERVE_CONNS:-64}
rounds=${SERVE_ROUNDS:-3}
render_reps=${SERVE_RENDER_REPS:-7}
long_requests=${SERVE_LONG_REQUESTS:-1000000}
long_min_secs=${SERVE_LONG_MIN_SECS:-150}
out=$build/bench/serve
db=$out/tldb.db

die() {
	echo "bench/serve.sh: $*" >&2
	exit 1
}

for tool in wrk nginx curl python3 awk; do
	command -v "$tool" >/dev/null 2>&1 ||
		die "$tool is missing (scripts/deps.sh bench installs it)"
done
[ -x "$tldb" ] || die "$tldb is missing (make build)"
[ -f "$gen" ] || die "$gen is missing (set GEN_EVENTS)"

# The system nginx (started by installing the package) would compete for
# the CPUs and listens on 0.0.0.0:80: stop it.
if [ -s /run/nginx.pid ] && kill -0 "$(cat /run/nginx.pid)" 2>/dev/null; then
	if [ "$(id -u)" -eq 0 ] && command -v service >/dev/null 2>&1; then
		echo "bench/serve.sh: stopping the system nginx service" >&2
		service nginx stop >&2
	else
		die "the system nginx is running; stop it first"
	fi
fi

rm -rf "$out"
mkdir -p "$out/data" "$out/www/t" "$out/nginx/tmp" "$out/wrk"

tldb_pid=
nginx_pid=
sampler_pid=
cleanup() {
	if [ -n "$sampler_pid" ]; then kill "$sampler_pid" 2>/dev/null || true; fi
	if [ -n "$tldb_pid" ]; then
		kill -TERM "$tldb_pid" 2>/dev/null || true
		wait "$tldb_pid" 2>/dev/null || true
	fi
	if [ -n "$nginx_pid" ]; then
		kill -QUIT "$nginx_pid" 2>/dev/null || true
		wait "$nginx_pid" 2>/dev/null || true
	fi
	rm -f "$db" "$db"-wal "$db"-shm "$out"/data/*.jsonl
}
trap cleanup EXIT

free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# CPU time (ns) used so far by the processes given, all their threads.
cpu_ns() {
	local pid t sum=0
	for pid in "$@"; do
		for t in /proc/"$pid"/task/*/schedstat; do
			[ -r "$t" ] || continue
			sum=$((sum + $(cut -d' ' -f1 "$t")))
		done
	done
	echo "$sum"
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# ---- data ----

echo "== data ==" >&2
python3 "$gen" 1000 "$out/data" --formats jsonl --prefix feed1k >/dev/null
# Another seed: other uids, so the two timelines share no event.
python3 "$gen" 10000 "$out/data" --formats jsonl --prefix feed10k \
	--seed 2 >/dev/null
"$tldb" --db "$db" import --timeline feed1k "$out/data/feed1k.jsonl" >&2
"$tldb" --db "$db" import --timeline feed10k "$out/data/feed10k.jsonl" >&2
# Where the writes that invalidate the server's cache go (step 4).
"$tldb" --db "$db" timeline create scratch >&2

# ---- tldb serve ----

"$tldb" --db "$db" serve --listen 127.0.0.1:0 --access-log /dev/null \
	>"$out/serve.out" 2>"$out/serve.err" &
tldb_pid=$!
tldb_url=
for _ in $(seq 100); do
	tldb_url=$(sed -n 's|^tldb: serving \(http://[^/]*\)/.*|\1|p' \
		"$out/serve.out")
	[ -n "$tldb_url" ] && break
	kill -0 "$tldb_pid" 2>/dev/null || break
	sleep 0.1
done
[ -n "$tldb_url" ] || die "tldb serve did not start: $(cat "$out/serve.err")"
rss_idle=$(rss_kb "$tldb_pid")

# The very first request: the uncached 10,000-event feed on a cold server
# (the worker opens its database connection).
cold=$(curl -sS -o "$out/feed10k.ics" -w '%{http_code} %{time_total}' \
	"$tldb_url/t/feed10k.ics")
[ "${cold%% *}" = 200 ] || die "/t/feed10k.ics answered ${cold%% *}"
cold_ms=$(awk -v t="${cold#* }" 'BEGIN {printf "%.1f", t * 1000}')
feed10k_bytes=$(stat -c %s "$out/feed10k.ics")

# The 1,000-event feed, whose bytes nginx serves.
code=$(curl -sS -o "$out/www/t/feed1k.ics" -D "$out/tldb.head" \
	-w '%{http_code}' "$tldb_url/t/feed1k.ics")
[ "$code" = 200 ] || die "/t/feed1k.ics answered $code"
feed_bytes=$(stat -c %s "$out/www/t/feed1k.ics")
etag_of() { sed -n 's/^[Ee][Tt][Aa][Gg]: *\([^\r]*\).*/\1/p' "$1"; }
tldb_etag=$(etag_of "$out/tldb.head")
[ -n "$tldb_etag" ] || die "tldb sent no ETag"

# ---- nginx ----

nginx_port=$(free_port)
prefix=$out/nginx
cat >"$prefix/nginx.conf" <<EOF
# nginx for bench/serve.sh: the same bytes as a static file.
worker_processes 2;
pid $prefix/nginx.pid;
error_log $prefix/error.log warn;
events {
	worker_connections 1024;
}
http {
	access_log off;
	types {
		text/calendar ics;
	}
	default_type application/octet-stream;
	charset utf-8;
	charset_types text/calendar;
	sendfile on;
	tcp_nopush on;
	tcp_nodelay on;
	etag on;
	open_file_cache max=16 inactive=60s;
	keepalive_timeout 65s;
	# tldb closes no keep-alive connection after N requests; nor does
	# this nginx (its default, 1000, would add reconnections to its side).
	keepalive_requests 100000000;
	client_body_temp_path $prefix/tmp/body;
	proxy_temp_path $prefix/tmp/proxy;
	fastcgi_temp_path $prefix/tmp/fastcgi;
	uwsgi_temp_path $prefix/tmp/uwsgi;
	scgi_temp_path $prefix/tmp/scgi;
	server {
		listen 127.0.0.1:$nginx_port;
		root $out/www;
	}
}
EOF
chmod -R a+rX "$out/www"
nginx -e "$prefix/error.log" -c "$prefix/nginx.conf" -p "$prefix" \
	-g 'daemon off;' 2>>"$prefix/stderr.log" &
nginx_pid=$!
nginx_url=http://127.0.0.1:$nginx_port
for _ in $(seq 100); do
	curl -s -o /dev/null "$nginx_url/" && break
	kill -0 "$nginx_pid" 2>/dev/null ||
		die "nginx did not start: $(cat "$prefix/error.log")"
	sleep 0.1
done
code=$(curl -sS -o "$out/nginx.body" -D "$out/nginx.head" -w '%{http_code}' \
	"$nginx_url/t/feed1k.ics")
[ "$code" = 200 ] || die "nginx answered $code: $(cat "$prefix/error.log")"
cmp -s "$out/nginx.body" "$out/www/t/feed1k.ics" ||
	die "nginx and tldb sent different bytes"
nginx_etag=$(etag_of "$out/nginx.head")
[ -n "$nginx_etag" ] || die "nginx sent no ETag"
# shellcheck disable=SC2046 # a list of pids
nginx_pids() { echo "$nginx_pid" $(pgrep -P "$nginx_pid" || true); }

# Both 304 paths must be 304s.
for pair in "$tldb_url|$tldb_etag" "$nginx_url|$nginx_etag"; do
	code=$(curl -sS -o /dev/null -w '%{http_code}' \
		-H "If-None-Match: ${pair#*|}" "${pair%%|*}/t/feed1k.ics")
	[ "$code" = 304 ] || die "${pair%%|*}: If-None-Match answered $code"
done

# ---- wrk ----

# Latency "12.34ms" -> milliseconds.
to_ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		f = u == "us" ? 0.001 : u == "ms" ? 1 : u == "s" ? 1000 : u == "m" ? 60000 : -1
		if (f < 0) { print "nan"; exit }
		printf "%.3f", n * f
	}'
}
# "12.5MB" -> bytes.
to_bytes() {
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		f = u == "B" ? 1 : u == "KB" ? 1024 : u == "MB" ? 1048576 : u == "GB" ? 1073741824 : u == "TB" ? 1099511627776 : 0
		printf "%.0f", n * f
	}'
}

# run_wrk NAME SERVER PATH -> $out/wrk/NAME.txt, and a line in figures.txt:
# name server path rps p99_ms p50_ms requests bytes_per_req errors cpu_us_per_req load
run_wrk() {
	local name=$1 server=$2 path=$3 url etag pids
	if [ "$server" = tldb ]; then
		url=$tldb_url etag=$tldb_etag pids=$tldb_pid
	else
		url=$nginx_url etag=$nginx_etag pids=$(nginx_pids)
	fi
	local hdr=()
	[ "$path" = 304 ] && hdr=(-H "If-None-Match: $etag")
	local f=$out/wrk/$name.txt load0 c0 c1
	load0=$(loadavg)
	# shellcheck disable=SC2086 # pids is a list
	c0=$(cpu_ns $pids)
	wrk -t"$wthreads" -c"$conns" -d"$duration" --latency "${hdr[@]}" \
		"$url/t/feed1k.ics" >"$f" 2>&1 || die "wrk failed: $(cat "$f")"
	# shellcheck disable=SC2086
	c1=$(cpu_ns $pids)
	local rps p99 p50 reqs read errs bpr cpu
	rps=$(awk '/^Requests\/sec:/ {print $2}' "$f")
	p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$f")")
	p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$f")")
	reqs=$(awk '/ requests in / {print $1}' "$f")
	read=$(to_bytes "$(awk '/ requests in / {print $5}' "$f")")
	errs=$(awk '/Socket errors:/ {e += $4 + $6 + $8 + $10}
		/Non-2xx or 3xx/ {e += $NF} END {print e + 0}' "$f" | tr -d ,)
	bpr=$(awk -v b="$read" -v n="$reqs" 'BEGIN {printf "%.0f", n ? b / n : 0}')
	cpu=$(awk -v d=$((c1 - c0)) -v n="$reqs" \
		'BEGIN {printf "%.1f", n ? d / 1000 / n : 0}')
	echo "$name $server $path $rps $p99 $p50 $reqs $bpr $errs $cpu" \
		"$load0 / $(loadavg)" >>"$out/figures.txt"
	printf '%-16s %6s %s: %10.0f req/s  p50 %8.3f ms  p99 %8.3f ms  %9s req  %7s B/req  %s err  %6.1f us CPU/req  load %s -> %s\n' \
		"$name" "$server" "$path" "$rps" "$p50" "$p99" "$reqs" "$bpr" \
		"$errs" "$cpu" "$load0" "$(loadavg)" >&2
}

echo "== wrk -t$wthreads -c$conns -d$duration --latency, $feed_bytes-byte feed ==" >&2
: >"$out/figures.txt"
# Warm-up, not counted.
saved=$duration
duration=2s
run_wrk warmup-tldb tldb 200
run_wrk warmup-nginx nginx 200
duration=$saved
: >"$out/figures.txt"
for r in $(seq "$rounds"); do
	if [ $((r % 2)) = 1 ]; then order="tldb nginx"; else order="nginx tldb"; fi
	for path in 200 304; do
		for server in $order; do
			run_wrk "r$r-$server-$path" "$server" "$path"
		done
	done
done

# Median of column COL over the rows of server S and path P.
median() {
	awk -v s="$1" -v p="$2" -v c="$3" '$2 == s && $3 == p {print $c}' \
		"$out/figures.txt" | sort -g |
		awk '{v[NR] = $1} END {
			if (NR == 0) { print "nan"; exit }
			if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2
		}'
}

# ---- the uncached 10,000-event feed ----

echo "== uncached /t/feed10k.ics ($feed10k_bytes bytes) ==" >&2
render_times=()
render_cpu=()
for i in $(seq "$render_reps"); do
	"$tldb" --db "$db" add --timeline scratch --title "change $i" \
		--start 2020-01-01 >/dev/null
	sleep 0.5 # the server's file watcher sees the write
	c0=$(cpu_ns "$tldb_pid")
	res=$(curl -sS -o /dev/null -w '%{http_code} %{time_total} %{size_download}' \
		"$tldb_url/t/feed10k.ics")
	c1=$(cpu_ns "$tldb_pid")
	read -r code secs size <<<"$res"
	if [ "$code" != 200 ] || [ "$size" != "$feed10k_bytes" ]; then
		die "/t/feed10k.ics answered $code with $size bytes"
	fi
	render_times+=("$(awk -v t="$secs" 'BEGIN {printf "%.1f", t * 1000}')")
	render_cpu+=("$(awk -v d=$((c1 - c0)) 'BEGIN {printf "%.1f", d / 1e6}')")
	# A second request must come from the cache.
	cached=$(curl -sS -o /dev/null -w '%{time_total}' "$tldb_url/t/feed10k.ics")
	echo "  after change $i: ${render_times[-1]} ms (server CPU ${render_cpu[-1]} ms; then cached $(awk -v t="$cached" 'BEGIN {printf "%.1f", t * 1000}') ms)" >&2
done
med() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {
	if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
render_ms=$(med "${render_times[@]}")
render_cpu_ms=$(med "${render_cpu[@]}")

# ---- memory over a long run ----

echo "== memory: wrk on both paths until $long_requests requests and $long_min_secs s ==" >&2
rss_start=$(rss_kb "$tldb_pid")
(
	while kill -0 "$tldb_pid" 2>/dev/null; do
		echo "$(date +%s) $(rss_kb "$tldb_pid")"
		sleep 1
	done
) >"$out/rss.txt" 2>/dev/null &
sampler_pid=$!
long_total=0
long_secs=0
half=$((conns / 2))
slice=0
while [ "$long_total" -lt "$long_requests" ] ||
	[ "$long_secs" -lt "$long_min_secs" ]; do
	slice=$((slice + 1))
	wrk -t1 -c"$half" -d30s "$tldb_url/t/feed1k.ics" \
		>"$out/wrk/long-$slice-200.txt" 2>&1 &
	w200=$!
	wrk -t1 -c"$half" -d30s -H "If-None-Match: $tldb_etag" \
		"$tldb_url/t/feed1k.ics" >"$out/wrk/long-$slice-304.txt" 2>&1 ||
		die "wrk failed"
	wait "$w200" || die "wrk failed"
	n200=$(awk '/ requests in / {print $1}' "$out/wrk/long-$slice-200.txt")
	n304=$(awk '/ requests in / {print $1}' "$out/wrk/long-$slice-304.txt")
	long_total=$((long_total + n200 + n304))
	long_secs=$((long_secs + 30))
	echo "  slice $slice: $n200 x 200 + $n304 x 304, total $long_total, RSS $(rss_kb "$tldb_pid") kB" >&2
done
sleep 2
kill "$sampler_pid" 2>/dev/null || true
wait "$sampler_pid" 2>/dev/null || true
sampler_pid=
rss_end=$(rss_kb "$tldb_pid")
rss_max=$(awk -v m="$rss_end" '$2 > m {m = $2} END {print m}' "$out/rss.txt")
rss_hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$tldb_pid/status")
# Flat: less than 4 MiB of growth over the run -- a leak of one small
# allocation per request would be tens of MB over 1,000,000 requests.
rss_growth=$((rss_end - rss_start))

kill -TERM "$tldb_pid"
wait "$tldb_pid" || die "tldb serve did not exit 0 on SIGTERM"
tldb_pid=

# ---- the report ----

cpu=$(grep -m1 '^model name' /proc/cpuinfo | sed 's/^[^:]*: *//' || true)
t200=$(median tldb 200 4) n200=$(median nginx 200 4)
t304=$(median tldb 304 4) n304=$(median nginx 304 4)
tp200=$(median tldb 200 5) np200=$(median nginx 200 5)
tp304=$(median tldb 304 5) np304=$(median nginx 304 5)
tc200=$(median tldb 200 10) nc200=$(median nginx 200 10)
tc304=$(median tldb 304 10) nc304=$(median nginx 304 10)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }
verdict() { if awk -v x="$1" "BEGIN {exit !($2)}"; then echo met; else echo "**missed**"; fi; }
r200=$(ratio "$t200" "$n200") r304=$(ratio "$t304" "$n304")
l200=$(ratio "$tp200" "$np200") l304=$(ratio "$tp304" "$np304")
mib() { awk -v k="$1" 'BEGIN {printf "%.1f MiB", k / 1024}'; }
# The ratio of requests/s in each round, for path $1.
by_round() {
	awk -v p="$1" '$3 == p {split($1, n, "-"); r[n[1] " " $2] = $4}
		END {
			for (i = 1; ("r" i " tldb") in r; i++)
				printf "%s%.2f", (i > 1 ? " " : ""), r["r" i " tldb"] / r["r" i " nginx"]
		}' "$out/figures.txt"
}

cat <<EOF
## tldb serve vs nginx

- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)
- machine: $(nproc) CPUs, ${cpu:-unknown CPU}; $(nginx -v 2>&1 | sed 's/^nginx version: //'), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)
- feed: /t/feed1k.ics, 1,000 events, $feed_bytes bytes, no gzip (wrk sends no Accept-Encoding)
- wrk -t$wthreads -c$conns -d$duration --latency, $rounds rounds (medians below; every run in $out/wrk)
- load average (1/5/15 min) at the end: $(loadavg)

| figure | tldb | nginx | tldb / nginx | target | |
|---|---:|---:|---:|---|---|
| 200: requests/s | $(printf '%.0f' "$t200") | $(printf '%.0f' "$n200") | $r200 | ≥ 0.80 | $(verdict "$r200" "x >= 0.8") |
| 200: p99 latency | $tp200 ms | $np200 ms | $l200 | ≤ 2.00 | $(verdict "$l200" "x <= 2") |
| 200: server CPU per request | $tc200 µs | $nc200 µs | $(ratio "$tc200" "$nc200") | - | |
| 304: requests/s | $(printf '%.0f' "$t304") | $(printf '%.0f' "$n304") | $r304 | ≥ 0.80 | $(verdict "$r304" "x >= 0.8") |
| 304: p99 latency | $tp304 ms | $np304 ms | $l304 | ≤ 2.00 | $(verdict "$l304" "x <= 2") |
| 304: server CPU per request | $tc304 µs | $nc304 µs | $(ratio "$tc304" "$nc304") | - | |
| uncached 10,000-event feed ($feed10k_bytes bytes), median of $render_reps | $render_ms ms | - | - | < 50 ms | $(verdict "$render_ms" "x < 50") |
| memory over $long_total requests ($long_secs s): start / end / max RSS | $(mib "$rss_start") / $(mib "$rss_end") / $(mib "$rss_max") | - | - | flat (< 4 MiB growth) | $(verdict "$rss_growth" "x < 4096") |

tldb / nginx requests/s by round: $(by_round 200) (200); $(by_round 304) (304).

Per run (requests/s, p50 and p99 in ms, bytes read per request, errors, server CPU µs per request, load average before / after):

\`\`\`
$(awk '{printf "%-14s %9.0f req/s  p50 %8.3f  p99 %8.3f  %7s B/req  %s err  %6.1f us CPU  load %s %s %s %s %s %s %s\n", $1, $4, $6, $5, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17}' "$out/figures.txt")
\`\`\`

Uncached 10,000-event feed: first request after start $cold_ms ms; after a
write to another timeline: ${render_times[*]} ms (server CPU
${render_cpu[*]} ms; median $render_cpu_ms ms).  RSS idle after start
$(mib "$rss_idle"), VmHWM at the end $(mib "$rss_hwm").

EOF
for s in tldb nginx; do
	for p in 200 304; do
		echo "RESULT bench=serve server=$s path=$p metric=rps value=$(median $s $p 4) unit=req/s"
		echo "RESULT bench=serve server=$s path=$p metric=p99 value=$(median $s $p 5) unit=ms"
		echo "RESULT bench=serve server=$s path=$p metric=cpu value=$(median $s $p 10) unit=us/req"
	done
done
echo "RESULT bench=serve server=tldb metric=uncached10k value=$render_ms unit=ms"
echo "RESULT bench=serve server=tldb metric=cold10k value=$cold_ms unit=ms"
echo "RESULT bench=serve server=tldb metric=rss_start value=$rss_start unit=kB"
echo "RESULT bench=serve server=tldb metric=rss_end value=$rss_end unit=kB"
echo "RESULT bench=serve server=tldb metric=rss_max value=$rss_max unit=kB"
echo "RESULT bench=serve server=tldb metric=long_requests value=$long_total unit=requests"
