#!/usr/bin/env bash
# Bulwark against its performance ceiling: the same requests, the same data, the same PostgreSQL and Redis, driven
# alternately at Bulwark and at benchmarks/ceiling (a minimal Vert.x 5 server doing the same work per request), and
# for each run the throughput, latency and CPU per request of the server JVM, PostgreSQL and Redis.
#
#   scripts/bench-ceiling.sh [options]
#
#   --build                  build both jars first (mvn -q package; Bulwark's tests skipped). Default: use them as built
#   --endpoints LIST         comma-separated, of list,get,create,refresh                 (default: all four)
#   --rounds R               measured rounds per endpoint and connection count            (3)
#   --seconds S              length of each measured run                                  (15)
#   --connections "C ..."    wrk connection counts                                        ("64 256")
#   --prime S                seconds of traffic each server gets before measuring, split across the endpoints (60)
#   --bulwark-env "K=V ..."  more environment for Bulwark (e.g. when profile handling changes)
#   --jvm "..."              JVM options of both servers (default: 1 GiB fixed heap, ParallelGC, pre-touched)
# Environment: BULWARK_ENVIRONMENT (ENVIRONMENT Bulwark runs in, default development: it starts the embedded
# PostgreSQL and Redis both servers use), BENCH_BULWARK_PORT, BENCH_CEILING_PORT, BENCH_PG_PORT, BENCH_REDIS_PORT.
#
# One Bulwark process (development profile, production-shaped rate-limit rules with counts no run reaches, JSON logs
# and the access log on, as in production) starts the embedded services; `bulwark.jar seed` fills them (1,000 users
# x 100 tasks, plus fresh accounts whose refresh tokens the refresh runs spend); the ceiling starts on the same
# services with the same JWT secret, so the same tokens work for both. wrk (-t1 --latency) rotates 300 users' tokens,
# one per request (scripts/bench-ceiling.lua). Runs alternate between the servers, in turn order swapped every round.
# Traffic goes only to 127.0.0.1; every step is bounded by `timeout`. Needs java, wrk, curl, python3, ps.
# Results: a file under /tmp (path printed at the end). Any non-2xx answer fails the script (exit 1).
set -euo pipefail
# one compound command: bash reads all of it before running, so editing this file cannot derail a run in progress
{
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

BUILD=0
ENDPOINTS="list,get,create,refresh"
ROUNDS=3
RUN_SECONDS=15
CONNECTIONS="64 256"
PRIME=60
BULWARK_EXTRA_ENV=""
JVM="-Xms1g -Xmx1g -XX:+UseParallelGC -XX:+AlwaysPreTouch"
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=1 ;;
    --endpoints) ENDPOINTS="$2"; shift ;;
    --rounds) ROUNDS="$2"; shift ;;
    --seconds) RUN_SECONDS="$2"; shift ;;
    --connections) CONNECTIONS="$2"; shift ;;
    --prime) PRIME="$2"; shift ;;
    --bulwark-env) BULWARK_EXTRA_ENV="$2"; shift ;;
    --jvm) JVM="$2"; shift ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 64 ;;
  esac
  shift
done
IFS=',' read -r -a EPS <<< "$ENDPOINTS"
for ep in "${EPS[@]}"; do
  case "$ep" in list|get|create|refresh) ;; *) echo "unknown endpoint '$ep' (list, get, create, refresh)" >&2; exit 64 ;; esac
done
for n in "$ROUNDS" "$RUN_SECONDS" "$PRIME" $CONNECTIONS; do
  [[ "$n" =~ ^[0-9]+$ ]] || { echo "not a whole number: '$n'" >&2; exit 64; }
done
# hundreds of keep-alive connections in each process
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
for tool in java wrk curl python3 ps; do
  command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 69; }
done

BULWARK_ENVIRONMENT="${BULWARK_ENVIRONMENT:-development}"
B_PORT="${BENCH_BULWARK_PORT:-18290}"
C_PORT="${BENCH_CEILING_PORT:-18291}"
PG_PORT="${BENCH_PG_PORT:-55732}"
REDIS_PORT="${BENCH_REDIS_PORT:-56779}"
USERS=1000
TASKS_PER_USER=100
ROTATION=300 # users whose tokens one run rotates through
MAX_C=0
for c in $CONNECTIONS; do [ "$c" -gt "$MAX_C" ] && MAX_C=$c; done
# a refresh run spends one token per request and gets the next from the answer: enough tokens for every connection
REFRESH_POOL=$(( MAX_C + 64 > ROTATION ? MAX_C + 64 : ROTATION ))

STAMP="$(date -u +%Y%m%d-%H%M%S)"
RESULTS="/tmp/bulwark-ceiling-$STAMP.txt"
WORK="$(mktemp -d /tmp/bulwark-ceiling.XXXXXX)"
mkdir -p "$WORK/data" "$WORK/logs"
ROWS="$WORK/rows.tsv"
: > "$ROWS"
BULWARK_PID=""
CEILING_PID=""
PG_PID=""
REDIS_PID=""
log() { echo "$*" | tee -a "$RESULTS"; }

stop_pid() { # pid name — SIGTERM, up to 60 s, then SIGKILL; only processes this script started
  local pid="$1" name="$2"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
  log "$name (pid $pid) still running after 60 s: SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  set +e
  stop_pid "$CEILING_PID" ceiling
  stop_pid "$BULWARK_PID" bulwark
  # Bulwark stops its embedded services; should it not have, they are still ours to stop
  stop_pid "$REDIS_PID" redis
  stop_pid "$PG_PID" postgres
  wait 2>/dev/null
  for f in "$WORK"/logs/*.log; do # the access log is large: keep the tail
    [ -f "$f" ] && [ "$(wc -c < "$f")" -gt 10000000 ] && { tail -n 2000 "$f" > "$f.tail"; rm -f "$f"; }
  done
  rm -rf "$WORK/dev"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$BUILD" = 1 ]; then
  log "building target/bulwark.jar and benchmarks/ceiling/target/ceiling.jar"
  timeout 900 mvn -B -q -DskipTests package
  timeout 600 mvn -B -q -f benchmarks/ceiling/pom.xml package
fi
for jar in target/bulwark.jar benchmarks/ceiling/target/ceiling.jar; do
  [ -f "$jar" ] || { echo "$jar is missing: build it, or pass --build" >&2; exit 66; }
done

# --- CPU accounting from /proc/<pid>/stat (clock ticks) ----------------------------------------------------------
HZ=$(getconf CLK_TCK)
own_ticks() { # utime + stime of one process
  local s
  s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
  s=${s##*) }
  set -- $s
  echo $(( ${12} + ${13} ))
}
pg_ticks() { # the postmaster (with its reaped children) and every live backend and helper
  local s total pid
  s=$(cat "/proc/$PG_PID/stat" 2>/dev/null) || { echo 0; return; }
  s=${s##*) }
  set -- $s
  total=$(( ${12} + ${13} + ${14} + ${15} ))
  for pid in $(ps -o pid= --ppid "$PG_PID"); do total=$(( total + $(own_ticks "$pid") )); done
  echo "$total"
}

# --- the services, Bulwark, the seed, the ceiling ---------------------------------------------------------------
JWT_SECRET="bench-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
DB_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
# Bulwark's production rules (auth per address, deletes per user, a global pair per address), counts never reached
RULES='[{"name":"auth","match":"POST /api/v1/auth/*","key":"ip","limits":["999999999/1m"]},{"name":"delete","match":"DELETE /api/v1/**","key":"user","limits":["999999999/1m"]},{"name":"global","match":"/**","key":"ip","limits":["999999999/1m","999999999/1h"]}]'
bulwark_env() {
  echo "ENVIRONMENT=$BULWARK_ENVIRONMENT HTTP_HOST=127.0.0.1 HTTP_PORT=$B_PORT DEV_DATA_DIR=$WORK/dev"
  echo "JWT_SECRET_KEY=$JWT_SECRET ACCESS_TOKEN_EXPIRE_MINUTES=720 LOG_FORMAT=json LOG_LEVEL=INFO ENABLE_DOCS=false"
  echo "$BULWARK_EXTRA_ENV"
}

wait_http() { # port name pid path — up to 180 s for any HTTP answer (the ceiling has no /ready: a 404 will do)
  local code
  for _ in $(seq 1 360); do
    code=$(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1$4" || true)
    [ "$code" != 000 ] && [ "$code" != 503 ] && return 0
    kill -0 "$3" 2>/dev/null || { log "$2 exited during start-up:"; tail -20 "$WORK/logs/$2.log" | tee -a "$RESULTS"; exit 1; }
    sleep 0.5
  done
  log "$2 not answering on $1 after 180 s"; exit 1
}

log "# Bulwark vs its ceiling, $STAMP"
log "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); wrk on the same machine"
log "$(java -version 2>&1 | head -1); JVM options of both servers: $JVM"
log "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with local changes)')"
log "endpoints: $ENDPOINTS; rounds: $ROUNDS; ${RUN_SECONDS} s per run; connections: $CONNECTIONS; prime: ${PRIME} s per server"
log "work directory (logs): $WORK"

# shellcheck disable=SC2046
env $(bulwark_env) RATE_LIMIT_RULES="$RULES" \
  java $JVM -DdevServices.postgresPort="$PG_PORT" -DdevServices.redisPort="$REDIS_PORT" -Dhttp.accessLog=true \
  -jar target/bulwark.jar > "$WORK/logs/bulwark.log" 2>&1 &
BULWARK_PID=$!
wait_http "$B_PORT" bulwark "$BULWARK_PID" /ready
PG_PID=$(head -1 "$WORK/dev/postgres/postmaster.pid" 2>/dev/null || true)
REDIS_PID=$(ps -o pid=,comm= --ppid "$BULWARK_PID" | awk '$2 ~ /redis/ && !found {print $1; found = 1}' || true)
[ -n "$PG_PID" ] && kill -0 "$PG_PID" 2>/dev/null || { log "no embedded PostgreSQL found under $WORK/dev"; exit 1; }
[ -n "$REDIS_PID" ] || { log "no embedded Redis found among Bulwark's child processes"; exit 1; }
log "bulwark pid $BULWARK_PID on $B_PORT ($BULWARK_ENVIRONMENT profile); postgres pid $PG_PID on $PG_PORT; redis pid $REDIS_PID on $REDIS_PORT"

SEED_FLAGS=()
# a seed refused outside development may need a flag that says so: pass it when this Bulwark knows it
# shellcheck disable=SC2046
SEED_HELP=$(env $(bulwark_env) timeout 120 java -jar target/bulwark.jar seed --help 2>&1 || true)
if grep -q -- --allow-production-profile <<< "$SEED_HELP"; then
  SEED_FLAGS+=(--allow-production-profile)
fi
seed() { # users tasks-per-user out prefix
  # shellcheck disable=SC2046
  env $(bulwark_env) DATABASE_URL="$DB_URL" REDIS_URL="$REDIS_URL" timeout 600 java -Xmx1g -jar target/bulwark.jar seed \
    "${SEED_FLAGS[@]}" --users "$1" --tasks-per-user "$2" --out "$3" --prefix "$4" >> "$WORK/logs/seed.log" 2>&1 \
    || { log "seed failed:"; tail -20 "$WORK/logs/seed.log" | tee -a "$RESULTS"; exit 1; }
  grep '^seed:' "$WORK/logs/seed.log" | tail -1 | sed 's/, password [^)]*//' | tee -a "$RESULTS"
}
TAG="c$(date +%s | tail -c 7)"
seed "$USERS" "$TASKS_PER_USER" "$WORK/data/users.csv" "$TAG"
# users.csv: email,password,user_id,session_id,access_token,refresh_token — users 1-300 read, users 301-600 create
awk -F, -v n="$ROTATION" 'NR > 1 && NR <= n + 1 {print $5}' "$WORK/data/users.csv" > "$WORK/data/list"
awk -F, -v n="$ROTATION" 'NR > n + 1 && NR <= 2 * n + 1 {print $5}' "$WORK/data/users.csv" > "$WORK/data/create"
[ "$(wc -l < "$WORK/data/create")" -eq "$ROTATION" ] || { log "seed wrote too few users"; exit 1; }
: > "$WORK/data/get"
while read -r token; do # one task of each reading user, asked of Bulwark
  id=$(curl -fsS -m 5 -H "Authorization: Bearer $token" "http://127.0.0.1:$B_PORT/api/v1/tasks?limit=1" \
    | grep -o -m1 '^{"items":\[{"id":"[0-9a-f-]\{36\}"' | cut -d'"' -f6 || true)
  [ -n "$id" ] || { log "could not read a task id from Bulwark"; exit 1; }
  echo "$token $id" >> "$WORK/data/get"
done < "$WORK/data/list"

REFRESH_RUNS=0
if [[ ",$ENDPOINTS," == *,refresh,* ]]; then
  count_c=$(wc -w <<< "$CONNECTIONS")
  REFRESH_RUNS=$(( 2 + 2 * ROUNDS * count_c )) # a prime and every measured run, per server, each with fresh tokens
  seed $(( REFRESH_RUNS * REFRESH_POOL + 2 )) 0 "$WORK/data/refresh-users.csv" "${TAG}r"
  awk -F, 'NR > 1 {print $6}' "$WORK/data/refresh-users.csv" > "$WORK/data/refresh-all"
fi
NEXT_POOL=0
DATA=""
next_data() { # endpoint → DATA: the file a run reads; for refresh, REFRESH_POOL tokens no run has spent
  if [ "$1" != refresh ]; then DATA="$WORK/data/$1"; return; fi
  DATA="$WORK/data/refresh-$NEXT_POOL"
  sed -n "$(( NEXT_POOL * REFRESH_POOL + 1 )),$(( (NEXT_POOL + 1) * REFRESH_POOL ))p" "$WORK/data/refresh-all" > "$DATA"
  NEXT_POOL=$(( NEXT_POOL + 1 ))
  [ "$(wc -l < "$DATA")" -eq "$REFRESH_POOL" ] || { log "out of seeded refresh tokens"; exit 1; }
}

env DATABASE_URL="$DB_URL" REDIS_URL="$REDIS_URL" JWT_SECRET_KEY="$JWT_SECRET" HTTP_HOST=127.0.0.1 HTTP_PORT="$C_PORT" \
  ACCESS_TOKEN_EXPIRE_MINUTES=720 java $JVM -jar benchmarks/ceiling/target/ceiling.jar > "$WORK/logs/ceiling.log" 2>&1 &
CEILING_PID=$!
wait_http "$C_PORT" ceiling "$CEILING_PID" /
log "ceiling pid $CEILING_PID on $C_PORT: $(grep -m1 -o 'transport: .*' "$WORK/logs/ceiling.log" || echo 'transport not logged')"

# --- one request of each kind to each server, before any load: both must answer 2xx -------------------------------
port_of() { [ "$1" = bulwark ] && echo "$B_PORT" || echo "$C_PORT"; }
pid_of() { [ "$1" = bulwark ] && echo "$BULWARK_PID" || echo "$CEILING_PID"; }
check() { # server endpoint
  local port token id code line
  port=$(port_of "$1")
  read -r token id < "$WORK/data/get"
  case "$2" in
    list) code=$(curl -s -m 5 -o "$WORK/check-$1-list.json" -w '%{http_code}' -H "Authorization: Bearer $token" \
      "http://127.0.0.1:$port/api/v1/tasks?limit=20") ;;
    get) code=$(curl -s -m 5 -o "$WORK/check-$1-get.json" -w '%{http_code}' -H "Authorization: Bearer $token" \
      "http://127.0.0.1:$port/api/v1/tasks/$id") ;;
    create) code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(head -1 "$WORK/data/create")" \
      -H 'Content-Type: application/json' -d '{"title":"check"}' "http://127.0.0.1:$port/api/v1/tasks") ;;
    refresh) # the two tokens after the runs' pools, one per server
      line=$(( REFRESH_RUNS * REFRESH_POOL + 1 )); [ "$1" = bulwark ] || line=$(( line + 1 ))
      code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
      -d "{\"refresh_token\":\"$(sed -n "${line}p" "$WORK/data/refresh-all")\"}" "http://127.0.0.1:$port/api/v1/auth/refresh") ;;
  esac
  log "check: $1 $2 → $code"
  [[ "$code" == 2* ]] || { log "FAILED: $1 answered $code to a $2 request"; exit 1; }
}
for ep in "${EPS[@]}"; do
  check bulwark "$ep"
  check ceiling "$ep"
  # the reads must be the same work: the same bytes out (the page cursor included)
  if [ -f "$WORK/check-bulwark-$ep.json" ]; then
    if cmp -s "$WORK/check-bulwark-$ep.json" "$WORK/check-ceiling-$ep.json"; then
      log "check: $ep bodies identical ($(wc -c < "$WORK/check-ceiling-$ep.json") bytes)"
    else
      log "FAILED: the $ep bodies differ (bulwark, then ceiling):"
      head -c 600 "$WORK/check-bulwark-$ep.json" | tee -a "$RESULTS"; log ""
      head -c 600 "$WORK/check-ceiling-$ep.json" | tee -a "$RESULTS"; log ""
      exit 1
    fi
  fi
done

# --- runs -------------------------------------------------------------------------------------------------------
wrk_run() { # server endpoint connections seconds label → one row in $ROWS
  local server="$1" ep="$2" c="$3" secs="$4" label="$5" port pid out j0 j1 p0 p1 r0 r1
  port=$(port_of "$server")
  pid=$(pid_of "$server")
  next_data "$ep"
  kill -0 "$pid" 2>/dev/null || { log "$server is not running"; exit 1; }
  local load; load=$(uptime | sed 's/.*load average: //')
  echo "[$(date -u +%H:%M:%S)] $label $server $ep c=$c ${secs}s; uptime before: $(uptime)" >> "$RESULTS"
  j0=$(own_ticks "$pid"); p0=$(pg_ticks); r0=$(own_ticks "$REDIS_PID")
  out=$(timeout --kill-after=10 $(( secs + 30 )) wrk -t1 -c"$c" -d"${secs}s" --latency -s scripts/bench-ceiling.lua \
    "http://127.0.0.1:$port" -- "$ep" "$DATA" 2>&1) || { log "wrk failed or overran ($server $ep c=$c):"; log "$out"; exit 1; }
  j1=$(own_ticks "$pid"); p1=$(pg_ticks); r1=$(own_ticks "$REDIS_PID")
  echo "$out" > "$WORK/logs/wrk-$label-$server-$ep-c$c.txt"
  awk -v label="$label" -v server="$server" -v ep="$ep" -v c="$c" -v hz="$HZ" -v load="${load%%,*}" \
      -v jt=$(( j1 - j0 )) -v pt=$(( p1 - p0 )) -v rt=$(( r1 - r0 )) '
    function ms(v, n) { n = v + 0; if (v ~ /us$/) return n / 1000; if (v ~ /ms$/) return n; if (v ~ /m$/) return n * 60000; if (v ~ /s$/) return n * 1000; return n }
    / requests in / { requests = $1 }
    /^Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { bad = $NF }
    /Socket errors:/ { gsub(/,/, ""); errors = $4 + $6 + $8 + $10 }
    END {
      us = requests > 0 ? 1e6 / hz / requests : 0
      printf "%s\t%s\t%s\t%s\t%.1f\t%.2f\t%.2f\t%d\t%d\t%d\t%.1f\t%.1f\t%.1f\t%s\n", label, server, ep, c, rps, p50, p99,
        requests, bad + 0, errors + 0, jt * us, pt * us, rt * us, load
    }' <<< "$out" | tee -a "$ROWS" | awk -F'\t' '{
      printf "  %-5s %-7s %-7s c=%-4s %9s req/s  p50 %7s ms  p99 %8s ms  non-2xx %s  sock err %s  CPU us/req: jvm %s pg %s redis %s  (load before %s)\n",
        $1, $2, $3, $4, $5, $6, $7, $9, $10, $11, $12, $13, $14 }' | tee -a "$RESULTS"
}

if [ "$PRIME" -gt 0 ]; then
  per=$(( PRIME / ${#EPS[@]} )); [ "$per" -ge 1 ] || per=1
  first_c=${CONNECTIONS%% *}
  log "priming: ${per} s per endpoint per server at c=$first_c (not measured)"
  for server in bulwark ceiling; do
    for ep in "${EPS[@]}"; do wrk_run "$server" "$ep" "$first_c" "$per" prime; done
  done
fi
log "measuring (CPU us per request = /proc utime+stime over the run / requests answered)"
for ep in "${EPS[@]}"; do
  for r in $(seq 1 "$ROUNDS"); do
    order="bulwark ceiling"; [ $(( r % 2 )) -eq 0 ] && order="ceiling bulwark"
    for c in $CONNECTIONS; do
      for server in $order; do wrk_run "$server" "$ep" "$c" "$RUN_SECONDS" "r$r"; done
    done
  done
done

# --- the tables: median over the rounds, and Bulwark / ceiling ----------------------------------------------------
python3 - "$ROWS" <<'PY' | tee -a "$RESULTS"
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
measured = [r for r in rows if r[0] != "prime"]
cols = ["req/s", "p50 ms", "p99 ms", "jvm us/req", "pg us/req", "redis us/req"]
idx = [4, 5, 6, 10, 11, 12]
paths = {"list": "GET /api/v1/tasks?limit=20", "get": "GET /api/v1/tasks/{id}", "create": "POST /api/v1/tasks",
         "refresh": "POST /api/v1/auth/refresh"}
print("\nbulwark/ceiling: above 1 for latency and CPU means Bulwark spends more; below 1 for req/s means it serves fewer")
for ep in dict.fromkeys(r[2] for r in measured):
    print(f"\n## {ep}: {paths[ep]} (median of rounds)")
    print(f"{'c':>5} {'server':<16}" + "".join(f"{c:>14}" for c in cols) + f"{'non-2xx':>10}{'sock err':>10}")
    for c in sorted({int(r[3]) for r in measured if r[2] == ep}):
        med = {}
        for server in ("bulwark", "ceiling"):
            sel = [r for r in measured if r[2] == ep and int(r[3]) == c and r[1] == server]
            med[server] = [statistics.median(float(r[i]) for r in sel) for i in idx]
            bad = sum(int(r[8]) for r in sel)
            err = sum(int(r[9]) for r in sel)
            print(f"{c:>5} {server:<16}" + "".join(f"{v:>14.2f}" for v in med[server]) + f"{bad:>10}{err:>10}")
        ratio = [b / e if e else float("nan") for b, e in zip(med["bulwark"], med["ceiling"])]
        print(f"{c:>5} {'bulwark/ceiling':<16}" + "".join(f"{v:>14.2f}" for v in ratio))
PY
BAD=$(awk -F'\t' '{ s += $9 } END { print s + 0 }' "$ROWS")
ERRORS=$(awk -F'\t' '{ s += $10 } END { print s + 0 }' "$ROWS")
log ""
log "load average at the end: $(uptime | sed 's/.*load average: //') ($(nproc) cores; above that, the figures are not a benchmark)"
[ "$ERRORS" -eq 0 ] || log "warning: $ERRORS socket errors (connect/read/write/timeout) across all runs; see $WORK/logs/wrk-*"
if [ "$BAD" -ne 0 ]; then
  log "FAILED: $BAD non-2xx answers across all runs (per run in the rows above; wrk output in $WORK/logs)"
  log "results: $RESULTS"
  exit 1
fi
log "results: $RESULTS"
exit 0
}
