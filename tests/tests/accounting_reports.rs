//! The accounting reports over HTTP: a small ledger with figures worked out by hand, the
//! drill-down adding up to every figure, and a generated multi-currency ledger checked against
//! an independent computation (the Beancount export through bean-query).

use std::collections::BTreeMap;
use std::process::Command;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use e2e::TestApp;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Value, json};

fn dec(v: &Value) -> Decimal {
    Decimal::from_str(
        v.as_str()
            .unwrap_or_else(|| panic!("not a decimal string: {v}")),
    )
    .unwrap()
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn round2(x: Decimal) -> Decimal {
    x.round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven)
}

async fn category(app: &TestApp, name: &str, kind: &str) -> String {
    let c = app
        .post("/api/categories", json!({"name": name, "kind": kind}))
        .await
        .expect(201);
    c["id"].as_str().unwrap().to_string()
}

async fn rate(app: &TestApp, date: &str, base: &str, value: &str) {
    app.post(
        "/api/rates",
        json!({"date": date, "base": base, "quote": "USD", "rate": value}),
    )
    .await
    .expect(201);
}

async fn post(app: &TestApp, body: Value) -> i64 {
    let r = app.post("/api/transactions", body).await.expect(201);
    r["position"].as_i64().unwrap()
}

/// The sum of the postings a drill-down query string lists, checked page by page too.
async fn drill_sum(app: &TestApp, query: &str) -> Decimal {
    let all = app
        .get(&format!("/api/reports/postings?{query}&limit=1000"))
        .await
        .expect(200);
    let listed: Decimal = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| dec(&p["value"]))
        .sum();
    assert_eq!(round2(listed), dec(&all["sum"]), "{query}: {all}");
    assert_eq!(
        all["total"].as_u64().unwrap() as usize,
        all["items"].as_array().unwrap().len()
    );
    dec(&all["sum"])
}

#[tokio::test]
async fn a_small_ledger_gives_the_figures_worked_out_by_hand() {
    let mut app = TestApp::spawn().await.admin().await;
    let bank = app.account("Bank", "asset", "USD").await;
    let wallet = app.account("Euro account", "asset", "EUR").await;
    let sales = app.account("Sales", "income", "USD").await;
    let sales_eur = app.account("Sales EU", "income", "EUR").await;
    let ads = app.account("Ads", "expense", "USD").await;
    let loan = app.account("Loan", "liability", "USD").await;
    let capital = app.account("Capital", "equity", "USD").await;
    let c_sales = category(&app, "Sales", "income").await;
    let c_ads = category(&app, "Advertising", "expense").await;
    rate(&app, "2026-09-01", "EUR", "1.10").await;
    rate(&app, "2026-09-15", "EUR", "1.20").await;
    rate(&app, "2026-09-30", "EUR", "1.25").await;
    rate(&app, "2026-10-31", "EUR", "1.25").await;

    post(
        &app,
        json!({"date": "2026-09-01", "description": "Capital", "entries": [
        {"account_id": bank, "amount": "1000"}, {"account_id": capital, "amount": "-1000"}]}),
    )
    .await;
    post(
        &app,
        json!({"date": "2026-09-02", "description": "Sale", "category_id": c_sales, "entries": [
        {"account_id": bank, "amount": "500"}, {"account_id": sales, "amount": "-500"}]}),
    )
    .await;
    post(
        &app,
        json!({"date": "2026-09-05", "description": "Moloco", "category_id": c_ads, "entries": [
        {"account_id": ads, "amount": "200"}, {"account_id": bank, "amount": "-200"}]}),
    )
    .await;
    // 10 September has no rate: the 1st's (1.10) stands in, and the report says so.
    post(
        &app,
        json!({"date": "2026-09-10", "description": "EU sale", "category_id": c_sales, "entries": [
        {"account_id": wallet, "amount": "100"}, {"account_id": sales_eur, "amount": "-100"}]}),
    )
    .await;
    post(
        &app,
        json!({"date": "2026-09-16", "description": "Loan", "entries": [
        {"account_id": bank, "amount": "300"}, {"account_id": loan, "amount": "-300"}]}),
    )
    .await;
    let last = post(
        &app,
        json!({"date": "2026-10-03", "description": "Moloco", "category_id": c_ads, "entries": [
        {"account_id": ads, "amount": "50"}, {"account_id": bank, "amount": "-50"}]}),
    )
    .await;

    // P&L for September: income 500 + 100 EUR × 1.10, expenses 200.
    let pnl = app
        .get(&format!(
            "/api/reports/pnl?from=2026-09-01&to=2026-09-30&min_position={last}"
        ))
        .await
        .expect(200);
    assert_eq!(pnl["totals"]["income"], "610.00");
    assert_eq!(pnl["totals"]["expenses"], "200.00");
    assert_eq!(pnl["totals"]["profit"], "410.00");
    let r = &pnl["rates"][0];
    assert_eq!(r["pair"], "EUR/USD");
    assert_eq!(r["day"], "2026-09-10");
    assert_eq!(r["rate_date"], "2026-09-01");
    assert_eq!(r["earlier"], true);

    // By month × category over two months, with every cell traceable to its postings.
    let grid = app
        .get("/api/reports/pnl?from=2026-09-01&to=2026-10-31&group_by=month,category")
        .await
        .expect(200);
    let rows = grid["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3, "{grid}");
    let cell = |month: &str, cat: &str| {
        rows.iter()
            .find(|r| r["keys"][0]["value"] == month && r["keys"][1]["value"] == cat)
            .unwrap_or_else(|| panic!("no cell {month} {cat}: {grid}"))
    };
    let sep_sales = cell("2026-09-01", &c_sales);
    assert_eq!(sep_sales["income"], "610.00");
    assert_eq!(sep_sales["keys"][1]["name"], "Sales");
    assert_eq!(cell("2026-09-01", &c_ads)["expenses"], "200.00");
    assert_eq!(cell("2026-10-01", &c_ads)["expenses"], "50.00");
    for row in rows {
        let q = row["drill"].as_str().unwrap();
        let income = drill_sum(&app, &format!("{q}&account_type=income")).await;
        let expenses = drill_sum(&app, &format!("{q}&account_type=expense")).await;
        assert_eq!(-income, dec(&row["income"]), "{row}");
        assert_eq!(expenses, dec(&row["expenses"]), "{row}");
    }

    // October beside September.
    let oct = app
        .get("/api/reports/pnl?from=2026-10-01&to=2026-10-31&compare=previous_year")
        .await
        .expect(200);
    assert_eq!(oct["previous_totals"]["profit"], "0.00");
    let oct = app
        .get(
            "/api/reports/pnl?from=2026-10-01&to=2026-10-30&compare=previous_period&group_by=month",
        )
        .await
        .expect(200);
    assert_eq!(oct["comparison"]["from"], "2026-09-01");
    assert_eq!(oct["comparison"]["to"], "2026-09-30");
    assert_eq!(oct["totals"]["profit"], "-50.00");
    assert_eq!(oct["previous_totals"]["profit"], "410.00");
    assert_eq!(oct["change_totals"]["profit"], "-460.00");
    assert_eq!(oct["rows"][0]["previous"]["income"], "610.00", "{oct}");

    // Balance sheet at the end of September, in USD.
    let bs = app
        .get("/api/reports/balance-sheet?as_of=2026-09-30")
        .await
        .expect(200);
    assert_eq!(bs["assets"]["total"], "1725.00", "{bs}");
    let line = |section: &str, name: &str| {
        bs[section]["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["name"] == name)
            .unwrap_or_else(|| panic!("no {name} in {bs}"))
            .clone()
    };
    assert_eq!(line("assets", "Bank")["value"], "1600.00");
    // 100 EUR at 30 September's 1.25, booked at 1.10: 15 unrealised gain.
    assert_eq!(line("assets", "Euro account")["value"], "125.00");
    assert_eq!(line("assets", "Euro account")["balance"], "100.00");
    assert_eq!(bs["liabilities"]["total"], "300.00");
    assert_eq!(line("equity", "Capital")["value"], "1000.00");
    assert_eq!(line("equity", "Earnings to date")["value"], "410.00");
    assert_eq!(
        line("equity", "Unrealised exchange differences")["value"],
        "15.00"
    );
    assert_eq!(line("equity", "Conversion differences")["value"], "0.00");
    assert_eq!(bs["equity"]["total"], "1425.00");
    assert_eq!(bs["balanced"], true);
    assert_eq!(bs["difference"], "0");
    let bank_drill = line("assets", "Bank")["drill"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(drill_sum(&app, &bank_drill).await, d("1600.00"));

    // Cash flow for September: both asset accounts are bank accounts.
    let cf = app
        .get("/api/reports/cash-flow?from=2026-09-01&to=2026-09-30")
        .await
        .expect(200);
    assert_eq!(cf["opening"], "0.00");
    assert_eq!(cf["inflows"], "1910.00", "{cf}");
    assert_eq!(cf["outflows"], "200.00");
    assert_eq!(cf["net"], "1710.00");
    assert_eq!(cf["exchange_effect"], "15.00");
    assert_eq!(cf["closing"], "1725.00");
    for l in cf["lines"].as_array().unwrap() {
        let q = l["drill"].as_str().unwrap();
        assert_eq!(
            drill_sum(&app, &format!("{q}&direction=in")).await,
            dec(&l["inflow"])
        );
        assert_eq!(
            drill_sum(&app, &format!("{q}&direction=out")).await,
            -dec(&l["outflow"])
        );
    }
    // A transfer between the two cash accounts is a transfer, not income.
    let pos = post(
        &app,
        json!({"date": "2026-10-05", "description": "To EUR", "entries": [
        {"account_id": wallet, "amount": "40", "price": {"currency": "USD", "total": "50"}},
        {"account_id": bank, "amount": "-50"}]}),
    )
    .await;
    let cf = app
        .get(&format!(
            "/api/reports/cash-flow?from=2026-10-01&to=2026-10-31&group_by=month&min_position={pos}"
        ))
        .await
        .expect(200);
    let transfer: Vec<&Value> = cf["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["transfer"] == true)
        .collect();
    assert_eq!(transfer.len(), 1, "{cf}");
    assert_eq!(transfer[0]["outflow"], "50.00");
    assert_eq!(transfer[0]["inflow"], "50.00", "40 EUR at 1.25");
    assert_eq!(cf["opening"], "1725.00");
    assert_eq!(cf["closing"], "1675.00");
    let bs = app
        .get("/api/reports/balance-sheet?as_of=2026-10-31")
        .await
        .expect(200);
    assert_eq!(bs["balanced"], true, "{bs}");

    // Bad input: clear 4xx, nothing else.
    let bad = app
        .get("/api/reports/pnl?from=2026-09-01&to=2026-09-30&group_by=month,category,project")
        .await
        .expect(422);
    assert_eq!(bad["field"], "group_by");
    app.get("/api/reports/pnl?from=2026-09-01&to=2026-09-30&group_by=os")
        .await
        .expect(422);
    app.get("/api/reports/pnl?from=2026-09-01&to=2026-09-30&compare=last_week")
        .await
        .expect(422);
    app.get("/api/reports/pnl?from=2026-09-30&to=2026-09-01")
        .await
        .expect(422);
    app.get("/api/reports/pnl?from=2020-01-01&to=2026-09-01")
        .await
        .expect(422);
    app.get("/api/reports/pnl?from=2026-09-01&to=2026-09-30&currency=XXX")
        .await
        .expect(422);
    app.get("/api/reports/postings?to=2026-09-30&category_id=nope")
        .await
        .expect(422);
    app.get("/api/reports/postings?to=2026-09-30&limit=5000")
        .await
        .expect(422);
    let missing = app
        .get("/api/reports/balance-sheet?as_of=2026-09-30&currency=GBP")
        .await
        .expect(400);
    assert_eq!(missing["code"], "missing_rate");

    // The OpenAPI document covers the routes (the web client is generated from it).
    let doc = app.get("/api/openapi.json").await.expect(200);
    for path in ["pnl", "balance-sheet", "cash-flow", "postings"] {
        assert!(
            doc["paths"][format!("/api/reports/{path}")]["get"].is_object(),
            "{path}"
        );
    }

    // Every signed-in role reads reports.
    app.sign_in_with_role("viewer@example.com", "viewer").await;
    app.get("/api/reports/pnl?from=2026-09-01&to=2026-09-30")
        .await
        .expect(200);
    app.get("/api/reports/balance-sheet?as_of=2026-09-30")
        .await
        .expect(200);
    app.token = None;
    app.get("/api/reports/pnl?from=2026-09-01&to=2026-09-30")
        .await
        .expect(401);

    app.wait_all_sealed().await;
    let report = projections::rebuild::verify(&app.pool).await.unwrap();
    assert!(report.ok(), "{report:?}");
}

/// bean-query from $BEAN_QUERY, PATH, or the venv scripts/test creates; None (skip) outside CI.
fn bean_query() -> Option<String> {
    if let Ok(p) = std::env::var("BEAN_QUERY") {
        return Some(p);
    }
    if Command::new("bean-query").arg("--help").output().is_ok() {
        return Some("bean-query".into());
    }
    let venv = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../target/bean-venv/bin/bean-query"
    );
    if std::path::Path::new(venv).exists() {
        return Some(venv.into());
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "bean-query not found: run ./scripts/test (it installs beanquery)"
    );
    eprintln!("skipping: bean-query not found (./scripts/test installs it)");
    None
}

/// Rows of a bean-query run over `file`, as CSV fields.
fn query(tool: &str, file: &std::path::Path, q: &str) -> Vec<Vec<String>> {
    let out = Command::new(tool)
        .args(["-f", "csv"])
        .arg(file)
        .arg(q)
        .output()
        .expect("run bean-query");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(|f| f.trim().to_string()).collect())
        .collect()
}

/// A small deterministic generator (no dependency needed for a test ledger).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[tokio::test]
async fn a_generated_ledger_agrees_with_bean_query() {
    let Some(tool) = bean_query() else { return };
    let app = TestApp::spawn().await.admin().await;
    let usd = app.account("Bank USD", "asset", "USD").await;
    let eur = app.account("Bank EUR", "asset", "EUR").await;
    let usdt = app.account("Wallet USDT", "asset", "USDT").await;
    let inc_usd = app.account("Revenue", "income", "USD").await;
    let inc_usdt = app.account("Crypto revenue", "income", "USDT").await;
    let exp_usd = app.account("Spend", "expense", "USD").await;
    let exp_eur = app.account("EU spend", "expense", "EUR").await;
    let loan = app.account("Loan", "liability", "USD").await;
    let cats = [
        category(&app, "Affiliate", "income").await,
        category(&app, "Traffic", "expense").await,
        category(&app, "Office", "expense").await,
    ];
    let mut g = Lcg(42);

    // Rates on weekdays only, so weekends convert at Friday's rate.
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let days = 120u64;
    let mut rates: BTreeMap<(String, NaiveDate), Decimal> = BTreeMap::new();
    let mut batch = Vec::new();
    for i in 0..days {
        let day = start + chrono::Days::new(i);
        if day.weekday().number_from_monday() > 5 {
            continue;
        }
        for (base, lo) in [("EUR", 10_500_u64), ("USDT", 9_990)] {
            let value = if base == "EUR" {
                Decimal::new((lo + g.next(1000)) as i64, 4) // 1.0500–1.0599
            } else {
                Decimal::new((lo + g.next(20)) as i64, 4) // 0.9990–1.0009
            };
            rates.insert((base.into(), day), value);
            batch.push(json!({"date": day.to_string(), "base": base, "quote": "USD", "rate": value.to_string()}));
        }
    }
    app.post("/api/rates/batch", json!({"rates": batch}))
        .await
        .expect(200);

    let amount = |g: &mut Lcg, scale: u32| Decimal::new((100 + g.next(500_000)) as i64, scale);
    let mut txs = Vec::new();
    for i in 0..300 {
        let day = start + chrono::Days::new(g.next(days));
        let cat = &cats[g.next(3) as usize];
        let a = amount(&mut g, 2);
        let entries = match g.next(6) {
            0 => {
                json!([{"account_id": usd, "amount": a.to_string()}, {"account_id": inc_usd, "amount": (-a).to_string()}])
            }
            1 => {
                let t = amount(&mut g, 6);
                json!([{"account_id": usdt, "amount": t.to_string()}, {"account_id": inc_usdt, "amount": (-t).to_string()}])
            }
            2 => {
                json!([{"account_id": exp_usd, "amount": a.to_string()}, {"account_id": usd, "amount": (-a).to_string()}])
            }
            3 => {
                json!([{"account_id": exp_eur, "amount": a.to_string()}, {"account_id": eur, "amount": (-a).to_string()}])
            }
            // EU spend paid from the USD bank at the bank's own price.
            4 => {
                let paid = round2(a * d("1.07"));
                json!([{"account_id": exp_eur, "amount": a.to_string(), "price": {"currency": "USD", "total": paid.to_string()}},
                       {"account_id": usd, "amount": (-paid).to_string()}])
            }
            _ => {
                // USD into EUR (a transfer) or a loan drawn.
                if i % 2 == 0 {
                    let got = round2(a / d("1.06"));
                    json!([{"account_id": eur, "amount": got.to_string(), "price": {"currency": "USD", "total": a.to_string()}},
                           {"account_id": usd, "amount": (-a).to_string()}])
                } else {
                    json!([{"account_id": usd, "amount": a.to_string()}, {"account_id": loan, "amount": (-a).to_string()}])
                }
            }
        };
        txs.push(json!({"date": day.to_string(), "description": format!("t{i}"), "category_id": cat, "entries": entries}));
    }
    let r = app
        .post("/api/transactions/batch", json!({"transactions": txs}))
        .await
        .expect(201);
    let pos = r["position"].as_i64().unwrap_or(0);
    app.wait_all_sealed().await;

    let res = app
        .client
        .get(format!(
            "{}/api/export/beancount?min_position={pos}",
            app.base
        ))
        .bearer_auth(app.token.as_ref().unwrap())
        .send()
        .await
        .unwrap();
    let text = res.text().await.unwrap();
    let file = std::env::temp_dir().join(format!(
        "ledger-{}.beancount",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::write(&file, &text).unwrap();
    // Beancount names accounts `Root:Name-<last 8 hex digits of the id>`.
    let id_of = |name: &str| -> String {
        let suffix = name.rsplit('-').next().unwrap();
        [
            &usd, &eur, &usdt, &inc_usd, &inc_usdt, &exp_usd, &exp_eur, &loan,
        ]
        .into_iter()
        .find(|id| id.replace('-', "").ends_with(suffix))
        .unwrap_or_else(|| panic!("unknown account {name}"))
        .to_string()
    };
    let rate_on = |currency: &str, day: NaiveDate| -> Decimal {
        if currency == "USD" {
            return Decimal::ONE;
        }
        rates
            .range(..=(currency.to_string(), day))
            .next_back()
            .filter(|((c, dd), _)| c == currency && (day - *dd).num_days() <= 31)
            .map(|(_, r)| *r)
            .unwrap_or_else(|| panic!("no {currency} rate for {day}"))
    };

    // P&L by account over periods, against bean-query's postings converted at each day's rate:
    // a partial month then whole ones, and a whole month then a partial one (the report reads
    // whole months and partial ones from different rollups).
    for (from, to) in [("2026-01-10", "2026-03-31"), ("2026-02-01", "2026-03-17")] {
        let rows = query(
            &tool,
            &file,
            &format!(
                "SELECT account, currency, date, sum(number) AS n WHERE account ~ '^(Income|Expenses):' \
                 AND date >= {from} AND date <= {to} GROUP BY account, currency, date"
            ),
        );
        assert!(!rows.is_empty());
        let mut expected: BTreeMap<String, Decimal> = BTreeMap::new();
        for r in &rows {
            let day: NaiveDate = r[2].parse().unwrap();
            *expected.entry(id_of(&r[0])).or_default() += d(&r[3]) * rate_on(&r[1], day);
        }
        let pnl = app
            .get(&format!(
                "/api/reports/pnl?from={from}&to={to}&group_by=account"
            ))
            .await
            .expect(200);
        let (mut income, mut expenses) = (Decimal::ZERO, Decimal::ZERO);
        for row in pnl["rows"].as_array().unwrap() {
            let id = row["keys"][0]["value"].as_str().unwrap();
            let want = expected.remove(id).unwrap_or_default();
            if [&inc_usd, &inc_usdt].iter().any(|a| a.as_str() == id) {
                assert_eq!(dec(&row["income"]), round2(-want), "{row}");
                income -= want;
            } else {
                assert_eq!(dec(&row["expenses"]), round2(want), "{row}");
                expenses += want;
            }
        }
        assert!(
            expected.values().all(|v| v.is_zero()),
            "accounts missing from the P&L: {expected:?}"
        );
        assert_eq!(dec(&pnl["totals"]["income"]), round2(income));
        assert_eq!(dec(&pnl["totals"]["expenses"]), round2(expenses));
        assert!(
            pnl["rates"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["earlier"] == true),
            "weekends use Friday's rate"
        );
    }

    // Balance sheet: every balance as bean-query sums it, valued at the as_of rate.
    let as_of = NaiveDate::from_ymd_opt(2026, 4, 30).unwrap();
    let rows = query(
        &tool,
        &file,
        &format!(
            "SELECT account, currency, sum(number) AS n WHERE date <= {as_of} GROUP BY account, currency"
        ),
    );
    let bs = app
        .get(&format!("/api/reports/balance-sheet?as_of={as_of}"))
        .await
        .expect(200);
    assert_eq!(bs["balanced"], true, "{bs}");
    let mut checked = 0;
    for r in &rows {
        let id = id_of(&r[0]);
        let native = d(&r[2]);
        let section = if r[0].starts_with("Assets:") {
            "assets"
        } else if r[0].starts_with("Liabilities:") {
            "liabilities"
        } else {
            continue;
        };
        let line = bs[section]["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["account_id"] == id.as_str())
            .unwrap_or_else(|| panic!("no line for {id} in {bs}"));
        let sign = if section == "assets" {
            Decimal::ONE
        } else {
            -Decimal::ONE
        };
        assert_eq!(dec(&line["balance"]), sign * native, "{line}");
        assert_eq!(
            dec(&line["value"]),
            round2(sign * native * rate_on(&r[1], as_of)),
            "{line}"
        );
        checked += 1;
    }
    assert!(checked >= 4, "{rows:?}");
    // Earnings to date: every income and expense posting at its day's rate.
    let rows = query(
        &tool,
        &file,
        &format!(
            "SELECT currency, date, sum(number) AS n WHERE account ~ '^(Income|Expenses):' \
             AND date <= {as_of} GROUP BY currency, date"
        ),
    );
    let earnings: Decimal = rows
        .iter()
        .map(|r| -d(&r[2]) * rate_on(&r[0], r[1].parse().unwrap()))
        .sum();
    let line = bs["equity"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "Earnings to date")
        .unwrap();
    assert_eq!(dec(&line["value"]), round2(earnings));
    let _ = std::fs::remove_file(&file);

    let report = projections::rebuild::verify(&app.pool).await.unwrap();
    assert!(report.ok(), "{report:?}");
}
