//! The shape of history: which commits are mainline (the first-parent line from HEAD),
//! which mainline commits merged a pull request (merge commits, squash merges, merge-queue
//! merges, bors and rollups) or a topic branch (`Merge branch 'ab/topic'`, `Merge tag 'x' of
//! <url>`, the git.git and Linux way), and which commits each merge brought in.
//! A pull request is identified by its number *and* the commit that merged it: numbers repeat
//! in re-rooted or imported histories. No identities and no scoring here.

use std::collections::BTreeMap;

use super::{CommitId, PrId};
use crate::sources::git::{CommitRecord, History, OidMap};
use crate::sources::merges::{pr_marker, topic_merge, MergeStyle, PrMarker};

/// A pull request recognised in git history.
pub struct GitPr {
    pub marker: PrMarker,
    /// The mainline commit that merged it (index into history.commits).
    pub merge: usize,
    /// Commits the merge brought in (indices), newest first; for a squash merge, the commit.
    pub commits: Vec<usize>,
}

/// A topic branch merged into the mainline (not a pull request): a change set.
pub struct ChangeSet {
    /// The branch or tag named in the merge's subject.
    pub name: String,
    /// The merge commit (index).
    pub merge: usize,
    /// Commits the merge brought in (indices), newest first.
    pub commits: Vec<usize>,
}

/// What claimed a commit while walking a merge's side.
#[derive(Clone, Copy)]
enum Owner {
    None,
    /// A pull request (its place in [`Structure::prs`]).
    Pr(u32),
    Set(usize),
}

/// In [`Structure`]'s `owner`: brought in by no pull request.
const NO_PR: u32 = u32::MAX;

pub struct Structure {
    /// The pull requests recognised, in the order of their ids.
    pub prs: Vec<(PrId, GitPr)>,
    pub change_sets: Vec<ChangeSet>,
    /// Commit index → the place in `prs` of the pull request that brought it in, or
    /// [`NO_PR`]. (Vectors, not maps: on a million commits the maps were a third of the
    /// ledger build.)
    owner: Vec<u32>,
}

impl Structure {
    pub fn read(history: &History, index: &OidMap<u32>) -> Structure {
        let commits = &history.commits;
        let parents = |i: usize| {
            commits[i]
                .parents
                .iter()
                .filter_map(|p| index.get(p).map(|&j| j as usize))
        };
        // The first-parent line from HEAD, oldest first.
        let mut mainline = Vec::new();
        let mut cur = index.get(&history.head).map(|&i| i as usize);
        while let Some(i) = cur {
            mainline.push(i);
            cur = commits[i]
                .parents
                .first()
                .and_then(|p| index.get(p))
                .map(|&j| j as usize);
        }
        mainline.reverse();
        let mut claimed = vec![false; commits.len()];
        for &i in &mainline {
            claimed[i] = true;
        }
        let id_of = |number: u64, i: usize| PrId {
            number,
            merge: Some(CommitId(commits[i].id)),
            repo: 0,
        };
        let mut s = Structure {
            // About one per commit on the mainline (squash merges, merge commits; nested
            // merges add a few): one allocation, where growing moved them all each time.
            prs: Vec::with_capacity(mainline.len()),
            change_sets: Vec::new(),
            owner: vec![NO_PR; commits.len()],
        };
        let mut stack: Vec<(usize, Owner)> = Vec::new();
        for &m in &mainline {
            let c = &commits[m];
            let is_merge = c.parents.len() > 1;
            let mut own = Owner::None;
            if let Some(mk) = pr_marker(&c.summary, is_merge) {
                // A rollup's own subject on the mainline is not a merge of that PR.
                if mk.style != MergeStyle::Rollup || is_merge {
                    own = s.open_pr(id_of(mk.number, m), mk, m);
                    if let (false, Owner::Pr(k)) = (is_merge, own) {
                        // A squash merge is its own only commit.
                        s.owner[m] = k;
                        s.prs[k as usize].1.commits.push(m);
                    }
                }
            } else if is_merge {
                if let Some(name) = topic_merge(&c.summary) {
                    own = s.open_set(name, m);
                }
            }
            // Everything the merge brought in, newest first; nested pull-request, rollup and
            // topic merges claim their own side.
            stack.extend(parents(m).skip(1).map(|p| (p, own)));
            while let Some((i, outer)) = stack.pop() {
                if std::mem::replace(&mut claimed[i], true) {
                    continue;
                }
                let ci = &commits[i];
                let mut owner = outer;
                if ci.parents.len() > 1 {
                    if let Some(mk) = pr_marker(&ci.summary, true).filter(|mk| {
                        matches!(mk.style, MergeStyle::Rollup | MergeStyle::MergeCommit)
                    }) {
                        owner = s.open_pr(id_of(mk.number, i), mk, i);
                    } else if let Some(name) = topic_merge(&ci.summary) {
                        owner = s.open_set(name, i);
                    }
                }
                // The first parent continues the outer branch; the others are the nested
                // merge's own side.
                stack.extend(parents(i).take(1).map(|p| (p, outer)));
                stack.extend(parents(i).skip(1).map(|p| (p, owner)));
                match owner {
                    Owner::Pr(k) => {
                        s.owner[i] = k;
                        s.prs[k as usize].1.commits.push(i);
                    }
                    Owner::Set(k) => s.change_sets[k].commits.push(i),
                    Owner::None => {}
                }
            }
        }
        // In the order of their ids (every merge commit is walked once, so ids are unique).
        // The ids are sorted with their places, and each pull request then moved once into
        // its own: sorting the records themselves moved them a dozen times.
        let mut order: Vec<(PrId, u32)> = (s.prs.iter().enumerate())
            .map(|(k, (id, _))| (*id, k as u32))
            .collect();
        order.sort_unstable();
        let mut place = vec![0u32; order.len()];
        for (new, &(_, old)) in order.iter().enumerate() {
            place[old as usize] = new as u32;
        }
        for k in s.owner.iter_mut().filter(|k| **k != NO_PR) {
            *k = place[*k as usize];
        }
        // Each swap puts one pull request where it belongs.
        for k in 0..place.len() {
            while place[k] as usize != k {
                let to = place[k] as usize;
                s.prs.swap(k, to);
                place.swap(k, to);
            }
        }
        s
    }

    /// The pull request that brought commit `i` in, if any.
    pub fn owner(&self, i: usize) -> Option<PrId> {
        let k = *self.owner.get(i)?;
        (k != NO_PR).then(|| self.prs[k as usize].0)
    }

    /// Records commit `merge` as merging pull request `id`; its side belongs to it.
    fn open_pr(&mut self, id: PrId, marker: PrMarker, merge: usize) -> Owner {
        self.prs.push((
            id,
            GitPr {
                marker,
                merge,
                commits: vec![],
            },
        ));
        Owner::Pr(self.prs.len() as u32 - 1)
    }

    /// Records commit `merge` as merging topic `name`; its side belongs to it.
    fn open_set(&mut self, name: String, merge: usize) -> Owner {
        self.change_sets.push(ChangeSet {
            name,
            merge,
            commits: vec![],
        });
        Owner::Set(self.change_sets.len() - 1)
    }
}

/// The main author of a merged change: the person behind most of its commits (merge commits
/// left out); ties go to whoever wrote the earliest of them, so that a maintainer's fix-up
/// on top of a contributor's branch never takes the authorship. `person` maps a commit's
/// author signature to a person.
pub fn main_author(
    change: &[usize],
    commits: &[CommitRecord],
    person: impl Fn(u32) -> u32,
) -> Option<u32> {
    // Most changes are one person's (a squash merge is one commit): no tally needed.
    let mut authors = change
        .iter()
        .map(|&c| &commits[c])
        .filter(|rec| rec.parents.len() <= 1)
        .map(|rec| person(rec.author));
    let first = authors.next()?;
    if authors.all(|p| p == first) {
        return Some(first);
    }
    let mut counts: BTreeMap<u32, (usize, i64)> = BTreeMap::new();
    for &c in change {
        let rec = &commits[c];
        if rec.parents.len() > 1 {
            continue;
        }
        let e = counts.entry(person(rec.author)).or_insert((0, i64::MAX));
        e.0 += 1;
        e.1 = e.1.min(rec.author_time);
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1 .0.cmp(&b.1 .0).then_with(|| b.1 .1.cmp(&a.1 .1)))
        .map(|(p, _)| p)
}
