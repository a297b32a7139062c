//! Requests generated from the OpenAPI document: a plausible one per operation (type-correct,
//! minimal, so input checks before the handler do not hide what comes after), or hostile ones
//! (a field replaced by text and numbers that have broken servers before) for fuzzing.

use reqwest::Method;
use serde_json::{Map, Value, json};

/// What kind of requests [`calls`] makes.
#[derive(Debug, Clone, Copy)]
pub enum Mode {
    /// A minimal, type-correct request per operation.
    Plausible,
    /// The plausible request with one body field, query parameter or path id replaced by a
    /// hostile value, chosen by `seed` (the same seed makes the same requests).
    Hostile { seed: u64 },
}

/// Values that have broken servers before: NUL and other text PostgreSQL or terminals choke
/// on, huge and tiny numbers, wrong types, deep nesting, formula and SQL look-alikes.
pub fn hostile_values() -> Vec<Value> {
    let mut nested = json!("deep");
    for _ in 0..64 {
        nested = json!([nested]);
    }
    vec![
        json!("\u{0}"),
        json!("a\u{0}b"),
        // Long, but within what a URI may hold (the http crate refuses 64 KiB).
        json!("x".repeat(10_000)),
        json!("\u{202E}gnp.exe"),
        json!("🧾".repeat(300)),
        json!(""),
        json!("   "),
        json!("\u{FEFF}\u{200B}"),
        json!("=HYPERLINK(\"http://x\")"),
        json!("'; DROP TABLE events; --"),
        json!("%00"),
        json!("../../etc/passwd"),
        json!(-1),
        json!(0),
        json!(i64::MAX),
        json!(u64::MAX),
        json!(1e308),
        json!("1e309"),
        json!("-0.0000000000000000000000000001"),
        json!("99999999999999999999999999999999"),
        json!("NaN"),
        json!(true),
        Value::Null,
        json!([]),
        json!({}),
        nested,
    ]
}

/// A small deterministic generator (SplitMix64): the fuzz cases must repeat exactly from a
/// seed, and a few lines beat a dependency for that.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % n.max(1) as u64) as usize
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Replaces one value somewhere in `body` (a leaf or a whole subtree) by `bad`.
fn poison(body: &mut Value, rng: &mut Rng, bad: Value) {
    let descend = match body {
        Value::Object(m) => !m.is_empty() && rng.below(3) > 0,
        Value::Array(items) => !items.is_empty() && rng.below(3) > 0,
        _ => false,
    };
    if !descend {
        *body = bad;
        return;
    }
    match body {
        Value::Object(m) => {
            let key = m.keys().nth(rng.below(m.len())).cloned().expect("a key");
            poison(m.get_mut(&key).expect("the key"), rng, bad);
        }
        Value::Array(items) => {
            let i = rng.below(items.len());
            poison(&mut items[i], rng, bad);
        }
        _ => unreachable!("only containers are descended into"),
    }
}

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
pub struct Call {
    pub method: Method,
    pub template: String,
    pub url: String,
    pub body: Option<Value>,
}

pub fn calls(doc: &Value, mode: Mode) -> Vec<Call> {
    let mut out = Vec::new();
    for (template, ops) in doc["paths"].as_object().expect("paths") {
        for (method, op) in ops.as_object().expect("operations") {
            let Ok(method) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            let mut rng = match mode {
                Mode::Plausible => None,
                Mode::Hostile { seed } => Some(Rng(seed ^ hash(template) ^ hash(method.as_str()))),
            };
            let hostile = hostile_values();
            let mut bad = rng
                .as_mut()
                .map(|r| hostile[r.below(hostile.len())].clone());
            let params: Vec<&Value> = op["parameters"].as_array().into_iter().flatten().collect();
            // Where the hostile value goes: 0 the body, 1 a query parameter, 2 a path id.
            let target = rng.as_mut().map_or(0, |r| r.below(3));
            let mut url = template.clone();
            let mut query = Vec::new();
            for p in &params {
                let name = p["name"].as_str().expect("a parameter name");
                let value = sample(doc, &p["schema"], 0);
                let mut text = value
                    .as_str()
                    .map_or_else(|| value.to_string(), str::to_string);
                let place = p["in"].as_str();
                let poisoned = (target == 1 && place == Some("query"))
                    || (target == 2 && place == Some("path"));
                if poisoned && let Some(b) = bad.take() {
                    text = b.as_str().map_or_else(|| b.to_string(), str::to_string);
                }
                match place {
                    Some("path") => url = url.replace(&format!("{{{name}}}"), &encode(&text)),
                    Some("query") if p["required"] == true || rng.is_some() => {
                        query.push(format!("{name}={}", encode(&text)))
                    }
                    _ => {}
                }
            }
            if !query.is_empty() {
                url = format!("{url}?{}", query.join("&"));
            }
            let mut body = op["requestBody"]["content"]["application/json"]["schema"]
                .as_object()
                .map(|s| sample(doc, &Value::Object(s.clone()), 0));
            if let (Some(b), Some(r), Some(bad)) = (body.as_mut(), rng.as_mut(), bad) {
                poison(b, r, bad);
            }
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

/// FNV-1a, to give every operation its own stream of cases from one seed.
fn hash(text: &str) -> u64 {
    text.bytes().fold(0xCBF2_9CE4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01B3)
    })
}
