//! A finished answer as the store tests record it: HTTP 200 headers aside,
//! an outcome and its description, one try of 42 ms at 2,000 ms.

use tae_rescan::store::Finish;

/// The answer that ends a record: `outcome` (a label) with `description`.
pub fn fin(outcome: &str, description: &str) -> Finish {
    Finish {
        status: Some(200),
        outcome: outcome.parse().unwrap(),
        description: Some(description.into()),
        attempts: 1,
        elapsed_ms: 42,
        queued_ms: 0,
        finished_at: 2_000,
        error: None,
        new_task_id: None,
        body: None,
    }
}
