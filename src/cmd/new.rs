//! `cargo guild new`: not built yet (see the open issues).

use crate::cli::{GlobalOpts, NewArgs};
use crate::exit::Outcome;

pub fn execute(_global: &GlobalOpts, _args: NewArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`cargo guild new` is not available in this build yet")
}
