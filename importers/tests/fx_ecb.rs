//! The ECB source against a local server replaying recorded eurofxref files.

mod tronscan_mock;

use std::str::FromStr;
use std::time::Duration;

use chrono::NaiveDate;
use importers::fx::{Ecb, EcbConfig, EcbFile, FxError, RateSource};
use importers::tronscan::HttpConfig;
use rust_decimal::Decimal;
use tronscan_mock::{MockServer, Reply};

const DAILY: &str = "/stats/eurofxref/eurofxref-daily.xml";
const NINETY: &str = "/stats/eurofxref/eurofxref-hist-90d.xml";
const FULL: &str = "/stats/eurofxref/eurofxref-hist.xml";

/// Currencies in the recorded files that the books know, and those they do not.
const KNOWN: usize = 15;
const UNKNOWN: [&str; 15] = [
    "BGN", "CZK", "DKK", "HUF", "ILS", "ISK", "MXN", "MYR", "NOK", "NZD", "PHP", "RON", "SEK",
    "THB", "ZAR",
];

fn d(s: &str) -> NaiveDate {
    NaiveDate::from_str(s).unwrap()
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn ecb(server: &MockServer) -> Ecb {
    Ecb::new(EcbConfig {
        // The path part of the default URL, kept to show it is honoured.
        base_url: format!("{}/stats/eurofxref/", server.base_url),
        http: HttpConfig {
            min_interval: Duration::ZERO,
            backoff_base: Duration::from_millis(10),
            ..HttpConfig::default()
        },
    })
    .unwrap()
}

#[tokio::test]
async fn daily_file_gives_one_day_of_known_currencies() {
    let server = MockServer::start().await;
    server.on(DAILY, vec![Reply::fixture("fx/eurofxref-daily.xml")]);
    let parsed = ecb(&server).fetch_file(EcbFile::Daily).await.unwrap();

    assert_eq!(parsed.days, 1);
    assert_eq!(parsed.rates.len(), KNOWN);
    assert!(
        parsed
            .rates
            .iter()
            .all(|r| r.date == d("2024-07-03") && r.base.code() == "EUR" && r.source == "ECB")
    );
    let rate = |code: &str| {
        parsed
            .rates
            .iter()
            .find(|r| r.quote.code() == code)
            .map(|r| r.rate)
    };
    assert_eq!(rate("USD"), Some(dec("1.0785")));
    assert_eq!(rate("JPY"), Some(dec("174.03")));
    assert_eq!(rate("IDR"), Some(dec("17631.70")));
    assert_eq!(rate("SEK"), None);
    let skipped: Vec<&str> = parsed.skipped.keys().map(String::as_str).collect();
    assert_eq!(skipped, UNKNOWN);
    assert!(parsed.skipped.values().all(|n| *n == 1));
    assert_eq!(server.requests()[0].path, DAILY);
}

#[tokio::test]
async fn a_recent_range_reads_the_90_day_file_and_weekends_are_just_absent() {
    let server = MockServer::start().await;
    server.on(NINETY, vec![Reply::fixture("fx/eurofxref-hist-90d.xml")]);
    let source = ecb(&server);

    let parsed = source
        .rates_between(d("2024-06-28"), d("2024-07-02"), d("2024-07-04"))
        .await
        .unwrap();
    assert_eq!(parsed.days, 5, "the file holds five publication days");
    let mut days: Vec<NaiveDate> = parsed.rates.iter().map(|r| r.date).collect();
    days.dedup();
    // 29 and 30 June are a weekend: no rates, no error.
    assert_eq!(days, [d("2024-07-02"), d("2024-07-01"), d("2024-06-28")]);
    assert_eq!(parsed.rates.len(), 3 * KNOWN);
    assert_eq!(parsed.skipped.get("SEK"), Some(&5));
    let usd: Vec<Decimal> = parsed
        .rates
        .iter()
        .filter(|r| r.quote.code() == "USD")
        .map(|r| r.rate)
        .collect();
    assert_eq!(usd, [dec("1.0782"), dec("1.0750"), dec("1.0719")]);

    let weekend = source
        .rates_between(d("2024-06-29"), d("2024-06-30"), d("2024-07-04"))
        .await
        .unwrap();
    assert!(weekend.rates.is_empty());

    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, [NINETY, NINETY]);
}

#[tokio::test]
async fn an_old_range_reads_the_full_history_and_the_trait_object_works() {
    let server = MockServer::start().await;
    // The recorded 90-day file stands in for the full history: only the path matters here.
    server.on(FULL, vec![Reply::fixture("fx/eurofxref-hist-90d.xml")]);
    let parsed = ecb(&server)
        .rates_between(d("2024-06-27"), d("2024-06-27"), d("2024-12-31"))
        .await
        .unwrap();
    assert_eq!(parsed.rates.len(), KNOWN);
    assert_eq!(server.requests()[0].path, FULL);

    // Through the trait, "today" is the real one, so a 2024 range needs the full history too.
    let source: Box<dyn RateSource> = Box::new(ecb(&server));
    assert_eq!(source.name(), "ECB");
    let rates = source
        .rates(d("2024-07-03"), d("2024-07-03"))
        .await
        .unwrap();
    assert_eq!(rates.len(), KNOWN);
    assert_eq!(server.requests()[1].path, FULL);

    assert!(matches!(
        source.rates(d("2024-07-03"), d("2024-07-01")).await,
        Err(FxError::InvalidRange { .. })
    ));
    assert_eq!(server.count(), 2, "a bad range makes no request");
}

#[tokio::test]
async fn a_429_is_retried() {
    let server = MockServer::start().await;
    server.on(
        DAILY,
        vec![
            Reply::new(429, "Too Many Requests"),
            Reply::fixture("fx/eurofxref-daily.xml"),
        ],
    );
    let parsed = ecb(&server).fetch_file(EcbFile::Daily).await.unwrap();
    assert_eq!(parsed.rates.len(), KNOWN);
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn malformed_files_are_typed_errors() {
    let server = MockServer::start().await;
    server.on(DAILY, vec![Reply::fixture("fx/eurofxref-truncated.xml")]);
    server.on(
        NINETY,
        vec![Reply::ok(
            "<!DOCTYPE html><html><head><title>Maintenance</title></head><body></body></html>",
        )],
    );
    let source = ecb(&server);
    let err = source.fetch_file(EcbFile::Daily).await.unwrap_err();
    assert!(matches!(err, FxError::Xml { .. }), "{err:?}");
    let err = source.fetch_file(EcbFile::Last90Days).await.unwrap_err();
    assert!(matches!(err, FxError::Xml { .. }), "{err:?}");
    assert!(err.to_string().contains("Envelope"), "{err}");
}
