//! ODD 7.4, the joint conference of the regional alliance.

use crate::scenario::{Linkage, Scenario};

/// Whether `day` (0-based) is a meeting day: under regional linkage, every
/// `meeting_interval` days, on days interval − 1, 2·interval − 1, …
#[inline]
pub fn meets(s: &Scenario, day: u32) -> bool {
    let interval = s.party.procedure.meeting_interval;
    interval != 0 && s.party.system.linkage == Linkage::Regional && day % interval == interval - 1
}

/// Trust between two alliance members after a meeting: T + gain·(1 − T),
/// gain = `meeting_trust_gain` × (1 − formalism).
#[inline]
pub fn trust_after_meeting(s: &Scenario, trust: f64) -> f64 {
    let proc = &s.party.procedure;
    let gain = proc.meeting_trust_gain * (1.0 - proc.formalism);
    trust + gain * (1.0 - trust)
}

/// Capacity a member loses to a meeting: formalism × `meeting_cost` × its
/// capacity.
#[inline]
pub fn meeting_overhead(s: &Scenario, capacity: f64) -> f64 {
    let proc = &s.party.procedure;
    proc.formalism * proc.meeting_cost * capacity
}

/// The bonus a meeting day adds to the join utility of every reconvened
/// cross-cutting issue (joint commitment): `reconvene_bonus` × (1 − formalism).
#[inline]
pub fn reconvene_bonus(s: &Scenario) -> f64 {
    s.coalition.reconvene_bonus * (1.0 - s.party.procedure.formalism)
}

/// Trust of a pair of organizations after a day: it fades toward
/// `initial_trust` at `trust_decay` a day, T − decay·(T − T0), in every
/// regime; contact (a meeting, shared work) rebuilds it.
#[inline]
pub fn trust_after_a_day(s: &Scenario, trust: f64) -> f64 {
    let co = &s.coalition;
    trust - co.trust_decay * (trust - co.initial_trust)
}

/// The chance that a latent issue of the subdistrict is brought up at a
/// meeting (members share what they know): `meeting_disclosure` × (1 − formalism).
#[inline]
pub fn disclosure_chance(s: &Scenario) -> f64 {
    let proc = &s.party.procedure;
    proc.meeting_disclosure * (1.0 - proc.formalism)
}

/// The chance that a bureaucratic issue of the subdistrict waiting to be
/// referred is reviewed at a meeting, and the departments commit to all its
/// remaining parts at once: `meeting_review` × (1 − formalism).
#[inline]
pub fn review_chance(s: &Scenario) -> f64 {
    let proc = &s.party.procedure;
    proc.meeting_review * (1.0 - proc.formalism)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meetings_at_their_boundaries() {
        let mut s = Scenario::default();
        s.party.system.linkage = Linkage::Regional;
        s.party.procedure.meeting_interval = 30;
        let days: Vec<u32> = (0..100).filter(|&d| meets(&s, d)).collect();
        assert_eq!(days, [29, 59, 89]);
        s.party.procedure.meeting_interval = 0;
        assert!(!(0..100).any(|d| meets(&s, d)));
        s.party.procedure.meeting_interval = 30;
        s.party.system.linkage = Linkage::Vertical;
        assert!(!(0..100).any(|d| meets(&s, d)));
        s.party.procedure.formalism = 1.0;
        assert_eq!(trust_after_meeting(&s, 0.4), 0.4);
        s.party.procedure.formalism = 0.0;
        assert_eq!(meeting_overhead(&s, 10.0), 0.0);
        assert!(trust_after_meeting(&s, 0.4) > 0.4);
        assert_eq!(trust_after_meeting(&s, 1.0), 1.0);
    }

    /// Formalism hollows out every channel of the conference; trust fades
    /// toward its initial value from above and below, and not at all at 0.
    #[test]
    fn formalism_hollows_each_channel_and_trust_fades_to_its_start() {
        let mut s = Scenario::default();
        s.party.procedure.formalism = 1.0;
        assert_eq!(reconvene_bonus(&s), 0.0);
        assert_eq!(disclosure_chance(&s), 0.0);
        assert_eq!(review_chance(&s), 0.0);
        s.party.procedure.formalism = 0.0;
        assert!(reconvene_bonus(&s) > 0.0 && disclosure_chance(&s) > 0.0);
        assert!(review_chance(&s) > 0.0);
        let t0 = s.coalition.initial_trust;
        assert!(trust_after_a_day(&s, 0.9) < 0.9 && trust_after_a_day(&s, 0.9) > t0);
        assert!(trust_after_a_day(&s, 0.1) > 0.1);
        assert_eq!(trust_after_a_day(&s, t0), t0);
        s.coalition.trust_decay = 0.0;
        assert_eq!(trust_after_a_day(&s, 0.9), 0.9);
    }
}
