//! `cargo guild trends`: the community's numbers per window of days (the snapshot's
//! `trends.windows`), or with `--cohorts` newcomers grouped by the window they arrived in
//! and how far up the ladder they got. The numbers come from `analysis::trends`.

use std::collections::BTreeSet;

use crate::analysis::trends::{Cohort, Trends, Window};
use crate::cli::{GlobalOpts, TableFormat, TrendsArgs};
use crate::exit::Outcome;
use crate::render::table::Table;

pub fn execute(global: &GlobalOpts, args: TrendsArgs) -> anyhow::Result<Outcome> {
    let since = super::since(args.since.as_deref())?.map(crate::util::day);
    let community = super::context::snapshot_only(
        global,
        &args.context,
        crate::snapshot::Parts {
            trends: Some(args.window),
            ..crate::snapshot::Parts::PEOPLE
        },
        |_, _| Ok(()),
        |community| Ok(community.trends.clone()),
    )?;
    let trends = saved_trends(community, args.window, &args.context)?;
    // Windows (and cohorts) that end on or after the day, compared as `YYYY-MM-DD`.
    let keep = |to: &str| since.as_deref().map_or(true, |s| to >= s);
    let mut out = super::stdout();
    if args.cohorts {
        let cohorts: Vec<&Cohort> = trends.cohorts.iter().filter(|c| keep(&c.to)).collect();
        match args.format {
            TableFormat::Json => super::print_json(&cohorts)?,
            TableFormat::Csv => cohort_table(&cohorts).write_csv(&mut out)?,
            TableFormat::Table => cohort_table(&cohorts).write_text(&mut out)?,
        }
    } else {
        let windows: Vec<&Window> = trends.windows.iter().filter(|w| keep(&w.to)).collect();
        match args.format {
            TableFormat::Json => super::print_json(&windows)?,
            TableFormat::Csv => window_table(&windows).write_csv(&mut out)?,
            TableFormat::Table => {
                use std::io::Write as _;
                window_table(&windows).write_text(&mut out)?;
                writeln!(
                    out,
                    "\n{}-day windows; first reviews from {}; time to proficiency: days to the {} step",
                    trends.window_days,
                    match trends.first_review_source.as_str() {
                        "github" => "synced GitHub reviews",
                        _ => "git (the first review trailer, merge or sign-off by someone else)",
                    },
                    crate::render::table::sanitize(
                        trends.reviewer_step.as_deref().unwrap_or("(no reviewer step)")
                    )
                )?;
            }
        }
    }
    std::io::Write::flush(&mut out)?;
    Ok(Outcome::Ok)
}

/// The trends of the snapshot, if they are the ones asked for: a saved snapshot holds one
/// window length, and an older one none.
pub fn saved_trends(
    trends: Trends,
    window: u32,
    from: &crate::cli::FromContext,
) -> anyhow::Result<Trends> {
    let file = from
        .from_context
        .as_deref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "the snapshot".into());
    if trends.window_days == 0 {
        anyhow::bail!(
            "{file} has no trends (it was saved by an older cargo guild)\n  fix: save it again with `cargo guild context --json > FILE`"
        );
    }
    if trends.window_days != window {
        anyhow::bail!(
            "{file} holds {}-day windows, not {window}-day ones: other windows need the history\n  fix: run with --window {} or without --from-context",
            trends.window_days,
            trends.window_days
        );
    }
    Ok(trends)
}

/// `-` for nothing to show.
pub fn num(x: Option<f64>, decimals: usize) -> String {
    x.map(|v| format!("{v:.decimals$}"))
        .unwrap_or_else(|| "-".into())
}

fn window_table(windows: &[&Window]) -> Table {
    let domains: BTreeSet<&String> = windows.iter().flat_map(|w| w.domains.keys()).collect();
    let mut header: Vec<String> = [
        "from",
        "to",
        "active",
        "newcomers",
        "return_rate",
        "days_to_first_review",
        "reviews_per_pr",
        "cross_domain",
        "ties",
        "density",
        "transitivity",
        "brokers",
        "isolates",
        "components",
        "days_to_reviewer",
    ]
    .map(String::from)
    .to_vec();
    for d in &domains {
        header.push(format!("truck:{d}"));
        header.push(format!("absence:{d}"));
    }
    let mut t = Table::new(header);
    for w in windows {
        let v = &w.values;
        let mut row = vec![
            w.from.clone(),
            w.to.clone(),
            v.active_people.to_string(),
            v.newcomers.to_string(),
            num(v.newcomer_return_rate, 2),
            num(v.median_days_to_first_review, 1),
            num(v.reviews_per_merged_pr, 2),
            num(v.cross_domain_review_share, 2),
            v.review_ties.to_string(),
            format!("{:.3}", v.density),
            format!("{:.3}", v.transitivity),
            v.brokers.to_string(),
            v.isolates.to_string(),
            v.components.to_string(),
            num(v.median_days_to_reviewer, 1),
        ];
        for d in &domains {
            let p = w.domains.get(*d);
            row.push(p.map(|p| p.truck_factor.to_string()).unwrap_or_default());
            row.push(
                p.map(|p| p.contributor_absence_factor.to_string())
                    .unwrap_or_default(),
            );
        }
        t.row(row);
    }
    t
}

/// One row per cohort and ladder step.
fn cohort_table(cohorts: &[&Cohort]) -> Table {
    let mut t = Table::new([
        "from",
        "to",
        "newcomers",
        "step",
        "after_90_days",
        "after_180_days",
        "after_365_days",
    ]);
    let n = |x: Option<u64>| x.map(|v| v.to_string()).unwrap_or_else(|| "-".into());
    for c in cohorts {
        for s in &c.steps {
            t.row(vec![
                c.from.clone(),
                c.to.clone(),
                c.newcomers.to_string(),
                s.step.clone(),
                n(s.after_90_days),
                n(s.after_180_days),
                n(s.after_365_days),
            ]);
        }
    }
    t
}
