#!/usr/bin/env bash
# What the rate limiter adds to an authenticated read: two Bulwark processes on one PostgreSQL and one Redis, one
# with the limiter on (production-shaped rules with limits too high to refuse) and one with it off (the revocation
# check alone: the same gate with no rules, one EVALSHA), the same GET /api/v1/tasks (20 items) driven by wrk against each, primed, interleaved.
# Traffic goes only to 127.0.0.1; every run is bounded. Needs: wrk, curl, a built target/bulwark.jar.
#   scripts/bench-limiter-overhead.sh [rounds=3] [seconds=30] [connections="4 32"]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
SECONDS_PER_RUN=${2:-30}
CONNECTIONS=${3:-"4 32"}
WORK=$(mktemp -d /tmp/bulwark-limiter-bench.XXXXXX)
ON_PORT=18181
OFF_PORT=18182
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

JAVA_OPTS=(-Xms512m -Xmx512m -XX:+UseParallelGC)
RULES='[{"name":"global","match":"/**","key":"ip","limits":["999999999/1m","999999999/1h"]},{"name":"delete","match":"DELETE /api/v1/**","key":"user","limits":["999999999/1m"]}]'

wait_ready() {
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$1/ready" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "server on $1 did not become ready" >&2
  exit 1
}

# Limiter on: development profile with embedded PostgreSQL and Redis of its own (fresh data dir).
RATE_LIMIT_RULES=$RULES HTTP_PORT=$ON_PORT DEV_DATA_DIR=$WORK/dev ACCESS_TOKEN_EXPIRE_MINUTES=120 \
  java "${JAVA_OPTS[@]}" -DdevServices.postgresPort=57432 -DdevServices.redisPort=57379 -Dhttp.accessLog=false \
  -jar target/bulwark.jar >"$WORK/on.log" 2>&1 &
PIDS+=($!)
wait_ready $ON_PORT
# Limiter off: the same services.
RATE_LIMIT_ENABLED=false HTTP_PORT=$OFF_PORT ACCESS_TOKEN_EXPIRE_MINUTES=120 \
  DATABASE_URL=postgresql://postgres@127.0.0.1:57432/postgres REDIS_URL=redis://127.0.0.1:57379 \
  java "${JAVA_OPTS[@]}" -Dhttp.accessLog=false -jar target/bulwark.jar >"$WORK/off.log" 2>&1 &
PIDS+=($!)
wait_ready $OFF_PORT

EMAIL="bench-$(date +%s)@example.com"
TOKEN=$(curl -fsS -H 'Content-Type: application/json' \
  -d "{\"email\":\"$EMAIL\",\"password\":\"bench-password-Zq81\"}" \
  "http://127.0.0.1:$ON_PORT/api/v1/auth/signup" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
for i in $(seq 1 20); do
  curl -fsS -o /dev/null -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" \
    -d "{\"title\":\"task $i\",\"notes\":\"some notes for task $i\"}" "http://127.0.0.1:$ON_PORT/api/v1/tasks"
done

run() { # port connections seconds
  wrk -t1 -c"$2" -d"$3"s --latency -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$1/api/v1/tasks?limit=20"
}
summary() { # label output
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$2")
  p50=$(awk '$1=="50%" {print $2}' <<<"$2")
  p99=$(awk '$1=="99%" {print $2}' <<<"$2")
  printf '%-28s %10s req/s  p50 %8s  p99 %8s\n' "$1" "$rps" "$p50" "$p99"
}

echo "priming both for 60 s each (limiter on: $ON_PORT, off: $OFF_PORT)"
run $ON_PORT 16 60 >/dev/null
run $OFF_PORT 16 60 >/dev/null
curl -fsS "http://127.0.0.1:$ON_PORT/api/v1/tasks?limit=1" -H "Authorization: Bearer $TOKEN" -D - -o /dev/null \
  | grep -i '^ratelimit' || { echo "limiter headers missing on $ON_PORT" >&2; exit 1; }

for c in $CONNECTIONS; do
  for r in $(seq 1 "$ROUNDS"); do
    summary "on  c=$c round $r" "$(run $ON_PORT "$c" "$SECONDS_PER_RUN")"
    summary "off c=$c round $r" "$(run $OFF_PORT "$c" "$SECONDS_PER_RUN")"
  done
done
