//! The offline-first local store (SQLite through `rusqlite`): the session, my badges (with
//! their baked PNGs), my nominations, the teacher's queue, the last event `seq`, and the queue
//! of actions taken offline.
//!
//! Everything is cleared on sign-out: the phone may be shared and students are minors.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::Result;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS awards (
  id TEXT PRIMARY KEY, json TEXT NOT NULL, issued_on TEXT NOT NULL, baked_png BLOB);
CREATE TABLE IF NOT EXISTS nominations (
  list TEXT NOT NULL, id TEXT NOT NULL, json TEXT NOT NULL, created_at TEXT NOT NULL,
  PRIMARY KEY (list, id));
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
  body TEXT NOT NULL, created_at TEXT NOT NULL);
";

/// A queued offline action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedRow {
    /// The `Idempotency-Key` it is sent with (also its id).
    pub key: String,
    /// `nominate`, `decide` or `claim`.
    pub kind: String,
    /// The request, as JSON (see `crate::outbox::Action`).
    pub body: String,
    /// When it was queued (RFC 3339).
    pub created_at: String,
}

/// Which cached nomination list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NominationList {
    /// `GET /api/v1/nominations`: the ones I made or received.
    Mine,
    /// `GET /api/v1/nominations/queue`: waiting for me (teachers).
    Queue,
}

impl NominationList {
    fn as_str(self) -> &'static str {
        match self {
            NominationList::Mine => "mine",
            NominationList::Queue => "queue",
        }
    }
}

/// The local store. Operations are short and synchronous (one small SQLite transaction each).
pub struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    /// Opens (creating) the store at `path`, or an in-memory store when `None`.
    pub fn open(path: Option<&Path>) -> Result<Store> {
        let conn = match path {
            Some(p) => Connection::open(p)?,
            None => Connection::open_in_memory()?,
        };
        conn.pragma_update(None, "journal_mode", "WAL").ok();
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>) -> Result<T> {
        let mut conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        Ok(f(&mut conn)?)
    }

    /// A stored setting.
    pub fn get_meta(&self, key: &str) -> Result<Option<String>> {
        self.with(|c| {
            c.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                .optional()
        })
    }

    /// Stores (or with `None` removes) a setting.
    pub fn set_meta(&self, key: &str, value: Option<&str>) -> Result<()> {
        self.with(|c| {
            match value {
                Some(v) => c.execute(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2)
                     ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    params![key, v],
                )?,
                None => c.execute("DELETE FROM meta WHERE key = ?1", [key])?,
            };
            Ok(())
        })
    }

    /// Replaces the cached awards with `items` (id, json, issued_on), keeping baked images of
    /// awards still present.
    pub fn replace_awards(&self, items: &[(String, String, String)]) -> Result<()> {
        self.with(|c| {
            let tx = c.transaction()?;
            tx.execute("CREATE TEMP TABLE IF NOT EXISTS keep (id TEXT PRIMARY KEY)", [])?;
            tx.execute("DELETE FROM keep", [])?;
            for (id, json, issued) in items {
                tx.execute(
                    "INSERT INTO awards (id, json, issued_on) VALUES (?1, ?2, ?3)
                     ON CONFLICT(id) DO UPDATE SET json = excluded.json, issued_on = excluded.issued_on",
                    params![id, json, issued],
                )?;
                tx.execute("INSERT OR IGNORE INTO keep (id) VALUES (?1)", [id])?;
            }
            tx.execute("DELETE FROM awards WHERE id NOT IN (SELECT id FROM keep)", [])?;
            tx.commit()
        })
    }

    /// Adds or updates one cached award (from an event or a claim).
    pub fn upsert_award(&self, id: &str, json: &str, issued_on: &str) -> Result<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO awards (id, json, issued_on) VALUES (?1, ?2, ?3)
                 ON CONFLICT(id) DO UPDATE SET json = excluded.json",
                params![id, json, issued_on],
            )
            .map(drop)
        })
    }

    /// Cached awards as JSON, newest first.
    pub fn awards(&self) -> Result<Vec<String>> {
        self.with(|c| {
            let mut st = c.prepare("SELECT json FROM awards ORDER BY issued_on DESC, id")?;
            let rows = st.query_map([], |r| r.get(0))?;
            rows.collect()
        })
    }

    /// The cached baked PNG of an award.
    pub fn baked_png(&self, id: &str) -> Result<Option<Vec<u8>>> {
        self.with(|c| {
            c.query_row("SELECT baked_png FROM awards WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()
            .map(Option::flatten)
        })
    }

    /// Caches the baked PNG of an award.
    pub fn set_baked_png(&self, id: &str, png: &[u8]) -> Result<()> {
        self.with(|c| {
            c.execute(
                "UPDATE awards SET baked_png = ?2 WHERE id = ?1",
                params![id, png],
            )
            .map(drop)
        })
    }

    /// Replaces a cached nomination list with `items` (id, json, created_at).
    pub fn replace_nominations(
        &self,
        list: NominationList,
        items: &[(String, String, String)],
    ) -> Result<()> {
        self.with(|c| {
            let tx = c.transaction()?;
            tx.execute("DELETE FROM nominations WHERE list = ?1", [list.as_str()])?;
            for (id, json, created) in items {
                tx.execute(
                    "INSERT OR REPLACE INTO nominations (list, id, json, created_at) VALUES (?1, ?2, ?3, ?4)",
                    params![list.as_str(), id, json, created],
                )?;
            }
            tx.commit()
        })
    }

    /// Adds or updates one nomination in a list (from an event or an action).
    pub fn upsert_nomination(
        &self,
        list: NominationList,
        id: &str,
        json: &str,
        created_at: &str,
    ) -> Result<()> {
        self.with(|c| {
            c.execute(
                "INSERT OR REPLACE INTO nominations (list, id, json, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![list.as_str(), id, json, created_at],
            )
            .map(drop)
        })
    }

    /// Removes one nomination from a list (e.g. decided, so out of the queue).
    pub fn remove_nomination(&self, list: NominationList, id: &str) -> Result<()> {
        self.with(|c| {
            c.execute(
                "DELETE FROM nominations WHERE list = ?1 AND id = ?2",
                params![list.as_str(), id],
            )
            .map(drop)
        })
    }

    /// A cached nomination list as JSON, newest first.
    pub fn nominations(&self, list: NominationList) -> Result<Vec<String>> {
        self.with(|c| {
            let mut st = c.prepare(
                "SELECT json FROM nominations WHERE list = ?1 ORDER BY created_at DESC, id",
            )?;
            let rows = st.query_map([list.as_str()], |r| r.get(0))?;
            rows.collect()
        })
    }

    /// Queues an offline action.
    pub fn enqueue(&self, key: &str, kind: &str, body: &str) -> Result<()> {
        let now = chrono::Utc::now().to_rfc3339();
        self.with(|c| {
            c.execute(
                "INSERT INTO outbox (key, kind, body, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![key, kind, body, now],
            )
            .map(drop)
        })
    }

    /// The queued actions, oldest first.
    pub fn queued(&self) -> Result<Vec<QueuedRow>> {
        self.with(|c| {
            let mut st =
                c.prepare("SELECT key, kind, body, created_at FROM outbox ORDER BY seq")?;
            let rows = st.query_map([], |r| {
                Ok(QueuedRow {
                    key: r.get(0)?,
                    kind: r.get(1)?,
                    body: r.get(2)?,
                    created_at: r.get(3)?,
                })
            })?;
            rows.collect()
        })
    }

    /// Removes a queued action once it has an outcome.
    pub fn dequeue(&self, key: &str) -> Result<()> {
        self.with(|c| {
            c.execute("DELETE FROM outbox WHERE key = ?1", [key])
                .map(drop)
        })
    }

    /// Forgets everything (sign-out).
    pub fn clear(&self) -> Result<()> {
        self.with(|c| {
            c.execute_batch(
                "DELETE FROM meta; DELETE FROM awards; DELETE FROM nominations; DELETE FROM outbox;",
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn survives_reopen_and_clears() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        {
            let s = Store::open(Some(&path)).unwrap();
            s.set_meta("last_seq", Some("4")).unwrap();
            s.replace_awards(&[("a".into(), "{}".into(), "2026-01-01".into())])
                .unwrap();
            s.set_baked_png("a", b"png").unwrap();
            s.enqueue("k1", "nominate", "{}").unwrap();
            s.enqueue("k2", "claim", "{}").unwrap();
        }
        let s = Store::open(Some(&path)).unwrap();
        assert_eq!(s.get_meta("last_seq").unwrap().as_deref(), Some("4"));
        assert_eq!(s.baked_png("a").unwrap().as_deref(), Some(&b"png"[..]));
        let q = s.queued().unwrap();
        assert_eq!(
            q.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(),
            ["k1", "k2"]
        );
        // Refreshing the list keeps the baked image of an award still present.
        s.replace_awards(&[("a".into(), "{\"x\":1}".into(), "2026-01-01".into())])
            .unwrap();
        assert!(s.baked_png("a").unwrap().is_some());
        s.replace_awards(&[]).unwrap();
        assert!(s.awards().unwrap().is_empty());
        s.clear().unwrap();
        assert!(s.queued().unwrap().is_empty());
        assert_eq!(s.get_meta("last_seq").unwrap(), None);
    }
}
