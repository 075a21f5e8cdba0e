//! Hand-built ledgers for unit tests of the analyses: people by login and events by day,
//! without a repository.

use crate::config::Config;
use crate::events::identity::{IdentityBuilder, RawIdent};
use crate::events::{Event, EventKind, Ledger, PrId, Source, Target};

/// People `logins` (ids sort as given when they are in order) and events
/// `(day, person, kind, other, pr)`; a pull request's events target it.
pub fn ledger(logins: &[&str], events: &[(i64, u32, EventKind, Option<u32>, u64)]) -> Ledger {
    let mut b = IdentityBuilder::new();
    for l in logins {
        b.add(RawIdent::login(l), 1);
    }
    let identities = b.finish(&Config::default());
    let events: Vec<Event> = events
        .iter()
        .map(|&(day, person, kind, other, pr)| Event {
            time: day * 86_400,
            person,
            kind,
            target: Target::Pr(PrId {
                number: pr,
                merge: None,
                repo: 0,
            }),
            pr: Some(PrId {
                number: pr,
                merge: None,
                repo: 0,
            }),
            other,
            source: Source::Git,
            state: None,
        })
        .collect();
    Ledger {
        identities,
        as_of: events.iter().map(|e| e.time).max().unwrap_or(0),
        events,
        prs: Default::default(),
        head: String::new(),
        future: Default::default(),
        docs: Vec::new(),
        endorsements: Vec::new(),
    }
}
