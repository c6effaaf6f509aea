//! Asking the person at the terminal for a secret, the way `curl -u USER`
//! asks for the password: the headless commands ask without echo, the
//! dashboard shows a `*` per character.
//!
//! The terminal is in raw mode while the prompt waits, entered before the
//! prompt is written (so nothing typed early is echoed by the terminal
//! itself) and left on every way out, Ctrl-C included: raw mode turns
//! Ctrl-C into a key instead of a signal that would kill us mid-prompt.
//! SIGTERM and SIGHUP, which raw mode cannot turn into keys, are noted
//! while the prompt waits and end it the same way, the terminal restored.

use std::io::{self, IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use crossterm::terminal::{disable_raw_mode, enable_raw_mode};
use secrecy::SecretString;
use secrecy::zeroize::Zeroizing;

/// What the person did at the prompt.
pub enum Answer {
    /// Typed something and pressed Enter (possibly nothing).
    Typed(SecretString),
    /// Left with Esc, Ctrl-C, or Ctrl-D on an empty line, or ended by
    /// SIGTERM or SIGHUP.
    Cancelled,
}

/// How typed characters are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Echo {
    /// Nothing at all, as `curl` and `sudo` do.
    Nothing,
    /// One `*` per character (the dashboard's masked prompt).
    Mask,
}

/// The account password prompt, worded as `curl -u USER` words it; `user`
/// is already safe to print.
pub fn password_prompt(user: &str) -> String {
    format!("TIP password for {user}: ")
}

/// True when a person can be asked: stdin and `out` (stderr or stdout,
/// wherever the prompt is written) are both terminals.
pub fn can_ask(out: &impl IsTerminal) -> bool {
    io::stdin().is_terminal() && out.is_terminal()
}

/// Writes `prompt` to `out`, reads one line from the terminal without
/// echoing it (or masked), and returns it. The line never passes through
/// anything that could print or log it.
pub fn ask_secret(prompt: &str, out: &mut impl Write, echo: Echo) -> io::Result<Answer> {
    let raw = RawMode::enter()?;
    let stop = StopSignals::watch()?;
    write!(out, "{prompt}")?;
    out.flush()?;
    // Room for any real password, so typing never reallocates (and so
    // never leaves a copy behind); zeroed when dropped.
    let mut typed = Zeroizing::new(String::with_capacity(256));
    let answer = loop {
        if stop.arrived() {
            break Answer::Cancelled;
        }
        // Polled, so a signal is seen within a tenth of a second.
        if !event::poll(Duration::from_millis(100))? {
            continue;
        }
        let Event::Key(key) = event::read()? else {
            continue;
        };
        if key.kind == KeyEventKind::Release {
            continue;
        }
        match edit(&mut typed, key) {
            Edit::Added if echo == Echo::Mask => write!(out, "*")?,
            Edit::Erased(n) if echo == Echo::Mask => {
                write!(out, "{}", "\x08 \x08".repeat(n))?;
            }
            Edit::Done => break Answer::Typed(SecretString::from(typed.as_str())),
            Edit::Cancel => break Answer::Cancelled,
            Edit::Added | Edit::Erased(_) | Edit::Ignored => {}
        }
        out.flush()?;
    };
    // Raw mode does not turn "\n" into a new line: return the carriage too.
    write!(out, "\r\n")?;
    out.flush()?;
    drop(stop);
    drop(raw);
    Ok(answer)
}

/// SIGTERM and SIGHUP noted as a flag for as long as it lives, instead of
/// ending the process with the terminal still raw.
struct StopSignals {
    flag: Arc<AtomicBool>,
    ids: Vec<signal_hook::SigId>,
}

impl StopSignals {
    fn watch() -> io::Result<Self> {
        let flag = Arc::new(AtomicBool::new(false));
        let mut ids = Vec::new();
        for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP] {
            ids.push(signal_hook::flag::register(signal, flag.clone())?);
        }
        Ok(Self { flag, ids })
    }

    fn arrived(&self) -> bool {
        self.flag.load(Ordering::Relaxed)
    }
}

impl Drop for StopSignals {
    fn drop(&mut self) {
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}

/// Raw mode for as long as it lives.
struct RawMode;

impl RawMode {
    fn enter() -> io::Result<Self> {
        enable_raw_mode()?;
        Ok(RawMode)
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = disable_raw_mode();
    }
}

/// What one key did to the line.
#[derive(Debug, PartialEq, Eq)]
enum Edit {
    /// A character was appended.
    Added,
    /// This many characters were removed from the end.
    Erased(usize),
    /// Enter: the line is complete.
    Done,
    /// The person wants out.
    Cancel,
    /// A key that does nothing here.
    Ignored,
}

/// Applies one key to the line being typed, as a terminal's line editing
/// would: Backspace, Ctrl-U, Enter, Esc / Ctrl-C / Ctrl-D to leave.
fn edit(typed: &mut String, key: KeyEvent) -> Edit {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Enter => Edit::Done,
        // In raw mode a pasted "\n" arrives as Ctrl-J.
        KeyCode::Char('j' | 'm') if ctrl => Edit::Done,
        KeyCode::Esc => Edit::Cancel,
        KeyCode::Char('c') if ctrl => Edit::Cancel,
        KeyCode::Char('d') if ctrl && typed.is_empty() => Edit::Cancel,
        KeyCode::Backspace => match typed.pop() {
            Some(_) => Edit::Erased(1),
            None => Edit::Ignored,
        },
        KeyCode::Char('h') if ctrl => edit(typed, KeyEvent::from(KeyCode::Backspace)),
        KeyCode::Char('u') if ctrl => {
            let n = typed.chars().count();
            typed.clear();
            if n == 0 {
                Edit::Ignored
            } else {
                Edit::Erased(n)
            }
        }
        KeyCode::Char(_) if ctrl || key.modifiers.contains(KeyModifiers::ALT) => Edit::Ignored,
        KeyCode::Char(c) => {
            typed.push(c);
            Edit::Added
        }
        _ => Edit::Ignored,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(typed: &mut String, codes: &[KeyEvent]) -> Vec<Edit> {
        codes.iter().map(|k| edit(typed, *k)).collect()
    }

    fn ch(c: char) -> KeyEvent {
        KeyEvent::from(KeyCode::Char(c))
    }

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    #[test]
    fn typing_erasing_and_enter() {
        let mut typed = String::new();
        let edits = keys(
            &mut typed,
            &[
                ch('a'),
                KeyEvent::new(KeyCode::Char('B'), KeyModifiers::SHIFT),
                ch('é'),
                KeyEvent::from(KeyCode::Backspace),
                ch('c'),
                KeyEvent::from(KeyCode::Enter),
            ],
        );
        assert_eq!(typed, "aBc");
        assert_eq!(edits[3], Edit::Erased(1));
        assert_eq!(edits[5], Edit::Done);
        assert_eq!(edit(&mut typed, ctrl('j')), Edit::Done, "a pasted newline");
    }

    #[test]
    fn ctrl_u_clears_and_ctrl_keys_are_not_typed() {
        let mut typed = "secret".to_owned();
        assert_eq!(edit(&mut typed, ctrl('u')), Edit::Erased(6));
        assert_eq!(edit(&mut typed, ctrl('x')), Edit::Ignored);
        assert_eq!(
            edit(&mut typed, KeyEvent::from(KeyCode::Backspace)),
            Edit::Ignored
        );
        assert!(typed.is_empty());
    }

    #[test]
    fn esc_ctrl_c_and_ctrl_d_on_an_empty_line_leave() {
        let mut typed = String::new();
        assert_eq!(edit(&mut typed, KeyEvent::from(KeyCode::Esc)), Edit::Cancel);
        assert_eq!(edit(&mut typed, ctrl('c')), Edit::Cancel);
        assert_eq!(edit(&mut typed, ctrl('d')), Edit::Cancel);
        typed.push('x');
        assert_eq!(edit(&mut typed, ctrl('d')), Edit::Ignored);
        assert_eq!(edit(&mut typed, ctrl('c')), Edit::Cancel);
    }
}
