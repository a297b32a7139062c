//! Traffic reference data over real HTTP: sources, programs, offers and campaigns with their
//! references checked, report keys kept unique, filters, archive, and roles.

use e2e::TestApp;
use serde_json::json;

#[tokio::test]
async fn sources_programs_offers_campaigns_life_cycle() {
    let app = TestApp::spawn().await.admin().await;
    let source = app
        .post(
            "/api/traffic/sources",
            json!({"name": "Moloco", "kind": "mobile_dsp", "currency": "USD",
                   "timezone": "America/Los_Angeles"}),
        )
        .await
        .expect(201);
    let source_id = source["id"].as_str().unwrap().to_string();
    assert_eq!(source["timezone"], "America/Los_Angeles");

    // A program needs an existing counterparty.
    let missing = app
        .post(
            "/api/traffic/programs",
            json!({"name": "AffNet", "counterparty_id": uuid::Uuid::nil(), "currency": "USDT"}),
        )
        .await
        .expect(422);
    assert!(missing["detail"].as_str().unwrap().contains("counterparty"));
    let cp = app
        .post(
            "/api/counterparties",
            json!({"name": "AffNet Ltd", "kind": "affiliate_program"}),
        )
        .await
        .expect(201);
    let program = app
        .post(
            "/api/traffic/programs",
            json!({"name": "AffNet", "counterparty_id": cp["id"], "currency": "USDT"}),
        )
        .await
        .expect(201);

    let bad_offer = app
        .post(
            "/api/traffic/offers",
            json!({"name": "Game CPI", "program_id": program["id"], "payout_model": "rev_share",
                   "payout": "120", "currency": "USD"}),
        )
        .await
        .expect(422);
    assert!(bad_offer["detail"].as_str().unwrap().contains("percentage"));
    let offer = app
        .post(
            "/api/traffic/offers",
            json!({"name": "Game CPI", "program_id": program["id"], "payout_model": "cpi",
                   "payout": "2.40", "currency": "USD", "countries": ["us", "DE"]}),
        )
        .await
        .expect(201);
    assert_eq!(offer["countries"], json!(["DE", "US"]));

    let project = app
        .post("/api/projects", json!({"name": "Games"}))
        .await
        .expect(201);
    let campaign = app
        .post(
            "/api/traffic/campaigns",
            json!({"name": "Game US", "source_id": source_id, "offer_id": offer["id"],
                   "project_id": project["id"], "status": "active",
                   "source_keys": ["cmp-001", "Game US iOS"], "tracker_keys": ["17"]}),
        )
        .await
        .expect(201);
    let campaign_id = campaign["id"].as_str().unwrap().to_string();

    // A report key leads to one campaign only.
    let position = campaign["position"].as_i64().unwrap();
    app.get(&format!("/api/traffic/campaigns?min_position={position}"))
        .await
        .expect(200);
    let clash = app
        .post(
            "/api/traffic/campaigns",
            json!({"name": "Other", "source_id": source_id, "status": "paused",
                   "source_keys": ["cmp-001"]}),
        )
        .await
        .expect(409);
    assert!(clash["detail"].as_str().unwrap().contains("cmp-001"));
    let tracker_clash = app
        .post(
            "/api/traffic/campaigns",
            json!({"name": "Other", "source_id": source_id, "status": "paused",
                   "tracker_keys": ["17"]}),
        )
        .await
        .expect(409);
    assert_eq!(tracker_clash["code"], "conflict");
    // Unknown fields are refused.
    app.post(
        "/api/traffic/campaigns",
        json!({"name": "X", "source_id": source_id, "status": "active", "colour": "red"}),
    )
    .await
    .expect(422);

    // Update keeps its own keys; filters find it.
    let updated = app
        .put(
            &format!("/api/traffic/campaigns/{campaign_id}"),
            json!({"name": "Game US", "source_id": source_id, "offer_id": offer["id"],
                   "project_id": project["id"], "status": "paused",
                   "source_keys": ["cmp-001"], "tracker_keys": ["17", "18"]}),
        )
        .await
        .expect(200);
    let position = updated["position"].as_i64().unwrap();
    let list = app
        .get(&format!(
            "/api/traffic/campaigns?status=paused&source_id={source_id}&min_position={position}"
        ))
        .await
        .expect(200);
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["tracker_keys"], json!(["17", "18"]));

    // An archived offer cannot be picked by a new campaign.
    let archived = app
        .post(
            &format!(
                "/api/traffic/offers/{}/archive",
                offer["id"].as_str().unwrap()
            ),
            json!({}),
        )
        .await
        .expect(200);
    assert_eq!(archived["archived"], true);
    app.post(
        "/api/traffic/campaigns",
        json!({"name": "New", "source_id": source_id, "offer_id": offer["id"], "status": "active"}),
    )
    .await
    .expect(422);

    // Analysts maintain traffic data but not the books.
    let mut app = app;
    app.sign_in_with_role("analyst@example.com", "analyst")
        .await;
    app.post(
        "/api/traffic/sources",
        json!({"name": "Unity", "kind": "ad_network", "currency": "USD"}),
    )
    .await
    .expect(201);
    app.post("/api/projects", json!({"name": "Not mine"}))
        .await
        .expect(403);
}
