//! What a payout posts: its approval (the receivable against revenue, one posting per project
//! of its lines) and its payment (the money received against the receivable). Pure: the caller
//! loads the payout, derives each posting's key from its step and appends the result.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::Payout;
use crate::error::{DomainError, Refusal};
use crate::money::Currency;
use crate::transaction::{
    DocumentPosting, LegInput, PostTransaction, Price, TransactionKind, debit_credit,
};

/// The tag every payout posting carries.
pub const TAG: &str = "payout";

/// Where an approval posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApprovalAccounts {
    pub receivable_account_id: Uuid,
    pub revenue_account_id: Uuid,
    pub category_id: Option<Uuid>,
}

/// The approval's postings on `date`: the receivable against revenue, one per project of the
/// lines (in project order, no project first); projects whose lines sum to zero post nothing.
pub fn approval(payout: &Payout, date: NaiveDate, a: ApprovalAccounts) -> Vec<DocumentPosting> {
    let mut by_project: BTreeMap<Option<Uuid>, Decimal> = BTreeMap::new();
    for l in &payout.lines {
        *by_project.entry(l.project_id).or_default() += l.amount;
    }
    let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let description = format!(
        "Affiliate payout {} to {}",
        day(payout.from),
        day(payout.to)
    );
    by_project
        .into_iter()
        .filter(|(_, amount)| !amount.is_zero())
        .map(|(project, amount)| DocumentPosting {
            step: match project {
                Some(p) => format!("receivable:{p}"),
                None => "receivable".to_string(),
            },
            command: PostTransaction {
                project_id: project,
                category_id: a.category_id,
                counterparty_id: payout.counterparty_id,
                tags: vec![TAG.to_string()],
                ..PostTransaction::new(
                    date,
                    TransactionKind::Income,
                    description.clone(),
                    debit_credit(a.receivable_account_id, a.revenue_account_id, amount),
                )
            },
        })
        .collect()
}

/// Money received for a payout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub date: NaiveDate,
    pub account_id: Uuid,
    pub account_currency: Currency,
    /// What arrived, in the account's currency.
    pub amount: Decimal,
    /// Kept as the money leg's memo.
    pub tx_hash: Option<String>,
}

/// The payment's posting: the receipt into its account against the receivable. Money in
/// another currency than the payout's (`currency`) carries the payout's total as its price.
pub fn payment(
    payout: &Payout,
    currency: Currency,
    r: &Receipt,
) -> Result<DocumentPosting, DomainError> {
    let receivable = payout
        .receivable_account_id
        .ok_or(Refusal::PayoutNotApproved)?;
    let price = (r.account_currency != currency).then_some(Price::Total {
        currency,
        total: payout.total,
    });
    let legs = vec![
        LegInput::new(r.account_id, r.amount)
            .with_price(price)
            .with_memo(r.tx_hash.clone()),
        LegInput::new(receivable, -payout.total),
    ];
    Ok(DocumentPosting {
        step: "payment".to_string(),
        command: PostTransaction {
            category_id: payout.category_id,
            counterparty_id: payout.counterparty_id,
            tags: vec![TAG.to_string()],
            ..PostTransaction::new(
                r.date,
                TransactionKind::Transfer,
                "Affiliate payout received",
                legs,
            )
        },
    })
}
