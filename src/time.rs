//! Time at the edges: UTC everywhere, RFC 3339 with a `Z` on the wire.
//!
//! The database stores naive UTC timestamps (both backends' `TIMESTAMP`); this module is the
//! one place where they become `DateTime<Utc>` and strings.

use chrono::{DateTime, NaiveDateTime, SecondsFormat, SubsecRound, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::ToSchema;

/// An instant in UTC, written as RFC 3339 with second precision: `2026-11-26T08:30:00Z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, ToSchema)]
#[schema(value_type = String, format = DateTime, example = "2026-11-26T08:30:00Z")]
pub struct Timestamp(pub DateTime<Utc>);

impl Timestamp {
    pub fn naive(self) -> NaiveDateTime {
        self.0.naive_utc()
    }
}

impl From<NaiveDateTime> for Timestamp {
    fn from(naive: NaiveDateTime) -> Self {
        Self(naive.and_utc())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0.to_rfc3339_opts(SecondsFormat::Secs, true))
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    /// Accepts any RFC 3339 offset and converts it to UTC.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        DateTime::parse_from_rfc3339(&raw)
            .map(|t| Self(t.with_timezone(&Utc)))
            .map_err(|_| {
                serde::de::Error::custom(format!(
                    "`{raw}` is not an RFC 3339 date-time like 2026-11-26T08:30:00Z"
                ))
            })
    }
}

/// Now, as stored: naive UTC with microsecond precision (what both backends keep exactly).
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_written_in_utc_with_seconds_and_z() {
        let t: Timestamp = serde_json::from_str("\"2026-11-26T10:30:00.123+02:00\"").unwrap();
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            "\"2026-11-26T08:30:00Z\""
        );
        assert!(serde_json::from_str::<Timestamp>("\"yesterday\"").is_err());
        assert!(serde_json::from_str::<Timestamp>("\"2026-11-26 08:30:00\"").is_err());
    }
}
