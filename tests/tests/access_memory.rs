//! Finding 3 of issue 11: password hashing cannot exhaust memory. Alone in its file (its own
//! test process), so that no other test's allocations disturb the measurement.

use e2e::TestApp;
use serde_json::json;

/// This process's resident set, in KiB (Linux).
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_hundred_concurrent_sign_ups_grow_the_server_by_less_than_100_mb() {
    // Open registration: every request reaches the password hashing. Rate limits raised so
    // that only the hashing pool's bounded queue stands in the way.
    let app = TestApp::spawn_with(|s| {
        s.registration = api::config::RegistrationMode::Open;
        s.auth_rate_per_ip_per_minute = 100_000;
        s.auth_rate_global_per_second = 100_000;
    })
    .await
    .admin()
    .await;
    let before = rss_kib();
    let started = std::time::Instant::now();
    let requests = (0..100).map(|i| {
        let client = app.client.clone();
        let url = format!("{}/api/auth/register", app.base);
        async move {
            let res = client
                .post(url)
                .json(&json!({"email": format!("u{i}@example.com"), "password": "correct horse battery staple"}))
                .send()
                .await
                .expect("request");
            let retry_after = res.headers().get("retry-after").is_some();
            (res.status().as_u16(), retry_after)
        }
    });
    let answers = futures::future::join_all(requests).await;
    let after = rss_kib();
    let grown_mib = after.saturating_sub(before) / 1024;
    eprintln!(
        "100 sign-ups: {:?} in {:?}; RSS {} -> {} KiB (+{grown_mib} MiB)",
        {
            let mut counts = std::collections::BTreeMap::new();
            for (s, _) in &answers {
                *counts.entry(*s).or_insert(0) += 1;
            }
            counts
        },
        started.elapsed(),
        before,
        after
    );
    for (status, retry_after) in &answers {
        assert!(matches!(status, 202 | 429), "unexpected status {status}");
        if *status == 429 {
            assert!(retry_after, "429 without Retry-After");
        }
    }
    assert!(
        answers.iter().any(|(s, _)| *s == 202),
        "some sign-ups go through"
    );
    assert!(grown_mib < 100, "RSS grew by {grown_mib} MiB");
}
