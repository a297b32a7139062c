//! The server's Prometheus figures: every metric name with its help text, the histogram
//! buckets, the functions that record what happens (imports, syncs, TronScan calls, recurring
//! runs) and the scrape-time reading of what is measured rather than counted (projector lag,
//! import queue, last successes, database pool, memory).
//!
//! Names follow Prometheus conventions: base units (`_seconds`, `_bytes`), `_total` for
//! counters, `_timestamp_seconds` for a moment (its age is `time() - x`). docs/operations.md
//! lists them; the alert rules (deploy/prometheus/alerts.yml) and the dashboard
//! (deploy/grafana/ledger.json) query them, and `tests/tests/monitoring.rs` checks that every
//! name those two use appears in a real scrape.

use chrono::Utc;
use metrics::{Unit, counter, describe_counter, describe_gauge, describe_histogram, gauge};
use projections::projector::ProjectorHandle;
use sqlx::PgPool;

use super::upstream;

pub const HTTP_REQUESTS: &str = "http_requests_total";
pub const HTTP_DURATION: &str = "http_request_duration_seconds";
pub const SEALED_EVENTS: &str = "ledger_sealed_events";
pub const CHAIN_HEAD_POSITION: &str = "ledger_chain_head_position";
pub const PROJECTED_EVENTS: &str = "ledger_projected_events";
pub const PROJECTOR_STUCK: &str = "ledger_projector_stuck";
pub const PROJECTOR_FAILED_ATTEMPTS: &str = "ledger_projector_failed_attempts";
pub const PROJECTOR_LAG_EVENTS: &str = "ledger_projector_lag_events";
pub const PROJECTOR_LAG_SECONDS: &str = "ledger_projector_lag_seconds";
pub const IMPORT_JOBS: &str = "ledger_import_jobs";
pub const IMPORT_JOBS_FINISHED: &str = "ledger_import_jobs_finished_total";
pub const IMPORT_JOB_DURATION: &str = "ledger_import_job_duration_seconds";
pub const FX_SYNCS: &str = "ledger_fx_syncs_total";
pub const FX_LAST_SUCCESS: &str = "ledger_fx_sync_last_success_timestamp_seconds";
pub const TRONSCAN_CALLS: &str = "ledger_tronscan_calls_total";
pub const TRONSCAN_LAST_SUCCESS: &str = "ledger_tronscan_last_success_timestamp_seconds";
pub const RECURRING_RUNS: &str = "ledger_recurring_runs_total";
pub const RECURRING_OCCURRENCES: &str = "ledger_recurring_occurrences_total";
pub const RECURRING_LAST_SUCCESS: &str = "ledger_recurring_last_success_timestamp_seconds";
pub const BACKUP_LAST_SUCCESS: &str = "ledger_backup_last_success_timestamp_seconds";
pub const BACKUP_LAST_SIZE: &str = "ledger_backup_last_size_bytes";
pub const BACKUP_FAILURES: &str = "ledger_backup_failures_total";
pub const OPERATOR_ALERTS: &str = "ledger_operator_alerts";
pub const DB_UP: &str = "ledger_db_up";
pub const DB_POOL_CONNECTIONS: &str = "ledger_db_pool_connections";
pub const DB_POOL_MAX: &str = "ledger_db_pool_max_connections";
pub const RSS: &str = "process_resident_memory_bytes";
pub const PASSWORD_HASH_REJECTED: &str = "ledger_password_hash_rejected_total";

/// Request latency: API answers take milliseconds, reports up to seconds, exports longer.
pub const HTTP_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];
/// Import runs: a small file in a second, a million rows in tens of seconds, a huge one longer.
pub const IMPORT_BUCKETS: &[f64] = &[
    0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0,
];

/// The histograms and their buckets. Without explicit buckets the exporter renders summaries,
/// which cannot be summed over instances or routes.
pub const HISTOGRAMS: [(&str, &[f64]); 2] = [
    (HTTP_DURATION, HTTP_BUCKETS),
    (IMPORT_JOB_DURATION, IMPORT_BUCKETS),
];

/// How an import job ended (`outcome` label).
pub const IMPORT_OUTCOMES: [&str; 3] = ["done", "failed", "duplicate"];
/// How a call to an outside service ended (`outcome` label).
pub const SUCCESS: &str = "success";
pub const FAILURE: &str = "failure";
/// TronScan operations (`operation` label) and outcomes.
pub const TRONSCAN_OPERATIONS: [&str; 3] = ["verify", "wallet_sync", "transaction"];
pub const TRONSCAN_OUTCOMES: [&str; 4] = [SUCCESS, "rate_limited", "timeout", FAILURE];
/// What a recurring run did with a due day (`outcome` label).
pub const RECURRING_OUTCOMES: [&str; 3] = ["posted", "failed", "skipped"];

/// Describes every metric and sets the counters of every known label set to zero, so that a
/// first failure shows as an increase (an alert on `increase(...)` sees a series that was
/// absent before as no increase) and the dashboard has series from the first scrape.
pub fn describe() {
    describe_http();
    describe_projector();
    describe_jobs();
    describe_backups_and_alerts();
    describe_upstreams();
    describe_system();
}

fn describe_http() {
    describe_counter!(
        HTTP_REQUESTS,
        "HTTP requests answered, by method, matched route and status"
    );
    describe_histogram!(
        HTTP_DURATION,
        Unit::Seconds,
        "HTTP request latency, by method, matched route and status"
    );
}

fn describe_projector() {
    describe_gauge!(
        SEALED_EVENTS,
        "Chain head: sequence number of the last sealed (hashed) event"
    );
    describe_gauge!(
        CHAIN_HEAD_POSITION,
        "Chain head: log position of the last sealed event"
    );
    describe_gauge!(
        PROJECTED_EVENTS,
        "Sequence number of the last event this instance's projector applied"
    );
    describe_gauge!(
        PROJECTOR_STUCK,
        "1 while this instance's projector fails to apply an event"
    );
    describe_gauge!(
        PROJECTOR_FAILED_ATTEMPTS,
        "Failed attempts at the event the projector is stuck on"
    );
    describe_gauge!(
        PROJECTOR_LAG_EVENTS,
        "Committed events not yet sealed and projected"
    );
    describe_gauge!(
        PROJECTOR_LAG_SECONDS,
        Unit::Seconds,
        "Age of the oldest event not yet sealed and projected (0 when none waits)"
    );
}

fn describe_jobs() {
    describe_gauge!(IMPORT_JOBS, "Traffic import jobs by state");
    describe_counter!(
        IMPORT_JOBS_FINISHED,
        "Traffic import runs ended on this instance, by outcome"
    );
    describe_histogram!(
        IMPORT_JOB_DURATION,
        Unit::Seconds,
        "Traffic import run time, by outcome"
    );
    for outcome in IMPORT_OUTCOMES {
        counter!(IMPORT_JOBS_FINISHED, "outcome" => outcome).absolute(0);
    }
    describe_counter!(
        RECURRING_RUNS,
        "Recurring-payment runs on this instance, by outcome"
    );
    describe_counter!(
        RECURRING_OCCURRENCES,
        "Due days of recurring payments handled, by outcome"
    );
    describe_gauge!(
        RECURRING_LAST_SUCCESS,
        Unit::Seconds,
        "When a recurring-payment run last completed on this instance"
    );
    for outcome in [SUCCESS, FAILURE] {
        counter!(RECURRING_RUNS, "outcome" => outcome).absolute(0);
    }
    for outcome in RECURRING_OUTCOMES {
        counter!(RECURRING_OCCURRENCES, "outcome" => outcome).absolute(0);
    }
}

fn describe_backups_and_alerts() {
    describe_gauge!(
        BACKUP_LAST_SUCCESS,
        Unit::Seconds,
        "When the newest scheduled backup archive was written"
    );
    describe_gauge!(
        BACKUP_LAST_SIZE,
        Unit::Bytes,
        "Size of the newest scheduled backup archive"
    );
    describe_counter!(BACKUP_FAILURES, "Scheduled backups that failed");
    counter!(BACKUP_FAILURES).absolute(0);
    describe_gauge!(
        OPERATOR_ALERTS,
        "Operator alerts current at the last check, by kind"
    );
}

fn describe_upstreams() {
    describe_counter!(
        FX_SYNCS,
        "Exchange-rate syncs on this instance, by provider and outcome"
    );
    describe_gauge!(
        FX_LAST_SUCCESS,
        Unit::Seconds,
        "When an exchange-rate sync of the provider last succeeded (any instance)"
    );
    for provider in crate::fx::Provider::ALL {
        for outcome in [SUCCESS, FAILURE] {
            counter!(FX_SYNCS, "provider" => provider.as_str(), "outcome" => outcome).absolute(0);
        }
    }
    describe_counter!(
        TRONSCAN_CALLS,
        "TronScan calls on this instance, by operation and outcome"
    );
    describe_gauge!(
        TRONSCAN_LAST_SUCCESS,
        Unit::Seconds,
        "When a TronScan call last succeeded (any instance)"
    );
    for operation in TRONSCAN_OPERATIONS {
        for outcome in TRONSCAN_OUTCOMES {
            counter!(TRONSCAN_CALLS, "operation" => operation, "outcome" => outcome).absolute(0);
        }
    }
}

fn describe_system() {
    describe_gauge!(DB_UP, "1 when the database answered the scrape's query");
    describe_gauge!(
        DB_POOL_CONNECTIONS,
        "Database connections of this instance's pool, by state (idle, in_use)"
    );
    describe_gauge!(DB_POOL_MAX, "Most connections this instance's pool opens");
    describe_gauge!(RSS, Unit::Bytes, "Resident memory of the server process");
    describe_counter!(
        PASSWORD_HASH_REJECTED,
        "Sign-ins and registrations refused because the password hashing queue was full"
    );
    counter!(PASSWORD_HASH_REJECTED).absolute(0);
}

/// Counts an import run that ended and records how long it took.
pub fn import_finished(outcome: &'static str, seconds: f64) {
    counter!(IMPORT_JOBS_FINISHED, "outcome" => outcome).increment(1);
    metrics::histogram!(IMPORT_JOB_DURATION, "outcome" => outcome).record(seconds);
}

/// Counts an exchange-rate sync.
pub fn fx_synced(provider: crate::fx::Provider, ok: bool) {
    let outcome = if ok { SUCCESS } else { FAILURE };
    counter!(FX_SYNCS, "provider" => provider.as_str(), "outcome" => outcome).increment(1);
}

/// Counts a TronScan call.
pub fn tronscan_called(operation: &'static str, outcome: &'static str) {
    counter!(TRONSCAN_CALLS, "operation" => operation, "outcome" => outcome).increment(1);
}

/// Counts a recurring run and the days it handled.
pub fn recurring_ran(report: Option<&crate::ledger::recurring::RunReport>) {
    let Some(r) = report else {
        counter!(RECURRING_RUNS, "outcome" => FAILURE).increment(1);
        return;
    };
    counter!(RECURRING_RUNS, "outcome" => SUCCESS).increment(1);
    gauge!(RECURRING_LAST_SUCCESS).set(Utc::now().timestamp() as f64);
    for (outcome, n) in [
        ("posted", r.posted.len()),
        ("failed", r.failed.len()),
        ("skipped", r.skipped.len()),
    ] {
        counter!(RECURRING_OCCURRENCES, "outcome" => outcome).increment(n as u64);
    }
}

/// Sets the gauges that are read rather than counted, just before a scrape renders. Best
/// effort: while the database is away, `ledger_db_up` says 0 and the rest keep their last
/// values (the projector's and the process's own figures are always fresh).
pub async fn collect(pool: &PgPool, projector: &ProjectorHandle) {
    let db_up = collect_from_database(pool).await.is_ok();
    gauge!(DB_UP).set(if db_up { 1.0 } else { 0.0 });
    let progress = *projector.progress.borrow();
    gauge!(PROJECTED_EVENTS).set(progress.last_seq as f64);
    let stuck = projector.stuck();
    gauge!(PROJECTOR_STUCK).set(if stuck.is_some() { 1.0 } else { 0.0 });
    gauge!(PROJECTOR_FAILED_ATTEMPTS).set(stuck.map_or(0.0, |s| s.attempts as f64));
    let (size, idle) = (pool.size(), pool.num_idle() as u32);
    gauge!(DB_POOL_CONNECTIONS, "state" => "idle").set(f64::from(idle));
    gauge!(DB_POOL_CONNECTIONS, "state" => "in_use").set(f64::from(size.saturating_sub(idle)));
    gauge!(DB_POOL_MAX).set(f64::from(pool.options().get_max_connections()));
    if let Some(bytes) = resident_memory_bytes() {
        gauge!(RSS).set(bytes as f64);
    }
}

/// The figures that live in the database: chain head, backlog, import queue, last successes.
async fn collect_from_database(pool: &PgPool) -> crate::AppResult<()> {
    let mut conn = pool.acquire().await?;
    let head = eventstore::log::chain_head(&mut conn, false).await?;
    gauge!(SEALED_EVENTS).set(head.last_seq as f64);
    gauge!(CHAIN_HEAD_POSITION).set(head.last_position as f64);
    let backlog = eventstore::log::backlog(&mut conn).await?;
    gauge!(PROJECTOR_LAG_EVENTS).set(backlog.events as f64);
    let lag = backlog.oldest_recorded_at.map_or(0.0, |at| {
        (Utc::now() - at).num_milliseconds().max(0) as f64 / 1000.0
    });
    gauge!(PROJECTOR_LAG_SECONDS).set(lag);
    for (state, count) in crate::traffic::jobs::count_by_state(&mut conn).await? {
        gauge!(IMPORT_JOBS, "state" => state).set(count as f64);
    }
    for status in upstream::all(&mut conn).await? {
        let Some(at) = status.last_success_at else {
            continue;
        };
        let at = at.timestamp() as f64;
        match status.name.strip_prefix(upstream::FX_PREFIX) {
            Some(provider) => gauge!(FX_LAST_SUCCESS, "provider" => provider.to_string()).set(at),
            None if status.name == upstream::TRONSCAN => gauge!(TRONSCAN_LAST_SUCCESS).set(at),
            None => {}
        }
    }
    Ok(())
}

/// The process's resident set size, from `/proc/self/status` (`VmRSS`, in KiB: unlike
/// `/proc/self/statm`, which counts pages, it needs no page size). None off Linux.
fn resident_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    rss_from_status(&status)
}

fn rss_from_status(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resident_memory_is_read_in_kib() {
        let status = "Name:\tledger\nVmPeak:\t  9000 kB\nVmRSS:\t   1234 kB\nThreads:\t4\n";
        assert_eq!(rss_from_status(status), Some(1234 * 1024));
        assert_eq!(rss_from_status("Name:\tledger\n"), None);
        #[cfg(target_os = "linux")]
        assert!(resident_memory_bytes().is_some_and(|b| b > 0));
    }

    #[test]
    fn histogram_buckets_ascend() {
        for (name, buckets) in HISTOGRAMS {
            assert!(name.ends_with("_seconds"), "{name}");
            assert!(buckets.windows(2).all(|w| w[0] < w[1]), "{name}");
        }
    }
}
