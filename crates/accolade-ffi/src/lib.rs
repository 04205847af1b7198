//! # accolade-ffi: the phone apps' API (uniffi 0.32, proc-macros)
//!
//! A thin wrapper over [`accolade_client`]: it converts types and errors and owns a tokio
//! runtime; all behaviour (offline store, queue, refresh, reconnect, verification) lives in
//! the client crate. The bindings are generated from the built library:
//!
//! ```sh
//! cargo build -p uniffi-bindgen          # separately from the cdylib (feature unification)
//! cargo build -p accolade-ffi            # -> target/debug/libaccolade_ffi.so
//! target/debug/uniffi-bindgen generate --no-format -l kotlin -l swift -l python \
//!     -o out/ target/debug/libaccolade_ffi.so
//! ```
//!
//! ## The API
//!
//! One object, [`AccoladeClient`], made with `AccoladeClient(server_url, store_path)`; every
//! network method is `async` (Kotlin `suspend`, Swift `async`, Python coroutine) and throws
//! [`ApiError`]. Ids are UUID strings; times are timestamps (`Instant` / `Date` / `datetime`).
//!
//! | method | what |
//! | --- | --- |
//! | `sign_in_password(login, password, school?) -> User` | e-mail/handle + password |
//! | `sign_in_card(code) -> User` | the code of a sign-in card (or scan it: `handle_scan`) |
//! | `sign_out()` | ends the session; forgets all local data and queued actions |
//! | `current_user() -> User?` | no network |
//! | `me() -> User` | refreshed from the server (cached offline) |
//! | `my_badges() -> BadgeList` | my awards with their baked PNG bytes; from the store when offline (`from_cache`) |
//! | `badge_detail(award_id) -> Badge` | one award, with its baked PNG |
//! | `verify_badge(image, recipient?) -> Verification` | baked PNG/SVG bytes → valid / revoked / expired / wrong recipient / tampered |
//! | `nominable_badges() -> [BadgeClassInfo]` | badges I may nominate classmates for |
//! | `classmates() -> [Person]` | students sharing a class with me |
//! | `nominate(badge_class_id, nominee_ids, narrative, evidence_url?) -> NominateOutcome` | sent, or queued offline |
//! | `my_nominations() -> NominationList` | made or received (cached) |
//! | `queue() -> NominationList` | teachers: waiting for a decision (cached) |
//! | `decide(nomination_id, decision, reason?) -> DecideOutcome` | teachers; queued offline |
//! | `handle_scan(text) -> ScanOutcome` | any Accolade QR: claim `/c/{token}`, offer `/o/{token}`, sign-in card `/signin/card/{code}`, typed codes |
//! | `create_peer_offer(badge_class_id) -> PeerOffer` | show-to-give QR (SVG) |
//! | `claim_codes() -> [ClaimCodeInfo]`, `claim_code_qr(id) -> ClaimQr` | teachers: the projector's current QR |
//! | `queued_actions() -> [QueuedAction]`, `flush_queue() -> [ActionReport]` | the offline queue; flush when back online, one report per action |
//! | `render_qr_svg(text, min_px) -> String`, `render_qr_png(text, scale) -> bytes` | any QR code |
//! | `listen(listener) -> TaskHandle` | live events to an `EventListener` until the handle is cancelled or dropped |
//!
//! ## Errors
//!
//! [`ApiError`] has exactly the cases an app handles differently: `Offline{reason}` (no
//! connection; also for rotating QR codes, which cannot wait), `SignedOut` (show sign-in),
//! `NotAllowed{code}`, `NotFound`, `Conflict{code}` (already held, duplicate, already decided,
//! allowance used up, claim closed or used up…), `InvalidInput{field, reason}` and `Server`.
//! `code` is the server's stable error code (`accolade_proto::ErrorCode`); server details stay
//! in the client's log.
//!
//! ## Threads
//!
//! The library runs its own multi-threaded tokio runtime (two workers), so the foreign async
//! executors (Kotlin coroutines, Swift tasks, asyncio) only poll futures that are driven there.
//! `EventListener.on_event` is called on a runtime thread: hop to the UI thread yourself.

// FFI enums are passed by value across the boundary; boxing variants is not an option there.
#![allow(clippy::large_enum_variant)]

use std::future::Future;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::SystemTime;

use accolade_client::{ClientConfig, ClientError, Sent, StreamItem};
use accolade_proto::{ErrorCode, Role};
use uuid::Uuid;

uniffi::setup_scaffolding!();

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("accolade")
        .enable_all()
        .build()
        .expect("cannot start the accolade runtime")
});

/// Runs `fut` on the library's runtime and maps its error.
async fn run<T: Send + 'static>(
    fut: impl Future<Output = Result<T, ClientError>> + Send + 'static,
) -> Result<T, ApiError> {
    match RUNTIME.spawn(fut).await {
        Ok(r) => r.map_err(ApiError::from),
        Err(_) => Err(ApiError::Server),
    }
}

// ---- Errors --------------------------------------------------------------------------------

/// What went wrong, as far as an app needs to know to react.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum ApiError {
    /// The server cannot be reached, or this needs a connection (e.g. rotating QR codes).
    #[error("offline: {reason}")]
    Offline {
        /// A sentence for the person, in English (no server detail).
        reason: String,
    },
    /// Nobody is signed in, or the session ended: show the sign-in screen.
    #[error("signed out")]
    SignedOut,
    /// Signed in, but not allowed (role, audience, not open yet, rate limited).
    #[error("not allowed: {code}")]
    NotAllowed {
        /// Stable server code, e.g. `forbidden`, `not_in_audience`, `claim_not_open`, `rate_limited`.
        code: String,
    },
    /// No such thing (or no longer there).
    #[error("not found")]
    NotFound,
    /// Conflicts with the current state.
    #[error("conflict: {code}")]
    Conflict {
        /// Stable server code, e.g. `already_held`, `duplicate_nomination`, `already_decided`,
        /// `allowance_exceeded`, `self_nomination`, `claim_closed`, `claim_limit_reached`.
        code: String,
    },
    /// Something typed is wrong; `field` names it (`credentials` for a refused sign-in).
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The field, e.g. `narrative`, `credentials`, `scan`.
        field: String,
        /// Why, in English (not `message`: Kotlin exceptions already have one).
        reason: String,
    },
    /// The server failed or answered something unexpected; details are in the log.
    #[error("server error")]
    Server,
}

impl From<ClientError> for ApiError {
    fn from(e: ClientError) -> Self {
        tracing::debug!(error = %e, "accolade client error");
        match e {
            ClientError::Offline(_) => ApiError::Offline {
                reason: "the server cannot be reached".into(),
            },
            ClientError::NeedsConnection(why) => ApiError::Offline { reason: why.into() },
            ClientError::SignedOut => ApiError::SignedOut,
            ClientError::UnknownScan(_) => ApiError::InvalidInput {
                field: "scan".into(),
                reason: "not an Accolade code for this server".into(),
            },
            ClientError::Invalid(field, reason) => ApiError::InvalidInput {
                field: field.into(),
                reason,
            },
            ClientError::Protocol(_) | ClientError::Store(_) => ApiError::Server,
            ClientError::Api { problem, .. } => {
                let code = problem.code.as_str().to_owned();
                match problem.code {
                    ErrorCode::Unauthenticated | ErrorCode::InvalidRefreshToken => {
                        ApiError::SignedOut
                    }
                    ErrorCode::InvalidCredentials => ApiError::InvalidInput {
                        field: "credentials".into(),
                        reason: "not accepted".into(),
                    },
                    ErrorCode::Forbidden
                    | ErrorCode::NotInAudience
                    | ErrorCode::ClaimNotOpen
                    | ErrorCode::RateLimited => ApiError::NotAllowed { code },
                    ErrorCode::NotFound | ErrorCode::Gone => ApiError::NotFound,
                    ErrorCode::Conflict
                    | ErrorCode::AlreadyHeld
                    | ErrorCode::DuplicateNomination
                    | ErrorCode::AlreadyDecided
                    | ErrorCode::AllowanceExceeded
                    | ErrorCode::SelfNomination
                    | ErrorCode::IdempotencyKeyReused
                    | ErrorCode::ClaimClosed
                    | ErrorCode::ClaimLimitReached => ApiError::Conflict { code },
                    ErrorCode::InvalidInput
                    | ErrorCode::InvalidPassword
                    | ErrorCode::MalformedBody
                    | ErrorCode::SchoolRequired
                    | ErrorCode::InvalidImage
                    | ErrorCode::PayloadTooLarge => {
                        let first = problem.errors.first();
                        ApiError::InvalidInput {
                            field: first.map_or_else(|| code.clone(), |f| f.field.clone()),
                            reason: first
                                .map_or_else(|| problem.title.clone(), |f| f.message.clone()),
                        }
                    }
                    _ => ApiError::Server,
                }
            }
        }
    }
}

fn parse_id(field: &str, s: &str) -> Result<Uuid, ApiError> {
    s.parse().map_err(|_| ApiError::InvalidInput {
        field: field.into(),
        reason: "not an id".into(),
    })
}

// ---- Records -------------------------------------------------------------------------------

/// A role in the school.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum UserRole {
    /// A pupil.
    Student,
    /// A teacher.
    Teacher,
    /// A school admin.
    Admin,
}

/// The signed-in user.
#[derive(Debug, Clone, uniffi::Record)]
pub struct User {
    /// User id.
    pub id: String,
    /// Name shown to others.
    pub display_name: String,
    /// Handle.
    pub handle: String,
    /// Role.
    pub role: UserRole,
    /// School slug.
    pub school_slug: String,
    /// E-mail, if any (many students have none).
    pub email: Option<String>,
}

impl From<accolade_proto::Me> for User {
    fn from(m: accolade_proto::Me) -> Self {
        User {
            id: m.id.to_string(),
            display_name: m.display_name,
            handle: m.handle,
            role: match m.role {
                Role::Student => UserRole::Student,
                Role::Teacher => UserRole::Teacher,
                Role::Admin => UserRole::Admin,
            },
            school_slug: m.school_slug,
            email: m.email,
        }
    }
}

/// Someone as shown on a nomination: display name only.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Person {
    /// User id.
    pub id: String,
    /// Display name.
    pub display_name: String,
}

impl From<accolade_proto::PersonRef> for Person {
    fn from(p: accolade_proto::PersonRef) -> Self {
        Person {
            id: p.id.to_string(),
            display_name: p.display_name,
        }
    }
}

/// Validity of a badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum BadgeStatus {
    /// Valid.
    Valid,
    /// Revoked by the school.
    Revoked,
    /// Past its expiry date.
    Expired,
}

/// One of my badges (an award: an OB 2.0 assertion).
#[derive(Debug, Clone, uniffi::Record)]
pub struct Badge {
    /// Award id.
    pub id: String,
    /// Badge class id.
    pub badge_class_id: String,
    /// Badge name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Image URL.
    pub image_url: String,
    /// Issuer (school) name.
    pub issuer_name: String,
    /// Who holds it.
    pub recipient: Person,
    /// When issued.
    pub issued_on: SystemTime,
    /// When it expires, if ever.
    pub expires: Option<SystemTime>,
    /// Why it was awarded.
    pub narrative: Option<String>,
    /// `nomination`, `direct` or `claim`.
    pub source: String,
    /// Validity.
    pub status: BadgeStatus,
    /// Hosted assertion URL (share this).
    pub assertion_url: String,
    /// The baked PNG (image with the assertion inside), when fetched.
    pub baked_png: Option<Vec<u8>>,
}

fn badge(a: accolade_proto::Award, baked_png: Option<Vec<u8>>) -> Badge {
    Badge {
        id: a.id.to_string(),
        badge_class_id: a.badge.id.to_string(),
        name: a.badge.name,
        description: a.description,
        image_url: a.badge.image_url,
        issuer_name: a.issuer_name,
        recipient: a.recipient.into(),
        issued_on: a.issued_on.into(),
        expires: a.expires.map(Into::into),
        narrative: a.narrative,
        source: match a.source {
            accolade_proto::AwardSource::Nomination => "nomination",
            accolade_proto::AwardSource::Direct => "direct",
            accolade_proto::AwardSource::Claim => "claim",
        }
        .into(),
        status: match a.status {
            accolade_proto::AwardStatus::Valid => BadgeStatus::Valid,
            accolade_proto::AwardStatus::Revoked => BadgeStatus::Revoked,
            accolade_proto::AwardStatus::Expired => BadgeStatus::Expired,
        },
        assertion_url: a.assertion_url,
        baked_png,
    }
}

/// My badges.
#[derive(Debug, Clone, uniffi::Record)]
pub struct BadgeList {
    /// Newest first.
    pub badges: Vec<Badge>,
    /// True when served from the phone's store because the server could not be reached.
    pub from_cache: bool,
}

/// A badge one can nominate for or offer.
#[derive(Debug, Clone, uniffi::Record)]
pub struct BadgeClassInfo {
    /// Badge class id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Image URL.
    pub image_url: String,
}

/// State of a nomination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum NominationStatus {
    /// Waiting for a teacher.
    Pending,
    /// Approved: awarded.
    Approved,
    /// Rejected (see `decision_reason`).
    Rejected,
    /// Returned for revision.
    Returned,
    /// Withdrawn.
    Withdrawn,
}

/// A peer nomination.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Nomination {
    /// Nomination id.
    pub id: String,
    /// Badge class id.
    pub badge_class_id: String,
    /// Badge name.
    pub badge_name: String,
    /// Who nominated.
    pub nominator: Person,
    /// Who is nominated.
    pub nominee: Person,
    /// The shared class.
    pub class_title: String,
    /// Why.
    pub narrative: String,
    /// State.
    pub status: NominationStatus,
    /// The teacher's reason (rejected or returned).
    pub decision_reason: Option<String>,
    /// The award, once approved.
    pub award_id: Option<String>,
    /// When made.
    pub created_at: SystemTime,
}

impl From<accolade_proto::Nomination> for Nomination {
    fn from(n: accolade_proto::Nomination) -> Self {
        use accolade_proto::NominationStatus as S;
        Nomination {
            id: n.id.to_string(),
            badge_class_id: n.badge.id.to_string(),
            badge_name: n.badge.name,
            nominator: n.nominator.into(),
            nominee: n.nominee.into(),
            class_title: n.class_title,
            narrative: n.narrative,
            status: match n.status {
                S::Pending => NominationStatus::Pending,
                S::Approved => NominationStatus::Approved,
                S::Rejected => NominationStatus::Rejected,
                S::Returned => NominationStatus::Returned,
                S::Withdrawn => NominationStatus::Withdrawn,
            },
            decision_reason: n.decision_reason,
            award_id: n.award_id.map(|i| i.to_string()),
            created_at: n.created_at.into(),
        }
    }
}

/// A list of nominations.
#[derive(Debug, Clone, uniffi::Record)]
pub struct NominationList {
    /// Newest first.
    pub nominations: Vec<Nomination>,
    /// True when served from the phone's store because the server could not be reached.
    pub from_cache: bool,
}

/// A teacher's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum DecisionKind {
    /// Award the badge.
    Approve,
    /// Reject (reason required, shown to the nominator).
    Reject,
    /// Return for revision (reason required).
    Return,
}

/// Result of `nominate`.
#[derive(Debug, Clone, uniffi::Enum)]
pub enum NominateOutcome {
    /// Sent: one nomination per nominee.
    Sent {
        /// The nominations.
        nominations: Vec<Nomination>,
        /// Nominations left this week.
        remaining_this_week: u32,
    },
    /// Queued while offline; `flush_queue` reports it under `action_id`.
    Queued {
        /// The action's id.
        action_id: String,
    },
}

/// Result of `decide`.
#[derive(Debug, Clone, uniffi::Enum)]
pub enum DecideOutcome {
    /// Decided.
    Decided {
        /// The nomination after the decision.
        nomination: Nomination,
    },
    /// Queued while offline.
    Queued {
        /// The action's id.
        action_id: String,
    },
}

/// What `handle_scan` did.
#[derive(Debug, Clone, uniffi::Enum)]
pub enum ScanOutcome {
    /// A claim code: the badge is mine.
    Claimed {
        /// The badge.
        badge: Badge,
        /// True when I had claimed this code before.
        already_claimed: bool,
        /// The claim code's title (e.g. the event).
        title: String,
    },
    /// A static or sheet claim code scanned offline: queued.
    ClaimQueued {
        /// The action's id.
        action_id: String,
    },
    /// A classmate's offer: the nomination made from it.
    OfferAccepted {
        /// The nomination (already approved for auto-approved badges).
        nomination: Nomination,
    },
    /// A sign-in card: now signed in.
    SignedIn {
        /// Who.
        user: User,
    },
}

/// A peer offer to show as a QR code.
#[derive(Debug, Clone, uniffi::Record)]
pub struct PeerOffer {
    /// Offer id.
    pub id: String,
    /// Badge name.
    pub badge_name: String,
    /// The URL in the QR code.
    pub url: String,
    /// When it stops working (ten minutes).
    pub expires_at: SystemTime,
    /// The QR code as SVG.
    pub qr_svg: String,
}

/// A claim code (teachers).
#[derive(Debug, Clone, uniffi::Record)]
pub struct ClaimCodeInfo {
    /// Claim code id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Badge name.
    pub badge_name: String,
    /// `rotating`, `static` or `sheet`.
    pub mode: String,
    /// Claims so far.
    pub claim_count: u64,
}

/// What a claim code's projector shows now.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ClaimQr {
    /// The URL in the QR (absent for sheets).
    pub url: Option<String>,
    /// The typed code `XXXX-XXXX` (absent for sheets).
    pub manual_code: Option<String>,
    /// The QR as SVG (absent for sheets).
    pub qr_svg: Option<String>,
    /// Seconds until the window closes.
    pub seconds_left: i64,
}

/// Verdict of `verify_badge`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum VerificationStatus {
    /// Genuine, current and (if checked) the recipient's.
    Valid,
    /// Revoked by the issuer.
    Revoked,
    /// Expired.
    Expired,
    /// Belongs to someone else.
    WrongRecipient,
    /// The file does not match the issuer's hosted copy.
    Tampered,
}

/// Result of `verify_badge`.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Verification {
    /// The verdict.
    pub status: VerificationStatus,
    /// The hosted assertion checked.
    pub assertion_url: String,
    /// When issued.
    pub issued_on: Option<SystemTime>,
    /// When it expires.
    pub expires: Option<SystemTime>,
    /// The issuer's reason, when revoked.
    pub revocation_reason: Option<String>,
}

/// An action waiting in the offline queue.
#[derive(Debug, Clone, uniffi::Record)]
pub struct QueuedAction {
    /// The action's id (its Idempotency-Key).
    pub action_id: String,
    /// `nominate`, `decide` or `claim`.
    pub kind: String,
    /// When it was queued (RFC 3339).
    pub queued_at: String,
}

/// The outcome of one queued action sent by `flush_queue`.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ActionReport {
    /// The action's id.
    pub action_id: String,
    /// `nominate`, `decide` or `claim`.
    pub kind: String,
    /// True when the server did it.
    pub succeeded: bool,
    /// The refusal's stable code (e.g. `duplicate_nomination`), when it failed.
    pub error_code: Option<String>,
}

/// A live event.
#[derive(Debug, Clone, uniffi::Enum)]
pub enum AccoladeEvent {
    /// Connected and caught up (`replayed` missed events were delivered first).
    Connected {
        /// Backlog size.
        replayed: u64,
    },
    /// Connection lost; retrying after `retry_in_ms`.
    Disconnected {
        /// Milliseconds until the next attempt.
        retry_in_ms: u64,
    },
    /// I received a badge.
    AwardIssued {
        /// The badge.
        badge: Badge,
    },
    /// One of my badges was revoked.
    AwardRevoked {
        /// The badge.
        badge: Badge,
    },
    /// A nomination entered my queue (teachers).
    NominationCreated {
        /// The nomination.
        nomination: Nomination,
    },
    /// A nomination I made (or received, when approved) was decided.
    NominationDecided {
        /// The nomination.
        nomination: Nomination,
    },
    /// Someone claimed from a code I present.
    ClaimCounted {
        /// The claim code.
        claim_code_id: String,
        /// Claims so far.
        count: u64,
        /// The claimer's first name.
        first_name: String,
    },
    /// Events were missed beyond retention; lists were reloaded: refresh the screens.
    ResyncRequired,
    /// Another event type (newer server).
    Other {
        /// Its type.
        kind: String,
    },
    /// The stream stopped for good (e.g. signed out).
    Stopped {
        /// Why.
        error: ApiErrorKind,
    },
}

/// The `ApiError` case that stopped a stream (errors cannot be record fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ApiErrorKind {
    /// See `ApiError::SignedOut`.
    SignedOut,
    /// Anything else.
    Other,
}

fn event(item: StreamItem) -> AccoladeEvent {
    use accolade_proto::ws::event_type as t;
    match item {
        StreamItem::Connected { replayed } => AccoladeEvent::Connected { replayed },
        StreamItem::Disconnected { retry_in, .. } => AccoladeEvent::Disconnected {
            retry_in_ms: retry_in.as_millis() as u64,
        },
        StreamItem::ResyncRequired { .. } => AccoladeEvent::ResyncRequired,
        StreamItem::Stopped(e) => AccoladeEvent::Stopped {
            error: match e {
                ClientError::SignedOut => ApiErrorKind::SignedOut,
                _ => ApiErrorKind::Other,
            },
        },
        StreamItem::Event(m) => {
            let award =
                || serde_json::from_value::<accolade_proto::AwardEvent>(m.data.clone()).ok();
            let nom =
                || serde_json::from_value::<accolade_proto::NominationEvent>(m.data.clone()).ok();
            let other = AccoladeEvent::Other {
                kind: m.kind.clone(),
            };
            match m.kind.as_str() {
                t::AWARD_ISSUED => award().map_or(other, |e| AccoladeEvent::AwardIssued {
                    badge: badge(e.award, None),
                }),
                t::AWARD_REVOKED => award().map_or(other, |e| AccoladeEvent::AwardRevoked {
                    badge: badge(e.award, None),
                }),
                t::NOMINATION_CREATED => {
                    nom().map_or(other, |e| AccoladeEvent::NominationCreated {
                        nomination: e.nomination.into(),
                    })
                }
                t::NOMINATION_DECIDED => {
                    nom().map_or(other, |e| AccoladeEvent::NominationDecided {
                        nomination: e.nomination.into(),
                    })
                }
                t::CLAIM_COUNTED => serde_json::from_value::<accolade_proto::ClaimCounted>(
                    m.data.clone(),
                )
                .map_or(other, |c| AccoladeEvent::ClaimCounted {
                    claim_code_id: c.claim_code_id.to_string(),
                    count: c.count,
                    first_name: c.first_name,
                }),
                _ => other,
            }
        }
    }
}

// ---- Listener ------------------------------------------------------------------------------

/// Implemented by the app to receive live events (called on a library thread).
#[uniffi::export(foreign)]
pub trait EventListener: Send + Sync {
    /// One event.
    fn on_event(&self, event: AccoladeEvent);
}

/// A running background task (the event listener). Cancelling it, or dropping the handle
/// (Kotlin `close()`, Swift deinit, Python garbage collection), stops it.
#[derive(uniffi::Object)]
pub struct TaskHandle {
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

#[uniffi::export]
impl TaskHandle {
    /// Stops the task now.
    pub fn cancel(&self) {
        if let Some(t) = self.task.lock().unwrap_or_else(|e| e.into_inner()).take() {
            t.abort();
        }
    }

    /// True until the task ended or was cancelled.
    pub fn is_running(&self) -> bool {
        self.task
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .is_some_and(|t| !t.is_finished())
    }
}

impl Drop for TaskHandle {
    fn drop(&mut self) {
        self.cancel();
    }
}

// ---- The client ----------------------------------------------------------------------------

/// The Accolade client for one server and one signed-in person.
#[derive(uniffi::Object)]
pub struct AccoladeClient {
    client: accolade_client::Client,
}

#[uniffi::export]
impl AccoladeClient {
    /// A client for `server_url` (e.g. `https://badges.example.org`) keeping its offline data
    /// in the SQLite file `store_path` (in the app's private storage; `None`: memory only).
    /// Restores the saved session. No network I/O.
    #[uniffi::constructor]
    pub fn new(server_url: String, store_path: Option<String>) -> Result<Arc<Self>, ApiError> {
        if !(server_url.starts_with("https://") || server_url.starts_with("http://")) {
            return Err(ApiError::InvalidInput {
                field: "server_url".into(),
                reason: "must start with https://".into(),
            });
        }
        let mut config = ClientConfig::new(server_url);
        config.store_path = store_path.map(Into::into);
        let client = accolade_client::Client::new(config)?;
        Ok(Arc::new(AccoladeClient { client }))
    }

    /// The server URL.
    pub fn server_url(&self) -> String {
        self.client.base_url().to_owned()
    }

    /// The signed-in user as last known, without network; `None` when signed out.
    pub fn current_user(&self) -> Option<User> {
        self.client.current_user().map(Into::into)
    }

    /// Signs in with an e-mail or handle and a password (`school`: slug, only when asked).
    pub async fn sign_in_password(
        &self,
        login: String,
        password: String,
        school: Option<String>,
    ) -> Result<User, ApiError> {
        let c = self.client.clone();
        run(async move {
            c.sign_in_password(&login, &password, school.as_deref())
                .await
        })
        .await
        .map(Into::into)
    }

    /// Signs in with a sign-in card's code.
    pub async fn sign_in_card(&self, code: String) -> Result<User, ApiError> {
        let c = self.client.clone();
        run(async move { c.sign_in_card(&code).await })
            .await
            .map(Into::into)
    }

    /// Signs out and forgets all local data, including queued actions.
    pub async fn sign_out(&self) -> Result<(), ApiError> {
        let c = self.client.clone();
        run(async move { c.sign_out().await }).await
    }

    /// The signed-in user, from the server (last known when offline).
    pub async fn me(&self) -> Result<User, ApiError> {
        let c = self.client.clone();
        run(async move { c.me().await }).await.map(Into::into)
    }

    /// My badges, newest first, each with its baked PNG when available (downloaded once).
    pub async fn my_badges(&self) -> Result<BadgeList, ApiError> {
        let c = self.client.clone();
        run(async move {
            let list = c.my_awards().await?;
            let mut badges = Vec::with_capacity(list.items.len());
            for a in list.items {
                // A missing image (offline, never fetched) is not an error for the list.
                let png = c.baked_png(&a).await.ok();
                badges.push(badge(a, png));
            }
            Ok(BadgeList {
                badges,
                from_cache: list.from_cache,
            })
        })
        .await
    }

    /// One badge with its baked PNG.
    pub async fn badge_detail(&self, award_id: String) -> Result<Badge, ApiError> {
        let id = parse_id("award_id", &award_id)?;
        let c = self.client.clone();
        run(async move {
            let a = c.award(id).await?;
            let png = c.baked_png(&a).await?;
            Ok(badge(a, Some(png)))
        })
        .await
    }

    /// Verifies a baked badge (PNG or SVG bytes) against the issuer's hosted copy.
    /// `recipient`: the e-mail or profile URL it should belong to; `None`: the signed-in user.
    pub async fn verify_badge(
        &self,
        image: Vec<u8>,
        recipient: Option<String>,
    ) -> Result<Verification, ApiError> {
        let c = self.client.clone();
        run(async move {
            let v = c.verify(&image, recipient.as_deref()).await?;
            use accolade_client::Verdict as V;
            let (status, revocation_reason) = match v.verdict {
                V::Valid => (VerificationStatus::Valid, None),
                V::Revoked { reason } => (VerificationStatus::Revoked, reason),
                V::Expired => (VerificationStatus::Expired, None),
                V::WrongRecipient => (VerificationStatus::WrongRecipient, None),
                V::Tampered => (VerificationStatus::Tampered, None),
            };
            Ok(Verification {
                status,
                assertion_url: v.assertion_url,
                issued_on: v.issued_on.map(Into::into),
                expires: v.expires.map(Into::into),
                revocation_reason,
            })
        })
        .await
    }

    /// Badges I may nominate classmates for (peer-nominable, not archived, open to the school or
    /// to one of my classes).
    pub async fn nominable_badges(&self) -> Result<Vec<BadgeClassInfo>, ApiError> {
        let c = self.client.clone();
        run(async move {
            Ok(c.nominable_badges()
                .await?
                .into_iter()
                .map(|b| BadgeClassInfo {
                    id: b.id.to_string(),
                    name: b.name,
                    description: b.description,
                    image_url: b.image_url,
                })
                .collect())
        })
        .await
    }

    /// Students who share a class with me.
    pub async fn classmates(&self) -> Result<Vec<Person>, ApiError> {
        let c = self.client.clone();
        run(async move {
            Ok(c.classmates()
                .await?
                .into_iter()
                .map(|m| Person {
                    id: m.id.to_string(),
                    display_name: m.display_name,
                })
                .collect())
        })
        .await
    }

    /// Nominates classmates for a badge; queued when offline.
    pub async fn nominate(
        &self,
        badge_class_id: String,
        nominee_ids: Vec<String>,
        narrative: String,
        evidence_url: Option<String>,
    ) -> Result<NominateOutcome, ApiError> {
        let req = accolade_proto::CreateNominationRequest {
            badge_class_id: parse_id("badge_class_id", &badge_class_id)?,
            nominee_ids: nominee_ids
                .iter()
                .map(|i| parse_id("nominee_ids", i))
                .collect::<Result<_, _>>()?,
            class_id: None,
            narrative,
            evidence_url,
        };
        let c = self.client.clone();
        run(async move { c.nominate(req).await })
            .await
            .map(|s| match s {
                Sent::Done(r) => NominateOutcome::Sent {
                    nominations: r.nominations.into_iter().map(Into::into).collect(),
                    remaining_this_week: r.allowance.remaining,
                },
                Sent::Queued { key } => NominateOutcome::Queued { action_id: key },
            })
    }

    /// Nominations I made or received.
    pub async fn my_nominations(&self) -> Result<NominationList, ApiError> {
        let c = self.client.clone();
        run(async move { c.my_nominations().await })
            .await
            .map(|f| NominationList {
                nominations: f.items.into_iter().map(Into::into).collect(),
                from_cache: f.from_cache,
            })
    }

    /// Teachers: nominations waiting for my decision.
    pub async fn queue(&self) -> Result<NominationList, ApiError> {
        let c = self.client.clone();
        run(async move { c.queue().await })
            .await
            .map(|f| NominationList {
                nominations: f.items.into_iter().map(Into::into).collect(),
                from_cache: f.from_cache,
            })
    }

    /// Teachers: approves, rejects or returns a nomination; queued when offline.
    pub async fn decide(
        &self,
        nomination_id: String,
        decision: DecisionKind,
        reason: Option<String>,
    ) -> Result<DecideOutcome, ApiError> {
        let id = parse_id("nomination_id", &nomination_id)?;
        let decision = match decision {
            DecisionKind::Approve => accolade_proto::Decision::Approve,
            DecisionKind::Reject => accolade_proto::Decision::Reject,
            DecisionKind::Return => accolade_proto::Decision::Return,
        };
        let c = self.client.clone();
        run(async move { c.decide(id, decision, reason).await })
            .await
            .map(|s| match s {
                Sent::Done(n) => DecideOutcome::Decided {
                    nomination: n.into(),
                },
                Sent::Queued { key } => DecideOutcome::Queued { action_id: key },
            })
    }

    /// Does what a scanned QR code (or typed code) means: claims a badge (`/c/{token}`, or a
    /// typed `XXXX-XXXX`), accepts a classmate's offer (`/o/{token}`), or signs in with a
    /// sign-in card (`/signin/card/{code}`, or a typed `XXXX-XXXX-XXXX`).
    pub async fn handle_scan(&self, text: String) -> Result<ScanOutcome, ApiError> {
        let c = self.client.clone();
        run(async move { c.handle_scan(&text).await })
            .await
            .map(|r| match r {
                accolade_client::ScanResult::Claim(Sent::Done(c)) => ScanOutcome::Claimed {
                    badge: badge(c.award, None),
                    already_claimed: c.already_claimed,
                    title: c.title,
                },
                accolade_client::ScanResult::Claim(Sent::Queued { key }) => {
                    ScanOutcome::ClaimQueued { action_id: key }
                }
                accolade_client::ScanResult::Offer(o) => ScanOutcome::OfferAccepted {
                    nomination: o.nomination.into(),
                },
                accolade_client::ScanResult::SignedIn(me) => {
                    ScanOutcome::SignedIn { user: me.into() }
                }
            })
    }

    /// Offers a badge in person: show the returned QR to the classmate.
    pub async fn create_peer_offer(&self, badge_class_id: String) -> Result<PeerOffer, ApiError> {
        let id = parse_id("badge_class_id", &badge_class_id)?;
        let c = self.client.clone();
        run(async move { c.create_offer(id).await })
            .await
            .map(|o| PeerOffer {
                id: o.id.to_string(),
                badge_name: o.badge.name,
                url: o.url,
                expires_at: o.expires_at.into(),
                qr_svg: o.qr_svg,
            })
    }

    /// Teachers: my claim codes.
    pub async fn claim_codes(&self) -> Result<Vec<ClaimCodeInfo>, ApiError> {
        let c = self.client.clone();
        run(async move { c.claim_codes().await })
            .await
            .map(|codes| {
                codes
                    .into_iter()
                    .map(|c| ClaimCodeInfo {
                        id: c.id.to_string(),
                        title: c.title,
                        badge_name: c.badge.name,
                        mode: match c.mode {
                            accolade_proto::ClaimMode::Rotating => "rotating",
                            accolade_proto::ClaimMode::Static => "static",
                            accolade_proto::ClaimMode::Sheet => "sheet",
                        }
                        .into(),
                        claim_count: c.claim_count,
                    })
                    .collect()
            })
    }

    /// Teachers: the QR a claim code shows now (rotating codes change every few seconds).
    pub async fn claim_code_qr(&self, claim_code_id: String) -> Result<ClaimQr, ApiError> {
        let id = parse_id("claim_code_id", &claim_code_id)?;
        let c = self.client.clone();
        run(async move {
            let cur = c.claim_code_current(id).await?;
            let qr_svg = cur
                .url
                .as_deref()
                .map(|u| accolade_client::qr::svg(u, 512))
                .transpose()?;
            Ok(ClaimQr {
                url: cur.url,
                manual_code: cur.manual_code,
                qr_svg,
                seconds_left: cur.seconds_left,
            })
        })
        .await
    }

    /// Actions waiting for a connection, oldest first.
    pub fn queued_actions(&self) -> Result<Vec<QueuedAction>, ApiError> {
        Ok(self
            .client
            .queued_actions()?
            .into_iter()
            .map(|q| QueuedAction {
                action_id: q.key,
                kind: q.action.kind().into(),
                queued_at: q.queued_at,
            })
            .collect())
    }

    /// Sends the queued actions (call when back online) and reports each one's outcome.
    pub async fn flush_queue(&self) -> Result<Vec<ActionReport>, ApiError> {
        let c = self.client.clone();
        run(async move { c.flush().await }).await.map(|reports| {
            reports
                .into_iter()
                .map(|r| ActionReport {
                    action_id: r.key,
                    kind: r.action.kind().into(),
                    succeeded: r.result.is_ok(),
                    error_code: r.result.err().map(|e| match ApiError::from(e) {
                        ApiError::Conflict { code } | ApiError::NotAllowed { code } => code,
                        ApiError::InvalidInput { field, .. } => format!("invalid_input:{field}"),
                        ApiError::NotFound => "not_found".into(),
                        ApiError::SignedOut => "signed_out".into(),
                        ApiError::Offline { .. } => "offline".into(),
                        ApiError::Server => "server".into(),
                    }),
                })
                .collect()
        })
    }

    /// Any text as a QR code in SVG, at least `min_px` pixels wide.
    pub fn render_qr_svg(&self, text: String, min_px: u32) -> Result<String, ApiError> {
        Ok(accolade_client::qr::svg(&text, min_px)?)
    }

    /// Any text as a QR code in PNG, `scale` (1–64) pixels per module.
    pub fn render_qr_png(&self, text: String, scale: u32) -> Result<Vec<u8>, ApiError> {
        Ok(accolade_client::qr::png(&text, scale)?)
    }

    /// Starts delivering live events to `listener` (reconnecting and resuming by itself) until
    /// the returned handle is cancelled or dropped.
    pub fn listen(&self, listener: Arc<dyn EventListener>) -> Arc<TaskHandle> {
        let c = self.client.clone();
        let task = RUNTIME.spawn(async move {
            let mut stream = c.events();
            while let Some(item) = stream.next().await {
                listener.on_event(event(item));
            }
        });
        Arc::new(TaskHandle {
            task: Mutex::new(Some(task)),
        })
    }
}
