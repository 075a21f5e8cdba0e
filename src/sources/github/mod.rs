//! GitHub as a source: pull requests with their reviews, as stored by `cargo guild sync`
//! under the history ref. This module owns the record types; `events` merges them with
//! git-derived facts so that one pull request is counted once.

pub mod client;
pub mod model;
pub mod query;
pub mod rest;
pub mod store;
pub mod sync;

/// A GitHub login's shape (an app's `name[bot]` too): letters, digits, hyphens (and the
/// underscore of enterprise-managed accounts), not starting with a hyphen, at most 39
/// characters. The one test of "is this a login" for branch owners, `r=` and mentions.
pub fn is_login(s: &str) -> bool {
    let base = s.strip_suffix("[bot]").unwrap_or(s);
    !base.is_empty()
        && base.len() <= 39
        && !base.starts_with('-')
        && base
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
