//! The sticky pull-request comment: its data, escaped for Markdown, rendered from
//! `templates/comment.md.hbs` (overridable in `.guild/templates/comment.md.hbs`), with the
//! hidden marker that finds it again and a cut at GitHub's size limit.
//!
//! Every value that reaches the template is escaped here, before rendering: titles, names,
//! reasons, paths and messages come from people (some hostile) and must not break the
//! Markdown, inject HTML, or ping anyone. `@` gets a zero-width joiner after it (GitHub only
//! mentions `@` followed by a letter or digit), logins are shown as code spans, and the
//! characters Markdown gives meaning to are escaped. The template itself is trusted text.
//!
//! This module renders text; finding, posting and updating the comment is `cmd::action`.

use serde::Serialize;

use super::templates::Templates;

/// The hidden marker that identifies the comment among a pull request's comments. Always the
/// first line of the body, whatever the template says, so that a custom template cannot make
/// the action lose its comment and post a second one.
pub const MARKER: &str = "<!-- cargo-guild:pr-comment -->";

/// GitHub refuses comment bodies longer than this (characters); bytes are counted here,
/// which is never fewer.
pub const MAX_BODY: usize = 65_536;

/// The template's name (`templates/comment.md.hbs`).
pub const TEMPLATE: &str = "comment.md";

/// The longest single value shown (characters); longer ones end with `…`.
const MAX_VALUE: usize = 300;

/// A person as the comment shows them (raw, unescaped).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Who {
    /// A GitHub login, shown as a code span (never a mention).
    pub login: Option<String>,
    /// The display id or name, used when there is no login.
    pub name: String,
}

/// A suggested reviewer (raw, unescaped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reviewer {
    pub who: Who,
    pub reason: String,
}

/// A docs finding (raw, unescaped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub path: String,
    pub line: usize,
    pub message: String,
    /// A warning (an unfilled template section) rather than an error.
    pub warning: bool,
}

/// Everything the comment says, before escaping.
#[derive(Debug, Clone, Default)]
pub struct Input {
    pub community: Option<String>,
    pub number: u64,
    pub title: String,
    /// `None` when the author opted out (greeted without a name).
    pub author: Option<Who>,
    pub first_time: bool,
    /// Ladder steps (name, description), first step first.
    pub ladder: Vec<(String, String)>,
    pub docs_dir: String,
    pub reviewers: Vec<Reviewer>,
    pub shadow: Option<Reviewer>,
    /// On-call experts for the changed domains (`rituals` with `on_call: true`).
    pub on_call: Vec<Reviewer>,
    /// Whether reviews were requested through the API.
    pub requested: bool,
    pub changed_paths: usize,
    /// Community docs among the changed paths that were checked.
    pub docs_checked: usize,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Serialize)]
struct Data {
    community: Option<String>,
    number: u64,
    title: String,
    author: Option<String>,
    first_time: bool,
    ladder: Vec<Step>,
    docs_dir: String,
    reviewers: Vec<Row>,
    shadow: Option<Row>,
    on_call: Vec<Row>,
    requested: bool,
    changed_paths: usize,
    docs_checked: usize,
    findings: Vec<Row>,
}

#[derive(Debug, Serialize)]
struct Step {
    n: usize,
    name: String,
    description: String,
}

#[derive(Debug, Serialize)]
struct Row {
    who: String,
    reason: String,
    path: String,
    line: usize,
    message: String,
}

impl Row {
    fn reviewer(r: &Reviewer) -> Row {
        Row {
            who: who(&r.who),
            reason: md(&r.reason),
            path: String::new(),
            line: 0,
            message: String::new(),
        }
    }
}

/// Renders the comment body: the marker line, then the template's output.
pub fn render(templates: &Templates, input: &Input) -> anyhow::Result<String> {
    let data = Data {
        community: input.community.as_deref().map(md),
        number: input.number,
        title: md(&input.title),
        author: input.author.as_ref().map(who),
        first_time: input.first_time,
        ladder: input
            .ladder
            .iter()
            .enumerate()
            .map(|(i, (name, description))| Step {
                n: i + 1,
                name: md(name),
                description: md(description),
            })
            .collect(),
        docs_dir: md(&input.docs_dir),
        reviewers: input.reviewers.iter().map(Row::reviewer).collect(),
        shadow: input.shadow.as_ref().map(Row::reviewer),
        on_call: input.on_call.iter().map(Row::reviewer).collect(),
        requested: input.requested,
        changed_paths: input.changed_paths,
        docs_checked: input.docs_checked,
        findings: input
            .findings
            .iter()
            .map(|f| Row {
                who: String::new(),
                reason: String::new(),
                path: md(&f.path),
                line: f.line,
                message: if f.warning {
                    format!("warning: {}", md(&f.message))
                } else {
                    md(&f.message)
                },
            })
            .collect(),
    };
    let text = templates.render(TEMPLATE, &data)?;
    // Blank lines left by block helpers: at most one in a row, none at the ends.
    let mut body = String::with_capacity(text.len() + MARKER.len() + 1);
    body.push_str(MARKER);
    body.push('\n');
    let mut blank = true;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            if !blank {
                body.push('\n');
            }
            blank = true;
        } else {
            body.push_str(line);
            body.push('\n');
            blank = false;
        }
    }
    while body.ends_with("\n\n") {
        body.pop();
    }
    Ok(body)
}

/// Cuts `body` to fit GitHub's limit, at a line boundary, and says where the rest is.
/// Bodies that fit come back unchanged.
pub fn truncate(body: &str, full_report_url: Option<&str>) -> String {
    if body.len() <= MAX_BODY {
        return body.to_string();
    }
    let note = match full_report_url {
        Some(url) => format!(
            "\n\n… this comment was cut to fit GitHub's size limit; [the full report is in the run's summary]({}).\n",
            url_in_link(url)
        ),
        None => "\n\n… this comment was cut to fit GitHub's size limit; the full report is in the run's summary.\n"
            .to_string(),
    };
    let mut end = MAX_BODY.saturating_sub(note.len());
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    // Back to the end of a line, so that no escape or table row is cut in half.
    if let Some(nl) = body[..end].rfind('\n') {
        end = nl;
    }
    let mut out = body[..end].to_string();
    out.push_str(&note);
    out
}

/// A URL made safe inside a Markdown link's parentheses.
pub fn url_in_link(url: &str) -> String {
    url.chars()
        .filter(|c| !c.is_control() && !c.is_whitespace())
        .map(|c| match c {
            '(' => "%28".to_string(),
            ')' => "%29".to_string(),
            '<' => "%3C".to_string(),
            '>' => "%3E".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// A person: their login as a code span (no mention inside code), else their escaped name.
pub fn who(w: &Who) -> String {
    match &w.login {
        Some(l) if crate::events::identity::is_login(l) => format!("`{l}`"),
        _ => md(&w.name),
    }
}

/// Escapes text for inline Markdown (paragraphs, list items and table cells alike):
/// one line, no HTML, no mention, no link or emphasis, no list or heading at the start.
pub fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (count, c) in text.chars().enumerate() {
        if count >= MAX_VALUE {
            out.push('…');
            break;
        }
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // GitHub mentions `@` followed by a letter or digit; a zero-width joiner breaks
            // the pair while keeping the text readable (and copyable as the same login).
            '@' => out.push_str("@\u{200d}"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '!' | '~' | '(' | ')' | '{' | '}'
            | '$' => {
                out.push('\\');
                out.push(c);
            }
            // Bidirectional overrides reorder what readers see (trojan-source style).
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    // A value at the start of a line must not start a list, a quote or a setext heading.
    let first = out.chars().next();
    if matches!(first, Some('-' | '+' | '=')) {
        out.insert(0, '\\');
    } else if first.is_some_and(|c| c.is_ascii_digit()) {
        let digits = out.chars().take_while(char::is_ascii_digit).count();
        if matches!(out[digits..].chars().next(), Some('.' | ')')) {
            out.insert(digits, '\\');
        }
    }
    inert_links(&out)
}

/// GitHub turns `https://…`, `http://…` and `www.…` in plain text into links; a zero-width
/// joiner after the scheme's colon (or after `www`) keeps the text and drops the link.
fn inert_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let lower = text.to_ascii_lowercase();
    let mut i = 0;
    while i < text.len() {
        let rest = &lower[i..];
        let cut = if rest.starts_with("://") {
            Some(1)
        } else if rest.starts_with("www.") {
            Some(3)
        } else {
            None
        };
        match cut {
            Some(n) => {
                out.push_str(&text[i..i + n]);
                out.push('\u{200d}');
                i += n;
            }
            None => {
                let c = text[i..].chars().next().unwrap_or_default();
                out.push(c);
                i += c.len_utf8().max(1);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md_neutralises_mentions_html_and_markup() {
        let s = md("@alice <img src=x onerror=alert(1)> **bold** [x](http://e) | a\nb");
        assert!(!s.contains("@a"), "{s}");
        assert!(!s.contains('<') && !s.contains('>'), "{s}");
        assert!(!s.contains('\n'));
        assert!(s.contains("\\*\\*bold\\*\\*"));
        assert!(s.contains("\\[x\\]\\(http:\u{200d}//e\\)"));
        // Bare addresses are not autolinked either.
        let t = md("see https://evil.example and WWW.evil.example");
        assert!(
            !t.contains("https://") && !t.to_lowercase().contains("www."),
            "{t}"
        );
        assert!(t.replace('\u{200d}', "") == "see https://evil.example and WWW.evil.example");
        assert!(s.contains("\\|"));
    }

    #[test]
    fn md_keeps_values_from_starting_blocks() {
        assert_eq!(md("- item"), "\\- item");
        assert_eq!(md("12. x"), "12\\. x");
        assert_eq!(md("# h"), "\\# h");
        assert_eq!(md("plain text"), "plain text");
    }

    #[test]
    fn md_drops_controls_and_bidi_and_caps_length() {
        assert_eq!(md("a\u{202e}b\u{7}c"), "abc");
        let long = "x".repeat(1000);
        assert_eq!(md(&long).chars().count(), MAX_VALUE + 1);
    }

    #[test]
    fn logins_become_code_spans_and_odd_ones_are_escaped() {
        let w = |l: &str| Who {
            login: Some(l.into()),
            name: l.into(),
        };
        assert_eq!(who(&w("octo-cat")), "`octo-cat`");
        assert_eq!(who(&w("dependabot[bot]")), "`dependabot[bot]`");
        assert_eq!(who(&w("a`b")), "a\\`b");
    }

    fn sample() -> Input {
        let who = |l: &str| Who {
            login: Some(l.into()),
            name: l.into(),
        };
        Input {
            community: Some("Parsers & <Friends>".into()),
            number: 7,
            title: "Make the parser *fast* @team".into(),
            author: Some(who("dave")),
            first_time: true,
            ladder: vec![
                ("observer".into(), "Follows along.".into()),
                ("contributor".into(), "Has had work merged.".into()),
            ],
            docs_dir: "community".into(),
            reviewers: vec![Reviewer {
                who: who("bob"),
                reason: "wrote 3 commits in src/ | last 2024-05-01".into(),
            }],
            on_call: Vec::new(),
            shadow: Some(Reviewer {
                who: Who {
                    login: None,
                    name: "Carol [the new one]".into(),
                },
                reason: "learning src/".into(),
            }),
            requested: true,
            changed_paths: 2,
            docs_checked: 1,
            findings: vec![Finding {
                path: "community/x.md".into(),
                line: 3,
                message: "missing required field `date`".into(),
                warning: false,
            }],
        }
    }

    #[test]
    fn the_built_in_comment_reads_well() {
        let t = Templates::load("", None, false, super::super::templates::Escape::None).unwrap();
        insta::assert_snapshot!(render(&t, &sample()).unwrap());
    }

    #[test]
    fn a_returning_author_without_suggestions_or_docs_gets_a_short_comment() {
        let t = Templates::load("", None, false, super::super::templates::Escape::None).unwrap();
        let input = Input {
            first_time: false,
            reviewers: Vec::new(),
            shadow: None,
            docs_checked: 0,
            findings: Vec::new(),
            ..sample()
        };
        insta::assert_snapshot!(render(&t, &input).unwrap());
    }

    #[test]
    fn truncation_fits_and_links() {
        let body = format!("{MARKER}\n{}", "line of text\n".repeat(10_000));
        let cut = truncate(&body, Some("https://github.com/o/r/actions/runs/1"));
        assert!(cut.len() <= MAX_BODY);
        assert!(cut.starts_with(MARKER));
        assert!(cut.contains("(https://github.com/o/r/actions/runs/1)"));
        assert_eq!(truncate("short", None), "short");
    }
}
