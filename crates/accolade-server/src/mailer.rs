//! The background e-mail sender and the digest scheduler, started by [`crate::app::serve`].
//!
//! - The sender claims due messages from the outbox every `mail_poll_secs` (lease
//!   [`LEASE_SECS`], batches of [`BATCH`]) and sends each with lettre over SMTP (`smtp_url`) as a
//!   `multipart/alternative` text + HTML message with `List-Unsubscribe` and
//!   `List-Unsubscribe-Post` (RFC 8058). A failure is retried with exponential backoff
//!   ([`backoff`]: 30 s, 1 min, 2 min … at most 1 h); after [`MAX_ATTEMPTS`] attempts the
//!   message is marked `failed` and logged. Without `smtp_url` the sender does not run and mail
//!   stays queued.
//! - The digest scheduler runs once a minute ([`run_digests`], whose clock is a parameter so
//!   tests can inject one): from `digest_hour` local time in each school's time zone it queues
//!   one digest of pending nominations for each teacher and admin who wants one (daily, or
//!   weekly from Monday's digest hour) and has not had one since that slot.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use accolade_db::entities::{schools, users};
use accolade_db::nominations::QueueFilter;
use accolade_db::outbox::{NewMail, OutboxMail};
use accolade_db::sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};
use accolade_db::users::User;
use accolade_proto::EmailDigest;
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::task::JoinHandle;

use crate::badges::{self as svc, ViewCache};
use crate::error::{ApiError, ApiResult};
use crate::mail::{self, Digest, DigestItem};
use crate::state::AppState;

/// Messages claimed per round.
pub const BATCH: u64 = 50;
/// How long a claim keeps other senders (nodes) off a message, in seconds.
pub const LEASE_SECS: i64 = 60;
/// Attempts before a message is given up (status `failed`).
pub const MAX_ATTEMPTS: i32 = 10;
/// Timeout of one SMTP exchange, in seconds.
pub const SMTP_TIMEOUT_SECS: u64 = 20;
/// Longest digest list.
pub const DIGEST_ITEMS: usize = 20;
/// Pending nominations counted for a digest at most (the total reads "at least" beyond).
const DIGEST_COUNT_CAP: u64 = 1000;
/// Claimed messages not sent within this many seconds of the claim are left for the next
/// round, so a slow server cannot outlive the lease and cause a second send elsewhere.
const SEND_WINDOW_SECS: u64 = 30;

/// The SMTP transport used by the sender.
pub type Transport = AsyncSmtpTransport<Tokio1Executor>;

/// Delay before the next attempt after the `attempts`-th failed one (1-based): 30 s doubled per
/// attempt, at most one hour.
pub fn backoff(attempts: i32) -> chrono::Duration {
    let exp = attempts.clamp(1, 20) - 1;
    let secs = 30i64.saturating_mul(1i64 << exp).min(3600);
    chrono::Duration::seconds(secs)
}

/// Builds the transport for `smtp_url` (see `Config::smtp_url`).
///
/// Errors: the URL is not one lettre understands.
pub fn transport(smtp_url: &str) -> Result<Transport, lettre::transport::smtp::Error> {
    Ok(Transport::from_url(smtp_url)?
        .timeout(Some(Duration::from_secs(SMTP_TIMEOUT_SECS)))
        .build())
}

/// `smtp_url` without a password, for logs.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***@{}", &url[..s], &url[at + 1..]),
        _ => url.to_owned(),
    }
}

/// Starts the digest scheduler and, when `smtp_url` is set, the sender; returns their tasks
/// (abort them on shutdown).
pub fn start(state: &AppState) -> Vec<JoinHandle<()>> {
    let mut tasks = Vec::new();
    let digests = state.clone();
    tasks.push(tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = run_digests(&digests, Utc::now()).await {
                tracing::warn!(error = %e, "digest round failed");
            }
        }
    }));
    match state.config.smtp_url.as_deref() {
        None => tracing::info!(
            "smtp_url is not set: notification e-mail is queued in the outbox but not sent"
        ),
        Some(url) => match transport(url) {
            Err(e) => tracing::error!(
                smtp_url = %redact_url(url), error = %e,
                "smtp_url is not usable: e-mail stays queued in the outbox"
            ),
            Ok(t) => {
                tracing::info!(smtp_url = %redact_url(url), "e-mail sender started");
                let sender = state.clone();
                tasks.push(tokio::spawn(async move {
                    let poll = Duration::from_secs(sender.config.mail_poll_secs.max(1));
                    let mut tick = tokio::time::interval(poll);
                    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                    loop {
                        tick.tick().await;
                        if let Err(e) = send_due(&sender, &t).await {
                            tracing::warn!(error = %e, "e-mail round failed");
                        }
                    }
                }));
            }
        },
    }
    tasks
}

/// What one [`send_due`] round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SendReport {
    /// Messages handed to the SMTP server.
    pub sent: usize,
    /// Failed attempts that will be retried.
    pub retrying: usize,
    /// Messages given up (status `failed`).
    pub failed: usize,
}

/// Claims due messages and sends them until none are due (or a round took too long); each
/// message is marked sent or failed in its own short write transaction.
///
/// Errors: database errors (SMTP errors are recorded on the message instead).
pub async fn send_due(state: &AppState, transport: &Transport) -> Result<SendReport, ApiError> {
    let mut report = SendReport::default();
    let mut senders: HashMap<uuid::Uuid, Mailbox> = HashMap::new();
    let default_from: Mailbox = state
        .config
        .mail_from
        .parse()
        .map_err(|e| ApiError::Internal(format!("mail_from: {e}")))?;
    let started = Instant::now();
    loop {
        let txn = state.db.begin_write().await?;
        let claimed =
            accolade_db::outbox::claim_due(&*txn, BATCH, chrono::Duration::seconds(LEASE_SECS))
                .await?;
        txn.commit().await?;
        let claimed_at = Instant::now();
        let full = claimed.len() as u64 == BATCH;
        for m in claimed {
            if claimed_at.elapsed() > Duration::from_secs(SEND_WINDOW_SECS) {
                // Left locked: it is claimed again once the lease runs out.
                return Ok(report);
            }
            let from = match senders.get(&m.school_id) {
                Some(f) => f.clone(),
                None => {
                    let f = accolade_db::schools::by_id(state.db.conn(), m.school_id)
                        .await?
                        .and_then(|s| s.email_sender)
                        .and_then(|s| s.parse::<Mailbox>().ok())
                        .unwrap_or_else(|| default_from.clone());
                    senders.insert(m.school_id, f.clone());
                    f
                }
            };
            let outcome = match build_message(state, &m, from) {
                Ok(msg) => transport.send(msg).await.map(|_| ()).map_err(|e| {
                    let permanent = e
                        .status()
                        .map(u16::from)
                        .is_some_and(|c| matches!(c, 550 | 551 | 553));
                    (e.to_string(), permanent)
                }),
                Err(e) => Err((e, true)),
            };
            let txn = state.db.begin_write().await?;
            match outcome {
                Ok(()) => {
                    accolade_db::outbox::mark_sent(&*txn, m.id).await?;
                    report.sent += 1;
                }
                Err((error, permanent)) => {
                    let attempts = m.attempts + 1;
                    let give_up = permanent || attempts >= MAX_ATTEMPTS;
                    let next = accolade_db::ts(Utc::now() + backoff(attempts));
                    accolade_db::outbox::mark_failed(&*txn, m.id, &error, next, give_up).await?;
                    if give_up {
                        tracing::error!(
                            mail_id = %m.id, kind = %m.kind, attempts, error = %error,
                            "giving up on an e-mail"
                        );
                        report.failed += 1;
                    } else {
                        tracing::warn!(
                            mail_id = %m.id, kind = %m.kind, attempts, error = %error,
                            "sending an e-mail failed; will retry"
                        );
                        report.retrying += 1;
                    }
                }
            }
            txn.commit().await?;
        }
        if !full || started.elapsed() > Duration::from_secs(SEND_WINDOW_SECS) {
            return Ok(report);
        }
    }
}

/// The lettre message for an outbox row: `From`, `To`, `Subject`, a stable `Message-ID`,
/// `Auto-Submitted`, `List-Unsubscribe` (+ `-Post`) and the text/HTML alternative bodies with
/// the signed unsubscribe link filled in.
fn build_message(state: &AppState, m: &OutboxMail, from: Mailbox) -> Result<Message, String> {
    let to: Mailbox = m
        .to_address
        .parse()
        .map_err(|e| format!("bad recipient address: {e}"))?;
    let base = state.config.base_url();
    let unsubscribe = m
        .user_id
        .map(|u| mail::unsubscribe_url(base, &state.link_key, u, &m.kind));
    let (text, html) = mail::with_unsubscribe(
        &m.text_body,
        &m.html_body,
        unsubscribe.as_deref().unwrap_or(base),
    );
    let domain = from.email.domain().to_owned();
    let mut b = Message::builder()
        .from(from)
        .to(to)
        .subject(m.subject.clone())
        .message_id(Some(format!("<{}@{}>", m.id, domain)))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".into(),
        ));
    if let Some(url) = unsubscribe {
        b = b
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{url}>"),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".into(),
            ));
    }
    b.multipart(MultiPart::alternative_plain_html(text, html))
        .map_err(|e| format!("building the message: {e}"))
}

/// Local `hour`:00 on `date` in `tz` as a UTC instant (the first valid instant when that hour
/// falls in a DST gap).
fn local_time(tz: &chrono_tz::Tz, date: NaiveDate, hour: u32) -> DateTime<Utc> {
    let start = date.and_hms_opt(hour.min(23), 0, 0).unwrap_or_default();
    (0..4)
        .find_map(|h| {
            tz.from_local_datetime(&(start + chrono::Duration::hours(h)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&start))
}

/// The digest slots of a school at `now`: `(daily, weekly)` = today's and this week's Monday's
/// digest time, or `None` while it is still before today's digest time there.
pub fn digest_slots(
    tz_name: &str,
    hour: u32,
    now: DateTime<Utc>,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let tz: chrono_tz::Tz = tz_name.parse().unwrap_or(chrono_tz::UTC);
    let today = now.with_timezone(&tz).date_naive();
    let daily = local_time(&tz, today, hour);
    if now < daily {
        return None;
    }
    let monday = today - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday()));
    Some((daily, local_time(&tz, monday, hour)))
}

/// Queues the digests due at `now` (the scheduler passes the real clock; tests inject one);
/// returns how many were queued.
///
/// Errors: database errors listing schools; a failure for one user is logged and skipped.
pub async fn run_digests(state: &AppState, now: DateTime<Utc>) -> ApiResult<usize> {
    let mut queued = 0;
    for school in schools::Entity::find().all(state.db.conn()).await? {
        let Some((daily, weekly)) = digest_slots(&school.timezone, state.config.digest_hour, now)
        else {
            continue;
        };
        let candidates = users::Entity::find()
            .filter(users::Column::SchoolId.eq(school.id))
            .filter(users::Column::Role.is_in(["teacher", "admin"]))
            .filter(users::Column::Active.eq(true))
            .filter(users::Column::EmailNotifications.eq(true))
            .filter(users::Column::Email.is_not_null())
            .filter(users::Column::EmailDigest.is_in(["daily", "weekly"]))
            .filter(
                Condition::any()
                    .add(users::Column::LastDigestAt.is_null())
                    .add(users::Column::LastDigestAt.lt(accolade_db::ts(daily))),
            )
            .all(state.db.conn())
            .await?;
        for u in candidates {
            match digest_for(state, &school, u.id, (daily, weekly), now).await {
                Ok(true) => queued += 1,
                Ok(false) => {}
                Err(e) => tracing::warn!(user_id = %u.id, error = %e, "digest failed"),
            }
        }
    }
    Ok(queued)
}

/// The slot `user` is due for, if any.
fn due_slot(user: &User, (daily, weekly): (DateTime<Utc>, DateTime<Utc>)) -> Option<DateTime<Utc>> {
    if !(user.active
        && user.email_notifications
        && matches!(user.role.as_str(), "teacher" | "admin"))
    {
        return None;
    }
    let slot = match EmailDigest::parse(&user.email_digest) {
        Some(EmailDigest::Daily) => daily,
        Some(EmailDigest::Weekly) => weekly,
        _ => return None,
    };
    match user.last_digest_at {
        Some(last) if last.with_timezone(&Utc) >= slot => None,
        _ => Some(slot),
    }
}

/// One user's digest in one write transaction: locks the user, re-checks they are due, records
/// `last_digest_at = now` and queues the digest when something is pending. Returns whether a
/// digest was queued.
async fn digest_for(
    state: &AppState,
    school: &accolade_db::schools::School,
    user_id: uuid::Uuid,
    slots: (DateTime<Utc>, DateTime<Utc>),
    now: DateTime<Utc>,
) -> ApiResult<bool> {
    let txn = state.db.begin_write().await?;
    let Some(mut user) = accolade_db::users::lock(&*txn, user_id).await? else {
        return Ok(false);
    };
    if due_slot(&user, slots).is_none() {
        return Ok(false);
    }
    let Some(to) = mail::notification_address(&user).map(str::to_owned) else {
        return Ok(false);
    };
    let whole_school = user.role == "admin";
    let filter = QueueFilter {
        teacher_id: (!whole_school).then_some(user.id),
        ..QueueFilter::default()
    };
    let pending =
        accolade_db::nominations::queue(&*txn, school.id, &filter, 0, DIGEST_COUNT_CAP).await?;
    let mut queued = false;
    if !pending.is_empty() {
        let base = state.config.base_url();
        let mut cache = ViewCache::default();
        let mut items = Vec::new();
        for n in pending.iter().take(DIGEST_ITEMS) {
            let v = svc::nomination_view(&*txn, base, &mut cache, n).await?;
            items.push(DigestItem {
                badge: v.badge.name,
                nominee: v.nominee.display_name,
                class_title: v.class_title,
                age: mail::age(v.created_at, now),
            });
        }
        let (subject, text, html) = mail::render_digest(&Digest {
            base,
            teacher: &user.display_name,
            school: &school.name,
            whole_school,
            frequency: if user.email_digest == "weekly" {
                "weekly"
            } else {
                "daily"
            },
            total: pending.len(),
            items,
        })?;
        accolade_db::outbox::enqueue(
            &*txn,
            NewMail {
                school_id: school.id,
                user_id: Some(user.id),
                to,
                kind: mail::KIND_DIGEST.into(),
                subject,
                text,
                html,
            },
        )
        .await?;
        queued = true;
    }
    user.last_digest_at = Some(accolade_db::ts(now));
    accolade_db::users::save(&*txn, user).await?;
    txn.commit().await?;
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_30_seconds_up_to_an_hour() {
        let secs: Vec<i64> = (1..=10).map(|a| backoff(a).num_seconds()).collect();
        assert_eq!(secs, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
        assert_eq!(backoff(1000).num_seconds(), 3600);
    }

    #[test]
    fn digest_slots_follow_the_school_clock() {
        // 06:30 in London (BST, UTC+1) on Wednesday 2026-06-03: before the 07:00 digest.
        let early = Utc.with_ymd_and_hms(2026, 6, 3, 5, 30, 0).unwrap();
        assert_eq!(digest_slots("Europe/London", 7, early), None);
        let later = Utc.with_ymd_and_hms(2026, 6, 3, 6, 1, 0).unwrap();
        let (daily, weekly) = digest_slots("Europe/London", 7, later).expect("due");
        assert_eq!(daily, Utc.with_ymd_and_hms(2026, 6, 3, 6, 0, 0).unwrap());
        assert_eq!(weekly, Utc.with_ymd_and_hms(2026, 6, 1, 6, 0, 0).unwrap());
        // An unknown zone falls back to UTC.
        let utc = Utc.with_ymd_and_hms(2026, 6, 3, 7, 1, 0).unwrap();
        let (daily, _) = digest_slots("Mars/Olympus", 7, utc).expect("due");
        assert_eq!(daily, Utc.with_ymd_and_hms(2026, 6, 3, 7, 0, 0).unwrap());
    }

    #[test]
    fn passwords_stay_out_of_logged_urls() {
        assert_eq!(
            redact_url("smtp://user:secret@mail.example:587?tls=required"),
            "smtp://***@mail.example:587?tls=required"
        );
        assert_eq!(redact_url("smtp://127.0.0.1:2525"), "smtp://127.0.0.1:2525");
    }
}
