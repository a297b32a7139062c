//! Payout commands: compute a program's payout from approved conversions and its offers'
//! terms; approve it into a receivable; mark it paid. The postings and the payout's own event
//! are appended in one database transaction: the books and the payout never disagree.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use domain::account::AccountSpec;
use domain::aggregate::decide;
use domain::entity::Entity;
use domain::money::round_to_scale;
use domain::payout::posting::{self as payout_posting, ApprovalAccounts, Receipt};
use domain::payout::{Payout, PayoutCommand, PayoutContext, PayoutLine};
use domain::payout_scope::{Claim, MAX_CLAIMS, PayoutScope, PayoutScopeCommand, PayoutScopeEvent};
use domain::traffic::{OfferSpec, PayoutModel, ProgramSpec};
use domain::transaction::{DocumentPosting, Origin, OriginKind};
use domain::{Aggregate, Currency, DomainError};
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::transactions::{PostRequest, decide_in, document_posting};
use super::{Actor, Written};
use crate::error::AppError;
use crate::executor::{self, Lock, Run};
use eventstore as store;

/// Approved conversions of one campaign in one currency over the period.
#[derive(sqlx::FromRow)]
struct Earned {
    campaign_id: Uuid,
    currency: String,
    conversions: i64,
    revenue: Decimal,
}

/// The lines of `program`'s payout for `from..=to` (conversion days in UTC).
async fn lines_for(
    pool: &PgPool,
    program_id: Uuid,
    currency: Currency,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<PayoutLine>, AppError> {
    let earned: Vec<Earned> = sqlx::query_as(&format!(
        "WITH {keys} \
         SELECT k.campaign_id, c.currency, count(*) AS conversions, sum(c.payout) AS revenue \
         FROM read.conversions c \
         JOIN campaign_keys k ON k.source_id = '00000000-0000-0000-0000-000000000000' AND k.key = c.campaign_key \
         WHERE c.status = 'approved' AND c.converted_at >= $1 AND c.converted_at < $2 \
         GROUP BY 1, 2 ORDER BY 1, 2",
        keys = projections::traffic::CAMPAIGN_KEYS_CTE
    ))
    .bind(from.and_hms_opt(0, 0, 0).expect("midnight").and_utc())
    .bind((to + Days::new(1)).and_hms_opt(0, 0, 0).expect("midnight").and_utc())
    .fetch_all(pool)
    .await?;
    let mut lines: BTreeMap<(Uuid, Uuid), PayoutLine> = BTreeMap::new();
    for e in earned {
        let Some(campaign) =
            projections::queries::get_entity(pool, "campaign", e.campaign_id).await?
        else {
            continue;
        };
        let Some(offer_id) = campaign
            .data
            .get("offer_id")
            .and_then(|v| v.as_str())
            .and_then(|s| s.parse::<Uuid>().ok())
        else {
            continue;
        };
        let project_id = campaign
            .data
            .get("project_id")
            .and_then(|v| v.as_str())
            .and_then(|s| s.parse::<Uuid>().ok());
        let Some(offer) = projections::queries::get_entity(pool, "offer", offer_id).await? else {
            continue;
        };
        let offer: OfferSpec = serde_json::from_value(offer.data).map_err(AppError::internal)?;
        if offer.program_id != program_id {
            continue;
        }
        let n = u64::try_from(e.conversions).unwrap_or_default();
        // What the terms earn, in the currency they are stated in.
        let (earned, earned_in) = match offer.payout_model {
            PayoutModel::Cpa | PayoutModel::Cpi => {
                (offer.payout * Decimal::from(n), offer.currency)
            }
            PayoutModel::RevShare => (
                e.revenue * offer.payout / Decimal::ONE_HUNDRED,
                Currency::parse(&e.currency)?,
            ),
        };
        let amount = if earned_in == currency {
            earned
        } else {
            let rate = projections::queries::rate_on(pool, earned_in.code(), currency.code(), to)
                .await?
                .ok_or_else(|| {
                    AppError::invalid(
                        "to",
                        format!(
                            "no exchange rate from {earned_in} to {currency} on or before {to}; enter one at /api/rates"
                        ),
                    )
                })?;
            earned * rate.rate
        };
        let line = lines
            .entry((e.campaign_id, offer_id))
            .or_insert(PayoutLine {
                campaign_id: e.campaign_id,
                offer_id,
                project_id,
                conversions: 0,
                amount: Decimal::ZERO,
            });
        line.conversions += n;
        line.amount += amount;
    }
    Ok(lines
        .into_values()
        .map(|mut l| {
            l.amount = round_to_scale(l.amount, currency);
            l
        })
        .collect())
}

/// Computes and records a draft payout of `program_id` for `from..=to`.
pub async fn compute(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    program_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Written, AppError> {
    let mut conn = pool.acquire().await?;
    let (program, _) =
        store::load::<Entity<ProgramSpec>>(&mut conn, &program_id.to_string()).await?;
    let spec = program.spec.ok_or_else(|| {
        AppError::invalid("program_id", format!("no program with id {program_id}"))
    })?;
    if program.archived {
        return Err(DomainError::Archived {
            entity: "program",
            id: program_id.to_string(),
        }
        .into());
    }
    let lines = lines_for(pool, program_id, spec.currency, from, to).await?;
    drop(conn);
    let (key, lines, spec) = (&id.to_string(), &lines, &spec);
    let scope_key = &program_id.to_string();
    // Two computes of one program race on its scope stream: the loser's retry sees the
    // winner's claim and is refused as overlapping.
    let run = Run::new(actor, "the payout").retry(2);
    let ((), written) = executor::execute(pool, run, |mut work| {
        Box::pin(async move {
            let (mut payout, version) = work.load::<Payout>(key).await?;
            let (mut scope, scope_version) = work.load::<PayoutScope>(scope_key).await?;
            let mut claims = Vec::new();
            if scope_version == 0 {
                claims = claim_earlier_payouts(work.conn(), program_id, &mut scope).await?;
            }
            let command = PayoutCommand::Compute {
                program_id,
                counterparty_id: spec.counterparty_id,
                currency: spec.currency,
                from,
                to,
                lines: lines.clone(),
            };
            let ctx = PayoutContext {
                overlapping: scope.overlapping(id, from, to),
            };
            work.decide(key, &mut payout, version, command, &ctx)
                .await?;
            let claim = PayoutScopeCommand::Claim(Claim {
                payout_id: id,
                from,
                to,
            });
            claims.extend(decide(&mut scope, claim, &()).await?);
            work.stage_domain::<PayoutScope>(scope_key, scope_version, claims)?;
            Ok((work, ()))
        })
    })
    .await?;
    Ok(written)
}

/// The claims of a program's live payouts recorded before payouts claimed their periods
/// (read from the log itself, which is never behind): made once, when the program's scope
/// stream is first written. Payouts that already overlap (the race this stream closes) keep
/// the earlier one's claim; the later one is logged.
async fn claim_earlier_payouts(
    conn: &mut PgConnection,
    program_id: Uuid,
    scope: &mut PayoutScope,
) -> Result<Vec<PayoutScopeEvent>, AppError> {
    let program = program_id.to_string();
    let computed = store::lookup::find_by_field(
        conn,
        store::lookup::FieldMatch {
            aggregate_type: Payout::TYPE,
            event_type: "Computed",
            field: "program_id",
            equals: &program,
            unless_stream_has: Some("Cancelled"),
        },
        MAX_CLAIMS as i64,
    )
    .await?;
    let mut live = Vec::with_capacity(computed.len());
    for found in computed {
        let day = |name: &str| -> Result<NaiveDate, AppError> {
            serde_json::from_value(found.payload[name].clone()).map_err(AppError::internal)
        };
        live.push((found.aggregate_id.clone(), day("from")?, day("to")?));
    }
    let mut events = Vec::new();
    for (payout, from, to) in live {
        let payout_id = Uuid::parse_str(&payout).map_err(AppError::internal)?;
        let claim = PayoutScopeCommand::Claim(Claim {
            payout_id,
            from,
            to,
        });
        match decide(scope, claim, &()).await {
            Ok(claimed) => events.extend(claimed),
            Err(e) => {
                tracing::warn!(%payout_id, %program_id, error = %e, "an earlier payout overlaps")
            }
        }
    }
    Ok(events)
}

/// Loads payout `id` in `tx`, or says it does not exist.
async fn load(tx: &mut PgConnection, id: Uuid) -> Result<(Payout, i64), AppError> {
    let (payout, version) = store::load::<Payout>(tx, &id.to_string()).await?;
    if payout.status.is_none() {
        return Err(AppError::not_found(format!("payout {id}")));
    }
    Ok((payout, version))
}

/// A posting of payout `id`, with a key that makes a retried command post it once.
fn posting(id: Uuid, p: DocumentPosting) -> PostRequest {
    document_posting(
        Origin {
            kind: OriginKind::Payout,
            id,
        },
        &p.step,
        p.command,
    )
}

/// Appends `postings` and the payout's `command` together.
async fn post_with(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    postings: impl Fn(&Payout) -> Result<Vec<PostRequest>, AppError> + Sync,
    command: impl Fn(&[Uuid]) -> PayoutCommand + Sync,
) -> Result<Written, AppError> {
    let (postings, command) = (&postings, &command);
    let run = Run::new(actor, "the payout").lock(Lock::PostingFactsShared);
    let ((), written) = executor::execute(pool, run, |mut work| {
        Box::pin(async move {
            let (mut payout, version) = load(work.conn(), id).await?;
            let requests = postings(&payout)?;
            let ids: Vec<Uuid> = requests.iter().map(|r| r.id).collect();
            let events = decide(&mut payout, command(&ids), &PayoutContext::default()).await?;
            // The postings first, then the payout's event that names them.
            let (postings, _) = decide_in(work.conn(), &requests).await?;
            work.stage(postings);
            work.stage_domain::<Payout>(&id.to_string(), version, events)?;
            Ok((work, ()))
        })
    })
    .await?;
    Ok(written)
}

pub struct Approval {
    pub date: Option<NaiveDate>,
    pub receivable_account_id: Uuid,
    pub revenue_account_id: Uuid,
    pub category_id: Option<Uuid>,
}

/// Approves draft payout `id`: posts the receivable (one posting per project) against revenue.
pub async fn approve(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    a: Approval,
) -> Result<Written, AppError> {
    // Default: the last day of the payout's period.
    let date = match a.date {
        Some(d) => d,
        None => {
            let mut conn = pool.acquire().await?;
            let (payout, _) = load(&mut conn, id).await?;
            payout
                .to
                .ok_or_else(|| AppError::internal("payout without period"))?
        }
    };
    let accounts = ApprovalAccounts {
        receivable_account_id: a.receivable_account_id,
        revenue_account_id: a.revenue_account_id,
        category_id: a.category_id,
    };
    let postings = |p: &Payout| -> Result<Vec<PostRequest>, AppError> {
        Ok(payout_posting::approval(p, date, accounts)
            .into_iter()
            .map(|d| posting(id, d))
            .collect())
    };
    let command = |ids: &[Uuid]| PayoutCommand::Approve {
        date,
        receivable_account_id: a.receivable_account_id,
        revenue_account_id: a.revenue_account_id,
        category_id: a.category_id,
        transaction_ids: ids.to_vec(),
    };
    post_with(pool, actor, id, postings, command).await
}

pub struct Payment {
    pub date: NaiveDate,
    pub account_id: Uuid,
    /// What arrived, in the account's currency (default: the payout's total, same currency).
    pub amount: Option<Decimal>,
    pub tx_hash: Option<String>,
}

/// Marks approved payout `id` paid: posts the receipt into `account_id` against the
/// receivable; money in another currency carries the payout's total as its price.
pub async fn pay(pool: &PgPool, actor: &Actor, id: Uuid, pm: Payment) -> Result<Written, AppError> {
    let mut conn = pool.acquire().await?;
    let (account, _) =
        store::load::<Entity<AccountSpec>>(&mut conn, &pm.account_id.to_string()).await?;
    let account_currency = account.spec.map(|s| s.currency).ok_or_else(|| {
        AppError::invalid(
            "account_id",
            format!("no account with id {}", pm.account_id),
        )
    })?;
    let (payout, _) = load(&mut conn, id).await?;
    drop(conn);
    let currency = payout
        .currency
        .ok_or_else(|| AppError::internal("payout without currency"))?;
    let amount = match (pm.amount, account_currency == currency) {
        (Some(a), true) if a != payout.total => {
            return Err(AppError::invalid(
                "amount",
                format!("a payout is paid whole: {} {currency}", payout.total),
            ));
        }
        (Some(a), _) => a,
        (None, true) => payout.total,
        (None, false) => {
            return Err(AppError::invalid(
                "amount",
                format!("the account is in {account_currency}: say how much arrived"),
            ));
        }
    };
    let receipt = Receipt {
        date: pm.date,
        account_id: pm.account_id,
        account_currency,
        amount,
        tx_hash: pm.tx_hash.clone(),
    };
    let postings = |p: &Payout| -> Result<Vec<PostRequest>, AppError> {
        Ok(vec![posting(
            id,
            payout_posting::payment(p, currency, &receipt)?,
        )])
    };
    let command = |ids: &[Uuid]| PayoutCommand::MarkPaid {
        date: pm.date,
        account_id: pm.account_id,
        amount,
        account_currency,
        tx_hash: pm.tx_hash.clone(),
        transaction_id: ids[0],
    };
    post_with(pool, actor, id, postings, command).await
}

/// Cancels draft payout `id` (nothing was posted yet) and frees its days for another payout.
pub async fn cancel(pool: &PgPool, actor: &Actor, id: Uuid) -> Result<Written, AppError> {
    let key = &id.to_string();
    let run = Run::new(actor, "the payout");
    let ((), written) = executor::execute(pool, run, |mut work| {
        Box::pin(async move {
            let (mut payout, version) = load(work.conn(), id).await?;
            work.decide(
                key,
                &mut payout,
                version,
                PayoutCommand::Cancel,
                &PayoutContext::default(),
            )
            .await?;
            let program_id = payout
                .program_id
                .expect("a computed payout names its program");
            let scope_key = &program_id.to_string();
            let (mut scope, scope_version) = work.load::<PayoutScope>(scope_key).await?;
            let release = PayoutScopeCommand::Release { payout_id: id };
            let released = decide(&mut scope, release, &()).await?;
            work.stage_domain::<PayoutScope>(scope_key, scope_version, released)?;
            Ok((work, ()))
        })
    })
    .await?;
    Ok(written)
}
