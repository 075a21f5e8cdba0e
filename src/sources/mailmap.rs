//! `.mailmap`, read the way git reads it (`mailmap.c`): the file in the working tree (never
//! through a symbolic link, as git refuses since 2.32), `mailmap.file`, and `mailmap.blob`
//! (by default `HEAD:.mailmap` in a bare repository). E-mails and names match
//! case-insensitively; a later line overrides an earlier one; names are kept exactly as
//! written (libgit2's signature constructor trims "crud" such as a trailing `"` or `;`, which
//! is why this does not go through it). Every source is read with a size bound.
//! This module maps identities; it does not decide who is who (`events::identity` does).

use std::collections::HashMap;
use std::path::Path;

use super::repo::Repo;

/// The biggest mailmap read. Real ones are a few hundred kilobytes at most (git.git: 20 KB,
/// linux: 120 KB); anything bigger is not a mailmap.
pub const MAX_BYTES: u64 = 8 * 1024 * 1024;

/// What one e-mail (optionally with one commit name) maps to.
#[derive(Debug, Default, Clone)]
struct Entry {
    name: Option<String>,
    email: Option<String>,
    /// Lowercased commit name → the entry for that name and this e-mail.
    by_name: HashMap<String, (Option<String>, Option<String>)>,
}

/// A parsed mailmap.
#[derive(Debug, Default, Clone)]
pub struct Mailmap {
    /// Lowercased commit e-mail → entry.
    by_email: HashMap<String, Entry>,
}

/// A mailmap and the texts it came from (they key the ledger cache).
pub struct Loaded {
    pub map: Mailmap,
    pub texts: Vec<String>,
    /// Sources that were skipped, with why (a symbolic link, too big, missing object).
    pub skipped: Vec<String>,
}

impl Mailmap {
    /// Parses mailmap text, adding to what is already mapped (later lines win).
    pub fn add(&mut self, text: &str) {
        for line in text.lines() {
            if line.starts_with('#') {
                continue;
            }
            let Some((name1, email1, rest)) = name_and_email(line, false) else {
                continue;
            };
            let (name2, email2) = match rest.and_then(|r| name_and_email(r, true)) {
                Some((n, e, _)) => (n, Some(e)),
                None => (None, None),
            };
            self.add_mapping(name1, email1, name2, email2);
        }
    }

    fn add_mapping(
        &mut self,
        new_name: Option<&str>,
        new_email: &str,
        old_name: Option<&str>,
        old_email: Option<&str>,
    ) {
        let (old_email, new_email) = match old_email {
            Some(old) => (old, Some(new_email)),
            None => (new_email, None),
        };
        let entry = self.by_email.entry(old_email.to_lowercase()).or_default();
        match old_name {
            None => {
                if let Some(n) = new_name {
                    entry.name = Some(n.to_string());
                }
                if let Some(e) = new_email {
                    entry.email = Some(e.to_string());
                }
            }
            Some(old) => {
                let sub = entry.by_name.entry(old.to_lowercase()).or_default();
                if let Some(n) = new_name {
                    sub.0 = Some(n.to_string());
                }
                if let Some(e) = new_email {
                    sub.1 = Some(e.to_string());
                }
            }
        }
    }

    /// The canonical (name, e-mail) of a commit identity.
    pub fn map(&self, name: &str, email: &str) -> (String, String) {
        let Some(entry) = self.by_email.get(&email.to_lowercase()) else {
            return (name.to_string(), email.to_string());
        };
        let (n, e) = match entry.by_name.get(&name.to_lowercase()) {
            Some(sub) => (sub.0.as_deref(), sub.1.as_deref()),
            None => (entry.name.as_deref(), entry.email.as_deref()),
        };
        (
            n.unwrap_or(name).to_string(),
            e.unwrap_or(email).to_string(),
        )
    }

    pub fn is_empty(&self) -> bool {
        self.by_email.is_empty()
    }

    /// Reads every mailmap source of the repository, as git does.
    pub fn load(repo: &Repo) -> anyhow::Result<Loaded> {
        let mut loaded = Loaded {
            map: Mailmap::default(),
            texts: Vec::new(),
            skipped: Vec::new(),
        };
        let config = repo.git.config().ok();
        let get = |key: &str| config.as_ref().and_then(|c| c.get_string(key).ok());
        if let Some(wd) = &repo.workdir {
            loaded.file(&wd.join(".mailmap"), true)?;
        }
        match get("mailmap.blob") {
            Some(blob) => loaded.blob(repo, &blob)?,
            // git reads HEAD:.mailmap by default only in a bare repository; the repository
            // reads its root files with our own object reader (a blob left out of a partial
            // clone is an error that says how to fetch it).
            None if repo.workdir.is_none() => {
                if let Some(text) = repo.read_root_file(".mailmap")? {
                    if text.len() as u64 > MAX_BYTES {
                        loaded.skipped.push(format!(
                            "HEAD:.mailmap is more than the {MAX_BYTES} bytes a mailmap may have; it was not read"
                        ));
                    } else {
                        loaded.text(text);
                    }
                }
            }
            None => {}
        }
        if let Some(file) = get("mailmap.file") {
            let path = expand_home(&file);
            loaded.file(&path, false)?;
        }
        Ok(loaded)
    }
}

impl Loaded {
    fn file(&mut self, path: &Path, in_tree: bool) -> anyhow::Result<()> {
        use std::io::Read as _;
        let cannot = |e: std::io::Error| {
            anyhow::Error::new(e).context(format!("cannot read {}", path.display()))
        };
        // In the working tree a symbolic link is not followed (git does not); `mailmap.file`
        // is the user's own setting, and is.
        let meta = if in_tree {
            std::fs::symlink_metadata(path)
        } else {
            std::fs::metadata(path)
        };
        let meta = match meta {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(cannot(e)),
        };
        if in_tree && meta.file_type().is_symlink() {
            self.skipped.push(format!(
                "{} is a symbolic link; git ignores it, and so does cargo guild",
                path.display()
            ));
            return Ok(());
        }
        if !meta.is_file() {
            // A device or a pipe could be read forever.
            self.skipped
                .push(format!("{} is not a file; it was not read", path.display()));
            return Ok(());
        }
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_BYTES + 1).read_to_end(&mut bytes))
            .map_err(cannot)?;
        if bytes.len() as u64 > MAX_BYTES {
            self.skipped.push(format!(
                "{} is more than the {} bytes a mailmap may have; it was not read",
                path.display(),
                MAX_BYTES
            ));
            return Ok(());
        }
        self.text(String::from_utf8_lossy(&bytes).into_owned());
        Ok(())
    }

    /// A mailmap blob named by `mailmap.blob`. Absent: nothing to map. Named by the
    /// tree but missing from the object store (a partial clone without blobs): an error, since
    /// going on would silently split people the mailmap joins.
    fn blob(&mut self, repo: &Repo, spec: &str) -> anyhow::Result<()> {
        let id = match spec.split_once(':') {
            Some((rev, path)) => {
                let Ok(tree) = repo.git.revparse_single(rev).and_then(|o| o.peel_to_tree()) else {
                    return Ok(());
                };
                let Ok(entry) = tree.get_path(Path::new(path)) else {
                    return Ok(()); // no .mailmap there: nothing to map
                };
                entry.id()
            }
            None => match repo.git.revparse_single(spec) {
                Ok(o) => o.id(),
                Err(_) => return Ok(()),
            },
        };
        let odb = repo.git.odb()?;
        match odb.read_header(id) {
            Ok((size, git2::ObjectType::Blob)) if size as u64 <= MAX_BYTES => {}
            Ok((size, git2::ObjectType::Blob)) => {
                self.skipped.push(format!(
                    "{spec} is {size} bytes, more than the {MAX_BYTES} a mailmap may have; it was not read"
                ));
                return Ok(());
            }
            Ok(_) => return Ok(()),
            Err(_) => anyhow::bail!(
                "{spec} (blob {id}) is not in this clone, which was made without blobs (a partial clone): \
                 without it people the mailmap joins would be counted apart\n  \
                 fix: fetch what was left out with `git fetch --refetch` (or clone without `--filter`)"
            ),
        }
        let blob = repo
            .git
            .find_blob(id)
            .map_err(|e| anyhow::anyhow!("cannot read {spec} (blob {id}): {}", e.message()))?;
        self.text(String::from_utf8_lossy(blob.content()).into_owned());
        Ok(())
    }

    fn text(&mut self, text: String) {
        self.map.add(&text);
        self.texts.push(text);
    }
}

fn expand_home(path: &str) -> std::path::PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ => path.into(),
    }
}

/// `Name <email> rest`: the name (trimmed, `None` when empty), the e-mail, and what follows
/// the `>` when anything does. `None` when there is no `<...>` (or an empty one where an
/// e-mail is required), as in git's `parse_name_and_email`.
fn name_and_email(
    text: &str,
    allow_empty_email: bool,
) -> Option<(Option<&str>, &str, Option<&str>)> {
    let left = text.find('<')?;
    let right = left + 1 + text[left + 1..].find('>')?;
    if !allow_empty_email && right == left + 1 {
        return None;
    }
    let name = text[..left].trim();
    let rest = &text[right + 1..];
    Some((
        (!name.is_empty()).then_some(name),
        &text[left + 1..right],
        (!rest.is_empty()).then_some(rest),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(text: &str) -> Mailmap {
        let mut m = Mailmap::default();
        m.add(text);
        m
    }

    #[test]
    fn every_line_shape_maps_like_git() {
        let m = map("# comment\n\
            Proper Name <commit@example.com>\n\
            <proper@example.com> <old@example.com>\n\
            Joe Dev <joe@example.com> <JOE@old.example.com>\n\
            Jane Doe <jane@example.com> jdoe <jane@laptop>\n\
            Other <other@example.com> Someone Else <jane@laptop>\n");
        assert_eq!(
            m.map("whoever", "Commit@Example.com"),
            ("Proper Name".into(), "Commit@Example.com".into())
        );
        assert_eq!(
            m.map("Old", "old@example.com"),
            ("Old".into(), "proper@example.com".into())
        );
        assert_eq!(
            m.map("joe", "joe@OLD.example.com"),
            ("Joe Dev".into(), "joe@example.com".into())
        );
        assert_eq!(
            m.map("JDOE", "jane@laptop"),
            ("Jane Doe".into(), "jane@example.com".into())
        );
        assert_eq!(
            m.map("Someone Else", "jane@laptop"),
            ("Other".into(), "other@example.com".into())
        );
        // A name without its own line keeps the commit's identity.
        assert_eq!(
            m.map("Somebody", "jane@laptop"),
            ("Somebody".into(), "jane@laptop".into())
        );
    }

    #[test]
    fn names_keep_every_character() {
        let m =
            map("Dwayne \"The Rock\" <rock@example.com> <r@example.com>\nAl; <al@example.com>\n");
        assert_eq!(m.map("x", "r@example.com").0, "Dwayne \"The Rock\"");
        assert_eq!(m.map("x", "al@example.com").0, "Al;");
    }

    #[test]
    fn later_lines_win() {
        let m = map("A <a@x> <old@x>\nB <b@x> <old@x>\n");
        assert_eq!(m.map("o", "old@x"), ("B".into(), "b@x".into()));
    }
}
