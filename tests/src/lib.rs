//! The end-to-end test harness: one private PostgreSQL cluster per test process, a fresh
//! database per test, and the real server on a real TCP port.

pub mod binary;
pub mod openapi;

use std::path::PathBuf;

use api::config::Settings;
use api::startup::{Server, build_state};
use embedded_pg::{EmbeddedPostgres, Options};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::OnceCell;

static CLUSTER: OnceCell<EmbeddedPostgres> = OnceCell::const_new();

/// The cluster all tests of this process share, started on first use.
pub async fn cluster() -> &'static EmbeddedPostgres {
    CLUSTER
        .get_or_init(|| async {
            let dir =
                std::env::temp_dir().join(format!("ledger-test-{}", uuid::Uuid::new_v4().simple()));
            EmbeddedPostgres::start(Options {
                data_dir: dir,
                port: None,
                ephemeral: true,
            })
            .await
            .expect(
                "start the test PostgreSQL cluster (are the PostgreSQL server binaries installed?)",
            )
        })
        .await
}

/// A migrated, empty database of its own.
pub async fn fresh_database() -> String {
    let pg = cluster().await;
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    pg.create_database(&name).await.expect("create database");
    let url = pg.url(&name);
    api::db::migrate(&url).await.expect("migrate");
    url
}

fn tmp_data_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ledger-data-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("data dir");
    dir
}

/// A running server over its own database.
pub struct TestApp {
    pub base: String,
    pub url: String,
    pub client: Client,
    pub pool: sqlx::PgPool,
    pub token: Option<String>,
    /// The first user's access token, kept to invite everyone after them.
    pub admin_token: Option<String>,
}

/// The password every harness user signs in with.
pub const PASSWORD: &str = "correct horse battery staple";

/// An answer: status and JSON body (Null when the body is not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
    pub content_type: String,
}

impl Answer {
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected answer: {}",
            self.body
        );
        self.body
    }
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        let url = fresh_database().await;
        Self::spawn_on(url).await
    }

    pub async fn spawn_on(url: String) -> TestApp {
        Self::spawn_configured(url, |_| {}).await
    }

    /// A second server on database `url` with settings adjusted by `configure`.
    pub async fn spawn_on_with(url: String, configure: impl FnOnce(&mut Settings)) -> TestApp {
        Self::spawn_configured(url, configure).await
    }

    /// A server over a fresh database with settings adjusted by `configure`.
    pub async fn spawn_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
        let url = fresh_database().await;
        Self::spawn_configured(url, configure).await
    }

    async fn spawn_configured(url: String, configure: impl FnOnce(&mut Settings)) -> TestApp {
        let mut settings = Settings::for_database(&url, tmp_data_dir());
        configure(&mut settings);
        let pool = api::db::pool(&url, 20).await.expect("pool");
        let state = build_state(settings, pool.clone()).await.expect("state");
        let server = Server::bind(state).await.expect("bind");
        let addr = server.local_addr().expect("addr");
        tokio::spawn(server.run(std::future::pending()));
        let app = TestApp {
            base: format!("http://{addr}"),
            url,
            client: Client::new(),
            pool,
            token: None,
            admin_token: None,
        };
        app.wait_ready().await;
        app
    }

    async fn wait_ready(&self) {
        for _ in 0..200 {
            if let Ok(r) = self
                .client
                .get(format!("{}/readyz", self.base))
                .send()
                .await
                && r.status() == StatusCode::OK
            {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("server did not become ready");
    }

    pub async fn request(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let text = res.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            body,
            content_type,
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.request(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.request(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Answer {
        self.request(Method::PUT, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Answer {
        self.request(Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.request(Method::DELETE, path, None).await
    }

    /// Signs in with the harness password; answers the raw answer (no token is kept).
    pub async fn login(&self, email: &str, password: &str) -> Answer {
        let client = TestApp {
            token: None,
            ..self.clone_handle()
        };
        client
            .post(
                "/api/auth/login",
                json!({"email": email, "password": password}),
            )
            .await
    }

    fn clone_handle(&self) -> TestApp {
        TestApp {
            base: self.base.clone(),
            url: self.url.clone(),
            client: self.client.clone(),
            pool: self.pool.clone(),
            token: self.token.clone(),
            admin_token: self.admin_token.clone(),
        }
    }

    /// Invites `email` with `role` as the first admin signed in (else with the current
    /// session); answers the invitation.
    pub async fn invite(&self, email: &str, role: &str) -> Value {
        let admin = TestApp {
            token: self.admin_token.clone().or(self.token.clone()),
            ..self.clone_handle()
        };
        admin
            .post("/api/invitations", json!({"email": email, "role": role}))
            .await
            .expect(201)
    }

    /// The token of an invitation's link.
    pub fn invitation_token(invitation: &Value) -> String {
        let url = invitation["invite_url"].as_str().expect("invite_url");
        url.split("invitation=")
            .nth(1)
            .expect("token in url")
            .to_string()
    }

    /// Registers `email` (the first user of a database plainly, becoming admin; everyone after
    /// through an invitation for `role`, unless the account exists) and signs in.
    async fn register_and_sign_in(&mut self, email: &str, role: &str) -> Value {
        let current = self.token.take();
        let reg = self
            .post(
                "/api/auth/register",
                json!({"email": email, "password": PASSWORD}),
            )
            .await;
        let first = reg.status == 201 && reg.body["role"] == "admin";
        let first = first || self.is_only_admin(email).await;
        if reg.status == 403 && reg.body["code"] == "invitation_required" {
            let taken: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM users WHERE email_key = lower($1))",
            )
            .bind(email)
            .fetch_one(&self.pool)
            .await
            .expect("users");
            if !taken {
                let inviter = TestApp {
                    token: current,
                    ..self.clone_handle()
                };
                let invitation = inviter.invite(email, role).await;
                let token = Self::invitation_token(&invitation);
                self.post(
                    "/api/auth/register",
                    json!({"password": PASSWORD, "invitation_token": token}),
                )
                .await
                .expect(201);
            }
        } else {
            assert!(
                reg.status == 201 || reg.status == 409,
                "register: {:?}",
                reg
            );
        }
        let login = self.login(email, PASSWORD).await.expect(200);
        let token = login["access_token"]
            .as_str()
            .expect("access token")
            .to_string();
        if first {
            self.admin_token = Some(token.clone());
        }
        self.token = Some(token);
        login
    }

    /// Whether `email` is an admin while the harness knows no admin session yet (a second server
    /// over a database whose first user registered through another).
    async fn is_only_admin(&self, email: &str) -> bool {
        self.admin_token.is_none()
            && sqlx::query_scalar::<_, bool>(
                "SELECT EXISTS (SELECT 1 FROM users WHERE email_key = lower($1) AND role = 'admin')",
            )
            .bind(email)
            .fetch_one(&self.pool)
            .await
            .expect("users")
    }

    /// Registers and signs in; the first user of a database becomes admin, later ones join by
    /// an invitation as viewers.
    pub async fn sign_in_as(&mut self, email: &str) -> Value {
        self.register_and_sign_in(email, "viewer").await
    }

    /// Signs in as a new user with `role`, invited by the first user (the admin).
    pub async fn sign_in_with_role(&mut self, email: &str, role: &str) {
        self.register_and_sign_in(email, role).await;
    }

    pub async fn admin(mut self) -> Self {
        self.sign_in_as("admin@example.com").await;
        self
    }

    /// `/metrics` as the first admin's session reads it (the endpoint answers admins and API
    /// tokens with the `metrics` scope only).
    pub async fn metrics_text(&self) -> String {
        let token = self
            .admin_token
            .as_ref()
            .or(self.token.as_ref())
            .expect("sign in an admin first");
        let res = self
            .client
            .get(format!("{}/metrics", self.base))
            .bearer_auth(token)
            .send()
            .await
            .expect("metrics");
        assert_eq!(res.status(), 200, "/metrics");
        res.text().await.expect("metrics text")
    }

    /// Events sealed (and projected) so far.
    pub async fn sealed(&self) -> i64 {
        sqlx::query_scalar("SELECT last_seq FROM chain_head")
            .fetch_one(&self.pool)
            .await
            .expect("chain head")
    }

    /// Events in the log.
    pub async fn event_count(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM events")
            .fetch_one(&self.pool)
            .await
            .expect("count")
    }

    /// Waits until at least `n` events are sealed (10 s at most).
    pub async fn wait_sealed(&self, n: i64) {
        for _ in 0..400 {
            if self.sealed().await >= n {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!(
            "the projector did not seal {n} events (sealed {})",
            self.sealed().await
        );
    }

    /// Waits until this server's projector holds the leader lock (`/readyz` can answer before
    /// it has taken it), so a test of what the lock refuses does not race its taking.
    pub async fn wait_projector_leader(&self) {
        let mut conn = self.pool.acquire().await.expect("conn");
        for _ in 0..200 {
            if !projections::live::try_lock(&mut conn)
                .await
                .expect("try lock")
            {
                return;
            }
            projections::live::unlock(&mut conn).await.expect("unlock");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the projector never took its lock");
    }

    /// Waits until everything in the log is sealed and projected.
    pub async fn wait_all_sealed(&self) {
        self.wait_sealed(self.event_count().await).await;
    }

    /// Creates an account and returns its id.
    pub async fn account(&self, name: &str, account_type: &str, currency: &str) -> String {
        let kind = if account_type == "asset" {
            "bank"
        } else {
            "other"
        };
        let body = json!({"name": name, "type": account_type, "kind": kind, "currency": currency});
        let a = self.post("/api/accounts", body).await.expect(201);
        a["id"].as_str().expect("id").to_string()
    }

    /// Uploads a report file with form `fields`; answers the status and the import.
    pub async fn upload(&self, file_name: &str, bytes: Vec<u8>, fields: &[(&str, &str)]) -> Answer {
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_string()),
        );
        let mut req = self
            .client
            .post(format!("{}/api/traffic/imports", self.base))
            .multipart(form);
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.expect("upload");
        let status = res.status();
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let body = res.json().await.unwrap_or(Value::Null);
        Answer {
            status,
            body,
            content_type,
        }
    }

    /// Waits until import `id` has ended (30 s at most) and returns it.
    pub async fn wait_import(&self, id: &str) -> Value {
        for _ in 0..600 {
            let i = self
                .get(&format!("/api/traffic/imports/{id}"))
                .await
                .expect(200);
            if !matches!(i["state"].as_str(), Some("queued" | "running")) {
                return i;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("import {id} did not finish");
    }
}
