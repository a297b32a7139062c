//! Crypto prices (TRX and USDT in USD) from CoinGecko's public API.
//!
//! The daily rate of day D is D's closing price: the last price point in (D 00:00, D+1 00:00]
//! UTC. A point exactly at midnight closes the day that just ended — CoinGecko's daily series
//! (ranges over 90 days) stamps each point at 00:00 UTC, and that price is the previous day's
//! close, while hourly series (shorter ranges, which this client asks for) have their last point
//! a few minutes before midnight. Days not over yet at fetch time get no rate, because their
//! close is not known. Prices are read from the JSON text (never through a float) and rounded
//! half-even to [`RATE_DECIMALS`] places.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};
use domain::Currency;
use reqwest::header::{HeaderMap, HeaderValue};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::error::FxError;
use super::rate::{Rate, RateSource, check_range};
use crate::tronscan::http::{FetchError, HttpClient, HttpConfig, join_url};

pub const COINGECKO: &str = "CoinGecko";
pub const DEFAULT_COINGECKO_BASE_URL: &str = "https://api.coingecko.com";
/// The demo (free) plan's key header; the pro plan uses another host and `x-cg-pro-api-key`.
pub const COINGECKO_KEY_HEADER: &str = "x-cg-demo-api-key";
/// Decimal places kept in crypto rates: finer than any amount the books hold (scale 6) times
/// a sensible price, and far finer than the source's own precision.
pub const RATE_DECIMALS: u32 = 8;
/// More points than this in one answer is not a price chart (hourly for 90 days is 2,160).
const MAX_POINTS: usize = 20_000;

#[derive(Clone, Debug)]
pub struct CoinGeckoConfig {
    pub base_url: String,
    /// Sent as `x-cg-demo-api-key` when present.
    pub api_key: Option<String>,
    pub http: HttpConfig,
    /// The currency prices are asked in (`vs_currency`).
    pub quote: Currency,
    /// The books' currency and CoinGecko's coin id for each asset priced.
    pub coins: Vec<(Currency, String)>,
    /// Longer ranges are split; at most 90 days keeps CoinGecko's hourly granularity.
    pub max_days_per_request: u32,
}

impl Default for CoinGeckoConfig {
    fn default() -> Self {
        let currency = |code| Currency::parse(code).expect("in the currency table");
        Self {
            base_url: DEFAULT_COINGECKO_BASE_URL.to_string(),
            api_key: None,
            http: HttpConfig {
                // The public plan allows about 30 calls a minute.
                min_interval: Duration::from_millis(2_100),
                ..HttpConfig::default()
            },
            quote: currency("USD"),
            coins: vec![
                (currency("TRX"), "tron".to_string()),
                (currency("USDT"), "tether".to_string()),
            ],
            max_days_per_request: 90,
        }
    }
}

/// One price observation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PricePoint {
    pub time: DateTime<Utc>,
    pub price: Decimal,
}

#[derive(Debug)]
pub struct CoinGecko {
    base_url: String,
    http: HttpClient,
    quote: Currency,
    coins: Vec<(Currency, String)>,
    max_days_per_request: u32,
}

impl CoinGecko {
    pub fn new(config: CoinGeckoConfig) -> Result<Self, FxError> {
        let mut headers = HeaderMap::new();
        if let Some(key) = config.api_key.as_deref().filter(|k| !k.trim().is_empty()) {
            let mut value = HeaderValue::from_str(key.trim()).map_err(|_| {
                FetchError::Client("the API key is not a valid header value".to_string())
            })?;
            value.set_sensitive(true);
            headers.insert(COINGECKO_KEY_HEADER, value);
        }
        if config.coins.iter().any(|(_, id)| {
            id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        }) {
            return Err(FxError::Config(
                "CoinGecko coin ids are lower-case words joined by '-'".to_string(),
            ));
        }
        Ok(Self {
            base_url: config.base_url,
            http: HttpClient::new("coingecko", config.http, headers)?,
            quote: config.quote,
            coins: config.coins,
            max_days_per_request: config.max_days_per_request.max(1),
        })
    }

    fn vs_currency(&self) -> String {
        self.quote.code().to_ascii_lowercase()
    }

    /// `GET /api/v3/coins/{id}/market_chart/range`: the price points between two instants.
    pub async fn market_chart_range(
        &self,
        coin_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<PricePoint>, FxError> {
        let url = join_url(
            &self.base_url,
            &format!("api/v3/coins/{coin_id}/market_chart/range"),
        );
        let body = self
            .http
            .get(
                &url,
                &[
                    ("vs_currency", self.vs_currency()),
                    ("from", from.timestamp().to_string()),
                    ("to", to.timestamp().to_string()),
                ],
            )
            .await?;
        parse_market_chart(&body)
    }

    /// Daily closing prices of every configured coin for `from..=to`, with days that have not
    /// ended by `now` left out.
    pub async fn daily_rates(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Vec<Rate>, FxError> {
        check_range(from, to)?;
        let mut rates = Vec::new();
        for (currency, coin_id) in &self.coins {
            let mut points = Vec::new();
            let mut chunk_from = from;
            while chunk_from <= to {
                let chunk_to = chunk_from
                    .checked_add_days(Days::new(u64::from(self.max_days_per_request) - 1))
                    .map_or(to, |d| d.min(to));
                points.extend(
                    self.market_chart_range(coin_id, day_start(chunk_from), day_end(chunk_to))
                        .await?,
                );
                match chunk_to.succ_opt() {
                    Some(next) => chunk_from = next,
                    None => break,
                }
            }
            rates.extend(
                daily_closes(&points, from, to, now)
                    .into_iter()
                    .map(|(date, rate)| Rate {
                        date,
                        base: *currency,
                        quote: self.quote,
                        rate,
                        source: COINGECKO.to_string(),
                    }),
            );
        }
        Ok(rates)
    }

    /// `GET /api/v3/simple/price`: the current price of every configured coin in each of
    /// `quotes`, dated today (UTC).
    pub async fn current(&self, quotes: &[Currency]) -> Result<Vec<Rate>, FxError> {
        let ids: Vec<&str> = self.coins.iter().map(|(_, id)| id.as_str()).collect();
        let vs: Vec<String> = quotes
            .iter()
            .map(|q| q.code().to_ascii_lowercase())
            .collect();
        let body = self
            .http
            .get(
                &join_url(&self.base_url, "api/v3/simple/price"),
                &[("ids", ids.join(",")), ("vs_currencies", vs.join(","))],
            )
            .await?;
        let prices: HashMap<String, HashMap<String, Box<RawValue>>> =
            serde_json::from_slice(&body).map_err(json_error)?;
        let today = Utc::now().date_naive();
        let mut rates = Vec::new();
        for (currency, id) in &self.coins {
            for (quote, vs) in quotes.iter().zip(&vs) {
                let Some(raw) = prices.get(id).and_then(|p| p.get(vs)) else {
                    tracing::warn!(coin = id, vs, "CoinGecko sent no price");
                    continue;
                };
                let price = decimal_from_json(raw.get())
                    .filter(|p| *p > Decimal::ZERO)
                    .ok_or_else(|| invalid("price", raw.get()))?;
                rates.push(Rate {
                    date: today,
                    base: *currency,
                    quote: *quote,
                    rate: round_rate(price),
                    source: COINGECKO.to_string(),
                });
            }
        }
        Ok(rates)
    }
}

#[async_trait]
impl RateSource for CoinGecko {
    fn name(&self) -> &str {
        COINGECKO
    }

    async fn rates(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<Rate>, FxError> {
        self.daily_rates(from, to, Utc::now()).await
    }
}

fn day_start(date: NaiveDate) -> DateTime<Utc> {
    date.and_time(NaiveTime::MIN).and_utc()
}

/// D+1 00:00, the instant that still belongs to D under the closing-price rule.
fn day_end(date: NaiveDate) -> DateTime<Utc> {
    day_start(date.succ_opt().unwrap_or(date))
}

/// The day whose close a point at `time` may be: midnight belongs to the day before.
fn close_day(time: DateTime<Utc>) -> NaiveDate {
    let date = time.date_naive();
    if time.time() == NaiveTime::MIN {
        date.pred_opt().unwrap_or(date)
    } else {
        date
    }
}

/// Each day's closing price within `from..=to`, for days over by `now`.
pub fn daily_closes(
    points: &[PricePoint],
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Vec<(NaiveDate, Decimal)> {
    let mut last: BTreeMap<NaiveDate, &PricePoint> = BTreeMap::new();
    for point in points {
        let day = close_day(point.time);
        if day < from || day > to || day_end(day) > now {
            continue;
        }
        let slot = last.entry(day).or_insert(point);
        if point.time > slot.time {
            *slot = point;
        }
    }
    last.into_iter()
        .map(|(day, point)| (day, round_rate(point.price)))
        .collect()
}

pub fn round_rate(price: Decimal) -> Decimal {
    price.round_dp_with_strategy(RATE_DECIMALS, RoundingStrategy::MidpointNearestEven)
}

/// Unix milliseconds (CoinGecko sends integers; a fraction is dropped).
fn millis_from_json(text: &str) -> Option<DateTime<Utc>> {
    let ms = decimal_from_json(text)?.trunc().to_i64()?;
    DateTime::from_timestamp_millis(ms)
}

/// A JSON number's text as a `Decimal` (plain or exponent notation).
fn decimal_from_json(text: &str) -> Option<Decimal> {
    let text = text.trim();
    if text.contains(['e', 'E']) {
        Decimal::from_scientific(text).ok()
    } else {
        Decimal::from_str(text).ok()
    }
}

fn json_error(e: serde_json::Error) -> FxError {
    FxError::Json {
        provider: COINGECKO.to_string(),
        message: e.to_string(),
    }
}

fn invalid(what: &str, value: &str) -> FxError {
    FxError::InvalidValue {
        provider: COINGECKO.to_string(),
        what: what.to_string(),
        value: value.chars().take(80).collect(),
    }
}

#[derive(Deserialize)]
struct MarketChart {
    /// `[[unix ms, price], ...]`; raw so that prices never pass through f64.
    prices: Vec<Box<RawValue>>,
}

/// Parses a market_chart answer. A missing `prices` list is an error; a single odd point
/// (a `null` price, CoinGecko's answer for a gap) is skipped.
pub fn parse_market_chart(body: &[u8]) -> Result<Vec<PricePoint>, FxError> {
    let chart: MarketChart = serde_json::from_slice(body).map_err(json_error)?;
    if chart.prices.len() > MAX_POINTS {
        return Err(FxError::Json {
            provider: COINGECKO.to_string(),
            message: format!(
                "{} price points, more than {MAX_POINTS}",
                chart.prices.len()
            ),
        });
    }
    let mut points = Vec::with_capacity(chart.prices.len());
    for raw in &chart.prices {
        let pair: Vec<&RawValue> = serde_json::from_str(raw.get()).map_err(json_error)?;
        let [time, price] = pair[..] else {
            return Err(invalid("price point", raw.get()));
        };
        let time = millis_from_json(time.get()).ok_or_else(|| invalid("timestamp", time.get()))?;
        match decimal_from_json(price.get()) {
            Some(price) if price > Decimal::ZERO => points.push(PricePoint { time, price }),
            _ => {
                tracing::warn!(%time, price = price.get(), "skipping a price point without a usable price")
            }
        }
    }
    Ok(points)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn p(time: &str, price: &str) -> PricePoint {
        PricePoint {
            time: at(time),
            price: Decimal::from_str(price).unwrap(),
        }
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::from_str(s).unwrap()
    }

    #[test]
    fn a_day_closes_with_its_last_point_and_midnight_closes_the_day_before() {
        let points = [
            p("2024-07-01T00:00:00Z", "0.10"), // closes 30 June
            p("2024-07-01T12:00:00Z", "0.11"),
            p("2024-07-01T23:04:11Z", "0.12"),
            p("2024-07-02T00:00:00Z", "0.13"), // closes 1 July
            p("2024-07-02T08:00:00Z", "0.14"),
            p("2024-07-02T23:59:59Z", "0.15"),
            p("2024-07-03T10:00:00Z", "0.16"), // 3 July is not over
        ];
        let closes = daily_closes(
            &points,
            d("2024-06-30"),
            d("2024-07-03"),
            at("2024-07-03T12:00:00Z"),
        );
        let dec = |s| Decimal::from_str(s).unwrap();
        assert_eq!(
            closes,
            vec![
                (d("2024-06-30"), dec("0.10")),
                (d("2024-07-01"), dec("0.13")),
                (d("2024-07-02"), dec("0.15")),
            ]
        );
        // Out of order input gives the same answer.
        let mut reversed = points.to_vec();
        reversed.reverse();
        assert_eq!(
            daily_closes(
                &reversed,
                d("2024-06-30"),
                d("2024-07-03"),
                at("2024-07-03T12:00:00Z")
            ),
            closes
        );
    }

    #[test]
    fn prices_are_read_from_text_and_rounded_half_even() {
        let body = br#"{"prices":[[1719792317000,0.123456785],[1719795917000,0.123456775],
            [1719799517000,1.5e-05],[1719803117000,null],[1719806717000,0.12345678901234567891]],
            "market_caps":[],"total_volumes":[]}"#;
        let points = parse_market_chart(body).unwrap();
        assert_eq!(points.len(), 4);
        let rounded: Vec<String> = points
            .iter()
            .map(|p| round_rate(p.price).to_string())
            .collect();
        assert_eq!(
            rounded,
            ["0.12345678", "0.12345678", "0.000015", "0.12345679"]
        );
        assert_eq!(points[0].time, at("2024-07-01T00:05:17Z"));
    }

    #[test]
    fn malformed_charts_are_typed_errors() {
        for body in [
            &b"{\"prices\": 5}"[..],
            b"{}",
            b"[]",
            b"{\"prices\":[[1,2,3]]}",
            b"{\"prices\":[[\"x\",2]]}",
            b"{\"prices\":[[1e300,2]]}",
            b"{\"prices\":[[1719792317000,2]",
        ] {
            let result = parse_market_chart(body);
            assert!(
                matches!(
                    result,
                    Err(FxError::Json { .. } | FxError::InvalidValue { .. })
                ),
                "{}: {result:?}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
