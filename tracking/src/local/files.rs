//! The folder store's file primitives: whole-file replacement (a fresh temporary file, fsync,
//! rename, fsync of the folder), JSON in and out, removal of temporaries a killed process left,
//! and confinement: no path of the store may lead outside its folder.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The marker in a temporary file's name (`.run.json.tmp-<pid>-<n>`).
const TEMP_MARK: &str = ".tmp-";

/// Refuse `path` (inside the store `root`) if it, or the folder it would be created in, leads
/// outside `root`: a symlink to elsewhere, or a dangling symlink (which a write would follow).
/// Links that stay inside the store are fine. A store that does not exist yet holds nothing.
pub(super) fn confine(root: &Path, path: &Path) -> Result<()> {
    let Ok(real_root) = fs::canonicalize(root) else {
        return Ok(());
    };
    let mut probe = path;
    loop {
        match fs::symlink_metadata(probe) {
            Ok(meta) => {
                let target = match fs::canonicalize(probe) {
                    Ok(t) => t,
                    Err(_) if meta.file_type().is_symlink() => {
                        fs::read_link(probe).unwrap_or_else(|_| probe.to_path_buf())
                    }
                    Err(e) => return Err(Error::io("resolve", probe)(e)),
                };
                if target.starts_with(&real_root) {
                    return Ok(());
                }
                return Err(Error::OutsideStore {
                    path: path.to_path_buf(),
                    root: real_root,
                    target,
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => match probe.parent() {
                Some(p) if !p.as_os_str().is_empty() => probe = p,
                _ => return Ok(()),
            },
            Err(e) => return Err(Error::io("check", probe)(e)),
        }
    }
}

/// Whether a file name is one of the store's temporary files.
pub(super) fn is_temporary(name: &str) -> bool {
    name.starts_with('.') && name.contains(TEMP_MARK)
}

/// Delete the hidden temporary files a killed process left behind in `dir` and below.
pub(super) fn remove_temporaries(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        // file_type does not follow symlinks: a link loop (or a link out) is never entered.
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            remove_temporaries(&path);
        } else if is_temporary(&entry.file_name().to_string_lossy()) {
            let _ = fs::remove_file(&path);
        }
    }
}

/// Read a JSON file of the store; a file that does not parse is [`Error::Corrupt`].
pub(super) fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T> {
    let bytes = fs::read(path).map_err(Error::io("read", path))?;
    serde_json::from_slice(&bytes).map_err(|source| Error::Corrupt {
        path: path.to_path_buf(),
        source,
    })
}

/// Replace a JSON file of the store whole.
pub(super) fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let bytes = serde_json::to_vec_pretty(value).map_err(|e| Error::io("write", path)(e.into()))?;
    write_atomic(path, &bytes)
}

/// A new temporary file beside `path`, created exclusively: never an existing file, never
/// through a symlink planted under its name. A leftover of an earlier process with the same
/// id is removed first.
fn create_temporary(path: &Path, name: &str) -> Result<(PathBuf, File)> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let tmp = path.with_file_name(format!(".{name}{TEMP_MARK}{}-{n}", std::process::id()));
    let create = || OpenOptions::new().write(true).create_new(true).open(&tmp);
    let file = match create() {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            fs::remove_file(&tmp).map_err(Error::io("remove stale", &tmp))?;
            create()
        }
        other => other,
    }
    .map_err(Error::io("create", &tmp))?;
    Ok((tmp, file))
}

/// Replace `path` whole: write a fresh hidden temporary file beside it, fsync it, rename it
/// into place, fsync the folder (so the rename itself survives a power cut). On any error the
/// temporary file is removed.
///
/// Fault injection for the tests: `TANDEM_FAILPOINT=kill-while-writing:<file name>` makes the
/// process SIGKILL itself halfway through writing that file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
        let not_a_file = std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file path");
        Error::io("write", path)(not_a_file)
    })?;
    let (tmp, mut f) = create_temporary(path, name)?;
    let kill_here = std::env::var("TANDEM_FAILPOINT")
        .ok()
        .is_some_and(|fp| fp.strip_prefix("kill-while-writing:") == Some(name));
    if kill_here {
        let _ = f
            .write_all(&bytes[..bytes.len() / 2])
            .and_then(|()| f.sync_all());
        kill_self();
    }
    let written = f
        .write_all(bytes)
        .map_err(Error::io("write", &tmp))
        .and_then(|()| f.sync_all().map_err(Error::io("sync", &tmp)))
        .and_then(|()| fs::rename(&tmp, path).map_err(Error::io("move into place", path)));
    if written.is_err() {
        // A full disk or a failed rename leaves no temp file behind.
        let _ = fs::remove_file(&tmp);
    }
    written?;
    sync_folder_of(path)
}

/// A file replaced whole, written as it comes: bytes go to a fresh hidden temporary file
/// beside `path`; [`AtomicFile::commit`] fsyncs it, renames it into place and fsyncs the
/// folder. Dropped without a commit (an error, a panic), the temporary file is removed, so a
/// full disk or a broken pipe never leaves a half-written file nor truncates an existing one.
///
/// The same fault injection as [`write_atomic`]: `TANDEM_FAILPOINT=kill-while-writing:<name>`
/// kills the process halfway through its first write.
pub struct AtomicFile {
    path: PathBuf,
    tmp: PathBuf,
    file: Option<std::io::BufWriter<File>>,
    kill: bool,
}

impl AtomicFile {
    /// Start writing `path`.
    pub fn create(path: &Path) -> Result<AtomicFile> {
        let name = path.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
            let not_a_file =
                std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file path");
            Error::io("write", path)(not_a_file)
        })?;
        let kill = std::env::var("TANDEM_FAILPOINT")
            .ok()
            .is_some_and(|fp| fp.strip_prefix("kill-while-writing:") == Some(name));
        let (tmp, file) = create_temporary(path, name)?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            tmp,
            file: Some(std::io::BufWriter::with_capacity(1 << 20, file)),
            kill,
        })
    }

    /// Everything written made durable and moved into place.
    pub fn commit(mut self) -> Result<()> {
        let Some(file) = self.file.take() else {
            return Ok(());
        };
        let moved = file
            .into_inner()
            .map_err(|e| Error::io("write", &self.tmp)(e.into_error()))
            .and_then(|f| f.sync_all().map_err(Error::io("sync", &self.tmp)))
            .and_then(|()| {
                fs::rename(&self.tmp, &self.path).map_err(Error::io("move into place", &self.path))
            });
        if moved.is_err() {
            // A full disk at the last flush leaves no temporary file behind either.
            let _ = fs::remove_file(&self.tmp);
        }
        moved?;
        sync_folder_of(&self.path)
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let file = self
            .file
            .as_mut()
            .ok_or_else(|| std::io::Error::other("already committed"))?;
        if self.kill && !buf.is_empty() {
            let _ = file
                .write_all(&buf[..buf.len().div_ceil(2)])
                .and_then(|()| file.flush());
            kill_self();
        }
        file.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.as_mut().map_or(Ok(()), Write::flush)
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// Create `dir` and its missing parents, fsyncing the folder each is created in: a file made
/// durable inside a new folder is then not lost with the folder's own entry at a power cut.
pub(super) fn create_dirs(dir: &Path) -> Result<()> {
    let mut missing = Vec::new();
    let mut at = dir;
    while !at.as_os_str().is_empty() && !at.is_dir() {
        missing.push(at);
        match at.parent() {
            Some(parent) => at = parent,
            None => break,
        }
    }
    for d in missing.into_iter().rev() {
        match fs::create_dir(d) {
            Ok(()) => sync_folder_of(d)?,
            // Another process made it meanwhile.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && d.is_dir() => {}
            Err(e) => return Err(Error::io("create", d)(e)),
        }
    }
    Ok(())
}

/// fsync the folder holding `path`, so that a rename or a creation in it is durable. File
/// systems that cannot sync a folder (some network and FUSE ones) are not an error.
pub(super) fn sync_folder_of(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let synced = File::open(dir).and_then(|d| d.sync_all());
        if let Err(e) = synced
            && !matches!(
                e.kind(),
                std::io::ErrorKind::InvalidInput | std::io::ErrorKind::Unsupported
            )
        {
            return Err(Error::io("sync folder", dir)(e));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

fn kill_self() {
    let pid = std::process::id().to_string();
    let _ = std::process::Command::new("kill")
        .args(["-KILL", &pid])
        .status();
    // `kill` is not there: die as abruptly as we can.
    std::process::abort();
}
