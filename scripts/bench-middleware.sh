#!/usr/bin/env bash
# What Bulwark's header / CORS / compression middleware costs on a small JSON response: one JVM serving the same
# body bare and behind the middleware (src/test/java/dev/bulwark/http/MiddlewareCostServer.java), driven by wrk as a
# mobile client would call it (Accept-Encoding: gzip, an Origin), primed, interleaved. Traffic only to 127.0.0.1.
#   scripts/bench-middleware.sh [rounds=3] [seconds=20] [connections=16]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
SECS=${2:-20}
CONNS=${3:-16}
BARE=18281
FULL=18282
[ -f target/bulwark.jar ] && [ -d target/test-classes ] || mvn -B -q -DskipTests package
java -Xms256m -Xmx256m -cp target/bulwark.jar:target/test-classes dev.bulwark.http.MiddlewareCostServer $BARE $FULL &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -fsS -o /dev/null "http://127.0.0.1:$FULL/api/status" 2>/dev/null && break; sleep 0.5; done
curl -fsS -D - -o /dev/null -H 'Origin: https://app.example.com' "http://127.0.0.1:$FULL/api/status" | sed 's/^/  /'

run() { wrk -t1 -c"$CONNS" -d"$2"s --latency -H 'Accept-Encoding: gzip' -H 'Origin: https://app.example.com' \
  "http://127.0.0.1:$1/api/status"; }
summary() {
  printf '%-22s %10s req/s  p50 %8s  p99 %8s\n' "$1" "$(awk '/Requests\/sec/ {print $2}' <<<"$2")" \
    "$(awk '$1=="50%" {print $2}' <<<"$2")" "$(awk '$1=="99%" {print $2}' <<<"$2")"
}
echo "priming 60 s each"
run $BARE 60 >/dev/null
run $FULL 60 >/dev/null
for r in $(seq 1 "$ROUNDS"); do
  summary "bare       round $r" "$(run $BARE "$SECS")"
  summary "middleware round $r" "$(run $FULL "$SECS")"
done
