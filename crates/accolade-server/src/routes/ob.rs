//! Hosted Open Badges 2.0 verification (`/ob/v2/…`): assertions (JSON and baked PNG/SVG),
//! badge class revisions, issuer profiles with their revocation lists, and badge images.
//! Public, `application/ld+json`, `Access-Control-Allow-Origin: *` (OB 2.0 §HostedBadge).

use accolade_openbadges::ImageKind;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use uuid::Uuid;

use crate::badges as svc;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiPath;
use crate::state::AppState;

const LD_JSON: &str = "application/ld+json";

fn ld(status: StatusCode, body: String) -> Response {
    let mut res = (status, body).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(LD_JSON));
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

fn with_cors(mut res: Response) -> Response {
    res.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    res
}

/// `GET /ob/v2/assertions/{id}` (JSON), `{id}.png` and `{id}.svg` (baked images). A revoked
/// assertion answers 410 with `{"id", "revoked": true, "revocationReason"}`.
#[utoipa::path(get, path = "/ob/v2/assertions/{file}", tag = "openbadges",
    params(("file" = String, Path, description = "`{id}`, `{id}.png` or `{id}.svg`")),
    responses((status = 200, description = "OB 2.0 Assertion or baked image"),
              (status = 410, description = "revoked"), (status = 404, body = accolade_proto::Problem)))]
pub async fn assertion(
    State(state): State<AppState>,
    ApiPath(file): ApiPath<String>,
) -> ApiResult<Response> {
    let (id_text, ext) = match file.rsplit_once('.') {
        Some((id, ext)) => (id, Some(ext)),
        None => (file.as_str(), None),
    };
    let id: Uuid = id_text
        .parse()
        .map_err(|_| ApiError::NotFound("assertion"))?;
    let conn = state.db.conn();
    let award = accolade_db::awards::by_id_public(conn, id)
        .await?
        .ok_or(ApiError::NotFound("assertion"))?;
    let base = state.config.base_url();
    if award.revoked_at.is_some() {
        let body = accolade_openbadges::revoked_assertion_json(
            &svc::assertion_url(base, award.id),
            award.revocation_reason.as_deref(),
        );
        return Ok(ld(StatusCode::GONE, body));
    }
    match ext {
        None | Some("json") => Ok(ld(StatusCode::OK, award.json)),
        Some(kind @ ("png" | "svg")) => {
            let rev = accolade_db::badges::revision(conn, award.revision_id)
                .await?
                .ok_or_else(|| ApiError::Internal("missing revision".into()))?;
            let image = accolade_db::badges::image(conn, rev.image_id)
                .await?
                .ok_or_else(|| ApiError::Internal("missing image".into()))?;
            let json = award.json.clone();
            let verify = svc::assertion_url(base, award.id);
            let png_wanted = kind == "png";
            let baked =
                tokio::task::spawn_blocking(move || bake(image, &json, &verify, png_wanted))
                    .await
                    .map_err(|_| ApiError::InvalidImage {
                        too_large: false,
                        message: "this badge image cannot be rendered".into(),
                    })??;
            let (ctype, ext) = if png_wanted {
                ("image/png", "png")
            } else {
                ("image/svg+xml", "svg")
            };
            let mut res = (StatusCode::OK, baked).into_response();
            let h = res.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
            if let Ok(v) =
                HeaderValue::from_str(&format!("inline; filename=\"badge-{}.{ext}\"", award.id))
            {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'none'",
                ),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            Ok(with_cors(res))
        }
        Some(_) => Err(ApiError::NotFound("assertion")),
    }
}

/// Bakes the assertion into the badge image, converting between PNG and SVG when the design is
/// in the other format (SVG → PNG by rasterising; PNG → SVG by embedding). Blocking (CPU):
/// call from `spawn_blocking`. Also used by the backpack export.
pub fn bake(
    image: accolade_db::badges::Image,
    json: &str,
    verify: &str,
    png_wanted: bool,
) -> ApiResult<Vec<u8>> {
    let kind = if image.content_type == "image/svg+xml" {
        ImageKind::Svg
    } else {
        ImageKind::Png
    };
    // Images stored before a check was tightened are checked again before rendering.
    accolade_openbadges::check_image(&image.bytes).map_err(|e| ApiError::InvalidImage {
        too_large: false,
        message: format!("this badge image cannot be baked: {e}"),
    })?;
    let err = |e: String| ApiError::InvalidImage {
        too_large: false,
        message: format!("this badge image cannot be baked: {e}"),
    };
    match (kind, png_wanted) {
        (ImageKind::Png, true) => {
            accolade_openbadges::bake_png(&image.bytes, json).map_err(|e| err(e.to_string()))
        }
        (ImageKind::Svg, true) => {
            let png =
                accolade_openbadges::rasterize_svg(&image.bytes).map_err(|e| err(e.to_string()))?;
            accolade_openbadges::bake_png(&png, json).map_err(|e| err(e.to_string()))
        }
        (ImageKind::Svg, false) => {
            let text = String::from_utf8(image.bytes).map_err(|e| err(e.to_string()))?;
            accolade_openbadges::bake_svg(&text, json, verify)
                .map(String::into_bytes)
                .map_err(|e| err(e.to_string()))
        }
        (ImageKind::Png, false) => {
            let (w, h) = (image.width.unwrap_or(512), image.height.unwrap_or(512));
            let data = base64::engine::general_purpose::STANDARD.encode(&image.bytes);
            let wrapper = format!(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\">\
                 <image width=\"{w}\" height=\"{h}\" href=\"data:image/png;base64,{data}\"/></svg>"
            );
            accolade_openbadges::bake_svg(&wrapper, json, verify)
                .map(String::into_bytes)
                .map_err(|e| err(e.to_string()))
        }
    }
}

/// `GET /ob/v2/badges/{id}`: redirects (307) to the current revision.
#[utoipa::path(get, path = "/ob/v2/badges/{id}", tag = "openbadges", params(("id" = Uuid, Path)),
    responses((status = 307, description = "to the current revision"), (status = 404, body = accolade_proto::Problem)))]
pub async fn badge(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    let conn = state.db.conn();
    let class = accolade_db::badges::class_by_id_public(conn, id)
        .await?
        .ok_or(ApiError::NotFound("badge class"))?;
    let rev = match class.current_revision_id {
        Some(r) => accolade_db::badges::revision(conn, r).await?,
        None => None,
    }
    .ok_or(ApiError::NotFound("badge class"))?;
    let url = svc::revision_url(state.config.base_url(), class.id, rev.revision);
    Ok(with_cors(Redirect::temporary(&url).into_response()))
}

/// `GET /ob/v2/badges/{id}/v{n}`: an immutable BadgeClass revision, exactly as issued.
#[utoipa::path(get, path = "/ob/v2/badges/{id}/{revision}", tag = "openbadges",
    params(("id" = Uuid, Path), ("revision" = String, Path, description = "`v1`, `v2`, …")),
    responses((status = 200, description = "OB 2.0 BadgeClass"), (status = 404, body = accolade_proto::Problem)))]
pub async fn badge_revision(
    State(state): State<AppState>,
    ApiPath((id, revision)): ApiPath<(Uuid, String)>,
) -> ApiResult<Response> {
    let number: i32 = revision
        .strip_prefix('v')
        .and_then(|n| n.parse().ok())
        .ok_or(ApiError::NotFound("revision"))?;
    let rev = accolade_db::badges::revision_by_number(state.db.conn(), id, number)
        .await?
        .ok_or(ApiError::NotFound("revision"))?;
    Ok(ld(StatusCode::OK, rev.json))
}

/// `GET /ob/v2/issuers/{id}`: the school as Issuer Profile.
#[utoipa::path(get, path = "/ob/v2/issuers/{id}", tag = "openbadges", params(("id" = Uuid, Path)),
    responses((status = 200, description = "OB 2.0 Profile"), (status = 404, body = accolade_proto::Problem)))]
pub async fn issuer(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    let school = accolade_db::schools::by_id(state.db.conn(), id)
        .await?
        .ok_or(ApiError::NotFound("issuer"))?;
    Ok(ld(
        StatusCode::OK,
        svc::issuer_json(state.config.base_url(), &school),
    ))
}

/// `GET /ob/v2/issuers/{id}/revocations`: the issuer's RevocationList.
#[utoipa::path(get, path = "/ob/v2/issuers/{id}/revocations", tag = "openbadges", params(("id" = Uuid, Path)),
    responses((status = 200, description = "OB 2.0 RevocationList"), (status = 404, body = accolade_proto::Problem)))]
pub async fn revocations(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    let conn = state.db.conn();
    let school = accolade_db::schools::by_id(conn, id)
        .await?
        .ok_or(ApiError::NotFound("issuer"))?;
    let base = state.config.base_url();
    let revoked: Vec<(String, Option<String>)> =
        accolade_db::awards::revoked_in_school(conn, school.id)
            .await?
            .into_iter()
            .map(|a| (svc::assertion_url(base, a.id), a.revocation_reason))
            .collect();
    let body = accolade_openbadges::revocation_list_json(
        &svc::issuer_url(base, school.id),
        &svc::revocation_list_url(base, school.id),
        &revoked,
    );
    Ok(ld(StatusCode::OK, body))
}

/// `GET /ob/v2/images/{id}`: a badge image, served with `nosniff` and, for SVG,
/// `Content-Security-Policy: script-src 'none'`.
#[utoipa::path(get, path = "/ob/v2/images/{id}", tag = "openbadges", params(("id" = Uuid, Path)),
    responses((status = 200, description = "PNG or SVG"), (status = 404, body = accolade_proto::Problem)))]
pub async fn image(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    let img = accolade_db::badges::image(state.db.conn(), id)
        .await?
        .ok_or(ApiError::NotFound("image"))?;
    let ctype = if img.content_type == "image/svg+xml" {
        "image/svg+xml"
    } else {
        "image/png"
    };
    let mut res = (StatusCode::OK, img.bytes).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'none'",
        ),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    Ok(with_cors(res))
}
