//! Table definitions for the Diesel DSL, shared by both backends.
//! Kept in step with `migrations/` by hand; the test suite exercises every table.

diesel::table! {
    instance_settings (name) {
        name -> Text,
        value -> Text,
        updated_at -> Timestamp,
    }
}
