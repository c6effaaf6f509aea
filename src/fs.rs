//! Opening the files a user names (config, certificates, keys, CA, import
//! lists) as what they claim to be: a regular file, read up to a cap. A
//! FIFO would block the open forever, `/dev/zero` would be read without
//! end, a directory or socket cannot be read at all; each is refused with a
//! reason before anything is read. Also the no-follow opening the database
//! and the log use, so a symbolic link planted in their place is refused
//! instead of written through.

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::path::Path;

use crate::text::io_reason;

/// The most read from a config, certificate, key or CA file: real ones are
/// a few KiB, so anything bigger is the wrong file.
pub const SMALL_FILE_CAP: u64 = 1024 * 1024;

/// Why a named file was not read; the caller names the file and the key or
/// flag it came from.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The operating system refused (missing, permission, ...).
    #[error("{}", io_reason(.0))]
    Io(#[from] std::io::Error),
    /// Something other than a regular file (or a link to one) is there.
    #[error("it is {kind}, not a regular file")]
    NotRegular {
        /// "a directory", "a named pipe (FIFO)", ...
        kind: &'static str,
    },
    /// The file is bigger than this kind of file can sensibly be.
    #[error("it is larger than {}, too big for this kind of file; is this the right file?", size_text(*.cap))]
    TooLarge {
        /// The cap in bytes.
        cap: u64,
    },
}

/// Opens `path` for reading if it is a regular file (symbolic links to one
/// are followed). Never blocks on a FIFO: the type is checked before the
/// open, and the open itself does not wait for a writer; the type is
/// checked again on the open file, so a swap in between is caught too.
pub fn open_regular(path: &Path) -> Result<File, FileError> {
    check_regular(&std::fs::metadata(path)?)?;
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options.open(path)?;
    check_regular(&file.metadata()?)?;
    Ok(file)
}

/// Reads a whole regular file of at most `cap` bytes (see [`open_regular`]).
pub fn read_regular(path: &Path, cap: u64) -> Result<Vec<u8>, FileError> {
    let file = open_regular(path)?;
    let too_large = FileError::TooLarge { cap };
    if file.metadata()?.len() > cap {
        return Err(too_large);
    }
    let mut bytes = Vec::new();
    // The file may grow while we read it: never read more than the cap.
    file.take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(too_large);
    }
    Ok(bytes)
}

/// Makes `options` refuse to open through a symbolic link at the path's
/// last component (the open fails instead of following it).
pub fn no_follow(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(options, libc::O_NOFOLLOW);
    options
}

/// True when a symbolic link (dangling or not) sits at `path`; a missing
/// path is not one.
pub fn is_symlink(path: &Path) -> std::io::Result<bool> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) => Ok(meta.file_type().is_symlink()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

fn check_regular(meta: &std::fs::Metadata) -> Result<(), FileError> {
    if meta.is_file() {
        return Ok(());
    }
    Err(FileError::NotRegular {
        kind: kind_of(meta.file_type()),
    })
}

fn kind_of(t: std::fs::FileType) -> &'static str {
    if t.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "not a file"
}

fn size_text(bytes: u64) -> String {
    if bytes >= 1024 * 1024 && bytes.is_multiple_of(1024 * 1024) {
        format!("{} MiB", bytes / 1024 / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regular_file_is_read_and_a_link_to_it_too() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.txt");
        std::fs::write(&file, b"hello").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert_eq!(read_regular(&file, 5).unwrap(), b"hello");
        assert_eq!(read_regular(&link, 5).unwrap(), b"hello");
    }

    #[test]
    fn over_the_cap_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("big");
        std::fs::write(&file, vec![b'a'; 11]).unwrap();
        let e = read_regular(&file, 10).unwrap_err();
        assert!(matches!(e, FileError::TooLarge { cap: 10 }), "{e}");
        assert_eq!(
            FileError::TooLarge {
                cap: SMALL_FILE_CAP
            }
            .to_string(),
            "it is larger than 1 MiB, too big for this kind of file; is this the right file?"
        );
    }

    #[test]
    fn a_fifo_a_device_and_a_directory_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo runs");
        assert!(made.success());
        let cases = [
            (
                fifo.as_path(),
                "it is a named pipe (FIFO), not a regular file",
            ),
            (
                Path::new("/dev/zero"),
                "it is a character device, not a regular file",
            ),
            (dir.path(), "it is a directory, not a regular file"),
        ];
        for (path, want) in cases {
            let e = read_regular(path, SMALL_FILE_CAP).unwrap_err();
            assert_eq!(e.to_string(), want, "{}", path.display());
        }
        assert_eq!(
            read_regular(&dir.path().join("none"), 1)
                .unwrap_err()
                .to_string(),
            "no such file"
        );
    }

    #[test]
    fn no_follow_refuses_a_dangling_link_and_creates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(is_symlink(&link).unwrap());
        assert!(!is_symlink(&target).unwrap());
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        assert!(no_follow(&mut options).open(&link).is_err());
        assert!(!target.exists());
    }
}
