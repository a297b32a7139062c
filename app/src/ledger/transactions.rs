//! Posting, reversing and editing transactions.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, Utc};
use domain::account::Account;
use domain::aggregate::decide;
use domain::entity::{Entity, EntitySpec};
use domain::period::{BOOKS_ID, Periods};
use domain::transaction::{
    AccountFacts, Origin, PostTransaction, PostingContext, ReferenceFacts, Transaction,
    TransactionCommand, TransactionPosted,
};
use domain::{Aggregate, DomainError};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::Actor;
use crate::error::AppError;
use crate::executor::{self, Lock, Run};
use domain::account::AccountSpec;
use domain::category::CategorySpec;
use domain::counterparty::CounterpartySpec;
use domain::project::ProjectSpec;
use eventstore::{self as store, NewEvent, Streams};

/// Most transactions one batch may post.
pub const MAX_BATCH: usize = 10_000;

/// Namespace for transaction ids derived from idempotency keys.
const IDEMPOTENCY_NAMESPACE: Uuid = Uuid::from_u128(0x6c65_6467_6572_2d69_6465_6d70_6f74_656e);

/// The id a transaction gets: derived from its idempotency key when there is one, so a repeated
/// key lands on the same stream and cannot post twice.
pub fn transaction_id(idempotency_key: Option<&str>) -> Uuid {
    match idempotency_key {
        Some(key) => Uuid::new_v5(&IDEMPOTENCY_NAMESPACE, key.as_bytes()),
        None => Uuid::now_v7(),
    }
}

#[derive(Debug, Clone)]
pub struct PostRequest {
    pub id: Uuid,
    pub command: PostTransaction,
}

/// A posting made by document `origin` (a payout, an invoice): its idempotency key is derived
/// from the document and the `step` (`payout:{id}:payment`), so a retried command posts it once,
/// and the posting links back to the document.
pub fn document_posting(origin: Origin, step: &str, command: PostTransaction) -> PostRequest {
    let key = format!("{}:{}:{step}", origin.kind.as_str(), origin.id);
    PostRequest {
        id: transaction_id(Some(&key)),
        command: PostTransaction {
            idempotency_key: Some(key.clone()),
            fingerprint: key,
            origin: Some(origin),
            ..command
        },
    }
}

#[derive(Debug, Clone)]
pub struct Posted {
    pub id: Uuid,
    pub posted: TransactionPosted,
    pub position: i64,
    /// True when an earlier request with the same idempotency key had already posted it.
    pub replayed: bool,
}

/// The streams the posting rules read for `commands`: the period lock and every referenced
/// account, project, category and counterparty.
fn context_keys<'a>(
    commands: impl Iterator<Item = &'a PostTransaction>,
) -> Vec<(&'static str, String)> {
    let mut keys: HashSet<(&'static str, Uuid)> = HashSet::new();
    for c in commands {
        keys.extend(c.legs.iter().map(|l| (AccountSpec::TYPE, l.account_id)));
        keys.extend(c.project_id.map(|id| (ProjectSpec::TYPE, id)));
        keys.extend(c.category_id.map(|id| (CategorySpec::TYPE, id)));
        keys.extend(c.counterparty_id.map(|id| (CounterpartySpec::TYPE, id)));
    }
    let mut out: Vec<(&'static str, String)> = keys
        .into_iter()
        .map(|(t, id)| (t, id.to_string()))
        .collect();
    out.push((Periods::TYPE, BOOKS_ID.to_string()));
    out
}

/// Existing, non-archived-or-not entities of kind `S` among `keys`.
fn entities<S: EntitySpec>(
    streams: &Streams,
    keys: &[(&'static str, String)],
) -> Result<HashMap<Uuid, Entity<S>>, AppError> {
    let mut out = HashMap::new();
    for (t, id) in keys.iter().filter(|(t, _)| *t == S::TYPE) {
        let (entity, _) = streams.fold::<Entity<S>>(id)?;
        if entity.exists() {
            let id =
                Uuid::parse_str(id).map_err(|e| AppError::internal(format!("{t} id {id}: {e}")))?;
            out.insert(id, entity);
        }
    }
    Ok(out)
}

fn reference_facts<S: EntitySpec>(
    streams: &Streams,
    keys: &[(&'static str, String)],
) -> Result<HashMap<Uuid, ReferenceFacts>, AppError> {
    Ok(entities::<S>(streams, keys)?
        .into_iter()
        .map(|(id, e)| {
            (
                id,
                ReferenceFacts {
                    archived: e.archived,
                },
            )
        })
        .collect())
}

/// Builds the posting rules' context from already loaded streams (see [`context_keys`]).
fn context_from(
    streams: &Streams,
    keys: &[(&'static str, String)],
) -> Result<PostingContext, AppError> {
    let (periods, _) = streams.fold::<Periods>(BOOKS_ID)?;
    let accounts = entities::<AccountSpec>(streams, keys)?
        .into_iter()
        .map(|(id, a): (Uuid, Account)| {
            let spec = a.spec.expect("only existing accounts are returned");
            (
                id,
                AccountFacts {
                    currency: spec.currency,
                    archived: a.archived,
                    crypto_wallet: spec.kind == domain::account::AccountKind::CryptoWallet,
                },
            )
        })
        .collect();
    Ok(PostingContext {
        today: Some(Utc::now().date_naive()),
        closed_through: periods.closed_through,
        accounts,
        projects: reference_facts::<ProjectSpec>(streams, keys)?,
        categories: reference_facts::<CategorySpec>(streams, keys)?,
        counterparties: reference_facts::<CounterpartySpec>(streams, keys)?,
    })
}

/// Loads from the log everything the posting rules need for `commands`.
pub async fn posting_context<'a>(
    conn: &mut PgConnection,
    commands: impl Iterator<Item = &'a PostTransaction>,
) -> Result<PostingContext, AppError> {
    let keys = context_keys(commands);
    let streams = store::load_streams(conn, &keys).await?;
    context_from(&streams, &keys)
}

/// In a batch, names the failing transaction.
fn entry_error(index: Option<usize>, e: DomainError) -> AppError {
    match index {
        Some(index) => AppError::InBatch { index, error: e },
        None => e.into(),
    }
}

/// What one posting request comes to against the loaded log.
pub(crate) enum Outcome {
    /// Already posted under the same idempotency key (with the same request).
    Replayed(TransactionPosted),
    /// New: the events to append.
    New {
        posted: TransactionPosted,
        events: Vec<NewEvent>,
    },
}

/// Loads, in one round trip, everything `requests` read: their own streams (idempotency) and
/// the facts the posting rules need. Call inside the transaction that holds the shared
/// posting-facts lock.
pub(crate) async fn load_for(
    conn: &mut PgConnection,
    requests: &[&PostRequest],
) -> Result<(Streams, PostingContext), AppError> {
    let context = context_keys(requests.iter().map(|r| &r.command));
    let mut keys = context.clone();
    keys.extend(
        requests
            .iter()
            .map(|r| (Transaction::TYPE, r.id.to_string())),
    );
    let streams = store::load_streams(conn, &keys).await?;
    let ctx = context_from(&streams, &context)?;
    Ok((streams, ctx))
}

/// Decides one request. Pure apart from the (I/O-free) domain call.
pub(crate) async fn decide_one(
    streams: &Streams,
    ctx: &PostingContext,
    r: &PostRequest,
) -> Result<Outcome, AppError> {
    let (state, _) = streams.fold::<Transaction>(&r.id.to_string())?;
    if let Some(earlier) = state.posted {
        if earlier.fingerprint != r.command.fingerprint {
            // The same answer as the Idempotency-Key middleware gives (Stripe's semantics).
            return Err(AppError::IdempotencyKeyReused {
                detail: format!(
                    "idempotency key {:?} was used for a different request",
                    r.command
                        .idempotency_key
                        .as_deref()
                        .unwrap_or("(Idempotency-Key header)")
                ),
            });
        }
        return Ok(Outcome::Replayed(earlier));
    }
    let mut t = Transaction::default();
    let produced = decide(&mut t, TransactionCommand::Post(r.command.clone()), ctx).await?;
    let events = NewEvent::from_domain::<Transaction>(&r.id.to_string(), 0, produced)?;
    Ok(Outcome::New {
        posted: t.posted.expect("just posted"),
        events,
    })
}

/// Where posting `id` was written (its first event's position).
pub(crate) async fn position_of(conn: &mut PgConnection, id: Uuid) -> Result<i64, AppError> {
    store::lookup::first_position(conn, Transaction::TYPE, &id.to_string())
        .await?
        .ok_or_else(|| AppError::internal(format!("posting {id} has no events")))
}

impl Outcome {
    /// Request `id`'s answer and the events still to append (none for a replay, which
    /// answers where it was written before).
    pub(crate) async fn answer(
        self,
        conn: &mut PgConnection,
        id: Uuid,
    ) -> Result<(Posted, Vec<NewEvent>), AppError> {
        Ok(match self {
            Outcome::Replayed(posted) => {
                let position = position_of(conn, id).await?;
                let posted = Posted {
                    id,
                    posted,
                    position,
                    replayed: true,
                };
                (posted, Vec::new())
            }
            Outcome::New { posted, events } => {
                let posted = Posted {
                    id,
                    posted,
                    position: 0,
                    replayed: false,
                };
                (posted, events)
            }
        })
    }
}

/// Decides `requests` inside the caller's transaction (which holds the posting-facts lock):
/// the events to append, and each request's result (position 0 for new postings until the
/// caller appends). Lets other commands post in the same database transaction as their own
/// events.
pub async fn decide_in(
    tx: &mut PgConnection,
    requests: &[PostRequest],
) -> Result<(Vec<NewEvent>, Vec<Posted>), AppError> {
    let batch = requests.len() > 1;
    let refs: Vec<&PostRequest> = requests.iter().collect();
    let (streams, ctx) = load_for(tx, &refs).await?;
    let mut events = Vec::with_capacity(requests.len());
    let mut results = Vec::with_capacity(requests.len());
    for (i, r) in requests.iter().enumerate() {
        match decide_one(&streams, &ctx, r).await {
            Ok(outcome) => {
                let (posted, produced) = outcome.answer(tx, r.id).await?;
                events.extend(produced);
                results.push(posted);
            }
            Err(AppError::Domain(e)) => return Err(entry_error(batch.then_some(i), e)),
            Err(e) => return Err(e),
        }
    }
    Ok((events, results))
}

/// Posts `requests` all-or-nothing. Requests whose idempotency key already posted are answered
/// with the earlier result; a key reused with a different request is refused.
pub async fn post_many(
    pool: &PgPool,
    actor: &Actor,
    requests: Vec<PostRequest>,
) -> Result<Vec<Posted>, AppError> {
    if requests.len() > MAX_BATCH {
        return Err(AppError::invalid(
            "transactions",
            format!("at most {MAX_BATCH} transactions per batch"),
        ));
    }
    let mut seen = HashSet::with_capacity(requests.len());
    for (i, r) in requests.iter().enumerate() {
        if !seen.insert(r.id) {
            return Err(AppError::invalid(
                format!("transactions[{i}].idempotency_key"),
                "repeats an earlier key of this batch",
            ));
        }
    }
    // One retry covers the race where an identical request commits between our check and
    // append: the second look answers it as replayed.
    let run = Run::new(actor, "a transaction with the same id")
        .lock(Lock::PostingFactsShared)
        .retry(2);
    let requests = &requests;
    let (mut results, written) = executor::execute(pool, run, |mut work| {
        Box::pin(async move {
            let (events, results) = decide_in(work.conn(), requests).await?;
            work.stage(events);
            Ok((work, results))
        })
    })
    .await?;
    for r in results.iter_mut().filter(|r| !r.replayed) {
        r.position = written.position;
    }
    Ok(results)
}

#[derive(Debug, Clone)]
pub struct Reversed {
    pub reversal: Posted,
    pub replacement: Option<Posted>,
    pub position: i64,
}

/// The events of a reversal decided inside the caller's transaction (which holds the
/// posting-facts lock), not yet appended.
pub struct ReversalEvents {
    pub events: Vec<NewEvent>,
    pub reversal_id: Uuid,
    pub reversal: TransactionPosted,
    pub replacement: Option<(Uuid, TransactionPosted)>,
}

/// Decides the reversal of transaction `id` (dated `date`) and, for an edit, its replacement,
/// inside `tx`: lets a document (an invoice's cancellation) reverse its postings in the same
/// database transaction as its own event.
pub async fn reverse_in(
    tx: &mut PgConnection,
    id: Uuid,
    date: NaiveDate,
    replacement: Option<PostRequest>,
) -> Result<ReversalEvents, AppError> {
    let key = id.to_string();
    let (mut original, version) = store::load::<Transaction>(tx, &key).await?;
    if original.posted.is_none() {
        return Err(DomainError::NotFound {
            entity: "transaction",
            id: key,
        }
        .into());
    }
    let reversal_id = Uuid::now_v7();
    let reversal_cmd = original.reversal(id, date, format!("reversal:{id}"))?;
    let mut commands = vec![&reversal_cmd];
    let mut replacement_cmd = replacement.map(|mut r| {
        r.command.replaces = Some(id);
        r
    });
    if let Some(r) = &replacement_cmd {
        commands.push(&r.command);
    }
    let ctx = posting_context(tx, commands.into_iter()).await?;

    let mut events = Vec::new();
    let mark = TransactionCommand::MarkReversed {
        reversal_id,
        replaced_by: replacement_cmd.as_ref().map(|r| r.id),
    };
    events.extend(NewEvent::from_domain::<Transaction>(
        &key,
        version,
        decide(&mut original, mark, &ctx).await?,
    )?);

    let mut reversal = Transaction::default();
    let produced = decide(&mut reversal, TransactionCommand::Post(reversal_cmd), &ctx).await?;
    events.extend(NewEvent::from_domain::<Transaction>(
        &reversal_id.to_string(),
        0,
        produced,
    )?);

    let mut replaced = None;
    if let Some(r) = replacement_cmd.take() {
        let mut t = Transaction::default();
        let produced = decide(&mut t, TransactionCommand::Post(r.command), &ctx).await?;
        events.extend(NewEvent::from_domain::<Transaction>(
            &r.id.to_string(),
            0,
            produced,
        )?);
        replaced = Some((r.id, t.posted.expect("just posted")));
    }
    Ok(ReversalEvents {
        events,
        reversal_id,
        reversal: reversal.posted.expect("just posted"),
        replacement: replaced,
    })
}

/// Reverses transaction `id` (dated `date`, default today) and, for an edit, posts its
/// replacement, linking all three. One database transaction: all or nothing.
pub async fn reverse(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    date: Option<NaiveDate>,
    replacement: Option<PostRequest>,
) -> Result<Reversed, AppError> {
    let date = date.unwrap_or_else(|| Utc::now().date_naive());
    let run = Run::new(actor, format!("transaction {id}")).lock(Lock::PostingFactsShared);
    let replacement = &replacement;
    let (r, written) = executor::execute(pool, run, |mut work| {
        Box::pin(async move {
            let mut r = reverse_in(work.conn(), id, date, replacement.clone()).await?;
            work.stage(std::mem::take(&mut r.events));
            Ok((work, r))
        })
    })
    .await?;
    let position = written.position;
    Ok(Reversed {
        reversal: Posted {
            id: r.reversal_id,
            posted: r.reversal,
            position,
            replayed: false,
        },
        replacement: r.replacement.map(|(id, posted)| Posted {
            id,
            posted,
            position,
            replayed: false,
        }),
        position,
    })
}

/// The transaction as stored, for GET and idempotent answers.
pub async fn load(pool: &PgPool, id: Uuid) -> Result<(Transaction, i64), AppError> {
    let mut conn = pool.acquire().await?;
    let (t, _) = store::load::<Transaction>(&mut conn, &id.to_string()).await?;
    if t.posted.is_none() {
        return Err(DomainError::NotFound {
            entity: Transaction::TYPE,
            id: id.to_string(),
        }
        .into());
    }
    let position = position_of(&mut conn, id).await?;
    Ok((t, position))
}
