//! `CallHistory` for PostgreSQL: on the storage's own pool, or, with a read replica, the page
//! on the replica and everything that decides whether it may be used on the primary.
//!
//! With a replica up, a page costs one statement on the primary (the token's revocation and the
//! user's write count, [`statements::primary_check`]) and one snapshot on the replica (the
//! user's write count as replayed, then the page, [`statements::page_if_replayed`]). The page
//! is read on the primary instead, exactly as without a replica, when the replica is down or
//! lagging (no replica round trip at all), when it has not replayed the user's last write yet,
//! or when the read there fails (the replica is then marked down). Revocation is never decided
//! on the replica.

use async_trait::async_trait;
use calls_core::domain::{HistoryPage, HistoryQuery};
use calls_core::ports::{
    CallHistory, HistoryReadSource, ReplicaCondition, SessionHistory, SessionRef, StorageError,
};
use chrono::Utc;

use super::ReadReplica;
use super::statements;
use crate::storage::PostgresStorage;

#[async_trait]
impl CallHistory for PostgresStorage {
    async fn page(&self, query: HistoryQuery) -> Result<HistoryPage, StorageError> {
        // Without a revocation to check there is always a page.
        self.read_history(query, None)
            .await?
            .ok_or_else(|| StorageError::unexpected("history without a revocation check"))
    }

    async fn page_for_live_session(
        &self,
        query: HistoryQuery,
        session: SessionRef,
    ) -> Result<SessionHistory, StorageError> {
        let read = self.read_history(query, Some(session)).await?;
        Ok(read.map_or(SessionHistory::SessionEnded, SessionHistory::Page))
    }
}

impl PostgresStorage {
    /// The page read on the primary, pipelined when set up, or `None` when `session` is
    /// revoked.
    async fn read_history_on_primary(
        &self,
        query: HistoryQuery,
        session: Option<SessionRef>,
    ) -> Result<Option<HistoryPage>, StorageError> {
        match &self.pipelined {
            Some(pipelined) => pipelined.read(query, session).await,
            None => self.read_history_here(query, session).await,
        }
    }

    /// The page, or `None` when `session` is revoked.
    async fn read_history(
        &self,
        query: HistoryQuery,
        session: Option<SessionRef>,
    ) -> Result<Option<HistoryPage>, StorageError> {
        match &self.replica {
            None => self.read_history_on_primary(query, session).await,
            Some(replica) => self.read_history_routed(replica, query, session).await,
        }
    }

    async fn read_history_routed(
        &self,
        replica: &ReadReplica,
        query: HistoryQuery,
        session: Option<SessionRef>,
    ) -> Result<Option<HistoryPage>, StorageError> {
        let not_up = match replica.state.condition() {
            ReplicaCondition::Up => None,
            ReplicaCondition::Lagging => Some(HistoryReadSource::PrimaryReplicaLagging),
            ReplicaCondition::Down => Some(HistoryReadSource::PrimaryReplicaDown),
        };
        if let Some(source) = not_up {
            replica.state.count(source);
            return self.read_history_on_primary(query, session).await;
        }
        let user = query.user_id;
        let key = session.clone();
        let now = Utc::now();
        let check = self
            .db
            .run("history_primary_check", move |conn| {
                let revocation = key.as_ref().map(|session| (session, now));
                statements::primary_check(conn, user, revocation)
            })
            .await?;
        if check.revoked {
            return Ok(None);
        }
        let on_replica = query.clone();
        let read = replica
            .db
            .run("history_on_replica", move |conn| {
                statements::page_if_replayed(conn, &on_replica, check.writes)
            })
            .await;
        match read {
            Ok(Some(page)) => {
                replica.state.count(HistoryReadSource::Replica);
                Ok(Some(page))
            }
            Ok(None) => {
                replica
                    .state
                    .count(HistoryReadSource::PrimaryReplicaBehindUser);
                self.read_history_on_primary(query, session).await
            }
            Err(error) => {
                replica.state.down(&error.chain());
                replica.state.count(HistoryReadSource::PrimaryReplicaFailed);
                self.read_history_on_primary(query, session).await
            }
        }
    }
}
