#!/usr/bin/env bash
# Runs a command against REAL, PRIVATE RabbitMQ and PostgreSQL instances on loopback, then tears them down.
#
#   deploy/test-infra.sh <command...>          e.g.  deploy/test-infra.sh dotnet test StockSync.sln
#
# What it does:
#   1. Installs `rabbitmq-server`, `postgresql`, `curl` and `chromium` (the dashboard test drives it headless) with
#      apt-get where they are missing (needs root).
#   2. Starts a private RabbitMQ node `stocksync-test@localhost` from a fresh temp dir: AMQP 127.0.0.1:5673,
#      management HTTP 127.0.0.1:15673, Erlang distribution 127.0.0.1:25673 and its OWN epmd on 127.0.0.1:4370
#      (so neither a system node, the system epmd on 4369 nor the system cookie are ever touched).
#      The vhost `stocksync-test` and the user `stocksync`/`stocksync` (tag administrator, full permissions on the
#      vhost) are created at first boot from the node's config file; there is no `guest` user.
#   3. Starts a private PostgreSQL cluster (initdb into the temp dir) on 127.0.0.1:5433 with fsync off, with the
#      LOGIN CREATEDB role `stocksync`/`stocksync` and the database `stocksync` owned by it.
#   4. Runs the command with STOCKSYNC_TEST_* variables exported and exits with its exit code.
#   5. On exit (also on INT/TERM/HUP) stops both servers, kills whatever is left of the processes it started and
#      deletes the temp dir.
#
# Runs are serialized by a lock (/tmp/.stocksync-test-infra.lock), as the ports are fixed: a second run waits for
# the first one to finish (at most STOCKSYNC_TEST_INFRA_LOCK_WAIT seconds, default 3600). Leftovers of a crashed run
# (SIGKILL, power loss, ...) are recognized by the marker variable STOCKSYNC_TEST_INFRA_DIR in their environment (or,
# for postgres, their /tmp/stocksync-test-infra.* data dir) and are killed, with their temp dirs removed, before
# starting. Anything else that holds one of the ports is NOT ours: the run fails and names it.
#
# Progress goes to stderr prefixed with [test-infra]; stdout belongs to the command.
# The servers run as the `rabbitmq` and `postgres` OS users when started as root, otherwise as the calling user.
set -euo pipefail

readonly RABBITMQ_NODE=stocksync-test@localhost
readonly RABBITMQ_AMQP_PORT=5673
readonly RABBITMQ_MANAGEMENT_PORT=15673
readonly RABBITMQ_DIST_PORT=25673
readonly RABBITMQ_EPMD_PORT=4370
readonly RABBITMQ_VHOST=stocksync-test
readonly POSTGRES_PORT=5433
readonly TEST_USER=stocksync
readonly TEST_PASSWORD=stocksync
readonly TEST_DATABASE=stocksync
readonly STARTUP_TIMEOUT=60
readonly LOCK_WAIT=${STOCKSYNC_TEST_INFRA_LOCK_WAIT:-3600}   # seconds to queue behind a concurrent run

readonly TMP_ROOT=/tmp
readonly WORK_PREFIX=stocksync-test-infra.
readonly LOCK_FILE=$TMP_ROOT/.stocksync-test-infra.lock
readonly FAILED_LOGS=$TMP_ROOT/stocksync-test-infra-failed-logs
readonly MARKER=STOCKSYNC_TEST_INFRA_DIR
readonly RABBITMQ_LIB_BIN=/usr/lib/rabbitmq/bin
readonly DAEMON_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

log() { printf '[test-infra] %s\n' "$*" >&2 || true; }
die() { log "ERROR: $*"; exit 1; }

if [ "$#" -eq 0 ]; then
  echo "usage: $0 <command...>   (e.g. $0 dotnet test StockSync.sln)" >&2
  exit 2
fi

started_at=$(date +%s%N)
elapsed() { echo "$(( ($(date +%s%N) - started_at) / 1000000 ))" | sed -E 's/^([0-9]*)([0-9]{3})$/\1.\2/; s/^\./0./'; }

# ---------------------------------------------------------------------------------------------------------------
# State and teardown
# ---------------------------------------------------------------------------------------------------------------
work=""                 # this run's temp dir
rabbitmq_pid=""         # the rabbitmq-server shell wrapper (our child); beam.smp is its child
rabbitmq_beam_pid=""
postgres_pid=""         # the postmaster
created_policy_rc_d=""
cleaned_up=""
ready=""              # set once both servers are up

# True while $1 is a live (not zombie) process.
running() {
  local stat
  read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
  stat=${stat##*) }
  case ${stat%% *} in Z | X | x | "") return 1 ;; esac
}

# Prints the pid of every process whose environment carries the marker (exactly $1, or with any value when $1 is
# empty), and of every postgres whose command line names a data dir under the path prefix $2. Builtins only, so
# that no helper process of ours (with the pattern on its command line) can match.
find_marked() {
  local want_env=$1 want_path=$2 dir pid comm var
  local -a env cmd
  for dir in /proc/[0-9]*; do
    pid=${dir#/proc/}
    [ "$pid" = "$$" ] && continue
    mapfile -d '' -t env 2>/dev/null <"$dir/environ" || continue
    for var in "${env[@]}"; do
      if [ -n "$want_env" ]; then
        [ "$var" = "$MARKER=$want_env" ] && { echo "$pid"; continue 2; }
      else
        [[ $var == "$MARKER="* ]] && { echo "$pid"; continue 2; }
      fi
    done
    read -r comm 2>/dev/null <"$dir/comm" || continue
    [ "$comm" = postgres ] || continue
    mapfile -d '' -t cmd 2>/dev/null <"$dir/cmdline" || continue
    [[ " ${cmd[*]} " == *" -D $want_path"* ]] && echo "$pid"
  done
  return 0
}

# Waits until none of the given pids is running any more, for at most $1 tenths of a second.
wait_gone() {
  local tenths=$1 pid alive
  shift
  while :; do
    alive=""
    for pid in "$@"; do running "$pid" && alive=1; done
    [ -z "$alive" ] && return 0
    [ "$tenths" -le 0 ] && return 1
    sleep 0.1
    tenths=$((tenths - 1))
  done
}

# Kills the processes that find_marked reports for $1/$2 with signal $3 (then KILL) and waits for them to be gone.
kill_marked() {
  local pids
  pids=$(find_marked "$1" "$2" | tr '\n' ' ')
  [ -z "${pids// /}" ] && return 0
  # shellcheck disable=SC2086
  {
    kill "-$3" $pids 2>/dev/null
    wait_gone 50 $pids || { kill -KILL $pids 2>/dev/null; wait_gone 50 $pids; }
  } || true
}

cleanup() {
  [ -n "$cleaned_up" ] && return 0
  cleaned_up=1
  # Whoever reads our stderr (tee in deploy/test.sh) may already be gone after a Ctrl-C: do not die of SIGPIPE.
  trap '' PIPE INT TERM HUP
  set +e
  if [ -n "$created_policy_rc_d" ]; then rm -f /usr/sbin/policy-rc.d; fi
  [ -n "$work" ] || return 0
  log "tearing down"
  local ours pid left
  ours=$(find_marked "$work" "$work/" | tr '\n' ' ')

  if [ -n "$rabbitmq_pid" ]; then
    [ -n "$rabbitmq_beam_pid" ] || rabbitmq_beam_pid=$(cat "$work/rabbitmq/rabbitmq.pid" 2>/dev/null)
    if running "$rabbitmq_pid"; then
      run_timeout=30 rabbitmqctl stop >>"$work/rabbitmq/log/stop.log" 2>&1 \
        || log "rabbitmqctl stop failed ($(tail -n 1 "$work/rabbitmq/log/stop.log" 2>/dev/null)); killing the node"
    fi
    if [ -n "$rabbitmq_beam_pid" ] && ! wait_gone 150 "$rabbitmq_beam_pid"; then kill -KILL "$rabbitmq_beam_pid" 2>/dev/null; fi
    # The rabbitmq-server shell wrapper (our child) ends with the VM; on TERM it stops the VM itself.
    if ! wait_gone 20 "$rabbitmq_pid"; then
      kill -TERM "$rabbitmq_pid" 2>/dev/null
      wait_gone 100 "$rabbitmq_pid" || kill -KILL "$rabbitmq_pid" 2>/dev/null
    fi
    wait "$rabbitmq_pid" 2>/dev/null
  fi

  if [ -n "$postgres_pid" ] && running "$postgres_pid"; then
    as_postgres "$pg_bin/pg_ctl" -D "$work/postgres/data" -m fast -w -t 30 stop >/dev/null 2>&1 \
      || { log "pg_ctl stop failed; killing the postmaster"; kill -KILL "$postgres_pid" 2>/dev/null; }
    wait_gone 100 "$postgres_pid"
  fi

  # What is left: our private epmd (port $RABBITMQ_EPMD_PORT), erl_child_setup, inet_gethost, ...
  kill_marked "$work" "$work/" TERM
  if [ -z "$ready" ]; then
    # Startup failed: keep the servers' logs (the temp dir goes away).
    rm -rf "$FAILED_LOGS" && mkdir -p "$FAILED_LOGS" \
      && cp -r "$work/rabbitmq/log" "$FAILED_LOGS/rabbitmq" 2>/dev/null
    cp "$work/postgres/"*.log "$FAILED_LOGS/" 2>/dev/null
    log "server logs of the failed startup kept in $FAILED_LOGS"
  fi
  rm -rf "$work"
  # Killed orphans are reaped by init a moment later; wait for that so that no zombie shows up in pgrep either.
  for pid in $ours $rabbitmq_pid $postgres_pid; do
    for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do [ -e "/proc/$pid" ] || break; sleep 0.1; done
  done
  left=$(find_marked "$work" "$work/" | tr '\n' ' ')
  if [ -n "${left// /}" ]; then log "WARNING: still running after teardown: $left"; else log "stopped everything"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---------------------------------------------------------------------------------------------------------------
# Lock (fd 9; closed for everything that may outlive a run, so that nothing else can keep holding it)
# ---------------------------------------------------------------------------------------------------------------
exec 9>>"$LOCK_FILE"
chmod 666 "$LOCK_FILE" 2>/dev/null || true   # so that other users can take it too
if ! flock -n 9; then
  # The ports are fixed, so runs cannot overlap: queue behind the other one (e.g. another engineer's test run).
  log "another deploy/test-infra.sh run is active (lock $LOCK_FILE); waiting up to ${LOCK_WAIT}s for it to finish"
  flock -w "$LOCK_WAIT" 9 || die "gave up waiting for the other deploy/test-infra.sh run after ${LOCK_WAIT}s"
fi
started_at=$(date +%s%N)   # "ready after" should not count the wait

# ---------------------------------------------------------------------------------------------------------------
# Packages
# ---------------------------------------------------------------------------------------------------------------
find_pg_bin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ] && [ -x "$d/psql" ]; then echo "$d"; return 0; fi
  done
  return 1
}

missing=()
{ [ -x "$RABBITMQ_LIB_BIN/rabbitmq-server" ] && [ -x "$RABBITMQ_LIB_BIN/rabbitmqctl" ] && command -v erl >/dev/null; } \
  || missing+=(rabbitmq-server)
find_pg_bin >/dev/null || missing+=(postgresql)
command -v curl >/dev/null || missing+=(curl)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ "${#missing[@]}" -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || die "missing packages (${missing[*]}); run as root so they can be installed, or install them"
  log "installing ${missing[*]} (apt-get)"
  # Do not let the packages' postinst start the system services (there is no systemd here, and we use our own
  # instances anyway). Debian's invoke-rc.d honours policy-rc.d; leave an existing one alone.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && created_policy_rc_d=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q </dev/null >&2 9>&- || die "apt-get update failed"
  apt-get install -y -q --no-install-recommends --no-upgrade \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" </dev/null >&2 9>&- \
    || log "apt-get install reported an error (often a postinst that cannot start a service); checking what got installed"
  if [ -n "$created_policy_rc_d" ]; then rm -f /usr/sbin/policy-rc.d; created_policy_rc_d=""; fi
  [ -x "$RABBITMQ_LIB_BIN/rabbitmq-server" ] && command -v erl >/dev/null || die "rabbitmq-server is not installed"
  find_pg_bin >/dev/null || die "postgresql is not installed (no /usr/lib/postgresql/<version>/bin/initdb)"
  command -v curl >/dev/null || die "curl is not installed"
  [ -x /usr/bin/chromium ] || die "chromium is not installed (/usr/bin/chromium)"
fi
pg_bin=$(find_pg_bin)   # never /usr/local/bin/pg_ctl or whatever else is on PATH

# ---------------------------------------------------------------------------------------------------------------
# Leftovers of crashed runs, ports
# ---------------------------------------------------------------------------------------------------------------

stale=$(find_marked "" "$TMP_ROOT/$WORK_PREFIX" | tr '\n' ' ')
if [ -n "${stale// /}" ]; then
  log "killing leftovers of a crashed earlier run (pids $stale)"
  kill_marked "" "$TMP_ROOT/$WORK_PREFIX" KILL   # throwaway data: no need to be gentle
fi
for d in "$TMP_ROOT/$WORK_PREFIX"*/; do
  [ -d "$d" ] || continue
  log "removing stale ${d%/}"
  rm -rf "$d" || log "WARNING: could not remove ${d%/}"
done

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in $RABBITMQ_AMQP_PORT $RABBITMQ_MANAGEMENT_PORT $RABBITMQ_DIST_PORT $RABBITMQ_EPMD_PORT $POSTGRES_PORT; do
  if port_busy "$port"; then
    holder=$(ss -Hltnp "sport = :$port" 2>/dev/null | sed -E 's/.*users:\(\((.*)\)\)/\1/' | head -n 1 || true)
    die "port $port on 127.0.0.1 is already in use${holder:+ by $holder}, and not by a leftover of this script; stop it first"
  fi
done

# ---------------------------------------------------------------------------------------------------------------
# Temp dir and the way the servers are run
# ---------------------------------------------------------------------------------------------------------------
work=$(mktemp -d "$TMP_ROOT/${WORK_PREFIX}XXXXXX")
chmod 711 "$work"
mkdir -p "$work/rabbitmq/mnesia" "$work/rabbitmq/log" "$work/postgres"

if [ "$(id -u)" -eq 0 ]; then
  rabbitmq_user=rabbitmq
  postgres_user=postgres
  id "$rabbitmq_user" >/dev/null 2>&1 || die "user $rabbitmq_user does not exist (is rabbitmq-server installed properly?)"
  id "$postgres_user" >/dev/null 2>&1 || die "user $postgres_user does not exist (is postgresql installed properly?)"
else
  rabbitmq_user=$(id -un)
  postgres_user=$(id -un)
fi

# Sets the array `cmd` to: run the command $3... as user $1 with HOME=$2, a clean environment plus the NAME=value
# pairs among the arguments, and the run's marker (which is how teardown and later runs recognize the processes).
# Debian's /usr/sbin/rabbitmq* wrappers are bypassed on purpose: they `cd /var/lib/rabbitmq`, use the system cookie
# and, for rabbitmq-server, send its output to /var/log/rabbitmq.
build_cmd() {
  local user=$1 home=$2
  shift 2
  cmd=(env -i "PATH=$DAEMON_PATH" "HOME=$home" LANG=C.UTF-8 LC_ALL=C.UTF-8 "$MARKER=$work" "$@")
  if [ "$(id -u)" -eq 0 ] && [ "$user" != root ]; then
    cmd=(setpriv --reuid="$user" --regid="$user" --init-groups "${cmd[@]}")
  fi
}
# With run_timeout=N set (e.g. `run_timeout=30 rabbitmqctl stop`), the command is killed after N seconds.
run_as() { local -a cmd; build_cmd "$@"; (cd "$2" && exec ${run_timeout:+timeout "$run_timeout"} "${cmd[@]}"); }
# The same, in a new session (a Ctrl-C on the terminal must not reach the servers: teardown stops them in order),
# REPLACING the current shell: call it in the background or in a subshell. setsid does not fork here (we are no
# process group leader), so `$!` of `start_daemon ... &` is the server's (wrapper's) pid.
start_daemon() { local -a cmd; build_cmd "$@"; cd "$2" && exec setsid "${cmd[@]}"; }

rmq_dir=$work/rabbitmq
rabbitmq_env=(
  "RABBITMQ_NODENAME=$RABBITMQ_NODE"
  "RABBITMQ_DIST_PORT=$RABBITMQ_DIST_PORT"
  "ERL_EPMD_PORT=$RABBITMQ_EPMD_PORT"
  ERL_EPMD_ADDRESS=127.0.0.1
  "RABBITMQ_CONF_ENV_FILE=$rmq_dir/rabbitmq-env.conf"     # does not exist: ignore /etc/rabbitmq/rabbitmq-env.conf
  "RABBITMQ_CONFIG_FILE=$rmq_dir/rabbitmq.conf"
  "RABBITMQ_ADVANCED_CONFIG_FILE=$rmq_dir/advanced.config" # does not exist either
  "RABBITMQ_ENABLED_PLUGINS_FILE=$rmq_dir/enabled_plugins"
  "RABBITMQ_MNESIA_BASE=$rmq_dir/mnesia"
  "RABBITMQ_LOG_BASE=$rmq_dir/log"
  "RABBITMQ_PID_FILE=$rmq_dir/rabbitmq.pid"
  "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}"
)
# The CLI finds the node through our epmd and authenticates with the cookie in $rmq_dir (its HOME).
rabbitmqctl() { run_as "$rabbitmq_user" "$rmq_dir" "${rabbitmq_env[@]}" "$RABBITMQ_LIB_BIN/rabbitmqctl" -n "$RABBITMQ_NODE" "$@"; }
as_postgres() { run_as "$postgres_user" "$work/postgres" "$@"; }

# ---------------------------------------------------------------------------------------------------------------
# RabbitMQ (started first, in the background: it is the slow one)
# ---------------------------------------------------------------------------------------------------------------
cat >"$rmq_dir/rabbitmq.conf" <<EOF
listeners.tcp.1 = 127.0.0.1:$RABBITMQ_AMQP_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $RABBITMQ_MANAGEMENT_PORT
default_vhost = $RABBITMQ_VHOST
default_user = $TEST_USER
default_pass = $TEST_PASSWORD
default_user_tags.administrator = true
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
log.console = false
log.file.level = info
EOF
echo '[rabbitmq_management].' >"$rmq_dir/enabled_plugins"
( umask 077 && head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$rmq_dir/.erlang.cookie" )
chmod 400 "$rmq_dir/.erlang.cookie"
chown -R "$rabbitmq_user:" "$rmq_dir"

log "starting RabbitMQ node $RABBITMQ_NODE (logs in $rmq_dir/log)"
start_daemon "$rabbitmq_user" "$rmq_dir" "${rabbitmq_env[@]}" "$RABBITMQ_LIB_BIN/rabbitmq-server" \
  </dev/null >"$rmq_dir/log/startup.log" 2>&1 9>&- &
rabbitmq_pid=$!

# ---------------------------------------------------------------------------------------------------------------
# PostgreSQL (meanwhile)
# ---------------------------------------------------------------------------------------------------------------
pg_dir=$work/postgres
chown "$postgres_user:" "$pg_dir"
log "initializing PostgreSQL cluster ($pg_bin) in $pg_dir/data"
as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -E UTF8 --locale=C.UTF-8 \
  --auth-local=trust --auth-host=scram-sha-256 --no-sync >"$pg_dir/initdb.log" 2>&1 \
  || { tail -n 30 "$pg_dir/initdb.log" >&2; die "initdb failed"; }
cat >>"$pg_dir/data/postgresql.conf" <<EOF

# deploy/test-infra.sh
listen_addresses = '127.0.0.1'
port = $POSTGRES_PORT
unix_socket_directories = '$pg_dir'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
log "starting PostgreSQL on 127.0.0.1:$POSTGRES_PORT"
if ! (start_daemon "$postgres_user" "$pg_dir" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/postgres.log" -w -t "$STARTUP_TIMEOUT" start) \
     </dev/null >"$pg_dir/pg_ctl.log" 2>&1 9>&-; then
  postgres_pid=$(head -n 1 "$pg_dir/data/postmaster.pid" 2>/dev/null || true)
  tail -n 30 "$pg_dir/postgres.log" >&2 || true
  die "PostgreSQL did not start"
fi
postgres_pid=$(head -n 1 "$pg_dir/data/postmaster.pid")
psql_admin() { as_postgres "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$pg_dir" -p "$POSTGRES_PORT" -U postgres -d postgres "$@"; }
psql_admin -c "CREATE ROLE $TEST_USER LOGIN CREATEDB PASSWORD '$TEST_PASSWORD'" >/dev/null
psql_admin -c "CREATE DATABASE $TEST_DATABASE OWNER $TEST_USER" >/dev/null
postgres_version=$(PGPASSWORD=$TEST_PASSWORD "$pg_bin/psql" -X -tA \
  "host=127.0.0.1 port=$POSTGRES_PORT user=$TEST_USER dbname=$TEST_DATABASE connect_timeout=10" -c 'SHOW server_version') \
  || die "cannot connect to PostgreSQL as $TEST_USER over 127.0.0.1:$POSTGRES_PORT"
postgres_version=${postgres_version%% *}

# ---------------------------------------------------------------------------------------------------------------
# Wait for RabbitMQ
# ---------------------------------------------------------------------------------------------------------------
rabbitmq_log_tail() {
  local f
  for f in "$rmq_dir/log/startup.log" "$rmq_dir/log/$RABBITMQ_NODE.log"; do
    [ -s "$f" ] && { echo "---- tail of $f" >&2; tail -n 60 "$f" >&2; }
  done
  return 0
}
management_url=http://127.0.0.1:$RABBITMQ_MANAGEMENT_PORT
api() { curl -fsS -m 5 -u "$TEST_USER:$TEST_PASSWORD" "$management_url/api/$1"; }
deadline=$(( $(date +%s) + STARTUP_TIMEOUT ))
until api whoami >/dev/null 2>&1 && port_busy "$RABBITMQ_AMQP_PORT"; do
  if ! running "$rabbitmq_pid"; then
    rabbitmq_log_tail
    die "RabbitMQ exited during startup"
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    rabbitmq_log_tail
    die "RabbitMQ did not answer on $management_url and 127.0.0.1:$RABBITMQ_AMQP_PORT within ${STARTUP_TIMEOUT}s"
  fi
  sleep 0.2
done
rabbitmq_beam_pid=$(cat "$rmq_dir/rabbitmq.pid" 2>/dev/null || true)
# Also proves that the CLI (and so the teardown) can reach the node.
rabbitmqctl await_startup --timeout "$STARTUP_TIMEOUT" >/dev/null 2>"$rmq_dir/log/await_startup.err" \
  || { cat "$rmq_dir/log/await_startup.err" >&2; rabbitmq_log_tail; die "rabbitmqctl await_startup failed"; }
api whoami | grep -q '"administrator"' || die "RabbitMQ user $TEST_USER is not an administrator"
api "permissions/$RABBITMQ_VHOST/$TEST_USER" | grep -q '"configure":".\*"' \
  || die "RabbitMQ user $TEST_USER has no permissions on vhost $RABBITMQ_VHOST"
overview=$(api overview) || die "the management API does not answer on $management_url/api/overview"
rabbitmq_version=$(sed -nE 's/.*"rabbitmq_version":"([^"]*)".*/\1/p' <<<"$overview")
erlang_version=$(sed -nE 's/.*"erlang_version":"([^"]*)".*/\1/p' <<<"$overview")

# ---------------------------------------------------------------------------------------------------------------
# Run the command
# ---------------------------------------------------------------------------------------------------------------
export STOCKSYNC_TEST_RABBITMQ_HOST=127.0.0.1
export STOCKSYNC_TEST_RABBITMQ_PORT=$RABBITMQ_AMQP_PORT
export STOCKSYNC_TEST_RABBITMQ_USER=$TEST_USER
export STOCKSYNC_TEST_RABBITMQ_PASSWORD=$TEST_PASSWORD
export STOCKSYNC_TEST_RABBITMQ_VHOST=$RABBITMQ_VHOST
export STOCKSYNC_TEST_RABBITMQ_MANAGEMENT_URL=$management_url
export STOCKSYNC_TEST_POSTGRES="Host=127.0.0.1;Port=$POSTGRES_PORT;Username=$TEST_USER;Password=$TEST_PASSWORD;Database=$TEST_DATABASE"

log "RabbitMQ $rabbitmq_version (Erlang $erlang_version) at 127.0.0.1:$RABBITMQ_AMQP_PORT (vhost $RABBITMQ_VHOST, management $management_url); PostgreSQL $postgres_version at 127.0.0.1:$POSTGRES_PORT (database $TEST_DATABASE)"
ready=1
log "ready after $(elapsed)s; running: $*"
# Foreground, so the command keeps the terminal/stdin and gets Ctrl-C itself; fd 9 (the lock) is closed so that
# anything it leaves running (e.g. dotnet build servers) cannot hold the lock.
set +e
"$@" 9>&-
status=$?
set -e
log "command exited with status $status"
exit "$status"
