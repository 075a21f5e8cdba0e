//! The docs check on `pull_request_target`, where the checkout is the base branch and the
//! pull request's files must never be checked out (their code could run with a write
//! token). The changed docs are read through the API at the head commit, as text, into a
//! scratch folder that mirrors the base checkout (every other entry a symbolic link to the
//! base's), and checked there with the same rules as `docs check`.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::config::Config;
use crate::render::comment::Finding;
use crate::sources::github::rest::Api;

/// Findings on `files` (changed community docs, relative paths) as of commit `head`.
pub fn check(
    api: &mut Api,
    head: &str,
    root: &Path,
    config: &Config,
    files: &[PathBuf],
) -> anyhow::Result<Vec<Finding>> {
    let scratch = tempfile::tempdir().context("cannot create a scratch folder for the docs")?;
    let docs_dir = config.docs_dir.trim_end_matches('/');
    mirror(root, scratch.path(), Path::new(docs_dir))?;
    let mut present = Vec::new();
    for f in files {
        let rel = f.to_string_lossy().replace('\\', "/");
        // Paths come from GitHub: only plain relative paths inside the docs folder.
        let safe = f
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
        if !safe || !rel.starts_with(&format!("{docs_dir}/")) {
            continue;
        }
        let dest = scratch.path().join(f);
        match api.file_at(&rel, head)? {
            Some(text) => {
                if let Some(parent) = dest.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                // A link where the file should be (a deleted doc's leftover) is replaced.
                let _ = std::fs::remove_file(&dest);
                std::fs::write(&dest, text)?;
                present.push(f.clone());
            }
            None => {
                let _ = std::fs::remove_file(&dest);
            }
        }
    }
    Ok(super::adapters::docs_check(
        scratch.path(),
        config,
        &present,
    ))
}

/// Mirrors `from` into `to`: the folders on the way to `docs` are real folders, the docs
/// folder a real copy of the base's docs, everything else a symbolic link to the base.
fn mirror(from: &Path, to: &Path, docs: &Path) -> anyhow::Result<()> {
    let mut first = docs.components();
    let head = first.next().map(|c| c.as_os_str().to_os_string());
    let Ok(entries) = std::fs::read_dir(from) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let (src, dst) = (entry.path(), to.join(&name));
        if Some(&name) == head.as_ref() && entry.file_type()?.is_dir() {
            std::fs::create_dir_all(&dst)?;
            let rest: PathBuf = first.clone().collect();
            if rest.as_os_str().is_empty() {
                copy_tree(&src, &dst)?;
            } else {
                mirror(&src, &dst, &rest)?;
            }
        } else if name != ".git" {
            link(&src, &dst)?;
        }
    }
    Ok(())
}

/// Copies the regular files of a folder tree (no links followed).
fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<()> {
    for e in walkdir::WalkDir::new(from).into_iter().flatten() {
        let rel = e.path().strip_prefix(from).unwrap_or(e.path());
        let dst = to.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dst)?;
        } else if e.file_type().is_file() {
            std::fs::copy(e.path(), &dst)?;
        }
    }
    Ok(())
}

#[cfg(unix)]
fn link(src: &Path, dst: &Path) -> anyhow::Result<()> {
    std::os::unix::fs::symlink(src, dst).with_context(|| format!("cannot link {}", dst.display()))
}

#[cfg(not(unix))]
fn link(src: &Path, dst: &Path) -> anyhow::Result<()> {
    // Without symbolic links, links to files outside the docs cannot be checked there.
    let _ = (src, dst);
    Ok(())
}
