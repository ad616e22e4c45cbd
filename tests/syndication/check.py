#!/usr/bin/env python3
"""Black-box check of Sahifa's syndication: feeds, sitemaps, JSON-LD, public URLs and the
changes feed, against a running server built from SAHIFA_BINARY.

    tests/syndication/check.py SAHIFA_BINARY [DATABASE_URL]

DATABASE_URL defaults to a fresh SQLite file in a temporary directory; give an empty
PostgreSQL database's URL to run on PostgreSQL. Needs feedparser and lxml
(tests/syndication/requirements.txt); see tests/syndication/README.md.

Steps: start a server configured for syndication (SAHIFA_PUBLIC_URL and the URL templates),
build a small newsroom through the API (Arabic sections and subsection, an English section,
published, draft, scheduled and archived articles, pages), then check each group:

  1 feeds        RSS 2.0, Atom 1.0 and JSON Feed 1.1, site-wide and per section, tag, author
                 and language: entries, order, links, dates, authors, content, language, ETag
  2 bad input    unknown section / tag / author → 404, bad language → 422, problem+json
  3 sitemaps     the index and every sitemap it lists, against the API's `url` fields
  4 news         /sitemaps/news.xml: Google News sitemap of the last 48 hours
  5 json         `url` and `json_ld` (schema.org NewsArticle) of articles; `url` of
                 sections, tags, pages and authors
  7 changes      /api/v1/changes: cursors, an edit and a deletion, a tampered cursor
  6 unconfigured a second server on the same database without SAHIFA_PUBLIC_URL
  8 excerpt      a third server with SAHIFA_FEED_CONTENT=excerpt

Every violation is printed as `FAIL [group] URL: rule: detail`; the exit status is 1 when
there is any. Standard library plus feedparser and lxml.
"""

import calendar
import datetime as dt
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
import zlib

try:
    import feedparser
    from lxml import etree
except ImportError as error:  # pragma: no cover
    sys.exit(f"check.py: {error}; install tests/syndication/requirements.txt "
             "(python3 -m venv /tmp/synd-venv && /tmp/synd-venv/bin/pip install -r tests/syndication/requirements.txt)")

ADMIN = ("admin@sahifa.test", "a long admin password for the syndication check")
EDITOR = ("layla@sahifa.test", "a long editor password for the syndication check", "ليلى حسن")
PUBLIC_URL = "https://almufeed.example"
SITE_NAME = "المفيد"
SITE_LANG = "ar"
SITE_LOGO = "https://almufeed.example/logo.png"
SYNDICATION_ENV = {
    "SAHIFA_PUBLIC_URL": PUBLIC_URL,
    "SAHIFA_URL_ARTICLE": "/{section_path}/{slug}",
    "SAHIFA_URL_SECTION": "/{section_path}",
    "SAHIFA_URL_TAG": "/tag/{slug}",
    "SAHIFA_URL_AUTHOR": "/author/{id}",
    "SAHIFA_URL_PAGE": "/{slug}",
    "SAHIFA_SITE_NAME": SITE_NAME,
    "SAHIFA_SITE_LANG": SITE_LANG,
    "SAHIFA_SITE_LOGO": SITE_LOGO,
    "SAHIFA_FEED_CONTENT": "full",
}
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
IMAGE_NS = "http://www.google.com/schemas/sitemap-image/1.1"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/elements/1.1/"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
W3C_DATETIME = re.compile(
    r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$")
FEEDS = {  # path → (feedparser version, Content-Type)
    "/feeds/rss.xml": ("rss20", "application/rss+xml"),
    "/feeds/atom.xml": ("atom10", "application/atom+xml"),
    "/feeds/feed.json": ("json11", "application/feed+json"),
}
NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)

failures = []
notes = []
current_group = ["setup"]
checked = {}


def fail(url, rule, detail=""):
    message = f"[{current_group[0]}] {url}: {rule}" + (f": {detail}" if detail else "")
    failures.append(message)
    print(f"  FAIL {message}", flush=True)


def note(message):
    notes.append(f"[{current_group[0]}] {message}")
    print(f"  note {message}", flush=True)


def count(what, n=1):
    checked[what] = checked.get(what, 0) + n


def nfc(text):
    return unicodedata.normalize("NFC", text)


def iso(moment):
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_instant(text):
    """An RFC 3339 / ISO 8601 date-time with a zone, or None."""
    if not isinstance(text, str) or "T" not in text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else None


def w3c_instant(text):
    """A W3C datetime (any of its forms) as an aware datetime, or None when malformed."""
    if not isinstance(text, str) or not W3C_DATETIME.match(text):
        return None
    if "T" not in text:
        parts = [int(p) for p in text.split("-")] + [1, 1]
        return dt.datetime(parts[0], parts[1], parts[2], tzinfo=dt.timezone.utc)
    return parse_instant(text)


def show(urls, limit=3):
    """A short, readable rendering of a list of URLs: how many, and the first few decoded."""
    urls = sorted(u for u in urls if u)
    shown = [urllib.parse.unquote(u).replace(PUBLIC_URL, "") for u in urls[:limit]]
    return f"{len(urls)} {shown}" + (" …" if len(urls) > limit else "")


def ascii_only(text):
    return all(ord(c) < 128 for c in text)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tiny_png(width=64, height=48):
    """A valid RGB PNG made with the standard library."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes(v for x in range(width) for v in (x * 4 % 256, y * 5 % 256, 120))
                    for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


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


class Sahifa:
    def __init__(self, binary, workdir, database_url, extra_env, name):
        self.binary, self.workdir, self.name = binary, workdir, name
        self.port = free_port()
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "DATABASE_URL": database_url,
            "SAHIFA_BIND": f"127.0.0.1:{self.port}",
            "SAHIFA_ADMIN_EMAIL": ADMIN[0],
            "SAHIFA_ADMIN_PASSWORD": ADMIN[1],
            "SAHIFA_JWT_SECRET": "syndication-check-secret-0123456789abcdef",
            "SAHIFA_WORKERS": "1",
            "SAHIFA_SEARCH_DIR": os.path.join(workdir, f"search-{name}"),
            "SAHIFA_MEDIA_STORE": "file:" + os.path.join(workdir, "media"),
            "RUST_LOG": "warn",
            **extra_env,
        }
        self.log_path = os.path.join(workdir, f"server-{name}.log")
        self.server = subprocess.Popen(
            [binary, "serve"], cwd=workdir, env=self.env, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=open(self.log_path, "w"))
        deadline = time.time() + 90
        while True:
            if self.server.poll() is not None:
                sys.exit(f"check.py: the {name} server exited with {self.server.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.base}/ready", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except Exception:
                pass
            if time.time() > deadline:
                self.stop()
                sys.exit(f"check.py: the {name} server was not ready within 90 s:\n{self.log_tail()}")
            time.sleep(0.1)
        self.tokens = {}

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
            sys.exit(f"check.py: login of {email} answered {answer.status}: {answer.body[:300]!r}")
        self.tokens[who] = answer.json()["access_token"]

    def request(self, method, path, body=None, as_=None, headers=None, raw=None):
        """An HTTP exchange; `path` is a path (with query) or an absolute URL on this server."""
        url = path if path.startswith("http") else self.base + path
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(url, data=data, method=method)
        if body is not None:
            request.add_header("Content-Type", "application/json")
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        if as_:
            request.add_header("Authorization", f"Bearer {self.tokens[as_]}")
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return Answer(url, answer.status, {k.lower(): v for k, v in answer.headers.items()},
                              answer.read())
        except urllib.error.HTTPError as error:
            return Answer(url, error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())

    def get(self, path, as_=None, headers=None):
        return self.request("GET", path, as_=as_, headers=headers)

    def api(self, method, path, body=None, as_="admin", expect=(200, 201)):
        answer = self.request(method, path, body, as_=as_)
        if answer.status not in expect:
            raise SetupError(f"{method} {path} answered {answer.status}: "
                             f"{answer.body[:400].decode('utf-8', 'replace')}")
        return answer.json()

    def items(self, path, as_=None):
        """Every item of a paginated list."""
        found, page = [], 1
        while True:
            sep = "&" if "?" in path else "?"
            answer = self.get(f"{path}{sep}per_page=100&page={page}", as_=as_)
            if answer.status != 200:
                raise SetupError(f"GET {path} answered {answer.status}: {answer.body[:300]!r}")
            body = answer.json()
            found += body["data"]
            if page >= body["meta"].get("total_pages", 1):
                return found
            page += 1

    def stop(self):
        if self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()


class SetupError(Exception):
    pass


# ---------------------------------------------------------------- the newsroom

LONG_TITLE = ("وزراءُ الخارجيةِ العربُ يجتمعونَ في القاهرةِ لبحثِ التطوراتِ الإقليميةِ المتسارعةِ "
              "وتداعياتِها على الأمنِ والاستقرارِ في المنطقةِ خلالَ الأسابيعِ المقبلة")
ESCAPE_TITLE = "قمة <b>الطاقة</b> & \"الأسعار\" 'اليوم'"

# key, title, section key, author, lang, tags, hours ago (None: not published), fate
ARTICLES = [
    ("oil", "ارتفاعُ أسعارِ النفطِ بعدَ قرارِ أوبك", "world", "admin", "ar", ["اقتصاد", "النفط"], 1, "published"),
    ("damascus", "دمشقُ تستضيفُ مؤتمراً لإعادةِ الإعمار", "mideast", "editor", "ar", ["اقتصاد", "دمشق"], 3, "published"),
    ("escape", ESCAPE_TITLE, "world", "editor", "ar", ["النفط"], 5, "published"),
    ("long", LONG_TITLE, "mideast", "admin", "ar", ["انتخابات"], 30, "published"),
    ("rain", "الأمطارُ الغزيرةُ تغمرُ شوارعَ المدينة", "world", "editor", "ar", ["طقس"], 72, "published"),
    ("vote", "انتخاباتٌ بلديةٌ في ثلاثِ محافظات", "mideast", "editor", "ar", ["انتخابات"], 24 * 40, "published"),
    ("books", "معرضُ الكتابِ يفتحُ أبوابَه للزوار", "world", "admin", "ar", ["ثقافة"], 24 * 70, "published"),
    ("anniv", "ذكرى تأسيسِ الصحيفةِ الأولى", "world", "admin", "ar", ["ثقافة", "اقتصاد"], 24 * 400, "published"),
    ("en-oil", "Oil prices climb after the OPEC decision", "en", "admin", "en", ["energy"], 1.5, "published"),
    ("en-vote", "Elections: what changes for voters", "en", "admin", "en", ["elections"], 50, "published"),
    ("en-books", "The book fair opens its doors", "en", "editor", "en", ["culture"], 24 * 100, "published"),
    ("draft", "مسودةٌ لم تُنشرْ بعدُ", "world", "editor", "ar", ["اقتصاد", "سري"], None, "draft"),
    ("scheduled", "خبرٌ مجدولٌ للنشرِ غداً", "world", "admin", "ar", ["اقتصاد"], -24, "scheduled"),
    ("archived", "خبرٌ مؤرشفٌ لم يعدْ منشوراً", "world", "admin", "ar", ["اقتصاد"], 2, "archived"),
]
HIDDEN = ("draft", "scheduled", "archived")
FEATURED_IMAGE_URL = "https://cdn.almufeed.example/2026/damascus.jpg"


def body_for(key, title):
    marker = f"فقرةٌ ثانيةٌ كاملةٌ للنص {key}" if not key.startswith("en-") else f"A second full paragraph of {key}"
    first = "نصٌّ عربيٌّ مشكولٌ: **الخبرُ** كما وردَ في المصادرِ الرسميةِ والوكالات." \
        if not key.startswith("en-") else "The **story** as reported by the official sources and the agencies."
    if key == "escape":
        first = "رموزٌ تحتاجُ تهريباً في XML: <b>&\"'</b> و a < b && c > d."
    # Longer than an excerpt (280 characters), so the second paragraph is in full content only.
    first = " ".join([first] * 8)
    return f"{first}\n\n{marker}.", marker


class Newsroom:
    """What was built, as the API reports it."""

    def __init__(self):
        self.sections = {}    # key → section JSON
        self.articles = {}    # key → article JSON (staff view, after the last change)
        self.markers = {}     # key → text of the body's second paragraph
        self.fate = {}        # key → published | draft | scheduled | archived
        self.pages = {}       # key → page JSON
        self.users = {}       # admin | editor → user id
        self.media_id = None


def build_newsroom(s):
    room = Newsroom()
    room.users["admin"] = s.api("GET", "/api/v1/auth/me")["id"]
    editor = s.api("POST", "/api/v1/users", {"email": EDITOR[0], "display_name": EDITOR[2],
                                             "role": "editor", "password": EDITOR[1]})
    room.users["editor"] = editor["id"]
    s.login("editor", EDITOR[0], EDITOR[1])

    world = s.api("POST", "/api/v1/sections", {"name": "العالم", "slug": "العالم",
                                               "description": "أخبار السياسة والعلاقات الدولية"})
    mideast = s.api("POST", "/api/v1/sections", {"name": "الشرق الأوسط", "slug": "الشرق-الأوسط",
                                                 "parent_id": world["id"]})
    english = s.api("POST", "/api/v1/sections", {"name": "World & Politics", "slug": "world"})
    room.sections = {"world": world, "mideast": mideast, "en": english}

    png = tiny_png()
    answer = s.request("POST", "/api/v1/media?filename=oil.png&alt=" + urllib.parse.quote("حقل نفط"),
                       as_="admin", headers={"Content-Type": "image/png"}, raw=png)
    if answer.status in (200, 201):
        room.media_id = answer.json()["id"]
    else:
        note(f"media upload answered {answer.status}; the featured media image check is skipped")

    for key, title, section, author, lang, tags, hours, fate in ARTICLES:
        body, marker = body_for(key, title)
        request = {"title": title, "body": body, "section_id": room.sections[section]["id"],
                   "tags": tags, "lang": lang}
        if fate == "draft":
            request["status"] = "draft"
        else:
            request["status"] = "published"
            request["published_at"] = iso(NOW - dt.timedelta(hours=hours))
        if key == "oil" and room.media_id:
            request["featured_media_id"] = room.media_id
        if key == "damascus":
            request["featured_image"] = {"url": FEATURED_IMAGE_URL, "alt": "قاعة المؤتمر"}
        article = s.api("POST", "/api/v1/articles", request, as_=author)
        if fate == "archived":
            article = s.api("PATCH", f"/api/v1/articles/{article['id']}", {"status": "archived"})
        room.articles[key], room.markers[key], room.fate[key] = article, marker, fate

    room.pages["about"] = s.api("POST", "/api/v1/pages", {
        "title": "من نحن", "body": "صحيفةُ **المفيد** مستقلة.", "status": "published"})
    room.pages["policy-draft"] = s.api("POST", "/api/v1/pages", {
        "title": "سياسةُ الخصوصية (مسودة)", "body": "لم تُنشر بعد.", "status": "draft"})
    room.pages["contact"] = s.api("POST", "/api/v1/pages", {
        "title": "Contact us", "body": "Write to us.", "status": "published", "lang": "en"})
    refresh(s, room)
    return room


def refresh(s, room):
    """Reread every article as staff (the API's view is the reference)."""
    by_id = {a["id"]: a for a in s.items("/api/v1/articles?status=any", as_="admin")}
    for key, article in list(room.articles.items()):
        if article["id"] in by_id:
            room.articles[key] = by_id[article["id"]]
    for key, article in room.articles.items():
        if article["title"] != nfc(dict((a[0], a[1]) for a in ARTICLES)[key]):
            note(f"article {key}: the API stores the title as {article['title']!r} (not the NFC of what was sent)")


def published_keys(room, predicate=lambda key, article: True):
    """Keys of readable articles matching predicate, newest first."""
    now = dt.datetime.now(dt.timezone.utc)
    keys = [k for k, a in room.articles.items()
            if a["status"] == "published" and parse_instant(a["published_at"]) <= now and predicate(k, a)]
    return sorted(keys, key=lambda k: parse_instant(room.articles[k]["published_at"]), reverse=True)


def section_path(room, section_id):
    by_id = {sec["id"]: sec for sec in room.sections.values()}
    parts, current = [], by_id[section_id]
    while current:
        parts.append(current["slug"])
        current = by_id.get(current.get("parent_id"))
    return "/".join(reversed(parts))


def same_url(actual, path):
    """Whether `actual` is PUBLIC_URL + `path` percent-encoded (any encoding of it)."""
    return isinstance(actual, str) and urllib.parse.unquote(actual) == PUBLIC_URL + path


def check_public_url(where, value, path, rule="url"):
    if not isinstance(value, str):
        fail(where, f"{rule} is a string URL", f"got {value!r}")
        return False
    ok = True
    if not value.startswith(PUBLIC_URL + "/"):
        fail(where, f"{rule} starts with {PUBLIC_URL}/", value)
        ok = False
    if not ascii_only(value):
        fail(where, f"{rule} is ASCII only (percent-encoded UTF-8)", value)
        ok = False
    if path is not None and not same_url(value, path):
        fail(where, f"{rule} follows the template", f"got {value}, expected {PUBLIC_URL}{path} percent-encoded")
        ok = False
    return ok


def expected_article_path(room, article):
    return f"/{section_path(room, article['section']['id'])}/{article['slug']}"


# ---------------------------------------------------------------- 1. feeds

def feed_scopes(room, tag_slug, tag_name):
    world_ids = {room.sections["world"]["id"], room.sections["mideast"]["id"]}
    editor = room.users["editor"]
    return [
        ("", published_keys(room), {SITE_LANG}),
        ("section=" + urllib.parse.quote(room.sections["world"]["slug"]),
         published_keys(room, lambda k, a: a["section"]["id"] in world_ids), {"ar"}),
        ("section=" + urllib.parse.quote(room.sections["mideast"]["slug"]),
         published_keys(room, lambda k, a: a["section"]["id"] == room.sections["mideast"]["id"]), {"ar"}),
        ("section=world", published_keys(room, lambda k, a: a["section"]["id"] == room.sections["en"]["id"]),
         {"en", SITE_LANG}),
        ("tag=" + urllib.parse.quote(tag_slug), published_keys(room, lambda k, a: tag_name in a["tags"]), {"ar"}),
        (f"author={editor}", published_keys(room, lambda k, a: a["author"]["id"] == editor), {SITE_LANG}),
        ("lang=en", published_keys(room, lambda k, a: a["lang"] == "en"), {"en"}),
        ("lang=ar", published_keys(room, lambda k, a: a["lang"] == "ar"), {"ar"}),
    ]


def check_content_type(answer, expected):
    if answer.media_type() != expected:
        fail(answer.url, f"Content-Type is {expected} (charset allowed)", f"got {answer.content_type!r}")
    else:
        params = [p.strip().lower() for p in answer.content_type.split(";")[1:]]
        if any(p and p.replace(" ", "") not in ("charset=utf-8", 'charset="utf-8"') for p in params):
            fail(answer.url, "Content-Type has no parameter but charset=utf-8", answer.content_type)


def check_etag(s, path, answer):
    etag = answer.headers.get("etag")
    if not etag:
        fail(answer.url, "a feed carries an ETag")
        return
    again = s.get(path, headers={"If-None-Match": etag})
    if again.status != 304:
        fail(again.url, "If-None-Match with the ETag answers 304", f"got {again.status}")
    count("ETag/304 checks")


class Entry:
    """One feed entry, format-independent."""

    def __init__(self, title, link, ident, published, author, content, categories, raw_title=None):
        self.title, self.link, self.id, self.published = title, link, ident, published
        self.author, self.content, self.categories, self.raw_title = author, content, categories, raw_title


def xml_root(answer):
    try:
        return etree.fromstring(answer.body, etree.XMLParser(resolve_entities=False, no_network=True,
                                                             huge_tree=False))
    except etree.XMLSyntaxError as error:
        line, column = error.position if error.position else (1, 1)
        text = answer.body.decode("utf-8", "replace").split("\n")
        at = text[line - 1] if 0 < line <= len(text) else ""
        fail(answer.url, "well-formed XML", f"{error.msg}: "
             f"…{at[max(0, column - 90):column - 1]!r} ⟵ here ⟶ {at[column - 1:column + 60]!r}…")
        return None


def w3c_feed_rules(answer, root, version):
    """The W3C Feed Validation Service's main rules (it does not install from a registry, and
    calls validator.w3.org, which CI cannot reach): required elements, dates in the format each
    spec names, a self link, enclosures with url, length and type."""
    from email.utils import parsedate_to_datetime
    url = answer.url
    if version == "rss20":
        channel = root.find("channel")
        for name in ("title", "link", "description"):
            if channel is None or not (channel.findtext(name) or "").strip():
                fail(url, f"RSS channel has a non-empty <{name}>")
        selfs = [l for l in channel.findall(f"{{{ATOM_NS}}}link") if l.get("rel") == "self"]
        if not selfs or not selfs[0].get("href", "").startswith("http"):
            fail(url, "RSS channel has atom:link rel=self with an absolute href")
        for n, item in enumerate(channel.findall("item")):
            where = f"item {n + 1}"
            guid = item.find("guid")
            if guid is None or not (guid.text or "").strip():
                fail(url, "every RSS item has a guid", where)
            elif guid.get("isPermaLink", "true") == "true" and not guid.text.startswith("http"):
                fail(url, "a permalink guid is an absolute URL", where)
            try:
                parsedate_to_datetime(item.findtext("pubDate") or "")
            except (TypeError, ValueError):
                fail(url, "pubDate is an RFC 822 date", f"{where}: {item.findtext('pubDate')!r}")
            for enclosure in item.findall("enclosure"):
                if not enclosure.get("url") or enclosure.get("length") is None or not enclosure.get("type"):
                    fail(url, "an enclosure has url, length and type", where)
    else:
        for name in ("id", "title", "updated"):
            if not (root.findtext(f"{{{ATOM_NS}}}{name}") or "").strip():
                fail(url, f"Atom feed has <{name}>")
        if not any(l.get("rel") == "self" for l in root.findall(f"{{{ATOM_NS}}}link")):
            fail(url, "Atom feed has a link rel=self")
        for n, entry in enumerate(root.findall(f"{{{ATOM_NS}}}entry")):
            where = f"entry {n + 1}"
            for name in ("id", "title", "updated"):
                if not (entry.findtext(f"{{{ATOM_NS}}}{name}") or "").strip():
                    fail(url, f"every Atom entry has <{name}>", where)
            for name in ("updated", "published"):
                text = entry.findtext(f"{{{ATOM_NS}}}{name}")
                if text is not None and w3c_instant(text.strip()) is None:
                    fail(url, f"Atom <{name}> is an RFC 3339 date", f"{where}: {text!r}")
            author = entry.find(f"{{{ATOM_NS}}}author")
            if author is None or not (author.findtext(f"{{{ATOM_NS}}}name") or "").strip():
                fail(url, "every Atom entry has an author with a name", where)


def read_xml_feed(answer, version):
    parsed = feedparser.parse(answer.body, response_headers={"content-type": answer.content_type})
    if parsed.bozo:
        fail(answer.url, "feedparser reads it without complaint (bozo == 0)", repr(parsed.get("bozo_exception")))
    if parsed.version != version:
        fail(answer.url, f"feed version is {version}", f"feedparser says {parsed.version!r}")
    root = xml_root(answer)
    if root is None:
        return None, []
    w3c_feed_rules(answer, root, version)
    if version == "rss20":
        language = (root.findtext("channel/language") or "").strip()
        raw_items = root.findall("channel/item")
        raw_titles = [(i.findtext("title") or "") for i in raw_items]
        for n, item in enumerate(raw_items):
            if item.find(f"{{{DC_NS}}}creator") is None:
                fail(answer.url, "every RSS item has dc:creator", f"item {n + 1} ({raw_titles[n][:40]})")
    else:
        language = root.get(XML_LANG)
        raw_titles = [(e.findtext(f"{{{ATOM_NS}}}title") or "") for e in root.findall(f"{{{ATOM_NS}}}entry")]
        for e in root.findall(f"{{{ATOM_NS}}}entry"):
            title = e.find(f"{{{ATOM_NS}}}title")
            if title is not None and title.get("type") not in (None, "text"):
                note(f"{answer.url}: an Atom title has type={title.get('type')!r}")
    entries = []
    for n, e in enumerate(parsed.entries):
        published = calendar.timegm(e.published_parsed) if e.get("published_parsed") else None
        content = " ".join(c.get("value", "") for c in e.get("content", []))
        categories = [t.get("term") for t in e.get("tags", [])]
        entries.append(Entry(e.get("title"), e.get("link"), e.get("id"), published, e.get("author"),
                             content, categories, raw_titles[n] if n < len(raw_titles) else None))
    if len(parsed.entries) != len(raw_titles):
        fail(answer.url, "feedparser and lxml see the same entries", f"{len(parsed.entries)} vs {len(raw_titles)}")
    return language, entries


def read_json_feed(answer):
    feed = answer.json()
    if not isinstance(feed, dict):
        fail(answer.url, "a JSON object")
        return None, []
    # feedparser 6 has no JSON Feed reader: the JSON Feed 1.1 rules are checked here.
    if feed.get("version") != "https://jsonfeed.org/version/1.1":
        fail(answer.url, "version is https://jsonfeed.org/version/1.1 (json11)", repr(feed.get("version")))
    if not isinstance(feed.get("title"), str) or not feed.get("title"):
        fail(answer.url, "JSON Feed has a title")
    if not isinstance(feed.get("items"), list):
        fail(answer.url, "JSON Feed has an items list")
        return feed.get("language"), []
    for key in ("home_page_url", "feed_url"):
        if key in feed and not (isinstance(feed[key], str) and feed[key].startswith("http")):
            fail(answer.url, f"JSON Feed {key} is an absolute URL", repr(feed[key]))
    entries = []
    for item in feed["items"]:
        if not isinstance(item.get("id"), str):
            fail(answer.url, "each JSON Feed item id is a string", repr(item.get("id")))
        authors = item.get("authors") or []
        if "author" in item and not authors:
            authors = [item["author"]]
        author = authors[0].get("name") if authors and isinstance(authors[0], dict) else None
        published = parse_instant(item.get("date_published"))
        if item.get("date_published") is not None and published is None:
            fail(answer.url, "date_published is RFC 3339", repr(item.get("date_published")))
        content = item.get("content_html") or item.get("content_text") or ""
        entries.append(Entry(item.get("title"), item.get("url"), item.get("id"),
                             calendar.timegm(published.utctimetuple()) if published else None,
                             author, content, item.get("tags") or [], item.get("title")))
    return feed.get("language"), entries


def check_feeds(s, room):
    tags = s.items("/api/v1/tags")
    tag = next((t for t in tags if t["name"] == "اقتصاد"), None)
    if tag is None:
        fail("/api/v1/tags", "the tag اقتصاد of published articles is listed", json.dumps(tags, ensure_ascii=False)[:300])
        return
    by_title = {a["title"]: k for k, a in room.articles.items()}
    hidden_titles = {room.articles[k]["title"] for k in room.articles if room.fate[k] in HIDDEN}
    room.feed_links = {}
    for path, (version, media_type) in FEEDS.items():
        for query, keys, languages in feed_scopes(room, tag["slug"], tag["name"]):
            full = path + ("?" + query if query else "")
            answer = s.get(full)
            count("feed documents")
            if answer.status != 200:
                fail(answer.url, "answers 200", f"got {answer.status}: {answer.body[:200]!r}")
                continue
            check_content_type(answer, media_type)
            check_etag(s, full, answer)
            if version == "json11":
                language, entries = read_json_feed(answer)
            else:
                language, entries = read_xml_feed(answer, version)
            if language is None and not entries:
                continue
            label = {"rss20": "RSS <language>", "atom10": "Atom xml:lang", "json11": "JSON Feed language"}[version]
            if language not in languages:
                fail(answer.url, f"{label} is {' or '.join(sorted(languages))}", f"got {language!r}")
            check_entries(answer, room, keys, entries, version, by_title, hidden_titles)


def check_entries(answer, room, keys, entries, version, by_title, hidden_titles):
    url = answer.url
    expected = [room.articles[k]["title"] for k in keys]
    got = []
    for e in entries:
        title = e.title
        if title not in by_title and e.raw_title in by_title:
            note(f"{url}: feedparser reads the title {e.raw_title!r} as {title!r}; the document has it right")
            title = e.raw_title
        got.append(title)
    for title in got:
        if title in hidden_titles:
            fail(url, "never lists a draft, scheduled or archived article", title)
    if got != expected:
        if len(got) >= 10 and got == expected[:len(got)]:
            note(f"{url}: holds the newest {len(got)} of {len(expected)} articles")
        elif sorted(got, key=str) == sorted(expected, key=str):
            fail(url, "entries are newest first", f"got {got}")
        else:
            missing = [t for t in expected if t not in got]
            extra = [t for t in got if t not in expected]
            fail(url, "entries are exactly the published articles of the scope",
                 f"missing {missing}, unexpected {extra}")
    ids = [e.id for e in entries]
    if len(set(ids)) != len(ids):
        fail(url, "entry ids are unique", repr(ids))
    for e, title in zip(entries, got):
        key = by_title.get(title)
        if key is None:
            continue
        article = room.articles[key]
        where = f"{url} entry {title[:40]!r}"
        count("feed entries")
        if e.raw_title is not None and e.raw_title != article["title"]:
            fail(where, "the title round-trips exactly", f"document has {e.raw_title!r}, API {article['title']!r}")
        if check_public_url(where, e.link, expected_article_path(room, article), "link"):
            previous = room.feed_links.setdefault(key, e.link)
            if previous != e.link:
                fail(where, "every feed gives an article the same link", f"{previous} vs {e.link}")
        if not e.id:
            fail(where, "has an id/guid")
        if e.published is None:
            fail(where, "has a published date")
        else:
            want = calendar.timegm(parse_instant(article["published_at"]).utctimetuple())
            if e.published != want:
                fail(where, "published date is the article's published_at",
                     f"{dt.datetime.fromtimestamp(e.published, dt.timezone.utc)} vs {article['published_at']}")
        if e.author != article["author"]["display_name"]:
            fail(where, "author name is the article's author", f"got {e.author!r}, expected "
                 f"{article['author']['display_name']!r}")
        if room.markers[key] not in e.content:
            what = {"rss20": "content:encoded", "atom10": "<content>", "json11": "content_html"}[version]
            fail(where, f"with SAHIFA_FEED_CONTENT=full, {what} holds the whole body",
                 f"the second paragraph {room.markers[key]!r} is not in {e.content[:200]!r}")
        if version == "rss20":
            for tag in article["tags"]:
                if tag not in e.categories:
                    fail(where, "RSS categories include every tag", f"{tag!r} not in {e.categories}")


# ---------------------------------------------------------------- 2. bad input

def check_problem(answer, status, rule, detail_mentions=None):
    if answer.status != status:
        fail(answer.url, f"{rule}: answers {status}", f"got {answer.status}: {answer.body[:200]!r}")
        return
    if answer.media_type() != "application/problem+json":
        fail(answer.url, f"{rule}: is application/problem+json", f"got {answer.content_type!r}")
        return
    body = answer.json()
    if not isinstance(body, dict) or body.get("status") != status or "type" not in body:
        fail(answer.url, f"{rule}: an RFC 9457 problem with status {status}", repr(body)[:200])
        return
    if detail_mentions and detail_mentions not in (body.get("detail") or ""):
        fail(answer.url, f"{rule}: the problem's detail mentions {detail_mentions}", repr(body.get("detail")))
    count("problem answers")


def check_bad_input(s, room):
    for path in FEEDS:
        check_problem(s.get(path + "?section=no-such-section"), 404, "an unknown section")
        check_problem(s.get(path + "?tag=nope"), 404, "an unknown tag")
        check_problem(s.get(path + "?author=999999"), 404, "an unknown author")
        check_problem(s.get(path + "?lang=" + urllib.parse.quote("not_a_tag!!")), 422, "a malformed language tag")


# ---------------------------------------------------------------- 3. sitemaps

def fetch_sitemap(s, loc, where):
    """A sitemap listed by `loc`, fetched by its path from the running server."""
    parts = urllib.parse.urlsplit(loc)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        fail(where, "<loc> is an absolute URL", loc)
        return None
    if not (loc.startswith(PUBLIC_URL + "/") or loc.startswith(s.base + "/")):
        note(f"{where}: the sitemap <loc> {loc} is on neither {PUBLIC_URL} nor {s.base}")
    path = parts.path + ("?" + parts.query if parts.query else "")
    return s.get(path)


def read_urlset(answer, extra_ns=()):
    """The <url> elements of a urlset, after the common rules."""
    url = answer.url
    if answer.status != 200:
        fail(url, "answers 200", f"got {answer.status}")
        return None
    if "xml" not in answer.media_type():
        fail(url, "a sitemap is served as XML", answer.content_type)
    if len(answer.body) > 50 * 1024 * 1024:
        fail(url, "a sitemap is at most 50 MB", f"{len(answer.body)} bytes")
    root = xml_root(answer)
    if root is None:
        return None
    if root.tag != f"{{{SITEMAP_NS}}}urlset":
        fail(url, f"root is urlset in {SITEMAP_NS}", root.tag)
        return None
    urls = root.findall(f"{{{SITEMAP_NS}}}url")
    if len(root) != len(urls):
        fail(url, "a urlset holds only <url> elements", str([c.tag for c in root if c.tag != f"{{{SITEMAP_NS}}}url"][:3]))
    if len(urls) > 50000:
        fail(url, "a sitemap holds at most 50,000 URLs", str(len(urls)))
    for u in urls:
        loc = (u.findtext(f"{{{SITEMAP_NS}}}loc") or "").strip()
        where = f"{url} <url> {loc[:80]}"
        if not loc.startswith(("http://", "https://")):
            fail(where, "each <url> has an absolute <loc>", repr(loc))
        if not ascii_only(loc):
            fail(where, "<loc> is ASCII only (percent-encoded)", loc)
        if len(loc) > 2048:
            fail(where, "<loc> is at most 2048 characters", str(len(loc)))
        lastmod = u.findtext(f"{{{SITEMAP_NS}}}lastmod")
        if lastmod is not None and w3c_instant(lastmod.strip()) is None:
            fail(where, "<lastmod> is a W3C datetime", repr(lastmod))
        for image in u.iter(f"{{{IMAGE_NS}}}image"):
            image_loc = image.findtext(f"{{{IMAGE_NS}}}loc")
            if not image_loc or not image_loc.startswith(("http://", "https://")) or not ascii_only(image_loc):
                fail(where, "image:image has an absolute ASCII image:loc", repr(image_loc))
        for child in u.iter():
            if isinstance(child.tag, str) and child.tag.startswith("{") \
                    and child.tag.split("}")[0][1:] not in (SITEMAP_NS, IMAGE_NS, *extra_ns):
                fail(where, "only sitemap, image (and news) elements", child.tag)
                break
    count("sitemap URLs", len(urls))
    return urls


def locs(urls):
    return [(u.findtext(f"{{{SITEMAP_NS}}}loc") or "").strip() for u in urls]


def check_sitemaps(s, room):
    index = s.get("/sitemap.xml")
    if index.status != 200:
        fail(index.url, "answers 200", f"got {index.status}")
        return
    if "xml" not in index.media_type():
        fail(index.url, "the sitemap index is served as XML", index.content_type)
    root = xml_root(index)
    if root is None:
        return
    if root.tag != f"{{{SITEMAP_NS}}}sitemapindex":
        fail(index.url, f"root is sitemapindex in {SITEMAP_NS}", root.tag)
        return
    listed = {}
    for entry in root.findall(f"{{{SITEMAP_NS}}}sitemap"):
        loc = (entry.findtext(f"{{{SITEMAP_NS}}}loc") or "").strip()
        if not loc.startswith(("http://", "https://")) or not ascii_only(loc):
            fail(index.url, "each <sitemap> has an absolute ASCII <loc>", repr(loc))
            continue
        lastmod = entry.findtext(f"{{{SITEMAP_NS}}}lastmod")
        if lastmod is not None and w3c_instant(lastmod.strip()) is None:
            fail(index.url, "<lastmod> is a W3C datetime", repr(lastmod))
        listed[urllib.parse.urlsplit(loc).path] = loc
    count("sitemaps listed", len(listed))
    visible = published_keys(room)
    months = {parse_instant(room.articles[k]["published_at"]).strftime("%Y-%m") for k in visible}
    want = {f"/sitemaps/articles-{m}.xml" for m in months} | {
        "/sitemaps/sections.xml", "/sitemaps/tags.xml", "/sitemaps/pages.xml"}
    for path in sorted(want - set(listed)):
        fail(index.url, "the index lists every month with published articles and the sections, tags and "
             "pages sitemaps", f"{path} missing (listed: {sorted(listed)})")
    for path in sorted(set(listed) - want):
        if path != "/sitemaps/news.xml":
            fail(index.url, "the index lists only sitemaps with something in them",
                 f"{path} (articles in months {sorted(months)})")

    # Articles, month by month.
    urls_of = {room.articles[k]["url"]: k for k in room.articles if room.articles[k].get("url")}
    article_locs, unreadable = [], []
    for path in sorted(p for p in listed if p.startswith("/sitemaps/articles-")):
        answer = fetch_sitemap(s, listed[path], index.url)
        if answer is None:
            continue
        urls = read_urlset(answer, extra_ns=(IMAGE_NS,))
        if urls is None:
            unreadable.append(path)
            continue
        month = re.search(r"articles-(\d{4}-\d{2})\.xml", path)
        for u in urls:
            loc = (u.findtext(f"{{{SITEMAP_NS}}}loc") or "").strip()
            article_locs.append(loc)
            where = f"{answer.url} <url> {loc[:80]}"
            lastmod = u.findtext(f"{{{SITEMAP_NS}}}lastmod")
            if lastmod is None:
                fail(where, "each article <url> has <lastmod>")
            key = urls_of.get(loc)
            if key is None:
                continue
            if room.fate[key] in HIDDEN:
                fail(where, "never a draft, scheduled or archived article", room.articles[key]["title"])
            article = room.articles[key]
            if month and parse_instant(article["published_at"]).strftime("%Y-%m") != month.group(1):
                fail(where, "an article is in the sitemap of the month it was published",
                     article["published_at"])
            images = [i.findtext(f"{{{IMAGE_NS}}}loc") for i in u.iter(f"{{{IMAGE_NS}}}image")]
            if key == "damascus" and FEATURED_IMAGE_URL not in images:
                fail(where, "a featured image (featured_image.url) appears as image:image/image:loc",
                     f"{images} lacks {FEATURED_IMAGE_URL}")
            if key == "oil" and room.media_id and not images:
                fail(where, "a featured media item appears as image:image/image:loc", "none")
    want_locs = {room.articles[k]["url"] for k in visible}
    if len(article_locs) != len(set(article_locs)):
        fail("/sitemaps/articles-*.xml", "each article is listed once",
             str([l for l in article_locs if article_locs.count(l) > 1][:3]))
    if unreadable:
        note(f"the union of article sitemaps is not compared: {len(unreadable)} of them could not be read")
    elif set(article_locs) != want_locs:
        fail("/sitemaps/articles-*.xml", "the article sitemaps list exactly the published articles' `url`s",
             f"missing {show(want_locs - set(article_locs))}, unexpected {show(set(article_locs) - want_locs)}")

    # Sections, tags, pages.
    sections = s.items("/api/v1/sections")
    tags = s.items("/api/v1/tags")
    pages = s.items("/api/v1/pages")
    staff_pages = s.items("/api/v1/pages?status=any", as_="admin")
    for path, items, required in (
            ("/sitemaps/sections.xml", sections, [x for x in sections if x["article_count"] > 0]),
            ("/sitemaps/tags.xml", tags, tags),
            ("/sitemaps/pages.xml", pages, pages)):
        if path not in listed:
            continue
        answer = fetch_sitemap(s, listed[path], index.url)
        if answer is None:
            continue
        urls = read_urlset(answer)
        if urls is None:
            continue
        got = set(locs(urls))
        allowed = {x.get("url") for x in items}
        need = {x.get("url") for x in required}
        if not need <= got or not got <= allowed:
            fail(answer.url, "lists exactly the published items' `url`s",
                 f"missing {show(need - got)}, unexpected {show(got - allowed)}")
        if path == "/sitemaps/pages.xml":
            for page in staff_pages:
                if page["status"] != "published" and PUBLIC_URL + "/" + page["slug"] in \
                        {urllib.parse.unquote(u) for u in got}:
                    fail(answer.url, "lists published pages only", f"the {page['status']} page {page['title']!r}")
        if path == "/sitemaps/tags.xml" and any("سري" in urllib.parse.unquote(u) for u in got):
            fail(answer.url, "lists tags of published articles only", "the draft-only tag سري is there")


# ---------------------------------------------------------------- 4. news sitemap

def check_news_sitemap(s, room):
    answer = s.get("/sitemaps/news.xml")
    urls = read_urlset(answer, extra_ns=(NEWS_NS, IMAGE_NS))
    if urls is None:
        return
    if len(urls) > 1000:
        fail(answer.url, "a news sitemap holds at most 1,000 URLs", str(len(urls)))
    now = dt.datetime.now(dt.timezone.utc)
    recent = published_keys(room, lambda k, a: parse_instant(a["published_at"]) >= now - dt.timedelta(hours=48))
    urls_of = {room.articles[k].get("url"): k for k in room.articles}
    got = []
    for u in urls:
        loc = (u.findtext(f"{{{SITEMAP_NS}}}loc") or "").strip()
        got.append(loc)
        where = f"{answer.url} <url> {loc[:80]}"
        news = u.find(f"{{{NEWS_NS}}}news")
        if news is None:
            fail(where, "each <url> has news:news")
            continue
        key = urls_of.get(loc)
        article = room.articles.get(key) if key else None
        publication = news.find(f"{{{NEWS_NS}}}publication")
        if publication is None:
            fail(where, "news:news has news:publication")
        else:
            name = publication.findtext(f"{{{NEWS_NS}}}name")
            if name != SITE_NAME:
                fail(where, f"news:name is {SITE_NAME}", repr(name))
            language = publication.findtext(f"{{{NEWS_NS}}}language")
            allowed = {SITE_LANG} | ({article["lang"]} if article else set())
            if language not in allowed:
                fail(where, f"news:language is {' or '.join(sorted(allowed))}", repr(language))
        date = news.findtext(f"{{{NEWS_NS}}}publication_date")
        moment = w3c_instant((date or "").strip())
        if moment is None:
            fail(where, "news:publication_date is a W3C datetime", repr(date))
        elif article and moment != parse_instant(article["published_at"]) and len(date.strip()) > 10:
            fail(where, "news:publication_date is the article's published_at", f"{date} vs {article['published_at']}")
        title = news.findtext(f"{{{NEWS_NS}}}title")
        if article and title != article["title"]:
            fail(where, "news:title is the article's title exactly", f"{title!r} vs {article['title']!r}")
        elif not title:
            fail(where, "news:news has news:title")
    want = {room.articles[k]["url"] for k in recent}
    if set(got) != want:
        named = {room.articles[k]["url"]: room.articles[k]["title"] for k in room.articles}
        fail(answer.url, "lists exactly the articles published in the last 48 hours",
             f"missing {[named.get(u, u) for u in want - set(got)]}, unexpected {[named.get(u, u) for u in set(got) - want]}")
    count("news sitemap URLs", len(urls))


# ---------------------------------------------------------------- 5. article JSON

def types_of(node):
    kind = node.get("@type") if isinstance(node, dict) else None
    return set(kind) if isinstance(kind, list) else {kind}


def check_article_json(s, room):
    author_urls = {}
    for key in published_keys(room):
        article_id = room.articles[key]["id"]
        answer = s.get(f"/api/v1/articles/{article_id}")
        where = answer.url
        if answer.status != 200:
            fail(where, "a published article answers 200", str(answer.status))
            continue
        article = answer.json()
        count("articles' JSON-LD")
        url = article.get("url")
        if check_public_url(where, url, expected_article_path(room, article)):
            feed_link = getattr(room, "feed_links", {}).get(key)
            if feed_link and feed_link != url:
                fail(where, "`url` is the link the feeds give", f"{url} vs {feed_link}")
        author = article.get("author") or {}
        check_public_url(where, author.get("url"), f"/author/{author.get('id')}", "author.url")
        author_urls[author.get("id")] = author.get("url")
        ld = article.get("json_ld")
        if not isinstance(ld, dict):
            fail(where, "`json_ld` is an object", repr(ld)[:100])
            continue
        title = article["title"]
        checks = [
            (ld.get("@context") in ("https://schema.org", "https://schema.org/"), "@context is https://schema.org",
             ld.get("@context")),
            ("NewsArticle" in types_of(ld), "@type is NewsArticle", ld.get("@type")),
        ]
        for ok, rule, got in checks:
            if not ok:
                fail(where, f"json_ld {rule}", repr(got))
        headline = ld.get("headline")
        if not isinstance(headline, str) or not headline:
            fail(where, "json_ld headline is a string", repr(headline))
        else:
            bare = headline[:-1].rstrip() if headline.endswith("…") else headline
            bare = bare[:-3].rstrip() if bare.endswith("...") else bare
            if len(headline) > 110:
                fail(where, "json_ld headline is at most 110 characters", f"{len(headline)}: {headline}")
            if len(title) <= 110 and headline != title:
                fail(where, "json_ld headline is the title when it fits", f"{headline!r} vs {title!r}")
            elif not title.startswith(bare):
                fail(where, "json_ld headline is a prefix of the title", f"{headline!r}")
            elif len(bare) < len(title) and (title[len(bare)].isalnum() or not bare or bare[-1].isspace()
                                             or unicodedata.category(title[len(bare)]).startswith("M")):
                fail(where, "json_ld headline ends at a word boundary",
                     f"cut at {len(bare)}: …{bare[-15:]!r} | {title[len(bare):len(bare) + 10]!r}…")
            if key == "long":
                count("long headline cut")
        published = parse_instant(ld.get("datePublished"))
        modified = parse_instant(ld.get("dateModified"))
        if published is None:
            fail(where, "json_ld datePublished is ISO 8601 with a zone", repr(ld.get("datePublished")))
        elif published != parse_instant(article["published_at"]):
            fail(where, "json_ld datePublished is published_at", f"{ld.get('datePublished')} vs {article['published_at']}")
        if modified is None:
            fail(where, "json_ld dateModified is ISO 8601 with a zone", repr(ld.get("dateModified")))
        authors = ld.get("author")
        authors = authors if isinstance(authors, list) else [authors]
        if not authors or not all(isinstance(a, dict) and "Person" in types_of(a) for a in authors):
            fail(where, "json_ld author is a Person or a list of Persons", repr(ld.get("author"))[:200])
        else:
            if authors[0].get("name") != article["author"]["display_name"]:
                fail(where, "json_ld author name is the author's", repr(authors[0].get("name")))
            if authors[0].get("url") != author.get("url"):
                fail(where, "json_ld author url is the author's `url`", repr(authors[0].get("url")))
        publisher = ld.get("publisher")
        if not isinstance(publisher, dict) or not types_of(publisher) & {"Organization", "NewsMediaOrganization"}:
            fail(where, "json_ld publisher is an Organization", repr(publisher)[:200])
        else:
            if "Organization" not in types_of(publisher):
                note(f"{where}: publisher @type is {publisher.get('@type')} (a subtype of Organization)")
            if publisher.get("name") != SITE_NAME:
                fail(where, f"json_ld publisher name is {SITE_NAME}", repr(publisher.get("name")))
            logo = publisher.get("logo")
            if not isinstance(logo, dict) or "ImageObject" not in types_of(logo) or logo.get("url") != SITE_LOGO:
                fail(where, f"json_ld publisher logo is an ImageObject with url {SITE_LOGO}", repr(logo))
        main = ld.get("mainEntityOfPage")
        main_id = main.get("@id") if isinstance(main, dict) else main
        if main_id != url:
            fail(where, "json_ld mainEntityOfPage is the url (or {@id: url})", repr(main))
        if ld.get("inLanguage") != article["lang"]:
            fail(where, "json_ld inLanguage is the article's lang", repr(ld.get("inLanguage")))
        section = ld.get("articleSection")
        if section != article["section"]["name"] and not (isinstance(section, list) and article["section"]["name"] in section):
            fail(where, "json_ld articleSection is the section's name", repr(section))
        keywords = ld.get("keywords")
        words = keywords if isinstance(keywords, list) else [w.strip() for w in (keywords or "").split(",")]
        if not keywords or any(tag not in words for tag in article["tags"]):
            fail(where, "json_ld keywords hold the tags", f"{keywords!r} vs {article['tags']}")
        free = ld.get("isAccessibleForFree")
        if free not in (True, "true", "True"):
            fail(where, "json_ld isAccessibleForFree is true", repr(free))
        if ld.get("url") not in (None, url):
            fail(where, "json_ld url (when present) is the article's url", repr(ld.get("url")))
    listed = s.get("/api/v1/articles?per_page=100")
    if listed.status == 200:
        urls = {a["id"]: a.get("url") for a in room.articles.values()}
        for summary in listed.json()["data"]:
            if summary.get("url") != urls.get(summary["id"]):
                fail(listed.url, "list items carry the same `url` as the article alone",
                     f"article {summary['id']}: {summary.get('url')} vs {urls.get(summary['id'])}")
            count("list urls")
    for section in s.items("/api/v1/sections"):
        check_public_url(f"{s.base}/api/v1/sections ({section['slug']})", section.get("url"),
                         "/" + section_path(room, section["id"]))
        count("section urls")
    single = s.get("/api/v1/sections/" + str(room.sections["mideast"]["id"]))
    if single.status == 200:
        check_public_url(single.url, single.json().get("url"), "/" + section_path(room, room.sections["mideast"]["id"]))
    for tag in s.items("/api/v1/tags"):
        check_public_url(f"{s.base}/api/v1/tags ({tag['slug']})", tag.get("url"), f"/tag/{tag['slug']}")
        count("tag urls")
    for page in s.items("/api/v1/pages"):
        check_public_url(f"{s.base}/api/v1/pages ({page['slug']})", page.get("url"), f"/{page['slug']}")
        one = s.get(f"/api/v1/pages/{page['id']}")
        if one.status == 200 and one.json().get("url") != page.get("url"):
            fail(one.url, "a page's `url` is the same in the list and alone", repr(one.json().get("url")))
        count("page urls")
    for user, expected in ((room.users["editor"], f"/author/{room.users['editor']}"),):
        if author_urls.get(user) is None:
            fail("/api/v1/articles", "articles by the editor carry author.url")
        else:
            check_public_url("/api/v1/articles author", author_urls[user], expected, "author.url")


# ---------------------------------------------------------------- 7. changes feed

CURSOR_KEYS = ("next_cursor", "cursor", "next", "since")
cursor_source = [None]


def cursor_of(answer):
    """The next cursor: (kind, value) with kind 'url' (from Link or a URL field) or 'token'."""
    link = answer.headers.get("link", "")
    for part in link.split(","):
        match = re.match(r'\s*<([^>]*)>\s*;.*rel="?next"?', part)
        if match:
            cursor_source[0] = "the Link rel=next header"
            return "url", match.group(1)
    body = answer.json() or {}
    for holder in (body.get("meta") or {}, body):
        for key in CURSOR_KEYS:
            value = holder.get(key) if isinstance(holder, dict) else None
            if isinstance(value, (str, int)) and value != "":
                value = str(value)
                cursor_source[0] = ("meta." if holder is not body else "") + key
                return ("url", value) if value.startswith(("/", "http")) else ("token", value)
    return None, None


class Changes:
    def __init__(self, s):
        self.s, self.as_, self.param, self.param_proven = s, None, "since", False
        probe = s.get("/api/v1/changes")
        if probe.status in (401, 403):
            self.as_ = "admin"
            note("/api/v1/changes needs a staff token")
        self.path = "/api/v1/changes"

    def page(self, cursor, guess=True):
        """The page after `cursor`. A token goes in `?since=`; while that name is unproven and
        `guess` is set, a refusal is retried as `?cursor=`."""
        kind, value = cursor
        if kind is None:
            return self.s.get(self.path, as_=self.as_)
        if kind == "url":
            return self.s.get(value, as_=self.as_)
        answer = self.s.get(f"{self.path}?{self.param}={urllib.parse.quote(value, safe='')}", as_=self.as_)
        if answer.status == 200:
            self.param_proven = True
        elif answer.status in (400, 422) and guess and not self.param_proven and self.param == "since":
            other = self.s.get(f"{self.path}?cursor={urllib.parse.quote(value, safe='')}", as_=self.as_)
            if other.status == 200:
                note("the changes feed takes its cursor as ?cursor=, not ?since=")
                self.param, self.param_proven = "cursor", True
                return other
        return answer

    def drain(self, cursor=(None, None)):
        """Every change after `cursor`: (entries, the cursor to resume from)."""
        entries, last = [], cursor
        for _ in range(200):
            answer = self.page(last)
            if answer.status != 200:
                fail(answer.url, "the changes feed answers 200", f"got {answer.status}: {answer.body[:200]!r}")
                return entries, last
            body = answer.json()
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, list):
                fail(answer.url, "the changes feed is {data: [...], ...}", repr(body)[:200])
                return entries, last
            for change in data:
                self.check_entry(answer.url, change)
            entries += data
            following = cursor_of(answer)
            if not data:
                return entries, following if following[0] else last
            if not following[0]:
                fail(answer.url, "a non-empty changes page gives a cursor to go on from (meta.next_cursor, "
                     "meta.cursor or Link rel=next)", json.dumps(body.get("meta"))[:200])
                return entries, last
            if following == last:
                fail(answer.url, "the cursor moves on after a non-empty page", repr(following))
                return entries, last
            last = following
        fail(self.path, "the changes feed ends (an empty page) within 200 pages")
        return entries, last

    def check_entry(self, url, change):
        where = f"{url} change {json.dumps(change, ensure_ascii=False)[:120]}"
        if change.get("resource") not in ("article", "section", "page", "tag"):
            fail(where, "resource is article, section, page or tag", repr(change.get("resource")))
        if change.get("action") not in ("created", "updated", "unpublished", "deleted"):
            fail(where, "action is created, updated, unpublished or deleted", repr(change.get("action")))
        if "id" not in change:
            fail(where, "a change has an id")
        if parse_instant(change.get("changed_at")) is None:
            fail(where, "changed_at is an RFC 3339 instant", repr(change.get("changed_at")))
        count("changes read")


def tamper(token):
    """The token with one character changed, to one of the same kind."""
    i = len(token) // 2
    c = token[i]
    if c.isdigit():
        new = "7" if c != "7" else "3"
    elif c.isalpha():
        new = ("B" if c != "B" else "C") if c.isupper() else ("q" if c != "q" else "r")
    else:
        new = "A"
    return token[:i] + new + token[i + 1:]


def check_changes(s, room):
    probe = s.get("/api/v1/changes")
    if probe.status in (404, 405):
        fail(probe.url, "GET /api/v1/changes exists", f"got {probe.status}")
        return
    feed = Changes(s)
    entries, cursor = feed.drain()
    seen = {(c.get("resource"), c.get("id")) for c in entries}
    for key in published_keys(room):
        if ("article", room.articles[key]["id"]) not in seen:
            fail("/api/v1/changes", "the whole feed names every published article", room.articles[key]["title"])
    for key, section in room.sections.items():
        if ("section", section["id"]) not in seen:
            fail("/api/v1/changes", "the whole feed names every section", section["name"])
    if feed.as_ is None:
        secret = [k for k in ("draft", "scheduled") if ("article", room.articles[k]["id"]) in seen]
        if ("page", room.pages["policy-draft"]["id"]) in seen:
            secret.append("the draft page")
        if secret:
            fail("/api/v1/changes", "the public changes feed never names what readers cannot see", str(secret))
    if ("page", room.pages["about"]["id"]) not in seen:
        fail("/api/v1/changes", "the whole feed names every published page", room.pages["about"]["title"])
    if cursor[0] is None:
        fail("/api/v1/changes", "the feed gives a cursor to resume from")
        return
    again, _ = feed.drain(cursor)
    if again:
        fail("/api/v1/changes", "nothing changed: the last cursor gives nothing new",
             json.dumps(again, ensure_ascii=False)[:300])

    edited, deleted = room.articles["rain"], room.articles["vote"]
    s.api("PATCH", f"/api/v1/articles/{edited['id']}",
          {"body": body_for("rain", edited["title"])[0] + "\n\nتحديث: توقفت الأمطار."})
    s.api("DELETE", f"/api/v1/articles/{deleted['id']}", expect=(200, 204))
    gone = s.get(f"/api/v1/articles/{deleted['id']}")
    if gone.status != 404:
        fail(gone.url, "a deleted article answers 404", str(gone.status))
    rss = s.get("/feeds/rss.xml")
    if rss.status == 200 and deleted["title"].encode() in rss.body:
        fail(rss.url, "a deleted article leaves the feed at once", deleted["title"])
    after, cursor2 = feed.drain(cursor)
    articles = [(c.get("id"), c.get("action")) for c in after if c.get("resource") == "article"]
    want = [(edited["id"], "updated"), (deleted["id"], "deleted")]
    if sorted(articles, key=repr) != sorted(want, key=repr):
        fail("/api/v1/changes?since=<last cursor>", "exactly the edit and the deletion appear (one each)",
             f"got {articles}, expected {want}")
    others = [c for c in after if c.get("resource") != "article"]
    if others:
        note(f"after the edit and the deletion the feed also holds {json.dumps(others, ensure_ascii=False)[:300]}")
    tombstone = next((c for c in after if c.get("id") == deleted["id"] and c.get("action") == "deleted"), None)
    if tombstone is not None and any(k in tombstone for k in ("title", "body", "data", "article")) \
            and (tombstone.get("title") or tombstone.get("body") or tombstone.get("data") or tombstone.get("article")):
        note(f"the tombstone carries content: {json.dumps(tombstone, ensure_ascii=False)[:200]}")
    if len(after) > 1:
        times = [parse_instant(c.get("changed_at")) for c in after]
        if None not in times and times != sorted(times):
            fail("/api/v1/changes", "changes come oldest first", str([c.get("changed_at") for c in after]))

    # A tampered cursor.
    kind, value = cursor
    token = value
    if kind == "url":
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(value).query)
        name = next((k for k in ("since", "cursor", "after") if k in query), None)
        if not name:
            note(f"the cursor URL {value} has no since/cursor parameter: tampering skipped")
            return
        token, feed.param = query[name][0], name
    bad = tamper(token)
    answer = feed.page(("token", bad), guess=False)
    check_problem(answer, 422, f"a cursor with one character changed ({token!r} → {bad!r})")
    print(f"   changes: {'public' if feed.as_ is None else 'staff only'}; cursor from {cursor_source[0]}, "
          f"sent back as {'that URL' if kind == 'url' else '?' + feed.param + '='}; {len(entries)} changes at first")
    count("changes groups")
    room.deleted_key = "vote"


# ---------------------------------------------------------------- 6. unconfigured

def check_unconfigured(s2, room):
    for path in ("/api/v1/articles", "/api/v1/sections", "/api/v1/tags", "/api/v1/pages"):
        answer = s2.get(path + "?per_page=100")
        if answer.status != 200:
            fail(answer.url, "answers 200", str(answer.status))
            continue
        for item in answer.json()["data"]:
            if "url" not in item:
                fail(answer.url, "without SAHIFA_PUBLIC_URL, `url` is null (present)", f"absent in {item.get('slug')}")
            elif item["url"] is not None:
                fail(answer.url, "without SAHIFA_PUBLIC_URL, `url` is null", f"{item.get('slug')}: {item['url']}")
            count("null urls")
    one = s2.get(f"/api/v1/articles/{room.articles['oil']['id']}")
    if one.status == 200:
        body = one.json()
        if body.get("url", "absent") is not None:
            fail(one.url, "without SAHIFA_PUBLIC_URL, `url` is null", repr(body.get("url", "absent")))
        if (body.get("author") or {}).get("url", "absent") is not None:
            fail(one.url, "without SAHIFA_PUBLIC_URL, author.url is null", repr(body["author"].get("url", "absent")))
    for path in ("/feeds/rss.xml", "/feeds/atom.xml", "/feeds/feed.json", "/sitemap.xml", "/sitemaps/news.xml"):
        check_problem(s2.get(path), 404, "without SAHIFA_PUBLIC_URL", detail_mentions="SAHIFA_PUBLIC_URL")


# ---------------------------------------------------------------- 8. excerpt mode

def check_excerpt_mode(s3, room):
    answer = s3.get("/feeds/rss.xml")
    if answer.status != 200:
        fail(answer.url, "answers 200", str(answer.status))
        return
    parsed = feedparser.parse(answer.body)
    if parsed.bozo:
        fail(answer.url, "bozo == 0", repr(parsed.get("bozo_exception")))
    for key in published_keys(room):
        if room.markers[key].encode() in answer.body:
            fail(answer.url, "with SAHIFA_FEED_CONTENT=excerpt, no whole body is in the feed",
                 f"the second paragraph of {room.articles[key]['title'][:40]!r} is there")
    json_feed = s3.get("/feeds/feed.json")
    if json_feed.status == 200:
        for item in (json_feed.json() or {}).get("items", []):
            if item.get("content_html") and any(m in item["content_html"] for m in room.markers.values()):
                fail(json_feed.url, "with SAHIFA_FEED_CONTENT=excerpt, content_html is not the whole body",
                     item.get("title"))
    count("excerpt-mode feeds", 2)


# ---------------------------------------------------------------- main

def run(group, function, *args):
    current_group[0] = group
    before = len(failures)
    print(f"== {group}", flush=True)
    try:
        function(*args)
    except SetupError as error:
        fail(group, "the API calls this check makes succeed", str(error))
    except Exception:
        fail(group, "the check ran to its end", traceback.format_exc().strip().splitlines()[-1])
        traceback.print_exc()
    print(f"   {group}: {'ok' if len(failures) == before else f'{len(failures) - before} failures'}", flush=True)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__.split("\n\n")[1])
    binary = os.path.abspath(sys.argv[1])
    if not os.access(binary, os.X_OK):
        sys.exit(f"check.py: no executable at {binary}")
    workdir = tempfile.mkdtemp(prefix="sahifa-syndication.")
    database_url = sys.argv[2] if len(sys.argv) == 3 else f"sqlite:{workdir}/s.db"
    print(f"check.py: {binary} on {database_url.split('?')[0]}; work directory {workdir}")

    servers = []
    try:
        s = Sahifa(binary, workdir, database_url, SYNDICATION_ENV, "main")
        servers.append(s)
        s.login("admin", *ADMIN)
        current_group[0] = "setup"
        try:
            room = build_newsroom(s)
        except SetupError as error:
            print(s.log_tail())
            sys.exit(f"check.py: building the newsroom failed: {error}")
        long_title = room.articles["long"]["title"]
        print(f"   newsroom: {len(room.articles)} articles ({len(published_keys(room))} readable), "
              f"{len(room.sections)} sections, {len(room.pages)} pages; long title {len(long_title)} characters")
        run("1 feeds", check_feeds, s, room)
        run("2 bad input", check_bad_input, s, room)
        run("3 sitemaps", check_sitemaps, s, room)
        run("4 news sitemap", check_news_sitemap, s, room)
        run("5 article json", check_article_json, s, room)
        run("7 changes", check_changes, s, room)
        refresh(s, room)
        for key in [k for k in room.articles if k == getattr(room, "deleted_key", None)]:
            del room.articles[key]
        s.stop()
        servers.remove(s)

        s2 = Sahifa(binary, workdir, database_url, {}, "unconfigured")
        servers.append(s2)
        run("6 unconfigured", check_unconfigured, s2, room)
        s2.stop()
        servers.remove(s2)

        s3 = Sahifa(binary, workdir, database_url, {**SYNDICATION_ENV, "SAHIFA_FEED_CONTENT": "excerpt"}, "excerpt")
        servers.append(s3)
        run("8 excerpt mode", check_excerpt_mode, s3, room)
    finally:
        for server in servers:
            server.stop()

    print("\nchecked: " + ", ".join(f"{n} {what}" for what, n in checked.items()))
    for message in notes:
        print(f"note {message}")
    if failures:
        print(f"\nsyndication check: FAILED, {len(failures)} violations (logs in {workdir}):")
        for message in failures:
            print(f"  {message}")
        sys.exit(1)
    shutil.rmtree(workdir, ignore_errors=True)
    print("syndication check: every rule held")


if __name__ == "__main__":
    main()
