//! The TronScan client against a local server replaying recorded answers: transaction lookup,
//! verification, and the retry policy (429, Retry-After, 5xx, timeouts, spacing, size cap).

mod tronscan_mock;

use std::str::FromStr;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use importers::tronscan::{
    Config, Expected, FetchError, HttpConfig, Mismatch, Token, TronScanClient, TronScanError,
    Verification,
};
use rust_decimal::Decimal;
use tronscan_mock::{MockServer, Reply};

const USDT_TX: &str = "66836886a260cd0b7b45145c1a81682c64e50cad66237a0465e7e4236472f1a3";
const REVERTED_TX: &str = "1c2442f9298cb3a570ccec313571810afc132d0d113db17d30cbc97d0fef7928";
const TRX_TX: &str = "895fd7b326b94c7f9118bb16000f49c81a358ca00d75985d99c94309570dc195";
const UNKNOWN_TX: &str = "0000000000000000000000000000000000000000000000000000000000000bad";
const WALLET: &str = "THXnVfYBJdhehBoWGWi4vavFNWKAUhk8Nj";
const PAYER: &str = "TBYMg4pzqUVKeBDFcaUfUc61PGY8mTjfE8";
const SUPPLIER: &str = "TYgxPujNVp45tzUWTyaQqZ2wpJdjcx5xfK";
const FAKE_USDT: &str = "TQr56EdpSmaZDzUNBS4C2kp3uf5ptgLpcu";
const KEY: &str = "3f6e1c52-9a7d-4e1b-8c0f-5d2a7b9e4c11";
const TX_PATH: &str = "/api/transaction-info";

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn fast_http() -> HttpConfig {
    HttpConfig {
        timeout: Duration::from_secs(5),
        max_retries: 3,
        min_interval: Duration::ZERO,
        backoff_base: Duration::from_millis(10),
        backoff_max: Duration::from_millis(40),
        max_retry_after: Duration::from_secs(2),
        ..HttpConfig::default()
    }
}

fn client(server: &MockServer, http: HttpConfig) -> TronScanClient {
    TronScanClient::new(Config {
        base_url: server.base_url.clone(),
        api_key: Some(KEY.to_string()),
        http,
        ..Config::default()
    })
    .unwrap()
}

fn usdt_payment(amount: &str) -> Expected {
    Expected {
        token: Token::usdt(),
        amount: dec(amount),
        from: Some(PAYER.to_string()),
        to: Some(WALLET.to_string()),
    }
}

#[tokio::test]
async fn confirmed_usdt_transfer_is_read_with_key_and_hash() {
    let server = MockServer::start().await;
    server.on(
        TX_PATH,
        vec![Reply::fixture("tronscan/tx_usdt_confirmed.json")],
    );
    let client = client(&server, fast_http());

    // Upper case input is accepted and sent in TronScan's lower case.
    let tx = client
        .transaction(&USDT_TX.to_uppercase())
        .await
        .unwrap()
        .expect("known hash");
    assert_eq!(tx.hash, USDT_TX);
    assert_eq!(tx.block, 63_312_541);
    assert_eq!(
        tx.timestamp,
        Utc.with_ymd_and_hms(2024, 7, 3, 9, 50, 51).unwrap()
    );
    assert!(tx.confirmed && tx.success && !tx.reverted);
    assert_eq!(tx.confirmations, 1843);
    assert_eq!(tx.contract_ret, "SUCCESS");
    assert_eq!(tx.owner_address.as_deref(), Some(PAYER));
    // 64,285 energy at 420 sun plus 345 bandwidth bytes at 1,000 sun, burnt.
    assert_eq!(tx.fee_trx, dec("27.3447"));
    assert_eq!(tx.transfers.len(), 1);
    let t = &tx.transfers[0];
    assert_eq!(t.token, Token::usdt());
    assert_eq!((t.from.as_str(), t.to.as_str()), (PAYER, WALLET));
    assert_eq!(t.amount, dec("1500.25"));
    assert_eq!(t.amount.to_string(), "1500.250000");
    assert_eq!((t.symbol.as_str(), t.decimals), ("USDT", 6));

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, TX_PATH);
    assert_eq!(requests[0].param("hash"), Some(USDT_TX));
    assert_eq!(requests[0].header("TRON-PRO-API-KEY"), Some(KEY));
}

#[tokio::test]
async fn confirmed_usdt_transfer_verifies_and_mismatches_are_named() {
    let server = MockServer::start().await;
    server.on(
        TX_PATH,
        vec![Reply::fixture("tronscan/tx_usdt_confirmed.json")],
    );
    let client = client(&server, fast_http());

    let verified = client
        .verify(USDT_TX, &usdt_payment("1500.25"))
        .await
        .unwrap();
    let Verification::Verified {
        block,
        confirmations,
        transfer,
    } = verified
    else {
        panic!("expected a verified payment, got {verified:?}");
    };
    assert_eq!((block, confirmations), (63_312_541, 1843));
    assert_eq!(transfer.amount, dec("1500.25"));

    let short = client.verify(USDT_TX, &usdt_payment("1500.26")).await;
    assert_eq!(
        short.unwrap(),
        Verification::Mismatched(vec![Mismatch::WrongAmount {
            expected: dec("1500.26"),
            found: dec("1500.25"),
        }])
    );

    let mut elsewhere = usdt_payment("1500.25");
    elsewhere.to = Some(SUPPLIER.to_string());
    assert_eq!(
        client.verify(USDT_TX, &elsewhere).await.unwrap(),
        Verification::Mismatched(vec![Mismatch::WrongTo {
            expected: SUPPLIER.to_string(),
            found: WALLET.to_string(),
        }])
    );

    // A lookalike token is told apart by its contract, whatever its symbol.
    let mut fake = usdt_payment("1500.25");
    fake.token = Token::trc20(FAKE_USDT);
    assert_eq!(
        client.verify(USDT_TX, &fake).await.unwrap(),
        Verification::Mismatched(vec![Mismatch::WrongToken {
            expected: Token::trc20(FAKE_USDT),
            found: vec![Token::usdt()],
        }])
    );
    assert_eq!(server.count(), 4);
}

#[tokio::test]
async fn reverted_transfer_is_reported_as_failed() {
    let server = MockServer::start().await;
    server.on(
        TX_PATH,
        vec![Reply::fixture("tronscan/tx_usdt_reverted.json")],
    );
    let client = client(&server, fast_http());

    let tx = client.transaction(REVERTED_TX).await.unwrap().unwrap();
    assert!(!tx.success);
    assert_eq!(tx.contract_ret, "REVERT");
    // No Transfer event was logged; the transfer the call meant to make is still shown.
    assert_eq!(tx.transfers.len(), 1);
    assert_eq!(tx.transfers[0].amount, dec("980"));

    let result = client
        .verify(REVERTED_TX, &usdt_payment("980"))
        .await
        .unwrap();
    assert_eq!(
        result,
        Verification::Mismatched(vec![Mismatch::Failed {
            contract_ret: "REVERT".to_string()
        }])
    );
}

#[tokio::test]
async fn plain_trx_transfer_is_read_from_contract_data() {
    let server = MockServer::start().await;
    server.on(
        TX_PATH,
        vec![Reply::fixture("tronscan/tx_trx_transfer.json")],
    );
    let client = client(&server, fast_http());

    let tx = client.transaction(TRX_TX).await.unwrap().unwrap();
    assert_eq!(tx.transfers.len(), 1);
    let t = &tx.transfers[0];
    assert_eq!(t.token, Token::Trx);
    assert_eq!(t.amount, dec("250"));
    assert_eq!((t.from.as_str(), t.to.as_str()), (WALLET, SUPPLIER));
    // Paid with staked bandwidth: nothing burnt.
    assert_eq!(tx.fee_trx, Decimal::ZERO);

    let expected = Expected {
        token: Token::Trx,
        amount: dec("250.000000"),
        from: Some(WALLET.to_string()),
        to: Some(SUPPLIER.to_string()),
    };
    assert!(
        client
            .verify(TRX_TX, &expected)
            .await
            .unwrap()
            .is_verified()
    );
    let as_usdt = Expected {
        token: Token::usdt(),
        ..expected
    };
    assert!(matches!(
        client.verify(TRX_TX, &as_usdt).await.unwrap(),
        Verification::Mismatched(m) if m == vec![Mismatch::WrongToken { expected: Token::usdt(), found: vec![Token::Trx] }]
    ));
}

#[tokio::test]
async fn unknown_hash_is_none_not_an_error() {
    let server = MockServer::start().await;
    server.on(TX_PATH, vec![Reply::fixture("tronscan/tx_unknown.json")]);
    let client = client(&server, fast_http());
    assert_eq!(client.transaction(UNKNOWN_TX).await.unwrap(), None);
    assert_eq!(
        client.verify(UNKNOWN_TX, &usdt_payment("1")).await.unwrap(),
        Verification::NotFound
    );
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn bad_input_is_refused_before_any_request() {
    let server = MockServer::start().await;
    let client = client(&server, fast_http());
    assert!(matches!(
        client.transaction("0xdeadbeef").await,
        Err(TronScanError::InvalidHash(_))
    ));
    let mut broken = usdt_payment("1");
    // One character changed: the base58check checksum no longer matches.
    broken.to = Some("THXnVfYBJdhehBoWGWi4vavFNWKAUhk8Nk".to_string());
    assert!(matches!(
        client.verify(USDT_TX, &broken).await,
        Err(TronScanError::InvalidAddress(_))
    ));
    assert!(matches!(
        client.trc20_transfers("not-an-address", None, None).await,
        Err(TronScanError::InvalidAddress(_))
    ));
    assert_eq!(server.count(), 0);
}

#[tokio::test]
async fn a_429_is_retried_then_succeeds() {
    let server = MockServer::start().await;
    server.on(
        TX_PATH,
        vec![
            Reply::fixture_with_status(429, "tronscan/rate_limited.json"),
            Reply::fixture("tronscan/tx_usdt_confirmed.json"),
        ],
    );
    let client = client(&server, fast_http());
    let tx = client.transaction(USDT_TX).await.unwrap();
    assert!(tx.is_some());
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    // The retry is the same request, key included.
    assert!(
        requests
            .iter()
            .all(|r| r.param("hash") == Some(USDT_TX) && r.header("TRON-PRO-API-KEY") == Some(KEY))
    );
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = MockServer::start().await;
    server.on(
        TX_PATH,
        vec![
            Reply::fixture_with_status(429, "tronscan/rate_limited.json")
                .header("Retry-After", "1"),
            Reply::fixture("tronscan/tx_usdt_confirmed.json"),
        ],
    );
    let client = client(&server, fast_http());
    let started = Instant::now();
    assert!(client.transaction(USDT_TX).await.unwrap().is_some());
    // The backoff alone would have waited 5-10 ms.
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn a_retry_after_beyond_the_limit_fails_at_once() {
    let server = MockServer::start().await;
    server.on(
        TX_PATH,
        vec![
            Reply::fixture_with_status(429, "tronscan/rate_limited.json")
                .header("Retry-After", "3600"),
        ],
    );
    let client = client(&server, fast_http());
    let err = client.transaction(USDT_TX).await.unwrap_err();
    match err {
        TronScanError::Fetch(FetchError::RateLimited {
            attempts,
            retry_after,
            ..
        }) => {
            assert_eq!(attempts, 1);
            assert_eq!(retry_after, Some(Duration::from_secs(3600)));
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn repeated_429_ends_in_rate_limited_after_the_retries() {
    let server = MockServer::start().await;
    server.on(
        TX_PATH,
        vec![Reply::fixture_with_status(
            429,
            "tronscan/rate_limited.json",
        )],
    );
    let client = client(&server, fast_http());
    let err = client.transaction(USDT_TX).await.unwrap_err();
    assert!(err.is_rate_limited(), "{err:?}");
    assert!(matches!(
        err,
        TronScanError::Fetch(FetchError::RateLimited { attempts: 4, .. })
    ));
    assert!(err.to_string().contains("429"), "{err}");
    // One attempt plus max_retries (3).
    assert_eq!(server.count(), 4);
}

#[tokio::test]
async fn a_slow_server_ends_in_timeout() {
    let server = MockServer::start().await;
    server.on(
        TX_PATH,
        vec![Reply::fixture("tronscan/tx_usdt_confirmed.json").delay(Duration::from_secs(2))],
    );
    let http = HttpConfig {
        timeout: Duration::from_millis(150),
        max_retries: 1,
        ..fast_http()
    };
    let client = client(&server, http);
    let started = Instant::now();
    let err = client.transaction(USDT_TX).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(matches!(
        err,
        TronScanError::Fetch(FetchError::Timeout { attempts: 2, .. })
    ));
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn server_errors_are_retried_but_client_errors_are_not() {
    let server = MockServer::start().await;
    server.on(
        TX_PATH,
        vec![
            Reply::new(502, "<html>Bad Gateway</html>"),
            Reply::new(503, "busy"),
            Reply::fixture("tronscan/tx_trx_transfer.json"),
        ],
    );
    let client = client(&server, fast_http());
    assert!(client.transaction(TRX_TX).await.unwrap().is_some());
    assert_eq!(server.count(), 3);

    let server = MockServer::start().await;
    server.on(
        TX_PATH,
        vec![Reply::new(403, "{\"message\":\"invalid api key\"}")],
    );
    let client = self::client(&server, fast_http());
    let err = client.transaction(TRX_TX).await.unwrap_err();
    match err {
        TronScanError::Fetch(FetchError::Http {
            status,
            attempts,
            body,
            ..
        }) => {
            assert_eq!((status, attempts), (403, 1));
            assert!(body.contains("invalid api key"));
        }
        other => panic!("expected Http, got {other:?}"),
    }
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn requests_are_spaced_by_min_interval() {
    let server = MockServer::start().await;
    server.on(TX_PATH, vec![Reply::fixture("tronscan/tx_unknown.json")]);
    let http = HttpConfig {
        min_interval: Duration::from_millis(120),
        ..fast_http()
    };
    let client = client(&server, http);
    let started = Instant::now();
    for _ in 0..3 {
        client.transaction(UNKNOWN_TX).await.unwrap();
    }
    assert!(started.elapsed() >= Duration::from_millis(240));
    assert_eq!(server.count(), 3);
}

#[tokio::test]
async fn oversized_and_malformed_answers_are_typed_errors() {
    let server = MockServer::start().await;
    server.on(
        TX_PATH,
        vec![Reply::fixture("tronscan/tx_usdt_confirmed.json")],
    );
    let http = HttpConfig {
        max_body_bytes: 1024,
        ..fast_http()
    };
    let err = client(&server, http)
        .transaction(USDT_TX)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        TronScanError::Fetch(FetchError::TooLarge { limit: 1024, .. })
    ));
    assert_eq!(server.count(), 1, "a too-large answer is not retried");

    let server = MockServer::start().await;
    server.on(TX_PATH, vec![Reply::ok("{\"hash\": ")]);
    let err = client(&server, fast_http())
        .transaction(USDT_TX)
        .await
        .unwrap_err();
    assert!(matches!(err, TronScanError::Decode { .. }), "{err:?}");

    // An answer about another transaction is not taken for the one asked about.
    let server = MockServer::start().await;
    server.on(
        TX_PATH,
        vec![Reply::fixture("tronscan/tx_trx_transfer.json")],
    );
    let err = client(&server, fast_http())
        .transaction(USDT_TX)
        .await
        .unwrap_err();
    assert!(matches!(err, TronScanError::Decode { .. }), "{err:?}");
}
