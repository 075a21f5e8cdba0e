//! Graph formats of the review network: Graphviz DOT and GraphML (Gephi, yEd, networkx).
//! They render the snapshot's `network`; they compute nothing.

use std::fmt::Write as _;

use crate::analysis::network::Network;

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

/// GraphML text: XML-escaped, on one line (tabs and line breaks become spaces).
fn xml(s: &str) -> String {
    super::escape_xml(&s.replace(['\t', '\n', '\r'], " "))
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
        assert_eq!(xml("<x a='1'>&\u{1b}\nz"), "&lt;x a=&#39;1&#39;&gt;&amp; z");
    }
}
