//! Plain terminal tables and CSV, for people-like rows.

use std::io::Write;

/// A table: a header and rows of cells, printed aligned (numbers right-aligned).
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new<S: Into<String>>(header: impl IntoIterator<Item = S>) -> Table {
        Table {
            header: header.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// Aligned columns separated by two spaces.
    pub fn write_text(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let width = |s: &str| s.chars().count();
        let mut widths: Vec<usize> = self.header.iter().map(|h| width(h)).collect();
        let numeric: Vec<bool> = (0..self.header.len())
            .map(|c| {
                !self.rows.is_empty()
                    && self.rows.iter().all(|r| {
                        r.get(c)
                            .is_some_and(|v| v.parse::<f64>().is_ok() || v.is_empty())
                    })
            })
            .collect();
        for r in &self.rows {
            for (i, cell) in r.iter().enumerate() {
                if i < widths.len() {
                    widths[i] = widths[i].max(width(&sanitize(cell)));
                }
            }
        }
        let line = |cells: &[String], out: &mut dyn Write| -> std::io::Result<()> {
            let mut s = String::new();
            for (i, cell) in cells.iter().enumerate() {
                let cell = sanitize(cell);
                let pad = widths[i].saturating_sub(width(&cell));
                if i > 0 {
                    s.push_str("  ");
                }
                if numeric[i] {
                    s.push_str(&" ".repeat(pad));
                    s.push_str(&cell);
                } else {
                    s.push_str(&cell);
                    if i + 1 < cells.len() {
                        s.push_str(&" ".repeat(pad));
                    }
                }
            }
            writeln!(out, "{}", s.trim_end())
        };
        line(&self.header, out)?;
        for r in &self.rows {
            line(r, out)?;
        }
        Ok(())
    }

    /// CSV for `--format csv`, aligned text otherwise (JSON is the caller's: it prints
    /// typed rows, not cells).
    pub fn write(
        &self,
        format: crate::cli::TableFormat,
        out: &mut dyn Write,
    ) -> std::io::Result<()> {
        if format == crate::cli::TableFormat::Csv {
            self.write_csv(out)
        } else {
            self.write_text(out)
        }
    }

    /// RFC 4180 CSV.
    pub fn write_csv(&self, out: &mut dyn Write) -> std::io::Result<()> {
        for r in std::iter::once(&self.header).chain(&self.rows) {
            let cells: Vec<String> = r.iter().map(|c| csv_cell(c)).collect();
            writeln!(out, "{}", cells.join(","))?;
        }
        Ok(())
    }
}

/// Names from history may hold control characters (terminal escapes): never print them raw.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

fn csv_cell(s: &str) -> String {
    let s = sanitize(s);
    // Cells starting with = + - @ are formulas in spreadsheets: quote-prefix them.
    let s = if s.starts_with(['=', '+', '-', '@']) && s.parse::<f64>().is_err() {
        format!("'{s}")
    } else {
        s
    };
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}
