//! What can be done with staff accounts: the logic behind the admin endpoints, the
//! `sahifa users create` command and the first admin. Passwords arrive hashed
//! ([`super::password`]): hashing takes its own thread, before the write.

use chrono::NaiveDateTime;
use diesel::QueryResult;
use validator::ValidateEmail;

use super::dto::{UpdateUser, User};
use super::model::{self, NewUser, UserChanges, UserRow};
use super::{Role, normalize_email};
use crate::db::DbConnection;
use crate::http::conditional::IfMatch;
use crate::http::pagination::Page;
use crate::http::{ApiError, ProblemType};

/// An account to create, its fields already checked ([`NewAccount::new`]).
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
}

impl NewAccount {
    /// Checks what every way of creating an account must check (the API's body does the same
    /// through its validation): a valid email, stored lower-cased; a display name of 1 to
    /// 100 characters (the part of the email before `@` when none is given); the password
    /// rule. Each error names the field.
    pub fn new(
        email: &str,
        display_name: Option<&str>,
        role: Role,
        password: &str,
    ) -> Result<Self, ApiError> {
        let email = normalize_email(email);
        if !email.validate_email() {
            return Err(ApiError::invalid("email", "must be a valid email address"));
        }
        let display_name = display_name
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| email.split('@').next().unwrap_or("user"))
            .to_owned();
        if display_name.chars().count() > 100 {
            return Err(ApiError::invalid("display_name", "at most 100 characters"));
        }
        super::password::check_rule(password).map_err(|e| {
            ApiError::invalid(
                "password",
                e.message.map(|m| m.to_string()).unwrap_or_default(),
            )
        })?;
        Ok(Self {
            email,
            display_name,
            role,
            active: true,
        })
    }
}

/// A page of accounts, oldest first, with the total.
pub fn list(c: &mut DbConnection, page: Page) -> QueryResult<(Vec<User>, u64)> {
    let (rows, total) = model::list(c, page.offset(), page.limit())?;
    Ok((rows.iter().map(User::from).collect(), total as u64))
}

pub fn get(c: &mut DbConnection, id: i64) -> Result<User, ApiError> {
    Ok(User::from(&found(model::find(c, id)?)?))
}

/// Stores a new account with its password hash; 409 `email-taken` when the email is in use.
pub fn create(
    c: &mut DbConnection,
    account: &NewAccount,
    password_hash: &str,
    now: NaiveDateTime,
) -> Result<User, ApiError> {
    ensure_email_free(c, &account.email, None)?;
    let row = model::insert(
        c,
        &NewUser {
            email: &account.email,
            display_name: &account.display_name,
            role: account.role.as_str(),
            active: account.active,
            password_hash,
            created_at: now,
            updated_at: now,
        },
    )?;
    Ok(User::from(&row))
}

/// Creates `account` as the first admin, unless another process created an admin
/// meanwhile; whether it did.
pub fn create_first(
    c: &mut DbConnection,
    account: &NewAccount,
    password_hash: &str,
    now: NaiveDateTime,
) -> Result<bool, ApiError> {
    if model::count_admins(c)? > 0 {
        return Ok(false);
    }
    create(c, account, password_hash, now)?;
    Ok(true)
}

/// Changes an account, as the admin `admin_id` asks. Changing the role or the password, or
/// deactivating, ends every session of the user at once. Admins cannot demote or deactivate
/// themselves, so a newsroom always keeps an admin.
pub fn update(
    c: &mut DbConnection,
    admin_id: i64,
    id: i64,
    input: UpdateUser,
    password_hash: Option<String>,
    if_match: &IfMatch,
    now: NaiveDateTime,
) -> Result<User, ApiError> {
    if id == admin_id
        && (input.role.is_some_and(|r| r != Role::Admin) || input.active == Some(false))
    {
        return Err(ApiError::Conflict(
            ProblemType::OwnAccount,
            "admins cannot demote or deactivate themselves; ask another admin".into(),
        ));
    }
    crate::db::lock_row(c, crate::db::Locked::Users, id)?;
    let current = found(model::find(c, id)?)?;
    if_match.check_value(&User::from(&current))?;
    let email = input.email.as_deref().map(normalize_email);
    if let Some(email) = &email {
        ensure_email_free(c, email, Some(id))?;
    }
    let ends_sessions = password_hash.is_some()
        || input.role.is_some_and(|r| r != current.role())
        || (input.active == Some(false) && current.active);
    let changes = UserChanges {
        email,
        display_name: input.display_name,
        role: input.role.map(|r| r.as_str().to_owned()),
        active: input.active,
        password_hash,
        token_version: ends_sessions.then_some(current.token_version + 1),
    };
    let updated = model::update(c, id, current.version, &changes, now)?
        .ok_or(ApiError::PreconditionFailed)?;
    if ends_sessions {
        model::end_sessions(c, id, now)?;
    }
    if updated.display_name != current.display_name {
        // Articles show their author's name.
        crate::events::purge(c, &crate::events::keys::author_purge(id), now)?;
    }
    Ok(User::from(&updated))
}

/// Deletes an account and its sessions; refused while the user authors content.
pub fn delete(
    c: &mut DbConnection,
    admin_id: i64,
    id: i64,
    if_match: &IfMatch,
) -> Result<(), ApiError> {
    if id == admin_id {
        return Err(ApiError::Conflict(
            ProblemType::OwnAccount,
            "admins cannot delete themselves".into(),
        ));
    }
    crate::db::lock_row(c, crate::db::Locked::Users, id)?;
    let current = found(model::find(c, id)?)?;
    if_match.check_value(&User::from(&current))?;
    model::delete(c, id).map_err(|e| match ApiError::from(e) {
        ApiError::Conflict(..) => ApiError::Conflict(
            ProblemType::UserHasContent,
            "the user still authors content; deactivate them instead".into(),
        ),
        other => other,
    })?;
    Ok(())
}

fn found(user: Option<UserRow>) -> Result<UserRow, ApiError> {
    user.ok_or_else(|| ApiError::not_found("user"))
}

fn ensure_email_free(
    c: &mut DbConnection,
    email: &str,
    except: Option<i64>,
) -> Result<(), ApiError> {
    match model::find_by_email(c, email)? {
        Some(other) if Some(other.id) != except => Err(ApiError::Conflict(
            ProblemType::EmailTaken,
            format!("a user with the email {email} already exists"),
        )),
        _ => Ok(()),
    }
}
