//! `cargo guild network`: not built yet (see the open issues).

use crate::cli::{GlobalOpts, NetworkArgs};
use crate::exit::Outcome;

pub fn execute(_global: &GlobalOpts, _args: NetworkArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`cargo guild network` is not available in this build yet")
}
