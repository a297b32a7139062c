//! Issue 11's access findings over real HTTP: revocation that takes effect at once (finding 2),
//! rate limits (3), invite-only registration (4), per-address sign-in throttling (5) and
//! personal API tokens with their audit events (10).

use std::net::IpAddr;
use std::time::Duration;

use e2e::{PASSWORD, TestApp};
use serde_json::{Value, json};

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

async fn me_id(app: &TestApp) -> String {
    id(&app.get("/api/auth/me").await.expect(200))
}

/// Asks with `token` instead of the app's session.
async fn get_with(app: &TestApp, token: &str, path: &str) -> e2e::Answer {
    let mut other = TestApp {
        base: app.base.clone(),
        url: app.url.clone(),
        client: app.client.clone(),
        pool: app.pool.clone(),
        token: Some(token.to_string()),
        admin_token: None,
    };
    other.token = Some(token.to_string());
    other.get(path).await
}

async fn as_token(app: &TestApp, token: &str) -> TestApp {
    TestApp {
        base: app.base.clone(),
        url: app.url.clone(),
        client: app.client.clone(),
        pool: app.pool.clone(),
        token: Some(token.to_string()),
        admin_token: app.admin_token.clone(),
    }
}

// ---------------------------------------------------------------------------------------------
// Finding 2: every request sees the user's current role and state.

#[tokio::test]
async fn logout_ends_the_access_token_of_that_session_at_once() {
    let mut app = TestApp::spawn().await.admin().await;
    let login = app.sign_in_as("a@example.com").await;
    let access = login["access_token"].as_str().unwrap().to_string();
    let refresh = login["refresh_token"].as_str().unwrap().to_string();
    // A second sign-in of the same user is another session and survives the logout.
    let other = app.login("a@example.com", PASSWORD).await.expect(200);
    let other_access = other["access_token"].as_str().unwrap().to_string();
    get_with(&app, &access, "/api/auth/me").await.expect(200);

    app.post("/api/auth/logout", json!({"refresh_token": refresh}))
        .await
        .expect(204);
    let after = get_with(&app, &access, "/api/accounts").await;
    assert_eq!(after.status, 401, "{}", after.body);
    get_with(&app, &other_access, "/api/accounts")
        .await
        .expect(200);
}

#[tokio::test]
async fn a_password_reset_ends_every_access_token_of_the_user() {
    let mut app = TestApp::spawn().await.admin().await;
    let login = app.sign_in_as("reset@example.com").await;
    let access = login["access_token"].as_str().unwrap().to_string();
    app.post(
        "/api/auth/forgot-password",
        json!({"email": "reset@example.com"}),
    )
    .await
    .expect(202);
    let mail = app::access::mail::logged_mails()
        .into_iter()
        .rev()
        .find(|m| m.to == "reset@example.com" && m.subject.contains("Reset"))
        .expect("reset mail");
    let token = app::access::mail::token_from_link(&mail.body, "/reset-password").unwrap();
    app.post(
        "/api/auth/reset-password",
        json!({"token": token, "password": "a brand new password"}),
    )
    .await
    .expect(204);
    assert_eq!(get_with(&app, &access, "/api/accounts").await.status, 401);
    app.login("reset@example.com", "a brand new password")
        .await
        .expect(200);
}

#[tokio::test]
async fn disabling_and_demoting_take_effect_on_tokens_already_issued() {
    let mut app = TestApp::spawn().await.admin().await;
    let admin_token = app.token.clone().unwrap();
    app.sign_in_with_role("second-admin@example.com", "admin")
        .await;
    let second = app.token.clone().unwrap();
    let second_id = me_id(&app).await;
    app.sign_in_with_role("clerk@example.com", "accountant")
        .await;
    let clerk = app.token.clone().unwrap();
    let clerk_id = me_id(&app).await;

    // Disable the clerk: the clerk's token stops at once.
    let admin = as_token(&app, &admin_token).await;
    admin
        .patch(&format!("/api/users/{clerk_id}"), json!({"disabled": true}))
        .await
        .expect(200);
    let r = get_with(&app, &clerk, "/api/accounts").await;
    assert!(matches!(r.status.as_u16(), 401 | 403), "{r:?}");

    // Demote the second admin: its token loses admin rights at once ...
    admin
        .patch(
            &format!("/api/users/{second_id}"),
            json!({"role": "viewer"}),
        )
        .await
        .expect(200);
    let demoted = as_token(&app, &second).await;
    assert_eq!(demoted.get("/api/users").await.status, 403);
    // ... and it cannot make itself admin again (today: 200).
    let back = demoted
        .patch(&format!("/api/users/{second_id}"), json!({"role": "admin"}))
        .await;
    assert_eq!(back.status, 403, "{}", back.body);
    let me = demoted.get("/api/auth/me").await.expect(200);
    assert_eq!(me["role"], "viewer");
}

#[tokio::test]
async fn nobody_changes_their_own_role_or_disabled_flag() {
    let mut app = TestApp::spawn().await.admin().await;
    let me = me_id(&app).await;
    app.sign_in_with_role("other-admin@example.com", "admin")
        .await;
    let other_admin = me_id(&app).await;
    for body in [json!({"role": "viewer"}), json!({"disabled": true})] {
        let r = app.patch(&format!("/api/users/{other_admin}"), body).await;
        assert_eq!(r.status, 403, "{}", r.body);
        assert_eq!(r.body["code"], "cannot_change_own_access");
    }
    // Its name it may change; another admin it may demote.
    app.patch(
        &format!("/api/users/{other_admin}"),
        json!({"name": "Otto"}),
    )
    .await
    .expect(200);
    app.patch(&format!("/api/users/{me}"), json!({"role": "auditor"}))
        .await
        .expect(200);
}

#[tokio::test]
async fn another_instance_sees_a_revocation_through_notify() {
    let mut a = TestApp::spawn().await.admin().await;
    let b = TestApp::spawn_on(a.url.clone()).await;
    a.sign_in_with_role("clerk@example.com", "accountant").await;
    let clerk = a.token.clone().unwrap();
    let clerk_id = me_id(&a).await;
    // Instance B caches the clerk as active.
    get_with(&b, &clerk, "/api/accounts").await.expect(200);
    let admin = as_token(&a, a.admin_token.as_deref().unwrap()).await;
    admin
        .patch(&format!("/api/users/{clerk_id}"), json!({"disabled": true}))
        .await
        .expect(200);
    // NOTIFY is asynchronous: allow it a moment, far less than any cache lifetime.
    let mut status = 200;
    for _ in 0..40 {
        status = get_with(&b, &clerk, "/api/accounts").await.status.as_u16();
        if status != 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(matches!(status, 401 | 403), "B still accepts: {status}");
}

// ---------------------------------------------------------------------------------------------
// Finding 4: invite-only access.

#[tokio::test]
async fn strangers_cannot_register_once_the_first_user_exists() {
    let app = TestApp::spawn().await.admin().await;
    let r = app
        .post(
            "/api/auth/register",
            json!({"email": "stranger@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(r.body["code"], "invitation_required");
    // A taken address answers the same.
    let taken = app
        .post(
            "/api/auth/register",
            json!({"email": "admin@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(taken.status, 403);
    assert_eq!(taken.body["code"], "invitation_required");
}

#[tokio::test]
async fn invitations_fix_email_and_role_work_once_and_can_be_revoked() {
    let app = TestApp::spawn().await.admin().await;
    let inv = app
        .post(
            "/api/invitations",
            json!({"email": "Ann@Example.com", "role": "accountant"}),
        )
        .await
        .expect(201);
    assert_eq!(inv["email"], "Ann@Example.com");
    assert_eq!(inv["role"], "accountant");
    assert!(inv["expires_at"].is_string());
    let url = inv["invite_url"].as_str().unwrap();
    assert!(
        url.starts_with("http://127.0.0.1/register?invitation="),
        "{url}"
    );
    let token = TestApp::invitation_token(&inv);
    let mailed = app::access::mail::logged_mails()
        .into_iter()
        .any(|m| m.to == "Ann@Example.com" && m.body.contains(url));
    assert!(mailed, "the link is mailed");

    // Another email with this invitation is refused; nothing is created.
    let wrong = app
        .post(
            "/api/auth/register",
            json!({"email": "bob@example.com", "password": PASSWORD, "invitation_token": token}),
        )
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert_eq!(wrong.body["field"], "email");
    // A role in the body is not accepted at all.
    let role = app
        .post(
            "/api/auth/register",
            json!({"password": PASSWORD, "invitation_token": token, "role": "admin"}),
        )
        .await;
    assert_eq!(role.status, 422);

    let user = app
        .post(
            "/api/auth/register",
            json!({"email": "ann@example.com", "password": PASSWORD, "invitation_token": token, "name": "Ann"}),
        )
        .await
        .expect(201);
    assert_eq!(user["role"], "accountant");
    assert_eq!(user["email"], "Ann@Example.com");
    assert_eq!(user["email_confirmed"], true, "using the link confirms");
    // Once only.
    let again = app
        .post(
            "/api/auth/register",
            json!({"password": PASSWORD, "invitation_token": token}),
        )
        .await;
    assert_eq!(again.status, 403, "{}", again.body);
    assert_eq!(again.body["code"], "invalid_invitation");

    // Revoked and expired invitations do not work either.
    let revoked = app
        .post(
            "/api/invitations",
            json!({"email": "rita@example.com", "role": "viewer"}),
        )
        .await
        .expect(201);
    app.delete(&format!("/api/invitations/{}", id(&revoked)))
        .await
        .expect(204);
    let r = app
        .post(
            "/api/auth/register",
            json!({"password": PASSWORD, "invitation_token": TestApp::invitation_token(&revoked)}),
        )
        .await;
    assert_eq!(r.body["code"], "invalid_invitation");
    let expired = app
        .post(
            "/api/invitations",
            json!({"email": "eve@example.com", "role": "viewer"}),
        )
        .await
        .expect(201);
    sqlx::query("UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = $1")
        .bind(uuid::Uuid::parse_str(&id(&expired)).unwrap())
        .execute(&app.pool)
        .await
        .unwrap();
    let r = app
        .post(
            "/api/auth/register",
            json!({"password": PASSWORD, "invitation_token": TestApp::invitation_token(&expired)}),
        )
        .await;
    assert_eq!(r.body["code"], "invalid_invitation");

    let list = app.get("/api/invitations").await.expect(200);
    assert_eq!(list["total"], 3);
    let states: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["accepted", "revoked", "expired"]);
    let first = &list["items"][0];
    for key in [
        "id",
        "email",
        "role",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
        "state",
    ] {
        assert!(first.get(key).is_some(), "{key} in {first}");
    }
    assert_eq!(list["limit"], 50);
    assert_eq!(list["offset"], 0);
}

#[tokio::test]
async fn only_admins_invite_and_bad_invitations_are_refused() {
    let mut app = TestApp::spawn().await.admin().await;
    for (body, field) in [
        (json!({"email": "x", "role": "viewer"}), "email"),
        (json!({"email": "p@example.com", "role": "pending"}), "role"),
        (
            json!({"email": "p\u{0}@example.com", "role": "viewer"}),
            "email",
        ),
    ] {
        let r = app.post("/api/invitations", body).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(r.body["field"], field);
    }
    let taken = app
        .post(
            "/api/invitations",
            json!({"email": "ADMIN@example.com", "role": "viewer"}),
        )
        .await;
    assert_eq!(taken.status, 409);
    assert_eq!(taken.body["code"], "email_taken");
    app.sign_in_with_role("clerk@example.com", "accountant")
        .await;
    let r = app
        .post(
            "/api/invitations",
            json!({"email": "q@example.com", "role": "admin"}),
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(app.get("/api/invitations").await.status, 403);
}

#[tokio::test]
async fn open_registration_leaves_new_users_pending_and_does_not_enumerate() {
    let mut app = TestApp::spawn_with(|s| {
        s.registration = api::config::RegistrationMode::Open;
    })
    .await
    .admin()
    .await;
    let new = app
        .post(
            "/api/auth/register",
            json!({"email": "newbie@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(new.status, 202, "{}", new.body);
    assert_eq!(new.body, json!({"status": "check_your_mail"}));
    let taken = app
        .post(
            "/api/auth/register",
            json!({"email": "admin@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(
        (taken.status, taken.body.clone()),
        (new.status, new.body.clone())
    );
    let warned = app::access::mail::logged_mails()
        .into_iter()
        .any(|m| m.to == "admin@example.com" && m.subject.contains("already"));
    assert!(warned, "the owner of a taken address is told");

    let login = app.login("newbie@example.com", PASSWORD).await.expect(200);
    let pending = as_token(&app, login["access_token"].as_str().unwrap()).await;
    let me = pending.get("/api/auth/me").await.expect(200);
    assert_eq!(me["role"], "pending");
    for path in [
        "/api/accounts",
        "/api/transactions",
        "/api/reports/trial-balance",
        "/api/export/beancount",
    ] {
        assert_eq!(pending.get(path).await.status, 403, "{path}");
    }
    // An admin gives a role, which applies to the token already issued.
    let newbie = me["id"].as_str().unwrap().to_string();
    app.patch(&format!("/api/users/{newbie}"), json!({"role": "viewer"}))
        .await
        .expect(200);
    pending.get("/api/accounts").await.expect(200);
    let _ = &mut app;
}

#[tokio::test]
async fn closed_registration_admits_only_the_first_user() {
    let app = TestApp::spawn_with(|s| {
        s.registration = api::config::RegistrationMode::Closed;
    })
    .await
    .admin()
    .await;
    let r = app
        .post(
            "/api/auth/register",
            json!({"email": "late@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(r.body["code"], "registration_closed");
}

#[tokio::test]
async fn email_confirmation_is_required_before_sign_in_when_configured() {
    let app = TestApp::spawn_with(|s| {
        s.registration = api::config::RegistrationMode::Open;
        s.require_email_confirmation = Some(true);
    })
    .await;
    // The first user too must confirm.
    let reg = app
        .post(
            "/api/auth/register",
            json!({"email": "first@example.com", "password": PASSWORD}),
        )
        .await
        .expect(201);
    assert_eq!(reg["role"], "admin");
    let r = app.login("first@example.com", PASSWORD).await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(r.body["code"], "email_not_confirmed");
    for email in ["first@example.com", "nobody@example.com", "not an email"] {
        app.post("/api/auth/resend-confirmation", json!({ "email": email }))
            .await
            .expect(202);
    }
    let mail = app::access::mail::logged_mails()
        .into_iter()
        .rev()
        .find(|m| m.to == "first@example.com" && m.subject.contains("Confirm"))
        .expect("confirmation mail");
    let token = app::access::mail::token_from_link(&mail.body, "/confirm-email").unwrap();
    app.post("/api/auth/confirm-email", json!({ "token": token }))
        .await
        .expect(204);
    app.login("first@example.com", PASSWORD).await.expect(200);
}

// ---------------------------------------------------------------------------------------------
// Findings 3 and 5: rate limits and throttling.

#[tokio::test]
async fn registration_and_login_are_rate_limited_per_address_with_retry_after() {
    let app = TestApp::spawn_with(|s| {
        s.auth_rate_per_ip_per_minute = 3;
    })
    .await;
    let mut last = None;
    for i in 0..5 {
        let res = app
            .client
            .post(format!("{}/api/auth/login", app.base))
            .json(&json!({"email": format!("u{i}@example.com"), "password": "wrong password"}))
            .send()
            .await
            .unwrap();
        last = Some(res);
    }
    let res = last.unwrap();
    assert_eq!(res.status(), 429);
    assert!(res.headers().get("retry-after").is_some());
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "too_many_requests");
    let reg = app
        .post(
            "/api/auth/register",
            json!({"email": "r@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(reg.status, 429);
}

#[tokio::test]
async fn failures_from_one_address_do_not_lock_out_another() {
    let mut app = TestApp::spawn().await.admin().await;
    app.sign_in_as("victim@example.com").await;
    // Five wrong passwords from this test's address (127.0.0.1) ...
    for _ in 0..6 {
        app.login("victim@example.com", "wrong wrong wrong").await;
    }
    let here = app.login("victim@example.com", PASSWORD).await;
    assert_eq!(here.status, 429, "the attacking address is throttled");
    // ... while another address is not, for the same email.
    let a: IpAddr = "127.0.0.1".parse().unwrap();
    let b: IpAddr = "203.0.113.9".parse().unwrap();
    assert!(
        app::access::throttle::check(&app.pool, "victim@example.com", Some(a))
            .await
            .is_err()
    );
    assert!(
        app::access::throttle::check(&app.pool, "victim@example.com", Some(b))
            .await
            .is_ok()
    );
    // The owner was told once.
    let alerts = app::access::mail::logged_mails()
        .into_iter()
        .filter(|m| m.to == "victim@example.com" && m.subject.contains("sign-in"))
        .count();
    assert_eq!(alerts, 1);
}

// ---------------------------------------------------------------------------------------------
// Finding 10: personal API tokens, and the audit events of access changes.

#[tokio::test]
async fn api_tokens_act_with_the_users_current_role_limited_by_scopes() {
    let mut app = TestApp::spawn().await.admin().await;
    app.sign_in_with_role("clerk@example.com", "accountant")
        .await;
    let clerk_id = me_id(&app).await;
    let created = app
        .post(
            "/api/tokens",
            json!({"name": "nightly import", "scopes": ["read", "books:write"]}),
        )
        .await
        .expect(201);
    let secret = created["token"].as_str().unwrap().to_string();
    assert!(secret.starts_with("lgr_"), "{secret}");
    for key in [
        "id",
        "name",
        "scopes",
        "created_at",
        "expires_at",
        "last_used_at",
    ] {
        assert!(created.get(key).is_some(), "{key}");
    }
    let stored: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM api_tokens")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_ne!(stored, secret.as_bytes(), "only a digest is stored");

    let bot = as_token(&app, &secret).await;
    bot.get("/api/accounts").await.expect(200);
    bot.account("Bank", "asset", "USD").await;
    // Scopes it lacks, admin actions, and token management are refused.
    assert_eq!(
        bot.post(
            "/api/traffic/sources",
            json!({"name": "M", "kind": "mobile_dsp", "currency": "USD"})
        )
        .await
        .status,
        403
    );
    assert_eq!(bot.get("/api/audit/events").await.status, 403);
    assert_eq!(
        bot.post("/api/tokens", json!({"name": "x", "scopes": ["read"]}))
            .await
            .status,
        403
    );

    // Scopes beyond the role are refused when creating.
    let r = app
        .post("/api/tokens", json!({"name": "a", "scopes": ["audit"]}))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.body["field"], "scopes");
    let r = app
        .post("/api/tokens", json!({"name": "a", "scopes": ["root"]}))
        .await;
    assert_eq!(r.status, 422);

    // A postback-only token reads nothing.
    let postback = app
        .post(
            "/api/tokens",
            json!({"name": "tracker", "scopes": ["postback"]}),
        )
        .await
        .expect(201);
    let pb = as_token(&app, postback["token"].as_str().unwrap()).await;
    assert_eq!(pb.get("/api/accounts").await.status, 403);

    // Listed without the secret.
    let list = app.get("/api/tokens").await.expect(200);
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    assert!(list["items"][0].get("token").is_none());

    // Demoting the user takes the token's write right at once.
    let admin = as_token(&app, app.admin_token.as_deref().unwrap()).await;
    admin
        .patch(&format!("/api/users/{clerk_id}"), json!({"role": "viewer"}))
        .await
        .expect(200);
    assert_eq!(
        bot.post(
            "/api/accounts",
            json!({"name": "Cash", "type": "asset", "kind": "cash", "currency": "USD"})
        )
        .await
        .status,
        403
    );
    bot.get("/api/accounts").await.expect(200);
    // Admins see everyone's tokens with all=true; others may not.
    let all = admin.get("/api/tokens?all=true").await.expect(200);
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    assert_eq!(app.get("/api/tokens?all=true").await.status, 403);

    // Revoked: refused at once.
    app.delete(&format!("/api/tokens/{}", id(&created)))
        .await
        .expect(204);
    assert_eq!(bot.get("/api/accounts").await.status, 401);
    assert_eq!(
        admin
            .delete(&format!("/api/tokens/{}", uuid::Uuid::new_v4()))
            .await
            .status,
        404
    );
    // A made-up token is refused.
    let fake = as_token(&app, &format!("lgr_{}", "A".repeat(43))).await;
    assert_eq!(fake.get("/api/accounts").await.status, 401);
}

#[tokio::test]
async fn access_changes_are_events_in_the_audit_log_without_secrets() {
    let mut app = TestApp::spawn().await.admin().await;
    let inv = app.invite("ivy@example.com", "viewer").await;
    app.delete(&format!(
        "/api/invitations/{}",
        id(&app.invite("x@example.com", "viewer").await)
    ))
    .await
    .expect(204);
    app.post(
        "/api/auth/register",
        json!({"password": PASSWORD, "invitation_token": TestApp::invitation_token(&inv)}),
    )
    .await
    .expect(201);
    app.login("ivy@example.com", "wrong password!!").await;
    app.sign_in_as("ivy@example.com").await;
    let ivy = me_id(&app).await;
    let token = app
        .post("/api/tokens", json!({"name": "t", "scopes": ["read"]}))
        .await
        .expect(201);
    app.delete(&format!("/api/tokens/{}", id(&token)))
        .await
        .expect(204);
    let admin = as_token(&app, app.admin_token.as_deref().unwrap()).await;
    admin
        .patch(&format!("/api/users/{ivy}"), json!({"role": "auditor"}))
        .await
        .expect(200);
    admin
        .patch(&format!("/api/users/{ivy}"), json!({"disabled": true}))
        .await
        .expect(200);
    app.wait_all_sealed().await;

    let text = admin
        .client
        .get(format!(
            "{}/api/audit/events?aggregate_type=access",
            admin.base
        ))
        .bearer_auth(admin.token.as_deref().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let items: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("ndjson line"))
        .collect();
    let kinds: Vec<String> = items
        .iter()
        .map(|e| e["event_type"].as_str().unwrap_or_default().to_string())
        .collect();
    for kind in [
        "InvitationCreated",
        "InvitationRevoked",
        "InvitationAccepted",
        "LoginFailed",
        "LoginSucceeded",
        "ApiTokenCreated",
        "ApiTokenRevoked",
        "RoleChanged",
        "Disabled",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
    let text = serde_json::to_string(&items).unwrap();
    assert!(!text.contains(PASSWORD) && !text.contains("wrong password!!"));
    assert!(!text.contains(token["token"].as_str().unwrap()));
    assert!(!text.contains(&TestApp::invitation_token(&inv)));
    assert!(!text.contains("argon2"));
}

/// Behind a reverse proxy every request comes from the proxy's address. With the proxy in
/// `LEDGER_TRUSTED_PROXIES` each client it forwards (`X-Forwarded-For`) has its own budget;
/// without it the header is ignored, so a client cannot pick an address to dodge the limit.
#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_budget() {
    async fn login_from(app: &TestApp, forwarded_for: &str) -> u16 {
        app.client
            .post(format!("{}/api/auth/login", app.base))
            .header("x-forwarded-for", forwarded_for)
            .json(&json!({"email": "someone@example.com", "password": "wrong password"}))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }
    let behind_proxy = TestApp::spawn_with(|s| {
        s.auth_rate_per_ip_per_minute = 2;
        s.trusted_proxies = vec![api::client_ip::parse_trusted_proxy("127.0.0.1").unwrap()];
    })
    .await;
    for _ in 0..2 {
        assert_eq!(login_from(&behind_proxy, "203.0.113.1").await, 401);
    }
    assert_eq!(login_from(&behind_proxy, "203.0.113.1").await, 429);
    // Another client through the same proxy; a forged entry left of the proxy's is not believed.
    assert_eq!(login_from(&behind_proxy, "203.0.113.2").await, 401);
    assert_eq!(
        login_from(&behind_proxy, "203.0.113.2, 203.0.113.1").await,
        429
    );

    let direct = TestApp::spawn_with(|s| s.auth_rate_per_ip_per_minute = 2).await;
    for _ in 0..2 {
        assert_eq!(login_from(&direct, "203.0.113.1").await, 401);
    }
    assert_eq!(login_from(&direct, "203.0.113.2").await, 429);
}
