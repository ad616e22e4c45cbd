//! The JSON body extractor every write endpoint uses: content type, size limit, strict
//! deserialization and `validator` rules, each failure a precise problem.

use std::marker::PhantomData;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, mime, web};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use super::error::{ApiError, FieldErrors};

/// How request bodies are read, set once from the configuration as app data: how large they
/// may be, and how long a client may take to send one.
///
/// A client that declares a body and then sends it slowly (or never) holds a connection and
/// a worker's attention; thousands of them would hold the server. So a body must arrive
/// within `timeout`, and a body still arriving after [`SLOW_AFTER`] takes one of
/// `slow_slots`: when none is free it is cut off at once. Bodies that arrive at network
/// speed never take a slot.
pub struct BodyRules {
    pub max_bytes: usize,
    pub timeout: std::time::Duration,
    pub slow_slots: tokio::sync::Semaphore,
}

/// When a body still arriving counts as slow.
pub const SLOW_AFTER: std::time::Duration = std::time::Duration::from_secs(1);

impl BodyRules {
    pub fn new(max_bytes: usize, timeout: std::time::Duration, slow_limit: usize) -> Self {
        Self {
            max_bytes,
            timeout,
            slow_slots: tokio::sync::Semaphore::new(slow_limit),
        }
    }
}

/// A JSON request body, read and checked only when the handler asks for it with
/// [`JsonBody::validated`] — after the handler's other extractors (the caller's role among
/// them) have run, so a caller without the right to call gets 401/403, never a verdict on
/// input they were not allowed to send.
///
/// `validated` fails with 415 when the body is not declared as JSON, 413 when it is over the
/// limit, 400 when it is not JSON at all, 422 (naming the field) when it is JSON of the wrong
/// shape — not an object, a missing or unknown field, a wrong type — or breaks a rule of `T`.
pub struct JsonBody<T> {
    req: HttpRequest,
    payload: Payload,
    _shape: PhantomData<T>,
}

impl<T> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        std::future::ready(Ok(Self {
            req: req.clone(),
            payload: payload.take(),
            _shape: PhantomData,
        }))
    }
}

impl<T: DeserializeOwned + Validate> JsonBody<T> {
    /// Reads, parses and validates the body.
    pub async fn validated(self) -> Result<T, ApiError> {
        let req = self.req.clone();
        let default_rules;
        let rules = match req.app_data::<web::Data<BodyRules>>() {
            Some(rules) => rules.as_ref(),
            None => {
                default_rules = BodyRules::new(1024 * 1024, std::time::Duration::from_secs(15), 32);
                &default_rules
            }
        };
        check_content_type(&req)?;
        check_declared_length(&req, rules.max_bytes)?;
        let body = read_body(self.payload, rules).await?;
        let value = parse::<T>(&body)?;
        value.validate().map_err(validation_error)?;
        Ok(value)
    }
}

impl<T: DeserializeOwned + Validate + Default> JsonBody<T> {
    /// [`JsonBody::validated`] for a body that may be left out: no body at all (no
    /// `Content-Type`, no or a zero `Content-Length`) is `T::default()`.
    pub async fn validated_or_default(self) -> Result<T, ApiError> {
        let headers = self.req.headers();
        let declared = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let chunked = headers.contains_key(header::TRANSFER_ENCODING);
        let typed = headers.contains_key(header::CONTENT_TYPE);
        if !typed && !chunked && declared.unwrap_or(0) == 0 {
            return Ok(T::default());
        }
        self.validated().await
    }
}

/// Reads a whole body within the rules' size and time limits (see [`BodyRules`]).
pub async fn read_body(mut payload: Payload, rules: &BodyRules) -> Result<web::Bytes, ApiError> {
    use actix_web::rt::time::timeout;
    let limit = rules.max_bytes;
    let read = async move {
        let mut body = web::BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|e| ApiError::malformed(format!("bad body: {e}")))?;
            if body.len() + chunk.len() > limit {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    };
    let mut read = std::pin::pin!(read);
    let quick = SLOW_AFTER.min(rules.timeout);
    if let Ok(body) = timeout(quick, &mut read).await {
        return body;
    }
    let _slot = rules
        .slow_slots
        .try_acquire()
        .map_err(|_| ApiError::RequestTimeout)?;
    timeout(rules.timeout.saturating_sub(quick), read)
        .await
        .unwrap_or(Err(ApiError::RequestTimeout))
}

fn check_content_type(req: &HttpRequest) -> Result<(), ApiError> {
    let refuse = || {
        ApiError::UnsupportedMediaType(
            "the request body must be JSON, sent with `Content-Type: application/json`".into(),
        )
    };
    let mime = req.mime_type().map_err(|_| refuse())?.ok_or_else(refuse)?;
    let is_json = mime.subtype() == mime::JSON || mime.suffix() == Some(mime::JSON);
    if mime.type_() == mime::APPLICATION && is_json {
        Ok(())
    } else {
        Err(refuse())
    }
}

fn check_declared_length(req: &HttpRequest, limit: usize) -> Result<(), ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    match declared {
        Some(length) if length > limit => Err(ApiError::PayloadTooLarge { limit }),
        _ => Ok(()),
    }
}

/// Deserializes a request body: it must be a JSON object (an array that happens to line up
/// with a struct's fields is refused) without repeated keys, no text in it may hold control
/// characters, whole numbers written with a fraction (`1.0`) count as integers (as JSON
/// Schema says they are), and a failing field is named by its path.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::malformed(
            "the request body is empty; expected a JSON object",
        ));
    }
    let NoRepeatedKeys(mut value) = serde_json::from_slice(body)
        .map_err(|e| ApiError::malformed(format!("the request body is not valid JSON: {e}")))?;
    check_controls(&value, &mut String::new())?;
    crate::audit::context::set_fields(&value);
    if !value.is_object() {
        let mut errors = FieldErrors::new();
        errors.insert("body".into(), vec!["must be a JSON object".into()]);
        return Err(ApiError::Validation {
            detail: "the request body must be a JSON object".into(),
            errors,
        });
    }
    integral_floats_to_integers(&mut value);
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        data_error(&path, error.inner())
    })
}

/// A JSON document in which no object repeats a key. serde_json keeps the last of repeated
/// keys, so `{"password":"wrong","password":"right"}` would log in while a filter in front
/// of the server read the first; a repeat is a 400 naming the key instead.
struct NoRepeatedKeys(serde_json::Value);

impl<'de> serde::Deserialize<'de> for NoRepeatedKeys {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(NoRepeatedKeysVisitor)
            .map(Self)
    }
}

struct NoRepeatedKeysVisitor;

impl<'de> serde::de::Visitor<'de> for NoRepeatedKeysVisitor {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, Into::into))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(NoRepeatedKeys(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(serde_json::Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if fields.contains_key(&key) {
                return Err(serde::de::Error::custom(format!(
                    "the key `{key}` appears more than once"
                )));
            }
            let NoRepeatedKeys(value) = map.next_value()?;
            fields.insert(key, value);
        }
        Ok(serde_json::Value::Object(fields))
    }
}

/// Refuses control characters (see [`crate::text::controls`]) in every string and key of the
/// document, naming the field; which fields must be one line is each field's own rule
/// ([`super::input::line`]).
fn check_controls(value: &serde_json::Value, path: &mut String) -> Result<(), ApiError> {
    use crate::text::controls::{Lines, describe, first_disallowed};
    use serde_json::Value;
    let refuse = |path: &str, c: char| {
        let field = if path.is_empty() { "body" } else { path };
        let mut errors = FieldErrors::new();
        errors.insert(field.to_owned(), vec![describe(c)]);
        Err(ApiError::Validation {
            detail: format!("the request body has an invalid field: `{field}`"),
            errors,
        })
    };
    match value {
        Value::String(text) => match first_disallowed(text, Lines::Many) {
            Some(c) => refuse(path, c),
            None => Ok(()),
        },
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{index}]"));
                check_controls(item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                if let Some(c) = first_disallowed(key, Lines::One) {
                    return refuse(path, c);
                }
                check_controls(item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// `1.0` → `1`, everywhere in the document.
fn integral_floats_to_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f.abs() < 9.0e15
            {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_to_integers),
        Value::Object(fields) => fields.values_mut().for_each(integral_floats_to_integers),
        _ => {}
    }
}

/// A well-formed JSON document of the wrong shape: a 422 naming the field.
fn data_error(path: &str, error: &serde_json::Error) -> ApiError {
    // serde reports positions as "line 1 column 9"; the field path says more.
    let full = error.to_string();
    let message = full
        .rsplit_once(" at line ")
        .map_or(full.as_str(), |(m, _)| m)
        .to_owned();
    let named = message
        .strip_prefix("missing field `")
        .or_else(|| message.strip_prefix("unknown field `"))
        .and_then(|rest| rest.split('`').next());
    // Missing fields are reported at the parent's path; unknown ones at their own.
    let field = match (path, named) {
        (".", Some(name)) => name.to_owned(),
        (path, Some(name)) if path == name || path.ends_with(&format!(".{name}")) => {
            path.to_owned()
        }
        (parent, Some(name)) => format!("{parent}.{name}"),
        (".", None) => "body".to_owned(),
        (path, None) => path.to_owned(),
    };
    let mut errors = FieldErrors::new();
    errors.insert(field.clone(), vec![message]);
    ApiError::Validation {
        detail: format!("the request body has an invalid field: `{field}`"),
        errors,
    }
}

/// Flattens `validator`'s nested errors into `field.path` → messages.
pub fn validation_error(errors: ValidationErrors) -> ApiError {
    let mut fields = FieldErrors::new();
    flatten("", &errors, &mut fields);
    let names: Vec<&str> = fields.keys().map(String::as_str).collect();
    ApiError::Validation {
        detail: format!("invalid fields: {}", names.join(", ")),
        errors: fields,
    }
}

fn flatten(prefix: &str, errors: &ValidationErrors, into: &mut FieldErrors) {
    for (name, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                let messages = into.entry(path).or_default();
                messages.extend(list.iter().map(describe));
            }
            ValidationErrorsKind::Struct(inner) => flatten(&path, inner, into),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    flatten(&format!("{path}[{index}]"), inner, into);
                }
            }
        }
    }
}

/// A rule's own message when it has one; otherwise one built from its code and bounds.
fn describe(error: &validator::ValidationError) -> String {
    if let Some(message) = &error.message {
        return message.to_string();
    }
    let param = |name: &str| error.params.get(name).map(|v| v.to_string());
    match error.code.as_ref() {
        "length" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("length must be between {min} and {max}"),
            (Some(min), None) => format!("length must be at least {min}"),
            (None, Some(max)) => format!("length must be at most {max}"),
            (None, None) => "invalid length".into(),
        },
        "range" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be between {min} and {max}"),
            (Some(min), None) => format!("must be at least {min}"),
            (None, Some(max)) => format!("must be at most {max}"),
            (None, None) => "out of range".into(),
        },
        "email" => "must be a valid email address".into(),
        "url" => "must be a valid URL".into(),
        other => format!("is invalid ({other})"),
    }
}
