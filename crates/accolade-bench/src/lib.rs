//! Helpers shared by Accolade's load generators (the `bench-auth`, `bench-claims` and
//! `bench-ws` binaries): an in-process server on 127.0.0.1 port 0 with its own tokio runtime, a
//! server in a separate process (for memory figures), a fresh PostgreSQL database per run,
//! seeding (a school with classes, students and sessions; badges and claim codes over HTTP),
//! raw keep-alive HTTP/1.1 connections, `/proc` readings (RSS, CPU), a raw argon2 baseline, a
//! sequential GET latency probe, percentiles and a text latency histogram.
//!
//! Every loop here is bounded both by a deadline and by an iteration count, and every request
//! goes to the loopback address only.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::mpsc;
use std::sync::{Arc, Barrier};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use accolade_server::{AppState, Config};
use anyhow::Context;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Version};
use tokio::sync::oneshot;

/// The password given to every seeded account.
pub const BENCH_PASSWORD: &str = "correct horse battery staple";

/// Upper bound on requests a single loop issues, whatever the deadline.
pub const MAX_REQUESTS_PER_LOOP: usize = 1_000_000;

/// Number of CPU cores the process may use (at least 1).
pub fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

// ---------------------------------------------------------------------------------------------
// Raw argon2 baseline
// ---------------------------------------------------------------------------------------------

/// Outcome of [`raw_argon2_throughput`].
#[derive(Debug, Clone, Copy)]
pub struct RawArgon2 {
    /// OS threads that verified in parallel.
    pub threads: usize,
    /// Verifications completed by all threads.
    pub hashes: usize,
    /// Wall time from the common start to the last thread stopping.
    pub elapsed: Duration,
    /// CPU time of the verifying threads (Linux; zero when unknown).
    pub cpu: Duration,
    /// Minor page faults of the verifying threads (Linux).
    pub minflt: u64,
    /// Busy CPU time of the whole machine during the run, if known.
    pub machine_busy: Option<Duration>,
}

impl RawArgon2 {
    /// Verifications per second over all threads.
    pub fn per_sec(&self) -> f64 {
        self.hashes as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Mean wall time of one verification on one thread.
    pub fn mean_latency(&self) -> Duration {
        let per_thread = self.hashes as f64 / self.threads.max(1) as f64;
        Duration::from_secs_f64(self.elapsed.as_secs_f64() / per_thread.max(1.0))
    }
}

/// Verifies one password against one argon2id hash with the server's OWASP parameters
/// (m = 19 456 KiB, t = 2, p = 1), exactly as the login handler does, on `threads` OS threads
/// until `duration` has passed (each thread also stops after `max_per_thread` verifications).
pub fn raw_argon2_throughput(
    threads: usize,
    duration: Duration,
    max_per_thread: usize,
) -> anyhow::Result<RawArgon2> {
    let threads = threads.max(1);
    let password = accolade_server::password::normalise(BENCH_PASSWORD, true)
        .map_err(|e| anyhow::anyhow!("bench password rejected: {e}"))?;
    let salt = SaltString::generate(&mut OsRng);
    let hash = Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        accolade_server::password::owasp_params(),
    )
    .hash_password(password.as_bytes(), &salt)
    .map_err(|e| anyhow::anyhow!("argon2 hash: {e}"))?
    .to_string();
    let barrier = Arc::new(Barrier::new(threads + 1));
    let mut handles = Vec::with_capacity(threads);
    for i in 0..threads {
        let barrier = barrier.clone();
        let hash = hash.clone();
        let password = password.clone();
        let handle = std::thread::Builder::new()
            .name(format!("raw-argon2-{i}"))
            .spawn(
                move || -> anyhow::Result<(usize, Option<ThreadSample>, Option<ThreadSample>)> {
                    let parsed =
                        PasswordHash::new(&hash).map_err(|e| anyhow::anyhow!("parse hash: {e}"))?;
                    barrier.wait();
                    let before = current_thread_sample();
                    let deadline = Instant::now() + duration;
                    let mut n = 0;
                    while n < max_per_thread && Instant::now() < deadline {
                        // Parameters come from the stored hash, as in `Hasher::verify`.
                        Argon2::default()
                            .verify_password(password.as_bytes(), &parsed)
                            .map_err(|e| anyhow::anyhow!("argon2 verify: {e}"))?;
                        n += 1;
                    }
                    Ok((n, before, current_thread_sample()))
                },
            )
            .context("spawning an argon2 thread")?;
        handles.push(handle);
    }
    let machine_before = machine_cpu();
    barrier.wait();
    let start = Instant::now();
    let mut hashes = 0;
    let mut cpu = Duration::ZERO;
    let mut minflt = 0;
    for handle in handles {
        let (n, before, after) = handle
            .join()
            .map_err(|_| anyhow::anyhow!("argon2 thread panicked"))??;
        hashes += n;
        if let (Some(b), Some(a)) = (before, after) {
            cpu += Duration::from_nanos(a.cpu_ns.saturating_sub(b.cpu_ns));
            minflt += a.minflt.saturating_sub(b.minflt);
        }
    }
    let elapsed = start.elapsed();
    let machine_busy = match (machine_before, machine_cpu()) {
        (Some((b, _)), Some((a, _))) => Some(a.saturating_sub(b)),
        _ => None,
    };
    Ok(RawArgon2 {
        threads,
        hashes,
        elapsed,
        cpu,
        minflt,
        machine_busy,
    })
}

/// Outcome of [`hasher_throughput`].
#[derive(Debug, Clone)]
pub struct HasherRun {
    /// `hash_concurrency` of the hasher.
    pub concurrency: usize,
    /// Concurrent callers.
    pub callers: usize,
    /// Verifications completed inside the window.
    pub hashes: usize,
    /// Length of the window.
    pub elapsed: Duration,
    /// CPU use during the window, by thread group (`hash-worker`, `hash-blocking`).
    pub cpu: CpuWindow,
}

impl HasherRun {
    /// Verifications per second.
    pub fn per_sec(&self) -> f64 {
        self.hashes as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// The server's own [`accolade_server::password::Hasher`] alone — tokio blocking pool behind
/// its semaphore, no HTTP and no database: `callers` tasks verify in a loop on a runtime with
/// one worker per core, for `duration` after a short warm-up. Separates the hashing pool's
/// overhead from the rest of the login path.
pub fn hasher_throughput(
    concurrency: usize,
    callers: usize,
    duration: Duration,
) -> anyhow::Result<HasherRun> {
    let workers = cores();
    let spawned = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name_fn(move || {
            let n = spawned.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if n < workers {
                format!("hash-worker-{n}")
            } else {
                format!("hash-blocking-{}", n - workers)
            }
        })
        .enable_all()
        .build()
        .context("building the hasher runtime")?;
    let result = rt.block_on(async move {
        let hasher = accolade_server::password::Hasher::new(concurrency);
        let password = accolade_server::password::normalise(BENCH_PASSWORD, true)
            .map_err(|e| anyhow::anyhow!("bench password rejected: {e}"))?;
        let hash = hasher
            .hash(password.clone())
            .await
            .map_err(|e| anyhow::anyhow!("hash: {e}"))?;
        let warmup = (duration / 5).min(Duration::from_secs(1));
        let window_start = Instant::now() + warmup;
        let window_end = window_start + duration;
        let sampler = spawn_cpu_sampler(window_start, window_end)?;
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..callers.max(1) {
            let hasher = hasher.clone();
            let password = password.clone();
            let hash = hash.clone();
            tasks.spawn(async move {
                let mut in_window = 0usize;
                for _ in 0..MAX_REQUESTS_PER_LOOP {
                    if Instant::now() >= window_end {
                        break;
                    }
                    let ok = hasher.verify(password.clone(), Some(hash.clone())).await;
                    let done = Instant::now();
                    if !matches!(ok, Ok(true)) {
                        return Err(anyhow::anyhow!("verification failed: {ok:?}"));
                    }
                    if done >= window_start && done < window_end {
                        in_window += 1;
                    }
                }
                Ok(in_window)
            });
        }
        let mut hashes = 0;
        while let Some(joined) = tasks.join_next().await {
            hashes += joined.context("hasher task panicked")??;
        }
        let cpu = sampler
            .join()
            .map_err(|_| anyhow::anyhow!("CPU sampler panicked"))?;
        anyhow::Ok(HasherRun {
            concurrency,
            callers: callers.max(1),
            hashes,
            elapsed: duration,
            cpu,
        })
    });
    rt.shutdown_timeout(Duration::from_secs(5));
    result
}

/// Verifies `password` against a PHC argon2 hash using `memory` as argon2's working memory
/// (grown when the hash's `m` needs more) instead of allocating ≈ 19 MiB per call as
/// `PasswordVerifier::verify_password` does. The comparison is constant-time
/// (`password_hash::Output`'s equality).
pub fn verify_with_memory(
    password: &[u8],
    phc: &str,
    memory: &mut Vec<argon2::Block>,
) -> anyhow::Result<bool> {
    let err = |e: argon2::password_hash::Error| anyhow::anyhow!("argon2: {e}");
    let parsed = PasswordHash::new(phc).map_err(err)?;
    let params = argon2::Params::try_from(&parsed).map_err(err)?;
    let algorithm = Algorithm::try_from(parsed.algorithm).map_err(err)?;
    let version = match parsed.version {
        Some(v) => Version::try_from(v).map_err(|e| anyhow::anyhow!("argon2: {e}"))?,
        None => Version::default(),
    };
    let salt = parsed.salt.context("hash without salt")?;
    let mut salt_buf = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_buf).map_err(err)?;
    let expected = parsed.hash.context("hash without output")?;
    let mut out = vec![0u8; expected.len()];
    if memory.len() < params.block_count() {
        memory.resize(params.block_count(), argon2::Block::default());
    }
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password, salt, &mut out, &mut memory[..])
        .map_err(|e| anyhow::anyhow!("argon2: {e}"))?;
    let out = argon2::password_hash::Output::new(&out).map_err(err)?;
    Ok(out == expected)
}

/// A verification job for [`DedicatedPool`].
type PoolJob = (String, String, oneshot::Sender<anyhow::Result<bool>>);

/// Prototype of the hashing pool recommended for the server: `threads` long-lived OS threads
/// take jobs from one queue and answer through a oneshot channel. A thread that finishes a
/// hash takes the next job itself (no wake-up of an async task, no `spawn_blocking` hand-off),
/// and keeps one argon2 working buffer for its whole life (no 19 MiB allocation and page
/// faults per hash). Optionally the threads get a lower scheduling priority.
pub struct DedicatedPool {
    tx: Option<mpsc::SyncSender<PoolJob>>,
    threads: Vec<JoinHandle<()>>,
}

impl DedicatedPool {
    /// Starts `threads` threads named `pool-hash-N` with `priority`, and a queue of `queue`
    /// jobs.
    pub fn new(
        threads: usize,
        queue: usize,
        priority: BlockingPriority,
    ) -> anyhow::Result<DedicatedPool> {
        let (tx, rx) = mpsc::sync_channel::<PoolJob>(queue.max(1));
        let rx = Arc::new(std::sync::Mutex::new(rx));
        let mut handles = Vec::new();
        for i in 0..threads.max(1) {
            let rx = rx.clone();
            let handle = std::thread::Builder::new()
                .name(format!("pool-hash-{i}"))
                .spawn(move || {
                    priority.apply_to_current_thread();
                    let mut memory = Vec::new();
                    loop {
                        let job = match rx.lock() {
                            Ok(guard) => guard.recv(),
                            Err(_) => return,
                        };
                        let Ok((password, hash, reply)) = job else {
                            return;
                        };
                        let _ =
                            reply.send(verify_with_memory(password.as_bytes(), &hash, &mut memory));
                    }
                })
                .context("spawning a pool thread")?;
            handles.push(handle);
        }
        Ok(DedicatedPool {
            tx: Some(tx),
            threads: handles,
        })
    }

    /// Verifies `password` against `hash` on the pool; fails at once when the queue is full.
    pub async fn verify(&self, password: String, hash: String) -> anyhow::Result<bool> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .as_ref()
            .context("pool stopped")?
            .try_send((password, hash, reply))
            .map_err(|_| anyhow::anyhow!("hashing queue full"))?;
        answer.await.context("pool thread dropped the job")?
    }
}

impl Drop for DedicatedPool {
    fn drop(&mut self) {
        self.tx = None;
        for handle in self.threads.drain(..) {
            let _ = handle.join();
        }
    }
}

/// Like [`hasher_throughput`] but through a [`DedicatedPool`] prototype (threads
/// `pool-hash-N`), for comparison.
pub fn pool_throughput(
    threads: usize,
    callers: usize,
    duration: Duration,
    priority: BlockingPriority,
) -> anyhow::Result<HasherRun> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cores())
        .thread_name("pool-worker")
        .enable_all()
        .build()
        .context("building the pool runtime")?;
    let pool = Arc::new(DedicatedPool::new(threads, 4096, priority)?);
    let result = rt.block_on(async move {
        let password = accolade_server::password::normalise(BENCH_PASSWORD, true)
            .map_err(|e| anyhow::anyhow!("bench password rejected: {e}"))?;
        let hash = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            accolade_server::password::owasp_params(),
        )
        .hash_password(password.as_bytes(), &SaltString::generate(&mut OsRng))
        .map_err(|e| anyhow::anyhow!("argon2 hash: {e}"))?
        .to_string();
        let warmup = (duration / 5).min(Duration::from_secs(1));
        let window_start = Instant::now() + warmup;
        let window_end = window_start + duration;
        let sampler = spawn_cpu_sampler(window_start, window_end)?;
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..callers.max(1) {
            let pool = pool.clone();
            let password = password.clone();
            let hash = hash.clone();
            tasks.spawn(async move {
                let mut in_window = 0usize;
                for _ in 0..MAX_REQUESTS_PER_LOOP {
                    if Instant::now() >= window_end {
                        break;
                    }
                    let ok = pool.verify(password.clone(), hash.clone()).await?;
                    anyhow::ensure!(ok, "pool verification failed");
                    let done = Instant::now();
                    if done >= window_start && done < window_end {
                        in_window += 1;
                    }
                }
                Ok(in_window)
            });
        }
        let mut hashes = 0;
        while let Some(joined) = tasks.join_next().await {
            hashes += joined.context("pool caller panicked")??;
        }
        let cpu = sampler
            .join()
            .map_err(|_| anyhow::anyhow!("CPU sampler panicked"))?;
        anyhow::Ok(HasherRun {
            concurrency: threads.max(1),
            callers: callers.max(1),
            hashes,
            elapsed: duration,
            cpu,
        })
    });
    rt.shutdown_timeout(Duration::from_secs(5));
    result
}

// ---------------------------------------------------------------------------------------------
// In-process server
// ---------------------------------------------------------------------------------------------

/// How to start the in-process server.
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    /// `postgres://…` URL to use instead of a fresh temporary SQLite file.
    pub database_url: Option<String>,
    /// Concurrent password hashes (`Config::hash_concurrency`); `None` = the server default
    /// (number of cores).
    pub hash_concurrency: Option<usize>,
    /// Tokio worker threads of the server runtime; `None` = number of cores, as in
    /// `#[tokio::main]`.
    pub worker_threads: Option<usize>,
    /// Scheduling priority of the server runtime's blocking-pool threads (where the server
    /// runs argon2). An experiment knob: the server itself never changes priorities.
    pub blocking_priority: BlockingPriority,
}

/// Scheduling priority given to the server runtime's blocking-pool threads (`srv-blocking-N`)
/// when they start. Linux only (through `renice` / `chrt`); elsewhere it is ignored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BlockingPriority {
    /// Leave the default (nice 0, `SCHED_OTHER`).
    #[default]
    Normal,
    /// `renice -n N` (1–19: lower priority).
    Nice(i32),
    /// `chrt --idle 0`: `SCHED_IDLE`, runs only when nothing else wants the CPU.
    Idle,
}

impl BlockingPriority {
    fn apply_to_current_thread(self) {
        if self == BlockingPriority::Normal {
            return;
        }
        let Some(tid) = current_tid() else {
            eprintln!("warning: cannot find the thread id; blocking-thread priority unchanged");
            return;
        };
        let tid = tid.to_string();
        let status = match self {
            BlockingPriority::Normal => return,
            BlockingPriority::Nice(n) => std::process::Command::new("renice")
                .args(["-n", &n.to_string(), "-p", &tid])
                .stdout(std::process::Stdio::null())
                .status(),
            BlockingPriority::Idle => std::process::Command::new("chrt")
                .args(["--idle", "-p", "0", &tid])
                .status(),
        };
        if !matches!(status, Ok(s) if s.success()) {
            eprintln!("warning: could not apply {self:?} to thread {tid}: {status:?}");
        }
    }
}

/// The kernel thread id of the calling thread (Linux: from `/proc/thread-self`).
pub fn current_tid() -> Option<u32> {
    let link = std::fs::read_link("/proc/thread-self").ok()?;
    link.file_name()?.to_str()?.parse().ok()
}

/// A server running on 127.0.0.1 (random port) in its own OS thread and tokio runtime, with
/// login rate limits raised to 1 000 000 per minute and a fixed signing key.
pub struct BenchServer {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// The server's state (for seeding directly through the service layer).
    pub state: AppState,
    /// Effective hash concurrency.
    pub hash_concurrency: usize,
    /// Effective number of tokio worker threads.
    pub worker_threads: usize,
    /// True when the server uses a temporary SQLite file.
    pub sqlite: bool,
    runtime: tokio::runtime::Handle,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<anyhow::Result<()>>>,
    _tmp: Option<tempfile::TempDir>,
}

impl BenchServer {
    /// Builds the state (migrations included), binds 127.0.0.1:0 and serves until
    /// [`BenchServer::shutdown`]. Must not be called from inside a tokio runtime.
    pub fn start(opts: &ServerOptions) -> anyhow::Result<BenchServer> {
        let tmp = tempfile::Builder::new()
            .prefix("accolade-bench-")
            .tempdir()
            .context("creating a temporary directory")?;
        let sqlite = opts.database_url.is_none();
        let database_url = match &opts.database_url {
            Some(url) => {
                anyhow::ensure!(
                    url.starts_with("postgres://") || url.starts_with("postgresql://"),
                    "--database-url must be a postgres:// URL (SQLite uses a temporary file)"
                );
                url.clone()
            }
            None => format!(
                "sqlite://{}?mode=rwc",
                tmp.path().join("bench.db").display()
            ),
        };
        let cores = cores();
        let hash_concurrency = opts.hash_concurrency.unwrap_or(cores).max(1);
        let worker_threads = opts.worker_threads.unwrap_or(cores).max(1);
        let config = Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url,
            public_url: "http://127.0.0.1:8080".to_owned(),
            data_dir: tmp.path().to_path_buf(),
            signing_key: Some(format!(
                "bench-signing-key-{}",
                uuid::Uuid::new_v4().simple()
            )),
            login_per_account_per_minute: 1_000_000,
            login_per_ip_per_minute: 1_000_000,
            hash_concurrency: Some(hash_concurrency),
            ..Config::default()
        };
        // Tokio starts its workers first, through the same spawner as blocking-pool threads, so
        // the first `worker_threads` names go to workers and the rest to blocking threads.
        let spawned = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let priority = opts.blocking_priority;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(worker_threads)
            .thread_name_fn(move || {
                let n = spawned.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if n < worker_threads {
                    format!("srv-worker-{n}")
                } else {
                    format!("srv-blocking-{}", n - worker_threads)
                }
            })
            .on_thread_start(move || {
                let blocking = std::thread::current()
                    .name()
                    .is_some_and(|n| n.starts_with("srv-blocking-"));
                if blocking {
                    priority.apply_to_current_thread();
                }
            })
            .enable_all()
            .build()
            .context("building the server runtime")?;
        let handle = runtime.handle().clone();
        let (ready_tx, ready_rx) = mpsc::channel::<anyhow::Result<(SocketAddr, AppState)>>();
        let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("bench-server".into())
            .spawn(move || -> anyhow::Result<()> {
                let result = runtime.block_on(async move {
                    let started = async {
                        let state = accolade_server::build_state(config).await?;
                        let listener = accolade_server::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
                            .context("binding 127.0.0.1:0")?;
                        let addr = listener.local_addr()?;
                        anyhow::Ok((listener, addr, state))
                    }
                    .await;
                    let (listener, addr, state) = match started {
                        Ok(v) => v,
                        Err(e) => {
                            let msg = format!("{e:#}");
                            let _ = ready_tx.send(Err(e));
                            anyhow::bail!("server did not start: {msg}");
                        }
                    };
                    let _ = ready_tx.send(Ok((addr, state.clone())));
                    accolade_server::serve(listener, state, async move {
                        let _ = shutdown_rx.await;
                    })
                    .await
                    .context("serving")
                });
                // Do not wait for stray blocking tasks (e.g. a hash still running).
                runtime.shutdown_timeout(Duration::from_secs(5));
                result
            })
            .context("spawning the server thread")?;
        let (addr, state) = ready_rx
            .recv_timeout(Duration::from_secs(120))
            .context("waiting for the server to start")??;
        anyhow::ensure!(
            addr.ip().is_loopback(),
            "server bound to a non-loopback address"
        );
        Ok(BenchServer {
            base_url: format!("http://{addr}"),
            state,
            hash_concurrency,
            worker_threads,
            sqlite,
            runtime: handle,
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
            _tmp: Some(tmp),
        })
    }

    /// Runs `fut` to completion on the server's runtime (from a thread outside any runtime).
    pub fn run<F: Future>(&self, fut: F) -> F::Output {
        self.runtime.block_on(fut)
    }

    /// The server runtime's handle (to spawn work there from another runtime).
    pub fn handle(&self) -> &tokio::runtime::Handle {
        &self.runtime
    }

    /// Stops accepting, drains in-flight requests and waits (at most ~15 s) for the server
    /// thread; then removes the temporary directory.
    pub fn shutdown(mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let Some(thread) = self.thread.take() else {
            return Ok(());
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        for _ in 0..10_000 {
            if thread.is_finished() || Instant::now() >= deadline {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        if !thread.is_finished() {
            anyhow::bail!("the server thread did not stop within 15 s");
        }
        thread
            .join()
            .map_err(|_| anyhow::anyhow!("server thread panicked"))?
    }
}

/// Accounts created by [`seed`].
#[derive(Debug, Clone)]
pub struct Seeded {
    /// Slug of the school created for this run.
    pub school_slug: String,
    /// Handles of the accounts the flood clients log in as.
    pub handles: Vec<String>,
    /// Handle of the account the latency probe uses.
    pub probe_handle: String,
}

/// Creates a school and `users` students plus one probe account, all with [`BENCH_PASSWORD`],
/// through the same service function as `POST /api/v1/users`. Names carry a random run id, so
/// seeding an existing PostgreSQL database does not collide. Runs inside the server runtime.
pub async fn seed(state: &AppState, users: usize) -> anyhow::Result<Seeded> {
    use accolade_proto::{CreateUserRequest, Role};
    let run = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let school_slug = format!("bench-{run}");
    let txn = state.db.begin_write().await?;
    let school = accolade_db::schools::create(
        &*txn,
        accolade_db::schools::NewSchool {
            slug: school_slug.clone(),
            name: format!("Bench School {run}"),
            timezone: "Europe/London".to_owned(),
            sourced_id: None,
        },
    )
    .await
    .context("creating the bench school")?;
    txn.commit().await?;

    let probe_handle = format!("b{run}-probe");
    let handles: Vec<String> = (0..users).map(|i| format!("b{run}-u{i}")).collect();
    let mut tasks = tokio::task::JoinSet::new();
    for handle in handles.iter().chain(std::iter::once(&probe_handle)) {
        let state = state.clone();
        let req = CreateUserRequest {
            role: Role::Student,
            display_name: format!("Bench {handle}"),
            email: None,
            handle: Some(handle.clone()),
            password: Some(BENCH_PASSWORD.to_owned()),
        };
        let school_id = school.id;
        tasks.spawn(async move {
            accolade_server::routes::users::create_user(&state, school_id, None, req).await
        });
    }
    while let Some(joined) = tasks.join_next().await {
        joined
            .context("seeding task panicked")?
            .map_err(|e| anyhow::anyhow!("creating a bench user: {e}"))?;
    }
    Ok(Seeded {
        school_slug,
        handles,
        probe_handle,
    })
}

// ---------------------------------------------------------------------------------------------
// HTTP clients
// ---------------------------------------------------------------------------------------------

/// Fails unless `base_url` points at 127.0.0.1 (the bench never talks to anything else).
pub fn ensure_loopback(base_url: &str) -> anyhow::Result<()> {
    anyhow::ensure!(
        base_url.starts_with("http://127.0.0.1:"),
        "refusing to send requests to {base_url}: only 127.0.0.1 is allowed"
    );
    Ok(())
}

/// A pooled HTTP/1.1 client for the loopback server: no proxy, keep-alive, `pool` idle
/// connections, 60 s request timeout.
pub fn http_client(pool: usize) -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(pool.max(1))
        .pool_idle_timeout(Duration::from_secs(120))
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(60))
        .build()
        .context("building the HTTP client")
}

/// `POST /api/v1/auth/login`; returns the access token.
pub async fn login(
    client: &reqwest::Client,
    base_url: &str,
    login: &str,
    password: &str,
) -> anyhow::Result<String> {
    ensure_loopback(base_url)?;
    let res = client
        .post(format!("{base_url}/api/v1/auth/login"))
        .json(&serde_json::json!({ "login": login, "password": password }))
        .send()
        .await
        .context("POST /api/v1/auth/login")?;
    let status = res.status();
    let body: serde_json::Value = res.json().await.context("login response body")?;
    anyhow::ensure!(
        status.is_success(),
        "login as {login} failed: {status} {body}"
    );
    body.get("access_token")
        .and_then(|t| t.as_str())
        .map(str::to_owned)
        .context("login response without access_token")
}

/// Result of a sequential GET probe.
#[derive(Debug, Clone, Default)]
pub struct ProbeResult {
    /// Latency of every successful request in the window.
    pub samples: Vec<Duration>,
    /// Requests that failed or returned a non-200 status.
    pub errors: usize,
    /// CPU use of the probe thread itself during the window (Linux), as group `get-probe`.
    pub usage: Option<GroupUsage>,
}

/// Starts a probe on its own OS thread and single-threaded runtime (so its timings are not
/// delayed by other client tasks): it warms up one keep-alive connection, waits until
/// `start_at`, then issues `GET /api/v1/me` with `token` back to back until `end_at` (or
/// [`MAX_REQUESTS_PER_LOOP`] requests) and records each latency. With a non-zero `interval`
/// requests start on a fixed schedule (one every `interval`, skipping missed slots) instead.
pub fn spawn_probe(
    base_url: String,
    token: String,
    start_at: Instant,
    end_at: Instant,
    interval: Duration,
) -> anyhow::Result<JoinHandle<anyhow::Result<ProbeResult>>> {
    ensure_loopback(&base_url)?;
    std::thread::Builder::new()
        .name("get-probe".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("building the probe runtime")?;
            rt.block_on(async move {
                let client = http_client(1)?;
                let url = format!("{base_url}/api/v1/me");
                let get = || client.get(&url).bearer_auth(&token).send();
                for _ in 0..5 {
                    let res = get().await.context("warm-up GET /api/v1/me")?;
                    anyhow::ensure!(
                        res.status().is_success(),
                        "GET /api/v1/me: {}",
                        res.status()
                    );
                    res.bytes().await?;
                }
                tokio::time::sleep_until(start_at.into()).await;
                let mut out = ProbeResult::default();
                let before = current_thread_sample();
                let mut next = start_at;
                for _ in 0..MAX_REQUESTS_PER_LOOP {
                    if !interval.is_zero() {
                        tokio::time::sleep_until(next.into()).await;
                        let now = Instant::now();
                        if next <= now {
                            let behind = (now - next).as_nanos() / interval.as_nanos();
                            let skip = u32::try_from(behind + 1).unwrap_or(u32::MAX);
                            next += interval.saturating_mul(skip);
                        }
                    }
                    if Instant::now() >= end_at {
                        break;
                    }
                    let t0 = Instant::now();
                    let ok = match get().await {
                        Ok(res) => {
                            let status = res.status();
                            res.bytes().await.is_ok() && status == reqwest::StatusCode::OK
                        }
                        Err(_) => false,
                    };
                    if ok {
                        out.samples.push(t0.elapsed());
                    } else {
                        out.errors += 1;
                    }
                }
                if let (Some(b), Some(a)) = (before, current_thread_sample()) {
                    out.usage = Some(GroupUsage {
                        group: "get-probe".to_owned(),
                        threads: 1,
                        cpu: Duration::from_nanos(a.cpu_ns.saturating_sub(b.cpu_ns)),
                        wait: Duration::from_nanos(a.wait_ns.saturating_sub(b.wait_ns)),
                        minflt: a.minflt.saturating_sub(b.minflt),
                    });
                }
                Ok(out)
            })
        })
        .context("spawning the probe thread")
}

// ---------------------------------------------------------------------------------------------
// Per-thread CPU accounting (Linux /proc)
// ---------------------------------------------------------------------------------------------

/// One thread of this process as seen in `/proc/self/task/TID/{stat,schedstat}`.
#[derive(Debug, Clone)]
pub struct ThreadSample {
    /// Kernel thread id.
    pub tid: u32,
    /// Thread name (`comm`, at most 15 bytes).
    pub name: String,
    /// CPU time consumed, in nanoseconds.
    pub cpu_ns: u64,
    /// Time spent runnable but waiting for a CPU (run-queue delay), in nanoseconds.
    pub wait_ns: u64,
    /// Minor page faults.
    pub minflt: u64,
}

fn read_thread(dir: &std::path::Path, tid: u32) -> Option<ThreadSample> {
    let stat = std::fs::read_to_string(dir.join("stat")).ok()?;
    let sched = std::fs::read_to_string(dir.join("schedstat")).ok()?;
    let (open, close) = (stat.find('(')?, stat.rfind(')')?);
    let name = stat.get(open + 1..close)?.to_owned();
    // Fields after the name start at field 3 (state); minflt is field 10.
    let minflt = stat[close + 1..]
        .split_whitespace()
        .nth(7)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut sched = sched
        .split_whitespace()
        .map(|v| v.parse::<u64>().unwrap_or(0));
    Some(ThreadSample {
        tid,
        name,
        cpu_ns: sched.next().unwrap_or(0),
        wait_ns: sched.next().unwrap_or(0),
        minflt,
    })
}

/// Every thread of this process; empty where `/proc` is not available.
pub fn thread_samples() -> Vec<ThreadSample> {
    let Ok(dir) = std::fs::read_dir("/proc/self/task") else {
        return Vec::new();
    };
    dir.flatten()
        .take(100_000)
        .filter_map(|entry| {
            let tid = entry.file_name().to_str()?.parse::<u32>().ok()?;
            read_thread(&entry.path(), tid)
        })
        .collect()
}

/// The calling thread; `None` where `/proc` is not available.
pub fn current_thread_sample() -> Option<ThreadSample> {
    read_thread(std::path::Path::new("/proc/thread-self"), current_tid()?)
}

/// Busy and total CPU time of the whole machine so far (`/proc/stat`, all cores), assuming
/// the usual USER_HZ of 100.
pub fn machine_cpu() -> Option<(Duration, Duration)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next()?.strip_prefix("cpu ")?;
    let ticks: Vec<u64> = line
        .split_whitespace()
        .map(|v| v.parse().unwrap_or(0))
        .collect();
    // user nice system idle iowait irq softirq steal (guest time is already in user).
    let total: u64 = ticks.iter().take(8).sum();
    let idle = ticks.get(3).copied().unwrap_or(0) + ticks.get(4).copied().unwrap_or(0);
    let tick = |t: u64| Duration::from_millis(t * 10);
    Some((tick(total.saturating_sub(idle)), tick(total)))
}

/// CPU use of a group of threads over an interval.
#[derive(Debug, Clone, Default)]
pub struct GroupUsage {
    /// Thread name without its trailing number (`srv-worker`, `srv-blocking`, …).
    pub group: String,
    /// Threads of the group that ran during the interval.
    pub threads: usize,
    /// CPU time used.
    pub cpu: Duration,
    /// Time spent runnable but waiting for a CPU.
    pub wait: Duration,
    /// Minor page faults.
    pub minflt: u64,
}

fn group_of(name: &str) -> String {
    let trimmed = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '-' || c == '.');
    if trimmed.is_empty() {
        name.to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// Per-group differences between two [`thread_samples`] snapshots (threads that appeared in
/// between count from zero), largest CPU first.
pub fn usage_between(before: &[ThreadSample], after: &[ThreadSample]) -> Vec<GroupUsage> {
    let mut groups: Vec<GroupUsage> = Vec::new();
    for a in after {
        let b = before.iter().find(|b| b.tid == a.tid);
        let cpu = a.cpu_ns.saturating_sub(b.map_or(0, |b| b.cpu_ns));
        let wait = a.wait_ns.saturating_sub(b.map_or(0, |b| b.wait_ns));
        let minflt = a.minflt.saturating_sub(b.map_or(0, |b| b.minflt));
        if cpu == 0 && wait == 0 {
            continue;
        }
        let group = group_of(&a.name);
        let idx = match groups.iter().position(|g| g.group == group) {
            Some(i) => i,
            None => {
                groups.push(GroupUsage {
                    group,
                    ..GroupUsage::default()
                });
                groups.len() - 1
            }
        };
        let g = &mut groups[idx];
        g.threads += 1;
        g.cpu += Duration::from_nanos(cpu);
        g.wait += Duration::from_nanos(wait);
        g.minflt += minflt;
    }
    groups.sort_by_key(|g| std::cmp::Reverse(g.cpu));
    groups
}

/// CPU use over a window: by thread group of this process, and of the whole machine.
#[derive(Debug, Clone, Default)]
pub struct CpuWindow {
    /// Length of the window.
    pub window: Duration,
    /// This process's threads, by group, largest CPU first.
    pub groups: Vec<GroupUsage>,
    /// Busy CPU time of the whole machine (all processes), if known.
    pub machine_busy: Option<Duration>,
}

impl CpuWindow {
    /// Adds a group measured separately (e.g. by the thread itself, since it may exit before
    /// the window's last snapshot), replacing a sampled group of the same name.
    pub fn add(&mut self, group: GroupUsage) {
        self.groups.retain(|g| g.group != group.group);
        self.groups.push(group);
        self.groups.sort_by_key(|g| std::cmp::Reverse(g.cpu));
    }

    /// CPU used by this process.
    pub fn process_cpu(&self) -> Duration {
        self.groups.iter().map(|g| g.cpu).sum()
    }

    /// CPU used by other processes on the machine (other builds, databases…), if known.
    pub fn others_cpu(&self) -> Option<Duration> {
        self.machine_busy
            .map(|busy| busy.saturating_sub(self.process_cpu()))
    }

    /// CPU used by the group named `group`.
    pub fn group_cpu(&self, group: &str) -> Duration {
        self.groups
            .iter()
            .filter(|g| g.group == group)
            .map(|g| g.cpu)
            .sum()
    }

    /// A table: CPU, share of the machine, run-queue wait and minor faults per group, then
    /// this process and the rest of the machine.
    pub fn table(&self, cores: usize) -> String {
        if self.groups.is_empty() {
            return "    (per-thread CPU accounting unavailable)\n".to_owned();
        }
        let capacity = self.window.as_secs_f64().max(1e-9) * cores.max(1) as f64;
        let share = |d: Duration| 100.0 * d.as_secs_f64() / capacity;
        let mut out = format!(
            "    {:<18} {:>3}  {:>8}  {:>9}  {:>11}  {:>10}\n",
            "threads", "n", "CPU s", "of box", "runq wait s", "minor flt"
        );
        for g in &self.groups {
            out.push_str(&format!(
                "    {:<18} {:>3}  {:>8.3}  {:>8.1}%  {:>11.3}  {:>10}\n",
                g.group,
                g.threads,
                g.cpu.as_secs_f64(),
                share(g.cpu),
                g.wait.as_secs_f64(),
                g.minflt,
            ));
        }
        let cpu = self.process_cpu();
        out.push_str(&format!(
            "    {:<18} {:>3}  {:>8.3}  {:>8.1}%\n",
            "= this process",
            "",
            cpu.as_secs_f64(),
            share(cpu)
        ));
        if let Some(busy) = self.machine_busy {
            out.push_str(&format!(
                "    {:<18} {:>3}  {:>8.3}  {:>8.1}%   (all processes, /proc/stat)\n",
                "machine busy",
                "",
                busy.as_secs_f64(),
                share(busy)
            ));
        }
        if let Some(others) = self.others_cpu() {
            out.push_str(&format!(
                "    {:<18} {:>3}  {:>8.3}  {:>8.1}%\n",
                "+ other processes",
                "",
                others.as_secs_f64(),
                share(others)
            ));
        }
        out
    }
}

/// Waits (at most `max_wait`) for a one-second interval in which the whole machine is busy
/// less than `threshold` (0–1) of its capacity; returns the last measured share, or `None`
/// where `/proc/stat` is unavailable.
pub fn wait_for_quiet(max_wait: Duration, threshold: f64) -> Option<f64> {
    let deadline = Instant::now() + max_wait;
    let mut share = None;
    for _ in 0..100_000 {
        let (busy0, total0) = machine_cpu()?;
        std::thread::sleep(Duration::from_secs(1));
        let (busy1, total1) = machine_cpu()?;
        let total = total1.saturating_sub(total0).as_secs_f64().max(1e-9);
        let s = busy1.saturating_sub(busy0).as_secs_f64() / total;
        share = Some(s);
        if s < threshold || Instant::now() >= deadline {
            break;
        }
    }
    share
}

/// Snapshots [`thread_samples`] and [`machine_cpu`] at `start` and at `end` on a helper
/// thread and returns the usage in between.
pub fn spawn_cpu_sampler(start: Instant, end: Instant) -> anyhow::Result<JoinHandle<CpuWindow>> {
    std::thread::Builder::new()
        .name("cpu-sampler".into())
        .spawn(move || {
            std::thread::sleep(start.saturating_duration_since(Instant::now()));
            let t0 = Instant::now();
            let before = thread_samples();
            let machine_before = machine_cpu();
            std::thread::sleep(end.saturating_duration_since(Instant::now()));
            let machine_after = machine_cpu();
            let after = thread_samples();
            let machine_busy = match (machine_before, machine_after) {
                (Some((b, _)), Some((a, _))) => Some(a.saturating_sub(b)),
                _ => None,
            };
            CpuWindow {
                window: t0.elapsed(),
                groups: usage_between(&before, &after),
                machine_busy,
            }
        })
        .context("spawning the CPU sampler")
}

// ---------------------------------------------------------------------------------------------
// Statistics and printing
// ---------------------------------------------------------------------------------------------

/// Nearest-rank percentile `p` (0–100) of an ascending slice; zero when empty.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p.clamp(0.0, 100.0) / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Summary statistics of a set of latencies.
#[derive(Debug, Clone, Copy, Default)]
pub struct Summary {
    /// Number of samples.
    pub count: usize,
    /// Fastest sample.
    pub min: Duration,
    /// Arithmetic mean.
    pub mean: Duration,
    /// Median.
    pub p50: Duration,
    /// 90th percentile.
    pub p90: Duration,
    /// 99th percentile.
    pub p99: Duration,
    /// Slowest sample.
    pub max: Duration,
}

impl Summary {
    /// Summarises `samples` (sorts them in place).
    pub fn of(samples: &mut [Duration]) -> Summary {
        samples.sort_unstable();
        if samples.is_empty() {
            return Summary::default();
        }
        let total: Duration = samples.iter().sum();
        Summary {
            count: samples.len(),
            min: samples[0],
            mean: total / samples.len() as u32,
            p50: percentile(samples, 50.0),
            p90: percentile(samples, 90.0),
            p99: percentile(samples, 99.0),
            max: samples[samples.len() - 1],
        }
    }

    /// One line: `n=… min=… p50=… p90=… p99=… max=…`.
    pub fn line(&self) -> String {
        format!(
            "n={:<6} min={:>9}  mean={:>9}  p50={:>9}  p90={:>9}  p99={:>9}  max={:>9}",
            self.count,
            fmt_duration(self.min),
            fmt_duration(self.mean),
            fmt_duration(self.p50),
            fmt_duration(self.p90),
            fmt_duration(self.p99),
            fmt_duration(self.max),
        )
    }
}

/// A duration in the most readable unit: `812 µs`, `3.41 ms`, `1.20 s`.
pub fn fmt_duration(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 1_000.0 {
        format!("{us:.0} µs")
    } else if us < 1_000_000.0 {
        format!("{:.2} ms", us / 1_000.0)
    } else {
        format!("{:.2} s", us / 1_000_000.0)
    }
}

/// Upper bounds of the histogram buckets: a 1-2-5 series from 10 µs to 10 s.
fn bucket_bounds() -> Vec<Duration> {
    let mut bounds = Vec::new();
    let mut decade = 10u64;
    while decade <= 10_000_000 {
        for m in [1, 2, 5] {
            let us = decade * m;
            if us <= 10_000_000 {
                bounds.push(Duration::from_micros(us));
            }
        }
        decade *= 10;
    }
    bounds
}

/// A text histogram of `samples` on log-spaced (1-2-5) buckets, one line per bucket between
/// the first and last non-empty one, with a bar scaled to `width` characters.
pub fn histogram(samples: &[Duration], width: usize) -> String {
    if samples.is_empty() {
        return "    (no samples)\n".to_owned();
    }
    let bounds = bucket_bounds();
    let mut counts = vec![0usize; bounds.len() + 1];
    for s in samples {
        let i = bounds.partition_point(|b| b < s);
        counts[i] += 1;
    }
    let first = counts.iter().position(|&c| c > 0).unwrap_or(0);
    let last = counts.iter().rposition(|&c| c > 0).unwrap_or(0);
    let peak = counts.iter().copied().max().unwrap_or(1).max(1);
    let total = samples.len() as f64;
    let mut out = String::new();
    let mut cumulative = 0usize;
    for (i, &c) in counts.iter().enumerate().take(last + 1).skip(first) {
        cumulative += c;
        let label = match bounds.get(i) {
            Some(b) => format!("≤ {}", fmt_duration(*b)),
            None => format!("> {}", fmt_duration(bounds[bounds.len() - 1])),
        };
        let bar_len = if c == 0 {
            0
        } else {
            ((c as f64 / peak as f64) * width as f64).ceil() as usize
        };
        out.push_str(&format!(
            "    {label:>12} |{:<width$}| {c:>7} {:>6.2}%  (cum {:>6.2}%)\n",
            "#".repeat(bar_len),
            100.0 * c as f64 / total,
            100.0 * cumulative as f64 / total,
        ));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: a fresh database per run
// ---------------------------------------------------------------------------------------------

/// Fails unless `url` is a `postgres://` URL whose host is 127.0.0.1 or localhost.
pub fn ensure_loopback_pg(url: &str) -> anyhow::Result<()> {
    let rest = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))
        .context("expected a postgres:// URL")?;
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = host_port.rsplit_once(':').map_or(host_port, |(h, _)| h);
    anyhow::ensure!(
        host == "127.0.0.1" || host == "localhost",
        "refusing PostgreSQL at {host:?}: only 127.0.0.1 is allowed"
    );
    Ok(())
}

/// A database `accolade_bench_<random>` created for one run on the PostgreSQL server of an
/// admin URL (e.g. `postgres://postgres@127.0.0.1:5432/test`), dropped by
/// [`PgDatabase::drop_now`] or, failing that, when the value is dropped.
pub struct PgDatabase {
    admin_url: String,
    /// Name of the new database.
    pub name: String,
    /// URL of the new database (the admin URL with its database name replaced).
    pub url: String,
    dropped: bool,
}

impl PgDatabase {
    /// Creates the database through `admin_url` (which must point at 127.0.0.1).
    pub async fn create(admin_url: &str) -> anyhow::Result<PgDatabase> {
        use sqlx::Connection;
        ensure_loopback_pg(admin_url)?;
        let name = format!("accolade_bench_{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(admin_url)
            .await
            .with_context(|| format!("connecting to {}", accolade_db::redact(admin_url)))?;
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut conn)
            .await
            .with_context(|| format!("creating database {name}"))?;
        conn.close().await?;
        let (base, query) = match admin_url.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (admin_url, None),
        };
        let (prefix, _) = base
            .rsplit_once('/')
            .context("the PostgreSQL URL must end in /dbname")?;
        let url = match query {
            Some(q) => format!("{prefix}/{name}?{q}"),
            None => format!("{prefix}/{name}"),
        };
        Ok(PgDatabase {
            admin_url: admin_url.to_owned(),
            name,
            url,
            dropped: false,
        })
    }

    /// Drops the database (`WITH (FORCE)`: open connections are ended).
    pub async fn drop_now(mut self) -> anyhow::Result<()> {
        self.dropped = true;
        drop_pg_database(&self.admin_url, &self.name).await
    }
}

async fn drop_pg_database(admin_url: &str, name: &str) -> anyhow::Result<()> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(admin_url).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .execute(&mut conn)
        .await
        .with_context(|| format!("dropping database {name}"))?;
    conn.close().await?;
    Ok(())
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        let (admin, name) = (self.admin_url.clone(), self.name.clone());
        // The caller's runtime may be busy or gone: drop from a thread of our own.
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                if let Err(e) = rt.block_on(drop_pg_database(&admin, &name)) {
                    eprintln!("warning: could not drop {name}: {e:#}");
                }
            }
        })
        .join();
    }
}

// ---------------------------------------------------------------------------------------------
// Raw keep-alive HTTP/1.1 connections
// ---------------------------------------------------------------------------------------------

/// Request body type of [`HttpConn`].
pub type Body = http_body_util::Full<hyper::body::Bytes>;

/// One HTTP/1.1 keep-alive connection to a loopback server (hyper's client connection, no
/// pool, no proxy, `TCP_NODELAY`): opened once and warmed up, so a later request measures the
/// server and not connection setup. Must be used inside a tokio runtime (its connection task
/// runs there).
pub struct HttpConn {
    sender: hyper::client::conn::http1::SendRequest<Body>,
    authority: hyper::header::HeaderValue,
    task: tokio::task::JoinHandle<()>,
}

impl HttpConn {
    /// Connects to `addr` (must be a loopback address).
    pub async fn connect(addr: SocketAddr) -> anyhow::Result<HttpConn> {
        anyhow::ensure!(
            addr.ip().is_loopback(),
            "refusing to connect to {addr}: only loopback addresses are allowed"
        );
        let stream = tokio::net::TcpStream::connect(addr)
            .await
            .with_context(|| format!("connecting to {addr}"))?;
        stream.set_nodelay(true)?;
        let (sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .context("HTTP/1.1 handshake")?;
        let task = tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(HttpConn {
            sender,
            authority: hyper::header::HeaderValue::from_str(&addr.to_string())?,
            task,
        })
    }

    /// Builds a request for this connection: `method path`, an optional bearer token and an
    /// optional JSON body. Building is separate from sending so that a burst can prepare every
    /// request before it starts its clocks.
    pub fn request(
        &self,
        method: hyper::Method,
        path: &str,
        bearer: Option<&str>,
        json: Option<hyper::body::Bytes>,
    ) -> anyhow::Result<hyper::Request<Body>> {
        use hyper::header;
        let mut b = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, self.authority.clone());
        if let Some(t) = bearer {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let body = match json {
            Some(j) => {
                b = b.header(header::CONTENT_TYPE, "application/json");
                Body::new(j)
            }
            None => Body::new(hyper::body::Bytes::new()),
        };
        Ok(b.body(body)?)
    }

    /// Sends `req` and reads the whole response: `(status, body)`.
    pub async fn send(
        &mut self,
        req: hyper::Request<Body>,
    ) -> anyhow::Result<(u16, hyper::body::Bytes)> {
        use http_body_util::BodyExt;
        self.sender.ready().await.context("connection not ready")?;
        let res = self.sender.send_request(req).await?;
        let status = res.status().as_u16();
        let body = res.into_body().collect().await?.to_bytes();
        Ok((status, body))
    }
}

impl Drop for HttpConn {
    fn drop(&mut self) {
        self.task.abort();
    }
}

// ---------------------------------------------------------------------------------------------
// Other processes: /proc readings and a server in its own process
// ---------------------------------------------------------------------------------------------

/// A `kB` field of `/proc/PID/status` (`VmRSS`, `RssAnon`, `VmHWM`…), in KiB.
pub fn proc_status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.strip_prefix(field).is_some_and(|r| r.starts_with(':')))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
}

/// CPU time (user + system) a process has used so far (`/proc/PID/stat`, USER_HZ = 100).
pub fn proc_cpu(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let close = stat.rfind(')')?;
    let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
    // After the name: field 3 is index 0, so utime (14) and stime (15) are 11 and 12.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10))
}

/// Kernel memory held by every TCP socket of the machine (`/proc/net/sockstat`, `TCP: … mem`
/// in 4 KiB pages), in KiB. Not part of any process's RSS.
pub fn tcp_kernel_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/net/sockstat").ok()?;
    let line = s.lines().find(|l| l.starts_with("TCP:"))?;
    let mut it = line.split_whitespace();
    for _ in 0..64 {
        match it.next() {
            Some("mem") => return it.next()?.parse::<u64>().ok().map(|p| p * 4),
            Some(_) => {}
            None => return None,
        }
    }
    None
}

/// Raises this process's soft limit on open files to its hard limit (children inherit it);
/// returns the new soft limit.
pub fn raise_nofile_limit() -> anyhow::Result<u64> {
    rlimit::increase_nofile_limit(u64::MAX).context("raising RLIMIT_NOFILE")
}

/// The argument that makes a benchmark binary run as a server child (see [`serve_child`]).
pub const SERVE_CHILD_ARG: &str = "__accolade-serve";

/// When this process was started as `EXE __accolade-serve 127.0.0.1:PORT`, runs the server
/// exactly as `accolade serve --bind 127.0.0.1:PORT` does (same runtime flavour, configuration
/// from `ACCOLADE_*`) and returns its exit code; otherwise returns `None` at once. Lets a
/// benchmark run the server it was compiled with in a separate process.
pub fn serve_child() -> Option<std::process::ExitCode> {
    let mut args = std::env::args().skip(1);
    if args.next().as_deref() != Some(SERVE_CHILD_ARG) {
        return None;
    }
    let mut run = move || -> anyhow::Result<()> {
        let bind: SocketAddr = args
            .next()
            .context("missing bind address")?
            .parse()
            .context("bind address")?;
        anyhow::ensure!(
            bind.ip().is_loopback(),
            "the bench server binds loopback only"
        );
        // What `#[tokio::main]` builds for the `accolade` binary.
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        rt.block_on(async move {
            let config = Config::load(None)?;
            accolade_server::telemetry::init(config.log_format);
            accolade_server::cli::run(
                accolade_server::cli::Command::Serve {
                    bind: Some(bind),
                    demo: false,
                },
                config,
            )
            .await
        })
    };
    Some(match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench server: error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    })
}

/// Which program [`ServerProcess`] runs.
#[derive(Debug, Clone)]
pub enum ServerCommand {
    /// This executable again with [`SERVE_CHILD_ARG`]: the server code this benchmark was
    /// compiled with (the binary must call [`serve_child`] first thing in `main`).
    SelfExec,
    /// An `accolade` binary, run as `PATH serve --bind 127.0.0.1:PORT`.
    Binary(std::path::PathBuf),
}

/// A free TCP port on 127.0.0.1 (bound and released; the server binds it with SO_REUSEADDR).
pub fn free_port() -> anyhow::Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(l.local_addr()?.port())
}

/// An Accolade server in a child process on 127.0.0.1 (random port); killed when dropped.
pub struct ServerProcess {
    child: std::process::Child,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// The listening address.
    pub addr: SocketAddr,
    /// Process id (for `/proc/PID/…`).
    pub pid: u32,
    _dir: tempfile::TempDir,
}

impl ServerProcess {
    /// Starts a server on `database_url` with `signing_key`, access tokens valid for an hour,
    /// `RUST_LOG=warn` and its working directory in a temporary folder. `extra_env` adds or
    /// overrides `ACCOLADE_*` settings.
    pub fn spawn(
        command: &ServerCommand,
        database_url: &str,
        signing_key: &str,
        extra_env: &[(&str, &str)],
    ) -> anyhow::Result<ServerProcess> {
        let port = free_port()?;
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let base_url = format!("http://{addr}");
        let dir = tempfile::Builder::new()
            .prefix("accolade-bench-node-")
            .tempdir()?;
        let mut cmd = match command {
            ServerCommand::SelfExec => {
                let mut c = std::process::Command::new(
                    std::env::current_exe().context("finding this executable")?,
                );
                c.args([SERVE_CHILD_ARG, &addr.to_string()]);
                c
            }
            ServerCommand::Binary(path) => {
                let mut c = std::process::Command::new(path);
                c.args(["serve", "--bind", &addr.to_string()]);
                c
            }
        };
        cmd.current_dir(dir.path())
            .env("ACCOLADE_DATABASE_URL", database_url)
            .env("ACCOLADE_SIGNING_KEY", signing_key)
            .env("ACCOLADE_PUBLIC_URL", &base_url)
            .env("ACCOLADE_DATA_DIR", dir.path())
            .env("ACCOLADE_ACCESS_TOKEN_TTL_SECS", "3600")
            .env("RUST_LOG", "warn")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::inherit());
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let child = cmd
            .spawn()
            .with_context(|| format!("starting the server ({command:?})"))?;
        Ok(ServerProcess {
            pid: child.id(),
            child,
            base_url,
            addr,
            _dir: dir,
        })
    }

    /// Waits (at most `timeout`) until `GET /readyz` answers 200; fails early if the process
    /// exits.
    pub async fn wait_ready(&mut self, timeout: Duration) -> anyhow::Result<()> {
        let client = http_client(1)?;
        let deadline = Instant::now() + timeout;
        for _ in 0..100_000 {
            if let Some(status) = self.child.try_wait()? {
                anyhow::bail!("the server process exited early: {status}");
            }
            if let Ok(r) = client.get(format!("{}/readyz", self.base_url)).send().await {
                if r.status().is_success() {
                    return Ok(());
                }
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "the server on {} was not ready within {timeout:?}",
                self.base_url
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        anyhow::bail!("the server on {} never became ready", self.base_url)
    }

    /// The server's resident set size in KiB.
    pub fn rss_kib(&self) -> Option<u64> {
        proc_status_kib(self.pid, "VmRSS")
    }

    /// CPU time the server has used so far.
    pub fn cpu(&self) -> Option<Duration> {
        proc_cpu(self.pid)
    }

    /// True while the process runs.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// A school to benchmark: classes, students with sessions, badges and claim codes
// ---------------------------------------------------------------------------------------------

/// A student created by [`setup_school`].
#[derive(Debug, Clone)]
pub struct Pupil {
    /// User id.
    pub id: uuid::Uuid,
    /// The class the student is enrolled in.
    pub class_id: uuid::Uuid,
    /// An access token of a fresh session.
    pub token: String,
}

/// What [`setup_school`] created.
#[derive(Debug, Clone)]
pub struct BenchSchool {
    /// School id.
    pub id: uuid::Uuid,
    /// School slug (`bench-<run>`).
    pub slug: String,
    /// The teacher of every class.
    pub teacher_id: uuid::Uuid,
    /// The teacher's access token.
    pub teacher_token: String,
    /// Class ids, in order; students fill them `class_size` at a time.
    pub classes: Vec<uuid::Uuid>,
    /// Students in creation order.
    pub students: Vec<Pupil>,
}

impl BenchSchool {
    /// The students of class `class_id`.
    pub fn class_students(&self, class_id: uuid::Uuid) -> Vec<Pupil> {
        self.students
            .iter()
            .filter(|p| p.class_id == class_id)
            .cloned()
            .collect()
    }
}

/// Creates, directly through the service layer (no HTTP, no passwords, no argon2), a school
/// with one teacher, `students` students in classes of `class_size` (the teacher teaches them
/// all), and one session per person (`routes::auth::start_session`). Names carry a random run
/// id. Runs on the runtime that owns `state`.
pub async fn setup_school(
    state: &AppState,
    students: usize,
    class_size: usize,
) -> anyhow::Result<BenchSchool> {
    use accolade_proto::{CreateUserRequest, Role};
    let class_size = class_size.max(1);
    let run = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let slug = format!("bench-{run}");
    let txn = state.db.begin_write().await?;
    let school = accolade_db::schools::create(
        &*txn,
        accolade_db::schools::NewSchool {
            slug: slug.clone(),
            name: format!("Bench School {run}"),
            timezone: "Europe/London".to_owned(),
            sourced_id: None,
        },
    )
    .await
    .context("creating the bench school")?;
    txn.commit().await?;
    let err = |e: accolade_server::error::ApiError| anyhow::anyhow!("{e}");
    let user = |role, display_name: String| CreateUserRequest {
        role,
        display_name,
        email: None,
        handle: None,
        password: None,
    };
    let teacher = accolade_server::routes::users::create_user(
        state,
        school.id,
        None,
        user(Role::Teacher, format!("Tess Bench{run}")),
    )
    .await
    .map_err(err)?;
    let teacher_token = accolade_server::routes::auth::start_session(state, &teacher)
        .await
        .map_err(err)?
        .access_token;

    let n_classes = students.div_ceil(class_size).max(1);
    let mut classes = Vec::with_capacity(n_classes);
    for k in 0..n_classes {
        let txn = state.db.begin_write().await?;
        let class =
            accolade_db::classes::create(&*txn, school.id, format!("Form {k}"), None, None).await?;
        accolade_db::classes::enroll(&*txn, school.id, class.id, teacher.id, "teacher", None)
            .await?;
        txn.commit().await?;
        classes.push(class.id);
    }

    // Users and sessions in parallel (each is its own write transaction), enrolments one
    // transaction per class.
    let mut created: Vec<Option<(accolade_db::users::User, String)>> = vec![None; students];
    let mut tasks = tokio::task::JoinSet::new();
    let mut next = 0usize;
    let parallel = 16;
    for _ in 0..students.saturating_mul(2) + 1 {
        while next < students && tasks.len() < parallel {
            let state = state.clone();
            let req = user(Role::Student, format!("Pupil{next} Bench{run}"));
            let (i, school_id) = (next, school.id);
            tasks.spawn(async move {
                let u = accolade_server::routes::users::create_user(&state, school_id, None, req)
                    .await
                    .map_err(|e| anyhow::anyhow!("creating a student: {e}"))?;
                let t = accolade_server::routes::auth::start_session(&state, &u)
                    .await
                    .map_err(|e| anyhow::anyhow!("starting a session: {e}"))?;
                anyhow::Ok((i, u, t.access_token))
            });
            next += 1;
        }
        match tasks.join_next().await {
            Some(joined) => {
                let (i, u, token) = joined.context("setup task panicked")??;
                created[i] = Some((u, token));
            }
            None => break,
        }
    }
    let mut pupils = Vec::with_capacity(students);
    for (i, c) in created.into_iter().enumerate() {
        let (u, token) = c.context("a student was not created")?;
        pupils.push(Pupil {
            id: u.id,
            class_id: classes[i / class_size],
            token,
        });
    }
    for chunk in pupils.chunks(class_size) {
        let txn = state.db.begin_write().await?;
        for p in chunk {
            accolade_db::classes::enroll(&*txn, school.id, p.class_id, p.id, "student", None)
                .await?;
        }
        txn.commit().await?;
    }
    Ok(BenchSchool {
        id: school.id,
        slug,
        teacher_id: teacher.id,
        teacher_token,
        classes,
        students: pupils,
    })
}

/// Sends one JSON API request with reqwest; returns the status and the JSON body (`Null` when
/// empty).
pub async fn api(
    client: &reqwest::Client,
    base_url: &str,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<&serde_json::Value>,
) -> anyhow::Result<(u16, serde_json::Value)> {
    ensure_loopback(base_url)?;
    let mut req = client.request(method.clone(), format!("{base_url}{path}"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(b);
    }
    let res = req
        .send()
        .await
        .with_context(|| format!("{method} {path}"))?;
    let status = res.status().as_u16();
    let bytes = res.bytes().await?;
    let value = if bytes.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|_| {
            serde_json::Value::String(String::from_utf8_lossy(&bytes).into_owned())
        })
    };
    Ok((status, value))
}

/// Uploads a small SVG and creates a badge class named `name` as the teacher; returns its id.
pub async fn create_badge(
    client: &reqwest::Client,
    base_url: &str,
    teacher_token: &str,
    name: &str,
    repeatable: bool,
) -> anyhow::Result<uuid::Uuid> {
    ensure_loopback(base_url)?;
    let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><circle cx="32" cy="32" r="30" fill="#284"/></svg>"##;
    let res = client
        .post(format!("{base_url}/api/v1/images"))
        .bearer_auth(teacher_token)
        .header("content-type", "image/svg+xml")
        .body(svg.to_vec())
        .send()
        .await
        .context("POST /api/v1/images")?;
    let status = res.status();
    let img: serde_json::Value = res.json().await.context("image upload answer")?;
    anyhow::ensure!(status.is_success(), "image upload: {status} {img}");
    let (status, badge) = api(
        client,
        base_url,
        reqwest::Method::POST,
        "/api/v1/badge-classes",
        Some(teacher_token),
        Some(&serde_json::json!({
            "name": name,
            "description": "Benchmark badge",
            "criteria_narrative": "Take part in the benchmark",
            "image_id": img["id"],
            "repeatable": repeatable,
        })),
    )
    .await?;
    anyhow::ensure!(status == 201, "creating a badge class: {status} {badge}");
    badge["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .context("badge class without id")
}

/// Creates a rotating claim code (15 s rotation, open for a day) for `badge` limited to
/// `class_ids` (school-wide when empty); returns its id.
pub async fn create_claim_code(
    client: &reqwest::Client,
    base_url: &str,
    teacher_token: &str,
    badge: uuid::Uuid,
    title: &str,
    class_ids: &[uuid::Uuid],
) -> anyhow::Result<uuid::Uuid> {
    let ends = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let (status, code) = api(
        client,
        base_url,
        reqwest::Method::POST,
        "/api/v1/claim-codes",
        Some(teacher_token),
        Some(&serde_json::json!({
            "badge_class_id": badge,
            "title": title,
            "ends_at": ends,
            "mode": "rotating",
            "class_ids": class_ids,
        })),
    )
    .await?;
    anyhow::ensure!(status == 201, "creating a claim code: {status} {code}");
    code["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .context("claim code without id")
}

/// The URL the projector currently shows for a claim code (`GET …/current`).
pub async fn current_claim_url(
    client: &reqwest::Client,
    base_url: &str,
    teacher_token: &str,
    code: uuid::Uuid,
) -> anyhow::Result<String> {
    let (status, cur) = api(
        client,
        base_url,
        reqwest::Method::GET,
        &format!("/api/v1/claim-codes/{code}/current"),
        Some(teacher_token),
        None,
    )
    .await?;
    anyhow::ensure!(status == 200, "current claim URL: {status} {cur}");
    cur["url"]
        .as_str()
        .map(str::to_owned)
        .context("claim code without a current URL")
}

/// `POST /api/v1/ws-ticket`: a single-use WebSocket ticket for `token`.
pub async fn ws_ticket(
    client: &reqwest::Client,
    base_url: &str,
    token: &str,
) -> anyhow::Result<String> {
    let (status, t) = api(
        client,
        base_url,
        reqwest::Method::POST,
        "/api/v1/ws-ticket",
        Some(token),
        None,
    )
    .await?;
    anyhow::ensure!(status == 200, "ws ticket: {status} {t}");
    t["ticket"]
        .as_str()
        .map(str::to_owned)
        .context("ticket answer without ticket")
}

/// Counts a badge's assertions in the database: `(total, distinct recipients)`.
pub async fn assertion_counts(
    state: &AppState,
    badge_class_id: uuid::Uuid,
) -> anyhow::Result<(u64, u64)> {
    use accolade_db::entities::awards;
    use accolade_db::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
    let recipients: Vec<uuid::Uuid> = awards::Entity::find()
        .select_only()
        .column(awards::Column::RecipientId)
        .filter(awards::Column::BadgeClassId.eq(badge_class_id))
        .into_tuple()
        .all(state.db.conn())
        .await
        .context("counting assertions")?;
    let total = recipients.len() as u64;
    let distinct: std::collections::HashSet<_> = recipients.into_iter().collect();
    Ok((total, distinct.len() as u64))
}

/// Nearest-rank percentile `p` of unsorted `samples` (sorts a copy).
pub fn percentile_of(samples: &[Duration], p: f64) -> Duration {
    let mut v = samples.to_vec();
    v.sort_unstable();
    percentile(&v, p)
}

/// `PASS` or `MISS`.
pub fn verdict(ok: bool) -> &'static str {
    if ok {
        "PASS"
    } else {
        "MISS"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_nearest_rank() {
        let v: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&v, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&v, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&v, 100.0), Duration::from_millis(100));
        assert_eq!(percentile(&v, 0.0), Duration::from_millis(1));
        assert_eq!(percentile(&[], 99.0), Duration::ZERO);
        let one = [Duration::from_millis(7)];
        assert_eq!(percentile(&one, 99.0), Duration::from_millis(7));
    }

    #[test]
    fn summary_and_histogram() {
        let mut v: Vec<Duration> = (1..=1000).map(Duration::from_micros).collect();
        let s = Summary::of(&mut v);
        assert_eq!(s.count, 1000);
        assert_eq!(s.p99, Duration::from_micros(990));
        let h = histogram(&v, 20);
        assert!(h.contains("≤ 10 µs"), "{h}");
        assert!(h.contains("≤ 1.00 ms"), "{h}");
        assert!(h.contains("100.00%"), "{h}");
    }

    #[test]
    fn verify_with_reused_memory() {
        let params = argon2::Params::new(64, 1, 1, Some(32)).expect("params");
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let salt = SaltString::generate(&mut OsRng);
        let hash = argon
            .hash_password(b"correct horse", &salt)
            .expect("hash")
            .to_string();
        let mut memory = Vec::new();
        assert!(verify_with_memory(b"correct horse", &hash, &mut memory).expect("verify"));
        assert!(!verify_with_memory(b"correct horsf", &hash, &mut memory).expect("verify"));
        assert_eq!(memory.len(), 64);
    }

    #[test]
    fn dedicated_pool_verifies() {
        let params = argon2::Params::new(64, 1, 1, Some(32)).expect("params");
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let salt = SaltString::generate(&mut OsRng);
        let hash = argon
            .hash_password(b"pw-123456", &salt)
            .expect("hash")
            .to_string();
        let pool = DedicatedPool::new(2, 8, BlockingPriority::Normal).expect("pool");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            assert!(pool
                .verify("pw-123456".into(), hash.clone())
                .await
                .expect("ok"));
            assert!(!pool.verify("pw-1234567".into(), hash).await.expect("ok"));
        });
    }

    #[test]
    fn thread_groups() {
        assert_eq!(group_of("srv-blocking-12"), "srv-blocking");
        assert_eq!(group_of("srv-worker-0"), "srv-worker");
        assert_eq!(group_of("bench-auth"), "bench-auth");
        assert_eq!(group_of("42"), "42");
    }

    #[test]
    fn only_loopback() {
        assert!(ensure_loopback("http://127.0.0.1:1234").is_ok());
        assert!(ensure_loopback("http://example.com").is_err());
        assert!(ensure_loopback_pg("postgres://postgres@127.0.0.1:5432/test").is_ok());
        assert!(ensure_loopback_pg("postgresql://u:p@localhost/db?sslmode=disable").is_ok());
        assert!(ensure_loopback_pg("postgres://postgres@10.0.0.5:5432/test").is_err());
        assert!(ensure_loopback_pg("mysql://127.0.0.1/x").is_err());
    }

    #[test]
    fn proc_readings() {
        let me = std::process::id();
        assert!(proc_status_kib(me, "VmRSS").is_some_and(|k| k > 0));
        assert!(proc_status_kib(me, "NoSuchField").is_none());
        assert!(proc_cpu(me).is_some());
    }
}
