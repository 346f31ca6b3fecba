//! Value parsers shared by the subcommands. Each rejects a bad value with a message that states
//! the rule; clap adds the flag and the value.

/// A positive integer (≥ 1).
pub fn positive_usize(text: &str) -> Result<usize, String> {
    match text.trim().parse::<i128>() {
        Ok(v) if v >= 1 && v <= usize::MAX as i128 => Ok(v as usize),
        Ok(_) => Err(String::from("must be a positive integer")),
        Err(_) => Err(String::from("must be a positive integer")),
    }
}

/// An integer of at least 2 (class counts).
pub fn at_least_two(text: &str) -> Result<usize, String> {
    match positive_usize(text) {
        Ok(v) if v >= 2 => Ok(v),
        _ => Err(String::from("must be an integer of at least 2")),
    }
}

/// A finite positive number.
pub fn positive_f64(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(String::from("must be a finite positive number")),
    }
}

/// A range "A,B" with finite A < B.
pub fn range(text: &str) -> Result<(f64, f64), String> {
    let parts: Vec<&str> = text.split(',').collect();
    let rule = "must be two finite numbers A,B with A < B";
    if parts.len() != 2 {
        return Err(String::from(rule));
    }
    match (
        parts[0].trim().parse::<f64>(),
        parts[1].trim().parse::<f64>(),
    ) {
        (Ok(a), Ok(b)) if a.is_finite() && b.is_finite() && a < b => Ok((a, b)),
        _ => Err(String::from(rule)),
    }
}

/// A weight law "P1:T1,P2:T2,…" as (probability, value) pairs; the sum rule is checked later by
/// `WeightLaw::from_atoms`.
pub fn atoms(text: &str) -> Result<Vec<(f64, f64)>, String> {
    text.split(',')
        .map(|item| {
            let (p, t) = item
                .split_once(':')
                .ok_or_else(|| format!("atom '{item}' must be PROBABILITY:VALUE"))?;
            let p: f64 = p
                .trim()
                .parse()
                .map_err(|_| format!("probability '{p}' is not a number"))?;
            let t: f64 = t
                .trim()
                .parse()
                .map_err(|_| format!("value '{t}' is not a number"))?;
            Ok((p, t))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsers_accept_and_reject() {
        assert_eq!(positive_usize("12"), Ok(12));
        assert!(positive_usize("0").is_err());
        assert!(positive_usize("-3").is_err());
        assert!(at_least_two("1").is_err());
        assert!(positive_f64("nan").is_err());
        assert!(positive_f64("inf").is_err());
        assert_eq!(range("-1,2.5"), Ok((-1.0, 2.5)));
        assert!(range("2,1").is_err());
        assert_eq!(atoms("0.5:-1,0.5:2"), Ok(vec![(0.5, -1.0), (0.5, 2.0)]));
        assert!(atoms("0.5").is_err());
    }
}
