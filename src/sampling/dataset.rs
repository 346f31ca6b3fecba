//! Real data sets: loading, checking and standardising features with class labels.
//!
//! # Files
//! - CSV, optionally gzip-compressed (detected from the file's first bytes, not its name): one
//!   sample per line, numbers separated by commas, no header, the class label in the last column
//!   unless the labels come from a file of their own.
//! - NPY: a 2-D array of samples × features (float or integer, either memory order), with the
//!   labels in its last column or in a labels file.
//! - A labels file is CSV (one label per line) or a 1-D NPY array.
//!
//! Every malformed file is rejected with the file, and for CSV the line and column, of the first
//! fault: an empty file, a header line, a cell that is not a number or not finite, rows of
//! different lengths, or a label that is not an integer in [0, C).
//!
//! # Standardisation
//! The block is (1/n) Σ_i τ_i x_i x_iᵀ, and the logits W x_i have variance s² ‖x_i‖²/d for W with
//! N(0, s²/d) entries. So that s means the same as for standardised Gaussian data, every mode
//! except `none` leaves features whose mean squared norm per feature, (1/N) Σ_i ‖x_i‖²/d, is 1:
//! - `none`: the features as they are; Σ is the second-moment matrix (1/N) Σ_i x_i x_iᵀ.
//! - `center`: centred, constant features dropped, one common scale factor: Σ keeps its shape.
//! - `scale`: centred, constant features dropped, each feature scaled to variance 1.
//! - `whiten[:k]`: centred and projected on the top k principal components (all non-degenerate
//!   ones by default), each scaled to variance 1, so that Σ = I_k exactly.
//!
//! Σ is always the covariance of the whole data set after standardisation. Random subsets of it are
//! then samples from a population whose covariance is Σ exactly.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use faer::{Mat, Par};

use crate::error::SolverError;
use crate::models::eigen::{symmetric_eigen, symmetric_eigenvalues};

/// The data sets built into the binary, by name: the files of the repository's data/ folder
/// (sources and licences in data/README.md).
pub const BUILTIN: [(&str, &str, &[u8]); 2] = [
    (
        "mnist",
        "mnist_5k.csv.gz",
        include_bytes!("../../data/mnist_5k.csv.gz"),
    ),
    (
        "digits",
        "digits.csv",
        include_bytes!("../../data/digits.csv"),
    ),
];

/// Returns the built-in data set called `name` ("mnist" or "digits") as (file name, bytes).
pub fn builtin(name: &str) -> Option<(&'static str, &'static [u8])> {
    BUILTIN
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, file, bytes)| (*file, *bytes))
}

/// Reads the built-in data set called `source` ("mnist" or "digits"), or else the file at that path,
/// as [`load`] does.
///
/// # Errors
/// As [`load`].
pub fn load_source(
    source: &Path,
    labels: Option<&Path>,
    classes: Option<usize>,
) -> Result<RawDataset, DatasetError> {
    match source.to_str().and_then(builtin) {
        Some((file, bytes)) => load_bytes(Path::new(file), bytes, labels, classes),
        None => load(source, labels, classes),
    }
}

/// Errors of loading a data set.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    /// The file could not be read.
    #[error("cannot read '{}': {reason}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        reason: String,
    },
    /// The file's contents break a rule.
    #[error("{}: {message}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// The fault and its place.
        message: String,
    },
    /// The standardisation does not fit the data.
    #[error("{0}")]
    Standardize(String),
    /// An eigenvalue decomposition failed.
    #[error(transparent)]
    Solver(#[from] SolverError),
}

/// Standardisation of the features before use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standardize {
    /// As they are.
    None,
    /// Centred, constant features dropped, one common scale.
    Center,
    /// Centred, constant features dropped, each feature to variance 1.
    Scale,
    /// Centred and whitened onto the top k principal components (all non-degenerate ones if None).
    Whiten(Option<usize>),
}

impl std::fmt::Display for Standardize {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Standardize::None => f.write_str("none"),
            Standardize::Center => f.write_str("center"),
            Standardize::Scale => f.write_str("scale"),
            Standardize::Whiten(None) => f.write_str("whiten"),
            Standardize::Whiten(Some(k)) => write!(f, "whiten:{k}"),
        }
    }
}

impl std::str::FromStr for Standardize {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "none" => Ok(Standardize::None),
            "center" => Ok(Standardize::Center),
            "scale" => Ok(Standardize::Scale),
            "whiten" => Ok(Standardize::Whiten(None)),
            _ => match text.strip_prefix("whiten:").map(str::parse::<usize>) {
                Some(Ok(k)) if k >= 1 => Ok(Standardize::Whiten(Some(k))),
                _ => Err(format!(
                    "'{text}' is not a standardisation: use none, center, scale, whiten or \
                     whiten:K with K a positive integer"
                )),
            },
        }
    }
}

/// Features and labels as read from files, before standardisation.
#[derive(Debug, Clone)]
pub struct RawDataset {
    /// Samples × features, row by row.
    pub rows: Vec<Vec<f64>>,
    /// Class label of each sample.
    pub labels: Vec<usize>,
    /// Number of classes C.
    pub classes: usize,
    /// Path of the features file.
    pub source: PathBuf,
}

/// A standardised data set.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Features, d × N: one column per sample.
    pub x: Mat<f64>,
    /// Class label of each sample.
    pub labels: Vec<usize>,
    /// Number of classes C.
    pub classes: usize,
    /// File name of the features.
    pub name: String,
    /// The standardisation applied.
    pub standardize: Standardize,
    /// Features in the file.
    pub features_in_file: usize,
    /// Constant features dropped.
    pub dropped: usize,
    /// Eigenvalues of Σ = (1/N) X Xᵀ, ascending.
    pub covariance_eigenvalues: Vec<f64>,
}

impl Dataset {
    /// Dimension d after standardisation.
    pub fn dim(&self) -> usize {
        self.x.nrows()
    }

    /// Number of samples N.
    pub fn len(&self) -> usize {
        self.x.ncols()
    }

    /// True when there is no sample (never, for a loaded data set).
    pub fn is_empty(&self) -> bool {
        self.x.ncols() == 0
    }

    /// Squared norm per unit trace, ρ_i = ‖x_i‖²/tr Σ, for every sample: its mean is 1, and in an
    /// elliptical model x = ρ^(1/2) Σ^(1/2) u it estimates the sample's radial factor.
    pub fn radial_factors(&self) -> Vec<f64> {
        let trace: f64 = self.covariance_eigenvalues.iter().sum();
        (0..self.len())
            .map(|i| {
                let column = self.x.col(i);
                column.iter().map(|v| v * v).sum::<f64>() / trace
            })
            .collect()
    }
}

/// Reads features and labels: labels from the last column of `features`, or from `labels` when
/// given. `classes`, when given, is C and every label must be below it; otherwise C is the largest
/// label plus one.
///
/// # Errors
/// [`DatasetError`] naming the file, line and column of the first fault.
pub fn load(
    features: &Path,
    labels: Option<&Path>,
    classes: Option<usize>,
) -> Result<RawDataset, DatasetError> {
    let bytes = read_file(features)?;
    load_bytes(features, &bytes, labels, classes)
}

/// As [`load`], with the features already in memory; `features` names them in messages.
///
/// # Errors
/// As [`load`].
pub fn load_bytes(
    features: &Path,
    bytes: &[u8],
    labels: Option<&Path>,
    classes: Option<usize>,
) -> Result<RawDataset, DatasetError> {
    let mut table = parse_table(features, bytes)?;
    let label_cells: Vec<(f64, Cell)> = match labels {
        None => {
            let columns = table.rows[0].len();
            if columns < 2 {
                let place = match table.cells[0].line {
                    0 => String::from("the array"),
                    line => format!("line {line}"),
                };
                return Err(format_error(
                    features,
                    format!(
                        "{place} has {columns} column; without --labels the last column is the \
                         label, so at least 2 are needed"
                    ),
                ));
            }
            table
                .rows
                .iter_mut()
                .zip(&table.cells)
                .map(|(row, cell)| {
                    let value = row.pop().expect("at least 2 columns");
                    (
                        value,
                        Cell {
                            line: cell.line,
                            column: columns,
                        },
                    )
                })
                .collect()
        }
        Some(path) => {
            let labels = parse_table(path, &read_file(path)?)?;
            if labels.rows[0].len() != 1 {
                return Err(format_error(
                    path,
                    format!(
                        "line {} has {} columns; a labels file has one label per line",
                        labels.cells[0].line,
                        labels.rows[0].len()
                    ),
                ));
            }
            if labels.rows.len() != table.rows.len() {
                return Err(format_error(
                    path,
                    format!(
                        "{} labels for the {} samples of {}",
                        labels.rows.len(),
                        table.rows.len(),
                        features.display()
                    ),
                ));
            }
            labels
                .rows
                .iter()
                .zip(&labels.cells)
                .map(|(row, cell)| (row[0], *cell))
                .collect()
        }
    };
    let label_file = labels.unwrap_or(features);

    let mut values = Vec::with_capacity(label_cells.len());
    for (value, cell) in &label_cells {
        let integer = value.fract() == 0.0 && *value >= 0.0 && *value < u32::MAX as f64;
        let fits = classes.is_none_or(|c| *value < c as f64);
        if !integer || !fits {
            let rule = match classes {
                Some(c) => format!("an integer in [0, {c})"),
                None => String::from("a non-negative integer"),
            };
            return Err(format_error(
                label_file,
                format!("{}: label {value} must be {rule}", cell.place()),
            ));
        }
        values.push(*value as usize);
    }
    let classes = classes.unwrap_or_else(|| values.iter().max().map_or(0, |m| m + 1));
    if classes < 2 {
        return Err(format_error(
            label_file,
            format!("the labels take {classes} class; at least 2 are needed"),
        ));
    }
    Ok(RawDataset {
        rows: table.rows,
        labels: values,
        classes,
        source: features.to_path_buf(),
    })
}

/// Place of a value: 1-based line and column (line 0 for NPY files).
#[derive(Debug, Clone, Copy)]
struct Cell {
    line: usize,
    column: usize,
}

impl Cell {
    fn place(self) -> String {
        if self.line == 0 {
            format!("row {}", self.column)
        } else {
            format!("line {}, column {}", self.line, self.column)
        }
    }
}

/// Rows of numbers with the place of each row's first cell.
struct Table {
    rows: Vec<Vec<f64>>,
    cells: Vec<Cell>,
}

fn format_error(path: &Path, message: String) -> DatasetError {
    DatasetError::Format {
        path: path.to_path_buf(),
        message,
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>, DatasetError> {
    std::fs::read(path).map_err(|e| DatasetError::Io {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

/// Parses CSV (plain or gzip) or NPY bytes into rows of finite numbers.
fn parse_table(path: &Path, bytes: &[u8]) -> Result<Table, DatasetError> {
    if bytes.is_empty() {
        return Err(format_error(path, String::from("the file is empty")));
    }
    if bytes.starts_with(b"\x93NUMPY") {
        return read_npy(path, bytes);
    }
    let text = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut text = String::new();
        flate2::read::MultiGzDecoder::new(bytes)
            .read_to_string(&mut text)
            .map_err(|e| format_error(path, format!("cannot decompress: {e}")))?;
        text
    } else {
        String::from_utf8(bytes.to_vec())
            .map_err(|_| format_error(path, String::from("the file is not text (UTF-8)")))?
    };
    read_csv(path, &text)
}

fn read_csv(path: &Path, text: &str) -> Result<Table, DatasetError> {
    let mut rows: Vec<Vec<f64>> = Vec::new();
    let mut cells = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line_number = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        let mut row = Vec::with_capacity(rows.first().map_or(16, Vec::len));
        for (column, cell) in line.split(',').enumerate() {
            let cell = cell.trim();
            let place = Cell {
                line: line_number,
                column: column + 1,
            };
            let value: f64 = cell.parse().map_err(|_| {
                let header = if rows.is_empty() {
                    "; the file must have no header line"
                } else {
                    ""
                };
                format_error(
                    path,
                    format!("{}: '{cell}' is not a number{header}", place.place()),
                )
            })?;
            if !value.is_finite() {
                return Err(format_error(
                    path,
                    format!("{}: '{cell}' is not finite", place.place()),
                ));
            }
            row.push(value);
        }
        if let (Some(first), Some(first_cell)) = (rows.first(), cells.first()) {
            let first_cell: &Cell = first_cell;
            if row.len() != first.len() {
                return Err(format_error(
                    path,
                    format!(
                        "line {line_number} has {} columns, but line {} has {}",
                        row.len(),
                        first_cell.line,
                        first.len()
                    ),
                ));
            }
        }
        rows.push(row);
        cells.push(Cell {
            line: line_number,
            column: 1,
        });
    }
    if rows.is_empty() {
        return Err(format_error(
            path,
            String::from("the file has no data lines"),
        ));
    }
    Ok(Table { rows, cells })
}

fn read_npy(path: &Path, bytes: &[u8]) -> Result<Table, DatasetError> {
    let npy = npyz::NpyFile::new(bytes)
        .map_err(|e| format_error(path, format!("not a valid NPY file: {e}")))?;
    let shape = npy.shape().to_vec();
    let fortran = npy.order() == npyz::Order::Fortran;
    let type_name = npy.dtype().descr();
    let values = npy_values(npy)
        .map_err(|e| format_error(path, format!("cannot read the NPY data: {e}")))?
        .ok_or_else(|| {
            format_error(
                path,
                format!("NPY dtype {type_name} is not a real number type (use float or integer)"),
            )
        })?;
    let (rows, columns) = match shape[..] {
        [n] => (n as usize, 1),
        [n, d] => (n as usize, d as usize),
        _ => {
            return Err(format_error(
                path,
                format!("NPY array has shape {shape:?}; it must be 1-D or 2-D"),
            ));
        }
    };
    if rows == 0 || columns == 0 {
        return Err(format_error(path, String::from("the array is empty")));
    }
    let at = |r: usize, c: usize| {
        if fortran {
            values[c * rows + r]
        } else {
            values[r * columns + c]
        }
    };
    let mut table = Table {
        rows: Vec::with_capacity(rows),
        cells: Vec::with_capacity(rows),
    };
    for r in 0..rows {
        let row: Vec<f64> = (0..columns).map(|c| at(r, c)).collect();
        if let Some(c) = row.iter().position(|v| !v.is_finite()) {
            return Err(format_error(
                path,
                format!("row {}, column {}: {} is not finite", r + 1, c + 1, row[c]),
            ));
        }
        table.rows.push(row);
        table.cells.push(Cell {
            line: 0,
            column: r + 1,
        });
    }
    Ok(table)
}

/// Reads the values of an NPY array as f64, or None for a dtype that is not a real number.
fn npy_values(npy: npyz::NpyFile<&[u8]>) -> std::io::Result<Option<Vec<f64>>> {
    let npyz::DType::Plain(kind) = npy.dtype() else {
        return Ok(None);
    };
    let cast = |v: Vec<i64>| v.into_iter().map(|x| x as f64).collect::<Vec<f64>>();
    Ok(Some(match (kind.type_char(), kind.size_field()) {
        (npyz::TypeChar::Float, 8) => npy.into_vec::<f64>()?,
        (npyz::TypeChar::Float, 4) => npy.into_vec::<f32>()?.into_iter().map(f64::from).collect(),
        (npyz::TypeChar::Uint, 1) => npy.into_vec::<u8>()?.into_iter().map(f64::from).collect(),
        (npyz::TypeChar::Uint, 2) => npy.into_vec::<u16>()?.into_iter().map(f64::from).collect(),
        (npyz::TypeChar::Uint, 4) => npy.into_vec::<u32>()?.into_iter().map(f64::from).collect(),
        (npyz::TypeChar::Uint, 8) => npy
            .into_vec::<u64>()?
            .into_iter()
            .map(|x| x as f64)
            .collect(),
        (npyz::TypeChar::Int, 1) => npy.into_vec::<i8>()?.into_iter().map(f64::from).collect(),
        (npyz::TypeChar::Int, 2) => npy.into_vec::<i16>()?.into_iter().map(f64::from).collect(),
        (npyz::TypeChar::Int, 4) => npy.into_vec::<i32>()?.into_iter().map(f64::from).collect(),
        (npyz::TypeChar::Int, 8) => cast(npy.into_vec::<i64>()?),
        _ => return Ok(None),
    }))
}

/// Eigenvalues below this fraction of the largest count as zero when whitening.
const RANK_TOLERANCE: f64 = 1e-10;

/// Standardises a raw data set.
///
/// # Errors
/// [`DatasetError::Standardize`] when every feature is constant or `whiten:k` requests more
/// components than the data have; [`DatasetError::Solver`] if an eigendecomposition fails.
pub fn standardize(raw: &RawDataset, mode: Standardize) -> Result<Dataset, DatasetError> {
    let n = raw.rows.len();
    let d_file = raw.rows[0].len();
    let mean: Vec<f64> = (0..d_file)
        .map(|j| raw.rows.iter().map(|r| r[j]).sum::<f64>() / n as f64)
        .collect();
    let variance: Vec<f64> = (0..d_file)
        .map(|j| {
            raw.rows
                .iter()
                .map(|r| (r[j] - mean[j]).powi(2))
                .sum::<f64>()
                / n as f64
        })
        .collect();
    let kept_features: Vec<usize> = match mode {
        Standardize::None => (0..d_file).collect(),
        _ => (0..d_file).filter(|&j| variance[j] > 0.0).collect(),
    };
    if kept_features.is_empty() {
        return Err(DatasetError::Standardize(format!(
            "all {d_file} features of {} are constant",
            raw.source.display()
        )));
    }
    let centre = mode != Standardize::None;
    // One factor per kept feature. `center` uses one common factor, so that the mean squared
    // norm per feature becomes 1 and Σ keeps its shape.
    let common = match mode {
        Standardize::Center => {
            let total: f64 = kept_features.iter().map(|&j| variance[j]).sum();
            (kept_features.len() as f64 / total).sqrt()
        }
        _ => 1.0,
    };
    let factor: Vec<f64> = kept_features
        .iter()
        .map(|&j| match mode {
            Standardize::Scale => variance[j].sqrt().recip(),
            _ => common,
        })
        .collect();
    let mut x = Mat::<f64>::from_fn(kept_features.len(), n, |a, i| {
        let j = kept_features[a];
        (raw.rows[i][j] - if centre { mean[j] } else { 0.0 }) * factor[a]
    });
    if let Standardize::Whiten(k) = mode {
        x = whiten(&x, k, &raw.source)?;
    }
    // Σ, its eigenvalues and the whitening run on one thread: with a thread count taken from the
    // machine, the last bits of every real-data law would depend on the machine.
    let covariance = second_moment(&x);
    let covariance_eigenvalues = symmetric_eigenvalues(covariance.as_ref(), Par::Seq)?;
    Ok(Dataset {
        x,
        labels: raw.labels.clone(),
        classes: raw.classes,
        name: raw.source.file_name().map_or_else(
            || raw.source.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
        standardize: mode,
        features_in_file: d_file,
        dropped: d_file - kept_features.len(),
        covariance_eigenvalues,
    })
}

/// (1/N) X Xᵀ for X with one sample per column.
fn second_moment(x: &Mat<f64>) -> Mat<f64> {
    let n = x.ncols() as f64;
    let mut out = Mat::<f64>::zeros(x.nrows(), x.nrows());
    faer::linalg::matmul::matmul(
        out.as_mut(),
        faer::Accum::Replace,
        x.as_ref(),
        x.transpose(),
        1.0 / n,
        Par::Seq,
    );
    out
}

/// Projects centred X on its top k principal components, each scaled to variance 1.
fn whiten(x: &Mat<f64>, k: Option<usize>, source: &Path) -> Result<Mat<f64>, DatasetError> {
    let covariance = second_moment(x);
    let (values, vectors) = symmetric_eigen(covariance.as_ref(), Par::Seq)?;
    let largest = values.last().copied().unwrap_or(0.0);
    let rank = values
        .iter()
        .filter(|&&v| v > RANK_TOLERANCE * largest)
        .count();
    let k = k.unwrap_or(rank);
    if k > rank {
        return Err(DatasetError::Standardize(format!(
            "whiten:{k} asks for {k} components, but the centred data of {} have rank {rank}",
            source.display()
        )));
    }
    // The eigenvalues are ascending: the top k are the last k columns.
    let d = values.len();
    let basis = Mat::<f64>::from_fn(x.nrows(), k, |a, c| {
        vectors[(a, d - 1 - c)] / values[d - 1 - c].sqrt()
    });
    let mut out = Mat::<f64>::zeros(k, x.ncols());
    faer::linalg::matmul::matmul(
        out.as_mut(),
        faer::Accum::Replace,
        basis.transpose(),
        x.as_ref(),
        1.0,
        Par::Seq,
    );
    Ok(out)
}
