//! `cargo guild newcomers`: first contributions (newest first), time to first review,
//! whether people came back, who mentored them, and each person's step on the ladder with
//! what is missing for the next. The numbers come from `analysis::newcomers`.

use std::io::Write as _;

use crate::analysis::newcomers::LadderStatus;
use crate::cli::{GlobalOpts, NewcomersArgs, TableFormat};
use crate::exit::Outcome;
use crate::render::table::Table;

pub fn execute(global: &GlobalOpts, args: NewcomersArgs) -> anyhow::Result<Outcome> {
    // The snapshot is the one road: the ladder here is the profile's, cross-domain bonus and all.
    super::context::snapshot_only(
        global,
        &args.context,
        crate::snapshot::Parts {
            newcomers: true,
            ..crate::snapshot::Parts::PEOPLE
        },
        |_, _| Ok(()),
        |community| show(community, &args),
    )
}

/// Prints the newcomers' report in the format asked for.
fn show(community: &crate::snapshot::Community, args: &NewcomersArgs) -> anyhow::Result<Outcome> {
    let report = &community.newcomers;
    let mut out = super::stdout();
    if args.format == TableFormat::Json {
        super::print_json(report)?;
        return Ok(Outcome::Ok);
    }
    let mut t = Table::new([
        "id",
        "first",
        "kind",
        "work",
        "days_to_review",
        "returned",
        "mentors",
        "step",
        "next",
        "missing",
    ]);
    for r in &report.people {
        let (step, next, missing) = ladder_cells(r.ladder.as_ref());
        t.row(vec![
            r.id.clone(),
            r.first_contribution[..10].to_string(),
            r.first_kind.to_string(),
            r.first_work.clone(),
            r.days_to_first_review
                .map(|d| format!("{d:.2}"))
                .unwrap_or_default(),
            if r.returned { "yes" } else { "no" }.to_string(),
            r.mentors
                .iter()
                .map(|m| m.id.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            step,
            next,
            missing,
        ]);
    }
    if args.format == TableFormat::Csv {
        t.write_csv(&mut out)?;
    } else {
        t.write_text(&mut out)?;
        let share = if report.total == 0 {
            0.0
        } else {
            100.0 * report.returned as f64 / report.total as f64
        };
        writeln!(
            out,
            "\n{} people; {} came back for a second contribution ({share:.0}%); median days to first review: {}",
            report.total,
            report.returned,
            report
                .median_days_to_first_review
                .map(|d| format!("{d:.2}"))
                .unwrap_or_else(|| "-".into())
        )?;
        let steps: Vec<String> = report
            .steps
            .iter()
            .map(|s| format!("{} {}", crate::render::table::sanitize(&s.step), s.people))
            .collect();
        if !steps.is_empty() {
            let window = match report.ladder_window_days {
                0 => "all history".to_string(),
                d => format!("the last {d} days"),
            };
            writeln!(out, "ladder ({window}): {}", steps.join(" → "))?;
        }
    }
    out.flush()?;
    Ok(Outcome::Ok)
}

/// (step, next, "what have/need, ...") for the table.
fn ladder_cells(l: Option<&LadderStatus>) -> (String, String, String) {
    let Some(l) = l else {
        return Default::default();
    };
    (
        l.step.clone().unwrap_or_else(|| "-".into()),
        l.next.clone().unwrap_or_default(),
        l.missing
            .iter()
            .map(|m| format!("{} {}/{}", m.what, m.have, m.need))
            .collect::<Vec<_>>()
            .join(", "),
    )
}
