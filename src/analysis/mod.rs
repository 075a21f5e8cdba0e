//! Analysis: pure functions of (ledger, config). No I/O, no printing, no clock: "now" is the
//! ledger's `as_of`, so the same history always gives the same numbers.

pub mod badges;
pub mod domains;
pub mod network;
pub mod newcomers;
pub mod paths;
pub mod pulse;
pub mod reputation;
pub mod rhythm;
pub mod suggest;
pub mod trends;

/// Which domains each event touched: the bridge between ownership (which knows paths and
/// globs) and the analyses that group by domain (badges, cross-domain reviews, brokers).
/// Built by `analysis::domains` from changed paths; empty when no domains are configured.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventDomains {
    /// Domain names, sorted; indices below point here.
    pub names: Vec<String>,
    /// Parallel to `Ledger::events`: the domains of the work each event was about.
    pub of_event: Vec<Vec<u16>>,
}
