//! A CSV file read with the `csv` crate into a header index plus raw byte rows.
//!
//! Headers are matched by name, case-insensitively after trimming, so column order may vary.
//! Rows are kept as [`csv::ByteRecord`]s so that a row with invalid UTF-8 becomes a problem for
//! that row instead of aborting the whole file.

use std::collections::HashMap;

use accolade_proto::ImportProblem;
use csv::{ByteRecord, StringRecord};

use crate::text::strip_bom;
use crate::RosterError;

/// One parsed CSV file.
pub(crate) struct Table {
    /// File name used in problems and errors, e.g. `"users.csv"`.
    pub file: String,
    /// Header cells, trimmed, original case.
    pub header: Vec<String>,
    /// Lower-cased header name → first column index with that name.
    index: HashMap<String, usize>,
    /// Data rows (blank rows already dropped).
    rows: Vec<RawRow>,
}

enum RawRow {
    Record { line: u64, record: ByteRecord },
    Broken { line: u64, reason: String },
}

/// A data row whose text is valid UTF-8 and which has every required column.
pub(crate) struct Row {
    /// 1-based line in the file where the record starts (header = line 1).
    pub line: u64,
    record: StringRecord,
}

impl Row {
    /// The field in column `idx`, trimmed; `""` if the row is shorter.
    pub fn get(&self, idx: Option<usize>) -> &str {
        idx.and_then(|i| self.record.get(i)).unwrap_or("").trim()
    }

    /// Number of fields in the row.
    pub fn len(&self) -> usize {
        self.record.len()
    }
}

/// Real 1-based line numbers of records, from the byte offsets the `csv` crate reports.
///
/// `Position::line()` cannot be used directly: for CRLF files (and after skipped blank lines)
/// the reader snapshots the position before consuming the previous line's `\n`, so it is one
/// line short. The byte offset has the same lag, so leading line-end bytes are skipped here
/// before counting the line ends in front of the record.
struct LineIndex<'a> {
    bytes: &'a [u8],
    newlines: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        // A line ends at LF, or at a CR not followed by LF (old Mac files).
        let newlines = bytes
            .iter()
            .enumerate()
            .filter(|&(i, b)| *b == b'\n' || (*b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
            .map(|(i, _)| i)
            .collect();
        LineIndex { bytes, newlines }
    }

    fn line_at(&self, byte: u64) -> u64 {
        let mut start = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        while matches!(self.bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        1 + self.newlines.partition_point(|&nl| nl < start) as u64
    }

    fn line_of(&self, record: &ByteRecord) -> u64 {
        record.position().map_or(0, |p| self.line_at(p.byte()))
    }
}

fn is_blank(record: &ByteRecord) -> bool {
    record.iter().all(|f| f.trim_ascii().is_empty())
}

impl Table {
    /// Reads `bytes` (BOM stripped, CRLF or LF, quoted fields) as a CSV file with a header row.
    ///
    /// Errors: [`RosterError::NotUtf8`] if the header row is not UTF-8. An empty file yields a
    /// table with an empty header, which fails [`Table::require`].
    pub fn read(file: &str, bytes: &[u8]) -> Result<Table, RosterError> {
        let bytes = strip_bom(bytes);
        let lines = LineIndex::new(bytes);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        let mut header: Option<Vec<String>> = None;
        let mut rows = Vec::new();
        for result in reader.byte_records() {
            let record = match result {
                Ok(r) => r,
                Err(e) => {
                    // Not expected for in-memory, flexible byte records; stop safely.
                    let line = e.position().map_or(0, |p| lines.line_at(p.byte()));
                    rows.push(RawRow::Broken {
                        line,
                        reason: format!("the rest of the file could not be read: {e}"),
                    });
                    break;
                }
            };
            if is_blank(&record) {
                continue;
            }
            if header.is_none() {
                let line = lines.line_of(&record);
                let strings =
                    StringRecord::from_byte_record(record).map_err(|_| RosterError::NotUtf8 {
                        file: file.to_owned(),
                        line,
                    })?;
                header = Some(
                    strings
                        .iter()
                        .map(|h| {
                            // A second BOM (file saved twice) must not spoil the first column.
                            h.trim().trim_start_matches('\u{FEFF}').trim().to_owned()
                        })
                        .collect(),
                );
                continue;
            }
            rows.push(RawRow::Record {
                line: lines.line_of(&record),
                record,
            });
        }
        let header = header.unwrap_or_default();
        let mut index = HashMap::new();
        for (i, h) in header.iter().enumerate() {
            index.entry(h.to_lowercase()).or_insert(i);
        }
        Ok(Table {
            file: file.to_owned(),
            header,
            index,
            rows,
        })
    }

    /// Column index of `name` (case-insensitive), if present.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.index.get(&name.to_lowercase()).copied()
    }

    /// The required columns that are absent from the header, in the order given.
    pub fn missing(&self, required: &[&str]) -> Vec<String> {
        required
            .iter()
            .filter(|c| self.column(c).is_none())
            .map(|c| (*c).to_owned())
            .collect()
    }

    /// Checks that every required column is present.
    ///
    /// Errors: [`RosterError::BadHeader`] listing the absent columns.
    pub fn require(&self, required: &[&str]) -> Result<(), RosterError> {
        let missing = self.missing(required);
        if missing.is_empty() {
            Ok(())
        } else {
            Err(RosterError::BadHeader {
                file: self.file.clone(),
                missing,
            })
        }
    }

    /// Builds a problem for this file.
    pub fn problem(&self, line: u64, reason: impl Into<String>) -> ImportProblem {
        ImportProblem {
            file: self.file.clone(),
            line,
            reason: reason.into(),
        }
    }

    /// Decodes the data rows. Rows that are not valid UTF-8, or too short to hold every
    /// `required` column, become problems.
    pub fn rows(&self, required: &[&str]) -> Vec<Result<Row, ImportProblem>> {
        let required: Vec<(&str, usize)> = required
            .iter()
            .filter_map(|c| self.column(c).map(|i| (*c, i)))
            .collect();
        self.rows
            .iter()
            .map(|raw| match raw {
                RawRow::Broken { line, reason } => Err(self.problem(*line, reason.clone())),
                RawRow::Record { line, record } => {
                    let record = StringRecord::from_byte_record(record.clone()).map_err(|e| {
                        let field = e.utf8_error().field();
                        let column = self.header.get(field).map_or_else(
                            || format!("field {}", field + 1),
                            |h| format!("column '{h}'"),
                        );
                        self.problem(
                            *line,
                            format!(
                                "{column} contains text that is not valid UTF-8; \
                                 save the file as UTF-8 and import it again"
                            ),
                        )
                    })?;
                    if let Some((name, _)) = required.iter().find(|(_, i)| *i >= record.len()) {
                        return Err(self.problem(
                            *line,
                            format!(
                                "row has {} field(s) but the header has {}; required column \
                                 '{name}' is missing",
                                record.len(),
                                self.header.len()
                            ),
                        ));
                    }
                    Ok(Row {
                        line: *line,
                        record,
                    })
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_by_name_with_bom_and_crlf() {
        let t = Table::read("x.csv", b"\xEF\xBB\xBF B ,a\r\n1,2\r\n\r\n3,4\r\n").unwrap();
        assert_eq!(t.column("a"), Some(1));
        assert_eq!(t.column("b"), Some(0));
        let rows: Vec<_> = t.rows(&["a"]).into_iter().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].line, rows[0].get(t.column("a"))), (2, "2"));
        assert_eq!((rows[1].line, rows[1].get(t.column("b"))), (4, "3"));
    }

    #[test]
    fn line_numbers_for_every_line_ending() {
        for eol in ["\n", "\r\n", "\r"] {
            let text = ["a,b", "1,2", "", "\"x", "y\",3", "", "", "4,5", ""].join(eol);
            let t = Table::read("x.csv", text.as_bytes()).unwrap();
            let lines: Vec<_> = t.rows(&[]).into_iter().map(|r| r.unwrap().line).collect();
            assert_eq!(lines, [2, 4, 8], "{eol:?}");
        }
    }

    #[test]
    fn quoted_newlines_keep_real_line_numbers() {
        let t = Table::read("x.csv", b"a,b\n\"x\ny\",1\nz,2\n").unwrap();
        let rows: Vec<_> = t.rows(&[]).into_iter().map(Result::unwrap).collect();
        assert_eq!(rows[0].get(t.column("a")), "x\ny");
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[1].line, 4);
    }

    #[test]
    fn short_rows_and_bad_utf8_are_problems() {
        let t = Table::read("x.csv", b"a,b,c\n1\n1,2\n1,\xFF,3\n").unwrap();
        let rows = t.rows(&["a", "b"]);
        let p = rows[0].as_ref().err().unwrap();
        assert_eq!(p.line, 2);
        assert!(p.reason.contains("'b'"), "{}", p.reason);
        assert!(rows[1].is_ok());
        let p = rows[2].as_ref().err().unwrap();
        assert_eq!(p.line, 4);
        assert!(p.reason.contains("UTF-8") && p.reason.contains("'b'"));
    }

    #[test]
    fn bad_header_utf8_is_an_error() {
        let err = Table::read("x.csv", b"\n\xFFa,b\n1,2\n").err().unwrap();
        assert!(
            matches!(err, RosterError::NotUtf8 { line: 2, .. }),
            "{err:?}"
        );
    }
}
