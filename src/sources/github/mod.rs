//! GitHub as a source: pull requests with their reviews, as stored by `cargo guild sync`
//! under the history ref. This module owns the record types; `events` merges them with
//! git-derived facts so that one pull request is counted once.

pub mod client;
pub mod model;
pub mod query;
pub mod rest;
pub mod store;
pub mod sync;
