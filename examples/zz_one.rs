use faer::{Mat, Par};
use std::time::Instant;
fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().unwrap())
        .collect();
    let (n, reps, threads) = (args[0], args[1], args[2]);
    let a = Mat::<f64>::from_fn(n, n, |i, j| {
        (((i * 7919 + j * 104_729) % 1009) as f64 / 504.5) - 1.0
    });
    let par = if threads == 1 {
        Par::Seq
    } else {
        Par::rayon(threads)
    };
    let start = Instant::now();
    let mut tri = (vec![], vec![]);
    for _ in 0..reps {
        tri = hessian_rmt::models::tridiag::tridiagonal(a.as_ref(), par);
    }
    let t1 = start.elapsed().as_secs_f64() / reps as f64;
    let start = Instant::now();
    for _ in 0..reps {
        hessian_rmt::models::tridiag::tridiagonal_eigenvalues(tri.0.clone(), &tri.1).unwrap();
    }
    let t2 = start.elapsed().as_secs_f64() / reps as f64;
    println!("n {n} threads {threads}: reduction {t1:.4} s, ql {t2:.4} s");
}
