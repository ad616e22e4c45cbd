"""Schemathesis hooks for contract/fuzz.sh (loaded through SCHEMATHESIS_HOOKS).

Two hooks, each as narrow as it can be; everything else Schemathesis generates is sent and judged
unchanged.

before_call -- the run authenticates as one admin with a fixed bearer token. The server refuses
an admin's self-demotion, self-deactivation and self-deletion (409), but it accepts
`PATCH /api/v1/users/{own id}` with a new `password`, and that ends every session of the account:
every later request of the run would be a 401 and the results noise. So the `password` field is
removed from exactly that request (updateUser on the run's own id); other users' password
changes, and every invalid body, are sent as generated.

filter_failure -- drops the few failures that come from server *state* no schema can describe
(details at the function); every other failure fails the run.
"""

from __future__ import annotations

import os
import urllib.parse

import requests
import schemathesis


def _guard_lambda_descriptions() -> None:
    """Hypothesis describes the lambdas of its strategies by parsing their source with `ast`.
    With Schemathesis's worker threads doing so at once, CPython 3.11's AST constructor loses
    count of its recursion depth and raises `SystemError: AST constructor recursion depth
    mismatch` (or the cache it fills then fails with a KeyError), which ends the whole run as a
    "Runtime Error" while no check has failed. The description only labels values in reports,
    so a failed one is replaced by the placeholder Hypothesis itself uses."""
    from hypothesis.internal import lambda_sources

    describe = lambda_sources._lambda_description

    def guarded(f, *args, **kwargs):
        try:
            return describe(f, *args, **kwargs)
        except (SystemError, KeyError, RecursionError):
            return "lambda: <unknown>"

    lambda_sources._lambda_description = guarded


_guard_lambda_descriptions()

_OWN_ID = os.environ.get("CONTRACT_ADMIN_ID", "").strip()
_BASE_URL = os.environ.get("CONTRACT_BASE_URL", "").rstrip("/")
# Every dropped failure is written here (one TSV line: code, status, operation, reason), so a
# run shows what it did not count.
_DROPPED_LOG = os.environ.get("CONTRACT_DROPPED_LOG", "")


def _drop(failure, case, response, reason: str) -> bool:
    if _DROPPED_LOG:
        with open(_DROPPED_LOG, "a", encoding="utf-8") as log:
            log.write(f"{failure.code}\t{response.status_code}\t{case.operation.label}\t{reason}\n")
    return False


def _same_id(value: object) -> bool:
    if not _OWN_ID:
        return False
    try:
        # Lenient on purpose ("01", "+1", " 1" all count): better to spare the session.
        return int(str(value).strip()) == int(_OWN_ID)
    except ValueError:
        return False


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.operation.definition.raw.get("operationId") != "updateUser":
        return
    if not _same_id((case.path_parameters or {}).get("id")):
        return
    if isinstance(case.body, dict) and case.body.get("password") is not None:
        body = dict(case.body)
        del body["password"]
        case.body = body


# positive_data_acceptance (ST202) expects a schema-valid request to be accepted. Two answers to
# schema-valid requests depend on server state that no JSON Schema can describe, so for them the
# check does not apply and only they are dropped:
#
# - 412 to a request that carries `If-Match`: the header is schema-valid, but only the
#   resource's *current* ETag satisfies it, and Schemathesis cannot know that value.
# - 422 whose `errors` name nothing but id-reference fields (`parent_id`, `section_id`, `ids`,
#   `featured_media_id`, `authors`, `translation_of`): the ids are well-formed integers, but
#   whether a section, user or article with that id exists (or, for `parent_id`, whether it
#   would make a cycle) is state. Likewise a menu link's target (`items[…]`), and an API key's
#   `expires_at` that is already past.
#
# Every other rejected valid request -- any other status, or a 422 that names any other field --
# still fails the run.
_REFERENCE_FIELDS = frozenset(
    {"parent_id", "section_id", "ids", "featured_media_id", "authors", "translation_of"}
)

# ensure_resource_availability (ST302) follows inferred links such as "POST /articles created
# article N, so POST /articles/N/comments must find it". But a new article is a draft, and
# readers (and so comments) see only published, due articles: a draft answers 404 there by
# design (API.md). The failure is dropped only when an anonymous GET of that article confirms
# it is not public; if the article is public, the 404 is a real bug and the failure stays.
_COMMENTS_PATH = "/api/v1/articles/{id}/comments"


def _has_if_match(case) -> bool:
    return any(name.lower() == "if-match" for name in (case.headers or {}))


def _article_is_public(article_id: object) -> bool:
    if not _BASE_URL:
        return True
    quoted = urllib.parse.quote(str(article_id), safe="")
    try:
        answer = requests.get(f"{_BASE_URL}/api/v1/articles/{quoted}", timeout=10)
    except requests.RequestException:
        return True
    return answer.status_code != 404


# An upload's bytes must be an image: a schema can say `format: binary`, not "a decodable JPEG".
_IMAGE_PROBLEMS = frozenset(
    "/problems/" + slug
    for slug in ("unsupported-image", "invalid-image", "image-too-large", "upload-too-large")
)


def _errors(response) -> dict:
    try:
        errors = (response.json() or {}).get("errors") or {}
    except Exception:
        return {}
    return errors if isinstance(errors, dict) else {}


def _problem_type(response) -> str:
    try:
        return str((response.json() or {}).get("type", ""))
    except Exception:
        return ""


def _revoked(response) -> bool:
    try:
        return bool((response.json() or {}).get("revoked_at"))
    except Exception:
        return False


@schemathesis.hook
def filter_failure(context, failure, case, response):
    code = getattr(failure, "code", None)
    if code == "ST302":
        if case.operation.path == _COMMENTS_PATH and response.status_code == 404:
            if not _article_is_public((case.path_parameters or {}).get("id")):
                return _drop(failure, case, response, "article not public: comments answer 404 by design")
        return True
    if code == "ST301":
        if (
            case.operation.path == "/api/v1/api-keys/{id}"
            and response.status_code == 200
            and _revoked(response)
        ):
            # DELETE revokes a key: it is refused from the next request on but stays
            # readable, with `revoked_at`, for the record (documented on revokeApiKey).
            return _drop(failure, case, response, "a revoked API key stays on record")
        return True
    if code != "ST202":
        return True
    if response.status_code == 412 and _has_if_match(case):
        return _drop(failure, case, response, "If-Match not the current ETag")
    if case.operation.path == "/api/v1/media" and case.operation.method.upper() == "POST":
        kind = _problem_type(response)
        if kind in _IMAGE_PROBLEMS:
            return _drop(failure, case, response, "the bytes are not a usable image: " + kind)
    if (
        response.status_code == 400
        and case.operation.path == "/api/v1/articles"
        and _problem_type(response) == "/problems/invalid-query"
        and set(_errors(response)) == {"cursor"}
    ):
        # Any string has the documented shape, but only a cursor this server gave out, for the
        # same `sort`, and without `q` or a `page` other than 1 continues a list: state and a
        # cross-parameter rule.
        return _drop(failure, case, response, "a cursor this server did not give out for this list")
    if response.status_code != 422:
        return True
    try:
        errors = response.json().get("errors") or {}
    except Exception:
        return True
    if not isinstance(errors, dict) or not errors:
        return True
    if case.operation.path == "/api/v1/changes" and set(errors) == {"since"}:
        # A cursor has the documented shape, but only one this database signed is accepted.
        return _drop(failure, case, response, "a cursor this database did not sign")
    if case.operation.path.startswith("/api/v1/menus") and all(
        str(name).startswith("items[") for name in errors
    ):
        # A link names a section, article, page or tag that must exist, and takes a
        # `target_id` or a `url` according to its `type`: state and a cross-field rule.
        return _drop(failure, case, response, "a menu link's target: " + ",".join(sorted(errors)))
    if case.operation.path == "/api/v1/api-keys" and set(errors) == {"expires_at"}:
        # Any timestamp has the documented shape; only one still ahead is accepted.
        return _drop(failure, case, response, "an API key expiry already past")
    if set(errors) <= _REFERENCE_FIELDS:
        return _drop(failure, case, response, "no such referenced id: " + ",".join(sorted(errors)))
    return True
