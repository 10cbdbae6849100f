# A throwaway PostgreSQL server on loopback for the test suite. Source this file, then:
#   postgres_start [durable]  -> exports CARPORT_TEST_DATABASE_URL; the server stops when the shell exits.
# Tests run it with fsync off (a throwaway server); `durable` keeps PostgreSQL's defaults, for the benchmarks.

postgres_bin_dir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

postgres_start() {
  local bin dir port as=() speed="-c fsync=off -c full_page_writes=off"
  [ "${1:-}" = durable ] && speed=""
  bin=$(postgres_bin_dir) || { echo "check: PostgreSQL server binaries not found (Debian package postgresql)" >&2; return 1; }
  dir=$(mktemp -d /tmp/carport-pg.XXXXXX)
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$dir"
    as=(runuser -u postgres --)
  fi
  port=$(free_port)
  "${as[@]}" "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; echo "check: initdb failed" >&2; return 1; }
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=400 $speed" \
    start >/dev/null \
    || { cat "$dir/server.log" >&2; echo "check: PostgreSQL did not start" >&2; return 1; }
  POSTGRES_STOP="${as[*]} $bin/pg_ctl -D $dir/data -m fast -w stop"
  POSTGRES_DIR="$dir"
  trap postgres_stop EXIT
  export CARPORT_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
  echo "check: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
}

postgres_stop() {
  if [ -n "${POSTGRES_STOP:-}" ]; then
    $POSTGRES_STOP >/dev/null 2>&1 || true
    rm -rf "$POSTGRES_DIR"
    POSTGRES_STOP=""
  fi
}
