"""The numpy reference for bench/compare.sh: the same workloads as examples/workload.rs.

Usage:
    python reference.py eig N
    python reference.py verify-pair D N R
    python reference.py full-hessian N D C
    python reference.py summary LOG

Each workload prints one JSON line with its seconds and peak resident memory. The clock covers the
work only, as in examples/workload.rs. `summary` reads the JSON lines of both tools from LOG and
prints, per workload, the median and the range of each tool's seconds and the ratio of the medians.
"""

import json
import resource
import statistics
import sys
import time

SEED = 42
CLASSES = 10


def softmax_columns(logits):
    import numpy as np

    shifted = logits - logits.max(axis=0, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=0, keepdims=True)


def eig(n):
    import numpy as np

    rng = np.random.default_rng(SEED)
    a = rng.standard_normal((n, n))
    a = np.tril(a) + np.tril(a, -1).T
    start = time.perf_counter()
    values = np.linalg.eigvalsh(a)
    seconds = time.perf_counter() - start
    assert values.shape == (n,)
    return seconds


def verify_pair(dim, samples, replicates):
    """Draws X and W, forms the cross-entropy blocks (1,1) and (1,2) and takes their eigenvalues,
    R times, then pools. The blocks are (X diag(tau)) X^T / N, as hessian-rmt forms them."""
    import numpy as np

    rng = np.random.default_rng(SEED)
    start = time.perf_counter()
    diagonal, off_diagonal = [], []
    for _ in range(replicates):
        w = rng.standard_normal((CLASSES, dim)) / np.sqrt(dim)
        x = rng.standard_normal((dim, samples))
        p = softmax_columns(w @ x)
        tau_11 = p[0] * (1.0 - p[0])
        tau_12 = -p[0] * p[1]
        diagonal.append(np.linalg.eigvalsh((x * tau_11) @ x.T / samples))
        off_diagonal.append(np.linalg.eigvalsh((x * tau_12) @ x.T / samples))
    pooled = [np.sort(np.concatenate(diagonal)), np.sort(np.concatenate(off_diagonal))]
    seconds = time.perf_counter() - start
    assert all(values.shape == (dim * replicates,) for values in pooled)
    return seconds


def full_hessian(samples, dim, classes):
    """Forms H = (1/N)[blockdiag(X diag(p_k) X^T) - Y Y^T] in closed form.

    Column i of Y is p(i) kron x_i.
    """
    import numpy as np

    rng = np.random.default_rng(SEED)
    x = rng.standard_normal((dim, samples))
    w = rng.standard_normal((classes, dim)) / np.sqrt(dim)
    start = time.perf_counter()
    p = softmax_columns(w @ x)
    y = (p[:, None, :] * x[None, :, :]).reshape(classes * dim, samples)
    h = -(y @ y.T) / samples
    del y
    for k in range(classes):
        block = slice(k * dim, (k + 1) * dim)
        h[block, block] += (x * p[k]) @ x.T / samples
    seconds = time.perf_counter() - start
    assert h.shape == (classes * dim, classes * dim)
    return seconds


def peak_mib():
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def summary(path):
    runs = {}
    with open(path) as log:
        for line in log:
            line = line.strip()
            if not line.startswith("{"):
                continue
            record = json.loads(line)
            key = (record["workload"], record["sizes"])
            tool = runs.setdefault(key, {}).setdefault(record["tool"], {"seconds": [], "peak": []})
            tool["seconds"].append(record["seconds"])
            tool["peak"].append(record["peak_mib"])
    header = (
        f"{'workload':<14} {'sizes':<14} {'runs':>4}  {'hessian-rmt s (min-max)':<26} "
        f"{'numpy s (min-max)':<26} {'ratio of medians':>16}  {'ratio min-max':<14} "
        f"{'peak MiB (ours / numpy)':<22}"
    )
    print(header)
    for (workload, sizes), tools in runs.items():
        ours, theirs = tools.get("hessian-rmt"), tools.get("numpy")
        if ours is None or theirs is None:
            continue
        ours_median = statistics.median(ours["seconds"])
        theirs_median = statistics.median(theirs["seconds"])
        # The run-by-run ratios of the interleaved pairs give the spread of the ratio.
        ratios = [a / b for a, b in zip(ours["seconds"], theirs["seconds"])]
        print(
            f"{workload:<14} {sizes:<14} {len(ratios):>4}  "
            f"{ours_median:8.3f} ({min(ours['seconds']):.3f}-{max(ours['seconds']):.3f})     "
            f"{theirs_median:8.3f} ({min(theirs['seconds']):.3f}-{max(theirs['seconds']):.3f})     "
            f"{ours_median / theirs_median:16.2f}  {min(ratios):.2f}-{max(ratios):.2f}      "
            f"{max(ours['peak']):7.0f} / {max(theirs['peak']):7.0f}"
        )
    print("ratio = hessian-rmt time / numpy time: below 1 means hessian-rmt is faster.")


def main(argv):
    if len(argv) == 2 and argv[0] == "summary":
        summary(argv[1])
        return 0
    workloads = {"eig": (eig, 1), "verify-pair": (verify_pair, 3), "full-hessian": (full_hessian, 3)}
    if not argv or argv[0] not in workloads or len(argv) - 1 != workloads[argv[0]][1]:
        print("usage: reference.py eig N | verify-pair D N R | full-hessian N D C | summary LOG",
              file=sys.stderr)
        return 2
    function, _ = workloads[argv[0]]
    sizes = [int(value) for value in argv[1:]]
    seconds = function(*sizes)
    import numpy as np

    print(json.dumps({
        "tool": "numpy",
        "workload": argv[0],
        "sizes": " ".join(str(size) for size in sizes),
        "seconds": round(seconds, 6),
        "peak_mib": round(peak_mib(), 1),
        "seed": SEED,
        "version": np.__version__,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
