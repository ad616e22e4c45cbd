//! Black-box tests: every test drives a real server over HTTP (or a real `sahifa` process).
//! One test binary with modules, so the suite links once.

mod api_keys;
mod articles;
mod audit;
mod auth;
mod backup;
mod bylines;
mod cache;
mod cli;
mod comments;
mod contract;
mod copy;
mod crash;
mod curation;
mod cursors;
mod errors;
mod hardening;
mod helpers;
mod instances;
mod jobs;
mod media;
mod menus;
mod openapi;
mod operations;
mod pages;
mod previews;
mod problems;
mod revisions;
mod search;
mod search_engine;
mod sections;
mod syndication;
mod system;
mod users;
mod webhooks;
mod wordpress;
