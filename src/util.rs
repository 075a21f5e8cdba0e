//! Small helpers shared by every stage: atomic writes, slugs, dates.

use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;
use chrono::{DateTime, NaiveDate, Utc};

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, then a rename,
/// so a reader never sees half a file and a failure leaves the old one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = temp_beside(dir, name);
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write {}", path.display()))
}

/// Where a file `name` in `dir` is written before it is renamed into place: hidden, and
/// named after this process, so that two runs never write the same temporary file.
pub fn temp_beside(dir: &Path, name: &str) -> std::path::PathBuf {
    dir.join(format!(".{name}.tmp-{}", std::process::id()))
}

/// A lowercase ASCII slug: unicode transliterated, everything else folded into `-`.
/// Never empty (falls back to `fallback`), never contains a path separator or `..`.
pub fn slug(text: &str, fallback: &str) -> String {
    let ascii = deunicode::deunicode(text);
    let mut out = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.len() > 80 {
        out.truncate(80);
        while out.ends_with('-') {
            out.pop();
        }
    }
    if out.is_empty() {
        fallback.to_string()
    } else {
        out
    }
}

/// RFC 3339 (`2024-05-01T12:00:00Z`, GitHub's timestamps) → Unix seconds. The one parser.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|d| d.timestamp())
}

/// How many threads to split work over: the cores available, at most `max` (and at least 1).
/// The one place that asks, so every parallel stage agrees.
pub fn threads(max: usize) -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, max.max(1))
}

/// Parses `YYYY-MM-DD` into the Unix time of that day's start (UTC).
pub fn parse_date(s: &str) -> anyhow::Result<i64> {
    let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        anyhow::anyhow!("`{s}` is not a date\n  fix: write it as YYYY-MM-DD, e.g. 2024-05-01")
    })?;
    Ok(d.and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp())
        .unwrap_or(0))
}

/// RFC 3339 UTC timestamp (`2024-05-01T12:00:00Z`).
pub fn rfc3339(t: i64) -> String {
    use chrono::Timelike as _;
    DateTime::<Utc>::from_timestamp(t, 0)
        .map(|d| match four_digit_date(&d) {
            Some(date) => format!(
                "{date}T{:02}:{:02}:{:02}Z",
                d.hour(),
                d.minute(),
                d.second()
            ),
            None => d.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        })
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into())
}

/// `YYYY-MM-DD` for a year of four digits, written directly: the snapshot writes a date for
/// every person and badge, and chrono parsing its format string each time was a fifth of
/// awarding badges on tokio. Other years (chrono writes `+10000`, `-0001`) are chrono's.
fn four_digit_date(d: &DateTime<Utc>) -> Option<String> {
    use chrono::Datelike as _;
    (0..=9999)
        .contains(&d.year())
        .then(|| format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()))
}

/// (year, month) of a Unix time (UTC).
pub fn year_month(t: i64) -> (i32, u32) {
    use chrono::Datelike as _;
    DateTime::<Utc>::from_timestamp(t, 0)
        .map(|d| (d.year(), d.month()))
        .unwrap_or((1970, 1))
}

/// `YYYY-MM-DD` of a Unix time (UTC).
pub fn day(t: i64) -> String {
    DateTime::<Utc>::from_timestamp(t, 0)
        .map(|d| four_digit_date(&d).unwrap_or_else(|| d.format("%Y-%m-%d").to_string()))
        .unwrap_or_else(|| "1970-01-01".into())
}

/// The UTC calendar day of Unix seconds `t` (the epoch's when out of range).
pub fn date_of(t: i64) -> chrono::NaiveDate {
    DateTime::<Utc>::from_timestamp(t, 0)
        .map(|d| d.date_naive())
        .unwrap_or_default()
}

/// Days since the epoch (UTC), for daily caps.
pub fn day_number(t: i64) -> i64 {
    t.div_euclid(86_400)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_as_chrono_writes_them() {
        for t in [
            0,
            1,
            -1,
            951_782_400, // 2000-02-29
            1_700_000_000,
            253_402_300_799, // 9999-12-31T23:59:59
            253_402_300_800, // +10000-01-01
            -62_135_596_801, // -0001-12-31T23:59:59
            -62_167_219_200, // 0000-01-01
            i64::MAX,
        ] {
            let chrono = DateTime::<Utc>::from_timestamp(t, 0);
            let want = chrono.map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string());
            assert_eq!(
                rfc3339(t),
                want.unwrap_or_else(|| "1970-01-01T00:00:00Z".into()),
                "{t}"
            );
            let want = chrono.map(|d| d.format("%Y-%m-%d").to_string());
            assert_eq!(day(t), want.unwrap_or_else(|| "1970-01-01".into()), "{t}");
        }
    }

    #[test]
    fn slugs_are_safe() {
        assert_eq!(slug("Héllo, Wörld!", "x"), "hello-world");
        assert_eq!(slug("../../etc/passwd", "x"), "etc-passwd");
        assert_eq!(slug("日本語", "x"), "ri-ben-yu");
        assert_eq!(slug("///", "doc"), "doc");
    }
}

/// FNV-1a: a fast hash for short keys such as paths or (person, day) pairs (HashDoS is not a concern for data read
/// from the user's own repository).
#[derive(Clone, Copy)]
pub struct FnvHasher(u64);

impl Default for FnvHasher {
    fn default() -> Self {
        FnvHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

pub type FnvMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<FnvHasher>>;
pub type FnvSet<K> = std::collections::HashSet<K, std::hash::BuildHasherDefault<FnvHasher>>;

/// A small deterministic generator (xorshift64) for random graphs in tests and benchmarks:
/// the same seed gives the same graph on every machine. Not for anything secret.
pub struct XorShift(pub u64);

impl XorShift {
    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Returns the memory this process freed to the system at once (mimalloc, the binary's
/// allocator, otherwise keeps freed pages for a while in case they are needed again). Does
/// nothing where the allocator is another one (the tests').
pub fn return_freed_memory() {
    // SAFETY: `mi_collect` may be called at any time from any thread.
    unsafe { libmimalloc_sys::mi_collect(true) };
}
