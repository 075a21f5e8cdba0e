//! Exported ledgers read back for `--ledgers GLOB`: the pattern expanded, each file read
//! line by line and checked (its header first, its schema version, every person an event
//! names), with errors that name the file, the line and the fix. Merging them is
//! `events::merge`; the rows are `events::exported`.

use std::io::BufRead as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::events::exported::{Exported, Row, SCHEMA_VERSION};

const FIX_EXPORT: &str =
    "fix: export it again with `cargo guild export --out FILE.jsonl` (or `--format parquet --out FILE.parquet`)";

/// The files `pattern` matches (`*`, `?`, `[..]`, `**`), sorted; an error when none does.
pub fn expand(pattern: &str) -> anyhow::Result<Vec<PathBuf>> {
    let glob = globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .with_context(|| format!("--ledgers '{pattern}' is not a valid pattern"))?
        .compile_matcher();
    // Walk from the longest leading part without a wildcard.
    let mut base = PathBuf::new();
    for part in Path::new(pattern).components() {
        let s = part.as_os_str().to_string_lossy();
        if s.contains(['*', '?', '[', '{']) {
            break;
        }
        base.push(part);
    }
    let literal = base.as_os_str() == pattern;
    let mut files: Vec<PathBuf> = if literal {
        vec![base]
    } else {
        let root = if base.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            base.clone()
        };
        walkdir::WalkDir::new(&root)
            .follow_links(true)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                // Matched as written: `./x` only when the pattern said so.
                let p = e.into_path();
                match base.as_os_str().is_empty() {
                    true => p.strip_prefix(".").map(Path::to_path_buf).unwrap_or(p),
                    false => p,
                }
            })
            .filter(|p| glob.is_match(p))
            .collect()
    };
    files.sort();
    if files.is_empty() || (literal && !files[0].is_file()) {
        anyhow::bail!(
            "--ledgers '{pattern}' matches no file\n  fix: export each repository's ledger with `cargo guild export --out ledgers/NAME.jsonl`, then pass the pattern in quotes (`--ledgers 'ledgers/*.jsonl'`) so that the shell does not expand it"
        );
    }
    Ok(files)
}

/// Reads every file `pattern` matches; refuses two ledgers of one repository.
pub fn load_all(pattern: &str) -> anyhow::Result<Vec<Exported>> {
    let mut out: Vec<Exported> = Vec::new();
    for file in expand(pattern)? {
        let ledger = load(&file)?;
        if let Some(other) = out.iter().find(|o| o.repository == ledger.repository) {
            anyhow::bail!(
                "{} and {} are both ledgers of the repository `{}`\n  fix: keep one ledger per repository (or export them with different `--repository` names)",
                other.file,
                ledger.file,
                ledger.repository
            );
        }
        out.push(ledger);
    }
    Ok(out)
}

/// Reads one exported ledger (JSON Lines).
pub fn load(path: &Path) -> anyhow::Result<Exported> {
    let name = path.display().to_string();
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read the ledger {name}"))?;
    let mut ledger = Exported::default();
    ledger.file = name.clone();
    let lines: Box<dyn Iterator<Item = std::io::Result<String>>> =
        if path.extension().is_some_and(|e| e == "parquet") {
            let rows = parquet_rows(file).map_err(|e| {
                anyhow::anyhow!("{name}: not a Parquet ledger of cargo guild: {e}\n  {FIX_EXPORT}")
            })?;
            Box::new(rows.into_iter().map(Ok))
        } else {
            Box::new(std::io::BufReader::new(file).lines())
        };
    let mut header = false;
    for (n, line) in lines.enumerate() {
        let line = line.with_context(|| format!("cannot read the ledger {name}"))?;
        if line.trim().is_empty() {
            continue;
        }
        if !header {
            check_header(&name, &line)?;
        }
        let row: Row = serde_json::from_str(&line).map_err(|e| {
            anyhow::anyhow!(
                "{name}:{}:{}: not a row of an exported ledger: {e}\n  {FIX_EXPORT}",
                n + 1,
                e.column()
            )
        })?;
        header = true;
        ledger.push(row).map_err(|e| {
            anyhow::anyhow!(
                "{name}:{}: {e}: the file is incomplete\n  {FIX_EXPORT}",
                n + 1
            )
        })?;
    }
    ledger.finish();
    if !header {
        anyhow::bail!("{name} is empty: not an exported ledger\n  {FIX_EXPORT}");
    }
    check_people(&ledger)?;
    Ok(ledger)
}

/// The first line must be the header of a schema this build reads.
fn check_header(name: &str, line: &str) -> anyhow::Result<()> {
    #[derive(serde::Deserialize)]
    struct First {
        table: Option<String>,
        schema_version: Option<u32>,
    }
    let first: Option<First> = serde_json::from_str(line).ok();
    match first {
        Some(First {
            table: Some(t),
            schema_version: Some(v),
        }) if t == "ledger" => {
            if v > SCHEMA_VERSION {
                anyhow::bail!(
                    "{name} is a ledger of schema version {v}; this cargo guild reads version {SCHEMA_VERSION}\n  fix: upgrade cargo guild (`cargo install cargo-guild`), or export the ledger again with this version"
                );
            }
            Ok(())
        }
        _ => anyhow::bail!(
            "{name}:1: not an exported ledger (the first line must be its `\"table\":\"ledger\"` header)\n  {FIX_EXPORT}"
        ),
    }
}

/// Every person a pull request or endorsement names is in the people table (events are
/// checked as they are read, by `Exported::push`).
fn check_people(l: &Exported) -> anyhow::Result<()> {
    let ids: std::collections::HashSet<&str> = l.people.iter().map(|p| p.id.as_str()).collect();
    let named = l
        .prs
        .iter()
        .flat_map(|p| p.author.iter().chain(&p.merged_by).chain(&p.reviewers))
        .chain(l.endorsements.iter().flat_map(|e| [&e.person, &e.by]));
    for id in named {
        if !ids.contains(id.as_str()) {
            anyhow::bail!(
                "{}: `{id}` is named by a row but is not in the people table: the file is incomplete\n  {FIX_EXPORT}",
                l.file
            );
        }
    }
    Ok(())
}

/// The note on stderr: which repositories, as of when and how old. Up to `list` ledgers
/// are named one by one; beyond, the range of dates and the three oldest.
pub fn describe(ledgers: &[Exported], now: i64, list: usize) -> String {
    let one = |l: &Exported| {
        let days = (now - l.as_of).max(0) / 86_400;
        format!(
            "{} (as of {}, {days} day(s) old)",
            l.repository,
            crate::util::day(l.as_of)
        )
    };
    if ledgers.len() <= list {
        let all: Vec<String> = ledgers.iter().map(one).collect();
        return format!(
            "over {} repositories' ledgers: {}",
            ledgers.len(),
            all.join(", ")
        );
    }
    let mut by_age: Vec<&Exported> = ledgers.iter().collect();
    by_age.sort_by_key(|l| (l.as_of, l.repository.clone()));
    let oldest: Vec<String> = by_age.iter().take(3).map(|l| one(l)).collect();
    format!(
        "over {} repositories' ledgers, as of {} to {}; the oldest: {} (`-v` lists them all)",
        ledgers.len(),
        crate::util::day(by_age[0].as_of),
        crate::util::day(by_age[by_age.len() - 1].as_of),
        oldest.join(", ")
    )
}

/// The JSON of every row of a Parquet ledger (its `row` column), in order.
fn parquet_rows(file: std::fs::File) -> anyhow::Result<Vec<String>> {
    use parquet::file::reader::{FileReader as _, SerializedFileReader};
    use parquet::record::RowAccessor as _;
    let reader = SerializedFileReader::new(file)?;
    let fields = reader.metadata().file_metadata().schema().get_fields();
    let at = fields
        .iter()
        .position(|f| f.name() == "row")
        .ok_or_else(|| anyhow::anyhow!("it has no `row` column"))?;
    let mut out = Vec::new();
    for row in reader.get_row_iter(None)? {
        out.push(row?.get_string(at)?.clone());
    }
    Ok(out)
}
