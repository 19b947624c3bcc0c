#!/usr/bin/env bash
# Bulwark benchmark harness: build → start Bulwark with production-like settings → seed → run simulations →
# stop everything → load-tests/results/<timestamp>/SUMMARY.md beside Gatling's HTML reports. Exits 1 when any
# simulation failed (its assertions, or its time bound); SUMMARY.md says why, and what each run cost: the server's
# peak RSS, CPU seconds of the server, PostgreSQL, Redis and the load generator, GC pauses, limiter fallbacks,
# and 429/503 answers by problem code.
#
#   load-tests/run-benchmark.sh [options] [Simulation ...]     (default: ReadHeavy Concurrency LoginStorm MobileMix RateLimit)
#
# Options (each also an environment variable):
#   --no-build            reuse target/bulwark.jar                              (SKIP_BUILD=1)
#   --prime SECONDS       ReadHeavy traffic before the first measured run, to warm the JIT (PRIME_SECONDS, 60; 0 = off),
#                         at 1,000 req/s after a ramp from 100/s over PRIME_RAMP seconds (30: a cold JVM and a cold
#                         Gatling JVM sharing 2 cores shed load as 503s when the ramp is 10 s)
#   --users N             seeded accounts                                       (SEED_USERS, 10000)
#   --tasks M             tasks per seeded account                              (SEED_TASKS, 50)
#   --sim-opts "..."      extra -D options for every simulation, e.g. "-Drps=1500 -Dduration=30" (SIM_OPTS)
#   --server-env "..."    extra KEY=VALUE settings for the server, e.g. "HTTP_INSTANCES=1 DATABASE_POOL_SIZE=8" (SERVER_ENV)
#   --server-jvm "..."    JVM options for the server                            (SERVER_JVM)
# DATABASE_URL / REDIS_URL: use those services (staging profile) instead of embedded ones (development profile).
#
# Traffic goes only to 127.0.0.1. Every step is bounded by `timeout`; the server gets SIGTERM then, after 60 s, SIGKILL.
set -euo pipefail
# the whole script is one compound command: bash reads it completely before running, so editing this file while a
# run is in progress cannot derail that run
{
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

SKIP_BUILD="${SKIP_BUILD:-0}"
PRIME_SECONDS="${PRIME_SECONDS:-60}"
PRIME_RAMP="${PRIME_RAMP:-30}"
SEED_USERS="${SEED_USERS:-10000}"
SEED_TASKS="${SEED_TASKS:-50}"
SIM_OPTS="${SIM_OPTS:-}"
SERVER_ENV="${SERVER_ENV:-}"
# 2 cores, server and load generator on one box: a fixed 512 MiB heap (10,000 keep-alive connections hold ≈85 MiB
# of it; RSS peaks ≈670 MiB, under the 1 GiB target, where 1 GiB of heap alone put it at 1.16 GiB), ParallelGC
# (lowest CPU per request; young pauses ≤ 32 ms measured), no time lost growing the heap mid-run.
SERVER_JVM="${SERVER_JVM:--Xms512m -Xmx512m -XX:+UseParallelGC -XX:+AlwaysPreTouch}"
HTTP_PORT="${BENCH_HTTP_PORT:-18080}"
PG_PORT="${BENCH_PG_PORT:-55532}"
REDIS_PORT="${BENCH_REDIS_PORT:-56479}"
SIMS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) SKIP_BUILD=1 ;;
    --prime) PRIME_SECONDS="$2"; shift ;;
    --users) SEED_USERS="$2"; shift ;;
    --tasks) SEED_TASKS="$2"; shift ;;
    --sim-opts) SIM_OPTS="$2"; shift ;;
    --server-env) SERVER_ENV="$2"; shift ;;
    --server-jvm) SERVER_JVM="$2"; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 64 ;;
    *) SIMS+=("${1%Simulation}") ;;
  esac
  shift
done
[ ${#SIMS[@]} -gt 0 ] || SIMS=(ReadHeavy Concurrency LoginStorm MobileMix RateLimit)

# 10,000 keep-alive clients need 10,000+ descriptors in each JVM
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge 12000 ] || echo "warning: ulimit -n is $(ulimit -n); ConcurrencySimulation needs >10,000" >&2

STAMP="$(date -u +%Y%m%d-%H%M%S)"
RUN_DIR="$ROOT/load-tests/results/$STAMP"
mkdir -p "$RUN_DIR/logs"
WORK="$(mktemp -d /tmp/bulwark-bench.XXXXXX)"
SERVER_PID=""
log() { echo "[$(date -u +%H:%M:%S)] $*" | tee -a "$RUN_DIR/harness.log"; }
# Maven prints colour resets even in batch mode with style.color=never: no escape codes in any log
strip_ansi() { sed -u -r 's/\x1B\[[0-9;?]*[A-Za-z]//g'; }

stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    log "stopping server (pid $SERVER_PID, SIGTERM)"
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 1; done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      log "server still running after 60 s: SIGKILL"
      kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
  fi
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}
cleanup() {
  stop_server
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$SKIP_BUILD" != 1 ]; then
  log "building bulwark.jar"
  timeout 600 mvn -B -q -Dstyle.color=never -DskipTests package 2>&1 | strip_ansi
fi
log "compiling the simulations"
timeout 600 mvn -B -q -Dstyle.color=never -f load-tests/pom.xml test-compile 2>&1 | strip_ansi

# --- configuration: conf/ copied, plus an overlay for the development (or staging) profile --------------------
if [ -n "${DATABASE_URL:-}" ] && [ -n "${REDIS_URL:-}" ]; then
  PROFILE=staging
else
  PROFILE=development
  unset DATABASE_URL REDIS_URL
fi
JWT_SECRET="bench-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
PASSWORD_PEPPER="bench-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"

# rate limiting on (its Redis round trip is part of what is measured), with limits no benchmark reaches
write_conf() { # $1 = dir, $2 = rate-limit rules yaml
  mkdir -p "$1"
  cp conf/*.yaml "$1/"
  # docs, JSON logs, bcrypt cost and the signing key come from environment variables (server_env); the profile's
  # own rateLimit block is dropped and replaced by this one
  local profile_file="$1/application-$PROFILE.yaml"
  awk '/^rateLimit:/ {skip = 1; next} skip && /^[^ #]/ {skip = 0} !skip' "$profile_file" > "$profile_file.new"
  mv "$profile_file.new" "$profile_file"
  {
    echo
    echo "# appended by load-tests/run-benchmark.sh"
    echo "rateLimit:"
    echo "  enabled: true"
    echo "  failMode: local"
    echo "  trustedProxies: []"
    echo "  rules:"
    echo "$2"
  } >> "$profile_file"
}
# the production rule set (auth per IP, deletes per user, a global per-IP pair), so every authenticated request
# makes the production round trip ({ip:..} and {u:..} script calls in one batch), with counts no benchmark reaches;
# the same file the README's own-server recipe passes as RATE_LIMIT_RULES (JSON is YAML, indented under rules:)
THROUGHPUT_RULES="$(sed 's/^/    /' load-tests/benchmark-rate-limits.json)"
# RateLimitSimulation: small known limits, passed to the simulation as properties below; rule names of their own,
# so counters left by the throughput runs (same client address) do not count against them
RL_AUTH=5; RL_READS=20; RL_USER=10
RATELIMIT_RULES="    - { name: rl-auth,    match: \"POST /api/v1/auth/*\", key: ip,   limits: [\"${RL_AUTH}/1m\"] }
    - { name: rl-reads,   match: \"GET /api/v1/tasks\",   key: ip,   limits: [\"${RL_READS}/1m\"] }
    - { name: rl-profile, match: \"GET /api/v1/me\",      key: user, limits: [\"${RL_USER}/1m\"] }"
write_conf "$WORK/conf-throughput" "$THROUGHPUT_RULES"
write_conf "$WORK/conf-ratelimit" "$RATELIMIT_RULES"

server_env() { # the production-like settings every server start gets
  echo "ENVIRONMENT=$PROFILE HTTP_HOST=127.0.0.1 HTTP_PORT=$HTTP_PORT BCRYPT_ROUNDS=12 LOG_FORMAT=json LOG_LEVEL=INFO"
  echo "ENABLE_DOCS=false ACCESS_TOKEN_EXPIRE_MINUTES=240 JWT_SECRET_KEY=$JWT_SECRET PASSWORD_PEPPER=$PASSWORD_PEPPER"
  echo "DEV_DATA_DIR=$WORK/data"
  # staging refuses to start without an SMTP server and a public base URL; nothing here sends mail that must arrive
  [ "$PROFILE" = staging ] && echo "SMTP_URL=smtp://127.0.0.1:2525 SMTP_STARTTLS=disabled PUBLIC_BASE_URL=http://127.0.0.1"
  echo "$SERVER_ENV"
}

GC_LOG=""
start_server() { # $1 = conf dir, $2 = log name
  local props="-DdevServices.postgresPort=$PG_PORT -DdevServices.redisPort=$REDIS_PORT"
  GC_LOG="$RUN_DIR/logs/gc-${2%.log}.log"
  log "starting server ($PROFILE profile, conf $(basename "$1"), $SERVER_ENV) → $2"
  # shellcheck disable=SC2046,SC2086
  env $(server_env) BULWARK_CONF_DIR="$1" java $SERVER_JVM -Xlog:gc:file="$GC_LOG":uptime $props -jar target/bulwark.jar > "$RUN_DIR/logs/$2" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 120); do
    if curl -fsS -m 2 "http://127.0.0.1:$HTTP_PORT/ready" > /dev/null 2>&1; then
      log "server ready (pid $SERVER_PID)"
      return 0
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || { log "server exited during start-up; see $RUN_DIR/logs/$2"; tail -20 "$RUN_DIR/logs/$2"; exit 1; }
    sleep 1
  done
  log "server not ready after 120 s"; exit 1
}

seed() {
  local db_url="${DATABASE_URL:-postgresql://postgres@127.0.0.1:$PG_PORT/postgres}"
  local redis_url="${REDIS_URL:-redis://127.0.0.1:$REDIS_PORT}"
  log "seeding $SEED_USERS users × $SEED_TASKS tasks"
  # --allow-production-profile: under the staging profile (DATABASE_URL given) seed refuses without it; the
  # database here is the harness's own, filled with known-password benchmark accounts on purpose
  # shellcheck disable=SC2046
  env $(server_env) BULWARK_CONF_DIR="$WORK/conf-throughput" DATABASE_URL="$db_url" REDIS_URL="$redis_url" \
    timeout 600 java -Xmx1g -jar target/bulwark.jar seed --users "$SEED_USERS" --tasks-per-user "$SEED_TASKS" \
    --out "$WORK/users.csv" --allow-production-profile 2>&1 | grep -E '^seed:|ERROR|error' | tee -a "$RUN_DIR/harness.log"
  [ "$(wc -l < "$WORK/users.csv")" -gt 1 ] || { log "seed wrote no accounts"; exit 1; }
}

# the box is shared: say what else was busy, so a noisy figure can be recognised as such
others() {
  ps -eo pid=,pcpu=,comm= --sort=-pcpu | awk -v me="$SERVER_PID" '$1 != me && $2 > 20 && $3 !~ /^(ps|awk)$/ {printf "%s(%s%%) ", $3, $2}' | head -c 200
}

# logins the hasher turned away (503 server_busy), from the server's own counter
# (a /metrics that does not answer within 5 s on a saturated box counts as 0: under `set -o pipefail` a failed curl
# here used to end the whole harness without a summary)
busy_count() {
  { curl -fsS -m 5 "http://127.0.0.1:$HTTP_PORT/metrics" 2>/dev/null || true; } | awk '/^bulwark_hasher_rejected_total/ {s += $2} END {printf "%d", s}'
}

# the server's /metrics (bulwark_problems_total by code, limiter fallbacks), for before/after differences
metrics_snapshot() { curl -fsS -m 5 "http://127.0.0.1:$HTTP_PORT/metrics" > "$1" 2>/dev/null || : > "$1"; }

SIM_DIRS=()
FAILED=()
RUN_TAG=""
run_sim() { # $1 = simulation, $2 = bound in seconds, $3... = -D options; RUN_TAG names its files (default: $1)
  local sim="$1" bound="$2"; shift 2
  local tag="${RUN_TAG:-$sim}"
  log "running ${sim}Simulation ($tag) $* $SIM_OPTS"
  log "  machine before: load $(cut -d' ' -f1-3 /proc/loadavg); busiest processes not ours: $(others)"
  local before; before="$(ls "$RUN_DIR")"
  local busy_before; busy_before="$(busy_count)"
  metrics_snapshot "$RUN_DIR/logs/metrics-$tag-before.prom"
  set +e
  # shellcheck disable=SC2086
  ( set -o pipefail
    timeout --signal=TERM --kill-after=30 "$bound" mvn -B -Dstyle.color=never -f load-tests/pom.xml gatling:test \
      -Dgatling.simulationClass="bulwark.load.${sim}Simulation" -Dgatling.results="$RUN_DIR" \
      -DbaseUrl="http://127.0.0.1:$HTTP_PORT" -DusersFile="$WORK/users.csv" "$@" $SIM_OPTS \
      < /dev/null 2>&1 | strip_ansi > "$RUN_DIR/logs/$tag.out" ) &
  local load_pid=$!
  python3 "$ROOT/load-tests/sample-procs.py" "$RUN_DIR/logs/sample-$tag.json" "$SERVER_PID" "$PG_PORT" "$REDIS_PORT" "$load_pid" &
  local sampler_pid=$!
  wait "$load_pid"
  local rc=$?
  wait "$sampler_pid" 2>/dev/null
  set -e
  metrics_snapshot "$RUN_DIR/logs/metrics-$tag-after.prom"
  local dir; dir="$(comm -13 <(echo "$before") <(ls "$RUN_DIR") | grep -i "$sim" | head -1 || true)"
  local busy=$(( $(busy_count) - busy_before ))
  log "  machine after: load $(cut -d' ' -f1-3 /proc/loadavg)"
  log "${sim}Simulation ($tag) finished: exit $rc, report ${dir:-none}, logins answered 503 server_busy: $busy"
  [ "$rc" = 0 ] || [ "$tag" = prime ] || FAILED+=("$tag")
  # the hasher's refusals mean something only where there are logins
  local busy_note=""
  [ "$sim" = LoginStorm ] && busy_note=" (server_busy 503s: $busy)"
  SIM_DIRS+=("$tag|$sim|$rc|$dir|$*$busy_note|$GC_LOG")
}

start_server "$WORK/conf-throughput" server.log
seed
if [ "$PRIME_SECONDS" -gt 0 ]; then
  log "priming the JVM: ${PRIME_SECONDS} s of reads after a ${PRIME_RAMP} s ramp (its failures do not fail the run)"
  RUN_TAG=prime run_sim ReadHeavy $((PRIME_SECONDS + 180)) -Drps=1000 -Dduration="$PRIME_SECONDS" -Dramp="$PRIME_RAMP" -Dp95Ms=100000 -Dp99Ms=100000 -DmaxFailedPct=100
fi
for sim in "${SIMS[@]}"; do
  case "$sim" in
    ReadHeavy) run_sim ReadHeavy 400 ;;
    Concurrency) run_sim Concurrency 500 ;;
    LoginStorm) run_sim LoginStorm 400 ;;
    MobileMix) run_sim MobileMix 400 ;;
    RateLimit) ;; # below, on a server with small limits
    *) log "unknown simulation $sim"; exit 64 ;;
  esac
done
stop_server
if printf '%s\n' "${SIMS[@]}" | grep -qx RateLimit; then
  start_server "$WORK/conf-ratelimit" server-ratelimit.log
  run_sim RateLimit 300 -DauthLimit=$RL_AUTH -DreadsLimit=$RL_READS -DuserLimit=$RL_USER
  stop_server
fi

# --- summary ------------------------------------------------------------------------------------------------------
{
  echo "# Bulwark benchmark $STAMP"
  echo
  echo "- machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); load generator on the same machine"
  echo "- $(java -version 2>&1 | head -1)"
  echo "- server: $PROFILE profile, BCRYPT_ROUNDS=12, JSON logs and access log to logs/server.log, rate limiting on (limits never reached), JVM \`$SERVER_JVM\`${SERVER_ENV:+, $SERVER_ENV}"
  echo "- seeded: $SEED_USERS users × $SEED_TASKS tasks; JVM primed with ${PRIME_SECONDS} s of reads after a ${PRIME_RAMP} s ramp; extra options: \`${SIM_OPTS:-none}\`"
  echo
  echo "| simulation | result | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | failed | report |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"
  for entry in "${SIM_DIRS[@]}"; do
    IFS='|' read -r tag sim rc dir opts gc <<< "$entry"
    verdict=$([ "$rc" = 0 ] && echo "pass" || echo "**FAIL** (exit $rc)")
    [ "$tag" = prime ] && verdict="(priming)"
    python3 "$ROOT/load-tests/summarize.py" "$RUN_DIR/$dir" "$tag" "$verdict" "$opts" || echo "| $tag | $verdict | no report | | | | | | | |"
  done
  echo
  echo "What each run cost, and why a failed one failed (server RSS and process CPU sampled every second from /proc;"
  echo "GC pauses from the server's -Xlog:gc within the run; fallbacks and problem answers from /metrics before and after):"
  echo
  echo "| run | server peak RSS | CPU s: server / PostgreSQL / Redis / load generator | GC pauses | limiter fallbacks | 429/503 by code | why it failed |"
  echo "|---|---:|---|---|---:|---|---|"
  for entry in "${SIM_DIRS[@]}"; do
    IFS='|' read -r tag sim rc dir opts gc <<< "$entry"
    python3 "$ROOT/load-tests/run-facts.py" "$tag" "$rc" "$RUN_DIR/logs/sample-$tag.json" \
      "$RUN_DIR/logs/metrics-$tag-before.prom" "$RUN_DIR/logs/metrics-$tag-after.prom" "$gc" "$RUN_DIR/logs/$tag.out" \
      || echo "| $tag | ? | ? | ? | ? | ? | ? |"
  done
  echo
  if [ ${#FAILED[@]} -gt 0 ]; then
    echo "**Result: FAILED** — ${FAILED[*]}"
  else
    echo "**Result: every simulation passed.**"
  fi
  echo
  echo "req/s is Gatling's mean over the whole run (ramp included). Indented rows are request groups and requests;"
  echo "assertion verdicts are at the end of logs/<Simulation>.out, the server's JSON log in logs/server.log."
  echo "The machine's load and any other busy processes before/after each run are in harness.log:"
  echo
  grep -E "running|machine" "$RUN_DIR/harness.log" | sed 's/^/    /'

} > "$RUN_DIR/SUMMARY.md"
log "summary: $RUN_DIR/SUMMARY.md"
cat "$RUN_DIR/SUMMARY.md"
if [ ${#FAILED[@]} -gt 0 ]; then
  log "failed: ${FAILED[*]}"
  exit 1
fi
exit 0
}
