//! Security headers on every response (issue 11, finding 9): a Content-Security-Policy,
//! `X-Content-Type-Options`, `X-Frame-Options` and `Referrer-Policy`.
//!
//! The web app's policy allows scripts only from this origin (Vite emits no inline script).
//! Styles allow `'unsafe-inline'`: the toasts (goober) and Radix's scroll lock insert `<style>`
//! elements at run time; inline styles cannot run code, so this leaves scripts as strict as
//! they were. The API docs page (Swagger UI) gets the same policy; it is named apart so it can
//! be loosened for the docs alone if a later Swagger UI needs it.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::middleware::Next;
use axum::response::Response;

/// The policy of the web app and of every API answer.
pub const APP_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; \
    connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'none'";

/// The policy of the Swagger UI page at `/api/docs` (its files load from this origin; its
/// icons are `data:` SVGs).
pub const DOCS_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const DOCS_PATH: &str = "/api/docs";

/// The middleware: sets the headers on whatever the inner service answered (errors and the
/// static files included), overriding any earlier value.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let docs = is_docs(req.uri().path());
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let policy = if docs { DOCS_POLICY } else { APP_POLICY };
    h.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    res
}

fn is_docs(path: &str) -> bool {
    path == DOCS_PATH || path.starts_with("/api/docs/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_docs_pages_get_the_docs_policy() {
        assert!(is_docs("/api/docs"));
        assert!(is_docs("/api/docs/swagger-ui.css"));
        assert!(!is_docs("/api/docsx"));
        assert!(!is_docs("/api/accounts"));
    }

    #[test]
    fn no_policy_allows_inline_or_evaluated_scripts() {
        for p in [APP_POLICY, DOCS_POLICY] {
            let script = p
                .split(';')
                .find(|d| d.trim().starts_with("script-src"))
                .unwrap();
            assert_eq!(script.trim(), "script-src 'self'");
            assert!(p.contains("frame-ancestors 'none'"));
            assert!(HeaderValue::from_str(p).is_ok());
        }
    }
}
