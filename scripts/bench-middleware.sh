#!/usr/bin/env bash
# What each of Bulwark's platform middlewares costs per request, found by switching each off: one JVM serves the
# same small JSON bare, behind all of them (request id, HTTP meters, JSON access log, request timeout, security
# headers, CORS, compression on), and behind all but one, for each
# (src/test/java/dev/bulwark/MiddlewareCostServer.java). wrk drives each in turn as a mobile client calls it
# (Accept-Encoding: gzip, an Origin), primed, rounds interleaved with the order rotating; the JVM's CPU time per
# request answered (/proc utime+stime) is the cost. The access log's JSON lines are encoded and written to /dev/null
# (tens of thousands a second would otherwise measure the disk's writeback, not the middleware). Traffic only to
# 127.0.0.1, every run bounded.
#   scripts/bench-middleware.sh [rounds=3] [seconds=10] [connections=16]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
SECS=${2:-10}
CONNS=${3:-16}
FIRST=18300
[ -f target/bulwark.jar ] && [ -d target/test-classes ] || mvn -B -q -DskipTests package
WORK=$(mktemp -d /tmp/bulwark-middleware.XXXXXX)
java -Xms512m -Xmx512m -XX:+UseParallelGC -cp target/bulwark.jar:target/test-classes \
  dev.bulwark.MiddlewareCostServer $FIRST >/dev/null 2>"$WORK/server.log" &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do grep -q ' without-compression$' "$WORK/server.log" 2>/dev/null && break; sleep 0.5; done
mapfile -t SERVERS < <(grep -E '^[0-9]+ [a-z-]+$' "$WORK/server.log")
[ ${#SERVERS[@]} -ge 3 ] || { echo "fixture did not start; see $WORK/server.log" >&2; exit 1; }
curl -fsS -D - -o /dev/null -H 'Origin: https://app.example.com' "http://127.0.0.1:$FIRST/api/status" >/dev/null

cpu() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
TICK=$(getconf CLK_TCK)
run() { timeout $(( $2 + 30 )) wrk -t1 -c"$CONNS" -d"$2"s --latency -H 'Accept-Encoding: gzip' \
  -H 'Origin: https://app.example.com' "http://127.0.0.1:$1/api/status"; }
echo "load before: $(cat /proc/loadavg); ${#SERVERS[@]} servers; $CONNS connections; ${SECS} s per run"
echo "priming 10 s each"
for s in "${SERVERS[@]}"; do run "${s%% *}" 10 >/dev/null; done
RESULTS="$WORK/results"
: >"$RESULTS"
for r in $(seq 1 "$ROUNDS"); do
  n=${#SERVERS[@]}
  for i in $(seq 0 $(( n - 1 ))); do
    s=${SERVERS[$(( (i + r - 1) % n ))]}
    port=${s%% *}; name=${s#* }
    c0=$(cpu); out=$(run "$port" "$SECS"); c1=$(cpu)
    reqs=$(awk '/requests in/ {print $1}' <<<"$out")
    us=$(awk -v c=$(( c1 - c0 )) -v t="$TICK" -v n="$reqs" 'BEGIN {printf "%.2f", c * 1e6 / t / n}')
    printf 'r%d %-26s %10s req/s  p50 %8s  p99 %8s  jvm %6s us/req\n' "$r" "$name" \
      "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" "$(awk '$1=="50%" {print $2}' <<<"$out")" \
      "$(awk '$1=="99%" {print $2}' <<<"$out")" "$us"
    echo "$name $us" >>"$RESULTS"
  done
done
echo
echo "median JVM CPU per request, and what switching each middleware off saves (all − without):"
python3 - "$RESULTS" <<'PY'
import sys, statistics, collections
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, us = line.split()
    runs[name].append(float(us))
med = {k: statistics.median(v) for k, v in runs.items()}
print(f"  {'bare':26s} {med['bare']:7.2f} us")
print(f"  {'all':26s} {med['all']:7.2f} us   (all − bare: {med['all'] - med['bare']:+.2f} us)")
for k in runs:
    if k.startswith('without-'):
        print(f"  {k:26s} {med[k]:7.2f} us   {k[8:]} costs {med['all'] - med[k]:+.2f} us")
PY
echo "load after: $(cat /proc/loadavg)"
