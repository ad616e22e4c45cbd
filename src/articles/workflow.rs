//! The editorial workflow and who may do what with an article.
//!
//! `draft` → `review` → `published` → `archived`. Editors (and admins) may move an article
//! to any status and edit anything. Authors write their own articles and move them between
//! `draft` and `review` (submitting for review and taking back); once an article is published
//! or archived it is the editors'. Authors never touch other people's articles.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use chrono::NaiveDateTime;

use super::model::SummaryRow;
use crate::auth::StaffUser;
use crate::users::Role;

/// Where an article is in the editorial workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = ArticleStatus)]
pub enum Status {
    Draft,
    Review,
    Published,
    Archived,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Review => "review",
            Self::Published => "published",
            Self::Archived => "archived",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "draft" => Some(Self::Draft),
            "review" => Some(Self::Review),
            "published" => Some(Self::Published),
            "archived" => Some(Self::Archived),
            _ => None,
        }
    }

    /// The statuses an author works in.
    fn is_authors(self) -> bool {
        matches!(self, Self::Draft | Self::Review)
    }
}

/// Why a change is refused (a 403 for the caller).
pub type Denied = &'static str;

/// May `user` create an article with `status`?
pub fn may_create(user: &StaffUser, status: Status) -> Result<(), Denied> {
    if user.role.at_least(Role::Editor) || status.is_authors() {
        Ok(())
    } else {
        Err("authors may create drafts and submit them for review; an editor publishes")
    }
}

/// May `user` change (or delete) an article by `author_id` that is in `current` status?
pub fn may_edit(user: &StaffUser, author_id: i64, current: Status) -> Result<(), Denied> {
    if user.role.at_least(Role::Editor) {
        return Ok(());
    }
    if author_id != user.id {
        return Err("authors may only change their own articles");
    }
    if !current.is_authors() {
        return Err("this article is published or archived; only an editor may change it");
    }
    Ok(())
}

/// May `user` move an article to `next`?
pub fn may_move_to(user: &StaffUser, next: Status) -> Result<(), Denied> {
    if user.role.at_least(Role::Editor) || next.is_authors() {
        Ok(())
    } else {
        Err("authors may move an article between draft and review; an editor publishes")
    }
}

/// Which articles a viewer may read: the one rule behind single reads, lists, redirects and
/// counts. Readers see published, due articles; authors also their own, whatever their
/// status; editors and admins everything. Everything else is a 404, as if it did not exist.
///
/// [`Readable::allows`] is the rule on a row; `articles::model` applies the same rule as a
/// query condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readable {
    /// Published and due only.
    Visible,
    /// Published and due, or written by this user.
    VisibleOrOwn(i64),
    Everything,
}

impl Readable {
    pub fn for_viewer(viewer: Option<&StaffUser>) -> Self {
        match viewer {
            None => Self::Visible,
            Some(user) if user.role.at_least(Role::Editor) => Self::Everything,
            Some(user) => Self::VisibleOrOwn(user.id),
        }
    }

    pub fn allows(self, article: &SummaryRow, now: NaiveDateTime) -> bool {
        match self {
            Self::Everything => true,
            Self::Visible => article.is_visible(now),
            Self::VisibleOrOwn(user) => article.is_visible(now) || article.author_id == user,
        }
    }
}

/// May `viewer` (anonymous when `None`) read `article` now?
pub fn may_read(viewer: Option<&StaffUser>, article: &SummaryRow, now: NaiveDateTime) -> bool {
    Readable::for_viewer(viewer).allows(article, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: i64, role: Role) -> StaffUser {
        StaffUser {
            id,
            role,
            display_name: String::new(),
            key_id: None,
        }
    }

    #[test]
    fn authors_work_in_draft_and_review_on_their_own_articles() {
        let author = user(1, Role::Author);
        assert!(may_create(&author, Status::Draft).is_ok());
        assert!(may_create(&author, Status::Review).is_ok());
        assert!(may_create(&author, Status::Published).is_err());
        assert!(may_edit(&author, 1, Status::Review).is_ok());
        assert!(may_edit(&author, 2, Status::Draft).is_err());
        assert!(may_edit(&author, 1, Status::Published).is_err());
        assert!(may_move_to(&author, Status::Review).is_ok());
        assert!(may_move_to(&author, Status::Archived).is_err());
        assert_eq!(
            Readable::for_viewer(Some(&author)),
            Readable::VisibleOrOwn(1)
        );
    }

    #[test]
    fn editors_and_admins_may_do_anything_with_content() {
        for role in [Role::Editor, Role::Admin] {
            let editor = user(9, role);
            assert!(may_create(&editor, Status::Published).is_ok());
            assert!(may_edit(&editor, 1, Status::Archived).is_ok());
            assert!(may_move_to(&editor, Status::Published).is_ok());
            assert_eq!(Readable::for_viewer(Some(&editor)), Readable::Everything);
        }
        for status in [
            Status::Draft,
            Status::Review,
            Status::Published,
            Status::Archived,
        ] {
            assert_eq!(Status::parse(status.as_str()), Some(status));
        }
    }
}
