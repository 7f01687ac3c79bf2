//! A size-bounded map from key to failure window.

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;

use chrono::{DateTime, TimeDelta, Utc};

use crate::window::FailureWindow;

/// Orders entries by their most recent failure; the sequence number breaks ties.
type Stamp = (DateTime<Utc>, u64);

struct Entry {
    failures: FailureWindow,
    stamp: Stamp,
}

/// Failure windows for up to `capacity` keys.
///
/// `by_recency` indexes the entries by their newest failure, so both kinds of eviction are
/// O(log n): entries whose newest failure left the window are dropped from the front whenever a
/// failure is recorded, and when the table is still full the front entry (least recently
/// failed) makes room. An attacker filling the table with fresh keys can therefore only push
/// out the keys that have been quiet the longest.
pub(crate) struct BoundedTable<K> {
    entries: HashMap<K, Entry>,
    by_recency: BTreeMap<Stamp, K>,
    next_sequence: u64,
    capacity: usize,
    window: TimeDelta,
    limit: usize,
}

impl<K: Hash + Eq + Clone> BoundedTable<K> {
    pub(crate) fn new(capacity: usize, window: TimeDelta, limit: usize) -> Self {
        Self {
            entries: HashMap::new(),
            by_recency: BTreeMap::new(),
            next_sequence: 0,
            capacity: capacity.max(1),
            window,
            limit: limit.max(1),
        }
    }

    pub(crate) fn record_failure(&mut self, key: &K, now: DateTime<Utc>) {
        self.evict_expired(now);
        let mut entry = match self.entries.remove(key) {
            Some(entry) => {
                self.by_recency.remove(&entry.stamp);
                entry
            }
            None => {
                if self.entries.len() >= self.capacity {
                    self.evict_least_recent();
                }
                Entry {
                    failures: FailureWindow::default(),
                    stamp: (now, 0),
                }
            }
        };
        entry.failures.prune(now, self.window);
        entry.failures.record(now, self.limit);
        entry.stamp = (entry.failures.newest().unwrap_or(now), self.next_sequence);
        self.next_sequence = self.next_sequence.wrapping_add(1);
        self.by_recency.insert(entry.stamp, key.clone());
        self.entries.insert(key.clone(), entry);
    }

    /// `Some(until)` when the key reached the limit within the window ending at `now`.
    pub(crate) fn locked_until(&mut self, key: &K, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let entry = self.entries.get_mut(key)?;
        entry.failures.prune(now, self.window);
        if entry.failures.is_empty() {
            self.forget(key);
            return None;
        }
        entry.failures.locked_until(self.window, self.limit)
    }

    /// Takes back the failure recorded at `at` for `key`, keeping its others.
    pub(crate) fn take_back(&mut self, key: &K, at: DateTime<Utc>) {
        let Some(mut entry) = self.entries.remove(key) else {
            return;
        };
        self.by_recency.remove(&entry.stamp);
        entry.failures.remove_one(at);
        let Some(newest) = entry.failures.newest() else {
            return;
        };
        entry.stamp = (newest, self.next_sequence);
        self.next_sequence = self.next_sequence.wrapping_add(1);
        self.by_recency.insert(entry.stamp, key.clone());
        self.entries.insert(key.clone(), entry);
    }

    /// Drops every key whose newest failure left the window ending at `now`; returns how many.
    pub(crate) fn purge_expired(&mut self, now: DateTime<Utc>) -> usize {
        let before = self.entries.len();
        self.evict_expired(now);
        before - self.entries.len()
    }

    pub(crate) fn forget(&mut self, key: &K) {
        if let Some(entry) = self.entries.remove(key) {
            self.by_recency.remove(&entry.stamp);
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    fn evict_expired(&mut self, now: DateTime<Utc>) {
        let start = now - self.window;
        while let Some(entry) = self.by_recency.first_entry() {
            if entry.key().0 > start {
                break;
            }
            let key = entry.remove();
            self.entries.remove(&key);
        }
    }

    fn evict_least_recent(&mut self) {
        if let Some((_, key)) = self.by_recency.pop_first() {
            self.entries.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_700_000_000 + seconds, 0)
            .single()
            .expect("valid")
    }

    fn table(capacity: usize) -> BoundedTable<u32> {
        BoundedTable::new(capacity, TimeDelta::seconds(900), 2)
    }

    #[test]
    fn never_holds_more_than_the_capacity() {
        let mut table = table(100);
        for key in 0..10_000 {
            table.record_failure(&key, at(i64::from(key % 60)));
            assert!(table.len() <= 100);
        }
        assert_eq!(table.len(), 100);
        assert_eq!(table.by_recency.len(), 100);
    }

    #[test]
    fn evicts_the_least_recently_failed_key_first() {
        let mut table = table(2);
        table.record_failure(&1, at(0));
        table.record_failure(&2, at(10));
        table.record_failure(&1, at(20));
        table.record_failure(&3, at(30));
        assert!(table.entries.contains_key(&1));
        assert!(!table.entries.contains_key(&2));
        assert!(table.entries.contains_key(&3));
    }

    #[test]
    fn expired_keys_are_dropped_when_failures_are_recorded() {
        let mut table = table(10);
        for key in 0..5 {
            table.record_failure(&key, at(0));
        }
        table.record_failure(&99, at(1000));
        assert_eq!(table.len(), 1);
    }

    #[test]
    fn locked_until_forgets_empty_windows() {
        let mut table = table(10);
        table.record_failure(&1, at(0));
        assert_eq!(table.locked_until(&1, at(1000)), None);
        assert_eq!(table.len(), 0);
        assert!(table.by_recency.is_empty());
    }

    #[test]
    fn take_back_keeps_the_index_in_step() {
        let mut table = table(10);
        table.record_failure(&1, at(0));
        table.record_failure(&1, at(50));
        table.take_back(&1, at(50));
        assert_eq!(table.by_recency.len(), 1);
        // The newest failure is now the one at 0: it expires at 900, not 950.
        assert_eq!(table.purge_expired(at(900)), 1);
        assert_eq!(table.len(), 0);
        table.record_failure(&2, at(0));
        table.take_back(&2, at(0));
        assert_eq!(table.len(), 0);
        assert!(table.by_recency.is_empty());
    }
}
