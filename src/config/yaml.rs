//! The one module that knows YAML. `serde_yaml` is deprecated upstream but is the product's
//! choice, so every YAML read or write in the crate (guild.yml, doc front matter, the stored
//! GitHub history's metadata if any) goes through here and can be swapped in one place.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Serialize;

/// A YAML error with the file and, where the parser knows it, line and column (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for YamlError {}

/// Parses `text` (read from `file`) into `T`. `line_offset` is added to reported lines, for
/// YAML embedded in a larger file (front matter starts on line 2 of a doc).
pub fn from_str<T: DeserializeOwned>(
    text: &str,
    file: &Path,
    line_offset: usize,
) -> Result<T, YamlError> {
    serde_yaml::from_str(text).map_err(|e| {
        let loc = e.location();
        // serde_yaml prefixes positions to some messages ("... at line 3 column 5"); the
        // position is reported separately, so keep the message itself short.
        let mut message = e.to_string();
        if let Some(i) = message.find(" at line ") {
            message.truncate(i);
        }
        YamlError {
            file: file.to_path_buf(),
            line: loc.as_ref().map(|l| l.line() + line_offset),
            column: loc.as_ref().map(|l| l.column()),
            message,
        }
    })
}

/// Parses a YAML text into a generic value (for callers that walk untyped front matter).
pub fn value_from_str(
    text: &str,
    file: &Path,
    line_offset: usize,
) -> Result<serde_json::Value, YamlError> {
    from_str::<serde_json::Value>(text, file, line_offset)
}

/// Serialises `value` as YAML.
pub fn to_string<T: Serialize>(value: &T) -> anyhow::Result<String> {
    Ok(serde_yaml::to_string(value)?)
}

/// A YAML double-quoted scalar: safe for any text (quotes, colons, `#`, leading `-` or
/// `*`, `yes`/`no`, numbers all stay strings).
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            // Control characters, and what YAML reads as line breaks or a byte order mark.
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A YAML flow sequence of double-quoted strings: `["a", "b"]`.
pub fn flow_list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|s| quoted(s)).collect();
    format!("[{}]", items.join(", "))
}

/// A YAML scalar as a person would write it: plain where that reads back as the same string
/// (`Huss Eric`, `ehuss`), double-quoted otherwise (`"Windl, Ulrich"`, `"123"`, `"null"`).
pub fn scalar(s: &str) -> String {
    let plain = s.starts_with(|c: char| c.is_alphabetic())
        && !s.ends_with(' ')
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' '))
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n"
        );
    if plain {
        s.to_string()
    } else {
        quoted(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_strings_round_trip() {
        for s in [
            "plain",
            "a: b # c",
            "\"quoted\" and 'single'",
            "- leading dash",
            "yes",
            "123",
            "back\\slash",
            "tab\there",
            "ünïcödé 日本",
            "* star & anchor",
            "{{not handlebars}}",
        ] {
            let yaml = format!("v: {}\n", quoted(s));
            let v: std::collections::BTreeMap<String, String> =
                from_str(&yaml, std::path::Path::new("t"), 0).unwrap();
            assert_eq!(v["v"], s, "{yaml}");
        }
    }

    #[test]
    fn scalars_read_back_as_the_same_string() {
        for s in [
            "Huss Eric",
            "ehuss",
            "Windl, Ulrich",
            "123",
            "null",
            "Yes",
            "a: b",
            "Emir Sarı",
            " x",
        ] {
            let yaml = format!("v: {}\n", scalar(s));
            let v: std::collections::BTreeMap<String, String> =
                from_str(&yaml, std::path::Path::new("t"), 0).unwrap();
            assert_eq!(v["v"], s, "{yaml}");
        }
        assert_eq!(scalar("Huss Eric"), "Huss Eric");
    }
}
