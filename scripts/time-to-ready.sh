#!/usr/bin/env bash
# Launch → /ready 200, the README way (development profile, embedded PostgreSQL and Redis): a first run on an empty
# data dir (initdb + migrations) and a warm run on the same data. Needs a built target/bulwark.jar.
#   scripts/time-to-ready.sh [port=18380]
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${1:-18380}
DATA=$(mktemp -d /tmp/bulwark-ready.XXXXXX)
once() {
  local start end pid
  start=$(date +%s%N)
  HTTP_PORT=$PORT DEV_DATA_DIR=$DATA java -DdevServices.postgresPort=57532 -DdevServices.redisPort=57479 \
    -jar target/bulwark.jar >"$DATA/$1.log" 2>&1 &
  pid=$!
  until curl -fsS -o /dev/null "http://127.0.0.1:$PORT/ready" 2>/dev/null; do
    kill -0 $pid 2>/dev/null || { echo "server exited; see $DATA/$1.log" >&2; exit 1; }
    sleep 0.05
  done
  end=$(date +%s%N)
  printf '%-6s run: %5d ms from launch to /ready 200\n' "$1" $(((end - start) / 1000000))
  kill -TERM $pid
  wait $pid || true
}
once first
once warm
once warm
echo "logs: $DATA/*.log (delete $DATA when done)"
