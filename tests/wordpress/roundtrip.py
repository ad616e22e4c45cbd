#!/usr/bin/env python3
"""Imports a real WordPress site's exports into Sahifa and compares, item by item, what
Sahifa serves with what WordPress itself says.

    tests/wordpress/roundtrip.py SAHIFA_BINARY OUT_DIR [DATABASE_URL]

OUT_DIR is what `tests/wordpress/make-site.sh OUT_DIR` wrote (export-1.xml, expected-1.json,
export-2.xml, expected.json, uploads/). The import is given `--media-dir OUT_DIR/uploads`, so
the attachments' files become media items. DATABASE_URL defaults to a fresh SQLite file; give an empty
PostgreSQL database's URL to run on PostgreSQL.

Steps: start a server (it creates the admin), import export-1.xml and compare with
expected-1.json; import it again and check that the report says everything is unchanged and
that nothing an editor can see changed; import export-2.xml (a post edited, one added, a
comment approved, one added) and compare with expected.json.

Compared: posts (title, status, slug, publication date, section among the post's
categories, tags, featured media and its alt text, approved comment count, bodies free of
links to the old uploads, and where the permalink and
`?p=ID` lead), pages (title, status, slug, parent), comments (status, thread parent, author
email kept for staff and never public), categories (name, slug, parent), authors (inactive
authors), media (one ready item per image attachment). Exits 1 listing every difference. Standard library only.
"""

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

ADMIN = ("admin@sahifa.test", "a long admin password for the round trip")
problems = []


def fail(message):
    problems.append(message)
    print(f"  DIFF {message}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sahifa:
    def __init__(self, binary, workdir, database_url, media_dir):
        self.binary, self.workdir, self.media_dir = binary, workdir, media_dir
        self.port = free_port()
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "DATABASE_URL": database_url,
            "SAHIFA_BIND": f"127.0.0.1:{self.port}",
            "SAHIFA_ADMIN_EMAIL": ADMIN[0],
            "SAHIFA_ADMIN_PASSWORD": ADMIN[1],
            "SAHIFA_WORKERS": "1",
            "RUST_LOG": "warn",
        }
        self.server = subprocess.Popen(
            [binary, "serve"], cwd=workdir, env=self.env,
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(workdir, "server.log"), "w"))
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{self.base()}/ready", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        else:
            sys.exit("the server did not become ready; see server.log")
        self.token = self.call("POST", "/api/v1/auth/login",
                               {"email": ADMIN[0], "password": ADMIN[1]})[1]["access_token"]

    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def call(self, method, path, body=None, staff=False):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base() + path, data=data, method=method)
        if data:
            request.add_header("Content-Type", "application/json")
        if staff:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def get(self, path, staff=False):
        return self.call("GET", path, staff=staff)

    def items(self, path):
        """Every item of a paginated list, as staff."""
        found, page = [], 1
        while True:
            sep = "&" if "?" in path else "?"
            status, body = self.get(f"{path}{sep}per_page=100&page={page}", staff=True)
            assert status == 200, (path, status, body)
            found += body["data"]
            if page * 100 >= body["meta"]["total"]:
                return found
            page += 1

    def redirect(self, old, staff=False):
        status, body = self.get("/api/v1/redirects?path=" + urllib.parse.quote(old, safe=""), staff)
        return body if status == 200 else None

    def run_import(self, export, report):
        out = subprocess.run(
            [self.binary, "import", "wordpress", export, "--report", report,
             "--media-dir", self.media_dir],
            cwd=self.workdir, env=self.env, capture_output=True, text=True)
        print(out.stdout, end="")
        if out.returncode != 0:
            sys.exit(f"import of {export} failed: {out.stderr}")
        with open(report) as f:
            return json.load(f)

    def media_when_ready(self, timeout=120):
        """Every media item, once the server's job runner has made their renditions."""
        deadline = time.time() + timeout
        while True:
            items = self.items("/api/v1/media")
            if all(item["status"] == "ready" for item in items) or time.time() > deadline:
                return items
            time.sleep(0.2)

    def everything(self):
        views = []
        for path in ["/api/v1/articles?status=any", "/api/v1/sections", "/api/v1/tags",
                     "/api/v1/users", "/api/v1/pages?status=any"] + [
                f"/api/v1/comments?status={s}" for s in ("pending", "approved", "spam", "trash")]:
            views.append(self.items(path))
        return views

    def stop(self):
        self.server.terminate()
        self.server.wait(timeout=30)


def slug_form(slug):
    """WordPress's slug in Sahifa's slug form: Arabic-Indic digits as ASCII digits, no
    punctuation (`رؤية-٢٠٣٠-ماذا؟` → `رؤية-2030-ماذا`); the old permalink still leads there."""
    slug = re.sub("[\u0660-\u0669]", lambda m: str(ord(m.group()) - 0x660), slug)
    slug = re.sub("[\u06F0-\u06F9]", lambda m: str(ord(m.group()) - 0x6F0), slug)
    slug = re.sub(r"[^\w-]", "", slug)
    return re.sub("-+", "-", slug).strip("-")


def same_slug(label, mine, wordpress):
    if mine == wordpress:
        return
    if mine == slug_form(wordpress):
        print(f"  note {label}: slug {wordpress!r} kept in slug form {mine!r}")
        return
    fail(f"{label}: slug {mine!r}, WordPress has {wordpress!r}")


# The tables an import writes. (The running server's own upkeep writes `jobs` and trims the
# search change log at any moment, so those are left out of the comparison.)
CONTENT_TABLES = ["users", "sections", "articles", "article_tags", "tags", "comments", "pages",
                  "slug_redirects", "legacy_paths", "import_map", "media"]


def table_checksums(database_url):
    """A checksum of every content table's rows, in a stable order."""
    sums = {}
    if database_url.startswith("sqlite:"):
        import hashlib
        import sqlite3
        db = sqlite3.connect(database_url[len("sqlite:"):])
        for table in CONTENT_TABLES:
            rows = sorted(repr(row) for row in db.execute(f"SELECT * FROM {table}"))
            sums[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        db.close()
    else:
        for table in CONTENT_TABLES:
            query = f"SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM {table} t"
            sums[table] = subprocess.run(["psql", database_url, "-Atc", query], check=True,
                                         capture_output=True, text=True).stdout.strip()
    return sums


def iso(gmt):
    return gmt.replace(" ", "T") + "Z" if gmt else None


def compare(sahifa, expected):
    library = sahifa.media_when_ready()
    by_id = {c["ID"]: c for c in expected["posts"]}
    attachments = {a["ID"]: a for a in expected["attachments"]}
    comments_of = {}
    for c in expected["comments"]:
        comments_of.setdefault(c["comment_post_ID"], []).append(c)
    articles = {a["id"]: a for a in sahifa.items("/api/v1/articles?status=any")}
    pages = {p["id"]: p for p in sahifa.items("/api/v1/pages?status=any")}
    sections = {s["id"]: s for s in sahifa.items("/api/v1/sections")}
    checked = {"posts": 0, "pages": 0, "comments": 0}

    for post in expected["posts"]:
        wp_id, kind, status = post["ID"], post["post_type"], post["post_status"]
        marker = "?p=" if kind == "post" else "?page_id="
        found = sahifa.redirect(f"/{marker}{wp_id}", staff=True)
        label = f"{kind} {wp_id} ({post['post_title'][:30]})"
        if status == "trash":
            if found:
                fail(f"{label}: in the trash, but imported")
            continue
        if not found:
            fail(f"{label}: not imported")
            continue
        if kind == "post":
            checked["posts"] += 1
            article = articles.get(found["id"])
            if article is None:
                fail(f"{label}: its article {found['id']} is not listed")
                continue
            protected = bool(post["post_password"])
            want_status = {"publish": "draft" if protected else "published", "future": "published",
                           "draft": "draft", "pending": "review", "private": "draft"}[status]
            if article["status"] != want_status:
                fail(f"{label}: status {article['status']}, expected {want_status}")
            if article["title"] != post["post_title"]:
                fail(f"{label}: title {article['title']!r}")
            if post["post_name_decoded"]:
                same_slug(label, article["slug"], post["post_name_decoded"])
            if want_status == "published" and article["published_at"] != iso(post["post_date_gmt"]):
                fail(f"{label}: published_at {article['published_at']}, expected {iso(post['post_date_gmt'])}")
            section = sections.get(article["section"]["id"], {})
            leaves = [path.split("/")[-1] for path in post["categories"]]
            if leaves and section.get("slug") not in leaves:
                fail(f"{label}: section {section.get('slug')!r}, not one of {leaves}")
            tags = sorted(article.get("tags", []))
            if tags != sorted(post["tags"]):
                fail(f"{label}: tags {tags}, expected {sorted(post['tags'])}")
            if post["featured_image"]:
                attachment = attachments[post["featured_image"]]
                media = article.get("featured_media") or {}
                if media.get("alt") != attachment["alt"] or not media.get("renditions"):
                    fail(f"{label}: featured media {media}, expected the item of {attachment['url']}")
            if "wp-content/uploads" in article.get("body_html", ""):
                fail(f"{label}: the body still links to the old uploads")
            approved = [c for c in comments_of.get(wp_id, [])
                        if c["in_wxr"] and c["comment_approved"] == "1" and c["comment_type"] in ("comment", "")]
            if article["comment_count"] != len(approved):
                fail(f"{label}: comment_count {article['comment_count']}, expected {len(approved)} "
                     f"(WordPress stores {post['comment_count']}, pingbacks included)")
            public = sahifa.redirect(post["permalink"])
            visible = want_status == "published" and status == "publish"
            if visible and (not public or public["id"] != article["id"]):
                fail(f"{label}: its permalink {post['permalink']} leads to {public}")
            if not visible and public:
                fail(f"{label}: an unpublished post's permalink answers readers: {public}")
        else:
            checked["pages"] += 1
            page = pages.get(found["id"])
            if page is None:
                fail(f"{label}: its page {found['id']} is not listed")
                continue
            want_status = "published" if status == "publish" and not post["post_password"] else "draft"
            if page["status"] != want_status:
                fail(f"{label}: status {page['status']}, expected {want_status}")
            if page["title"] != post["post_title"]:
                fail(f"{label}: title {page['title']!r}")
            if post["post_name_decoded"]:
                same_slug(label, page["slug"], post["post_name_decoded"])
            if post["post_parent"]:
                parent = sahifa.redirect(f"/?page_id={post['post_parent']}", staff=True)
                if not parent or page["parent_id"] != parent["id"]:
                    fail(f"{label}: parent {page['parent_id']}, expected the page of {post['post_parent']}")

    staff_comments = {}
    for state in ("pending", "approved", "spam", "trash"):
        for c in sahifa.items(f"/api/v1/comments?status={state}"):
            staff_comments.setdefault(c["body"], []).append(c)
    by_comment_id = {c["comment_ID"]: c for c in expected["comments"]}
    for c in expected["comments"]:
        post = by_id.get(c["comment_post_ID"], {})
        if not c["in_wxr"] or c["comment_type"] not in ("comment", "") or post.get("post_type") != "post" \
                or post.get("post_status") == "trash":
            continue
        checked["comments"] += 1
        label = f"comment {c['comment_ID']} ({c['comment_content'][:25]})"
        matches = staff_comments.get(c["comment_content"].strip(), [])
        if len(matches) != 1:
            fail(f"{label}: found {len(matches)} times")
            continue
        mine = matches[0]
        want = {"1": "approved", "0": "pending", "spam": "spam", "trash": "trash"}[c["comment_approved"]]
        if mine["status"] != want:
            fail(f"{label}: status {mine['status']}, expected {want}")
        if mine.get("author_email") != c["comment_author_email"]:
            fail(f"{label}: staff see email {mine.get('author_email')!r}")
        if c["comment_parent"]:
            parent_text = by_comment_id[c["comment_parent"]]["comment_content"].strip()
            parents = staff_comments.get(parent_text, [])
            if not parents or mine["parent_id"] != parents[0]["id"]:
                fail(f"{label}: parent {mine['parent_id']}, expected the comment {c['comment_parent']}")

    # Readers never see a commenter's email or address.
    for article in articles.values():
        if article["status"] == "published":
            status, body = sahifa.get(f"/api/v1/articles/{article['id']}/comments?per_page=100")
            text = json.dumps(body, ensure_ascii=False)
            for c in expected["comments"]:
                if c["comment_author_email"] and c["comment_author_email"] in text:
                    fail(f"a commenter's email is public on article {article['id']}")

    by_slug = {s["slug"]: s for s in sections.values()}
    by_term = {t["term_id"]: t for t in expected["categories"]}
    for category in expected["categories"]:
        section = by_slug.get(category["slug_decoded"])
        if section is None:
            fail(f"category {category['slug_decoded']}: no section")
            continue
        if section["name"] != category["name"]:
            fail(f"category {category['slug_decoded']}: name {section['name']!r}")
        parent = by_term.get(category["parent"])
        want_parent = by_slug.get(parent["slug_decoded"], {}).get("id") if parent else None
        if section["parent_id"] != want_parent:
            fail(f"category {category['slug_decoded']}: parent {section['parent_id']}, expected {want_parent}")

    users = {u["display_name"]: u for u in sahifa.items("/api/v1/users")}
    for user in expected["users"]:
        mine = users.get(user["display_name"])
        if mine is None:
            fail(f"user {user['user_login']}: not imported")
        elif mine["active"] or mine["role"] != "author":
            fail(f"user {user['user_login']}: active={mine['active']} role={mine['role']}")
    images = [a for a in expected["attachments"] if a["post_mime_type"].startswith("image/")]
    if len(library) != len(images) or any(m["status"] != "ready" for m in library):
        fail(f"media: {[(m['filename'], m['status']) for m in library]}, expected the "
             f"{len(images)} image attachments, ready")
    print(f"  compared {checked['posts']} posts, {checked['pages']} pages, {checked['comments']} comments, "
          f"{len(expected['categories'])} categories, {len(expected['users'])} users")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    binary, out = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    work = tempfile.mkdtemp(prefix="sahifa-wp-roundtrip.")
    database_url = sys.argv[3] if len(sys.argv) > 3 else f"sqlite:{work}/sahifa.db"
    sahifa = Sahifa(binary, work, database_url, os.path.join(out, "uploads"))
    try:
        load = lambda name: json.load(open(os.path.join(out, name)))
        print("== import export-1.xml")
        first = sahifa.run_import(os.path.join(out, "export-1.xml"), f"{work}/report-1.json")
        compare(sahifa, load("expected-1.json"))

        print("== the same export again")
        sahifa.media_when_ready()
        before = sahifa.everything()
        sums = table_checksums(database_url)
        again = sahifa.run_import(os.path.join(out, "export-1.xml"), f"{work}/report-2.json")
        for kind, counts in again["counts"].items():
            if counts["imported"] or counts["updated"]:
                fail(f"second run: {kind} {counts}")
        if sahifa.everything() != before:
            fail("second run: what editors see changed")
        changed = [t for t, sum_ in table_checksums(database_url).items() if sums[t] != sum_]
        if changed:
            fail(f"second run: the tables {changed} changed")
        else:
            print(f"  second run: {len(sums)} tables unchanged, checksum by checksum")

        print("== export-2.xml (edited in WordPress after the first export)")
        newer = sahifa.run_import(os.path.join(out, "export-2.xml"), f"{work}/report-3.json")
        if newer["counts"]["posts"]["updated"] < 1 or newer["counts"]["posts"]["imported"] < 1:
            fail(f"newer export: posts {newer['counts']['posts']}")
        compare(sahifa, load("expected.json"))
    finally:
        sahifa.stop()
    if problems:
        print(f"roundtrip: {len(problems)} difference(s)")
        sys.exit(1)
    print(f"roundtrip: every item matches ({first['counts']})")


if __name__ == "__main__":
    main()
