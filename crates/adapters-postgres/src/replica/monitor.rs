//! The background probe that measures the replica: every `probe_interval`, the primary's WAL
//! position, then the replica's replayed position, on their pools. Requests never wait for it;
//! they read the condition it leaves in [`ReplicaState`](super::state::ReplicaState). A replica
//! that is down costs the probe (at most its connection timeout per round), never a request.

use std::sync::Weak;
use std::time::{Duration, Instant};

use calls_storage_diesel::Blocking;
use diesel::PgConnection;
use tokio::sync::oneshot;
use tokio::time::MissedTickBehavior;

use super::ReadReplica;
use super::lag::LagTracker;
use super::statements;

/// Probes until the storage holding `replica` is dropped (`stopped` then resolves).
pub(crate) async fn run(
    primary: Blocking<PgConnection>,
    replica: Weak<ReadReplica>,
    interval: Duration,
    mut stopped: oneshot::Receiver<()>,
) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut lag = LagTracker::default();
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = &mut stopped => return,
        }
        let Some(replica) = replica.upgrade() else {
            return;
        };
        probe(&primary, &replica, &mut lag).await;
    }
}

async fn probe(primary: &Blocking<PgConnection>, replica: &ReadReplica, lag: &mut LagTracker) {
    let position = match primary
        .run("replica_probe_primary", statements::primary_wal_position)
        .await
    {
        Ok(position) => position,
        Err(error) => {
            // Without the primary there is nothing to compare with (and no history to serve):
            // the replica keeps its condition until the primary answers again.
            tracing::debug!(error = %error.chain(), "replica probe: the primary did not answer");
            return;
        }
    };
    let seen = Instant::now();
    match replica
        .db
        .run("replica_probe", statements::replayed_wal_position)
        .await
    {
        Ok(Some(replayed)) => {
            let measured = lag.observe(position, seen, replayed, Instant::now());
            replica.state.measured(measured);
        }
        Ok(None) => replica
            .state
            .down("not a standby: pg_is_in_recovery() is false (promoted, or not a replica)"),
        Err(error) => replica.state.down(&error.chain()),
    }
}
