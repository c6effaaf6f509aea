//! Aggregates for the monitoring view: counts per outcome, outcomes per time
//! bucket, and the latest failures, computed in SQL so a day of history
//! costs one small answer rather than every record.

use rusqlite::params_from_iter;
use rusqlite::types::Value;

use super::history::{HISTORY_COLUMNS, RawRecord, like_pattern, outcome_at};
use super::types::HistoryRecord;
use super::{Store, StoreError};
use crate::api::outcome::OutcomeKind;

/// What the monitoring view asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitorQuery {
    /// Only records sent at or after this time (unix ms); `None` = all.
    pub since: Option<i64>,
    /// Only this outcome.
    pub outcome: Option<OutcomeKind>,
    /// Only records whose task id, error or description contain this.
    pub text: Option<String>,
    /// Width of a chart bucket in milliseconds (at least 1).
    pub bucket_ms: i64,
    /// How many of the latest failures to return.
    pub failures: usize,
}

/// Outcomes started in one chart bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    /// Bucket start, unix ms.
    pub start: i64,
    /// Records that ended `accepted`.
    pub accepted: u64,
    /// Records that ended any other way (interrupted included).
    pub other: u64,
}

/// The monitoring view's numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MonitorData {
    /// Records per outcome (unfinished ones as `in flight`), most first.
    pub counts: Vec<(OutcomeKind, u64)>,
    /// Outcomes per bucket, oldest first; empty buckets are absent.
    pub buckets: Vec<Bucket>,
    /// The latest records that did not end `accepted`, newest first.
    pub failures: Vec<HistoryRecord>,
}

impl Store {
    /// Counts, chart buckets and latest failures for `q`.
    pub fn monitor(&self, q: &MonitorQuery) -> Result<MonitorData, StoreError> {
        let (filter, args) = filter(q);
        let sql_err = |e| self.sql(e);
        let accepted = OutcomeKind::Accepted.label();
        let mut counts = Vec::new();
        {
            let sql = format!(
                "SELECT COALESCE(outcome, '{}') AS o, count(*) FROM history WHERE {filter} \
                 GROUP BY o ORDER BY count(*) DESC",
                OutcomeKind::InFlight.label()
            );
            let mut stmt = self.conn.prepare(&sql).map_err(sql_err)?;
            let rows = stmt
                .query_map(params_from_iter(args.clone()), |r| {
                    let kind = outcome_at(r, 0)?.unwrap_or(OutcomeKind::InFlight);
                    Ok((kind, r.get::<_, i64>(1)?))
                })
                .map_err(sql_err)?;
            for row in rows {
                let (label, n) = row.map_err(sql_err)?;
                counts.push((label, u64::try_from(n).unwrap_or(0)));
            }
        }
        let mut buckets = Vec::new();
        {
            let width = q.bucket_ms.max(1);
            let sql = format!(
                "SELECT (time / {width}) * {width} AS b, \
                 SUM(outcome = '{accepted}'), \
                 SUM(outcome IS NOT NULL AND outcome != '{accepted}') \
                 FROM history WHERE {filter} GROUP BY b ORDER BY b"
            );
            let mut stmt = self.conn.prepare(&sql).map_err(sql_err)?;
            let rows = stmt
                .query_map(params_from_iter(args.clone()), |r| {
                    Ok(Bucket {
                        start: r.get(0)?,
                        accepted: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                        other: u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
                    })
                })
                .map_err(sql_err)?;
            for row in rows {
                buckets.push(row.map_err(sql_err)?);
            }
        }
        let mut failures = Vec::new();
        {
            let sql = format!(
                "SELECT {HISTORY_COLUMNS} FROM history WHERE {filter} \
                 AND outcome IS NOT NULL AND outcome != '{accepted}' ORDER BY id DESC LIMIT {}",
                q.failures
            );
            let mut stmt = self.conn.prepare(&sql).map_err(sql_err)?;
            let rows = stmt
                .query_map(params_from_iter(args), |r| RawRecord::from_row(r, 0))
                .map_err(sql_err)?;
            for row in rows {
                failures.push(row.map_err(sql_err)?.into_record(&self.path));
            }
        }
        Ok(MonitorData {
            counts,
            buckets,
            failures,
        })
    }
}

/// The WHERE clause (without `WHERE`) and its arguments for `q`.
fn filter(q: &MonitorQuery) -> (String, Vec<Value>) {
    let mut sql = String::from("1");
    let mut args = Vec::new();
    if let Some(since) = q.since {
        args.push(Value::Integer(since));
        sql.push_str(&format!(" AND time >= ?{}", args.len()));
    }
    match q.outcome {
        Some(OutcomeKind::InFlight) => sql.push_str(" AND outcome IS NULL"),
        Some(kind) => {
            args.push(Value::Text(kind.label().to_owned()));
            sql.push_str(&format!(" AND outcome = ?{}", args.len()));
        }
        None => {}
    }
    if let Some(text) = &q.text {
        args.push(Value::Text(like_pattern(text)));
        let n = args.len();
        sql.push_str(&format!(
            " AND (task_id LIKE ?{n} ESCAPE '\\' OR description LIKE ?{n} ESCAPE '\\' OR error LIKE ?{n} ESCAPE '\\')"
        ));
    }
    (sql, args)
}
