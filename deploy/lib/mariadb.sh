# shellcheck shell=bash
# deploy/lib/mariadb.sh: a private MariaDB server (never the system one).
# Used by `crmctl up` (persistent, in .run/) and `crmctl test` (throw-away, in
# a temp dir). Sourced by deploy/crmctl after lib/common.sh.
#
# Usage: describe the instance once with mariadb_use, then call the other
# functions, which all act on that instance:
#
#   mariadb_use DATADIR SOCKET PORT PIDFILE LOGFILE [EXTRA_SERVER_OPTION...]
#   mariadb_init      # create the data dir with mariadb-install-db (once)
#   mariadb_start     # start mariadbd in the background, detached
#   mariadb_wait      # block until it accepts connections (or die)
#   mariadb_sql       # run SQL from stdin as the MariaDB root user
#   mariadb_stop      # stop it (SIGTERM by pid, or mariadb-admin shutdown)
#   mariadb_running   # true if the recorded pid is a live mariadbd

# Server options every instance gets: loopback only, sized for a laptop or a
# CI runner, utf8mb4 everywhere, UTC as the server time zone (times are
# stored UTC; this keeps NOW() and TIMESTAMP columns unsurprising).
MDB_COMMON_OPTS=(
  --bind-address=127.0.0.1
  --skip-name-resolve
  --innodb-buffer-pool-size=128M
  --innodb-log-file-size=48M
  --character-set-server=utf8mb4
  --collation-server=utf8mb4_unicode_ci
  --max-connections=500
  --default-time-zone=+00:00
)

# The instance being managed (set by mariadb_use).
MDB_DATADIR="" MDB_SOCKET="" MDB_PORT="" MDB_PIDFILE="" MDB_LOGFILE=""
MDB_EXTRA_OPTS=()
MDB_LOG_FROM=0   # size of the log before our last start: show only what follows

mariadb_use() {
  MDB_DATADIR=$1 MDB_SOCKET=$2 MDB_PORT=$3 MDB_PIDFILE=$4 MDB_LOGFILE=$5
  shift 5
  MDB_EXTRA_OPTS=("$@")
  # A unix socket path must fit in sockaddr_un.sun_path (108 bytes).
  if ((${#MDB_SOCKET} > 100)); then
    die "MariaDB socket path is too long (${#MDB_SOCKET} > 100 chars): $MDB_SOCKET"
  fi
}

# mariadbd refuses to run as root unless --user=root is given explicitly;
# as any other user, --user is meaningless (it only warns), so leave it out.
# Sets the array MDB_USER_OPT.
MDB_USER_OPT=()
_mdb_user_opt() {
  MDB_USER_OPT=()
  if ((EUID == 0)); then MDB_USER_OPT=("--user=$(id -un)"); fi
}

# Client options: the root account over the unix socket, ignoring every
# option file (the system's /etc/mysql config points at the system server).
# As OS root, install-db gave root@localhost unix_socket auth; as any other
# user, root@localhost has an empty password ("normal" method). Either way
# `-uroot` with no password works.
# Sets the array MDB_CLIENT_OPTS.
MDB_CLIENT_OPTS=()
_mdb_client_opts() {
  MDB_CLIENT_OPTS=(--no-defaults --protocol=socket "--socket=$MDB_SOCKET" -uroot)
}

mariadb_running() {
  pidfile_alive "$MDB_PIDFILE" mariadbd
}

# The data dir counts as initialised only once install-db finished; a marker
# file next to it (not inside: mariadbd owns that) records success, so an
# interrupted first run is redone instead of leaving a broken data dir.
mariadb_init() {
  local marker="$MDB_DATADIR.initialized" auth=normal
  [[ -f $marker && -d $MDB_DATADIR/mysql ]] && return 0
  log "creating MariaDB data dir $MDB_DATADIR"
  rm -rf -- "$MDB_DATADIR"
  mkdir -p -- "$MDB_DATADIR" "$(dirname -- "$MDB_LOGFILE")"
  chmod 700 -- "$MDB_DATADIR"
  if ((EUID == 0)); then auth=socket; fi
  _mdb_user_opt
  # --no-defaults must come first; everything install-db does not know is
  # passed on to the bootstrap mariadbd, so the InnoDB sizes match later runs.
  MDB_LOG_FROM=$(file_size "$MDB_LOGFILE")
  if ! mariadb-install-db --no-defaults --basedir=/usr \
      "--datadir=$MDB_DATADIR" "${MDB_USER_OPT[@]}" \
      "--auth-root-authentication-method=$auth" \
      --skip-test-db --skip-name-resolve \
      "${MDB_COMMON_OPTS[@]}" "${MDB_EXTRA_OPTS[@]}" \
      >>"$MDB_LOGFILE" 2>&1; then
    tail_log "$MDB_LOGFILE" 40 "$MDB_LOG_FROM"
    die "mariadb-install-db failed for $MDB_DATADIR"
  fi
  touch -- "$marker"
}

# Start mariadbd unless it already runs. Does not wait; call mariadb_wait.
mariadb_start() {
  if mariadb_running; then
    note "MariaDB already running (pid $(pidfile_pid "$MDB_PIDFILE"))"
    return 0
  fi
  if port_listening "$MDB_PORT"; then
    die "cannot start MariaDB: TCP port $MDB_PORT is in use: $(port_owner "$MDB_PORT")"
  fi
  log "starting MariaDB on 127.0.0.1:$MDB_PORT (log: $MDB_LOGFILE)"
  mkdir -p -- "$(dirname -- "$MDB_PIDFILE")" "$(dirname -- "$MDB_LOGFILE")" \
    "$(dirname -- "$MDB_SOCKET")"
  _mdb_user_opt
  MDB_LOG_FROM=$(file_size "$MDB_LOGFILE")
  # start_detached records the pid in MDB_PIDFILE; mariadbd then writes the
  # same pid there itself (--pid-file) and removes the file on clean exit.
  start_detached "$MDB_PIDFILE" "$MDB_LOGFILE" \
    mariadbd --no-defaults --basedir=/usr "${MDB_USER_OPT[@]}" \
    "--datadir=$MDB_DATADIR" "--socket=$MDB_SOCKET" "--port=$MDB_PORT" \
    "--pid-file=$MDB_PIDFILE" "--log-error=$MDB_LOGFILE" \
    "${MDB_COMMON_OPTS[@]}" "${MDB_EXTRA_OPTS[@]}"
}

mariadb_ping() {
  _mdb_client_opts
  mariadb-admin "${MDB_CLIENT_OPTS[@]}" --connect-timeout=2 ping
}

# Ready = answers over the socket and listens on its TCP port (which is what
# services and tests use).
_mdb_ready() {
  mariadb_ping && port_listening "$MDB_PORT"
}

# mariadb_wait [TIMEOUT]: block until the server answers over its socket and
# its TCP port listens. Dies with the end of the error log on failure.
mariadb_wait() {
  local timeout=${1:-60} pid rc=0
  pid=$(pidfile_pid "$MDB_PIDFILE")
  wait_for "$timeout" "$pid" mariadbd _mdb_ready || rc=$?
  case $rc in
    0) return 0 ;;
    2) tail_log "$MDB_LOGFILE" 40 "$MDB_LOG_FROM"; die "MariaDB exited during start-up (log: $MDB_LOGFILE)" ;;
    *) tail_log "$MDB_LOGFILE" 40 "$MDB_LOG_FROM"; die "MariaDB did not accept connections within ${timeout}s (log: $MDB_LOGFILE)" ;;
  esac
}

# mariadb_sql [ARGS...]: run the SQL on stdin (or -e '...') as MariaDB root.
# shellcheck disable=SC2120  # ARGS are optional; most callers pipe SQL in.
mariadb_sql() {
  _mdb_client_opts
  mariadb "${MDB_CLIENT_OPTS[@]}" --batch "$@"
}

# Stop by pid (SIGTERM, up to 60 s for InnoDB to shut down cleanly, then
# SIGKILL). Without a live pid but with a server answering on the socket
# (pid file lost), ask it to shut down with mariadb-admin instead.
mariadb_stop() {
  local pid
  pid=$(pidfile_pid "$MDB_PIDFILE")
  if [[ -n $pid ]] && pid_alive "$pid" mariadbd; then
    stop_pid "$pid" mariadbd "MariaDB" 60
  elif [[ -S $MDB_SOCKET ]] && mariadb_ping >/dev/null 2>&1; then
    log "stopping MariaDB via mariadb-admin shutdown ($MDB_SOCKET)"
    _mdb_client_opts
    mariadb-admin "${MDB_CLIENT_OPTS[@]}" shutdown || warn "mariadb-admin shutdown failed"
  fi
  rm -f -- "$MDB_PIDFILE"
}
