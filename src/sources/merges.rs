//! Recognising merges in commit summaries: pull-request merges of every style (GitHub merge
//! commits, squash merges, merge-queue merges, bors and rollups) and topic merges of the
//! git.git and Linux kind. Facts about how git messages are written, not scoring rules; what
//! a merge brought in is `events::structure`.

use serde::{Deserialize, Serialize};

/// How a pull request was merged, as recognised from a commit summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MergeStyle {
    /// `Merge pull request #N from user/branch`
    MergeCommit,
    /// `Title (#N)`
    Squash,
    /// `Auto merge of #N - user:branch, r=reviewer` (bors, homu)
    Bors,
    /// `Rollup merge of #N - user:branch, r=reviewer`
    Rollup,
    /// `Title (#N)` on a two-parent commit: GitHub's merge queue (and "create a merge
    /// commit" with the squash-style subject some projects configure).
    MergeQueue,
}

/// What a commit summary says about a pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrMarker {
    pub number: u64,
    pub style: MergeStyle,
    /// The owner part of `user/branch` or `user:branch`: a hint only (a branch pushed to the
    /// main repository carries the organisation's name).
    pub branch_owner: Option<String>,
    /// Logins after `r=` (bors/homu).
    pub reviewers: Vec<String>,
    /// The title: the summary without the marker where the style carries one.
    pub title: String,
}

/// Recognises a pull-request merge in a summary. `is_merge` tells whether the commit has
/// more than one parent (a squash marker on a merge commit is not a squash).
pub fn pr_marker(summary: &str, is_merge: bool) -> Option<PrMarker> {
    if let Some(rest) = summary.strip_prefix("Merge pull request #") {
        let (num, rest) = split_number(rest)?;
        let owner = rest
            .strip_prefix(" from ")
            .and_then(|b| b.split_once('/'))
            .map(|(o, _)| o.trim().to_string())
            .filter(|o| !o.is_empty());
        return Some(PrMarker {
            number: num,
            style: MergeStyle::MergeCommit,
            branch_owner: owner,
            reviewers: vec![],
            title: String::new(),
        });
    }
    for (prefix, style) in [
        ("Auto merge of #", MergeStyle::Bors),
        ("Rollup merge of #", MergeStyle::Rollup),
    ] {
        if let Some(rest) = summary.strip_prefix(prefix) {
            let (num, rest) = split_number(rest)?;
            let rest = rest.trim_start().strip_prefix('-').unwrap_or(rest).trim();
            let (branch, review) = match rest.split_once(", r=") {
                Some((b, r)) => (b, Some(r)),
                None => (rest.split(',').next().unwrap_or(rest), None),
            };
            let owner = branch
                .split_once(':')
                .map(|(o, _)| o.trim().to_string())
                .filter(|o| !o.is_empty());
            let reviewers = review
                .map(|r| {
                    r.split([',', ' '])
                        .map(|s| s.trim().trim_start_matches('@'))
                        .filter(|s| super::github::is_login(s))
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            return Some(PrMarker {
                number: num,
                style,
                branch_owner: owner,
                reviewers,
                title: String::new(),
            });
        }
    }
    {
        let trimmed = summary.trim_end();
        if let Some(open) = trimmed
            .strip_suffix(')')
            .and_then(|s| s.rfind("(#").map(|i| (s, i)))
        {
            let (s, i) = open;
            let digits = &s[i + 2..];
            if !digits.is_empty() && digits.len() <= 9 && digits.bytes().all(|b| b.is_ascii_digit())
            {
                let number = digits.parse().ok()?;
                return Some(PrMarker {
                    number,
                    style: if is_merge {
                        MergeStyle::MergeQueue
                    } else {
                        MergeStyle::Squash
                    },
                    branch_owner: None,
                    reviewers: vec![],
                    title: s[..i].trim_end().to_string(),
                });
            }
        }
    }
    None
}

/// Branches whose merge is a sync, not a change set: merging `main` into a topic, `git pull`
/// of the upstream, a maintenance branch carried forward. Their own nested topic merges
/// still count.
const SYNC_BRANCHES: &[&str] = &[
    "main",
    "master",
    "trunk",
    "develop",
    "development",
    "dev",
    "maint",
    "next",
    "head",
    "stable",
    "release",
    "gh-pages",
];

/// Recognises a topic merge in a merge commit's summary, the git.git and Linux way:
/// `Merge branch 'ab/topic'` (optionally `of <url>` and `into <branch>`), `Merge branches
/// 'a' and 'b'`, `Merge tag 'v1.2' of <url>`, `Merge remote-tracking branch 'origin/x'`.
/// Returns the branch or tag name; `None` for anything else and for syncs of a main line
/// (`Merge branch 'master' of github.com:...`).
pub fn topic_merge(summary: &str) -> Option<String> {
    let rest = [
        "Merge branch ",
        "Merge branches ",
        "Merge tag ",
        "Merge remote-tracking branch ",
        "Merge remote branch ",
    ]
    .iter()
    .find_map(|p| summary.strip_prefix(p))?;
    let rest = rest.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let end = rest[1..].find(quote)?;
    let name = &rest[1..1 + end];
    let short = name.rsplit('/').next().unwrap_or(name);
    let remote_sync = name.contains('/')
        && ["origin", "upstream"].contains(&name.split('/').next().unwrap_or(""));
    if name.is_empty()
        || (SYNC_BRANCHES.contains(&name.to_lowercase().as_str()))
        || (remote_sync && SYNC_BRANCHES.contains(&short.to_lowercase().as_str()))
    {
        return None;
    }
    Some(name.to_string())
}

fn split_number(s: &str) -> Option<(u64, &str)> {
    let end = s
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(s.len());
    if end == 0 || end > 9 {
        return None;
    }
    Some((s[..end].parse().ok()?, &s[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_every_merge_style() {
        let m = pr_marker("Merge pull request #12 from alice/fix-typo", true).unwrap();
        assert_eq!(
            (m.number, m.style, m.branch_owner.as_deref()),
            (12, MergeStyle::MergeCommit, Some("alice"))
        );
        let m = pr_marker("Fix the parser (#345)", false).unwrap();
        assert_eq!(
            (m.number, m.style, m.title.as_str()),
            (345, MergeStyle::Squash, "Fix the parser")
        );
        let m = pr_marker("Fix the parser (#345)", true).unwrap();
        assert_eq!(
            (m.number, m.style, m.title.as_str()),
            (345, MergeStyle::MergeQueue, "Fix the parser")
        );
        let m = pr_marker("Auto merge of #77 - bob:speedup, r=carol,dave", true).unwrap();
        assert_eq!(m.style, MergeStyle::Bors);
        assert_eq!(m.branch_owner.as_deref(), Some("bob"));
        assert_eq!(m.reviewers, vec!["carol", "dave"]);
        let m = pr_marker("Rollup merge of #78 - erin:docs, r=carol", true).unwrap();
        assert_eq!((m.number, m.style), (78, MergeStyle::Rollup));
        assert!(pr_marker("Bump version (#abc)", false).is_none());
        assert!(pr_marker("Merge branch 'main' into feature", true).is_none());
    }

    #[test]
    fn recognises_topic_merges_and_leaves_syncs_out() {
        assert_eq!(
            topic_merge("Merge branch 'ab/topic'").as_deref(),
            Some("ab/topic")
        );
        assert_eq!(
            topic_merge("Merge branch 'jc/fix' into maint").as_deref(),
            Some("jc/fix")
        );
        assert_eq!(
            topic_merge("Merge tag 'net-6.1' of git://git.kernel.org/pub/scm/x").as_deref(),
            Some("net-6.1")
        );
        assert_eq!(
            topic_merge("Merge branch 'for-linus' of git://git.kernel.org/x").as_deref(),
            Some("for-linus")
        );
        assert_eq!(topic_merge("Merge branch 'master' of github.com:a/b"), None);
        assert_eq!(topic_merge("Merge branch 'main' into feature"), None);
        assert_eq!(
            topic_merge("Merge remote-tracking branch 'origin/main'"),
            None
        );
        assert_eq!(topic_merge("Merge branch 'maint'"), None);
        assert_eq!(topic_merge("Merge pull request #1 from a/b"), None);
        assert_eq!(topic_merge("Merging things"), None);
    }
}
