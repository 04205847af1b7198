//! `accolade demo`: a small, self-contained demo school so a new user can click around at once.
//!
//! The roster is the repository's own (`crates/accolade-server/demo/classlist.csv`, fictitious
//! people on `demo.example.org`). Every demo account's password is [`DEMO_PASSWORD`].

use accolade_proto::{CreateUserRequest, Role, SignInCardSheet};

use crate::error::ApiError;
use crate::state::AppState;

/// Slug of the demo school.
pub const DEMO_SLUG: &str = "demo";
/// Password of every demo account (demo data only; never use it elsewhere).
pub const DEMO_PASSWORD: &str = "accolade-demo";
/// The demo admin's e-mail.
pub const DEMO_ADMIN: &str = "admin@demo.example.org";
/// The demo teacher's e-mail.
pub const DEMO_TEACHER: &str = "teacher@demo.example.org";
/// A demo student's e-mail.
pub const DEMO_STUDENT: &str = "ada@demo.example.org";

const ROSTER: &str = include_str!("../demo/classlist.csv");

/// What [`load`] did.
#[derive(Debug, Clone)]
pub struct DemoSummary {
    /// False when the demo school already existed (nothing changed).
    pub created: bool,
    /// Sign-in cards issued for the first class (students without e-mail use these).
    pub cards: Option<SignInCardSheet>,
}

/// Creates the demo school if it does not exist: an admin, two teachers, twelve students in two
/// classes, passwords set for everyone with an e-mail, and sign-in cards for "7 Maple".
pub async fn load(state: &AppState) -> Result<DemoSummary, ApiError> {
    let conn = state.db.conn();
    if accolade_db::schools::by_slug(conn, DEMO_SLUG)
        .await?
        .is_some()
    {
        return Ok(DemoSummary {
            created: false,
            cards: None,
        });
    }
    let school = {
        let txn = state.db.begin_write().await?;
        let s = accolade_db::schools::create(
            &*txn,
            accolade_db::schools::NewSchool {
                slug: DEMO_SLUG.into(),
                name: "Demo Academy".into(),
                timezone: "Europe/London".into(),
                sourced_id: None,
            },
        )
        .await?;
        txn.commit().await?;
        s
    };
    let source = accolade_roster::load_bytes(ROSTER.as_bytes())
        .map_err(|e| ApiError::Internal(format!("demo roster: {e}")))?;
    crate::import::apply(&state.db, &school, source, None).await?;

    let staff = [
        (Role::Admin, "Sam Okafor", DEMO_ADMIN, "demo-admin"),
        (Role::Teacher, "Maria Rivera", DEMO_TEACHER, "ms-rivera"),
        (
            Role::Teacher,
            "John Park",
            "park@demo.example.org",
            "mr-park",
        ),
    ];
    let mut teacher_ids = Vec::new();
    for (role, name, email, handle) in staff {
        let u = crate::routes::users::create_user(
            state,
            school.id,
            None,
            CreateUserRequest {
                role,
                display_name: name.into(),
                email: Some(email.into()),
                handle: Some(handle.into()),
                password: Some(DEMO_PASSWORD.into()),
            },
        )
        .await?;
        if role == Role::Teacher {
            teacher_ids.push(u.id);
        }
    }
    let classes = accolade_db::classes::all_in_school(conn, school.id).await?;
    let txn = state.db.begin_write().await?;
    for class in &classes {
        for t in &teacher_ids {
            accolade_db::classes::enroll(&*txn, school.id, class.id, *t, "teacher", None).await?;
        }
    }
    // Students with an e-mail get the demo password; the others sign in with cards.
    let hash = state
        .hasher
        .hash(crate::password::normalise(DEMO_PASSWORD, true)?)
        .await?;
    for mut u in accolade_db::users::all_in_school(&*txn, school.id).await? {
        if u.role == "student" && u.email.is_some() {
            u.password_hash = Some(hash.clone());
            accolade_db::users::save(&*txn, u).await?;
        }
    }
    txn.commit().await?;
    let cards = match classes.iter().find(|c| c.title == "7 Maple") {
        Some(class) => Some(
            crate::cards::issue_for_class(
                &state.db,
                state.config.base_url(),
                &school,
                class,
                None,
                state.config.signin_card_ttl_days,
            )
            .await?,
        ),
        None => None,
    };
    Ok(DemoSummary {
        created: true,
        cards,
    })
}
