//! The `sahifa` command: serve (the default), migrate, print the OpenAPI document.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use sahifa::config::Settings;
use sahifa::db::Store;
use sahifa::startup::Application;

/// Sahifa: a headless CMS for news publishers.
///
/// Configuration comes from the environment and from a `.env` file in the working directory
/// (see `.env.example` for every variable).
#[derive(Parser)]
#[command(version, after_help = ENV_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Start the HTTP server (the default): migrate the database, then serve.
    Serve,
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Print the OpenAPI document (JSON) to standard output.
    Openapi,
    /// Print the problem types as Markdown (docs/problems.md) to standard output.
    Problems,
    /// Build a new search index from the articles beside the one in use (SAHIFA_SEARCH_DIR);
    /// a running server switches to it.
    Reindex,
    /// Write an online, consistent copy of the SQLite database to a new file (safe while the
    /// server runs and takes writes), then verify it. PostgreSQL: use pg_dump.
    Backup {
        /// The backup file to create.
        path: std::path::PathBuf,
    },
    /// Replace the SQLite database with a backup, after verifying it. Refused while a server
    /// (or any other sahifa command) has the database open.
    Restore {
        /// The backup file to restore.
        path: std::path::PathBuf,
    },
    /// Copy a whole newsroom between stores (e.g. SQLite to PostgreSQL), ids and all, into
    /// an empty database; verified by row counts and checksums; all or nothing. With
    /// `--media-to`, then copy the media files too (without `--to`: only the files).
    #[command(group(clap::ArgGroup::new("what").required(true).multiple(true).args(["to", "media_to"])))]
    Copy {
        /// Source database URL (`sqlite:PATH` or `postgres://…`).
        #[arg(long, value_name = "URL")]
        from: String,
        /// Target database URL; migrated first, must hold no users, sections or articles.
        #[arg(long, value_name = "URL")]
        to: Option<String>,
        /// Copy the files of every media item of the newsroom to this store
        /// (`file:DIR` or `s3://BUCKET/PREFIX`, reached with the `AWS_*` variables); files
        /// already there are skipped, so an interrupted copy is finished by running it again.
        #[arg(long, value_name = "STORE")]
        media_to: Option<String>,
        /// Where the media files are now (default: SAHIFA_MEDIA_STORE, or `file:./media`).
        #[arg(long, value_name = "STORE", requires = "media_to")]
        media_from: Option<String>,
    },
    /// Load a demo newsroom (sections, Arabic and English articles, comments) into a
    /// database that has no articles yet.
    Demo,
    /// Bring content in from another system.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Manage staff accounts.
    #[command(subcommand)]
    Users(UsersCommand),
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import a WordPress export (Tools → Export → All content): authors (inactive, without
    /// passwords), categories as sections, tags, posts as articles, pages, comments with
    /// their threads, and the old links for redirects. All or nothing; run it again with a
    /// newer export to bring in what changed since (nothing is duplicated).
    Wordpress {
        /// The WXR file (1.0, 1.1 or 1.2).
        export: std::path::PathBuf,
        /// A copy of the site's wp-content/uploads: attachments become media items (cleaned
        /// like uploads, renditions made by the server's job runner) and featured images
        /// become featured media. Without it, attachments keep their WordPress URLs.
        #[arg(long, value_name = "DIR")]
        media_dir: Option<std::path::PathBuf>,
        /// Report what would happen, and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Also write the report as JSON to this file.
        #[arg(long, value_name = "FILE")]
        report: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand)]
enum UsersCommand {
    /// Create a staff account. The password is read from standard input (one line), or
    /// prompted for without echo when standard input is a terminal.
    Create {
        /// The login email (compared case-insensitively).
        #[arg(long)]
        email: String,
        /// admin, editor or author.
        #[arg(long, value_parser = ["admin", "editor", "author"])]
        role: String,
        /// The name shown on articles (default: the part of the email before `@`).
        #[arg(long)]
        name: Option<String>,
    },
}

const ENV_HELP: &str = "\
Environment:
  DATABASE_URL           sqlite:PATH (default sqlite:sahifa.db) or postgres://…
  SAHIFA_BIND            address to listen on (default 127.0.0.1:8080)
  SAHIFA_JWT_SECRET      HMAC secret for access tokens (default: generated, kept in the database)
  SAHIFA_ADMIN_EMAIL     first admin, created when there are no users
  SAHIFA_ADMIN_PASSWORD  its password
  (.env.example lists every variable)
  RUST_LOG               log filter (default info); SAHIFA_LOG_FORMAT=json for JSON lines";

fn main() -> ExitCode {
    tune_malloc();
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Two glibc allocator settings, made before any thread exists.
///
/// Arenas: glibc gives each thread that allocates while another does its own arena, up to
/// eight per core, and memory freed in one arena is not reused by the others. The server's
/// worker and database threads all allocate response-sized buffers, so the peak resident
/// memory under load grew with the number of arenas (mixed load on 10k articles: 79.5 MiB
/// with glibc's default, 59.8 MiB with two arenas, for the same throughput).
///
/// Large blocks: glibc maps a block above its mmap threshold with its own mapping and
/// unmaps it when freed, but after the first such free it raises the threshold to that
/// block's size, so the next ones come from an arena and stay resident. Each argon2id hash
/// allocates megabytes (19 MiB with the parameters of the time): after a burst of logins the
/// server kept it all (130.6 MiB peak in the login scenario, 54.1 MiB with this). A fixed threshold
/// keeps every large block (hash memory, big response bodies) returned when freed.
///
/// `MALLOC_ARENA_MAX` / `MALLOC_MMAP_THRESHOLD_` in the environment still win.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn tune_malloc() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets an allocator parameter; called before any thread exists.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
    if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_none() {
        // SAFETY: as above.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_malloc() {}

fn run(cli: Cli) -> Result<(), String> {
    if let Err(error) = dotenvy::dotenv()
        && !error.not_found()
    {
        return Err(format!(".env: {error}"));
    }
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Openapi = command {
        print!("{}", sahifa::openapi::to_json(&sahifa::routes::document()));
        return Ok(());
    }
    if let Command::Problems = command {
        print!("{}", sahifa::http::problem_types::markdown());
        return Ok(());
    }
    if let Command::Copy {
        from,
        to,
        media_from,
        media_to,
    } = &command
    {
        if let Some(to) = to {
            copy(from, to)?;
        }
        if let Some(media_to) = media_to {
            copy_media(from, media_from.as_deref(), media_to, to.is_some())?;
        }
        return Ok(());
    }
    let settings = Settings::from_env().map_err(|e| e.to_string())?;
    sahifa::telemetry::init(&settings.log_filter, settings.log_format)
        .map_err(|e| format!("RUST_LOG: {e}"))?;
    match command {
        Command::Serve => serve(settings),
        Command::Migrate => {
            let (_, report) = Store::open(&settings.database_url, 1, settings.db_acquire_timeout)
                .map_err(|e| format!("DATABASE_URL: {e}"))?;
            println!(
                "applied {} migration(s); schema version {}",
                report.applied.len(),
                report.current.as_deref().unwrap_or("none")
            );
            Ok(())
        }
        Command::Users(UsersCommand::Create { email, role, name }) => {
            create_user(&settings, &email, &role, name.as_deref())
        }
        Command::Demo => demo(&settings),
        Command::Import(ImportCommand::Wordpress {
            export,
            media_dir,
            dry_run,
            report,
        }) => import_wordpress(
            &settings,
            &export,
            media_dir.as_deref(),
            dry_run,
            report.as_deref(),
        ),
        Command::Reindex => reindex(&settings),
        Command::Backup { path } => backup_or_restore(&settings, &path, true),
        Command::Restore { path } => backup_or_restore(&settings, &path, false),
        Command::Openapi | Command::Problems | Command::Copy { .. } => {
            unreachable!("handled above")
        }
    }
}

fn create_user(
    settings: &Settings,
    email: &str,
    role: &str,
    name: Option<&str>,
) -> Result<(), String> {
    let password = read_password()?;
    let store = cli_store(settings)?;
    let role =
        sahifa::users::Role::parse(role).ok_or("--role: expected admin, editor or author")?;
    let user = actix_web::rt::System::new()
        .block_on(sahifa::users::create_from_cli(
            &store, email, role, name, password,
        ))
        .map_err(cli_message)?;
    println!(
        "created {} #{} <{}>",
        user.role.as_str(),
        user.id,
        user.email
    );
    Ok(())
}

/// A problem as a command reports it: each invalid field named by its flag.
fn cli_message(error: sahifa::http::ApiError) -> String {
    let sahifa::http::ApiError::Validation { errors, .. } = &error else {
        return error.to_string();
    };
    let flag = |field: &str| {
        match field {
            "email" => "--email",
            "display_name" => "--name",
            "password" => "the password",
            other => other,
        }
        .to_owned()
    };
    errors
        .iter()
        .map(|(field, messages)| format!("{}: {}", flag(field), messages.join("; ")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The store for a one-shot command: one connection, and patient for it (a command has no
/// client waiting on a millisecond budget).
fn cli_store(settings: &Settings) -> Result<Store, String> {
    Store::open(&settings.database_url, 1, settings.db_acquire_timeout)
        .map(|(store, _)| store.patient())
        .map_err(|e| format!("DATABASE_URL: {e}"))
}

fn copy(from: &str, to: &str) -> Result<(), String> {
    use sahifa::config::DatabaseUrl;
    let open = |flag: &str, raw: &str| {
        let url = DatabaseUrl::parse(raw).map_err(|e| format!("{flag}: {e}"))?;
        Store::open(&url, 2, std::time::Duration::from_secs(30))
            .map(|(store, _)| store)
            .map_err(|e| format!("{flag}: {e}"))
    };
    let (source, target) = (open("--from", from)?, open("--to", to)?);
    let started = std::time::Instant::now();
    let report = actix_web::rt::System::new()
        .block_on(sahifa::copy::copy(&source, &target))
        .map_err(|e| format!("copy: {e}"))?;
    for (table, rows) in &report.tables {
        println!("{table:>18}: {rows} rows");
    }
    println!(
        "copied and verified in {:.1} s; a server on the target builds its search index at \
         its first start",
        started.elapsed().as_secs_f64(),
    );
    Ok(())
}

/// The media files of the newsroom in `database` (a URL), from one store to another.
/// `after_rows`: the rows were just copied, so a failure here must say how to finish.
fn copy_media(
    database: &str,
    media_from: Option<&str>,
    media_to: &str,
    after_rows: bool,
) -> Result<(), String> {
    use sahifa::media::storage::{MediaStore, StoreUrl};
    // The AWS_* variables and SAHIFA_MEDIA_STORE, read as the server reads them.
    let settings = Settings::from_env().map_err(|e| e.to_string())?;
    let from = match media_from {
        Some(raw) => StoreUrl::parse(raw).map_err(|e| format!("--media-from: {e}"))?,
        None => settings.media_store.clone(),
    };
    let to = StoreUrl::parse(media_to).map_err(|e| format!("--media-to: {e}"))?;
    if from == to {
        return Err("--media-to: the files are already there (it is the source store)".into());
    }
    let url = sahifa::config::DatabaseUrl::parse(database).map_err(|e| format!("--from: {e}"))?;
    let (store, _) = Store::open(&url, 1, std::time::Duration::from_secs(30))
        .map_err(|e| format!("--from: {e}"))?;
    let started = std::time::Instant::now();
    let finish_hint = if after_rows {
        " (the rows were copied; run the same command without --to to finish the files)"
    } else {
        " (run it again to finish: files already copied are skipped)"
    };
    let report = actix_web::rt::System::new()
        .block_on(async {
            let source = MediaStore::open(&from, &settings.media_s3)
                .await
                .map_err(|e| format!("--media-from: {e}"))?;
            let target = MediaStore::open(&to, &settings.media_s3)
                .await
                .map_err(|e| format!("--media-to: {e}"))?;
            sahifa::media::transfer::copy_files(&store, &source, &target).await
        })
        .map_err(|e| format!("copy --media-to: {e}{finish_hint}"))?;
    println!(
        "media: {} upload(s), {} file(s) copied ({:.1} MiB), {} already there, in {:.1} s",
        report.folders,
        report.copied,
        report.bytes as f64 / 1_048_576.0,
        report.skipped,
        started.elapsed().as_secs_f64(),
    );
    if !report.missing.is_empty() {
        return Err(format!(
            "copy --media-to: {} upload(s) have no files in the source store, so none were \
             copied for them: {}",
            report.missing.len(),
            report.missing.join(", ")
        ));
    }
    Ok(())
}

fn backup_or_restore(
    settings: &Settings,
    path: &std::path::Path,
    is_backup: bool,
) -> Result<(), String> {
    use sahifa::config::DatabaseUrl;
    use sahifa::db::backup::{self, BackupError};
    let DatabaseUrl::Sqlite(database) = &settings.database_url else {
        return Err(BackupError::NotSqlite.to_string());
    };
    let started = std::time::Instant::now();
    let verified = if is_backup {
        backup::backup(database, path)
    } else {
        backup::restore(path, database)
    }
    .map_err(|e| e.to_string())?;
    println!(
        "{} {} (verified: {} articles, schema {}) in {:.1} s",
        if is_backup {
            "backed up to"
        } else {
            "restored from"
        },
        path.display(),
        verified.articles,
        verified.schema_version,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn reindex(settings: &Settings) -> Result<(), String> {
    let store = cli_store(settings)?;
    let started = std::time::Instant::now();
    let dir = settings.search_dir.clone();
    let mut conn = store.connection().map_err(|e| format!("reindex: {e}"))?;
    let count = sahifa::search::rebuild(&dir, &mut conn).map_err(|e| format!("reindex: {e}"))?;
    println!(
        "built a new search index of {count} articles in {:.1} s in {}; a running server \
         switches to it within a second",
        started.elapsed().as_secs_f64(),
        settings.search_dir.display()
    );
    Ok(())
}

fn demo(settings: &Settings) -> Result<(), String> {
    let store = cli_store(settings)?;
    // The first admin is the server's to create, at its first start (from the same
    // settings): the demo adds content and its byline account only.
    let report = actix_web::rt::System::new().block_on(sahifa::demo::load(&store))?;
    println!(
        "loaded the demo newsroom: {} sections, {} articles, {} comments",
        report.sections, report.articles, report.comments
    );
    Ok(())
}

fn import_wordpress(
    settings: &Settings,
    export: &std::path::Path,
    media_dir: Option<&std::path::Path>,
    dry_run: bool,
    report_file: Option<&std::path::Path>,
) -> Result<(), String> {
    use sahifa::wordpress::{import, media};
    let store = cli_store(settings)?;
    let fail = |e: import::ImportError| format!("{}: {e}", export.display());
    let attachments = import::read_attachments(export).map_err(fail)?;
    let staged = match media_dir {
        Some(dir) if !dir.is_dir() => {
            return Err(format!("--media-dir {}: not a directory", dir.display()));
        }
        Some(dir) => Some(actix_web::rt::System::new().block_on(async {
            let service = sahifa::startup::open_media(&store, settings)
                .await
                .map_err(|e| e.to_string())?;
            Ok::<_, String>(media::stage(&service, dir, &attachments, dry_run).await)
        })?),
        None => None,
    };
    let mut conn = store.connection().map_err(|e| e.to_string())?;
    let report = import::import_file(
        &mut conn,
        export,
        &attachments,
        staged.as_ref(),
        dry_run,
        sahifa::time::now(),
    )
    .map_err(fail)?;
    print!("{}", report.summary());
    if let Some(file) = report_file {
        let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        std::fs::write(file, json + "\n")
            .map_err(|e| format!("--report {}: {e}", file.display()))?;
    }
    Ok(())
}

/// One line from stdin, or a no-echo prompt (asked twice) on a terminal.
fn read_password() -> Result<String, String> {
    use std::io::{BufRead, IsTerminal};
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("Again: ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("the passwords differ".into());
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

fn serve(settings: Settings) -> Result<(), String> {
    actix_web::rt::System::new().block_on(async move {
        let bind = settings.bind;
        let app = Application::build(settings)
            .await
            .map_err(|e| e.to_string())?;
        tracing::info!("listening on http://{}:{}", bind.ip(), app.port());
        app.run_until_stopped()
            .await
            .map_err(|e| format!("server: {e}"))
    })
}
