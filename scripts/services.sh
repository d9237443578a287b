#!/usr/bin/env bash
# Installs (if missing) and starts the external services the integration tests
# need -- RabbitMQ and PostgreSQL 15 -- on Debian 12 *without* systemd (and
# installs Debian's chromium, the dashboard test's headless browser), then
# waits until both accept connections. Idempotent: a second run is fast.
#
# Usage:
#   scripts/services.sh                 # install/start/wait, then print settings
#   scripts/services.sh start           # same as above
#   scripts/services.sh --print-env     # same, but stdout carries only `export ...` lines
#                                       #   eval "$(scripts/services.sh --print-env)"
#   scripts/services.sh stop            # stop RabbitMQ and PostgreSQL
#
# Must run as root, or as a user with sudo (only needed when something has to be
# installed, started or configured; an already-prepared machine needs no privileges).
#
# Tunables (environment): PG_VERSION (15), PG_CLUSTER (main), PG_PORT (5432),
# PG_MIN_MAX_CONNECTIONS (300), PG_TIMEOUT (60 s), RABBITMQ_PORT (5672),
# RABBITMQ_TIMEOUT (90 s).
#
# Server settings it changes (and logs when it does): the postgres role's password
# (postgres), the database `scheduler` (created), and max_connections, raised to
# PG_MIN_MAX_CONNECTIONS with a restart when lower, because the test suite runs many
# connection pools at once. PG_MIN_MAX_CONNECTIONS=0 leaves max_connections alone.
set -euo pipefail

PG_VERSION="${PG_VERSION:-15}"
PG_CLUSTER="${PG_CLUSTER:-main}"
PG_HOST=127.0.0.1
PG_PORT="${PG_PORT:-5432}"
PG_USER=postgres
PG_PASSWORD=postgres
PG_DATABASE=scheduler
PG_MIN_MAX_CONNECTIONS="${PG_MIN_MAX_CONNECTIONS:-300}"
PG_TIMEOUT="${PG_TIMEOUT:-60}"
RABBITMQ_HOST=127.0.0.1
RABBITMQ_PORT="${RABBITMQ_PORT:-5672}"
RABBITMQ_TIMEOUT="${RABBITMQ_TIMEOUT:-90}"

POSTGRES_CONN="Host=${PG_HOST};Port=${PG_PORT};Username=${PG_USER};Password=${PG_PASSWORD};Database=${PG_DATABASE}"
RABBITMQ_URL="amqp://guest:guest@${RABBITMQ_HOST}:${RABBITMQ_PORT}/"

usage() {
    sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'
}

ACTION=start
PRINT_ENV=0
for arg in "$@"; do
    case "$arg" in
        start) ACTION=start ;;
        stop) ACTION=stop ;;
        --print-env) PRINT_ENV=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "services.sh: unknown argument: $arg" >&2; usage >&2; exit 2 ;;
    esac
done

# In --print-env mode keep the real stdout on fd 3 for the export lines and send
# everything else (our logging and any tool output) to stderr.
if [[ $PRINT_ENV == 1 ]]; then
    exec 3>&1 1>&2
else
    exec 3>&1
fi

SECONDS=0
log() { printf '[services %3ds] %s\n' "$SECONDS" "$*" >&2; }
die() { printf '[services %3ds] ERROR: %s\n' "$SECONDS" "$*" >&2; exit 1; }

# ---------------------------------------------------------------- privileges
# as_root CMD...  : run CMD as root (directly, or via sudo).
# as_pg CMD...    : run CMD as the postgres OS user.
if [[ $(id -u) == 0 ]]; then
    HAVE_ROOT=1
    as_root() { "$@"; }
    as_pg() { runuser -u postgres -- "$@"; }
elif command -v sudo >/dev/null 2>&1; then
    HAVE_ROOT=1
    as_root() { sudo -- "$@"; }
    as_pg() { sudo -u postgres -- "$@"; }
else
    HAVE_ROOT=0
    as_root() { printf '[services] ERROR: need root privileges to run "%s": run as root or install sudo\n' "$*" >&2; return 126; }
    as_pg() { as_root "$@"; }
fi
need_root() { ((HAVE_ROOT)) || die "$* needs root privileges: run as root or install sudo"; }

# run_safe CMD... : for anything that may leave a daemon behind (apt postinst scripts,
# rabbitmq-server -detached, pg_ctlcluster, Erlang CLI tools which may spawn epmd).
# The daemon must not inherit our stdout/stderr or any other fd (our fd 3 copy of stdout,
# the lock on fd 9, pipes inherited from the caller): callers such as
# `x=$(services.sh --print-env)` or `services.sh 2>&1 | tee log` would otherwise wait
# for EOF forever. Output is captured in a temp file and copied to stderr afterwards.
run_safe() {
    local out rc=0
    out=$(mktemp "${TMPDIR:-/tmp}/services-sh.XXXXXX")
    (
        for fd in "/proc/$BASHPID/fd/"*; do
            fd=${fd##*/}
            if ((fd > 2)); then eval "exec $fd>&-" 2>/dev/null || true; fi
        done
        "$@"
    ) </dev/null >"$out" 2>&1 || rc=$?
    cat "$out" >&2
    rm -f "$out"
    return "$rc"
}

# -------------------------------------------------------------------- helpers
port_open() { timeout 2 bash -c "exec 5<>/dev/tcp/$1/$2" 2>/dev/null; }

# Real AMQP probe: send the AMQP 0-9-1 protocol header and expect the broker to
# answer with a method frame (Connection.Start, frame type 0x01).
amqp_ready() {
    local reply
    # shellcheck disable=SC2016  # $0/$1 are expanded by the inner bash
    reply=$(timeout 5 bash -c '
        exec 5<>"/dev/tcp/$0/$1" || exit 1
        printf "AMQP\x00\x00\x09\x01" >&5
        head -c 1 <&5 | od -An -tx1' "$RABBITMQ_HOST" "$RABBITMQ_PORT" 2>/dev/null) || return 1
    [[ ${reply//[[:space:]]/} == 01 ]]
}

pg_ready() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 2 >/dev/null 2>&1; }

pkg_installed() {
    [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

APT_UPDATED=0
apt_install() {
    local apt_opts=(-y -q -o DPkg::Lock::Timeout=300)
    need_root "installing $*"
    if [[ $APT_UPDATED == 0 ]]; then
        log "apt-get update"
        run_safe as_root env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 update
        APT_UPDATED=1
    fi
    log "apt-get install $* (output shown when done; ~20 s)"
    run_safe as_root env DEBIAN_FRONTEND=noninteractive apt-get install "${apt_opts[@]}" "$@"
}

# Serialise concurrent invocations (CI step + test command + a human). Best effort:
# skipped if the lock file can't be created/opened. Daemons are started via run_safe
# (which closes fd 9) so they never inherit, and keep holding, the lock.
LOCK_FILE="${TMPDIR:-/tmp}/scheduler-services.lock"
[[ -e $LOCK_FILE ]] || (umask 000 && : >>"$LOCK_FILE") 2>/dev/null || true
if [[ -f $LOCK_FILE && -r $LOCK_FILE ]]; then
    exec 9<"$LOCK_FILE"
    flock -w 600 9 || die "timed out waiting for lock $LOCK_FILE (another services.sh running?)"
fi

# ----------------------------------------------------------------- RabbitMQ
rabbitmq_installed() { command -v rabbitmq-server >/dev/null 2>&1 && pkg_installed rabbitmq-server; }

# Is a RabbitMQ node running or booting (registered with epmd)?
rabbitmq_node_registered() {
    command -v epmd >/dev/null 2>&1 && epmd -names 2>/dev/null | grep -q '^name rabbit at port'
}

rabbitmq_log_tail() {
    local f
    echo "----- RabbitMQ logs (tail) -----" >&2
    for f in $(as_root sh -c 'ls -1t /var/log/rabbitmq/*.log 2>/dev/null' | head -n 3); do
        echo "== $f" >&2
        as_root tail -n 40 "$f" >&2 || true
    done
    echo "--------------------------------" >&2
}

RABBITMQ_ALREADY_UP=0
RABBITMQ_START_TIME=0

# Installs if needed and kicks off the (detached) node; rabbitmq_wait waits for it.
# Split so RabbitMQ boots while PostgreSQL is being started/configured.
rabbitmq_start() {
    if amqp_ready; then
        RABBITMQ_ALREADY_UP=1
        return 0
    fi
    if ! rabbitmq_installed; then
        apt_install rabbitmq-server
    fi
    RABBITMQ_START_TIME=$SECONDS
    if rabbitmq_node_registered; then
        log "RabbitMQ node is already booting; will wait for it"
    else
        log "starting RabbitMQ (rabbitmq-server -detached)"
        need_root "starting RabbitMQ"
        run_safe as_root rabbitmq-server -detached \
            || { rabbitmq_log_tail; die "rabbitmq-server -detached failed"; }
    fi
}

rabbitmq_wait() {
    if ((RABBITMQ_ALREADY_UP)); then
        log "RabbitMQ already running on $RABBITMQ_HOST:$RABBITMQ_PORT"
        return 0
    fi
    local started=$RABBITMQ_START_TIME
    local deadline=$((started + RABBITMQ_TIMEOUT))
    log "waiting for RabbitMQ AMQP port $RABBITMQ_HOST:$RABBITMQ_PORT (timeout ${RABBITMQ_TIMEOUT}s)"
    until amqp_ready; do
        if ((SECONDS >= deadline)); then
            rabbitmq_log_tail
            die "RabbitMQ did not accept AMQP connections on $RABBITMQ_HOST:$RABBITMQ_PORT within ${RABBITMQ_TIMEOUT}s"
        fi
        # Fail fast if the node died during boot instead of waiting for the full timeout.
        if ((SECONDS - started > 20)) && ! rabbitmq_node_registered && ! pgrep -u rabbitmq beam >/dev/null 2>&1; then
            rabbitmq_log_tail
            die "RabbitMQ node is not running (it died during startup?)"
        fi
        sleep 1
    done
    ((HAVE_ROOT)) || { log "RabbitMQ accepts AMQP connections"; return 0; }
    log "RabbitMQ port open; running rabbitmq-diagnostics check_port_connectivity"
    until run_safe as_root rabbitmq-diagnostics -q check_port_connectivity; do
        if ((SECONDS >= deadline)); then
            rabbitmq_log_tail
            die "rabbitmq-diagnostics check_port_connectivity kept failing for ${RABBITMQ_TIMEOUT}s"
        fi
        sleep 2
    done
    log "RabbitMQ is ready"
}

# --------------------------------------------------------------- PostgreSQL
pg_cluster_exists() {
    command -v pg_lsclusters >/dev/null 2>&1 &&
        pg_lsclusters -h 2>/dev/null | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1==v && $2==c {f=1} END {exit !f}'
}

pg_wait_ready() {
    local deadline=$((SECONDS + PG_TIMEOUT))
    until pg_ready; do
        if ((SECONDS >= deadline)); then
            echo "----- PostgreSQL log (tail) -----" >&2
            as_root tail -n 40 "/var/log/postgresql/postgresql-${PG_VERSION}-${PG_CLUSTER}.log" >&2 || true
            die "PostgreSQL did not become ready on $PG_HOST:$PG_PORT within ${PG_TIMEOUT}s"
        fi
        sleep 0.5
    done
}

# psql as the postgres OS user over the local socket (peer auth); prints unaligned tuples.
pg_admin_sql() {
    as_pg psql -X -q -At -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres -c "$1" 9<&-
}

# Connects exactly as the tests will (TCP + password) and returns max_connections.
pg_test_login_max_conn() {
    PGPASSWORD="$PG_PASSWORD" PGCONNECT_TIMEOUT=5 psql -X -q -At -w -h "$PG_HOST" -p "$PG_PORT" \
        -U "$PG_USER" -d "$PG_DATABASE" -c 'SHOW max_connections' 2>/dev/null
}

ensure_postgres() {
    local cur
    if ! pg_ready; then
        need_root "starting PostgreSQL $PG_VERSION/$PG_CLUSTER"
        if ! command -v pg_ctlcluster >/dev/null 2>&1 || [[ ! -x /usr/lib/postgresql/$PG_VERSION/bin/postgres ]]; then
            apt_install "postgresql-$PG_VERSION" "postgresql-client-$PG_VERSION"
        fi
        if ! pg_cluster_exists; then
            log "creating PostgreSQL cluster $PG_VERSION/$PG_CLUSTER on port $PG_PORT"
            run_safe as_root pg_createcluster --port "$PG_PORT" "$PG_VERSION" "$PG_CLUSTER"
        fi
        if as_root pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" status >/dev/null 2>&1; then
            log "PostgreSQL $PG_VERSION/$PG_CLUSTER is running but not ready yet; waiting"
        else
            log "starting PostgreSQL (pg_ctlcluster $PG_VERSION $PG_CLUSTER start)"
            run_safe as_root pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start
        fi
        pg_wait_ready
    else
        log "PostgreSQL already accepting connections on $PG_HOST:$PG_PORT"
    fi

    # Fast path: already configured (password, database, max_connections) -> nothing to do,
    # and no privileges needed.
    cur=$(pg_test_login_max_conn || true)
    if [[ $cur =~ ^[0-9]+$ ]] && ((cur >= PG_MIN_MAX_CONNECTIONS)); then
        log "PostgreSQL is ready (user $PG_USER, database $PG_DATABASE, max_connections=$cur)"
        return 0
    fi
    need_root "configuring PostgreSQL (password/database/max_connections)"

    cur=$(pg_admin_sql 'SHOW max_connections')
    if ((PG_MIN_MAX_CONNECTIONS > 0 && cur < PG_MIN_MAX_CONNECTIONS)); then
        log "raising max_connections $cur -> $PG_MIN_MAX_CONNECTIONS (restarts PostgreSQL)"
        pg_admin_sql "ALTER SYSTEM SET max_connections = $PG_MIN_MAX_CONNECTIONS" >/dev/null
        run_safe as_root pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" restart
        pg_wait_ready
    fi

    log "setting password of role $PG_USER"
    pg_admin_sql "ALTER ROLE $PG_USER WITH LOGIN PASSWORD '$PG_PASSWORD'" >/dev/null
    if [[ $(pg_admin_sql "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'") != 1 ]]; then
        log "creating database $PG_DATABASE"
        pg_admin_sql "CREATE DATABASE $PG_DATABASE OWNER $PG_USER" >/dev/null
    fi

    cur=$(pg_test_login_max_conn) ||
        die "cannot log in as $PG_USER/$PG_PASSWORD to $PG_HOST:$PG_PORT/$PG_DATABASE over TCP (check pg_hba.conf)"
    log "PostgreSQL is ready (user $PG_USER, database $PG_DATABASE, max_connections=$cur)"
}

# --------------------------------------------------------------------- stop
stop_all() {
    need_root "stopping the services"
    if rabbitmq_node_registered || port_open "$RABBITMQ_HOST" "$RABBITMQ_PORT"; then
        log "stopping RabbitMQ"
        run_safe as_root rabbitmqctl stop || log "rabbitmqctl stop failed"
        # rabbitmqctl returns slightly before the node has gone; wait so an immediate
        # `services.sh start` doesn't mistake the dying node for a booting one.
        local deadline=$((SECONDS + 30))
        while rabbitmq_node_registered && ((SECONDS < deadline)); do sleep 0.5; done
    else
        log "RabbitMQ is not running"
    fi
    if command -v pg_ctlcluster >/dev/null 2>&1 &&
        as_root pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" status >/dev/null 2>&1; then
        log "stopping PostgreSQL $PG_VERSION/$PG_CLUSTER"
        run_safe as_root pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" stop
    else
        log "PostgreSQL $PG_VERSION/$PG_CLUSTER is not running"
    fi
}

# --------------------------------------------------------------------- main
if [[ $ACTION == stop ]]; then
    stop_all
    exit 0
fi

# Install what is missing in one go (a single apt-get update). Debian's chromium is the headless browser the dashboard test drives
# (Microsoft.Playwright with ExecutablePath=/usr/bin/chromium; Playwright's own browser downloads are not used).
missing=()
rabbitmq_installed || missing+=(rabbitmq-server)
pkg_installed chromium || missing+=(chromium)
if ! command -v pg_ctlcluster >/dev/null 2>&1 || [[ ! -x /usr/lib/postgresql/$PG_VERSION/bin/postgres ]]; then
    missing+=("postgresql-$PG_VERSION" "postgresql-client-$PG_VERSION")
fi
if ((${#missing[@]})); then
    apt_install "${missing[@]}"
fi

rabbitmq_start
ensure_postgres
rabbitmq_wait
log "all services ready"

if [[ $PRINT_ENV == 1 ]]; then
    # Values contain no single quotes, so single-quoting is safe for eval.
    printf "export SCHEDULER_TEST_POSTGRES='%s'\n" "$POSTGRES_CONN" >&3
    printf "export SCHEDULER_TEST_RABBITMQ='%s'\n" "$RABBITMQ_URL" >&3
else
    printf 'SCHEDULER_TEST_POSTGRES=%s\n' "$POSTGRES_CONN" >&3
    printf 'SCHEDULER_TEST_RABBITMQ=%s\n' "$RABBITMQ_URL" >&3
fi
