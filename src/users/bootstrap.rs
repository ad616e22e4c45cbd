//! The first admin, so a fresh installation can be used at all.

use super::Role;
use super::operations::{self, NewAccount};
use crate::config::Secret;
use crate::db::{Store, StoreError};
use crate::http::ApiError;

pub const GENERATED_ADMIN_EMAIL: &str = "admin@localhost";

#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    /// The configured account breaks a rule of every account: the message names the variable.
    #[error("{0}")]
    Invalid(String),
    #[error("SAHIFA_ADMIN_EMAIL and SAHIFA_ADMIN_PASSWORD must be set together")]
    Incomplete,
    #[error("cannot create the first admin: {0}")]
    Store(String),
}

impl From<StoreError> for BootstrapError {
    fn from(e: StoreError) -> Self {
        Self::Store(e.to_string())
    }
}

impl From<ApiError> for BootstrapError {
    fn from(e: ApiError) -> Self {
        Self::Store(e.to_string())
    }
}

/// When the database has no admin: creates the configured admin, or `admin@localhost` with a
/// random password that is logged once (the only way to learn it). The account follows the
/// same rules as one made through the API. (Other accounts may exist already: the demo's
/// byline, editors created on the command line before the first start.)
pub async fn ensure_first_admin(
    store: &Store,
    email: Option<&str>,
    password: Option<&Secret>,
) -> Result<(), BootstrapError> {
    let has_admin = store
        .query(|c| Ok(super::model::count_admins(c)? > 0))
        .await
        .map_err(|e| BootstrapError::Store(e.to_string()))?;
    if has_admin {
        return Ok(());
    }
    let (email, password, generated) = match (email, password) {
        (Some(email), Some(password)) => (email.to_owned(), password.expose().to_owned(), false),
        (None, None) => (GENERATED_ADMIN_EMAIL.to_owned(), random_password(), true),
        _ => return Err(BootstrapError::Incomplete),
    };
    let account = NewAccount::new(&email, Some("Administrator"), Role::Admin, &password)
        .map_err(|e| BootstrapError::Invalid(setting_error(e)))?;
    let hash = super::password::hash(password.clone())
        .await
        .map_err(|e| BootstrapError::Store(e.to_string()))?;
    let email = account.email.clone();
    let created = store
        .write(move |c| operations::create_first(c, &account, &hash, crate::time::now()))
        .await?;
    if created && generated {
        tracing::warn!(
            "created the first admin {email} with the generated password {password} — \
             log in and change it; it is not shown again"
        );
    } else if created {
        tracing::info!(email = %email, "created the first admin");
    }
    Ok(())
}

/// A rule the configured admin breaks, named by its variable.
fn setting_error(error: ApiError) -> String {
    let ApiError::Validation { errors, .. } = &error else {
        return error.to_string();
    };
    errors
        .iter()
        .map(|(field, messages)| {
            let var = match field.as_str() {
                "password" => "SAHIFA_ADMIN_PASSWORD",
                _ => "SAHIFA_ADMIN_EMAIL",
            };
            format!("{var}: {}", messages.join("; "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// 144 random bits, as 24 URL-safe characters.
fn random_password() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 18];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
