#!/usr/bin/env bash
# The upload storm: N clients each upload a file of S MiB at once (multipart, as curl -F sends it) while one client
# reads GET /api/v1/tasks in a loop. Reports the upload throughput, the server's resident memory (sampled every
# 200 ms: before, peak, after) and the list's p50/p99 during the storm.
#
#   scripts/bench-attachments.sh [--build] [--clients N] [--mib S] [--jvm "..."]
#
#   --build        build target/bulwark.jar first (mvn -q package -DskipTests). Default: use it as built
#   --clients N    concurrent uploads (50)
#   --mib S        size of each file in MiB; MAX_FILE_SIZE is set to fit it (10)
#   --jvm "..."    JVM options of the server (default: -Xms512m -Xmx512m: flat memory shows as a flat RSS)
# Environment: BENCH_PORT (18390), BENCH_PG_PORT (55832), BENCH_REDIS_PORT (56879).
#
# One Bulwark process (development profile, its own data folder under /tmp, rate limits off, the per-user upload
# limits raised out of the way). Each client is a user of its own with one task; the file is a synthetic JPEG (a
# large entropy-coded scan, so the structure check and the metadata stripper follow every byte). Traffic goes only
# to 127.0.0.1. Needs java, curl, python3. Results are printed and written to a file under /tmp.
set -euo pipefail
{
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
BUILD=0
CLIENTS=50
MIB=10
JVM="-Xms512m -Xmx512m"
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=1 ;;
    --clients) CLIENTS="$2"; shift ;;
    --mib) MIB="$2"; shift ;;
    --jvm) JVM="$2"; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 64 ;;
  esac
  shift
done
for tool in java curl python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 69; }
done
PORT="${BENCH_PORT:-18390}"
PG_PORT="${BENCH_PG_PORT:-55832}"
REDIS_PORT="${BENCH_REDIS_PORT:-56879}"
WORK="$(mktemp -d /tmp/bulwark-bench-attachments.XXXXXX)"
RESULTS="$WORK/results.txt"
BASE="http://127.0.0.1:$PORT"
log() { echo "$*" | tee -a "$RESULTS"; }

[ "$BUILD" = 1 ] && mvn -B -q package -DskipTests
[ -f target/bulwark.jar ] || { echo "target/bulwark.jar missing (use --build)" >&2; exit 66; }

env ENVIRONMENT=development HTTP_HOST=127.0.0.1 HTTP_PORT="$PORT" DEV_DATA_DIR="$WORK/dev" RATE_LIMIT_RULES='[]' \
  MAX_FILE_SIZE="$((MIB + 1))MiB" LOG_LEVEL=WARN \
  java $JVM -DdevServices.postgresPort="$PG_PORT" -DdevServices.redisPort="$REDIS_PORT" -Dhttp.accessLog=false \
  -Dstorage.concurrentUploadsPerUser=1000 -Dstorage.quotaPerUser=100000MiB \
  -jar target/bulwark.jar > "$WORK/bulwark.log" 2>&1 &
PID=$!
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 360); do
  [ "$(curl -s -m 2 -o /dev/null -w '%{http_code}' "$BASE/ready" || true)" = 200 ] && break
  kill -0 "$PID" 2>/dev/null || { tail -20 "$WORK/bulwark.log"; exit 1; }
  sleep 0.5
done

python3 - "$WORK/photo.jpg" "$MIB" <<'PY'
import sys
path, mib = sys.argv[1], int(sys.argv[2])
def seg(marker, payload):
    return bytes([0xff, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload
body = b"\xff\xd8" + seg(0xe0, b"JFIF\0\1\1\0\0\1\0\1\0\0") + seg(0xe1, b"Exif\0\0GPS 52.52N 13.40E")
body += seg(0xdb, bytes(65)) + seg(0xda, bytes(10))
scan = bytes((i * 7) % 255 for i in range(65536))  # no 0xff: no stuffing needed
need = mib * 1024 * 1024 - len(body) - 2
body += (scan * (need // len(scan) + 1))[:need] + b"\xff\xd9"
open(path, "wb").write(body)
PY

# one user and one task per client
for i in $(seq 1 "$CLIENTS"); do
  token=$(curl -s -X POST "$BASE/api/v1/auth/signup" -H 'Content-Type: application/json' \
    -d "{\"email\":\"bench-$i-$RANDOM@example.com\",\"password\":\"Tr0ub4dor&3-horse-staple\"}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  task=$(curl -s -X POST "$BASE/api/v1/tasks" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"title":"storm"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  echo "$token $task" >> "$WORK/clients"
done
READER=$(head -1 "$WORK/clients" | cut -d' ' -f1)

rss() { awk '/VmRSS/ {print $2}' "/proc/$PID/status"; }
log "# upload storm: $CLIENTS clients x $MIB MiB, JVM $JVM, $(nproc) cores, commit $(git rev-parse --short HEAD)"
log "rss before: $(( $(rss) / 1024 )) MiB"
( while kill -0 "$PID" 2>/dev/null; do rss; sleep 0.2; done ) > "$WORK/rss" &
SAMPLER=$!
( while [ ! -f "$WORK/done" ]; do
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $READER" "$BASE/api/v1/tasks"
  done ) > "$WORK/list" &
LISTER=$!

START=$(date +%s.%N)
UPLOADS=()
while read -r token task; do
  curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $token" -F "file=@$WORK/photo.jpg" \
    "$BASE/api/v1/tasks/$task/attachments" >> "$WORK/uploads" &
  UPLOADS+=("$!")
done < "$WORK/clients"
wait "${UPLOADS[@]}" || true
END=$(date +%s.%N)
touch "$WORK/done"
wait "$LISTER" 2>/dev/null || true
sleep 1
kill "$SAMPLER" 2>/dev/null || true

python3 - "$WORK" "$START" "$END" "$CLIENTS" "$MIB" <<'PY' | tee -a "$RESULTS"
import sys
work, start, end, clients, mib = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
codes = open(f"{work}/uploads").read().split()
ok = codes.count("201")
secs = end - start
print(f"uploads: {ok}/{clients} answered 201 (others: {sorted(set(codes) - {'201'})}) in {secs:.1f} s: "
      f"{ok * mib / secs:.1f} MiB/s")
rss = [int(x) for x in open(f"{work}/rss").read().split()]
print(f"rss during the storm: peak {max(rss) // 1024} MiB, last {rss[-1] // 1024} MiB")
lat = sorted(float(l.split()[1]) * 1000 for l in open(f"{work}/list") if l.startswith("200"))
if lat:
    pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
    print(f"GET /api/v1/tasks during the storm: {len(lat)} requests, p50 {pick(0.5):.1f} ms, p99 {pick(0.99):.1f} ms")
PY
log "results: $RESULTS (server log: $WORK/bulwark.log)"
exit 0
}
