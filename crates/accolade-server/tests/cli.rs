//! The `accolade` binary end to end: school, roster import (--json), users, sign-in cards,
//! migrations and the demo school, on a temporary SQLite file (or, with
//! `ACCOLADE_TEST_PG_URL`, a fresh PostgreSQL database).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures")
        .join(rel)
}

struct Env {
    dir: tempfile::TempDir,
    db_url: String,
    pg: Option<(String, String)>,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().expect("tmp");
        match std::env::var("ACCOLADE_TEST_PG_URL") {
            Ok(admin) if !admin.is_empty() => {
                let name = format!("accolade_t_{}", uuid::Uuid::new_v4().simple());
                psql(&admin, &format!("CREATE DATABASE \"{name}\""));
                let (prefix, _) = admin.rsplit_once('/').expect("db url");
                Env {
                    db_url: format!("{prefix}/{name}"),
                    dir,
                    pg: Some((admin, name)),
                }
            }
            _ => {
                let db_url = format!("sqlite://{}?mode=rwc", dir.path().join("cli.db").display());
                Env {
                    dir,
                    db_url,
                    pg: None,
                }
            }
        }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_accolade"));
        c.args(args)
            .current_dir(self.dir.path())
            .env("ACCOLADE_DATABASE_URL", &self.db_url)
            .env(
                "ACCOLADE_SIGNING_KEY",
                "cli-test-signing-key-0123456789-abcdefghij",
            )
            .env("ACCOLADE_PUBLIC_URL", "https://badges.example.org")
            .env("RUST_LOG", "warn");
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        let out = self.cmd(args).output().expect("run accolade");
        assert!(
            out.status.success(),
            "accolade {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{args:?} printed no JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }
}

fn psql(admin: &str, sql: &str) {
    let status = Command::new("psql")
        .args([admin, "-qc", sql])
        .status()
        .expect("psql");
    assert!(status.success(), "psql {sql}");
}

impl Drop for Env {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg.take() {
            let _ = Command::new("psql")
                .args([
                    admin.as_str(),
                    "-qc",
                    &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
                ])
                .status();
        }
    }
}

fn counts(v: &Value, kind: &str) -> (u64, u64, u64) {
    let c = &v[kind];
    (
        c["created"].as_u64().expect("created"),
        c["updated"].as_u64().expect("updated"),
        c["skipped"].as_u64().expect("skipped"),
    )
}

#[test]
fn school_roster_users_cards_and_migrations() {
    let env = Env::new();
    let out = env.run(&[
        "school",
        "create",
        "--slug",
        "northfield",
        "--name",
        "Northfield Academy",
    ]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("northfield"));
    env.run(&[
        "school",
        "create",
        "--slug",
        "riverside",
        "--name",
        "Riverside",
        "--timezone",
        "Europe/Dublin",
    ]);
    // A duplicate slug and a bad time zone fail with a clear message.
    let dup = env
        .cmd(&["school", "create", "--slug", "northfield", "--name", "X"])
        .output()
        .expect("run");
    assert!(!dup.status.success());
    assert!(String::from_utf8_lossy(&dup.stderr).contains("already exists"));
    let tz = env
        .cmd(&[
            "school",
            "create",
            "--slug",
            "x1",
            "--name",
            "X",
            "--timezone",
            "Mars/Base",
        ])
        .output()
        .expect("run");
    assert!(!tz.status.success());
    assert!(String::from_utf8_lossy(&tz.stderr).contains("time zone"));

    let north = fixture("oneroster/northfield");
    let north = north.to_str().expect("path");
    let first = env.json(&[
        "roster",
        "import",
        "--school",
        "northfield",
        north,
        "--json",
    ]);
    assert_eq!(first["problems"], Value::Array(vec![]));
    let (created, _, _) = counts(&first, "users");
    assert!(created > 550, "{first}");
    assert_eq!(counts(&first, "classes").0, 35);
    let second = env.json(&[
        "roster",
        "import",
        "--school",
        "northfield",
        north,
        "--json",
    ]);
    assert_eq!(counts(&second, "users").0, 0);
    assert_eq!(counts(&second, "classes").0, 0);
    assert_eq!(counts(&second, "enrollments").0, 0);
    assert_eq!(second["problems"], Value::Array(vec![]));

    let river = fixture("oneroster/riverside");
    let r1 = env.json(&[
        "roster",
        "import",
        "--school",
        "riverside",
        river.to_str().expect("path"),
        "--json",
    ]);
    assert_eq!(r1["problems"], Value::Array(vec![]));
    assert!(counts(&r1, "users").0 > 0);
    let r2 = env.json(&[
        "roster",
        "import",
        "--school",
        "riverside",
        river.to_str().expect("path"),
        "--json",
    ]);
    assert_eq!(
        (
            counts(&r2, "users").0,
            counts(&r2, "classes").0,
            counts(&r2, "enrollments").0
        ),
        (0, 0, 0)
    );

    let list = fixture("classlist/9C-computing.csv");
    let cl = env.json(&[
        "roster",
        "import",
        "--school",
        "northfield",
        list.to_str().expect("path"),
        "--json",
    ]);
    assert_eq!(cl["problems"], Value::Array(vec![]));

    // Sign-in cards as an SVG sheet and as JSON.
    let out = env.run(&[
        "signin-cards",
        "--school",
        "northfield",
        "--class",
        "7a",
        "--out",
        "cards.svg",
    ]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("cards.svg"));
    let svg = std::fs::read_to_string(env.dir.path().join("cards.svg")).expect("svg");
    assert!(svg.starts_with("<svg") && svg.contains("Works once"));
    let sheet = env.json(&[
        "signin-cards",
        "--school",
        "northfield",
        "--class",
        "7A Homeroom",
        "--json",
    ]);
    let cards = sheet["cards"].as_array().expect("cards");
    assert!(!cards.is_empty());
    assert!(cards[0]["url"]
        .as_str()
        .expect("url")
        .starts_with("https://badges.example.org/signin/card/"));

    // A user with a password from stdin.
    let mut child = env
        .cmd(&[
            "user",
            "create",
            "--school",
            "northfield",
            "--role",
            "admin",
            "--name",
            "Ada Admin",
            "--email",
            "ADA@north.example.org",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"a long enough password\n")
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let short = env
        .cmd(&[
            "user",
            "create",
            "--school",
            "northfield",
            "--role",
            "admin",
            "--name",
            "B",
            "--password-env",
            "SHORT_PW",
        ])
        .env("SHORT_PW", "short")
        .output()
        .expect("run");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("invalid_password"));

    let status = env.run(&["migrate", "status"]);
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(text.lines().all(|l| l.starts_with("applied ")), "{text}");
}

#[test]
fn demo_loads_once_and_prints_how_to_sign_in() {
    let env = Env::new();
    let out = env.run(&["demo"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("teacher@demo.example.org"), "{text}");
    assert!(text.contains("accolade-demo"));
    assert!(
        text.contains("/present/"),
        "the demo has an open claim code: {text}"
    );
    let again = env.run(&["demo"]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("already exists"));
}

#[test]
fn postgres_without_a_signing_key_refuses_to_start() {
    let env = Env::new();
    let out = Command::new(env!("CARGO_BIN_EXE_accolade"))
        .args(["migrate", "status"])
        .current_dir(env.dir.path())
        .env("ACCOLADE_DATABASE_URL", "mysql://nope")
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unsupported database URL"));
    let out = Command::new(env!("CARGO_BIN_EXE_accolade"))
        .args(["school", "create", "--slug", "x2", "--name", "X"])
        .current_dir(env.dir.path())
        .env(
            "ACCOLADE_DATABASE_URL",
            "postgres://postgres@127.0.0.1:5432/test",
        )
        .env_remove("ACCOLADE_SIGNING_KEY")
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("SIGNING_KEY"));
}

#[test]
fn config_file_then_env_precedence_and_generated_key() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("accolade.toml"),
        "public_url = \"https://from-file.example.org\"\naccess_token_ttl_secs = 600\n",
    )
    .expect("toml");
    // An explicit file (changing the process's working directory would race the other tests).
    std::env::set_var("ACCOLADE_ACCESS_TOKEN_TTL_SECS", "300");
    let cfg =
        accolade_server::Config::load(Some(&dir.path().join("accolade.toml"))).expect("config");
    std::env::remove_var("ACCOLADE_ACCESS_TOKEN_TTL_SECS");
    assert_eq!(cfg.public_url, "https://from-file.example.org");
    assert_eq!(cfg.access_token_ttl_secs, 300, "env wins over the file");
    assert_eq!(cfg.database_url, "sqlite://accolade.db?mode=rwc");

    // On SQLite with no key configured, one is generated once (0600) and then reused.
    let cfg = accolade_server::Config {
        data_dir: dir.path().to_path_buf(),
        ..Default::default()
    };
    let k1 = accolade_server::app::load_signing_key(&cfg).expect("key");
    let k2 = accolade_server::app::load_signing_key(&cfg).expect("key");
    assert_eq!(k1, k2);
    let path = dir.path().join("accolade-signing.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
