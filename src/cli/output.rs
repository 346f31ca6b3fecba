//! Output files and streams: folder checks, atomic writes, broken pipes.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Creates `dir` if needed and checks that a file can be written there, before any work starts,
/// so that a run never fails at the end for want of a writable folder.
pub fn prepare_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create output folder '{}'", dir.display()))?;
    let probe = dir.join(format!(".hessian-rmt-write-test-{}", std::process::id()));
    std::fs::write(&probe, b"")
        .with_context(|| format!("cannot write to output folder '{}'", dir.display()))?;
    std::fs::remove_file(&probe)
        .with_context(|| format!("cannot clean up '{}'", probe.display()))?;
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so `path`
/// holds either its old content or the complete new content.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary: PathBuf = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = std::fs::write(&temporary, bytes)
        .and_then(|()| std::fs::rename(&temporary, path))
        .with_context(|| format!("cannot write '{}'", path.display()));
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

/// Writes text to stdout.
pub fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// True when the error chain contains a broken pipe: the reader went away, which is not a failure.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
