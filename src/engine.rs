//! The domain-free discrete-event core: a clock and a queue ordered by (time, sequence).
//!
//! Ordering contract: events scheduled for the same instant are handled in the order in which
//! they were scheduled (FIFO on an insertion counter), and handling is single-threaded. So a
//! scenario and a seed fix the whole run. The engine knows nothing of pods or queues; the
//! model (`crate::sim`) owns all state and decides what each event means.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::time::{Dur, SimTime};

/// Hard limits that stop a run with a clear error instead of exhausting the machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most events one run may handle.
    pub max_events: u64,
    /// Most events pending at once (a proxy for memory).
    pub max_pending: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_events: 2_000_000_000,
            max_pending: 5_000_000,
        }
    }
}

/// Why the engine refused to go on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// The run handled `limits.max_events` events.
    #[error("the run stopped at t={at} after {processed} events, the limit set by spec.limits.maxEvents (raise it, or shorten spec.duration / lower the load)")]
    EventLimit { processed: u64, at: SimTime },
    /// Too many events were pending at once.
    #[error("more than {limit} events were pending at t={at} (spec.limits.maxPendingEvents); the scenario keeps too much in flight: lower the load or the replica count, or raise the limit")]
    PendingLimit { limit: usize, at: SimTime },
}

struct Entry<E> {
    time: SimTime,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.time == other.time && self.seq == other.seq
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    /// Reversed so that `BinaryHeap` (a max-heap) pops the earliest (time, seq) first.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .time
            .cmp(&self.time)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

/// Clock plus pending events.
pub struct Engine<E> {
    now: SimTime,
    seq: u64,
    processed: u64,
    heap: BinaryHeap<Entry<E>>,
    limits: Limits,
}

impl<E> Engine<E> {
    /// An empty engine at time zero.
    pub fn new(limits: Limits) -> Self {
        Engine {
            now: SimTime::ZERO,
            seq: 0,
            processed: 0,
            heap: BinaryHeap::with_capacity(1024),
            limits,
        }
    }

    /// The current simulated time.
    #[inline]
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Events handled so far.
    pub fn processed(&self) -> u64 {
        self.processed
    }

    /// Events pending.
    pub fn pending(&self) -> usize {
        self.heap.len()
    }

    /// Schedules `event` at the absolute instant `at` (which must not be in the past).
    #[inline]
    pub fn schedule_at(&mut self, at: SimTime, event: E) {
        debug_assert!(
            at >= self.now,
            "scheduling into the past: {at} < {}",
            self.now
        );
        let at = at.max(self.now);
        self.heap.push(Entry {
            time: at,
            seq: self.seq,
            event,
        });
        self.seq += 1;
    }

    /// Schedules `event` after `delay`.
    #[inline]
    pub fn schedule_in(&mut self, delay: Dur, event: E) {
        let at = self.now + delay;
        self.schedule_at(at, event);
    }

    /// The time of the next pending event, if any.
    #[inline]
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|e| e.time)
    }

    /// Pops the next event no later than `until`, advancing the clock to it.
    #[inline]
    pub fn pop_until(&mut self, until: SimTime) -> Result<Option<E>, EngineError> {
        match self.heap.peek() {
            Some(e) if e.time <= until => {}
            _ => return Ok(None),
        }
        if self.processed >= self.limits.max_events {
            return Err(EngineError::EventLimit {
                processed: self.processed,
                at: self.now,
            });
        }
        if self.heap.len() > self.limits.max_pending {
            return Err(EngineError::PendingLimit {
                limit: self.limits.max_pending,
                at: self.now,
            });
        }
        let entry = self.heap.pop().expect("peeked");
        self.now = entry.time;
        self.processed += 1;
        Ok(Some(entry.event))
    }

    /// Moves the clock forward to `t` without handling anything (no event may be earlier).
    pub fn advance_to(&mut self, t: SimTime) {
        debug_assert!(self.peek_time().is_none_or(|p| p >= t));
        if t > self.now {
            self.now = t;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_time_then_insertion() {
        let mut e = Engine::new(Limits::default());
        e.schedule_at(SimTime(5), "b");
        e.schedule_at(SimTime(1), "a");
        e.schedule_at(SimTime(5), "c");
        e.schedule_at(SimTime(5), "d");
        let mut got = vec![];
        while let Some(ev) = e.pop_until(SimTime::MAX).unwrap() {
            got.push((e.now().0, ev));
        }
        assert_eq!(got, vec![(1, "a"), (5, "b"), (5, "c"), (5, "d")]);
    }

    #[test]
    fn stops_at_until_and_at_event_limit() {
        let mut e = Engine::new(Limits {
            max_events: 2,
            max_pending: 10,
        });
        for t in 0..5 {
            e.schedule_at(SimTime(t), t);
        }
        assert_eq!(e.pop_until(SimTime(0)).unwrap(), Some(0));
        assert_eq!(e.pop_until(SimTime(0)).unwrap(), None);
        assert_eq!(e.pop_until(SimTime(9)).unwrap(), Some(1));
        assert!(matches!(
            e.pop_until(SimTime(9)),
            Err(EngineError::EventLimit { processed: 2, .. })
        ));
    }
}
