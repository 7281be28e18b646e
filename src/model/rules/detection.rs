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
