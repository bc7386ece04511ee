#!/usr/bin/env bash
# The local stack without Docker: Debian's RabbitMQ and PostgreSQL, run as processes of our own
# with their data under the checkout (.stack/, git-ignored), on fixed default ports.
#
#   scripts/stack.sh up       install what is missing, start what is not running, wait until both answer
#   scripts/stack.sh down     stop what this script started (nothing else)
#   scripts/stack.sh status   say what runs
#   scripts/stack.sh reset    down, then delete the data folder
#   scripts/stack.sh stop|start postgresql|rabbitmq|rabbitmq-app
#                             one server alone, for outage drills and the fault tests (rabbitmq-app: stop_app/start_app,
#                             the node stays up; rabbitmq: the whole broker process)
#   scripts/stack.sh tools    only install what the tests run besides the servers (Debian's prometheus with promtool, chromium)
#
# Overridable: KCI_STACK_DIR, KCI_PG_PORT (5432), KCI_AMQP_PORT (5672), KCI_RABBIT_MGMT_PORT (15672).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
stack_dir=${KCI_STACK_DIR:-$repo/.stack}
pg_port=${KCI_PG_PORT:-5432}
amqp_port=${KCI_AMQP_PORT:-5672}
mgmt_port=${KCI_RABBIT_MGMT_PORT:-15672}
pg_bin=/usr/lib/postgresql/15/bin
rabbit_bin=/usr/lib/rabbitmq/bin
rabbit_node=kci@localhost
pg_user=kci pg_password=kci pg_database=kci

log() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] error: %s\n' "$*" >&2; exit 1; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  log "installing $* (Debian packages; about 20 to 40 s)"
  if [ ! -f "$stack_dir/.apt-updated" ] && [ -z "${KCI_SKIP_APT_UPDATE:-}" ]; then
    as_root apt-get update -qq
    mkdir -p "$stack_dir" && touch "$stack_dir/.apt-updated"
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Debian's prometheus package: promtool checks the alert rules (ops/prometheus) and the tests run a Prometheus of their
# own on a free port. Debian's prometheus service is never used, so it must not start: for the install an invoke-rc.d
# policy that refuses every start is put in place when the machine has none (a Docker image has one already), and on a
# systemd host the unit the package enabled is disabled again, so it does not start at the next boot either.
ensure_prometheus() {
  if [ -x /usr/bin/prometheus ] && command -v promtool >/dev/null; then return; fi
  local policy=/usr/sbin/policy-rc.d placed='' status=0
  if [ ! -e "$policy" ]; then
    as_root sh -c "printf '#!/bin/sh\\nexit 101\\n' >$policy && chmod 755 $policy"
    placed=1
  fi
  apt_install --no-install-recommends prometheus || status=$?
  if [ -n "$placed" ]; then as_root rm -f "$policy"; fi
  [ "$status" = 0 ] || die "installing prometheus failed"
  if [ -n "$placed" ] && [ -d /run/systemd/system ]; then
    as_root systemctl disable --quiet prometheus.service 2>/dev/null || true
  fi
  [ -x /usr/bin/prometheus ] && command -v promtool >/dev/null || die "prometheus or promtool missing after installing"
}

# Debian's chromium: the console's tests drive it headless with Playwright for .NET (its own browser download cannot
# reach its servers here).
ensure_chromium() {
  if command -v chromium >/dev/null; then return; fi
  apt_install --no-install-recommends chromium || die "installing chromium failed"
  command -v chromium >/dev/null || die "chromium missing after installing"
}

ensure_installed() {
  local missing=()
  [ -x "$pg_bin/initdb" ] || missing+=(postgresql postgresql-contrib)
  [ -x "$rabbit_bin/rabbitmq-server" ] || missing+=(rabbitmq-server)
  command -v curl >/dev/null || missing+=(curl)
  if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
  [ -x "$pg_bin/initdb" ] || die "PostgreSQL 15 not found in $pg_bin after installing"
  ensure_prometheus
  ensure_chromium
}

# PostgreSQL refuses to run as root: its files belong to the postgres user. Where that user cannot
# reach the checkout (a home folder with mode 700, say), its data goes under /var/tmp instead.
pg_data_dir() {
  local dir=$stack_dir/pg
  if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$(dirname "$stack_dir")" 2>/dev/null; then
    dir=/var/tmp/kci-stack-$(printf '%s' "$stack_dir" | md5sum | cut -c1-8)/pg
  fi
  printf '%s' "$dir"
}

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pg_running() { [ -f "$1/postmaster.pid" ] && as_pg "$pg_bin/pg_ctl" -D "$1" status >/dev/null 2>&1; }

pg_up() {
  local data; data=$(pg_data_dir)
  if pg_running "$data"; then log "PostgreSQL already running (port $pg_port)"; return; fi
  if "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port" 2>/dev/null; then
    die "port $pg_port already has a PostgreSQL that this script did not start; stop it or set KCI_PG_PORT"
  fi
  mkdir -p "$data"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$data" && chmod 700 "$data"
  if [ ! -f "$data/PG_VERSION" ]; then
    log "initialising PostgreSQL data in $data"
    as_pg "$pg_bin/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $pg_port
unix_socket_directories = '$data'
max_connections = 200
shared_buffers = 256MB
CONF
  fi
  log "starting PostgreSQL on 127.0.0.1:$pg_port"
  # pg_stat_statements: which statements cost what (docs/performance.md); also on data folders made before it was added
  as_pg "$pg_bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
    -o "-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=top" start >/dev/null \
    || die "PostgreSQL did not start; see $data/server.log"
  as_pg "$pg_bin/psql" -h "$data" -p "$pg_port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q <<SQL
SELECT 'CREATE ROLE $pg_user LOGIN PASSWORD ''$pg_password'' CREATEDB'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$pg_user') \gexec
SELECT 'CREATE DATABASE $pg_database OWNER $pg_user'
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$pg_database') \gexec
\c $pg_database
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
GRANT pg_read_all_stats TO $pg_user;
SQL
}

pg_down() {
  local data; data=$(pg_data_dir)
  if pg_running "$data"; then
    log "stopping PostgreSQL"
    as_pg "$pg_bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null
  fi
}

rabbit_env() {
  export RABBITMQ_NODENAME=$rabbit_node
  export RABBITMQ_NODE_PORT=$amqp_port
  export RABBITMQ_MNESIA_BASE=$stack_dir/rabbitmq/mnesia
  export RABBITMQ_LOG_BASE=$stack_dir/rabbitmq/log
  export RABBITMQ_PID_FILE=$stack_dir/rabbitmq/rabbit.pid
  export RABBITMQ_ENABLED_PLUGINS_FILE=$stack_dir/rabbitmq/enabled_plugins
  export RABBITMQ_CONFIG_FILE=$stack_dir/rabbitmq/rabbitmq
  export RABBITMQ_CONF_ENV_FILE=$stack_dir/rabbitmq/rabbitmq-env.conf
  # the distribution port sits next to the AMQP port by default; keep it off 25672 clashes
  export RABBITMQ_DIST_PORT=$((amqp_port + 20000))
}

rabbitmqctl_() { "$rabbit_bin/rabbitmqctl" -n "$rabbit_node" "$@"; }

rabbit_running() { rabbit_env; rabbitmqctl_ -q status >/dev/null 2>&1; }

rabbit_up() {
  rabbit_env
  if rabbit_running; then log "RabbitMQ already running (port $amqp_port)"; return; fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$amqp_port") 2>/dev/null; then
    die "port $amqp_port already has a broker that this script did not start; stop it or set KCI_AMQP_PORT"
  fi
  mkdir -p "$RABBITMQ_MNESIA_BASE" "$RABBITMQ_LOG_BASE"
  # Erlang's schedulers spin while they wait for work by default; on a small machine shared with the services
  # that spinning takes CPU the services need (docs/performance.md, "Erlang busy-wait")
  echo 'SERVER_ADDITIONAL_ERL_ARGS="+sbwt none +sbwtdcpu none +sbwtdio none"' >"$RABBITMQ_CONF_ENV_FILE"
  cat >"$RABBITMQ_CONFIG_FILE.conf" <<CONF
listeners.tcp.default = $amqp_port
management.tcp.port = $mgmt_port
loopback_users.guest = true
CONF
  "$rabbit_bin/rabbitmq-plugins" --offline enable rabbitmq_management >/dev/null
  log "starting RabbitMQ on localhost:$amqp_port (management UI on $mgmt_port)"
  "$rabbit_bin/rabbitmq-server" -detached >/dev/null 2>&1
  # await_startup fails at once while the node has not registered yet: ask again until it answers
  local deadline=$((SECONDS + 90))
  until rabbitmqctl_ -q --timeout 30 await_startup >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "RabbitMQ did not start; see $RABBITMQ_LOG_BASE"
    sleep 1
  done
}

rabbit_down() {
  rabbit_env
  if rabbit_running; then
    log "stopping RabbitMQ"
    rabbitmqctl_ -q stop "$RABBITMQ_PID_FILE" >/dev/null 2>&1 || true
  fi
}

wait_for_management() {
  for _ in $(seq 1 60); do
    curl -fsS -u guest:guest "http://localhost:$mgmt_port/api/overview" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  die "RabbitMQ management UI did not answer on port $mgmt_port"
}

status() {
  local data; data=$(pg_data_dir)
  if pg_running "$data"; then echo "postgresql: running on 127.0.0.1:$pg_port (data $data)"; else echo "postgresql: stopped"; fi
  if rabbit_running; then echo "rabbitmq: running on localhost:$amqp_port, management http://localhost:$mgmt_port"; else echo "rabbitmq: stopped"; fi
}

case "${1:-up}" in
  up)
    ensure_installed
    mkdir -p "$stack_dir"
    pg_up
    rabbit_up
    wait_for_management
    log "ready: PostgreSQL Host=127.0.0.1;Port=$pg_port;Database=$pg_database;Username=$pg_user;Password=$pg_password"
    log "ready: RabbitMQ amqp://guest:guest@localhost:$amqp_port/, management UI http://localhost:$mgmt_port (login guest / guest)"
    ;;
  tools) ensure_prometheus; ensure_chromium ;;
  down) rabbit_down; pg_down ;;
  status) status ;;
  reset) rabbit_down; pg_down; rm -rf "$stack_dir" "$(dirname "$(pg_data_dir)")/pg"; log "data deleted" ;;
  stop|start)
    case "$1:${2:-}" in
      stop:postgresql) pg_down ;;
      start:postgresql) pg_up ;;
      stop:rabbitmq) rabbit_down ;;
      start:rabbitmq) rabbit_up; wait_for_management ;;
      stop:rabbitmq-app) rabbit_env; log "stopping the RabbitMQ application (node stays up)"; rabbitmqctl_ -q stop_app >/dev/null ;;
      start:rabbitmq-app) rabbit_env; log "starting the RabbitMQ application"; rabbitmqctl_ -q start_app >/dev/null; wait_for_management ;;
      *) echo "usage: $0 stop|start postgresql|rabbitmq|rabbitmq-app" >&2; exit 2 ;;
    esac ;;
  *) echo "usage: $0 up|down|status|reset|stop|start|tools" >&2; exit 2 ;;
esac
