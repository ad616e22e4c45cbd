//! API keys' wire types.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::Scope;
use super::model::KeyRow;
use crate::http::input::line;
use crate::time::Timestamp;

/// An API key, as listed: never its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKey {
    #[schema(example = 3)]
    pub id: i64,
    #[schema(example = "static site build")]
    pub name: String,
    /// The secret's first characters, to recognize a leaked key.
    #[schema(example = "sk_live_3fQ9")]
    pub prefix: String,
    pub scopes: Vec<Scope>,
    /// Requests per minute this key may make.
    #[schema(example = 600)]
    pub rate_limit_per_minute: u32,
    /// The admin who created it; the key acts for them.
    #[schema(example = 1)]
    pub created_by: i64,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
    /// When it was revoked; a revoked key is refused everywhere at once.
    pub revoked_at: Option<Timestamp>,
}

impl From<&KeyRow> for ApiKey {
    fn from(row: &KeyRow) -> Self {
        Self {
            id: row.id,
            name: row.name.clone(),
            prefix: row.prefix.clone(),
            scopes: row
                .scopes
                .split_whitespace()
                .filter_map(Scope::parse)
                .collect(),
            rate_limit_per_minute: row.rate_limit.max(1) as u32,
            created_by: row.created_by,
            created_at: row.created_at.into(),
            expires_at: row.expires_at.map(Into::into),
            last_used_at: row.last_used_at.map(Into::into),
            revoked_at: row.revoked_at.map(Into::into),
        }
    }
}

/// A key just created: the only answer that holds its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyWithSecret {
    #[serde(flatten)]
    pub key: ApiKey,
    /// `Authorization: Bearer <secret>`. Shown once: only its hash is kept.
    #[schema(example = "sk_live_3fQ9n0c2Vb7xk1WqL8ZrT4yHd6sEo5uPjM9aGf2KbNw")]
    pub secret: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKey {
    #[serde(deserialize_with = "line::<_, 100>")]
    #[validate(length(min = 1, max = 100))]
    #[schema(example = "static site build", min_length = 1, max_length = 100)]
    pub name: String,
    /// At least one.
    #[validate(length(min = 1, max = 6))]
    #[schema(min_items = 1, max_items = 6)]
    pub scopes: Vec<Scope>,
    /// When the key stops working; it never expires without one.
    pub expires_at: Option<Timestamp>,
    /// Requests per minute (default `SAHIFA_API_KEY_RATE_LIMIT`, 600).
    #[validate(range(min = 1, max = 100000))]
    #[schema(minimum = 1, maximum = 100000, example = 600)]
    pub rate_limit_per_minute: Option<u32>,
}
