//! The raw bytes of an import, checked on the way through: the size cap
//! and UTF-8, the checks `read_text` makes on a whole file, made without
//! holding the file.

use std::io::Read;

use super::MAX_IMPORT_BYTES;
use crate::text::io_reason;

pub(super) fn not_utf8(source: &str) -> String {
    format!("{source}: not UTF-8 text; is this the right file?")
}

fn too_large(source: &str) -> String {
    format!(
        "{source}: larger than {} MiB; is this the right file?",
        MAX_IMPORT_BYTES / 1024 / 1024
    )
}

/// The line for a failed read: [`Checked`]'s own problems carry their
/// finished message; anything else is the system's reason.
pub(super) fn read_error_text(source: &str, e: &std::io::Error) -> String {
    match e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<Refusal>())
    {
        Some(Refusal(line)) => line.clone(),
        None => format!("{source}: {}", io_reason(e)),
    }
}

/// A problem [`Checked`] found, already phrased as one line.
#[derive(Debug)]
struct Refusal(String);

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refusal {}

/// The raw input, refused as it is read when it grows past
/// [`MAX_IMPORT_BYTES`] or stops being UTF-8: the checks `read_text` makes
/// on a whole file, made on the way through.
pub(super) struct Checked<R> {
    inner: R,
    source: String,
    read: u64,
    /// The start of a UTF-8 sequence the last read cut short (at most 3 bytes).
    partial: Vec<u8>,
}

impl<R: Read> Checked<R> {
    pub(super) fn new(inner: R, source: &str) -> Self {
        Checked {
            inner,
            source: source.to_owned(),
            read: 0,
            partial: Vec::new(),
        }
    }

    fn refuse(&self, line: String) -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::InvalidData, Refusal(line))
    }

    /// Whether `bytes`, after what came before, is still UTF-8.
    fn still_utf8(&mut self, bytes: &[u8]) -> bool {
        let joined;
        let data = if self.partial.is_empty() {
            bytes
        } else {
            joined = [self.partial.as_slice(), bytes].concat();
            joined.as_slice()
        };
        match std::str::from_utf8(data) {
            Ok(_) => {
                self.partial.clear();
                true
            }
            Err(e) if e.error_len().is_none() => {
                self.partial = data[e.valid_up_to()..].to_vec();
                true
            }
            Err(_) => false,
        }
    }
}

impl<R: Read> Read for Checked<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 {
            if !self.partial.is_empty() {
                return Err(self.refuse(not_utf8(&self.source)));
            }
            return Ok(0);
        }
        self.read += n as u64;
        if self.read > MAX_IMPORT_BYTES {
            return Err(self.refuse(too_large(&self.source)));
        }
        if !self.still_utf8(&buf[..n]) {
            return Err(self.refuse(not_utf8(&self.source)));
        }
        Ok(n)
    }
}
