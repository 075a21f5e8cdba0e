//! `cargo guild context --json`: the whole snapshot, as the renderers see it.

use crate::cli::{ContextArgs, GlobalOpts};
use crate::exit::Outcome;

pub fn execute(global: &GlobalOpts, _args: ContextArgs) -> anyhow::Result<Outcome> {
    let session = super::Session::open(global)?;
    let ledger = session.ledger()?;
    let ownership = super::domains::ownership(&session)?;
    let community = crate::snapshot::build_with(&ledger, &session.config, ownership.as_ref());
    super::print_json(&community)?;
    Ok(Outcome::Ok)
}
