//! Wallet history: paging, filtering, dedup, and narrowing the time window past TronScan's
//! offset limit, against a local server replaying recorded pages.

mod tronscan_mock;

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use importers::tronscan::{
    Config, Direction, HistoryKind, HistoryQuery, HttpConfig, Token, TronScanClient, TronScanError,
    USDT_CONTRACT,
};
use rust_decimal::Decimal;
use serde_json::json;
use tronscan_mock::{MockServer, Reply};

const WALLET: &str = "THXnVfYBJdhehBoWGWi4vavFNWKAUhk8Nj";
const PAYER: &str = "TBYMg4pzqUVKeBDFcaUfUc61PGY8mTjfE8";
const SUPPLIER: &str = "TYgxPujNVp45tzUWTyaQqZ2wpJdjcx5xfK";
const FAKE_USDT: &str = "TQr56EdpSmaZDzUNBS4C2kp3uf5ptgLpcu";
const KEY: &str = "3f6e1c52-9a7d-4e1b-8c0f-5d2a7b9e4c11";
const TRC20_PATH: &str = "/api/token_trc20/transfers";
const TRX_PATH: &str = "/api/transfer";

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn client(server: &MockServer, page_size: u32, max_offset: u32) -> TronScanClient {
    TronScanClient::new(Config {
        base_url: server.base_url.clone(),
        api_key: Some(KEY.to_string()),
        http: HttpConfig {
            min_interval: Duration::ZERO,
            backoff_base: Duration::from_millis(10),
            ..HttpConfig::default()
        },
        page_size,
        max_offset,
        ..Config::default()
    })
    .unwrap()
}

/// The recorded wallet: 9 entries over 3 full pages of 3 (the second page repeats the last
/// entry of the first), then an empty page.
fn serve_trc20_pages(server: &MockServer) {
    for (start, file) in [
        ("0", "tronscan/trc20_page1.json"),
        ("3", "tronscan/trc20_page2.json"),
        ("6", "tronscan/trc20_page3.json"),
        ("9", "tronscan/trc20_empty.json"),
    ] {
        server.on_query(TRC20_PATH, &[("start", start)], vec![Reply::fixture(file)]);
    }
}

#[tokio::test]
async fn trc20_history_pages_dedups_and_drops_unconfirmed_and_reverted() {
    let server = MockServer::start().await;
    serve_trc20_pages(&server);
    let transfers = client(&server, 3, 10_000)
        .trc20_transfers(WALLET, None, None)
        .await
        .unwrap();

    let summary: Vec<(&str, Direction, Decimal)> = transfers
        .iter()
        .map(|t| (&t.hash[..8], t.direction, t.amount))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("a49636a2", Direction::In, dec("250")),
            ("66836886", Direction::In, dec("1500.25")),
            ("b0a844e5", Direction::SelfTransfer, dec("5")),
            ("842e7fc2", Direction::In, dec("12.345678")),
            ("fa529ba3", Direction::In, dec("1")),
            ("9a2ef80f", Direction::Out, dec("730.5")),
        ]
    );
    // Oldest first, and every kept entry is confirmed and successful.
    assert!(transfers.windows(2).all(|w| w[0].time <= w[1].time));
    assert!(transfers.iter().all(|t| t.confirmed && t.success));
    // Without a contract filter the lookalike token comes through, marked by its contract.
    let fake = transfers
        .iter()
        .find(|t| t.token == Token::trc20(FAKE_USDT))
        .expect("lookalike listed");
    assert_eq!(fake.symbol, "USDT");
    let out = transfers
        .iter()
        .find(|t| t.direction == Direction::Out)
        .unwrap();
    assert_eq!((out.from.as_str(), out.to.as_str()), (WALLET, SUPPLIER));
    assert_eq!(out.token, Token::usdt());
    assert_eq!(out.block, 63_342_900);
    assert_eq!(
        out.time,
        DateTime::parse_from_rfc3339("2024-07-04T11:00:00Z").unwrap()
    );

    let requests = server.requests();
    let starts: Vec<_> = requests.iter().map(|r| r.param("start").unwrap()).collect();
    assert_eq!(starts, ["0", "3", "6", "9"]);
    for r in &requests {
        assert_eq!(r.path, TRC20_PATH);
        assert_eq!(r.param("relatedAddress"), Some(WALLET));
        assert_eq!(r.param("limit"), Some("3"));
        assert_eq!(r.param("contract_address"), None);
        assert_eq!(r.param("start_timestamp"), None);
        assert_eq!(r.header("TRON-PRO-API-KEY"), Some(KEY));
    }
}

#[tokio::test]
async fn trc20_history_filters_by_contract_and_since() {
    let server = MockServer::start().await;
    serve_trc20_pages(&server);
    let since = DateTime::parse_from_rfc3339("2024-07-03T09:46:40Z")
        .unwrap()
        .with_timezone(&Utc);
    let transfers = client(&server, 3, 10_000)
        .trc20_transfers(WALLET, Some(since), Some(USDT_CONTRACT))
        .await
        .unwrap();
    // The recorded server ignores the filters; the client applies them again.
    let amounts: Vec<Decimal> = transfers.iter().map(|t| t.amount).collect();
    assert_eq!(
        amounts,
        vec![dec("1500.25"), dec("5"), dec("12.345678"), dec("730.5")]
    );
    assert!(transfers.iter().all(|t| t.token == Token::usdt()));
    for r in server.requests() {
        assert_eq!(r.param("contract_address"), Some(USDT_CONTRACT));
        assert_eq!(r.param("start_timestamp"), Some("1720000000000"));
    }
}

#[tokio::test]
async fn unconfirmed_and_failed_entries_come_when_asked() {
    let server = MockServer::start().await;
    serve_trc20_pages(&server);
    let mut query = HistoryQuery::new(HistoryKind::Trc20 { contract: None }, WALLET);
    query.include_unconfirmed = true;
    query.include_failed = true;
    let transfers = client(&server, 3, 10_000).history(&query).await.unwrap();
    // Nine entries served, one of them twice.
    assert_eq!(transfers.len(), 8);
    assert_eq!(transfers.iter().filter(|t| !t.confirmed).count(), 1);
    let failed: Vec<_> = transfers.iter().filter(|t| !t.success).collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].amount, dec("980"));
    assert_eq!(failed[0].from, PAYER);
}

#[tokio::test]
async fn trx_history_skips_trc10_and_unconfirmed() {
    let server = MockServer::start().await;
    server.on(
        TRX_PATH,
        vec![Reply::fixture("tronscan/trx_transfers.json")],
    );
    let since = DateTime::parse_from_rfc3339("2024-07-01T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let transfers = client(&server, 50, 10_000)
        .trx_transfers(WALLET, Some(since))
        .await
        .unwrap();
    let summary: Vec<(Direction, Decimal, &str)> = transfers
        .iter()
        .map(|t| (t.direction, t.amount, t.symbol.as_str()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (Direction::In, dec("35.5"), "TRX"),
            (Direction::Out, dec("250"), "TRX"),
        ]
    );
    assert!(transfers.iter().all(|t| t.token == Token::Trx));

    let requests = server.requests();
    assert_eq!(requests.len(), 1, "a short page is the last one");
    let r = &requests[0];
    assert_eq!(r.path, TRX_PATH);
    assert_eq!(r.param("address"), Some(WALLET));
    assert_eq!(r.param("start"), Some("0"));
    assert_eq!(r.param("limit"), Some("50"));
    assert_eq!(r.param("start_timestamp"), Some("1719792000000"));
    assert_eq!(r.param("sort"), Some("-timestamp"));
}

/// A TRC20 list entry in TronScan's shape.
fn entry(n: u64, ts: i64) -> serde_json::Value {
    json!({
        "transaction_id": format!("{n:064x}"),
        "block_ts": ts,
        "from_address": PAYER,
        "to_address": WALLET,
        "block": 63_300_000 + n,
        "contract_address": USDT_CONTRACT,
        "quant": (n * 1_000_000).to_string(),
        "event_type": "Transfer",
        "contract_type": "trc20",
        "confirmed": true,
        "contractRet": "SUCCESS",
        "finalResult": "SUCCESS",
        "revert": false,
        "tokenInfo": {"tokenId": USDT_CONTRACT, "tokenAbbr": "USDT", "tokenName": "Tether USD",
                      "tokenDecimal": 6, "tokenType": "trc20", "tokenLevel": "2", "vip": true}
    })
}

fn page(entries: &[serde_json::Value], total: usize) -> Reply {
    Reply::ok(
        json!({"total": total, "rangeTotal": total, "contractInfo": {}, "token_transfers": entries})
            .to_string(),
    )
}

#[tokio::test]
async fn past_the_offset_limit_the_time_window_narrows() {
    // Seven transfers one second apart, newest first. With 2 per page and start + limit <= 4,
    // only two pages fit in one offset window.
    let ts = |i: u64| 1_720_000_000_000i64 - (i as i64) * 1000;
    let e: Vec<_> = (1..=7).map(|i| entry(i, ts(i))).collect();
    let server = MockServer::start().await;
    let end2 = (ts(4) + 1).to_string();
    let end3 = (ts(7) + 1).to_string();
    // Most specific routes first: a window bound by end_timestamp, then the open one.
    server.on_query(
        TRC20_PATH,
        &[("end_timestamp", &end3), ("start", "0")],
        vec![page(&e[6..7], 1)],
    );
    server.on_query(
        TRC20_PATH,
        &[("end_timestamp", &end2), ("start", "0")],
        vec![page(&e[3..5], 4)],
    );
    server.on_query(
        TRC20_PATH,
        &[("end_timestamp", &end2), ("start", "2")],
        vec![page(&e[5..7], 4)],
    );
    server.on_query(TRC20_PATH, &[("start", "0")], vec![page(&e[0..2], 7)]);
    server.on_query(TRC20_PATH, &[("start", "2")], vec![page(&e[2..4], 7)]);

    let transfers = client(&server, 2, 4)
        .trc20_transfers(WALLET, None, None)
        .await
        .unwrap();
    let amounts: Vec<Decimal> = transfers.iter().map(|t| t.amount).collect();
    assert_eq!(
        amounts,
        (1..=7).rev().map(Decimal::from).collect::<Vec<_>>()
    );

    let asked: Vec<(String, Option<String>)> = server
        .requests()
        .iter()
        .map(|r| {
            (
                r.param("start").unwrap().to_string(),
                r.param("end_timestamp").map(str::to_string),
            )
        })
        .collect();
    assert_eq!(
        asked,
        vec![
            ("0".to_string(), None),
            ("2".to_string(), None),
            ("0".to_string(), Some(end2.clone())),
            ("2".to_string(), Some(end2)),
            ("0".to_string(), Some(end3)),
        ]
    );
}

#[tokio::test]
async fn a_millisecond_fuller_than_a_window_is_an_error_not_a_loop() {
    let same: Vec<_> = (1..=2).map(|i| entry(i, 1_720_000_000_000)).collect();
    let server = MockServer::start().await;
    server.on(TRC20_PATH, vec![page(&same, 5000)]);
    let err = client(&server, 2, 2)
        .trc20_transfers(WALLET, None, None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            TronScanError::WindowStuck {
                timestamp_ms: 1_720_000_000_000,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn paging_stops_at_max_pages() {
    let server = MockServer::start().await;
    // A server that always answers with a full page, whatever is asked.
    server.on(
        TRC20_PATH,
        vec![page(
            &[entry(1, 1_720_000_000_000), entry(2, 1_719_999_999_000)],
            99,
        )],
    );
    let c = TronScanClient::new(Config {
        base_url: server.base_url.clone(),
        http: HttpConfig {
            min_interval: Duration::ZERO,
            ..HttpConfig::default()
        },
        page_size: 2,
        max_pages: 5,
        ..Config::default()
    })
    .unwrap();
    let err = c.trc20_transfers(WALLET, None, None).await.unwrap_err();
    assert!(
        matches!(err, TronScanError::TooManyPages { limit: 5, .. }),
        "{err:?}"
    );
    assert_eq!(server.count(), 5);
}

#[tokio::test]
async fn a_page_without_its_list_is_a_decode_error() {
    let server = MockServer::start().await;
    server.on(
        TRC20_PATH,
        vec![Reply::ok("{\"message\":\"some parameters are invalid\"}")],
    );
    let err = client(&server, 3, 10_000)
        .trc20_transfers(WALLET, None, None)
        .await
        .unwrap_err();
    assert!(matches!(err, TronScanError::Decode { .. }), "{err:?}");
}
