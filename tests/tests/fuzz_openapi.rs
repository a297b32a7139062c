//! Issue 11: fuzzing over the OpenAPI document. Every operation is called as an admin with
//! hostile input (NUL, huge and odd numbers, wrong types, deep nesting, bidi and formula text)
//! in one body field, query parameter or path id, from fixed seeds so that a failure repeats.
//! No answer may be a 500: bad input is the client's problem (4xx), and an outside service
//! that cannot be reached answers 502/503 with a code of its own.
//!
//! More cases: `LEDGER_FUZZ_SEEDS=200 cargo test -p e2e --test fuzz_openapi`.

use e2e::TestApp;
use e2e::openapi::{Mode, calls};

/// Seeds run by default (each makes one request per operation).
const DEFAULT_SEEDS: u64 = 12;

#[tokio::test]
async fn no_operation_answers_500_to_hostile_input() {
    let app = TestApp::spawn().await.admin().await;
    let doc = serde_json::to_value(api::routes::openapi()).expect("the OpenAPI document");
    let seeds = std::env::var("LEDGER_FUZZ_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SEEDS);
    let mut failures = Vec::new();
    let mut sent = 0usize;
    for seed in 0..seeds {
        for call in calls(&doc, Mode::Hostile { seed }) {
            // Signing out or resetting would end the session the rest of the run needs.
            if call.template.starts_with("/api/auth/") && call.template != "/api/auth/me" {
                continue;
            }
            let answer = app
                .request(call.method.clone(), &call.url, call.body.clone())
                .await;
            sent += 1;
            let status = answer.status.as_u16();
            if status == 500 || (status > 500 && answer.body["code"] == "internal_error") {
                let body = call
                    .body
                    .as_ref()
                    .map(|b| b.to_string())
                    .unwrap_or_default();
                failures.push(format!(
                    "seed {seed}: {} {} {} -> {status} {}",
                    call.method,
                    call.url.chars().take(300).collect::<String>(),
                    body.chars().take(300).collect::<String>(),
                    answer.body
                ));
            }
        }
    }
    assert!(sent > 500, "only {sent} requests were sent");
    assert!(
        failures.is_empty(),
        "{} of {sent} answered 500:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(
        app.get("/readyz").await.status,
        200,
        "the server is still ready"
    );
}
