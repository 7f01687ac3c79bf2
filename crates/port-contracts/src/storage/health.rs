//! Rules for [`DatabaseHealth`].

use calls_core::ports::DatabaseHealth;

pub async fn ping_answers<S: DatabaseHealth>(storage: S) {
    assert_eq!(
        storage.ping().await,
        Ok(()),
        "ping must succeed on a reachable database"
    );
}
