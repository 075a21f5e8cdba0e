//! Which domain each path and each event belongs to: the domain set (from `guild.yml` globs,
//! or CODEOWNERS' patterns with its last-match-wins rule), the paths each piece of work
//! touched, and the domains of every event. The parent module turns these into experts and
//! bus factors.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use globset::{GlobSet, GlobSetBuilder};

use super::super::EventDomains;
use crate::events::{Event, Ledger, Target};
use crate::sources::codeowners::{pattern_globs, Codeowners};
use crate::sources::paths::PathsIndex;

/// Where the domains were defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DomainSource {
    Config,
    Codeowners,
}

impl DomainSource {
    pub fn as_str(self) -> &'static str {
        match self {
            DomainSource::Config => "guild.yml",
            DomainSource::Codeowners => "CODEOWNERS",
        }
    }
}

/// The domains and how a path finds its domains.
#[derive(Debug, Clone)]
pub struct DomainSet {
    /// Sorted; indices (`u16`) point here.
    pub names: Vec<String>,
    pub source: DomainSource,
    matcher: Matcher,
}

#[derive(Debug, Clone)]
enum Matcher {
    /// `guild.yml`: a path belongs to every domain with a matching glob.
    Globs { set: GlobSet, glob_domain: Vec<u16> },
    /// CODEOWNERS: the deciding rule's pattern is the domain (none when it has no owners).
    Codeowners {
        co: Codeowners,
        rule_domain: Vec<Option<u16>>,
    },
    /// An organisation's `guild.yml` over merged ledgers, whose paths are `repository/path`:
    /// per repository, globs as a single repository's, and the domains it is wholly in.
    Repos {
        globs: HashMap<String, (GlobSet, Vec<u16>)>,
        whole: HashMap<String, Vec<u16>>,
    },
}

/// An organisation's domain entry: `repo:glob`, or a bare `repo` (the whole repository).
fn split_repo(entry: &str) -> (&str, Option<&str>) {
    match entry.split_once(':') {
        Some((repo, glob)) if !glob.is_empty() => (repo, Some(glob)),
        Some((repo, _)) => (repo, None),
        None => (entry, None),
    }
}

/// The repositories an organisation's domains name, by domain, that no ledger has (a
/// typo, or a repository whose export failed): `(domain, repository)`.
pub fn unknown_repositories(
    domains: &BTreeMap<String, Vec<String>>,
    repositories: &[String],
) -> Vec<(String, String)> {
    let known: BTreeSet<&str> = repositories.iter().map(String::as_str).collect();
    let mut out = Vec::new();
    for (name, entries) in domains {
        for e in entries {
            let (repo, _) = split_repo(e);
            if !known.contains(repo) {
                out.push((name.clone(), repo.to_string()));
            }
        }
    }
    out
}

impl DomainSet {
    /// Domains from `guild.yml`; `None` when there are none.
    pub fn from_config(domains: &BTreeMap<String, Vec<String>>) -> anyhow::Result<Option<Self>> {
        if domains.is_empty() {
            return Ok(None);
        }
        let mut builder = GlobSetBuilder::new();
        let mut glob_domain = Vec::new();
        let names: Vec<String> = domains.keys().take(u16::MAX as usize).cloned().collect();
        for (d, (name, globs)) in domains.iter().take(names.len()).enumerate() {
            for g in globs {
                let compiled = pattern_globs(g).map_err(|e| {
                    anyhow::anyhow!("guild.yml: domain `{name}` has an invalid glob `{g}`: {e}")
                })?;
                for c in compiled {
                    builder.add(c);
                    glob_domain.push(d as u16);
                }
            }
        }
        let set = builder
            .build()
            .map_err(|e| anyhow::anyhow!("guild.yml: cannot compile the domain globs: {e}"))?;
        Ok(Some(DomainSet {
            names,
            source: DomainSource::Config,
            matcher: Matcher::Globs { set, glob_domain },
        }))
    }

    /// Domains of an organisation's `guild.yml`, over merged ledgers whose paths are
    /// `repository/path` (repository names hold no `/`). An entry is `repo:glob`, a glob
    /// read as in a single repository's `guild.yml`, within that repository, or a bare
    /// `repo`, the whole repository. `None` when there are none.
    pub fn from_org_config(
        domains: &BTreeMap<String, Vec<String>>,
    ) -> anyhow::Result<Option<Self>> {
        if domains.is_empty() {
            return Ok(None);
        }
        let names: Vec<String> = domains.keys().take(u16::MAX as usize).cloned().collect();
        let mut builders: BTreeMap<&str, (GlobSetBuilder, Vec<u16>)> = BTreeMap::new();
        let mut whole: HashMap<String, Vec<u16>> = HashMap::new();
        for (d, (name, entries)) in domains.iter().take(names.len()).enumerate() {
            for e in entries {
                match split_repo(e) {
                    (repo, None) => whole.entry(repo.to_string()).or_default().push(d as u16),
                    (repo, Some(g)) => {
                        let compiled = pattern_globs(g).map_err(|err| {
                            anyhow::anyhow!(
                                "guild.yml: domain `{name}` has an invalid glob `{g}` in `{e}`: {err}"
                            )
                        })?;
                        let (b, of) = builders
                            .entry(repo)
                            .or_insert_with(|| (GlobSetBuilder::new(), Vec::new()));
                        for c in compiled {
                            b.add(c);
                            of.push(d as u16);
                        }
                    }
                }
            }
        }
        let mut globs = HashMap::new();
        for (repo, (b, of)) in builders {
            let set = b.build().map_err(|e| {
                anyhow::anyhow!("guild.yml: cannot compile the domain globs of `{repo}`: {e}")
            })?;
            globs.insert(repo.to_string(), (set, of));
        }
        Ok(Some(DomainSet {
            names,
            source: DomainSource::Config,
            matcher: Matcher::Repos { globs, whole },
        }))
    }

    /// One domain per CODEOWNERS pattern with owners; `None` when there is no such pattern.
    pub fn from_codeowners(co: &Codeowners) -> Option<Self> {
        let names: BTreeSet<&str> = co
            .rules
            .iter()
            .filter(|r| !r.owners.is_empty())
            .map(|r| r.pattern.as_str())
            .collect();
        if names.is_empty() {
            return None;
        }
        let names: Vec<String> = names
            .into_iter()
            .take(u16::MAX as usize)
            .map(str::to_string)
            .collect();
        let rule_domain = co
            .rules
            .iter()
            .map(|r| {
                if r.owners.is_empty() {
                    None
                } else {
                    names
                        .binary_search_by(|n| n.as_str().cmp(&r.pattern))
                        .ok()
                        .map(|i| i as u16)
                }
            })
            .collect();
        Some(DomainSet {
            names,
            source: DomainSource::Codeowners,
            matcher: Matcher::Codeowners {
                co: co.clone(),
                rule_domain,
            },
        })
    }

    /// The domains of a path, sorted.
    pub fn of_path(&self, path: &str) -> Vec<u16> {
        match &self.matcher {
            Matcher::Globs { set, glob_domain } => {
                let mut out: Vec<u16> = set
                    .matches(path)
                    .into_iter()
                    .map(|g| glob_domain[g])
                    .collect();
                out.sort_unstable();
                out.dedup();
                out
            }
            Matcher::Codeowners { co, rule_domain } => co
                .rule_for(path)
                .and_then(|r| rule_domain[r])
                .into_iter()
                .collect(),
            Matcher::Repos { globs, whole } => {
                let Some((repo, rest)) = path.split_once('/') else {
                    return Vec::new();
                };
                let mut out: Vec<u16> = whole.get(repo).cloned().unwrap_or_default();
                if let Some((set, of)) = globs.get(repo) {
                    out.extend(set.matches(rest).into_iter().map(|g| of[g]));
                }
                out.sort_unstable();
                out.dedup();
                out
            }
        }
    }

    pub fn index_of(&self, name: &str) -> Option<u16> {
        self.names
            .binary_search_by(|n| n.as_str().cmp(name))
            .ok()
            .map(|i| i as u16)
    }
}

/// Everything ownership reads besides the ledger: gathered by the command (I/O), read here.
pub struct Ownership {
    pub set: DomainSet,
    pub paths: PathsIndex,
    /// The files at HEAD, sorted.
    pub head_files: Vec<String>,
    pub codeowners: Option<Codeowners>,
}

/// The paths each event's work touched: a commit's own paths, a pull request's paths from
/// GitHub, or else the union of its commits' paths. Path ids are `PathsIndex` ids, extended
/// with the GitHub paths no commit in history touched.
pub struct WorkPaths<'a> {
    paths: &'a PathsIndex,
    extra: Vec<String>,
    extra_ids: HashMap<String, u32>,
    pr_paths: HashMap<crate::events::PrId, Vec<u32>>,
}

impl<'a> WorkPaths<'a> {
    pub fn new(ledger: &Ledger, paths: &'a PathsIndex) -> Self {
        let mut w = WorkPaths {
            paths,
            extra: Vec::new(),
            extra_ids: HashMap::new(),
            pr_paths: HashMap::new(),
        };
        for (n, pr) in &ledger.prs {
            let mut ids: Vec<u32> = if pr.paths.is_empty() {
                pr.commits
                    .iter()
                    .flat_map(|c| paths.of_commit(&c.0).iter().copied())
                    .collect()
            } else {
                pr.paths.iter().map(|p| w.intern(p)).collect()
            };
            ids.sort_unstable();
            ids.dedup();
            w.pr_paths.insert(*n, ids);
        }
        w
    }

    fn intern(&mut self, path: &str) -> u32 {
        if let Some(i) = self.paths.id_of(path) {
            return i;
        }
        if let Some(&i) = self.extra_ids.get(path) {
            return i;
        }
        let i = (self.paths.names.len() + self.extra.len()) as u32;
        self.extra.push(path.to_string());
        self.extra_ids.insert(path.to_string(), i);
        i
    }

    /// The id of a path, if any work touched it.
    pub fn id_of(&self, path: &str) -> Option<u32> {
        self.paths
            .id_of(path)
            .or_else(|| self.extra_ids.get(path).copied())
    }

    /// How many path ids there are.
    pub fn len(&self) -> usize {
        self.paths.names.len() + self.extra.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn name(&self, id: u32) -> &str {
        let n = self.paths.names.len();
        if (id as usize) < n {
            self.paths.name(id)
        } else {
            &self.extra[id as usize - n]
        }
    }

    /// The paths of the work an event was about.
    pub fn of_event(&self, e: &Event) -> &[u32] {
        match &e.target {
            Target::Commit(c) => self.paths.of_commit(&c.0),
            Target::Pr(n) => self.pr_paths.get(n).map(Vec::as_slice).unwrap_or(&[]),
            Target::Doc(_) => &[],
        }
    }
}

/// The domains of every path id in `work`.
pub(super) fn path_domains(set: &DomainSet, work: &WorkPaths) -> Vec<Vec<u16>> {
    (0..work.len() as u32)
        .map(|id| set.of_path(work.name(id)))
        .collect()
}

pub(super) fn domains_of_event(
    ledger: &Ledger,
    set: &DomainSet,
    work: &WorkPaths,
    per_path: &[Vec<u16>],
) -> EventDomains {
    let mut pr_cache: HashMap<crate::events::PrId, Vec<u16>> = HashMap::new();
    let union = |ids: &[u32]| {
        let mut out: Vec<u16> = ids
            .iter()
            .flat_map(|&p| per_path[p as usize].iter().copied())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    };
    let doc_domain: HashMap<&str, Option<u16>> = ledger
        .docs
        .iter()
        .map(|d| {
            (
                d.path.as_str(),
                d.front.domain.as_deref().and_then(|n| set.index_of(n)),
            )
        })
        .collect();
    let of_event = ledger
        .events
        .iter()
        .map(|e| match &e.target {
            Target::Pr(n) => pr_cache
                .entry(*n)
                .or_insert_with(|| union(work.of_event(e)))
                .clone(),
            Target::Commit(_) => union(work.of_event(e)),
            Target::Doc(p) => doc_domain
                .get(p.as_str())
                .copied()
                .flatten()
                .into_iter()
                .collect(),
        })
        .collect();
    EventDomains::new(set.names.clone(), of_event)
}

/// For each ledger event, the domains of the work it was about: a commit's paths, a pull
/// request's paths (GitHub's list, or its commits' paths), a doc's `domain` front matter.
pub fn event_domains(ledger: &Ledger, own: &Ownership) -> EventDomains {
    let work = WorkPaths::new(ledger, &own.paths);
    let per_path = path_domains(&own.set, &work);
    domains_of_event(ledger, &own.set, &work, &per_path)
}
