//! Control characters that text may not hold.
//!
//! C0 controls (U+0000–U+001F) other than tab, line feed and carriage return have no place
//! in a newsroom's text: NUL cannot even be stored in PostgreSQL (it answered 500), and the
//! others (escape sequences, bell, backspace) only ever arrive to forge log lines or confuse
//! terminals and parsers downstream. Line breaks are text in bodies and descriptions, but
//! not in titles, names, emails or URLs, which are one line by nature.

/// Whether text may span lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    One,
    Many,
}

/// The first character `text` may not hold, if any.
#[must_use]
pub fn first_disallowed(text: &str, lines: Lines) -> Option<char> {
    text.chars().find(|&c| match c {
        '\t' => false,
        '\n' | '\r' => lines == Lines::One,
        c => c < '\u{20}',
    })
}

/// What to tell a client about `c`.
#[must_use]
pub fn describe(c: char) -> String {
    match c {
        '\n' | '\r' => "must be a single line (no line breaks)".to_owned(),
        c => format!(
            "must not contain control characters (found U+{:04X})",
            u32::from(c)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_always_pass_and_line_breaks_only_where_text_has_lines() {
        assert_eq!(first_disallowed("a\tb", Lines::One), None);
        assert_eq!(first_disallowed("a\r\nb", Lines::Many), None);
        assert_eq!(first_disallowed("a\nb", Lines::One), Some('\n'));
        assert_eq!(first_disallowed("a\u{0}b", Lines::Many), Some('\u{0}'));
        assert_eq!(first_disallowed("\u{1b}[31m", Lines::Many), Some('\u{1b}'));
        assert_eq!(first_disallowed("نص عربي \u{7f}\u{85}", Lines::One), None);
        assert_eq!(
            describe('\u{0}'),
            "must not contain control characters (found U+0000)"
        );
    }
}
