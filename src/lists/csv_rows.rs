//! CSV list files read row by row within fixed bounds.
//!
//! Every CSV loader reads its rows here rather than through `csv::Reader`,
//! for two reasons. Memory: a row is parsed into buffers of
//! [`MAX_LIST_ROW_BYTES`] and [`MAX_LIST_ROW_FIELDS`] allocated once, so a
//! row of 10,000 columns or a megabyte-long field is a malformed row naming
//! its line, never a growing buffer. Truncation: `csv` ends a quoted field
//! silently at the end of the input, so a download cut inside the remarks
//! of an OFAC row parsed as a complete (shorter) list; here a quoted field
//! still open at the end of the file is [`RowError::Truncated`], and so
//! is a last row without a line break after it (RFC 4180 allows one, but
//! a row cut inside its last field would otherwise parse as complete).

use csv_core::{ReadRecordResult, Reader};

/// Longest row of a CSV list file, in bytes after unquoting (1 MiB). OFAC
/// rows are under 8 KiB (remarks are cut at 1,000 characters, their
/// continuations in `sdn_comments.csv` under 8,000); the limit leaves room
/// for watchlists with many aliases. A longer row is a malformed record.
pub const MAX_LIST_ROW_BYTES: usize = 1 << 20;

/// Most fields in one row of a CSV list file. OFAC `sdn.csv` has 12, the
/// OFSI ConList 28, a watchlist 8; a wider row is a malformed record.
pub const MAX_LIST_ROW_FIELDS: usize = 256;

/// One parsed row and the line it starts on (1-based).
#[derive(Debug)]
pub(crate) struct Row {
    pub line: u64,
    pub record: csv::StringRecord,
}

/// Why a row could not be read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RowError {
    /// This row is malformed (too long, too wide, not UTF-8); the rows
    /// after it can still be read.
    Row { line: u64, message: String },
    /// The file ends inside a row: nothing after `line` was read.
    Truncated { line: u64, message: String },
}

/// Iterator over the rows of CSV bytes (RFC 4180 quoting, a leading BOM
/// skipped, blank lines ignored).
pub(crate) struct Rows<'a> {
    input: &'a [u8],
    pos: usize,
    core: Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    pending: Option<RowError>,
    done: bool,
}

impl<'a> Rows<'a> {
    pub(crate) fn new(input: &'a [u8]) -> Rows<'a> {
        Rows {
            input,
            pos: 0,
            core: Reader::new(),
            out: vec![0; MAX_LIST_ROW_BYTES],
            ends: vec![0; MAX_LIST_ROW_FIELDS],
            pending: None,
            done: false,
        }
    }
}

impl Iterator for Rows<'_> {
    type Item = Result<Row, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return self.pending.take().map(Err);
        }
        let start = self.pos;
        let line = self.core.line();
        let (mut nout, mut nend) = (0usize, 0usize);
        let mut too_big: Option<String> = None;
        loop {
            let input = &self.input[self.pos..];
            let at_eof = input.is_empty();
            let (result, nin, out, end) =
                self.core
                    .read_record(input, &mut self.out[nout..], &mut self.ends[nend..]);
            self.pos += nin;
            nout += out;
            nend += end;
            match result {
                ReadRecordResult::InputEmpty if at_eof => {
                    self.done = true;
                    return None;
                }
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => {
                    // read on to the row's end, discarding, to resume after it
                    too_big.get_or_insert_with(|| {
                        format!("row longer than the limit of {MAX_LIST_ROW_BYTES} bytes")
                    });
                    (nout, nend) = (0, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    too_big.get_or_insert_with(|| {
                        format!("row has more than the limit of {MAX_LIST_ROW_FIELDS} fields")
                    });
                    (nout, nend) = (0, 0);
                }
                ReadRecordResult::End => {
                    self.done = true;
                    return None;
                }
                ReadRecordResult::Record => {
                    // blank lines before the row were read with it
                    let line = line
                        + self.input[start..self.pos]
                            .iter()
                            .take_while(|&&b| b == b'\r' || b == b'\n')
                            .filter(|&&b| b == b'\n')
                            .count() as u64;
                    // a row is only ended by the end of input when no line
                    // break follows it
                    if at_eof {
                        self.done = true;
                        let raw = &self.input[start..self.pos];
                        if raw.iter().filter(|&&b| b == b'"').count() % 2 == 1 {
                            return Some(Err(RowError::Truncated {
                                line,
                                message: "a quoted field opened in this row is still open at the end of the file: truncated file, or a missing closing quote".into(),
                            }));
                        }
                        // the row itself first, so a caller can tell another
                        // format from a cut one
                        self.pending = Some(RowError::Truncated {
                            line,
                            message: "the file ends inside this row, with no line break after it: truncated file? (a complete list file ends with a line break)".into(),
                        });
                    }
                    if let Some(message) = too_big {
                        return Some(Err(RowError::Row { line, message }));
                    }
                    return Some(self.record(line, nout, nend));
                }
            }
        }
    }
}

impl Rows<'_> {
    fn record(&self, line: u64, nout: usize, nend: usize) -> Result<Row, RowError> {
        let mut bytes = csv::ByteRecord::with_capacity(nout, nend);
        let mut from = 0;
        for &to in &self.ends[..nend] {
            bytes.push_field(&self.out[from..to]);
            from = to;
        }
        match csv::StringRecord::from_byte_record(bytes) {
            Ok(record) => Ok(Row { line, record }),
            Err(e) => Err(RowError::Row {
                line,
                message: format!("field {} is not valid UTF-8", e.utf8_error().field() + 1),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &[u8]) -> Vec<Result<Vec<String>, RowError>> {
        Rows::new(text)
            .map(|r| r.map(|row| row.record.iter().map(str::to_owned).collect()))
            .collect()
    }

    #[test]
    fn quoting_blank_lines_and_lines() {
        let text = b"\xef\xbb\xbfa,\"b,\"\"c\"\"\"\r\n\r\nd,\"e\nf\"\ng\n";
        let lines: Vec<u64> = Rows::new(text).map(|r| r.unwrap().line).collect();
        assert_eq!(lines, [1, 3, 5]);
        assert_eq!(
            rows(text)[0].as_ref().unwrap(),
            &["a".to_owned(), "b,\"c\"".to_owned()]
        );
        assert_eq!(rows(text)[1].as_ref().unwrap()[1], "e\nf");
        // a last row without a line break may be cut short
        let cut: Vec<_> = Rows::new(b"a,b\nc,d").collect();
        assert!(cut[1].is_ok(), "the cut row is read, then reported");
        assert!(matches!(cut[2], Err(RowError::Truncated { line: 2, .. })));
    }

    #[test]
    fn a_quoted_field_open_at_the_end_is_truncation() {
        let got = rows(b"a,b\nc,\"d\ne,f\n");
        assert!(got[0].is_ok());
        match &got[1] {
            Err(RowError::Truncated { line: 2, message }) => {
                assert!(message.contains("still open at the end"), "{message}")
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(got.len(), 2);
    }

    #[test]
    fn wide_and_long_rows_are_row_errors_and_reading_resumes() {
        let wide = vec!["x"; 10_000].join(",");
        let long = "y".repeat(MAX_LIST_ROW_BYTES + 10);
        let text = format!("a,b\n{wide}\n{long}\nc,d\n");
        let got = rows(text.as_bytes());
        assert_eq!(got.len(), 4);
        match &got[1] {
            Err(RowError::Row { line: 2, message }) => {
                assert!(
                    message.contains("more than the limit of 256 fields"),
                    "{message}"
                )
            }
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(&got[2], Err(RowError::Row { line: 3, message }) if message.contains("longer than"))
        );
        assert_eq!(got[3].as_ref().unwrap(), &["c".to_owned(), "d".to_owned()]);
        assert!(matches!(&rows(b"a,\xff\n")[0], Err(RowError::Row { .. })));
    }
}
