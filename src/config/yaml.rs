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
