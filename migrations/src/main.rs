//! Stand-alone migration runner (`cargo run -p accolade-migration -- up -u DATABASE_URL`), used to
//! prepare a database for `sea-orm-cli generate entity`. The server runs the same migrations at
//! start and through `accolade migrate`.

use sea_orm_migration::prelude::*;

#[tokio::main]
async fn main() {
    cli::run_cli(accolade_migration::Migrator).await;
}
