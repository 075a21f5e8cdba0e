//! Ctrl-C and SIGTERM as something the client can wait for beside a request, so that a sync
//! stops between writes instead of being killed in the middle of one. Apart from the client
//! because it is platform code (Unix signals, Ctrl-C elsewhere), not HTTP.

/// Ctrl-C and SIGTERM, noticed between and during requests rather than killing the process
/// halfway through a write (the store commits between requests, so stopping there is safe).
pub(super) struct Interrupts {
    #[cfg(unix)]
    int: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
}

impl Interrupts {
    pub(super) fn new() -> Interrupts {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Interrupts {
                int: signal(SignalKind::interrupt()).ok(),
                term: signal(SignalKind::terminate()).ok(),
            }
        }
        #[cfg(not(unix))]
        Interrupts {}
    }

    /// Resolves when an interrupt arrives (never, if none can be listened for).
    pub(super) async fn recv(&mut self) {
        #[cfg(unix)]
        {
            let int = async {
                match self.int.as_mut() {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            let term = async {
                match self.term.as_mut() {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = int => {}
                _ = term => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
