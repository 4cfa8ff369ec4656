//! A Celery worker pod: its lifecycle state, prefetch buffer, pool slots and CPU share.
//!
//! The policies are pure functions so they can be tested on their own:
//! [`fetch_capacity`] is Celery's prefetch rule (celery-spec §1.3, `kombu` `QoS.can_consume`,
//! `celery/worker/consumer/tasks.py` for `worker_disable_prefetch`), and [`CpuShare`] is the
//! CFS-quota model of §4: k CPU-bound tasks under a limit of L cores each progress at
//! `min(1, L/k)` of a core, so each takes `max(1, k/L)` times its CPU time.

use std::collections::VecDeque;

use crate::broker::MsgId;
use crate::scenario::{CeleryConfig, Pool};
use crate::time::SimTime;

/// No message in a slot.
pub const NO_MSG: MsgId = MsgId::MAX;

/// What the Celery process is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CeleryState {
    /// Container not started yet.
    NotStarted,
    /// Booting (imports, broker connection, mingle).
    Booting,
    /// Consuming from the broker.
    Consuming,
    /// SIGTERM received: no new fetches; running tasks finish, then reserved ones are restored.
    WarmShutdown,
    /// Cold/soft shutdown (REMAP_SIGTERM=SIGQUIT): waits the soft timeout, then cancels tasks.
    ColdShutdown,
    /// SIGTERM ignored (a shell without exec); keeps consuming until SIGKILL.
    IgnoringTerm,
    /// Process gone.
    Exited,
}

/// Celery's prefetch rule for one worker, with its settings resolved once.
///
/// * default: the prefetch count `P = N × M` bounds unacked deliveries; each held ETA
///   message raises it by one (`qos.increment_eventually`, capped by `worker_eta_task_limit`),
///   so `capacity = P + eta' − (reserved + eta + running_unacked)`. Early-ack running tasks are
///   acked and do not count, so one worker removes up to `N·(M+1)` from the queue.
/// * `worker_disable_prefetch`: fetch only while `reserved + running < N`.
/// * `M = 0` (or `P > 65535`): unlimited.
/// * RabbitMQ with per-consumer QoS: the window applies to each of the worker's consumers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrefetchRule {
    /// `P × consumers`, or `None` when unlimited.
    pub window: Option<u32>,
    /// `worker_disable_prefetch`.
    pub disable_prefetch: bool,
    /// Pool size N.
    pub concurrency: u32,
    /// `worker_eta_task_limit`.
    pub eta_limit: Option<u32>,
}

impl PrefetchRule {
    /// The rule for `celery` with `consumers` consumers (1 unless per-consumer QoS).
    pub fn new(celery: &CeleryConfig, consumers: u32) -> Self {
        PrefetchRule {
            window: celery.prefetch_count().map(|p| p * consumers.max(1)),
            disable_prefetch: celery.disable_prefetch,
            concurrency: celery.concurrency,
            eta_limit: celery.eta_task_limit,
        }
    }

    /// Messages the worker may still take from the broker now.
    #[inline]
    pub fn capacity(
        &self,
        reserved: u32,
        running: u32,
        running_unacked: u32,
        eta_held: u32,
    ) -> u32 {
        if self.disable_prefetch {
            return self.concurrency.saturating_sub(reserved + running);
        }
        match self.window {
            None => u32::MAX,
            Some(window) => {
                let bonus = self.eta_limit.map_or(eta_held, |l| eta_held.min(l));
                (window + bonus).saturating_sub(reserved + eta_held + running_unacked)
            }
        }
    }
}

/// Messages a worker may still take from the broker now ([`PrefetchRule::capacity`]).
pub fn fetch_capacity(
    celery: &CeleryConfig,
    reserved: u32,
    running: u32,
    running_unacked: u32,
    eta_held: u32,
    consumers: u32,
) -> u32 {
    PrefetchRule::new(celery, consumers).capacity(reserved, running, running_unacked, eta_held)
}

/// One pool slot.
#[derive(Clone, Copy, Debug)]
pub struct Slot {
    /// Message executing, or [`NO_MSG`].
    pub msg: MsgId,
    /// Bumped whenever the slot changes, to drop stale completion events.
    pub gen: u32,
    /// The task is CPU-bound (shares the CPU).
    pub cpu: bool,
    /// The task acks late (still unacked while running).
    pub late: bool,
}

/// Processor sharing of CPU-bound tasks under a CPU limit, in virtual time.
///
/// Virtual time advances at the per-task rate `min(1, cores/k)`; a task finishes when virtual
/// time reaches its start value plus its CPU work. Only the earliest finish is scheduled, and
/// a generation drops the stale one whenever k changes.
#[derive(Clone, Debug)]
pub struct CpuShare {
    /// Cores available to this pod's CPU-bound tasks.
    pub cores: f64,
    vnow: f64,
    last: SimTime,
    tasks: Vec<(f64, u16)>,
    /// Bumped on every change of the running set.
    pub gen: u32,
    /// CPU time used so far, in core-nanoseconds.
    pub used_ns: f64,
}

impl CpuShare {
    /// A share of `cores` cores.
    pub fn new(cores: f64) -> Self {
        CpuShare {
            cores,
            vnow: 0.0,
            last: SimTime::ZERO,
            tasks: Vec::new(),
            gen: 0,
            used_ns: 0.0,
        }
    }

    /// Per-task progress rate.
    #[inline]
    pub fn rate(&self) -> f64 {
        let k = self.tasks.len() as f64;
        if k == 0.0 {
            1.0
        } else {
            (self.cores / k).min(1.0)
        }
    }

    /// Brings virtual time and CPU usage up to `now`.
    #[inline]
    pub fn advance(&mut self, now: SimTime) {
        if now <= self.last {
            return;
        }
        let dt = (now.0 - self.last.0) as f64;
        if !self.tasks.is_empty() {
            self.vnow += dt * self.rate();
            self.used_ns += dt * (self.tasks.len() as f64).min(self.cores);
        }
        self.last = now;
    }

    /// Starts a task of `work_ns` CPU nanoseconds in `slot`.
    pub fn add(&mut self, now: SimTime, slot: u16, work_ns: u64) {
        self.advance(now);
        self.tasks.push((self.vnow + work_ns as f64, slot));
        self.gen = self.gen.wrapping_add(1);
    }

    /// Stops the task in `slot` (finished or killed).
    pub fn remove(&mut self, now: SimTime, slot: u16) {
        self.advance(now);
        if let Some(i) = self.tasks.iter().position(|t| t.1 == slot) {
            self.tasks.swap_remove(i);
        }
        self.gen = self.gen.wrapping_add(1);
    }

    /// Tasks whose work is done at `now` (call after [`CpuShare::advance`]).
    pub fn finished(&self) -> Vec<u16> {
        let mut done: Vec<(f64, u16)> = self
            .tasks
            .iter()
            .copied()
            .filter(|(f, _)| *f <= self.vnow + 1.0)
            .collect();
        done.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        done.into_iter().map(|(_, s)| s).collect()
    }

    /// When the next task finishes, if any run.
    pub fn next_finish(&self) -> Option<SimTime> {
        let min = self.tasks.iter().map(|t| t.0).fold(f64::INFINITY, f64::min);
        if !min.is_finite() {
            return None;
        }
        let dt = ((min - self.vnow).max(0.0) / self.rate()).ceil();
        Some(SimTime(self.last.0.saturating_add(dt as u64)))
    }

    /// CPU-bound tasks running.
    pub fn running(&self) -> usize {
        self.tasks.len()
    }
}

/// Cores CPU-bound work can use in a pod: the CPU limit (or the node's CPUs without one);
/// threads and gevent pools run Python under the GIL, so at most one core.
pub fn cpu_cores(pool: Pool, cpu_limit_milli: Option<i64>, node_cpus: u32) -> f64 {
    let cores = cpu_limit_milli.map_or(node_cpus as f64, |m| m as f64 / 1000.0);
    match pool {
        Pool::Prefork => cores,
        Pool::Threads | Pool::Gevent | Pool::Solo => cores.min(1.0),
    }
}

/// A worker pod.
#[derive(Clone, Debug)]
pub struct Pod {
    /// Deterministic name, `<deployment>-<n>`.
    pub name: String,
    /// Index of its worker group.
    pub group: u16,
    /// Creation time.
    pub created: SimTime,
    /// Bound to a node.
    pub scheduled: bool,
    /// Container started (phase Running).
    pub started: Option<SimTime>,
    /// Ready condition true since.
    pub ready_since: Option<SimTime>,
    /// Last readiness transition (for the HPA's CPU rules).
    pub ready_transition: Option<SimTime>,
    /// Celery consuming since.
    pub consuming_since: Option<SimTime>,
    /// Deletion requested at.
    pub deleted_at: Option<SimTime>,
    /// Celery process state.
    pub celery: CeleryState,
    /// Prefetched messages, in delivery order.
    pub reserved: VecDeque<MsgId>,
    /// ETA messages held by the worker's timer.
    pub eta: Vec<MsgId>,
    /// Pool slots.
    pub slots: Vec<Slot>,
    /// Free slot indices (a stack).
    pub free_slots: Vec<u16>,
    /// Running tasks.
    pub busy: u32,
    /// Running late-ack tasks (still unacked).
    pub busy_unacked: u32,
    /// Consumed queues in current order (round robin rotates it).
    pub queue_order: Vec<u16>,
    /// Bit `q` set when queue `q` < 64 is consumed (the set `queue_order` rotates over).
    queue_mask: u64,
    /// Blocked in BRPOP / registered for pushes.
    pub waiting: bool,
    /// CPU share.
    pub cpu: CpuShare,
    /// Lifecycle generation (bumped on termination).
    pub gen: u32,
    /// Its group's prefetch rule (copied here: read on every fetch).
    pub prefetch: PrefetchRule,
    /// Its group's `task_acks_late` (a task type's own setting overrides it).
    pub acks_late: bool,
}

impl Pod {
    /// A new pod of group `group`, running Celery with `celery`.
    pub fn new(
        name: String,
        group: u16,
        created: SimTime,
        celery: &CeleryConfig,
        prefetch: PrefetchRule,
        cores: f64,
    ) -> Pod {
        let n = celery.concurrency as usize;
        let queues = &celery.queues;
        Pod {
            name,
            group,
            created,
            scheduled: false,
            started: None,
            ready_since: None,
            ready_transition: None,
            consuming_since: None,
            deleted_at: None,
            celery: CeleryState::NotStarted,
            reserved: VecDeque::new(),
            eta: Vec::new(),
            slots: vec![
                Slot {
                    msg: NO_MSG,
                    gen: 0,
                    cpu: false,
                    late: false
                };
                n
            ],
            free_slots: (0..n as u16).rev().collect(),
            busy: 0,
            busy_unacked: 0,
            queue_order: queues.iter().map(|q| *q as u16).collect(),
            queue_mask: queues
                .iter()
                .filter(|&&q| q < 64)
                .fold(0, |m, &q| m | 1 << q),
            waiting: false,
            cpu: CpuShare::new(cores),
            gen: 0,
            prefetch,
            acks_late: celery.acks_late,
        }
    }

    /// Messages the worker may take from the broker now ([`PrefetchRule::capacity`]).
    #[inline]
    pub fn capacity(&self) -> u32 {
        self.prefetch.capacity(
            self.reserved.len() as u32,
            self.busy,
            self.busy_unacked,
            self.eta.len() as u32,
        )
    }

    /// Alive (not yet exited).
    pub fn alive(&self) -> bool {
        self.celery != CeleryState::Exited
    }

    /// Counts toward the ReplicaSet (not terminating, not gone).
    pub fn active(&self) -> bool {
        self.deleted_at.is_none() && self.alive()
    }

    /// Consumes queue `q`.
    #[inline]
    pub fn consumes(&self, q: u16) -> bool {
        if q < 64 {
            self.queue_mask >> q & 1 == 1
        } else {
            self.queue_order.contains(&q)
        }
    }

    /// Takes messages from the broker now.
    #[inline]
    pub fn fetching(&self) -> bool {
        matches!(
            self.celery,
            CeleryState::Consuming | CeleryState::IgnoringTerm
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::SignalMode;
    use crate::time::Dur;

    fn celery(n: u32, m: u32, late: bool, disable: bool) -> CeleryConfig {
        CeleryConfig {
            concurrency: n,
            prefetch_multiplier: m,
            acks_late: late,
            disable_prefetch: disable,
            queues: vec![0],
            pool: Pool::Prefork,
            reject_on_worker_lost: false,
            soft_shutdown_timeout: Dur::ZERO,
            signal: SignalMode::Main,
            remap_sigterm: false,
            eta_task_limit: None,
        }
    }

    /// celery-spec §1.3: how many messages one worker removes from the ready queue.
    fn removed_from_queue(c: &CeleryConfig) -> u32 {
        // Fill: start tasks while slots are free, fetch while capacity allows.
        let (mut reserved, mut running, mut running_unacked, mut taken) = (0u32, 0u32, 0u32, 0u32);
        loop {
            while reserved > 0 && running < c.concurrency {
                reserved -= 1;
                running += 1;
                if c.acks_late {
                    running_unacked += 1;
                }
            }
            if fetch_capacity(c, reserved, running, running_unacked, 0, 1) == 0 {
                return taken;
            }
            reserved += 1;
            taken += 1;
            assert!(taken < 10_000);
        }
    }

    #[test]
    fn prefetch_table_of_celery_spec() {
        // -c 2, M=4: early ack removes N(M+1)=10 (LLEN 40 -> 30), acks_late N*M=8 (-> 32).
        assert_eq!(removed_from_queue(&celery(2, 4, false, false)), 10);
        assert_eq!(removed_from_queue(&celery(2, 4, true, false)), 8);
        // M=1: early 4 (20 -> 16), late 2 (-> 18); --disable-prefetch: N (-> 18).
        assert_eq!(removed_from_queue(&celery(2, 1, false, false)), 4);
        assert_eq!(removed_from_queue(&celery(2, 1, true, false)), 2);
        assert_eq!(removed_from_queue(&celery(2, 1, false, true)), 2);
    }

    #[test]
    fn eta_messages_raise_the_limit() {
        // -c 1, M=1, 10 ETA messages held: capacity stays 1 for normal messages.
        let c = celery(1, 1, false, false);
        assert_eq!(fetch_capacity(&c, 0, 1, 0, 10, 1), 1);
        let mut c2 = c.clone();
        c2.eta_task_limit = Some(2);
        assert_eq!(
            fetch_capacity(&c2, 0, 1, 0, 10, 1),
            0,
            "capped increments block fetching"
        );
    }

    #[test]
    fn cpu_share_slows_tasks_under_a_limit() {
        // celery-spec §4: 1-s CPU tasks under 500m: alone 2 s; two at once 4 s each.
        let mut s = CpuShare::new(0.5);
        s.add(SimTime::ZERO, 0, 1_000_000_000);
        assert_eq!(s.next_finish(), Some(SimTime::from_secs(2)));
        s.add(SimTime::ZERO, 1, 1_000_000_000);
        assert_eq!(s.next_finish(), Some(SimTime::from_secs(4)));
        s.advance(SimTime::from_secs(4));
        assert_eq!(s.finished(), vec![0, 1]);
        assert!(
            (s.used_ns - 2.0e9).abs() < 1.0,
            "4 s at half a core = 2 core-seconds"
        );
    }

    #[test]
    fn cpu_share_speeds_up_when_a_task_leaves() {
        let mut s = CpuShare::new(1.0);
        s.add(SimTime::ZERO, 0, 2_000_000_000);
        s.add(SimTime::ZERO, 1, 1_000_000_000);
        // Both at 0.5: slot 1 finishes at 2 s having done 1 s; slot 0 has 1 s left at full speed.
        assert_eq!(s.next_finish(), Some(SimTime::from_secs(2)));
        s.advance(SimTime::from_secs(2));
        assert_eq!(s.finished(), vec![1]);
        s.remove(SimTime::from_secs(2), 1);
        assert_eq!(s.next_finish(), Some(SimTime::from_secs(3)));
    }
}
