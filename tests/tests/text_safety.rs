//! Issue 11, finding 1: no text can stop the books. On 55928bb a NUL (`\u0000`) in any of the
//! fields below answered 201, the event was appended, PostgreSQL refused it in the read tables
//! and the projector retried forever (`/readyz` 200, `ledger verify` OK). These tests failed
//! there: the posts answered 201, the `?q=%00` lists 500, and a stuck projector kept `/readyz`
//! at 200 and `verify` at OK.

use e2e::TestApp;
use serde_json::{Value, json};

const NUL: &str = "bad\u{0}text";

/// Books with a bank, an expense account, a counterparty and an AR/income pair.
struct Books {
    bank: String,
    rent: String,
    cp: String,
}

async fn books(app: &TestApp) -> Books {
    let bank = app.account("Bank", "asset", "USD").await;
    let rent = app.account("Rent", "expense", "USD").await;
    let cp = app
        .post(
            "/api/counterparties",
            json!({"name": "Landlord", "kind": "vendor"}),
        )
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    Books { bank, rent, cp }
}

fn posting(b: &Books) -> Value {
    json!({"date": "2026-11-02", "description": "Rent",
           "entries": [{"account_id": b.rent, "amount": "10.00"},
                       {"account_id": b.bank, "amount": "-10.00"}]})
}

/// Sets `value` at a JSON pointer (its last step an object key, created when missing).
fn with(mut body: Value, pointer: &str, value: &str) -> Value {
    let (parent, key) = pointer.rsplit_once('/').expect("a pointer");
    let shown = body.to_string();
    body.pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .unwrap_or_else(|| panic!("{parent} in {shown}"))
        .insert(key.to_string(), json!(value));
    body
}

/// `body` is accepted as it is (so the refusal below is the NUL's doing), and refused with
/// `field` named once `pointer` holds a NUL; nothing is written by the refusal.
async fn refused_with_nul(
    app: &TestApp,
    path: &str,
    body: Value,
    pointer: &str,
    field: &str,
) -> Value {
    let events = app.event_count().await;
    let bad = with(body.clone(), pointer, NUL);
    let p = app.post(path, bad).await.expect(422);
    assert_eq!(p["code"], "validation_failed", "{path}: {p}");
    assert_eq!(p["field"], field, "{path}: {p}");
    assert!(p["detail"].as_str().unwrap().contains("NUL"), "{p}");
    assert_eq!(
        app.event_count().await,
        events,
        "{path}: the refusal wrote nothing"
    );
    let ok = with(body, pointer, "fine text");
    let answer = app.post(path, ok).await;
    assert!(
        answer.status.is_success(),
        "{path}: the same body without the NUL must be accepted: {answer:?}"
    );
    answer.body
}

#[tokio::test]
async fn a_nul_in_any_text_field_is_refused_with_its_field_and_the_books_keep_moving() {
    let mut app = TestApp::spawn().await.admin().await;
    let b = books(&app).await;

    let tx = posting(&b);
    refused_with_nul(
        &app,
        "/api/transactions",
        tx.clone(),
        "/description",
        "description",
    )
    .await;
    refused_with_nul(
        &app,
        "/api/transactions",
        tx.clone(),
        "/entries/0/memo",
        "entries[0].memo",
    )
    .await;
    refused_with_nul(
        &app,
        "/api/transactions",
        tx.clone(),
        "/idempotency_key",
        "idempotency_key",
    )
    .await;

    let account = json!({"name": "Cash", "type": "asset", "kind": "cash", "currency": "USD",
                         "description": "d"});
    refused_with_nul(
        &app,
        "/api/accounts",
        account,
        "/description",
        "description",
    )
    .await;
    let cp = json!({"name": "Vendor", "kind": "vendor", "notes": "n"});
    refused_with_nul(&app, "/api/counterparties", cp, "/notes", "notes").await;

    let invoice = json!({"direction": "payable", "counterparty_id": b.cp, "currency": "USD",
        "issue_date": "2026-11-01", "due_date": "2026-11-30",
        "lines": [{"description": "Work", "quantity": "1", "unit_price": "5.00"}]});
    refused_with_nul(
        &app,
        "/api/invoices",
        invoice,
        "/lines/0/description",
        "lines[0].description",
    )
    .await;

    let recurring = json!({"name": "Rent", "schedule": {"frequency": "monthly", "day": 1},
        "start": "2026-01-01",
        "template": {"description": "Office rent",
                     "expense": {"account_id": b.bank, "expense_account_id": b.rent, "amount": "1.00"}}});
    refused_with_nul(
        &app,
        "/api/recurring",
        recurring,
        "/template/description",
        "template.description",
    )
    .await;

    // An analyst maintains traffic data: the same rule holds for them.
    app.sign_in_with_role("analyst@example.com", "analyst")
        .await;
    let source = json!({"name": "Moloco", "kind": "mobile_dsp", "currency": "USD",
                        "timezone": "UTC", "notes": "n"});
    let source = refused_with_nul(&app, "/api/traffic/sources", source, "/notes", "notes").await;
    let cp_id = b.cp.clone();
    let program = json!({"name": "AffNet", "counterparty_id": cp_id, "currency": "USDT",
                         "website": "https://aff.example"});
    let program = refused_with_nul(
        &app,
        "/api/traffic/programs",
        program,
        "/website",
        "website",
    )
    .await;
    let program_id = program["id"].clone();
    let offer = json!({"name": "Game CPI", "program_id": program_id, "payout_model": "cpi",
                       "payout": "2.40", "currency": "USD", "notes": "n"});
    refused_with_nul(&app, "/api/traffic/offers", offer, "/notes", "notes").await;
    let source_id = source["id"].clone();
    let campaign =
        json!({"name": "Game US", "source_id": source_id, "status": "active", "notes": "n"});
    refused_with_nul(&app, "/api/traffic/campaigns", campaign, "/notes", "notes").await;

    // The read side kept up with all of it.
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, 200, "{ready:?}");
    app.wait_all_sealed().await;
    let report = projections::rebuild::verify(&app.pool).await.unwrap();
    assert!(report.ok(), "{report:?}");
}

#[tokio::test]
async fn a_nul_in_a_query_or_an_array_parameter_answers_422_not_500() {
    let app = TestApp::spawn().await.admin().await;
    for list in [
        "/api/accounts",
        "/api/projects",
        "/api/categories",
        "/api/counterparties",
        "/api/traffic/sources",
        "/api/traffic/programs",
        "/api/traffic/offers",
        "/api/traffic/campaigns",
        "/api/invoices",
        "/api/recurring",
        "/api/transactions",
        "/api/users",
    ] {
        let p = app.get(&format!("{list}?q=a%00b")).await.expect(422);
        assert_eq!(
            (p["code"].as_str(), p["field"].as_str()),
            (Some("validation_failed"), Some("q")),
            "{list}: {p}"
        );
    }
    let source = app
        .post(
            "/api/traffic/sources",
            json!({"name": "S", "kind": "mobile_dsp", "currency": "USD", "timezone": "UTC"}),
        )
        .await
        .expect(201);
    let campaign = json!({"name": "C", "source_id": source["id"], "status": "active"});
    let created = app
        .post("/api/traffic/campaigns", campaign.clone())
        .await
        .expect(201);
    let id = created["id"].as_str().unwrap();
    let mut keyed = campaign;
    keyed["source_keys"] = json!(["ok", "k\u{0}"]);
    let p = app
        .put(&format!("/api/traffic/campaigns/{id}"), keyed)
        .await
        .expect(422);
    assert_eq!(p["field"], "source_keys[1]", "{p}");
    let p = app.get("/api/accounts/%00").await.expect(422);
    assert_eq!(p["field"], "path", "{p}");
}

#[tokio::test]
async fn names_refuse_bidi_overrides_and_control_characters() {
    let app = TestApp::spawn().await.admin().await;
    for (name, why) in [
        ("Bank\u{202E}lanigiro", "bidi"),
        ("Bank\u{2066}x", "bidi"),
        ("Bank\u{1b}[31m", "control"),
    ] {
        let p = app
            .post(
                "/api/accounts",
                json!({"name": name, "type": "asset", "kind": "bank", "currency": "USD"}),
            )
            .await
            .expect(422);
        assert_eq!(p["field"], "name", "{why}: {p}");
    }
    // Right-to-left letters themselves are names like any other.
    app.post(
        "/api/accounts",
        json!({"name": "בנק לאומי", "type": "asset", "kind": "bank", "currency": "USD"}),
    )
    .await
    .expect(201);
}

/// Appends an event straight into the log, as a bug or a hand-written INSERT could.
async fn append_behind_the_apps_back(
    app: &TestApp,
    aggregate_type: &str,
    id: &str,
    event_type: &str,
    payload: &str,
) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
         VALUES ($1, $2, 1, $3, '1.0', $4::json, '{\"source\":\"test\",\"time\":\"2026-12-03T00:00:00Z\"}'::json) \
         RETURNING position",
    )
    .bind(aggregate_type)
    .bind(id)
    .bind(event_type)
    .bind(payload)
    .fetch_one(&app.pool)
    .await
    .expect("insert an event")
}

/// `/readyz` once the projector reports that it is stuck at `position` (waits up to 5 s).
async fn stuck_at(app: &TestApp, position: i64) -> Value {
    let mut ready = app.get("/readyz").await;
    for _ in 0..100 {
        if ready.status == 503 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        ready = app.get("/readyz").await;
    }
    let body = ready.expect(503);
    assert_eq!(body["reason"], "projector_stuck", "{body}");
    assert_eq!(body["position"], position, "{body}");
    body
}

/// Issue 12: the projector used to pass an aggregate type it did not know by (a debug log)
/// and never looked at the event type column. Both now stop it, as a corrupt event does.
#[tokio::test]
async fn an_unknown_aggregate_type_stops_the_projector() {
    let app = TestApp::spawn().await.admin().await;
    let id = uuid::Uuid::now_v7().to_string();
    let position =
        append_behind_the_apps_back(&app, "invoice_draft", &id, "Created", r#"{"Created":{}}"#)
            .await;
    let body = stuck_at(&app, position).await;
    let error = body["error"].as_str().unwrap();
    assert!(
        error.contains("unknown aggregate type `invoice_draft`"),
        "{body}"
    );
    let report = projections::rebuild::verify(&app.pool).await.unwrap();
    assert!(!report.ok(), "{report:?}");
}

#[tokio::test]
async fn an_event_type_its_payload_does_not_hold_stops_the_projector() {
    let app = TestApp::spawn().await.admin().await;
    let id = uuid::Uuid::now_v7().to_string();
    let payload = r#"{"Created":{"name":"Imported","code":null,"description":null}}"#;
    let position = append_behind_the_apps_back(&app, "project", &id, "Renamed", payload).await;
    let body = stuck_at(&app, position).await;
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("unknown event type `Renamed`"),
        "{body}"
    );
}

#[tokio::test]
async fn an_event_holding_a_nul_is_projected_through_the_repair_upcaster() {
    let app = TestApp::spawn().await.admin().await;
    let id = uuid::Uuid::now_v7().to_string();
    let payload = r#"{"Created":{"name":"Imported","code":null,"description":"from the old system\u0000 (sic)"}}"#;
    let position = append_behind_the_apps_back(&app, "project", &id, "Created", payload).await;
    let project = app
        .get(&format!("/api/projects/{id}?min_position={position}"))
        .await
        .expect(200);
    assert_eq!(
        project["description"], "from the old system\u{FFFD} (sic)",
        "{project}"
    );
    assert_eq!(app.get("/readyz").await.status, 200);
    let report = projections::rebuild::verify(&app.pool).await.unwrap();
    assert!(report.ok(), "{report:?}");
}

#[tokio::test]
async fn an_event_the_projector_cannot_apply_fails_readyz_metrics_and_verify() {
    let app = TestApp::spawn().await.admin().await;
    let id = uuid::Uuid::now_v7().to_string();
    let position = append_behind_the_apps_back(
        &app,
        "transaction",
        &id,
        "Posted",
        r#"{"Posted":{"nonsense":1}}"#,
    )
    .await;
    let body = stuck_at(&app, position).await;
    assert!(
        body["error"].as_str().unwrap().contains("cannot be read"),
        "{body}"
    );

    let metrics = app.metrics_text().await;
    assert!(metrics.contains("ledger_projector_stuck 1"), "{metrics}");

    let report = projections::rebuild::verify(&app.pool).await.unwrap();
    assert!(
        !report.ok(),
        "verify must fail while the read side is behind: {report:?}"
    );
    assert!(!report.read_side_ok);
    // The stuck event and whatever came after it (sign-ins are events too) wait behind it.
    assert!(report.unprojected_events >= 1, "{report:?}");
    let error = report.projector_error.as_deref().unwrap_or_default();
    assert!(
        error.contains(&format!("position {position}")),
        "{report:?}"
    );
}
