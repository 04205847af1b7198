//! The `accolade` command line (clap): `serve` (default), `migrate`, `school`, `roster`,
//! `user`, `signin-cards` and `demo`.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;

use accolade_db::Db;
use accolade_proto::{CreateUserRequest, Role};
use anyhow::{bail, Context};
use clap::{Parser, Subcommand, ValueEnum};

use crate::config::{Config, LogFormat};
use crate::{app, demo, telemetry, validate};

/// Accolade: peer-to-peer Open Badges for schools.
#[derive(Debug, Parser)]
#[command(name = "accolade", version, about)]
pub struct Cli {
    /// Configuration file (default: ./accolade.toml if present).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Log JSON lines instead of human-readable text.
    #[arg(long, global = true)]
    pub log_json: bool,
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Sub-commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (runs pending migrations first).
    Serve {
        /// Address to listen on (overrides `bind`).
        #[arg(long)]
        bind: Option<SocketAddr>,
        /// Load the demo school first (if it does not exist yet).
        #[arg(long)]
        demo: bool,
    },
    /// Apply, roll back or list schema migrations.
    Migrate {
        /// Direction.
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Manage schools.
    School {
        /// Action.
        #[command(subcommand)]
        action: SchoolAction,
    },
    /// Import rosters.
    Roster {
        /// Action.
        #[command(subcommand)]
        action: RosterAction,
    },
    /// Manage users.
    User {
        /// Action.
        #[command(subcommand)]
        action: UserAction,
    },
    /// Print sign-in cards (one per student of a class) as an SVG sheet.
    SigninCards {
        /// School slug.
        #[arg(long)]
        school: String,
        /// Class title or code (case-insensitive).
        #[arg(long)]
        class: String,
        /// Output file (default: signin-cards-{class}.svg).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print the cards as JSON on stdout instead of writing an SVG.
        #[arg(long)]
        json: bool,
    },
    /// Load the built-in demo school (idempotent) and print how to sign in.
    Demo,
}

/// `accolade migrate …`
#[derive(Debug, Subcommand)]
pub enum MigrateAction {
    /// Apply every pending migration.
    Up,
    /// Roll back the last `steps` migrations.
    Down {
        /// How many to roll back.
        #[arg(long, default_value_t = 1)]
        steps: u32,
    },
    /// List migrations and whether each is applied.
    Status,
}

/// `accolade school …`
#[derive(Debug, Subcommand)]
pub enum SchoolAction {
    /// Create a school.
    Create {
        /// URL slug, e.g. `northfield`.
        #[arg(long)]
        slug: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// IANA time zone.
        #[arg(long, default_value = "Europe/London")]
        timezone: String,
    },
}

/// `accolade roster …`
#[derive(Debug, Subcommand)]
pub enum RosterAction {
    /// Import a OneRoster 1.1 CSV folder or zip, or a class-list CSV (`name,email,class`).
    Import {
        /// School slug.
        #[arg(long)]
        school: String,
        /// Folder, .zip or .csv.
        path: PathBuf,
        /// Print the report as one JSON object.
        #[arg(long)]
        json: bool,
    },
}

/// Roles for `user create`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    /// Student.
    Student,
    /// Teacher.
    Teacher,
    /// Admin.
    Admin,
}

/// `accolade user …`
#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Create a user.
    Create {
        /// School slug.
        #[arg(long)]
        school: String,
        /// Role.
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Display name.
        #[arg(long)]
        name: String,
        /// E-mail.
        #[arg(long)]
        email: Option<String>,
        /// Handle (generated when absent).
        #[arg(long)]
        handle: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        /// Read the password from this environment variable.
        #[arg(long)]
        password_env: Option<String>,
    },
}

/// Parses arguments and runs the command; the process exit code follows the result.
pub async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut config = Config::load(cli.config.as_deref())?;
    if cli.log_json {
        config.log_format = LogFormat::Json;
    }
    telemetry::init(config.log_format);
    run(
        cli.command.unwrap_or(Command::Serve {
            bind: None,
            demo: false,
        }),
        config,
    )
    .await
}

async fn school_by_slug(db: &Db, slug: &str) -> anyhow::Result<accolade_db::schools::School> {
    accolade_db::schools::by_slug(db.conn(), slug)
        .await?
        .with_context(|| {
            format!("no school with slug {slug:?} (create it with `accolade school create`)")
        })
}

fn api_err(e: crate::error::ApiError) -> anyhow::Error {
    let p = e.problem();
    anyhow::anyhow!("{}: {}", p.code.as_str(), p.detail.unwrap_or(p.title))
}

/// Runs one command with a loaded configuration.
pub async fn run(command: Command, mut config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve { bind, demo } => {
            if let Some(b) = bind {
                config.bind = b;
            }
            let addr = config.bind;
            if config.public_url == crate::config::Config::default().public_url
                && addr != crate::config::Config::default().bind
            {
                tracing::warn!(
                    public_url = %config.public_url,
                    bind = %addr,
                    "public_url is still the default while listening elsewhere: badge ids, QR codes \
                     and sign-in cards will point at the wrong address (set ACCOLADE_PUBLIC_URL)"
                );
            }
            let state = app::build_state(config).await?;
            if demo {
                print_demo(&demo::load(&state).await.map_err(api_err)?);
            }
            let listener = app::bind(addr).with_context(|| format!("binding {addr}"))?;
            tracing::info!(
                addr = %listener.local_addr()?,
                database = state.db.backend().as_str(),
                "Accolade listening on http://{}",
                listener.local_addr()?
            );
            app::serve(listener, state, app::shutdown_signal()).await?;
            Ok(())
        }
        Command::Migrate { action } => {
            let db = Db::connect(&config.database_url, 2).await?;
            match action {
                MigrateAction::Up => {
                    db.migrate_up().await?;
                    println!("migrations applied");
                }
                MigrateAction::Down { steps } => {
                    db.migrate_down(steps).await?;
                    println!("rolled back {steps} migration(s)");
                }
                MigrateAction::Status => {
                    for (name, applied) in db.migrate_status().await? {
                        println!("{} {name}", if applied { "applied" } else { "pending" });
                    }
                }
            }
            Ok(())
        }
        Command::School {
            action:
                SchoolAction::Create {
                    slug,
                    name,
                    timezone,
                },
        } => {
            let state = app::build_state(config).await?;
            let slug = validate::slug(&slug).map_err(api_err)?;
            let name = validate::text("name", &name, 200).map_err(api_err)?;
            let timezone = validate::timezone(&timezone).map_err(api_err)?;
            if accolade_db::schools::by_slug(state.db.conn(), &slug)
                .await?
                .is_some()
            {
                bail!("a school with slug {slug:?} already exists");
            }
            let txn = state.db.begin_write().await?;
            let s = accolade_db::schools::create(
                &*txn,
                accolade_db::schools::NewSchool {
                    slug,
                    name,
                    timezone,
                    sourced_id: None,
                },
            )
            .await?;
            txn.commit().await?;
            println!("created school {} ({}) id={}", s.slug, s.name, s.id);
            Ok(())
        }
        Command::Roster {
            action: RosterAction::Import { school, path, json },
        } => {
            let state = app::build_state(config).await?;
            let school = school_by_slug(&state.db, &school).await?;
            let source = tokio::task::spawn_blocking(move || accolade_roster::load_path(&path))
                .await?
                .map_err(|e| anyhow::anyhow!("roster rejected: {e}"))?;
            let report = crate::import::apply(&state.db, &school, source, None)
                .await
                .map_err(api_err)?;
            if json {
                println!("{}", serde_json::to_string(&report)?);
            } else {
                let c = |n: &str, x: &accolade_proto::ImportCounts| {
                    println!(
                        "{n:<12} created {:>5}  updated {:>5}  skipped {:>5}",
                        x.created, x.updated, x.skipped
                    )
                };
                c("users", &report.users);
                c("classes", &report.classes);
                c("enrollments", &report.enrollments);
                for f in &report.ignored_files {
                    println!("note: {f} is not used by Accolade and was ignored");
                }
                for p in &report.problems {
                    println!("problem: {}:{}: {}", p.file, p.line, p.reason);
                }
            }
            Ok(())
        }
        Command::User {
            action:
                UserAction::Create {
                    school,
                    role,
                    name,
                    email,
                    handle,
                    password_stdin,
                    password_env,
                },
        } => {
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin().read_to_string(&mut line)?;
                Some(line.lines().next().unwrap_or_default().to_owned())
            } else if let Some(var) = password_env {
                Some(
                    std::env::var(&var)
                        .with_context(|| format!("environment variable {var} is not set"))?,
                )
            } else {
                None
            };
            let state = app::build_state(config).await?;
            let school = school_by_slug(&state.db, &school).await?;
            let role = match role {
                RoleArg::Student => Role::Student,
                RoleArg::Teacher => Role::Teacher,
                RoleArg::Admin => Role::Admin,
            };
            let u = crate::routes::users::create_user(
                &state,
                school.id,
                None,
                CreateUserRequest {
                    role,
                    display_name: name,
                    email,
                    handle,
                    password,
                },
            )
            .await
            .map_err(api_err)?;
            println!(
                "created {} {} (@{}) id={}",
                u.role, u.display_name, u.handle, u.id
            );
            Ok(())
        }
        Command::SigninCards {
            school,
            class,
            out,
            json,
        } => {
            let state = app::build_state(config).await?;
            let school = school_by_slug(&state.db, &school).await?;
            let wanted = class.trim().to_lowercase();
            let class_row = accolade_db::classes::all_in_school(state.db.conn(), school.id)
                .await?
                .into_iter()
                .filter(|c| c.active)
                .find(|c| {
                    c.title.to_lowercase() == wanted
                        || c.class_code.as_deref().map(str::to_lowercase).as_deref()
                            == Some(wanted.as_str())
                })
                .with_context(|| format!("no class {class:?} in {}", school.slug))?;
            let sheet = crate::cards::issue_for_class(
                &state.db,
                state.config.base_url(),
                &school,
                &class_row,
                None,
                state.config.signin_card_ttl_days,
            )
            .await
            .map_err(api_err)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&sheet)?);
            } else {
                let svg = crate::cards::render_sheet_svg(&sheet, &school.name).map_err(api_err)?;
                let file_class: String = class_row
                    .title
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() {
                            c.to_ascii_lowercase()
                        } else {
                            '-'
                        }
                    })
                    .collect();
                let out =
                    out.unwrap_or_else(|| PathBuf::from(format!("signin-cards-{file_class}.svg")));
                std::fs::write(&out, svg).with_context(|| format!("writing {}", out.display()))?;
                println!("wrote {} card(s) to {}", sheet.cards.len(), out.display());
            }
            Ok(())
        }
        Command::Demo => {
            let state = app::build_state(config).await?;
            print_demo(&demo::load(&state).await.map_err(api_err)?);
            Ok(())
        }
    }
}

fn print_demo(summary: &demo::DemoSummary) {
    if summary.created {
        println!(
            "Loaded the demo school \"Demo Academy\" (slug: {}).",
            demo::DEMO_SLUG
        );
    } else {
        println!(
            "The demo school already exists (slug: {}).",
            demo::DEMO_SLUG
        );
    }
    println!("Sign in with password {:?} as:", demo::DEMO_PASSWORD);
    println!("  admin    {}", demo::DEMO_ADMIN);
    println!("  teacher  {}", demo::DEMO_TEACHER);
    println!("  student  {}", demo::DEMO_STUDENT);
    if let Some(url) = &summary.present_url {
        println!("Projector page of an open claim code (sign in as the teacher): {url}");
    }
    if let Some(sheet) = &summary.cards {
        println!(
            "Sign-in cards for {} (students without e-mail; each works once):",
            sheet.class_title
        );
        for c in &sheet.cards {
            println!("  {:<22} {}", c.display_name, c.code);
        }
    }
}
