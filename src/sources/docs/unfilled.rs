//! Template sections left unfilled: a heading whose section still holds only the template's
//! `<!-- guidance -->` comment (and perhaps empty bullets or an empty table), and empty
//! bullets (`-`) anywhere else. These are warnings, not errors: the site hides guidance
//! comments and empty bullets, so the doc renders, but a reader meets an empty section.
//!
//! The scan is line-based on purpose: templates are line-based, and a Markdown parser drops
//! the HTML comments this looks for. Fenced code blocks are skipped.

use super::check::{Finding, Level};
use super::DocRecord;

/// Warnings for the unfilled template sections and empty bullets of `d`, in line order.
pub fn check_unfilled(d: &DocRecord) -> Vec<Finding> {
    let mut out = Vec::new();
    let warn = |line: usize, message: String| Finding {
        path: d.path.clone(),
        line,
        message,
        level: Level::Warning,
    };
    let mut section: Option<Section> = None;
    let mut in_comment = false;
    let mut fence: Option<&str> = None;
    let mut in_table = false;
    let close = |s: Option<Section>, out: &mut Vec<Finding>| {
        let Some(s) = s else { return };
        if s.guidance && !s.written {
            out.push(warn(
                s.line,
                format!(
                    "the section `{}` is unfilled: it holds only the template's guidance; write it or remove the heading",
                    s.title
                ),
            ));
        } else {
            for line in s.empty_bullets {
                out.push(warn(
                    line,
                    "an empty list item left from the template: fill it in or remove it".into(),
                ));
            }
        }
    };
    for (i, raw) in d.body.lines().enumerate() {
        let line = d.body_line + i;
        let t = raw.trim();
        if let Some(marker) = fence {
            if t.starts_with(marker) {
                fence = None;
            }
            mark_written(&mut section);
            continue;
        }
        if in_comment {
            if t.contains("-->") {
                in_comment = false;
            }
            continue;
        }
        if t.starts_with("```") || t.starts_with("~~~") {
            fence = Some(&t[..3]);
            mark_written(&mut section);
            continue;
        }
        let is_table = t.starts_with('|');
        let table_start = is_table && !in_table;
        in_table = is_table;
        if let Some(title) = heading(t) {
            close(section.take(), &mut out);
            section = Some(Section {
                title: title.to_string(),
                line,
                guidance: false,
                written: false,
                empty_bullets: Vec::new(),
            });
            continue;
        }
        if let Some(rest) = t.strip_prefix("<!--") {
            if let Some(s) = section.as_mut() {
                s.guidance = true;
            }
            match rest.find("-->") {
                // Text after a one-line comment is written text.
                Some(end) if !rest[end + 3..].trim().is_empty() => mark_written(&mut section),
                Some(_) => {}
                None => in_comment = true,
            }
            continue;
        }
        if t.is_empty() {
            continue;
        }
        if is_empty_bullet(t) {
            match section.as_mut() {
                Some(s) => s.empty_bullets.push(line),
                None => out.push(warn(
                    line,
                    "an empty list item left from the template: fill it in or remove it".into(),
                )),
            }
            continue;
        }
        // A table's header row and separator are the template's; a row counts when a cell
        // has text.
        if is_table && (table_start || !has_cell_text(t)) {
            continue;
        }
        mark_written(&mut section);
    }
    close(section.take(), &mut out);
    out.sort();
    out
}

struct Section {
    title: String,
    line: usize,
    /// The section holds a guidance comment.
    guidance: bool,
    /// Something was written in it.
    written: bool,
    empty_bullets: Vec<usize>,
}

fn mark_written(section: &mut Option<Section>) {
    if let Some(s) = section.as_mut() {
        s.written = true;
    }
}

/// The text of an ATX heading (`## Impact`).
fn heading(t: &str) -> Option<&str> {
    let hashes = t.bytes().take_while(|&b| b == b'#').count();
    let rest = &t[hashes..];
    ((1..=6).contains(&hashes) && (rest.is_empty() || rest.starts_with(' ')))
        .then(|| rest.trim().trim_end_matches('#').trim())
}

/// `-`, `*`, `+`, `1.`, `- [ ]` with nothing after them.
fn is_empty_bullet(t: &str) -> bool {
    let rest = match t.as_bytes().first() {
        Some(b'-' | b'*' | b'+') => &t[1..],
        Some(b) if b.is_ascii_digit() => {
            let digits = t.bytes().take_while(u8::is_ascii_digit).count();
            match t[digits..].strip_prefix(['.', ')']) {
                Some(r) => r,
                None => return false,
            }
        }
        _ => return false,
    };
    let rest = rest.trim();
    rest.is_empty() || rest == "[ ]" || rest == "[x]"
}

fn has_cell_text(t: &str) -> bool {
    t.split('|')
        .any(|c| !c.trim().is_empty() && !c.trim().chars().all(|ch| matches!(ch, '-' | ':')))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(body: &str) -> DocRecord {
        DocRecord {
            path: "docs/a.md".into(),
            front: Default::default(),
            body: body.into(),
            body_line: 10,
            key_lines: Default::default(),
        }
    }

    fn lines(body: &str) -> Vec<(usize, bool)> {
        check_unfilled(&doc(body))
            .iter()
            .map(|f| (f.line, f.message.contains("section")))
            .collect()
    }

    #[test]
    fn a_section_with_only_guidance_is_unfilled() {
        let body = "# T\n\n## Summary\n\n<!-- Two or three\n     sentences. -->\n\n## Impact\n\n<!-- Who? -->\n\nUsers could not log in.\n\n## Actions\n\n<!-- x -->\n\n| Action | Owner |\n|---|---|\n|  |  |\n\n## Lucky\n\n<!-- y -->\n\n-\n";
        assert_eq!(lines(body), vec![(12, true), (23, true), (31, true)]);
    }

    #[test]
    fn empty_bullets_in_a_written_section_are_flagged_one_by_one() {
        let body = "## Worked\n\n<!-- g -->\n\n- tests\n-\n* [ ]\n\n```\n-\n```\n";
        assert_eq!(lines(body), vec![(15, false), (16, false)]);
    }

    #[test]
    fn written_tables_and_sections_without_guidance_are_fine() {
        let body =
            "## A\n\n<!-- g -->\n\n| a | b |\n|---|---|\n| x |  |\n\n## B\n\n## C\nText -->\n";
        assert!(lines(body).is_empty());
    }
}
