//! The simulation: producers, the broker, Celery worker pods and their Deployments, driven by
//! one event loop over integer time.
//!
//! All model state lives in [`World`]; events are a small `Copy` enum; stale timers carry a
//! generation and are dropped when it no longer matches (a pod's slot, CPU share or
//! lifecycle changed). Every task copy is always in exactly one place, and each sample checks
//! `produced + duplicated = completed + queued + reserved + running + lost` before it is
//! recorded; a violation stops the run as an internal error rather than report wrong numbers.

pub mod control;
pub mod metrics_server;
pub mod telemetry;
pub mod view;

use std::collections::VecDeque;

use rand::Rng;

use crate::broker::{Broker, Msg, MsgId, MsgState, NO_POD};
use crate::cluster::{pick_victims, RankInfo};
use crate::engine::{Engine, EngineError};
use crate::load::Producer;
use crate::observe::{EventRow, Requeue, Sink, Summary, TraceEvent, WaitRecorder};
use crate::rng::{fnv1a64, SimRng};
use crate::scenario::{BrokerKind, QueueOrder, Scenario, SignalMode, TaskKind};
use crate::time::{Dur, SimTime};
use crate::worker::{cpu_cores, CeleryState, Pod, PrefetchRule, NO_MSG};

/// Why a run stopped early.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// An engine limit.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// Too many tasks in flight.
    #[error("more than {limit} tasks were in flight at t={at} (queued, held or running): the workers cannot keep up with the load; lower the load, add workers, or raise spec.limits.maxTasksInFlight (each task in flight takes about 60 bytes)")]
    TooManyTasks {
        /// The limit.
        limit: u64,
        /// When.
        at: SimTime,
    },
    /// Too many pods.
    #[error("more than {limit} pods were alive at t={at}; raise spec.limits.maxPods if that is intended (the default, 10000, is lowered so that pods x concurrency stays within 10 million pool processes)")]
    TooManyPods {
        /// The limit.
        limit: u64,
        /// When.
        at: SimTime,
    },
    /// The accounting identity failed: a bug in scalesim, not in the scenario.
    #[error("internal error: task accounting broken at t={at}: {detail}")]
    Conservation {
        /// When.
        at: SimTime,
        /// The numbers.
        detail: String,
    },
    /// Writing an output failed.
    #[error("could not write output: {0}")]
    Io(#[from] std::io::Error),
}

/// Events. Small and `Copy`: the heap moves them around a lot.
#[derive(Clone, Copy, Debug)]
pub enum Ev {
    /// The next batch of producer `0`.
    Arrival(u16),
    /// Pod bound to a node.
    PodScheduled(u32, u32),
    /// Container started.
    PodStarted(u32, u32),
    /// Celery consuming.
    CeleryReady(u32, u32),
    /// Readiness probe passed.
    PodReady(u32, u32),
    /// An I/O task finished: (pod, slot, slot generation).
    TaskDone(u32, u16, u32),
    /// The earliest CPU task may have finished: (pod, cpu generation).
    CpuDone(u32, u32),
    /// An ETA message is due: (pod, message, message generation).
    EtaDue(u32, MsgId, u32),
    /// kombu's unacked-restore timer: (pod, lifecycle generation).
    Sweep(u32, u32),
    /// terminationGracePeriodSeconds elapsed: SIGKILL (pod, lifecycle generation).
    GraceExpired(u32, u32),
    /// The main process exits (after a process-group kill or a soft-shutdown wait).
    ProcessExit(u32, u32),
    /// Scenario action `0` (an index into `Scenario::actions`).
    Action(u16),
    /// HPA controller pass for HPA `0`.
    HpaSync(u16),
    /// KEDA scale-loop tick for ScaledObject `0`.
    KedaPoll(u16),
    /// metrics-server scrapes the kubelets.
    MetricsScrape,
    /// Queue-depth exporter `0` polls the broker.
    ExporterPoll(u16),
    /// Prometheus scrapes its targets.
    PromScrape,
    /// RabbitMQ's management statistics tick.
    RabbitStats,
}

/// Live counts at one instant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Ready in the broker.
    pub queued: u64,
    /// Held by workers (prefetched, ETA) or orphaned-unacked.
    pub reserved: u64,
    /// Executing.
    pub running: u64,
    /// Pods ready (not terminating).
    pub ready: u64,
    /// Pods created, not yet ready (not terminating).
    pub starting: u64,
    /// Pods terminating.
    pub terminating: u64,
}

struct Group {
    /// Dead pods of this group whose slots can be reused.
    free_pods: Vec<u32>,
    /// The group's Celery prefetch rule, resolved once.
    prefetch: PrefetchRule,
    spec_replicas: i32,
    next_ordinal: u32,
    startup_rng: SimRng,
    cores: f64,
}

/// The simulated system. `TRACE` says whether the sink wants [`TraceEvent`]s: [`run`] picks
/// the instance once, so a run without tracing contains no trace code at all.
pub struct World<'s, const TRACE: bool = false> {
    sc: &'s Scenario,
    eng: Engine<Ev>,
    /// The broker (public for the autoscalers' scalers).
    pub broker: Broker,
    /// All pods ever created (index = pod id).
    pub pods: Vec<Pod>,
    groups: Vec<Group>,
    producers: Vec<Producer>,
    task_rngs: Vec<SimRng>,
    eta_rngs: Vec<SimRng>,
    /// The broker band of each task type's priority (fixed per type: resolved once).
    task_bands: Vec<u8>,
    /// Each task type's own `acks_late`, if it sets one.
    task_acks_late: Vec<Option<bool>>,
    uid_seed: u64,
    waiters: VecDeque<u32>,
    produced: u64,
    duplicated: u64,
    completed: u64,
    lost: u64,
    orphaned: u64,
    next_task_id: u64,
    alive: Vec<u32>,
    waits: WaitRecorder,
    sink: &'s mut dyn Sink,
    summary: Summary,
    columns: Vec<String>,
    row: Vec<f64>,
    last_busy_or_empty: Option<SimTime>,
    had_work: bool,
    control: control::Control,
    metrics_server: metrics_server::MetricsServer,
    telemetry: telemetry::Telemetry,
    broker_db: i64,
}

/// How to run.
#[derive(Clone, Copy, Debug, Default)]
pub struct RunOptions {
    /// Record every autoscaler pass in the decisions, not only changes and held changes
    /// (for tests and deep `explain` sessions; a day of HPA syncs is 5760 passes).
    pub all_decisions: bool,
}

/// What a run produces besides the streamed rows and events.
#[derive(Debug)]
pub struct RunOutput {
    /// `summary.json`.
    pub summary: Summary,
    /// Decisions handed to the sink (`decisions.json`).
    pub decisions: u64,
}

/// The Redis database Celery uses: the path of `CELERY_BROKER_URL` (`redis://h:6379/2`), or 0.
fn broker_db(sc: &Scenario) -> i64 {
    for w in &sc.workers {
        for key in ["CELERY_BROKER_URL", "BROKER_URL", "CELERY_BROKER"] {
            if let Some(url) = w.env.get(key) {
                if let Some(rest) = url.split("://").nth(1) {
                    let path = rest.split('/').nth(1).unwrap_or("");
                    let db = path.split(['?', '#']).next().unwrap_or("");
                    return db.parse().unwrap_or(0);
                }
            }
        }
    }
    0
}

impl<'s, const TRACE: bool> World<'s, TRACE> {
    /// A world for `sc`, writing to `sink` (which must want trace events iff `TRACE`).
    pub fn new(sc: &'s Scenario, sink: &'s mut dyn Sink) -> World<'s, TRACE> {
        let streams = sc.streams();
        let broker = Broker::new(
            sc.broker.kind,
            sc.queues.len(),
            sc.broker.priority_steps.clone(),
        );
        let groups = sc
            .workers
            .iter()
            .map(|w| Group {
                free_pods: Vec::new(),
                prefetch: PrefetchRule::new(
                    &w.celery,
                    if sc.broker.kind == BrokerKind::RabbitMq && !sc.broker.global_qos {
                        w.celery.queues.len() as u32
                    } else {
                        1
                    },
                ),
                spec_replicas: 0,
                next_ordinal: 1,
                startup_rng: streams.stream(&format!("deployment/{}/startup", w.deployment)),
                cores: cpu_cores(w.celery.pool, w.cpu_limit_milli, sc.node_cpus),
            })
            .collect();
        let producers = sc
            .loads
            .iter()
            .enumerate()
            .map(|(i, l)| Producer::new(l.shape.clone(), streams.stream(&format!("load/{i}"))))
            .collect();
        let task_rngs = sc
            .tasks
            .iter()
            .map(|t| streams.stream(&format!("task/{}/duration", t.name)))
            .collect();
        let eta_rngs = sc
            .tasks
            .iter()
            .map(|t| streams.stream(&format!("task/{}/countdown", t.name)))
            .collect();
        let mut columns: Vec<String> = crate::observe::FIXED_COLUMNS
            .iter()
            .map(|s| s.to_string())
            .collect();
        for q in &sc.queues {
            columns.push(format!("queue_depth:{q}"));
        }
        if sc.workers.len() > 1 {
            for w in &sc.workers {
                columns.push(format!("replicas:{}", w.deployment));
            }
        }
        let control = control::Control::new(sc);
        columns.extend(control.columns());
        let summary = Summary {
            scenario: sc.name.clone(),
            seed: sc.seed,
            duration_s: sc.duration.as_secs_f64(),
            warnings: sc.warnings.iter().map(|w| w.to_string()).collect(),
            notes: crate::advice::notes(sc),
            ..Summary::default()
        };
        let task_bands = sc
            .tasks
            .iter()
            .map(|t| broker.band_of(t.priority))
            .collect();
        World {
            sc,
            eng: Engine::new(sc.limits),
            broker,
            task_bands,
            task_acks_late: sc.tasks.iter().map(|t| t.acks_late).collect(),
            pods: Vec::new(),
            groups,
            producers,
            task_rngs,
            eta_rngs,
            uid_seed: streams.stream("pods/uid").next_u64(),
            waiters: VecDeque::new(),
            produced: 0,
            duplicated: 0,
            completed: 0,
            lost: 0,
            orphaned: 0,
            next_task_id: 0,
            alive: Vec::new(),
            waits: WaitRecorder::default(),
            summary,
            row: vec![0.0; columns.len()],
            columns,
            last_busy_or_empty: None,
            had_work: false,
            control,
            metrics_server: metrics_server::MetricsServer::default(),
            telemetry: telemetry::Telemetry::new(sc),
            broker_db: broker_db(sc),
            sink,
        }
    }

    /// Current time.
    pub fn now(&self) -> SimTime {
        self.eng.now()
    }

    fn event(
        &mut self,
        source: &'static str,
        kind: &'static str,
        reason: &str,
        message: String,
    ) -> Result<(), SimError> {
        let e = EventRow {
            time: self.eng.now(),
            source,
            kind,
            reason: reason.to_string(),
            message,
        };
        self.sink.event(&e)?;
        Ok(())
    }

    /// `now + d`, or the end of time when that overflows. Durations come from the user
    /// (`terminationGracePeriodSeconds: 9223372036854775807`, a 584-year task): an event that
    /// far out never happens in a run of at most 366 days, and must not panic.
    #[inline]
    fn later(&self, d: Dur) -> SimTime {
        self.eng.now().checked_add(d).unwrap_or(SimTime::MAX)
    }

    /// Hands a trace event to the sink. Call only under `if TRACE`, so that a run without
    /// tracing builds no event; cold and out of line, to keep the traced instance's hot path
    /// compact too.
    #[cold]
    #[inline(never)]
    fn tr(&mut self, e: TraceEvent) {
        self.sink.trace(&e);
    }

    // ---------------------------------------------------------------- setup and run

    /// Creates the initial pods and schedules the first arrivals.
    pub fn init(&mut self) -> Result<(), SimError> {
        self.sink.columns(&self.columns)?;
        for g in 0..self.sc.workers.len() {
            let n = self.sc.workers[g].replicas;
            self.groups[g].spec_replicas = n;
            self.summary.peak_replicas = self.summary.peak_replicas.max(self.total_replicas());
            for _ in 0..n {
                let id = self.create_pod(g)?;
                if self.sc.initial_pods_ready {
                    self.boot_instantly(id)?;
                }
            }
        }
        for i in 0..self.producers.len() {
            self.schedule_next_arrival(i);
        }
        for (i, a) in self.sc.actions.iter().enumerate() {
            self.eng.schedule_at(a.at(), Ev::Action(i as u16));
        }
        self.init_control();
        Ok(())
    }

    /// Runs to the end of the scenario: every event up to each sample instant (inclusive),
    /// then the sample, so a row shows the state after everything that happened at its time.
    pub fn run(&mut self, progress: &mut dyn FnMut(SimTime)) -> Result<(), SimError> {
        let end = SimTime(self.sc.duration.0);
        let interval = self.sc.sample_interval;
        let mut next_sample = SimTime::ZERO;
        let mut next_progress = SimTime::ZERO;
        while next_sample <= end {
            while let Some(ev) = self.eng.pop_until(next_sample)? {
                self.handle(ev)?;
            }
            self.eng.advance_to(next_sample);
            self.sample(next_sample)?;
            if next_sample >= next_progress {
                progress(next_sample);
                next_progress = next_sample
                    .checked_add(Dur::from_secs(60))
                    .unwrap_or(SimTime::MAX);
            }
            next_sample = next_sample.checked_add(interval).unwrap_or(SimTime::MAX);
        }
        // Events after the last sample instant but within the scenario.
        while let Some(ev) = self.eng.pop_until(end)? {
            self.handle(ev)?;
        }
        Ok(())
    }

    /// Closes the run and returns the summary and decisions.
    pub fn finish(mut self) -> RunOutput {
        let end = SimTime(self.sc.duration.0);
        for &i in &self.alive {
            self.summary.pod_seconds += end
                .saturating_since(self.pods[i as usize].created)
                .as_secs_f64();
        }
        if TRACE {
            for id in 0..self.broker.capacity() as crate::broker::MsgId {
                let m = self.broker.msg(id);
                if m.state != MsgState::Free {
                    let task = m.task_id;
                    self.tr(TraceEvent::InFlightAtEnd { task });
                }
            }
        }
        let c = self.counts();
        self.summary.produced = self.produced;
        self.summary.completed = self.completed;
        self.summary.lost = self.lost;
        self.summary.duplicated = self.duplicated;
        self.summary.in_flight_at_end = c.queued + c.reserved + c.running;
        self.summary.wait_s = self.waits.stats();
        self.summary.started = self.waits.count();
        self.summary.events_processed = self.eng.processed();
        self.summary.drain_time_s = if self.summary.in_flight_at_end == 0 && self.had_work {
            self.last_busy_or_empty.map(|t| t.as_secs_f64())
        } else {
            None
        };
        RunOutput {
            summary: self.summary,
            decisions: self.control.decisions,
        }
    }

    /// Handles one event. The two that come once per task (an arrival, an I/O task's end) are
    /// dispatched here, inlined into the run loop; the others go through [`World::handle_rest`].
    #[inline(always)]
    fn handle(&mut self, ev: Ev) -> Result<(), SimError> {
        match ev {
            Ev::Arrival(i) => self.on_arrival(i as usize),
            Ev::TaskDone(p, slot, gen) => self.on_task_done(p, slot, gen),
            _ => self.handle_rest(ev),
        }
    }

    /// An I/O task's completion timer (stale when the slot changed since it was set).
    #[inline]
    fn on_task_done(&mut self, p: u32, slot: u16, gen: u32) -> Result<(), SimError> {
        if self.pods[p as usize].slots[slot as usize].gen == gen {
            self.finish_task(p, slot)?;
        }
        Ok(())
    }

    /// Every event kind, out of line: the run loop stays small around the two hot ones.
    #[inline(never)]
    fn handle_rest(&mut self, ev: Ev) -> Result<(), SimError> {
        match ev {
            Ev::Arrival(i) => self.on_arrival(i as usize),
            Ev::PodScheduled(p, g) => self.on_scheduled(p, g),
            Ev::PodStarted(p, g) => self.on_started(p, g),
            Ev::CeleryReady(p, g) => self.on_celery_ready(p, g),
            Ev::PodReady(p, g) => self.on_ready(p, g),
            Ev::TaskDone(p, slot, gen) => self.on_task_done(p, slot, gen),
            Ev::CpuDone(p, gen) => self.on_cpu_done(p, gen),
            Ev::EtaDue(p, m, gen) => self.on_eta_due(p, m, gen),
            Ev::Sweep(p, gen) => self.on_sweep(p, gen),
            Ev::GraceExpired(p, gen) => {
                if self.pods[p as usize].gen == gen && self.pods[p as usize].alive() {
                    self.sigkill(p)?;
                }
                Ok(())
            }
            Ev::ProcessExit(p, gen) => {
                if self.pods[p as usize].gen == gen && self.pods[p as usize].alive() {
                    self.process_exit(p)?;
                }
                Ok(())
            }
            Ev::Action(i) => match self.sc.actions[i as usize] {
                crate::scenario::Action::Scale {
                    group, replicas, ..
                } => self.set_replicas(group, replicas),
            },
            Ev::HpaSync(i) => self.on_hpa_sync(i as usize),
            Ev::KedaPoll(k) => self.on_keda_poll(k as usize),
            Ev::MetricsScrape => {
                let now = self.eng.now();
                self.metrics_server.scrape(&mut self.pods, &self.alive, now);
                self.eng.schedule_at(
                    self.later(self.sc.kubernetes.metrics_resolution),
                    Ev::MetricsScrape,
                );
                Ok(())
            }
            Ev::ExporterPoll(i) => {
                self.telemetry.exporter_poll(i as usize, &self.broker);
                let interval = self.telemetry.exporters[i as usize].interval;
                self.eng
                    .schedule_at(self.later(interval), Ev::ExporterPoll(i));
                Ok(())
            }
            Ev::PromScrape => {
                self.telemetry.scrape(self.sc, self.eng.now());
                self.eng
                    .schedule_at(self.later(self.telemetry.scrape_interval), Ev::PromScrape);
                Ok(())
            }
            Ev::RabbitStats => {
                self.telemetry.rabbit_tick(&self.broker, self.eng.now());
                self.eng.schedule_at(
                    self.later(telemetry::RABBIT_STATS_INTERVAL),
                    Ev::RabbitStats,
                );
                Ok(())
            }
        }
    }

    // ---------------------------------------------------------------- load

    #[inline(always)]
    fn schedule_next_arrival(&mut self, i: usize) {
        if let Some((t, _)) = self.producers[i].peek_or_next() {
            let t = t.max(self.eng.now());
            if i == 0 {
                // The first producer always has exactly one arrival pending.
                self.eng.schedule_side(t, Ev::Arrival(0));
            } else {
                self.eng.schedule_at(t, Ev::Arrival(i as u16));
            }
        }
    }

    fn on_arrival(&mut self, i: usize) -> Result<(), SimError> {
        let Some((_, count)) = self.producers[i].take() else {
            return Ok(());
        };
        let task = self.sc.loads[i].task;
        for _ in 0..count {
            self.publish(task)?;
        }
        self.schedule_next_arrival(i);
        Ok(())
    }

    /// Publishes one task of type `task` now.
    pub fn publish(&mut self, task: usize) -> Result<(), SimError> {
        let now = self.eng.now();
        if self.broker.live() >= self.sc.max_tasks_in_flight {
            return Err(SimError::TooManyTasks {
                limit: self.sc.max_tasks_in_flight,
                at: now,
            });
        }
        let tt = &self.sc.tasks[task];
        let work = tt.duration.sample(&mut self.task_rngs[task]);
        let eta = match &tt.countdown {
            Some(c) => {
                let d = c.sample(&mut self.eta_rngs[task]);
                self.later(d)
            }
            None => SimTime::ZERO,
        };
        let band = self.task_bands[task];
        let id = self.broker.alloc(Msg {
            task_id: self.next_task_id,
            task_type: task as u16,
            queue: tt.queue as u16,
            band,
            state: MsgState::Ready,
            published_at: now,
            work_ns: work.0,
            eta,
            delivered_at: SimTime::ZERO,
            holder: NO_POD,
            unacked: false,
            gen: 0,
        });
        if TRACE {
            let task = self.next_task_id;
            self.tr(TraceEvent::Published { t: now, task });
        }
        self.next_task_id += 1;
        self.produced += 1;
        self.had_work = true;
        self.broker.publish(id);
        let depth = self.broker.ready_total();
        if depth > self.summary.max_queue_depth {
            self.summary.max_queue_depth = depth;
        }
        self.wake_waiters(tt.queue as u16);
        Ok(())
    }

    // ---------------------------------------------------------------- delivery

    /// Hands ready messages of `queue` to workers blocked on it, longest-waiting first
    /// (Redis serves BRPOP clients in blocking order).
    fn wake_waiters(&mut self, queue: u16) {
        while self.broker.queues[queue as usize].ready() > 0 {
            let pods = &self.pods;
            let serves = |p: u32| {
                let pod = &pods[p as usize];
                pod.waiting && pod.fetching() && pod.consumes(queue)
            };
            // Usually the longest waiter is the one: take it without a search.
            let p = match self.waiters.front() {
                Some(&p) if serves(p) => {
                    self.waiters.pop_front();
                    p
                }
                _ => {
                    let Some(pos) = self.waiters.iter().position(|&p| serves(p)) else {
                        break;
                    };
                    self.waiters.remove(pos).expect("position is in range")
                }
            };
            self.pods[p as usize].waiting = false;
            self.fetch(p);
        }
        // Drop stale entries at the front.
        while let Some(&p) = self.waiters.front() {
            let pod = &self.pods[p as usize];
            if pod.waiting && pod.fetching() {
                break;
            }
            self.waiters.pop_front();
            self.pods[p as usize].waiting = false;
        }
    }

    /// Takes messages while the prefetch window allows; blocks (waits) when the queues are empty.
    #[inline(always)]
    fn fetch(&mut self, p: u32) {
        loop {
            let pod = &mut self.pods[p as usize];
            if !pod.fetching() || pod.capacity() == 0 {
                return;
            }
            let Some((id, pos)) = self.broker.pop_for(&pod.queue_order) else {
                if !pod.waiting {
                    pod.waiting = true;
                    self.waiters.push_back(p);
                }
                return;
            };
            if self.sc.broker.queue_order == QueueOrder::RoundRobin && pod.queue_order.len() > 1 {
                let q = pod.queue_order.remove(pos);
                pod.queue_order.push(q);
            }
            self.deliver(p, id);
        }
    }

    fn deliver(&mut self, p: u32, id: MsgId) {
        let now = self.eng.now();
        let m = self.broker.msg(id);
        let (eta, task) = (m.eta, m.task_type as usize);
        if TRACE {
            let task = m.task_id;
            self.tr(TraceEvent::Delivered {
                t: now,
                task,
                pod: p,
            });
        }
        if eta > now {
            self.broker.deliver(id, p, now, MsgState::EtaHeld);
            self.pods[p as usize].eta.push(id);
            let gen = self.broker.msg(id).gen;
            self.eng.schedule_at(eta, Ev::EtaDue(p, id, gen));
            return;
        }
        let late = self.acks_late(p, task);
        let pod = &mut self.pods[p as usize];
        // An idle pool slot and nothing buffered: the job goes straight to the child.
        if pod.reserved.is_empty() && pod.fetching() {
            if let Some(slot) = pod.free_slots.pop() {
                if late {
                    self.broker.deliver(id, p, now, MsgState::Reserved);
                } else {
                    self.broker
                        .deliver_acked_at_once(id, p, now, MsgState::Reserved);
                }
                self.start_task(p, slot, id);
                return;
            }
        }
        pod.reserved.push_back(id);
        self.broker.deliver(id, p, now, MsgState::Reserved);
        self.try_start(p);
    }

    fn on_eta_due(&mut self, p: u32, id: MsgId, gen: u32) -> Result<(), SimError> {
        let m = self.broker.msg(id);
        if m.gen != gen || m.holder != p || m.state != MsgState::EtaHeld {
            return Ok(());
        }
        let pod = &mut self.pods[p as usize];
        if let Some(i) = pod.eta.iter().position(|&x| x == id) {
            pod.eta.swap_remove(i);
        }
        self.broker.msg_mut(id).state = MsgState::Reserved;
        self.pods[p as usize].reserved.push_back(id);
        self.try_start(p);
        self.fetch(p);
        Ok(())
    }

    // ---------------------------------------------------------------- execution

    /// Starts reserved tasks while pool slots are free (prefork `-O fair`: only idle children
    /// get jobs).
    fn try_start(&mut self, p: u32) {
        loop {
            let pod = &mut self.pods[p as usize];
            if !pod.fetching() || pod.free_slots.is_empty() {
                return;
            }
            let Some(id) = pod.reserved.pop_front() else {
                return;
            };
            let slot = pod.free_slots.pop().expect("non-empty");
            self.start_task(p, slot, id);
        }
    }

    /// Whether pod `p` acks tasks of type `task` after running them (`acks_late`).
    #[inline]
    fn acks_late(&self, p: u32, task: usize) -> bool {
        self.task_acks_late[task].unwrap_or(self.pods[p as usize].acks_late)
    }

    fn start_task(&mut self, p: u32, slot: u16, id: MsgId) {
        let now = self.eng.now();
        let m = self.broker.msg_mut(id);
        m.state = MsgState::Running;
        let (task, published_at, work_ns) = (m.task_type as usize, m.published_at, m.work_ns);
        let late = self.acks_late(p, task);
        if !late {
            self.broker.ack(id);
        }
        self.waits.record(now.saturating_since(published_at).0);
        if TRACE {
            self.tr(TraceEvent::Started {
                t: now,
                task: self.broker.msg(id).task_id,
                pod: p,
                published: published_at,
            });
        }
        let cpu = self.sc.tasks[task].kind == TaskKind::Cpu;
        let pod = &mut self.pods[p as usize];
        pod.busy += 1;
        if late {
            pod.busy_unacked += 1;
        }
        let s = &mut pod.slots[slot as usize];
        s.msg = id;
        s.gen = s.gen.wrapping_add(1);
        s.cpu = cpu;
        s.late = late;
        let gen = s.gen;
        if cpu {
            pod.cpu.add(now, slot, work_ns);
            self.resched_cpu(p);
        } else {
            self.eng
                .schedule_at(self.later(Dur(work_ns)), Ev::TaskDone(p, slot, gen));
        }
    }

    fn resched_cpu(&mut self, p: u32) {
        let pod = &self.pods[p as usize];
        if let Some(t) = pod.cpu.next_finish() {
            let gen = pod.cpu.gen;
            self.eng
                .schedule_at(t.max(self.eng.now()), Ev::CpuDone(p, gen));
        }
    }

    fn on_cpu_done(&mut self, p: u32, gen: u32) -> Result<(), SimError> {
        let now = self.eng.now();
        if self.pods[p as usize].cpu.gen != gen {
            return Ok(());
        }
        self.pods[p as usize].cpu.advance(now);
        let done = self.pods[p as usize].cpu.finished();
        for slot in done {
            self.finish_task(p, slot)?;
        }
        if self.pods[p as usize].cpu.gen == gen {
            // Nothing changed (rounding): make sure the next finish is scheduled.
            self.resched_cpu(p);
        }
        Ok(())
    }

    /// A task in `slot` completed.
    fn finish_task(&mut self, p: u32, slot: u16) -> Result<(), SimError> {
        let now = self.eng.now();
        let pod = &mut self.pods[p as usize];
        let s = &mut pod.slots[slot as usize];
        let (id, late, cpu) = (s.msg, s.late, s.cpu);
        s.msg = NO_MSG;
        s.gen = s.gen.wrapping_add(1);
        debug_assert!(id != NO_MSG);
        pod.busy -= 1;
        if late {
            pod.busy_unacked -= 1;
        }
        pod.free_slots.push(slot);
        if cpu {
            pod.cpu.remove(now, slot);
        }
        let (celery, busy) = (pod.celery, pod.busy);
        if late {
            self.broker.ack(id);
        }
        let m = self.broker.msg(id);
        let task = m.task_type as usize;
        if TRACE {
            let task = m.task_id;
            self.tr(TraceEvent::Completed {
                t: now,
                task,
                pod: p,
            });
        }
        self.telemetry.task_success[task] += 1;
        self.broker.release(id);
        self.completed += 1;
        if cpu {
            self.resched_cpu(p);
        }
        match celery {
            CeleryState::WarmShutdown if busy == 0 => self.process_exit(p),
            CeleryState::ColdShutdown if busy == 0 => Ok(()),
            _ => {
                self.try_start(p);
                self.fetch(p);
                Ok(())
            }
        }
    }

    // ---------------------------------------------------------------- Redis visibility timeout

    /// kombu's restore timer fires every `unacked_restore_interval` but scans only on every
    /// `unacked_restore_throttle`-th call: scans fall at consume start + k x interval x
    /// throttle, which is when this event is scheduled.
    fn on_sweep(&mut self, p: u32, gen: u32) -> Result<(), SimError> {
        let pod = &self.pods[p as usize];
        if pod.gen != gen || !pod.fetching() {
            return Ok(());
        }
        self.eng
            .schedule_at(self.later(self.scan_period()), Ev::Sweep(p, gen));
        self.restore_visible()
    }

    fn scan_period(&self) -> Dur {
        self.sc
            .broker
            .restore_interval
            .saturating_mul(self.sc.broker.restore_throttle as u64)
    }

    /// kombu `QoS.restore_visible`: every unacked message delivered more than the visibility
    /// timeout ago goes back to the queue head. A message still held by a live worker is copied
    /// (the worker runs its copy too: a duplicate).
    fn restore_visible(&mut self) -> Result<(), SimError> {
        let now = self.eng.now();
        let cutoff = now.saturating_sub(self.sc.broker.visibility_timeout);
        if cutoff == SimTime::ZERO {
            return Ok(());
        }
        let expired = self.broker.expired_unacked(cutoff);
        if expired.is_empty() {
            return Ok(());
        }
        let (mut restored, mut duplicated) = (0u64, 0u64);
        let mut queues: Vec<u16> = Vec::new();
        for id in expired {
            let m = *self.broker.msg(id);
            self.broker.forget_unacked(id);
            if m.state == MsgState::Orphaned {
                self.orphaned -= 1;
                self.broker.restore_front(id);
                restored += 1;
                if TRACE {
                    self.tr(TraceEvent::Requeued {
                        t: now,
                        task: m.task_id,
                        why: Requeue::VisibilityTimeout,
                    });
                }
            } else {
                let copy = self.broker.alloc(Msg {
                    state: MsgState::Ready,
                    holder: NO_POD,
                    unacked: false,
                    ..m
                });
                self.broker.restore_front(copy);
                self.duplicated += 1;
                duplicated += 1;
                if TRACE {
                    self.tr(TraceEvent::Duplicated {
                        t: now,
                        task: m.task_id,
                    });
                }
            }
            if !queues.contains(&m.queue) {
                queues.push(m.queue);
            }
        }
        let vt = self.sc.broker.visibility_timeout;
        let msg = if duplicated > 0 {
            format!("Restored {} unacked message(s) older than the visibility timeout ({vt}); {duplicated} of them are still held by a live worker and will run twice", restored + duplicated)
        } else {
            format!(
                "Restored {restored} unacked message(s) older than the visibility timeout ({vt})"
            )
        };
        self.event(
            "broker",
            if duplicated > 0 { "Warning" } else { "Normal" },
            "VisibilityTimeoutRestore",
            msg,
        )?;
        for q in queues {
            self.wake_waiters(q);
        }
        Ok(())
    }

    // ---------------------------------------------------------------- pods

    fn total_replicas(&self) -> u64 {
        self.groups
            .iter()
            .map(|g| g.spec_replicas.max(0) as u64)
            .sum()
    }

    /// Sets `spec.replicas` of worker group `g` (what HPA/KEDA write), creating or deleting pods.
    pub fn set_replicas(&mut self, g: usize, replicas: i32) -> Result<(), SimError> {
        let old = self.groups[g].spec_replicas;
        if replicas == old {
            return Ok(());
        }
        self.groups[g].spec_replicas = replicas;
        if replicas > old {
            self.summary.scale_ups += 1;
        } else {
            self.summary.scale_downs += 1;
        }
        self.summary.peak_replicas = self.summary.peak_replicas.max(self.total_replicas());
        let dep = &self.sc.workers[g].deployment;
        let verb = if replicas > old { "up" } else { "down" };
        self.event(
            "deployment",
            "Normal",
            "ScalingReplicaSet",
            format!("Scaled {verb} replica set {dep} to {replicas} from {old}"),
        )?;
        self.reconcile_group(g)
    }

    /// The ReplicaSet controller: make the number of active pods match `spec.replicas`.
    fn reconcile_group(&mut self, g: usize) -> Result<(), SimError> {
        let want = self.groups[g].spec_replicas.max(0) as usize;
        let active: Vec<u32> = self
            .alive
            .iter()
            .copied()
            .filter(|&p| {
                self.pods[p as usize].group as usize == g && self.pods[p as usize].active()
            })
            .collect();
        if active.len() < want {
            for _ in active.len()..want {
                self.create_pod(g)?;
            }
        } else if active.len() > want {
            let now = self.eng.now();
            let infos: Vec<(usize, RankInfo)> = active
                .iter()
                .map(|&p| {
                    let pod = &self.pods[p as usize];
                    (
                        p as usize,
                        RankInfo {
                            assigned: pod.scheduled,
                            running: pod.started.is_some(),
                            ready: pod.ready_since.is_some(),
                            ready_since: pod.ready_since,
                            created: pod.created,
                            uid: fnv1a64(format!("{}/{}", self.uid_seed, pod.name).as_bytes()),
                        },
                    )
                })
                .collect();
            for victim in pick_victims(&infos, active.len() - want, now) {
                self.terminate(victim as u32)?;
            }
        }
        Ok(())
    }

    fn create_pod(&mut self, g: usize) -> Result<u32, SimError> {
        let now = self.eng.now();
        if self.alive.len() as u64 >= self.sc.max_pods {
            return Err(SimError::TooManyPods {
                limit: self.sc.max_pods,
                at: now,
            });
        }
        let w = &self.sc.workers[g];
        let ordinal = self.groups[g].next_ordinal;
        self.groups[g].next_ordinal += 1;
        let name = format!("{}-{ordinal}", w.deployment);
        let mut pod = Pod::new(
            name,
            g as u16,
            now,
            &w.celery,
            self.groups[g].prefetch,
            self.groups[g].cores,
        );
        // Reuse a dead pod's slot (memory stays flat under churn); its generations move on,
        // so timers left over from the dead pod can never match the new one.
        let id = match self.groups[g].free_pods.pop() {
            Some(id) => {
                let old = &self.pods[id as usize];
                pod.gen = old.gen.wrapping_add(1);
                pod.cpu.gen = old.cpu.gen.wrapping_add(1);
                for (new, prev) in pod.slots.iter_mut().zip(&old.slots) {
                    new.gen = prev.gen.wrapping_add(1);
                }
                self.metrics_server.forget(id);
                self.pods[id as usize] = pod;
                id
            }
            None => {
                self.pods.push(pod);
                (self.pods.len() - 1) as u32
            }
        };
        self.alive.push(id);
        if TRACE {
            let name = self.pods[id as usize].name.clone();
            self.tr(TraceEvent::PodCreated {
                t: now,
                pod: id,
                group: g as u16,
                name,
            });
        }
        let gen = self.pods[id as usize].gen;
        let delay = w.startup.scheduling.sample(&mut self.groups[g].startup_rng);
        self.eng
            .schedule_at(self.later(delay), Ev::PodScheduled(id, gen));
        Ok(id)
    }

    /// Makes a pod that exists at t=0 already consuming and ready (the system was running
    /// before the scenario starts).
    fn boot_instantly(&mut self, p: u32) -> Result<(), SimError> {
        let pod = &mut self.pods[p as usize];
        pod.gen = pod.gen.wrapping_add(1); // drop the scheduled start-up chain
        pod.scheduled = true;
        pod.started = Some(SimTime::ZERO);
        pod.ready_since = Some(SimTime::ZERO);
        pod.ready_transition = Some(SimTime::ZERO);
        if TRACE {
            self.tr(TraceEvent::PodReady {
                t: SimTime::ZERO,
                pod: p,
            });
        }
        self.start_consuming(p)
    }

    fn on_scheduled(&mut self, p: u32, gen: u32) -> Result<(), SimError> {
        let pod = &mut self.pods[p as usize];
        if pod.gen != gen || !pod.active() {
            return Ok(());
        }
        pod.scheduled = true;
        let g = pod.group as usize;
        let name = pod.name.clone();
        let w = &self.sc.workers[g];
        let rng = &mut self.groups[g].startup_rng;
        let delay = w.startup.image_pull.sample(rng) + w.startup.container_start.sample(rng);
        self.eng
            .schedule_at(self.later(delay), Ev::PodStarted(p, gen));
        self.event(
            "pod",
            "Normal",
            "Scheduled",
            format!("Successfully assigned {}/{name} to a node", w.namespace),
        )
    }

    fn on_started(&mut self, p: u32, gen: u32) -> Result<(), SimError> {
        let now = self.eng.now();
        let pod = &mut self.pods[p as usize];
        if pod.gen != gen || !pod.active() {
            return Ok(());
        }
        pod.started = Some(now);
        pod.celery = CeleryState::Booting;
        let g = pod.group as usize;
        let w = &self.sc.workers[g];
        let ready_now = w.readiness.is_none();
        if ready_now {
            pod.ready_since = Some(now);
            pod.ready_transition = Some(now);
        }
        let name = pod.name.clone();
        let boot = w
            .startup
            .celery_boot
            .sample(&mut self.groups[g].startup_rng);
        self.eng
            .schedule_at(self.later(boot), Ev::CeleryReady(p, gen));
        if TRACE && ready_now {
            self.tr(TraceEvent::PodReady { t: now, pod: p });
        }
        self.event(
            "pod",
            "Normal",
            "Started",
            format!("Started container {} in pod {name}", w.container),
        )
    }

    fn on_celery_ready(&mut self, p: u32, gen: u32) -> Result<(), SimError> {
        let now = self.eng.now();
        let pod = &self.pods[p as usize];
        if pod.gen != gen || !pod.active() {
            return Ok(());
        }
        let g = pod.group as usize;
        if let Some(probe) = self.sc.workers[g].readiness {
            // First probe tick at or after now, then successThreshold-1 more periods.
            let started = pod.started.unwrap_or(now);
            // Saturating: probe fields are int32 seconds, their products can pass u64.
            let first = started
                .checked_add(probe.initial_delay)
                .unwrap_or(SimTime::MAX);
            let t = if now <= first {
                first
            } else {
                let k = (now.0 - first.0).div_ceil(probe.period.0.max(1));
                first
                    .checked_add(Dur(k.saturating_mul(probe.period.0)))
                    .unwrap_or(SimTime::MAX)
            };
            let extra = probe
                .period
                .0
                .saturating_mul(probe.success_threshold.saturating_sub(1) as u64);
            let t = t.checked_add(Dur(extra)).unwrap_or(SimTime::MAX);
            self.eng.schedule_at(t, Ev::PodReady(p, gen));
        }
        let name = pod.name.clone();
        self.event(
            "worker",
            "Normal",
            "CeleryReady",
            format!("celery@{name} ready."),
        )?;
        self.start_consuming(p)
    }

    fn start_consuming(&mut self, p: u32) -> Result<(), SimError> {
        let now = self.eng.now();
        let pod = &mut self.pods[p as usize];
        pod.celery = CeleryState::Consuming;
        pod.consuming_since = Some(now);
        let gen = pod.gen;
        if TRACE {
            self.tr(TraceEvent::PodConsuming { t: now, pod: p });
        }
        if self.sc.broker.kind == BrokerKind::Redis {
            // kombu: one restore scan when the poller starts, then the throttled timer.
            self.eng
                .schedule_at(self.later(self.scan_period()), Ev::Sweep(p, gen));
            self.restore_visible()?;
        }
        self.fetch(p);
        Ok(())
    }

    fn on_ready(&mut self, p: u32, gen: u32) -> Result<(), SimError> {
        let now = self.eng.now();
        let pod = &mut self.pods[p as usize];
        if pod.gen != gen || !pod.active() || pod.ready_since.is_some() {
            return Ok(());
        }
        pod.ready_since = Some(now);
        pod.ready_transition = Some(now);
        if TRACE {
            self.tr(TraceEvent::PodReady { t: now, pod: p });
        }
        Ok(())
    }

    /// Deletion: the pod leaves the ReplicaSet, turns unready, and its container gets SIGTERM.
    fn terminate(&mut self, p: u32) -> Result<(), SimError> {
        let now = self.eng.now();
        let (name, g, state) = {
            let pod = &mut self.pods[p as usize];
            pod.deleted_at = Some(now);
            if pod.ready_since.is_some() {
                pod.ready_since = None;
                pod.ready_transition = Some(now);
            }
            pod.gen = pod.gen.wrapping_add(1);
            (pod.name.clone(), pod.group as usize, pod.celery)
        };
        if TRACE {
            self.tr(TraceEvent::PodTerminating { t: now, pod: p });
        }
        let w = &self.sc.workers[g];
        self.event(
            "pod",
            "Normal",
            "Killing",
            format!("Stopping container {} in pod {name}", w.container),
        )?;
        let gen = self.pods[p as usize].gen;
        match state {
            CeleryState::NotStarted | CeleryState::Booting => {
                return self.remove_pod(p, "the container exited before Celery was consuming")
            }
            _ => {}
        }
        self.eng
            .schedule_at(self.later(w.termination_grace), Ev::GraceExpired(p, gen));
        let c = &w.celery;
        match (c.signal, c.remap_sigterm) {
            (SignalMode::Swallowed, _) => {
                self.pods[p as usize].celery = CeleryState::IgnoringTerm;
                self.event("worker", "Warning", "SigtermIgnored", format!("celery@{name}: SIGTERM did not reach Celery (shell without exec); it keeps working until SIGKILL in {}", w.termination_grace))?;
            }
            (SignalMode::ProcessGroup, _) => {
                self.stop_fetching(p, CeleryState::ColdShutdown);
                let killed = self.kill_running(
                    p,
                    "WorkerLostError: the prefork child got SIGTERM from a process-group signal",
                )?;
                self.event("worker", "Warning", "WorkerLost", format!("celery@{name}: SIGTERM to the process group killed {killed} running task(s)"))?;
                self.eng
                    .schedule_at(self.later(Dur::from_secs(1)), Ev::ProcessExit(p, gen));
            }
            (SignalMode::Main, true) => {
                self.stop_fetching(p, CeleryState::ColdShutdown);
                let soft = c.soft_shutdown_timeout;
                self.event(
                    "worker",
                    "Normal",
                    "ColdShutdown",
                    format!(
                        "celery@{name}: cold shutdown (REMAP_SIGTERM=SIGQUIT), soft timeout {soft}"
                    ),
                )?;
                if soft.0 > 0 && self.pods[p as usize].busy > 0 {
                    self.eng
                        .schedule_at(self.later(soft), Ev::ProcessExit(p, gen));
                } else {
                    self.process_exit(p)?;
                }
            }
            (SignalMode::Main, false) => {
                self.stop_fetching(p, CeleryState::WarmShutdown);
                self.event(
                    "worker",
                    "Normal",
                    "WarmShutdown",
                    format!("celery@{name}: worker: Warm shutdown (MainProcess)"),
                )?;
                if self.pods[p as usize].busy == 0 {
                    self.process_exit(p)?;
                }
            }
        }
        Ok(())
    }

    fn stop_fetching(&mut self, p: u32, state: CeleryState) {
        let pod = &mut self.pods[p as usize];
        pod.celery = state;
        pod.waiting = false;
    }

    /// Kills the running tasks of a pod. Early-ack tasks are lost; late-ack tasks are
    /// redelivered only with `task_reject_on_worker_lost` (else acked as failed: lost).
    /// Returns how many ran.
    fn kill_running(&mut self, p: u32, why: &str) -> Result<u64, SimError> {
        let now = self.eng.now();
        let g = self.pods[p as usize].group as usize;
        let reject = self.sc.workers[g].celery.reject_on_worker_lost;
        let mut killed = 0;
        let mut lost = 0;
        for slot in 0..self.pods[p as usize].slots.len() as u16 {
            let s = self.pods[p as usize].slots[slot as usize];
            if s.msg == NO_MSG {
                continue;
            }
            killed += 1;
            self.vacate_slot(p, slot, now);
            if s.late && !self.broker.msg(s.msg).unacked {
                // Restored by a visibility-timeout sweep already: the broker's copy carries on.
                self.drop_duplicate(s.msg);
            } else if s.late && reject {
                self.broker.forget_unacked(s.msg);
                self.broker.requeue_back(s.msg);
                self.trace_requeue(s.msg, Requeue::RejectOnWorkerLost);
            } else {
                self.trace_lost(s.msg);
                self.broker.ack(s.msg);
                self.broker.release(s.msg);
                self.lost += 1;
                lost += 1;
            }
        }
        if lost > 0 {
            let name = self.pods[p as usize].name.clone();
            self.event(
                "worker",
                "Warning",
                "TaskLost",
                format!("{lost} task(s) lost in {name}: {why}"),
            )?;
        }
        Ok(killed)
    }

    fn vacate_slot(&mut self, p: u32, slot: u16, now: SimTime) {
        let pod = &mut self.pods[p as usize];
        let s = &mut pod.slots[slot as usize];
        let (cpu, late) = (s.cpu, s.late);
        s.msg = NO_MSG;
        s.gen = s.gen.wrapping_add(1);
        pod.busy -= 1;
        if late {
            pod.busy_unacked -= 1;
        }
        pod.free_slots.push(slot);
        if cpu {
            pod.cpu.remove(now, slot);
        }
    }

    /// The Celery process exits cleanly: running tasks (cold shutdown) are cancelled, and the
    /// channel close restores every still-unacked message (kombu `restore_unacked_once`;
    /// RabbitMQ requeues on connection close).
    fn process_exit(&mut self, p: u32) -> Result<(), SimError> {
        let now = self.eng.now();
        if self.pods[p as usize].busy > 0 {
            // Cold shutdown: cancel_active_requests.
            for slot in 0..self.pods[p as usize].slots.len() as u16 {
                let s = self.pods[p as usize].slots[slot as usize];
                if s.msg == NO_MSG {
                    continue;
                }
                self.vacate_slot(p, slot, now);
                if s.late && !self.broker.msg(s.msg).unacked {
                    self.drop_duplicate(s.msg);
                } else if s.late {
                    self.pods[p as usize].reserved.push_front(s.msg);
                    self.broker.msg_mut(s.msg).state = MsgState::Reserved;
                } else {
                    self.trace_lost(s.msg);
                    self.broker.release(s.msg);
                    self.lost += 1;
                    let name = self.pods[p as usize].name.clone();
                    self.event(
                        "worker",
                        "Warning",
                        "TaskLost",
                        format!(
                            "1 task lost in {name}: cancelled by cold shutdown after an early ack"
                        ),
                    )?;
                }
            }
        }
        let mut held: Vec<MsgId> = self.pods[p as usize].reserved.drain(..).collect();
        held.append(&mut self.pods[p as usize].eta);
        let mut restored = 0u64;
        let mut queues: Vec<u16> = Vec::new();
        for id in held {
            if self.broker.msg(id).unacked {
                self.broker.forget_unacked(id);
                self.broker.restore_front(id);
                self.trace_requeue(id, Requeue::ShutdownRestore);
                restored += 1;
                let q = self.broker.msg(id).queue;
                if !queues.contains(&q) {
                    queues.push(q);
                }
            } else {
                // Already restored by a visibility-timeout sweep: the broker holds a copy.
                self.drop_duplicate(id);
            }
        }
        let name = self.pods[p as usize].name.clone();
        if restored > 0 {
            self.event(
                "worker",
                "Normal",
                "RestoreUnacked",
                format!("celery@{name}: Restoring {restored} unacknowledged message(s)"),
            )?;
        }
        self.remove_pod(p, "Celery exited")?;
        for q in queues {
            self.wake_waiters(q);
        }
        Ok(())
    }

    /// A held copy vanishes while the broker keeps another copy of the same task (made by a
    /// visibility-timeout restore): the duplicate count goes back down.
    fn drop_duplicate(&mut self, id: MsgId) {
        if TRACE {
            let t = self.eng.now();
            let task = self.broker.msg(id).task_id;
            self.tr(TraceEvent::DuplicateDropped { t, task });
        }
        self.broker.release(id);
        self.duplicated -= 1;
    }

    /// Traces the loss of the copy `id` (before it is released).
    fn trace_lost(&mut self, id: MsgId) {
        if TRACE {
            let t = self.eng.now();
            let task = self.broker.msg(id).task_id;
            self.tr(TraceEvent::Lost { t, task });
        }
    }

    /// Traces the return of the copy `id` to its queue.
    fn trace_requeue(&mut self, id: MsgId, why: Requeue) {
        if TRACE {
            let t = self.eng.now();
            let task = self.broker.msg(id).task_id;
            self.tr(TraceEvent::Requeued { t, task, why });
        }
    }

    /// SIGKILL at the end of the grace period.
    fn sigkill(&mut self, p: u32) -> Result<(), SimError> {
        let now = self.eng.now();
        let name = self.pods[p as usize].name.clone();
        let g = self.pods[p as usize].group as usize;
        let grace = self.sc.workers[g].termination_grace;
        self.event(
            "pod",
            "Warning",
            "Killed",
            format!("Container in {name} was killed (SIGKILL) {grace} after SIGTERM"),
        )?;
        let redis = self.sc.broker.kind == BrokerKind::Redis;
        // Running tasks.
        let mut lost = 0u64;
        let mut orphaned = 0u64;
        let mut requeued: Vec<MsgId> = Vec::new();
        for slot in 0..self.pods[p as usize].slots.len() as u16 {
            let s = self.pods[p as usize].slots[slot as usize];
            if s.msg == NO_MSG {
                continue;
            }
            self.vacate_slot(p, slot, now);
            if s.late && self.broker.msg(s.msg).unacked {
                requeued.push(s.msg);
            } else if s.late {
                self.drop_duplicate(s.msg);
            } else {
                self.trace_lost(s.msg);
                self.broker.release(s.msg);
                self.lost += 1;
                lost += 1;
            }
        }
        let mut held: Vec<MsgId> = self.pods[p as usize].reserved.drain(..).collect();
        held.append(&mut self.pods[p as usize].eta);
        for id in held {
            if self.broker.msg(id).unacked {
                requeued.push(id);
            } else {
                self.drop_duplicate(id);
            }
        }
        let mut queues: Vec<u16> = Vec::new();
        for id in requeued {
            if redis {
                // Nothing runs at exit: the message stays in `unacked` until a sweep.
                let m = self.broker.msg_mut(id);
                m.state = MsgState::Orphaned;
                m.holder = NO_POD;
                self.orphaned += 1;
                orphaned += 1;
            } else {
                self.broker.forget_unacked(id);
                self.broker.restore_front(id);
                self.trace_requeue(id, Requeue::ConnectionClosed);
                let q = self.broker.msg(id).queue;
                if !queues.contains(&q) {
                    queues.push(q);
                }
            }
        }
        if lost > 0 {
            self.event(
                "worker",
                "Warning",
                "TaskLost",
                format!("{lost} task(s) lost in {name}: killed while running after an early ack"),
            )?;
        }
        if orphaned > 0 {
            let vt = self.sc.broker.visibility_timeout;
            self.event("broker", "Warning", "UnackedOrphaned", format!("{orphaned} message(s) delivered to {name} stay in Redis `unacked`, invisible to LLEN, until a live worker's restore scan after the visibility timeout ({vt})"))?;
        }
        self.remove_pod(p, "SIGKILL")?;
        for q in queues {
            self.wake_waiters(q);
        }
        Ok(())
    }

    fn remove_pod(&mut self, p: u32, why: &str) -> Result<(), SimError> {
        let now = self.eng.now();
        let pod = &mut self.pods[p as usize];
        debug_assert!(pod.busy == 0 && pod.reserved.is_empty() && pod.eta.is_empty());
        pod.celery = CeleryState::Exited;
        pod.waiting = false;
        pod.ready_since = None;
        pod.gen = pod.gen.wrapping_add(1);
        let lifetime = now.saturating_since(pod.created).as_secs_f64();
        let name = pod.name.clone();
        self.summary.pod_seconds += lifetime;
        if let Some(i) = self.alive.iter().position(|&x| x == p) {
            self.alive.remove(i);
        }
        let g = self.pods[p as usize].group as usize;
        self.groups[g].free_pods.push(p);
        self.waiters.retain(|&x| x != p);
        if TRACE {
            self.tr(TraceEvent::PodExited { t: now, pod: p });
        }
        self.event(
            "pod",
            "Normal",
            "Deleted",
            format!("Pod {name} deleted ({why})"),
        )
    }

    // ---------------------------------------------------------------- sampling

    /// Counts of task copies by place.
    pub fn counts(&self) -> Counts {
        let mut c = Counts {
            queued: self.broker.ready_total(),
            reserved: self.orphaned,
            ..Counts::default()
        };
        for &i in &self.alive {
            let p = &self.pods[i as usize];
            c.reserved += (p.reserved.len() + p.eta.len()) as u64;
            c.running += p.busy as u64;
            if p.deleted_at.is_some() {
                c.terminating += 1;
            } else if p.ready_since.is_some() {
                c.ready += 1;
            } else {
                c.starting += 1;
            }
        }
        c
    }

    /// The accounting identity; an error names the numbers.
    pub fn check_conservation(&self) -> Result<Counts, SimError> {
        let c = self.counts();
        let lhs = self.produced + self.duplicated;
        let rhs = self.completed + c.queued + c.reserved + c.running + self.lost;
        if lhs != rhs || self.broker.live() != c.queued + c.reserved + c.running {
            return Err(SimError::Conservation {
                at: self.eng.now(),
                detail: format!(
                    "produced {} + duplicated {} != completed {} + queued {} + reserved {} + running {} + lost {} (messages alive in the store: {})",
                    self.produced, self.duplicated, self.completed, c.queued, c.reserved, c.running, self.lost, self.broker.live()
                ),
            });
        }
        Ok(c)
    }

    fn sample(&mut self, t: SimTime) -> Result<(), SimError> {
        let c = self.check_conservation()?;
        let in_flight = c.queued + c.reserved + c.running;
        if in_flight > 0 {
            self.last_busy_or_empty = None;
        } else if self.had_work && self.last_busy_or_empty.is_none() {
            self.last_busy_or_empty = Some(t);
        }
        let (ready, starting, terminating) = (c.ready, c.starting, c.terminating);
        let [p50, p95, max] = self.waits.take_window();
        let r = &mut self.row;
        r[0] = t.as_secs_f64();
        r[1] = c.queued as f64;
        r[2] = c.reserved as f64;
        r[3] = c.running as f64;
        r[4] = self.groups.iter().map(|g| g.spec_replicas as f64).sum();
        r[5] = ready as f64;
        r[6] = starting as f64;
        r[7] = terminating as f64;
        r[8] = self.produced as f64;
        r[9] = self.completed as f64;
        r[10] = self.lost as f64;
        r[11] = self.duplicated as f64;
        r[12] = p50;
        r[13] = p95;
        r[14] = max;
        let mut i = 15;
        for q in 0..self.broker.queues.len() {
            r[i] = self.broker.queues[q].ready() as f64;
            i += 1;
        }
        if self.groups.len() > 1 {
            for g in &self.groups {
                r[i] = g.spec_replicas as f64;
                i += 1;
            }
        }
        r.truncate(i);
        self.control.values(r);
        self.sink.row(&self.row)?;
        Ok(())
    }
}

/// Runs a scenario to the end with default options (see [`run_with`]).
pub fn run(
    sc: &Scenario,
    sink: &mut dyn Sink,
    progress: &mut dyn FnMut(SimTime),
) -> Result<RunOutput, SimError> {
    run_with(sc, sink, progress, RunOptions::default())
}

/// Runs a scenario to the end, streaming rows and events into `sink` (and trace events, when
/// the sink wants them: the traced event loop is a separate instance, see [`World`]).
pub fn run_with(
    sc: &Scenario,
    sink: &mut dyn Sink,
    progress: &mut dyn FnMut(SimTime),
    options: RunOptions,
) -> Result<RunOutput, SimError> {
    if sink.wants_trace() {
        run_instance::<true>(sc, sink, progress, options)
    } else {
        run_instance::<false>(sc, sink, progress, options)
    }
}

fn run_instance<const TRACE: bool>(
    sc: &Scenario,
    sink: &mut dyn Sink,
    progress: &mut dyn FnMut(SimTime),
    options: RunOptions,
) -> Result<RunOutput, SimError> {
    let mut w = World::<TRACE>::new(sc, sink);
    w.control.all_decisions = options.all_decisions;
    w.init()?;
    w.run(progress)?;
    w.check_conservation()?;
    Ok(w.finish())
}
