//! A small SMTP sink for tests: a TCP listener on 127.0.0.1 port 0 that speaks enough SMTP
//! (RFC 5321) for lettre — greeting, `EHLO`/`HELO`, `MAIL FROM`, `RCPT TO`, `DATA` (with
//! dot-unstuffing), `RSET`, `NOOP`, `QUIT` — and keeps every accepted message in memory.
//!
//! [`SmtpSink::set_refusing`] simulates an outage: new connections are greeted with
//! `421 4.3.2` and closed, and a transaction already open gets `451 4.3.0` for `MAIL FROM`.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// One accepted message.
#[derive(Debug, Clone)]
pub struct Received {
    /// Envelope sender (`MAIL FROM`), without angle brackets.
    pub from: String,
    /// Envelope recipients (`RCPT TO`), without angle brackets.
    pub to: Vec<String>,
    /// The message as sent after `DATA`, dot-unstuffed, CRLF line ends, without the final
    /// `.` line.
    pub data: Vec<u8>,
}

#[derive(Default)]
struct Shared {
    messages: Mutex<Vec<Received>>,
    arrived: Notify,
    refusing: AtomicBool,
    refused: AtomicUsize,
}

/// A running sink; stops when dropped.
pub struct SmtpSink {
    /// Where it listens (127.0.0.1, a free port).
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

/// Longest command line accepted (RFC 5321 allows 512 octets; generous for extensions).
const MAX_LINE: usize = 4096;
/// Largest message accepted, in bytes.
const MAX_MESSAGE: usize = 10 * 1024 * 1024;

impl SmtpSink {
    /// Starts a sink on 127.0.0.1 port 0.
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind SMTP sink");
        let addr = listener.local_addr().expect("sink address");
        let shared = Arc::new(Shared::default());
        let accept = shared.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let shared = accept.clone();
                tokio::spawn(async move {
                    let _ = session(stream, shared).await;
                });
            }
        });
        SmtpSink { addr, shared, task }
    }

    /// `smtp://127.0.0.1:{port}`, for `Config::smtp_url`.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Turns the simulated outage on or off.
    pub fn set_refusing(&self, on: bool) {
        self.shared.refusing.store(on, Ordering::SeqCst);
    }

    /// How many connections or transactions were refused so far.
    pub fn refused(&self) -> usize {
        self.shared.refused.load(Ordering::SeqCst)
    }

    /// Every message accepted so far, in order of arrival.
    pub fn messages(&self) -> Vec<Received> {
        self.shared
            .messages
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Messages whose envelope recipients include `addr` (compared case-insensitively).
    pub fn messages_to(&self, addr: &str) -> Vec<Received> {
        self.messages()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(addr)))
            .collect()
    }

    /// Waits until at least `n` messages have arrived in all, or `timeout` passes; returns
    /// all messages either way.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.shared.arrived.notified();
            let now = self.messages();
            if now.len() >= n {
                return now;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.messages();
            }
        }
    }

    /// Waits until at least `n` messages to `addr` have arrived, or `timeout` passes; returns
    /// the messages to `addr` either way.
    pub async fn wait_for_to(&self, addr: &str, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.shared.arrived.notified();
            let now = self.messages_to(addr);
            if now.len() >= n {
                return now;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.messages_to(addr);
            }
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The address inside `FROM:<a@b> PARAMS` / `TO:<a@b>`.
fn path_arg(rest: &str) -> Option<String> {
    let rest = rest.trim();
    let start = rest.find('<')?;
    let end = rest[start..].find('>')? + start;
    Some(rest[start + 1..end].to_owned())
}

async fn session(stream: TcpStream, shared: Arc<Shared>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    if shared.refusing.load(Ordering::SeqCst) {
        shared.refused.fetch_add(1, Ordering::SeqCst);
        write
            .write_all(b"421 4.3.2 Service not available, closing transmission channel\r\n")
            .await?;
        return write.shutdown().await;
    }
    write
        .write_all(b"220 sink.test ESMTP test sink\r\n")
        .await?;
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = (&mut reader)
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut line)
            .await?;
        if n == 0 {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&line);
        let cmd = text.trim_end_matches(['\r', '\n']);
        let upper = cmd.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-sink.test greets you\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 10485760\r\n"
        } else if upper.starts_with("HELO") {
            b"250 sink.test\r\n"
        } else if let Some(rest) = upper.strip_prefix("MAIL FROM:") {
            if shared.refusing.load(Ordering::SeqCst) {
                shared.refused.fetch_add(1, Ordering::SeqCst);
                b"451 4.3.0 Temporarily unavailable, try again later\r\n"
            } else {
                // Keep the original case of the address.
                let offset = cmd.len() - rest.len();
                from = path_arg(&cmd[offset..]);
                to.clear();
                if from.is_some() {
                    b"250 2.1.0 OK\r\n"
                } else {
                    b"501 5.1.7 Bad sender address syntax\r\n"
                }
            }
        } else if let Some(rest) = upper.strip_prefix("RCPT TO:") {
            let offset = cmd.len() - rest.len();
            match (&from, path_arg(&cmd[offset..])) {
                (None, _) => b"503 5.5.1 MAIL first\r\n",
                (_, None) => b"501 5.1.3 Bad recipient address syntax\r\n",
                (_, Some(addr)) => {
                    to.push(addr);
                    b"250 2.1.5 OK\r\n"
                }
            }
        } else if upper == "DATA" {
            if from.is_none() || to.is_empty() {
                b"503 5.5.1 MAIL and RCPT first\r\n"
            } else {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let data = read_data(&mut reader).await?;
                let Some(data) = data else {
                    write.write_all(b"552 5.3.4 Message too big\r\n").await?;
                    continue;
                };
                let msg = Received {
                    from: from.take().unwrap_or_default(),
                    to: std::mem::take(&mut to),
                    data,
                };
                shared
                    .messages
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(msg);
                shared.arrived.notify_waiters();
                b"250 2.0.0 OK queued\r\n"
            }
        } else if upper == "RSET" {
            from = None;
            to.clear();
            b"250 2.0.0 OK\r\n"
        } else if upper.starts_with("NOOP") {
            b"250 2.0.0 OK\r\n"
        } else if upper == "QUIT" {
            write.write_all(b"221 2.0.0 Bye\r\n").await?;
            return write.shutdown().await;
        } else {
            b"502 5.5.2 Command not implemented\r\n"
        };
        write.write_all(reply).await?;
    }
}

/// Reads the message after `DATA` up to the `.` line, undoing dot-stuffing; `None` when it is
/// larger than [`MAX_MESSAGE`] (the rest is read and dropped).
async fn read_data(
    reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut data = Vec::new();
    let mut too_big = false;
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok((!too_big).then_some(data));
        }
        let body = if line.starts_with(b"..") {
            &line[1..]
        } else {
            &line[..]
        };
        if data.len() + body.len() > MAX_MESSAGE {
            too_big = true;
        } else {
            data.extend_from_slice(body);
        }
    }
}
