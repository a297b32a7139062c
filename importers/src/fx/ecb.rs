//! The European Central Bank's euro reference rates (EUR base, published on TARGET business
//! days around 16:00 CET).

use std::time::Duration;

use async_trait::async_trait;
use chrono::{Days, NaiveDate, Utc};
use reqwest::header::HeaderMap;

use super::ecb_xml::{ECB, EcbRates, parse_eurofxref};
use super::error::FxError;
use super::rate::{Rate, RateSource, check_range};
use crate::tronscan::http::{HttpClient, HttpConfig, join_url};

pub const DEFAULT_ECB_BASE_URL: &str = "https://www.ecb.europa.eu/stats/eurofxref/";

/// The three files the ECB publishes; smaller files are preferred when they cover the range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EcbFile {
    /// The latest publication day only.
    Daily,
    /// About the last 90 calendar days.
    Last90Days,
    /// Everything since 1999 (several megabytes).
    Full,
}

/// A range starting within this many days of today is served from the 90-day file. Less than
/// 90, because the file's window moves only on publication days and "today" is UTC while the
/// ECB's is CET.
const NINETY_DAY_FILE_REACH: u64 = 85;

impl EcbFile {
    pub fn file_name(self) -> &'static str {
        match self {
            EcbFile::Daily => "eurofxref-daily.xml",
            EcbFile::Last90Days => "eurofxref-hist-90d.xml",
            EcbFile::Full => "eurofxref-hist.xml",
        }
    }

    /// The smallest file that holds every day of a range starting at `from`. The daily file
    /// serves only a range starting today: it holds one day, which may even be yesterday.
    pub fn for_range(from: NaiveDate, today: NaiveDate) -> Self {
        if from >= today {
            EcbFile::Daily
        } else if today
            .checked_sub_days(Days::new(NINETY_DAY_FILE_REACH))
            .is_none_or(|edge| from >= edge)
        {
            EcbFile::Last90Days
        } else {
            EcbFile::Full
        }
    }
}

#[derive(Clone, Debug)]
pub struct EcbConfig {
    pub base_url: String,
    pub http: HttpConfig,
}

impl Default for EcbConfig {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_ECB_BASE_URL.to_string(),
            http: HttpConfig {
                // The full history is about 7 MB of XML.
                max_body_bytes: 64 * 1024 * 1024,
                timeout: Duration::from_secs(60),
                min_interval: Duration::from_secs(1),
                ..HttpConfig::default()
            },
        }
    }
}

#[derive(Debug)]
pub struct Ecb {
    base_url: String,
    http: HttpClient,
}

impl Ecb {
    pub fn new(config: EcbConfig) -> Result<Self, FxError> {
        Ok(Self {
            base_url: config.base_url,
            http: HttpClient::new("ecb", config.http, HeaderMap::new())?,
        })
    }

    /// Every rate in one file.
    pub async fn fetch_file(&self, file: EcbFile) -> Result<EcbRates, FxError> {
        let body = self
            .http
            .get(&join_url(&self.base_url, file.file_name()), &[])
            .await?;
        let parsed = parse_eurofxref(&body)?;
        if !parsed.skipped.is_empty() {
            tracing::debug!(
                file = file.file_name(),
                skipped = ?parsed.skipped,
                "ECB rates for currencies the books do not know were skipped"
            );
        }
        Ok(parsed)
    }

    /// The rates for `from..=to`, read from the smallest file that covers the range as seen
    /// from `today` (a parameter so that the choice is testable).
    pub async fn rates_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        today: NaiveDate,
    ) -> Result<EcbRates, FxError> {
        check_range(from, to)?;
        let mut parsed = self.fetch_file(EcbFile::for_range(from, today)).await?;
        parsed.rates.retain(|r| r.date >= from && r.date <= to);
        Ok(parsed)
    }
}

#[async_trait]
impl RateSource for Ecb {
    fn name(&self) -> &str {
        ECB
    }

    async fn rates(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<Rate>, FxError> {
        let today = Utc::now().date_naive();
        Ok(self.rates_between(from, to, today).await?.rates)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_smallest_covering_file_is_chosen() {
        let today = d(2024, 7, 4);
        assert_eq!(EcbFile::for_range(today, today), EcbFile::Daily);
        assert_eq!(
            EcbFile::for_range(d(2024, 7, 3), today),
            EcbFile::Last90Days
        );
        assert_eq!(
            EcbFile::for_range(d(2024, 4, 10), today),
            EcbFile::Last90Days
        );
        assert_eq!(EcbFile::for_range(d(2024, 4, 9), today), EcbFile::Full);
        assert_eq!(EcbFile::for_range(d(2019, 1, 1), today), EcbFile::Full);
    }
}
