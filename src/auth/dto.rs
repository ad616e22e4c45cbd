//! What the auth endpoints read and write.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::tokens::AccessToken;
use crate::http::input::{line, line_opt};
use crate::users::dto::User;
use crate::users::model::UserRow;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[serde(deserialize_with = "line::<_, 254>")]
    #[validate(length(min = 1, max = 254))]
    #[schema(
        example = "layla@newsroom.example",
        format = "email",
        min_length = 1,
        max_length = 254,
        pattern = r"\S"
    )]
    pub email: String,
    #[validate(length(min = 1, max = 256))]
    #[schema(
        example = "correct horse battery staple",
        format = "password",
        min_length = 1,
        max_length = 256
    )]
    pub password: String,
}

/// A new access token and refresh token.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenPair {
    /// A JWT for `Authorization: Bearer …`.
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: u64,
    /// Opaque and single use: exchange it at `/auth/refresh` for a new pair.
    pub refresh_token: String,
    pub user: User,
}

impl TokenPair {
    pub fn new(access: AccessToken, refresh_token: String, user: &UserRow) -> Self {
        Self {
            access_token: access.token,
            token_type: "Bearer",
            expires_in: access.expires_in,
            refresh_token,
            user: User::from(user),
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    #[validate(length(min = 1, max = 128))]
    #[schema(min_length = 1, max_length = 128)]
    pub refresh_token: String,
}

/// A change to one's own account. The email and role are changed by an admin.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMe {
    #[serde(default, deserialize_with = "line_opt::<_, 100>")]
    #[validate(length(min = 1, max = 100))]
    #[schema(example = "ليلى حسن", min_length = 1, max_length = 100)]
    pub display_name: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    #[validate(length(min = 1, max = 256))]
    #[schema(format = "password", min_length = 1, max_length = 256)]
    pub current_password: String,
    #[validate(custom(function = "crate::users::password::check_rule"))]
    #[schema(format = "password", min_length = 12, max_length = 256)]
    pub new_password: String,
}
