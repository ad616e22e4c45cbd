#!/usr/bin/env python3
"""Sahifa events out (issue 20): what the outbox, webhooks and the live stream cost.
Starts a server from BINARY on a fresh database, measures, prints a markdown report.
See bench/README.md, "Events out (issue 20)".

    bench/events.py BINARY [--db postgres://…/empty_db] [--publications 2000] [--streams 2000]
                           [--label NAME] [--out FILE.md] [--job-workers 8] [--clients 8]

Phases:

  1 publication latency, no webhook endpoint: one section, then POST /api/v1/articles
    (status "published") min(500, --publications) times from one client, then the rest
    from --clients concurrent clients. Uses nothing but login, sections and articles, so it
    runs against a binary that predates the outbox too (compare the two with --label).
  2 webhook delivery: a local receiver (asyncio, HTTP/1.1 keep-alive, answers 200 at once)
    registered for ["*"]; min(500, N) sequential publications again with the endpoint
    present, then N from --clients clients: first publication → last delivery,
    deliveries/s, events per publication, and the lag from each publication's 201 to its
    article.published delivery.
  3 idle streams: --streams idle connections to GET /api/v1/stream; server VmRSS before and
    after (KiB per stream), PostgreSQL backends before and after; then one publication and
    how long until every stream has it.

Phases 2 and 3 are skipped, with a note, when POST /api/v1/webhooks answers 404 (a binary
without the feature). Python 3 standard library only (psql for the PostgreSQL count).
"""

import argparse
import asyncio
import atexit
import collections
import datetime as dt
import http.client
import json
import math
import os
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ADMIN = ("events-bench@sahifa.test", "a long admin password for the events benchmark")
JWT_SECRET = "events-bench-secret-events-bench-secret-0123456789"
RATE = "1000000"  # the largest value the server accepts for its rate limits (per minute)
SEQUENTIAL_MAX = 500
# One article body (≈ 950 bytes of Markdown, Arabic and English), the same for every publication.
BODY = "\n\n".join([
    "أعلنت **وزارة المالية** اليوم عن حزمة إجراءات جديدة لدعم الشركات الصغيرة والمتوسطة، "
    "تشمل قروضاً ميسّرة وتخفيضات ضريبية مؤقتة، في خطوة قال مسؤولون إنها تهدف إلى تحفيز النمو.",
    "The ministry said the measures would take effect next month and be reviewed after a year. "
    "Analysts welcomed the plan but warned that its cost had not been published.",
    "وقال المتحدث باسم الوزارة في مؤتمر صحفي إن *الحزمة* ستُموَّل من فائض الموازنة، "
    "وإن تفاصيلها ستُنشر على الموقع الرسمي خلال الأيام المقبلة.",
    "- القروض: حتى خمس سنوات\n- الضرائب: تخفيض بنسبة عشرة في المئة\n- التوظيف: دعم الأجور",
    "> «هذه بداية وليست نهاية»، قال الوزير.",
])

T0 = time.perf_counter()


def log(msg):
    sys.stderr.write(f"[{time.strftime('%H:%M:%S')} +{time.perf_counter() - T0:6.1f}s] {msg}\n")
    sys.stderr.flush()


def die(msg):
    log(f"error: {msg}")
    sys.exit(1)


def parse_args():
    p = argparse.ArgumentParser(
        description="Sahifa events-out benchmark (see bench/README.md)",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("binary", help="the sahifa server binary to measure")
    p.add_argument("--db", help="URL of an EMPTY PostgreSQL database (default: a fresh SQLite file)")
    p.add_argument("--publications", type=int, default=2000,
                   help="phase 1: min(500, N) sequential + the rest concurrent; "
                        "phase 2: min(500, N) sequential, then N concurrent (the delivery run)")
    p.add_argument("--streams", type=int, default=2000, help="idle SSE connections in phase 3")
    p.add_argument("--label", default="", help="a name for this run in the report (e.g. the commit)")
    p.add_argument("--out", help="also write the report to this file")
    p.add_argument("--clients", type=int, default=8, help="concurrent publishing clients")
    p.add_argument("--job-workers", type=int, default=8, help="SAHIFA_JOB_WORKERS of the server")
    p.add_argument("--drain-timeout", type=float, default=0,
                   help="seconds to wait for deliveries after the last publication (0: 60 + N/10)")
    p.add_argument("--stream-timeout", type=float, default=30,
                   help="seconds to wait for every stream to receive the publication")
    p.add_argument("--keep", action="store_true", help="keep the work directory (server log, SQLite file)")
    a = p.parse_args()
    if a.publications < 10:
        p.error("--publications must be at least 10")
    if a.streams < 0 or a.clients < 1 or a.job_workers < 0:
        p.error("--streams must be ≥ 0, --clients ≥ 1, --job-workers ≥ 0")
    if a.db and not a.db.startswith(("postgres://", "postgresql://")):
        p.error("--db must be a postgres:// URL (SQLite is the default)")
    if not os.access(a.binary, os.X_OK):
        p.error(f"{a.binary} is not an executable file")
    a.binary = os.path.abspath(a.binary)
    if not a.drain_timeout:
        a.drain_timeout = 60 + a.publications / 10
    return a


# --- numbers -------------------------------------------------------------------------------


def pct(xs, q):
    """Nearest-rank percentile of a list (q in 0..100); None when empty."""
    if not xs:
        return None
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, math.ceil(q / 100 * len(s)) - 1))]


def mean(xs):
    return sum(xs) / len(xs) if xs else None


def ms(x, digits=1):
    return "—" if x is None else f"{x * 1000:,.{digits}f}"


def num(x, digits=0):
    return "—" if x is None else f"{x:,.{digits}f}"


# --- machine -------------------------------------------------------------------------------


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def mem_total_gib():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def raise_fd_limit(wanted):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= wanted or soft == resource.RLIM_INFINITY:
        return soft
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError) as error:
        log(f"could not raise the open-file limit to {target}: {error}")
        return soft
    if target < wanted:
        log(f"open-file limit raised to the hard limit {target} (< {wanted} wanted): some streams may fail")
    return target


def binary_version(binary, workdir):
    """`BINARY --version`, run where an old binary that ignores the flag would do no harm."""
    env = dict(PATH=os.environ.get("PATH", ""), DATABASE_URL=f"sqlite:{workdir}/version-probe.db",
               SAHIFA_BIND=f"127.0.0.1:{free_port()}", RUST_LOG="error",
               SAHIFA_JWT_SECRET=JWT_SECRET, SAHIFA_SEARCH_DIR=os.path.join(workdir, "version-probe-search"))
    try:
        r = subprocess.run([binary, "--version"], cwd=workdir, env=env, capture_output=True,
                           text=True, timeout=10, stdin=subprocess.DEVNULL)
        line = (r.stdout.strip().splitlines() or [""])[0]
        return line if r.returncode == 0 and len(line) < 80 else "unknown"
    except (subprocess.TimeoutExpired, OSError):
        return "unknown"


# --- the server ----------------------------------------------------------------------------


class Server:
    def __init__(self, binary, workdir, database_url, job_workers):
        self.binary, self.workdir, self.database_url = binary, workdir, database_url
        self.port = free_port()
        self.log_path = os.path.join(workdir, "server.log")
        env = dict(os.environ)
        env.update(
            DATABASE_URL=database_url,
            SAHIFA_BIND=f"127.0.0.1:{self.port}",
            SAHIFA_ADMIN_EMAIL=ADMIN[0],
            SAHIFA_ADMIN_PASSWORD=ADMIN[1],
            SAHIFA_JWT_SECRET=JWT_SECRET,
            SAHIFA_ACCESS_TOKEN_TTL="86400",
            SAHIFA_SEARCH_DIR=os.path.join(workdir, "search"),
            SAHIFA_MEDIA_STORE="file:" + os.path.join(workdir, "media"),
            SAHIFA_PUBLIC_URL="https://bench.example",
            SAHIFA_LOGIN_RATE_PER_IP=RATE,
            SAHIFA_LOGIN_RATE_PER_ACCOUNT=RATE,
            SAHIFA_COMMENT_RATE_PER_IP=RATE,
            SAHIFA_SHUTDOWN_TIMEOUT="5",
            SAHIFA_WEBHOOKS_ALLOW_PRIVATE="true",
            SAHIFA_JOB_WORKERS=str(job_workers),
            RUST_LOG=os.environ.get("RUST_LOG", "warn"),
            SAHIFA_LOG_FORMAT="text",
        )
        self.env = env
        self.proc = None

    def start(self):
        self.logf = open(self.log_path, "a")
        # No argument: `serve` is the default, and binaries from before the subcommands start too.
        self.proc = subprocess.Popen([self.binary], cwd=self.workdir, env=self.env,
                                     stdin=subprocess.DEVNULL, stdout=self.logf, stderr=subprocess.STDOUT)
        deadline = time.time() + 180
        while True:
            if self.proc.poll() is not None:
                self.dump_log()
                die(f"the server exited at start (code {self.proc.returncode}); log: {self.log_path}")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/ready")
                status = c.getresponse().status
                c.close()
                if status == 200:
                    return
            except OSError:
                pass
            if time.time() > deadline:
                self.dump_log()
                die("the server was not ready within 180 s")
            time.sleep(0.1)

    def dump_log(self, lines=30):
        try:
            with open(self.log_path, errors="replace") as f:
                sys.stderr.write("".join(f.readlines()[-lines:]))
        except OSError:
            pass

    def log_count(self, word):
        try:
            with open(self.log_path, errors="replace") as f:
                return sum(1 for line in f if word in line)
        except OSError:
            return 0

    def vmrss_kib(self):
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except (OSError, AttributeError):
            pass
        return None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        self.logf.close()


class Api:
    """One keep-alive HTTP/1.1 connection to the server, as one client."""

    def __init__(self, port, token=None, timeout=60):
        self.port, self.token, self.timeout = port, token, timeout
        self.conn = None

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def call(self, method, path, body=None):
        """(status, body bytes, seconds from sending to the whole answer, perf_counter at the end)."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        for attempt in (1, 2):
            reused = self.conn is not None
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                start = time.perf_counter()
                self.conn.request(method, path, body=data, headers=headers)
                answer = self.conn.getresponse()
                payload = answer.read()
                end = time.perf_counter()
                if answer.getheader("connection", "").lower() == "close":
                    self.close()
                return answer.status, payload, end - start, end
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                    http.client.CannotSendRequest) as error:
                # A keep-alive connection the server closed while idle: once more on a new one.
                self.close()
                if attempt == 2 or not reused:
                    raise error
        raise AssertionError("unreachable")

    def json(self, method, path, body=None, expect=(200, 201)):
        status, payload, _, _ = self.call(method, path, body)
        if status not in expect:
            raise RuntimeError(f"{method} {path} answered {status}: {payload[:300]!r}")
        return json.loads(payload or b"null")


def login(port):
    api = Api(port)
    answer = api.json("POST", "/api/v1/auth/login", {"email": ADMIN[0], "password": ADMIN[1]})
    api.close()
    return answer["access_token"]


# --- publishing ----------------------------------------------------------------------------


class Publications:
    """One run of publications: latencies and, per article, when its 201 arrived."""

    def __init__(self, label, count, clients):
        self.label, self.count, self.clients = label, count, clients
        self.latencies = []
        self.answered = {}  # article id → perf_counter when its 201 was read
        self.errors = collections.Counter()
        self.start = self.end = None

    @property
    def wall(self):
        return (self.end - self.start) if self.start is not None and self.end is not None else None

    @property
    def rate(self):
        return len(self.latencies) / self.wall if self.wall else None


def publish_run(port, token, section_id, count, clients, label, tag):
    """POST `count` published articles from `clients` keep-alive clients; every 201 is timed."""
    run = Publications(label, count, clients)
    lock = threading.Lock()
    next_index = iter(range(count))
    prefix = f"Events bench {tag} {secrets.token_hex(3)}"

    def client():
        api = Api(port, token)
        try:
            api.call("GET", "/health")  # open the connection outside the timing
        except (OSError, http.client.HTTPException):
            api.close()
        ready.wait()
        while True:
            with lock:
                i = next(next_index, None)
            if i is None:
                break
            article = {"title": f"{prefix} {i}", "body": BODY, "section_id": section_id,
                       "status": "published", "lang": "ar"}
            try:
                status, payload, took, end = api.call("POST", "/api/v1/articles", article)
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    run.errors[type(error).__name__] += 1
                api.close()
                continue
            if status != 201:
                with lock:
                    run.errors[f"HTTP {status}"] += 1
                    if sum(run.errors.values()) <= 3:
                        log(f"  {label}: POST /api/v1/articles answered {status}: {payload[:200]!r}")
                continue
            try:
                article_id = json.loads(payload)["id"]
            except (ValueError, KeyError, TypeError):
                article_id = None
            with lock:
                run.latencies.append(took)
                run.end = end if run.end is None else max(run.end, end)
                if article_id is not None:
                    run.answered[article_id] = end
        api.close()

    ready = threading.Event()
    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    run.start = time.perf_counter()
    ready.set()
    for t in threads:
        while t.is_alive():
            t.join(0.5)  # in slices: a signal (SIGTERM, Ctrl-C) is handled between them
    if run.end is None:
        run.end = time.perf_counter()
    errors = sum(run.errors.values())
    log(f"  {label}: {len(run.latencies)} published in {run.wall:.2f} s "
        f"({run.rate or 0:.1f}/s), p50 {ms(pct(run.latencies, 50))} ms, p99 {ms(pct(run.latencies, 99))} ms"
        + (f", errors {dict(run.errors)}" if errors else ""))
    return run


def latency_row(run):
    lat = run.latencies
    errors = sum(run.errors.values())
    return (f"| {run.label} | {run.clients} | {len(lat):,} | {num(run.rate, 1)} | {ms(pct(lat, 50))} | "
            f"{ms(pct(lat, 90))} | {ms(pct(lat, 99))} | {ms(mean(lat))} | {ms(max(lat) if lat else None)} | "
            f"{errors}{' (' + ', '.join(f'{k} × {v}' for k, v in run.errors.items()) + ')' if errors else ''} |")


# --- the webhook receiver ------------------------------------------------------------------


class Receiver:
    """A fast HTTP/1.1 server in a thread of its own: answers 200 at once, counts deliveries."""

    RESPONSE = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"

    def __init__(self):
        self.lock = threading.Lock()
        self.port = None
        self.connections = 0  # over the whole run (keep-alive connections outlive a reset)
        self.reset()

    def reset(self):
        with self.lock:
            self.requests = 0
            self.ids = collections.Counter()      # webhook-id → requests
            self.types = collections.Counter()    # event type → distinct events
            self.published = {}                   # article id → perf_counter of its first article.published
            self.first = self.last = None
            self.malformed = 0

    def snapshot(self):
        with self.lock:
            return dict(requests=self.requests, unique=len(self.ids), last=self.last,
                        published=len(self.published))

    def start(self):
        started = threading.Event()

        def run():
            self.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self.loop)

            async def main():
                server = await asyncio.start_server(self.handle, "127.0.0.1", 0, backlog=1024)
                self.port = server.sockets[0].getsockname()[1]
                started.set()
                async with server:
                    await server.serve_forever()

            try:
                self.loop.run_until_complete(main())
            except Exception as error:  # noqa: BLE001 - shown, then the thread ends
                log(f"receiver stopped: {error!r}")

        threading.Thread(target=run, daemon=True, name="receiver").start()
        if not started.wait(10):
            die("the webhook receiver did not start")

    async def handle(self, reader, writer):
        with self.lock:
            self.connections += 1
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                    break
                lines = head.decode("latin-1").split("\r\n")
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
                if headers.get("transfer-encoding", "").lower() == "chunked":
                    body = b""
                    while True:
                        size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
                        if size == 0:
                            await reader.readuntil(b"\r\n")
                            break
                        body += await reader.readexactly(size + 2)
                        body = body[:-2]
                else:
                    body = await reader.readexactly(int(headers.get("content-length", "0")))
                self.record(time.perf_counter(), headers, body)
                writer.write(self.RESPONSE)
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()

    def record(self, t, headers, body):
        wid = headers.get("webhook-id")
        try:
            event = json.loads(body)
            kind = event.get("type")
            data = event.get("data") or {}
        except (ValueError, AttributeError):
            event, kind, data = None, None, {}
        with self.lock:
            self.requests += 1
            self.first = self.first if self.first is not None else t
            self.last = t
            if wid is None or kind is None:
                self.malformed += 1
            self.ids[wid] += 1
            if self.ids[wid] == 1:
                self.types[kind] += 1
            if kind == "article.published" and isinstance(data, dict) and "id" in data:
                self.published.setdefault(data["id"], t)


def wait_for_deliveries(receiver, api, endpoint_id, article_ids, timeout):
    """Until every article's article.published arrived and the server has nothing pending."""
    deadline = time.perf_counter() + timeout
    pending = None
    while time.perf_counter() < deadline:
        with receiver.lock:
            missing = sum(1 for a in article_ids if a not in receiver.published)
            last = receiver.last
        if missing == 0:
            pending = pending_count(api, endpoint_id)
            quiet = time.perf_counter() - (last or 0)
            if (pending == 0 and quiet > 0.3) or (pending is None and quiet > 2):
                return True
        time.sleep(0.2)
    log(f"  deliveries still missing after {timeout:.0f} s: {missing} article.published, "
        f"{pending if pending is not None else '?'} pending on the server")
    return False


def pending_count(api, endpoint_id, state="pending"):
    try:
        status, payload, _, _ = api.call("GET", f"/api/v1/webhooks/{endpoint_id}/deliveries?state={state}&per_page=1")
        if status == 200:
            return json.loads(payload)["meta"]["total"]
    except (OSError, http.client.HTTPException, ValueError, KeyError, TypeError):
        pass
    return None


def server_delivery_log(api, endpoint_id, max_pages=100):
    """Succeeded deliveries as the server logged them: attempt latencies (ms), retried count."""
    latencies, retried, page, pages = [], 0, 1, 1
    while page <= min(pages, max_pages):
        status, payload, _, _ = api.call(
            "GET", f"/api/v1/webhooks/{endpoint_id}/deliveries?state=succeeded&per_page=100&page={page}")
        if status != 200:
            break
        body = json.loads(payload)
        for d in body.get("data", []):
            if d.get("last_latency_ms") is not None:
                latencies.append(d["last_latency_ms"] / 1000)
            if (d.get("attempts") or 0) > 1:
                retried += 1
        pages = body.get("meta", {}).get("total_pages", 1)
        page += 1
    return latencies, retried


def lags(run, receiver):
    with receiver.lock:
        got = dict(receiver.published)
    values = [got[a] - t for a, t in run.answered.items() if a in got]
    missing = sum(1 for a in run.answered if a not in got)
    return values, missing


# --- idle streams --------------------------------------------------------------------------


class Dechunker:
    def __init__(self):
        self.raw = b""
        self.size = None
        self.done = False

    def feed(self, data):
        self.raw += data
        out = []
        while not self.done:
            if self.size is None:
                i = self.raw.find(b"\r\n")
                if i < 0:
                    break
                self.size = int(self.raw[:i].split(b";")[0].strip() or b"0", 16)
                self.raw = self.raw[i + 2:]
                if self.size == 0:
                    self.done = True
                    break
            if len(self.raw) < self.size + 2:
                break
            out.append(self.raw[:self.size])
            self.raw = self.raw[self.size + 2:]
            self.size = None
        return b"".join(out)


class Stream:
    """One SSE client: opens, reads the head and the `retry:` line, later reads events."""

    def __init__(self, port):
        self.port = port
        self.reader = self.writer = None
        self.ok = False
        self.error = None
        self.dechunk = None
        self.buffer = b""
        self.got = {}  # article id → perf_counter when its article.published was read
        self.closed = False

    async def open(self, sem, timeout):
        async with sem:
            try:
                await asyncio.wait_for(self._open(), timeout)
                self.ok = True
            except asyncio.TimeoutError:
                self.error = "timeout"
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as error:
                self.error = type(error).__name__ if not isinstance(error, ValueError) else str(error)
            if not self.ok:
                self.close()

    async def _open(self):
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.writer.write(b"GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          b"Accept: text/event-stream\r\nUser-Agent: sahifa-events-bench\r\n\r\n")
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        status_line = head.split("\r\n", 1)[0]
        parts = status_line.split()
        if len(parts) < 2 or parts[1] != "200":
            raise ValueError(f"HTTP {parts[1] if len(parts) > 1 else '?'}")
        chunked = any(line.lower().startswith("transfer-encoding:") and "chunked" in line.lower()
                      for line in head.split("\r\n"))
        self.dechunk = Dechunker() if chunked else None
        while b"retry:" not in self.buffer:
            data = await self.reader.read(4096)
            if not data:
                raise ConnectionResetError("closed before `retry:`")
            self.buffer += self.dechunk.feed(data) if self.dechunk else data
        # Keep only what follows the first block (the `retry:` line's).
        cut = self.buffer.find(b"\n\n", self.buffer.find(b"retry:"))
        self.buffer = self.buffer[cut + 2:] if cut >= 0 else b""

    async def read_events(self):
        """Reads until closed; records each article.published with the time of the read."""
        try:
            while True:
                data = await self.reader.read(65536)
                t = time.perf_counter()
                if not data:
                    break
                self.buffer += self.dechunk.feed(data) if self.dechunk else data
                while b"\n\n" in self.buffer:
                    block, self.buffer = self.buffer.split(b"\n\n", 1)
                    self.parse(block, t)
        except (OSError, asyncio.CancelledError):
            pass

    def parse(self, block, t):
        kind, data = None, []
        for line in block.decode("utf-8", "replace").split("\n"):
            line = line.rstrip("\r")
            if line.startswith("event:"):
                kind = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip(" "))
        if kind != "article.published" or not data:
            return
        try:
            article_id = json.loads("\n".join(data))["data"]["id"]
        except (ValueError, KeyError, TypeError):
            return
        self.got.setdefault(article_id, t)

    def close(self):
        if self.writer is not None and not self.closed:
            self.closed = True
            try:
                self.writer.close()
            except (OSError, RuntimeError):
                pass


def pg_backends(url):
    if not url:
        return None
    try:
        r = subprocess.run(["psql", url, "-Atc",
                            "select count(*) from pg_stat_activity where datname = current_database()"],
                           capture_output=True, text=True, timeout=20, stdin=subprocess.DEVNULL)
        return int(r.stdout.strip()) if r.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired, ValueError):
        return None


async def streams_phase(args, server, token, section_id):
    n = args.streams
    result = dict(n=n)
    loop = asyncio.get_running_loop()
    await asyncio.sleep(1)  # let the server settle before sampling
    rss_before = server.vmrss_kib()
    pg_before = pg_backends(args.db)
    streams = [Stream(server.port) for _ in range(n)]
    sem = asyncio.Semaphore(200)
    t = time.perf_counter()
    await asyncio.gather(*(s.open(sem, 30) for s in streams))
    result["open_s"] = time.perf_counter() - t
    opened = [s for s in streams if s.ok]
    result["opened"] = len(opened)
    result["open_errors"] = collections.Counter(s.error for s in streams if not s.ok)
    log(f"  {len(opened)} of {n} streams open in {result['open_s']:.1f} s"
        + (f"; failures {dict(result['open_errors'])}" if result["open_errors"] else ""))
    await asyncio.sleep(2)  # let the server settle before sampling
    result["rss_before"], result["rss_after"] = rss_before, server.vmrss_kib()
    result["pg_before"], result["pg_after"] = pg_before, pg_backends(args.db)
    if rss_before is not None and result["rss_after"] is not None and opened:
        result["kib_per_stream"] = (result["rss_after"] - rss_before) / len(opened)
    log(f"  VmRSS {rss_before} → {result['rss_after']} KiB; PostgreSQL backends "
        f"{pg_before} → {result['pg_after']}")

    readers = [asyncio.ensure_future(s.read_events()) for s in opened]
    await asyncio.sleep(0.5)  # the readers are waiting on their sockets

    def publish_one():
        api = Api(server.port, token)
        article = {"title": f"Events bench stream {secrets.token_hex(3)}", "body": BODY,
                   "section_id": section_id, "status": "published", "lang": "ar"}
        start = time.perf_counter()
        status, payload, took, end = api.call("POST", "/api/v1/articles", article)
        api.close()
        return start, status, payload, end

    sent, status, payload, answered = await loop.run_in_executor(None, publish_one)
    if status != 201:
        result["publish_error"] = f"HTTP {status}: {payload[:200]!r}"
        article_id = None
    else:
        article_id = json.loads(payload)["id"]
    result["answer_s"] = answered - sent
    deadline = time.perf_counter() + args.stream_timeout
    while article_id is not None and time.perf_counter() < deadline:
        if all(article_id in s.got for s in opened):
            break
        await asyncio.sleep(0.02)
    times = [s.got[article_id] - sent for s in opened if article_id in s.got]
    result["received"] = len(times)
    result["reach"] = times
    log(f"  the publication reached {len(times)} of {len(opened)} streams; last after "
        f"{ms(max(times) if times else None)} ms")
    for s in streams:
        s.close()
    for r in readers:
        r.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    await asyncio.sleep(2)
    result["rss_closed"] = server.vmrss_kib()
    return result


# --- the report ----------------------------------------------------------------------------


def report(args, ctx):
    now = dt.datetime.now(dt.timezone.utc)
    ncpu = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    store = "PostgreSQL" if args.db else "SQLite"
    st = os.stat(args.binary)
    lines = [
        f"**Sahifa events-out benchmark**{' — **' + args.label + '**' if args.label else ''} — "
        f"{now:%Y-%m-%d %H:%M} UTC — {ncpu} CPUs ({cpu_model()}), {mem_total_gib():.1f} GiB — "
        f"store **{store}** — binary `{args.binary}` ({ctx['version']}, {st.st_size / 2**20:,.0f} MiB, "
        f"built {dt.datetime.fromtimestamp(st.st_mtime, dt.timezone.utc):%Y-%m-%d %H:%M} UTC) — "
        f"{args.clients} publishing clients, SAHIFA_JOB_WORKERS={args.job_workers}",
        "",
        "Publication latency (POST /api/v1/articles, status published, answered 201):",
        "",
        "| run | clients | publications | per s | p50 ms | p90 ms | p99 ms | mean ms | max ms | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    lines += [latency_row(run) for run in ctx["runs"]]
    notes = list(ctx["notes"])
    d = ctx.get("delivery")
    if d:
        lines += ["", f"Webhook delivery (one endpoint subscribed to `*`, {d['count']:,} publications "
                      f"from {args.clients} clients):", "",
                  "| figure | value |", "| --- | ---: |"]
        rows = [
            ("first publication sent → last delivery received", f"{num(d['window'], 2)} s"),
            ("deliveries received (requests to the receiver)", f"{d['requests']:,}"),
            ("deliveries per second (received ÷ the time above)", num(d["per_s"], 1)),
            ("distinct events (webhook-id)", f"{d['unique']:,}"),
            ("events per publication", num(d["per_pub"], 2)),
            ("events by type", ", ".join(f"{k} {v:,}" for k, v in sorted(d["types"].items(), key=lambda kv: str(kv[0])))),
            ("repeated deliveries (same webhook-id again)", f"{d['repeats']:,}"),
            ("last 201 → last delivery (drain; negative: the last delivery came before the last 201)", f"{ms(d['drain'])} ms"),
            (f"lag 201 → article.published received, {args.clients} clients: p50 / p99 / max",
             f"{ms(pct(d['lag'], 50))} / {ms(pct(d['lag'], 99))} / {ms(max(d['lag']) if d['lag'] else None)} ms"),
            ("lag 201 → article.published received, 1 client: p50 / p99 / max",
             f"{ms(pct(d['lag1'], 50))} / {ms(pct(d['lag1'], 99))} / {ms(max(d['lag1']) if d['lag1'] else None)} ms"),
            ("publications whose article.published never arrived", f"{d['missing']:,} (1 client: {d['missing1']:,})"),
            ("deliveries pending / failed on the server at the end", f"{d['pending']} / {d['failed']}"),
            ("attempt latency as the server logged it (last_latency_ms): p50 / p99",
             f"{ms(pct(d['attempt'], 50), 0)} / {ms(pct(d['attempt'], 99), 0)} ms "
             f"(all {len(d['attempt']):,} succeeded deliveries of the endpoint, both runs; {d['retried']:,} retried)"),
            ("connections the server opened to the receiver (whole run, keep-alive)", f"{d['connections']:,}"),
            ("deliveries without a webhook-id or a JSON type", f"{d['malformed']:,}"),
        ]
        lines += [f"| {k} | {v} |" for k, v in rows]
    s = ctx.get("streams")
    if s:
        kib = s.get("kib_per_stream")
        reach = s.get("reach") or []
        lines += ["", f"Idle streams (GET /api/v1/stream, {s['n']:,} connections):", "",
                  "| figure | value |", "| --- | ---: |"]
        rows = [
            ("streams open (head and `retry:` read)", f"{s['opened']:,} of {s['n']:,} in {s['open_s']:.1f} s"
             + (f" — failures: {', '.join(f'{k} × {v}' for k, v in s['open_errors'].items())}" if s["open_errors"] else "")),
            ("server VmRSS before → with the streams open",
             f"{num(s['rss_before'] and s['rss_before'] / 1024, 1)} → {num(s['rss_after'] and s['rss_after'] / 1024, 1)} MiB"),
            ("memory per idle stream", f"{num(kib, 1)} KiB"),
            ("server VmRSS 2 s after closing them", f"{num(s['rss_closed'] and s['rss_closed'] / 1024, 1)} MiB"),
            ("PostgreSQL backends on the database before → with the streams open",
             f"{s['pg_before']} → {s['pg_after']} (psql's own session included)" if args.db else "— (SQLite)"),
            ("one publication: POST answered (201)", f"{ms(s.get('answer_s'))} ms"
             + (f" — {s['publish_error']}" if s.get("publish_error") else "")),
            ("streams that received its article.published", f"{s.get('received', 0):,} of {s['opened']:,}"),
            ("POST sent → received by the first / p50 / p99 / last stream",
             f"{ms(min(reach) if reach else None)} / {ms(pct(reach, 50))} / {ms(pct(reach, 99))} / "
             f"{ms(max(reach) if reach else None)} ms"),
        ]
        lines += [f"| {k} | {v} |" for k, v in rows]
    notes.append(f"- publication body: {len(BODY.encode()):,} bytes of Markdown, status published, one section; "
                 f"each client is one keep-alive connection opened before its run; latency = request sent → "
                 f"whole answer read; percentiles are nearest-rank.")
    if d:
        notes.append("- lag = the receiver's clock when the article.published delivery was read, minus the "
                     "client's when that article's 201 was read (one process, one monotonic clock); it can be "
                     "negative when the delivery beats the answer.")
    if s:
        notes.append("- memory per idle stream = (VmRSS with the streams open − VmRSS before) ÷ streams open, "
                     "2 s after the last opened; the streams' times include this Python client reading "
                     "every socket in one event loop.")
    inherited = sorted(k for k in os.environ if k.startswith("SAHIFA_"))
    if inherited:
        notes.append(f"- inherited server settings: {', '.join(inherited)}")
    errors = ctx.get("log_errors")
    notes.append(f"- server log: {errors} ERROR lines" + (f" (see {ctx['log_path']})" if errors and args.keep else ""))
    notes.append(f"- wall time of this run: {time.perf_counter() - T0:.0f} s")
    lines += [""] + notes
    return "\n".join(lines) + "\n"


# --- main ----------------------------------------------------------------------------------


def main():
    args = parse_args()
    raise_fd_limit(args.streams + 4096)
    workdir = tempfile.mkdtemp(prefix="sahifa-events-bench-")
    server = None

    def cleanup():
        if server is not None:
            server.stop()
        if args.keep:
            log(f"work directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    atexit.register(cleanup)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    ctx = dict(runs=[], notes=[], version=binary_version(args.binary, workdir), log_path=None)
    database_url = args.db or f"sqlite:{workdir}/events.db"
    server = Server(args.binary, workdir, database_url, args.job_workers)
    ctx["log_path"] = server.log_path
    server.start()
    log(f"server up on port {server.port} (pid {server.proc.pid}), {'PostgreSQL' if args.db else 'SQLite'}")
    token = login(server.port)
    admin = Api(server.port, token)
    section = admin.json("POST", "/api/v1/sections",
                         {"name": "Events bench", "slug": f"events-bench-{secrets.token_hex(3)}"})
    section_id = section["id"]

    sequential = min(SEQUENTIAL_MAX, args.publications)
    rest = args.publications - sequential

    # 1: no endpoint.
    log("phase 1: publications without a webhook endpoint")
    ctx["runs"].append(publish_run(server.port, token, section_id, sequential, 1,
                                   "no endpoint, sequential", "p1s"))
    if rest > 0:
        ctx["runs"].append(publish_run(server.port, token, section_id, rest, args.clients,
                                       "no endpoint, concurrent", "p1c"))

    # 2: one endpoint subscribed to everything.
    receiver = Receiver()
    receiver.start()
    status, payload, _, _ = admin.call("POST", "/api/v1/webhooks", {
        "url": f"http://127.0.0.1:{receiver.port}/hooks/bench", "events": ["*"],
        "description": "bench/events.py receiver"})
    endpoint_id = None
    skip_streams = False
    if status == 404:
        ctx["notes"].append("- POST /api/v1/webhooks answered 404: this binary has no webhooks; "
                            "phases 2 (delivery) and 3 (streams) skipped.")
        log("POST /api/v1/webhooks answered 404: phases 2 and 3 skipped")
        skip_streams = True
    elif status != 201:
        ctx["notes"].append(f"- POST /api/v1/webhooks answered {status} ({payload[:200].decode('utf-8', 'replace')}); "
                            "phase 2 (delivery) skipped.")
        log(f"POST /api/v1/webhooks answered {status}: {payload[:300]!r}; phase 2 skipped")
    else:
        endpoint_id = json.loads(payload)["id"]

    if endpoint_id is not None:
        log(f"phase 2: publications with endpoint {endpoint_id} (receiver on port {receiver.port})")
        one = publish_run(server.port, token, section_id, sequential, 1, "endpoint `*`, sequential", "p2s")
        ctx["runs"].append(one)
        wait_for_deliveries(receiver, admin, endpoint_id, list(one.answered), args.drain_timeout)
        lag1, missing1 = lags(one, receiver)

        log(f"phase 2: delivery throughput, {args.publications} publications from {args.clients} clients")
        receiver.reset()
        run = publish_run(server.port, token, section_id, args.publications, args.clients,
                          "endpoint `*`, concurrent (delivery run)", "p2d")
        ctx["runs"].append(run)
        wait_for_deliveries(receiver, admin, endpoint_id, list(run.answered), args.drain_timeout)
        lag, missing = lags(run, receiver)
        with receiver.lock:
            requests, unique = receiver.requests, len(receiver.ids)
            types = dict(receiver.types)
            last, connections, malformed = receiver.last, receiver.connections, receiver.malformed
        window = (last - run.start) if last is not None else None
        attempt, retried = server_delivery_log(admin, endpoint_id)
        ctx["delivery"] = dict(
            count=len(run.latencies), window=window, requests=requests, unique=unique,
            per_s=requests / window if window else None,
            per_pub=unique / len(run.latencies) if run.latencies else None,
            types=types, repeats=requests - unique,
            drain=(last - max(run.answered.values())) if last is not None and run.answered else None,
            lag=lag, lag1=lag1, missing=missing, missing1=missing1,
            pending=pending_count(admin, endpoint_id), failed=pending_count(admin, endpoint_id, "failed"),
            attempt=attempt, retried=retried, connections=connections, malformed=malformed)
        log(f"  {requests} deliveries ({unique} events) in {num(window, 2)} s; lag p50 {ms(pct(lag, 50))} ms, "
            f"p99 {ms(pct(lag, 99))} ms; missing {missing}")
        admin.call("DELETE", f"/api/v1/webhooks/{endpoint_id}")  # phase 3 measures streams alone

    # 3: idle streams.
    if not skip_streams and args.streams > 0:
        log(f"phase 3: {args.streams} idle streams")
        admin.close()
        ctx["streams"] = asyncio.run(streams_phase(args, server, token, section_id))
        if ctx["streams"]["opened"] == 0:
            ctx["notes"].append(f"- no stream opened ({dict(ctx['streams']['open_errors'])}): "
                                "this binary may have no GET /api/v1/stream.")
    admin.close()

    if not server.alive():
        ctx["notes"].append(f"- the server exited during the run (code {server.proc.returncode}).")
    server.stop()
    ctx["log_errors"] = server.log_count("ERROR")
    server = None
    text = report(args, ctx)
    sys.stdout.write("\n" + text)
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            f.write(text)
        log(f"report written to {args.out}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        log("interrupted")
        sys.exit(130)
