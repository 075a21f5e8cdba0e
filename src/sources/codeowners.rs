//! CODEOWNERS with GitHub's semantics: the first file found among `.github/CODEOWNERS`,
//! `CODEOWNERS` and `docs/CODEOWNERS`; gitignore-style patterns; the last matching pattern
//! wins; a pattern with no owners leaves its files unowned; owners are `@login`,
//! `@org/team` or e-mail addresses.
//!
//! This module parses and matches. Who is active, and what a domain is, is
//! `analysis::domains`. [`pattern_globs`] is also how `guild.yml` domain globs are read, so
//! both spell paths the same way.

use anyhow::Context as _;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use super::repo::Repo;

/// Where GitHub looks, in its order; the first file found is the only one used.
pub const LOCATIONS: [&str; 3] = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];

/// One line of CODEOWNERS with a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// 1-based line in the file.
    pub line: usize,
    pub pattern: String,
    /// As written: `@login`, `@org/team` or an e-mail. Empty: the files are unowned.
    pub owners: Vec<String>,
}

/// What an owner entry names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerKind {
    Login,
    Team,
    Email,
}

pub fn owner_kind(owner: &str) -> OwnerKind {
    match owner.strip_prefix('@') {
        Some(rest) if rest.contains('/') => OwnerKind::Team,
        Some(_) => OwnerKind::Login,
        None => OwnerKind::Email,
    }
}

/// A parsed CODEOWNERS file.
#[derive(Debug, Clone)]
pub struct Codeowners {
    /// Where it was found, relative to the repository root.
    pub file: String,
    pub rules: Vec<Rule>,
    /// Lines GitHub would reject (line, message); they are skipped, as GitHub does.
    pub errors: Vec<(usize, String)>,
    set: GlobSet,
    /// Glob index in `set` → rule index.
    glob_rule: Vec<usize>,
}

impl Codeowners {
    /// Parses the text of a CODEOWNERS file.
    pub fn parse(file: &str, text: &str) -> Codeowners {
        let mut rules = Vec::new();
        let mut errors = Vec::new();
        let mut builder = GlobSetBuilder::new();
        let mut glob_rule = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let Some((pattern, owners)) = split_line(raw) else {
                continue;
            };
            match pattern_globs(&pattern) {
                Ok(globs) => {
                    for g in globs {
                        builder.add(g);
                        glob_rule.push(rules.len());
                    }
                    rules.push(Rule {
                        line,
                        pattern,
                        owners,
                    });
                }
                Err(e) => errors.push((line, format!("invalid pattern `{pattern}`: {e}"))),
            }
        }
        let set = builder.build().unwrap_or_else(|_| GlobSet::empty());
        Codeowners {
            file: file.to_string(),
            rules,
            errors,
            set,
            glob_rule,
        }
    }

    /// The rule that decides a path's owners: the last one whose pattern matches.
    pub fn rule_for(&self, path: &str) -> Option<usize> {
        self.set
            .matches(path)
            .into_iter()
            .map(|g| self.glob_rule[g])
            .max()
    }

    /// The owners of a path; empty when no rule matches or the deciding rule has none.
    pub fn owners_of(&self, path: &str) -> &[String] {
        self.rule_for(path)
            .map(|r| self.rules[r].owners.as_slice())
            .unwrap_or(&[])
    }
}

/// Splits a line into pattern and owners; `None` for blank lines and comments.
fn split_line(raw: &str) -> Option<(String, Vec<String>)> {
    let line = raw.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    // An inline `#` starts a comment; `\#` is a literal `#` in a pattern.
    let mut tokens = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek().is_some_and(|n| *n == '#' || *n == ' ') => {
                cur.push(chars.next().unwrap_or('#'));
            }
            '#' => break,
            c if c.is_whitespace() => {
                if !cur.is_empty() {
                    tokens.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        tokens.push(cur);
    }
    let mut it = tokens.into_iter();
    let pattern = it.next()?;
    Some((pattern, it.collect()))
}

/// The globs for one gitignore-style pattern, as CODEOWNERS reads it:
/// - a leading `/` or a `/` in the middle anchors it at the root, otherwise it matches at
///   any depth (`*.rs`, `apps/`);
/// - a trailing `/` matches only folders (everything under them);
/// - a pattern that names a folder also covers everything under it, except `dir/*`, which
///   GitHub documents as matching only the files directly in `dir`;
/// - `*` never crosses a `/`; `**` does.
pub fn pattern_globs(pattern: &str) -> Result<Vec<globset::Glob>, globset::Error> {
    let dir_only = pattern.ends_with('/');
    let trimmed = pattern.trim_end_matches('/');
    let anchored = trimmed.starts_with('/') || trimmed.trim_start_matches('/').contains('/');
    let body = trimmed.trim_start_matches('/');
    let base = if body.is_empty() {
        // `/` alone: the whole repository.
        "**".to_string()
    } else if anchored || body.starts_with("**") {
        body.to_string()
    } else {
        format!("**/{body}")
    };
    let glob = |g: &str| {
        GlobBuilder::new(g)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
    };
    let mut out = Vec::new();
    if !dir_only {
        out.push(glob(&base)?);
    }
    let last = base.rsplit('/').next().unwrap_or(&base);
    if dir_only || (last != "*" && !base.ends_with("/**") && base != "**") {
        out.push(glob(&format!("{base}/**"))?);
    }
    if out.is_empty() {
        out.push(glob(&base)?);
    }
    Ok(out)
}

/// Finds and parses the repository's CODEOWNERS (working tree, or HEAD when bare).
pub fn load(repo: &Repo) -> anyhow::Result<Option<Codeowners>> {
    for loc in LOCATIONS {
        let text = repo
            .read_root_file(loc)
            .with_context(|| format!("cannot read {loc}"))?;
        if let Some(text) = text {
            return Ok(Some(Codeowners::parse(loc, &text)));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owners<'a>(co: &'a Codeowners, path: &str) -> Vec<&'a str> {
        co.owners_of(path).iter().map(String::as_str).collect()
    }

    #[test]
    fn github_documented_examples() {
        let co = Codeowners::parse(
            "CODEOWNERS",
            "# comment\n\
             *       @global-owner1 @global-owner2\n\
             *.js    @js-owner #This is an inline comment.\n\
             *.go docs@example.com\n\
             /build/logs/ @doctocat\n\
             docs/*  docs@example.com\n\
             apps/ @octocat\n\
             /docs/ @doctocat\n\
             /scripts/ @doctocat @octocat\n\
             **/logs @octocat\n\
             /apps/ @octocat\n\
             /apps/github\n",
        );
        assert!(co.errors.is_empty(), "{:?}", co.errors);
        assert_eq!(
            owners(&co, "README.md"),
            ["@global-owner1", "@global-owner2"]
        );
        assert_eq!(owners(&co, "src/a/b.js"), ["@js-owner"]);
        assert_eq!(owners(&co, "x/y.go"), ["docs@example.com"]);
        assert_eq!(
            owners(&co, "build/x.txt"),
            ["@global-owner1", "@global-owner2"]
        );
        // `/build/logs/` matches, but the later `**/logs` matches too and wins.
        assert_eq!(owners(&co, "build/logs/a/b.txt"), ["@octocat"]);
        // `docs/*` would match only direct files, but `/docs/` comes later and wins.
        assert_eq!(owners(&co, "docs/getting-started.md"), ["@doctocat"]);
        assert_eq!(owners(&co, "scripts/x.sh"), ["@doctocat", "@octocat"]);
        assert_eq!(owners(&co, "deep/logs/x"), ["@octocat"]);
        // Empty owners: unowned, even though `/apps/` matched first.
        assert!(owners(&co, "apps/github/x.rb").is_empty());
        assert_eq!(owners(&co, "apps/other.rb"), ["@octocat"]);
    }

    #[test]
    fn dir_star_matches_only_direct_files() {
        let co = Codeowners::parse("CODEOWNERS", "docs/* @a\n");
        assert_eq!(owners(&co, "docs/x.md"), ["@a"]);
        assert!(owners(&co, "docs/sub/x.md").is_empty());
        assert!(owners(&co, "other/docs/x.md").is_empty(), "anchored");
    }

    #[test]
    fn owner_kinds() {
        assert_eq!(owner_kind("@alice"), OwnerKind::Login);
        assert_eq!(owner_kind("@org/team"), OwnerKind::Team);
        assert_eq!(owner_kind("a@b.c"), OwnerKind::Email);
    }
}
