//! The property checks behind the fuzz targets. `checks.rs` is also compiled into
//! `tests/fuzz_regressions.rs` (with `#[path]`), so a saved input replays there exactly as
//! the fuzzer ran it.

pub mod checks;
