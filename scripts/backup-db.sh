#!/usr/bin/env bash
# Backs up Bulwark's PostgreSQL database to a verified custom-format dump, then prunes old dumps.
# See --help and docs/OPERATIONS.md ("Backup and restore").
set -euo pipefail
export LC_ALL=C

usage() {
  cat <<'EOF'
Usage: DATABASE_URL=postgresql://user:password@host:5432/bulwark scripts/backup-db.sh [--help]

Dumps the database with `pg_dump --format=custom --no-owner` into
  ${BACKUP_DIR:-./backups}/bulwark-YYYYmmddTHHMMSSZ.dump   (UTC time stamp)
writing under a temporary name first and renaming only once the dump is complete and has been
read back (`pg_restore --list`, then every data block). Then deletes bulwark-*.dump files in BACKUP_DIR whose
time stamp is older than BACKUP_RETENTION_DAYS, never the one just written.

Environment:
  DATABASE_URL           required: the postgresql:// (or postgres://) URL Bulwark uses. The password
                         is handed to libpq as PGPASSWORD, never on a command line.
  BACKUP_DIR             where dumps go (default ./backups; created with mode 700, dumps are 600)
  BACKUP_RETENTION_DAYS  days of dumps to keep (default 14; 0 keeps every dump)
  PG_DUMP, PG_RESTORE    client programs (default: pg_dump, pg_restore on PATH). pg_dump refuses a
                         server newer than itself: use PostgreSQL 17 client tools for a 17 server.

Exit status: 0 done, 1 failed (nothing is left under the final name), 64 usage.
EOF
}

die() {
  echo "backup-db: $*" >&2
  exit 1
}

# shellcheck source=database-url.sh
. "$(dirname "${BASH_SOURCE[0]}")/database-url.sh"

main() {
  case ${1:-} in
    -h | --help) usage; exit 0 ;;
    "") ;;
    *) echo "backup-db: unknown argument '$1'" >&2; usage >&2; exit 64 ;;
  esac

  [[ -n ${DATABASE_URL:-} ]] || die "DATABASE_URL is not set (postgresql://user:password@host:5432/database)"
  local pg_dump=${PG_DUMP:-pg_dump} pg_restore=${PG_RESTORE:-pg_restore}
  command -v "$pg_dump" >/dev/null 2>&1 || die "pg_dump not found ('$pg_dump'): install the PostgreSQL client tools or set PG_DUMP"
  command -v "$pg_restore" >/dev/null 2>&1 || die "pg_restore not found ('$pg_restore'): install the PostgreSQL client tools or set PG_RESTORE"
  local retention=${BACKUP_RETENTION_DAYS:-14}
  [[ $retention =~ ^[0-9]{1,5}$ ]] || die "BACKUP_RETENTION_DAYS must be a whole number of days (got '$retention')"
  retention=$((10#$retention))
  local dir=${BACKUP_DIR:-./backups}

  parse_database_url "$DATABASE_URL"

  umask 077
  mkdir -p -- "$dir" || die "cannot create BACKUP_DIR '$dir'"
  local stamp final
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  final="$dir/bulwark-$stamp.dump"
  [[ ! -e $final ]] || die "$final already exists (another backup in the same second?)"

  # Same directory as the final name, so the rename below is atomic; hidden, so retention never matches it.
  TMP_DUMP=$(mktemp "$dir/.bulwark-$stamp.dump.XXXXXX") || die "cannot write in '$dir'"
  trap 'rm -f -- "$TMP_DUMP"' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM HUP

  echo "backup-db: dumping $TARGET with $("$pg_dump" --version)"
  "$pg_dump" --format=custom --no-owner --no-password --dbname="$CONN_URI" --file="$TMP_DUMP" \
    || die "pg_dump failed (see above); no dump written"

  local toc entries tables
  toc=$("$pg_restore" --list "$TMP_DUMP") || die "pg_restore --list cannot read the new dump; not kept"
  entries=$(grep -Ecv '^(;|[[:space:]]*$)' <<<"$toc" || true)
  tables=$(grep -Ec '^[0-9]+; [0-9]+ [0-9]+ TABLE DATA ' <<<"$toc" || true)
  ((entries > 0)) || die "the dump lists no objects (empty database?); not kept"
  # --list reads only the table of contents; a full read to /dev/null also proves every data block is intact.
  "$pg_restore" --file=/dev/null "$TMP_DUMP" || die "pg_restore cannot read every data block of the new dump; not kept"
  if ! grep -Eq ' TABLE DATA [^ ]+ flyway_schema_history ' <<<"$toc"; then
    echo "backup-db: warning: no flyway_schema_history in the dump: is this Bulwark's database (has it been migrated)?" >&2
  fi

  # Flush the data to disk before the name says the dump is complete.
  sync -- "$TMP_DUMP" 2>/dev/null || sync
  mv -- "$TMP_DUMP" "$final"
  trap - EXIT INT TERM HUP
  sync -- "$dir" 2>/dev/null || true
  echo "backup-db: wrote $final ($(wc -c <"$final" | tr -d ' ') bytes; $entries archive entries, $tables tables with data; verified: pg_restore --list and a full read)"

  # Retention: by the time stamp in the name (copying a dump does not make it new), only our own file names.
  if ((retention == 0)); then
    echo "backup-db: retention off (BACKUP_RETENTION_DAYS=0): no dump deleted"
    return 0
  fi
  local now cutoff f name deleted=0
  now=$(date -u +%s)
  cutoff=$(date -u -d "@$((now - retention * 86400))" +%Y%m%dT%H%M%SZ) || die "cannot compute the retention cut-off (GNU date needed)"
  for f in "$dir"/bulwark-*.dump; do
    [[ -f $f && $f != "$final" ]] || continue
    name=${f##*/}
    [[ $name =~ ^bulwark-([0-9]{8}T[0-9]{6}Z)\.dump$ ]] || continue
    if [[ ${BASH_REMATCH[1]} < "$cutoff" ]]; then
      rm -f -- "$f"
      echo "backup-db: deleted $f (older than $retention days)"
      deleted=$((deleted + 1))
    fi
  done
  # Temporary files of runs that were killed outright (the EXIT trap could not run) are removed after a day.
  while IFS= read -r f; do
    echo "backup-db: deleted stale partial dump $f"
  done < <(find "$dir" -maxdepth 1 -type f -name '.bulwark-*.dump.*' -mmin +1440 -print -delete)
  echo "backup-db: retention $retention days: deleted $deleted old dump(s)"
}

main "$@"
