//! ODD 7.2, detection and escalation of issues.

use crate::scenario::Scenario;

/// The chance that one affected resident brings a latent issue to light
/// today: `detect_participant` if it takes part today, else `detect_report`
/// × mean trust × efficacy (people report to institutions they trust).
#[inline]
pub fn by_resident(s: &Scenario, takes_part: bool, mean_trust: f32, efficacy: f32) -> f64 {
    let i = &s.issues;
    if takes_part {
        i.detect_participant
    } else {
        i.detect_report * f64::from(mean_trust) * f64::from(efficacy)
    }
}

/// What, besides its affected residents, may see an issue in its grid.
#[derive(Debug, Clone, Copy)]
pub struct Watchers {
    /// The grid has a grid worker (patrols).
    pub covered: bool,
    /// Party members of the grid who take part today.
    pub active_members: u32,
    /// The community has a party-mass service center.
    pub service_center: bool,
}

/// The chance that no one detects a latent issue today: Π(1 − d) over its
/// affected residents' chances (`by_resident`, in the order of the issue's
/// affected residents), the grid patrol, each active party member of the
/// grid and the service center. The issue is detected when a uniform draw
/// is at least this.
#[inline]
pub fn chance_missed(s: &Scenario, residents: impl IntoIterator<Item = f64>, w: Watchers) -> f64 {
    let mut miss = 1.0;
    for d in residents {
        miss *= 1.0 - d;
    }
    if w.covered {
        miss *= 1.0 - s.grid.patrol_rate;
    }
    miss *= (1.0 - s.party.procedure.member_detection).powi(w.active_members as i32);
    if w.service_center {
        miss *= 1.0 - s.party.security.service_center_detection;
    }
    miss
}

/// Severity of an issue no one has taken on, after one more day: it grows by
/// `escalation_rate`, up to 1.
#[inline]
pub fn grown_severity(s: &Scenario, severity: f64) -> f64 {
    (severity + s.issues.escalation_rate).min(1.0)
}

/// Whether an issue no one has taken on escalates into a petition today:
/// severity at least `escalation_severity` and age at least
/// `escalation_age` × patience.
#[inline]
pub fn escalates(s: &Scenario, severity: f64, age_days: f64, patience: f64) -> bool {
    let i = &s.issues;
    severity >= i.escalation_severity && age_days >= i.escalation_age * patience
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_at_its_boundaries() {
        let s = Scenario::default();
        let nobody = Watchers {
            covered: false,
            active_members: 0,
            service_center: false,
        };
        assert_eq!(chance_missed(&s, [], nobody), 1.0);
        assert_eq!(by_resident(&s, true, 0.0, 0.0), s.issues.detect_participant);
        assert_eq!(by_resident(&s, false, 0.0, 1.0), 0.0);
        let one = chance_missed(&s, [0.3], nobody);
        assert!((one - 0.7).abs() < 1e-12);
        let watched = Watchers {
            covered: true,
            active_members: 2,
            service_center: true,
        };
        assert!(chance_missed(&s, [0.3], watched) < one);
        assert_eq!(chance_missed(&s, [1.0], watched), 0.0);
    }

    #[test]
    fn escalation_at_its_boundaries() {
        let s = Scenario::default();
        let i = &s.issues;
        assert_eq!(grown_severity(&s, 1.0), 1.0);
        let patience = 10.0;
        let age = i.escalation_age * patience;
        assert!(escalates(&s, i.escalation_severity, age, patience));
        assert!(!escalates(&s, i.escalation_severity - 1e-9, age, patience));
        assert!(!escalates(&s, 1.0, age - 1e-9, patience));
    }
}
