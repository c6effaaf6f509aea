//! Request slots: the concurrency cap, which the front end can change while
//! the worker runs, and the pause, which keeps every slot shut. A changed
//! limit or a pause applies to the next request that starts: requests on
//! the wire are never cut short.

use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::Notify;

/// What the front end can change about a running worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Start no new request until [`Control::Resume`].
    Pause,
    /// Start requests again.
    Resume,
    /// Most requests on the wire at once from now on (at least one).
    Concurrency(usize),
}

/// The slots every job takes one of for each request.
#[derive(Default)]
pub(super) struct Slots {
    state: Mutex<State>,
    /// Wakes whoever waits for a slot when one is given back, the limit
    /// grows or the pause ends.
    changed: Notify,
}

#[derive(Default)]
struct State {
    limit: usize,
    taken: usize,
    paused: bool,
}

impl Slots {
    /// `limit` slots, open.
    pub(super) fn new(limit: usize) -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(State {
                limit: limit.max(1),
                ..State::default()
            }),
            changed: Notify::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for a free slot while not paused. `all_if_idle`: when none is
    /// taken as it asks, it takes every slot (see
    /// `dispatch::hand_out_slots`); asked while some are taken, it takes
    /// one, however many are free by the time it gets it.
    pub(super) async fn take(self: &Arc<Self>, all_if_idle: bool) -> Slot {
        let whole = all_if_idle && self.lock().taken == 0;
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            {
                let mut state = self.lock();
                let free = match whole {
                    true => state.taken == 0,
                    false => state.taken < state.limit,
                };
                if !state.paused && free {
                    let count = if whole { state.limit } else { 1 };
                    state.taken += count;
                    return Slot {
                        slots: self.clone(),
                        count,
                    };
                }
            }
            changed.await;
        }
    }

    /// Waits while paused (a job holding a slot starts its request only
    /// once the pause ends).
    pub(super) async fn unpaused(&self) {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if !self.lock().paused {
                return;
            }
            changed.await;
        }
    }

    /// Applies what the front end asked for.
    pub(super) fn control(&self, control: Control) {
        {
            let mut state = self.lock();
            match control {
                Control::Pause => state.paused = true,
                Control::Resume => state.paused = false,
                Control::Concurrency(n) => state.limit = n.max(1),
            }
        }
        self.changed.notify_waiters();
    }

    fn give_back(&self, count: usize) {
        self.lock().taken -= count;
        self.changed.notify_waiters();
    }
}

/// Taken slots, given back when dropped.
pub(super) struct Slot {
    slots: Arc<Slots>,
    count: usize,
}

impl Slot {
    /// Keeps one slot and returns the others, if it holds more than one.
    pub(super) fn split_rest(&mut self) -> Option<Slot> {
        if self.count < 2 {
            return None;
        }
        let rest = self.count - 1;
        self.count = 1;
        Some(Slot {
            slots: self.slots.clone(),
            count: rest,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.slots.give_back(self.count);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    async fn gets(slots: &Arc<Slots>) -> Option<Slot> {
        tokio::time::timeout(Duration::from_millis(50), slots.take(false))
            .await
            .ok()
    }

    #[tokio::test(start_paused = true)]
    async fn a_lower_limit_waits_for_slots_given_back_and_a_higher_one_opens_at_once() {
        let slots = Slots::new(2);
        let (a, _b) = (gets(&slots).await.unwrap(), gets(&slots).await.unwrap());
        assert!(gets(&slots).await.is_none(), "two of two taken");
        slots.control(Control::Concurrency(1));
        drop(a);
        assert!(gets(&slots).await.is_none(), "one taken of a limit of one");
        slots.control(Control::Concurrency(3));
        let _c = gets(&slots).await.expect("the limit grew");
        let _d = gets(&slots).await.expect("three of three");
        assert!(gets(&slots).await.is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_shuts_every_slot_until_resumed() {
        let slots = Slots::new(4);
        slots.control(Control::Pause);
        assert!(gets(&slots).await.is_none(), "paused");
        let waiting = tokio::spawn({
            let slots = slots.clone();
            async move { slots.take(false).await.count }
        });
        tokio::task::yield_now().await;
        slots.control(Control::Resume);
        assert_eq!(waiting.await.unwrap(), 1, "the waiting take gets its slot");
    }

    #[tokio::test(start_paused = true)]
    async fn an_idle_take_can_have_every_slot_and_split_them() {
        let slots = Slots::new(3);
        let mut all = slots.take(true).await;
        assert!(gets(&slots).await.is_none(), "all three lent");
        let rest = all.split_rest().expect("two more");
        drop(rest);
        let _one = gets(&slots).await.expect("the lent ones came back");
    }

    #[tokio::test(start_paused = true)]
    async fn a_take_asked_while_busy_gets_one_slot_when_all_come_back() {
        let slots = Slots::new(3);
        let all = slots.take(true).await;
        let next = tokio::spawn({
            let slots = slots.clone();
            async move { slots.take(true).await.count }
        });
        tokio::task::yield_now().await;
        drop(all);
        assert_eq!(next.await.unwrap(), 1, "not alone: the run is going");
    }
}
