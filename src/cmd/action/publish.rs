//! The Action on the default branch: sync, push the history refs, build the site.

use super::*;

pub(super) fn run(
    global: &GlobalOpts,
    args: &ActionArgs,
    env: &RunnerEnv,
    report: &mut Report,
) -> anyhow::Result<()> {
    let event = env.event_name.clone().unwrap_or_default();
    let payload = match env.event_path {
        Some(_) => env.payload()?,
        None if event == "push" => env.payload()?,
        None => Value::Null,
    };
    if event == "push" {
        let pushed = payload.get("ref").and_then(Value::as_str).unwrap_or("");
        let default = payload
            .pointer("/repository/default_branch")
            .and_then(Value::as_str);
        if let Some(default) = default {
            if pushed != format!("refs/heads/{default}") {
                report.nothing_to_do(&format!(
                    "a push to `{pushed}`, not to the default branch `{default}`: nothing to publish"
                ));
                return Ok(());
            }
        }
    }
    let session = Session::open(global)?;
    let repo_slug = repository(env, &payload);
    let mut lines = Vec::new();

    match (env.token().filter(|_| !global.offline), &repo_slug) {
        (Some(_), Some(slug)) => {
            match fetch_history(&session).and_then(|()| adapters::sync(global, slug)) {
                Ok(()) => {
                    lines.push(format!("Synced pull requests of {}.", comment::md(slug)));
                    match push_history(&session, env.token()) {
                        Ok(Some(msg)) => lines.push(comment::md(&msg)),
                        Ok(None) => {}
                        Err(e) => report.warn(format!("the history refs were not pushed: {e:#}")),
                    }
                }
                Err(e) => report.warn(format!(
                    "sync failed, so the site is built from git history only: {e:#}"
                )),
            }
        }
        (None, _) => {
            lines.push("No token: sync skipped; the site is built from git history.".into())
        }
        (_, None) => lines.push("GITHUB_REPOSITORY is not set: sync skipped.".into()),
    }

    let out = if args.site_dir.is_absolute() {
        args.site_dir.clone()
    } else {
        std::env::current_dir()
            .context("cannot read the current directory")?
            .join(&args.site_dir)
    };
    let base_url = site_base_url(&session.config, repo_slug.as_deref());
    let built = adapters::build_site(global, &out, &base_url)
        .with_context(|| format!("cannot build the site into {}", out.display()))?;
    if !global.quiet {
        eprintln!("cargo guild action: {built}");
    }
    let pages = count_pages(&out);
    lines.push(format!(
        "Built the site ({pages} page(s), base URL {}) into {}.",
        comment::md(&base_url),
        comment::md(&out.display().to_string())
    ));
    report.outputs.set("site-dir", out.display().to_string());
    report.summary = format!("## cargo guild: publish\n\n{}\n", lines.join("\n\n"));
    Ok(())
}

/// The URL path the site is served under: `site.base_url`, else `/` for a
/// `<owner>.github.io` repository and `/<name>/` for project pages.
fn site_base_url(config: &crate::config::Config, slug: Option<&str>) -> String {
    if let Some(b) = &config.site.base_url {
        return b.clone();
    }
    match slug.and_then(|s| s.split_once('/')) {
        Some((_, name)) if !name.to_lowercase().ends_with(".github.io") => format!("/{name}/"),
        _ => "/".into(),
    }
}

fn count_pages(dir: &Path) -> usize {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "html"))
        .count()
}

/// Fetches `refs/guild/*` from `origin` (which `actions/checkout` does not fetch), so that
/// sync continues the stored history instead of starting over. Nothing there is fine.
fn fetch_history(session: &Session) -> anyhow::Result<()> {
    if session.repo.git.find_remote("origin").is_err() {
        return Ok(());
    }
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(session.repo.root())
        .args(["fetch", "--quiet", "origin", "+refs/guild/*:refs/guild/*"])
        .output()
        .context("cannot run `git fetch` (is git installed?)")?;
    if !out.status.success() {
        anyhow::bail!(
            "`git fetch origin refs/guild/*` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// Pushes `refs/guild/*` to an https `origin` with the token (as an HTTP header in git's
/// environment, never in its arguments or the clone's config), so the checkout needs no
/// persisted credentials; without a token, with whatever credentials the clone has.
/// `Ok(None)` when there is nothing to push or no `origin`.
fn push_history(session: &Session, token: Option<&str>) -> anyhow::Result<Option<String>> {
    let git = &session.repo.git;
    let has_refs = git
        .references_glob("refs/guild/*")
        .map(|mut r| r.next().is_some())
        .unwrap_or(false);
    if !has_refs || git.find_remote("origin").is_err() {
        return Ok(None);
    }
    let https = git
        .find_remote("origin")
        .ok()
        .and_then(|r| r.url().ok().map(|u| u.starts_with("https://")))
        .unwrap_or(false);
    let mut cmd = std::process::Command::new("git");
    cmd.arg("-C").arg(session.repo.root()).args([
        "push",
        "--quiet",
        "origin",
        "refs/guild/*:refs/guild/*",
    ]);
    if let (Some(t), true) = (token, https) {
        use base64::Engine as _;
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("x-access-token:{t}"));
        cmd.env("GIT_CONFIG_COUNT", "1")
            .env("GIT_CONFIG_KEY_0", "http.extraheader")
            .env(
                "GIT_CONFIG_VALUE_0",
                format!("AUTHORIZATION: basic {basic}"),
            );
    }
    let out = cmd
        .output()
        .context("cannot run `git push` (is git installed?)")?;
    let scrub =
        |s: &[u8]| crate::sources::github::client::redact(String::from_utf8_lossy(s).trim(), token);
    if !out.status.success() {
        anyhow::bail!(
            "`git push origin refs/guild/*` failed: {}\n  fix: give the job `contents: write` and pass the action a token (the default `token` input)",
            scrub(&out.stderr)
        );
    }
    Ok(Some("Pushed refs/guild/* to origin.".into()))
}
