# shellcheck shell=bash
# Shared helpers for the contract scripts: tool installation, and starting/stopping a throwaway
# `sahifa serve` on a fresh SQLite database. Source it; do not run it.
#
#   sahifa_start BIN   start BIN on a free loopback port; sets SAHIFA_URL, SAHIFA_PID,
#                      SAHIFA_TMP, SAHIFA_LOG, SAHIFA_EMAIL, SAHIFA_PASSWORD
#   sahifa_login       POST /api/v1/auth/login as that admin; sets SAHIFA_TOKEN, SAHIFA_ADMIN_ID
#   sahifa_stop        stop the server, remove its temp dir (use it in an EXIT trap)
#   sahifa_log_tail N  the last N lines of the server log
#
# Environment knobs: SAHIFA_READY_TIMEOUT (seconds to wait for /ready, default 60),
# CONTRACT_KEEP_TMP=1 (keep the temp dir with the database and log after stopping),
# CONTRACT_RUST_LOG (the server's RUST_LOG, default warn), CONTRACT_POSTGRES_URL (a PostgreSQL
# server, e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable: the run then gets
# a fresh database there, dropped afterwards, instead of an SQLite file).

CONTRACT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$CONTRACT_DIR/.." && pwd)"
CONTRACT_VENV="$CONTRACT_DIR/.venv"

# Redocly CLI: no telemetry, no update notices (there is no network here but the registries).
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_NOTIFICATIONS=true REDOCLY_SUPPRESS_UPDATE_NOTICE=true
# npm: quiet, no audit/fund look-ups.
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

SAHIFA_PID="" SAHIFA_TMP="" SAHIFA_URL="" SAHIFA_LOG="" SAHIFA_TOKEN="" SAHIFA_ADMIN_ID=""
SAHIFA_PG_DB=""
# The first admin of the throwaway database (20 characters; the database is deleted afterwards).
SAHIFA_EMAIL="admin@contract.test"
SAHIFA_PASSWORD="Contract-Check-2026!"

say() { printf '[contract] %s\n' "$*" >&2; }

die() { say "ERROR: $*"; exit 1; }
run() { say "+ $*"; "$@"; }

need() { command -v "$1" >/dev/null 2>&1 || die "'$1' is needed but not installed"; }

# Run FUNC on exit, and make an interrupted run exit non-zero (an EXIT trap alone would see the
# status of the last command, often 0, when the script is killed).
on_exit_run() {
    trap "$1" EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# The Python venv with schemathesis and openapi-spec-validator, (re)built when requirements.txt
# changes.
ensure_venv() {
    need python3
    local stamp="$CONTRACT_VENV/.requirements.sha256" want
    want="$(sha256sum "$CONTRACT_DIR/requirements.txt" | cut -d' ' -f1)"
    if [[ -x "$CONTRACT_VENV/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
        return 0
    fi
    say "installing contract/requirements.txt into contract/.venv"
    [[ -x "$CONTRACT_VENV/bin/python" ]] || run python3 -m venv "$CONTRACT_VENV"
    run "$CONTRACT_VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        --no-input -r "$CONTRACT_DIR/requirements.txt"
    echo "$want" >"$stamp"
}

# `npm ci` in DIR unless its node_modules was installed from the same package-lock.json.
ensure_npm() {
    local dir="$1" want stamp
    need node
    need npm
    stamp="$dir/node_modules/.contract-lock.sha256"
    want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
        return 0
    fi
    say "npm ci in ${dir#"$REPO_ROOT"/}"
    (cd "$dir" && run npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" >"$stamp"
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

sahifa_log_tail() {
    local n="${1:-80}"
    if [[ -n "$SAHIFA_LOG" && -f "$SAHIFA_LOG" ]]; then
        say "---- last $n lines of the server log ($SAHIFA_LOG)"
        tail -n "$n" "$SAHIFA_LOG" >&2
        say "---- end of server log"
    fi
}

# Start BIN (`sahifa serve`) on a fresh database in a new temp dir, and wait for /ready.
sahifa_start() {
    local bin="${1:?sahifa_start needs the binary}"
    need curl
    [[ "$bin" == /* ]] || bin="$REPO_ROOT/$bin"
    [[ -x "$bin" ]] || die "no sahifa binary at $bin (build it with: cargo build)"
    SAHIFA_TMP="$(mktemp -d "${TMPDIR:-/tmp}/sahifa-contract.XXXXXX")"
    SAHIFA_LOG="$SAHIFA_TMP/server.log"
    local port
    port="$(free_port)"
    SAHIFA_URL="http://127.0.0.1:$port"

    # A clean environment for the server: no SAHIFA_* or DATABASE_URL from the caller, and the
    # temp dir as working directory so no developer's `.env` is read. Rate limits are lifted
    # (every request comes from 127.0.0.1); shutdown is bounded so stopping takes seconds.
    local -a unset_args=()
    local v
    for v in $(compgen -e); do
        [[ "$v" == SAHIFA_* || "$v" == DATABASE_URL || "$v" == RUST_LOG ]] && unset_args+=(-u "$v")
    done
    local database="sqlite:$SAHIFA_TMP/s.db"
    if [[ -n "${CONTRACT_POSTGRES_URL:-}" ]]; then
        need psql
        SAHIFA_PG_DB="sahifa_contract_$$_$RANDOM"
        psql "$CONTRACT_POSTGRES_URL" -qAtc "CREATE DATABASE $SAHIFA_PG_DB TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'" ||
            die "cannot create a database on $CONTRACT_POSTGRES_URL"
        database="$(pg_database_url "$CONTRACT_POSTGRES_URL" "$SAHIFA_PG_DB")"
    fi
    say "starting $bin serve on $SAHIFA_URL (database ${database%%\?*})"
    (
        cd "$SAHIFA_TMP" &&
            exec env "${unset_args[@]}" \
                DATABASE_URL="$database" \
                SAHIFA_BIND="127.0.0.1:$port" \
                SAHIFA_ADMIN_EMAIL="$SAHIFA_EMAIL" \
                SAHIFA_ADMIN_PASSWORD="$SAHIFA_PASSWORD" \
                SAHIFA_LOGIN_RATE_PER_IP=1000000 \
                SAHIFA_LOGIN_RATE_PER_ACCOUNT=1000000 \
                SAHIFA_COMMENT_RATE_PER_IP=1000000 \
                SAHIFA_SHUTDOWN_TIMEOUT=5 \
                SAHIFA_PUBLIC_URL=https://almufeed.example \
                SAHIFA_WEBHOOKS_ALLOW_PRIVATE=true \
                RUST_LOG="${CONTRACT_RUST_LOG:-warn}" \
                "$bin" serve
    ) </dev/null >"$SAHIFA_LOG" 2>&1 &
    SAHIFA_PID=$!

    local timeout="${SAHIFA_READY_TIMEOUT:-60}" start=$SECONDS code
    while :; do
        if ! kill -0 "$SAHIFA_PID" 2>/dev/null; then
            local rc=0
            wait "$SAHIFA_PID" 2>/dev/null || rc=$?
            SAHIFA_PID=""
            sahifa_log_tail 80
            die "the server exited (status $rc) before /ready answered"
        fi
        code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$SAHIFA_URL/ready" || true)"
        [[ "$code" == 200 ]] && break
        if ((SECONDS - start >= timeout)); then
            sahifa_log_tail 80
            die "GET $SAHIFA_URL/ready did not answer 200 within ${timeout}s (last status: ${code:-none})"
        fi
        sleep 0.2
    done
    say "server ready after $((SECONDS - start))s (pid $SAHIFA_PID)"
}

# The URL of database NAME on the server of URL, keeping the URL's parameters (?sslmode=…).
pg_database_url() {
    local url="$1" name="$2" params=""
    if [[ "$url" == *\?* ]]; then
        params="?${url#*\?}"
        url="${url%%\?*}"
    fi
    printf '%s/%s%s' "${url%/*}" "$name" "$params"
}

# Log in as the first admin; sets SAHIFA_TOKEN and SAHIFA_ADMIN_ID.
sahifa_login() {
    local body
    body="$(curl -sS --max-time 10 -X POST "$SAHIFA_URL/api/v1/auth/login" \
        -H 'Content-Type: application/json' \
        --data "{\"email\":\"$SAHIFA_EMAIL\",\"password\":\"$SAHIFA_PASSWORD\"}" \
        -w '\n%{http_code}')" || die "POST /api/v1/auth/login failed"
    local code="${body##*$'\n'}"
    body="${body%$'\n'*}"
    [[ "$code" == 200 ]] || { sahifa_log_tail 40; die "login answered $code: $body"; }
    local parsed
    parsed="$(printf '%s' "$body" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["access_token"], d["user"]["id"])')" ||
        die "no access_token/user.id in the login response: $body"
    SAHIFA_TOKEN="${parsed% *}"
    SAHIFA_ADMIN_ID="${parsed#* }"
    say "logged in as $SAHIFA_EMAIL (user id $SAHIFA_ADMIN_ID)"
}

# Stop the server (SIGTERM, then SIGKILL after 10 s) and remove the temp dir.
sahifa_stop() {
    if [[ -n "$SAHIFA_PID" ]] && ! kill -0 "$SAHIFA_PID" 2>/dev/null; then
        local rc=0
        wait "$SAHIFA_PID" 2>/dev/null || rc=$?
        say "ERROR: the server had already exited (status $rc$( ((rc > 128)) && echo ", signal $((rc - 128))"))"
        SAHIFA_PID=""
    fi
    if [[ -n "$SAHIFA_PID" ]] && kill -0 "$SAHIFA_PID" 2>/dev/null; then
        kill -TERM "$SAHIFA_PID" 2>/dev/null || true
        local i
        for ((i = 0; i < 100; i++)); do
            kill -0 "$SAHIFA_PID" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$SAHIFA_PID" 2>/dev/null; then
            say "server did not stop on SIGTERM; killing it"
            kill -KILL "$SAHIFA_PID" 2>/dev/null || true
        fi
        wait "$SAHIFA_PID" 2>/dev/null || true
        say "server stopped"
    fi
    SAHIFA_PID=""
    if [[ -n "$SAHIFA_PG_DB" ]]; then
        psql "$CONTRACT_POSTGRES_URL" -qAtc "DROP DATABASE IF EXISTS $SAHIFA_PG_DB WITH (FORCE)" >/dev/null ||
            say "could not drop the database $SAHIFA_PG_DB"
        SAHIFA_PG_DB=""
    fi
    if [[ -n "$SAHIFA_TMP" && -d "$SAHIFA_TMP" ]]; then
        if [[ "${CONTRACT_KEEP_TMP:-}" == 1 ]]; then
            say "kept $SAHIFA_TMP (database and server log)"
        else
            rm -rf "$SAHIFA_TMP"
        fi
    fi
    SAHIFA_TMP=""
}
