//! Ctrl-C (SIGINT) and SIGTERM while the site is being written: the temporary folder is
//! removed and a site already moved aside is put back, then the process exits with 130.
//!
//! The handler is installed on the first write and stays (a signal handler cannot be
//! uninstalled with tokio); outside a write it only exits with 130, as the default action
//! would. Each file is written holding [`STATE`], so the handler never removes a folder
//! while a file is half-written into it, and never races the final renames.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, OnceLock};

/// The write under way: (temporary folder, previous site moved aside, `--out`).
pub static STATE: Mutex<Option<(PathBuf, PathBuf, PathBuf)>> = Mutex::new(None);

/// The state, even if a panicking writer poisoned it (the paths are still right).
pub fn lock() -> MutexGuard<'static, Option<(PathBuf, PathBuf, PathBuf)>> {
    STATE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Installs the handler once per process.
pub fn install() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel::<bool>();
        let spawned = std::thread::Builder::new()
            .name("site-interrupt".into())
            .spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_io()
                    .build()
                else {
                    let _ = tx.send(false);
                    return;
                };
                rt.block_on(async move {
                    #[cfg(unix)]
                    {
                        use tokio::signal::unix::{signal, SignalKind};
                        let (Ok(mut int), Ok(mut term)) = (
                            signal(SignalKind::interrupt()),
                            signal(SignalKind::terminate()),
                        ) else {
                            let _ = tx.send(false);
                            return;
                        };
                        let _ = tx.send(true);
                        tokio::select! {
                            _ = int.recv() => {}
                            _ = term.recv() => {}
                        }
                    }
                    #[cfg(not(unix))]
                    {
                        let _ = tx.send(true);
                        let _ = tokio::signal::ctrl_c().await;
                    }
                });
                clean_up_and_exit();
            });
        // Wait until the handler is in place, so a signal right after this is caught.
        if spawned.is_ok() {
            let _ = rx.recv();
        }
    });
}

fn clean_up_and_exit() -> ! {
    // Held until exit: the writer stops at its next file.
    let state = lock();
    if let Some((tmp, old, out)) = state.as_ref() {
        let _ = std::fs::remove_dir_all(tmp);
        if !out.exists() {
            let _ = std::fs::rename(old, out);
        } else {
            let _ = std::fs::remove_dir_all(old);
        }
        eprintln!("interrupted: the site was not written");
    }
    std::process::exit(130);
}
