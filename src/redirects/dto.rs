//! What the redirect endpoint reads and answers.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::Target;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RedirectQuery {
    /// An old path (or whole URL) of the site the newsroom came from, as a browser sends it:
    /// percent-encoded or not, with or without its trailing slash; `?p=ID` and
    /// `?page_id=ID` links are kept.
    #[param(
        example = "/2024/05/12/%D9%82%D9%85%D8%A9-%D8%AF%D9%88%D9%84%D9%8A%D8%A9/",
        min_length = 1,
        max_length = 2000
    )]
    pub path: String,
}

/// Where an old path's item lives now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Redirect {
    /// The path as it was looked up (percent-decoded, without a trailing slash).
    #[schema(example = "/2024/05/12/قمة-دولية")]
    pub path: String,
    pub resource: Target,
    #[schema(example = 12)]
    pub id: i64,
    /// The item's current slug (an author's is their id).
    #[schema(example = "قمة-دولية")]
    pub slug: String,
    /// Where the API serves it, percent-encoded.
    #[schema(example = "/api/v1/articles/%D9%82%D9%85%D8%A9-%D8%AF%D9%88%D9%84%D9%8A%D8%A9")]
    pub api_url: String,
    /// Where the item is on the public site now (`SAHIFA_PUBLIC_URL` and the URL patterns):
    /// what a frontend redirects the old link to. Null when no public URL is configured.
    #[schema(
        example = "https://almufeed.example/%D8%A7%D9%84%D8%B9%D8%A7%D9%84%D9%85/%D9%82%D9%85%D8%A9-%D8%AF%D9%88%D9%84%D9%8A%D8%A9",
        format = "uri"
    )]
    pub url: Option<String>,
}
