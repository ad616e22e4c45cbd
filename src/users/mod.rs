//! Staff accounts (admins, editors, authors): the rows, the admin endpoints, and the roles.
//! Readers have no accounts.

pub mod bootstrap;
pub mod dto;
pub mod model;
pub mod operations;
pub mod password;
mod role;
pub mod routes;

pub use role::Role;

/// Emails are compared case-insensitively: they are stored and looked up in this form.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// `sahifa users create`: the same rules as `POST /api/v1/users`.
pub async fn create_from_cli(
    store: &crate::db::Store,
    email: &str,
    role: Role,
    name: Option<&str>,
    password: String,
) -> Result<dto::User, crate::http::ApiError> {
    let account = operations::NewAccount::new(email, name, role, &password)?;
    let hash = password::hash(password)
        .await
        .map_err(crate::http::ApiError::internal)?;
    store
        .write(move |c| operations::create(c, &account, &hash, crate::time::now()))
        .await
}
