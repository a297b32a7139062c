//! Browser sessions (issue 11, finding 9) over real HTTP: the refresh token in an HttpOnly
//! cookie when the client asks for it (`X-Session: cookie`), refresh and logout by that cookie
//! behind a double-submit CSRF check, the JSON flow of API clients unchanged, and the security
//! headers on every response.

use e2e::TestApp;
use reqwest::header::{HeaderMap, SET_COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple";

/// An answer with its headers, which `TestApp::request` drops.
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

impl Reply {
    /// The `Set-Cookie` line for `name`, if the answer sets it.
    fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|line| line.starts_with(&format!("{name}=")))
            .map(str::to_string)
    }

    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
}

/// The value of a `Set-Cookie` line (`name=value; ...`).
fn cookie_value(line: &str) -> String {
    let pair = line.split(';').next().unwrap();
    pair.split_once('=').unwrap().1.to_string()
}

/// The attributes of a `Set-Cookie` line, lower-cased, without the pair.
fn attributes(line: &str) -> Vec<String> {
    line.split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect()
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Reply {
    let mut req = app.client.request(method, format!("{}{path}", app.base));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.expect("request");
    let status = res.status();
    let headers = res.headers().clone();
    let text = res.text().await.expect("body");
    Reply {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

async fn register(app: &TestApp, email: &str) {
    let reg = app
        .post(
            "/api/auth/register",
            json!({"email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(reg.status, 201, "register: {:?}", reg.body);
}

/// A cookie sign-in: answers the refresh cookie's and the CSRF cookie's values.
async fn cookie_login(app: &TestApp, email: &str) -> (Reply, String, String) {
    let r = send(
        app,
        Method::POST,
        "/api/auth/login",
        &[("x-session", "cookie")],
        Some(json!({"email": email, "password": PASSWORD})),
    )
    .await;
    assert_eq!(r.status, 200, "login: {}", r.body);
    let refresh = cookie_value(&r.set_cookie("ledger_refresh").expect("refresh cookie"));
    let csrf = cookie_value(&r.set_cookie("ledger_csrf").expect("csrf cookie"));
    (r, refresh, csrf)
}

fn cookies(refresh: &str, csrf: &str) -> String {
    format!("ledger_refresh={refresh}; ledger_csrf={csrf}")
}

#[tokio::test]
async fn a_cookie_sign_in_keeps_the_refresh_token_out_of_the_body_and_out_of_scripts() {
    let app = TestApp::spawn().await;
    register(&app, "cookie@example.com").await;
    let (r, refresh, csrf) = cookie_login(&app, "cookie@example.com").await;

    assert!(r.body["access_token"].is_string(), "{}", r.body);
    assert!(
        r.body.get("refresh_token").is_none(),
        "refresh token leaked into the body: {}",
        r.body
    );
    let line = r.set_cookie("ledger_refresh").unwrap();
    let attrs = attributes(&line);
    for want in ["httponly", "samesite=strict", "path=/api/auth"] {
        assert!(attrs.contains(&want.to_string()), "{want} missing: {line}");
    }
    assert!(
        attrs.contains(&format!("max-age={}", 30 * 86_400)),
        "{line}"
    );
    assert!(
        !attrs.contains(&"secure".to_string()),
        "plain-http public URL: {line}"
    );
    assert_eq!(refresh.len(), 43);

    // The CSRF cookie is readable by the page (no HttpOnly) on every path.
    let line = r.set_cookie("ledger_csrf").unwrap();
    let attrs = attributes(&line);
    assert!(!attrs.contains(&"httponly".to_string()), "{line}");
    assert!(attrs.contains(&"path=/".to_string()), "{line}");
    assert!(attrs.contains(&"samesite=strict".to_string()), "{line}");
    assert!(!csrf.is_empty() && csrf != refresh);

    // The access token works.
    let me = send(
        &app,
        Method::GET,
        "/api/auth/me",
        &[(
            "authorization",
            &format!("Bearer {}", r.body["access_token"].as_str().unwrap()),
        )],
        None,
    )
    .await;
    assert_eq!(me.status, 200, "{}", me.body);
}

#[tokio::test]
async fn cookies_are_secure_when_the_public_url_is_https() {
    let app = TestApp::spawn_with(|s| s.public_url = "https://ledger.example.com".into()).await;
    register(&app, "tls@example.com").await;
    let (r, _, _) = cookie_login(&app, "tls@example.com").await;
    for name in ["ledger_refresh", "ledger_csrf"] {
        let line = r.set_cookie(name).unwrap();
        assert!(attributes(&line).contains(&"secure".to_string()), "{line}");
    }
}

#[tokio::test]
async fn refresh_by_cookie_needs_the_csrf_header_and_rotates_the_cookie() {
    let app = TestApp::spawn().await;
    register(&app, "csrf@example.com").await;
    let (_, refresh, csrf) = cookie_login(&app, "csrf@example.com").await;
    let jar = cookies(&refresh, &csrf);

    // No header, a wrong header, and a forged pair (header = cookie, but not this session's).
    let forged = "A".repeat(43);
    let forged_jar = cookies(&refresh, &forged);
    for headers in [
        vec![("cookie", jar.as_str())],
        vec![("cookie", jar.as_str()), ("x-csrf-token", "wrong")],
        vec![("cookie", forged_jar.as_str()), ("x-csrf-token", &forged)],
    ] {
        let r = send(&app, Method::POST, "/api/auth/refresh", &headers, None).await;
        assert_eq!(r.status, 403, "{headers:?}: {}", r.body);
        assert_eq!(r.body["code"], "csrf_failed");
        assert!(
            r.header("content-type")
                .unwrap()
                .starts_with("application/problem+json")
        );
    }

    // The refused attempts spent nothing: the right header refreshes (empty body or `{}`).
    let r = send(
        &app,
        Method::POST,
        "/api/auth/refresh",
        &[("cookie", &jar), ("x-csrf-token", &csrf)],
        Some(json!({})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body["access_token"].is_string());
    assert!(r.body.get("refresh_token").is_none(), "{}", r.body);
    let next = cookie_value(&r.set_cookie("ledger_refresh").expect("rotated cookie"));
    let next_csrf = cookie_value(&r.set_cookie("ledger_csrf").expect("new csrf cookie"));
    assert_ne!(next, refresh);
    assert_ne!(next_csrf, csrf);

    // The new pair works without a body at all; the old cookie is spent.
    let r = send(
        &app,
        Method::POST,
        "/api/auth/refresh",
        &[
            ("cookie", &cookies(&next, &next_csrf)),
            ("x-csrf-token", &next_csrf),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = send(
        &app,
        Method::POST,
        "/api/auth/refresh",
        &[("cookie", &jar), ("x-csrf-token", &csrf)],
        None,
    )
    .await;
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(r.body["code"], "refresh_token_reused");
    // A refused refresh tells the browser to forget the dead session.
    let gone = r.set_cookie("ledger_refresh").expect("cleared cookie");
    assert!(
        attributes(&gone).contains(&"max-age=0".to_string()),
        "{gone}"
    );
}

#[tokio::test]
async fn logout_by_cookie_clears_the_cookies_and_ends_the_session() {
    let app = TestApp::spawn().await;
    register(&app, "bye@example.com").await;
    let (_, refresh, csrf) = cookie_login(&app, "bye@example.com").await;
    let jar = cookies(&refresh, &csrf);

    let r = send(
        &app,
        Method::POST,
        "/api/auth/logout",
        &[("cookie", &jar)],
        None,
    )
    .await;
    assert_eq!(r.status, 403, "logout without the CSRF header: {}", r.body);
    assert_eq!(r.body["code"], "csrf_failed");

    let r = send(
        &app,
        Method::POST,
        "/api/auth/logout",
        &[("cookie", &jar), ("x-csrf-token", &csrf)],
        None,
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.body);
    for name in ["ledger_refresh", "ledger_csrf"] {
        let line = r
            .set_cookie(name)
            .unwrap_or_else(|| panic!("{name} not cleared"));
        assert_eq!(cookie_value(&line), "", "{line}");
        assert!(
            attributes(&line).contains(&"max-age=0".to_string()),
            "{line}"
        );
    }
    let again = app
        .post("/api/auth/refresh", json!({"refresh_token": refresh}))
        .await;
    assert_eq!(again.status, 401, "{:?}", again.body);
}

#[tokio::test]
async fn api_clients_keep_the_json_flow_and_get_no_cookies() {
    let app = TestApp::spawn().await;
    register(&app, "json@example.com").await;
    let login = send(
        &app,
        Method::POST,
        "/api/auth/login",
        &[],
        Some(json!({"email": "json@example.com", "password": PASSWORD})),
    )
    .await;
    assert_eq!(login.status, 200);
    assert!(login.set_cookie("ledger_refresh").is_none());
    assert!(login.set_cookie("ledger_csrf").is_none());
    let token = login.body["refresh_token"].as_str().unwrap().to_string();

    // A refresh token in the body needs no CSRF header, even beside a (stale) cookie.
    let r = send(
        &app,
        Method::POST,
        "/api/auth/refresh",
        &[("cookie", "ledger_refresh=stale; ledger_csrf=x")],
        Some(json!({"refresh_token": token})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let next = r.body["refresh_token"].as_str().unwrap().to_string();
    assert!(r.set_cookie("ledger_refresh").is_none());
    let out = app
        .post("/api/auth/logout", json!({"refresh_token": next}))
        .await;
    assert_eq!(out.status, 204);

    // Without a token in the body or a cookie, refresh is refused as before.
    let r = send(
        &app,
        Method::POST,
        "/api/auth/refresh",
        &[],
        Some(json!({})),
    )
    .await;
    assert!(r.status.is_client_error(), "{}", r.body);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    for path in [
        "/healthz",
        "/api/accounts",
        "/api/openapi.json",
        "/no/such/page",
    ] {
        let r = send(&app, Method::GET, path, &[], None).await;
        let csp = r
            .header("content-security-policy")
            .unwrap_or_else(|| panic!("{path}: no CSP"));
        for want in [
            "default-src 'self'",
            "script-src 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'none'",
        ] {
            assert!(csp.contains(want), "{path}: {want} missing in {csp}");
        }
        assert!(!csp.contains("'unsafe-inline' 'unsafe-eval'"), "{csp}");
        let script = csp
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap();
        assert!(!script.contains("unsafe-inline"), "{path}: {script}");
        assert_eq!(
            r.header("x-content-type-options").as_deref(),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            r.header("x-frame-options").as_deref(),
            Some("DENY"),
            "{path}"
        );
        assert_eq!(
            r.header("referrer-policy").as_deref(),
            Some("no-referrer"),
            "{path}"
        );
    }
    // The API docs page gets its own policy, still without inline scripts.
    let r = send(&app, Method::GET, "/api/docs/", &[], None).await;
    assert_eq!(r.status, 200);
    let csp = r.header("content-security-policy").expect("docs CSP");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let script = csp
        .split(';')
        .find(|d| d.trim().starts_with("script-src"))
        .unwrap();
    assert!(!script.contains("unsafe-inline"), "{script}");
}
