//! The client's address, for rate limits and comment moderation.
//!
//! Behind a reverse proxy every connection comes from the proxy, so the proxy's header must be
//! used — but only when configured: otherwise anyone could claim any address by sending the
//! header themselves.

use std::net::IpAddr;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};

use super::error::ApiError;
use crate::config::Settings;

/// The address the request came from, as far as this deployment can trust it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl FromRequest for ClientIp {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(client_ip(req))
    }
}

pub fn client_ip(req: &HttpRequest) -> Result<ClientIp, ApiError> {
    let peer = req
        .peer_addr()
        .map(|a| a.ip())
        .ok_or_else(|| ApiError::internal("request without a peer address"))?;
    let header = req
        .app_data::<web::Data<Settings>>()
        .and_then(|s| s.client_ip_header.clone());
    let Some(header) = header else {
        return Ok(ClientIp(peer));
    };
    // The proxy appends the address it saw to the end of the list; entries before it came
    // from the client and prove nothing.
    let from_proxy = req
        .headers()
        .get_all(header.as_str())
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .last()
        .and_then(|entry| entry.trim().parse::<IpAddr>().ok());
    Ok(ClientIp(from_proxy.unwrap_or(peer)))
}
