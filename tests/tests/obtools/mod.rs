//! Runs the offline 1EdTech Open Badges 2.0 validator (`../shared/obtools` beside the
//! repository) from end-to-end tests. Missing tools are a test failure, never a skip.

// Each test binary that includes this module uses a different subset of it.
#![allow(dead_code)]

use std::process::Stdio;
use std::time::Duration;

use tokio::process::Command;
use tokio::sync::OnceCell;

/// The toolkit folder (`/work/shared/obtools` locally, `../shared/obtools` in CI).
pub const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/obtools");

static SETUP: OnceCell<()> = OnceCell::const_new();

/// Runs `setup.sh` once per test binary (idempotent and fast once set up; serialised with
/// `flock` by the script itself). Panics when the tools are missing or cannot be set up.
pub async fn setup() {
    SETUP
        .get_or_init(|| async {
            let script = format!("{DIR}/setup.sh");
            assert!(
                std::path::Path::new(&script).is_file(),
                "the Open Badges toolkit is missing: {script} not found (CI keeps it in ../shared/obtools)"
            );
            let out = tokio::time::timeout(
                Duration::from_secs(600),
                Command::new("bash")
                    .arg(&script)
                    // Only the OB 2.0 validator is needed: skip the optional Node part.
                    .env("OBTOOLS_NO_NODE", "1")
                    .stdin(Stdio::null())
                    .kill_on_drop(true)
                    .output(),
            )
            .await
            .expect("obtools setup.sh took more than 10 minutes")
            .expect("run obtools setup.sh");
            assert!(
                out.status.success(),
                "obtools setup.sh failed ({}):\n{}\n{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        })
        .await;
}

/// Whom the assertion is expected to name.
#[derive(Debug, Clone, Copy)]
pub enum Recipient<'a> {
    /// An e-mail identity (`--recipient EMAIL`).
    Email(&'a str),
    /// A URL identity, e.g. `{base}/@{handle}` for students without e-mail. The wrapper's
    /// `--recipient` always means an e-mail profile, so a URL goes in as a trusted profile
    /// `{"url": URL}` (`--recipient-profile`).
    Url(&'a str),
}

/// Outcome of one validator run.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// What was validated.
    pub target: String,
    /// Exit code: 0 PASS, 1 FAIL.
    pub code: i32,
    /// Standard output and error, for the test log.
    pub output: String,
}

impl Outcome {
    /// True on PASS.
    pub fn passed(&self) -> bool {
        self.code == 0
    }

    /// Panics (printing the validator's report) unless it passed.
    pub fn assert_pass(&self, what: &str) {
        assert!(
            self.passed(),
            "{what}: the OB 2.0 validator FAILED {} (exit {}):\n{}",
            self.target,
            self.code,
            self.output
        );
    }

    /// Panics (printing the validator's report) unless it failed.
    pub fn assert_fail(&self, what: &str) {
        assert_eq!(
            self.code, 1,
            "{what}: the OB 2.0 validator should FAIL {}:\n{}",
            self.target, self.output
        );
    }
}

/// Runs `ob2_validate.sh --strict` on a hosted assertion URL (on 127.0.0.1) or a baked PNG/SVG file.
/// Runs as a child process, so the in-process server keeps serving meanwhile. Panics when the
/// validator cannot run at all (exit 2: not set up, usage error).
pub async fn validate(recipient: Recipient<'_>, target: &str) -> Outcome {
    setup().await;
    let mut cmd = Command::new("bash");
    // `--strict`: warnings fail too.
    cmd.arg(format!("{DIR}/ob2_validate.sh")).arg("--strict");
    match recipient {
        Recipient::Email(e) => {
            cmd.arg("--recipient").arg(e);
        }
        Recipient::Url(u) => {
            cmd.arg("--recipient-profile")
                .arg(serde_json::json!({ "url": u }).to_string());
        }
    }
    cmd.arg(target)
        .env("NO_PROXY", "127.0.0.1,localhost,::1")
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("http_proxy")
        .env_remove("https_proxy")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    let out = tokio::time::timeout(Duration::from_secs(180), cmd.output())
        .await
        .unwrap_or_else(|_| panic!("ob2_validate.sh {target} took more than 3 minutes"))
        .expect("run ob2_validate.sh");
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let code = out.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 1,
        "ob2_validate.sh could not validate {target} (exit {code}; is the toolkit set up?):\n{output}"
    );
    Outcome {
        target: target.to_owned(),
        code,
        output,
    }
}
