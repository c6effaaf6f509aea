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

/// True when the writer `(pid, instance)` may still finish its record.
///
/// Our own pid: alive only if the instance is open in this process. Another
/// pid: alive while `/proc/<pid>` exists. Without `/proc` (not Linux) we
/// cannot tell, so another pid counts as alive: never touch a live
/// instance's records.
pub(crate) fn writer_alive(pid: i64, instance: u64) -> bool {
    if pid == i64::from(std::process::id()) {
        return OPEN_INSTANCES
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(&instance);
    }
    let proc_root = Path::new("/proc");
    if !proc_root.join("self").exists() {
        return true;
    }
    pid > 0 && proc_root.join(pid.to_string()).is_dir()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_pid_is_alive_only_for_open_instances() {
        let me = i64::from(std::process::id());
        let id = register();
        assert!(writer_alive(me, id));
        unregister(id);
        assert!(!writer_alive(me, id));
    }

    #[test]
    fn a_finished_child_is_dead_and_a_running_one_alive() {
        let mut running = std::process::Command::new("cat")
            .stdin(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        assert!(writer_alive(i64::from(running.id()), 1));
        drop(running.stdin.take());
        let pid = i64::from(running.id());
        running.wait().unwrap();
        assert!(!writer_alive(pid, 1));
        assert!(!writer_alive(-5, 1));
    }
}
