//! Handlebars templates: embedded in the binary from the top-level `templates/` folder and
//! overridable by a community's own files under `.guild/templates/`. One loader serves the
//! docs scaffolds, the site and the pull-request comment. HTML escaping is on for the site
//! and off for Markdown output (where callers escape for Markdown themselves).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use handlebars::Handlebars;
use include_dir::{include_dir, Dir};

static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// How values are escaped when rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escape {
    Html,
    /// No escaping: the caller escapes values for Markdown before rendering.
    None,
}

/// Where a template came from, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Embedded(String),
    File(PathBuf),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Embedded(p) => write!(f, "built-in template templates/{p}"),
            Origin::File(p) => write!(f, "{}", p.display()),
        }
    }
}

/// A set of templates, named by their path relative to their folder without `.hbs`
/// (`case-round.md`, `person.html`, `partials/nav.html`).
pub struct Templates {
    pub hb: Handlebars<'static>,
    origins: BTreeMap<String, Origin>,
}

impl Templates {
    /// Loads the embedded templates under `templates/<embedded_dir>` (`""` for the top
    /// level; sub-folders only when `recursive`), then the `*.hbs` files of `override_dir`
    /// (same rule), which replace embedded ones of the same name or add new ones.
    pub fn load(
        embedded_dir: &str,
        override_dir: Option<&Path>,
        recursive: bool,
        escape: Escape,
    ) -> anyhow::Result<Templates> {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(false);
        if escape == Escape::None {
            hb.register_escape_fn(handlebars::no_escape);
        }
        let mut t = Templates {
            hb,
            origins: BTreeMap::new(),
        };
        let base = if embedded_dir.is_empty() {
            Some(&EMBEDDED)
        } else {
            EMBEDDED.get_dir(embedded_dir)
        };
        if let Some(dir) = base {
            let mut files = Vec::new();
            collect_embedded(dir, recursive, &mut files);
            for f in files {
                let rel = f
                    .path()
                    .strip_prefix(embedded_dir)
                    .unwrap_or(f.path())
                    .to_string_lossy()
                    .replace('\\', "/");
                let Some(name) = rel.strip_suffix(".hbs") else {
                    continue;
                };
                let text = f
                    .contents_utf8()
                    .with_context(|| format!("templates/{} is not UTF-8", f.path().display()))?;
                t.register(
                    name,
                    text,
                    Origin::Embedded(f.path().to_string_lossy().into_owned()),
                )?;
            }
        }
        if let Some(dir) = override_dir.filter(|d| d.is_dir()) {
            let walker = walkdir::WalkDir::new(dir)
                .max_depth(if recursive { usize::MAX } else { 1 })
                .sort_by_file_name();
            for entry in walker {
                let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
                if !entry.file_type().is_file() {
                    continue;
                }
                let rel = entry
                    .path()
                    .strip_prefix(dir)
                    .unwrap_or(entry.path())
                    .to_string_lossy()
                    .replace('\\', "/");
                let Some(name) = rel.strip_suffix(".hbs") else {
                    continue;
                };
                let text = std::fs::read_to_string(entry.path())
                    .with_context(|| format!("cannot read {}", entry.path().display()))?;
                t.register(name, &text, Origin::File(entry.path().to_path_buf()))?;
            }
        }
        Ok(t)
    }

    fn register(&mut self, name: &str, text: &str, origin: Origin) -> anyhow::Result<()> {
        self.hb.register_template_string(name, text).map_err(|e| {
            let pos = e
                .pos()
                .map(|(l, c)| format!(":{l}:{c}"))
                .unwrap_or_default();
            anyhow::anyhow!("{origin}{pos}: template error: {}", e.reason())
        })?;
        self.origins.insert(name.to_string(), origin);
        Ok(())
    }

    /// Template names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.origins.keys().map(String::as_str)
    }

    pub fn has(&self, name: &str) -> bool {
        self.origins.contains_key(name)
    }

    pub fn origin(&self, name: &str) -> Option<&Origin> {
        self.origins.get(name)
    }

    /// Renders `name`; an error names the template's file and line.
    pub fn render<T: serde::Serialize>(&self, name: &str, data: &T) -> anyhow::Result<String> {
        self.hb.render(name, data).map_err(|e| {
            let origin = self
                .origins
                .get(name)
                .map(ToString::to_string)
                .unwrap_or_else(|| name.to_string());
            let line = e.line_no.map(|l| format!(":{l}")).unwrap_or_default();
            anyhow::anyhow!("{origin}{line}: cannot render: {}", e.reason())
        })
    }
}

fn collect_embedded<'a>(
    dir: &'a Dir<'a>,
    recursive: bool,
    out: &mut Vec<&'a include_dir::File<'a>>,
) {
    out.extend(dir.files());
    if recursive {
        for d in dir.dirs() {
            collect_embedded(d, recursive, out);
        }
    }
}
