# shellcheck shell=bash
# deploy/lib/common.sh: small helpers shared by every crmctl subcommand:
# messages, random secrets, process/pid-file handling, waiting, ports.
# Sourced by deploy/crmctl; defines functions only, has no side effects.

# ---------------------------------------------------------------- messages --

# All progress messages go to stderr so that stdout stays clean for output
# that a caller might want to parse (status, summary).
log()  { printf '==> %s\n' "$*" >&2; }
note() { printf '    %s\n' "$*" >&2; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die()  { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# tail_log FILE [LINES] [FROM_BYTE]: show the end of a log file, indented, to
# explain a failure; with FROM_BYTE, only what was written after that offset
# (the current run, in a log that earlier runs appended to).
tail_log() {
  local file=$1 lines=${2:-40} from=${3:-0}
  if [[ -s $file ]]; then
    printf -- '---- last lines of %s ----\n' "$file" >&2
    tail -c +"$((from + 1))" -- "$file" | tail -n "$lines" | sed 's/^/    /' >&2
    printf -- '---- end of %s ----\n' "$file" >&2
  else
    printf -- '(%s is empty or missing)\n' "$file" >&2
  fi
}

# file_size FILE: size in bytes (0 if missing), for tail_log's FROM_BYTE.
file_size() {
  if [[ -e $1 ]]; then stat -c %s -- "$1"; else echo 0; fi
}

# ----------------------------------------------------------------- secrets --

# rand_hex BYTES: print 2*BYTES lowercase hex characters from /dev/urandom.
# Uses only coreutils (no openssl CLI needed on a fresh machine). Hex keeps
# passwords safe to embed in SQL strings and environment variables.
rand_hex() {
  od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'
}

# secret_file PATH BYTES: create PATH with a random hex secret the first time
# (mode 600), then always print its content. Never regenerates a secret.
secret_file() {
  local path=$1 bytes=$2
  if [[ ! -s $path ]]; then
    mkdir -p -- "$(dirname -- "$path")"
    chmod 700 -- "$(dirname -- "$path")"
    (umask 077 && rand_hex "$bytes" >"$path.tmp" && mv -f -- "$path.tmp" "$path")
  fi
  chmod 600 -- "$path"
  tr -d '\n' <"$path"
}

# --------------------------------------------------------------- processes --

# pid_alive PID [NAME]: true if PID is a live (non-zombie) process, and, when
# NAME is given, its command line mentions NAME. The NAME check guards against
# a stale pid file whose number now belongs to an unrelated process.
pid_alive() {
  local pid=$1 name=${2:-} stat cmd
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  # Field 3 of /proc/PID/stat is the state; it follows the ")" of the name.
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]] || return 1
  if [[ -n $name ]]; then
    cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
    [[ $cmd == *"$name"* ]] || return 1
  fi
  return 0
}

# pidfile_pid FILE: print the pid recorded in FILE (empty if none).
pidfile_pid() {
  local pid=""
  if [[ -r $1 ]]; then read -r pid <"$1" 2>/dev/null || true; fi
  printf '%s' "$pid"
}

# pidfile_alive FILE [NAME]: true if FILE names a live process (see pid_alive).
pidfile_alive() {
  local pid
  pid=$(pidfile_pid "$1")
  [[ -n $pid ]] && pid_alive "$pid" "${2:-}"
}

# stop_pid PID NAME LABEL [TIMEOUT]: SIGTERM, wait up to TIMEOUT seconds
# (default 15) for the process to exit, then SIGKILL. Only touches PID if it
# still looks like NAME (so a stale pid never kills a stranger).
stop_pid() {
  local pid=$1 name=$2 label=$3 timeout=${4:-15} i
  pid_alive "$pid" "$name" || return 0
  log "stopping $label (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 10; i++)); do
    pid_alive "$pid" "$name" || return 0
    sleep 0.1
  done
  warn "$label (pid $pid) did not exit within ${timeout}s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    pid_alive "$pid" "$name" || return 0
    sleep 0.1
  done
  die "$label (pid $pid) survived SIGKILL"
}

# start_detached PIDFILE LOGFILE CMD...: run CMD in the background in its own
# session (so Ctrl-C in the terminal that ran `crmctl up` later does not reach
# it, and it outlives crmctl), stdin from /dev/null, stdout+stderr appended to
# LOGFILE. The process writes its own pid to PIDFILE just before exec'ing CMD,
# so the recorded pid is exactly the server's. Waits until PIDFILE exists.
start_detached() {
  local pidfile=$1 logfile=$2 i
  shift 2
  rm -f -- "$pidfile"
  # shellcheck disable=SC2016  # $$ and $@ are expanded by the inner bash.
  setsid -f bash -c 'echo $$ >"$0.tmp" && mv -f "$0.tmp" "$0" && exec "$@"' \
    "$pidfile" "$@" </dev/null >>"$logfile" 2>&1
  for ((i = 0; i < 100; i++)); do
    [[ -s $pidfile ]] && return 0
    sleep 0.05
  done
  die "could not start $1 (no pid file $pidfile); see $logfile"
}

# wait_for TIMEOUT PID NAME CMD...: poll CMD (quietly) every 0.25 s until it
# succeeds (return 0). Returns 1 on timeout, 2 as soon as process PID (which
# should be serving) is gone, so a crash is reported at once, not after the
# whole timeout. Pass PID "" to skip the liveness check.
wait_for() {
  local timeout=$1 pid=$2 name=$3 deadline
  shift 3
  deadline=$((SECONDS + timeout))
  while ((SECONDS < deadline)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if [[ -n $pid ]] && ! pid_alive "$pid" "$name"; then return 2; fi
    sleep 0.25
  done
  "$@" >/dev/null 2>&1 && return 0
  return 1
}

# ------------------------------------------------------------------- ports --

# port_in_use PORT: true if anything on this machine has a TCP socket bound to
# PORT in any state (listening, connected, TIME_WAIT). Stricter than
# port_listening; used to pick free ports. Needs `ss` from iproute2.
port_in_use() {
  [[ -n $(ss -Htan "( sport = :$1 )" 2>/dev/null) ]]
}

# port_listening PORT: true if a TCP server listens on PORT.
port_listening() {
  [[ -n $(ss -Htln "( sport = :$1 )" 2>/dev/null) ]]
}

# port_owner PORT: one line describing who listens on PORT (for messages).
port_owner() {
  ss -Htlnp "( sport = :$1 )" 2>/dev/null | head -n 1
}

# pick_free_port: print a TCP port that nothing uses right now, chosen at
# random from 20000-32767 (below Linux's ephemeral range, so an outgoing
# connection cannot grab it between the check and the server's bind).
pick_free_port() {
  local port i
  for ((i = 0; i < 200; i++)); do
    port=$((20000 + RANDOM % 12768))
    if ! port_in_use "$port"; then
      printf '%s\n' "$port"
      return 0
    fi
  done
  die "could not find a free TCP port in 20000-32767"
}
