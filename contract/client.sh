#!/usr/bin/env bash
# The TypeScript client against the contract and against a live server:
#   1. npm ci in clients/typescript (pinned by its package-lock.json);
#   2. npm run generate: src/schema.d.ts from openapi/openapi.json (openapi-typescript);
#   3. npm run typecheck: the client and the smoke script still compile against the contract;
#   4. a throwaway `sahifa serve` (as contract/fuzz.sh starts it), and npm run smoke against it.
# Exits non-zero on the first failure.
#
#   contract/client.sh [PATH-TO-SAHIFA-BINARY]    (default: target/debug/sahifa)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

BIN="${1:-target/debug/sahifa}"
CLIENT_DIR="$REPO_ROOT/clients/typescript"
started=$SECONDS

on_exit() {
    local rc=$?
    if ((rc != 0)); then
        sahifa_log_tail 60
    fi
    sahifa_stop
    say "client.sh finished in $((SECONDS - started))s with status $rc"
}
on_exit_run on_exit

ensure_npm "$CLIENT_DIR"
cd "$CLIENT_DIR"
run npm run --silent generate
run npm run --silent typecheck
say "typecheck: ok"

sahifa_start "$BIN"
say "+ SAHIFA_URL=$SAHIFA_URL SAHIFA_EMAIL=$SAHIFA_EMAIL SAHIFA_PASSWORD=… npm run smoke"
SAHIFA_URL="$SAHIFA_URL" SAHIFA_EMAIL="$SAHIFA_EMAIL" SAHIFA_PASSWORD="$SAHIFA_PASSWORD" \
    npm run --silent smoke
