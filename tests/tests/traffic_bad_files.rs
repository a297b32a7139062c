//! Bad report files over real HTTP: each one ends in a failed import with a report a person can
//! act on (the reason, and row errors with line, column and value where a row is to blame), and
//! none of them changes the metrics or appends an event.

use e2e::TestApp;
use serde_json::{Value, json};

const HEADER: &str = "Date,Campaign_ID,Campaign_Country,Spend,Impressions,Clicks,Installs\n";

struct Case {
    name: &'static str,
    body: Vec<u8>,
    /// Words the failure's reason must contain.
    reason: &'static str,
    /// (line, column) of the first row error, when a row is to blame.
    first_error: Option<(u64, &'static str)>,
}

fn cases() -> Vec<Case> {
    let mut many_bad = String::from(HEADER);
    for i in 0..10_000 {
        many_bad.push_str(&format!("2026-10-01,cmp-{i},US,abc,1,1,1\n"));
    }
    vec![
        Case {
            name: "header only",
            body: HEADER.as_bytes().to_vec(),
            reason: "no data rows",
            first_error: None,
        },
        Case {
            name: "wrong delimiter",
            // Colons are no delimiter a report uses: the header reads as one column.
            body: b"Date:Campaign_ID:Spend:Impressions:Clicks:Installs\n2026-10-01:c:1:1:1:1\n".to_vec(),
            reason: "",
            first_error: None,
        },
        Case {
            name: "broken quotes",
            body: format!("{HEADER}2026-10-01,\"cmp-1,US,1.00,1,1,1\n2026-10-02,cmp-2,US,2.00,1,1,1\n")
                .into_bytes(),
            reason: "",
            first_error: None,
        },
        Case {
            name: "non-numeric spend",
            body: format!("{HEADER}2026-10-01,cmp-1,US,twelve,1,1,1\n").into_bytes(),
            reason: "1 of 1 rows are invalid",
            first_error: Some((2, "Spend")),
        },
        Case {
            name: "negative spend",
            body: format!("{HEADER}2026-10-01,cmp-1,US,1.00,1,1,1\n2026-10-02,cmp-1,US,-5.00,1,1,1\n")
                .into_bytes(),
            reason: "1 of 2 rows are invalid",
            first_error: Some((3, "Spend")),
        },
        Case {
            name: "unknown currency",
            body: b"Date,Campaign_ID,Spend,Currency,Impressions,Clicks,Installs\n2026-10-01,cmp-1,1.00,XYZ,1,1,1\n"
                .to_vec(),
            reason: "",
            first_error: None,
        },
        Case {
            name: "date in the future",
            body: format!("{HEADER}2099-01-01,cmp-1,US,1.00,1,1,1\n").into_bytes(),
            reason: "1 of 1 rows are invalid",
            first_error: Some((2, "Date")),
        },
        Case {
            name: "10,000 bad rows",
            body: many_bad.into_bytes(),
            reason: "10000 of 10000 rows are invalid",
            first_error: Some((2, "Spend")),
        },
    ]
}

#[tokio::test]
async fn bad_files_are_reported_and_change_nothing() {
    let app = TestApp::spawn().await.admin().await;
    let source = app
        .post(
            "/api/traffic/sources",
            json!({"name": "Moloco", "kind": "mobile_dsp", "currency": "USD"}),
        )
        .await
        .expect(201);
    let source_id = source["id"].as_str().unwrap().to_string();
    // An empty file is refused at the door.
    let empty = app
        .upload("empty.csv", Vec::new(), &[("source_id", &source_id)])
        .await
        .expect(422);
    assert!(empty["detail"].as_str().unwrap().contains("empty"));

    app.wait_all_sealed().await;
    let events_before = app.event_count().await;
    let metrics = || async {
        app.get("/api/traffic/metrics?from=2024-01-01&to=2026-11-01&granularity=total")
            .await
            .expect(200)["totals"]
            .clone()
    };
    let totals_before: Value = metrics().await;

    for case in cases() {
        let up = app
            .upload(
                &format!("{}.csv", case.name),
                case.body,
                &[("source_id", &source_id)],
            )
            .await
            .expect(202);
        let id = up["id"].as_str().unwrap().to_string();
        let done = app.wait_import(&id).await;
        assert_eq!(done["state"], "failed", "{}: {done}", case.name);
        let reason = done["error"].as_str().unwrap_or_default();
        assert!(!reason.is_empty(), "{}: a failure says why", case.name);
        assert!(
            reason.contains(case.reason),
            "{}: {reason:?} should mention {:?}",
            case.name,
            case.reason
        );
        let errors = app
            .get(&format!("/api/traffic/imports/{id}/errors?limit=5"))
            .await
            .expect(200);
        if let Some((line, column)) = case.first_error {
            let first = &errors["items"][0];
            assert_eq!(first["line"], line, "{}: {errors}", case.name);
            assert!(
                first["column"]
                    .as_str()
                    .unwrap()
                    .eq_ignore_ascii_case(column),
                "{}: {errors}",
                case.name
            );
            assert!(!first["reason"].as_str().unwrap().is_empty());
        }
        if case.name == "10,000 bad rows" {
            assert_eq!(done["rows_failed"], 10_000);
            assert_eq!(errors["total"], 10_000, "every bad row is reported");
        }
    }

    assert_eq!(
        app.event_count().await,
        events_before,
        "no import was applied"
    );
    assert_eq!(metrics().await, totals_before, "the metrics did not move");
    let facts: i64 = sqlx::query_scalar("SELECT count(*) FROM traffic_facts")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(facts, 0, "no row of a refused file was kept");
}
