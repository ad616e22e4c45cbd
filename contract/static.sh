#!/usr/bin/env bash
# Static contract check of openapi/openapi.json (no server needed):
#   1. openapi-spec-validator: the document is valid OpenAPI 3.1 (structure, $refs resolve);
#   2. redocly lint with contract/redocly.yaml: the `recommended` rules plus a few stricter ones.
# Exits non-zero if either reports an error.
#
#   contract/static.sh [PATH-TO-OPENAPI-JSON]     (default: openapi/openapi.json)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

DOC="${1:-openapi/openapi.json}"
[[ -f "$DOC" ]] || die "no OpenAPI document at $DOC"
started=$SECONDS

ensure_venv
ensure_npm "$CONTRACT_DIR"

status=0

say "openapi-spec-validator $("$CONTRACT_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("openapi-spec-validator"))')"
say "+ openapi-spec-validator --validation-errors all $DOC"
# On an error it prints the whole document as a Python dict; keep each line readable.
set +e
"$CONTRACT_VENV/bin/openapi-spec-validator" --validation-errors all "$DOC" 2>&1 |
    sed -E 's/^(.{600}).+$/\1 … [cut]/'
rc=${PIPESTATUS[0]}
set -e
if ((rc != 0)); then
    say "openapi-spec-validator: FAILED (status $rc)"
    status=1
else
    say "openapi-spec-validator: ok"
fi

say "redocly $("$CONTRACT_DIR/node_modules/.bin/redocly" --version 2>/dev/null | tail -n1)"
say "+ redocly lint --config contract/redocly.yaml --format codeframe $DOC"
set +e
# The Node 20 deprecation banner goes to stderr; drop just that box.
"$CONTRACT_DIR/node_modules/.bin/redocly" lint --config "$CONTRACT_DIR/redocly.yaml" \
    --format codeframe "$DOC" 2> >(grep -vE '^\s*[║╔╚]' >&2)
rc=$?
set -e
if ((rc != 0)); then
    say "redocly lint: FAILED (status $rc)"
    status=1
else
    say "redocly lint: ok"
fi

say "static.sh finished in $((SECONDS - started))s with status $status"
exit "$status"
