//! Exchange-rate sync: fetch a provider's daily rates and set them in the log. Setting a rate
//! the log already holds writes nothing, so a sync can cover the last days again and again
//! (catching up after downtime) and two server instances syncing at once write each rate once.

use chrono::{Days, NaiveDate, Utc};
use domain::rates::SetRate;
use importers::fx::{CoinGecko, CoinGeckoConfig, Ecb, EcbConfig, Rate};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use tokio_cron_scheduler::{Job, JobScheduler};

use crate::error::{AppError, AppResult, UpstreamFailure};
use crate::ledger::Actor;
use crate::ledger::rates::{MAX_RATES_PER_CALL, set_many};
use crate::ops::upstream;

/// Where the rate sources are (`LEDGER_ECB_URL`, `LEDGER_COINGECKO_URL`, its API key).
#[derive(Debug, Clone)]
pub struct Sources {
    pub ecb_url: String,
    pub coingecko_url: String,
    pub coingecko_api_key: Option<String>,
}

/// Days a scheduled sync looks back (so a few days of downtime heal by themselves).
pub const CATCH_UP_DAYS: u64 = 7;
/// Longest range one sync may ask for.
pub const MAX_SYNC_DAYS: i64 = 400;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    /// The European Central Bank's euro reference rates (fiat).
    Ecb,
    /// CoinGecko's daily closes of TRX and USDT in USD.
    Coingecko,
}

impl Provider {
    pub const ALL: [Provider; 2] = [Provider::Ecb, Provider::Coingecko];

    /// The name in the API and in metric labels.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Ecb => "ecb",
            Provider::Coingecko => "coingecko",
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SyncReport {
    pub provider: Provider,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Rates the provider answered with.
    pub fetched: usize,
    /// New or corrected rates written to the log.
    pub written: usize,
    /// Rates the log already held.
    pub unchanged: usize,
    /// Highest log position written (0: nothing).
    pub position: i64,
}

fn to_command(r: Rate) -> SetRate {
    SetRate {
        base: r.base,
        quote: r.quote,
        date: r.date,
        rate: r.rate,
        source: r.source,
    }
}

async fn fetch(
    sources: &Sources,
    provider: Provider,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<Rate>> {
    let failed = |e: importers::fx::FxError| AppError::Upstream {
        failure: UpstreamFailure::RateSourceFailed,
        detail: format!("{provider:?}: {e}"),
    };
    let today = Utc::now().date_naive();
    match provider {
        Provider::Ecb => {
            let ecb = Ecb::new(EcbConfig {
                base_url: sources.ecb_url.clone(),
                ..EcbConfig::default()
            })
            .map_err(failed)?;
            let got = ecb.rates_between(from, to, today).await.map_err(failed)?;
            Ok(got
                .rates
                .into_iter()
                .filter(|r| r.date >= from && r.date <= to)
                .collect())
        }
        Provider::Coingecko => {
            let cg = CoinGecko::new(CoinGeckoConfig {
                base_url: sources.coingecko_url.clone(),
                api_key: sources.coingecko_api_key.clone(),
                ..CoinGeckoConfig::default()
            })
            .map_err(failed)?;
            cg.daily_rates(from, to, Utc::now()).await.map_err(failed)
        }
    }
}

/// Fetches `provider`'s rates for `from..=to` and sets them.
pub async fn sync(
    pool: &PgPool,
    sources: &Sources,
    actor: &Actor,
    provider: Provider,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<SyncReport> {
    if to < from {
        return Err(AppError::invalid("to", "must not be before from"));
    }
    if (to - from).num_days() >= MAX_SYNC_DAYS {
        return Err(AppError::invalid(
            "to",
            format!("one sync covers at most {MAX_SYNC_DAYS} days"),
        ));
    }
    // Recorded for `/metrics` and the operator alerts: the manual syncs count as much as the
    // scheduled ones (a sync that fails by hand fails on schedule too).
    let synced = fetch_and_set(pool, sources, actor, provider, from, to).await;
    crate::ops::metrics::fx_synced(provider, synced.is_ok());
    let error = synced.as_ref().err().map(ToString::to_string);
    upstream::record(pool, &upstream::fx(provider), error.as_deref()).await;
    synced
}

async fn fetch_and_set(
    pool: &PgPool,
    sources: &Sources,
    actor: &Actor,
    provider: Provider,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<SyncReport> {
    let rates = fetch(sources, provider, from, to).await?;
    let mut report = SyncReport {
        provider,
        from,
        to,
        fetched: rates.len(),
        written: 0,
        unchanged: 0,
        position: 0,
    };
    let commands: Vec<SetRate> = rates.into_iter().map(to_command).collect();
    for chunk in commands.chunks(MAX_RATES_PER_CALL) {
        let w = set_many(pool, actor, chunk.to_vec()).await?;
        report.written += w.changed;
        report.unchanged += w.unchanged;
        report.position = report.position.max(w.written.position);
    }
    Ok(report)
}

/// The scheduled syncs: ECB after its afternoon publication, crypto after midnight UTC, each
/// over the last [`CATCH_UP_DAYS`] days; and one run at start-up to catch up after downtime.
pub async fn start_scheduler(pool: PgPool, sources: Sources) -> AppResult<JobScheduler> {
    let scheduler = JobScheduler::new().await.map_err(AppError::internal)?;
    for (cron, provider) in [
        ("0 30 16 * * *", Provider::Ecb),
        ("0 15 0 * * *", Provider::Coingecko),
    ] {
        let (pool, sources) = (pool.clone(), sources.clone());
        let job = Job::new_async(cron, move |_id, _scheduler| {
            let (pool, sources) = (pool.clone(), sources.clone());
            Box::pin(async move { scheduled_sync(&pool, &sources, provider).await })
        })
        .map_err(AppError::internal)?;
        scheduler.add(job).await.map_err(AppError::internal)?;
    }
    scheduler.start().await.map_err(AppError::internal)?;
    tokio::spawn(async move {
        for provider in [Provider::Ecb, Provider::Coingecko] {
            scheduled_sync(&pool, &sources, provider).await;
        }
    });
    Ok(scheduler)
}

async fn scheduled_sync(pool: &PgPool, sources: &Sources, provider: Provider) {
    let to = Utc::now().date_naive();
    let from = to - Days::new(CATCH_UP_DAYS);
    let actor = Actor::system("scheduler:fx");
    match sync(pool, sources, &actor, provider, from, to).await {
        Ok(r) => tracing::info!(
            ?provider,
            fetched = r.fetched,
            written = r.written,
            "exchange rates synced"
        ),
        Err(e) => {
            tracing::warn!(?provider, error = %e, "exchange-rate sync failed; the next run retries")
        }
    }
}
