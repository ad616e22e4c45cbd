//! Password hashing with argon2id, always on the blocking pool.

use std::sync::LazyLock;

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

/// OWASP's recommended argon2id parameters: 19 MiB of memory, 2 passes, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("constant parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A hash of a password nobody has, verified when the email is unknown, so that a wrong
/// email costs the same time as a wrong password.
static DECOY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_blocking("decoy password that matches no account"));

/// Hashes with a fresh random salt into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
pub fn hash_blocking(password: &str) -> String {
    argon2()
        .hash_password(password.as_bytes())
        .expect("hashing with valid parameters succeeds")
        .to_string()
}

/// True when `password` matches `stored`. With no stored hash (unknown account) the decoy is
/// verified instead and the answer is false.
pub fn verify_blocking(password: &str, stored: Option<&str>) -> bool {
    let decoy = DECOY_HASH.as_str();
    let matches = argon2()
        .verify_password(password.as_bytes(), stored.unwrap_or(decoy))
        .is_ok();
    matches && stored.is_some()
}

/// The blocking task did not complete (the runtime is shutting down).
#[derive(Debug, thiserror::Error)]
#[error("the password hashing task did not complete")]
pub struct HashTaskFailed;

/// [`hash_blocking`] off the async workers.
pub async fn hash(password: String) -> Result<String, HashTaskFailed> {
    blocking(move || hash_blocking(&password)).await
}

/// [`verify_blocking`] off the async workers.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, HashTaskFailed> {
    blocking(move || verify_blocking(&password, stored.as_deref())).await
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, HashTaskFailed> {
    let span = tracing::Span::current();
    actix_web::rt::task::spawn_blocking(move || span.in_scope(work))
        .await
        .map_err(|_| HashTaskFailed)
}

/// Warms the decoy hash at start, so the first login with an unknown email is not slower.
pub fn warm_up() {
    LazyLock::force(&DECOY_HASH);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let hash = hash_blocking("a long enough password");
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_blocking("a long enough password", Some(&hash)));
        assert!(!verify_blocking("a long enough passworD", Some(&hash)));
        assert_ne!(hash, hash_blocking("a long enough password"), "salted");
    }

    #[test]
    fn an_unknown_account_never_verifies() {
        assert!(!verify_blocking(
            "decoy password that matches no account",
            None
        ));
        assert!(!verify_blocking("anything", Some("not a phc string")));
    }
}
