//! `interventions:` in guild.yml: dated changes to how the community works, which
//! `cargo guild compare` and the trends measure before and after. Parsing is serde's (with
//! the rest of the file); this checks what serde cannot: names, uniqueness, real dates.

use serde::{Deserialize, Serialize};

/// A dated intervention, as written under `interventions:`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Intervention {
    pub name: String,
    /// `YYYY-MM-DD`: the first day of the "after" window.
    pub date: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// The trends' window when no `--window` is given.
pub const TRENDS_WINDOW_DAYS: u32 = 90;

/// Every intervention has a name of its own and a real date; `at` says where a text is
/// written in the file (`file:line:column`).
pub(super) fn validate(list: &[Intervention], at: &dyn Fn(&str) -> String) -> anyhow::Result<()> {
    let mut names = std::collections::BTreeSet::new();
    for i in list {
        if i.name.trim().is_empty() {
            anyhow::bail!(
                "{}: an intervention has an empty `name`\n  fix: give it a name, e.g. `name: cross-team masterminds`",
                at("interventions")
            );
        }
        if !names.insert(i.name.trim().to_lowercase()) {
            anyhow::bail!(
                "{}: intervention `{}` appears twice\n  fix: give each intervention its own name",
                at(&i.name),
                i.name
            );
        }
        if crate::util::parse_date(&i.date).is_err() {
            anyhow::bail!(
                "{}: intervention `{}` has the date `{}`, which is not a date\n  fix: write it as YYYY-MM-DD, e.g. 2025-03-01",
                at(&i.date),
                i.name,
                i.date
            );
        }
    }
    Ok(())
}
