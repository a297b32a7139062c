//! Traffic report imports end to end over real HTTP: upload, wait, and check the metrics
//! against sums computed here from the same rows; unknown campaigns mapped later; the same
//! file twice; a restated period; a bad file that changes nothing; replay equality.

use std::collections::BTreeMap;

use e2e::TestApp;
use rust_decimal::Decimal;
use serde_json::{Value, json};

/// One Moloco row as the test wrote it.
#[derive(Clone)]
struct Row {
    date: String,
    campaign: &'static str,
    country: &'static str,
    impressions: i64,
    clicks: i64,
    installs: i64,
    spend: Decimal,
}

/// Deterministic rows: 10 days × 3 campaigns × 2 countries, values from a small LCG.
fn rows(days: std::ops::RangeInclusive<u32>, salt: u64) -> Vec<Row> {
    let mut seed = 0x2545_f491_4f6c_dd1d_u64 ^ salt;
    let mut next = |m: u64| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (seed >> 33) % m
    };
    let mut out = Vec::new();
    for day in days {
        for campaign in ["cmp-1", "cmp-2", "cmp-3"] {
            for country in ["US", "DEU"] {
                let impressions = 1_000 + next(50_000) as i64;
                let clicks = next(impressions as u64 / 10) as i64;
                out.push(Row {
                    date: format!("2026-10-{day:02}"),
                    campaign,
                    country,
                    impressions,
                    clicks,
                    installs: next(clicks as u64 + 1) as i64,
                    spend: Decimal::new(next(5_000_000) as i64, 4),
                });
            }
        }
    }
    out
}

fn moloco_csv(rows: &[Row]) -> Vec<u8> {
    let mut s = String::from(
        "Date,App_ID,Campaign_ID,Campaign_Title,Campaign_Country,Spend,Impressions,Clicks,Installs\n",
    );
    for r in rows {
        s.push_str(&format!(
            "{},com.example.game,{},\"Game, {}\",{},{},{},{},{}\n",
            r.date, r.campaign, r.campaign, r.country, r.spend, r.impressions, r.clicks, r.installs
        ));
    }
    s.into_bytes()
}

fn dec(v: &Value) -> Decimal {
    v.as_str()
        .unwrap_or_else(|| panic!("not a decimal string: {v}"))
        .parse()
        .unwrap()
}

/// Expected (spend, impressions, installs) per key, from the rows the test wrote.
fn sums<K: Ord>(rows: &[Row], key: impl Fn(&Row) -> K) -> BTreeMap<K, (Decimal, i64, i64)> {
    let mut out = BTreeMap::new();
    for r in rows {
        let e = out.entry(key(r)).or_insert((Decimal::ZERO, 0, 0));
        e.0 += r.spend;
        e.1 += r.impressions;
        e.2 += r.installs;
    }
    // The API shows money at the report currency's scale.
    for v in out.values_mut() {
        v.0 = v.0.round_dp(2);
    }
    out
}

async fn metrics(app: &TestApp, query: &str) -> Value {
    app.get(&format!("/api/traffic/metrics?{query}"))
        .await
        .expect(200)
}

/// Rows of a metrics answer by the value of `dim` in their group.
fn by_group(m: &Value, dim: &str) -> BTreeMap<String, (Decimal, i64, i64)> {
    let mut out = BTreeMap::new();
    for r in m["rows"].as_array().unwrap() {
        let k = r["group"][dim].as_str().unwrap_or("none").to_string();
        let e = out.entry(k).or_insert((Decimal::ZERO, 0, 0));
        e.0 += dec(&r["spend"]);
        e.1 += r["impressions"].as_i64().unwrap();
        e.2 += r["installs"].as_i64().unwrap();
    }
    out
}

#[tokio::test]
async fn moloco_import_metrics_mapping_duplicates_restatement_and_bad_files() {
    let app = TestApp::spawn().await.admin().await;
    let source = app
        .post(
            "/api/traffic/sources",
            json!({"name": "Moloco", "kind": "mobile_dsp", "currency": "USD"}),
        )
        .await
        .expect(201);
    let source_id = source["id"].as_str().unwrap().to_string();
    let mut ids = BTreeMap::new();
    for (name, key) in [("Game A", "cmp-1"), ("Game B", "cmp-2")] {
        let c = app
            .post(
                "/api/traffic/campaigns",
                json!({"name": name, "source_id": source_id, "status": "active", "source_keys": [key]}),
            )
            .await
            .expect(201);
        ids.insert(key, c["id"].as_str().unwrap().to_string());
    }

    // Upload; the import runs in the background and its progress can be followed.
    let first = rows(1..=10, 1);
    let up = app
        .upload(
            "moloco_oct.csv",
            moloco_csv(&first),
            &[("source_id", &source_id), ("format", "moloco")],
        )
        .await
        .expect(202);
    assert_eq!(up["state"], "queued");
    assert_eq!(up["rows_total"], 60, "estimated from the line count");
    let import_id = up["id"].as_str().unwrap().to_string();
    let done = app.wait_import(&import_id).await;
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(done["rows_ok"], 60);
    assert_eq!(done["detected_format"], "moloco");
    assert_eq!(done["date_from"], "2026-10-01");
    assert_eq!(done["progress"], 1.0);
    let position = done["position"].as_i64().unwrap();

    // Metrics by campaign for the month equal the sums of the file's rows.
    let q = format!(
        "from=2026-10-01&to=2026-10-31&granularity=month&group_by=campaign&min_position={position}"
    );
    let m = metrics(&app, &q).await;
    let got = by_group(&m, "campaign");
    let want = sums(&first, |r| r.campaign);
    assert_eq!(got[&ids["cmp-1"]], want["cmp-1"]);
    assert_eq!(got[&ids["cmp-2"]], want["cmp-2"]);
    assert_eq!(
        got["none"], want["cmp-3"],
        "rows of an unknown campaign key"
    );
    let total_spend: Decimal = first.iter().map(|r| r.spend).sum();
    let total_installs: i64 = first.iter().map(|r| r.installs).sum();
    assert_eq!(dec(&m["totals"]["spend"]), total_spend.round_dp(2));
    assert_eq!(
        dec(&m["totals"]["cpi"]),
        (total_spend / Decimal::from(total_installs)).round_dp(4)
    );
    assert!(
        m["totals"]["cr"].is_null(),
        "no tracker clicks: CR is undefined"
    );
    let named = m["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["group"]["campaign"] == ids["cmp-1"].as_str())
        .unwrap();
    assert_eq!(named["names"]["campaign"], "Game A");

    // Paged and sorted: the biggest spender first; the totals still cover every row.
    let page = metrics(
        &app,
        "from=2026-10-01&to=2026-10-31&granularity=month&group_by=campaign&sort=-spend&limit=1",
    )
    .await;
    assert_eq!(page["total_rows"], 3);
    assert_eq!(page["rows"].as_array().unwrap().len(), 1);
    let top = sums(&first, |r| r.campaign)
        .values()
        .map(|v| v.0)
        .max()
        .unwrap();
    assert_eq!(dec(&page["rows"][0]["spend"]), top);
    assert_eq!(dec(&page["totals"]["spend"]), total_spend.round_dp(2));
    let past = metrics(
        &app,
        "from=2026-10-01&to=2026-10-31&granularity=month&group_by=campaign&offset=10",
    )
    .await;
    assert_eq!(past["rows"].as_array().unwrap().len(), 0);
    assert_eq!(dec(&past["totals"]["spend"]), total_spend.round_dp(2));
    app.get("/api/traffic/metrics?from=2026-10-01&to=2026-10-31&sort=ctr")
        .await
        .expect(422);

    // By country (from the facts table): alpha-3 in the file, alpha-2 in the answer.
    let m = metrics(
        &app,
        "from=2026-10-01&to=2026-10-31&granularity=month&group_by=country",
    )
    .await;
    let got = by_group(&m, "country");
    let want = sums(&first, |r| r.country);
    assert_eq!(got["US"], want["US"]);
    assert_eq!(got["DE"], want["DEU"]);
    // Daily, filtered by campaign and country.
    let m = metrics(
        &app,
        &format!(
            "from=2026-10-03&to=2026-10-03&campaign_id={}&country=US",
            ids["cmp-1"]
        ),
    )
    .await;
    let want: Vec<&Row> = first
        .iter()
        .filter(|r| r.date == "2026-10-03" && r.campaign == "cmp-1" && r.country == "US")
        .collect();
    assert_eq!(dec(&m["totals"]["spend"]), want[0].spend.round_dp(2));

    // The unknown key is listed; mapping it to campaign B counts its rows there, no re-upload.
    let unmatched = app
        .get(&format!("/api/traffic/imports/{import_id}/unmatched"))
        .await
        .expect(200);
    assert_eq!(unmatched.as_array().unwrap().len(), 1);
    assert_eq!(unmatched[0]["campaign_key"], "cmp-3");
    assert_eq!(unmatched[0]["rows"], 20);
    let mapped = app
        .put(
            &format!("/api/traffic/campaigns/{}", ids["cmp-2"]),
            json!({"name": "Game B", "source_id": source_id, "status": "active",
                   "source_keys": ["cmp-2", "cmp-3"]}),
        )
        .await
        .expect(200);
    let m = metrics(
        &app,
        &format!(
            "from=2026-10-01&to=2026-10-31&granularity=month&group_by=campaign&min_position={}",
            mapped["position"]
        ),
    )
    .await;
    let got = by_group(&m, "campaign");
    let (b, c) = (want_of(&first, "cmp-2"), want_of(&first, "cmp-3"));
    assert_eq!(got[&ids["cmp-2"]].0, (b + c).round_dp(2));
    assert!(!got.contains_key("none"));
    assert!(
        app.get("/api/traffic/unmatched").await.expect(200)[0].is_null(),
        "nothing unmatched any more"
    );

    // The same file again is recognised and not counted twice.
    let again = app
        .upload(
            "copy.csv",
            moloco_csv(&first),
            &[("source_id", &source_id), ("format", "moloco")],
        )
        .await
        .expect(200);
    assert_eq!(again["id"], import_id.as_str());

    // A restatement of days 5 and 6 replaces the source's facts for those days, as a new event.
    let restated: Vec<Row> = rows(5..=6, 2)
        .into_iter()
        .filter(|r| r.campaign == "cmp-1")
        .collect();
    let up = app
        .upload(
            "moloco_restated.csv",
            moloco_csv(&restated),
            &[("source_id", &source_id)],
        )
        .await
        .expect(202);
    let done = app.wait_import(up["id"].as_str().unwrap()).await;
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(
        done["detected_format"], "moloco",
        "format detected from the header"
    );
    let m = metrics(
        &app,
        &format!(
            "from=2026-10-01&to=2026-10-31&min_position={}",
            done["position"]
        ),
    )
    .await;
    let kept: Decimal = first
        .iter()
        .filter(|r| !["2026-10-05", "2026-10-06"].contains(&r.date.as_str()))
        .map(|r| r.spend)
        .sum::<Decimal>()
        + restated.iter().map(|r| r.spend).sum::<Decimal>();
    assert_eq!(dec(&m["totals"]["spend"]), kept.round_dp(2));
    let spend_before_bad = dec(&m["totals"]["spend"]);

    // A tracker's results for campaign A (its tracker key), and a source's daily totals: the
    // source's spend (from the per-source rollup) and the revenue of its campaigns.
    app.put(
        &format!("/api/traffic/campaigns/{}", ids["cmp-1"]),
        json!({"name": "Game A", "source_id": source_id, "status": "active",
               "source_keys": ["cmp-1"], "tracker_keys": ["Game A tracker"]}),
    )
    .await
    .expect(200);
    let results = "campaign;day;clicks;conversions;revenue;cost\n\
                   Game A tracker;02.10.2026;1.204;12;136,50;100,00\n\
                   Someone else;02.10.2026;10;1;5,00;1,00\n";
    let up = app
        .upload(
            "keitaro.csv",
            results.as_bytes().to_vec(),
            &[("currency", "USD"), ("format", "keitaro")],
        )
        .await
        .expect(202);
    let tracker = app.wait_import(up["id"].as_str().unwrap()).await;
    assert_eq!(tracker["state"], "done", "{tracker}");
    assert_eq!(tracker["kind"], "results");
    let by_source = metrics(
        &app,
        &format!(
            "from=2026-10-01&to=2026-10-31&granularity=month&source_id={source_id}&min_position={}",
            tracker["position"]
        ),
    )
    .await;
    assert_eq!(dec(&by_source["totals"]["spend"]), kept.round_dp(2));
    assert_eq!(by_source["totals"]["revenue"], "136.50");
    assert_eq!(by_source["totals"]["tracker_clicks"], 1204);
    assert_eq!(by_source["totals"]["conversions"], 12);
    let daily = metrics(
        &app,
        &format!("from=2026-10-01&to=2026-10-31&group_by=source&source_id={source_id}"),
    )
    .await;
    assert_eq!(daily["total_rows"], 10, "one row per day with traffic");
    assert_eq!(daily["rows"][0]["group"]["source"], source_id.as_str());
    // By campaign, filtered to campaign A: its spend and its tracker revenue.
    let a = metrics(
        &app,
        &format!(
            "from=2026-10-01&to=2026-10-31&granularity=total&group_by=campaign&campaign_id={}",
            ids["cmp-1"]
        ),
    )
    .await;
    assert_eq!(a["total_rows"], 1);
    assert_eq!(a["rows"][0]["revenue"], "136.50");
    assert_eq!(a["rows"][0]["cr"], "1.00", "12 of 1,204 tracker clicks");

    // A bad row refuses the whole file, with line, column, value and reason; nothing changes.
    let mut bad = rows(20..=20, 3);
    bad.truncate(4);
    let mut csv = String::from_utf8(moloco_csv(&bad)).unwrap();
    csv = csv.replacen(&format!(",{},", bad[2].spend), ",-12.50,", 1);
    let up = app
        .upload("bad.csv", csv.into_bytes(), &[("source_id", &source_id)])
        .await
        .expect(202);
    let bad_id = up["id"].as_str().unwrap().to_string();
    let failed = app.wait_import(&bad_id).await;
    assert_eq!(failed["state"], "failed", "{failed}");
    assert_eq!(failed["rows_failed"], 1);
    assert!(failed["error"].as_str().unwrap().contains("1 of 4 rows"));
    let errors = app
        .get(&format!("/api/traffic/imports/{bad_id}/errors"))
        .await
        .expect(200);
    assert_eq!(errors["total"], 1);
    assert_eq!(errors["items"][0]["line"], 4);
    assert_eq!(errors["items"][0]["value"], "-12.50");
    assert!(
        errors["items"][0]["column"]
            .as_str()
            .unwrap()
            .eq_ignore_ascii_case("spend")
    );
    let m = metrics(&app, "from=2026-10-01&to=2026-10-31").await;
    assert_eq!(dec(&m["totals"]["spend"]), spend_before_bad);
    // Retried accepting the valid rows: three rows count, the bad one is still reported.
    let retried = app
        .post(
            &format!("/api/traffic/imports/{bad_id}/retry"),
            json!({"accept_valid": true}),
        )
        .await
        .expect(202);
    assert_eq!(retried["state"], "queued");
    let done = app.wait_import(&bad_id).await;
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(done["rows_ok"], 3);
    assert_eq!(done["rows_failed"], 1);
    // A file too varied to sum while parsing gets its day sums from PostgreSQL instead: the
    // same sums (written twice here, in a transaction that is rolled back).
    let import_id: uuid::Uuid = bad_id.parse().unwrap();
    let mut tx = app.pool.begin().await.unwrap();
    let parsed: i64 =
        sqlx::query_scalar("SELECT count(*) FROM traffic_import_days WHERE import_id = $1")
            .bind(import_id)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
    let summed = projections::traffic::sum_import_days(&mut tx, import_id)
        .await
        .unwrap();
    assert!(parsed > 0);
    assert_eq!(summed, parsed as u64);
    let unpaired: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT 1 FROM traffic_import_days WHERE import_id = $1 \
           GROUP BY date, campaign_key, currency, impressions, clicks, installs, tracker_clicks, \
             conversions, spend, revenue, rows HAVING count(*) <> 2) x",
    )
    .bind(import_id)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    assert_eq!(unpaired, 0, "the summed rows equal the parsed ones");
    tx.rollback().await.unwrap();

    // Bad uploads are refused before anything is queued.
    let none = app
        .upload("x.csv", b"a,b\n".to_vec(), &[("format", "excel")])
        .await
        .expect(422);
    assert!(none["detail"].as_str().unwrap().contains("moloco"));
    app.upload("x.csv", Vec::new(), &[("source_id", &source_id)])
        .await
        .expect(422);

    // The rollups rebuilt from the log equal the live ones.
    app.wait_all_sealed().await;
    let report = projections::rebuild::verify(&app.pool).await.unwrap();
    assert!(report.ok(), "{report:?}");
    // The imports' per-day sums were written beside their facts, and verify checks them.
    let sums = report
        .tables
        .iter()
        .find(|t| t.table.starts_with("traffic_import_days"))
        .expect("verify checks the per-day sums");
    assert!(
        sums.live_rows > 0 && sums.live_rows == sums.rebuilt_rows,
        "{sums:?}"
    );

    // A per-day sum that disagrees with its facts is caught.
    sqlx::query(
        "INSERT INTO traffic_import_days SELECT import_id, date, campaign_key || '-forged', currency, \
           impressions, clicks, installs, tracker_clicks, conversions, spend, revenue, rows \
         FROM traffic_import_days LIMIT 1",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let report = projections::rebuild::verify(&app.pool).await.unwrap();
    assert!(!report.ok(), "a forged per-day sum went unnoticed");
    let sums = report
        .tables
        .iter()
        .find(|t| t.table.starts_with("traffic_import_days"))
        .unwrap();
    assert!(!sums.equal, "{sums:?}");
}

fn want_of(rows: &[Row], campaign: &str) -> Decimal {
    rows.iter()
        .filter(|r| r.campaign == campaign)
        .map(|r| r.spend)
        .sum()
}
