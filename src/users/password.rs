//! Passwords: the rule every account's password follows, and hashing with argon2id on one
//! thread of its own.

use std::sync::LazyLock;

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

/// One of OWASP's recommended argon2id configurations: 7 MiB of memory, 5 passes, 1 lane.
///
/// OWASP lists five configurations of equal strength, trading memory for passes (46 MiB × 1
/// … 19 MiB × 2 … 7 MiB × 5). The server holds one hash's memory at a time per login, on top
/// of everything else it keeps resident; with 19 MiB a burst of logins took the server from
/// 73 to 92 MiB at peak, over its 64 MiB budget. Hashes made with other parameters (they are
/// in the PHC string) still verify.
fn argon2() -> Argon2<'static> {
    let params = Params::new(7 * 1024, 5, 1, None).expect("constant parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The fewest and the most characters a password may have: long enough for any
/// passphrase, short enough that hashing it costs nothing extra.
pub const MIN_CHARS: u64 = 12;
pub const MAX_CHARS: u64 = 256;

/// The password rule, for every way an account gets one (the API, the CLI, the first admin).
pub fn check_rule(password: &str) -> Result<(), validator::ValidationError> {
    if (MIN_CHARS..=MAX_CHARS).contains(&(password.chars().count() as u64)) {
        Ok(())
    } else {
        Err(validator::ValidationError::new("length")
            .with_message(format!("must be {MIN_CHARS} to {MAX_CHARS} characters long").into()))
    }
}

/// A hash of a password nobody has, verified when the email is unknown, so that a wrong
/// email costs the same time as a wrong password.
static DECOY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_blocking("decoy password that matches no account"));

/// Hashes with a fresh random salt into a PHC string (`$argon2id$v=19$m=7168,t=5,p=1$…`).
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

/// The hashing did not complete (the process is shutting down).
#[derive(Debug, thiserror::Error)]
#[error("the password hashing task did not complete")]
pub struct HashTaskFailed;

/// [`hash_blocking`] off the async workers.
pub async fn hash(password: String) -> Result<String, HashTaskFailed> {
    on_hashing_thread(move || hash_blocking(&password)).await
}

/// [`verify_blocking`] off the async workers.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, HashTaskFailed> {
    on_hashing_thread(move || verify_blocking(&password, stored.as_deref())).await
}

type Job = Box<dyn FnOnce() + Send>;

/// One thread does all the hashing, one password at a time.
///
/// Each argon2id hash takes megabytes of memory and most of a core for tens of milliseconds.
/// Run on the general blocking pool (with the 19 MiB parameters used then), a burst of logins
/// hashed on many threads at once: it took every core from the readers, and each thread's
/// allocator arena kept its 19 MiB afterwards (measured: 450–960 MiB resident after eight
/// concurrent logins). On one thread, logins
/// queue behind each other, readers keep the other cores, and the memory is one buffer's.
static HASHING: LazyLock<std::sync::mpsc::Sender<Job>> = LazyLock::new(|| {
    let (sender, jobs) = std::sync::mpsc::channel::<Job>();
    std::thread::Builder::new()
        .name("sahifa-hashing".into())
        .spawn(move || {
            for job in jobs {
                job();
            }
        })
        .expect("the hashing thread starts");
    sender
});

async fn on_hashing_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, HashTaskFailed> {
    let span = tracing::Span::current();
    let (reply, answer) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = reply.send(span.in_scope(work));
    });
    HASHING.send(job).map_err(|_| HashTaskFailed)?;
    answer.await.map_err(|_| HashTaskFailed)
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
        assert!(hash.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"), "{hash}");
        assert!(verify_blocking("a long enough password", Some(&hash)));
        assert!(!verify_blocking("a long enough passworD", Some(&hash)));
        assert_ne!(hash, hash_blocking("a long enough password"), "salted");
    }

    #[test]
    fn hashes_made_with_the_former_parameters_still_verify() {
        let former = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(19 * 1024, 2, 1, None).unwrap(),
        )
        .hash_password(b"a long enough password")
        .unwrap()
        .to_string();
        assert!(former.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_blocking("a long enough password", Some(&former)));
        assert!(!verify_blocking("a long enough passworD", Some(&former)));
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
