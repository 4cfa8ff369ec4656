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

/// A timing wheel in front of the heap: 1-ms slots over a 65.5-s horizon and a bitmap of
/// occupied slots. Each slot is a short linked list, kept in (time, sequence) order, of nodes
/// in one arena with a free list, so nothing is allocated once the arena has grown. Nearly
/// every event (a task completion, a start-up step, a controller tick) lands within the
/// horizon and the pending ones are spread over seconds: a push is a short sorted insert and a
/// pop a scan of a few bitmap words. Timers beyond the horizon wait in the 4-ary heap; `pop`
/// takes whichever of the two is first.
struct Wheel<E> {
    nodes: Vec<Node<E>>,
    free: u32,
    /// Fixed-size, and indexed by masked slot numbers, so indexing needs no bounds check.
    heads: Box<[u32; SLOTS]>,
    occupied: Box<[u64; WORDS]>,
    /// Absolute slot number (`time / SLOT_NS`) of the cursor: no entry is earlier.
    base: u64,
    in_wheel: usize,
    far: QuadHeap<E>,
}

#[derive(Clone, Copy)]
struct Node<E> {
    entry: Entry<E>,
    next: u32,
}

const NIL: u32 = u32::MAX;
const SLOT_NS: u64 = 1_000_000;
const SLOTS: usize = 1 << 16;
const WORDS: usize = SLOTS / 64;

impl<E: Copy> Wheel<E> {
    fn new() -> Self {
        Wheel {
            nodes: Vec::with_capacity(1024),
            free: NIL,
            heads: vec![NIL; SLOTS]
                .into_boxed_slice()
                .try_into()
                .expect("SLOTS entries"),
            occupied: vec![0; WORDS]
                .into_boxed_slice()
                .try_into()
                .expect("WORDS entries"),
            base: 0,
            in_wheel: 0,
            far: QuadHeap::with_capacity(256),
        }
    }

    #[inline]
    fn len(&self) -> usize {
        self.in_wheel + self.far.len()
    }

    #[inline]
    fn alloc(&mut self, entry: Entry<E>) -> u32 {
        if self.free != NIL {
            let n = self.free;
            self.free = self.nodes[n as usize].next;
            self.nodes[n as usize] = Node { entry, next: NIL };
            n
        } else {
            self.nodes.push(Node { entry, next: NIL });
            (self.nodes.len() - 1) as u32
        }
    }

    #[inline(always)]
    fn push(&mut self, e: Entry<E>) {
        let abs = e.time / SLOT_NS;
        debug_assert!(abs >= self.base, "an event before the wheel's cursor");
        if abs >= self.base + SLOTS as u64 {
            self.far.push(e);
            return;
        }
        let i = (abs as usize) & (SLOTS - 1);
        let n = self.alloc(e);
        let head = self.heads[i];
        if head == NIL || e.before(&self.nodes[head as usize].entry) {
            self.nodes[n as usize].next = head;
            self.heads[i] = n;
        } else {
            let mut prev = head;
            loop {
                let next = self.nodes[prev as usize].next;
                if next == NIL || e.before(&self.nodes[next as usize].entry) {
                    self.nodes[n as usize].next = next;
                    self.nodes[prev as usize].next = n;
                    break;
                }
                prev = next;
            }
        }
        self.occupied[i / 64] |= 1 << (i % 64);
        self.in_wheel += 1;
    }

    /// Index of the first occupied slot at or after the cursor, in time order.
    #[inline]
    fn first_slot(&self) -> Option<usize> {
        if self.in_wheel == 0 {
            return None;
        }
        let start = (self.base as usize) & (SLOTS - 1);
        let (w0, b0) = (start / 64, start % 64);
        let first = self.occupied[w0] & (!0u64 << b0);
        if first != 0 {
            return Some(w0 * 64 + first.trailing_zeros() as usize);
        }
        for k in 1..=WORDS {
            let w = (w0 + k) % WORDS;
            let bits = if k == WORDS {
                self.occupied[w] & !(!0u64 << b0)
            } else {
                self.occupied[w]
            };
            if bits != 0 {
                return Some(w * 64 + bits.trailing_zeros() as usize);
            }
        }
        None
    }

    /// The earliest entry: (from the wheel?, slot index).
    #[inline]
    fn locate(&self) -> Option<(bool, usize)> {
        let wheel = self.first_slot();
        match (wheel, self.far.peek()) {
            (Some(i), Some(f)) => Some(if self.nodes[self.heads[i] as usize].entry.before(f) {
                (true, i)
            } else {
                (false, 0)
            }),
            (Some(i), None) => Some((true, i)),
            (None, Some(_)) => Some((false, 0)),
            (None, None) => None,
        }
    }

    #[inline]
    fn peek(&self) -> Option<&Entry<E>> {
        match self.locate()? {
            (true, i) => Some(&self.nodes[self.heads[i] as usize].entry),
            (false, _) => self.far.peek(),
        }
    }

    /// The entry at a location [`Wheel::locate`] returned.
    #[inline]
    fn entry_at(&self, (wheel, i): (bool, usize)) -> &Entry<E> {
        if wheel {
            &self.nodes[self.heads[i] as usize].entry
        } else {
            self.far.peek().expect("located")
        }
    }

    /// Removes the entry at a location [`Wheel::locate`] returned.
    #[inline(always)]
    fn pop_at(&mut self, (wheel, i): (bool, usize)) -> Entry<E> {
        let e = if wheel {
            let n = self.heads[i];
            let node = self.nodes[n as usize];
            self.heads[i] = node.next;
            if node.next == NIL {
                self.occupied[i / 64] &= !(1 << (i % 64));
            }
            self.nodes[n as usize].next = self.free;
            self.free = n;
            self.in_wheel -= 1;
            node.entry
        } else {
            self.far.pop().expect("located")
        };
        self.base = e.time / SLOT_NS;
        e
    }
}

/// Clock plus pending events.
pub struct Engine<E> {
    now: SimTime,
    seq: u64,
    processed: u64,
    heap: Wheel<E>,
    /// The side lane: at most one pending event kept out of the wheel (see
    /// [`Engine::schedule_side`]).
    side: Option<Entry<E>>,
    limits: Limits,
}

impl<E: Copy> Engine<E> {
    /// An empty engine at time zero.
    pub fn new(limits: Limits) -> Self {
        Engine {
            now: SimTime::ZERO,
            seq: 0,
            processed: 0,
            heap: Wheel::new(),
            side: None,
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
        self.heap.len() + usize::from(self.side.is_some())
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

    /// Schedules `event` at `at` in the side lane, which holds at most one event: one stream
    /// that always has exactly one successor pending (the first producer's next arrival)
    /// skips the wheel's insert and unlink. The event gets its sequence number as
    /// [`Engine::schedule_at`] would give it, so the order of handling is the same.
    #[inline]
    pub fn schedule_side(&mut self, at: SimTime, event: E) {
        debug_assert!(self.side.is_none(), "the side lane holds one event");
        debug_assert!(at >= self.now, "scheduling into the past");
        let at = at.max(self.now);
        self.side = Some(Entry::new(at, self.seq, event));
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
        match (self.heap.peek(), &self.side) {
            (Some(h), Some(s)) => Some(if s.before(h) { s.time() } else { h.time() }),
            (h, s) => h.or(s.as_ref()).map(|e| e.time()),
        }
    }

    /// Pops the next event no later than `until`, advancing the clock to it.
    #[inline(always)]
    pub fn pop_until(&mut self, until: SimTime) -> Result<Option<E>, EngineError> {
        let at = self.heap.locate();
        let (time, from_side) = match (&self.side, at) {
            (Some(s), Some(at)) => {
                let h = self.heap.entry_at(at);
                if s.before(h) {
                    (s.time, true)
                } else {
                    (h.time, false)
                }
            }
            (Some(s), None) => (s.time, true),
            (None, Some(at)) => (self.heap.entry_at(at).time, false),
            (None, None) => return Ok(None),
        };
        if time > until.0 {
            return Ok(None);
        }
        if self.processed >= self.limits.max_events {
            return Err(EngineError::EventLimit {
                processed: self.processed,
                at: self.now,
            });
        }
        if self.pending() > self.limits.max_pending {
            return Err(EngineError::PendingLimit {
                limit: self.limits.max_pending,
                at: self.now,
            });
        }
        let entry = match (from_side, at, self.side) {
            (false, Some(at), _) => self.heap.pop_at(at),
            (_, _, Some(e)) => {
                self.side = None;
                // Nothing in the wheel is earlier: its cursor may follow.
                self.heap.base = e.time / SLOT_NS;
                e
            }
            _ => return Ok(None),
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
    fn the_wheel_and_its_far_heap_keep_time_then_insertion_order() {
        // Events carry their insertion number, so the contract is: popped in order of
        // (time, insertion number). Near, far, shared-slot and equal times, with pushes
        // interleaved with pops as in a simulation.
        let mut e = Engine::new(Limits::default());
        let mut x: u64 = 12345;
        let next = |x: &mut u64| {
            *x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            *x
        };
        let mut n: u64 = 0;
        for _ in 0..5000 {
            let r = next(&mut x);
            let t = match r >> 62 {
                0 => (r >> 20) % 2_000_000,
                1 => (r >> 20) % 60_000_000_000,
                2 => 70_000_000_000 + (r >> 20) % 10_000_000_000,
                _ => 1_000_000 * ((r >> 20) % 5),
            };
            e.schedule_at(SimTime(t), n);
            n += 1;
        }
        let mut got: Vec<(u64, u64)> = Vec::new();
        while let Some(ev) = e.pop_until(SimTime::MAX).unwrap() {
            got.push((e.now().0, ev));
            if n < 8000 {
                let r = next(&mut x);
                let delay = match r >> 62 {
                    0 => 0,
                    1 => (r >> 20) % 3_000_000_000,
                    _ => (r >> 20) % 90_000_000_000,
                };
                e.schedule_at(SimTime(e.now().0 + delay), n);
                n += 1;
            }
        }
        assert_eq!(got.len() as u64, n);
        let mut sorted = got.clone();
        sorted.sort();
        assert_eq!(got, sorted, "popped out of (time, insertion) order");
    }

    #[test]
    fn the_side_lane_keeps_time_then_insertion_order() {
        // The side lane holds one event at a time (as the first producer's arrival does);
        // interleaved with the wheel it must pop in exactly the (time, insertion) order the
        // wheel alone would give.
        let mut e = Engine::new(Limits::default());
        e.schedule_at(SimTime(5), "w5a");
        e.schedule_side(SimTime(5), "s5");
        e.schedule_at(SimTime(5), "w5b");
        e.schedule_at(SimTime(3), "w3");
        assert_eq!(e.pending(), 4);
        assert_eq!(e.peek_time(), Some(SimTime(3)));
        let mut got = vec![];
        while let Some(ev) = e.pop_until(SimTime::MAX).unwrap() {
            got.push((e.now().0, ev));
            if ev == "s5" {
                // The next side event, later than everything pending.
                e.schedule_side(SimTime(70_000_000_000), "s70");
            }
        }
        assert_eq!(
            got,
            vec![
                (3, "w3"),
                (5, "w5a"),
                (5, "s5"),
                (5, "w5b"),
                (70_000_000_000, "s70")
            ]
        );
        assert_eq!(e.pending(), 0);
        // The wheel's cursor followed the side event: a later push still works.
        e.schedule_at(SimTime(70_000_000_001), "w");
        assert_eq!(e.pop_until(SimTime::MAX).unwrap(), Some("w"));
    }

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
