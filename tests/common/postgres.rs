//! A fresh PostgreSQL database for one test, on the server a test suite runs against
//! (`SAHIFA_TEST_DATABASE_URL`, a user allowed to create databases), dropped when the test
//! ends. Shared by the test crates, each of which includes this file as a module:
//! `#[path = "../common/postgres.rs"] mod postgres;` from `tests/api/helpers.rs`,
//! `#[path = "common/postgres.rs"] mod postgres;` from `tests/search_quality.rs`.

use diesel::{Connection, RunQueryDsl, pg::PgConnection};

/// A database created for one test on a PostgreSQL server, dropped (`WITH (FORCE)`) with it.
pub struct PostgresDatabase {
    server: String,
    name: String,
    url: String,
}

impl PostgresDatabase {
    /// Creates `sahifa_test_<uuid>` on `server` (UTF-8, `C.UTF-8` collation, from
    /// `template0`, so every server sorts and folds alike). Panics when the server cannot be
    /// reached or the database cannot be created.
    pub fn create(server: &str) -> Self {
        let name = format!("sahifa_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::establish(server)
            .unwrap_or_else(|e| panic!("SAHIFA_TEST_DATABASE_URL is unreachable: {e}"));
        diesel::sql_query(format!(
            "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        ))
        .execute(&mut admin)
        .expect("create a test database");
        let url = database_url(server, &name);
        Self {
            server: server.to_owned(),
            name,
            url,
        }
    }

    /// The URL of the new database: the server's URL with the database name replaced and
    /// its query parameters (`?sslmode=…`) kept.
    pub fn url(&self) -> &str {
        &self.url
    }
}

/// `server` with its database name replaced by `name`: same server, same parameters.
fn database_url(server: &str, name: &str) -> String {
    let (address, parameters) = server
        .split_once('?')
        .map_or((server, String::new()), |(a, p)| (a, format!("?{p}")));
    let base = address.rsplit_once('/').map_or(address, |(base, _)| base);
    format!("{base}/{name}{parameters}")
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = PgConnection::establish(&self.server) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut admin);
        }
    }
}

#[test]
fn the_database_url_keeps_the_server_parameters() {
    assert_eq!(
        database_url(
            "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable",
            "sahifa_test_1"
        ),
        "postgres://postgres@127.0.0.1:5432/sahifa_test_1?sslmode=disable"
    );
    assert_eq!(
        database_url("postgresql://u:p@db/newsroom", "sahifa_test_2"),
        "postgresql://u:p@db/sahifa_test_2"
    );
}
