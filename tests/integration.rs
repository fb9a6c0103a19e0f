//! The integration tests, as modules of one test binary (as ripgrep does):
//! on a 2-core machine the suite links once instead of once per file.
//! Tests marked `#[ignore]` need the real lists and eval sets in
//! `../shared/data` (`cargo test --release -- --ignored`). Many run the
//! `amlscreen` binary, so the target needs the `cli` feature (default).

mod common;
#[path = "../benches/workload/mod.rs"]
mod workload;

mod audit_config;
mod audit_crash;
mod audit_forgery;
mod audit_instances;
mod batch_cli;
mod batch_order;
mod batch_real;
mod case_store_backends;
mod cases_cli;
mod cases_library;
mod cli_screen;
mod customers_registry;
mod eval_ratchet;
mod inputs_fail_closed;
mod kri_report;
mod latency_ratio;
mod layering;
mod limits_hostile_input;
mod list_cache;
mod list_cache_real;
mod lists_fixtures;
mod lists_fuzz;
mod lists_partial;
mod lists_real;
mod lists_real_screening;
mod live_reload;
mod name_hits;
mod names_crosslist;
mod names_index;
mod names_misses;
mod names_quality;
mod names_screen;
mod names_scripts;
mod namesakes_real;
mod ofac_crypto_real;
mod partitioned;
mod pg_server;
mod platform_matrix;
mod platform_persons;
mod proptest_inputs;
mod reload_window;
mod replayed_ids;
mod rules_loader_props;
mod rules_screen;
mod serve_http;
mod shared_state;
mod shared_store;
mod ukrainian_policy;
mod update_local_server;
