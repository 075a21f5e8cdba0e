//! Where the GraphQL client talks to, and as whom: the repository ([`Slug`], from `--repo`
//! or a remote URL), the endpoints (from `GITHUB_API_URL` / `GITHUB_GRAPHQL_URL`), the token
//! (from `GITHUB_TOKEN` / `GH_TOKEN`) and [`redact`], which scrubs that token from text. All
//! of it is read from the environment or from strings, without a request, and the Action's
//! REST client reads it too; sending requests is the parent module's.

/// github.com's endpoints.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// `owner/name` of a GitHub repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slug {
    pub owner: String,
    pub name: String,
}

impl std::fmt::Display for Slug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

impl Slug {
    /// Parses `OWNER/NAME`.
    pub fn parse(text: &str) -> Option<Slug> {
        let (owner, name) = text.trim().split_once('/')?;
        let name = name.strip_suffix(".git").unwrap_or(name);
        let ok = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        (ok(owner) && ok(name)).then(|| Slug {
            owner: owner.to_string(),
            name: name.to_string(),
        })
    }

    /// Reads a remote URL: `https://host/owner/name(.git)`, `git@host:owner/name.git`,
    /// `ssh://git@host[:port]/owner/name.git`, `git://host/owner/name`. Returns the host too.
    pub fn from_remote_url(url: &str) -> Option<(String, Slug)> {
        let url = url.trim().trim_end_matches('/');
        let (host, path) = if let Some((_, rest)) = url.split_once("://") {
            let (authority, path) = rest.split_once('/')?;
            // user@host:port — drop the user and the port. Any credentials in the URL are
            // dropped here and never printed.
            let host = authority.rsplit('@').next()?;
            let host = host.split(':').next()?;
            (host.to_string(), path)
        } else {
            // scp-like: [user@]host:owner/name.git
            let (authority, path) = url.split_once(':')?;
            let host = authority.rsplit('@').next()?;
            (host.to_string(), path)
        };
        Some((host.to_lowercase(), Slug::parse(path)?))
    }
}

/// The API endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub api: String,
    pub graphql: String,
    /// Whether the API was pointed elsewhere than github.com (GitHub Enterprise, a test).
    pub custom: bool,
}

impl Endpoints {
    /// From `GITHUB_API_URL` and `GITHUB_GRAPHQL_URL`, as GitHub Actions sets them. Without
    /// a GraphQL URL, it is derived from the API URL (`/api/v3` → `/api/graphql` on
    /// GitHub Enterprise, `/graphql` under it otherwise).
    pub fn from_env() -> Endpoints {
        let var = |k: &str| {
            std::env::var(k)
                .ok()
                .map(|v| v.trim().trim_end_matches('/').to_string())
                .filter(|v| !v.is_empty())
        };
        let api_env = var("GITHUB_API_URL");
        let custom = api_env.as_deref().is_some_and(|a| a != DEFAULT_API_URL);
        let api = api_env.unwrap_or_else(|| DEFAULT_API_URL.to_string());
        let graphql = var("GITHUB_GRAPHQL_URL").unwrap_or_else(|| match api.strip_suffix("/v3") {
            Some(base) => format!("{base}/graphql"),
            None => format!("{api}/graphql"),
        });
        Endpoints {
            api,
            graphql,
            custom,
        }
    }
}

/// The token from `GITHUB_TOKEN`, else `GH_TOKEN` (blank counts as unset).
pub fn token_from_env() -> Option<String> {
    ["GITHUB_TOKEN", "GH_TOKEN"].iter().find_map(|k| {
        std::env::var(k)
            .ok()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
    })
}

/// Replaces every occurrence of the token in `text`.
pub fn redact(text: &str, token: Option<&str>) -> String {
    match token {
        Some(t) if t.len() >= 4 => text.replace(t, "***"),
        _ => text.to_string(),
    }
}

/// `https://host:port/path` → (`https://host:port`, `/path`); the path is empty when the URL
/// has none (a REST prefix), and `None` for anything but http(s). Shared by sync and the
/// Action's REST client.
pub(crate) fn split_url(url: &str) -> Option<(String, String)> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    (!authority.is_empty()).then(|| (format!("{scheme}://{authority}"), path.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_urls_of_every_shape_give_owner_and_name() {
        for url in [
            "https://github.com/rust-lang/cargo.git",
            "https://github.com/rust-lang/cargo",
            "https://user:secret@github.com/rust-lang/cargo.git/",
            "git@github.com:rust-lang/cargo.git",
            "ssh://git@github.com:22/rust-lang/cargo.git",
            "git://github.com/rust-lang/cargo",
        ] {
            let (host, slug) = Slug::from_remote_url(url).unwrap_or_else(|| panic!("{url}"));
            assert_eq!(host, "github.com", "{url}");
            assert_eq!(slug.to_string(), "rust-lang/cargo", "{url}");
        }
        let (host, _) = Slug::from_remote_url("git@gitlab.com:a/b.git").unwrap();
        assert_eq!(host, "gitlab.com");
        assert_eq!(Slug::from_remote_url("/srv/git/project"), None);
        assert_eq!(Slug::parse("a/b/c"), None);
    }

    #[test]
    fn graphql_url_splits_into_base_and_path() {
        assert_eq!(
            split_url("https://ghe.example.com/api/graphql"),
            Some(("https://ghe.example.com".into(), "/api/graphql".into()))
        );
        assert_eq!(
            split_url("http://127.0.0.1:8080"),
            Some(("http://127.0.0.1:8080".into(), "".into()))
        );
        assert_eq!(split_url("ftp://x/y"), None);
    }

    #[test]
    fn redaction_removes_every_copy_of_the_token() {
        assert_eq!(
            redact("a ghp_SECRET b ghp_SECRET", Some("ghp_SECRET")),
            "a *** b ***"
        );
    }
}
