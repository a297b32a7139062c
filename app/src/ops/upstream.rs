//! The latest outcome of each outside service the operators watch (exchange-rate providers,
//! TronScan), kept in `upstream_status`: `/metrics` reads the last success from it and the
//! operator alerts the last failure, so both survive a restart and agree across instances.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use crate::error::AppResult;

/// Names of exchange-rate providers start with this (`fx:ecb`, `fx:coingecko`).
pub const FX_PREFIX: &str = "fx:";
pub const TRONSCAN: &str = "tronscan";
/// Longest error text kept (a provider may answer with a whole HTML page).
const MAX_ERROR_CHARS: usize = 500;

/// The name of an exchange-rate provider's row.
pub fn fx(provider: crate::fx::Provider) -> String {
    format!("{FX_PREFIX}{}", provider.as_str())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UpstreamStatus {
    pub name: String,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_failure_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

impl UpstreamStatus {
    /// Whether the latest call failed (a success since then clears it).
    pub fn failing(&self) -> bool {
        match (self.last_failure_at, self.last_success_at) {
            (Some(failed), Some(succeeded)) => failed > succeeded,
            (Some(_), None) => true,
            (None, _) => false,
        }
    }
}

/// Records a call's outcome: `error` says what went wrong (None: it succeeded). Best effort:
/// monitoring must never make the call itself fail, so a database error is only logged.
pub async fn record(pool: &PgPool, name: &str, error: Option<&str>) {
    let result = match error {
        None => {
            sqlx::query(
                "INSERT INTO upstream_status (name, last_success_at) VALUES ($1, now()) \
                 ON CONFLICT (name) DO UPDATE SET last_success_at = now()",
            )
            .bind(name)
            .execute(pool)
            .await
        }
        Some(error) => {
            let error: String = error.chars().take(MAX_ERROR_CHARS).collect();
            sqlx::query(
                "INSERT INTO upstream_status (name, last_failure_at, last_error) \
                 VALUES ($1, now(), $2) \
                 ON CONFLICT (name) DO UPDATE SET last_failure_at = now(), last_error = $2",
            )
            .bind(name)
            .bind(error)
            .execute(pool)
            .await
        }
    };
    if let Err(e) = result {
        tracing::warn!(name, error = %e, "could not record an outside service's outcome");
    }
}

/// Every service's latest outcomes.
pub async fn all(conn: &mut PgConnection) -> AppResult<Vec<UpstreamStatus>> {
    Ok(sqlx::query_as(
        "SELECT name, last_success_at, last_failure_at, last_error FROM upstream_status ORDER BY name",
    )
    .fetch_all(conn)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn a_service_fails_until_it_succeeds_again() {
        let now = Utc::now();
        let status =
            |success: Option<DateTime<Utc>>, failure: Option<DateTime<Utc>>| UpstreamStatus {
                name: TRONSCAN.into(),
                last_success_at: success,
                last_failure_at: failure,
                last_error: None,
            };
        assert!(!status(None, None).failing());
        assert!(!status(Some(now), None).failing());
        assert!(status(None, Some(now)).failing());
        assert!(status(Some(now - Duration::hours(1)), Some(now)).failing());
        assert!(!status(Some(now), Some(now - Duration::hours(1))).failing());
    }
}
