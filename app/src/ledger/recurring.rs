//! Recurring payment commands and the runner that posts their due days.
//!
//! The runner posts one day per database transaction: the posting (through
//! [`decide_in`], with the idempotency key `recurring:{id}:{date}`) and the schedule's
//! `OccurrencePosted` are appended together. Two runners at once (a retry, a second server)
//! race on the schedule's next sequence number and on the posting's stream: the loser's append
//! fails, it rolls back and reloads, and finds the day already handled. A day that cannot post
//! (closed period, archived account) is recorded as failed with the reason, and later days go on.

use chrono::NaiveDate;
use domain::DomainError;
use domain::aggregate::decide;
use domain::recurring_payment::{Definition, RecurringCommand, RecurringPayment};
use domain::transaction::{PostTransaction, Transaction, TransactionCommand};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};
use tokio_cron_scheduler::{Job, JobScheduler};
use utoipa::ToSchema;
use uuid::Uuid;

use super::transactions::{PostRequest, decide_in, posting_context, transaction_id};
use super::{Actor, Written};
use crate::error::AppError;
use crate::executor::{self, Lock, Run, Work};
use eventstore as store;

/// Most days one schedule posts in one run (about a year of a daily schedule); a longer
/// backlog continues in the next run.
pub const MAX_CATCH_UP_PER_RUN: usize = 400;
/// Most schedules one run handles (the earliest due first); the rest wait for the next run.
pub const MAX_SCHEDULES_PER_RUN: i64 = 1000;
/// Lost races one schedule may meet in one run before the runner leaves it to the next run.
pub const MAX_CONFLICTS_PER_SCHEDULE: usize = 20;

/// Field names of the template's posting rules, as the API's body names them.
fn template_error(e: DomainError) -> AppError {
    match e {
        DomainError::Invalid { field, reason } => AppError::invalid(
            format!("template.{}", crate::error::field_path(&field)),
            reason,
        ),
        e => e.into(),
    }
}

/// Checks the template against the posting rules and today's accounts and references (dated
/// on the start; closed periods and "days ahead" are the runner's business, per day).
async fn check_template(
    conn: &mut PgConnection,
    id: Uuid,
    def: &Definition,
) -> Result<(), AppError> {
    let posting: PostTransaction = def.template.posting(id, def.start);
    let mut ctx = posting_context(conn, std::iter::once(&posting)).await?;
    ctx.closed_through = None;
    ctx.today = None;
    decide(
        &mut Transaction::default(),
        TransactionCommand::Post(posting),
        &ctx,
    )
    .await
    .map_err(template_error)?;
    Ok(())
}

/// Runs `command` on schedule `id` (creating it when `create`) and appends the result.
pub async fn execute(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    command: RecurringCommand,
) -> Result<Written, AppError> {
    let key = id.to_string();
    let (key, command) = (&key, &command);
    let run = Run::new(actor, "the recurring payment");
    let ((), written) = executor::execute(pool, run, |mut work| {
        Box::pin(async move {
            let (mut state, version) = work.load::<RecurringPayment>(key).await?;
            let creating = matches!(command, RecurringCommand::Create(_));
            if !creating && !state.exists() {
                return Err(AppError::not_found(format!("recurring payment {id}")));
            }
            if let RecurringCommand::Create(def) | RecurringCommand::Update(def) = &command {
                check_template(work.conn(), id, def).await?;
            }
            work.decide(key, &mut state, version, command.clone(), &())
                .await?;
            Ok((work, ()))
        })
    })
    .await?;
    Ok(written)
}

pub async fn create(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    def: Definition,
) -> Result<Written, AppError> {
    execute(pool, actor, id, RecurringCommand::Create(def)).await
}

pub async fn update(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    def: Definition,
) -> Result<Written, AppError> {
    execute(pool, actor, id, RecurringCommand::Update(def)).await
}

/// One day a run handled.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RunOccurrence {
    pub recurring_id: Uuid,
    pub date: NaiveDate,
    /// The posting (posted days only).
    pub transaction_id: Option<Uuid>,
    /// Why it could not post (failed days only).
    pub reason: Option<String>,
}

/// What a run did.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct RunReport {
    /// The day the run posted through.
    pub today: Option<NaiveDate>,
    /// Schedules with days due that the run looked at.
    pub schedules: usize,
    pub posted: Vec<RunOccurrence>,
    pub failed: Vec<RunOccurrence>,
    /// Due days older than the catch-up horizon that the run did not post (with the reason);
    /// they stay due, and a run with `catch_up=true` posts them. A schedule with such a day
    /// posts nothing until then (days post in order).
    pub skipped: Vec<RunOccurrence>,
    /// Days another runner handled first (this run then posted nothing for them).
    pub lost_races: usize,
    /// More remained than one run handles; the next run continues.
    pub more: bool,
    /// Highest log position written (0: nothing).
    pub position: i64,
}

/// How far back a run posts.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// The day the run posts through.
    pub today: NaiveDate,
    /// The oldest day a run posts without an explicit catch-up (None: any day).
    pub horizon: Option<NaiveDate>,
}

impl RunOptions {
    /// A run through `today` that back-fills at most `max_catchup_days`, unless `catch_up`.
    pub fn new(today: NaiveDate, max_catchup_days: u32, catch_up: bool) -> Self {
        let horizon = (!catch_up)
            .then(|| today.checked_sub_days(chrono::Days::new(u64::from(max_catchup_days))))
            .flatten();
        Self { today, horizon }
    }
}

/// Most skipped days a report lists per schedule.
pub const MAX_SKIPPED_LISTED: usize = 100;

enum Step {
    /// Nothing more is due.
    Done,
    /// The next due day is older than the horizon: nothing was written.
    BeyondHorizon,
    Handled(RunOccurrence, i64),
    /// Another runner appended first; reload and look again.
    LostRace,
}

/// Handles schedule `id`'s next due day (through `today`) as one command.
async fn step(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    options: RunOptions,
) -> Result<Step, AppError> {
    let run = Run::new(actor, "the schedule").lock(Lock::PostingFactsShared);
    let stepped = executor::execute(pool, run, |mut work| {
        Box::pin(async move {
            let step = stage_step(&mut work, id, options).await?;
            Ok((work, step))
        })
    })
    .await;
    match stepped {
        Ok((Step::Handled(occurrence, _), written)) => {
            Ok(Step::Handled(occurrence, written.position))
        }
        Ok((step, _)) => Ok(step),
        Err(AppError::ConcurrentUpdate { .. }) => Ok(Step::LostRace),
        Err(e) => Err(e),
    }
}

/// Stages schedule `id`'s next due day: its posting and the schedule's record of it, or the
/// record of why the day could not post.
async fn stage_step(work: &mut Work, id: Uuid, options: RunOptions) -> Result<Step, AppError> {
    let key = id.to_string();
    let (mut state, version) = work.load::<RecurringPayment>(&key).await?;
    let due = state.due(options.today, 1).first().copied();
    let (Some(date), Some(def)) = (due, &state.definition) else {
        return Ok(Step::Done);
    };
    if options.horizon.is_some_and(|h| date < h) {
        return Ok(Step::BeyondHorizon);
    }
    let command = def.template.posting(id, date);
    let request = PostRequest {
        id: transaction_id(command.idempotency_key.as_deref()),
        command,
    };
    let transaction_id = request.id;
    let record = match decide_in(work.conn(), std::slice::from_ref(&request)).await {
        Ok((events, _)) => {
            work.stage(events);
            RecurringCommand::RecordPosted {
                date,
                transaction_id,
            }
        }
        // The day cannot post as things stand: say why and go on with later days.
        Err(AppError::Domain(e)) => RecurringCommand::RecordFailed {
            date,
            reason: crate::error::domain_detail(&e),
        },
        Err(e) if e.is_refusal() => RecurringCommand::RecordFailed {
            date,
            reason: e.to_string(),
        },
        Err(e) => return Err(e),
    };
    let occurrence = RunOccurrence {
        recurring_id: id,
        date,
        transaction_id: match &record {
            RecurringCommand::RecordPosted { .. } => Some(transaction_id),
            _ => None,
        },
        reason: match &record {
            RecurringCommand::RecordFailed { reason, .. } => Some(reason.clone()),
            _ => None,
        },
    };
    work.decide(&key, &mut state, version, record, &()).await?;
    // The position is the executor's to tell, once appended.
    Ok(Step::Handled(occurrence, 0))
}

/// Posts every due day through `today` of every schedule, each schedule's days in date order.
/// Scheduled and manual runs alike are counted for `/metrics`.
pub async fn run_due(
    pool: &PgPool,
    actor: &Actor,
    options: RunOptions,
) -> Result<RunReport, AppError> {
    let report = run_schedules(pool, actor, options).await;
    crate::ops::metrics::recurring_ran(report.as_ref().ok());
    report
}

async fn run_schedules(
    pool: &PgPool,
    actor: &Actor,
    options: RunOptions,
) -> Result<RunReport, AppError> {
    let today = options.today;
    // The read side says which schedules have a day due; the log decides each day.
    let ids: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM read.recurring WHERE next_run <= $1 ORDER BY next_run, id LIMIT $2",
    )
    .bind(today)
    .bind(MAX_SCHEDULES_PER_RUN + 1)
    .fetch_all(pool)
    .await?;
    let mut report = RunReport {
        today: Some(today),
        more: ids.len() as i64 > MAX_SCHEDULES_PER_RUN,
        ..RunReport::default()
    };
    for id in ids.into_iter().take(MAX_SCHEDULES_PER_RUN as usize) {
        report.schedules += 1;
        let (mut handled, mut races) = (0, 0);
        while handled < MAX_CATCH_UP_PER_RUN && races < MAX_CONFLICTS_PER_SCHEDULE {
            match step(pool, actor, id, options).await? {
                Step::Done => break,
                Step::BeyondHorizon => {
                    report
                        .skipped
                        .extend(skipped_days(&mut *pool.acquire().await?, id, options).await?);
                    break;
                }
                Step::Handled(o, position) => {
                    handled += 1;
                    report.position = report.position.max(position);
                    if o.transaction_id.is_some() {
                        report.posted.push(o);
                    } else {
                        report.failed.push(o);
                    }
                }
                Step::LostRace => {
                    races += 1;
                    report.lost_races += 1;
                }
            }
        }
        if handled == MAX_CATCH_UP_PER_RUN || races == MAX_CONFLICTS_PER_SCHEDULE {
            report.more = true;
        }
    }
    Ok(report)
}

/// The due days of schedule `id` older than the run's horizon, as skipped occurrences.
async fn skipped_days(
    conn: &mut PgConnection,
    id: Uuid,
    options: RunOptions,
) -> Result<Vec<RunOccurrence>, AppError> {
    let Some(horizon) = options.horizon else {
        return Ok(Vec::new());
    };
    let (state, _) = store::load::<RecurringPayment>(conn, &id.to_string()).await?;
    let reason = format!(
        "older than the catch-up horizon ({horizon}, LEDGER_RECURRING_MAX_CATCHUP_DAYS); \
         not posted: run with catch_up=true to post the backlog"
    );
    Ok(state
        .due(options.today, MAX_SKIPPED_LISTED)
        .into_iter()
        .take_while(|d| *d < horizon)
        .map(|date| RunOccurrence {
            recurring_id: id,
            date,
            transaction_id: None,
            reason: Some(reason.clone()),
        })
        .collect())
}

/// Runs the runner on `cron` (seconds first, UTC) and once at start-up, so days missed while
/// the server was down are posted when it comes back (at most `max_catchup_days` back).
pub async fn start_scheduler(
    pool: PgPool,
    cron: &str,
    max_catchup_days: u32,
) -> Result<JobScheduler, AppError> {
    let scheduler = JobScheduler::new().await.map_err(AppError::internal)?;
    let job_pool = pool.clone();
    let job = Job::new_async(cron, move |_id, _scheduler| {
        let pool = job_pool.clone();
        Box::pin(async move { scheduled_run(&pool, max_catchup_days).await })
    })
    .map_err(AppError::internal)?;
    scheduler.add(job).await.map_err(AppError::internal)?;
    scheduler.start().await.map_err(AppError::internal)?;
    tokio::spawn(async move {
        // A first start builds the read tables first; the catch-up waits for them.
        projections::read_model::wait_ready(&pool, projections::read_model::READY_WAIT).await;
        scheduled_run(&pool, max_catchup_days).await
    });
    Ok(scheduler)
}

async fn scheduled_run(pool: &PgPool, max_catchup_days: u32) {
    let actor = Actor::system("scheduler:recurring");
    let options = RunOptions::new(chrono::Utc::now().date_naive(), max_catchup_days, false);
    match run_due(pool, &actor, options).await {
        Ok(r) if !r.skipped.is_empty() => tracing::warn!(
            posted = r.posted.len(),
            skipped = r.skipped.len(),
            "recurring payments have days older than the catch-up horizon; \
             POST /api/recurring/run?catch_up=true posts them"
        ),
        Ok(r) if r.posted.is_empty() && r.failed.is_empty() => {}
        Ok(r) => tracing::info!(
            posted = r.posted.len(),
            failed = r.failed.len(),
            more = r.more,
            "recurring payments posted"
        ),
        Err(e) => tracing::warn!(error = %e, "recurring run failed; the next run retries"),
    }
}
