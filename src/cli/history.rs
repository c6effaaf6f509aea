//! `tae-rescan history`: every recorded rescan, filtered, for people and tools.

use std::io::Write;
use std::process::ExitCode;

use super::{Cli, HistoryArgs, HistoryFormat, UsageError};
use crate::api::outcome::OutcomeKind;
use crate::export::{self, Format};
use crate::store::HistoryQuery;

/// Prints the matching records, oldest first.
pub async fn run(cli: &Cli, args: &HistoryArgs) -> Result<ExitCode, UsageError> {
    super::check_config(cli)?;
    let since = args.since.as_deref().map(parse_since).transpose()?;
    let outcome = args
        .outcome
        .as_deref()
        .map(OutcomeKind::parse)
        .transpose()
        .map_err(|e| UsageError(format!("--outcome: {e}")))?;
    let store = super::open_store(super::data_dir(cli))?;
    let query = HistoryQuery {
        since,
        outcome,
        task: args.task.clone(),
        oldest_first: true,
        ..HistoryQuery::default()
    };
    let records = store
        .history(query)
        .await
        .map_err(|e| UsageError(e.to_string()))?;
    let format = match args.output {
        HistoryFormat::Text => Format::Text,
        HistoryFormat::Json => Format::Json,
        HistoryFormat::Csv => Format::Csv,
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match export::write(&records, format, &mut out).and_then(|()| out.flush()) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => super::output::output_error(e),
    }
}

/// `--since`: a span back from now as jiff reads spans (`90s`, `1h30m`,
/// `2 days`, `1w`, ISO 8601 `PT90M`), or an RFC 3339 time. Returns unix
/// milliseconds. Days, weeks, months and years count back in UTC's calendar.
pub fn parse_since(raw: &str) -> Result<i64, UsageError> {
    let raw = raw.trim();
    if let Ok(ts) = raw.parse::<jiff::Timestamp>() {
        return Ok(ts.as_millisecond());
    }
    let bad = || {
        UsageError(format!(
            "--since: '{raw}' is neither a span back from now (90s, 1h30m, 2 days, PT90M) nor an RFC 3339 time (2026-11-26T10:00:00Z)"
        ))
    };
    let span: jiff::Span = raw.parse().map_err(|_| bad())?;
    if span.is_negative() {
        return Err(bad());
    }
    let now = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC);
    let then = now.checked_sub(span).map_err(|_| bad())?;
    Ok(then.timestamp().as_millisecond())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_durations_and_times() {
        let now = jiff::Timestamp::now().as_millisecond();
        for (span, ms) in [
            ("1h", 3_600_000),
            ("90s", 90_000),
            ("15m", 900_000),
            ("1h30m", 5_400_000),
            ("2 days", 172_800_000),
            ("1w", 604_800_000),
            ("PT90M", 5_400_000),
        ] {
            let back = now - parse_since(span).unwrap();
            assert!((back - ms).abs() < 5_000, "{span}: {back} ms");
        }
        assert_eq!(
            parse_since("2026-11-26T10:00:00Z").unwrap(),
            1_795_687_200_000
        );
        for bad in [
            "",
            "h",
            "1 fortnight",
            "yesterday",
            "-1h",
            "99999999999999999w",
        ] {
            assert!(parse_since(bad).is_err(), "{bad}");
        }
    }
}
