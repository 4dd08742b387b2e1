# shellcheck shell=bash
# deploy/lib/redis.sh: a private Redis server on loopback, no persistence.
# Used by `crmctl up` (in .run/) and `crmctl test` (throw-away). Sourced by
# deploy/crmctl after lib/common.sh. Same pattern as lib/mariadb.sh:
#
#   redis_use DIR PORT PIDFILE LOGFILE
#   redis_start / redis_wait / redis_stop / redis_running

RDS_DIR="" RDS_PORT="" RDS_PIDFILE="" RDS_LOGFILE=""
RDS_LOG_FROM=0   # size of the log before our last start

redis_use() {
  RDS_DIR=$1 RDS_PORT=$2 RDS_PIDFILE=$3 RDS_LOGFILE=$4
}

redis_running() {
  pidfile_alive "$RDS_PIDFILE" redis-server
}

redis_start() {
  if redis_running; then
    note "Redis already running (pid $(pidfile_pid "$RDS_PIDFILE"))"
    return 0
  fi
  if port_listening "$RDS_PORT"; then
    die "cannot start Redis: TCP port $RDS_PORT is in use: $(port_owner "$RDS_PORT")"
  fi
  log "starting Redis on 127.0.0.1:$RDS_PORT (log: $RDS_LOGFILE)"
  mkdir -p -- "$RDS_DIR" "$(dirname -- "$RDS_PIDFILE")" "$(dirname -- "$RDS_LOGFILE")"
  RDS_LOG_FROM=$(file_size "$RDS_LOGFILE")
  # Not --daemonize yes: start_detached already detaches it (own session,
  # no terminal) and so knows its pid at once, which lets redis_wait report
  # a crash immediately. Redis still writes/removes --pidfile itself.
  start_detached "$RDS_PIDFILE" "$RDS_LOGFILE" \
    redis-server --bind 127.0.0.1 --port "$RDS_PORT" \
    --save '' --appendonly no --daemonize no \
    --dir "$RDS_DIR" --pidfile "$RDS_PIDFILE" --logfile "$RDS_LOGFILE"
}

redis_ping() {
  [[ $(redis-cli -h 127.0.0.1 -p "$RDS_PORT" ping 2>/dev/null) == PONG ]]
}

redis_wait() {
  local timeout=${1:-30} pid rc=0
  pid=$(pidfile_pid "$RDS_PIDFILE")
  wait_for "$timeout" "$pid" redis-server redis_ping || rc=$?
  case $rc in
    0) return 0 ;;
    2) tail_log "$RDS_LOGFILE" 40 "$RDS_LOG_FROM"; die "Redis exited during start-up (log: $RDS_LOGFILE)" ;;
    *) tail_log "$RDS_LOGFILE" 40 "$RDS_LOG_FROM"; die "Redis did not answer PING within ${timeout}s (log: $RDS_LOGFILE)" ;;
  esac
}

redis_stop() {
  local pid
  pid=$(pidfile_pid "$RDS_PIDFILE")
  if [[ -n $pid ]]; then stop_pid "$pid" redis-server "Redis" 15; fi
  rm -f -- "$RDS_PIDFILE"
}
