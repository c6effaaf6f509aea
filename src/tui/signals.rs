//! The operating system's signals while the dashboard runs: SIGTERM and
//! SIGHUP (a closed terminal window) become `Message::Terminate`: the
//! dashboard cancels what is in flight and leaves at once, the terminal
//! restored. Ctrl-C is not among them: in raw mode it arrives as a key,
//! and `update` gives it its meaning.

/// SIGTERM and SIGHUP, registered for as long as the dashboard runs.
pub struct Signals {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    hup: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    /// Registers the signals; one that cannot be registered is left to its
    /// default.
    pub fn register() -> Signals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Signals {
                term: signal(SignalKind::terminate()).ok(),
                hup: signal(SignalKind::hangup()).ok(),
            }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    /// Resolves when one of the signals arrives (never, if none could be registered).
    pub async fn recv(&mut self) {
        #[cfg(unix)]
        {
            let term = async {
                match &mut self.term {
                    Some(s) => s.recv().await,
                    None => std::future::pending().await,
                }
            };
            let hup = async {
                match &mut self.hup {
                    Some(s) => s.recv().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = term => {},
                _ = hup => {},
            }
        }
        #[cfg(not(unix))]
        std::future::pending::<()>().await
    }
}
