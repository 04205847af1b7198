//! Snapshots of every wire type: a change to a JSON shape shows up as a snapshot diff.

use accolade_proto::*;
use chrono::{TimeZone, Utc};
use uuid::Uuid;

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

#[test]
fn auth_bodies() {
    let me = Me {
        id: id(1),
        school_id: id(2),
        school_slug: "northfield".into(),
        role: Role::Student,
        display_name: "Amira K.".into(),
        handle: "amira-k".into(),
        email: None,
        email_notifications: true,
        email_digest: EmailDigest::Daily,
    };
    insta::assert_json_snapshot!(
        "login_request",
        LoginRequest {
            login: "amira@example.org".into(),
            password: "secret-password".into(),
            school: Some("northfield".into())
        }
    );
    insta::assert_json_snapshot!(
        "card_request",
        CardSignInRequest {
            code: "ABCD-EFGH-JKMN".into()
        }
    );
    insta::assert_json_snapshot!(
        "refresh_request",
        RefreshRequest {
            refresh_token: "opaque".into()
        }
    );
    insta::assert_json_snapshot!(
        "logout_request",
        LogoutRequest {
            refresh_token: None
        }
    );
    insta::assert_json_snapshot!(
        "token_response",
        TokenResponse {
            access_token: "eyJ…".into(),
            token_type: "Bearer".into(),
            expires_in: 900,
            refresh_token: "opaque".into(),
            user: me,
        }
    );
}

#[test]
fn people_and_classes() {
    insta::assert_json_snapshot!(
        "user",
        User {
            id: id(3),
            role: Role::Teacher,
            display_name: "Maria Rivera".into(),
            given_name: Some("Maria".into()),
            family_name: Some("Rivera".into()),
            handle: "ms-rivera".into(),
            email: Some("maria@example.org".into()),
            grade: None,
            active: true,
            has_password: true,
        }
    );
    insta::assert_json_snapshot!(
        "classmate",
        Classmate {
            id: id(4),
            display_name: "Ada L.".into(),
            role: Role::Student
        }
    );
    insta::assert_json_snapshot!(
        "create_user",
        CreateUserRequest {
            role: Role::Student,
            display_name: "Ada Lovelace".into(),
            email: None,
            handle: None,
            password: None
        }
    );
    insta::assert_json_snapshot!(
        "update_user",
        UpdateUserRequest {
            display_name: None,
            role: Some(Role::Admin),
            active: Some(false),
            password: None
        }
    );
    insta::assert_json_snapshot!(
        "update_me",
        UpdateMeRequest {
            display_name: Some("Ada".into()),
            handle: None,
            email_notifications: Some(false),
            email_digest: Some(EmailDigest::Weekly)
        }
    );
    insta::assert_json_snapshot!(
        "change_password",
        ChangePasswordRequest {
            current_password: Some("old password".into()),
            new_password: "new password".into()
        }
    );
    insta::assert_json_snapshot!(
        "class",
        Class {
            id: id(5),
            title: "Y9 GCSE Computing".into(),
            class_code: Some("9C".into()),
            student_count: 28,
            teacher_count: 1
        }
    );
    insta::assert_json_snapshot!(
        "create_class",
        CreateClassRequest {
            title: "7 Maple".into(),
            class_code: None
        }
    );
    insta::assert_json_snapshot!(
        "add_member",
        AddMemberRequest {
            role: Role::Student
        }
    );
    insta::assert_json_snapshot!(
        "page",
        Page {
            items: vec![1, 2],
            next_cursor: Some("50".into())
        }
    );
    insta::assert_json_snapshot!(
        "audit_entry",
        AuditEntry {
            id: id(6),
            actor_id: Some(id(3)),
            action: "user.update".into(),
            target_type: "user".into(),
            target_id: Some(id(4).to_string()),
            before: Some(serde_json::json!({"active": true})),
            after: Some(serde_json::json!({"active": false})),
            created_at: Utc
                .with_ymd_and_hms(2026, 11, 30, 9, 0, 0)
                .single()
                .expect("date"),
        }
    );
}

#[test]
fn school_and_roster() {
    insta::assert_json_snapshot!(
        "school",
        School {
            id: id(2),
            slug: "northfield".into(),
            name: "Northfield Academy".into(),
            timezone: "Europe/London".into(),
            weekly_nomination_allowance: 5,
            allow_public_sharing: false,
            email_sender: None,
        }
    );
    insta::assert_json_snapshot!(
        "update_school",
        UpdateSchoolRequest {
            timezone: Some("Australia/Sydney".into()),
            ..Default::default()
        }
    );
    insta::assert_json_snapshot!(
        "readiness",
        Readiness {
            status: "ok".into(),
            database: "sqlite".into()
        }
    );
    insta::assert_json_snapshot!(
        "import_report",
        ImportReport {
            users: ImportCounts {
                created: 606,
                updated: 0,
                skipped: 1
            },
            classes: ImportCounts {
                created: 35,
                updated: 0,
                skipped: 0
            },
            enrollments: ImportCounts {
                created: 960,
                updated: 0,
                skipped: 3
            },
            problems: vec![ImportProblem {
                file: "users.csv".into(),
                line: 12,
                reason: "empty sourcedId".into()
            }],
            ignored_files: vec!["courses.csv".into()],
        }
    );
    insta::assert_json_snapshot!(
        "signin_cards",
        SignInCardSheet {
            class_title: "7A Homeroom".into(),
            cards: vec![SignInCard {
                user_id: id(7),
                display_name: "Ada L.".into(),
                code: "ABCD-EFGH-JKMN".into(),
                url: "https://badges.example.org/signin/card/ABCDEFGHJKMN".into(),
                expires_at: Utc
                    .with_ymd_and_hms(2026, 12, 14, 9, 0, 0)
                    .single()
                    .expect("date"),
            }],
        }
    );
}

#[test]
fn me_without_email_digest_still_parses() {
    let old = r#"{"id":"00000000-0000-0000-0000-000000000001","school_id":"00000000-0000-0000-0000-000000000002",
        "school_slug":"northfield","role":"teacher","display_name":"T","handle":"t-t","email_notifications":true}"#;
    let me: Me = serde_json::from_str(old).expect("old Me");
    assert_eq!(me.email_digest, EmailDigest::Daily);
    let req: UpdateMeRequest = serde_json::from_str(r#"{"email_digest":"off"}"#).expect("patch");
    assert_eq!(req.email_digest, Some(EmailDigest::Off));
    assert!(serde_json::from_str::<UpdateMeRequest>(r#"{"email_digest":"hourly"}"#).is_err());
}
