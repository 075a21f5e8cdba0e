//! `cargo guild context --json`: the whole snapshot, as the renderers see it; `--schema`: its
//! JSON Schema. Also home of [`community`], the one road from a repository (or a saved
//! snapshot) to what every rendering command prints.

use crate::cli::{ContextArgs, FromContext, GlobalOpts};
use crate::exit::Outcome;
use crate::snapshot::Community;

pub fn execute(global: &GlobalOpts, args: ContextArgs) -> anyhow::Result<Outcome> {
    if args.schema {
        super::print_json(&crate::snapshot::schema())?;
        return Ok(Outcome::Ok);
    }
    let (_, community) = community(global, &FromContext::default())?;
    super::print_json(&community)?;
    Ok(Outcome::Ok)
}

/// The snapshot a command renders: read from `--from-context FILE`, or built from the
/// repository's history, domains and all. With a history, the session comes back too, for
/// commands that also need it (notes, options that need events).
pub fn community(
    global: &GlobalOpts,
    from: &FromContext,
) -> anyhow::Result<(Option<super::Session>, Community)> {
    if let Some(path) = &from.from_context {
        return Ok((None, crate::snapshot::load(path)?));
    }
    let session = super::Session::open(global)?;
    let ledger = session.ledger()?;
    let ownership = session.ownership()?;
    let community = session.timed("snapshot", || {
        crate::snapshot::build_with(&ledger, &session.config, ownership.as_ref())
    });
    Ok((Some(session), community))
}
