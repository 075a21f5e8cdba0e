//! Sources of facts: git history (always, offline), the synced GitHub history (optional)
//! and the docs in the repository. Sources read; they never score, rank or render.

pub mod cache;
pub mod codeowners;
pub mod docs;
pub mod endorsements;
pub mod folder_history;
pub mod git;
pub mod github;
pub mod ledgers;
pub mod mailmap;
pub mod merges;
pub mod odb;
pub mod paths;
pub mod repo;
pub mod trailers;
