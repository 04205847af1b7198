//! Claim codes: tokens, manual codes, time windows, audiences, and claiming exactly once.
//!
//! Token formats (all base64url, in `{public_url}/c/{token}`):
//! - rotating: `r` + code id (16 bytes) ‖ period (u64, big-endian) ‖ HMAC-SHA256(secret,
//!   "rot" ‖ code id ‖ period) truncated to 12 bytes (96 bits); valid in its period and the
//!   next one, so a photo sent to an absent friend stops working within two periods;
//! - static: `s` + 16 bytes derived from the code's secret (128 bits);
//! - sheet: `t` + 16 bytes derived from the code's secret and the card number.
//!
//! Manual codes are 8 Crockford base32 characters: a 4-character prefix naming the code, then
//! 4 characters that are fixed (static), derived from the period (rotating), or — for sheets —
//! 8 characters per card. Only hashes of static and sheet tokens are stored, for lookup.

use accolade_db::claims::{ClaimCode as CodeRow, SheetToken};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::tokens::hash_secret;

type HmacSha256 = Hmac<Sha256>;

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

fn mac(secret: &str, parts: &[&[u8]]) -> ApiResult<Vec<u8>> {
    let mut m = HmacSha256::new_from_slice(secret.as_bytes())
        .map_err(|e| ApiError::Internal(format!("hmac: {e}")))?;
    for p in parts {
        m.update(p);
    }
    Ok(m.finalize().into_bytes().to_vec())
}

fn crockford(bytes: &[u8], n: usize) -> String {
    // Take 5 bits at a time from the front of `bytes`.
    let mut out = String::with_capacity(n);
    let mut acc: u64 = 0;
    let mut bits = 0;
    let mut it = bytes.iter();
    while out.len() < n {
        if bits < 5 {
            acc = (acc << 8) | u64::from(*it.next().unwrap_or(&0));
            bits += 8;
        }
        let idx = ((acc >> (bits - 5)) & 31) as usize;
        bits -= 5;
        out.push(CROCKFORD[idx] as char);
    }
    out
}

/// The rotation period number at `now`.
pub fn period(code: &CodeRow, now: DateTime<Utc>) -> i64 {
    now.timestamp()
        .div_euclid(i64::from(code.rotation_secs.max(1)))
}

/// The rotating token for `period`.
pub fn rotating_token(code: &CodeRow, period: i64) -> ApiResult<String> {
    let p = period.to_be_bytes();
    let tag = mac(&code.secret, &[b"rot", code.id.as_bytes(), &p])?;
    let mut raw = Vec::with_capacity(36);
    raw.extend_from_slice(code.id.as_bytes());
    raw.extend_from_slice(&p);
    raw.extend_from_slice(&tag[..12]);
    Ok(format!("r{}", URL_SAFE_NO_PAD.encode(raw)))
}

/// The static token of a code.
pub fn static_token(code_id: Uuid, secret: &str) -> ApiResult<String> {
    let tag = mac(secret, &[b"static", code_id.as_bytes()])?;
    Ok(format!("s{}", URL_SAFE_NO_PAD.encode(&tag[..16])))
}

/// Token and manual code of sheet card `n`.
pub fn sheet_card(code_id: Uuid, secret: &str, n: u32) -> ApiResult<(String, String)> {
    let tag = mac(secret, &[b"sheet", code_id.as_bytes(), &n.to_be_bytes()])?;
    let manual = crockford(
        &mac(
            secret,
            &[b"sheet-manual", code_id.as_bytes(), &n.to_be_bytes()],
        )?,
        8,
    );
    Ok((format!("t{}", URL_SAFE_NO_PAD.encode(&tag[..16])), manual))
}

/// The manual code shown now (`None` for sheets, whose cards each have their own).
pub fn manual_code(code: &CodeRow, now: DateTime<Utc>) -> ApiResult<Option<String>> {
    Ok(match code.mode.as_str() {
        "rotating" => Some(format!(
            "{}{}",
            code.manual_prefix,
            rotating_suffix(code, period(code, now))?
        )),
        "static" => Some(format!("{}{}", code.manual_prefix, code.manual_suffix)),
        _ => None,
    })
}

fn rotating_suffix(code: &CodeRow, period: i64) -> ApiResult<String> {
    Ok(crockford(
        &mac(
            &code.secret,
            &[b"manual", code.id.as_bytes(), &period.to_be_bytes()],
        )?,
        4,
    ))
}

/// `ABCD1234` → `ABCD-1234`.
pub fn display_manual(code: &str) -> String {
    if code.len() == 8 {
        format!("{}-{}", &code[..4], &code[4..])
    } else {
        code.to_owned()
    }
}

/// What a scanned token or typed code refers to.
pub enum Resolved {
    /// A rotating or static code (or its manual code).
    Code(CodeRow),
    /// One card of a sheet.
    Sheet(CodeRow, SheetToken),
}

/// Finds the claim code a token or manual code belongs to, checking rotating tokens' HMAC and
/// period. Errors: 404 unknown; 410 `claim_closed` for a rotating token from an older period.
pub async fn resolve(
    conn: &impl sea_orm::ConnectionTrait,
    token: Option<&str>,
    manual: Option<&str>,
    now: DateTime<Utc>,
) -> ApiResult<Resolved> {
    if let Some(raw) = token {
        let t = raw
            .trim()
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default();
        if t.len() > 128 || t.len() < 2 {
            return Err(ApiError::NotFound("claim code"));
        }
        let (kind, body) = t.split_at(1);
        return match kind {
            "r" => {
                let raw = URL_SAFE_NO_PAD
                    .decode(body)
                    .map_err(|_| ApiError::NotFound("claim code"))?;
                if raw.len() != 36 {
                    return Err(ApiError::NotFound("claim code"));
                }
                let id =
                    Uuid::from_slice(&raw[..16]).map_err(|_| ApiError::NotFound("claim code"))?;
                let mut pb = [0u8; 8];
                pb.copy_from_slice(&raw[16..24]);
                let p = i64::from_be_bytes(pb);
                let code = accolade_db::claims::code_by_id_any(conn, id)
                    .await?
                    .filter(|c| c.mode == "rotating")
                    .ok_or(ApiError::NotFound("claim code"))?;
                let mut m = HmacSha256::new_from_slice(code.secret.as_bytes())
                    .map_err(|e| ApiError::Internal(format!("hmac: {e}")))?;
                m.update(b"rot");
                m.update(code.id.as_bytes());
                m.update(&pb);
                m.verify_truncated_left(&raw[24..])
                    .map_err(|_| ApiError::NotFound("claim code"))?;
                let current = period(&code, now);
                if p != current && p != current - 1 {
                    return Err(ApiError::ClaimClosed(
                        "this QR code has changed: scan the one on the screen now",
                    ));
                }
                Ok(Resolved::Code(code))
            }
            "s" => accolade_db::claims::code_by_static_hash(conn, &hash_secret(t))
                .await?
                .map(Resolved::Code)
                .ok_or(ApiError::NotFound("claim code")),
            "t" => {
                let sheet = accolade_db::claims::sheet_token(conn, &hash_secret(t))
                    .await?
                    .ok_or(ApiError::NotFound("claim code"))?;
                let code = accolade_db::claims::code_by_id_any(conn, sheet.claim_code_id)
                    .await?
                    .ok_or(ApiError::NotFound("claim code"))?;
                Ok(Resolved::Sheet(code, sheet))
            }
            _ => Err(ApiError::NotFound("claim code")),
        };
    }
    let typed = manual
        .ok_or_else(|| ApiError::field("token", "give the scanned token or the typed code"))?;
    let norm = crate::cards::normalise_code(typed)
        .filter(|c| c.len() == 8)
        .ok_or(ApiError::NotFound("claim code"))?;
    if let Some(sheet) =
        accolade_db::claims::sheet_token(conn, &hash_secret(&format!("manual:{norm}"))).await?
    {
        let code = accolade_db::claims::code_by_id_any(conn, sheet.claim_code_id)
            .await?
            .ok_or(ApiError::NotFound("claim code"))?;
        return Ok(Resolved::Sheet(code, sheet));
    }
    let (prefix, suffix) = norm.split_at(4);
    let code = accolade_db::claims::code_by_prefix(conn, prefix)
        .await?
        .ok_or(ApiError::NotFound("claim code"))?;
    let ok = match code.mode.as_str() {
        "static" => code.manual_suffix == suffix,
        "rotating" => {
            let p = period(&code, now);
            rotating_suffix(&code, p)? == suffix || rotating_suffix(&code, p - 1)? == suffix
        }
        _ => false,
    };
    if !ok {
        return Err(ApiError::NotFound("claim code"));
    }
    Ok(Resolved::Code(code))
}

/// Checks status and window (`starts_at` inclusive, `ends_at` exclusive, full timestamps).
/// Errors: 410 closed or ended; 403 `claim_not_open` (paused, or with `opens_at` before the
/// window).
pub fn check_open(code: &CodeRow, now: DateTime<Utc>) -> ApiResult<()> {
    if code.status == "closed" {
        return Err(ApiError::ClaimClosed("this code is closed"));
    }
    let ends = code.ends_at.with_timezone(&Utc);
    if now >= ends {
        return Err(ApiError::ClaimClosed("this code has expired"));
    }
    let starts = code.starts_at.with_timezone(&Utc);
    if now < starts {
        return Err(ApiError::ClaimNotOpen {
            message: "this code is not open yet".into(),
            opens_at: Some(starts),
        });
    }
    if code.status == "paused" {
        return Err(ApiError::ClaimNotOpen {
            message: "this code is paused by the teacher".into(),
            opens_at: None,
        });
    }
    Ok(())
}

/// Parses a window boundary: RFC 3339 with an offset (absolute), or a local
/// `YYYY-MM-DDTHH:MM[:SS]` (or with a space) in the school's time zone. A local time that does
/// not exist (DST gap) is an error; an ambiguous one takes the earlier instant.
pub fn parse_boundary(field: &str, value: &str, tz_name: &str) -> ApiResult<DateTime<Utc>> {
    let v = value.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(t.with_timezone(&Utc));
    }
    let tz: chrono_tz::Tz = tz_name.parse().unwrap_or(chrono_tz::UTC);
    let naive = [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(v, f).ok())
    .ok_or_else(|| {
        ApiError::field(
            field,
            "use RFC 3339 or YYYY-MM-DDTHH:MM in the school's time zone",
        )
    })?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| ApiError::field(field, "this local time does not exist (clock change)"))
}

/// `2026-12-01 09:00` in `tz`.
pub fn local(t: DateTime<Utc>, tz_name: &str) -> String {
    let tz: chrono_tz::Tz = tz_name.parse().unwrap_or(chrono_tz::UTC);
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// A fresh random manual-code prefix or suffix (4 Crockford characters).
pub fn random4() -> String {
    crate::cards::random_crockford(4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_window_end_in_utc_plus_11() {
        // 2018-01-11 00:00 in Sydney (UTC+11 in summer) is 2018-01-10T13:00:00Z.
        let t = parse_boundary("ends_at", "2018-01-11T00:00", "Australia/Sydney").expect("parse");
        assert_eq!(
            t,
            Utc.with_ymd_and_hms(2018, 1, 10, 13, 0, 0)
                .single()
                .expect("date")
        );
        let t =
            parse_boundary("ends_at", "2018-01-11T00:00:00+11:00", "Europe/London").expect("parse");
        assert_eq!(
            t,
            Utc.with_ymd_and_hms(2018, 1, 10, 13, 0, 0)
                .single()
                .expect("date")
        );
        assert!(parse_boundary("ends_at", "next tuesday", "UTC").is_err());
    }

    #[test]
    fn crockford_is_stable_and_valid() {
        let s = crockford(&[0xff, 0x00, 0xaa, 0x55, 0x12], 8);
        assert_eq!(s.len(), 8);
        assert!(s.bytes().all(|b| CROCKFORD.contains(&b)));
        assert_eq!(s, crockford(&[0xff, 0x00, 0xaa, 0x55, 0x12], 8));
    }
}
