//! `hessian-rmt heatmap`: the absolute Hessian at random initialisation as a heatmap, grouped by
//! class (linear model) or by neuron and then class (network), with the mean |entry| of each kind
//! of block.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;
use faer::{Mat, Par};
use rand::RngExt;
use rayon::prelude::*;
use serde::Serialize;

use super::Outcome;
use super::args::{positive_f64, positive_usize};
use super::output::{Staging, prepare_dir, print};
use crate::VERSION;
use crate::compare::sweep::SweepModel;
use crate::models::Loss;
use crate::models::linear::{full_hessian as linear_hessian, softmax_columns};
use crate::models::lower::product;
use crate::models::mlp::{Activation, Mlp, full_hessian_blocked};
use crate::plot::{ColorScale, HeatmapFigure, draw_heatmap};
use crate::sampling::dataset::{Dataset, Standardize, builtin, load_source, standardize};
use crate::sampling::{DataDist, Stream, rng};

/// Largest Hessian side formed in full (an 12000² matrix takes 1.15 GB).
const MAX_FULL_SIDE: usize = 12_000;

/// Cells per side of the SVG version.
const SVG_CELLS: usize = 160;

/// Arguments of `heatmap`.
#[derive(Debug, Args)]
#[command(
    long_about = "Draw the absolute Hessian at random initialisation as a heatmap.\n\n\
Network (--model mlp, the default): f(x) = V φ(W x), parameters ordered as the rows of W (one group \
of d per neuron) and then the rows of V (one group of m per class); the full (m d + C m)² Hessian is \
formed by matrix products. Defaults: the paper's synthetic configuration, ReLU, d = 500, N = 5000, \
C = 500, m = 8, an 8000 × 8000 Hessian.\n\n\
Linear model (--model linear): parameters grouped by class (rows of W). When C d exceeds 12000 the \
Hessian is not formed: each cell is one block, coloured by |mean entry| = |(1/(N d²)) Σ_i τ_kl(i) \
(1ᵀ x_i)²|, which needs only the C×N softmax matrix.\n\n\
Each cell of the picture is the mean |entry| over its part of the matrix. The right panel gives the \
mean |entry| of each kind of block. Writes heatmap.png, heatmap.svg (coarser) and heatmap.json, and \
with --save-matrix the matrix itself as hessian.npy."
)]
pub struct HeatmapArgs {
    /// Model.
    #[arg(long, value_enum, default_value_t = SweepModel::Mlp)]
    pub model: SweepModel,
    /// Loss.
    #[arg(long, value_enum, default_value_t = Loss::Ce)]
    pub loss: Loss,
    /// Activation of the network.
    #[arg(long, value_enum, default_value_t = Activation::Relu)]
    pub activation: Activation,
    /// Input dimension d.
    #[arg(long, default_value = "500", value_parser = positive_usize, allow_hyphen_values = true)]
    pub dim: usize,
    /// Number of samples N.
    #[arg(long, default_value = "5000", value_parser = positive_usize, allow_hyphen_values = true)]
    pub samples: usize,
    /// Number of classes C.
    #[arg(long, default_value = "500", value_parser = positive_usize, allow_hyphen_values = true)]
    pub classes: usize,
    /// Hidden width m of the network.
    #[arg(long, default_value = "8", value_parser = positive_usize, allow_hyphen_values = true)]
    pub width: usize,
    /// Scale of the first-layer weights (network: σ_w; linear model: the logit scale s).
    #[arg(long, default_value = "1", value_parser = positive_f64, allow_hyphen_values = true)]
    pub sigma_w: f64,
    /// Scale σ_v of the network's output weights.
    #[arg(long, default_value = "1", value_parser = positive_f64, allow_hyphen_values = true)]
    pub sigma_v: f64,
    /// Colour scale.
    #[arg(long, value_enum, default_value_t = ColorScale::Log)]
    pub scale: ColorScale,
    /// Cells per side of the PNG picture.
    #[arg(long, default_value = "400", value_parser = positive_usize, allow_hyphen_values = true)]
    pub cells: usize,
    /// Seed of every random draw.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Folder for heatmap.png, heatmap.svg and heatmap.json.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Real data instead of Gaussian inputs: mnist or digits (built in), or a CSV/NPY file as for
    /// `verify --data`. d, N and C then come from the data, and --dim, --samples and --classes
    /// are not used.
    #[arg(long, value_name = "NAME|PATH")]
    pub data: Option<String>,
    /// Labels of a data file (see `verify --labels`).
    #[arg(long, value_name = "PATH")]
    pub labels: Option<PathBuf>,
    /// Standardisation of real data (see `verify --standardize`) [default: center].
    #[arg(long, value_parser = |t: &str| t.parse::<Standardize>(), value_name = "MODE")]
    pub standardize: Option<Standardize>,
    /// Print the JSON summary on stdout instead of the text summary.
    #[arg(long)]
    pub json: bool,
    /// Write no PNG or SVG.
    #[arg(long)]
    pub no_plots: bool,
    /// Also write the matrix behind the picture as hessian.npy (float64, C order): the full
    /// Hessian, or the C × C matrix of block means when the Hessian is not formed.
    #[arg(long)]
    pub save_matrix: bool,
}

/// The size of one kind of block, in the unit named by the summary's `quantity`.
#[derive(Debug, Clone, Serialize)]
struct BlockMean {
    kind: String,
    value: f64,
}

/// The JSON summary.
#[derive(Debug, Serialize)]
struct Summary {
    version: &'static str,
    seed: u64,
    model: SweepModel,
    loss: Loss,
    #[serde(skip_serializing_if = "Option::is_none")]
    activation: Option<Activation>,
    /// The real data set and its standardisation (Gaussian inputs when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<String>,
    dim: usize,
    samples: usize,
    classes: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    width: Option<usize>,
    /// Side of the Hessian.
    parameters: usize,
    /// "entries" when the Hessian was formed, "block means" otherwise.
    mode: &'static str,
    /// Meaning of the `value` of each block kind: "mean |entry|" over its blocks when the Hessian was
    /// formed, "mean |mean entry|" over its blocks otherwise.
    quantity: &'static str,
    blocks: Vec<BlockMean>,
}

/// Runs `heatmap`.
///
/// # Errors
/// Invalid sizes, an unwritable output folder, or a plotting failure.
pub fn run(args: &HeatmapArgs) -> Result<Outcome> {
    let data = match &args.data {
        Some(source) => Some(load_data(args, source)?),
        None => {
            if args.labels.is_some() || args.standardize.is_some() {
                bail!("--labels and --standardize need --data");
            }
            None
        }
    };
    let (dim, samples, classes) = match &data {
        Some(d) => (d.dim(), d.len(), d.classes),
        None => (args.dim, args.samples, args.classes),
    };
    if classes < 2 {
        bail!(
            "invalid value '{}' for '--classes': must be an integer of at least 2",
            classes
        );
    }
    if args.model == SweepModel::Mlp {
        let side = args.width * (dim + classes);
        if side > MAX_FULL_SIDE {
            bail!(
                "the network's Hessian would be {side} × {side}; m (d + C) must be at most \
                 {MAX_FULL_SIDE} (about 1.2 GB)"
            );
        }
    }
    prepare_dir(&args.out)?;
    let start = Instant::now();
    let ((cells, size, boundaries, blocks, mode, parameters), matrix) = match args.model {
        SweepModel::Mlp => network(args, data.as_ref()),
        SweepModel::Linear => linear(args, data.as_ref())?,
    };
    // Timing is a diagnostic and goes to stderr: files and stdout stay reproducible.
    eprintln!(
        "{} in {:.1} s",
        if mode == "entries" {
            "Hessian formed"
        } else {
            "block means computed"
        },
        start.elapsed().as_secs_f64()
    );
    let stage = Staging::new(&args.out)?;
    if args.save_matrix {
        stage.write("hessian.npy", &npy_bytes(&matrix)?)?;
    }
    drop(matrix);

    let summary = Summary {
        version: VERSION,
        seed: args.seed,
        model: args.model,
        loss: args.loss,
        activation: (args.model == SweepModel::Mlp).then_some(args.activation),
        data: data
            .as_ref()
            .map(|d| format!("{} ({})", d.name, d.standardize)),
        dim,
        samples,
        classes,
        width: (args.model == SweepModel::Mlp).then_some(args.width),
        parameters,
        mode,
        quantity: quantity(mode),
        blocks: blocks
            .iter()
            .map(|(kind, v)| BlockMean {
                kind: kind.clone(),
                value: *v,
            })
            .collect(),
    };
    let json = serde_json::to_string_pretty(&summary)? + "\n";
    stage.write("heatmap.json", json.as_bytes())?;

    let what = match args.model {
        SweepModel::Mlp => format!(
            "one-hidden-layer {} network, {}",
            args.activation.long_name(),
            args.loss.long_name()
        ),
        SweepModel::Linear => format!("linear model, {}", args.loss.long_name()),
    };
    let grouping = match (args.model, mode) {
        (SweepModel::Mlp, _) => "rows of W by neuron, then rows of V by class",
        (SweepModel::Linear, "entries") => "rows of W by class",
        (SweepModel::Linear, _) => {
            "one cell per block: |mean entry| from the softmax matrix, no block formed"
        }
    };
    let top = cells.iter().copied().fold(0.0_f64, f64::max);
    let colours = match args.scale {
        ColorScale::Log => format!(
            "colour log10 from {:.0e} (dark) to {top:.0e} (yellow)",
            top * 1e-8
        ),
        ColorScale::Linear => format!("colour linear from 0 (dark) to {top:.1e} (yellow)"),
    };
    let figure = HeatmapFigure {
        title: match &data {
            Some(d) => format!("|Hessian| at initialisation, {what}, on {}", d.name),
            None => format!("|Hessian| at initialisation, {what}"),
        },
        caption: format!(
            "{grouping}; {colours}; {}d = {}, N = {}, C = {}{}, {} parameters, {} colour scale, seed {}, hessian-rmt {}",
            data.as_ref().map_or(String::new(), |d| format!(
                "{} ({}), ",
                d.name, d.standardize
            )),
            dim,
            samples,
            classes,
            if args.model == SweepModel::Mlp {
                format!(", m = {}", args.width)
            } else {
                String::new()
            },
            parameters,
            match args.scale {
                ColorScale::Log => "log",
                ColorScale::Linear => "linear",
            },
            args.seed,
            VERSION
        ),
        cells: &cells,
        size,
        boundaries: &boundaries,
        scale: args.scale,
        bars: &blocks,
        bar_label: if mode == "entries" {
            String::from("mean |entry| of the blocks of each kind")
        } else {
            String::from("mean over blocks of |mean entry|")
        },
    };
    let extensions: &[&str] = if args.no_plots { &[] } else { &["png", "svg"] };
    for extension in extensions {
        let path = stage.dir().join(format!("heatmap.{extension}"));
        draw_heatmap(&path, &figure, SVG_CELLS)
            .with_context(|| format!("cannot draw heatmap.{extension}"))?;
    }
    stage.commit()?;
    if args.json {
        print(&json)?;
    } else {
        let mut text = format!(
            "{what}: {parameters} parameters, {}\n",
            if mode == "entries" {
                "the Hessian formed in full"
            } else {
                "one cell per block, no block formed"
            }
        );
        for (kind, v) in &blocks {
            text.push_str(&format!("  {kind:<24} {} {v:.4e}\n", quantity(mode)));
        }
        let mut files = vec!["heatmap.json"];
        if !args.no_plots {
            files.extend(["heatmap.png", "heatmap.svg"]);
        }
        if args.save_matrix {
            files.push("hessian.npy");
        }
        text.push_str(&format!(
            "seed {}; hessian-rmt {}\n{} in {}\n",
            args.seed,
            VERSION,
            files.join(", "),
            args.out.display()
        ));
        print(&text)?;
    }
    Ok(Outcome::Pass)
}

/// Returns the meaning of a block kind's value in a mode.
fn quantity(mode: &str) -> &'static str {
    if mode == "entries" {
        "mean |entry|"
    } else {
        "mean |mean entry|"
    }
}

/// Encodes a matrix as NPY bytes, float64 in C order.
fn npy_bytes(m: &Mat<f64>) -> Result<Vec<u8>> {
    use npyz::WriterBuilder as _;
    let mut bytes = Vec::with_capacity(m.nrows() * m.ncols() * 8 + 128);
    let mut writer = npyz::WriteOptions::new()
        .default_dtype()
        .shape(&[m.nrows() as u64, m.ncols() as u64])
        .writer(&mut bytes)
        .begin_nd()?;
    for row in 0..m.nrows() {
        writer.extend((0..m.ncols()).map(|col| m[(row, col)]))?;
    }
    writer.finish()?;
    Ok(bytes)
}

type Picture = (
    Vec<f64>,
    usize,
    Vec<f64>,
    Vec<(String, f64)>,
    &'static str,
    usize,
);

/// Averages |H| onto a cells × cells grid (cells ≤ side).
fn cell_means(h: &Mat<f64>, cells: usize) -> (Vec<f64>, usize) {
    let side = h.nrows();
    let cells = cells.min(side);
    let edge = |k: usize| k * side / cells;
    let rows: Vec<Vec<f64>> = (0..cells)
        .into_par_iter()
        .map(|r| {
            (0..cells)
                .map(|c| {
                    let (r0, r1, c0, c1) = (edge(r), edge(r + 1), edge(c), edge(c + 1));
                    let mut total = 0.0;
                    for col in c0..c1 {
                        for row in r0..r1 {
                            total += h[(row, col)].abs();
                        }
                    }
                    total / ((r1 - r0) * (c1 - c0)) as f64
                })
                .collect()
        })
        .collect();
    (rows.concat(), cells)
}

/// Mean |entry| over the blocks of the given kinds: `kind(row group, column group)` names them.
fn block_means(
    h: &Mat<f64>,
    groups: &[(usize, usize)],
    kind: impl Fn(usize, usize) -> Option<&'static str> + Sync,
    kinds: &[&'static str],
) -> Vec<(String, f64)> {
    let sums: Vec<(f64, usize)> = kinds
        .par_iter()
        .map(|&wanted| {
            let mut total = 0.0;
            let mut count = 0;
            for (gc, &(c0, cw)) in groups.iter().enumerate() {
                for (gr, &(r0, rw)) in groups.iter().enumerate() {
                    if kind(gr, gc) != Some(wanted) {
                        continue;
                    }
                    for col in c0..c0 + cw {
                        for row in r0..r0 + rw {
                            total += h[(row, col)].abs();
                        }
                    }
                    count += rw * cw;
                }
            }
            (total, count)
        })
        .collect();
    kinds
        .iter()
        .zip(sums)
        .map(|(k, (t, n))| (k.to_string(), if n > 0 { t / n as f64 } else { 0.0 }))
        .collect()
}

/// Loads and standardises the data set of `--data`.
fn load_data(args: &HeatmapArgs, source: &str) -> Result<Dataset> {
    if args.labels.is_some() && builtin(source).is_some() {
        bail!("--labels goes with a data file; the built-in data sets carry their labels");
    }
    let raw = load_source(Path::new(source), args.labels.as_deref(), None)?;
    Ok(standardize(
        &raw,
        args.standardize.unwrap_or(Standardize::Center),
    )?)
}

fn network(args: &HeatmapArgs, data: Option<&Dataset>) -> (Picture, Mat<f64>) {
    let (d, n, c, m) = match data {
        Some(data) => (data.dim(), data.len(), data.classes, args.width),
        None => (args.dim, args.samples, args.classes, args.width),
    };
    let mut generator = rng(args.seed, Stream::Replicate(0));
    let w = DataDist::Gaussian.sample(&mut generator, m, d, args.sigma_w / (d as f64).sqrt());
    let v = DataDist::Gaussian.sample(&mut generator, c, m, args.sigma_v / (m as f64).sqrt());
    let (x, labels) = match data {
        Some(data) => (data.x.clone(), data.labels.clone()),
        None => {
            let x = DataDist::Gaussian.sample(&mut generator, d, n, 1.0);
            let labels: Vec<usize> = (0..n).map(|_| generator.random_range(0..c)).collect();
            (x, labels)
        }
    };
    let net = Mlp {
        w,
        v,
        activation: args.activation,
    };

    let h = full_hessian_blocked(&net, x.as_ref(), &labels, args.loss, Par::rayon(0))
        .expect("shapes fit by construction");

    let side = h.nrows();
    let (cells, size) = cell_means(&h, args.cells);
    // Groups: m neurons of d parameters, then C classes of m parameters.
    let mut groups: Vec<(usize, usize)> = (0..m).map(|j| (j * d, d)).collect();
    groups.extend((0..c).map(|k| (m * d + k * m, m)));
    let kind = |gr: usize, gc: usize| -> Option<&'static str> {
        match (gr < m, gc < m) {
            (true, true) if gr == gc => Some("hidden diag"),
            (true, true) => Some("hidden off"),
            (false, false) if gr == gc => Some("output diag"),
            (false, false) => Some("output off"),
            _ => Some("cross W-V"),
        }
    };
    let kinds = [
        "hidden diag",
        "hidden off",
        "output diag",
        "output off",
        "cross W-V",
    ];
    let blocks = block_means(&h, &groups, kind, &kinds);
    let scale = size as f64 / side as f64;
    let mut boundaries: Vec<f64> = (1..m).map(|j| (j * d) as f64 * scale).collect();
    boundaries.push((m * d) as f64 * scale);
    ((cells, size, boundaries, blocks, "entries", side), h)
}

fn linear(args: &HeatmapArgs, data: Option<&Dataset>) -> Result<(Picture, Mat<f64>)> {
    let (d, n, c) = match data {
        Some(data) => (data.dim(), data.len(), data.classes),
        None => (args.dim, args.samples, args.classes),
    };
    let mut generator = rng(args.seed, Stream::Replicate(0));
    let w = DataDist::Gaussian.sample(&mut generator, c, d, args.sigma_w / (d as f64).sqrt());
    let x = match data {
        Some(data) => data.x.clone(),
        None => DataDist::Gaussian.sample(&mut generator, d, n, 1.0),
    };
    let kinds = ["diag", "off"];

    if c * d <= MAX_FULL_SIDE {
        let h = linear_hessian(x.as_ref(), w.as_ref(), args.loss, Par::rayon(0))?;
        let side = h.nrows();
        let (cells, size) = cell_means(&h, args.cells);
        let groups: Vec<(usize, usize)> = (0..c).map(|k| (k * d, d)).collect();
        let kind = |gr: usize, gc: usize| Some(if gr == gc { "diag" } else { "off" });
        let blocks = block_means(&h, &groups, kind, &kinds);
        let scale = size as f64 / side as f64;
        let boundaries: Vec<f64> = if c <= 50 {
            (1..c).map(|k| (k * d) as f64 * scale).collect()
        } else {
            Vec::new()
        };
        return Ok(((cells, size, boundaries, blocks, "entries", side), h));
    }
    // Block means: (1/(N d²)) Σ_i τ_kl(i) s_i with s_i = (1ᵀx_i)², i.e. for cross-entropy
    // diag(P s) − P diag(s) Pᵀ over N d², and δ_kl Σ s_i/(N d²) for MSE.
    let s: Vec<f64> = (0..n)
        .map(|i| (0..d).map(|a| x[(a, i)]).sum::<f64>().powi(2))
        .collect();
    let norm = 1.0 / (n as f64 * (d * d) as f64);
    let means = match args.loss {
        Loss::Mse => Mat::<f64>::from_fn(c, c, |k, l| {
            if k == l {
                s.iter().sum::<f64>() * norm
            } else {
                0.0
            }
        }),
        Loss::Ce => {
            let p = softmax_columns(product(w.as_ref(), x.as_ref()).as_ref());
            let ps = Mat::<f64>::from_fn(c, n, |k, i| p[(k, i)] * s[i]);
            let mut m = Mat::<f64>::zeros(c, c);
            faer::linalg::matmul::matmul(
                m.as_mut(),
                faer::Accum::Replace,
                ps.as_ref(),
                p.transpose(),
                -norm,
                Par::Seq,
            );
            for k in 0..c {
                m[(k, k)] += (0..n).map(|i| ps[(k, i)]).sum::<f64>() * norm;
            }
            m
        }
    };

    let (cells, size) = cell_means(&means, args.cells);
    let groups: Vec<(usize, usize)> = (0..c).map(|k| (k, 1)).collect();
    let kind = |gr: usize, gc: usize| Some(if gr == gc { "diag" } else { "off" });
    let blocks = block_means(&means, &groups, kind, &kinds);
    Ok((
        (cells, size, Vec::new(), blocks, "block means", c * d),
        means,
    ))
}
