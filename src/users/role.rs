use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a staff member may do. Ordered by power: every role can do what the ones below it can.
///
/// - `author`: writes articles and edits their own; may submit for review, not publish;
/// - `editor`: all content, sections and comment moderation;
/// - `admin`: everything, including users.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Author,
    Editor,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Author => "author",
            Self::Editor => "editor",
            Self::Admin => "admin",
        }
    }

    /// Reads the stored form; `None` for anything else (the database constrains it).
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "author" => Some(Self::Author),
            "editor" => Some(Self::Editor),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }

    /// True when this role includes `other`'s permissions.
    pub fn at_least(self, other: Role) -> bool {
        self >= other
    }
}

#[cfg(test)]
mod tests {
    use super::Role;

    #[test]
    fn roles_are_ordered_by_power_and_round_trip() {
        assert!(Role::Admin.at_least(Role::Editor));
        assert!(Role::Editor.at_least(Role::Author));
        assert!(!Role::Author.at_least(Role::Editor));
        for role in [Role::Author, Role::Editor, Role::Admin] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
