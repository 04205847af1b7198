//! E-mail notifications, queued in the outbox inside the action's transaction (see
//! [`accolade_db::outbox`]) and sent by the background sender ([`crate::mailer`]): never inside a
//! request, so an SMTP outage loses no award and no mail.
//!
//! Three kinds of message, each with a plain-text and an HTML body rendered from the templates in
//! `templates/mail/` (minijinja; `.html` templates auto-escape every value):
//! - [`KIND_AWARD`] "you received a badge", to the recipient;
//! - [`KIND_DECISION`] "your nomination was decided", to the nominator;
//! - [`KIND_DIGEST`] the digest of pending nominations, to teachers and admins.
//!
//! Mail goes only to active users with an e-mail address and `email_notifications` on. Bodies
//! name people by display name only and never carry anyone else's e-mail address.
//!
//! Every message ends with an unsubscribe link signed with HMAC-SHA256 ([`unsubscribe_url`]):
//! the body holds [`UNSUBSCRIBE_MARKER`], which the sender replaces with the signed link when it
//! sends the message (the key lives in the application state, not in the transaction).

use std::sync::LazyLock;

use accolade_db::awards::Award as AwardRow;
use accolade_db::nominations::Nomination as NominationRow;
use accolade_db::outbox::NewMail;
use accolade_db::users::User;
use accolade_db::WriteTxn;
use accolade_proto::Award;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use minijinja::{context, Environment, Value};
use serde::Serialize;
use sha2::Sha256;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

type HmacSha256 = Hmac<Sha256>;

/// Outbox kind of "you received a badge".
pub const KIND_AWARD: &str = "award";
/// Outbox kind of "your nomination was decided".
pub const KIND_DECISION: &str = "decision";
/// Outbox kind of the digest of pending nominations.
pub const KIND_DIGEST: &str = "digest";

/// Placeholder for the recipient's signed unsubscribe link in stored bodies; the sender
/// replaces it (HTML-escaped in the HTML part) when it sends the message.
pub const UNSUBSCRIBE_MARKER: &str = "__ACCOLADE_UNSUBSCRIBE_URL__";

/// Label mixed into the signing secret to get the unsubscribe-link key.
const LINK_KEY_LABEL: &[u8] = b"accolade/unsubscribe";

/// Longest subject line we write (characters); longer badge names are cut with `…`.
const MAX_SUBJECT_CHARS: usize = 150;

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    let templates: [(&str, &str); 7] = [
        ("award.txt", include_str!("../templates/mail/award.txt")),
        ("award.html", include_str!("../templates/mail/award.html")),
        (
            "decision.txt",
            include_str!("../templates/mail/decision.txt"),
        ),
        (
            "decision.html",
            include_str!("../templates/mail/decision.html"),
        ),
        ("digest.txt", include_str!("../templates/mail/digest.txt")),
        ("digest.html", include_str!("../templates/mail/digest.html")),
        (
            "unsubscribe_page.html",
            include_str!("../templates/mail/unsubscribe_page.html"),
        ),
    ];
    for (name, source) in templates {
        // The sources are compiled in, so a syntax error is a bug caught by the tests.
        if let Err(e) = env.add_template(name, source) {
            tracing::error!(template = name, error = %e, "mail template does not compile");
        }
    }
    env
});

/// Renders the compiled-in template `name` (e.g. `"award.html"`) with `ctx`. `.html` templates
/// escape every value except those made with [`safe_url`].
///
/// Errors: [`ApiError::Internal`] when the template is missing or fails to render.
pub fn render(name: &str, ctx: Value) -> ApiResult<String> {
    TEMPLATES
        .get_template(name)
        .and_then(|t| t.render(ctx))
        .map_err(|e| ApiError::Internal(format!("rendering {name}: {e}")))
}

/// Escapes `&`, `<`, `>`, `"` and `'` for an HTML attribute or text.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A URL we built ourselves, escaped once for HTML and marked safe so the template does not
/// escape it again (minijinja would also turn `/` into `&#x2f;`).
pub fn safe_url(url: &str) -> Value {
    Value::from_safe_string(escape_html(url))
}

/// Text from users (names, reasons) as a template value: the unsubscribe marker is removed so
/// it cannot be smuggled into a body.
fn user_text(s: &str) -> String {
    s.replace(UNSUBSCRIBE_MARKER, "")
}

/// A subject line: control characters become spaces, at most [`MAX_SUBJECT_CHARS`].
pub fn subject_line(s: &str) -> String {
    let clean: String = user_text(s)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let clean = clean.trim();
    if clean.chars().count() <= MAX_SUBJECT_CHARS {
        clean.to_owned()
    } else {
        let mut cut: String = clean.chars().take(MAX_SUBJECT_CHARS - 1).collect();
        cut.push('…');
        cut
    }
}

/// The address to write to when `user` wants notification e-mail: active, with a non-empty
/// e-mail address and `email_notifications` on; `None` otherwise.
pub fn notification_address(user: &User) -> Option<&str> {
    let email = user.email.as_deref()?.trim();
    (user.active && user.email_notifications && !email.is_empty()).then_some(email)
}

/// The unsubscribe-link key: HMAC-SHA256(`secret`, `"accolade/unsubscribe"`), 32 bytes, so
/// links and access tokens never share a key.
pub fn derive_link_key(secret: &[u8]) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(LINK_KEY_LABEL);
    mac.finalize().into_bytes().to_vec()
}

fn link_mac(key: &[u8], user_id: Uuid, kind: &str) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(user_id.as_bytes());
    mac.update(b"\n");
    mac.update(kind.as_bytes());
    mac
}

/// Signature of an unsubscribe link for `user_id` and `kind`: base64url (no padding) of
/// HMAC-SHA256(`key`, user id bytes ‖ `\n` ‖ kind), 43 characters.
pub fn unsubscribe_signature(key: &[u8], user_id: Uuid, kind: &str) -> String {
    URL_SAFE_NO_PAD.encode(link_mac(key, user_id, kind).finalize().into_bytes())
}

/// True when `sig` is the signature of (`user_id`, `kind`); compared in constant time.
pub fn verify_unsubscribe(key: &[u8], user_id: Uuid, kind: &str, sig: &str) -> bool {
    let Ok(bytes) = URL_SAFE_NO_PAD.decode(sig.trim()) else {
        return false;
    };
    link_mac(key, user_id, kind).verify_slice(&bytes).is_ok()
}

/// The path and query of an unsubscribe link: `/unsubscribe?u={user_id}&k={kind}&s={sig}`.
pub fn unsubscribe_path(key: &[u8], user_id: Uuid, kind: &str) -> String {
    format!(
        "/unsubscribe?u={user_id}&k={kind}&s={}",
        unsubscribe_signature(key, user_id, kind)
    )
}

/// The absolute unsubscribe link under `base` (the public URL, no trailing slash).
pub fn unsubscribe_url(base: &str, key: &[u8], user_id: Uuid, kind: &str) -> String {
    format!("{base}{}", unsubscribe_path(key, user_id, kind))
}

/// Link to an award's page in the web app: `{base}/awards/{id}`.
pub fn award_page_url(base: &str, id: Uuid) -> String {
    format!("{base}/awards/{id}")
}

/// Link to a nomination's page in the web app: `{base}/nominations/{id}`.
pub fn nomination_page_url(base: &str, id: Uuid) -> String {
    format!("{base}/nominations/{id}")
}

/// Link to the moderation queue in the web app: `{base}/queue`.
pub fn queue_page_url(base: &str) -> String {
    format!("{base}/queue")
}

/// Queues "you received a badge" for a recipient with an e-mail and notifications on: badge
/// image, name and description, the issuer (school), and links to the award page and the
/// hosted assertion.
///
/// Errors: database errors, or [`ApiError::Internal`] when a template fails.
pub async fn award_issued(txn: &WriteTxn, base: &str, a: &AwardRow, view: &Award) -> ApiResult<()> {
    let Some(recipient) = accolade_db::users::by_id(&**txn, a.school_id, a.recipient_id).await?
    else {
        return Ok(());
    };
    let Some(to) = notification_address(&recipient) else {
        return Ok(());
    };
    let subject = subject_line(&format!("You received a badge: {}", view.badge.name));
    let ctx = context! {
        subject => user_text(&subject),
        recipient => user_text(&recipient.display_name),
        issuer => user_text(&view.issuer_name),
        badge => user_text(&view.badge.name),
        description => user_text(&view.description),
        narrative => view.narrative.as_deref().map(user_text),
        image_url => safe_url(&view.badge.image_url),
        award_url => safe_url(&award_page_url(base, a.id)),
        assertion_url => safe_url(&view.assertion_url),
        unsubscribe_url => Value::from_safe_string(UNSUBSCRIBE_MARKER.to_owned()),
    };
    let text = render("award.txt", text_context(&ctx, base, a.id, view))?;
    let html = render("award.html", ctx)?;
    accolade_db::outbox::enqueue(
        &**txn,
        NewMail {
            school_id: a.school_id,
            user_id: Some(recipient.id),
            to: to.to_owned(),
            kind: KIND_AWARD.into(),
            subject,
            text,
            html,
        },
    )
    .await?;
    Ok(())
}

/// The award context for the text template: the same values with plain (unescaped) URLs.
fn text_context(ctx: &Value, base: &str, id: Uuid, view: &Award) -> Value {
    context! {
        award_url => award_page_url(base, id),
        assertion_url => view.assertion_url.clone(),
        image_url => view.badge.image_url.clone(),
        unsubscribe_url => UNSUBSCRIBE_MARKER,
        ..ctx.clone()
    }
}

/// Queues "your nomination was decided" for the nominator (approved, rejected or returned),
/// with the teacher's reason for a rejection or return; nothing for other states or when the
/// nominator has no e-mail or notifications off.
///
/// Errors: database errors, or [`ApiError::Internal`] when a template fails.
pub async fn nomination_decided(txn: &WriteTxn, base: &str, n: &NominationRow) -> ApiResult<()> {
    if !matches!(n.status.as_str(), "approved" | "rejected" | "returned") {
        return Ok(());
    }
    let conn = &**txn;
    let Some(nominator) = accolade_db::users::by_id(conn, n.school_id, n.nominator_id).await?
    else {
        return Ok(());
    };
    let Some(to) = notification_address(&nominator) else {
        return Ok(());
    };
    let badge = accolade_db::badges::class_by_id(conn, n.school_id, n.badge_class_id)
        .await?
        .map(|b| b.name)
        .unwrap_or_default();
    let nominee = accolade_db::users::by_id_unscoped(conn, n.nominee_id)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_else(|| "a former student".into());
    let decider = match n.decided_by {
        Some(id) => accolade_db::users::by_id_unscoped(conn, id)
            .await?
            .map(|u| u.display_name)
            .unwrap_or_else(|| "A teacher".into()),
        None => "Accolade".into(),
    };
    let subject = subject_line(&match n.status.as_str() {
        "approved" => format!("Your nomination was approved: {badge}"),
        "rejected" => format!("Your nomination was not approved: {badge}"),
        _ => format!("Your nomination needs changes: {badge}"),
    });
    let reason = n
        .decision_reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(user_text);
    let url = nomination_page_url(base, n.id);
    let ctx = context! {
        subject => user_text(&subject),
        status => n.status.clone(),
        nominator => user_text(&nominator.display_name),
        nominee => user_text(&nominee),
        decider => user_text(&decider),
        badge => user_text(&badge),
        reason => reason,
        nomination_url => safe_url(&url),
        unsubscribe_url => Value::from_safe_string(UNSUBSCRIBE_MARKER.to_owned()),
    };
    let text = render(
        "decision.txt",
        context! { nomination_url => url, ..ctx.clone() },
    )?;
    let html = render("decision.html", ctx)?;
    accolade_db::outbox::enqueue(
        conn,
        NewMail {
            school_id: n.school_id,
            user_id: Some(nominator.id),
            to: to.to_owned(),
            kind: KIND_DECISION.into(),
            subject,
            text,
            html,
        },
    )
    .await?;
    Ok(())
}

/// One line of a digest.
#[derive(Debug, Clone, Serialize)]
pub struct DigestItem {
    /// Badge name.
    pub badge: String,
    /// Nominee's display name.
    pub nominee: String,
    /// Title of the class the nomination was made in.
    pub class_title: String,
    /// How long it has waited, e.g. `"3 hours"`.
    pub age: String,
}

/// What a digest says.
#[derive(Debug, Clone)]
pub struct Digest<'a> {
    /// Public base URL, no trailing slash.
    pub base: &'a str,
    /// The teacher's or admin's display name.
    pub teacher: &'a str,
    /// School name.
    pub school: &'a str,
    /// True for an admin's whole-school digest, false for a teacher's classes.
    pub whole_school: bool,
    /// `"daily"` or `"weekly"`.
    pub frequency: &'a str,
    /// Number of pending nominations (≥ `items.len()`).
    pub total: usize,
    /// The oldest pending nominations (at most 20 are listed).
    pub items: Vec<DigestItem>,
}

/// Renders a digest: `(subject, text, html)`.
///
/// Errors: [`ApiError::Internal`] when a template fails.
pub fn render_digest(d: &Digest<'_>) -> ApiResult<(String, String, String)> {
    let subject = if d.total == 1 {
        "1 nomination is waiting for your review".to_owned()
    } else {
        format!("{} nominations are waiting for your review", d.total)
    };
    let items: Vec<DigestItem> = d
        .items
        .iter()
        .take(20)
        .map(|i| DigestItem {
            badge: user_text(&i.badge),
            nominee: user_text(&i.nominee),
            class_title: user_text(&i.class_title),
            age: i.age.clone(),
        })
        .collect();
    let more = d.total.saturating_sub(items.len());
    let queue = queue_page_url(d.base);
    let ctx = context! {
        subject => subject.clone(),
        teacher => user_text(d.teacher),
        school => user_text(d.school),
        scope => if d.whole_school { "school" } else { "classes" },
        frequency => d.frequency,
        total => d.total,
        items => items,
        more => more,
        queue_url => safe_url(&queue),
        unsubscribe_url => Value::from_safe_string(UNSUBSCRIBE_MARKER.to_owned()),
    };
    let text = render("digest.txt", context! { queue_url => queue, ..ctx.clone() })?;
    let html = render("digest.html", ctx)?;
    Ok((subject, text, html))
}

/// How long ago `then` was, in words: `"just now"`, `"5 minutes"`, `"3 hours"`, `"2 days"`.
pub fn age(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - then).num_seconds().max(0);
    let plural = |n: i64, unit: &str| {
        if n == 1 {
            format!("1 {unit}")
        } else {
            format!("{n} {unit}s")
        }
    };
    match secs {
        s if s < 60 => "just now".into(),
        s if s < 3600 => plural(s / 60, "minute"),
        s if s < 86_400 => plural(s / 3600, "hour"),
        s => plural(s / 86_400, "day"),
    }
}

/// Puts the signed unsubscribe link into stored bodies: `(text, html)` with
/// [`UNSUBSCRIBE_MARKER`] replaced by `url` (HTML-escaped in the HTML part).
pub fn with_unsubscribe(text: &str, html: &str, url: &str) -> (String, String) {
    (
        text.replace(UNSUBSCRIBE_MARKER, url),
        html.replace(UNSUBSCRIBE_MARKER, &escape_html(url)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_verify_only_with_the_same_user_kind_and_key() {
        let key = derive_link_key(b"0123456789abcdef0123456789abcdef");
        let other_key = derive_link_key(b"another secret of thirty-two bytes!!");
        let u = Uuid::from_u128(7);
        let sig = unsubscribe_signature(&key, u, KIND_AWARD);
        assert_eq!(sig.len(), 43);
        assert!(verify_unsubscribe(&key, u, KIND_AWARD, &sig));
        assert!(!verify_unsubscribe(&key, u, KIND_DIGEST, &sig));
        assert!(!verify_unsubscribe(
            &key,
            Uuid::from_u128(8),
            KIND_AWARD,
            &sig
        ));
        assert!(!verify_unsubscribe(&other_key, u, KIND_AWARD, &sig));
        assert!(!verify_unsubscribe(&key, u, KIND_AWARD, "not base64 !"));
        assert!(!verify_unsubscribe(&key, u, KIND_AWARD, &sig[..40]));
        // The link key is not the signing secret itself.
        assert_ne!(key, b"0123456789abcdef0123456789abcdef".to_vec());
    }

    #[test]
    fn templates_escape_user_text_in_html_only() {
        let d = Digest {
            base: "https://badges.example.org",
            teacher: "Tess <b>",
            school: "North & South",
            whole_school: true,
            frequency: "daily",
            total: 21,
            items: (0..21)
                .map(|i| DigestItem {
                    badge: format!("<script>alert({i})</script>"),
                    nominee: "Ann \"A\" O'Neil".into(),
                    class_title: "9C".into(),
                    age: "2 days".into(),
                })
                .collect(),
        };
        let (subject, text, html) = render_digest(&d).expect("render");
        assert_eq!(subject, "21 nominations are waiting for your review");
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;alert(0)&lt;&#x2f;script&gt;"));
        assert!(html.contains("North &amp; South"));
        assert!(html.contains("href=\"https://badges.example.org/queue\""));
        assert!(text.contains("<script>alert(0)</script>"));
        assert!(text.contains("Open the review queue: https://badges.example.org/queue"));
        assert_eq!(html.matches("<tr><td").count(), 20);
        assert!(text.contains("and 1 more"));
        let (t, h) = with_unsubscribe(&text, &html, "https://x.example/unsubscribe?u=1&k=digest");
        assert!(t.contains("https://x.example/unsubscribe?u=1&k=digest"));
        assert!(h.contains("https://x.example/unsubscribe?u=1&amp;k=digest"));
        assert!(!h.contains(UNSUBSCRIBE_MARKER));
    }

    #[test]
    fn subjects_have_no_control_characters_and_a_bounded_length() {
        assert_eq!(subject_line("a\r\nb"), "a  b");
        assert_eq!(
            subject_line(&"x".repeat(500)).chars().count(),
            MAX_SUBJECT_CHARS
        );
        assert_eq!(subject_line(UNSUBSCRIBE_MARKER), "");
    }

    #[test]
    fn ages_read_naturally() {
        let now = Utc::now();
        assert_eq!(age(now, now), "just now");
        assert_eq!(age(now - chrono::Duration::minutes(1), now), "1 minute");
        assert_eq!(age(now - chrono::Duration::hours(5), now), "5 hours");
        assert_eq!(age(now - chrono::Duration::days(3), now), "3 days");
    }
}
