#!/usr/bin/env bash
# Self-test of contract/compat.sh: build mutated copies of openapi/openapi.json, each with one
# known change, run compat.sh on each against the unchanged document, and check the verdict:
#   must fail (breaking):  (a) a removed path, (b) a removed response property, (c) a narrowed
#     request type or a removed request enum value (also via OpenAPI 3.1 `type: [T, "null"]` and
#     `oneOf` with `{"type": "null"}`), (d) a new required request field, (e) a changed or
#     removed status code, and a response field that became nullable;
#   must pass: (f) an added path, (g) an added optional request field, (h) an added response
#     property, a request field that became nullable, and no change at all;
#   the changelog: a declared change passes (by operationId, by METHOD /path, by path), while a
#     declaration of another operation, one outside "## [Unreleased]" and a malformed line fail.
# A failing case must also be reported on the operations it touches. Exits non-zero if any case
# gets the wrong verdict.
#
#   contract/compat-selftest.sh [PATH-TO-OPENAPI-JSON]    (default: openapi/openapi.json)
#
# CONTRACT_SELFTEST_VERBOSE=1 prints compat.sh's whole output for every case.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

DOC="${1:-openapi/openapi.json}"
[[ -f "$DOC" ]] || die "no OpenAPI document at $DOC"
need python3
started=$SECONDS
ensure_npm "$CONTRACT_DIR"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/sahifa-compat-selftest.XXXXXX")"
cleanup() { rm -rf "$TMP"; }
on_exit_run cleanup

# The cases: CASE.json files and cases.tsv (name, expected verdict, changelog, operations that a
# failing verdict must name, what the case is).
python3 - "$DOC" "$TMP" <<'PY'
import copy, json, sys

doc_path, out = sys.argv[1], sys.argv[2]
base = json.load(open(doc_path, encoding="utf-8"))
rows = []


def case(name, expect, ops, what, changelog="empty"):
    def deco(mutate):
        d = copy.deepcopy(base)
        try:
            mutate(d)
        except (KeyError, IndexError, ValueError) as e:
            sys.exit(f"self-test case {name!r} no longer applies to {doc_path} ({e!r} not found): "
                     "update it in contract/compat-selftest.sh")
        with open(f"{out}/{name}.json", "w", encoding="utf-8") as f:
            json.dump(d, f, ensure_ascii=False, indent=2)
        rows.append((name, expect, changelog, " ".join(ops) or "-", what))
        return mutate
    return deco


def schemas(d):
    return d["components"]["schemas"]


SECTION_RESPONSES = ["POST /api/v1/sections", "GET /api/v1/sections/{id}", "PATCH /api/v1/sections/{id}"]


@case("a-removed-path", "fail", ["GET /api/v1/tags"], "(a) path /api/v1/tags removed")
def _(d):
    del d["paths"]["/api/v1/tags"]


@case("b-removed-response-property", "fail", SECTION_RESPONSES, "(b) Section.slug removed (response)")
def _(d):
    s = schemas(d)["Section"]
    del s["properties"]["slug"]
    s["required"].remove("slug")


@case("c1-removed-request-enum-value", "fail", ["POST /api/v1/articles", "PATCH /api/v1/articles/{id}"],
      "(c) ArticleStatus loses 'archived' (request enum)")
def _(d):
    schemas(d)["ArticleStatus"]["enum"].remove("archived")


@case("c2-request-type-not-nullable", "fail", ["PATCH /api/v1/articles/{id}"],
      '(c) UpdateArticle.title type ["string","null"] -> "string"')
def _(d):
    p = schemas(d)["UpdateArticle"]["properties"]["title"]
    if p["type"] != ["string", "null"]:
        raise ValueError("UpdateArticle.title type [string, null]")
    p["type"] = "string"


@case("c3-request-oneof-null-removed", "fail", ["PATCH /api/v1/articles/{id}"],
      '(c) UpdateArticle.slug oneOf [Slug, {"type":"null"}] -> Slug')
def _(d):
    p = schemas(d)["UpdateArticle"]["properties"]
    if p["slug"]["oneOf"][1] != {"type": "null"}:
        raise ValueError("UpdateArticle.slug oneOf null")
    p["slug"] = p["slug"]["oneOf"][0]


@case("c4-request-type-changed", "fail", ["PATCH /api/v1/articles/{id}"],
      "(c) UpdateArticle.section_id integer -> string")
def _(d):
    schemas(d)["UpdateArticle"]["properties"]["section_id"]["type"] = ["string", "null"]


@case("d-new-required-request-field", "fail", ["POST /api/v1/articles"],
      "(d) CreateArticle gains required 'subtitle'")
def _(d):
    s = schemas(d)["CreateArticle"]
    s["properties"]["subtitle"] = {"type": "string", "maxLength": 300}
    s["required"].append("subtitle")


@case("e1-changed-status-code", "fail", ["POST /api/v1/articles/{id}/comments"],
      "(e) createComment answers 201 instead of 202")
def _(d):
    r = d["paths"]["/api/v1/articles/{id}/comments"]["post"]["responses"]
    r["201"] = r.pop("202")


@case("e2-removed-status-code", "fail", ["GET /api/v1/articles/{id}"], "(e) getArticle loses its 404")
def _(d):
    del d["paths"]["/api/v1/articles/{id}"]["get"]["responses"]["404"]


@case("x-response-type-nullable", "fail", SECTION_RESPONSES,
      '(extra) Section.name "string" -> ["string","null"] (response)')
def _(d):
    p = schemas(d)["Section"]["properties"]["name"]
    if p["type"] != "string":
        raise ValueError("Section.name type string")
    p["type"] = ["string", "null"]


@case("f-added-path", "pass", [], "(f) new path /api/v1/tags/{name}")
def _(d):
    d["paths"]["/api/v1/tags/{name}"] = {"get": {
        "tags": ["tags"], "summary": "One tag.", "operationId": "getTag",
        "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {
            "200": {"description": "The tag.",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Tag"}}}},
            "404": {"$ref": "#/components/responses/NotFound"}}}}


@case("g-added-optional-request-field", "pass", [], "(g) CreateArticle gains optional 'subtitle'")
def _(d):
    schemas(d)["CreateArticle"]["properties"]["subtitle"] = {"type": ["string", "null"], "maxLength": 300}


@case("h-added-response-property", "pass", [], "(h) Section gains 'icon_url' (response)")
def _(d):
    schemas(d)["Section"]["properties"]["icon_url"] = {"type": ["string", "null"], "format": "uri"}


@case("x-request-type-nullable", "pass", [], '(extra) CreateArticle.body "string" -> ["string","null"] (request)')
def _(d):
    p = schemas(d)["CreateArticle"]["properties"]["body"]
    if p["type"] != "string":
        raise ValueError("CreateArticle.body type string")
    p["type"] = ["string", "null"]


@case("x-unchanged", "pass", [], "(extra) the document itself")
def _(d):
    pass


# The changelog: the breaking cases above again, with CHANGELOG.md variants.
def again(name, src, expect, changelog, ops, what):
    with open(f"{out}/{src}.json", encoding="utf-8") as f, open(f"{out}/{name}.json", "w", encoding="utf-8") as g:
        g.write(f.read())
    rows.append((name, expect, changelog, " ".join(ops) or "-", what))


head = "# API changelog\n\n## [Unreleased]\n\n### Removed\n\n"
released = "\n## [0.1.0] - 2026-11-27\n\n### Added\n\n- Everything.\n"
changelogs = {
    "empty": head + released,
    "by-method-path": head + "- BREAKING: GET /api/v1/tags: the tag list is gone; use the tags of each article.\n" + released,
    "by-operation-id": head + "- BREAKING: `createArticle`: `subtitle` is now required.\n" + released,
    "by-path": head + "- BREAKING: /api/v1/tags: removed.\n" + released,
    "other-operation": head + "- BREAKING: listArticles: something else.\n" + released,
    "only-released": head + released + "- BREAKING: GET /api/v1/tags: removed in 0.1.0.\n",
    "malformed": head + "- BREAKING GET /api/v1/tags removed\n" + released,
}
for n, text in changelogs.items():
    with open(f"{out}/CHANGELOG-{n}.md", "w", encoding="utf-8") as f:
        f.write(text)

again("cl-declared-by-method-path", "a-removed-path", "pass", "by-method-path", [], "(a) declared as GET /api/v1/tags")
again("cl-declared-by-operation-id", "d-new-required-request-field", "pass", "by-operation-id", [], "(d) declared as `createArticle`")
again("cl-declared-by-path", "a-removed-path", "pass", "by-path", [], "(a) declared as /api/v1/tags")
again("cl-declared-other-operation", "d-new-required-request-field", "fail", "other-operation",
      ["POST /api/v1/articles"], "(d) but the changelog declares listArticles")
again("cl-declared-in-released-section", "a-removed-path", "fail", "only-released",
      ["GET /api/v1/tags"], "(a) declared under [0.1.0], not [Unreleased]")
again("cl-malformed-line", "x-unchanged", "fail", "malformed", [], "no change, but a malformed BREAKING line")

with open(f"{out}/base.json", "w", encoding="utf-8") as f:
    json.dump(base, f, ensure_ascii=False, indent=2)
with open(f"{out}/cases.tsv", "w", encoding="utf-8") as f:
    for r in rows:
        f.write("\t".join(r) + "\n")
PY

passed=0
failed=0
failures=()
printf '%-34s %-6s %-6s %s\n' case expect got "verdict, case (-> operations reported as breaking and not declared)"
while IFS=$'\t' read -r name expect changelog ops what; do
    report="$TMP/$name.report.json"
    set +e
    CONTRACT_BASE_FILE="$TMP/base.json" CONTRACT_CHANGELOG="$TMP/CHANGELOG-$changelog.md" \
        CONTRACT_COMPAT_REPORT="$report" "$CONTRACT_DIR/compat.sh" "$TMP/$name.json" >"$TMP/$name.log" 2>&1
    rc=$?
    set -e
    got=$([[ $rc == 0 ]] && echo pass || echo fail)
    ok=1
    [[ $rc == 0 || $rc == 1 ]] || ok=0 # anything else is a crash
    [[ "$got" == "$expect" ]] || ok=0
    # The operations reported as breaking and not declared, and those of $ops (METHOD /path
    # pairs) that are not among them.
    check="$(python3 -c '
import json, sys
try:
    r = json.load(open(sys.argv[1]))
    have = {f["operation"] or f["pointer"] for f in r["breaking"] if f["acceptedBy"] is None}
except OSError:
    have = set()
w = [] if sys.argv[2] == "-" else sys.argv[2].split()
want = [" ".join(w[i:i + 2]) for i in range(0, len(w), 2)]
print(", ".join(sorted(have)))
print("; ".join(x for x in want if x not in have))
' "$report" "$ops")"
    reported="$(sed -n 1p <<<"$check")"
    missing="$(sed -n 2p <<<"$check")"
    [[ -z "$missing" ]] || ok=0
    if ((ok)); then
        passed=$((passed + 1))
        verdict="ok"
    else
        failed=$((failed + 1))
        failures+=("$name")
        verdict="WRONG"
    fi
    printf '%-34s %-6s %-6s %-5s %s\n' "$name" "$expect" "$got" "$verdict" "$what"
    [[ -z "$reported" ]] || printf '%-54s -> %s\n' "" "$reported"
    [[ -z "$missing" ]] || printf '%-54s NOT REPORTED: %s\n' "" "$missing"
    if [[ "${CONTRACT_SELFTEST_VERBOSE:-}" == 1 || "$verdict" == WRONG ]]; then
        sed 's/^/        | /' "$TMP/$name.log"
    fi
done <"$TMP/cases.tsv"

say "compat-selftest.sh finished in $((SECONDS - started))s"
((failed == 0)) || say "wrong verdicts: ${failures[*]}"
echo "compat-selftest: $passed passed, $failed failed"
((failed == 0))
