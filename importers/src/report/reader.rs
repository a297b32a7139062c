//! The streaming reader: opens a report, settles its conventions from the first rows, and
//! turns each row into a typed record or into errors a person can act on.

use std::collections::{HashSet, VecDeque};
use std::io::Read;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Offset, TimeDelta, Utc};
use domain::Currency;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::columns::{self, Columns, Field, ResolveError};
use super::country::Country;
use super::date::{self, DateOrder, Stamp};
use super::error::{FileError, RowError, truncate};
use super::formats::{self, Format, Kind};
use super::header::{self, HeaderName};
use super::mapping::ColumnMapping;
use super::number::{self, DecimalSeparator, Mark, Role};
use super::record::{ConversionRow, ConversionStatus, Parsed, Record, ResultRow, SpendRow};
use super::source::{RawRecord, Sniffed, Source, Step, delimiter_name};

/// A header may not have more columns than this.
pub const MAX_COLUMNS: usize = 512;
/// Text values (names, ids) longer than this are refused.
pub const MAX_TEXT_CHARS: usize = 512;
/// Rows read ahead in [`open`] to settle the file's decimal separator and date order.
const SAMPLE_ROWS: usize = 1000;
const SAMPLE_BYTES: usize = 8 << 20;

/// First cells that mark a totals row.
const TOTAL_WORDS: &[&str] = &[
    "total",
    "totals",
    "grandtotal",
    "summary",
    "sum",
    "overall",
    "итого",
    "всего",
    "итог",
];

/// How to read a file. Build with [`Options::new`] and set what the caller knows.
#[derive(Clone, Debug)]
pub struct Options {
    /// The file's format; `None` detects it from the header.
    pub format: Option<Format>,
    /// Which column feeds which field. Required for [`Format::Custom`]; with another format
    /// it overrides the built-in names for the fields it maps.
    pub mapping: Option<ColumnMapping>,
    /// The currency of amounts when the file has no currency column (Moloco files never do:
    /// it is the ad account's currency, configured on the traffic source).
    pub default_currency: Option<Currency>,
    /// The report date when the file has no date column.
    pub default_date: Option<NaiveDate>,
    /// The uploaded file's name: a dashboard export without a date column carries its date
    /// there ("moloco_20240531.csv").
    pub file_name: Option<String>,
    /// The caller's today: later dates are refused as being in the future.
    pub today: NaiveDate,
    /// Forces the delimiter instead of sniffing it from the header line.
    pub delimiter: Option<u8>,
    /// How to read year-last slash dates; see [`DateOrder`].
    pub date_order: DateOrder,
    /// Forces the decimal separator instead of deciding it from the file.
    pub decimal_separator: Option<DecimalSeparator>,
    /// The zone of times written without one (trackers write the account's time zone).
    pub assumed_offset: FixedOffset,
}

impl Options {
    pub fn new(today: NaiveDate) -> Self {
        Options {
            format: None,
            mapping: None,
            default_currency: None,
            default_date: None,
            file_name: None,
            today,
            delimiter: None,
            date_order: DateOrder::Auto,
            decimal_separator: None,
            assumed_offset: Utc.fix(),
        }
    }
}

/// What the reader decided about the file and what it has seen so far. Counts are final once
/// `finished` is set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub format: Format,
    pub kind: Kind,
    /// "UTF-8", "UTF-8 (BOM)", "UTF-16LE" or "UTF-16BE".
    pub encoding: String,
    pub delimiter: char,
    pub decimal_separator: DecimalSeparator,
    /// The order used for year-last slash dates (never `Auto`).
    pub date_order: DateOrder,
    pub header_line: u64,
    /// Physical lines in the file (set when finished).
    pub lines: u64,
    /// Data rows seen: not the header, not blank, not totals.
    pub rows: u64,
    /// Rows that became records.
    pub parsed: u64,
    /// Rows that produced at least one error.
    pub rejected: u64,
    /// Errors yielded (a rejected row may have several).
    pub errors: u64,
    /// Totals rows skipped on purpose.
    pub skipped_totals: u64,
    /// Blank lines and rows whose every cell is empty, skipped on purpose.
    pub skipped_blank: u64,
    /// The file has a header and no data rows: not an error, but worth telling the user.
    pub header_only: bool,
    /// The whole file has been read (or reading stopped at a fatal error).
    pub finished: bool,
    /// Reading stopped early at a fatal error.
    pub stopped: bool,
}

impl Stats {
    /// The statistics of a file just opened: what was settled, nothing read yet.
    fn opened(
        (format, kind): (Format, Kind),
        sniffed: &Sniffed,
        (decimal, date_order): (DecimalSeparator, DateOrder),
        line: u64,
        blank_before: u64,
        header_only: bool,
    ) -> Self {
        Stats {
            format,
            kind,
            encoding: sniffed.encoding.into(),
            delimiter: char::from(sniffed.delimiter),
            decimal_separator: decimal,
            date_order,
            header_line: line,
            lines: 0,
            rows: 0,
            parsed: 0,
            rejected: 0,
            errors: 0,
            skipped_totals: 0,
            skipped_blank: blank_before,
            header_only,
            finished: false,
            stopped: false,
        }
    }
}

/// Reads a report row by row. Items are records or row errors, in file order; after a fatal
/// error (see [`RowError::fatal`]) the iterator ends.
pub struct ReportReader<R: Read> {
    source: Source<R>,
    header: Vec<String>,
    rules: Rules,
    sample: VecDeque<Sampled>,
    scratch: RawRecord,
    pending: VecDeque<RowError>,
    row_errors: Vec<RowError>,
    sums: Sums,
    stats: Stats,
    fatal: Option<FileError>,
    last_line: u64,
    delimiter: u8,
    done: bool,
}

enum Sampled {
    Record(RawRecord, u64),
    End(u64),
    Fatal(FileError),
}

/// Opens a report: reads the header and up to the first 1000 rows (to settle the decimal
/// separator and date order), and checks everything that can be checked before any row.
pub fn open<R: Read>(input: R, options: &Options) -> Result<ReportReader<R>, FileError> {
    check_options(options)?;
    let (mut source, sniffed) = Source::open(input, options.delimiter)?;
    let Header {
        cells: header,
        line,
        blank_before,
    } = read_header(&mut source, &sniffed)?;
    let names: Vec<_> = header.iter().map(|h| header::parse_header(h)).collect();
    let keys: HashSet<String> = names.iter().map(|n| n.key.clone()).collect();
    let delimiter = delimiter_name(sniffed.delimiter);
    let hint = delimiter_hint(&header, sniffed.delimiter);

    let (format, kind) = identify(options, &header, &keys, &hint)?;
    let cols = resolve_columns(
        options,
        (&header, line),
        &names,
        (kind, format),
        &delimiter,
        &hint,
    )?;

    let (missing, default_date) = missing_columns(options, &cols, kind, format)?;
    if !missing.is_empty() {
        return Err(FileError::MissingColumns {
            missing,
            seen: header,
            delimiter,
            hint,
        });
    }
    if let Some(d) = default_date {
        check_day(d, options.today).map_err(|reason| FileError::InvalidOptions {
            reason: format!("the report date {reason}"),
        })?;
    }
    let file_currency = file_currency(&cols, options)?;

    // Read ahead: the first rows settle what single values cannot.
    let sample = read_sample(&mut source);
    let decimal = settle_decimal(options, &sample, &cols, kind, sniffed.delimiter);
    let date_order = settle_date_order(options.date_order, &sample, &cols);
    let ended_empty =
        matches!(sample.back(), Some(Sampled::End(_))) && sampled(&sample).all(is_blank_record);

    let stats = Stats::opened(
        (format, kind),
        &sniffed,
        (decimal, date_order),
        line,
        blank_before,
        ended_empty,
    );
    Ok(ReportReader {
        source,
        rules: Rules {
            kind,
            header: header.clone(),
            cols,
            decimal,
            date_order,
            date_format: options.mapping.as_ref().and_then(|m| m.date_format.clone()),
            default_date,
            file_currency,
            today: options.today,
            assumed_offset: options.assumed_offset,
        },
        header,
        sample,
        scratch: RawRecord::default(),
        pending: VecDeque::new(),
        row_errors: Vec::new(),
        sums: Sums::default(),
        stats,
        fatal: None,
        last_line: line,
        delimiter: sniffed.delimiter,
        done: false,
    })
}

/// Refuses options that cannot describe any file: a mapping that contradicts itself, the
/// custom format without one, a delimiter that cannot separate fields.
fn check_options(options: &Options) -> Result<(), FileError> {
    if let Some(m) = &options.mapping {
        m.check()
            .map_err(|reason| FileError::InvalidMapping { reason })?;
    }
    if options.format == Some(Format::Custom) && options.mapping.is_none() {
        return Err(FileError::InvalidOptions {
            reason: "the custom format needs a column mapping".into(),
        });
    }
    if let Some(d) = options.delimiter
        && (d == b'"' || d == b'\n' || d == b'\r' || d.is_ascii_alphanumeric() || !d.is_ascii())
    {
        return Err(FileError::InvalidOptions {
            reason: format!("{} cannot be a delimiter", delimiter_name(d)),
        });
    }
    Ok(())
}

/// The header row as read: its cells (trimmed, BOM removed), its line, and the blank lines
/// skipped before it.
struct Header {
    cells: Vec<String>,
    line: u64,
    blank_before: u64,
}

/// Reads the first record as the header: text, at most [`MAX_COLUMNS`] cells.
fn read_header<R: Read>(source: &mut Source<R>, sniffed: &Sniffed) -> Result<Header, FileError> {
    let mut header_rec = RawRecord::default();
    let blank_before = match source.next_record(&mut header_rec)? {
        Step::End { .. } => return Err(FileError::Empty),
        Step::Record { blank_lines } => blank_lines,
    };
    let line = header_rec.line;
    if header_rec.len() > MAX_COLUMNS {
        return Err(FileError::TooManyColumns {
            line,
            count: header_rec.len(),
            max: MAX_COLUMNS,
        });
    }
    let cells = (0..header_rec.len())
        .map(|i| {
            std::str::from_utf8(header_rec.get(i)).map(|s| {
                s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
                    .to_string()
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| FileError::Undecodable {
            line,
            encoding: sniffed.encoding.trim_end_matches(" (BOM)").into(),
        })?;
    if cells.iter().any(|h| h.contains('\0')) {
        return Err(FileError::NotText {
            what: "binary data".into(),
        });
    }
    Ok(Header {
        cells,
        line,
        blank_before,
    })
}

/// The file's format and kind of rows: as the options or the mapping say, else detected from
/// the header.
fn identify(
    options: &Options,
    header: &[String],
    keys: &HashSet<String>,
    hint: &Option<String>,
) -> Result<(Format, Kind), FileError> {
    Ok(match (options.format, &options.mapping) {
        (None | Some(Format::Custom), Some(m)) => (Format::Custom, m.kind),
        (Some(f), Some(m)) => (f, m.kind),
        (Some(f), None) => (f, formats::kind_of(f, keys)),
        (None, None) => formats::detect(header).ok_or_else(|| FileError::UndetectableFormat {
            seen: header.to_vec(),
            hint: hint.clone().or_else(|| formats::undetected_hint(keys)),
        })?,
    })
}

/// Matches the header to the fields of `kind` (by name, or as the mapping says).
fn resolve_columns(
    options: &Options,
    (header, line): (&[String], u64),
    names: &[HeaderName],
    (kind, format): (Kind, Format),
    delimiter: &str,
    hint: &Option<String>,
) -> Result<Columns, FileError> {
    let mapped = options.mapping.as_ref().map(|m| &m.columns);
    columns::resolve(names, kind, mapped, format != Format::Custom).map_err(|e| match e {
        ResolveError::Duplicate(key) => FileError::DuplicateColumn {
            line,
            name: header
                .iter()
                .zip(names)
                .filter(|(_, n)| n.key == key)
                .map(|(h, _)| h.as_str())
                .collect::<Vec<_>>()
                .join("\" and \""),
        },
        ResolveError::NotInHeader(missing) => FileError::MissingColumns {
            missing,
            seen: header.to_vec(),
            delimiter: delimiter.to_string(),
            hint: hint.clone(),
        },
    })
}

/// The required fields no column feeds (described for a person), and the report date rows
/// without a date column take: the options', else the one the file name holds.
fn missing_columns(
    options: &Options,
    cols: &Columns,
    kind: Kind,
    format: Format,
) -> Result<(Vec<String>, Option<NaiveDate>), FileError> {
    let mut missing: Vec<String> = columns::required(kind)
        .iter()
        .filter(|any| !any.iter().any(|f| cols.has(*f)))
        .map(|any| describe(any, kind, format))
        .collect();
    let mut default_date = None;
    if kind != Kind::Conversions && !cols.has(Field::Date) {
        default_date = options.default_date;
        if default_date.is_none()
            && let Some(name) = &options.file_name
        {
            match date::dates_in_file_name(name).as_slice() {
                [] => {}
                [one] => default_date = Some(*one),
                [first, .., last] => {
                    return Err(FileError::DateRangeInName {
                        first: first.to_string(),
                        last: last.to_string(),
                    });
                }
            }
        }
        if default_date.is_none() {
            missing.push(format!(
                "{} — or give the report date for the import",
                describe(&[Field::Date], kind, format)
            ));
        }
    }
    Ok((missing, default_date))
}

/// The currency of the file's amounts when no currency column names it per row. A currency
/// named in a money column's header ("Spend (EUR)") is more specific than the source's
/// configured currency, so it wins.
fn file_currency(cols: &Columns, options: &Options) -> Result<Option<Currency>, FileError> {
    let mut file_currency: Option<Currency> = None;
    for f in Field::ALL.into_iter().filter(|f| f.is_money()) {
        if let Some(c) = cols.currency[f.index()] {
            match file_currency {
                Some(prev) if prev != c => {
                    return Err(FileError::MixedCurrencies {
                        first: prev.code().into(),
                        second: c.code().into(),
                    });
                }
                _ => file_currency = Some(c),
            }
        }
    }
    let file_currency = file_currency.or(options.default_currency);
    if file_currency.is_none() && !cols.has(Field::Currency) {
        return Err(FileError::MissingCurrency);
    }
    Ok(file_currency)
}

/// Reads up to [`SAMPLE_ROWS`] rows (or [`SAMPLE_BYTES`]) ahead, keeping where the file ended
/// or failed: the reader yields them first.
fn read_sample<R: Read>(source: &mut Source<R>) -> VecDeque<Sampled> {
    let mut sample = VecDeque::new();
    let mut sample_bytes = 0;
    while sample.len() < SAMPLE_ROWS && sample_bytes < SAMPLE_BYTES {
        let mut rec = RawRecord::default();
        match source.next_record(&mut rec) {
            Ok(Step::Record { blank_lines }) => {
                sample_bytes += (0..rec.len()).map(|i| rec.get(i).len()).sum::<usize>();
                sample.push_back(Sampled::Record(rec, blank_lines));
            }
            Ok(Step::End { blank_lines }) => {
                sample.push_back(Sampled::End(blank_lines));
                break;
            }
            Err(e) => {
                sample.push_back(Sampled::Fatal(e));
                break;
            }
        }
    }
    sample
}

/// The records among the rows read ahead.
fn sampled(sample: &VecDeque<Sampled>) -> impl Iterator<Item = &RawRecord> {
    sample.iter().filter_map(|s| match s {
        Sampled::Record(r, _) => Some(r),
        _ => None,
    })
}

/// The decimal separator: the mapping's, the options', the one the sampled values prove, else
/// the delimiter's custom (`;` goes with a decimal comma).
fn settle_decimal(
    options: &Options,
    sample: &VecDeque<Sampled>,
    cols: &Columns,
    kind: Kind,
    delimiter: u8,
) -> DecimalSeparator {
    let mapping_decimal = options.mapping.as_ref().and_then(|m| m.decimal_separator);
    mapping_decimal
        .or(options.decimal_separator)
        .or_else(|| vote_decimal(sampled(sample), cols, kind))
        .unwrap_or(if delimiter == b';' {
            DecimalSeparator::Comma
        } else {
            DecimalSeparator::Dot
        })
}

/// The order of year-last slash dates: as given, else the first sampled date that proves one
/// (a part above 12), else day first.
fn settle_date_order(given: DateOrder, sample: &VecDeque<Sampled>, cols: &Columns) -> DateOrder {
    match given {
        DateOrder::Auto => sampled(sample)
            .find_map(|r| {
                Field::ALL
                    .into_iter()
                    .filter(|f| f.is_time())
                    .filter_map(|f| cols.get(f))
                    .filter_map(|i| std::str::from_utf8(r.get(i)).ok())
                    .find_map(date::order_evidence)
            })
            .unwrap_or(DateOrder::DayFirst),
        given => given,
    }
}

/// Names a requirement for a person: the field(s) and the column names accepted for them.
fn describe(any: &[Field], kind: Kind, format: Format) -> String {
    let fields: Vec<&str> = any.iter().map(|f| f.name()).collect();
    let fields = fields.join(" or ");
    if format == Format::Custom {
        return format!("{fields} (map a column to it)");
    }
    let names: Vec<&str> = any
        .iter()
        .flat_map(|f| columns::aliases(kind, *f).iter().copied())
        .filter(|a| a.is_ascii())
        .collect();
    format!("{fields} (a column named {})", names.join(", "))
}

/// When the header came out as one column holding another delimiter, say so.
fn delimiter_hint(header: &[String], used: u8) -> Option<String> {
    let non_empty: Vec<&String> = header.iter().filter(|h| !h.is_empty()).collect();
    if non_empty.len() != 1 {
        return None;
    }
    [b',', b';', b'\t', b'|']
        .into_iter()
        .filter(|d| *d != used)
        .find(|d| non_empty[0].as_bytes().contains(d))
        .map(|d| {
            format!(
                "The header was read as a single column but contains the {} character: the file seems to use {} as its delimiter, not {}",
                delimiter_name(d),
                delimiter_name(d),
                delimiter_name(used)
            )
        })
}

fn vote_decimal<'a>(
    records: impl Iterator<Item = &'a RawRecord>,
    cols: &Columns,
    kind: Kind,
) -> Option<DecimalSeparator> {
    let numeric: Vec<usize> = columns::fields_of(kind)
        .filter(|f| f.is_money() || f.is_count())
        .filter_map(|f| cols.get(f))
        .collect();
    let (mut dot, mut comma) = (0u32, 0u32);
    for r in records {
        for &i in &numeric {
            match std::str::from_utf8(r.get(i))
                .ok()
                .and_then(number::evidence)
            {
                Some(DecimalSeparator::Dot) => dot += 1,
                Some(DecimalSeparator::Comma) => comma += 1,
                None => {}
            }
        }
    }
    match dot.cmp(&comma) {
        std::cmp::Ordering::Greater => Some(DecimalSeparator::Dot),
        std::cmp::Ordering::Less => Some(DecimalSeparator::Comma),
        std::cmp::Ordering::Equal => None,
    }
}

/// Whether a cell is a totals label ("Total", "TOTALS:", "Итого"), without allocating: it
/// runs on the first cell of every row.
fn is_total_word(cell: &str) -> bool {
    if cell.len() > 40 || cell.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return false;
    }
    let mut key = [0u8; 48];
    let mut len = 0;
    for c in cell
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
    {
        let mut utf8 = [0u8; 4];
        let bytes = c.encode_utf8(&mut utf8).as_bytes();
        if len + bytes.len() > key.len() {
            return false;
        }
        key[len..len + bytes.len()].copy_from_slice(bytes);
        len += bytes.len();
    }
    std::str::from_utf8(&key[..len]).is_ok_and(|k| TOTAL_WORDS.contains(&k))
}

fn trim_bytes(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

fn is_blank_record(r: &RawRecord) -> bool {
    (0..r.len()).all(|i| {
        let b = trim_bytes(r.get(i));
        b.is_empty() || std::str::from_utf8(b).is_ok_and(|s| number::trim(s).is_empty())
    })
}

fn earliest() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// Reports must be about days from 2000 up to today.
fn check_day(d: NaiveDate, today: NaiveDate) -> Result<(), String> {
    if d < earliest() {
        Err(format!("{d} is before 2000-01-01; check the date format"))
    } else if d > today {
        Err(format!("{d} is in the future (today is {today})"))
    } else {
        Ok(())
    }
}

impl<R: Read> ReportReader<R> {
    pub fn format(&self) -> Format {
        self.stats.format
    }

    pub fn kind(&self) -> Kind {
        self.stats.kind
    }

    /// The header cells as written (trimmed).
    pub fn header(&self) -> &[String] {
        &self.header
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Which header column feeds each field, for showing the user what was understood.
    pub fn columns(&self) -> Vec<(Field, &str)> {
        Field::ALL
            .into_iter()
            .filter_map(|f| self.rules.cols.get(f).map(|i| (f, self.header[i].as_str())))
            .collect()
    }

    /// The error that stopped reading, if one did.
    pub fn fatal_error(&self) -> Option<&FileError> {
        self.fatal.as_ref()
    }

    fn finish(&mut self) {
        self.done = true;
        self.stats.finished = true;
        self.stats.lines = self.source.lines();
        self.stats.header_only = self.stats.rows == 0 && self.stats.skipped_totals == 0;
    }

    fn fail(&mut self, e: FileError) {
        let line = e.line().unwrap_or(self.last_line);
        self.pending.push_back(RowError {
            line,
            column: None,
            value: None,
            reason: e.to_string(),
            fatal: true,
        });
        self.stats.errors += 1;
        self.stats.stopped = true;
        self.fatal = Some(e);
        self.finish();
    }

    /// Turns one record into a parsed row, a skip, or errors (queued in `pending`).
    fn row(&mut self, rec: &RawRecord) -> Option<Parsed> {
        self.last_line = rec.line;
        if is_blank_record(rec) {
            self.stats.skipped_blank += 1;
            return None;
        }
        if let Some(first) = (0..rec.len())
            .map(|i| trim_bytes(rec.get(i)))
            .find(|b| !b.is_empty())
            && let Ok(first) = std::str::from_utf8(first)
            && is_total_word(first)
        {
            self.stats.skipped_totals += 1;
            return None;
        }
        self.stats.rows += 1;
        let mut e = Errors {
            line: rec.line,
            list: std::mem::take(&mut self.row_errors),
        };
        let header_len = self.header.len();
        if rec.len() > header_len
            && (header_len..rec.len()).any(|i| !trim_bytes(rec.get(i)).is_empty())
        {
            e.push(
                None,
                None,
                format!(
                    "the row has {} fields but the header has {}; a delimiter inside an unquoted value, or an unclosed quote, may have shifted the columns",
                    rec.len(),
                    header_len
                ),
            );
        }
        // A quote opened by mistake and closed by another on a later line merges rows into
        // one cell, and the field count can still come out right. A cell that spans lines
        // and holds many delimiters is that, not a legitimate multi-line value.
        let swallowing = (0..rec.len().min(header_len)).find(|&i| {
            let cell = rec.get(i);
            cell.contains(&b'\n')
                && cell.iter().filter(|b| **b == self.delimiter).count() >= (header_len / 2).max(2)
        });
        if let Some(i) = swallowing {
            e.push(
                Some(&self.header[i]),
                std::str::from_utf8(rec.get(i)).ok(),
                format!(
                    "{} spans several lines and holds what looks like other rows; a quote (\") opened on this line is probably not closed where it should be",
                    self.header[i]
                ),
            );
        }
        let outcome = match self.rules.kind {
            Kind::Spend => self.rules.spend(rec, &mut e, &self.sums),
            Kind::Results => self.rules.results(rec, &mut e, &self.sums),
            Kind::Conversions => self.rules.conversion(rec, &mut e, &self.sums),
        };
        let result = match outcome {
            Outcome::Totals => {
                self.stats.rows -= 1;
                self.stats.skipped_totals += 1;
                None
            }
            Outcome::Record(record) if e.list.is_empty() => {
                self.sums.add(&record);
                self.stats.parsed += 1;
                Some(Parsed {
                    line: rec.line,
                    record,
                })
            }
            Outcome::Record(_) | Outcome::Rejected => {
                self.stats.rejected += 1;
                None
            }
        };
        self.stats.errors += e.list.len() as u64;
        self.pending.extend(e.list.drain(..));
        self.row_errors = e.list;
        result
    }
}

impl<R: Read> Iterator for ReportReader<R> {
    type Item = Result<Parsed, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(e) = self.pending.pop_front() {
                return Some(Err(e));
            }
            if self.done {
                return None;
            }
            let parsed = match self.sample.pop_front() {
                Some(Sampled::Record(rec, blank_lines)) => {
                    self.stats.skipped_blank += blank_lines;
                    self.row(&rec)
                }
                Some(Sampled::End(blank_lines)) => {
                    self.stats.skipped_blank += blank_lines;
                    self.finish();
                    None
                }
                Some(Sampled::Fatal(e)) => {
                    self.fail(e);
                    None
                }
                None => {
                    let mut rec = std::mem::take(&mut self.scratch);
                    let out = match self.source.next_record(&mut rec) {
                        Ok(Step::Record { blank_lines }) => {
                            self.stats.skipped_blank += blank_lines;
                            self.row(&rec)
                        }
                        Ok(Step::End { blank_lines }) => {
                            self.stats.skipped_blank += blank_lines;
                            self.finish();
                            None
                        }
                        Err(e) => {
                            self.fail(e);
                            None
                        }
                    };
                    self.scratch = rec;
                    out
                }
            };
            if let Some(p) = parsed {
                return Some(Ok(p));
            }
        }
    }
}

/// Errors of the row being read.
struct Errors {
    line: u64,
    list: Vec<RowError>,
}

impl Errors {
    fn push(&mut self, column: Option<&str>, value: Option<&str>, reason: String) {
        self.list
            .push(RowError::new(self.line, column, value, reason));
    }
}

// Built once per row and matched at once: boxing would cost an allocation per row.
#[allow(clippy::large_enum_variant)]
enum Outcome {
    Record(Record),
    Totals,
    Rejected,
}

/// Running sums of accepted rows, to recognise a totals row that has no label.
#[derive(Default)]
struct Sums {
    rows: u64,
    counts: [u128; 4],
    money: [Decimal; 2],
}

impl Sums {
    fn add(&mut self, record: &Record) {
        let (counts, money) = figures(record);
        self.rows += 1;
        for (s, c) in self.counts.iter_mut().zip(counts) {
            *s += u128::from(c);
        }
        for (s, m) in self.money.iter_mut().zip(money) {
            *s = s.saturating_add(m.unwrap_or_default());
        }
    }

    /// Whether the figures given (`None`: empty cell or no column) equal the sums so far,
    /// amounts as rounded for display.
    fn is_total(&self, counts: [Option<u64>; 4], money: [Option<Decimal>; 2]) -> bool {
        let any = counts.iter().flatten().any(|c| *c != 0)
            || money.iter().flatten().any(|m| !m.is_zero());
        let counts_match = counts
            .iter()
            .zip(self.counts)
            .all(|(c, s)| c.is_none_or(|c| u128::from(c) == s));
        let money_match = money.iter().zip(self.money).all(|(m, s)| match m {
            None => true,
            Some(m) => {
                *m == s
                    || s.round_dp_with_strategy(m.scale(), RoundingStrategy::MidpointAwayFromZero)
                        == *m
                    || s.round_dp_with_strategy(m.scale(), RoundingStrategy::MidpointNearestEven)
                        == *m
            }
        });
        self.rows > 0 && any && counts_match && money_match
    }
}

/// The additive figures of a record in a fixed layout, for [`Sums`].
fn figures(record: &Record) -> ([u64; 4], [Option<Decimal>; 2]) {
    match record {
        Record::Spend(r) => (
            [r.impressions, r.clicks, r.installs, 0],
            [Some(r.spend), None],
        ),
        Record::Results(r) => ([r.clicks, r.conversions, 0, 0], [Some(r.revenue), r.cost]),
        Record::Conversion(r) => ([0; 4], [Some(r.payout), None]),
    }
}

/// Everything settled at open that reading a row needs.
struct Rules {
    kind: Kind,
    header: Vec<String>,
    cols: Columns,
    decimal: DecimalSeparator,
    date_order: DateOrder,
    date_format: Option<String>,
    default_date: Option<NaiveDate>,
    file_currency: Option<Currency>,
    today: NaiveDate,
    assumed_offset: FixedOffset,
}

impl Rules {
    fn column(&self, f: Field) -> Option<&str> {
        self.cols.get(f).map(|i| self.header[i].as_str())
    }

    fn is_blank(&self, rec: &RawRecord, f: Field) -> bool {
        self.cols
            .get(f)
            .is_none_or(|i| trim_bytes(rec.get(i)).is_empty())
    }

    /// The trimmed text of a cell; `None` when the column is absent or the cell is empty,
    /// or when it is not UTF-8 (then an error is recorded).
    fn cell<'r>(&self, rec: &'r RawRecord, f: Field, e: &mut Errors) -> Option<&'r str> {
        let i = self.cols.get(f)?;
        let raw = rec.get(i);
        match std::str::from_utf8(raw) {
            Ok(s) => Some(number::trim(s)).filter(|s| !s.is_empty()),
            Err(_) => {
                let col = self.column(f);
                e.push(
                    col,
                    Some(&String::from_utf8_lossy(raw)),
                    format!(
                        "{} is not valid UTF-8 text; the file may be in another encoding (such as Windows-1251): save it as UTF-8",
                        col.unwrap_or("the value")
                    ),
                );
                None
            }
        }
    }

    fn text(&self, rec: &RawRecord, f: Field, e: &mut Errors) -> Option<String> {
        let v = self.cell(rec, f, e)?;
        if v.len() > MAX_TEXT_CHARS && v.chars().count() > MAX_TEXT_CHARS {
            let col = self.column(f).unwrap_or_default();
            e.push(
                Some(col),
                Some(v),
                format!("{col} is longer than {MAX_TEXT_CHARS} characters"),
            );
            return None;
        }
        Some(v.to_string())
    }

    /// A count; empty and "n/a" cells count as zero.
    fn count(&self, rec: &RawRecord, f: Field, e: &mut Errors) -> u64 {
        let Some(v) = self.cell(rec, f, e) else {
            return 0;
        };
        if number::is_null(v) {
            return 0;
        }
        let col = self.column(f).unwrap_or_default();
        match number::parse(v, Role::Count, self.decimal).and_then(|n| {
            if n.is_negative() {
                Ok(None)
            } else {
                n.to_count().map(Some)
            }
        }) {
            Ok(Some(c)) => c,
            Ok(None) => {
                e.push(
                    Some(col),
                    Some(v),
                    format!("{col} is negative; a count cannot be below zero"),
                );
                0
            }
            Err(err) => {
                e.push(Some(col), Some(v), format!("{col} {}", err.fragment()));
                0
            }
        }
    }

    /// An amount; `None` when the column is absent, zero for empty, "n/a" and "-" cells.
    fn money(
        &self,
        rec: &RawRecord,
        f: Field,
        currency: Option<Currency>,
        may_be_negative: bool,
        e: &mut Errors,
    ) -> Option<Decimal> {
        self.cols.get(f)?;
        let Some(v) = self.cell(rec, f, e) else {
            return Some(Decimal::ZERO);
        };
        if number::is_null(v) {
            return Some(Decimal::ZERO);
        }
        let col = self.column(f).unwrap_or_default();
        match number::parse(v, Role::Money, self.decimal) {
            Ok(n) if n.is_negative() && !may_be_negative => {
                e.push(
                    Some(col),
                    Some(v),
                    format!("{col} is negative; {} cannot be below zero", f.name()),
                );
                None
            }
            Ok(n) => {
                if let (Mark::Known(marked), Some(row)) = (n.mark, currency)
                    && marked != row
                {
                    e.push(
                        Some(col),
                        Some(v),
                        format!("{col} is marked {marked} but the row's currency is {row}"),
                    );
                }
                Some(n.to_decimal())
            }
            Err(err) => {
                e.push(Some(col), Some(v), format!("{col} {}", err.fragment()));
                None
            }
        }
    }

    /// The row's currency: its currency cell, else the file's.
    fn currency(&self, rec: &RawRecord, e: &mut Errors) -> Option<Currency> {
        let Some(v) = self.cell(rec, Field::Currency, e) else {
            if self.file_currency.is_none() {
                let col = self.column(Field::Currency);
                e.push(
                    col,
                    None,
                    "the currency is empty and no currency was chosen for this source".into(),
                );
            }
            return self.file_currency;
        };
        let col = self.column(Field::Currency).unwrap_or_default();
        match number::currency_token(v) {
            Some(Mark::Known(c)) => Some(c),
            Some(_) => {
                e.push(
                    Some(col),
                    Some(v),
                    format!("{col} \"{v}\" is used by several currencies; write the code (USD, CAD, AUD, JPY, CNY, ...)"),
                );
                None
            }
            None => {
                let known: Vec<&str> = Currency::all().iter().map(|c| c.code()).collect();
                e.push(
                    Some(col),
                    Some(v),
                    format!(
                        "unknown currency \"{}\"; supported: {}",
                        truncate(v, 20),
                        known.join(", ")
                    ),
                );
                None
            }
        }
    }

    fn parse_date(&self, v: &str) -> Result<NaiveDate, String> {
        match &self.date_format {
            None => date::parse_date(v, self.date_order),
            Some(fmt) => NaiveDate::parse_from_str(v, fmt)
                .or_else(|_| NaiveDateTime::parse_from_str(v, fmt).map(|dt| dt.date()))
                .map_err(|_| format!("does not match the date format \"{fmt}\"")),
        }
    }

    fn parse_stamp(&self, v: &str) -> Result<Stamp, String> {
        match &self.date_format {
            None => date::parse_stamp(v, self.date_order),
            Some(fmt) => DateTime::parse_from_str(v, fmt)
                .map(|dt| Stamp {
                    local: dt.naive_local(),
                    offset: Some(*dt.offset()),
                })
                .or_else(|_| {
                    NaiveDateTime::parse_from_str(v, fmt).map(|local| Stamp {
                        local,
                        offset: None,
                    })
                })
                .or_else(|_| {
                    NaiveDate::parse_from_str(v, fmt).map(|d| Stamp {
                        local: d.and_time(chrono::NaiveTime::MIN),
                        offset: None,
                    })
                })
                .map_err(|_| format!("does not match the date format \"{fmt}\"")),
        }
    }

    /// The row's report date: its date cell, else the date given for the file.
    fn date(&self, rec: &RawRecord, e: &mut Errors) -> Option<NaiveDate> {
        if !self.cols.has(Field::Date) {
            return self.default_date;
        }
        let col = self.column(Field::Date).unwrap_or_default();
        let Some(v) = self.cell(rec, Field::Date, e) else {
            if !e.list.iter().any(|x| x.column.as_deref() == Some(col)) {
                e.push(
                    Some(col),
                    None,
                    format!("{col} is empty; every row needs a date"),
                );
            }
            return None;
        };
        match self
            .parse_date(v)
            .and_then(|d| check_day(d, self.today).map(|()| d))
        {
            Ok(d) => Some(d),
            Err(reason) => {
                e.push(Some(col), Some(v), format!("{col} {reason}"));
                None
            }
        }
    }

    /// A moment in UTC; `None` when the column is absent or the cell empty (or invalid, with
    /// an error recorded).
    fn stamp(&self, rec: &RawRecord, f: Field, e: &mut Errors) -> Option<DateTime<Utc>> {
        let v = self.cell(rec, f, e)?;
        let col = self.column(f).unwrap_or_default();
        let checked = self.parse_stamp(v).and_then(|s| {
            let at = s
                .to_utc(self.assumed_offset)
                .ok_or_else(|| "is out of range".to_string())?;
            let day = at.date_naive();
            // A moment stamped in a zone ahead of UTC can be "tomorrow" for the caller.
            let latest = self
                .today
                .checked_add_signed(TimeDelta::days(1))
                .unwrap_or(self.today);
            if day < earliest() {
                Err(format!("{day} is before 2000-01-01; check the date format"))
            } else if day > latest {
                Err(format!("{at} is in the future (today is {})", self.today))
            } else {
                Ok(at)
            }
        });
        match checked {
            Ok(at) => Some(at),
            Err(reason) => {
                e.push(Some(col), Some(v), format!("{col} {reason}"));
                None
            }
        }
    }

    fn country(&self, rec: &RawRecord, e: &mut Errors) -> Option<Country> {
        let v = self.cell(rec, Field::Country, e)?;
        match Country::parse(v) {
            Ok(c) => c,
            Err(_) => {
                let col = self.column(Field::Country).unwrap_or_default();
                e.push(
                    Some(col),
                    Some(v),
                    format!("{col} is not a country we know; use an ISO 3166 code (US, USA) or an English name"),
                );
                None
            }
        }
    }

    fn os(&self, rec: &RawRecord, e: &mut Errors) -> Option<String> {
        let v = self.text(rec, Field::Os, e)?;
        let lower = v.to_lowercase();
        let key = header::normalize(&lower);
        Some(match key.as_str() {
            "ios" | "iphoneos" | "ipados" | "iphone" | "ipad" => "ios".into(),
            "android" | "androidos" => "android".into(),
            _ => lower,
        })
    }

    /// A figure for the totals check: `None` when the cell is empty.
    fn given(&self, rec: &RawRecord, f: Field, value: u64) -> Option<u64> {
        (!self.is_blank(rec, f)).then_some(value)
    }

    fn given_money(&self, rec: &RawRecord, f: Field, value: Option<Decimal>) -> Option<Decimal> {
        value.filter(|_| !self.is_blank(rec, f))
    }

    fn campaign_missing(&self, e: &mut Errors) {
        let col = self
            .column(Field::CampaignName)
            .or_else(|| self.column(Field::CampaignId));
        e.push(col, None, "the row has no campaign id or name".into());
    }

    fn spend(&self, rec: &RawRecord, e: &mut Errors, sums: &Sums) -> Outcome {
        let no_campaign =
            self.is_blank(rec, Field::CampaignId) && self.is_blank(rec, Field::CampaignName);
        let impressions = self.count(rec, Field::Impressions, e);
        let clicks = self.count(rec, Field::Clicks, e);
        let installs = self.count(rec, Field::Installs, e);
        let currency = self.currency(rec, e);
        let spend = self.money(rec, Field::Spend, currency, false, e);
        if no_campaign
            && self.is_blank(rec, Field::Date)
            && e.list.is_empty()
            && sums.is_total(
                [
                    self.given(rec, Field::Impressions, impressions),
                    self.given(rec, Field::Clicks, clicks),
                    self.given(rec, Field::Installs, installs),
                    None,
                ],
                [self.given_money(rec, Field::Spend, spend), None],
            )
        {
            return Outcome::Totals;
        }
        let date = self.date(rec, e);
        let campaign_id = self.text(rec, Field::CampaignId, e);
        let campaign_name = self.text(rec, Field::CampaignName, e);
        if no_campaign {
            self.campaign_missing(e);
        }
        let ad_group = self.text(rec, Field::AdGroup, e);
        let creative = self.text(rec, Field::Creative, e);
        let country = self.country(rec, e);
        let os = self.os(rec, e);
        let (Some(date), Some(spend), Some(currency)) = (date, spend, currency) else {
            return Outcome::Rejected;
        };
        Outcome::Record(Record::Spend(SpendRow {
            date,
            campaign_id,
            campaign_name,
            ad_group,
            creative,
            country,
            os,
            impressions,
            clicks,
            installs,
            spend,
            currency,
        }))
    }

    fn results(&self, rec: &RawRecord, e: &mut Errors, sums: &Sums) -> Outcome {
        let no_campaign =
            self.is_blank(rec, Field::CampaignId) && self.is_blank(rec, Field::CampaignName);
        let clicks = self.count(rec, Field::Clicks, e);
        let conversions = self.count(rec, Field::Conversions, e);
        let currency = self.currency(rec, e);
        // Revenue may be negative: trackers book chargebacks as negative revenue.
        let revenue = self.money(rec, Field::Revenue, currency, true, e);
        let cost = self.money(rec, Field::Cost, currency, false, e);
        if no_campaign
            && self.is_blank(rec, Field::Date)
            && e.list.is_empty()
            && sums.is_total(
                [
                    self.given(rec, Field::Clicks, clicks),
                    self.given(rec, Field::Conversions, conversions),
                    None,
                    None,
                ],
                [
                    self.given_money(rec, Field::Revenue, revenue),
                    self.given_money(rec, Field::Cost, cost),
                ],
            )
        {
            return Outcome::Totals;
        }
        let date = self.date(rec, e);
        let campaign_id = self.text(rec, Field::CampaignId, e);
        let campaign_name = self.text(rec, Field::CampaignName, e);
        if no_campaign {
            self.campaign_missing(e);
        }
        let offer = self.text(rec, Field::Offer, e);
        let country = self.country(rec, e);
        let (Some(date), Some(revenue), Some(currency)) = (date, revenue, currency) else {
            return Outcome::Rejected;
        };
        Outcome::Record(Record::Results(ResultRow {
            date,
            campaign_id,
            campaign_name,
            offer,
            country,
            clicks,
            conversions,
            revenue,
            cost,
            currency,
        }))
    }

    fn conversion(&self, rec: &RawRecord, e: &mut Errors, sums: &Sums) -> Outcome {
        let no_id = self.is_blank(rec, Field::ConversionId) && self.is_blank(rec, Field::ClickId);
        let currency = self.currency(rec, e);
        // Payouts may be negative: adjustments and chargebacks.
        let payout = self.money(rec, Field::Payout, currency, true, e);
        if no_id
            && self.is_blank(rec, Field::ConvertedAt)
            && e.list.is_empty()
            && sums.is_total(
                [None; 4],
                [self.given_money(rec, Field::Payout, payout), None],
            )
        {
            return Outcome::Totals;
        }
        let conversion_id = self.text(rec, Field::ConversionId, e);
        let click_id = self.text(rec, Field::ClickId, e);
        if no_id {
            let col = self
                .column(Field::ConversionId)
                .or_else(|| self.column(Field::ClickId));
            e.push(col, None, "the row has no conversion id or click id".into());
        }
        let (status, original_status) = match self.cell(rec, Field::Status, e) {
            Some(v) => match ConversionStatus::parse(v) {
                Some(s) => (Some(s), Some(truncate(v, MAX_TEXT_CHARS))),
                None => {
                    let col = self.column(Field::Status).unwrap_or_default();
                    e.push(
                        Some(col),
                        Some(v),
                        format!("{col} \"{}\" is not a status we know (expected pending, approved or rejected, or a tracker's word for them such as lead, sale, hold, declined)", truncate(v, 40)),
                    );
                    (None, None)
                }
            },
            // An empty status proves nothing: pending until the tracker says otherwise.
            None if self.cols.has(Field::Status) => (Some(ConversionStatus::Pending), None),
            // Logs without a status column (Voluum) list counted conversions only.
            None => (Some(ConversionStatus::Approved), None),
        };
        let original_status = self.text(rec, Field::OriginalStatus, e).or(original_status);
        let converted_at = self.stamp(rec, Field::ConvertedAt, e);
        if converted_at.is_none() && self.is_blank(rec, Field::ConvertedAt) {
            let col = self.column(Field::ConvertedAt);
            e.push(col, None, "the conversion time is empty".into());
        }
        let clicked_at = self.stamp(rec, Field::ClickedAt, e);
        let campaign_id = self.text(rec, Field::CampaignId, e);
        let campaign_name = self.text(rec, Field::CampaignName, e);
        let offer = self.text(rec, Field::Offer, e);
        let country = self.country(rec, e);
        let (Some(id), Some(status), Some(payout), Some(currency), Some(converted_at)) = (
            conversion_id.or_else(|| click_id.clone()),
            status,
            payout,
            currency,
            converted_at,
        ) else {
            return Outcome::Rejected;
        };
        Outcome::Record(Record::Conversion(ConversionRow {
            conversion_id: id,
            click_id,
            campaign_id,
            campaign_name,
            offer,
            status,
            original_status,
            payout,
            currency,
            converted_at,
            clicked_at,
            country,
        }))
    }
}
