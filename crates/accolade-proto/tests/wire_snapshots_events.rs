//! Snapshots of the badge, claim and realtime wire types.

use accolade_proto::ws::event_type;
use accolade_proto::*;
use chrono::{TimeZone, Utc};
use uuid::Uuid;

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn at(h: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, h, 0, 0)
        .single()
        .expect("date")
}

fn badge() -> BadgeRef {
    BadgeRef {
        id: id(10),
        name: "Star Helper".into(),
        image_url: "https://b.example.org/ob/v2/images/1".into(),
    }
}

fn nomination() -> Nomination {
    Nomination {
        id: id(20),
        badge: badge(),
        nominator: PersonRef {
            id: id(1),
            display_name: "Ada L.".into(),
        },
        nominee: PersonRef {
            id: id(2),
            display_name: "Alan T.".into(),
        },
        class_id: id(30),
        class_title: "7 Maple".into(),
        narrative: "Explained recursion to the whole table.".into(),
        evidence_url: None,
        status: NominationStatus::Rejected,
        decision_reason: Some("Please add an example.".into()),
        decided_at: Some(at(10)),
        award_id: None,
        created_at: at(9),
    }
}

fn award() -> Award {
    Award {
        id: id(40),
        badge: badge(),
        description: "Helps classmates".into(),
        criteria_narrative: Some("Nominated and confirmed".into()),
        criteria_url: None,
        recipient: PersonRef {
            id: id(2),
            display_name: "Alan T.".into(),
        },
        issuer_name: "Demo Academy".into(),
        issued_on: at(11),
        expires: None,
        narrative: None,
        evidence_url: None,
        source: AwardSource::Claim,
        status: AwardStatus::Valid,
        revocation_reason: None,
        hidden: false,
        assertion_url: "https://b.example.org/ob/v2/assertions/40".into(),
        baked_png_url: "https://b.example.org/ob/v2/assertions/40.png".into(),
        baked_svg_url: "https://b.example.org/ob/v2/assertions/40.svg".into(),
    }
}

#[test]
fn badge_types() {
    insta::assert_json_snapshot!(
        "badge_class",
        BadgeClass {
            id: id(10),
            name: "Star Helper".into(),
            description: "Helps classmates".into(),
            criteria_narrative: Some("Nominated and confirmed".into()),
            criteria_url: None,
            image_url: "https://b.example.org/ob/v2/images/1".into(),
            tags: vec!["kindness".into()],
            expires_after_days: Some(365),
            scope: BadgeScope::Classes,
            class_ids: vec![id(30)],
            peer_nominable: true,
            moderation: Moderation::Required,
            repeatable: false,
            archived: false,
            revision: 2,
            badge_url: "https://b.example.org/ob/v2/badges/10/v2".into(),
            award_count: 7,
        }
    );
    insta::assert_json_snapshot!("nomination", nomination());
    insta::assert_json_snapshot!("award", award());
    insta::assert_json_snapshot!(
        "create_nomination",
        CreateNominationRequest {
            badge_class_id: id(10),
            nominee_ids: vec![id(2)],
            class_id: None,
            narrative: "Kind".into(),
            evidence_url: None,
        }
    );
    insta::assert_json_snapshot!(
        "decision",
        DecisionRequest {
            decision: Decision::Return,
            reason: Some("Add an example".into())
        }
    );
    insta::assert_json_snapshot!(
        "allowance",
        Allowance {
            weekly: 5,
            used: 2,
            remaining: 3,
            resets_at: at(0)
        }
    );
    insta::assert_json_snapshot!(
        "create_awards",
        CreateAwardsResponse {
            awards: vec![],
            skipped: vec![SkippedRecipient {
                recipient_id: id(2),
                code: "already_held".into()
            }],
        }
    );
}

#[test]
fn claim_types() {
    insta::assert_json_snapshot!(
        "claim_code",
        ClaimCode {
            id: id(50),
            badge: badge(),
            title: "Science Week".into(),
            class_ids: vec![],
            mode: ClaimMode::Rotating,
            rotation_secs: 15,
            starts_at: at(9),
            ends_at: at(15),
            timezone: "Europe/London".into(),
            starts_at_local: "2026-11-30 09:00".into(),
            ends_at_local: "2026-11-30 15:00".into(),
            max_claims: None,
            claim_count: 12,
            status: ClaimCodeStatus::Active,
            allow_repeat: false,
            present_url: "https://b.example.org/present/50".into(),
        }
    );
    insta::assert_json_snapshot!(
        "claim_current",
        ClaimCodeCurrent {
            url: Some("https://b.example.org/c/rAAAA".into()),
            manual_code: Some("0B6R-PWBK".into()),
            refresh_at: Some(at(10)),
            seconds_left: 3600,
            claim_count: 12,
            state: "active".into(),
        }
    );
    insta::assert_json_snapshot!(
        "claim_request",
        ClaimRequest {
            token: None,
            code: Some("0b6r-pwbk".into())
        }
    );
    insta::assert_json_snapshot!(
        "claim_response",
        ClaimResponse {
            award: award(),
            already_claimed: true,
            title: "Science Week".into()
        }
    );
}

#[test]
fn realtime_messages() {
    let msg = |kind: &str, seq: Option<i64>, data: serde_json::Value| ServerMessage {
        kind: kind.into(),
        seq,
        data,
    };
    insta::assert_json_snapshot!(
        "ws_hello",
        msg(
            "hello",
            None,
            serde_json::to_value(Hello {
                protocol: 1,
                user_id: id(2),
                latest_seq: 44
            })
            .expect("json")
        )
    );
    insta::assert_json_snapshot!(
        "ws_ready",
        msg(
            "ready",
            None,
            serde_json::to_value(Ready {
                seq: 44,
                replayed: 3
            })
            .expect("json")
        )
    );
    insta::assert_json_snapshot!(
        "ws_resync",
        msg(
            "resync_required",
            None,
            serde_json::to_value(ResyncRequired { seq: 10_044 }).expect("json")
        )
    );
    insta::assert_json_snapshot!(
        "ws_award_issued",
        msg(
            event_type::AWARD_ISSUED,
            Some(42),
            serde_json::to_value(AwardEvent { award: award() }).expect("json")
        )
    );
    insta::assert_json_snapshot!(
        "ws_nomination_decided",
        msg(
            event_type::NOMINATION_DECIDED,
            Some(43),
            serde_json::to_value(NominationEvent {
                nomination: nomination()
            })
            .expect("json")
        )
    );
    insta::assert_json_snapshot!(
        "ws_claim_counted",
        msg(
            event_type::CLAIM_COUNTED,
            Some(7),
            serde_json::to_value(ClaimCounted {
                claim_code_id: id(50),
                count: 12,
                first_name: "Ada".into()
            })
            .expect("json")
        )
    );
    insta::assert_json_snapshot!(
        "ws_client_subscribe",
        ClientMessage::Subscribe {
            topic: format!("user:{}", id(2))
        }
    );
    insta::assert_json_snapshot!("ws_client_ping", ClientMessage::Ping);
    insta::assert_json_snapshot!(
        "ws_ticket",
        WsTicket {
            ticket: "opaque".into(),
            expires_in: 60
        }
    );
}
