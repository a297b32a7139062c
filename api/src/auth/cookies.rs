//! Browser sessions: the refresh token travels in an `HttpOnly` cookie instead of the JSON
//! body, so no script in the page (an injected one included) can read it.
//!
//! - `POST /api/auth/login` with `X-Session: cookie` answers as usual, but the refresh token
//!   is moved out of the body into the cookie `ledger_refresh` (`HttpOnly; SameSite=Strict;
//!   Path=/api/auth`, `Secure` when the public URL is https), beside a CSRF cookie
//!   `ledger_csrf` (readable by the page, `Path=/`).
//! - `POST /api/auth/refresh` and `/logout` with no refresh token in the body (empty or `{}`)
//!   use the cookie, and then require the header `X-CSRF-Token` to equal the `ledger_csrf`
//!   cookie (double submit) and that value to be the digest of this very refresh token
//!   ("signed" double submit: a cookie planted by a sibling subdomain cannot pass, and the
//!   check needs no server-side key or state). Otherwise 403 `csrf_failed`, and nothing is
//!   spent. A successful refresh rotates both cookies; logout and a refused refresh clear them.
//! - A refresh token in the body is the JSON flow of API clients, unchanged: no cookie, no
//!   CSRF check.
//!
//! This is a middleware around the auth routes rather than code in their handlers: it only
//! moves the token between the cookie and the JSON body, so the handlers, their rules and the
//! JSON flow stay exactly as they are.

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::config::Settings;
use crate::error::ApiError;
use crate::state::AppState;

/// The refresh token's cookie (`HttpOnly`, sent only to `/api/auth`).
pub const REFRESH_COOKIE: &str = "ledger_refresh";
/// The CSRF cookie, readable by the page, echoed in [`CSRF_HEADER`].
pub const CSRF_COOKIE: &str = "ledger_csrf";
/// Request header by which a client asks for a cookie session at sign-in (value `cookie`).
pub const SESSION_HEADER: &str = "x-session";
/// Request header that must echo the CSRF cookie on a cookie refresh or logout.
pub const CSRF_HEADER: &str = "x-csrf-token";

const LOGIN_PATH: &str = "/api/auth/login";
const REFRESH_PATH: &str = "/api/auth/refresh";
const LOGOUT_PATH: &str = "/api/auth/logout";
/// Largest request or response body this middleware reads: these routes carry a few hundred
/// bytes (an email, a password, tokens).
const MAX_AUTH_BODY_BYTES: usize = 64 * 1024;
/// Longest cookie lifetime written, in days (as `app::access::sessions::issue` caps the token itself).
const MAX_COOKIE_DAYS: u64 = 36_500;
const SECONDS_PER_DAY: u64 = 86_400;
/// Domain separation for the CSRF digest, so it can never equal any other digest of a token.
const CSRF_DIGEST_CONTEXT: &[u8] = b"ledger-csrf-v1\0";

/// The middleware; see the module documentation. Other requests pass untouched.
pub async fn sessions(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    match req.uri().path() {
        LOGIN_PATH if wants_cookie(req.headers()) => {
            let res = next.run(req).await;
            into_cookies(&state.settings, res).await
        }
        REFRESH_PATH | LOGOUT_PATH => by_cookie(&state.settings, req, next).await,
        _ => next.run(req).await,
    }
}

fn wants_cookie(headers: &HeaderMap) -> bool {
    headers
        .get(SESSION_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("cookie"))
}

/// Refresh or logout: by the cookie when the body names no token, else the JSON flow.
async fn by_cookie(settings: &Settings, req: Request, next: Next) -> Response {
    let logout = req.uri().path() == LOGOUT_PATH;
    let (mut parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_AUTH_BODY_BYTES).await else {
        return body_too_large().into_response();
    };
    if !names_no_token(&bytes) {
        return next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
    }
    let jar = match SessionCookies::from_headers(&parts.headers) {
        Ok(jar) => jar,
        Err(e) => return e.into_response(),
    };
    let Some(refresh) = jar.refresh.clone() else {
        // Neither a body token nor a cookie: the handler answers as it always did.
        return next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
    };
    if let Err(e) = check_csrf(&parts.headers, &jar, &refresh) {
        return e.into_response();
    }
    let body = serde_json::json!({ "refresh_token": refresh }).to_string();
    parts.headers.remove(CONTENT_LENGTH);
    parts
        .headers
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let res = next.run(Request::from_parts(parts, Body::from(body))).await;
    let status = res.status();
    if !logout && status.is_success() {
        into_cookies(settings, res).await
    } else if logout || status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
        // Signed out, or the session is dead: the browser should forget it.
        with_cleared_cookies(settings, res)
    } else {
        res
    }
}

/// Whether a refresh/logout body leaves the token to the cookie: empty, or `{}`.
fn names_no_token(body: &Bytes) -> bool {
    if body.iter().all(u8::is_ascii_whitespace) {
        return true;
    }
    serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(body)
        .is_ok_and(|m| m.is_empty())
}

/// The session cookies of a request.
#[derive(Debug, Default)]
struct SessionCookies {
    refresh: Option<String>,
    csrf: Option<String>,
}

impl SessionCookies {
    /// Reads every `Cookie` header. A name sent twice (a cookie planted for another path or
    /// by a sibling domain beside ours) is refused: which one the browser meant is unknowable.
    ///
    /// Hand-written rather than with the `cookie` crate: only two names of our own, whose
    /// values are base64url, are read; everything else is skipped.
    fn from_headers(headers: &HeaderMap) -> Result<Self, ApiError> {
        let mut jar = Self::default();
        let pairs = headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|line| line.split(';'))
            .filter_map(|pair| pair.trim().split_once('='));
        for (name, value) in pairs {
            let slot = match name.trim() {
                REFRESH_COOKIE => &mut jar.refresh,
                CSRF_COOKIE => &mut jar.csrf,
                _ => continue,
            };
            if slot.is_some() {
                return Err(csrf_failed("a session cookie was sent twice"));
            }
            *slot = Some(value.trim().trim_matches('"').to_string());
        }
        Ok(jar)
    }
}

/// The CSRF value that belongs to a refresh token: base64url of SHA-256 over a context and
/// the token. One-way, so the page may read it without learning the token.
pub fn csrf_for(refresh_token: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(CSRF_DIGEST_CONTEXT);
    hash.update(refresh_token.as_bytes());
    URL_SAFE_NO_PAD.encode(hash.finalize())
}

/// Equal lengths and bytes, in time independent of where they differ.
fn same(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

fn check_csrf(headers: &HeaderMap, jar: &SessionCookies, refresh: &str) -> Result<(), ApiError> {
    let header = headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| csrf_failed("the X-CSRF-Token header is missing"))?;
    let cookie = jar.csrf.as_deref().unwrap_or_default();
    if !same(header, cookie) || !same(header, &csrf_for(refresh)) {
        return Err(csrf_failed(
            "the X-CSRF-Token header does not match this session",
        ));
    }
    Ok(())
}

fn csrf_failed(why: &str) -> ApiError {
    ApiError::status(
        StatusCode::FORBIDDEN,
        "csrf_failed",
        format!("{why}; reload the page and sign in again if this persists"),
    )
}

fn body_too_large() -> ApiError {
    ApiError::status(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        format!("the request body exceeds {MAX_AUTH_BODY_BYTES} bytes"),
    )
}

/// Moves the refresh token of a successful token answer into the cookies.
async fn into_cookies(settings: &Settings, res: Response) -> Response {
    if !res.status().is_success() {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_AUTH_BODY_BYTES).await else {
        return ApiError::internal("token answer too large").into_response();
    };
    let Ok(mut json) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let Some(token) = json
        .as_object_mut()
        .and_then(|o| o.remove("refresh_token"))
        .and_then(|t| t.as_str().map(str::to_string))
    else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let max_age = settings.refresh_token_days.clamp(1, MAX_COOKIE_DAYS) * SECONDS_PER_DAY;
    let secure = is_https(&settings.public_url);
    let cookies = [
        refresh_cookie(&token, max_age, secure),
        csrf_cookie(&csrf_for(&token), max_age, secure),
    ];
    parts.headers.remove(CONTENT_LENGTH);
    // Token answers must not be cached anywhere (RFC 6749, section 5.1).
    parts
        .headers
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let mut res = Response::from_parts(parts, Body::from(json.to_string()));
    append_cookies(&mut res, &cookies);
    res
}

fn with_cleared_cookies(settings: &Settings, mut res: Response) -> Response {
    let secure = is_https(&settings.public_url);
    append_cookies(
        &mut res,
        &[refresh_cookie("", 0, secure), csrf_cookie("", 0, secure)],
    );
    res
}

fn append_cookies(res: &mut Response, cookies: &[String]) {
    for c in cookies {
        match HeaderValue::from_str(c) {
            Ok(v) => {
                res.headers_mut().append(SET_COOKIE, v);
            }
            Err(e) => tracing::error!(error = %e, "unrepresentable session cookie"),
        }
    }
}

fn is_https(public_url: &str) -> bool {
    public_url
        .get(..8)
        .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
}

fn refresh_cookie(value: &str, max_age_secs: u64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{REFRESH_COOKIE}={value}; Path=/api/auth; Max-Age={max_age_secs}; HttpOnly; SameSite=Strict{secure}"
    )
}

fn csrf_cookie(value: &str, max_age_secs: u64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{CSRF_COOKIE}={value}; Path=/; Max-Age={max_age_secs}; SameSite=Strict{secure}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(cookie_lines: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for line in cookie_lines {
            h.append(COOKIE, HeaderValue::from_str(line).unwrap());
        }
        h
    }

    #[test]
    fn only_an_empty_body_or_an_empty_object_leaves_the_token_to_the_cookie() {
        for empty in ["", "  \n", "{}", " { } "] {
            assert!(names_no_token(&Bytes::from(empty)), "{empty:?}");
        }
        for named in [
            r#"{"refresh_token":"x"}"#,
            r#"{"other":1}"#,
            "[]",
            "null",
            "{",
        ] {
            assert!(!names_no_token(&Bytes::from(named)), "{named:?}");
        }
    }

    #[test]
    fn cookies_are_read_from_every_cookie_header_and_duplicates_refused() {
        let jar =
            SessionCookies::from_headers(&headers(&["a=1; ledger_refresh=R", "ledger_csrf=C"]))
                .unwrap();
        assert_eq!(jar.refresh.as_deref(), Some("R"));
        assert_eq!(jar.csrf.as_deref(), Some("C"));
        let e =
            SessionCookies::from_headers(&headers(&["ledger_csrf=a; ledger_csrf=b"])).unwrap_err();
        assert_eq!(e.to_problem().code, "csrf_failed");
        let none = SessionCookies::from_headers(&HeaderMap::new()).unwrap();
        assert!(none.refresh.is_none() && none.csrf.is_none());
    }

    #[test]
    fn the_csrf_value_is_bound_to_the_refresh_token() {
        let a = csrf_for("token-a");
        assert_eq!(a, csrf_for("token-a"));
        assert_ne!(a, csrf_for("token-b"));
        assert_eq!(a.len(), 43);
        let jar = SessionCookies {
            refresh: Some("token-a".into()),
            csrf: Some(a.clone()),
        };
        let mut h = HeaderMap::new();
        h.insert(CSRF_HEADER, HeaderValue::from_str(&a).unwrap());
        assert!(check_csrf(&h, &jar, "token-a").is_ok());
        assert!(check_csrf(&h, &jar, "token-b").is_err());
        assert!(check_csrf(&HeaderMap::new(), &jar, "token-a").is_err());
    }

    #[test]
    fn cookie_attributes() {
        assert_eq!(
            refresh_cookie("v", 60, true),
            "ledger_refresh=v; Path=/api/auth; Max-Age=60; HttpOnly; SameSite=Strict; Secure"
        );
        assert_eq!(
            csrf_cookie("c", 0, false),
            "ledger_csrf=c; Path=/; Max-Age=0; SameSite=Strict"
        );
        assert!(is_https("HTTPS://ledger.example"));
        assert!(!is_https("http://127.0.0.1"));
        assert!(!is_https("https"));
    }
}
