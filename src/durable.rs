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
//! A file that one process at a time may write (an audit log, a state
//! file) is guarded by a [`FileLock`] on `<file>.lock`; files that must not
//! be redirected are opened without following symbolic links
//! ([`open_append`], [`open_read`]).
//!
//! This module knows nothing of what is written, and imports nothing from
//! the rest of the crate.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
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
    #[cfg_attr(not(feature = "update"), allow(dead_code))] // the list updater's
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
    write_atomic_with_access(target, Access::Default, write)
}

/// [`write_atomic_with`], the new file readable as `access` says. The
/// rename replaces a symbolic link at `target` rather than writing through it.
pub fn write_atomic_with_access<T>(
    target: &Path,
    access: Access,
    write: impl FnOnce(&mut BufWriter<&mut File>) -> std::io::Result<T>,
) -> std::io::Result<T> {
    let mut temp = AtomicFile::create_with(target, access)?;
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
///
/// A symbolic link at `path` is refused rather than followed (`O_NOFOLLOW`),
/// so a link planted in a writable directory cannot redirect the writes, and
/// anything but a regular file is refused. With [`Access::OwnerOnly`] an
/// existing file readable by group or others is narrowed to the owner.
pub fn open_append(path: &Path, access: Access) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).append(true).create(true);
    access.apply(&mut options);
    let file = open_no_follow(&mut options, path)?;
    check_regular(&file, access)?;
    Ok(file)
}

/// Opens `path` for reading, refusing a symbolic link (see [`open_append`]).
pub fn open_read(path: &Path) -> std::io::Result<File> {
    let file = open_no_follow(OpenOptions::new().read(true), path)?;
    check_regular(&file, Access::Default)?;
    Ok(file)
}

/// Opens (creating if needed) `path` for reading and writing without
/// truncating it, refusing a symbolic link, narrowed as [`open_append`] does.
pub fn open_read_write(path: &Path, access: Access) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true);
    access.apply(&mut options);
    let file = open_no_follow(&mut options, path)?;
    check_regular(&file, access)?;
    Ok(file)
}

/// `options.open(path)` with `O_NOFOLLOW` where there is one; a symbolic
/// link is reported as such.
fn open_no_follow(options: &mut OpenOptions, path: &Path) -> std::io::Result<File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
        match options.open(path) {
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => Err(std::io::Error::new(
                e.kind(),
                "is a symbolic link; refusing to follow it (replace it with the file itself)",
            )),
            other => other,
        }
    }
    #[cfg(not(unix))]
    {
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "is a symbolic link; refusing to follow it (replace it with the file itself)",
            ));
        }
        options.open(path)
    }
}

/// Refuses a file that is not a regular file; with [`Access::OwnerOnly`]
/// takes group and other permissions away from it.
fn check_regular(file: &File, access: Access) -> std::io::Result<()> {
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "is not a regular file",
        ));
    }
    #[cfg(unix)]
    if access == Access::OwnerOnly {
        use std::os::unix::fs::PermissionsExt;
        let mode = metadata.permissions().mode();
        if mode & 0o077 != 0 {
            file.set_permissions(std::fs::Permissions::from_mode(mode & 0o700))?;
        }
    }
    #[cfg(not(unix))]
    let _ = access;
    Ok(())
}

// One writer per file: an exclusive lock on a sidecar `<file>.lock`, held
// for as long as the writer lives.
//
// Two processes appending to one audit log would fork its chain; two
// saving one customer-state file would each drop the other's history. So
// the writer of such a file takes an exclusive `flock` on `<file>.lock`
// (through `fs4`) and writes its process id into it; a second writer is
// refused at once with the holder's id, rather than waiting.
//
// The lock is on a sidecar file because the files themselves are renamed
// (audit rotation, the state file's atomic replacement): a lock on the
// renamed inode would no longer guard the name. The lock file is never
// removed — removing it would let a third process lock a new file of the
// same name while the second still holds the old one. The operating
// system drops the lock when the process ends, however it ends, so a
// crash leaves no stale lock; the pid left in the file is only a hint.
//
// `flock` locks belong to the open file, so a second lock taken in the
// same process (another `AuditLog` on the same file) is refused too.

/// An exclusive lock on `<file>.lock`, released when dropped.
#[derive(Debug)]
pub struct FileLock {
    // Held open: closing the file releases the lock.
    _file: File,
    guarded: PathBuf,
}

/// Why a lock could not be taken.
#[derive(Debug)]
pub enum LockError {
    /// Another open file (another process, or another writer in this one) holds it.
    Held {
        /// The lock file.
        lock_file: PathBuf,
        /// The holder's process id, as it wrote it (absent if it had not yet).
        holder: Option<u32>,
    },
    /// The lock file could not be opened or locked.
    Io {
        /// The lock file.
        lock_file: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
}

impl LockError {
    /// "in use by process 1234 (lock file X.lock)", for a message naming the guarded file.
    pub fn describe(&self) -> String {
        match self {
            LockError::Held {
                lock_file,
                holder: Some(pid),
            } => format!(
                "is in use by process {pid} (lock file {}); only one process may write it at a time",
                lock_file.display()
            ),
            LockError::Held {
                lock_file,
                holder: None,
            } => format!(
                "is in use by another process (lock file {}); only one process may write it at a time",
                lock_file.display()
            ),
            LockError::Io { lock_file, source } => {
                format!("cannot lock {}: {source}", lock_file.display())
            }
        }
    }
}

/// The sidecar lock file of `guarded`: `<guarded>.lock`.
pub fn lock_path(guarded: &Path) -> PathBuf {
    let mut name = guarded
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "file".into());
    name.push(".lock");
    guarded.with_file_name(name)
}

impl FileLock {
    /// Takes the exclusive lock on `<guarded>.lock` (created owner-only if
    /// needed; a symbolic link is refused), without waiting.
    pub fn acquire(guarded: &Path) -> Result<FileLock, LockError> {
        let path = lock_path(guarded);
        let io = |source: std::io::Error| LockError::Io {
            lock_file: path.clone(),
            source,
        };
        let mut file = open_read_write(&path, Access::OwnerOnly).map_err(io)?;
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => {}
            Err(fs4::TryLockError::WouldBlock) => {
                // The holder writes its pid just after taking the lock: a
                // lock taken a moment ago may not show it yet, so look a
                // few times (at most ~100 ms) before saying "another
                // process".
                let mut holder = None;
                for _ in 0..20 {
                    let mut text = String::new();
                    let read = file
                        .seek(SeekFrom::Start(0))
                        .and_then(|_| file.read_to_string(&mut text));
                    holder = read.ok().and_then(|_| text.trim().parse().ok());
                    if holder.is_some() {
                        break;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                return Err(LockError::Held {
                    lock_file: path,
                    holder,
                });
            }
            Err(fs4::TryLockError::Error(e)) => return Err(io(e)),
        }
        // Ours now: say who holds it, for the next one's error message.
        file.set_len(0).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        writeln!(file, "{}", std::process::id()).map_err(io)?;
        Ok(FileLock {
            _file: file,
            guarded: guarded.to_path_buf(),
        })
    }

    /// The file this lock guards (not the lock file).
    pub fn guarded(&self) -> &Path {
        &self.guarded
    }
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

    #[test]
    fn a_second_lock_is_refused_with_the_holders_pid_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let guarded = dir.path().join("audit.jsonl");
        let first = FileLock::acquire(&guarded).unwrap();
        assert_eq!(first.guarded(), guarded);
        let err = FileLock::acquire(&guarded).unwrap_err();
        match &err {
            LockError::Held { holder, lock_file } => {
                assert_eq!(*holder, Some(std::process::id()));
                assert_eq!(*lock_file, dir.path().join("audit.jsonl.lock"));
            }
            other => panic!("{other:?}"),
        }
        let message = err.describe();
        assert!(
            message.contains(&format!("in use by process {}", std::process::id())),
            "{message}"
        );
        drop(first);
        FileLock::acquire(&guarded).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_lock_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere");
        std::fs::write(&elsewhere, b"").unwrap();
        std::os::unix::fs::symlink(&elsewhere, dir.path().join("state.json.lock")).unwrap();
        let err = FileLock::acquire(&dir.path().join("state.json")).unwrap_err();
        assert!(
            err.describe().contains("symbolic link"),
            "{}",
            err.describe()
        );
    }
}
