//! The journal entry: the aggregate that owns the double-entry invariant. A transaction is a set
//! of legs, one per account, whose amounts (or, for legs priced in another currency, whose
//! weights) sum to exactly zero in every currency. Once posted it never changes; a reversal is a
//! new transaction with every leg mirrored, linked both ways.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::crypto::{self, CryptoDetails, CryptoVerification, WalletLeg};
use crate::error::{DomainError, Field, Refusal};
pub use crate::leg::Leg;
use crate::money::{Currency, Money, round_to_scale};
use crate::text::{self, MAX_TEXT_CHARS, TextKind, clean_text};

pub mod shorthand;

/// Most legs one transaction may have.
pub const MAX_LEGS: usize = 200;
/// Most tags on one transaction, and the longest tag in characters.
pub const MAX_TAGS: usize = 20;
pub const MAX_TAG_CHARS: usize = 50;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 500;
/// Longest idempotency key, in bytes.
pub const MAX_IDEMPOTENCY_KEY_BYTES: usize = 200;
/// Earliest date the books accept.
pub const MIN_DATE: NaiveDate = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
/// How far ahead of today a posting may be dated (scheduled payments, prepaid invoices).
pub const MAX_DAYS_AHEAD: i64 = 366;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TransactionKind {
    Income,
    Expense,
    Transfer,
    Journal,
    Opening,
    Reversal,
}

impl TransactionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Income => "income",
            Self::Expense => "expense",
            Self::Transfer => "transfer",
            Self::Journal => "journal",
            Self::Opening => "opening",
            Self::Reversal => "reversal",
        }
    }
}

/// How a leg is valued in another currency, as the client sent it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Price {
    /// Per unit of the leg's currency; the weight is rounded half-even to the price currency.
    Rate { currency: Currency, rate: Decimal },
    /// The leg's whole value (unsigned; it takes the leg's sign).
    Total { currency: Currency, total: Decimal },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegInput {
    pub account_id: Uuid,
    pub amount: Decimal,
    pub price: Option<Price>,
    pub memo: Option<String>,
}

impl LegInput {
    /// A leg in the account's own currency, unpriced and without a memo.
    pub fn new(account_id: Uuid, amount: Decimal) -> Self {
        Self {
            account_id,
            amount,
            price: None,
            memo: None,
        }
    }

    pub fn with_price(self, price: Option<Price>) -> Self {
        Self { price, ..self }
    }

    pub fn with_memo(self, memo: Option<String>) -> Self {
        Self { memo, ..self }
    }
}

/// The two legs that move `amount` from `credit` to `debit` (both in one currency): the
/// debit first, as every document's posting lists them.
pub fn debit_credit(debit: Uuid, credit: Uuid, amount: Decimal) -> Vec<LegInput> {
    vec![LegInput::new(debit, amount), LegInput::new(credit, -amount)]
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionPosted {
    pub date: NaiveDate,
    /// The document this posting belongs to (a payout, an invoice, a schedule), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
    pub kind: TransactionKind,
    pub description: String,
    pub legs: Vec<Leg>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counterparty_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
    /// Digest of the request that created it: a repeated idempotency key with a different
    /// request is an error, not a silent replay.
    pub fingerprint: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverses: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<Uuid>,
    /// The on-chain transfer behind this posting (see `crate::crypto`).
    /// Boxed: most postings have none, and the event enum stays small.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crypto: Option<Box<CryptoDetails>>,
    /// The closed month this posting corrects (its first day): an adjustment, dated in an open
    /// period, that reports show as a correction of that month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjusts: Option<NaiveDate>,
}

/// What kind of document a posting came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OriginKind {
    Payout,
    Invoice,
    Recurring,
    /// A transfer found by a Tron wallet sync and posted by the user.
    TronWallet,
}

impl OriginKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OriginKind::Payout => "payout",
            OriginKind::Invoice => "invoice",
            OriginKind::Recurring => "recurring",
            OriginKind::TronWallet => "tron_wallet",
        }
    }
}

/// The document a posting belongs to: the link back from the books to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Origin {
    pub kind: OriginKind,
    pub id: Uuid,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TransactionEvent {
    Posted(TransactionPosted),
    Reversed {
        reversal_id: Uuid,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        replaced_by: Option<Uuid>,
    },
    /// The posting's crypto details were checked against the chain (any outcome).
    CryptoVerified(CryptoVerification),
}

impl DomainEvent for TransactionEvent {
    fn event_type(&self) -> String {
        match self {
            Self::Posted(_) => "Posted".into(),
            Self::Reversed { .. } => "Reversed".into(),
            Self::CryptoVerified(_) => "CryptoVerified".into(),
        }
    }
    fn event_version(&self) -> String {
        "1.0".into()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostTransaction {
    pub date: NaiveDate,
    pub origin: Option<Origin>,
    pub kind: TransactionKind,
    pub description: String,
    pub legs: Vec<LegInput>,
    pub project_id: Option<Uuid>,
    pub category_id: Option<Uuid>,
    pub counterparty_id: Option<Uuid>,
    pub tags: Vec<String>,
    pub idempotency_key: Option<String>,
    pub fingerprint: String,
    pub reverses: Option<Uuid>,
    pub replaces: Option<Uuid>,
    pub crypto: Option<Box<CryptoDetails>>,
    /// The closed month this posting corrects (any day of it); see [`TransactionPosted::adjusts`].
    pub adjusts: Option<NaiveDate>,
}

impl PostTransaction {
    /// A plain posting: no document, references, tags, key, crypto details or links; the
    /// caller sets what its document needs.
    pub fn new(
        date: NaiveDate,
        kind: TransactionKind,
        description: impl Into<String>,
        legs: Vec<LegInput>,
    ) -> Self {
        Self {
            date,
            origin: None,
            kind,
            description: description.into(),
            legs,
            project_id: None,
            category_id: None,
            counterparty_id: None,
            tags: Vec::new(),
            idempotency_key: None,
            fingerprint: String::new(),
            reverses: None,
            replaces: None,
            crypto: None,
            adjusts: None,
        }
    }
}

/// One posting of a document (an invoice, a payout): `step` names it within the document, so
/// the caller derives an idempotency key that makes a retried command post it once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentPosting {
    pub step: String,
    pub command: PostTransaction,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransactionCommand {
    Post(PostTransaction),
    MarkReversed {
        reversal_id: Uuid,
        replaced_by: Option<Uuid>,
    },
    RecordCryptoVerification(CryptoVerification),
}

/// What an account looks like to the posting rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountFacts {
    pub currency: Currency,
    pub archived: bool,
    /// Only postings with a leg on a crypto wallet may carry crypto details.
    pub crypto_wallet: bool,
}

/// What a referenced project, category or counterparty looks like to the posting rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceFacts {
    pub archived: bool,
}

/// Facts from outside the transaction that the posting rules need; the caller loads them from
/// the log inside the same database transaction that appends the result.
#[derive(Debug, Clone, Default)]
pub struct PostingContext {
    pub today: Option<NaiveDate>,
    pub closed_through: Option<NaiveDate>,
    pub accounts: HashMap<Uuid, AccountFacts>,
    pub projects: HashMap<Uuid, ReferenceFacts>,
    pub categories: HashMap<Uuid, ReferenceFacts>,
    pub counterparties: HashMap<Uuid, ReferenceFacts>,
}

impl PostingContext {
    /// Refuses dates in a closed period.
    pub fn check_open(&self, date: NaiveDate) -> Result<(), DomainError> {
        match self.closed_through {
            Some(closed_through) if date <= closed_through => Err(DomainError::PeriodClosed {
                closed_through,
                date,
            }),
            _ => Ok(()),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Transaction {
    pub posted: Option<TransactionPosted>,
    pub reversed_by: Option<Uuid>,
    pub replaced_by: Option<Uuid>,
    /// The latest check of the crypto details against the chain.
    pub crypto_verification: Option<CryptoVerification>,
}

impl Transaction {
    /// The mirror of this transaction: every leg and weight negated, linked to the original.
    pub fn reversal(
        &self,
        original_id: Uuid,
        date: NaiveDate,
        fingerprint: String,
    ) -> Result<PostTransaction, DomainError> {
        let posted = self.posted.as_ref().ok_or(DomainError::NotFound {
            entity: "transaction",
            id: original_id.to_string(),
        })?;
        let legs = posted
            .legs
            .iter()
            .map(|leg| {
                let price = leg.weight.map(|w| Price::Total {
                    currency: w.currency,
                    total: w.amount.abs(),
                });
                LegInput::new(leg.account_id, -leg.amount)
                    .with_price(price)
                    .with_memo(leg.memo.clone())
            })
            .collect();
        let mut description = format!("Reversal of: {}", posted.description);
        if description.chars().count() > MAX_DESCRIPTION_CHARS {
            description = description.chars().take(MAX_DESCRIPTION_CHARS).collect();
        }
        Ok(PostTransaction {
            date,
            origin: posted.origin,
            kind: TransactionKind::Reversal,
            description,
            legs,
            project_id: posted.project_id,
            category_id: posted.category_id,
            counterparty_id: posted.counterparty_id,
            tags: posted.tags.clone(),
            idempotency_key: None,
            fingerprint,
            reverses: Some(original_id),
            replaces: None,
            // A reversal moves nothing on chain.
            crypto: None,
            // Undoing a correction corrects the same month (see `check_adjusts`).
            adjusts: posted.adjusts,
        })
    }
}

/// The month an adjustment corrects, as its first day. A correction must name a closed month
/// (an open one takes the posting itself); a reversal of an adjustment whose month was reopened
/// since is an ordinary posting.
fn check_adjusts(
    adjusts: Option<NaiveDate>,
    reversal: bool,
    ctx: &PostingContext,
) -> Result<Option<NaiveDate>, DomainError> {
    let Some(day) = adjusts else { return Ok(None) };
    let first = day.with_day(1).expect("day 1 exists");
    let closed = ctx
        .closed_through
        .is_some_and(|through| crate::period::month_end(day) <= through);
    match (closed, reversal) {
        (true, _) => Ok(Some(first)),
        (false, true) => Ok(None),
        (false, false) => Err(DomainError::invalid(
            "adjusts",
            format!(
                "{} is not closed: post the correction in that month directly",
                first.format("%Y-%m")
            ),
        )),
    }
}

fn validate_leg(index: usize, input: LegInput, ctx: &PostingContext) -> Result<Leg, DomainError> {
    let account = ctx
        .accounts
        .get(&input.account_id)
        .ok_or_else(|| DomainError::NotFound {
            entity: "account",
            id: input.account_id.to_string(),
        })?;
    if account.archived {
        return Err(DomainError::Archived {
            entity: "account",
            id: input.account_id.to_string(),
        });
    }
    let amount = account.currency.check_amount(input.amount)?;
    if amount.is_zero() {
        return Err(DomainError::invalid(
            Field::Leg {
                index,
                field: "amount",
            },
            "must not be zero",
        ));
    }
    let weight = match input.price {
        None => None,
        Some(price) => Some(weight(index, amount, account.currency, price)?),
    };
    Ok(Leg {
        account_id: input.account_id,
        amount,
        currency: account.currency,
        weight,
        memo: clean_text("memo", input.memo, MAX_TEXT_CHARS).map_err(|e| {
            e.at(Field::Leg {
                index,
                field: "memo",
            })
        })?,
    })
}

/// What leg `index` of `amount` in `own` currency weighs in its price's currency: a rate's
/// product rounded half-even to that currency, or the total given; with the leg's sign.
fn weight(
    index: usize,
    amount: Decimal,
    own: Currency,
    price: Price,
) -> Result<Money, DomainError> {
    let field = |field: &'static str| Field::Leg { index, field };
    let (currency, magnitude) = match price {
        Price::Rate { currency, rate } => {
            if rate <= Decimal::ZERO {
                return Err(DomainError::invalid(
                    field("price.rate"),
                    "must be positive",
                ));
            }
            let product = amount
                .abs()
                .checked_mul(rate)
                .ok_or_else(|| DomainError::AmountTooLarge(format!("{amount} × {rate}")))?;
            (currency, round_to_scale(product, currency))
        }
        Price::Total { currency, total } => {
            if total <= Decimal::ZERO {
                return Err(DomainError::invalid(
                    field("price.total"),
                    "must be positive",
                ));
            }
            (currency, total)
        }
    };
    if currency == own {
        return Err(DomainError::invalid(
            field("price.currency"),
            "must differ from the account's currency",
        ));
    }
    let magnitude = currency.check_amount(magnitude)?;
    if magnitude.is_zero() {
        return Err(DomainError::invalid(
            field("price"),
            "values the leg at zero",
        ));
    }
    let signed = if amount.is_sign_negative() {
        -magnitude
    } else {
        magnitude
    };
    Ok(Money {
        amount: signed,
        currency,
    })
}

/// The residual per currency; empty when the legs balance.
pub fn imbalance(legs: &[Leg]) -> BTreeMap<Currency, Decimal> {
    let mut sums: BTreeMap<Currency, Decimal> = BTreeMap::new();
    for leg in legs {
        let c = leg.balance_contribution();
        *sums.entry(c.currency).or_default() += c.amount;
    }
    sums.retain(|_, v| !v.is_zero());
    sums
}

fn check_reference(
    map: &HashMap<Uuid, ReferenceFacts>,
    entity: &'static str,
    id: Option<Uuid>,
) -> Result<(), DomainError> {
    let Some(id) = id else { return Ok(()) };
    match map.get(&id) {
        None => Err(DomainError::NotFound {
            entity,
            id: id.to_string(),
        }),
        Some(f) if f.archived => Err(DomainError::Archived {
            entity,
            id: id.to_string(),
        }),
        Some(_) => Ok(()),
    }
}

fn clean_tags(tags: Vec<String>) -> Result<Vec<String>, DomainError> {
    if tags.len() > MAX_TAGS {
        return Err(DomainError::invalid(
            "tags",
            format!("at most {MAX_TAGS} tags"),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(tags.len());
    for tag in tags {
        let tag = tag.trim().to_lowercase();
        if tag.is_empty()
            || tag.chars().count() > MAX_TAG_CHARS
            || tag.chars().any(char::is_whitespace)
            || text::check("tags", &tag, TextKind::Line, MAX_TAG_CHARS).is_err()
        {
            return Err(DomainError::invalid(
                "tags",
                format!("`{tag}`: a tag is 1 to {MAX_TAG_CHARS} characters without spaces"),
            ));
        }
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    Ok(out)
}

/// The posting's date: within the books' range, not too far ahead, in an open period.
fn check_date(date: NaiveDate, ctx: &PostingContext) -> Result<(), DomainError> {
    if date < MIN_DATE {
        return Err(DomainError::invalid(
            "date",
            format!("must not be before {MIN_DATE}"),
        ));
    }
    if let Some(today) = ctx.today
        && (date - today).num_days() > MAX_DAYS_AHEAD
    {
        return Err(DomainError::invalid(
            "date",
            format!("must be at most {MAX_DAYS_AHEAD} days ahead"),
        ));
    }
    ctx.check_open(date)
}

fn check_idempotency_key(key: &str) -> Result<(), DomainError> {
    if key.is_empty() || key.len() > MAX_IDEMPOTENCY_KEY_BYTES {
        return Err(DomainError::invalid(
            "idempotency_key",
            format!("must be 1 to {MAX_IDEMPOTENCY_KEY_BYTES} bytes"),
        ));
    }
    text::check(
        "idempotency_key",
        key,
        TextKind::Line,
        MAX_IDEMPOTENCY_KEY_BYTES,
    )?;
    Ok(())
}

/// The double-entry rule: the legs sum to zero in every currency.
fn check_balanced(legs: &[Leg]) -> Result<(), DomainError> {
    let residual = imbalance(legs);
    if residual.is_empty() {
        return Ok(());
    }
    let detail = residual
        .iter()
        .map(|(c, v)| format!("{v} {c}"))
        .collect::<Vec<_>>()
        .join(", ");
    Err(DomainError::Unbalanced(format!(
        "entries sum to {detail} instead of zero"
    )))
}

/// The on-chain details, checked against the legs and which of their accounts are wallets.
fn check_crypto(
    details: CryptoDetails,
    legs: &[Leg],
    ctx: &PostingContext,
) -> Result<CryptoDetails, DomainError> {
    let kinds: Vec<WalletLeg> = legs
        .iter()
        .map(|l| WalletLeg {
            currency: l.currency,
            crypto_wallet: ctx
                .accounts
                .get(&l.account_id)
                .is_some_and(|a| a.crypto_wallet),
        })
        .collect();
    crypto::validate(details, legs, &kinds)
}

fn validate_post(
    cmd: PostTransaction,
    ctx: &PostingContext,
) -> Result<TransactionPosted, DomainError> {
    check_date(cmd.date, ctx)?;
    let adjusts = check_adjusts(cmd.adjusts, cmd.reverses.is_some(), ctx)?;
    let description = cmd.description.trim().to_string();
    if description.is_empty() {
        return Err(DomainError::invalid("description", "must not be empty"));
    }
    text::check(
        "description",
        &description,
        TextKind::Multiline,
        MAX_DESCRIPTION_CHARS,
    )?;
    if let Some(key) = &cmd.idempotency_key {
        check_idempotency_key(key)?;
    }
    if cmd.legs.len() < 2 {
        return Err(DomainError::invalid(
            "entries",
            "a transaction needs at least two entries",
        ));
    }
    if cmd.legs.len() > MAX_LEGS {
        return Err(DomainError::invalid(
            "entries",
            format!("at most {MAX_LEGS} entries"),
        ));
    }
    check_reference(&ctx.projects, "project", cmd.project_id)?;
    check_reference(&ctx.categories, "category", cmd.category_id)?;
    check_reference(&ctx.counterparties, "counterparty", cmd.counterparty_id)?;
    let legs = cmd
        .legs
        .into_iter()
        .enumerate()
        .map(|(i, leg)| validate_leg(i, leg, ctx))
        .collect::<Result<Vec<_>, _>>()?;
    check_balanced(&legs)?;
    let crypto = match cmd.crypto {
        None => None,
        Some(details) => Some(Box::new(check_crypto(*details, &legs, ctx)?)),
    };
    Ok(TransactionPosted {
        date: cmd.date,
        origin: cmd.origin,
        kind: cmd.kind,
        description,
        legs,
        project_id: cmd.project_id,
        category_id: cmd.category_id,
        counterparty_id: cmd.counterparty_id,
        tags: clean_tags(cmd.tags)?,
        idempotency_key: cmd.idempotency_key,
        fingerprint: cmd.fingerprint,
        reverses: cmd.reverses,
        replaces: cmd.replaces,
        crypto,
        adjusts,
    })
}

impl Aggregate for Transaction {
    const TYPE: &'static str = "transaction";
    type Command = TransactionCommand;
    type Event = TransactionEvent;
    type Error = DomainError;
    type Services = PostingContext;

    async fn handle(
        &mut self,
        command: Self::Command,
        ctx: &PostingContext,
        sink: &EventSink<Self>,
    ) -> Result<(), DomainError> {
        let event = match command {
            TransactionCommand::Post(cmd) => {
                if self.posted.is_some() {
                    return Err(DomainError::AlreadyExists {
                        entity: "transaction",
                        id: String::new(),
                    });
                }
                TransactionEvent::Posted(validate_post(cmd, ctx)?)
            }
            TransactionCommand::MarkReversed {
                reversal_id,
                replaced_by,
            } => {
                let posted = self.posted.as_ref().ok_or(DomainError::NotFound {
                    entity: "transaction",
                    id: String::new(),
                })?;
                if self.reversed_by.is_some() {
                    return Err(Refusal::AlreadyReversed.into());
                }
                if posted.kind == TransactionKind::Reversal {
                    return Err(Refusal::ReversalNotReversible.into());
                }
                // The reversal lands in its own (open) period; the original's may be closed,
                // which is exactly why corrections are new postings.
                TransactionEvent::Reversed {
                    reversal_id,
                    replaced_by,
                }
            }
            TransactionCommand::RecordCryptoVerification(v) => {
                let posted = self.posted.as_ref().ok_or(DomainError::NotFound {
                    entity: "transaction",
                    id: String::new(),
                })?;
                if posted.crypto.is_none() {
                    return Err(Refusal::NoCryptoDetails.into());
                }
                if self.reversed_by.is_some() || posted.kind == TransactionKind::Reversal {
                    return Err(Refusal::ReversedNotVerified.into());
                }
                TransactionEvent::CryptoVerified(crypto::clean_verification(v)?)
            }
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            TransactionEvent::Posted(p) => {
                assert!(
                    self.posted.is_none(),
                    "transaction: Posted applies only to an empty transaction (a stream posts once)"
                );
                self.posted = Some(p);
            }
            TransactionEvent::Reversed {
                reversal_id,
                replaced_by,
            } => {
                assert!(
                    self.posted.is_some() && self.reversed_by.is_none(),
                    "transaction: Reversed applies only to a posted transaction not yet reversed"
                );
                self.reversed_by = Some(reversal_id);
                self.replaced_by = replaced_by;
            }
            TransactionEvent::CryptoVerified(v) => {
                assert!(
                    self.posted.is_some(),
                    "transaction: CryptoVerified applies only to a posted transaction"
                );
                self.crypto_verification = Some(v);
            }
        }
    }
}
