//! Who is calling: the one extractor every endpoint uses for its permission checks.
//!
//! No `Authorization` header means an anonymous reader. A header that is present but wrong —
//! not a bearer token, a bad signature, expired, revoked — is a 401 even on a public route:
//! a client that believes it is authenticated must never be silently served as anonymous.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};

use super::conditional::Audience;
use super::error::ApiError;
use super::problem_types::ProblemType;
use crate::api_keys;
use crate::audit::context::Actor;
use crate::auth::tokens::TokenKeys;
use crate::auth::{AuthError, StaffUser, authenticate};
use crate::config::Settings;
use crate::db::Store;
use crate::users::Role;

/// The caller of a request.
#[derive(Debug, Clone)]
pub enum Caller {
    Anonymous,
    Staff(StaffUser),
}

impl Caller {
    pub fn staff(&self) -> Option<&StaffUser> {
        match self {
            Self::Staff(user) => Some(user),
            Self::Anonymous => None,
        }
    }

    /// The staff member, when their role is at least `role`: 401 for anonymous callers,
    /// 403 for a weaker role.
    pub fn require(&self, role: Role) -> Result<&StaffUser, ApiError> {
        let user = self.staff().ok_or_else(|| {
            ApiError::Unauthorized(
                ProblemType::AuthenticationRequired,
                "this endpoint needs a bearer token".into(),
            )
        })?;
        if user.role.at_least(role) {
            Ok(user)
        } else {
            Err(ApiError::Forbidden(
                ProblemType::RoleRequired,
                format!(
                    "this needs the {} role or above; you are {}",
                    role.as_str(),
                    user.role.as_str()
                ),
            ))
        }
    }

    /// Responses to anonymous callers may be cached by anyone; responses to a token may not.
    pub fn audience(&self, settings: &Settings) -> Audience {
        match self {
            Self::Anonymous => Audience::Public {
                max_age: settings.cache_max_age.as_secs(),
            },
            Self::Staff(_) => Audience::Private,
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::InvalidToken | AuthError::Revoked => Self::invalid_token(error.to_string()),
            AuthError::Database(e) => e.into(),
        }
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let header = req.headers().get(header::AUTHORIZATION).cloned();
        let store = req.app_data::<web::Data<Store>>().cloned();
        let keys = req.app_data::<web::Data<TokenKeys>>().cloned();
        let req = req.clone();
        Box::pin(async move {
            let Some(header) = header else {
                return Ok(Caller::Anonymous);
            };
            let token = header
                .to_str()
                .ok()
                .and_then(|v| {
                    let (scheme, token) = v.split_once(' ')?;
                    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
                })
                .filter(|t| !t.is_empty())
                .ok_or_else(|| {
                    ApiError::invalid_token(
                        "the Authorization header must be `Bearer <access token>`",
                    )
                })?;
            let (Some(store), Some(keys)) = (store, keys) else {
                return Err(ApiError::internal("auth state is not configured"));
            };
            let user = if token.starts_with(api_keys::SECRET_PREFIX) {
                let key = api_keys::authenticate(&store, token).await?;
                admit_key(&req, &key)?;
                key.user
            } else {
                authenticate(&store, &keys, token).await?
            };
            crate::audit::context::set_actor(
                &req,
                Actor {
                    user_id: user.id,
                    key_id: user.key_id,
                },
            );
            Ok(Caller::Staff(user))
        })
    }
}

/// A key may make only the requests its scopes cover (one table for the whole API:
/// [`api_keys::scopes::required`]), and no more of them than its rate limit.
fn admit_key(req: &HttpRequest, key: &api_keys::operations::KeyCaller) -> Result<(), ApiError> {
    let pattern = req.match_pattern().unwrap_or_else(|| req.path().to_owned());
    match api_keys::scopes::required(req.method(), &pattern) {
        Some(needed) if key.allows(needed) => {}
        Some(needed) => {
            let names: Vec<&str> = needed.iter().map(|s| s.as_str()).collect();
            return Err(ApiError::Forbidden(
                ProblemType::ScopeRequired,
                format!("this API key needs the scope {}", names.join(" or ")),
            ));
        }
        None => {
            return Err(ApiError::Forbidden(
                ProblemType::ScopeRequired,
                "session endpoints take a person's access token, not an API key".into(),
            ));
        }
    }
    if let (Some(limits), Some(id)) = (
        req.app_data::<web::Data<api_keys::KeyLimits>>(),
        key.user.key_id,
    ) {
        limits.check(id, key.rate_limit)?;
    }
    Ok(())
}

/// Extractors that demand a role, for endpoints no anonymous caller may use. Listed before
/// the body in a handler's parameters, they answer 401/403 before the body is even read, so
/// a caller without the right never learns whether their input was valid.
macro_rules! role_extractor {
    ($(#[$doc:meta])* $name:ident, $role:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name(pub StaffUser);

        impl FromRequest for $name {
            type Error = ApiError;
            type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

            fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
                let caller = Caller::from_request(req, payload);
                Box::pin(async move { Ok(Self(caller.await?.require($role)?.clone())) })
            }
        }
    };
}

role_extractor!(
    /// Any staff member: author, editor or admin.
    AnyStaff,
    Role::Author
);
role_extractor!(
    /// An editor or an admin.
    EditorOrAdmin,
    Role::Editor
);
role_extractor!(
    /// An admin.
    AdminOnly,
    Role::Admin
);
