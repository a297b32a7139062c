//! Recurring payments end to end over real HTTP against a real PostgreSQL: month-end days
//! (the 31st in February), catch-up after downtime, two server instances running the runner
//! at once, pause/resume/end, cron, next runs, failed days and validation. Every test ends
//! with a rebuild of the read tables compared to the live ones.

use std::collections::BTreeSet;

use chrono::{Days, NaiveDate, Utc};
use e2e::TestApp;
use serde_json::{Value, json};

async fn fake_clock_app() -> TestApp {
    TestApp::spawn_with(|s| s.recurring_fake_clock = true)
        .await
        .admin()
        .await
}

struct Books {
    bank: String,
    rent: String,
}

async fn books(app: &TestApp) -> Books {
    Books {
        bank: app.account("Bank", "asset", "USD").await,
        rent: app.account("Rent", "expense", "USD").await,
    }
}

fn rent_template(b: &Books, amount: &str) -> Value {
    json!({"description": "Office rent", "tags": ["rent"],
           "expense": {"account_id": b.bank, "expense_account_id": b.rent, "amount": amount}})
}

async fn create(app: &TestApp, body: Value) -> Value {
    app.post("/api/recurring", body).await.expect(201)
}

async fn run(app: &TestApp, today: Option<&str>) -> Value {
    let path = match today {
        Some(d) => format!("/api/recurring/run?today={d}"),
        None => "/api/recurring/run".to_string(),
    };
    app.post(&path, json!({})).await.expect(200)
}

fn dates(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|o| o.get("date").unwrap_or(o).as_str().unwrap().to_string())
        .collect()
}

/// The postings whose origin is schedule `id`, oldest first.
async fn postings_of(app: &TestApp, id: &str) -> Vec<Value> {
    app.wait_all_sealed().await;
    let page = app
        .get(&format!("/api/transactions?origin_id={id}&limit=1000"))
        .await
        .expect(200);
    let mut items = page["items"].as_array().unwrap().clone();
    assert_eq!(page["total"].as_i64().unwrap() as usize, items.len());
    items.sort_by_key(|t| t["date"].as_str().unwrap().to_string());
    items
}

async fn verify(app: &TestApp) {
    app.wait_all_sealed().await;
    let report = projections::rebuild::verify(&app.pool).await.unwrap();
    assert!(report.ok(), "{report:?}");
}

#[tokio::test]
async fn the_31st_posts_on_each_months_last_day_and_a_closed_period_fails_a_day() {
    let app = fake_clock_app().await;
    let b = books(&app).await;
    let r = create(
        &app,
        json!({"name": "Rent", "template": rent_template(&b, "1500.00"),
               "schedule": {"frequency": "monthly", "day": 31}, "start": "2026-01-31"}),
    )
    .await;
    let id = r["id"].as_str().unwrap().to_string();
    assert_eq!(r["status"], "active");
    assert_eq!(
        dates(&r["next_runs"]),
        [
            "2026-01-31",
            "2026-02-28",
            "2026-03-31",
            "2026-04-30",
            "2026-05-31"
        ]
    );

    let report = run(&app, Some("2026-04-30")).await;
    assert_eq!(
        dates(&report["posted"]),
        ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"]
    );
    let posted = postings_of(&app, &id).await;
    assert_eq!(
        posted
            .iter()
            .map(|t| t["date"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"]
    );
    for t in &posted {
        assert_eq!(t["origin"]["kind"], "recurring");
        assert_eq!(t["origin"]["id"], id.as_str());
        assert_eq!(t["kind"], "expense");
        assert_eq!(t["description"], "Office rent");
    }
    // The transaction ids in the report are the postings.
    let ids: BTreeSet<&str> = posted.iter().map(|t| t["id"].as_str().unwrap()).collect();
    for o in report["posted"].as_array().unwrap() {
        assert!(ids.contains(o["transaction_id"].as_str().unwrap()));
    }

    let shown = app.get(&format!("/api/recurring/{id}")).await.expect(200);
    assert_eq!(shown["posted"], 4);
    assert_eq!(shown["handled_through"], "2026-04-30");
    assert_eq!(
        dates(&shown["next_runs"]),
        [
            "2026-05-31",
            "2026-06-30",
            "2026-07-31",
            "2026-08-31",
            "2026-09-30"
        ]
    );
    assert_eq!(shown["occurrences"].as_array().unwrap().len(), 4);
    assert_eq!(
        shown["occurrences"][0]["date"], "2026-04-30",
        "latest first"
    );

    // Running again the same day posts nothing.
    let again = run(&app, Some("2026-04-30")).await;
    assert!(again["posted"].as_array().unwrap().is_empty());

    // A day in a closed period fails with its reason; later days still post.
    app.post("/api/periods/close", json!({"through": "2026-05-31"}))
        .await
        .expect(200);
    let report = run(&app, Some("2026-06-30")).await;
    assert_eq!(dates(&report["failed"]), ["2026-05-31"]);
    assert!(
        report["failed"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("closed"),
        "{report}"
    );
    assert_eq!(dates(&report["posted"]), ["2026-06-30"]);
    let shown = app
        .get(&format!(
            "/api/recurring/{id}?min_position={}",
            report["position"]
        ))
        .await
        .expect(200);
    assert_eq!(shown["failed"], 1);
    let failed = &shown["occurrences"][1];
    assert_eq!(failed["date"], "2026-05-31");
    assert_eq!(failed["status"], "failed");
    assert!(failed["transaction_id"].is_null());
    assert_eq!(postings_of(&app, &id).await.len(), 5);
    verify(&app).await;
}

#[tokio::test]
async fn days_missed_while_down_post_once_each_on_their_own_day() {
    let app = fake_clock_app().await;
    let b = books(&app).await;
    let r = create(
        &app,
        json!({"name": "Daily fee", "template": rent_template(&b, "2.50"),
               "schedule": {"frequency": "daily"}, "start": "2026-03-01"}),
    )
    .await;
    let id = r["id"].as_str().unwrap().to_string();
    assert_eq!(
        dates(&run(&app, Some("2026-03-03")).await["posted"]).len(),
        3
    );

    // Seventeen days without a run: the next run posts each of them, dated on its own day.
    let report = run(&app, Some("2026-03-20")).await;
    let expected: Vec<String> = (4..=20).map(|d| format!("2026-03-{d:02}")).collect();
    assert_eq!(dates(&report["posted"]), expected);
    let again = run(&app, Some("2026-03-20")).await;
    assert!(again["posted"].as_array().unwrap().is_empty(), "{again}");
    let posted = postings_of(&app, &id).await;
    assert_eq!(posted.len(), 20);
    let days: BTreeSet<&str> = posted.iter().map(|t| t["date"].as_str().unwrap()).collect();
    assert_eq!(days.len(), 20, "one posting per day");
    assert_eq!(
        app.get(&format!("/api/balances?account_id={}", b.rent))
            .await
            .expect(200)["items"][0]["balance"],
        "50.00"
    );
    verify(&app).await;
}

#[tokio::test]
async fn two_server_instances_running_at_once_post_each_day_once() {
    let a = TestApp::spawn().await.admin().await;
    let b = TestApp::spawn_on(a.url.clone()).await.admin().await;
    let accounts = books(&a).await;
    let today = Utc::now().date_naive();
    let start = today - Days::new(30);
    let daily = create(
        &a,
        json!({"name": "Daily", "template": rent_template(&accounts, "1.00"),
               "schedule": {"frequency": "daily"}, "start": start}),
    )
    .await;
    let weekly = create(
        &a,
        json!({"name": "Weekly", "template": rent_template(&accounts, "7.00"),
               "schedule": {"frequency": "weekly", "weekdays": ["mon", "thu"]}, "start": start}),
    )
    .await;
    // The second instance must see both schedules before racing.
    b.get(&format!(
        "/api/recurring/{}?min_position={}",
        weekly["id"].as_str().unwrap(),
        weekly["position"]
    ))
    .await
    .expect(200);

    // Without a fake clock, another day is refused.
    let refused = b
        .post("/api/recurring/run?today=2026-01-01", json!({}))
        .await
        .expect(422);
    assert_eq!(refused["field"], "today");

    let mut posted_by_reports = 0;
    for _ in 0..3 {
        let reports =
            futures::future::join_all([run(&a, None), run(&b, None), run(&a, None), run(&b, None)])
                .await;
        for r in reports {
            posted_by_reports += r["posted"].as_array().unwrap().len();
        }
    }
    let daily_posts = postings_of(&a, daily["id"].as_str().unwrap()).await;
    assert_eq!(daily_posts.len(), 31, "start..=today");
    let days: BTreeSet<&str> = daily_posts
        .iter()
        .map(|t| t["date"].as_str().unwrap())
        .collect();
    assert_eq!(days.len(), 31);
    let weekly_posts = postings_of(&a, weekly["id"].as_str().unwrap()).await;
    let expected_weekly = (0..=30)
        .map(|n| start + Days::new(n))
        .filter(|d: &NaiveDate| {
            matches!(
                chrono::Datelike::weekday(d),
                chrono::Weekday::Mon | chrono::Weekday::Thu
            )
        })
        .count();
    assert_eq!(weekly_posts.len(), expected_weekly);
    assert_eq!(
        posted_by_reports,
        31 + expected_weekly,
        "each day reported posted by exactly one instance"
    );
    let occurrence_events: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM events WHERE aggregate_type = 'recurring' AND event_type = 'OccurrencePosted'",
    )
    .fetch_one(&a.pool)
    .await
    .unwrap();
    assert_eq!(occurrence_events as usize, 31 + expected_weekly);
    verify(&a).await;
}

#[tokio::test]
async fn pause_skips_days_resume_goes_on_end_stops_and_cron_runs_on_its_days() {
    let app = fake_clock_app().await;
    let b = books(&app).await;
    let r = create(
        &app,
        json!({"name": "Cleaning", "template": rent_template(&b, "10.00"),
               "schedule": {"frequency": "daily"}, "start": "2026-06-01", "end": "2026-06-30"}),
    )
    .await;
    let id = r["id"].as_str().unwrap().to_string();
    let path = |action: &str| format!("/api/recurring/{id}/{action}");
    assert_eq!(
        dates(&run(&app, Some("2026-06-03")).await["posted"]).len(),
        3
    );

    let paused = app
        .post(&path("pause"), json!({"date": "2026-06-05"}))
        .await
        .expect(200);
    assert_eq!(paused["status"], "paused");
    assert_eq!(
        dates(&paused["next_runs"]),
        ["2026-06-04"],
        "only the day before the pause"
    );
    app.post(&path("pause"), json!({})).await.expect(409);
    let listed = app.get("/api/recurring?status=paused").await.expect(200);
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["items"][0]["id"], id.as_str());
    // The day before the pause still posts; paused days do not.
    assert_eq!(
        dates(&run(&app, Some("2026-06-10")).await["posted"]),
        ["2026-06-04"]
    );
    let resumed = app
        .post(&path("resume"), json!({"date": "2026-06-08"}))
        .await
        .expect(200);
    assert_eq!(resumed["status"], "active");
    assert_eq!(resumed["next_runs"][0], "2026-06-08", "resume skips 5..7");
    assert_eq!(
        dates(&run(&app, Some("2026-06-10")).await["posted"]),
        ["2026-06-08", "2026-06-09", "2026-06-10"]
    );
    let ended = app
        .post(&path("end"), json!({"date": "2026-06-12"}))
        .await
        .expect(200);
    assert_eq!(ended["status"], "ended");
    assert_eq!(dates(&ended["next_runs"]), ["2026-06-11", "2026-06-12"]);
    assert_eq!(
        dates(&run(&app, Some("2026-06-20")).await["posted"]),
        ["2026-06-11", "2026-06-12"]
    );
    let shown = app.get(&format!("/api/recurring/{id}")).await.expect(200);
    assert!(shown["next_runs"].as_array().unwrap().is_empty());
    assert_eq!(shown["posted"], 9);
    app.post(&path("resume"), json!({})).await.expect(409);
    let dates_posted: Vec<String> = postings_of(&app, &id)
        .await
        .iter()
        .map(|t| t["date"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        dates_posted,
        [
            "2026-06-01",
            "2026-06-02",
            "2026-06-03",
            "2026-06-04",
            "2026-06-08",
            "2026-06-09",
            "2026-06-10",
            "2026-06-11",
            "2026-06-12"
        ]
    );

    // Cron: weekdays at 09:00 UTC. 2026-06-05 is a Friday.
    let cron = create(
        &app,
        json!({"name": "Standup snacks", "template": rent_template(&b, "3.00"),
               "schedule": {"frequency": "cron", "expression": "0 9 * * 1-5"}, "start": "2026-06-05"}),
    )
    .await;
    assert_eq!(
        dates(&cron["next_runs"]),
        [
            "2026-06-05",
            "2026-06-08",
            "2026-06-09",
            "2026-06-10",
            "2026-06-11"
        ]
    );
    let report = run(&app, Some("2026-06-09")).await;
    assert_eq!(
        dates(&report["posted"]),
        ["2026-06-05", "2026-06-08", "2026-06-09"]
    );

    // Lists filter, search and sort.
    let listed = app
        .get("/api/recurring?status=ended&q=clean")
        .await
        .expect(200);
    assert_eq!(listed["total"], 1);
    let listed = app
        .get("/api/recurring?frequency=cron&sort=-name")
        .await
        .expect(200);
    assert_eq!(listed["items"][0]["name"], "Standup snacks");
    app.get("/api/recurring?sort=amount").await.expect(422);
    app.get("/api/recurring?status=sleeping").await.expect(422);
    verify(&app).await;
}

#[tokio::test]
async fn bad_schedules_and_templates_are_refused_with_their_field_and_change_nothing() {
    let mut app = fake_clock_app().await;
    let b = books(&app).await;
    let good_template = rent_template(&b, "5.00");
    let cases = [
        (
            json!({"frequency": "cron", "expression": "every tuesday"}),
            "2026-01-01",
            None,
            "schedule.expression",
        ),
        (
            json!({"frequency": "monthly", "day": 0}),
            "2026-01-01",
            None,
            "schedule.day",
        ),
        (
            json!({"frequency": "monthly", "day": 32}),
            "2026-01-01",
            None,
            "schedule.day",
        ),
        (
            json!({"frequency": "weekly", "weekdays": []}),
            "2026-01-01",
            None,
            "schedule.weekdays",
        ),
        (
            json!({"frequency": "daily", "interval": 0}),
            "2026-01-01",
            None,
            "schedule.interval",
        ),
        (
            json!({"frequency": "daily"}),
            "2026-02-01",
            Some("2026-01-01"),
            "end",
        ),
    ];
    let before = app.event_count().await;
    for (schedule, start, end, field) in cases {
        let p = app
            .post(
                "/api/recurring",
                json!({"name": "Bad", "template": good_template, "schedule": schedule,
                       "start": start, "end": end}),
            )
            .await
            .expect(422);
        assert_eq!(p["field"], field, "{p}");
        assert_eq!(p["code"], "validation_failed");
    }
    // The template goes through the transaction rules.
    let unbalanced = app
        .post(
            "/api/recurring",
            json!({"name": "Bad", "schedule": {"frequency": "daily"}, "start": "2026-01-01",
                   "template": {"description": "x", "entries": [
                       {"account_id": b.bank, "amount": "-5.00"},
                       {"account_id": b.rent, "amount": "4.00"}]}}),
        )
        .await
        .expect(422);
    assert_eq!(unbalanced["code"], "transaction_unbalanced");
    let too_precise = app
        .post(
            "/api/recurring",
            json!({"name": "Bad", "schedule": {"frequency": "daily"}, "start": "2026-01-01",
                   "template": rent_template(&b, "5.001")}),
        )
        .await
        .expect(422);
    assert_eq!(too_precise["code"], "amount_too_precise");
    let no_form = app
        .post(
            "/api/recurring",
            json!({"name": "Bad", "schedule": {"frequency": "daily"}, "start": "2026-01-01",
                   "template": {"description": "x"}}),
        )
        .await
        .expect(422);
    assert_eq!(no_form["field"], "template.entries");
    let blank_name = app
        .post(
            "/api/recurring",
            json!({"name": " ", "schedule": {"frequency": "daily"}, "start": "2026-01-01",
                   "template": good_template}),
        )
        .await
        .expect(422);
    assert_eq!(blank_name["field"], "name");
    assert_eq!(app.event_count().await, before, "nothing was written");

    // Updates: allowed before the first day posts; the schedule is fixed after it.
    let r = create(
        &app,
        json!({"name": "Fee", "template": good_template,
               "schedule": {"frequency": "daily"}, "start": "2026-01-01"}),
    )
    .await;
    let id = r["id"].as_str().unwrap().to_string();
    let updated = app
        .put(
            &format!("/api/recurring/{id}"),
            json!({"name": "Fee (weekly)", "template": rent_template(&b, "6.00"),
                   "schedule": {"frequency": "weekly", "weekdays": ["fri", "mon", "fri"]},
                   "start": "2026-01-01"}),
        )
        .await
        .expect(200);
    assert_eq!(updated["schedule"]["weekdays"], json!(["Mon", "Fri"]));
    assert_eq!(updated["template"]["entries"][0]["amount"], "6.00");
    assert_eq!(dates(&updated["next_runs"])[0], "2026-01-02");
    run(&app, Some("2026-01-05")).await;
    let refused = app
        .put(
            &format!("/api/recurring/{id}"),
            json!({"name": "Fee", "template": good_template,
                   "schedule": {"frequency": "daily"}, "start": "2026-01-01"}),
        )
        .await
        .expect(422);
    assert_eq!(refused["field"], "schedule");
    app.get(&format!("/api/recurring/{}", uuid::Uuid::nil()))
        .await
        .expect(404);

    // Viewers read but do not write; only admins run the runner.
    app.sign_in_with_role("viewer@example.com", "viewer").await;
    app.get("/api/recurring").await.expect(200);
    app.post(
        "/api/recurring",
        json!({"name": "Fee", "template": good_template,
               "schedule": {"frequency": "daily"}, "start": "2026-01-01"}),
    )
    .await
    .expect(403);
    app.post(&format!("/api/recurring/{id}/pause"), json!({}))
        .await
        .expect(403);
    app.post("/api/recurring/run", json!({})).await.expect(403);

    // The OpenAPI document (and so the web client) covers the routes.
    let doc = app.get("/api/openapi.json").await.expect(200);
    for path in [
        "/api/recurring",
        "/api/recurring/{id}",
        "/api/recurring/{id}/pause",
        "/api/recurring/run",
    ] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
    verify(&app).await;
}

#[tokio::test]
async fn a_server_coming_back_posts_the_days_it_missed_at_start_up() {
    // The first server does not run the scheduler: it stands for the time the runner was down.
    let first = TestApp::spawn().await.admin().await;
    let accounts = books(&first).await;
    let start = Utc::now().date_naive() - Days::new(9);
    let r = create(
        &first,
        json!({"name": "Daily", "template": rent_template(&accounts, "1.00"),
               "schedule": {"frequency": "daily"}, "start": start}),
    )
    .await;
    let id = r["id"].as_str().unwrap().to_string();
    assert_eq!(r["next_runs"][0], start.to_string());

    // A server started with the scheduler on catches up at once, each day on its own date.
    let _second = TestApp::spawn_on_with(first.url.clone(), |s| s.recurring = true).await;
    let mut posted = Vec::new();
    for _ in 0..200 {
        posted = postings_of(&first, &id).await;
        if posted.len() >= 10 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let days: Vec<String> = posted
        .iter()
        .map(|t| t["date"].as_str().unwrap().to_string())
        .collect();
    let expected: Vec<String> = (0..10)
        .map(|n| (start + Days::new(n)).to_string())
        .collect();
    assert_eq!(days, expected);
    let again = run(&first, None).await;
    assert!(again["posted"].as_array().unwrap().is_empty(), "{again}");
    verify(&first).await;
}

#[tokio::test]
async fn a_backlog_beyond_the_catch_up_horizon_waits_for_an_explicit_catch_up() {
    let app = fake_clock_app().await;
    let b = books(&app).await;
    // 153 days due by 2026-12-31; the horizon (92 days) is 2026-09-30.
    let old = create(
        &app,
        json!({"name": "Old", "template": rent_template(&b, "1.00"),
               "schedule": {"frequency": "daily"}, "start": "2026-08-01"}),
    )
    .await;
    let old_id = old["id"].as_str().unwrap().to_string();
    let recent = create(
        &app,
        json!({"name": "Recent", "template": rent_template(&b, "2.00"),
               "schedule": {"frequency": "daily"}, "start": "2026-12-29"}),
    )
    .await;
    let recent_id = recent["id"].as_str().unwrap().to_string();

    let report = run(&app, Some("2026-12-31")).await;
    assert_eq!(
        dates(&report["posted"]),
        ["2026-12-29", "2026-12-30", "2026-12-31"],
        "the recent schedule posts as usual: {report}"
    );
    let skipped = report["skipped"].as_array().unwrap();
    assert_eq!(
        skipped.len(),
        60,
        "Aug 1 to Sep 29 are beyond the horizon: {report}"
    );
    assert_eq!(skipped[0]["recurring_id"], old_id.as_str());
    assert_eq!(skipped[0]["date"], "2026-08-01");
    assert!(
        skipped[0]["reason"]
            .as_str()
            .unwrap()
            .contains("catch_up=true"),
        "{report}"
    );
    assert!(
        postings_of(&app, &old_id).await.is_empty(),
        "nothing back-filled"
    );
    assert_eq!(postings_of(&app, &recent_id).await.len(), 3);

    // The same run again skips the same days; nothing was lost.
    let again = run(&app, Some("2026-12-31")).await;
    assert_eq!(again["skipped"].as_array().unwrap().len(), 60);

    // An explicit catch-up posts the whole backlog.
    let caught = app
        .post(
            "/api/recurring/run?today=2026-12-31&catch_up=true",
            json!({}),
        )
        .await
        .expect(200);
    assert_eq!(caught["posted"].as_array().unwrap().len(), 153);
    assert!(caught["skipped"].as_array().unwrap().is_empty());
    assert_eq!(postings_of(&app, &old_id).await.len(), 153);
    verify(&app).await;
}
