//! A Tron wallet's sync state (one stream per crypto_wallet account): how far its history has
//! been read and the transfers found there that the books do not know yet. A found transfer is
//! only offered: it waits as a pending item until the user posts it (with the accounts they
//! choose) or dismisses it. Nothing is posted by a sync.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::crypto::{CryptoToken, TOKEN_SCALE};
use crate::error::{DomainError, Refusal};
use crate::tron;

pub mod posting;

/// Most new items one sync may record; a longer history is synced in several steps (the cursor
/// moves only as far as the recorded items).
pub const MAX_ITEMS_PER_SYNC: usize = 2_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TransferDirection {
    In,
    Out,
    /// From the wallet to itself: only the fee changes the balance.
    SelfTransfer,
}

impl TransferDirection {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::In => "in",
            Self::Out => "out",
            Self::SelfTransfer => "self_transfer",
        }
    }
}

/// One transfer of the wallet's history as the explorer listed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalletTransfer {
    pub tx_hash: String,
    pub token: CryptoToken,
    pub from: String,
    pub to: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    pub direction: TransferDirection,
    pub block: u64,
    pub time: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Pending,
    Posted,
    Dismissed,
}

impl ItemStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Posted => "posted",
            Self::Dismissed => "dismissed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TronWalletEvent {
    /// A sync read the history up to `cursor` (the newest transfer time seen) and found `found`.
    Synced {
        synced_at: DateTime<Utc>,
        address: String,
        cursor: Option<DateTime<Utc>>,
        found: Vec<WalletTransfer>,
    },
    ItemPosted {
        tx_hash: String,
        transaction_id: Uuid,
    },
    ItemDismissed {
        tx_hash: String,
    },
}

impl DomainEvent for TronWalletEvent {
    fn event_type(&self) -> String {
        match self {
            Self::Synced { .. } => "Synced".into(),
            Self::ItemPosted { .. } => "ItemPosted".into(),
            Self::ItemDismissed { .. } => "ItemDismissed".into(),
        }
    }
    fn event_version(&self) -> String {
        "1.0".into()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TronWalletCommand {
    /// `fetched` is the history since the cursor (oldest first); `known_hashes` are the tx
    /// hashes already on a posting.
    RecordSync {
        synced_at: DateTime<Utc>,
        address: String,
        fetched: Vec<WalletTransfer>,
        known_hashes: HashSet<String>,
    },
    MarkPosted {
        tx_hash: String,
        transaction_id: Uuid,
    },
    Dismiss {
        tx_hash: String,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TronWallet {
    pub address: Option<String>,
    pub cursor: Option<DateTime<Utc>>,
    pub last_synced_at: Option<DateTime<Utc>>,
    pub items: BTreeMap<String, (WalletTransfer, ItemStatus)>,
}

impl TronWallet {
    pub fn item(&self, tx_hash: &str) -> Result<&(WalletTransfer, ItemStatus), DomainError> {
        self.items
            .get(tx_hash)
            .ok_or_else(|| DomainError::NotFound {
                entity: "pending item",
                id: tx_hash.to_string(),
            })
    }

    fn pending(&self, tx_hash: &str) -> Result<(), DomainError> {
        match self.item(tx_hash)?.1 {
            ItemStatus::Pending => Ok(()),
            other => Err(Refusal::ItemSettled {
                tx_hash: tx_hash.to_string(),
                status: other.as_str(),
            }
            .into()),
        }
    }
}

impl TronWallet {
    /// Moves a pending item to `status`; `event` presumes it is pending.
    fn settle(&mut self, tx_hash: &str, status: ItemStatus, event: &str) {
        let item = self.items.get_mut(tx_hash);
        assert!(
            item.as_ref().is_some_and(|i| i.1 == ItemStatus::Pending),
            "tron_wallet: {event} applies only to a pending item ({tx_hash})"
        );
        if let Some(item) = item {
            item.1 = status;
        }
    }
}

/// Checks one listed transfer: the explorer is outside input too.
fn check_transfer(wallet: &str, t: &WalletTransfer) -> Result<(), DomainError> {
    tron::check_tx_hash(&t.tx_hash)?;
    tron::validate_address("from", &t.from)?;
    tron::validate_address("to", &t.to)?;
    if t.amount <= Decimal::ZERO || t.amount.normalize().scale() > TOKEN_SCALE {
        return Err(DomainError::invalid(
            "amount",
            format!(
                "{} {}: not a positive amount at scale {TOKEN_SCALE}",
                t.tx_hash, t.amount
            ),
        ));
    }
    let expected = match (t.from == wallet, t.to == wallet) {
        (true, true) => TransferDirection::SelfTransfer,
        (false, true) => TransferDirection::In,
        (true, false) => TransferDirection::Out,
        (false, false) => {
            return Err(DomainError::invalid(
                "transfers",
                format!("{} is neither from nor to the wallet", t.tx_hash),
            ));
        }
    };
    if expected != t.direction {
        return Err(DomainError::invalid(
            "transfers",
            format!("{}: direction does not match the addresses", t.tx_hash),
        ));
    }
    Ok(())
}

fn record_sync(
    state: &TronWallet,
    synced_at: DateTime<Utc>,
    address: String,
    fetched: Vec<WalletTransfer>,
    known_hashes: &HashSet<String>,
) -> Result<Option<TronWalletEvent>, DomainError> {
    let address = tron::validate_address("tron_address", &address)?;
    let mut cursor = state.cursor;
    let mut found: Vec<WalletTransfer> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for t in fetched {
        check_transfer(&address, &t)?;
        if found.len() == MAX_ITEMS_PER_SYNC {
            // The cursor stays at the last recorded transfer; the next sync continues there.
            break;
        }
        cursor = Some(cursor.map_or(t.time, |c| c.max(t.time)));
        // One item per transaction: a second transfer of the same hash is the same payment
        // seen again (overlapping pages or windows).
        if state.items.contains_key(&t.tx_hash)
            || known_hashes.contains(&t.tx_hash)
            || !seen.insert(t.tx_hash.clone())
        {
            continue;
        }
        found.push(t);
    }
    if found.is_empty() && cursor == state.cursor && state.address.as_deref() == Some(&address) {
        return Ok(None);
    }
    Ok(Some(TronWalletEvent::Synced {
        synced_at,
        address,
        cursor,
        found,
    }))
}

impl Aggregate for TronWallet {
    const TYPE: &'static str = "tron_wallet";
    type Command = TronWalletCommand;
    type Event = TronWalletEvent;
    type Error = DomainError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _: &(),
        sink: &EventSink<Self>,
    ) -> Result<(), DomainError> {
        let event = match command {
            TronWalletCommand::RecordSync {
                synced_at,
                address,
                fetched,
                known_hashes,
            } => match record_sync(self, synced_at, address, fetched, &known_hashes)? {
                Some(e) => e,
                None => return Ok(()),
            },
            TronWalletCommand::MarkPosted {
                tx_hash,
                transaction_id,
            } => {
                self.pending(&tx_hash)?;
                TronWalletEvent::ItemPosted {
                    tx_hash,
                    transaction_id,
                }
            }
            TronWalletCommand::Dismiss { tx_hash } => {
                self.pending(&tx_hash)?;
                TronWalletEvent::ItemDismissed { tx_hash }
            }
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            TronWalletEvent::Synced {
                synced_at,
                address,
                cursor,
                found,
            } => {
                self.address = Some(address);
                self.cursor = cursor;
                self.last_synced_at = Some(synced_at);
                for t in found {
                    let hash = t.tx_hash.clone();
                    let earlier = self.items.insert(hash, (t, ItemStatus::Pending));
                    assert!(
                        earlier.is_none(),
                        "tron_wallet: Synced finds only transfers that are not items yet"
                    );
                }
            }
            TronWalletEvent::ItemPosted { tx_hash, .. } => {
                self.settle(&tx_hash, ItemStatus::Posted, "ItemPosted");
            }
            TronWalletEvent::ItemDismissed { tx_hash } => {
                self.settle(&tx_hash, ItemStatus::Dismissed, "ItemDismissed");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::decide;
    use chrono::TimeZone;
    use proptest::prelude::*;

    const WALLET: &str = "THXnVfYBJdhehBoWGWi4vavFNWKAUhk8Nj";
    const PAYER: &str = "TBYMg4pzqUVKeBDFcaUfUc61PGY8mTjfE8";

    fn transfer(n: u8, secs: i64) -> WalletTransfer {
        WalletTransfer {
            tx_hash: format!("{:02x}", n).repeat(32),
            token: CryptoToken::Usdt,
            from: PAYER.into(),
            to: WALLET.into(),
            amount: Decimal::new(1_500_000, 6),
            direction: TransferDirection::In,
            block: 1,
            time: Utc.timestamp_opt(1_720_000_000 + secs, 0).unwrap(),
        }
    }

    fn sync(fetched: Vec<WalletTransfer>, known: &[String]) -> TronWalletCommand {
        TronWalletCommand::RecordSync {
            synced_at: Utc::now(),
            address: WALLET.into(),
            fetched,
            known_hashes: known.iter().cloned().collect(),
        }
    }

    fn run(w: &mut TronWallet, c: TronWalletCommand) -> Result<Vec<TronWalletEvent>, DomainError> {
        futures::executor::block_on(decide(w, c, &()))
    }

    #[test]
    fn a_second_sync_of_the_same_history_offers_nothing() {
        let mut w = TronWallet::default();
        let history = vec![transfer(1, 0), transfer(2, 10)];
        let first = run(&mut w, sync(history.clone(), &[])).unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(w.items.len(), 2);
        assert!(run(&mut w, sync(history, &[])).unwrap().is_empty());
    }

    #[test]
    fn known_hashes_are_not_offered() {
        let mut w = TronWallet::default();
        let t = transfer(1, 0);
        run(
            &mut w,
            sync(vec![t.clone()], std::slice::from_ref(&t.tx_hash)),
        )
        .unwrap();
        assert!(w.items.is_empty());
        assert_eq!(w.cursor, Some(t.time));
    }

    #[test]
    fn items_are_posted_or_dismissed_once() {
        let mut w = TronWallet::default();
        let t = transfer(1, 0);
        run(&mut w, sync(vec![t.clone()], &[])).unwrap();
        run(
            &mut w,
            TronWalletCommand::MarkPosted {
                tx_hash: t.tx_hash.clone(),
                transaction_id: Uuid::nil(),
            },
        )
        .unwrap();
        assert!(
            run(
                &mut w,
                TronWalletCommand::Dismiss {
                    tx_hash: t.tx_hash.clone()
                }
            )
            .is_err()
        );
        assert!(
            run(
                &mut w,
                TronWalletCommand::Dismiss {
                    tx_hash: "ff".repeat(32)
                }
            )
            .is_err()
        );
    }

    #[test]
    fn a_transfer_not_of_the_wallet_is_refused() {
        let mut w = TronWallet::default();
        let mut t = transfer(1, 0);
        t.to = "TYgxPujNVp45tzUWTyaQqZ2wpJdjcx5xfK".into();
        assert!(run(&mut w, sync(vec![t], &[])).is_err());
        let mut t = transfer(1, 0);
        t.direction = TransferDirection::Out;
        assert!(run(&mut w, sync(vec![t], &[])).is_err());
    }

    proptest! {
        /// However the history is split into syncs and repeated, every transaction is offered
        /// exactly once and the cursor never moves back.
        #[test]
        fn each_hash_is_offered_once(
            times in proptest::collection::vec(0i64..1_000, 1..40),
            cuts in proptest::collection::vec(0usize..40, 0..5),
        ) {
            let history: Vec<WalletTransfer> = times
                .iter()
                .enumerate()
                .map(|(i, s)| transfer((i % 200) as u8, *s))
                .collect();
            let mut w = TronWallet::default();
            let mut offered = 0usize;
            let mut last_cursor = None;
            let mut start = 0usize;
            for cut in cuts.iter().chain(std::iter::once(&history.len())) {
                let end = (*cut).clamp(start, history.len());
                for e in run(&mut w, sync(history[..end].to_vec(), &[])).unwrap() {
                    if let TronWalletEvent::Synced { found, cursor, .. } = e {
                        offered += found.len();
                        prop_assert!(cursor >= last_cursor);
                        last_cursor = cursor;
                    }
                }
                start = end;
            }
            let distinct: HashSet<&String> = history.iter().map(|t| &t.tx_hash).collect();
            prop_assert_eq!(offered, distinct.len());
        }
    }
}
