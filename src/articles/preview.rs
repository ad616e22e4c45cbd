//! Draft previews: a signed, expiring token that lets an anonymous frontend read one article
//! as it is now, whatever its status.
//!
//! The token names the article, when it was issued and when it expires, signed with the
//! database's own key (`instance_settings.preview_key`), so every instance accepts it and
//! nothing is stored per token. An editor revokes every token of an article at once by
//! moving its `revoked_before` line; deleting the article ends them too (its id no longer
//! resolves).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::dto::Article;
use super::model;
use super::workflow::Readable;
use crate::auth::StaffUser;
use crate::auth::secret;
use crate::db::DbConnection;
use crate::db::schema::article_previews;
use crate::http::{ApiError, ProblemType};
use crate::slugs::{Lookup, Reference};
use crate::time::Timestamp;

const KEY_NAME: &str = "preview_key";
const VERSION: u8 = 1;
const MAC_BYTES: usize = 20;
/// A token lives an hour unless asked otherwise, and never more than a week.
pub const DEFAULT_TTL_SECS: i64 = 3600;
pub const MAX_TTL_SECS: i64 = 7 * 24 * 3600;

/// Asking for a preview link.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePreview {
    /// How long the link works, in seconds (default 3600: an hour; at most 604800: 7 days).
    #[validate(range(min = 1, max = 604800))]
    #[schema(minimum = 1, maximum = 604800, example = 3600)]
    pub expires_in: Option<i64>,
}

/// A preview link.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewLink {
    /// Send as `?preview_token=`.
    #[schema(example = "AQAAAAAAAAAqAAABk0p1c2AAAAAAZ1r7QJ2n5xqg3e0s9m0QeP1r2vY")]
    pub token: String,
    /// The article as this token shows it.
    #[schema(
        example = "/api/v1/articles/42?preview_token=AQAAAAAAAAAqAAABk0p1c2AAAAAAZ1r7QJ2n5xqg3e0s9m0QeP1r2vY"
    )]
    pub url: String,
    pub expires_at: Timestamp,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PreviewParams {
    /// A preview token (`POST /api/v1/articles/{id}/preview`): shows this one article as it is
    /// now, whatever its status, with `Cache-Control: private, no-store` and
    /// `X-Robots-Tag: noindex`. Expired, tampered or revoked: 401 `invalid-preview-token`;
    /// a token of another article: 404.
    pub preview_token: Option<String>,
}

struct Token {
    article_id: i64,
    issued_ms: i64,
    expires_s: i64,
}

fn mac(key: &[u8], body: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(b"sahifa article preview");
    mac.update(body);
    mac
}

fn encode(key: &[u8], token: &Token) -> String {
    let mut body = vec![VERSION];
    body.extend_from_slice(&token.article_id.to_be_bytes());
    body.extend_from_slice(&token.issued_ms.to_be_bytes());
    body.extend_from_slice(&token.expires_s.to_be_bytes());
    let tag = mac(key, &body).finalize().into_bytes();
    body.extend_from_slice(&tag[..MAC_BYTES]);
    URL_SAFE_NO_PAD.encode(body)
}

fn decode(key: &[u8], raw: &str) -> Option<Token> {
    let bytes = URL_SAFE_NO_PAD.decode(raw.trim()).ok()?;
    if bytes.len() != 1 + 24 + MAC_BYTES || bytes[0] != VERSION {
        return None;
    }
    let (body, tag) = bytes.split_at(1 + 24);
    mac(key, body).verify_truncated_left(tag).ok()?;
    let int = |at: usize| i64::from_be_bytes(body[at..at + 8].try_into().expect("8 bytes"));
    Some(Token {
        article_id: int(1),
        issued_ms: int(9),
        expires_s: int(17),
    })
}

/// A preview link for an article `user` may edit (authors: their own; editors: any).
pub fn issue(
    c: &mut DbConnection,
    user: &StaffUser,
    reference: &Reference,
    input: &CreatePreview,
    now: NaiveDateTime,
) -> Result<PreviewLink, ApiError> {
    let row = super::operations::for_write(c, user, reference, now)?;
    let key = secret::load_or_create_named(c, KEY_NAME)?;
    let ttl = input
        .expires_in
        .unwrap_or(DEFAULT_TTL_SECS)
        .clamp(1, MAX_TTL_SECS);
    let expires = now + chrono::Duration::seconds(ttl);
    let id = row.summary.id;
    let token = encode(
        &key,
        &Token {
            article_id: id,
            issued_ms: now.and_utc().timestamp_millis(),
            expires_s: expires.and_utc().timestamp(),
        },
    );
    Ok(PreviewLink {
        url: format!("/api/v1/articles/{id}?preview_token={token}"),
        token,
        expires_at: expires.into(),
    })
}

/// Ends every preview token issued so far for an article (an editor's call).
pub fn revoke(
    c: &mut DbConnection,
    reference: &Reference,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let id = model::resolve_id(c, reference)?.ok_or_else(|| ApiError::not_found("article"))?;
    diesel::delete(article_previews::table.find(id)).execute(c)?;
    diesel::insert_into(article_previews::table)
        .values((
            article_previews::article_id.eq(id),
            article_previews::revoked_before.eq(now),
        ))
        .execute(c)?;
    Ok(())
}

/// The article a preview token opens, as it is now.
pub fn open(
    c: &mut DbConnection,
    reference: &Reference,
    raw: &str,
    now: NaiveDateTime,
) -> Result<Article, ApiError> {
    let refused = || {
        ApiError::Unauthorized(
            ProblemType::InvalidPreviewToken,
            "the preview token is invalid, expired or revoked".into(),
        )
    };
    let key = secret::load(c, KEY_NAME)?.ok_or_else(refused)?;
    let token = decode(&key, raw).ok_or_else(refused)?;
    if token.expires_s <= now.and_utc().timestamp() {
        return Err(refused());
    }
    let id = model::resolve_id(c, reference)?.ok_or_else(|| ApiError::not_found("article"))?;
    if id != token.article_id {
        return Err(ApiError::not_found("article"));
    }
    let revoked_before: Option<NaiveDateTime> = article_previews::table
        .find(id)
        .select(article_previews::revoked_before)
        .first(c)
        .optional()?;
    if revoked_before.is_some_and(|line| token.issued_ms <= line.and_utc().timestamp_millis()) {
        return Err(refused());
    }
    match super::operations::get(c, &Reference::Id(id), Readable::Everything, now)? {
        Lookup::Found(article) => Ok(article),
        _ => Err(ApiError::not_found("article")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_refuse_tampering_and_other_keys() {
        let token = Token {
            article_id: 42,
            issued_ms: 1_700_000_000_000,
            expires_s: 1_700_003_600,
        };
        let raw = encode(b"key", &token);
        let back = decode(b"key", &raw).expect("decodes");
        assert_eq!(
            (back.article_id, back.issued_ms, back.expires_s),
            (42, 1_700_000_000_000, 1_700_003_600)
        );
        assert!(decode(b"other", &raw).is_none());
        let mut bytes = URL_SAFE_NO_PAD.decode(&raw).unwrap();
        bytes[8] ^= 1;
        assert!(decode(b"key", &URL_SAFE_NO_PAD.encode(bytes)).is_none());
        assert!(decode(b"key", "not a token").is_none());
    }
}
