//! Request rate limits of the unauthenticated endpoints that cost work (sign-in, registration,
//! resending confirmation mails): per client address and over all clients, in-process (GCRA,
//! the `governor` crate). A refused request gets 429 `too_many_requests` with `Retry-After`
//! before anything is hashed or queried. Each instance counts its own requests; the database
//! throttle of failed sign-ins ([`super::throttle`]) is the one shared by all instances.

use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::ApiError;

/// Addresses remembered before old ones are swept (bounds the limiter's memory).
const MAX_TRACKED_ADDRESSES: usize = 100_000;

pub use crate::client_ip::ClientIp;

/// The limits of one server.
pub struct AuthLimits {
    per_address: DefaultKeyedRateLimiter<IpAddr>,
    global: DefaultDirectRateLimiter,
}

impl std::fmt::Debug for AuthLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthLimits").finish_non_exhaustive()
    }
}

/// The limiter's key: IPv4 as is, IPv6 by its /64 (what one subscriber usually holds whole).
pub fn address_key(ip: Option<IpAddr>) -> IpAddr {
    match ip.map(|ip| ip.to_canonical()) {
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        Some(v4) => v4,
        None => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    }
}

impl AuthLimits {
    pub fn new(per_address_per_minute: u32, global_per_second: u32) -> Self {
        let per_minute = NonZeroU32::new(per_address_per_minute.max(1)).expect("at least 1");
        let per_second = NonZeroU32::new(global_per_second.max(1)).expect("at least 1");
        Self {
            per_address: RateLimiter::keyed(Quota::per_minute(per_minute)),
            global: RateLimiter::direct(Quota::per_second(per_second)),
        }
    }

    /// Admits one request from `ip`, or answers 429 with the wait.
    pub fn check(&self, ip: Option<IpAddr>) -> Result<(), ApiError> {
        if self.per_address.len() > MAX_TRACKED_ADDRESSES {
            self.per_address.retain_recent();
        }
        let now = DefaultClock::default().now();
        if let Err(not_until) = self.per_address.check_key(&address_key(ip)) {
            let wait = not_until.wait_time_from(now);
            return Err(ApiError::too_many_requests(
                wait.as_secs() + 1,
                "too many requests from your address; slow down",
            ));
        }
        if let Err(not_until) = self.global.check() {
            let wait = not_until.wait_time_from(now);
            return Err(ApiError::too_many_requests(
                wait.as_secs() + 1,
                "the server is receiving too many sign-in requests; try again shortly",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_address_has_its_own_budget_and_the_refusal_says_when_to_retry() {
        let limits = AuthLimits::new(2, 1000);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        assert!(limits.check(Some(a)).is_ok());
        assert!(limits.check(Some(a)).is_ok());
        let refused = limits.check(Some(a)).unwrap_err();
        let p = refused.to_problem();
        assert_eq!((p.status, p.code.as_str()), (429, "too_many_requests"));
        assert!(refused.retry_after_secs().unwrap() >= 1);
        assert!(limits.check(Some(b)).is_ok());
    }

    #[test]
    fn the_global_budget_covers_every_address() {
        let limits = AuthLimits::new(1000, 2);
        for i in 0..2 {
            let ip: IpAddr = format!("198.51.100.{i}").parse().unwrap();
            assert!(limits.check(Some(ip)).is_ok());
        }
        assert!(limits.check(Some("203.0.113.1".parse().unwrap())).is_err());
    }

    #[test]
    fn ipv6_clients_share_their_64() {
        assert_eq!(
            address_key(Some("2001:db8:1:2::1".parse().unwrap())),
            address_key(Some("2001:db8:1:2:ffff::9".parse().unwrap()))
        );
        assert_eq!(
            address_key(Some("::ffff:192.0.2.7".parse().unwrap())),
            "192.0.2.7".parse::<IpAddr>().unwrap()
        );
    }
}
