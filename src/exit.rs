//! Exit codes and error reporting: the only place that turns a result into a process status.
//! 0 ok, 1 findings (a check that found problems), 2 error. A broken pipe is success.

use std::ffi::OsString;
use std::io::Write;

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

pub fn run(args: Vec<OsString>) -> u8 {
    STARTED.get_or_init(std::time::Instant::now);
    let cli = match crate::cli::parse(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match crate::cmd::execute(cli) {
        Ok(Outcome::Ok) => 0,
        Ok(Outcome::Findings) => 1,
        Err(err) => {
            if is_broken_pipe(&err) {
                return 0;
            }
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "error: {err}");
            for cause in err.chain().skip(1) {
                let _ = write!(stderr, "\n  caused by: {cause}");
            }
            let _ = writeln!(stderr);
            2
        }
    }
}

/// Ends the process with `code` now, once standard output is flushed: without the C
/// library's exit handlers, where mimalloc would first hand every freed page back to the
/// system one `madvise` at a time (`strace -f` shows them after the last write; about 2 ms
/// of a 50 ms run on tokio's history), and without freeing what the kernel takes back whole
/// anyway. Every file the run wrote was written by then (cache files are renamed into place
/// complete).
pub fn end_now(code: u8) -> ! {
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    #[cfg(unix)]
    {
        extern "C" {
            fn _exit(status: i32) -> !;
        }
        // SAFETY: `_exit` ends the process; nothing runs after it, so nothing can observe
        // state it skips (the atexit handlers and destructors of the C runtime).
        unsafe { _exit(i32::from(code)) }
    }
    #[cfg(not(unix))]
    std::process::exit(i32::from(code))
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
