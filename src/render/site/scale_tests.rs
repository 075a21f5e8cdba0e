//! The site at the scale of a large community, generated: what a search page downloads.

use super::*;
use crate::snapshot::{Counts, DocSummary, PersonSummary};

/// A deterministic pseudo-random stream (xorshift64*), so the generated community is the
/// same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Skewed towards small numbers, as word frequencies are (a few words are most text).
    fn skewed(&mut self, n: usize) -> usize {
        let a = self.below(n);
        let b = self.below(n);
        a.min(b).min(self.below(n))
    }
}

/// `people` people and `docs` docs whose titles and bodies draw on a vocabulary of 20,000
/// made-up words (real prose has a long tail of rare words, which is what makes a body
/// index big), with kinds, domains, tags and dates as a knowledge base has them.
pub(super) fn generated(people: usize, docs: usize) -> Community {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let syllables = [
        "ka", "ro", "mi", "ten", "sul", "var", "pe", "lo", "qui", "dan", "fe", "gor", "hi", "jus",
        "ne", "ox", "pra", "sti", "tur", "vel", "wen", "ya", "zo", "bri", "cha", "del",
    ];
    let vocabulary: Vec<String> = (0..20_000)
        .map(|_| {
            let n = 2 + rng.below(3);
            (0..n)
                .map(|_| syllables[rng.below(syllables.len())])
                .collect()
        })
        .collect();
    let text = |rng: &mut Rng, n: usize| -> String {
        (0..n)
            .map(|_| vocabulary[rng.skewed(vocabulary.len())].as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let kinds = [
        "case-round",
        "retrospective",
        "decision",
        "micro-teach",
        "guide",
    ];
    let domains = [
        "parser", "runtime", "docs", "ci", "ui", "storage", "network", "security", "build",
        "release", "api", "infra",
    ];
    let tags = [
        "bug",
        "performance",
        "onboarding",
        "testing",
        "design",
        "incident",
        "release",
        "api",
        "refactor",
        "learning",
        "memory",
        "security",
        "flaky",
        "tooling",
        "docs",
    ];
    let person = |i: usize| format!("person-{i:04}");
    let people_list: Vec<PersonSummary> = (0..people)
        .map(|i| PersonSummary {
            rank: i as u64 + 1,
            id: person(i),
            name: format!("Person {i:04}"),
            is_bot: false,
            first_seen: Some("2020-01-01T00:00:00Z".into()),
            last_seen: Some("2024-12-01T00:00:00Z".into()),
            counts: Counts::default(),
            reputation: Default::default(),
            breakdown: Vec::new(),
            badges: Vec::new(),
            ladder: None,
        })
        .collect();
    let mut doc_list: Vec<DocSummary> = (0..docs)
        .map(|i| {
            let kind = kinds[i % kinds.len()];
            let date = format!("{}-{:02}-{:02}", 2020 + i % 5, 1 + i % 12, 1 + i % 28);
            let n = 3 + rng.below(4);
            let title = text(&mut rng, n);
            let paragraphs: Vec<String> = (0..4)
                .map(|_| {
                    let n = 40 + rng.below(40);
                    text(&mut rng, n)
                })
                .collect();
            DocSummary {
                id: format!("{kind}/{date}-{}", crate::util::slug(&title, "doc")),
                // Named as `cargo guild new` names docs.
                path: format!(
                    "community/{kind}s/{date}-{}.md",
                    crate::util::slug(&title, "doc")
                ),
                title,
                kind: kind.into(),
                date,
                domain: Some(domains[rng.below(domains.len())].into()),
                tags: vec![tags[rng.below(tags.len())].into()],
                authors: vec![person(rng.below(people))],
                facilitator: None,
                participants: Vec::new(),
                status: None,
                body: paragraphs.join("\n\n"),
            }
        })
        .collect();
    doc_list.sort_by(|a, b| a.path.cmp(&b.path));
    Community {
        schema_version: crate::snapshot::SCHEMA_VERSION,
        name: "Generated".into(),
        head: "0123456789abcdef".into(),
        as_of: "2024-12-31T00:00:00Z".into(),
        people: people_list,
        docs: doc_list,
        docs_dir: "community".into(),
        ..Default::default()
    }
}

fn gzip_len(bytes: &[u8]) -> usize {
    use std::io::Write as _;
    let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(bytes).unwrap();
    z.finish().unwrap().len()
}

/// Issue 14: a 10,000-doc community's search page downloads about 200 KB of index (it was
/// 1.3 MB): people and titles up front, doc bodies in shards fetched per query word.
#[test]
fn search_index_of_ten_thousand_docs_loads_under_200_kb_gzipped() {
    let community = generated(2_000, 10_000);
    let assembled = pages::assemble(&community, "/");
    let sizes: Vec<(&str, usize)> = assembled
        .search
        .iter()
        .map(|(path, bytes)| (path.as_str(), gzip_len(bytes)))
        .collect();
    let initial = sizes
        .iter()
        .find(|(p, _)| *p == "search-index.json")
        .map(|(_, n)| *n)
        .unwrap();
    let shards: Vec<usize> = sizes
        .iter()
        .filter(|(p, _)| p.starts_with("search/"))
        .map(|(_, n)| *n)
        .collect();
    let total: usize = initial + shards.iter().sum::<usize>();
    let largest = shards.iter().copied().max().unwrap_or(0);
    eprintln!(
        "search index, gzipped: initial {initial} B, {} shards {} B (largest {largest} B), total {total} B",
        shards.len(),
        total - initial
    );
    assert!(
        initial < 200_000,
        "initial search download {initial} B gzipped"
    );
    // A query word fetches one shard: it must stay a small fraction of the whole.
    assert!(shards.len() > 100, "{} shards", shards.len());
    assert!(largest < 100_000, "largest shard {largest} B gzipped");
}
