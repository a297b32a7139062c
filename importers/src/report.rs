//! Traffic report files: Moloco spend, tracker results and conversion logs (Keitaro, Binom,
//! Voluum, RedTrack), and any CSV through a caller-given column mapping.
//!
//! Files stream: [`open`] reads the header and a bounded look-ahead of rows, then the
//! [`ReportReader`] yields one item per record or per problem, in file order, holding one row
//! in memory at a time. Nothing here does I/O beyond the `Read` it is given.
//!
//! ```
//! use importers::report::{open, Options, Record};
//! use chrono::NaiveDate;
//!
//! let csv = "Date,App_ID,Campaign_ID,Campaign_Title,Campaign_Country,Spend,Impressions,Clicks,Installs\n\
//!            2024-05-31,app,c1,Summer,USA,12.50,1000,10,2\n";
//! let mut options = Options::new(NaiveDate::from_ymd_opt(2024, 6, 1).unwrap());
//! options.default_currency = Some(domain::Currency::parse("USD").unwrap());
//! let reader = open(csv.as_bytes(), &options).unwrap();
//! for item in reader {
//!     let parsed = item.unwrap();
//!     let Record::Spend(row) = parsed.record else { panic!() };
//!     assert_eq!(row.country.unwrap().code(), "US");
//! }
//! ```
//!
//! Rows are validated one by one; a bad row yields [`RowError`]s (line, column, raw value,
//! reason) and reading goes on: the caller decides when to give up. Problems with the file as
//! a whole are a [`FileError`] from [`open`]. Totals rows and blank lines are skipped on
//! purpose and counted in [`Stats`].

mod columns;
mod country;
mod date;
mod error;
mod formats;
mod mapping;
mod number;
mod reader;
mod record;
mod source;

pub use columns::Field;
pub use country::{Country, UnknownCountry};
pub use date::DateOrder;
pub use error::{FileError, RowError};
pub use formats::{Format, Kind, detect};
pub use mapping::ColumnMapping;
pub use number::{DecimalSeparator, MAX_SCALE};
pub use reader::{MAX_COLUMNS, MAX_TEXT_CHARS, Options, ReportReader, Stats, open};
pub use record::{ConversionRow, ConversionStatus, Parsed, Record, ResultRow, SpendRow};
pub use source::{MAX_FIELDS, MAX_RECORD_BYTES};
