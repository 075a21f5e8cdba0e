//! Analysis: pure functions of (ledger, config). No I/O, no printing, no clock: "now" is the
//! ledger's `as_of`, so the same history always gives the same numbers.

pub mod reputation;
