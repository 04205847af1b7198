//! `POST /api/v1/ws-ticket` and `GET /api/v1/ws`: the realtime event stream (protocol in
//! `docs/protocol.md`, types in `accolade_proto::ws`).

use std::time::Duration;

use accolade_proto::ws::close;
use accolade_proto::{
    ClientMessage, Hello, Ready, ResyncRequired, ServerMessage, WsTicket, PROTOCOL_VERSION,
};
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Json;
use chrono::Utc;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiQuery, AuthUser};
use crate::realtime::Outgoing;
use crate::state::AppState;
use crate::tokens::{hash_secret, random_token};

/// Ticket lifetime in seconds.
pub const TICKET_TTL_SECS: u64 = 60;
/// Interval between server pings.
pub const PING_INTERVAL: Duration = Duration::from_secs(30);
/// Events sent per database page while replaying a backlog.
const REPLAY_PAGE: u64 = 500;

/// Get a single-use ticket (valid 60 s) to open the event stream from a browser.
#[utoipa::path(post, path = "/api/v1/ws-ticket", tag = "realtime",
    responses((status = 200, body = WsTicket), (status = 401, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn ticket(State(state): State<AppState>, auth: AuthUser) -> ApiResult<Json<WsTicket>> {
    let secret = random_token(32);
    let access_exp = chrono::DateTime::from_timestamp(auth.claims.exp, 0).unwrap_or_else(Utc::now);
    let txn = state.db.begin_write().await?;
    accolade_db::events::insert_ticket(
        &*txn,
        hash_secret(&secret),
        auth.id(),
        auth.claims.sid,
        accolade_db::ts(access_exp),
        accolade_db::ts(Utc::now() + chrono::Duration::seconds(TICKET_TTL_SECS as i64)),
    )
    .await?;
    txn.commit().await?;
    Ok(Json(WsTicket {
        ticket: secret,
        expires_in: TICKET_TTL_SECS,
    }))
}

/// Query of `GET /api/v1/ws`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WsQuery {
    /// A ticket from `POST /api/v1/ws-ticket` (browsers); others may send
    /// `Authorization: Bearer` instead.
    pub ticket: Option<String>,
    /// Resume after this `seq`: first the stored events after it, in order, then live events.
    pub last_seq: Option<i64>,
    /// Protocol version (default 1).
    pub v: Option<u32>,
}

struct Ctx {
    user_id: Uuid,
    session_id: Uuid,
    access_exp: chrono::DateTime<Utc>,
}

/// Open the event stream (WebSocket). The handshake is refused with 401 for a missing, used,
/// expired or forged ticket or token (including `alg: none`).
#[utoipa::path(get, path = "/api/v1/ws", tag = "realtime", params(WsQuery),
    responses((status = 101, description = "switching to the WebSocket protocol"),
              (status = 401, body = accolade_proto::Problem)))]
pub async fn connect(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<WsQuery>,
    ws: WebSocketUpgrade,
) -> ApiResult<Response> {
    if q.v.is_some_and(|v| v != PROTOCOL_VERSION) {
        return Err(ApiError::field(
            "v",
            format!("protocol version {PROTOCOL_VERSION} is supported"),
        ));
    }
    let ctx = match (&q.ticket, headers.get(axum::http::header::AUTHORIZATION)) {
        (Some(t), _) => {
            if t.len() > 256 {
                return Err(ApiError::Unauthenticated("invalid ticket"));
            }
            let txn = state.db.begin_write().await?;
            let ticket = accolade_db::events::consume_ticket(&*txn, &hash_secret(t))
                .await?
                .ok_or(ApiError::Unauthenticated("invalid or expired ticket"))?;
            txn.commit().await?;
            let session = accolade_db::auth::session(state.db.conn(), ticket.session_id)
                .await?
                .filter(|s| s.revoked_at.is_none())
                .ok_or(ApiError::Unauthenticated("session ended"))?;
            accolade_db::users::by_id_unscoped(state.db.conn(), ticket.user_id)
                .await?
                .filter(|u| u.active)
                .ok_or(ApiError::Unauthenticated("account is not active"))?;
            Ctx {
                user_id: ticket.user_id,
                session_id: session.id,
                access_exp: ticket.access_expires_at.with_timezone(&Utc),
            }
        }
        (None, Some(h)) => {
            let token = h
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .ok_or(ApiError::Unauthenticated("expected a bearer token"))?;
            let auth = crate::extract::authenticate(&state, token.trim()).await?;
            Ctx {
                user_id: auth.id(),
                session_id: auth.claims.sid,
                access_exp: chrono::DateTime::from_timestamp(auth.claims.exp, 0)
                    .unwrap_or_else(Utc::now),
            }
        }
        (None, None) => {
            return Err(ApiError::Unauthenticated(
                "a ticket or bearer token is required",
            ))
        }
    };
    let last_seq = q.last_seq.filter(|s| *s >= 0);
    let leeway = state.config.jwt_leeway_secs;
    Ok(ws
        // Small read buffer: idle connections are the common case (it grows for a big frame).
        .read_buffer_size(512)
        .write_buffer_size(0)
        .max_message_size(64 * 1024)
        .max_frame_size(64 * 1024)
        .on_upgrade(move |socket| async move {
            run(socket, state, ctx, last_seq, leeway).await;
        }))
}

fn text(msg: &ServerMessage) -> Message {
    Message::Text(Utf8Bytes::from(
        serde_json::to_string(msg).unwrap_or_default(),
    ))
}

fn control<T: serde::Serialize>(kind: &str, data: &T) -> Message {
    text(&ServerMessage {
        kind: kind.to_owned(),
        seq: None,
        data: serde_json::to_value(data).unwrap_or_default(),
    })
}

/// The wire shape of [`ServerMessage`] for a stored event, with the payload copied through
/// as stored JSON text rather than parsed and printed again for every recipient.
#[derive(serde::Serialize)]
struct EventOut<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    seq: i64,
    data: &'a serde_json::value::RawValue,
}

fn event_message(e: &accolade_db::events::StoredEvent) -> Message {
    let text = serde_json::from_str::<&serde_json::value::RawValue>(&e.data)
        .and_then(|data| {
            serde_json::to_string(&EventOut {
                kind: &e.event_type,
                seq: e.seq,
                data,
            })
        })
        .unwrap_or_else(|err| {
            tracing::error!(error = %err, seq = e.seq, "stored event payload is not JSON");
            serde_json::to_string(&ServerMessage {
                kind: e.event_type.clone(),
                seq: Some(e.seq),
                data: serde_json::Value::Null,
            })
            .unwrap_or_default()
        });
    Message::Text(Utf8Bytes::from(text))
}

async fn close_with(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code,
            reason: Utf8Bytes::from_static(reason),
        })))
        .await;
}

/// Sends stored events after `from` (in pages) until caught up; returns the last seq sent.
async fn replay(
    socket: &mut WebSocket,
    state: &AppState,
    user: Uuid,
    mut from: i64,
) -> Result<(i64, u64), ()> {
    let mut sent = 0;
    loop {
        let page = accolade_db::events::for_user_after(state.db.conn(), user, from, REPLAY_PAGE)
            .await
            .map_err(|e| tracing::warn!(error = %e, "replay failed"))?;
        let n = page.len() as u64;
        for e in &page {
            socket.send(event_message(e)).await.map_err(|_| ())?;
            from = e.seq;
            sent += 1;
        }
        if n < REPLAY_PAGE {
            return Ok((from, sent));
        }
    }
}

async fn run(mut socket: WebSocket, state: AppState, ctx: Ctx, last_seq: Option<i64>, leeway: u64) {
    // Register first, so nothing committed from now on is missed; the seq check below drops
    // what the backlog already covered.
    let mut reg = state.hub.register(ctx.user_id, ctx.session_id);
    let mut shutdown = state.shutdown.subscribe();
    if *shutdown.borrow() {
        close_with(&mut socket, close::GOING_AWAY, "server shutting down").await;
        return;
    }
    let (oldest, latest) =
        match Box::pin(accolade_db::events::bounds(state.db.conn(), ctx.user_id)).await {
            Ok(b) => b,
            Err(_) => return close_with(&mut socket, 1011, "try again").await,
        };
    let hello = Hello {
        protocol: PROTOCOL_VERSION,
        user_id: ctx.user_id,
        latest_seq: latest,
    };
    if socket.send(control("hello", &hello)).await.is_err() {
        return;
    }
    let mut sent_upto = match last_seq {
        None => latest,
        Some(last) if oldest.is_some_and(|o| last + 1 < o) || last > latest => {
            if socket
                .send(control("resync_required", &ResyncRequired { seq: latest }))
                .await
                .is_err()
            {
                return;
            }
            latest
        }
        // Boxed: the catch-up future is big and only lives briefly; inline it would sit in
        // every idle connection's task.
        Some(last) => match Box::pin(replay(&mut socket, &state, ctx.user_id, last)).await {
            Ok((upto, replayed)) => {
                if socket
                    .send(control(
                        "ready",
                        &Ready {
                            seq: upto,
                            replayed,
                        },
                    ))
                    .await
                    .is_err()
                {
                    return;
                }
                upto
            }
            Err(()) => return,
        },
    };
    if last_seq.is_none() {
        let ready = Ready {
            seq: sent_upto,
            replayed: 0,
        };
        if socket.send(control("ready", &ready)).await.is_err() {
            return;
        }
    }

    let expires_in =
        (ctx.access_exp - Utc::now()).to_std().unwrap_or_default() + Duration::from_secs(leeway);
    let expiry = tokio::time::sleep(expires_in);
    tokio::pin!(expiry);
    let mut ping =
        tokio::time::interval_at(tokio::time::Instant::now() + PING_INTERVAL, PING_INTERVAL);
    let mut awaiting_pong = false;
    loop {
        tokio::select! {
            out = reg.rx.recv() => match out {
                Some(Outgoing::Event(e)) => {
                    if e.seq <= sent_upto {
                        continue;
                    }
                    if e.seq > sent_upto + 1 {
                        // Arrived out of order (several dispatchers): fill the gap from storage.
                        match Box::pin(replay(&mut socket, &state, ctx.user_id, sent_upto)).await {
                            Ok((upto, _)) => sent_upto = upto,
                            Err(()) => break,
                        }
                        continue;
                    }
                    if socket.send(event_message(&e)).await.is_err() {
                        break;
                    }
                    sent_upto = e.seq;
                }
                Some(Outgoing::Close(code, reason)) => {
                    close_with(&mut socket, code, reason).await;
                    break;
                }
                None => {
                    close_with(&mut socket, close::SLOW_CONSUMER, "too slow; resume with last_seq").await;
                    break;
                }
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(t))) => match serde_json::from_str::<ClientMessage>(t.as_str()) {
                    Ok(ClientMessage::Subscribe { topic }) => {
                        if topic != format!("user:{}", ctx.user_id) {
                            close_with(&mut socket, close::FORBIDDEN_TOPIC, "topic not allowed").await;
                            break;
                        }
                        let _ = socket.send(control("subscribed", &serde_json::json!({ "topic": topic }))).await;
                    }
                    Ok(ClientMessage::Ping) => {
                        let _ = socket.send(control("pong", &serde_json::json!({}))).await;
                    }
                    Err(_) => {
                        close_with(&mut socket, close::PROTOCOL_ERROR, "not a protocol message").await;
                        break;
                    }
                },
                Some(Ok(Message::Pong(_))) => awaiting_pong = false,
                Some(Ok(Message::Binary(_))) => {
                    close_with(&mut socket, close::PROTOCOL_ERROR, "text messages only").await;
                    break;
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
            _ = ping.tick() => {
                if awaiting_pong {
                    close_with(&mut socket, 1011, "no pong").await;
                    break;
                }
                awaiting_pong = true;
                if socket.send(Message::Ping(Default::default())).await.is_err() {
                    break;
                }
            }
            _ = &mut expiry => {
                close_with(&mut socket, close::UNAUTHENTICATED, "access token expired").await;
                break;
            }
            _ = shutdown.changed() => {
                close_with(&mut socket, close::GOING_AWAY, "server shutting down").await;
                break;
            }
        }
    }
}
