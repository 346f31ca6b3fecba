//! Writing a figure to disk: the image format chosen by the file extension, and a write through a
//! temporary file that is renamed onto the target only when the whole image is ready.
//!
//! The temporary file sits in the target's folder, so the final rename stays on one file system and
//! replaces the target in one step. It is removed again on every error path.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use plotters::coord::Shift;
use plotters::prelude::{
    BitMapBackend, DrawingArea, DrawingAreaErrorKind, DrawingBackend, IntoDrawingArea, SVGBackend,
};
use plotters::style::WHITE;

use crate::plot::PlotError;
use crate::plot::style::{CANVAS, register_embedded_font};

/// Image formats that figures can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ImageFormat {
    /// Raster image, 8-bit RGB.
    Png,
    /// Vector image whose text stays text, in the viewer's "sans-serif" font.
    Svg,
}

impl ImageFormat {
    /// Lowercase file extension without the dot.
    fn extension(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Svg => "svg",
        }
    }
}

/// A figure that can draw itself on a white canvas of any plotters backend.
pub(crate) trait Figure {
    /// Draws the whole figure on `root`, which is [`CANVAS`] pixels in size.
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError>;
}

/// Wraps a plotters error, whose types differ by backend, as [`PlotError::Backend`].
pub(crate) fn backend_error<E: std::error::Error + Send + Sync>(
    error: DrawingAreaErrorKind<E>,
) -> PlotError {
    PlotError::Backend(error.to_string())
}

/// Chooses the image format from the extension of `path`, ignoring case.
pub(crate) fn image_format(path: &Path) -> Result<ImageFormat, PlotError> {
    let Some(extension) = path.extension() else {
        return Err(PlotError::MissingExtension {
            path: path.to_path_buf(),
        });
    };
    let extension = extension.to_string_lossy();
    match extension.to_ascii_lowercase().as_str() {
        "png" => Ok(ImageFormat::Png),
        "svg" => Ok(ImageFormat::Svg),
        _ => Err(PlotError::UnsupportedExtension {
            extension: extension.into_owned(),
            path: path.to_path_buf(),
        }),
    }
}

/// Temporary file next to the target, removed on drop unless it was renamed onto the target.
struct TemporaryFile {
    path: PathBuf,
    persisted: bool,
}

impl TemporaryFile {
    /// Creates an empty, hidden file in the folder of `target`, named after the target, the process id
    /// and a counter, and ending in the format's extension because the PNG encoder picks its format
    /// from the extension.
    fn create(target: &Path, format: ImageFormat) -> Result<(Self, File), PlotError> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let folder = match target.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let file_name = target
            .file_name()
            .map_or_else(|| "figure".into(), |name| name.to_string_lossy());
        let name = format!(
            ".{file_name}.{}-{}.tmp.{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            format.extension()
        );
        let path = folder.join(name);

        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|source| PlotError::Io {
                path: target.to_path_buf(),
                source,
            })?;
        let temporary = TemporaryFile {
            path,
            persisted: false,
        };
        Ok((temporary, file))
    }

    /// Renames the temporary file onto `target`, replacing any file there.
    fn persist(mut self, target: &Path) -> Result<(), PlotError> {
        fs::rename(&self.path, target).map_err(|source| PlotError::Io {
            path: target.to_path_buf(),
            source,
        })?;
        self.persisted = true;
        Ok(())
    }
}

impl Drop for TemporaryFile {
    fn drop(&mut self) {
        if !self.persisted {
            // The file may be missing already, and there is nothing more to do if removal fails.
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Draws `figure` and writes it to `path` in the format its extension names.
///
/// On success `path` contains the new image. On error `path` is unchanged and no temporary file is left.
pub(crate) fn save(path: &Path, figure: &impl Figure) -> Result<(), PlotError> {
    let format = image_format(path)?;
    register_embedded_font()?;

    let (temporary, file) = TemporaryFile::create(path, format)?;
    match format {
        ImageFormat::Png => {
            // The encoder opens the file by its path again, so the handle is closed first.
            drop(file);
            render_png(&temporary.path, figure)?;
        }
        ImageFormat::Svg => write_svg(file, figure).map_err(|error| match error {
            SvgError::Plot(error) => error,
            SvgError::Io(source) => PlotError::Io {
                path: path.to_path_buf(),
                source,
            },
        })?,
    }
    temporary.persist(path)
}

/// Draws `figure` into a bitmap and encodes it as PNG at `path`.
fn render_png(path: &Path, figure: &impl Figure) -> Result<(), PlotError> {
    let root = BitMapBackend::new(path, CANVAS).into_drawing_area();
    root.fill(&WHITE).map_err(backend_error)?;
    figure.draw_on(&root)?;
    root.present().map_err(backend_error)
}

/// Failure of [`write_svg`], which can fail while drawing or while writing.
enum SvgError {
    Plot(PlotError),
    Io(std::io::Error),
}

/// Draws `figure` as SVG text in memory and writes it to `file`.
fn write_svg(mut file: File, figure: &impl Figure) -> Result<(), SvgError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, CANVAS).into_drawing_area();
        root.fill(&WHITE)
            .map_err(|e| SvgError::Plot(backend_error(e)))?;
        figure.draw_on(&root).map_err(SvgError::Plot)?;
        root.present()
            .map_err(|e| SvgError::Plot(backend_error(e)))?;
    }
    file.write_all(svg.as_bytes()).map_err(SvgError::Io)?;
    file.sync_all().map_err(SvgError::Io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_format_ignores_case() {
        assert_eq!(
            image_format(Path::new("a/b.PNG")).unwrap(),
            ImageFormat::Png
        );
        assert_eq!(image_format(Path::new("b.Svg")).unwrap(), ImageFormat::Svg);
    }

    #[test]
    fn image_format_names_bad_extension() {
        let error = image_format(Path::new("figure.jpg")).unwrap_err();
        assert!(
            matches!(&error, PlotError::UnsupportedExtension { extension, .. } if extension == "jpg")
        );
        assert!(error.to_string().contains("\"jpg\""), "message: {error}");
    }

    #[test]
    fn image_format_requires_extension() {
        let error = image_format(Path::new("figure")).unwrap_err();
        assert!(matches!(error, PlotError::MissingExtension { .. }));
    }

    #[test]
    fn temporary_file_is_removed_on_drop() {
        let folder = tempfile::tempdir().unwrap();
        let target = folder.path().join("figure.png");
        let (temporary, file) = TemporaryFile::create(&target, ImageFormat::Png).unwrap();
        let temporary_path = temporary.path.clone();
        drop(file);
        assert!(temporary_path.exists());
        drop(temporary);
        assert!(!temporary_path.exists());
        assert_eq!(fs::read_dir(folder.path()).unwrap().count(), 0);
    }
}
