//! The Deployment/ReplicaSet controller's choices: which pods a scale-down removes.
//!
//! Mirrors `pkg/controller/controller_utils.go` `ActivePodsWithRanks.Less` with the
//! `LogarithmicScaleDown` gate on (default since Kubernetes 1.22): pods that are unscheduled,
//! pending or not ready go first; among ready pods, the ones ready for a shorter time (in
//! power-of-two age buckets, `logarithmicRankDiff`); then newer pods. Ties in a bucket break
//! on the pod UID, which is random in a real cluster; scalesim uses a seeded hash of the pod
//! name, so the choice is arbitrary but reproducible. Node co-location and
//! `pod-deletion-cost` are equal for all pods of one template and so play no part.

use std::cmp::Ordering;

use crate::time::SimTime;

/// What the ranking looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RankInfo {
    /// Bound to a node (`spec.nodeName` set).
    pub assigned: bool,
    /// Phase Running (else Pending).
    pub running: bool,
    /// Ready condition true.
    pub ready: bool,
    /// When the pod became ready.
    pub ready_since: Option<SimTime>,
    /// Creation time.
    pub created: SimTime,
    /// Stand-in for the pod UID.
    pub uid: u64,
}

/// `logarithmicRankDiff`: floor(log2(age in ns)) of t1 minus that of t2 (-1 for age <= 0).
pub fn logarithmic_rank_diff(t1: SimTime, t2: SimTime, now: SimTime) -> i64 {
    let rank = |t: SimTime| -> i64 {
        let d = now.0 as i128 - t.0 as i128;
        if d > 0 {
            (d as f64).log2() as i64
        } else {
            -1
        }
    };
    rank(t1) - rank(t2)
}

/// `Less`: true when `a` should be deleted before `b`.
pub fn delete_first(a: &RankInfo, b: &RankInfo, now: SimTime) -> bool {
    compare(a, b, now) == Ordering::Less
}

/// The full ordering (Less first).
pub fn compare(a: &RankInfo, b: &RankInfo, now: SimTime) -> Ordering {
    // 1. Unassigned < assigned.
    if a.assigned != b.assigned {
        return if !a.assigned {
            Ordering::Less
        } else {
            Ordering::Greater
        };
    }
    // 2. PodPending < PodUnknown < PodRunning.
    if a.running != b.running {
        return if !a.running {
            Ordering::Less
        } else {
            Ordering::Greater
        };
    }
    // 3. Not ready < ready.
    if a.ready != b.ready {
        return if !a.ready {
            Ordering::Less
        } else {
            Ordering::Greater
        };
    }
    // 6. Both ready: shorter-ready (log2 bucket) first, UID tie-break.
    if a.ready && b.ready && a.ready_since != b.ready_since {
        if let (Some(ra), Some(rb)) = (a.ready_since, b.ready_since) {
            let diff = logarithmic_rank_diff(ra, rb, now);
            if diff == 0 {
                return a.uid.cmp(&b.uid);
            }
            return if diff < 0 {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
    }
    // 8. Newer pods first (log2 bucket), UID tie-break.
    if a.created != b.created {
        let diff = logarithmic_rank_diff(a.created, b.created, now);
        if diff == 0 {
            return a.uid.cmp(&b.uid);
        }
        return if diff < 0 {
            Ordering::Less
        } else {
            Ordering::Greater
        };
    }
    a.uid.cmp(&b.uid)
}

/// Picks `count` victims among `candidates` (index, info), in deletion order.
pub fn pick_victims(candidates: &[(usize, RankInfo)], count: usize, now: SimTime) -> Vec<usize> {
    let mut v: Vec<(usize, RankInfo)> = candidates.to_vec();
    v.sort_by(|x, y| compare(&x.1, &y.1, now).then(x.0.cmp(&y.0)));
    v.into_iter().take(count).map(|(i, _)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ready(since: u64, created: u64, uid: u64) -> RankInfo {
        RankInfo {
            assigned: true,
            running: true,
            ready: true,
            ready_since: Some(SimTime::from_secs(since)),
            created: SimTime::from_secs(created),
            uid,
        }
    }

    #[test]
    fn unready_and_pending_go_first() {
        let now = SimTime::from_secs(1000);
        let pending = RankInfo {
            assigned: false,
            running: false,
            ready: false,
            ready_since: None,
            created: SimTime::ZERO,
            uid: 9,
        };
        let starting = RankInfo {
            assigned: true,
            running: true,
            ready: false,
            ready_since: None,
            created: SimTime::ZERO,
            uid: 9,
        };
        let old = ready(10, 0, 1);
        let v = pick_victims(&[(0, old), (1, starting), (2, pending)], 2, now);
        assert_eq!(v, vec![2, 1]);
    }

    #[test]
    fn newer_ready_pods_go_first_by_log2_bucket() {
        let now = SimTime::from_secs(1000);
        // Ready 990 s ago (bucket 2^39..) vs 10 s ago: the recent one goes first.
        let a = ready(10, 0, 5);
        let b = ready(990, 980, 7);
        assert_eq!(pick_victims(&[(0, a), (1, b)], 1, now), vec![1]);
        // Ready 500 s and 600 s ago fall in the same bucket (2^38.86 and 2^39.13 ns? no:
        // 5e11 ns -> 38, 6e11 ns -> 39): different buckets, the younger goes first.
        assert_eq!(
            logarithmic_rank_diff(SimTime::from_secs(500), SimTime::from_secs(400), now),
            -1
        );
        // 300 s and 310 s ago share bucket 38: the UID decides.
        let c = ready(700, 0, 2);
        let d = ready(690, 0, 1);
        assert_eq!(
            logarithmic_rank_diff(SimTime::from_secs(700), SimTime::from_secs(690), now),
            0
        );
        assert_eq!(pick_victims(&[(0, c), (1, d)], 1, now), vec![1]);
    }
}
