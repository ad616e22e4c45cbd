//! The route tree: every documented route, registered once, and the OpenAPI document they
//! make. The server (`startup`) serves this tree; `sahifa openapi` prints its document.

use actix_web::App;
use utoipa::openapi::OpenApi as Document;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{AppExt, scope};

use crate::{
    api_keys, articles, audit, auth, changes, comments, events, health, jobs, media, menus,
    openapi, pages, redirects, revisions, sections, syndication, tags, users, webhooks,
};

/// The app with every documented route registered, and the document they make.
pub fn routed_app() -> (
    App<
        impl actix_web::dev::ServiceFactory<
            actix_web::dev::ServiceRequest,
            Config = (),
            Response = actix_web::dev::ServiceResponse,
            Error = actix_web::Error,
            InitError = (),
        >,
    >,
    Document,
) {
    App::new()
        .into_utoipa_app()
        .openapi(openapi::root())
        .configure(tree)
        .split_for_parts()
}

/// The route tree. Everything registered here appears in the OpenAPI document.
fn tree(cfg: &mut ServiceConfig) {
    cfg.service(health::health)
        .service(health::ready)
        .configure(syndication::routes::configure)
        .service(
            scope("/api/v1")
                .configure(auth::routes::configure)
                .configure(users::routes::configure)
                .configure(sections::routes::configure)
                .configure(articles::routes::configure)
                .configure(pages::routes::configure)
                .configure(revisions::routes::configure)
                .configure(menus::routes::configure)
                .configure(redirects::routes::configure)
                .configure(changes::routes::configure)
                .configure(tags::routes::configure)
                .configure(comments::routes::configure)
                .configure(comments::moderation::configure)
                .configure(media::routes::configure)
                .configure(jobs::routes::configure)
                .configure(webhooks::routes::configure)
                .configure(events::routes::configure)
                .configure(api_keys::routes::configure)
                .configure(audit::routes::configure),
        );
}

/// The whole document, as the running server serves it.
pub fn document() -> Document {
    let mut doc = routed_app().1;
    openapi::document_saturation(&mut doc);
    openapi::document_optional_bodies(&mut doc);
    doc
}
