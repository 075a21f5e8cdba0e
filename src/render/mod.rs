//! Renderers: they read the snapshot (or a command's own result rows) and write text.
//! They never read history or compute scores.

pub mod comment;
pub mod site;
pub mod table;
pub mod templates;
