//! The `accolade` binary; see [`accolade_server::cli`].

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match accolade_server::cli::main().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
