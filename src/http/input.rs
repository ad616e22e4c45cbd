//! Small serde helpers for request bodies: text fields arrive trimmed, and their length limit
//! is checked on the text *as sent*, so the server agrees with the OpenAPI document (whose
//! `maxLength` a client checks before trimming) about every value.

use serde::{Deserialize, Deserializer};

/// The whitespace trimmed from text fields: exactly JavaScript's (and so JSON Schema's
/// `\s`), so that "at least one non-space character" means the same on both sides.
fn is_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

fn trim_checked<E: serde::de::Error>(raw: String, max_chars: usize) -> Result<String, E> {
    if raw.chars().count() > max_chars {
        return Err(E::custom(format!(
            "length must be at most {max_chars} characters"
        )));
    }
    let trimmed = raw.trim_matches(is_space);
    Ok(if trimmed.len() == raw.len() {
        raw
    } else {
        trimmed.to_owned()
    })
}

/// A string of at most `MAX` characters, trimmed.
pub fn trimmed<'de, D: Deserializer<'de>, const MAX: usize>(
    deserializer: D,
) -> Result<String, D::Error> {
    trim_checked(String::deserialize(deserializer)?, MAX)
}

/// [`trimmed`] for optional fields (use with `#[serde(default)]`).
pub fn trimmed_opt<'de, D: Deserializer<'de>, const MAX: usize>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    Option::<String>::deserialize(deserializer)?
        .map(|raw| trim_checked(raw, MAX))
        .transpose()
}

/// For PATCH fields that can be cleared: absent → `None` (leave as is), `null` →
/// `Some(None)` (clear), a value → `Some(Some(v))`. Use with `#[serde(default)]`.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// [`nullable`] for text of at most `MAX` characters, trimmed.
pub fn nullable_trimmed<'de, D: Deserializer<'de>, const MAX: usize>(
    deserializer: D,
) -> Result<Option<Option<String>>, D::Error> {
    Ok(Some(
        Option::<String>::deserialize(deserializer)?
            .map(|raw| trim_checked(raw, MAX))
            .transpose()?,
    ))
}

/// Whether a trimmed text field has anything left: the server-side twin of the document's
/// `pattern: \S`.
pub fn is_blank(text: &str) -> bool {
    text.chars().all(is_space)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Form {
        #[serde(deserialize_with = "trimmed::<_, 5>")]
        name: String,
    }

    #[test]
    fn text_is_trimmed_and_its_length_judged_as_sent() {
        let form: Form = serde_json::from_str(r#"{"name": "\u00a0ab\ufeff "}"#).unwrap();
        assert_eq!(form.name, "ab");
        assert!(serde_json::from_str::<Form>(r#"{"name": "abcde "}"#).is_err());
        assert!(serde_json::from_str::<Form>(r#"{"name": "abcde"}"#).is_ok());
        assert!(is_blank(" \u{3000}\u{feff}"));
        assert!(!is_blank("\u{85}"), "NEL is not JavaScript whitespace");
    }
}
