//! Issue 11: the authorization matrix. Every operation of the OpenAPI document is called by every
//! kind of caller (no token, each role, a user without a role, an API token of each scope), and whether the caller got past authorization is
//! compared with `tests/authz/matrix.tsv`, the reviewed table of who may do what.
//!
//! A request's body and required query parameters are generated from the operation's schema
//! (type-correct, minimal), so that input checks that run before the handler's role check do
//! not hide it. Path ids are random: a caller that passes authorization usually meets a 404 or
//! a 422, which counts as passing. Only 401 and 403 count as refused.
//!
//! After a deliberate change of the policy, regenerate the table with
//! `UPDATE_AUTHZ_MATRIX=1 cargo test -p e2e --test authz_matrix` and review its diff.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use api::config::RegistrationMode;
use e2e::TestApp;
use e2e::openapi::{Mode, calls};
use serde_json::{Value, json};

const MATRIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/authz/matrix.tsv");
/// Whether a caller got past authorization: refused only by the codes of authorization itself
/// (a wrong password's 401 or a throttle's 429 on the sign-in routes is no refusal of access).
fn verdict(status: u16, code: &Value) -> &'static str {
    match (status, code.as_str()) {
        (401, Some("unauthorized")) => "401",
        (403, Some("forbidden" | "session_required")) => "403",
        _ => "pass",
    }
}

const ROLES: [&str; 5] = ["admin", "accountant", "analyst", "viewer", "auditor"];
/// API tokens, one per scope, each made by the admin (so only the scope limits it).
const SCOPES: [&str; 6] = [
    "read",
    "books:write",
    "traffic:write",
    "postback",
    "audit",
    "metrics",
];

/// Signs in one user per role (the admin first, who invites the rest), a user who signed up
/// under open registration and has no role yet, and makes one API token per scope; answers the
/// callers' names and bearer tokens.
async fn callers(app: &mut TestApp) -> Vec<(String, Option<String>)> {
    let mut out = vec![("none".to_string(), None)];
    app.sign_in_as("admin@example.com").await;
    let admin = app.token.clone();
    out.push(("admin".to_string(), admin.clone()));
    for role in ROLES.iter().skip(1) {
        let email = format!("{role}@example.com");
        app.token = admin.clone();
        let invitation = app.invite(&email, role).await;
        let token = TestApp::invitation_token(&invitation);
        app.token = None;
        app.post(
            "/api/auth/register",
            json!({"password": e2e::PASSWORD, "invitation_token": token}),
        )
        .await
        .expect(201);
        let login = app.login(&email, e2e::PASSWORD).await.expect(200);
        out.push((
            role.to_string(),
            login["access_token"].as_str().map(str::to_string),
        ));
    }
    app.token = None;
    app.post(
        "/api/auth/register",
        json!({"email": "pending@example.com", "password": e2e::PASSWORD}),
    )
    .await
    .expect(202);
    let login = app
        .login("pending@example.com", e2e::PASSWORD)
        .await
        .expect(200);
    out.push((
        "pending".to_string(),
        login["access_token"].as_str().map(str::to_string),
    ));
    app.token = admin.clone();
    for scope in SCOPES {
        let made = app
            .post("/api/tokens", json!({"name": scope, "scopes": [scope]}))
            .await
            .expect(201);
        out.push((
            format!("token:{scope}"),
            made["token"].as_str().map(str::to_string),
        ));
    }
    app.token = admin;
    out
}

#[tokio::test]
async fn every_operation_answers_each_caller_as_the_matrix_says() {
    // Open registration, so that a user without a role (`pending`) can be among the callers.
    let mut app = TestApp::spawn_with(|s| s.registration = RegistrationMode::Open).await;
    let doc = serde_json::to_value(api::routes::openapi()).expect("the OpenAPI document");
    let callers = callers(&mut app).await;
    let mut table = String::from("method\tpath");
    for (name, _) in &callers {
        write!(table, "\t{name}").unwrap();
    }
    table.push('\n');
    for call in calls(&doc, Mode::Plausible) {
        write!(table, "{}\t{}", call.method, call.template).unwrap();
        for (_, token) in &callers {
            app.token = token.clone();
            let answer = app
                .request(call.method.clone(), &call.url, call.body.clone())
                .await;
            // Operations that call outside services (exchange rates, TronScan) answer 502/503
            // with a code of their own when those cannot be reached, as here; a 500 is a bug.
            let status = answer.status.as_u16();
            assert!(
                status < 500 || (status != 500 && answer.body["code"] != "internal_error"),
                "{} {} answered {}: {}",
                call.method,
                call.url,
                answer.status,
                answer.body
            );
            write!(table, "\t{}", verdict(status, &answer.body["code"])).unwrap();
        }
        table.push('\n');
    }
    if std::env::var_os("UPDATE_AUTHZ_MATRIX").is_some() {
        std::fs::write(MATRIX, &table).expect("write the matrix");
        return;
    }
    let expected = std::fs::read_to_string(MATRIX).expect("tests/authz/matrix.tsv");
    let rows = |t: &str| -> BTreeMap<String, String> {
        t.lines()
            .map(|l| {
                let (k, v) = l.split_once('\t').and_then(|(m, r)| {
                    r.split_once('\t')
                        .map(|(p, v)| (format!("{m} {p}"), v.to_string()))
                })?;
                Some((k, v))
            })
            .map(|r| r.expect("method, path and verdicts"))
            .collect()
    };
    let (want, got) = (rows(&expected), rows(&table));
    let mut differences = Vec::new();
    for (op, verdicts) in &got {
        match want.get(op) {
            Some(w) if w == verdicts => {}
            Some(w) => differences.push(format!("{op}: expected {w}, got {verdicts}")),
            None => differences.push(format!("{op}: not in the matrix (got {verdicts})")),
        }
    }
    for op in want.keys().filter(|op| !got.contains_key(*op)) {
        differences.push(format!("{op}: in the matrix but not in the API"));
    }
    assert!(
        differences.is_empty(),
        "the API's authorization differs from tests/authz/matrix.tsv \
         (UPDATE_AUTHZ_MATRIX=1 regenerates it; review the diff):\n{}",
        differences.join("\n")
    );
}
