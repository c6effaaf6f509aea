//! Drives the real binary on a pseudo-terminal: keys go in as bytes, what it
//! draws is fed to a `vt100` parser, and tests wait (with a deadline, never a
//! fixed sleep) until the screen shows what they expect. Waits look only at
//! whole frames: the program draws each inside a synchronized update, and a
//! screen read in the middle of one is not judged.
#![allow(dead_code)] // each test uses a different subset

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use portable_pty::{
    ChildKiller, CommandBuilder, ExitStatus, MasterPty, PtySize, native_pty_system,
};

/// How long any one wait may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(20);

/// Everything the reader and waiter threads share with the test.
struct State {
    parser: vt100::Parser,
    /// Every byte the program wrote, in order.
    raw: Vec<u8>,
    /// The reader reached end of file (the program and its pty are gone).
    eof: bool,
    /// The program's exit status, once it has exited.
    exit: Option<ExitStatus>,
    /// Inside a synchronized update (DEC mode 2026): the screen holds part
    /// of a frame, so no wait looks at it until the frame is whole.
    mid_frame: bool,
    /// The last bytes read, for a mode sequence split across two reads.
    tail: Vec<u8>,
}

/// The sequence that opens a synchronized update (a frame).
pub const BEGIN_FRAME: &[u8] = b"\x1b[?2026h";
/// The sequence that closes it.
pub const END_FRAME: &[u8] = b"\x1b[?2026l";

impl State {
    /// Feeds what the program wrote to the parser and follows whether it
    /// stopped in the middle of a frame.
    fn feed(&mut self, bytes: &[u8]) {
        self.parser.process(bytes);
        self.raw.extend_from_slice(bytes);
        let mut seen = std::mem::take(&mut self.tail);
        seen.extend_from_slice(bytes);
        let last = |needle: &[u8]| seen.windows(needle.len()).rposition(|w| w == needle);
        match (last(BEGIN_FRAME), last(END_FRAME)) {
            (Some(begin), Some(end)) => self.mid_frame = begin > end,
            (Some(_), None) => self.mid_frame = true,
            (None, Some(_)) => self.mid_frame = false,
            (None, None) => {}
        }
        let keep = seen.len().saturating_sub(BEGIN_FRAME.len() - 1);
        self.tail = seen.split_off(keep);
    }

    /// The screen is a whole frame (or nothing more will come).
    fn settled(&self) -> bool {
        !self.mid_frame || self.eof
    }
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The program under test, running on a pty of a fixed size.
pub struct Tui {
    shared: Arc<Shared>,
    writer: Box<dyn Write + Send>,
    killer: Box<dyn ChildKiller + Send + Sync>,
    pid: Option<u32>,
    // Kept so the pty stays open (and its size fixed) while the test runs.
    _master: Box<dyn MasterPty + Send>,
}

impl Tui {
    /// The dashboard with this config file, its account password in
    /// `TIP_PASSWORD`: how most dashboard tests start it.
    pub fn dashboard(config: &Path, password: &str, home: &Path, size: (u16, u16)) -> Tui {
        Tui::spawn(
            &["--config", config.to_str().unwrap()],
            &[("TIP_PASSWORD", password)],
            home,
            size,
        )
    }

    /// Starts `tae-rescan args` on a `cols` x `rows` pty with a clean
    /// environment: PATH, HOME and XDG dirs under `home`, TERM, plus `env`.
    pub fn spawn(
        args: &[&str],
        env: &[(&str, &str)],
        home: &Path,
        (cols, rows): (u16, u16),
    ) -> Tui {
        let size = PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        };
        let pair = native_pty_system().openpty(size).expect("open a pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_tae-rescan"));
        cmd.args(args);
        cmd.env_clear();
        cmd.env("PATH", std::env::var("PATH").unwrap_or_default());
        cmd.env("HOME", home);
        cmd.env("XDG_CONFIG_HOME", home.join("config"));
        cmd.env("XDG_DATA_HOME", home.join("data"));
        cmd.env("XDG_STATE_HOME", home.join("state"));
        cmd.env("TERM", "xterm-256color");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.cwd(home);
        let mut child = pair
            .slave
            .spawn_command(cmd)
            .expect("spawn tae-rescan on the pty");
        // Only the child holds the slave now, so reads end when it exits.
        drop(pair.slave);
        let killer = child.clone_killer();
        let pid = child.process_id();
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                parser: vt100::Parser::new(nonzero(rows), nonzero(cols), 0),
                raw: Vec::new(),
                eof: false,
                exit: None,
                mid_frame: false,
                tail: Vec::new(),
            }),
            changed: Condvar::new(),
        });

        let s = Arc::clone(&shared);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    // EIO on Linux once the slave side is closed: end of output.
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        s.lock().feed(&buf[..n]);
                        s.changed.notify_all();
                    }
                }
            }
            s.lock().eof = true;
            s.changed.notify_all();
        });

        let s = Arc::clone(&shared);
        std::thread::spawn(move || {
            let status = child
                .wait()
                .unwrap_or_else(|_| ExitStatus::with_signal("wait failed"));
            s.lock().exit = Some(status);
            s.changed.notify_all();
        });

        Tui {
            shared,
            writer,
            killer,
            pid,
            _master: pair.master,
        }
    }

    /// Writes bytes to the program as if typed (or pasted).
    pub fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).expect("write to the pty");
        self.writer.flush().expect("flush the pty");
    }

    /// The screen as plain text, one line per row.
    pub fn contents(&self) -> String {
        self.shared.lock().parser.screen().contents()
    }

    /// A copy of the parsed screen, for looking at rows, cells and modes.
    pub fn screen(&self) -> vt100::Screen {
        self.shared.lock().parser.screen().clone()
    }

    /// The screen's rows restricted to columns `start..start + width`.
    pub fn rows(&self, start: u16, width: u16) -> Vec<String> {
        self.shared
            .lock()
            .parser
            .screen()
            .rows(start, width)
            .collect()
    }

    /// Every byte the program has written so far.
    pub fn raw_output(&self) -> Vec<u8> {
        self.shared.lock().raw.clone()
    }

    /// What the program last put on the clipboard through OSC 52
    /// (`ESC ] 52 ; c ; BASE64 BEL`), decoded.
    pub fn last_osc52(&self) -> String {
        use base64::Engine;
        let raw = self.raw_output();
        let text = String::from_utf8_lossy(&raw);
        let start = text
            .rfind("\x1b]52;c;")
            .expect("an OSC 52 sequence was written")
            + 7;
        let end = start + text[start..].find('\x07').expect("OSC 52 ends with BEL");
        let copied = base64::engine::general_purpose::STANDARD
            .decode(&text[start..end])
            .expect("base64");
        String::from_utf8(copied).expect("utf-8")
    }

    /// Whether the terminal is (still) on the alternate screen.
    pub fn alternate_screen(&self) -> bool {
        self.shared.lock().parser.screen().alternate_screen()
    }

    /// Sends the program a signal (`libc::SIGTERM`, ...), as `kill` would.
    pub fn signal(&self, signal: i32) {
        let pid = self.pid.expect("the program's pid") as libc::pid_t;
        // SAFETY: kill(2) on our own child's pid; no memory is involved.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0, "kill {pid}");
    }

    /// The terminal's line modes as the program set or left them:
    /// `(echo, canonical)`, both on for a shell's ordinary terminal.
    pub fn line_modes(&self) -> (bool, bool) {
        let modes = self._master.get_termios().expect("read the pty's modes");
        let local = modes.local_flags.bits();
        (local & libc::ECHO != 0, local & libc::ICANON != 0)
    }

    /// Whether the cursor is (still) hidden.
    pub fn hide_cursor(&self) -> bool {
        self.shared.lock().parser.screen().hide_cursor()
    }

    /// Waits until `pred` holds for the screen text; on timeout fails the
    /// test showing `what` was expected and the whole screen.
    pub fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        self.wait_screen(what, |screen| pred(&screen.contents()))
    }

    /// Waits until `pred` holds for the parsed screen (rows, modes, ...).
    pub fn wait_screen(&self, what: &str, pred: impl Fn(&vt100::Screen) -> bool) -> String {
        let deadline = Instant::now() + DEADLINE;
        let mut st = self.shared.lock();
        loop {
            if st.settled() && pred(st.parser.screen()) {
                return st.parser.screen().contents();
            }
            let now = Instant::now();
            if now >= deadline {
                let screen = st.parser.screen().contents();
                let exit = st.exit.clone();
                drop(st);
                panic!(
                    "timed out after {DEADLINE:?} waiting for {what}; exit: {exit:?}; screen:\n{screen}"
                );
            }
            if st.eof && st.exit.is_some() {
                // Nothing will change any more: fail now, not at the deadline.
                let screen = st.parser.screen().contents();
                let exit = st.exit.clone();
                drop(st);
                panic!("the program exited ({exit:?}) while waiting for {what}; screen:\n{screen}");
            }
            st = self
                .shared
                .changed
                .wait_timeout(st, deadline - now)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
    }

    /// Waits until `text` is on screen.
    pub fn wait_text(&self, text: &str) -> String {
        self.wait_for(&format!("{text:?} on screen"), |s| s.contains(text))
    }

    /// Waits until `text` is no longer on screen.
    pub fn wait_gone(&self, text: &str) -> String {
        self.wait_for(&format!("{text:?} to disappear"), |s| !s.contains(text))
    }

    /// Waits until the program has exited and all its output is parsed.
    pub fn wait_exit(&self) -> ExitStatus {
        let deadline = Instant::now() + DEADLINE;
        let mut st = self.shared.lock();
        loop {
            if let (true, Some(status)) = (st.eof, &st.exit) {
                return status.clone();
            }
            let now = Instant::now();
            if now >= deadline {
                let screen = st.parser.screen().contents();
                let (eof, exit) = (st.eof, st.exit.clone());
                drop(st);
                panic!(
                    "timed out after {DEADLINE:?} waiting for exit (eof {eof}, exit {exit:?}); screen:\n{screen}"
                );
            }
            st = self
                .shared
                .changed
                .wait_timeout(st, deadline - now)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        if self.shared.lock().exit.is_none() {
            let _ = self.killer.kill();
        }
    }
}

/// Polls `cond` (state outside the terminal, e.g. the simulator's record)
/// until it holds, failing after the deadline with `what`.
pub fn eventually(what: &str, cond: impl Fn() -> bool) {
    let deadline = Instant::now() + DEADLINE;
    while !cond() {
        assert!(
            Instant::now() < deadline,
            "timed out after {DEADLINE:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn nonzero(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n).expect("a terminal size is never zero")
}

/// The simulator runs on this runtime while the test thread drives the pty.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}
