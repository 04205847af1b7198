//! `bench-claims`: a whole school claims one rotating QR code at the same moment, over real
//! HTTP on 127.0.0.1, and every student gets exactly one assertion.
//!
//! Per backend (temporary SQLite file by default; PostgreSQL in a fresh database
//! `accolade_bench_<random>` created on the server of `--pg-url`/`--database-url` and dropped at
//! the end):
//!
//! 1. Setup, not timed: the in-process server on 127.0.0.1:0, a school with `--students`
//!    students in classes of `--class-size` (created through the service layer without
//!    passwords; sessions from `routes::auth::start_session`), a teacher, two badge classes
//!    (SVG upload + `POST /api/v1/badge-classes`), a rotating claim code for every class
//!    (`POST /api/v1/claim-codes`) and its current QR URL (`GET …/current`). One keep-alive
//!    HTTP/1.1 connection per student is opened and warmed up (`GET /healthz`), so connection
//!    setup is never measured.
//! 2. Burst: every student's `POST /api/v1/claims {"token": url}` is prepared, then all are
//!    released at once. Measured: each request's latency, wall time from the release to the
//!    last response, statuses (expected: all 201). Then the database must hold exactly one
//!    assertion per student for that badge, and the code's `claim_count` must equal the number
//!    of students.
//! 3. Second wave: everyone claims again → all 200 with `already_claimed`, still one assertion
//!    each.
//! 4. Class bursts: `--class-rounds` times, the students of one class claim a fresh code (for
//!    a second badge) at once → p50/p99 over all rounds.
//!
//! Targets (2-core machine, SQLite): the burst done within 250 ms, p99 ≤ 150 ms, zero errors,
//! exactly N assertions; class-burst p99 ≤ 10 ms. PostgreSQL figures are shown against the same
//! targets for comparison.
//!
//! Exit status: 1 when exactly-once is violated or any request fails with a 5xx or a transport
//! error (also in `--short`, the CI smoke run); with `--strict` also when a timing target is
//! missed; 2 on setup errors.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use accolade_bench::{
    assertion_counts, cores, create_badge, create_claim_code, current_claim_url, fmt_duration,
    histogram, http_client, machine_cpu, thread_samples, usage_between, verdict, BenchSchool,
    BenchServer, CpuWindow, HttpConn, PgDatabase, ServerOptions, Summary,
};
use anyhow::Context;
use clap::Parser;
use hyper::body::Bytes;

/// Target: the whole burst answered within this time (SQLite).
const TOTAL_TARGET: Duration = Duration::from_millis(250);
/// Target: p99 of the burst's requests (SQLite).
const P99_TARGET: Duration = Duration::from_millis(150);
/// Target: p99 of the class bursts (SQLite).
const CLASS_P99_TARGET: Duration = Duration::from_millis(10);
/// Upper bound on any single request of a burst.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
/// Upper bound on one setup step (creating the school, warming up connections…).
const STEP_TIMEOUT: Duration = Duration::from_secs(300);

/// Command-line options.
#[derive(Debug, Parser)]
#[command(
    name = "bench-claims",
    about = "N students claim one rotating QR code at the same moment: latency and exactly-once",
    args_override_self = true
)]
struct Args {
    /// Students in the school-wide burst.
    #[arg(long, default_value_t = 1000)]
    students: usize,
    /// Students per class (the class burst uses one class).
    #[arg(long, default_value_t = 30)]
    class_size: usize,
    /// Class bursts, each by a different class on a fresh code (p50/p99 over all of them).
    #[arg(long, default_value_t = 10)]
    class_rounds: usize,
    /// CI smoke run: 100 students and one 10-student class burst; only functional failures
    /// (exactly-once, 5xx) fail the run.
    #[arg(long)]
    short: bool,
    /// Run on PostgreSQL only, in a fresh database created on this server (the URL's database
    /// is only used to connect). Takes precedence over --pg-url.
    #[arg(long, value_name = "postgres://…")]
    database_url: Option<String>,
    /// Run on SQLite, then on PostgreSQL in a fresh database created on this server. An empty
    /// value skips PostgreSQL.
    #[arg(long, value_name = "postgres://…")]
    pg_url: Option<String>,
    /// Exit with status 1 when a timing target is missed.
    #[arg(long)]
    strict: bool,
    /// Tokio worker threads of the server runtime (default: one per core).
    #[arg(long)]
    server_workers: Option<usize>,
    /// Before each backend, wait up to this many seconds for the machine to be quiet (under
    /// 10 % busy for one second).
    #[arg(long, default_value_t = 0.0)]
    wait_quiet: f64,
    /// Print latency histograms and per-thread CPU tables.
    #[arg(long)]
    verbose: bool,
    /// Also print one JSON object per backend with every figure.
    #[arg(long)]
    json: bool,
}

/// One request of a burst.
#[derive(Debug, Clone)]
struct Shot {
    /// HTTP status; 0 = transport error.
    status: u16,
    /// From this request's start to its full response.
    latency: Duration,
    /// Response body (parsed after the burst).
    body: Bytes,
}

/// What a burst saw.
#[derive(Debug, Clone, Default)]
struct Burst {
    /// Requests released.
    n: usize,
    /// From the release to the last response.
    total: Duration,
    /// Latency of every request.
    latencies: Vec<Duration>,
    /// Count per status (0 = transport error).
    statuses: BTreeMap<u16, usize>,
    /// Answers whose `already_claimed` was true / false / missing.
    already: (usize, usize, usize),
    /// CPU during the burst.
    cpu: CpuWindow,
}

impl Burst {
    fn count(&self, status: u16) -> usize {
        self.statuses.get(&status).copied().unwrap_or(0)
    }

    /// Requests that did not get `expected`.
    fn errors(&self, expected: u16) -> usize {
        self.n - self.count(expected)
    }

    /// 5xx answers and transport errors.
    fn server_failures(&self) -> usize {
        self.statuses
            .iter()
            .filter(|(s, _)| **s == 0 || **s >= 500)
            .map(|(_, n)| n)
            .sum()
    }

    fn summary(&self) -> Summary {
        Summary::of(&mut self.latencies.clone())
    }

    fn statuses_line(&self) -> String {
        self.statuses
            .iter()
            .map(|(s, n)| {
                if *s == 0 {
                    format!("{n}× transport error")
                } else {
                    format!("{n}× {s}")
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Figures for one backend.
#[derive(Debug, Clone, Default)]
struct Report {
    backend: String,
    students: usize,
    setup: Duration,
    wave1: Burst,
    wave1_assertions: (u64, u64),
    wave1_claim_count: u64,
    wave2: Burst,
    wave2_assertions: (u64, u64),
    class: Burst,
    class_rounds: usize,
    class_round_max: Vec<Duration>,
    class_expected: u64,
    class_assertions: (u64, u64),
    /// Where the time goes, one claim at a time.
    breakdown: Option<Breakdown>,
    /// Functional problems (exactly-once, 5xx, transport).
    failures: Vec<String>,
}

/// Uncontended costs, measured one at a time after the bursts.
#[derive(Debug, Clone, Default)]
struct Breakdown {
    /// `POST /api/v1/claims` over HTTP, one student after another.
    http_claim: Vec<Duration>,
    /// Server CPU (all server threads) per sequential HTTP claim.
    http_claim_cpu: Duration,
    /// `routes::claims::claim_as` called directly (no HTTP, no authentication).
    service_claim: Vec<Duration>,
    /// `extract::authenticate` (JWT check, session and user reads).
    authenticate: Vec<Duration>,
    /// One primary-key read through sea-orm (`accolade_db::users::by_id`).
    read: Vec<Duration>,
    /// An empty write transaction (`Db::begin_write` + commit).
    empty_write: Vec<Duration>,
    /// `POST /api/v1/claims` over HTTP by a student who already holds the badge.
    http_repeat: Vec<Duration>,
}

impl Report {
    fn total_ok(&self) -> bool {
        self.wave1.total <= TOTAL_TARGET
    }
    fn p99_ok(&self) -> bool {
        self.wave1.summary().p99 <= P99_TARGET
    }
    fn errors_ok(&self) -> bool {
        self.wave1.errors(201) == 0 && self.wave2.errors(200) == 0 && self.class.errors(201) == 0
    }
    fn class_ok(&self) -> bool {
        self.class.summary().p99 <= CLASS_P99_TARGET
    }
    fn timing_ok(&self) -> bool {
        self.total_ok() && self.p99_ok() && self.class_ok()
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok((functional_ok, timing_ok)) => {
            if !functional_ok || (args.strict && !timing_ok) {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("bench-claims: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> anyhow::Result<(bool, bool)> {
    let (students, class_size, class_rounds) = if args.short {
        (100, 10, 1)
    } else {
        (
            args.students.clamp(1, 20_000),
            args.class_size.clamp(1, 1000),
            args.class_rounds.clamp(1, 1000),
        )
    };
    // Client sockets plus the server's own (in this process) must fit in the fd limit.
    let limit = accolade_bench::raise_nofile_limit()?;
    anyhow::ensure!(
        (2 * students + 200) as u64 <= limit,
        "{students} students need about {} open files; the limit is {limit}",
        2 * students + 200
    );
    let mut backends: Vec<Option<String>> = Vec::new();
    match (&args.database_url, &args.pg_url) {
        (Some(url), _) => backends.push(Some(url.clone())),
        (None, Some(url)) if !url.is_empty() => {
            backends.push(None);
            backends.push(Some(url.clone()));
        }
        _ => backends.push(None),
    }
    for url in backends.iter().flatten() {
        accolade_bench::ensure_loopback_pg(url)?;
    }
    let ncores = cores();
    println!(
        "bench-claims: {ncores} core(s), {students} students, classes of {class_size}, \
         {class_rounds} class burst(s){}",
        if args.short { " (short)" } else { "" }
    );
    let mut reports = Vec::new();
    for admin in &backends {
        if args.wait_quiet > 0.0 {
            if let Some(share) = accolade_bench::wait_for_quiet(
                Duration::from_secs_f64(args.wait_quiet.clamp(0.0, 600.0)),
                0.10,
            ) {
                println!("machine busy {:.0}% before starting", 100.0 * share);
            }
        }
        let report = run_backend(args, admin.as_deref(), students, class_size, class_rounds)?;
        print_report(&report, ncores, args.verbose);
        if args.json {
            print_json(&report);
        }
        reports.push(report);
    }
    let functional_ok = reports.iter().all(|r| r.failures.is_empty());
    let timing_ok = reports.iter().all(|r| r.timing_ok());
    if reports.len() > 1 {
        let rule = "=".repeat(100);
        println!("\n{rule}\nside by side\n{rule}");
        println!(
            "{:<12} {:>10} {:>10} {:>10} {:>8} {:>12} {:>12} {:>12}",
            "backend", "total", "p50", "p99", "errors", "assertions", "class p50", "class p99"
        );
        for r in &reports {
            let (s, c) = (r.wave1.summary(), r.class.summary());
            println!(
                "{:<12} {:>10} {:>10} {:>10} {:>8} {:>12} {:>12} {:>12}",
                r.backend,
                fmt_duration(r.wave1.total),
                fmt_duration(s.p50),
                fmt_duration(s.p99),
                r.wave1.errors(201) + r.wave2.errors(200) + r.class.errors(201),
                r.wave1_assertions.0,
                fmt_duration(c.p50),
                fmt_duration(c.p99)
            );
        }
    }
    if !functional_ok {
        println!("\nFAILED: exactly-once or server errors (see above)");
    }
    Ok((functional_ok, timing_ok))
}

/// A current-thread runtime for the clients (its own, so that client timing does not depend
/// on the server's workers).
fn client_runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("building the client runtime")
}

fn run_backend(
    args: &Args,
    admin_url: Option<&str>,
    students: usize,
    class_size: usize,
    class_rounds: usize,
) -> anyhow::Result<Report> {
    let rt = client_runtime()?;
    let pg = match admin_url {
        Some(url) => Some(rt.block_on(PgDatabase::create(url))?),
        None => None,
    };
    let backend = if pg.is_some() { "PostgreSQL" } else { "SQLite" };
    println!(
        "\n== {backend}{}",
        pg.as_ref()
            .map(|d| format!(" (fresh database {})", d.name))
            .unwrap_or_default()
    );
    let server = BenchServer::start(&ServerOptions {
        database_url: pg.as_ref().map(|d| d.url.clone()),
        worker_threads: args.server_workers,
        ..ServerOptions::default()
    })?;
    let result = rt.block_on(async {
        tokio::time::timeout(
            Duration::from_secs(if args.short { 600 } else { 1800 }),
            measure(
                &server,
                backend,
                students,
                class_size,
                class_rounds,
                args.short,
            ),
        )
        .await
        .context("the benchmark did not finish in time")?
    });
    // Stop the server before dropping its database.
    let state_db = server.state.db.clone();
    if let Err(e) = server.shutdown() {
        eprintln!("warning: {e:#}");
    }
    rt.block_on(state_db.close());
    if let Some(db) = pg {
        if let Err(e) = rt.block_on(db.drop_now()) {
            eprintln!("warning: {e:#}");
        }
    }
    result
}

async fn measure(
    server: &BenchServer,
    backend: &str,
    students: usize,
    class_size: usize,
    class_rounds: usize,
    short: bool,
) -> anyhow::Result<Report> {
    let mut report = Report {
        backend: backend.to_owned(),
        students,
        ..Report::default()
    };
    let base = server.base_url.clone();
    let addr: SocketAddr = base
        .strip_prefix("http://")
        .context("server URL")?
        .parse()
        .context("server address")?;

    // --- setup (not timed) ---------------------------------------------------------------
    let t = Instant::now();
    println!("setup: {students} students in classes of {class_size}, sessions, badges, codes…");
    let state = server.state.clone();
    // Run on the server's runtime (its database pool lives there).
    let school: BenchSchool = step(
        "creating the school",
        run_on_server(server, async move {
            accolade_bench::setup_school(&state, students, class_size).await
        }),
    )
    .await?;
    let http = http_client(8)?;
    let teacher = school.teacher_token.clone();
    let badge = step(
        "creating a badge",
        create_badge(&http, &base, &teacher, "Assembly", false),
    )
    .await?;
    let class_badge = step(
        "creating a badge",
        create_badge(&http, &base, &teacher, "Class moment", false),
    )
    .await?;
    let code = step(
        "creating the claim code",
        create_claim_code(&http, &base, &teacher, badge, "Assembly", &school.classes),
    )
    .await?;
    let mut conns = step("opening connections", open_connections(addr, students)).await?;
    report.setup = t.elapsed();
    println!("       done in {:.1} s", report.setup.as_secs_f64());

    // --- wave 1: everyone at once ------------------------------------------------------------
    step("warming up connections", warm_up(&mut conns, addr)).await?;
    let url = current_claim_url(&http, &base, &teacher, code).await?;
    let body = Bytes::from(serde_json::to_vec(&serde_json::json!({ "token": url }))?);
    let everyone: Vec<(usize, String)> = school
        .students
        .iter()
        .enumerate()
        .map(|(i, p)| (i, p.token.clone()))
        .collect();
    println!("wave 1: {students} students claim at once…");
    report.wave1 = burst(&mut conns, &everyone, &body).await?;
    let s = report.wave1.summary();
    println!(
        "        total {}  p50 {}  p99 {}  [{}]",
        fmt_duration(report.wave1.total),
        fmt_duration(s.p50),
        fmt_duration(s.p99),
        report.wave1.statuses_line()
    );
    report.wave1_assertions = run_on_server(server, {
        let state = server.state.clone();
        async move { assertion_counts(&state, badge).await }
    })
    .await?;
    report.wave1_claim_count = claim_count(&http, &base, &teacher, code).await?;

    // --- wave 2: everyone again ------------------------------------------------------------
    step("warming up connections", warm_up(&mut conns, addr)).await?;
    let url = current_claim_url(&http, &base, &teacher, code).await?;
    let body = Bytes::from(serde_json::to_vec(&serde_json::json!({ "token": url }))?);
    println!("wave 2: the same {students} claim again…");
    report.wave2 = burst(&mut conns, &everyone, &body).await?;
    let s = report.wave2.summary();
    println!(
        "        total {}  p50 {}  p99 {}  [{}]",
        fmt_duration(report.wave2.total),
        fmt_duration(s.p50),
        fmt_duration(s.p99),
        report.wave2.statuses_line()
    );
    report.wave2_assertions = run_on_server(server, {
        let state = server.state.clone();
        async move { assertion_counts(&state, badge).await }
    })
    .await?;

    // --- class bursts ------------------------------------------------------------------------
    let rounds = class_rounds.min(school.classes.len());
    println!("class bursts: {rounds} × one class on a fresh code…");
    let mut class = Burst::default();
    for (round, class_id) in school.classes.iter().take(rounds).enumerate() {
        let members: Vec<(usize, String)> = school
            .students
            .iter()
            .enumerate()
            .filter(|(_, p)| p.class_id == *class_id)
            .map(|(i, p)| (i, p.token.clone()))
            .collect();
        let code = create_claim_code(
            &http,
            &base,
            &teacher,
            class_badge,
            &format!("Class moment {round}"),
            &[*class_id],
        )
        .await?;
        step("warming up connections", warm_up(&mut conns, addr)).await?;
        let url = current_claim_url(&http, &base, &teacher, code).await?;
        let body = Bytes::from(serde_json::to_vec(&serde_json::json!({ "token": url }))?);
        let b = burst(&mut conns, &members, &body).await?;
        report
            .class_round_max
            .push(b.latencies.iter().copied().max().unwrap_or_default());
        report.class_expected += members.len() as u64;
        class.n += b.n;
        class.total += b.total;
        class.latencies.extend(b.latencies);
        for (s, n) in b.statuses {
            *class.statuses.entry(s).or_default() += n;
        }
        class.already.0 += b.already.0;
        class.already.1 += b.already.1;
        class.already.2 += b.already.2;
        if round == 0 {
            class.cpu = b.cpu;
        }
    }
    report.class_rounds = rounds;
    let s = class.summary();
    println!(
        "        p50 {}  p99 {}  [{}]",
        fmt_duration(s.p50),
        fmt_duration(s.p99),
        class.statuses_line()
    );
    report.class = class;
    report.class_assertions = run_on_server(server, {
        let state = server.state.clone();
        async move { assertion_counts(&state, class_badge).await }
    })
    .await?;
    // --- where the time goes: one at a time ----------------------------------------------------
    let k = (students / 2).clamp(1, 50);
    println!("breakdown: {k} claims one at a time (HTTP), {k} through the service directly…");
    report.breakdown = Some(
        breakdown(server, &school, &http, &mut conns, addr, k)
            .await
            .context("breakdown")?,
    );
    drop(conns);

    // --- exactly once ----------------------------------------------------------------------------
    let n = students as u64;
    let f = &mut report.failures;
    if report.wave1_assertions != (n, n) {
        f.push(format!(
            "after wave 1: {} assertions for {} distinct students, expected exactly {n}",
            report.wave1_assertions.0, report.wave1_assertions.1
        ));
    }
    if report.wave1_claim_count != n {
        f.push(format!(
            "the code's claim_count is {}, expected {n}",
            report.wave1_claim_count
        ));
    }
    if report.wave2_assertions != (n, n) {
        f.push(format!(
            "after wave 2: {} assertions for {} distinct students, expected exactly {n}",
            report.wave2_assertions.0, report.wave2_assertions.1
        ));
    }
    if report.wave2.count(201) > 0 {
        f.push(format!(
            "wave 2 created {} new assertions (201)",
            report.wave2.count(201)
        ));
    }
    if report.wave2.already.1 > 0 {
        f.push(format!(
            "wave 2: {} answers without already_claimed",
            report.wave2.already.1
        ));
    }
    if report.wave1.already.0 > 0 {
        f.push(format!(
            "wave 1: {} answers said already_claimed",
            report.wave1.already.0
        ));
    }
    let ce = report.class_expected;
    if report.class_assertions != (ce, ce) {
        f.push(format!(
            "class bursts: {} assertions for {} distinct students, expected exactly {ce}",
            report.class_assertions.0, report.class_assertions.1
        ));
    }
    for (name, b) in [
        ("wave 1", &report.wave1),
        ("wave 2", &report.wave2),
        ("class bursts", &report.class),
    ] {
        if b.server_failures() > 0 {
            f.push(format!(
                "{name}: {} requests failed with a 5xx or a transport error [{}]",
                b.server_failures(),
                b.statuses_line()
            ));
        }
    }
    if short {
        // The smoke run also insists on the expected statuses.
        for (name, b, want) in [
            ("wave 1", &report.wave1, 201),
            ("wave 2", &report.wave2, 200),
            ("class bursts", &report.class, 201),
        ] {
            if b.errors(want) > 0 && b.server_failures() == 0 {
                f.push(format!(
                    "{name}: {} requests did not get {want} [{}]",
                    b.errors(want),
                    b.statuses_line()
                ));
            }
        }
    }
    Ok(report)
}

/// Runs one setup step with a deadline, so that a stall fails with the step's name.
async fn step<T>(
    name: &str,
    fut: impl std::future::Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    tokio::time::timeout(STEP_TIMEOUT, fut)
        .await
        .with_context(|| format!("{name}: no progress within {STEP_TIMEOUT:?}"))?
        .with_context(|| name.to_owned())
}

/// Spawns `fut` on the server's runtime.
fn spawn_on_server<F>(server: &BenchServer, fut: F) -> tokio::task::JoinHandle<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    server.handle().spawn(fut)
}

/// Runs `fut` on the server's runtime and waits for it from the client runtime.
async fn run_on_server<F, T>(server: &BenchServer, fut: F) -> anyhow::Result<T>
where
    F: std::future::Future<Output = anyhow::Result<T>> + Send + 'static,
    T: Send + 'static,
{
    spawn_on_server(server, fut)
        .await
        .context("server-side task panicked")?
}

async fn claim_count(
    http: &reqwest::Client,
    base: &str,
    teacher: &str,
    code: uuid::Uuid,
) -> anyhow::Result<u64> {
    let (status, c) = accolade_bench::api(
        http,
        base,
        reqwest::Method::GET,
        &format!("/api/v1/claim-codes/{code}"),
        Some(teacher),
        None,
    )
    .await?;
    anyhow::ensure!(status == 200, "claim code: {status} {c}");
    c["claim_count"].as_u64().context("claim_count")
}

/// Opens `n` keep-alive connections (64 at a time).
async fn open_connections(addr: SocketAddr, n: usize) -> anyhow::Result<Vec<Option<HttpConn>>> {
    let mut out: Vec<Option<HttpConn>> = Vec::with_capacity(n);
    for chunk_start in (0..n).step_by(64) {
        let chunk = (chunk_start..n.min(chunk_start + 64))
            .map(|_| tokio::time::timeout(Duration::from_secs(30), HttpConn::connect(addr)));
        for c in futures::future::join_all(chunk).await {
            out.push(Some(c.context("connecting took more than 30 s")??));
        }
    }
    Ok(out)
}

/// `GET /healthz` on every connection (64 at a time); reconnects a connection the server has
/// closed meanwhile. Then a short pause so the burst starts on a quiet server.
async fn warm_up(conns: &mut [Option<HttpConn>], addr: SocketAddr) -> anyhow::Result<()> {
    for chunk in conns.chunks_mut(64) {
        let jobs = chunk.iter_mut().map(|slot| async move {
            for _attempt in 0..3 {
                if let Some(conn) = slot.as_mut() {
                    let req = conn.request(hyper::Method::GET, "/healthz", None, None)?;
                    if let Ok(Ok((200, _))) =
                        tokio::time::timeout(Duration::from_secs(30), conn.send(req)).await
                    {
                        return anyhow::Ok(());
                    }
                }
                *slot = Some(
                    tokio::time::timeout(Duration::from_secs(30), HttpConn::connect(addr))
                        .await
                        .context("reconnecting")??,
                );
            }
            anyhow::bail!("GET /healthz keeps failing")
        });
        for r in futures::future::join_all(jobs).await {
            r?;
        }
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    Ok(())
}

/// Releases one `POST /api/v1/claims` per `(connection index, token)` at the same moment and
/// waits for every answer.
async fn burst(
    conns: &mut [Option<HttpConn>],
    who: &[(usize, String)],
    body: &Bytes,
) -> anyhow::Result<Burst> {
    let (go_tx, go_rx) = tokio::sync::watch::channel(false);
    let mut tasks = tokio::task::JoinSet::new();
    for (i, token) in who {
        let mut conn = conns[*i].take().context("connection in use")?;
        let req = conn.request(
            hyper::Method::POST,
            "/api/v1/claims",
            Some(token),
            Some(body.clone()),
        )?;
        let mut go = go_rx.clone();
        let i = *i;
        tasks.spawn(async move {
            let _ = go.wait_for(|v| *v).await;
            let t0 = Instant::now();
            let shot = match tokio::time::timeout(REQUEST_TIMEOUT, conn.send(req)).await {
                Ok(Ok((status, body))) => Shot {
                    status,
                    latency: t0.elapsed(),
                    body,
                },
                Ok(Err(_)) | Err(_) => Shot {
                    status: 0,
                    latency: t0.elapsed(),
                    body: Bytes::new(),
                },
            };
            (i, conn, shot, Instant::now())
        });
    }
    // Let every task park on the gate, then open it.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let threads_before = thread_samples();
    let machine_before = machine_cpu();
    let released = Instant::now();
    go_tx.send(true).context("releasing the burst")?;
    let mut out = Burst {
        n: who.len(),
        ..Burst::default()
    };
    let mut last = released;
    let mut bodies = Vec::with_capacity(who.len());
    while let Some(joined) = tasks.join_next().await {
        let (i, conn, shot, done) = joined.context("a client task panicked")?;
        conns[i] = Some(conn);
        last = last.max(done);
        out.latencies.push(shot.latency);
        *out.statuses.entry(shot.status).or_default() += 1;
        bodies.push(shot.body);
    }
    let threads_after = thread_samples();
    let machine_after = machine_cpu();
    out.total = last - released;
    out.cpu = CpuWindow {
        window: out.total,
        groups: usage_between(&threads_before, &threads_after),
        machine_busy: match (machine_before, machine_after) {
            (Some((b, _)), Some((a, _))) => Some(a.saturating_sub(b)),
            _ => None,
        },
    };
    for b in bodies {
        match serde_json::from_slice::<serde_json::Value>(&b)
            .ok()
            .and_then(|v| v["already_claimed"].as_bool())
        {
            Some(true) => out.already.0 += 1,
            Some(false) => out.already.1 += 1,
            None => out.already.2 += 1,
        }
    }
    Ok(out)
}

/// Uncontended costs: `k` sequential HTTP claims (students `0..k`) and `k` direct service
/// claims (students `k..2k`) on a fresh school-wide code, repeats, and the building blocks.
async fn breakdown(
    server: &BenchServer,
    school: &BenchSchool,
    http: &reqwest::Client,
    conns: &mut [Option<HttpConn>],
    addr: SocketAddr,
    k: usize,
) -> anyhow::Result<Breakdown> {
    let base = server.base_url.clone();
    let teacher = school.teacher_token.clone();
    let badge = create_badge(http, &base, &teacher, "One at a time", false).await?;
    let code = create_claim_code(http, &base, &teacher, badge, "One at a time", &[]).await?;
    step("warming up connections", warm_up(conns, addr)).await?;
    let url = current_claim_url(http, &base, &teacher, code).await?;
    let body = Bytes::from(serde_json::to_vec(&serde_json::json!({ "token": url }))?);
    let mut out = Breakdown::default();
    let server_cpu = |samples: &[accolade_bench::ThreadSample]| -> u64 {
        samples
            .iter()
            .filter(|t| t.name.starts_with("srv-") || t.name.starts_with("sqlx"))
            .map(|t| t.cpu_ns)
            .sum()
    };
    let before = server_cpu(&thread_samples());
    for (i, p) in school.students.iter().take(k).enumerate() {
        let conn = conns[i].as_mut().context("connection")?;
        let req = conn.request(
            hyper::Method::POST,
            "/api/v1/claims",
            Some(&p.token),
            Some(body.clone()),
        )?;
        let t0 = Instant::now();
        let (status, answer) = tokio::time::timeout(REQUEST_TIMEOUT, conn.send(req))
            .await
            .context("claim timed out")??;
        out.http_claim.push(t0.elapsed());
        anyhow::ensure!(
            status == 201,
            "sequential claim: {status} {}",
            String::from_utf8_lossy(&answer)
        );
    }
    let after = server_cpu(&thread_samples());
    out.http_claim_cpu = Duration::from_nanos(after.saturating_sub(before)) / k.max(1) as u32;
    for (i, p) in school.students.iter().take(k).enumerate() {
        let conn = conns[i].as_mut().context("connection")?;
        let req = conn.request(
            hyper::Method::POST,
            "/api/v1/claims",
            Some(&p.token),
            Some(body.clone()),
        )?;
        let t0 = Instant::now();
        let (status, _) = tokio::time::timeout(REQUEST_TIMEOUT, conn.send(req))
            .await
            .context("claim timed out")??;
        out.http_repeat.push(t0.elapsed());
        anyhow::ensure!(status == 200, "repeat claim: {status}");
    }
    let pupils: Vec<_> = school.students.iter().skip(k).take(k).cloned().collect();
    let state = server.state.clone();
    let school_id = school.id;
    let service = run_on_server(server, async move {
        let mut out = Breakdown::default();
        let req = accolade_proto::ClaimRequest {
            token: Some(url),
            code: None,
        };
        let err = |e: accolade_server::error::ApiError| anyhow::anyhow!("{e}");
        for p in &pupils {
            let t0 = Instant::now();
            let auth = accolade_server::extract::authenticate(&state, &p.token)
                .await
                .map_err(err)?;
            out.authenticate.push(t0.elapsed());
            let t0 = Instant::now();
            accolade_server::routes::claims::claim_as(&state, &auth, &req, None)
                .await
                .map_err(err)?;
            out.service_claim.push(t0.elapsed());
        }
        for p in pupils.iter().cycle().take(200) {
            let t0 = Instant::now();
            accolade_db::users::by_id(state.db.conn(), school_id, p.id).await?;
            out.read.push(t0.elapsed());
        }
        for _ in 0..200 {
            let t0 = Instant::now();
            let txn = state.db.begin_write().await?;
            txn.commit().await?;
            out.empty_write.push(t0.elapsed());
        }
        anyhow::Ok(out)
    })
    .await?;
    out.service_claim = service.service_claim;
    out.authenticate = service.authenticate;
    out.read = service.read;
    out.empty_write = service.empty_write;
    Ok(out)
}

fn print_report(r: &Report, ncores: usize, verbose: bool) {
    let rule = "=".repeat(100);
    let n = r.students as u64;
    let s1 = r.wave1.summary();
    let s2 = r.wave2.summary();
    let sc = r.class.summary();
    if verbose {
        println!("\nwave 1 latency:");
        print!("{}", histogram(&r.wave1.latencies, 40));
        println!("CPU by thread group during wave 1:");
        print!("{}", r.wave1.cpu.table(ncores));
        println!("wave 2 latency:");
        print!("{}", histogram(&r.wave2.latencies, 40));
        println!("class-burst latency:");
        print!("{}", histogram(&r.class.latencies, 40));
        println!("CPU by thread group during the first class burst:");
        print!("{}", r.class.cpu.table(ncores));
    }
    println!("\n{rule}");
    println!(
        "bench-claims report: {} ({ncores} cores), {} students; setup {:.1} s (not timed)",
        r.backend,
        r.students,
        r.setup.as_secs_f64()
    );
    if r.backend != "SQLite" {
        println!("(the targets are defined for SQLite; shown here for comparison)");
    }
    println!("{rule}");
    println!("{:<44} {:>22}   {:<12} verdict", " ", "measured", "target");
    println!(
        "{:<44} {:>22}   {:<12} {}",
        format!("wave 1: {} claims at once, total", r.wave1.n),
        fmt_duration(r.wave1.total),
        format!("≤ {}", fmt_duration(TOTAL_TARGET)),
        verdict(r.total_ok())
    );
    println!(
        "{:<44} {:>22}   {:<12} {}",
        "        per request p50 / p99",
        format!("{} / {}", fmt_duration(s1.p50), fmt_duration(s1.p99)),
        format!("p99 ≤ {}", fmt_duration(P99_TARGET)),
        verdict(r.p99_ok())
    );
    println!(
        "{:<44} {:>22}   {:<12} {}",
        "        errors (not 201)",
        r.wave1.errors(201),
        "0",
        verdict(r.wave1.errors(201) == 0)
    );
    println!(
        "{:<44} {:>22}   {:<12} {}",
        "        assertions (distinct students)",
        format!("{} ({})", r.wave1_assertions.0, r.wave1_assertions.1),
        format!("= {n}"),
        verdict(r.wave1_assertions == (n, n) && r.wave1_claim_count == n)
    );
    println!(
        "{:<44} {:>22}",
        "wave 2: all claim again, total / p99",
        format!("{} / {}", fmt_duration(r.wave2.total), fmt_duration(s2.p99)),
    );
    println!(
        "{:<44} {:>22}   {:<12} {}",
        "        200 already_claimed / errors",
        format!("{} / {}", r.wave2.already.0, r.wave2.errors(200)),
        format!("{n} / 0"),
        verdict(r.wave2.already.0 == r.students && r.wave2.errors(200) == 0)
    );
    println!(
        "{:<44} {:>22}   {:<12} {}",
        "        assertions (distinct students)",
        format!("{} ({})", r.wave2_assertions.0, r.wave2_assertions.1),
        format!("= {n}"),
        verdict(r.wave2_assertions == (n, n))
    );
    println!(
        "{:<44} {:>22}   {:<12} {}",
        format!(
            "class bursts: {} × {} students, p50 / p99",
            r.class_rounds,
            r.class.n / r.class_rounds.max(1)
        ),
        format!("{} / {}", fmt_duration(sc.p50), fmt_duration(sc.p99)),
        format!("p99 ≤ {}", fmt_duration(CLASS_P99_TARGET)),
        verdict(r.class_ok())
    );
    println!(
        "{:<44} {:>22}   {:<12} {}",
        "        errors / assertions",
        format!("{} / {}", r.class.errors(201), r.class_assertions.0),
        format!("0 / {}", r.class_expected),
        verdict(r.class.errors(201) == 0 && r.class_assertions.0 == r.class_expected)
    );
    let worst = r.class_round_max.iter().copied().max().unwrap_or_default();
    println!(
        "{:<44} {:>22}",
        "        slowest request of any round",
        fmt_duration(worst)
    );
    println!("{rule}");
    if let Some(b) = &r.breakdown {
        let p50 = |v: &[Duration]| fmt_duration(accolade_bench::percentile_of(v, 50.0));
        println!("where the time goes, one request at a time (p50):");
        println!(
            "  POST /api/v1/claims over HTTP, new claim    {:>10}   ({} server CPU per claim)",
            p50(&b.http_claim),
            fmt_duration(b.http_claim_cpu)
        );
        println!(
            "  POST /api/v1/claims over HTTP, repeat       {:>10}",
            p50(&b.http_repeat)
        );
        println!(
            "  claim service alone (claim_as, no HTTP)     {:>10}",
            p50(&b.service_claim)
        );
        println!(
            "  authenticate (JWT + session + user reads)   {:>10}",
            p50(&b.authenticate)
        );
        println!(
            "  one primary-key read (sea-orm + sqlx)       {:>10}",
            p50(&b.read)
        );
        println!(
            "  empty write transaction (gate+BEGIN+COMMIT) {:>10}",
            p50(&b.empty_write)
        );
        let per = accolade_bench::percentile_of(&b.http_claim, 50.0);
        println!(
            "  → {} claims one after another would take ≈ {} on one core; the burst took {}",
            r.wave1.n,
            fmt_duration(per * r.wave1.n as u32),
            fmt_duration(r.wave1.total)
        );
        println!("{rule}");
    }
    let share = |w: &CpuWindow| {
        w.others_cpu()
            .map(|o| 100.0 * o.as_secs_f64() / (w.window.as_secs_f64().max(1e-9) * ncores as f64))
    };
    if let Some(others) = share(&r.wave1.cpu) {
        let server: Duration = r
            .wave1
            .cpu
            .groups
            .iter()
            .filter(|g| g.group.starts_with("srv-") || g.group.starts_with("sqlx"))
            .map(|g| g.cpu)
            .sum();
        println!(
            "wave 1 CPU: server threads (tokio + sqlx) {} ({} per claim), other processes {:.0}% \
             of the machine{}",
            fmt_duration(server),
            fmt_duration(server / r.wave1.n.max(1) as u32),
            others,
            if r.backend == "PostgreSQL" {
                " (PostgreSQL itself included)"
            } else {
                ""
            }
        );
        if others > 10.0 && r.backend == "SQLite" {
            println!(
                "WARNING: other processes used {others:.0}% of the machine during wave 1; the \
                 timings are skewed by them."
            );
        }
    }
    if r.failures.is_empty() {
        println!("exactly-once: OK (no 5xx, no transport errors)");
    } else {
        for f in &r.failures {
            println!("FAILURE: {f}");
        }
    }
}

fn print_json(r: &Report) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let (s1, s2, sc) = (r.wave1.summary(), r.wave2.summary(), r.class.summary());
    let report = serde_json::json!({
        "backend": r.backend,
        "students": r.students,
        "total_ms": ms(r.wave1.total),
        "p50_ms": ms(s1.p50),
        "p99_ms": ms(s1.p99),
        "errors": r.wave1.errors(201),
        "statuses": r.wave1.statuses.iter().map(|(s, n)| (s.to_string(), n)).collect::<BTreeMap<_, _>>(),
        "assertions": r.wave1_assertions.0,
        "distinct_recipients": r.wave1_assertions.1,
        "claim_count": r.wave1_claim_count,
        "wave2_total_ms": ms(r.wave2.total),
        "wave2_p99_ms": ms(s2.p99),
        "wave2_already_claimed": r.wave2.already.0,
        "wave2_errors": r.wave2.errors(200),
        "wave2_assertions": r.wave2_assertions.0,
        "class_rounds": r.class_rounds,
        "class_p50_ms": ms(sc.p50),
        "class_p99_ms": ms(sc.p99),
        "class_errors": r.class.errors(201),
        "class_assertions": r.class_assertions.0,
        "total_pass": r.total_ok(),
        "p99_pass": r.p99_ok(),
        "errors_pass": r.errors_ok(),
        "class_p99_pass": r.class_ok(),
        "failures": r.failures,
        "sequential_claim_p50_ms": r.breakdown.as_ref().map(|b| ms(accolade_bench::percentile_of(&b.http_claim, 50.0))),
        "sequential_claim_server_cpu_ms": r.breakdown.as_ref().map(|b| ms(b.http_claim_cpu)),
        "service_claim_p50_ms": r.breakdown.as_ref().map(|b| ms(accolade_bench::percentile_of(&b.service_claim, 50.0))),
        "authenticate_p50_ms": r.breakdown.as_ref().map(|b| ms(accolade_bench::percentile_of(&b.authenticate, 50.0))),
        "read_p50_ms": r.breakdown.as_ref().map(|b| ms(accolade_bench::percentile_of(&b.read, 50.0))),
        "empty_write_p50_ms": r.breakdown.as_ref().map(|b| ms(accolade_bench::percentile_of(&b.empty_write, 50.0))),
    });
    println!("{report}");
}
