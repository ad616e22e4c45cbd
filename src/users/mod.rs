//! Staff accounts (admins, editors, authors): the rows, the admin endpoints, and the roles.
//! Readers have no accounts.

pub mod dto;
pub mod model;
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
    role: &str,
    name: Option<&str>,
    password: String,
) -> Result<dto::User, String> {
    use validator::ValidateEmail;
    let email = normalize_email(email);
    if !email.validate_email() {
        return Err(format!("--email: `{email}` is not a valid email address"));
    }
    let role = Role::parse(role).ok_or("--role: expected admin, editor or author")?;
    if !crate::auth::bootstrap::valid_password(&password) {
        return Err("the password must be 12 to 256 characters long".into());
    }
    let name = name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| email.split('@').next().unwrap_or("user"))
        .to_owned();
    if name.chars().count() > 100 {
        return Err("--name: at most 100 characters".into());
    }
    let hash = crate::auth::password::hash(password)
        .await
        .map_err(|e| e.to_string())?;
    let row = store
        .write(move |c| {
            if model::find_by_email(c, &email)?.is_some() {
                return Ok(Err(format!("a user with the email {email} already exists")));
            }
            let now = crate::time::now();
            model::insert(
                c,
                &model::NewUser {
                    email: &email,
                    display_name: &name,
                    role: role.as_str(),
                    active: true,
                    password_hash: &hash,
                    created_at: now,
                    updated_at: now,
                },
            )
            .map(Ok)
            .map_err(crate::db::DbError::from)
        })
        .await
        .map_err(|e: crate::db::DbError| e.to_string())??;
    Ok(dto::User::from(&row))
}
