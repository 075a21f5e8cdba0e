//! Generated data: a seeded generator of many pull requests, for pagination and benches.

use super::*;

/// A deterministic pseudo-random source (no dependency, stable across platforms).
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Lcg {
        Lcg(seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407))
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    /// 0..n
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// `n` merged pull requests shaped like a busy project's: 40 people, 1-3 reviews each,
/// a few files, a commit or two; about 2% with more than 100 files, 1% with more than 50
/// reviews, 2% with more than 50 commits (these need follow-up pages). Numbers 1..=n,
/// one every few hours from 2020-01-01.
pub fn generate(n: u64, seed: u64) -> Vec<FakePr> {
    let mut rng = Lcg::new(seed);
    let people: Vec<String> = (0..40).map(|i| format!("dev{i:02}")).collect();
    let start = ts("2020-01-01");
    (1..=n)
        .map(|number| {
            let t = start + number as i64 * 3 * 3600 + rng.below(3600) as i64;
            let author = &people[rng.below(people.len() as u64) as usize];
            let mut pr = FakePr::new(number, author, "2020-01-01");
            pr.created = t;
            pr.updated = t;
            let files = match rng.below(100) {
                0..=1 => 101 + rng.below(300) as usize,
                _ => 1 + rng.below(8) as usize,
            };
            pr.files = (0..files)
                .map(|f| format!("src/m{}/f{f}.rs", rng.below(12)))
                .collect();
            let reviews = match rng.below(100) {
                0 => 51 + rng.below(30) as usize,
                _ => 1 + rng.below(3) as usize,
            };
            for r in 0..reviews {
                let who = &people[rng.below(people.len() as u64) as usize];
                let state = ["APPROVED", "COMMENTED", "CHANGES_REQUESTED"][rng.below(3) as usize];
                pr.reviews.push(FakeReview {
                    id: number * 100 + r as u64,
                    login: who.clone(),
                    state: state.into(),
                    at: t + 600 + r as i64 * 60,
                });
            }
            let commits = match rng.below(100) {
                0..=1 => 51 + rng.below(60) as usize,
                _ => 1 + rng.below(3) as usize,
            };
            pr.commits = (0..commits)
                .map(|_| FakeCommit {
                    name: format!("Dev {author}"),
                    email: format!("{author}@example.com"),
                    login: Some(author.clone()),
                })
                .collect();
            if rng.below(4) == 0 {
                pr.labels.push("bug".into());
            }
            let merger = &people[rng.below(people.len() as u64) as usize];
            let merged_at = t + 7200;
            pr.state = "MERGED".into();
            pr.merged = Some(merged_at);
            pr.merged_by = Some(merger.clone());
            pr.updated = merged_at;
            pr
        })
        .collect()
}

// ---- the GitHub Action's needs ---------------------------------------------------------------

impl FakeGithub {
    /// Makes `token` read-only, like the token of a pull request from a fork: it may read,
    /// but every write (POST, PATCH, PUT, DELETE) gets GitHub's 403.
    pub fn read_only_token(&self, token: &str) {
        let token = token.to_string();
        self.script(move |r| {
            let theirs = r
                .header("authorization")
                .and_then(|h| h.split_once(' '))
                .map(|(_, t)| t.trim() == token)
                .unwrap_or(false);
            (theirs && r.method != "GET" && r.graphql_index == 0).then(|| Fault::Status(403))
        });
    }

    /// Requests with this method whose path ends with `suffix`, so far.
    pub fn count(&self, method: &str, suffix: &str) -> usize {
        self.with(|s| {
            s.log
                .iter()
                .filter(|r| r.method == method && r.path.ends_with(suffix))
                .count()
        })
    }

    /// The conversation comments of pull request `number` as stored now.
    pub fn comments(&self, repo: &str, number: u64) -> Vec<FakeComment> {
        self.pull(repo, number)
            .map(|p| p.comments)
            .unwrap_or_default()
    }
}
