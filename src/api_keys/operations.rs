//! Creating, listing and revoking keys, and turning a presented secret into its key.

use std::collections::HashMap;
use std::sync::Mutex;

use base64::Engine;
use chrono::NaiveDateTime;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::dto::{ApiKey, ApiKeyWithSecret, CreateApiKey};
use super::model::{self, KeyRow, NewKey};
use super::{SECRET_PREFIX, Scope};
use crate::auth::{AuthError, StaffUser};
use crate::db::{DbConnection, Store};
use crate::http::ApiError;
use crate::http::pagination::Page;
use crate::users::model as users;

/// How often `last_used_at` is written for a key in steady use: a write per request would
/// cost more than the request.
const TOUCH_EVERY_SECS: i64 = 60;

/// The hash stored for a secret. The secret holds 256 random bits, so a plain SHA-256 is
/// enough: there is nothing to guess, and it is cheap enough to check on every request.
fn hash(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn create(
    c: &mut DbConnection,
    creator: &StaffUser,
    input: &CreateApiKey,
    default_rate_limit: u32,
    now: NaiveDateTime,
) -> Result<ApiKeyWithSecret, ApiError> {
    if let Some(at) = input.expires_at
        && at.naive() <= now
    {
        return Err(ApiError::invalid("expires_at", "must be in the future"));
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = format!(
        "{SECRET_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let mut scopes: Vec<&str> = input.scopes.iter().map(|s| s.as_str()).collect();
    scopes.sort_unstable();
    scopes.dedup();
    let rate_limit = input.rate_limit_per_minute.unwrap_or(default_rate_limit);
    let id = model::insert(
        c,
        &NewKey {
            name: &input.name,
            prefix: &secret[..SECRET_PREFIX.len() + 4],
            secret_hash: &hash(&secret),
            scopes: &scopes.join(" "),
            rate_limit: rate_limit.min(i32::MAX as u32) as i32,
            created_by: creator.id,
            created_at: now,
            expires_at: input.expires_at.map(|t| t.naive()),
        },
    )?;
    let row = model::find(c, id)?.ok_or(ApiError::Internal)?;
    Ok(ApiKeyWithSecret {
        key: ApiKey::from(&row),
        secret,
    })
}

pub fn list(c: &mut DbConnection, page: Page) -> Result<(Vec<ApiKey>, u64), ApiError> {
    let (rows, total) = model::list(c, page.offset(), page.limit())?;
    Ok((rows.iter().map(ApiKey::from).collect(), total as u64))
}

pub fn get(c: &mut DbConnection, id: i64) -> Result<ApiKey, ApiError> {
    let row = model::find(c, id)?.ok_or_else(|| ApiError::not_found("API key"))?;
    Ok(ApiKey::from(&row))
}

/// Revokes a key; revoking a revoked key changes nothing and answers the same.
pub fn revoke(c: &mut DbConnection, id: i64, now: NaiveDateTime) -> Result<ApiKey, ApiError> {
    model::find(c, id)?.ok_or_else(|| ApiError::not_found("API key"))?;
    model::revoke(c, id, now)?;
    get(c, id)
}

/// A key presented as a bearer token, as the staff member it acts for.
pub struct KeyCaller {
    pub user: StaffUser,
    pub scopes: Vec<Scope>,
    pub rate_limit: u32,
}

impl KeyCaller {
    /// Whether the key holds one of `needed` (`admin` holds them all).
    pub fn allows(&self, needed: &[Scope]) -> bool {
        self.scopes
            .iter()
            .any(|s| *s == Scope::Admin || needed.contains(s))
    }
}

/// Looks the secret up (every time: a revocation holds at once, on every instance). The key
/// must be neither revoked nor expired, and its creator still active; it acts with the
/// creator's current role.
pub async fn authenticate(store: &Store, secret: &str) -> Result<KeyCaller, AuthError> {
    let hashed = hash(secret);
    let now = crate::time::now();
    let found = store
        .query(move |c| {
            let Some(key) = model::find_by_hash(c, &hashed)? else {
                return Ok(None);
            };
            let user = users::find(c, key.created_by)?;
            Ok(Some((key, user)))
        })
        .await?;
    let Some((key, user)) = found else {
        return Err(AuthError::InvalidToken);
    };
    let Some(user) = user.filter(|u| u.active && key.is_usable(now)) else {
        return Err(AuthError::Revoked);
    };
    touch(store, &key, now).await;
    Ok(KeyCaller {
        user: StaffUser {
            id: user.id,
            role: user.role(),
            display_name: user.display_name,
            key_id: Some(key.id),
        },
        scopes: key
            .scopes
            .split_whitespace()
            .filter_map(Scope::parse)
            .collect(),
        rate_limit: key.rate_limit.max(1) as u32,
    })
}

async fn touch(store: &Store, key: &KeyRow, now: NaiveDateTime) {
    let stale = key
        .last_used_at
        .is_none_or(|at| (now - at).num_seconds() >= TOUCH_EVERY_SECS);
    if !stale {
        return;
    }
    let id = key.id;
    if let Err(error) = store
        .write(move |c| model::touch(c, id, now).map_err(crate::db::DbError::from))
        .await
    {
        tracing::warn!(%error, "could not record an API key's use");
    }
}

/// Each key's own rate limit, kept in process memory (so per instance, like the login
/// limits). Only authenticated keys get an entry, so the map is bounded by the keys created.
#[derive(Default)]
pub struct KeyLimits {
    limiters: Mutex<HashMap<i64, (u32, DefaultDirectRateLimiter)>>,
}

impl KeyLimits {
    /// Counts one request; 429 with the time to wait when over the key's limit.
    pub fn check(&self, key_id: i64, per_minute: u32) -> Result<(), ApiError> {
        use governor::clock::{Clock, DefaultClock};
        let mut limiters = self.limiters.lock().unwrap_or_else(|e| e.into_inner());
        let entry = limiters
            .entry(key_id)
            .or_insert_with(|| limiter(per_minute));
        if entry.0 != per_minute {
            *entry = limiter(per_minute);
        }
        entry
            .1
            .check()
            .map_err(|not_until| ApiError::TooManyRequests {
                retry_after_secs: not_until
                    .wait_time_from(DefaultClock::default().now())
                    .as_secs()
                    .max(1),
            })
    }
}

fn limiter(per_minute: u32) -> (u32, DefaultDirectRateLimiter) {
    let n = std::num::NonZeroU32::new(per_minute.max(1)).expect("at least one");
    (per_minute, RateLimiter::direct(Quota::per_minute(n)))
}
