//! How much memory a run needs, estimated from its scenario before anything
//! is built, so that a scenario too large for the machine is refused at once
//! instead of failing hours later.

use super::issue::Issue;
use crate::scenario::Scenario;

/// Bytes per resident besides its ties: state, counts and what the kernels
/// keep (measured at 112 bytes per resident with 8 ties in
/// `benches/README.md`, of which 48 are the ties), and one byte for the
/// count of who took part this year (v2).
const PER_RESIDENT: f64 = 65.0;
/// Bytes per tie: the target in the row, and the kernels' split of the row.
const PER_TIE: f64 = 6.0;
/// How many mean patiences an issue may stay open at the most, for the
/// estimate (Gamma tails beyond it are rare).
const PATIENCE_TAIL: f64 = 5.0;
/// Bytes per recorded day of outputs.
const PER_ROW: f64 = 600.0;

/// What a run of a scenario needs at its largest.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemoryEstimate {
    /// Residents at the most (those built and every newcomer).
    pub residents: f64,
    /// Open issues at the most.
    pub open_issues: f64,
    /// Bytes in all.
    pub bytes: f64,
}

/// The estimate for `s`: residents and their ties, newcomers of every
/// influx, the store of open issues (a day's arrivals at the highest issue
/// rate the shocks allow, for as long as an issue can stay open) and the
/// recorded rows.
pub fn estimate(s: &Scenario) -> MemoryEstimate {
    let built = s.district.residents() as f64;
    let newcomers: f64 = s.shocks.iter().map(|k| k.migrant_influx * built).sum();
    let residents = built + newcomers;
    let r = &s.residents;
    let resident_bytes = built * (PER_RESIDENT + PER_TIE * f64::from(r.ties_k))
        + newcomers * (PER_RESIDENT + PER_TIE * f64::from(r.newcomer_ties));
    let highest_rate: f64 = s.shocks.iter().map(|k| k.issue_rate.max(1.0)).product();
    let daily = s.issues.rate * residents / 1000.0 * highest_rate;
    let stay = f64::from(s.sim.days).min(s.issues.patience_mean * PATIENCE_TAIL + 1.0);
    let open_issues = daily * stay;
    let per_issue = std::mem::size_of::<Issue>() as f64 + 4.0 * f64::from(s.issues.affected) + 8.0;
    let rows = f64::from(s.sim.days) / f64::from(s.sim.record_every.max(1));
    MemoryEstimate {
        residents,
        open_issues,
        bytes: resident_bytes + open_issues * per_issue + rows * PER_ROW,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Shock;

    #[test]
    fn the_estimate_grows_with_what_fills_memory() {
        let base = Scenario::default();
        let plain = estimate(&base);
        assert!(plain.bytes > 0.0 && plain.residents > 0.0);
        let mut influx = base.clone();
        influx.shocks.push(Shock {
            migrant_influx: 10.0,
            ..Shock::default()
        });
        let grown = estimate(&influx);
        assert!((grown.residents - 11.0 * plain.residents).abs() < 1e-6);
        assert!(grown.bytes > 5.0 * plain.bytes);
        let mut issues = base.clone();
        issues.issues.rate = 100.0;
        issues.issues.patience_mean = 3650.0;
        issues.issues.affected = 1000;
        assert!(estimate(&issues).bytes > 100.0 * plain.bytes);
    }

    /// The estimate is near what a real run of the classroom town holds at
    /// its peak: the sizes of its vectors after a year.
    #[test]
    fn the_estimate_is_of_the_order_of_a_real_run() {
        let s = Scenario::default();
        let mut model = super::super::Model::new(&s, 1);
        for _ in 0..60 {
            model.step();
        }
        let res = &model.world().residents;
        let held = res.len() * (4 + 4 + 1 + 4 + 4 + 12 + 4 + 1)
            + res.ties().targets.len() * 4
            + std::mem::size_of_val(model.issues());
        let e = estimate(&s).bytes;
        assert!(e > held as f64, "estimate {e} below the {held} bytes held");
        assert!(e < 20.0 * held as f64, "estimate {e} far above {held}");
    }
}
