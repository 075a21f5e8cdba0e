//! `cargo guild network`: the review network as a table with its findings, as JSON (the
//! snapshot's `network`), or as DOT (Graphviz) and GraphML (Gephi, yEd, networkx).
//! The numbers come from `analysis::network`; this module only renders them.

use std::fmt::Write as _;
use std::io::Write as _;

use crate::analysis::network::{self, IsolateKind, Network};
use crate::cli::{GlobalOpts, NetworkArgs, NetworkFormat};
use crate::exit::Outcome;
use crate::render::table::Table;
use crate::snapshot::Display;

pub fn execute(global: &GlobalOpts, args: NetworkArgs) -> anyhow::Result<Outcome> {
    let session = super::Session::open(global)?;
    let ledger = session.ledger()?;
    let display = Display::new(&ledger);
    // Domains per event are not known here until `analysis::domains` lands; brokers are
    // then marked as between domains.
    let net = network::analyse(&ledger, None, &display.ids, &display.names);
    let mut out = super::stdout();
    match args.format {
        NetworkFormat::Json => super::print_json(&net)?,
        NetworkFormat::Dot => out.write_all(dot(&net).as_bytes())?,
        NetworkFormat::Graphml => out.write_all(graphml(&net).as_bytes())?,
        NetworkFormat::Table => write_table(&net, &mut out)?,
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
    // Ids come from history: never print control characters (terminal escapes) raw.
    let s: String = s
        .split('\n')
        .map(crate::render::table::sanitize)
        .collect::<Vec<_>>()
        .join("\n");
    out.write_all(s.as_bytes())?;
    Ok(())
}

/// A DOT quoted string: backslashes and quotes escaped, control characters (which could
/// end the line or confuse a terminal) replaced.
fn dot_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Graphviz DOT: a digraph, node labels are display names, edge width grows with weight.
pub fn dot(net: &Network) -> String {
    let mut s = String::from("digraph review_network {\n");
    s.push_str("  graph [overlap=false, splines=true];\n");
    s.push_str("  node [shape=ellipse, fontname=\"Helvetica\"];\n");
    s.push_str("  edge [color=\"#555555\"];\n");
    for (id, p) in &net.people {
        let m = &p.metrics;
        let _ = writeln!(
            s,
            "  {} [label={}, betweenness={}, component={}{}];",
            dot_str(id),
            dot_str(&p.name),
            m.betweenness,
            m.component,
            if m.articulation_point {
                ", penwidth=2"
            } else {
                ""
            }
        );
    }
    for e in &net.edges {
        let _ = writeln!(
            s,
            "  {} -> {} [weight={}, penwidth={:.2}, label=\"{}\"];",
            dot_str(&e.from),
            dot_str(&e.to),
            e.weight,
            1.0 + (e.weight as f64).ln(),
            e.weight
        );
    }
    s.push_str("}\n");
    s
}

/// XML text: the five entities escaped, characters XML 1.0 forbids dropped.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// GraphML with every node metric as an attribute, readable by Gephi, yEd and networkx.
pub fn graphml(net: &Network) -> String {
    const NODE_KEYS: [(&str, &str); 10] = [
        ("label", "string"),
        ("in_degree", "int"),
        ("out_degree", "int"),
        ("weighted_in", "int"),
        ("weighted_out", "int"),
        ("weighted_degree", "int"),
        ("betweenness", "double"),
        ("closeness", "double"),
        ("clustering", "double"),
        ("component", "int"),
    ];
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns \
         http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n",
    );
    for (k, ty) in NODE_KEYS {
        let _ = writeln!(
            s,
            "  <key id=\"{k}\" for=\"node\" attr.name=\"{k}\" attr.type=\"{ty}\"/>"
        );
    }
    s.push_str(
        "  <key id=\"articulation_point\" for=\"node\" attr.name=\"articulation_point\" attr.type=\"boolean\"/>\n",
    );
    s.push_str("  <key id=\"weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n");
    s.push_str("  <graph id=\"review_network\" edgedefault=\"directed\">\n");
    for (id, p) in &net.people {
        let m = &p.metrics;
        let _ = writeln!(s, "    <node id=\"{}\">", xml(id));
        let values = [
            xml(&p.name),
            m.in_degree.to_string(),
            m.out_degree.to_string(),
            m.weighted_in.to_string(),
            m.weighted_out.to_string(),
            m.weighted_degree.to_string(),
            m.betweenness.to_string(),
            m.closeness.to_string(),
            m.clustering.to_string(),
            m.component.to_string(),
        ];
        for ((k, _), v) in NODE_KEYS.iter().zip(values) {
            let _ = writeln!(s, "      <data key=\"{k}\">{v}</data>");
        }
        let _ = writeln!(
            s,
            "      <data key=\"articulation_point\">{}</data>",
            m.articulation_point
        );
        s.push_str("    </node>\n");
    }
    for (i, e) in net.edges.iter().enumerate() {
        let _ = writeln!(
            s,
            "    <edge id=\"e{i}\" source=\"{}\" target=\"{}\"><data key=\"weight\">{}</data></edge>",
            xml(&e.from),
            xml(&e.to),
            e.weight
        );
    }
    s.push_str("  </graph>\n</graphml>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_are_escaped() {
        assert_eq!(dot_str("a\"b\\c\nd"), "\"a\\\"b\\\\c d\"");
        assert_eq!(xml("<x a='1'>&\u{1b}"), "&lt;x a=&apos;1&apos;&gt;&amp;");
    }
}
