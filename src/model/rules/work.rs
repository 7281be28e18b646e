//! ODD 7.5, work: the order of tasks, what organizations, volunteers and the
//! alliance pool spend, and referral of bureaucratic parts.

use crate::scenario::Scenario;

/// Remaining effort at or below this counts as done.
pub const DONE: f64 = 1e-9;

/// The added urgency that puts escalated issues (petitions) first.
pub const ESCALATED_FIRST: f64 = 10.0;

/// Urgency of an issue's tasks: severity × (age + 1) / patience, escalated
/// issues first. Tasks are worked most urgent first.
#[inline]
pub fn urgency(severity: f64, age_days: u32, patience: f64, escalated: bool) -> f64 {
    let u = severity * f64::from(age_days + 1) / patience;
    if escalated { u + ESCALATED_FIRST } else { u }
}

/// What an organization can spend today: capacity × the shocks' capacity
/// multiplier − today's overhead, at least 0.
#[inline]
pub fn available(capacity: f64, multiplier: f64, overhead: f64) -> f64 {
    (capacity * multiplier - overhead).max(0.0)
}

/// What an alliance member adds to its subdistrict's pool: `pooling` × its
/// unused capacity today, shared evenly among the subdistricts for a
/// district department (which sits in every alliance).
#[inline]
pub fn pooled(s: &Scenario, unused: f64, district_wide: bool, subdistricts: usize) -> f64 {
    let share = if district_wide {
        1.0 / subdistricts as f64
    } else {
        1.0
    };
    s.party.procedure.pooling * unused * share
}

/// Whether the community's volunteers top up a part: every part of a
/// coalition, whoever handles it, and parts handled by an organization of
/// the community (not the part of a single-competency issue that an
/// organization outside the community, a department or the subdistrict
/// office, works alone). It reads where the handler is, not its kind.
#[inline]
pub fn volunteers_help(coalition: bool, handler_in_community: bool) -> bool {
    coalition || handler_in_community
}

/// Whether the subdistrict's alliance pool tops up a part: a part of any
/// coalition (party-convened or self-organized) handled by an alliance
/// member. The pool is the alliance's; who convened the coalition does not
/// matter (one rule for every route; v1 topped up party-convened parts only).
#[inline]
pub fn pool_helps(coalition: bool, handler_in_alliance: bool) -> bool {
    coalition && handler_in_alliance
}

/// The chance a day that the next part of a bureaucratic issue is referred
/// to its department, once the previous part is done.
#[inline]
pub fn referral_chance(s: &Scenario) -> f64 {
    s.government.referral_rate
}

/// Whether a bureaucratic issue's next part may be referred today: once the
/// previous part is done under `sequential_referral`, at once otherwise.
#[inline]
pub fn may_refer_next(s: &Scenario, previous_done: bool) -> bool {
    previous_done || !s.government.sequential_referral
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urgency_and_capacity_at_their_boundaries() {
        assert_eq!(urgency(0.5, 0, 10.0, false), 0.05);
        assert_eq!(urgency(0.5, 0, 10.0, true), 0.05 + ESCALATED_FIRST);
        assert!(urgency(0.5, 9, 10.0, false) > urgency(0.5, 3, 10.0, false));
        assert_eq!(available(10.0, 0.5, 2.0), 3.0);
        assert_eq!(available(10.0, 0.5, 20.0), 0.0);
        let mut s = Scenario::default();
        s.party.procedure.pooling = 0.5;
        assert_eq!(pooled(&s, 4.0, false, 4), 2.0);
        assert_eq!(pooled(&s, 4.0, true, 4), 0.5);
        assert!(volunteers_help(true, false) && volunteers_help(false, true));
        assert!(!volunteers_help(false, false));
        assert!(pool_helps(true, true));
        assert!(!pool_helps(true, false) && !pool_helps(false, true));
    }
}
