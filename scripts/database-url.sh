# Shared by backup-db.sh and restore-db.sh (sourced, not run): turning DATABASE_URL into libpq arguments.
# Expects the caller to define die().

# Decodes %XX escapes (a URL's user info and path are percent-encoded).
percent_decode() {
  local s=${1//\\/\\\\}
  printf '%b' "${s//%/\\x}"
}

# Splits DATABASE_URL into CONN_URI (the same URL without its password, for --dbname) and PGPASSWORD, so the
# password never shows in `ps`. libpq parses the rest itself (host, port, IPv6, ?sslmode=...). As Bulwark does,
# a URL without a user name connects as "postgres". Sets TARGET to a printable form (no password, no query).
parse_database_url() {
  local url=$1 scheme rest authority tail userinfo hostport user
  case $url in
    postgresql://* | postgres://*) ;;
    *) die "DATABASE_URL must be a postgresql:// URL (postgresql://user:password@host:5432/database)" ;;
  esac
  scheme=${url%%://*}
  rest=${url#*://}
  authority=${rest%%[/?#]*}
  tail=${rest:${#authority}}
  user=""
  hostport=$authority
  if [[ $authority == *@* ]]; then
    userinfo=${authority%@*}
    hostport=${authority##*@}
    user=${userinfo%%:*}
    if [[ $userinfo == *:* ]]; then
      PGPASSWORD=$(percent_decode "${userinfo#*:}")
      export PGPASSWORD
    fi
  fi
  user=${user:-postgres}
  [[ -n $hostport ]] || die "DATABASE_URL has no host"
  [[ $tail =~ ^/[^/?#]+ ]] || die "DATABASE_URL has no database name"
  CONN_URI="$scheme://$user@$hostport$tail"
  TARGET="$(percent_decode "$user")@$hostport${tail%%[?#]*}"
}
