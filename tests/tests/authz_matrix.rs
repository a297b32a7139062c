//! Issue 11: the authorization matrix. Every operation of the OpenAPI document is called by every
//! kind of caller (no token, each role), and whether the caller got past authorization is
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

use e2e::TestApp;
use e2e::openapi::{Mode, calls};
use serde_json::Value;

const MATRIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/authz/matrix.tsv");
/// Whether a caller got past authorization: refused only by the codes of authorization itself
/// (a wrong password's 401 or a throttle's 429 on the sign-in routes is no refusal of access).
fn verdict(status: u16, code: &Value) -> &'static str {
    match (status, code.as_str()) {
        (401, Some("unauthorized")) => "401",
        (403, Some("forbidden")) => "403",
        _ => "pass",
    }
}

const ROLES: [&str; 5] = ["admin", "accountant", "analyst", "viewer", "auditor"];

/// Signs in one user per role (the admin first, who invites the rest) and answers their tokens.
async fn tokens(app: &mut TestApp) -> Vec<(String, Option<String>)> {
    let mut out = vec![("none".to_string(), None)];
    app.sign_in_as("admin@example.com").await;
    let admin = app.token.clone();
    for role in ROLES.iter().skip(1) {
        app.token = admin.clone();
        app.sign_in_with_role(&format!("{role}@example.com"), role)
            .await;
        out.push((role.to_string(), app.token.clone()));
    }
    out.insert(1, ("admin".to_string(), admin.clone()));
    app.token = admin;
    out
}

#[tokio::test]
async fn every_operation_answers_each_caller_as_the_matrix_says() {
    let mut app = TestApp::spawn().await;
    let doc = serde_json::to_value(api::routes::openapi()).expect("the OpenAPI document");
    let callers = tokens(&mut app).await;
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
