//! Synced history stored in the repository's own object database under a ref
//! (`refs/guild/history` by default): a commit whose tree holds one JSON file per pull
//! request (`pulls/<number>.json`) and `state.json` (sync cursor). Pushable and fetchable like
//! a branch; the working tree is never touched. Reading lives here; writing is `cmd::sync`.

use anyhow::Context as _;
use git2::{ObjectType, Repository};

use super::model::PullRequestRecord;

/// Reads every stored pull request, sorted by number. No ref: nothing synced yet.
pub fn load(repo: &Repository, refname: &str) -> anyhow::Result<Vec<PullRequestRecord>> {
    let reference = match repo.find_reference(refname) {
        Ok(r) => r,
        Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("cannot read {refname}")),
    };
    let tree = reference.peel_to_tree().with_context(|| {
        format!(
            "{refname} does not point at a commit with a tree; was it written by cargo guild sync?"
        )
    })?;
    let Some(pulls) = tree.get_name("pulls") else {
        return Ok(Vec::new());
    };
    let pulls = pulls
        .to_object(repo)?
        .peel_to_tree()
        .with_context(|| format!("{refname}:pulls is not a folder"))?;
    let mut out = Vec::with_capacity(pulls.len());
    for entry in pulls.iter() {
        if entry.kind() != Some(ObjectType::Blob) {
            continue;
        }
        let name = entry.name().unwrap_or("?").to_string();
        let blob = entry.to_object(repo)?.peel_to_blob()?;
        let pr: PullRequestRecord = serde_json::from_slice(blob.content())
            .with_context(|| format!("{refname}:pulls/{name} is not a pull request record; run `cargo guild sync --full` to rewrite it"))?;
        out.push(pr);
    }
    out.sort_by_key(|p| p.number);
    Ok(out)
}
