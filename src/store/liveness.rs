//! Telling whether the writer of an unfinished history record can still
//! finish it: a process id plus an instance id chosen when a `Store` opens.

use std::path::Path;
use std::sync::{Mutex, PoisonError};

/// Instance ids of the `Store`s open in this process right now.
///
/// Two `Store`s in one process share a pid, so the pid alone cannot tell a
/// live sibling from a pid reused after a restart; this list can.
static OPEN_INSTANCES: Mutex<Vec<u64>> = Mutex::new(Vec::new());

/// Picks a fresh random instance id and records it as open in this process.
pub(crate) fn register() -> u64 {
    let mut open = OPEN_INSTANCES
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let mut id = fastrand::u64(..);
    while open.contains(&id) {
        id = fastrand::u64(..);
    }
    open.push(id);
    id
}

/// Forgets an instance id when its `Store` is dropped: records it left
/// unfinished can no longer be finished by anyone.
pub(crate) fn unregister(id: u64) {
    let mut open = OPEN_INSTANCES
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    open.retain(|i| *i != id);
}

/// Who wrote a history record or an intent log: a process and a store
/// instance in it. Records carry it in their `pid` and `instance` columns,
/// logs in their file names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Writer {
    /// The process id.
    pub(crate) pid: i64,
    /// The store instance (see [`register`]).
    pub(crate) instance: u64,
}

impl Writer {
    /// This process, through the store instance `instance`.
    pub(crate) fn this(instance: u64) -> Self {
        Writer {
            pid: i64::from(std::process::id()),
            instance,
        }
    }

    /// True when this writer may still finish its records.
    ///
    /// Our own pid: alive only if the instance is open in this process.
    /// Another pid: alive while `/proc/<pid>` exists. Without `/proc` (not
    /// Linux) we cannot tell, so another pid counts as alive: never touch a
    /// live instance's records.
    pub(crate) fn alive(self) -> bool {
        if self.pid == i64::from(std::process::id()) {
            return OPEN_INSTANCES
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .contains(&self.instance);
        }
        let proc_root = Path::new("/proc");
        if !proc_root.join("self").exists() {
            return true;
        }
        self.pid > 0 && proc_root.join(self.pid.to_string()).is_dir()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_pid_is_alive_only_for_open_instances() {
        let id = register();
        assert!(Writer::this(id).alive());
        unregister(id);
        assert!(!Writer::this(id).alive());
    }

    #[test]
    fn a_finished_child_is_dead_and_a_running_one_alive() {
        let mut running = std::process::Command::new("cat")
            .stdin(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let writer = |pid: i64| Writer { pid, instance: 1 };
        assert!(writer(i64::from(running.id())).alive());
        drop(running.stdin.take());
        let pid = i64::from(running.id());
        running.wait().unwrap();
        assert!(!writer(pid).alive());
        assert!(!writer(-5).alive());
    }
}
