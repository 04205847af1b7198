//! Snapshots of the backpack and sharing wire types.

use accolade_proto::*;
use chrono::{TimeZone, Utc};
use uuid::Uuid;

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

#[test]
fn backpack_bodies() {
    let t = Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap();
    insta::assert_json_snapshot!(
        "create_collection_request",
        CreateCollectionRequest {
            title: "R&D. Ünïcødé Ninja".into(),
            subtitle: Some("Year 9".into()),
            visibility: Visibility::School,
        }
    );
    insta::assert_json_snapshot!(
        "update_collection_request",
        UpdateCollectionRequest {
            title: None,
            subtitle: None,
            visibility: Some(Visibility::Public),
        }
    );
    insta::assert_json_snapshot!(
        "set_items_request",
        SetItemsRequest {
            items: vec![CollectionItemInput {
                award_id: id(7),
                comment: Some("Why this one matters".into()),
            }],
        }
    );
    insta::assert_json_snapshot!(
        "public_collection",
        PublicCollection {
            handle: "ada-l".into(),
            display_name: None,
            title: "R&D. Ünïcødé Ninja".into(),
            subtitle: None,
            slug: "r-d-unicode-ninja".into(),
            path: "/@ada-l/r-d-unicode-ninja".into(),
            badges: vec![PublicBadge {
                award_id: id(7),
                name: "Scientist".into(),
                description: "Ran an experiment".into(),
                image_url: "https://school.example/ob/v2/images/1".into(),
                issuer_name: "Northfield Academy".into(),
                issued_on: t,
                comment: Some("My first lab".into()),
                assertion_url: "https://school.example/ob/v2/assertions/7".into(),
            }],
            indexable: false,
            updated_at: t,
        }
    );
    insta::assert_json_snapshot!(
        "public_profile",
        PublicProfile {
            handle: "ada-l".into(),
            display_name: Some("Ada L.".into()),
            collections: vec![PublicCollectionSummary {
                title: "Best".into(),
                subtitle: None,
                slug: "best".into(),
                path: "/@ada-l/best".into(),
                badge_count: 3,
            }],
            indexable: true,
        }
    );
    insta::assert_json_snapshot!(
        "sharing_settings",
        SharingSettings {
            show_name_publicly: false,
            allow_indexing: false,
            public_allowed: true,
        }
    );
    insta::assert_json_snapshot!(
        "sharing_policy",
        SharingPolicy {
            allow_public_sharing: true,
            min_grade: Some(8),
        }
    );
    insta::assert_json_snapshot!(
        "user_sharing",
        UserSharing {
            public_sharing: PublicSharingOverride::Allowed,
            public_allowed: true,
        }
    );
    insta::assert_json_snapshot!(
        "cheers",
        Cheers {
            count: 2,
            cheered_by_me: false,
            people: Some(vec![PersonRef {
                id: id(3),
                display_name: "Ben Y.".into(),
            }]),
        }
    );
    insta::assert_json_snapshot!(
        "people",
        People {
            people: vec![PersonRef {
                id: id(4),
                display_name: "Cat S.".into(),
            }],
        }
    );
    insta::assert_json_snapshot!(
        "delete_account_request",
        DeleteAccountRequest { confirm: true }
    );
}
