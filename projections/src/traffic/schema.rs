//! The traffic tables: which import holds each day of each scope, each conversion's latest
//! status, the campaigns' report keys, and the rollups metric queries read (`traffic_daily` is
//! a view over the imports' own day sums).

/// The nil uuid in SQL: the source of tracker rows, the campaign of keys no campaign claims.
pub(crate) const NIL: &str = "'00000000-0000-0000-0000-000000000000'::uuid";

/// The traffic tables with the columns that order their rows uniquely.
pub const TABLES: &[(&str, &str)] = &[
    ("campaign_keys", "source_id, key, campaign_id"),
    ("traffic_effective", "scope, date"),
    ("conversions", "tracker, conversion_id"),
    ("traffic_daily", "scope, date, campaign_key, currency"),
    ("traffic_monthly", "scope, month, campaign_key, currency"),
    ("traffic_source_daily", "source_id, date, currency"),
    ("traffic_currencies", "month, currency"),
    ("traffic_campaign_monthly", "month, campaign_id, currency"),
];

pub const DDL: &str = r#"
-- Each campaign's report keys: (source, key) for spend reports, (nil, key) for trackers.
CREATE TABLE {s}.campaign_keys (
    source_id   uuid        NOT NULL,
    key         text        NOT NULL,
    campaign_id uuid        NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (source_id, key, campaign_id)
);
CREATE INDEX ON {s}.campaign_keys (campaign_id);
-- Which applied import holds each day of each scope (a restatement takes the days over).
CREATE TABLE {s}.traffic_effective (
    scope     text NOT NULL,
    date      date NOT NULL,
    import_id uuid NOT NULL,
    source_id uuid NOT NULL,
    PRIMARY KEY (scope, date)
);
CREATE INDEX ON {s}.traffic_effective (import_id);
-- Date ranges over every scope (the daily view's scans), and one source's days.
CREATE INDEX ON {s}.traffic_effective (date);
CREATE INDEX ON {s}.traffic_effective (source_id, date);
-- Each conversion's latest status, from the conversion logs in log order.
CREATE TABLE {s}.conversions (
    tracker         text        NOT NULL,
    conversion_id   text        NOT NULL,
    click_id        text,
    campaign_key    text,
    offer           text,
    status          text        NOT NULL,
    original_status text,
    payout          numeric     NOT NULL,
    currency        text        NOT NULL,
    converted_at    timestamptz NOT NULL,
    country         text,
    import_id       uuid        NOT NULL,
    status_changes  integer     NOT NULL,
    PRIMARY KEY (tracker, conversion_id)
);
CREATE INDEX ON {s}.conversions (converted_at);
-- Traffic facts summed per day and campaign key (over countries, OS, creatives), from the
-- effective import of each day: that import's own day sums, so applying an import writes no
-- copy of them. `source_id` is the spend report's source (nil for trackers): with the key it
-- finds the campaign, at query time, so mapping a key later needs no rewrite.
CREATE VIEW {s}.traffic_daily AS
SELECT e.scope, d.date, d.campaign_key, d.currency, e.source_id, d.import_id, d.impressions,
       d.clicks, d.installs, d.tracker_clicks, d.conversions, d.spend, d.revenue, d.rows
FROM {s}.traffic_effective e
JOIN traffic_import_days d ON d.import_id = e.import_id AND d.date = e.date;
-- The same per calendar month: monthly reports over years read this, not the days.
CREATE TABLE {s}.traffic_monthly (
    scope          text    NOT NULL,
    month          date    NOT NULL,
    campaign_key   text    NOT NULL,
    currency       text    NOT NULL,
    source_id      uuid    NOT NULL,
    impressions    bigint  NOT NULL,
    clicks         bigint  NOT NULL,
    installs       bigint  NOT NULL,
    tracker_clicks bigint  NOT NULL,
    conversions    bigint  NOT NULL,
    spend          numeric NOT NULL,
    revenue        numeric NOT NULL,
    rows           bigint  NOT NULL,
    PRIMARY KEY (scope, month, campaign_key, currency)
);
CREATE INDEX ON {s}.traffic_monthly (month);
CREATE INDEX ON {s}.traffic_monthly (source_id, campaign_key, month);
-- Spend summed per source and day: a source's daily totals over years read a row per day.
-- (A spend report's campaigns all belong to its source, so no mapping can move these rows.)
CREATE TABLE {s}.traffic_source_daily (
    source_id      uuid    NOT NULL,
    date           date    NOT NULL,
    currency       text    NOT NULL,
    impressions    bigint  NOT NULL,
    clicks         bigint  NOT NULL,
    installs       bigint  NOT NULL,
    tracker_clicks bigint  NOT NULL,
    conversions    bigint  NOT NULL,
    spend          numeric NOT NULL,
    revenue        numeric NOT NULL,
    PRIMARY KEY (source_id, date, currency)
);
-- The monthly rollup by resolved campaign (the nil campaign: keys no campaign claims), rebuilt
-- for the months an import touches and the months of keys whose campaign changed.
CREATE TABLE {s}.traffic_campaign_monthly (
    month          date    NOT NULL,
    campaign_id    uuid    NOT NULL,
    currency       text    NOT NULL,
    impressions    bigint  NOT NULL,
    clicks         bigint  NOT NULL,
    installs       bigint  NOT NULL,
    tracker_clicks bigint  NOT NULL,
    conversions    bigint  NOT NULL,
    spend          numeric NOT NULL,
    revenue        numeric NOT NULL,
    PRIMARY KEY (month, campaign_id, currency)
);
-- "Top campaigns by spend" over any months reads this index's first rows.
CREATE INDEX ON {s}.traffic_campaign_monthly (spend DESC NULLS LAST);
-- The currencies each month's traffic amounts are in: most queries need no conversion.
CREATE TABLE {s}.traffic_currencies (
    month    date NOT NULL,
    currency text NOT NULL,
    PRIMARY KEY (month, currency)
);
"#;
