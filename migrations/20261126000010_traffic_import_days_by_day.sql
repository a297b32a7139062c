-- The read side's daily traffic rollup is now a view: each day's rows are the day sums of the
-- import that holds the day (`read.traffic_effective`), looked up by import and day, instead of
-- a copy of them the projector had to write. Imports applied before imports wrote their own day
-- sums (migration 9) get them here, summed from their facts, so every applied import has them.
INSERT INTO traffic_import_days (import_id, date, campaign_key, currency, impressions, clicks,
    installs, tracker_clicks, conversions, spend, revenue, rows)
SELECT f.import_id, f.date, f.campaign_key, f.currency, sum(f.impressions)::bigint,
       sum(f.clicks)::bigint, sum(f.installs)::bigint, sum(f.tracker_clicks)::bigint,
       sum(f.conversions)::bigint, sum(f.spend), sum(f.revenue), count(*)
FROM traffic_facts f
WHERE NOT EXISTS (SELECT 1 FROM traffic_import_days d WHERE d.import_id = f.import_id)
GROUP BY f.import_id, f.date, f.campaign_key, f.currency;

CREATE INDEX traffic_import_days_import_date ON traffic_import_days (import_id, date, campaign_key);
DROP INDEX traffic_import_days_import;
