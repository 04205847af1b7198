//! App links: the files iOS and Android fetch to let the Accolade apps open this server's
//! `/c/*` (claim), `/o/*` (peer offer) and `/signin/card/*` (sign-in card) links directly.
//!
//! - `GET /.well-known/apple-app-site-association`: Universal Links for every
//!   `ios_app_ids` entry (`TEAMID.bundle.id`), in both the iOS 13+ (`appIDs` + `components`)
//!   and the older (`appID` + `paths`) form;
//! - `GET /.well-known/assetlinks.json`: Android App Links for `android_app` (package and
//!   SHA-256 signing-certificate fingerprints).
//!
//! Both are `application/json`, served without redirects, and empty (but valid) when nothing
//! is configured.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::config::Config;
use crate::state::AppState;

/// The paths the apps handle.
pub const APP_PATHS: [&str; 3] = ["/c/*", "/o/*", "/signin/card/*"];

/// The apple-app-site-association document for `config`.
pub fn apple_doc(config: &Config) -> Value {
    let details: Vec<Value> = config
        .ios_app_ids
        .iter()
        .map(|id| {
            json!({
                "appID": id,
                "appIDs": [id],
                "paths": APP_PATHS,
                "components": APP_PATHS.iter().map(|p| json!({"/": p})).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "applinks": { "apps": [], "details": details } })
}

/// The Digital Asset Links statement list for `config`.
pub fn android_doc(config: &Config) -> Value {
    match &config.android_app {
        Some(app) => json!([{
            "relation": ["delegate_permission/common.handle_all_urls"],
            "target": {
                "namespace": "android_app",
                "package_name": app.package,
                "sha256_cert_fingerprints": app.sha256_cert_fingerprints,
            }
        }]),
        None => json!([]),
    }
}

fn json_response(v: &Value) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        v.to_string(),
    )
        .into_response()
}

/// `GET /.well-known/apple-app-site-association`.
pub async fn apple(State(state): State<AppState>) -> Response {
    json_response(&apple_doc(&state.config))
}

/// `GET /.well-known/assetlinks.json`.
pub async fn android(State(state): State<AppState>) -> Response {
    json_response(&android_doc(&state.config))
}

#[cfg(test)]
mod tests {
    use figment::providers::{Env, Serialized};
    use figment::Figment;

    use super::*;

    #[test]
    fn app_links_come_from_environment_values() {
        // A prefix of this test only, so no other test sees these variables.
        std::env::set_var(
            "ACCOLADE_APPLINKSTEST_IOS_APP_IDS",
            r#"["ABCDE12345.org.example.accolade"]"#,
        );
        let fp = vec!["0A"; 32].join(":");
        std::env::set_var(
            "ACCOLADE_APPLINKSTEST_ANDROID_APP",
            format!(r#"{{package="org.example.accolade", sha256_cert_fingerprints=["{fp}"]}}"#),
        );
        let config: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Env::prefixed("ACCOLADE_APPLINKSTEST_"))
            .extract()
            .expect("config");
        config.validate().expect("valid");
        assert_eq!(
            apple_doc(&config)["applinks"]["details"][0]["appID"],
            "ABCDE12345.org.example.accolade"
        );
        let android = android_doc(&config);
        assert_eq!(android[0]["target"]["package_name"], "org.example.accolade");
        assert_eq!(android[0]["target"]["sha256_cert_fingerprints"][0], fp);
    }
}
