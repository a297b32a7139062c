//! The arithmetic of the sign-in throttle (its store is `app::access::throttle`).
//!
//! Attempts are counted per (email, client address) (`pair:<email>|<addr>`) and per client
//! address (`ip:<addr>`; IPv6 clients by their /64 network) over a sliding window, and recorded
//! *before* the password is checked. Once [`PAIR_LIMIT`] failures for an (email, address), or
//! [`IP_LIMIT`] for an address, fall within [`WINDOW_MINUTES`], further attempts are refused
//! until enough failures age out. The email alone is never throttled (five wrong passwords from
//! one address must not lock the owner out from another); when [`ALERT_THRESHOLD`] failures
//! per email fall within the window the owner is mailed, once per window.

use std::net::{IpAddr, Ipv6Addr};

use super::AccessError;

/// Failures allowed per (email, client address) within the window; the next attempt is refused.
pub const PAIR_LIMIT: i64 = 5;
/// Failures per email (from any address) within the window after which the owner is mailed.
pub const ALERT_THRESHOLD: i64 = 5;
/// Failures allowed per client address within the window; the next attempt is refused.
pub const IP_LIMIT: i64 = 20;
/// Length of the sliding window.
pub const WINDOW_MINUTES: i64 = 15;
/// Failures older than this are deleted (now and then, on a later failure).
pub const KEEP_HOURS: i64 = 24;

pub fn email_key(email: &str) -> String {
    format!("email:{}", email.trim().to_lowercase())
}

/// The key of an (email, client address) pair.
pub fn pair_key(email: &str, ip: Option<IpAddr>) -> String {
    let ip = ip_key(ip);
    format!(
        "pair:{}|{}",
        email.trim().to_lowercase(),
        ip.trim_start_matches("ip:")
    )
}

/// The key of a client address: IPv4 (also when mapped into IPv6) as is, IPv6 by its /64, the
/// block one subscriber usually controls whole.
pub fn ip_key(ip: Option<IpAddr>) -> String {
    match ip.map(|ip| ip.to_canonical()) {
        Some(IpAddr::V4(v4)) => format!("ip:{v4}"),
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            let net = Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
            format!("ip:{net}/64")
        }
        None => "ip:unknown".to_string(),
    }
}

/// Seconds to announce in `Retry-After` for a wait of `seconds` (whole seconds, at least 1).
pub fn retry_after_secs(seconds: f64) -> u64 {
    if seconds.is_finite() && seconds > 1.0 {
        seconds.ceil() as u64
    } else {
        1
    }
}

/// The wait in words for the refusal's text ("1 minute", "3 minutes").
pub fn wait_text(retry_after: u64) -> String {
    let minutes = retry_after.div_ceil(60).max(1);
    if minutes == 1 {
        "1 minute".to_string()
    } else {
        format!("{minutes} minutes")
    }
}

/// The verdict over the waits of the pair and of the address (seconds until each drops below
/// its limit; `None`: it already is).
pub fn verdict(by_pair: Option<f64>, by_ip: Option<f64>) -> Result<(), AccessError> {
    match (by_pair, by_ip) {
        (None, None) => Ok(()),
        (a, b) => Err(AccessError::TooManyAttempts {
            retry_after: retry_after_secs(a.unwrap_or(0.0).max(b.unwrap_or(0.0))),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_keys_are_trimmed_and_lowercased() {
        assert_eq!(email_key("  Alice@Example.COM "), "email:alice@example.com");
    }

    #[test]
    fn pair_keys_name_the_email_and_the_address() {
        let a: IpAddr = "192.0.2.7".parse().unwrap();
        let b: IpAddr = "192.0.2.8".parse().unwrap();
        assert_eq!(pair_key(" A@B.co ", Some(a)), "pair:a@b.co|192.0.2.7");
        assert_ne!(pair_key("a@b.co", Some(a)), pair_key("a@b.co", Some(b)));
        assert_eq!(
            pair_key("a@b.co", Some("2001:db8::1".parse().unwrap())),
            "pair:a@b.co|2001:db8::/64"
        );
    }

    #[test]
    fn ip_keys() {
        assert_eq!(ip_key(Some("192.0.2.7".parse().unwrap())), "ip:192.0.2.7");
        assert_eq!(
            ip_key(Some("::ffff:192.0.2.7".parse().unwrap())),
            "ip:192.0.2.7"
        );
        assert_eq!(
            ip_key(Some("2001:db8:1:2:3:4:5:6".parse().unwrap())),
            "ip:2001:db8:1:2::/64"
        );
        assert_eq!(
            ip_key(Some("2001:db8:1:2:ffff::1".parse().unwrap())),
            ip_key(Some("2001:db8:1:2::9".parse().unwrap()))
        );
        assert_eq!(ip_key(Some("::1".parse().unwrap())), "ip:::/64");
        assert_eq!(ip_key(None), "ip:unknown");
    }

    #[test]
    fn retry_after_is_whole_seconds_and_at_least_one() {
        assert_eq!(retry_after_secs(899.2), 900);
        assert_eq!(retry_after_secs(0.3), 1);
        assert_eq!(retry_after_secs(-4.0), 1);
        assert_eq!(retry_after_secs(f64::NAN), 1);
    }

    #[test]
    fn waits_are_told_in_minutes_rounded_up() {
        assert_eq!(wait_text(1), "1 minute");
        assert_eq!(wait_text(60), "1 minute");
        assert_eq!(wait_text(61), "2 minutes");
        assert_eq!(wait_text(900), "15 minutes");
    }

    #[test]
    fn the_longer_wait_decides() {
        assert_eq!(verdict(None, None), Ok(()));
        assert_eq!(
            verdict(Some(10.2), Some(119.5)),
            Err(AccessError::TooManyAttempts { retry_after: 120 })
        );
        assert_eq!(
            verdict(Some(3.0), None),
            Err(AccessError::TooManyAttempts { retry_after: 3 })
        );
    }
}
