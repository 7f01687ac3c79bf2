//! Recent refusals of the login throttle, remembered in process for a moment, so that a flood
//! of attempts on a locked account or from a locked network is refused without a round trip.
//!
//! Why: every attempt the shared throttle judges is one PL/pgSQL statement that locks and
//! rewrites two rows and commits (a WAL flush). Under a flood nearly every attempt is refused,
//! and the benchmark measured PostgreSQL spending more CPU on those refusals than the server
//! spent answering them, which slowed everything else on the machine (health probes included).
//!
//! What stays exact: the memo only refuses, it never admits, so no instance ever lets more
//! attempts through than the limits (the database still counts every admitted attempt). What
//! it may do is refuse an attempt the database would have admitted: when the refusing key's
//! failures are taken back on *another* instance (a right password there), this instance
//! keeps refusing for at most [`MEMO_LIFETIME`]. Settling an attempt on this instance forgets
//! its keys at once.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

/// How long a refusal is believed without asking the database again.
pub(crate) const MEMO_LIFETIME: Duration = Duration::from_secs(1);

/// At most this many keys are remembered; past it, refusals are not memoised (the database
/// answers, as without the memo), so a flood from many networks cannot grow the memory.
const MAX_KEYS: usize = 10_000;

/// Which row of the throttle refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Scope {
    Account,
    Client,
}

struct Refusal {
    /// When the database said the key may try again.
    retry_at: DateTime<Utc>,
    /// When this memo stops being believed.
    believed_until: Instant,
}

#[derive(Default)]
pub(crate) struct RefusalMemo {
    refusals: Mutex<HashMap<(Scope, String), Refusal>>,
}

impl RefusalMemo {
    /// The retry time of a remembered, still believed refusal of either key, the later one
    /// when both are refused.
    pub(crate) fn refused(
        &self,
        account: &str,
        client: &str,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let refusals = self
            .refusals
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if refusals.is_empty() {
            return None;
        }
        let at = Instant::now();
        [(Scope::Account, account), (Scope::Client, client)]
            .into_iter()
            .filter_map(|(scope, key)| refusals.get(&(scope, key.to_owned())))
            .filter(|refusal| refusal.believed_until > at && refusal.retry_at > now)
            .map(|refusal| refusal.retry_at)
            .max()
    }

    /// Remembers that the database refused `key` until `retry_at`.
    pub(crate) fn remember(&self, scope: Scope, key: &str, retry_at: DateTime<Utc>) {
        let mut refusals = self
            .refusals
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let at = Instant::now();
        if refusals.len() >= MAX_KEYS {
            refusals.retain(|_, refusal| refusal.believed_until > at);
            if refusals.len() >= MAX_KEYS {
                return;
            }
        }
        refusals.insert(
            (scope, key.to_owned()),
            Refusal {
                retry_at,
                believed_until: at + MEMO_LIFETIME,
            },
        );
    }

    /// Forgets what was remembered of these keys (their counts just changed here).
    pub(crate) fn forget(&self, keys: &[(Scope, &str)]) {
        let mut refusals = self
            .refusals
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if refusals.is_empty() {
            return;
        }
        for (scope, key) in keys {
            refusals.remove(&(*scope, (*key).to_owned()));
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    #[test]
    fn remembers_per_scope_and_key_until_the_retry_time() {
        let memo = RefusalMemo::default();
        let now = Utc::now();
        memo.remember(Scope::Client, "198.51.100.7", now + TimeDelta::seconds(600));
        assert_eq!(
            memo.refused("alice@example.com", "198.51.100.7", now),
            Some(now + TimeDelta::seconds(600))
        );
        assert_eq!(memo.refused("alice@example.com", "198.51.100.8", now), None);
        // The account scope is not the client scope, even for the same text.
        assert_eq!(memo.refused("198.51.100.7", "other", now), None);
        // Past the database's retry time the memo says nothing.
        assert_eq!(
            memo.refused("x", "198.51.100.7", now + TimeDelta::seconds(600)),
            None
        );
    }

    #[test]
    fn the_later_of_two_refusals_and_forgetting_one() {
        let memo = RefusalMemo::default();
        let now = Utc::now();
        memo.remember(Scope::Account, "alice", now + TimeDelta::seconds(100));
        memo.remember(Scope::Client, "net", now + TimeDelta::seconds(300));
        assert_eq!(
            memo.refused("alice", "net", now),
            Some(now + TimeDelta::seconds(300))
        );
        memo.forget(&[(Scope::Client, "net")]);
        assert_eq!(
            memo.refused("alice", "net", now),
            Some(now + TimeDelta::seconds(100))
        );
        memo.forget(&[(Scope::Account, "alice")]);
        assert_eq!(memo.refused("alice", "net", now), None);
    }

    #[test]
    fn stops_remembering_when_full() {
        let memo = RefusalMemo::default();
        let until = Utc::now() + TimeDelta::seconds(60);
        for index in 0..MAX_KEYS {
            memo.remember(Scope::Client, &index.to_string(), until);
        }
        memo.remember(Scope::Client, "one too many", until);
        assert_eq!(memo.refused("-", "one too many", Utc::now()), None);
        assert!(memo.refused("-", "0", Utc::now()).is_some());
    }
}
