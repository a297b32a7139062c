//! Every aggregate type the log may hold, as one exhaustive enum: the projector dispatches on
//! it, so a new aggregate type cannot be forgotten (the match does not compile) and an event of
//! a type this build does not know stops the projector (as a corrupt event does) instead of
//! being passed by.

use domain::entity::EntitySpec;

/// An aggregate type of the log (the `aggregate_type` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggregateType {
    Account,
    Project,
    Category,
    Counterparty,
    TrafficSource,
    Program,
    Offer,
    Campaign,
    Transaction,
    TronWallet,
    Payout,
    /// The periods a program's live payouts claim (a rule's stream; no read model).
    PayoutScope,
    /// The invoice a posted transaction settles (a rule's stream; no read model).
    PaymentApplication,
    Recurring,
    Invoice,
    InvoiceSeries,
    Rate,
    TrafficImport,
    Periods,
    /// Access changes (sign-ins, invitations, tokens, roles): for auditors only, no read model.
    Access,
}

impl AggregateType {
    pub const ALL: [AggregateType; 20] = [
        Self::Account,
        Self::Project,
        Self::Category,
        Self::Counterparty,
        Self::TrafficSource,
        Self::Program,
        Self::Offer,
        Self::Campaign,
        Self::Transaction,
        Self::TronWallet,
        Self::Payout,
        Self::PayoutScope,
        Self::PaymentApplication,
        Self::Recurring,
        Self::Invoice,
        Self::InvoiceSeries,
        Self::Rate,
        Self::TrafficImport,
        Self::Periods,
        Self::Access,
    ];

    /// The name in the log, taken from the domain's aggregates where there is one.
    pub fn as_str(self) -> &'static str {
        use domain::Aggregate;
        match self {
            Self::Account => domain::account::AccountSpec::TYPE,
            Self::Project => domain::project::ProjectSpec::TYPE,
            Self::Category => domain::category::CategorySpec::TYPE,
            Self::Counterparty => domain::counterparty::CounterpartySpec::TYPE,
            Self::TrafficSource => domain::traffic::TrafficSourceSpec::TYPE,
            Self::Program => domain::traffic::ProgramSpec::TYPE,
            Self::Offer => domain::traffic::OfferSpec::TYPE,
            Self::Campaign => domain::traffic::CampaignSpec::TYPE,
            Self::Transaction => domain::transaction::Transaction::TYPE,
            Self::TronWallet => domain::tron_wallet::TronWallet::TYPE,
            Self::Payout => domain::payout::Payout::TYPE,
            Self::PayoutScope => domain::payout_scope::PayoutScope::TYPE,
            Self::PaymentApplication => domain::payment_application::PaymentApplication::TYPE,
            Self::Recurring => domain::recurring_payment::RecurringPayment::TYPE,
            Self::Invoice => domain::invoice::Invoice::TYPE,
            Self::InvoiceSeries => domain::invoice::InvoiceSeries::TYPE,
            Self::Rate => domain::rates::DailyRate::TYPE,
            Self::TrafficImport => domain::traffic_import::TrafficImport::TYPE,
            Self::Periods => domain::period::Periods::TYPE,
            // The auth audit trail: a stream of facts with no aggregate to fold.
            Self::Access => domain::access::AGGREGATE_TYPE,
        }
    }

    /// The type named `name` in the log, if this build knows it.
    pub fn parse(name: &str) -> Option<AggregateType> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_distinct_and_parse_back() {
        for t in AggregateType::ALL {
            assert_eq!(AggregateType::parse(t.as_str()), Some(t), "{t:?}");
        }
        assert_eq!(AggregateType::parse("nothing_here"), None);
        assert_eq!(AggregateType::parse("Account"), None);
    }
}
