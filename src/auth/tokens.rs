//! Access tokens: short-lived HS256 JWTs.
//!
//! The algorithm is pinned when verifying, so a token claiming `alg: none` or any other
//! algorithm is refused whatever its signature. A token also carries the user's token version:
//! bumping it (password or role change, deactivation) voids every token issued before.

use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::users::Role;

/// What an access token says.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The user id, as a string (RFC 7519).
    pub sub: String,
    pub role: Role,
    pub iat: i64,
    pub exp: i64,
    /// A unique id per token, for audit trails.
    pub jti: String,
    /// The user's token version when the token was issued.
    pub ver: i64,
}

/// The keys and rules for access tokens, built once at start.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
}

/// A freshly issued access token.
pub struct AccessToken {
    pub token: String,
    pub expires_in: u64,
}

impl TokenKeys {
    pub fn new(secret: &[u8], ttl: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "iat", "sub"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl,
        }
    }

    pub fn issue(&self, user_id: i64, role: Role, token_version: i64) -> AccessToken {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            role,
            iat: now,
            exp: now + self.ttl.as_secs() as i64,
            jti: uuid::Uuid::new_v4().to_string(),
            ver: token_version,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing with a valid key cannot fail");
        AccessToken {
            token,
            expires_in: self.ttl.as_secs(),
        }
    }

    /// The claims of a token signed with our key under HS256 and not expired.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|data| data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> TokenKeys {
        TokenKeys::new(
            b"0123456789abcdef0123456789abcdef",
            Duration::from_secs(900),
        )
    }

    #[test]
    fn issued_tokens_verify_and_carry_their_claims() {
        let token = keys().issue(42, Role::Editor, 3);
        assert_eq!(token.expires_in, 900);
        let claims = keys().verify(&token.token).unwrap();
        assert_eq!(claims.sub, "42");
        assert_eq!(claims.role, Role::Editor);
        assert_eq!(claims.ver, 3);
        assert_eq!(claims.exp - claims.iat, 900);
    }

    #[test]
    fn tokens_of_another_key_or_algorithm_are_refused() {
        let other = TokenKeys::new(
            b"another secret of thirty-two bytes!",
            Duration::from_secs(60),
        );
        assert!(
            keys()
                .verify(&other.issue(1, Role::Admin, 1).token)
                .is_none()
        );

        let claims = keys()
            .verify(&keys().issue(1, Role::Admin, 1).token)
            .unwrap();
        let hs512 = jsonwebtoken::encode(
            &Header::new(Algorithm::HS512),
            &claims,
            &EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef"),
        )
        .unwrap();
        assert!(keys().verify(&hs512).is_none(), "algorithm is pinned");
        assert!(keys().verify("not.a.token").is_none());
    }
}
