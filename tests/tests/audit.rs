//! The auditor's event stream with its server-side filters: every filter gives exactly what the
//! unfiltered stream narrowed by hand gives, paging with a filter never skips or repeats an
//! event, bad filters are 422 problems, and only admins and auditors may read it.

use e2e::TestApp;
use serde_json::{Value, json};

/// One page of `/api/audit/events?{query}`: its events and the `x-next-after` header.
async fn page(app: &TestApp, query: &str) -> (Vec<Value>, Option<i64>) {
    let r = app
        .client
        .get(format!("{}/api/audit/events?{query}", app.base))
        .bearer_auth(app.token.as_ref().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{query}");
    assert_eq!(r.headers()["content-type"], "application/x-ndjson");
    let next = r
        .headers()
        .get("x-next-after")
        .map(|v| v.to_str().unwrap().parse::<i64>().unwrap());
    let text = r.text().await.unwrap();
    let events = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (events, next)
}

/// Every event matching `query`, following `x-next-after` from page to page (bounded).
async fn all_pages(app: &TestApp, query: &str, limit: i64) -> Vec<Value> {
    let mut out = Vec::new();
    let mut after = 0;
    for _ in 0..1_000 {
        let (events, next) = page(app, &format!("{query}&after={after}&limit={limit}")).await;
        assert!(events.len() as i64 <= limit);
        out.extend(events);
        match next {
            Some(n) => {
                assert!(n > after, "the cursor must move on: {n} after {after}");
                after = n;
            }
            None => return out,
        }
    }
    panic!("{query}: more than 1000 pages");
}

fn seqs(events: &[Value]) -> Vec<i64> {
    events.iter().map(|e| e["seq"].as_i64().unwrap()).collect()
}

fn user_of(e: &Value) -> Option<String> {
    let meta: Value = serde_json::from_str(e["metadata"].as_str().unwrap()).unwrap();
    meta["user_id"].as_str().map(str::to_string)
}

#[tokio::test]
async fn the_audit_stream_filters_on_the_server() {
    let mut app = TestApp::spawn().await.admin().await;
    let bank = app.account("Bank", "asset", "USD").await;
    let sales = app.account("Sales", "income", "USD").await;
    for i in 0..3 {
        app.post(
            "/api/transactions",
            json!({"date": "2026-10-01", "description": format!("t{i}"),
            "income": {"account_id": bank, "income_account_id": sales, "amount": "1.50"}}),
        )
        .await
        .expect(201);
    }
    let admin_token = app.token.clone();
    app.sign_in_with_role("clerk@example.com", "accountant")
        .await;
    let clerk = app.get("/api/auth/me").await.expect(200)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let cash = app.account("Cash", "asset", "USD").await;
    // Not theirs to read.
    assert_eq!(app.get("/api/audit/event-kinds").await.status, 403);
    let r = app
        .client
        .get(format!("{}/api/audit/events", app.base))
        .bearer_auth(app.token.as_ref().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    app.token = admin_token;
    app.wait_all_sealed().await;

    let (everything, next) = page(&app, "after=0&limit=10000").await;
    assert_eq!(next, None, "the whole log fits one page");
    assert_eq!(everything.len() as i64, app.sealed().await);
    let matching = |f: &dyn Fn(&Value) -> bool| -> Vec<i64> {
        seqs(
            &everything
                .iter()
                .filter(|e| f(e))
                .cloned()
                .collect::<Vec<_>>(),
        )
    };

    // Each filter is what narrowing the whole stream by hand gives, and is not everything.
    let accounts = matching(&|e| e["aggregate_type"] == "account");
    assert_eq!(accounts.len(), 3, "three accounts opened");
    let (got, _) = page(&app, "aggregate_type=account").await;
    assert_eq!(seqs(&got), accounts);

    let opened_type = everything
        .iter()
        .find(|e| e["aggregate_type"] == "account" && e["aggregate_id"] == cash.as_str())
        .unwrap()["event_type"]
        .as_str()
        .unwrap()
        .to_string();
    let (got, _) = page(&app, &format!("aggregate_id={cash}")).await;
    assert_eq!(
        seqs(&got),
        matching(&|e| e["aggregate_id"] == cash.as_str())
    );
    assert!(!got.is_empty());
    let (got, _) = page(
        &app,
        &format!("aggregate_type=account&event_type={opened_type}"),
    )
    .await;
    assert_eq!(
        seqs(&got),
        matching(&|e| e["aggregate_type"] == "account" && e["event_type"] == opened_type.as_str())
    );
    let (got, _) = page(&app, "aggregate_type=transaction").await;
    assert_eq!(got.len(), 3);

    let by_clerk = matching(&|e| user_of(e).as_deref() == Some(clerk.as_str()));
    assert!(!by_clerk.is_empty() && by_clerk.len() < everything.len());
    let (got, _) = page(&app, &format!("user_id={clerk}")).await;
    assert_eq!(seqs(&got), by_clerk);

    // Recorded-time bounds: a bare date covers its whole UTC day; a time is inclusive.
    let today = chrono::Utc::now().date_naive();
    let (got, next) = page(&app, &format!("from={today}&to={today}")).await;
    assert_eq!(got.len(), everything.len());
    assert_eq!(next, None);
    let tomorrow = today.succ_opt().unwrap();
    let yesterday = today.pred_opt().unwrap();
    assert!(page(&app, &format!("from={tomorrow}")).await.0.is_empty());
    assert!(page(&app, &format!("to={yesterday}")).await.0.is_empty());
    let third = &everything[2];
    let at = third["recorded_at"].as_str().unwrap();
    let recorded = |e: &Value| {
        chrono::DateTime::parse_from_rfc3339(e["recorded_at"].as_str().unwrap()).unwrap()
    };
    let (got, _) = page(&app, &format!("to={}", urlencode(at))).await;
    assert_eq!(seqs(&got), matching(&|e| recorded(e) <= recorded(third)));
    assert!(seqs(&got).contains(&third["seq"].as_i64().unwrap()));
    let (got, _) = page(&app, &format!("from={}", urlencode(at))).await;
    assert!(seqs(&got).contains(&third["seq"].as_i64().unwrap()));

    // Paging with a filter: one event a page, no event skipped or repeated.
    let paged = all_pages(&app, "aggregate_type=account", 1).await;
    assert_eq!(seqs(&paged), accounts);
    let paged = all_pages(&app, &format!("user_id={clerk}"), 2).await;
    assert_eq!(seqs(&paged), by_clerk);
    let paged = all_pages(&app, "aggregate_type=nothing_here", 5).await;
    assert!(paged.is_empty());
    // Starting in the middle: only what lies after the cursor.
    let (got, _) = page(
        &app,
        &format!("aggregate_type=account&after={}", accounts[0]),
    )
    .await;
    assert_eq!(seqs(&got), accounts[1..]);

    // The filter choices: the kinds present, sorted, each aggregate type once.
    let kinds = app.get("/api/audit/event-kinds").await.expect(200);
    let types: Vec<&str> = kinds["aggregate_types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    let mut sorted = types.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(types, sorted);
    assert!(types.contains(&"account") && types.contains(&"transaction"));
    assert!(
        kinds["kinds"]
            .as_array()
            .unwrap()
            .contains(&json!({"aggregate_type": "account", "event_type": opened_type}))
    );
    let all_kinds: std::collections::BTreeSet<(String, String)> = everything
        .iter()
        .map(|e| {
            (
                e["aggregate_type"].as_str().unwrap().to_string(),
                e["event_type"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(kinds["kinds"].as_array().unwrap().len(), all_kinds.len());

    // Bad filters: a 422 naming the field, never a partial answer.
    let long_id = "x".repeat(201);
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=10001", "limit"),
        ("after=-1", "after"),
        ("aggregate_type=", "aggregate_type"),
        ("aggregate_type=acc%20ount", "aggregate_type"),
        ("event_type=%27%3B--", "event_type"),
        ("aggregate_id=", "aggregate_id"),
        (&format!("aggregate_id={long_id}"), "aggregate_id"),
        ("user_id=nobody", "user_id"),
        ("from=yesterday", "from"),
        ("to=2026-13-01", "to"),
        ("from=2026-10-02&to=2026-10-01", "to"),
    ] {
        let answer = app.get(&format!("/api/audit/events?{query}")).await;
        assert_eq!(answer.status, 422, "{query}: {:?}", answer.body);
        assert_eq!(answer.body["code"], "validation_failed", "{query}");
        assert_eq!(answer.body["field"], field, "{query}");
    }

    // An auditor reads it too.
    app.sign_in_with_role("auditor@example.com", "auditor")
        .await;
    let (got, _) = page(&app, "aggregate_type=account").await;
    assert_eq!(seqs(&got), accounts);
    app.get("/api/audit/event-kinds").await.expect(200);

    app.wait_all_sealed().await;
    let report = projections::rebuild::verify(&app.pool).await.unwrap();
    assert!(report.ok(), "{report:?}");
}

/// Percent-encodes what an RFC 3339 time holds that a query string must not carry raw.
fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}
