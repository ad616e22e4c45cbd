//! Sessions: logging in, refreshing, logging out, and one's own account. Checking a
//! password takes the hashing thread between database steps, so these operations run on the
//! store rather than on one connection.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use super::dto::{TokenPair, UpdateMe};
use super::refresh::{self, Rotation};
use super::tokens::TokenKeys;
use super::{StaffUser, issue_pair};
use crate::db::Store;
use crate::http::conditional::IfMatch;
use crate::http::rate_limit::KeyedLimiter;
use crate::http::{ApiError, ProblemType};
use crate::users::dto::User;
use crate::users::model::{self as users, UserChanges};
use crate::users::{normalize_email, password};

/// How many password attempts are allowed per client address and per account.
pub struct LoginLimits {
    pub per_ip: KeyedLimiter<IpAddr>,
    pub per_account: KeyedLimiter<String>,
}

/// Checks an email and password and opens a session (a new refresh-token family).
pub async fn login(
    store: &Store,
    keys: Arc<TokenKeys>,
    limits: &LoginLimits,
    client: IpAddr,
    email: &str,
    password: String,
    refresh_ttl: Duration,
) -> Result<TokenPair, ApiError> {
    let email = normalize_email(email);
    limits.per_ip.check(&client)?;
    limits.per_account.check(&email)?;
    let user = store
        .query(move |c| users::find_by_email(c, &email))
        .await?;
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let matches = password::verify(password, stored)
        .await
        .map_err(ApiError::internal)?;
    let user = match user {
        Some(user) if matches && user.active => user,
        other => {
            crate::audit::security(store, "login.failed", other.map(|u| u.id), false).await;
            return Err(ApiError::Unauthorized(
                ProblemType::WrongCredentials,
                "wrong email or password".into(),
            ));
        }
    };
    let pair = store
        .write(move |c| Ok::<_, ApiError>(issue_pair(c, &keys, &user, refresh_ttl)?))
        .await?;
    crate::audit::security(store, "login.succeeded", Some(pair.user.id), true).await;
    tracing::info!(user_id = pair.user.id, "logged in");
    Ok(pair)
}

/// Trades a refresh token for a new pair. A token presented twice revokes its whole family,
/// and that revocation is committed whatever the answer.
pub async fn refresh(
    store: &Store,
    keys: Arc<TokenKeys>,
    presented: String,
    refresh_ttl: Duration,
) -> Result<TokenPair, ApiError> {
    let outcome = store
        .write(move |c| {
            let rotation = refresh::rotate(c, &presented, refresh_ttl, crate::time::now())?;
            let Rotation::Rotated { user_id, token } = rotation else {
                return Ok::<_, ApiError>(Err(rotation));
            };
            match users::find(c, user_id)? {
                Some(user) if user.active => {
                    let access = keys.issue(user.id, user.role(), user.token_version);
                    Ok(Ok(TokenPair::new(access, token, &user)))
                }
                _ => Ok(Err(Rotation::Invalid)),
            }
        })
        .await?;
    if let Err(Rotation::Reused) = &outcome {
        crate::audit::security(store, "refresh_token.reused", None, false).await;
    }
    outcome.map_err(|refused| match refused {
        Rotation::Reused => {
            tracing::warn!("refresh token reuse detected; the login was revoked");
            ApiError::Unauthorized(
                ProblemType::RefreshTokenReused,
                "this refresh token was already used; the whole session has been revoked".into(),
            )
        }
        _ => ApiError::Unauthorized(
            ProblemType::InvalidRefreshToken,
            "the refresh token is invalid, expired or revoked".into(),
        ),
    })
}

/// Ends the session a refresh token belongs to.
pub async fn logout(store: &Store, presented: String) -> Result<(), ApiError> {
    store
        .write(move |c| {
            refresh::revoke_family_of(c, &presented, crate::time::now())?;
            Ok::<_, ApiError>(())
        })
        .await
}

/// The caller's own account.
pub async fn me(store: &Store, caller: &StaffUser) -> Result<User, ApiError> {
    let id = caller.id;
    let user = store.query(move |c| users::find(c, id)).await?;
    user.map(|u| User::from(&u))
        .ok_or_else(|| ApiError::not_found("user"))
}

/// Changes what one may change of one's own account (the name).
pub async fn update_me(
    store: &Store,
    caller: &StaffUser,
    input: UpdateMe,
    if_match: IfMatch,
) -> Result<User, ApiError> {
    let id = caller.id;
    store
        .write(move |c| {
            crate::db::lock_row(c, crate::db::Locked::Users, id)?;
            let current = users::find(c, id)?.ok_or_else(|| ApiError::not_found("user"))?;
            if_match.check_value(&User::from(&current))?;
            let changes = UserChanges {
                display_name: input.display_name,
                ..Default::default()
            };
            let now = crate::time::now();
            let updated = users::update(c, id, current.version, &changes, now)?
                .ok_or(ApiError::PreconditionFailed)?;
            if updated.display_name != current.display_name {
                // Articles show their author's name.
                crate::events::purge(c, &crate::events::keys::author_purge(id), now)?;
            }
            Ok(User::from(&updated))
        })
        .await
}

/// Changes one's own password, given the current one: every other session ends, and the
/// caller gets a new pair.
pub async fn change_password(
    store: &Store,
    keys: Arc<TokenKeys>,
    limits: &LoginLimits,
    caller: &StaffUser,
    current_password: String,
    new_password: String,
    refresh_ttl: Duration,
) -> Result<TokenPair, ApiError> {
    let id = caller.id;
    let user = store
        .query(move |c| users::find(c, id))
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    // Guessing the current password through this endpoint is rate limited like logins.
    limits.per_account.check(&user.email)?;
    let matches = password::verify(current_password, Some(user.password_hash.clone()))
        .await
        .map_err(ApiError::internal)?;
    if !matches {
        return Err(ApiError::invalid(
            "current_password",
            "is not your current password",
        ));
    }
    let hash = password::hash(new_password)
        .await
        .map_err(ApiError::internal)?;
    store
        .write(move |c| {
            let now = crate::time::now();
            let changes = UserChanges {
                password_hash: Some(hash),
                token_version: Some(user.token_version + 1),
                ..Default::default()
            };
            let updated =
                users::update(c, id, user.version, &changes, now)?.ok_or(ApiError::Conflict(
                    ProblemType::EditConflict,
                    "the account changed meanwhile; try again".into(),
                ))?;
            users::end_sessions(c, id, now)?;
            Ok::<_, ApiError>(issue_pair(c, &keys, &updated, refresh_ttl)?)
        })
        .await
}
