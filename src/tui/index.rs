//! Task id → row position, for worker events and loads that name a task.

use std::hash::BuildHasher;

use hashbrown::{DefaultHashBuilder, HashTable};

use super::rows::TaskRow;
use crate::api::TaskId;

/// Finds a row by task id without a second copy of every id: the table
/// holds only positions and compares against the rows themselves. At
/// 100,000 tasks that is about 0.5 MB instead of about 9 MB for a
/// `HashMap<TaskId, usize>`.
#[derive(Debug, Default)]
pub struct RowIndex {
    table: HashTable<u32>,
    hasher: DefaultHashBuilder,
}

impl RowIndex {
    /// Where `id` sits in `rows`, if listed.
    pub fn get(&self, rows: &[TaskRow], id: &TaskId) -> Option<usize> {
        let hash = self.hasher.hash_one(id.as_str());
        self.table
            .find(hash, |&at| rows[at as usize].id == *id)
            .map(|&at| at as usize)
    }

    /// Records that `id` will sit at `at` (the next position after
    /// `rows`), unless it is listed already: one hash and one probe for
    /// both the check and the insert. Returns whether it was new.
    pub fn insert_new(&mut self, rows: &[TaskRow], id: &TaskId, at: usize) -> bool {
        let hasher = &self.hasher;
        let hash = hasher.hash_one(id.as_str());
        let entry = self.table.entry(
            hash,
            |&other| rows[other as usize].id == *id,
            |&other| hasher.hash_one(rows[other as usize].id.as_str()),
        );
        match entry {
            hashbrown::hash_table::Entry::Occupied(_) => false,
            hashbrown::hash_table::Entry::Vacant(slot) => {
                slot.insert(u32::try_from(at).expect("fewer than 4 billion rows"));
                true
            }
        }
    }

    /// Room for `more` rows without rehashing as they come.
    pub fn reserve(&mut self, rows: &[TaskRow], more: usize) {
        let hasher = &self.hasher;
        self.table
            .reserve(more, |&at| hasher.hash_one(rows[at as usize].id.as_str()));
    }

    /// The index of `rows` from scratch, after rows were removed.
    pub fn rebuild(&mut self, rows: &[TaskRow]) {
        self.table.clear();
        self.reserve(rows, rows.len());
        for (at, row) in rows.iter().enumerate() {
            self.insert_new(&rows[..at], &row.id, at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::ImportedTask;

    fn rows(ids: &[&str]) -> Vec<TaskRow> {
        ids.iter()
            .map(|id| {
                TaskRow::new(ImportedTask {
                    id: TaskId::parse(id).unwrap(),
                    label: None,
                    url: None,
                })
            })
            .collect()
    }

    fn id(s: &str) -> TaskId {
        TaskId::parse(s).unwrap()
    }

    #[test]
    fn finds_each_row_and_nothing_else() {
        let list = rows(&["a", "b", "c"]);
        let mut index = RowIndex::default();
        index.reserve(&list, list.len());
        for (at, row) in list.iter().enumerate() {
            assert!(index.insert_new(&list[..at], &row.id, at));
        }
        assert!(
            !index.insert_new(&list, &id("b"), list.len()),
            "listed already"
        );
        assert_eq!(index.get(&list, &id("b")), Some(1));
        assert_eq!(index.get(&list, &id("c")), Some(2));
        assert_eq!(index.get(&list, &id("d")), None);
    }

    #[test]
    fn a_rebuild_follows_removed_rows() {
        let mut list = rows(&["a", "b", "c"]);
        let mut index = RowIndex::default();
        index.rebuild(&list);
        list.remove(0);
        index.rebuild(&list);
        assert_eq!(index.get(&list, &id("a")), None);
        assert_eq!(index.get(&list, &id("c")), Some(1));
    }
}
