//! The client's address, for the per-address rate limits and sign-in throttles.
//!
//! Behind a reverse proxy every connection comes from the proxy, so all clients would share one
//! address (and one attacker's failed sign-ins would throttle everyone). `LEDGER_TRUSTED_PROXIES`
//! names the proxies whose `X-Forwarded-For` is believed; by default none is, and the address is
//! the TCP peer's, which a client cannot forge.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use ipnet::IpNet;

/// The proxies whose `X-Forwarded-For` is believed (a request extension set by the router).
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Arc<Vec<IpNet>>);

impl TrustedProxies {
    pub fn new(networks: Vec<IpNet>) -> Self {
        Self(Arc::new(networks))
    }

    fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }
}

/// One entry of `LEDGER_TRUSTED_PROXIES`: an address (`10.0.0.5`, `::1`) or a range in CIDR
/// notation (`10.0.0.0/8`, `fd00::/8`).
pub fn parse_trusted_proxy(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    if text.contains('/') {
        text.parse::<IpNet>()
            .map_err(|e| format!("{text:?} is not an address range like 10.0.0.0/8: {e}"))
    } else {
        text.parse::<IpAddr>()
            .map(IpNet::from)
            .map_err(|e| format!("{text:?} is not an IP address or a range like 10.0.0.0/8: {e}"))
    }
}

/// The client's address: the TCP peer, unless the peer is a trusted proxy. Then it is the
/// right-most `X-Forwarded-For` entry that is not itself a trusted proxy: each proxy appends the
/// address it got the request from, so that entry was written by a proxy we trust, while anything
/// left of it may have been sent by the client. When every entry is trusted, the left-most one;
/// an entry that is not an address ends the walk at the last good one.
pub fn client_address(
    peer: Option<IpAddr>,
    trusted: &TrustedProxies,
    headers: &HeaderMap,
) -> Option<IpAddr> {
    let mut client = peer?;
    if !trusted.contains(client) {
        return Some(client);
    }
    // Several X-Forwarded-For headers form one list, in order.
    for value in headers.get_all("x-forwarded-for").iter().rev() {
        let Ok(text) = value.to_str() else {
            return Some(client);
        };
        for entry in text.rsplit(',') {
            let Some(ip) = parse_forwarded_entry(entry) else {
                return Some(client);
            };
            client = ip;
            if !trusted.contains(ip) {
                return Some(ip);
            }
        }
    }
    Some(client)
}

/// An `X-Forwarded-For` entry: an address, possibly with a port (`192.0.2.1:5000`,
/// `[2001:db8::1]:443`), as some proxies write it.
fn parse_forwarded_entry(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .map(|ip| ip.to_canonical())
}

/// The client's address ([`client_address`]; `None` when the server was started without
/// connection info).
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let trusted = parts
            .extensions
            .get::<TrustedProxies>()
            .cloned()
            .unwrap_or_default();
        Ok(ClientIp(client_address(peer, &trusted, &parts.headers)))
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn trusted(entries: &[&str]) -> TrustedProxies {
        TrustedProxies::new(
            entries
                .iter()
                .map(|e| parse_trusted_proxy(e).unwrap())
                .collect(),
        )
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        headers
    }

    fn ip(text: &str) -> Option<IpAddr> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let headers = forwarded(&["203.0.113.7"]);
        assert_eq!(
            client_address(ip("127.0.0.1"), &TrustedProxies::default(), &headers),
            ip("127.0.0.1")
        );
        assert_eq!(
            client_address(None, &TrustedProxies::default(), &headers),
            None
        );
    }

    #[test]
    fn an_untrusted_peer_cannot_claim_another_address() {
        let headers = forwarded(&["203.0.113.7"]);
        assert_eq!(
            client_address(ip("198.51.100.2"), &trusted(&["127.0.0.1"]), &headers),
            ip("198.51.100.2")
        );
    }

    #[test]
    fn a_trusted_proxy_gives_the_right_most_untrusted_entry() {
        let proxies = trusted(&["127.0.0.1", "10.0.0.0/8"]);
        // The client sent a forged "198.51.100.1"; the proxy appended what it saw.
        let headers = forwarded(&["198.51.100.1, 203.0.113.7"]);
        assert_eq!(
            client_address(ip("127.0.0.1"), &proxies, &headers),
            ip("203.0.113.7")
        );
        // Two proxies in a row (a load balancer, then nginx), and two headers forming one list.
        let headers = forwarded(&["203.0.113.7", "10.1.2.3"]);
        assert_eq!(
            client_address(ip("127.0.0.1"), &proxies, &headers),
            ip("203.0.113.7")
        );
    }

    #[test]
    fn odd_entries_end_the_walk_at_the_last_good_address() {
        let proxies = trusted(&["127.0.0.1", "10.0.0.0/8"]);
        assert_eq!(
            client_address(
                ip("127.0.0.1"),
                &proxies,
                &forwarded(&["unknown, 10.0.0.9"])
            ),
            ip("10.0.0.9")
        );
        assert_eq!(
            client_address(ip("127.0.0.1"), &proxies, &forwarded(&[])),
            ip("127.0.0.1")
        );
        assert_eq!(
            client_address(
                ip("127.0.0.1"),
                &proxies,
                &forwarded(&["10.0.0.1, 10.0.0.2"])
            ),
            ip("10.0.0.1")
        );
        // Ports and IPv4-mapped IPv6, as some proxies and dual-stack sockets write them.
        assert_eq!(
            client_address(
                ip("::ffff:127.0.0.1"),
                &proxies,
                &forwarded(&["[2001:db8::5]:443"])
            ),
            ip("2001:db8::5")
        );
        assert_eq!(
            client_address(ip("127.0.0.1"), &proxies, &forwarded(&["192.0.2.8:5000"])),
            ip("192.0.2.8")
        );
    }

    #[test]
    fn trusted_proxy_entries_are_addresses_or_ranges() {
        assert_eq!(
            parse_trusted_proxy(" 10.0.0.0/8").unwrap().to_string(),
            "10.0.0.0/8"
        );
        assert_eq!(parse_trusted_proxy("::1").unwrap().to_string(), "::1/128");
        assert!(
            parse_trusted_proxy("10.0.0.0/33")
                .unwrap_err()
                .contains("\"10.0.0.0/33\"")
        );
        assert!(
            parse_trusted_proxy("proxy.local")
                .unwrap_err()
                .contains("not an IP address")
        );
    }
}
