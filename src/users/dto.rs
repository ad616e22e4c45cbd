//! What the user endpoints read and write.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::Role;
use super::model::UserRow;
use crate::http::input::{line, line_opt};
use crate::time::Timestamp;

/// A staff account as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    #[schema(example = 7)]
    pub id: i64,
    #[schema(example = "layla@newsroom.example", format = "email")]
    pub email: String,
    #[schema(example = "ليلى حسن")]
    pub display_name: String,
    pub role: Role,
    /// Inactive users cannot log in; their tokens stopped working when they were deactivated.
    pub active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<&UserRow> for User {
    fn from(row: &UserRow) -> Self {
        Self {
            id: row.id,
            email: row.email.clone(),
            display_name: row.display_name.clone(),
            role: row.role(),
            active: row.active,
            created_at: row.created_at.into(),
            updated_at: row.updated_at.into(),
        }
    }
}

/// A new staff account.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    /// Compared case-insensitively; stored lower-cased.
    #[serde(deserialize_with = "line::<_, 254>")]
    #[validate(email, length(max = 254))]
    #[schema(example = "layla@newsroom.example", format = "email", max_length = 254)]
    pub email: String,
    #[serde(deserialize_with = "line::<_, 100>")]
    #[validate(length(min = 1, max = 100))]
    #[schema(
        example = "ليلى حسن",
        min_length = 1,
        max_length = 100,
        pattern = r"\S"
    )]
    pub display_name: String,
    pub role: Role,
    /// 12 to 256 characters: long enough for any passphrase, short enough that hashing it
    /// costs nothing extra.
    #[validate(custom(function = "crate::users::password::check_rule"))]
    #[schema(
        example = "correct horse battery staple",
        min_length = 12,
        max_length = 256,
        format = "password"
    )]
    pub password: String,
    /// Defaults to true.
    #[serde(default)]
    pub active: Option<bool>,
}

/// A change to a staff account (admins only). Absent fields stay as they are. Changing the
/// role or password, or deactivating, ends the user's sessions.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    #[serde(default, deserialize_with = "line_opt::<_, 254>")]
    #[validate(email, length(max = 254))]
    #[schema(format = "email", max_length = 254)]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "line_opt::<_, 100>")]
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub display_name: Option<String>,
    #[serde(default)]
    pub role: Option<Role>,
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(default)]
    #[validate(custom(function = "crate::users::password::check_rule"))]
    #[schema(min_length = 12, max_length = 256, format = "password")]
    pub password: Option<String>,
}
