//! Learning paths, read from the snapshot: per domain, its docs in a reading order (by kind:
//! `learning_paths` in `guild.yml`, else micro-teach → decision-walkthrough → case-round →
//! retrospective, other kinds after; oldest first within a kind) with whom to ask (the
//! on-call person first, then the domain's experts); per person, their next steps: what
//! their next ladder step still needs, and the single points of failure they are closest
//! to removing (a domain where they are an expert and one other person alone knows files:
//! pair with that person there).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::snapshot::Community;

/// The default reading order of doc kinds.
pub const DEFAULT_ORDER: &[&str] = &[
    "micro-teach",
    "decision-walkthrough",
    "case-round",
    "retrospective",
];

/// One domain's path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DomainPath {
    pub domain: String,
    /// Paths of the domain's docs, in reading order.
    pub docs: Vec<String>,
    /// Display ids to ask, the on-call person first.
    pub ask: Vec<String>,
}

/// The reading order of every domain that has docs or experts, sorted by domain.
pub fn domain_paths(c: &Community, orders: &BTreeMap<String, Vec<String>>) -> Vec<DomainPath> {
    let mut out = Vec::new();
    for d in &c.domains {
        let order: Vec<String> = orders
            .get(&d.name)
            .cloned()
            .unwrap_or_else(|| DEFAULT_ORDER.iter().map(|s| s.to_string()).collect());
        let rank = |kind: &str| {
            order
                .iter()
                .position(|k| k.eq_ignore_ascii_case(kind))
                .unwrap_or(order.len())
        };
        let mut docs: Vec<&crate::snapshot::DocSummary> = c
            .docs
            .iter()
            .filter(|doc| doc.domain.as_deref() == Some(d.name.as_str()))
            .collect();
        docs.sort_by(|a, b| {
            (rank(&a.kind), &a.kind, &a.date, &a.path).cmp(&(
                rank(&b.kind),
                &b.kind,
                &b.date,
                &b.path,
            ))
        });
        let mut ask: Vec<String> = Vec::new();
        // The on-call person of a ritual drawing from this domain, in the next slot.
        if let Some(s) = c
            .schedule
            .slots
            .iter()
            .find(|s| s.on_call && s.ritual.to_lowercase().contains(&d.name.to_lowercase()))
        {
            ask.extend(s.facilitator.clone());
        }
        for e in &d.experts {
            if !ask.contains(&e.id) && ask.len() < 4 {
                ask.push(e.id.clone());
            }
        }
        if docs.is_empty() && ask.is_empty() {
            continue;
        }
        out.push(DomainPath {
            domain: d.name.clone(),
            docs: docs.iter().map(|doc| doc.path.clone()).collect(),
            ask,
        });
    }
    out
}

/// A person's next steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextSteps {
    pub id: String,
    pub name: String,
    pub step: Option<String>,
    pub next: Option<String>,
    /// What the next step still needs, e.g. `reviews_given: 3 of 5`.
    pub missing: Vec<String>,
    /// Where they could become the second person who knows code only one person knows.
    pub pair_with: Vec<Pairing>,
    /// Domains they work in, with the docs to read there.
    pub read: Vec<DomainPath>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pairing {
    pub domain: String,
    /// The one person who alone knows the files.
    pub with: String,
    pub files: usize,
    pub sample_files: Vec<String>,
}

/// `who`'s next steps (a display id), from the snapshot.
pub fn next_steps(c: &Community, who: &str) -> Option<NextSteps> {
    let p = c.people.iter().find(|p| p.id == who)?;
    let (step, next, missing) = match &p.ladder {
        Some(l) => (
            l.step.clone(),
            l.next.clone(),
            l.missing
                .iter()
                .map(|m| format!("{}: {} of {}", m.what, m.have, m.need))
                .collect(),
        ),
        None => (None, None, Vec::new()),
    };
    let mut pair_with = Vec::new();
    let mut read = Vec::new();
    for d in &c.domains {
        if !d.experts.iter().any(|e| e.id == who) {
            continue;
        }
        for s in d.single_points_of_failure.iter().filter(|s| s.id != who) {
            pair_with.push(Pairing {
                domain: d.name.clone(),
                with: s.id.clone(),
                files: s.files,
                sample_files: s.sample_files.clone(),
            });
        }
        if let Some(path) = c.paths.iter().find(|x| x.domain == d.name) {
            read.push(path.clone());
        }
    }
    pair_with.sort_by(|a, b| b.files.cmp(&a.files).then(a.domain.cmp(&b.domain)));
    Some(NextSteps {
        id: p.id.clone(),
        name: p.name.clone(),
        step,
        next,
        missing,
        pair_with,
        read,
    })
}
