//! What the current request will record in the audit trail, kept in a task-local so that
//! [`crate::db::Store::write`] can append it to the write's transaction without every handler
//! passing it along.

use std::cell::RefCell;

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;

use super::model::NewEntry;
use crate::telemetry::REQUEST_ID;

tokio::task_local! {
    static DRAFT: RefCell<Draft>;
}

/// Where a request came from.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub client_ip: Option<String>,
    pub request_id: Option<String>,
}

/// Who is acting: a staff member, through an API key or not.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    pub user_id: i64,
    pub key_id: Option<i64>,
}

#[derive(Debug, Default)]
struct Draft {
    origin: Origin,
    actor: Option<Actor>,
    action: Option<Action>,
    fields: Vec<String>,
    recorded: bool,
}

#[derive(Debug, Clone)]
struct Action {
    method: Method,
    name: String,
    resource_type: String,
    resource_id: Option<String>,
}

/// Runs each request inside its own, empty draft.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let origin = Origin {
        client_ip: crate::http::client_ip::client_ip(req.request())
            .ok()
            .map(|ip| ip.0.to_string()),
        request_id: req
            .headers()
            .get(&REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    let draft = RefCell::new(Draft {
        origin,
        ..Draft::default()
    });
    DRAFT.scope(draft, next.call(req)).await
}

/// Notes the authenticated caller and the operation the routed request performs.
pub fn set_actor(req: &actix_web::HttpRequest, actor: Actor) {
    // The route as documented: `/users/{id}`, not the `/users/{id:\d+}` it was declared as.
    let pattern = documented(&req.match_pattern().unwrap_or_default());
    let name = req
        .app_data::<actix_web::web::Data<Actions>>()
        .and_then(|actions| actions.name(req.method(), &pattern))
        .unwrap_or_else(|| format!("{} {pattern}", req.method()));
    let resource_type = pattern
        .trim_start_matches("/api/v1/")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let resource_id = req
        .match_info()
        .get("id")
        .or_else(|| req.match_info().iter().next().map(|(_, v)| v))
        .map(str::to_owned);
    let action = Action {
        method: req.method().clone(),
        name,
        resource_type,
        resource_id,
    };
    let _ = DRAFT.try_with(|d| {
        let mut d = d.borrow_mut();
        d.actor = Some(actor);
        d.action = Some(action);
    });
    req.extensions_mut().insert(actor);
}

/// A route pattern without the regular expressions of its parameters (`/users/{id:\d+}` →
/// `/users/{id}`), as the OpenAPI document writes it.
fn documented(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    // Braces open (a regex may hold its own, `\d{4}`), and whether a regex is being dropped.
    let (mut depth, mut in_regex) = (0usize, false);
    for c in pattern.chars() {
        match c {
            '{' => {
                depth += 1;
                if !in_regex {
                    out.push(c);
                }
            }
            '}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    in_regex = false;
                    out.push(c);
                } else if !in_regex {
                    out.push(c);
                }
            }
            ':' if depth == 1 => in_regex = true,
            _ if in_regex => {}
            _ => out.push(c),
        }
    }
    out
}

/// Notes the names of the fields a request body carries (never their values).
pub fn set_fields(value: &serde_json::Value) {
    if let Some(object) = value.as_object() {
        let names = object.keys().cloned().collect();
        let _ = DRAFT.try_with(|d| d.borrow_mut().fields = names);
    }
}

/// Where the current request came from (empty outside a request).
pub fn origin() -> Origin {
    DRAFT
        .try_with(|d| d.borrow().origin.clone())
        .unwrap_or_default()
}

/// The entry the current request's next write should append: a staff caller's write method,
/// not yet recorded.
pub fn pending(now: chrono::NaiveDateTime) -> Option<NewEntry> {
    DRAFT
        .try_with(|d| {
            let d = d.borrow();
            let (actor, action) = (d.actor?, d.action.as_ref()?);
            if d.recorded || matches!(action.method, Method::GET | Method::HEAD) {
                return None;
            }
            Some(NewEntry {
                at: now,
                actor_user_id: Some(actor.user_id),
                actor_key_id: actor.key_id,
                action: action.name.clone(),
                resource_type: action.resource_type.clone(),
                resource_id: action.resource_id.clone(),
                fields: d.fields.join(" "),
                outcome: "success".into(),
                client_ip: d.origin.client_ip.clone(),
                request_id: d.origin.request_id.clone(),
            })
        })
        .ok()
        .flatten()
}

/// The pending entry was written: later writes of the same request add none.
pub fn mark_recorded() {
    let _ = DRAFT.try_with(|d| d.borrow_mut().recorded = true);
}

/// Operation ids by method and route pattern, from the OpenAPI document: an entry's action
/// is the name the API documents (`updateArticle`), not a path.
pub struct Actions(std::collections::HashMap<(Method, String), String>);

impl Actions {
    pub fn new(doc: &utoipa::openapi::OpenApi) -> Self {
        let mut map = std::collections::HashMap::new();
        for (path, item) in &doc.paths.paths {
            let operations = [
                (Method::GET, &item.get),
                (Method::POST, &item.post),
                (Method::PUT, &item.put),
                (Method::PATCH, &item.patch),
                (Method::DELETE, &item.delete),
            ];
            for (method, operation) in operations {
                if let Some(id) = operation.as_ref().and_then(|o| o.operation_id.clone()) {
                    map.insert((method, path.clone()), id);
                }
            }
        }
        Self(map)
    }

    fn name(&self, method: &Method, pattern: &str) -> Option<String> {
        self.0.get(&(method.clone(), pattern.to_owned())).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::documented;

    #[test]
    fn patterns_lose_their_regexes() {
        assert_eq!(documented("/api/v1/users/{id:\\d+}"), "/api/v1/users/{id}");
        assert_eq!(
            documented("/api/v1/webhooks/{id:\\d+}/deliveries/{delivery:\\d+}/replay"),
            "/api/v1/webhooks/{id}/deliveries/{delivery}/replay"
        );
        assert_eq!(
            documented("/api/v1/x/{year:\\d{4}}/{slug}"),
            "/api/v1/x/{year}/{slug}"
        );
        assert_eq!(documented("/api/v1/articles/{id}"), "/api/v1/articles/{id}");
        assert_eq!(documented("/api/v1/articles"), "/api/v1/articles");
    }
}
