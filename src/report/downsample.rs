//! Reducing a series to what can be seen at a given width, without losing spikes.
//!
//! A chart is about a thousand pixels wide; a long run has a million samples. Drawing them all
//! makes huge SVGs and slow PNGs, and plain decimation (every n-th sample) drops exactly the
//! spikes an incident review is about. We keep, per pixel column, the first, lowest, highest and
//! last sample (the "M4" reduction): the drawn polyline is then indistinguishable from the full
//! one at that width, and every peak and trough survives.
//!
//! Empty cells (`NaN`) are gaps. A gap breaks the line only when it is wider than a few pixel
//! columns and than 2% of the time axis, so sparse data (a task starting every other sample)
//! still draws as a line, while a long quiet period (no task started for minutes) shows as a
//! hole.

/// Gaps wider than this many pixel columns (and than [`GAP_BREAK_SPAN`]) break a line.
const GAP_BREAK_PX: f64 = 6.0;
/// Gaps wider than this fraction of the axis (and than [`GAP_BREAK_PX`]) break a line.
const GAP_BREAK_SPAN: f64 = 0.02;

/// A drawable piece of a series: consecutive points to join with a line.
pub(crate) type Segment = Vec<(f64, f64)>;

/// Reduces `(xs[i], ys[i])` over `[x0, x1]` drawn `columns` pixels wide to line segments.
/// Keeps every defined sample when there are at most four per column; otherwise keeps first,
/// min, max and last of each column, in time order. Samples outside `[x0, x1]` are dropped.
pub(crate) fn reduce(xs: &[f64], ys: &[f64], x0: f64, x1: f64, columns: usize) -> Vec<Segment> {
    let columns = columns.max(1);
    let n = xs.len().min(ys.len());
    let span = if x1 > x0 { x1 - x0 } else { 1.0 };
    let max_gap = (span * GAP_BREAK_PX / columns as f64).max(span * GAP_BREAK_SPAN);
    // (x, y, a NaN came between this point and the previous kept one)
    let mut points: Vec<(f64, f64, bool)> = Vec::new();
    if n <= 4 * columns {
        let mut nan_seen = false;
        for i in 0..n {
            let (x, y) = (xs[i], ys[i]);
            if x < x0 || x > x1 {
                continue;
            }
            if y.is_nan() {
                nan_seen = true;
                continue;
            }
            points.push((x, y, nan_seen));
            nan_seen = false;
        }
    } else {
        let mut i = 0;
        let mut nan_seen = false;
        while i < n {
            let col = column_of(xs[i], x0, span, columns);
            // Indices of first, min, max and last defined sample in this column.
            let (mut first, mut lo, mut hi, mut last): (Option<usize>, usize, usize, usize) =
                (None, 0, 0, 0);
            let mut gap_before_first = false;
            while i < n && column_of(xs[i], x0, span, columns) == col {
                let (x, y) = (xs[i], ys[i]);
                if x >= x0 && x <= x1 {
                    if y.is_nan() {
                        nan_seen = true;
                    } else {
                        match first {
                            None => {
                                first = Some(i);
                                lo = i;
                                hi = i;
                                gap_before_first = nan_seen;
                            }
                            Some(_) => {
                                if y < ys[lo] {
                                    lo = i;
                                }
                                if y > ys[hi] {
                                    hi = i;
                                }
                            }
                        }
                        last = i;
                        nan_seen = false;
                    }
                }
                i += 1;
            }
            if let Some(first) = first {
                let mut picks = [first, lo, hi, last];
                picks.sort_unstable();
                let mut prev = usize::MAX;
                for (k, &p) in picks.iter().enumerate() {
                    if p != prev {
                        points.push((xs[p], ys[p], k == 0 && gap_before_first));
                        prev = p;
                    }
                }
            }
        }
    }
    let mut segments: Vec<Segment> = Vec::new();
    let mut current: Segment = Vec::new();
    for (x, y, gap) in points {
        if let Some(&(px, _)) = current.last() {
            if gap && x - px > max_gap {
                segments.push(std::mem::take(&mut current));
            }
        }
        current.push((x, y));
    }
    if !current.is_empty() {
        segments.push(current);
    }
    segments
}

fn column_of(x: f64, x0: f64, span: f64, columns: usize) -> i64 {
    let c = ((x - x0) / span * columns as f64).floor() as i64;
    c.clamp(-1, columns as i64)
}

/// Turns a segment into a staircase: each value holds until the next sample (how replica
/// counts and autoscaler reads behave).
pub(crate) fn to_steps(segment: &[(f64, f64)]) -> Segment {
    let mut out = Vec::with_capacity(segment.len() * 2);
    for (i, &(x, y)) in segment.iter().enumerate() {
        if i > 0 {
            let prev_y = segment[i - 1].1;
            if prev_y != y {
                out.push((x, prev_y));
            }
        }
        out.push((x, y));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_small_series_and_breaks_on_long_gaps() {
        let xs: Vec<f64> = (0..10).map(f64::from).collect();
        let mut ys: Vec<f64> = xs.clone();
        ys[4] = f64::NAN;
        ys[5] = f64::NAN;
        // 10 px wide: a 3 s gap is 3 px, below the break threshold: one line.
        assert_eq!(reduce(&xs, &ys, 0.0, 10.0, 10).len(), 1);
        // 1000 px wide: the same gap is 300 px: two lines.
        let segs = reduce(&xs, &ys, 0.0, 10.0, 1000);
        assert_eq!(segs.len(), 2);
        assert_eq!(segs[0].len() + segs[1].len(), 8);
    }

    #[test]
    fn spikes_survive_reduction() {
        let n = 1_000_000;
        let xs: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let mut ys = vec![1.0; n];
        ys[123_457] = 500.0;
        ys[800_001] = -3.0;
        let segs = reduce(&xs, &ys, 0.0, n as f64, 1000);
        let pts: Vec<_> = segs.concat();
        assert!(pts.len() <= 4 * 1000);
        assert!(pts.contains(&(123_457.0, 500.0)));
        assert!(pts.contains(&(800_001.0, -3.0)));
        assert!(pts.windows(2).all(|w| w[0].0 <= w[1].0));
    }

    #[test]
    fn steps_hold_values() {
        let s = to_steps(&[(0.0, 1.0), (1.0, 3.0), (2.0, 3.0)]);
        assert_eq!(s, vec![(0.0, 1.0), (1.0, 1.0), (1.0, 3.0), (2.0, 3.0)]);
    }
}
