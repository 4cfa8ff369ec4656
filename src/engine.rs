//! The domain-free discrete-event core: a clock and a queue ordered by (time, sequence).
//!
//! Ordering contract: events scheduled for the same instant are handled in the order in which
//! they were scheduled (FIFO on an insertion counter), and handling is single-threaded. So a
//! scenario and a seed fix the whole run. The engine knows nothing of pods or queues; the
//! model (`crate::sim`) owns all state and decides what each event means.

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

/// A pending event, ordered by time, then by insertion sequence (FIFO among equal times).
#[derive(Clone, Copy)]
struct Entry<E> {
    time: u64,
    seq: u64,
    event: E,
}

impl<E> Entry<E> {
    #[inline]
    fn new(time: SimTime, seq: u64, event: E) -> Self {
        Entry {
            time: time.0,
            seq,
            event,
        }
    }

    #[inline]
    fn time(&self) -> SimTime {
        SimTime(self.time)
    }

    /// Earlier time first; the sequence decides only between equal times.
    #[inline(always)]
    fn before(&self, other: &Entry<E>) -> bool {
        self.time < other.time || (self.time == other.time && self.seq < other.seq)
    }
}

/// A 4-ary min-heap, sifting with a moving hole (one copy per level instead of a swap). The
/// pending set is small (about one completion per running task) and stays in cache; four
/// children per node halve the depth of a binary heap. (A radix heap was tried: with
/// nanosecond keys its top buckets are redistributed too often, and it ran slower.)
struct QuadHeap<E> {
    v: Vec<Entry<E>>,
}

impl<E: Copy> QuadHeap<E> {
    fn with_capacity(n: usize) -> Self {
        QuadHeap {
            v: Vec::with_capacity(n),
        }
    }

    #[inline]
    fn len(&self) -> usize {
        self.v.len()
    }

    #[inline]
    fn peek(&self) -> Option<&Entry<E>> {
        self.v.first()
    }

    #[inline]
    fn push(&mut self, e: Entry<E>) {
        let mut hole = self.v.len();
        self.v.push(e);
        while hole > 0 {
            let parent = (hole - 1) / 4;
            if !e.before(&self.v[parent]) {
                break;
            }
            self.v[hole] = self.v[parent];
            hole = parent;
        }
        self.v[hole] = e;
    }

    #[inline]
    fn pop(&mut self) -> Option<Entry<E>> {
        let last = self.v.pop()?;
        let Some(&top) = self.v.first() else {
            return Some(last);
        };
        let n = self.v.len();
        let mut hole = 0;
        loop {
            let first = 4 * hole + 1;
            if first >= n {
                break;
            }
            let kids = &self.v[first..(first + 4).min(n)];
            let mut best = 0;
            for (i, c) in kids.iter().enumerate().skip(1) {
                if c.before(&kids[best]) {
                    best = i;
                }
            }
            if !kids[best].before(&last) {
                break;
            }
            self.v[hole] = kids[best];
            hole = first + best;
        }
        self.v[hole] = last;
        Some(top)
    }
}

/// Clock plus pending events.
///
/// Besides the heap, a few *lanes* each hold at most one pending event (a producer's next
/// arrival, say). Lanes are merged with the heap by the same (time, sequence) order, so using
/// one changes no result; it only keeps the heap small, which is where a run spends its time.
pub struct Engine<E> {
    now: SimTime,
    seq: u64,
    processed: u64,
    heap: QuadHeap<E>,
    lanes: Vec<Option<Entry<E>>>,
    limits: Limits,
}

impl<E: Copy> Engine<E> {
    /// An empty engine at time zero.
    pub fn new(limits: Limits) -> Self {
        Engine {
            now: SimTime::ZERO,
            seq: 0,
            processed: 0,
            heap: QuadHeap::with_capacity(1024),
            lanes: Vec::new(),
            limits,
        }
    }

    /// Puts `event` at `at` in lane `lane`, replacing what the lane held.
    #[inline]
    pub fn schedule_lane(&mut self, lane: usize, at: SimTime, event: E) {
        debug_assert!(
            at >= self.now,
            "scheduling into the past: {at} < {}",
            self.now
        );
        if self.lanes.len() <= lane {
            self.lanes.resize_with(lane + 1, || None);
        }
        self.lanes[lane] = Some(Entry::new(at.max(self.now), self.seq, event));
        self.seq += 1;
    }

    /// The earliest lane entry: (lane, time, seq).
    #[inline]
    fn lane_min(&self) -> Option<(usize, SimTime, u64)> {
        let mut best: Option<(usize, SimTime, u64)> = None;
        for (i, l) in self.lanes.iter().enumerate() {
            if let Some(e) = l {
                if best.is_none_or(|(_, t, s)| (e.time, e.seq) < (t.0, s)) {
                    best = Some((i, e.time(), e.seq));
                }
            }
        }
        best
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
        self.heap.push(Entry::new(at, self.seq, event));
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
        let heap = self.heap.peek().map(|e| e.time());
        match (heap, self.lane_min()) {
            (Some(h), Some((_, l, _))) => Some(h.min(l)),
            (h, l) => h.or(l.map(|x| x.1)),
        }
    }

    /// Pops the next event no later than `until`, advancing the clock to it.
    #[inline]
    pub fn pop_until(&mut self, until: SimTime) -> Result<Option<E>, EngineError> {
        let lane = self.lane_min();
        let heap_key = self.heap.peek().map(|h| (h.time, h.seq));
        let from_lane = match (heap_key, lane) {
            (Some(h), Some((_, t, s))) => (t.0, s) < h,
            (None, Some(_)) => true,
            (Some(_), None) => false,
            (None, None) => return Ok(None),
        };
        let next_time = if from_lane {
            lane.expect("lane").1
        } else {
            self.heap.peek().expect("heap").time()
        };
        if next_time > until {
            return Ok(None);
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
        let entry = if from_lane {
            self.lanes[lane.expect("lane").0]
                .take()
                .expect("lane entry")
        } else {
            self.heap.pop().expect("peeked")
        };
        self.now = entry.time();
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
    fn lanes_merge_with_the_heap_in_time_then_sequence_order() {
        let mut e = Engine::new(Limits::default());
        e.schedule_at(SimTime(5), "heap-5a");
        e.schedule_lane(0, SimTime(5), "lane0-5");
        e.schedule_at(SimTime(5), "heap-5b");
        e.schedule_lane(1, SimTime(3), "lane1-3");
        let mut got = vec![];
        while let Some(ev) = e.pop_until(SimTime::MAX).unwrap() {
            got.push(ev);
            if ev == "lane1-3" {
                e.schedule_lane(1, SimTime(5), "lane1-5");
            }
        }
        assert_eq!(
            got,
            vec!["lane1-3", "heap-5a", "lane0-5", "heap-5b", "lane1-5"]
        );
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
