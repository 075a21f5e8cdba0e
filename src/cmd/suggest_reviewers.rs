//! `cargo guild suggest-reviewers`: not built yet (see the open issues).

use crate::cli::{GlobalOpts, SuggestReviewersArgs};
use crate::exit::Outcome;

pub fn execute(_global: &GlobalOpts, _args: SuggestReviewersArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`cargo guild suggest-reviewers` is not available in this build yet")
}
