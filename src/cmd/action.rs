//! `cargo guild action`: not built yet (see the open issues).

use crate::cli::{ActionArgs, GlobalOpts};
use crate::exit::Outcome;

pub fn execute(_global: &GlobalOpts, _args: ActionArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`cargo guild action` is not available in this build yet")
}
