//! Rebuilds when a migration changes: `embed_migrations!` reads `migrations/` at compile
//! time, and Cargo does not otherwise know the binary depends on those files.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
