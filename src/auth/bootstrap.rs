//! The first admin, so a fresh installation can be used at all.

use validator::ValidateEmail;

use crate::config::Secret;
use crate::db::{DbConnection, Store, StoreError};
use crate::users::model::{self, NewUser};
use crate::users::{Role, normalize_email};

pub const GENERATED_ADMIN_EMAIL: &str = "admin@localhost";

#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error("SAHIFA_ADMIN_EMAIL: `{0}` is not a valid email address")]
    BadEmail(String),
    #[error("SAHIFA_ADMIN_PASSWORD: must be 12 to 256 characters long")]
    BadPassword,
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

impl From<diesel::result::Error> for BootstrapError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Store(e.to_string())
    }
}

/// Checks the password rules every account follows.
pub fn valid_password(password: &str) -> bool {
    (12..=256).contains(&password.chars().count())
}

/// When the database has no users: creates the configured admin, or `admin@localhost` with a
/// random password that is logged once (the only way to learn it).
pub async fn ensure_first_admin(
    store: &Store,
    email: Option<&str>,
    password: Option<&Secret>,
) -> Result<(), BootstrapError> {
    if store
        .run(|c| Ok::<_, BootstrapError>(model::count(c)?))
        .await?
        > 0
    {
        return Ok(());
    }
    let (email, password, generated) = match (email, password) {
        (Some(email), Some(password)) => {
            let email = normalize_email(email);
            if !email.validate_email() {
                return Err(BootstrapError::BadEmail(email));
            }
            if !valid_password(password.expose()) {
                return Err(BootstrapError::BadPassword);
            }
            (email, password.expose().to_owned(), false)
        }
        (None, None) => (GENERATED_ADMIN_EMAIL.to_owned(), random_password(), true),
        _ => return Err(BootstrapError::Incomplete),
    };
    let hash = super::password::hash(password.clone())
        .await
        .map_err(|e| BootstrapError::Store(e.to_string()))?;
    let created = {
        let email = email.clone();
        store
            .write(move |conn| create_if_none(conn, &email, &hash))
            .await?
    };
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

/// Inserts the admin unless another process already created a user meanwhile.
fn create_if_none(
    conn: &mut DbConnection,
    email: &str,
    hash: &str,
) -> Result<bool, BootstrapError> {
    if model::count(conn)? > 0 {
        return Ok(false);
    }
    let now = crate::time::now();
    model::insert(
        conn,
        &NewUser {
            email,
            display_name: "Administrator",
            role: Role::Admin.as_str(),
            active: true,
            password_hash: hash,
            created_at: now,
            updated_at: now,
        },
    )?;
    Ok(true)
}

/// 144 random bits, as 24 URL-safe characters.
fn random_password() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 18];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
