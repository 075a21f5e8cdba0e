//! The Community snapshot: one serialisable struct that every renderer reads (terminal,
//! JSON, site, PR comment) and that `cargo guild context --json` prints. It is the contract:
//! keep it stable, sorted and free of e-mail addresses. Building it is assembly only; the
//! numbers come from `analysis`.

pub mod cache;
mod display;
pub mod domains;
mod endorsements;
mod lines;
pub mod site;
pub mod windows;

pub use display::Display;
pub use endorsements::EndorsementSummary;
pub use lines::{months_of, LineMonths, Lines, ScoredLine, PERSON_PAGE_LINES};

use std::collections::BTreeMap;

use serde::Serialize;

use crate::analysis::reputation::{self, Score, Scores};
use crate::config::Config;
use crate::events::{EventKind, Ledger};
use crate::util::rfc3339;

/// Bumped when a field changes meaning or disappears.
pub const SCHEMA_VERSION: u32 = 3;

/// `Default` is an empty community (schema version 0), for tests that fill in a few
/// sections.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Community {
    pub schema_version: u32,
    pub name: String,
    /// The commit the history was read from.
    pub head: String,
    /// The reference date of the numbers (the latest activity), RFC 3339.
    pub as_of: String,
    /// Sorted by id.
    pub people: Vec<PersonSummary>,
    /// Merged pull requests, reviews and commits per month (`YYYY-MM`), oldest first.
    pub activity: Vec<MonthActivity>,
    /// Docs of the knowledge base, sorted by path.
    pub docs: Vec<DocSummary>,
    // -- network (issue 3): the review network and its findings --
    /// Who works on whose contributions: metrics per person, edges, brokers, isolates.
    pub network: crate::analysis::network::Network,

    // -- domains (issue 3): experts, bus factors, single points of failure --
    /// Domains sorted by name (empty when none are configured and there is no CODEOWNERS).
    pub domains: Vec<domains::DomainSummary>,
    // -- newcomers (issue 3): first contributions and the ladder --
    /// First contributions, first reviews, mentors and ladder steps.
    pub newcomers: crate::analysis::newcomers::Newcomers,
    /// Active people, this quarter's newcomers, mentors available now.
    pub pulse: crate::analysis::pulse::Pulse,
    // -- the reputation history: every scored line, what `explain` and person pages list --
    /// Per display id, in time order. Points add up to the person's `reputation`. The site
    /// builds with only each person's newest lines here ([`Lines::Newest`]).
    pub lines: BTreeMap<String, Vec<ScoredLine>>,
    /// Per display id, every scored line counted per month (`YYYY-MM`) but the newcomer-review
    /// bonus: the person page's chart, right even where `lines` holds only the newest.
    #[serde(default)]
    pub line_months: LineMonths,
    /// The docs folder (`docs_dir` in `guild.yml`), for the site's doc addresses.
    pub docs_dir: String,
    /// Outcomes over time: metrics per window, newcomer cohorts, each intervention's
    /// before/after (empty unless asked for: `trends`, `compare`, `context --json`).
    #[serde(default)]
    pub trends: crate::analysis::trends::Trends,
    // -- rhythm: who facilitates the rituals next --
    /// The next slots of every ritual of `guild.yml` (`cargo guild rotate`).
    pub schedule: crate::analysis::rhythm::Schedule,
    /// Skills people were endorsed for, by whom (the committer of the endorsement), sorted
    /// by (person, skill, by).
    pub endorsements: Vec<EndorsementSummary>,
    /// Learning paths: each domain's docs in reading order and whom to ask
    /// (`cargo guild paths`). Filled with the domains section.
    pub paths: Vec<crate::analysis::paths::DomainPath>,
    /// The site's title, base URL, GitHub repository, logins and unreadable docs.
    #[serde(default)]
    pub site: site::SiteInfo,
    /// Reputation over the last 90 days and the last year, ending at `as_of` (the site's
    /// time windows). Added within schema version 3: a snapshot saved before it reads back
    /// with none, and the site then offers all time only.
    #[serde(default)]
    pub windows: windows::ScoreWindows,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct PersonSummary {
    /// 1-based place by reputation: highest total first, ties by reviewer score, then id.
    /// The one ranking every output uses (the terminal, the site, the comment).
    pub rank: u64,
    pub id: String,
    pub name: String,
    pub is_bot: bool,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub counts: Counts,
    pub reputation: Score,
    /// Points per rule, for the breakdown (sorted by rule).
    pub breakdown: Vec<RuleTotal>,
    /// Badges held, highest tier only, sorted by (domain, id). Filled by [`build`].
    pub badges: Vec<crate::analysis::badges::Badge>,
    /// Step on the contributor ladder. Filled by [`build`].
    pub ladder: Option<crate::analysis::newcomers::LadderStatus>,
}

#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Counts {
    pub commits: u64,
    pub prs_merged: u64,
    /// Topic branches merged (`Merge branch 'ab/topic'`): change sets that are not pull requests.
    pub change_sets: u64,
    /// Distinct pull requests (or commits, in trailer-based history) by someone else reviewed.
    pub reviews_given: u64,
    pub co_authored: u64,
    pub docs_written: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct RuleTotal {
    pub rule: String,
    pub count: u64,
    pub points: u64,
}

#[derive(
    Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct MonthActivity {
    pub month: String,
    pub prs_merged: u64,
    pub change_sets: u64,
    pub reviews: u64,
    pub commits: u64,
    pub active_people: u64,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct DocSummary {
    /// `<kind>/<file stem>`, lowercase: unique among docs (see `cargo guild docs check`).
    pub id: String,
    pub path: String,
    pub title: String,
    pub kind: String,
    pub date: String,
    pub domain: Option<String>,
    pub tags: Vec<String>,
    /// Person ids (display ids: opted-out people are anonymised).
    pub authors: Vec<String>,
    pub facilitator: Option<String>,
    pub participants: Vec<String>,
    /// Free text from the front matter (`draft` when scaffolded).
    pub status: Option<String>,
    /// The Markdown after the front matter.
    pub body: String,
}

impl DocSummary {
    /// A doc with its people as written, for when there is no ledger to resolve them.
    pub fn raw(d: &crate::sources::docs::DocRecord) -> DocSummary {
        DocSummary::with_names(d, |s| s.to_string())
    }

    fn with_names(
        d: &crate::sources::docs::DocRecord,
        name_of: impl Fn(&str) -> String,
    ) -> DocSummary {
        DocSummary {
            id: d.id().unwrap_or_default(),
            path: d.path.clone(),
            title: d.front.title.clone().unwrap_or_default(),
            kind: d.front.kind.clone().unwrap_or_default(),
            date: d.front.date.clone().unwrap_or_default(),
            domain: d.front.domain.clone(),
            tags: d.front.tags.clone(),
            authors: d.front.authors.iter().map(|a| name_of(a)).collect(),
            facilitator: d.front.facilitator.as_deref().map(&name_of),
            participants: d.front.participants.iter().map(|a| name_of(a)).collect(),
            status: d.front.status.clone(),
            body: d.body.clone(),
        }
    }
}

/// The ledger's docs with people shown by display id (opted-out people anonymised).
pub fn docs(ledger: &Ledger) -> Vec<DocSummary> {
    let display = Display::new(ledger);
    let name_of = |who: &str| {
        ledger
            .identities
            .resolve_mention(who)
            .map(|i| display.ids[i as usize].clone())
            .unwrap_or_else(|| crate::util::slug(who, "someone"))
    };
    let mut out: Vec<DocSummary> = ledger
        .docs
        .iter()
        .map(|d| DocSummary::with_names(d, name_of))
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Per-person counts, first and last activity, from the events (after `since`).
pub fn counts(ledger: &Ledger, since: Option<i64>) -> Vec<(Counts, Option<i64>, Option<i64>)> {
    let mut out = vec![(Counts::default(), None::<i64>, None::<i64>); ledger.people().len()];
    for e in &ledger.events {
        // A received endorsement is not taking part.
        if !e.kind.is_taking_part() {
            continue;
        }
        if since.is_some_and(|s| e.time < s) {
            continue;
        }
        let (c, first, last) = &mut out[e.person as usize];
        *first = Some(first.map_or(e.time, |f| f.min(e.time)));
        *last = Some(last.map_or(e.time, |l| l.max(e.time)));
        match e.kind {
            EventKind::Commit => c.commits += 1,
            EventKind::PrMerged => c.prs_merged += 1,
            EventKind::ChangeSetMerged => c.change_sets += 1,
            // Review events are already one per (person, PR or commit).
            EventKind::Review | EventKind::ReviewComment => c.reviews_given += 1,
            EventKind::CoAuthored => c.co_authored += 1,
            EventKind::DocWritten => c.docs_written += 1,
            _ => {}
        }
    }
    out
}

/// People with their scores, sorted by id; people with no event (after `since`) left out.
pub fn people(ledger: &Ledger, scores: &Scores, since: Option<i64>) -> Vec<PersonSummary> {
    let display = Display::new(ledger);
    let counts = counts(ledger, since);
    let mut breakdown: Vec<BTreeMap<&str, (u64, u64)>> =
        vec![BTreeMap::new(); ledger.people().len()];
    for l in &scores.lines {
        let p = ledger.events[l.event].person as usize;
        let e = breakdown[p].entry(l.rule).or_default();
        e.0 += 1;
        e.1 += u64::from(l.points);
    }
    let mut out: Vec<PersonSummary> = ledger
        .people()
        .iter()
        .enumerate()
        .filter(|(i, _)| counts[*i].1.is_some())
        .map(|(i, p)| PersonSummary {
            rank: 0,
            id: display.ids[i].clone(),
            name: display.names[i].clone(),
            is_bot: p.is_bot,
            first_seen: counts[i].1.map(rfc3339),
            last_seen: counts[i].2.map(rfc3339),
            counts: counts[i].0,
            reputation: scores.totals[i],
            breakdown: breakdown[i]
                .iter()
                .map(|(r, (c, pts))| RuleTotal {
                    rule: r.to_string(),
                    count: *c,
                    points: *pts,
                })
                .collect(),
            badges: Vec::new(),
            ladder: None,
        })
        .collect();
    rank(&mut out);
    for (i, p) in out.iter_mut().enumerate() {
        p.rank = i as u64 + 1;
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// Orders people by reputation: highest total first, ties by reviewer score, then id, so
/// the order is stable. [`PersonSummary::rank`] is this order.
pub fn rank(people: &mut [PersonSummary]) {
    people.sort_by(|a, b| {
        b.reputation
            .total
            .cmp(&a.reputation.total)
            .then_with(|| b.reputation.reviewer.cmp(&a.reputation.reviewer))
            .then_with(|| a.id.cmp(&b.id))
    });
}

/// Which sections of the snapshot to compute besides people, activity and docs (always
/// there). A section is computed by the same code whichever command asks, so it reads the
/// same in `context --json` and in the command that shows it; a command pays only for the
/// sections it shows (git-cliff's lesson: unused statistics made a 0.1 s run take 23 s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    pub network: bool,
    pub domains: bool,
    /// Newcomers and the pulse.
    pub newcomers: bool,
    /// Scored lines: all (`explain`), each person's newest (the site's person pages), none.
    pub lines: Lines,
    /// Outcomes over time (windows, cohorts, interventions), with the windows' length in days.
    pub trends: Option<u32>,
    /// The rituals' upcoming schedule.
    pub schedule: bool,
}

impl Parts {
    pub const ALL: Parts = Parts {
        network: true,
        domains: true,
        newcomers: true,
        lines: Lines::All,
        trends: Some(crate::config::TRENDS_WINDOW_DAYS),
        schedule: true,
    };
    /// Everything the site shows: [`Parts::ALL`] with only the lines a person page lists,
    /// so that building the site holds lines per person, not per event.
    pub const SITE: Parts = Parts {
        lines: Lines::Newest(PERSON_PAGE_LINES),
        ..Parts::ALL
    };
    /// People (with badges and ladder steps), activity and docs only.
    pub const PEOPLE: Parts = Parts {
        network: false,
        domains: false,
        newcomers: false,
        lines: Lines::None,
        trends: None,
        schedule: false,
    };
}

/// The snapshot with the sections `parts` asks for (the others empty): the one way from
/// analysis to output. `ownership` (changed paths, domains) adds `domains` (with
/// [`Parts::domains`]) and the cross-domain review bonus; commands get it from the session.
pub fn build(
    ledger: &Ledger,
    config: &Config,
    ownership: Option<&crate::analysis::domains::Ownership>,
    parts: Parts,
) -> Community {
    build_with(ledger, config, ownership, None, parts)
}

/// [`build`] where the domains of events are already known (`given`, from exported
/// ledgers, which carry no changed paths): they give the cross-domain review bonus.
pub fn build_with(
    ledger: &Ledger,
    config: &Config,
    ownership: Option<&crate::analysis::domains::Ownership>,
    given: Option<&crate::analysis::EventDomains>,
    parts: Parts,
) -> Community {
    let analysis = ownership
        .filter(|_| parts.domains)
        .map(|o| crate::analysis::domains::analyse(ledger, config, o));
    // Without the domains section, the domains of events still give the cross-domain bonus.
    let light = match (&analysis, ownership) {
        (None, Some(o)) => Some(crate::analysis::domains::event_domains(ledger, o)),
        _ => None,
    };
    let display = Display::new(ledger);
    let domains = analysis
        .as_ref()
        .map(|a| &a.event_domains)
        .or(light.as_ref())
        .or(given);
    // The network and the trends are the costliest parts and need nothing else here: they
    // run beside the rest.
    let (network, trends, community) = std::thread::scope(|scope| {
        let network = parts.network.then(|| {
            scope.spawn(|| {
                crate::analysis::network::analyse(ledger, domains, &display.ids, &display.names)
            })
        });
        let trends = parts.trends.map(|days| {
            scope.spawn(move || {
                crate::analysis::trends::analyse(ledger, config, days, ownership, domains)
            })
        });
        let rest = assemble(ledger, config, analysis.as_ref(), domains, &display, parts);
        (network.map(join), trends.map(join), rest)
    });
    let mut community = Community {
        network: network.unwrap_or_default(),
        trends: trends.unwrap_or_default(),
        ..community
    };
    if parts.domains {
        community.paths = crate::analysis::paths::domain_paths(&community, &config.learning_paths);
    }
    community
}

/// A scoped thread's result; its panic goes on unwinding here.
fn join<T>(h: std::thread::ScopedJoinHandle<'_, T>) -> T {
    h.join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Everything of the snapshot but the network and the trends (see [`build`]).
fn assemble(
    ledger: &Ledger,
    config: &Config,
    analysis: Option<&crate::analysis::domains::Analysis>,
    domains: Option<&crate::analysis::EventDomains>,
    display: &Display,
    parts: Parts,
) -> Community {
    let scores = reputation::score_with(ledger, config, None, domains);
    let docs = docs(ledger);
    let mut people = people(ledger, &scores, None);
    let mut badges = crate::analysis::badges::award(ledger, config, &scores, domains);
    let mut ladder = crate::analysis::newcomers::ladder(ledger, config, domains);
    let newcomers = if parts.newcomers {
        crate::analysis::newcomers::analyse(ledger, config, &ladder, &display.ids, &display.names)
    } else {
        Default::default()
    };
    let index: std::collections::HashMap<&str, usize> = display
        .ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let schedule = if parts.schedule {
        crate::analysis::rhythm::upcoming(&crate::analysis::rhythm::Community {
            ledger,
            config,
            domains,
            steps: ladder
                .iter()
                .map(|l| l.as_ref().and_then(|l| l.index))
                .collect(),
            ids: &display.ids,
        })
    } else {
        Default::default()
    };
    for p in &mut people {
        if let Some(&i) = index.get(p.id.as_str()) {
            p.badges = std::mem::take(&mut badges[i]);
            p.ladder = ladder[i].take();
        }
    }
    let (lines, line_months) = lines::lines(ledger, display, &scores, parts.lines);
    Community {
        schema_version: SCHEMA_VERSION,
        name: config.name.clone().unwrap_or_else(|| "community".into()),
        head: ledger.head.clone(),
        as_of: rfc3339(ledger.as_of),
        people,
        activity: activity(ledger),
        docs,
        domains: analysis
            .map(|a| domains::summarize(a, display))
            .unwrap_or_default(),
        network: Default::default(),
        pulse: if parts.newcomers {
            crate::analysis::pulse::analyse(ledger, &display.ids, &newcomers)
        } else {
            Default::default()
        },
        newcomers,
        lines,
        line_months,
        docs_dir: config.docs_dir.clone(),
        trends: Default::default(),
        schedule,
        paths: Vec::new(),
        endorsements: endorsements::all(ledger, display),
        site: site::info(ledger, config, &Default::default(), &[]),
        windows: windows::scores(ledger, display, &scores),
    }
}

fn activity(ledger: &Ledger) -> Vec<MonthActivity> {
    // Keyed by (year, month) as numbers: formatting a date per event was most of the cost.
    let mut months: BTreeMap<(i32, u32), (MonthActivity, std::collections::BTreeSet<u32>)> =
        BTreeMap::new();
    for e in &ledger.events {
        // A received endorsement is not taking part.
        if !e.kind.is_taking_part() {
            continue;
        }
        let key = crate::util::year_month(e.time);
        let (m, active) = months.entry(key).or_insert_with(|| {
            (
                MonthActivity {
                    month: format!("{:04}-{:02}", key.0, key.1),
                    ..Default::default()
                },
                Default::default(),
            )
        });
        match e.kind {
            EventKind::PrMerged => m.prs_merged += 1,
            EventKind::ChangeSetMerged => m.change_sets += 1,
            EventKind::Review | EventKind::ReviewComment => m.reviews += 1,
            EventKind::Commit => m.commits += 1,
            _ => {}
        }
        if !ledger.people()[e.person as usize].is_bot {
            active.insert(e.person);
        }
    }
    months
        .into_values()
        .map(|(mut m, a)| {
            m.active_people = a.len() as u64;
            m
        })
        .collect()
}

/// The snapshot's JSON Schema (draft 2020-12), as `cargo guild context --schema` prints it.
pub fn schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Community)).unwrap_or_default()
}

/// The biggest snapshot read back (a 100,000-commit history gives a few megabytes).
const MAX_SNAPSHOT_BYTES: u64 = 1 << 30;

/// Reads a snapshot saved with `cargo guild context --json`: errors name the file, the
/// line and column, and the fix.
pub fn load(path: &std::path::Path) -> anyhow::Result<Community> {
    use anyhow::Context as _;
    let fix = "fix: save it again with `cargo guild context --json > FILE`";
    let meta = std::fs::metadata(path)
        .with_context(|| format!("cannot read the snapshot {}", path.display()))?;
    if !meta.is_file() {
        // A device (`/dev/zero`) or a pipe could be read forever; a folder not at all.
        anyhow::bail!(
            "{} is not a file: a snapshot is a file saved with `cargo guild context --json > FILE`",
            path.display()
        );
    }
    if meta.len() > MAX_SNAPSHOT_BYTES {
        anyhow::bail!(
            "{} is {} bytes: too big to be a snapshot\n  {fix}",
            path.display(),
            meta.len()
        );
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the snapshot {}", path.display()))?;
    // The version first (other fields skipped, nothing built), so that an old snapshot says
    // so rather than failing on the first field that changed.
    #[derive(serde::Deserialize)]
    struct Version {
        schema_version: Option<u32>,
    }
    let version = serde_json::from_str::<Version>(&text)
        .ok()
        .and_then(|v| v.schema_version);
    if let Some(v) = version.filter(|&v| v != SCHEMA_VERSION) {
        anyhow::bail!(
            "{} is a snapshot of schema version {v}; this cargo guild reads version {SCHEMA_VERSION}\n  {fix}",
            path.display()
        );
    }
    serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}:{}:{}: not a cargo guild snapshot: {e}\n  {fix}",
            path.display(),
            e.line(),
            e.column()
        )
    })
}
