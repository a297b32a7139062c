//! `ledger seed-demo`: a small performance-marketing company's last six months — ad spend on
//! Moloco and Unity, affiliate payouts in USDT on Tron, conversions to USD, salaries, tools,
//! a EUR account and TRX network fees. Deterministic (seeded), so every run tells the same story.

use chrono::{Datelike, Duration, NaiveDate, Utc};
use domain::account::{AccountKind, AccountSpec, AccountType};
use domain::category::{CategoryContext, CategoryKind, CategorySpec};
use domain::counterparty::{CounterpartyKind, CounterpartySpec};
use domain::entity::EntityCommand;
use domain::money::{Currency, round_to_scale};
use domain::project::ProjectSpec;
use domain::transaction::{LegInput, PostTransaction, Price, TransactionKind, debit_credit};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use sqlx::PgPool;
use uuid::Uuid;

use crate::ledger::transactions::{PostRequest, post_many, transaction_id};
use crate::ledger::{Actor, accounts, entities};

/// How many months of history the demo holds.
pub const DEMO_MONTHS: u32 = 6;

fn cur(code: &str) -> Currency {
    Currency::parse(code).expect("demo currencies exist")
}

struct Demo {
    pool: PgPool,
    actor: Actor,
    rng: StdRng,
    posts: Vec<PostRequest>,
}

impl Demo {
    async fn account(
        &self,
        name: &str,
        t: AccountType,
        kind: AccountKind,
        currency: &str,
        opening: Option<(&str, NaiveDate)>,
        tron: Option<String>,
    ) -> anyhow::Result<Uuid> {
        let id = Uuid::now_v7();
        let spec = AccountSpec {
            name: name.into(),
            account_type: t,
            kind,
            currency: cur(currency),
            code: None,
            description: None,
            tron_address: tron,
        };
        let opening_amount = opening
            .map(|(a, _)| Decimal::from_str_exact(a))
            .transpose()?;
        accounts::create(
            &self.pool,
            &self.actor,
            id,
            spec,
            opening_amount,
            opening.map(|(_, d)| d),
        )
        .await?;
        Ok(id)
    }

    async fn entity<S: domain::entity::EntitySpec>(
        &self,
        spec: S,
        ctx: &S::Context,
    ) -> anyhow::Result<Uuid> {
        let id = Uuid::now_v7();
        entities::execute::<S>(
            &self.pool,
            &self.actor,
            id,
            EntityCommand::Create(spec),
            ctx,
        )
        .await?;
        Ok(id)
    }

    fn money(&mut self, low: i64, high: i64, scale: u32) -> Decimal {
        Decimal::new(self.rng.gen_range(low..high), scale)
    }

    #[allow(clippy::too_many_arguments)]
    fn post(
        &mut self,
        date: NaiveDate,
        kind: TransactionKind,
        description: &str,
        legs: Vec<LegInput>,
        project: Option<Uuid>,
        category: Option<Uuid>,
        counterparty: Option<Uuid>,
        tags: &[&str],
    ) {
        let key = format!("demo:{}", self.posts.len());
        self.posts.push(PostRequest {
            id: transaction_id(Some(&key)),
            command: PostTransaction {
                project_id: project,
                category_id: category,
                counterparty_id: counterparty,
                tags: tags.iter().map(|t| t.to_string()).collect(),
                idempotency_key: Some(key.clone()),
                fingerprint: key,
                ..PostTransaction::new(date, kind, description, legs)
            },
        });
    }
}

/// A leg's price: its whole value in `currency`.
fn total(currency: Currency, total: Decimal) -> Option<Price> {
    Some(Price::Total { currency, total })
}

/// Fills an empty ledger with the demo company. Refuses a ledger that already holds events.
pub async fn seed(pool: &PgPool) -> anyhow::Result<usize> {
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(pool)
        .await?;
    anyhow::ensure!(
        events == 0,
        "the ledger already holds {events} events; seed-demo only fills an empty ledger"
    );
    let today = Utc::now().date_naive();
    let start = {
        let back = today - Duration::days(31 * DEMO_MONTHS as i64);
        NaiveDate::from_ymd_opt(back.year(), back.month(), 1).expect("first of month")
    };
    let mut d = Demo {
        pool: pool.clone(),
        actor: Actor::system("seed"),
        rng: StdRng::seed_from_u64(2026),
        posts: vec![],
    };
    use AccountKind::*;
    use AccountType::*;
    let bank = d
        .account(
            "Mercury USD",
            Asset,
            Bank,
            "USD",
            Some(("25000", start)),
            None,
        )
        .await?;
    let wise = d
        .account("Wise EUR", Asset, Bank, "EUR", Some(("8000", start)), None)
        .await?;
    let card = d
        .account("Corporate card", Liability, Card, "USD", None, None)
        .await?;
    let cash = d
        .account("Petty cash", Asset, Cash, "USD", Some(("500", start)), None)
        .await?;
    let usdt = d
        .account(
            "Tron USDT wallet",
            Asset,
            CryptoWallet,
            "USDT",
            None,
            Some(domain::tron::address_from_bytes([1; 20])),
        )
        .await?;
    let trx = d
        .account(
            "Tron TRX wallet",
            Asset,
            CryptoWallet,
            "TRX",
            Some(("3000", start)),
            Some(domain::tron::address_from_bytes([2; 20])),
        )
        .await?;
    let revenue = d
        .account("Affiliate revenue", Income, Other, "USD", None, None)
        .await?;
    let moloco_spend = d
        .account("Ad spend: Moloco", Expense, Other, "USD", None, None)
        .await?;
    let unity_spend = d
        .account("Ad spend: Unity", Expense, Other, "USD", None, None)
        .await?;
    let salaries = d
        .account("Salaries", Expense, Other, "EUR", None, None)
        .await?;
    let tools = d
        .account("Software and tools", Expense, Other, "USD", None, None)
        .await?;
    let fees = d
        .account("Network fees", Expense, Other, "TRX", None, None)
        .await?;

    let br = d
        .entity(
            ProjectSpec {
                name: "iGaming Brazil".into(),
                code: Some("BR".into()),
                description: None,
            },
            &(),
        )
        .await?;
    let eu = d
        .entity(
            ProjectSpec {
                name: "Nutra Europe".into(),
                code: Some("EU".into()),
                description: None,
            },
            &(),
        )
        .await?;
    let cat = |name: &str, kind| CategorySpec {
        name: name.into(),
        kind,
        parent_id: None,
        description: None,
    };
    let payouts = d
        .entity(
            cat("Affiliate payouts", CategoryKind::Income),
            &CategoryContext::default(),
        )
        .await?;
    let traffic = d
        .entity(
            cat("Traffic", CategoryKind::Expense),
            &CategoryContext::default(),
        )
        .await?;
    let payroll = d
        .entity(
            cat("Payroll", CategoryKind::Expense),
            &CategoryContext::default(),
        )
        .await?;
    let software = d
        .entity(
            cat("Software", CategoryKind::Expense),
            &CategoryContext::default(),
        )
        .await?;
    let cp = |name: &str, kind| CounterpartySpec {
        name: name.into(),
        kind,
        email: None,
        phone: None,
        website: None,
        tax_id: None,
        contacts: vec![],
        notes: None,
    };
    let moloco = d
        .entity(cp("Moloco", CounterpartyKind::Vendor), &())
        .await?;
    let unity = d
        .entity(cp("Unity Ads", CounterpartyKind::Vendor), &())
        .await?;
    let network = d
        .entity(
            cp("BetPartners Network", CounterpartyKind::AffiliateProgram),
            &(),
        )
        .await?;
    let nutra = d
        .entity(cp("NutraCash", CounterpartyKind::AffiliateProgram), &())
        .await?;

    let (usd, eur, usdt_c) = (cur("USD"), cur("EUR"), cur("USDT"));
    let mut day = start;
    while day <= today {
        let weekday = day.weekday().num_days_from_monday();
        if weekday == 0 {
            let a = d.money(150_000, 450_000, 2);
            d.post(
                day,
                TransactionKind::Expense,
                "Moloco weekly spend",
                debit_credit(moloco_spend, card, a),
                Some(br),
                Some(traffic),
                Some(moloco),
                &["ua", "moloco"],
            );
            let a = d.money(60_000, 180_000, 2);
            d.post(
                day,
                TransactionKind::Expense,
                "Unity weekly spend",
                debit_credit(unity_spend, card, a),
                Some(eu),
                Some(traffic),
                Some(unity),
                &["ua", "unity"],
            );
        }
        if weekday == 2 && day.iso_week().week() % 2 == 0 {
            // A payout in USDT, booked at the USD value of the day.
            let value = d.money(400_000, 900_000, 2);
            let rate = Decimal::new(d.rng.gen_range(99_850..100_050), 5);
            let tokens = round_to_scale(value / rate, usdt_c);
            d.post(
                day,
                TransactionKind::Income,
                "BetPartners payout (USDT-TRC20)",
                vec![
                    LegInput::new(usdt, tokens).with_price(total(usd, value)),
                    LegInput::new(revenue, -value),
                ],
                Some(br),
                Some(payouts),
                Some(network),
                &["payout", "usdt"],
            );
            let fee = Decimal::new(d.rng.gen_range(5_000_000..14_000_000), 6);
            d.post(
                day,
                TransactionKind::Expense,
                "TRC20 transfer energy",
                debit_credit(fees, trx, fee),
                None,
                None,
                None,
                &["tron"],
            );
            // Most of it is converted to USD two days later.
            let sold = round_to_scale(tokens * Decimal::new(8, 1), usdt_c);
            let received = round_to_scale(sold * rate, usd);
            d.post(
                day + Duration::days(2),
                TransactionKind::Transfer,
                "USDT sold for USD",
                vec![
                    LegInput::new(usdt, -sold).with_price(total(usd, received)),
                    LegInput::new(bank, received),
                ],
                None,
                None,
                None,
                &["otc"],
            );
        }
        if weekday == 4 && day.day() <= 7 {
            let value = d.money(150_000, 300_000, 2);
            d.post(
                day,
                TransactionKind::Income,
                "NutraCash monthly payout",
                debit_credit(bank, revenue, value),
                Some(eu),
                Some(payouts),
                Some(nutra),
                &["payout"],
            );
        }
        if day.day() == 1 {
            let card_due = d.money(900_000, 1_100_000, 2);
            d.post(
                day,
                TransactionKind::Transfer,
                "Card statement paid",
                debit_credit(card, bank, card_due),
                None,
                None,
                None,
                &[],
            );
            let amount = Decimal::new(2_800_000, 2);
            let usd_cost = round_to_scale(amount * Decimal::new(108, 2), usd);
            d.post(
                day,
                TransactionKind::Transfer,
                "EUR top-up for payroll",
                vec![
                    LegInput::new(bank, -usd_cost).with_price(total(eur, amount)),
                    LegInput::new(wise, amount),
                ],
                None,
                None,
                None,
                &["fx"],
            );
            let pay = Decimal::new(2_650_000, 2);
            d.post(
                day + Duration::days(24),
                TransactionKind::Expense,
                "Team salaries",
                debit_credit(salaries, wise, pay),
                None,
                Some(payroll),
                None,
                &["payroll"],
            );
            let saas = d.money(30_000, 60_000, 2);
            d.post(
                day + Duration::days(2),
                TransactionKind::Expense,
                "Tracker and tools subscriptions",
                debit_credit(tools, card, saas),
                None,
                Some(software),
                None,
                &["saas"],
            );
            let petty = d.money(2_000, 9_000, 2);
            d.post(
                day + Duration::days(9),
                TransactionKind::Expense,
                "Office supplies",
                debit_credit(tools, cash, petty),
                None,
                Some(software),
                None,
                &[],
            );
        }
        day += Duration::days(1);
    }
    seed_rates(&mut d, start, today).await?;
    let mut posts = std::mem::take(&mut d.posts);
    posts.retain(|p| p.command.date <= today);
    posts.sort_by_key(|p| p.command.date);
    let count = posts.len();
    for chunk in posts.chunks(500) {
        post_many(pool, &d.actor, chunk.to_vec()).await?;
    }
    Ok(count)
}

/// Daily rates of the demo's currencies into USD (a gentle random walk around realistic levels),
/// so the reports and the dashboard can convert every posting day of the demo.
async fn seed_rates(d: &mut Demo, start: NaiveDate, today: NaiveDate) -> anyhow::Result<()> {
    let usd = Currency::parse("USD")?;
    let mut levels = [
        (Currency::parse("EUR")?, Decimal::new(108, 2), 4),
        (Currency::parse("USDT")?, Decimal::ONE, 4),
        (Currency::parse("TRX")?, Decimal::new(24, 2), 4),
    ];
    let mut rates = Vec::new();
    let mut day = start;
    while day <= today {
        for (base, level, dp) in levels.iter_mut() {
            // ±0.3 % a day, kept to the pair's usual precision.
            let step = Decimal::new(d.rng.gen_range(-30..=30), 4);
            *level = (*level * (Decimal::ONE + step)).round_dp(*dp);
            if base.code() == "USDT" {
                *level = Decimal::ONE; // a stable coin
            }
            rates.push(domain::rates::SetRate {
                base: *base,
                quote: usd,
                date: day,
                rate: *level,
                source: "demo".into(),
            });
        }
        day += Duration::days(1);
    }
    for chunk in rates.chunks(crate::ledger::rates::MAX_RATES_PER_CALL) {
        crate::ledger::rates::set_many(&d.pool, &d.actor, chunk.to_vec())
            .await
            .map_err(|e| anyhow::anyhow!("demo rates: {e:?}"))?;
    }
    Ok(())
}
