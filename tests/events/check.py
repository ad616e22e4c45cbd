#!/usr/bin/env python3
"""Black-box check of Sahifa's events out: webhooks (Standard Webhooks signatures, retries,
replays, auto-disable, crash safety), surrogate keys purged through Varnish, and the
server-sent events stream, against servers started from SAHIFA_BINARY.

    tests/events/check.py SAHIFA_BINARY [POSTGRES_URL_OF_AN_EMPTY_DB] [--only g1,g2]

Without a database URL every server gets a fresh SQLite file in a temporary directory; with
the URL of an empty PostgreSQL database every server uses that database (the two-instance
stream check runs only then). Needs the `standardwebhooks` package
(tests/events/requirements.txt); see tests/events/README.md.

Groups (all by default; pick some with --only crud,signed):

  crud     endpoints: create (secret shown once), list, get, patch, rotate, delete; roles;
           bad URLs, private addresses (a second server without ALLOW_PRIVATE), bad events
  signed   a local receiver gets every event type, each signed (checked with the
           standardwebhooks package and independently), no commenter email, cache.purge
           keys, the deliveries log, two signatures after a secret rotation
  retry    a receiver that answers 503 for a while, then one whose port is closed: every
           event arrives with its webhook-id unchanged; replays; auto-disable
  crash    SIGKILL during a burst of publications (CHECK_BURST, 1000 by default), restart:
           every published article gets its signed article.published delivery
  stream   /api/v1/stream: events, ?section=, Last-Event-ID resume without gap or
           duplicate, two instances on PostgreSQL, a reader that never reads
  varnish  varnishd with tests/events/varnish.vcl in front of Sahifa, purged by xkey from
           cache.purge webhooks (SKIP when varnishd is missing, unless REQUIRE_VARNISH=1)

Every violation is printed as `FAIL [group] where: rule: detail`; the exit status is 1 when
there is any. Standard library plus standardwebhooks.
"""

import argparse
import atexit
import base64
import binascii
import datetime as dt
import hashlib
import hmac
import http.client
import http.server
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

try:
    from standardwebhooks.webhooks import Webhook, WebhookVerificationError
except ImportError as error:  # pragma: no cover
    sys.exit(f"check.py: {error}; install tests/events/requirements.txt "
             "(python3 -m venv /tmp/events-venv && /tmp/events-venv/bin/pip install -r tests/events/requirements.txt)")

HERE = os.path.dirname(os.path.abspath(__file__))
ADMIN = ("admin@sahifa.test", "a long admin password for the events check")
RUN = secrets.token_hex(3)          # makes names unique when groups share a PostgreSQL database
EVENT_NAMES = {
    "article.published", "article.updated", "article.unpublished", "article.deleted",
    "section.created", "section.updated", "section.deleted",
    "page.published", "page.updated", "page.unpublished", "page.deleted",
    "comment.created", "comment.approved", "media.created", "media.updated", "media.deleted",
    "cache.purge",
}
ENDPOINT_FIELDS = ("id", "url", "events", "description", "active", "disabled_reason", "failing_since",
                   "created_at", "updated_at")
DELIVERY_FIELDS = ("id", "endpoint_id", "event_id", "event_type", "state", "attempts", "last_status",
                   "last_latency_ms", "last_error", "response_excerpt", "created_at", "last_attempt_at",
                   "next_attempt_at", "delivered_at")
ATTEMPT_FIELDS = ("attempt", "attempted_at", "status", "latency_ms", "error", "response_excerpt")

failures = []
notes = []
current_group = ["setup"]
checked = {}
children = []                       # every process this script started, killed on exit


def fail(where, rule, detail=""):
    message = f"[{current_group[0]}] {where}: {rule}" + (f": {detail}" if detail else "")
    failures.append(message)
    print(f"  FAIL {message}", flush=True)


def note(message):
    notes.append(f"[{current_group[0]}] {message}")
    print(f"  note {message}", flush=True)


def info(message):
    print(f"   {message}", flush=True)


def count(what, n=1):
    checked[what] = checked.get(what, 0) + n


class Tally:
    """Violations that may repeat hundreds of times (one per delivery): one FAIL line per rule,
    with how often it happened and the first example."""

    def __init__(self, where):
        self.where, self.rules = where, {}

    def add(self, rule, example):
        n, first = self.rules.get(rule, (0, example))
        self.rules[rule] = (n + 1, first)

    def report(self):
        for rule, (n, first) in self.rules.items():
            fail(self.where, rule, f"{n}× (first: {first})")


def iso(moment):
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_utc():
    return dt.datetime.now(dt.timezone.utc)


def parse_instant(text):
    """An RFC 3339 date-time with a zone, or None."""
    if not isinstance(text, str) or "T" not in text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout, step=0.1):
    """Polls `predicate` until it is truthy (returns its value) or `timeout` seconds pass (None)."""
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.time() >= deadline:
            return None
        time.sleep(step)


def short(data, limit=200):
    if isinstance(data, bytes):
        data = data.decode("utf-8", "replace")
    elif not isinstance(data, str):
        data = json.dumps(data, ensure_ascii=False)
    return data if len(data) <= limit else data[:limit] + "…"


class SetupError(Exception):
    pass


class GroupTimeout(Exception):
    pass


# ---------------------------------------------------------------- HTTP to Sahifa

class Answer:
    def __init__(self, url, status, headers, body):
        self.url, self.status, self.headers, self.body = url, status, headers, body

    @property
    def content_type(self):
        return self.headers.get("content-type", "")

    def media_type(self):
        return self.content_type.split(";")[0].strip().lower()

    def json(self):
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None


def http_request(url, method="GET", body=None, headers=None, timeout=60, raw=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(url, data=data, method=method)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return Answer(url, answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read())
    except urllib.error.HTTPError as error:
        return Answer(url, error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


class Sahifa:
    """One server process. `search` names its search index directory (the same name on a
    restart keeps the index, as a real restart would)."""

    def __init__(self, binary, workdir, database_url, extra_env, name, search=None, port=None):
        self.binary, self.workdir, self.name, self.database_url = binary, workdir, name, database_url
        self.port = port or free_port()
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "DATABASE_URL": database_url,
            "SAHIFA_BIND": f"127.0.0.1:{self.port}",
            "SAHIFA_ADMIN_EMAIL": ADMIN[0],
            "SAHIFA_ADMIN_PASSWORD": ADMIN[1],
            "SAHIFA_JWT_SECRET": "events-check-secret-0123456789abcdef0123",
            "SAHIFA_WORKERS": "2",
            "SAHIFA_SEARCH_DIR": os.path.join(workdir, f"search-{search or name}"),
            "SAHIFA_MEDIA_STORE": "file:" + os.path.join(workdir, "media"),
            "SAHIFA_LOGIN_RATE_PER_IP": "1000",
            "SAHIFA_LOGIN_RATE_PER_ACCOUNT": "1000",
            "SAHIFA_COMMENT_RATE_PER_IP": "1000",
            "RUST_LOG": "warn",
            **extra_env,
        }
        self.log_path = os.path.join(workdir, f"server-{name}.log")
        self.server = subprocess.Popen(
            [binary, "serve"], cwd=workdir, env=self.env, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=open(self.log_path, "a"))
        children.append(self.server)
        deadline = time.time() + 90
        while True:
            if self.server.poll() is not None:
                raise SetupError(f"the {name} server exited with {self.server.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.base}/ready", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except Exception:
                pass
            if time.time() > deadline:
                self.stop()
                raise SetupError(f"the {name} server was not ready within 90 s:\n{self.log_tail()}")
            time.sleep(0.1)
        self.tokens = {}
        self.login("admin", *ADMIN)

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self):
        try:
            return open(self.log_path, encoding="utf-8", errors="replace").read()[-3000:]
        except OSError:
            return ""

    def login(self, who, email, password):
        answer = self.request("POST", "/api/v1/auth/login", {"email": email, "password": password})
        if answer.status != 200:
            raise SetupError(f"login of {email} on {self.name} answered {answer.status}: {answer.body[:300]!r}")
        self.tokens[who] = answer.json()["access_token"]

    def request(self, method, path, body=None, as_=None, headers=None, raw=None, timeout=60):
        url = path if path.startswith("http") else self.base + path
        headers = dict(headers or {})
        if as_:
            headers["Authorization"] = f"Bearer {self.tokens[as_]}"
        return http_request(url, method, body, headers, timeout, raw)

    def get(self, path, as_=None, headers=None):
        return self.request("GET", path, as_=as_, headers=headers)

    def api(self, method, path, body=None, as_="admin", expect=(200, 201)):
        answer = self.request(method, path, body, as_=as_)
        if answer.status not in expect:
            raise SetupError(f"{method} {path} on {self.name} answered {answer.status}: "
                             f"{answer.body[:400].decode('utf-8', 'replace')}")
        return answer.json()

    def items(self, path, as_="admin"):
        """Every item of a paginated list."""
        found, page = [], 1
        while True:
            sep = "&" if "?" in path else "?"
            answer = self.get(f"{path}{sep}per_page=100&page={page}", as_=as_)
            if answer.status != 200:
                raise SetupError(f"GET {path} answered {answer.status}: {answer.body[:300]!r}")
            body = answer.json()
            found += body["data"]
            if page >= (body.get("meta") or {}).get("total_pages", 1) or not body["data"]:
                return found
            page += 1

    def alive(self):
        return self.server.poll() is None

    def rss_kib(self):
        try:
            for line in open(f"/proc/{self.server.pid}/status"):
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return None

    def kill9(self):
        if self.server.poll() is None:
            self.server.send_signal(signal.SIGKILL)
            self.server.wait(timeout=30)

    def stop(self):
        if self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()


class Context:
    """What every group gets: the binary, the work directory, the database choice."""

    def __init__(self, binary, workdir, pg_url):
        self.binary, self.workdir, self.pg_url = binary, workdir, pg_url
        self.servers = []

    @property
    def postgres(self):
        return self.pg_url is not None

    def database(self, name):
        """The PostgreSQL database given, or a SQLite file `name` in the work directory."""
        return self.pg_url or f"sqlite:{self.workdir}/{name}.db"

    def start(self, name, env, database=None, search=None):
        server = Sahifa(self.binary, self.workdir, database or self.database(name), env, name, search)
        self.servers.append(server)
        return server

    def stop_all(self):
        for server in self.servers:
            server.stop()
        self.servers = []


# Settings for a server whose webhooks go to receivers on 127.0.0.1, retried quickly.
FAST = {
    "SAHIFA_WEBHOOKS_ALLOW_PRIVATE": "true",
    "SAHIFA_WEBHOOKS_TIMEOUT_SECS": "5",
    "SAHIFA_WEBHOOKS_BACKOFF_BASE_SECS": "1",
    "SAHIFA_WEBHOOKS_BACKOFF_CAP_SECS": "2",
    "SAHIFA_JOB_POLL_MS": "200",
}


def check_problem(answer, status, rule, type_suffix=None):
    """`status` is a number, or "4xx" for any client error."""
    ok = (400 <= answer.status < 500) if status == "4xx" else answer.status == status
    if not ok:
        fail(answer.url, f"{rule}: answers {status}", f"got {answer.status}: {short(answer.body)}")
        return False
    if answer.media_type() != "application/problem+json":
        fail(answer.url, f"{rule}: is application/problem+json", f"got {answer.content_type!r}")
        return False
    body = answer.json()
    if not isinstance(body, dict) or body.get("status") != answer.status or not isinstance(body.get("type"), str):
        fail(answer.url, f"{rule}: an RFC 9457 problem with its status and a type", short(body))
        return False
    if type_suffix and not body["type"].endswith(type_suffix):
        fail(answer.url, f"{rule}: the problem type ends with {type_suffix}", repr(body["type"]))
        return False
    count("problem answers")
    return True


# ---------------------------------------------------------------- signatures

def secret_key(secret):
    """The HMAC key of a `whsec_` secret, or None when it is not `whsec_` + base64."""
    if not isinstance(secret, str) or not secret.startswith("whsec_"):
        return None
    try:
        return base64.b64decode(secret[len("whsec_"):], validate=True)
    except (binascii.Error, ValueError):
        return None


def own_verify(secret, headers, body):
    """The spec read independently: HMAC-SHA256 over "{id}.{timestamp}.{body}" keyed by the
    base64-decoded part after whsec_, base64, `v1,` prefix, one of a space-separated list."""
    key = secret_key(secret)
    wid, ts, sig = headers.get("webhook-id"), headers.get("webhook-timestamp"), headers.get("webhook-signature")
    if not key or not wid or not ts or not sig:
        return False
    expected = base64.b64encode(hmac.new(key, f"{wid}.{ts}.".encode() + body, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(part, "v1," + expected) for part in sig.split(" ") if part)


def lib_verify(secret, headers, body):
    """The standardwebhooks package. Its verify() also refuses timestamps more than 5 minutes
    from now, so a late check (a delivery kept for minutes) compares with its sign() instead."""
    try:
        hook = Webhook(secret)
    except Exception:
        return False
    try:
        hook.verify(body, headers)
        return True
    except WebhookVerificationError as error:
        if "too old" not in str(error) and "too new" not in str(error):
            return False
    except Exception:
        return False
    try:
        moment = dt.datetime.fromtimestamp(int(headers["webhook-timestamp"]), tz=dt.timezone.utc)
        expected = hook.sign(headers["webhook-id"], moment, body.decode())
    except Exception:
        return False
    return expected in headers.get("webhook-signature", "").split(" ")


# ---------------------------------------------------------------- the webhook receiver

class Received:
    """One request that reached the receiver."""

    def __init__(self, at, method, path, headers, body, status):
        self.at, self.method, self.path, self.headers, self.body = at, method, path, headers, body
        self.status = status                       # what the receiver answered
        self.checks = {}                           # secret → (own, lib)
        try:
            self.payload = json.loads(body)
        except ValueError:
            self.payload = None
        self.webhook_id = headers.get("webhook-id")

    @property
    def delivered(self):
        return 200 <= self.status < 300

    @property
    def type(self):
        return (self.payload or {}).get("type") if isinstance(self.payload, dict) else None

    @property
    def data(self):
        data = (self.payload or {}).get("data") if isinstance(self.payload, dict) else None
        return data if isinstance(data, dict) else {}

    def verify(self, secret):
        """(own reading of the spec, standardwebhooks) for this secret."""
        if secret not in self.checks:
            self.checks[secret] = (own_verify(secret, self.headers, self.body),
                                   lib_verify(secret, self.headers, self.body))
        return self.checks[secret]

    def valid_with(self, secret):
        own, lib = self.verify(secret)
        return own and lib

    def describe(self):
        return f"{self.webhook_id} {self.type} {short(self.data, 80)}"


class Receiver:
    """An HTTP server on 127.0.0.1 in a thread that records every request. Per path it answers
    what `behaviour[path]` says (a status, or a function of nothing giving one; 200 by
    default), verifies signatures at once with the secrets registered for the path, and calls
    `on_delivery(received)` before answering. stop() closes the port; start() reopens it."""

    def __init__(self, port=None):
        self.port = port or 0
        self.cond = threading.Condition()
        self.requests = []
        self.secrets = {}            # path → [secret, …] (every secret ever valid for it)
        self.behaviour = {}
        self.on_delivery = None
        self.httpd = None
        self.start()

    def start(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"      # one request per connection: a closed port is closed

            def log_message(self, *args):
                pass

            def read_body(self):
                if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                    parts = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return b"".join(parts)
                        parts.append(self.rfile.read(size))
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def handle_any(self):
                self.connection.settimeout(30)
                body = self.read_body()
                path = self.path.split("?")[0]
                rule = receiver.behaviour.get(path, 200) if self.command == "POST" else 405
                status = rule() if callable(rule) else rule
                received = Received(time.time(), self.command, path,
                                    {k.lower(): v for k, v in self.headers.items()}, body, status)
                for secret in list(receiver.secrets.get(path, ())):
                    received.verify(secret)
                if received.delivered and receiver.on_delivery:
                    try:
                        receiver.on_delivery(received)
                    except Exception as error:   # reported by the group that set the hook
                        received.hook_error = repr(error)
                with receiver.cond:
                    receiver.requests.append(received)
                    receiver.cond.notify_all()
                answer = json.dumps({"ok": 200 <= status < 300}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_POST = do_PUT = do_GET = handle_any

        class Server(http.server.ThreadingHTTPServer):
            allow_reuse_address = True
            daemon_threads = True

        deadline = time.time() + 10
        while True:
            try:
                self.httpd = Server(("127.0.0.1", self.port), Handler)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()

    def stop(self):
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def got(self, path=None, delivered=True):
        with self.cond:
            return [r for r in self.requests
                    if (path is None or r.path == path) and (r.delivered or not delivered)]

    def events(self, path, type_=None, data_id=None, after=None):
        """Delivered requests on `path` (optionally of one event type / with data.id / received
        at or after the time `after`: ids of deleted rows may be reused on SQLite)."""
        return [r for r in self.got(path) if (type_ is None or r.type == type_)
                and (data_id is None or r.data.get("id") == data_id) and (after is None or r.at >= after)]

    def wait_event(self, path, type_, data_id=None, timeout=20, predicate=None, after=None):
        def find():
            for r in self.events(path, type_, data_id, after):
                if predicate is None or predicate(r):
                    return r
            return None
        return wait_until(find, timeout)


def create_endpoint(s, receiver, path, events, description=None):
    """A webhook endpoint for receiver+path; registers its secret with the receiver."""
    answer = s.request("POST", "/api/v1/webhooks", {"url": receiver.url(path), "events": events,
                                                   "description": description or f"events check {path}"},
                       as_="admin")
    if answer.status != 201:
        raise SetupError(f"POST /api/v1/webhooks for {path} answered {answer.status}: {short(answer.body, 400)}")
    endpoint = answer.json()
    receiver.secrets.setdefault(path, []).append(endpoint.get("secret"))
    return endpoint


def delete_endpoints(s, ids):
    """Best effort: endpoints a group made stop receiving (they share PostgreSQL with later groups)."""
    for endpoint_id in ids:
        try:
            s.request("DELETE", f"/api/v1/webhooks/{endpoint_id}", as_="admin", timeout=10)
        except Exception:
            pass


def check_deliveries_shape(receiver, path, where, secret_list=None):
    """Every request on `path`: Standard Webhooks headers, a JSON body whose id is the webhook-id,
    a known type, and a signature valid (both ways) with one of the secrets. Returns the
    number of requests checked."""
    tally = Tally(where)
    requests = receiver.got(path, delivered=False)
    secret_list = secret_list or receiver.secrets.get(path, [])
    for r in requests:
        h = r.headers
        if not (h.get("webhook-id") or "").startswith("evt_"):
            tally.add("webhook-id is evt_<n>", repr(h.get("webhook-id")))
        ts = h.get("webhook-timestamp") or ""
        if not ts.isdigit() or abs(int(ts) - r.at) > 300:
            tally.add("webhook-timestamp is the unix time of the attempt", f"{ts!r} received at {int(r.at)}")
        if (h.get("content-type") or "").split(";")[0].strip().lower() != "application/json":
            tally.add("Content-Type is application/json", repr(h.get("content-type")))
        if not isinstance(r.payload, dict):
            tally.add("the body is a JSON object", short(r.body))
            continue
        if r.payload.get("id") != r.webhook_id:
            tally.add("the body's id is the webhook-id", f"{r.payload.get('id')!r} vs {r.webhook_id!r}")
        if r.type not in EVENT_NAMES:
            tally.add("type is a known event name", repr(r.type))
        if parse_instant(r.payload.get("timestamp")) is None:
            tally.add("timestamp is RFC 3339", repr(r.payload.get("timestamp")))
        if not isinstance(r.payload.get("data"), dict):
            tally.add("data is an object", short(r.payload.get("data")))
        results = [r.verify(secret) for secret in secret_list if secret]
        if not any(own and lib for own, lib in results):
            tally.add("the signature verifies (own reading and standardwebhooks) with the endpoint's secret",
                      f"{r.describe()} signature {h.get('webhook-signature')!r}")
        for own, lib in results:
            if own != lib:
                tally.add("the spec reading and standardwebhooks agree on the signature",
                          f"own {own}, standardwebhooks {lib}: {r.describe()}")
        count("deliveries verified")
    tally.report()
    return len(requests)


# ---------------------------------------------------------------- newsroom helpers

def make_section(s, name):
    slug = f"ev-{RUN}-{name}"
    return s.api("POST", "/api/v1/sections", {"name": f"Events {RUN} {name}", "slug": slug})


def make_article(s, section_id, title, status="published", body=None, as_="admin"):
    return s.api("POST", "/api/v1/articles", {
        "title": title, "body": body or f"The body of “{title}”, written for the events check.",
        "section_id": section_id, "status": status}, as_=as_)


def make_user(s, role):
    email = f"{role}.{RUN}.{secrets.token_hex(2)}@sahifa.test"
    password = f"a long {role} password for the events check"
    s.api("POST", "/api/v1/users", {"email": email, "display_name": f"{role.title()} {RUN}",
                                    "role": role, "password": password})
    s.login(role, email, password)


# ---------------------------------------------------------------- 1. crud

PRIVATE_URLS = ["http://127.0.0.1:1/", "http://169.254.169.254/", "http://localhost/", "http://[::1]/",
                "http://10.0.0.1/"]


def endpoint_total(s):
    return len(s.items("/api/v1/webhooks"))


def check_endpoint_fields(where, endpoint, secret_expected):
    missing = [f for f in ENDPOINT_FIELDS if f not in endpoint]
    if missing:
        fail(where, "an Endpoint has every field of the spec", f"missing {missing}")
    if secret_expected:
        secret = endpoint.get("secret")
        key = secret_key(secret)
        if key is None:
            fail(where, "the secret is whsec_ + base64", repr(secret))
        elif len(key) != 32:
            fail(where, "the secret holds 32 bytes", f"{len(key)} bytes")
    elif "secret" in endpoint:
        fail(where, "the secret is shown only on creation and rotation", "a `secret` field is present")
    for field in ("created_at", "updated_at"):
        if field in endpoint and parse_instant(endpoint[field]) is None:
            fail(where, f"{field} is RFC 3339", repr(endpoint[field]))


def group_crud(ctx):
    s = ctx.start("crud", FAST)
    receiver = Receiver()
    made = []
    try:
        make_user(s, "editor")
        section = make_section(s, "crud")
        url = receiver.url("/crud")

        # Create.
        answer = s.request("POST", "/api/v1/webhooks", {"url": url, "events": ["article.published"],
                                                       "description": "crud check"}, as_="admin")
        if answer.status != 201:
            raise SetupError(f"POST /api/v1/webhooks answered {answer.status}: {short(answer.body, 400)}")
        endpoint = answer.json()
        made.append(endpoint["id"])
        eid, secret = endpoint["id"], endpoint.get("secret")
        receiver.secrets["/crud"] = [secret]
        check_endpoint_fields(answer.url, endpoint, secret_expected=True)
        location = answer.headers.get("location", "")
        if not location.endswith(f"/api/v1/webhooks/{eid}"):
            fail(answer.url, "201 has Location: /api/v1/webhooks/{id}", repr(location))
        if endpoint.get("url") != url or endpoint.get("events") != ["article.published"] \
                or endpoint.get("description") != "crud check":
            fail(answer.url, "the endpoint is stored as sent", short(endpoint))
        if endpoint.get("active") is not True or endpoint.get("disabled_reason") is not None \
                or endpoint.get("failing_since") is not None:
            fail(answer.url, "a new endpoint is active, not disabled, not failing", short(endpoint))

        # Read: no secret anywhere.
        one = s.get(f"/api/v1/webhooks/{eid}", as_="admin")
        if one.status != 200:
            fail(one.url, "GET /webhooks/{id} answers 200", str(one.status))
        else:
            check_endpoint_fields(one.url, one.json(), secret_expected=False)
            if secret and secret[6:].encode() in one.body:
                fail(one.url, "GET never shows the secret", "the secret is in the body")
            if not one.headers.get("etag"):
                fail(one.url, "GET /webhooks/{id} has an ETag")
        listing = s.get("/api/v1/webhooks", as_="admin")
        if listing.status != 200 or not isinstance((listing.json() or {}).get("data"), list):
            fail(listing.url, "GET /webhooks answers 200 {data:[…], meta}", f"{listing.status} {short(listing.body)}")
        else:
            if eid not in [e.get("id") for e in listing.json()["data"]]:
                fail(listing.url, "the list holds the new endpoint")
            if secret and secret[6:].encode() in listing.body:
                fail(listing.url, "the list never shows secrets")
            if "meta" not in listing.json():
                fail(listing.url, "the list has meta")
            for item in listing.json()["data"]:
                if "secret" in item:
                    fail(listing.url, "no secret field in the list", f"endpoint {item.get('id')}")

        # Roles.
        calls = [("GET", "/api/v1/webhooks", None), ("POST", "/api/v1/webhooks",
                                                      {"url": url, "events": ["*"]}),
                 ("GET", f"/api/v1/webhooks/{eid}", None), ("PATCH", f"/api/v1/webhooks/{eid}",
                                                             {"description": "hijacked"}),
                 ("POST", f"/api/v1/webhooks/{eid}/secret", None), ("DELETE", f"/api/v1/webhooks/{eid}", None),
                 ("GET", f"/api/v1/webhooks/{eid}/deliveries", None),
                 ("POST", f"/api/v1/webhooks/{eid}/replay", {"since": iso(now_utc())})]
        for method, path, body in calls:
            check_problem(s.request(method, path, body, as_="editor"), 403, f"an editor: {method}")
            check_problem(s.request(method, path, body), 401, f"anonymous: {method}")
        if s.get(f"/api/v1/webhooks/{eid}", as_="admin").json().get("description") != "crud check":
            fail(f"/api/v1/webhooks/{eid}", "refused calls change nothing", "the description changed")

        # Patch.
        patched = s.request("PATCH", f"/api/v1/webhooks/{eid}", {
            "description": "crud check, patched", "events": ["article.*", "cache.purge"], "active": False},
            as_="admin")
        if patched.status != 200:
            fail(patched.url, "PATCH answers 200", f"{patched.status} {short(patched.body)}")
        else:
            body = patched.json()
            check_endpoint_fields(patched.url, body, secret_expected=False)
            if body.get("description") != "crud check, patched" or sorted(body.get("events") or []) \
                    != ["article.*", "cache.purge"] or body.get("active") is not False:
                fail(patched.url, "PATCH changes what it sends", short(body))
            if body.get("url") != url:
                fail(patched.url, "PATCH keeps what it does not send", f"url {body.get('url')!r}")
            after = s.get(f"/api/v1/webhooks/{eid}", as_="admin").json() or {}
            if after.get("description") != "crud check, patched" or after.get("active") is not False:
                fail(patched.url, "GET shows the patched endpoint", short(after))
        again = s.request("PATCH", f"/api/v1/webhooks/{eid}", {"active": True, "events": ["article.published"]},
                          as_="admin")
        if again.status != 200 or (again.json() or {}).get("active") is not True \
                or (again.json() or {}).get("disabled_reason") is not None:
            fail(again.url, "PATCH active=true makes it active with no disabled_reason", short(again.body))
        bad_patch = s.request("PATCH", f"/api/v1/webhooks/{eid}", {"url": "ftp://x"}, as_="admin")
        check_problem(bad_patch, 422, "PATCH with url ftp://x", "validation-failed")
        if (s.get(f"/api/v1/webhooks/{eid}", as_="admin").json() or {}).get("url") != url:
            fail(bad_patch.url, "a refused PATCH changes nothing", "the url changed")

        # Rotate.
        rotated = s.request("POST", f"/api/v1/webhooks/{eid}/secret", as_="admin")
        if rotated.status != 200:
            fail(rotated.url, "POST /webhooks/{id}/secret answers 200", f"{rotated.status} {short(rotated.body)}")
        else:
            check_endpoint_fields(rotated.url, rotated.json(), secret_expected=True)
            new_secret = rotated.json().get("secret")
            if new_secret == secret:
                fail(rotated.url, "rotation gives a new secret", "the same secret came back")
            receiver.secrets["/crud"].append(new_secret)
            reread = s.get(f"/api/v1/webhooks/{eid}", as_="admin")
            if new_secret and new_secret[6:].encode() in reread.body:
                fail(reread.url, "GET never shows the rotated secret")

        # Bad inputs on this server (private addresses allowed here).
        before = endpoint_total(s)
        bad = [({"url": "ftp://x", "events": ["article.published"]}, 422, "validation-failed", "url ftp://x"),
               ({"url": "file:///etc/passwd", "events": ["article.published"]}, 422, "validation-failed",
                "url file:///etc/passwd"),
               ({"url": url, "events": ["article.exploded"]}, 422, "validation-failed", "unknown event article.exploded"),
               ({"url": url, "events": []}, "4xx", None, "an empty events list")]
        for body, status, suffix, what in bad:
            check_problem(s.request("POST", "/api/v1/webhooks", body, as_="admin"), status, what, suffix)
        for wildcard in (["article.*"], ["*"]):
            answer = s.request("POST", "/api/v1/webhooks", {"url": url, "events": wildcard}, as_="admin")
            if answer.status != 201:
                fail(answer.url, f"events {wildcard} are accepted", f"{answer.status} {short(answer.body)}")
            else:
                made.append(answer.json()["id"])
                delete_endpoints(s, [answer.json()["id"]])
        after = endpoint_total(s)
        if after != before:
            fail("/api/v1/webhooks", "refused creations create nothing", f"{before} endpoints before, {after} after")

        # A delivery to replay later, then delete the endpoint.
        article = make_article(s, section["id"], f"Crud {RUN} published")
        got = receiver.wait_event("/crud", "article.published", article["id"], timeout=20)
        deliveries = s.get(f"/api/v1/webhooks/{eid}/deliveries", as_="admin")
        did = None
        if got is None:
            fail("/crud", "the endpoint receives article.published within 20 s")
        if deliveries.status == 200 and (deliveries.json() or {}).get("data"):
            did = deliveries.json()["data"][0].get("id")
        else:
            fail(deliveries.url, "the deliveries list has the delivery", f"{deliveries.status} {short(deliveries.body)}")
        gone = s.request("DELETE", f"/api/v1/webhooks/{eid}", as_="admin")
        if gone.status != 204:
            fail(gone.url, "DELETE answers 204", f"{gone.status} {short(gone.body)}")
        else:
            made.remove(eid)
        check_problem(s.get(f"/api/v1/webhooks/{eid}", as_="admin"), 404, "GET of a deleted endpoint")
        check_problem(s.get(f"/api/v1/webhooks/{eid}/deliveries", as_="admin"), 404,
                      "the deliveries of a deleted endpoint")
        check_problem(s.request("POST", f"/api/v1/webhooks/{eid}/replay", {"since": iso(now_utc() - dt.timedelta(hours=1))},
                                as_="admin"), 404, "replay (since) of a deleted endpoint")
        check_problem(s.request("POST", f"/api/v1/webhooks/{eid}/deliveries/{did or 1}/replay", as_="admin"), 404,
                      "replay of a delivery of a deleted endpoint")
        check_problem(s.request("DELETE", f"/api/v1/webhooks/{eid}", as_="admin"), 404, "DELETE again")
        if got is not None:
            check_deliveries_shape(receiver, "/crud", "/crud")
    finally:
        delete_endpoints(s, made)
        s.stop()
        receiver.stop()

    # A second server without SAHIFA_WEBHOOKS_ALLOW_PRIVATE: the SSRF guard.
    guarded_env = {k: v for k, v in FAST.items() if k != "SAHIFA_WEBHOOKS_ALLOW_PRIVATE"}
    g = ctx.start("crud-guarded", guarded_env, database=ctx.database("crud"))
    try:
        before = endpoint_total(g)
        for private in PRIVATE_URLS:
            check_problem(g.request("POST", "/api/v1/webhooks", {"url": private, "events": ["article.published"]},
                                    as_="admin"), 422, f"without ALLOW_PRIVATE, url {private}",
                          "webhook-address-refused")
        check_problem(g.request("POST", "/api/v1/webhooks", {"url": "ftp://x", "events": ["article.published"]},
                                as_="admin"), 422, "without ALLOW_PRIVATE, url ftp://x", "validation-failed")
        after = endpoint_total(g)
        if after != before:
            fail("/api/v1/webhooks", "refused private addresses create nothing", f"{before} before, {after} after")
        count("private addresses refused", len(PRIVATE_URLS))
    finally:
        g.stop()


# ---------------------------------------------------------------- 2. signed

def normalize_event_id(value):
    """A Delivery's event_id as a webhook-id (the spec says `evt_<n>`; an integer n is read so too)."""
    if isinstance(value, int):
        return f"evt_{value}"
    if isinstance(value, str) and value.isdigit():
        return f"evt_{value}"
    return value


def check_delivery_fields(where, delivery, detail=False):
    missing = [f for f in DELIVERY_FIELDS if f not in delivery]
    if missing:
        fail(where, "a Delivery has every field of the spec", f"missing {missing}")
    if delivery.get("event_type") not in EVENT_NAMES:
        fail(where, "event_type is an event name", repr(delivery.get("event_type")))
    if delivery.get("state") not in ("pending", "succeeded", "failed"):
        fail(where, "state is pending|succeeded|failed", repr(delivery.get("state")))
    if not isinstance(delivery.get("attempts"), int):
        fail(where, "attempts is the number of attempts (an integer)", repr(delivery.get("attempts")))
    if delivery.get("state") == "succeeded":
        if not (isinstance(delivery.get("last_status"), int) and 200 <= delivery["last_status"] < 300):
            fail(where, "a succeeded delivery has a 2xx last_status", repr(delivery.get("last_status")))
        if not (isinstance(delivery.get("last_latency_ms"), int) and delivery["last_latency_ms"] >= 0):
            fail(where, "a succeeded delivery has a latency in ms", repr(delivery.get("last_latency_ms")))
        if parse_instant(delivery.get("delivered_at")) is None:
            fail(where, "a succeeded delivery has delivered_at", repr(delivery.get("delivered_at")))
    if detail:
        log = delivery.get("attempts_log")
        if not isinstance(log, list):
            fail(where, "the delivery detail has attempts_log: [ … ]", short(delivery))
            return []
        if isinstance(delivery.get("attempts"), int) and len(log) != delivery["attempts"]:
            fail(where, "attempts_log has `attempts` entries", f"{len(log)} entries, attempts {delivery['attempts']}")
        for entry in log:
            missing = [f for f in ATTEMPT_FIELDS if f not in entry]
            if missing:
                fail(where, "each attempt has attempt, attempted_at, status, latency_ms, error, response_excerpt",
                     f"missing {missing}")
                break
        return log
    return None


def deliveries_of(s, endpoint_id, query=""):
    return s.items(f"/api/v1/webhooks/{endpoint_id}/deliveries{query}")


def group_signed(ctx):
    s = ctx.start("signed", FAST)
    receiver = Receiver()
    made = []
    email = f"reader.{RUN}@commenters.example"
    try:
        everything = create_endpoint(s, receiver, "/signed", ["*"])
        only_sections = create_endpoint(s, receiver, "/sections-only", ["section.created"])
        made += [everything["id"], only_sections["id"]]
        eid = everything["id"]

        section = make_section(s, "signed")
        if not receiver.wait_event("/signed", "section.created", section["id"]):
            fail("/signed", "section.created arrives (data.id is the section) within 20 s")
        if not receiver.wait_event("/sections-only", "section.created", section["id"]):
            fail("/sections-only", "an endpoint for section.created only gets it")

        title = f"Signed {RUN} first"
        article = make_article(s, section["id"], title)
        aid = article["id"]
        published = receiver.wait_event("/signed", "article.published", aid,
                                        predicate=lambda r: r.data.get("title") == title)
        if not published:
            fail("/signed", "article.published arrives within 20 s", f"article {aid}")
        else:
            if published.data.get("title") != title:
                fail("/signed", "article.published has data.title", repr(published.data.get("title")))
            public = s.get(f"/api/v1/articles/{aid}").json() or {}
            for field in ("id", "slug", "title", "excerpt", "body_html"):
                if field in public and published.data.get(field) != public.get(field):
                    fail("/signed", f"article.published data.{field} is what an anonymous reader sees",
                         f"{short(published.data.get(field), 80)} vs {short(public.get(field), 80)}")
            if "body" not in published.data:
                note("article.published data has no `body` (the anonymous GET has it)"
                     if "body" in public else "neither the event nor the anonymous GET has `body`")

        draft = make_article(s, section["id"], f"Signed {RUN} draft", status="draft")

        new_title = f"Signed {RUN} first, edited"
        s.api("PATCH", f"/api/v1/articles/{aid}", {"title": new_title})
        if not receiver.wait_event("/signed", "article.updated", aid,
                                   predicate=lambda r: r.data.get("title") == new_title):
            fail("/signed", "an edit sends article.updated with the new title within 20 s")
        purge = receiver.wait_event("/signed", "cache.purge", predicate=lambda r: f"article-{aid}" in
                                    (r.data.get("keys") or []))
        if not purge:
            fail("/signed", "cache.purge arrives with data.keys holding article-{id}",
                 f"article-{aid}; purges seen: {[r.data.get('keys') for r in receiver.events('/signed', 'cache.purge')][:5]}")
        for r in receiver.events("/signed", "cache.purge"):
            keys = r.data.get("keys")
            if not (isinstance(keys, list) and keys and all(isinstance(k, str) and k and " " not in k for k in keys)):
                fail("/signed", "cache.purge data.keys is a non-empty list of keys", short(r.data))
                break

        # Comments: no email anywhere.
        submitted = s.request("POST", f"/api/v1/articles/{aid}/comments", {
            "author_name": "Sara", "author_email": email, "body": f"A comment for the events check {RUN}."})
        if submitted.status != 202:
            raise SetupError(f"POST /api/v1/articles/{aid}/comments answered {submitted.status}: {short(submitted.body)}")
        cid = submitted.json()["id"]
        created = receiver.wait_event("/signed", "comment.created", cid)
        if not created:
            other = receiver.events("/signed", "comment.created")
            fail("/signed", "comment.created arrives with data.id the comment's id within 20 s",
                 f"comment.created seen: {[short(r.data, 100) for r in other]}")
        s.api("PATCH", f"/api/v1/comments/{cid}", {"status": "approved"})
        if not receiver.wait_event("/signed", "comment.approved", cid):
            fail("/signed", "approving a comment sends comment.approved within 20 s",
                 f"seen: {[short(r.data, 100) for r in receiver.events('/signed', 'comment.approved')]}")

        # Unpublish, delete.
        unpublished_at = time.time()
        s.api("PATCH", f"/api/v1/articles/{aid}", {"status": "draft"})
        unpublished = receiver.wait_event("/signed", "article.unpublished", aid, after=unpublished_at)
        if not unpublished:
            fail("/signed", "unpublishing (status draft) sends article.unpublished within 20 s")
        else:
            if "slug" not in unpublished.data or "url" not in unpublished.data:
                fail("/signed", "article.unpublished data = {id, slug, url}", short(unpublished.data))
            if {"title", "body", "body_html"} & set(unpublished.data):
                fail("/signed", "article.unpublished carries no content", sorted(unpublished.data))
        doomed = make_article(s, section["id"], f"Signed {RUN} to delete")
        receiver.wait_event("/signed", "article.published", doomed["id"],
                            predicate=lambda r: r.data.get("title") == doomed["title"])
        doomed_at = time.time()
        s.api("DELETE", f"/api/v1/articles/{doomed['id']}", expect=(200, 204))
        deleted = receiver.wait_event("/signed", "article.deleted", doomed["id"], after=doomed_at)
        if not deleted:
            fail("/signed", "deleting a published article sends article.deleted within 20 s")
        elif "slug" not in deleted.data or {"title", "body", "body_html"} & set(deleted.data):
            fail("/signed", "article.deleted data = {id, slug, url}", short(deleted.data))

        # Rotation: the next delivery carries both signatures.
        rotated = s.api("POST", f"/api/v1/webhooks/{eid}/secret")
        old, new = everything["secret"], rotated.get("secret")
        receiver.secrets["/signed"].append(new)
        after = make_article(s, section["id"], f"Signed {RUN} after rotation")
        got = receiver.wait_event("/signed", "article.published", after["id"],
                                  predicate=lambda r: r.data.get("title") == after["title"])
        if not got:
            fail("/signed", "article.published after the rotation arrives within 20 s")
        else:
            parts = [p for p in got.headers.get("webhook-signature", "").split(" ") if p]
            if len(parts) != 2:
                fail("/signed", "after a rotation webhook-signature holds two v1 signatures", repr(parts))
            for label, secret in (("new", new), ("old", old)):
                own, lib = got.verify(secret)
                if not (own and lib):
                    fail("/signed", f"after a rotation the delivery verifies with the {label} secret",
                         f"own reading {own}, standardwebhooks {lib}")
            count("rotations verified")

        # Nothing for the draft; nothing but section.created for the sections-only endpoint.
        time.sleep(1.5)
        leaks = [r.describe() for r in receiver.got("/signed") if r.type and r.type.startswith("article.")
                 and r.data.get("id") == draft["id"]]
        if leaks:
            fail("/signed", "a draft sends no event", short(leaks))
        others = [r.describe() for r in receiver.got("/sections-only") if r.type != "section.created"]
        if others:
            fail("/sections-only", "an endpoint gets only the events it subscribed to", short(others))
        for r in receiver.got(None, delivered=False):
            if email.lower().encode() in r.body.lower() or b"author_email" in r.body:
                fail(r.path, "no event carries a commenter's email", r.describe())
                break
        types = sorted({r.type for r in receiver.got("/signed")})
        info(f"received on /signed: {len(receiver.got('/signed'))} deliveries, types {types}")
        check_deliveries_shape(receiver, "/signed", "/signed")
        check_deliveries_shape(receiver, "/sections-only", "/sections-only")

        # The deliveries log.
        received_ids = {r.webhook_id for r in receiver.got("/signed")}

        def settled():
            listed = deliveries_of(s, eid)
            done = [d for d in listed if d.get("state") == "succeeded"]
            return listed if len(done) >= len(received_ids) else None
        listed = wait_until(settled, 15, 0.5) or deliveries_of(s, eid)
        where = f"/api/v1/webhooks/{eid}/deliveries"
        succeeded = [d for d in listed if d.get("state") == "succeeded"]
        if len(succeeded) < len(received_ids):
            fail(where, "every delivery the receiver acknowledged is listed as succeeded",
                 f"{len(succeeded)} succeeded, {len(received_ids)} received")
        for d in listed[:50]:
            check_delivery_fields(where, d)
            if d.get("endpoint_id") != eid:
                fail(where, "endpoint_id is the endpoint's id", repr(d.get("endpoint_id")))
                break
        listed_ids = {normalize_event_id(d.get("event_id")) for d in listed}
        if published and published.webhook_id not in listed_ids:
            fail(where, "a delivery's event_id is the webhook-id the receiver got (evt_<n> or n)",
                 f"{published.webhook_id} not in {sorted(map(str, listed_ids))[:8]}")
        count("deliveries listed", len(listed))
        only_ok = deliveries_of(s, eid, "?state=succeeded")
        if any(d.get("state") != "succeeded" for d in only_ok) or len(only_ok) != len(succeeded):
            fail(where + "?state=succeeded", "the state filter gives exactly the succeeded deliveries",
                 f"{len(only_ok)} vs {len(succeeded)}")
        only_published = deliveries_of(s, eid, "?event=article.published")
        if not only_published or any(d.get("event_type") != "article.published" for d in only_published):
            fail(where + "?event=article.published", "the event filter gives only that type",
                 short([d.get("event_type") for d in only_published]))
        future = s.get(f"{where}?since={urllib.parse.quote(iso(now_utc() + dt.timedelta(hours=1)))}", as_="admin")
        if future.status != 200 or (future.json() or {}).get("data"):
            fail(future.url, "since=<an hour from now> gives nothing", f"{future.status} {short(future.body)}")
        if succeeded:
            did = succeeded[0]["id"]
            detail = s.get(f"{where}/{did}", as_="admin")
            if detail.status != 200:
                fail(detail.url, "the delivery detail answers 200", f"{detail.status} {short(detail.body)}")
            else:
                log = check_delivery_fields(detail.url, detail.json(), detail=True)
                if log and log[-1].get("status") != 200:
                    fail(detail.url, "the last attempt of a succeeded delivery has status 200", short(log[-1]))
            check_problem(s.get(f"{where}/999999999", as_="admin"), 404, "an unknown delivery")
    finally:
        delete_endpoints(s, made)
        s.stop()
        receiver.stop()


# ---------------------------------------------------------------- 3. retry

OUTAGE_SECS = 8          # the flaky receiver answers 503 this long
CLOSED_SECS = 6          # the closed receiver's port stays closed this long


def check_retried(receiver, path, article_ids, where):
    """Every article's article.published event arrived (2xx answered), one webhook-id per article
    across all its attempts. Returns {article id: webhook-id}."""
    tally = Tally(where)
    ids = {}
    duplicates = 0
    for aid in article_ids:
        attempts = [r for r in receiver.got(path, delivered=False)
                    if r.type == "article.published" and r.data.get("id") == aid]
        wids = {r.webhook_id for r in attempts}
        delivered = [r for r in attempts if r.delivered]
        if not delivered:
            tally.add("every event arrives eventually", f"article {aid}: {len(attempts)} attempts, none answered 2xx")
        if len(wids) > 1:
            tally.add("retries keep the webhook-id (one event per article)", f"article {aid}: {sorted(wids)}")
        if len(delivered) > 1:
            duplicates += 1
        if wids:
            ids[aid] = sorted(wids)[0]
    tally.report()
    if duplicates:
        note(f"{where}: {duplicates} events were delivered more than once (allowed: at least once)")
    return ids


def check_backoff(receiver, path, wids, where):
    gaps = []
    for wid in wids:
        times = sorted(r.at for r in receiver.got(path, delivered=False) if r.webhook_id == wid)
        gaps += [b - a for a, b in zip(times, times[1:])]
    if not gaps:
        return
    info(f"{where}: {len(gaps)} retry gaps, shortest {min(gaps):.2f} s, longest {max(gaps):.2f} s "
         f"(base 1 s, cap 2 s, jitter 0.5–1.5)")
    if min(gaps) < 0.3:
        fail(where, "retries wait (backoff base 1 s × jitter ≥ 0.5)", f"a retry {min(gaps):.2f} s after the previous")
    if max(gaps) > 8:
        note(f"{where}: a retry came {max(gaps):.1f} s after the previous (cap 2 s × 1.5 + polling)")


def delivery_for(s, endpoint_id, wid):
    for d in deliveries_of(s, endpoint_id):
        if normalize_event_id(d.get("event_id")) == wid:
            return d
    return None


def group_retry(ctx):
    env = {**FAST, "SAHIFA_WEBHOOKS_RETRY_FOR_SECS": "20"}
    s = ctx.start("retry", env)
    receiver = Receiver()
    closed = Receiver()
    made = []
    started = now_utc() - dt.timedelta(seconds=5)
    try:
        section = make_section(s, "retry")

        # A receiver that answers 500 for ever: its delivery fails after RETRY_FOR (20 s).
        receiver.behaviour["/dead"] = 500
        dead = create_endpoint(s, receiver, "/dead", ["section.created"])
        made.append(dead["id"])
        dead_section = make_section(s, "retry-dead")

        # a. 503 for OUTAGE_SECS, 20 publications meanwhile.
        down_until = [time.time() + OUTAGE_SECS]
        receiver.behaviour["/flaky"] = lambda: 503 if time.time() < down_until[0] else 200
        flaky = create_endpoint(s, receiver, "/flaky", ["article.published"])
        made.append(flaky["id"])
        article_ids = [make_article(s, section["id"], f"Retry {RUN} outage {n}")["id"] for n in range(20)]
        down_until[0] = max(down_until[0], time.time() + 2)
        info(f"20 articles published; the receiver answers 503 for {down_until[0] - time.time():.1f} s more")

        def all_arrived(path, ids):
            def check():
                return all(receiver_of(path).events(path, "article.published", aid) for aid in ids)
            return check

        def receiver_of(path):
            return closed if path == "/closed" else receiver

        if not wait_until(all_arrived("/flaky", article_ids), OUTAGE_SECS + 60, 0.25):
            missing = [aid for aid in article_ids if not receiver.events("/flaky", "article.published", aid)]
            fail("/flaky", "every event published during the outage arrives within 60 s of its end",
                 f"{len(missing)} missing: {missing[:10]}")
        refused = [r for r in receiver.got("/flaky", delivered=False) if r.status == 503]
        if not refused:
            fail("/flaky", "deliveries are attempted during the outage", "the receiver answered no 503")
        flaky_ids = check_retried(receiver, "/flaky", article_ids, "/flaky")
        info(f"/flaky: {len(refused)} attempts answered 503, "
             f"{len({r.webhook_id for r in receiver.got('/flaky')})} distinct events delivered")
        check_backoff(receiver, "/flaky", set(flaky_ids.values()), "/flaky")
        retried = [wid for wid in flaky_ids.values()
                   if any(r.status == 503 and r.webhook_id == wid for r in refused)]
        if retried:
            where = f"/api/v1/webhooks/{flaky['id']}/deliveries"
            delivery = wait_until(lambda: (lambda d: d if d and d.get("state") == "succeeded" else None)(
                delivery_for(s, flaky["id"], retried[0])), 10, 0.5)
            if not delivery:
                fail(where, "the retried delivery is listed as succeeded", retried[0])
            else:
                detail = s.get(f"{where}/{delivery['id']}", as_="admin")
                log = check_delivery_fields(detail.url, detail.json() or {}, detail=True) if detail.status == 200 else None
                if detail.status != 200:
                    fail(detail.url, "the delivery detail answers 200", str(detail.status))
                elif log is not None:
                    statuses = [e.get("status") for e in log]
                    seen = len([r for r in receiver.got("/flaky", delivered=False) if r.webhook_id == retried[0]])
                    if len(log) < 2 or 503 not in statuses[:-1] or statuses[-1] != 200:
                        fail(detail.url, "attempts_log shows the 503 attempts, then the 200", str(statuses))
                    if (detail.json() or {}).get("attempts") != seen:
                        note(f"delivery {delivery['id']}: attempts {(detail.json() or {}).get('attempts')}, "
                             f"the receiver saw {seen} requests")
                    count("retried deliveries inspected")
        check_deliveries_shape(receiver, "/flaky", "/flaky")

        # b. The port closed, then a receiver on the same port.
        closed_endpoint = create_endpoint(s, closed, "/closed", ["article.published"])
        made.append(closed_endpoint["id"])
        port = closed.port
        closed.stop()
        closed_ids = [make_article(s, section["id"], f"Retry {RUN} closed {n}")["id"] for n in range(5)]
        time.sleep(CLOSED_SECS)
        closed.start()
        if closed.port != port:
            raise SetupError(f"could not reopen port {port}")
        if not wait_until(all_arrived("/closed", closed_ids), 40, 0.25):
            missing = [aid for aid in closed_ids if not closed.events("/closed", "article.published", aid)]
            fail("/closed", "events sent while the port was closed arrive within 40 s of its reopening",
                 f"{len(missing)} missing: {missing}")
        closed_wids = check_retried(closed, "/closed", closed_ids, "/closed")
        check_deliveries_shape(closed, "/closed", "/closed")
        if closed_wids:
            delivery = wait_until(lambda: delivery_for(s, closed_endpoint["id"], next(iter(closed_wids.values()))), 10, 0.5)
            if delivery:
                detail = s.get(f"/api/v1/webhooks/{closed_endpoint['id']}/deliveries/{delivery['id']}", as_="admin")
                log = (detail.json() or {}).get("attempts_log") or []
                refused_attempts = [e for e in log if e.get("status") is None]
                if not refused_attempts:
                    fail(detail.url, "attempts on a closed port are logged with status null",
                         str([e.get("status") for e in log]))
                elif not all(isinstance(e.get("error"), str) and e["error"] for e in refused_attempts):
                    fail(detail.url, "an attempt with no answer has an error string", short(refused_attempts[0]))

        # c. Replays.
        where = f"/api/v1/webhooks/{flaky['id']}"
        if flaky_ids:
            wid = flaky_ids[article_ids[0]]
            delivery = delivery_for(s, flaky["id"], wid)
            before = len([r for r in receiver.got("/flaky") if r.webhook_id == wid])
            if delivery:
                replay = s.request("POST", f"{where}/deliveries/{delivery['id']}/replay", as_="admin")
                if replay.status != 202:
                    fail(replay.url, "replaying a delivery answers 202", f"{replay.status} {short(replay.body)}")
                else:
                    body = replay.json() or {}
                    check_delivery_fields(replay.url, body)
                    if body.get("id") == delivery["id"]:
                        fail(replay.url, "a replay is a new delivery", "same delivery id")
                    if normalize_event_id(body.get("event_id")) != wid:
                        fail(replay.url, "a replay is of the same event", f"{body.get('event_id')!r} vs {wid}")
                    if not wait_until(lambda: len([r for r in receiver.got("/flaky") if r.webhook_id == wid]) > before, 15):
                        fail(replay.url, "the replayed event is sent again with the same webhook-id within 15 s", wid)
                    count("replays")
            else:
                fail(where + "/deliveries", "the delivery of a received event is listed", wid)
        answer = s.request("POST", f"{where}/replay", {"since": iso(started)}, as_="admin")
        if answer.status != 202 or not isinstance((answer.json() or {}).get("replayed"), int):
            fail(answer.url, "POST /webhooks/{id}/replay answers 202 {replayed: n}", f"{answer.status} {short(answer.body)}")
        check_problem(s.request("POST", f"{where}/replay", {"since": "yesterday"}, as_="admin"), "4xx",
                      "replay with since=yesterday")

        # The dead endpoint's delivery has failed by now (RETRY_FOR 20 s); replay it since.
        dead_where = f"/api/v1/webhooks/{dead['id']}"
        failed = wait_until(lambda: deliveries_of(s, dead["id"], "?state=failed"), 40, 1)
        dead_wids = {r.webhook_id for r in receiver.got("/dead", delivered=False)
                     if r.type == "section.created" and r.data.get("id") == dead_section["id"]}
        if not failed:
            states = [d.get("state") for d in deliveries_of(s, dead["id"])]
            fail(dead_where + "/deliveries?state=failed",
                 "a delivery still failing after SAHIFA_WEBHOOKS_RETRY_FOR_SECS (20 s) is failed", f"states {states}")
        else:
            d = failed[0]
            check_delivery_fields(dead_where, d)
            if d.get("last_status") != 500 or not (isinstance(d.get("attempts"), int) and d["attempts"] >= 2):
                fail(dead_where + "/deliveries", "the failed delivery shows its attempts and last_status 500",
                     short(d))
            receiver.behaviour["/dead"] = 200
            replay = s.request("POST", f"{dead_where}/replay", {"since": iso(started)}, as_="admin")
            n = (replay.json() or {}).get("replayed") if replay.status == 202 else None
            if replay.status != 202 or not isinstance(n, int) or n < 1:
                fail(replay.url, "replay since answers 202 {replayed: n ≥ 1} when a delivery failed",
                     f"{replay.status} {short(replay.body)}")
            elif not wait_until(lambda: [r for r in receiver.got("/dead") if r.webhook_id in dead_wids], 15):
                fail(replay.url, "the failed event is sent again, same webhook-id, within 15 s", str(dead_wids))
            else:
                info(f"replay since: {n} replayed, the failed section.created arrived again")
    finally:
        delete_endpoints(s, made)
        s.stop()
        closed.stop()

    # d. Auto-disable.
    env = {**FAST, "SAHIFA_WEBHOOKS_DISABLE_AFTER_SECS": "3"}
    d = ctx.start("retry-disable", env)
    made = []
    try:
        receiver.behaviour["/always-500"] = 500
        endpoint = create_endpoint(d, receiver, "/always-500", ["article.published"])
        made.append(endpoint["id"])
        where = f"/api/v1/webhooks/{endpoint['id']}"
        section = make_section(d, "disable")
        began = time.time()
        for n in range(2):
            make_article(d, section["id"], f"Disable {RUN} {n}")
        seen_failing = [False]

        def disabled():
            body = d.get(where, as_="admin").json() or {}
            if body.get("active") and parse_instant(body.get("failing_since")):
                seen_failing[0] = True
            return body if body.get("active") is False else None
        body = wait_until(disabled, 25, 0.25)
        if not body:
            fail(where, "an endpoint failing for SAHIFA_WEBHOOKS_DISABLE_AFTER_SECS (3 s) is disabled within 25 s",
                 short(d.get(where, as_="admin").body))
        else:
            info(f"disabled {time.time() - began:.1f} s after the first publication: "
                 f"{body.get('disabled_reason')!r}")
            if not (isinstance(body.get("disabled_reason"), str) and body["disabled_reason"].strip()):
                fail(where, "a disabled endpoint has a disabled_reason string", repr(body.get("disabled_reason")))
            if not seen_failing[0]:
                fail(where, "a failing, still active endpoint shows failing_since", "never seen")
            time.sleep(2)
            n1 = len(receiver.got("/always-500", delivered=False))
            time.sleep(5)
            n2 = len(receiver.got("/always-500", delivered=False))
            if n2 != n1:
                fail(where, "a disabled endpoint gets no more requests", f"{n2 - n1} in 5 s after disabling")
            enabled = d.request("PATCH", where, {"active": True}, as_="admin")
            eb = enabled.json() or {}
            if enabled.status != 200 or eb.get("active") is not True or eb.get("disabled_reason") is not None:
                fail(where, "PATCH active=true re-enables and clears disabled_reason", f"{enabled.status} {short(eb)}")
            receiver.behaviour["/always-500"] = 200
            if wait_until(lambda: receiver.got("/always-500"), 10):
                info("after re-enabling, the pending deliveries were sent")
            else:
                note("after re-enabling (receiver answering 200), nothing arrived within 10 s")
        check_deliveries_shape(receiver, "/always-500", "/always-500")
    finally:
        delete_endpoints(d, made)
        d.stop()
        receiver.stop()


# ---------------------------------------------------------------- 4. crash

def group_crash(ctx):
    burst = int(os.environ.get("CHECK_BURST", "1000"))
    kill_at = max(1, burst * 2 // 5)
    env = {**FAST, "SAHIFA_JOB_LEASE_SECS": "15"}
    database = ctx.database("crash")
    receiver = Receiver()
    s = ctx.start("crash", env, database=database, search="crash")
    made = []
    s2 = None
    try:
        endpoint = create_endpoint(s, receiver, "/crash", ["article.published"])
        made.append(endpoint["id"])
        secret = endpoint["secret"]
        section = make_section(s, "crash")
        prefix = f"Crash {RUN} #"
        lock = threading.Lock()
        numbers = iter(range(burst))
        state = {"responses": 0, "errors": 0, "errors_before_kill": 0, "other": {}}
        killed = threading.Event()
        acknowledged = []
        kill_now, stop = threading.Event(), threading.Event()

        def worker():
            while not stop.is_set():
                with lock:
                    n = next(numbers, None)
                if n is None:
                    return
                try:
                    answer = s.request("POST", "/api/v1/articles", {
                        "title": f"{prefix}{n}", "body": f"Burst article {n} of the crash check.",
                        "section_id": section["id"], "status": "published"}, as_="admin", timeout=30)
                except Exception as error:
                    with lock:
                        state["errors"] += 1
                        if not killed.is_set():
                            state["errors_before_kill"] += 1
                            state["first_error"] = state.get("first_error") or repr(error)
                    if killed.is_set() or not s.alive():
                        return
                    continue
                with lock:
                    state["responses"] += 1
                    if answer.status == 201:
                        acknowledged.append((answer.json() or {}).get("id"))
                    else:
                        state["other"][answer.status] = state["other"].get(answer.status, 0) + 1
                    if state["responses"] >= kill_at:
                        kill_now.set()

        threads = [threading.Thread(target=worker, daemon=True) for _ in range(8)]
        began = time.time()
        for t in threads:
            t.start()
        while not kill_now.wait(1):
            if not any(t.is_alive() for t in threads) or time.time() - began > 900:
                break
        killed.set()
        s.kill9()
        stop.set()
        for t in threads:
            t.join(timeout=60)
        info(f"SIGKILL after {state['responses']} responses ({len(acknowledged)} × 201, other {state['other']}, "
             f"{state['errors']} failed requests) in {time.time() - began:.1f} s")
        if state["errors_before_kill"]:
            note(f"{state['errors_before_kill']} publications failed before the kill (first: {state['first_error']})")
        if state["other"]:
            fail("/api/v1/articles", "every publication of the burst answers 201 before the kill", str(state["other"]))
        if not kill_now.is_set():
            fail("/api/v1/articles", f"the burst reached {kill_at} responses", str(state["responses"]))

        s2 = ctx.start("crash-restarted", env, database=database, search="crash")
        existing = {a["id"] for a in s2.items(f"/api/v1/articles?status=published&section={section['id']}")
                    if a.get("title", "").startswith(prefix)}
        lost = [aid for aid in acknowledged if aid not in existing]
        if lost:
            fail("/api/v1/articles", "every publication answered 201 before the kill survives it",
                 f"{len(lost)} lost: {lost[:10]}")

        def delivered_ids():
            return {r.data.get("id") for r in receiver.events("/crash", "article.published") if r.valid_with(secret)}

        waited = time.time()
        wait_until(lambda: existing <= delivered_ids(), 90, 1)
        delivered = delivered_ids()
        missing = sorted(existing - delivered)
        phantom = sorted({r.data.get("id") for r in receiver.events("/crash", "article.published")} - existing)
        wids = {}
        for r in receiver.events("/crash", "article.published"):
            wids.setdefault(r.data.get("id"), set()).add(r.webhook_id)
        twice = [aid for aid, ws in wids.items() if len(ws) > 1]
        requests = receiver.got("/crash", delivered=False)
        repeats = len([r for r in receiver.got("/crash")]) - len({r.webhook_id for r in receiver.got("/crash")})
        info(f"crash: burst {burst}, {len(acknowledged)} acknowledged, {len(existing)} published after the restart, "
             f"{len(existing & delivered)} of them delivered with a valid signature within "
             f"{time.time() - waited:.1f} s; {len(requests)} requests, {repeats} repeated deliveries")
        count("crash articles delivered", len(existing & delivered))
        if missing:
            fail("/crash", "every published article that survived the crash gets a signed article.published "
                 "within 90 s of the restart", f"{len(missing)} of {len(existing)} missing: {missing[:10]}")
        if phantom:
            fail("/crash", "no article.published for an article that does not exist (events commit with their change)",
                 f"{len(phantom)}: {phantom[:10]}")
        if twice:
            fail("/crash", "one event (one webhook-id) per publication", f"{len(twice)} articles with several: "
                 f"{[(a, sorted(wids[a])) for a in twice[:3]]}")
        if repeats:
            note(f"{repeats} events were delivered more than once after the crash (at least once is allowed)")
        check_deliveries_shape(receiver, "/crash", "/crash")
    finally:
        if s2 is not None:
            delete_endpoints(s2, made)
        s.stop()
        if s2 is not None:
            s2.stop()
        receiver.stop()


# ---------------------------------------------------------------- 5. stream

class Stream:
    """A reader of text/event-stream in a thread (http.client undoes the chunked encoding)."""

    def __init__(self, port, path, headers=None, timeout=40):
        self.path = path
        self.cond = threading.Condition()
        self.events, self.pings, self.closed, self.error, self.retry = [], 0, False, None, None
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.conn.request("GET", path, headers={"Accept": "text/event-stream", **(headers or {})})
        self.response = self.conn.getresponse()
        self.status = self.response.status
        self.content_type = self.response.getheader("Content-Type", "")
        if self.status == 200:
            threading.Thread(target=self.read, daemon=True).start()
        else:
            self.body = self.response.read(2000)
            self.closed = True

    def read(self):
        fields, data = {}, []
        try:
            while True:
                line = self.response.readline()
                if not line:
                    break
                line = line.decode("utf-8", "replace").rstrip("\n").rstrip("\r")
                if line == "":
                    if data:                 # the SSE rule: a block without data dispatches nothing
                        self.dispatch(fields, data)
                    elif "retry" in fields:
                        self.retry = fields["retry"]
                    fields, data = {}, []
                elif line.startswith(":"):
                    with self.cond:
                        self.pings += 1
                else:
                    name, _, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if name == "data":
                        data.append(value)
                    else:
                        fields[name] = value
        except Exception as error:
            self.error = error
        finally:
            with self.cond:
                self.closed = True
                self.cond.notify_all()

    def dispatch(self, fields, data):
        text = "\n".join(data)
        try:
            payload = json.loads(text)
        except ValueError:
            payload = None
        event = {"id": fields.get("id"), "event": fields.get("event"), "data": text, "json": payload,
                 "at": time.time()}
        with self.cond:
            self.events.append(event)
            self.cond.notify_all()

    def snapshot(self):
        with self.cond:
            return list(self.events)

    def find(self, event_name=None, data_id=None, predicate=None):
        for e in self.snapshot():
            body = e["json"] if isinstance(e["json"], dict) else {}
            data = body.get("data") if isinstance(body.get("data"), dict) else {}
            if (event_name is None or e["event"] == event_name) and (data_id is None or data.get("id") == data_id) \
                    and (predicate is None or predicate(e, data)):
                return e
        return None

    def wait(self, event_name=None, data_id=None, timeout=5, predicate=None):
        return wait_until(lambda: self.find(event_name, data_id, predicate), timeout, 0.02)

    def close(self):
        try:
            self.conn.sock.shutdown(socket.SHUT_RDWR)
        except Exception:
            pass
        self.conn.close()


def event_key(event):
    value = event.get("id") or ""
    return (0, int(value)) if value.isdigit() else (1, value)


def open_stream(s, path, where, headers=None):
    stream = Stream(s.port, path, headers)
    if stream.status != 200:
        fail(s.base + path, "the stream answers 200", f"{stream.status} {short(getattr(stream, 'body', b''))}")
        return None
    if not stream.content_type.startswith("text/event-stream"):
        fail(s.base + path, "the stream is text/event-stream", repr(stream.content_type))
    return stream


def raw_slow_stream(s):
    """A connection that asks for the stream and never reads (small receive buffer)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(10)
    sock.connect(("127.0.0.1", s.port))
    sock.sendall(f"GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1:{s.port}\r\n"
                 f"Accept: text/event-stream\r\n\r\n".encode())
    return sock


def drain(sock, limit_secs=60):
    """Reads what is waiting: (closed by the server?, bytes, events) — closed when EOF comes
    before 3 s without data."""
    sock.settimeout(3)
    total, events, tail = 0, 0, b""
    deadline = time.time() + limit_secs
    while time.time() < deadline:
        try:
            chunk = sock.recv(1 << 20)
        except socket.timeout:
            return False, total, events
        except OSError:
            return True, total, events
        if not chunk:
            return True, total, events
        total += len(chunk)
        joined = tail + chunk
        events += joined.count(b"\nevent: ")
        tail = joined[-7:]              # shorter than the pattern: no match is counted twice
    return False, total, events


SLOW_EDITS = 1500


def group_stream(ctx):
    env = {"SAHIFA_JOB_POLL_MS": "200"}
    s = ctx.start("stream", env, search="stream")
    streams = []
    b = None
    try:
        one, two = make_section(s, "stream-one"), make_section(s, "stream-two")
        witness = open_stream(s, "/api/v1/stream", "witness")
        if witness is None:
            return
        streams.append(witness)
        by_id = open_stream(s, f"/api/v1/stream?section={one['id']}", "section id")
        by_slug = open_stream(s, f"/api/v1/stream?section={urllib.parse.quote(one['slug'])}", "section slug")
        streams += [x for x in (by_id, by_slug) if x]
        time.sleep(0.5)

        t0 = time.time()
        x = make_article(s, one["id"], f"Stream {RUN} X")
        ex = witness.wait("article.published", x["id"], timeout=5)
        if not ex:
            fail("/api/v1/stream", "a publication appears as `event: article.published` within 5 s",
                 f"got {[(e['id'], e['event']) for e in witness.snapshot()][:5]}")
            return
        info(f"article.published on the stream {ex['at'] - t0:.3f} s after the POST was sent")
        if not ex["id"]:
            fail("/api/v1/stream", "each event has an `id:`")
        body = ex["json"]
        if not isinstance(body, dict) or body.get("type") != "article.published" \
                or not str(body.get("id", "")).startswith("evt_") or (body.get("data") or {}).get("title") != x["title"]:
            fail("/api/v1/stream", "data: is the webhook body {id: evt_…, type, timestamp, data: article}",
                 short(ex["data"]))
        for name, stream in (("?section=<id>", by_id), ("?section=<slug>", by_slug)):
            if stream and not stream.wait("article.published", x["id"], timeout=5):
                fail(f"/api/v1/stream{name}", "a stream for a section gets its publications")
        y = make_article(s, two["id"], f"Stream {RUN} Y")
        if not witness.wait("article.published", y["id"], timeout=5):
            fail("/api/v1/stream", "the unfiltered stream gets every section")
        time.sleep(1)
        for name, stream in (("?section=<id>", by_id), ("?section=<slug>", by_slug)):
            if stream and stream.find(data_id=y["id"]):
                fail(f"/api/v1/stream{name}", "a stream for a section gets nothing of other sections",
                     f"article {y['id']} of section {two['id']}")
        count("stream events", len(witness.snapshot()))

        # Resume with Last-Event-ID: exactly the events after it.
        last = ex["id"]
        z1 = make_article(s, one["id"], f"Stream {RUN} Z1")
        z2 = make_article(s, two["id"], f"Stream {RUN} Z2")
        s.api("PATCH", f"/api/v1/articles/{x['id']}", {"title": f"Stream {RUN} X edited"})
        s.api("PATCH", f"/api/v1/articles/{z2['id']}", {"status": "draft"})
        marker = witness.wait("article.unpublished", z2["id"], timeout=10)
        if not marker:
            fail("/api/v1/stream", "unpublishing appears as article.unpublished within 10 s")
            return
        for z in (z1,):
            if not witness.find("article.published", z["id"]):
                fail("/api/v1/stream", "every publication appears", z["title"])
        if not witness.find("article.updated", x["id"]):
            fail("/api/v1/stream", "an edit appears as article.updated")
        seen = witness.snapshot()
        start = next(i for i, e in enumerate(seen) if e is ex)
        end = next(i for i, e in enumerate(seen) if e is marker)
        expected = [e["id"] for e in seen[start + 1:end + 1]]
        for label, path, headers in (("Last-Event-ID", "/api/v1/stream", {"Last-Event-ID": last}),
                                     ("?last_event_id=", f"/api/v1/stream?last_event_id={urllib.parse.quote(last)}", None)):
            resumed = open_stream(s, path, label, headers)
            if not resumed:
                continue
            streams.append(resumed)
            if not wait_until(lambda: any(e["id"] == marker["id"] for e in resumed.snapshot()), 10):
                fail(s.base + path, f"resuming with {label} replays the events after it within 10 s",
                     f"got {[e['id'] for e in resumed.snapshot()]}, expected {expected}")
                continue
            got = [e["id"] for e in resumed.snapshot()]
            got = got[:got.index(marker["id"]) + 1]
            if sorted(got, key=lambda v: event_key({"id": v})) != sorted(expected, key=lambda v: event_key({"id": v})):
                gap = [i for i in expected if i not in got]
                extra = [i for i in got if i not in expected]
                dup = sorted({i for i in got if got.count(i) > 1})
                fail(s.base + path, f"resuming with {label} gives exactly the events after it",
                     f"missing {gap}, unexpected {extra}, duplicated {dup}")
            elif got != expected:
                note(f"resume with {label}: same events, other order ({got} vs the live {expected})")
            count("resumed events", len(got))
            resumed.close()
        latest = open_stream(s, "/api/v1/stream", "latest", {"Last-Event-ID": marker["id"]})
        if latest:
            streams.append(latest)
            time.sleep(1.5)
            if latest.snapshot():
                fail("/api/v1/stream", "resuming from the newest event replays nothing",
                     str([(e["id"], e["event"]) for e in latest.snapshot()]))
            latest.close()
        if not witness.closed and witness.pings == 0:
            info("no `: ping` comment seen yet (every 15 s by the spec)")

        # Two instances on one PostgreSQL database.
        if ctx.postgres:
            b = ctx.start("stream-b", env, database=ctx.pg_url, search="stream-b")
            on_b = open_stream(b, "/api/v1/stream", "instance B")
            if on_b:
                streams.append(on_b)
                time.sleep(0.5)
                delays = []
                for n in range(3):
                    article = make_article(s, one["id"], f"Stream {RUN} cross-instance {n}")
                    sent = time.time()
                    got = on_b.wait("article.published", article["id"], timeout=10)
                    delays.append(got["at"] - sent if got else None)
                info(f"published through A, seen on B after {['%.2f s' % d if d is not None else 'never' for d in delays]}")
                if any(d is None or d > 2 for d in delays):
                    fail(b.base + "/api/v1/stream", "an event written through instance A reaches B's stream within 2 s",
                         str(delays))
                on_b.close()
            b.stop()
            b = None
        else:
            info("SQLite: the two-instance check runs on PostgreSQL only")

        # A reader that never reads.
        big = make_article(s, one["id"], f"Stream {RUN} edited many times",
                           body=("A paragraph long enough to make every event weigh kilobytes. " * 100))
        slow = raw_slow_stream(s)
        other = open_stream(s, f"/api/v1/stream?section={one['id']}", "other")
        if other:
            streams.append(other)
        time.sleep(0.5)
        rss_before = s.rss_kib()
        health = {"bad": 0, "slowest": 0.0}
        edits = {"done": 0, "failed": 0}
        finished = threading.Event()

        def watch_health():
            while not finished.is_set():
                started = time.time()
                try:
                    ok = http_request(s.base + "/health", timeout=5).status == 200
                except Exception:
                    ok = False
                health["slowest"] = max(health["slowest"], time.time() - started)
                if not ok:
                    health["bad"] += 1
                finished.wait(0.5)

        numbers = iter(range(SLOW_EDITS - 1))
        lock = threading.Lock()

        def edit():
            while True:
                with lock:
                    n = next(numbers, None)
                if n is None:
                    return
                answer = s.request("PATCH", f"/api/v1/articles/{big['id']}", {"title": f"Stream {RUN} edit {n}"},
                                   as_="admin", timeout=30)
                with lock:
                    edits["done" if answer.status == 200 else "failed"] += 1

        watcher = threading.Thread(target=watch_health, daemon=True)
        watcher.start()
        began = time.time()
        workers = [threading.Thread(target=edit, daemon=True) for _ in range(4)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(timeout=600)
        final_title = f"Stream {RUN} last edit"
        s.api("PATCH", f"/api/v1/articles/{big['id']}", {"title": final_title})
        info(f"{edits['done'] + 1} edits in {time.time() - began:.1f} s ({edits['failed']} failed)")
        if edits["failed"]:
            fail("/api/v1/articles", "every edit answers 200 while a stream reader is stuck", f"{edits['failed']} did not")
        for name, stream in (("the unfiltered stream", witness), ("a section stream", other)):
            if stream is None:
                continue
            got = stream.wait("article.updated", big["id"], timeout=60,
                              predicate=lambda e, data: data.get("title") == final_title)
            n = len([e for e in stream.snapshot() if e["event"] == "article.updated"
                     and ((e["json"] or {}).get("data") or {}).get("id") == big["id"]])
            info(f"{name} read {n} of {SLOW_EDITS} article.updated events" + ("" if got else ", not the last one"))
            if not got:
                fail("/api/v1/stream", f"{name} keeps working while another reader is stuck",
                     f"closed {stream.closed}, error {stream.error!r}")
        finished.set()
        watcher.join(timeout=10)
        if health["bad"]:
            fail("/health", "the server stays healthy while a stream reader is stuck", f"{health['bad']} bad answers")
        if http_request(s.base + "/health", timeout=5).status != 200:
            fail("/health", "answers 200 after the slow reader test")
        fresh = open_stream(s, "/api/v1/stream", "fresh")
        if fresh:
            streams.append(fresh)
            time.sleep(0.3)
            article = make_article(s, one["id"], f"Stream {RUN} after the slow reader")
            if not fresh.wait("article.published", article["id"], timeout=5):
                fail("/api/v1/stream", "a new stream works after the slow reader test")
        closed, size, events = drain(slow)
        closed_later = None
        if not closed:               # a server may notice the lag only when it next sends
            make_article(s, one["id"], f"Stream {RUN} after draining")
            closed_later, more, more_events = drain(slow, 20)
            size, events = size + more, events + more_events
        slow.close()
        rss_after = s.rss_kib()
        state = "CLOSED by the server" if closed else (
            "closed by the server at the next event after draining" if closed_later else "still open")
        info(f"slow reader: {state} after {events} events "
             f"({size / 1e6:.1f} MB) had reached it; /health slowest {health['slowest'] * 1000:.0f} ms; "
             f"server RSS {rss_before} → {rss_after} KiB")
        if not closed and not closed_later:
            note("the reader that never read was not disconnected (the spec: disconnected when its 256-event buffer fills)")
    finally:
        for stream in streams:
            stream.close()
        if b is not None:
            b.stop()
        s.stop()


# ---------------------------------------------------------------- 6. varnish

class Skip(Exception):
    pass


def find_varnishd():
    found = shutil.which("varnishd")
    for path in ("/usr/sbin/varnishd", "/usr/local/sbin/varnishd"):
        if not found and os.access(path, os.X_OK):
            found = path
    return found


class Varnish:
    """varnishd -F as a child, with tests/events/varnish.vcl and a generated sahifa-backend.vcl."""

    def __init__(self, varnishd, workdir, backend_port, required):
        self.dir = os.path.join(workdir, "varnish")
        os.makedirs(self.dir, exist_ok=True)
        shutil.copy(os.path.join(HERE, "varnish.vcl"), os.path.join(self.dir, "varnish.vcl"))
        with open(os.path.join(self.dir, "sahifa-backend.vcl"), "w") as out:
            out.write(f'backend sahifa {{ .host = "127.0.0.1"; .port = "{backend_port}"; }}\n')
        self.port = free_port()
        self.log_path = os.path.join(self.dir, "varnishd.log")
        command = [varnishd, "-F", "-j", "none", "-n", os.path.join(self.dir, "n"), "-a", f"127.0.0.1:{self.port}",
                   "-T", "none", "-f", os.path.join(self.dir, "varnish.vcl"),
                   "-p", f"vcl_path={self.dir}:/etc/varnish:/usr/share/varnish/vcl", "-s", "malloc,64m"]
        self.process = subprocess.Popen(command, cwd=self.dir, stdin=subprocess.DEVNULL,
                                        stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT)
        children.append(self.process)
        deadline = time.time() + 30
        while True:
            if self.process.poll() is not None:
                log = self.log_tail()
                if "xkey" in log and not required:
                    raise Skip(f"varnishd cannot load vmod xkey (install varnish-modules): {log[-300:]}")
                raise SetupError(f"varnishd exited with {self.process.returncode}: {log}")
            try:
                if http_request(self.url("/health"), timeout=2).status:
                    break
            except Exception:
                pass
            if time.time() > deadline:
                raise SetupError(f"varnishd did not answer within 30 s: {self.log_tail()}")
            time.sleep(0.2)
        version = subprocess.run([varnishd, "-V"], capture_output=True, text=True, timeout=10)
        self.version = (version.stderr or version.stdout).splitlines()[0] if (version.stderr or version.stdout) else "?"

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def log_tail(self):
        try:
            return open(self.log_path, errors="replace").read()[-2000:]
        except OSError:
            return ""

    def get(self, path):
        answer = http_request(self.url(path), timeout=10)
        hits = answer.headers.get("x-cache-hits", "")
        return answer, answer.headers.get("x-cache"), int(hits) if hits.isdigit() else None

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def check_surrogate_keys(answer, wanted, where):
    keys = (answer.headers.get("surrogate-key") or "").split()
    tags = [t.strip() for t in (answer.headers.get("cache-tag") or "").split(",") if t.strip()]
    missing = [k for k in wanted if k not in keys]
    if missing:
        fail(where, "an anonymous GET carries Surrogate-Key with its keys", f"missing {missing} in {keys}")
    if sorted(tags) != sorted(keys):
        fail(where, "Cache-Tag holds the Surrogate-Key keys, comma separated", f"{tags} vs {keys}")
    count("surrogate key headers")


def group_varnish(ctx):
    required = os.environ.get("REQUIRE_VARNISH") == "1"
    varnishd = find_varnishd()
    if not varnishd:
        if required:
            fail("varnishd", "REQUIRE_VARNISH=1: varnishd is installed", "not found (apt-get install varnish varnish-modules)")
            return
        raise Skip("varnishd not found (apt-get install -y varnish varnish-modules)")
    s = ctx.start("varnish", FAST)
    receiver = Receiver()
    varnish = None
    made = []
    try:
        varnish = Varnish(varnishd, ctx.workdir, s.port, required)
        info(f"{varnish.version} on port {varnish.port}, backend Sahifa on {s.port}")
        purges = []

        def purge(received):
            if received.type != "cache.purge":
                return
            keys = received.data.get("keys") or []
            answer = http_request(varnish.url("/"), "PURGE", headers={"xkey-purge": " ".join(keys)}, timeout=5)
            purges.append((time.time(), keys, answer.status, answer.body[:100]))
        receiver.on_delivery = purge
        endpoint = create_endpoint(s, receiver, "/purge", ["cache.purge"])
        made.append(endpoint["id"])
        # A and B in different sections: an edit of A may purge section-{A's section}, never B.
        section = make_section(s, "varnish-a")
        other_section = make_section(s, "varnish-b")
        a = make_article(s, section["id"], f"Varnish {RUN} A")
        b = make_article(s, other_section["id"], f"Varnish {RUN} B")
        paths = {"A": f"/api/v1/articles/{a['id']}", "B": f"/api/v1/articles/{b['id']}",
                 "list": f"/api/v1/articles?section={section['id']}"}
        check_surrogate_keys(s.get(paths["A"]), [f"article-{a['id']}"], s.base + paths["A"])
        check_surrogate_keys(s.get(paths["list"]), ["articles", f"article-{a['id']}"], s.base + paths["list"])
        b_keys = s.get(paths["B"]).headers.get("surrogate-key")

        # Let the purges of the creations pass before warming.
        def quiet():
            last = max([p[0] for p in purges] or [0])
            return len(purges) >= 1 and time.time() - last > 1.5
        if not wait_until(quiet, 20, 0.1):
            fail("/purge", "the creations send cache.purge webhooks within 20 s", f"{len(purges)} purges")
        hits = {}
        for name, path in paths.items():
            first, state1, _ = varnish.get(path)
            second, state2, count2 = varnish.get(path)
            if first.status != 200 or state1 != "MISS" or state2 != "HIT":
                fail(varnish.url(path), "an anonymous GET with a Surrogate-Key is cached: MISS, then HIT",
                     f"{first.status} {state1}, then {state2}; Surrogate-Key {first.headers.get('surrogate-key')!r}, "
                     f"Cache-Control {first.headers.get('cache-control')!r}")
            hits[name] = count2
        edited_at = time.time()
        new_title = f"Varnish {RUN} A, edited"
        s.api("PATCH", paths["A"], {"title": new_title})
        edited = time.time()

        def fresh(path, test):
            def probe():
                answer, _, _ = varnish.get(path)
                return answer.status == 200 and test(answer.json())
            return probe
        for name, test in (("A", lambda body: (body or {}).get("title") == new_title),
                           ("list", lambda body: new_title in [x.get("title") for x in (body or {}).get("data", [])])):
            if wait_until(fresh(paths[name], test), 5, 0.05):
                took = time.time() - edited
                info(f"{name}: the new title is visible through Varnish {took:.2f} s after the edit")
                if took > 1.0:
                    fail(varnish.url(paths[name]), "an edit is visible through Varnish within 1 s", f"{took:.2f} s")
            else:
                fail(varnish.url(paths[name]), "an edit is visible through Varnish within 1 s", "not within 5 s")
        answer, state, hit_count = varnish.get(paths["B"])
        if state != "HIT" or hit_count is None or hits["B"] is None or hit_count <= hits["B"]:
            fail(varnish.url(paths["B"]), "article B stays cached (HIT, growing hit count) after an edit of A",
                 f"{state}, hits {hits['B']} → {hit_count}; B's keys {b_keys!r}, "
                 f"purged after the edit {[p[1] for p in purges if p[0] >= edited_at]}")
        after = [p for p in purges if p[0] >= edited_at]
        if any(f"article-{b['id']}" in p[1] for p in after):
            fail("/purge", "an edit of article A never purges article-B", str([p[1] for p in after]))
        if not any(f"article-{a['id']}" in p[1] for p in after):
            fail("/purge", "the edit of A sends a cache.purge with article-{A}", str([p[1] for p in after]))
        bad = [p for p in purges if p[2] != 200]
        if bad:
            fail(varnish.url("/"), "PURGE with xkey-purge answers 200", str(bad[:3]))
        info(f"{len(purges)} cache.purge webhooks turned into PURGE; keys after the edit: "
             f"{[p[1] for p in after]}")
        check_deliveries_shape(receiver, "/purge", "/purge")
    finally:
        delete_endpoints(s, made)
        if varnish:
            varnish.stop()
        s.stop()
        receiver.stop()


# ---------------------------------------------------------------- main

GROUP_ORDER = ("crud", "signed", "retry", "crash", "stream", "varnish")
GROUP_TIMEOUT = {"crash": 1800, "stream": 1200}
skipped = []


def kill_children():
    for process in children:
        if process.poll() is None:
            process.kill()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass


def on_alarm(signum, frame):
    raise GroupTimeout(f"the group ran longer than {GROUP_TIMEOUT.get(current_group[0], 900)} s")


def run(ctx, group, function):
    current_group[0] = group
    before = len(failures)
    print(f"== {group}", flush=True)
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(GROUP_TIMEOUT.get(group, 900))
    try:
        function(ctx)
    except Skip as reason:
        skipped.append(group)
        print(f"SKIP [{group}] {reason}", flush=True)
    except SetupError as error:
        fail(group, "the API calls this check makes succeed", str(error))
    except GroupTimeout as error:
        fail(group, "the group finishes in time", str(error))
    except Exception:
        fail(group, "the check ran to its end", traceback.format_exc().strip().splitlines()[-1])
        traceback.print_exc()
    finally:
        signal.alarm(0)
        ctx.stop_all()
    if group not in skipped:
        print(f"   {group}: {'ok' if len(failures) == before else f'{len(failures) - before} failures'}", flush=True)
    return len(failures) == before


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary", help="the sahifa executable")
    parser.add_argument("database", nargs="?", help="postgres://… of an EMPTY database (SQLite when absent)")
    parser.add_argument("--only", help="comma-separated groups: " + ",".join(GROUP_ORDER))
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        sys.exit(f"check.py: no executable at {binary}")
    if args.database and not args.database.startswith(("postgres://", "postgresql://")):
        sys.exit("check.py: the database argument must be a postgres:// URL (SQLite is the default)")
    groups = list(GROUP_ORDER)
    if args.only:
        groups = [g.strip() for g in args.only.split(",") if g.strip()]
        unknown = [g for g in groups if g not in GROUP_ORDER]
        if unknown:
            sys.exit(f"check.py: unknown groups {unknown}; known: {', '.join(GROUP_ORDER)}")
    atexit.register(kill_children)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = tempfile.mkdtemp(prefix="sahifa-events.")
    ctx = Context(binary, workdir, args.database)
    print(f"check.py: {binary} on {'PostgreSQL ' + args.database.split('?')[0] if args.database else 'SQLite'}; "
          f"run {RUN}; work directory {workdir}; groups {','.join(groups)}", flush=True)
    passed = failed = 0
    for group in groups:
        if run(ctx, group, globals()[f"group_{group}"]):
            passed += group not in skipped
        else:
            failed += 1
    print("\nchecked: " + (", ".join(f"{n} {what}" for what, n in checked.items()) or "nothing"))
    for message in notes:
        print(f"note {message}")
    print(f"events: {passed} passed, {failed} failed, {len(skipped)} skipped")
    if failures:
        print(f"\nevents check: FAILED, {len(failures)} violations (logs in {workdir}):")
        for message in failures:
            print(f"  {message}")
        sys.exit(1)
    shutil.rmtree(workdir, ignore_errors=True)
    print("events check: every rule held" + (f" (skipped: {', '.join(skipped)})" if skipped else ""))


if __name__ == "__main__":
    main()
