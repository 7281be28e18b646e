//! ODD 7.6, outcomes and feedback: quality and recurrence of resolutions,
//! trust and efficacy of residents, inter-organizational trust, party
//! legitimacy and the erosion of autonomy.

use crate::scenario::Scenario;

/// Half-life, in days, of the counts behind party legitimacy (about two
/// months; stylized).
pub const PRESENCE_MEMORY_DAYS: f64 = 60.0;

/// Quality of a resolution: Q = `q0` + `q_delib` · min(1, D /
/// `deliberators_needed`), at most 1; D = affected residents who take part
/// today plus their ties who take part today.
#[inline]
pub fn quality(s: &Scenario, deliberators: u32) -> f64 {
    let r = &s.residents;
    let share = (f64::from(deliberators) / f64::from(r.deliberators_needed)).min(1.0);
    (r.q0 + r.q_delib * share).min(1.0)
}

/// The chance that the reporter of a resolved issue is satisfied: Q · (1 −
/// `satisfaction_speed` · min(1, W / P)), W the days from arrival to
/// resolution and P the reporter's patience in days. An abandoned issue's
/// reporter is not satisfied. No draw is made: the chance is summed.
#[inline]
pub fn satisfaction(s: &Scenario, quality: f64, waited_days: u32, patience: f64) -> f64 {
    let wait = (f64::from(waited_days) / patience.max(1.0)).min(1.0);
    quality * (1.0 - s.residents.satisfaction_speed * wait)
}

/// The chance that the reporter of a demand that cannot be met, worked and
/// explained, is satisfied: `explained_satisfaction` · (1 −
/// `satisfaction_speed` · min(1, W / P)). So a timely, explained reply can
/// satisfy a reporter whose demand is not met, as hotlines count it (their
/// satisfaction rate may exceed their resolution rate).
#[inline]
pub fn explained_satisfaction(s: &Scenario, waited_days: u32, patience: f64) -> f64 {
    satisfaction(s, s.residents.explained_satisfaction, waited_days, patience)
}

/// The chance that a resolved issue recurs as a new latent issue: (1 − Q) ×
/// `recurrence`.
#[inline]
pub fn recurrence_chance(s: &Scenario, quality: f64) -> f64 {
    ((1.0 - quality) * s.issues.recurrence).clamp(0.0, 1.0)
}

/// The change of a resident's trust in a kind that handled a closed issue,
/// before its weight: `trust_gain` · Q · (1 − trust) on a resolution of
/// quality Q, −`trust_loss` · trust on an abandonment. The levers are read
/// once, when the closure's change is made, so that the observers of a
/// grid go many at once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrustChange {
    gain: f64,
    loss: f64,
    /// The quality of the resolution; `None` for an abandonment.
    resolved_with: Option<f64>,
}

impl TrustChange {
    /// The change of a closure resolved with quality `resolved_with`, or
    /// abandoned (`None`), under the levers of `s`.
    #[inline]
    pub fn new(s: &Scenario, resolved_with: Option<f64>) -> Self {
        Self {
            gain: s.residents.trust_gain,
            loss: s.residents.trust_loss,
            resolved_with,
        }
    }

    /// The change of a resident whose trust in the kind is `trust`.
    #[inline(always)]
    pub fn of(self, trust: f32) -> f64 {
        match self.resolved_with {
            Some(quality) => self.gain * quality * (1.0 - f64::from(trust)),
            None => -self.loss * f64::from(trust),
        }
    }
}

/// The change of efficacy of a resident affected by a closed issue:
/// +`efficacy_gain` on resolution, −`efficacy_loss` on abandonment; twice
/// for one who takes part today. Observers get it × `observer_weight`.
#[inline]
pub fn efficacy_change(s: &Scenario, resolved: bool, takes_part: bool) -> f64 {
    let r = &s.residents;
    let change = if resolved {
        r.efficacy_gain
    } else {
        -r.efficacy_loss
    };
    if takes_part { change * 2.0 } else { change }
}

/// The weight of an observer's changes (every resident of the issue's grid,
/// the affected ones too): `observer_weight`; affected residents get their
/// own changes in full besides.
#[inline]
pub fn observer_weight(s: &Scenario) -> f64 {
    s.residents.observer_weight
}

/// A trust or efficacy value after a change of `weight` × `change`, kept in
/// [0, 1].
#[inline(always)]
pub fn changed(value: f32, weight: f64, change: f64) -> f32 {
    (f64::from(value) + weight * change).clamp(0.0, 1.0) as f32
}

/// Trust between two handlers of a closed issue: T + `trust_gain`·(1 − T) on
/// resolution, T − `trust_loss`·T on abandonment.
#[inline]
pub fn org_trust_after(s: &Scenario, trust: f64, resolved: bool) -> f64 {
    let co = &s.coalition;
    if resolved {
        trust + co.trust_gain * (1.0 - trust)
    } else {
        trust - co.trust_loss * trust
    }
}

/// What the legitimacy of a community's convener (party legitimacy where
/// the convener is a party committee) moves toward.
#[derive(Debug, Clone, Copy)]
pub struct LegitimacyBasis {
    /// Mean trust of the community's residents in its convener (their
    /// "trust in party organizations" where it is a party committee).
    pub trust_in_convener: f64,
    /// Decaying counts of convened issues resolved and abandoned.
    pub convened_outcomes: (f64, f64),
    /// Decaying count of issues the convener convened or triaged.
    pub convener_present: f64,
    /// Decaying count of cross-cutting issues detected.
    pub cross_cutting_seen: f64,
}

/// Success share of convened issues: (1 + resolved) / (2 + resolved +
/// abandoned).
#[inline]
pub fn success_share(resolved: f64, abandoned: f64) -> f64 {
    (resolved + 1.0) / (resolved + abandoned + 2.0)
}

/// Presence of the convener in problem solving: min(1, (convened + triaged) /
/// cross-cutting issues detected); 1 while none has been seen.
#[inline]
pub fn presence(convener_present: f64, cross_cutting_seen: f64) -> f64 {
    if cross_cutting_seen < 0.5 {
        1.0
    } else {
        (convener_present / cross_cutting_seen).min(1.0)
    }
}

/// Legitimacy after a day: ℓ + `legitimacy_rate` · (target − ℓ), target =
/// trust in the convener × success share × presence.
#[inline]
pub fn legitimacy_after(s: &Scenario, legitimacy: f64, b: &LegitimacyBasis) -> f64 {
    let (won, lost) = b.convened_outcomes;
    let target = b.trust_in_convener
        * success_share(won, lost)
        * presence(b.convener_present, b.cross_cutting_seen);
    legitimacy + s.party.security.legitimacy_rate * (target - legitimacy)
}

/// Whether a convener whose decaying count of convened and triaged issues
/// is `convener_present` is "virtual": it took on nothing lately (below one
/// half, so about `PRESENCE_MEMORY_DAYS` since its last issue).
#[inline]
pub fn is_virtual(convener_present: f64) -> bool {
    convener_present < 0.5
}

/// The daily factor of the decaying counts: half of a count is left after
/// [`PRESENCE_MEMORY_DAYS`].
#[inline]
pub fn presence_decay() -> f64 {
    0.5f64.powf(1.0 / PRESENCE_MEMORY_DAYS)
}

/// Autonomy of a social organization, property company or residents'
/// committee after a day: a + `autonomy_erosion` · (`autonomy`·(1 − κ) − a).
#[inline]
pub fn autonomy_after(s: &Scenario, autonomy: f64) -> f64 {
    let social = &s.social;
    let target = social.autonomy * (1.0 - s.party.procedure.centralization);
    autonomy + social.autonomy_erosion * (target - autonomy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quality_at_its_boundaries() {
        let mut s = Scenario::default();
        let r = &s.residents;
        assert_eq!(quality(&s, 0), r.q0);
        let needed = r.deliberators_needed;
        assert_eq!(quality(&s, needed), (r.q0 + r.q_delib).min(1.0));
        assert_eq!(quality(&s, needed * 5), quality(&s, needed));
        assert!(quality(&s, needed / 2) < quality(&s, needed));
        (s.residents.q0, s.residents.q_delib) = (0.8, 0.8);
        assert_eq!(quality(&s, 1000), 1.0);
    }

    #[test]
    fn satisfaction_at_its_boundaries() {
        let mut s = Scenario::default();
        s.residents.satisfaction_speed = 0.5;
        assert_eq!(satisfaction(&s, 0.8, 0, 30.0), 0.8);
        assert_eq!(satisfaction(&s, 0.8, 15, 30.0), 0.8 * 0.75);
        assert_eq!(satisfaction(&s, 0.8, 30, 30.0), 0.4);
        assert_eq!(
            satisfaction(&s, 0.8, 90, 30.0),
            0.4,
            "the wait counts up to the patience"
        );
        assert!(satisfaction(&s, 0.8, 10, 30.0) > satisfaction(&s, 0.8, 20, 30.0));
        assert!(satisfaction(&s, 0.9, 10, 30.0) > satisfaction(&s, 0.6, 10, 30.0));
        s.residents.satisfaction_speed = 0.0;
        assert_eq!(
            satisfaction(&s, 0.7, 29, 30.0),
            0.7,
            "speed weightless: quality alone"
        );
        s.residents.satisfaction_speed = 1.0;
        assert_eq!(
            satisfaction(&s, 1.0, 5, 0.2),
            0.0,
            "patience under a day counts as a day"
        );
    }

    #[test]
    fn recurrence_is_a_probability() {
        let mut s = Scenario::default();
        assert_eq!(recurrence_chance(&s, 1.0), 0.0);
        s.issues.recurrence = 1.0;
        assert_eq!(recurrence_chance(&s, 0.0), 1.0);
        assert_eq!(recurrence_chance(&s, 1.5), 0.0);
    }

    /// Trust cannot grow past 1 or fall below 0, a resident who trusts fully
    /// gains nothing and one who trusts not at all loses nothing.
    #[test]
    fn trust_changes_at_their_boundaries() {
        let s = Scenario::default();
        let (resolved, abandoned) = (TrustChange::new(&s, Some(1.0)), TrustChange::new(&s, None));
        assert_eq!(resolved.of(1.0), 0.0);
        assert_eq!(abandoned.of(0.0), 0.0);
        assert!(resolved.of(0.2) > TrustChange::new(&s, Some(0.5)).of(0.2));
        assert!(abandoned.of(0.8) < abandoned.of(0.2) && abandoned.of(0.2) < 0.0);
        assert_eq!(changed(0.9, 1.0, 0.5), 1.0);
        assert_eq!(changed(0.1, 1.0, -0.5), 0.0);
        assert_eq!(changed(0.5, 0.0, 0.3), 0.5);
        let r = &s.residents;
        assert_eq!(efficacy_change(&s, true, false), r.efficacy_gain);
        assert_eq!(efficacy_change(&s, true, true), 2.0 * r.efficacy_gain);
        assert_eq!(efficacy_change(&s, false, false), -r.efficacy_loss);
        assert_eq!(org_trust_after(&s, 1.0, true), 1.0);
        assert_eq!(org_trust_after(&s, 0.0, false), 0.0);
    }

    /// Legitimacy's target: trust × success × presence, with a prior of one
    /// half on success and full presence while no cross-cutting issue has
    /// been seen; at rate 1 legitimacy jumps to the target.
    #[test]
    fn legitimacy_target_at_its_boundaries() {
        assert_eq!(success_share(0.0, 0.0), 0.5);
        assert!(success_share(100.0, 0.0) > 0.99);
        assert_eq!(presence(0.0, 0.4), 1.0);
        assert_eq!(presence(0.0, 3.0), 0.0);
        assert_eq!(presence(6.0, 3.0), 1.0);
        let mut s = Scenario::default();
        s.party.security.legitimacy_rate = 1.0;
        let basis = LegitimacyBasis {
            trust_in_convener: 0.6,
            convened_outcomes: (3.0, 1.0),
            convener_present: 2.0,
            cross_cutting_seen: 4.0,
        };
        let target = 0.6 * (4.0 / 6.0) * 0.5;
        assert!((legitimacy_after(&s, 0.9, &basis) - target).abs() < 1e-12);
        s.party.security.legitimacy_rate = 0.0;
        assert_eq!(legitimacy_after(&s, 0.9, &basis), 0.9);
        assert!((presence_decay().powf(PRESENCE_MEMORY_DAYS) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn autonomy_erodes_toward_its_target() {
        let mut s = Scenario::default();
        s.social.autonomy = 0.6;
        s.party.procedure.centralization = 0.5;
        s.social.autonomy_erosion = 1.0;
        assert!((autonomy_after(&s, 0.9) - 0.3).abs() < 1e-12);
        s.party.procedure.centralization = 0.0;
        s.social.autonomy_erosion = 0.1;
        assert_eq!(autonomy_after(&s, 0.6), 0.6);
    }
}
