//! How deeply a piece of HTML nests its elements, measured in one linear pass.
//!
//! The HTML sanitizer (html5ever's tree builder, inside ammonia) does work proportional to
//! the depth of the tree for every start tag it meets, so a deeply nested document costs the
//! square of its length: `<div>` × 39,000 took 5 s, and the Markdown `>` × 70,000 (70,000
//! nested block quotes) 35 s. Rendered Markdown is measured here before it is sanitized:
//! block quotes, lists, emphasis and raw HTML all end up as nested elements.
//!
//! The measure follows the tree builder closely enough to be a safe upper bound: void
//! elements never nest, an end tag closes everything opened after its element, and the
//! elements HTML closes implicitly (`<p>`, `<li>`, table cells …) close their open sibling.
//! It may overcount odd markup (it does not model every parsing rule), never undercount the
//! nesting of well-formed markup.

/// Elements that never have content.
const VOID: [&str; 16] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param",
    "source", "track", "wbr", "frame",
];

/// Elements the tree builder keeps "active" after their parent closes, and re-opens before
/// later text: unclosed ones pile up even when the tree looks shallow (`<p><b id=1></p>` ×
/// 10,000 would re-open thousands of `<b>` before every word).
const FORMATTING: [&str; 14] = [
    "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
];

/// The open elements a start tag closes (HTML's implied end tags), popped while one of them
/// is the innermost open element, so unclosed siblings do not pile up.
fn implicitly_closed(name: &str) -> &'static [&'static str] {
    match name {
        "li" => &["p", "li"],
        "dt" | "dd" => &["p", "dt", "dd"],
        "td" | "th" => &["td", "th"],
        "tr" => &["td", "th", "tr"],
        "thead" | "tbody" | "tfoot" => &["td", "th", "tr", "thead", "tbody", "tfoot"],
        "option" => &["option"],
        "optgroup" => &["option", "optgroup"],
        "rb" | "rt" | "rp" | "rtc" => &["rb", "rt", "rp", "rtc"],
        name if name == "p" || CLOSES_P.contains(&name) => &["p"],
        _ => &[],
    }
}

/// Block elements whose start tag closes an open `<p>`.
const CLOSES_P: [&str; 29] = [
    "address",
    "article",
    "aside",
    "blockquote",
    "details",
    "dialog",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "main",
    "menu",
    "nav",
    "ol",
    "pre",
    "section",
    "table",
];

/// Whether `html` nests elements more than `limit` deep, or leaves more than `limit`
/// formatting elements unclosed.
#[must_use]
pub fn deeper_than(html: &str, limit: usize) -> bool {
    let bytes = html.as_bytes();
    let mut open: Vec<String> = Vec::new();
    let mut formatting = 0usize;
    let mut i = 0;
    while let Some(offset) = memchr_lt(&bytes[i..]) {
        i += offset + 1;
        match bytes.get(i) {
            Some(b'!') => i = skip_declaration(bytes, i),
            Some(b'?') => i = skip_to(bytes, i, b">"),
            Some(b'/') => {
                let (name, end) = tag_name(bytes, i + 1);
                i = skip_tag(bytes, end);
                if FORMATTING.contains(&name.as_str()) {
                    formatting = formatting.saturating_sub(1);
                }
                if let Some(at) = open.iter().rposition(|o| *o == name) {
                    open.truncate(at);
                }
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let (name, end) = tag_name(bytes, i);
                i = skip_tag(bytes, end);
                if VOID.contains(&name.as_str()) {
                    continue;
                }
                if FORMATTING.contains(&name.as_str()) {
                    formatting += 1;
                }
                close_implied(&mut open, &name);
                open.push(name);
                if open.len() > limit || formatting > limit {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

fn memchr_lt(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'<')
}

/// Closes the open elements that a start tag of `name` ends implicitly.
fn close_implied(open: &mut Vec<String>, name: &str) {
    let closed = implicitly_closed(name);
    while open
        .last()
        .is_some_and(|top| closed.contains(&top.as_str()))
    {
        open.pop();
    }
}

/// The lower-cased tag name starting at `start`, and where it ends.
fn tag_name(bytes: &[u8], start: usize) -> (String, usize) {
    let end = bytes[start..]
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'-' || *b == b':'))
        .map_or(bytes.len(), |n| start + n);
    let name = String::from_utf8_lossy(&bytes[start..end]).to_ascii_lowercase();
    (name, end)
}

/// Past the `>` that ends a tag, skipping quoted attribute values.
fn skip_tag(bytes: &[u8], mut i: usize) -> usize {
    let mut quote = None;
    while i < bytes.len() {
        match (quote, bytes[i]) {
            (None, b'>') => return i + 1,
            (None, q @ (b'"' | b'\'')) => quote = Some(q),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
        i += 1;
    }
    i
}

/// Past a comment (`<!-- … -->`) or another declaration (`<!DOCTYPE …>`).
fn skip_declaration(bytes: &[u8], i: usize) -> usize {
    if bytes[i..].starts_with(b"!--") {
        skip_to(bytes, i + 3, b"-->")
    } else {
        skip_to(bytes, i, b">")
    }
}

fn skip_to(bytes: &[u8], from: usize, end: &[u8]) -> usize {
    bytes[from..]
        .windows(end.len())
        .position(|w| w == end)
        .map_or(bytes.len(), |n| from + n + end.len())
}

#[cfg(test)]
mod tests {
    use super::deeper_than;

    #[test]
    fn nested_elements_count_and_closed_ones_do_not() {
        assert!(!deeper_than(&"<div>".repeat(64), 64));
        assert!(deeper_than(&"<div>".repeat(65), 64));
        assert!(!deeper_than(&"<div>x</div>".repeat(10_000), 64));
        assert!(deeper_than(&"<blockquote>\n".repeat(100), 64));
        assert!(!deeper_than(&"<p>a<br><img src=x></p>".repeat(100), 3));
    }

    #[test]
    fn implied_end_tags_close_siblings() {
        // Unclosed paragraphs and list items, as older HTML writes them.
        assert!(!deeper_than(&"<p>paragraph ".repeat(500), 2));
        assert!(!deeper_than(
            &format!("<ul>{}</ul>", "<li>item ".repeat(500)),
            3
        ));
        assert!(!deeper_than(
            &format!("<p>a{}", "<div>b</div>".repeat(100)),
            2
        ));
        assert!(!deeper_than(
            &format!("<table>{}</table>", "<tr><td>a<td>b".repeat(100)),
            4
        ));
    }

    #[test]
    fn comments_quotes_and_end_tags_without_a_start_are_harmless() {
        assert!(!deeper_than("<!-- <div><div><div> -->", 1));
        assert!(!deeper_than(r#"<a title="<b><b><b>">x</a>"#, 1));
        assert!(!deeper_than(&"</div>".repeat(1000), 0));
        assert!(!deeper_than("<", 0));
        assert!(!deeper_than("<a", 1));
        assert!(deeper_than("<DIV><Div><div>", 2));
    }

    #[test]
    fn formatting_left_open_counts_even_when_its_parent_closes() {
        assert!(deeper_than(&"<p><b id=1>x</p>".repeat(100), 64));
        assert!(!deeper_than(&"<p><b>x</b></p>".repeat(100), 2));
    }
}
