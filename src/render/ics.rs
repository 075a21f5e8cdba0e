//! iCalendar (RFC 5545) for schedules: one all-day event per slot, with a UID made of the
//! community, the ritual and the date, so that a calendar subscribed to the file updates
//! events in place instead of duplicating them. Text is escaped (`\\`, `;`, `,`, newlines),
//! lines end in CRLF and are folded at 75 octets.

use crate::analysis::rhythm::Slot;

/// The calendar for `slots`; `name_of` gives a display id's name; `stamp` is the snapshot's
/// reference time (RFC 3339), so the same history gives the same file.
pub fn calendar(
    community: &str,
    slots: &[Slot],
    name_of: &dyn Fn(&str) -> String,
    stamp: &str,
) -> String {
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//cargo guild//rotate//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        format!("X-WR-CALNAME:{}", text(&format!("{community} rituals"))),
    ];
    let stamp = basic_time(stamp);
    let domain = crate::util::slug(community, "community");
    for s in slots {
        let who = |id: &Option<String>| id.as_deref().map(|i| format!("{} ({i})", name_of(i)));
        let facilitator = who(&s.facilitator);
        let co = who(&s.co_facilitator);
        let role = if s.on_call { "on call" } else { "facilitator" };
        let summary = match (&facilitator, &co) {
            (Some(f), Some(c)) => format!("{}: {f} with {c}", s.ritual),
            (Some(f), None) => format!("{}: {f}", s.ritual),
            (None, _) => format!("{}: nobody available", s.ritual),
        };
        let mut description = format!(
            "{} {role}: {}",
            s.ritual,
            facilitator.as_deref().unwrap_or("nobody available")
        );
        if let Some(c) = &co {
            description.push_str(&format!("\nco-facilitator (has facilitated before): {c}"));
        }
        if s.held {
            description.push_str("\nheld: a doc records this session");
        }
        lines.extend([
            "BEGIN:VEVENT".to_string(),
            format!(
                "UID:{}-{}@{domain}.cargo-guild",
                crate::util::slug(&s.ritual, "ritual"),
                s.date.replace('-', "")
            ),
            format!("DTSTAMP:{stamp}"),
            format!("DTSTART;VALUE=DATE:{}", s.date.replace('-', "")),
            format!("DTEND;VALUE=DATE:{}", s.ends.replace('-', "")),
            format!("SUMMARY:{}", text(&summary)),
            format!("DESCRIPTION:{}", text(&description)),
            "TRANSP:TRANSPARENT".to_string(),
            "END:VEVENT".to_string(),
        ]);
    }
    lines.push("END:VCALENDAR".into());
    let mut out = String::new();
    for l in &lines {
        fold(l, &mut out);
    }
    out
}

/// A TEXT value: backslash, semicolon, comma and newline escaped, controls dropped.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// `2026-01-05T10:00:00Z` → `20260105T100000Z`.
fn basic_time(rfc: &str) -> String {
    match crate::util::parse_rfc3339(rfc) {
        Some(t) => chrono::DateTime::from_timestamp(t, 0)
            .map(|d| d.format("%Y%m%dT%H%M%SZ").to_string())
            .unwrap_or_else(|| "19700101T000000Z".into()),
        None => "19700101T000000Z".into(),
    }
}

/// Appends `line` folded at 75 octets (never inside a character), each piece ending CRLF.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_on_character_boundaries_and_text_is_escaped() {
        let mut out = String::new();
        fold(&format!("SUMMARY:{}", "é".repeat(60)), &mut out);
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{l}");
        }
        assert_eq!(text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }
}
