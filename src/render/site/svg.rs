//! Charts and the review network, drawn as inline SVG at build time: no script, no request,
//! readable by screen readers (`role="img"`, `<title>` and `<desc>`), coloured through CSS
//! classes so the light and dark themes both apply (a strict Content-Security-Policy forbids
//! inline `style` attributes, so none are written).
//!
//! The network layout is a deterministic Fruchterman–Reingold: fixed start on a circle in
//! input order, a fixed number of iterations, no randomness, so a rebuild draws the same
//! picture.

use std::fmt::Write as _;

use super::markdown::escape;

/// One series of a bar chart.
pub struct Series<'a> {
    pub label: &'a str,
    /// CSS class of its bars (`s0`, `s1`).
    pub class: &'a str,
    /// One per label; fewer when the later ones are unknown (not drawn, not described).
    pub values: Vec<u64>,
}

/// A grouped bar chart over `labels` (months), with a title and a text description that
/// repeats the numbers for screen readers.
pub fn bars(id: &str, title: &str, labels: &[String], series: &[Series<'_>]) -> String {
    let (w, h, left, bottom, top) = (720.0, 220.0, 40.0, 36.0, 12.0);
    let n = labels.len().max(1) as f64;
    let max = nice_max(
        series
            .iter()
            .flat_map(|s| s.values.iter().copied())
            .max()
            .unwrap_or(0),
    ) as f64;
    let plot_w = w - left - 8.0;
    let plot_h = h - bottom - top;
    let group = plot_w / n;
    let bar = (group * 0.8 / series.len().max(1) as f64).max(1.0);
    let mut s = String::new();
    let mut desc = String::new();
    for (i, l) in labels.iter().enumerate() {
        let parts: Vec<String> = series
            .iter()
            .filter_map(|se| Some(format!("{} {}", se.values.get(i)?, se.label)))
            .collect();
        let _ = write!(desc, "{l}: {}. ", parts.join(", "));
    }
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        escape(title),
        escape(desc.trim_end())
    );
    // Grid lines at 0, half (when a whole number) and max.
    let fracs: &[f64] = if max >= 2.0 {
        &[0.0, 0.5, 1.0]
    } else {
        &[0.0, 1.0]
    };
    for &frac in fracs {
        let y = top + plot_h * (1.0 - frac);
        let _ = write!(
            s,
            r#"<line class="grid" x1="{left}" x2="{}" y1="{y:.1}" y2="{y:.1}"/><text class="axis" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            w - 8.0,
            left - 4.0,
            y + 4.0,
            (max * frac).round() as u64
        );
    }
    let every = (labels.len() / 8).max(1);
    for (i, l) in labels.iter().enumerate() {
        let gx = left + group * i as f64 + group * 0.1;
        for (k, se) in series.iter().enumerate() {
            // A series shorter than the labels is not known there: nothing is drawn.
            let Some(&v) = se.values.get(i) else { continue };
            let v = v as f64;
            let bh = plot_h * v / max;
            let _ = write!(
                s,
                r#"<rect class="{}" x="{:.1}" y="{:.1}" width="{bar:.1}" height="{bh:.1}"><title>{}: {} {}</title></rect>"#,
                se.class,
                gx + bar * k as f64,
                top + plot_h - bh,
                escape(l),
                v as u64,
                escape(se.label)
            );
        }
        if i % every == 0 {
            let _ = write!(
                s,
                r#"<text class="axis" x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
                left + group * i as f64 + group / 2.0,
                h - bottom + 16.0,
                escape(l)
            );
        }
    }
    // Legend.
    let mut lx = left;
    for se in series {
        let _ = write!(
            s,
            r#"<rect class="{}" x="{lx}" y="{}" width="10" height="10"/><text class="axis" x="{}" y="{}">{}</text>"#,
            se.class,
            h - 12.0,
            lx + 14.0,
            h - 3.0,
            escape(se.label)
        );
        lx += 24.0 + 7.0 * se.label.len() as f64;
    }
    s.push_str("</svg>");
    s
}

/// The axis maximum: the smallest 1, 2, 4, 6 or 8 × 10^k at or above `max` (at least 1), so
/// the half-way grid line is a whole number too.
fn nice_max(max: u64) -> u64 {
    let mut step = 1u64;
    loop {
        for m in [1, 2, 4, 6, 8] {
            if m * step >= max {
                return (m * step).max(1);
            }
        }
        step = step.saturating_mul(10);
    }
}

/// A node of the network drawing.
pub struct Node {
    pub label: String,
    /// Whether the drawing names this node, and in which order (0 first): a label that would
    /// overlap one placed before it is left out.
    pub label_rank: Option<usize>,
    /// Radius driver (reputation); drawn with a square-root scale.
    pub weight: f64,
    /// CSS class for the colour (`d0`..`d7`, `dn` for none).
    pub class: String,
    pub broker: bool,
}

/// Positions in the unit square for `n` nodes and weighted undirected edges.
pub fn layout(n: usize, edges: &[(usize, usize, f64)], iterations: usize) -> Vec<(f64, f64)> {
    if n == 0 {
        return Vec::new();
    }
    let mut pos: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let a = i as f64 * std::f64::consts::TAU / n as f64;
            // A slight spiral so that nodes of a circle do not start symmetric.
            let r = 0.35 + 0.1 * (i % 7) as f64 / 7.0;
            (0.5 + r * a.cos(), 0.5 + r * a.sin())
        })
        .collect();
    let k = (1.0 / n as f64).sqrt();
    let mut temp = 0.1;
    let cool = temp / (iterations.max(1) as f64 + 1.0);
    let mut disp = vec![(0.0f64, 0.0f64); n];
    for _ in 0..iterations {
        disp.iter_mut().for_each(|d| *d = (0.0, 0.0));
        for i in 0..n {
            for j in (i + 1)..n {
                let dx = pos[i].0 - pos[j].0;
                let dy = pos[i].1 - pos[j].1;
                let d2 = (dx * dx + dy * dy).max(1e-6);
                let f = k * k / d2;
                disp[i].0 += dx * f;
                disp[i].1 += dy * f;
                disp[j].0 -= dx * f;
                disp[j].1 -= dy * f;
            }
        }
        for &(a, b, w) in edges {
            let dx = pos[a].0 - pos[b].0;
            let dy = pos[a].1 - pos[b].1;
            let d = (dx * dx + dy * dy).sqrt().max(1e-3);
            let f = d / k * (1.0 + w.ln_1p()) * 0.5;
            disp[a].0 -= dx * f;
            disp[a].1 -= dy * f;
            disp[b].0 += dx * f;
            disp[b].1 += dy * f;
        }
        for i in 0..n {
            // Gravity towards the centre keeps isolated parts on the canvas.
            disp[i].0 += (0.5 - pos[i].0) * 0.5;
            disp[i].1 += (0.5 - pos[i].1) * 0.5;
            let len = (disp[i].0 * disp[i].0 + disp[i].1 * disp[i].1).sqrt();
            if len > 0.0 {
                let step = len.min(temp);
                pos[i].0 += disp[i].0 / len * step;
                pos[i].1 += disp[i].1 / len * step;
            }
        }
        temp -= cool;
    }
    // Fit to the unit square with a margin.
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for p in &pos {
        x0 = x0.min(p.0);
        y0 = y0.min(p.1);
        x1 = x1.max(p.0);
        y1 = y1.max(p.1);
    }
    let sx = (x1 - x0).max(1e-9);
    let sy = (y1 - y0).max(1e-9);
    pos.iter()
        .map(|p| (0.06 + 0.88 * (p.0 - x0) / sx, 0.06 + 0.88 * (p.1 - y0) / sy))
        .collect()
}

/// The review network as SVG: edges, then circles, then the labels of the most central
/// people, each on a halo, placed where it overlaps no other label (tried below, above,
/// right and left of its circle; left out when nowhere fits). The picture is one image
/// (`role="img"`): nothing inside it is interactive, the tables below link every person.
/// `classes` are the edges' classes, in the order of `edges` (none when shorter).
pub fn network(
    title: &str,
    nodes: &[Node],
    edges: &[(usize, usize, f64)],
    classes: &[String],
) -> String {
    let (w, h) = (900.0, 640.0);
    let pos = layout(nodes.len(), edges, 200);
    let max_w = nodes.iter().map(|n| n.weight).fold(1.0, f64::max);
    let radius = |n: &Node| 4.0 + 14.0 * (n.weight / max_w).sqrt();
    let mut s = String::new();
    let named = nodes.iter().filter(|n| n.label_rank.is_some()).count();
    let _ = write!(
        s,
        r#"<svg class="network" viewBox="0 0 {w} {h}" role="img" aria-labelledby="net-t net-d" xmlns="http://www.w3.org/2000/svg"><title id="net-t">{}</title><desc id="net-d">{} people and {} review ties, the {named} most central named; the tables below list every number.</desc><g class="edges">"#,
        escape(title),
        nodes.len(),
        edges.len()
    );
    for (i, &(a, b, wt)) in edges.iter().enumerate() {
        let class = match classes.get(i) {
            Some(c) if !c.is_empty() => format!(r#" class="{}""#, escape(c)),
            _ => String::new(),
        };
        let _ = write!(
            s,
            r#"<line{class} x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke-width="{:.1}"/>"#,
            pos[a].0 * w,
            pos[a].1 * h,
            pos[b].0 * w,
            pos[b].1 * h,
            (0.6 + wt.ln_1p()).min(4.0)
        );
    }
    s.push_str("</g><g class=\"nodes\">");
    for (i, n) in nodes.iter().enumerate() {
        let (x, y) = (pos[i].0 * w, pos[i].1 * h);
        let _ = write!(
            s,
            r#"<circle class="{}{}" cx="{x:.1}" cy="{y:.1}" r="{:.1}"><title>{}{}</title></circle>"#,
            escape(&n.class),
            if n.broker { " broker" } else { "" },
            radius(n),
            escape(&n.label),
            if n.broker { " (knowledge broker)" } else { "" },
        );
    }
    s.push_str("</g><g class=\"labels\">");
    let mut order: Vec<(usize, usize)> = nodes
        .iter()
        .enumerate()
        .filter_map(|(i, n)| Some((n.label_rank?, i)))
        .collect();
    order.sort_unstable();
    for (x, y, text) in place_labels(&order, nodes, &pos, (w, h), radius) {
        let _ = write!(
            s,
            r#"<text x="{x:.1}" y="{y:.1}" text-anchor="middle">{}</text>"#,
            escape(text)
        );
    }
    s.push_str("</g></svg>");
    s
}

/// The font size of labels in the drawing's units, and the width of a character.
const LABEL_SIZE: f64 = 15.0;
const CHAR_W: f64 = 0.6 * LABEL_SIZE;

/// Where each label goes (its text's centre-bottom), in `order`, skipping any that would
/// overlap a label already placed or leave the canvas.
fn place_labels<'a>(
    order: &[(usize, usize)],
    nodes: &'a [Node],
    pos: &[(f64, f64)],
    (w, h): (f64, f64),
    radius: impl Fn(&Node) -> f64,
) -> Vec<(f64, f64, &'a str)> {
    // Every circle is in the way too: a label on a circle is hard to read (and a contrast
    // checker reads it against the circle's colour).
    let mut boxes: Vec<(f64, f64, f64, f64)> = nodes
        .iter()
        .zip(pos)
        .map(|(n, p)| {
            let r = radius(n);
            let (x, y) = (p.0 * w, p.1 * h);
            (x - r, y - r, x + r, y + r)
        })
        .collect();
    let mut out = Vec::new();
    for &(_, i) in order {
        let n = &nodes[i];
        let label = n.label.as_str();
        let tw = CHAR_W * label.chars().count().min(40) as f64 + 6.0;
        let th = LABEL_SIZE + 2.0;
        let (cx, cy) = (pos[i].0 * w, pos[i].1 * h);
        let r = radius(n);
        // Baselines: below, above, right, left of the circle, then the four corners; each
        // tried close to the circle first, then a little further out.
        let spots = (0..4).flat_map(|step| {
            let gap = 2.0 + 9.0 * f64::from(step);
            let (dx, dy) = (r * 0.7 + gap + tw / 2.0, r * 0.7 + gap);
            [
                (cx, cy + r + gap + th - 2.0),
                (cx, cy - r - gap - 2.0),
                (cx + r + gap + 2.0 + tw / 2.0, cy + LABEL_SIZE / 3.0),
                (cx - r - gap - 2.0 - tw / 2.0, cy + LABEL_SIZE / 3.0),
                (cx + dx, cy + dy + th),
                (cx - dx, cy + dy + th),
                (cx + dx, cy - dy - 4.0),
                (cx - dx, cy - dy - 4.0),
            ]
        });
        for (x, y) in spots {
            let b = (x - tw / 2.0, y - th + 3.0, x + tw / 2.0, y + 3.0);
            let inside = b.0 >= 0.0 && b.1 >= 0.0 && b.2 <= w && b.3 <= h;
            let free = boxes
                .iter()
                .all(|o| b.2 <= o.0 || o.2 <= b.0 || b.3 <= o.1 || o.3 <= b.1);
            if inside && free {
                boxes.push(b);
                out.push((x, y, label));
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_deterministic_and_inside_the_canvas() {
        let edges = [(0, 1, 2.0), (1, 2, 1.0), (3, 4, 1.0)];
        let a = layout(6, &edges, 100);
        assert_eq!(a, layout(6, &edges, 100));
        assert!(a
            .iter()
            .all(|p| (0.0..=1.0).contains(&p.0) && (0.0..=1.0).contains(&p.1)));
        // Connected nodes end up closer than the average pair.
        let d = |i: usize, j: usize| ((a[i].0 - a[j].0).powi(2) + (a[i].1 - a[j].1).powi(2)).sqrt();
        assert!(d(0, 1) < d(0, 4), "{a:?}");
    }

    #[test]
    fn labels_never_overlap() {
        // Ten nodes on one spot: the labels that fit around it overlap neither each other
        // nor the circle.
        let nodes: Vec<Node> = (0..10)
            .map(|i| Node {
                label: format!("Person number {i}"),
                label_rank: Some(i),
                weight: 1.0,
                class: "dn".into(),
                broker: false,
            })
            .collect();
        let pos = vec![(0.5, 0.5); 10];
        let order: Vec<(usize, usize)> = (0..10).map(|i| (i, i)).collect();
        let placed = place_labels(&order, &nodes, &pos, (900.0, 640.0), |_| 5.0);
        assert!(!placed.is_empty());
        assert_eq!(placed[0].2, "Person number 0", "the most central first");
        for (i, a) in placed.iter().enumerate() {
            for b in &placed[i + 1..] {
                let wa = CHAR_W * a.2.len() as f64 / 2.0;
                let wb = CHAR_W * b.2.len() as f64 / 2.0;
                let apart_x = (a.0 - b.0).abs() >= wa + wb;
                let apart_y = (a.1 - b.1).abs() >= LABEL_SIZE;
                assert!(apart_x || apart_y, "{a:?} overlaps {b:?}");
            }
        }
    }

    #[test]
    fn axis_maxima_are_round() {
        assert_eq!([0, 1, 3, 7, 11, 600].map(nice_max), [1, 1, 4, 8, 20, 600]);
    }

    #[test]
    fn chart_text_is_escaped() {
        let svg = bars(
            "c",
            "<script>",
            &["<b>".to_string()],
            &[Series {
                label: "x\"y",
                class: "s0",
                values: vec![3],
            }],
        );
        assert!(!svg.contains("<script>") && !svg.contains("<b>") && !svg.contains("x\"y"));
    }
}
