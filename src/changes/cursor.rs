//! Cursors of the changes feed: a position `(tx, seq)` signed with the database's own key
//! (`instance_settings.changes_key`), so a cursor that was altered, or that comes from
//! another database, is refused instead of silently skipping or repeating changes.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The key's name in `instance_settings`.
pub const KEY_NAME: &str = "changes_key";

const VERSION: u8 = 1;
const MAC_BYTES: usize = 16;

/// The signing key, loaded at start.
#[derive(Clone)]
pub struct CursorKey(pub Vec<u8>);

impl std::fmt::Debug for CursorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CursorKey([redacted])")
    }
}

/// The key once loaded: it never changes for a database, so one read per process.
#[derive(Default)]
pub struct KeyCell(pub tokio::sync::OnceCell<CursorKey>);

impl CursorKey {
    fn mac(&self, body: &[u8]) -> Vec<u8> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key");
        mac.update(b"sahifa changes cursor");
        mac.update(body);
        mac.finalize().into_bytes()[..MAC_BYTES].to_vec()
    }

    /// The cursor of a position.
    pub fn encode(&self, position: (i64, i64)) -> String {
        let mut body = vec![VERSION];
        body.extend_from_slice(&position.0.to_be_bytes());
        body.extend_from_slice(&position.1.to_be_bytes());
        let mac = self.mac(&body);
        body.extend_from_slice(&mac);
        URL_SAFE_NO_PAD.encode(body)
    }

    /// The position a cursor names, or `None` when it was not made by this database.
    pub fn decode(&self, cursor: &str) -> Option<(i64, i64)> {
        let bytes = URL_SAFE_NO_PAD.decode(cursor.trim()).ok()?;
        if bytes.len() != 1 + 16 + MAC_BYTES || bytes[0] != VERSION {
            return None;
        }
        let (body, mac) = bytes.split_at(1 + 16);
        // A constant-time comparison: the MAC must not be guessable byte by byte.
        let mut check = Hmac::<Sha256>::new_from_slice(&self.0).ok()?;
        check.update(b"sahifa changes cursor");
        check.update(body);
        check.verify_truncated_left(mac).ok()?;
        let tx = i64::from_be_bytes(body[1..9].try_into().ok()?);
        let seq = i64::from_be_bytes(body[9..17].try_into().ok()?);
        (tx >= 0 && seq >= 0).then_some((tx, seq))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_changes_and_other_keys() {
        let key = CursorKey(b"one database".to_vec());
        let cursor = key.encode((5, 42));
        assert_eq!(key.decode(&cursor), Some((5, 42)));
        let other = CursorKey(b"another database".to_vec());
        assert_eq!(other.decode(&cursor), None);
        let mut chars: Vec<char> = cursor.chars().collect();
        chars[3] = if chars[3] == 'A' { 'B' } else { 'A' };
        let tampered: String = chars.into_iter().collect();
        assert_eq!(key.decode(&tampered), None);
        assert_eq!(key.decode(""), None);
        assert_eq!(key.decode("!!!"), None);
    }
}
