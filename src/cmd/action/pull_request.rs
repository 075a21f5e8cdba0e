//! The Action on a pull request: changed paths, first-timer, suggested reviewers, docs
//! findings, and the one sticky comment.

use super::*;

/// The pull request as the payload describes it.
struct PrEvent {
    number: u64,
    title: String,
    author: Option<String>,
    base_sha: Option<String>,
    head_sha: Option<String>,
    action: Option<String>,
    draft: bool,
    /// `author_association`: what GitHub knows of the author's standing in the repository.
    association: Option<String>,
}

fn pr_event(payload: &Value, env: &RunnerEnv) -> anyhow::Result<PrEvent> {
    let path = env
        .event_path
        .as_deref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let Some(pr) = payload.get("pull_request").filter(|p| p.is_object()) else {
        anyhow::bail!(
            "{path}: the event payload has no `pull_request` object\n  fix: run the pull-request command on `pull_request` or `pull_request_target` events (or pass `--command auto`)"
        );
    };
    let number = pr
        .get("number")
        .and_then(Value::as_u64)
        .or_else(|| payload.get("number").and_then(Value::as_u64))
        .ok_or_else(|| {
            anyhow::anyhow!("{path}: `pull_request.number` is missing or not a number")
        })?;
    let s = |p: &str| pr.pointer(p).and_then(Value::as_str).map(str::to_string);
    Ok(PrEvent {
        number,
        title: s("/title").unwrap_or_default(),
        author: s("/user/login"),
        base_sha: s("/base/sha"),
        head_sha: s("/head/sha"),
        action: payload
            .get("action")
            .and_then(Value::as_str)
            .map(str::to_string),
        draft: pr.get("draft").and_then(Value::as_bool).unwrap_or(false),
        association: s("/author_association"),
    })
}

pub(super) fn run(
    global: &GlobalOpts,
    args: &ActionArgs,
    env: &RunnerEnv,
    report: &mut Report,
) -> anyhow::Result<Outcome> {
    let payload = env.payload()?;
    let pr = pr_event(&payload, env)?;
    if pr.action.as_deref() == Some("closed") {
        report.nothing_to_do(&format!(
            "pull request #{} was closed: nothing to do",
            pr.number
        ));
        return Ok(Outcome::Ok);
    }
    let repo_slug = repository(env, &payload);
    let session = Session::open(global)?;
    let ledger = session.ledger()?;
    let token = env.token().filter(|_| !global.offline);
    let mut api = match &repo_slug {
        Some(slug) if !global.offline => Some(Api::new(&env.api_url, slug, token)?),
        _ => None,
    };

    // Changed paths: git when both ends are here (no API call), else the API.
    let local = local_range(&session.repo.git, &pr);
    let changed: Vec<String> = match (&local, api.as_mut()) {
        (Some(range), _) => range.paths.clone(),
        (None, Some(api)) => api
            .pr_files(pr.number)
            .map_err(|e| anyhow::anyhow!("{e}\n  fix: check GITHUB_API_URL and that the token may read pull requests (`pull-requests: read`); or check out with `fetch-depth: 0` so that the base and head commits are in the clone"))?,
        (None, None) => anyhow::bail!(
            "cannot find the changed paths of pull request #{}: its base and head commits are not in the clone and there is no API to ask ({})\n  \
             fix: check out with `actions/checkout` and `fetch-depth: 0`, or set GITHUB_REPOSITORY and drop `--offline`",
            pr.number,
            if global.offline { "--offline" } else { "GITHUB_REPOSITORY is not set" }
        ),
    };

    // First-time contributor: no contribution of the author in the stored history, apart
    // from this pull request's own commits (the merge ref checked out on `pull_request`
    // contains them).
    // GitHub's `author_association` says it too: `CONTRIBUTOR` and up have had work merged
    // (checkouts do not fetch `refs/guild/*`, so the history alone may not know).
    let own_commits: BTreeSet<String> = local.map(|r| r.commits).unwrap_or_default();
    let author_idx = pr.author.as_deref().and_then(|a| find_person(&ledger, a));
    let author_is_bot = pr.author.as_deref().is_some_and(|a| a.ends_with("[bot]"))
        || author_idx.is_some_and(|i| ledger.people()[i as usize].is_bot);
    let known_to_github = matches!(
        pr.association.as_deref(),
        Some("OWNER" | "MEMBER" | "COLLABORATOR" | "CONTRIBUTOR")
    );
    let first_time = !author_is_bot
        && !known_to_github
        && match author_idx {
            None => true,
            Some(i) => !has_prior_contribution(&ledger, i, pr.number, &own_commits),
        };

    // The pull request's own commits (checked out on `pull_request`) never make their
    // authors, real or claimed in a trailer, reviewers of it.
    let authors: Vec<u32> = author_idx
        .into_iter()
        .chain(own_authors(&ledger, &own_commits))
        .collect();
    let suggested = adapters::suggest(&session, &ledger, &session.config, &changed, &authors)?;

    // Docs check on the community docs this pull request changes.
    let docs_dir = session.config.docs_dir.trim_end_matches('/').to_string();
    let root = session.repo.root().to_path_buf();
    let changed_docs: Vec<PathBuf> = changed
        .iter()
        .filter(|p| p.starts_with(&format!("{docs_dir}/")) && p.ends_with(".md"))
        .filter(|p| root.join(p).is_file())
        .map(PathBuf::from)
        .collect();
    // On `pull_request_target` the checkout is the base: the pull request's docs are read
    // through the API at its head commit, never checked out.
    let target_event = env.event_name.as_deref() == Some("pull_request_target");
    let changed_docs: Vec<PathBuf> = if target_event {
        changed
            .iter()
            .filter(|p| p.starts_with(&format!("{docs_dir}/")) && p.ends_with(".md"))
            .map(PathBuf::from)
            .collect()
    } else {
        changed_docs
    };
    let findings = match (
        target_event,
        changed_docs.is_empty(),
        &mut api,
        &pr.head_sha,
    ) {
        (_, true, _, _) => Vec::new(),
        (false, false, _, _) => adapters::docs_check(&root, &session.config, &changed_docs),
        (true, false, Some(api), Some(head)) => {
            super::head_docs::check(api, head, &root, &session.config, &changed_docs)?
        }
        (true, false, _, _) => {
            report.warn(
                "the pull request's docs were not checked: on pull_request_target they are read through the API, which needs GITHUB_REPOSITORY, the head commit and no --offline",
            );
            Vec::new()
        }
    };
    for f in &findings {
        println!(
            "{}",
            runner::warning_annotation(&f.path, f.line, "cargo guild docs check", &f.message)
        );
    }

    // Review requests first, so that the comment can say whether they were made.
    let mut logins: Vec<String> = suggested
        .reviewers
        .iter()
        .chain(suggested.shadow.iter())
        .filter_map(|s| s.login.clone())
        .filter(|l| {
            crate::events::identity::is_login(l)
                && !pr
                    .author
                    .as_deref()
                    .is_some_and(|a| a.eq_ignore_ascii_case(l))
        })
        .collect();
    logins.dedup();
    let mut read_only = false;
    // Who GitHub says is requested, of those suggested: the comment claims no more.
    let mut now_requested: Vec<String> = Vec::new();
    let want_requests = args.request_reviewers && !logins.is_empty();
    if want_requests {
        match (&mut api, token) {
            (Some(api), Some(_)) => {
                // Re-requesting on every push would notify people again: only when the pull
                // request opens (or leaves draft); later runs ask GitHub who is requested.
                let later = matches!(pr.action.as_deref(), Some("synchronize" | "edited"));
                match (pr.draft, later) {
                    // A draft asks no one yet.
                    (true, _) => {}
                    (false, true) => now_requested = api.requested_reviewers(pr.number)?,
                    (false, false) => match api.request_reviewers(pr.number, &logins) {
                        Ok(now) => now_requested = now,
                        Err(ApiError::Forbidden { .. }) => read_only = true,
                        Err(ApiError::Status { status: 422, message, .. }) => report.warn(format!(
                            "GitHub did not accept the review requests ({message}); reviewers must be collaborators of the repository"
                        )),
                        Err(e) => return Err(e.into()),
                    },
                }
            }
            _ => report.warn("no token: reviewers were not requested"),
        }
    }

    let requested_logins: Vec<String> = logins
        .iter()
        .filter(|l| now_requested.contains(&l.to_lowercase()))
        .cloned()
        .collect();

    let templates = Templates::load(
        "",
        Some(&root.join(".guild/templates")),
        false,
        Escape::None,
    )?;
    let author_who = pr.author.as_deref().and_then(|login| {
        let opted_out = author_idx.is_some_and(|i| ledger.people()[i as usize].opted_out)
            || session
                .config
                .opt_out
                .iter()
                .any(|o| o.eq_ignore_ascii_case(login));
        (!opted_out).then(|| Who {
            login: Some(login.to_string()),
            name: login.to_string(),
        })
    });
    let to_reviewer = |s: &adapters::SuggestedPerson| Reviewer {
        who: Who {
            login: s.login.clone(),
            name: if s.name.is_empty() {
                s.id.clone()
            } else {
                s.name.clone()
            },
        },
        reason: s.reason.clone(),
    };
    let input = comment::Input {
        community: session.config.name.clone(),
        number: pr.number,
        title: pr.title.clone(),
        author: author_who,
        first_time,
        ladder: session
            .config
            .ladder
            .steps
            .iter()
            .map(|s| (s.name.clone(), s.description.clone()))
            .collect(),
        docs_dir: docs_dir.clone(),
        reviewers: suggested.reviewers.iter().map(to_reviewer).collect(),
        shadow: suggested.shadow.as_ref().map(to_reviewer),
        on_call: super::on_call::on_call(&session, &ledger, &changed, author_idx)?,
        requested: !requested_logins.is_empty(),
        changed_paths: changed.len(),
        docs_checked: changed_docs.len(),
        findings: findings.clone(),
    };
    let full = comment::render(&templates, &input)?;
    let body = comment::truncate(&full, env.run_url().as_deref());

    let mut comment_url = String::new();
    let mut comment_id = String::new();
    let mut comment_state = "not posted";
    if args.comment == CommentMode::Off {
        comment_state = "off";
    } else if read_only {
        report.warn(
            "the token may not write to this pull request (a pull request from a fork gets a read-only token): the report is in this step summary instead of a comment; see the README for the pull_request_target workflow that comments on forks",
        );
    } else {
        match (&mut api, token) {
            (Some(api), Some(_)) => {
                match super::sticky::upsert(api, pr.number, &body, args.comment) {
                    Ok((c, state)) => {
                        comment_url = c.html_url;
                        comment_id = c.id.to_string();
                        comment_state = state;
                    }
                    Err(ApiError::Forbidden { .. }) => {
                        report.warn(
                        "the token may not comment on this pull request (a pull request from a fork gets a read-only token): the report is in this step summary instead",
                    );
                    }
                    Err(e) => {
                        return Err(anyhow::Error::new(e).context(format!(
                            "the comment on pull request #{} was not written",
                            pr.number
                        )))
                    }
                }
            }
            _ => report.warn(
                "no token (GITHUB_TOKEN): the report is in this step summary instead of a comment",
            ),
        }
    }
    if !global.quiet {
        eprintln!(
            "cargo guild action: pull request #{}: {} changed path(s), first-time: {first_time}, comment {comment_state}",
            pr.number,
            changed.len()
        );
    }

    let suggested_ids: Vec<String> = suggested
        .reviewers
        .iter()
        .chain(suggested.shadow.iter())
        .map(|s| s.login.clone().unwrap_or_else(|| s.id.clone()))
        .collect();
    report.outputs.set("first-time", first_time.to_string());
    report
        .outputs
        .set("suggested-reviewers", suggested_ids.join(","));
    report.outputs.set("comment-url", comment_url.clone());
    report.outputs.set("comment-id", comment_id);
    report
        .outputs
        .set("requested-reviewers", requested_logins.join(","));
    report
        .outputs
        .set("docs-findings", findings.len().to_string());
    let comment_line = if comment_url.is_empty() {
        String::new()
    } else {
        format!(
            "The [pull request's comment]({}) is {comment_state}.\n\n",
            comment::url_in_link(&comment_url)
        )
    };
    report.summary = format!(
        "## cargo guild: pull request #{}\n\n{comment_line}{}\n",
        pr.number,
        full.strip_prefix(comment::MARKER)
            .unwrap_or(&full)
            .trim_start()
    );
    // Warnings (unfilled template sections) are annotated but never fail the check.
    if args.fail_on_docs_findings && findings.iter().any(|f| !f.warning) {
        return Ok(Outcome::Findings);
    }
    Ok(Outcome::Ok)
}

/// The pull request's paths and commits, when both ends are in the clone.
struct LocalRange {
    paths: Vec<String>,
    commits: BTreeSet<String>,
}

/// Paths changed between the merge base of base and head, and head (GitHub's three-dot
/// diff), and the commits head adds.
fn local_range(git: &git2::Repository, pr: &PrEvent) -> Option<LocalRange> {
    let base = git2::Oid::from_str(pr.base_sha.as_deref()?).ok()?;
    let head = git2::Oid::from_str(pr.head_sha.as_deref()?).ok()?;
    let head_commit = git.find_commit(head).ok()?;
    git.find_commit(base).ok()?;
    let merge_base = git.merge_base(base, head).ok()?;
    let old_tree = git.find_commit(merge_base).ok()?.tree().ok()?;
    let new_tree = head_commit.tree().ok()?;
    let diff = git
        .diff_tree_to_tree(Some(&old_tree), Some(&new_tree), None)
        .ok()?;
    let mut paths = BTreeSet::new();
    for d in diff.deltas() {
        for f in [d.old_file(), d.new_file()] {
            if let Some(p) = f.path() {
                paths.insert(p.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut walk = git.revwalk().ok()?;
    walk.push(head).ok()?;
    walk.hide(base).ok()?;
    let commits = walk.filter_map(Result::ok).map(|o| o.to_string()).collect();
    Some(LocalRange {
        paths: paths.into_iter().collect(),
        commits,
    })
}

/// The people behind the pull request's own commits (authors and co-authors).
fn own_authors<'a>(
    ledger: &'a Ledger,
    own_commits: &'a BTreeSet<String>,
) -> impl Iterator<Item = u32> + 'a {
    ledger
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Commit | EventKind::CoAuthored))
        .filter(
            move |e| matches!(&e.target, Target::Commit(c) if own_commits.contains(&c.to_string())),
        )
        .map(|e| e.person)
}

/// The person with this GitHub login (any of their logins, or their id), case-insensitively.
fn find_person(ledger: &Ledger, login: &str) -> Option<u32> {
    ledger
        .identities
        .by_login(login)
        .or_else(|| ledger.identities.resolve_mention(login))
}

/// Whether person `who` contributed anything before this pull request: any event of any kind
/// outside it (the same "first contribution" as `events::first_contributions`).
fn has_prior_contribution(
    ledger: &Ledger,
    who: u32,
    number: u64,
    own_commits: &BTreeSet<String>,
) -> bool {
    ledger.events.iter().any(|e| {
        e.person == who
            // This pull request is open: it has no merge commit yet (an older one with the
            // same number, in a re-rooted history, is prior work).
            && e.pr.map_or(true, |p| p.number != number || p.merge.is_some())
            && !matches!(&e.target, Target::Pr(p) if p.number == number && p.merge.is_none())
            && !(matches!(e.kind, EventKind::Commit | EventKind::CoAuthored)
                && matches!(&e.target, Target::Commit(c) if own_commits.contains(&c.to_string())))
    })
}
