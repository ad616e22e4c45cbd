//! Small serde helpers for request bodies: text fields arrive trimmed, and their length limit
//! is checked on the text *as sent*, so the server agrees with the OpenAPI document (whose
//! `maxLength` a client checks before trimming) about every value. Single-line fields
//! (titles, names, emails, URLs) also refuse line breaks and arrive in Unicode NFC, so one
//! title typed on two keyboards is stored, compared and slugged the same way.
//!
//! Control characters in any text are refused before these run, by the JSON extractor
//! ([`super::json`]); in query strings and paths by [`reject_control_characters`].

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError};
use serde::{Deserialize, Deserializer};
use unicode_normalization::UnicodeNormalization;

use super::error::{ApiError, FieldErrors};
use crate::text::controls::{Lines, describe, first_disallowed};

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

/// One line of text: [`trim_checked`], no line breaks, in NFC.
fn line_checked<E: serde::de::Error>(raw: String, max_chars: usize) -> Result<String, E> {
    let trimmed = trim_checked::<E>(raw, max_chars)?;
    if let Some(c) = first_disallowed(&trimmed, Lines::One) {
        return Err(E::custom(describe(c)));
    }
    Ok(if unicode_normalization::is_nfc(&trimmed) {
        trimmed
    } else {
        trimmed.nfc().collect()
    })
}

/// A single line of at most `MAX` characters, trimmed, in NFC.
pub fn line<'de, D: Deserializer<'de>, const MAX: usize>(
    deserializer: D,
) -> Result<String, D::Error> {
    line_checked(String::deserialize(deserializer)?, MAX)
}

/// [`line`] for optional fields (use with `#[serde(default)]`).
pub fn line_opt<'de, D: Deserializer<'de>, const MAX: usize>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    Option::<String>::deserialize(deserializer)?
        .map(|raw| line_checked(raw, MAX))
        .transpose()
}

/// [`line`] for PATCH fields that can be cleared (see [`nullable`]).
pub fn nullable_line<'de, D: Deserializer<'de>, const MAX: usize>(
    deserializer: D,
) -> Result<Option<Option<String>>, D::Error> {
    Ok(Some(
        Option::<String>::deserialize(deserializer)?
            .map(|raw| line_checked(raw, MAX))
            .transpose()?,
    ))
}

/// An absolute `http` or `https` URL of at most `MAX` characters as sent, on one line,
/// returned as the URL parser writes it (lower-case scheme and host, reserved characters
/// percent-encoded), so nothing is stored exactly as a client typed it: no quote, angle
/// bracket or space ever reaches a page that prints it in an attribute.
pub fn web_url<'de, D: Deserializer<'de>, const MAX: usize>(
    deserializer: D,
) -> Result<String, D::Error> {
    use serde::de::Error;
    let raw = line_checked::<D::Error>(String::deserialize(deserializer)?, MAX)?;
    let parsed = url::Url::parse(&raw)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
        .ok_or_else(|| D::Error::custom("must be an absolute http or https URL"))?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(D::Error::custom("must not hold a user name or password"));
    }
    Ok(parsed.into())
}

/// [`web_url`] for an optional field.
pub fn web_url_opt<'de, D: Deserializer<'de>, const MAX: usize>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    Ok(Option::<WebUrl<MAX>>::deserialize(deserializer)?.map(|u| u.0))
}

/// [`web_url`] for a field of a change, where `null` clears it.
pub fn nullable_web_url<'de, D: Deserializer<'de>, const MAX: usize>(
    deserializer: D,
) -> Result<Option<Option<String>>, D::Error> {
    Ok(Some(web_url_opt::<D, MAX>(deserializer)?))
}

struct WebUrl<const MAX: usize>(String);

impl<'de, const MAX: usize> Deserialize<'de> for WebUrl<MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        web_url::<D, MAX>(deserializer).map(Self)
    }
}

/// Refuses control characters where no request body extractor looks: a path segment holding
/// one names no resource (404), a query parameter holding one is a 422 naming it. Query
/// parameters are single lines; tabs pass.
pub async fn reject_control_characters(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let path = percent_encoding::percent_decode_str(req.path()).decode_utf8_lossy();
    let refusal = if first_disallowed(&path, Lines::One).is_some() {
        Some(ApiError::NotFound("no resource at this path".into()))
    } else {
        url::form_urlencoded::parse(req.query_string().as_bytes()).find_map(|(name, value)| {
            let c = first_disallowed(&name, Lines::One)
                .or_else(|| first_disallowed(&value, Lines::One))?;
            let mut errors = FieldErrors::new();
            errors.insert(name.into_owned(), vec![describe(c)]);
            Some(ApiError::Validation {
                detail: "a query parameter holds a control character".into(),
                errors,
            })
        })
    };
    match refusal {
        Some(error) => Ok(req
            .into_response(error.error_response())
            .map_into_right_body()),
        None => Ok(next.call(req).await?.map_into_left_body()),
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
