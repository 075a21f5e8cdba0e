//! `guild.yml`: the community's configuration. Strict about unknown keys (a typo must not
//! silently fall back to a default), every section optional, every command works without
//! the file. Parsing goes through [`yaml`], the only module that knows YAML.
//! This module validates shapes; it does not read history or decide scores.

pub mod interventions;
pub mod rhythm;
pub mod yaml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

pub use interventions::{Intervention, TRENDS_WINDOW_DAYS};

/// The file name looked for at the repository root.
pub const FILE_NAME: &str = "guild.yml";

/// The whole configuration. Field docs double as the reference in the README.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The community's name, shown on the site and in comments.
    pub name: Option<String>,
    /// The repository on GitHub, `OWNER/NAME` (default: read from the `origin` remote). Its
    /// owner is an organisation or the repository's home, never a contributor's login.
    pub github: Option<String>,
    /// The folder of the knowledge base, relative to the repository root.
    pub docs_dir: String,
    /// The ref that stores synced GitHub history.
    pub history_ref: String,
    /// Domains: name → path globs (gitignore-like globs, `**` allowed).
    pub domains: BTreeMap<String, Vec<String>>,
    pub reputation: ReputationConfig,
    pub badges: BadgesConfig,
    pub ladder: LadderConfig,
    /// Names, e-mails or logins of bots (in addition to anything ending in `[bot]`).
    pub bots: Vec<String>,
    /// One person, many names: id (GitHub login preferred) → names, e-mails or logins.
    pub aliases: BTreeMap<String, Vec<String>>,
    /// People (id, name or e-mail) who are anonymised everywhere.
    pub opt_out: Vec<String>,
    pub reviewers: ReviewersConfig,
    pub site: SiteConfig,
    /// Rituals with a rotating facilitator or an on-call expert (see `cargo guild rotate`).
    pub rituals: Vec<rhythm::Ritual>,
    /// Who is unavailable when: person → [first day, last day], inclusive.
    pub away: BTreeMap<String, Vec<String>>,
    /// Reading order of doc kinds per domain (`cargo guild paths`); default micro-teach,
    /// decision-walkthrough, case-round, retrospective.
    pub learning_paths: BTreeMap<String, Vec<String>>,
    /// Dated changes to how the community works (a new ritual, cross-team masterminds...),
    /// for `cargo guild compare` and the trends' before/after.
    pub interventions: Vec<Intervention>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            name: None,
            github: None,
            docs_dir: "community".into(),
            history_ref: "refs/guild/history".into(),
            domains: BTreeMap::new(),
            reputation: ReputationConfig::default(),
            badges: BadgesConfig::default(),
            ladder: LadderConfig::default(),
            bots: Vec::new(),
            aliases: BTreeMap::new(),
            opt_out: Vec::new(),
            reviewers: ReviewersConfig::default(),
            site: SiteConfig::default(),
            rituals: Vec::new(),
            away: BTreeMap::new(),
            learning_paths: BTreeMap::new(),
            interventions: Vec::new(),
        }
    }
}

/// Points per event and the daily cap on small events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReputationConfig {
    pub weights: Weights,
    /// Most points a person can earn from small events (commits, acks, comments...) in one UTC day.
    pub daily_cap: u32,
}

impl Default for ReputationConfig {
    fn default() -> Self {
        ReputationConfig {
            weights: Weights::default(),
            daily_cap: 10,
        }
    }
}

/// Points per kind of event. Contributor side first, then reviewer side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Weights {
    /// A commit authored (small).
    pub commit: u32,
    /// A pull request authored and merged.
    pub pr_merged: u32,
    /// A topic branch authored and merged (`Merge branch 'ab/topic'`, git.git's way).
    pub change_set_merged: u32,
    /// Named as co-author of someone else's commit (small).
    pub co_authored: u32,
    /// Reported-by a bug that got fixed (small).
    pub reported: u32,
    /// Suggested-by an idea that got implemented (small).
    pub suggested: u32,
    /// A community doc written (case round, retrospective, ...).
    pub doc_written: u32,
    /// Facilitated a session recorded in a doc.
    pub doc_facilitated: u32,
    /// Took part in a session recorded in a doc (small).
    pub doc_participated: u32,
    /// Reviewed someone else's pull request (or commit, in trailer-based history).
    pub review: u32,
    /// Bonus for reviewing a newcomer's first pull request.
    pub review_newcomer: u32,
    /// Bonus for a review outside the domains a person usually works in.
    pub review_cross_domain: u32,
    /// A commented review or review comment without approval (small).
    pub review_comment: u32,
    /// Acked-by (small).
    pub acked: u32,
    /// Tested-by.
    pub tested: u32,
    /// Helped-by.
    pub helped: u32,
    /// Mentored-by.
    pub mentored: u32,
    /// Signed-off-by on someone else's commit, i.e. applied a patch (small).
    pub signed_off: u32,
    /// Merged someone else's pull request (small).
    pub merged_other: u32,
    /// Endorsed for a skill by someone else (small: capped per day with the others).
    pub endorsed: u32,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            commit: 1,
            pr_merged: 10,
            change_set_merged: 10,
            co_authored: 3,
            reported: 2,
            suggested: 2,
            doc_written: 15,
            doc_facilitated: 5,
            doc_participated: 2,
            review: 5,
            review_newcomer: 5,
            review_cross_domain: 2,
            review_comment: 1,
            acked: 2,
            tested: 3,
            helped: 3,
            mentored: 5,
            signed_off: 1,
            merged_other: 2,
            endorsed: 1,
        }
    }
}

/// Badge tiers: each needs both a score and a volume of events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BadgesConfig {
    pub bronze: TierRule,
    pub silver: TierRule,
    pub gold: TierRule,
    /// Also award badges per domain.
    pub per_domain: bool,
    /// Tiers of one badge, overriding the three above: badge id (`contributor`, `reviewer`,
    /// `mentor`, `bridge`, `steward`, `retro_writer`) → its own `bronze`/`silver`/`gold`.
    pub rules: BTreeMap<String, BadgeTiers>,
}

impl BadgesConfig {
    /// The badges `cargo guild` awards (keys of `rules`).
    pub const IDS: &'static [&'static str] = &[
        "contributor",
        "reviewer",
        "mentor",
        "bridge",
        "reverse_mentor",
        "steward",
        "retro_writer",
    ];

    /// The rule for a badge's tier: its own if set, else the shared one.
    pub fn tier_rule(&self, badge: &str, tier: usize) -> TierRule {
        let own = self.rules.get(badge).and_then(|r| match tier {
            0 => r.bronze,
            1 => r.silver,
            _ => r.gold,
        });
        own.unwrap_or(match tier {
            0 => self.bronze,
            1 => self.silver,
            _ => self.gold,
        })
    }
}

/// One badge's own tiers; an absent tier uses the shared one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BadgeTiers {
    pub bronze: Option<TierRule>,
    pub silver: Option<TierRule>,
    pub gold: Option<TierRule>,
}

impl Default for BadgesConfig {
    fn default() -> Self {
        BadgesConfig {
            bronze: TierRule { score: 5, count: 1 },
            silver: TierRule {
                score: 50,
                count: 10,
            },
            gold: TierRule {
                score: 250,
                count: 50,
            },
            per_domain: true,
            rules: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierRule {
    /// Points earned in the badge's area.
    pub score: u32,
    /// Number of qualifying events.
    pub count: u32,
}

/// The contributor ladder: ordered steps, each with numeric criteria.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LadderConfig {
    /// Counts are taken over this many days before the latest activity (0 = all history).
    pub window_days: u32,
    pub steps: Vec<LadderStep>,
}

impl Default for LadderConfig {
    fn default() -> Self {
        let step = |name: &str, description: &str, requires: Requirements| LadderStep {
            name: name.into(),
            description: description.into(),
            requires,
        };
        LadderConfig {
            window_days: 365,
            steps: vec![
                step(
                    "observer",
                    "Follows the community; no contribution yet.",
                    Requirements::default(),
                ),
                step(
                    "contributor",
                    "Has had work merged.",
                    Requirements {
                        prs_merged: Some(1),
                        ..Default::default()
                    },
                ),
                step(
                    "reviewer",
                    "Reviews others' work regularly.",
                    Requirements {
                        prs_merged: Some(5),
                        reviews_given: Some(5),
                        active_days: Some(30),
                        ..Default::default()
                    },
                ),
                step(
                    "maintainer",
                    "Carries a domain: merges, reviews and mentors.",
                    Requirements {
                        prs_merged: Some(20),
                        reviews_given: Some(40),
                        active_days: Some(180),
                        ..Default::default()
                    },
                ),
            ],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LadderStep {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub requires: Requirements,
}

/// Minimums for a ladder step; absent means no requirement.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Requirements {
    pub commits: Option<u64>,
    pub prs_merged: Option<u64>,
    pub reviews_given: Option<u64>,
    pub docs_written: Option<u64>,
    /// Days between first and last activity.
    pub active_days: Option<u64>,
    /// Total reputation.
    pub score: Option<u64>,
}

impl Requirements {
    /// The requirements that are set, as (key in `guild.yml`, number), in a fixed order.
    pub fn set(&self) -> Vec<(&'static str, u64)> {
        [
            ("commits", self.commits),
            ("prs_merged", self.prs_merged),
            ("reviews_given", self.reviews_given),
            ("docs_written", self.docs_written),
            ("active_days", self.active_days),
            ("score", self.score),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect()
    }
}

/// Reviewer suggestion settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReviewersConfig {
    /// How many reviewers to suggest (a shadow reviewer comes on top).
    pub count: usize,
    /// People not seen for this many days are not suggested.
    pub inactive_days: u32,
    /// Also propose one learner as shadow reviewer.
    pub shadow: bool,
    /// People who never want to be suggested (id, name or e-mail).
    pub exclude: Vec<String>,
}

impl Default for ReviewersConfig {
    fn default() -> Self {
        ReviewersConfig {
            count: 2,
            inactive_days: 180,
            shadow: true,
            exclude: Vec::new(),
        }
    }
}

/// Site settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SiteConfig {
    /// Page title (default: the community name).
    pub title: Option<String>,
    /// The URL path the site is served under, e.g. `/project/`.
    pub base_url: Option<String>,
}

impl Config {
    /// Loads `path` if given, else `guild.yml` in `root` if present, else defaults.
    /// Returns the config and the file it came from.
    pub fn load(root: &Path, path: Option<&Path>) -> anyhow::Result<(Config, Option<PathBuf>)> {
        let (file, required) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (root.join(FILE_NAME), false),
        };
        let text = match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                return Ok((Config::default(), None))
            }
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("cannot read the configuration {}", file.display()))
            }
        };
        let config = Config::parse(&text, &file)?;
        Ok((config, Some(file)))
    }

    /// Parses and validates a configuration text.
    pub fn parse(text: &str, file: &Path) -> anyhow::Result<Config> {
        // An empty file (or only comments) is a valid, default configuration.
        if text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
        {
            return Ok(Config::default());
        }
        let config: Config = yaml::from_str(text, file, 0).map_err(|e| {
            anyhow::anyhow!(
                "{e}\n  fix: see `cargo guild init --force` for a commented example of every key"
            )
        })?;
        config.validate(text, file)?;
        Ok(config)
    }

    fn validate(&self, text: &str, file: &Path) -> anyhow::Result<()> {
        let at = |needle: &str| -> String {
            match find_line(text, needle) {
                Some((l, c)) => format!("{}:{l}:{c}", file.display()),
                None => file.display().to_string(),
            }
        };
        for (name, globs) in &self.domains {
            for g in globs {
                if let Err(e) = globset::Glob::new(g) {
                    anyhow::bail!(
                        "{}: domain `{name}` has an invalid glob `{g}`: {}",
                        at(g),
                        e.kind()
                    );
                }
            }
        }
        if self.docs_dir.trim().is_empty()
            || Path::new(&self.docs_dir).is_absolute()
            || self.docs_dir.contains("..")
        {
            anyhow::bail!(
                "{}: `docs_dir` must be a relative folder inside the repository (got `{}`)",
                at("docs_dir"),
                self.docs_dir
            );
        }
        if !self.history_ref.starts_with("refs/")
            || !git2::Reference::is_valid_name(&self.history_ref)
        {
            anyhow::bail!(
                "{}: `history_ref` must be a full ref name such as `refs/guild/history` (got `{}`)",
                at("history_ref"),
                self.history_ref
            );
        }
        for badge in self.badges.rules.keys() {
            if !BadgesConfig::IDS.contains(&badge.as_str()) {
                anyhow::bail!(
                    "{}: unknown badge `{badge}` in `badges.rules`\n  fix: use one of {}",
                    at(badge),
                    BadgesConfig::IDS.join(", ")
                );
            }
        }
        if let Some(g) = &self.github {
            if crate::sources::github::client::Slug::parse(g).is_none() {
                anyhow::bail!(
                    "{}: `github` must be OWNER/NAME, such as `rust-lang/cargo` (got `{g}`)",
                    at("github")
                );
            }
        }
        self.validate_aliases(text, file)?;
        interventions::validate(&self.interventions, &at)?;
        let steps: Vec<String> = self.ladder.steps.iter().map(|s| s.name.clone()).collect();
        rhythm::validate(&self.rituals, &self.away, &steps, &at)?;
        for domain in self.learning_paths.keys() {
            if !self.domains.is_empty() && !self.domains.contains_key(domain) {
                anyhow::bail!(
                    "{}: `learning_paths` names `{domain}`, which is not a domain\n  fix: use one of {}",
                    at(domain),
                    self.domains.keys().cloned().collect::<Vec<_>>().join(", ")
                );
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for step in &self.ladder.steps {
            if !seen.insert(step.name.as_str()) {
                anyhow::bail!(
                    "{}: ladder step `{}` appears twice",
                    at(&step.name),
                    step.name
                );
            }
        }
        Ok(())
    }
}

impl Config {
    /// One e-mail, login or name under two alias ids would join two people into one or
    /// silently pick one: it is an error, reported where the second mention is written.
    fn validate_aliases(&self, text: &str, file: &Path) -> anyhow::Result<()> {
        let mut owner: BTreeMap<String, &str> = BTreeMap::new();
        for id in self.aliases.keys() {
            owner.insert(id.trim().trim_start_matches('@').to_lowercase(), id);
        }
        for (id, names) in &self.aliases {
            for name in names {
                let key = name.trim().trim_start_matches('@').to_lowercase();
                let key = match (key.rfind('<'), key.ends_with('>')) {
                    (Some(i), true) => key[i + 1..key.len() - 1].trim().to_string(),
                    _ => key,
                };
                if key.is_empty() {
                    continue;
                }
                match owner.get(&key) {
                    Some(other) if !other.eq_ignore_ascii_case(id) => {
                        let (line, col) = find_alias_entry(text, id, name).unwrap_or((0, 0));
                        let at = if line > 0 {
                            format!("{}:{line}:{col}", file.display())
                        } else {
                            file.display().to_string()
                        };
                        // Never print an e-mail: say which entry, by its id and position.
                        let what = if name.contains('@') && !name.trim().starts_with('@') {
                            "an e-mail address".to_string()
                        } else {
                            format!("`{}`", name.trim())
                        };
                        anyhow::bail!(
                            "{at}: {what} is listed under two aliases, `{other}` and `{id}`: one person cannot be two\n  fix: keep it under the id of the person it belongs to, and remove it from the other"
                        );
                    }
                    Some(_) => {}
                    None => {
                        owner.insert(key, id);
                    }
                }
            }
        }
        Ok(())
    }
}

/// Where an alias entry is written: the first line holding `name` after the line that
/// opens `id`'s list (1-based line and column).
fn find_alias_entry(text: &str, id: &str, name: &str) -> Option<(usize, usize)> {
    let start = text
        .lines()
        .position(|l| l.trim_start().starts_with(id) && l.contains(':'))?;
    let name = name.trim();
    text.lines()
        .enumerate()
        .skip(start)
        .find_map(|(i, line)| line.find(name).map(|c| (i + 1, c + 1)))
}

/// 1-based line and column of the first occurrence of `needle` in `text`.
fn find_line(text: &str, needle: &str) -> Option<(usize, usize)> {
    text.lines()
        .enumerate()
        .find_map(|(i, line)| line.find(needle).map(|c| (i + 1, c + 1)))
}
