//! History in the formats other tools read: CSV, JSON lines, and aligned
//! text for people. The field names are those of `rescan --output json`,
//! plus `time` (RFC 3339, UTC, milliseconds: see [`crate::times`]) and
//! `params` (secrets already masked).

use std::borrow::Cow;
use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use crate::store::HistoryRecord;
use crate::times::rfc3339_ms as rfc3339;

/// An output format for history records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One aligned line per record.
    Text,
    /// One JSON object per line.
    Json,
    /// CSV with a header row.
    Csv,
}

impl Format {
    /// CSV for a `.csv` file, JSON lines otherwise.
    pub fn for_path(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("csv") => Format::Csv,
            _ => Format::Json,
        }
    }
}

/// One exported record; the field order is the documented one.
#[derive(Debug, Serialize)]
struct Exported<'a> {
    task_id: &'a str,
    status: Option<u16>,
    outcome: &'a str,
    error: Option<&'a str>,
    description: Option<&'a str>,
    new_task_id: Option<&'a str>,
    attempts: u32,
    elapsed_ms: Option<u64>,
    queued_ms: Option<u64>,
    time: String,
    params: &'a str,
}

/// The field names in order, for CSV headers and documentation.
pub const FIELDS: [&str; 11] = [
    "task_id",
    "status",
    "outcome",
    "error",
    "description",
    "new_task_id",
    "attempts",
    "elapsed_ms",
    "queued_ms",
    "time",
    "params",
];

fn exported(r: &HistoryRecord) -> Exported<'_> {
    Exported {
        task_id: &r.task_id,
        status: r.status,
        outcome: r.outcome.label(),
        error: r.error.as_deref(),
        description: r.description.as_deref(),
        new_task_id: r.new_task_id.as_deref(),
        attempts: r.attempts,
        elapsed_ms: r.elapsed_ms,
        queued_ms: r.queued_ms,
        time: rfc3339(r.time),
        params: &r.params,
    }
}

/// Writes `records` in `format`.
pub fn write(records: &[HistoryRecord], format: Format, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Json => {
            for r in records {
                serde_json::to_writer(&mut *out, &exported(r))?;
                out.write_all(b"\n")?;
            }
        }
        Format::Csv => write_csv(out, &FIELDS, records.iter().map(exported))?,
        Format::Text => {
            for r in records {
                let status = r.status.map_or("—".to_owned(), |s| s.to_string());
                let description = crate::text::sanitize(r.description.as_deref().unwrap_or(""));
                writeln!(
                    out,
                    "{}  {:<34}  {:<20}  {:>3}  {description}",
                    rfc3339(r.time),
                    r.task_id,
                    r.outcome,
                    status
                )?;
            }
        }
    }
    Ok(())
}

/// Starts a cell with `'` when a spreadsheet would otherwise run it as a
/// formula (`=`, `+`, `-`, `@`, a tab or a carriage return first): server
/// text, labels and URLs end up in CSV files that analysts open. A cell
/// that already starts with `'` gets one more, since a spreadsheet hides
/// the first one and [`csv_uncell`] must tell the two apart.
pub fn csv_cell(cell: &str) -> Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r' | b'\'') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// [`csv_cell`] undone, for reading our own exports back (`tasks import`
/// of a `tasks export`): a `'` that stands before a character a
/// spreadsheet would run (or before another `'`) is dropped, so `'-abc` is
/// the task id `-abc` again.
pub fn csv_uncell(cell: &str) -> &str {
    match cell.as_bytes() {
        [b'\'', b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r' | b'\'', ..] => &cell[1..],
        _ => cell,
    }
}

/// The one CSV writer of every export (`history --output csv`, the
/// dashboard's export, `tasks export`): `header`, then one row per item,
/// its fields in the order of `header` (which must name every field of
/// its `Serialize`), each cell passed through [`csv_cell`].
pub fn write_csv<T: Serialize>(
    out: &mut dyn Write,
    header: &[&str],
    rows: impl IntoIterator<Item = T>,
) -> io::Result<()> {
    use serde_json::Value;
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(header.iter().map(|h| csv_cell(h).into_owned()))
        .map_err(csv_io)?;
    // Every field of the row becomes a cell, whatever its type, so none
    // can be left unescaped.
    let mut cells: Vec<String> = Vec::with_capacity(header.len());
    for row in rows {
        let fields = match serde_json::to_value(row)? {
            Value::Object(fields) if fields.len() == header.len() => fields,
            _ => return Err(io::Error::other("a CSV row does not match its header")),
        };
        cells.clear();
        for name in header {
            let cell = match fields.get(*name) {
                Some(Value::Null) => String::new(),
                Some(Value::String(text)) => csv_cell(text).into_owned(),
                Some(other) => csv_cell(&other.to_string()).into_owned(),
                None => return Err(io::Error::other("a CSV row does not match its header")),
            };
            cells.push(cell);
        }
        csv.write_record(&cells).map_err(csv_io)?;
    }
    csv.flush()
}

/// The I/O error inside a CSV error, so a closed pipe stays a closed pipe
/// (callers end quietly on it); other CSV errors wrap as they are.
fn csv_io(e: csv::Error) -> io::Error {
    if !e.is_io_error() {
        return io::Error::other(e);
    }
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        _ => io::Error::other("the CSV writer failed"),
    }
}

/// Creates `path` for writing, refusing to overwrite an existing file:
/// exports never cost the user data.
pub fn create_new(path: &Path) -> Result<io::BufWriter<std::fs::File>, String> {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| {
            if e.kind() == io::ErrorKind::AlreadyExists {
                format!(
                    "{} already exists; choose another name (nothing was overwritten)",
                    path.display()
                )
            } else {
                format!(
                    "cannot create {}: {}",
                    path.display(),
                    crate::text::io_reason(&e)
                )
            }
        })?;
    Ok(io::BufWriter::new(file))
}

/// Writes `records` to a new file at `path` (CSV for `.csv`, else JSON
/// lines). An existing file is never overwritten.
pub fn to_new_file(records: &[HistoryRecord], path: &Path) -> Result<(), String> {
    let mut out = create_new(path)?;
    write(records, Format::for_path(path), &mut out)
        .and_then(|()| out.flush())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quoted_cell_reads_back_as_it_was() {
        for raw in [
            "-abc", "=1+2", "+x", "@SUM(A1)", "\tt", "\rr", "plain", "'kept", "'=x", "''", "",
        ] {
            assert_eq!(csv_uncell(&csv_cell(raw)), raw, "{raw:?}");
        }
    }

    #[test]
    fn cells_a_spreadsheet_would_run_get_a_quote_first() {
        for (raw, safe) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tcmd", "'\tcmd"),
            ("\rcmd", "'\rcmd"),
            ("plain", "plain"),
            ("a=b", "a=b"),
            ("", ""),
            // A spreadsheet hides a leading quote: one more keeps it shown,
            // and lets an import tell it from ours.
            ("'=already", "''=already"),
        ] {
            assert_eq!(csv_cell(raw), safe, "{raw:?}");
        }
    }

    fn record(description: &str) -> HistoryRecord {
        HistoryRecord {
            id: crate::store::RecordId(1),
            task_id: "t-1".into(),
            time: 0,
            params: String::new(),
            status: Some(400),
            outcome: crate::api::outcome::OutcomeKind::Rejected,
            error: Some("@err".into()),
            description: Some(description.into()),
            new_task_id: None,
            body: None,
            attempts: 1,
            elapsed_ms: Some(5),
            queued_ms: Some(2),
            finished_at: Some(5),
            finished: true,
        }
    }

    #[test]
    fn history_csv_escapes_every_cell_and_keeps_quoting() {
        let mut out = Vec::new();
        let records = [record("=HYPERLINK(\"http://x\",\"a, b\")"), record("fine")];
        write(&records, Format::Csv, &mut out).unwrap();
        let mut reader = csv::Reader::from_reader(out.as_slice());
        assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), FIELDS);
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[0][3], "'@err");
        assert_eq!(&rows[0][4], "'=HYPERLINK(\"http://x\",\"a, b\")");
        assert_eq!(&rows[1][4], "fine");
        assert_eq!(&rows[0][0], "t-1");
        assert_eq!(&rows[0][1], "400");
    }

    #[test]
    fn times_are_utc_with_three_fraction_digits_in_every_format() {
        let mut at_whole_second = record("x");
        at_whole_second.time = 1_795_000_000_000;
        let mut at_tenth = record("y");
        at_tenth.time = 1_795_000_000_100;
        let records = [at_whole_second, at_tenth];
        let expected = ["2026-11-18T11:06:40.000Z", "2026-11-18T11:06:40.100Z"];
        let mut json = Vec::new();
        write(&records, Format::Json, &mut json).unwrap();
        let times: Vec<String> = String::from_utf8(json)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["time"].to_string())
            .collect();
        assert_eq!(times, expected.map(|t| format!("\"{t}\"")));
        let mut csv = Vec::new();
        write(&records, Format::Csv, &mut csv).unwrap();
        let mut reader = csv::Reader::from_reader(csv.as_slice());
        let times: Vec<String> = reader.records().map(|r| r.unwrap()[9].to_owned()).collect();
        assert_eq!(times, expected);
        let mut text = Vec::new();
        write(&records, Format::Text, &mut text).unwrap();
        let starts: Vec<String> = String::from_utf8(text)
            .unwrap()
            .lines()
            .map(|l| l[..24].to_owned())
            .collect();
        assert_eq!(starts, expected);
    }

    #[test]
    fn an_empty_history_csv_is_its_header() {
        let mut out = Vec::new();
        write(&[], Format::Csv, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("{}\n", FIELDS.join(","))
        );
    }
}
