//! WordPress post content as HTML Sahifa can store.
//!
//! A WXR export holds post content as WordPress stores it, not as it shows it: classic-editor
//! posts have no paragraph tags (WordPress adds them on every page view, with `wpautop`),
//! block-editor posts carry the editor's delimiter comments, and both hold shortcodes that only
//! the site they came from can render. [`convert`] does once, at import, what WordPress would do
//! on display for the shortcodes WordPress itself defines, and counts the others so that an
//! import can report which plugins' content stays behind as text.
//!
//! The input is untrusted. Every scan is linear in the content: closing tags are looked up in
//! indexes built once, because searching for them again from every opener would let content
//! with thousands of unclosed openers take quadratic time. Nothing here panics.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use regex::Regex;

/// Content converted for storage as HTML (before sanitizing, which the caller does).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Converted {
    /// The post's HTML.
    pub html: String,
    /// Shortcodes left as text, by name, with how many times each occurred.
    pub unknown_shortcodes: BTreeMap<String, usize>,
}

/// Whether content was written in the block editor: it holds a `<!-- wp:` delimiter.
#[must_use]
pub fn is_block_content(content: &str) -> bool {
    // The same test as WordPress's own `has_blocks()`, so posts are classified as WordPress
    // itself classified them when it decided whether to run `wpautop` on them.
    content.contains("<!-- wp:")
}

/// Converts one post's content: block delimiters removed, `[caption]`, `[gallery]`,
/// `[embed]` and `[video]` turned into HTML, automatic paragraphs applied to classic-editor
/// content (not to block content, whose HTML already has them), other shortcodes left as text
/// and counted by name.
/// `attachments` maps attachment ids (for `[gallery ids="1,2"]`) to their URL (and alt text).
#[must_use]
pub fn convert(content: &str, attachments: &dyn Fn(i64) -> Option<(String, String)>) -> Converted {
    let content = normalize_newlines(content);
    let block = is_block_content(&content);
    let stripped = strip_block_delimiters(&content);
    let mut unknown_shortcodes = BTreeMap::new();
    let expanded = expand_shortcodes(&stripped, attachments, &mut unknown_shortcodes);
    let html = if block {
        trim_space(&expanded).to_owned()
    } else {
        autop(&expanded)
    };
    Converted {
        html,
        unknown_shortcodes,
    }
}

/// WordPress's `wpautop`: blank-line separated text becomes `<p>` paragraphs, single newlines
/// inside a paragraph become `<br />`, block-level elements are not wrapped.
#[must_use]
pub fn autop(text: &str) -> String {
    let text = normalize_newlines(text);
    let mut paragraphs = Paragraphs::default();
    for token in tokenize(&text) {
        paragraphs.push(token);
    }
    paragraphs.finish()
}

fn normalize_newlines(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// `text` without leading and trailing ASCII whitespace.
fn trim_space(text: &str) -> &str {
    // ASCII only, as PHP's `trim` in WordPress: a no-break space or a direction mark at the
    // edge of Arabic text is content, not layout.
    text.trim_matches(|c: char| c.is_ascii_whitespace())
}

fn is_blank(text: &str) -> bool {
    trim_space(text).is_empty()
}

/// The first of `spans` (ordered by start) that starts at or after `from`.
fn first_from(spans: &[(usize, usize)], from: usize) -> Option<(usize, usize)> {
    spans
        .get(spans.partition_point(|&(start, _)| start < from))
        .copied()
}

fn pattern(source: &str) -> Regex {
    Regex::new(source).expect("the patterns in this module are valid")
}

/// A block delimiter (`<!-- wp:name {json} -->`, `<!-- /wp:name -->`, `<!-- wp:name /-->`),
/// with the spaces around it and the line break after it so that no whitespace-only line stays
/// behind. The JSON attributes may hold `>`, so only `-->` ends a delimiter.
static BLOCK_DELIMITER: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"(?is)[ \t]*<!--\s*/?wp:[a-z][a-z0-9_-]*(?:/[a-z][a-z0-9_-]*)?(?:\s.*?)?/?-->[ \t]*\n?",
    )
});

/// Two or more line breaks with only spaces between them.
static BLANK_LINES: LazyLock<Regex> = LazyLock::new(|| pattern(r"\n(?:[ \t]*\n)+"));

/// A `<pre>` element.
static PRE_ELEMENT: LazyLock<Regex> = LazyLock::new(|| pattern(r"(?is)<pre[\s>].*?</pre\s*>"));

fn strip_block_delimiters(content: &str) -> String {
    let stripped = BLOCK_DELIMITER.replace_all(content, "");
    collapse_blank_lines(&stripped)
}

/// `text` with runs of blank lines made one, except inside `<pre>`.
fn collapse_blank_lines(text: &str) -> String {
    // Delimiters of empty blocks (spacers, separators) leave stacks of blank lines behind; in
    // a `<pre>` the blank lines are the author's and stay.
    let mut collapsed = String::with_capacity(text.len());
    let mut copied = 0;
    for pre in PRE_ELEMENT.find_iter(text) {
        collapsed.push_str(&BLANK_LINES.replace_all(&text[copied..pre.start()], "\n\n"));
        collapsed.push_str(pre.as_str());
        copied = pre.end();
    }
    collapsed.push_str(&BLANK_LINES.replace_all(&text[copied..], "\n\n"));
    collapsed
}

type Attachments<'a> = &'a dyn Fn(i64) -> Option<(String, String)>;

/// A shortcode's attributes by lower-cased name.
type Attributes<'a> = HashMap<String, &'a str>;

/// A closing shortcode tag, `[/name]`.
static CLOSING_SHORTCODE: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"\[/([A-Za-z][A-Za-z0-9_-]*)\]"));

/// One shortcode attribute: `name="value"`, `name='value'` or `name=value`.
static ATTRIBUTE: LazyLock<Regex> =
    LazyLock::new(|| pattern(r#"([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+))"#));

/// The image of a `[caption]`, linked or not: the pattern of WordPress's
/// `img_caption_shortcode`.
static CAPTIONED_IMAGE: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"(?is)(?:<a\s[^>]*>\s*)?<img\s[^>]*>(?:\s*</a>)?"));

/// A character reference at the start of the text: `&amp;`, `&#39;`, `&#x27;`.
static CHARACTER_REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    pattern(r"^&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
});

/// The attributes `[video]` takes its source from, in order of preference.
const VIDEO_SOURCES: [&str; 5] = ["src", "mp4", "m4v", "webm", "ogv"];

/// An opening shortcode tag: `[name attributes]` or `[name attributes /]`.
struct Tag<'a> {
    /// Lower-cased.
    name: String,
    attributes: &'a str,
    self_closing: bool,
    /// Just after the tag's `]`.
    end: usize,
}

impl<'a> Tag<'a> {
    /// The tag opening at `open` (a `[` in `text`), if one does.
    fn parse(text: &'a str, open: usize) -> Option<Self> {
        let rest = text.get(open + 1..)?;
        let name_len = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
            .count();
        let name = &rest[..name_len];
        // A letter first keeps footnote marks (`[1]`) and years (`[2019]`) out.
        if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return None;
        }
        let after = &rest[name_len..];
        // Stricter than WordPress, which only knows its registered names: with any name
        // accepted, bracketed prose such as `[and/or]` or `[Editor's note]` must not count.
        if !(after.starts_with(|c: char| c.is_whitespace() || c == ']') || after.starts_with("/]"))
        {
            return None;
        }
        // Stopping at the next `[` keeps the scan linear: an unclosed `[name` never makes the
        // search run on past the next candidate.
        let close = after.find(['[', ']'])?;
        if !after[close..].starts_with(']') {
            return None;
        }
        let inside = &after[..close];
        let (attributes, self_closing) = match inside.trim_end().strip_suffix('/') {
            Some(attributes) => (attributes, true),
            None => (inside, false),
        };
        Some(Tag {
            name: name.to_ascii_lowercase(),
            attributes,
            self_closing,
            end: open + 1 + name_len + close + 1,
        })
    }
}

/// Where the closing shortcode tags of a text are, by lower-cased name, in order.
struct Closings(HashMap<String, Vec<(usize, usize)>>);

impl Closings {
    fn index(text: &str) -> Self {
        let mut spans: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        for captures in CLOSING_SHORTCODE.captures_iter(text) {
            if let (Some(whole), Some(name)) = (captures.get(0), captures.get(1)) {
                spans
                    .entry(name.as_str().to_ascii_lowercase())
                    .or_default()
                    .push((whole.start(), whole.end()));
            }
        }
        Self(spans)
    }

    /// The first `[/name]` at or after `from`: where it starts and ends.
    fn after(&self, name: &str, from: usize) -> Option<(usize, usize)> {
        first_from(self.0.get(name)?, from)
    }
}

/// What a shortcode becomes.
enum Outcome {
    /// Markup replacing the shortcode and its content.
    Html(String),
    /// Nothing: the shortcode has nothing to show (a gallery of unknown images). Counted.
    Dropped,
    /// Its opening tag as written, as text. Counted.
    Kept,
}

/// `text` with its shortcodes converted; those left as text are counted into `unknown`.
fn expand_shortcodes(
    text: &str,
    attachments: Attachments<'_>,
    unknown: &mut BTreeMap<String, usize>,
) -> String {
    let closings = Closings::index(text);
    let mut expanded = String::with_capacity(text.len());
    let (mut copied, mut at) = (0, 0);
    while let Some(offset) = text[at..].find('[') {
        let open = at + offset;
        at = open + 1;
        if let Some((replacement, end)) = shortcode_at(text, open, &closings, attachments, unknown)
        {
            expanded.push_str(&text[copied..open]);
            expanded.push_str(&replacement);
            (copied, at) = (end, end);
        }
    }
    expanded.push_str(&text[copied..]);
    expanded
}

/// What replaces the shortcode opening at `open` (a `[`), and where the shortcode ends; `None`
/// if no shortcode opens there.
fn shortcode_at(
    text: &str,
    open: usize,
    closings: &Closings,
    attachments: Attachments<'_>,
    unknown: &mut BTreeMap<String, usize>,
) -> Option<(String, usize)> {
    if text[open + 1..].starts_with('[') {
        return escaped_at(text, open + 1, closings);
    }
    let tag = Tag::parse(text, open)?;
    let enclosed = if tag.self_closing {
        None
    } else {
        closings.after(&tag.name, tag.end)
    };
    let content = enclosed.map(|(start, _)| &text[tag.end..start]);
    let end = enclosed.map_or(tag.end, |(_, end)| end);
    match convert_shortcode(&tag, content, attachments, unknown) {
        Outcome::Html(html) => Some((html, end)),
        Outcome::Dropped => {
            count(unknown, &tag.name);
            Some((String::new(), end))
        }
        Outcome::Kept => {
            count(unknown, &tag.name);
            Some((text[open..tag.end].to_owned(), tag.end))
        }
    }
}

/// `[[name]]` or `[[name]…[/name]]`, WordPress's way of writing a shortcode as text, whose
/// inner tag starts at `inner`: the text without its outer brackets, and where it ends.
fn escaped_at(text: &str, inner: usize, closings: &Closings) -> Option<(String, usize)> {
    let tag = Tag::parse(text, inner)?;
    let end = if text[tag.end..].starts_with(']') {
        tag.end
    } else {
        let (_, close_end) = closings.after(&tag.name, tag.end)?;
        text[close_end..].starts_with(']').then_some(close_end)?
    };
    Some((text[inner..end].to_owned(), end + 1))
}

fn count(unknown: &mut BTreeMap<String, usize>, name: &str) {
    *unknown.entry(name.to_owned()).or_default() += 1;
}

fn convert_shortcode(
    tag: &Tag<'_>,
    content: Option<&str>,
    attachments: Attachments<'_>,
    unknown: &mut BTreeMap<String, usize>,
) -> Outcome {
    let attributes = parse_attributes(tag.attributes);
    match tag.name.as_str() {
        // WordPress registers `wp_caption` as well, and old exports still use it.
        "caption" | "wp_caption" => {
            // WordPress expands shortcodes inside a caption too.
            let content = expand_shortcodes(content.unwrap_or(""), attachments, unknown);
            Outcome::Html(caption(&attributes, &content))
        }
        "gallery" => gallery(&attributes, attachments),
        "embed" => embed(content),
        "video" => video(&attributes),
        _ => Outcome::Kept,
    }
}

/// Attributes in any of the three forms WordPress accepts; for a repeated name the last wins,
/// as in WordPress.
fn parse_attributes(text: &str) -> Attributes<'_> {
    ATTRIBUTE
        .captures_iter(text)
        .filter_map(|captures| {
            let name = captures.get(1)?.as_str().to_lowercase();
            let value = captures
                .get(2)
                .or_else(|| captures.get(3))
                .or_else(|| captures.get(4))?;
            Some((name, value.as_str()))
        })
        .collect()
}

/// `[caption]`: the image and its caption, either the text after the image or, in the older
/// form, a `caption` attribute. Content without an image comes back as it is, as WordPress
/// shows it.
fn caption(attributes: &Attributes<'_>, content: &str) -> String {
    if let Some(text) = attributes.get("caption") {
        return captioned(content.trim(), text.trim());
    }
    match CAPTIONED_IMAGE.find(content) {
        Some(image) => {
            let text = format!("{}{}", &content[..image.start()], &content[image.end()..]);
            captioned(image.as_str(), text.trim())
        }
        None => content.to_owned(),
    }
}

fn captioned(image: &str, caption: &str) -> String {
    // An empty figcaption would be an empty box under the image on every frontend.
    let caption = if caption.is_empty() {
        String::new()
    } else {
        format!("<figcaption>{caption}</figcaption>")
    };
    format!("<figure class=\"wp-caption\">{image}{caption}</figure>")
}

/// `[gallery ids="1,2,3"]`: the images the import knows, in the order given.
fn gallery(attributes: &Attributes<'_>, attachments: Attachments<'_>) -> Outcome {
    // `include` is the attribute WordPress itself reads; `ids` is what its editor writes.
    let ids = attributes
        .get("ids")
        .or_else(|| attributes.get("include"))
        .copied()
        .unwrap_or("");
    let images: String = ids
        .split(',')
        .filter_map(|id| trim_space(id).parse::<i64>().ok())
        .filter_map(attachments)
        .map(|(url, alt)| {
            format!(
                "<img src=\"{}\" alt=\"{}\">",
                escape_attribute(&url),
                escape_attribute(&alt)
            )
        })
        .collect();
    if images.is_empty() {
        Outcome::Dropped
    } else {
        Outcome::Html(format!(
            "<figure class=\"wp-block-gallery\">{images}</figure>"
        ))
    }
}

/// `[embed]URL[/embed]`: a link, which frontends may turn back into an embed.
fn embed(content: Option<&str>) -> Outcome {
    match content.and_then(web_url) {
        Some(url) => {
            let url = escape_attribute(url);
            Outcome::Html(format!("<p><a href=\"{url}\">{url}</a></p>"))
        }
        None => Outcome::Kept,
    }
}

/// `[video src="URL"]`, or with the source under its format's name (`mp4="URL"`).
fn video(attributes: &Attributes<'_>) -> Outcome {
    let source = VIDEO_SOURCES
        .iter()
        .find_map(|name| attributes.get(*name).copied().and_then(web_url));
    match source {
        Some(url) => Outcome::Html(format!(
            "<video controls src=\"{}\"></video>",
            escape_attribute(url)
        )),
        None => Outcome::Kept,
    }
}

/// `candidate`, trimmed, if it is an absolute http(s) URL.
fn web_url(candidate: &str) -> Option<&str> {
    let candidate = candidate.trim();
    // Other schemes (`javascript:`, `data:`) are at best meaningless after an import; markup or
    // spaces mean the content was not a bare URL at all.
    let bare = !candidate.contains(|c: char| c.is_whitespace() || c == '<' || c == '>');
    let url = url::Url::parse(candidate).ok()?;
    (bare && matches!(url.scheme(), "http" | "https") && url.has_host()).then_some(candidate)
}

/// `value` escaped for a double-quoted attribute or for text.
fn escape_attribute(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for (index, c) in value.char_indices() {
        match c {
            // Shortcode attributes often hold URLs the editor already wrote with `&amp;`;
            // escaping those again would change the URL.
            '&' if CHARACTER_REFERENCE.is_match(&value[index..]) => escaped.push('&'),
            '&' => escaped.push_str("&amp;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// Elements autop never wraps in a paragraph: WordPress's list, plus the embedded media and
/// scripts that shortcodes and embeds produce.
const BLOCK_ELEMENTS: &[&str] = &[
    "address",
    "area",
    "article",
    "aside",
    "audio",
    "blockquote",
    "caption",
    "col",
    "colgroup",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
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
    "iframe",
    "legend",
    "li",
    "map",
    "math",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "script",
    "section",
    "style",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
    "video",
];

/// Block elements without content or closing tag.
const VOID_BLOCK_ELEMENTS: [&str; 3] = ["area", "col", "hr"];

/// Elements whose content autop leaves exactly as it is.
const RAW_ELEMENTS: [&str; 4] = ["math", "pre", "script", "style"];

/// Block elements in which a paragraph may sit.
const PARAGRAPH_HOLDERS: [&str; 17] = [
    "address",
    "article",
    "aside",
    "blockquote",
    "dd",
    "details",
    "div",
    "fieldset",
    "figure",
    "footer",
    "form",
    "header",
    "li",
    "nav",
    "section",
    "td",
    "th",
];

/// A blank line: two line breaks with nothing but spaces between.
static BLANK_LINE: LazyLock<Regex> = LazyLock::new(|| pattern(r"\n[\t\n\x0B\x0C\r ]*\n"));

/// The closing tag of an element autop does not touch.
static RAW_CLOSING_TAG: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"(?i)</(math|pre|script|style)\s*>"));

/// What a piece of HTML is to autop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Comment,
    /// A tag of an inline element.
    Inline,
    Br,
    /// A `<figcaption>` tag: block-level, yet WordPress keeps it in its figure's paragraph so
    /// that the figure is not split apart.
    Tight,
    Open(&'static str),
    Close(&'static str),
    /// A void block element, or a raw element with its content: a paragraph of its own.
    Whole,
}

#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    kind: Kind,
    raw: &'a str,
}

impl Token<'_> {
    fn is_blank_text(&self) -> bool {
        self.kind == Kind::Text && is_blank(self.raw)
    }
}

/// The comment ends and raw-element closing tags of a text, so that finding where a comment
/// or a `<pre>` ends is a lookup.
struct Ends {
    comments: Vec<(usize, usize)>,
    raw: HashMap<&'static str, Vec<(usize, usize)>>,
}

impl Ends {
    fn index(text: &str) -> Self {
        let comments = text
            .match_indices("-->")
            .map(|(start, end)| (start, start + end.len()))
            .collect();
        let mut raw: HashMap<&'static str, Vec<(usize, usize)>> = HashMap::new();
        for captures in RAW_CLOSING_TAG.captures_iter(text) {
            let (Some(whole), Some(name)) = (captures.get(0), captures.get(1)) else {
                continue;
            };
            if let Some(element) = known(&RAW_ELEMENTS, name.as_str()) {
                raw.entry(element)
                    .or_default()
                    .push((whole.start(), whole.end()));
            }
        }
        Self { comments, raw }
    }

    /// The markup starting at `lt` (a `<`) and where it ends; `None` if the `<` is text.
    fn markup_at(&self, text: &str, lt: usize) -> Option<(Kind, usize)> {
        let markup = &text[lt..];
        if markup.starts_with("<!--") {
            let (_, end) = first_from(&self.comments, lt + "<!--".len())?;
            return Some((Kind::Comment, end));
        }
        let (name, closing) = tag_name(markup)?;
        let tag_end = lt + tag_len(markup)?;
        if !closing {
            let raw_end = known(&RAW_ELEMENTS, name)
                .and_then(|element| self.raw.get(element))
                .and_then(|ends| first_from(ends, tag_end));
            if let Some((_, end)) = raw_end {
                return Some((Kind::Whole, end));
            }
        }
        Some((classify(name, closing), tag_end))
    }
}

/// `name` as it appears in `names`, compared without case.
fn known(names: &[&'static str], name: &str) -> Option<&'static str> {
    names
        .iter()
        .copied()
        .find(|known| known.eq_ignore_ascii_case(name))
}

/// The name of the tag `markup` starts with, and whether it is a closing tag.
fn tag_name(markup: &str) -> Option<(&str, bool)> {
    let after = markup.strip_prefix('<')?;
    let (after, closing) = match after.strip_prefix('/') {
        Some(after) => (after, true),
        None => (after, false),
    };
    let len = after
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-')
        .count();
    let name = &after[..len];
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        .then_some((name, closing))
}

/// The length of the tag `markup` starts with, up to its `>`.
fn tag_len(markup: &str) -> Option<usize> {
    // A `<` before the `>` means the first one was text (`a <b`), and stopping there keeps
    // the scan linear.
    let end = markup.get(1..)?.find(['<', '>'])?;
    markup[1 + end..].starts_with('>').then_some(end + 2)
}

fn classify(name: &str, closing: bool) -> Kind {
    match known(BLOCK_ELEMENTS, name) {
        None if name.eq_ignore_ascii_case("br") => Kind::Br,
        None => Kind::Inline,
        Some("figcaption") => Kind::Tight,
        Some(element) if VOID_BLOCK_ELEMENTS.contains(&element) => Kind::Whole,
        Some(element) if closing => Kind::Close(element),
        Some(element) => Kind::Open(element),
    }
}

/// `text` as text and markup.
fn tokenize(text: &str) -> Vec<Token<'_>> {
    let ends = Ends::index(text);
    let mut tokens = Vec::new();
    let (mut copied, mut at) = (0, 0);
    while let Some(offset) = text[at..].find('<') {
        let lt = at + offset;
        at = lt + 1;
        if let Some((kind, end)) = ends.markup_at(text, lt) {
            push_text(&mut tokens, &text[copied..lt]);
            tokens.push(Token {
                kind,
                raw: &text[lt..end],
            });
            (copied, at) = (end, end);
        }
    }
    push_text(&mut tokens, &text[copied..]);
    tokens
}

fn push_text<'a>(tokens: &mut Vec<Token<'a>>, raw: &'a str) {
    if !raw.is_empty() {
        tokens.push(Token {
            kind: Kind::Text,
            raw,
        });
    }
}

/// What lies between two paragraph boundaries: the block tag that opened it and the one that
/// closed it, if any, and the text and inline markup between.
#[derive(Default)]
struct Chunk<'a> {
    open: Option<Token<'a>>,
    middle: Vec<Token<'a>>,
    close: Option<Token<'a>>,
    starts_at_blank_line: bool,
    ends_at_blank_line: bool,
}

impl Chunk<'_> {
    /// Whether the middle becomes a `<p>`.
    fn wraps(&self) -> bool {
        let has_content = self.middle.iter().any(|token| match token.kind {
            Kind::Text => !is_blank(token.raw),
            Kind::Comment => false,
            _ => true,
        });
        let holds = |token: Option<Token<'_>>| match token.map(|token| token.kind) {
            Some(Kind::Open(element) | Kind::Close(element)) => {
                PARAGRAPH_HOLDERS.contains(&element)
            }
            _ => false,
        };
        // Text between two block tags on the same line is not a paragraph (`<li>item</li>`,
        // `<h2>title</h2>`); text that blank lines separate inside a container is.
        has_content
            && match (self.open, self.close) {
                (None, None) => true,
                (open @ Some(_), None) => self.ends_at_blank_line && holds(open),
                (None, close @ Some(_)) => self.starts_at_blank_line && holds(close),
                (Some(_), Some(_)) => false,
            }
    }

    fn is_empty_paragraph(&self, body: &str) -> bool {
        let is_p = |token: Option<Token<'_>>, kind: Kind| token.is_some_and(|t| t.kind == kind);
        body.is_empty() && is_p(self.open, Kind::Open("p")) && is_p(self.close, Kind::Close("p"))
    }

    fn render(&self) -> String {
        let body = render_middle(&self.middle);
        if self.is_empty_paragraph(&body) {
            return String::new();
        }
        let (before, after) = if self.wraps() {
            ("<p>", "</p>")
        } else {
            ("", "")
        };
        let open = self.open.map_or("", |token| token.raw);
        let close = self.close.map_or("", |token| token.raw);
        format!("{open}{before}{body}{after}{close}")
    }
}

/// The paragraphs of a text, built token by token.
#[derive(Default)]
struct Paragraphs<'a> {
    html: String,
    current: Chunk<'a>,
}

impl<'a> Paragraphs<'a> {
    fn push(&mut self, token: Token<'a>) {
        match token.kind {
            Kind::Open(_) => {
                self.flush(false);
                self.current.open = Some(token);
            }
            Kind::Close(_) => {
                self.current.close = Some(token);
                self.flush(false);
            }
            Kind::Whole => {
                self.flush(false);
                self.current.open = Some(token);
                self.flush(false);
            }
            Kind::Text => self.push_text(token.raw),
            Kind::Br if self.drop_trailing_br() => self.flush(true),
            Kind::Br | Kind::Comment | Kind::Inline | Kind::Tight => {
                self.current.middle.push(token);
            }
        }
    }

    fn push_text(&mut self, raw: &'a str) {
        for (index, piece) in BLANK_LINE.split(raw).enumerate() {
            if index > 0 {
                self.flush(true);
            }
            push_text(&mut self.current.middle, piece);
        }
    }

    /// Removes the `<br>` the paragraph ends with, if it does, and says whether it did.
    fn drop_trailing_br(&mut self) -> bool {
        // Two `<br>` in a row are WordPress's paragraph break for content pasted from
        // elsewhere, as a blank line is for typed content.
        let middle = &mut self.current.middle;
        match middle.iter().rposition(|token| !token.is_blank_text()) {
            Some(last) if middle[last].kind == Kind::Br => {
                middle.truncate(last);
                true
            }
            _ => false,
        }
    }

    fn flush(&mut self, at_blank_line: bool) {
        self.current.ends_at_blank_line = at_blank_line;
        let next = Chunk {
            starts_at_blank_line: at_blank_line,
            ..Chunk::default()
        };
        let chunk = std::mem::replace(&mut self.current, next);
        let html = chunk.render();
        if html.is_empty() {
            return;
        }
        if !self.html.is_empty() {
            self.html.push('\n');
        }
        self.html.push_str(&html);
    }

    fn finish(mut self) -> String {
        self.flush(false);
        self.html
    }
}

/// The text and inline markup of a paragraph, without the whitespace at its edges and around
/// figcaptions, its line breaks marked.
fn render_middle(middle: &[Token<'_>]) -> String {
    let Some(first) = middle.iter().position(|token| !token.is_blank_text()) else {
        return String::new();
    };
    let last = middle
        .iter()
        .rposition(|token| !token.is_blank_text())
        .unwrap_or(first);
    let tokens = &middle[first..=last];
    let mut html = String::new();
    for (index, token) in tokens.iter().enumerate() {
        if token.kind != Kind::Text {
            html.push_str(token.raw);
            continue;
        }
        let previous = index.checked_sub(1).and_then(|i| tokens.get(i));
        let next = tokens.get(index + 1);
        let is_edge =
            |neighbour: Option<&Token<'_>>| neighbour.is_none_or(|t| t.kind == Kind::Tight);
        let mut text = token.raw;
        if is_edge(previous) {
            text = text.trim_start_matches(|c: char| c.is_ascii_whitespace());
        }
        if is_edge(next) {
            text = text.trim_end_matches(|c: char| c.is_ascii_whitespace());
        }
        let after_br = previous.is_some_and(|t| t.kind == Kind::Br);
        push_lines(&mut html, text, after_br);
    }
    html
}

/// Appends `text` with a `<br />` before each line break.
fn push_lines(html: &mut String, text: &str, after_br: bool) {
    let mut lines = text.split('\n');
    let first = lines.next().unwrap_or("");
    // A line break right after a `<br>` is already a line break on screen.
    let mut ends_with_br = after_br && is_blank(first);
    html.push_str(first);
    for line in lines {
        // As WordPress does, the spaces before a line break go: nothing shows them.
        html.truncate(html.trim_end_matches([' ', '\t']).len());
        html.push_str(if ends_with_br { "\n" } else { "<br />\n" });
        html.push_str(line);
        ends_with_br = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn no_attachments(_: i64) -> Option<(String, String)> {
        None
    }

    fn attachments(id: i64) -> Option<(String, String)> {
        match id {
            1 => Some(("https://example.com/1.jpg".to_owned(), "صورة".to_owned())),
            2 => Some((
                "https://example.com/2.jpg?a=1&b=2".to_owned(),
                "\"quoted\"".to_owned(),
            )),
            _ => None,
        }
    }

    fn html(content: &str) -> String {
        convert(content, &attachments).html
    }

    fn counts(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
        pairs
            .iter()
            .map(|(name, count)| ((*name).to_owned(), *count))
            .collect()
    }

    #[test]
    fn classic_arabic_post_gets_paragraphs_and_a_line_break() {
        let content = "أعلنت الحكومة اليوم عن خطة جديدة.\nوقال الوزير إنها ستبدأ قريباً.\n\nوفي سياق آخر، ارتفعت الأسعار.";
        assert_eq!(
            html(content),
            "<p>أعلنت الحكومة اليوم عن خطة جديدة.<br />\nوقال الوزير إنها ستبدأ قريباً.</p>\n\
             <p>وفي سياق آخر، ارتفعت الأسعار.</p>"
        );
    }

    #[test]
    fn gutenberg_blocks_lose_their_delimiters_and_keep_their_html() {
        let content = "<!-- wp:paragraph -->\n<p>مرحبا بالعالم</p>\n<!-- /wp:paragraph -->\n\n\
            <!-- wp:heading {\"level\":3} -->\n<h3 class=\"wp-block-heading\">عنوان</h3>\n<!-- /wp:heading -->\n\n\
            <!-- wp:image {\"id\":12,\"sizeSlug\":\"large\",\"alt\":\"a > b\"} -->\n\
            <figure class=\"wp-block-image size-large\"><img src=\"https://example.com/a.jpg\" alt=\"\" class=\"wp-image-12\"/></figure>\n\
            <!-- /wp:image -->\n\n<!-- wp:separator /-->\n\n<!-- wp:spacer -->\n<!-- /wp:spacer -->\n\n\
            <!-- wp:yoast/faq-block {\"questions\":[]} -->\n<div class=\"faq\">س</div>\n<!-- /wp:yoast/faq-block -->\n\
            <!-- more -->\n<!-- wp:core/paragraph -->\n<p>سطر\nآخر</p>\n<!-- /wp:core/paragraph -->\n";
        assert!(is_block_content(content));
        assert_eq!(
            html(content),
            "<p>مرحبا بالعالم</p>\n\n<h3 class=\"wp-block-heading\">عنوان</h3>\n\n\
             <figure class=\"wp-block-image size-large\"><img src=\"https://example.com/a.jpg\" alt=\"\" class=\"wp-image-12\"/></figure>\n\n\
             <div class=\"faq\">س</div>\n<!-- more -->\n<p>سطر\nآخر</p>"
        );
    }

    #[test]
    fn classic_content_is_not_block_content() {
        assert!(!is_block_content("<p>text</p><!-- more -->"));
        assert!(is_block_content(
            "<!-- wp:paragraph --><p>x</p><!-- /wp:paragraph -->"
        ));
    }

    #[test]
    fn caption_with_a_linked_image_and_an_arabic_caption() {
        let content = "قبل الصورة\n\n[caption id=\"attachment_5\" align=\"alignnone\" width=\"300\"]\
            <a href=\"https://example.com/big.jpg\"><img src=\"https://example.com/a.jpg\" alt=\"\" width=\"300\" /></a> \
            الرئيس خلال المؤتمر [/caption]\n\nبعد الصورة";
        let converted = convert(content, &no_attachments);
        assert_eq!(
            converted.html,
            "<p>قبل الصورة</p>\n<figure class=\"wp-caption\">\
             <a href=\"https://example.com/big.jpg\"><img src=\"https://example.com/a.jpg\" alt=\"\" width=\"300\" /></a>\
             <figcaption>الرئيس خلال المؤتمر</figcaption></figure>\n<p>بعد الصورة</p>"
        );
        assert!(converted.unknown_shortcodes.is_empty());
    }

    #[test]
    fn caption_in_an_attribute_the_older_form() {
        assert_eq!(
            html(
                "[CAPTION id='attachment_7' Caption='صورة أرشيفية' width=200] <img src=\"x.jpg\" /> [/caption]"
            ),
            "<figure class=\"wp-caption\"><img src=\"x.jpg\" /><figcaption>صورة أرشيفية</figcaption></figure>"
        );
    }

    #[test]
    fn caption_without_text_has_no_figcaption() {
        assert_eq!(
            html("[caption]<img src=\"x.jpg\">[/caption]"),
            "<figure class=\"wp-caption\"><img src=\"x.jpg\"></figure>"
        );
    }

    #[test]
    fn gallery_shows_the_known_images_and_counts_when_it_knows_none() {
        let converted = convert("[gallery ids=\"1, 9,2\" columns=\"3\"]", &attachments);
        assert_eq!(
            converted.html,
            "<figure class=\"wp-block-gallery\"><img src=\"https://example.com/1.jpg\" alt=\"صورة\">\
             <img src=\"https://example.com/2.jpg?a=1&amp;b=2\" alt=\"&quot;quoted&quot;\"></figure>"
        );
        assert!(converted.unknown_shortcodes.is_empty());

        let converted = convert("نص\n\n[gallery ids=\"8,9\"]\n\n[gallery]", &attachments);
        assert_eq!(converted.html, "<p>نص</p>");
        assert_eq!(converted.unknown_shortcodes, counts(&[("gallery", 2)]));
    }

    #[test]
    fn embed_becomes_a_link_only_for_web_urls() {
        assert_eq!(
            html("[embed]https://www.youtube.com/watch?v=abc&amp;t=1[/embed]"),
            "<p><a href=\"https://www.youtube.com/watch?v=abc&amp;t=1\">https://www.youtube.com/watch?v=abc&amp;t=1</a></p>"
        );
        assert_eq!(
            html("[embed width=\"640\" height=\"360\"]\n https://vimeo.com/1 \n[/embed]"),
            "<p><a href=\"https://vimeo.com/1\">https://vimeo.com/1</a></p>"
        );
        let converted = convert("[embed]javascript:alert(1)[/embed]", &no_attachments);
        assert_eq!(converted.html, "<p>[embed]javascript:alert(1)[/embed]</p>");
        assert_eq!(converted.unknown_shortcodes, counts(&[("embed", 1)]));
    }

    #[test]
    fn video_from_src_or_a_format_attribute() {
        assert_eq!(
            html("[video src=\"https://example.com/v.mp4\"]"),
            "<video controls src=\"https://example.com/v.mp4\"></video>"
        );
        assert_eq!(
            html("مقدمة\n[video width=\"640\" mp4=\"https://example.com/v.mp4\"][/video]\nخاتمة"),
            "<p>مقدمة</p>\n<video controls src=\"https://example.com/v.mp4\"></video>\n<p>خاتمة</p>"
        );
        let converted = convert("[video src=\"file:///etc/passwd\" /]", &no_attachments);
        assert_eq!(
            converted.html,
            "<p>[video src=\"file:///etc/passwd\" /]</p>"
        );
        assert_eq!(converted.unknown_shortcodes, counts(&[("video", 1)]));
    }

    #[test]
    fn unknown_shortcodes_stay_as_text_and_are_counted() {
        let converted = convert(
            "[contact-form-7 id=\"1\"]\n\n[Contact-Form-7 id=\"1\"]\n\n[tabs][tab title='أ']نص[/tab][/tabs]",
            &no_attachments,
        );
        assert_eq!(
            converted.html,
            "<p>[contact-form-7 id=\"1\"]</p>\n<p>[Contact-Form-7 id=\"1\"]</p>\n\
             <p>[tabs][tab title='أ']نص[/tab][/tabs]</p>"
        );
        assert_eq!(
            converted.unknown_shortcodes,
            counts(&[("contact-form-7", 2), ("tab", 1), ("tabs", 1)])
        );
    }

    #[test]
    fn escaped_shortcodes_are_unescaped_and_not_counted() {
        let converted = convert(
            "اكتب [[foo]] أو [[caption]نص[/caption]] أو [[gallery ids=\"1\" /]]",
            &attachments,
        );
        assert_eq!(
            converted.html,
            "<p>اكتب [foo] أو [caption]نص[/caption] أو [gallery ids=\"1\" /]</p>"
        );
        assert!(converted.unknown_shortcodes.is_empty());
    }

    #[test]
    fn footnote_marks_and_bracketed_prose_are_not_shortcodes() {
        let converted = convert(
            "كما ذكر [1] و[2019] [and/or] [Editor's note] [ x] [غير]",
            &no_attachments,
        );
        assert_eq!(
            converted.html,
            "<p>كما ذكر [1] و[2019] [and/or] [Editor's note] [ x] [غير]</p>"
        );
        assert!(converted.unknown_shortcodes.is_empty());
    }

    #[test]
    fn autop_leaves_pre_content_alone() {
        let text = "قبل\n\n<pre class=\"code\">a\n\nb\n  c  \n[gallery]</pre>\nبعد";
        assert_eq!(
            autop(text),
            "<p>قبل</p>\n<pre class=\"code\">a\n\nb\n  c  \n[gallery]</pre>\n<p>بعد</p>"
        );
    }

    #[test]
    fn autop_does_not_wrap_block_elements() {
        let text = "<ul>\n<li>أ</li>\n<li>ب<ul><li>ج</li></ul></li>\n</ul>\n<h2>عنوان</h2>\nنص\n<hr />\n<div>في سطر</div>";
        assert_eq!(
            autop(text),
            "<ul>\n<li>أ</li>\n<li>ب\n<ul>\n<li>ج</li>\n</ul>\n</li>\n</ul>\n<h2>عنوان</h2>\n<p>نص</p>\n<hr />\n<div>في سطر</div>"
        );
    }

    #[test]
    fn autop_puts_paragraphs_inside_containers_split_by_blank_lines() {
        assert_eq!(
            autop("<blockquote>أولى\n\nثانية</blockquote>"),
            "<blockquote><p>أولى</p>\n<p>ثانية</p></blockquote>"
        );
        assert_eq!(autop("<div>\n\nنص\n\n</div>"), "<div>\n<p>نص</p>\n</div>");
    }

    #[test]
    fn autop_breaks_paragraphs_at_double_br_and_keeps_single_ones() {
        assert_eq!(
            autop("أ<br /><br>ب<br />\nج\n<strong>د</strong>"),
            "<p>أ</p>\n<p>ب<br />\nج<br />\n<strong>د</strong></p>"
        );
    }

    #[test]
    fn autop_makes_no_empty_paragraphs_and_leaves_comments_unwrapped() {
        assert_eq!(autop("<p></p>\n\n  \n\n<p> </p>"), "");
        assert_eq!(
            autop("أ\n\n<!--more-->\n\nب"),
            "<p>أ</p>\n<!--more-->\n<p>ب</p>"
        );
    }

    #[test]
    fn autop_keeps_line_breaks_inside_tags() {
        assert_eq!(
            autop("<a\nhref=\"x\">رابط</a>"),
            "<p><a\nhref=\"x\">رابط</a></p>"
        );
    }

    #[test]
    fn carriage_returns_are_line_breaks() {
        assert_eq!(
            html("سطر\r\nسطر ثان\r\n\r\nفقرة\rثالثة"),
            "<p>سطر<br />\nسطر ثان</p>\n<p>فقرة<br />\nثالثة</p>"
        );
    }

    #[test]
    fn empty_input_gives_empty_html() {
        assert_eq!(convert("", &no_attachments), Converted::default());
        assert_eq!(convert(" \n\r\n\t", &no_attachments), Converted::default());
        assert_eq!(autop(""), "");
    }

    #[test]
    fn hostile_input_stays_fast() {
        // Quadratic scanning would take minutes here; linear takes milliseconds.
        let openers = [
            "[caption ",
            "[[embed ",
            "<pre>",
            "<!--",
            "<a ",
            "<!-- wp:x ",
            "[a]",
        ];
        for opener in openers {
            let content = opener.repeat(50_000);
            let converted = convert(&content, &no_attachments);
            assert!(converted.html.len() >= content.len() / 2, "{opener}");
        }
        let ampersands = format!("[video src=\"https://a.b/?{}\"]", "&".repeat(100_000));
        assert!(html(&ampersands).starts_with("<video controls src=\"https://a.b/?&amp;&amp;"));
    }

    fn is_subsequence(needle: impl Iterator<Item = char>, haystack: &str) -> bool {
        let mut haystack = haystack.chars();
        needle.into_iter().all(|c| haystack.any(|h| h == c))
    }

    proptest! {
        #[test]
        fn convert_never_panics(content in any::<String>()) {
            let _ = convert(&content, &attachments);
        }

        #[test]
        fn convert_never_panics_on_markup_soup(
            content in r#"(\[|\]|<|>|/|!|-|=|"|'| |\n|\r|\t|&|;|wp:|pre|p|br|div|li|a |img |figcaption|caption|gallery|embed|video|ids=|src=|https://a.b/|1|2|,|ب|\u{a0})*"#
        ) {
            let _ = convert(&content, &attachments);
        }

        #[test]
        fn autop_keeps_every_character_of_the_text_in_order(text in r"[^<>\[\]&]*") {
            let paragraphs = autop(&text);
            prop_assert!(is_subsequence(text.chars().filter(|c| !c.is_whitespace()), &paragraphs));
        }
    }
}
