//! `/teach/classes` (the classes I teach; all active classes for admins) and
//! `/teach/classes/{id}` (its students and teachers, award the class, print sign-in cards).

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use minijinja::context;
use serde::Deserialize;

use super::{check_csrf, done, parse_id, render, staff, Fields};
use crate::error::ApiError;
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use crate::web::i18n::tr;
use crate::web::session::Web;

/// `GET /teach/classes`.
pub async fn list(State(state): State<AppState>, web: Web) -> Response {
    let r = async {
        let s = staff(&state, &web, "/teach/classes").await?;
        let mut items = Vec::new();
        for c in super::awards::my_classes(&state, &s).await? {
            let (students, teachers) =
                accolade_db::classes::member_counts(state.db.conn(), c.id).await?;
            items.push(context! {
                id => c.id.to_string(),
                title => c.title,
                students => students,
                teachers => teachers,
            });
        }
        Ok(render(
            &web,
            &s,
            StatusCode::OK,
            "teacher_classes.html",
            context! { title => tr("tclasses-title"), items => items },
        ))
    }
    .await;
    done(&web, r)
}

/// Query of `GET /teach/classes/{id}`.
#[derive(Debug, Default, Deserialize)]
pub struct DetailQuery {}

/// `GET /teach/classes/{id}`: a class of the school (any teacher may look, as in the API);
/// printing cards is for its teachers and admins.
pub async fn detail(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    _q: Result<Query<DetailQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let r = async {
        let s = staff(&state, &web, &format!("/teach/classes/{id}")).await?;
        let id = parse_id(&id, "class")?;
        let conn = state.db.conn();
        let class = accolade_db::classes::by_id(conn, s.school.id, id)
            .await?
            .ok_or(ApiError::NotFound("class"))?;
        let can_manage = crate::policy::can_manage_class(conn, &s.auth, &class).await?;
        let members = accolade_db::classes::members(conn, s.school.id, class.id).await?;
        let students: Vec<_> = members
            .iter()
            .filter(|(_, role)| role == "student")
            .map(|(u, _)| context! { id => u.id.to_string(), name => u.display_name.clone(), active => u.active, card_only => u.email.is_none() })
            .collect();
        let teachers: Vec<_> = members
            .iter()
            .filter(|(_, role)| role == "teacher")
            .map(|(u, _)| context! { name => u.display_name.clone() })
            .collect();
        Ok(render(
            &web,
            &s,
            StatusCode::OK,
            "teacher_class.html",
            context! {
                title => class.title.clone(),
                class => context! { id => class.id.to_string(), title => class.title, code => class.class_code },
                students => students,
                teachers => teachers,
                can_manage => can_manage,
            },
        ))
    }
    .await;
    done(&web, r)
}

/// `POST /teach/classes/{id}/cards.svg`: issues new sign-in cards for the class's students
/// (their unused older cards stop working) and answers the printable SVG sheet.
pub async fn cards(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    form: Result<Form<Vec<(String, String)>>, axum::extract::rejection::FormRejection>,
) -> Response {
    let f = Fields(form.map(|Form(f)| f).unwrap_or_default());
    let r = async {
        let here = format!("/teach/classes/{id}");
        let s = staff(&state, &web, &here).await?;
        check_csrf(&web, f.get("csrf"), &here)?;
        let id = parse_id(&id, "class")?;
        let res = crate::routes::classes::signin_cards(
            State(state.clone()),
            s.auth.clone(),
            ApiPath(id),
            ApiQuery(crate::routes::classes::CardsQuery {
                format: Some("svg".into()),
            }),
        )
        .await?;
        let mut res = res.into_response();
        *res.status_mut() = StatusCode::OK;
        res.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
        );
        Ok(res)
    }
    .await;
    done(&web, r)
}
