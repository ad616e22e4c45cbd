//! Identity: passwords, access and refresh tokens, the login endpoints, and turning a bearer
//! token into the staff member behind it.

pub mod dto;
pub mod operations;
pub mod refresh;
pub mod routes;
pub mod secret;
pub mod tokens;

use crate::db::{DbError, Store};
use crate::users::Role;
use crate::users::model::{self, UserRow};
use tokens::TokenKeys;

/// A staff member authenticated by a valid access token.
#[derive(Debug, Clone)]
pub struct StaffUser {
    pub id: i64,
    pub role: Role,
    pub display_name: String,
    /// The API key the request was made with; `None` for an access token.
    pub key_id: Option<i64>,
}

/// Why a bearer token was not accepted. Clients see one message for all of them.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("the token is invalid or expired")]
    InvalidToken,
    #[error("the account behind the token is inactive or its sessions were ended")]
    Revoked,
    #[error(transparent)]
    Database(#[from] DbError),
}

/// Checks the token's signature and expiry, then that its user still exists, is active, and
/// has not had their sessions ended since it was issued — so a deactivation, password or role
/// change takes effect on the very next request.
pub async fn authenticate(
    store: &Store,
    keys: &TokenKeys,
    token: &str,
) -> Result<StaffUser, AuthError> {
    let claims = keys.verify(token).ok_or(AuthError::InvalidToken)?;
    let id: i64 = claims.sub.parse().map_err(|_| AuthError::InvalidToken)?;
    let user = store
        .query(move |conn| model::find(conn, id))
        .await?
        .ok_or(AuthError::Revoked)?;
    if !user.active || user.token_version != claims.ver || user.role() != claims.role {
        return Err(AuthError::Revoked);
    }
    Ok(StaffUser {
        id: user.id,
        role: user.role(),
        display_name: user.display_name,
        key_id: None,
    })
}

/// Access token plus refresh token for `user`, in a new login family or an existing one.
pub fn issue_pair(
    conn: &mut crate::db::DbConnection,
    keys: &TokenKeys,
    user: &UserRow,
    refresh_ttl: std::time::Duration,
) -> diesel::QueryResult<dto::TokenPair> {
    let refresh_token = refresh::issue(conn, user.id, None, refresh_ttl, crate::time::now())?;
    let access = keys.issue(user.id, user.role(), user.token_version);
    Ok(dto::TokenPair::new(access, refresh_token, user))
}
