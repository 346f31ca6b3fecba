//! Output files and streams: folder checks, staged writes, broken pipes.

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

/// The files of one run, written into a hidden folder inside the output folder and moved into
/// place only when all of them exist, so that a run that fails half-way leaves no partial output.
/// Dropping it without [`Staging::commit`] removes the hidden folder.
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates the hidden folder inside `out` (which must exist and be writable).
    ///
    /// # Errors
    /// When the folder cannot be created.
    pub fn new(out: &Path) -> Result<Self> {
        let dir = out.join(format!(".hessian-rmt-staging-{}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create '{}'", dir.display()))?;
        Ok(Self {
            out: out.to_path_buf(),
            dir,
            committed: false,
        })
    }

    /// Returns the folder to write into.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `bytes` as the file `name`.
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<()> {
        let path = self.dir.join(name);
        std::fs::write(&path, bytes).with_context(|| format!("cannot write '{}'", path.display()))
    }

    /// Moves every file into the output folder. A name taken there by a folder stops the move
    /// before any file is moved.
    ///
    /// # Errors
    /// When a name is taken by a folder or a rename fails.
    pub fn commit(mut self) -> Result<()> {
        let mut names = Vec::new();
        for entry in std::fs::read_dir(&self.dir)
            .with_context(|| format!("cannot read '{}'", self.dir.display()))?
        {
            names.push(entry?.file_name());
        }
        names.sort();
        for name in &names {
            let target = self.out.join(name);
            if target.is_dir() {
                anyhow::bail!(
                    "cannot write '{}': a folder has that name",
                    target.display()
                );
            }
        }
        for name in &names {
            let target = self.out.join(name);
            std::fs::rename(self.dir.join(name), &target)
                .with_context(|| format!("cannot write '{}'", target.display()))?;
        }
        self.committed = true;
        std::fs::remove_dir_all(&self.dir)
            .with_context(|| format!("cannot clean up '{}'", self.dir.display()))?;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
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
