//! A local HTTP server that answers with scripted (recorded) responses and remembers every
//! request, so tests can assert what the clients sent. Shared by the tronscan* and fx* tests.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;

/// One scripted answer.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The server waits this long before answering (to provoke client timeouts).
    pub delay: Duration,
}

impl Reply {
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    pub fn ok(body: impl Into<Vec<u8>>) -> Self {
        Self::new(200, body)
    }

    /// A recorded response from `importers/fixtures/<relative>`.
    pub fn fixture(relative: &str) -> Self {
        Self::fixture_with_status(200, relative)
    }

    pub fn fixture_with_status(status: u16, relative: &str) -> Self {
        let body = fixture(relative);
        let content_type = if relative.ends_with(".xml") {
            "text/xml"
        } else {
            "application/json"
        };
        Self::new(status, body).header("content-type", content_type)
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

pub fn fixture(relative: &str) -> Vec<u8> {
    let path = format!("{}/fixtures/{relative}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

/// A request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
}

impl Seen {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

struct Route {
    path: String,
    when: Vec<(String, String)>,
    replies: VecDeque<Reply>,
}

#[derive(Default)]
struct Shared {
    routes: Mutex<Vec<Route>>,
    seen: Mutex<Vec<Seen>>,
}

pub struct MockServer {
    pub base_url: String,
    shared: Arc<Shared>,
}

impl MockServer {
    pub async fn start() -> Self {
        let shared = Arc::new(Shared::default());
        let app = Router::new().fallback(answer).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind a local port");
        let addr = listener.local_addr().expect("local address");
        tokio::spawn(async move {
            axum::serve(listener, app).await.expect("mock server");
        });
        Self {
            base_url: format!("http://{addr}"),
            shared,
        }
    }

    /// Answers requests to `path` with `replies` in order; the last one repeats for ever.
    pub fn on(&self, path: &str, replies: Vec<Reply>) {
        self.on_query(path, &[], replies);
    }

    /// Like [`on`](Self::on) for requests carrying all of `when` as query parameters. Routes
    /// are tried in the order they were added, so add the most specific first.
    pub fn on_query(&self, path: &str, when: &[(&str, &str)], replies: Vec<Reply>) {
        assert!(!replies.is_empty(), "a route needs at least one reply");
        self.shared.routes.lock().unwrap().push(Route {
            path: path.to_string(),
            when: when
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            replies: replies.into(),
        });
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.shared.seen.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.shared.seen.lock().unwrap().len()
    }
}

async fn answer(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    let seen = Seen {
        path: uri.path().to_string(),
        query,
        headers,
    };
    let reply = {
        let mut routes = shared.routes.lock().unwrap();
        routes
            .iter_mut()
            .find(|r| {
                r.path == seen.path
                    && r.when
                        .iter()
                        .all(|(k, v)| seen.param(k).is_some_and(|p| p == v))
            })
            .map(|r| {
                if r.replies.len() > 1 {
                    r.replies.pop_front().expect("non-empty")
                } else {
                    r.replies[0].clone()
                }
            })
    };
    shared.seen.lock().unwrap().push(seen);
    let reply = reply.unwrap_or_else(|| Reply::new(404, "no scripted reply"));
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    let mut response = Response::builder().status(reply.status);
    for (name, value) in &reply.headers {
        response = response.header(name, value);
    }
    response.body(Body::from(reply.body)).expect("response")
}
