//! Sahifa, a headless CMS for news publishers.
//!
//! The crate's map, following the path of a request:
//! - [`config`]: settings read once from the environment;
//! - [`startup`]: the server, its middleware and route tree;
//! - [`telemetry`]: logging and request ids;
//! - [`http`]: what every endpoint shares (errors, JSON extraction, routing fallbacks);
//! - [`health`]: liveness and readiness probes;
//! - [`db`]: the store (SQLite or PostgreSQL), pool and migrations;
//! - [`openapi`]: the root of the OpenAPI document;
//! - [`auth`] and [`users`]: identity, tokens, staff accounts;
//! - [`time`]: timestamps at the edges.

pub mod api_keys;
pub mod articles;
pub mod audit;
pub mod auth;
pub mod changes;
pub mod comments;
pub mod config;
pub mod copy;
pub mod db;
pub mod demo;
pub mod events;
pub mod health;
pub mod http;
pub mod jobs;
pub mod links;
pub mod maintenance;
pub mod media;
pub mod menus;
pub mod metrics;
pub mod openapi;
pub mod pages;
pub mod redirects;
pub mod revisions;
pub mod routes;
pub mod search;
pub mod sections;
pub mod slugs;
pub mod startup;
pub mod syndication;
pub mod tags;
pub mod telemetry;
pub mod text;
pub mod time;
pub mod users;
pub mod webhooks;
pub mod wordpress;
