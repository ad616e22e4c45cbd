//! Plain text, excerpts and reading time derived from an article's Markdown body.
//!
//! The Markdown is parsed with pulldown-cmark (the same parser that renders `body_html`) and
//! walked as events, so what counts as markup is exactly what the renderer treats as markup:
//! `**bold**` loses its asterisks, a literal `2 * 3` keeps its star.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use unicode_normalization::char::is_combining_mark;

/// The default excerpt length in characters, used when an article has no explicit excerpt:
/// about two sentences of Arabic news copy, and short enough for social-media previews.
pub const EXCERPT_CHARS: usize = 280;

/// Reading speed behind [`reading_time_minutes`], in words per minute. A common figure for
/// adult readers of English; Arabic words are counted the same way (whitespace-separated),
/// and since Arabic attaches articles and conjunctions to words (والتعاون is one word) the
/// count is naturally lower for the same content, which roughly offsets slower reading.
const WORDS_PER_MINUTE: usize = 200;

/// The Markdown extensions this crate parses with: GFM tables, footnotes, strikethrough and
/// task lists. Exposed so that the `body_html` renderer parses article bodies the same way
/// as [`plain_text`] does (otherwise an excerpt could show markup the page renders).
#[must_use]
pub fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
}

/// How strongly two pieces of text must be separated; the strongest pending one wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Sep {
    None,
    Space,
    Line,
    Blank,
}

/// HTML elements whose tags separate text like a block (a tag such as `<b>` does not).
const BLOCK_TAGS: [&str; 24] = [
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "p",
    "pre",
    "section",
    "tr",
];

/// The walker that turns pulldown-cmark events into plain text.
struct PlainText {
    out: String,
    pending: Sep,
    in_code_block: bool,
    /// Nesting depth of images: their alt text is dropped.
    image_depth: usize,
    /// Nesting depth of footnote definitions: notes are not part of the running text.
    footnote_depth: usize,
    /// Inside an HTML tag (`<…>`), possibly spanning several events.
    in_tag: bool,
    /// Inside an HTML comment.
    in_comment: bool,
    /// Inside `<script>`/`<style>`: everything up to this closing tag is dropped.
    raw_until: Option<&'static str>,
}

impl PlainText {
    fn new() -> Self {
        Self {
            out: String::new(),
            pending: Sep::None,
            in_code_block: false,
            image_depth: 0,
            footnote_depth: 0,
            in_tag: false,
            in_comment: false,
            raw_until: None,
        }
    }

    /// Forgets any half-open HTML state at the end of a block: raw HTML never spans blocks,
    /// so an unclosed `<script>` or `<!--` in one paragraph cannot hide the rest of the body.
    fn reset_html(&mut self) {
        self.in_tag = false;
        self.in_comment = false;
        self.raw_until = None;
    }

    fn separate(&mut self, sep: Sep) {
        self.pending = self.pending.max(sep);
    }

    fn hidden(&self) -> bool {
        self.image_depth > 0 || self.footnote_depth > 0 || self.raw_until.is_some()
    }

    /// Appends text, collapsing whitespace runs into one pending separator (newlines inside
    /// code blocks are kept as line breaks); separators are only written between text, never
    /// at the start or end.
    fn push_text(&mut self, text: &str) {
        if self.hidden() {
            return;
        }
        for c in text.chars() {
            if c == '\n' && self.in_code_block {
                self.separate(Sep::Line);
            } else if c.is_whitespace() {
                self.separate(Sep::Space);
            } else {
                if !self.out.is_empty() {
                    match self.pending {
                        Sep::None => {}
                        Sep::Space => self.out.push(' '),
                        Sep::Line => self.out.push('\n'),
                        Sep::Blank => self.out.push_str("\n\n"),
                    }
                }
                self.pending = Sep::None;
                self.out.push(c);
            }
        }
    }

    /// Appends raw HTML with its tags, comments and `<script>`/`<style>` contents removed and
    /// the common character references decoded. State carries across calls because
    /// pulldown-cmark hands over HTML blocks line by line and inline tags one by one.
    fn push_html(&mut self, html: &str) {
        let mut rest = html;
        while !rest.is_empty() {
            if let Some(closing) = self.raw_until {
                match find_ascii_case_insensitive(rest, closing) {
                    Some(at) => {
                        self.raw_until = None;
                        self.in_tag = true;
                        rest = &rest[at + closing.len()..];
                    }
                    None => return,
                }
            } else if self.in_comment {
                match rest.find("-->") {
                    Some(at) => {
                        self.in_comment = false;
                        rest = &rest[at + 3..];
                    }
                    None => return,
                }
            } else if self.in_tag {
                match rest.find('>') {
                    Some(at) => {
                        self.in_tag = false;
                        rest = &rest[at + 1..];
                    }
                    None => return,
                }
            } else {
                let Some(at) = rest.find('<') else {
                    self.push_text(&decode_entities(rest));
                    return;
                };
                self.push_text(&decode_entities(&rest[..at]));
                let after = &rest[at + 1..];
                if let Some(comment) = after.strip_prefix("!--") {
                    self.in_comment = true;
                    rest = comment;
                } else if after
                    .starts_with(|c: char| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'))
                {
                    let name = tag_name(after);
                    if BLOCK_TAGS.contains(&name.as_str()) {
                        self.separate(Sep::Line);
                    }
                    if !after.starts_with('/') {
                        self.raw_until = match name.as_str() {
                            "script" => Some("</script"),
                            "style" => Some("</style"),
                            _ => None,
                        };
                    }
                    self.in_tag = true;
                    rest = after;
                } else {
                    // A lone `<` that starts no tag is text.
                    self.push_text("<");
                    rest = after;
                }
            }
        }
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(&tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text)
            | Event::Code(text)
            | Event::InlineMath(text)
            | Event::DisplayMath(text) => self.push_text(&text),
            Event::Html(html) | Event::InlineHtml(html) => {
                if self.image_depth == 0 && self.footnote_depth == 0 {
                    self.push_html(&html);
                }
            }
            Event::SoftBreak => self.separate(Sep::Space),
            Event::HardBreak => self.separate(Sep::Line),
            Event::Rule => self.separate(Sep::Blank),
            Event::FootnoteReference(_) | Event::TaskListMarker(_) => {}
        }
    }

    fn start(&mut self, tag: &Tag<'_>) {
        match tag {
            Tag::CodeBlock(_) => {
                self.in_code_block = true;
                self.separate(Sep::Blank);
            }
            Tag::Paragraph
            | Tag::Heading { .. }
            | Tag::BlockQuote(_)
            | Tag::HtmlBlock
            | Tag::List(_)
            | Tag::Table(_)
            | Tag::DefinitionList
            | Tag::MetadataBlock(_) => self.separate(Sep::Blank),
            Tag::Item
            | Tag::TableHead
            | Tag::TableRow
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition => self.separate(Sep::Line),
            Tag::TableCell => self.separate(Sep::Space),
            Tag::Image { .. } => {
                self.image_depth += 1;
                self.separate(Sep::Space);
            }
            Tag::FootnoteDefinition(_) => {
                self.footnote_depth += 1;
                self.separate(Sep::Blank);
            }
            Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. } => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::CodeBlock => {
                self.in_code_block = false;
                self.separate(Sep::Blank);
            }
            TagEnd::HtmlBlock
            | TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::BlockQuote(_)
            | TagEnd::List(_)
            | TagEnd::Table
            | TagEnd::DefinitionList
            | TagEnd::MetadataBlock(_) => {
                self.reset_html();
                self.separate(Sep::Blank);
            }
            TagEnd::Item
            | TagEnd::TableHead
            | TagEnd::TableRow
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition => {
                self.reset_html();
                self.separate(Sep::Line);
            }
            TagEnd::TableCell => {
                self.reset_html();
                self.separate(Sep::Space);
            }
            TagEnd::Image => {
                self.image_depth = self.image_depth.saturating_sub(1);
                self.separate(Sep::Space);
            }
            TagEnd::FootnoteDefinition => {
                self.footnote_depth = self.footnote_depth.saturating_sub(1);
                self.separate(Sep::Blank);
            }
            TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link => {}
        }
    }
}

/// The lower-cased element name at the start of `after_lt` (the text after a `<`), without
/// a leading `/`.
fn tag_name(after_lt: &str) -> String {
    after_lt
        .trim_start_matches('/')
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Byte offset of `needle` (ASCII) in `haystack`, ignoring ASCII case. Compares bytes in
/// place rather than lower-casing a copy, so scanning a long HTML block stays linear.
fn find_ascii_case_insensitive(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Decodes the character references that commonly appear in hand-written HTML: `&amp;`,
/// `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&nbsp;` and numeric ones. Anything else is kept
/// as written. (pulldown-cmark already decodes references in Markdown text itself.)
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let decoded = after.find(';').filter(|&end| end <= 10).and_then(|end| {
            let name = &after[..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{00A0}'),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|dec| dec.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Renders Markdown to plain text: the words a reader sees, without markup.
///
/// Text and code (inline and blocks) are kept; emphasis, heading and list markers are
/// dropped; links keep their text (not their URL); images are dropped *with* their alt text
/// (an excerpt should not read «صورة الوزير» in the middle of a sentence); HTML tags,
/// comments and `<script>`/`<style>` contents are dropped while the text between tags is
/// kept; footnote definitions and references are dropped. Paragraphs, headings, block
/// quotes and code blocks are separated by a blank line, list items and table rows by a
/// newline. Whitespace inside a block is collapsed to single spaces; the result has no
/// leading or trailing whitespace.
#[must_use]
pub fn plain_text(markdown: &str) -> String {
    let mut walker = PlainText::new();
    for event in Parser::new_ext(markdown, markdown_options()) {
        walker.event(event);
    }
    walker.out
}

/// Sentence-ending punctuation: `.` `!` `?`, the Arabic question mark `؟`, the ellipsis
/// `…`, the Arabic full stop `۔` (Urdu), the double marks ‼ ⁇ ⁈ ⁉ and the CJK/full-width
/// stops. The Arabic comma `،` and semicolon `؛` are *not* sentence ends.
fn is_sentence_end(c: char) -> bool {
    matches!(
        c,
        '.' | '!' | '?' | '\u{061F}' | '\u{2026}' | '\u{06D4}' | '\u{203C}' | '\u{2047}'
            ..='\u{2049}' | '\u{3002}' | '\u{FF01}' | '\u{FF0E}' | '\u{FF1F}' | '\u{FF61}'
    )
}

/// Closing quotes and brackets that may follow a sentence end: `«…؟»` ends after the `»`.
fn is_closer(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | ')' | ']' | '}' | '»' | '›' | '”' | '’' | '」' | '』'
    )
}

/// Punctuation that must not dangle before the "…" of a word-boundary cut.
fn is_dangling(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            ',' | '،'
                | ';'
                | '؛'
                | ':'
                | '-'
                | '–'
                | '—'
                | '('
                | '['
                | '{'
                | '«'
                | '“'
                | '‘'
                | '"'
                | '\''
        )
}

/// The article's lead: its plain text up to the first heading that follows some text.
/// Headings themselves never enter an excerpt (a heading has no sentence end, so it would
/// run into the next sentence).
fn lead_text(markdown: &str) -> String {
    let mut walker = PlainText::new();
    let mut in_heading = false;
    for event in Parser::new_ext(markdown, markdown_options()) {
        match &event {
            Event::Start(Tag::Heading { .. }) => {
                if !walker.out.trim().is_empty() {
                    break;
                }
                in_heading = true;
                continue;
            }
            Event::End(TagEnd::Heading(_)) => {
                in_heading = false;
                continue;
            }
            _ if in_heading => continue,
            _ => {}
        }
        walker.event(event);
    }
    walker.out
}

/// The start of an article for lists and previews: at most `max_chars` characters of its
/// lead — the plain text (see [`plain_text`]) before its first section heading, headings
/// left out — with all whitespace collapsed to single spaces.
///
/// - The whole text when it fits.
/// - Otherwise the longest run of whole sentences that fits, when at least one does. A
///   sentence ends at `.` `!` `?` `؟` `…` `۔` (optionally followed by closing quotes such as
///   `»` or `”`) followed by a space; `،` does not end a sentence, and `2.1` has no space
///   after its point so it does not either.
/// - Otherwise the text is cut at the last word boundary, trailing commas and dashes are
///   dropped, and "…" is appended: at most `max_chars + 1` characters, never half a word.
///   The one exception is a first word longer than `max_chars` (a pasted URL, say), which is
///   cut inside the word, between two characters, rather than returning nothing.
///
/// Callers normally pass [`EXCERPT_CHARS`]. `max_chars == 0` gives `""`.
#[must_use]
pub fn excerpt(markdown: &str, max_chars: usize) -> String {
    let text = lead_text(markdown);
    let chars: Vec<char> = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .collect();
    if chars.len() <= max_chars {
        return chars.into_iter().collect();
    }
    if max_chars == 0 {
        return String::new();
    }

    // Sentence boundaries: a space at index i whose preceding characters, skipping closers,
    // end with a sentence mark. chars[max_chars] exists (the text is longer), so a boundary
    // exactly at the limit is found too. A cut must keep a word: a lead opening with "… " or
    // ". " has a first "sentence" of punctuation alone.
    let keeps_a_word = |cut: usize| chars[..cut].iter().any(|c| c.is_alphanumeric());
    let sentence_cut = (1..=max_chars).rev().find(|&i| {
        chars[i] == ' ' && keeps_a_word(i) && {
            let mut k = i;
            while k > 0 && is_closer(chars[k - 1]) {
                k -= 1;
            }
            k > 0 && is_sentence_end(chars[k - 1])
        }
    });
    if let Some(cut) = sentence_cut {
        return chars[..cut].iter().collect();
    }

    let word_cut = (1..=max_chars).rev().find(|&i| chars[i] == ' ');
    let mut cut = match word_cut {
        Some(i) => {
            let mut end = i;
            while end > 0 && is_dangling(chars[end - 1]) {
                end -= 1;
            }
            end
        }
        None => 0,
    };
    if !keeps_a_word(cut) {
        // No usable word boundary: cut inside the first word, but not between a letter and
        // its combining marks.
        cut = max_chars;
        while cut > 1 && is_combining_mark(chars[cut]) {
            cut -= 1;
        }
        if !keeps_a_word(cut) {
            // The allowance ends among the marks of the first letter ("�اََ…" with 3):
            // keep that letter and drop its marks rather than return no word at all.
            cut = chars[..max_chars]
                .iter()
                .rposition(|&c| c.is_alphanumeric() && !is_combining_mark(c))
                .map_or(max_chars, |p| p + 1);
        }
    }
    let mut out: String = chars[..cut].iter().collect();
    out.push('…');
    out
}

/// Estimated reading time in whole minutes: the number of words in the plain text divided
/// by 200 words per minute, rounded up — so at least 1 for any text with a word, and 0 when
/// there is none (empty body, or only markup/punctuation).
///
/// A word is a whitespace-separated run with at least one letter or digit; Arabic is counted
/// exactly like Latin (clitics such as و and ال are part of their word).
#[must_use]
pub fn reading_time_minutes(markdown: &str) -> u32 {
    let words = plain_text(markdown)
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count();
    u32::try_from(words.div_ceil(WORDS_PER_MINUTE)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TOKYO_BODY: &str = "التقى وزير الدفاع الياباني نظيرَه الأمريكي على هامش قمة دولية، وناقش الجانبان سبل تعزيز التحالف بين البلدين.\n\nوقال الوزير الياباني في مستهل اللقاء: «نأمل أن نعمل معاً ككيان واحد».\n\nوأكد الجانب الأمريكي التزامه بالدفاع عن حلفائه، مشيراً إلى ما يُعرف بـ«الردع الموسّع».\n\nواتفق الطرفان على تحسين هياكل القيادة والتنسيق قبل مارس ٢٠٢٥.";

    const CARS_BODY: &str = "يتوقع خبراء أن تنخفض أسعار السيارات الكهربائية مع تراجع كلفة البطاريات.\n\nإلا أن آخرين يرون أن الرسوم الجمركية قد تُبقي الأسعار مرتفعة لفترة أطول.";

    #[test]
    fn a_cut_among_the_first_letters_marks_keeps_the_letter() {
        // Found by the `text` fuzzer: the allowance (3) ends between the two fathas of the
        // first letter after a replacement character; backing off the marks left "\u{fffd}…".
        assert_eq!(
            excerpt("\u{fffd}\u{627}\u{64e}\u{64e}لة؟ «نعم.", 3),
            "\u{fffd}\u{627}…"
        );
    }

    #[test]
    fn the_excerpt_is_the_lead_before_the_first_heading_and_never_a_heading() {
        let md = "## عنوان فرعي\n\nجملة أولى. جملة ثانية.\n\n## تفاصيل\n\nما بعد العنوان.";
        assert_eq!(excerpt(md, EXCERPT_CHARS), "جملة أولى. جملة ثانية.");
        assert_eq!(excerpt("# فقط عنوان", EXCERPT_CHARS), "");
    }

    #[test]
    fn plain_text_drops_markup_and_keeps_text() {
        let md = "# عنوان **مهم**\n\nThe **async** ecosystem has _matured_, see [actix-web](https://actix.rs) and `cargo test`.\n\n- أولاً\n- ثانياً\n\n> اقتباس\n\n---\n\n```\nfn main() {}\nlet x = 1;\n```";
        assert_eq!(
            plain_text(md),
            "عنوان مهم\n\nThe async ecosystem has matured, see actix-web and cargo test.\n\nأولاً\nثانياً\n\nاقتباس\n\nfn main() {}\nlet x = 1;"
        );
    }

    #[test]
    fn plain_text_separates_paragraphs_with_blank_lines() {
        assert_eq!(
            plain_text(CARS_BODY),
            "يتوقع خبراء أن تنخفض أسعار السيارات الكهربائية مع تراجع كلفة البطاريات.\n\nإلا أن آخرين يرون أن الرسوم الجمركية قد تُبقي الأسعار مرتفعة لفترة أطول."
        );
        assert_eq!(plain_text("سطر\nتابع"), "سطر تابع");
        assert_eq!(plain_text("سطر  \nجديد"), "سطر\nجديد");
    }

    #[test]
    fn plain_text_drops_images_with_their_alt_text() {
        assert_eq!(plain_text("قبل ![صورة الوزير](/img/a.jpg) بعد"), "قبل بعد");
        assert_eq!(
            plain_text("[![logo](x.png) الموقع](https://example.com)"),
            "الموقع"
        );
    }

    #[test]
    fn plain_text_drops_html_tags_comments_and_scripts() {
        assert_eq!(
            plain_text("نص <b>عريض</b> و<span class=\"x\">ملون</span>"),
            "نص عريض وملون"
        );
        assert_eq!(
            plain_text("<div class=\"box\">\n<p>فقرة &amp; أخرى</p>\n</div>\n\nبعد"),
            "فقرة & أخرى\n\nبعد"
        );
        assert_eq!(plain_text("أ <!-- تعليق --> ب"), "أ ب");
        assert_eq!(plain_text("<script>alert('x')</script>\n\nنص"), "نص");
        assert_eq!(plain_text("قبل <script>alert(1)</script> بعد"), "قبل بعد");
        assert_eq!(plain_text("<style>p { color: red }</style>\n\nنص"), "نص");
        // An unclosed inline script hides only the rest of its own paragraph.
        assert_eq!(plain_text("أ <script>x\n\nب"), "أ\n\nب");
        assert_eq!(plain_text("2 < 3 و 4 > 3"), "2 < 3 و 4 > 3");
    }

    #[test]
    fn plain_text_handles_tables_footnotes_and_tasks() {
        assert_eq!(plain_text("| أ | ب |\n|---|---|\n| 1 | 2 |"), "أ ب\n1 2");
        assert_eq!(plain_text("نص[^1]\n\n[^1]: حاشية"), "نص");
        assert_eq!(plain_text("- [x] تم\n- [ ] لا"), "تم\nلا");
    }

    #[test]
    fn short_bodies_are_their_own_excerpt() {
        assert_eq!(
            excerpt(CARS_BODY, EXCERPT_CHARS),
            plain_text(CARS_BODY).replace("\n\n", " ")
        );
        assert_eq!(excerpt("", EXCERPT_CHARS), "");
        assert_eq!(excerpt("**مرحبا**", EXCERPT_CHARS), "مرحبا");
    }

    #[test]
    fn long_bodies_are_cut_at_a_sentence_end() {
        let ex = excerpt(TOKYO_BODY, EXCERPT_CHARS);
        assert_eq!(
            ex,
            "التقى وزير الدفاع الياباني نظيرَه الأمريكي على هامش قمة دولية، وناقش الجانبان سبل تعزيز التحالف بين البلدين. وقال الوزير الياباني في مستهل اللقاء: «نأمل أن نعمل معاً ككيان واحد». وأكد الجانب الأمريكي التزامه بالدفاع عن حلفائه، مشيراً إلى ما يُعرف بـ«الردع الموسّع»."
        );
        assert!(ex.chars().count() <= EXCERPT_CHARS);
        let first = excerpt(CARS_BODY, 80);
        assert_eq!(
            first,
            "يتوقع خبراء أن تنخفض أسعار السيارات الكهربائية مع تراجع كلفة البطاريات."
        );
    }

    #[test]
    fn arabic_question_mark_and_closing_guillemet_end_sentences_but_the_comma_does_not() {
        let md = "هل من تفاصيل إضافية حول الاتفاق؟ نعم هناك الكثير من التفاصيل الأخرى";
        assert_eq!(excerpt(md, 40), "هل من تفاصيل إضافية حول الاتفاق؟");
        let md = "قال: «نأمل أن نعمل معاً». ثم غادر القاعة بعد ذلك مباشرة";
        assert_eq!(excerpt(md, 30), "قال: «نأمل أن نعمل معاً».");
        let md = "تحليل مفيد، شكراً لكم على هذا العمل الطويل والمفصل";
        assert_eq!(excerpt(md, 20), "تحليل مفيد، شكراً…");
        let md = "ينمو ٢٫١ في المائة وهذا رقم 2.1 جيد جداً في الربع الثالث";
        assert!(excerpt(md, 30).ends_with('…'));
    }

    #[test]
    fn without_a_fitting_sentence_the_cut_is_at_a_word_with_an_ellipsis() {
        let ex = excerpt(
            "ينصح الأطباء بتلقي لقاح الإنفلونزا سنوياً، وغسل اليدين بانتظام",
            30,
        );
        assert_eq!(ex, "ينصح الأطباء بتلقي لقاح…");
        assert!(ex.chars().count() <= 31);
        // Dangling commas are dropped before the ellipsis.
        assert_eq!(excerpt("أولاً، ثانياً وثالثاً", 7), "أولاً…");
    }

    #[test]
    fn a_single_overlong_word_is_cut_inside_it() {
        assert_eq!(excerpt("abcdefghij", 4), "abcd…");
        assert_eq!(excerpt("abc def", 0), "");
    }

    #[test]
    fn reading_time_rounds_up_at_200_words_per_minute() {
        assert_eq!(reading_time_minutes(""), 0);
        assert_eq!(reading_time_minutes("  \n\n---\n"), 0);
        assert_eq!(reading_time_minutes("كلمة"), 1);
        assert_eq!(reading_time_minutes(TOKYO_BODY), 1);
        assert_eq!(reading_time_minutes(&"كلمة ".repeat(200)), 1);
        assert_eq!(reading_time_minutes(&"كلمة ".repeat(201)), 2);
        assert_eq!(reading_time_minutes(&"**word** ".repeat(1000)), 5);
        // Markup and images do not count as words.
        assert_eq!(reading_time_minutes("![a b c](x.png) — …"), 0);
    }

    #[test]
    fn many_script_tags_are_handled_in_linear_time() {
        let md = format!("<div>{}</div>", "<SCRIPT>x</Script>y".repeat(20_000));
        assert_eq!(plain_text(&md), "y".repeat(20_000));
    }

    #[test]
    fn entities_are_decoded_in_raw_html_only_when_known() {
        assert_eq!(
            decode_entities("a &amp; b &#1575; &#x627; &bogus; &"),
            "a & b ا ا &bogus; &"
        );
    }

    fn word() -> impl Strategy<Value = String> {
        "[a-zA-Z\\u{0621}-\\u{064A}]{1,12}"
    }

    fn inline() -> impl Strategy<Value = String> {
        (
            word(),
            0..7u8,
            prop_oneof![
                Just(""),
                Just("."),
                Just("،"),
                Just("؟"),
                Just(","),
                Just("!")
            ],
        )
            .prop_map(|(w, style, punct)| {
                let w = match style {
                    0 => format!("**{w}**"),
                    1 => format!("*{w}*"),
                    2 => format!("[{w}](https://example.com/{w})"),
                    3 => format!("<b>{w}</b>"),
                    4 => format!("<span class=\"x\">{w}</span>"),
                    _ => w,
                };
                format!("{w}{punct}")
            })
    }

    fn block() -> impl Strategy<Value = String> {
        (prop::collection::vec(inline(), 1..30), 0..4u8).prop_map(|(words, kind)| {
            let line = words.join(" ");
            match kind {
                0 => format!("# {line}"),
                1 => format!("- {line}\n- {line}"),
                2 => format!("> {line}"),
                _ => line,
            }
        })
    }

    fn simple_markdown() -> impl Strategy<Value = String> {
        prop::collection::vec(block(), 0..6).prop_map(|blocks| blocks.join("\n\n"))
    }

    proptest! {
        #[test]
        fn excerpts_are_bounded_and_markup_free(md in simple_markdown(), max in 20usize..400) {
            let ex = excerpt(&md, max);
            prop_assert!(ex.chars().count() <= max + 1, "{} > {}", ex.chars().count(), max + 1);
            prop_assert!(!ex.contains(['<', '>', '*', '#', '[', ']', '\n']), "{:?}", ex);
            prop_assert!(!ex.contains("  "));
            prop_assert_eq!(ex.trim(), ex.as_str());
        }

        #[test]
        fn excerpts_never_end_in_half_a_word(md in simple_markdown(), max in 20usize..400) {
            let ex = excerpt(&md, max);
            let body = ex.strip_suffix('…').unwrap_or(&ex);
            let plain = lead_text(&md);
            let plain_words: Vec<&str> = plain.split_whitespace().collect();
            let words: Vec<&str> = body.split_whitespace().collect();
            prop_assert!(words.len() <= plain_words.len());
            for (i, w) in words.iter().enumerate() {
                if i + 1 < words.len() {
                    prop_assert_eq!(*w, plain_words[i]);
                } else {
                    let rest = plain_words[i].strip_prefix(*w);
                    prop_assert!(rest.is_some_and(|r| r.chars().all(|c| !c.is_alphanumeric())), "{:?} vs {:?}", w, plain_words[i]);
                }
            }
        }

        #[test]
        fn plain_text_drops_tags(md in simple_markdown()) {
            let plain = plain_text(&md);
            prop_assert!(!plain.contains(['<', '>', '*', '#']), "{:?}", plain);
        }

        #[test]
        fn text_functions_never_panic(s in "\\PC{0,300}|[<>&*_#\\[\\]()`!\\\\ \\n-]{0,100}", max in 0usize..300) {
            let ex = excerpt(&s, max);
            prop_assert!(ex.chars().count() <= max + 1);
            let _ = reading_time_minutes(&s);
        }
    }
}
