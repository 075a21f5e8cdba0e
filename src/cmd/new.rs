//! `cargo guild new KIND "Title"`: scaffolds a peer-learning doc from the kind's template
//! (`templates/docs/<kind>.md.hbs`, overridable and extensible in `.guild/templates/`) at
//! `<docs_dir>/<kind>/<date>-<slug>.md`, and `cargo guild new --list` shows the kinds.
//!
//! Guarantees: the file name comes from a transliterated slug, so a title can never escape
//! the folder; every front-matter value reaches the template already YAML-quoted
//! (`{{yaml.title}}`), and the rendered doc is parsed back and checked like `docs check`
//! would before anything is written; an existing file is never overwritten (`new` refuses,
//! since a second run of the same command is far more often a mistake than a wish for a
//! twin doc); the file appears whole or not at all.
//!
//! A template describes itself with a comment on its first line:
//! `{{!-- description: One line shown by --list. --}}`.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use serde::Serialize;

use crate::cli::{GlobalOpts, NewArgs};
use crate::config::yaml;
use crate::exit::Outcome;
use crate::render::table::Table;
use crate::render::templates::{Escape, Origin, Templates};
use crate::sources::docs::check::{
    check_doc, domain_problem, is_kind_name, known_kinds, title_problem, valid_date,
};

/// What a template sees. Plain values are for the Markdown body; `yaml.*` holds the same
/// values as YAML scalars (double-quoted strings, flow lists) for the front matter.
#[derive(Debug, Serialize)]
struct Scaffold {
    title: String,
    kind: String,
    date: String,
    authors: Vec<String>,
    facilitator: Option<String>,
    participants: Vec<String>,
    domain: Option<String>,
    tags: Vec<String>,
    status: String,
    yaml: YamlValues,
}

#[derive(Debug, Serialize)]
struct YamlValues {
    title: String,
    kind: String,
    date: String,
    authors: String,
    facilitator: String,
    participants: String,
    domain: String,
    tags: String,
    status: String,
}

pub fn execute(global: &GlobalOpts, args: NewArgs) -> anyhow::Result<Outcome> {
    let session = super::Session::open(global)?;
    let root = session.repo.workdir.clone().ok_or_else(|| {
        anyhow::anyhow!(
            "{} is a bare repository: `cargo guild new` writes a file into the working tree\n  \
             fix: run it in a clone with a checkout",
            session.repo.root().display()
        )
    })?;
    let override_dir = root.join(".guild/templates");
    let templates = Templates::load("docs", Some(&override_dir), false, Escape::None)?;
    if args.list {
        return list(&session, &templates);
    }
    let (Some(kind), Some(title)) = (args.kind, args.title) else {
        bail!("give a kind and a title, e.g. `cargo guild new retrospective \"Release outage\"` (see `--list`)");
    };
    let kinds = kinds(&templates);
    if !kinds.iter().any(|(k, _)| *k == kind) {
        let names: Vec<&str> = kinds.iter().map(|(k, _)| *k).collect();
        bail!(
            "unknown kind `{kind}`; known kinds: {}\n  fix: pick one of them, or add your own as {}",
            names.join(", "),
            ".guild/templates/<kind>.md.hbs"
        );
    }
    if let Some(problem) = title_problem(&title) {
        bail!("{problem}\n  fix: give a short, one-line title, e.g. \"Release outage of May 1\"");
    }
    let title = title.trim().to_string();
    let date = match &args.date {
        Some(d) => valid_date(d.trim())
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "`{d}` is not a valid date\n  fix: write --date as YYYY-MM-DD, e.g. 2024-05-01"
                )
            })?
            .format("%Y-%m-%d")
            .to_string(),
        // The date a doc is scaffolded is the one place the wall clock belongs.
        None => chrono::Local::now()
            .date_naive()
            .format("%Y-%m-%d")
            .to_string(),
    };
    let domain = clean_one("--domain", args.domain)?;
    if let Some(problem) = domain
        .as_deref()
        .and_then(|d| domain_problem(d, &session.config))
    {
        bail!("{problem}\n  fix: pass one of them to --domain, or define the domain in guild.yml");
    }
    let mut facilitator = clean_one("--facilitator", args.facilitator)?;
    if facilitator.is_none() {
        facilitator = scheduled_facilitator(&session, &kind, &date)?;
    }
    let participants = clean_list("--participants", args.participants)?;
    let tags = clean_list("--tags", args.tags)?;
    let author = git_identity(&session.repo.git)?;

    let data = Scaffold {
        yaml: YamlValues {
            title: yaml::quoted(&title),
            kind: yaml::quoted(&kind),
            date: yaml::quoted(&date),
            authors: yaml::flow_list(std::slice::from_ref(&author)),
            facilitator: yaml::quoted(facilitator.as_deref().unwrap_or("")),
            participants: yaml::flow_list(&participants),
            domain: yaml::quoted(domain.as_deref().unwrap_or("")),
            tags: yaml::flow_list(&tags),
            status: yaml::quoted("draft"),
        },
        title,
        kind,
        date,
        authors: vec![author],
        facilitator,
        participants,
        domain,
        tags,
        status: "draft".into(),
    };
    let name = format!("{}.md", data.kind);
    let origin = templates
        .origin(&name)
        .map(ToString::to_string)
        .unwrap_or_else(|| name.clone());
    let text = templates.render(&name, &data)?;

    let docs_dir = session.config.docs_dir.trim_end_matches('/');
    let rel = format!(
        "{docs_dir}/{}/{}-{}.md",
        data.kind,
        data.date,
        crate::util::slug(&data.title, "doc")
    );
    verify(&rel, &text, &data, &origin, &root, &session.config)?;
    let path = root.join(&rel);
    let dir = path
        .parent()
        .context("a doc path always has a folder")?
        .to_path_buf();
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    write_new(&path, &rel, text.as_bytes())?;
    let mut out = super::stdout();
    writeln!(out, "{rel}")?;
    out.flush()?;
    Ok(Outcome::Ok)
}

/// Parses the rendered doc back and checks it, so a template can never produce a doc that
/// `docs check` would reject (or that lost the values it was given).
fn verify(
    rel: &str,
    text: &str,
    data: &Scaffold,
    origin: &str,
    root: &Path,
    config: &crate::config::Config,
) -> anyhow::Result<()> {
    let fix = "fix: start the template with the front matter of a built-in one, \
               e.g. `title: {{yaml.title}}` between `---` lines";
    let doc = crate::sources::docs::parse(rel, text).map_err(|e| {
        anyhow::anyhow!(
            "{origin}: the rendered doc is broken at its line {}: {}; nothing written\n  {fix}",
            e.line,
            e.message
        )
    })?;
    let findings = check_doc(&doc, &known_kinds(root), config);
    if let Some(f) = findings.first() {
        bail!(
            "{origin}: the rendered doc would not pass `docs check` (its line {}: {}); nothing written\n  {fix}",
            f.line,
            f.message
        );
    }
    let f = &doc.front;
    for (field, got, want) in [
        ("title", &f.title, &data.title),
        ("kind", &f.kind, &data.kind),
        ("date", &f.date, &data.date),
    ] {
        if got.as_deref() != Some(want.as_str()) {
            bail!(
                "{origin}: the rendered doc has `{field}: {}` instead of `{want}`; nothing written\n  {fix}",
                got.as_deref().unwrap_or("")
            );
        }
    }
    Ok(())
}

/// Writes a new file whole or not at all, and never over an existing one: the bytes go to
/// a temporary file that is then hard-linked into place (which fails if the name exists).
/// File systems without hard links fall back to an exclusive create.
fn write_new(path: &Path, rel: &str, bytes: &[u8]) -> anyhow::Result<()> {
    let exists = || {
        anyhow::anyhow!(
            "{rel} already exists; nothing written\n  fix: edit that doc, or choose another title or --date"
        )
    };
    if path.exists() {
        return Err(exists());
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("doc");
    let tmp: PathBuf = crate::util::temp_beside(dir, name);
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", tmp.display()));
    }
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(exists()),
        Err(_) => {
            let mut f = match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
            {
                Ok(f) => f,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(exists()),
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot write {}", path.display()))
                }
            };
            if let Err(e) = f.write_all(bytes).and_then(|()| f.sync_all()) {
                drop(f);
                let _ = std::fs::remove_file(path);
                return Err(e).with_context(|| format!("cannot write {}", path.display()));
            }
            Ok(())
        }
    }
}

/// The author: `Name <email>` from the repository's Git configuration (as `git commit`
/// would use it), so the ledger joins the doc to the same person as their commits.
pub(super) fn git_identity(repo: &git2::Repository) -> anyhow::Result<String> {
    let config = repo
        .config()
        .and_then(|mut c| c.snapshot())
        .context("cannot read the Git configuration")?;
    let get = |k: &str| {
        config
            .get_string(k)
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let Some(name) = get("user.name") else {
        bail!(
            "no Git identity: `user.name` is not set, and the doc needs an author\n  \
             fix: git config user.name \"Your Name\" && git config user.email you@example.com"
        );
    };
    if name.chars().any(char::is_control) || name.contains(['<', '>']) {
        bail!("the Git `user.name` ({name:?}) is not a usable name\n  fix: git config user.name \"Your Name\"");
    }
    Ok(
        match get("user.email")
            .filter(|e| !e.contains(['<', '>']) && !e.chars().any(char::is_control))
        {
            Some(email) => format!("{name} <{email}>"),
            None => name,
        },
    )
}

pub(super) fn clean_one(flag: &str, value: Option<String>) -> anyhow::Result<Option<String>> {
    let value = value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty());
    if let Some(v) = &value {
        if v.chars().any(char::is_control)
            || v.chars().count() > crate::sources::docs::check::MAX_TITLE
        {
            bail!("{flag} {v:?} is not a usable value: keep it one short line");
        }
    }
    Ok(value)
}

fn clean_list(flag: &str, values: Vec<String>) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for v in values {
        if let Some(v) = clean_one(flag, Some(v))? {
            if !out.contains(&v) {
                out.push(v);
            }
        }
    }
    Ok(out)
}

/// Kinds (`<kind>.md` templates with a valid kind name) and their template names, sorted.
fn kinds(templates: &Templates) -> Vec<(&str, &str)> {
    templates
        .names()
        .filter_map(|n| n.strip_suffix(".md").map(|k| (k, n)))
        .filter(|(k, _)| is_kind_name(k))
        .collect()
}

/// The one-line description a template gives in its `{{!-- description: ... --}}` comment.
fn description(templates: &Templates, name: &str) -> Option<String> {
    use handlebars::template::TemplateElement;
    let t = templates.hb.get_template(name)?;
    t.elements.iter().find_map(|e| match e {
        TemplateElement::Comment(text) => text
            .trim()
            .strip_prefix("description:")
            .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" ")),
        _ => None,
    })
}

fn list(session: &super::Session, templates: &Templates) -> anyhow::Result<Outcome> {
    let builtin = Templates::load("docs", None, false, Escape::None)?;
    for name in templates.names().filter(|n| n.ends_with(".md")) {
        let kind = name.trim_end_matches(".md");
        if !is_kind_name(kind) {
            session.note(format_args!(
                "ignoring the template `{name}.hbs`: a kind name is lowercase letters, digits and `-`"
            ));
        }
    }
    let mut t = Table::new(["kind", "source", "description"]);
    for (kind, name) in kinds(templates) {
        let source = match (templates.origin(name), builtin.has(name)) {
            (Some(Origin::File(_)), true) => "override",
            (Some(Origin::File(_)), false) => "custom",
            _ => "built-in",
        };
        let text = description(templates, name)
            .or_else(|| description(&builtin, name))
            .unwrap_or_else(|| {
                "(no description: add `{{!-- description: ... --}}` to the template)".into()
            });
        t.row(vec![kind.to_string(), source.to_string(), text]);
    }
    let mut out = super::stdout();
    t.write_text(&mut out)?;
    out.flush()?;
    Ok(Outcome::Ok)
}

/// The facilitator the rotation gives a session of `kind` on `date`, when a ritual of that
/// kind has a slot that day (`cargo guild rotate`).
fn scheduled_facilitator(
    session: &super::Session,
    kind: &str,
    date: &str,
) -> anyhow::Result<Option<String>> {
    let Some(day) = crate::config::rhythm::parse_date(date) else {
        return Ok(None);
    };
    let rituals: Vec<_> = session
        .config
        .rituals
        .iter()
        .filter(|r| !r.on_call && r.kind.as_deref() == Some(kind) && r.starts() <= day)
        .map(|r| (r, day))
        .collect();
    if rituals.is_empty() {
        return Ok(None);
    }
    let ledger = session.ledger()?;
    let slots = super::rotate::from_history(session, &ledger, &rituals, 1)?;
    Ok(slots
        .into_iter()
        .find(|s| s.date == date)
        .and_then(|s| s.facilitator))
}
