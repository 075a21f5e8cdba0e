//! Renderers: they read the snapshot (or a command's own result rows) and write text.
//! They never read history or compute scores.

pub mod comment;
pub mod graph;
pub mod ics;
pub mod parquet;
pub mod site;
pub mod table;
pub mod templates;

/// The one escaping for HTML, SVG and XML text and double- or single-quoted attributes: the
/// five special characters as entities, and the control characters XML 1.0 forbids dropped
/// (history is hostile: a name may hold anything).
pub fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}
