//! Which invoice a posted transaction settles: one stream per transaction. Applying an
//! existing transaction to an invoice writes to this stream in the same append as the invoice's
//! payment, so two requests applying one transaction to two invoices at once cannot both
//! succeed: the second append conflicts on this stream.

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{DomainError, Refusal};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaymentApplicationEvent {
    Applied { invoice_id: Uuid },
}

impl DomainEvent for PaymentApplicationEvent {
    fn event_type(&self) -> String {
        match self {
            Self::Applied { .. } => "Applied".into(),
        }
    }
    fn event_version(&self) -> String {
        "1.0".into()
    }
}

#[derive(Debug, Clone)]
pub enum PaymentApplicationCommand {
    /// Transaction `transaction_id` settles invoice `invoice_id`. Applying it again to the
    /// same invoice changes nothing here (the invoice itself refuses a second payment).
    Apply {
        transaction_id: Uuid,
        invoice_id: Uuid,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PaymentApplication {
    pub invoice_id: Option<Uuid>,
}

impl Aggregate for PaymentApplication {
    const TYPE: &'static str = "payment_application";
    type Command = PaymentApplicationCommand;
    type Event = PaymentApplicationEvent;
    type Error = DomainError;
    type Services = ();

    async fn handle(
        &mut self,
        command: PaymentApplicationCommand,
        _: &(),
        sink: &EventSink<Self>,
    ) -> Result<(), DomainError> {
        let PaymentApplicationCommand::Apply {
            transaction_id,
            invoice_id,
        } = command;
        match self.invoice_id {
            Some(other) if other == invoice_id => Ok(()),
            Some(other) => Err(Refusal::AppliedElsewhere {
                transaction_id,
                invoice_id: other,
            }
            .into()),
            None => {
                sink.write(PaymentApplicationEvent::Applied { invoice_id }, self)
                    .await;
                Ok(())
            }
        }
    }

    fn apply(&mut self, event: PaymentApplicationEvent) {
        match event {
            PaymentApplicationEvent::Applied { invoice_id } => {
                assert!(
                    self.invoice_id.is_none(),
                    "payment_application/Applied: the transaction already settles invoice {:?}",
                    self.invoice_id
                );
                self.invoice_id = Some(invoice_id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::{decide, replay};
    use futures::executor::block_on;

    fn apply(
        s: &mut PaymentApplication,
        invoice: u128,
    ) -> Result<Vec<PaymentApplicationEvent>, DomainError> {
        let command = PaymentApplicationCommand::Apply {
            transaction_id: Uuid::from_u128(7),
            invoice_id: Uuid::from_u128(invoice),
        };
        block_on(decide(s, command, &()))
    }

    #[test]
    fn a_transaction_settles_one_invoice() {
        let mut s = PaymentApplication::default();
        let log = apply(&mut s, 1).unwrap();
        assert!(apply(&mut s, 1).unwrap().is_empty());
        let e = apply(&mut s, 2).unwrap_err();
        assert_eq!(e.code(), "already_applied");
        assert_eq!(
            e.to_string(),
            format!(
                "transaction {} is already applied to invoice {}",
                Uuid::from_u128(7),
                Uuid::from_u128(1)
            )
        );
        assert_eq!(replay::<PaymentApplication>(log), s);
    }

    #[test]
    #[should_panic(expected = "payment_application/Applied")]
    fn a_log_applying_one_transaction_twice_does_not_load() {
        let applied = |i| PaymentApplicationEvent::Applied {
            invoice_id: Uuid::from_u128(i),
        };
        replay::<PaymentApplication>([applied(1), applied(2)]);
    }
}
