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
//!
//! # Conventions the reader settles
//! - **Encoding**: UTF-8 with or without BOM, UTF-16 LE/BE with BOM (Excel "Unicode text"),
//!   and UTF-16 without BOM when every other byte is zero. Invalid UTF-8 in a cell is that
//!   row's error; in the header it is [`FileError::Undecodable`].
//! - **Delimiter**: the one of tab, `;`, `,`, `|` that splits the header line most (outside
//!   quotes), or Excel's `sep=` first line, or [`Options::delimiter`].
//! - **Columns** are matched by name (case, spaces and punctuation ignored, aliases per kind),
//!   never by position. A currency in a money column's header ("Spend (EUR)") sets the file's
//!   currency; otherwise a currency column, otherwise [`Options::default_currency`].
//! - **Numbers**: spaces and apostrophes group thousands; with both `.` and `,` the last one
//!   is decimal; one that repeats groups thousands; a single one is decimal unless followed by
//!   exactly three digits ("1,234"), which in a count column groups thousands and in a money
//!   column follows the file's decimal separator. That separator comes from the unambiguous
//!   values among the first 1000 rows (majority), else from the delimiter (`;` → comma,
//!   otherwise dot), unless the options or mapping force it. `$ € ₽ £ USD …`, `%`, signs and
//!   accounting parentheses are stripped; a currency sign that contradicts the row's currency
//!   is an error. Empty, `-`, `n/a` mean zero. Counts are whole and non-negative; amounts keep
//!   their digits (at most 10 decimal places) and stay below 1e15; spend and cost cannot be
//!   negative, revenue and payouts can (chargebacks).
//! - **Dates**: ISO, `DD.MM.YYYY`, `YYYYMMDD`, slash and dash dates, date-times with `T` or a
//!   space, with or without seconds and zone, Unix seconds and milliseconds, Excel serial days.
//!   Year-last slash dates take the order proven by the first rows (a part above 12), else
//!   day first, unless [`Options::date_order`] says otherwise. Report dates must lie between
//!   2000-01-01 and [`Options::today`]; moments may be up to a day ahead (time zones). Times
//!   without a zone are read in [`Options::assumed_offset`].
//! - **Totals**: a row whose first non-empty cell is Total(s), Summary, Итого, Всего…, or a row
//!   without campaign and date whose filled-in figures equal the sums of the rows so far.
//! - **Statuses**: see [`ConversionStatus::parse`]; an empty status is pending, and a log
//!   without a status column (Voluum) lists approved conversions.
//! - **Limits**: 512 header columns, 4096 fields and 1 MiB per row (a longer row is nearly
//!   always an unclosed quote, and stops reading), 512 characters per text value.

mod columns;
mod country;
mod date;
mod error;
mod formats;
mod header;
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
