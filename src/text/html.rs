//! Plain text into HTML: escaping, and paragraphs for text that must stay plain (comments).

/// Escapes the five characters that matter in HTML text and attribute values.
#[must_use]
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// Plain text as HTML with its line breaks kept: blank lines separate `<p>` paragraphs,
/// single line breaks become `<br>`. Nothing in the text is interpreted as markup.
#[must_use]
pub fn paragraphs(text: &str) -> String {
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    normalized
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let lines: Vec<String> = p.lines().map(|l| escape(l.trim_end())).collect();
            format!("<p>{}</p>", lines.join("<br>"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_line_breaks_survive() {
        assert_eq!(
            paragraphs("سطر <b>أول</b>\nسطر \"ثانٍ\"\n\n\nفقرة & أخرى"),
            "<p>سطر &lt;b&gt;أول&lt;/b&gt;<br>سطر &quot;ثانٍ&quot;</p><p>فقرة &amp; أخرى</p>"
        );
        assert_eq!(paragraphs("  \n\n "), "");
        assert_eq!(
            escape("<script>'x'</script>"),
            "&lt;script&gt;&#39;x&#39;&lt;/script&gt;"
        );
    }
}
