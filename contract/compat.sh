#!/usr/bin/env bash
# Breaking-change check of the API contract: diff openapi/openapi.json (as it is in the working
# tree) against its previous released version with api-smart-diff (contract/package.json), and
# fail on a breaking change unless CHANGELOG.md declares it under "## [Unreleased]" as
#   - BREAKING: <operationId | METHOD /path | /path | #/json/pointer>: <what changed>
# (contract/README.md says more). Additions pass without an entry.
#
#   contract/compat.sh [PATH-TO-OPENAPI-JSON]     (default: openapi/openapi.json)
#
# The baseline, first that applies:
#   1. CONTRACT_BASE_REF      any git revision (a tag, a branch, HEAD~3, a commit);
#   2. the latest tag api-v*  reachable from HEAD (a release: `git tag api-v0.1.0`);
#   3. the merge base with origin/main, when that is not HEAD itself (a feature branch);
#   4. HEAD^                  the parent commit (main in CI: each commit against the one before).
# Or CONTRACT_BASE_FILE: a document file to compare against instead of a git revision.
# Knobs: CONTRACT_CHANGELOG (default CHANGELOG.md), CONTRACT_COMPAT_REPORT (a JSON report of
# every finding, default contract/out/compat-report.json).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

DOC="${1:-openapi/openapi.json}"
[[ -f "$DOC" ]] || die "no OpenAPI document at $DOC"
CHANGELOG="${CONTRACT_CHANGELOG:-CHANGELOG.md}"
REPORT="${CONTRACT_COMPAT_REPORT:-$CONTRACT_DIR/out/compat-report.json}"
started=$SECONDS

ensure_npm "$CONTRACT_DIR"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/sahifa-compat.XXXXXX")"
cleanup() { rm -rf "$TMP"; }
on_exit_run cleanup

# Sets BASE_REF and BASE_WHY, or exits 0 when there is no earlier version to compare with.
resolve_base_ref() {
    if [[ -n "${CONTRACT_BASE_REF:-}" ]]; then
        git rev-parse -q --verify "${CONTRACT_BASE_REF}^{commit}" >/dev/null ||
            die "CONTRACT_BASE_REF=$CONTRACT_BASE_REF is not a commit in this repository"
        BASE_REF="$CONTRACT_BASE_REF"
        BASE_WHY="CONTRACT_BASE_REF"
        return
    fi
    local tag
    tag="$(git tag --list 'api-v*' --merged HEAD --sort=-v:refname | head -n1)"
    if [[ -n "$tag" ]]; then
        BASE_REF="$tag"
        BASE_WHY="the latest api-v* release tag reachable from HEAD"
        return
    fi
    if git rev-parse -q --verify refs/remotes/origin/main >/dev/null; then
        local mb
        mb="$(git merge-base HEAD refs/remotes/origin/main 2>/dev/null || true)"
        if [[ -n "$mb" && "$mb" != "$(git rev-parse HEAD)" ]]; then
            BASE_REF="$(git rev-parse --short "$mb")"
            BASE_WHY="the merge base with origin/main: no api-v* tag"
            return
        fi
    fi
    if git rev-parse -q --verify 'HEAD^' >/dev/null; then
        BASE_REF="HEAD^"
        BASE_WHY="the parent commit: no api-v* tag, and HEAD is not ahead of origin/main"
        return
    fi
    if [[ "$(git rev-parse --is-shallow-repository)" == true ]]; then
        die "HEAD has no parent in this shallow clone: fetch more history (git fetch --deepen=1 or --unshallow) or set CONTRACT_BASE_REF"
    fi
    say "HEAD is the first commit: there is no earlier contract to compare with"
    exit 0
}

if [[ -n "${CONTRACT_BASE_FILE:-}" ]]; then
    [[ -f "$CONTRACT_BASE_FILE" ]] || die "CONTRACT_BASE_FILE=$CONTRACT_BASE_FILE does not exist"
    cp "$CONTRACT_BASE_FILE" "$TMP/base.json"
    BASE_LABEL="$CONTRACT_BASE_FILE"
    say "baseline: the file $CONTRACT_BASE_FILE (CONTRACT_BASE_FILE)"
else
    need git
    git rev-parse --is-inside-work-tree >/dev/null 2>&1 || die "not a git work tree: set CONTRACT_BASE_FILE"
    # The document's path inside the repository, to read it at the baseline revision.
    doc_abs="$(cd "$(dirname "$DOC")" && pwd)/$(basename "$DOC")"
    case "$doc_abs" in
    "$REPO_ROOT"/*) doc_rel="${doc_abs#"$REPO_ROOT"/}" ;;
    *) die "$DOC is outside the repository: set CONTRACT_BASE_FILE to the document to compare with" ;;
    esac
    resolve_base_ref
    base_commit="$(git rev-parse --short "${BASE_REF}^{commit}")"
    say "baseline: $BASE_REF = $base_commit \"$(git log -1 --format=%s "$base_commit" | cut -c1-70)\" ($BASE_WHY)"
    if ! git cat-file -e "$base_commit:$doc_rel" 2>/dev/null; then
        say "$doc_rel does not exist at $BASE_REF: nothing to compare with"
        exit 0
    fi
    git show "$base_commit:$doc_rel" >"$TMP/base.json"
    BASE_LABEL="$doc_rel at $BASE_REF ($base_commit)"
fi

say "+ node contract/compat.mjs --base <baseline> --head $DOC --changelog $CHANGELOG"
set +e
node "$CONTRACT_DIR/compat.mjs" --base "$TMP/base.json" --head "$DOC" \
    --changelog "$CHANGELOG" --report "$REPORT" --base-label "$BASE_LABEL"
rc=$?
set -e
say "compat.sh finished in $((SECONDS - started))s with status $rc"
exit "$rc"
