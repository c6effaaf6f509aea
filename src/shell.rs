//! Command lines for a POSIX shell, for the commands we show people to
//! copy (the `y` curl command): each value is one word whatever it holds,
//! and the line never carries a character that must not reach a terminal.

/// Words for one POSIX shell command line: single-quoted as they are, or,
/// when they hold characters unsafe to draw (newlines, escapes, bidi
/// marks), built first into shell variables from `printf` octal escapes.
#[derive(Debug, Default)]
pub struct ShellLine {
    /// `tae_v1=$(printf -- '...'); ` for each value that needs it.
    setup: String,
    variables: usize,
}

impl ShellLine {
    /// `value` as one shell word. Call [`ShellLine::setup`] afterwards for
    /// what must come before the command.
    pub fn word(&mut self, value: &str) -> String {
        if !value.chars().any(unsafe_to_draw) {
            return format!("'{}'", value.replace('\'', "'\\''"));
        }
        // `$(...)` drops trailing newlines: a final `.` keeps them, and
        // `${v%.}` takes it off again.
        self.variables += 1;
        let name = format!("tae_v{}", self.variables);
        let mut format = String::new();
        for c in value.chars() {
            match c {
                '\'' => format.push_str("'\\''"),
                '\\' => format.push_str("\\\\"),
                '%' => format.push_str("%%"),
                c if unsafe_to_draw(c) => {
                    let mut bytes = [0; 4];
                    for b in c.encode_utf8(&mut bytes).bytes() {
                        format.push_str(&format!("\\{b:03o}"));
                    }
                }
                c => format.push(c),
            }
        }
        self.setup
            .push_str(&format!("{name}=$(printf -- '{format}.'); "));
        format!("\"${{{name}%.}}\"")
    }

    /// The assignments the words need, to put in front of the command
    /// (empty for ordinary values).
    pub fn setup(&self) -> &str {
        &self.setup
    }
}

/// Characters that change what a terminal does or shows (see
/// [`crate::text::sanitize`]).
fn unsafe_to_draw(c: char) -> bool {
    c.is_control() || crate::text::is_format_char(c)
}
