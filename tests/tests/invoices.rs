//! Invoices end to end over real HTTP against a real PostgreSQL: drafts and their validation,
//! issue (numbers from the series, postings that balance, the receivable in the trial
//! balance), partial, full, cross-currency and over-payments, applying a posted transaction,
//! payable invoices, cancellation after a partial payment, overdue on read and by the daily
//! job, ageing buckets at a chosen date, concurrent issues, roles, and a rebuild that matches.

use e2e::TestApp;
use rust_decimal::Decimal;
use serde_json::{Value, json};

async fn id_of(app: &TestApp, path: &str, body: Value) -> String {
    app.post(path, body).await.expect(201)["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn balance(app: &TestApp, account: &str, position: i64) -> String {
    let b = app
        .get(&format!(
            "/api/balances?account_id={account}&min_position={position}"
        ))
        .await
        .expect(200);
    b["items"][0]["balance"].as_str().unwrap_or("0").to_string()
}

struct Books {
    cp: String,
    ar: String,
    income: String,
    bank: String,
    bank_eur: String,
}

async fn books(app: &TestApp) -> Books {
    Books {
        cp: id_of(
            app,
            "/api/counterparties",
            json!({"name": "Acme GmbH", "kind": "customer"}),
        )
        .await,
        ar: app.account("Accounts receivable", "asset", "USD").await,
        income: app.account("Services income", "income", "USD").await,
        bank: app.account("Bank USD", "asset", "USD").await,
        bank_eur: app.account("Bank EUR", "asset", "EUR").await,
    }
}

fn draft(direction: &str, cp: &str, issue: &str, due: &str, lines: Value) -> Value {
    json!({"direction": direction, "counterparty_id": cp, "currency": "USD",
           "issue_date": issue, "due_date": due, "lines": lines})
}

/// Creates and issues a receivable invoice of one line; answers it.
async fn issued(app: &TestApp, b: &Books, cp: &str, issue: &str, due: &str, amount: &str) -> Value {
    let d = app
        .post(
            "/api/invoices",
            draft(
                "receivable",
                cp,
                issue,
                due,
                json!([{"description": "Work", "quantity": "1", "unit_price": amount}]),
            ),
        )
        .await
        .expect(201);
    app.post(
        &format!("/api/invoices/{}/issue", d["id"].as_str().unwrap()),
        json!({"control_account_id": b.ar, "account_id": b.income}),
    )
    .await
    .expect(200)
}

fn path(inv: &Value, tail: &str) -> String {
    format!("/api/invoices/{}{tail}", inv["id"].as_str().unwrap())
}

#[tokio::test]
async fn drafts_issue_and_payments_in_part_in_full_and_in_another_currency() {
    let app = TestApp::spawn().await.admin().await;
    let b = books(&app).await;
    let web = id_of(&app, "/api/projects", json!({"name": "Web"})).await;

    // Validation: each refusal names its field and writes nothing.
    let events = app.event_count().await;
    let lines = json!([{"description": "Consulting", "quantity": "10", "unit_price": "125.50"}]);
    for (body, field) in [
        (
            draft("receivable", &b.cp, "2026-11-01", "2026-11-30", json!([])),
            "lines",
        ),
        (
            draft(
                "receivable",
                &b.cp,
                "2026-11-01",
                "2026-11-30",
                json!([{"description": "x", "quantity": "0", "unit_price": "1"}]),
            ),
            "lines[0].quantity",
        ),
        (
            draft(
                "receivable",
                &b.cp,
                "2026-11-01",
                "2026-11-30",
                json!([{"description": "x", "quantity": "1", "unit_price": "-1"}]),
            ),
            "lines[0].unit_price",
        ),
        (
            draft(
                "receivable",
                &b.cp,
                "2026-11-01",
                "2026-10-30",
                lines.clone(),
            ),
            "due_date",
        ),
        (
            draft(
                "receivable",
                &b.income,
                "2026-11-01",
                "2026-11-30",
                lines.clone(),
            ),
            "counterparty_id",
        ),
        (
            draft(
                "receivable",
                &b.cp,
                "2026-11-01",
                "2026-11-30",
                json!([{"description": "x", "quantity": "1", "unit_price": "1", "project_id": b.cp}]),
            ),
            "lines[0].project_id",
        ),
    ] {
        let p = app.post("/api/invoices", body).await.expect(422);
        assert_eq!(p["field"], field, "{p}");
        assert_eq!(p["code"], "validation_failed");
    }
    let mut no_direction = draft(
        "receivable",
        &b.cp,
        "2026-11-01",
        "2026-11-30",
        lines.clone(),
    );
    no_direction.as_object_mut().unwrap().remove("direction");
    assert_eq!(
        app.post("/api/invoices", no_direction).await.expect(422)["field"],
        "direction"
    );
    let mut bad_currency = draft(
        "receivable",
        &b.cp,
        "2026-11-01",
        "2026-11-30",
        lines.clone(),
    );
    bad_currency["currency"] = json!("XYZ");
    assert_eq!(
        app.post("/api/invoices", bad_currency).await.expect(422)["field"],
        "currency"
    );
    assert_eq!(app.event_count().await, events, "refusals wrote nothing");

    // A draft: line amounts rounded half-even to cents, no number yet.
    let inv = app
        .post(
            "/api/invoices",
            draft("receivable", &b.cp, "2026-11-01", "2026-11-30", json!([
                {"description": "Consulting", "quantity": "10", "unit_price": "125.50"},
                {"description": "Hosting", "quantity": "3", "unit_price": "33.3335", "project_id": web},
            ])),
        )
        .await
        .expect(201);
    assert_eq!(inv["status"], "draft");
    assert!(inv["number"].is_null());
    assert_eq!(inv["lines"][1]["amount"], "100.00", "100.0005 → 100.00");
    assert_eq!(inv["total"], "1355.00");
    // Edited while a draft.
    let inv = app
        .put(
            &path(&inv, ""),
            json!({"counterparty_id": b.cp, "currency": "USD", "issue_date": "2026-11-01",
                   "due_date": "2027-11-30", "notes": "October work", "lines": [
                {"description": "Consulting", "quantity": "10", "unit_price": "125.50"},
                {"description": "Hosting", "quantity": "3", "unit_price": "33.335", "project_id": web},
            ]}),
        )
        .await
        .expect(200);
    assert_eq!(
        inv["lines"][1]["amount"], "100.00",
        "100.005 → 100.00 (half to even)"
    );
    assert_eq!(inv["notes"], "October work");

    // Issue: the wrong kind of account is refused; then a number and two balanced postings.
    let wrong = app
        .post(
            &path(&inv, "/issue"),
            json!({"control_account_id": b.income, "account_id": b.income}),
        )
        .await
        .expect(422);
    assert_eq!(wrong["field"], "control_account_id");
    let inv = app
        .post(
            &path(&inv, "/issue"),
            json!({"control_account_id": b.ar, "account_id": b.income}),
        )
        .await
        .expect(200);
    assert_eq!(inv["status"], "issued");
    assert_eq!(inv["number"], "INV-2026-00001");
    assert_eq!(
        inv["transaction_ids"].as_array().unwrap().len(),
        2,
        "one per project"
    );
    app.put(
        &path(&inv, ""),
        json!({"counterparty_id": b.cp, "currency": "USD",
        "issue_date": "2026-11-01", "due_date": "2026-11-30", "lines": lines}),
    )
    .await
    .expect(409);
    app.post(
        &path(&inv, "/issue"),
        json!({"control_account_id": b.ar, "account_id": b.income}),
    )
    .await
    .expect(409);
    let position = inv["position"].as_i64().unwrap();
    let id = inv["id"].as_str().unwrap();
    let postings = app
        .get(&format!(
            "/api/transactions?origin_id={id}&min_position={position}"
        ))
        .await
        .expect(200);
    assert_eq!(postings["total"], 2);
    for t in postings["items"].as_array().unwrap() {
        assert_eq!(t["origin"]["kind"], "invoice");
        assert_eq!(t["counterparty_id"], b.cp.as_str());
        let sum: rust_decimal::Decimal = t["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                e["amount"]
                    .as_str()
                    .unwrap()
                    .parse::<rust_decimal::Decimal>()
                    .unwrap()
            })
            .sum();
        assert!(sum.is_zero(), "balanced: {t}");
    }
    let tb = app
        .get(&format!(
            "/api/reports/trial-balance?min_position={position}"
        ))
        .await
        .expect(200);
    let ar_line = tb["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["account_id"] == b.ar.as_str())
        .unwrap();
    assert_eq!(ar_line["debit"], "1355.00");
    assert!(
        tb["totals"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["balanced"] == true)
    );

    // Payments: bad ones are refused with their field.
    let p = app
        .post(
            &path(&inv, "/payments"),
            json!({"date": "2026-11-10", "account_id": b.bank,
            "amount": "500", "rate": "1.1"}),
        )
        .await
        .expect(422);
    assert_eq!(p["field"], "rate");
    let p = app
        .post(
            &path(&inv, "/payments"),
            json!({"date": "2026-11-10", "account_id": b.income,
            "amount": "500"}),
        )
        .await
        .expect(422);
    assert_eq!(p["field"], "account_id");
    let p = app
        .post(
            &path(&inv, "/payments"),
            json!({"date": "2026-11-10", "account_id": b.bank_eur,
            "amount": "500"}),
        )
        .await
        .expect(422);
    assert_eq!(p["field"], "rate", "EUR into a USD invoice needs a rate");

    // Partial, then cross-currency, then the rest.
    let inv = app
        .post(
            &path(&inv, "/payments"),
            json!({"date": "2026-11-10", "account_id": b.bank,
            "amount": "500", "currency": "USD"}),
        )
        .await
        .expect(200);
    assert_eq!(inv["status"], "partially_paid");
    assert_eq!(inv["paid"], "500.00");
    assert_eq!(inv["open"], "855.00");
    // 400 EUR at 1.0833 USD per EUR = 433.32 USD applied.
    let inv = app
        .post(
            &path(&inv, "/payments"),
            json!({"date": "2026-11-12", "account_id": b.bank_eur,
            "amount": "400", "currency": "EUR", "rate": "1.0833"}),
        )
        .await
        .expect(200);
    assert_eq!(inv["open"], "421.68");
    let eur = &inv["payments"][1];
    assert_eq!(eur["applied"], "433.32");
    assert_eq!(eur["amount"], "400.00");
    assert_eq!(eur["currency"], "EUR");
    let receipt = app
        .get(&format!(
            "/api/transactions/{}",
            eur["transaction_id"].as_str().unwrap()
        ))
        .await
        .expect(200);
    assert_eq!(receipt["origin"]["id"], id);
    let position = inv["position"].as_i64().unwrap();
    assert_eq!(balance(&app, &b.bank_eur, position).await, "400.00");
    let inv = app
        .post(
            &path(&inv, "/payments"),
            json!({"date": "2026-11-14", "account_id": b.bank,
            "amount": "421.68"}),
        )
        .await
        .expect(200);
    assert_eq!(inv["status"], "paid");
    assert_eq!(inv["open"], "0.00");
    assert_eq!(inv["overpaid"], "0.00");
    let position = inv["position"].as_i64().unwrap();
    assert_eq!(balance(&app, &b.ar, position).await, "0.00");
    assert_eq!(balance(&app, &b.bank, position).await, "921.68");
    // A paid invoice takes nothing more.
    app.post(
        &path(&inv, "/payments"),
        json!({"date": "2026-11-15", "account_id": b.bank,
        "amount": "1"}),
    )
    .await
    .expect(409);

    app.wait_all_sealed().await;
    let report = projections::rebuild::verify(&app.pool).await.unwrap();
    assert!(report.ok(), "{report:?}");
}

#[tokio::test]
async fn overpayments_posted_transactions_payables_and_cancellation() {
    let app = TestApp::spawn().await.admin().await;
    let b = books(&app).await;

    // Over-payment, when asked for: accepted; paid; the excess is the counterparty's credit.
    let inv = issued(&app, &b, &b.cp, "2026-11-01", "2026-11-30", "100").await;
    let inv = app
        .post(
            &path(&inv, "/payments"),
            json!({"date": "2026-11-05", "account_id": b.bank,
            "amount": "150", "allow_overpayment": true}),
        )
        .await
        .expect(200);
    assert_eq!(inv["status"], "paid");
    assert_eq!(inv["open"], "0.00");
    assert_eq!(inv["overpaid"], "50.00");
    assert_eq!(inv["credit"], "50.00");
    let position = inv["position"].as_i64().unwrap();
    assert_eq!(
        balance(&app, &b.ar, position).await,
        "-50.00",
        "a credit on the receivable"
    );

    // A payable invoice keeps the supplier's number beside ours and posts expense against AP.
    let supplier = id_of(
        &app,
        "/api/counterparties",
        json!({"name": "Hosting Co", "kind": "vendor"}),
    )
    .await;
    let ap = app.account("Accounts payable", "liability", "USD").await;
    let hosting = app.account("Hosting", "expense", "USD").await;
    let mut body = draft(
        "payable",
        &supplier,
        "2026-11-02",
        "2027-12-02",
        json!([{"description": "Servers", "quantity": "2", "unit_price": "100"}]),
    );
    body["external_number"] = json!("HC-77");
    let bill = app.post("/api/invoices", body).await.expect(201);
    let bill = app
        .post(
            &path(&bill, "/issue"),
            json!({"control_account_id": ap, "account_id": hosting}),
        )
        .await
        .expect(200);
    assert_eq!(bill["number"], "BILL-2026-00001");
    assert_eq!(bill["external_number"], "HC-77");
    assert_eq!(bill["direction"], "payable");
    let position = bill["position"].as_i64().unwrap();
    assert_eq!(balance(&app, &ap, position).await, "-200.00");
    // Paid by a transfer posted on its own, then applied to the bill.
    let t = app
        .post(
            "/api/transactions",
            json!({"date": "2026-11-20", "description": "Pay Hosting Co",
            "counterparty_id": supplier,
            "transfer": {"from_account_id": b.bank, "to_account_id": ap, "amount": "80"}}),
        )
        .await
        .expect(201);
    let tid = t["id"].as_str().unwrap();
    let bill = app
        .post(&path(&bill, "/payments"), json!({"transaction_id": tid}))
        .await
        .expect(200);
    assert_eq!(bill["status"], "partially_paid");
    assert_eq!(bill["open"], "120.00");
    assert_eq!(bill["payments"][0]["date"], "2026-11-20");
    let again = app
        .post(&path(&bill, "/payments"), json!({"transaction_id": tid}))
        .await
        .expect(409);
    assert!(
        again["detail"]
            .as_str()
            .unwrap()
            .contains("already applied"),
        "{again}"
    );
    // A transaction with someone else is not a payment of this bill.
    let other = app
        .post(
            "/api/transactions",
            json!({"date": "2026-11-20", "description": "Other",
            "counterparty_id": b.cp,
            "transfer": {"from_account_id": b.bank, "to_account_id": ap, "amount": "5"}}),
        )
        .await
        .expect(201);
    let p = app
        .post(
            &path(&bill, "/payments"),
            json!({"transaction_id": other["id"]}),
        )
        .await
        .expect(422);
    assert_eq!(p["field"], "transaction_id");

    // Cancellation after a partial payment: the issue is reversed, the payment stays as credit.
    let inv = issued(&app, &b, &b.cp, "2026-11-03", "2026-12-03", "300").await;
    let inv = app
        .post(
            &path(&inv, "/payments"),
            json!({"date": "2026-11-06", "account_id": b.bank,
            "amount": "100"}),
        )
        .await
        .expect(200);
    let before = balance(&app, &b.ar, inv["position"].as_i64().unwrap()).await;
    assert_eq!(before, "150.00", "-50 credit + 300 issued - 100 paid");
    let inv = app
        .post(&path(&inv, "/cancel"), json!({"date": "2026-11-07"}))
        .await
        .expect(200);
    assert_eq!(inv["status"], "cancelled");
    assert_eq!(inv["open"], "0.00");
    assert_eq!(inv["credit"], "100.00");
    assert_eq!(inv["reversal_ids"].as_array().unwrap().len(), 1);
    let position = inv["position"].as_i64().unwrap();
    assert_eq!(
        balance(&app, &b.ar, position).await,
        "-150.00",
        "both credits remain"
    );
    let reversal = app
        .get(&format!(
            "/api/transactions/{}",
            inv["reversal_ids"][0].as_str().unwrap()
        ))
        .await
        .expect(200);
    assert_eq!(reversal["kind"], "reversal");
    // Ageing before the payment, between payment and cancellation, and from the cancellation
    // on: nothing else of this counterparty's changes on 11-05..11-07.
    let mut open_total = Vec::new();
    for day in ["2026-11-05", "2026-11-06", "2026-11-07"] {
        let aging = app
            .get(&format!(
                "/api/reports/aging?as_of={day}&min_position={position}"
            ))
            .await
            .expect(200);
        let row = aging["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["counterparty_id"] == b.cp.as_str())
            .map(|r| r["total"].as_str().unwrap().parse::<Decimal>().unwrap())
            .unwrap_or_default();
        open_total.push(row);
    }
    assert_eq!(
        [open_total[0] - open_total[2], open_total[1] - open_total[2]],
        [Decimal::new(300, 0), Decimal::new(200, 0)],
        "{open_total:?}"
    );
    app.post(
        &path(&inv, "/payments"),
        json!({"date": "2026-11-08", "account_id": b.bank,
        "amount": "1"}),
    )
    .await
    .expect(409);
    app.post(&path(&inv, "/cancel"), json!({}))
        .await
        .expect(409);
    // A paid invoice is not cancelled (its payments settled it).
    let paid = app.get(&path(&bill, "")).await.expect(200);
    assert_eq!(paid["status"], "partially_paid");

    app.wait_all_sealed().await;
    let report = projections::rebuild::verify(&app.pool).await.unwrap();
    assert!(report.ok(), "{report:?}");
}

#[tokio::test]
async fn overdue_ageing_concurrent_numbers_lists_and_roles() {
    let mut app = TestApp::spawn().await.admin().await;
    let b = books(&app).await;
    let other = id_of(
        &app,
        "/api/counterparties",
        json!({"name": "Beta LLC", "kind": "customer"}),
    )
    .await;

    // Ageing at 2026-11-20: A current, B 19 days, C 51 days (paid in part after the date),
    // D 97 days, E (another customer) 80 days.
    let a = issued(&app, &b, &b.cp, "2026-11-10", "2026-12-10", "100").await;
    let bb = issued(&app, &b, &b.cp, "2026-10-01", "2026-11-01", "200").await;
    let c = issued(&app, &b, &b.cp, "2026-09-01", "2026-09-30", "300").await;
    let d = issued(&app, &b, &b.cp, "2026-08-01", "2026-08-15", "400").await;
    let e = issued(&app, &b, &other, "2026-08-01", "2026-09-01", "500").await;
    let c = app
        .post(
            &path(&c, "/payments"),
            json!({"date": "2026-11-22", "account_id": b.bank,
            "amount": "50"}),
        )
        .await
        .expect(200);
    let numbers: Vec<&str> = [&a, &bb, &c, &d, &e]
        .iter()
        .map(|i| i["number"].as_str().unwrap())
        .collect();
    assert_eq!(
        numbers,
        [
            "INV-2026-00001",
            "INV-2026-00002",
            "INV-2026-00003",
            "INV-2026-00004",
            "INV-2026-00005"
        ]
    );

    // Overdue on read (today is after every due date but A's).
    assert_eq!(app.get(&path(&a, "")).await.expect(200)["status"], "issued");
    assert_eq!(
        app.get(&path(&bb, "")).await.expect(200)["status"],
        "overdue"
    );
    assert_eq!(c["status"], "overdue");
    let overdue = app.get("/api/invoices?status=overdue").await.expect(200);
    assert_eq!(overdue["total"], 4);
    assert_eq!(
        app.get("/api/invoices?status=issued").await.expect(200)["total"],
        1
    );

    let position = c["position"].as_i64().unwrap();
    let aging = app
        .get(&format!(
            "/api/reports/aging?as_of=2026-11-20&direction=receivable&min_position={position}"
        ))
        .await
        .expect(200);
    let row = |cp: &str| {
        aging["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["counterparty_id"] == cp)
            .unwrap()
            .clone()
    };
    let acme = row(&b.cp);
    assert_eq!(acme["counterparty_name"], "Acme GmbH");
    assert_eq!(acme["invoices"], 4);
    assert_eq!(acme["current"], "100.00");
    assert_eq!(acme["days_1_30"], "200.00");
    assert_eq!(
        acme["days_31_60"], "300.00",
        "the payment of 11-22 is after the date"
    );
    assert_eq!(acme["days_61_90"], "0.00");
    assert_eq!(acme["over_90"], "400.00");
    assert_eq!(acme["total"], "1000.00");
    assert_eq!(row(&other)["days_61_90"], "500.00");
    assert_eq!(aging["totals"][0]["currency"], "USD");
    assert_eq!(aging["totals"][0]["total"], "1500.00");
    let later = app
        .get("/api/reports/aging?as_of=2026-11-25&direction=receivable")
        .await
        .expect(200);
    assert_eq!(
        later["totals"][0]["total"], "1450.00",
        "the payment counts from its date"
    );
    let before_any = app
        .get("/api/reports/aging?as_of=2026-07-01")
        .await
        .expect(200);
    assert_eq!(
        before_any["rows"].as_array().unwrap().len(),
        0,
        "nothing issued yet"
    );
    let payable = app
        .get("/api/reports/aging?as_of=2026-11-20&direction=payable")
        .await
        .expect(200);
    assert_eq!(payable["total_rows"], 0);
    // In a report currency, at the books' rate of the date (1 EUR = 1.25 USD → 0.8).
    app.post(
        "/api/rates",
        json!({"date": "2026-11-19", "base": "EUR", "quote": "USD", "rate": "1.25"}),
    )
    .await
    .expect(201);
    app.wait_all_sealed().await;
    let eur = app
        .get("/api/reports/aging?as_of=2026-11-20&currency=EUR")
        .await
        .expect(200);
    assert_eq!(eur["converted_total"]["total"], "1200.00");
    assert_eq!(eur["converted_total"]["over_90"], "320.00");
    let missing = app
        .get("/api/reports/aging?as_of=2026-11-20&currency=JPY")
        .await
        .expect(400);
    assert_eq!(missing["code"], "missing_rate");
    app.get("/api/reports/aging?direction=sideways")
        .await
        .expect(400);

    // The daily job records each overdue invoice once.
    let today = chrono::Utc::now().date_naive();
    let marked = app::ledger::invoices::mark_overdue(&app.pool, today)
        .await
        .unwrap();
    assert_eq!(marked, 4);
    app.wait_all_sealed().await;
    assert_eq!(
        app::ledger::invoices::mark_overdue(&app.pool, today)
            .await
            .unwrap(),
        0
    );
    let logged: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM events WHERE aggregate_type = 'invoice' AND event_type = 'BecameOverdue'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(logged, 4);
    assert_eq!(
        app.get(&path(&d, "")).await.expect(200)["overdue_since"],
        today.to_string()
    );

    // Two issues at once get the next two numbers, never the same one.
    let mut drafts = Vec::new();
    for _ in 0..2 {
        drafts.push(
            app.post(
                "/api/invoices",
                draft(
                    "receivable",
                    &b.cp,
                    "2026-11-20",
                    "2026-12-20",
                    json!([{"description": "Work", "quantity": "1", "unit_price": "10"}]),
                ),
            )
            .await
            .expect(201),
        );
    }
    let (p0, p1) = (path(&drafts[0], "/issue"), path(&drafts[1], "/issue"));
    let accounts = json!({"control_account_id": b.ar, "account_id": b.income});
    let (x, y) = tokio::join!(
        app.post(&p0, accounts.clone()),
        app.post(&p1, accounts.clone())
    );
    let (x, y) = (x.expect(200), y.expect(200));
    let mut got = [x["number"].as_str().unwrap(), y["number"].as_str().unwrap()];
    got.sort();
    assert_eq!(got, ["INV-2026-00006", "INV-2026-00007"]);

    // Lists: filters, text, sort, paging, and refusals.
    let list = app
        .get("/api/invoices?direction=receivable&sort=-total&limit=2")
        .await
        .expect(200);
    assert_eq!(list["total"], 7);
    assert_eq!(list["items"][0]["total"], "500.00");
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    let found = app
        .get("/api/invoices?number=INV-2026-0000")
        .await
        .expect(200);
    assert_eq!(found["total"], 7);
    let by_cp = app
        .get(&format!("/api/invoices?counterparty_id={other}"))
        .await
        .expect(200);
    assert_eq!(by_cp["total"], 1);
    let by_text = app
        .get("/api/invoices?q=wor&due_from=2026-12-01")
        .await
        .expect(200);
    assert_eq!(by_text["total"], 3);
    app.get("/api/invoices?status=late").await.expect(422);
    app.get("/api/invoices?sort=color").await.expect(422);
    app.get("/api/invoices?limit=0").await.expect(422);
    app.get("/api/invoices/00000000-0000-0000-0000-000000000001")
        .await
        .expect(404);

    // A viewer reads but does not write.
    app.sign_in_with_role("viewer@example.com", "viewer").await;
    app.get("/api/invoices").await.expect(200);
    app.get("/api/reports/aging?as_of=2026-11-20")
        .await
        .expect(200);
    app.post(
        "/api/invoices",
        draft(
            "receivable",
            &b.cp,
            "2026-11-20",
            "2026-12-20",
            json!([{"description": "Work", "quantity": "1", "unit_price": "10"}]),
        ),
    )
    .await
    .expect(403);
    app.post(&path(&a, "/cancel"), json!({})).await.expect(403);

    app.wait_all_sealed().await;
    let report = projections::rebuild::verify(&app.pool).await.unwrap();
    assert!(report.ok(), "{report:?}");
}

/// One posted transaction applied to two invoices at the same moment: exactly one takes it
/// (the rule is enforced by the transaction's application stream, not by the read table the
/// projector may not have filled yet).
#[tokio::test]
async fn one_transaction_applied_to_two_invoices_at_once_settles_one() {
    let app = TestApp::spawn().await.admin().await;
    let b = books(&app).await;
    for round in 0..4 {
        let first = issued(&app, &b, &b.cp, "2026-11-02", "2027-12-02", "100").await;
        let second = issued(&app, &b, &b.cp, "2026-11-02", "2027-12-02", "100").await;
        let t = app
            .post(
                "/api/transactions",
                json!({"date": "2026-11-20", "description": format!("Receipt {round}"),
                "counterparty_id": b.cp,
                "transfer": {"from_account_id": b.ar, "to_account_id": b.bank, "amount": "40"}}),
            )
            .await
            .expect(201);
        let tid = t["id"].as_str().unwrap();
        let (to_first, to_second) = (path(&first, "/payments"), path(&second, "/payments"));
        let (a, c) = tokio::join!(
            app.post(&to_first, json!({"transaction_id": tid})),
            app.post(&to_second, json!({"transaction_id": tid})),
        );
        let mut statuses = [a.status.as_u16(), c.status.as_u16()];
        statuses.sort();
        assert_eq!(
            statuses,
            [200, 409],
            "round {round}: {} / {}",
            a.body,
            c.body
        );
        let lost = if a.status == 200 { c } else { a };
        let code = lost.body["code"].as_str().unwrap_or_default().to_string();
        assert!(
            code == "already_applied" || code == "concurrent_update",
            "{}",
            lost.body
        );
    }
}
