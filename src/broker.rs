//! The broker: Redis (kombu's Redis transport) or RabbitMQ, and the message store.
//!
//! Redis (celery-spec §1.1, §2.2; `kombu/transport/redis.py`): one list per queue and priority
//! band (`<queue>` for band 0, `<queue>\x06\x16<step>` for the others). Producers `LPUSH`,
//! consumers `BRPOP` from the other end, so a list is FIFO; a restore (`RPUSH`) puts a message
//! back at the consumer end. `LLEN <queue>` sees band 0 only, and never a delivered message:
//! delivered-but-unacked messages sit in the DB-global `unacked` hash, indexed by delivery time
//! for the visibility-timeout sweep ([`Broker::expired_unacked`]).
//!
//! RabbitMQ (celery-spec §2.3): a FIFO per queue; `messages_ready` and
//! `messages_unacknowledged` per queue; a dead consumer's unacked deliveries are requeued at
//! once by the broker (done by the simulator when a pod's connection closes).

use std::collections::VecDeque;

use crate::scenario::BrokerKind;
use crate::time::SimTime;

/// Index of a message in the store.
pub type MsgId = u32;

/// Marker for "no pod".
pub const NO_POD: u32 = u32::MAX;

/// Where a message copy is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MsgState {
    /// Ready in a broker queue.
    Ready,
    /// Delivered to a worker, waiting for a pool slot (prefetched).
    Reserved,
    /// Delivered, held by the worker's timer until its ETA.
    EtaHeld,
    /// Executing.
    Running,
    /// Delivered to a worker that died without acking; waits for a restore (Redis only).
    Orphaned,
    /// Slot is free.
    Free,
}

/// One message copy. Copies of one task share `task_id` (a restore while the original is
/// still held makes a second copy: a duplicate).
#[derive(Clone, Copy, Debug)]
pub struct Msg {
    /// Logical task (publish sequence number).
    pub task_id: u64,
    /// Task type index.
    pub task_type: u16,
    /// Queue index.
    pub queue: u16,
    /// Redis band index (0 = the plain list) or RabbitMQ priority.
    pub band: u8,
    /// Where it is.
    pub state: MsgState,
    /// When the task was published (wait is measured from here).
    pub published_at: SimTime,
    /// Work to do (CPU time for cpu tasks).
    pub work_ns: u64,
    /// ETA, or zero for none.
    pub eta: SimTime,
    /// Last delivery time (Redis `unacked_index` score).
    pub delivered_at: SimTime,
    /// Holding pod, or [`NO_POD`].
    pub holder: u32,
    /// Still in the broker's unacked set (Redis) / unacked count (RabbitMQ).
    pub unacked: bool,
    /// Reuse generation of this slot (stale events carry an older one).
    pub gen: u32,
}

/// Per-queue state.
#[derive(Clone, Debug, Default)]
pub struct Queue {
    /// Ready messages per band (Redis) or a single FIFO (RabbitMQ: band 0 only). Private:
    /// `ready` counts them, and every change goes through the broker.
    bands: Vec<VecDeque<MsgId>>,
    /// Messages in all bands (kept, not summed: it is read on every publish).
    ready: u64,
    /// Delivered and not yet acked (RabbitMQ `messages_unacknowledged`).
    pub unacked: u64,
    /// Messages published to this queue (restores and requeues excluded).
    pub published_total: u64,
    /// Deliveries to consumers.
    pub delivered_total: u64,
    /// Acks.
    pub acked_total: u64,
}

impl Queue {
    /// Ready messages in all bands.
    #[inline]
    pub fn ready(&self) -> u64 {
        self.ready
    }
}

/// The broker and the message store.
#[derive(Debug)]
pub struct Broker {
    /// Redis or RabbitMQ.
    pub kind: BrokerKind,
    /// Queues by index.
    pub queues: Vec<Queue>,
    /// Redis priority steps.
    pub steps: Vec<u8>,
    msgs: Vec<Msg>,
    free: Vec<MsgId>,
    /// Redis `unacked_index` in delivery order (lazy: stale entries are skipped).
    unacked_index: VecDeque<(SimTime, MsgId, u32)>,
    unacked_live: u64,
    /// Length of `unacked_index` beyond which an ack compacts it; reset after each
    /// compaction so that prefetched (live) entries pinning its front do not make every ack
    /// try again.
    compact_at: usize,
    ready_total: u64,
    live: u64,
}

impl Broker {
    /// An empty broker with `queues` queues.
    pub fn new(kind: BrokerKind, queues: usize, steps: Vec<u8>) -> Broker {
        let bands = match kind {
            BrokerKind::Redis => steps.len().max(1),
            BrokerKind::RabbitMq => 1,
        };
        Broker {
            kind,
            queues: (0..queues)
                .map(|_| Queue {
                    bands: vec![VecDeque::new(); bands],
                    ..Queue::default()
                })
                .collect(),
            steps,
            msgs: Vec::new(),
            free: Vec::new(),
            unacked_index: VecDeque::new(),
            unacked_live: 0,
            compact_at: 64,
            ready_total: 0,
            live: 0,
        }
    }

    /// The band of a priority: the largest step <= p (kombu `Channel._q_for_pri`).
    pub fn band_of(&self, priority: u8) -> u8 {
        match self.kind {
            BrokerKind::Redis => {
                let p = priority.min(9);
                self.steps.iter().rposition(|s| *s <= p).unwrap_or(0) as u8
            }
            BrokerKind::RabbitMq => 0,
        }
    }

    /// Allocates a message copy in the store (not yet in any queue).
    #[inline]
    pub fn alloc(&mut self, mut m: Msg) -> MsgId {
        self.live += 1;
        match self.free.pop() {
            Some(id) => {
                let slot = &mut self.msgs[id as usize];
                m.gen = slot.gen.wrapping_add(1);
                *slot = m;
                id
            }
            None => {
                m.gen = 0;
                self.msgs.push(m);
                (self.msgs.len() - 1) as MsgId
            }
        }
    }

    /// Releases a finished or lost copy.
    #[inline]
    pub fn release(&mut self, id: MsgId) {
        let m = &mut self.msgs[id as usize];
        debug_assert!(m.state != MsgState::Free);
        m.state = MsgState::Free;
        m.holder = NO_POD;
        m.unacked = false;
        self.free.push(id);
        self.live -= 1;
    }

    /// A message.
    #[inline]
    pub fn msg(&self, id: MsgId) -> &Msg {
        &self.msgs[id as usize]
    }

    /// A message, mutably.
    #[inline]
    pub fn msg_mut(&mut self, id: MsgId) -> &mut Msg {
        &mut self.msgs[id as usize]
    }

    /// Copies alive in the store.
    pub fn live(&self) -> u64 {
        self.live
    }

    /// Slots allocated in the store (its memory high-water mark).
    pub fn capacity(&self) -> usize {
        self.msgs.len()
    }

    /// Ready messages in all queues and bands.
    #[inline]
    pub fn ready_total(&self) -> u64 {
        self.ready_total
    }

    /// `LLEN` of a queue's band-0 list (what KEDA's redis scaler and a plain `LLEN` see).
    pub fn llen(&self, queue: usize) -> u64 {
        self.queues[queue].bands[0].len() as u64
    }

    /// `LLEN` of the list for `band` (band index, not priority).
    pub fn llen_band(&self, queue: usize, band: usize) -> u64 {
        self.queues[queue]
            .bands
            .get(band)
            .map_or(0, |b| b.len() as u64)
    }

    /// Publishes (`LPUSH` / `basic.publish`): the message joins the tail of its band.
    #[inline(always)]
    pub fn publish(&mut self, id: MsgId) {
        let m = &mut self.msgs[id as usize];
        m.state = MsgState::Ready;
        m.holder = NO_POD;
        let (q, b) = (m.queue as usize, m.band as usize);
        self.queues[q].bands[b].push_back(id);
        self.queues[q].ready += 1;
        self.queues[q].published_total += 1;
        self.ready_total += 1;
    }

    /// Puts a message back where the next consumer takes it first (Redis `RPUSH` restore,
    /// RabbitMQ requeue).
    pub fn restore_front(&mut self, id: MsgId) {
        let m = &mut self.msgs[id as usize];
        m.state = MsgState::Ready;
        m.holder = NO_POD;
        let (q, b) = (m.queue as usize, m.band as usize);
        self.queues[q].bands[b].push_front(id);
        self.queues[q].ready += 1;
        self.ready_total += 1;
    }

    /// Puts a message back at the tail (`reject(requeue=True)` on Redis is an `LPUSH`).
    pub fn requeue_back(&mut self, id: MsgId) {
        let m = &mut self.msgs[id as usize];
        m.state = MsgState::Ready;
        m.holder = NO_POD;
        let (q, b) = (m.queue as usize, m.band as usize);
        self.queues[q].bands[b].push_back(id);
        self.queues[q].ready += 1;
        self.ready_total += 1;
    }

    /// Takes the next ready message for a consumer of `queues` (in the consumer's current
    /// order): band-major, then queue order (kombu `Channel._brpop_start`). Returns the message
    /// and the position in `queues` it came from.
    #[inline]
    pub fn pop_for(&mut self, queues: &[u16]) -> Option<(MsgId, usize)> {
        if self.ready_total == 0 {
            return None;
        }
        let bands = self.queues.first().map_or(0, |q| q.bands.len());
        for b in 0..bands {
            for (pos, &q) in queues.iter().enumerate() {
                let queue = &mut self.queues[q as usize];
                if let Some(id) = queue.bands[b].pop_front() {
                    queue.ready -= 1;
                    self.ready_total -= 1;
                    return Some((id, pos));
                }
            }
        }
        None
    }

    /// True when any of `queues` has a ready message.
    #[inline]
    pub fn has_ready(&self, queues: &[u16]) -> bool {
        self.ready_total > 0 && queues.iter().any(|&q| self.queues[q as usize].ready() > 0)
    }

    /// Records a delivery to `pod` at `now`: the message becomes unacked.
    #[inline]
    pub fn deliver(&mut self, id: MsgId, pod: u32, now: SimTime, state: MsgState) {
        self.deliver_inner(id, pod, now, state, true);
    }

    /// A delivery that the caller acks before simulated time moves (an early-ack task
    /// handed straight to an idle pool slot). No visibility sweep can run in between, so its
    /// `unacked_index` entry would only ever be skipped as stale: it is not written.
    #[inline]
    pub fn deliver_acked_at_once(&mut self, id: MsgId, pod: u32, now: SimTime, state: MsgState) {
        self.deliver_inner(id, pod, now, state, false);
    }

    #[inline(always)]
    fn deliver_inner(&mut self, id: MsgId, pod: u32, now: SimTime, state: MsgState, index: bool) {
        let m = &mut self.msgs[id as usize];
        m.state = state;
        m.holder = pod;
        m.delivered_at = now;
        m.unacked = true;
        let gen = m.gen;
        let q = m.queue as usize;
        self.queues[q].unacked += 1;
        self.queues[q].delivered_total += 1;
        self.unacked_live += 1;
        if index && self.kind == BrokerKind::Redis {
            self.unacked_index.push_back((now, id, gen));
        }
    }

    /// Acks a message (no-op when it is no longer unacked, e.g. restored meanwhile).
    #[inline]
    pub fn ack(&mut self, id: MsgId) {
        let m = &mut self.msgs[id as usize];
        if m.unacked {
            m.unacked = false;
            let q = m.queue as usize;
            self.queues[q].unacked -= 1;
            self.queues[q].acked_total += 1;
            self.unacked_live -= 1;
        }
        // Stale entries only cost memory: compact when the index has doubled since the last
        // compaction and they outnumber the live ones.
        if self.unacked_index.len() > self.compact_at
            && self.unacked_index.len() as u64 > 2 * self.unacked_live + 64
        {
            self.compact_index();
            self.compact_at = 2 * self.unacked_index.len() + 64;
        }
    }

    /// Drops a message from the unacked set without counting an ack (restore, requeue).
    pub fn forget_unacked(&mut self, id: MsgId) {
        let m = &mut self.msgs[id as usize];
        if m.unacked {
            m.unacked = false;
            let q = m.queue as usize;
            self.queues[q].unacked -= 1;
            self.unacked_live -= 1;
        }
    }

    #[inline]
    fn entry_live(&self, e: &(SimTime, MsgId, u32)) -> bool {
        let m = &self.msgs[e.1 as usize];
        m.gen == e.2 && m.unacked && m.delivered_at == e.0 && m.state != MsgState::Free
    }

    #[inline]
    fn compact_index(&mut self) {
        while let Some(front) = self.unacked_index.front() {
            if self.entry_live(front) {
                break;
            }
            self.unacked_index.pop_front();
        }
        // A message unacked for long (orphaned by a SIGKILL, waiting out the visibility
        // timeout) pins every later entry behind it; rebuild when stale entries dominate, so
        // the index stays proportional to the messages actually unacked (amortized O(1)).
        if self.unacked_index.len() > 4096
            && self.unacked_index.len()
                > 4 * self
                    .queues
                    .iter()
                    .map(|q| q.unacked as usize)
                    .sum::<usize>()
        {
            let mut index = std::mem::take(&mut self.unacked_index);
            index.retain(|e| self.entry_live(e));
            self.unacked_index = index;
        }
    }

    /// Redis `QoS.restore_visible`: unacked messages delivered before `cutoff` (strictly), in
    /// delivery order. They leave the unacked set; the caller puts them (or copies) back.
    pub fn expired_unacked(&mut self, cutoff: SimTime) -> Vec<MsgId> {
        self.compact_index();
        let mut out = Vec::new();
        while let Some(&front) = self.unacked_index.front() {
            if front.0 >= cutoff {
                break;
            }
            self.unacked_index.pop_front();
            if self.entry_live(&front) {
                out.push(front.1);
            }
        }
        out
    }

    /// Unacked messages of all queues (Redis `HLEN unacked`).
    pub fn unacked_total(&self) -> u64 {
        self.unacked_live
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(queue: u16, band: u8) -> Msg {
        Msg {
            task_id: 0,
            task_type: 0,
            queue,
            band,
            state: MsgState::Ready,
            published_at: SimTime::ZERO,
            work_ns: 0,
            eta: SimTime::ZERO,
            delivered_at: SimTime::ZERO,
            holder: NO_POD,
            unacked: false,
            gen: 0,
        }
    }

    #[test]
    fn bands_follow_kombu_priority_steps() {
        let b = Broker::new(BrokerKind::Redis, 1, vec![0, 3, 6, 9]);
        let bands: Vec<u8> = (0..=9).map(|p| b.band_of(p)).collect();
        assert_eq!(bands, vec![0, 0, 0, 1, 1, 1, 2, 2, 2, 3]);
    }

    #[test]
    fn band_major_then_queue_order_and_llen_sees_band_zero_only() {
        let mut b = Broker::new(BrokerKind::Redis, 2, vec![0, 3, 6, 9]);
        let a9 = b.alloc(msg(0, 3));
        b.publish(a9);
        let b0 = b.alloc(msg(1, 0));
        b.publish(b0);
        let a0 = b.alloc(msg(0, 0));
        b.publish(a0);
        assert_eq!(b.llen(0), 1, "LLEN a: band 0 only");
        assert_eq!(b.ready_total(), 3);
        assert_eq!(b.pop_for(&[0, 1]), Some((a0, 0)));
        assert_eq!(b.pop_for(&[0, 1]), Some((b0, 1)));
        assert_eq!(
            b.pop_for(&[0, 1]),
            Some((a9, 0)),
            "band 3 only after all band-0 lists"
        );
        assert_eq!(b.pop_for(&[0, 1]), None);
    }

    #[test]
    fn restore_goes_to_the_consumer_end() {
        let mut b = Broker::new(BrokerKind::Redis, 1, vec![0]);
        let x = b.alloc(msg(0, 0));
        b.publish(x);
        let y = b.alloc(msg(0, 0));
        b.publish(y);
        let (got, _) = b.pop_for(&[0]).unwrap();
        assert_eq!(got, x);
        b.deliver(x, 1, SimTime(5), MsgState::Reserved);
        b.forget_unacked(x);
        b.restore_front(x);
        assert_eq!(
            b.pop_for(&[0]).unwrap().0,
            x,
            "restored message is served first"
        );
    }

    #[test]
    fn visibility_sweep_returns_expired_in_delivery_order_and_skips_acked() {
        let mut b = Broker::new(BrokerKind::Redis, 1, vec![0]);
        let ids: Vec<MsgId> = (0..3).map(|_| b.alloc(msg(0, 0))).collect();
        for (i, id) in ids.iter().enumerate() {
            b.deliver(*id, 0, SimTime(i as u64 * 10), MsgState::Reserved);
        }
        b.ack(ids[1]);
        assert_eq!(b.unacked_total(), 2);
        assert_eq!(
            b.expired_unacked(SimTime(20)),
            vec![ids[0]],
            "strictly before the cutoff"
        );
        assert_eq!(b.expired_unacked(SimTime(21)), vec![ids[2]]);
    }

    #[test]
    fn store_reuses_slots_with_new_generations() {
        let mut b = Broker::new(BrokerKind::RabbitMq, 1, vec![0]);
        let a = b.alloc(msg(0, 0));
        let g = b.msg(a).gen;
        b.msg_mut(a).state = MsgState::Running;
        b.release(a);
        let c = b.alloc(msg(0, 0));
        assert_eq!(a, c);
        assert_ne!(b.msg(c).gen, g);
        assert_eq!(b.live(), 1);
    }
}
