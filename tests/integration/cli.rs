//! The built `hessian-rmt` binary, run in temporary folders as a user would.

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hessian-rmt"))
}

fn run(args: &[&str], dir: &Path) -> Output {
    binary()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn bad_input_exits_2_with_one_line_and_no_files() {
    let cases: &[(&[&str], &str)] = &[
        (&["verify", "--dim", "0"], "'0'"),
        (&["verify", "--classes", "1"], "'1'"),
        (&["verify", "--samples", "-3"], "'-3'"),
        (&["verify", "--replicates", "0"], "'0'"),
        (&["verify", "--logit-scale", "-1"], "'-1'"),
        (&["law", "--gamma", "nan", "--weights", "1:1"], "'nan'"),
        (&["verify", "--model", "linear", "--width", "4"], "--width"),
        (&["verify", "--init-scales", "1"], "SIGMA_W,SIGMA_V"),
        (&["verify", "--init-scales", "1,-2"], "'1,-2'"),
        (
            &["verify", "--blocks", "diag,hidden-diag"],
            "cannot be mixed",
        ),
        (
            &["verify", "--model", "mlp", "--logit-scale", "2"],
            "--logit-scale",
        ),
        (
            &["verify", "--model", "mlp", "--blocks", "diag"],
            "--model linear",
        ),
        (
            &["verify", "--width", "1", "--blocks", "hidden-offdiag"],
            "width of at least 2, got 1",
        ),
        (&["verify", "--activation", "softplus"], "'softplus'"),
        (&["sweep", "--classes", "1,2"], "'1,2'"),
        (&["sweep", "--classes", "100..10"], "'100..10'"),
        (
            &["sweep", "--model", "mlp", "--classes", "2,10"],
            "invalid value '2' in '--classes': the network sweep needs C ≥ 3",
        ),
        (
            &["sweep", "--classes", "2..10", "--points", "1"],
            "a range LO..HI needs at least 2 points",
        ),
        (
            &[
                "sweep",
                "--classes",
                "2,10,100",
                "--fit-range",
                "20000,30000",
            ],
            "it holds 0 of the swept class counts",
        ),
        (&["verify", "--data", "mnist", "--subset", "1"], "'1'"),
        (
            &["verify", "--data", "mnist", "--standardize", "whiten:0"],
            "'whiten:0'",
        ),
        (
            &["verify", "--data", "mnist", "--standardize", "whiten:700"],
            "have rank",
        ),
        (
            &["verify", "--data", "mnist", "--model", "mlp"],
            "linear model only",
        ),
        (&["verify", "--subset", "100"], "--subset needs real data"),
        (
            &["verify", "--data", "no-such-file.csv"],
            "cannot read 'no-such-file.csv'",
        ),
        (&["sweep", "--replicates", "1"], "at least 2"),
        (&["heatmap", "--width", "40"], "at most 12000"),
        (&["heatmap", "--classes", "1"], "'1'"),
        (
            &["law", "--gamma", "0.5", "--weights", "0.5:1,0.4:2"],
            "sum to 1",
        ),
        (
            &["law", "--gamma", "0.5", "--weights", "0.5:1,0.5"],
            "PROBABILITY:VALUE",
        ),
        (
            &["law", "--gamma", "0.5", "--weights", "-0.5:1,1.5:2"],
            "-0.5",
        ),
    ];
    for (args, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        let out = run(args, dir.path());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: stderr {stderr}");
        assert_eq!(
            stderr.trim_end().lines().count(),
            1,
            "{args:?}: expected one line, got {stderr:?}"
        );
        assert!(
            stderr.contains(expected),
            "{args:?}: expected {expected:?} in {stderr:?}"
        );
        assert!(
            files_in(dir.path()).is_empty(),
            "{args:?} left files: {:?}",
            files_in(dir.path())
        );
    }
}

#[test]
fn unwritable_out_folder_exits_2_without_running() {
    let dir = tempfile::tempdir().unwrap();
    // A regular file where the output folder should be: no user can create a folder inside it.
    let blocker = dir.path().join("blocker");
    std::fs::write(&blocker, b"user data").unwrap();
    let target = blocker.join("out");
    let out = run(
        &[
            "verify",
            "--dim",
            "20",
            "--samples",
            "40",
            "--out",
            target.to_str().unwrap(),
        ],
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr {stderr}");
    assert!(stderr.contains("blocker"), "{stderr}");
    assert_eq!(
        std::fs::read(&blocker).unwrap(),
        b"user data",
        "the user's file was changed"
    );
    assert_eq!(files_in(dir.path()), vec!["blocker"]);
}

fn law_csv(args: &[&str]) -> Vec<(f64, f64, f64)> {
    let dir = tempfile::tempdir().unwrap();
    let out = run(args, dir.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("# hessian-rmt "),
        "CSV starts with the version comment"
    );
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with('x'))
        .map(|l| {
            let v: Vec<f64> = l.split(',').map(|c| c.parse().unwrap()).collect();
            (v[0], v[1], v[2])
        })
        .collect()
}

#[test]
fn law_reproduces_marchenko_pastur() {
    let gamma: f64 = 0.5;
    let rows = law_csv(&[
        "law",
        "--gamma",
        "0.5",
        "--weights",
        "1:1",
        "--grid",
        "1001",
    ]);
    let (a, b) = ((1.0 - gamma.sqrt()).powi(2), (1.0 + gamma.sqrt()).powi(2));
    let mut interior = 0;
    for &(x, density, _) in &rows {
        if x > a + 1e-6 && x < b - 1e-6 {
            let exact = ((b - x) * (x - a)).sqrt() / (2.0 * std::f64::consts::PI * gamma * x);
            assert!(
                (density - exact).abs() < 1e-8,
                "x = {x}: density {density}, closed form {exact}"
            );
            interior += 1;
        }
    }
    assert!(interior > 800, "only {interior} interior points");
    let last = rows.last().unwrap().2;
    assert!((last - 1.0).abs() < 1e-6, "CDF at the right end is {last}");
}

#[test]
fn law_reports_the_atom_at_zero() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        &[
            "law",
            "--gamma",
            "2",
            "--weights",
            "1:1",
            "--json",
            "--range",
            "-1,1",
            "--grid",
            "3",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let atoms = report["atoms"].as_array().unwrap();
    assert_eq!(atoms.len(), 1, "{report}");
    assert_eq!(atoms[0]["x"], 0.0);
    assert!((atoms[0]["mass"].as_f64().unwrap() - 0.5).abs() < 1e-15);
    let cdf = report["grid"]["cdf"].as_array().unwrap();
    let x = report["grid"]["x"].as_array().unwrap();
    assert_eq!(x[1], 0.0);
    assert!(
        (cdf[1].as_f64().unwrap() - 0.5).abs() < 1e-12,
        "F(0) = {}",
        cdf[1]
    );
    assert_eq!(report["support"].as_array().unwrap().len(), 1);
    assert_eq!(report["moments"].as_array().unwrap().len(), 4);
    assert!(report["version"].is_string());
}

#[test]
fn law_plot_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        &[
            "law",
            "--gamma",
            "0.5",
            "--weights",
            "0.5:1,0.5:-1",
            "--plot",
            "law.png",
        ],
        dir.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = std::fs::read(dir.path().join("law.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");
}

const SMALL: &[&str] = &[
    "verify",
    "--model",
    "linear",
    "--dim",
    "60",
    "--samples",
    "120",
    "--replicates",
    "4",
    "--json",
];

#[test]
fn verify_writes_report_plots_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(SMALL, dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(matches!(out.status.code(), Some(0 | 1)), "stderr {stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in ["version", "seed", "pass", "cases"] {
        assert!(report.get(key).is_some(), "missing {key} in {report}");
    }
    let cases = report["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 4, "CE diag, CE offdiag, MSE diag, MSE offdiag");
    for case in cases {
        for key in [
            "model",
            "loss",
            "block",
            "dim",
            "samples",
            "classes",
            "replicates",
            "ks",
            "w1",
            "tolerance",
            "pass",
        ] {
            assert!(case.get(key).is_some(), "missing {key} in {case}");
        }
    }
    let zero = &cases[3];
    assert_eq!(
        zero["max_abs_entry"], 0.0,
        "MSE off-diagonal block must be exactly zero"
    );
    let files = files_in(&dir.path().join("out"));
    for name in [
        "linear-ce-diag.png",
        "linear-ce-diag.svg",
        "linear-ce-offdiag.png",
        "linear-mse-diag.png",
        "report.json",
    ] {
        assert!(
            files.contains(&name.to_string()),
            "missing {name} in {files:?}"
        );
    }
    assert_eq!(
        std::fs::read(dir.path().join("out/report.json")).unwrap(),
        out.stdout
    );
}

#[test]
fn verify_runs_the_network_with_its_flags() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "verify",
        "--activation",
        "gelu",
        "--init-scales",
        "1.5,0.5",
        "--width",
        "4",
        "--dim",
        "60",
        "--samples",
        "120",
        "--replicates",
        "3",
        "--json",
    ];
    let out = run(&args, dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(matches!(out.status.code(), Some(0 | 1)), "stderr {stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let cases = report["cases"].as_array().unwrap();

    // Network flags select the network: 2 losses × 4 blocks, all with GELU.
    assert_eq!(cases.len(), 8, "{report}");
    for case in cases {
        assert_eq!(case["model"], "mlp");
        assert_eq!(case["activation"], "gelu");
        assert_eq!(case["width"], 4);
        assert_eq!(case["init_scales"], serde_json::json!([1.5, 0.5]));
        assert_eq!(case["redraw_v"], false);
        assert!(case.get("logit_scale").is_none(), "{case}");
        let block = case["block"].as_str().unwrap();
        match (case["loss"].as_str().unwrap(), block) {
            ("mse", "output-offdiag") => assert_eq!(case["max_abs_entry"], 0.0, "{case}"),
            (_, "output-diag" | "output-offdiag") => {
                let matrix = &case["matrix"];
                assert_eq!(matrix["eigenvalues_predicted"].as_array().unwrap().len(), 4);
                assert!(matrix["relative_error"].as_f64().unwrap().is_finite());
            }
            (_, "hidden-diag" | "hidden-offdiag") => {
                assert_eq!(case["eigenvalues"], 3 * 60, "{case}");
            }
            other => panic!("unexpected case {other:?}"),
        }
    }

    let files = files_in(&dir.path().join("out"));
    for name in [
        "mlp-gelu-ce-hidden-diag.png",
        "mlp-gelu-mse-hidden-offdiag.svg",
        "report.json",
    ] {
        assert!(
            files.contains(&name.to_string()),
            "missing {name} in {files:?}"
        );
    }
}

#[test]
fn verify_json_is_identical_for_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let network: &[&str] = &[
        "verify",
        "--model",
        "mlp",
        "--activation",
        "tanh",
        "--dim",
        "60",
        "--samples",
        "120",
        "--replicates",
        "4",
        "--json",
    ];
    for (args, weight_law) in [
        (SMALL, "conditional"),
        (network, "conditional"),
        (network, "population"),
    ] {
        let mut outputs = Vec::new();
        for threads in ["1", "2"] {
            let out = binary()
                .args(args)
                .args(["--no-plots", "--weight-law", weight_law])
                .env("RAYON_NUM_THREADS", threads)
                .current_dir(dir.path())
                .output()
                .unwrap();
            outputs.push(out.stdout);
        }
        assert!(!outputs[0].is_empty(), "{args:?}: no output");
        assert_eq!(
            outputs[0], outputs[1],
            "{args:?} {weight_law}: JSON differs between RAYON_NUM_THREADS=1 and 2"
        );
    }
}

#[test]
fn closed_stdout_is_a_quiet_success() {
    let mut child = binary()
        .args([
            "law",
            "--gamma",
            "0.5",
            "--weights",
            "1:1",
            "--grid",
            "200000",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "stderr {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn sweep_writes_json_csv_and_plot() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "sweep",
        "--classes",
        "2,10,100",
        "--dim",
        "40",
        "--samples",
        "80",
        "--replicates",
        "3",
        "--json",
    ];
    let out = run(&args, dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(matches!(out.status.code(), Some(0 | 1)), "stderr {stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in ["version", "seed", "slope", "points"] {
        assert!(report.get(key).is_some(), "missing {key} in {report}");
    }
    let points = report["points"].as_array().unwrap();
    assert_eq!(points.len(), 3);
    for point in points {
        for key in ["classes", "theory", "empirical", "stderr", "spectral"] {
            assert!(point.get(key).is_some(), "missing {key} in {point}");
        }
    }
    let files = files_in(&dir.path().join("out"));
    for name in ["sweep.csv", "sweep.json", "sweep.png", "sweep.svg"] {
        assert!(
            files.contains(&name.to_string()),
            "missing {name} in {files:?}"
        );
    }
    let csv = std::fs::read_to_string(dir.path().join("out/sweep.csv")).unwrap();
    assert_eq!(
        csv.lines().filter(|l| !l.starts_with('#')).count(),
        4,
        "{csv}"
    );
}

#[test]
fn heatmap_network_and_wide_linear() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "heatmap",
        "--loss",
        "mse",
        "--dim",
        "20",
        "--samples",
        "50",
        "--classes",
        "5",
        "--width",
        "3",
        "--json",
    ];
    let out = run(&args, dir.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["parameters"], 3 * (20 + 5));
    assert_eq!(summary["mode"], "entries");
    let blocks = summary["blocks"].as_array().unwrap();
    let mean = |kind: &str| {
        blocks
            .iter()
            .find(|b| b["kind"] == kind)
            .and_then(|b| b["value"].as_f64())
            .unwrap()
    };
    // MSE: the output-layer blocks off the diagonal are exactly zero.
    assert_eq!(mean("output off"), 0.0);
    assert!(mean("output diag") > 0.0);
    assert!(mean("hidden off") < mean("hidden diag"));
    let files = files_in(&dir.path().join("out"));
    for name in ["heatmap.json", "heatmap.png", "heatmap.svg"] {
        assert!(
            files.contains(&name.to_string()),
            "missing {name} in {files:?}"
        );
    }

    // C d = 14000 > 12000: one cell per block, no Hessian formed.
    let args = [
        "heatmap",
        "--model",
        "linear",
        "--classes",
        "700",
        "--dim",
        "20",
        "--samples",
        "30",
        "--json",
        "--out",
        "wide",
    ];
    let out = run(&args, dir.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["mode"], "block means");
    assert_eq!(summary["quantity"], "mean |mean entry|");
    assert_eq!(summary["parameters"], 14000);
}

#[test]
fn heatmap_of_a_real_data_set() {
    // The built-in digits: d = 61 after dropping 3 constant pixels, N = 1797, C = 10.
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        &[
            "heatmap",
            "--data",
            "digits",
            "--model",
            "linear",
            "--no-plots",
            "--json",
        ],
        dir.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["dim"], 61);
    assert_eq!(summary["samples"], 1797);
    assert_eq!(summary["classes"], 10);
    assert_eq!(summary["parameters"], 610);
    assert_eq!(summary["data"], "digits.csv (center)");
    let out = run(&["heatmap", "--standardize", "scale"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim_end(),
        "error: --labels and --standardize need --data"
    );
}

#[test]
fn staging_failed_write_leaves_nothing() {
    // A folder named like the plot blocks the last file; the JSON and CSV written before it must
    // not be left behind.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("out/sweep.png")).unwrap();
    let out = run(&["sweep", "--theory-only", "--classes", "2,10"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("a folder has that name"), "{stderr}");
    assert_eq!(files_in(&dir.path().join("out")), ["sweep.png"]);
}

#[test]
fn heatmap_saves_the_matrix_without_plots() {
    // Linear model, cross-entropy: H = (1/N) Σ_i A_i ⊗ x_i x_iᵀ with A_i 1 = 0, so the d × d
    // blocks of each block row sum to zero; that holds only if the file's layout is right.
    let dir = tempfile::tempdir().unwrap();
    let (d, c) = (20, 4);
    let args = [
        "heatmap",
        "--model",
        "linear",
        "--dim",
        "20",
        "--samples",
        "50",
        "--classes",
        "4",
        "--save-matrix",
        "--no-plots",
    ];
    let out = run(&args, dir.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let files = files_in(&dir.path().join("out"));
    assert_eq!(files, ["heatmap.json", "hessian.npy"], "{files:?}");
    let bytes = std::fs::read(dir.path().join("out/hessian.npy")).unwrap();
    let npy = npyz::NpyFile::new(&bytes[..]).unwrap();
    assert_eq!(npy.shape(), &[(c * d) as u64, (c * d) as u64]);
    let h: Vec<f64> = npy.into_vec().unwrap();
    let at = |r: usize, col: usize| h[r * c * d + col];
    let largest = h.iter().fold(0.0_f64, |a, v| a.max(v.abs()));
    assert!(largest > 0.0);
    for r in 0..c * d {
        for a in 0..d {
            let row_sum: f64 = (0..c).map(|l| at(r, l * d + a)).sum();
            assert!(
                row_sum.abs() < 1e-12 * largest,
                "row {r}, column {a}: {row_sum}"
            );
        }
        for col in 0..c * d {
            assert_eq!(at(r, col), at(col, r), "asymmetric at ({r}, {col})");
        }
    }
}

#[test]
fn reproduce_writes_the_figures_and_a_summary() {
    // Two law figures: fast, and enough to check the jobs, the CSV written from stdout and the
    // summary. The full run is `make figures`.
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        &["reproduce", "--only", "law-mp", "--out", "figs"],
        dir.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let files = files_in(&dir.path().join("figs"));
    assert_eq!(
        files,
        [
            "SUMMARY.md",
            "law-mp-gamma-0.5.csv",
            "law-mp-gamma-0.5.png",
            "law-mp-gamma-2.csv",
            "law-mp-gamma-2.png"
        ]
    );
    let summary = std::fs::read_to_string(dir.path().join("figs/SUMMARY.md")).unwrap();
    assert!(
        summary.contains("`hessian-rmt reproduce --only law-mp`"),
        "{summary}"
    );
    assert!(summary.contains("Every claim run here holds."), "{summary}");
    assert!(
        summary.contains("Left out of this run: linear-population,"),
        "{summary}"
    );
    assert!(
        summary.contains("`hessian-rmt law --gamma 2 --weights 1:1 --plot figs/law-mp-gamma-2.png > figs/law-mp-gamma-2.csv`"),
        "{summary}"
    );
    let csv = std::fs::read_to_string(dir.path().join("figs/law-mp-gamma-2.csv")).unwrap();
    assert!(csv.starts_with('#'), "{csv}");

    // A verify job: its table names the cases as verify does, and the claim states why no rate in d
    // is fitted.
    let out = run(
        &["reproduce", "--only", "data-digits", "--out", "digits"],
        dir.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = std::fs::read_to_string(dir.path().join("digits/SUMMARY.md")).unwrap();
    let verify = run(
        &["verify", "--data", "digits", "--replicates", "8"],
        dir.path(),
    );
    let table = String::from_utf8_lossy(&verify.stdout);
    for case in [
        "digits ce (1,1) diag",
        "digits ce (1,2) offdiag",
        "digits mse (1,1) diag",
    ] {
        assert!(
            table.contains(case),
            "verify does not name {case}:\n{table}"
        );
        assert!(
            summary.contains(&format!("| {case} |")),
            "SUMMARY.md does not name {case}:\n{summary}"
        );
    }
    assert!(
        summary.contains("- rate in d: none: d is fixed by the data set"),
        "{summary}"
    );
    let row = summary
        .lines()
        .find(|line| line.starts_with("| data-digits |"))
        .unwrap_or_else(|| panic!("no index row for data-digits:\n{summary}"));
    assert!(row.contains("largest KS / tolerance"), "{row}");
    assert!(row.ends_with("| pass |"), "{row}");

    let out = run(&["reproduce", "--only", "nothing-like-this"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no job's name contains it"));
}

#[test]
fn verify_sizes_writes_a_convergence_study() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        &[
            "verify",
            "--model",
            "linear",
            "--loss",
            "mse",
            "--blocks",
            "diag",
            "--sizes",
            "40,80,160",
            "--replicates",
            "4",
            "--no-plots",
            "--json",
        ],
        dir.path(),
    );
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let study: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(study["sizes"], serde_json::json!([40, 80, 160]));
    assert_eq!(study["gamma"], 0.5);
    let case = &study["cases"][0];
    assert_eq!(case["ks"].as_array().unwrap().len(), 3);
    assert!(case["slope_ks"].as_f64().is_some(), "{case}");
    // The report of the largest size sits beside the study.
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/report.json")).unwrap())
            .unwrap();
    assert_eq!(report["cases"][0]["dim"], 160);
    assert_eq!(report["cases"][0]["samples"], 320);
    for bad in ["100", "200,100"] {
        let out = run(&["verify", "--sizes", bad], dir.path());
        assert_eq!(out.status.code(), Some(2), "--sizes {bad}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("two or more increasing"));
    }
}
