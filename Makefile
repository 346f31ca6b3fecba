# hessian-rmt: common tasks. Every target runs with only the Rust toolchain.

CARGO ?= cargo
BIN := target/release/hessian-rmt

.PHONY: all build test bench figures verify calibrate lint clean

all: build

build:
	$(CARGO) build --release

# The test suite that CI runs (README.md gives the same command).
test:
	$(CARGO) test --release

# Speed targets live here, in the criterion benchmarks of benches/, not in the tests. The
# side-by-side comparison with numpy is bench/compare.sh (it makes its own virtual environment).
bench:
	$(CARGO) bench --bench solver
	$(CARGO) bench --bench montecarlo

# The main job on built-in defaults.
verify: build
	$(BIN) verify

# Regenerates the committed figures in figures/ with fixed seeds, and figures/SUMMARY.md.
figures: build
	$(BIN) reproduce

# Tolerance calibration over many seeds (slow: about 25 minutes on 2 cores).
calibrate:
	$(CARGO) run --release --example calibrate -- 500 1000 10 12
	$(CARGO) run --release --example calibrate -- 200 400 10 20
	$(CARGO) run --release --example calibrate -- mlp 300 600 4 10
	$(CARGO) run --release --example calibrate -- mlp 600 1200 8 5

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets --release -- -D warnings

clean:
	$(CARGO) clean
