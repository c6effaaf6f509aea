//! Named values the dashboard keeps across restarts (the task list's
//! filter and sort): text in, the same text out, read back at start.

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};

impl Store {
    /// The value last saved under `name`, if any.
    pub fn setting(&self, name: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row("SELECT value FROM settings WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// Saves `value` under `name`, replacing what was there.
    pub fn set_setting(&self, name: &str, value: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO settings (name, value) VALUES (?1, ?2)
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                params![name, value],
            )
            .map(drop)
            .map_err(|e| self.sql(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_setting_reads_back_after_reopening_and_is_replaced_by_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.setting("tasks_view").unwrap(), None);
        store.set_setting("tasks_view", "one").unwrap();
        store.set_setting("tasks_view", "two").unwrap();
        drop(store);
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.setting("tasks_view").unwrap().as_deref(), Some("two"));
        assert_eq!(store.setting("other").unwrap(), None);
    }
}
