//! Endorsements, git-native: one file per endorsement,
//! `<docs_dir>/endorsements/<person>/<endorser>-<skill>.yml` with `skill:` and `note:`.
//! What counts is read from HEAD's tree, so an endorsement that is not committed does not
//! count; and the endorser is the **author of the commit that added the file**, never a name
//! written in it, so nobody can endorse in someone else's name (a later edit by someone
//! else does not change who endorsed).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::events::CommitId;

/// One endorsement file at HEAD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndorsementRecord {
    /// Path in the repository.
    pub path: String,
    /// Who is endorsed, as the folder names them (an id, login or name).
    pub person: String,
    pub skill: String,
    pub note: Option<String>,
    /// The commit that added the file: its author is the endorser.
    pub added_by: CommitId,
    /// That commit's author time.
    pub at: i64,
}

#[derive(Deserialize)]
struct File {
    skill: String,
    #[serde(default)]
    note: Option<String>,
    /// Ignored: the endorser is whoever committed the file.
    #[serde(default, rename = "by")]
    _by: Option<serde_yaml::Value>,
    #[serde(default, rename = "person")]
    _person: Option<serde_yaml::Value>,
}

/// The biggest endorsement file read.
const MAX_BYTES: usize = 16 * 1024;

/// The endorsements at `head`, and why any file was skipped (`path: reason`).
pub fn read(
    repo: &crate::sources::repo::Repo,
    docs_dir: &str,
    head: git2::Oid,
) -> anyhow::Result<(Vec<EndorsementRecord>, Vec<String>)> {
    let dir = format!("{}/endorsements", docs_dir.trim_end_matches('/'));
    // Most repositories have no endorsements folder: seen with our own reader, libgit2 is
    // not asked (it would map the packs a second time: 0.3 MB of a small repository's run).
    let commit: [u8; 20] = head.as_bytes().try_into()?;
    if repo.entry_at(&commit, &dir)?.is_none() {
        return Ok((Vec::new(), Vec::new()));
    }
    let git = &repo.git;
    // Where libgit2 cannot read HEAD (damage our own reader reads past), there is no
    // endorsements folder to see.
    let Ok(tree) = git.find_commit(head).and_then(|c| c.tree()) else {
        return Ok((Vec::new(), Vec::new()));
    };
    let Ok(entry) = tree.get_path(Path::new(&dir)) else {
        return Ok((Vec::new(), Vec::new()));
    };
    let Ok(root) = git.find_tree(entry.id()) else {
        return Ok((Vec::new(), Vec::new()));
    };
    // <person>/<file>.yml blobs at HEAD.
    let mut files: BTreeMap<String, (String, git2::Oid)> = BTreeMap::new();
    let mut problems = Vec::new();
    for person in root.iter() {
        let (Ok(name), Ok(sub)) = (person.name(), git.find_tree(person.id())) else {
            continue;
        };
        for f in sub.iter() {
            let Ok(fname) = f.name() else { continue };
            if !(fname.ends_with(".yml") || fname.ends_with(".yaml"))
                || f.kind() != Some(git2::ObjectType::Blob)
            {
                continue;
            }
            files.insert(format!("{dir}/{name}/{fname}"), (name.to_string(), f.id()));
        }
    }
    if files.is_empty() {
        return Ok((Vec::new(), problems));
    }
    let added = adding_commits(git, head, &dir, &files)?;
    let mut out = Vec::new();
    for (path, (person, blob)) in &files {
        let Some(&(commit, at)) = added.get(path) else {
            continue;
        };
        let blob = git.find_blob(*blob)?;
        let text = match std::str::from_utf8(blob.content()) {
            Ok(t) if t.len() <= MAX_BYTES => t,
            _ => {
                problems.push(format!("{path}: not a small UTF-8 text file; skipped"));
                continue;
            }
        };
        match crate::config::yaml::from_str::<File>(text, Path::new(path), 0) {
            Ok(f) if !f.skill.trim().is_empty() => out.push(EndorsementRecord {
                path: path.clone(),
                person: person.clone(),
                skill: f.skill.trim().to_string(),
                note: f
                    .note
                    .map(|n| n.trim().to_string())
                    .filter(|n| !n.is_empty()),
                added_by: CommitId(commit.as_bytes().try_into().unwrap_or_default()),
                at,
            }),
            Ok(_) => problems.push(format!("{path}: `skill` is empty; skipped")),
            Err(e) => problems.push(format!("{e:#}; skipped")),
        }
    }
    Ok((out, problems))
}

/// For each file, the newest commit reachable from `head` whose tree has it and whose
/// parents' trees do not. Only commits whose endorsements folder differs from their first
/// parent's are looked into.
fn adding_commits(
    git: &git2::Repository,
    head: git2::Oid,
    dir: &str,
    files: &BTreeMap<String, (String, git2::Oid)>,
) -> anyhow::Result<BTreeMap<String, (git2::Oid, i64)>> {
    use super::folder_history::entry_at;
    let mut out: BTreeMap<String, (git2::Oid, i64)> = BTreeMap::new();
    super::folder_history::changes(git, head, Path::new(dir), |c, parents| {
        let at = c.author().when().seconds();
        for path in files.keys() {
            let p = Path::new(path);
            if entry_at(c, p).is_some() && !parents.iter().any(|q| entry_at(q, p).is_some()) {
                // The newest adding commit wins: a file removed (an endorsement withdrawn)
                // and added again is a new endorsement by whoever added it again, so an old
                // endorser cannot be brought back by someone else.
                match out.get(path) {
                    Some(&(_, t)) if t >= at => {}
                    _ => {
                        out.insert(path.clone(), (c.id(), at));
                    }
                }
            }
        }
        true
    })?;
    Ok(out)
}
