//! Which event ids the hub has read.
//!
//! On PostgreSQL an id is taken when a row is inserted but becomes visible
//! when its transaction commits, so a later id can be read before an earlier
//! one. The hub remembers the ids it skipped and asks for them again until
//! they appear or are old enough to be ids of rolled-back transactions.
//! SQLite's single writer commits in id order and leaves no such holes.

use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

/// Skipped ids are asked for at most this long.
pub(crate) const GAP_PATIENCE: Duration = Duration::from_secs(30);
/// A jump larger than this (a bulk rollback) is not tracked id by id.
const MAX_TRACKED_GAPS: i64 = 10_000;

#[derive(Debug)]
pub(crate) struct Progress {
    last: i64,
    gaps: BTreeMap<i64, Instant>,
}

impl Progress {
    pub(crate) fn new(last: i64) -> Self {
        Progress {
            last,
            gaps: BTreeMap::new(),
        }
    }

    /// The highest id read.
    pub(crate) fn last(&self) -> i64 {
        self.last
    }

    /// Skipped ids still worth asking for.
    pub(crate) fn pending(&self) -> Vec<i64> {
        self.gaps.keys().copied().collect()
    }

    /// Notes ids just read (in any order).
    pub(crate) fn saw(&mut self, ids: impl IntoIterator<Item = i64>, now: Instant) {
        let mut ids: Vec<i64> = ids.into_iter().collect();
        ids.sort_unstable();
        for id in ids {
            if id > self.last {
                let first_missing = (self.last + 1).max(id - MAX_TRACKED_GAPS);
                for missing in first_missing..id {
                    self.gaps.insert(missing, now);
                }
                self.last = id;
            } else {
                self.gaps.remove(&id);
            }
        }
    }

    /// Forgets skipped ids older than `patience`.
    pub(crate) fn expire(&mut self, now: Instant, patience: Duration) {
        self.gaps
            .retain(|_, since| now.saturating_duration_since(*since) < patience);
    }

    /// Every id up to this one has been read or given up on: a client that
    /// resumes after it misses nothing.
    pub(crate) fn safe_through(&self) -> i64 {
        self.gaps.keys().next().map_or(self.last, |first| first - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_read_early_leaves_a_gap_until_the_earlier_one_commits() {
        let t0 = Instant::now();
        let mut p = Progress::new(10);
        p.saw([12], t0);
        assert_eq!(p.last(), 12);
        assert_eq!(p.pending(), vec![11]);
        assert_eq!(p.safe_through(), 10);
        p.saw([11, 13], t0);
        assert!(p.pending().is_empty());
        assert_eq!(p.safe_through(), 13);
    }

    #[test]
    fn a_rolled_back_id_is_given_up_after_a_while() {
        let t0 = Instant::now();
        let mut p = Progress::new(0);
        p.saw([3], t0);
        assert_eq!(p.pending(), vec![1, 2]);
        p.expire(t0 + Duration::from_secs(5), GAP_PATIENCE);
        assert_eq!(p.safe_through(), 0);
        p.expire(t0 + GAP_PATIENCE, GAP_PATIENCE);
        assert_eq!(p.safe_through(), 3);
    }

    #[test]
    fn a_huge_jump_tracks_only_the_nearest_ids() {
        let mut p = Progress::new(0);
        p.saw([1_000_000], Instant::now());
        assert_eq!(p.pending().len(), MAX_TRACKED_GAPS as usize);
        assert_eq!(p.safe_through(), 1_000_000 - MAX_TRACKED_GAPS - 1);
    }
}
