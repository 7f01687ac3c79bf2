//! Runs slow hashing off the async workers, a bounded number at a time.

use std::sync::Arc;

use calls_core::ports::HashingError;
use tokio::sync::Semaphore;

/// A semaphore in front of `spawn_blocking`.
///
/// Without it every login would take a blocking thread (tokio allows 512) and 19 MiB, so a flood
/// could exhaust memory and starve other blocking work such as database calls. With it, excess
/// requests wait as cheap suspended futures.
#[derive(Debug, Clone)]
pub(crate) struct HashingPool {
    permits: Arc<Semaphore>,
}

impl HashingPool {
    pub(crate) fn new(max_concurrent: usize) -> Self {
        let permits = max_concurrent.clamp(1, Semaphore::MAX_PERMITS);
        Self {
            permits: Arc::new(Semaphore::new(permits)),
        }
    }

    /// Runs `work` on the blocking pool once a slot is free, inside the caller's tracing span.
    ///
    /// The permit moves into the blocking closure: if the caller is cancelled (client hung up)
    /// the computation still runs to the end, and its slot stays taken until it does, so the
    /// bound holds for work actually running, not just for work being awaited.
    pub(crate) async fn run<T, F>(&self, work: F) -> Result<T, HashingError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| HashingError::Failed("hashing pool closed".to_owned()))?;
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            span.in_scope(work)
        })
        .await
        .map_err(|_| HashingError::Failed("hashing task panicked".to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn never_runs_more_than_the_limit_at_once() {
        let pool = HashingPool::new(2);
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let pool = pool.clone();
                let running = Arc::clone(&running);
                let peak = Arc::clone(&peak);
                tokio::spawn(async move {
                    pool.run(move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(30));
                        running.fetch_sub(1, Ordering::SeqCst);
                    })
                    .await
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("joined").expect("ran");
        }
        assert_eq!(peak.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_panic_is_an_error_not_a_crash() {
        let pool = HashingPool::new(1);
        let result = pool.run(|| panic!("boom")).await;
        assert!(matches!(result, Err(HashingError::Failed(_))));
        // The slot was given back.
        assert_eq!(pool.run(|| 7).await, Ok(7));
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn blocking_work_runs_in_the_callers_span() {
        // The blocking thread only sees spans through a global subscriber. Nothing else in this
        // test binary depends on there being none, and a second install attempt is harmless.
        let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry());
        let span = tracing::info_span!("login_request");
        let seen = {
            let _entered = span.enter();
            HashingPool::new(1)
                .run(|| tracing::Span::current().metadata().map(|meta| meta.name()))
                .await
        };
        assert_eq!(seen, Ok(Some("login_request")));
    }

    #[tokio::test]
    async fn zero_is_treated_as_one() {
        assert_eq!(HashingPool::new(0).run(|| 1).await, Ok(1));
    }
}
