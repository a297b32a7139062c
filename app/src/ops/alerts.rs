//! Operator alerts, for those who run the ledger without Prometheus: a failed import, a failed
//! exchange-rate sync, a stuck projector, overdue backups. [`current`] is the one place that
//! says what is wrong now (the facts are gathered, then [`decide`] judges them without I/O);
//! [`spawn`] checks on a timer and mails the admins once when a condition starts
//! ([`check`]); `GET /api/admin/alerts` answers [`current`] and the web app shows it as a
//! banner. The Prometheus rules in deploy/prometheus/alerts.yml watch the same things from
//! the metrics.
//!
//! Remembering what was mailed: every check upserts each current condition into
//! `operator_alerts` (its `key` is stable while the condition lasts: an import's id, a
//! provider's name). A condition not seen for [`ENDED_AFTER_MINUTES`] has ended, and seen
//! again it starts anew. The first instance to claim a row's `mailed_at` mails, so two
//! instances mail once between them. What this instance alone knows (its projector, its
//! backup folder) is judged by this instance only.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;

use super::schedule::BackupMonitor;
use super::upstream::{self, UpstreamStatus};
use crate::access::mail::Mailer;
use crate::error::AppResult;
use crate::traffic::jobs::{self, FailedImport};
use projections::projector::{ProjectorHandle, Stuck};

/// A failed import is shown and mailed for this long after it failed (unless queued again).
pub const IMPORT_FAILURE_HOURS: i64 = 24;
/// Scheduled backups are overdue when the newest archive is older than this (a daily
/// schedule plus two hours of slack).
pub const BACKUP_MAX_AGE_HOURS: i64 = 26;
/// A condition not seen for this long has ended; must exceed the check interval.
pub const ENDED_AFTER_MINUTES: i32 = 15;
/// Rows of conditions that ended this long ago are deleted.
const FORGET_AFTER_DAYS: i32 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = OperatorAlertKind)]
pub enum AlertKind {
    ImportFailed,
    FxSyncFailed,
    ProjectorStuck,
    BackupOverdue,
}

impl AlertKind {
    pub const ALL: [AlertKind; 4] = [
        AlertKind::ImportFailed,
        AlertKind::FxSyncFailed,
        AlertKind::ProjectorStuck,
        AlertKind::BackupOverdue,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::ImportFailed => "import_failed",
            AlertKind::FxSyncFailed => "fx_sync_failed",
            AlertKind::ProjectorStuck => "projector_stuck",
            AlertKind::BackupOverdue => "backup_overdue",
        }
    }

    /// The headline of a mail.
    fn title(self) -> &'static str {
        match self {
            AlertKind::ImportFailed => "A traffic import failed",
            AlertKind::FxSyncFailed => "An exchange-rate sync failed",
            AlertKind::ProjectorStuck => "The projector is stuck",
            AlertKind::BackupOverdue => "Backups are overdue",
        }
    }
}

/// Something an operator must look at.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = OperatorAlert)]
pub struct Alert {
    pub kind: AlertKind,
    /// Stable while the condition lasts (`import_failed:<id>`, `fx_sync_failed:ecb`, ...).
    pub key: String,
    /// What it is about: an import's file name, a provider, an event position, a folder.
    pub subject: String,
    /// What went wrong, in the words of the part that failed.
    pub detail: String,
    /// Since when.
    pub since: DateTime<Utc>,
}

/// The conditions current now, answered to admins.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OperatorAlerts {
    pub alerts: Vec<Alert>,
}

/// What the checks read: the server's own handles.
#[derive(Clone)]
pub struct Watch {
    pub pool: PgPool,
    pub projector: ProjectorHandle,
    pub backups: BackupMonitor,
}

/// Whom and how the alerts are mailed.
#[derive(Clone)]
pub struct Notifier {
    pub mailer: Mailer,
    /// The web app's address, named in the mail.
    pub public_url: String,
}

/// Everything [`decide`] judges, gathered at `now`.
#[derive(Debug, Clone)]
pub struct Facts {
    pub now: DateTime<Utc>,
    pub failed_imports: Vec<FailedImport>,
    pub upstreams: Vec<UpstreamStatus>,
    pub stuck: Option<Stuck>,
    pub backups: Option<BackupFacts>,
}

/// Scheduled backups as this instance sees them (None in [`Facts`]: no schedule here).
#[derive(Debug, Clone)]
pub struct BackupFacts {
    pub dir: String,
    pub last_success: Option<DateTime<Utc>>,
    pub last_failure: Option<String>,
    /// When the schedule started: with no archive, the age counts from then.
    pub started_at: DateTime<Utc>,
}

/// The conditions current now.
pub async fn current(watch: &Watch) -> AppResult<Vec<Alert>> {
    Ok(decide(&gather(watch, Utc::now()).await?))
}

async fn gather(watch: &Watch, now: DateTime<Utc>) -> AppResult<Facts> {
    let since = now - chrono::Duration::hours(IMPORT_FAILURE_HOURS);
    let failed_imports = jobs::failed_since(&watch.pool, since).await?;
    let upstreams = upstream::all(&mut *watch.pool.acquire().await?).await?;
    let backups = match watch.backups.config() {
        None => None,
        Some(_) => {
            let status = watch.backups.status().await;
            Some(BackupFacts {
                dir: status.dir.unwrap_or_default(),
                last_success: status.last_success.map(|a| a.created_at),
                last_failure: status.last_failure.map(|f| f.error),
                started_at: watch.backups.started_at(),
            })
        }
    };
    Ok(Facts {
        now,
        failed_imports,
        upstreams,
        stuck: watch.projector.stuck(),
        backups,
    })
}

/// Judges the facts: every condition an operator must look at, in a fixed order.
pub fn decide(f: &Facts) -> Vec<Alert> {
    let mut alerts: Vec<Alert> = f.stuck.iter().map(projector_alert).collect();
    alerts.extend(f.upstreams.iter().filter_map(fx_alert));
    alerts.extend(f.failed_imports.iter().map(import_alert));
    alerts.extend(f.backups.as_ref().and_then(|b| backup_alert(b, f.now)));
    alerts
}

fn projector_alert(s: &Stuck) -> Alert {
    let kind = AlertKind::ProjectorStuck;
    Alert {
        kind,
        key: kind.as_str().to_string(),
        subject: match s.position {
            Some(p) => format!("the event at log position {p}"),
            None => "the event log".to_string(),
        },
        detail: format!(
            "{} ({} attempts; docs/operations.md says what to do)",
            s.reason, s.attempts
        ),
        since: s.since,
    }
}

fn fx_alert(s: &UpstreamStatus) -> Option<Alert> {
    let provider = s.name.strip_prefix(upstream::FX_PREFIX)?;
    if !s.failing() {
        return None;
    }
    let kind = AlertKind::FxSyncFailed;
    Some(Alert {
        kind,
        key: format!("{}:{provider}", kind.as_str()),
        subject: provider.to_string(),
        detail: s.last_error.clone().unwrap_or_default(),
        since: s.last_failure_at?,
    })
}

fn import_alert(i: &FailedImport) -> Alert {
    let kind = AlertKind::ImportFailed;
    Alert {
        kind,
        key: format!("{}:{}", kind.as_str(), i.id),
        subject: i.file_name.clone(),
        detail: i.error.clone().unwrap_or_default(),
        since: i.finished_at,
    }
}

fn backup_alert(b: &BackupFacts, now: DateTime<Utc>) -> Option<Alert> {
    let reference = b.last_success.unwrap_or(b.started_at);
    let due = reference + chrono::Duration::hours(BACKUP_MAX_AGE_HOURS);
    if now <= due {
        return None;
    }
    let mut detail = match b.last_success {
        Some(at) => format!("the newest backup was written at {at}"),
        None => format!("no backup was written since the schedule started at {reference}"),
    };
    if let Some(error) = &b.last_failure {
        detail.push_str(&format!("; the last attempt failed: {error}"));
    }
    let kind = AlertKind::BackupOverdue;
    Some(Alert {
        kind,
        key: kind.as_str().to_string(),
        subject: b.dir.clone(),
        detail,
        since: due,
    })
}

/// One check: the current conditions, each mailed to the admins if it just started. Answers
/// how many conditions were mailed.
pub async fn check(watch: &Watch, notifier: &Notifier) -> AppResult<usize> {
    let alerts = current(watch).await?;
    for kind in AlertKind::ALL {
        let n = alerts.iter().filter(|a| a.kind == kind).count();
        metrics::gauge!(super::metrics::OPERATOR_ALERTS, "kind" => kind.as_str()).set(n as f64);
    }
    let mut mailed = 0;
    for alert in &alerts {
        if claim_mail(&watch.pool, alert).await? {
            mail_admins(watch, notifier, alert).await?;
            mailed += 1;
        }
    }
    sqlx::query(
        "DELETE FROM operator_alerts WHERE last_seen_at < now() - make_interval(days => $1)",
    )
    .bind(FORGET_AFTER_DAYS)
    .execute(&watch.pool)
    .await?;
    Ok(mailed)
}

/// Notes that `alert` is current and answers whether this caller is the one to mail it: true
/// once per start of the condition, over all instances.
async fn claim_mail(pool: &PgPool, alert: &Alert) -> AppResult<bool> {
    // SET expressions read the row as it was, so a condition unseen for a while restarts.
    sqlx::query(
        "INSERT INTO operator_alerts AS a (key, kind, started_at, last_seen_at) \
         VALUES ($1, $2, now(), now()) \
         ON CONFLICT (key) DO UPDATE SET \
           started_at = CASE WHEN a.last_seen_at < now() - make_interval(mins => $3) \
                             THEN now() ELSE a.started_at END, \
           mailed_at = CASE WHEN a.last_seen_at < now() - make_interval(mins => $3) \
                            THEN NULL ELSE a.mailed_at END, \
           last_seen_at = now()",
    )
    .bind(&alert.key)
    .bind(alert.kind.as_str())
    .bind(ENDED_AFTER_MINUTES)
    .execute(pool)
    .await?;
    let claimed = sqlx::query(
        "UPDATE operator_alerts SET mailed_at = now() WHERE key = $1 AND mailed_at IS NULL",
    )
    .bind(&alert.key)
    .execute(pool)
    .await?;
    Ok(claimed.rows_affected() == 1)
}

/// Mails `alert` to every active admin. When no mail could be sent at all, the claim is
/// released so that the next check tries again.
async fn mail_admins(watch: &Watch, notifier: &Notifier, alert: &Alert) -> AppResult<()> {
    let (subject, body) = mail_text(alert, &notifier.public_url);
    let admins = crate::access::users::active_admin_emails(&watch.pool).await?;
    let mut sent = 0;
    for to in &admins {
        match notifier.mailer.send(to, &subject, &body).await {
            Ok(()) => sent += 1,
            Err(e) => {
                tracing::error!(error = %e, key = alert.key, "an operator alert could not be mailed")
            }
        }
    }
    if sent == 0 && !admins.is_empty() {
        sqlx::query("UPDATE operator_alerts SET mailed_at = NULL WHERE key = $1")
            .bind(&alert.key)
            .execute(&watch.pool)
            .await?;
    }
    Ok(())
}

fn mail_text(alert: &Alert, public_url: &str) -> (String, String) {
    let title = alert.kind.title();
    let subject = format!("[Ledger] {title}: {}", alert.subject);
    let body = format!(
        "{title}.\n\n{}\n{}\nSince: {}\n\nThe banner at {} shows what is wrong now; this mail is \
         sent once when the condition starts.\n",
        alert.subject,
        alert.detail,
        alert
            .since
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        public_url.trim_end_matches('/'),
    );
    (subject, body)
}

/// Checks every `every` (the first check at once) for as long as the server runs.
pub fn spawn(watch: Watch, notifier: Notifier, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = check(&watch, &notifier).await {
                tracing::warn!(error = %e, "operator alert check failed; the next one retries");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration as Days;

    fn facts(now: DateTime<Utc>) -> Facts {
        Facts {
            now,
            failed_imports: Vec::new(),
            upstreams: Vec::new(),
            stuck: None,
            backups: None,
        }
    }

    fn status(
        name: &str,
        success: Option<DateTime<Utc>>,
        failure: Option<DateTime<Utc>>,
    ) -> UpstreamStatus {
        UpstreamStatus {
            name: name.into(),
            last_success_at: success,
            last_failure_at: failure,
            last_error: Some("HTTP 500".into()),
        }
    }

    #[test]
    fn nothing_wrong_means_no_alert() {
        assert!(decide(&facts(Utc::now())).is_empty());
    }

    #[test]
    fn an_fx_provider_alerts_while_its_latest_sync_failed() {
        let now = Utc::now();
        let mut f = facts(now);
        f.upstreams = vec![
            status("fx:ecb", Some(now - Days::hours(2)), Some(now)),
            status("fx:coingecko", Some(now), Some(now - Days::hours(1))),
            // TronScan failures are metrics only: a user retries them by hand.
            status("tronscan", None, Some(now)),
        ];
        let alerts = decide(&f);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(alerts[0].key, "fx_sync_failed:ecb");
        assert_eq!(alerts[0].detail, "HTTP 500");
        assert_eq!(alerts[0].since, now);
    }

    #[test]
    fn each_failed_import_is_its_own_alert() {
        let now = Utc::now();
        let mut f = facts(now);
        let id = uuid::Uuid::new_v4();
        f.failed_imports = vec![FailedImport {
            id,
            file_name: "moloco.csv".into(),
            error: Some("line 3: bad date".into()),
            finished_at: now,
        }];
        let alerts = decide(&f);
        assert_eq!(alerts[0].kind, AlertKind::ImportFailed);
        assert_eq!(alerts[0].key, format!("import_failed:{id}"));
        assert_eq!(alerts[0].subject, "moloco.csv");
    }

    #[test]
    fn backups_are_overdue_after_26_hours_counting_from_the_start_without_any() {
        let now = Utc::now();
        let backups = |last: Option<DateTime<Utc>>, started: DateTime<Utc>| BackupFacts {
            dir: "/backups".into(),
            last_success: last,
            last_failure: None,
            started_at: started,
        };
        let long_ago = now - Days::days(10);
        let fresh = backups(Some(now - Days::hours(25)), long_ago);
        assert_eq!(backup_alert(&fresh, now), None);
        let old = backups(Some(now - Days::hours(27)), long_ago);
        let alert = backup_alert(&old, now).expect("overdue");
        assert_eq!(alert.since, now - Days::hours(1));
        assert!(alert.detail.contains("newest backup"), "{alert:?}");
        assert_eq!(
            backup_alert(&backups(None, now - Days::hours(1)), now),
            None
        );
        let never = backup_alert(&backups(None, now - Days::hours(30)), now).expect("overdue");
        assert!(never.detail.contains("no backup"), "{never:?}");
    }

    #[test]
    fn a_stuck_projector_names_its_event() {
        let now = Utc::now();
        let mut f = facts(now);
        f.stuck = Some(Stuck {
            position: Some(42),
            reason: "payload cannot be read".into(),
            since: now,
            attempts: 3,
        });
        let alerts = decide(&f);
        assert_eq!(alerts[0].key, "projector_stuck");
        assert!(alerts[0].subject.contains("42"));
        let (subject, body) = mail_text(&alerts[0], "http://ledger.example/");
        assert_eq!(
            subject,
            "[Ledger] The projector is stuck: the event at log position 42"
        );
        assert!(body.contains("payload cannot be read") && body.contains("http://ledger.example "));
    }
}
