//! The periods a program's live payouts cover: one stream per program. Computing a payout
//! claims its period on the program's stream in the same append as the payout itself, so two
//! payouts of one program over overlapping days cannot both be recorded: the second append
//! conflicts on this stream, and its retry sees the first claim. Cancelling releases it.

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{DomainError, Refusal};

/// Most live claims one program holds (a payout covers at most a year; this is decades).
pub const MAX_CLAIMS: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    pub payout_id: Uuid,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Claim {
    fn overlaps(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.from <= to && from <= self.to
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PayoutScopeEvent {
    Claimed(Claim),
    Released { payout_id: Uuid },
}

impl DomainEvent for PayoutScopeEvent {
    fn event_type(&self) -> String {
        match self {
            Self::Claimed(_) => "Claimed".into(),
            Self::Released { .. } => "Released".into(),
        }
    }
    fn event_version(&self) -> String {
        "1.0".into()
    }
}

#[derive(Debug, Clone)]
pub enum PayoutScopeCommand {
    /// Payout `payout_id` covers `from..=to` (both included).
    Claim(Claim),
    /// Payout `payout_id` was cancelled: its days are free again. Releasing a payout that holds
    /// no claim (one computed before claims existed) changes nothing.
    Release { payout_id: Uuid },
}

/// One program's live claims, in the order they were made.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PayoutScope {
    pub claims: Vec<Claim>,
}

impl PayoutScope {
    /// Another payout's live claim that overlaps `from..=to`, if any.
    pub fn overlapping(&self, payout_id: Uuid, from: NaiveDate, to: NaiveDate) -> Option<Uuid> {
        self.claims
            .iter()
            .find(|c| c.payout_id != payout_id && c.overlaps(from, to))
            .map(|c| c.payout_id)
    }

    fn holds(&self, payout_id: Uuid) -> bool {
        self.claims.iter().any(|c| c.payout_id == payout_id)
    }
}

impl Aggregate for PayoutScope {
    const TYPE: &'static str = "payout_scope";
    type Command = PayoutScopeCommand;
    type Event = PayoutScopeEvent;
    type Error = DomainError;
    type Services = ();

    async fn handle(
        &mut self,
        command: PayoutScopeCommand,
        _: &(),
        sink: &EventSink<Self>,
    ) -> Result<(), DomainError> {
        let event = match command {
            PayoutScopeCommand::Claim(claim) => {
                if claim.to < claim.from {
                    return Err(DomainError::invalid("to", "ends before it starts"));
                }
                if let Some(other) = self.overlapping(claim.payout_id, claim.from, claim.to) {
                    return Err(Refusal::PayoutOverlap(other).into());
                }
                if self.holds(claim.payout_id) {
                    return Err(DomainError::AlreadyExists {
                        entity: "payout",
                        id: claim.payout_id.to_string(),
                    });
                }
                if self.claims.len() >= MAX_CLAIMS {
                    return Err(DomainError::invalid(
                        "program_id",
                        format!("a program holds at most {MAX_CLAIMS} live payouts"),
                    ));
                }
                PayoutScopeEvent::Claimed(claim)
            }
            PayoutScopeCommand::Release { payout_id } => {
                if !self.holds(payout_id) {
                    return Ok(());
                }
                PayoutScopeEvent::Released { payout_id }
            }
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: PayoutScopeEvent) {
        match event {
            PayoutScopeEvent::Claimed(claim) => {
                assert!(
                    claim.from <= claim.to,
                    "payout_scope/Claimed: a period that ends before it starts"
                );
                assert!(
                    self.overlapping(claim.payout_id, claim.from, claim.to)
                        .is_none()
                        && !self.holds(claim.payout_id),
                    "payout_scope/Claimed: payout {} overlaps a live claim",
                    claim.payout_id
                );
                self.claims.push(claim);
            }
            PayoutScopeEvent::Released { payout_id } => {
                let before = self.claims.len();
                self.claims.retain(|c| c.payout_id != payout_id);
                assert_eq!(
                    self.claims.len() + 1,
                    before,
                    "payout_scope/Released: payout {payout_id} held no claim"
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::{decide, replay};
    use futures::executor::block_on;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 10, d).unwrap()
    }

    fn claim(id: u128, from: u32, to: u32) -> PayoutScopeCommand {
        PayoutScopeCommand::Claim(Claim {
            payout_id: Uuid::from_u128(id),
            from: day(from),
            to: day(to),
        })
    }

    fn run(
        s: &mut PayoutScope,
        c: PayoutScopeCommand,
    ) -> Result<Vec<PayoutScopeEvent>, DomainError> {
        block_on(decide(s, c, &()))
    }

    #[test]
    fn overlapping_claims_are_refused_and_released_days_are_free_again() {
        let mut s = PayoutScope::default();
        let mut log = run(&mut s, claim(1, 1, 10)).unwrap();
        for (from, to) in [(10, 12), (5, 6), (1, 31)] {
            let e = run(&mut s, claim(2, from, to)).unwrap_err();
            assert_eq!(e.code(), "payout_overlap", "{from}..{to}");
        }
        log.extend(run(&mut s, claim(2, 11, 20)).unwrap());
        log.extend(
            run(
                &mut s,
                PayoutScopeCommand::Release {
                    payout_id: Uuid::from_u128(1),
                },
            )
            .unwrap(),
        );
        log.extend(run(&mut s, claim(3, 1, 10)).unwrap());
        assert!(
            run(
                &mut s,
                PayoutScopeCommand::Release {
                    payout_id: Uuid::from_u128(9)
                }
            )
            .unwrap()
            .is_empty()
        );
        assert_eq!(replay::<PayoutScope>(log), s);
        assert_eq!(s.claims.len(), 2);
    }

    #[test]
    #[should_panic(expected = "payout_scope/Claimed")]
    fn a_log_with_overlapping_claims_does_not_load() {
        let c = |id| {
            PayoutScopeEvent::Claimed(Claim {
                payout_id: Uuid::from_u128(id),
                from: day(1),
                to: day(5),
            })
        };
        replay::<PayoutScope>([c(1), c(2)]);
    }

    #[test]
    #[should_panic(expected = "payout_scope/Released")]
    fn releasing_what_was_never_claimed_does_not_load() {
        replay::<PayoutScope>([PayoutScopeEvent::Released {
            payout_id: Uuid::from_u128(1),
        }]);
    }
}
