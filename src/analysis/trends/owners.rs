//! Per-domain bus factors at given moments, from history up to each: the contributor
//! absence factor and the truck factor, with `analysis::domains`' definitions, in one pass
//! over the ledger. Files are those any work touched up to the moment (the files at HEAD
//! are today's, not the window's); "active" means seen within `reviewers.inactive_days`
//! before the moment.

use std::collections::BTreeMap;

use super::DomainPoint;
use crate::analysis::domains::{absence_factor, role, truck_factor, Ownership, WorkPaths};
use crate::analysis::EventDomains;
use crate::config::Config;
use crate::events::Ledger;

/// The bus factors of every domain at each of `times` (sorted): for each time, the
/// numbers from the events before it.
pub(super) fn at_times(
    ledger: &Ledger,
    config: &Config,
    own: &Ownership,
    domains: &EventDomains,
    times: &[i64],
) -> Vec<BTreeMap<String, DomainPoint>> {
    let people = ledger.people();
    let n_domains = domains.names.len();
    if n_domains == 0 {
        return vec![BTreeMap::new(); times.len()];
    }
    let work = WorkPaths::new(ledger, &own.paths);
    let names: Vec<String> = (0..work.len() as u32)
        .map(|id| work.name(id).to_string())
        .collect();
    let path_domains: Vec<Vec<u16>> = names.iter().map(|n| own.set.of_path(n)).collect();
    // Per path, who authored or reviewed a change to it (sorted); per domain, its paths.
    let mut knowers: Vec<Vec<u32>> = vec![Vec::new(); names.len()];
    let mut files: Vec<Vec<usize>> = vec![Vec::new(); n_domains];
    // Per domain, per person: authored and review-side events about its work.
    let mut work_counts: Vec<BTreeMap<u32, u64>> = vec![BTreeMap::new(); n_domains];
    let mut last_seen: Vec<Option<i64>> = vec![None; people.len()];
    let inactive = i64::from(config.reviewers.inactive_days) * 86_400;

    let mut out = Vec::with_capacity(times.len());
    let mut events = ledger.events.iter().enumerate().peekable();
    for &t in times {
        while let Some((i, e)) = events.next_if(|(_, e)| e.time < t) {
            last_seen[e.person as usize] = Some(e.time);
            if role(e.kind).is_none() || people[e.person as usize].is_bot {
                continue;
            }
            for &d in domains.of_event.get(i).map(Vec::as_slice).unwrap_or(&[]) {
                *work_counts[d as usize].entry(e.person).or_default() += 1;
            }
            for &path in work.of_event(e) {
                let ks = &mut knowers[path as usize];
                if ks.is_empty() {
                    for &d in &path_domains[path as usize] {
                        files[d as usize].push(path as usize);
                    }
                }
                if let Err(at) = ks.binary_search(&e.person) {
                    ks.insert(at, e.person);
                }
            }
        }
        let active: Vec<bool> = last_seen
            .iter()
            .map(|l| l.is_some_and(|l| l >= t - inactive))
            .collect();
        let point = (0..n_domains)
            .map(|d| {
                let mut counts: Vec<u64> = work_counts[d].values().copied().collect();
                counts.sort_unstable_by(|a, b| b.cmp(a));
                let (tf, _) = truck_factor(&files[d], &knowers, &active, &names);
                (
                    domains.names[d].clone(),
                    DomainPoint {
                        truck_factor: tf as u64,
                        contributor_absence_factor: absence_factor(&counts) as u64,
                    },
                )
            })
            .collect();
        out.push(point);
    }
    out
}
