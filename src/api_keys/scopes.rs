//! Which scope each endpoint needs. One table for the whole API, checked when the key is
//! authenticated, so no handler can forget it; a route not named here needs `admin`.

use actix_web::http::Method;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum Scope {
    /// Read everything staff can read, drafts included (for previews and static builds).
    #[serde(rename = "content:read")]
    ContentRead,
    /// Create, edit, publish and delete articles, pages, sections and tags.
    #[serde(rename = "content:write")]
    ContentWrite,
    /// Read the moderation queue (with commenters' emails) and moderate comments.
    #[serde(rename = "comments:moderate")]
    CommentsModerate,
    /// Upload, edit and delete media.
    #[serde(rename = "media:write")]
    MediaWrite,
    /// Manage webhook endpoints and their deliveries.
    #[serde(rename = "webhooks:manage")]
    WebhooksManage,
    /// Everything, including users, API keys, jobs and the audit trail.
    #[serde(rename = "admin")]
    Admin,
}

impl Scope {
    pub const ALL: [Self; 6] = [
        Self::ContentRead,
        Self::ContentWrite,
        Self::CommentsModerate,
        Self::MediaWrite,
        Self::WebhooksManage,
        Self::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ContentRead => "content:read",
            Self::ContentWrite => "content:write",
            Self::CommentsModerate => "comments:moderate",
            Self::MediaWrite => "media:write",
            Self::WebhooksManage => "webhooks:manage",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|scope| scope.as_str() == s)
    }
}

/// What a request needs: one of these scopes (`admin` always suffices), or `None` when no key
/// may make it at all (sessions: logging in, refreshing, passwords are a person's).
pub fn required(method: &Method, pattern: &str) -> Option<&'static [Scope]> {
    use Scope::*;
    let path = pattern.strip_prefix("/api/v1").unwrap_or(pattern);
    let mut parts = path.trim_start_matches('/').split('/');
    let resource = parts.next().unwrap_or_default();
    let read = matches!(*method, Method::GET | Method::HEAD);
    Some(match resource {
        "auth" => return None,
        "users" | "api-keys" | "jobs" | "audit" => &[Admin],
        "webhooks" => &[WebhooksManage],
        "media" if read => &[ContentRead, MediaWrite],
        "media" => &[MediaWrite],
        // The moderation queue and moderation: `/comments…` (readers' comments are read under
        // `/articles/{id}/comments`).
        "comments" => &[CommentsModerate],
        "articles" | "sections" | "pages" | "tags" | "menus" | "redirects" | "changes"
        | "stream"
            if read =>
        {
            &[ContentRead]
        }
        // A key posting a reader's comment under an article needs `content:write` too.
        "articles" | "sections" | "pages" | "tags" | "menus" => &[ContentWrite],
        _ => &[Admin],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_need_their_scope_and_unknown_routes_need_admin() {
        let need = |m: Method, p: &str| required(&m, p);
        assert_eq!(
            need(Method::PATCH, "/api/v1/articles/{id}"),
            Some(&[Scope::ContentWrite][..])
        );
        assert_eq!(
            need(Method::GET, "/api/v1/articles"),
            Some(&[Scope::ContentRead][..])
        );
        assert_eq!(
            need(Method::POST, "/api/v1/media"),
            Some(&[Scope::MediaWrite][..])
        );
        assert_eq!(
            need(Method::PATCH, "/api/v1/comments/{id}"),
            Some(&[Scope::CommentsModerate][..])
        );
        assert_eq!(
            need(Method::GET, "/api/v1/users"),
            Some(&[Scope::Admin][..])
        );
        assert_eq!(need(Method::POST, "/api/v1/auth/password"), None);
    }
}
