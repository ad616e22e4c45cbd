//! Small serde helpers for request bodies: text fields arrive trimmed, so validation rules
//! (non-empty, length) judge what will be stored.

use serde::{Deserialize, Deserializer};

/// Deserializes a string with surrounding whitespace removed.
pub fn trimmed<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let raw = String::deserialize(deserializer)?;
    Ok(trim_owned(raw))
}

/// [`trimmed`] for optional fields (use with `#[serde(default)]`).
pub fn trimmed_opt<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.map(trim_owned))
}

fn trim_owned(raw: String) -> String {
    let trimmed = raw.trim();
    if trimmed.len() == raw.len() {
        raw
    } else {
        trimmed.to_owned()
    }
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

/// [`nullable`] for text, trimmed.
pub fn nullable_trimmed<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<String>>, D::Error> {
    Ok(Some(
        Option::<String>::deserialize(deserializer)?.map(trim_owned),
    ))
}
