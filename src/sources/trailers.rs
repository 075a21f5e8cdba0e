//! Commit message parsing: the summary line and the trailer block (`Key: value` lines in the
//! last paragraph), following git's own rules closely enough that `git interpret-trailers`
//! and we agree on real histories. Only the keys cargo guild scores are kept.

/// The trailer keys that produce events (compared case-insensitively).
pub const KNOWN_KEYS: &[&str] = &[
    "Reviewed-by",
    "Acked-by",
    "Tested-by",
    "Reported-by",
    "Suggested-by",
    "Helped-by",
    "Mentored-by",
    "Co-authored-by",
    "Signed-off-by",
];

/// How much of a message's end is searched for trailers; a bigger message is cut (its trailers
/// sit at the end) so that a pathological commit cannot make a run slow.
const TRAILER_WINDOW: usize = 64 * 1024;
/// Longest summary kept, in bytes (cut on a character boundary).
const SUMMARY_MAX: usize = 1000;

/// The first line of a message, lossily decoded, trimmed and bounded.
pub fn summary(raw: &[u8]) -> String {
    let end = raw.iter().position(|&b| b == b'\n').unwrap_or(raw.len());
    let line = &raw[..end.min(SUMMARY_MAX * 4)];
    let mut s = String::from_utf8_lossy(line).trim().to_string();
    if s.len() > SUMMARY_MAX {
        let mut cut = SUMMARY_MAX;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push('…');
    }
    s
}

/// The first line of the second paragraph, if any (bounded like the summary).
pub fn body_title(raw: &[u8]) -> Option<String> {
    let head = &raw[..raw.len().min(16 * 1024)];
    let text = String::from_utf8_lossy(head);
    let rest = &text[text.find("\n\n")? + 2..];
    let line = rest.lines().map(str::trim).find(|l| !l.is_empty())?;
    Some(summary(line.as_bytes())).filter(|s| !s.is_empty())
}

/// The known trailers of a message, in order.
pub fn parse(raw: &[u8]) -> Vec<(usize, String)> {
    let start = raw.len().saturating_sub(TRAILER_WINDOW);
    let window = &raw[start..];
    // The first paragraph is the subject: never trailers.
    let body_start = if start == 0 {
        match find(window, b"\n\n") {
            Some(i) => i + 2,
            None => return Vec::new(),
        }
    } else {
        0
    };
    let body = window[body_start..].trim_ascii_end();
    // Only the last paragraph can hold trailers: decode just that.
    let last = rfind(body, b"\n\n").map(|i| i + 2).unwrap_or(0);
    if !body[last..].contains(&b':') {
        return Vec::new();
    }
    let para = String::from_utf8_lossy(&body[last..]);
    let para = para.as_ref();
    if para.trim().is_empty() {
        return Vec::new();
    }
    let mut lines: Vec<(Option<(String, String)>, bool)> = Vec::new();
    for line in para.lines() {
        if line.starts_with([' ', '\t']) {
            // Continuation of the previous trailer's value.
            if let Some((Some((_, v)), _)) = lines.last_mut() {
                v.push(' ');
                v.push_str(line.trim());
                continue;
            }
        }
        lines.push((split_trailer(line), false));
    }
    let total = lines.len();
    let trailer_count = lines.iter().filter(|(t, _)| t.is_some()).count();
    let known: Vec<(usize, String)> = lines
        .into_iter()
        .filter_map(|(t, _)| t)
        .filter_map(|(k, v)| key_index(&k).map(|i| (i, v)))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    // git: a trailer block is all trailers, or at least 25% trailers with a recognised one.
    if trailer_count == total || (!known.is_empty() && trailer_count * 4 >= total) {
        known
    } else {
        Vec::new()
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn split_trailer(line: &str) -> Option<(String, String)> {
    let colon = line.find(':')?;
    let key = &line[..colon];
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return None;
    }
    Some((key.to_string(), line[colon + 1..].trim().to_string()))
}

/// Index into `KNOWN_KEYS` of a key, case-insensitively.
pub fn key_index(key: &str) -> Option<usize> {
    KNOWN_KEYS.iter().position(|k| k.eq_ignore_ascii_case(key))
}
