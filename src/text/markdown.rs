//! Markdown to safe HTML: rendered by pulldown-cmark, then sanitized by ammonia.
//!
//! Authors may write raw HTML inside Markdown (CommonMark allows it); the sanitizer is what
//! makes that safe: no `<script>`, `<style>` or `<iframe>`, no event-handler attributes, no
//! `javascript:` or `data:` URLs, and every link gets `rel="noopener noreferrer"`.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, Parser, Tag, html};

use super::excerpt::markdown_options;

/// The sanitizer, configured once. ammonia's defaults already drop scripts, styles and
/// event handlers; the URL schemes are narrowed to the ones an article links to. ammonia
/// checks schemes only in the attributes browsers follow, so `cite` (a URL it keeps on
/// quotes and edits, and that scripts may turn into links) is dropped.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    for tag in ["blockquote", "q", "del", "ins"] {
        builder.rm_tag_attributes(tag, &["cite"]);
    }
    builder
        .url_schemes(HashSet::from(["http", "https", "mailto", "tel"]))
        .link_rel(Some("noopener noreferrer"))
        .add_generic_attributes(["dir", "lang"]);
    builder
});

/// How deeply a body may nest block quotes, lists, emphasis and HTML elements. Real articles
/// stay under ten; the sanitizer's cost grows with the square of the depth.
pub const MAX_NESTING: usize = 64;

/// A body nested deeper than [`MAX_NESTING`]: refused before it is sanitized.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "nests block quotes, lists, emphasis or HTML elements more than {MAX_NESTING} levels deep \
     (the limit is {MAX_NESTING})"
)]
pub struct TooDeep;

/// Renders `markdown` to sanitized HTML, or refuses it when it nests too deeply to sanitize
/// in linear time (see [`super::nesting`]).
pub fn render(markdown: &str) -> Result<String, TooDeep> {
    render_with_images(markdown, &HashMap::new())
}

/// The scheme of an inline image from the media library: `![alt](media:12)`.
pub const MEDIA_SCHEME: &str = "media:";

/// [`render`], with each `media:ID` image pointing at `images[ID]` (an image naming no
/// known item loses its source, as any URL of an unknown scheme does).
pub fn render_with_images(
    markdown: &str,
    images: &HashMap<i64, String>,
) -> Result<String, TooDeep> {
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    let events = Parser::new_ext(markdown, markdown_options()).map(|event| match event {
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let dest_url = media_id(&dest_url)
                .and_then(|n| images.get(&n))
                .map_or(dest_url, |url| CowStr::from(url.clone()));
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            })
        }
        other => other,
    });
    html::push_html(&mut unsafe_html, events);
    sanitize(&unsafe_html)
}

/// The media items a body shows inline, in order of first appearance.
pub fn media_references(markdown: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    for event in Parser::new_ext(markdown, markdown_options()) {
        if let Event::Start(Tag::Image { dest_url, .. }) = event
            && let Some(id) = media_id(&dest_url)
            && !ids.contains(&id)
        {
            ids.push(id);
        }
    }
    ids
}

fn media_id(url: &str) -> Option<i64> {
    url.strip_prefix(MEDIA_SCHEME)?
        .parse()
        .ok()
        .filter(|id| *id > 0)
}

/// Sanitizes HTML with the same allowlist as rendered Markdown, or refuses it when it nests
/// too deeply.
pub fn sanitize(unsafe_html: &str) -> Result<String, TooDeep> {
    if super::nesting::deeper_than(unsafe_html, MAX_NESTING) {
        return Err(TooDeep);
    }
    Ok(SANITIZER.clean(unsafe_html).to_string())
}

#[cfg(test)]
mod tests {
    use super::{MAX_NESTING, TooDeep};

    fn render(markdown: &str) -> String {
        super::render(markdown).unwrap()
    }

    #[test]
    fn nesting_past_the_limit_is_refused_before_sanitizing() {
        let deep = |n: usize| format!("{} x", ">".repeat(n));
        // The innermost paragraph is a level too.
        assert!(super::render(&deep(MAX_NESTING - 1)).is_ok());
        assert_eq!(super::render(&deep(MAX_NESTING + 1)), Err(TooDeep));
        assert_eq!(super::render(&deep(70_000)), Err(TooDeep));
        assert_eq!(super::render(&"<div>".repeat(39_000)), Err(TooDeep));
        assert_eq!(
            super::render(&format!("{}x", "- ".repeat(10_000))),
            Err(TooDeep)
        );
    }

    /// What must never survive sanitizing, whatever the input.
    pub(crate) fn is_dangerous(html: &str) -> bool {
        let lower = html.to_lowercase();
        lower.contains("<script")
            || lower.contains("javascript:")
            || lower.contains("data:")
            || lower.contains("<iframe")
            || lower.contains("<style")
            || lower
                .split('<')
                .skip(1)
                .any(|tag| tag.split('>').next().unwrap_or("").contains(" on"))
    }

    #[test]
    fn markdown_becomes_html() {
        let html = render("# عنوان\n\nنص **مهم** و[رابط](https://example.com).");
        assert!(html.contains("<h1>عنوان</h1>"), "{html}");
        assert!(html.contains("<strong>مهم</strong>"), "{html}");
        assert!(
            html.contains(r#"<a href="https://example.com" rel="noopener noreferrer">رابط</a>"#),
            "{html}"
        );
    }

    #[test]
    fn hostile_markdown_is_defused() {
        for hostile in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[click](javascript:alert(1))",
            "[click](JaVaScRiPt:alert(1))",
            "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "![x](data:image/svg+xml;base64,PHN2Zz4=)",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<div onclick=\"steal()\">x</div>",
            "<svg><script>alert(1)</script></svg>",
            "<style>body{display:none}</style>",
            "<a href=\"&#106;avascript:alert(1)\">x</a>",
            "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
        ] {
            let html = render(hostile);
            assert!(!is_dangerous(&html), "{hostile} → {html}");
        }
    }

    #[test]
    fn links_get_noopener_and_direction_attributes_survive() {
        let html =
            render("<p dir=\"rtl\" lang=\"ar\">نص</p>\n\n<a href=\"https://x.example\">x</a>");
        assert!(html.contains("dir=\"rtl\""), "{html}");
        assert!(html.contains("rel=\"noopener noreferrer\""), "{html}");
    }
}
