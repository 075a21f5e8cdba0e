//! The command line: every subcommand and the shared flags, parsed the cargo way so that
//! `cargo guild ...`, `cargo-guild ...` and `cargo run -- ...` all work.
//! Parsing only: what a command does lives in `cmd/<name>.rs`.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// `cargo guild`: explainable reputation, knowledge flow and peer-learning docs from a Git repository.
#[derive(Debug, Parser)]
#[command(name = "cargo-guild", bin_name = "cargo guild", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOpts,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command understands.
#[derive(Debug, Clone, Args)]
pub struct GlobalOpts {
    /// Work on the repository at DIR (bare repositories too) instead of the current directory.
    #[arg(short = 'C', value_name = "DIR", global = true)]
    pub dir: Option<PathBuf>,
    /// Read the configuration from FILE instead of `guild.yml` at the repository root.
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    /// Never touch the network (commands that need it fail with a clear message).
    #[arg(long, global = true)]
    pub offline: bool,
    /// Print less: only results and errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more about what is going on (to stderr); `-vv` also times each phase.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// When to use colours and progress bars.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true, value_name = "WHEN")]
    pub color: ColorChoice,
    /// Run over the union of exported ledgers (`cargo guild export`) matching GLOB, quoted:
    /// an organisation's many repositories as one community, with its own `guild.yml`.
    #[arg(long, value_name = "GLOB", global = true)]
    pub ledgers: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Output formats for people-like tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum TableFormat {
    #[default]
    Table,
    Json,
    Csv,
}

/// Output formats for the review network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum NetworkFormat {
    #[default]
    Table,
    Json,
    Dot,
    Graphml,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a commented `guild.yml` at the repository root.
    Init(InitArgs),
    /// People ranked by reputation, with contributor and reviewer scores.
    Reputation(ReputationArgs),
    /// Every event behind a person's score, with its points and the rule that gave them.
    Explain(ExplainArgs),
    /// Who is who: every name and login joined into a person, with the evidence.
    Whois(WhoisArgs),
    /// Who facilitates each ritual next (or is on call), fairly, as a table, JSON or iCalendar.
    Rotate(RotateArgs),
    /// Learning paths: each domain's docs in reading order and whom to ask; a person's next steps.
    Paths(PathsArgs),
    /// Endorse someone for a skill: writes a file to commit (the commit's author endorses).
    Endorse(EndorseArgs),
    /// The whole community snapshot that renderers read.
    Context(ContextArgs),
    /// Write the repository's resolved ledger (events, people, pull requests, docs) for
    /// merging across an organisation (`--ledgers`) or querying with DuckDB.
    Export(ExportArgs),
    /// The review network: who reviews whom, brokers, isolates.
    Network(NetworkArgs),
    /// Domains, their experts, bus factors and single points of failure.
    Domains(DomainsArgs),
    /// Newcomers: first contributions, first reviews, and the contributor ladder.
    Newcomers(NewcomersArgs),
    /// The same metrics per window of days: participation, newcomers, reviews, the network.
    Trends(TrendsArgs),
    /// Before/after an intervention: each metric's change with a 95% bootstrap interval.
    Compare(CompareArgs),
    /// Suggest reviewers for a change, plus one learner as shadow reviewer; `--evaluate`
    /// replays history to measure how often the suggestion was right.
    SuggestReviewers(SuggestReviewersArgs),
    /// Bring pull-request and review history from GitHub into the repository.
    Sync(SyncArgs),
    /// Scaffold a peer-learning doc (case round, retrospective, micro-teach, ...).
    New(NewArgs),
    /// List or check the community's docs.
    #[command(subcommand)]
    Docs(DocsCommand),
    /// Build or preview the static community site.
    #[command(subcommand)]
    Site(SiteCommand),
    /// Run as a GitHub Action step (reads the runner's environment).
    Action(ActionArgs),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Overwrite an existing `guild.yml`.
    #[arg(long)]
    pub force: bool,
}

/// Filters shared by commands that rank people.
#[derive(Debug, Clone, Args, Default)]
pub struct PeopleFilter {
    /// Only count events on or after DATE (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Show only the first N people.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
}

#[derive(Debug, Args)]
pub struct ReputationArgs {
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    pub format: TableFormat,
    #[command(flatten)]
    pub filter: PeopleFilter,
    #[command(flatten)]
    pub context: FromContext,
}

/// Render from a saved snapshot instead of the repository's history.
#[derive(Debug, Args, Default)]
pub struct FromContext {
    /// Render from a snapshot saved with `cargo guild context --json > FILE` (no history is
    /// read; the output is byte-identical to a direct run on the same history).
    #[arg(long, value_name = "FILE")]
    pub from_context: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The person: id (GitHub login or slug), name or e-mail.
    pub person: String,
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    pub format: TableFormat,
    /// Only count events on or after DATE (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    #[command(flatten)]
    pub context: FromContext,
}

#[derive(Debug, Args)]
pub struct EndorseArgs {
    /// Who to endorse: id, login or name of someone in the history.
    pub person: String,
    /// The skill, e.g. "async Rust".
    #[arg(long)]
    pub skill: String,
    /// Why, in a line.
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, Args)]
pub struct PathsArgs {
    /// A person (id, or with the history also a login or name): their next steps.
    pub person: Option<String>,
    /// Only this domain.
    #[arg(long, value_name = "D")]
    pub domain: Option<String>,
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    pub format: TableFormat,
    #[command(flatten)]
    pub context: FromContext,
}

#[derive(Debug, Args)]
pub struct RotateArgs {
    /// Only this ritual (a `name` under `rituals:` in guild.yml).
    #[arg(long, value_name = "NAME")]
    pub ritual: Option<String>,
    /// The first date to show, YYYY-MM-DD (default: the day of the latest activity).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// How many slots of each ritual.
    #[arg(long, default_value_t = 8)]
    pub count: usize,
    #[arg(long, value_enum, default_value_t = RotateFormat::Table)]
    pub format: RotateFormat,
    #[command(flatten)]
    pub context: FromContext,
}

/// Output formats for a schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum RotateFormat {
    #[default]
    Table,
    Json,
    /// iCalendar (RFC 5545): one all-day event per slot, stable UIDs.
    Ics,
}

#[derive(Debug, Args)]
pub struct WhoisArgs {
    /// The person: id, login, name or e-mail.
    #[arg(required_unless_present = "suspects")]
    pub person: Option<String>,
    /// List likely duplicates left apart, ready to paste as `aliases` in guild.yml.
    #[arg(long, conflicts_with = "person")]
    pub suspects: bool,
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    pub format: TableFormat,
}

/// Formats of an exported ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ExportFormat {
    /// JSON Lines: one row per line, each tagged with its `table`.
    #[default]
    Jsonl,
    /// Parquet: the same rows, with the events' columns flat for queries (uncompressed).
    Parquet,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
    pub format: ExportFormat,
    /// Write to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// The repository's name in the ledger (default: the GitHub slug's name, else the folder's).
    #[arg(long, value_name = "NAME")]
    pub repository: Option<String>,
}

#[derive(Debug, Args)]
pub struct ContextArgs {
    /// Print JSON (the only format; the flag is accepted for clarity in scripts).
    #[arg(long)]
    pub json: bool,
    /// Print the snapshot's JSON Schema (draft 2020-12) instead.
    #[arg(long)]
    pub schema: bool,
}

#[derive(Debug, Args)]
pub struct NetworkArgs {
    #[arg(long, value_enum, default_value_t = NetworkFormat::Table)]
    pub format: NetworkFormat,
    #[command(flatten)]
    pub context: FromContext,
}

#[derive(Debug, Args)]
pub struct DomainsArgs {
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    pub format: TableFormat,
    #[command(flatten)]
    pub context: FromContext,
}

#[derive(Debug, Args)]
pub struct NewcomersArgs {
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    pub format: TableFormat,
    #[command(flatten)]
    pub context: FromContext,
}

/// `--window DAYS`: a whole number of days, at least one.
fn window_days(s: &str) -> Result<u32, String> {
    match s.trim().parse::<u32>() {
        Ok(d) if (1..=36_500).contains(&d) => Ok(d),
        _ => Err(format!(
            "a window is a number of days from 1 to 36500 (got `{s}`); try --window 90"
        )),
    }
}

#[derive(Debug, Args)]
pub struct TrendsArgs {
    /// The length of each window in days.
    #[arg(long, value_name = "DAYS", default_value_t = crate::config::TRENDS_WINDOW_DAYS, value_parser = window_days)]
    pub window: u32,
    /// Only show windows that end on or after DATE (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Show newcomer cohorts (by the window of their first contribution) and how many
    /// reached each ladder step after 90, 180 and 365 days.
    #[arg(long)]
    pub cohorts: bool,
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    pub format: TableFormat,
    #[command(flatten)]
    pub context: FromContext,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("when").required(true).args(["intervention", "at"])))]
pub struct CompareArgs {
    /// An intervention by its name under `interventions:` in guild.yml.
    #[arg(long, value_name = "NAME")]
    pub intervention: Option<String>,
    /// A date (YYYY-MM-DD): the first day of the "after" window.
    #[arg(long, value_name = "DATE")]
    pub at: Option<String>,
    /// The length of the windows before and after, in days.
    #[arg(long, value_name = "DAYS", default_value_t = crate::config::TRENDS_WINDOW_DAYS, value_parser = window_days)]
    pub window: u32,
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    pub format: TableFormat,
    #[command(flatten)]
    pub context: FromContext,
}

#[derive(Debug, Args)]
pub struct SuggestReviewersArgs {
    /// The changed paths.
    #[arg(long, num_args = 1.., value_name = "PATH", conflicts_with = "diff", required_unless_present_any = ["diff", "evaluate"])]
    pub paths: Vec<String>,
    /// A revision range BASE..HEAD whose changed paths to use.
    #[arg(long, value_name = "BASE..HEAD")]
    pub diff: Option<String>,
    /// The author of the change (excluded from suggestions).
    #[arg(long, value_name = "PERSON")]
    pub author: Option<String>,
    /// How many reviewers to suggest (the shadow reviewer comes on top; default:
    /// `reviewers.count` in guild.yml).
    #[arg(long, value_name = "N")]
    pub count: Option<usize>,
    /// Instead of suggesting: replay every reviewed pull request, suggest from what happened
    /// before it, and report how often its reviewer was suggested (beside two baselines).
    #[arg(long, conflicts_with_all = ["paths", "diff", "author", "count"])]
    pub evaluate: bool,
    /// With `--evaluate`: only pull requests merged on or after DATE (YYYY-MM-DD); earlier
    /// history still informs the suggestions.
    #[arg(long, value_name = "DATE", requires = "evaluate")]
    pub since: Option<String>,
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    pub format: TableFormat,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The GitHub repository (default: the `origin` remote's).
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: Option<String>,
    /// Fetch everything again instead of only what changed since the last sync.
    #[arg(long)]
    pub full: bool,
    /// Only pull requests updated on or after DATE (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The kind of doc (see `--list`).
    #[arg(required_unless_present = "list")]
    pub kind: Option<String>,
    /// The title.
    #[arg(required_unless_present = "list")]
    pub title: Option<String>,
    /// List the kinds with a one-line description each.
    #[arg(long)]
    pub list: bool,
    #[arg(long, value_name = "D")]
    pub domain: Option<String>,
    /// The date (YYYY-MM-DD, default today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
    #[arg(long, value_name = "P")]
    pub facilitator: Option<String>,
    #[arg(long, value_name = "P,...", value_delimiter = ',')]
    pub participants: Vec<String>,
    #[arg(long, value_name = "t,...", value_delimiter = ',')]
    pub tags: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum DocsCommand {
    /// List the docs.
    List(DocsListArgs),
    /// Check front matter, fields, kinds, dates, domains, ids and links (exit 1 on findings).
    Check(DocsCheckArgs),
}

#[derive(Debug, Args)]
pub struct DocsListArgs {
    #[arg(long, value_name = "K")]
    pub kind: Option<String>,
    #[arg(long, value_name = "D")]
    pub domain: Option<String>,
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    pub format: TableFormat,
}

#[derive(Debug, Args)]
pub struct DocsCheckArgs {
    /// Only check these files (default: every doc).
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum SiteCommand {
    /// Render the static site.
    Build(SiteBuildArgs),
    /// Preview the site on 127.0.0.1, rebuilding when docs or `guild.yml` change.
    Serve(SiteServeArgs),
}

#[derive(Debug, Args)]
pub struct SiteBuildArgs {
    /// Where to write the site.
    #[arg(long, value_name = "DIR", default_value = "target/guild-site")]
    pub out: PathBuf,
    /// The URL path the site is served under (e.g. `/my-project/` for project pages, or a
    /// full `https://...` URL for absolute links and sitemap.xml); default: `site.base_url`
    /// in guild.yml, else `/`.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    #[command(flatten)]
    pub context: FromContext,
}

#[derive(Debug, Args)]
pub struct SiteServeArgs {
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    #[arg(long, value_name = "DIR", default_value = "target/guild-site")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct ActionArgs {
    /// What to do: `auto` picks from the event (`pull-request`, `publish`).
    #[arg(long, default_value = "auto")]
    pub command: String,
    /// Request the suggested reviewers through the API (also `GUILD_REQUEST_REVIEWERS=true`;
    /// `false`, `no`, `off`, `0` or empty leave it off).
    #[arg(long, env = "GUILD_REQUEST_REVIEWERS", value_parser = clap::builder::FalseyValueParser::new())]
    pub request_reviewers: bool,
    /// Where to build the site on publish events.
    #[arg(long, value_name = "DIR", default_value = "target/guild-site")]
    pub site_dir: PathBuf,
    /// The sticky comment: `update` it (or create it), `create` it once and never edit it,
    /// or `off` (the report goes to the step summary only). Also `GUILD_COMMENT`.
    #[arg(long, value_enum, env = "GUILD_COMMENT", default_value_t = CommentMode::Update)]
    pub comment: CommentMode,
    /// Exit 1 when the docs check finds errors in the pull request's docs; warnings
    /// (unfilled template sections) never fail (also `GUILD_FAIL_ON_DOCS_FINDINGS=true`).
    #[arg(long, env = "GUILD_FAIL_ON_DOCS_FINDINGS", value_parser = clap::builder::FalseyValueParser::new())]
    pub fail_on_docs_findings: bool,
}

/// What the Action does with its sticky pull-request comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CommentMode {
    Off,
    Create,
    Update,
}

/// The outer parser for `cargo guild ...`: cargo runs `cargo-guild guild ...`.
#[derive(Debug, Parser)]
#[command(name = "cargo", bin_name = "cargo")]
enum CargoCli {
    Guild(Cli),
}

/// Parses the arguments whichever way the binary was started.
pub fn parse(args: Vec<OsString>) -> Result<Cli, clap::Error> {
    // Invoked by cargo as `cargo-guild guild ...`.
    if args.get(1).is_some_and(|a| a == "guild") {
        return CargoCli::try_parse_from(
            std::iter::once(OsString::from("cargo")).chain(args.into_iter().skip(1)),
        )
        .map(|CargoCli::Guild(cli)| cli);
    }
    Cli::try_parse_from(args)
}
