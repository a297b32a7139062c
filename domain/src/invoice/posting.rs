//! What an invoice posts: its issue (the receivable or payable, one posting per project and
//! category of its lines) and each payment it records itself (the money movement against the
//! control account). Pure: the caller loads the invoice and the accounts, derives each
//! posting's key from its step and appends the result.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use uuid::Uuid;

use super::{Direction, Draft, Payment};
use crate::transaction::{
    DocumentPosting, Leg, LegInput, PostTransaction, Price, TransactionKind, debit_credit,
};

/// The tag every invoice posting carries.
pub const TAG: &str = "invoice";

/// The accounts an issue posts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IssueAccounts {
    /// Accounts receivable (an asset) for a receivable invoice; accounts payable (a liability)
    /// for a payable one; in the invoice's currency.
    pub control_account_id: Uuid,
    /// Income (receivable) or expense (payable) account, in the invoice's currency.
    pub account_id: Uuid,
}

/// The issue's postings: one per (project, category) of the lines, in that order, so that each
/// line's income or expense lands under its own project and category. Groups that sum to zero
/// post nothing.
pub fn issue(
    direction: Direction,
    draft: &Draft,
    number: &str,
    accounts: IssueAccounts,
) -> Vec<DocumentPosting> {
    let mut groups: BTreeMap<(Option<Uuid>, Option<Uuid>), Decimal> = BTreeMap::new();
    for l in &draft.lines {
        *groups.entry((l.project_id, l.category_id)).or_default() += l.amount;
    }
    let name = |u: Option<Uuid>| u.map(|u| u.to_string()).unwrap_or_else(|| "-".into());
    let description = match (&draft.external_number, direction) {
        (Some(ext), Direction::Payable) => format!("Bill {number} (supplier's {ext})"),
        (_, Direction::Payable) => format!("Bill {number}"),
        (_, Direction::Receivable) => format!("Invoice {number}"),
    };
    // Receivable: the customer owes us (debit AR), we earned (credit income).
    // Payable: we spent (debit expense), we owe the supplier (credit AP).
    let (debit, credit, kind) = match direction {
        Direction::Receivable => (
            accounts.control_account_id,
            accounts.account_id,
            TransactionKind::Income,
        ),
        Direction::Payable => (
            accounts.account_id,
            accounts.control_account_id,
            TransactionKind::Expense,
        ),
    };
    groups
        .into_iter()
        .filter(|(_, amount)| !amount.is_zero())
        .map(|((project, category), amount)| DocumentPosting {
            step: format!("issue:{}:{}", name(project), name(category)),
            command: PostTransaction {
                project_id: project,
                category_id: category,
                counterparty_id: Some(draft.counterparty_id),
                tags: vec![TAG.to_string()],
                ..PostTransaction::new(
                    draft.issue_date,
                    kind,
                    description.clone(),
                    debit_credit(debit, credit, amount),
                )
            },
        })
        .collect()
}

/// Where a payment the invoice records itself moved the money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MoneyAccount {
    pub account_id: Uuid,
    /// The invoice's control account (receivable or payable).
    pub control_account_id: Uuid,
}

/// The posting of `payment` (as the invoice recorded it): money in (receivable) or out
/// (payable) of the money account, against the control account. Money in another currency
/// than the invoice's carries what it settles as its price.
pub fn payment(
    direction: Direction,
    draft: &Draft,
    number: &str,
    accounts: MoneyAccount,
    payment: &Payment,
) -> PostTransaction {
    let price = (payment.currency != draft.currency).then_some(Price::Total {
        currency: draft.currency,
        total: payment.applied,
    });
    // Receivable: money comes in (debit it), the customer owes less (credit AR).
    // Payable: money goes out (credit it), we owe less (debit AP).
    let (sign, what) = match direction {
        Direction::Receivable => (Decimal::ONE, "invoice"),
        Direction::Payable => (-Decimal::ONE, "bill"),
    };
    let legs = vec![
        LegInput::new(accounts.account_id, sign * payment.amount).with_price(price),
        LegInput::new(accounts.control_account_id, -sign * payment.applied),
    ];
    PostTransaction {
        counterparty_id: Some(draft.counterparty_id),
        tags: vec![TAG.to_string()],
        ..PostTransaction::new(
            payment.date,
            TransactionKind::Transfer,
            format!("Payment of {what} {number}"),
            legs,
        )
    }
}

/// What a posting that already moved the money settles on an invoice whose control account
/// is `control_account_id`: a payment credits the receivable (money came in) or debits the
/// payable. Zero or less means it settles nothing.
pub fn settled_by(direction: Direction, control_account_id: Uuid, legs: &[Leg]) -> Decimal {
    let moved: Decimal = legs
        .iter()
        .filter(|l| l.account_id == control_account_id)
        .map(|l| l.amount)
        .sum();
    match direction {
        Direction::Receivable => -moved,
        Direction::Payable => moved,
    }
}
