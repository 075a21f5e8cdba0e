//! `cargo guild compare`: the window before an intervention (named in `guild.yml`, or a
//! date) against the window after, each metric with its change and a 95% bootstrap
//! interval. It says what differed, never why: before/after is not cause and effect.

use std::io::Write as _;

use crate::analysis::trends::{Comparison, BOOTSTRAP_RESAMPLES};
use crate::cli::{CompareArgs, GlobalOpts, TableFormat};
use crate::config::Intervention;
use crate::exit::Outcome;
use crate::render::table::{sanitize, Table};

pub fn execute(global: &GlobalOpts, args: CompareArgs) -> anyhow::Result<Outcome> {
    let at = args
        .at
        .as_deref()
        .map(|d| {
            crate::util::parse_date(d)
                .map(crate::util::day)
                .map_err(|e| anyhow::anyhow!("in --at: {e}"))
        })
        .transpose()?;
    let community = super::context::snapshot_only(
        global,
        &args.context,
        crate::snapshot::Parts {
            trends: Some(args.window),
            ..crate::snapshot::Parts::PEOPLE
        },
        |config, path| {
            if let Some(name) = &args.intervention {
                let where_ = path
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| crate::config::FILE_NAME.into());
                find(&config.interventions, name, &where_)?;
            }
            if let Some(day) = &at {
                config.interventions.push(Intervention {
                    name: day.clone(),
                    date: day.clone(),
                    note: None,
                });
            }
            Ok(())
        },
        |community| Ok(community.trends.clone()),
    )?;
    let trends = super::trends::saved_trends(community, args.window, &args.context)?;
    let file = args
        .context
        .from_context
        .as_deref()
        .map(|p| p.display().to_string());
    let mut tmp = None;
    let found: &Comparison = match (&args.intervention, &at) {
        (Some(name), _) => trends
            .interventions
            .iter()
            .find(|c| c.intervention.eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| {
                let names: Vec<String> = trends
                    .interventions
                    .iter()
                    .map(|c| c.intervention.clone())
                    .collect();
                unknown(name, &names, file.as_deref().unwrap_or("the snapshot"))
            })?,
        // A saved snapshot answers a date that one of guild.yml's interventions has (the
        // same windows), shown as a direct `--at` run shows it.
        (None, Some(day)) => &*tmp.insert(
            trends
                .interventions
                .iter()
                .rev()
                .find(|c| &c.date == day)
                .map(|c| Comparison {
                    intervention: day.clone(),
                    note: None,
                    ..c.clone()
                })
                .ok_or_else(|| {
                anyhow::anyhow!(
                    "{} holds the interventions of guild.yml only, and none on {day}\n  fix: run without --from-context, or add the date under `interventions:` and save the snapshot again",
                    file.as_deref().unwrap_or("the snapshot")
                )
                })?,
        ),
        (None, None) => anyhow::bail!("say what to compare: --intervention NAME or --at DATE"),
    };
    check_history(found, &trends.windows)?;
    let mut out = super::stdout();
    match args.format {
        TableFormat::Json => super::print_json(found)?,
        TableFormat::Csv => table(found).write_csv(&mut out)?,
        TableFormat::Table => {
            let note = found
                .note
                .as_deref()
                .map(|n| format!(" ({})", sanitize(n)))
                .unwrap_or_default();
            writeln!(
                out,
                "{}{note}: before {} to {}, after {} to {}\n",
                sanitize(&found.intervention),
                found.before.from,
                found.before.to,
                found.after.from,
                found.after.to
            )?;
            table(found).write_text(&mut out)?;
            let moved: Vec<&str> = found
                .metrics
                .iter()
                .filter(|m| m.beyond_noise)
                .map(|m| m.name.as_str())
                .collect();
            writeln!(
                out,
                "\nlarger than their noise (95% bootstrap interval without zero, {BOOTSTRAP_RESAMPLES} resamples, fixed seed): {}",
                if moved.is_empty() {
                    "none".to_string()
                } else {
                    sanitize(&moved.join(", "))
                }
            )?;
            writeln!(
                out,
                "This is before/after: it shows what was different after the date, not why."
            )?;
        }
    }
    out.flush()?;
    Ok(Outcome::Ok)
}

/// The intervention named `name` in `list`, or an error listing the known names.
fn find<'a>(list: &'a [Intervention], name: &str, file: &str) -> anyhow::Result<&'a Intervention> {
    list.iter()
        .find(|i| i.name.eq_ignore_ascii_case(name.trim()))
        .ok_or_else(|| {
            let names: Vec<String> = list.iter().map(|i| i.name.clone()).collect();
            unknown(name, &names, file)
        })
}

fn unknown(name: &str, known: &[String], file: &str) -> anyhow::Error {
    let known = if known.is_empty() {
        "it has none".to_string()
    } else {
        format!("known: {}", known.join(", "))
    };
    anyhow::anyhow!(
        "no intervention named `{}` in {file} ({known})\n  fix: add it under `interventions:` in guild.yml (`- name: ...` and `date: YYYY-MM-DD`), or compare at a date with --at YYYY-MM-DD",
        sanitize(name)
    )
}

/// Refuses a comparison with no activity on one side: the date is outside the history.
fn check_history(
    c: &Comparison,
    windows: &[crate::analysis::trends::Window],
) -> anyhow::Result<()> {
    let active = |i: usize| {
        c.metrics
            .iter()
            .find(|m| m.name == "active_people")
            .and_then(|m| if i == 0 { m.before } else { m.after })
            .unwrap_or(0.0)
    };
    let span = match (windows.first(), windows.last()) {
        (Some(f), Some(l)) => format!("the history runs from {} to {}", f.from, l.to),
        _ => "the history is empty".to_string(),
    };
    for (side, i) in [("before", 0), ("after", 1)] {
        if active(i) == 0.0 {
            anyhow::bail!(
                "nothing happened in the {} days {side} {}: {span}\n  fix: pick a date with activity on both sides (see `cargo guild trends`)",
                c.window_days,
                c.date
            );
        }
    }
    Ok(())
}

fn table(c: &Comparison) -> Table {
    let n = |x: Option<f64>| super::trends::num(x, 3);
    let mut t = Table::new([
        "metric",
        "before",
        "after",
        "change",
        "ci_low",
        "ci_high",
        "beyond_noise",
    ]);
    for m in &c.metrics {
        t.row(vec![
            m.name.clone(),
            n(m.before),
            n(m.after),
            n(m.change),
            n(m.ci_low),
            n(m.ci_high),
            if m.beyond_noise { "yes" } else { "no" }.to_string(),
        ]);
    }
    t
}
