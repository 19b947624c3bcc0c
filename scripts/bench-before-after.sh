#!/usr/bin/env bash
# Before/after for a change on the hot path: authenticated GET /api/v1/tasks?limit=20 (20 items) on two Bulwark jars
# sharing one embedded PostgreSQL + Redis (the NEW jar starts them and migrates; the OLD one must accept a newer
# schema), same token, production-shaped rate-limit rules at unreachable counts, JSON logs with the access log on (to
# a file, as in production), each primed 60 s, then runs
# interleaved (order alternating per round) with wrk. Traffic only to 127.0.0.1, every run bounded.
#   scripts/bench-before-after.sh OLD_JAR NEW_JAR [rounds=3] [seconds=20] [connections="4 64"]
# AB_OLD_ENV / AB_NEW_ENV: extra KEY=VALUE settings for one side (the same jar twice then compares a setting, e.g.
#   AB_NEW_ENV="OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 OTEL_TRACES_SAMPLER_ARG=0.1").
set -euo pipefail
OLD=$1; NEW=$2; ROUNDS=${3:-3}; SECS=${4:-20}; CONNS=${5:-"4 64"}
WORK=$(mktemp -d /tmp/bulwark-ab.XXXXXX)
PIDS=()
# the old server first, each waited for: it is a client of the services the new one started and stops
cleanup() { local i; for (( i = ${#PIDS[@]} - 1; i >= 0; i-- )); do kill -TERM "${PIDS[$i]}" 2>/dev/null || true; wait "${PIDS[$i]}" 2>/dev/null || true; done; }
trap cleanup EXIT
SECRET=q8V2mT7rXw4nLp9sKd3hFj6bGz1cYe5aRu0oPl2Nx
PEPPER=W3nR8tYq2LzX6vBd1KpM9sHf4JcGe7Ua0oTi5QxNb
RULES='[{"name":"global","match":"/**","key":"ip","limits":["999999999/1m","999999999/1h"]},{"name":"delete","match":"DELETE /api/v1/**","key":"user","limits":["999999999/1m"]}]'
JAVA_OPTS=(-Xms512m -Xmx512m -XX:+UseParallelGC)
wait_ready() { for _ in $(seq 1 240); do curl -fsS "http://127.0.0.1:$1/ready" >/dev/null 2>&1 && return 0; sleep 0.5; done; echo "no ready on $1" >&2; exit 1; }
# new jar: development profile with its embedded services (it migrates the schema to its version)
# shellcheck disable=SC2086
env ${AB_NEW_ENV:-} ENVIRONMENT=development JWT_SECRET_KEY=$SECRET PASSWORD_PEPPER=$PEPPER "RATE_LIMIT_RULES=$RULES" HTTP_PORT=18282 \
  DEV_DATA_DIR=$WORK/dev ACCESS_TOKEN_EXPIRE_MINUTES=120 LOG_LEVEL=INFO LOG_FORMAT=json \
  timeout 3600 java "${JAVA_OPTS[@]}" -DdevServices.postgresPort=57532 -DdevServices.redisPort=57479 -jar "$NEW" >"$WORK/new.log" 2>&1 &
PIDS+=($!); wait_ready 18282
# shellcheck disable=SC2086
env ${AB_OLD_ENV:-} ENVIRONMENT=development JWT_SECRET_KEY=$SECRET PASSWORD_PEPPER=$PEPPER "RATE_LIMIT_RULES=$RULES" HTTP_PORT=18281 \
  DATABASE_URL=postgresql://postgres@127.0.0.1:57532/postgres REDIS_URL=redis://127.0.0.1:57479 \
  ACCESS_TOKEN_EXPIRE_MINUTES=120 LOG_LEVEL=INFO LOG_FORMAT=json \
  timeout 3600 java "${JAVA_OPTS[@]}" -jar "$OLD" >"$WORK/old.log" 2>&1 &
PIDS+=($!); wait_ready 18281
TOKEN=$(curl -fsS -H 'Content-Type: application/json' -d "{\"email\":\"ab-$(date +%s)@example.com\",\"password\":\"bench-password-Zq81\"}" \
  http://127.0.0.1:18282/api/v1/auth/signup | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
for i in $(seq 1 20); do curl -fsS -o /dev/null -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" \
  -d "{\"title\":\"task $i\",\"notes\":\"some notes for task $i\"}" http://127.0.0.1:18282/api/v1/tasks; done
for port in 18281 18282; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$port/api/v1/tasks?limit=20")
  [ "$code" = 200 ] || { echo "port $port answered $code" >&2; exit 1; }
done
run() { timeout $(( $3 + 30 )) wrk -t1 -c"$2" -d"$3"s --latency -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$1/api/v1/tasks?limit=20"; }
summary() { printf '%-22s %10s req/s  p50 %8s  p99 %8s  non2xx %s  load %s\n' "$1" "$(awk '/Requests\/sec/ {print $2}' <<<"$2")" \
  "$(awk '$1=="50%" {print $2}' <<<"$2")" "$(awk '$1=="99%" {print $2}' <<<"$2")" "$(awk '/Non-2xx/ {print $NF}' <<<"$2")" "$(cut -d' ' -f1 /proc/loadavg)"; }
echo "load before priming: $(cat /proc/loadavg)"
run 18281 16 60 >/dev/null; run 18282 16 60 >/dev/null
for c in $CONNS; do for r in $(seq 1 "$ROUNDS"); do
  if (( r % 2 )); then summary "before c=$c r$r" "$(run 18281 "$c" "$SECS")"; summary "after  c=$c r$r" "$(run 18282 "$c" "$SECS")";
  else summary "after  c=$c r$r" "$(run 18282 "$c" "$SECS")"; summary "before c=$c r$r" "$(run 18281 "$c" "$SECS")"; fi
done; done
