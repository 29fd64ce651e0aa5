#!/usr/bin/env bash
# A throwaway Postgres on this machine for lake mode (the catalog) and the Dagster instance: the README's
# production section and the tests start it the same way.
#
#   deploy/local-postgres.sh start DIR PORT   # initdb (once) and start; creates the databases lake and dagster
#   deploy/local-postgres.sh stop DIR
#
# DIR's parent folders must be open to the postgres user (e.g. a folder in /tmp). Starting twice is harmless.
# Debian's `postgresql` package (apt-get install -y postgresql). Postgres refuses to run as root: as root the
# cluster belongs to the `postgres` user. Trust authentication on 127.0.0.1 only; server messages in English
# (lc_messages=C), which DuckLake's retry of a commit relies on (duckdb/ducklake#1311).
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ] && command -v pg_ctl >/dev/null 2>&1; then bin=$(dirname "$(command -v pg_ctl)"); fi
[ -n "$bin" ] || { echo "no Postgres: apt-get install -y postgresql" >&2; exit 3; }

action=${1:?start|stop}
dir=$(realpath -m "${2:?data folder}")
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$action" in
start)
    port=${3:?port}
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    if [ ! -f "$dir/PG_VERSION" ]; then
        as_owner "$bin/initdb" -D "$dir" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! as_owner "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
        as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
            -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c lc_messages=C -c max_connections=200" start >/dev/null
    fi
    for db in lake dagster; do
        as_owner "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" \
            | grep -q 1 || as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$db"
    done
    echo "Postgres on 127.0.0.1:$port (data $dir): databases lake and dagster"
    ;;
stop)
    as_owner "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
    ;;
*)
    echo "usage: $0 start DIR PORT | stop DIR" >&2
    exit 2
    ;;
esac
