//! The file system side of loading and saving: reading a whole file with
//! its size checked, and replacing a file atomically (a temporary file in
//! the same folder, flushed, then renamed over the target).

use crate::error::{Error, format_error};
use std::fs::{self, File, OpenOptions};
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Opens a file for reading, with its length.
pub(super) fn open(path: &Path) -> Result<(File, u64), Error> {
    let fail = |error: std::io::Error| Error::io(path, error);
    let file = File::open(path).map_err(fail)?;
    let len = file.metadata().map_err(fail)?.len();
    Ok((file, len))
}

/// Reads a whole file into memory. The buffer is sized by the file's
/// length (what the file itself justifies) and no more is read than that.
pub(super) fn read_file(path: &Path) -> Result<Vec<u8>, Error> {
    let fail = |error: std::io::Error| Error::io(path, error);
    let (file, len) = open(path)?;
    let capacity = usize::try_from(len).map_err(|_| {
        format_error(
            &path.display().to_string(),
            "a file that fits in memory",
            format!("{len} bytes"),
        )
    })?;
    let mut bytes = Vec::new();
    bytes.try_reserve_exact(capacity).map_err(|_| {
        format_error(
            &path.display().to_string(),
            "a file that fits in memory",
            format!("{len} bytes"),
        )
    })?;
    file.take(len).read_to_end(&mut bytes).map_err(fail)?;
    Ok(bytes)
}

/// A counter that makes temporary names unique within the process.
static TEMPORARY: AtomicU64 = AtomicU64::new(0);

/// Writes a file at `path` through a temporary file in the same folder:
/// `write` fills it, it is flushed to disk, then renamed over `path`. On
/// failure the temporary file is removed and `path` is left as it was.
pub(super) fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut File) -> Result<(), Error>,
) -> Result<(), Error> {
    let fail = |error: std::io::Error| Error::io(path, error);
    let name = path.file_name().ok_or_else(|| {
        fail(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "expected a path to a file",
        ))
    })?;
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let (temporary, mut file) = create_temporary(folder, &name.to_string_lossy()).map_err(fail)?;
    let result = write(&mut file).and_then(|()| {
        file.sync_all()
            .and_then(|()| {
                drop(file);
                fs::rename(&temporary, path)
            })
            .map_err(fail)
    });
    if result.is_err() {
        // Best effort: the error to report is the one that made us stop.
        let _ = fs::remove_file(&temporary);
    }
    result
}

/// Creates a new file `.{name}.{pid}.{n}.tmp` in `folder`, never opening
/// one that exists.
fn create_temporary(folder: &Path, name: &str) -> std::io::Result<(std::path::PathBuf, File)> {
    let mut attempts = 0;
    loop {
        let n = TEMPORARY.fetch_add(1, Ordering::Relaxed);
        let temporary = folder.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temporary)
        {
            Ok(file) => return Ok((temporary, file)),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists && attempts < 100 => {
                attempts += 1;
            }
            Err(error) => return Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn scratch(name: &str) -> std::path::PathBuf {
        let folder =
            std::env::temp_dir().join(format!("neurite-io-unit-{name}-{}", std::process::id()));
        fs::create_dir_all(&folder).unwrap();
        folder
    }

    #[test]
    fn a_write_that_fails_leaves_the_old_file_and_no_temporary() {
        let folder = scratch("fail");
        let path = folder.join("model.safetensors");
        fs::write(&path, b"the old model").unwrap();
        let result = write_atomically_with(&path, |file| {
            file.write_all(b"half of the new").unwrap();
            let full = std::io::Error::new(std::io::ErrorKind::StorageFull, "disk full");
            Err(Error::io(&path, full))
        });
        assert!(matches!(
            result,
            Err(Error::Io {
                kind: std::io::ErrorKind::StorageFull,
                ..
            })
        ));
        assert_eq!(fs::read(&path).unwrap(), b"the old model");
        let names: Vec<_> = fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["model.safetensors"]);
        fs::remove_dir_all(&folder).unwrap();
    }

    #[test]
    fn a_write_that_succeeds_replaces_the_file() {
        let folder = scratch("ok");
        let path = folder.join("model.safetensors");
        fs::write(&path, b"the old model").unwrap();
        write_atomically_with(&path, |file| {
            file.write_all(b"the new model")
                .map_err(|error| Error::io(&path, error))
        })
        .unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"the new model");
        let count = fs::read_dir(&folder).unwrap().count();
        assert_eq!(count, 1);
        fs::remove_dir_all(&folder).unwrap();
    }
}
