//! The CoinGecko source against a local server replaying recorded market charts.

mod tronscan_mock;

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use domain::Currency;
use importers::fx::{CoinGecko, CoinGeckoConfig, FxError, Rate, RateSource};
use importers::tronscan::{FetchError, HttpConfig};
use rust_decimal::Decimal;
use tronscan_mock::{MockServer, Reply};

const TRON: &str = "/api/v3/coins/tron/market_chart/range";
const TETHER: &str = "/api/v3/coins/tether/market_chart/range";
const KEY: &str = "CG-Xq4b7hN2mV9pL3sT8wYe5KdR";

fn d(s: &str) -> NaiveDate {
    NaiveDate::from_str(s).unwrap()
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn gecko(server: &MockServer, max_retries: u32) -> CoinGecko {
    CoinGecko::new(CoinGeckoConfig {
        base_url: server.base_url.clone(),
        api_key: Some(KEY.to_string()),
        http: HttpConfig {
            min_interval: Duration::ZERO,
            max_retries,
            backoff_base: Duration::from_millis(10),
            ..HttpConfig::default()
        },
        ..CoinGeckoConfig::default()
    })
    .unwrap()
}

fn summary(rates: &[Rate]) -> Vec<(String, NaiveDate, Decimal)> {
    rates
        .iter()
        .map(|r| (format!("{}/{}", r.base, r.quote), r.date, r.rate))
        .collect()
}

#[tokio::test]
async fn daily_closes_for_tron_and_tether() {
    let server = MockServer::start().await;
    server.on(TRON, vec![Reply::fixture("fx/coingecko_tron_range.json")]);
    server.on(
        TETHER,
        vec![Reply::fixture("fx/coingecko_tether_range.json")],
    );
    let rates = gecko(&server, 3)
        .daily_rates(d("2024-07-01"), d("2024-07-03"), at("2024-07-10T00:00:00Z"))
        .await
        .unwrap();
    let s = |pair: &str, day: &str, rate: &str| (pair.to_string(), d(day), dec(rate));
    assert_eq!(
        summary(&rates),
        vec![
            // Last hourly points of each day: 23:06, 23:13, 23:09 (tron); rounded half-even.
            s("TRX/USD", "2024-07-01", "0.12520628"),
            s("TRX/USD", "2024-07-02", "0.12557904"),
            s("TRX/USD", "2024-07-03", "0.12646501"),
            s("USDT/USD", "2024-07-01", "0.99987071"),
            s("USDT/USD", "2024-07-02", "1.00031494"),
            // 4 July's first point (00:00:41) is not 3 July's close.
            s("USDT/USD", "2024-07-03", "0.99982208"),
        ]
    );
    assert!(rates.iter().all(|r| r.source == "CoinGecko"));

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].path, TRON);
    assert_eq!(requests[1].path, TETHER);
    for r in &requests {
        assert_eq!(r.param("vs_currency"), Some("usd"));
        assert_eq!(r.param("from"), Some("1719792000")); // 2024-07-01T00:00:00Z
        assert_eq!(r.param("to"), Some("1720051200")); // 2024-07-04T00:00:00Z
        assert_eq!(r.header("x-cg-demo-api-key"), Some(KEY));
    }
}

#[tokio::test]
async fn an_unfinished_day_has_no_close_yet() {
    let server = MockServer::start().await;
    server.on(TRON, vec![Reply::fixture("fx/coingecko_tron_range.json")]);
    server.on(
        TETHER,
        vec![Reply::fixture("fx/coingecko_tether_range.json")],
    );
    let rates = gecko(&server, 3)
        .daily_rates(d("2024-07-01"), d("2024-07-03"), at("2024-07-03T18:00:00Z"))
        .await
        .unwrap();
    assert!(rates.iter().all(|r| r.date < d("2024-07-03")));
    assert_eq!(rates.len(), 4);
}

#[tokio::test]
async fn long_ranges_are_split_into_requests_of_at_most_90_days() {
    let server = MockServer::start().await;
    server.on(TRON, vec![Reply::fixture("fx/coingecko_tron_range.json")]);
    server.on(
        TETHER,
        vec![Reply::fixture("fx/coingecko_tether_range.json")],
    );
    let rates = gecko(&server, 3)
        .daily_rates(d("2024-05-01"), d("2024-08-08"), at("2024-09-01T00:00:00Z"))
        .await
        .unwrap();
    // The recorded charts cover 1-3 July (tether also one point of 4 July); served twice, each
    // day still comes once.
    assert_eq!(rates.len(), 7);
    let windows: Vec<(String, &str, &str)> = server
        .requests()
        .iter()
        .map(|r| {
            (
                r.path.clone(),
                // 1 May + 90 days = 30 July, so the chunks are 1 May..=29 July and 30 July..=8 Aug.
                match r.param("from") {
                    Some("1714521600") => "2024-05-01",
                    Some("1722297600") => "2024-07-30",
                    _ => "?",
                },
                match r.param("to") {
                    Some("1722297600") => "2024-07-30",
                    Some("1723161600") => "2024-08-09",
                    _ => "?",
                },
            )
        })
        .collect();
    assert_eq!(
        windows,
        vec![
            (TRON.to_string(), "2024-05-01", "2024-07-30"),
            (TRON.to_string(), "2024-07-30", "2024-08-09"),
            (TETHER.to_string(), "2024-05-01", "2024-07-30"),
            (TETHER.to_string(), "2024-07-30", "2024-08-09"),
        ]
    );
}

#[tokio::test]
async fn a_429_is_retried_and_repeated_429_is_rate_limited() {
    let server = MockServer::start().await;
    server.on(
        TRON,
        vec![
            Reply::fixture_with_status(429, "fx/coingecko_rate_limited.json"),
            Reply::fixture("fx/coingecko_tron_range.json"),
        ],
    );
    server.on(
        TETHER,
        vec![Reply::fixture_with_status(
            429,
            "fx/coingecko_rate_limited.json",
        )],
    );
    let source: Box<dyn RateSource> = Box::new(gecko(&server, 2));
    assert_eq!(source.name(), "CoinGecko");
    let err = source
        .rates(d("2024-07-01"), d("2024-07-03"))
        .await
        .unwrap_err();
    assert!(err.is_rate_limited(), "{err:?}");
    assert!(matches!(
        err,
        FxError::Fetch(FetchError::RateLimited { attempts: 3, .. })
    ));
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    // tron: 429 then success; tether: three 429s.
    assert_eq!(paths, [TRON, TRON, TETHER, TETHER, TETHER]);
}

#[tokio::test]
async fn malformed_json_is_a_typed_error() {
    let server = MockServer::start().await;
    server.on(TRON, vec![Reply::fixture("fx/coingecko_malformed.json")]);
    let err = gecko(&server, 3)
        .daily_rates(d("2024-07-01"), d("2024-07-03"), at("2024-07-10T00:00:00Z"))
        .await
        .unwrap_err();
    assert!(matches!(err, FxError::Json { .. }), "{err:?}");
    assert_eq!(server.count(), 1, "a malformed answer is not retried");
}

#[tokio::test]
async fn current_prices_in_several_quotes() {
    let server = MockServer::start().await;
    server.on(
        "/api/v3/simple/price",
        vec![Reply::fixture("fx/coingecko_simple_price.json")],
    );
    let usd = Currency::parse("USD").unwrap();
    let eur = Currency::parse("EUR").unwrap();
    let rates = gecko(&server, 3).current(&[usd, eur]).await.unwrap();
    let pairs: Vec<(String, Decimal)> = rates
        .iter()
        .map(|r| (format!("{}/{}", r.base, r.quote), r.rate))
        .collect();
    assert_eq!(
        pairs,
        vec![
            ("TRX/USD".to_string(), dec("0.1263")),
            ("TRX/EUR".to_string(), dec("0.1171")),
            ("USDT/USD".to_string(), dec("1.0003")),
            ("USDT/EUR".to_string(), dec("0.927364")),
        ]
    );
    assert!(rates.iter().all(|r| r.date == Utc::now().date_naive()));
    let r = &server.requests()[0];
    assert_eq!(r.param("ids"), Some("tron,tether"));
    assert_eq!(r.param("vs_currencies"), Some("usd,eur"));
}
