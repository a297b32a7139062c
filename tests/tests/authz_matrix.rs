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
use reqwest::Method;
use serde_json::{Map, Value, json};

const MATRIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/authz/matrix.tsv");
/// Deepest schema nesting a generated body follows (guards recursive schemas).
const MAX_DEPTH: usize = 8;

/// Resolves a `$ref` into the components of `doc`.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.rsplit('/').next().expect("a ref name");
            resolve(doc, &doc["components"]["schemas"][name])
        }
        None => schema,
    }
}

/// The first type of `schema` that is not null.
fn type_of(schema: &Value) -> Option<&str> {
    match &schema["type"] {
        Value::String(t) => Some(t.as_str()),
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    }
}

/// A plausible string for a property the schema types only as a string (currencies are
/// strings with a meaning), so that the body gets past its parser to the handler.
fn string_for(name: &str) -> &'static str {
    match name {
        "currency" | "base" | "quote" | "from" | "to" => "USD",
        "timezone" => "UTC",
        "email" => "someone@example.com",
        "password" => "correct horse battery staple",
        "amount" | "rate" | "unit_price" | "quantity" | "payout" => "1",
        _ => "x",
    }
}

/// A minimal value of `schema`: required properties only, first enum value, plausible strings.
fn sample(doc: &Value, schema: &Value, depth: usize) -> Value {
    sample_named(doc, schema, "", depth)
}

fn sample_named(doc: &Value, schema: &Value, name: &str, depth: usize) -> Value {
    let schema = resolve(doc, schema);
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    if let Some(values) = schema["enum"].as_array() {
        return values
            .iter()
            .find(|v| !v.is_null())
            .cloned()
            .unwrap_or(Value::Null);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(variants) = schema[key].as_array() {
            let first = variants.iter().find(|v| resolve(doc, v)["type"] != "null");
            return first.map_or(Value::Null, |v| sample_named(doc, v, name, depth + 1));
        }
    }
    if let Some(parts) = schema["allOf"].as_array() {
        let mut merged = Map::new();
        for part in parts {
            if let Value::Object(m) = sample_named(doc, part, name, depth + 1) {
                merged.extend(m);
            }
        }
        return Value::Object(merged);
    }
    match type_of(schema) {
        Some("object") | None if schema.get("properties").is_some() => {
            let mut out = Map::new();
            for name in schema["required"].as_array().into_iter().flatten() {
                let name = name.as_str().expect("a property name");
                let property = &schema["properties"][name];
                out.insert(name.into(), sample_named(doc, property, name, depth + 1));
            }
            Value::Object(out)
        }
        Some("object") => json!({}),
        Some("array") => {
            let min = schema["minItems"].as_u64().unwrap_or(0);
            let item = sample(doc, &schema["items"], depth + 1);
            Value::Array((0..min).map(|_| item.clone()).collect())
        }
        Some("integer") => json!(1),
        Some("number") => json!(1),
        Some("boolean") => json!(false),
        Some("string") => json!(match schema["format"].as_str() {
            Some("uuid") => uuid::Uuid::new_v4().to_string(),
            Some("date") => "2026-11-02".to_string(),
            Some("date-time") => "2026-11-02T00:00:00Z".to_string(),
            _ => string_for(name).to_string(),
        }),
        _ => Value::Null,
    }
}

/// One operation, ready to send.
struct Call {
    method: Method,
    template: String,
    url: String,
    body: Option<Value>,
}

fn calls(doc: &Value) -> Vec<Call> {
    let mut out = Vec::new();
    for (template, ops) in doc["paths"].as_object().expect("paths") {
        for (method, op) in ops.as_object().expect("operations") {
            let Ok(method) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            let mut url = template.clone();
            let mut query = Vec::new();
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().expect("a parameter name");
                let value = sample(doc, &p["schema"], 0);
                let text = value
                    .as_str()
                    .map_or_else(|| value.to_string(), str::to_string);
                match p["in"].as_str() {
                    Some("path") => url = url.replace(&format!("{{{name}}}"), &text),
                    Some("query") if p["required"] == true => query.push(format!("{name}={text}")),
                    _ => {}
                }
            }
            if !query.is_empty() {
                url = format!("{url}?{}", query.join("&"));
            }
            let body = op["requestBody"]["content"]["application/json"]["schema"]
                .as_object()
                .map(|s| sample(doc, &Value::Object(s.clone()), 0));
            out.push(Call {
                method,
                template: template.clone(),
                url,
                body,
            });
        }
    }
    out.sort_by(|a, b| (&a.template, a.method.as_str()).cmp(&(&b.template, b.method.as_str())));
    out
}

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
    for call in calls(&doc) {
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
