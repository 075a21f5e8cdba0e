//! The knowledge base: Markdown files with YAML front matter under the docs folder
//! (`community/` by default). This module reads and parses them; checking them for
//! problems is `cmd::docs`, scaffolding them is `cmd::new`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::yaml;

/// Front matter as written in a doc. Unknown keys are kept out of the typed fields but
/// tolerated, so a community can add its own.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub kind: Option<String>,
    pub date: Option<String>,
    pub authors: Vec<String>,
    pub facilitator: Option<String>,
    pub participants: Vec<String>,
    pub domain: Option<String>,
    pub tags: Vec<String>,
    pub status: Option<String>,
}

/// One doc, parsed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocRecord {
    /// Path relative to the repository root, with `/` separators.
    pub path: String,
    pub front: FrontMatter,
    /// The Markdown body after the front matter.
    #[serde(skip)]
    pub body: String,
    /// Line of the body's first line in the file (1-based).
    #[serde(skip)]
    pub body_line: usize,
}

/// Why a doc could not be parsed, with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocError {
    pub path: String,
    pub line: usize,
    pub message: String,
}

/// Splits a file into front matter (between `---` lines at the top) and body.
/// Returns (yaml, line of the yaml's first line, body, body line).
pub fn split_front_matter(text: &str) -> Result<(&str, usize, &str, usize), (usize, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return Err((
            1,
            "no front matter: the file must start with a `---` line".into(),
        ));
    };
    let mut offset = 0;
    for (i, line) in rest.split_inclusive('\n').enumerate() {
        if line.trim_end() == "---" {
            let yaml = &rest[..offset];
            let body = &rest[offset + line.len()..];
            return Ok((yaml, 2, body, i + 3));
        }
        offset += line.len();
    }
    Err((
        1,
        "front matter is not closed: did you forget the closing `---` line?".into(),
    ))
}

/// Parses one doc's text.
pub fn parse(path: &str, text: &str) -> Result<DocRecord, DocError> {
    let (yaml_text, yaml_line, body, body_line) =
        split_front_matter(text).map_err(|(line, message)| DocError {
            path: path.into(),
            line,
            message,
        })?;
    let front: FrontMatter = if yaml_text.trim().is_empty() {
        FrontMatter::default()
    } else {
        yaml::from_str(yaml_text, Path::new(path), yaml_line - 1).map_err(|e| DocError {
            path: path.into(),
            line: e.line.unwrap_or(yaml_line),
            message: format!("front matter is not valid YAML: {}", e.message),
        })?
    };
    Ok(DocRecord {
        path: path.into(),
        front,
        body: body.to_string(),
        body_line,
    })
}

/// Every Markdown file under `root/docs_dir`, sorted by path, parsed. Files that do not
/// parse come back as errors (for `docs check`); readers that only want the good ones
/// ignore them.
pub fn load(root: &Path, docs_dir: &str) -> (Vec<DocRecord>, Vec<DocError>) {
    let base = root.join(docs_dir);
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(&base)
        .follow_links(false)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.into_path())
        .collect();
    files.sort();
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        let rel = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .to_string_lossy()
            .replace('\\', "/");
        match std::fs::read(&file) {
            Ok(bytes) => match parse(&rel, &String::from_utf8_lossy(&bytes)) {
                Ok(d) => docs.push(d),
                Err(e) => errors.push(e),
            },
            Err(e) => errors.push(DocError {
                path: rel,
                line: 1,
                message: format!("cannot read: {e}"),
            }),
        }
    }
    (docs, errors)
}
