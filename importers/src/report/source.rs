//! From bytes to raw CSV records: encoding detection and decoding, delimiter sniffing, and a
//! csv-core tokenizer driven with bounded buffers, so a 1 GB file streams in constant memory
//! and an unclosed quote cannot swallow the machine.

use std::io::{self, Chain, Cursor, Read};

use csv_core::{ReadRecordResult, Reader as CsvCore, ReaderBuilder, Terminator};
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE};
use encoding_rs_io::{DecodeReaderBytes, DecodeReaderBytesBuilder};

use super::error::FileError;

/// A row may not be longer than this; a longer one is nearly always an unclosed quote.
pub const MAX_RECORD_BYTES: usize = 1 << 20;
/// More fields than this in a row is not a report.
pub const MAX_FIELDS: usize = 4096;
const BUFFER_BYTES: usize = 64 * 1024;
/// How much of the raw input is looked at to recognise the encoding and non-text files.
const PEEK_BYTES: usize = 4096;

type Prefixed<R> = Chain<Cursor<Vec<u8>>, R>;

enum Input<R: Read> {
    /// UTF-8 (or bytes that claim to be): passed through, validated cell by cell.
    Plain(Prefixed<R>),
    /// UTF-16, transcoded to UTF-8 as it streams.
    Decoded(Box<DecodeReaderBytes<Prefixed<R>, Vec<u8>>>),
}

impl<R: Read> Read for Input<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Input::Plain(r) => r.read(buf),
            Input::Decoded(r) => r.read(buf),
        }
    }
}

/// One CSV record as bytes, with the line it starts on.
#[derive(Clone, Debug, Default)]
pub(crate) struct RawRecord {
    bytes: Vec<u8>,
    ends: Vec<usize>,
    fields: usize,
    /// 1-based physical line where the record starts.
    pub(crate) line: u64,
}

impl RawRecord {
    pub(crate) fn len(&self) -> usize {
        self.fields
    }

    /// The field's bytes; empty past the end of the record (short rows are padded).
    pub(crate) fn get(&self, i: usize) -> &[u8] {
        if i >= self.fields {
            return &[];
        }
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start..self.ends[i]]
    }
}

/// What reading one record found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// A record, after `blank_lines` empty lines.
    Record { blank_lines: u64 },
    /// The end of the file, after `blank_lines` empty lines.
    End { blank_lines: u64 },
}

/// What the start of the file told us.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Sniffed {
    pub(crate) encoding: &'static str,
    pub(crate) delimiter: u8,
}

pub(crate) struct Source<R: Read> {
    input: Input<R>,
    buf: Box<[u8]>,
    pos: usize,
    end: usize,
    eof: bool,
    core: CsvCore,
    /// The last byte handed to the tokenizer, to count a final line without a newline, and
    /// to know that a record ended on the `\r` of a `\r\n`, whose `\n` the next read
    /// consumes: that `\n` ends a line but is no blank line.
    last_byte: u8,
}

impl<R: Read> Source<R> {
    /// Recognises the encoding, decodes, sniffs the delimiter (unless given) and honours an
    /// Excel `sep=;` first line.
    pub(crate) fn open(mut raw: R, delimiter: Option<u8>) -> Result<(Self, Sniffed), FileError> {
        let mut peek = vec![0u8; PEEK_BYTES];
        let got = read_full(&mut raw, &mut peek)?;
        peek.truncate(got);
        if peek.is_empty() {
            return Err(FileError::Empty);
        }
        if let Some(what) = binary_kind(&peek) {
            return Err(FileError::NotText { what: what.into() });
        }
        let (encoding, utf16): (&'static str, Option<&'static Encoding>) =
            if peek.starts_with(&[0xEF, 0xBB, 0xBF]) {
                peek.drain(..3);
                ("UTF-8 (BOM)", None)
            } else if peek.starts_with(&[0xFF, 0xFE]) {
                ("UTF-16LE", Some(UTF_16LE))
            } else if peek.starts_with(&[0xFE, 0xFF]) {
                ("UTF-16BE", Some(UTF_16BE))
            } else {
                match utf16_without_bom(&peek) {
                    Some(enc) if enc == UTF_16LE => ("UTF-16LE", Some(enc)),
                    Some(enc) => ("UTF-16BE", Some(enc)),
                    None => ("UTF-8", None),
                }
            };
        let prefixed = Cursor::new(peek).chain(raw);
        let input = match utf16 {
            None => Input::Plain(prefixed),
            Some(enc) => Input::Decoded(Box::new(
                DecodeReaderBytesBuilder::new()
                    .encoding(Some(enc))
                    .bom_override(true)
                    .strip_bom(true)
                    .build(prefixed),
            )),
        };
        let mut source = Source {
            input,
            buf: vec![0u8; BUFFER_BYTES].into_boxed_slice(),
            pos: 0,
            end: 0,
            eof: false,
            core: CsvCore::new(),
            last_byte: b'\n',
        };
        source.prime()?;
        let mut first_line = 1;
        let mut delimiter = delimiter;
        if let Some((sep, len)) = excel_sep_line(&source.buf[..source.end]) {
            delimiter = delimiter.or(Some(sep));
            source.pos = len;
            // Lines are counted by '\n', so a sep line ended by a lone '\r' starts no new one.
            if source.buf[len - 1] == b'\n' {
                first_line = 2;
            }
        }
        let delimiter = delimiter.unwrap_or_else(|| sniff(&source.buf[source.pos..source.end]));
        source.core = ReaderBuilder::new()
            .delimiter(delimiter)
            .quote(b'"')
            .double_quote(true)
            .terminator(Terminator::CRLF)
            .build();
        source.core.set_line(first_line);
        Ok((
            source,
            Sniffed {
                encoding,
                delimiter,
            },
        ))
    }

    /// Fills the buffer until it holds the first line (or is full, or the input ends), so the
    /// delimiter can be sniffed from it.
    fn prime(&mut self) -> Result<(), FileError> {
        while self.end < self.buf.len() && !self.buf[..self.end].contains(&b'\n') {
            let n = read_retrying(&mut self.input, &mut self.buf[self.end..])?;
            if n == 0 {
                self.eof = true;
                break;
            }
            self.end += n;
        }
        Ok(())
    }

    /// Physical lines consumed so far (all of them once the end was reached).
    pub(crate) fn lines(&self) -> u64 {
        self.core.line() - u64::from(self.last_byte == b'\n')
    }

    fn fill(&mut self) -> Result<(), FileError> {
        self.pos = 0;
        self.end = read_retrying(&mut self.input, &mut self.buf)?;
        if self.end == 0 {
            self.eof = true;
        }
        Ok(())
    }

    /// Reads the next record into `rec`, reusing its buffers.
    pub(crate) fn next_record(&mut self, rec: &mut RawRecord) -> Result<Step, FileError> {
        rec.fields = 0;
        if rec.bytes.len() < 1024 {
            rec.bytes.resize(1024, 0);
        }
        if rec.ends.len() < 64 {
            rec.ends.resize(64, 0);
        }
        let mut out_len = 0;
        let mut started = false;
        let mut newlines_before = 0u64;
        let mut quotes = 0usize;
        let line0 = self.core.line();
        let mut after_cr = self.last_byte == b'\r';
        let mut crlf_tail = 0u64;
        loop {
            if self.pos == self.end && !self.eof {
                self.fill()?;
            }
            let input = &self.buf[self.pos..self.end];
            let at_eof = input.is_empty();
            let (res, nin, nout, nend) = self.core.read_record(
                input,
                &mut rec.bytes[out_len..],
                &mut rec.ends[rec.fields..],
            );
            let mut consumed = &input[..nin];
            if after_cr && !consumed.is_empty() {
                crlf_tail = u64::from(consumed[0] == b'\n');
                after_cr = false;
            }
            if !started {
                // Empty lines before a record are skipped by csv-core; count them.
                match consumed.iter().position(|b| !matches!(b, b'\n' | b'\r')) {
                    Some(k) => {
                        newlines_before +=
                            consumed[..k].iter().filter(|b| **b == b'\n').count() as u64;
                        consumed = &consumed[k..];
                        started = true;
                    }
                    None => {
                        newlines_before += consumed.iter().filter(|b| **b == b'\n').count() as u64;
                        consumed = &[];
                    }
                }
            }
            quotes += consumed.iter().filter(|b| **b == b'"').count();
            if nin > 0 {
                self.last_byte = input[nin - 1];
            }
            self.pos += nin;
            out_len += nout;
            rec.fields += nend;
            let start_line = line0 + newlines_before;
            match res {
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => {
                    if rec.bytes.len() >= MAX_RECORD_BYTES {
                        return Err(FileError::RowTooLong {
                            line: start_line,
                            max_bytes: MAX_RECORD_BYTES,
                        });
                    }
                    let grown = (rec.bytes.len() * 2).min(MAX_RECORD_BYTES);
                    rec.bytes.resize(grown, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    if rec.ends.len() >= MAX_FIELDS {
                        return Err(FileError::TooManyFields {
                            line: start_line,
                            max: MAX_FIELDS,
                        });
                    }
                    let grown = (rec.ends.len() * 2).min(MAX_FIELDS);
                    rec.ends.resize(grown, 0);
                }
                ReadRecordResult::Record => {
                    rec.line = start_line;
                    // csv-core is lenient: an unclosed quote runs to the end of the file and
                    // ends the record there. An odd count of quotes in a record that spans
                    // lines and ends only at EOF is that case.
                    if at_eof && quotes % 2 == 1 && self.core.line() > start_line {
                        return Err(FileError::UnclosedQuote { line: start_line });
                    }
                    return Ok(Step::Record {
                        blank_lines: newlines_before.saturating_sub(crlf_tail),
                    });
                }
                ReadRecordResult::End => {
                    return Ok(Step::End {
                        blank_lines: newlines_before.saturating_sub(crlf_tail),
                    });
                }
            }
        }
    }
}

fn read_retrying(r: &mut impl Read, buf: &mut [u8]) -> Result<usize, FileError> {
    loop {
        match r.read(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(FileError::Io {
                    message: e.to_string(),
                });
            }
        }
    }
}

fn read_full(r: &mut impl Read, buf: &mut [u8]) -> Result<usize, FileError> {
    let mut got = 0;
    while got < buf.len() {
        let n = read_retrying(r, &mut buf[got..])?;
        if n == 0 {
            break;
        }
        got += n;
    }
    Ok(got)
}

/// Files people upload by mistake instead of a CSV.
fn binary_kind(peek: &[u8]) -> Option<&'static str> {
    if peek.starts_with(b"PK\x03\x04") {
        Some("an Excel workbook (.xlsx) or another ZIP archive")
    } else if peek.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Some("an old Excel workbook (.xls)")
    } else if peek.starts_with(b"%PDF") {
        Some("a PDF document")
    } else if peek.starts_with(&[0x1F, 0x8B]) {
        Some("a gzip archive (unpack it first)")
    } else {
        None
    }
}

/// UTF-16 written without a BOM: ASCII text then has a zero in every other byte.
fn utf16_without_bom(peek: &[u8]) -> Option<&'static Encoding> {
    let pairs = peek.len() / 2;
    if pairs < 4 {
        return None;
    }
    let zeros_at = |parity: usize| {
        peek.chunks_exact(2)
            .filter(|p| p[parity] == 0 && p[1 - parity] != 0)
            .count()
    };
    if zeros_at(1) * 10 >= pairs * 9 {
        Some(UTF_16LE)
    } else if zeros_at(0) * 10 >= pairs * 9 {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Excel's "sep=;" first line: names the delimiter and is not the header.
fn excel_sep_line(buf: &[u8]) -> Option<(u8, usize)> {
    let rest = buf
        .strip_prefix(b"sep=")
        .or_else(|| buf.strip_prefix(b"SEP="))?;
    let sep = *rest.first()?;
    let after = &rest[1..];
    let len = if after.starts_with(b"\r\n") {
        2
    } else if after.starts_with(b"\n") || after.starts_with(b"\r") {
        1
    } else {
        return None;
    };
    (sep != b'"' && !sep.is_ascii_alphanumeric()).then_some((sep, 5 + len))
}

/// Picks the delimiter that splits the first line most: tab, semicolon, comma or pipe,
/// counting only outside quotes. Ties go to the earlier of that list, because a tab or a
/// semicolon in a header is rarely anything but a delimiter, while commas appear in names.
fn sniff(buf: &[u8]) -> u8 {
    const CANDIDATES: [u8; 4] = [b'\t', b';', b',', b'|'];
    let mut counts = [0usize; 4];
    let mut quoted = false;
    for &b in buf {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            _ if !quoted => {
                if let Some(i) = CANDIDATES.iter().position(|c| *c == b) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    let best = (0..4).fold(0, |best, i| if counts[i] > counts[best] { i } else { best });
    if counts[best] == 0 {
        b','
    } else {
        CANDIDATES[best]
    }
}

/// A delimiter as people call it.
pub(crate) fn delimiter_name(d: u8) -> String {
    match d {
        b',' => "comma".into(),
        b';' => "semicolon".into(),
        b'\t' => "tab".into(),
        b'|' => "pipe".into(),
        other => format!("'{}'", char::from(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(input: &[u8]) -> Result<Vec<(u64, Vec<String>)>, FileError> {
        let (mut src, _) = Source::open(input, None)?;
        let mut out = Vec::new();
        let mut rec = RawRecord::default();
        while let Step::Record { .. } = src.next_record(&mut rec)? {
            let fields = (0..rec.len())
                .map(|i| String::from_utf8_lossy(rec.get(i)).into_owned())
                .collect();
            out.push((rec.line, fields));
        }
        Ok(out)
    }

    #[test]
    fn sniffs_delimiters() {
        assert_eq!(sniff(b"a,b,c\n1;2"), b',');
        assert_eq!(sniff(b"a;b;c\n"), b';');
        assert_eq!(sniff(b"a\tb,c\td\n"), b'\t');
        assert_eq!(sniff(b"\"a;b\",c\n"), b',');
        assert_eq!(sniff(b"abc\n"), b',');
    }

    #[test]
    fn lines_count_blank_lines_and_quoted_newlines() {
        let got = records(b"h1,h2\r\n\r\na,\"x\r\ny\"\r\n\r\n\r\nb,2\r\n\r\n").unwrap();
        let lines: Vec<u64> = got.iter().map(|r| r.0).collect();
        assert_eq!(lines, vec![1, 3, 7]);
        assert_eq!(got[1].1, vec!["a", "x\r\ny"]);
        let (mut src, _) = Source::open(&b"h\r\n\r\na\r\nb\r\n\r\n\r\n"[..], None).unwrap();
        let mut rec = RawRecord::default();
        let mut steps = Vec::new();
        loop {
            let step = src.next_record(&mut rec).unwrap();
            steps.push(step);
            if let Step::End { .. } = step {
                break;
            }
        }
        assert_eq!(
            steps,
            vec![
                Step::Record { blank_lines: 0 },
                Step::Record { blank_lines: 1 },
                Step::Record { blank_lines: 0 },
                Step::End { blank_lines: 2 }
            ]
        );
        assert_eq!(src.lines(), 6);
    }

    #[test]
    fn counts_blank_lines_before_records_and_at_the_end() {
        let (mut src, _) = Source::open(&b"h\n\n\na\n\n"[..], None).unwrap();
        let mut rec = RawRecord::default();
        assert_eq!(
            src.next_record(&mut rec).unwrap(),
            Step::Record { blank_lines: 0 }
        );
        assert_eq!(
            src.next_record(&mut rec).unwrap(),
            Step::Record { blank_lines: 2 }
        );
        assert_eq!(rec.line, 4);
        assert_eq!(
            src.next_record(&mut rec).unwrap(),
            Step::End { blank_lines: 1 }
        );
    }

    #[test]
    fn unclosed_quote_at_the_end_is_an_error() {
        assert_eq!(
            records(b"a,b\n1,\"2\n3,4\n5,6\n"),
            Err(FileError::UnclosedQuote { line: 2 })
        );
        // A stray quote inside an unquoted field is harmless.
        assert_eq!(records(b"a,b\n1,12\" screen\n").unwrap().len(), 2);
    }

    #[test]
    fn unclosed_quote_in_a_big_file_stops_at_the_row_limit() {
        let mut data = b"a,b\n1,\"2\n".to_vec();
        while data.len() <= MAX_RECORD_BYTES + 10 {
            data.extend_from_slice(b"3,4\n");
        }
        assert_eq!(
            records(&data),
            Err(FileError::RowTooLong {
                line: 2,
                max_bytes: MAX_RECORD_BYTES
            })
        );
    }

    #[test]
    fn encodings() {
        let text = "h1\th2\r\nä\t2\r\n";
        let mut le = vec![0xFF, 0xFE];
        le.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
        let got = records(&le).unwrap();
        assert_eq!(got[1].1, vec!["ä", "2"]);
        let mut be = vec![0xFE, 0xFF];
        be.extend(text.encode_utf16().flat_map(|u| u.to_be_bytes()));
        assert_eq!(records(&be).unwrap(), got);
        let bare: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        assert_eq!(records(&bare).unwrap(), got);
        let mut bom = b"\xEF\xBB\xBFh1;h2\n".to_vec();
        bom.extend_from_slice(b"1;2\n");
        assert_eq!(records(&bom).unwrap()[0].1, vec!["h1", "h2"]);
    }

    #[test]
    fn excel_sep_line_sets_the_delimiter() {
        let got = records(b"sep=;\na;b\n1;2\n").unwrap();
        assert_eq!(got[0], (2, vec!["a".to_string(), "b".to_string()]));
    }

    #[test]
    fn refuses_binary_and_empty() {
        assert_eq!(records(b"").unwrap_err(), FileError::Empty);
        assert!(matches!(
            records(b"PK\x03\x04rest"),
            Err(FileError::NotText { .. })
        ));
    }
}
