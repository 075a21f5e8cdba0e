//! The snapshot's `endorsements`: who endorsed whom for which skill, by display id (the
//! endorser is the committer of the endorsement file; see `sources::endorsements`).

use serde::Serialize;

use super::Display;
use crate::events::Ledger;
use crate::util::rfc3339;

/// The ledger's endorsements by display id.
pub(super) fn all(ledger: &Ledger, display: &Display) -> Vec<EndorsementSummary> {
    let mut out: Vec<EndorsementSummary> = ledger
        .endorsements
        .iter()
        .map(|e| EndorsementSummary {
            person: display.ids[e.person as usize].clone(),
            skill: e.skill.clone(),
            by: display.ids[e.by as usize].clone(),
            at: rfc3339(e.at),
            note: e.note.clone(),
        })
        .collect();
    out.sort_by(|a, b| (&a.person, &a.skill, &a.by).cmp(&(&b.person, &b.skill, &b.by)));
    out
}

/// One endorsement, as the snapshot lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct EndorsementSummary {
    pub person: String,
    pub skill: String,
    /// Who endorsed: the author of the commit that added the endorsement.
    pub by: String,
    /// When that commit was made, RFC 3339.
    pub at: String,
    pub note: Option<String>,
}
