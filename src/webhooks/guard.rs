//! The SSRF guard: a webhook URL is an address an admin (or whoever holds an admin's token)
//! makes the server call, so it must not reach what only the server can reach — the
//! loopback, the private network, link-local and cloud metadata addresses.
//!
//! URLs are judged when an endpoint is saved ([`admit`]: scheme, then every address its host
//! resolves to), and again at every connection: the delivery client resolves names through
//! [`GuardedResolver`], which refuses a name if any of its addresses is forbidden, so a name
//! that later re-points to a private address (DNS rebinding) is caught at delivery. An IP
//! literal never reaches a resolver; [`check_literal`] judges it before each send.
//! `SAHIFA_WEBHOOKS_ALLOW_PRIVATE=true` lifts the address rules (tests, receivers on the same
//! network), never the scheme rule.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use url::{Host, Url};

/// Whether a connection to `ip` is refused.
pub fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden_v4(v4);
            }
            let segments = v6.segments();
            // NAT64 (64:ff9b::/96) reaches the IPv4 address in its last 32 bits.
            if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                let [a, b] = segments[6].to_be_bytes();
                let [c, d] = segments[7].to_be_bytes();
                return forbidden_v4(Ipv4Addr::new(a, b, c, d));
            }
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                // fc00::/7: unique local (includes AWS's metadata address fd00:ec2::254).
                || (segments[0] & 0xfe00) == 0xfc00
                // fe80::/10: link-local.
                || (segments[0] & 0xffc0) == 0xfe80
                // ::/96, the deprecated IPv4-compatible form.
                || (segments[..6] == [0; 6] && v6 != Ipv6Addr::UNSPECIFIED)
        }
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local() // 169.254/16: cloud metadata (169.254.169.254) lives here
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || a == 0 // 0/8: "this network"
        || (a == 100 && (64..128).contains(&b)) // 100.64/10: carrier-grade NAT
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // 192.0.0/24: IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // 198.18/15: benchmarking
        || a >= 240 // 240/4: reserved
}

/// Why a URL is refused.
pub type Refusal = String;

/// A URL an endpoint may be saved with: http or https, with a host, whose addresses (now)
/// are all allowed. Resolves the host.
pub async fn admit(raw: &str, allow_private: bool) -> Result<Url, Refusal> {
    let url = Url::parse(raw.trim()).map_err(|e| format!("`{raw}` is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "only http and https URLs can receive webhooks, not `{}:`",
            url.scheme()
        ));
    }
    let host = url.host().ok_or_else(|| "the URL has no host".to_owned())?;
    if allow_private {
        return Ok(url);
    }
    check_literal(&url)?;
    if let Host::Domain(name) = host {
        let port = url.port_or_known_default().unwrap_or(80);
        let addresses = resolve(name, port).await?;
        refuse_forbidden(name, &addresses)?;
    }
    Ok(url)
}

/// An IP-literal host that is forbidden (names are judged by the resolver).
pub fn check_literal(url: &Url) -> Result<(), Refusal> {
    let ip = match url.host() {
        Some(Host::Ipv4(v4)) => IpAddr::V4(v4),
        Some(Host::Ipv6(v6)) => IpAddr::V6(v6),
        _ => return Ok(()),
    };
    if is_forbidden(ip) {
        return Err(format!(
            "{ip} is a private, loopback, link-local or reserved address; webhooks may not \
             reach it (SAHIFA_WEBHOOKS_ALLOW_PRIVATE=true allows it)"
        ));
    }
    Ok(())
}

/// How long a name may take to resolve.
const RESOLVE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

async fn resolve(name: &str, port: u16) -> Result<Vec<SocketAddr>, Refusal> {
    let addresses: Vec<SocketAddr> =
        tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((name, port)))
            .await
            .map_err(|_| format!("`{name}` did not resolve within 3 seconds"))?
            .map_err(|e| format!("`{name}` does not resolve: {e}"))?
            .collect();
    if addresses.is_empty() {
        return Err(format!("`{name}` resolves to no address"));
    }
    Ok(addresses)
}

fn refuse_forbidden(name: &str, addresses: &[SocketAddr]) -> Result<(), Refusal> {
    match addresses.iter().find(|a| is_forbidden(a.ip())) {
        Some(bad) => Err(format!(
            "`{name}` resolves to {}, a private, loopback, link-local or reserved address; \
             webhooks may not reach it (SAHIFA_WEBHOOKS_ALLOW_PRIVATE=true allows it)",
            bad.ip()
        )),
        None => Ok(()),
    }
}

/// The delivery client's resolver: the system's, refusing names with a forbidden address.
#[derive(Debug, Clone, Copy)]
pub struct GuardedResolver;

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let name = name.as_str().to_owned();
        Box::pin(async move {
            let addresses = resolve(&name, 0).await?;
            refuse_forbidden(&name, &addresses)?;
            Ok(Box::new(addresses.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_internal_addresses() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00:ec2::254",
            "::ffff:127.0.0.1",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(is_forbidden(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "93.184.216.34",
            "2606:2800:220:1:248:1893:25c8:1946",
            "8.8.8.8",
        ] {
            assert!(!is_forbidden(ip.parse().unwrap()), "{ip}");
        }
    }

    #[actix_web::test]
    async fn admits_only_http_to_public_addresses() {
        assert!(admit("ftp://example.com/", false).await.is_err());
        assert!(admit("file:///etc/passwd", false).await.is_err());
        assert!(admit("http://127.0.0.1:9000/", false).await.is_err());
        assert!(admit("http://[::1]/", false).await.is_err());
        assert!(admit("http://localhost/", false).await.is_err());
        assert!(
            admit("http://169.254.169.254/latest/", false)
                .await
                .is_err()
        );
        assert!(admit("http://93.184.216.34/hook", false).await.is_ok());
        assert!(admit("http://127.0.0.1:9000/", true).await.is_ok());
        assert!(admit("gopher://127.0.0.1/", true).await.is_err());
    }
}
