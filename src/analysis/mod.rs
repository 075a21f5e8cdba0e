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
#[derive(Debug, Clone, Default)]
pub struct EventDomains {
    /// Domain names, sorted; indices below point here.
    pub names: Vec<String>,
    /// Parallel to `Ledger::events`: the domains of the work each event was about.
    pub of_event: Vec<Vec<u16>>,
    /// Which events are reverse mentorship (`network::reverse::per_event`), worked out once
    /// by whichever analysis asks first: the badges and the network both need it.
    reverse: std::sync::OnceLock<Vec<Option<u16>>>,
}

impl EventDomains {
    pub fn new(names: Vec<String>, of_event: Vec<Vec<u16>>) -> EventDomains {
        EventDomains {
            names,
            of_event,
            reverse: std::sync::OnceLock::new(),
        }
    }
}

/// Equal when they give the same domains to the same events (what is worked out from them
/// on demand does not count).
impl PartialEq for EventDomains {
    fn eq(&self, other: &Self) -> bool {
        self.names == other.names && self.of_event == other.of_event
    }
}

impl Eq for EventDomains {}
