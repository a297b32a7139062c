//! Traffic read models: which import holds each day of each scope, each conversion's status,
//! the campaigns' report keys, and the daily and monthly rollups per campaign key that metric
//! queries read. Built from the append-only facts table when the projector meets an applied
//! import. [`schema`] holds the tables, [`apply`] how imports and campaign changes apply to
//! them, [`keys`] and [`metrics`] the queries, [`report`] the metrics answer the API returns.

pub mod apply;
pub mod keys;
pub mod metrics;
pub mod report;
pub mod schema;

pub use apply::{check_import_days, sum_import_days};
pub use keys::{CAMPAIGN_KEYS_CTE, MAX_UNMATCHED, Unmatched, taken_campaign_keys, unmatched};
pub use metrics::{
    Dimension, Granularity, MetricsAnswer, MetricsQuery, MetricsRow, MetricsSort, RateUsed,
    SortDirection, metrics,
};
