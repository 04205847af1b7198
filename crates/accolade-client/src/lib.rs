//! Accolade's client core, shared by the phone apps (through `accolade-ffi`), the end-to-end
//! tests and the benchmarks.
//!
//! * [`Client`]: the REST API (`/api/v1`, wire types from `accolade-proto`): sign-in with a
//!   password or a sign-in card, rotating refresh tokens (refreshed once on a 401 and retried),
//!   my badges, nominations, the teacher's queue and decisions, claims and peer offers.
//! * Offline-first: lists are cached in a local SQLite [`store`]; while the server cannot be
//!   reached they are served from it, and nominations, decisions and claims of static or sheet
//!   codes are queued with an `Idempotency-Key` ([`Client::flush`] sends them and reports each
//!   outcome). Rotating codes (and typed codes, which may rotate) need a connection:
//!   [`ClientError::NeedsConnection`].
//! * [`events`]: the WebSocket event stream (`docs/protocol.md`) with reconnect, back-off and
//!   resume from the last `seq`.
//! * [`verify`]: verifying a baked badge against its hosted assertion.
//! * [`scan`]: every QR code Accolade prints; [`qr`]: rendering QR codes.

pub mod error;
pub mod events;
pub mod outbox;
pub mod qr;
pub mod scan;
pub mod store;
pub mod verify;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use accolade_proto::{
    AcceptOfferRequest, AcceptOfferResponse, Award, BadgeClass, CardSignInRequest, ClaimCode,
    ClaimCodeCurrent, ClaimRequest, ClaimResponse, Class, Classmate, CreateNominationRequest,
    CreateNominationsResponse, CreateOfferRequest, Decision, DecisionRequest, LoginRequest,
    LogoutRequest, Me, Nomination, Page, PeerOffer, Problem, RefreshRequest, TokenResponse,
    WsTicket,
};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

pub use error::{ClientError, Result};
pub use events::{EventStream, StreamItem};
pub use outbox::{Action, ActionResult, FlushReport, Queued};
pub use scan::Scan;
pub use store::{NominationList, Store};
pub use verify::{Verdict, Verification};

/// How to build a [`Client`].
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The server's public URL, e.g. `https://badges.example.org` (no `/api/v1`).
    pub base_url: String,
    /// The local store file; `None` keeps everything in memory (tests, benchmarks).
    pub store_path: Option<PathBuf>,
    /// Timeout of one HTTP request.
    pub timeout: Duration,
}

impl ClientConfig {
    /// Defaults for `base_url`: in-memory store, 20 s timeout.
    pub fn new(base_url: impl Into<String>) -> ClientConfig {
        ClientConfig {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            store_path: None,
            timeout: Duration::from_secs(20),
        }
    }
}

/// A result that may come from the local store because the server could not be reached.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched<T> {
    /// The items.
    pub items: Vec<T>,
    /// True when served from the store while offline (possibly stale).
    pub from_cache: bool,
}

/// The outcome of an action that may be queued while offline.
#[derive(Debug, Clone, PartialEq)]
pub enum Sent<T> {
    /// Done now, with the server's answer.
    Done(T),
    /// Queued (the server could not be reached); `key` is its `Idempotency-Key` and the id
    /// [`Client::flush`] reports it under.
    Queued {
        /// The action's key.
        key: String,
    },
}

/// The signed-in session, persisted in the store so a restarted app stays signed in.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Session {
    access: String,
    refresh: String,
    me: Me,
}

const SESSION_KEY: &str = "session";
const LAST_SEQ_KEY: &str = "last_seq";
/// Most pages fetched for one list (bounded so a server bug cannot loop forever).
const MAX_PAGES: usize = 100;

struct Inner {
    base: String,
    http: reqwest::Client,
    store: Store,
    session: Mutex<Option<Session>>,
    /// One refresh at a time: refresh tokens are single use.
    refresh_gate: tokio::sync::Mutex<()>,
}

/// The Accolade client. Cheap to clone (shared state); safe to use from many tasks.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.inner.base)
            .finish()
    }
}

fn is_unauthenticated(status: StatusCode, problem: &Option<Problem>) -> bool {
    status == StatusCode::UNAUTHORIZED
        && problem
            .as_ref()
            .is_some_and(|p| p.code == accolade_proto::ErrorCode::Unauthenticated)
}

impl Client {
    /// Opens the store and restores a saved session, if any. Does no network I/O.
    pub fn new(config: ClientConfig) -> Result<Client> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("accolade-client/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::Protocol(e.to_string()))?;
        let store = Store::open(config.store_path.as_deref())?;
        let session = store
            .get_meta(SESSION_KEY)?
            .and_then(|s| serde_json::from_str::<Session>(&s).ok());
        Ok(Client {
            inner: Arc::new(Inner {
                base: config.base_url.trim_end_matches('/').to_owned(),
                http,
                store,
                session: Mutex::new(session),
                refresh_gate: tokio::sync::Mutex::new(()),
            }),
        })
    }

    /// The server URL this client talks to.
    pub fn base_url(&self) -> &str {
        &self.inner.base
    }

    /// The local store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    fn session(&self) -> Option<Session> {
        self.inner
            .session
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn set_session(&self, s: Option<Session>) -> Result<()> {
        let text = s.as_ref().map(serde_json::to_string).transpose();
        let text = text.map_err(|e| ClientError::Protocol(e.to_string()))?;
        self.inner.store.set_meta(SESSION_KEY, text.as_deref())?;
        *self.inner.session.lock().unwrap_or_else(|e| e.into_inner()) = s;
        Ok(())
    }

    /// The signed-in user as last known (no network), or `None` when signed out.
    pub fn current_user(&self) -> Option<Me> {
        self.session().map(|s| s.me)
    }

    /// The current access token (for tools and tests that need raw access).
    pub fn access_token(&self) -> Option<String> {
        self.session().map(|s| s.access)
    }

    // ---- HTTP plumbing -------------------------------------------------------------------

    fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.inner.base)
    }

    /// One request; returns the status, the problem (for errors) and the body.
    async fn send_raw(
        &self,
        method: Method,
        url: &str,
        token: Option<&str>,
        body: Option<&Value>,
        key: Option<&str>,
    ) -> Result<(StatusCode, Option<Problem>, Vec<u8>)> {
        let mut req = self.inner.http.request(method, url);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(k) = key {
            req = req.header("Idempotency-Key", k);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let res = req.send().await?;
        let status = res.status();
        let bytes = res.bytes().await?.to_vec();
        let problem = if status.is_success() {
            None
        } else {
            serde_json::from_slice::<Problem>(&bytes).ok()
        };
        Ok((status, problem, bytes))
    }

    fn api_error(status: StatusCode, problem: Option<Problem>) -> ClientError {
        let problem = problem.unwrap_or_else(|| {
            let code = if status.is_server_error() {
                accolade_proto::ErrorCode::Internal
            } else if status == StatusCode::NOT_FOUND {
                accolade_proto::ErrorCode::NotFound
            } else {
                accolade_proto::ErrorCode::MalformedBody
            };
            Problem::new(code, status.as_u16(), status.as_str(), None)
        });
        ClientError::Api {
            status: status.as_u16(),
            problem: Box::new(problem),
        }
    }

    /// An authenticated API call: a 401 `unauthenticated` refreshes the tokens once and
    /// retries. The body of a 2xx is decoded as `T` (`()` for 204).
    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        key: Option<&str>,
    ) -> Result<T> {
        let url = self.url(path);
        let session = self.session().ok_or(ClientError::SignedOut)?;
        let (mut status, mut problem, mut bytes) = self
            .send_raw(method.clone(), &url, Some(&session.access), body, key)
            .await?;
        if is_unauthenticated(status, &problem) {
            let access = self.refresh(&session.access).await?;
            (status, problem, bytes) = self
                .send_raw(method, &url, Some(&access), body, key)
                .await?;
        }
        if !status.is_success() {
            return Err(Self::api_error(status, problem));
        }
        let bytes = if bytes.is_empty() {
            b"null".to_vec()
        } else {
            bytes
        };
        serde_json::from_slice(&bytes).map_err(|e| ClientError::Protocol(format!("{path}: {e}")))
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        self.call(Method::GET, path, None, None).await
    }

    async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
        key: Option<&str>,
    ) -> Result<T> {
        let v = serde_json::to_value(body).map_err(|e| ClientError::Protocol(e.to_string()))?;
        self.call(Method::POST, path, Some(&v), key).await
    }

    async fn get_all<T: DeserializeOwned>(&self, path: &str) -> Result<Vec<T>> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let sep = if path.contains('?') { '&' } else { '?' };
            let page_path = match &cursor {
                Some(c) => format!("{path}{sep}limit=100&cursor={c}"),
                None => format!("{path}{sep}limit=100"),
            };
            let page: Page<T> = self.get(&page_path).await?;
            out.extend(page.items);
            match page.next_cursor {
                Some(c) if !c.is_empty() => cursor = Some(c),
                _ => return Ok(out),
            }
        }
        Ok(out)
    }

    /// Refreshes the tokens unless another task already did since `stale_access` was used.
    /// Returns the access token to use. A refused refresh signs out ([`ClientError::SignedOut`]).
    pub async fn refresh(&self, stale_access: &str) -> Result<String> {
        let _gate = self.inner.refresh_gate.lock().await;
        let session = self.session().ok_or(ClientError::SignedOut)?;
        if session.access != stale_access {
            return Ok(session.access);
        }
        let body = serde_json::to_value(RefreshRequest {
            refresh_token: session.refresh.clone(),
        })
        .map_err(|e| ClientError::Protocol(e.to_string()))?;
        let (status, problem, bytes) = self
            .send_raw(
                Method::POST,
                &self.url("/auth/refresh"),
                None,
                Some(&body),
                None,
            )
            .await?;
        if status == StatusCode::UNAUTHORIZED {
            // The session ended (logout elsewhere, revocation, or the refresh token was reused).
            self.forget()?;
            return Err(ClientError::SignedOut);
        }
        if !status.is_success() {
            return Err(Self::api_error(status, problem));
        }
        let t: TokenResponse = serde_json::from_slice(&bytes)
            .map_err(|e| ClientError::Protocol(format!("refresh: {e}")))?;
        let access = t.access_token.clone();
        self.set_session(Some(Session {
            access: t.access_token,
            refresh: t.refresh_token,
            me: t.user,
        }))?;
        Ok(access)
    }

    // ---- Sign-in --------------------------------------------------------------------------

    async fn signed_in(&self, path: &str, body: Value) -> Result<Me> {
        let (status, problem, bytes) = self
            .send_raw(Method::POST, &self.url(path), None, Some(&body), None)
            .await?;
        if !status.is_success() {
            return Err(Self::api_error(status, problem));
        }
        let t: TokenResponse = serde_json::from_slice(&bytes)
            .map_err(|e| ClientError::Protocol(format!("sign-in: {e}")))?;
        // Another person on this phone: nothing of the previous one stays.
        if self.current_user().map(|m| m.id) != Some(t.user.id) {
            self.inner.store.clear()?;
        }
        let me = t.user.clone();
        self.set_session(Some(Session {
            access: t.access_token,
            refresh: t.refresh_token,
            me: t.user,
        }))?;
        Ok(me)
    }

    /// `POST /api/v1/auth/login` with an e-mail or handle and a password (`school` slug when
    /// the e-mail exists in several schools).
    pub async fn sign_in_password(
        &self,
        login: &str,
        password: &str,
        school: Option<&str>,
    ) -> Result<Me> {
        let body = serde_json::to_value(LoginRequest {
            login: login.to_owned(),
            password: password.to_owned(),
            school: school.map(str::to_owned),
        })
        .map_err(|e| ClientError::Protocol(e.to_string()))?;
        self.signed_in("/auth/login", body).await
    }

    /// `POST /api/v1/auth/card` with the code of a sign-in card (typed, or from its QR).
    pub async fn sign_in_card(&self, code: &str) -> Result<Me> {
        let body = serde_json::to_value(CardSignInRequest {
            code: code.to_owned(),
        })
        .map_err(|e| ClientError::Protocol(e.to_string()))?;
        self.signed_in("/auth/card", body).await
    }

    fn forget(&self) -> Result<()> {
        self.inner.store.clear()?;
        *self.inner.session.lock().unwrap_or_else(|e| e.into_inner()) = None;
        Ok(())
    }

    /// Ends the session on the server (best effort: also when offline) and forgets everything
    /// stored locally, including queued actions.
    pub async fn sign_out(&self) -> Result<()> {
        if let Some(s) = self.session() {
            let body = serde_json::to_value(LogoutRequest {
                refresh_token: Some(s.refresh.clone()),
            })
            .map_err(|e| ClientError::Protocol(e.to_string()))?;
            let _ = self
                .send_raw(
                    Method::POST,
                    &self.url("/auth/logout"),
                    Some(&s.access),
                    Some(&body),
                    None,
                )
                .await;
        }
        self.forget()
    }

    /// `GET /api/v1/me`; offline, the user as last known.
    pub async fn me(&self) -> Result<Me> {
        match self.get::<Me>("/me").await {
            Ok(me) => {
                if let Some(mut s) = self.session() {
                    s.me = me.clone();
                    self.set_session(Some(s))?;
                }
                Ok(me)
            }
            Err(e) if e.is_offline() => self.current_user().ok_or(e),
            Err(e) => Err(e),
        }
    }

    // ---- Badges ---------------------------------------------------------------------------

    /// My awards (`GET /api/v1/me/awards`, all pages), newest first; cached for offline use.
    pub async fn my_awards(&self) -> Result<Fetched<Award>> {
        match self.get_all::<Award>("/me/awards").await {
            Ok(items) => {
                let rows = items.iter().map(award_row).collect::<Result<Vec<_>>>()?;
                self.inner.store.replace_awards(&rows)?;
                Ok(Fetched {
                    items,
                    from_cache: false,
                })
            }
            Err(e) if e.is_offline() => Ok(Fetched {
                items: decode_all(self.inner.store.awards()?)?,
                from_cache: true,
            }),
            Err(e) => Err(e),
        }
    }

    /// One award (`GET /api/v1/awards/{id}`); offline, the cached copy.
    pub async fn award(&self, id: Uuid) -> Result<Award> {
        match self.get::<Award>(&format!("/awards/{id}")).await {
            Ok(a) => Ok(a),
            Err(e) if e.is_offline() => {
                let cached: Vec<Award> = decode_all(self.inner.store.awards()?)?;
                cached.into_iter().find(|a| a.id == id).ok_or(e)
            }
            Err(e) => Err(e),
        }
    }

    /// The award's baked PNG (the badge image with its assertion inside, OB 2.0 Baking),
    /// downloaded once and then served from the store.
    pub async fn baked_png(&self, award: &Award) -> Result<Vec<u8>> {
        let id = award.id.to_string();
        if let Some(png) = self.inner.store.baked_png(&id)? {
            return Ok(png);
        }
        let bytes = self.download(&award.baked_png_url).await?;
        self.inner.store.set_baked_png(&id, &bytes)?;
        Ok(bytes)
    }

    async fn download(&self, url: &str) -> Result<Vec<u8>> {
        let (status, problem, bytes) = self.send_raw(Method::GET, url, None, None, None).await?;
        if !status.is_success() {
            return Err(Self::api_error(status, problem));
        }
        Ok(bytes)
    }

    /// Badge classes I can see (`GET /api/v1/badge-classes`).
    pub async fn badge_classes(&self) -> Result<Vec<BadgeClass>> {
        self.get("/badge-classes").await
    }

    /// The badges I can nominate a classmate for: peer-nominable, not archived, and open to the
    /// whole school or to one of my classes (the server refuses the others).
    pub async fn nominable_badges(&self) -> Result<Vec<BadgeClass>> {
        let mine: Vec<Uuid> = self.classes().await?.into_iter().map(|c| c.id).collect();
        Ok(self
            .badge_classes()
            .await?
            .into_iter()
            .filter(|b| b.peer_nominable && !b.archived)
            .filter(|b| {
                b.scope == accolade_proto::BadgeScope::School
                    || b.class_ids.iter().any(|id| mine.contains(id))
            })
            .collect())
    }

    /// My classes (`GET /api/v1/classes`).
    pub async fn classes(&self) -> Result<Vec<Class>> {
        self.get("/classes").await
    }

    /// Members of one of my classes (`GET /api/v1/classes/{id}/members`).
    pub async fn class_members(&self, class_id: Uuid) -> Result<Vec<Classmate>> {
        self.get(&format!("/classes/{class_id}/members")).await
    }

    /// The students who share a class with me (whom I can nominate), without me, each once,
    /// sorted by display name.
    pub async fn classmates(&self) -> Result<Vec<Classmate>> {
        let me = self.current_user().ok_or(ClientError::SignedOut)?;
        let mut out: Vec<Classmate> = Vec::new();
        for class in self.classes().await? {
            for m in self.class_members(class.id).await? {
                if m.role == accolade_proto::Role::Student
                    && m.id != me.id
                    && !out.iter().any(|o| o.id == m.id)
                {
                    out.push(m);
                }
            }
        }
        out.sort_by(|a, b| a.display_name.cmp(&b.display_name));
        Ok(out)
    }

    // ---- Nominations ----------------------------------------------------------------------

    async fn cached_list(&self, list: NominationList, path: &str) -> Result<Fetched<Nomination>> {
        match self.get_all::<Nomination>(path).await {
            Ok(items) => {
                let rows = items
                    .iter()
                    .map(nomination_row)
                    .collect::<Result<Vec<_>>>()?;
                self.inner.store.replace_nominations(list, &rows)?;
                Ok(Fetched {
                    items,
                    from_cache: false,
                })
            }
            Err(e) if e.is_offline() => Ok(Fetched {
                items: decode_all(self.inner.store.nominations(list)?)?,
                from_cache: true,
            }),
            Err(e) => Err(e),
        }
    }

    /// Nominations I made or received (`GET /api/v1/nominations`); cached.
    pub async fn my_nominations(&self) -> Result<Fetched<Nomination>> {
        self.cached_list(NominationList::Mine, "/nominations").await
    }

    /// Nominations waiting for me (teachers; `GET /api/v1/nominations/queue`); cached.
    pub async fn queue(&self) -> Result<Fetched<Nomination>> {
        self.cached_list(NominationList::Queue, "/nominations/queue")
            .await
    }

    /// Nominates classmates (`POST /api/v1/nominations` with an `Idempotency-Key`); queued
    /// when the server cannot be reached.
    pub async fn nominate(
        &self,
        req: CreateNominationRequest,
    ) -> Result<Sent<CreateNominationsResponse>> {
        Ok(match self.act(Action::Nominate(req)).await? {
            Sent::Done(ActionResult::Nominated(r)) => Sent::Done(r),
            Sent::Done(_) => return Err(mismatch()),
            Sent::Queued { key } => Sent::Queued { key },
        })
    }

    /// Decides a nomination (teachers; `POST /api/v1/nominations/{id}/decision` with an
    /// `Idempotency-Key`); queued when offline (and taken out of the cached queue at once).
    pub async fn decide(
        &self,
        nomination_id: Uuid,
        decision: Decision,
        reason: Option<String>,
    ) -> Result<Sent<Nomination>> {
        let res = self
            .act(Action::Decide {
                nomination_id,
                request: DecisionRequest { decision, reason },
            })
            .await?;
        self.inner
            .store
            .remove_nomination(NominationList::Queue, &nomination_id.to_string())?;
        Ok(match res {
            Sent::Done(ActionResult::Decided(n)) => Sent::Done(n),
            Sent::Done(_) => return Err(mismatch()),
            Sent::Queued { key } => Sent::Queued { key },
        })
    }

    // ---- Claims and offers ----------------------------------------------------------------

    /// Claims a badge with a scanned claim URL/token or a typed code (`POST /api/v1/claims`).
    /// Static and sheet tokens are queued while offline; rotating tokens and typed codes are
    /// refused with [`ClientError::NeedsConnection`].
    pub async fn claim(&self, text: &str) -> Result<Sent<ClaimResponse>> {
        let req = match scan::parse(&self.inner.base, text) {
            Some(Scan::Claim { token }) => ClaimRequest {
                token: Some(token),
                code: None,
            },
            Some(Scan::ManualClaim { code }) => ClaimRequest {
                token: None,
                code: Some(code),
            },
            _ => {
                // A bare token (as `POST /claims` accepts).
                let t = text.trim();
                if t.is_empty() || t.len() > 200 || t.contains('/') {
                    return Err(ClientError::UnknownScan(t.chars().take(80).collect()));
                }
                ClaimRequest {
                    token: Some(t.to_owned()),
                    code: None,
                }
            }
        };
        let res = self.act(Action::Claim(req)).await?;
        Ok(match res {
            Sent::Done(ActionResult::Claimed(c)) => Sent::Done(c),
            Sent::Done(_) => return Err(mismatch()),
            Sent::Queued { key } => Sent::Queued { key },
        })
    }

    /// Offers a peer-nominable badge in person (`POST /api/v1/offers`): the offer's QR is in
    /// `qr_svg`. Needs a connection.
    pub async fn create_offer(&self, badge_class_id: Uuid) -> Result<PeerOffer> {
        self.post("/offers", &CreateOfferRequest { badge_class_id }, None)
            .await
    }

    /// Accepts a classmate's offer (`POST /api/v1/offers/accept`, token or URL). Needs a
    /// connection (offers live ten minutes).
    pub async fn accept_offer(&self, token: &str) -> Result<AcceptOfferResponse> {
        self.post(
            "/offers/accept",
            &AcceptOfferRequest {
                token: token.to_owned(),
            },
            None,
        )
        .await
        .map_err(|e| {
            if e.is_offline() {
                ClientError::NeedsConnection("accepting an offer")
            } else {
                e
            }
        })
    }

    /// Claim codes I run (teachers; `GET /api/v1/claim-codes`).
    pub async fn claim_codes(&self) -> Result<Vec<ClaimCode>> {
        self.get("/claim-codes").await
    }

    /// What a claim code's projector shows now (`GET /api/v1/claim-codes/{id}/current`).
    pub async fn claim_code_current(&self, id: Uuid) -> Result<ClaimCodeCurrent> {
        self.get(&format!("/claim-codes/{id}/current")).await
    }

    /// A single-use WebSocket ticket (`POST /api/v1/ws-ticket`).
    pub async fn ws_ticket(&self) -> Result<WsTicket> {
        self.post("/ws-ticket", &serde_json::json!({}), None).await
    }

    /// Does what a scanned QR code (or typed code) means: claims a badge, accepts a peer offer,
    /// or signs in with a sign-in card.
    pub async fn handle_scan(&self, text: &str) -> Result<ScanResult> {
        match scan::parse(&self.inner.base, text) {
            Some(Scan::Claim { .. }) | Some(Scan::ManualClaim { .. }) => {
                Ok(ScanResult::Claim(self.claim(text).await?))
            }
            Some(Scan::Offer { token }) => Ok(ScanResult::Offer(self.accept_offer(&token).await?)),
            Some(Scan::SignInCard { code }) => {
                Ok(ScanResult::SignedIn(self.sign_in_card(&code).await?))
            }
            None => Err(ClientError::UnknownScan(
                text.trim().chars().take(80).collect(),
            )),
        }
    }

    // ---- Verification ---------------------------------------------------------------------

    /// Verifies a baked badge (PNG or SVG bytes) against its hosted assertion. `recipient`:
    /// the e-mail or profile URL it should belong to; `None` checks it belongs to the signed-in
    /// user (their e-mail, or `{server}/@{handle}`), or skips the recipient check when signed out.
    pub async fn verify(&self, image: &[u8], recipient: Option<&str>) -> Result<Verification> {
        let (baked, url) = verify::unbake(image)?;
        let (status, _problem, bytes) = self.send_raw(Method::GET, &url, None, None, None).await?;
        let hosted = match status {
            StatusCode::GONE => {
                verify::Hosted::Gone(serde_json::from_slice::<Value>(&bytes).ok().and_then(|v| {
                    v.get("revocationReason")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                }))
            }
            StatusCode::NOT_FOUND => verify::Hosted::Missing,
            s if s.is_success() => verify::Hosted::Found(
                serde_json::from_slice(&bytes)
                    .map_err(|e| ClientError::Protocol(format!("hosted assertion: {e}")))?,
            ),
            s => return Err(Self::api_error(s, None)),
        };
        let identities = match recipient {
            Some(r) => vec![r.to_owned()],
            None => match self.current_user() {
                Some(me) => {
                    let origin = origin(&url).unwrap_or(&self.inner.base);
                    let mut ids = vec![format!("{origin}/@{}", me.handle)];
                    ids.extend(me.email);
                    ids
                }
                None => Vec::new(),
            },
        };
        Ok(verify::check(
            baked.as_ref(),
            &url,
            &hosted,
            &identities,
            chrono::Utc::now(),
        ))
    }

    // ---- Offline queue and events ---------------------------------------------------------

    /// The last event `seq` processed (resume point of the event stream).
    pub fn last_seq(&self) -> Result<Option<i64>> {
        Ok(self
            .inner
            .store
            .get_meta(LAST_SEQ_KEY)?
            .and_then(|s| s.parse().ok()))
    }

    fn set_last_seq(&self, seq: i64) -> Result<()> {
        self.inner
            .store
            .set_meta(LAST_SEQ_KEY, Some(&seq.to_string()))
    }

    /// The event stream: connects now and keeps reconnecting (with back-off, resuming from the
    /// last `seq`) until the returned stream is dropped or a fatal error is reported.
    pub fn events(&self) -> EventStream {
        events::spawn(self.clone())
    }
}

/// What [`Client::handle_scan`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum ScanResult {
    /// A claim code: the claim (or its place in the offline queue).
    Claim(Sent<ClaimResponse>),
    /// A peer offer: the nomination made from it.
    Offer(AcceptOfferResponse),
    /// A sign-in card: now signed in as this user.
    SignedIn(Me),
}

fn mismatch() -> ClientError {
    // `act` answers each action with its own result kind; anything else is a bug here.
    ClientError::Protocol("action answered with another action's result".into())
}

fn origin(url: &str) -> Option<&str> {
    let after = url.find("://")? + 3;
    let end = url[after..].find('/').map_or(url.len(), |i| after + i);
    Some(&url[..end])
}

fn award_row(a: &Award) -> Result<(String, String, String)> {
    Ok((
        a.id.to_string(),
        serde_json::to_string(a).map_err(|e| ClientError::Protocol(e.to_string()))?,
        a.issued_on.to_rfc3339(),
    ))
}

fn nomination_row(n: &Nomination) -> Result<(String, String, String)> {
    Ok((
        n.id.to_string(),
        serde_json::to_string(n).map_err(|e| ClientError::Protocol(e.to_string()))?,
        n.created_at.to_rfc3339(),
    ))
}

fn decode_all<T: DeserializeOwned>(rows: Vec<String>) -> Result<Vec<T>> {
    rows.iter()
        .map(|r| serde_json::from_str(r).map_err(|e| ClientError::Protocol(format!("store: {e}"))))
        .collect()
}
