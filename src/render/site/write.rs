//! Writing the site to `--out`: atomically, and never over anything this command did not
//! write.

use std::path::Path;

use anyhow::Context as _;

use super::Site;

/// Written into every generated site, so that a rebuild only ever replaces a folder this
/// command made (never, say, a source folder given by mistake as `--out`).
pub const MARKER: &str = ".guild-site";

/// Writes the site to `out` atomically: everything goes to a temporary folder next to it,
/// which then replaces `out` by renames. A failure leaves the previous site as it was.
pub fn write(site: &Site, out: &Path) -> anyhow::Result<()> {
    let name = out
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| !n.is_empty() && *n != "." && *n != "..")
        .with_context(|| {
            format!(
                "--out {} must name a folder (e.g. target/guild-site)",
                out.display()
            )
        })?;
    if out.exists() {
        let empty = out
            .read_dir()
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !out.is_dir() || (!empty && !out.join(MARKER).is_file()) {
            anyhow::bail!(
                "{} exists and is not a site built by cargo guild (no {MARKER} file)\n  fix: choose another --out folder, or remove it first",
                out.display()
            );
        }
    }
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .with_context(|| format!("cannot create {}", parent.display()))?;
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let result = (|| -> anyhow::Result<()> {
        let mut dirs = std::collections::BTreeSet::new();
        for (rel, bytes) in &site.files {
            let path = tmp.join(rel);
            if let Some(d) = path.parent() {
                if dirs.insert(d.to_path_buf()) {
                    std::fs::create_dir_all(d)
                        .with_context(|| format!("cannot create {}", d.display()))?;
                }
            }
            std::fs::write(&path, bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        if out.exists() {
            std::fs::rename(out, &old).with_context(|| {
                format!("cannot move the previous site {} aside", out.display())
            })?;
        }
        if let Err(e) = std::fs::rename(&tmp, out) {
            // Put the previous site back before reporting.
            let _ = std::fs::rename(&old, out);
            return Err(e)
                .with_context(|| format!("cannot move the new site to {}", out.display()));
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    let _ = std::fs::remove_dir_all(&old);
    result
}
