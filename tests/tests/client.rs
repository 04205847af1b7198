//! The Rust client core (`accolade-client`, what the phone apps run through `accolade-ffi`)
//! against the real server, on SQLite and on PostgreSQL: sign-in by card and password, the
//! event stream with reconnect and resume through a proxy that goes down and up, claims,
//! nominations and decisions, the offline queue flushed with idempotency keys, and badge
//! verification (valid, wrong recipient, tampered, revoked).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use accolade_client::{
    ActionResult, Client, ClientConfig, ClientError, ScanResult, Sent, StreamItem, Verdict,
};
use accolade_e2e::TestServer;
use accolade_proto::ws::event_type;
use accolade_proto::{AwardEvent, CreateNominationRequest, Decision, ErrorCode, NominationEvent};
use accolade_server::demo;
use reqwest::StatusCode;
use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

/// A TCP proxy in front of the server that can be taken down (port closed, open connections
/// cut) and brought back on the same port: "the phone loses its connection".
struct Proxy {
    addr: std::net::SocketAddr,
    target: Arc<Mutex<String>>,
    up: Arc<AtomicBool>,
    tasks: Mutex<JoinSet<()>>,
}

impl Proxy {
    async fn new() -> Arc<Proxy> {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        drop(l);
        Arc::new(Proxy {
            addr,
            target: Arc::new(Mutex::new(String::new())),
            up: Arc::new(AtomicBool::new(false)),
            tasks: Mutex::new(JoinSet::new()),
        })
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    async fn start(self: &Arc<Self>, target: &str) {
        *self.target.lock().unwrap() = target.trim_start_matches("http://").to_owned();
        let listener = TcpListener::bind(self.addr)
            .await
            .expect("rebind proxy port");
        self.up.store(true, Ordering::SeqCst);
        let target = self.target.clone();
        let mut tasks = self.tasks.lock().unwrap();
        let inner = Arc::new(Mutex::new(JoinSet::new()));
        tasks.spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    return;
                };
                let to = target.lock().unwrap().clone();
                inner.lock().unwrap().spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(to).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
            // `inner` (the open connections) is dropped with this task: aborting it cuts them.
        });
    }

    /// Closes the port and cuts every open connection.
    fn stop(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.tasks.lock().unwrap().abort_all();
    }
}

struct Demo {
    srv: TestServer,
    proxy: Arc<Proxy>,
    card_code: String,
}

/// The demo school on a server whose public URL is the proxy (so QR codes and assertion ids
/// point through it, as on a phone).
async fn demo_behind_proxy() -> Demo {
    let proxy = Proxy::new().await;
    let public = proxy.url();
    let srv = TestServer::start_with(|c| c.public_url = public).await;
    proxy.start(&srv.base).await;
    let summary = demo::load(&srv.state).await.expect("demo");
    // Katherine has no e-mail (cards are how she signs in) and does not hold Star Helper, the
    // badge of the demo's rotating claim code.
    let card_code = summary
        .cards
        .expect("demo cards")
        .cards
        .into_iter()
        .find(|c| c.display_name == "Katherine J.")
        .expect("a card for Katherine")
        .code;
    Demo {
        srv,
        proxy,
        card_code,
    }
}

fn client(base: &str, store: Option<std::path::PathBuf>) -> Client {
    let mut cfg = ClientConfig::new(base);
    cfg.store_path = store;
    cfg.timeout = Duration::from_secs(10);
    Client::new(cfg).expect("client")
}

async fn next_event(stream: &mut accolade_client::EventStream, kind: &str) -> serde_json::Value {
    loop {
        let m = stream
            .next_event(Duration::from_secs(20))
            .await
            .unwrap_or_else(|| panic!("no {kind} event"));
        if m.kind == kind {
            return m.data;
        }
    }
}

#[tokio::test]
async fn card_sign_in_claim_nominate_approve_verify() {
    let d = demo_behind_proxy().await;
    let base = d.proxy.url();

    let teacher = client(&base, None);
    let t = teacher
        .sign_in_password(demo::DEMO_TEACHER, demo::DEMO_PASSWORD, None)
        .await
        .unwrap();
    assert!(t.role.is_staff());

    // A student scans their sign-in card's QR.
    let student = client(&base, None);
    let card_url = format!("{base}/signin/card/{}", d.card_code.replace('-', ""));
    let me = match student.handle_scan(&card_url).await.unwrap() {
        ScanResult::SignedIn(me) => me,
        other => panic!("expected a sign-in, got {other:?}"),
    };
    // A card works once.
    let again = client(&base, None)
        .sign_in_card(&d.card_code)
        .await
        .unwrap_err();
    assert_eq!(again.code(), Some(ErrorCode::InvalidCredentials));

    let mut events = student.events();
    assert!(
        events.connected(Duration::from_secs(20)).await,
        "stream connects"
    );

    // The projector's rotating QR, claimed by scanning.
    let code = teacher
        .claim_codes()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.mode == accolade_proto::ClaimMode::Rotating)
        .expect("demo rotating code");
    let qr = teacher.claim_code_current(code.id).await.unwrap();
    let url = qr.url.expect("rotating QR URL");
    let claim = match student.handle_scan(&url).await.unwrap() {
        ScanResult::Claim(Sent::Done(c)) => c,
        other => panic!("expected a claim, got {other:?}"),
    };
    assert!(!claim.already_claimed);
    let issued: AwardEvent =
        serde_json::from_value(next_event(&mut events, event_type::AWARD_ISSUED).await).unwrap();
    assert_eq!(issued.award.id, claim.award.id);
    // Scanning again is not a second award.
    match student.handle_scan(&url).await.unwrap() {
        ScanResult::Claim(Sent::Done(c)) => {
            assert!(c.already_claimed);
            assert_eq!(c.award.id, claim.award.id);
        }
        other => panic!("{other:?}"),
    }

    // Only badges open to her classes are offered (Code Breaker is for Y9 Computing only).
    let offered: Vec<String> = student
        .nominable_badges()
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.name)
        .collect();
    assert!(offered.iter().any(|n| n == "Star Helper"), "{offered:?}");
    assert!(!offered.iter().any(|n| n == "Code Breaker"), "{offered:?}");

    // Nominate a classmate; the teacher approves from the queue; the nominator hears it.
    let star = student
        .badge_classes()
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.name == "Star Helper")
        .unwrap();
    let mates = student.classmates().await.unwrap();
    assert!(mates.iter().all(|m| m.id != me.id), "classmates exclude me");
    let nominee = mates
        .iter()
        .find(|m| m.display_name == "Grace H.")
        .expect("Grace");
    let sent = student
        .nominate(CreateNominationRequest {
            badge_class_id: star.id,
            nominee_ids: vec![nominee.id],
            class_id: None,
            narrative: "Grace helped me catch up on the science homework.".into(),
            evidence_url: None,
        })
        .await
        .unwrap();
    let Sent::Done(sent) = sent else {
        panic!("online nomination was queued")
    };
    let nomination = sent.nominations[0].clone();
    let queue = teacher.queue().await.unwrap();
    assert!(!queue.from_cache && queue.items.iter().any(|n| n.id == nomination.id));
    let Sent::Done(decided) = teacher
        .decide(nomination.id, Decision::Approve, None)
        .await
        .unwrap()
    else {
        panic!("queued")
    };
    assert!(decided.award_id.is_some());
    let ev: NominationEvent =
        serde_json::from_value(next_event(&mut events, event_type::NOMINATION_DECIDED).await)
            .unwrap();
    assert_eq!(ev.nomination.id, nomination.id);
    // Deciding twice is a conflict, not a second award.
    let twice = teacher
        .decide(nomination.id, Decision::Approve, None)
        .await
        .unwrap_err();
    assert_eq!(twice.code(), Some(ErrorCode::AlreadyDecided));

    // Verify the baked badge.
    let awards = student.my_awards().await.unwrap();
    let award = awards
        .items
        .iter()
        .find(|a| a.id == claim.award.id)
        .unwrap();
    let png = student.baked_png(award).await.unwrap();
    let v = student.verify(&png, None).await.unwrap();
    assert_eq!(v.verdict, Verdict::Valid, "{v:?}");
    assert_eq!(v.assertion_url, award.assertion_url);
    let v = student
        .verify(&png, Some("someone@else.example"))
        .await
        .unwrap();
    assert_eq!(v.verdict, Verdict::WrongRecipient);
    // Edited after baking: no longer matches the hosted assertion.
    let json = accolade_openbadges::unbake_png(&png).unwrap().unwrap();
    let edited = json.replace("\"issuedOn\":\"", "\"issuedOn\":\"1");
    assert_ne!(edited, json);
    let forged = accolade_openbadges::bake_png(&png, &edited).unwrap();
    assert_eq!(
        student.verify(&forged, None).await.unwrap().verdict,
        Verdict::Tampered
    );
    // The baked SVG verifies too.
    let (status, svg) = {
        let r = d.srv.http.get(&award.baked_svg_url).send().await.unwrap();
        (r.status(), r.bytes().await.unwrap())
    };
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        student.verify(&svg, None).await.unwrap().verdict,
        Verdict::Valid
    );
    // Revoked by the school.
    let access = teacher.access_token().unwrap();
    let (status, _) = d
        .srv
        .post(
            &format!("/api/v1/awards/{}/revoke", award.id),
            &access,
            json!({"reason": "claimed by mistake"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    match student.verify(&png, None).await.unwrap().verdict {
        Verdict::Revoked { reason } => assert_eq!(reason.as_deref(), Some("claimed by mistake")),
        other => panic!("expected revoked, got {other:?}"),
    }
    let revoked: AwardEvent =
        serde_json::from_value(next_event(&mut events, event_type::AWARD_REVOKED).await).unwrap();
    assert_eq!(revoked.award.id, award.id);

    // Signing out ends the session on the server too, and the stream stops.
    student.sign_out().await.unwrap();
    assert!(matches!(
        student.my_awards().await,
        Err(ClientError::SignedOut)
    ));
    drop(events);
    d.srv.stop().await;
}

#[tokio::test]
async fn offline_queue_reconnect_resume_and_refresh() {
    let d = demo_behind_proxy().await;
    let base = d.proxy.url();
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("phone.db");

    let teacher = client(&base, None);
    teacher
        .sign_in_password(demo::DEMO_TEACHER, demo::DEMO_PASSWORD, None)
        .await
        .unwrap();
    let student = client(&base, Some(store.clone()));
    let me = student
        .sign_in_password("grace@demo.example.org", demo::DEMO_PASSWORD, None)
        .await
        .unwrap();
    let cached_before = student.my_awards().await.unwrap();
    assert!(!cached_before.from_cache);
    student.my_nominations().await.unwrap();

    // A static poster code (Team Player) and the demo's rotating one.
    let classes = student.badge_classes().await.unwrap();
    let star = classes
        .iter()
        .find(|b| b.name == "Kind Classmate")
        .unwrap()
        .clone();
    let team = classes
        .iter()
        .find(|b| b.name == "Team Player")
        .unwrap()
        .clone();
    let t_access = teacher.access_token().unwrap();
    let ends = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let (status, code) = d
        .srv
        .post(
            "/api/v1/claim-codes",
            &t_access,
            json!({"badge_class_id": team.id, "title": "Library poster", "mode": "static", "ends_at": ends}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{code}");
    let (_, current) = d
        .srv
        .get(
            &format!(
                "/api/v1/claim-codes/{}/current",
                code["id"].as_str().unwrap()
            ),
            &t_access,
        )
        .await;
    let static_url = current["url"].as_str().unwrap().to_owned();
    let rotating = teacher
        .claim_codes()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.mode == accolade_proto::ClaimMode::Rotating)
        .unwrap();
    let rotating_url = teacher
        .claim_code_current(rotating.id)
        .await
        .unwrap()
        .url
        .unwrap();

    let mut events = student.events();
    assert!(events.connected(Duration::from_secs(20)).await);

    // The phone goes offline.
    d.proxy.stop();
    match events.next().await {
        Some(StreamItem::Disconnected { .. }) => {}
        other => panic!("expected a disconnect, got {other:?}"),
    }
    let mates = client(&d.srv.base, None);
    mates
        .sign_in_password("grace@demo.example.org", demo::DEMO_PASSWORD, None)
        .await
        .unwrap();
    let classmates = mates.classmates().await.unwrap();
    let hedy = classmates
        .iter()
        .find(|m| m.display_name == "Hedy L.")
        .unwrap()
        .id;

    // Cached lists are still there, marked as such.
    let cached = student.my_awards().await.unwrap();
    assert!(cached.from_cache);
    assert_eq!(cached.items, cached_before.items);
    assert!(student.my_nominations().await.unwrap().from_cache);
    // Nominations and static claims are queued; rotating codes need a connection.
    let nominate = |who| CreateNominationRequest {
        badge_class_id: star.id,
        nominee_ids: vec![who],
        class_id: None,
        narrative: "Always shares the good pens in art.".into(),
        evidence_url: None,
    };
    let Sent::Queued { key: k1 } = student.nominate(nominate(hedy)).await.unwrap() else {
        panic!("not queued")
    };
    let Sent::Queued { key: k2 } = student.claim(&static_url).await.unwrap() else {
        panic!("not queued")
    };
    // Nominating oneself is refused by the server once online: reported, not retried.
    let Sent::Queued { key: k3 } = student.nominate(nominate(me.id)).await.unwrap() else {
        panic!("not queued")
    };
    let rot = student.claim(&rotating_url).await.unwrap_err();
    assert!(
        matches!(rot, ClientError::NeedsConnection(why) if why.contains("rotating")),
        "{rot}"
    );
    assert_eq!(student.queued_actions().unwrap().len(), 3);

    // While offline, something happens for the student (a teacher awards directly).
    let (status, body) = d
        .srv
        .post(
            "/api/v1/awards",
            &t_access,
            json!({"badge_class_id": star.id, "recipient_ids": [me.id], "narrative": "Kind all week"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // The queue survives an app restart (same store file), even while still offline.
    drop(student);
    let student = client(&base, Some(store.clone()));
    assert_eq!(student.current_user().unwrap().id, me.id);
    assert_eq!(student.queued_actions().unwrap().len(), 3);
    assert!(
        student.flush().await.unwrap().is_empty(),
        "nothing gets through offline"
    );

    // Back online: the stream resumes from the last seq and delivers the missed award once.
    d.proxy.start(&d.srv.base).await;
    let award: AwardEvent =
        serde_json::from_value(next_event(&mut events, event_type::AWARD_ISSUED).await).unwrap();
    assert_eq!(award.award.recipient.id, me.id);

    let reports = student.flush().await.unwrap();
    assert_eq!(
        reports.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(),
        [k1.as_str(), k2.as_str(), k3.as_str()]
    );
    assert!(
        matches!(&reports[0].result, Ok(ActionResult::Nominated(r)) if r.nominations[0].nominee.id == hedy)
    );
    assert!(matches!(&reports[1].result, Ok(ActionResult::Claimed(c)) if !c.already_claimed));
    assert_eq!(
        reports[2].result.as_ref().unwrap_err().code(),
        Some(ErrorCode::SelfNomination)
    );
    assert!(student.queued_actions().unwrap().is_empty());
    // Exactly one nomination for Hedy came of it, and the claimed badge is held.
    let mine = student.my_nominations().await.unwrap();
    assert_eq!(
        mine.items
            .iter()
            .filter(|n| n.nominee.id == hedy && n.badge.id == star.id)
            .count(),
        1
    );
    let held = student.my_awards().await.unwrap();
    assert!(held.items.iter().any(|a| a.badge.id == team.id));

    // An expired access token is refreshed (the refresh token rotates) transparently.
    // (A second later, so the new JWT's `iat` differs.)
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let old_access = student.access_token().unwrap();
    let new_access = student.refresh(&old_access).await.unwrap();
    assert_ne!(old_access, new_access);
    assert_eq!(student.me().await.unwrap().id, me.id);
    // Refreshing with the stale token again reuses the new one instead of spending a refresh.
    assert_eq!(student.refresh(&old_access).await.unwrap(), new_access);

    // No event was delivered twice across the reconnect.
    drop(events);
    let mut events = student.events();
    assert!(events.connected(Duration::from_secs(20)).await);
    assert!(events
        .next_event(Duration::from_millis(500))
        .await
        .is_none());
    drop(events);
    d.srv.stop().await;
}
