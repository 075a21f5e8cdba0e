//! `cargo guild init`: writes a commented `guild.yml`, proposing domains from CODEOWNERS or
//! the top-level folders. Refuses to overwrite without `--force`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use crate::cli::{GlobalOpts, InitArgs};
use crate::config::{Config, FILE_NAME};
use crate::exit::Outcome;

pub fn execute(global: &GlobalOpts, args: InitArgs) -> anyhow::Result<Outcome> {
    let repo = crate::sources::repo::Repo::open(global.dir.as_deref())?;
    let Some(root) = repo.workdir.clone() else {
        anyhow::bail!("`init` writes guild.yml into a working tree, and {} is bare\n  fix: run it in a clone and commit the file", repo.root().display());
    };
    let path = global
        .config
        .clone()
        .unwrap_or_else(|| root.join(FILE_NAME));
    if path.exists() && !args.force {
        anyhow::bail!(
            "{} already exists\n  fix: edit it, or pass `--force` to replace it",
            path.display()
        );
    }
    let name = root
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("our community")
        .to_string();
    let domains = propose_domains(&root);
    let text = render(&name, &domains);
    // What we write must load: guard against a template mistake ever shipping a bad file.
    Config::parse(&text, &path)?;
    crate::util::write_atomic(&path, text.as_bytes())?;
    if !global.quiet {
        println!(
            "wrote {} ({} domains proposed)",
            path.display(),
            domains.len()
        );
    }
    Ok(Outcome::Ok)
}

/// Domains from CODEOWNERS (one per top-level name of its patterns) or from top-level
/// folders. CODEOWNERS is read by `sources::codeowners`, the one parser, and its patterns are
/// written unchanged: `guild.yml` globs are read with the same rules
/// (`codeowners::pattern_globs`), so `docs` still means a `docs` folder anywhere.
fn propose_domains(root: &Path) -> BTreeMap<String, Vec<String>> {
    let mut domains: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let found = crate::sources::codeowners::LOCATIONS
        .iter()
        .find_map(|f| Some((*f, std::fs::read_to_string(root.join(f)).ok()?)));
    if let Some((file, text)) = found {
        let co = crate::sources::codeowners::Codeowners::parse(file, &text);
        for rule in &co.rules {
            let pattern = rule.pattern.as_str();
            if pattern == "*" || pattern == "/" || rule.owners.is_empty() {
                continue;
            }
            let name = crate::util::slug(
                pattern
                    .trim_matches('/')
                    .split('/')
                    .find(|p| !p.is_empty() && !p.contains('*'))
                    .unwrap_or(pattern),
                "root",
            );
            let globs = domains.entry(name).or_default();
            if !globs.iter().any(|g| g == pattern) {
                globs.push(pattern.to_string());
            }
        }
        if !domains.is_empty() {
            return domains;
        }
    }
    let Ok(entries) = std::fs::read_dir(root) else {
        return domains;
    };
    let mut dirs: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| {
            !n.starts_with('.')
                && !matches!(
                    n.as_str(),
                    "target" | "node_modules" | "vendor" | "community"
                )
        })
        .collect();
    dirs.sort();
    for d in dirs {
        // YAML keys and globs: keep folder names that need no quoting.
        if d.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            domains.insert(d.clone(), vec![format!("{d}/**")]);
        }
    }
    domains
}

fn render(name: &str, domains: &BTreeMap<String, Vec<String>>) -> String {
    let d = Config::default();
    let w = &d.reputation.weights;
    let q = crate::config::yaml::quoted;
    let mut domain_text = String::new();
    if domains.is_empty() {
        domain_text.push_str("domains: {}\n#  core: [\"src/**\"]\n");
    } else {
        domain_text.push_str("domains:\n");
        for (k, globs) in domains {
            let globs: Vec<String> = globs.iter().map(|g| q(g)).collect();
            let _ = writeln!(domain_text, "  {}: [{}]", q(k), globs.join(", "));
        }
    }
    let mut ladder = String::new();
    for s in &d.ladder.steps {
        let _ = writeln!(
            ladder,
            "    - name: {}\n      description: {}",
            s.name,
            q(&s.description)
        );
        let r = &s.requires;
        let reqs: Vec<String> = r.set().iter().map(|(k, v)| format!("{k}: {v}")).collect();
        let _ = writeln!(ladder, "      requires: {{ {} }}", reqs.join(", "));
    }
    format!(
        r#"# guild.yml: the configuration of `cargo guild` for this community.
# Every key is optional; unknown keys are errors, so typos cannot hide.

# The community's name, shown on the site and in pull-request comments.
name: {name}

# The repository on GitHub, OWNER/NAME (default: read from the `origin` remote). Its owner
# is an organisation, never a contributor: `Merge pull request #1 from OWNER/branch` is no login.
# github: owner/name

# Where the knowledge base lives (case rounds, retrospectives, micro-teach notes...).
docs_dir: community

# The ref that stores pull-request history synced from GitHub (`cargo guild sync`).
# Share it with `git push origin 'refs/guild/*'` and `git fetch origin 'refs/guild/*:refs/guild/*'`.
history_ref: refs/guild/history

# Domains: a name and the path globs that belong to it. Used for experts, bus factors,
# reviewer suggestions and per-domain badges.
{domain_text}
# Points per event. Contributor side: commits, merged PRs, co-authorship, reports,
# suggestions and docs. Reviewer side: reviews and the help given to others' work.
reputation:
  # Most points a person can earn from small events (commits, acks, comments, sign-offs,
  # merges, co-authorship, reports, suggestions) in one UTC day.
  daily_cap: {cap}
  weights:
    commit: {commit}
    pr_merged: {pr_merged}
    change_set_merged: {change_set_merged}
    co_authored: {co_authored}
    reported: {reported}
    suggested: {suggested}
    doc_written: {doc_written}
    doc_facilitated: {doc_facilitated}
    doc_participated: {doc_participated}
    review: {review}
    review_newcomer: {review_newcomer}   # bonus for reviewing a newcomer's first PR
    review_cross_domain: {review_cross_domain}
    review_comment: {review_comment}
    acked: {acked}
    tested: {tested}
    helped: {helped}
    mentored: {mentored}
    signed_off: {signed_off}
    merged_other: {merged_other}
    endorsed: {endorsed}                 # endorsed for a skill (cargo guild endorse)

# Badge tiers need both a score and a number of qualifying events.
badges:
  bronze: {{ score: {bs}, count: {bc} }}
  silver: {{ score: {ss}, count: {sc} }}
  gold: {{ score: {gs}, count: {gc} }}
  per_domain: true

# The contributor ladder, from the edge to the core. Counts are taken over `window_days`
# before the latest activity (0 = all history).
ladder:
  window_days: {window}
  steps:
{ladder}
# Bots earn nothing. Anything ending in `[bot]`, well-known app accounts (dependabot,
# renovate, bors, ...) and `*bot` accounts whose commits are all automated are bots already.
bots: []

# One person, many names: id (their GitHub login, preferably) → names, e-mails or logins.
# `cargo guild whois --suspects` lists likely duplicates ready to paste here.
aliases: {{}}
#  alice: ["Alice Smith", "alice@old-employer.example"]

# People who asked not to be ranked: anonymised everywhere (id, name or e-mail).
opt_out: []

# Reviewer suggestions on pull requests.
reviewers:
  count: {rcount}
  inactive_days: {inactive}
  shadow: true      # also propose one learner as shadow reviewer
  exclude: []       # people who never want to be suggested

site:
  title: null
  base_url: null

# Dated changes to how the community works, for `cargo guild compare`: the metrics in the
# window before against the window after, with bootstrap intervals (before/after, not cause).
interventions: []
#  - name: cross-team masterminds
#    date: 2025-03-01
#    note: monthly hot seats mixing the parser and backend teams
"#,
        name = q(name),
        cap = d.reputation.daily_cap,
        commit = w.commit,
        pr_merged = w.pr_merged,
        change_set_merged = w.change_set_merged,
        co_authored = w.co_authored,
        reported = w.reported,
        suggested = w.suggested,
        doc_written = w.doc_written,
        doc_facilitated = w.doc_facilitated,
        doc_participated = w.doc_participated,
        review = w.review,
        review_newcomer = w.review_newcomer,
        review_cross_domain = w.review_cross_domain,
        review_comment = w.review_comment,
        acked = w.acked,
        tested = w.tested,
        helped = w.helped,
        mentored = w.mentored,
        signed_off = w.signed_off,
        merged_other = w.merged_other,
        endorsed = w.endorsed,
        bs = d.badges.bronze.score,
        bc = d.badges.bronze.count,
        ss = d.badges.silver.score,
        sc = d.badges.silver.count,
        gs = d.badges.gold.score,
        gc = d.badges.gold.count,
        window = d.ladder.window_days,
        rcount = d.reviewers.count,
        inactive = d.reviewers.inactive_days,
    )
}
