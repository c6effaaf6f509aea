//! The log file, rotated by size so a long-lived dashboard at `debug` never
//! fills the disk: past [`MAX_BYTES`] the file becomes `NAME.1` (`NAME.1`
//! becomes `NAME.2`, ...), the oldest of [`KEEP`] is dropped, and a fresh
//! file is opened the same safe way (0600, never through a symbolic link).

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Size at which the log is rotated.
pub const MAX_BYTES: u64 = 8 * 1024 * 1024;
/// Rotated files kept beside the live one.
pub const KEEP: usize = 3;

/// An append-only log file that rotates itself by size.
#[derive(Debug)]
pub struct RotatingFile {
    path: PathBuf,
    file: File,
    written: u64,
    max_bytes: u64,
    keep: usize,
}

impl RotatingFile {
    /// Opens (or creates) `path` for appending; rotates first if it is
    /// already over `max_bytes`.
    pub fn open(path: &Path, max_bytes: u64, keep: usize) -> io::Result<Self> {
        let file = open_private(path)?;
        let written = file.metadata()?.len();
        let mut log = Self {
            path: path.to_owned(),
            file,
            written,
            max_bytes,
            keep,
        };
        if log.written >= max_bytes {
            log.rotate()?;
        }
        Ok(log)
    }

    /// `NAME.N` for the N-th newest rotated file.
    fn rotated(&self, n: usize) -> PathBuf {
        let mut name = self.path.clone().into_os_string();
        name.push(format!(".{n}"));
        PathBuf::from(name)
    }

    fn rotate(&mut self) -> io::Result<()> {
        self.file.flush()?;
        for n in (1..self.keep).rev() {
            match std::fs::rename(self.rotated(n), self.rotated(n + 1)) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        if self.keep == 0 {
            std::fs::remove_file(&self.path)?;
        } else {
            std::fs::rename(&self.path, self.rotated(1))?;
        }
        self.file = open_private(&self.path)?;
        self.written = 0;
        Ok(())
    }
}

fn open_private(path: &Path) -> io::Result<File> {
    crate::fs::no_follow(&mut crate::store::private_file_options())
        .create(true)
        .append(true)
        .open(path)
}

impl Write for RotatingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.written > 0 && self.written + buf.len() as u64 > self.max_bytes {
            self.rotate()?;
        }
        let n = self.file.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn past_the_size_the_log_rotates_and_keeps_a_few() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.log");
        let mut log = RotatingFile::open(&path, 100, 2).unwrap();
        for n in 0..10 {
            log.write_all(format!("{n:059}\n").as_bytes()).unwrap();
        }
        // 60-byte lines, 100-byte files: one line a file, the newest live.
        assert_eq!(names(dir.path()), ["t.log", "t.log.1", "t.log.2"]);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            format!("{:059}\n", 9)
        );
        let older = std::fs::read_to_string(dir.path().join("t.log.2")).unwrap();
        assert_eq!(older, format!("{:059}\n", 7));
        #[cfg(unix)]
        for name in names(dir.path()) {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(&name))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{name}");
        }
    }

    #[test]
    fn a_log_already_over_the_size_is_rotated_when_opened() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.log");
        std::fs::write(&path, vec![b'x'; 200]).unwrap();
        let mut log = RotatingFile::open(&path, 100, 3).unwrap();
        log.write_all(b"new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
        assert_eq!(
            std::fs::metadata(dir.path().join("t.log.1")).unwrap().len(),
            200
        );
    }
}
