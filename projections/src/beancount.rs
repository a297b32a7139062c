//! The whole ledger as a Beancount file: `open` directives for every account, every
//! transaction with its legs (legs priced in another currency carry `@@` total prices, which is
//! exactly how the domain balances them), and a closing `balance` assertion per account so that
//! `bean-check` itself proves the file's balances equal ours.

use std::collections::HashMap;
use std::fmt::Write as _;

use chrono::NaiveDate;
use domain::account::{AccountSpec, AccountType};
use rust_decimal::Decimal;
use sqlx::{PgPool, Row};
use uuid::Uuid;

use crate::queries::{all_entities, balances};

/// A Beancount account name: root by type, then the sanitised name and a short id suffix that
/// keeps two accounts with the same name apart.
pub fn account_name(id: Uuid, spec: &AccountSpec) -> String {
    let root = match spec.account_type {
        AccountType::Asset => "Assets",
        AccountType::Liability => "Liabilities",
        AccountType::Equity => "Equity",
        AccountType::Income => "Income",
        AccountType::Expense => "Expenses",
    };
    let mut component: String = spec
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    match component.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => {
            let upper = c.to_ascii_uppercase();
            component.replace_range(0..1, &upper.to_string());
        }
        Some(_) => component.insert_str(0, "A-"),
        None => component.push_str("Account"),
    }
    // The tail: ids are UUIDv7, whose leading digits are a timestamp shared by neighbours.
    let simple = id.simple().to_string();
    let short = &simple[simple.len() - 8..];
    format!("{root}:{component}-{short}")
}

/// A double-quoted Beancount string.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Beancount tag: letters, digits and `-_/.` only.
fn tag(s: &str) -> Option<String> {
    let t: String = s
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-_/.".contains(*c))
        .collect();
    (!t.is_empty()).then_some(t)
}

pub async fn export(pool: &PgPool) -> Result<String, sqlx::Error> {
    let accounts = all_entities(pool, "account").await?;
    let mut names: HashMap<Uuid, (String, AccountSpec)> = HashMap::new();
    for a in &accounts {
        let spec: AccountSpec =
            serde_json::from_value(a.data.clone()).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        names.insert(a.id, (account_name(a.id, &spec), spec));
    }
    let counterparties: HashMap<Uuid, String> = all_entities(pool, "counterparty")
        .await?
        .into_iter()
        .map(|e| (e.id, e.name))
        .collect();
    let projects: HashMap<Uuid, String> = all_entities(pool, "project")
        .await?
        .into_iter()
        .map(|e| (e.id, e.name))
        .collect();
    let categories: HashMap<Uuid, String> = all_entities(pool, "category")
        .await?
        .into_iter()
        .map(|e| (e.id, e.name))
        .collect();

    let first: Option<NaiveDate> = sqlx::query_scalar("SELECT min(date) FROM read.transactions")
        .fetch_one(pool)
        .await?;
    let last: Option<NaiveDate> = sqlx::query_scalar("SELECT max(date) FROM read.transactions")
        .fetch_one(pool)
        .await?;
    let open_date = first.unwrap_or_else(|| chrono::Utc::now().date_naive());

    let mut out = String::new();
    out.push_str("; Exported from Ledger. Every amount is exact; legs in another currency carry @@ total prices.\n");
    out.push_str("option \"title\" \"Ledger export\"\n\n");
    let mut sorted: Vec<(Uuid, &str, &AccountSpec)> = names
        .iter()
        .map(|(id, (n, s))| (*id, n.as_str(), s))
        .collect();
    sorted.sort_by(|a, b| a.1.cmp(b.1));
    for (_, name, spec) in &sorted {
        let _ = writeln!(out, "{open_date} open {name} {}", spec.currency);
    }
    out.push('\n');

    let rows = sqlx::query(
        "SELECT t.id, t.date, t.description, t.counterparty_id, t.project_id, t.category_id, t.tags, t.kind, \
                p.account_id, p.amount, p.currency, p.weight_currency, p.weight_amount \
         FROM read.transactions t JOIN read.postings p ON p.transaction_id = t.id \
         ORDER BY t.date, t.seq, p.leg",
    )
    .fetch_all(pool)
    .await?;
    let mut current: Option<Uuid> = None;
    for r in &rows {
        let id: Uuid = r.get("id");
        if current != Some(id) {
            current = Some(id);
            let date: NaiveDate = r.get("date");
            let payee = r
                .get::<Option<Uuid>, _>("counterparty_id")
                .and_then(|c| counterparties.get(&c));
            let tags: Vec<String> = r.get("tags");
            let _ = write!(out, "\n{date} *");
            if let Some(p) = payee {
                let _ = write!(out, " {}", quoted(p));
            }
            let _ = write!(out, " {}", quoted(r.get::<&str, _>("description")));
            for t in tags.iter().filter_map(|t| tag(t)) {
                let _ = write!(out, " #{t}");
            }
            out.push('\n');
            let _ = writeln!(out, "  id: {}", quoted(&id.to_string()));
            let _ = writeln!(out, "  kind: {}", quoted(r.get::<&str, _>("kind")));
            if let Some(p) = r
                .get::<Option<Uuid>, _>("project_id")
                .and_then(|p| projects.get(&p))
            {
                let _ = writeln!(out, "  project: {}", quoted(p));
            }
            if let Some(c) = r
                .get::<Option<Uuid>, _>("category_id")
                .and_then(|c| categories.get(&c))
            {
                let _ = writeln!(out, "  category: {}", quoted(c));
            }
        }
        let account: Uuid = r.get("account_id");
        let name = names
            .get(&account)
            .map(|n| n.0.as_str())
            .unwrap_or("Equity:Unknown");
        let amount: Decimal = r.get("amount");
        let currency: String = r.get("currency");
        let _ = write!(out, "  {name}  {amount} {currency}");
        if let (Some(wc), Some(wa)) = (
            r.get::<Option<String>, _>("weight_currency"),
            r.get::<Option<Decimal>, _>("weight_amount"),
        ) {
            let _ = write!(out, " @@ {} {wc}", wa.abs());
        }
        out.push('\n');
    }

    // Beancount checks balances at the start of the day, so assert on the day after the last posting.
    let check_date = last.map(|d| d.succ_opt().unwrap_or(d)).unwrap_or(open_date);
    out.push('\n');
    let all = balances(pool, None, None).await?;
    let by_id: HashMap<Uuid, Decimal> = all.iter().map(|b| (b.account_id, b.balance())).collect();
    for (id, name, spec) in &sorted {
        let mut balance = by_id.get(id).copied().unwrap_or_default();
        balance.rescale(spec.currency.scale());
        let _ = writeln!(
            out,
            "{check_date} balance {name}  {balance} {}",
            spec.currency
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Currency;
    use domain::account::AccountKind;

    fn spec(name: &str, t: AccountType) -> AccountSpec {
        AccountSpec {
            name: name.into(),
            account_type: t,
            kind: AccountKind::Other,
            currency: Currency::parse("USD").unwrap(),
            code: None,
            description: None,
            tron_address: None,
        }
    }

    #[test]
    fn account_names_are_valid_beancount() {
        let id = Uuid::from_u128(0x0000_0000_0000_0000_0000_0000_abcd_ef12);
        assert_eq!(
            account_name(id, &spec("bank of  america!", AccountType::Asset)),
            "Assets:Bank-of-america-abcdef12"
        );
        assert_eq!(
            account_name(id, &spec("1xBet", AccountType::Income)),
            "Income:A-1xBet-abcdef12"
        );
        assert_eq!(
            account_name(id, &spec("Расходы", AccountType::Expense)),
            "Expenses:Account-abcdef12"
        );
    }

    #[test]
    fn strings_and_tags_are_escaped() {
        assert_eq!(quoted("say \"hi\"\\"), "\"say \\\"hi\\\"\\\\\"");
        assert_eq!(tag("ua campaign#1").as_deref(), Some("uacampaign1"));
        assert_eq!(tag("###"), None);
    }
}
