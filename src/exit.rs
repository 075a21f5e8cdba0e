//! Exit codes and error reporting: the only place that turns a result into a process status.
//! 0 ok, 1 findings (a check that found problems), 2 error. A broken pipe is success.

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

/// What a command reports when it finished without an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything fine.
    Ok,
    /// The command ran and found problems (exit 1), e.g. `docs check`.
    Findings,
}

/// When the run started, for `-vv`'s timings.
pub static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

pub fn run(args: Vec<OsString>) -> ExitCode {
    STARTED.get_or_init(std::time::Instant::now);
    let cli = match crate::cli::parse(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match crate::cmd::execute(cli) {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "error: {err}");
            for cause in err.chain().skip(1) {
                let _ = write!(stderr, "\n  caused by: {cause}");
            }
            let _ = writeln!(stderr);
            ExitCode::from(2)
        }
    }
}

/// Whether the error is a closed standard output (`cargo guild ... | head`), however deep:
/// serde_json wraps the I/O error of a JSON writer in its own error type.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind)
                == Some(BrokenPipe)
    })
}
