# Shared by the bench drivers (bench/run_*.sh):
# a release stack on free ports in a temporary folder, with the limits a benchmark needs raised.
# Source it after scripts/lib.sh; do not run it.
#
#   bench_start_stack [KEY=VALUE...]   extra .env lines (later ones win over the defaults here)
#
# Sets STACK (the folder), BASE (http://127.0.0.1:port), HTTP_PORT, PG_PORT and an EXIT trap
# that stops the stack and removes the folder. Load goes to 127.0.0.1 only.

# Binaries of the benchmark tools, built in their own folder so a rebuild of build/ by someone
# else never races with them.
BENCH_BUILD="${BENCH_BUILD:-$NT_ROOT/build-bench3}"

bench_build_tools() {  # bench_build_tools TARGET...
  mkdir -p "$BENCH_BUILD"
  local log="$BENCH_BUILD/bench-tools.log"
  cmake -S "$NT_ROOT" -B "$BENCH_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNERUTALK_TESTS=OFF \
    >"$log" 2>&1 || { cat "$log"; nt_die "cmake configure failed"; }
  for t in "$@"; do
    cmake --build "$BENCH_BUILD" -j2 --target "$t" >"$log" 2>&1 ||
      { grep -E "error" -A3 "$log" | head -40; nt_die "building $t failed"; }
  done
}

bench_cleanup() {
  nt_stop_stack "$STACK"
  rm -rf "$STACK"
}

bench_start_stack() {
  # Each proxied WebSocket costs nginx two descriptors and the client one; thousands of them
  # need more than the usual 1024 (nt_start_stack raises it again for the daemons).
  ulimit -n 200000 2>/dev/null || ulimit -n 65536 2>/dev/null || true
  nt_install_deps
  nt_build "$NT_ROOT/build"
  STACK=$(mktemp -d /tmp/nerutalk-bench.XXXXXX)
  chmod 755 "$STACK"
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
  HTTP_PORT=$(nt_free_port)
  local redis_port rt1 rt2
  redis_port=$(nt_free_port); rt1=$(nt_free_port); rt2=$(nt_free_port)
  PG_PORT=$((20000 + RANDOM % 20000))
  nt_write_env "$STACK/bench.env" \
    "DATABASE_URL=postgresql:///nerutalk?host=$STACK/run&port=$PG_PORT&user=nerutalk" \
    "REDIS_URL=redis://127.0.0.1:$redis_port/0" \
    "NT_PG_PORT=$PG_PORT" "NT_REDIS_PORT=$redis_port" "NT_HTTP_PORT=$HTTP_PORT" \
    "NT_REALTIME_PORT_1=$rt1" "NT_REALTIME_PORT_2=$rt2" "API_SOCKET_MODE=0666" \
    "API_THREADS=48" "NGINX_WORKERS=2" "NGINX_API_KEEPALIVE=8" "NGINX_WORKER_CONNECTIONS=32768" \
    "NGINX_WORKER_RLIMIT=65536" "BCRYPT_COST=4" "NGINX_RATE_PER_SECOND=1000000" \
    "NGINX_RATE_BURST=1000000" "NGINX_CONN_PER_IP=60000" "REGISTER_RATE_PER_IP=1000000" \
    "LOGIN_RATE_PER_IP=1000000" "NT_REALTIME_DAEMONS=1" "STORAGE_DIR=$STACK/storage" \
    "LOG_LEVEL=warn" "$@"
  nt_start_stack "$STACK" "$STACK/bench.env" "$NT_ROOT/build"
  BASE="http://127.0.0.1:$HTTP_PORT"
}

# psql as the postgres superuser against the stack's socket.
bench_psql() {
  runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -h "$STACK/run" -p "$PG_PORT" -d nerutalk "$@"
}

# bench_kv LINE KEY: the value of KEY=value in a key=value output line.
bench_kv() {
  sed -nE "s/.*(^| )$2=([^ ]*).*/\\2/p" <<<"$1"
}
