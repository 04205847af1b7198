//! Sign-in cards: one-time codes (printed with a QR code) for students who have no e-mail or
//! password.
//!
//! A code is 12 Crockford base32 characters (60 bits), printed as `XXXX-XXXX-XXXX`; only its
//! SHA-256 is stored. The QR code encodes `{public_url}/signin/card/{code}`. Issuing cards for a
//! class revokes each student's unused cards; a card works once and expires (default 14 days).

use accolade_db::classes::Class;
use accolade_db::schools::School;
use accolade_db::{audit, Db};
use accolade_proto::{SignInCard, SignInCardSheet};
use qrcode::{EcLevel, QrCode};
use quick_xml::escape::escape;
use rand::Rng;
use uuid::Uuid;

use crate::error::ApiError;
use crate::tokens::hash_secret;

/// Crockford base32 alphabet (no I, L, O, U).
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// `n` random Crockford base32 characters from the OS RNG.
pub fn random_crockford(n: usize) -> String {
    let mut rng = rand::rngs::OsRng;
    (0..n)
        .map(|_| CROCKFORD[rng.gen_range(0..32)] as char)
        .collect()
}

/// Canonical form of a typed code: upper-case, hyphens and spaces removed, and the Crockford
/// look-alikes mapped (`I`,`L` → `1`, `O` → `0`). Returns `None` if anything else remains.
pub fn normalise_code(input: &str) -> Option<String> {
    let mut out = String::with_capacity(12);
    for c in input.chars() {
        let c = c.to_ascii_uppercase();
        let mapped = match c {
            '-' | ' ' => continue,
            'I' | 'L' => '1',
            'O' => '0',
            c if CROCKFORD.contains(&(c as u8)) && c.is_ascii() => c,
            _ => return None,
        };
        out.push(mapped);
        if out.len() > 32 {
            return None;
        }
    }
    (!out.is_empty()).then_some(out)
}

/// `ABCDEFGHJKMN` → `ABCD-EFGH-JKMN`.
pub fn format_code(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// Issues one card per active student of `class`, revoking their unused cards; audited.
pub async fn issue_for_class(
    db: &Db,
    public_url: &str,
    school: &School,
    class: &Class,
    issued_by: Option<Uuid>,
    ttl_days: u64,
) -> Result<SignInCardSheet, ApiError> {
    let txn = db.begin_write().await?;
    let members = accolade_db::classes::members(&*txn, school.id, class.id).await?;
    let expires = chrono::Utc::now() + chrono::Duration::days(ttl_days as i64);
    let mut cards = Vec::new();
    for (user, role) in members {
        if role != "student" {
            continue;
        }
        accolade_db::cards::revoke_unused(&*txn, user.id).await?;
        let code = random_crockford(12);
        accolade_db::cards::insert(
            &*txn,
            school.id,
            user.id,
            Some(class.id),
            hash_secret(&code),
            issued_by,
            accolade_db::ts(expires),
        )
        .await?;
        cards.push(SignInCard {
            user_id: user.id,
            display_name: user.display_name.clone(),
            url: format!("{public_url}/signin/card/{code}"),
            code: format_code(&code),
            expires_at: expires,
        });
    }
    audit::record(
        &*txn,
        audit::Record {
            school_id: school.id,
            actor_id: issued_by,
            action: "signin_cards.issue",
            target_type: "class",
            target_id: Some(class.id.to_string()),
            before: None,
            after: Some(serde_json::json!({ "cards": cards.len(), "expires_at": expires })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(SignInCardSheet {
        class_title: class.title.clone(),
        cards,
    })
}

/// The QR code of `data` as SVG path data in module units (one `M x y h1v1h-1z` per dark
/// module) and the symbol width in modules, quiet zone excluded. Error correction M.
pub fn qr_path(data: &str) -> Result<(String, usize), ApiError> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M)
        .map_err(|e| ApiError::Internal(format!("qr: {e}")))?;
    let width = code.width();
    let colors = code.to_colors();
    let mut d = String::new();
    for (i, c) in colors.iter().enumerate() {
        if *c == qrcode::Color::Dark {
            let (x, y) = (i % width, i / width);
            d.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    Ok((d, width))
}

/// Renders a printable A4 sheet (SVG, 210×297 mm) of sign-in cards, 2 columns × 4 rows a
/// page stacked vertically: display name, class, QR code, the code in large type and the
/// expiry date. All text is XML-escaped.
pub fn render_sheet_svg(sheet: &SignInCardSheet, school_name: &str) -> Result<String, ApiError> {
    const PAGE_W: f64 = 210.0;
    const PAGE_H: f64 = 297.0;
    const CARD_W: f64 = 95.0;
    const CARD_H: f64 = 68.0;
    let per_page = 8;
    let pages = sheet.cards.len().div_ceil(per_page).max(1);
    let total_h = PAGE_H * pages as f64;
    let mut out = String::new();
    out.push_str(&format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{PAGE_W}mm\" height=\"{total_h}mm\" \
         viewBox=\"0 0 {PAGE_W} {total_h}\" font-family=\"DejaVu Sans, Arial, sans-serif\">\n"
    ));
    out.push_str(&format!(
        "<title>{} – sign-in cards – {}</title>\n",
        escape(school_name),
        escape(&sheet.class_title)
    ));
    for (i, card) in sheet.cards.iter().enumerate() {
        let page = i / per_page;
        let slot = i % per_page;
        let x = 7.5 + (slot % 2) as f64 * (CARD_W + 5.0);
        let y = page as f64 * PAGE_H + 8.0 + (slot / 2) as f64 * (CARD_H + 3.0);
        let (path, width) = qr_path(&card.url)?;
        let qr_size = 44.0;
        let quiet = 4.0;
        let scale = qr_size / (width as f64 + 2.0 * quiet);
        out.push_str(&format!(
            "<g transform=\"translate({x} {y})\">\
             <rect width=\"{CARD_W}\" height=\"{CARD_H}\" rx=\"3\" fill=\"#fff\" stroke=\"#555\" stroke-width=\"0.3\" stroke-dasharray=\"2 1\"/>\
             <text x=\"5\" y=\"9\" font-size=\"5\" font-weight=\"bold\">{name}</text>\
             <text x=\"5\" y=\"15\" font-size=\"3.2\" fill=\"#333\">{class} · {school}</text>\
             <g transform=\"translate(3 18) scale({scale})\"><rect x=\"0\" y=\"0\" width=\"{qw}\" height=\"{qw}\" fill=\"#fff\"/>\
             <path transform=\"translate({quiet} {quiet})\" d=\"{path}\" fill=\"#000\"/></g>\
             <text x=\"50\" y=\"30\" font-size=\"3\" fill=\"#333\">Scan, or type this code:</text>\
             <text x=\"50\" y=\"40\" font-size=\"5.2\" font-family=\"DejaVu Sans Mono, monospace\" font-weight=\"bold\">{code}</text>\
             <text x=\"50\" y=\"50\" font-size=\"2.8\" fill=\"#333\">Works once. Expires {expires}.</text>\
             <text x=\"50\" y=\"56\" font-size=\"2.8\" fill=\"#333\">Keep it private.</text>\
             </g>\n",
            name = escape(&card.display_name),
            class = escape(&sheet.class_title),
            school = escape(school_name),
            qw = width as f64 + 2.0 * quiet,
            code = escape(&card.code),
            expires = card.expires_at.format("%Y-%m-%d"),
        ));
    }
    out.push_str("</svg>\n");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_normalise() {
        assert_eq!(
            normalise_code("abcd-efgh-jkmn").as_deref(),
            Some("ABCDEFGHJKMN")
        );
        assert_eq!(normalise_code("o0 Il").as_deref(), Some("0011"));
        assert_eq!(normalise_code("ABCU"), None);
        assert_eq!(normalise_code("---"), None);
        assert_eq!(format_code("ABCDEFGHJKMN"), "ABCD-EFGH-JKMN");
        let c = random_crockford(12);
        assert_eq!(normalise_code(&c), Some(c));
    }

    #[test]
    fn sheet_escapes_names_and_is_well_formed() {
        let sheet = SignInCardSheet {
            class_title: "9C <Computing> & co".into(),
            cards: vec![SignInCard {
                user_id: Uuid::nil(),
                display_name: "</text><script>alert(1)</script>".into(),
                code: "ABCD-EFGH-JKMN".into(),
                url: "http://127.0.0.1:8080/signin/card/ABCDEFGHJKMN".into(),
                expires_at: chrono::Utc::now(),
            }],
        };
        let svg = render_sheet_svg(&sheet, "North & field").expect("render");
        assert!(!svg.contains("<script>"));
        let mut reader = quick_xml::Reader::from_str(&svg);
        let mut depth = 0i32;
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Start(_)) => depth += 1,
                Ok(quick_xml::events::Event::End(_)) => depth -= 1,
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("not well-formed: {e}"),
            }
        }
        assert_eq!(depth, 0);
    }
}
