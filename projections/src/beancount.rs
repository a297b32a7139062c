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

/// One piece of the export, or the error that ended it.
pub type Chunk = Result<String, sqlx::Error>;

/// Size at which a piece of the export is handed on.
pub const CHUNK_BYTES: usize = 64 * 1024;

/// The whole export as one string (tests and tools; the API streams [`export_to`]).
pub async fn export(pool: &PgPool) -> Result<String, sqlx::Error> {
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let pool = pool.clone();
    let writer = tokio::spawn(async move { export_to(&pool, tx).await });
    let mut out = String::new();
    while let Some(chunk) = rx.recv().await {
        out.push_str(&chunk?);
    }
    let _ = writer.await;
    Ok(out)
}

/// Reference data the export names things by.
struct Names {
    accounts: Vec<(Uuid, String, AccountSpec)>,
    by_account: HashMap<Uuid, String>,
    counterparties: HashMap<Uuid, String>,
    projects: HashMap<Uuid, String>,
    categories: HashMap<Uuid, String>,
}

async fn names(conn: &mut sqlx::PgConnection) -> Result<Names, sqlx::Error> {
    let mut accounts = Vec::new();
    for a in all_entities(&mut *conn, "account").await? {
        let spec: AccountSpec =
            serde_json::from_value(a.data).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        accounts.push((a.id, account_name(a.id, &spec), spec));
    }
    accounts.sort_by(|a, b| a.1.cmp(&b.1));
    let by_account = accounts.iter().map(|(id, n, _)| (*id, n.clone())).collect();
    let named = |rows: Vec<crate::queries::EntityRow>| -> HashMap<Uuid, String> {
        rows.into_iter().map(|e| (e.id, e.name)).collect()
    };
    let counterparties = named(all_entities(&mut *conn, "counterparty").await?);
    let projects = named(all_entities(&mut *conn, "project").await?);
    let categories = named(all_entities(&mut *conn, "category").await?);
    Ok(Names {
        accounts,
        by_account,
        counterparties,
        projects,
        categories,
    })
}

/// Writes the export to `out` in pieces of about [`CHUNK_BYTES`], reading the postings as a
/// stream inside one read-only snapshot (the balance assertions match the postings even while
/// the projector writes), so memory stays flat however large the ledger. A failure is sent
/// as the last piece; a receiver that went away ends the export early.
pub async fn export_to(pool: &PgPool, out: tokio::sync::mpsc::Sender<Chunk>) {
    if let Err(e) = write_export(pool, &out).await {
        let _ = out.send(Err(e)).await;
    }
}

/// Hands `buf` on once it is large enough (or when `force`); false when nobody listens.
async fn flush(out: &tokio::sync::mpsc::Sender<Chunk>, buf: &mut String, force: bool) -> bool {
    if buf.is_empty() || (!force && buf.len() < CHUNK_BYTES) {
        return true;
    }
    out.send(Ok(std::mem::take(buf))).await.is_ok()
}

async fn write_export(
    pool: &PgPool,
    out: &tokio::sync::mpsc::Sender<Chunk>,
) -> Result<(), sqlx::Error> {
    use futures::TryStreamExt;
    let mut conn = pool.acquire().await?;
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    let n = names(&mut tx).await?;
    let (first, last): (Option<NaiveDate>, Option<NaiveDate>) =
        sqlx::query_as("SELECT min(date), max(date) FROM read.transactions")
            .fetch_one(&mut *tx)
            .await?;
    let open_date = first.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let mut buf = String::new();
    buf.push_str("; Exported from Ledger. Every amount is exact; legs in another currency carry @@ total prices.\n");
    buf.push_str("option \"title\" \"Ledger export\"\n\n");
    for (_, name, spec) in &n.accounts {
        let _ = writeln!(buf, "{open_date} open {name} {}", spec.currency);
    }
    buf.push('\n');
    // The first piece goes out at once: the caller answers only after the queries above worked.
    if !flush(out, &mut buf, true).await {
        return Ok(());
    }
    let mut rows = sqlx::query(
        "SELECT t.id, t.date, t.description, t.counterparty_id, t.project_id, t.category_id, t.tags, t.kind, \
                p.account_id, p.amount, p.currency, p.weight_currency, p.weight_amount \
         FROM read.transactions t JOIN read.postings p ON p.transaction_id = t.id \
         ORDER BY t.date, t.seq, p.leg",
    )
    .fetch(&mut *tx);
    let mut current: Option<Uuid> = None;
    while let Some(r) = rows.try_next().await? {
        write_row(&mut buf, &n, &r, &mut current);
        if !flush(out, &mut buf, false).await {
            return Ok(());
        }
    }
    drop(rows);

    // Beancount checks balances at the start of the day, so assert on the day after the last posting.
    let check_date = last.map(|d| d.succ_opt().unwrap_or(d)).unwrap_or(open_date);
    buf.push('\n');
    let all = balances(&mut *tx, None, None).await?;
    let by_id: HashMap<Uuid, Decimal> = all.iter().map(|b| (b.account_id, b.balance())).collect();
    for (id, name, spec) in &n.accounts {
        let mut balance = by_id.get(id).copied().unwrap_or_default();
        balance.rescale(spec.currency.scale());
        let _ = writeln!(
            buf,
            "{check_date} balance {name}  {balance} {}",
            spec.currency
        );
    }
    tx.commit().await?;
    flush(out, &mut buf, true).await;
    Ok(())
}

/// Appends one posting row, with its transaction's header when it starts a new transaction.
fn write_row(out: &mut String, n: &Names, r: &sqlx::postgres::PgRow, current: &mut Option<Uuid>) {
    let id: Uuid = r.get("id");
    if *current != Some(id) {
        *current = Some(id);
        let date: NaiveDate = r.get("date");
        let payee = r
            .get::<Option<Uuid>, _>("counterparty_id")
            .and_then(|c| n.counterparties.get(&c));
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
            .and_then(|p| n.projects.get(&p))
        {
            let _ = writeln!(out, "  project: {}", quoted(p));
        }
        if let Some(c) = r
            .get::<Option<Uuid>, _>("category_id")
            .and_then(|c| n.categories.get(&c))
        {
            let _ = writeln!(out, "  category: {}", quoted(c));
        }
    }
    let account: Uuid = r.get("account_id");
    let name = n
        .by_account
        .get(&account)
        .map(String::as_str)
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
