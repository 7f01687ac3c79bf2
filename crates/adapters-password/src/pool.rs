//! Runs slow hashing off the async workers, on a fixed set of dedicated threads.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};

use calls_core::ports::HashingError;
use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send + 'static>;

/// The nice value of the hashing threads: the lowest priority (the process runs at 0).
///
/// Why: a flood of logins keeps every hashing thread busy, one per core. At the same priority
/// as the HTTP workers, the scheduler splits the cores fairly and a health probe or a history
/// read waits behind a 12 ms hash: the benchmark measured health p99 at 6.2x its idle value
/// during a login flood. Measured on the same machine: nice 10 brought it to 5.8x, nice 19 to
/// about 3.5x (docs/BENCHMARKS.md), with the same login throughput, because the hashes still get
/// every cycle the other requests leave. Under a full load of other requests logins slow down
/// first, which is the point: they are the expensive requests, and the ones an attacker floods.
/// (`SCHED_IDLE` would go further but needs `unsafe` or another dependency.)
pub(crate) const HASHING_NICE: i32 = 19;

/// Lowers the calling thread's priority to [`HASHING_NICE`]; failure only costs latency.
fn lower_own_priority() {
    #[cfg(target_os = "linux")]
    if let Err(err) =
        rustix::process::setpriority_process(Some(rustix::thread::gettid()), HASHING_NICE)
    {
        tracing::warn!(%err, "could not lower the priority of a password-hashing thread");
    }
}

/// `max_concurrent` long-lived threads taking hashing jobs from one queue.
///
/// Why not `spawn_blocking` behind a semaphore (the first version): the bound on concurrent
/// hashes held, but every hash ran on whichever blocking thread was free, and each of those
/// threads kept its own allocator arena holding a freed 19 MiB argon2 buffer. Under a login flood
/// the benchmark saw 3.3 GiB of RSS with only two hashes running at a time. On dedicated threads
/// each thread reuses its own buffer (see `argon2id`): memory stays at `max_concurrent` x 12 MiB.
/// Waiting requests cost a queue entry, not a thread; database work on the blocking pool is never
/// starved by logins.
#[derive(Debug, Clone)]
pub(crate) struct HashingPool {
    jobs: Sender<Job>,
}

impl HashingPool {
    pub(crate) fn new(max_concurrent: usize) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for index in 0..max_concurrent.clamp(1, 256) {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("password-hash-{index}"))
                .spawn(move || {
                    lower_own_priority();
                    work_loop(&queue);
                })
                .expect("a hashing thread can be started");
        }
        Self { jobs }
    }

    /// Runs `work` on a hashing thread once one is free, inside the caller's tracing span.
    ///
    /// If the caller is cancelled (client hung up) the computation still runs to the end: the
    /// bound is on threads, so it holds for work actually running.
    pub(crate) async fn run<T, F>(&self, work: F) -> Result<T, HashingError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let (done, result) = oneshot::channel();
        let span = tracing::Span::current();
        let job: Job = Box::new(move || {
            let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| span.in_scope(work)));
            let _ = done.send(outcome);
        });
        self.jobs
            .send(job)
            .map_err(|_| HashingError::Failed("hashing pool closed".to_owned()))?;
        match result.await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(_panic)) => Err(HashingError::Failed("hashing task panicked".to_owned())),
            Err(_) => Err(HashingError::Failed("hashing pool closed".to_owned())),
        }
    }
}

/// Takes jobs until every `HashingPool` handle is dropped.
fn work_loop(queue: &Mutex<Receiver<Job>>) {
    loop {
        let job = match queue.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        match job {
            Ok(job) => job(),
            Err(_) => return,
        }
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

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn hashing_threads_run_below_the_http_workers_priority() {
        let pool = HashingPool::new(2);
        let own = rustix::process::getpriority_process(None).expect("own priority");
        for _ in 0..4 {
            let nice = pool
                .run(|| rustix::process::getpriority_process(Some(rustix::thread::gettid())))
                .await
                .expect("ran")
                .expect("priority");
            assert_eq!(nice, HASHING_NICE.max(own), "a hashing thread's nice value");
        }
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
