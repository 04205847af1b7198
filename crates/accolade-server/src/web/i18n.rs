//! Web page localisation: Fluent message catalogues, the request's language, and the template
//! functions and filters that use them.
//!
//! **Catalogues.** `locales/<lang>/<area>.ftl` ([Project Fluent](https://projectfluent.org)
//! syntax), compiled into the binary. English (`en`) is complete and is the fallback for any
//! message another language lacks; Spanish (`es`) covers the student pages. Message ids are
//! prefixed by area (`common-`, `signin-`, `claim-`, `badges-`, `queue-`, `admin-` …), one `.ftl`
//! file per area.
//!
//! **Language of a request.** The `accolade_lang` cookie when it names a supported language
//! (set by `/lang/{lang}`), else the best match of `Accept-Language` (RFC 9110 §12.5.4), else
//! English. [`layer`] stores it in a task-local for the request; [`current`] reads it, and
//! [`super::templates::render`] passes it to every template as `lang`.
//!
//! **In templates.**
//! - `{{ t("id") }}`, `{{ t("id", name=user.name, count=3) }}`: the message as HTML. The
//!   message text is escaped, and every string argument is escaped and wrapped in `<bdi>` so a
//!   right-to-left name cannot flip the sentence around it. Numbers stay numbers (plural rules).
//! - `{{ tt("id", …) }}`: the same message as plain text (auto-escaped by the template), for
//!   attributes (`alt`, `placeholder`, `aria-label`) and `<title>`.
//! - `{{ ts|date(tz) }}`, `{{ ts|datetime(tz) }}`: an RFC 3339 timestamp shown in time zone `tz`
//!   (IANA name, e.g. the school's) in the request's language, e.g. `30 Nov 2026, 14:05`.
//!
//! **In Rust.** [`tr`] and [`tr_args`] return plain text in the request's language.

use std::borrow::Cow;
use std::collections::HashMap;

use axum::extract::Request;
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::Response;
use fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};
use minijinja::value::{Kwargs, ValueKind};
use minijinja::{Error, ErrorKind, State, Value};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Isolation is done by the callers: `<bdi>` in HTML (see `t`), none in plain text.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// Cookie holding the language a user picked (`en` or `es`).
pub const LANG_COOKIE: &str = "accolade_lang";

/// The languages the web pages are offered in, in order of preference when nothing matches.
pub const SUPPORTED: [&str; 2] = ["en", "es"];

/// [`SUPPORTED`] parsed once (every page request and every message lookup uses it); English
/// first.
static AVAILABLE: std::sync::LazyLock<Vec<LanguageIdentifier>> = std::sync::LazyLock::new(|| {
    SUPPORTED
        .iter()
        .map(|l| l.parse().expect("valid language tag"))
        .collect()
});

tokio::task_local! {
    static CURRENT: &'static str;
    static HERE: String;
}

/// Picks the page language for a request: the language cookie, then `Accept-Language`
/// (quality values honoured), then English. Always one of [`SUPPORTED`].
pub fn negotiate(headers: &HeaderMap) -> &'static str {
    if let Some(lang) = super::session::cookie(headers, LANG_COOKIE).and_then(supported) {
        return lang;
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let requested = fluent_langneg::accepted_languages::parse(accept);
    let chosen = fluent_langneg::negotiate_languages(
        &requested,
        &AVAILABLE[..],
        Some(&AVAILABLE[0]),
        fluent_langneg::NegotiationStrategy::Lookup,
    );
    chosen
        .first()
        .and_then(|l| supported(l.language.as_str()))
        .unwrap_or("en")
}

/// `lang` as one of [`SUPPORTED`], or `None`.
pub fn supported(lang: &str) -> Option<&'static str> {
    SUPPORTED.iter().copied().find(|l| *l == lang)
}

/// Middleware: runs the request with its negotiated language as [`current`] (and its path as
/// [`here`]), and says so in `Content-Language`.
pub async fn layer(req: Request, next: Next) -> Response {
    let lang = negotiate(req.headers());
    let here = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let mut res = CURRENT.scope(lang, HERE.scope(here, next.run(req))).await;
    if let Ok(v) = header::HeaderValue::from_str(lang) {
        res.headers_mut()
            .entry(header::CONTENT_LANGUAGE)
            .or_insert(v);
    }
    res
}

/// The language of the request being handled (`"en"` outside a request).
pub fn current() -> &'static str {
    CURRENT.try_with(|l| *l).unwrap_or("en")
}

/// Path and query of the page being rendered (for "switch language and come back" links).
pub fn here() -> String {
    HERE.try_with(Clone::clone).unwrap_or_else(|_| "/".into())
}

fn langid(lang: &str) -> &'static LanguageIdentifier {
    AVAILABLE
        .iter()
        .find(|l| l.language.as_str() == lang)
        .unwrap_or(&AVAILABLE[0])
}

/// Message `id` as plain text in the current language (English when missing there; the id
/// itself, logged, when missing everywhere).
pub fn tr(id: &str) -> String {
    tr_args(id, &[])
}

/// Message `id` with arguments, as plain text in the current language.
pub fn tr_args(id: &str, args: &[(&str, FluentValue<'static>)]) -> String {
    lookup(current(), id, args)
}

/// Message `id` with `args` in `lang` (plain text).
pub fn lookup(lang: &str, id: &str, args: &[(&str, FluentValue<'static>)]) -> String {
    let map: HashMap<Cow<'static, str>, FluentValue<'static>> = args
        .iter()
        .map(|(k, v)| (Cow::Owned((*k).to_string()), v.clone()))
        .collect();
    let found = LOCALES.try_lookup_complete(langid(lang), id, Some(&map).filter(|m| !m.is_empty()));
    found.unwrap_or_else(|| {
        tracing::error!(message_id = id, lang, "missing message in the catalogue");
        id.to_string()
    })
}

/// True when message `id` exists in `lang` itself (no fallback). Used by the catalogue tests.
pub fn has_message(lang: &str, id: &str) -> bool {
    // Formatting without arguments fails for messages with variables; such a "Fluent errors"
    // result still means the message exists (the error type is not exported to match on).
    match LOCALES.lookup_single_language::<&str>(langid(lang), id, None) {
        Ok(_) => true,
        Err(e) => e.to_string().starts_with("Fluent errors"),
    }
}

fn template_lang(state: &State) -> &'static str {
    state
        .lookup("lang")
        .and_then(|v| v.as_str().and_then(supported))
        .unwrap_or_else(current)
}

/// Private-use characters marking where a string argument goes, so the formatted message can
/// be escaped as a whole and the (separately escaped) argument put back inside `<bdi>`.
const MARK_OPEN: char = '\u{E000}';
const MARK_CLOSE: char = '\u{E001}';

/// HTML-escapes `s`; `strip_marks` drops our argument markers (from user text, which must not
/// smuggle them in).
fn escape(s: &str, strip_marks: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            MARK_OPEN | MARK_CLOSE if strip_marks => {}
            c => out.push(c),
        }
    }
    out
}

/// Converts template keyword arguments: numbers stay numbers; strings become markers (`html`)
/// or themselves.
fn fluent_args(
    kwargs: &Kwargs,
    html: bool,
    strings: &mut Vec<String>,
) -> Result<Vec<(String, FluentValue<'static>)>, Error> {
    let mut out = Vec::new();
    for key in kwargs.args() {
        let v: Value = kwargs.get(key)?;
        let fv = match v.kind() {
            ValueKind::Number => match f64::try_from(v.clone()) {
                Ok(n) => FluentValue::from(n),
                Err(_) => FluentValue::from(v.to_string()),
            },
            ValueKind::None | ValueKind::Undefined => FluentValue::from(String::new()),
            _ => {
                let s = v
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string());
                if html {
                    strings.push(s);
                    FluentValue::from(format!("{MARK_OPEN}{}{MARK_CLOSE}", strings.len() - 1))
                } else {
                    FluentValue::from(s)
                }
            }
        };
        out.push((key.to_string(), fv));
    }
    Ok(out)
}

fn format(state: &State, id: &str, kwargs: &Kwargs, html: bool) -> Result<String, Error> {
    let mut strings = Vec::new();
    let args = fluent_args(kwargs, html, &mut strings)?;
    kwargs.assert_all_used()?;
    let args: Vec<(&str, FluentValue<'static>)> =
        args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    let text = lookup(template_lang(state), id, &args);
    if !html {
        return Ok(text);
    }
    // Escape the whole message, then put each argument back, escaped, inside <bdi>.
    let escaped = escape(&text, false);
    let mut out = String::with_capacity(escaped.len());
    let mut rest = escaped.as_str();
    while let Some(start) = rest.find(MARK_OPEN) {
        out.push_str(&rest[..start]);
        let after = &rest[start + MARK_OPEN.len_utf8()..];
        let Some(end) = after.find(MARK_CLOSE) else {
            break;
        };
        let index: usize = after[..end].parse().map_err(|_| {
            Error::new(
                ErrorKind::InvalidOperation,
                "broken message argument marker",
            )
        })?;
        out.push_str("<bdi>");
        out.push_str(&escape(
            strings.get(index).map(String::as_str).unwrap_or(""),
            true,
        ));
        out.push_str("</bdi>");
        rest = &after[end + MARK_CLOSE.len_utf8()..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Template function `t(id, **args)`: the message as safe HTML (see the module docs).
pub fn t_function(state: &State, id: &str, kwargs: Kwargs) -> Result<Value, Error> {
    format(state, id, &kwargs, true).map(Value::from_safe_string)
}

/// Template function `tt(id, **args)`: the message as plain text.
pub fn tt_function(state: &State, id: &str, kwargs: Kwargs) -> Result<Value, Error> {
    format(state, id, &kwargs, false).map(Value::from)
}

fn chrono_locale(lang: &str) -> chrono::Locale {
    match lang {
        "es" => chrono::Locale::es_ES,
        _ => chrono::Locale::en_GB,
    }
}

fn localised(state: &State, ts: &str, tz: Option<&str>, fmt: &str) -> Result<String, Error> {
    let parsed = chrono::DateTime::parse_from_rfc3339(ts).map_err(|e| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("not an RFC 3339 time: {e}"),
        )
    })?;
    let tz: chrono_tz::Tz = tz.and_then(|t| t.parse().ok()).unwrap_or(chrono_tz::UTC);
    Ok(parsed
        .with_timezone(&tz)
        .format_localized(fmt, chrono_locale(template_lang(state)))
        .to_string())
}

/// Filter `date(tz)`: `"2026-11-30T14:05:00Z"|date("Europe/London")` → `30 Nov 2026`.
pub fn date_filter(state: &State, ts: String, tz: Option<String>) -> Result<String, Error> {
    localised(state, &ts, tz.as_deref(), "%-d %b %Y")
}

/// Filter `datetime(tz)`: `… → 30 Nov 2026, 14:05` (24-hour clock in the zone `tz`).
pub fn datetime_filter(state: &State, ts: String, tz: Option<String>) -> Result<String, Error> {
    localised(state, &ts, tz.as_deref(), "%-d %b %Y, %H:%M")
}

/// Registers `t`, `tt`, `date` and `datetime` on a template environment.
pub fn register(env: &mut minijinja::Environment<'static>) {
    env.add_function("t", t_function);
    env.add_function("tt", tt_function);
    env.add_filter("date", date_filter);
    env.add_filter("datetime", datetime_filter);
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use minijinja::{context, Environment};

    fn env() -> Environment<'static> {
        let mut env = Environment::new();
        register(&mut env);
        env
    }

    #[test]
    fn accept_language_and_cookie_pick_the_language() {
        let mut h = HeaderMap::new();
        assert_eq!(negotiate(&h), "en");
        h.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("es-MX,es;q=0.9,en;q=0.5"),
        );
        assert_eq!(negotiate(&h), "es");
        h.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("fr-FR, de;q=0.5"),
        );
        assert_eq!(negotiate(&h), "en");
        h.insert(header::COOKIE, HeaderValue::from_static("accolade_lang=es"));
        assert_eq!(negotiate(&h), "es");
        h.insert(header::COOKIE, HeaderValue::from_static("accolade_lang=xx"));
        assert_eq!(negotiate(&h), "en");
    }

    #[test]
    fn arguments_are_escaped_and_isolated() {
        let env = env();
        let html = env
            .render_str(
                r#"{{ t("common-signed-in-as", name=n) }}"#,
                context! { lang => "en", n => "<b>\u{5e9}\u{5dc}\u{5d5}\u{5dd}</b>\u{e000}0\u{e001}" },
            )
            .unwrap();
        assert_eq!(
            html,
            "Signed in as <bdi>&lt;b&gt;\u{5e9}\u{5dc}\u{5d5}\u{5dd}&lt;/b&gt;0</bdi>"
        );
        // Plain text, escaped by the .html template's auto-escaping like any value.
        let mut env = env;
        env.add_template(
            "attr.html",
            r#"<img alt="{{ tt('common-signed-in-as', name='A & "B"') }}">"#,
        )
        .unwrap();
        let text = env
            .get_template("attr.html")
            .unwrap()
            .render(context! { lang => "es" })
            .unwrap();
        assert_eq!(
            text,
            "<img alt=\"Sesión iniciada como A &amp; &quot;B&quot;\">"
        );
    }

    #[test]
    fn dates_follow_language_and_zone() {
        let env = env();
        let out = env
            .render_str(
                r#"{{ ts|datetime("America/New_York") }} / {{ ts|date("Europe/Madrid") }}"#,
                context! { lang => "es", ts => "2026-11-30T23:30:00Z" },
            )
            .unwrap();
        assert_eq!(out, "30 nov 2026, 18:30 / 1 dic 2026");
    }
}
