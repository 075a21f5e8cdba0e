//! The `domains` part of the snapshot: per domain its experts, contributor absence factor,
//! truck factor, single points of failure and inactive CODEOWNERS entries, with people shown
//! through [`Display`] (opted-out people anonymised) and no e-mail address anywhere.

use serde::Serialize;

use super::Display;
use crate::analysis::domains::{Analysis, Owner};
use crate::util::day;

#[derive(Debug, Clone, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct DomainSummary {
    pub name: String,
    /// Where the domain is defined: `guild.yml` or `CODEOWNERS`.
    pub source: String,
    /// Files at HEAD in the domain.
    pub files: usize,
    /// Authored and review events about the domain's work.
    pub work: u64,
    /// Best first.
    pub experts: Vec<ExpertSummary>,
    /// The fewest people behind more than half of the domain's work.
    pub contributor_absence_factor: usize,
    /// How many active people must leave before most of the domain's files have no one
    /// left who authored or reviewed a change to them.
    pub truck_factor: usize,
    pub single_points_of_failure: Vec<SinglePointSummary>,
    /// CODEOWNERS entries deciding the domain's files that name someone inactive for long.
    pub inactive_owners: Vec<InactiveOwnerSummary>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct ExpertSummary {
    pub id: String,
    pub name: String,
    /// Recency-weighted authorship and review, two decimals.
    pub score: f64,
    pub authored: u64,
    pub reviewed: u64,
    /// `YYYY-MM-DD` of the latest work in the domain.
    pub last_active: String,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct SinglePointSummary {
    pub id: String,
    pub name: String,
    /// Files whose only active knower is this person.
    pub files: usize,
    /// The whole domain hangs on this person (truck factor 1).
    pub whole_domain: bool,
    pub sample_files: Vec<String>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct InactiveOwnerSummary {
    /// A person id (display id), `@login` when no one in history has it, or
    /// `(an e-mail address)`: e-mails are never shown.
    pub owner: String,
    pub file: String,
    pub line: usize,
    pub pattern: String,
    /// `YYYY-MM-DD`, or `None` when never seen in this history.
    pub last_seen: Option<String>,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Turns the analysis into the snapshot's `domains`, sorted by name.
pub fn summarize(analysis: &Analysis, display: &Display) -> Vec<DomainSummary> {
    let who = |p: u32| {
        (
            display.ids[p as usize].clone(),
            display.names[p as usize].clone(),
        )
    };
    let mut out: Vec<DomainSummary> = analysis
        .domains
        .iter()
        .map(|d| DomainSummary {
            name: d.name.clone(),
            source: analysis.source.as_str().to_string(),
            files: d.files,
            work: d.work,
            experts: d
                .experts
                .iter()
                .map(|e| {
                    let (id, name) = who(e.person);
                    ExpertSummary {
                        id,
                        name,
                        score: round2(e.score),
                        authored: e.authored,
                        reviewed: e.reviewed,
                        last_active: day(e.last),
                    }
                })
                .collect(),
            contributor_absence_factor: d.contributor_absence_factor,
            truck_factor: d.truck_factor,
            single_points_of_failure: d
                .single_points_of_failure
                .iter()
                .map(|s| {
                    let (id, name) = who(s.person);
                    SinglePointSummary {
                        id,
                        name,
                        files: s.files,
                        whole_domain: s.whole_domain,
                        sample_files: s.sample.clone(),
                    }
                })
                .collect(),
            inactive_owners: d
                .inactive_owners
                .iter()
                .map(|o| InactiveOwnerSummary {
                    owner: match &o.owner {
                        Owner::Person(p) => display.ids[*p as usize].clone(),
                        Owner::Login(l) => l.clone(),
                        Owner::Email => "(an e-mail address)".into(),
                    },
                    file: o.file.clone(),
                    line: o.line,
                    pattern: o.pattern.clone(),
                    last_seen: o.last_seen.map(day),
                })
                .collect(),
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}
