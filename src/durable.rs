//! Writing files safely, whatever they hold.
//!
//! Every file this crate replaces as a whole (list cache, customer-state
//! checkpoint, list history, downloaded list) goes through [`AtomicFile`]
//! or [`write_atomic`]: the new contents are written to a temporary file
//! with a unique name in the target's own directory, fsynced, renamed over
//! the target (atomic on POSIX), and the directory is fsynced so the rename
//! itself survives a power loss. A crash leaves the old file or the new
//! one, never half of either; two writers (threads or processes) of the
//! same target never share a temporary file, so the target ends as one
//! writer's complete contents.
//!
//! The temporary name is `.tmp-<pid>-<counter>-<nanos>.<file name>`: the
//! process id and a per-process counter make it unique among live writers,
//! the clock guards against a reused pid finding a stale leftover, and the
//! file's own name (and extension) stays at the end. It is created with
//! `create_new`, so an existing file is never reused.
//!
//! This module knows nothing of what is written, and imports nothing from
//! the rest of the crate.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Who may read a file this module creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Access {
    /// The process's default (mode `0o666` less the umask on Unix).
    #[default]
    Default,
    /// The owner only (mode `0o600` on Unix; the default elsewhere).
    OwnerOnly,
}

impl Access {
    fn apply(self, options: &mut OpenOptions) {
        #[cfg(unix)]
        if self == Access::OwnerOnly {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        #[cfg(not(unix))]
        let _ = options;
    }
}

/// The directory holding `path` (`.` for a bare file name).
pub fn parent_dir(path: &Path) -> &Path {
    match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => dir,
        None => Path::new("."),
    }
}

/// Makes a rename, creation or removal in `dir` durable (`fsync` of the
/// directory). A no-op where directories cannot be synced (not Unix).
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// A fresh temporary name beside `target`: same directory, the target's
/// file name at the end, unique among this process's calls.
pub fn temp_path(target: &Path) -> std::io::Result<PathBuf> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = target.file_name().ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("{}: not a file path", target.display()),
        )
    })?;
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mut temp =
        std::ffi::OsString::from(format!(".tmp-{}-{n}-{nanos:08x}.", std::process::id()));
    temp.push(name);
    Ok(parent_dir(target).join(temp))
}

/// A temporary file that replaces `target` when committed, and is removed
/// if dropped uncommitted (an error or a panic on the way).
#[derive(Debug)]
pub struct AtomicFile {
    target: PathBuf,
    path: PathBuf,
    file: File,
    committed: bool,
}

impl AtomicFile {
    /// Creates an empty temporary file (read and write) beside `target`,
    /// readable as [`Access::Default`].
    pub fn create(target: &Path) -> std::io::Result<AtomicFile> {
        AtomicFile::create_with(target, Access::Default)
    }

    /// Creates an empty temporary file (read and write) beside `target`.
    pub fn create_with(target: &Path, access: Access) -> std::io::Result<AtomicFile> {
        let mut attempts = 0;
        loop {
            let path = temp_path(target)?;
            let mut options = OpenOptions::new();
            options.read(true).write(true).create_new(true);
            access.apply(&mut options);
            match options.open(&path) {
                Ok(file) => {
                    return Ok(AtomicFile {
                        target: target.to_path_buf(),
                        path,
                        file,
                        committed: false,
                    })
                }
                // a leftover of a dead process with the same pid and counter
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempts < 8 => {
                    attempts += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The temporary file's path (to read it back before committing).
    #[cfg_attr(not(feature = "update"), allow(dead_code))] // the list updater's
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The open temporary file, to write, seek or truncate.
    pub fn file_mut(&mut self) -> &mut File {
        &mut self.file
    }

    /// Fsyncs the temporary file, renames it over the target and fsyncs
    /// the directory. On error the temporary file is removed (unless the
    /// rename already happened) and the target is the old file or,
    /// after the rename, the new one.
    pub fn commit(mut self) -> std::io::Result<()> {
        self.file.sync_all()?;
        std::fs::rename(&self.path, &self.target)?;
        self.committed = true;
        sync_dir(parent_dir(&self.target))
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.file.write_all(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Replaces `target` with `bytes` atomically and durably (see the module docs).
pub fn write_atomic(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(target, |w| w.write_all(bytes))
}

/// Replaces `target` atomically and durably with what `write` writes to a
/// buffered writer; nothing replaces it if `write` fails.
pub fn write_atomic_with<T>(
    target: &Path,
    write: impl FnOnce(&mut BufWriter<&mut File>) -> std::io::Result<T>,
) -> std::io::Result<T> {
    let mut temp = AtomicFile::create(target)?;
    let value = {
        let mut w = BufWriter::new(temp.file_mut());
        let value = write(&mut w)?;
        w.flush()?;
        value
    };
    temp.commit()?;
    Ok(value)
}

/// Creates `path`, which must not exist, with `bytes`, fsynced — the file
/// and its directory entry — before this returns.
pub fn write_new(path: &Path, bytes: &[u8], access: Access) -> std::io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    access.apply(&mut options);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    sync_dir(parent_dir(path))
}

/// Opens `path` for appending (and reading), creating it if needed.
pub fn open_append(path: &Path, access: Access) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).append(true).create(true);
    access.apply(&mut options);
    options.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".tmp-"))
            .collect()
    }

    #[test]
    fn write_atomic_replaces_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("state.json");
        write_atomic(&target, b"first, longer contents").unwrap();
        write_atomic(&target, b"second").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"second");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("lists.snap");
        write_atomic(&target, b"old").unwrap();
        let err = write_atomic_with(&target, |w| {
            w.write_all(b"half of the new")?;
            Err::<(), _>(std::io::Error::other("serialiser failed"))
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "serialiser failed");
        assert_eq!(std::fs::read(&target).unwrap(), b"old");
        assert!(leftovers(dir.path()).is_empty());
        // dropped uncommitted: removed too
        let temp = AtomicFile::create(&target).unwrap();
        let path = temp.path().to_path_buf();
        assert!(path.exists());
        drop(temp);
        assert!(!path.exists());
        assert_eq!(std::fs::read(&target).unwrap(), b"old");
    }

    #[test]
    fn a_missing_directory_or_no_file_name_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("no/such/dir/file");
        assert!(write_atomic(&target, b"x").is_err());
        assert!(write_atomic(Path::new("/"), b"x").is_err());
    }

    #[test]
    fn temporary_names_are_unique_beside_the_target_and_keep_its_name() {
        let target = Path::new("dir/watch.csv");
        let a = temp_path(target).unwrap();
        let b = temp_path(target).unwrap();
        assert_ne!(a, b);
        assert_eq!(a.parent(), Some(Path::new("dir")));
        let name = a.file_name().unwrap().to_str().unwrap();
        assert!(
            name.starts_with(".tmp-") && name.ends_with(".watch.csv"),
            "{name}"
        );
        assert_eq!(
            temp_path(Path::new("bare")).unwrap().parent(),
            Some(Path::new("."))
        );
    }

    #[test]
    fn an_atomic_file_can_be_read_back_before_it_is_committed() {
        use std::io::{Read, Seek, SeekFrom};
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("list.xml");
        let mut temp = AtomicFile::create(&target).unwrap();
        temp.write_all(b"<list/>").unwrap();
        assert_eq!(std::fs::read(temp.path()).unwrap(), b"<list/>");
        let mut back = String::new();
        temp.file_mut().seek(SeekFrom::Start(0)).unwrap();
        temp.file_mut().read_to_string(&mut back).unwrap();
        assert_eq!(back, "<list/>");
        assert!(!target.exists());
        temp.commit().unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"<list/>");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn concurrent_writers_of_one_target_both_succeed_and_one_wins_whole() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("history.json");
        // large enough that the writes interleave
        let a = vec![b'a'; 4 << 20];
        let b = vec![b'b'; 3 << 20];
        for _ in 0..5 {
            let barrier = std::sync::Barrier::new(2);
            std::thread::scope(|s| {
                for contents in [&a, &b] {
                    let (barrier, target) = (&barrier, &target);
                    s.spawn(move || {
                        barrier.wait();
                        write_atomic_with(target, |w| {
                            for chunk in contents.chunks(64 << 10) {
                                w.write_all(chunk)?;
                            }
                            Ok(())
                        })
                        .unwrap();
                    });
                }
            });
            let got = std::fs::read(&target).unwrap();
            assert!(got == a || got == b, "{} bytes, mixed", got.len());
            assert!(leftovers(dir.path()).is_empty());
        }
    }

    #[test]
    fn write_new_refuses_an_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kept");
        write_new(&path, b"torn", Access::OwnerOnly).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"torn");
        let err = write_new(&path, b"again", Access::OwnerOnly).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn open_append_appends_and_sync_dir_accepts_a_bare_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        open_append(&path, Access::Default)
            .unwrap()
            .write_all(b"one\n")
            .unwrap();
        open_append(&path, Access::Default)
            .unwrap()
            .write_all(b"two\n")
            .unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"one\ntwo\n");
        sync_dir(Path::new("")).unwrap();
        sync_dir(dir.path()).unwrap();
        assert_eq!(parent_dir(Path::new("x")), Path::new("."));
    }
}
