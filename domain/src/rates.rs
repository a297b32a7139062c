//! Exchange rates: one aggregate per currency pair and day (`EUR/USD/2026-10-01`), so that a
//! sync job appending a year of rates loads nothing bigger than a day. Setting the same rate
//! again writes nothing, which makes a retried or doubled sync harmless; a different rate for
//! the day is a correction, kept in the log beside the first.

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::money::Currency;

/// Most significant decimals a rate keeps.
pub const MAX_RATE_DECIMALS: u32 = 12;
/// Rates at or above this are a typo, not a currency.
pub const MAX_RATE: Decimal = Decimal::from_parts(1_316_134_912, 2_328, 0, false, 0); // 1e13

/// The aggregate id of a pair's day.
pub fn rate_id(base: Currency, quote: Currency, date: NaiveDate) -> String {
    format!("{}/{}/{date}", base.code(), quote.code())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RateEvent {
    /// 1 `base` = `rate` `quote` on `date`, as published by `source` (or entered by hand).
    Set {
        base: Currency,
        quote: Currency,
        date: NaiveDate,
        rate: Decimal,
        source: String,
    },
}

impl DomainEvent for RateEvent {
    fn event_type(&self) -> String {
        "Set".into()
    }
    fn event_version(&self) -> String {
        "1.0".into()
    }
}

#[derive(Debug, Clone)]
pub struct SetRate {
    pub base: Currency,
    pub quote: Currency,
    pub date: NaiveDate,
    pub rate: Decimal,
    pub source: String,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct RateContext {
    /// Rates are published for days that have begun: a later date is refused.
    pub today: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DailyRate {
    pub rate: Option<Decimal>,
    pub source: Option<String>,
}

/// Checks a rate and returns it normalised (trailing zeros dropped).
pub fn check_rate(cmd: &SetRate, ctx: &RateContext) -> Result<Decimal, DomainError> {
    if cmd.base == cmd.quote {
        return Err(DomainError::invalid(
            "quote",
            "a rate is between two different currencies",
        ));
    }
    if cmd.rate <= Decimal::ZERO {
        return Err(DomainError::invalid("rate", "must be greater than zero"));
    }
    if cmd.rate >= MAX_RATE {
        return Err(DomainError::invalid("rate", "is implausibly large"));
    }
    let rate = cmd.rate.normalize();
    if rate.scale() > MAX_RATE_DECIMALS {
        return Err(DomainError::invalid(
            "rate",
            format!("has more than {MAX_RATE_DECIMALS} decimals"),
        ));
    }
    if let Some(today) = ctx.today
        && cmd.date > today
    {
        return Err(DomainError::invalid(
            "date",
            format!("{} is in the future", cmd.date),
        ));
    }
    crate::text::clean_required_line("source", &cmd.source, 100)?;
    Ok(rate)
}

impl Aggregate for DailyRate {
    const TYPE: &'static str = "rate";
    type Command = SetRate;
    type Event = RateEvent;
    type Error = DomainError;
    type Services = RateContext;

    async fn handle(
        &mut self,
        cmd: SetRate,
        ctx: &RateContext,
        sink: &EventSink<Self>,
    ) -> Result<(), DomainError> {
        let rate = check_rate(&cmd, ctx)?;
        if self.rate == Some(rate) && self.source.as_deref() == Some(cmd.source.trim()) {
            return Ok(());
        }
        sink.write(
            RateEvent::Set {
                base: cmd.base,
                quote: cmd.quote,
                date: cmd.date,
                rate,
                source: cmd.source.trim().to_string(),
            },
            self,
        )
        .await;
        Ok(())
    }

    fn apply(&mut self, event: RateEvent) {
        let RateEvent::Set { rate, source, .. } = event;
        self.rate = Some(rate);
        self.source = Some(source);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::decide;

    fn set(rate: &str) -> SetRate {
        SetRate {
            base: Currency::parse("EUR").unwrap(),
            quote: Currency::parse("USD").unwrap(),
            date: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
            rate: rate.parse().unwrap(),
            source: "ECB".into(),
        }
    }

    fn run(state: &mut DailyRate, cmd: SetRate) -> Result<Vec<RateEvent>, DomainError> {
        let ctx = RateContext {
            today: NaiveDate::from_ymd_opt(2026, 11, 26),
        };
        futures::executor::block_on(decide(state, cmd, &ctx))
    }

    #[test]
    fn the_same_rate_twice_writes_once_and_a_correction_writes_again() {
        let mut s = DailyRate::default();
        let events = run(&mut s, set("1.08760")).unwrap();
        assert_eq!(events.len(), 1);
        for e in events {
            s.apply(e);
        }
        assert_eq!(s.rate, Some("1.0876".parse().unwrap()));
        assert!(run(&mut s, set("1.0876")).unwrap().is_empty());
        assert_eq!(run(&mut s, set("1.0877")).unwrap().len(), 1);
    }

    #[test]
    fn nonsense_rates_are_refused() {
        let mut s = DailyRate::default();
        assert!(run(&mut s, set("0")).is_err());
        assert!(run(&mut s, set("-1")).is_err());
        assert!(run(&mut s, set("0.0000000000001")).is_err());
        let mut same = set("1");
        same.quote = same.base;
        assert!(run(&mut s, same).is_err());
        let mut future = set("1.1");
        future.date = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        assert!(run(&mut s, future).is_err());
    }
}
