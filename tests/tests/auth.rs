//! Sign-in flows over HTTP: refresh rotation and reuse detection, logout, OAuth2 form login,
//! throttling, and role changes by an admin.

use e2e::TestApp;
use serde_json::json;

#[tokio::test]
async fn refresh_tokens_rotate_and_reuse_revokes_the_family() {
    let mut app = TestApp::spawn().await;
    let login = app.sign_in_as("a@example.com").await;
    assert_eq!(login["token_type"], "Bearer");
    assert!(login["expires_in"].as_u64().unwrap() > 0);
    let first = login["refresh_token"].as_str().unwrap().to_string();

    let second = app
        .post("/api/auth/refresh", json!({"refresh_token": first}))
        .await
        .expect(200);
    let second_token = second["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(second_token, first);

    // Replaying the rotated token revokes the whole family, including the newest token.
    let reuse = app
        .post("/api/auth/refresh", json!({"refresh_token": first}))
        .await;
    assert_eq!(reuse.status, 401);
    assert_eq!(reuse.body["code"], "refresh_token_reused");
    assert_eq!(
        app.post("/api/auth/refresh", json!({"refresh_token": second_token}))
            .await
            .status,
        401
    );

    // Logout revokes.
    let again = app
        .post(
            "/api/auth/login",
            json!({"email": "a@example.com", "password": "correct horse battery staple"}),
        )
        .await
        .expect(200);
    let token = again["refresh_token"].as_str().unwrap().to_string();
    assert_eq!(
        app.post("/api/auth/logout", json!({"refresh_token": token}))
            .await
            .status,
        204
    );
    assert_eq!(
        app.post("/api/auth/refresh", json!({"refresh_token": token}))
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn oauth2_password_form_login_works_for_the_docs_page() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("b@example.com").await;
    let res = app
        .client
        .post(format!("{}/api/auth/login", app.base))
        .form(&[
            ("grant_type", "password"),
            ("username", "b@example.com"),
            ("password", "correct horse battery staple"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(body["access_token"].is_string());
}

#[tokio::test]
async fn repeated_failures_are_throttled_and_wrong_passwords_refused() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("c@example.com").await;
    let mut statuses = vec![];
    for _ in 0..8 {
        let r = app
            .post(
                "/api/auth/login",
                json!({"email": "c@example.com", "password": "wrong wrong wrong"}),
            )
            .await;
        statuses.push(r.status.as_u16());
    }
    assert_eq!(statuses[0], 401);
    assert_eq!(*statuses.last().unwrap(), 429, "{statuses:?}");
    let weak = app
        .post(
            "/api/auth/register",
            json!({"email": "d@example.com", "password": "short"}),
        )
        .await;
    assert_eq!(weak.status, 422);
    // Registration is by invitation: a taken address answers like a free one.
    let dup = app
        .post(
            "/api/auth/register",
            json!({"email": "C@example.com", "password": "another long password"}),
        )
        .await;
    assert_eq!(dup.status, 403);
    assert_eq!(dup.body["code"], "invitation_required");
}

#[tokio::test]
async fn admins_change_roles() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("admin@example.com").await;
    let admin_token = app.token.clone();
    app.sign_in_as("clerk@example.com").await;
    let me = app.get("/api/auth/me").await.expect(200);
    let clerk = me["id"].as_str().unwrap().to_string();
    assert_eq!(app.get("/api/users").await.status, 403);
    app.token = admin_token;
    let users = app.get("/api/users").await.expect(200);
    assert_eq!(users["total"], 2);
    app.request(
        reqwest::Method::PATCH,
        &format!("/api/users/{clerk}"),
        Some(json!({"role": "accountant"})),
    )
    .await
    .expect(200);
    app.sign_in_as("clerk@example.com").await;
    app.account("Cash", "asset", "USD").await;
}
