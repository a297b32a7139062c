//! The one way a command runs: open a database transaction, take the lock the command needs,
//! load its streams and decide in the domain (the command's body), append every staged event
//! at once with the actor's metadata, commit. A conflicting append (another writer got to one
//! of the streams first) is retried when the command says so, else refused with a typed
//! [`AppError::ConcurrentUpdate`]. Nothing is written unless all of it is.
//!
//! The group committer of single postings (`ledger::committer`) is the one other writer: it
//! decides many requests in one transaction and answers each on its own, which a single body
//! cannot express; it falls back to this executor's path per request on a conflict.

use std::time::Duration;

use domain::{Aggregate, DomainError};
use eventstore::{AppendError, EventMetadata, NewEvent};
use futures::future::BoxFuture;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

use crate::error::{AppError, AppResult};
use crate::ledger::locks;
use crate::ledger::{Actor, Written};

/// Most attempts any command makes when its append conflicts.
pub const MAX_ATTEMPTS: usize = 8;

/// The lock a command holds for its whole transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    None,
    /// It posts: the facts postings are checked against must not change under it.
    PostingFactsShared,
    /// It changes those facts (archiving, the period lock).
    PostingFactsExclusive,
}

/// How a command runs: who acts, what it locks, what a conflict is called and how often it
/// is retried.
#[derive(Debug, Clone)]
pub struct Run<'a> {
    pub actor: &'a Actor,
    pub lock: Lock,
    /// Names what changed under a refused command: "`{subject}` changed meanwhile; retry".
    pub subject: String,
    /// Attempts before a conflict is refused (1: refuse at once).
    pub attempts: usize,
}

impl<'a> Run<'a> {
    pub fn new(actor: &'a Actor, subject: impl Into<String>) -> Self {
        Self {
            actor,
            lock: Lock::None,
            subject: subject.into(),
            attempts: 1,
        }
    }
    pub fn lock(self, lock: Lock) -> Self {
        Self { lock, ..self }
    }
    pub fn retry(self, attempts: usize) -> Self {
        assert!(
            (1..=MAX_ATTEMPTS).contains(&attempts),
            "1..={MAX_ATTEMPTS} attempts"
        );
        Self { attempts, ..self }
    }
}

/// A command's unit of work: its database transaction and the events it staged so far.
pub struct Work {
    tx: Transaction<'static, Postgres>,
    staged: Vec<NewEvent>,
    metadata: EventMetadata,
    subject: String,
    /// The highest position appended early by [`Work::append_now`] (0: none).
    appended_position: i64,
}

impl Work {
    /// The command's transaction, to read what it needs.
    pub fn conn(&mut self) -> &mut PgConnection {
        &mut self.tx
    }

    /// Loads aggregate `A` with id `id` and its version (0 when it has no events).
    pub async fn load<A: Aggregate>(&mut self, id: &str) -> AppResult<(A, i64)> {
        Ok(eventstore::load::<A>(&mut self.tx, id).await?)
    }

    /// Runs `command` against `state` (loaded at `version`) and stages what it produced.
    pub async fn decide<A>(
        &mut self,
        id: &str,
        state: &mut A,
        version: i64,
        command: A::Command,
        services: &A::Services,
    ) -> AppResult<()>
    where
        A: Aggregate<Error = DomainError>,
    {
        let events = domain::aggregate::decide(state, command, services).await?;
        self.stage_domain::<A>(id, version, events)
    }

    /// Stages events aggregate `A` produced at stream `id`, which stood at `version`.
    pub fn stage_domain<A: Aggregate>(
        &mut self,
        id: &str,
        version: i64,
        events: Vec<A::Event>,
    ) -> AppResult<()> {
        let events = NewEvent::from_domain::<A>(id, version, events)?;
        self.stage(events);
        Ok(())
    }

    /// Stages events decided elsewhere (postings decided by `transactions::decide_in`).
    pub fn stage(&mut self, events: Vec<NewEvent>) {
        self.staged.extend(events);
    }

    /// Appends what is staged so far inside the command's transaction, so the rest of the
    /// body reads it from the log (an account created, then posted to). Nothing is visible to
    /// others before the commit: the command stays all or nothing. A conflict is the typed
    /// [`AppError::ConcurrentUpdate`], which the executor retries like a final one.
    pub async fn append_now(&mut self) -> AppResult<()> {
        let staged = std::mem::take(&mut self.staged);
        let position =
            append_or_refuse(&mut self.tx, &staged, &self.metadata, &self.subject).await?;
        self.appended_position = self.appended_position.max(position);
        Ok(())
    }
}

/// Appends `events` in the caller's transaction, a conflict refused as
/// [`AppError::ConcurrentUpdate`] naming `subject`. For pipelines whose transaction holds more
/// than events (an import's COPYed facts and its queue row), which a command body cannot.
pub async fn append_in(
    conn: &mut PgConnection,
    events: &[NewEvent],
    actor: &Actor,
    subject: &str,
) -> AppResult<i64> {
    append_or_refuse(conn, events, &actor.metadata(), subject).await
}

async fn append_or_refuse(
    conn: &mut PgConnection,
    events: &[NewEvent],
    metadata: &EventMetadata,
    subject: &str,
) -> AppResult<i64> {
    match eventstore::append(conn, events, metadata).await {
        Ok(position) => Ok(position),
        Err(AppendError::Conflict) => Err(AppError::ConcurrentUpdate {
            detail: format!("{subject} changed meanwhile; retry"),
        }),
        Err(AppendError::Db(e)) => Err(e.into()),
    }
}

/// Runs `body` as one command (see the module's doc). Answers the body's value and the
/// highest log position written (0 when it staged nothing).
///
/// The body takes the unit of work and hands it back with its value:
/// `|mut work| Box::pin(async move { ...; Ok((work, value)) })`, capturing what it reads by
/// reference. Not an async closure: an async closure's future cannot be proven `Send` for
/// every borrow, and commands run on spawned tasks. A body that fails drops the work, which
/// rolls its transaction back.
pub async fn execute<'a, T, F>(pool: &PgPool, run: Run<'_>, mut body: F) -> AppResult<(T, Written)>
where
    F: FnMut(Work) -> BoxFuture<'a, AppResult<(Work, T)>>,
{
    assert!(run.attempts >= 1, "a command runs at least once");
    let mut attempt = 1;
    loop {
        let metadata = run.actor.metadata();
        let mut tx = pool.begin().await?;
        match run.lock {
            Lock::None => {}
            Lock::PostingFactsShared => locks::lock_posting_facts_shared(&mut tx).await?,
            Lock::PostingFactsExclusive => locks::lock_posting_facts_exclusive(&mut tx).await?,
        }
        let work = Work {
            tx,
            staged: Vec::new(),
            metadata: metadata.clone(),
            subject: run.subject.clone(),
            appended_position: 0,
        };
        let outcome = match body(work).await {
            Ok((mut work, value)) => {
                let staged = std::mem::take(&mut work.staged);
                append_or_refuse(&mut work.tx, &staged, &metadata, &run.subject)
                    .await
                    .map(|position| (work, value, position))
            }
            Err(e) => Err(e),
        };
        match outcome {
            Ok((work, value, position)) => {
                work.tx.commit().await?;
                let position = position.max(work.appended_position);
                return Ok((value, Written { position }));
            }
            // The body's own early appends conflict the same way: both retry.
            Err(AppError::ConcurrentUpdate { .. }) if attempt < run.attempts => {
                attempt += 1;
                // Spread racing retries a little, so they do not meet again at once.
                let jitter_ms = 1 + rand::random::<u64>() % 7;
                tokio::time::sleep(Duration::from_millis(attempt as u64 * jitter_ms)).await;
            }
            Err(e) => return Err(e),
        }
    }
}
