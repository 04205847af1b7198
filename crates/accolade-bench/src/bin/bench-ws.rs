//! `bench-ws`: what the realtime event stream costs and how fast it delivers.
//!
//! The server runs as a separate process (this binary started again as
//! `bench-ws __accolade-serve 127.0.0.1:PORT`, which runs exactly what `accolade serve` runs,
//! with the server code this benchmark was built with; or `--server-bin PATH` for an `accolade`
//! binary), so its memory can be read alone from `/proc/PID/status`.
//!
//! 1. Memory: the server's RSS before and after opening `--connections` idle WebSocket
//!    connections (all of one student: many devices), after a settle period, ÷ connections.
//!    Connections are opened with a single-use ticket each (`POST /api/v1/ws-ticket`, as browsers
//!    do) or, with `--bearer`, with `Authorization: Bearer` on the handshake (native apps). Each
//!    client socket keeps a reader task, so the server's pings are answered.
//! 2. Broadcast: for each `--fanout` size N (largest first; extra connections are closed), a
//!    teacher awards that student `--events` times over HTTP, one at a time. For every event and
//!    connection: request→delivery (from just before the award request is sent: an upper bound
//!    of commit→delivery) and response→delivery (from the award response: roughly a lower
//!    bound, since the commit precedes the response). p50/p99 over all deliveries.
//! 3. Cross-node (with `--pg-url`): two server processes on one fresh PostgreSQL database
//!    (`accolade_bench_<random>`, dropped afterwards); subscribers on node B, awards through
//!    node A (events travel through `LISTEN/NOTIFY`); the same on node B alone for comparison.
//!
//! Every delivery is checked: each connection must receive every event exactly once, in `seq`
//! order. Targets (2-core machine): ≤ 8 KiB per idle connection; p99 ≤ 25 ms to 1,000 and
//! ≤ 150 ms to 10,000 subscribers; cross-node p99 ≤ 50 ms. Clients run on the same 2 cores as
//! the server, so delivery times include the clients' own reading.
//!
//! Exit status: 1 on a missing, repeated or out-of-order event or an unexpected close (also in
//! `--short`, the CI smoke run); with `--strict` also when a target is missed; 2 on errors.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use accolade_bench::{
    cores, create_badge, fmt_duration, http_client, proc_cpu, tcp_kernel_kib, verdict, BenchSchool,
    HttpConn, PgDatabase, ServerCommand, ServerProcess, Summary,
};
use anyhow::Context;
use clap::Parser;
use futures::StreamExt;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;
use uuid::Uuid;

/// Target: server memory per idle connection.
const MEMORY_TARGET_KIB: f64 = 8.0;
/// Target: p99 delivery to 1,000 subscribers.
const P99_1K_TARGET: Duration = Duration::from_millis(25);
/// Target: p99 delivery to 10,000 subscribers.
const P99_10K_TARGET: Duration = Duration::from_millis(150);
/// Target: cross-node p99 on PostgreSQL.
const CROSS_TARGET: Duration = Duration::from_millis(50);
/// Longest wait for one event to reach every subscriber.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(60);
/// Upper bound on messages one client socket reads.
const MAX_MESSAGES_PER_SOCKET: usize = 1_000_000;
/// Client handshakes in flight at once.
const CONNECT_PARALLEL: usize = 64;

/// Command-line options.
#[derive(Debug, Parser)]
#[command(
    name = "bench-ws",
    about = "Memory per idle WebSocket, broadcast latency to 1,000 and 10,000, cross-node latency",
    args_override_self = true
)]
struct Args {
    /// Idle connections for the memory figure (and the most subscribers of any broadcast).
    #[arg(long, default_value_t = 10_000)]
    connections: usize,
    /// Subscriber counts to broadcast to, comma-separated (each at most --connections).
    #[arg(long, value_delimiter = ',', default_values_t = [10_000usize, 1_000])]
    fanout: Vec<usize>,
    /// Award events per subscriber count.
    #[arg(long, default_value_t = 10)]
    events: usize,
    /// Pause between two events, in milliseconds (after the previous one was fully delivered).
    #[arg(long, default_value_t = 100)]
    gap_ms: u64,
    /// Also measure cross-node delivery on PostgreSQL, in a fresh database created on this
    /// server. An empty value skips it.
    #[arg(long, value_name = "postgres://…")]
    pg_url: Option<String>,
    /// Cross-node events.
    #[arg(long, default_value_t = 50)]
    cross_events: usize,
    /// Cross-node subscribers (connections on node B).
    #[arg(long, default_value_t = 100)]
    cross_subscribers: usize,
    /// CI smoke run: 500 idle connections, 200 subscribers, 5 events; 20 cross-node events to
    /// 50 subscribers. Only functional failures fail the run.
    #[arg(long)]
    short: bool,
    /// Exit with status 1 when a target is missed.
    #[arg(long)]
    strict: bool,
    /// Run this `accolade` binary as the server (`PATH serve --bind …`) instead of the server
    /// built into this benchmark. It must be the server itself, not a wrapper script: its
    /// memory is read by process id.
    #[arg(long, value_name = "PATH")]
    server_bin: Option<PathBuf>,
    /// Threads of the client runtime (1 = a current-thread runtime). Clients share the
    /// machine with the server.
    #[arg(long, default_value_t = 1)]
    client_threads: usize,
    /// Seconds to let the server settle before each memory reading.
    #[arg(long, default_value_t = 3.0)]
    settle: f64,
    /// Open connections with `Authorization: Bearer` on the handshake instead of a ticket each.
    #[arg(long)]
    bearer: bool,
    /// Before starting, wait up to this many seconds for the machine to be quiet (under 10 %
    /// busy for one second).
    #[arg(long, default_value_t = 0.0)]
    wait_quiet: f64,
    /// Also print one JSON object with every figure.
    #[arg(long)]
    json: bool,
}

/// What a client socket saw.
#[derive(Debug)]
enum Seen {
    /// An event (`seq` set) with the award id it carries, and when it was read.
    Event {
        conn: usize,
        seq: i64,
        award: Option<Uuid>,
        at: Instant,
    },
    /// The socket closed (close code, if any).
    Closed { conn: usize, code: Option<u16> },
}

/// The part of a server message the clients look at.
#[derive(serde::Deserialize)]
struct WireMessage<'a> {
    #[serde(rename = "type", borrow)]
    kind: &'a str,
    seq: Option<i64>,
    #[serde(default)]
    data: Option<WireData>,
}

#[derive(serde::Deserialize)]
struct WireData {
    #[serde(default)]
    award: Option<WireAward>,
}

#[derive(serde::Deserialize)]
struct WireAward {
    id: Uuid,
}

/// Open client sockets and what they report.
struct Subscribers {
    tasks: Vec<tokio::task::JoinHandle<()>>,
    /// Highest seq seen per connection (starts at the `hello`'s `latest_seq`).
    last_seq: Vec<i64>,
    tx: mpsc::UnboundedSender<Seen>,
    rx: mpsc::UnboundedReceiver<Seen>,
    /// Functional problems seen so far.
    problems: Vec<String>,
    deadline: Instant,
    /// The text of the first `award.issued` message any socket read.
    sample: std::sync::Arc<std::sync::OnceLock<String>>,
}

impl Subscribers {
    fn new(deadline: Instant) -> Subscribers {
        let (tx, rx) = mpsc::unbounded_channel();
        Subscribers {
            tasks: Vec::new(),
            last_seq: Vec::new(),
            tx,
            rx,
            problems: Vec::new(),
            deadline,
            sample: Default::default(),
        }
    }

    fn len(&self) -> usize {
        self.tasks.len()
    }

    /// Opens `n` more connections of `token`'s user on `server`.
    async fn open(
        &mut self,
        server: &Node,
        token: &str,
        n: usize,
        bearer: bool,
    ) -> anyhow::Result<Duration> {
        let started = Instant::now();
        let http = http_client(CONNECT_PARALLEL)?;
        let base = self.len();
        let mut pending = futures::stream::iter(0..n)
            .map(|k| {
                let http = http.clone();
                async move {
                    let ws = tokio::time::timeout(
                        Duration::from_secs(60),
                        connect(server, &http, token, bearer),
                    )
                    .await
                    .context("opening a WebSocket took more than 60 s")??;
                    anyhow::Ok((base + k, ws))
                }
            })
            .buffer_unordered(CONNECT_PARALLEL);
        let mut opened: Vec<(usize, WebSocketStream<TcpStream>, i64)> = Vec::with_capacity(n);
        while let Some(r) = pending.next().await {
            let (idx, (ws, latest)) = r?;
            opened.push((idx, ws, latest));
        }
        opened.sort_by_key(|(i, _, _)| *i);
        for (idx, ws, latest) in opened {
            self.last_seq.push(latest);
            let tx = self.tx.clone();
            let deadline = self.deadline;
            let sample = self.sample.clone();
            self.tasks
                .push(tokio::spawn(read_socket(idx, ws, tx, deadline, sample)));
        }
        Ok(started.elapsed())
    }

    /// Closes connections (abruptly, like phones going away) until `keep` are left.
    async fn close_down_to(&mut self, keep: usize) {
        while self.tasks.len() > keep {
            if let Some(t) = self.tasks.pop() {
                t.abort();
                let _ = t.await;
            }
        }
        self.last_seq.truncate(keep);
    }

    /// Waits until event `award` reached every open connection (or the timeout); returns the
    /// read time of each delivery. Checks order and duplicates on the way.
    async fn collect(&mut self, award: Uuid, timeout: Duration) -> Vec<Instant> {
        let n = self.len();
        let mut got: Vec<Option<Instant>> = vec![None; n];
        let mut count = 0;
        let until = Instant::now() + timeout;
        for _ in 0..(4 * n + 1000) {
            if count == n {
                break;
            }
            let seen = match tokio::time::timeout_at(until.into(), self.rx.recv()).await {
                Ok(Some(s)) => s,
                Ok(None) | Err(_) => break,
            };
            match seen {
                Seen::Event {
                    conn,
                    seq,
                    award: a,
                    at,
                } => {
                    if conn >= n {
                        continue; // a connection closed on purpose
                    }
                    let last = self.last_seq[conn];
                    if seq <= last {
                        self.problems.push(format!(
                            "connection {conn} got seq {seq} again (already had {last})"
                        ));
                        continue;
                    }
                    if seq != last + 1 {
                        self.problems.push(format!(
                            "connection {conn} skipped from seq {last} to {seq}"
                        ));
                    }
                    self.last_seq[conn] = seq;
                    if a == Some(award) {
                        if got[conn].is_none() {
                            count += 1;
                        }
                        got[conn] = Some(at);
                    } else {
                        self.problems.push(format!(
                            "connection {conn} got an unexpected event (seq {seq}, award {a:?})"
                        ));
                    }
                }
                Seen::Closed { conn, code } => {
                    if conn < n {
                        self.problems
                            .push(format!("connection {conn} closed unexpectedly ({code:?})"));
                    }
                }
            }
        }
        if count < n {
            self.problems.push(format!(
                "award {award}: {} of {n} connections never received it",
                n - count
            ));
        }
        got.into_iter().flatten().collect()
    }

    /// Reports anything that arrived after the last collection (duplicates, strays).
    async fn drain(&mut self, quiet: Duration) {
        let until = Instant::now() + quiet;
        for _ in 0..1_000_000 {
            match tokio::time::timeout_at(until.into(), self.rx.recv()).await {
                Ok(Some(Seen::Event { conn, seq, .. })) if conn < self.len() => {
                    self.problems
                        .push(format!("connection {conn} got an extra event (seq {seq})"));
                }
                Ok(Some(Seen::Closed { conn, code })) if conn < self.len() => {
                    self.problems
                        .push(format!("connection {conn} closed unexpectedly ({code:?})"));
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
    }

    async fn close_all(&mut self) {
        self.close_down_to(0).await;
    }
}

/// A server process plus its address for client sockets.
struct Node {
    process: ServerProcess,
}

impl Node {
    fn base(&self) -> &str {
        &self.process.base_url
    }
    fn addr(&self) -> SocketAddr {
        self.process.addr
    }
}

/// Opens one WebSocket of `token`'s user and reads up to `ready`; returns the stream and the
/// `hello`'s `latest_seq`.
async fn connect(
    node: &Node,
    http: &reqwest::Client,
    token: &str,
    bearer: bool,
) -> anyhow::Result<(WebSocketStream<TcpStream>, i64)> {
    let addr = node.addr();
    anyhow::ensure!(addr.ip().is_loopback(), "loopback only");
    let mut url = format!("ws://{addr}/api/v1/ws");
    if !bearer {
        let ticket = accolade_bench::ws_ticket(http, node.base(), token).await?;
        url.push_str(&format!("?ticket={ticket}"));
    }
    let mut req = url.into_client_request()?;
    if bearer {
        req.headers_mut()
            .insert("authorization", format!("Bearer {token}").parse()?);
    }
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let config = WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0);
    let (mut ws, _) = tokio_tungstenite::client_async_with_config(req, stream, Some(config))
        .await
        .context("WebSocket handshake")?;
    let mut latest = None;
    for _ in 0..100 {
        let msg = tokio::time::timeout(Duration::from_secs(30), ws.next())
            .await
            .context("no ready message within 30 s")?
            .context("closed before ready")??;
        if let Message::Text(t) = msg {
            let v: serde_json::Value = serde_json::from_str(t.as_str())?;
            match v["type"].as_str() {
                Some("hello") => latest = v["data"]["latest_seq"].as_i64(),
                Some("ready") => {
                    return Ok((ws, latest.or(v["data"]["seq"].as_i64()).unwrap_or(0)));
                }
                _ => {}
            }
        }
    }
    anyhow::bail!("no ready message")
}

/// Reads a client socket until it closes or `deadline`, reporting events and closes.
/// (tungstenite answers the server's pings while reading.)
async fn read_socket(
    conn: usize,
    mut ws: WebSocketStream<TcpStream>,
    tx: mpsc::UnboundedSender<Seen>,
    deadline: Instant,
    sample: std::sync::Arc<std::sync::OnceLock<String>>,
) {
    for _ in 0..MAX_MESSAGES_PER_SOCKET {
        let next = match tokio::time::timeout_at(deadline.into(), ws.next()).await {
            Ok(n) => n,
            Err(_) => return,
        };
        match next {
            Some(Ok(Message::Text(t))) => {
                let at = Instant::now();
                if let Ok(m) = serde_json::from_str::<WireMessage<'_>>(t.as_str()) {
                    if let Some(seq) = m.seq {
                        let award = m.data.and_then(|d| d.award).map(|a| a.id);
                        if m.kind == "award.issued" && sample.get().is_none() {
                            let _ = sample.set(t.as_str().to_owned());
                        }
                        let _ = tx.send(Seen::Event {
                            conn,
                            seq,
                            award,
                            at,
                        });
                    }
                }
            }
            Some(Ok(Message::Close(frame))) => {
                let _ = tx.send(Seen::Closed {
                    conn,
                    code: frame.map(|f| u16::from(f.code)),
                });
                return;
            }
            Some(Ok(_)) => {}
            Some(Err(_)) | None => {
                let _ = tx.send(Seen::Closed { conn, code: None });
                return;
            }
        }
    }
}

/// Delivery figures of a series of events.
#[derive(Debug, Clone, Default)]
struct Delivery {
    label: String,
    subscribers: usize,
    events: usize,
    /// Award request start → each delivery.
    from_request: Vec<Duration>,
    /// Award response → each delivery (0 when the delivery came first).
    from_response: Vec<Duration>,
    /// Deliveries read before the award response arrived.
    before_response: usize,
    /// The award requests themselves.
    requests: Vec<Duration>,
    /// Server CPU per delivered message.
    server_cpu_per_delivery: Option<Duration>,
    /// This process's CPU per delivered message.
    client_cpu_per_delivery: Option<Duration>,
    /// Share of the machine used by other processes (not this one, not the servers) during
    /// the series.
    others_share: Option<f64>,
}

impl Delivery {
    fn req(&self) -> Summary {
        Summary::of(&mut self.from_request.clone())
    }
    fn resp(&self) -> Summary {
        Summary::of(&mut self.from_response.clone())
    }
    fn award(&self) -> Summary {
        Summary::of(&mut self.requests.clone())
    }
}

/// Awards `student` `events` times through `via` (keep-alive connection as the teacher) and
/// measures delivery to every open subscriber.
#[allow(clippy::too_many_arguments)]
async fn broadcast(
    label: &str,
    via: &mut HttpConn,
    teacher: &str,
    badge: Uuid,
    student: Uuid,
    subs: &mut Subscribers,
    events: usize,
    gap: Duration,
    server_pid: Option<u32>,
) -> anyhow::Result<Delivery> {
    let body = hyper::body::Bytes::from(serde_json::to_vec(&serde_json::json!({
        "badge_class_id": badge,
        "recipient_ids": [student],
    }))?);
    let mut d = Delivery {
        label: label.to_owned(),
        subscribers: subs.len(),
        events,
        ..Delivery::default()
    };
    let me = std::process::id();
    let (srv0, cli0) = (server_pid.and_then(proc_cpu), proc_cpu(me));
    let machine0 = accolade_bench::machine_cpu();
    let t0 = Instant::now();
    for _ in 0..events {
        let req = via.request(
            hyper::Method::POST,
            "/api/v1/awards",
            Some(teacher),
            Some(body.clone()),
        )?;
        let t_req = Instant::now();
        let (status, answer) = tokio::time::timeout(Duration::from_secs(60), via.send(req))
            .await
            .context("the award request took more than 60 s")??;
        let t_resp = Instant::now();
        anyhow::ensure!(
            status == 201,
            "award: {status} {}",
            String::from_utf8_lossy(&answer)
        );
        let v: serde_json::Value = serde_json::from_slice(&answer)?;
        let award: Uuid = v["awards"][0]["id"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .context("award answer without id")?;
        d.requests.push(t_resp - t_req);
        for at in subs.collect(award, DELIVERY_TIMEOUT).await {
            d.from_request.push(at.saturating_duration_since(t_req));
            if at < t_resp {
                d.before_response += 1;
            }
            d.from_response.push(at.saturating_duration_since(t_resp));
        }
        tokio::time::sleep(gap).await;
    }
    let deliveries = (events * subs.len()).max(1) as u32;
    let window = t0.elapsed();
    let (srv1, cli1, machine1) = (
        server_pid.and_then(proc_cpu),
        proc_cpu(me),
        accolade_bench::machine_cpu(),
    );
    if let (Some(a), Some(b)) = (srv0, srv1) {
        d.server_cpu_per_delivery = Some(b.saturating_sub(a) / deliveries);
    }
    if let (Some(a), Some(b)) = (cli0, cli1) {
        d.client_cpu_per_delivery = Some(b.saturating_sub(a) / deliveries);
    }
    if let (Some((b0, _)), Some((b1, _)), Some(s0), Some(s1), Some(c0), Some(c1)) =
        (machine0, machine1, srv0, srv1, cli0, cli1)
    {
        let ours = s1.saturating_sub(s0) + c1.saturating_sub(c0);
        let others = b1.saturating_sub(b0).saturating_sub(ours);
        d.others_share =
            Some(others.as_secs_f64() / (window.as_secs_f64().max(1e-9) * cores() as f64));
    }
    Ok(d)
}

/// Memory readings while connections were opened.
#[derive(Debug, Clone, Default)]
struct Memory {
    /// `(connections, server RSS KiB)`, first entry before any connection.
    steps: Vec<(usize, u64)>,
    /// Kernel TCP memory of the machine before/after (KiB).
    tcp_kib: (Option<u64>, Option<u64>),
    /// This process's RSS before/after (KiB).
    client_kib: (u64, u64),
    /// Time to open all connections.
    open_time: Duration,
}

impl Memory {
    fn per_connection_kib(&self) -> Option<f64> {
        let (n0, r0) = *self.steps.first()?;
        let (n1, r1) = *self.steps.last()?;
        (n1 > n0).then(|| (r1 as f64 - r0 as f64) / (n1 - n0) as f64)
    }
}

/// Reads the server's RSS after `settle`: the median of three readings 200 ms apart.
async fn settled_rss(node: &Node, settle: Duration) -> anyhow::Result<u64> {
    tokio::time::sleep(settle).await;
    let mut v = Vec::new();
    for _ in 0..3 {
        v.push(node.process.rss_kib().context("reading the server's RSS")?);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    v.sort_unstable();
    Ok(v[1])
}

/// Everything measured.
#[derive(Debug, Default)]
struct Report {
    server: String,
    connections: usize,
    memory: Memory,
    broadcasts: Vec<Delivery>,
    cross: Option<Delivery>,
    pg_same_node: Option<Delivery>,
    /// What the server repeats for every connection of a recipient: parse the stored event
    /// JSON and serialize the message (measured here on a real `award.issued` message).
    per_connection_serialization: Option<(Duration, usize)>,
    problems: Vec<String>,
}

fn main() -> ExitCode {
    if let Some(code) = accolade_bench::serve_child() {
        return code;
    }
    let args = Args::parse();
    match run(&args) {
        Ok((functional_ok, targets_ok)) => {
            if !functional_ok || (args.strict && !targets_ok) {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("bench-ws: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Settings after `--short` is applied.
#[derive(Debug, Clone)]
struct Plan {
    connections: usize,
    fanout: Vec<usize>,
    events: usize,
    gap: Duration,
    cross_events: usize,
    cross_subscribers: usize,
    settle: Duration,
    bearer: bool,
    command: ServerCommand,
    pg_url: Option<String>,
}

fn run(args: &Args) -> anyhow::Result<(bool, bool)> {
    let mut plan = Plan {
        connections: args.connections.clamp(1, 100_000),
        fanout: args.fanout.clone(),
        events: args.events.clamp(1, 1000),
        gap: Duration::from_millis(args.gap_ms.min(10_000)),
        cross_events: args.cross_events.clamp(1, 10_000),
        cross_subscribers: args.cross_subscribers.clamp(1, 10_000),
        settle: Duration::from_secs_f64(args.settle.clamp(0.0, 60.0)),
        bearer: args.bearer,
        command: match &args.server_bin {
            Some(p) => ServerCommand::Binary(p.clone()),
            None => ServerCommand::SelfExec,
        },
        pg_url: args.pg_url.clone().filter(|u| !u.is_empty()),
    };
    if args.short {
        plan.connections = 500;
        plan.fanout = vec![200];
        plan.events = 5;
        plan.cross_events = 20;
        plan.cross_subscribers = 50;
        plan.settle = Duration::from_secs(1);
    }
    plan.fanout.retain(|&n| n >= 1);
    for n in &mut plan.fanout {
        *n = (*n).min(plan.connections);
    }
    plan.fanout.sort_unstable_by(|a, b| b.cmp(a));
    plan.fanout.dedup();
    if let Some(url) = &plan.pg_url {
        accolade_bench::ensure_loopback_pg(url)?;
    }
    // The server and this process each hold one socket per connection.
    let limit = accolade_bench::raise_nofile_limit()?;
    let need = plan.connections.max(plan.cross_subscribers) as u64 + 500;
    anyhow::ensure!(
        need <= limit,
        "{} connections need about {need} open files per process; the limit is {limit}",
        plan.connections
    );
    let rt = if args.client_threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(args.client_threads.min(64))
            .enable_all()
            .build()?
    };
    let ncores = cores();
    if args.wait_quiet > 0.0 {
        if let Some(share) = accolade_bench::wait_for_quiet(
            Duration::from_secs_f64(args.wait_quiet.clamp(0.0, 600.0)),
            0.10,
        ) {
            println!("machine busy {:.0}% before starting", 100.0 * share);
        }
    }
    println!(
        "bench-ws: {ncores} core(s); server: {}; {} idle connections, fan-out to {:?} × {} \
         events{}; client runtime {} thread(s); {}",
        match &plan.command {
            ServerCommand::SelfExec => "separate process running the built-in server".to_owned(),
            ServerCommand::Binary(p) => format!("separate process {}", p.display()),
        },
        plan.connections,
        plan.fanout,
        plan.events,
        if plan.pg_url.is_some() {
            format!(
                "; cross-node {} events × {} subscribers",
                plan.cross_events, plan.cross_subscribers
            )
        } else {
            String::new()
        },
        args.client_threads.max(1),
        if plan.bearer {
            "bearer handshakes"
        } else {
            "one ticket per connection"
        }
    );
    let report = rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(3600), measure(&plan))
            .await
            .context("the benchmark took more than an hour")?
    })?;
    rt.shutdown_timeout(Duration::from_secs(5));
    print_report(&report, &plan, ncores);
    if args.json {
        print_json(&report);
    }
    let functional_ok = report.problems.is_empty();
    let targets_ok = targets_ok(&report);
    Ok((functional_ok, targets_ok))
}

fn targets_ok(r: &Report) -> bool {
    let mem = r
        .memory
        .per_connection_kib()
        .is_none_or(|k| k <= MEMORY_TARGET_KIB);
    let bc = r
        .broadcasts
        .iter()
        .all(|d| match target_for(d.subscribers) {
            Some(t) => d.req().p99 <= t,
            None => true,
        });
    let cross = r.cross.as_ref().is_none_or(|d| d.req().p99 <= CROSS_TARGET);
    mem && bc && cross
}

fn target_for(subscribers: usize) -> Option<Duration> {
    match subscribers {
        1_000 => Some(P99_1K_TARGET),
        10_000 => Some(P99_10K_TARGET),
        _ => None,
    }
}

/// A school with one teacher and one student, set up through the library on `database_url`.
async fn setup(
    database_url: &str,
    key: &str,
    data_dir: &std::path::Path,
) -> anyhow::Result<BenchSchool> {
    let state = accolade_server::build_state(accolade_server::Config {
        database_url: database_url.to_owned(),
        signing_key: Some(key.to_owned()),
        access_token_ttl_secs: 3600,
        data_dir: data_dir.to_path_buf(),
        ..accolade_server::Config::default()
    })
    .await
    .context("preparing the database")?;
    let school = accolade_bench::setup_school(&state, 1, 30).await?;
    state.db.clone().close().await;
    Ok(school)
}

async fn start_node(
    plan: &Plan,
    database_url: &str,
    key: &str,
    name: &str,
) -> anyhow::Result<Node> {
    let mut process = ServerProcess::spawn(&plan.command, database_url, key, &[])?;
    process
        .wait_ready(Duration::from_secs(60))
        .await
        .with_context(|| format!("starting node {name}"))?;
    Ok(Node { process })
}

async fn measure(plan: &Plan) -> anyhow::Result<Report> {
    let mut report = Report {
        server: format!("{:?}", plan.command),
        connections: plan.connections,
        ..Report::default()
    };
    let deadline = Instant::now() + Duration::from_secs(3500);
    let tmp = tempfile::Builder::new()
        .prefix("accolade-bench-ws-")
        .tempdir()?;
    let key = format!("bench-ws-signing-key-{}", Uuid::new_v4().simple());

    // --- single node on SQLite --------------------------------------------------------------
    let db_url = format!(
        "sqlite://{}?mode=rwc",
        tmp.path().join("bench.db").display()
    );
    println!("\n== single node, SQLite");
    let school = setup(&db_url, &key, tmp.path()).await?;
    let student = school.students[0].clone();
    let teacher = school.teacher_token.clone();
    let node = start_node(plan, &db_url, &key, "A").await?;
    let http = http_client(4)?;
    let badge = create_badge(&http, node.base(), &teacher, "Live", true).await?;
    let mut via = HttpConn::connect(node.addr()).await?;

    // Warm up the paths once (handshake, award, delivery) so first-use allocations are not
    // counted as per-connection memory.
    {
        let mut warm = Subscribers::new(deadline);
        warm.open(&node, &student.token, 20, plan.bearer).await?;
        broadcast(
            "warm-up",
            &mut via,
            &teacher,
            badge,
            student.id,
            &mut warm,
            3,
            Duration::from_millis(20),
            None,
        )
        .await?;
        report.problems.append(&mut warm.problems);
        warm.close_all().await;
    }

    print!("memory: settling… ");
    let rss0 = settled_rss(&node, plan.settle).await?;
    let mut subs = Subscribers::new(deadline);
    report.memory.steps.push((0, rss0));
    report.memory.tcp_kib.0 = tcp_kernel_kib();
    report.memory.client_kib.0 =
        accolade_bench::proc_status_kib(std::process::id(), "VmRSS").unwrap_or(0);
    println!("server RSS {rss0} KiB with no connections");
    let steps = 4;
    let mut open_time = Duration::ZERO;
    for step in 1..=steps {
        let target = plan.connections * step / steps;
        let more = target - subs.len();
        if more == 0 {
            continue;
        }
        open_time += subs.open(&node, &student.token, more, plan.bearer).await?;
        let settle = if step == steps {
            plan.settle
        } else {
            plan.settle / 3
        };
        let rss = settled_rss(&node, settle).await?;
        println!(
            "        {:>6} connections: server RSS {rss} KiB (+{:.2} KiB per connection)",
            subs.len(),
            (rss as f64 - rss0 as f64) / subs.len() as f64
        );
        report.memory.steps.push((subs.len(), rss));
    }
    report.memory.open_time = open_time;
    report.memory.tcp_kib.1 = tcp_kernel_kib();
    report.memory.client_kib.1 =
        accolade_bench::proc_status_kib(std::process::id(), "VmRSS").unwrap_or(0);
    // Nothing may have arrived meanwhile.
    subs.drain(Duration::from_millis(100)).await;

    for &n in &plan.fanout {
        subs.close_down_to(n).await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        subs.drain(Duration::from_millis(100)).await;
        println!("broadcast to {n}: {} events…", plan.events);
        let d = broadcast(
            &format!("broadcast to {n}"),
            &mut via,
            &teacher,
            badge,
            student.id,
            &mut subs,
            plan.events,
            plan.gap,
            Some(node.process.pid),
        )
        .await?;
        println!(
            "        request→delivery p50 {} p99 {}; response→delivery p50 {} p99 {}",
            fmt_duration(d.req().p50),
            fmt_duration(d.req().p99),
            fmt_duration(d.resp().p50),
            fmt_duration(d.resp().p99)
        );
        report.broadcasts.push(d);
    }
    subs.drain(Duration::from_millis(300)).await;
    report.problems.append(&mut subs.problems);
    if let Some(text) = subs.sample.get() {
        report.per_connection_serialization = serialization_cost(text);
    }
    subs.close_all().await;
    drop(via);
    drop(node);

    // --- two nodes on PostgreSQL -------------------------------------------------------------
    if let Some(admin) = &plan.pg_url {
        println!("\n== two nodes, PostgreSQL");
        let db = PgDatabase::create(admin).await?;
        let result = cross_node(plan, &db.url, &key, tmp.path(), deadline).await;
        if let Err(e) = db.drop_now().await {
            eprintln!("warning: {e:#}");
        }
        let (same, cross, mut problems) = result?;
        report.pg_same_node = Some(same);
        report.cross = Some(cross);
        report.problems.append(&mut problems);
    }
    Ok(report)
}

/// Times what `routes::ws::event_message` does for every connection: parse the stored event
/// data (JSON text) into a value, then serialize the whole message. Returns the mean time and
/// the message size.
fn serialization_cost(message: &str) -> Option<(Duration, usize)> {
    let v: serde_json::Value = serde_json::from_str(message).ok()?;
    let data = serde_json::to_string(&v["data"]).ok()?;
    let kind = v["type"].as_str()?.to_owned();
    let seq = v["seq"].as_i64();
    let rounds = 20_000u32;
    let t0 = Instant::now();
    let mut bytes = 0usize;
    for _ in 0..rounds {
        let msg = accolade_proto::ServerMessage {
            kind: kind.clone(),
            seq,
            data: serde_json::from_str(&data).unwrap_or_default(),
        };
        bytes = std::hint::black_box(serde_json::to_string(&msg).ok()?).len();
    }
    Some((t0.elapsed() / rounds, bytes))
}

async fn cross_node(
    plan: &Plan,
    db_url: &str,
    key: &str,
    data_dir: &std::path::Path,
    deadline: Instant,
) -> anyhow::Result<(Delivery, Delivery, Vec<String>)> {
    let school = setup(db_url, key, data_dir).await?;
    let student = school.students[0].clone();
    let teacher = school.teacher_token.clone();
    let a = start_node(plan, db_url, key, "A").await?;
    let b = start_node(plan, db_url, key, "B").await?;
    let http = http_client(4)?;
    let badge = create_badge(&http, a.base(), &teacher, "Across", true).await?;
    let mut via_a = HttpConn::connect(a.addr()).await?;
    let mut via_b = HttpConn::connect(b.addr()).await?;
    let mut subs = Subscribers::new(deadline);
    subs.open(&b, &student.token, plan.cross_subscribers, plan.bearer)
        .await?;
    let gap = plan.gap.max(Duration::from_millis(20));
    broadcast(
        "warm-up", &mut via_a, &teacher, badge, student.id, &mut subs, 3, gap, None,
    )
    .await?;
    println!(
        "same node (B → B): {} events × {} subscribers…",
        plan.cross_events, plan.cross_subscribers
    );
    let same = broadcast(
        "PostgreSQL, same node",
        &mut via_b,
        &teacher,
        badge,
        student.id,
        &mut subs,
        plan.cross_events,
        gap,
        Some(b.process.pid),
    )
    .await?;
    println!(
        "        request→delivery p50 {} p99 {}",
        fmt_duration(same.req().p50),
        fmt_duration(same.req().p99)
    );
    println!(
        "cross node (A → B): {} events × {} subscribers…",
        plan.cross_events, plan.cross_subscribers
    );
    let cross = broadcast(
        "PostgreSQL, cross-node",
        &mut via_a,
        &teacher,
        badge,
        student.id,
        &mut subs,
        plan.cross_events,
        gap,
        Some(b.process.pid),
    )
    .await?;
    println!(
        "        request→delivery p50 {} p99 {}",
        fmt_duration(cross.req().p50),
        fmt_duration(cross.req().p99)
    );
    subs.drain(Duration::from_millis(300)).await;
    let problems = std::mem::take(&mut subs.problems);
    subs.close_all().await;
    drop((via_a, via_b, a, b));
    Ok((same, cross, problems))
}

fn print_report(r: &Report, plan: &Plan, ncores: usize) {
    let rule = "=".repeat(104);
    println!("\n{rule}");
    println!(
        "bench-ws report ({ncores} cores; server in its own process; clients in this process on \
         the same cores)"
    );
    println!("{rule}");
    println!("{:<50} {:>26}   {:<14} verdict", " ", "measured", "target");
    let m = &r.memory;
    if let (Some((_, r0)), Some((n, r1))) = (m.steps.first(), m.steps.last()) {
        let per = m.per_connection_kib().unwrap_or(0.0);
        println!(
            "{:<50} {:>26}   {:<14} {}",
            format!("memory per idle connection ({n} open)"),
            format!("{per:.2} KiB"),
            format!("≤ {MEMORY_TARGET_KIB:.0} KiB"),
            verdict(per <= MEMORY_TARGET_KIB)
        );
        println!(
            "{:<50} {:>26}",
            "  server RSS without / with the connections",
            format!(
                "{:.1} / {:.1} MiB",
                *r0 as f64 / 1024.0,
                *r1 as f64 / 1024.0
            )
        );
        for w in m.steps.windows(2) {
            let ((n0, a), (n1, b)) = (w[0], w[1]);
            println!(
                "{:<50} {:>26}",
                format!("  {n0:>6} → {n1:>6} connections"),
                format!(
                    "{:.2} KiB each",
                    (b as f64 - a as f64) / (n1 - n0).max(1) as f64
                )
            );
        }
        if let (Some(a), Some(b)) = m.tcp_kib {
            println!(
                "{:<50} {:>26}",
                "  kernel TCP memory, both ends (not in RSS)",
                format!(
                    "{:.2} KiB per connection",
                    ((b as f64 - a as f64) / (*n).max(1) as f64).max(0.0)
                )
            );
        }
        println!(
            "{:<50} {:>26}",
            "  client process RSS per connection (info)",
            format!(
                "{:.2} KiB",
                (m.client_kib.1 as f64 - m.client_kib.0 as f64) / (*n).max(1) as f64
            )
        );
        println!(
            "{:<50} {:>26}",
            format!(
                "  time to open them ({})",
                if plan.bearer { "bearer" } else { "ticket each" }
            ),
            format!(
                "{:.1} s ({:.0}/s)",
                m.open_time.as_secs_f64(),
                *n as f64 / m.open_time.as_secs_f64().max(1e-9)
            )
        );
    }
    let mut rows: Vec<(&Delivery, Option<Duration>)> = r
        .broadcasts
        .iter()
        .map(|d| (d, target_for(d.subscribers)))
        .collect();
    if let Some(d) = &r.pg_same_node {
        rows.push((d, None));
    }
    if let Some(d) = &r.cross {
        rows.push((d, Some(CROSS_TARGET)));
    }
    for (d, target) in rows {
        let (q, s, a) = (d.req(), d.resp(), d.award());
        println!(
            "{} ({} subscribers × {} events)",
            d.label, d.subscribers, d.events
        );
        println!(
            "{:<50} {:>26}   {:<14} {}",
            "  request→delivery p50 / p99",
            format!("{} / {}", fmt_duration(q.p50), fmt_duration(q.p99)),
            target
                .map(|t| format!("p99 ≤ {}", fmt_duration(t)))
                .unwrap_or_default(),
            target.map(|t| verdict(q.p99 <= t)).unwrap_or("")
        );
        println!(
            "{:<50} {:>26}",
            "  response→delivery p50 / p99",
            format!("{} / {}", fmt_duration(s.p50), fmt_duration(s.p99)),
        );
        println!(
            "{:<50} {:>26}",
            "  award request alone p50 / max",
            format!("{} / {}", fmt_duration(a.p50), fmt_duration(a.max)),
        );
        if d.before_response > 0 {
            println!(
                "{:<50} {:>26}",
                "  deliveries read before the award response",
                format!("{} of {}", d.before_response, d.from_request.len())
            );
        }
        if let (Some(sc), Some(cc)) = (d.server_cpu_per_delivery, d.client_cpu_per_delivery) {
            println!(
                "{:<50} {:>26}",
                "  CPU per delivered message: server / client",
                format!("{} / {}", fmt_duration(sc), fmt_duration(cc))
            );
        }
        if let Some(o) = d.others_share {
            println!(
                "{:<50} {:>26}{}",
                "  other processes during the series",
                format!("{:.0}% of the machine", 100.0 * o),
                if o > 0.10 {
                    "   WARNING: figures skewed"
                } else {
                    ""
                }
            );
        }
    }
    if let Some((t, bytes)) = r.per_connection_serialization {
        println!(
            "{:<50} {:>26}",
            format!("server work repeated per connection ({bytes} B msg)"),
            format!("{} (parse + serialize)", fmt_duration(t))
        );
    }
    println!("{rule}");
    if r.problems.is_empty() {
        println!("delivery: every event reached every connection exactly once, in order");
    } else {
        for p in r.problems.iter().take(20) {
            println!("FAILURE: {p}");
        }
        if r.problems.len() > 20 {
            println!("… and {} more", r.problems.len() - 20);
        }
    }
}

fn print_json(r: &Report) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let delivery = |d: &Delivery| {
        let (q, s, a) = (d.req(), d.resp(), d.award());
        serde_json::json!({
            "label": d.label,
            "subscribers": d.subscribers,
            "events": d.events,
            "request_p50_ms": ms(q.p50),
            "request_p99_ms": ms(q.p99),
            "response_p50_ms": ms(s.p50),
            "response_p99_ms": ms(s.p99),
            "award_p50_ms": ms(a.p50),
            "server_cpu_per_delivery_us": d.server_cpu_per_delivery.map(|c| c.as_secs_f64() * 1e6),
            "client_cpu_per_delivery_us": d.client_cpu_per_delivery.map(|c| c.as_secs_f64() * 1e6),
            "others_share": d.others_share,
        })
    };
    let mut by_label = HashMap::new();
    for d in &r.broadcasts {
        by_label.insert(d.label.clone(), delivery(d));
    }
    let report = serde_json::json!({
        "server": r.server,
        "connections": r.connections,
        "kib_per_idle_connection": r.memory.per_connection_kib(),
        "rss_steps_kib": r.memory.steps,
        "broadcasts": by_label,
        "pg_same_node": r.pg_same_node.as_ref().map(delivery),
        "cross_node": r.cross.as_ref().map(delivery),
        "per_connection_serialization_us": r.per_connection_serialization.map(|(t, _)| t.as_secs_f64() * 1e6),
        "problems": r.problems,
    });
    println!("{report}");
}
