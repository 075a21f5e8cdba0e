//! The sync algorithm behind `cargo guild sync`: brings pull requests, reviews, first responses, labels and changed
//! paths from GitHub into the repository, under the history ref, so that every later command
//! sees them offline.
//!
//! A sync is a series of passes over the pull requests, newest update first. A pass stops at
//! the first pull request not updated since the last complete pass (`synced_through`), so a
//! sync with nothing new costs one request. After every request the pull requests it finished
//! are committed to the ref with the pass's resume cursor (`state.json`): an interruption
//! loses at most the request in flight, and the next run resumes the pass where it stopped,
//! then does one more pass from the top for what changed meanwhile. Storing by number makes
//! every re-fetch an overwrite, never a duplicate.

use std::collections::BTreeSet;

use anyhow::bail;

use super::client::{Client, ClientError, Endpoints, Slug};
use super::query::{self, FollowUp, Partial};
use super::store::{self, Pass, SyncState, Writer};
use crate::util::parse_rfc3339;

/// What a run did, for the summary.
#[derive(Default)]
struct Tally {
    fetched: usize,
    new: usize,
    updated: usize,
    commits: usize,
}

/// What to sync and how to show it.
pub struct Options<'a> {
    /// Where the synced history lives (`history_ref`).
    pub refname: &'a str,
    /// Fetch everything again.
    pub full: bool,
    /// Only pull requests updated on or after this time (RFC 3339).
    pub since: Option<String>,
    /// Draw a progress bar.
    pub progress: bool,
}

/// Syncs `slug`'s pull requests into `repo` under `opts.refname`; returns the summary line.
/// `note` says things worth knowing on the way (a resumed sync).
pub async fn run(
    repo: &git2::Repository,
    endpoints: &Endpoints,
    slug: Slug,
    token: Option<String>,
    opts: &Options<'_>,
    note: &dyn Fn(std::fmt::Arguments),
) -> anyhow::Result<String> {
    let refname = opts.refname;
    let since = opts.since.clone();
    let mut state = store::read_state(repo, refname)?;
    let mut writer = Writer::open(repo, refname)?;
    let slug_text = slug.to_string();
    let mut reset = false;
    if !state.repository.is_empty() && !state.repository.eq_ignore_ascii_case(&slug_text) {
        if !opts.full {
            bail!(
                "{refname} holds the pull requests of {}, not {slug_text}\n  fix: sync {} again, or replace them with `cargo guild sync --full --repo {slug_text}` (or use another `history_ref` in guild.yml)",
                state.repository,
                state.repository
            );
        }
        reset = true;
        state = SyncState::default();
    }
    state.version = store::VERSION;
    state.repository = slug_text.clone();
    if opts.full {
        state.pass = None;
    }
    if since.is_some() && (opts.full || state.synced_through.is_none()) {
        state.since = since.clone();
    }

    let mut client = Client::new(endpoints, slug, token)?;
    let progress = Progress::new(opts.progress);
    let mut tally = Tally::default();
    let mut resumed = state.pass.is_some();
    if resumed {
        note(format_args!(
            "resuming the sync of {slug_text} that was interrupted"
        ));
    }
    let outcome = loop {
        let pass = state.pass.clone().unwrap_or_else(|| Pass {
            after: None,
            stop_below: if opts.full {
                since.clone()
            } else {
                latest(state.synced_through.clone(), since.clone())
            },
            newest: None,
        });
        state.pass = Some(pass);
        let r = run_pass(
            &mut client,
            &mut writer,
            &mut state,
            &mut reset,
            &progress,
            &mut tally,
        )
        .await;
        if let Err(e) = r {
            break Err(e);
        }
        // A resumed pass covered what was left of an old one; what changed since is above.
        if !std::mem::take(&mut resumed) {
            break Ok(());
        }
    };
    progress.finish();
    let stored = || store::load(repo, refname).map(|v| v.len()).unwrap_or(0);
    match outcome {
        Ok(()) => {
            Ok(format!(
                "synced {slug_text}: {} pull request{} fetched ({} new, {} updated), {} request{}{}; {} stored under {refname}",
                tally.fetched,
                plural(tally.fetched),
                tally.new,
                tally.updated,
                client.requests,
                plural(client.requests as usize),
                if client.retries > 0 {
                    format!(" ({} retried)", client.retries)
                } else {
                    String::new()
                },
                stored(),
            ))
        }
        Err(e) => {
            let saved = format!(
                "{} pull request{} saved under {refname} ({} in this run)",
                stored(),
                plural(stored()),
                tally.fetched
            );
            match e.downcast_ref::<ClientError>() {
                Some(ClientError::RateLimited { reset_at }) => Err(anyhow::anyhow!(
                    "stopped: {e}; {saved}\n  fix: run `cargo guild sync` again{} to resume where it stopped",
                    reset_at
                        .as_deref()
                        .map(|r| format!(" after {r}"))
                        .unwrap_or_default()
                )),
                Some(ClientError::Unavailable { .. }) => Err(anyhow::anyhow!(
                    "stopped: {e}; {saved}\n  fix: run `cargo guild sync` again to resume where it stopped"
                )),
                Some(ClientError::Interrupted) => Err(anyhow::anyhow!(
                    "interrupted; {saved}\n  fix: run `cargo guild sync` again to resume where it stopped"
                )),
                Some(_) => Err(anyhow::anyhow!("{e}\n  note: {saved}")),
                None => Err(e),
            }
        }
    }
}

/// The later of two optional times.
fn latest(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if query::cmp_time(&a, &b).is_ge() {
            a
        } else {
            b
        }),
        (a, b) => a.or(b),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// One pass: pages from `state.pass.after` down to `stop_below`, with follow-ups riding along.
async fn run_pass(
    client: &mut Client,
    writer: &mut Writer<'_>,
    state: &mut SyncState,
    reset: &mut bool,
    progress: &Progress,
    tally: &mut Tally,
) -> anyhow::Result<()> {
    let mut pass = state.pass.clone().unwrap_or_default();
    let stop_below = pass.stop_below.as_deref().and_then(parse_rfc3339);
    let from_top = pass.after.is_none();
    // cursors[k]: where page k ends (cursors[0]: where this run starts).
    let mut cursors: Vec<Option<String>> = vec![pass.after.clone()];
    let mut pending: Vec<(usize, Partial)> = Vec::new();
    let mut paging = true;
    let mut newest = pass.newest.clone();
    while paging || !pending.is_empty() {
        let followups: Vec<FollowUp> = pending
            .iter()
            .take(query::MAX_FOLLOWUPS)
            .flat_map(|(_, p)| p.followups())
            .collect();
        let asked: BTreeSet<u64> = followups.iter().map(|f| f.number).collect();
        let size = if from_top && cursors.len() == 1 && stop_below.is_some() {
            query::FIRST_INCREMENTAL_PAGE
        } else {
            query::PAGE_SIZE
        };
        let after = cursors.last().cloned().flatten();
        let page = paging.then_some((size, after.as_deref()));
        let answer = client.fetch(page, &followups).await?;

        // Follow-ups first: they belong to earlier pages.
        let answered: BTreeSet<u64> = answer.more.iter().map(|m| m.number).collect();
        for more in answer.more {
            if let Some((_, p)) = pending
                .iter_mut()
                .find(|(_, p)| p.record.number == more.number)
            {
                let before = p.pending.clone();
                p.merge(more);
                if p.pending == before {
                    // No progress (the same cursors again): keep what there is.
                    p.pending.clear();
                }
            }
        }
        for (_, p) in pending.iter_mut() {
            // Asked about, not answered (GitHub nulls what it cannot show): keep what there is.
            if asked.contains(&p.record.number) && !answered.contains(&p.record.number) {
                p.pending.clear();
            }
        }

        if paging {
            let page = answer.page.ok_or_else(|| {
                ClientError::Malformed("the answer has no `pullRequests` page".into())
            })?;
            let k = cursors.len();
            progress.total(page.total_count, stop_below.is_none());
            for node in page.nodes.into_iter().flatten() {
                let updated = parse_rfc3339(&node.updated_at);
                if let (Some(stop), Some(u)) = (stop_below, updated) {
                    if u < stop {
                        paging = false;
                        continue;
                    }
                }
                if newest
                    .as_deref()
                    .map_or(true, |n| query::cmp_time(&node.updated_at, n).is_gt())
                {
                    newest = Some(node.updated_at.clone());
                }
                pending.push((k, Partial::from_node(node)));
            }
            if !page.page_info.has_next_page || page.page_info.end_cursor.is_none() {
                paging = false;
            }
            cursors.push(page.page_info.end_cursor.clone());
        }

        // Store what is complete, with a cursor behind which nothing is missing.
        let mut done = Vec::new();
        let mut still = Vec::new();
        for (k, p) in pending.drain(..) {
            if p.is_complete() {
                done.push(p.finish());
            } else {
                still.push((k, p));
            }
        }
        pending = still;
        let safe = pending
            .iter()
            .map(|(k, _)| k - 1)
            .min()
            .unwrap_or(cursors.len() - 1);
        pass.after = cursors[safe].clone();
        pass.newest = newest.clone();
        let finished = !paging && pending.is_empty();
        if finished {
            if pass.newest.is_some() {
                state.synced_through = pass.newest.clone();
            }
            state.pass = None;
        } else {
            state.pass = Some(pass.clone());
        }
        tally.fetched += done.len();
        let message = format!(
            "sync {}: {} pull request{}{}",
            state.repository,
            done.len(),
            plural(done.len()),
            if finished { ", pass complete" } else { "" }
        );
        let w = writer.commit(&done, state, &message, std::mem::take(reset))?;
        tally.new += w.new;
        tally.updated += w.updated;
        tally.commits += 1;
        progress.advance(done.len() as u64, client.requests);
    }
    Ok(())
}

/// The progress bar: on stderr, only on a terminal.
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    fn new(show: bool) -> Progress {
        if !show {
            return Progress(None);
        }
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {pos} pull requests synced {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Progress(Some(bar))
    }

    /// On a full pass the total is known: show a bar.
    fn total(&self, total: u64, full: bool) {
        if let (Some(bar), true) = (&self.0, full) {
            if bar.length().is_none() {
                bar.set_length(total);
                bar.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{bar:30} {pos}/{len} pull requests ({eta} left) {msg}",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
            }
        }
    }

    fn advance(&self, n: u64, requests: u32) {
        if let Some(bar) = &self.0 {
            bar.inc(n);
            bar.set_message(format!("{requests} requests"));
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
