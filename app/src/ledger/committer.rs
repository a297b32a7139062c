//! Group commit for single postings. Concurrent `POST /api/transactions` requests are queued
//! and a few workers take them in groups: one database transaction loads what the whole group
//! needs, each request is decided on its own (a refused one is answered at once and changes
//! nothing), and the accepted ones are appended with one INSERT and one commit. Under load this
//! turns N transactions with N fsyncs into one; with a single client a group is one request.

use std::collections::HashSet;
use std::sync::Arc;

use sqlx::{Connection, PgPool};
use tokio::sync::{Mutex, mpsc, oneshot};

use super::Actor;
use super::transactions::{PostRequest, Posted, decide_one, load_for, post_many};
use crate::error::AppError;
use eventstore::{self as store, AppendError};

/// Most requests one group commits.
pub const MAX_GROUP: usize = 128;
/// Requests waiting for a worker before callers are made to wait to enqueue.
pub const QUEUE_DEPTH: usize = 4_096;

struct Job {
    actor: Actor,
    request: PostRequest,
    reply: oneshot::Sender<Result<Posted, AppError>>,
}

/// Handle to the posting workers.
#[derive(Clone)]
pub struct Committer {
    queue: mpsc::Sender<Job>,
}

impl Committer {
    /// Starts `workers` tasks committing groups on `pool`.
    pub fn spawn(pool: PgPool, workers: usize) -> Self {
        assert!(workers >= 1, "at least one posting worker");
        let (queue, jobs) = mpsc::channel::<Job>(QUEUE_DEPTH);
        let jobs = Arc::new(Mutex::new(jobs));
        for _ in 0..workers {
            let (pool, jobs) = (pool.clone(), jobs.clone());
            tokio::spawn(async move {
                while let Some(group) = next_group(&jobs).await {
                    commit_group(&pool, group).await;
                }
            });
        }
        Self { queue }
    }

    /// Posts one transaction (or answers the earlier result of its idempotency key).
    pub async fn post(&self, actor: Actor, request: PostRequest) -> Result<Posted, AppError> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Job {
                actor,
                request,
                reply,
            })
            .await
            .map_err(|_| AppError::internal("the posting workers have stopped"))?;
        answer
            .await
            .map_err(|_| AppError::internal("a posting worker stopped mid-request"))?
    }
}

/// Waits for one job, then takes whatever else is already queued (up to [`MAX_GROUP`]).
async fn next_group(jobs: &Mutex<mpsc::Receiver<Job>>) -> Option<Vec<Job>> {
    let mut jobs = jobs.lock().await;
    let first = jobs.recv().await?;
    let mut group = vec![first];
    while group.len() < MAX_GROUP {
        match jobs.try_recv() {
            Ok(job) => group.push(job),
            Err(_) => break,
        }
    }
    Some(group)
}

async fn commit_group(pool: &PgPool, group: Vec<Job>) {
    // Two requests for the same id (a client retrying at once) go one after the other, so the
    // second sees the first's result.
    let mut seen = HashSet::new();
    let (first, later): (Vec<Job>, Vec<Job>) =
        group.into_iter().partition(|j| seen.insert(j.request.id));
    commit_unique(pool, first).await;
    for job in later {
        Box::pin(commit_unique(pool, vec![job])).await;
    }
}

async fn commit_unique(pool: &PgPool, group: Vec<Job>) {
    match try_group(pool, &group).await {
        Ok(answers) => {
            for (job, answer) in group.into_iter().zip(answers) {
                let _ = job.reply.send(answer);
            }
        }
        Err(GroupError::Conflict) => {
            // Someone else (another instance, a batch) posted one of these ids meanwhile: fall
            // back to one transaction per request, which sorts out who replays what.
            for job in group {
                let answer = post_many(pool, &job.actor, vec![job.request])
                    .await
                    .map(|mut p| p.remove(0));
                let _ = job.reply.send(answer);
            }
        }
        Err(GroupError::Failed {
            message,
            unavailable,
        }) => {
            tracing::error!(error = %message, requests = group.len(), "posting group failed");
            for job in group {
                // Each caller gets its own error value; an outage stays a 503 the client retries.
                let e = if unavailable {
                    AppError::Unavailable
                } else {
                    AppError::internal(&message)
                };
                let _ = job.reply.send(Err(e));
            }
        }
    }
}

enum GroupError {
    Conflict,
    Failed { message: String, unavailable: bool },
}

impl From<AppError> for GroupError {
    fn from(e: AppError) -> Self {
        GroupError::Failed {
            unavailable: e.is_unavailable(),
            message: e.to_string(),
        }
    }
}

impl From<sqlx::Error> for GroupError {
    fn from(e: sqlx::Error) -> Self {
        AppError::from(e).into()
    }
}

/// One database transaction for the whole group; an answer per job, in order.
async fn try_group(
    pool: &PgPool,
    group: &[Job],
) -> Result<Vec<Result<Posted, AppError>>, GroupError> {
    let mut conn = pool.acquire().await?;
    let mut tx = conn.begin().await?;
    crate::ledger::locks::lock_posting_facts_shared(&mut tx).await?;
    let requests: Vec<&PostRequest> = group.iter().map(|j| &j.request).collect();
    let (streams, ctx) = load_for(&mut tx, &requests).await?;

    let mut answers: Vec<Result<Posted, AppError>> = Vec::with_capacity(group.len());
    let (mut events, mut metadata, mut owners) = (Vec::new(), Vec::new(), Vec::new());
    for (i, job) in group.iter().enumerate() {
        let id = job.request.id;
        match decide_one(&streams, &ctx, &job.request).await {
            Ok(outcome) => {
                let (posted, produced) = outcome.answer(&mut tx, id).await?;
                let meta =
                    serde_json::to_string(&job.actor.metadata()).expect("metadata serialises");
                for e in produced {
                    events.push(e);
                    metadata.push(meta.clone());
                    owners.push(i);
                }
                answers.push(Ok(posted));
            }
            Err(e) => answers.push(Err(e)),
        }
    }
    let positions = match store::append_positions(&mut tx, &events, &metadata).await {
        Ok(p) => p,
        Err(AppendError::Conflict) => return Err(GroupError::Conflict),
        Err(AppendError::Db(e)) => return Err(e.into()),
    };
    tx.commit().await?;
    for (owner, position) in owners.into_iter().zip(positions) {
        if let Some(Ok(posted)) = answers.get_mut(owner) {
            posted.position = posted.position.max(position);
        }
    }
    Ok(answers)
}
