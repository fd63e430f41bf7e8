#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the tests and prints its URL on stdout.
#   scripts/start-postgres.sh DIR          # cluster under DIR (created), unix socket in DIR
#   scripts/start-postgres.sh --stop DIR   # stop it (the caller removes DIR)
# Uses Debian's /usr/lib/postgresql/*/bin; runs the server as user `postgres` when started as
# root (PostgreSQL refuses to run as root). No TCP port is opened: clients connect through the
# socket, e.g. postgresql://postgres@/schedule_explorer_test?host=DIR
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] && [ -x "$bin/initdb" ] || { echo "start-postgres: no PostgreSQL under /usr/lib/postgresql" >&2; exit 1; }
as_owner=()
[ "$(id -u)" -eq 0 ] && as_owner=(runuser -u postgres --)

if [ "${1:-}" = "--stop" ]; then
  dir=${2:?usage: start-postgres.sh --stop DIR}
  "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  exit 0
fi

dir=${1:?usage: start-postgres.sh DIR}
mkdir -p "$dir"
[ ${#as_owner[@]} -eq 0 ] || chown postgres "$dir"
port=5432
db=schedule_explorer_test
"${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
  -o "-c listen_addresses='' -k $dir -p $port -c fsync=off" start >/dev/null \
  || { cat "$dir/server.log" >&2; exit 1; }
"${as_owner[@]}" "$bin/createdb" -h "$dir" -p "$port" -U postgres "$db"
echo "postgresql://postgres@/$db?host=$dir&port=$port"
