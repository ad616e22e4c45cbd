#!/usr/bin/env python3
"""Writes a large, realistic WXR 1.2 export for timing `sahifa import wordpress`.

    bench/wordpress/generate.py OUT.xml [POSTS] [COMMENTS_PER_POST]

Defaults: 100,000 posts with 3 comments each (300,000 comments), 20 authors, 60 nested
categories, 500 tags, Arabic titles and classic-editor bodies of ~1.5 KB with a [caption]
every tenth post, threaded comments (every third one a reply). Deterministic.
"""

import random
import sys
from urllib.parse import quote

SITE = "https://archive.example"
WORDS = ("الحكومة الاقتصاد النفط الخليج القمة الوزير المنتخب السوق الأسعار البنك المركزي "
         "الانتخابات البرلمان المدينة الصحة التعليم الطاقة المياه الزراعة السياحة الرياضة "
         "الثقافة الإعلام التقنية الشركات المستثمرين الاتفاق التعاون الأمن المنطقة العالم").split()


def cdata(text):
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def sentence(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n)) + "."


def main():
    out = sys.argv[1]
    posts = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    per_post = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    rng = random.Random(20261204)
    with open(out, "w", encoding="utf-8") as f:
        w = f.write
        w('<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" '
          'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
          'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
          'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
          'xmlns:dc="http://purl.org/dc/elements/1.1/" '
          'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n')
        w(f"<title>أرشيف</title><link>{SITE}</link><wp:wxr_version>1.2</wp:wxr_version>"
          f"<wp:base_site_url>{SITE}</wp:base_site_url><wp:base_blog_url>{SITE}</wp:base_blog_url>\n")
        for a in range(1, 21):
            w(f"<wp:author><wp:author_id>{a}</wp:author_id><wp:author_login>{cdata(f'writer{a}')}"
              f"</wp:author_login><wp:author_email>{cdata(f'writer{a}@archive.example')}</wp:author_email>"
              f"<wp:author_display_name>{cdata(f'كاتب {a}')}</wp:author_display_name></wp:author>\n")
        categories = []
        for c in range(1, 61):
            slug = quote(f"قسم-{c}").lower()
            parent = categories[(c - 1) // 4 - 1] if c > 10 else ""
            categories.append(slug)
            w(f"<wp:category><wp:term_id>{c}</wp:term_id><wp:category_nicename>{cdata(slug)}"
              f"</wp:category_nicename><wp:category_parent>{cdata(parent)}</wp:category_parent>"
              f"<wp:cat_name>{cdata(f'قسم {c}')}</wp:cat_name></wp:category>\n")
        tags = [f"وسم {t}" for t in range(1, 501)]
        for t, name in enumerate(tags, 1):
            w(f"<wp:tag><wp:term_id>{1000 + t}</wp:term_id><wp:tag_slug>{cdata(quote(name.replace(' ', '-')).lower())}"
              f"</wp:tag_slug><wp:tag_name>{cdata(name)}</wp:tag_name></wp:tag>\n")
        comment_id = 0
        for p in range(1, posts + 1):
            post_id = 10_000 + p
            year, month, day = 2006 + p * 20 // posts, 1 + p % 12, 1 + p % 28
            title = f"{sentence(rng, 6)[:-1]} {p}"
            slug = quote(title.replace(" ", "-")).lower()
            paragraphs = [sentence(rng, 18) for _ in range(6)]
            if p % 10 == 0:
                paragraphs.insert(1, f'[caption id="attachment_{p}" width="640"]<img src="{SITE}/wp-content/'
                                     f'uploads/{year}/{month:02}/p{p}.jpg" /> {sentence(rng, 5)}[/caption]')
            body = "\n\n".join(paragraphs)
            date = f"{year}-{month:02}-{day:02} {p % 24:02}:{p % 60:02}:00"
            cats = "".join(
                f'<category domain="category" nicename="{s}">{cdata("قسم")}</category>'
                for s in rng.sample(categories, 2))
            post_tags = "".join(
                f'<category domain="post_tag" nicename="t">{cdata(t)}</category>'
                for t in rng.sample(tags, 3))
            w(f"<item><title>{cdata(title)}</title><link>{SITE}/{year}/{month:02}/{day:02}/{slug}/</link>"
              f"<dc:creator>{cdata(f'writer{1 + p % 20}')}</dc:creator>"
              f'<guid isPermaLink="false">{SITE}/?p={post_id}</guid>'
              f"<content:encoded>{cdata(body)}</content:encoded><excerpt:encoded>{cdata('')}</excerpt:encoded>"
              f"<wp:post_id>{post_id}</wp:post_id><wp:post_date>{cdata(date)}</wp:post_date>"
              f"<wp:post_date_gmt>{cdata(date)}</wp:post_date_gmt><wp:comment_status>{cdata('open')}</wp:comment_status>"
              f"<wp:post_name>{cdata(slug)}</wp:post_name><wp:status>{cdata('publish')}</wp:status>"
              f"<wp:post_parent>0</wp:post_parent><wp:menu_order>0</wp:menu_order>"
              f"<wp:post_type>{cdata('post')}</wp:post_type><wp:post_password>{cdata('')}</wp:post_password>"
              f"<wp:is_sticky>0</wp:is_sticky>{cats}{post_tags}\n")
            first = comment_id + 1
            for n in range(per_post):
                comment_id += 1
                parent = first if n % 3 == 2 else 0
                approved = "1" if n % 5 else "0"
                w(f"<wp:comment><wp:comment_id>{comment_id}</wp:comment_id>"
                  f"<wp:comment_author>{cdata(f'قارئ {comment_id % 997}')}</wp:comment_author>"
                  f"<wp:comment_author_email>{cdata(f'r{comment_id}@mail.example')}</wp:comment_author_email>"
                  f"<wp:comment_author_url></wp:comment_author_url>"
                  f"<wp:comment_author_IP>{cdata('192.0.2.1')}</wp:comment_author_IP>"
                  f"<wp:comment_date>{cdata(date)}</wp:comment_date><wp:comment_date_gmt>{cdata(date)}</wp:comment_date_gmt>"
                  f"<wp:comment_content>{cdata(sentence(rng, 12))}</wp:comment_content>"
                  f"<wp:comment_approved>{cdata(approved)}</wp:comment_approved>"
                  f"<wp:comment_type>{cdata('comment')}</wp:comment_type>"
                  f"<wp:comment_parent>{parent}</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id>"
                  f"</wp:comment>\n")
            w("</item>\n")
        w("</channel>\n</rss>\n")


if __name__ == "__main__":
    main()
