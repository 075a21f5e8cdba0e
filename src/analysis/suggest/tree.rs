//! The path tree reviewer suggestion measures closeness in: every file and every folder is a
//! node, and a path's chain is its own node then each folder up to the top. Work on a file
//! is added to every node of its chain, so a folder's node holds all the work below it; how
//! much a folder's work counts for a changed file falls with the folder's distance up the
//! tree ([`coefficients`]).
//!
//! Owns only names and ids; who did the work lives in `model`.

use crate::util::FnvMap;

/// Interned nodes: files by their path (`src/a/x.rs`), folders with a trailing `/`
/// (`src/a/`), and the files at the root together as the empty string.
#[derive(Default)]
pub struct Tree {
    ids: FnvMap<String, u32>,
    names: Vec<String>,
}

impl Tree {
    pub fn name(&self, node: u32) -> &str {
        &self.names[node as usize]
    }

    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.ids.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(name.to_string());
        self.ids.insert(name.to_string(), i);
        i
    }

    /// The node of `path` (a file, or a folder when it ends in `/`) and of each folder above
    /// it up to its top-level folder, nearest first. There is no node for the whole
    /// repository: work that shares no folder with a change says nothing about it. Files at
    /// the root share the root's own node (`""`), which holds only them.
    pub fn chain(&mut self, path: &str) -> Vec<u32> {
        let (dirs, file) = split(path);
        let mut out = Vec::with_capacity(dirs.len() + 2);
        if !file.is_empty() {
            out.push(self.intern(&join(&dirs, Some(file))));
        }
        for n in (1..=dirs.len()).rev() {
            out.push(self.intern(&join(&dirs[..n], None)));
        }
        if dirs.is_empty() {
            out.push(self.intern(""));
        }
        out
    }

    /// The node of a folder (`src/a/`, or `""` for the files at the root), if any work was
    /// there.
    pub fn folder(&self, folder: &str) -> Option<u32> {
        self.ids.get(folder).copied()
    }
}

fn join(dirs: &[&str], file: Option<&str>) -> String {
    let mut s = String::new();
    for d in dirs {
        s.push_str(d);
        s.push('/');
    }
    if let Some(f) = file {
        s.push_str(f);
    }
    s
}

/// Splits a path into its folders and file name (`src/a/b.rs` → ([src, a], b.rs)); a
/// trailing `/` names a folder (empty file name).
pub fn split(path: &str) -> (Vec<&str>, &str) {
    let mut parts: Vec<&str> = path.split('/').collect();
    let file = parts.pop().unwrap_or("");
    parts.retain(|p| !p.is_empty() && *p != ".");
    (parts, file)
}

/// The folder all changed paths share, with a trailing `/` (empty: the root).
pub fn common_folder(paths: &[String]) -> String {
    let mut common: Option<Vec<&str>> = None;
    for p in paths {
        let (dirs, _) = split(p);
        common = Some(match common {
            None => dirs,
            Some(c) => c
                .iter()
                .zip(&dirs)
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| *a)
                .collect(),
        });
    }
    match common {
        Some(c) if !c.is_empty() => format!("{}/", c.join("/")),
        _ => String::new(),
    }
}

/// How much each node of a changed path's chain counts, so that work on the file itself
/// counts 1, work elsewhere in its folder `decay`, in the folder above `decay²`, and so on:
/// node k (0 = the path itself) holds all the work of nodes below it, so it gets
/// `decay^k − decay^(k+1)`, and the top-level folder the rest, `decay^k`. The coefficients
/// add up to 1.
pub fn coefficients(chain_len: usize, decay: f64) -> impl Iterator<Item = f64> {
    let last = chain_len.saturating_sub(1);
    (0..chain_len).map(move |k| {
        let here = decay.powi(k as i32);
        if k == last {
            here
        } else {
            here * (1.0 - decay)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_goes_from_the_file_up_to_its_top_level_folder() {
        let mut t = Tree::default();
        let c = t.chain("src/parser/lexer.rs");
        let names: Vec<&str> = c.iter().map(|&n| t.name(n)).collect();
        assert_eq!(names, ["src/parser/lexer.rs", "src/parser/", "src/"]);
        let again = t.chain("./src/parser/lexer.rs");
        assert_eq!(c, again, "the same node for the same path");
        let root_file = t.chain("README.md");
        let names: Vec<&str> = root_file.iter().map(|&n| t.name(n)).collect();
        assert_eq!(names, ["README.md", ""], "root files share the root's node");
        assert_eq!(t.chain("src/parser/"), c[1..].to_vec());
        assert_eq!(t.folder("src/"), Some(c[2]));
    }

    #[test]
    fn work_counts_less_the_further_up_the_tree_it_is() {
        // A change to a/b/c/x.rs; work on x.rs is in all four nodes, work on a/b/c/y.rs in
        // the last three, work on a/b/z.rs in the last two, work on a/w.rs in a/ only.
        let c: Vec<f64> = coefficients(4, 0.5).collect();
        assert_eq!(c, [0.5, 0.25, 0.125, 0.125]);
        let from = |k: usize| c[k..].iter().sum::<f64>();
        assert_eq!(from(0), 1.0);
        assert_eq!(from(1), 0.5);
        assert_eq!(from(2), 0.25);
        assert_eq!(from(3), 0.125);
    }

    #[test]
    fn common_folder_of_paths() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(common_folder(&v(&["src/a/x.rs", "src/a/b/y.rs"])), "src/a/");
        assert_eq!(common_folder(&v(&["src/a/x.rs", "docs/y.md"])), "");
    }
}
