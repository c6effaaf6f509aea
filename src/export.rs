//! History in the formats other tools read: CSV, JSON lines, and aligned
//! text for people. The field names are those of `rescan --output json`,
//! plus `time` (RFC 3339, UTC) and `params` (secrets already masked).

use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use crate::store::HistoryRecord;

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
    time: String,
    params: &'a str,
}

/// The field names in order, for CSV headers and documentation.
pub const FIELDS: [&str; 10] = [
    "task_id",
    "status",
    "outcome",
    "error",
    "description",
    "new_task_id",
    "attempts",
    "elapsed_ms",
    "time",
    "params",
];

fn rfc3339(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

fn exported(r: &HistoryRecord) -> Exported<'_> {
    Exported {
        task_id: &r.task_id,
        status: r.status,
        outcome: &r.outcome,
        error: r.error.as_deref(),
        description: r.description.as_deref(),
        new_task_id: r.new_task_id.as_deref(),
        attempts: r.attempts,
        elapsed_ms: r.elapsed_ms,
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
        Format::Csv => {
            let mut csv = csv::Writer::from_writer(out);
            for r in records {
                csv.serialize(exported(r)).map_err(io::Error::other)?;
            }
            if records.is_empty() {
                csv.write_record(FIELDS).map_err(io::Error::other)?;
            }
            csv.flush()?;
        }
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
