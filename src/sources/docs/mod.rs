//! The knowledge base: Markdown files with YAML front matter under the docs folder
//! (`community/` by default). This module reads and parses them; checking them for
//! problems is `cmd::docs`, scaffolding them is `cmd::new`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer, Serialize};

use crate::config::yaml;

/// Front matter as written in a doc. Unknown keys are kept out of the typed fields but
/// tolerated, so a community can add its own. After [`parse`], strings are trimmed, empty
/// strings are `None` and empty list entries are dropped (a scaffold's `facilitator: ""`
/// means "nobody yet"). A list field also accepts a single string (`authors: Alice`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub kind: Option<String>,
    pub date: Option<String>,
    #[serde(deserialize_with = "one_or_many")]
    pub authors: Vec<String>,
    pub facilitator: Option<String>,
    #[serde(deserialize_with = "one_or_many")]
    pub participants: Vec<String>,
    pub domain: Option<String>,
    #[serde(deserialize_with = "one_or_many")]
    pub tags: Vec<String>,
    pub status: Option<String>,
}

impl FrontMatter {
    fn normalize(&mut self) {
        for field in [
            &mut self.title,
            &mut self.kind,
            &mut self.date,
            &mut self.facilitator,
            &mut self.domain,
            &mut self.status,
        ] {
            *field = field
                .take()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty());
        }
        for list in [&mut self.authors, &mut self.participants, &mut self.tags] {
            list.iter_mut().for_each(|s| *s = s.trim().to_string());
            list.retain(|s| !s.is_empty());
        }
    }
}

/// A list, or one string standing for a list of one (`null` is the empty list).
fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    struct V;
    impl<'de> serde::de::Visitor<'de> for V {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a list of strings (or one string)")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(vec![v.to_string()])
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(s) = seq.next_element::<String>()? {
                out.push(s);
            }
            Ok(out)
        }
    }
    d.deserialize_any(V)
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
    /// Line (1-based, in the file) of each top-level front-matter key, for messages.
    #[serde(skip)]
    pub key_lines: BTreeMap<String, usize>,
}

impl DocRecord {
    /// The doc's id: `<kind>/<file stem>` in lowercase (what site URLs are made of, and
    /// what must be unique; see `cargo guild docs check`). `None` without a kind.
    pub fn id(&self) -> Option<String> {
        let kind = self.front.kind.as_deref()?;
        let stem = Path::new(&self.path).file_stem()?.to_string_lossy();
        Some(format!("{kind}/{stem}").to_lowercase())
    }

    /// The line of front-matter key `key`, or 1 (the opening `---`) when it is absent.
    pub fn line_of(&self, key: &str) -> usize {
        self.key_lines.get(key).copied().unwrap_or(1)
    }
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
    let mut front: FrontMatter = if yaml_text.trim().is_empty() {
        FrontMatter::default()
    } else {
        yaml::from_str(yaml_text, Path::new(path), yaml_line - 1).map_err(|e| DocError {
            path: path.into(),
            line: e.line.unwrap_or(yaml_line),
            message: if e.message.contains("expected struct FrontMatter") {
                "front matter must be `key: value` lines (a YAML mapping), e.g. `title: \"...\"`"
                    .to_string()
            } else {
                format!("front matter is not valid YAML: {}", e.message)
            },
        })?
    };
    front.normalize();
    Ok(DocRecord {
        path: path.into(),
        front,
        body: body.to_string(),
        body_line,
        key_lines: key_lines(yaml_text, yaml_line),
    })
}

/// Top-level keys (`key:` at the start of a line) and their line in the file.
fn key_lines(yaml: &str, first_line: usize) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for (i, line) in yaml.lines().enumerate() {
        if line.starts_with([' ', '\t', '#', '-']) {
            continue;
        }
        if let Some((key, _)) = line.split_once(':') {
            let key = key.trim().trim_matches(['"', '\'']);
            out.entry(key.to_string()).or_insert(first_line + i);
        }
    }
    out
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
pub mod check;
pub mod history;
pub mod unfilled;
