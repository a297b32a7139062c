//! A wallet's transfer history, paged out of TronScan's lists.
//!
//! Both lists page with `start`/`limit`, newest first, and refuse `start + limit > 10000`. To
//! read further back the client narrows the time window: when an offset window is used up, the
//! next window ends at the oldest timestamp seen so far (`end_timestamp = oldest + 1` ms, so
//! entries sharing that millisecond are fetched again whether the server treats the bound as
//! inclusive or exclusive) and paging restarts at `start=0`. Overlaps, and entries that shift
//! between pages while new transfers arrive, are removed by the dedup key
//! (hash, token, from, to, amount). If one millisecond holds more entries than a whole window,
//! no narrowing can help and the call fails with `WindowStuck`; past `max_pages` it fails with
//! `TooManyPages`. Either way nothing is silently truncated: a caller syncing "since the last
//! run" must never get a gap.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::client::TronScanClient;
use super::error::TronScanError;
use super::model::{Direction, Token, Transfer, validate_address};
use super::wire::{HistoryEntry, RawTransfer, parse_trc20_page, parse_trx_page};

/// Which list to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HistoryKind {
    /// TRC20 transfers, optionally of one token contract only.
    Trc20 {
        contract: Option<String>,
    },
    Trx,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryQuery {
    pub kind: HistoryKind,
    pub address: String,
    /// Inclusive bounds on the transfer time.
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Unconfirmed and failed (reverted, not SUCCESS) transfers are left out unless asked for.
    pub include_unconfirmed: bool,
    pub include_failed: bool,
}

impl HistoryQuery {
    pub fn new(kind: HistoryKind, address: impl Into<String>) -> Self {
        Self {
            kind,
            address: address.into(),
            since: None,
            until: None,
            include_unconfirmed: false,
            include_failed: false,
        }
    }
}

impl TronScanClient {
    /// Confirmed, successful TRC20 transfers to or from `address`, oldest first.
    pub async fn trc20_transfers(
        &self,
        address: &str,
        since: Option<DateTime<Utc>>,
        contract: Option<&str>,
    ) -> Result<Vec<Transfer>, TronScanError> {
        let mut query = HistoryQuery::new(
            HistoryKind::Trc20 {
                contract: contract.map(str::to_string),
            },
            address,
        );
        query.since = since;
        self.history(&query).await
    }

    /// Confirmed, successful TRX transfers to or from `address`, oldest first.
    pub async fn trx_transfers(
        &self,
        address: &str,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<Transfer>, TronScanError> {
        let mut query = HistoryQuery::new(HistoryKind::Trx, address);
        query.since = since;
        self.history(&query).await
    }

    /// The general form: any list, time range and filter. Sorted by (time, block, hash).
    pub async fn history(&self, query: &HistoryQuery) -> Result<Vec<Transfer>, TronScanError> {
        let wallet = validate_address("address", &query.address)?;
        let (path, what, mut base_params): (_, _, Vec<(&str, String)>) = match &query.kind {
            HistoryKind::Trc20 { contract } => {
                let mut params = vec![("relatedAddress", wallet.clone())];
                if let Some(contract) = contract {
                    params.push(("contract_address", validate_address("contract", contract)?));
                }
                ("api/token_trc20/transfers", "TRC20 transfers", params)
            }
            HistoryKind::Trx => (
                "api/transfer",
                "TRX transfers",
                vec![
                    ("address", wallet.clone()),
                    ("sort", "-timestamp".to_string()),
                ],
            ),
        };
        let parse: fn(&[u8]) -> Result<Vec<HistoryEntry>, TronScanError> = match query.kind {
            HistoryKind::Trc20 { .. } => parse_trc20_page,
            HistoryKind::Trx => parse_trx_page,
        };
        let since_ms = query.since.map(|t| t.timestamp_millis());
        if let Some(since) = since_ms {
            base_params.push(("start_timestamp", since.to_string()));
        }
        let url = self.url(path);
        let limit = self.page_size;

        let mut window_end = query.until.map(|t| t.timestamp_millis());
        let mut start = 0u32;
        let mut window_oldest: Option<i64> = None;
        let mut pages = 0u32;
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        loop {
            if pages >= self.max_pages {
                return Err(TronScanError::TooManyPages {
                    what: what.to_string(),
                    limit: self.max_pages,
                });
            }
            let mut params = base_params.clone();
            params.push(("start", start.to_string()));
            params.push(("limit", limit.to_string()));
            if let Some(end) = window_end {
                params.push(("end_timestamp", end.to_string()));
            }
            let body = self.http.get(&url, &params).await?;
            pages += 1;
            let entries = parse(&body)?;
            let count = entries.len();
            let page_newest = entries.iter().filter_map(|e| e.timestamp_ms).max();
            for entry in entries {
                if let Some(ts) = entry.timestamp_ms {
                    window_oldest = Some(window_oldest.map_or(ts, |o| o.min(ts)));
                }
                let Some(transfer) = entry.item.and_then(|raw| accept(raw, query, &wallet)) else {
                    continue;
                };
                if seen.insert(transfer.dedup_key()) {
                    out.push(transfer);
                }
            }
            if count < limit as usize {
                break;
            }
            // A server that ignores start_timestamp would otherwise walk the whole history.
            if let (Some(since), Some(newest)) = (since_ms, page_newest)
                && newest < since
            {
                break;
            }
            start += limit;
            if start + limit > self.max_offset {
                let Some(oldest) = window_oldest else { break };
                let next_end = oldest.saturating_add(1);
                if window_end.is_some_and(|end| next_end >= end) {
                    return Err(TronScanError::WindowStuck {
                        what: what.to_string(),
                        window: self.max_offset,
                        timestamp_ms: oldest,
                    });
                }
                tracing::debug!(what, next_end, "offset limit reached; narrowing the window");
                window_end = Some(next_end);
                window_oldest = None;
                start = 0;
            }
        }
        out.sort_by(|a, b| (a.time, a.block, &a.hash).cmp(&(b.time, b.block, &b.hash)));
        Ok(out)
    }
}

/// Applies the query's filters and works out the direction; `None` drops the entry.
fn accept(raw: RawTransfer, query: &HistoryQuery, wallet: &str) -> Option<Transfer> {
    if (!raw.confirmed && !query.include_unconfirmed) || (!raw.success && !query.include_failed) {
        return None;
    }
    if query.since.is_some_and(|s| raw.time < s) || query.until.is_some_and(|u| raw.time > u) {
        return None;
    }
    if let HistoryKind::Trc20 {
        contract: Some(contract),
    } = &query.kind
        && raw.transfer.token != Token::trc20(contract.clone())
    {
        return None;
    }
    let t = raw.transfer;
    let direction = match (t.from == wallet, t.to == wallet) {
        (true, true) => Direction::SelfTransfer,
        (false, true) => Direction::In,
        (true, false) => Direction::Out,
        (false, false) => {
            tracing::warn!(
                hash = raw.hash,
                "history entry neither from nor to the wallet"
            );
            return None;
        }
    };
    Some(Transfer {
        hash: raw.hash,
        block: raw.block,
        time: raw.time,
        from: t.from,
        to: t.to,
        token: t.token,
        symbol: t.symbol,
        decimals: t.decimals,
        amount: t.amount,
        direction,
        confirmed: raw.confirmed,
        success: raw.success,
    })
}
