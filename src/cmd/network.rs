//! `cargo guild network`: the review network as a table with its findings, as JSON (the
//! snapshot's `network`), or as DOT (Graphviz) and GraphML (Gephi, yEd, networkx).
//! The numbers come from `analysis::network`; this module only renders them.

use std::fmt::Write as _;
use std::io::Write as _;

use crate::analysis::network::{self, IsolateKind, Network};
use crate::cli::{GlobalOpts, NetworkArgs, NetworkFormat};
use crate::exit::Outcome;
use crate::render::table::Table;

pub fn execute(global: &GlobalOpts, args: NetworkArgs) -> anyhow::Result<Outcome> {
    // The snapshot's network, domains and all: brokers between domains are the same here as
    // in `context --json` and on the site.
    super::context::snapshot_only(
        global,
        &args.context,
        crate::snapshot::Parts {
            network: true,
            ..crate::snapshot::Parts::PEOPLE
        },
        |_, _| Ok(()),
        |community| show(community, &args),
    )
}

/// Prints the network in the format asked for.
fn show(community: &crate::snapshot::Community, args: &NetworkArgs) -> anyhow::Result<Outcome> {
    let net = &community.network;
    let mut out = super::stdout();
    match args.format {
        NetworkFormat::Json => super::print_json(net)?,
        NetworkFormat::Dot => out.write_all(crate::render::graph::dot(net).as_bytes())?,
        NetworkFormat::Graphml => out.write_all(crate::render::graph::graphml(net).as_bytes())?,
        NetworkFormat::Table => write_table(net, &mut out)?,
    }
    out.flush()?;
    Ok(Outcome::Ok)
}

fn f3(x: f64) -> String {
    format!("{x:.3}")
}

/// People by betweenness, then the community-level numbers and the findings.
fn write_table(net: &Network, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    let mut people: Vec<_> = net.people.iter().collect();
    people.sort_by(|(a_id, a), (b_id, b)| {
        b.metrics
            .betweenness
            .total_cmp(&a.metrics.betweenness)
            .then_with(|| b.metrics.weighted_degree.cmp(&a.metrics.weighted_degree))
            .then_with(|| a_id.cmp(b_id))
    });
    let mut t = Table::new([
        "id",
        "name",
        "in",
        "out",
        "weighted",
        "betweenness",
        "closeness",
        "clustering",
        "component",
    ]);
    for (id, p) in people {
        let m = &p.metrics;
        t.row(vec![
            id.clone(),
            p.name.clone(),
            m.in_degree.to_string(),
            m.out_degree.to_string(),
            m.weighted_degree.to_string(),
            f3(m.betweenness),
            f3(m.closeness),
            f3(m.clustering),
            m.component.to_string(),
        ]);
    }
    t.write_text(out)?;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\n{} people, {} ties; density {}, transitivity {}, {} component(s), the largest with {}",
        net.people.len(),
        net.edges.len(),
        f3(net.density),
        f3(net.transitivity),
        net.components,
        net.largest_component
    );
    if !net.articulation_points.is_empty() {
        let _ = writeln!(
            s,
            "articulation points (leaving would split the network): {}",
            net.articulation_points.join(", ")
        );
    }
    if !net.brokers.is_empty() {
        let _ = writeln!(
            s,
            "\nknowledge brokers (betweenness ≥ {}):",
            network::BROKER_MIN_BETWEENNESS
        );
        for b in &net.brokers {
            let mut notes = Vec::new();
            if b.articulation_point {
                notes.push("articulation point".to_string());
            }
            if b.between_domains {
                notes.push(format!("between domains {}", b.domains.join(", ")));
            }
            let notes = if notes.is_empty() {
                String::new()
            } else {
                format!(" ({})", notes.join("; "))
            };
            let _ = writeln!(s, "  {}  {}{}", b.id, f3(b.betweenness), notes);
        }
    }
    if !net.isolates.is_empty() {
        let _ = writeln!(s, "\nisolates:");
        for i in &net.isolates {
            match (i.kind, &i.reviewer) {
                (IsolateKind::SingleReviewer, Some(r)) => {
                    let _ = writeln!(s, "  {}  only ever reviewed by {r}", i.id);
                }
                _ => {
                    let _ = writeln!(s, "  {}  no review ties", i.id);
                }
            }
        }
    }
    if !net.isolated_groups.is_empty() {
        let _ = writeln!(s, "\nisolated groups (no tie to the largest component):");
        for g in &net.isolated_groups {
            let _ = writeln!(s, "  {}", g.join(", "));
        }
    }
    if !net.reciprocity_rings.is_empty() {
        let _ = writeln!(
            s,
            "\nreciprocity rings (pairs who review almost only each other):"
        );
        for r in &net.reciprocity_rings {
            let _ = writeln!(
                s,
                "  {} ⇄ {}  ({} and {} pieces of work)",
                r.people[0], r.people[1], r.weights[0], r.weights[1]
            );
        }
    }
    if !net.reverse_mentorship.is_empty() {
        let _ = writeln!(
            s,
            "\nreverse mentorship (joined later, knows the domain better, reviews an earlier member):"
        );
        let mut ties: Vec<_> = net.reverse_mentorship.iter().collect();
        ties.sort_by(|a, b| b.reviews.cmp(&a.reviews).then(a.mentor.cmp(&b.mentor)));
        for t in ties.iter().take(10) {
            let _ = writeln!(
                s,
                "  {} → {} in {}  ({} piece(s) of work)",
                t.mentor, t.mentee, t.domain, t.reviews
            );
        }
        if ties.len() > 10 {
            let _ = writeln!(s, "  ... and {} more (--format json)", ties.len() - 10);
        }
    }
    // Ids come from history: never print control characters (terminal escapes) raw.
    let s: String = s
        .split('\n')
        .map(crate::render::table::sanitize)
        .collect::<Vec<_>>()
        .join("\n");
    out.write_all(s.as_bytes())?;
    Ok(())
}
