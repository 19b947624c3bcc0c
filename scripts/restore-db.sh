#!/usr/bin/env bash
# Restores a dump written by scripts/backup-db.sh into DATABASE_URL, replacing what the dump contains.
# See --help and docs/OPERATIONS.md ("Backup and restore").
set -euo pipefail
export LC_ALL=C

usage() {
  cat <<'EOF'
Usage: DATABASE_URL=postgresql://user:password@host:5432/bulwark scripts/restore-db.sh --yes DUMP_FILE

Restores DUMP_FILE (a custom-format dump from scripts/backup-db.sh) into DATABASE_URL with
  pg_restore --clean --if-exists --no-owner --single-transaction
Every table, index and sequence in the dump is dropped and recreated from it; rows written since the dump
was taken are lost. It is all or nothing: on any error the transaction rolls back and the database is left
as it was. Stop Bulwark (every instance) first, and run `java -jar bulwark.jar migrate` afterwards when the
dump is older than the schema of the Bulwark version you run.

Options:
  --yes        required: confirms that the target database may be overwritten
  -h, --help   this text

Environment:
  DATABASE_URL           required: the postgresql:// (or postgres://) URL of the target database. The password
                         is handed to libpq as PGPASSWORD, never on a command line.
  PG_RESTORE, PSQL       client programs (default: pg_restore, psql on PATH); pg_restore must be at least as new
                         as the pg_dump that wrote the dump.
  MIGRATIONS_DIR         Flyway migrations to compare the restored schema version with
                         (default: src/main/resources/db/migration beside this script, when present)

Exit status: 0 restored, 1 failed (database unchanged), 64 usage (including a missing --yes).
EOF
}

die() {
  echo "restore-db: $*" >&2
  exit 1
}

usage_error() {
  echo "restore-db: $*" >&2
  echo "Run with --help for usage." >&2
  exit 64
}

# shellcheck source=database-url.sh
. "$(dirname "${BASH_SOURCE[0]}")/database-url.sh"

# The highest Flyway version among V<version>__*.sql files in $1 (empty when there are none).
latest_migration() {
  local dir=$1 f name versions=()
  for f in "$dir"/V*__*.sql; do
    [[ -f $f ]] || continue
    name=${f##*/V}
    versions+=("${name%%__*}")
  done
  ((${#versions[@]} > 0)) || return 0
  printf '%s\n' "${versions[@]}" | tr '_' '.' | sort -V | tail -n 1
}

main() {
  local yes=false dump=""
  while (($# > 0)); do
    case $1 in
      -h | --help) usage; exit 0 ;;
      --yes) yes=true ;;
      --) shift; break ;;
      -*) usage_error "unknown option '$1'" ;;
      *) [[ -z $dump ]] || usage_error "only one dump file, please"; dump=$1 ;;
    esac
    shift
  done
  if (($# > 0)); then
    [[ -z $dump && $# -eq 1 ]] || usage_error "only one dump file, please"
    dump=$1
  fi
  [[ -n $dump ]] || usage_error "which dump? (scripts/restore-db.sh --yes backups/bulwark-YYYYmmddTHHMMSSZ.dump)"
  [[ -f $dump && -r $dump ]] || die "cannot read dump file '$dump'"
  [[ -n ${DATABASE_URL:-} ]] || die "DATABASE_URL is not set (postgresql://user:password@host:5432/database)"
  local pg_restore=${PG_RESTORE:-pg_restore} psql=${PSQL:-psql}
  command -v "$pg_restore" >/dev/null 2>&1 || die "pg_restore not found ('$pg_restore'): install the PostgreSQL client tools or set PG_RESTORE"

  parse_database_url "$DATABASE_URL"

  # Read the whole archive's table of contents before touching the database.
  local toc entries created from
  toc=$("$pg_restore" --list "$dump") || die "pg_restore cannot read '$dump' (not a custom-format dump, or written by a newer pg_dump than $("$pg_restore" --version))"
  entries=$(grep -Ecv '^(;|[[:space:]]*$)' <<<"$toc" || true)
  ((entries > 0)) || die "'$dump' lists no objects; refusing to restore it"
  created=$(sed -n 's/^;[[:space:]]*Archive created at \(.*\)$/\1/p' <<<"$toc" | head -n 1)
  from=$(sed -n 's/^;[[:space:]]*Dumped from database version: \(.*\)$/\1/p' <<<"$toc" | head -n 1)
  echo "restore-db: dump $dump: $entries archive entries, created ${created:-at an unknown time}, from PostgreSQL ${from:-?}"
  echo "restore-db: target $TARGET: every object in the dump is dropped and recreated; newer rows are lost"

  if [[ $yes != true ]]; then
    usage_error "refusing to overwrite $TARGET without --yes"
  fi

  "$pg_restore" --clean --if-exists --no-owner --single-transaction --no-password \
    --dbname="$CONN_URI" "$dump" || die "pg_restore failed (see above); the transaction was rolled back, $TARGET is unchanged"
  echo "restore-db: restored $dump into $TARGET"

  # Which schema version came back, and whether this checkout's Bulwark expects a newer one.
  local restored="" latest="" migrations
  migrations=${MIGRATIONS_DIR:-$(cd "$(dirname "$0")/.." && pwd)/src/main/resources/db/migration}
  if command -v "$psql" >/dev/null 2>&1; then
    restored=$("$psql" -X -q -A -t -v ON_ERROR_STOP=1 --no-password --dbname="$CONN_URI" -c \
      "SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL ORDER BY installed_rank DESC LIMIT 1" \
      2>/dev/null) || restored=""
  fi
  if [[ -d $migrations ]]; then
    latest=$(latest_migration "$migrations")
  fi

  if [[ -z $restored ]]; then
    echo "restore-db: could not read the restored schema version (no psql, or no flyway_schema_history)."
    echo "restore-db: NEXT: run 'java -jar bulwark.jar migrate' (compose: docker compose run --rm migrate) before starting Bulwark."
  elif [[ -z $latest ]]; then
    echo "restore-db: restored schema version: $restored"
    echo "restore-db: NEXT: if the dump is older than the schema of the Bulwark version you run, run"
    echo "restore-db:       'java -jar bulwark.jar migrate' (compose: docker compose run --rm migrate) before starting Bulwark."
  elif [[ $restored == "$latest" ]]; then
    echo "restore-db: restored schema version $restored matches this checkout's migrations ($latest); 'migrate' has nothing to do."
  elif [[ $(printf '%s\n%s\n' "$restored" "$latest" | sort -V | tail -n 1) == "$latest" ]]; then
    echo "restore-db: restored schema version $restored is OLDER than this checkout's migrations ($latest)."
    echo "restore-db: NEXT: run 'java -jar bulwark.jar migrate' (compose: docker compose run --rm migrate) before starting Bulwark."
  else
    echo "restore-db: restored schema version $restored is NEWER than this checkout's migrations ($latest):"
    echo "restore-db: run a Bulwark version at least as new as the one that wrote the dump."
  fi
}

main "$@"
